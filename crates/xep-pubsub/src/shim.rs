//! XEP-0131 Stanza Headers and Internet Metadata (SHIM): the `headers`
//! element, which pubsub services add to notifications (e.g. the SubIDs a
//! notification is delivered for, XEP-0060 §12.2).

use xep_element::XmlElement;

/// `http://jabber.org/protocol/shim`.
pub const NS_SHIM: &str = "http://jabber.org/protocol/shim";

/// `<header name='…'>value</header>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_SHIM, name = "header")]
pub struct Header {
    /// The header name (e.g. `SubID`, `Collection`, `Urgency`).
    #[xml(attr)]
    pub name: String,
    /// The value.
    #[xml(text)]
    pub value: String,
}

/// `<headers/>`: a set of headers.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SHIM, name = "headers")]
pub struct Headers {
    /// The headers, in order.
    #[xml(child)]
    pub headers: Vec<Header>,
}

impl Headers {
    /// Headers from `(name, value)` pairs.
    pub fn new<N: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (N, V)>) -> Self {
        Headers {
            headers: pairs
                .into_iter()
                .map(|(n, v)| Header {
                    name: n.into(),
                    value: v.into(),
                })
                .collect(),
        }
    }

    /// The values of the headers named `name` (header names compare
    /// case-insensitively, as in RFC 5322).
    pub fn get<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// The SubIDs a pubsub notification is delivered for.
    pub fn subids(&self) -> Vec<&str> {
        self.get("SubID").collect()
    }
}
