//! The connection manager end of a BOSH session, sans-IO.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use xep_core::Stanza;
use xep_element::{Payload, XsdBool};

use crate::elements::{Body, BodyType, Condition, Rid};
use crate::keys::{hex_sha1, is_key};

/// An HTTP response to write ([`Session::poll_response`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The connection (the caller's number, given to
    /// [`Session::handle_request`]) whose request this answers.
    pub conn: u64,
    /// The `<body/>` of the 200 response.
    pub body: Vec<u8>,
}

/// The connection manager's limits and offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The longest `wait` granted, in seconds.
    pub max_wait: u16,
    /// The largest `hold` granted.
    pub max_hold: u8,
    /// `polling`: the shortest interval between empty requests, in seconds.
    pub polling: u16,
    /// `inactivity`: the longest time without any request open, in seconds.
    pub inactivity: u16,
    /// `maxpause`: the longest pause granted (`None`: no pauses).
    pub maxpause: Option<u16>,
    /// `ver`: the highest BOSH version supported.
    pub ver: String,
    /// `from`: the identity of the backend server, if known.
    pub from: Option<String>,
    /// `xmpp:restartlogic` (XEP-0206): stream restarts are supported.
    pub restartlogic: bool,
    /// After how long without an acknowledgement a response is reported
    /// missing (`report`/`time`) when a request's `ack` shows it.
    pub report_after: Duration,
    /// Cached responses kept at most while the client does not acknowledge
    /// them (beyond `requests`).
    pub max_cached: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_wait: 60,
            max_hold: 1,
            polling: 2,
            inactivity: 30,
            maxpause: Some(120),
            ver: "1.11".into(),
            from: None,
            restartlogic: true,
            report_after: Duration::from_secs(1),
            max_cached: 64,
        }
    }
}

/// Why a connection manager session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Termination {
    /// The client sent `type='terminate'`.
    ByClient,
    /// [`Session::terminate`] was called (the server closed the stream).
    ByServer(Option<Condition>),
    /// The client broke the rules; it was told this condition
    /// (`policy-violation`, `item-not-found`, `bad-request`).
    Violation(Condition),
    /// No request for longer than the inactivity period: ended silently.
    Inactive,
    /// A request failed the key check of a protected session (XEP-0124
    /// §15.4); the client was told [`KeyFault::condition`].
    BadKey(KeyFault),
}

/// Why a request of a session protected by key sequencing (XEP-0124 §15)
/// was refused, ending the session without processing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFault {
    /// The request has no `key` although the previous one set `newkey` or
    /// `key` (§15.4): `item-not-found`.
    Missing {
        /// The rid of the request.
        rid: u64,
    },
    /// SHA-1 of the `key`, in hex, is not the `newkey` of the previous
    /// request (or its `key` when it set no `newkey`) (§15.4), e.g. a
    /// forged or replayed key: `item-not-found`.
    Mismatch {
        /// The rid of the request.
        rid: u64,
    },
    /// Another copy of an already received rid carries a different `key`
    /// or `newkey`: one of the two was not sent by the client (who sends a
    /// request again with the same bytes): `item-not-found`.
    RepeatDiffers {
        /// The rid of the request.
        rid: u64,
    },
    /// The `newkey` is not 40 hexadecimal digits (a key is a SHA-1 digest
    /// in hex, §15.3): `bad-request`.
    MalformedNewkey {
        /// The rid of the request.
        rid: u64,
    },
}

impl KeyFault {
    /// The terminal binding condition the client is told: `item-not-found`
    /// (§15.4, §17.2 "'key' sequence is invalid"), or `bad-request` for a
    /// malformed `newkey`.
    pub fn condition(&self) -> Condition {
        match self {
            KeyFault::MalformedNewkey { .. } => Condition::BadRequest,
            _ => Condition::ItemNotFound,
        }
    }
}

impl std::fmt::Display for KeyFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyFault::Missing { rid } => {
                write!(
                    f,
                    "request {rid} has no 'key' in a session protected by keys"
                )
            }
            KeyFault::Mismatch { rid } => write!(
                f,
                "the 'key' of request {rid} does not hash to the previous request's key"
            ),
            KeyFault::RepeatDiffers { rid } => write!(
                f,
                "a copy of request {rid} carries a different 'key' or 'newkey' than the first"
            ),
            KeyFault::MalformedNewkey { rid } => write!(
                f,
                "the 'newkey' of request {rid} is not 40 hexadecimal digits"
            ),
        }
    }
}

impl std::error::Error for KeyFault {}

/// What the connection manager session tells its caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A payload from the client to forward to the server, in rid order.
    Received(Payload),
    /// The client asked for a stream restart (XEP-0206 §5): open a new
    /// stream to the server and [`send`](Session::send) its features.
    Restart,
    /// The client paused the session for this long.
    Paused(Duration),
    /// The session is over.
    Terminated(Termination),
}

#[derive(Debug)]
struct Held {
    rid: u64,
    conn: u64,
    since: Instant,
}

#[derive(Debug)]
struct Pending {
    conn: u64,
    body: Body,
    arrived: Instant,
}

/// The connection manager end of one BOSH session: validates rids (window,
/// repeats answered from the cache), holds up to `hold` requests and
/// answers them when payloads arrive or `wait` passes, acknowledges,
/// reports missing responses, and enforces `polling` and `inactivity`.
///
/// HTTP requests are named by a connection token (`conn`) chosen by the
/// caller; each response names the token it answers.
///
/// It follows the workspace's state-machine contract (ARCHITECTURE.md,
/// "State machines: the one contract"): inputs take `now` first, misuse
/// is a `WrongState` error, output is polled.
#[derive(Debug)]
pub struct Session {
    config: Config,
    sid: String,
    creation_rid: u64,
    wait: Duration,
    hold: usize,
    requests: usize,
    client_ack: bool,
    content: Option<String>,
    phase: Phase,
    /// The lowest rid not processed yet.
    next_rid: u64,
    pending: BTreeMap<u64, Pending>,
    held: VecDeque<Held>,
    cache: BTreeMap<u64, (Vec<u8>, Instant)>,
    outbox: VecDeque<Payload>,
    responses: VecDeque<(u64, Vec<u8>)>,
    events: VecDeque<Event>,
    last_activity: Instant,
    pause: Option<Duration>,
    /// The last new empty request: when it arrived, its rid and whether its
    /// response carried payloads (once answered).
    last_empty: Option<(Instant, u64, Option<bool>)>,
    report: Option<(u64, u16)>,
    /// The last rid reported, and when.
    reported: Option<(u64, Instant)>,
    /// The highest rid the client acknowledged.
    acked: Option<u64>,
    /// Key sequencing (XEP-0124 §15): the value SHA-1 of the next request's
    /// `key` must have (lowercase hex); `None` for an unprotected session.
    expected_key: Option<String>,
    /// The `key` and `newkey` each processed request of a protected session
    /// carried, while a copy of it may still be answered (cached or held).
    seen_keys: BTreeMap<u64, (Option<String>, Option<String>)>,
}

/// Where the session stands, with what exists only there.
#[derive(Debug)]
enum Phase {
    /// Requests flow.
    Live,
    /// The server asked to end the session ([`Session::terminate`]): the
    /// terminate body, with these, answers the next held request.
    Terminating {
        condition: Option<Condition>,
        payloads: Vec<Payload>,
    },
    Terminated,
}

fn same_key(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

fn terminate_bytes(condition: Condition) -> Vec<u8> {
    Body {
        type_: Some(BodyType::Terminate),
        condition: Some(condition),
        ..Body::default()
    }
    .to_bytes()
}

impl Session {
    /// Creates the session for a session creation request (a `<body/>`
    /// with a `rid` and no `sid`) that arrived on `conn`, with the fresh,
    /// unpredictable `sid` the caller drew. The creation response is
    /// queued at once. `Err` holds the response that refuses it
    /// (`bad-request`, `improper-addressing`).
    ///
    /// A `newkey` in the request protects the session with key sequencing
    /// (XEP-0124 §15): every later request must carry a `key` whose SHA-1
    /// in hex is the previous request's `newkey` (or `key`), or the session
    /// ends with `item-not-found` ([`Termination::BadKey`]). A `newkey`
    /// that is not 40 hexadecimal digits is refused with `bad-request`.
    /// Without it the session is unprotected and `key`/`newkey` are
    /// ignored for its whole life: protection is chosen at creation
    /// (§15.4), so a forged request cannot switch it on and lock the
    /// client out.
    pub fn new(
        now: Instant,
        sid: String,
        conn: u64,
        request: &Body,
        config: Config,
    ) -> Result<Self, Vec<u8>> {
        let (Some(rid), None) = (request.rid, &request.sid) else {
            return Err(terminate_bytes(Condition::BadRequest));
        };
        if request.to.is_none() && request.route.is_none() {
            return Err(terminate_bytes(Condition::ImproperAddressing));
        }
        if request.newkey.as_deref().is_some_and(|k| !is_key(k)) {
            return Err(terminate_bytes(Condition::BadRequest));
        }
        let expected_key = request.newkey.as_deref().map(str::to_ascii_lowercase);
        let mut seen_keys = BTreeMap::new();
        if expected_key.is_some() {
            seen_keys.insert(rid.get(), (request.key.clone(), request.newkey.clone()));
        }
        let wait = request.wait.unwrap_or(config.max_wait).min(config.max_wait);
        let hold = request.hold.unwrap_or(1).min(config.max_hold);
        let requests = hold.saturating_add(1);
        let polling_session = hold == 0 || wait == 0;
        let inactivity = if polling_session {
            config.inactivity.max(config.polling.saturating_mul(2))
        } else {
            config.inactivity
        };
        let client_ack = request.ack.is_some();
        let response = Body {
            sid: Some(sid.clone()),
            wait: Some(wait),
            hold: Some(hold),
            requests: Some(requests),
            polling: Some(config.polling),
            inactivity: Some(inactivity),
            maxpause: config.maxpause,
            ack: if client_ack { Some(rid) } else { None },
            ver: Some(config.ver.clone()),
            from: config.from.clone(),
            xmpp_version: request.xmpp_version.as_ref().map(|_| "1.0".to_string()),
            xmpp_restartlogic: config.restartlogic.then_some(XsdBool::new(true)),
            ..Body::default()
        }
        .to_bytes();
        let mut cache = BTreeMap::new();
        cache.insert(rid.get(), (response.clone(), now));
        let mut config = config;
        config.inactivity = inactivity;
        Ok(Session {
            config,
            sid,
            creation_rid: rid.get(),
            wait: Duration::from_secs(wait.into()),
            hold: hold.into(),
            requests: requests.into(),
            client_ack,
            content: request.content.clone(),
            phase: Phase::Live,
            next_rid: rid.get() + 1,
            pending: BTreeMap::new(),
            held: VecDeque::new(),
            cache,
            outbox: VecDeque::new(),
            responses: VecDeque::from([(conn, response)]),
            events: VecDeque::new(),
            last_activity: now,
            pause: None,
            last_empty: None,
            report: None,
            reported: None,
            acked: None,
            expected_key,
            seen_keys,
        })
    }

    /// The rid of the session creation request. A request without `sid`
    /// and with this rid is the creation request sent again (its response
    /// was lost): the caller routes it to this session, which answers it
    /// from its cache.
    pub fn creation_rid(&self) -> u64 {
        self.creation_rid
    }

    /// The session id.
    pub fn sid(&self) -> &str {
        &self.sid
    }

    /// The HTTP Content-Type of every response (the client's `content`, or
    /// `text/xml; charset=utf-8`).
    pub fn content_type(&self) -> &str {
        self.content.as_deref().unwrap_or("text/xml; charset=utf-8")
    }

    /// Whether the session is over.
    pub fn is_terminated(&self) -> bool {
        matches!(self.phase, Phase::Terminated)
    }

    /// Whether the session is protected by key sequencing (XEP-0124 §15:
    /// its creation request carried `newkey`).
    pub fn is_key_protected(&self) -> bool {
        self.expected_key.is_some()
    }

    /// The negotiated `hold`.
    pub fn hold(&self) -> usize {
        self.hold
    }

    /// Queues a stanza from the server for the client.
    pub fn send(&mut self, now: Instant, stanza: Stanza) {
        self.send_payload(now, Payload::new(stanza));
    }

    /// Queues any payload (stream features, SASL elements, ...).
    pub fn send_payload(&mut self, now: Instant, payload: Payload) {
        if !self.is_terminated() {
            self.outbox.push_back(payload);
            self.settle(now);
        }
    }

    /// Ends the session from the server side, with a condition (e.g.
    /// `remote-stream-error`, adding the `<stream:error/>` to `payloads`)
    /// or none (the server closed the stream). What is queued goes first.
    pub fn terminate(
        &mut self,
        now: Instant,
        condition: Option<Condition>,
        payloads: Vec<Payload>,
    ) {
        if self.is_terminated() {
            return;
        }
        self.phase = Phase::Terminating {
            condition,
            payloads,
        };
        self.settle(now);
    }

    /// The next HTTP response to write.
    pub fn poll_response(&mut self) -> Option<Response> {
        self.responses
            .pop_front()
            .map(|(conn, body)| Response { conn, body })
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// A request arrived on `conn` (its body parsed with
    /// [`Body::from_bytes`]; a body that does not parse should be answered
    /// with a `bad-request` termination by the caller).
    pub fn handle_request(&mut self, now: Instant, conn: u64, body: Body) {
        if self.is_terminated() {
            // After a clean termination, a response lost on the way is
            // still answered from the cache.
            let cached = body
                .rid
                .filter(|r| self.repeat_keys_match(r.get(), &body))
                .and_then(|r| self.cache.get(&r.get()))
                .filter(|_| body.sid.as_deref() == Some(self.sid.as_str()));
            let bytes = match cached {
                Some((bytes, _)) => bytes.clone(),
                None => terminate_bytes(Condition::ItemNotFound),
            };
            self.responses.push_back((conn, bytes));
            return;
        }
        let creation_repeat =
            body.sid.is_none() && body.rid.map(Rid::get) == Some(self.creation_rid);
        if body.sid.as_deref() != Some(self.sid.as_str()) && !creation_repeat {
            self.responses
                .push_back((conn, terminate_bytes(Condition::ItemNotFound)));
            return;
        }
        let Some(rid) = body.rid.map(Rid::get) else {
            return self.violation(conn, Condition::BadRequest);
        };
        self.last_activity = now;
        self.prune_seen_keys();
        if rid < self.next_rid {
            // A repeat: the cached response, or the newer connection takes
            // over a held request. In a protected session it must carry the
            // keys of the copy processed (§15.4).
            if !self.repeat_keys_match(rid, &body) {
                return self.key_violation(conn, KeyFault::RepeatDiffers { rid });
            }
            if let Some((bytes, _)) = self.cache.get(&rid) {
                self.responses.push_back((conn, bytes.clone()));
            } else if let Some(h) = self.held.iter_mut().find(|h| h.rid == rid) {
                let old = std::mem::replace(&mut h.conn, conn);
                self.responses.push_back((old, recoverable()));
            } else if self.acked.is_some_and(|a| rid <= a) {
                // A late copy of a request whose response the client has
                // acknowledged: it waits for nothing, and the network may
                // deliver such copies late. Not worth killing the session.
                self.responses.push_back((conn, recoverable()));
            } else {
                self.violation(conn, Condition::ItemNotFound);
            }
            return;
        }
        if let Some(p) = self.pending.get_mut(&rid) {
            if self.expected_key.is_some()
                && !(same_key(&p.body.key, &body.key) && same_key(&p.body.newkey, &body.newkey))
            {
                // Neither copy can be checked before the previous request
                // arrives, but one of them is forged.
                return self.key_violation(conn, KeyFault::RepeatDiffers { rid });
            }
            let old = std::mem::replace(&mut p.conn, conn);
            self.responses.push_back((old, recoverable()));
            return;
        }
        if rid > self.next_rid + self.requests as u64 {
            return self.violation(conn, Condition::ItemNotFound);
        }
        self.pending.insert(
            rid,
            Pending {
                conn,
                body,
                arrived: now,
            },
        );
        // One request beyond `requests` is allowed to pause or terminate.
        let extra = self
            .pending
            .values()
            .any(|p| p.body.pause.is_some() || p.body.is_terminate());
        if self.held.len() + self.pending.len() > self.requests + usize::from(extra) {
            return self.violation(conn, Condition::PolicyViolation);
        }
        while let Some(p) = self.pending.remove(&self.next_rid) {
            let rid = self.next_rid;
            if let Err(fault) = self.check_key(rid, &p.body) {
                // Not processed (§15.4): the session ends.
                return self.key_violation(p.conn, fault);
            }
            self.next_rid += 1;
            self.process(now, rid, p);
            if self.is_terminated() {
                return;
            }
        }
        self.settle(now);
    }

    /// The key check of XEP-0124 §15.4 for the next request in rid order,
    /// which becomes the reference of the one after it.
    fn check_key(&mut self, rid: u64, body: &Body) -> Result<(), KeyFault> {
        let Some(expected) = &self.expected_key else {
            return Ok(()); // unprotected: keys are ignored
        };
        let Some(key) = &body.key else {
            return Err(KeyFault::Missing { rid });
        };
        // Keys are hashed as sent; the comparison ignores case (§15.3).
        if !hex_sha1(key.as_bytes()).eq_ignore_ascii_case(expected) {
            return Err(KeyFault::Mismatch { rid });
        }
        if body.newkey.as_deref().is_some_and(|k| !is_key(k)) {
            return Err(KeyFault::MalformedNewkey { rid });
        }
        // A new sequence (§15.5) when `newkey` is set; else the next key
        // of this one.
        let next = body.newkey.as_deref().unwrap_or(key);
        self.expected_key = Some(next.to_ascii_lowercase());
        self.seen_keys
            .insert(rid, (body.key.clone(), body.newkey.clone()));
        Ok(())
    }

    /// Whether a copy of the processed request `rid` carries the keys the
    /// processed one carried (always, in an unprotected session or when
    /// that request is forgotten).
    fn repeat_keys_match(&self, rid: u64, body: &Body) -> bool {
        match self.seen_keys.get(&rid) {
            Some((key, newkey)) => same_key(key, &body.key) && same_key(newkey, &body.newkey),
            None => true,
        }
    }

    /// Forgets the keys of requests no copy of which can be answered any
    /// more (neither cached nor held).
    fn prune_seen_keys(&mut self) {
        let low = self
            .cache
            .keys()
            .next()
            .copied()
            .into_iter()
            .chain(self.held.iter().map(|h| h.rid))
            .min()
            .unwrap_or(self.next_rid);
        self.seen_keys.retain(|r, _| *r >= low);
    }

    fn key_violation(&mut self, conn: u64, fault: KeyFault) {
        self.violation_with(conn, fault.condition(), Termination::BadKey(fault));
    }

    fn violation(&mut self, conn: u64, condition: Condition) {
        self.violation_with(conn, condition.clone(), Termination::Violation(condition));
    }

    fn violation_with(&mut self, conn: u64, condition: Condition, t: Termination) {
        let bytes = terminate_bytes(condition);
        // Every open request is answered: the session is gone.
        for h in std::mem::take(&mut self.held) {
            self.responses.push_back((h.conn, bytes.clone()));
        }
        for (_, p) in std::mem::take(&mut self.pending) {
            if p.conn != conn {
                self.responses.push_back((p.conn, bytes.clone()));
            }
        }
        self.responses.push_back((conn, bytes));
        self.end(t);
    }

    fn end(&mut self, t: Termination) {
        self.phase = Phase::Terminated;
        if !matches!(t, Termination::ByClient | Termination::ByServer(_)) {
            self.cache.clear();
        }
        self.outbox.clear();
        self.events.push_back(Event::Terminated(t));
    }

    fn process(&mut self, now: Instant, rid: u64, p: Pending) {
        let Pending {
            conn,
            body,
            arrived,
        } = p;
        self.pause = None;
        // Acknowledgements from the client free cached responses and may
        // reveal a lost one.
        if let Some(ack) = body.ack.map(Rid::get) {
            let lost = ack + 1;
            let recently = self.reported.is_some_and(|(r, at)| {
                r == lost
                    && at
                        .checked_add(self.config.report_after)
                        .is_none_or(|d| now < d)
            });
            if let Some((_, sent)) = self.cache.get(&lost)
                && now.saturating_duration_since(*sent) >= self.config.report_after
                && !recently
            {
                self.reported = Some((lost, now));
                let ms = now.saturating_duration_since(*sent).as_millis();
                self.report = Some((lost, u16::try_from(ms).unwrap_or(u16::MAX)));
            }
            self.cache.retain(|r, _| *r > ack);
            self.acked = self.acked.max(Some(ack));
        }
        let empty = body.payloads.is_empty()
            && body.pause.is_none()
            && !body.is_terminate()
            && !body.is_restart();
        if empty && self.hold == 0 {
            // Polling session: two empty requests closer than `polling`,
            // the first answered without payloads.
            if let Some((at, _, Some(false))) = self.last_empty
                && arrived.saturating_duration_since(at)
                    < Duration::from_secs(self.config.polling.into())
            {
                return self.violation(conn, Condition::PolicyViolation);
            }
        }
        if empty {
            self.last_empty = Some((arrived, rid, None));
        }
        self.held.push_back(Held {
            rid,
            conn,
            since: now,
        });
        if body.is_terminate() {
            for p in body.payloads {
                self.events.push_back(Event::Received(p));
            }
            // The oldest open request carries the termination, the others
            // are answered empty.
            let mut first = true;
            for h in std::mem::take(&mut self.held) {
                let mut b = Body::default();
                if first {
                    b.type_ = Some(BodyType::Terminate);
                    b.payloads = self.outbox.drain(..).collect();
                    first = false;
                }
                self.answer(now, h, b);
            }
            return self.end(Termination::ByClient);
        }
        if body.is_restart() {
            // Payloads of a restart request are ignored (XEP-0206 §5).
            self.events.push_back(Event::Restart);
        } else {
            for p in body.payloads {
                self.events.push_back(Event::Received(p));
            }
        }
        if let Some(secs) = body.pause
            && self.config.maxpause.is_some_and(|m| secs <= m)
        {
            let d = Duration::from_secs(secs.into());
            self.pause = Some(d);
            self.events.push_back(Event::Paused(d));
            // Every open request is answered at once, the pause request
            // without payloads.
            let pause = self.held.pop_back().expect("just pushed");
            for h in std::mem::take(&mut self.held) {
                let b = Body {
                    payloads: self.outbox.drain(..).collect(),
                    ..Body::default()
                };
                self.answer(now, h, b);
            }
            self.answer(now, pause, Body::default());
        }
    }

    /// Answers what should be answered now.
    fn settle(&mut self, now: Instant) {
        // A termination of ours goes out with the first held request.
        match std::mem::replace(&mut self.phase, Phase::Live) {
            Phase::Terminating {
                condition,
                payloads,
            } if !self.held.is_empty() => {
                let mut first = true;
                for h in std::mem::take(&mut self.held) {
                    let mut b = Body::default();
                    if first {
                        b.type_ = Some(BodyType::Terminate);
                        b.condition = condition.clone();
                        b.payloads = self.outbox.drain(..).collect();
                        b.payloads.extend(payloads.iter().cloned());
                        first = false;
                    }
                    self.answer(now, h, b);
                }
                return self.end(Termination::ByServer(condition));
            }
            other => self.phase = other,
        }
        if let Some((report, time)) = self.report
            && let Some(h) = self.held.pop_front()
        {
            self.report = None;
            let b = Body {
                report: Rid::new(report),
                time: Some(time),
                payloads: self.outbox.drain(..).collect(),
                ..Body::default()
            };
            self.answer(now, h, b);
        }
        if !self.outbox.is_empty()
            && let Some(h) = self.held.pop_front()
        {
            let b = Body {
                payloads: self.outbox.drain(..).collect(),
                ..Body::default()
            };
            self.answer(now, h, b);
        }
        while self.held.len() > self.hold {
            let h = self.held.pop_front().expect("non-empty");
            self.answer(now, h, Body::default());
        }
    }

    fn answer(&mut self, now: Instant, h: Held, mut b: Body) {
        if self.client_ack && self.next_rid - 1 != h.rid {
            b.ack = Rid::new(self.next_rid - 1);
        }
        if let Some((_, rid, answered)) = &mut self.last_empty
            && *rid == h.rid
        {
            *answered = Some(!b.payloads.is_empty());
        }
        let bytes = b.to_bytes();
        self.cache.insert(h.rid, (bytes.clone(), now));
        let keep = if self.client_ack {
            self.config.max_cached.max(self.requests)
        } else {
            self.requests
        };
        while self.cache.len() > keep {
            self.cache.pop_first();
        }
        self.responses.push_back((h.conn, bytes));
        self.last_activity = now;
    }

    fn inactivity(&self) -> Duration {
        self.pause
            .unwrap_or(Duration::from_secs(self.config.inactivity.into()))
    }

    /// The next instant [`handle_timeout`](Self::handle_timeout) has
    /// something to do: a held request reaching `wait`, a request waiting
    /// for an earlier one too long, or the inactivity period ending.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_terminated() {
            return None;
        }
        let mut t = self
            .held
            .front()
            .and_then(|h| h.since.checked_add(self.wait));
        if let Some(p) = self
            .pending
            .values()
            .filter_map(|p| p.arrived.checked_add(self.wait))
            .min()
        {
            t = Some(t.map_or(p, |t| t.min(p)));
        }
        if self.held.is_empty() && self.pending.is_empty() {
            if let Some(i) = self.last_activity.checked_add(self.inactivity()) {
                t = Some(t.map_or(i, |t| t.min(i)));
            }
        }
        t
    }

    /// Time passed: held requests older than `wait` are answered (empty),
    /// requests stuck behind a missing one are answered with a recoverable
    /// error (the client sends them again with the missing one), and an
    /// inactive session ends silently.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.is_terminated() {
            return;
        }
        while self
            .held
            .front()
            .is_some_and(|h| h.since.checked_add(self.wait).is_some_and(|d| d <= now))
        {
            let h = self.held.pop_front().expect("checked");
            self.answer(now, h, Body::default());
        }
        let stuck: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, p)| p.arrived.checked_add(self.wait).is_some_and(|d| d <= now))
            .map(|(r, _)| *r)
            .collect();
        for rid in stuck {
            let p = self.pending.remove(&rid).expect("listed");
            self.responses.push_back((p.conn, recoverable()));
        }
        if self.held.is_empty()
            && self.pending.is_empty()
            && self
                .last_activity
                .checked_add(self.inactivity())
                .is_some_and(|d| d <= now)
        {
            self.end(Termination::Inactive);
        }
    }
}

fn recoverable() -> Vec<u8> {
    Body {
        type_: Some(BodyType::Error),
        ..Body::default()
    }
    .to_bytes()
}
