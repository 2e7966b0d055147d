//! A simulated XEP-0114 negotiation: a [`Component`] and a
//! [`ComponentServer`] talking through real bytes (each end's `Transmit`s
//! written by a `StreamWriter` and read by the other end's
//! `StreamReader`), with the server's caller deciding, time passing, and
//! stanzas and closes arriving out of turn. The harness of the property
//! tests and of the `negotiation-machine` fuzz target (`MACHINES` in
//! `xtask/src/fuzz.rs`), which decodes a schedule from bytes with
//! [`schedule_from_bytes`]. Enabled by the `sim` feature (and in this
//! crate's tests).
//!
//! Invariants checked after every step: what each end writes is a
//! well-formed stream the other end reads (nothing after the close); each
//! end reports at most one outcome, and its state agrees with it; the
//! server authenticates only the right secret, and the component only
//! after the server did; inputs are the machine's exactly while it
//! negotiates; misuse is `WrongState` and queues nothing; no deadline is
//! left in the past. And when the schedule only delivered, accepted with
//! the right secret and let less than the timeout pass, both ends end
//! ready once everything in flight is delivered.

use std::time::{Duration, Instant};

use xep_core::{
    ContentNs, Message, Stanza, StreamCondition, StreamEvent, StreamLimits, StreamReader,
    StreamWriter,
};
use xep_element::{Payload, Registry};

use crate::component::{self, Component};
use crate::component_server::{self, ComponentServer};
use crate::{Error, Transmit};

pub mod client;
pub mod pair;
pub mod s2s;
pub mod server;

const NAME: &str = "gateway.example.org";
const SECRET: &str = "shared secret";
const WRONG: &str = "not the secret";

/// One step of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Everything the component wrote so far reaches the server.
    DeliverUp,
    /// Everything the server wrote so far reaches the component.
    DeliverDown,
    /// The server's caller accepts the name, with the right secret or not.
    Accept {
        /// Whether the secret is the component's.
        right: bool,
    },
    /// The server's caller refuses the name (`host-unknown`).
    Refuse,
    /// Seconds pass; then both ends' timers run.
    Tick(u8),
    /// A stanza reaches the server out of turn.
    StanzaToServer,
    /// A stanza reaches the component out of turn.
    StanzaToComponent,
    /// The component's stream ends (as the server reads it).
    EndToServer,
    /// The server's stream ends (as the component reads it).
    EndToComponent,
    /// The component's caller calls `start` again.
    Start,
}

const KINDS: u8 = 10;

/// Decodes any bytes into a schedule: one byte chooses the kind (modulo
/// 10, in the order of [`Op`]'s variants); `Accept` and `Tick` read one
/// more byte (its lowest bit; its value). A missing last byte ends the
/// schedule.
pub fn schedule_from_bytes(data: &[u8]) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut it = data.iter().copied();
    while let Some(k) = it.next() {
        ops.push(match k % KINDS {
            0 => Op::DeliverUp,
            1 => Op::DeliverDown,
            2 => match it.next() {
                Some(b) => Op::Accept { right: b & 1 == 1 },
                None => break,
            },
            3 => Op::Refuse,
            4 => match it.next() {
                Some(b) => Op::Tick(b),
                None => break,
            },
            5 => Op::StanzaToServer,
            6 => Op::StanzaToComponent,
            7 => Op::EndToServer,
            8 => Op::EndToComponent,
            _ => Op::Start,
        });
    }
    ops
}

/// The bytes [`schedule_from_bytes`] decodes into `ops`.
pub fn schedule_to_bytes(ops: &[Op]) -> Vec<u8> {
    let mut out = Vec::new();
    for op in ops {
        match *op {
            Op::DeliverUp => out.push(0),
            Op::DeliverDown => out.push(1),
            Op::Accept { right } => out.extend([2, u8::from(right)]),
            Op::Refuse => out.push(3),
            Op::Tick(s) => out.extend([4, s]),
            Op::StanzaToServer => out.push(5),
            Op::StanzaToComponent => out.push(6),
            Op::EndToServer => out.push(7),
            Op::EndToComponent => out.push(8),
            Op::Start => out.push(9),
        }
    }
    out
}

/// Runs the schedule decoded from `data` (the fuzz target's entry point).
pub fn fuzz(now: Instant, data: &[u8]) {
    let _ = check(now, &schedule_from_bytes(data));
}

/// One direction: the writer of one end, the bytes in flight, the reader
/// of the other end (also the scripted tests' connection).
pub(crate) struct Wire {
    pub(crate) writer: StreamWriter,
    pub(crate) reader: StreamReader,
    pub(crate) in_flight: Vec<u8>,
    /// Everything written through [`Wire::write`], for transcripts.
    pub(crate) transcript: String,
    closed: bool,
}

impl Wire {
    pub(crate) fn new() -> Self {
        let registry = Registry::new()
            .with(xep_core::ELEMENTS)
            .with(crate::ELEMENTS);
        Wire {
            writer: StreamWriter::default(),
            reader: StreamReader::new(StreamLimits::default()).with_registry(registry),
            in_flight: Vec::new(),
            transcript: String::new(),
            closed: false,
        }
    }

    /// Writes `t` as the end's writer does.
    pub(crate) fn write(&mut self, t: Transmit) {
        assert!(!self.closed, "{t:?} written after the close");
        self.closed = t == Transmit::Close;
        let bytes = t.to_bytes(&mut self.writer);
        self.transcript.push_str(&String::from_utf8_lossy(&bytes));
        self.in_flight.extend(bytes);
    }

    /// Everything in flight arrives: the events the reader reads.
    pub(crate) fn deliver(&mut self) -> Vec<StreamEvent> {
        self.reader.feed(&std::mem::take(&mut self.in_flight));
        let mut events = Vec::new();
        while let Some(e) = self
            .reader
            .next_event()
            .unwrap_or_else(|e| panic!("an end wrote a broken stream: {e:?}"))
        {
            events.push(e);
        }
        events
    }
}

/// Where one end's negotiation stands.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Still negotiating.
    #[default]
    Open,
    /// Authenticated.
    Ready,
    /// Failed (or refused).
    Failed,
}

/// How a schedule ended on each end, once everything in flight arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcomes {
    /// The component's end.
    pub component: Outcome,
    /// The server's end.
    pub server: Outcome,
}

struct Sim {
    now: Instant,
    c: Component,
    s: ComponentServer,
    up: Wire,
    down: Wire,
    c_outcome: Outcome,
    s_outcome: Outcome,
    /// The secret the server's caller accepted with, if it did.
    accepted: Option<&'static str>,
}

fn stanza() -> StreamEvent {
    let mut m = Message::chat("juliet@example.org".parse().unwrap(), "out of turn");
    m.from = Some("bot@gateway.example.org".parse().unwrap());
    m.ns = ContentNs::ComponentAccept;
    StreamEvent::Element(Payload::new(Stanza::Message(m)))
}

impl Sim {
    fn input_server(&mut self, e: &StreamEvent) {
        let negotiating = !matches!(
            self.s.state(),
            component_server::State::Ready | component_server::State::Failed
        );
        assert_eq!(
            self.s.handle_stream_event(self.now, e),
            negotiating,
            "{e:?}"
        );
    }

    fn input_component(&mut self, e: &StreamEvent) {
        let negotiating = !matches!(
            self.c.state(),
            component::State::Idle | component::State::Ready | component::State::Failed
        );
        assert_eq!(
            self.c.handle_stream_event(self.now, e),
            negotiating,
            "{e:?}"
        );
    }

    fn step(&mut self, op: Op) {
        match op {
            Op::DeliverUp => {
                for e in self.up.deliver() {
                    self.input_server(&e);
                }
            }
            Op::DeliverDown => {
                for e in self.down.deliver() {
                    self.input_component(&e);
                }
            }
            Op::Accept { right } => {
                let secret = if right { SECRET } else { WRONG };
                let before = self.s.state();
                match self.s.accept(self.now, secret) {
                    Ok(()) => {
                        assert_eq!(before, component_server::State::AwaitingDecision);
                        self.accepted = Some(secret);
                    }
                    Err(e) => self.misuse(e, "accept", before),
                }
            }
            Op::Refuse => {
                let before = self.s.state();
                if let Err(e) = self.s.refuse(self.now, StreamCondition::HostUnknown) {
                    self.misuse(e, "refuse", before);
                }
            }
            Op::Tick(secs) => {
                self.now += Duration::from_secs(u64::from(secs));
                self.c.handle_timeout(self.now);
                self.s.handle_timeout(self.now);
                assert!(self.c.poll_timeout().is_none_or(|t| t > self.now));
                assert!(self.s.poll_timeout().is_none_or(|t| t > self.now));
            }
            Op::StanzaToServer => self.input_server(&stanza()),
            Op::StanzaToComponent => self.input_component(&stanza()),
            Op::EndToServer => self.input_server(&StreamEvent::End),
            Op::EndToComponent => self.input_component(&StreamEvent::End),
            Op::Start => {
                let before = self.c.state();
                let e = self
                    .c
                    .start(self.now)
                    .expect_err("started at the beginning");
                assert_eq!(
                    e,
                    Error::WrongState {
                        action: "start",
                        state: before
                    }
                );
            }
        }
        self.drain();
    }

    /// A refused command: `WrongState` naming it and the state it met, and
    /// nothing queued.
    fn misuse<S: std::fmt::Debug + PartialEq>(&mut self, e: Error<S>, action: &str, state: S) {
        let Error::WrongState {
            action: a,
            state: s,
        } = e
        else {
            panic!("not a wrong state: {e:?}")
        };
        assert_eq!((a, s), (action, state));
        assert_ne!(self.s.state(), component_server::State::AwaitingDecision);
    }

    /// Moves what each end wrote onto its wire and checks its events.
    fn drain(&mut self) {
        while let Some(t) = self.c.poll_transmit() {
            self.up.write(t);
        }
        while let Some(t) = self.s.poll_transmit() {
            self.down.write(t);
        }
        while let Some(e) = self.s.poll_event() {
            match e {
                component_server::Event::NameRequested { name } => {
                    assert_eq!(name.to_string(), NAME);
                    assert_eq!(self.s_outcome, Outcome::Open);
                }
                component_server::Event::Authenticated { name } => {
                    assert_eq!(name.to_string(), NAME);
                    assert_eq!(self.s_outcome, Outcome::Open);
                    assert_eq!(self.accepted, Some(SECRET), "a wrong secret authenticated");
                    self.s_outcome = Outcome::Ready;
                }
                component_server::Event::Failed(_) => {
                    assert_eq!(self.s_outcome, Outcome::Open);
                    self.s_outcome = Outcome::Failed;
                }
            }
        }
        while let Some(e) = self.c.poll_event() {
            assert_eq!(self.c_outcome, Outcome::Open, "a second outcome: {e:?}");
            match e {
                component::Event::Authenticated => {
                    assert_eq!(self.s_outcome, Outcome::Ready, "authenticated alone");
                    self.c_outcome = Outcome::Ready;
                }
                component::Event::Failed(_) => self.c_outcome = Outcome::Failed,
            }
        }
        let c = match self.c.state() {
            component::State::Ready => Outcome::Ready,
            component::State::Failed => Outcome::Failed,
            _ => Outcome::Open,
        };
        let s = match self.s.state() {
            component_server::State::Ready => Outcome::Ready,
            component_server::State::Failed => Outcome::Failed,
            _ => Outcome::Open,
        };
        assert_eq!((c, s), (self.c_outcome, self.s_outcome));
    }
}

/// Runs `ops`, checks the invariants (see the module documentation) and
/// returns how each end ended.
pub fn check(now: Instant, ops: &[Op]) -> Outcomes {
    let mut c = Component::new(component::Config::new(NAME.parse().unwrap(), SECRET));
    c.start(now).unwrap();
    let mut sim = Sim {
        now,
        c,
        s: ComponentServer::new(component_server::Config::new("sim-stream-1")),
        up: Wire::new(),
        down: Wire::new(),
        c_outcome: Outcome::Open,
        s_outcome: Outcome::Open,
        accepted: None,
    };
    sim.drain();
    for &op in ops {
        sim.step(op);
    }
    let clean = ops.iter().all(|op| {
        matches!(
            op,
            Op::DeliverUp | Op::DeliverDown | Op::Accept { right: true } | Op::Start | Op::Tick(_)
        )
    }) && sim.now.duration_since(now) < component::DEFAULT_TIMEOUT;
    // Everything in flight arrives; the server's caller accepts with the
    // right secret if it has not decided.
    for _ in 0..3 {
        sim.step(Op::DeliverUp);
        if clean && sim.s.state() == component_server::State::AwaitingDecision {
            sim.step(Op::Accept { right: true });
        }
        sim.step(Op::DeliverDown);
    }
    if clean {
        assert_eq!(
            (sim.c_outcome, sim.s_outcome),
            (Outcome::Ready, Outcome::Ready),
            "{ops:?}"
        );
    }
    Outcomes {
        component: sim.c_outcome,
        server: sim.s_outcome,
    }
}

/// The scenarios of the scripted tests, as schedules: the fuzz target's
/// seeds.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    use Op::*;
    let ok = [
        DeliverUp,
        Accept { right: true },
        DeliverDown,
        DeliverUp,
        DeliverDown,
    ];
    [
        ("authenticated", ok.to_vec()),
        (
            "wrong-secret",
            vec![
                DeliverUp,
                Accept { right: false },
                DeliverDown,
                DeliverUp,
                DeliverDown,
            ],
        ),
        ("refused-name", vec![DeliverUp, Refuse, DeliverDown]),
        ("component-times-out", vec![Tick(20), Tick(10)]),
        (
            "server-times-out",
            vec![DeliverUp, Accept { right: true }, Tick(30), DeliverDown],
        ),
        (
            "stanza-before-handshake",
            vec![
                DeliverUp,
                Accept { right: true },
                StanzaToServer,
                DeliverDown,
            ],
        ),
        (
            "stanza-to-the-component-before-success",
            vec![
                DeliverUp,
                Accept { right: true },
                DeliverDown,
                StanzaToComponent,
            ],
        ),
        ("server-closes-early", vec![DeliverUp, EndToComponent]),
        (
            "component-closes-early",
            vec![DeliverUp, EndToServer, DeliverDown],
        ),
        (
            "misuse",
            // Each command before its time, then accepted twice and
            // refused after accepting.
            vec![
                Start,
                Accept { right: true },
                Refuse,
                DeliverUp,
                Accept { right: true },
                Accept { right: false },
                Refuse,
            ],
        ),
        (
            "stanzas-after-success",
            [&ok[..], &[StanzaToServer, StanzaToComponent]].concat(),
        ),
    ]
    .into_iter()
    .map(|(n, ops)| (n, schedule_to_bytes(&ops)))
    .collect()
}

/// Each kind of input as the bytes the decoder reads: the fuzz target's
/// dictionary.
pub fn dictionary() -> Vec<Vec<u8>> {
    use Op::*;
    [
        DeliverUp,
        DeliverDown,
        Accept { right: true },
        Accept { right: false },
        Refuse,
        Tick(1),
        Tick(29),
        Tick(30),
        StanzaToServer,
        StanzaToComponent,
        EndToServer,
        EndToComponent,
        Start,
    ]
    .iter()
    .map(|op| schedule_to_bytes(&[*op]))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            Just(Op::DeliverUp),
            Just(Op::DeliverDown),
            any::<bool>().prop_map(|right| Op::Accept { right }),
            Just(Op::Refuse),
            any::<u8>().prop_map(Op::Tick),
            Just(Op::StanzaToServer),
            Just(Op::StanzaToComponent),
            Just(Op::EndToServer),
            Just(Op::EndToComponent),
            Just(Op::Start),
        ]
    }

    proptest! {
        #[test]
        fn any_bytes_keep_the_invariants(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            fuzz(Instant::now(), &data);
        }

        #[test]
        fn schedules_encode_and_decode(ops in proptest::collection::vec(op(), 0..32)) {
            prop_assert_eq!(schedule_from_bytes(&schedule_to_bytes(&ops)), ops.clone());
            let _ = check(Instant::now(), &ops);
        }
    }

    /// Replays the seeds, and every crash input kept under
    /// `fixtures/xep-negotiation/fuzz/negotiation-machine/`, as the fuzz
    /// target runs them.
    #[test]
    fn seeds_and_crash_fixtures_replay() {
        assert!(dictionary().len() > 10);
        for (name, data) in seeds() {
            eprintln!("seed {name}");
            fuzz(Instant::now(), &data);
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/xep-negotiation/fuzz/negotiation-machine");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
            .collect();
        files.sort();
        for p in files {
            eprintln!("replaying {}", p.display());
            fuzz(Instant::now(), &std::fs::read(&p).unwrap());
        }
    }

    #[test]
    fn each_seed_ends_as_its_scenario_says() {
        use Outcome::*;
        let expected = [
            ("authenticated", (Ready, Ready)),
            ("wrong-secret", (Failed, Failed)),
            ("refused-name", (Failed, Failed)),
            ("component-times-out", (Failed, Failed)),
            ("server-times-out", (Failed, Failed)),
            ("stanza-before-handshake", (Failed, Failed)),
            // The handshake was on its way before the component failed:
            // the server's negotiation ended, the stream error after it is
            // the server's caller's.
            ("stanza-to-the-component-before-success", (Failed, Ready)),
            ("server-closes-early", (Failed, Failed)),
            ("component-closes-early", (Failed, Failed)),
            ("misuse", (Ready, Ready)),
            ("stanzas-after-success", (Ready, Ready)),
        ];
        let seeds = seeds();
        assert_eq!(seeds.len(), expected.len());
        for ((name, data), (want, (c, s))) in seeds.iter().zip(expected) {
            assert_eq!(*name, want);
            let got = check(Instant::now(), &schedule_from_bytes(data));
            assert_eq!((got.component, got.server), (c, s), "{name}");
        }
    }
}
