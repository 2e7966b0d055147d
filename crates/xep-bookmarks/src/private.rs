//! XEP-0049 private XML storage: the requests, the server's checks and
//! store, and the client's reading of the answers.
//!
//! [`get`] asks for the data of one namespace (one empty element of it),
//! [`set`] stores elements of one namespace; [`reply`] reads the answer,
//! believed only from the user's own account. On the server,
//! [`check_request`] applies the rules of §2 and §3 (only the account
//! itself, at least one child, one namespace per request, reserved
//! namespaces optionally refused), each refusal a [`PrivateError`] with
//! the stanza error the XEP names, and [`Store`] keeps the data per
//! namespace and answers.

use std::collections::HashMap;
use std::fmt;

use xep_core::{DefinedCondition, ErrorType, Iq, IqType, StanzaError};
use xep_element::jid::{FullJid, Jid};
use xep_element::{Error, Payload, XmlElement};

/// `jabber:iq:private`.
pub const NS: &str = "jabber:iq:private";

/// `<query xmlns='jabber:iq:private'/>`: wraps the stored elements, each of
/// another namespace (the schema's `xs:any ##other`). Empty only in an
/// error (the request echoed), which the server answers with
/// `not-acceptable`.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "query")]
pub struct PrivateQuery {
    /// The stored elements (typed when the registry knows them).
    #[xml(children(foreign))]
    pub payloads: Vec<Payload>,
}

impl PrivateQuery {
    /// The namespace of the stored elements, when they share one.
    pub fn namespace(&self) -> Option<String> {
        let mut it = self.payloads.iter().map(|p| p.to_element().ns());
        let first = it.next()?;
        it.all(|n| n == first).then_some(first)
    }
}

/// Why a private storage request cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// A set needs at least one element (§2.3).
    Empty,
    /// The elements are of several namespaces (§2.3: a set carries one).
    MixedNamespaces,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RequestError::Empty => "a private storage set needs at least one element",
            RequestError::MixedNamespaces => {
                "a private storage set carries elements of one namespace"
            }
        })
    }
}

impl std::error::Error for RequestError {}

/// The request for the data stored in the namespace of `element` (an
/// empty element of that namespace, e.g. `<storage
/// xmlns='storage:bookmarks'/>`), to the user's own account.
pub fn get(id: impl Into<String>, element: impl Into<Payload>) -> Iq {
    Iq::get(
        id,
        None,
        Payload::new(PrivateQuery {
            payloads: vec![element.into()],
        }),
    )
}

/// The request that stores `elements` (at least one, all of one
/// namespace), replacing what the namespace held.
pub fn set(id: impl Into<String>, elements: Vec<Payload>) -> Result<Iq, RequestError> {
    let q = PrivateQuery { payloads: elements };
    if q.payloads.is_empty() {
        return Err(RequestError::Empty);
    }
    if q.namespace().is_none() {
        return Err(RequestError::MixedNamespaces);
    }
    Ok(Iq::set(id, None, Payload::new(q)))
}

/// Why a server refuses a private storage request (§2.3, §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrivateError {
    /// Addressed to another JID than the sender's own account: `forbidden`
    /// (§2.3; some servers answer `service-unavailable`).
    Forbidden,
    /// The query has no child: `not-acceptable` (§2.3; the "Bad Format" of
    /// §3 for a get, which is no stanza error condition of RFC 6120).
    Empty,
    /// A get names more than one element (§2.3: one namespace per get):
    /// `bad-request`.
    SeveralInGet,
    /// A set of elements of several namespaces: `bad-request`.
    MixedNamespaces,
    /// A reserved namespace (`jabber:*`, `http://jabber.org/*`,
    /// `vcard-temp`), when the server refuses them (optional, §2.3):
    /// `not-acceptable`.
    Reserved(String),
    /// Not a private storage request at all.
    NotPrivate,
    /// The query does not parse.
    Malformed(Error),
}

impl fmt::Display for PrivateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrivateError::Forbidden => f.write_str("private data of another user"),
            PrivateError::Empty => f.write_str("a private storage query without a child"),
            PrivateError::SeveralInGet => f.write_str("a get for more than one element"),
            PrivateError::MixedNamespaces => f.write_str("elements of several namespaces"),
            PrivateError::Reserved(ns) => write!(f, "the reserved namespace '{ns}'"),
            PrivateError::NotPrivate => f.write_str("not a private storage request"),
            PrivateError::Malformed(e) => write!(f, "malformed query: {e}"),
        }
    }
}

impl std::error::Error for PrivateError {}

impl PrivateError {
    /// The stanza error to answer with (§3's table).
    pub fn stanza_error(&self) -> StanzaError {
        match self {
            PrivateError::Forbidden => {
                StanzaError::new(ErrorType::Cancel, DefinedCondition::Forbidden)
            }
            PrivateError::Empty | PrivateError::Reserved(_) => {
                StanzaError::new(ErrorType::Modify, DefinedCondition::NotAcceptable)
            }
            PrivateError::SeveralInGet
            | PrivateError::MixedNamespaces
            | PrivateError::NotPrivate
            | PrivateError::Malformed(_) => {
                StanzaError::new(ErrorType::Modify, DefinedCondition::BadRequest)
            }
        }
    }
}

/// Whether `ns` is reserved (§2.3): `jabber:*`, `http://jabber.org/*` and
/// `vcard-temp`.
pub fn is_reserved(ns: &str) -> bool {
    ns.starts_with("jabber:") || ns.starts_with("http://jabber.org/") || ns == "vcard-temp"
}

/// A private storage request the server may serve.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Retrieve the data of the namespace of `element`.
    Get {
        /// The namespace.
        ns: String,
        /// The element named (usually empty).
        element: Payload,
    },
    /// Store `elements`, all of namespace `ns`.
    Set {
        /// The namespace.
        ns: String,
        /// The elements.
        elements: Vec<Payload>,
    },
}

/// Checks a request received from `sender` on the server (§2.3, §3, §4):
/// only for the sender's own account, with at least one child, a get for
/// one element, a set of one namespace, and, when `refuse_reserved`, none
/// of the reserved namespaces.
pub fn check_request(
    iq: &Iq,
    sender: &FullJid,
    refuse_reserved: bool,
) -> Result<Request, PrivateError> {
    if !iq.is_request() {
        return Err(PrivateError::NotPrivate);
    }
    let q = iq
        .payload::<PrivateQuery>()
        .ok_or(PrivateError::NotPrivate)?
        .map_err(PrivateError::Malformed)?;
    if let Some(to) = &iq.to
        && to.to_bare() != sender.to_bare()
    {
        return Err(PrivateError::Forbidden);
    }
    if q.payloads.is_empty() {
        return Err(PrivateError::Empty);
    }
    let ns = q.namespace().ok_or(PrivateError::MixedNamespaces)?;
    if refuse_reserved && is_reserved(&ns) {
        return Err(PrivateError::Reserved(ns));
    }
    match iq.type_ {
        IqType::Get if q.payloads.len() > 1 => Err(PrivateError::SeveralInGet),
        IqType::Get => Ok(Request::Get {
            ns,
            element: q.payloads[0].clone(),
        }),
        _ => Ok(Request::Set {
            ns,
            elements: q.payloads,
        }),
    }
}

/// The data of one account, per namespace: what a server keeps for XEP-0049.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Store {
    data: HashMap<String, Vec<Payload>>,
}

impl Store {
    /// The elements stored in `ns`.
    pub fn get(&self, ns: &str) -> Option<&[Payload]> {
        self.data.get(ns).map(Vec::as_slice)
    }

    /// Replaces the elements of `ns`.
    pub fn put(&mut self, ns: impl Into<String>, elements: Vec<Payload>) {
        self.data.insert(ns.into(), elements);
    }

    /// Answers `iq` from `sender` (the store's own account): the stored
    /// elements of the namespace asked (the element asked, empty, when
    /// nothing is stored), a store, or the error of [`check_request`] with
    /// the query echoed.
    pub fn handle(&mut self, iq: &Iq, sender: &FullJid, refuse_reserved: bool) -> Iq {
        match check_request(iq, sender, refuse_reserved) {
            Err(e) => iq.error_reply(e.stanza_error()),
            Ok(Request::Get { ns, element }) => {
                let payloads = self.data.get(&ns).cloned().unwrap_or_else(|| vec![element]);
                iq.result(Some(Payload::new(PrivateQuery { payloads })))
            }
            Ok(Request::Set { ns, elements }) => {
                self.put(ns, elements);
                iq.result(None)
            }
        }
    }
}

/// Why an answer is not taken.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyError {
    /// Not the answer: another id, or from someone other than the user's
    /// own account.
    NotAReply,
    /// The server refused (see [`PrivateError::stanza_error`] for the
    /// conditions).
    Refused(Box<StanzaError>),
    /// A result that does not parse.
    Malformed(Error),
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::NotAReply => f.write_str("not the answer of the account"),
            ReplyError::Refused(e) => write!(f, "refused: {:?}", e.condition),
            ReplyError::Malformed(e) => write!(f, "malformed answer: {e}"),
        }
    }
}

impl std::error::Error for ReplyError {}

/// Whether `from` is the user's own account: no `from`, the bare JID, or
/// the user's own full JID (§2.3's examples answer from it).
pub fn from_account(from: Option<&Jid>, me: &FullJid) -> bool {
    match from {
        None => true,
        Some(j) => *j == me.to_bare() || *j == *me,
    }
}

/// The elements in the answer to `request` (none for a set), believed
/// only from `me`'s own account and for the request's id.
pub fn reply(request: &Iq, reply: &Iq, me: &FullJid) -> Result<Vec<Payload>, ReplyError> {
    if reply.id != request.id || !from_account(reply.from.as_ref(), me) {
        return Err(ReplyError::NotAReply);
    }
    match reply.type_ {
        IqType::Result => match reply.payload::<PrivateQuery>() {
            None => Ok(Vec::new()),
            Some(q) => q.map(|q| q.payloads).map_err(ReplyError::Malformed),
        },
        IqType::Error => Err(ReplyError::Refused(Box::new(
            reply.error.clone().unwrap_or_else(|| {
                StanzaError::new(ErrorType::Cancel, DefinedCondition::UndefinedCondition)
            }),
        ))),
        _ => Err(ReplyError::NotAReply),
    }
}
