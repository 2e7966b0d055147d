//! XMPP core: RFC 6120 (streams, stanzas, errors, STARTTLS, SASL, binding),
//! RFC 6121 (roster, presence and message semantics), RFC 7622 (addresses,
//! through the `jid` crate) and RFC 7395 (WebSocket framing).
//!
//! Stanzas and negotiation elements are typed values that parse from and
//! serialize to bytes ([`XmlElement::from_xml`](xep_element::XmlElement::from_xml), [`XmlElement::to_xml`](xep_element::XmlElement::to_xml)) or
//! `minidom::Element`s. [`StreamReader`] turns bytes arriving in arbitrary
//! chunks into stream events; [`StreamWriter`] does the reverse. No I/O.
//!
//! ```
//! use xep_core::{Iq, IqType, Message, MessageType};
//! use xep_element::XmlElement;
//!
//! let msg = Message::from_xml(
//!     b"<message xmlns='jabber:client' to='juliet@example.com' type='chat'>\
//!       <body>Art thou not Romeo?</body></message>",
//! ).unwrap();
//! assert_eq!(msg.type_, Some(MessageType::Chat));
//! assert_eq!(msg.body(None), Some("Art thou not Romeo?"));
//!
//! // A request without its one payload is rejected, with the path and the rule.
//! let err = Iq::from_xml(b"<iq xmlns='jabber:client' id='1' type='get'/>").unwrap_err();
//! assert!(err.to_string().starts_with("at iq: an iq of type 'get' must contain exactly one payload"));
//! # let _ = IqType::Get;
//! ```

#![warn(missing_docs)]

mod error;
mod header;
mod negotiation;
mod roster;
mod stanza;
mod stream;
pub mod thread;
mod websocket;

pub use error::{
    DefinedCondition, ErrorText, ErrorType, Gone, NS_STANZAS, NS_STREAMS, Redirect, SeeOtherHost,
    StanzaError, StreamCondition, StreamError, StreamErrorText,
};
pub use header::{ContentNs, StreamHeader};
pub use negotiation::{
    Abort, Auth, Bind, Challenge, Features, Mechanisms, NS_BIND, NS_SASL, NS_SESSION, NS_TLS,
    Proceed, Response, SaslCondition, SaslData, SaslFailure, SaslText, Session, StartTls, Success,
    TlsFailure,
};
pub use roster::{Ask, Item, NS_ROSTER, Roster, Subscription};
pub use stanza::{
    Body, Iq, IqType, Message, MessageType, Presence, PresenceType, Show, Stanza, Status, Subject,
    Thread,
};
pub use stream::{StreamEvent, StreamLimits, StreamReader, StreamWriter};
pub use websocket::{Close, NS_FRAMING, Open};

xep_element::elements! {
    "RFC 6120" => [
        stanza::Message, stanza::Presence, stanza::Iq, error::StanzaError, error::StreamError,
        negotiation::Features, negotiation::StartTls, negotiation::Proceed, negotiation::TlsFailure,
        negotiation::Mechanisms, negotiation::Auth, negotiation::Challenge, negotiation::Response,
        negotiation::Success, negotiation::Abort, negotiation::SaslFailure, negotiation::Bind,
    ],
    "RFC 6121" => [roster::Roster],
    "RFC 3921" => [negotiation::Session],
    "RFC 7395" => [websocket::Open, websocket::Close],
}
