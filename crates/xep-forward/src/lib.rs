//! XEP-0297 Stanza Forwarding: a stanza wrapped in `<forwarded/>`, with
//! the time it was originally sent.
//!
//! The forwarded stanza keeps the namespace it was read in (`jabber:client`
//! or `jabber:server`, XEP-0297 §3.2 rule 3), whatever stream the
//! `<forwarded/>` element itself travels on, and keeps all its payloads.
//!
//! ```
//! use xep_core::Stanza;
//! use xep_element::XmlElement;
//! use xep_forward::{Forwarded, StanzaNs};
//!
//! let xml = "<forwarded xmlns='urn:xmpp:forward:0'>\
//!     <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
//!     <message xmlns='jabber:client' from='romeo@montague.example/orchard' to='juliet@capulet.example'>\
//!     <body>A most courteous exposition!</body></message>\
//!     </forwarded>";
//! let f = Forwarded::from_xml(xml.as_bytes()).unwrap();
//! let m = f.message().unwrap();
//! assert_eq!(m.body(None), Some("A most courteous exposition!"));
//! assert_eq!(f.stanza_ns, StanzaNs::Client);
//! assert!(f.delay.is_some());
//! assert_eq!(f.to_xml(), xml);
//!
//! // Wrapping a stanza for forwarding.
//! let again = Forwarded::new(Stanza::Message(m.clone()), f.delay.clone());
//! assert_eq!(again, f);
//! ```

#![warn(missing_docs)]

use xep_core::{Iq, Message, Presence, Stanza};
use xep_delay::Delay;
use xep_element::{AnyElement, Error, ErrorKind, Sink, Source, Token, XmlElement, ns};
use xep_element::{ChildDesc, ChildKind, ElementDesc, NsDesc};

/// `urn:xmpp:forward:0`.
pub const NS: &str = "urn:xmpp:forward:0";

/// The namespace a forwarded stanza is qualified by: XEP-0297's schema
/// allows the `jabber:client` and the `jabber:server` stanzas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StanzaNs {
    /// `jabber:client` (the usual case, and the default).
    #[default]
    Client,
    /// `jabber:server`.
    Server,
}

impl StanzaNs {
    /// The namespace URI.
    pub fn uri(self) -> &'static str {
        match self {
            StanzaNs::Client => ns::CLIENT,
            StanzaNs::Server => ns::SERVER,
        }
    }

    /// The variant for a namespace URI (`None` for any other namespace,
    /// including the component namespaces, which XEP-0297 does not allow).
    pub fn from_uri(uri: &str) -> Option<StanzaNs> {
        match uri {
            ns::CLIENT => Some(StanzaNs::Client),
            ns::SERVER => Some(StanzaNs::Server),
            _ => None,
        }
    }
}

/// `<forwarded/>`: a forwarded stanza (message, presence or iq) with an
/// optional `<delay/>` saying when the forwarding entity received it.
///
/// XEP-0297's schema makes the stanza optional, but its text defines the
/// element as the encapsulation of a forwarded stanza and every using
/// protocol carries one; a `<forwarded/>` without a stanza is rejected.
///
/// The `XmlElement` impl is written by hand: the derive cannot record in
/// which content namespace a child was read, and XEP-0297 requires that
/// namespace to be preserved.
#[derive(Debug, Clone, PartialEq)]
pub struct Forwarded {
    /// When the stanza was originally received (XEP-0203).
    pub delay: Option<Delay>,
    /// The forwarded stanza, with all its payloads.
    pub stanza: Stanza,
    /// The namespace the stanza is qualified by.
    pub stanza_ns: StanzaNs,
}

impl Forwarded {
    /// Wraps `stanza` (in `jabber:client`), with the time it was received
    /// if known.
    pub fn new(stanza: impl Into<Stanza>, delay: Option<Delay>) -> Forwarded {
        Forwarded {
            delay,
            stanza: stanza.into(),
            stanza_ns: StanzaNs::Client,
        }
    }

    /// The forwarded message, if the stanza is one.
    pub fn message(&self) -> Option<&Message> {
        match &self.stanza {
            Stanza::Message(m) => Some(m),
            _ => None,
        }
    }

    /// The forwarded presence, if the stanza is one.
    pub fn presence(&self) -> Option<&Presence> {
        match &self.stanza {
            Stanza::Presence(p) => Some(p),
            _ => None,
        }
    }

    /// The forwarded iq, if the stanza is one.
    pub fn iq(&self) -> Option<&Iq> {
        match &self.stanza {
            Stanza::Iq(i) => Some(i),
            _ => None,
        }
    }
}

static DESC: [ElementDesc; 1] = [ElementDesc {
    ns: NsDesc::Fixed(NS),
    name: "forwarded",
    attrs: &[],
    any_attrs: false,
    children: &[
        ChildDesc {
            kind: ChildKind::Element(<Delay as XmlElement>::descriptions),
            min: 0,
            max: Some(1),
        },
        ChildDesc {
            kind: ChildKind::Element(<Stanza as XmlElement>::descriptions),
            min: 1,
            max: Some(1),
        },
    ],
    text: None,
}];

impl XmlElement for Forwarded {
    fn matches(ns: &str, name: &str) -> bool {
        name == "forwarded" && ns == NS
    }

    fn descriptions() -> &'static [ElementDesc] {
        &DESC
    }

    fn parse<S: Source + ?Sized>(src: &mut S) -> Result<Self, Error> {
        parse_forwarded(src).map_err(|e| e.within("forwarded"))
    }

    fn write<W: Sink + ?Sized>(&self, w: &mut W) {
        w.start(NS, "forwarded");
        if let Some(d) = &self.delay {
            d.write(w);
        }
        let mut scoped = InStanzaNs {
            inner: w,
            ns: self.stanza_ns.uri(),
            depth: 0,
        };
        self.stanza.write(&mut scoped);
        w.end();
    }
}

/// What a child of `<forwarded/>` is.
enum ChildIs {
    Delay,
    Stanza(StanzaNs),
}

fn parse_forwarded<S: Source + ?Sized>(src: &mut S) -> Result<Forwarded, Error> {
    if src.attr_count() > 0 {
        let a = src.attr(0);
        return Err(Error::unknown_attribute(a.ns, a.name));
    }
    let mut delay = None;
    let mut stanza: Option<(StanzaNs, Stanza)> = None;
    loop {
        match src.next()? {
            Token::End => break,
            Token::Text => {
                if !src
                    .text()
                    .bytes()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                {
                    return Err(Error::new(ErrorKind::UnexpectedText));
                }
            }
            Token::Start => {
                let which = {
                    let (cns, cname) = src.name();
                    if Delay::matches(cns, cname) {
                        if delay.is_some() {
                            return Err(Error::duplicate_child(cname));
                        }
                        ChildIs::Delay
                    } else if Stanza::matches(cns, cname) {
                        if stanza.is_some() {
                            return Err(Error::duplicate_child(cname));
                        }
                        match StanzaNs::from_uri(cns) {
                            Some(sns) => ChildIs::Stanza(sns),
                            None => {
                                return Err(Error::invalid(format!(
                                    "a forwarded stanza is in jabber:client or jabber:server, not {cns} (XEP-0297 schema)"
                                ))
                                .within(cname));
                            }
                        }
                    } else {
                        return Err(Error::unexpected_child(cns, cname));
                    }
                };
                match which {
                    ChildIs::Delay => delay = Some(Delay::parse(src)?),
                    ChildIs::Stanza(sns) => stanza = Some((sns, Stanza::parse(src)?)),
                }
            }
        }
    }
    let Some((stanza_ns, stanza)) = stanza else {
        return Err(Error::missing_child("message|presence|iq"));
    };
    Ok(Forwarded {
        delay,
        stanza,
        stanza_ns,
    })
}

/// A sink that makes the stanza's content namespace the one in scope where
/// the stanza starts, so content-namespace elements are written in it.
struct InStanzaNs<'a, W: Sink + ?Sized> {
    inner: &'a mut W,
    ns: &'static str,
    /// Elements opened through this sink and not yet closed.
    depth: usize,
}

impl<W: Sink + ?Sized> Sink for InStanzaNs<'_, W> {
    fn start(&mut self, ns: &str, name: &str) {
        self.depth += 1;
        self.inner.start(ns, name);
    }
    fn attr(&mut self, ns: &str, name: &str, value: &str) {
        self.inner.attr(ns, name, value);
    }
    fn text(&mut self, text: &str) {
        self.inner.text(text);
    }
    fn end(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.inner.end();
    }
    fn element(&mut self, el: &xep_element::minidom::Element) {
        self.inner.element(el);
    }
    fn payload(&mut self, p: &dyn AnyElement) {
        self.inner.payload(p);
    }
    fn default_ns(&self) -> &str {
        if self.depth == 0 {
            self.ns
        } else {
            self.inner.default_ns()
        }
    }
}

impl TryFrom<xep_element::minidom::Element> for Forwarded {
    type Error = Error;
    fn try_from(el: xep_element::minidom::Element) -> Result<Self, Error> {
        Forwarded::from_element(&el)
    }
}

impl TryFrom<&xep_element::minidom::Element> for Forwarded {
    type Error = Error;
    fn try_from(el: &xep_element::minidom::Element) -> Result<Self, Error> {
        Forwarded::from_element(el)
    }
}

impl From<Forwarded> for xep_element::minidom::Element {
    fn from(f: Forwarded) -> Self {
        f.to_element()
    }
}

xep_element::elements! {
    "XEP-0297" => [Forwarded],
}

#[cfg(test)]
mod tests;
