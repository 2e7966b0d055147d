//! Tests of the state machine and the session store; the simulation of a
//! client and a server over a link that breaks (a property test).

use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use xep_core::{DefinedCondition, Stanza, StreamCondition};
use xep_element::XmlElement;

use crate::sim::{OWNER, Op, check, ids, msg};
use crate::*;

fn offer(max: Option<u64>) -> ServerOffer {
    ServerOffer {
        id: "sm-1".into(),
        resume_max: max.map(Duration::from_secs),
        location: Some("[2001:db8::1]:5222".into()),
        isr: None,
    }
}

fn transmits(m: &mut StreamManager) -> Vec<Transmit> {
    std::iter::from_fn(|| m.poll_transmit()).collect()
}

fn events(m: &mut StreamManager) -> Vec<Event> {
    std::iter::from_fn(|| m.poll_event()).collect()
}

fn xml(m: &mut StreamManager) -> Vec<String> {
    transmits(m).iter().map(Transmit::to_xml).collect()
}

/// Delivers what `from` queued to `to`, in order.
fn pump(from: &mut StreamManager, to: &mut StreamManager, now: Instant) -> Vec<Transmit> {
    let out = transmits(from);
    for t in &out {
        match t {
            Transmit::Stanza(_) => to.stanza_received(now),
            Transmit::Sm(e) => to.handle_element(now, e.clone()),
        }
    }
    out
}

/// A client and a server with stream management enabled (resumable when
/// the server offers it).
fn enabled_pair(now: Instant, policy: AckPolicy) -> (StreamManager, StreamManager) {
    let mut c = StreamManager::client(policy);
    let mut s = StreamManager::server(policy, offer(Some(300)));
    s.resource_bound();
    c.enable(now, true, Seconds::new(60)).unwrap();
    pump(&mut c, &mut s, now);
    pump(&mut s, &mut c, now);
    events(&mut c);
    events(&mut s);
    (c, s)
}

#[test]
fn enable_negotiates_resumption_and_the_smaller_max() {
    let now = Instant::now();
    let mut c = StreamManager::client(AckPolicy::MANUAL);
    let mut s = StreamManager::server(AckPolicy::MANUAL, offer(Some(300)));
    s.resource_bound();
    c.enable(now, true, Seconds::new(60)).unwrap();
    assert_eq!(
        xml(&mut c.clone()),
        ["<enable xmlns='urn:xmpp:sm:3' max='60' resume='true'/>"]
    );
    pump(&mut c, &mut s, now);
    assert_eq!(
        xml(&mut s.clone()),
        [
            "<enabled xmlns='urn:xmpp:sm:3' id='sm-1' location='[2001:db8::1]:5222' max='60' resume='true'/>"
        ]
    );
    pump(&mut s, &mut c, now);
    let expected = Event::Enabled {
        id: Some("sm-1".into()),
        resume: true,
        max: Seconds::new(60),
        location: Some("[2001:db8::1]:5222".into()),
        isr: None,
    };
    assert_eq!(events(&mut c), std::slice::from_ref(&expected));
    assert_eq!(events(&mut s), [expected]);
    assert!(c.is_enabled() && s.is_enabled() && c.is_resumable());

    // Without resumption offered: no id, no max.
    let mut c = StreamManager::client(AckPolicy::MANUAL);
    let mut s = StreamManager::server(AckPolicy::MANUAL, offer(None));
    s.resource_bound();
    c.enable(now, true, None).unwrap();
    pump(&mut c, &mut s, now);
    pump(&mut s, &mut c, now);
    assert!(matches!(
        &events(&mut c)[..],
        [Event::Enabled {
            id: None,
            resume: false,
            max: None,
            ..
        }]
    ));
    assert!(c.is_enabled() && !c.is_resumable());
    assert_eq!(c.resumption_state(), None);
    assert!(c.enable(now, true, None).is_err(), "enable twice");
}

#[test]
fn stanzas_are_counted_and_acked_nonzas_are_not() {
    let now = Instant::now();
    let (mut c, mut s) = enabled_pair(now, AckPolicy::MANUAL);
    for n in 0..3 {
        c.send(now, msg(n));
    }
    c.request_ack(now);
    c.request_ack(now); // a nonza: not counted
    let sent = pump(&mut c, &mut s, now);
    assert_eq!(sent.len(), 5);
    assert_eq!(s.inbound_count(), Some(3));
    assert_eq!(
        xml(&mut s.clone()),
        [
            "<a xmlns='urn:xmpp:sm:3' h='3'/>",
            "<a xmlns='urn:xmpp:sm:3' h='3'/>"
        ]
    );
    pump(&mut s, &mut c, now);
    match &events(&mut c)[..] {
        [Event::Acknowledged(v)] => assert_eq!(ids(v), [0, 1, 2]),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.unacknowledged().len(), 0);
    assert_eq!(c.outbound_count(), 3);

    // Partial acks drop only what they cover.
    for n in 3..6 {
        c.send(now, msg(n));
    }
    transmits(&mut c);
    c.handle_element(now, Ack { h: 4 }.into());
    match &events(&mut c)[..] {
        [Event::Acknowledged(v)] => assert_eq!(ids(v), [3]),
        other => panic!("{other:?}"),
    }
    // The same h again acknowledges nothing new.
    c.handle_element(now, Ack { h: 4 }.into());
    assert!(events(&mut c).is_empty());
    assert_eq!(
        ids(&c.unacknowledged().cloned().collect::<Vec<_>>()),
        [4, 5]
    );
}

#[test]
fn the_client_may_request_before_enabled_arrives() {
    let now = Instant::now();
    let mut c = StreamManager::client(AckPolicy::MANUAL);
    let mut s = StreamManager::server(AckPolicy::MANUAL, offer(Some(300)));
    s.resource_bound();
    c.enable(now, false, None).unwrap();
    c.send(now, msg(0));
    c.request_ack(now);
    pump(&mut c, &mut s, now);
    let out = xml(&mut s.clone());
    assert_eq!(out[0], "<enabled xmlns='urn:xmpp:sm:3'/>");
    assert_eq!(out[1], "<a xmlns='urn:xmpp:sm:3' h='1'/>");
    pump(&mut s, &mut c, now);
    let ev = events(&mut c);
    assert!(matches!(ev[0], Event::Enabled { resume: false, .. }));
    assert!(matches!(&ev[1], Event::Acknowledged(v) if ids(v) == [0]));
}

#[test]
fn ack_policy_every_quiet_deadline_and_timeout() {
    let t0 = Instant::now();
    let ms = Duration::from_millis;
    let policy = AckPolicy {
        every: NonZeroU32::new(3),
        quiet: Some(ms(100)),
        max_delay: Some(ms(250)),
        ack_timeout: Some(ms(1000)),
        ack_every_received: NonZeroU32::new(2),
    };
    let (mut c, mut s) = enabled_pair(t0, policy);
    assert_eq!(c.poll_timeout(), None);

    // Every 3 stanzas.
    for n in 0..3 {
        c.send(t0, msg(n));
    }
    let out = transmits(&mut c);
    assert_eq!(out.len(), 4);
    assert_eq!(out[3], Transmit::Sm(Request.into()));
    // Only the ack time-out is pending now.
    assert_eq!(c.poll_timeout(), Some(t0 + ms(1000)));

    // Quiet period: one stanza, then nothing for 100 ms.
    c.send(t0 + ms(10), msg(3));
    transmits(&mut c);
    assert_eq!(c.poll_timeout(), Some(t0 + ms(110)));
    c.handle_timeout(t0 + ms(50));
    assert!(transmits(&mut c).is_empty(), "not yet due");
    c.handle_timeout(t0 + ms(110));
    assert_eq!(transmits(&mut c), [Transmit::Sm(Request.into())]);

    // Deadline: a stanza every 60 ms keeps the stream from being quiet,
    // but an <r/> goes out 250 ms after the first one.
    let mut t = t0 + ms(200);
    let first = t;
    let mut requested_at = None;
    for n in 4..20u64 {
        c.send(t, msg(n));
        // (every=3 would interfere: use a policy without it here)
        if n == 4 {
            c.set_policy(AckPolicy {
                every: None,
                ..policy
            });
        }
        c.handle_timeout(t);
        if transmits(&mut c)
            .iter()
            .any(|x| *x == Transmit::Sm(Request.into()))
        {
            requested_at = Some(t);
            break;
        }
        t += ms(60);
    }
    let at = requested_at.expect("the deadline forced a request");
    assert!(
        at >= first + ms(250) && at < first + ms(250) + ms(60),
        "{:?}",
        at - first
    );

    // Ack time-out: the first <r/> (at t0) is still unanswered.
    c.handle_timeout(t0 + ms(1000));
    assert!(events(&mut c).contains(&Event::AckTimeout));
    c.handle_timeout(t0 + ms(2000));
    assert!(
        !events(&mut c).contains(&Event::AckTimeout),
        "reported once"
    );
    // An answer clears it.
    c.handle_element(t0 + ms(2000), Ack { h: 0 }.into());
    assert!(c.poll_timeout().is_none_or(|d| d > t0 + ms(2000)));

    // Unrequested acks after every 2 stanzas received.
    s.stanza_received(t0);
    assert!(transmits(&mut s).is_empty());
    s.stanza_received(t0);
    assert_eq!(transmits(&mut s), [Transmit::Sm(Ack { h: 2 }.into())]);
}

#[test]
fn an_h_too_high_is_a_stream_error_and_changes_nothing() {
    let now = Instant::now();
    let (mut c, _s) = enabled_pair(now, AckPolicy::MANUAL);
    c.send(now, msg(0));
    c.send(now, msg(1));
    transmits(&mut c);
    c.handle_element(now, Ack { h: 3 }.into());
    let ev = events(&mut c);
    let [Event::StreamError(err)] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(err.condition, StreamCondition::UndefinedCondition);
    assert_eq!(
        err.app[0].downcast_ref::<HandledCountTooHigh>(),
        Some(&HandledCountTooHigh {
            h: Some(3),
            send_count: Some(2)
        })
    );
    assert!(err.to_xml().contains("h='3' send-count='2'"));
    assert_eq!(c.unacknowledged().len(), 2);
    assert_eq!(c.outbound_count(), 2);
    // A correct ack still works afterwards.
    c.handle_element(now, Ack { h: 2 }.into());
    assert!(matches!(&events(&mut c)[..], [Event::Acknowledged(v)] if v.len() == 2));
    // With nothing outstanding, any other h is too high (including one
    // "behind": modulo 2^32 it counts stanzas never sent).
    c.handle_element(now, Ack { h: 1 }.into());
    assert!(matches!(&events(&mut c)[..], [Event::StreamError(_)]));
}

#[test]
fn counters_wrap_at_two_to_the_32() {
    let now = Instant::now();
    let state = |inbound, outbound, unacked: Vec<Stanza>| ResumptionState {
        id: "sm-w".into(),
        location: None,
        max: Seconds::new(60),
        inbound,
        outbound,
        unacked,
    };
    // The client sent up to u32::MAX - 1 (the last two, numbered
    // u32::MAX - 2 and u32::MAX - 1, unacked); the server handled up to
    // u32::MAX - 3 and sent u32::MAX stanzas.
    let mut c = StreamManager::restore(
        Role::Client,
        AckPolicy::MANUAL,
        state(u32::MAX, u32::MAX - 1, vec![msg(0), msg(1)]),
    );
    let s = StreamManager::restore(
        Role::Server,
        AckPolicy::MANUAL,
        state(u32::MAX - 3, u32::MAX, vec![msg(100)]),
    );
    let mut store = SessionStore::new(Duration::from_secs(60));
    store.detach(now, OWNER, s).unwrap();
    c.resume(now).unwrap();
    let Some(Transmit::Sm(SmElement::Resume(req))) = c.poll_transmit() else {
        panic!()
    };
    assert_eq!(req.h, u32::MAX);
    let ResumeOutcome::Resumed(mut s) = store.resume(now, &req, &OWNER) else {
        panic!()
    };
    // The client had seen the server's last stanza: nothing to resend.
    assert!(
        matches!(&events(&mut s)[..], [Event::Resumed { acknowledged, resent }]
        if ids(acknowledged) == [100] && resent.is_empty())
    );
    pump(&mut s, &mut c, now);
    // Neither client stanza was handled: both are resent.
    assert!(
        matches!(&events(&mut c)[..], [Event::Resumed { acknowledged, resent }]
        if acknowledged.is_empty() && ids(resent) == [0, 1])
    );
    c.send(now, msg(2)); // number u32::MAX
    c.send(now, msg(3)); // number 0
    c.send(now, msg(4)); // number 1
    assert_eq!(c.outbound_count(), 1);
    pump(&mut c, &mut s, now);
    assert_eq!(s.inbound_count(), Some(1));
    c.handle_element(now, Ack { h: 0 }.into());
    assert!(matches!(&events(&mut c)[..], [Event::Acknowledged(v)] if ids(v) == [0, 1, 2, 3]));
    c.handle_element(now, Ack { h: 2 }.into());
    assert!(matches!(&events(&mut c)[..], [Event::StreamError(_)]));
    c.handle_element(now, Ack { h: 1 }.into());
    assert!(matches!(&events(&mut c)[..], [Event::Acknowledged(v)] if ids(v) == [4]));
    // The server's inbound counter wraps too.
    s.send(now, msg(101));
    pump(&mut s, &mut c, now);
    assert_eq!(c.inbound_count(), Some(0));
    c.request_ack(now);
    pump(&mut c, &mut s, now);
    assert_eq!(xml(&mut s), ["<a xmlns='urn:xmpp:sm:3' h='1'/>"]);
}

#[test]
fn resumption_failed_reports_delivered_and_lost() {
    let now = Instant::now();
    let (mut c, _s) = enabled_pair(now, AckPolicy::MANUAL);
    for n in 0..4 {
        c.send(now, msg(n));
    }
    c.connection_lost(now);
    assert!(c.is_detached());
    let mut c2 = c.clone();
    c.resume(now).unwrap();
    transmits(&mut c);
    c.handle_element(
        now,
        Failed {
            h: Some(3),
            ..Failed::new(DefinedCondition::ItemNotFound)
        }
        .into(),
    );
    match &events(&mut c)[..] {
        [
            Event::ResumeFailed {
                condition,
                h,
                delivered,
                lost,
            },
        ] => {
            assert_eq!(condition, &Some(DefinedCondition::ItemNotFound));
            assert_eq!(*h, Some(3));
            assert_eq!(ids(delivered), [0, 1, 2]);
            assert_eq!(ids(lost), [3]);
        }
        other => panic!("{other:?}"),
    }
    assert!(!c.is_resumable());
    c.enable(now, true, None).unwrap(); // a new session can start

    // Without h, nothing is known delivered.
    c2.resume(now).unwrap();
    c2.handle_element(
        now,
        Failed::new(DefinedCondition::FeatureNotImplemented).into(),
    );
    assert!(
        matches!(&events(&mut c2)[..], [Event::ResumeFailed { delivered, lost, .. }]
        if delivered.is_empty() && lost.len() == 4)
    );
}

#[test]
fn a_client_loses_what_it_cannot_resume() {
    let now = Instant::now();
    let mut c = StreamManager::client(AckPolicy::MANUAL);
    c.enable(now, true, None).unwrap();
    c.send(now, msg(0));
    c.connection_lost(now);
    assert!(
        matches!(&events(&mut c)[..], [Event::Lost { unacknowledged }] if ids(unacknowledged) == [0])
    );
    assert!(c.resume(now).is_err());

    // The server refuses to enable: the stanzas are given back.
    let mut c = StreamManager::client(AckPolicy::MANUAL);
    c.enable(now, false, None).unwrap();
    c.send(now, msg(1));
    c.handle_element(now, Failed::new(DefinedCondition::UnexpectedRequest).into());
    assert!(
        matches!(&events(&mut c)[..], [Event::EnableFailed { unacknowledged, .. }] if ids(unacknowledged) == [1])
    );
    assert!(!c.is_enabled());
}

#[test]
fn the_server_enforces_order_and_single_enable() {
    let now = Instant::now();
    let mut s = StreamManager::server(AckPolicy::MANUAL, offer(Some(60)));
    s.handle_element(now, Enable::default().into());
    let failed = "<failed xmlns='urn:xmpp:sm:3'><unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>";
    assert_eq!(xml(&mut s), [failed]);
    assert!(!s.is_enabled());
    s.resource_bound();
    s.handle_element(now, Enable::default().into());
    assert_eq!(xml(&mut s), ["<enabled xmlns='urn:xmpp:sm:3'/>"]);
    s.handle_element(now, Enable::default().into());
    assert_eq!(xml(&mut s), [failed]);
    assert!(matches!(
        &events(&mut s)[..],
        [
            Event::Enabled { .. },
            Event::Unexpected(SmElement::Enable(_))
        ]
    ));
    // Elements of the other role are ignored and reported.
    s.handle_element(
        now,
        Resumed {
            h: 0,
            previd: "x".into(),
        }
        .into(),
    );
    assert!(matches!(
        &events(&mut s)[..],
        [Event::Unexpected(SmElement::Resumed(_))]
    ));

    // A server without resumption answers <resume/> itself.
    let mut s = StreamManager::server(AckPolicy::MANUAL, offer(None));
    s.handle_element(
        now,
        Resume {
            h: 0,
            previd: "x".into(),
        }
        .into(),
    );
    assert_eq!(
        xml(&mut s),
        [
            "<failed xmlns='urn:xmpp:sm:3'><feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>"
        ]
    );
    // One with resumption hands it to the store.
    let mut s = StreamManager::server(AckPolicy::MANUAL, offer(Some(1)));
    s.handle_element(
        now,
        Resume {
            h: 0,
            previd: "x".into(),
        }
        .into(),
    );
    assert!(matches!(&events(&mut s)[..], [Event::ResumeRequested(r)] if r.previd == "x"));
}

#[test]
fn the_store_resumes_rejects_and_expires() {
    let t0 = Instant::now();
    let (mut c, mut s) = enabled_pair(t0, AckPolicy::MANUAL);
    c.send(t0, msg(0));
    pump(&mut c, &mut s, t0);
    s.send(t0, msg(50));
    s.send(t0, msg(51));
    transmits(&mut s); // lost with the connection
    s.connection_lost(t0);
    c.connection_lost(t0);
    let mut store = SessionStore::new(Duration::from_secs(600));
    store.detach(t0, OWNER, s).unwrap();
    assert!(store.contains("sm-1"));
    assert_eq!(store.poll_timeout(), Some(t0 + Duration::from_secs(60)));
    // Stanzas for a detached session are held.
    store.get_mut("sm-1").unwrap().send(t0, msg(52));

    let resume = |h: u32, previd: &str| Resume {
        h,
        previd: previd.into(),
    };
    let not_found = |h| Failed {
        h,
        ..Failed::new(DefinedCondition::ItemNotFound)
    };
    // Unknown id, someone else's session.
    assert!(matches!(store.resume(t0, &resume(0, "nope"), &OWNER),
        ResumeOutcome::Rejected { failed, stream_error: None } if failed == not_found(None)));
    assert!(
        matches!(store.resume(t0, &resume(0, "sm-1"), &"mallory@evil.example"),
        ResumeOutcome::Rejected { failed, stream_error: None } if failed == not_found(None))
    );
    // An h too high: failed, a stream error, and the session stays.
    match store.resume(t0, &resume(4, "sm-1"), &OWNER) {
        ResumeOutcome::Rejected {
            failed,
            stream_error: Some(e),
        } => {
            assert_eq!(failed.condition, Some(DefinedCondition::BadRequest));
            assert_eq!(
                e.app[0]
                    .downcast_ref::<HandledCountTooHigh>()
                    .unwrap()
                    .send_count,
                Some(3)
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(store.contains("sm-1"));

    // The right id and h: resumed, the lost ones resent after <resumed/>.
    let mut store2 = SessionStore::new(Duration::from_secs(600));
    let (owner, s) = store.remove("sm-1").unwrap();
    store2.detach(t0, owner, s).unwrap();
    let ResumeOutcome::Resumed(mut s) = store2.resume(t0, &resume(1, "sm-1"), &OWNER) else {
        panic!()
    };
    assert!(store2.is_empty());
    assert_eq!(store2.poll_timeout(), None);
    let out = xml(&mut s);
    assert_eq!(
        out[0],
        "<resumed xmlns='urn:xmpp:sm:3' h='1' previd='sm-1'/>"
    );
    assert_eq!(out.len(), 3);
    assert!(out[1].contains("id='51'") && out[2].contains("id='52'"));
    assert!(
        matches!(&events(&mut s)[..], [Event::Resumed { acknowledged, resent }]
        if ids(acknowledged) == [50] && ids(resent) == [51, 52])
    );

    // Expiry: the session goes, its stanzas are handed back, and a late
    // <resume/> gets item-not-found with the server's h.
    s.connection_lost(t0);
    store2.detach(t0, OWNER, *s).unwrap();
    let at = t0 + Duration::from_secs(60);
    assert!(
        store2
            .handle_timeout(at - Duration::from_millis(1))
            .is_empty()
    );
    // Due but not yet expired by handle_timeout: already refused.
    assert!(matches!(store2.resume(at, &resume(1, "sm-1"), &OWNER),
        ResumeOutcome::Rejected { failed, .. } if failed == not_found(Some(1))));
    let expired = store2.handle_timeout(at);
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].id, "sm-1");
    assert_eq!(ids(&expired[0].unacknowledged), [51, 52]);
    assert!(store2.is_empty());
    assert!(matches!(store2.resume(at, &resume(1, "sm-1"), &OWNER),
        ResumeOutcome::Rejected { failed, .. } if failed == not_found(Some(1))));
    assert_eq!(store2.poll_timeout(), Some(at + Duration::from_secs(600)));
    assert!(
        store2
            .handle_timeout(at + Duration::from_secs(600))
            .is_empty()
    );
    assert!(matches!(store2.resume(at, &resume(1, "sm-1"), &OWNER),
        ResumeOutcome::Rejected { failed, .. } if failed == not_found(None)));
    assert_eq!(store2.poll_timeout(), None);

    // A session that cannot be resumed is given back.
    let mut s = StreamManager::server(AckPolicy::MANUAL, offer(None));
    s.resource_bound();
    s.handle_element(t0, Enable::new(true, None).into());
    assert!(store2.detach(t0, OWNER, s).is_err());
}

#[test]
fn resumption_state_round_trips_losslessly() {
    let now = Instant::now();
    let (mut c, _s) = enabled_pair(now, AckPolicy::MANUAL);
    let with_payload = Stanza::from_xml(
        b"<message xmlns='jabber:client' id='9'><body>x</body><x xmlns='urn:example:ext' a='1'><y>t</y></x></message>",
    )
    .unwrap();
    c.send(now, msg(1));
    c.send(now, with_payload.clone());
    c.stanza_received(now);
    let state = c.resumption_state().unwrap();
    assert_eq!(state.inbound, 1);
    assert_eq!(state.outbound, 2);
    let bytes = state.to_bytes();
    let back = ResumptionState::from_bytes(&bytes).unwrap();
    assert_eq!(back, state);
    assert_eq!(back.unacked[1].to_xml(), with_payload.to_xml());
    assert!(
        String::from_utf8(bytes)
            .unwrap()
            .starts_with("<session xmlns='urn:x-xep-rs:sm-state:0' id='sm-1' location='[2001:db8::1]:5222' max='60' h='1' sent='2'>")
    );
    let err =
        ResumptionState::from_bytes(b"<session xmlns='urn:x-xep-rs:sm-state:0' id='x' h='1'/>")
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "at session: missing required attribute 'sent'"
    );
}

// ---------------------------------------------------------------------------
// The simulation (crate::sim) under proptest

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1u8..4).prop_map(Op::ClientSend),
        4 => (1u8..4).prop_map(Op::ServerSend),
        5 => (1u8..6).prop_map(Op::DeliverC2S),
        5 => (1u8..6).prop_map(Op::DeliverS2C),
        3 => (1u16..800).prop_map(Op::Tick),
        1 => Just(Op::ClientRequest),
        1 => Just(Op::ServerRequest),
        2 => any::<bool>().prop_map(|server_notices| Op::Disconnect { server_notices }),
        2 => Just(Op::Reconnect),
        1 => Just(Op::RestartClient),
        1 => any::<bool>().prop_map(|client| Op::Stall { client }),
        2 => Just(Op::Unstall),
    ]
}

fn policy() -> impl Strategy<Value = AckPolicy> {
    (
        proptest::option::of(1u32..5),
        proptest::option::of(50u64..600),
        proptest::option::of(100u64..900),
        proptest::option::of(1u32..4),
    )
        .prop_map(|(every, quiet, max_delay, ack_every)| AckPolicy {
            every: every.and_then(NonZeroU32::new),
            quiet: quiet.map(Duration::from_millis),
            max_delay: max_delay.map(Duration::from_millis),
            ack_timeout: Some(Duration::from_secs(5)),
            ack_every_received: ack_every.and_then(NonZeroU32::new),
        })
}

fn start() -> impl Strategy<Value = Option<(u32, u32)>> {
    prop_oneof![
        Just(None),
        (0u32..6, 0u32..6).prop_map(|(a, b)| Some((u32::MAX - a, u32::MAX - b))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Every stanza arrives exactly once and in order, both ways, whatever
    /// the schedule of sends, deliveries, timers, disconnections (noticed
    /// by the server or not), client restarts and resumptions.
    #[test]
    fn every_stanza_is_delivered_exactly_once_in_order(
        policy in policy(),
        start in start(),
        ops in proptest::collection::vec(op(), 0..120),
    ) {
        check(Instant::now(), policy, start, &ops);
    }
}

#[test]
fn a_schedule_with_every_kind_of_break() {
    use Op::*;
    let ops = [
        ClientSend(2),
        // Broken before <enabled/> arrives: the client starts over.
        DeliverC2S(1),
        ServerSend(2),
        Disconnect {
            server_notices: true,
        },
        Reconnect,
        DeliverC2S(5),
        DeliverS2C(2),
        ClientSend(3),
        ServerSend(3),
        DeliverC2S(2),
        DeliverS2C(1),
        // Broken mid-stream, the server does not notice.
        Disconnect {
            server_notices: false,
        },
        ServerSend(1),
        ClientSend(1),
        RestartClient,
        Reconnect,
        // Broken again during the resumption handshake.
        DeliverC2S(1),
        Disconnect {
            server_notices: true,
        },
        Reconnect,
        DeliverC2S(9),
        DeliverS2C(9),
    ];
    check(Instant::now(), AckPolicy::default(), None, &ops);
    check(
        Instant::now(),
        AckPolicy::MANUAL,
        Some((u32::MAX - 1, u32::MAX)),
        &ops,
    );
}

#[test]
fn close_acks_last_and_ends_the_session() {
    let now = Instant::now();
    let (mut c, _s) = enabled_pair(now, AckPolicy::MANUAL);
    c.stanza_received(now);
    c.stanza_received(now);
    c.send(now, msg(7));
    transmits(&mut c);
    let rest = c.close();
    assert_eq!(ids(&rest), [7]);
    assert_eq!(xml(&mut c), ["<a xmlns='urn:xmpp:sm:3' h='2'/>"]);
    assert!(!c.is_enabled() && c.resumption_state().is_none());
    // Without stream management, <r/> and <a/> are not answered.
    c.handle_element(now, Request.into());
    c.handle_element(now, Ack { h: 0 }.into());
    assert!(transmits(&mut c).is_empty());
    assert!(matches!(
        &events(&mut c)[..],
        [
            Event::Unexpected(SmElement::Request(_)),
            Event::Unexpected(SmElement::Ack(_))
        ]
    ));
    // A stanza sent now is just written.
    c.send(now, msg(8));
    assert_eq!(transmits(&mut c).len(), 1);
    assert_eq!(c.unacknowledged().len(), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// What the `sm-machine` fuzz target runs: any bytes decode to a
    /// schedule, and every schedule delivers every stanza exactly once.
    #[test]
    fn any_bytes_are_a_schedule_that_delivers_everything(
        data in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        crate::sim::fuzz(Instant::now(), &data);
    }
}

#[test]
fn schedules_from_bytes_cover_every_op() {
    let data: Vec<u8> = (0u8..5).chain((0u8..24).flat_map(|k| [k, 1])).collect();
    let (_, _, ops) = crate::sim::schedule_from_bytes(&data);
    assert_eq!(ops.len(), 24);
    assert!(ops.contains(&Op::Unstall) && ops.contains(&Op::RestartClient));
    assert!(ops.contains(&Op::Disconnect {
        server_notices: true
    }));
}

#[test]
fn durations_too_large_for_the_clock_never_panic() {
    // Issue 17: Instant + Duration overflowed (a panic) with a policy or a
    // store configured with Duration::MAX.
    let t0 = Instant::now();
    let huge = AckPolicy {
        quiet: Some(Duration::MAX),
        max_delay: Some(Duration::MAX),
        ack_timeout: Some(Duration::MAX),
        ..AckPolicy::MANUAL
    };
    let (mut c, mut s) = enabled_pair(t0, huge);
    c.send(t0, msg(0));
    c.request_ack(t0);
    assert_eq!(c.poll_timeout(), None, "too far to be a deadline");
    c.handle_timeout(t0 + Duration::from_secs(3600));
    pump(&mut c, &mut s, t0);
    s.connection_lost(t0);
    let mut store = SessionStore::new(Duration::MAX);
    store.detach(t0, OWNER, s).unwrap();
    let expiry = store
        .poll_timeout()
        .expect("the session expires after its max");
    let expired = store.handle_timeout(expiry);
    assert_eq!(expired.len(), 1);
    // The tombstone lives "forever" (a century), without overflow.
    assert!(store.poll_timeout().is_some());
}

#[test]
fn misuse_is_a_typed_wrong_state_error() {
    let t0 = Instant::now();
    let mut s = StreamManager::server(AckPolicy::MANUAL, offer(None));
    assert_eq!(
        s.enable(t0, false, None),
        Err(SmError::WrongState {
            action: "enable stream management",
            role: Role::Server,
            state: State::Disabled
        })
    );
    let (mut c, _) = enabled_pair(t0, AckPolicy::MANUAL);
    assert_eq!(c.state(), State::Active);
    let e = c.resume(t0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot resume as a Client in state Active",
        "{e:?}"
    );
    assert!(transmits(&mut c).is_empty(), "nothing sent");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The encoder inverts the decoder: every schedule the decoder gives
    /// encodes to bytes that decode to it again.
    #[test]
    fn schedules_encode_to_bytes_that_decode_to_them(
        data in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let (policy, start, ops) = crate::sim::schedule_from_bytes(&data);
        let bytes = crate::sim::schedule_to_bytes(&policy, start, &ops)
            .expect("a decoded schedule encodes");
        prop_assert_eq!(crate::sim::schedule_from_bytes(&bytes), (policy, start, ops));
    }

    /// Schedules written by hand (the proptest's) encode when the decoder
    /// can express them, and then decode to themselves.
    #[test]
    fn written_schedules_encode_when_expressible(
        policy in policy(),
        start in start(),
        ops in proptest::collection::vec(op(), 0..60),
    ) {
        let policy = AckPolicy { ack_timeout: Some(Duration::from_secs(5)), ..policy };
        if let Some(bytes) = crate::sim::schedule_to_bytes(&policy, start, &ops) {
            prop_assert_eq!(crate::sim::schedule_from_bytes(&bytes), (policy, start, ops));
        }
    }
}

#[test]
fn the_encoder_refuses_what_the_decoder_cannot_express() {
    use crate::sim::schedule_to_bytes;
    let p = AckPolicy {
        ack_timeout: Some(Duration::from_secs(5)),
        ..AckPolicy::MANUAL
    };
    assert!(schedule_to_bytes(&p, None, &[Op::ClientSend(2)]).is_some());
    assert!(schedule_to_bytes(&p, None, &[Op::ClientSend(4)]).is_none());
    assert!(schedule_to_bytes(&p, None, &[Op::Tick(2)]).is_none());
    assert!(schedule_to_bytes(&AckPolicy::default(), None, &[]).is_none());
    assert!(schedule_to_bytes(&p, Some((7, u32::MAX)), &[]).is_none());
    assert!(schedule_to_bytes(&p, None, &vec![Op::Unstall; 401]).is_none());
}

/// Replays the `sm-machine` fuzz target's seeds (the scenarios above, as
/// `cargo xtask fuzz-seed` writes them) and every crash input kept under
/// `fixtures/xep-sm/fuzz/sm-machine/`, as the fuzz target runs them.
#[test]
fn fuzz_seeds_and_crash_fixtures_replay() {
    assert!(crate::sim::dictionary().len() > 10);
    let seeds = crate::sim::seeds();
    assert!(seeds.len() >= 10);
    for (name, data) in &seeds {
        let (_, _, ops) = crate::sim::schedule_from_bytes(data);
        assert!(!ops.is_empty(), "seed {name}");
        crate::sim::fuzz(Instant::now(), data);
    }
    for (path, data) in xep_element::testdata::crash_fixtures("xep-sm", "sm-machine") {
        eprintln!("replaying {}", path.display());
        crate::sim::fuzz(Instant::now(), &data);
    }
}

#[test]
fn an_isr_token_is_given_as_asked_for_an_offered_mechanism_only() {
    let now = Instant::now();
    let isr_offer = |o: ServerOffer| ServerOffer {
        isr: Some(IsrOffer {
            token: "a0b9162d-0981-4c7d-9174-1f55aedd1f52".into(),
            mechanisms: vec!["HT-SHA-256-ENDP".into()],
            location: None,
        }),
        ..o
    };
    let mut c = StreamManager::client(AckPolicy::MANUAL);
    let mut s = StreamManager::server(AckPolicy::MANUAL, isr_offer(offer(Some(60))));
    s.resource_bound();
    c.enable_with_isr(now, None, "HT-SHA-256-ENDP").unwrap();
    let sent: Vec<String> = transmits(&mut c)
        .iter()
        .map(|t| match t {
            Transmit::Sm(e) => e.to_xml(),
            Transmit::Stanza(s) => s.to_xml(),
        })
        .collect();
    assert_eq!(
        sent,
        [
            "<enable xmlns='urn:xmpp:sm:3' resume='true'><isr-enable xmlns='https://xmpp.org/extensions/isr/0' mechanism='HT-SHA-256-ENDP'/></enable>"
        ]
    );
    let mut c = StreamManager::client(AckPolicy::MANUAL);
    c.enable_with_isr(now, None, "HT-SHA-256-ENDP").unwrap();
    pump(&mut c, &mut s, now);
    pump(&mut s, &mut c, now);
    let grant = |events: &[Event]| match events {
        [Event::Enabled { isr, .. }] => isr.clone(),
        other => panic!("{other:?}"),
    };
    let g = grant(&events(&mut c)).expect("the client got the token");
    assert_eq!(
        (g.token.as_str(), g.mechanism.as_str()),
        ("a0b9162d-0981-4c7d-9174-1f55aedd1f52", "HT-SHA-256-ENDP")
    );
    assert_eq!(grant(&events(&mut s)), Some(g));

    // Another mechanism, or no resumption: no token.
    let mut c = StreamManager::client(AckPolicy::MANUAL);
    let mut s = StreamManager::server(AckPolicy::MANUAL, isr_offer(offer(Some(60))));
    s.resource_bound();
    c.enable_with_isr(now, None, "PLAIN").unwrap();
    pump(&mut c, &mut s, now);
    pump(&mut s, &mut c, now);
    assert_eq!(grant(&events(&mut c)), None);
    let mut c = StreamManager::client(AckPolicy::MANUAL);
    let mut s = StreamManager::server(AckPolicy::MANUAL, isr_offer(offer(None)));
    s.resource_bound();
    c.enable_with_isr(now, None, "HT-SHA-256-ENDP").unwrap();
    pump(&mut c, &mut s, now);
    pump(&mut s, &mut c, now);
    assert_eq!(grant(&events(&mut c)), None);
    assert_eq!(grant(&events(&mut s)), None);
}
