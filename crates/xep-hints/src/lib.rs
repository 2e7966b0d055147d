//! XEP-0334: Message Processing Hints — what the sender of a message
//! hints to the servers and clients that route, store or copy it.
//!
//! The four hints are empty elements in `urn:xmpp:hints`: [`NoPermanentStore`]
//! (§4.1: keep it out of archives and logs), [`NoStore`] (§4.2: do not
//! store it at all, not even for offline delivery), [`NoCopy`] (§4.3: do not
//! copy it to other resources, e.g. by XEP-0280 carbons) and [`Store`]
//! (§4.4: store it even if the usual rules would not). [`Hints`] reads
//! them from a message, following the business rules of §5, and adds them
//! to one.
//!
//! ```
//! use xep_core::{Message, MessageType};
//! use xep_element::XmlElement;
//! use xep_hints::{Hints, NoCopy, NoStore};
//!
//! let to = "juliet@example.net/balcony".parse().unwrap();
//! let mut m = Message::chat(to, "off the record");
//! Hints { no_copy: true, no_store: true, ..Hints::default() }.add_to(&mut m).unwrap();
//! assert_eq!(m.payload::<NoCopy>(), Some(Ok(NoCopy)));
//! assert!(m.to_xml().ends_with("<no-store xmlns='urn:xmpp:hints'/><no-copy xmlns='urn:xmpp:hints'/></message>"));
//!
//! let hints = Hints::of(&m);
//! assert!(hints.no_store && hints.no_copy && !hints.store);
//! assert!(!hints.may_store_temporarily());
//!
//! // §5: the hints of an error message are ignored.
//! m.type_ = Some(MessageType::Error);
//! assert_eq!(Hints::of(&m), Hints::default());
//! # let _ = NoStore;
//! ```

#![warn(missing_docs)]

use xep_core::{Message, MessageType};
use xep_element::{Payload, XmlElement};

/// `urn:xmpp:hints`.
pub const NS: &str = "urn:xmpp:hints";

/// `<no-permanent-store/>` (§4.1): the message should not be kept in any
/// permanent or semi-permanent archive (XEP-0136, XEP-0313) or log (a
/// room's log, say); storing it for delivery is fine.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "no-permanent-store")]
pub struct NoPermanentStore;

/// `<no-store/>` (§4.2): the message should not be stored at all, neither
/// permanently nor temporarily (for an offline client, for occupants not
/// present in a room).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "no-store")]
pub struct NoStore;

/// `<no-copy/>` (§4.3): the message should not be copied to addresses
/// other than the one it is sent to (XEP-0280 carbons, say). Only for
/// messages to a full JID ([`Hints::add_to`] refuses it otherwise).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "no-copy")]
pub struct NoCopy;

/// `<store/>` (§4.4): a message that is not of type `error` should be
/// stored, even where the usual rules (a body, say) would not store it.
/// XEP-0353 requires it on every message of its protocol.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "store")]
pub struct Store;

/// The hints of one message, one flag per hint element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hints {
    /// [`NoPermanentStore`] is present.
    pub no_permanent_store: bool,
    /// [`NoStore`] is present.
    pub no_store: bool,
    /// [`NoCopy`] is present.
    pub no_copy: bool,
    /// [`Store`] is present.
    pub store: bool,
}

/// Why [`Hints::add_to`] refused to add hints to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HintError {
    /// `<no-copy/>` on a message not addressed to a full JID (§4.3: "MUST
    /// only be included on messages addressed to full JIDs").
    NoCopyWithoutFullJid,
}

impl std::fmt::Display for HintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HintError::NoCopyWithoutFullJid => f.write_str(
                "<no-copy/> is only for messages addressed to a full JID (XEP-0334 §4.3)",
            ),
        }
    }
}

impl std::error::Error for HintError {}

impl Hints {
    /// The hints among `payloads`, whatever the stanza.
    pub fn in_payloads(payloads: &[Payload]) -> Hints {
        Hints {
            no_permanent_store: has::<NoPermanentStore>(payloads),
            no_store: has::<NoStore>(payloads),
            no_copy: has::<NoCopy>(payloads),
            store: has::<Store>(payloads),
        }
    }

    /// The hints `message` carries; none for a message of type `error`,
    /// whose hints §5 says to ignore (an error often quotes the stanza
    /// that caused it).
    pub fn of(message: &Message) -> Hints {
        if message.type_ == Some(MessageType::Error) {
            return Hints::default();
        }
        Hints::in_payloads(&message.payloads)
    }

    /// Whether no hint is set.
    pub fn is_empty(&self) -> bool {
        *self == Hints::default()
    }

    /// The hint elements, in the order of §4 (no-permanent-store,
    /// no-store, no-copy, store).
    pub fn payloads(&self) -> Vec<Payload> {
        let mut out = Vec::new();
        if self.no_permanent_store {
            out.push(Payload::new(NoPermanentStore));
        }
        if self.no_store {
            out.push(Payload::new(NoStore));
        }
        if self.no_copy {
            out.push(Payload::new(NoCopy));
        }
        if self.store {
            out.push(Payload::new(Store));
        }
        out
    }

    /// Appends the hint elements to `message`'s payloads, skipping those
    /// it already carries. Refuses `<no-copy/>` unless the message is
    /// addressed to a full JID (§4.3); nothing is added then.
    pub fn add_to(&self, message: &mut Message) -> Result<(), HintError> {
        if self.no_copy && !message.to.as_ref().is_some_and(|to| to.is_full()) {
            return Err(HintError::NoCopyWithoutFullJid);
        }
        let have = Hints::in_payloads(&message.payloads);
        let missing = Hints {
            no_permanent_store: self.no_permanent_store && !have.no_permanent_store,
            no_store: self.no_store && !have.no_store,
            no_copy: self.no_copy && !have.no_copy,
            store: self.store && !have.store,
        };
        message.payloads.extend(missing.payloads());
        Ok(())
    }

    /// Whether an archive or log (XEP-0136, XEP-0313, a room's log) may
    /// keep the message: not with `<no-permanent-store/>` or
    /// `<no-store/>` (§4.2 includes §4.1's "as above").
    pub fn may_archive(&self) -> bool {
        !self.no_permanent_store && !self.no_store
    }

    /// Whether a server may hold the message for later delivery (an
    /// offline client, occupants not present): not with `<no-store/>`.
    pub fn may_store_temporarily(&self) -> bool {
        !self.no_store
    }

    /// Whether the message may be copied to other addresses than its
    /// recipient (carbons): not with `<no-copy/>`.
    pub fn may_copy(&self) -> bool {
        !self.no_copy
    }

    /// Whether the sender asks for the message to be stored though the
    /// usual rules might not store it (`<store/>`, §4.4).
    pub fn should_store(&self) -> bool {
        self.store
    }
}

/// Whether a `T` element is among `payloads` (a hint is its name: one
/// with unexpected content still counts).
fn has<T: XmlElement + Clone + 'static>(payloads: &[Payload]) -> bool {
    payloads.iter().any(|p| p.get::<T>().is_some())
}

xep_element::elements! {
    "XEP-0334" => [NoPermanentStore, NoStore, NoCopy, Store],
}

#[cfg(test)]
mod tests;
