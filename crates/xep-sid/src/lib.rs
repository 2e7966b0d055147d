//! XEP-0359 Unique and Stable Stanza IDs: `<stanza-id/>` (assigned by the
//! entity in `by`, a user's account or a room), `<origin-id/>` (assigned
//! by the sending client) and `<referenced-stanza/>`.
//!
//! A stanza id is what message archives (XEP-0313), retractions and
//! replies refer to, so believing a forged one lets a sender rewrite
//! history. XEP-0359 §6 makes the `id`/`by` pair unspoofable only when
//! the assigning entity strips any copy carrying its own `by` (done here
//! by [`strip_own`]) and the receiver checks that the entity in `by`
//! announces `urn:xmpp:sid:0` (an answer the caller gets from service
//! discovery). [`trusted_stanza_id`] returns a stanza id only then, and
//! says why it refuses otherwise.
//!
//! ```
//! use xep_core::Message;
//! use xep_element::XmlElement;
//! use xep_sid::{Refusal, StanzaId, trusted_stanza_id};
//!
//! let m = Message::from_xml(
//!     b"<message xmlns='jabber:client' from='nurse@capulet.example/balcony' \
//!        to='juliet@capulet.example/chamber' type='chat'><body>Art thou there?</body>\
//!        <stanza-id xmlns='urn:xmpp:sid:0' id='9f2e-41' by='juliet@capulet.example'/></message>",
//! ).unwrap();
//! let account = "juliet@capulet.example".parse().unwrap();
//! // The account announced urn:xmpp:sid:0 in its disco#info.
//! let id: StanzaId = trusted_stanza_id(&m, &account, true).unwrap();
//! assert_eq!(id.id, "9f2e-41");
//! // Without that announcement the id could have been sent by anyone.
//! assert_eq!(trusted_stanza_id(&m, &account, false), Err(Refusal::NotAnnounced));
//! ```

#![warn(missing_docs)]

use std::fmt;

use xep_core::Message;
use xep_element::jid::Jid;
use xep_element::{Error, XmlElement};

/// `urn:xmpp:sid:0`.
pub const NS: &str = "urn:xmpp:sid:0";

/// `<stanza-id/>`: the id the entity in `by` gave the stanza, unique and
/// stable within that entity (XEP-0359 §4).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Hash)]
#[xml(ns = NS, name = "stanza-id", validate = StanzaId::check)]
pub struct StanzaId {
    /// The id; never empty.
    #[xml(attr)]
    pub id: String,
    /// The assigning entity: the account for one-to-one messages, the
    /// room in group chats.
    #[xml(attr)]
    pub by: Jid,
}

impl StanzaId {
    /// A stanza id `id` assigned by `by`.
    pub fn new(id: impl Into<String>, by: Jid) -> StanzaId {
        StanzaId { id: id.into(), by }
    }

    fn check(&self) -> Result<(), Error> {
        non_empty(&self.id)
    }
}

/// `<origin-id/>`: the id the sending client gave its message (XEP-0359
/// §5). It has no `by`, and anyone can write one: never use it to refer
/// to another stanza (§6).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Hash)]
#[xml(ns = NS, name = "origin-id", validate = OriginId::check)]
pub struct OriginId {
    /// The id; never empty.
    #[xml(attr)]
    pub id: String,
}

impl OriginId {
    /// An origin id.
    pub fn new(id: impl Into<String>) -> OriginId {
        OriginId { id: id.into() }
    }

    fn check(&self) -> Result<(), Error> {
        non_empty(&self.id)
    }
}

/// `<referenced-stanza/>`: a reference to a stanza by its id, with the
/// entity that assigned it when known.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Hash)]
#[xml(ns = NS, name = "referenced-stanza", validate = ReferencedStanza::check)]
pub struct ReferencedStanza {
    /// The referenced stanza's id; never empty.
    #[xml(attr)]
    pub id: String,
    /// The entity that assigned the id.
    #[xml(attr)]
    pub by: Option<Jid>,
}

impl ReferencedStanza {
    fn check(&self) -> Result<(), Error> {
        non_empty(&self.id)
    }
}

/// XEP-0359 §6: every id element MUST possess an `id`; an empty one
/// identifies nothing.
fn non_empty(id: &str) -> Result<(), Error> {
    if id.is_empty() {
        return Err(Error::bad_attribute(
            "id",
            id,
            "a stanza id is never empty (XEP-0359 §6)",
        ));
    }
    Ok(())
}

/// Why [`trusted_stanza_id`] did not return a stanza id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The message carries no `<stanza-id/>` from the expected entity.
    Absent,
    /// The expected entity does not announce `urn:xmpp:sid:0`, so the
    /// stanza id may have been written by the sender (XEP-0359 §7).
    NotAnnounced,
    /// More than one `<stanza-id/>` names the expected entity: XEP-0359 §6
    /// allows at most one, and which is genuine cannot be told.
    Ambiguous,
    /// A `<stanza-id/>` child could not be parsed.
    Malformed(Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Absent => f.write_str("no stanza-id assigned by the expected entity"),
            Refusal::NotAnnounced => f.write_str(
                "the assigning entity does not announce urn:xmpp:sid:0; the stanza-id may be forged",
            ),
            Refusal::Ambiguous => {
                f.write_str("more than one stanza-id names the expected entity (XEP-0359 §6)")
            }
            Refusal::Malformed(e) => write!(f, "malformed stanza-id: {e}"),
        }
    }
}

impl std::error::Error for Refusal {}

/// Every `<stanza-id/>` child of `message`, parsed, in document order.
pub fn stanza_ids(message: &Message) -> impl Iterator<Item = Result<StanzaId, Error>> + '_ {
    message.payloads.iter().filter_map(|p| p.get::<StanzaId>())
}

/// The `<origin-id/>` of `message`, if any (the first, parsed).
pub fn origin_id(message: &Message) -> Option<Result<OriginId, Error>> {
    message.payload::<OriginId>()
}

/// The stanza id that `assigner` gave `message`, returned only if it can
/// be believed (XEP-0359 §6 and §7): exactly one `<stanza-id/>` names
/// `assigner` and `assigner_announces_sid` says that `assigner` lists
/// `urn:xmpp:sid:0` among its disco#info features.
///
/// `assigner` is the entity whose ids the caller relies on: its own
/// account's bare JID for one-to-one messages, the room's bare JID in a
/// group chat. The comparison is on the JIDs as parsed (normalised per
/// RFC 7622).
///
pub fn trusted_stanza_id(
    message: &Message,
    assigner: &Jid,
    assigner_announces_sid: bool,
) -> Result<StanzaId, Refusal> {
    let mut found: Option<StanzaId> = None;
    for sid in stanza_ids(message) {
        let sid = sid.map_err(Refusal::Malformed)?;
        if &sid.by != assigner {
            continue;
        }
        if found.is_some() {
            return Err(Refusal::Ambiguous);
        }
        found = Some(sid);
    }
    let sid = found.ok_or(Refusal::Absent)?;
    if !assigner_announces_sid {
        return Err(Refusal::NotAnnounced);
    }
    Ok(sid)
}

/// What an assigning entity does to a stanza before adding its own id
/// (XEP-0359 §6): removes every `<stanza-id/>` whose `by` is `me`, even
/// when it adds none itself, so that no sender can forge one of its ids.
/// Returns how many were removed. A `<stanza-id/>` that does not parse is
/// removed too: it cannot be shown not to be a forgery of `me`'s.
pub fn strip_own(message: &mut Message, me: &Jid) -> usize {
    let before = message.payloads.len();
    message.payloads.retain(|p| match p.get::<StanzaId>() {
        None => true,
        Some(Ok(sid)) => &sid.by != me,
        Some(Err(_)) => false,
    });
    before - message.payloads.len()
}

/// Stamps `message` with the id `id` assigned by `me`, after removing any
/// `<stanza-id/>` claiming to be `me`'s ([`strip_own`]). The origin id and
/// other entities' stanza ids are kept, as §4 and §6 require.
pub fn assign(message: &mut Message, me: &Jid, id: impl Into<String>) {
    strip_own(message, me);
    message
        .payloads
        .push(xep_element::Payload::new(StanzaId::new(id, me.clone())));
}

xep_element::elements! {
    "XEP-0359" => [StanzaId, OriginId, ReferencedStanza],
}

#[cfg(test)]
mod tests;
