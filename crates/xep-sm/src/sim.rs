//! A simulated client and server, each with its [`StreamManager`], over a
//! link that carries elements as XML text and breaks: the harness of the
//! property test (every stanza delivered exactly once, in order, both
//! ways) and of the `sm-machine` fuzz target, which decodes a schedule
//! from bytes with [`schedule_from_bytes`]. Enabled by the `sim` feature
//! (and in this crate's tests).

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use xep_core::{Message, Stanza};
use xep_element::XmlElement;

use crate::*;

pub(crate) const OWNER: &str = "romeo@montague.lit";

pub(crate) fn msg(n: u64) -> Stanza {
    let mut m = Message::chat("juliet@capulet.lit".parse().unwrap(), format!("m{n}"));
    m.id = Some(n.to_string());
    Stanza::Message(m)
}

pub(crate) fn id_of(s: &Stanza) -> u64 {
    match s {
        Stanza::Message(m) => m.id.as_deref().unwrap().parse().unwrap(),
        _ => panic!("not a simulated message"),
    }
}

pub(crate) fn ids(v: &[Stanza]) -> Vec<u64> {
    v.iter().map(id_of).collect()
}

fn events(m: &mut StreamManager) -> Vec<Event> {
    std::iter::from_fn(|| m.poll_event()).collect()
}

/// A schedule: the ack policy of both sides, the counters to start from
/// (a saved session near the 2^32 wrap) or a fresh start, the ops.
pub type Schedule = (AckPolicy, Option<(u32, u32)>, Vec<Op>);

/// A schedule decoded from arbitrary bytes (for fuzzing): the first bytes
/// choose the ack policy and whether the counters start near the 2^32
/// wrap, each following pair of bytes one [`Op`]. Every byte string is a
/// valid schedule, so the fuzzer explores schedules, not parse errors.
pub fn schedule_from_bytes(data: &[u8]) -> Schedule {
    let byte = |i: usize| data.get(i).copied().unwrap_or(0);
    let opt = |b: u8, lo: u64, span: u64| (b & 1 == 1).then(|| lo + u64::from(b >> 1) % span);
    let policy = AckPolicy {
        every: opt(byte(0), 1, 4).and_then(|v| NonZeroU32::new(v as u32)),
        quiet: opt(byte(1), 50, 550).map(Duration::from_millis),
        max_delay: opt(byte(2), 100, 800).map(Duration::from_millis),
        ack_timeout: Some(Duration::from_secs(5)),
        ack_every_received: opt(byte(3), 1, 3).and_then(|v| NonZeroU32::new(v as u32)),
    };
    let start = (byte(4) & 1 == 1).then(|| {
        let b = byte(4) >> 1;
        (
            u32::MAX - u32::from(b % 6),
            u32::MAX - u32::from((b / 6) % 6),
        )
    });
    let ops = data
        .get(5..)
        .unwrap_or(&[])
        .chunks(2)
        .take(400)
        .map(|c| {
            let (k, a) = (c[0], c.get(1).copied().unwrap_or(0));
            match k % 12 {
                0 => Op::ClientSend(1 + a % 3),
                1 => Op::ServerSend(1 + a % 3),
                2 => Op::DeliverC2S(1 + a % 5),
                3 => Op::DeliverS2C(1 + a % 5),
                4 => Op::Tick(1 + u16::from(a) * 3),
                5 => Op::ClientRequest,
                6 => Op::ServerRequest,
                7 => Op::Disconnect {
                    server_notices: a & 1 == 1,
                },
                8 => Op::Reconnect,
                9 => Op::RestartClient,
                10 => Op::Stall { client: a & 1 == 1 },
                _ => Op::Unstall,
            }
        })
        .collect();
    (policy, start, ops)
}

/// The inverse of [`schedule_from_bytes`]: bytes that decode to this
/// schedule, or `None` when the decoder cannot produce it (a policy
/// value, a start, an op argument out of the decoder's ranges, or more
/// than 400 ops). The fuzz target's seeds are scenarios written as
/// schedules and encoded with it ([`seeds`]).
pub fn schedule_to_bytes(
    policy: &AckPolicy,
    start: Option<(u32, u32)>,
    ops: &[Op],
) -> Option<Vec<u8>> {
    // `opt` of the decoder, inverted: None is 0, Some(lo + n) is n << 1 | 1.
    fn opt(v: Option<u64>, lo: u64, count: u64) -> Option<u8> {
        match v {
            None => Some(0),
            Some(v) if (lo..lo + count).contains(&v) => Some(((v - lo) as u8) << 1 | 1),
            Some(_) => None,
        }
    }
    let ms = |d: Option<Duration>| -> Option<Option<u64>> {
        match d {
            None => Some(None),
            Some(d) if d.subsec_nanos() % 1_000_000 == 0 => Some(Some(d.as_millis() as u64)),
            Some(_) => None,
        }
    };
    if policy.ack_timeout != Some(Duration::from_secs(5)) || ops.len() > 400 {
        return None;
    }
    let mut out = vec![
        opt(policy.every.map(|v| v.get().into()), 1, 4)?,
        opt(ms(policy.quiet)?, 50, 128)?,
        opt(ms(policy.max_delay)?, 100, 128)?,
        opt(policy.ack_every_received.map(|v| v.get().into()), 1, 3)?,
    ];
    out.push(match start {
        None => 0,
        Some((c, s)) => {
            let (i, j) = (u32::MAX - c, u32::MAX - s);
            if i >= 6 || j >= 6 {
                return None;
            }
            ((i + 6 * j) as u8) << 1 | 1
        }
    });
    let count = |n: u8, max: u8| (1..=max).contains(&n).then(|| n - 1);
    for op in ops {
        let pair = match *op {
            Op::ClientSend(n) => [0, count(n, 3)?],
            Op::ServerSend(n) => [1, count(n, 3)?],
            Op::DeliverC2S(n) => [2, count(n, 5)?],
            Op::DeliverS2C(n) => [3, count(n, 5)?],
            Op::Tick(ms) => {
                let a = ms.checked_sub(1).filter(|a| a % 3 == 0)? / 3;
                [4, u8::try_from(a).ok()?]
            }
            Op::ClientRequest => [5, 0],
            Op::ServerRequest => [6, 0],
            Op::Disconnect { server_notices } => [7, u8::from(server_notices)],
            Op::Reconnect => [8, 0],
            Op::RestartClient => [9, 0],
            Op::Stall { client } => [10, u8::from(client)],
            Op::Unstall => [11, 0],
        };
        out.extend(pair);
    }
    Some(out)
}

/// The scenarios of this crate's scripted tests, as schedules: the
/// `sm-machine` fuzz target's seeds (written by `cargo xtask fuzz-seed`),
/// named. Each is encoded with [`schedule_to_bytes`].
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    use Op::*;
    let ms = Duration::from_millis;
    // What the decoder can express: no automatic acks or requests, the
    // fixed 5 s ack timeout.
    let manual = AckPolicy {
        ack_timeout: Some(Duration::from_secs(5)),
        ..AckPolicy::MANUAL
    };
    let busy = AckPolicy {
        every: NonZeroU32::new(3),
        quiet: Some(ms(100)),
        max_delay: Some(ms(150)),
        ack_timeout: Some(Duration::from_secs(5)),
        ack_every_received: NonZeroU32::new(2),
    };
    let wrap = Some((u32::MAX - 1, u32::MAX));
    let every_break = vec![
        ClientSend(2),
        DeliverC2S(1),
        ServerSend(2),
        Disconnect {
            server_notices: true,
        },
        Reconnect,
        DeliverC2S(5),
        DeliverS2C(2),
        ClientSend(3),
        ServerSend(3),
        DeliverC2S(2),
        DeliverS2C(1),
        Disconnect {
            server_notices: false,
        },
        ServerSend(1),
        ClientSend(1),
        RestartClient,
        Reconnect,
        DeliverC2S(1),
        Disconnect {
            server_notices: true,
        },
        Reconnect,
        DeliverC2S(5),
        DeliverS2C(5),
        DeliverC2S(5),
        DeliverS2C(5),
    ];
    let scenarios = vec![
        // <enable/>, <enabled/>, stanzas both ways, <r/> and <a/> asked
        // by each side.
        (
            "enable-exchange-request-ack",
            manual,
            None,
            vec![
                DeliverC2S(1),
                DeliverS2C(1),
                ClientSend(3),
                ServerSend(2),
                DeliverC2S(3),
                DeliverS2C(2),
                ClientRequest,
                ServerRequest,
                DeliverC2S(1),
                DeliverS2C(1),
                DeliverC2S(1),
                DeliverS2C(1),
            ],
        ),
        // The client may send and request before <enabled/> arrives.
        (
            "request-before-enabled",
            manual,
            None,
            vec![
                ClientSend(2),
                ClientRequest,
                DeliverC2S(5),
                DeliverS2C(5),
                DeliverC2S(5),
            ],
        ),
        // Requests after every 3 stanzas, after 100 ms of quiet, at the
        // latest 150 ms after the first; unrequested acks after every 2
        // stanzas received.
        (
            "ack-policy-every-quiet-deadline",
            busy,
            None,
            vec![
                DeliverC2S(1),
                DeliverS2C(1),
                ClientSend(3),
                DeliverC2S(5),
                ClientSend(1),
                Tick(100),
                DeliverC2S(2),
                ServerSend(1),
                Tick(49),
                ServerSend(1),
                Tick(49),
                ServerSend(1),
                Tick(100),
                DeliverS2C(5),
                DeliverC2S(5),
                DeliverS2C(5),
            ],
        ),
        // An <r/> left unanswered past the 5 s ack timeout.
        (
            "ack-timeout",
            manual,
            None,
            vec![
                DeliverC2S(1),
                DeliverS2C(1),
                ClientSend(1),
                ClientRequest,
                DeliverC2S(1),
                Tick(766),
                Tick(766),
                Tick(766),
                Tick(766),
                Tick(766),
                Tick(766),
                Tick(766),
                DeliverC2S(5),
                DeliverS2C(5),
            ],
        ),
        // Broken with stanzas unacknowledged both ways, the server
        // noticing: <resume/>, <resumed/> and the resends.
        (
            "resume-after-a-noticed-break",
            manual,
            None,
            vec![
                DeliverC2S(1),
                DeliverS2C(1),
                ClientSend(3),
                ServerSend(3),
                DeliverC2S(2),
                DeliverS2C(1),
                Disconnect {
                    server_notices: true,
                },
                ServerSend(1),
                Reconnect,
                DeliverC2S(1),
                DeliverS2C(5),
                DeliverC2S(5),
                ClientRequest,
                ServerRequest,
                DeliverC2S(5),
                DeliverS2C(5),
            ],
        ),
        // Broken without the server noticing: the resumption meets the
        // old connection's machine, which the server then drops.
        (
            "resume-with-an-unnoticed-break",
            busy,
            None,
            vec![
                DeliverC2S(1),
                DeliverS2C(1),
                ClientSend(2),
                ServerSend(2),
                DeliverC2S(3),
                Disconnect {
                    server_notices: false,
                },
                ServerSend(2),
                Reconnect,
                DeliverC2S(5),
                DeliverS2C(5),
                DeliverC2S(5),
            ],
        ),
        // Broken before <enabled/> arrives: the client has nothing to
        // resume and starts over; the new session takes over what the
        // server had queued.
        (
            "break-before-enabled",
            manual,
            None,
            vec![
                ClientSend(2),
                DeliverC2S(1),
                ServerSend(2),
                Disconnect {
                    server_notices: true,
                },
                Reconnect,
                DeliverC2S(5),
                DeliverS2C(5),
                DeliverC2S(5),
            ],
        ),
        // Broken again during the resumption handshake.
        (
            "break-during-resume",
            manual,
            None,
            vec![
                DeliverC2S(1),
                DeliverS2C(1),
                ClientSend(2),
                Disconnect {
                    server_notices: true,
                },
                Reconnect,
                DeliverC2S(1),
                Disconnect {
                    server_notices: true,
                },
                Reconnect,
                DeliverC2S(5),
                DeliverS2C(5),
            ],
        ),
        // The client restarts from its saved state (to_bytes, from_bytes)
        // and resumes.
        (
            "restart-from-saved-state",
            manual,
            None,
            vec![
                DeliverC2S(1),
                DeliverS2C(1),
                ClientSend(3),
                DeliverC2S(2),
                ServerSend(1),
                RestartClient,
                Reconnect,
                DeliverC2S(5),
                DeliverS2C(5),
                DeliverC2S(5),
            ],
        ),
        // Writes blocked on both sides when the connection breaks: what
        // was queued is lost with it and sent again after the resumption.
        (
            "stalled-writes-lost-in-a-break",
            busy,
            None,
            vec![
                DeliverC2S(1),
                DeliverS2C(1),
                Stall { client: true },
                Stall { client: false },
                ClientSend(3),
                ServerSend(3),
                Disconnect {
                    server_notices: true,
                },
                Reconnect,
                DeliverC2S(5),
                DeliverS2C(5),
                Stall { client: true },
                ClientSend(1),
                Unstall,
                DeliverC2S(5),
            ],
        ),
        // Counters that wrap at 2^32 on a resumed session.
        (
            "counters-wrap",
            busy,
            wrap,
            vec![
                DeliverC2S(1),
                DeliverS2C(1),
                ClientSend(3),
                ServerSend(3),
                DeliverC2S(5),
                DeliverS2C(5),
                ClientRequest,
                ServerRequest,
                DeliverC2S(5),
                DeliverS2C(5),
            ],
        ),
        // The unit test's schedule with every kind of break.
        ("every-kind-of-break", manual, None, every_break.clone()),
        ("every-kind-of-break-wrapping", busy, wrap, every_break),
    ];
    scenarios
        .into_iter()
        .map(|(name, policy, start, ops)| {
            let bytes = schedule_to_bytes(&policy, start, &ops)
                .unwrap_or_else(|| panic!("seed {name} cannot be encoded"));
            (name, bytes)
        })
        .collect()
}

/// A libFuzzer dictionary for the `sm-machine` target: every op with each
/// argument the decoder tells apart, as bytes, and a break followed by a
/// reconnection.
pub fn dictionary() -> Vec<Vec<u8>> {
    use Op::*;
    let policy = AckPolicy {
        ack_timeout: Some(Duration::from_secs(5)),
        ..AckPolicy::MANUAL
    };
    let mut ops: Vec<Vec<Op>> = Vec::new();
    for n in 1..=3 {
        ops.push(vec![ClientSend(n)]);
        ops.push(vec![ServerSend(n)]);
    }
    for n in 1..=5 {
        ops.push(vec![DeliverC2S(n)]);
        ops.push(vec![DeliverS2C(n)]);
    }
    ops.extend([
        vec![Tick(1)],
        vec![Tick(100)],
        vec![Tick(766)],
        vec![ClientRequest],
        vec![ServerRequest],
        vec![Reconnect],
        vec![RestartClient],
        vec![Unstall],
    ]);
    for b in [false, true] {
        ops.push(vec![Disconnect { server_notices: b }, Reconnect]);
        ops.push(vec![Disconnect { server_notices: b }]);
        ops.push(vec![Stall { client: b }]);
    }
    ops.into_iter()
        .map(|o| schedule_to_bytes(&policy, None, &o).unwrap()[5..].to_vec())
        .collect()
}

/// Runs the schedule [`schedule_from_bytes`] decodes (see [`check`]).
pub fn fuzz(now: Instant, data: &[u8]) {
    let (policy, start, ops) = schedule_from_bytes(data);
    check(now, policy, start, &ops);
}

/// One step of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// The client sends this many stanzas.
    ClientSend(u8),
    /// The server sends this many stanzas.
    ServerSend(u8),
    /// This many elements travel from client to server.
    DeliverC2S(u8),
    /// This many elements travel from server to client.
    DeliverS2C(u8),
    /// Time passes (milliseconds), timers fire.
    Tick(u16),
    /// The client asks for an ack.
    ClientRequest,
    /// The server asks for an ack.
    ServerRequest,
    /// The connection breaks; the server notices at once or not.
    Disconnect {
        /// Whether the server notices the break now.
        server_notices: bool,
    },
    /// The client connects again (and resumes where it can).
    Reconnect,
    /// The client restarts from its saved resumption state.
    RestartClient,
    /// Writes block on one side: what its machine queues stays queued
    /// (and is lost if the connection breaks now).
    Stall {
        /// The client's writes (else the server's).
        client: bool,
    },
    /// Writes flow again.
    Unstall,
}

/// What the link carries: the XML text of each element, in order.
#[derive(Default)]
struct Link {
    c2s: VecDeque<String>,
    s2c: VecDeque<String>,
}

struct Sim {
    now: Instant,
    policy: AckPolicy,
    client: StreamManager,
    /// The server's machine for the current connection.
    server: Option<StreamManager>,
    /// The server's machine of a broken connection it has not noticed.
    orphan: Option<StreamManager>,
    store: SessionStore<&'static str>,
    link: Option<Link>,
    client_stalled: bool,
    server_stalled: bool,
    next_id: u32,
    /// The server's current session of the user.
    session: Option<String>,
    client_next: u64,
    client_outbox: VecDeque<u64>,
    client_acked: Vec<u64>,
    server_received: Vec<u64>,
    server_next: u64,
    server_outbox: VecDeque<u64>,
    server_acked: Vec<u64>,
    client_received: Vec<u64>,
}

fn parse(xml: &str) -> Transmit {
    match SmElement::from_xml(xml.as_bytes()) {
        Ok(e) => Transmit::Sm(e),
        Err(_) => Transmit::Stanza(Stanza::from_xml(xml.as_bytes()).expect(xml)),
    }
}

impl Sim {
    fn new(now: Instant, policy: AckPolicy, start: Option<(u32, u32)>) -> Self {
        let mut sim = Sim {
            now,
            policy,
            client: StreamManager::client(policy),
            server: None,
            orphan: None,
            store: SessionStore::new(Duration::from_secs(3600)),
            link: None,
            client_stalled: false,
            server_stalled: false,
            next_id: 1,
            session: None,
            client_next: 0,
            client_outbox: VecDeque::new(),
            client_acked: Vec::new(),
            server_received: Vec::new(),
            server_next: 0,
            server_outbox: VecDeque::new(),
            server_acked: Vec::new(),
            client_received: Vec::new(),
        };
        // Optionally start from a saved session whose counters are near
        // the wrap.
        if let Some((client_out, server_out)) = start {
            let state = |inbound, outbound| ResumptionState {
                id: "sm-0".into(),
                location: None,
                max: Seconds::new(3600),
                inbound,
                outbound,
                unacked: Vec::new(),
            };
            sim.client =
                StreamManager::restore(Role::Client, policy, state(server_out, client_out));
            let s = StreamManager::restore(Role::Server, policy, state(client_out, server_out));
            sim.store.detach(now, OWNER, s).unwrap();
            sim.session = Some("sm-0".into());
        }
        sim.reconnect();
        sim
    }

    fn run(&mut self, op: &Op) {
        match *op {
            Op::ClientSend(n) => {
                for _ in 0..n {
                    self.client_outbox.push_back(self.client_next);
                    self.client_next += 1;
                }
            }
            Op::ServerSend(n) => {
                for _ in 0..n {
                    self.server_outbox.push_back(self.server_next);
                    self.server_next += 1;
                }
            }
            Op::DeliverC2S(n) => {
                for _ in 0..n {
                    let Some(x) = self.link.as_mut().and_then(|l| l.c2s.pop_front()) else {
                        break;
                    };
                    self.arrive_at_server(parse(&x));
                    self.settle();
                }
            }
            Op::DeliverS2C(n) => {
                for _ in 0..n {
                    let Some(x) = self.link.as_mut().and_then(|l| l.s2c.pop_front()) else {
                        break;
                    };
                    self.arrive_at_client(parse(&x));
                    self.settle();
                }
            }
            Op::Tick(ms) => {
                self.now += Duration::from_millis(ms.into());
                let now = self.now;
                for m in [
                    Some(&mut self.client),
                    self.server.as_mut(),
                    self.orphan.as_mut(),
                ]
                .into_iter()
                .flatten()
                {
                    if m.poll_timeout().is_some_and(|d| d <= now) {
                        m.handle_timeout(now);
                    }
                }
                assert!(
                    self.store.handle_timeout(now).is_empty(),
                    "nothing expires here"
                );
            }
            Op::ClientRequest => self.client.request_ack(self.now),
            Op::ServerRequest => {
                if let Some(s) = &mut self.server {
                    s.request_ack(self.now)
                }
            }
            Op::Disconnect { server_notices } => self.disconnect(server_notices),
            Op::Stall { client: true } => self.client_stalled = true,
            Op::Stall { client: false } => self.server_stalled = true,
            Op::Unstall => (self.client_stalled, self.server_stalled) = (false, false),
            Op::Reconnect => {
                if self.link.is_none() {
                    self.reconnect();
                }
            }
            Op::RestartClient => {
                self.disconnect(false);
                self.client = match self.client.resumption_state() {
                    Some(state) => {
                        let saved = state.to_bytes();
                        let state = ResumptionState::from_bytes(&saved).unwrap();
                        StreamManager::restore(Role::Client, self.policy, state)
                    }
                    None => StreamManager::client(self.policy),
                };
            }
        }
        self.settle();
    }

    fn disconnect(&mut self, server_notices: bool) {
        if self.link.take().is_none() {
            return;
        }
        self.client.connection_lost(self.now);
        if let Some(s) = self.server.take() {
            if server_notices {
                self.server_detach(s);
            } else {
                if let Some(o) = self.orphan.replace(s) {
                    self.server_detach(o);
                }
            }
        }
        self.settle();
    }

    /// The server notices a connection is gone.
    fn server_detach(&mut self, mut s: StreamManager) {
        s.connection_lost(self.now);
        for e in events(&mut s) {
            match e {
                Event::Lost { unacknowledged } => assert!(unacknowledged.is_empty()),
                e => panic!("server: {e:?}"),
            }
        }
        if s.is_resumable() {
            self.store.detach(self.now, OWNER, s).unwrap();
        }
    }

    fn reconnect(&mut self) {
        self.link = Some(Link::default());
        (self.client_stalled, self.server_stalled) = (false, false);
        let id = format!("sm-{}", self.next_id);
        self.next_id += 1;
        let mut s = StreamManager::server(
            self.policy,
            ServerOffer {
                id,
                resume_max: Some(Duration::from_secs(3600)),
                location: None,
                isr: None,
            },
        );
        s.resource_bound();
        self.server = Some(s);
        if self.client.is_detached() {
            self.client.resume(self.now).unwrap();
        } else {
            self.client.enable(self.now, true, None).unwrap();
        }
        self.settle();
    }

    fn arrive_at_server(&mut self, t: Transmit) {
        let now = self.now;
        let s = self.server.as_mut().expect("a live connection");
        match t {
            Transmit::Stanza(st) => {
                let n = id_of(&st);
                assert_eq!(
                    n,
                    self.server_received.len() as u64,
                    "c2s out of order or twice"
                );
                self.server_received.push(n);
                s.stanza_received(now);
            }
            Transmit::Sm(e) => s.handle_element(now, e),
        }
        self.server_events();
    }

    fn arrive_at_client(&mut self, t: Transmit) {
        match t {
            Transmit::Stanza(st) => {
                let n = id_of(&st);
                assert_eq!(
                    n,
                    self.client_received.len() as u64,
                    "s2c out of order or twice"
                );
                self.client_received.push(n);
                self.client.stanza_received(self.now);
            }
            Transmit::Sm(e) => self.client.handle_element(self.now, e),
        }
    }

    fn server_events(&mut self) {
        let Some(s) = self.server.as_mut() else {
            return;
        };
        for e in events(s) {
            match e {
                Event::Enabled { id, .. } => {
                    // A new session replaces the old one, which the client
                    // never learnt about (it had no id to resume): what it
                    // sent goes to the new session.
                    if let Some(o) = self.orphan.take() {
                        self.server_detach(o);
                    }
                    if let Some(old) = self.session.replace(id.unwrap()) {
                        let (_, mut m) = self.store.remove(&old).expect("the old session");
                        let mut back: VecDeque<u64> =
                            ids(&m.take_unacknowledged()).into_iter().collect();
                        back.append(&mut self.server_outbox);
                        self.server_outbox = back;
                    }
                }
                Event::ResumeRequested(r) => {
                    if let Some(o) = self.orphan.take() {
                        self.server_detach(o); // and a conflict error to it
                    }
                    match self.store.resume(self.now, &r, &OWNER) {
                        ResumeOutcome::Resumed(m) => {
                            assert_eq!(self.session.as_deref(), Some(r.previd.as_str()));
                            self.server = Some(*m);
                            return self.server_events();
                        }
                        ResumeOutcome::Rejected { failed, .. } => panic!("{failed:?}"),
                    }
                }
                Event::Acknowledged(v) => self.server_acked.extend(ids(&v)),
                Event::Resumed { acknowledged, .. } => self.server_acked.extend(ids(&acknowledged)),
                Event::AckTimeout => {}
                e => panic!("server: {e:?}"),
            }
        }
    }

    fn client_events(&mut self) {
        for e in events(&mut self.client) {
            match e {
                Event::Enabled { resume, .. } => assert!(resume),
                Event::Acknowledged(v) => self.client_acked.extend(ids(&v)),
                Event::Resumed { acknowledged, .. } => self.client_acked.extend(ids(&acknowledged)),
                Event::Lost { unacknowledged } => assert!(unacknowledged.is_empty()),
                Event::AckTimeout => {}
                e => panic!("client: {e:?}"),
            }
        }
        let n = self.client_acked.len();
        assert_eq!(
            self.client_acked,
            self.server_received[..n],
            "acked but not received"
        );
    }

    /// Lets both applications send what they can and moves what the
    /// machines queued onto the link, until nothing changes.
    fn settle(&mut self) {
        let now = self.now;
        loop {
            let mut moved = false;
            // The client application sends once it has a resumable session.
            while self.client.is_resumable()
                && let Some(n) = self.client_outbox.pop_front()
            {
                self.client.send(now, msg(n));
            }
            // The server application sends to the user's current session,
            // wherever it is.
            let target = self.session.clone();
            while let Some(id) = &target
                && !self.server_outbox.is_empty()
            {
                let m = if self.server.as_ref().and_then(|s| s.id()) == Some(id) {
                    self.server.as_mut()
                } else if self.orphan.as_ref().and_then(|s| s.id()) == Some(id) {
                    self.orphan.as_mut()
                } else {
                    self.store.get_mut(id)
                };
                let Some(m) = m else { break };
                let n = self.server_outbox.pop_front().unwrap();
                m.send(now, msg(n));
            }
            while !self.client_stalled
                && let Some(t) = self.client.poll_transmit()
            {
                moved = true;
                let link = self
                    .link
                    .as_mut()
                    .expect("the client writes only when connected");
                link.c2s.push_back(t.to_xml());
            }
            if let Some(s) = &mut self.server
                && !self.server_stalled
            {
                while let Some(t) = s.poll_transmit() {
                    moved = true;
                    self.link.as_mut().unwrap().s2c.push_back(t.to_xml());
                }
            }
            if let Some(o) = &mut self.orphan {
                while o.poll_transmit().is_some() {} // into the void
            }
            self.client_events();
            self.server_events();
            if let Some(o) = &mut self.orphan {
                for e in events(o) {
                    match e {
                        Event::Acknowledged(_) | Event::AckTimeout => {}
                        e => panic!("orphan: {e:?}"),
                    }
                }
            }
            if !moved {
                break;
            }
        }
    }

    /// Reconnects if needed and runs the link until everything is
    /// delivered and acknowledged.
    fn finish(&mut self) {
        if self.link.is_none() {
            if let Some(o) = self.orphan.take() {
                self.server_detach(o);
            }
            self.reconnect();
        }
        self.run(&Op::Unstall);
        for _ in 0..8 {
            self.run(&Op::DeliverC2S(u8::MAX));
            self.run(&Op::DeliverS2C(u8::MAX));
            self.client.request_ack(self.now);
            if let Some(s) = &mut self.server {
                s.request_ack(self.now);
            }
            self.settle();
        }
    }
}

/// Runs a schedule from `now` and asserts that every stanza was delivered
/// exactly once and in order both ways, and acknowledged, with nothing
/// left unacknowledged or detached. Panics (naming what differs) when not.
pub fn check(now: Instant, policy: AckPolicy, start: Option<(u32, u32)>, ops: &[Op]) {
    let mut sim = Sim::new(now, policy, start);
    for op in ops {
        sim.run(op);
    }
    sim.finish();
    let all_c: Vec<u64> = (0..sim.client_next).collect();
    let all_s: Vec<u64> = (0..sim.server_next).collect();
    assert_eq!(sim.server_received, all_c, "client to server");
    assert_eq!(sim.client_received, all_s, "server to client");
    assert_eq!(sim.client_acked, all_c, "client acks");
    assert_eq!(sim.server_acked, all_s, "server acks");
    assert_eq!(sim.client.unacknowledged().len(), 0);
    assert_eq!(sim.server.as_ref().unwrap().unacknowledged().len(), 0);
    assert!(sim.store.is_empty());
}
