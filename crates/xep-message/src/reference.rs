//! XEP-0372 references: `<reference/>` marks a range of the body (or,
//! with `anchor`, of an earlier message) as referring to a URI: a
//! mention of a user, a data item, or another type.

use std::fmt;

use xep_core::Message;
use xep_element::{Error, Payload, XmlElement, XmlValue};

use crate::counting::{RangeError, byte_range};

/// `urn:xmpp:reference:0`.
pub const NS_REFERENCE: &str = "urn:xmpp:reference:0";

/// The type of a reference.
#[derive(XmlValue, Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReferenceType {
    /// A user's bare JID (an `xmpp:` URI).
    Mention,
    /// An item that can be fetched.
    Data,
    /// A type this crate does not know, kept as written.
    #[xml(other)]
    Other(String),
}

/// `<reference/>`.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_REFERENCE, name = "reference", validate = Reference::check)]
pub struct Reference {
    /// `type`.
    #[xml(attr(name = "type"))]
    pub type_: ReferenceType,
    /// `uri`: what is referred to.
    #[xml(attr)]
    pub uri: String,
    /// `begin`: the first character (XEP-0426) of the referring text.
    #[xml(attr)]
    pub begin: Option<u32>,
    /// `end`: one past the last character.
    #[xml(attr)]
    pub end: Option<u32>,
    /// `anchor`: the earlier message holding the referring text.
    #[xml(attr)]
    pub anchor: Option<String>,
    /// Children of other namespaces (e.g. XEP-0385's `<media-sharing/>`).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Reference {
    fn check(&self) -> Result<(), Error> {
        if self.uri.is_empty() {
            return Err(Error::bad_attribute(
                "uri",
                "",
                "a reference names what it refers to (XEP-0372 §3.1)",
            ));
        }
        match (self.begin, self.end) {
            (Some(b), Some(e)) if b > e => Err(Error::invalid(format!(
                "'begin' ({b}) is after 'end' ({e})"
            ))),
            (Some(_), None) | (None, Some(_)) => Err(Error::invalid(
                "'begin' and 'end' go together (XEP-0372 §3.1)",
            )),
            _ => Ok(()),
        }
    }

    /// A mention of `jid` (its bare JID, §3.2) at characters
    /// `begin..end` of the body.
    pub fn mention(jid: &xep_element::jid::BareJid, begin: u32, end: u32) -> Reference {
        Reference {
            type_: ReferenceType::Mention,
            uri: format!("xmpp:{jid}"),
            begin: Some(begin),
            end: Some(end),
            anchor: None,
            extensions: Vec::new(),
        }
    }

    /// The JID a mention names (`xmpp:` URI of a bare JID), if it is one.
    pub fn mentioned(&self) -> Option<xep_element::jid::BareJid> {
        if self.type_ != ReferenceType::Mention {
            return None;
        }
        self.uri.strip_prefix("xmpp:")?.parse().ok()
    }
}

/// Why a reference's range does not fit the message.
#[derive(Debug, Clone, PartialEq)]
pub enum ReferenceError {
    /// The `<reference/>` does not parse.
    Malformed(Error),
    /// The range does not fit the body.
    Range(RangeError),
    /// A range without a body to refer into (nor an anchor).
    NoBody,
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferenceError::Malformed(e) => write!(f, "malformed reference: {e}"),
            ReferenceError::Range(e) => write!(f, "reference range: {e}"),
            ReferenceError::NoBody => f.write_str("a reference range without a body"),
        }
    }
}

impl std::error::Error for ReferenceError {}

/// The references of `message` with the text each one marks in its body
/// (`None` for a reference without a range or with an anchor, which
/// refers into another message).
pub fn references(message: &Message) -> Result<Vec<(Reference, Option<String>)>, ReferenceError> {
    let mut out = Vec::new();
    for p in &message.payloads {
        let Some(r) = p.get::<Reference>() else {
            continue;
        };
        let r = r.map_err(ReferenceError::Malformed)?;
        let text = match (r.begin, r.end, &r.anchor) {
            (Some(b), Some(e), None) => {
                let body = message.body(None).ok_or(ReferenceError::NoBody)?;
                let range = byte_range(body, b, e).map_err(ReferenceError::Range)?;
                Some(body[range].to_string())
            }
            _ => None,
        };
        out.push((r, text));
    }
    Ok(out)
}
