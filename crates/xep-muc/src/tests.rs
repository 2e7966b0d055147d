//! Scripted exchanges after XEP-0045's use cases (our own stanzas), and a
//! property test of the occupant list against a model.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use xep_core::{DefinedCondition, Iq, Message, Presence, Stanza};
use xep_element::XmlElement;
use xep_forms::{FormType, FormView};

use crate::forms::RoomConfig;
use crate::self_ping::SelfPing;
use crate::*;
use xep_testkit::stanza::{iq, message, presence};

const ROOM: &str = "globe@rooms.example";
const ME: &str = "miranda@isle.example/cell";

fn room(options: RoomOptions) -> Room {
    Room::new(ROOM.parse().unwrap(), "Miranda", options)
}

/// An occupant presence from `nick` with an item and status codes.
fn occ(nick: &str, type_: Option<&str>, item: &str, codes: &[u16], extra: &str) -> Presence {
    let t = type_.map(|t| format!(" type='{t}'")).unwrap_or_default();
    let codes: String = codes
        .iter()
        .map(|c| format!("<status code='{c}'/>"))
        .collect();
    presence(&format!(
        "<presence xmlns='jabber:client' from='{ROOM}/{nick}' to='{ME}'{t}>\
         <x xmlns='http://jabber.org/protocol/muc#user'>{item}{codes}</x>{extra}</presence>"
    ))
}

fn events(r: &mut Room) -> Vec<Event> {
    std::iter::from_fn(|| r.poll_event()).collect()
}

fn sent(r: &mut Room) -> Vec<String> {
    std::iter::from_fn(|| r.poll_transmit())
        .map(|s| s.to_xml())
        .collect()
}

fn subject(text: &str) -> Message {
    message(&format!(
        "<message xmlns='jabber:client' from='{ROOM}/Prospero' to='{ME}' type='groupchat'>\
         <subject>{text}</subject></message>"
    ))
}

/// Joins with default options: one other occupant, self-presence, subject.
fn joined(options: RoomOptions, now: Instant) -> Room {
    let mut r = room(options);
    r.join(now).unwrap();
    sent(&mut r);
    r.handle_presence(
        now,
        &occ(
            "Prospero",
            None,
            "<item affiliation='owner' role='moderator'/>",
            &[],
            "",
        ),
    );
    r.handle_presence(
        now,
        &occ(
            "Miranda",
            None,
            "<item affiliation='member' role='participant'/>",
            &[110],
            "",
        ),
    );
    r.handle_message(now, &subject("Act one"));
    events(&mut r);
    assert_eq!(r.state(), State::Joined);
    r
}

#[test]
fn join_with_history_password_then_roster_history_and_subject() {
    let now = Instant::now();
    let mut r = room(RoomOptions {
        password: Some("tempest".into()),
        history: Some(History::max_stanzas(5)),
        ..RoomOptions::default()
    });
    r.join(now).unwrap();
    assert_eq!(
        sent(&mut r),
        [format!(
            "<presence xmlns='jabber:client' to='{ROOM}/Miranda' id='muc-1'>\
             <x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='5'/>\
             <password>tempest</password></x></presence>"
        )]
    );
    assert_eq!(r.state(), State::Joining);
    assert!(r.join(now).is_err());

    r.handle_presence(
        now,
        &occ(
            "Prospero",
            None,
            "<item affiliation='owner' role='moderator' jid='prospero@isle.example/staff'/>",
            &[],
            "",
        ),
    );
    r.handle_presence(
        now,
        &occ(
            "Ariel",
            None,
            "<item affiliation='none' role='visitor'/>",
            &[],
            "",
        ),
    );
    assert_eq!(r.state(), State::Joining);
    r.handle_presence(
        now,
        &occ(
            "Miranda",
            None,
            "<item affiliation='member' role='participant' jid='miranda@isle.example/cell'/>",
            &[100, 110, 170],
            "",
        ),
    );
    assert_eq!(r.state(), State::Syncing);
    let history = message(&format!(
        "<message xmlns='jabber:client' from='{ROOM}/Ariel' to='{ME}' type='groupchat'>\
         <body>Full fathom five</body>\
         <delay xmlns='urn:xmpp:delay' from='{ROOM}' stamp='2025-01-02T03:04:05Z'/></message>"
    ));
    assert_eq!(r.handle_message(now, &history), Some(MessageKind::History));
    assert_eq!(
        r.handle_message(now, &subject("The storm")),
        Some(MessageKind::Subject)
    );
    assert_eq!(r.handle_message(now, &history), Some(MessageKind::Live));
    assert_eq!(r.state(), State::Joined);
    assert_eq!(r.subject(), Some("The storm"));

    let ev = events(&mut r);
    assert_eq!(ev.len(), 5, "{ev:?}");
    assert!(
        matches!(&ev[0], Event::OccupantJoined(o) if o.nick == "Prospero"
        && o.role == Role::Moderator && o.affiliation == Affiliation::Owner
        && o.jid.as_ref().unwrap().to_string() == "prospero@isle.example/staff")
    );
    assert!(
        matches!(&ev[1], Event::OccupantJoined(o) if o.nick == "Ariel" && o.role == Role::Visitor)
    );
    assert!(matches!(&ev[2], Event::OccupantJoined(o) if o.nick == "Miranda"));
    assert_eq!(
        ev[3],
        Event::Subject {
            subject: Some("The storm".into()),
            by: Some("Prospero".into())
        }
    );
    assert_eq!(
        ev[4],
        Event::Joined {
            nick: "Miranda".into(),
            codes: vec![
                StatusCode::NonAnonymous,
                StatusCode::SelfPresence,
                StatusCode::LoggingEnabled
            ]
        }
    );
    assert_eq!(r.occupants().len(), 3);
    assert_eq!(r.me().unwrap().affiliation, Affiliation::Member);

    // Stanzas of other rooms are not ours.
    let other = presence(
        "<presence xmlns='jabber:client' from='elsewhere@rooms.example/X' to='miranda@isle.example/cell'/>",
    );
    assert!(!r.handle_presence(now, &other));
}

#[test]
fn empty_subject_and_nick_rewritten_by_the_room() {
    let now = Instant::now();
    let mut r = room(RoomOptions::default());
    r.join(now).unwrap();
    r.handle_presence(
        now,
        &occ(
            "miranda",
            None,
            "<item affiliation='none' role='participant'/>",
            &[110, 210],
            "",
        ),
    );
    r.handle_message(
        now,
        &message(&format!(
            "<message xmlns='jabber:client' from='{ROOM}' to='{ME}' type='groupchat'><subject/></message>"
        )),
    );
    assert_eq!(r.nick(), "miranda");
    assert_eq!(r.subject(), None);
    let ev = events(&mut r);
    assert!(ev.contains(&Event::Subject {
        subject: None,
        by: None
    }));
    assert!(
        matches!(ev.last(), Some(Event::Joined { nick, codes }) if nick == "miranda"
        && codes.contains(&StatusCode::NickAssigned))
    );
}

#[test]
fn instant_room_creation() {
    let now = Instant::now();
    let mut r = room(RoomOptions::default());
    r.join(now).unwrap();
    sent(&mut r);
    r.handle_presence(
        now,
        &occ(
            "Miranda",
            None,
            "<item affiliation='owner' role='moderator'/>",
            &[110, 201],
            "",
        ),
    );
    assert_eq!(
        sent(&mut r),
        [format!(
            "<iq xmlns='jabber:client' to='{ROOM}' id='muc-2' type='set'>\
             <query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>"
        )]
    );
    let ev = events(&mut r);
    assert!(
        matches!(
            &ev[..],
            [
                Event::OccupantJoined(_),
                Event::RoomCreated,
                Event::Joined { .. }
            ]
        ),
        "{ev:?}"
    );
    // A result from elsewhere with the same id is not the answer.
    assert!(!r.handle_iq(
        now,
        &iq("<iq xmlns='jabber:client' from='other@rooms.example' id='muc-2' type='result'/>")
    ));
    assert!(r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' id='muc-2' type='result'/>"
        ))
    ));
    assert_eq!(events(&mut r), [Event::Configured]);
}

#[test]
fn reserved_room_creation_hands_over_the_form() {
    let now = Instant::now();
    let mut r = room(RoomOptions {
        creation: Creation::Reserved,
        ..RoomOptions::default()
    });
    r.join(now).unwrap();
    sent(&mut r);
    r.handle_presence(
        now,
        &occ(
            "Miranda",
            None,
            "<item affiliation='owner' role='moderator'/>",
            &[110, 201],
            "",
        ),
    );
    assert_eq!(
        sent(&mut r),
        [format!(
            "<iq xmlns='jabber:client' to='{ROOM}' id='muc-2' type='get'>\
             <query xmlns='http://jabber.org/protocol/muc#owner'/></iq>"
        )]
    );
    events(&mut r);
    let reply = iq(&format!(
        "<iq xmlns='jabber:client' from='{ROOM}' id='muc-2' type='result'>\
         <query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='form'>\
         <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#roomconfig</value></field>\
         <field var='muc#roomconfig_roomname' type='text-single'/>\
         <field var='muc#roomconfig_persistentroom' type='boolean'><value>0</value></field>\
         </x></query></iq>"
    ));
    assert!(r.handle_iq(now, &reply));
    let ev = events(&mut r);
    let [Event::ConfigurationForm(form)] = &ev[..] else {
        panic!("{ev:?}")
    };
    let mut cfg = RoomConfig::from_form(form).unwrap();
    assert_eq!(cfg.persistent, Some(false));
    cfg.name = Some("The Globe".into());
    cfg.persistent = Some(true);
    r.submit_configuration(now, cfg.to_form(FormType::Submit))
        .unwrap();
    let out = sent(&mut r);
    assert!(
        out[0].contains("type='set'") && out[0].contains("The Globe"),
        "{out:?}"
    );
    r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' id='muc-3' type='result'/>"
        )),
    );
    assert_eq!(events(&mut r), [Event::Configured]);

    // A refusal is reported.
    r.cancel_configuration(now).unwrap();
    assert!(sent(&mut r)[0].contains("<x xmlns='jabber:x:data' type='cancel'/>"));
    r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' id='muc-4' type='error'>\
             <error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
        )),
    );
    assert!(
        matches!(&events(&mut r)[..], [Event::ConfigurationFailed(e)] if e.condition == DefinedCondition::Forbidden)
    );

    // A room without options answers an empty query: accept the defaults.
    r.request_configuration(now).unwrap();
    sent(&mut r);
    r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' id='muc-5' type='result'>\
             <query xmlns='http://jabber.org/protocol/muc#owner'/></iq>"
        )),
    );
    assert!(sent(&mut r)[0].contains("<x xmlns='jabber:x:data' type='submit'/>"));
}

#[test]
fn nick_change_own_and_others_and_conflict() {
    let now = Instant::now();
    let mut r = joined(RoomOptions::default(), now);
    r.change_nick(now, "Mira").unwrap();
    assert_eq!(
        sent(&mut r),
        [format!(
            "<presence xmlns='jabber:client' to='{ROOM}/Mira' id='muc-2'/>"
        )]
    );
    r.handle_presence(
        now,
        &occ(
            "Miranda",
            Some("unavailable"),
            "<item affiliation='member' role='participant' nick='Mira'/>",
            &[303, 110],
            "",
        ),
    );
    r.handle_presence(
        now,
        &occ(
            "Mira",
            None,
            "<item affiliation='member' role='participant'/>",
            &[110],
            "",
        ),
    );
    assert_eq!(r.nick(), "Mira");
    assert_eq!(
        events(&mut r),
        [Event::NickChanged {
            old: "Miranda".into(),
            new: "Mira".into()
        }]
    );
    assert!(r.occupant("Miranda").is_none());
    assert_eq!(r.me().unwrap().nick, "Mira");

    // Someone else.
    r.handle_presence(
        now,
        &occ(
            "Prospero",
            Some("unavailable"),
            "<item affiliation='owner' role='moderator' nick='Duke'/>",
            &[303],
            "",
        ),
    );
    r.handle_presence(
        now,
        &occ(
            "Duke",
            None,
            "<item affiliation='owner' role='moderator'/>",
            &[],
            "",
        ),
    );
    assert_eq!(
        events(&mut r),
        [Event::NickChanged {
            old: "Prospero".into(),
            new: "Duke".into()
        }]
    );
    assert_eq!(r.occupant("Duke").unwrap().affiliation, Affiliation::Owner);

    // Conflict.
    r.change_nick(now, "Duke").unwrap();
    sent(&mut r);
    r.handle_presence(
        now,
        &presence(&format!(
            "<presence xmlns='jabber:client' from='{ROOM}/Duke' to='{ME}' type='error'>\
             <error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
        )),
    );
    assert!(
        matches!(&events(&mut r)[..], [Event::NickChangeFailed(e)] if e.condition == DefinedCondition::Conflict)
    );
    assert_eq!(r.nick(), "Mira");
    assert_eq!(r.state(), State::Joined);
}

#[test]
fn kicks_bans_and_other_removals() {
    let now = Instant::now();
    let cases: &[(&[u16], Departure)] = &[
        (&[307], Departure::Kicked),
        (&[301], Departure::Banned),
        (&[321], Departure::AffiliationChanged),
        (&[322], Departure::MembersOnly),
        (&[332], Departure::Shutdown),
        (&[307, 333], Departure::Error),
        (&[], Departure::Left),
    ];
    for (codes, departure) in cases {
        // Another occupant.
        let mut r = joined(RoomOptions::default(), now);
        r.handle_presence(
            now,
            &occ(
                "Prospero",
                Some("unavailable"),
                "<item affiliation='none' role='none'><actor nick='Alonso'/><reason>plots</reason></item>",
                codes,
                "",
            ),
        );
        let ev = events(&mut r);
        let [Event::OccupantLeft { occupant, removal }] = &ev[..] else {
            panic!("{ev:?}")
        };
        assert_eq!(occupant.nick, "Prospero");
        assert_eq!(&removal.departure, departure);
        assert_eq!(removal.reason.as_deref(), Some("plots"));
        assert_eq!(
            removal.actor.as_ref().unwrap().nick.as_deref(),
            Some("Alonso")
        );
        assert_eq!(r.occupants().len(), 1);
        assert_eq!(r.state(), State::Joined);

        // Oneself.
        let mut own = codes.to_vec();
        own.push(110);
        r.handle_presence(
            now,
            &occ(
                "Miranda",
                Some("unavailable"),
                "<item affiliation='none' role='none'/>",
                &own,
                "",
            ),
        );
        let ev = events(&mut r);
        assert!(
            matches!(&ev[..], [Event::Removed(rm)] if rm.departure == *departure),
            "{ev:?}"
        );
        assert_eq!(r.state(), State::Idle);
        assert_eq!(r.occupants().len(), 0);
        assert_eq!(r.poll_timeout(), None);
    }
}

#[test]
fn role_and_affiliation_changes() {
    let now = Instant::now();
    let mut r = joined(RoomOptions::default(), now);
    r.handle_presence(
        now,
        &occ(
            "Miranda",
            None,
            "<item affiliation='admin' role='moderator'/>",
            &[110],
            "",
        ),
    );
    let ev = events(&mut r);
    let [Event::OccupantChanged { before, after }] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(
        (before.role, before.affiliation),
        (Role::Participant, Affiliation::Member)
    );
    assert_eq!(
        (after.role, after.affiliation),
        (Role::Moderator, Affiliation::Admin)
    );
    // The same presence again changes nothing.
    r.handle_presence(
        now,
        &occ(
            "Miranda",
            None,
            "<item affiliation='admin' role='moderator'/>",
            &[110],
            "",
        ),
    );
    assert_eq!(events(&mut r), []);
}

#[test]
fn destruction_with_alternate_venue() {
    let now = Instant::now();
    let mut r = joined(RoomOptions::default(), now);
    // One unavailable presence, from one's own occupant JID, without 110.
    r.handle_presence(
        now,
        &occ(
            "Miranda",
            Some("unavailable"),
            "<item affiliation='none' role='none'/>\
             <destroy jid='newglobe@rooms.example'><reason>fire</reason></destroy>",
            &[],
            "",
        ),
    );
    assert_eq!(
        events(&mut r),
        [Event::Removed(Removal {
            departure: Departure::Destroyed {
                alternate: Some("newglobe@rooms.example".parse().unwrap())
            },
            actor: None,
            reason: Some("fire".into()),
        })]
    );
    assert_eq!(r.state(), State::Idle);
    assert_eq!(r.occupants().len(), 0);
}

#[test]
fn join_failures() {
    let now = Instant::now();
    let cases = [
        ("conflict", "cancel", JoinFailure::NickConflict),
        ("registration-required", "auth", JoinFailure::MembersOnly),
        ("forbidden", "auth", JoinFailure::Banned),
        ("not-authorized", "auth", JoinFailure::PasswordRequired),
        ("item-not-found", "cancel", JoinFailure::RoomNotFound),
        ("not-allowed", "cancel", JoinFailure::CreationRestricted),
        (
            "not-acceptable",
            "cancel",
            JoinFailure::ReservedNickRequired,
        ),
        ("service-unavailable", "wait", JoinFailure::RoomFull),
        (
            "jid-malformed",
            "modify",
            JoinFailure::Other(DefinedCondition::JidMalformed),
        ),
    ];
    for (cond, type_, failure) in cases {
        let mut r = room(RoomOptions::default());
        r.join(now).unwrap();
        sent(&mut r);
        r.handle_presence(
            now,
            &presence(&format!(
                "<presence xmlns='jabber:client' from='{ROOM}/Miranda' to='{ME}' type='error'>\
                 <x xmlns='http://jabber.org/protocol/muc'/>\
                 <error type='{type_}'><{cond} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
            )),
        );
        let ev = events(&mut r);
        assert!(
            matches!(&ev[..], [Event::JoinFailed { failure: f, .. }] if *f == failure),
            "{cond}: {ev:?}"
        );
        assert_eq!(r.state(), State::Idle);
        if failure == JoinFailure::NickConflict {
            // Try again under another nickname.
            r.set_nick("Miranda2").unwrap();
            r.join(now).unwrap();
            assert!(sent(&mut r)[0].contains(&format!("to='{ROOM}/Miranda2'")));
        }
    }
}

#[test]
fn join_error_from_the_bare_room_jid() {
    // Some services answer from the room's bare JID.
    let now = Instant::now();
    let mut r = room(RoomOptions::default());
    r.join(now).unwrap();
    r.handle_presence(
        now,
        &presence(&format!(
            "<presence xmlns='jabber:client' from='{ROOM}' to='{ME}' type='error'>\
             <error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"
        )),
    );
    assert!(matches!(
        &events(&mut r)[..],
        [Event::JoinFailed {
            failure: JoinFailure::RoomNotFound,
            ..
        }]
    ));
    // Once idle, stray presences change nothing.
    r.handle_presence(
        now,
        &occ(
            "Ariel",
            None,
            "<item affiliation='none' role='participant'/>",
            &[],
            "",
        ),
    );
    assert_eq!(r.occupants().len(), 0);
    assert_eq!(events(&mut r), []);
}

#[test]
fn leaving() {
    let now = Instant::now();
    let mut r = joined(RoomOptions::default(), now);
    r.leave(now, Some("exeunt")).unwrap();
    assert_eq!(
        sent(&mut r),
        [format!(
            "<presence xmlns='jabber:client' to='{ROOM}/Miranda' id='muc-2' type='unavailable'>\
             <status>exeunt</status></presence>"
        )]
    );
    assert!(r.leave(now, None).is_err());
    r.handle_presence(
        now,
        &occ(
            "Miranda",
            Some("unavailable"),
            "<item affiliation='member' role='none'/>",
            &[110],
            "",
        ),
    );
    assert!(matches!(&events(&mut r)[..], [Event::Removed(rm)] if rm.departure == Departure::Left));
    assert_eq!(r.state(), State::Idle);
    assert!(r.groupchat("hi").to_xml().contains("type='groupchat'"));
}

#[test]
fn occupant_ids_only_when_enabled() {
    let now = Instant::now();
    let id = "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='oid-7'/>";
    for enabled in [false, true] {
        let mut r = joined(
            RoomOptions {
                occupant_ids: enabled,
                ..RoomOptions::default()
            },
            now,
        );
        r.handle_presence(
            now,
            &occ(
                "Ariel",
                None,
                "<item affiliation='none' role='participant'/>",
                &[],
                id,
            ),
        );
        assert_eq!(
            r.occupant("Ariel").unwrap().occupant_id.as_deref(),
            enabled.then_some("oid-7")
        );
    }
}

#[test]
fn self_ping_after_silence() {
    let t0 = Instant::now();
    let opts = RoomOptions {
        self_ping_interval: Some(Duration::from_secs(600)),
        self_ping_timeout: Duration::from_secs(30),
        self_ping_retry: Duration::from_secs(60),
        ..RoomOptions::default()
    };
    let mut r = joined(opts, t0);
    assert_eq!(r.poll_timeout(), Some(t0 + Duration::from_secs(600)));
    // Activity pushes the deadline.
    let t1 = t0 + Duration::from_secs(100);
    r.handle_message(t1, &subject("Act two"));
    events(&mut r);
    assert_eq!(r.poll_timeout(), Some(t1 + Duration::from_secs(600)));
    r.handle_timeout(t1 + Duration::from_secs(10));
    assert_eq!(sent(&mut r), Vec::<String>::new());

    let t2 = t1 + Duration::from_secs(600);
    r.handle_timeout(t2);
    let out = sent(&mut r);
    assert_eq!(
        out,
        [format!(
            "<iq xmlns='jabber:client' to='{ROOM}/Miranda' id='muc-2' type='get'><ping xmlns='urn:xmpp:ping'/></iq>"
        )]
    );
    assert_eq!(r.poll_timeout(), Some(t2 + Duration::from_secs(30)));

    // Joined: the next ping after another interval.
    let pong = iq(&format!(
        "<iq xmlns='jabber:client' from='{ROOM}/Miranda' id='muc-2' type='result'/>"
    ));
    assert!(r.handle_iq(t2, &pong));
    assert_eq!(events(&mut r), [Event::SelfPing(SelfPing::Joined)]);
    assert_eq!(r.poll_timeout(), Some(t2 + Duration::from_secs(600)));

    // No reply: try later.
    let t3 = t2 + Duration::from_secs(600);
    r.handle_timeout(t3);
    sent(&mut r);
    r.handle_timeout(t3 + Duration::from_secs(30));
    assert_eq!(events(&mut r), [Event::SelfPing(SelfPing::TryLater)]);
    assert_eq!(r.poll_timeout(), Some(t3 + Duration::from_secs(90)));

    // Not joined: rejoin.
    let t4 = t3 + Duration::from_secs(90);
    r.handle_timeout(t4);
    let ping = sent(&mut r);
    assert!(ping[0].contains("id='muc-4'"), "{ping:?}");
    let refused = iq(&format!(
        "<iq xmlns='jabber:client' from='{ROOM}/Miranda' id='muc-4' type='error'>\
         <error type='cancel'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
    ));
    assert!(r.handle_iq(t4, &refused));
    assert_eq!(
        events(&mut r),
        [Event::SelfPing(SelfPing::NotJoined(
            DefinedCondition::NotAcceptable
        ))]
    );
    assert_eq!(r.state(), State::Joining);
    assert_eq!(r.occupants().len(), 0);
    let rejoin = sent(&mut r);
    assert!(
        rejoin[0].starts_with("<presence") && rejoin[0].contains("http://jabber.org/protocol/muc'"),
        "{rejoin:?}"
    );
    assert_eq!(r.poll_timeout(), None);
}

#[test]
fn moderation_requests_and_replies() {
    let now = Instant::now();
    let mut r = joined(RoomOptions::default(), now);
    let kick = r.kick(now, "Ariel", Some("too airy".into())).unwrap();
    let ban = r
        .ban(now, "caliban@isle.example".parse().unwrap(), None)
        .unwrap();
    let list = r
        .admin(now, true, AdminQuery::affiliation_list(Affiliation::Member))
        .unwrap();
    assert_eq!(
        sent(&mut r),
        [
            format!(
                "<iq xmlns='jabber:client' to='{ROOM}' id='{kick}' type='set'>\
                 <query xmlns='http://jabber.org/protocol/muc#admin'><item nick='Ariel' role='none'>\
                 <reason>too airy</reason></item></query></iq>"
            ),
            format!(
                "<iq xmlns='jabber:client' to='{ROOM}' id='{ban}' type='set'>\
                 <query xmlns='http://jabber.org/protocol/muc#admin'>\
                 <item affiliation='outcast' jid='caliban@isle.example'/></query></iq>"
            ),
            format!(
                "<iq xmlns='jabber:client' to='{ROOM}' id='{list}' type='get'>\
                 <query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='member'/></query></iq>"
            ),
        ]
    );
    assert!(r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' id='{list}' type='result'>\
             <query xmlns='http://jabber.org/protocol/muc#admin'>\
             <item affiliation='member' jid='miranda@isle.example' nick='Miranda'/>\
             <item affiliation='member' jid='ferdinand@naples.example'/></query></iq>"
        ))
    ));
    assert!(r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' id='{kick}' type='error'>\
             <error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
        ))
    ));
    assert!(r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' id='{ban}' type='result'/>"
        ))
    ));
    // Answered requests are not answered twice.
    assert!(!r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' id='{ban}' type='result'/>"
        ))
    ));
    let ev = events(&mut r);
    assert!(
        matches!(&ev[0], Event::Reply { id, result: Ok(items) } if *id == list && items.len() == 2)
    );
    assert!(
        matches!(&ev[1], Event::Reply { id, result: Err(e) } if *id == kick
        && e.condition == DefinedCondition::NotAllowed)
    );
    assert_eq!(
        ev[2],
        Event::Reply {
            id: ban,
            result: Ok(vec![])
        }
    );
}

#[test]
fn owner_destroys_the_room() {
    let now = Instant::now();
    let mut r = joined(RoomOptions::default(), now);
    let id = r
        .destroy(
            now,
            OwnerDestroy {
                jid: Some("newglobe@rooms.example".parse().unwrap()),
                password: None,
                reason: Some("fire".into()),
            },
        )
        .unwrap();
    assert_eq!(
        sent(&mut r),
        [format!(
            "<iq xmlns='jabber:client' to='{ROOM}' id='{id}' type='set'>\
             <query xmlns='http://jabber.org/protocol/muc#owner'><destroy jid='newglobe@rooms.example'>\
             <reason>fire</reason></destroy></query></iq>"
        )]
    );
    r.handle_presence(
        now,
        &occ(
            "Miranda",
            Some("unavailable"),
            "<item affiliation='none' role='none'/><destroy jid='newglobe@rooms.example'/>",
            &[110],
            "",
        ),
    );
    // The result after the removal still reaches the caller.
    assert!(r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' id='{id}' type='result'/>"
        ))
    ));
    let ev = events(&mut r);
    assert!(
        matches!(&ev[0], Event::Removed(rm) if matches!(rm.departure, Departure::Destroyed { .. }))
    );
    assert!(matches!(&ev[1], Event::Reply { result: Ok(_), .. }));
    assert!(r.kick(now, "Ariel", None).is_err());
}

#[test]
fn room_status_notices() {
    let now = Instant::now();
    let mut r = joined(RoomOptions::default(), now);
    let m = message(&format!(
        "<message xmlns='jabber:client' from='{ROOM}' to='{ME}' type='groupchat'>\
         <x xmlns='http://jabber.org/protocol/muc#user'><status code='104'/><status code='172'/></x></message>"
    ));
    assert_eq!(r.handle_message(now, &m), Some(MessageKind::Other));
    assert_eq!(
        events(&mut r),
        [Event::RoomStatus(vec![
            StatusCode::ConfigChanged,
            StatusCode::NowNonAnonymous
        ])]
    );
    let private = message(&format!(
        "<message xmlns='jabber:client' from='{ROOM}/Prospero' to='{ME}' type='chat'><body>psst</body></message>"
    ));
    assert_eq!(r.handle_message(now, &private), Some(MessageKind::Private));
    let error = message(&format!(
        "<message xmlns='jabber:client' from='{ROOM}' to='{ME}' type='error'>\
         <error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"
    ));
    assert_eq!(r.handle_message(now, &error), Some(MessageKind::Error));
    assert_eq!(events(&mut r), []);
    // The same through the stanza dispatcher.
    assert!(r.handle_stanza(now, &Stanza::Message(m)));
    assert_eq!(events(&mut r).len(), 1);
    let elsewhere = message(
        "<message xmlns='jabber:client' from='other@rooms.example' to='miranda@isle.example/cell'/>",
    );
    assert!(!r.handle_stanza(now, &Stanza::Message(elsewhere)));
    assert!(!r.handle_stanza(
        now,
        &Stanza::Iq(iq(
            "<iq xmlns='jabber:client' from='globe@rooms.example' id='zzz' type='result'/>"
        ))
    ));
}

// ---------------------------------------------------------------------------
// Property: the occupant list follows a HashMap model.

mod prop {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Available {
            nick: usize,
            role: Role,
            aff: Affiliation,
            id: Option<u8>,
        },
        Unavailable {
            nick: usize,
            code: Option<u16>,
        },
        Rename {
            from: usize,
            to: usize,
        },
        SelfUpdate {
            role: Role,
            aff: Affiliation,
        },
    }

    const NICKS: &[&str] = &["Ariel", "Caliban", "Gonzalo", "Ferdinand", "Trinculo"];

    fn role() -> impl Strategy<Value = Role> {
        prop_oneof![
            Just(Role::Moderator),
            Just(Role::Participant),
            Just(Role::Visitor)
        ]
    }

    fn aff() -> impl Strategy<Value = Affiliation> {
        prop_oneof![
            Just(Affiliation::Owner),
            Just(Affiliation::Admin),
            Just(Affiliation::Member),
            Just(Affiliation::None)
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        let n = 0..NICKS.len();
        prop_oneof![
            3 => (n.clone(), role(), aff(), proptest::option::of(0u8..4))
                .prop_map(|(nick, role, aff, id)| Op::Available { nick, role, aff, id }),
            1 => (n.clone(), proptest::option::of(proptest::sample::select(vec![301u16, 307, 321, 322, 332, 333])))
                .prop_map(|(nick, code)| Op::Unavailable { nick, code }),
            1 => (n.clone(), n).prop_map(|(from, to)| Op::Rename { from, to }),
            1 => (role(), aff()).prop_map(|(role, aff)| Op::SelfUpdate { role, aff }),
        ]
    }

    type Model = HashMap<String, (Role, Affiliation, Option<String>)>;

    fn item(role: Role, aff: Affiliation, nick: Option<&str>) -> String {
        use xep_element::XmlValue;
        let nick = nick.map(|n| format!(" nick='{n}'")).unwrap_or_default();
        format!(
            "<item affiliation='{}' role='{}'{nick}/>",
            aff.to_xml(),
            role.to_xml()
        )
    }

    fn id_el(id: &Option<String>) -> String {
        id.as_ref()
            .map(|i| format!("<occupant-id xmlns='urn:xmpp:occupant-id:0' id='{i}'/>"))
            .unwrap_or_default()
    }

    proptest! {
        #[test]
        fn occupant_list_matches_model(ops in proptest::collection::vec(op(), 0..40)) {
            let now = Instant::now();
            let mut r = joined(RoomOptions { occupant_ids: true, ..RoomOptions::default() }, now);
            // The occupant list as the events tell it.
            let mut told: HashMap<String, Occupant> =
                r.occupants().map(|o| (o.nick.clone(), o.clone())).collect();
            let mut model: Model = HashMap::new();
            model.insert("Prospero".into(), (Role::Moderator, Affiliation::Owner, None));
            model.insert("Miranda".into(), (Role::Participant, Affiliation::Member, None));
            for op in ops {
                // What the events must say about this step.
                let mut expected: Vec<&str> = Vec::new();
                let mut departure = None;
                let upsert = |model: &Model, nick: &str, after: &(Role, Affiliation, Option<String>)| {
                    match model.get(nick) {
                        None => vec!["joined"],
                        Some(before) if before != after => vec!["changed"],
                        Some(_) => vec![],
                    }
                };
                match op {
                    Op::Available { nick, role, aff, id } => {
                        let nick = NICKS[nick];
                        let id = id.map(|i| format!("id{i}"));
                        r.handle_presence(now, &occ(nick, None, &item(role, aff, None), &[], &id_el(&id)));
                        // An id left out stays as it was.
                        let id = id.or_else(|| model.get(nick).and_then(|o| o.2.clone()));
                        let after = (role, aff, id);
                        expected = upsert(&model, nick, &after);
                        model.insert(nick.into(), after);
                    }
                    Op::Unavailable { nick, code } => {
                        let nick = NICKS[nick];
                        let codes: Vec<u16> = code.into_iter().collect();
                        r.handle_presence(now, &occ(nick, Some("unavailable"), &item(Role::None, Affiliation::None, None), &codes, ""));
                        if model.remove(nick).is_some() {
                            expected = vec!["left"];
                            departure = Some(match code {
                                None => Departure::Left,
                                Some(301) => Departure::Banned,
                                Some(307) => Departure::Kicked,
                                Some(321) => Departure::AffiliationChanged,
                                Some(322) => Departure::MembersOnly,
                                Some(332) => Departure::Shutdown,
                                Some(_) => Departure::Error,
                            });
                        }
                    }
                    Op::SelfUpdate { role, aff } => {
                        r.handle_presence(now, &occ("Miranda", None, &item(role, aff, None), &[110], ""));
                        let after = (role, aff, None);
                        expected = upsert(&model, "Miranda", &after);
                        model.insert("Miranda".into(), after);
                    }
                    Op::Rename { from, to } => {
                        let (from, to) = (NICKS[from], NICKS[to]);
                        // The room sends the pair only for a present occupant
                        // and a free nickname.
                        if from == to || !model.contains_key(from) || model.contains_key(to) {
                            continue;
                        }
                        let (role, aff, id) = model.remove(from).unwrap();
                        r.handle_presence(now, &occ(from, Some("unavailable"), &item(role, aff, Some(to)), &[303], &id_el(&id)));
                        r.handle_presence(now, &occ(to, None, &item(role, aff, None), &[], &id_el(&id)));
                        model.insert(to.into(), (role, aff, id));
                        expected = vec!["nick"];
                    }
                }
                prop_assert_eq!(r.state(), State::Joined);
                let mut kinds = Vec::new();
                for e in std::iter::from_fn(|| r.poll_event()) {
                    match e {
                        Event::OccupantJoined(o) => {
                            kinds.push("joined");
                            prop_assert!(told.insert(o.nick.clone(), o).is_none());
                        }
                        Event::OccupantChanged { before, after } => {
                            kinds.push("changed");
                            prop_assert_eq!(told.insert(after.nick.clone(), after), Some(before));
                        }
                        Event::OccupantLeft { occupant, removal } => {
                            kinds.push("left");
                            prop_assert_eq!(Some(removal.departure), departure.clone());
                            prop_assert_eq!(told.remove(&occupant.nick), Some(occupant));
                        }
                        Event::NickChanged { old, new } => {
                            kinds.push("nick");
                            let mut o = told.remove(&old).unwrap();
                            o.nick = new.clone();
                            prop_assert!(told.insert(new, o).is_none());
                        }
                        e => prop_assert!(false, "unexpected {:?}", e),
                    }
                }
                prop_assert_eq!(kinds, expected);
            }
            let got: Model = r
                .occupants()
                .map(|o| (o.nick.clone(), (o.role, o.affiliation, o.occupant_id.clone())))
                .collect();
            prop_assert_eq!(got, model);
            let listed: HashMap<String, Occupant> =
                r.occupants().map(|o| (o.nick.clone(), o.clone())).collect();
            prop_assert_eq!(told, listed);
        }
    }
}

#[test]
fn stanzas_round_trip_as_stanzas() {
    // The join presence parses back with its payload typed.
    let now = Instant::now();
    let mut r = room(RoomOptions {
        history: Some(History::none()),
        ..RoomOptions::default()
    });
    r.join(now).unwrap();
    let Some(Stanza::Presence(p)) = r.poll_transmit() else {
        panic!()
    };
    let back = Presence::from_xml(p.to_xml().as_bytes()).unwrap();
    assert_eq!(
        back.payload::<Muc>().unwrap().unwrap().history,
        Some(History::none())
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

    /// What the `muc-machine` fuzz target runs: any bytes are a schedule
    /// of room inputs, and the room's invariants hold throughout.
    #[test]
    fn any_schedule_keeps_the_room_consistent(
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
    ) {
        crate::sim::fuzz(Instant::now(), &data);
    }
}

// ---------------------------------------------------------------------------
// Voice requests (§7.13, §8.6), registration (§7.10), reserved nickname
// (§7.12)

/// Joins `room` as `nick` with the self-presence item `item`, with
/// Prospero (moderator) already in the room; the subject completes it.
fn joined_as(nick: &str, item: &str, now: Instant) -> Room {
    let mut r = Room::new(ROOM.parse().unwrap(), nick, RoomOptions::default());
    r.join(now).unwrap();
    sent(&mut r);
    if nick != "Prospero" {
        r.handle_presence(
            now,
            &occ(
                "Prospero",
                None,
                "<item affiliation='owner' role='moderator' jid='prospero@isle.example/staff'/>",
                &[],
                "",
            ),
        );
    }
    r.handle_presence(now, &occ(nick, None, item, &[110], ""));
    r.handle_message(now, &subject("The tempest"));
    events(&mut r);
    assert_eq!(r.state(), State::Joined);
    r
}

#[test]
fn visitor_requests_voice_moderator_approves_and_the_role_changes() {
    let now = Instant::now();
    let visitor_item = "<item affiliation='none' role='visitor' jid='miranda@isle.example/cell'/>";
    let mut miranda = joined_as("Miranda", visitor_item, now);
    let mut prospero = joined_as(
        "Prospero",
        "<item affiliation='owner' role='moderator' jid='prospero@isle.example/staff'/>",
        now,
    );
    prospero.handle_presence(now, &occ("Miranda", None, visitor_item, &[], ""));
    events(&mut prospero);

    // §7.13: the visitor's request, a message to the bare room JID with
    // a submitted muc#request form holding only muc#role.
    let id = miranda.request_voice(now).unwrap();
    let out = sent(&mut miranda);
    assert_eq!(
        out,
        [format!(
            "<message xmlns='jabber:client' to='{ROOM}' id='{id}'>\
             <x xmlns='jabber:x:data' type='submit'>\
             <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#request</value></field>\
             <field var='muc#role' type='list-single'><value>participant</value></field>\
             </x></message>"
        )]
    );
    let request = Message::from_xml(out[0].as_bytes()).unwrap();
    let form = request.payload::<xep_forms::DataForm>().unwrap().unwrap();
    assert_eq!(
        crate::forms::VoiceRequest::from_form(&form).unwrap().role,
        Some(Role::Participant)
    );

    // §8.6: the room forwards an approval form to the moderator.
    let forwarded = message(&format!(
        "<message xmlns='jabber:client' from='{ROOM}' id='vr-7' to='prospero@isle.example/staff'>\
         <x xmlns='jabber:x:data' type='form'><title>Voice request</title>\
         <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#request</value></field>\
         <field var='muc#role' type='list-single' label='Requested role'><value>participant</value></field>\
         <field var='muc#jid' type='jid-single' label='User ID'><value>miranda@isle.example/cell</value></field>\
         <field var='muc#roomnick' type='text-single' label='Room Nickname'><value>Miranda</value></field>\
         <field var='muc#request_allow' type='boolean' label='Grant voice?'><value>false</value></field>\
         </x></message>"
    ));
    assert_eq!(
        prospero.handle_message(now, &forwarded),
        Some(MessageKind::VoiceRequest)
    );
    let ev = events(&mut prospero);
    let [Event::VoiceRequest(req)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(req.id.as_deref(), Some("vr-7"));
    assert_eq!(req.nick.as_deref(), Some("Miranda"));
    assert_eq!(
        req.jid,
        Some(
            "miranda@isle.example/cell"
                .parse::<xep_element::jid::Jid>()
                .unwrap()
        )
    );
    assert_eq!(req.role, Some(Role::Participant));

    // The moderator approves: the form comes back submitted, same id,
    // muc#request_allow true.
    prospero.answer_voice_request(now, req, true).unwrap();
    let out = sent(&mut prospero);
    assert_eq!(
        out,
        [format!(
            "<message xmlns='jabber:client' to='{ROOM}' id='vr-7'>\
             <x xmlns='jabber:x:data' type='submit'>\
             <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#request</value></field>\
             <field var='muc#role' type='list-single'><value>participant</value></field>\
             <field var='muc#jid' type='jid-single'><value>miranda@isle.example/cell</value></field>\
             <field var='muc#roomnick' type='text-single'><value>Miranda</value></field>\
             <field var='muc#request_allow' type='boolean'><value>true</value></field>\
             </x></message>"
        )]
    );

    // §8.4: the room grants voice; both sides see the role change.
    let granted = "<item affiliation='none' role='participant' jid='miranda@isle.example/cell'/>";
    miranda.handle_presence(now, &occ("Miranda", None, granted, &[110], ""));
    prospero.handle_presence(now, &occ("Miranda", None, granted, &[], ""));
    let ev_m = events(&mut miranda);
    let ev_p = events(&mut prospero);
    for (r, ev) in [(&miranda, ev_m), (&prospero, ev_p)] {
        let [Event::OccupantChanged { before, after }] = &ev[..] else {
            panic!("{ev:?}")
        };
        assert_eq!(
            (before.nick.as_str(), before.role, after.role),
            ("Miranda", Role::Visitor, Role::Participant)
        );
        assert_eq!(r.occupant("Miranda").unwrap().role, Role::Participant);
    }
    // Now a participant, Miranda may not ask again.
    assert_eq!(
        miranda.request_voice(now),
        Err(RoomError::NotVisitor(Role::Participant))
    );
}

#[test]
fn moderator_denies_a_voice_request_without_an_id() {
    let now = Instant::now();
    let mut prospero = joined_as(
        "Prospero",
        "<item affiliation='owner' role='moderator'/>",
        now,
    );
    let forwarded = message(&format!(
        "<message xmlns='jabber:client' from='{ROOM}' to='prospero@isle.example/staff'>\
         <x xmlns='jabber:x:data' type='form'>\
         <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#request</value></field>\
         <field var='muc#role' type='list-single'><value>participant</value></field>\
         <field var='muc#roomnick' type='text-single'><value>Caliban</value></field>\
         <field var='x-isle#reason' type='text-single'><value>I was here first</value></field>\
         </x></message>"
    ));
    prospero.handle_message(now, &forwarded);
    let ev = events(&mut prospero);
    let [Event::VoiceRequest(req)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!((req.id.as_ref(), req.jid.as_ref()), (None, None));
    prospero.answer_voice_request(now, req, false).unwrap();
    let out = sent(&mut prospero);
    assert_eq!(out.len(), 1);
    let answer = Message::from_xml(out[0].as_bytes()).unwrap();
    assert!(answer.id.is_some(), "a fresh id: {}", out[0]);
    let form = answer.payload::<xep_forms::DataForm>().unwrap().unwrap();
    assert_eq!(form.type_, FormType::Submit);
    assert_eq!(form.value("muc#request_allow"), Some("false"));
    assert_eq!(form.value("muc#roomnick"), Some("Caliban"));
    // Fields the view does not know go back too.
    assert_eq!(form.value("x-isle#reason"), Some("I was here first"));
}

#[test]
fn voice_request_refused_unless_a_visitor_and_answers_only_by_moderators() {
    let now = Instant::now();
    // Not joined.
    let mut idle = room(RoomOptions::default());
    assert_eq!(
        idle.request_voice(now),
        Err(RoomError::WrongState {
            action: "request voice in",
            state: State::Idle
        })
    );
    // A participant (the default of `joined`) and a moderator have voice.
    let mut r = joined(RoomOptions::default(), now);
    let err = r.request_voice(now).unwrap_err();
    assert_eq!(err, RoomError::NotVisitor(Role::Participant));
    assert!(err.to_string().contains("visitor"), "{err}");
    let mut m = joined_as(
        "Prospero",
        "<item affiliation='owner' role='moderator'/>",
        now,
    );
    assert_eq!(
        m.request_voice(now),
        Err(RoomError::NotVisitor(Role::Moderator))
    );
    assert!(sent(&mut r).is_empty() && sent(&mut m).is_empty());

    // A participant cannot answer a request.
    let req = VoiceRequestReceived {
        id: Some("v1".into()),
        nick: Some("Ariel".into()),
        jid: None,
        role: Some(Role::Participant),
        request: crate::forms::VoiceRequest::default(),
    };
    let err = r.answer_voice_request(now, &req, true).unwrap_err();
    assert_eq!(err, RoomError::NotModerator(Role::Participant));
    assert!(err.to_string().contains("moderator"), "{err}");
    assert!(sent(&mut r).is_empty());

    // A muc#request form from an occupant (not the room) or of type
    // submit is no forwarded request; neither is a malformed one.
    for (from, ty, role) in [
        (format!("{ROOM}/Ariel"), "form", "participant"),
        (ROOM.to_string(), "submit", "participant"),
        (ROOM.to_string(), "form", "king"),
    ] {
        let msg = message(&format!(
            "<message xmlns='jabber:client' from='{from}' to='{ME}'>\
             <x xmlns='jabber:x:data' type='{ty}'>\
             <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#request</value></field>\
             <field var='muc#role'><value>{role}</value></field></x></message>"
        ));
        assert_ne!(
            m.handle_message(now, &msg),
            Some(MessageKind::VoiceRequest),
            "{from} {ty} {role}"
        );
        assert_eq!(events(&mut m), []);
    }
}

fn register_result(id: &str, inner: &str) -> Iq {
    iq(&format!(
        "<iq xmlns='jabber:client' from='{ROOM}' to='{ME}' id='{id}' type='result'>\
         <query xmlns='jabber:iq:register'>{inner}</query></iq>"
    ))
}

fn iq_error(id: &str, condition: &str) -> Iq {
    iq(&format!(
        "<iq xmlns='jabber:client' from='{ROOM}' to='{ME}' id='{id}' type='error'>\
         <error type='cancel'><{condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
    ))
}

#[test]
fn registration_form_fetch_submit_and_success() {
    let now = Instant::now();
    // Before joining (e.g. a members-only room).
    let mut r = room(RoomOptions::default());
    let get = r.request_registration(now).unwrap();
    assert_eq!(
        sent(&mut r),
        [format!(
            "<iq xmlns='jabber:client' to='{ROOM}' id='{get}' type='get'>\
             <query xmlns='jabber:iq:register'/></iq>"
        )]
    );
    // A reply from elsewhere, or to another id, is not ours.
    let mut stray = register_result(&get, "<registered/>");
    stray.from = Some("globe@elsewhere.example".parse().unwrap());
    assert!(!r.handle_iq(now, &stray));
    assert!(!r.handle_iq(now, &register_result("other", "<registered/>")));
    assert!(r.handle_iq(
        now,
        &register_result(
            &get,
            "<instructions>Or sign up at the lending library.</instructions>\
             <x xmlns='jabber:x:data' type='form'><title>Globe membership</title>\
             <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#register</value></field>\
             <field label='Given Name' type='text-single' var='muc#register_first'><required/></field>\
             <field label='Desired Nickname' type='text-single' var='muc#register_roomnick'><required/></field>\
             <field label='FAQ Entry' type='text-multi' var='muc#register_faqentry'/>\
             </x>"
        )
    ));
    let ev = events(&mut r);
    let [Event::RegistrationForm { form, instructions }] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(
        instructions.as_deref(),
        Some("Or sign up at the lending library.")
    );
    assert_eq!(form.title.as_deref(), Some("Globe membership"));
    assert!(form.field("muc#register_roomnick").unwrap().required);
    let mut view = crate::forms::Register::from_form(form).unwrap();
    view.first = Some("Miranda".into());
    view.roomnick = Some("Miranda".into());
    view.faq_entry = vec!["Daughter of the duke.".into()];
    // Answered once only.
    assert!(!r.handle_iq(now, &register_result(&get, "<registered/>")));

    let set = r
        .submit_registration(now, view.to_form(FormType::Submit))
        .unwrap();
    assert_ne!(set, get);
    assert_eq!(
        sent(&mut r),
        [format!(
            "<iq xmlns='jabber:client' to='{ROOM}' id='{set}' type='set'>\
             <query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'>\
             <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#register</value></field>\
             <field var='muc#register_faqentry' type='text-multi'><value>Daughter of the duke.</value></field>\
             <field var='muc#register_first' type='text-single'><value>Miranda</value></field>\
             <field var='muc#register_roomnick' type='text-single'><value>Miranda</value></field>\
             </x></query></iq>"
        )]
    );
    assert!(r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' to='{ME}' id='{set}' type='result'/>"
        ))
    ));
    assert_eq!(events(&mut r), [Event::RegistrationSubmitted]);

    // Only submitted forms are sent.
    assert_eq!(
        r.submit_registration(now, view.to_form(FormType::Form)),
        Err(RoomError::NotSubmitted(FormType::Form))
    );
    assert!(sent(&mut r).is_empty());
}

#[test]
fn registration_membership_arrives_as_an_affiliation_change() {
    // §7.10: when the user is in the room, the room announces the new
    // affiliation in presence.
    let now = Instant::now();
    let mut r = joined_as(
        "Miranda",
        "<item affiliation='none' role='participant'/>",
        now,
    );
    let set = r
        .submit_registration(
            now,
            crate::forms::Register {
                roomnick: Some("Miranda".into()),
                ..Default::default()
            }
            .to_form(FormType::Submit),
        )
        .unwrap();
    sent(&mut r);
    r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' to='{ME}' id='{set}' type='result'/>"
        )),
    );
    r.handle_presence(
        now,
        &occ(
            "Miranda",
            None,
            "<item affiliation='member' role='participant'/>",
            &[110],
            "",
        ),
    );
    let ev = events(&mut r);
    let [
        Event::RegistrationSubmitted,
        Event::OccupantChanged { before, after },
    ] = &ev[..]
    else {
        panic!("{ev:?}")
    };
    assert_eq!(
        (before.affiliation, after.affiliation),
        (Affiliation::None, Affiliation::Member)
    );
    assert_eq!(r.me().unwrap().affiliation, Affiliation::Member);
}

#[test]
fn registration_conflict_and_other_errors() {
    let now = Instant::now();
    let mut r = joined(RoomOptions::default(), now);
    for (condition, defined, failure) in [
        (
            "conflict",
            DefinedCondition::Conflict,
            RegistrationFailure::NickConflict,
        ),
        (
            "item-not-found",
            DefinedCondition::ItemNotFound,
            RegistrationFailure::RoomNotFound,
        ),
        (
            "not-allowed",
            DefinedCondition::NotAllowed,
            RegistrationFailure::NotAllowed,
        ),
        (
            "service-unavailable",
            DefinedCondition::ServiceUnavailable,
            RegistrationFailure::NotSupported,
        ),
        (
            "bad-request",
            DefinedCondition::BadRequest,
            RegistrationFailure::BadRequest,
        ),
        (
            "registration-required",
            DefinedCondition::RegistrationRequired,
            RegistrationFailure::Other(DefinedCondition::RegistrationRequired),
        ),
    ] {
        let id = r
            .submit_registration(
                now,
                crate::forms::Register {
                    roomnick: Some("Prospero".into()),
                    ..Default::default()
                }
                .to_form(FormType::Submit),
            )
            .unwrap();
        sent(&mut r);
        assert!(r.handle_iq(now, &iq_error(&id, condition)));
        let ev = events(&mut r);
        let [Event::RegistrationFailed { failure: f, error }] = &ev[..] else {
            panic!("{ev:?}")
        };
        assert_eq!(*f, failure, "{condition}");
        assert_eq!(error.as_ref().map(|e| e.condition.clone()), Some(defined));
    }
    // The form request can fail too.
    let id = r.request_registration(now).unwrap();
    assert!(r.handle_iq(now, &iq_error(&id, "not-allowed")));
    assert!(matches!(
        &events(&mut r)[..],
        [Event::RegistrationFailed {
            failure: RegistrationFailure::NotAllowed,
            error: Some(_)
        }]
    ));
}

#[test]
fn already_registered_and_unusable_replies() {
    let now = Instant::now();
    let mut r = room(RoomOptions::default());
    let id = r.request_registration(now).unwrap();
    assert!(r.handle_iq(
        now,
        &register_result(&id, "<registered/><username>Miranda</username>")
    ));
    assert_eq!(
        events(&mut r),
        [Event::AlreadyRegistered {
            nick: Some("Miranda".into())
        }]
    );
    // <username/> is only a SHOULD.
    let id = r.request_registration(now).unwrap();
    r.handle_iq(now, &register_result(&id, "<registered/>"));
    assert_eq!(events(&mut r), [Event::AlreadyRegistered { nick: None }]);

    // Results without what §7.10 promises name what is missing.
    for (reply, why) in [
        (
            iq(&format!(
                "<iq xmlns='jabber:client' from='{ROOM}' to='{ME}' id='ID' type='result'/>"
            )),
            "no jabber:iq:register query",
        ),
        (
            register_result("ID", "<username/>"),
            "neither a data form nor <registered/>",
        ),
        (
            register_result("ID", "<x xmlns='jabber:x:data' type='sideways'/>"),
            "the jabber:iq:register query is malformed",
        ),
    ] {
        let id = r.request_registration(now).unwrap();
        let mut reply = reply;
        reply.id = id;
        assert!(r.handle_iq(now, &reply));
        let ev = events(&mut r);
        let [
            Event::RegistrationFailed {
                failure: RegistrationFailure::BadReply(text),
                error: None,
            },
        ] = &ev[..]
        else {
            panic!("{ev:?}")
        };
        assert!(text.contains(why), "{text}");
    }
}

#[test]
fn reserved_nickname_discovery() {
    let now = Instant::now();
    let mut r = room(RoomOptions::default());
    let id = r.request_reserved_nick(now).unwrap();
    assert_eq!(
        sent(&mut r),
        [format!(
            "<iq xmlns='jabber:client' to='{ROOM}' id='{id}' type='get'>\
             <query xmlns='http://jabber.org/protocol/disco#info' node='x-roomuser-item'/></iq>"
        )]
    );
    assert!(r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' to='{ME}' id='{id}' type='result'>\
             <query xmlns='http://jabber.org/protocol/disco#info' node='x-roomuser-item'>\
             <identity category='client' type='pc' name='not this'/>\
             <identity category='conference' type='text' name='Miranda'/></query></iq>"
        ))
    ));
    assert_eq!(
        events(&mut r),
        [Event::ReservedNick(Ok(Some("Miranda".into())))]
    );
    // No reserved nickname: an empty query.
    let id = r.request_reserved_nick(now).unwrap();
    r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' to='{ME}' id='{id}' type='result'>\
             <query xmlns='http://jabber.org/protocol/disco#info' node='x-roomuser-item'/></iq>"
        )),
    );
    assert_eq!(events(&mut r), [Event::ReservedNick(Ok(None))]);
    // Not supported.
    let id = r.request_reserved_nick(now).unwrap();
    r.handle_iq(now, &iq_error(&id, "feature-not-implemented"));
    let ev = events(&mut r);
    assert!(
        matches!(&ev[..], [Event::ReservedNick(Err(e))]
            if e.condition == DefinedCondition::FeatureNotImplemented),
        "{ev:?}"
    );
    // Answered once only.
    assert!(!r.handle_iq(now, &iq_error(&id, "feature-not-implemented")));
    // A reply that is not XEP-0030 (an identity without a category) is
    // reported with the parser's reason.
    let id = r.request_reserved_nick(now).unwrap();
    r.handle_iq(
        now,
        &iq(&format!(
            "<iq xmlns='jabber:client' from='{ROOM}' to='{ME}' id='{id}' type='result'>\
             <query xmlns='http://jabber.org/protocol/disco#info' node='x-roomuser-item'>\
             <identity type='text' name='Miranda'/></query></iq>"
        )),
    );
    let ev = events(&mut r);
    assert!(
        matches!(&ev[..], [Event::ReservedNick(Err(e))]
            if e.condition == DefinedCondition::BadRequest
                && e.texts[0].text.contains("category")),
        "{ev:?}"
    );
}

#[test]
fn self_ping_durations_too_large_for_the_clock_never_panic() {
    // Issue 17: `now + interval` overflowed (a panic) with Duration::MAX.
    let t0 = Instant::now();
    let huge = RoomOptions {
        self_ping_interval: Some(Duration::MAX),
        ..RoomOptions::default()
    };
    let mut r = joined(huge, t0);
    assert_eq!(r.poll_timeout(), None, "too far to be a deadline");
    r.handle_message(t0, &subject("Act two"));
    r.handle_timeout(t0 + Duration::from_secs(3600));
    assert_eq!(sent(&mut r), Vec::<String>::new());

    // A ping sent, whose timeout and retry are too long: waiting forever.
    let forever = RoomOptions {
        self_ping_interval: Some(Duration::from_secs(600)),
        self_ping_timeout: Duration::MAX,
        self_ping_retry: Duration::MAX,
        ..RoomOptions::default()
    };
    let mut r = joined(forever, t0);
    let t1 = t0 + Duration::from_secs(600);
    r.handle_timeout(t1);
    assert_eq!(sent(&mut r).len(), 1, "the self-ping");
    assert_eq!(r.poll_timeout(), None);
    r.handle_timeout(t1 + Duration::from_secs(3600));
    assert_eq!(events(&mut r), []);
}

#[test]
fn requests_without_an_answer_time_out() {
    // Issue 17: Room's requests never timed out (Jingle's did).
    let t0 = Instant::now();
    let opts = RoomOptions {
        self_ping_interval: None,
        ..RoomOptions::default()
    };
    let mut r = joined(opts, t0);
    let kick = r.kick(t0, "Ariel", None).unwrap();
    let t1 = t0 + Duration::from_secs(5);
    let ban = r
        .ban(t1, "caliban@isle.example".parse().unwrap(), None)
        .unwrap();
    r.request_configuration(t1).unwrap();
    // A second configuration request replaces the first: one timeout.
    r.request_configuration(t1).unwrap();
    let nick = r.request_reserved_nick(t1).unwrap();
    sent(&mut r);
    assert_eq!(r.poll_timeout(), Some(t0 + Duration::from_secs(30)));
    // The ban is answered: no timeout for it.
    let ok = iq(&format!(
        "<iq xmlns='jabber:client' from='{ROOM}' id='{ban}' type='result'/>"
    ));
    assert!(r.handle_iq(t1, &ok));
    events(&mut r);

    r.handle_timeout(t0 + Duration::from_secs(30));
    assert_eq!(
        events(&mut r),
        [Event::RequestTimedOut { id: kick.clone() }]
    );
    assert_eq!(r.poll_timeout(), Some(t1 + Duration::from_secs(30)));
    r.handle_timeout(t1 + Duration::from_secs(30));
    let timed_out: Vec<Event> = events(&mut r);
    assert_eq!(timed_out.len(), 2, "{timed_out:?}");
    assert!(timed_out.contains(&Event::RequestTimedOut { id: nick.clone() }));
    assert_eq!(r.poll_timeout(), None);
    // A late answer is not the room's any more.
    let late = iq(&format!(
        "<iq xmlns='jabber:client' from='{ROOM}' id='{kick}' type='result'/>"
    ));
    assert!(!r.handle_iq(t1 + Duration::from_secs(31), &late));
    assert_eq!(events(&mut r), []);
}
