//! Small message extensions, each a payload of a `<message/>` with the
//! rules its XEP gives:
//!
//! - XEP-0428 fallback indication ([`Fallback`]): [`body_without_fallback`]
//!   leaves out what is only there for clients that do not speak a
//!   specification, [`strip`] the same for any text and spans.
//! - XEP-0426 character counting ([`char_len`], [`byte_range`]): the
//!   offsets of fallbacks and other ranges count code points.
//! - XEP-0461 replies ([`Reply`]): [`reply_to`] names the message
//!   answered by the id the context makes reliable (in a room only the
//!   room's stanza id, believed through `xep-sid`), [`answers`] checks a
//!   reply against a candidate, [`compose`] writes a reply with a quote
//!   marked as fallback and [`reply_text`] reads it back without it.
//! - XEP-0372 references ([`Reference`]): [`references`] gives each
//!   with the text it marks, its range checked against the body;
//!   [`Reference::mention`] and [`Reference::mentioned`] for mentions.
//! - XEP-0513 explicit mentions ([`Mention`], checked as §3 requires)
//!   and room permissions ([`MentionPermissions`]); [`notifies`] decides
//!   whether a message's mentions reach the user.
//! - XEP-0382 spoilers ([`Spoiler`]) and XEP-0224 attention
//!   ([`Attention`]).
//! - XEP-0394 message markup ([`markup::Markup`]): spans, code blocks,
//!   lists and quotes, unknown markup kept and never an error, §5's rules
//!   checked against the body ([`markup::markups`]).
//!
//! ```
//! use xep_core::{Message, MessageType};
//! use xep_message::{Chat, answers, compose, reply, reply_text};
//!
//! let mut original = Message::chat("max@example.com".parse().unwrap(), "We should bake a cake");
//! original.id = Some("message-id1".into());
//! original.from = Some("anna@example.com/tablet".parse().unwrap());
//!
//! let answer = compose(
//!     &original,
//!     &Chat::Direct,
//!     "anna@example.com".parse().unwrap(),
//!     MessageType::Chat,
//!     "Great idea!",
//!     Some("Anna"),
//! )
//! .unwrap();
//! assert_eq!(answer.body(None), Some("> Anna wrote:\n> We should bake a cake\nGreat idea!"));
//! assert_eq!(reply_text(&answer).unwrap().as_deref(), Some("Great idea!"));
//! let r = reply(&answer).unwrap().unwrap();
//! assert!(answers(&r, &original, &Chat::Direct));
//! ```

#![warn(missing_docs)]

mod counting;
mod fallback;
pub mod markup;
mod mention;
mod reference;
mod reply;

pub use counting::{RangeError, byte_range, char_len};
pub use fallback::{
    BodyRange, Fallback, FallbackError, NS_FALLBACK, Span, SubjectRange, body_without_fallback,
    fallbacks, strip,
};
pub use mention::{
    Allowed, Group, Me, Mention, MentionPermissions, MentionsQuery, NS_MENTIONS, Sender, notifies,
};
pub use reference::{NS_REFERENCE, Reference, ReferenceError, ReferenceType, references};
pub use reply::{
    Chat, NS_REPLY, NoReply, Reply, answers, compose, reply, reply_id, reply_text, reply_to,
};

use xep_element::XmlElement;

/// `urn:xmpp:spoiler:0`.
pub const NS_SPOILER: &str = "urn:xmpp:spoiler:0";

/// `<spoiler/>` (XEP-0382): the body is a spoiler; the text, possibly
/// empty, hints at what it is about, in `xml:lang`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SPOILER, name = "spoiler")]
pub struct Spoiler {
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The hint (may be empty).
    #[xml(text)]
    pub hint: String,
}

/// `urn:xmpp:attention:0`.
pub const NS_ATTENTION: &str = "urn:xmpp:attention:0";

/// `<attention/>` (XEP-0224): the sender asks for the recipient's
/// attention (a client may sound or flash; whether to honour it, e.g.
/// only from contacts, is the recipient's choice, §4).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS_ATTENTION, name = "attention")]
pub struct Attention;

/// The spoiler hints of `message` (one per language).
pub fn spoilers(message: &xep_core::Message) -> Vec<Result<Spoiler, xep_element::Error>> {
    message
        .payloads
        .iter()
        .filter_map(|p| p.get::<Spoiler>())
        .collect()
}

xep_element::elements! {
    "XEP-0428" => [Fallback, BodyRange, SubjectRange],
    "XEP-0461" => [Reply],
    "XEP-0372" => [Reference],
    "XEP-0513" => [Mention, MentionsQuery],
    "XEP-0382" => [Spoiler],
    "XEP-0224" => [Attention],
    "XEP-0394" => [
        markup::Markup, markup::Span, markup::BCode, markup::List, markup::ListItem,
        markup::BQuote,
    ],
}

#[cfg(test)]
mod tests;
