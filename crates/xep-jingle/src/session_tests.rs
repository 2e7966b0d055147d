//! Scripted sessions after the scenarios of XEP-0166 and XEP-0167 (our own
//! stanzas), and the simulation as a property.

use xep_core::{DefinedCondition, Iq, IqType};
use xep_element::{Payload, Registry, XmlElement};

use crate::jingle::{Action, Content, Creator, JingleError, Reason, ReasonCondition, Senders};
use crate::session::{Endpoint, Event, Role, State};
use crate::{ice_udp, raw_udp, rtp};

const ROMEO: &str = "romeo@verona.example/orchard";
const JULIET: &str = "juliet@verona.example/balcony";

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

/// Sends everything `from` has queued to `to`, through bytes; returns the
/// iqs as written.
fn deliver(from: &mut Endpoint, to: &mut Endpoint) -> Vec<Iq> {
    let reg = registry();
    let mut out = Vec::new();
    while let Some(iq) = from.poll_transmit() {
        let back = Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap();
        to.handle_iq(&back);
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
    e.session(sid)
        .unwrap()
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
    romeo
        .initiate(
            JULIET.parse().unwrap(),
            "call1",
            vec![audio(Creator::Initiator, "voice")],
        )
        .unwrap();
    let sent = deliver(&mut romeo, &mut juliet);
    assert!(sent[0].to_xml().contains("action='session-initiate'"));
    assert!(sent[0].to_xml().contains(&format!("initiator='{ROMEO}'")));
    let acks = deliver(&mut juliet, &mut romeo);
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].type_, IqType::Result);
    assert!(matches!(&events(&mut juliet)[..], [Event::Incoming { sid, .. }] if sid == "call1"));
    assert_eq!(juliet.session("call1").unwrap().role(), Role::Responder);

    // Ringing, then the answer.
    juliet
        .session_info("call1", vec![Payload::new(rtp::RtpInfo::Ringing)])
        .unwrap();
    juliet.accept("call1", vec![]).unwrap();
    settle(&mut romeo, &mut juliet);
    let ev = events(&mut romeo);
    assert!(ev.iter().any(
        |e| matches!(e, Event::Received { jingle, .. } if jingle.action == Action::SessionInfo)
    ));
    assert!(ev.contains(&Event::StateChanged {
        sid: "call1".into(),
        state: State::Active
    }));
    assert_eq!(juliet.session("call1").unwrap().state(), State::Active);
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
        .content_action("call1", Action::TransportInfo, vec![cand], None)
        .unwrap();
    romeo
        .terminate("call1", Some(Reason::new(ReasonCondition::Success)))
        .unwrap();
    assert_eq!(romeo.session("call1").unwrap().state(), State::Ended);
    settle(&mut romeo, &mut juliet);
    assert_eq!(juliet.session("call1").unwrap().state(), State::Ended);
    assert!(!romeo.has_outstanding() && !juliet.has_outstanding());
}

#[test]
fn declined_call() {
    let (mut romeo, mut juliet) = pair();
    romeo
        .initiate(
            JULIET.parse().unwrap(),
            "call2",
            vec![audio(Creator::Initiator, "voice")],
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    juliet
        .terminate("call2", Some(Reason::new(ReasonCondition::Decline)))
        .unwrap();
    let sent = deliver(&mut juliet, &mut romeo);
    assert!(sent[0].to_xml().contains("<reason><decline/></reason>"));
    assert_eq!(romeo.session("call2").unwrap().state(), State::Ended);
    let ev = events(&mut romeo);
    assert!(ev.iter().any(|e| matches!(e, Event::Received { jingle, .. }
        if jingle.reason.as_ref().map(|r| &r.condition) == Some(&ReasonCondition::Decline))));
    // Anything after the end is an unknown session.
    assert_eq!(
        juliet.accept("call2", vec![]),
        Err(crate::SessionError::WrongState)
    );
    romeo.session_info("call2", vec![]).unwrap_err();
}

fn active_call() -> (Endpoint, Endpoint) {
    let (mut romeo, mut juliet) = pair();
    romeo
        .initiate(
            JULIET.parse().unwrap(),
            "s",
            vec![audio(Creator::Initiator, "voice")],
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    juliet.accept("s", vec![]).unwrap();
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
        .content_action("s", Action::ContentAdd, vec![video.clone()], None)
        .unwrap();
    settle(&mut romeo, &mut juliet);
    assert_eq!(romeo.session("s").unwrap().offered().count(), 1);
    assert_eq!(juliet.session("s").unwrap().proposed().count(), 1);
    romeo
        .content_action("s", Action::ContentAccept, vec![video], None)
        .unwrap();
    settle(&mut romeo, &mut juliet);
    assert_eq!(names(&romeo, "s").len(), 2);
    assert_eq!(names(&romeo, "s"), names(&juliet, "s"));

    // Romeo adds a screen share; Juliet rejects it.
    let screen = audio(Creator::Initiator, "screen");
    romeo
        .content_action("s", Action::ContentAdd, vec![screen.clone()], None)
        .unwrap();
    settle(&mut romeo, &mut juliet);
    juliet
        .content_action(
            "s",
            Action::ContentReject,
            vec![screen],
            Some(Reason::new(ReasonCondition::Decline)),
        )
        .unwrap();
    settle(&mut romeo, &mut juliet);
    assert_eq!(names(&romeo, "s").len(), 2);
    assert_eq!(names(&romeo, "s"), names(&juliet, "s"));
    assert!(romeo.session("s").unwrap().is_settled());

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
    romeo.handle_iq(&bogus);
    let reply = romeo.poll_transmit().unwrap();
    assert_eq!(jingle_error(&reply), Some(JingleError::OutOfOrder));
    assert_eq!(
        reply.error.unwrap().condition,
        DefinedCondition::UnexpectedRequest
    );

    // Modify and remove.
    romeo
        .content_action(
            "s",
            Action::ContentModify,
            vec![Content::new(Creator::Initiator, "voice").with_senders(Senders::Initiator)],
            None,
        )
        .unwrap();
    juliet
        .content_action(
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
        .content_action("s", Action::TransportReplace, vec![raw.clone()], None)
        .unwrap();
    settle(&mut romeo, &mut juliet);
    romeo
        .content_action("s", Action::TransportReject, vec![raw.clone()], None)
        .unwrap();
    settle(&mut romeo, &mut juliet);
    let t = |e: &Endpoint| {
        e.session("s")
            .unwrap()
            .contents()
            .next()
            .unwrap()
            .transport_ns()
            .unwrap()
    };
    assert_eq!(t(&romeo), ice_udp::NS);
    assert_eq!(t(&juliet), ice_udp::NS);

    juliet
        .content_action("s", Action::TransportReplace, vec![raw.clone()], None)
        .unwrap();
    settle(&mut romeo, &mut juliet);
    romeo
        .content_action("s", Action::TransportAccept, vec![raw], None)
        .unwrap();
    settle(&mut romeo, &mut juliet);
    assert_eq!(t(&romeo), raw_udp::NS);
    assert_eq!(t(&juliet), raw_udp::NS);
    assert!(juliet.session("s").unwrap().is_settled());
}

#[test]
fn crossing_modifies_are_won_by_the_initiator() {
    let (mut romeo, mut juliet) = active_call();
    let voice = Content::new(Creator::Initiator, "voice");
    romeo
        .content_action(
            "s",
            Action::ContentModify,
            vec![voice.clone().with_senders(Senders::Initiator)],
            None,
        )
        .unwrap();
    juliet
        .content_action(
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
        romeo.handle_iq(&Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap());
    }
    for iq in &from_romeo {
        juliet.handle_iq(&Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap());
    }
    let romeo_reply = romeo.poll_transmit().unwrap();
    assert_eq!(jingle_error(&romeo_reply), Some(JingleError::TieBreak));
    assert_eq!(
        romeo_reply.error.as_ref().unwrap().condition,
        DefinedCondition::Conflict
    );
    juliet.handle_iq(&romeo_reply);
    let juliet_reply = juliet.poll_transmit().unwrap();
    assert_eq!(juliet_reply.type_, IqType::Result);
    romeo.handle_iq(&juliet_reply);
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
    romeo
        .initiate(
            JULIET.parse().unwrap(),
            "b-romeo",
            vec![audio(Creator::Initiator, "voice")],
        )
        .unwrap();
    juliet
        .initiate(
            ROMEO.parse().unwrap(),
            "a-juliet",
            vec![audio(Creator::Initiator, "voice")],
        )
        .unwrap();
    let reg = registry();
    let r: Vec<Iq> = std::iter::from_fn(|| romeo.poll_transmit()).collect();
    let j: Vec<Iq> = std::iter::from_fn(|| juliet.poll_transmit()).collect();
    for iq in &j {
        romeo.handle_iq(&Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap());
    }
    for iq in &r {
        juliet.handle_iq(&Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap());
    }
    // Juliet's id sorts first: Romeo acknowledges hers, she refuses his.
    let juliet_reply = juliet.poll_transmit().unwrap();
    assert_eq!(jingle_error(&juliet_reply), Some(JingleError::TieBreak));
    romeo.handle_iq(&juliet_reply);
    settle(&mut romeo, &mut juliet);
    assert_eq!(romeo.session("b-romeo").unwrap().state(), State::Ended);
    assert!(juliet.session("b-romeo").is_none());
    assert_eq!(romeo.session("a-juliet").unwrap().role(), Role::Responder);
    assert_eq!(juliet.session("a-juliet").unwrap().role(), Role::Initiator);
}

#[test]
fn simultaneous_initiates_with_equal_ids_lower_jid_wins() {
    let (mut romeo, mut juliet) = pair();
    romeo
        .initiate(
            JULIET.parse().unwrap(),
            "same",
            vec![audio(Creator::Initiator, "voice")],
        )
        .unwrap();
    juliet
        .initiate(
            ROMEO.parse().unwrap(),
            "same",
            vec![audio(Creator::Initiator, "voice")],
        )
        .unwrap();
    let reg = registry();
    let r: Vec<Iq> = std::iter::from_fn(|| romeo.poll_transmit()).collect();
    let j: Vec<Iq> = std::iter::from_fn(|| juliet.poll_transmit()).collect();
    for iq in &j {
        romeo.handle_iq(&Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap());
    }
    for iq in &r {
        juliet.handle_iq(&Iq::from_xml_with(iq.to_xml().as_bytes(), &reg).unwrap());
    }
    settle(&mut romeo, &mut juliet);
    // "juliet@…" sorts before "romeo@…": Juliet's initiate wins.
    assert_eq!(romeo.session("same").unwrap().role(), Role::Responder);
    assert_eq!(juliet.session("same").unwrap().role(), Role::Initiator);
    assert_eq!(romeo.session("same").unwrap().state(), State::Pending);
    assert_eq!(juliet.session("same").unwrap().state(), State::Pending);
}

#[test]
fn errors_for_unknown_sessions_order_and_info() {
    let (mut romeo, mut juliet) = active_call();
    let req = |action: &str, sid: &str, inner: &str| {
        Iq::from_xml_with(
            format!(
                "<iq xmlns='jabber:client' from='{JULIET}' to='{ROMEO}' id='q' type='set'>\
                 <jingle xmlns='urn:xmpp:jingle:1' action='{action}' sid='{sid}'>{inner}</jingle></iq>"
            )
            .as_bytes(),
            &registry(),
        )
        .unwrap()
    };
    let answer = |romeo: &mut Endpoint, iq: Iq| {
        romeo.handle_iq(&iq);
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
    assert_eq!(romeo.accept("s", vec![]), Err(E::WrongState));
    assert_eq!(romeo.accept("zz", vec![]), Err(E::UnknownSession));
    assert_eq!(
        romeo.content_action(
            "s",
            Action::ContentAdd,
            vec![audio(Creator::Responder, "v")],
            None
        ),
        Err(E::UnknownContent)
    );
    assert_eq!(
        romeo.content_action(
            "s",
            Action::ContentAdd,
            vec![audio(Creator::Initiator, "voice")],
            None
        ),
        Err(E::DuplicateContent)
    );
    assert_eq!(
        romeo.content_action(
            "s",
            Action::ContentAccept,
            vec![audio(Creator::Responder, "v")],
            None
        ),
        Err(E::UnknownContent)
    );
    assert_eq!(
        romeo.content_action(
            "s",
            Action::SessionAccept,
            vec![audio(Creator::Initiator, "voice")],
            None
        ),
        Err(E::WrongState)
    );
    assert_eq!(
        romeo.initiate(JULIET.parse().unwrap(), "s", vec![]),
        Err(E::DuplicateSession)
    );
    // One negotiation at a time per content.
    let raw =
        Content::new(Creator::Initiator, "voice").with(Payload::new(raw_udp::Transport::default()));
    romeo
        .content_action("s", Action::TransportReplace, vec![raw.clone()], None)
        .unwrap();
    assert_eq!(
        romeo.content_action("s", Action::TransportReplace, vec![raw], None),
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
        .session_info("s", vec![Payload::new(checksum)])
        .unwrap();
    juliet
        .session_info(
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
