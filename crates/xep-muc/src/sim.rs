//! A [`Room`] driven by a schedule decoded from arbitrary bytes: the
//! `muc-machine` fuzz target. Each pair of bytes is one input: a presence
//! from the room (any of a few nicks, available or not, any role and
//! affiliation, status codes such as 110, 201, 303 with or without a new
//! nick, 301/307/321/322/332), a subject or groupchat message, an iq
//! result or error to one of the ids the room used (or another), a stanza
//! error on the join, time passing, the caller's own calls (join, nick
//! change, leave, kick, configuration, voice requests and their answers,
//! registration, the reserved nickname), voice requests forwarded by the
//! room (well-formed or not, from the room or an occupant), and
//! registration and disco#info replies (form, `<registered/>`, malformed,
//! identities) to the ids the room used. Enabled by the `sim` feature.
//!
//! Invariants checked after every input: nothing panics; nicknames in the
//! occupant list are unique and our own occupant, when listed, has our
//! nickname; every stanza the room sends serializes and parses back to an
//! equal stanza; the next deadline never lies before `now` once timers
//! have run; a voice request is sent only by a visitor and an answer only
//! by a moderator; every message the room sends goes to the bare room JID;
//! registration and reserved-nickname events never outnumber the requests
//! (each is answered at most once).

use std::time::{Duration, Instant};

use xep_core::{Iq, Message, Presence, Stanza};
use xep_element::XmlElement;
use xep_element::jid::Jid;
use xep_forms::{FormType, FormView};

use crate::*;

const ROOM: &str = "coven@chat.shakespeare.example";
const ME: &str = "hag66@shakespeare.example/pda";
const NICKS: &[&str] = &["thirdwitch", "firstwitch", "secondwitch", "Hecate"];
const CODES: &[u16] = &[100, 110, 170, 201, 210, 301, 303, 307, 321, 322, 332, 333];
const ROLES: &[&str] = &["moderator", "participant", "visitor", "none"];
const AFFS: &[&str] = &["owner", "admin", "member", "outcast", "none"];
const CONDITIONS: &[&str] = &[
    "conflict",
    "not-authorized",
    "forbidden",
    "registration-required",
    "service-unavailable",
    "item-not-found",
    "not-acceptable",
    "jid-malformed",
];

/// Runs the schedule `data` encodes against a fresh [`Room`] from `now`,
/// asserting the invariants of the module docs (panics when one fails).
pub fn fuzz(now: Instant, data: &[u8]) {
    run(now, data);
}

/// [`fuzz`], returning what the schedule saw (for tests that check a
/// schedule reached the flows it means to exercise).
fn run(now: Instant, data: &[u8]) -> Sim {
    let mut now = now;
    let options = RoomOptions {
        occupant_ids: data.first().is_some_and(|b| b & 1 == 1),
        creation: if data.first().is_some_and(|b| b & 2 == 2) {
            Creation::Reserved
        } else {
            Creation::Instant
        },
        ..RoomOptions::default()
    };
    let mut room = Room::new(ROOM.parse().unwrap(), NICKS[0], options);
    let mut sim = Sim::default();
    for pair in data.get(1..).unwrap_or(&[]).chunks(2).take(300) {
        let (k, a) = (pair[0], pair.get(1).copied().unwrap_or(0));
        step(&mut room, &mut now, &mut sim, k, a);
        drain(&mut room, &mut sim, now);
    }
    sim
}

/// What the schedule remembers between inputs.
#[derive(Default)]
struct Sim {
    /// The iq ids the room used.
    ids: Vec<String>,
    /// The last voice request forwarded to us, to answer.
    request: Option<VoiceRequestReceived>,
    /// Registration requests made, and registration events seen.
    registrations: (usize, usize),
    /// Reserved-nickname requests made, and answers seen.
    reserved: (usize, usize),
    /// Voice requests sent, forwarded requests received, answers sent.
    voice: (usize, usize, usize),
}

fn nick(a: u8) -> &'static str {
    NICKS[usize::from(a) % NICKS.len()]
}

fn presence(xml: &str) -> Presence {
    Presence::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("sim input {xml}: {e}"))
}

fn step(room: &mut Room, now: &mut Instant, sim: &mut Sim, k: u8, a: u8) {
    let ids = &sim.ids;
    match k % 19 {
        0 => {
            let _ = room.join(*now);
        }
        1..=4 => {
            // An occupant presence.
            let from = nick(a);
            let unavailable = k & 0x10 != 0;
            let code = CODES[usize::from(a >> 2) % CODES.len()];
            let mut codes = vec![code];
            if k & 0x20 != 0 {
                codes.push(110);
            }
            let new_nick = (code == 303).then(|| format!(" nick='{}'", nick(a >> 4)));
            let role = ROLES[usize::from(k >> 4) % ROLES.len()];
            let aff = AFFS[usize::from(a >> 5) % AFFS.len()];
            let id = if k & 0x40 != 0 {
                format!(
                    "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='o{}'/>",
                    a % 5
                )
            } else {
                String::new()
            };
            let t = if unavailable {
                " type='unavailable'"
            } else {
                ""
            };
            let codes: String = codes
                .iter()
                .map(|c| format!("<status code='{c}'/>"))
                .collect();
            let p = presence(&format!(
                "<presence xmlns='jabber:client' from='{ROOM}/{from}' to='{ME}'{t}>\
                 <x xmlns='http://jabber.org/protocol/muc#user'>\
                 <item affiliation='{aff}' role='{role}'{}/>{codes}</x>{id}</presence>",
                new_nick.unwrap_or_default()
            ));
            room.handle_presence(*now, &p);
        }
        5 => {
            // A presence error, from the room or an occupant.
            let cond = CONDITIONS[usize::from(a) % CONDITIONS.len()];
            let from = if a & 0x80 != 0 {
                ROOM.to_string()
            } else {
                format!("{ROOM}/{}", nick(a))
            };
            let p = presence(&format!(
                "<presence xmlns='jabber:client' from='{from}' to='{ME}' type='error'>\
                 <error type='cancel'><{cond} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
            ));
            room.handle_presence(*now, &p);
        }
        6 => {
            let m = Message::from_xml(
                format!(
                    "<message xmlns='jabber:client' from='{ROOM}/{}' to='{ME}' type='groupchat'>\
                     <subject>{}</subject></message>",
                    nick(a),
                    if a & 0x80 != 0 { "" } else { "Fire Burn" }
                )
                .as_bytes(),
            )
            .unwrap();
            room.handle_message(*now, &m);
        }
        7 => {
            let m = Message::from_xml(
                format!(
                    "<message xmlns='jabber:client' from='{ROOM}/{}' to='{ME}' type='groupchat'>\
                     <body>Thrice the brinded cat hath mew'd.</body></message>",
                    nick(a)
                )
                .as_bytes(),
            )
            .unwrap();
            room.handle_message(*now, &m);
        }
        8 => {
            // A reply to one of our iqs (or to an unknown id).
            let id = ids
                .get(usize::from(a) % (ids.len() + 1))
                .cloned()
                .unwrap_or_else(|| "unknown".into());
            let from = if a & 0x40 != 0 {
                format!("{ROOM}/{}", nick(a))
            } else {
                ROOM.to_string()
            };
            let xml = if a & 0x80 != 0 {
                let cond = CONDITIONS[usize::from(a) % CONDITIONS.len()];
                format!(
                    "<iq xmlns='jabber:client' from='{from}' to='{ME}' id='{id}' type='error'>\
                     <error type='cancel'><{cond} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
                )
            } else {
                format!(
                    "<iq xmlns='jabber:client' from='{from}' to='{ME}' id='{id}' type='result'/>"
                )
            };
            room.handle_iq(*now, &Iq::from_xml(xml.as_bytes()).unwrap());
        }
        9 => {
            *now += Duration::from_secs(u64::from(a) * 10);
            room.handle_timeout(*now);
        }
        10 => {
            let _ = room.change_nick(*now, nick(a));
        }
        11 => {
            let _ = room.leave(*now, None);
        }
        12 => {
            let _ = room.kick(*now, nick(a), None);
        }
        13 => {
            let _ = if a & 1 == 1 {
                room.request_configuration(*now)
            } else {
                room.cancel_configuration(*now)
            };
        }
        14 => {
            let role = room.me().map(|o| o.role);
            if room.request_voice(*now).is_ok() {
                assert_eq!(role, Some(Role::Visitor), "voice requested as {role:?}");
                sim.voice.0 += 1;
            }
        }
        15 => {
            let role = room.me().map(|o| o.role);
            let request = sim.request.clone().unwrap_or_else(|| VoiceRequestReceived {
                id: None,
                nick: Some(nick(a).into()),
                jid: None,
                role: Some(Role::Participant),
                request: crate::forms::VoiceRequest::default(),
            });
            if room
                .answer_voice_request(*now, &request, a & 1 == 1)
                .is_ok()
            {
                assert_eq!(
                    role,
                    Some(Role::Moderator),
                    "voice request answered as {role:?}"
                );
                sim.voice.2 += 1;
            }
        }
        16 => {
            // A voice request forwarded by the room (§8.6), or look-alikes.
            let from = if a & 0x80 != 0 {
                format!("{ROOM}/{}", nick(a))
            } else {
                ROOM.to_string()
            };
            let ty = if a & 0x40 != 0 { "submit" } else { "form" };
            let role = ROLES[usize::from(a >> 4) % ROLES.len()];
            let role = if a & 0x08 != 0 { "king" } else { role };
            let jid = if a & 0x04 != 0 {
                "<field var='muc#jid' type='jid-single'><value>@@</value></field>"
            } else {
                "<field var='muc#jid' type='jid-single'><value>hag66@shakespeare.example/pda</value></field>"
            };
            let id = if a & 0x02 != 0 { " id='vr'" } else { "" };
            let m = Message::from_xml(
                format!(
                    "<message xmlns='jabber:client' from='{from}' to='{ME}'{id}>\
                     <x xmlns='jabber:x:data' type='{ty}'>\
                     <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#request</value></field>\
                     <field var='muc#role' type='list-single'><value>{role}</value></field>{jid}\
                     <field var='muc#roomnick' type='text-single'><value>{}</value></field></x></message>",
                    nick(a)
                )
                .as_bytes(),
            )
            .unwrap();
            room.handle_message(*now, &m);
        }
        17 => {
            let r = match a % 4 {
                0 => room.request_registration(*now),
                1 => room.submit_registration(
                    *now,
                    crate::forms::Register {
                        roomnick: Some(nick(a >> 2).into()),
                        ..Default::default()
                    }
                    .to_form(FormType::Submit),
                ),
                2 => room.submit_registration(*now, xep_forms::DataForm::new(FormType::Form)),
                _ => {
                    if room.request_reserved_nick(*now).is_ok() {
                        sim.reserved.0 += 1;
                    }
                    return;
                }
            };
            if r.is_ok() {
                sim.registrations.0 += 1;
            }
        }
        _ => {
            // A registration or disco#info result to one of our ids.
            let id = ids
                .get(usize::from(a >> 3) % (ids.len() + 1))
                .cloned()
                .unwrap_or_else(|| "unknown".into());
            let query = match a % 8 {
                0 => {
                    "<query xmlns='jabber:iq:register'><registered/><username>thirdwitch</username></query>"
                }
                1 => "<query xmlns='jabber:iq:register'><registered/></query>",
                2 => {
                    "<query xmlns='jabber:iq:register'><instructions>Fill it in</instructions>\
                      <x xmlns='jabber:x:data' type='form'>\
                      <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#register</value></field>\
                      <field var='muc#register_roomnick' type='text-single'><required/></field></x></query>"
                }
                3 => {
                    "<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='sideways'/></query>"
                }
                4 => "<query xmlns='jabber:iq:register'/>",
                5 => {
                    "<query xmlns='http://jabber.org/protocol/disco#info' node='x-roomuser-item'>\
                      <identity category='conference' type='text' name='thirdwitch'/></query>"
                }
                6 => {
                    "<query xmlns='http://jabber.org/protocol/disco#info' node='x-roomuser-item'/>"
                }
                _ => {
                    "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='conference' type='text'/></query>"
                }
            };
            let xml = format!(
                "<iq xmlns='jabber:client' from='{ROOM}' to='{ME}' id='{id}' type='result'>{query}</iq>"
            );
            room.handle_iq(*now, &Iq::from_xml(xml.as_bytes()).unwrap());
        }
    }
}

fn drain(room: &mut Room, sim: &mut Sim, now: Instant) {
    while let Some(s) = room.poll_transmit() {
        let xml = s.to_xml();
        let back = Stanza::from_xml(xml.as_bytes())
            .unwrap_or_else(|e| panic!("the room sent what does not parse: {xml}: {e}"));
        assert_eq!(back, s, "the room's stanza changed on a round trip: {xml}");
        match &s {
            Stanza::Iq(iq) => sim.ids.push(iq.id.clone()),
            Stanza::Message(m) => assert_eq!(
                m.to,
                Some(Jid::from(room.jid().clone())),
                "a message not to the room: {xml}"
            ),
            Stanza::Presence(_) => {}
        }
    }
    while let Some(e) = room.poll_event() {
        match e {
            Event::VoiceRequest(r) => {
                sim.request = Some(r);
                sim.voice.1 += 1;
            }
            Event::RegistrationForm { .. }
            | Event::AlreadyRegistered { .. }
            | Event::RegistrationSubmitted
            | Event::RegistrationFailed { .. } => sim.registrations.1 += 1,
            Event::ReservedNick(_) => sim.reserved.1 += 1,
            _ => {}
        }
    }
    assert!(
        sim.registrations.1 <= sim.registrations.0,
        "more registration answers than requests: {:?}",
        sim.registrations
    );
    assert!(
        sim.reserved.1 <= sim.reserved.0,
        "more reserved-nick answers than requests: {:?}",
        sim.reserved
    );
    let mut seen = std::collections::HashSet::new();
    for o in room.occupants() {
        assert!(seen.insert(o.nick.clone()), "nick {} listed twice", o.nick);
    }
    if let Some(me) = room.me() {
        assert_eq!(me.nick, room.nick(), "our occupant is not under our nick");
    }
    room.handle_timeout(now);
    if let Some(t) = room.poll_timeout() {
        assert!(t > now, "a deadline in the past after the timers ran");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_schedule_runs() {
        // Join, our self-presence with 110 and 201, a subject, a timer.
        fuzz(Instant::now(), &[0, 0, 0, 0x21, 0x04, 6, 0, 9, 200]);
    }

    /// Join as thirdwitch with our presence (`k`, from thirdwitch: a = 0)
    /// and the subject, then `rest`.
    fn joined_then(k: u8, rest: &[u8]) -> Vec<u8> {
        let mut data = vec![0, 0, 0, k, 0, 6, 0];
        data.extend_from_slice(rest);
        data
    }

    #[test]
    fn a_visitor_requests_voice_and_a_moderator_answers() {
        // k = 0x27: a presence (39 % 19 = 1), available, role visitor.
        let sim = run(Instant::now(), &joined_then(0x27, &[14, 0, 15, 1]));
        assert_eq!(sim.voice, (1, 0, 0), "the visitor asks, cannot answer");
        // k = 1: available, role moderator. Forwarded requests: valid
        // (a = 0, 0x02: with an id), from an occupant (0x80), of type
        // submit (0x40), with a bad role (0x08): two reach the moderator,
        // who answers twice and cannot ask for voice.
        let sim = run(
            Instant::now(),
            &joined_then(
                1,
                &[
                    16, 0, 16, 0x02, 16, 0x80, 16, 0x40, 16, 0x08, 15, 1, 15, 0, 14, 0,
                ],
            ),
        );
        assert_eq!(sim.voice, (0, 2, 2));
        assert_eq!(sim.request.and_then(|r| r.id).as_deref(), Some("vr"));
    }

    #[test]
    fn registration_schedules_are_answered_once() {
        // Each of: request the form, submit, submit a non-submit form
        // (refused: nothing sent), the reserved nick; every time followed
        // by results of every shape to every id the room used (a = id
        // index << 3 | shape; schedules stop after 300 inputs).
        let mut data = vec![0];
        for call in 0..4u8 {
            data.extend([17, call]);
            for a in 0..32u8 {
                data.extend([18, a]);
            }
        }
        let sim = run(Instant::now(), &data);
        assert_eq!((sim.registrations.0, sim.reserved.0), (2, 1));
        assert_eq!(
            (sim.registrations.1, sim.reserved.1),
            (2, 1),
            "each request answered once"
        );
    }

    #[test]
    fn random_schedules_run() {
        // A fixed pseudo-random generator: reproducible schedules.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..200 {
            let data: Vec<u8> = (0..400)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 24) as u8
                })
                .collect();
            fuzz(Instant::now(), &data);
        }
    }
}
