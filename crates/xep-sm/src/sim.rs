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

/// A schedule decoded from arbitrary bytes (for fuzzing): the first bytes
/// choose the ack policy and whether the counters start near the 2^32
/// wrap, each following pair of bytes one [`Op`]. Every byte string is a
/// valid schedule, so the fuzzer explores schedules, not parse errors.
pub fn schedule_from_bytes(data: &[u8]) -> (AckPolicy, Option<(u32, u32)>, Vec<Op>) {
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
