//! The client end of a BOSH session, sans-IO.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use xep_core::{Stanza, StreamError};
use xep_element::{Payload, XsdBool};

use crate::elements::{Body, BodyType, Condition, MAX_RID, Rid};
use crate::keys::{self, BadKeys, ClientKeys, KeyConfig, MAX_KEY_SEQUENCE};

/// An HTTP request to POST ([`Session::poll_request`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Its rid: the outcome is reported under it
    /// ([`Session::handle_response`]).
    pub rid: Rid,
    /// The `<body/>` to POST.
    pub body: Vec<u8>,
}

/// How an HTTP request failed, as the caller's HTTP client saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpFailure {
    /// The connection broke or could not be made, or the caller gave up
    /// waiting.
    Network,
    /// An HTTP status other than 200. 400, 403 and 404 are the deprecated
    /// HTTP error conditions of XEP-0124 §17.1 and end the session; others
    /// are retried.
    Status(u16),
}

/// The settings of a client session (the session creation request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `to`: the target domain.
    pub to: String,
    /// `from`: the originator (e.g. the user's JID), if given.
    pub from: Option<String>,
    /// `xml:lang`.
    pub lang: Option<String>,
    /// `ver`: the highest BOSH version supported.
    pub ver: String,
    /// `wait`: the longest time the CM may hold a request, in seconds.
    pub wait: u16,
    /// `hold`: the number of requests the CM may hold (0 asks for a
    /// polling session).
    pub hold: u8,
    /// `content`: the Content-Type the responses must carry.
    pub content: Option<String>,
    /// `route`: `proto:host:port`.
    pub route: Option<String>,
    /// `xmpp:version` (XEP-0206), `Some("1.0")` for XMPP.
    pub xmpp_version: Option<String>,
    /// Whether to use acknowledgements (`ack='1'`).
    pub ack: bool,
    /// The largest response body accepted, in bytes.
    pub body_limit: usize,
    /// How many times one request is sent again after failures before the
    /// session is given up.
    pub max_retries: u32,
    /// How long past `wait` a request may stay unanswered before it counts
    /// as failed (and is sent again). In a polling session (`hold` 0) the
    /// connection manager answers at once, so `grace` alone bounds the
    /// answer: a lost poll is sent again well before the manager's
    /// `inactivity` period ends the session.
    pub grace: Duration,
    /// Key sequencing (XEP-0124 §15), off (`None`) by default: protects a
    /// session not carried over TLS against injected requests. The seed
    /// must come from the caller's random source; see [`KeyConfig`].
    pub keys: Option<KeyConfig>,
}

impl Config {
    /// XMPP over BOSH to `domain`: version 1.11, wait 60 s, hold 1, acks,
    /// `xmpp:version='1.0'`.
    pub fn xmpp(domain: impl Into<String>) -> Self {
        Config {
            to: domain.into(),
            from: None,
            lang: Some("en".into()),
            ver: "1.11".into(),
            wait: 60,
            hold: 1,
            content: None,
            route: None,
            xmpp_version: Some("1.0".into()),
            ack: true,
            body_limit: 1 << 20,
            max_retries: 3,
            grace: Duration::from_secs(10),
            keys: None,
        }
    }
}

/// What the session creation response said (XEP-0124 §7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionParams {
    /// The session id.
    pub sid: String,
    /// The longest time a request is held.
    pub wait: Duration,
    /// The number of requests the CM holds at most.
    pub hold: u8,
    /// The number of simultaneous requests allowed (`None`: no limit
    /// given; the client then keeps to `hold + 1`).
    pub requests: Option<u8>,
    /// The shortest interval between empty requests.
    pub polling: Option<Duration>,
    /// The longest time without a request held.
    pub inactivity: Option<Duration>,
    /// The longest pause allowed (`None`: pausing not supported).
    pub maxpause: Option<Duration>,
    /// Whether the CM acknowledges requests.
    pub ack: bool,
    /// The CM's BOSH version.
    pub ver: Option<String>,
    /// `xmpp:restartlogic`: the CM supports stream restarts.
    pub restartlogic: bool,
}

impl SessionParams {
    /// The number of requests the client keeps open at most.
    fn max_requests(&self) -> usize {
        match self.requests {
            Some(r) => usize::from(r.max(1)),
            None => usize::from(self.hold) + 1,
        }
    }
}

/// Why a session ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Termination {
    /// The CM acknowledged the client's termination request.
    Requested,
    /// The CM terminated it (`type='terminate'`), with its condition if
    /// any, the `<uri/>` of `see-other-uri` and the `<stream:error/>` of
    /// `remote-stream-error`.
    ByManager {
        /// The terminal binding condition.
        condition: Option<Condition>,
        /// Where to go instead (`see-other-uri`).
        uri: Option<String>,
        /// The transported stream error (`remote-stream-error`).
        stream_error: Option<Box<StreamError>>,
    },
    /// A request failed too often, or the CM answered with a deprecated
    /// HTTP error (400, 403, 404).
    Http(HttpFailure),
    /// The CM broke the protocol (e.g. a creation response without `sid`,
    /// or an unreadable body), as described.
    Protocol(String),
}

/// What the client session tells its caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The session was created.
    Created(SessionParams),
    /// A payload arrived (stanzas typed as [`Stanza`], stream features,
    /// SASL elements, ...), in order.
    Received(Payload),
    /// The session is over; nothing more will be sent.
    Terminated(Termination),
}

/// An error of [`Session::new`] and the other calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The initial rid is 0 or leaves less than 2^32 requests before
    /// 2^53-1 (XEP-0124 §14.1).
    BadInitialRid(u64),
    /// The CM does not support pauses, or the pause is longer than its
    /// `maxpause`.
    PauseNotAllowed,
    /// The session is not established (or already over).
    NotActive,
    /// A key sequence length (`n` of XEP-0124 §15.3) outside
    /// `2..=`[`MAX_KEY_SEQUENCE`]: a sequence needs a `newkey` and at
    /// least one `key`.
    BadKeyLength(u32),
    /// An empty key seed: the seed must be unpredictable bytes.
    EmptyKeySeed,
    /// [`Session::supply_key_seed`] on a session without keys
    /// ([`Config::keys`] is `None`).
    KeysNotEnabled,
}

impl From<BadKeys> for Error {
    fn from(b: BadKeys) -> Self {
        match b {
            BadKeys::Length(n) => Error::BadKeyLength(n),
            BadKeys::EmptySeed => Error::EmptyKeySeed,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::BadInitialRid(r) => write!(
                f,
                "initial rid {r} must be in 1..=2^53-1-2^32 so that the session never exceeds 2^53-1"
            ),
            Error::PauseNotAllowed => {
                write!(f, "pause not allowed by the connection manager")
            }
            Error::NotActive => write!(f, "the session is not active"),
            Error::BadKeyLength(n) => write!(
                f,
                "key sequence length {n} must be in 2..={MAX_KEY_SEQUENCE} (a newkey and at least one key)"
            ),
            Error::EmptyKeySeed => {
                write!(f, "the key seed is empty; it must be unpredictable bytes")
            }
            Error::KeysNotEnabled => {
                write!(
                    f,
                    "key sequencing is not enabled in the client configuration"
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// The headroom left under [`MAX_RID`] by the initial rid.
const RID_HEADROOM: u64 = 1 << 32;

/// Where the session stands, with what exists only there: the CM's
/// parameters from its creation response on.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    /// The creation request is not answered yet.
    Creating,
    /// Created, with the parameters the CM's creation response gave.
    Created { params: SessionParams, step: Step },
    /// Over; the parameters stay readable if the session was created.
    Terminated { params: Option<SessionParams> },
}

/// What a created session is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Active,
    /// After an answered pause request, until [`Session::resume`].
    Paused,
    /// The terminate request is sent.
    Terminating,
}

#[derive(Debug, Clone)]
struct InFlight {
    bytes: Vec<u8>,
    /// When the request was (last) handed to the caller; `None` while it
    /// waits to be sent again.
    sent_at: Option<Instant>,
    empty: bool,
    failures: u32,
    /// HTTP requests for this rid handed out and not answered yet.
    open: u32,
    /// When the request was first handed out.
    first_sent: Instant,
    pause: bool,
}

/// The client end of a BOSH session (XEP-0124 with the XMPP extensions of
/// XEP-0206), as a sans-IO machine: see the [crate documentation](crate).
///
/// It follows the workspace's state-machine contract (ARCHITECTURE.md,
/// "State machines: the one contract"): inputs take `now` first, misuse
/// is a `WrongState` error, output is polled.
#[derive(Debug)]
pub struct Session {
    config: Config,
    phase: Phase,
    initial_rid: u64,
    next_rid: u64,
    outbox: VecDeque<Payload>,
    in_flight: BTreeMap<u64, InFlight>,
    /// Requests to send again, in rid order.
    resend: BTreeSet<u64>,
    /// Responses received ahead of an earlier one (with whether the
    /// request was a pause).
    early: BTreeMap<u64, (Body, bool)>,
    /// The lowest rid whose response is not processed yet.
    next_to_process: u64,
    events: VecDeque<Event>,
    restart: bool,
    terminate: bool,
    pause: Option<u16>,
    /// No empty request before this instant (`polling`).
    next_empty: Option<Instant>,
    /// Key sequencing (XEP-0124 §15), if enabled.
    keys: Option<ClientKeys>,
}

impl Session {
    /// A session whose creation request will carry `initial_rid` (which the
    /// caller draws at random: this crate reads no randomness). It must be
    /// at least 1 and leave 2^32 requests before 2^53-1. With
    /// [`Config::keys`], the key sequence is generated here (its
    /// length and seed are checked: [`Error::BadKeyLength`],
    /// [`Error::EmptyKeySeed`]).
    pub fn new(config: Config, initial_rid: u64) -> Result<Self, Error> {
        if initial_rid == 0 || initial_rid > MAX_RID - RID_HEADROOM {
            return Err(Error::BadInitialRid(initial_rid));
        }
        let keys = match &config.keys {
            Some(k) => {
                keys::validate(&k.seed, k.length)?;
                Some(ClientKeys::new(k))
            }
            None => None,
        };
        Ok(Session {
            config,
            phase: Phase::Creating,
            initial_rid,
            next_rid: initial_rid,
            outbox: VecDeque::new(),
            in_flight: BTreeMap::new(),
            resend: BTreeSet::new(),
            early: BTreeMap::new(),
            next_to_process: initial_rid,
            events: VecDeque::new(),
            restart: false,
            terminate: false,
            pause: None,
            next_empty: None,
            keys,
        })
    }

    /// Supplies the seed and length (`n`) of the next key sequence
    /// (XEP-0124 §15.5): the request that carries the last key of the
    /// current sequence starts a sequence from this seed. Without it the
    /// next seed is derived from the current one (see [`KeyConfig`]). A
    /// second call before the switch replaces the first. The seed must be
    /// unpredictable: it comes from the caller's random source.
    ///
    /// Errors: [`Error::KeysNotEnabled`] without
    /// [`Config::keys`], [`Error::BadKeyLength`],
    /// [`Error::EmptyKeySeed`].
    pub fn supply_key_seed(&mut self, seed: Vec<u8>, length: u32) -> Result<(), Error> {
        let keys = self.keys.as_mut().ok_or(Error::KeysNotEnabled)?;
        keys::validate(&seed, length)?;
        keys.supply(seed, length);
        Ok(())
    }

    /// The negotiated parameters, once the session is created.
    pub fn params(&self) -> Option<&SessionParams> {
        match &self.phase {
            Phase::Creating => None,
            Phase::Created { params, .. } => Some(params),
            Phase::Terminated { params } => params.as_ref(),
        }
    }

    /// Whether the session is over.
    pub fn is_terminated(&self) -> bool {
        matches!(self.phase, Phase::Terminated { .. })
    }

    /// What the session is doing, once created and until it ends.
    fn step(&self) -> Option<Step> {
        match self.phase {
            Phase::Created { step, .. } => Some(step),
            _ => None,
        }
    }

    /// Moves a created session to `to` (nothing otherwise).
    fn set_step(&mut self, to: Step) {
        if let Phase::Created { step, .. } = &mut self.phase {
            *step = to;
        }
    }

    /// The rid the next new request will carry.
    pub fn next_rid(&self) -> u64 {
        self.next_rid
    }

    /// Queues a stanza; it goes out in the next request.
    pub fn send(&mut self, now: Instant, stanza: Stanza) {
        self.send_payload(now, Payload::new(stanza));
    }

    /// Queues any payload (e.g. a SASL element).
    pub fn send_payload(&mut self, now: Instant, payload: Payload) {
        // Queued only: the next poll_request (with its own now) sends it.
        let _ = now;
        if !self.is_terminated() {
            self.outbox.push_back(payload);
        }
    }

    /// Asks for a stream restart (XEP-0206 §5, after SASL success): the
    /// next request is an empty body with `xmpp:restart='true'`; what is
    /// queued goes after it.
    pub fn restart(&mut self) -> Result<(), Error> {
        if self.step() != Some(Step::Active) {
            return Err(Error::NotActive);
        }
        self.restart = true;
        Ok(())
    }

    /// Asks to terminate the session: the next request has
    /// `type='terminate'` and carries what is queued (e.g. an unavailable
    /// presence). [`Event::Terminated`] follows its response.
    pub fn terminate(&mut self) -> Result<(), Error> {
        if !matches!(self.step(), Some(Step::Active | Step::Paused)) {
            return Err(Error::NotActive);
        }
        self.terminate = true;
        self.set_step(Step::Active);
        Ok(())
    }

    /// Asks for a pause of `secs` seconds (XEP-0124 §10); after its
    /// response the session sends nothing until [`resume`](Self::resume).
    pub fn pause(&mut self, secs: u16) -> Result<(), Error> {
        let p = self.params().ok_or(Error::NotActive)?;
        match p.maxpause {
            Some(max) if Duration::from_secs(secs.into()) <= max => {}
            _ => return Err(Error::PauseNotAllowed),
        }
        if self.step() != Some(Step::Active) {
            return Err(Error::NotActive);
        }
        self.pause = Some(secs);
        Ok(())
    }

    /// Ends a pause: requests flow again.
    pub fn resume(&mut self) {
        if self.step() == Some(Step::Paused) {
            self.set_step(Step::Active);
            self.next_empty = None;
        }
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Requests without a response (including those waiting to be sent
    /// again: the CM may still hold them).
    fn outstanding(&self) -> usize {
        self.in_flight.len()
    }

    /// The next HTTP request to POST. A request sent again after a
    /// failure carries the same rid and the same bytes. Call until `None`;
    /// each request goes on its own connection (or a free kept-alive one).
    pub fn poll_request(&mut self, now: Instant) -> Option<Request> {
        // Every rid handed out is in 1..=MAX_RID: the initial one is
        // checked by `new`, and 2^32 requests fit below MAX_RID.
        self.next_request(now).map(|(rid, body)| Request {
            rid: Rid(rid),
            body,
        })
    }

    fn next_request(&mut self, now: Instant) -> Option<(u64, Vec<u8>)> {
        if self.is_terminated() {
            return None;
        }
        if let Some(rid) = self.resend.pop_first() {
            let r = self
                .in_flight
                .get_mut(&rid)
                .expect("resent requests are in flight");
            r.sent_at = Some(now);
            r.open += 1;
            return Some((rid, r.bytes.clone()));
        }
        if matches!(self.phase, Phase::Creating) {
            if self.next_rid != self.initial_rid {
                return None;
            }
            let c = &self.config;
            let body = Body {
                content: c.content.clone(),
                from: c.from.clone(),
                hold: Some(c.hold),
                rid: Rid::new(self.initial_rid),
                to: Some(c.to.clone()),
                route: c.route.clone(),
                ver: Some(c.ver.clone()),
                wait: Some(c.wait),
                ack: c.ack.then(|| Rid::new(1).expect("1")),
                lang: c.lang.clone(),
                xmpp_version: c.xmpp_version.clone(),
                ..Body::default()
            };
            return Some(self.emit(now, body, true));
        }
        let Phase::Created {
            params,
            step: Step::Active,
        } = &self.phase
        else {
            return None;
        };
        let mut body = Body {
            sid: Some(params.sid.clone()),
            ..Body::default()
        };
        let limit = params.max_requests();
        // An empty request keeps `hold` requests at the CM (at least one
        // at a time in a polling session), spaced by `polling` after an
        // empty answer (see `handle_response`).
        let hold = usize::from(params.hold).max(1);
        let outstanding = self.outstanding();
        if self.terminate {
            // One request beyond the limit is allowed for terminate.
            if outstanding > limit {
                return None;
            }
            body.type_ = Some(BodyType::Terminate);
            body.payloads = self.outbox.drain(..).collect();
            self.terminate = false;
            self.set_step(Step::Terminating);
            return Some(self.emit_with_ack(now, body));
        }
        if let Some(secs) = self.pause {
            if outstanding > limit {
                return None;
            }
            body.pause = Some(secs);
            self.pause = None;
            let out = self.emit_with_ack(now, body);
            self.in_flight.get_mut(&out.0).expect("just sent").pause = true;
            return Some(out);
        }
        if outstanding >= limit {
            return None;
        }
        if self.restart {
            let c = &self.config;
            body.xmpp_restart = Some(XsdBool::new(true));
            body.to = Some(c.to.clone());
            body.lang = c.lang.clone();
            self.restart = false;
            return Some(self.emit_with_ack(now, body));
        }
        if !self.outbox.is_empty() {
            body.payloads = self.outbox.drain(..).collect();
            return Some(self.emit_with_ack(now, body));
        }
        if outstanding >= hold || self.next_empty.is_some_and(|t| now < t) {
            return None;
        }
        let out = self.emit_with_ack(now, body);
        self.in_flight.get_mut(&out.0).expect("just sent").empty = true;
        Some(out)
    }

    fn emit_with_ack(&mut self, now: Instant, mut body: Body) -> (u64, Vec<u8>) {
        if self.config.ack {
            // The highest rid whose response (and every earlier one) was
            // received, unless every request so far has its response.
            let all_answered = self.in_flight.is_empty() && self.early.is_empty();
            if !all_answered {
                body.ack = Rid::new(self.next_to_process - 1);
            }
        }
        let empty = body.payloads.is_empty();
        self.emit(now, body, empty)
    }

    fn emit(&mut self, now: Instant, mut body: Body, empty: bool) -> (u64, Vec<u8>) {
        let rid = self.next_rid;
        self.next_rid += 1;
        body.rid = Rid::new(rid);
        // Keys go out in rid order, one per new request (XEP-0124 §15.4):
        // K(n) as `newkey` of the creation request, then K(n-1), ... as
        // `key`, with the `newkey` of a new sequence beside K(1) (§15.5).
        // A request sent again reuses its bytes, hence its key.
        if let Some(keys) = &mut self.keys {
            if rid == self.initial_rid {
                body.newkey = Some(keys.first());
            } else {
                let (key, newkey) = keys.next();
                body.key = Some(key);
                body.newkey = newkey;
            }
        }
        let bytes = body.to_bytes();
        self.in_flight.insert(
            rid,
            InFlight {
                bytes: bytes.clone(),
                sent_at: Some(now),
                empty,
                failures: 0,
                open: 1,
                first_sent: now,
                pause: false,
            },
        );
        (rid, bytes)
    }

    /// Reports the outcome of the HTTP request of `rid`: the bytes of a 200
    /// response, or how it failed. Every request handed out by
    /// [`poll_request`](Self::poll_request) gets exactly one outcome
    /// (a request given up on after [`handle_timeout`](Self::handle_timeout)
    /// is aborted and reported as failed). Responses may come in any order;
    /// they are processed in rid order. A failed request is sent again (same
    /// rid, same body) by [`poll_request`](Self::poll_request).
    pub fn handle_response(&mut self, now: Instant, rid: Rid, result: Result<&[u8], HttpFailure>) {
        let rid = rid.get();
        if self.is_terminated() {
            return;
        }
        let Some(req) = self.in_flight.get_mut(&rid) else {
            return; // late duplicate, or unknown
        };
        req.open = req.open.saturating_sub(1);
        // Another HTTP request for the same rid is still open: a failure
        // (or the recoverable error of a superseded request) of this one
        // changes nothing.
        let other_open = req.open > 0;
        let body = match result {
            Err(HttpFailure::Status(code @ (400 | 403 | 404))) => {
                return self.end(Termination::Http(HttpFailure::Status(code)));
            }
            Err(_) if other_open => return,
            Err(f) => return self.failed_with(rid, Termination::Http(f)),
            Ok(bytes) => match Body::from_bytes(bytes, self.config.body_limit) {
                Ok(b) => b,
                Err(_) if other_open => return,
                Err(e) => {
                    return self
                        .failed_with(rid, Termination::Protocol(format!("bad response: {e}")));
                }
            },
        };
        // A report: the CM says a response is missing; send that request
        // again.
        if let Some(report) = body.report.map(Rid::get)
            && report != rid
            && let Some(r) = self.in_flight.get_mut(&report)
            && r.sent_at.is_some()
        {
            r.sent_at = None;
            self.resend.insert(report);
        }
        if body.is_recoverable_error() {
            if other_open {
                return; // superseded by the request sent again
            }
            // Send this request and every earlier unanswered one again.
            let again: Vec<u64> = self.in_flight.range(..=rid).map(|(k, _)| *k).collect();
            for r in again {
                let f = self.in_flight.get_mut(&r).expect("in flight");
                if r == rid {
                    f.failures += 1;
                    if f.failures > self.config.max_retries {
                        return self.end(Termination::Http(HttpFailure::Network));
                    }
                }
                f.sent_at = None;
                self.resend.insert(r);
            }
            return;
        }
        let req = self.in_flight.remove(&rid).expect("checked");
        self.resend.remove(&rid);
        // The next empty request waits `polling` after an empty answer to
        // an empty request, measured from the answer (so that it reaches
        // the CM at least `polling` after the previous one, whatever the
        // network delays), in a polling session or when the answer came
        // sooner than `polling`; otherwise it goes at once.
        if req.empty
            && body.payloads.is_empty()
            && let Some(p) = self.params()
            && let Some(polling) = p.polling
        {
            let polling_session = p.hold == 0 || p.requests == Some(1);
            let quick = now.saturating_duration_since(req.first_sent) < polling;
            if polling_session || quick {
                self.next_empty = now.checked_add(polling);
            }
        }
        self.early.insert(rid, (body, req.pause));
        while let Some((body, pause)) = self.early.remove(&self.next_to_process) {
            let rid = self.next_to_process;
            self.next_to_process += 1;
            self.process(now, rid, body);
            if self.is_terminated() {
                break;
            }
            if pause && self.step() == Some(Step::Active) {
                self.set_step(Step::Paused);
            }
        }
    }

    fn failed_with(&mut self, rid: u64, give_up: Termination) {
        let max = self.config.max_retries;
        let r = self.in_flight.get_mut(&rid).expect("checked");
        r.failures += 1;
        if r.failures > max {
            return self.end(give_up);
        }
        r.sent_at = None;
        self.resend.insert(rid);
    }

    fn process(&mut self, _now: Instant, rid: u64, body: Body) {
        if rid == self.initial_rid {
            let Some(sid) = body.sid.clone() else {
                if body.is_terminate() {
                    return self.terminated_by_cm(body);
                }
                return self.end(Termination::Protocol(
                    "the session creation response has no 'sid'".into(),
                ));
            };
            let c = &self.config;
            let secs = |s: u16| Duration::from_secs(s.into());
            let params = SessionParams {
                sid,
                wait: secs(body.wait.unwrap_or(c.wait).min(c.wait)),
                hold: body.hold.unwrap_or(c.hold).min(c.hold),
                requests: body.requests,
                polling: body.polling.map(secs),
                inactivity: body.inactivity.map(secs),
                maxpause: body.maxpause.map(secs),
                ack: body.ack.is_some(),
                ver: body.ver.clone(),
                restartlogic: body.xmpp_restartlogic.is_some_and(|b| b.value),
            };
            match &mut self.phase {
                Phase::Creating => {
                    self.phase = Phase::Created {
                        params: params.clone(),
                        step: Step::Active,
                    }
                }
                Phase::Created { params: p, .. } => *p = params.clone(),
                Phase::Terminated { params: p } => *p = Some(params.clone()),
            }
            self.events.push_back(Event::Created(params));
        }
        if body.is_terminate() {
            return self.terminated_by_cm(body);
        }
        for p in body.payloads {
            self.events.push_back(Event::Received(p));
        }
        if self.step() == Some(Step::Terminating)
            && self.in_flight.is_empty()
            && self.early.is_empty()
        {
            // The terminate request was answered without type='terminate'
            // on any response: the session is over all the same.
            self.end(Termination::Requested);
        }
    }

    fn terminated_by_cm(&mut self, body: Body) {
        let stream_error = body.stream_error().map(Box::new);
        let mut out = Vec::new();
        for p in body.payloads {
            if p.get::<StreamError>().is_none() {
                out.push(Event::Received(p));
            }
        }
        self.events.extend(out);
        if self.step() == Some(Step::Terminating) && body.condition.is_none() {
            return self.end(Termination::Requested);
        }
        self.end(Termination::ByManager {
            condition: body.condition,
            uri: body.uri,
            stream_error,
        })
    }

    fn end(&mut self, t: Termination) {
        let params = match std::mem::replace(&mut self.phase, Phase::Creating) {
            Phase::Creating => None,
            Phase::Created { params, .. } => Some(params),
            Phase::Terminated { params } => params,
        };
        self.phase = Phase::Terminated { params };
        self.in_flight.clear();
        self.resend.clear();
        self.early.clear();
        self.outbox.clear();
        self.events.push_back(Event::Terminated(t));
    }

    fn request_deadline(&self, r: &InFlight) -> Option<Instant> {
        let wait = match self.params() {
            // A polling session (XEP-0124 §12): the connection manager
            // holds no request and answers each within a round trip. The
            // client must have a request there before `inactivity` runs
            // out (§10) even when one is lost, so it does not wait `wait`
            // for an answer that is not held.
            Some(p) if p.hold == 0 => Duration::ZERO,
            Some(p) => p.wait,
            None => Duration::from_secs(self.config.wait.into()),
        };
        r.sent_at?.checked_add(wait)?.checked_add(self.config.grace)
    }

    /// The next instant at which [`handle_timeout`](Self::handle_timeout)
    /// has something to do (a request unanswered for too long) or
    /// [`poll_request`](Self::poll_request) may have a new request (the
    /// polling interval ends).
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_terminated() {
            return None;
        }
        let mut t = self
            .in_flight
            .values()
            .filter_map(|r| self.request_deadline(r))
            .min();
        if self.step() == Some(Step::Active)
            && let Some(e) = self.next_empty
        {
            t = Some(t.map_or(e, |t| t.min(e)));
        }
        t
    }

    /// Time passed: requests unanswered for longer than `wait` plus the
    /// grace period (the grace period alone in a polling session) count as
    /// failed and are sent again.
    pub fn handle_timeout(&mut self, now: Instant) {
        let late: Vec<u64> = self
            .in_flight
            .iter()
            .filter(|(_, r)| self.request_deadline(r).is_some_and(|d| d <= now))
            .map(|(k, _)| *k)
            .collect();
        for rid in late {
            if self.is_terminated() {
                return;
            }
            // Sent again at once; the late attempt still gets its
            // outcome reported (the caller aborts it).
            self.failed_with(rid, Termination::Http(HttpFailure::Network));
        }
    }
}
