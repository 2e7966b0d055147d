//! A [`Room`] driven by a [`Schedule`] of [`Input`]s decoded from
//! arbitrary bytes ([`schedule_from_bytes`]; [`schedule_to_bytes`] is its
//! inverse): the `muc-machine` fuzz target. Each input is a presence from
//! the room (any of a few nicks, available or not, any role and
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
/// The stanza error conditions of the schedules.
pub const CONDITIONS: &[&str] = &[
    "conflict",
    "not-authorized",
    "forbidden",
    "registration-required",
    "service-unavailable",
    "item-not-found",
    "not-acceptable",
    "jid-malformed",
];

const ROLE_VALUES: [Role; 4] = [
    Role::Moderator,
    Role::Participant,
    Role::Visitor,
    Role::None,
];
const AFF_VALUES: [Affiliation; 5] = [
    Affiliation::Owner,
    Affiliation::Admin,
    Affiliation::Member,
    Affiliation::Outcast,
    Affiliation::None,
];

/// Which occupant, by index into the simulation's nicknames: 0 is ours
/// (`thirdwitch`), then `firstwitch`, `secondwitch` and `Hecate`.
pub type Nick = usize;

/// The room's options and the inputs, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schedule {
    /// [`RoomOptions::occupant_ids`].
    pub occupant_ids: bool,
    /// [`Creation::Reserved`], else [`Creation::Instant`].
    pub reserved: bool,
    /// The inputs (at most 300).
    pub inputs: Vec<Input>,
}

/// One input to the room: a stanza from the room, time passing, or a
/// call of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// We join.
    Join,
    /// An occupant's presence, with a `muc#user` item and status codes.
    Occupant(OccupantPresence),
    /// A presence error, from the room or an occupant.
    PresenceError {
        /// The occupant, else the bare room.
        from: Option<Nick>,
        /// The defined condition (one of [`CONDITIONS`]).
        condition: &'static str,
    },
    /// A groupchat subject, empty or not.
    Subject {
        /// From whom.
        from: Nick,
        /// An empty `<subject/>`.
        empty: bool,
    },
    /// A groupchat message with a body.
    Groupchat {
        /// From whom.
        from: Nick,
    },
    /// An empty iq result or an error to one of the ids the room used.
    IqReply {
        /// The id's index among those the room used, modulo their number
        /// plus one (the extra one is an id the room never used).
        id: u8,
        /// From an occupant, else from the bare room.
        from: Option<Nick>,
        /// An error of this condition, else a result.
        error: Option<&'static str>,
    },
    /// Time passes (tens of seconds) and the room's timers fire.
    Wait(u8),
    /// We change our nickname.
    ChangeNick(Nick),
    /// We leave.
    Leave,
    /// We kick an occupant.
    Kick(Nick),
    /// We ask for the configuration form, or cancel the configuration.
    Configure {
        /// Ask, else cancel.
        request: bool,
    },
    /// We ask for voice.
    RequestVoice,
    /// We answer the last voice request forwarded to us (else a made-up
    /// one from `nick`).
    AnswerVoice {
        /// The requester of the made-up request.
        nick: Nick,
        /// Grant voice, else deny.
        approve: bool,
    },
    /// A voice request the room forwards to us (or a look-alike).
    VoiceRequest {
        /// From an occupant (not the room: a look-alike), else the room.
        from: Option<Nick>,
        /// `type='submit'` (a look-alike), else `form`.
        submit: bool,
        /// The role field; `None` is a role that does not exist.
        role: Option<Role>,
        /// A `muc#jid` that is not a JID.
        bad_jid: bool,
        /// The message has an id.
        with_id: bool,
        /// The `muc#roomnick` field.
        nick: Nick,
    },
    /// A registration call of ours.
    Register(Registration),
    /// A registration or disco#info result to one of the ids the room used.
    Reply {
        /// The id's index, as in [`Input::IqReply`].
        id: u8,
        /// The result's query: `<registered/>` with a username, without,
        /// a form, a form of a wrong type, empty; the reserved-nick
        /// disco#info with an identity, without, without the node.
        query: u8,
    },
}

/// An occupant's presence ([`Input::Occupant`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OccupantPresence {
    /// Whose.
    pub nick: Nick,
    /// `type='unavailable'`.
    pub unavailable: bool,
    /// The item's role.
    pub role: Role,
    /// The item's affiliation.
    pub affiliation: Affiliation,
    /// A status code (one of 100, 110, 170, 201, 210, 301, 303, 307, 321,
    /// 322, 332, 333).
    pub code: u16,
    /// Status 110 as well.
    pub with_110: bool,
    /// The new nickname the item carries with status 303.
    pub new_nick: Nick,
    /// An occupant id (`o0` to `o4`).
    pub occupant_id: Option<u8>,
}

/// The registration calls of [`Input::Register`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// Ask for the registration form.
    RequestForm,
    /// Submit the form with this room nickname.
    Submit(Nick),
    /// Submit a form that is not of type submit (refused).
    SubmitForm,
    /// Ask for our reserved nickname.
    ReservedNick,
}

/// The kind of input by the tag byte, modulo their number: occupant
/// presences weigh most.
const KINDS: [u8; 19] = [
    0, 1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
];

/// Decodes any bytes into a schedule: the first byte holds the options
/// (bit 0 occupant ids, bit 1 a reserved room), then each input is a tag
/// byte choosing its kind (`KINDS`) and a byte per argument (missing
/// bytes are zeros), each read modulo its number of values: a nickname
/// (4), an optional nickname (0 none, else the nickname after it), flags
/// (bit 0, or bits 0 to 2 for several), a role (4; for a voice request
/// 5, the last a role that does not exist), an affiliation (5), a status
/// code (12), an occupant id (0 none, else `o0` to `o4`), a condition (8;
/// 9 for an iq reply, 0 being a result), a registration call (4), a
/// query (8). Every byte string is a valid schedule.
pub fn schedule_from_bytes(data: &[u8]) -> Schedule {
    let options = data.first().copied().unwrap_or(0);
    let mut bytes = data.iter().skip(1).copied();
    let mut inputs = Vec::new();
    while inputs.len() < 300 {
        let Some(tag) = bytes.next() else { break };
        let mut next = || bytes.next().unwrap_or(0);
        let input = match KINDS[usize::from(tag) % KINDS.len()] {
            0 => Input::Join,
            1 => {
                let nick_ = nick_of(next());
                let flags = next();
                Input::Occupant(OccupantPresence {
                    nick: nick_,
                    unavailable: flags & 1 != 0,
                    with_110: flags & 2 != 0,
                    role: ROLE_VALUES[usize::from(next()) % ROLE_VALUES.len()],
                    affiliation: AFF_VALUES[usize::from(next()) % AFF_VALUES.len()],
                    code: CODES[usize::from(next()) % CODES.len()],
                    new_nick: nick_of(next()),
                    occupant_id: match next() % 6 {
                        0 => None,
                        n => Some(n - 1),
                    },
                })
            }
            2 => Input::PresenceError {
                from: maybe_nick(next()),
                condition: CONDITIONS[usize::from(next()) % CONDITIONS.len()],
            },
            3 => Input::Subject {
                from: nick_of(next()),
                empty: next() & 1 != 0,
            },
            4 => Input::Groupchat {
                from: nick_of(next()),
            },
            5 => Input::IqReply {
                id: next(),
                from: maybe_nick(next()),
                error: match usize::from(next()) % (CONDITIONS.len() + 1) {
                    0 => None,
                    n => Some(CONDITIONS[n - 1]),
                },
            },
            6 => Input::Wait(next()),
            7 => Input::ChangeNick(nick_of(next())),
            8 => Input::Leave,
            9 => Input::Kick(nick_of(next())),
            10 => Input::Configure {
                request: next() & 1 != 0,
            },
            11 => Input::RequestVoice,
            12 => Input::AnswerVoice {
                nick: nick_of(next()),
                approve: next() & 1 != 0,
            },
            13 => {
                let from = maybe_nick(next());
                let flags = next();
                let role = ROLE_VALUES.get(usize::from(next()) % (ROLE_VALUES.len() + 1));
                Input::VoiceRequest {
                    from,
                    submit: flags & 1 != 0,
                    bad_jid: flags & 2 != 0,
                    with_id: flags & 4 != 0,
                    role: role.copied(),
                    nick: nick_of(next()),
                }
            }
            14 => {
                let call = next();
                let nick_ = nick_of(next());
                Input::Register(match call % 4 {
                    0 => Registration::RequestForm,
                    1 => Registration::Submit(nick_),
                    2 => Registration::SubmitForm,
                    _ => Registration::ReservedNick,
                })
            }
            _ => Input::Reply {
                id: next(),
                query: next() % 8,
            },
        };
        inputs.push(input);
    }
    Schedule {
        occupant_ids: options & 1 != 0,
        reserved: options & 2 != 0,
        inputs,
    }
}

fn nick_of(b: u8) -> Nick {
    usize::from(b) % NICKS.len()
}

fn maybe_nick(b: u8) -> Option<Nick> {
    match usize::from(b) % (NICKS.len() + 1) {
        0 => None,
        n => Some(n - 1),
    }
}

/// The inverse of [`schedule_from_bytes`]: bytes that decode to
/// `schedule`, or `None` when the decoder cannot produce it (a nickname
/// index above 3, a status code, condition, occupant id or query out of
/// the decoder's lists, or more than 300 inputs).
pub fn schedule_to_bytes(schedule: &Schedule) -> Option<Vec<u8>> {
    fn index<T: PartialEq>(all: &[T], v: &T) -> Option<u8> {
        all.iter().position(|x| x == v).map(|i| i as u8)
    }
    let nick = |n: Nick| (n < NICKS.len()).then_some(n as u8);
    let maybe = |n: Option<Nick>| match n {
        None => Some(0),
        Some(n) => Some(nick(n)? + 1),
    };
    let tag = |kind: u8| KINDS.iter().position(|k| *k == kind).unwrap() as u8;
    if schedule.inputs.len() > 300 {
        return None;
    }
    let mut out = vec![u8::from(schedule.occupant_ids) | u8::from(schedule.reserved) << 1];
    for input in &schedule.inputs {
        match *input {
            Input::Join => out.push(tag(0)),
            Input::Occupant(OccupantPresence {
                nick: n,
                unavailable,
                role,
                affiliation,
                code,
                with_110,
                new_nick,
                occupant_id,
            }) => out.extend([
                tag(1),
                nick(n)?,
                u8::from(unavailable) | u8::from(with_110) << 1,
                index(&ROLE_VALUES, &role)?,
                index(&AFF_VALUES, &affiliation)?,
                index(CODES, &code)?,
                nick(new_nick)?,
                match occupant_id {
                    None => 0,
                    Some(i) if i < 5 => i + 1,
                    Some(_) => return None,
                },
            ]),
            Input::PresenceError { from, condition } => {
                out.extend([tag(2), maybe(from)?, index(CONDITIONS, &condition)?])
            }
            Input::Subject { from, empty } => out.extend([tag(3), nick(from)?, u8::from(empty)]),
            Input::Groupchat { from } => out.extend([tag(4), nick(from)?]),
            Input::IqReply { id, from, error } => out.extend([
                tag(5),
                id,
                maybe(from)?,
                match error {
                    None => 0,
                    Some(c) => index(CONDITIONS, &c)? + 1,
                },
            ]),
            Input::Wait(tens) => out.extend([tag(6), tens]),
            Input::ChangeNick(n) => out.extend([tag(7), nick(n)?]),
            Input::Leave => out.push(tag(8)),
            Input::Kick(n) => out.extend([tag(9), nick(n)?]),
            Input::Configure { request } => out.extend([tag(10), u8::from(request)]),
            Input::RequestVoice => out.push(tag(11)),
            Input::AnswerVoice { nick: n, approve } => {
                out.extend([tag(12), nick(n)?, u8::from(approve)])
            }
            Input::VoiceRequest {
                from,
                submit,
                role,
                bad_jid,
                with_id,
                nick: n,
            } => out.extend([
                tag(13),
                maybe(from)?,
                u8::from(submit) | u8::from(bad_jid) << 1 | u8::from(with_id) << 2,
                match role {
                    Some(r) => index(&ROLE_VALUES, &r)?,
                    None => ROLE_VALUES.len() as u8,
                },
                nick(n)?,
            ]),
            Input::Register(call) => {
                let (c, n) = match call {
                    Registration::RequestForm => (0, 0),
                    Registration::Submit(n) => (1, nick(n)?),
                    Registration::SubmitForm => (2, 0),
                    Registration::ReservedNick => (3, 0),
                };
                out.extend([tag(14), c, n]);
            }
            Input::Reply { id, query } => {
                if query >= 8 {
                    return None;
                }
                out.extend([tag(15), id, query]);
            }
        }
    }
    Some(out)
}

/// Runs the schedule `data` encodes ([`schedule_from_bytes`]) against a
/// fresh [`Room`] from `now`, asserting the invariants of the module docs
/// (panics when one fails).
pub fn fuzz(now: Instant, data: &[u8]) {
    run(now, &schedule_from_bytes(data));
}

/// Runs `schedule` against a fresh [`Room`] from `now`, asserting the
/// invariants of the module docs (panics when one fails).
pub fn check(now: Instant, schedule: &Schedule) {
    run(now, schedule);
}

/// [`check`], returning what the schedule saw (for tests that check a
/// schedule reached the flows it means to exercise).
fn run(now: Instant, schedule: &Schedule) -> Sim {
    let mut now = now;
    let options = RoomOptions {
        occupant_ids: schedule.occupant_ids,
        creation: if schedule.reserved {
            Creation::Reserved
        } else {
            Creation::Instant
        },
        ..RoomOptions::default()
    };
    let mut room = Room::new(ROOM.parse().unwrap(), NICKS[0], options);
    let mut sim = Sim::default();
    for input in &schedule.inputs {
        step(&mut room, &mut now, &mut sim, input);
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

fn presence(xml: &str) -> Presence {
    Presence::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("sim input {xml}: {e}"))
}

/// The id at `index` among those the room used, modulo their number plus
/// one (the extra one is unknown to the room).
fn id_at(ids: &[String], index: u8) -> String {
    ids.get(usize::from(index) % (ids.len() + 1))
        .cloned()
        .unwrap_or_else(|| "unknown".into())
}

fn from_jid(from: Option<Nick>) -> String {
    match from {
        Some(n) => format!("{ROOM}/{}", NICKS[n]),
        None => ROOM.to_string(),
    }
}

fn step(room: &mut Room, now: &mut Instant, sim: &mut Sim, input: &Input) {
    match *input {
        Input::Join => {
            let _ = room.join(*now);
        }
        Input::Occupant(OccupantPresence {
            nick,
            unavailable,
            role,
            affiliation,
            code,
            with_110,
            new_nick,
            occupant_id,
        }) => {
            let from = NICKS[nick];
            let mut codes = vec![code];
            if with_110 {
                codes.push(110);
            }
            let new_nick = (code == 303).then(|| format!(" nick='{}'", NICKS[new_nick]));
            let role = ROLES[ROLE_VALUES.iter().position(|r| *r == role).unwrap()];
            let aff = AFFS[AFF_VALUES.iter().position(|a| *a == affiliation).unwrap()];
            let id = occupant_id
                .map(|i| format!("<occupant-id xmlns='urn:xmpp:occupant-id:0' id='o{i}'/>"))
                .unwrap_or_default();
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
        Input::PresenceError { from, condition } => {
            let p = presence(&format!(
                "<presence xmlns='jabber:client' from='{}' to='{ME}' type='error'>\
                 <error type='cancel'><{condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>",
                from_jid(from)
            ));
            room.handle_presence(*now, &p);
        }
        Input::Subject { from, empty } => {
            let m = Message::from_xml(
                format!(
                    "<message xmlns='jabber:client' from='{ROOM}/{}' to='{ME}' type='groupchat'>\
                     <subject>{}</subject></message>",
                    NICKS[from],
                    if empty { "" } else { "Fire Burn" }
                )
                .as_bytes(),
            )
            .unwrap();
            room.handle_message(*now, &m);
        }
        Input::Groupchat { from } => {
            let m = Message::from_xml(
                format!(
                    "<message xmlns='jabber:client' from='{ROOM}/{}' to='{ME}' type='groupchat'>\
                     <body>Thrice the brinded cat hath mew'd.</body></message>",
                    NICKS[from]
                )
                .as_bytes(),
            )
            .unwrap();
            room.handle_message(*now, &m);
        }
        Input::IqReply { id, from, error } => {
            // A reply to one of our iqs (or to an unknown id).
            let id = id_at(&sim.ids, id);
            let from = from_jid(from);
            let xml = match error {
                Some(cond) => format!(
                    "<iq xmlns='jabber:client' from='{from}' to='{ME}' id='{id}' type='error'>\
                     <error type='cancel'><{cond} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
                ),
                None => format!(
                    "<iq xmlns='jabber:client' from='{from}' to='{ME}' id='{id}' type='result'/>"
                ),
            };
            room.handle_iq(*now, &Iq::from_xml(xml.as_bytes()).unwrap());
        }
        Input::Wait(tens) => {
            *now += Duration::from_secs(u64::from(tens) * 10);
            room.handle_timeout(*now);
        }
        Input::ChangeNick(n) => {
            let _ = room.change_nick(*now, NICKS[n]);
        }
        Input::Leave => {
            let _ = room.leave(*now, None);
        }
        Input::Kick(n) => {
            let _ = room.kick(*now, NICKS[n], None);
        }
        Input::Configure { request } => {
            let _ = if request {
                room.request_configuration(*now)
            } else {
                room.cancel_configuration(*now)
            };
        }
        Input::RequestVoice => {
            let role = room.me().map(|o| o.role);
            if room.request_voice(*now).is_ok() {
                assert_eq!(role, Some(Role::Visitor), "voice requested as {role:?}");
                sim.voice.0 += 1;
            }
        }
        Input::AnswerVoice { nick, approve } => {
            let role = room.me().map(|o| o.role);
            let request = sim.request.clone().unwrap_or_else(|| VoiceRequestReceived {
                id: None,
                nick: Some(NICKS[nick].into()),
                jid: None,
                role: Some(Role::Participant),
                request: crate::forms::VoiceRequest::default(),
            });
            if room.answer_voice_request(*now, &request, approve).is_ok() {
                assert_eq!(
                    role,
                    Some(Role::Moderator),
                    "voice request answered as {role:?}"
                );
                sim.voice.2 += 1;
            }
        }
        Input::VoiceRequest {
            from,
            submit,
            role,
            bad_jid,
            with_id,
            nick,
        } => {
            // A voice request forwarded by the room (§8.6), or look-alikes.
            let ty = if submit { "submit" } else { "form" };
            let role = role.map_or("king", |r| {
                ROLES[ROLE_VALUES.iter().position(|x| *x == r).unwrap()]
            });
            let jid = if bad_jid {
                "<field var='muc#jid' type='jid-single'><value>@@</value></field>"
            } else {
                "<field var='muc#jid' type='jid-single'><value>hag66@shakespeare.example/pda</value></field>"
            };
            let id = if with_id { " id='vr'" } else { "" };
            let m = Message::from_xml(
                format!(
                    "<message xmlns='jabber:client' from='{}' to='{ME}'{id}>\
                     <x xmlns='jabber:x:data' type='{ty}'>\
                     <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#request</value></field>\
                     <field var='muc#role' type='list-single'><value>{role}</value></field>{jid}\
                     <field var='muc#roomnick' type='text-single'><value>{}</value></field></x></message>",
                    from_jid(from),
                    NICKS[nick]
                )
                .as_bytes(),
            )
            .unwrap();
            room.handle_message(*now, &m);
        }
        Input::Register(call) => {
            let r = match call {
                Registration::RequestForm => room.request_registration(*now),
                Registration::Submit(n) => room.submit_registration(
                    *now,
                    crate::forms::Register {
                        roomnick: Some(NICKS[n].into()),
                        ..Default::default()
                    }
                    .to_form(FormType::Submit),
                ),
                Registration::SubmitForm => {
                    room.submit_registration(*now, xep_forms::DataForm::new(FormType::Form))
                }
                Registration::ReservedNick => {
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
        Input::Reply { id, query } => {
            // A registration or disco#info result to one of our ids.
            let id = id_at(&sim.ids, id);
            let query = match query {
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

/// The scenarios of the crate's scripted room tests, as schedules: the
/// `muc-machine` fuzz target's seeds (written by `cargo xtask
/// fuzz-seed`), named. Nicknames: 0 ours, then 1 to 3 (see [`Nick`]).
/// Each is encoded with [`schedule_to_bytes`].
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    use Input::*;
    const ME: Nick = 0;
    // A presence of `nick` with `role`, `affiliation` and `code`.
    let occ_p = |nick: Nick, role: Role, affiliation: Affiliation, code: u16| OccupantPresence {
        nick,
        unavailable: false,
        role,
        affiliation,
        code,
        with_110: false,
        new_nick: nick,
        occupant_id: None,
    };
    let gone_p = |nick: Nick, role: Role, affiliation: Affiliation, code: u16| OccupantPresence {
        unavailable: true,
        ..occ_p(nick, role, affiliation, code)
    };
    let occ = |nick, role, affiliation, code| Occupant(occ_p(nick, role, affiliation, code));
    let gone = |nick, role, affiliation, code| Occupant(gone_p(nick, role, affiliation, code));
    // Our own presence: with status 110.
    let mine = |p: OccupantPresence| {
        Occupant(OccupantPresence {
            with_110: true,
            ..p
        })
    };
    // Joins with two occupants, our own presence (`role`, `affiliation`,
    // status 110 and `code`) and the subject.
    let joined = |role: Role, affiliation: Affiliation, code: u16| -> Vec<Input> {
        vec![
            Join,
            occ(1, Role::Moderator, Affiliation::Owner, 100),
            occ(2, Role::Participant, Affiliation::Member, 100),
            mine(occ_p(ME, role, affiliation, code)),
            Subject {
                from: 1,
                empty: false,
            },
        ]
    };
    let member = || joined(Role::Participant, Affiliation::Member, 110);
    let moderator = || joined(Role::Moderator, Affiliation::Admin, 110);
    let result = |id: u8| IqReply {
        id,
        from: None,
        error: None,
    };
    let error = |id: u8, condition: &'static str| IqReply {
        id,
        from: None,
        error: Some(condition),
    };
    // A reply to our self-ping, from our occupant JID.
    let pong = |id: u8, error: Option<&'static str>| IqReply {
        id,
        from: Some(ME),
        error,
    };
    let plain = |inputs: Vec<Input>| Schedule {
        occupant_ids: false,
        reserved: false,
        inputs,
    };
    let scenarios: Vec<(&'static str, Schedule)> = vec![
        // join_with_history_password_then_roster_history_and_subject.
        (
            "join-roster-subject-messages",
            plain(
                [
                    member(),
                    vec![Groupchat { from: 2 }, Groupchat { from: ME }, Wait(6)],
                ]
                .concat(),
            ),
        ),
        // empty_subject_and_nick_rewritten_by_the_room (status 210).
        (
            "nick-rewritten-and-empty-subject",
            plain(vec![
                Join,
                mine(OccupantPresence {
                    new_nick: 3,
                    ..occ_p(ME, Role::Participant, Affiliation::None, 210)
                }),
                Subject {
                    from: 1,
                    empty: true,
                },
            ]),
        ),
        // instant_room_creation: 201, then the instant configuration.
        (
            "instant-room-creation",
            plain(vec![
                Join,
                mine(occ_p(ME, Role::Moderator, Affiliation::Owner, 201)),
                result(0),
                Subject {
                    from: ME,
                    empty: true,
                },
            ]),
        ),
        // reserved_room_creation_hands_over_the_form, then a configuration
        // asked for, refused, asked again and cancelled.
        (
            "reserved-room-creation-and-configuration",
            Schedule {
                occupant_ids: false,
                reserved: true,
                inputs: vec![
                    Join,
                    mine(occ_p(ME, Role::Moderator, Affiliation::Owner, 201)),
                    result(0),
                    Configure { request: true },
                    error(2, "forbidden"),
                    Configure { request: true },
                    Configure { request: false },
                    result(4),
                    Subject {
                        from: ME,
                        empty: false,
                    },
                ],
            },
        ),
        // nick_change_own_and_others_and_conflict.
        (
            "nick-changes-and-a-conflict",
            plain(
                [
                    member(),
                    vec![
                        Occupant(OccupantPresence {
                            new_nick: 3,
                            ..gone_p(2, Role::Participant, Affiliation::Member, 303)
                        }),
                        occ(3, Role::Participant, Affiliation::Member, 100),
                        ChangeNick(1),
                        PresenceError {
                            from: Some(1),
                            condition: "conflict",
                        },
                        ChangeNick(2),
                        mine(OccupantPresence {
                            new_nick: 2,
                            ..gone_p(ME, Role::Participant, Affiliation::Member, 303)
                        }),
                        mine(occ_p(2, Role::Participant, Affiliation::Member, 110)),
                        Groupchat { from: 2 },
                    ],
                ]
                .concat(),
            ),
        ),
        // kicks_bans_and_other_removals, as moderator; then we are kicked.
        (
            "kicks-bans-and-removals",
            plain(
                [
                    moderator(),
                    vec![
                        Kick(2),
                        result(0),
                        gone(2, Role::None, Affiliation::Member, 307),
                        occ(3, Role::Participant, Affiliation::None, 100),
                        gone(3, Role::None, Affiliation::Outcast, 301),
                        occ(2, Role::Participant, Affiliation::Member, 100),
                        gone(2, Role::None, Affiliation::None, 321),
                        gone(1, Role::None, Affiliation::Owner, 322),
                        Kick(3),
                        error(1, "forbidden"),
                        mine(gone_p(ME, Role::None, Affiliation::None, 332)),
                    ],
                ]
                .concat(),
            ),
        ),
        (
            "kicked",
            plain(
                [
                    member(),
                    vec![mine(gone_p(ME, Role::None, Affiliation::Member, 307)), Join],
                ]
                .concat(),
            ),
        ),
        // role_and_affiliation_changes, ours and others'.
        (
            "role-and-affiliation-changes",
            plain(
                [
                    member(),
                    vec![
                        occ(2, Role::Visitor, Affiliation::None, 100),
                        occ(2, Role::Moderator, Affiliation::Admin, 100),
                        mine(occ_p(ME, Role::Visitor, Affiliation::None, 110)),
                        mine(occ_p(ME, Role::Moderator, Affiliation::Owner, 110)),
                        occ(1, Role::Participant, Affiliation::Member, 100),
                    ],
                ]
                .concat(),
            ),
        ),
        // join_failures and join_error_from_the_bare_room_jid: each
        // condition, then a join that works.
        (
            "join-failures",
            plain(
                [
                    vec![
                        Join,
                        PresenceError {
                            from: Some(ME),
                            condition: "conflict",
                        },
                        Join,
                        PresenceError {
                            from: None,
                            condition: "registration-required",
                        },
                        Join,
                        PresenceError {
                            from: Some(ME),
                            condition: "not-authorized",
                        },
                        Join,
                        PresenceError {
                            from: None,
                            condition: "service-unavailable",
                        },
                        Join,
                        PresenceError {
                            from: Some(ME),
                            condition: "forbidden",
                        },
                    ],
                    member(),
                ]
                .concat(),
            ),
        ),
        // leaving, and joining again.
        (
            "leave-and-rejoin",
            plain(
                [
                    member(),
                    vec![
                        Leave,
                        mine(gone_p(ME, Role::None, Affiliation::Member, 110)),
                        Wait(1),
                    ],
                    member(),
                ]
                .concat(),
            ),
        ),
        // occupant_ids_only_when_enabled, across a nick change.
        (
            "occupant-ids",
            Schedule {
                occupant_ids: true,
                reserved: false,
                inputs: vec![
                    Join,
                    Occupant(OccupantPresence {
                        occupant_id: Some(1),
                        ..occ_p(1, Role::Moderator, Affiliation::Owner, 100)
                    }),
                    mine(OccupantPresence {
                        occupant_id: Some(0),
                        ..occ_p(ME, Role::Participant, Affiliation::None, 100)
                    }),
                    Subject {
                        from: 1,
                        empty: false,
                    },
                    Occupant(OccupantPresence {
                        new_nick: 3,
                        occupant_id: Some(1),
                        ..gone_p(1, Role::Moderator, Affiliation::Owner, 303)
                    }),
                    Occupant(OccupantPresence {
                        occupant_id: Some(1),
                        ..occ_p(3, Role::Moderator, Affiliation::Owner, 100)
                    }),
                ],
            },
        ),
        // self_ping_after_silence: still joined, then not.
        (
            "self-ping-after-silence",
            plain(
                [
                    member(),
                    vec![
                        Wait(91),
                        pong(0, None),
                        Wait(91),
                        pong(1, Some("service-unavailable")),
                        Wait(91),
                        pong(2, Some("not-acceptable")),
                        Wait(91),
                        Wait(7),
                    ],
                ]
                .concat(),
            ),
        ),
        // room_status_notices in presences.
        (
            "room-status-codes",
            plain(
                [
                    joined(Role::Participant, Affiliation::None, 100),
                    vec![
                        mine(occ_p(ME, Role::Participant, Affiliation::None, 170)),
                        occ(1, Role::Moderator, Affiliation::Owner, 333),
                        gone(1, Role::None, Affiliation::Owner, 333),
                    ],
                ]
                .concat(),
            ),
        ),
        // visitor_requests_voice_moderator_approves_and_the_role_changes
        // and voice_request_refused_unless_a_visitor...: the visitor asks,
        // cannot answer, gets voice.
        (
            "voice-requested-by-a-visitor",
            plain(
                [
                    joined(Role::Visitor, Affiliation::None, 110),
                    vec![
                        RequestVoice,
                        AnswerVoice {
                            nick: 1,
                            approve: true,
                        },
                        mine(occ_p(ME, Role::Participant, Affiliation::None, 110)),
                        RequestVoice,
                    ],
                ]
                .concat(),
            ),
        ),
        // A moderator gets forwarded requests (well-formed, with an id,
        // from an occupant, of type submit, with a role that does not
        // exist, with a bad JID), answers twice, cannot ask for voice.
        (
            "voice-requests-reach-a-moderator",
            plain(
                [
                    moderator(),
                    vec![
                        VoiceRequest {
                            from: None,
                            submit: false,
                            role: Some(Role::Visitor),
                            bad_jid: false,
                            with_id: false,
                            nick: 2,
                        },
                        AnswerVoice {
                            nick: 2,
                            approve: false,
                        },
                        VoiceRequest {
                            from: None,
                            submit: false,
                            role: Some(Role::Participant),
                            bad_jid: false,
                            with_id: true,
                            nick: 3,
                        },
                        AnswerVoice {
                            nick: 3,
                            approve: true,
                        },
                        VoiceRequest {
                            from: Some(2),
                            submit: false,
                            role: Some(Role::Participant),
                            bad_jid: false,
                            with_id: false,
                            nick: 2,
                        },
                        VoiceRequest {
                            from: None,
                            submit: true,
                            role: Some(Role::Participant),
                            bad_jid: false,
                            with_id: false,
                            nick: 2,
                        },
                        VoiceRequest {
                            from: None,
                            submit: false,
                            role: None,
                            bad_jid: false,
                            with_id: false,
                            nick: 2,
                        },
                        VoiceRequest {
                            from: None,
                            submit: false,
                            role: Some(Role::Participant),
                            bad_jid: true,
                            with_id: false,
                            nick: 2,
                        },
                        RequestVoice,
                    ],
                ]
                .concat(),
            ),
        ),
        // registration_form_fetch_submit_and_success and
        // registration_conflict_and_other_errors.
        (
            "registration",
            plain(
                [
                    member(),
                    vec![
                        Register(Registration::RequestForm),
                        Reply { id: 0, query: 2 },
                        Register(Registration::Submit(ME)),
                        result(1),
                        Register(Registration::RequestForm),
                        error(2, "registration-required"),
                        Register(Registration::Submit(3)),
                        error(3, "conflict"),
                        Register(Registration::SubmitForm),
                        occ(ME, Role::Participant, Affiliation::Member, 110),
                    ],
                ]
                .concat(),
            ),
        ),
        // already_registered_and_unusable_replies.
        (
            "already-registered-and-unusable-replies",
            plain(
                [
                    member(),
                    vec![
                        Register(Registration::RequestForm),
                        Reply { id: 0, query: 0 },
                        Register(Registration::RequestForm),
                        Reply { id: 1, query: 1 },
                        Register(Registration::RequestForm),
                        Reply { id: 2, query: 3 },
                        Register(Registration::RequestForm),
                        Reply { id: 3, query: 4 },
                    ],
                ]
                .concat(),
            ),
        ),
        // reserved_nickname_discovery: an identity, none, no node, an
        // error; before joining.
        (
            "reserved-nickname",
            plain(vec![
                Register(Registration::ReservedNick),
                Reply { id: 0, query: 5 },
                Register(Registration::ReservedNick),
                Reply { id: 1, query: 6 },
                Register(Registration::ReservedNick),
                Reply { id: 2, query: 7 },
                Register(Registration::ReservedNick),
                error(3, "item-not-found"),
                Join,
                mine(occ_p(ME, Role::Participant, Affiliation::None, 110)),
            ]),
        ),
        // Replies to ids the room never used, from strangers.
        (
            "stray-replies",
            plain(
                [
                    member(),
                    vec![
                        IqReply {
                            id: 7,
                            from: Some(2),
                            error: None,
                        },
                        IqReply {
                            id: 7,
                            from: None,
                            error: Some("jid-malformed"),
                        },
                        Reply { id: 7, query: 0 },
                    ],
                ]
                .concat(),
            ),
        ),
    ];
    scenarios
        .into_iter()
        .map(|(name, schedule)| {
            let bytes = schedule_to_bytes(&schedule)
                .unwrap_or_else(|| panic!("seed {name} cannot be encoded"));
            (name, bytes)
        })
        .collect()
}

/// A libFuzzer dictionary for the `muc-machine` target: each kind of
/// input as bytes (without the options byte), with every status code,
/// role, affiliation, condition, registration call and query.
pub fn dictionary() -> Vec<Vec<u8>> {
    use Input::*;
    let occ = |role, affiliation, code, with_110| {
        Occupant(OccupantPresence {
            nick: 1,
            unavailable: false,
            role,
            affiliation,
            code,
            with_110,
            new_nick: 2,
            occupant_id: None,
        })
    };
    let mut inputs = vec![
        Join,
        Leave,
        RequestVoice,
        Wait(1),
        Wait(91),
        Groupchat { from: 1 },
        Subject {
            from: 1,
            empty: false,
        },
        ChangeNick(1),
        Kick(1),
        Configure { request: true },
        Configure { request: false },
        AnswerVoice {
            nick: 1,
            approve: true,
        },
        VoiceRequest {
            from: None,
            submit: false,
            role: Some(Role::Participant),
            bad_jid: false,
            with_id: true,
            nick: 1,
        },
    ];
    inputs.extend(
        CODES
            .iter()
            .map(|c| occ(Role::Participant, Affiliation::None, *c, true)),
    );
    inputs.extend(
        ROLE_VALUES
            .iter()
            .map(|r| occ(*r, Affiliation::None, 100, false)),
    );
    inputs.extend(
        AFF_VALUES
            .iter()
            .map(|a| occ(Role::Participant, *a, 100, false)),
    );
    for condition in CONDITIONS {
        inputs.push(PresenceError {
            from: None,
            condition,
        });
        inputs.push(IqReply {
            id: 0,
            from: None,
            error: Some(condition),
        });
    }
    inputs.push(IqReply {
        id: 0,
        from: None,
        error: None,
    });
    inputs.extend([
        Register(Registration::RequestForm),
        Register(Registration::Submit(0)),
        Register(Registration::SubmitForm),
        Register(Registration::ReservedNick),
    ]);
    inputs.extend((0..8).map(|query| Reply { id: 0, query }));
    inputs
        .into_iter()
        .map(|input| {
            let schedule = Schedule {
                inputs: vec![input],
                ..Schedule::default()
            };
            schedule_to_bytes(&schedule).unwrap()[1..].to_vec()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn plain(inputs: Vec<Input>) -> Schedule {
        Schedule {
            inputs,
            ..Schedule::default()
        }
    }

    /// Our presence, available, with 110.
    fn me(role: Role, code: u16) -> Input {
        Input::Occupant(OccupantPresence {
            nick: 0,
            unavailable: false,
            role,
            affiliation: Affiliation::Owner,
            code,
            with_110: true,
            new_nick: 0,
            occupant_id: None,
        })
    }

    #[test]
    fn a_join_schedule_runs() {
        // Join, our self-presence with 110 and 201, a subject, a timer.
        check(
            Instant::now(),
            &plain(vec![
                Input::Join,
                me(Role::Moderator, 201),
                Input::Subject {
                    from: 0,
                    empty: false,
                },
                Input::Wait(200),
            ]),
        );
    }

    /// Join as thirdwitch with our presence (with `role`) and the subject,
    /// then `rest`.
    fn joined_then(role: Role, rest: Vec<Input>) -> Schedule {
        let mut inputs = vec![
            Input::Join,
            me(role, 100),
            Input::Subject {
                from: 0,
                empty: false,
            },
        ];
        inputs.extend(rest);
        plain(inputs)
    }

    #[test]
    fn a_visitor_requests_voice_and_a_moderator_answers() {
        use Input::*;
        let sim = run(
            Instant::now(),
            &joined_then(
                Role::Visitor,
                vec![
                    RequestVoice,
                    AnswerVoice {
                        nick: 1,
                        approve: true,
                    },
                ],
            ),
        );
        assert_eq!(sim.voice, (1, 0, 0), "the visitor asks, cannot answer");
        // Forwarded requests: valid, with an id, from an occupant, of type
        // submit, with a bad role: two reach the moderator, who answers
        // twice and cannot ask for voice.
        let request = |from, submit, role, with_id| VoiceRequest {
            from,
            submit,
            role,
            bad_jid: false,
            with_id,
            nick: 0,
        };
        let p = Some(Role::Moderator);
        let sim = run(
            Instant::now(),
            &joined_then(
                Role::Moderator,
                vec![
                    request(None, false, p, false),
                    request(None, false, p, true),
                    request(Some(0), false, p, false),
                    request(None, true, p, false),
                    request(None, false, None, false),
                    AnswerVoice {
                        nick: 1,
                        approve: true,
                    },
                    AnswerVoice {
                        nick: 0,
                        approve: false,
                    },
                    RequestVoice,
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
        // by results of every shape to every id the room used (id index,
        // query; schedules stop after 300 inputs).
        let mut inputs = Vec::new();
        for call in [
            Registration::RequestForm,
            Registration::Submit(1),
            Registration::SubmitForm,
            Registration::ReservedNick,
        ] {
            inputs.push(Input::Register(call));
            for a in 0..32u8 {
                inputs.push(Input::Reply {
                    id: a >> 3,
                    query: a % 8,
                });
            }
        }
        let sim = run(Instant::now(), &plain(inputs));
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

    fn input() -> impl Strategy<Value = Input> {
        use Input::*;
        let nick = || 0..NICKS.len();
        let maybe = || proptest::option::of(0..NICKS.len());
        let role = || proptest::sample::select(ROLE_VALUES.to_vec());
        let cond = || proptest::sample::select(CONDITIONS.to_vec());
        prop_oneof![
            Just(Join),
            (
                nick(),
                any::<bool>(),
                role(),
                proptest::sample::select(AFF_VALUES.to_vec()),
                proptest::sample::select(CODES.to_vec()),
                any::<bool>(),
                nick(),
                proptest::option::of(0..5u8)
            )
                .prop_map(
                    |(nick, unavailable, role, affiliation, code, with_110, new_nick, id)| {
                        Occupant(OccupantPresence {
                            nick,
                            unavailable,
                            role,
                            affiliation,
                            code,
                            with_110,
                            new_nick,
                            occupant_id: id,
                        })
                    }
                ),
            (maybe(), cond()).prop_map(|(from, condition)| PresenceError { from, condition }),
            (nick(), any::<bool>()).prop_map(|(from, empty)| Subject { from, empty }),
            nick().prop_map(|from| Groupchat { from }),
            (any::<u8>(), maybe(), proptest::option::of(cond()))
                .prop_map(|(id, from, error)| IqReply { id, from, error }),
            any::<u8>().prop_map(Wait),
            nick().prop_map(ChangeNick),
            Just(Leave),
            nick().prop_map(Kick),
            any::<bool>().prop_map(|request| Configure { request }),
            Just(RequestVoice),
            (nick(), any::<bool>()).prop_map(|(nick, approve)| AnswerVoice { nick, approve }),
            (
                maybe(),
                any::<bool>(),
                proptest::option::of(role()),
                any::<bool>(),
                any::<bool>(),
                nick()
            )
                .prop_map(|(from, submit, role, bad_jid, with_id, nick)| {
                    VoiceRequest {
                        from,
                        submit,
                        role,
                        bad_jid,
                        with_id,
                        nick,
                    }
                }),
            prop_oneof![
                Just(Registration::RequestForm),
                nick().prop_map(Registration::Submit),
                Just(Registration::SubmitForm),
                Just(Registration::ReservedNick),
            ]
            .prop_map(Register),
            (any::<u8>(), 0..8u8).prop_map(|(id, query)| Reply { id, query }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// The encoder inverts the decoder on what the decoder gives ...
        #[test]
        fn decoded_schedules_encode_to_bytes_that_decode_to_them(
            data in proptest::collection::vec(any::<u8>(), 0..800),
        ) {
            let s = schedule_from_bytes(&data);
            let bytes = schedule_to_bytes(&s).expect("a decoded schedule encodes");
            prop_assert_eq!(schedule_from_bytes(&bytes), s);
        }

        /// ... and on every schedule in the decoder's ranges.
        #[test]
        fn written_schedules_encode_and_decode_to_themselves(
            occupant_ids in any::<bool>(),
            reserved in any::<bool>(),
            inputs in proptest::collection::vec(input(), 0..100),
        ) {
            let s = Schedule { occupant_ids, reserved, inputs };
            let bytes = schedule_to_bytes(&s).expect("a schedule in range encodes");
            prop_assert_eq!(schedule_from_bytes(&bytes), s);
        }
    }

    #[test]
    fn the_encoder_refuses_what_the_decoder_cannot_express() {
        let enc = |input: Input| schedule_to_bytes(&plain(vec![input]));
        assert!(enc(Input::Kick(4)).is_none());
        assert!(
            enc(Input::PresenceError {
                from: None,
                condition: "gone"
            })
            .is_none()
        );
        assert!(enc(Input::Reply { id: 0, query: 8 }).is_none());
        let Input::Occupant(p) = me(Role::Visitor, 110) else {
            unreachable!()
        };
        assert!(enc(Input::Occupant(OccupantPresence { code: 999, ..p })).is_none());
        assert!(schedule_to_bytes(&plain(vec![Input::Leave; 301])).is_none());
        assert_eq!(schedule_to_bytes(&Schedule::default()), Some(vec![0]));
    }

    /// Replays the `muc-machine` fuzz target's seeds (the scenarios of the
    /// room tests, as `cargo xtask fuzz-seed` writes them) and every crash
    /// input kept under `fixtures/xep-muc/fuzz/muc-machine/`.
    #[test]
    fn fuzz_seeds_and_crash_fixtures_replay() {
        assert!(dictionary().len() > 10);
        let seeds = seeds();
        assert!(seeds.len() >= 10);
        for (name, data) in &seeds {
            eprintln!("seed {name}");
            fuzz(Instant::now(), data);
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/xep-muc/fuzz/muc-machine");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
            .collect();
        files.sort();
        for f in files {
            eprintln!("replaying {}", f.display());
            fuzz(Instant::now(), &std::fs::read(&f).unwrap());
        }
    }
}
