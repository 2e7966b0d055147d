//! A [`Room`] driven by a schedule decoded from arbitrary bytes: the
//! `muc-machine` fuzz target. Each pair of bytes is one input: a presence
//! from the room (any of a few nicks, available or not, any role and
//! affiliation, status codes such as 110, 201, 303 with or without a new
//! nick, 301/307/321/322/332), a subject or groupchat message, an iq
//! result or error to one of the ids the room used (or another), a stanza
//! error on the join, time passing, and the caller's own calls (join,
//! nick change, leave, kick, configuration). Enabled by the `sim` feature.
//!
//! Invariants checked after every input: nothing panics; nicknames in the
//! occupant list are unique and our own occupant, when listed, has our
//! nickname; every stanza the room sends serializes and parses back to an
//! equal stanza; the next deadline never lies before `now` once timers
//! have run.

use std::time::{Duration, Instant};

use xep_core::{Iq, Message, Presence, Stanza};
use xep_element::XmlElement;

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
    let mut ids: Vec<String> = Vec::new();
    for pair in data.get(1..).unwrap_or(&[]).chunks(2).take(300) {
        let (k, a) = (pair[0], pair.get(1).copied().unwrap_or(0));
        step(&mut room, &mut now, &ids, k, a);
        drain(&mut room, &mut ids, now);
    }
}

fn nick(a: u8) -> &'static str {
    NICKS[usize::from(a) % NICKS.len()]
}

fn presence(xml: &str) -> Presence {
    Presence::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("sim input {xml}: {e}"))
}

fn step(room: &mut Room, now: &mut Instant, ids: &[String], k: u8, a: u8) {
    match k % 14 {
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
        _ => {
            let _ = if a & 1 == 1 {
                room.request_configuration(*now)
            } else {
                room.cancel_configuration(*now)
            };
        }
    }
}

fn drain(room: &mut Room, ids: &mut Vec<String>, now: Instant) {
    while let Some(s) = room.poll_transmit() {
        let xml = s.to_xml();
        let back = Stanza::from_xml(xml.as_bytes())
            .unwrap_or_else(|e| panic!("the room sent what does not parse: {xml}: {e}"));
        assert_eq!(back, s, "the room's stanza changed on a round trip: {xml}");
        if let Stanza::Iq(iq) = &s {
            ids.push(iq.id.clone());
        }
    }
    while room.poll_event().is_some() {}
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
}
