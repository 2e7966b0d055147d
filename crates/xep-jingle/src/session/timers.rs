//! The timers of an [`Endpoint`]: their configuration, their deadlines
//! and what happens when they fire.

use std::time::{Duration, Instant};

use crate::jingle::{Action, Jingle, Reason, ReasonCondition};

use super::state::{Role, Session, SessionKey, State};
use super::{Endpoint, Event};

/// The timers of an [`Endpoint`].
///
/// XEP-0166 fixes no durations. It defines the `<timeout/>` reason
/// condition (§7.4: "A request has not been answered so the sender is
/// timing out the request"), which is what the request and ring timers
/// put in the session-terminate they send, and it says that as soon as an entity
/// sends a session-terminate it considers the session ENDED, without
/// waiting for the acknowledgement (§6.7).
///
/// A duration too large to be added to the `now` of an input (such as
/// `Duration::MAX`) disables its timer (for the linger: ended sessions
/// are kept for ever).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// How long a request of ours (any action) may stay without an iq
    /// result or error; default 30 seconds, the usual iq timeout of XMPP
    /// clients, far above a round trip through the servers.
    ///
    /// When it expires the request is treated as failed and an
    /// [`Event::TimedOut`] is emitted (a reply that comes later is not
    /// recognised: [`Endpoint::handle_iq`] returns `false`). If the request
    /// was a session-initiate or a session-accept, without which the
    /// session cannot proceed, the session is also ended: a session-terminate
    /// with `<reason><timeout/></reason>` is sent to the peer (§7.4; the
    /// peer may have received the request, and must not keep a session we
    /// dropped) and the session is ENDED at once (§6.7), with an
    /// [`Event::StateChanged`] carrying that reason. For the other actions
    /// the session stays as it was; note that the peer may have received
    /// and applied the request all the same, so after a timed-out
    /// negotiation (content-add, -accept, -reject, transport-replace,
    /// -accept, -reject) the two views of the session may differ until the
    /// caller resolves it (terminating the session, for instance).
    ///
    /// The session-terminate a timer sends is a request like any other,
    /// with its own request timeout (whose expiry changes nothing more:
    /// the session is already ENDED).
    pub request_timeout: Duration,
    /// How long a session we initiated may stay PENDING (initiated, not
    /// accepted), counted from the session-initiate; default 60 seconds,
    /// about how long a phone rings before giving up.
    ///
    /// When it expires the initiator ends the session: a session-terminate
    /// with `<reason><timeout/></reason>` is sent (§7.4: the session-initiate
    /// has not been answered by a session-accept) and the session is ENDED
    /// at once (§6.7), with an [`Event::StateChanged`] carrying that
    /// reason. The responder runs no such timer: ending a pending session
    /// is the initiator's decision (or the user's, with a decline).
    ///
    /// XEP-0166 gives the responder no timer of its own: after
    /// acknowledging a session-initiate it prompts its user and sends
    /// session-accept only once the user agreed, or session-terminate when
    /// the user cannot or will not proceed (§6.3.1, §6.5), for however
    /// long the user takes. A responder wanting a limit runs it itself
    /// from the `now` of the [`Event::Incoming`] and calls
    /// [`Endpoint::terminate`] (with `<decline/>`, say) when it expires;
    /// an [`Event::StateChanged`] to [`State::Ended`] tells it when the
    /// initiator ended the session first (hanging up, or on this timer).
    /// Likewise §6.7 makes the peer's unavailable presence a reason to
    /// terminate, which only the caller can see.
    pub ring_timeout: Duration,
    /// How long an ended session is remembered, counted from the moment
    /// it ended (when we sent or received its session-terminate, or a
    /// timer or an error to our session-initiate ended it); default 30
    /// seconds, the default request timeout.
    ///
    /// While it lingers the session is still listed by
    /// [`Endpoint::sessions`] and [`Endpoint::session`] in
    /// [`State::Ended`]; requests about it are answered `unknown-session`
    /// as XEP-0166 §6.7 requires, with the text "the session has ended";
    /// a late reply to one of our requests about it (typically the
    /// acknowledgement of the session-terminate) is still reported by
    /// [`Event::Answered`]; and its id is still taken: [`Endpoint::initiate`] refuses it
    /// ([`SessionError::DuplicateSession`](super::SessionError::DuplicateSession)) and a session-initiate from the
    /// peer with it is refused `out-of-order`, so that a late or repeated
    /// initiate is not taken for a new call.
    ///
    /// When it expires, [`Endpoint::handle_timeout`] forgets the session:
    /// requests of ours about it still unanswered are given up, each with
    /// an [`Event::TimedOut`] (their replies are no longer recognised);
    /// the session leaves [`Endpoint::sessions`]; requests quoting its id
    /// get `unknown-session` like any unknown id; and the id can be used
    /// again with that peer. Without this an endpoint would keep every
    /// session it ever had.
    ///
    /// Forgetting has a cost: a request about the session that stays in
    /// transit for longer than the linger is taken as about an unknown id.
    /// For a session-initiate that means a new session. The initiator's
    /// request timeout normally covers it (the session-terminate it sends
    /// follows the late initiate and ends the session), except for a
    /// session-initiate that lost a tie-break of equal ids (§7.2.16),
    /// whose sender dropped it: if it reaches the peer only after the peer
    /// forgot the winning session, the peer gets an incoming session that
    /// the sender does not have and that no ring timeout will end. Its
    /// caller ends it, as any incoming session it does not want (a
    /// session-accept would be answered `unknown-session`). With random
    /// session ids (§7.1) equal ids are rare.
    ///
    /// Why 30 seconds: every request about a session is sent at the
    /// latest when it ends (the session-terminate is the last one), so a
    /// linger of at least [`request_timeout`](Self::request_timeout) lets
    /// each of them be answered or time out normally before the session
    /// is forgotten; it is far longer than a round trip through the
    /// servers, so that the peer's requests crossing the end of the
    /// session, and a repeated session-initiate, are refused as about the
    /// ended session rather than taken for new ones, and the caller can
    /// still look the session up when it handles the
    /// [`Event::StateChanged`]; and it is short enough that a client
    /// placing calls all day keeps only a handful of ended sessions.
    pub linger: Duration,
}

impl Config {
    /// The default request timeout: 30 seconds.
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
    /// The default ring timeout: 60 seconds.
    pub const DEFAULT_RING_TIMEOUT: Duration = Duration::from_secs(60);
    /// The default linger period of ended sessions: 30 seconds.
    pub const DEFAULT_LINGER: Duration = Duration::from_secs(30);
}

impl Default for Config {
    fn default() -> Self {
        Config {
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            ring_timeout: Self::DEFAULT_RING_TIMEOUT,
            linger: Self::DEFAULT_LINGER,
        }
    }
}

/// A timer of an [`Endpoint`] that is due.
enum Timer {
    /// The request with this iq id times out.
    Request(String),
    /// The session rings too long.
    Ring(SessionKey),
    /// The ended session is forgotten.
    Linger(SessionKey),
}

impl Endpoint {
    /// The earliest deadline of the timers (see [`Config`]: requests,
    /// ring timeouts and the linger of ended sessions): when to call
    /// [`handle_timeout`](Self::handle_timeout) next. `None` when no timer
    /// runs.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let requests = self.outstanding.values().filter_map(|o| o.deadline);
        let sessions = self
            .sessions
            .values()
            .flat_map(|s| [s.ring_deadline, s.linger_deadline])
            .flatten();
        requests.chain(sessions).min()
    }

    /// Fires every timer due at `now` (deadline at or before it), in
    /// deadline order, including timers started while firing (only
    /// possible with zero durations). Afterwards
    /// [`poll_timeout`](Self::poll_timeout) is `None` or later than `now`
    /// (when the configured durations are not zero).
    ///
    /// At equal deadlines request timers fire first, then ring timers,
    /// then the linger of ended sessions, so that a request whose timeout
    /// falls when its session is forgotten is reported as timed out.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(timer) = self.next_due(now) {
            match timer {
                Timer::Request(id) => self.request_timed_out(now, &id),
                Timer::Ring(k) => self.ring_timed_out(now, &k),
                Timer::Linger(k) => self.forget(&k),
            }
        }
    }

    /// The first timer due at `now`, if any.
    fn next_due(&self, now: Instant) -> Option<Timer> {
        let request = self
            .outstanding
            .iter()
            .filter_map(|(id, o)| Some((o.deadline?, o.seq, id)))
            .filter(|(d, _, _)| *d <= now)
            .min()
            .map(|(d, _, id)| ((d, 0), Timer::Request(id.clone())));
        let session = |rank: u8, deadline: fn(&Session) -> Option<Instant>| {
            self.sessions
                .iter()
                .filter_map(|(k, s)| Some((deadline(s)?, k)))
                .filter(|(d, _)| *d <= now)
                .min()
                .map(|(d, k)| ((d, rank), k.clone()))
        };
        let ring = session(1, |s| s.ring_deadline).map(|(at, k)| (at, Timer::Ring(k)));
        let linger = session(2, |s| s.linger_deadline).map(|(at, k)| (at, Timer::Linger(k)));
        [request, ring, linger]
            .into_iter()
            .flatten()
            .min_by_key(|(at, _)| *at)
            .map(|(_, t)| t)
    }

    /// Forgets the ended session `k` at the end of its linger period,
    /// giving up the requests of ours about it still unanswered.
    fn forget(&mut self, k: &SessionKey) {
        if self.sessions.remove(k).is_none() {
            return;
        }
        let mut given_up: Vec<(u64, String)> = self
            .outstanding
            .iter()
            .filter(|(_, o)| o.peer == k.0 && o.sid == k.1 && !o.detached)
            .map(|(id, o)| (o.seq, id.clone()))
            .collect();
        given_up.sort();
        for (_, id) in given_up {
            if let Some(o) = self.outstanding.remove(&id) {
                self.events.push_back(Event::TimedOut {
                    peer: o.peer,
                    sid: o.sid,
                    id,
                    action: o.jingle.action,
                });
            }
        }
    }

    fn request_timed_out(&mut self, now: Instant, id: &str) {
        let Some(o) = self.outstanding.remove(id) else {
            return;
        };
        let k = o.key();
        let action = o.jingle.action;
        self.events.push_back(Event::TimedOut {
            peer: o.peer,
            sid: o.sid,
            id: id.to_string(),
            action,
        });
        let Some(s) = self.sessions.get_mut(&k).filter(|_| !o.detached) else {
            return;
        };
        if action == Action::SessionInitiate {
            s.initiate_pending = false;
        }
        if matches!(action, Action::SessionInitiate | Action::SessionAccept)
            && s.state != State::Ended
        {
            self.end_on_timeout(now, &k);
        }
    }

    fn ring_timed_out(&mut self, now: Instant, k: &SessionKey) {
        let Some(s) = self.sessions.get_mut(k) else {
            return;
        };
        s.ring_deadline = None;
        if s.role == Role::Initiator && s.state == State::Pending {
            self.end_on_timeout(now, k);
        }
    }

    /// Sends session-terminate with `<timeout/>` and ends the session.
    fn end_on_timeout(&mut self, now: Instant, k: &SessionKey) {
        let reason = Reason::new(ReasonCondition::Timeout);
        let j = Jingle::new(Action::SessionTerminate, k.1.clone()).with_reason(reason.clone());
        self.send(now, k, j);
        self.set_state(now, k, State::Ended, Some(reason));
    }
}
