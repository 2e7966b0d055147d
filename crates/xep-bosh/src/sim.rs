//! A simulated client and connection manager, each with its machine
//! ([`client::Session`], [`cm::Session`]), over an HTTP model that delays,
//! reorders and drops requests and responses: the harness of the property
//! tests (every stanza delivered exactly once and in order, both ways; the
//! session survives the loss of any single HTTP request or response) and
//! of a fuzz target (to be listed in `MACHINES` of `xtask/src/fuzz.rs`),
//! which decodes a schedule from bytes with [`schedule_from_bytes`].
//! Sessions may be protected by key sequencing (XEP-0124 §15) with short
//! sequences, so that the client switches to a new sequence often
//! ([`check_with_keys`]); the connection manager then ends the session on
//! any key out of place, which the harness reports as an early end.
//! Enabled by the `sim` feature (and in this crate's tests). Setting the
//! environment variable `BOSH_SIM_TRACE` prints every op, request and
//! response to stderr.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use xep_core::{Message, Stanza};

use crate::*;

const INITIAL_RID: u64 = 1_000_000;
/// Longest time the HTTP model keeps a message in transit.
const MAX_DELAY: Duration = Duration::from_secs(4);

fn msg(n: u64) -> Stanza {
    let mut m = Message::chat("juliet@capulet.example".parse().unwrap(), format!("m{n}"));
    m.id = Some(n.to_string());
    Stanza::Message(m)
}

fn id_of(p: &xep_element::Payload) -> u64 {
    match p.get::<Stanza>() {
        Some(Ok(Stanza::Message(m))) => m.id.as_deref().unwrap().parse().unwrap(),
        other => panic!("not a simulated message: {other:?}"),
    }
}

/// One step of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// The client application sends this many stanzas.
    ClientSend(u8),
    /// The server sends this many stanzas to the client.
    ServerSend(u8),
    /// The request in transit at this index (modulo their number)
    /// reaches the connection manager.
    DeliverRequest(u8),
    /// The response in transit at this index (modulo their number)
    /// reaches the client.
    DeliverResponse(u8),
    /// The request at this index is lost; the client's HTTP stack notices
    /// (`notify`) or not (the client times out). Each rid is lost at most
    /// once.
    DropRequest(u8, bool),
    /// The response at this index is lost, noticed or not. Each rid is
    /// lost at most once.
    DropResponse(u8, bool),
    /// Time passes (milliseconds); what waited longer than the model's
    /// longest delay arrives first, then timers fire.
    Tick(u16),
    /// The client asks for a stream restart.
    Restart,
}

/// Decodes any bytes into a schedule: the first byte chooses `hold`
/// (its value modulo 3: 0 for a polling session, 1 or 2) and key
/// sequencing (its value divided by 3, modulo 3: none, or sequences of 2
/// or 5 keys), each following pair of bytes one [`Op`]. Every byte string
/// is a valid schedule.
pub fn schedule_from_bytes(data: &[u8]) -> (u8, Option<u32>, Vec<Op>) {
    let first = data.first().copied().unwrap_or(1);
    let hold = first % 3;
    let key_length = match (first / 3) % 3 {
        0 => None,
        1 => Some(2),
        _ => Some(5),
    };
    let ops = data
        .get(1..)
        .unwrap_or(&[])
        .chunks(2)
        .take(300)
        .map(|c| {
            let (k, a) = (c[0], c.get(1).copied().unwrap_or(0));
            match k % 10 {
                0 => Op::ClientSend(1 + a % 3),
                1 => Op::ServerSend(1 + a % 3),
                2 | 3 => Op::DeliverRequest(a),
                4 | 5 => Op::DeliverResponse(a),
                6 => Op::DropRequest(a >> 1, a & 1 == 1),
                7 => Op::DropResponse(a >> 1, a & 1 == 1),
                8 => Op::Tick(u16::from(a) * 40),
                _ => Op::Restart,
            }
        })
        .collect();
    (hold, key_length, ops)
}

/// The inverse of [`schedule_from_bytes`]: bytes that decode to this
/// schedule, or `None` when the decoder cannot produce it (`hold` above 2,
/// a key length other than 2 or 5, an op argument out of the decoder's
/// ranges, or more than 300 ops). The fuzz target's seeds are scenarios
/// written as schedules and encoded with it ([`seeds`]).
pub fn schedule_to_bytes(hold: u8, key_length: Option<u32>, ops: &[Op]) -> Option<Vec<u8>> {
    let keys = match key_length {
        None => 0,
        Some(2) => 1,
        Some(5) => 2,
        Some(_) => return None,
    };
    if hold > 2 || ops.len() > 300 {
        return None;
    }
    let mut out = vec![hold + 3 * keys];
    let count = |n: u8| (1..=3).contains(&n).then(|| n - 1);
    let index = |i: u8, notify: bool| (i < 0x80).then(|| i << 1 | u8::from(notify));
    for op in ops {
        let pair = match *op {
            Op::ClientSend(n) => [0, count(n)?],
            Op::ServerSend(n) => [1, count(n)?],
            Op::DeliverRequest(i) => [2, i],
            Op::DeliverResponse(i) => [4, i],
            Op::DropRequest(i, notify) => [6, index(i, notify)?],
            Op::DropResponse(i, notify) => [7, index(i, notify)?],
            Op::Tick(ms) => [8, u8::try_from(ms / 40).ok().filter(|_| ms % 40 == 0)?],
            Op::Restart => [9, 0],
        };
        out.extend(pair);
    }
    Some(out)
}

/// The scenarios of this crate's scripted tests, as schedules: the
/// `bosh-machine` fuzz target's seeds (written by `cargo xtask
/// fuzz-seed`), named. Each is encoded with [`schedule_to_bytes`].
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    use Op::*;
    // Ticks of at most 10.2 s each (what the decoder expresses).
    let wait = |secs: u16| -> Vec<Op> {
        let mut v = vec![Tick(10_000); usize::from(secs / 10)];
        if secs % 10 != 0 {
            v.push(Tick(secs % 10 * 1000));
        }
        v
    };
    // sim_plain_exchange: sends both ways, requests and responses out of
    // order, a stream restart, then the wait of a held request passes.
    let plain = [
        vec![
            ClientSend(3),
            ServerSend(2),
            DeliverRequest(0),
            DeliverResponse(0),
            ClientSend(1),
            DeliverRequest(1),
            DeliverRequest(0),
            Restart,
            ServerSend(3),
            DeliverResponse(1),
            DeliverResponse(0),
        ],
        wait(30),
    ]
    .concat();
    // sim_survives_the_loss_of_any_single_response_or_request's base.
    let base = [
        vec![
            DeliverRequest(0),
            DeliverResponse(0),
            ClientSend(2),
            ServerSend(1),
            DeliverRequest(0),
            DeliverRequest(0),
            DeliverResponse(0),
            ClientSend(1),
            ServerSend(2),
            DeliverRequest(0),
            DeliverResponse(0),
            DeliverResponse(0),
        ],
        wait(25),
        vec![DeliverResponse(0)],
    ]
    .concat();
    let with = |at: usize, op: Op| {
        let mut v = base.clone();
        v.insert(at, op);
        v
    };
    // sim_keyed_exchanges: with losses noticed and not.
    let keyed = [
        vec![
            ClientSend(3),
            ServerSend(2),
            DeliverRequest(0),
            DeliverResponse(0),
            ClientSend(1),
            DeliverRequest(1),
            DeliverRequest(0),
            Restart,
            ServerSend(3),
            DropRequest(0, true),
            DeliverResponse(1),
            DeliverResponse(0),
            ClientSend(2),
            DropResponse(0, false),
        ],
        wait(30),
    ]
    .concat();
    let scenarios = vec![
        ("creation-only", 1, None, vec![]),
        ("plain-exchange-polling", 0, None, plain.clone()),
        ("plain-exchange-hold-1", 1, None, plain.clone()),
        ("plain-exchange-hold-2", 2, None, plain),
        // Each loss at a few places: the creation request, a request
        // carrying stanzas, a response carrying stanzas; the client told
        // at once (it resends) or not (it times out).
        (
            "lost-creation-request",
            1,
            None,
            with(0, DropRequest(0, false)),
        ),
        (
            "lost-creation-response",
            1,
            None,
            with(1, DropResponse(0, true)),
        ),
        (
            "lost-request-noticed",
            1,
            None,
            with(5, DropRequest(0, true)),
        ),
        (
            "lost-request-unnoticed",
            2,
            None,
            with(5, DropRequest(0, false)),
        ),
        (
            "lost-response-noticed",
            2,
            None,
            with(7, DropResponse(0, true)),
        ),
        (
            "lost-response-unnoticed",
            0,
            None,
            with(11, DropResponse(0, false)),
        ),
        // Responses delivered newest first, requests likewise.
        (
            "reordered-requests-and-responses",
            2,
            None,
            [
                vec![
                    DeliverRequest(0),
                    DeliverResponse(0),
                    ClientSend(1),
                    ClientSend(1),
                    ServerSend(2),
                    DeliverRequest(1),
                    DeliverRequest(0),
                    ServerSend(1),
                    DeliverResponse(1),
                    DeliverResponse(0),
                    DeliverResponse(0),
                ],
                wait(5),
            ]
            .concat(),
        ),
        // Restarts with stanzas in flight both ways.
        (
            "restarts-in-flight",
            1,
            None,
            vec![
                DeliverRequest(0),
                DeliverResponse(0),
                ClientSend(2),
                Restart,
                ServerSend(1),
                DeliverRequest(0),
                Restart,
                DeliverResponse(0),
                DeliverRequest(0),
                Restart,
                DeliverResponse(0),
            ],
        ),
        ("keyed-2", 1, Some(2), keyed.clone()),
        ("keyed-5-polling", 0, Some(5), keyed.clone()),
        ("keyed-5-hold-2", 2, Some(5), keyed),
        (
            "keyed-2-lost-request",
            2,
            Some(2),
            with(4, DropRequest(0, false)),
        ),
        // A poll lost without notice, late in a polling session whose
        // responses take the model's longest delay: the client must send
        // it again before the manager's inactivity period (40 s) ends.
        (
            "polling-lost-poll-unnoticed",
            0,
            None,
            [
                vec![DeliverRequest(0), ClientSend(3), DeliverResponse(0)],
                vec![Tick(400)],
                vec![Tick(3_920); 8],
                vec![DropRequest(0, false)],
                vec![Tick(3_920); 12],
            ]
            .concat(),
        ),
        // sim_regression_1.
        (
            "regression-1",
            2,
            None,
            [
                vec![
                    ClientSend(1),
                    DeliverRequest(0),
                    ClientSend(1),
                    DeliverResponse(0),
                    DropRequest(13, true),
                    ClientSend(1),
                ],
                wait(25),
                vec![DeliverResponse(20), DropRequest(96, false)],
            ]
            .concat(),
        ),
    ];
    scenarios
        .into_iter()
        .map(|(name, hold, keys, ops)| {
            let bytes = schedule_to_bytes(hold, keys, &ops)
                .unwrap_or_else(|| panic!("seed {name} cannot be encoded"));
            (name, bytes)
        })
        .collect()
}

/// A libFuzzer dictionary for the `bosh-machine` target: every op as
/// bytes, with the indices and flags the decoder tells apart.
pub fn dictionary() -> Vec<Vec<u8>> {
    use Op::*;
    let mut ops = vec![
        ClientSend(1),
        ClientSend(3),
        ServerSend(1),
        ServerSend(3),
        Tick(40),
        Tick(480),
        Tick(5_000),
        Tick(10_000),
        Restart,
    ];
    for i in [0, 1, 2] {
        ops.extend([DeliverRequest(i), DeliverResponse(i)]);
        for notify in [false, true] {
            ops.extend([DropRequest(i, notify), DropResponse(i, notify)]);
        }
    }
    ops.into_iter()
        .map(|op| schedule_to_bytes(1, None, &[op]).unwrap()[1..].to_vec())
        .collect()
}

/// Runs the schedule [`schedule_from_bytes`] decodes (see
/// [`check_with_keys`]).
pub fn fuzz(now: Instant, data: &[u8]) {
    let (hold, key_length, ops) = schedule_from_bytes(data);
    check_with_keys(now, hold, key_length, &ops);
}

struct Transit {
    conn: u64,
    bytes: Vec<u8>,
    since: Instant,
}

struct Sim {
    trace: bool,
    now: Instant,
    client: client::Session,
    cm: Option<cm::Session>,
    next_conn: u64,
    /// HTTP request connection → rid.
    conns: HashMap<u64, Rid>,
    requests: Vec<Transit>,
    responses: Vec<Transit>,
    /// Rids already lost once.
    lost: BTreeSet<Rid>,
    client_next: u64,
    server_next: u64,
    /// Stanzas the server application has not handed to the CM yet
    /// (before the session exists).
    server_backlog: u64,
    server_received: Vec<u64>,
    client_received: Vec<u64>,
    client_terminated: Option<client::Termination>,
    cm_terminated: Option<cm::Termination>,
    /// Whether the client uses key sequencing.
    client_keys: bool,
}

impl Sim {
    fn new(now: Instant, hold: u8, key_length: Option<u32>) -> Self {
        let config = client::Config {
            wait: 20,
            hold,
            max_retries: 8,
            grace: Duration::from_secs(10),
            // A fixed seed: the simulation needs no secrecy.
            keys: key_length.map(|n| KeyConfig::new(b"simulated seed".to_vec(), n)),
            ..client::Config::xmpp("capulet.example")
        };
        Sim {
            trace: std::env::var_os("BOSH_SIM_TRACE").is_some(),
            now,
            client: client::Session::new(config, INITIAL_RID).unwrap(),
            cm: None,
            next_conn: 1,
            conns: HashMap::new(),
            requests: Vec::new(),
            responses: Vec::new(),
            lost: BTreeSet::new(),
            client_next: 0,
            server_next: 0,
            server_backlog: 0,
            server_received: Vec::new(),
            client_received: Vec::new(),
            client_terminated: None,
            cm_terminated: None,
            client_keys: key_length.is_some(),
        }
    }

    fn cm_config() -> cm::Config {
        cm::Config {
            max_wait: 20,
            max_hold: 2,
            polling: 1,
            inactivity: 40,
            ..cm::Config::default()
        }
    }

    fn run(&mut self, op: &Op) {
        if self.trace {
            eprintln!("op {op:?}");
        }
        match *op {
            Op::ClientSend(n) => {
                for _ in 0..n {
                    self.client.send(self.now, msg(self.client_next));
                    self.client_next += 1;
                }
            }
            Op::ServerSend(n) => {
                self.server_backlog += u64::from(n);
            }
            Op::DeliverRequest(i) => self.deliver_request(i),
            Op::DeliverResponse(i) => self.deliver_response(i),
            Op::DropRequest(i, notify) => {
                if let Some(t) = pick(&mut self.requests, i) {
                    let rid = self.conns[&t.conn];
                    if self.lost.insert(rid) {
                        if notify {
                            self.client.handle_response(
                                self.now,
                                rid,
                                Err(client::HttpFailure::Network),
                            );
                        }
                    } else {
                        self.requests.push(t);
                    }
                }
            }
            Op::DropResponse(i, notify) => {
                if let Some(t) = pick(&mut self.responses, i) {
                    let rid = self.conns[&t.conn];
                    if self.lost.insert(rid) {
                        if notify {
                            self.client.handle_response(
                                self.now,
                                rid,
                                Err(client::HttpFailure::Network),
                            );
                        }
                    } else {
                        self.responses.push(t);
                    }
                }
            }
            Op::Tick(ms) => self.tick(Duration::from_millis(ms.into())),
            Op::Restart => {
                let _ = self.client.restart();
            }
        }
        self.settle();
    }

    fn deliver_request(&mut self, i: u8) {
        if let Some(t) = pick(&mut self.requests, i) {
            self.request_arrives(t);
        }
    }

    fn request_arrives(&mut self, t: Transit) {
        let b = Body::from_bytes(&t.bytes, 1 << 20).expect("the client writes valid bodies");
        match &mut self.cm {
            Some(cm) => cm.handle_request(self.now, t.conn, b),
            None => {
                let cm =
                    cm::Session::new(self.now, "sim-sid".into(), t.conn, &b, Self::cm_config())
                        .expect("a valid creation request");
                assert_eq!(
                    cm.is_key_protected(),
                    self.client_keys,
                    "key sequencing on one end only"
                );
                self.cm = Some(cm);
            }
        }
    }

    fn deliver_response(&mut self, i: u8) {
        let Some(t) = pick(&mut self.responses, i) else {
            return;
        };
        let rid = self.conns[&t.conn];
        self.client.handle_response(self.now, rid, Ok(&t.bytes));
    }

    /// Time passes in steps: what is overdue arrives, then timers fire.
    fn tick(&mut self, d: Duration) {
        let end = self.now + d;
        loop {
            let step = (self.now + Duration::from_millis(500)).min(end);
            self.now = step;
            while let Some(i) = self
                .requests
                .iter()
                .position(|t| t.since + MAX_DELAY <= step)
            {
                let t = self.requests.remove(i);
                self.request_arrives(t);
                self.settle();
            }
            while let Some(i) = self
                .responses
                .iter()
                .position(|t| t.since + MAX_DELAY <= step)
            {
                let t = self.responses.remove(i);
                let rid = self.conns[&t.conn];
                self.client.handle_response(self.now, rid, Ok(&t.bytes));
                self.settle();
            }
            if self.client.poll_timeout().is_some_and(|t| t <= step) {
                self.client.handle_timeout(step);
            }
            if let Some(cm) = &mut self.cm
                && cm.poll_timeout().is_some_and(|t| t <= step)
            {
                cm.handle_timeout(step);
            }
            self.settle();
            if step >= end {
                break;
            }
        }
    }

    /// Moves what the machines produced onto the wire and drains events.
    fn settle(&mut self) {
        loop {
            let mut moved = false;
            if let Some(cm) = &mut self.cm
                && !cm.is_terminated()
            {
                while self.server_backlog > 0 {
                    cm.send(self.now, msg(self.server_next));
                    self.server_next += 1;
                    self.server_backlog -= 1;
                }
            }
            while let Some(client::Request { rid, body: bytes }) =
                self.client.poll_request(self.now)
            {
                moved = true;
                let conn = self.next_conn;
                self.next_conn += 1;
                self.conns.insert(conn, rid);
                if self.trace {
                    eprintln!(
                        "  req conn {conn} rid {rid}: {}",
                        String::from_utf8_lossy(&bytes)
                    );
                }
                self.requests.push(Transit {
                    conn,
                    bytes,
                    since: self.now,
                });
            }
            if let Some(cm) = &mut self.cm {
                while let Some(cm::Response { conn, body: bytes }) = cm.poll_response() {
                    moved = true;
                    if self.trace {
                        eprintln!("  resp conn {conn}: {}", String::from_utf8_lossy(&bytes));
                    }
                    self.responses.push(Transit {
                        conn,
                        bytes,
                        since: self.now,
                    });
                }
                while let Some(e) = cm.poll_event() {
                    match e {
                        cm::Event::Received(p) => {
                            let n = id_of(&p);
                            assert_eq!(
                                n,
                                self.server_received.len() as u64,
                                "client to server: out of order or twice"
                            );
                            self.server_received.push(n);
                        }
                        cm::Event::Restart | cm::Event::Paused(_) => {}
                        cm::Event::Terminated(t) => {
                            assert!(self.cm_terminated.is_none());
                            self.cm_terminated = Some(t);
                        }
                    }
                }
            }
            while let Some(e) = self.client.poll_event() {
                match e {
                    client::Event::Created(p) => assert_eq!(p.sid, "sim-sid"),
                    client::Event::Received(p) => {
                        let n = id_of(&p);
                        assert_eq!(
                            n,
                            self.client_received.len() as u64,
                            "server to client: out of order or twice"
                        );
                        self.client_received.push(n);
                    }
                    client::Event::Terminated(t) => {
                        assert!(self.client_terminated.is_none());
                        self.client_terminated = Some(t);
                    }
                }
            }
            if !moved {
                break;
            }
        }
        assert_eq!(self.cm_terminated, None, "the session ended early");
        assert_eq!(self.client_terminated, None, "the session ended early");
    }

    /// Delivers everything (time passing) until both sides have it all.
    fn finish(&mut self) {
        for _ in 0..400 {
            while !self.requests.is_empty() || !self.responses.is_empty() {
                while !self.requests.is_empty() {
                    self.deliver_request(0);
                    self.settle();
                }
                while !self.responses.is_empty() {
                    self.deliver_response(0);
                    self.settle();
                }
            }
            if self.server_received.len() as u64 == self.client_next
                && self.client_received.len() as u64 == self.server_next
                && self.server_backlog == 0
                && self.client.params().is_some()
            {
                return;
            }
            self.tick(Duration::from_millis(500));
        }
        panic!(
            "not delivered: client sent {}, server got {}; server sent {}, client got {}",
            self.client_next,
            self.server_received.len(),
            self.server_next,
            self.client_received.len()
        );
    }

    /// The client terminates; both ends see it.
    fn terminate(&mut self) {
        self.client.terminate().expect("an active session");
        // Settling here would trip the early-termination check.
        for _ in 0..400 {
            while let Some(client::Request { rid, body: bytes }) =
                self.client.poll_request(self.now)
            {
                let conn = self.next_conn;
                self.next_conn += 1;
                self.conns.insert(conn, rid);
                let b = Body::from_bytes(&bytes, 1 << 20).unwrap();
                let cm = self.cm.as_mut().unwrap();
                cm.handle_request(self.now, conn, b);
            }
            let cm = self.cm.as_mut().unwrap();
            for t in self.responses.drain(..) {
                let rid = self.conns[&t.conn];
                self.client.handle_response(self.now, rid, Ok(&t.bytes));
            }
            while let Some(cm::Response { conn, body: bytes }) = cm.poll_response() {
                let rid = self.conns[&conn];
                self.client.handle_response(self.now, rid, Ok(&bytes));
            }
            while let Some(e) = cm.poll_event() {
                if let cm::Event::Terminated(t) = e {
                    self.cm_terminated = Some(t);
                }
            }
            while let Some(e) = self.client.poll_event() {
                if let client::Event::Terminated(t) = e {
                    self.client_terminated = Some(t);
                }
            }
            if self.client_terminated.is_some() && self.cm_terminated.is_some() {
                break;
            }
            self.now += Duration::from_millis(500);
            let now = self.now;
            if self.client.poll_timeout().is_some_and(|t| t <= now) {
                self.client.handle_timeout(now);
            }
            if let Some(cm) = &mut self.cm
                && cm.poll_timeout().is_some_and(|t| t <= now)
            {
                cm.handle_timeout(now);
            }
        }
        assert_eq!(self.client_terminated, Some(client::Termination::Requested));
        assert_eq!(self.cm_terminated, Some(cm::Termination::ByClient));
    }
}

fn pick(v: &mut Vec<Transit>, i: u8) -> Option<Transit> {
    if v.is_empty() {
        None
    } else {
        let i = usize::from(i) % v.len();
        Some(v.remove(i))
    }
}

/// Runs a schedule from `now` with the client asking for `hold`, then
/// delivers everything and terminates. Asserts that every stanza was
/// delivered exactly once and in order both ways, that the session never
/// ended early (whatever was delayed, reordered or lost once), and that
/// the termination is seen by both ends. Panics (naming what differs)
/// when not.
pub fn check(now: Instant, hold: u8, ops: &[Op]) {
    check_with_keys(now, hold, None, ops);
}

/// [`check`], the client protecting the session with key sequencing
/// (XEP-0124 §15) when `key_length` is given: sequences of that many keys
/// (2 to [`MAX_KEY_SEQUENCE`]; 2 switches to a new sequence on every
/// request). The connection manager checks every key; a key out of place
/// ends the session early, which fails the check.
pub fn check_with_keys(now: Instant, hold: u8, key_length: Option<u32>, ops: &[Op]) {
    let mut sim = Sim::new(now, hold, key_length);
    sim.settle();
    for op in ops {
        sim.run(op);
    }
    sim.finish();
    let all_c: Vec<u64> = (0..sim.client_next).collect();
    let all_s: Vec<u64> = (0..sim.server_next).collect();
    assert_eq!(sim.server_received, all_c, "client to server");
    assert_eq!(sim.client_received, all_s, "server to client");
    sim.terminate();
}
