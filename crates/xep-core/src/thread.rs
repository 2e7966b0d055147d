//! XEP-0201 (Best Practices for Message Threads): new, reply and child
//! thread ids, and [`ChatThreads`], the one-to-one chat sessions a client
//! keeps by thread.

use std::collections::HashMap;

use xep_element::jid::{BareJid, Jid};

use crate::{Message, MessageType, Thread};

impl Thread {
    /// A new thread id from the caller's random bytes (16 or more, from a
    /// CSPRNG: XEP-0201 §2 wants ids unique and hard to guess), in
    /// lowercase hexadecimal.
    pub fn from_random(bytes: &[u8]) -> Thread {
        Thread {
            parent: None,
            id: bytes.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }

    /// A child thread `id` of this one: a conversation veering from its
    /// topic (XEP-0201 §2, `parent`).
    pub fn child(&self, id: impl Into<String>) -> Thread {
        Thread {
            parent: Some(self.id.clone()),
            id: id.into(),
        }
    }
}

impl Message {
    /// The thread of a direct reply to this message: its own (XEP-0201
    /// §2: the ThreadID SHOULD be the original's), `None` when it has
    /// none.
    pub fn reply_thread(&self) -> Option<Thread> {
        self.thread.clone()
    }
}

/// The chat session a received message belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    /// A thread already held with this peer.
    Known(String),
    /// A new session: the message's thread, or (for a chat message
    /// without one) the fresh id the caller gave, to use in every
    /// message of the session (XEP-0201 §3.1).
    New(String),
}

impl Session {
    /// The thread id.
    pub fn id(&self) -> &str {
        match self {
            Session::Known(id) | Session::New(id) => id,
        }
    }
}

/// One-to-one chat sessions by thread id (XEP-0201 §3.1), each bound to
/// the peer (bare JID) it was held with: a thread id is a session only
/// with that peer, so another entity reusing it (by chance, or to slip
/// a message into someone else's conversation) starts a session of its
/// own instead. Unavailable presence does not end a session (§3.1);
/// [`end`](Self::end) does.
#[derive(Debug, Clone, Default)]
pub struct ChatThreads {
    sessions: HashMap<(BareJid, String), ()>,
    current: HashMap<BareJid, String>,
}

impl ChatThreads {
    /// No session.
    pub fn new() -> Self {
        Self::default()
    }

    /// A received `type='chat'` message (other types: `None`, they are
    /// not chat sessions): its session with the sender, known or new;
    /// `fresh` gives an id when the message has no thread (§3.1: start a
    /// new session with a new id). A message without `from` is not
    /// placed (`None`).
    pub fn received(
        &mut self,
        message: &Message,
        fresh: impl FnOnce() -> String,
    ) -> Option<Session> {
        if message.type_ != Some(MessageType::Chat) {
            return None;
        }
        let peer = message.from.as_ref().map(Jid::to_bare)?;
        let session = match &message.thread {
            Some(t) if self.sessions.contains_key(&(peer.clone(), t.id.clone())) => {
                Session::Known(t.id.clone())
            }
            Some(t) => Session::New(t.id.clone()),
            None => Session::New(fresh()),
        };
        self.sessions
            .insert((peer.clone(), session.id().to_owned()), ());
        self.current.insert(peer, session.id().to_owned());
        Some(session)
    }

    /// Starts a session with `peer` under `thread` (this user began the
    /// conversation): later messages of that peer in it are
    /// [`Session::Known`].
    pub fn start(&mut self, peer: &BareJid, thread: &Thread) {
        self.sessions.insert((peer.clone(), thread.id.clone()), ());
        self.current.insert(peer.clone(), thread.id.clone());
    }

    /// The thread of the latest session with `peer`, for the messages
    /// sent to it.
    pub fn current(&self, peer: &BareJid) -> Option<&str> {
        self.current.get(peer).map(String::as_str)
    }

    /// Whether `thread` is a session held with `peer`.
    pub fn holds(&self, peer: &BareJid, thread: &str) -> bool {
        self.sessions
            .contains_key(&(peer.clone(), thread.to_owned()))
    }

    /// Ends the session `thread` with `peer` (the user closed it for
    /// good, or went offline: §3.1 allows destroying threads then).
    pub fn end(&mut self, peer: &BareJid, thread: &str) {
        self.sessions.remove(&(peer.clone(), thread.to_owned()));
        if self.current.get(peer).map(String::as_str) == Some(thread) {
            self.current.remove(peer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xep_element::XmlElement;

    fn chat(from: &str, thread: Option<&str>) -> Message {
        Message {
            from: Some(from.parse().unwrap()),
            type_: Some(MessageType::Chat),
            thread: thread.map(|t| Thread {
                parent: None,
                id: t.into(),
            }),
            ..Message::default()
        }
    }

    #[test]
    fn ids_replies_and_children() {
        let t = Thread::from_random(&[0xe0, 0xff, 0xe4, 0x2b]);
        assert_eq!(t.id, "e0ffe42b");
        let child = t.child("c1");
        assert_eq!(
            child.to_xml(),
            "<thread xmlns='jabber:client' parent='e0ffe42b'>c1</thread>"
        );
        let m = Message {
            thread: Some(child.clone()),
            ..Message::default()
        };
        assert_eq!(m.reply_thread(), Some(child));
        assert_eq!(Message::default().reply_thread(), None);
    }

    #[test]
    fn chat_sessions_are_bound_to_their_peer() {
        let mut threads = ChatThreads::new();
        let romeo: BareJid = "romeo@example.net".parse().unwrap();
        // A thread never seen: a new session.
        let first = threads.received(
            &chat("romeo@example.net/orchard", Some("t1")),
            || unreachable!(),
        );
        assert_eq!(first, Some(Session::New("t1".into())));
        // The same thread from another resource of the same peer: known.
        let again = threads.received(
            &chat("romeo@example.net/garden", Some("t1")),
            || unreachable!(),
        );
        assert_eq!(again, Some(Session::Known("t1".into())));
        assert_eq!(threads.current(&romeo), Some("t1"));
        // The same thread id from someone else is not romeo's session.
        let other = threads.received(&chat("tybalt@example.com/x", Some("t1")), || unreachable!());
        assert_eq!(other, Some(Session::New("t1".into())));
        // No thread: a new session with the caller's id.
        let fresh = threads.received(&chat("romeo@example.net/orchard", None), || "t2".into());
        assert_eq!(fresh, Some(Session::New("t2".into())));
        assert_eq!(threads.current(&romeo), Some("t2"));
        assert!(threads.holds(&romeo, "t1"));
        // Not chat messages, or without a sender.
        let mut normal = chat("romeo@example.net/orchard", Some("t1"));
        normal.type_ = None;
        assert_eq!(threads.received(&normal, || unreachable!()), None);
        let mut anonymous = chat("romeo@example.net", Some("t1"));
        anonymous.from = None;
        assert_eq!(threads.received(&anonymous, || unreachable!()), None);
        // Ending one.
        threads.end(&romeo, "t2");
        assert_eq!(threads.current(&romeo), None);
        assert!(!threads.holds(&romeo, "t2"));
        // Started by this user.
        let juliet: BareJid = "juliet@example.com".parse().unwrap();
        threads.start(&juliet, &Thread::from_random(&[1, 2]));
        assert_eq!(
            threads.received(
                &chat("juliet@example.com/balcony", Some("0102")),
                || unreachable!()
            ),
            Some(Session::Known("0102".into()))
        );
    }
}
