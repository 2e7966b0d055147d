//! XEP-0166 Jingle: the `<jingle/>` element, its contents and reasons, and
//! the Jingle-specific error conditions.

use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement, XmlValue};

/// `urn:xmpp:jingle:1`.
pub const NS: &str = "urn:xmpp:jingle:1";
/// `urn:xmpp:jingle:errors:1`: Jingle-specific error conditions.
pub const NS_ERRORS: &str = "urn:xmpp:jingle:errors:1";

/// The `action` of a `<jingle/>` element (XEP-0166 §7.2).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Accept a content-add.
    ContentAccept,
    /// Add contents to the session.
    ContentAdd,
    /// Change the senders of a content.
    ContentModify,
    /// Reject a content-add.
    ContentReject,
    /// Remove contents from the session.
    ContentRemove,
    /// Application-specific information.
    DescriptionInfo,
    /// Security precondition information.
    SecurityInfo,
    /// Definitive acceptance of the session.
    SessionAccept,
    /// Session-level information (ringing, hold, a ping when empty).
    SessionInfo,
    /// Request a new session.
    SessionInitiate,
    /// End the session.
    SessionTerminate,
    /// Accept a transport-replace.
    TransportAccept,
    /// Transport information (candidates).
    TransportInfo,
    /// Reject a transport-replace.
    TransportReject,
    /// Replace the transport of a content.
    TransportReplace,
}

impl Action {
    /// Every action, in the schema's order.
    pub const ALL: [Action; 15] = [
        Action::ContentAccept,
        Action::ContentAdd,
        Action::ContentModify,
        Action::ContentReject,
        Action::ContentRemove,
        Action::DescriptionInfo,
        Action::SecurityInfo,
        Action::SessionAccept,
        Action::SessionInfo,
        Action::SessionInitiate,
        Action::SessionTerminate,
        Action::TransportAccept,
        Action::TransportInfo,
        Action::TransportReject,
        Action::TransportReplace,
    ];
}

/// Which party created a content (`creator`).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Creator {
    /// The session's initiator.
    Initiator,
    /// The session's responder.
    Responder,
}

/// Which parties send application data for a content (`senders`).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Senders {
    /// Both parties (the default).
    #[default]
    Both,
    /// Only the initiator.
    Initiator,
    /// Neither party.
    None,
    /// Only the responder.
    Responder,
}

/// `<content/>`: one content type of a session, with its application
/// description, transport and optional security precondition kept as
/// payloads (typed when their types are registered with the parser).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "content")]
pub struct Content {
    /// Which party created the content (with `name`, its identity).
    #[xml(attr)]
    pub creator: Creator,
    /// How the content is to be interpreted (default `session`; an open
    /// value, e.g. `early-session`).
    #[xml(attr)]
    pub disposition: Option<String>,
    /// The content's name, unique per creator in the session.
    #[xml(attr)]
    pub name: String,
    /// Who sends (default `both`).
    #[xml(attr)]
    pub senders: Option<Senders>,
    /// `<description/>`, `<transport/>`, `<security/>` and any other child.
    #[xml(children(foreign))]
    pub payloads: Vec<Payload>,
}

impl Content {
    /// A content with no payloads, `senders` and `disposition` omitted.
    pub fn new(creator: Creator, name: impl Into<String>) -> Self {
        Content {
            creator,
            disposition: None,
            name: name.into(),
            senders: None,
            payloads: Vec::new(),
        }
    }

    /// Adds a payload (description, transport, security).
    #[must_use]
    pub fn with(mut self, payload: impl Into<Payload>) -> Self {
        self.payloads.push(payload.into());
        self
    }

    /// This content with other `senders`.
    #[must_use]
    pub fn with_senders(mut self, senders: Senders) -> Self {
        self.senders = Some(senders);
        self
    }

    /// The effective senders (`both` when absent).
    pub fn senders(&self) -> Senders {
        self.senders.unwrap_or_default()
    }

    fn named(&self, local: &str) -> Option<&Payload> {
        self.payloads
            .iter()
            .find(|p| payload_name(p).as_deref() == Some(local))
    }

    /// The `<description/>` child, whatever its namespace.
    pub fn description(&self) -> Option<&Payload> {
        self.named("description")
    }

    /// The `<transport/>` child, whatever its namespace.
    pub fn transport(&self) -> Option<&Payload> {
        self.named("transport")
    }

    /// The `<security/>` child, whatever its namespace.
    pub fn security(&self) -> Option<&Payload> {
        self.named("security")
    }

    /// The namespace of the description (the application format).
    pub fn description_ns(&self) -> Option<String> {
        self.description().map(payload_ns)
    }

    /// The namespace of the transport (the transport method).
    pub fn transport_ns(&self) -> Option<String> {
        self.transport().map(payload_ns)
    }

    /// The (creator, name) pair that identifies the content.
    pub fn key(&self) -> (Creator, &str) {
        (self.creator, &self.name)
    }
}

/// The local name of a payload's element.
pub fn payload_name(p: &Payload) -> Option<String> {
    match p {
        Payload::Raw(el) => Some(el.name().to_string()),
        Payload::Typed(_) => Some(p.to_element().name().to_string()),
    }
}

/// The namespace of a payload's element.
pub fn payload_ns(p: &Payload) -> String {
    match p {
        Payload::Raw(el) => el.ns(),
        Payload::Typed(_) => p.to_element().ns(),
    }
}

/// `<alternative-session/>`: the party prefers an existing session.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "alternative-session")]
pub struct AlternativeSession {
    /// The id of the session to use instead.
    #[xml(text_child(name = "sid"))]
    pub sid: Option<String>,
}

/// The machine-readable condition of a `<reason/>` (XEP-0166 §7.4).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS)]
pub enum ReasonCondition {
    /// Use an existing session instead.
    AlternativeSession(AlternativeSession),
    /// The party is busy.
    Busy,
    /// The initiator cancels its request.
    Cancel,
    /// Connectivity problems.
    ConnectivityError,
    /// The party declines the session.
    Decline,
    /// The session exceeded a time limit.
    Expired,
    /// The application type could not be set up.
    FailedApplication,
    /// The transport could not be set up.
    FailedTransport,
    /// A non-specific error.
    GeneralError,
    /// The entity is going away.
    Gone,
    /// Application supported, parameters not.
    IncompatibleParameters,
    /// Media processing problems.
    MediaError,
    /// Security policy violation.
    SecurityError,
    /// Normal end of a session.
    Success,
    /// A request was not answered in time.
    Timeout,
    /// None of the offered applications is supported.
    UnsupportedApplications,
    /// None of the offered transports is supported.
    UnsupportedTransports,
}

/// `<reason/>`: why an action was taken.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "reason", validate = Reason::check)]
pub struct Reason {
    /// The defined condition.
    #[xml(child)]
    pub condition: ReasonCondition,
    /// A human-readable description.
    #[xml(text_child(name = "text"))]
    pub text: Option<String>,
    /// An application-specific condition (at most one).
    #[xml(children(foreign))]
    pub app: Vec<Payload>,
}

impl Reason {
    fn check(r: &Reason) -> Result<(), Error> {
        if r.app.len() > 1 {
            return Err(Error::invalid(format!(
                "a reason carries at most one application-specific condition, found {} (XEP-0166 §7.4)",
                r.app.len()
            )));
        }
        Ok(())
    }

    /// A reason with only a condition.
    pub fn new(condition: ReasonCondition) -> Self {
        Reason {
            condition,
            text: None,
            app: Vec::new(),
        }
    }
}

/// `<jingle/>`: one Jingle action on a session.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "jingle")]
pub struct Jingle {
    /// The action.
    #[xml(attr)]
    pub action: Action,
    /// The initiator's full JID (on session-initiate).
    #[xml(attr)]
    pub initiator: Option<Jid>,
    /// The responder's full JID (on session-accept).
    #[xml(attr)]
    pub responder: Option<Jid>,
    /// The session id.
    #[xml(attr)]
    pub sid: String,
    /// The contents the action is about.
    #[xml(child)]
    pub contents: Vec<Content>,
    /// Why.
    #[xml(child)]
    pub reason: Option<Reason>,
    /// Informational payloads (session-info, security-info).
    #[xml(children(foreign))]
    pub payloads: Vec<Payload>,
}

impl Jingle {
    /// An action on session `sid` with nothing else.
    pub fn new(action: Action, sid: impl Into<String>) -> Self {
        Jingle {
            action,
            initiator: None,
            responder: None,
            sid: sid.into(),
            contents: Vec::new(),
            reason: None,
            payloads: Vec::new(),
        }
    }

    /// Adds a content.
    #[must_use]
    pub fn with_content(mut self, c: Content) -> Self {
        self.contents.push(c);
        self
    }

    /// Sets the reason.
    #[must_use]
    pub fn with_reason(mut self, r: Reason) -> Self {
        self.reason = Some(r);
        self
    }

    /// Adds an informational payload.
    #[must_use]
    pub fn with_payload(mut self, p: impl Into<Payload>) -> Self {
        self.payloads.push(p.into());
        self
    }
}

/// A Jingle-specific error condition (`urn:xmpp:jingle:errors:1`), the
/// application-specific child of a stanza `<error/>`.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[xml(ns = NS_ERRORS)]
pub enum JingleError {
    /// The request cannot occur at this point in the state machine.
    OutOfOrder,
    /// The request is rejected because it was sent while a matching
    /// request from the other party was pending.
    TieBreak,
    /// The session id is not known.
    UnknownSession,
    /// The informational payload is not understood.
    UnsupportedInfo,
    /// The information must travel over the secured channel.
    SecurityRequired,
}

impl JingleError {
    /// The stanza error this condition goes with (XEP-0166 §10).
    pub fn stanza_error(self) -> xep_core::StanzaError {
        use xep_core::{DefinedCondition as D, ErrorType as T};
        let (t, d) = match self {
            JingleError::OutOfOrder => (T::Wait, D::UnexpectedRequest),
            JingleError::TieBreak => (T::Cancel, D::Conflict),
            JingleError::UnknownSession => (T::Cancel, D::ItemNotFound),
            JingleError::UnsupportedInfo => (T::Modify, D::FeatureNotImplemented),
            JingleError::SecurityRequired => (T::Cancel, D::NotAcceptable),
        };
        let mut e = xep_core::StanzaError::new(t, d);
        e.app.push(Payload::new(self));
        e
    }
}
