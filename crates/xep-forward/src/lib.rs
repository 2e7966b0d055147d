//! XEP-0297 Stanza Forwarding: a stanza wrapped in `<forwarded/>`, with
//! the time it was originally sent.
//!
//! The forwarded stanza keeps the namespace it was read in (`jabber:client`
//! or `jabber:server`, XEP-0297 §3.2 rule 3), whatever stream the
//! `<forwarded/>` element itself travels on, and keeps all its payloads:
//! the stanza itself holds its namespace ([`Stanza::ns`]).
//!
//! ```
//! use xep_core::Stanza;
//! use xep_element::XmlElement;
//! use xep_element::ContentNs;
//! use xep_forward::Forwarded;
//!
//! let xml = "<forwarded xmlns='urn:xmpp:forward:0'>\
//!     <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
//!     <message xmlns='jabber:client' from='romeo@montague.example/orchard' to='juliet@capulet.example'>\
//!     <body>A most courteous exposition!</body></message>\
//!     </forwarded>";
//! let f = Forwarded::from_xml(xml.as_bytes()).unwrap();
//! let m = f.message().unwrap();
//! assert_eq!(m.body(None), Some("A most courteous exposition!"));
//! assert_eq!(f.stanza_ns(), ContentNs::Client);
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
use xep_element::{ChildDesc, ChildKind, ElementDesc, NsDesc};
use xep_element::{ContentNs, Error, ErrorKind, Sink, Source, Token, XmlElement, ns};

/// `urn:xmpp:forward:0`.
pub const NS: &str = "urn:xmpp:forward:0";

/// `<forwarded/>`: a forwarded stanza (message, presence or iq) with an
/// optional `<delay/>` saying when the forwarding entity received it.
///
/// XEP-0297's schema makes the stanza optional, but its text defines the
/// element as the encapsulation of a forwarded stanza and every using
/// protocol carries one; a `<forwarded/>` without a stanza is rejected.
///
/// The `XmlElement` impl is written by hand: XEP-0297's schema allows the
/// stanza in `jabber:client` and `jabber:server` only, and the stanza is
/// one child among a delay that may come before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Forwarded {
    /// When the stanza was originally received (XEP-0203).
    pub delay: Option<Delay>,
    /// The forwarded stanza, with all its payloads and its namespace
    /// (`jabber:client` or `jabber:server`; parsing refuses any other).
    pub stanza: Stanza,
}

impl Forwarded {
    /// Wraps `stanza` (in the namespace it is in: `jabber:client` for a
    /// stanza built in code), with the time it was received if known.
    pub fn new(stanza: impl Into<Stanza>, delay: Option<Delay>) -> Forwarded {
        Forwarded {
            delay,
            stanza: stanza.into(),
        }
    }

    /// The namespace the forwarded stanza is qualified by.
    pub fn stanza_ns(&self) -> ContentNs {
        self.stanza.ns()
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
        self.stanza.write(w);
        w.end();
    }
}

/// What a child of `<forwarded/>` is.
enum ChildIs {
    Delay,
    Stanza,
}

fn parse_forwarded<S: Source + ?Sized>(src: &mut S) -> Result<Forwarded, Error> {
    if src.attr_count() > 0 {
        let a = src.attr(0);
        return Err(Error::unknown_attribute(a.ns, a.name));
    }
    let mut delay = None;
    let mut stanza: Option<Stanza> = None;
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
                        if cns != ns::CLIENT && cns != ns::SERVER {
                            return Err(Error::invalid(format!(
                                "a forwarded stanza is in jabber:client or jabber:server, not {cns} (XEP-0297 schema)"
                            ))
                            .within(cname));
                        }
                        ChildIs::Stanza
                    } else {
                        return Err(Error::unexpected_child(cns, cname));
                    }
                };
                match which {
                    ChildIs::Delay => delay = Some(Delay::parse(src)?),
                    ChildIs::Stanza => stanza = Some(Stanza::parse(src)?),
                }
            }
        }
    }
    let Some(stanza) = stanza else {
        return Err(Error::missing_child("message|presence|iq"));
    };
    Ok(Forwarded { delay, stanza })
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
