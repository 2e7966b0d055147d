//! XEP-0191 Blocking Command: `<blocklist/>`, `<block/>` and `<unblock/>`
//! of `<item jid='...'/>`s, and the `<blocked/>` error condition.
//!
//! Requests: [`request_blocklist`], [`block`] (at least one JID, §3.3),
//! [`unblock`] (none means every JID, §3.5). [`Blocklist`] is the
//! client's copy of the list: filled from the server's answer, then kept
//! current by the pushes the server sends every resource that retrieved
//! it (§3.3, §3.4, §3.5), which it believes only from the user's own
//! account (no `from`, or the user's bare JID, as RFC 6121 §2.1.6 says of
//! roster pushes), answering each push it applies. [`matches()`] is the
//! matching order of §6, which both sides use. [`is_blocked_error`]
//! recognizes the error a server returns for a stanza sent to a blocked
//! JID (§3.3: `not-acceptable` with `<blocked/>`).
//!
//! ```
//! use xep_blocking::{Blocklist, PushOutcome, block};
//! use xep_core::{Iq, Stanza};
//! use xep_element::XmlElement;
//!
//! let me: xep_element::jid::FullJid = "juliet@capulet.example/chamber".parse().unwrap();
//! let mut list = Blocklist::default();
//! let request = block("b1", ["romeo@montague.example".parse().unwrap()]).unwrap();
//! assert!(request.to_xml().contains("<item jid='romeo@montague.example'/>"));
//!
//! // The server pushes the change to every resource; a push from the
//! // account is applied and answered.
//! let Stanza::Iq(push) = Stanza::from_xml(
//!     b"<iq xmlns='jabber:client' type='set' id='push1' to='juliet@capulet.example/chamber'>\
//!       <block xmlns='urn:xmpp:blocking'><item jid='romeo@montague.example'/></block></iq>",
//! ).unwrap() else { unreachable!() };
//! let PushOutcome::Applied { reply, .. } = list.handle_push(&push, &me) else { panic!() };
//! assert_eq!(reply.id, "push1");
//! assert!(list.blocks(&"romeo@montague.example/garden".parse().unwrap()));
//! ```

#![warn(missing_docs)]

use std::fmt;

use xep_core::{DefinedCondition, ErrorType, Iq, IqType, StanzaError};
use xep_element::jid::{FullJid, Jid};
use xep_element::{Error, Payload, XmlElement};

/// `urn:xmpp:blocking`.
pub const NS: &str = "urn:xmpp:blocking";
/// `urn:xmpp:blocking:errors`.
pub const NS_ERRORS: &str = "urn:xmpp:blocking:errors";

/// `<item jid='...'/>`: one blocked JID.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "item")]
pub struct Item {
    /// `jid`.
    #[xml(attr)]
    pub jid: Jid,
    /// Children of other namespaces: XEP-0377 adds a spam `<report/>`
    /// to the item of a block request.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// `<blocklist/>`: the request for the list (empty) and the list.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "blocklist")]
pub struct BlocklistQuery {
    /// The blocked JIDs.
    #[xml(child)]
    pub items: Vec<Item>,
}

/// `<block/>`: block these JIDs (at least one, §3.3).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "block")]
pub struct Block {
    /// The JIDs to block.
    #[xml(child(min = 1))]
    pub items: Vec<Item>,
}

/// `<unblock/>`: unblock these JIDs; without items, every JID (§3.5).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "unblock")]
pub struct Unblock {
    /// The JIDs to unblock (none: all).
    #[xml(child)]
    pub items: Vec<Item>,
}

/// `<blocked/>`: the application condition of the error for a stanza
/// sent to a blocked JID.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS_ERRORS, name = "blocked")]
pub struct Blocked;

fn items(jids: impl IntoIterator<Item = Jid>) -> Vec<Item> {
    jids.into_iter()
        .map(|jid| Item {
            jid,
            extensions: Vec::new(),
        })
        .collect()
}

/// The request for the block list (to the user's own server).
pub fn request_blocklist(id: impl Into<String>) -> Iq {
    Iq::get(id, None, Payload::new(BlocklistQuery::default()))
}

/// Why a block request cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// `<block/>` needs at least one JID (§3.3: the server answers
    /// `bad-request` otherwise).
    NothingToBlock,
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a block request needs at least one JID (XEP-0191 §3.3)")
    }
}

impl std::error::Error for RequestError {}

/// The request that blocks `jids` (at least one).
pub fn block(
    id: impl Into<String>,
    jids: impl IntoIterator<Item = Jid>,
) -> Result<Iq, RequestError> {
    let items = items(jids);
    if items.is_empty() {
        return Err(RequestError::NothingToBlock);
    }
    Ok(Iq::set(id, None, Payload::new(Block { items })))
}

/// The request that unblocks `jids`; an empty list unblocks every JID
/// (§3.5).
pub fn unblock(id: impl Into<String>, jids: impl IntoIterator<Item = Jid>) -> Iq {
    Iq::set(id, None, Payload::new(Unblock { items: items(jids) }))
}

/// Whether the blocked `item` matches `sender`, in the order of §6: a
/// full JID only itself; a bare JID any of its resources; `domain/resource`
/// only that; a domain itself and every JID at it.
pub fn matches(item: &Jid, sender: &Jid) -> bool {
    if item.node().is_some() {
        if item.resource().is_some() {
            return item == sender;
        }
        return item.to_bare() == sender.to_bare();
    }
    if item.resource().is_some() {
        return item == sender;
    }
    item.domain() == sender.domain()
}

/// The error of §3.3 for a stanza sent to a blocked JID: `not-acceptable`
/// (type `cancel`) with `<blocked/>`.
pub fn blocked_error() -> StanzaError {
    let mut e = StanzaError::new(ErrorType::Cancel, DefinedCondition::NotAcceptable);
    e.app.push(Payload::new(Blocked));
    e
}

/// Whether `error` says the stanza went to a JID the user blocks.
pub fn is_blocked_error(error: &StanzaError) -> bool {
    error.condition == DefinedCondition::NotAcceptable
        && error
            .app
            .iter()
            .any(|p| p.get::<Blocked>().is_some_and(|b| b.is_ok()))
}

/// What a push did to the list (see [`Blocklist::handle_push`]).
#[derive(Debug, Clone, PartialEq)]
pub enum PushOutcome {
    /// Not a blocking push: the iq is for someone else.
    NotAPush,
    /// Applied; send `reply` (the iq result).
    Applied {
        /// What changed.
        change: Change,
        /// The result to send.
        reply: Iq,
    },
    /// Refused: not believed or not well-formed; send `reply` (an error).
    Refused {
        /// Why.
        reason: PushRefusal,
        /// The error to send.
        reply: Iq,
    },
}

/// A change the server pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// These JIDs are now blocked.
    Blocked(Vec<Jid>),
    /// These JIDs are no longer blocked.
    Unblocked(Vec<Jid>),
    /// No JID is blocked any more.
    UnblockedAll,
}

/// Why a push was not applied.
#[derive(Debug, Clone, PartialEq)]
pub enum PushRefusal {
    /// It comes from another entity than the user's account (a forgery:
    /// only the user's server pushes the list).
    NotFromAccount(Jid),
    /// Its payload does not parse.
    Malformed(Error),
}

impl fmt::Display for PushRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushRefusal::NotFromAccount(j) => write!(
                f,
                "a block list push from {j}, not from the account: refused"
            ),
            PushRefusal::Malformed(e) => write!(f, "malformed block list push: {e}"),
        }
    }
}

impl std::error::Error for PushRefusal {}

/// The client's copy of the block list (see the crate docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blocklist {
    jids: Vec<Jid>,
}

impl Blocklist {
    /// The list from the server's answer to [`request_blocklist`].
    pub fn from_result(iq: &Iq) -> Option<Result<Blocklist, Error>> {
        if iq.type_ != IqType::Result {
            return None;
        }
        let q = iq.payload::<BlocklistQuery>()?;
        Some(q.map(|q| {
            let mut list = Blocklist::default();
            list.add(q.items.into_iter().map(|i| i.jid));
            list
        }))
    }

    /// The blocked JIDs, in the order they were added.
    pub fn jids(&self) -> &[Jid] {
        &self.jids
    }

    /// Whether a stanza from `sender` is blocked (by [`matches()`]).
    pub fn blocks(&self, sender: &Jid) -> bool {
        self.jids.iter().any(|j| matches(j, sender))
    }

    fn add(&mut self, jids: impl IntoIterator<Item = Jid>) {
        for j in jids {
            if !self.jids.contains(&j) {
                self.jids.push(j);
            }
        }
    }

    /// Handles an iq that may be a push of the list (§3.3, §3.4, §3.5):
    /// applied only when it comes from `me`'s account (no `from`, or
    /// `me`'s bare JID); the outcome carries the answer to send.
    pub fn handle_push(&mut self, iq: &Iq, me: &FullJid) -> PushOutcome {
        if iq.type_ != IqType::Set {
            return PushOutcome::NotAPush;
        }
        let payload = match (iq.payload::<Block>(), iq.payload::<Unblock>()) {
            (Some(b), _) => b.map(|b| Err(b.items)),
            (None, Some(u)) => u.map(|u| Ok(u.items)),
            (None, None) => return PushOutcome::NotAPush,
        };
        let own = Jid::from(me.to_bare());
        if let Some(from) = &iq.from
            && from != &own
        {
            let reply = iq.error_reply(StanzaError::new(
                ErrorType::Cancel,
                DefinedCondition::ServiceUnavailable,
            ));
            return PushOutcome::Refused {
                reason: PushRefusal::NotFromAccount(from.clone()),
                reply,
            };
        }
        let change = match payload {
            Err(e) => {
                let reply = iq.error_reply(StanzaError::new(
                    ErrorType::Modify,
                    DefinedCondition::BadRequest,
                ));
                return PushOutcome::Refused {
                    reason: PushRefusal::Malformed(e),
                    reply,
                };
            }
            Ok(Err(blocked)) => {
                let jids: Vec<Jid> = blocked.into_iter().map(|i| i.jid).collect();
                self.add(jids.clone());
                Change::Blocked(jids)
            }
            Ok(Ok(unblocked)) if unblocked.is_empty() => {
                self.jids.clear();
                Change::UnblockedAll
            }
            Ok(Ok(unblocked)) => {
                let jids: Vec<Jid> = unblocked.into_iter().map(|i| i.jid).collect();
                self.jids.retain(|j| !jids.contains(j));
                Change::Unblocked(jids)
            }
        };
        PushOutcome::Applied {
            change,
            reply: iq.result(None),
        }
    }
}

xep_element::elements! {
    "XEP-0191" => [BlocklistQuery, Block, Unblock, Item, Blocked],
}

#[cfg(test)]
mod tests;
