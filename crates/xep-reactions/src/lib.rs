//! XEP-0444 Message Reactions: `<reactions id='...'>` holding the
//! emojis a user reacts to a message with; each new `<reactions/>` from
//! a user replaces that user's earlier reactions to the message (an
//! empty one removes them).
//!
//! [`reactions`] reads a message's reactions, refusing two (§4: at most
//! one); [`accept`] applies §4's sender rule in a direct conversation
//! (only the two parties react); [`Tally`] keeps, per message, each
//! reactor's latest set and sums them, ignoring duplicates inside one
//! element (§4).
//!
//! ```
//! use xep_core::Message;
//! use xep_element::XmlElement;
//! use xep_reactions::{Tally, reactions};
//!
//! let m = Message::from_xml(
//!     "<message xmlns='jabber:client' from='romeo@montague.example/orchard' type='chat'>\
//!      <reactions xmlns='urn:xmpp:reactions:0' id='744f6e18'><reaction>👋</reaction><reaction>🐢</reaction></reactions>\
//!      </message>".as_bytes(),
//! ).unwrap();
//! let r = reactions(&m).unwrap().unwrap();
//! let mut tally = Tally::default();
//! tally.apply("romeo@montague.example", &r);
//! assert_eq!(tally.count("744f6e18", "🐢"), 1);
//! ```

#![warn(missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use xep_core::Message;
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};

/// `urn:xmpp:reactions:0`.
pub const NS: &str = "urn:xmpp:reactions:0";

/// `<reactions/>`: the sender's whole set of reactions to the message
/// `id` (its `id`, or in a room the room's stanza id).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "reactions", validate = Reactions::check)]
pub struct Reactions {
    /// The message reacted to.
    #[xml(attr)]
    pub id: String,
    /// The reactions, as written (one emoji each, §4).
    #[xml(text_child(name = "reaction"))]
    pub reactions: Vec<String>,
}

impl Reactions {
    /// The reactions `emojis` to the message `id`.
    pub fn new(id: impl Into<String>, emojis: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Reactions {
            id: id.into(),
            reactions: emojis.into_iter().map(Into::into).collect(),
        }
    }

    /// The distinct reactions, in first-seen order (§4: a receiver
    /// ignores duplicates).
    pub fn distinct(&self) -> Vec<&str> {
        let mut seen = BTreeSet::new();
        self.reactions
            .iter()
            .map(String::as_str)
            .filter(|r| seen.insert(*r))
            .collect()
    }

    fn check(&self) -> Result<(), Error> {
        if self.id.is_empty() {
            return Err(Error::bad_attribute(
                "id",
                "",
                "reactions name the message they answer (XEP-0444 §3)",
            ));
        }
        if self.reactions.iter().any(|r| r.trim().is_empty()) {
            return Err(Error::invalid(
                "an empty <reaction/> is no reaction (XEP-0444 §4: one emoji each)",
            ));
        }
        Ok(())
    }
}

/// The reactions `message` carries, if any; two `<reactions/>` are an
/// error (§4).
pub fn reactions(message: &Message) -> Result<Option<Reactions>, Error> {
    let mut found = None;
    for p in &message.payloads {
        if let Some(r) = p.get::<Reactions>() {
            if found.is_some() {
                return Err(Error::invalid(
                    "a message carries at most one <reactions/> (XEP-0444 §4)",
                ));
            }
            found = Some(r?);
        }
    }
    Ok(found)
}

/// A message reacting to `id` with `emojis` (an empty list removes the
/// sender's reactions), to `to`, of type `type_` (`chat` or
/// `groupchat`).
pub fn react(
    to: Jid,
    type_: xep_core::MessageType,
    id: impl Into<String>,
    emojis: impl IntoIterator<Item = impl Into<String>>,
) -> Message {
    Message {
        to: Some(to),
        type_: Some(type_),
        payloads: vec![Payload::new(Reactions::new(id, emojis))],
        ..Message::default()
    }
}

/// Why reactions were not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// In a direct conversation, from neither of its two parties (§4).
    NotAParty,
    /// Without a sender.
    NoSender,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotAParty => {
                f.write_str("reactions from neither party of the conversation (XEP-0444 §4)")
            }
            Refusal::NoSender => f.write_str("reactions without a sender"),
        }
    }
}

impl std::error::Error for Refusal {}

/// §4's rule for a direct conversation between `me` and `peer`: reactions
/// are accepted only from either party's bare JID (the user's other
/// devices, through carbons, included). Returns the reactor's key for
/// [`Tally::apply`] (the bare JID).
pub fn accept(message: &Message, me: &Jid, peer: &Jid) -> Result<String, Refusal> {
    let from = message.from.as_ref().ok_or(Refusal::NoSender)?.to_bare();
    if from == me.to_bare() || from == peer.to_bare() {
        Ok(from.to_string())
    } else {
        Err(Refusal::NotAParty)
    }
}

/// The reactions to each message: per message, each reactor's latest
/// set. A reactor is what identifies a user: the bare JID in a direct
/// conversation ([`accept`]), the XEP-0421 occupant id or the real bare
/// JID in a room (never the nick alone, which another occupant may take).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// message id → reactor → distinct reactions.
    by_message: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

impl Tally {
    /// Records `reactions` from `reactor`, replacing its earlier ones to
    /// the same message (an empty set removes them).
    pub fn apply(&mut self, reactor: &str, reactions: &Reactions) {
        let set: Vec<String> = reactions
            .distinct()
            .into_iter()
            .map(str::to_string)
            .collect();
        let entry = self.by_message.entry(reactions.id.clone()).or_default();
        if set.is_empty() {
            entry.remove(reactor);
            if entry.is_empty() {
                self.by_message.remove(&reactions.id);
            }
        } else {
            entry.insert(reactor.to_string(), set);
        }
    }

    /// How many reactors reacted to `message_id` with `emoji`.
    pub fn count(&self, message_id: &str, emoji: &str) -> usize {
        self.by_message.get(message_id).map_or(0, |m| {
            m.values()
                .filter(|set| set.iter().any(|e| e == emoji))
                .count()
        })
    }

    /// Each emoji reacted to `message_id` with and how many reactors
    /// chose it, most first (then by emoji).
    pub fn summary(&self, message_id: &str) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        if let Some(m) = self.by_message.get(message_id) {
            for set in m.values() {
                for e in set {
                    *counts.entry(e).or_default() += 1;
                }
            }
        }
        let mut out: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(e, n)| (e.to_string(), n))
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// The reactions of `reactor` to `message_id`.
    pub fn of(&self, message_id: &str, reactor: &str) -> &[String] {
        self.by_message
            .get(message_id)
            .and_then(|m| m.get(reactor))
            .map_or(&[], Vec::as_slice)
    }
}

xep_element::elements! {
    "XEP-0444" => [Reactions],
}

#[cfg(test)]
mod tests;
