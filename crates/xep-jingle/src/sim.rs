//! Two [`Endpoint`]s driven by a schedule decoded from arbitrary bytes,
//! for a fuzz target (`MACHINES` in xtask) and this crate's proptest.
//! Enabled by the `sim` feature. Each pair of bytes is one input: delivering the next iq of
//! either direction (the two directions interleave freely, so actions
//! cross as they do on a network, while each direction keeps its order
//! as XMPP guarantees), or a caller action on either side: initiate (with
//! one of a few session ids, so initiates collide), accept, terminate,
//! content-add, content-accept or -reject of what the peer offered,
//! content-modify, content-remove, transport-replace, transport-accept or
//! -reject of what the peer proposed, transport-info, description-info,
//! session-info (known payload, unknown payload or a ping), and requests
//! from a stranger or for unknown sessions.
//!
//! Invariants: nothing panics; everything sent serializes and parses back
//! to an equal iq (it is delivered as parsed); every request is answered
//! exactly once and every reply answers a request; and once every iq has
//! been delivered, a session both sides know is in the same state on both
//! sides and, unless ended, has the same contents (creator, name, senders,
//! transport method) and the same pending content offers on both sides,
//! with the two parties in opposite roles.
//!
//! The machine has no timers, so `now` is unused.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use xep_core::{Iq, IqType};
use xep_element::{Payload, Registry, XmlElement};

use crate::jingle::{Action, Content, Creator, Reason, ReasonCondition, Senders};
use crate::session::{Endpoint, Role, State};
use crate::{ice_udp, raw_udp, rtp};

const A: &str = "alice@example.org/a";
const B: &str = "bob@example.net/b";
const SIDS: &[&str] = &["s1", "s2", "s3"];
const NAMES: &[&str] = &["voice", "video", "screen"];

struct World {
    eps: [Endpoint; 2],
    /// In flight, per direction: `wires[0]` from A to B.
    wires: [VecDeque<Iq>; 2],
    /// Requests sent, by sender and id, with the number of replies seen.
    requests: HashMap<(usize, String), u32>,
    registry: Registry,
    stranger_ids: u32,
}

/// Runs the schedule `data` encodes against two fresh endpoints,
/// asserting the invariants of the module docs (panics when one fails).
pub fn fuzz(now: Instant, data: &[u8]) {
    let _ = now;
    let mut w = World {
        eps: [
            Endpoint::new(A.parse().unwrap()),
            Endpoint::new(B.parse().unwrap()),
        ],
        wires: [VecDeque::new(), VecDeque::new()],
        requests: HashMap::new(),
        registry: Registry::new()
            .with(xep_core::ELEMENTS)
            .with(xep_hashes::ELEMENTS)
            .with(crate::ELEMENTS),
        stranger_ids: 0,
    };
    for pair in data.chunks(2).take(400) {
        let (k, a) = (pair[0], pair.get(1).copied().unwrap_or(0));
        step(&mut w, k, a);
        collect(&mut w);
    }
    // Deliver everything, then check the settled state.
    while !w.wires[0].is_empty() || !w.wires[1].is_empty() {
        for dir in 0..2 {
            deliver(&mut w, dir);
        }
        collect(&mut w);
    }
    for ((who, id), n) in &w.requests {
        assert_eq!(*n, 1, "request {id} of endpoint {who} answered {n} times");
    }
    check_agreement(&w);
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
    let peer: xep_element::jid::Jid = if side == 0 { B } else { A }.parse().unwrap();
    let sid = SIDS[usize::from(a) % SIDS.len()];
    let ep = &mut w.eps[side];
    let role = ep.session(sid).map(|s| s.role());
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
        5 => ep.initiate(peer, sid, vec![content(Creator::Initiator, a)]),
        6 => ep.accept(sid, vec![]),
        7 if a < 0x40 => ep.terminate(sid, Some(Reason::new(ReasonCondition::Success))),
        7 => {
            deliver(w, side);
            return;
        }
        8 => ep.content_action(sid, Action::ContentAdd, vec![content(mine, a >> 1)], None),
        9 => {
            let offered = ep
                .session(sid)
                .map(|s| s.offered().cloned().collect())
                .unwrap_or_default();
            let action = if a & 0x80 == 0 {
                Action::ContentAccept
            } else {
                Action::ContentReject
            };
            ep.content_action(sid, action, vec![first(offered, a)], None)
        }
        10 => {
            let c = existing(ep, sid, a);
            let c = Content::new(c.creator, c.name).with_senders(senders(a));
            ep.content_action(sid, Action::ContentModify, vec![c], None)
        }
        11 => {
            let c = existing(ep, sid, a);
            ep.content_action(
                sid,
                Action::ContentRemove,
                vec![Content::new(c.creator, c.name)],
                None,
            )
        }
        12 => {
            let mut c = existing(ep, sid, a);
            c.payloads
                .retain(|p| crate::jingle::payload_name(p).as_deref() != Some("transport"));
            let c = c.with(content(creator_of(a), a ^ 8).transport().unwrap().clone());
            ep.content_action(sid, Action::TransportReplace, vec![c], None)
        }
        13 => {
            let replaced = ep
                .session(sid)
                .map(|s| s.replaced().cloned().collect())
                .unwrap_or_default();
            let action = if a & 0x80 == 0 {
                Action::TransportAccept
            } else {
                Action::TransportReject
            };
            ep.content_action(sid, action, vec![first(replaced, a)], None)
        }
        14 => {
            let action = if a & 0x80 == 0 {
                Action::TransportInfo
            } else {
                Action::DescriptionInfo
            };
            ep.content_action(sid, action, vec![content(creator_of(a), a)], None)
        }
        _ => match a >> 6 {
            0 => ep.session_info(sid, vec![]),
            1 => ep.session_info(sid, vec![Payload::new(rtp::RtpInfo::Hold)]),
            2 => ep.session_info(
                sid,
                vec![Payload::Raw(
                    "<x xmlns='urn:example:unknown'/>".parse().unwrap(),
                )],
            ),
            _ => {
                // A stranger's request about the session: answered with an
                // error (the reply goes to the stranger and is dropped).
                w.stranger_ids += 1;
                let xml = format!(
                    "<iq xmlns='jabber:client' from='mallory@example.com/m' id='m{}' type='set'>\
                     <jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='{sid}'/></iq>",
                    w.stranger_ids
                );
                let iq = Iq::from_xml(xml.as_bytes()).unwrap();
                assert!(w.eps[side].handle_iq(&iq));
                let reply = w.eps[side]
                    .poll_transmit()
                    .expect("an answer to the stranger");
                assert_eq!(
                    reply.type_,
                    IqType::Error,
                    "a stranger's request was accepted"
                );
                assert_eq!(reply.id, iq.id);
                return;
            }
        },
    };
}

/// One of the session's contents (chosen by `a`) when it has any, else
/// a made-up one.
fn existing(ep: &Endpoint, sid: &str, a: u8) -> Content {
    let all: Vec<Content> = ep
        .session(sid)
        .map(|s| s.contents().cloned().collect())
        .unwrap_or_default();
    if all.is_empty() || a & 0x80 != 0 {
        content(creator_of(a), a)
    } else {
        all[usize::from(a) % all.len()].clone()
    }
}

/// Moves what the endpoints queued onto the wires, checking round trips
/// and counting requests and replies.
fn collect(w: &mut World) {
    for side in 0..2 {
        while let Some(iq) = w.eps[side].poll_transmit() {
            let xml = iq.to_xml();
            let back = Iq::from_xml_with(xml.as_bytes(), &w.registry)
                .unwrap_or_else(|e| panic!("sent what does not parse: {xml}: {e}"));
            assert_eq!(back.to_xml(), xml, "an iq changed on a round trip");
            if iq.is_request() {
                let prev = w.requests.insert((side, iq.id.clone()), 0);
                assert!(prev.is_none(), "request id {} reused", iq.id);
            }
            w.wires[side].push_back(back);
        }
        while w.eps[side].poll_event().is_some() {}
    }
}

/// Delivers the next iq sent by `from` to the other side.
fn deliver(w: &mut World, from: usize) {
    let Some(iq) = w.wires[from].pop_front() else {
        return;
    };
    let to = 1 - from;
    if !iq.is_request() {
        let n = w
            .requests
            .get_mut(&(to, iq.id.clone()))
            .unwrap_or_else(|| panic!("a reply {} to no request", iq.id));
        *n += 1;
    }
    w.eps[to].handle_iq(&iq);
}

fn check_agreement(w: &World) {
    type Summary = BTreeMap<(Creator, String), (Senders, Option<String>)>;
    let summary = |ep: &Endpoint, sid: &str| -> (State, Summary) {
        let s = ep.session(sid).unwrap();
        (
            s.state(),
            s.contents()
                .map(|c| ((c.creator, c.name.clone()), (c.senders(), c.transport_ns())))
                .collect(),
        )
    };
    for s in w.eps[0].sessions() {
        let Some(other) = w.eps[1].session(s.sid()) else {
            continue;
        };
        let (sa, ca) = summary(&w.eps[0], s.sid());
        let (sb, cb) = summary(&w.eps[1], s.sid());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_schedule_runs() {
        // A initiates s1, B gets it and answers, B accepts, all delivered.
        fuzz(Instant::now(), &[10, 0, 1, 0, 0, 0, 13, 0, 1, 0, 0, 0]);
    }
}
