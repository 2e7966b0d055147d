//! Stanzas (RFC 6120 §8, RFC 6121 §4–5): `<message/>`, `<presence/>` and
//! `<iq/>` in the stream's content namespace, with their typed children.
//!
//! Known children (body, subject, thread, show, status, priority, error)
//! are typed fields; every other child is a [`Payload`], kept in order, and
//! typed on the fly when the parser was given a [`xep_element::Registry`].

use xep_element::jid::Jid;
use xep_element::{ContentNs, Error, Payload, XmlElement, XmlValue};

use crate::error::StanzaError;

/// `type` of a message (RFC 6121 §5.2.2). An unknown value is kept; the RFC
/// says to treat such a message as `normal` ([`Message::effective_type`]).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// One-to-one chat.
    Chat,
    /// An error about a message sent earlier.
    Error,
    /// Multi-user chat.
    Groupchat,
    /// An alert, notification or other transient message.
    Headline,
    /// A standalone message (the default).
    Normal,
    /// A value RFC 6121 does not define, kept as written.
    #[xml(other)]
    Other(String),
}

/// `type` of a presence (RFC 6121 §4.7.1); absent means available.
/// An unknown value is kept; the RFC says to ignore such a stanza.
#[derive(XmlValue, Debug, Clone, PartialEq, Eq, Hash)]
pub enum PresenceType {
    /// An error about a presence sent earlier.
    Error,
    /// A request for the recipient's current presence.
    Probe,
    /// A subscription request.
    Subscribe,
    /// A subscription approval.
    Subscribed,
    /// The sender is no longer available.
    Unavailable,
    /// The sender unsubscribes from the recipient's presence.
    Unsubscribe,
    /// A subscription denial or cancellation.
    Unsubscribed,
    /// A value RFC 6121 does not define, kept as written.
    #[xml(other)]
    Other(String),
}

/// `type` of an iq (RFC 6120 §8.2.3). No other value is allowed.
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IqType {
    /// A request for information.
    Get,
    /// A request to set or replace data.
    Set,
    /// A successful response.
    Result,
    /// An error response.
    Error,
}

/// `<show/>` values (RFC 6121 §4.7.2.1).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Show {
    /// Temporarily away.
    Away,
    /// Actively interested in chatting.
    Chat,
    /// Do not disturb.
    Dnd,
    /// Extended away.
    Xa,
}

/// `<body/>`: human-readable message content, per language.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = content, name = "body")]
pub struct Body {
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The text.
    #[xml(text)]
    pub text: String,
}

/// `<subject/>`: the topic of a message, per language.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = content, name = "subject")]
pub struct Subject {
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The text.
    #[xml(text)]
    pub text: String,
}

/// `<thread/>`: conversation thread identifier (RFC 6121 §5.2.5).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = content, name = "thread")]
pub struct Thread {
    /// The parent thread, if this thread was spawned from another.
    #[xml(attr)]
    pub parent: Option<String>,
    /// The thread identifier.
    #[xml(text)]
    pub id: String,
}

/// `<status/>`: a natural-language availability description, per language.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = content, name = "status")]
pub struct Status {
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The text.
    #[xml(text)]
    pub text: String,
}

/// `<message/>` (RFC 6120 §8, RFC 6121 §5).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = content, name = "message", validate = Message::check)]
pub struct Message {
    /// Sender.
    #[xml(attr)]
    pub from: Option<Jid>,
    /// Recipient.
    #[xml(attr)]
    pub to: Option<Jid>,
    /// Stanza identifier.
    #[xml(attr)]
    pub id: Option<String>,
    /// Message type, absent meaning `normal`.
    #[xml(attr(name = "type"))]
    pub type_: Option<MessageType>,
    /// Default language of the stanza's text.
    #[xml(lang)]
    pub lang: Option<String>,
    /// Subjects, at most one per language.
    #[xml(child)]
    pub subjects: Vec<Subject>,
    /// Bodies, at most one per language.
    #[xml(child)]
    pub bodies: Vec<Body>,
    /// Conversation thread.
    #[xml(child)]
    pub thread: Option<Thread>,
    /// The error, for `type='error'`.
    #[xml(child)]
    pub error: Option<StanzaError>,
    /// Extension payloads, in order.
    #[xml(children)]
    pub payloads: Vec<Payload>,
    /// The content namespace the stanza was read in and is written in
    /// (`jabber:client` unless set: see [`Stanza::ns`]).
    #[xml(content_ns)]
    pub ns: ContentNs,
}

/// `<presence/>` (RFC 6121 §4).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = content, name = "presence", validate = Presence::check)]
pub struct Presence {
    /// Sender.
    #[xml(attr)]
    pub from: Option<Jid>,
    /// Recipient.
    #[xml(attr)]
    pub to: Option<Jid>,
    /// Stanza identifier.
    #[xml(attr)]
    pub id: Option<String>,
    /// Presence type, absent meaning available.
    #[xml(attr(name = "type"))]
    pub type_: Option<PresenceType>,
    /// Default language.
    #[xml(lang)]
    pub lang: Option<String>,
    /// Availability sub-state.
    #[xml(text_child(name = "show"))]
    pub show: Option<Show>,
    /// Availability descriptions, at most one per language.
    #[xml(child)]
    pub statuses: Vec<Status>,
    /// Priority of this resource, -128 to 127.
    #[xml(text_child(name = "priority"))]
    pub priority: Option<i8>,
    /// The error, for `type='error'`.
    #[xml(child)]
    pub error: Option<StanzaError>,
    /// Extension payloads, in order.
    #[xml(children)]
    pub payloads: Vec<Payload>,
    /// The content namespace the stanza was read in and is written in
    /// (`jabber:client` unless set: see [`Stanza::ns`]).
    #[xml(content_ns)]
    pub ns: ContentNs,
}

/// `<iq/>` (RFC 6120 §8.2.3): a request (`get`/`set`, exactly one payload)
/// or a response (`result` with at most one payload, `error` with an
/// `<error/>` and optionally the request's payload).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = content, name = "iq", validate = Iq::check)]
pub struct Iq {
    /// Sender.
    #[xml(attr)]
    pub from: Option<Jid>,
    /// Recipient.
    #[xml(attr)]
    pub to: Option<Jid>,
    /// Identifier, required on every iq.
    #[xml(attr)]
    pub id: String,
    /// Request or response kind.
    #[xml(attr(name = "type"))]
    pub type_: IqType,
    /// Default language.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The error, for `type='error'`.
    #[xml(child)]
    pub error: Option<StanzaError>,
    /// The payload(s).
    #[xml(children)]
    pub payloads: Vec<Payload>,
    /// The content namespace the stanza was read in and is written in
    /// (`jabber:client` unless set: see [`Stanza::ns`]).
    #[xml(content_ns)]
    pub ns: ContentNs,
}

fn duplicate_lang<'a>(
    what: &str,
    langs: impl ExactSizeIterator<Item = Option<&'a String>>,
) -> Result<(), Error> {
    if langs.len() < 2 {
        return Ok(());
    }
    // A set, not a list: a message may carry many bodies, and the check
    // must stay linear in their number.
    let mut seen: std::collections::HashSet<Option<&String>> = std::collections::HashSet::new();
    for l in langs {
        if !seen.insert(l) {
            return Err(Error::invalid(format!(
                "two <{what}/> elements with the same xml:lang ({}) (RFC 6121 §4.7.2.2/§5.2.3)",
                l.map_or("none", |s| s.as_str())
            )));
        }
    }
    Ok(())
}

impl Message {
    fn check(m: &Message) -> Result<(), Error> {
        duplicate_lang("subject", m.subjects.iter().map(|s| s.lang.as_ref()))?;
        duplicate_lang("body", m.bodies.iter().map(|b| b.lang.as_ref()))
    }

    /// A chat message to `to` with one body.
    pub fn chat(to: Jid, body: impl Into<String>) -> Self {
        Message {
            to: Some(to),
            type_: Some(MessageType::Chat),
            bodies: vec![Body {
                lang: None,
                text: body.into(),
            }],
            ..Default::default()
        }
    }

    /// The type as RFC 6121 §5.2.2 says to treat it: absent or unknown is
    /// `normal`.
    pub fn effective_type(&self) -> MessageType {
        match &self.type_ {
            None | Some(MessageType::Other(_)) => MessageType::Normal,
            Some(t) => t.clone(),
        }
    }

    /// The body in `lang`, or the one without a language when `lang` is
    /// `None`; falls back to the first body.
    pub fn body(&self, lang: Option<&str>) -> Option<&str> {
        self.bodies
            .iter()
            .find(|b| b.lang.as_deref() == lang)
            .or(self.bodies.first())
            .map(|b| b.text.as_str())
    }

    /// The first payload of type `T`, parsed.
    pub fn payload<T: XmlElement + Clone + 'static>(&self) -> Option<Result<T, Error>> {
        self.payloads.iter().find_map(|p| p.get::<T>())
    }
}

impl Presence {
    fn check(p: &Presence) -> Result<(), Error> {
        duplicate_lang("status", p.statuses.iter().map(|s| s.lang.as_ref()))
    }

    /// An available presence with no recipient (a broadcast).
    pub fn available() -> Self {
        Presence::default()
    }

    /// A presence of the given type to `to`.
    pub fn of_type(type_: PresenceType, to: Option<Jid>) -> Self {
        Presence {
            to,
            type_: Some(type_),
            ..Default::default()
        }
    }

    /// The first payload of type `T`, parsed.
    pub fn payload<T: XmlElement + Clone + 'static>(&self) -> Option<Result<T, Error>> {
        self.payloads.iter().find_map(|p| p.get::<T>())
    }
}

impl Iq {
    fn check(iq: &Iq) -> Result<(), Error> {
        match iq.type_ {
            IqType::Get | IqType::Set if iq.payloads.len() != 1 => Err(Error::invalid(format!(
                "an iq of type '{}' must contain exactly one payload element, found {} (RFC 6120 §8.2.3)",
                iq.type_,
                iq.payloads.len()
            ))),
            IqType::Get | IqType::Set | IqType::Result if iq.error.is_some() => {
                Err(Error::invalid(format!(
                    "an iq of type '{}' cannot contain <error/> (RFC 6120 §8.2.3)",
                    iq.type_
                )))
            }
            IqType::Result if iq.payloads.len() > 1 => Err(Error::invalid(
                "an iq of type 'result' contains at most one payload element (RFC 6120 §8.2.3)",
            )),
            IqType::Error if iq.error.is_none() => Err(Error::invalid(
                "an iq of type 'error' must contain <error/> (RFC 6120 §8.3.1)",
            )),
            _ => Ok(()),
        }
    }

    /// A `get` request carrying `payload`.
    pub fn get(id: impl Into<String>, to: Option<Jid>, payload: impl Into<Payload>) -> Self {
        Self::request(IqType::Get, id, to, payload.into())
    }

    /// A `set` request carrying `payload`.
    pub fn set(id: impl Into<String>, to: Option<Jid>, payload: impl Into<Payload>) -> Self {
        Self::request(IqType::Set, id, to, payload.into())
    }

    fn request(type_: IqType, id: impl Into<String>, to: Option<Jid>, payload: Payload) -> Self {
        Iq {
            from: None,
            to,
            id: id.into(),
            type_,
            lang: None,
            error: None,
            payloads: vec![payload],
            ns: ContentNs::Client,
        }
    }

    /// Whether this iq is a request (`get` or `set`).
    pub fn is_request(&self) -> bool {
        matches!(self.type_, IqType::Get | IqType::Set)
    }

    /// The `result` reply to this request: addresses swapped, same id and
    /// content namespace.
    pub fn result(&self, payload: Option<Payload>) -> Iq {
        Iq {
            from: self.to.clone(),
            to: self.from.clone(),
            id: self.id.clone(),
            type_: IqType::Result,
            lang: None,
            error: None,
            payloads: payload.into_iter().collect(),
            ns: self.ns,
        }
    }

    /// The `error` reply to this request: addresses swapped, same id and
    /// content namespace, and
    /// (as RFC 6120 §8.3.1 allows) the original payload included.
    pub fn error_reply(&self, error: StanzaError) -> Iq {
        Iq {
            from: self.to.clone(),
            to: self.from.clone(),
            id: self.id.clone(),
            type_: IqType::Error,
            lang: None,
            error: Some(error),
            payloads: self.payloads.clone(),
            ns: self.ns,
        }
    }

    /// The payload, parsed as `T` (`None` if there is no `T` payload).
    pub fn payload<T: XmlElement + Clone + 'static>(&self) -> Option<Result<T, Error>> {
        self.payloads.iter().find_map(|p| p.get::<T>())
    }
}

/// Any of the three stanzas.
#[derive(XmlElement, Debug, Clone, PartialEq)]
pub enum Stanza {
    /// A message.
    Message(Message),
    /// A presence.
    Presence(Presence),
    /// An iq.
    Iq(Iq),
}

impl Stanza {
    /// The content namespace the stanza is in. A stanza keeps the one it
    /// was read in (`<iq xmlns='jabber:component:accept'/>` is written
    /// back in `jabber:component:accept`, to bytes or to a DOM, whatever
    /// namespace is in scope around it); a stanza built in code is in
    /// `jabber:client` until [`Stanza::set_ns`] or the field says otherwise.
    pub fn ns(&self) -> ContentNs {
        match self {
            Stanza::Message(m) => m.ns,
            Stanza::Presence(p) => p.ns,
            Stanza::Iq(i) => i.ns,
        }
    }

    /// Puts the stanza in the content namespace `ns` (e.g. the namespace
    /// of the stream it is about to be written on).
    pub fn set_ns(&mut self, ns: ContentNs) {
        match self {
            Stanza::Message(m) => m.ns = ns,
            Stanza::Presence(p) => p.ns = ns,
            Stanza::Iq(i) => i.ns = ns,
        }
    }
}

impl From<Message> for Stanza {
    fn from(m: Message) -> Stanza {
        Stanza::Message(m)
    }
}

impl From<Presence> for Stanza {
    fn from(p: Presence) -> Stanza {
        Stanza::Presence(p)
    }
}

impl From<Iq> for Stanza {
    fn from(i: Iq) -> Stanza {
        Stanza::Iq(i)
    }
}
