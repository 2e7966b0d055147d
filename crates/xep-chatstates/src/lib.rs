//! XEP-0085 Chat State Notifications: `<active/>`, `<composing/>`,
//! `<paused/>`, `<inactive/>` and `<gone/>` in a chat message.
//!
//! [`chat_state`] reads a message's state, refusing two (§5.4: at most
//! one); [`Conversation`] applies the rules of one one-to-one chat:
//! states are sent only while the contact has not shown it ignores them
//! (§5.1), the first content messages carry `<active/>`, and a standalone
//! notification never repeats the last one (§5.3). In a room, `<gone/>`
//! is neither sent nor believed (§5.6: [`believed_in_room`]).
//!
//! ```
//! use xep_chatstates::{ChatState, Conversation};
//! use xep_core::Message;
//! use xep_element::XmlElement;
//!
//! let mut chat = Conversation::new();
//! // Before the contact answers, content messages carry <active/>.
//! assert_eq!(chat.for_content_message(), Some(ChatState::Active));
//! // The contact answers with a state: notifications are on.
//! chat.received(&Message::from_xml(
//!     b"<message xmlns='jabber:client' type='chat'><body>hi</body>\
//!       <active xmlns='http://jabber.org/protocol/chatstates'/></message>",
//! ).unwrap());
//! assert_eq!(chat.standalone(ChatState::Composing), Some(ChatState::Composing));
//! // Typing on: no second <composing/> in a row.
//! assert_eq!(chat.standalone(ChatState::Composing), None);
//! ```

#![warn(missing_docs)]

use xep_core::{Message, MessageType, Thread};
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};

/// `http://jabber.org/protocol/chatstates`.
pub const NS: &str = "http://jabber.org/protocol/chatstates";

/// A chat state (§2), an element of its own.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[xml(ns = NS)]
pub enum ChatState {
    /// Paying attention to the conversation.
    Active,
    /// Typing a message.
    Composing,
    /// Was typing and stopped for a short while.
    Paused,
    /// Not paying attention for a while.
    Inactive,
    /// Has left the conversation.
    Gone,
}

/// The chat state `message` carries, if any. Two or more are an error
/// (§5.4 allows one child of the namespace).
pub fn chat_state(message: &Message) -> Result<Option<ChatState>, Error> {
    let mut found = None;
    for p in &message.payloads {
        let Some(state) = p.get::<ChatState>() else {
            continue;
        };
        let state = state?;
        if found.is_some() {
            return Err(Error::invalid(
                "a message carries at most one chat state (XEP-0085 §5.4)",
            ));
        }
        found = Some(state);
    }
    Ok(found)
}

/// Whether a state received in a room is to be believed: every state but
/// `<gone/>` (§5.6: clients ignore it from occupants).
pub fn believed_in_room(state: ChatState) -> bool {
    state != ChatState::Gone
}

/// A standalone notification to `to`: a chat message holding only the
/// state, and the thread when the conversation uses one (§5.4, §5.5).
pub fn standalone(to: Jid, state: ChatState, thread: Option<Thread>) -> Message {
    Message {
        to: Some(to),
        type_: Some(MessageType::Chat),
        thread,
        payloads: vec![Payload::new(state)],
        ..Message::default()
    }
}

/// Whether the contact takes part in chat states (§5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Support {
    /// The contact has not replied yet.
    #[default]
    Unknown,
    /// The contact sent a state.
    Yes,
    /// The contact replied without one: no more states are sent.
    No,
}

/// The rules of one one-to-one conversation (§5.1, §5.3): what to add to
/// a content message, and whether a standalone notification may go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversation {
    support: Support,
    /// The last state sent, standalone or in a content message.
    last_sent: Option<ChatState>,
}

impl Conversation {
    /// A new conversation: support not known yet.
    pub fn new() -> Conversation {
        Conversation::default()
    }

    /// What is known of the contact's support.
    pub fn support(&self) -> Support {
        self.support
    }

    /// A message from the contact: a state turns notifications on; a
    /// content message without one, before any state was seen, turns them
    /// off (§5.1). Returns the state received (an error message or a
    /// malformed state changes nothing).
    pub fn received(&mut self, message: &Message) -> Option<ChatState> {
        if message.type_ == Some(MessageType::Error) {
            return None;
        }
        let state = chat_state(message).ok().flatten();
        match state {
            Some(_) => self.support = Support::Yes,
            None if self.support == Support::Unknown && !message.bodies.is_empty() => {
                self.support = Support::No;
            }
            None => {}
        }
        state
    }

    /// The state to put in a content message being sent: `<active/>`
    /// unless the contact does not take part (§5.1, §5.3).
    pub fn for_content_message(&mut self) -> Option<ChatState> {
        if self.support == Support::No {
            return None;
        }
        self.last_sent = Some(ChatState::Active);
        Some(ChatState::Active)
    }

    /// Whether a standalone notification of `state` may be sent now:
    /// only to a contact that sent states (§5.1), and never the same
    /// state twice in a row (§5.3). Returns the state to send.
    pub fn standalone(&mut self, state: ChatState) -> Option<ChatState> {
        if self.support != Support::Yes || self.last_sent == Some(state) {
            return None;
        }
        self.last_sent = Some(state);
        Some(state)
    }
}

xep_element::elements! {
    "XEP-0085" => [ChatState],
}

#[cfg(test)]
mod tests;
