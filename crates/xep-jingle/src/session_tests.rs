//! Scripted sessions after the scenarios of XEP-0166 and XEP-0167 (our own
//! stanzas), and the simulation as a property.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use xep_core::{DefinedCondition, Iq, IqType};
use xep_element::jid::Jid;
use xep_element::{Payload, Registry, XmlElement};

use crate::jingle::{Action, Content, Creator, JingleError, Reason, ReasonCondition, Senders};
use crate::session::{Config, Endpoint, Event, Role, Session, State};
use crate::{ice_udp, raw_udp, rtp};

const ROMEO: &str = "romeo@verona.example/orchard";
const JULIET: &str = "juliet@verona.example/balcony";
const IAGO: &str = "iago@verona.example/x";

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

/// The start of every scripted test's clock.
fn t0() -> Instant {
    static T0: OnceLock<Instant> = OnceLock::new();
    *T0.get_or_init(Instant::now)
}

fn secs(n: u64) -> Instant {
    t0() + Duration::from_secs(n)
}

/// The other party of the two-party tests.
fn peer_of(e: &Endpoint) -> Jid {
    jid(if e.local().to_string() == ROMEO {
        JULIET
    } else {
        ROMEO
    })
}

/// The session `sid` of `e` with the other party.
fn sess<'a>(e: &'a Endpoint, sid: &str) -> &'a Session {
    e.session(&peer_of(e), sid)
        .unwrap_or_else(|| panic!("{} has no session {sid}", e.local()))
}

fn registry() -> Registry {
    Registry::new()
        .with(xep_core::ELEMENTS)
        .with(xep_hashes::ELEMENTS)
        .with(crate::ELEMENTS)
}

fn pair() -> (Endpoint, Endpoint) {
    (
        Endpoint::new(ROMEO.parse().unwrap()),
        Endpoint::new(JULIET.parse().unwrap()),
    )
}

fn audio(creator: Creator, name: &str) -> Content {
    let mut d = rtp::Description::new("audio");
    d.payload_types
        .push(rtp::PayloadType::new(111, "opus", 48000));
    Content::new(creator, name)
        .with(Payload::new(d))
        .with(Payload::new(ice_udp::Transport {
            ufrag: Some("uf".into()),
            pwd: Some("pw".into()),
            ..Default::default()
        }))
}

/// `e` calls `to` with one audio content on `sid` at `at`; the request's
/// iq id.
fn ring(e: &mut Endpoint, at: Instant, to: Jid, sid: &str) -> String {
    e.initiate(at, to, sid, vec![audio(Creator::Initiator, "voice")])
        .unwrap()
}

/// Sends everything `from` has queued to `to`, through bytes; returns the
/// iqs as written.
fn deliver(from: &mut Endpoint, to: &mut Endpoint) -> Vec<Iq> {
    let reg = registry();
    let mut out = Vec::new();
    while let Some(iq) = from.poll_transmit() {
        let back = Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap();
        to.handle_iq(t0(), &back);
        out.push(iq);
    }
    out
}

/// Delivers in both directions until nothing is left.
fn settle(a: &mut Endpoint, b: &mut Endpoint) {
    loop {
        let n = deliver(a, b).len() + deliver(b, a).len();
        if n == 0 {
            break;
        }
    }
}

fn events(e: &mut Endpoint) -> Vec<Event> {
    std::iter::from_fn(|| e.poll_event()).collect()
}

fn names(e: &Endpoint, sid: &str) -> Vec<(Creator, String, Senders)> {
    sess(e, sid)
        .contents()
        .map(|c| (c.creator, c.name.clone(), c.senders()))
        .collect()
}

fn jingle_error(iq: &Iq) -> Option<JingleError> {
    iq.error
        .as_ref()?
        .app
        .iter()
        .find_map(|p| p.get::<JingleError>()?.ok())
}

#[test]
fn successful_call() {
    let (mut romeo, mut juliet) = pair();
    ring(&mut romeo, t0(), jid(JULIET), "call1");
    let sent = deliver(&mut romeo, &mut juliet);
    assert!(sent[0].to_xml().contains("action='session-initiate'"));
    assert!(sent[0].to_xml().contains(&format!("initiator='{ROMEO}'")));
    let acks = deliver(&mut juliet, &mut romeo);
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].type_, IqType::Result);
    assert!(matches!(&events(&mut juliet)[..], [Event::Incoming { sid, .. }] if sid == "call1"));
    assert_eq!(sess(&juliet, "call1").role(), Role::Responder);

    // Ringing, then the answer.
    juliet
        .session_info(
            t0(),
            &peer_of(&juliet),
            "call1",
            vec![Payload::new(rtp::RtpInfo::Ringing)],
        )
        .unwrap();
    juliet
        .accept(t0(), &peer_of(&juliet), "call1", vec![])
        .unwrap();
    settle(&mut romeo, &mut juliet);
    let ev = events(&mut romeo);
    assert!(ev.iter().any(
        |e| matches!(e, Event::Received { jingle, .. } if jingle.action == Action::SessionInfo)
    ));
    assert!(ev.contains(&Event::StateChanged {
        peer: jid(JULIET),
        sid: "call1".into(),
        state: State::Active,
        reason: None,
    }));
    assert_eq!(sess(&juliet, "call1").state(), State::Active);
    assert_eq!(names(&romeo, "call1"), names(&juliet, "call1"));

    // A candidate, then the end.
    let cand = Content::new(Creator::Initiator, "voice").with(Payload::new(ice_udp::Transport {
        candidates: vec![ice_udp::Candidate {
            component: 1,
            foundation: "1".into(),
            generation: 0,
            id: "c1".into(),
            ip: "192.0.2.5".into(),
            network: None,
            port: 5000,
            priority: 2130706431,
            protocol: "udp".into(),
            rel_addr: None,
            rel_port: None,
            type_: ice_udp::CandidateType::Host,
        }],
        ..Default::default()
    }));
    romeo
        .content_action(
            t0(),
            &peer_of(&romeo),
            "call1",
            Action::TransportInfo,
            vec![cand],
            None,
        )
        .unwrap();
    romeo
        .terminate(
            t0(),
            &peer_of(&romeo),
            "call1",
            Some(Reason::new(ReasonCondition::Success)),
        )
        .unwrap();
    assert_eq!(sess(&romeo, "call1").state(), State::Ended);
    settle(&mut romeo, &mut juliet);
    assert_eq!(sess(&juliet, "call1").state(), State::Ended);
    assert!(!romeo.has_outstanding() && !juliet.has_outstanding());
}

#[test]
fn declined_call() {
    let (mut romeo, mut juliet) = pair();
    ring(&mut romeo, t0(), jid(JULIET), "call2");
    settle(&mut romeo, &mut juliet);
    juliet
        .terminate(
            t0(),
            &peer_of(&juliet),
            "call2",
            Some(Reason::new(ReasonCondition::Decline)),
        )
        .unwrap();
    let sent = deliver(&mut juliet, &mut romeo);
    assert!(sent[0].to_xml().contains("<reason><decline/></reason>"));
    assert_eq!(sess(&romeo, "call2").state(), State::Ended);
    let ev = events(&mut romeo);
    assert!(ev.iter().any(|e| matches!(e, Event::Received { jingle, .. }
        if jingle.reason.as_ref().map(|r| &r.condition) == Some(&ReasonCondition::Decline))));
    // Anything after the end is an unknown session.
    assert_eq!(
        juliet.accept(t0(), &peer_of(&juliet), "call2", vec![]),
        Err(crate::SessionError::WrongState {
            action: "accept",
            role: Role::Responder,
            state: State::Ended
        })
    );
    romeo
        .session_info(t0(), &peer_of(&romeo), "call2", vec![])
        .unwrap_err();
}

fn active_call() -> (Endpoint, Endpoint) {
    let (mut romeo, mut juliet) = pair();
    ring(&mut romeo, t0(), jid(JULIET), "s");
    settle(&mut romeo, &mut juliet);
    juliet.accept(t0(), &peer_of(&juliet), "s", vec![]).unwrap();
    settle(&mut romeo, &mut juliet);
    events(&mut romeo);
    events(&mut juliet);
    (romeo, juliet)
}

#[test]
fn content_add_accepted_and_rejected() {
    let (mut romeo, mut juliet) = active_call();
    // Juliet adds video; Romeo accepts it.
    let video = audio(Creator::Responder, "video");
    juliet
        .content_action(
            t0(),
            &peer_of(&juliet),
            "s",
            Action::ContentAdd,
            vec![video.clone()],
            None,
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    assert_eq!(sess(&romeo, "s").offered().count(), 1);
    assert_eq!(sess(&juliet, "s").proposed().count(), 1);
    romeo
        .content_action(
            t0(),
            &peer_of(&romeo),
            "s",
            Action::ContentAccept,
            vec![video],
            None,
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    assert_eq!(names(&romeo, "s").len(), 2);
    assert_eq!(names(&romeo, "s"), names(&juliet, "s"));

    // Romeo adds a screen share; Juliet rejects it.
    let screen = audio(Creator::Initiator, "screen");
    romeo
        .content_action(
            t0(),
            &peer_of(&romeo),
            "s",
            Action::ContentAdd,
            vec![screen.clone()],
            None,
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    juliet
        .content_action(
            t0(),
            &peer_of(&juliet),
            "s",
            Action::ContentReject,
            vec![screen],
            Some(Reason::new(ReasonCondition::Decline)),
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    assert_eq!(names(&romeo, "s").len(), 2);
    assert_eq!(names(&romeo, "s"), names(&juliet, "s"));
    assert!(sess(&romeo, "s").is_settled());

    // A content-accept for nothing offered is out of order.
    let bogus = Iq::from_xml(
        format!(
            "<iq xmlns='jabber:client' from='{JULIET}' to='{ROMEO}' id='x1' type='set'>\
             <jingle xmlns='urn:xmpp:jingle:1' action='content-accept' sid='s'>\
             <content creator='initiator' name='ghost'/></jingle></iq>"
        )
        .as_bytes(),
    )
    .unwrap();
    romeo.handle_iq(t0(), &bogus);
    let reply = romeo.poll_transmit().unwrap();
    assert_eq!(jingle_error(&reply), Some(JingleError::OutOfOrder));
    assert_eq!(
        reply.error.unwrap().condition,
        DefinedCondition::UnexpectedRequest
    );

    // Modify and remove.
    romeo
        .content_action(
            t0(),
            &peer_of(&romeo),
            "s",
            Action::ContentModify,
            vec![Content::new(Creator::Initiator, "voice").with_senders(Senders::Initiator)],
            None,
        )
        .unwrap();
    juliet
        .content_action(
            t0(),
            &peer_of(&juliet),
            "s",
            Action::ContentRemove,
            vec![Content::new(Creator::Responder, "video")],
            None,
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    assert_eq!(
        names(&juliet, "s"),
        vec![(Creator::Initiator, "voice".to_string(), Senders::Initiator)]
    );
    assert_eq!(names(&romeo, "s"), names(&juliet, "s"));
}

#[test]
fn transport_replace_accepted_and_rejected() {
    let (mut romeo, mut juliet) = active_call();
    let raw = Content::new(Creator::Initiator, "voice").with(Payload::new(raw_udp::Transport {
        candidates: vec![raw_udp::Candidate {
            component: 1,
            generation: 0,
            id: "r1".into(),
            ip: "192.0.2.9".into(),
            port: 9000,
            type_: None,
        }],
    }));
    juliet
        .content_action(
            t0(),
            &peer_of(&juliet),
            "s",
            Action::TransportReplace,
            vec![raw.clone()],
            None,
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    romeo
        .content_action(
            t0(),
            &peer_of(&romeo),
            "s",
            Action::TransportReject,
            vec![raw.clone()],
            None,
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    let t = |e: &Endpoint| {
        sess(e, "s")
            .contents()
            .next()
            .unwrap()
            .transport_ns()
            .unwrap()
    };
    assert_eq!(t(&romeo), ice_udp::NS);
    assert_eq!(t(&juliet), ice_udp::NS);

    juliet
        .content_action(
            t0(),
            &peer_of(&juliet),
            "s",
            Action::TransportReplace,
            vec![raw.clone()],
            None,
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    romeo
        .content_action(
            t0(),
            &peer_of(&romeo),
            "s",
            Action::TransportAccept,
            vec![raw],
            None,
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    assert_eq!(t(&romeo), raw_udp::NS);
    assert_eq!(t(&juliet), raw_udp::NS);
    assert!(sess(&juliet, "s").is_settled());
}

#[test]
fn crossing_modifies_are_won_by_the_initiator() {
    let (mut romeo, mut juliet) = active_call();
    let voice = Content::new(Creator::Initiator, "voice");
    romeo
        .content_action(
            t0(),
            &peer_of(&romeo),
            "s",
            Action::ContentModify,
            vec![voice.clone().with_senders(Senders::Initiator)],
            None,
        )
        .unwrap();
    juliet
        .content_action(
            t0(),
            &peer_of(&juliet),
            "s",
            Action::ContentModify,
            vec![voice.with_senders(Senders::Responder)],
            None,
        )
        .unwrap();
    // Both requests cross.
    let reg = registry();
    let from_romeo: Vec<Iq> = std::iter::from_fn(|| romeo.poll_transmit()).collect();
    let from_juliet: Vec<Iq> = std::iter::from_fn(|| juliet.poll_transmit()).collect();
    for iq in &from_juliet {
        romeo.handle_iq(
            t0(),
            &Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap(),
        );
    }
    for iq in &from_romeo {
        juliet.handle_iq(
            t0(),
            &Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap(),
        );
    }
    let romeo_reply = romeo.poll_transmit().unwrap();
    assert_eq!(jingle_error(&romeo_reply), Some(JingleError::TieBreak));
    assert_eq!(
        romeo_reply.error.as_ref().unwrap().condition,
        DefinedCondition::Conflict
    );
    juliet.handle_iq(t0(), &romeo_reply);
    let juliet_reply = juliet.poll_transmit().unwrap();
    assert_eq!(juliet_reply.type_, IqType::Result);
    romeo.handle_iq(t0(), &juliet_reply);
    settle(&mut romeo, &mut juliet);
    assert_eq!(
        names(&romeo, "s"),
        vec![(Creator::Initiator, "voice".to_string(), Senders::Initiator)]
    );
    assert_eq!(names(&romeo, "s"), names(&juliet, "s"));
}

#[test]
fn simultaneous_initiates_lower_sid_wins() {
    let (mut romeo, mut juliet) = pair();
    ring(&mut romeo, t0(), jid(JULIET), "b-romeo");
    ring(&mut juliet, t0(), jid(ROMEO), "a-juliet");
    let reg = registry();
    let r: Vec<Iq> = std::iter::from_fn(|| romeo.poll_transmit()).collect();
    let j: Vec<Iq> = std::iter::from_fn(|| juliet.poll_transmit()).collect();
    for iq in &j {
        romeo.handle_iq(
            t0(),
            &Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap(),
        );
    }
    for iq in &r {
        juliet.handle_iq(
            t0(),
            &Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap(),
        );
    }
    // Juliet's id sorts first: Romeo acknowledges hers, she refuses his.
    let juliet_reply = juliet.poll_transmit().unwrap();
    assert_eq!(jingle_error(&juliet_reply), Some(JingleError::TieBreak));
    romeo.handle_iq(t0(), &juliet_reply);
    settle(&mut romeo, &mut juliet);
    assert_eq!(sess(&romeo, "b-romeo").state(), State::Ended);
    assert!(juliet.session(&jid(ROMEO), "b-romeo").is_none());
    assert_eq!(sess(&romeo, "a-juliet").role(), Role::Responder);
    assert_eq!(sess(&juliet, "a-juliet").role(), Role::Initiator);
}

#[test]
fn simultaneous_initiates_with_equal_ids_lower_jid_wins() {
    let (mut romeo, mut juliet) = pair();
    ring(&mut romeo, t0(), jid(JULIET), "same");
    ring(&mut juliet, t0(), jid(ROMEO), "same");
    let reg = registry();
    let r: Vec<Iq> = std::iter::from_fn(|| romeo.poll_transmit()).collect();
    let j: Vec<Iq> = std::iter::from_fn(|| juliet.poll_transmit()).collect();
    for iq in &j {
        romeo.handle_iq(
            t0(),
            &Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap(),
        );
    }
    for iq in &r {
        juliet.handle_iq(
            t0(),
            &Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap(),
        );
    }
    settle(&mut romeo, &mut juliet);
    // "juliet@…" sorts before "romeo@…": Juliet's initiate wins.
    assert_eq!(sess(&romeo, "same").role(), Role::Responder);
    assert_eq!(sess(&juliet, "same").role(), Role::Initiator);
    assert_eq!(sess(&romeo, "same").state(), State::Pending);
    assert_eq!(sess(&juliet, "same").state(), State::Pending);
}

#[test]
fn errors_for_unknown_sessions_order_and_info() {
    let (mut romeo, mut juliet) = active_call();
    let req = |action: &str, sid: &str, inner: &str| request(JULIET, "q", action, sid, inner);
    let answer = |romeo: &mut Endpoint, iq: Iq| {
        romeo.handle_iq(t0(), &iq);
        romeo.poll_transmit().unwrap()
    };
    let r = answer(&mut romeo, req("session-info", "nope", ""));
    assert_eq!(jingle_error(&r), Some(JingleError::UnknownSession));
    assert_eq!(r.error.unwrap().condition, DefinedCondition::ItemNotFound);
    let r = answer(&mut romeo, req("session-accept", "s", ""));
    assert_eq!(jingle_error(&r), Some(JingleError::OutOfOrder));
    let r = answer(
        &mut romeo,
        req("session-info", "s", "<x xmlns='urn:example:unknown'/>"),
    );
    assert_eq!(jingle_error(&r), Some(JingleError::UnsupportedInfo));
    assert_eq!(
        r.error.unwrap().condition,
        DefinedCondition::FeatureNotImplemented
    );
    // An empty session-info is a ping.
    let r = answer(&mut romeo, req("session-info", "s", ""));
    assert_eq!(r.type_, IqType::Result);
    let r = answer(
        &mut romeo,
        req(
            "session-info",
            "s",
            "<hold xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>",
        ),
    );
    assert_eq!(r.type_, IqType::Result);
    // A request from someone else about our session is unknown to us.
    let mut other = req("session-info", "s", "");
    other.from = Some("iago@verona.example/x".parse().unwrap());
    let r = answer(&mut romeo, other);
    assert_eq!(jingle_error(&r), Some(JingleError::UnknownSession));
    // The answers are addressed back.
    assert_eq!(r.to.unwrap().to_string(), "iago@verona.example/x");
    let _ = &mut juliet;
}

#[test]
fn caller_actions_are_checked() {
    let (mut romeo, _juliet) = active_call();
    use crate::SessionError as E;
    assert_eq!(
        romeo.accept(t0(), &peer_of(&romeo), "s", vec![]),
        Err(E::WrongState {
            action: "accept",
            role: Role::Initiator,
            state: State::Active
        })
    );
    assert_eq!(
        romeo.accept(t0(), &peer_of(&romeo), "zz", vec![]),
        Err(E::UnknownSession)
    );
    assert_eq!(
        romeo.content_action(
            t0(),
            &peer_of(&romeo),
            "s",
            Action::ContentAdd,
            vec![audio(Creator::Responder, "v")],
            None
        ),
        Err(E::UnknownContent)
    );
    assert_eq!(
        romeo.content_action(
            t0(),
            &peer_of(&romeo),
            "s",
            Action::ContentAdd,
            vec![audio(Creator::Initiator, "voice")],
            None
        ),
        Err(E::DuplicateContent)
    );
    assert_eq!(
        romeo.content_action(
            t0(),
            &peer_of(&romeo),
            "s",
            Action::ContentAccept,
            vec![audio(Creator::Responder, "v")],
            None
        ),
        Err(E::UnknownContent)
    );
    assert_eq!(
        romeo.content_action(
            t0(),
            &peer_of(&romeo),
            "s",
            Action::SessionAccept,
            vec![audio(Creator::Initiator, "voice")],
            None
        ),
        Err(E::WrongState {
            action: "send this action in",
            role: Role::Initiator,
            state: State::Active
        })
    );
    assert_eq!(
        romeo.initiate(t0(), jid(JULIET), "s", vec![]),
        Err(E::DuplicateSession)
    );
    // One negotiation at a time per content.
    let raw =
        Content::new(Creator::Initiator, "voice").with(Payload::new(raw_udp::Transport::default()));
    romeo
        .content_action(
            t0(),
            &peer_of(&romeo),
            "s",
            Action::TransportReplace,
            vec![raw.clone()],
            None,
        )
        .unwrap();
    assert_eq!(
        romeo.content_action(
            t0(),
            &peer_of(&romeo),
            "s",
            Action::TransportReplace,
            vec![raw],
            None
        ),
        Err(E::Busy)
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
    #[test]
    fn simulation_keeps_its_invariants(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
        crate::sim::fuzz(std::time::Instant::now(), &data);
    }
}

#[test]
fn file_transfer_session_info_is_understood() {
    use crate::file_transfer::{Checksum, File, Received};
    let (mut romeo, mut juliet) = active_call();
    let checksum = Checksum {
        creator: Creator::Initiator,
        name: "voice".into(),
        file: File {
            hashes: vec![xep_hashes::Hash::compute(xep_hashes::Algo::Sha256, b"data").unwrap()],
            ..File::default()
        },
    };
    romeo
        .session_info(t0(), &peer_of(&romeo), "s", vec![Payload::new(checksum)])
        .unwrap();
    juliet
        .session_info(
            t0(),
            &peer_of(&juliet),
            "s",
            vec![Payload::new(Received {
                creator: Creator::Initiator,
                name: "voice".into(),
            })],
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    for e in [&mut romeo, &mut juliet] {
        let ev = events(e);
        assert!(ev.iter().any(|e| matches!(
            e,
            Event::Answered {
                error: None,
                action: Action::SessionInfo,
                ..
            }
        )));
        assert!(ev.iter().any(
            |e| matches!(e, Event::Received { jingle, .. } if jingle.action == Action::SessionInfo)
        ));
    }
}

/// The text of an error reply.
fn error_text(iq: &Iq) -> String {
    iq.error
        .as_ref()
        .and_then(|e| e.texts.first())
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

/// A request from `from` to Romeo, parsed with the registry.
fn request(from: &str, id: &str, action: &str, sid: &str, inner: &str) -> Iq {
    Iq::from_xml_with(
        format!(
            "<iq xmlns='jabber:client' from='{from}' to='{ROMEO}' id='{id}' type='set'>\
             <jingle xmlns='urn:xmpp:jingle:1' action='{action}' sid='{sid}'>{inner}</jingle></iq>"
        )
        .as_bytes(),
        &registry(),
    )
    .unwrap()
}

/// Hands `iq` to `e` at `now` and returns its reply.
fn answer_at(e: &mut Endpoint, now: Instant, iq: &Iq) -> Iq {
    assert!(e.handle_iq(now, iq));
    let reply = e.poll_transmit().expect("a reply");
    assert_eq!(reply.id, iq.id);
    reply
}

/// Delivers every queued iq to the endpoint it is addressed to, until
/// nothing is left.
fn route(eps: &mut [&mut Endpoint]) {
    let reg = registry();
    loop {
        let mut sent = Vec::new();
        for e in eps.iter_mut() {
            sent.extend(std::iter::from_fn(|| e.poll_transmit()));
        }
        if sent.is_empty() {
            break;
        }
        for iq in sent {
            let to = iq.to.clone().expect("addressed");
            let back = Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap();
            let e = eps
                .iter_mut()
                .find(|e| *e.local() == to)
                .unwrap_or_else(|| panic!("sent to {to}, not an endpoint"));
            assert!(e.handle_iq(t0(), &back), "{to} ignored {}", iq.to_xml());
        }
    }
}

#[test]
fn two_peers_with_the_same_sid_have_two_sessions() {
    let mut romeo = Endpoint::new(jid(ROMEO));
    let mut juliet = Endpoint::new(jid(JULIET));
    let mut iago = Endpoint::new(jid(IAGO));
    for e in [&mut juliet, &mut iago] {
        ring(e, t0(), jid(ROMEO), "same");
    }
    route(&mut [&mut romeo, &mut juliet, &mut iago]);
    let incoming: Vec<Jid> = events(&mut romeo)
        .into_iter()
        .filter_map(|e| match e {
            Event::Incoming { peer, sid, .. } if sid == "same" => Some(peer),
            _ => None,
        })
        .collect();
    assert_eq!(incoming, vec![jid(JULIET), jid(IAGO)]);
    assert_eq!(romeo.sessions().count(), 2);
    // Romeo accepts Juliet's and declines Iago's: each session follows
    // its own peer.
    romeo.accept(t0(), &jid(JULIET), "same", vec![]).unwrap();
    romeo
        .terminate(
            t0(),
            &jid(IAGO),
            "same",
            Some(Reason::new(ReasonCondition::Decline)),
        )
        .unwrap();
    route(&mut [&mut romeo, &mut juliet, &mut iago]);
    assert_eq!(
        romeo.session(&jid(JULIET), "same").unwrap().state(),
        State::Active
    );
    assert_eq!(
        romeo.session(&jid(IAGO), "same").unwrap().state(),
        State::Ended
    );
    assert_eq!(
        juliet.session(&jid(ROMEO), "same").unwrap().state(),
        State::Active
    );
    assert_eq!(
        iago.session(&jid(ROMEO), "same").unwrap().state(),
        State::Ended
    );
    // Romeo can start sessions with one id towards two peers as well.
    for peer in [JULIET, IAGO] {
        ring(&mut romeo, t0(), jid(peer), "mine");
    }
    assert_eq!(
        romeo.initiate(
            t0(),
            jid(IAGO),
            "mine",
            vec![audio(Creator::Initiator, "voice")]
        ),
        Err(crate::SessionError::DuplicateSession)
    );
}

#[test]
fn a_third_party_quoting_a_sid_gets_unknown_session() {
    let (mut romeo, _juliet) = active_call();
    for action in ["session-terminate", "session-info", "content-remove"] {
        let iq = request(
            IAGO,
            "i1",
            action,
            "s",
            "<content creator='initiator' name='voice'/>",
        );
        let r = answer_at(&mut romeo, t0(), &iq);
        assert_eq!(r.type_, IqType::Error, "{action} from a third party");
        assert_eq!(
            r.error.as_ref().unwrap().condition,
            DefinedCondition::ItemNotFound
        );
        assert_eq!(jingle_error(&r), Some(JingleError::UnknownSession));
        assert_eq!(r.to, Some(jid(IAGO)));
    }
    // Romeo's session with Juliet is untouched.
    assert_eq!(sess(&romeo, "s").state(), State::Active);
    assert_eq!(names(&romeo, "s").len(), 1);
    assert!(events(&mut romeo).is_empty());
}

#[test]
fn unanswered_initiate_times_out_and_ends_the_session() {
    let (mut romeo, mut juliet) = pair();
    let id = ring(&mut romeo, t0(), jid(JULIET), "call");
    let initiate = romeo.poll_transmit().unwrap();
    assert_eq!(romeo.poll_timeout(), Some(secs(30)));
    romeo.handle_timeout(secs(29));
    assert!(events(&mut romeo).is_empty());
    assert_eq!(sess(&romeo, "call").state(), State::Pending);

    romeo.handle_timeout(secs(30));
    let timeout = Reason::new(ReasonCondition::Timeout);
    assert_eq!(
        events(&mut romeo),
        vec![
            Event::TimedOut {
                peer: jid(JULIET),
                sid: "call".into(),
                id: id.clone(),
                action: Action::SessionInitiate,
            },
            Event::StateChanged {
                peer: jid(JULIET),
                sid: "call".into(),
                state: State::Ended,
                reason: Some(timeout.clone()),
            },
        ]
    );
    assert_eq!(sess(&romeo, "call").state(), State::Ended);
    // The peer is told, with <timeout/>.
    let terminate = romeo.poll_transmit().unwrap();
    assert!(terminate.to_xml().contains("action='session-terminate'"));
    assert!(terminate.to_xml().contains("<reason><timeout/></reason>"));
    assert_eq!(terminate.to, Some(jid(JULIET)));
    // The only timer left is the terminate's own request timeout.
    assert_eq!(romeo.poll_timeout(), Some(secs(60)));

    // The initiate reaches Juliet late, then the terminate: she ends too.
    let ack = answer_at(&mut juliet, secs(31), &initiate);
    juliet.handle_iq(secs(31), &terminate);
    assert_eq!(sess(&juliet, "call").state(), State::Ended);
    let ev = events(&mut juliet);
    assert!(ev.contains(&Event::StateChanged {
        peer: jid(ROMEO),
        sid: "call".into(),
        state: State::Ended,
        reason: Some(timeout),
    }));
    // The late acknowledgement is not taken as an answer.
    assert!(!romeo.handle_iq(secs(32), &ack));
    assert!(events(&mut romeo).is_empty());
}

#[test]
fn unanswered_accept_times_out_and_ends_the_session() {
    let (mut romeo, mut juliet) = pair();
    ring(&mut romeo, t0(), jid(JULIET), "call");
    settle(&mut romeo, &mut juliet);
    juliet
        .accept(secs(10), &jid(ROMEO), "call", vec![])
        .unwrap();
    let _lost = juliet.poll_transmit().unwrap();
    // Juliet runs no ring timer: only her accept's request timer.
    assert_eq!(juliet.poll_timeout(), Some(secs(40)));
    events(&mut juliet);
    juliet.handle_timeout(secs(40));
    let ev = events(&mut juliet);
    assert!(matches!(
        &ev[0],
        Event::TimedOut {
            action: Action::SessionAccept,
            ..
        }
    ));
    assert!(
        matches!(&ev[1], Event::StateChanged { state: State::Ended, reason: Some(r), .. }
        if r.condition == ReasonCondition::Timeout)
    );
    let terminate = juliet.poll_transmit().unwrap();
    assert!(terminate.to_xml().contains("<reason><timeout/></reason>"));
}

#[test]
fn unanswered_content_add_times_out_and_the_session_goes_on() {
    let (mut romeo, mut juliet) = active_call();
    let screen = audio(Creator::Initiator, "screen");
    let id = romeo
        .content_action(
            secs(100),
            &jid(JULIET),
            "s",
            Action::ContentAdd,
            vec![screen.clone()],
            None,
        )
        .unwrap();
    let _lost = romeo.poll_transmit().unwrap();
    // Busy until answered or timed out.
    assert_eq!(
        romeo.content_action(
            secs(101),
            &jid(JULIET),
            "s",
            Action::ContentAdd,
            vec![screen.clone()],
            None
        ),
        Err(crate::SessionError::Busy)
    );
    assert_eq!(romeo.poll_timeout(), Some(secs(130)));
    romeo.handle_timeout(secs(130));
    assert_eq!(
        events(&mut romeo),
        vec![Event::TimedOut {
            peer: jid(JULIET),
            sid: "s".into(),
            id,
            action: Action::ContentAdd,
        }]
    );
    // Nothing sent, the session is as it was and the content free again.
    assert!(romeo.poll_transmit().is_none());
    assert_eq!(sess(&romeo, "s").state(), State::Active);
    assert_eq!(sess(&romeo, "s").proposed().count(), 0);
    assert_eq!(romeo.poll_timeout(), None);
    romeo
        .content_action(
            secs(131),
            &jid(JULIET),
            "s",
            Action::ContentAdd,
            vec![screen],
            None,
        )
        .unwrap();
    let reg = registry();
    while let Some(iq) = romeo.poll_transmit() {
        juliet.handle_iq(
            secs(131),
            &Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap(),
        );
    }
    while let Some(iq) = juliet.poll_transmit() {
        romeo.handle_iq(secs(132), &iq);
    }
    assert_eq!(sess(&romeo, "s").proposed().count(), 1);
    assert_eq!(sess(&juliet, "s").offered().count(), 1);
}

#[test]
fn ring_timeout_terminates_a_pending_session() {
    let (mut romeo, mut juliet) = pair();
    ring(&mut romeo, t0(), jid(JULIET), "call");
    settle(&mut romeo, &mut juliet); // acknowledged, not accepted
    events(&mut romeo);
    assert_eq!(romeo.poll_timeout(), Some(secs(60)));
    romeo.handle_timeout(secs(59));
    assert!(romeo.poll_transmit().is_none());
    romeo.handle_timeout(secs(60));
    assert_eq!(
        events(&mut romeo),
        vec![Event::StateChanged {
            peer: jid(JULIET),
            sid: "call".into(),
            state: State::Ended,
            reason: Some(Reason::new(ReasonCondition::Timeout)),
        }]
    );
    let terminate = romeo.poll_transmit().unwrap();
    assert!(terminate.to_xml().contains("action='session-terminate'"));
    assert!(terminate.to_xml().contains("<reason><timeout/></reason>"));
    // Juliet's accept, sent before the terminate arrived, finds the
    // session ended.
    juliet
        .accept(secs(60), &jid(ROMEO), "call", vec![])
        .unwrap();
    let accept = juliet.poll_transmit().unwrap();
    let r = answer_at(&mut romeo, secs(61), &accept);
    assert_eq!(jingle_error(&r), Some(JingleError::UnknownSession));
    juliet.handle_iq(secs(61), &terminate);
    juliet.handle_iq(secs(61), &r);
    assert_eq!(sess(&juliet, "call").state(), State::Ended);
    assert_eq!(sess(&romeo, "call").state(), State::Ended);
}

#[test]
fn answers_cancel_the_timers() {
    let (mut romeo, mut juliet) = pair();
    ring(&mut romeo, t0(), jid(JULIET), "call");
    settle(&mut romeo, &mut juliet);
    juliet.accept(secs(5), &jid(ROMEO), "call", vec![]).unwrap();
    settle(&mut romeo, &mut juliet);
    assert_eq!(romeo.poll_timeout(), None);
    assert_eq!(juliet.poll_timeout(), None);
    events(&mut romeo);
    events(&mut juliet);
    // Long after every deadline, nothing happens.
    for e in [&mut romeo, &mut juliet] {
        e.handle_timeout(secs(3600));
        assert!(e.poll_transmit().is_none());
        assert!(events(e).is_empty());
    }
    assert_eq!(sess(&romeo, "call").state(), State::Active);
    assert_eq!(sess(&juliet, "call").state(), State::Active);
}

#[test]
fn poll_timeout_is_the_earliest_deadline() {
    let config = Config {
        request_timeout: Duration::from_secs(10),
        ring_timeout: Duration::from_secs(25),
        linger: Duration::from_secs(30),
    };
    let mut romeo = Endpoint::with_config(jid(ROMEO), config);
    let mut juliet = Endpoint::with_config(jid(JULIET), config);
    assert_eq!(romeo.poll_timeout(), None);
    ring(&mut romeo, t0(), jid(JULIET), "call");
    // The initiate's request timer before the ring timer.
    assert_eq!(romeo.poll_timeout(), Some(secs(10)));
    let initiate = romeo.poll_transmit().unwrap();
    let ack = answer_at(&mut juliet, secs(1), &initiate);
    assert!(romeo.handle_iq(secs(2), &ack));
    assert_eq!(romeo.poll_timeout(), Some(secs(25)));
    // A ping at 20 s: its deadline (30 s) comes after the ring's.
    romeo
        .session_info(secs(20), &jid(JULIET), "call", vec![])
        .unwrap();
    assert_eq!(romeo.poll_timeout(), Some(secs(25)));
    // A second session initiated at 12 s: its initiate (22 s) comes first.
    ring(&mut romeo, secs(12), jid(JULIET), "other");
    assert_eq!(romeo.poll_timeout(), Some(secs(22)));
    // Firing at 25 s: the second initiate (22 s) and the ring (25 s)
    // expire; the terminates they send are due at 35 s; the ping at 30 s.
    romeo.handle_timeout(secs(25));
    let t = romeo.poll_timeout().unwrap();
    assert!(t > secs(25));
    assert_eq!(t, secs(30));
    let ev = events(&mut romeo);
    let timed_out: Vec<Action> = ev
        .iter()
        .filter_map(|e| match e {
            Event::TimedOut { action, .. } => Some(*action),
            _ => None,
        })
        .collect();
    assert_eq!(timed_out, vec![Action::SessionInitiate]);
    assert_eq!(sess(&romeo, "call").state(), State::Ended);
    assert_eq!(sess(&romeo, "other").state(), State::Ended);
    romeo.handle_timeout(secs(35));
    // What is left: the linger of the two sessions, ended at 25 s.
    assert_eq!(romeo.poll_timeout(), Some(secs(55)));
    romeo.handle_timeout(secs(55));
    assert_eq!(romeo.poll_timeout(), None);
    assert_eq!(romeo.sessions().count(), 0);
}

/// Juliet's request `action` on the active call "s" with `inner`, and
/// Romeo's reply.
fn juliet_asks(romeo: &mut Endpoint, id: &str, action: &str, inner: &str) -> Iq {
    answer_at(romeo, t0(), &request(JULIET, id, action, "s", inner))
}

/// `<content creator='initiator' name='voice'>` around `inner`.
fn voice(inner: &str) -> String {
    format!("<content creator='initiator' name='voice'>{inner}</content>")
}

/// Whether `e` was told that its request `action` was refused with
/// feature-not-implemented.
fn refused_as_not_implemented(e: &mut Endpoint, action: Action) -> bool {
    events(e).iter().any(|ev| {
        matches!(
            ev,
            Event::Answered { action: a, error: Some(err), .. }
                if *a == action && err.condition == DefinedCondition::FeatureNotImplemented
        )
    })
}

/// Asserts that `r` is feature-not-implemented with `<unsupported-info/>`
/// and a text mentioning `mention`.
fn assert_unsupported_info(r: &Iq, mention: &str) {
    assert_eq!(
        jingle_error(r),
        Some(JingleError::UnsupportedInfo),
        "{}",
        error_text(r)
    );
    assert_eq!(
        r.error.as_ref().unwrap().condition,
        DefinedCondition::FeatureNotImplemented
    );
    assert!(
        error_text(r).contains(mention),
        "{mention} not in {}",
        error_text(r)
    );
}

#[test]
fn transport_info_of_another_transport_is_unsupported_info() {
    let (mut romeo, mut juliet) = active_call();
    let ice = "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='a' pwd='b'/>";
    let raw = "<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'/>";
    let unknown = "<x xmlns='urn:example:unknown'/>";
    // The negotiated transport: understood.
    let r = juliet_asks(&mut romeo, "t1", "transport-info", &voice(ice));
    assert_eq!(r.type_, IqType::Result);
    for (id, inner, mention) in [
        // Another transport method.
        ("t2", voice(raw), "raw-udp"),
        // An unknown element next to the transport, or under <jingle/>.
        (
            "t3",
            voice(&format!("{ice}{unknown}")),
            "urn:example:unknown",
        ),
        (
            "t4",
            format!("{}{unknown}", voice(ice)),
            "urn:example:unknown",
        ),
        // An element of the transport's namespace that is not <transport/>.
        (
            "t5",
            voice(&format!(
                "{ice}<extra xmlns='urn:xmpp:jingle:transports:ice-udp:1'/>"
            )),
            "extra",
        ),
    ] {
        assert_unsupported_info(
            &juliet_asks(&mut romeo, id, "transport-info", &inner),
            mention,
        );
    }
    // No transport at all: nothing to inform of.
    let r = juliet_asks(&mut romeo, "t6", "transport-info", &voice(""));
    assert_eq!(
        r.error.as_ref().unwrap().condition,
        DefinedCondition::BadRequest
    );
    assert!(error_text(&r).contains("no <transport/>"));
    assert!(sess(&romeo, "s").is_settled());

    // Through the API: Juliet's wrong transport-info is refused by Romeo.
    let cand =
        Content::new(Creator::Initiator, "voice").with(Payload::new(raw_udp::Transport::default()));
    events(&mut juliet);
    juliet
        .content_action(
            t0(),
            &jid(ROMEO),
            "s",
            Action::TransportInfo,
            vec![cand],
            None,
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    assert!(refused_as_not_implemented(
        &mut juliet,
        Action::TransportInfo
    ));
}

#[test]
fn transport_info_for_a_proposed_replacement_is_understood() {
    let (mut romeo, mut juliet) = active_call();
    let raw =
        Content::new(Creator::Initiator, "voice").with(Payload::new(raw_udp::Transport::default()));
    juliet
        .content_action(
            t0(),
            &jid(ROMEO),
            "s",
            Action::TransportReplace,
            vec![raw.clone()],
            None,
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    // While the replace is pending both methods are understood.
    for (id, inner) in [
        (
            "r1",
            "<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'/>",
        ),
        (
            "r2",
            "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'/>",
        ),
    ] {
        let r = juliet_asks(&mut romeo, id, "transport-info", &voice(inner));
        assert_eq!(r.type_, IqType::Result, "{inner}: {}", error_text(&r));
    }
    // Once rejected, only the negotiated one.
    romeo
        .content_action(
            t0(),
            &jid(JULIET),
            "s",
            Action::TransportReject,
            vec![raw],
            None,
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    let r = juliet_asks(
        &mut romeo,
        "r3",
        "transport-info",
        &voice("<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'/>"),
    );
    assert_unsupported_info(&r, "raw-udp");
}

#[test]
fn description_info_with_unknown_payloads_is_unsupported_info() {
    let (mut romeo, _juliet) = active_call();
    let rtp_desc = "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>\
                    <payload-type id='111' name='opus' clockrate='48000'/></description>";
    let r = juliet_asks(&mut romeo, "d1", "description-info", &voice(rtp_desc));
    assert_eq!(r.type_, IqType::Result, "{}", error_text(&r));
    for (id, inner, mention) in [
        // Another application format.
        (
            "d2",
            "<description xmlns='urn:xmpp:jingle:apps:file-transfer:5'>\
             <file><name>a.txt</name></file></description>"
                .to_string(),
            "file-transfer",
        ),
        // Something else than a description next to it.
        (
            "d3",
            format!("{rtp_desc}<x xmlns='urn:example:unknown'/>"),
            "urn:example:unknown",
        ),
    ] {
        assert_unsupported_info(
            &juliet_asks(&mut romeo, id, "description-info", &voice(&inner)),
            mention,
        );
    }
    // No description: bad request.
    let r = juliet_asks(&mut romeo, "d4", "description-info", &voice(""));
    assert_eq!(
        r.error.as_ref().unwrap().condition,
        DefinedCondition::BadRequest
    );
}

#[test]
fn session_info_with_an_unknown_payload_is_unsupported_info() {
    let (mut romeo, mut juliet) = active_call();
    let r = juliet_asks(
        &mut romeo,
        "i1",
        "session-info",
        "<ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'/><x xmlns='urn:example:unknown'/>",
    );
    assert_unsupported_info(&r, "urn:example:unknown");
    // Through the API, the sender sees the refusal.
    events(&mut juliet);
    juliet
        .session_info(
            t0(),
            &jid(ROMEO),
            "s",
            vec![Payload::Raw(
                "<x xmlns='urn:example:unknown'/>".parse().unwrap(),
            )],
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    assert!(refused_as_not_implemented(&mut juliet, Action::SessionInfo));
}

#[test]
fn huge_timeouts_disable_the_timers() {
    let config = Config {
        request_timeout: Duration::MAX,
        ring_timeout: Duration::MAX,
        linger: Duration::MAX,
    };
    let mut romeo = Endpoint::with_config(jid(ROMEO), config);
    ring(&mut romeo, t0(), jid(JULIET), "call");
    assert_eq!(romeo.poll_timeout(), None);
    romeo.handle_timeout(secs(1_000_000));
    assert_eq!(sess(&romeo, "call").state(), State::Pending);
    assert!(romeo.has_outstanding());
    // An ended session is kept for ever.
    romeo
        .terminate(secs(1_000_000), &jid(JULIET), "call", None)
        .unwrap();
    assert_eq!(romeo.poll_timeout(), None);
    romeo.handle_timeout(secs(2_000_000));
    assert_eq!(sess(&romeo, "call").state(), State::Ended);
}

/// Sends everything `from` has queued to `to` at `now`, through bytes.
fn deliver_at(from: &mut Endpoint, to: &mut Endpoint, now: Instant) -> usize {
    let reg = registry();
    let mut n = 0;
    while let Some(iq) = from.poll_transmit() {
        let back = Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap();
        to.handle_iq(now, &back);
        n += 1;
    }
    n
}

/// Delivers in both directions at `now` until nothing is left.
fn settle_at(a: &mut Endpoint, b: &mut Endpoint, now: Instant) {
    while deliver_at(a, b, now) + deliver_at(b, a, now) > 0 {}
}

/// Two endpoints with `config` and an active call "s" (Romeo initiated it
/// at 0 s, Juliet accepted at 1 s), events drained.
fn active_call_with(config: Config) -> (Endpoint, Endpoint) {
    let mut romeo = Endpoint::with_config(jid(ROMEO), config);
    let mut juliet = Endpoint::with_config(jid(JULIET), config);
    ring(&mut romeo, secs(0), jid(JULIET), "s");
    settle_at(&mut romeo, &mut juliet, secs(0));
    juliet.accept(secs(1), &jid(ROMEO), "s", vec![]).unwrap();
    settle_at(&mut romeo, &mut juliet, secs(1));
    assert_eq!(sess(&romeo, "s").state(), State::Active);
    events(&mut romeo);
    events(&mut juliet);
    (romeo, juliet)
}

const MS: Duration = Duration::from_millis(1);

#[test]
fn an_ended_session_is_forgotten_after_the_linger_period() {
    let config = Config {
        request_timeout: Duration::from_secs(10),
        linger: Duration::from_secs(30),
        ..Config::default()
    };
    let (mut romeo, mut juliet) = active_call_with(config);
    romeo
        .terminate(
            secs(10),
            &jid(JULIET),
            "s",
            Some(Reason::new(ReasonCondition::Success)),
        )
        .unwrap();
    // Ended at 10 s: the terminate's request timer (20 s) comes first.
    assert_eq!(romeo.poll_timeout(), Some(secs(20)));
    deliver_at(&mut romeo, &mut juliet, secs(11));
    assert_eq!(sess(&juliet, "s").state(), State::Ended);
    deliver_at(&mut juliet, &mut romeo, secs(12));
    // Answered: what is left is the linger, counted from the end.
    assert_eq!(romeo.poll_timeout(), Some(secs(40)));
    assert_eq!(juliet.poll_timeout(), Some(secs(41)));
    events(&mut romeo);
    events(&mut juliet);

    for (e, ended) in [(&mut romeo, secs(10)), (&mut juliet, secs(11))] {
        let linger = ended + config.linger;
        // Still there 1 ms before the end of the linger.
        e.handle_timeout(linger - MS);
        assert_eq!(sess(e, "s").state(), State::Ended);
        assert_eq!(e.sessions().count(), 1);
        assert_eq!(e.poll_timeout(), Some(linger));
        // Gone at it, silently, with no timer left.
        e.handle_timeout(linger);
        assert!(e.session(&peer_of(e), "s").is_none());
        assert_eq!(e.sessions().count(), 0);
        assert_eq!(e.poll_timeout(), None);
        assert!(!e.has_outstanding());
        assert!(events(e).is_empty());
        assert!(e.poll_transmit().is_none());
    }
}

#[test]
fn requests_about_an_ended_session_before_and_after_the_linger() {
    let (mut romeo, mut juliet) = active_call_with(Config::default());
    // Both hang up at 10 s, and Juliet pings: the requests cross.
    let romeo_terminate = romeo.terminate(secs(10), &jid(JULIET), "s", None).unwrap();
    juliet
        .session_info(secs(10), &jid(ROMEO), "s", vec![])
        .unwrap();
    juliet
        .terminate(
            secs(10),
            &jid(ROMEO),
            "s",
            Some(Reason::new(ReasonCondition::Success)),
        )
        .unwrap();
    let from_juliet: Vec<Iq> = std::iter::from_fn(|| juliet.poll_transmit()).collect();
    let from_romeo: Vec<Iq> = std::iter::from_fn(|| romeo.poll_transmit()).collect();
    assert_eq!((from_juliet.len(), from_romeo.len()), (2, 1));
    // While the session lingers, each side answers unknown-session "the
    // session has ended" (XEP-0166 §6.7), to the ping and to the crossing
    // session-terminate alike.
    for iq in &from_juliet {
        let r = answer_at(&mut romeo, secs(11), iq);
        assert_eq!(jingle_error(&r), Some(JingleError::UnknownSession));
        assert!(error_text(&r).contains("has ended"), "{}", error_text(&r));
        juliet.handle_iq(secs(11), &r);
    }
    let r = answer_at(&mut juliet, secs(11), &from_romeo[0]);
    assert_eq!(jingle_error(&r), Some(JingleError::UnknownSession));
    // The reply to Romeo's terminate is still recognised as its answer.
    events(&mut romeo);
    assert!(romeo.handle_iq(secs(12), &r));
    assert!(matches!(
        &events(&mut romeo)[..],
        [Event::Answered { id, action: Action::SessionTerminate, error: Some(_), .. }]
            if *id == romeo_terminate
    ));
    // A session-initiate quoting the id is not a new call yet.
    let initiate = request(
        JULIET,
        "again1",
        "session-initiate",
        "s",
        "<content creator='initiator' name='voice'>\
         <description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/></content>",
    );
    let r = answer_at(&mut romeo, secs(39), &initiate);
    assert_eq!(jingle_error(&r), Some(JingleError::OutOfOrder));
    assert!(error_text(&r).contains("just ended"), "{}", error_text(&r));
    assert_eq!(sess(&romeo, "s").role(), Role::Initiator);
    assert_eq!(romeo.sessions().count(), 1);

    // After the linger (ended at 10 s, forgotten at 40 s) the id is like
    // any unknown one...
    let ping = request(JULIET, "late1", "session-info", "s", "");
    let r = answer_at(&mut romeo, secs(40), &ping);
    assert_eq!(jingle_error(&r), Some(JingleError::UnknownSession));
    assert_eq!(
        r.error.as_ref().unwrap().condition,
        DefinedCondition::ItemNotFound
    );
    assert!(
        error_text(&r).contains("no session with this sender"),
        "{}",
        error_text(&r)
    );
    // ... and a session-initiate with it is a new call.
    let mut again = initiate.clone();
    again.id = "again2".into();
    let r = answer_at(&mut romeo, secs(41), &again);
    assert_eq!(r.type_, IqType::Result, "{}", error_text(&r));
    assert!(matches!(
        &events(&mut romeo)[..],
        [Event::Incoming { sid, .. }] if sid == "s"
    ));
    assert_eq!(sess(&romeo, "s").role(), Role::Responder);
    assert_eq!(sess(&romeo, "s").state(), State::Pending);
}

#[test]
fn forgetting_a_session_gives_up_its_unanswered_requests() {
    // A linger shorter than the request timeout.
    let config = Config {
        request_timeout: Duration::from_secs(30),
        linger: Duration::from_secs(5),
        ..Config::default()
    };
    let (mut romeo, mut juliet) = active_call_with(config);
    let id = romeo.terminate(secs(10), &jid(JULIET), "s", None).unwrap();
    let terminate = romeo.poll_transmit().unwrap();
    assert_eq!(romeo.poll_timeout(), Some(secs(15)));
    events(&mut romeo);
    romeo.handle_timeout(secs(15) - MS);
    assert!(events(&mut romeo).is_empty());
    assert!(romeo.has_outstanding());
    romeo.handle_timeout(secs(15));
    // The terminate is reported given up, once, with the session gone.
    assert_eq!(
        events(&mut romeo),
        vec![Event::TimedOut {
            peer: jid(JULIET),
            sid: "s".into(),
            id,
            action: Action::SessionTerminate,
        }]
    );
    assert!(!romeo.has_outstanding());
    assert_eq!(romeo.sessions().count(), 0);
    assert_eq!(romeo.poll_timeout(), None);
    // Its late acknowledgement is not taken as an answer.
    let ack = answer_at(&mut juliet, secs(16), &terminate);
    assert_eq!(ack.type_, IqType::Result);
    assert!(!romeo.handle_iq(secs(17), &ack));
    assert!(events(&mut romeo).is_empty());
    assert_eq!(sess(&juliet, "s").state(), State::Ended);
}

#[test]
fn a_session_id_can_be_reused_after_the_linger_period() {
    let config = Config::default();
    let (mut romeo, mut juliet) = pair();
    // First call "s": Juliet calls, Romeo answers, Juliet hangs up at 10 s.
    ring(&mut juliet, secs(0), jid(ROMEO), "s");
    settle_at(&mut juliet, &mut romeo, secs(0));
    romeo.accept(secs(1), &jid(JULIET), "s", vec![]).unwrap();
    settle_at(&mut romeo, &mut juliet, secs(1));
    juliet
        .terminate(
            secs(10),
            &jid(ROMEO),
            "s",
            Some(Reason::new(ReasonCondition::Success)),
        )
        .unwrap();
    settle_at(&mut juliet, &mut romeo, secs(10));
    assert_eq!(sess(&romeo, "s").state(), State::Ended);
    events(&mut romeo);
    events(&mut juliet);
    // Taken while it lingers.
    let forgotten = secs(10) + config.linger;
    assert_eq!(
        romeo.initiate(
            forgotten - MS,
            jid(JULIET),
            "s",
            vec![audio(Creator::Initiator, "voice")]
        ),
        Err(crate::SessionError::DuplicateSession)
    );
    // Free once forgotten: a whole new call, roles reversed.
    juliet.handle_timeout(forgotten);
    ring(&mut romeo, forgotten, jid(JULIET), "s");
    settle_at(&mut romeo, &mut juliet, forgotten);
    assert!(matches!(
        &events(&mut juliet)[..],
        [Event::Incoming { sid, .. }] if sid == "s"
    ));
    assert_eq!(sess(&romeo, "s").role(), Role::Initiator);
    assert_eq!(sess(&juliet, "s").role(), Role::Responder);
    juliet
        .accept(forgotten + MS, &jid(ROMEO), "s", vec![])
        .unwrap();
    settle_at(&mut romeo, &mut juliet, forgotten + MS);
    assert_eq!(sess(&romeo, "s").state(), State::Active);
    assert_eq!(sess(&juliet, "s").state(), State::Active);
    assert_eq!(names(&romeo, "s"), names(&juliet, "s"));
    let hangup = forgotten + Duration::from_secs(5);
    romeo
        .terminate(
            hangup,
            &jid(JULIET),
            "s",
            Some(Reason::new(ReasonCondition::Success)),
        )
        .unwrap();
    settle_at(&mut romeo, &mut juliet, hangup);
    assert_eq!(sess(&romeo, "s").state(), State::Ended);
    assert_eq!(sess(&juliet, "s").state(), State::Ended);
    assert!(!romeo.has_outstanding() && !juliet.has_outstanding());
    // And forgotten in turn.
    for e in [&mut romeo, &mut juliet] {
        e.handle_timeout(hangup + config.linger);
        assert_eq!(e.sessions().count(), 0);
        assert_eq!(e.poll_timeout(), None);
    }
}

#[test]
fn poll_timeout_includes_the_linger_deadline() {
    let config = Config {
        request_timeout: Duration::from_secs(10),
        ring_timeout: Duration::from_secs(60),
        linger: Duration::from_secs(30),
    };
    let (mut romeo, mut juliet) = active_call_with(config);
    // Juliet also calls Romeo ("b", ringing until 65 s); Romeo hangs up
    // "s" at 20 s.
    ring(&mut juliet, secs(5), jid(ROMEO), "b");
    settle_at(&mut juliet, &mut romeo, secs(5));
    assert_eq!(juliet.poll_timeout(), Some(secs(65)));
    romeo.terminate(secs(20), &jid(JULIET), "s", None).unwrap();
    settle_at(&mut romeo, &mut juliet, secs(20));
    // Juliet, who received the terminate, has no request of her own on
    // "s": her earliest timer is the linger of "s" (50 s), before the ring
    // of "b"; Romeo's is the linger of "s" too.
    assert_eq!(juliet.poll_timeout(), Some(secs(50)));
    assert_eq!(romeo.poll_timeout(), Some(secs(50)));
    juliet.handle_timeout(secs(50));
    assert!(juliet.session(&jid(ROMEO), "s").is_none());
    assert_eq!(juliet.poll_timeout(), Some(secs(65)));
    // With no linger at all, an ended session is due at once, and
    // forgetting it gives up its terminate.
    let (mut romeo, _juliet) = active_call_with(Config {
        linger: Duration::ZERO,
        ..config
    });
    let id = romeo.terminate(secs(20), &jid(JULIET), "s", None).unwrap();
    assert_eq!(romeo.poll_timeout(), Some(secs(20)));
    events(&mut romeo);
    romeo.handle_timeout(secs(20));
    assert_eq!(romeo.sessions().count(), 0);
    assert_eq!(romeo.poll_timeout(), None);
    assert!(matches!(
        &events(&mut romeo)[..],
        [Event::TimedOut { id: i, action: Action::SessionTerminate, .. }] if *i == id
    ));
}

#[test]
fn a_responder_runs_no_timer_on_a_pending_session() {
    let (mut romeo, mut juliet) = pair();
    ring(&mut romeo, secs(0), jid(JULIET), "call");
    settle_at(&mut romeo, &mut juliet, secs(0));
    assert!(matches!(
        &events(&mut juliet)[..],
        [Event::Incoming { sid, .. }] if sid == "call"
    ));
    // XEP-0166 leaves the answer to Juliet's user, for as long as she
    // takes: no timer, nothing sent, still pending long after.
    assert_eq!(juliet.poll_timeout(), None);
    juliet.handle_timeout(secs(100_000));
    assert_eq!(sess(&juliet, "call").state(), State::Pending);
    assert!(juliet.poll_transmit().is_none());
    assert!(events(&mut juliet).is_empty());
    // The initiator's ring timeout ends it, and then it lingers and goes.
    romeo.handle_timeout(secs(60));
    deliver_at(&mut romeo, &mut juliet, secs(100_001));
    assert_eq!(
        events(&mut juliet),
        vec![
            Event::Received {
                peer: jid(ROMEO),
                sid: "call".into(),
                jingle: crate::Jingle::new(Action::SessionTerminate, "call")
                    .with_reason(Reason::new(ReasonCondition::Timeout)),
            },
            Event::StateChanged {
                peer: jid(ROMEO),
                sid: "call".into(),
                state: State::Ended,
                reason: Some(Reason::new(ReasonCondition::Timeout)),
            }
        ]
    );
    let forgotten = secs(100_001) + juliet.config().linger;
    assert_eq!(juliet.poll_timeout(), Some(forgotten));
    juliet.handle_timeout(forgotten);
    assert_eq!(juliet.sessions().count(), 0);
}

#[test]
fn memory_stays_bounded_over_many_calls() {
    const CALLS: u64 = 1000;
    // A call starts every 7 s; the last one started at most (ring timeout
    // + linger + the few seconds a call lasts here) ago may still be known.
    const PERIOD: u64 = 7;
    let config = Config::default();
    let lifetime = config.ring_timeout + config.linger + Duration::from_secs(3);
    let bound = usize::try_from(lifetime.as_secs().div_ceil(PERIOD)).unwrap() + 1;
    let (mut romeo, mut juliet) = pair();
    let mut most = 0;
    for i in 0..CALLS {
        let base = secs(i * PERIOD);
        let sid = format!("call{i}");
        romeo
            .initiate(
                base,
                jid(JULIET),
                sid.as_str(),
                vec![audio(Creator::Initiator, "voice")],
            )
            .unwrap();
        settle_at(&mut romeo, &mut juliet, base);
        let t = base + Duration::from_secs(1);
        match i % 4 {
            // Answered, then one side hangs up.
            0 | 2 => {
                juliet.accept(t, &jid(ROMEO), &sid, vec![]).unwrap();
                settle_at(&mut romeo, &mut juliet, t);
                let (caller, callee) = if i % 4 == 0 {
                    (&mut romeo, &mut juliet)
                } else {
                    (&mut juliet, &mut romeo)
                };
                let end = t + Duration::from_secs(2);
                let peer = peer_of(caller);
                caller.terminate(end, &peer, &sid, None).unwrap();
                settle_at(caller, callee, end);
            }
            // Declined.
            1 => {
                juliet
                    .terminate(
                        t,
                        &jid(ROMEO),
                        &sid,
                        Some(Reason::new(ReasonCondition::Decline)),
                    )
                    .unwrap();
                settle_at(&mut juliet, &mut romeo, t);
            }
            // Never answered: Romeo's ring timeout ends it during a later
            // call (its terminate goes with that call's traffic).
            _ => {}
        }
        for e in [&mut romeo, &mut juliet] {
            events(e);
            let n = e.sessions().count();
            assert!(
                n <= bound,
                "{} holds {n} sessions after call {i}",
                e.local()
            );
            most = most.max(n);
        }
    }
    // Ended sessions did linger (the bound is not met trivially)...
    assert!(most > 1, "never more than {most} session at once");
    // ... and once every timer has passed, nothing is left.
    let end = secs(CALLS * PERIOD) + lifetime + config.request_timeout;
    romeo.handle_timeout(end);
    settle_at(&mut romeo, &mut juliet, end);
    let later = end + config.linger;
    for e in [&mut romeo, &mut juliet] {
        e.handle_timeout(later);
        assert_eq!(e.sessions().count(), 0, "{} keeps sessions", e.local());
        assert_eq!(e.poll_timeout(), None);
        assert!(!e.has_outstanding());
    }
}

#[test]
fn a_late_initiate_that_lost_an_equal_id_tie_break_opens_an_orphan() {
    // The documented cost of forgetting (Config::linger): both call with
    // the id "same"; Juliet's JID is lower, her call wins.
    let (mut romeo, mut juliet) = pair();
    for (e, peer) in [(&mut romeo, JULIET), (&mut juliet, ROMEO)] {
        ring(e, secs(0), jid(peer), "same");
    }
    // Romeo's initiate stays in transit; Juliet's goes through.
    let late = romeo.poll_transmit().unwrap();
    deliver_at(&mut juliet, &mut romeo, secs(0));
    deliver_at(&mut romeo, &mut juliet, secs(0));
    assert_eq!(sess(&romeo, "same").role(), Role::Responder);
    // Juliet hangs up; both forget the call after the linger.
    juliet
        .terminate(secs(1), &jid(ROMEO), "same", None)
        .unwrap();
    settle_at(&mut juliet, &mut romeo, secs(1));
    let forgotten = secs(1) + juliet.config().linger;
    for e in [&mut romeo, &mut juliet] {
        e.handle_timeout(forgotten);
        assert_eq!(e.sessions().count(), 0);
    }
    // Romeo's request timed out without a terminate (its session was
    // gone), so when it arrives Juliet takes it for a new call...
    let r = answer_at(&mut juliet, forgotten + MS, &late);
    assert_eq!(r.type_, IqType::Result);
    assert_eq!(sess(&juliet, "same").state(), State::Pending);
    assert!(!romeo.handle_iq(forgotten + MS, &r));
    // ... that Romeo does not have: her accept is refused, and her caller
    // ends it.
    juliet
        .accept(forgotten + MS, &jid(ROMEO), "same", vec![])
        .unwrap();
    events(&mut juliet);
    deliver_at(&mut juliet, &mut romeo, forgotten + MS);
    deliver_at(&mut romeo, &mut juliet, forgotten + MS);
    assert!(events(&mut juliet).iter().any(|e| matches!(
        e,
        Event::Answered { action: Action::SessionAccept, error: Some(err), .. }
            if err.condition == DefinedCondition::ItemNotFound
    )));
    assert_eq!(sess(&juliet, "same").state(), State::Pending);
    assert_eq!(juliet.poll_timeout(), None);
    juliet
        .terminate(
            forgotten + MS,
            &jid(ROMEO),
            "same",
            Some(Reason::new(ReasonCondition::Decline)),
        )
        .unwrap();
    assert_eq!(sess(&juliet, "same").state(), State::Ended);
}
