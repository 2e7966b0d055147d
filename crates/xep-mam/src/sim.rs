//! Schedules for [`Walk`] decoded from bytes (feature `sim`): the
//! `mam-machine` fuzz target and this crate's property test. A scripted
//! [`Archive`] answers the walk's queries as XEP-0059 says, and the
//! schedule mixes in what a hostile network sends: forged results, results
//! for other queries, replies from other senders, errors, silence and a
//! server that never moves on.
//!
//! Invariants checked: no panic; every result the walk believes came from
//! the archive, for the open query, in archive order, once; forged inputs
//! are refused with an event; the walk always ends (complete or failed)
//! once the archive answers; no deadline lies in the past when set.

use std::time::{Duration, Instant};

use xep_core::{Iq, Message};
use xep_element::XmlElement;
use xep_element::jid::{BareJid, Jid};
use xep_rsm::{First, Set};

use crate::{Config, Direction, Event, Filter, Fin, Query, Refusal, State, Walk};

/// A scripted archive: `n` messages with ids `m1`..`mn`, answering RSM
/// queries as XEP-0059 says, from `from`.
pub struct Archive {
    /// The archive ids, oldest first.
    pub ids: Vec<String>,
    /// The sender of its results and replies.
    pub from: Option<Jid>,
    /// Make every page end at this id (a broken server that never moves).
    pub stuck: Option<String>,
}

impl Archive {
    /// An archive of `n` messages, `m1`..`mn`, each with its id as body.
    pub fn new(n: usize, from: Option<Jid>) -> Archive {
        Archive {
            ids: (1..=n).map(|i| format!("m{i}")).collect(),
            from,
            stuck: None,
        }
    }

    /// The result message for archive id `id` in query `qid`.
    pub fn message(&self, qid: &str, id: &str) -> Message {
        let from = self
            .from
            .as_ref()
            .map_or(String::new(), |f| format!(" from='{f}'"));
        Message::from_xml(
            format!(
                "<message xmlns='jabber:client'{from} to='juliet@capulet.example/balcony'>\
                 <result xmlns='urn:xmpp:mam:2' queryid='{qid}' id='{id}'><forwarded xmlns='urn:xmpp:forward:0'>\
                 <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
                 <message xmlns='jabber:client' from='romeo@montague.example/orchard' type='chat'>\
                 <body>{id}</body></message></forwarded></result></message>"
            )
            .as_bytes(),
        )
        .unwrap()
    }

    /// The results and the iq result for `query`.
    pub fn answer(&self, query: &Iq) -> (Vec<Message>, Iq) {
        let q = query.payload::<Query>().unwrap().unwrap();
        let qid = q.queryid.clone().unwrap();
        let set = q.set.clone().unwrap();
        let max = set.max.unwrap() as usize;
        let pos = |id: &str| self.ids.iter().position(|x| x == id).unwrap();
        let (from, to) = match (&set.after, &set.before) {
            (Some(a), _) => (pos(a) + 1, (pos(a) + 1 + max).min(self.ids.len())),
            (None, Some(b)) if b.is_empty() => (self.ids.len().saturating_sub(max), self.ids.len()),
            (None, Some(b)) => (pos(b).saturating_sub(max), pos(b)),
            (None, None) => (0, max.min(self.ids.len())),
        };
        let page = &self.ids[from..to];
        let complete = match (&set.before, self.stuck.is_some()) {
            (_, true) => false,
            (Some(_), _) => from == 0,
            (None, _) => to == self.ids.len(),
        };
        let mut fin = Fin {
            complete: complete.then_some(true.into()),
            stable: None,
            set: Some(Set {
                count: Some(self.ids.len() as u32),
                first: page
                    .first()
                    .map(|f| First::new(f.clone(), Some(from as u32))),
                last: page.last().cloned(),
                ..Set::default()
            }),
        };
        if let Some(s) = &self.stuck {
            let set = fin.set.as_mut().unwrap();
            set.last = Some(s.clone());
            set.first = Some(First::new(s.clone(), None));
        }
        let mut reply = query.result(Some(xep_element::Payload::new(fin)));
        reply.from = self.from.clone();
        reply.to = None;
        (
            page.iter().map(|id| self.message(&qid, id)).collect(),
            reply,
        )
    }
}

/// One thing that happens while a page is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// The archive answers the open query: its results, then `<fin/>`.
    Answer,
    /// A result with the open query id from someone else.
    ForgedResult,
    /// A result for a query id that is not this walk's.
    OtherQuery,
    /// A `<fin/>` with the open iq id from someone else.
    ForgedFin,
    /// Time passes beyond the deadline.
    Silence,
    /// The archive answers with an error.
    Error,
    /// A result for a page already closed.
    Late,
    /// The archive answers, but its page bounds never move.
    Stuck,
}

const OPS: [Op; 8] = [
    Op::Answer,
    Op::ForgedResult,
    Op::OtherQuery,
    Op::ForgedFin,
    Op::Silence,
    Op::Error,
    Op::Late,
    Op::Stuck,
];

/// A decoded schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Results per page, 1 to 8.
    pub page_size: u32,
    /// Forwards or backwards.
    pub direction: Direction,
    /// A room's archive (`true`) or the account's own.
    pub room: bool,
    /// Messages in the archive, 0 to 31.
    pub size: usize,
    /// What happens, one op per byte.
    pub ops: Vec<Op>,
}

/// Decodes any bytes: byte 0 the page size (low 3 bits), the direction
/// (bit 3) and the archive (bit 4); byte 1 the archive's size (low 5
/// bits); then one op per byte (low 3 bits), at most 256.
pub fn schedule_from_bytes(data: &[u8]) -> Schedule {
    let b0 = data.first().copied().unwrap_or(0);
    let b1 = data.get(1).copied().unwrap_or(0);
    Schedule {
        page_size: u32::from(b0 & 7) + 1,
        direction: if b0 & 8 == 0 {
            Direction::Forward
        } else {
            Direction::Backward
        },
        room: b0 & 16 != 0,
        size: usize::from(b1 & 31),
        ops: data
            .iter()
            .skip(2)
            .take(256)
            .map(|b| OPS[usize::from(b & 7)])
            .collect(),
    }
}

/// The bytes [`schedule_from_bytes`] decodes to `s`.
pub fn schedule_to_bytes(s: &Schedule) -> Vec<u8> {
    let b0 = (s.page_size.clamp(1, 8) - 1) as u8
        | if s.direction == Direction::Backward {
            8
        } else {
            0
        }
        | if s.room { 16 } else { 0 };
    let mut out = vec![b0, (s.size & 31) as u8];
    out.extend(
        s.ops
            .iter()
            .map(|op| OPS.iter().position(|o| o == op).unwrap() as u8),
    );
    out
}

/// Runs the schedule in `data` from `now` and checks the invariants;
/// panics when one breaks.
pub fn fuzz(now: Instant, data: &[u8]) {
    let s = schedule_from_bytes(data);
    let account: BareJid = "juliet@capulet.example".parse().unwrap();
    let room: Jid = "chamber@rooms.capulet.example".parse().unwrap();
    let archive_jid = s.room.then(|| room.clone());
    let honest_from = archive_jid.clone();
    let archive = Archive::new(s.size, honest_from.clone());
    let mut stuck = Archive::new(s.size, honest_from.clone());
    stuck.stuck = stuck.ids.first().cloned();
    // An empty archive cannot pin its bounds to an id it does not have.
    let stuck = if stuck.stuck.is_some() {
        stuck
    } else {
        Archive::new(0, honest_from.clone())
    };
    let forger = Archive::new(s.size.max(1), Some("mallory@evil.example".parse().unwrap()));
    let config = Config {
        page_size: s.page_size,
        direction: s.direction,
        ..Config::default()
    };
    let mut walk = Walk::new(account, archive_jid, Filter::default(), config);
    let mut now = now;
    walk.start(now).unwrap();
    let mut believed: Vec<String> = Vec::new();
    let mut outcome: Option<Event> = None;
    let mut last_query: Option<Iq> = None;
    let mut past_qids: Vec<String> = Vec::new();
    // Whether the archive gave page bounds that do not move (then
    // results may repeat, and only their origin is checked).
    let mut pinned = false;
    let mut ops = s.ops.iter().copied().chain(std::iter::repeat(Op::Answer));
    // Every answered page moves on by at least one message, so the walk
    // ends within size + 2 answers; forged inputs are bounded by the ops.
    for _ in 0..(s.ops.len() + s.size + 4) {
        if let Some(q) = walk.poll_transmit() {
            if let Some(d) = walk.poll_timeout() {
                assert!(d > now, "a deadline in the past");
            }
            last_query = Some(q);
        }
        if walk.state() != State::Querying {
            break;
        }
        let query = last_query.clone().expect("a query is open");
        let qid = walk.query_id().unwrap().to_string();
        match ops.next().unwrap() {
            op @ (Op::Answer | Op::Stuck) => {
                let from = if op == Op::Stuck {
                    pinned = true;
                    &stuck
                } else {
                    &archive
                };
                let (results, fin) = from.answer(&query);
                for m in &results {
                    assert!(walk.handle_message(now, m), "the archive's result");
                }
                assert!(walk.handle_iq(now, &fin), "the archive's fin");
                past_qids.push(qid);
            }
            Op::ForgedResult => {
                assert!(walk.handle_message(now, &forger.message(&qid, "m1")));
                assert_refused(&mut walk, Refusal::WrongSender);
            }
            Op::OtherQuery => {
                assert!(!walk.handle_message(now, &archive.message("elsewhere-1", "m1")));
            }
            Op::ForgedFin => {
                let (_, mut fin) = archive.answer(&query);
                fin.from = Some("mallory@evil.example".parse().unwrap());
                assert!(walk.handle_iq(now, &fin));
                assert_refused(&mut walk, Refusal::WrongSender);
                assert_eq!(walk.state(), State::Querying);
            }
            Op::Silence => {
                now += Duration::from_secs(31);
                walk.handle_timeout(now);
            }
            Op::Error => {
                let mut e = query.error_reply(xep_core::StanzaError::new(
                    xep_core::ErrorType::Cancel,
                    xep_core::DefinedCondition::ItemNotFound,
                ));
                e.from = honest_from.clone();
                e.to = None;
                assert!(walk.handle_iq(now, &e));
            }
            Op::Late => {
                if let Some(old) = past_qids.last() {
                    assert!(walk.handle_message(now, &archive.message(old, "m1")));
                    assert_refused(&mut walk, Refusal::NotOpen);
                }
            }
        }
        while let Some(e) = walk.poll_event() {
            match e {
                Event::Result(r) => {
                    assert_eq!(r.message.body(None), Some(r.id.as_str()));
                    believed.push(r.id);
                }
                Event::Refused { .. } => panic!("an unexpected refusal: {e:?}"),
                Event::Complete { .. } | Event::Failed(_) => outcome = Some(e),
                Event::PageEnd { .. } => {}
            }
        }
    }
    let outcome = outcome.expect("the walk ends once the archive answers");
    // Believed results are the archive's, each once, in walk order.
    let mut expected: Vec<String> = Vec::new();
    let size = s.page_size as usize;
    match s.direction {
        Direction::Forward => expected.extend(archive.ids.iter().cloned()),
        Direction::Backward => {
            let mut end = archive.ids.len();
            while end > 0 {
                let start = end.saturating_sub(size);
                expected.extend(archive.ids[start..end].iter().cloned());
                end = start;
            }
        }
    }
    if pinned {
        assert!(believed.iter().all(|id| archive.ids.contains(id)));
    } else if let Event::Complete { results } = outcome {
        assert_eq!(believed, expected);
        assert_eq!(results as usize, believed.len());
    } else {
        assert!(
            expected.starts_with(&believed),
            "{believed:?} / {expected:?}"
        );
    }
}

fn assert_refused(walk: &mut Walk, want: Refusal) {
    match walk.poll_event() {
        Some(Event::Refused { reason, .. }) if reason == want => {}
        other => panic!("expected a refusal ({want:?}), got {other:?}"),
    }
}

/// The fuzz target's seeds: one schedule per kind of scenario.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let s = |page_size, direction, room, size, ops: &[Op]| {
        schedule_to_bytes(&Schedule {
            page_size,
            direction,
            room,
            size,
            ops: ops.to_vec(),
        })
    };
    use Direction::{Backward, Forward};
    vec![
        (
            "forward-three-pages",
            s(3, Forward, false, 7, &[Op::Answer; 3]),
        ),
        (
            "backward-three-pages",
            s(3, Backward, true, 7, &[Op::Answer; 3]),
        ),
        (
            "forged-results-and-fins",
            s(
                2,
                Forward,
                true,
                4,
                &[
                    Op::ForgedResult,
                    Op::Answer,
                    Op::ForgedFin,
                    Op::OtherQuery,
                    Op::Answer,
                ],
            ),
        ),
        (
            "late-result",
            s(1, Forward, false, 3, &[Op::Answer, Op::Late, Op::Answer]),
        ),
        (
            "timeout",
            s(4, Backward, false, 9, &[Op::Answer, Op::Silence]),
        ),
        ("error", s(8, Forward, true, 20, &[Op::Error])),
        ("empty-archive", s(5, Forward, false, 0, &[Op::Answer])),
        (
            "stuck-server",
            s(2, Forward, false, 6, &[Op::Stuck, Op::Stuck]),
        ),
    ]
}

/// The fuzz target's dictionary: each op's byte.
pub fn dictionary() -> Vec<Vec<u8>> {
    (0u8..8).map(|b| vec![b]).collect()
}
