//! Two [`Endpoint`]s driven by a schedule of [`Op`]s, decoded from
//! arbitrary bytes ([`ops_from_bytes`]; [`ops_to_bytes`] is its inverse),
//! for a fuzz target (`MACHINES` in xtask) and this crate's proptest.
//! Enabled by the `sim` feature. Each op is one input: delivering the next
//! iq of either direction (the two directions interleave freely, so
//! actions cross as they do on a network, while each direction keeps its
//! order as XMPP guarantees), advancing the clock (by less than, exactly
//! or more than the request and ring timeouts, or by the linger period)
//! and firing both endpoints' timers, or a caller action on either side:
//! initiate (with one of a few session ids, so initiates collide and ids
//! are reused once forgotten), accept, terminate, content-add,
//! content-accept or -reject of what the peer offered, content-modify,
//! content-remove, transport-replace, transport-accept or -reject of what
//! the peer proposed, transport-info, description-info, session-info
//! (ringing, hold, an unknown payload or a ping), and requests from a
//! stranger quoting the session ids.
//!
//! The simulated caller reacts to [`Event::TimedOut`] as
//! [`Config::request_timeout`] advises: when a request that changes the
//! session (anything but an informational message or a session-terminate)
//! timed out, the peer may have applied it, so it terminates the session.
//!
//! The linger period of the simulation is shorter than its request
//! timeout, so sessions are also forgotten with requests outstanding.
//!
//! Invariants: nothing panics; everything sent serializes and parses back
//! to an equal iq (it is delivered as parsed); every request is answered
//! on the wire exactly once and every reply answers a request; every
//! request of an endpoint is reported exactly once, by an
//! [`Event::Answered`] or an [`Event::TimedOut`] (also when its session is
//! forgotten first); after [`Endpoint::handle_timeout`]`(now)` no deadline
//! is at or before `now` and no session that ended at least the linger
//! period before `now` is left; and once every iq has been delivered, a
//! session both sides know is in the same state on both sides and, unless
//! ended, has the same contents (creator, name, senders, transport
//! method) and the same pending content offers on both sides, with the
//! two parties in opposite roles. Finally the clock is moved past every
//! timeout: then no session is pending and the sides still agree; moved
//! on past the linger, only active sessions are left, and no timer and no
//! unanswered request; and once the callers have terminated those and the
//! clock has passed the linger again, no session at all is left.

pub mod jmi;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use xep_core::{DefinedCondition, Iq, IqType};
use xep_element::jid::Jid;
use xep_element::{Payload, Registry, XmlElement};

use crate::jingle::{
    Action, Content, Creator, Jingle, JingleError, Reason, ReasonCondition, Senders,
};
use crate::session::{Config, Endpoint, Event, Role, State};
use crate::{ice_udp, raw_udp, rtp};

const A: &str = "alice@example.org/a";
const B: &str = "bob@example.net/b";
const SIDS: &[&str] = &["s1", "s2", "s3"];
const NAMES: &[&str] = &["voice", "video", "screen"];
const CONFIG: Config = Config {
    request_timeout: Duration::from_secs(5),
    ring_timeout: Duration::from_secs(20),
    linger: Duration::from_secs(3),
};

/// A request an endpoint sent: replies seen on the wire, and reports
/// (`Answered` or `TimedOut`) seen by the sender.
#[derive(Default)]
struct Request {
    replies: u32,
    reports: u32,
}

struct World {
    eps: [Endpoint; 2],
    jids: [Jid; 2],
    now: Instant,
    /// In flight, per direction: `wires[0]` from A to B.
    wires: [VecDeque<Iq>; 2],
    /// Requests sent, by sender and id.
    requests: HashMap<(usize, String), Request>,
    registry: Registry,
    stranger_ids: u32,
    /// When each endpoint last saw each of its sessions end
    /// ([`Event::StateChanged`] to [`State::Ended`]), by side, peer and id.
    ended: HashMap<(usize, Jid, String), Instant>,
    /// Which call each session is, by side and id: the side that sent its
    /// session-initiate and that request's iq id. Ids are reused once
    /// forgotten, so two sessions with one id may be different calls.
    calls: HashMap<(usize, String), Call>,
}

/// A call: the side that initiated it and the iq id of its
/// session-initiate.
type Call = (usize, String);

/// Runs the schedule `data` encodes ([`ops_from_bytes`]) against two
/// fresh endpoints whose clock starts at `now`, asserting the invariants
/// of the module docs (panics when one fails).
pub fn fuzz(now: Instant, data: &[u8]) {
    check(now, &ops_from_bytes(data));
}

/// Runs `ops` against two fresh endpoints whose clock starts at `now`,
/// asserting the invariants of the module docs (panics when one fails).
pub fn check(now: Instant, ops: &[Op]) {
    let jids: [Jid; 2] = [A.parse().unwrap(), B.parse().unwrap()];
    let mut w = World {
        eps: [
            Endpoint::with_config(jids[0].clone(), CONFIG),
            Endpoint::with_config(jids[1].clone(), CONFIG),
        ],
        jids,
        now,
        wires: [VecDeque::new(), VecDeque::new()],
        requests: HashMap::new(),
        registry: Registry::new()
            .with(xep_core::ELEMENTS)
            .with(xep_hashes::ELEMENTS)
            .with(crate::ELEMENTS),
        stranger_ids: 0,
        ended: HashMap::new(),
        calls: HashMap::new(),
    };
    for op in ops {
        step(&mut w, op);
        collect(&mut w);
    }
    settle(&mut w);
    check_agreement(&w);
    // Past every timer: pending sessions end on the ring timeout.
    advance(&mut w, CONFIG.ring_timeout + CONFIG.request_timeout);
    collect(&mut w);
    settle(&mut w);
    check_agreement(&w);
    // Past the ring timeout only orphans are pending, and their callers
    // decline them (XEP-0166 gives the responder no timer).
    for side in 0..2 {
        let pending: Vec<String> = w.eps[side]
            .sessions()
            .filter(|s| s.state() == State::Pending)
            .map(|s| s.sid().to_string())
            .collect();
        for sid in pending {
            assert!(
                is_orphan(&w, side, &sid),
                "session {sid} of endpoint {side} pending past the ring timeout"
            );
            let peer = w.jids[1 - side].clone();
            w.eps[side]
                .terminate(
                    w.now,
                    &peer,
                    &sid,
                    Some(Reason::new(ReasonCondition::Decline)),
                )
                .unwrap_or_else(|e| panic!("endpoint {side} cannot decline {sid}: {e}"));
        }
        collect(&mut w);
    }
    settle(&mut w);
    check_agreement(&w);
    // Past the linger (and the request timeout of the session-terminates
    // just sent): the ended sessions are forgotten, the active ones stay.
    let past_linger = CONFIG.linger.max(CONFIG.request_timeout);
    advance(&mut w, past_linger);
    collect(&mut w);
    settle(&mut w);
    check_agreement(&w);
    for (side, ep) in w.eps.iter().enumerate() {
        for s in ep.sessions() {
            assert_eq!(
                s.state(),
                State::Active,
                "session {} of endpoint {side} left in this state past every timeout",
                s.sid()
            );
        }
        assert_no_timer(side, ep);
    }
    // The callers hang up what is left; past the linger, nothing is left.
    for side in 0..2 {
        let live: Vec<(Jid, String)> = w.eps[side]
            .sessions()
            .map(|s| (s.peer().clone(), s.sid().to_string()))
            .collect();
        for (peer, sid) in live {
            w.eps[side]
                .terminate(
                    w.now,
                    &peer,
                    &sid,
                    Some(Reason::new(ReasonCondition::Success)),
                )
                .unwrap_or_else(|e| panic!("endpoint {side} cannot terminate {sid}: {e}"));
        }
        collect(&mut w);
    }
    settle(&mut w);
    check_agreement(&w);
    advance(&mut w, past_linger);
    collect(&mut w);
    for (side, ep) in w.eps.iter().enumerate() {
        let left: Vec<&str> = ep.sessions().map(|s| s.sid()).collect();
        assert!(
            left.is_empty(),
            "endpoint {side} still has sessions {left:?} past the linger"
        );
        assert_no_timer(side, ep);
    }
    for ((who, id), r) in &w.requests {
        assert_eq!(
            r.replies, 1,
            "request {id} of endpoint {who} answered {} times",
            r.replies
        );
        assert_eq!(
            r.reports, 1,
            "request {id} of endpoint {who} reported {} times",
            r.reports
        );
    }
}

/// Asserts that `ep` runs no timer and awaits no reply.
fn assert_no_timer(side: usize, ep: &Endpoint) {
    assert_eq!(
        ep.poll_timeout(),
        None,
        "endpoint {side} has a timer left once everything is answered"
    );
    assert!(
        !ep.has_outstanding(),
        "endpoint {side} has a request outstanding past every timeout"
    );
}

/// Delivers everything in flight.
fn settle(w: &mut World) {
    while !w.wires[0].is_empty() || !w.wires[1].is_empty() {
        for dir in 0..2 {
            deliver(w, dir);
        }
        collect(w);
    }
}

/// Moves the clock and fires the timers of both endpoints.
fn advance(w: &mut World, by: Duration) {
    w.now += by;
    for (side, ep) in w.eps.iter_mut().enumerate() {
        ep.handle_timeout(w.now);
        if let Some(t) = ep.poll_timeout() {
            assert!(
                t > w.now,
                "endpoint {side} has a deadline {:?} at or before now after handle_timeout",
                w.now - t
            );
        }
    }
}

/// Asserts that no session that ended at least the linger period ago is
/// left (both endpoints have fired their timers at `w.now`, and the
/// events saying when sessions ended have been collected).
fn check_forgotten(w: &World) {
    for (side, ep) in w.eps.iter().enumerate() {
        for s in ep.sessions().filter(|s| s.state() == State::Ended) {
            let ended = w
                .ended
                .get(&(side, s.peer().clone(), s.sid().to_string()))
                .unwrap_or_else(|| panic!("session {} ended without an event", s.sid()));
            assert!(
                *ended + CONFIG.linger > w.now,
                "session {} of endpoint {side} still there {:?} after it ended",
                s.sid(),
                w.now - *ended
            );
        }
    }
}

/// The two endpoints, by index: 0 is Alice (`A`), 1 is Bob (`B`).
pub type Side = usize;

/// One step of a schedule. `sid` is an index into the session ids the
/// simulation uses (three of them, so initiates collide and ids are
/// reused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// The next iq `from` sent reaches the other side.
    Deliver {
        /// The sender.
        from: Side,
    },
    /// The clock moves by one of [`Wait`]'s durations and both
    /// endpoints' timers fire.
    Advance(Wait),
    /// `session-initiate` with one content.
    Initiate {
        /// Who calls.
        side: Side,
        /// The session id's index.
        sid: usize,
        /// The content offered.
        content: Spec,
    },
    /// `session-accept`.
    Accept {
        /// Who answers.
        side: Side,
        /// The session id's index.
        sid: usize,
    },
    /// `session-terminate`, with `<success/>` or `<decline/>`.
    Terminate {
        /// Who hangs up.
        side: Side,
        /// The session id's index.
        sid: usize,
        /// `<decline/>` rather than `<success/>`.
        decline: bool,
    },
    /// `content-add` of a content created by the side's own role.
    ContentAdd {
        /// Who adds.
        side: Side,
        /// The session id's index.
        sid: usize,
        /// The content added.
        content: Spec,
    },
    /// `content-accept` (else `content-reject`) of the first content the
    /// peer offered, or of `or` when it offered none.
    ContentAnswer {
        /// Who answers.
        side: Side,
        /// The session id's index.
        sid: usize,
        /// Accept rather than reject.
        accept: bool,
        /// The content answered when nothing is offered.
        or: MadeUp,
    },
    /// `content-modify` of `target` to new senders.
    ContentModify {
        /// Who asks.
        side: Side,
        /// The session id's index.
        sid: usize,
        /// The content.
        target: Target,
        /// Its new senders.
        senders: Senders,
    },
    /// `content-remove` of `target`.
    ContentRemove {
        /// Who removes.
        side: Side,
        /// The session id's index.
        sid: usize,
        /// The content.
        target: Target,
    },
    /// `transport-replace` of `target`'s transport by raw-udp or ice-udp.
    TransportReplace {
        /// Who asks.
        side: Side,
        /// The session id's index.
        sid: usize,
        /// The content.
        target: Target,
        /// The new transport is raw-udp (else ice-udp).
        raw_udp: bool,
    },
    /// `transport-accept` (else `transport-reject`) of the first
    /// replacement the peer proposed, or of `or` when it proposed none.
    TransportAnswer {
        /// Who answers.
        side: Side,
        /// The session id's index.
        sid: usize,
        /// Accept rather than reject.
        accept: bool,
        /// The content answered when nothing is proposed.
        or: MadeUp,
    },
    /// `transport-info` (else `description-info`) about `target`, whose
    /// transport may be the negotiated one or not.
    Info {
        /// Who informs.
        side: Side,
        /// The session id's index.
        sid: usize,
        /// `description-info` rather than `transport-info`.
        description: bool,
        /// The content.
        target: Target,
    },
    /// `session-info`.
    SessionInfo {
        /// Who informs.
        side: Side,
        /// The session id's index.
        sid: usize,
        /// What it carries.
        payload: InfoPayload,
    },
    /// A stranger's `session-terminate` quoting the session id, to `side`.
    Stranger {
        /// Who receives it.
        side: Side,
        /// The session id's index.
        sid: usize,
    },
}

/// How far [`Op::Advance`] moves the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// One second.
    Second,
    /// The linger period.
    Linger,
    /// Just under the request timeout.
    UnderRequestTimeout,
    /// Exactly the request timeout.
    RequestTimeout,
    /// Just over the request timeout.
    OverRequestTimeout,
    /// The ring timeout.
    RingTimeout,
}

const WAITS: [Wait; 6] = [
    Wait::Second,
    Wait::Linger,
    Wait::UnderRequestTimeout,
    Wait::RequestTimeout,
    Wait::OverRequestTimeout,
    Wait::RingTimeout,
];

/// What [`Op::SessionInfo`] carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfoPayload {
    /// Nothing: a ping.
    Ping,
    /// `<hold/>`.
    Hold,
    /// A payload of a namespace nobody knows.
    Unknown,
    /// `<ringing/>`.
    Ringing,
}

const PAYLOADS: [InfoPayload; 4] = [
    InfoPayload::Ping,
    InfoPayload::Hold,
    InfoPayload::Unknown,
    InfoPayload::Ringing,
];

const SENDERS: [Senders; 4] = [
    Senders::Both,
    Senders::Initiator,
    Senders::Responder,
    Senders::None,
];

/// An RTP content of the simulation: one of a few names, audio or video,
/// one payload type of four, over ice-udp or raw-udp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spec {
    /// The name's index (`voice`, `video`, `screen`).
    pub name: usize,
    /// A video description, else audio.
    pub video: bool,
    /// The payload type, above 96.
    pub payload_type: u8,
    /// raw-udp, else ice-udp.
    pub raw_udp: bool,
}

/// A content that the session may not have: [`Spec`] and its creator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MadeUp {
    /// The creator.
    pub creator: Creator,
    /// The rest.
    pub spec: Spec,
}

/// Which content an op is about: one of the session's (`existing`, an
/// index modulo their number) when it has any, else the made-up `or`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// One of the session's contents, or `None` for `or` in any case.
    pub existing: Option<u8>,
    /// The content when the session has none or `existing` is `None`.
    pub or: MadeUp,
}

/// The kinds of op by the tag byte's bits 1 to 7, modulo their number:
/// deliveries weigh most, so that sessions progress.
const KINDS: [u8; 20] = [
    0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
];

/// Decodes any bytes into ops (at most 400): a tag byte per op, whose
/// bit 0 is the side and whose other bits choose the kind of op
/// (`KINDS`), then the op's arguments, a byte each (missing bytes are
/// zeros): the session id's index (modulo 3), flags (bit 0), a wait, a
/// payload or senders (modulo their number), a content [`Spec`] (bits 0-1
/// the name modulo 3, 2-3 the payload type, 4 video, 5 raw-udp, 6 the
/// creator is the responder, for a [`MadeUp`]) and a [`Target`] (a byte
/// whose bit 0 says made-up and whose other bits are the index, then the
/// made-up content's byte). Every byte string is a valid schedule.
pub fn ops_from_bytes(data: &[u8]) -> Vec<Op> {
    let mut bytes = data.iter().copied();
    let mut ops = Vec::new();
    while ops.len() < 400 {
        let Some(tag) = bytes.next() else { break };
        let mut next = || bytes.next().unwrap_or(0);
        let side = usize::from(tag & 1);
        let op = match KINDS[usize::from(tag >> 1) % KINDS.len()] {
            0 => Op::Deliver { from: side },
            1 => Op::Advance(WAITS[usize::from(next()) % WAITS.len()]),
            kind => {
                let sid = usize::from(next()) % SIDS.len();
                match kind {
                    2 => Op::Initiate {
                        side,
                        sid,
                        content: spec_from(next()),
                    },
                    3 => Op::Accept { side, sid },
                    4 => Op::Terminate {
                        side,
                        sid,
                        decline: next() & 1 == 1,
                    },
                    5 => Op::ContentAdd {
                        side,
                        sid,
                        content: spec_from(next()),
                    },
                    6 => Op::ContentAnswer {
                        side,
                        sid,
                        accept: next() & 1 == 1,
                        or: made_up_from(next()),
                    },
                    7 => Op::ContentModify {
                        side,
                        sid,
                        target: target_from(next(), next()),
                        senders: SENDERS[usize::from(next()) % SENDERS.len()],
                    },
                    8 => Op::ContentRemove {
                        side,
                        sid,
                        target: target_from(next(), next()),
                    },
                    9 => Op::TransportReplace {
                        side,
                        sid,
                        target: target_from(next(), next()),
                        raw_udp: next() & 1 == 1,
                    },
                    10 => Op::TransportAnswer {
                        side,
                        sid,
                        accept: next() & 1 == 1,
                        or: made_up_from(next()),
                    },
                    11 => Op::Info {
                        side,
                        sid,
                        description: next() & 1 == 1,
                        target: target_from(next(), next()),
                    },
                    12 => Op::SessionInfo {
                        side,
                        sid,
                        payload: PAYLOADS[usize::from(next()) % PAYLOADS.len()],
                    },
                    _ => Op::Stranger { side, sid },
                }
            }
        };
        ops.push(op);
    }
    ops
}

fn spec_from(b: u8) -> Spec {
    Spec {
        name: usize::from(b & 3) % NAMES.len(),
        payload_type: b >> 2 & 3,
        video: b & 0x10 != 0,
        raw_udp: b & 0x20 != 0,
    }
}

fn made_up_from(b: u8) -> MadeUp {
    MadeUp {
        creator: if b & 0x40 == 0 {
            Creator::Initiator
        } else {
            Creator::Responder
        },
        spec: spec_from(b),
    }
}

fn target_from(which: u8, content: u8) -> Target {
    Target {
        existing: (which & 1 == 0).then_some(which >> 1),
        or: made_up_from(content),
    }
}

/// The inverse of [`ops_from_bytes`]: bytes that decode to `ops`, or
/// `None` when the decoder cannot produce them (a side other than 0 or 1,
/// a session id or name index out of range, a payload type above 3, an
/// existing-content index above 127, or more than 400 ops).
pub fn ops_to_bytes(ops: &[Op]) -> Option<Vec<u8>> {
    fn spec(s: &Spec) -> Option<u8> {
        if s.name >= NAMES.len() || s.payload_type > 3 {
            return None;
        }
        Some(s.name as u8 | s.payload_type << 2 | u8::from(s.video) << 4 | u8::from(s.raw_udp) << 5)
    }
    fn made_up(m: &MadeUp) -> Option<u8> {
        Some(spec(&m.spec)? | u8::from(m.creator == Creator::Responder) << 6)
    }
    fn target(t: &Target) -> Option<[u8; 2]> {
        let which = match t.existing {
            Some(i) if i < 0x80 => i << 1,
            Some(_) => return None,
            None => 1,
        };
        Some([which, made_up(&t.or)?])
    }
    fn index<T: PartialEq>(all: &[T], v: &T) -> u8 {
        all.iter().position(|x| x == v).unwrap() as u8
    }
    if ops.len() > 400 {
        return None;
    }
    // The tag of a kind: the first slot of KINDS that holds it.
    let tag = |kind: u8, side: Side| -> Option<u8> {
        if side > 1 {
            return None;
        }
        let slot = KINDS.iter().position(|k| *k == kind).unwrap() as u8;
        Some(slot << 1 | side as u8)
    };
    let sid = |i: usize| (i < SIDS.len()).then_some(i as u8);
    let mut out = Vec::new();
    for op in ops {
        match op {
            Op::Deliver { from } => out.push(tag(0, *from)?),
            Op::Advance(w) => out.extend([tag(1, 0)?, index(&WAITS, w)]),
            Op::Initiate {
                side,
                sid: i,
                content,
            } => out.extend([tag(2, *side)?, sid(*i)?, spec(content)?]),
            Op::Accept { side, sid: i } => out.extend([tag(3, *side)?, sid(*i)?]),
            Op::Terminate {
                side,
                sid: i,
                decline,
            } => out.extend([tag(4, *side)?, sid(*i)?, u8::from(*decline)]),
            Op::ContentAdd {
                side,
                sid: i,
                content,
            } => out.extend([tag(5, *side)?, sid(*i)?, spec(content)?]),
            Op::ContentAnswer {
                side,
                sid: i,
                accept,
                or,
            } => out.extend([tag(6, *side)?, sid(*i)?, u8::from(*accept), made_up(or)?]),
            Op::ContentModify {
                side,
                sid: i,
                target: t,
                senders,
            } => {
                out.extend([tag(7, *side)?, sid(*i)?]);
                out.extend(target(t)?);
                out.push(index(&SENDERS, senders));
            }
            Op::ContentRemove {
                side,
                sid: i,
                target: t,
            } => {
                out.extend([tag(8, *side)?, sid(*i)?]);
                out.extend(target(t)?);
            }
            Op::TransportReplace {
                side,
                sid: i,
                target: t,
                raw_udp,
            } => {
                out.extend([tag(9, *side)?, sid(*i)?]);
                out.extend(target(t)?);
                out.push(u8::from(*raw_udp));
            }
            Op::TransportAnswer {
                side,
                sid: i,
                accept,
                or,
            } => out.extend([tag(10, *side)?, sid(*i)?, u8::from(*accept), made_up(or)?]),
            Op::Info {
                side,
                sid: i,
                description,
                target: t,
            } => {
                out.extend([tag(11, *side)?, sid(*i)?, u8::from(*description)]);
                out.extend(target(t)?);
            }
            Op::SessionInfo {
                side,
                sid: i,
                payload,
            } => out.extend([tag(12, *side)?, sid(*i)?, index(&PAYLOADS, payload)]),
            Op::Stranger { side, sid: i } => out.extend([tag(13, *side)?, sid(*i)?]),
        }
    }
    Some(out)
}

fn content(creator: Creator, s: &Spec) -> Content {
    let name = NAMES[s.name];
    let mut d = rtp::Description::new(if s.video { "video" } else { "audio" });
    d.payload_types
        .push(rtp::PayloadType::new(96 + s.payload_type, "codec", 90000));
    let mut c = Content::new(creator, name).with(Payload::new(d));
    if s.raw_udp {
        c = c.with(Payload::new(raw_udp::Transport::default()));
    } else {
        c = c.with(Payload::new(ice_udp::Transport {
            ufrag: Some("u".into()),
            pwd: Some("p".into()),
            ..Default::default()
        }));
    }
    c
}

fn made_up(m: &MadeUp) -> Content {
    content(m.creator, &m.spec)
}

fn step(w: &mut World, op: &Op) {
    let (side, sid) = match *op {
        Op::Deliver { from } => {
            deliver(w, from);
            return;
        }
        Op::Advance(wait) => {
            // Around the timeouts: 1 s, the linger, just under, at and
            // just over the request timeout, and the ring timeout.
            let secs = CONFIG.request_timeout.as_secs();
            let by = match wait {
                Wait::Second => Duration::from_secs(1),
                Wait::Linger => CONFIG.linger,
                Wait::UnderRequestTimeout => Duration::from_secs(secs - 1),
                Wait::RequestTimeout => CONFIG.request_timeout,
                Wait::OverRequestTimeout => Duration::from_secs(secs + 1),
                Wait::RingTimeout => CONFIG.ring_timeout,
            };
            advance(w, by);
            return;
        }
        Op::Initiate { side, sid, .. }
        | Op::Accept { side, sid }
        | Op::Terminate { side, sid, .. }
        | Op::ContentAdd { side, sid, .. }
        | Op::ContentAnswer { side, sid, .. }
        | Op::ContentModify { side, sid, .. }
        | Op::ContentRemove { side, sid, .. }
        | Op::TransportReplace { side, sid, .. }
        | Op::TransportAnswer { side, sid, .. }
        | Op::Info { side, sid, .. }
        | Op::SessionInfo { side, sid, .. }
        | Op::Stranger { side, sid } => (side, SIDS[sid]),
    };
    let peer = w.jids[1 - side].clone();
    let now = w.now;
    let ep = &mut w.eps[side];
    let role = ep.session(&peer, sid).map(|s| s.role());
    let mine = role.map_or(Creator::Initiator, |r| match r {
        Role::Initiator => Creator::Initiator,
        Role::Responder => Creator::Responder,
    });
    // The first pending item of a list, else a made-up content.
    let first =
        |it: Vec<Content>, or: &MadeUp| it.into_iter().next().unwrap_or_else(|| made_up(or));
    let _ = match op {
        Op::Deliver { .. } | Op::Advance(_) => unreachable!(),
        Op::Initiate { content: c, .. } => {
            let r = ep.initiate(now, peer, sid, vec![content(Creator::Initiator, c)]);
            if let Ok(id) = &r {
                w.calls.insert((side, sid.to_string()), (side, id.clone()));
            }
            r
        }
        Op::Accept { .. } => ep.accept(now, &peer, sid, vec![]),
        Op::Terminate { decline, .. } => {
            let condition = if *decline {
                ReasonCondition::Decline
            } else {
                ReasonCondition::Success
            };
            ep.terminate(now, &peer, sid, Some(Reason::new(condition)))
        }
        Op::ContentAdd { content: c, .. } => ep.content_action(
            now,
            &peer,
            sid,
            Action::ContentAdd,
            vec![content(mine, c)],
            None,
        ),
        Op::ContentAnswer { accept, or, .. } => {
            let offered = ep
                .session(&peer, sid)
                .map(|s| s.offered().cloned().collect())
                .unwrap_or_default();
            let action = if *accept {
                Action::ContentAccept
            } else {
                Action::ContentReject
            };
            ep.content_action(now, &peer, sid, action, vec![first(offered, or)], None)
        }
        Op::ContentModify {
            target, senders, ..
        } => {
            let c = existing(ep, &peer, sid, target);
            let c = Content::new(c.creator, c.name).with_senders(*senders);
            ep.content_action(now, &peer, sid, Action::ContentModify, vec![c], None)
        }
        Op::ContentRemove { target, .. } => {
            let c = existing(ep, &peer, sid, target);
            ep.content_action(
                now,
                &peer,
                sid,
                Action::ContentRemove,
                vec![Content::new(c.creator, c.name)],
                None,
            )
        }
        Op::TransportReplace {
            target, raw_udp, ..
        } => {
            let mut c = existing(ep, &peer, sid, target);
            c.payloads
                .retain(|p| crate::jingle::payload_name(p).as_deref() != Some("transport"));
            let spec = Spec {
                raw_udp: *raw_udp,
                ..Spec::default()
            };
            let transport = content(c.creator, &spec).transport().unwrap().clone();
            let c = c.with(transport);
            ep.content_action(now, &peer, sid, Action::TransportReplace, vec![c], None)
        }
        Op::TransportAnswer { accept, or, .. } => {
            let replaced = ep
                .session(&peer, sid)
                .map(|s| s.replaced().cloned().collect())
                .unwrap_or_default();
            let action = if *accept {
                Action::TransportAccept
            } else {
                Action::TransportReject
            };
            ep.content_action(now, &peer, sid, action, vec![first(replaced, or)], None)
        }
        Op::Info {
            description,
            target,
            ..
        } => {
            let action = if *description {
                Action::DescriptionInfo
            } else {
                Action::TransportInfo
            };
            // Either a content of the session (its transport may be the
            // negotiated one or not) or a made-up one.
            let c = existing(ep, &peer, sid, target);
            ep.content_action(now, &peer, sid, action, vec![c], None)
        }
        Op::SessionInfo { payload, .. } => {
            let payloads = match payload {
                InfoPayload::Ping => vec![],
                InfoPayload::Hold => vec![Payload::new(rtp::RtpInfo::Hold)],
                InfoPayload::Ringing => vec![Payload::new(rtp::RtpInfo::Ringing)],
                InfoPayload::Unknown => vec![Payload::Raw(
                    "<x xmlns='urn:example:unknown'/>".parse().unwrap(),
                )],
            };
            ep.session_info(now, &peer, sid, payloads)
        }
        Op::Stranger { .. } => {
            // A stranger's request quoting the session id: unknown to the
            // endpoint, whose sessions are with the other party (the reply
            // goes to the stranger and is dropped).
            w.stranger_ids += 1;
            let xml = format!(
                "<iq xmlns='jabber:client' from='mallory@example.com/m' id='m{}' type='set'>\
                 <jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='{sid}'/></iq>",
                w.stranger_ids
            );
            let iq = Iq::from_xml(xml.as_bytes()).unwrap();
            assert!(w.eps[side].handle_iq(now, &iq));
            let reply = loop {
                // Timers due at `now` fired first and may have queued
                // requests: move those to the wire.
                let out = w.eps[side]
                    .poll_transmit()
                    .expect("an answer to the stranger");
                if out.id == iq.id && !out.is_request() {
                    break out;
                }
                put_on_wire(w, side, out);
            };
            assert_eq!(
                reply.type_,
                IqType::Error,
                "a stranger's request was accepted"
            );
            let error = reply.error.as_ref().expect("an error");
            assert_eq!(error.condition, DefinedCondition::ItemNotFound);
            assert!(
                error
                    .app
                    .iter()
                    .any(|p| p.get::<JingleError>().and_then(Result::ok)
                        == Some(JingleError::UnknownSession)),
                "a stranger's request not answered unknown-session"
            );
            return;
        }
    };
}

/// The content `target` names: one of the session's when it has any and
/// `target` picks one, else the made-up one.
fn existing(ep: &Endpoint, peer: &Jid, sid: &str, target: &Target) -> Content {
    let all: Vec<Content> = ep
        .session(peer, sid)
        .map(|s| s.contents().cloned().collect())
        .unwrap_or_default();
    match target.existing {
        Some(i) if !all.is_empty() => all[usize::from(i) % all.len()].clone(),
        _ => made_up(&target.or),
    }
}

/// Checks the round trip of an iq `side` sent, counts it and puts it on
/// the wire.
fn put_on_wire(w: &mut World, side: usize, iq: Iq) {
    let xml = iq.to_xml();
    let back = Iq::from_xml_with(xml.as_bytes(), &w.registry)
        .unwrap_or_else(|e| panic!("sent what does not parse: {xml}: {e}"));
    assert_eq!(back.to_xml(), xml, "an iq changed on a round trip");
    if iq.is_request() {
        let prev = w.requests.insert((side, iq.id.clone()), Request::default());
        assert!(prev.is_none(), "request id {} reused", iq.id);
    }
    w.wires[side].push_back(back);
}

/// Moves what the endpoints queued onto the wires, checking round trips
/// and counting requests, replies and reports; acts on timeouts as the
/// module docs say.
fn collect(w: &mut World) {
    loop {
        let mut idle = true;
        for side in 0..2 {
            while let Some(iq) = w.eps[side].poll_transmit() {
                idle = false;
                put_on_wire(w, side, iq);
            }
            while let Some(e) = w.eps[side].poll_event() {
                idle = false;
                let (id, timed_out) = match &e {
                    Event::StateChanged {
                        peer,
                        sid,
                        state: State::Ended,
                        ..
                    } => {
                        w.ended.insert((side, peer.clone(), sid.clone()), w.now);
                        continue;
                    }
                    Event::Answered { id, .. } => (id, None),
                    Event::TimedOut {
                        id,
                        action,
                        peer,
                        sid,
                    } => (id, Some((*action, peer.clone(), sid.clone()))),
                    _ => continue,
                };
                let r = w
                    .requests
                    .get_mut(&(side, id.clone()))
                    .unwrap_or_else(|| panic!("a report about {id}, which was not sent"));
                r.reports += 1;
                if let Some((action, peer, sid)) = timed_out
                    && !matches!(
                        action,
                        Action::SessionInfo
                            | Action::TransportInfo
                            | Action::DescriptionInfo
                            | Action::SecurityInfo
                            | Action::SessionTerminate
                    )
                {
                    let _ = w.eps[side].terminate(
                        w.now,
                        &peer,
                        &sid,
                        Some(Reason::new(ReasonCondition::Timeout)),
                    );
                }
            }
        }
        if idle {
            break;
        }
    }
    check_forgotten(w);
}

/// Delivers the next iq sent by `from` to the other side.
fn deliver(w: &mut World, from: usize) {
    let Some(iq) = w.wires[from].pop_front() else {
        return;
    };
    let to = 1 - from;
    if !iq.is_request() {
        let r = w
            .requests
            .get_mut(&(to, iq.id.clone()))
            .unwrap_or_else(|| panic!("a reply {} to no request", iq.id));
        r.replies += 1;
    }
    let initiate = iq
        .payload::<Jingle>()
        .and_then(Result::ok)
        .filter(|j| j.action == Action::SessionInitiate);
    let before = initiate
        .as_ref()
        .and_then(|j| w.eps[to].session(&w.jids[from], &j.sid))
        .map(|s| s.role());
    w.eps[to].handle_iq(w.now, &iq);
    if let Some(j) = initiate
        && before != Some(Role::Responder)
        && w.eps[to]
            .session(&w.jids[from], &j.sid)
            .is_some_and(|s| s.role() == Role::Responder)
    {
        // A new incoming session: this initiate's call.
        w.calls.insert((to, j.sid), (from, iq.id.clone()));
    }
}

/// The call the session `sid` of endpoint `side` is, if it has one.
fn call_of<'a>(w: &'a World, side: usize, sid: &str) -> Option<&'a Call> {
    w.eps[side].session(&w.jids[1 - side], sid)?;
    w.calls.get(&(side, sid.to_string()))
}

/// Whether the pending session `sid` of endpoint `side` is an orphan: an
/// incoming session whose initiator does not have it (any more). This
/// happens when a session-initiate that lost a tie-break of equal ids
/// (its sender dropped it) arrives after the winner's session was
/// forgotten (see `Config::linger`); only the caller can end it.
fn is_orphan(w: &World, side: usize, sid: &str) -> bool {
    let Some(s) = w.eps[side].session(&w.jids[1 - side], sid) else {
        return false;
    };
    let call = call_of(w, side, sid);
    s.role() == Role::Responder && s.state() == State::Pending && call_of(w, 1 - side, sid) != call
}

fn check_agreement(w: &World) {
    type Summary = BTreeMap<(Creator, String), (Senders, Option<String>)>;
    let summary = |s: &crate::session::Session| -> (State, Summary) {
        (
            s.state(),
            s.contents()
                .map(|c| ((c.creator, c.name.clone()), (c.senders(), c.transport_ns())))
                .collect(),
        )
    };
    for s in w.eps[0].sessions() {
        assert_eq!(s.peer(), &w.jids[1], "a session with a stranger");
        let Some(other) = w.eps[1].session(&w.jids[0], s.sid()) else {
            continue;
        };
        let call = call_of(w, 0, s.sid());
        assert!(
            call.is_some(),
            "session {} of endpoint 0 from nowhere",
            s.sid()
        );
        if call != call_of(w, 1, s.sid()) {
            // Two calls that used the same id.
            continue;
        }
        let (sa, ca) = summary(s);
        let (sb, cb) = summary(other);
        assert_eq!(sa, sb, "session {} in different states", s.sid());
        if sa != State::Ended {
            assert_ne!(
                s.role(),
                other.role(),
                "both sides of {} in one role",
                s.sid()
            );
            assert_eq!(ca, cb, "session {} with different contents", s.sid());
            let keys = |it: &mut dyn Iterator<Item = &Content>| -> Vec<(Creator, String)> {
                let mut v: Vec<_> = it.map(|c| (c.creator, c.name.clone())).collect();
                v.sort();
                v
            };
            assert_eq!(
                keys(&mut s.offered()),
                keys(&mut other.proposed()),
                "offers to endpoint 0 in {} differ",
                s.sid()
            );
            assert_eq!(
                keys(&mut s.proposed()),
                keys(&mut other.offered()),
                "offers to endpoint 1 in {} differ",
                s.sid()
            );
        }
    }
}

/// The scenarios of the crate's scripted session tests, as schedules: the
/// `jingle-machine` fuzz target's seeds (written by `cargo xtask
/// fuzz-seed`), named. Side 0 is Alice, 1 Bob. Each is encoded with
/// [`ops_to_bytes`].
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    use Op::*;
    const A: Side = 0;
    const B: Side = 1;
    let voice = Spec::default();
    let video = Spec {
        name: 1,
        video: true,
        payload_type: 1,
        raw_udp: false,
    };
    let screen = Spec {
        name: 2,
        video: true,
        payload_type: 2,
        raw_udp: true,
    };
    let made_up = |creator, spec| MadeUp { creator, spec };
    let first = Target {
        existing: Some(0),
        or: made_up(Creator::Initiator, voice),
    };
    let second = Target {
        existing: Some(1),
        or: made_up(Creator::Initiator, video),
    };
    let stray = Target {
        existing: None,
        or: made_up(Creator::Responder, screen),
    };
    // Everything in flight delivered, both ways, `n` rounds.
    let settle = |n: usize| -> Vec<Op> {
        (0..n)
            .flat_map(|_| [Deliver { from: A }, Deliver { from: B }])
            .collect()
    };
    // Alice calls Bob on `sid` and he accepts.
    let call = |sid: usize| -> Vec<Op> {
        [
            vec![Initiate {
                side: A,
                sid,
                content: voice,
            }],
            settle(2),
            vec![Accept { side: B, sid }],
            settle(2),
        ]
        .concat()
    };
    let hang_up = |side: Side, sid: usize| -> Vec<Op> {
        [
            vec![Terminate {
                side,
                sid,
                decline: false,
            }],
            settle(2),
        ]
        .concat()
    };
    let scenarios: Vec<(&'static str, Vec<Op>)> = vec![
        // successful_call: ringing, accept, a candidate, the end.
        (
            "successful-call",
            [
                vec![Initiate {
                    side: A,
                    sid: 0,
                    content: voice,
                }],
                settle(1),
                vec![
                    SessionInfo {
                        side: B,
                        sid: 0,
                        payload: InfoPayload::Ringing,
                    },
                    Accept { side: B, sid: 0 },
                ],
                settle(2),
                vec![Info {
                    side: A,
                    sid: 0,
                    description: false,
                    target: first,
                }],
                hang_up(A, 0),
            ]
            .concat(),
        ),
        // declined_call.
        (
            "declined-call",
            [
                vec![Initiate {
                    side: A,
                    sid: 0,
                    content: video,
                }],
                settle(1),
                vec![Terminate {
                    side: B,
                    sid: 0,
                    decline: true,
                }],
                settle(2),
            ]
            .concat(),
        ),
        // content_add_accepted_and_rejected.
        (
            "content-add-accepted-and-rejected",
            [
                call(0),
                vec![ContentAdd {
                    side: A,
                    sid: 0,
                    content: video,
                }],
                settle(1),
                vec![ContentAnswer {
                    side: B,
                    sid: 0,
                    accept: true,
                    or: made_up(Creator::Initiator, video),
                }],
                settle(2),
                vec![ContentAdd {
                    side: B,
                    sid: 0,
                    content: screen,
                }],
                settle(1),
                vec![ContentAnswer {
                    side: A,
                    sid: 0,
                    accept: false,
                    or: made_up(Creator::Responder, screen),
                }],
                settle(2),
                hang_up(B, 0),
            ]
            .concat(),
        ),
        // transport_replace_accepted_and_rejected.
        (
            "transport-replace-accepted-and-rejected",
            [
                call(0),
                vec![TransportReplace {
                    side: A,
                    sid: 0,
                    target: first,
                    raw_udp: true,
                }],
                settle(1),
                vec![
                    Info {
                        side: B,
                        sid: 0,
                        description: false,
                        target: first,
                    },
                    TransportAnswer {
                        side: B,
                        sid: 0,
                        accept: true,
                        or: made_up(Creator::Initiator, voice),
                    },
                ],
                settle(1),
                vec![TransportReplace {
                    side: B,
                    sid: 0,
                    target: first,
                    raw_udp: false,
                }],
                settle(1),
                vec![TransportAnswer {
                    side: A,
                    sid: 0,
                    accept: false,
                    or: made_up(Creator::Initiator, voice),
                }],
                settle(2),
                hang_up(A, 0),
            ]
            .concat(),
        ),
        // crossing_modifies_are_won_by_the_initiator, then a removal.
        (
            "crossing-modifies-and-a-removal",
            [
                call(0),
                vec![
                    ContentModify {
                        side: A,
                        sid: 0,
                        target: first,
                        senders: Senders::Initiator,
                    },
                    ContentModify {
                        side: B,
                        sid: 0,
                        target: first,
                        senders: Senders::Responder,
                    },
                ],
                settle(2),
                vec![
                    ContentAdd {
                        side: B,
                        sid: 0,
                        content: video,
                    },
                    Deliver { from: B },
                    ContentAnswer {
                        side: A,
                        sid: 0,
                        accept: true,
                        or: made_up(Creator::Responder, video),
                    },
                ],
                settle(2),
                vec![ContentRemove {
                    side: A,
                    sid: 0,
                    target: second,
                }],
                settle(2),
            ]
            .concat(),
        ),
        // simultaneous_initiates_lower_sid_wins.
        (
            "simultaneous-initiates-lower-sid-wins",
            [
                vec![
                    Initiate {
                        side: A,
                        sid: 1,
                        content: voice,
                    },
                    Initiate {
                        side: B,
                        sid: 0,
                        content: video,
                    },
                ],
                settle(3),
                vec![Accept { side: A, sid: 0 }],
                settle(2),
            ]
            .concat(),
        ),
        // simultaneous_initiates_with_equal_ids_lower_jid_wins.
        (
            "simultaneous-initiates-equal-ids",
            [
                vec![
                    Initiate {
                        side: A,
                        sid: 0,
                        content: voice,
                    },
                    Initiate {
                        side: B,
                        sid: 0,
                        content: voice,
                    },
                ],
                settle(3),
                vec![Accept { side: B, sid: 0 }],
                settle(2),
            ]
            .concat(),
        ),
        // errors_for_unknown_sessions_order_and_info, and a stranger.
        (
            "unknown-sessions-and-strangers",
            [
                vec![
                    Accept { side: B, sid: 2 },
                    SessionInfo {
                        side: A,
                        sid: 1,
                        payload: InfoPayload::Ping,
                    },
                    Stranger { side: A, sid: 0 },
                ],
                settle(1),
                call(0),
                vec![
                    Stranger { side: B, sid: 0 },
                    SessionInfo {
                        side: A,
                        sid: 0,
                        payload: InfoPayload::Unknown,
                    },
                    Info {
                        side: B,
                        sid: 0,
                        description: true,
                        target: stray,
                    },
                ],
                settle(2),
            ]
            .concat(),
        ),
        // unanswered_initiate_times_out_and_ends_the_session.
        (
            "unanswered-initiate-times-out",
            vec![
                Initiate {
                    side: A,
                    sid: 0,
                    content: voice,
                },
                Advance(Wait::UnderRequestTimeout),
                Advance(Wait::Second),
                Deliver { from: A },
                Deliver { from: B },
            ],
        ),
        // unanswered_accept_times_out_and_ends_the_session.
        (
            "unanswered-accept-times-out",
            [
                vec![Initiate {
                    side: A,
                    sid: 0,
                    content: voice,
                }],
                settle(2),
                vec![
                    Accept { side: B, sid: 0 },
                    Advance(Wait::OverRequestTimeout),
                ],
                settle(2),
            ]
            .concat(),
        ),
        // unanswered_content_add_times_out_and_the_session_goes_on.
        (
            "unanswered-content-add-times-out",
            [
                call(0),
                vec![
                    ContentAdd {
                        side: B,
                        sid: 0,
                        content: video,
                    },
                    Advance(Wait::RequestTimeout),
                ],
                settle(2),
                hang_up(A, 0),
            ]
            .concat(),
        ),
        // ring_timeout_terminates_a_pending_session.
        (
            "ring-timeout",
            [
                vec![Initiate {
                    side: A,
                    sid: 0,
                    content: voice,
                }],
                settle(1),
                vec![Advance(Wait::RingTimeout)],
                settle(2),
            ]
            .concat(),
        ),
        // an_ended_session_is_forgotten_after_the_linger_period,
        // requests_about_an_ended_session_before_and_after_the_linger and
        // a_session_id_can_be_reused_after_the_linger_period.
        (
            "linger-and-reuse-of-an-id",
            [
                call(0),
                hang_up(B, 0),
                vec![SessionInfo {
                    side: A,
                    sid: 0,
                    payload: InfoPayload::Hold,
                }],
                settle(1),
                vec![Advance(Wait::Linger)],
                vec![SessionInfo {
                    side: A,
                    sid: 0,
                    payload: InfoPayload::Hold,
                }],
                settle(1),
                call(0),
                hang_up(A, 0),
            ]
            .concat(),
        ),
        // forgetting_a_session_gives_up_its_unanswered_requests.
        (
            "forgotten-with-requests-outstanding",
            [
                call(0),
                vec![
                    ContentAdd {
                        side: A,
                        sid: 0,
                        content: screen,
                    },
                    Terminate {
                        side: A,
                        sid: 0,
                        decline: false,
                    },
                    Advance(Wait::Linger),
                ],
                settle(2),
            ]
            .concat(),
        ),
        // Three sessions at once, with actions on each.
        (
            "three-sessions",
            [
                call(0),
                call(1),
                vec![Initiate {
                    side: B,
                    sid: 2,
                    content: screen,
                }],
                settle(1),
                vec![
                    Accept { side: A, sid: 2 },
                    ContentModify {
                        side: B,
                        sid: 1,
                        target: first,
                        senders: Senders::None,
                    },
                    TransportReplace {
                        side: B,
                        sid: 2,
                        target: first,
                        raw_udp: false,
                    },
                ],
                settle(3),
                hang_up(A, 1),
            ]
            .concat(),
        ),
    ];
    scenarios
        .into_iter()
        .map(|(name, ops)| {
            let bytes =
                ops_to_bytes(&ops).unwrap_or_else(|| panic!("seed {name} cannot be encoded"));
            (name, bytes)
        })
        .collect()
}

/// A libFuzzer dictionary for the `jingle-machine` target: each kind of
/// op as bytes, from either side where it has one, and every wait and
/// session-info payload.
pub fn dictionary() -> Vec<Vec<u8>> {
    let voice = Spec::default();
    let or = MadeUp {
        creator: Creator::Initiator,
        spec: voice,
    };
    let target = Target {
        existing: Some(0),
        or,
    };
    let mut ops: Vec<Op> = WAITS.iter().map(|w| Op::Advance(*w)).collect();
    for side in 0..2 {
        ops.extend([
            Op::Deliver { from: side },
            Op::Initiate {
                side,
                sid: 0,
                content: voice,
            },
            Op::Accept { side, sid: 0 },
            Op::Terminate {
                side,
                sid: 0,
                decline: false,
            },
            Op::ContentAdd {
                side,
                sid: 0,
                content: voice,
            },
            Op::ContentAnswer {
                side,
                sid: 0,
                accept: true,
                or,
            },
            Op::ContentModify {
                side,
                sid: 0,
                target,
                senders: Senders::Both,
            },
            Op::ContentRemove {
                side,
                sid: 0,
                target,
            },
            Op::TransportReplace {
                side,
                sid: 0,
                target,
                raw_udp: true,
            },
            Op::TransportAnswer {
                side,
                sid: 0,
                accept: true,
                or,
            },
            Op::Info {
                side,
                sid: 0,
                description: false,
                target,
            },
            Op::Stranger { side, sid: 0 },
        ]);
        ops.extend(PAYLOADS.iter().map(|payload| Op::SessionInfo {
            side,
            sid: 0,
            payload: *payload,
        }));
    }
    ops.iter()
        .map(|op| ops_to_bytes(std::slice::from_ref(op)).unwrap())
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_call_schedule_runs() {
        // A initiates s1, B gets it and answers, B accepts, all delivered.
        check(
            Instant::now(),
            &[
                Op::Initiate {
                    side: 0,
                    sid: 0,
                    content: Spec::default(),
                },
                Op::Deliver { from: 1 },
                Op::Deliver { from: 0 },
                Op::Accept { side: 1, sid: 0 },
                Op::Deliver { from: 1 },
                Op::Deliver { from: 0 },
            ],
        );
    }

    #[test]
    fn a_schedule_with_timeouts_runs() {
        // A initiates s1; the clock passes the request timeout before B
        // gets it (A ends the session with <timeout/>); then everything is
        // delivered.
        check(
            Instant::now(),
            &[
                Op::Initiate {
                    side: 0,
                    sid: 0,
                    content: Spec::default(),
                },
                Op::Advance(Wait::RequestTimeout),
                Op::Deliver { from: 0 },
                Op::Deliver { from: 1 },
            ],
        );
    }

    fn spec() -> impl Strategy<Value = Spec> {
        (0..3usize, any::<bool>(), 0..4u8, any::<bool>()).prop_map(
            |(name, video, payload_type, raw_udp)| Spec {
                name,
                video,
                payload_type,
                raw_udp,
            },
        )
    }

    fn made_up() -> impl Strategy<Value = MadeUp> {
        (any::<bool>(), spec()).prop_map(|(r, spec)| MadeUp {
            creator: if r {
                Creator::Responder
            } else {
                Creator::Initiator
            },
            spec,
        })
    }

    fn target() -> impl Strategy<Value = Target> {
        (proptest::option::of(0..0x80u8), made_up())
            .prop_map(|(existing, or)| Target { existing, or })
    }

    /// Any op with arguments in the decoder's ranges.
    fn op() -> impl Strategy<Value = Op> {
        let (s, i) = (0..2usize, 0..3usize);
        prop_oneof![
            s.clone().prop_map(|from| Op::Deliver { from }),
            (0..6usize).prop_map(|w| Op::Advance(WAITS[w])),
            (s.clone(), i.clone(), spec()).prop_map(|(side, sid, content)| Op::Initiate {
                side,
                sid,
                content
            }),
            (s.clone(), i.clone()).prop_map(|(side, sid)| Op::Accept { side, sid }),
            (s.clone(), i.clone(), any::<bool>()).prop_map(|(side, sid, decline)| Op::Terminate {
                side,
                sid,
                decline
            }),
            (s.clone(), i.clone(), spec()).prop_map(|(side, sid, content)| Op::ContentAdd {
                side,
                sid,
                content
            }),
            (s.clone(), i.clone(), any::<bool>(), made_up()).prop_map(|(side, sid, accept, or)| {
                Op::ContentAnswer {
                    side,
                    sid,
                    accept,
                    or,
                }
            }),
            (s.clone(), i.clone(), target(), 0..4usize).prop_map(|(side, sid, target, n)| {
                Op::ContentModify {
                    side,
                    sid,
                    target,
                    senders: SENDERS[n],
                }
            }),
            (s.clone(), i.clone(), target()).prop_map(|(side, sid, target)| Op::ContentRemove {
                side,
                sid,
                target
            }),
            (s.clone(), i.clone(), target(), any::<bool>()).prop_map(
                |(side, sid, target, raw_udp)| Op::TransportReplace {
                    side,
                    sid,
                    target,
                    raw_udp
                }
            ),
            (s.clone(), i.clone(), any::<bool>(), made_up()).prop_map(|(side, sid, accept, or)| {
                Op::TransportAnswer {
                    side,
                    sid,
                    accept,
                    or,
                }
            }),
            (s.clone(), i.clone(), any::<bool>(), target()).prop_map(
                |(side, sid, description, target)| Op::Info {
                    side,
                    sid,
                    description,
                    target
                }
            ),
            (s.clone(), i.clone(), 0..4usize).prop_map(|(side, sid, n)| Op::SessionInfo {
                side,
                sid,
                payload: PAYLOADS[n]
            }),
            (s, i).prop_map(|(side, sid)| Op::Stranger { side, sid }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The encoder inverts the decoder on what the decoder gives ...
        #[test]
        fn decoded_ops_encode_to_bytes_that_decode_to_them(
            data in proptest::collection::vec(any::<u8>(), 0..800),
        ) {
            let ops = ops_from_bytes(&data);
            let bytes = ops_to_bytes(&ops).expect("decoded ops encode");
            prop_assert_eq!(ops_from_bytes(&bytes), ops);
        }

        /// ... and on every schedule in the decoder's ranges.
        #[test]
        fn written_ops_encode_and_decode_to_themselves(
            ops in proptest::collection::vec(op(), 0..100),
        ) {
            let bytes = ops_to_bytes(&ops).expect("ops in range encode");
            prop_assert_eq!(ops_from_bytes(&bytes), ops);
        }
    }

    #[test]
    fn the_encoder_refuses_what_the_decoder_cannot_express() {
        let enc = |op: Op| ops_to_bytes(&[op]);
        assert!(enc(Op::Deliver { from: 2 }).is_none());
        assert!(enc(Op::Accept { side: 0, sid: 3 }).is_none());
        let big = Spec {
            payload_type: 4,
            ..Spec::default()
        };
        assert!(
            enc(Op::ContentAdd {
                side: 0,
                sid: 0,
                content: big
            })
            .is_none()
        );
        let far = Target {
            existing: Some(0x80),
            or: MadeUp {
                creator: Creator::Initiator,
                spec: Spec::default(),
            },
        };
        assert!(
            enc(Op::ContentRemove {
                side: 0,
                sid: 0,
                target: far
            })
            .is_none()
        );
        assert!(ops_to_bytes(&vec![Op::Deliver { from: 0 }; 401]).is_none());
    }

    /// Replays the `jingle-machine` fuzz target's seeds (the scenarios of
    /// the session tests, as `cargo xtask fuzz-seed` writes them) and every
    /// crash input kept under `fixtures/xep-jingle/fuzz/jingle-machine/`.
    #[test]
    fn fuzz_seeds_and_crash_fixtures_replay() {
        assert!(dictionary().len() > 10);
        let seeds = seeds();
        assert!(seeds.len() >= 10);
        for (name, data) in &seeds {
            eprintln!("seed {name}");
            fuzz(Instant::now(), data);
        }
        let fixtures = xep_element::testdata::crash_fixtures("xep-jingle", "jingle-machine");
        assert!(!fixtures.is_empty());
        for (path, data) in fixtures {
            eprintln!("replaying {}", path.display());
            fuzz(Instant::now(), &data);
        }
    }
}
