//! Two [`Endpoint`]s driven by a schedule decoded from arbitrary bytes,
//! for a fuzz target (`MACHINES` in xtask) and this crate's proptest.
//! Enabled by the `sim` feature. Each pair of bytes is one input:
//! delivering the next iq of either direction (the two directions
//! interleave freely, so actions cross as they do on a network, while each
//! direction keeps its order as XMPP guarantees), advancing the clock (by
//! less than, exactly or more than the request and ring timeouts, or by
//! the linger period) and firing both endpoints' timers, or a caller
//! action on either side: initiate (with one of a few session ids, so
//! initiates collide and ids are reused once forgotten), accept,
//! terminate, content-add, content-accept or -reject of what the peer
//! offered, content-modify, content-remove, transport-replace,
//! transport-accept or -reject of what the peer proposed, transport-info,
//! description-info, session-info (known payload, unknown payload or a
//! ping), and requests from a stranger quoting the session ids.
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

/// Runs the schedule `data` encodes against two fresh endpoints whose
/// clock starts at `now`, asserting the invariants of the module docs
/// (panics when one fails).
pub fn fuzz(now: Instant, data: &[u8]) {
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
    for pair in data.chunks(2).take(400) {
        let (k, a) = (pair[0], pair.get(1).copied().unwrap_or(0));
        step(&mut w, k, a);
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

fn content(creator: Creator, a: u8) -> Content {
    let name = NAMES[usize::from(a) % NAMES.len()];
    let mut d = rtp::Description::new(if a & 4 == 0 { "audio" } else { "video" });
    d.payload_types
        .push(rtp::PayloadType::new(96 + (a & 3), "codec", 90000));
    let mut c = Content::new(creator, name).with(Payload::new(d));
    if a & 8 == 0 {
        c = c.with(Payload::new(ice_udp::Transport {
            ufrag: Some("u".into()),
            pwd: Some("p".into()),
            ..Default::default()
        }));
    } else {
        c = c.with(Payload::new(raw_udp::Transport::default()));
    }
    c
}

fn creator_of(a: u8) -> Creator {
    if a & 0x10 == 0 {
        Creator::Initiator
    } else {
        Creator::Responder
    }
}

fn senders(a: u8) -> Senders {
    [
        Senders::Both,
        Senders::Initiator,
        Senders::Responder,
        Senders::None,
    ][usize::from(a >> 5) % 4]
}

fn step(w: &mut World, k: u8, a: u8) {
    let side = usize::from(k & 1);
    let peer = w.jids[1 - side].clone();
    let sid = SIDS[usize::from(a) % SIDS.len()];
    let now = w.now;
    let ep = &mut w.eps[side];
    let role = ep.session(&peer, sid).map(|s| s.role());
    let mine = role.map_or(Creator::Initiator, |r| match r {
        Role::Initiator => Creator::Initiator,
        Role::Responder => Creator::Responder,
    });
    // The first pending item of a list, else a made-up content.
    let first = |it: Vec<Content>, a: u8| {
        it.into_iter()
            .next()
            .unwrap_or_else(|| content(creator_of(a), a))
    };
    let _ = match (k >> 1) % 16 {
        0..=4 => {
            deliver(w, side);
            return;
        }
        5 => {
            let r = ep.initiate(now, peer, sid, vec![content(Creator::Initiator, a)]);
            if let Ok(id) = &r {
                w.calls.insert((side, sid.to_string()), (side, id.clone()));
            }
            r
        }
        6 => ep.accept(now, &peer, sid, vec![]),
        7 if a < 0x40 => ep.terminate(now, &peer, sid, Some(Reason::new(ReasonCondition::Success))),
        7 if a < 0xc0 => {
            deliver(w, side);
            return;
        }
        7 => {
            // Around the timeouts: 1 s, the linger, just under, at and
            // just over the request timeout, and the ring timeout.
            let secs = CONFIG.request_timeout.as_secs();
            let by = match a % 6 {
                0 => Duration::from_secs(1),
                1 => CONFIG.linger,
                2 => Duration::from_secs(secs - 1),
                3 => CONFIG.request_timeout,
                4 => Duration::from_secs(secs + 1),
                _ => CONFIG.ring_timeout,
            };
            advance(w, by);
            return;
        }
        8 => ep.content_action(
            now,
            &peer,
            sid,
            Action::ContentAdd,
            vec![content(mine, a >> 1)],
            None,
        ),
        9 => {
            let offered = ep
                .session(&peer, sid)
                .map(|s| s.offered().cloned().collect())
                .unwrap_or_default();
            let action = if a & 0x80 == 0 {
                Action::ContentAccept
            } else {
                Action::ContentReject
            };
            ep.content_action(now, &peer, sid, action, vec![first(offered, a)], None)
        }
        10 => {
            let c = existing(ep, &peer, sid, a);
            let c = Content::new(c.creator, c.name).with_senders(senders(a));
            ep.content_action(now, &peer, sid, Action::ContentModify, vec![c], None)
        }
        11 => {
            let c = existing(ep, &peer, sid, a);
            ep.content_action(
                now,
                &peer,
                sid,
                Action::ContentRemove,
                vec![Content::new(c.creator, c.name)],
                None,
            )
        }
        12 => {
            let mut c = existing(ep, &peer, sid, a);
            c.payloads
                .retain(|p| crate::jingle::payload_name(p).as_deref() != Some("transport"));
            let c = c.with(content(creator_of(a), a ^ 8).transport().unwrap().clone());
            ep.content_action(now, &peer, sid, Action::TransportReplace, vec![c], None)
        }
        13 => {
            let replaced = ep
                .session(&peer, sid)
                .map(|s| s.replaced().cloned().collect())
                .unwrap_or_default();
            let action = if a & 0x80 == 0 {
                Action::TransportAccept
            } else {
                Action::TransportReject
            };
            ep.content_action(now, &peer, sid, action, vec![first(replaced, a)], None)
        }
        14 => {
            let action = if a & 0x80 == 0 {
                Action::TransportInfo
            } else {
                Action::DescriptionInfo
            };
            // Either a content of the session (its transport may be the
            // negotiated one or not) or a made-up one.
            let c = if a & 0x40 == 0 {
                existing(ep, &peer, sid, a & 0x7f)
            } else {
                content(creator_of(a), a)
            };
            ep.content_action(now, &peer, sid, action, vec![c], None)
        }
        _ => match a >> 6 {
            0 => ep.session_info(now, &peer, sid, vec![]),
            1 => ep.session_info(now, &peer, sid, vec![Payload::new(rtp::RtpInfo::Hold)]),
            2 => ep.session_info(
                now,
                &peer,
                sid,
                vec![Payload::Raw(
                    "<x xmlns='urn:example:unknown'/>".parse().unwrap(),
                )],
            ),
            _ => {
                // A stranger's request quoting the session id: unknown to
                // the endpoint, whose sessions are with the other party
                // (the reply goes to the stranger and is dropped).
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
        },
    };
}

/// One of the session's contents (chosen by `a`) when it has any, else
/// a made-up one.
fn existing(ep: &Endpoint, peer: &Jid, sid: &str, a: u8) -> Content {
    let all: Vec<Content> = ep
        .session(peer, sid)
        .map(|s| s.contents().cloned().collect())
        .unwrap_or_default();
    if all.is_empty() || a & 0x80 != 0 {
        content(creator_of(a), a)
    } else {
        all[usize::from(a) % all.len()].clone()
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

/// The files of `fixtures/xep-jingle/fuzz/<target>/` (inputs that crashed
/// a fuzz target once), sorted, without the `.md` notes.
#[cfg(test)]
pub(crate) fn crash_fixtures(target: &str) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/xep-jingle/fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).unwrap();
            (p, data)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_schedule_runs() {
        // A initiates s1, B gets it and answers, B accepts, all delivered.
        fuzz(Instant::now(), &[10, 0, 1, 0, 0, 0, 13, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn a_schedule_with_timeouts_runs() {
        // A initiates s1; the clock passes the request timeout before B
        // gets it (A ends the session with <timeout/>); then everything is
        // delivered.
        fuzz(Instant::now(), &[10, 0, 14, 0xc3, 0, 0, 1, 0]);
    }

    #[test]
    fn a_late_initiate_that_lost_a_tie_break_runs() {
        // Both sides initiate s1; Bob's initiate, which lost the tie-break
        // of equal ids, reaches Alice only after she forgot s1: she gets
        // an orphan incoming session, which her caller declines at the end
        // (found by the proptest).
        fuzz(
            Instant::now(),
            &[
                0, 0, 44, 0, 0, 0, 0, 0, 12, 0, 0, 0, 108, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 105, 89, 105, 94, 45, 192, 237, 55, 27, 202, 206,
                133, 59, 148, 64, 44, 170, 38, 166, 126, 138, 194, 12, 199, 193, 213, 9, 18, 103,
                217, 128, 102, 58, 130, 20, 96, 114, 81, 5, 136, 172, 212, 194, 69, 230, 36, 209,
                46, 237, 143, 62, 69, 186, 47, 142, 19, 208, 13, 176, 249, 69, 24, 220, 207, 131,
                61, 172, 154, 219, 13, 55, 215, 107, 47, 158, 164, 37, 51, 112, 254, 197, 15, 237,
                96, 238, 234, 192, 156, 234, 158, 134, 190, 158, 139, 57, 40, 131, 55, 112, 168,
                35, 17, 226, 172, 54, 78, 9, 221, 92, 72, 45, 179, 219, 142, 188, 148, 80, 40, 156,
                244, 99, 255, 133, 240, 235, 73, 188, 207, 231, 73, 61, 134, 95, 195, 75, 248, 63,
                241, 75, 206, 17, 215, 49, 178, 225, 56, 216, 192, 214, 166, 223, 216, 178, 45, 55,
                32, 5, 21, 231, 191, 245, 8, 128, 49, 243, 144, 150, 224, 112, 134,
            ],
        );
    }
}
