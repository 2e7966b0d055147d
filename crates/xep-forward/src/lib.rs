//! XEP-0297 Stanza Forwarding: a stanza wrapped in `<forwarded/>`, with
//! the time it was originally sent.
//!
//! ```
//! use xep_core::{Message, Stanza};
//! use xep_element::XmlElement;
//! use xep_forward::Forwarded;
//!
//! let f = Forwarded::from_xml(
//!     b"<forwarded xmlns='urn:xmpp:forward:0'>\
//!         <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
//!         <message xmlns='jabber:client' from='romeo@montague.lit/orchard' to='juliet@capulet.lit'>\
//!           <body>A most courteous exposition!</body></message>\
//!       </forwarded>",
//! ).unwrap();
//! let Stanza::Message(m) = &f.stanza else { panic!() };
//! assert_eq!(m.body(None), Some("A most courteous exposition!"));
//! assert!(f.delay.is_some());
//! # let _ = Message::default();
//! ```

#![warn(missing_docs)]

use xep_core::Stanza;
use xep_delay::Delay;
use xep_element::XmlElement;

/// `urn:xmpp:forward:0`.
pub const NS: &str = "urn:xmpp:forward:0";

/// `<forwarded/>`: a forwarded stanza (message, presence or iq, in the
/// stanza content namespace), with an optional original sending time.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "forwarded")]
pub struct Forwarded {
    /// When the stanza was originally sent (XEP-0203).
    #[xml(child)]
    pub delay: Option<Delay>,
    /// The forwarded stanza, with all its payloads.
    #[xml(child)]
    pub stanza: Stanza,
}

impl Forwarded {
    /// Wraps `stanza`, with its original time if known.
    pub fn new(stanza: impl Into<Stanza>, delay: Option<Delay>) -> Forwarded {
        Forwarded {
            delay,
            stanza: stanza.into(),
        }
    }
}

xep_element::elements! {
    "XEP-0297" => [Forwarded],
}

#[cfg(test)]
mod tests {
    use super::*;
    use xep_core::Message;

    #[test]
    fn forwarded_message_round_trips_with_payloads() {
        let xml = "<forwarded xmlns='urn:xmpp:forward:0'>\
            <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
            <message xmlns='jabber:client' to='a@example.com' type='chat'><body>x</body>\
            <active xmlns='http://jabber.org/protocol/chatstates'/></message></forwarded>";
        let f = Forwarded::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(f.to_xml(), xml);
        let Stanza::Message(m) = &f.stanza else {
            panic!("{f:?}")
        };
        assert_eq!(m.payloads.len(), 1);
    }

    #[test]
    fn exactly_one_stanza_is_required() {
        let e = Forwarded::from_xml(b"<forwarded xmlns='urn:xmpp:forward:0'/>").unwrap_err();
        assert_eq!(e.path(), "forwarded");
        let e = Forwarded::from_xml(
            b"<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/><message xmlns='jabber:client'/></forwarded>",
        )
        .unwrap_err();
        assert_eq!(e.path(), "forwarded");
        let e = Forwarded::from_xml(
            b"<forwarded xmlns='urn:xmpp:forward:0'><iq xmlns='jabber:client' type='get'/></forwarded>",
        )
        .unwrap_err();
        assert_eq!(e.path(), "forwarded/iq");
    }

    #[test]
    fn built_forward_serializes_in_jabber_client() {
        let f = Forwarded::new(
            Stanza::Message(Message::chat("b@example.com".parse().unwrap(), "hi")),
            None,
        );
        assert_eq!(
            f.to_xml(),
            "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' to='b@example.com' type='chat'><body>hi</body></message></forwarded>"
        );
    }
}
