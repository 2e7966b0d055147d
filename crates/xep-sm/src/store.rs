//! The server's detached sessions, waiting for resumption.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use xep_core::{DefinedCondition, Stanza, StreamError};

use crate::elements::{Failed, Resume};
use crate::machine::StreamManager;

/// Detached server sessions by SM-ID, each kept for its negotiated
/// maximum time, with the owner `U` that must match to resume it (e.g. the
/// authenticated bare JID: a session is only resumed by whom it belongs to,
/// XEP-0198 §11).
///
/// After a session expires, its id and `h` are remembered for
/// `tombstone_ttl`, so that a late `<resume/>` gets `<failed h='…'/>` and
/// the client learns which of its stanzas were handled.
///
/// A session whose connection is still open is not in the store: when a
/// `<resume/>` names the SM-ID of a live stream, send that stream the
/// `conflict` stream error, [`detach`](Self::detach) its session, then call
/// [`resume`](Self::resume) (XEP-0198 §5).
#[derive(Debug)]
pub struct SessionStore<U> {
    sessions: HashMap<String, Detached<U>>,
    tombstones: HashMap<String, Tombstone>,
    /// Expiry order over sessions (`true`) and tombstones (`false`).
    order: BTreeSet<(Instant, bool, String)>,
    tombstone_ttl: Duration,
}

#[derive(Debug)]
struct Detached<U> {
    owner: U,
    machine: StreamManager,
    expires: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Tombstone {
    h: u32,
    expires: Instant,
}

/// The answer to a `<resume/>`.
#[derive(Debug)]
pub enum ResumeOutcome {
    /// The session, attached again: its transmit queue starts with
    /// `<resumed/>`, then the stanzas to resend. Use it for the new stream.
    Resumed(Box<StreamManager>),
    /// Send `failed`; with `stream_error` (the client's `h` acknowledges
    /// stanzas never sent, XEP-0198 §6), send it next and close the stream.
    /// A detached session stays in the store.
    Rejected {
        /// The `<failed/>` to send.
        failed: Failed,
        /// The stream error to send after it, if any.
        stream_error: Option<StreamError>,
    },
}

/// A session that was not resumed in time.
#[derive(Debug)]
pub struct Expired<U> {
    /// Its SM-ID.
    pub id: String,
    /// Its owner.
    pub owner: U,
    /// The stanzas the client never acknowledged, oldest first: treat them
    /// like stanzas to an unavailable resource (XEP-0198 §4).
    pub unacknowledged: Vec<Stanza>,
}

impl<U: PartialEq> SessionStore<U> {
    /// An empty store remembering expired ids for `tombstone_ttl`.
    pub fn new(tombstone_ttl: Duration) -> Self {
        SessionStore {
            sessions: HashMap::new(),
            tombstones: HashMap::new(),
            order: BTreeSet::new(),
            tombstone_ttl,
        }
    }

    /// Keeps the session of a lost connection for its maximum resumption
    /// time (calling [`StreamManager::connection_lost`] if the caller did
    /// not). A session that cannot be resumed is given back.
    pub fn detach(
        &mut self,
        now: Instant,
        owner: U,
        mut machine: StreamManager,
    ) -> Result<(), Box<StreamManager>> {
        if machine.is_enabled() {
            machine.connection_lost(now);
        }
        if !machine.can_detach() {
            return Err(Box::new(machine));
        }
        let id = machine.id().expect("resumable").to_string();
        let max = machine.max().map_or(Duration::ZERO, |m| m.as_duration());
        let expires = later(now, max);
        self.forget(&id);
        self.order.insert((expires, true, id.clone()));
        self.sessions.insert(
            id,
            Detached {
                owner,
                machine,
                expires,
            },
        );
        Ok(())
    }

    /// Answers a `<resume/>` from `owner` (the authenticated entity on the
    /// new stream): the session for a known id, owner and acceptable `h`;
    /// `item-not-found` (with the `h` of a session that timed out) for an
    /// unknown, expired or foreign id.
    pub fn resume(&mut self, now: Instant, request: &Resume, owner: &U) -> ResumeOutcome {
        let not_found = |h| ResumeOutcome::Rejected {
            failed: Failed {
                h,
                ..Failed::new(DefinedCondition::ItemNotFound)
            },
            stream_error: None,
        };
        match self.sessions.get(&request.previd) {
            Some(d) if d.owner != *owner => return not_found(None),
            Some(d) if d.expires <= now => return not_found(d.machine.inbound_count()),
            Some(_) => {}
            None => {
                return match self.tombstones.get(&request.previd) {
                    Some(t) if t.expires > now => not_found(Some(t.h)),
                    _ => not_found(None),
                };
            }
        }
        let mut d = self
            .sessions
            .remove(&request.previd)
            .expect("looked up above");
        match d.machine.server_resume(now, request.h) {
            Ok(()) => {
                self.order
                    .remove(&(d.expires, true, request.previd.clone()));
                ResumeOutcome::Resumed(Box::new(d.machine))
            }
            Err(e) => {
                self.sessions.insert(request.previd.clone(), d);
                let mut failed = Failed::new(DefinedCondition::BadRequest);
                failed.text = Some(xep_core::ErrorText {
                    lang: Some("en".into()),
                    text: "the handled count acknowledges stanzas never sent".into(),
                });
                ResumeOutcome::Rejected {
                    failed,
                    stream_error: Some(e),
                }
            }
        }
    }

    /// The detached session `id`, e.g. to send it stanzas (they are held
    /// and sent on resumption).
    pub fn get_mut(&mut self, id: &str) -> Option<&mut StreamManager> {
        self.sessions.get_mut(id).map(|d| &mut d.machine)
    }

    /// The owner of the detached session `id`.
    pub fn owner(&self, id: &str) -> Option<&U> {
        self.sessions.get(id).map(|d| &d.owner)
    }

    /// Removes the detached session `id` (e.g. the user started a new
    /// session instead), without a tombstone.
    pub fn remove(&mut self, id: &str) -> Option<(U, StreamManager)> {
        let d = self.sessions.remove(id)?;
        self.order.remove(&(d.expires, true, id.to_string()));
        Some((d.owner, d.machine))
    }

    /// Whether a detached session `id` is kept.
    pub fn contains(&self, id: &str) -> bool {
        self.sessions.contains_key(id)
    }

    /// The number of detached sessions.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// Whether no session is detached.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.order.first().map(|(t, _, _)| *t)
    }

    /// Expires the sessions whose time is up at `now` (and forgets old
    /// tombstones); returns the expired sessions.
    pub fn handle_timeout(&mut self, now: Instant) -> Vec<Expired<U>> {
        let mut out = Vec::new();
        while let Some(first) = self.order.first()
            && first.0 <= now
        {
            let (_, is_session, id) = self.order.pop_first().expect("non-empty");
            if !is_session {
                self.tombstones.remove(&id);
                continue;
            }
            let Some(mut d) = self.sessions.remove(&id) else {
                continue;
            };
            let h = d.machine.inbound_count().unwrap_or(0);
            let expires = later(now, self.tombstone_ttl);
            self.tombstones.insert(id.clone(), Tombstone { h, expires });
            self.order.insert((expires, false, id.clone()));
            out.push(Expired {
                id,
                owner: d.owner,
                unacknowledged: d.machine.take_unacknowledged(),
            });
        }
        out
    }

    fn forget(&mut self, id: &str) {
        if let Some(d) = self.sessions.remove(id) {
            self.order.remove(&(d.expires, true, id.to_string()));
        }
        if let Some(t) = self.tombstones.remove(id) {
            self.order.remove(&(t.expires, false, id.to_string()));
        }
    }
}

/// `now + d`, for an expiry that must have an instant: a duration too
/// large for the clock (a `max` of 2^32 s from a peer, `Duration::MAX` in
/// a configuration) is cut to a century instead of overflowing.
fn later(now: Instant, d: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    now.checked_add(d.min(CENTURY))
        .or_else(|| now.checked_add(CENTURY))
        .unwrap_or(now)
}
