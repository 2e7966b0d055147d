//! Scripted exchanges (the use cases of XEP-0124 and XEP-0206, with our
//! own values) and the simulation under proptest.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use xep_core::{Message, Presence, PresenceType, Stanza};
use xep_element::XmlElement;

use crate::*;

const RID: u64 = 4_000_000_000;

fn msg(id: &str) -> Stanza {
    let mut m = Message::chat(
        "nurse@verona.example".parse().unwrap(),
        format!("text {id}"),
    );
    m.id = Some(id.into());
    Stanza::Message(m)
}

fn body(bytes: &[u8]) -> Body {
    Body::from_bytes(bytes, 1 << 20).unwrap()
}

fn events(c: &mut ClientSession) -> Vec<ClientEvent> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

fn creation_response() -> &'static [u8] {
    b"<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' \
      sid='s-77' wait='30' hold='1' requests='2' polling='2' inactivity='20' maxpause='100' \
      ack='4000000000' ver='1.11' from='verona.example' xmpp:version='1.0' xmpp:restartlogic='true'/>"
}

/// A client whose session is created; returns it with `now`.
fn created() -> (ClientSession, Instant) {
    let now = Instant::now();
    let mut c = ClientSession::new(ClientConfig::xmpp("verona.example"), RID).unwrap();
    let (rid, _) = c.poll_request(now).unwrap();
    c.handle_response(now, rid, Ok(creation_response()));
    assert!(matches!(events(&mut c)[..], [ClientEvent::Created(_)]));
    (c, now)
}

#[test]
fn initial_rid_is_validated() {
    let cfg = ClientConfig::xmpp("verona.example");
    assert_eq!(
        ClientSession::new(cfg.clone(), 0).unwrap_err(),
        ClientError::BadInitialRid(0)
    );
    assert!(ClientSession::new(cfg.clone(), MAX_RID).is_err());
    assert!(ClientSession::new(cfg.clone(), MAX_RID - (1 << 32)).is_ok());
    assert!(ClientSession::new(cfg, 1).is_ok());
}

#[test]
fn session_creation_request_and_response() {
    let now = Instant::now();
    let mut cfg = ClientConfig::xmpp("verona.example");
    cfg.route = Some("xmpp:verona.example:5222".into());
    cfg.content = Some("text/xml; charset=utf-8".into());
    cfg.from = Some("romeo@verona.example".into());
    let mut c = ClientSession::new(cfg, RID).unwrap();
    let (rid, bytes) = c.poll_request(now).unwrap();
    assert_eq!(rid, RID);
    // Nothing else before the session exists.
    c.send(msg("early"));
    assert_eq!(c.poll_request(now), None);
    let b = body(&bytes);
    assert_eq!(b.rid.map(Rid::get), Some(RID));
    assert_eq!(b.sid, None);
    assert_eq!(
        (b.wait, b.hold, b.ver.as_deref(), b.to.as_deref()),
        (Some(60), Some(1), Some("1.11"), Some("verona.example"))
    );
    assert_eq!(b.xmpp_version.as_deref(), Some("1.0"));
    assert_eq!(b.route.as_deref(), Some("xmpp:verona.example:5222"));
    assert_eq!(b.ack, Rid::new(1));
    assert_eq!(b.lang.as_deref(), Some("en"));

    c.handle_response(now, rid, Ok(creation_response()));
    let ev = events(&mut c);
    let ClientEvent::Created(p) = &ev[0] else {
        panic!("{ev:?}")
    };
    assert_eq!(p.sid, "s-77");
    assert_eq!(p.wait, Duration::from_secs(30));
    assert_eq!((p.hold, p.requests), (1, Some(2)));
    assert_eq!(p.polling, Some(Duration::from_secs(2)));
    assert_eq!(p.inactivity, Some(Duration::from_secs(20)));
    assert_eq!(p.maxpause, Some(Duration::from_secs(100)));
    assert!(p.ack && p.restartlogic);
    // The early stanza goes first; that request is the one the CM holds.
    let (r1, b1) = c.poll_request(now).unwrap();
    assert_eq!(r1, RID + 1);
    let b1 = body(&b1);
    assert_eq!(b1.sid.as_deref(), Some("s-77"));
    assert_eq!(b1.stanzas(), [msg("early")]);
    assert_eq!(b1.ack, None, "every earlier response was received");
    assert_eq!(c.poll_request(now), None, "hold='1' is used");
    // New data uses the second of requests='2'.
    c.send(msg("m2"));
    let (r2, b2) = c.poll_request(now).unwrap();
    assert_eq!(r2, RID + 2);
    let b2 = body(&b2);
    assert_eq!(b2.stanzas(), [msg("m2")]);
    assert_eq!(b2.ack, Rid::new(RID), "request RID+1 is unanswered");
    // requests='2' are outstanding: nothing more, even with data queued.
    c.send(msg("m3"));
    assert_eq!(c.poll_request(now), None);
}

#[test]
fn creation_without_sid_or_with_terminate() {
    let now = Instant::now();
    let mut c = ClientSession::new(ClientConfig::xmpp("verona.example"), RID).unwrap();
    let (rid, _) = c.poll_request(now).unwrap();
    c.handle_response(
        now,
        rid,
        Ok(b"<body xmlns='http://jabber.org/protocol/httpbind' wait='5'/>"),
    );
    assert!(matches!(
        &events(&mut c)[..],
        [ClientEvent::Terminated(Termination::Protocol(m))] if m.contains("'sid'")
    ));
    assert!(c.is_terminated());
    assert_eq!(c.poll_request(now), None);

    let mut c = ClientSession::new(ClientConfig::xmpp("nowhere.example"), RID).unwrap();
    let (rid, _) = c.poll_request(now).unwrap();
    c.handle_response(
        now,
        rid,
        Ok(b"<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' condition='host-unknown'/>"),
    );
    assert_eq!(
        events(&mut c),
        [ClientEvent::Terminated(Termination::ByManager {
            condition: Some(Condition::HostUnknown),
            uri: None,
            stream_error: None
        })]
    );
}

#[test]
fn responses_are_processed_in_rid_order() {
    let (mut c, now) = created();
    c.send(msg("a"));
    let (r1, _) = c.poll_request(now).unwrap();
    c.send(msg("b"));
    let (r2, _) = c.poll_request(now).unwrap();
    let resp = |id: &str| {
        format!(
            "<body xmlns='http://jabber.org/protocol/httpbind'>{}</body>",
            msg(id).to_xml()
        )
    };
    // The answer to r2 comes first: kept until r1's is processed.
    c.handle_response(now, r2, Ok(resp("second").as_bytes()));
    assert_eq!(events(&mut c), []);
    c.handle_response(now, r1, Ok(resp("first").as_bytes()));
    let got: Vec<Stanza> = events(&mut c)
        .into_iter()
        .map(|e| match e {
            ClientEvent::Received(p) => p.get::<Stanza>().unwrap().unwrap(),
            e => panic!("{e:?}"),
        })
        .collect();
    assert_eq!(got, [msg("first"), msg("second")]);
    // A duplicate answer is ignored.
    c.handle_response(now, r1, Ok(resp("again").as_bytes()));
    assert_eq!(events(&mut c), []);
}

#[test]
fn failed_requests_are_sent_again_with_the_same_rid_and_body() {
    let (mut c, now) = created();
    c.send(msg("a"));
    let (r1, b1) = c.poll_request(now).unwrap();
    c.send(msg("b"));
    let (r2, b2) = c.poll_request(now).unwrap();
    c.handle_response(now, r1, Err(HttpFailure::Network));
    assert_eq!(c.poll_request(now), Some((r1, b1.clone())));
    c.handle_response(now, r1, Err(HttpFailure::Status(502)));
    assert_eq!(c.poll_request(now), Some((r1, b1)));
    // A response that never comes: the deadline is wait + grace.
    let deadline = c.poll_timeout().unwrap();
    assert!(deadline > now + Duration::from_secs(30));
    c.handle_timeout(deadline);
    let again: Vec<_> = std::iter::from_fn(|| c.poll_request(deadline)).collect();
    assert_eq!(again.len(), 2);
    assert!(again.contains(&(r2, b2)));
    // Too many failures end the session.
    for _ in 0..3 {
        c.handle_response(deadline, r1, Err(HttpFailure::Network));
        let _ = c.poll_request(deadline);
    }
    assert!(c.is_terminated());
    assert_eq!(
        events(&mut c).last(),
        Some(&ClientEvent::Terminated(Termination::Http(
            HttpFailure::Network
        )))
    );
}

#[test]
fn legacy_http_errors_end_the_session() {
    let (mut c, now) = created();
    let (r1, _) = c.poll_request(now).unwrap();
    c.handle_response(now, r1, Err(HttpFailure::Status(404)));
    assert_eq!(
        events(&mut c),
        [ClientEvent::Terminated(Termination::Http(
            HttpFailure::Status(404)
        ))]
    );
}

#[test]
fn report_and_recoverable_error_trigger_resends() {
    let (mut c, now) = created();
    c.send(msg("a"));
    let (r1, b1) = c.poll_request(now).unwrap();
    c.send(msg("b"));
    let (r2, _) = c.poll_request(now).unwrap();
    // The CM says the response to r1 went missing.
    let report =
        format!("<body xmlns='http://jabber.org/protocol/httpbind' report='{r1}' time='900'/>");
    c.handle_response(now, r2, Ok(report.as_bytes()));
    assert_eq!(c.poll_request(now), Some((r1, b1.clone())));
    // Two HTTP requests carry r1 now. A recoverable binding error on one
    // of them is what the CM answers a superseded request with: ignored.
    let error = b"<body xmlns='http://jabber.org/protocol/httpbind' type='error'/>";
    c.handle_response(now, r1, Ok(error));
    assert_eq!(c.poll_request(now), None);
    // On the only open one: r1 is sent again.
    c.handle_response(now, r1, Ok(error));
    assert_eq!(c.poll_request(now), Some((r1, b1)));
    c.handle_response(
        now,
        r1,
        Ok(b"<body xmlns='http://jabber.org/protocol/httpbind'/>"),
    );
    assert_eq!(events(&mut c), []);
}

#[test]
fn empty_requests_respect_polling() {
    let (mut c, now) = created();
    let (r1, b1) = c.poll_request(now).unwrap();
    assert!(body(&b1).payloads.is_empty());
    assert_eq!(c.poll_request(now), None, "hold='1' request already held");
    c.handle_response(
        now,
        r1,
        Ok(b"<body xmlns='http://jabber.org/protocol/httpbind'/>"),
    );
    // The next empty request waits for polling='2' seconds.
    assert_eq!(c.poll_request(now), None);
    assert_eq!(c.poll_timeout(), Some(now + Duration::from_secs(2)));
    let later = now + Duration::from_secs(2);
    let (r2, _) = c.poll_request(later).unwrap();
    assert_eq!(r2, r1 + 1);
    // Data does not wait for the polling interval.
    c.send(msg("x"));
    let (_, b) = c.poll_request(later).unwrap();
    assert_eq!(body(&b).stanzas(), [msg("x")]);
}

#[test]
fn restart_after_sasl() {
    let (mut c, now) = created();
    let (r1, _) = c.poll_request(now).unwrap();
    c.handle_response(
        now,
        r1,
        Ok(b"<body xmlns='http://jabber.org/protocol/httpbind'>\
             <success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></body>"),
    );
    assert!(matches!(&events(&mut c)[..], [ClientEvent::Received(_)]));
    c.restart().unwrap();
    c.send(msg("after"));
    let (r2, b2) = c.poll_request(now).unwrap();
    let b2 = body(&b2);
    assert!(b2.is_restart());
    assert!(b2.payloads.is_empty(), "a restart request is empty");
    assert_eq!(b2.to.as_deref(), Some("verona.example"));
    assert_eq!(b2.lang.as_deref(), Some("en"));
    assert!(b2.to_xml().contains("xmpp:restart='true'"));
    let (_, b3) = c.poll_request(now).unwrap();
    assert_eq!(body(&b3).stanzas(), [msg("after")]);
    c.handle_response(
        now,
        r2,
        Ok(b"<body xmlns='http://jabber.org/protocol/httpbind'>\
             <stream:features xmlns:stream='http://etherx.jabber.org/streams'/></body>"),
    );
    assert!(matches!(&events(&mut c)[..], [ClientEvent::Received(_)]));
}

#[test]
fn terminate_with_unavailable_presence() {
    let (mut c, now) = created();
    let (r1, _) = c.poll_request(now).unwrap();
    c.send(msg("x"));
    let (r2, _) = c.poll_request(now).unwrap();
    c.send(Stanza::Presence(Presence::of_type(
        PresenceType::Unavailable,
        None,
    )));
    c.terminate().unwrap();
    // One request beyond `requests` is allowed for terminate.
    let (r3, b3) = c.poll_request(now).unwrap();
    let b3 = body(&b3);
    assert!(b3.is_terminate());
    assert_eq!(b3.stanzas().len(), 1);
    assert_eq!(c.poll_request(now), None);
    let empty = b"<body xmlns='http://jabber.org/protocol/httpbind'/>";
    c.handle_response(now, r2, Ok(empty));
    c.handle_response(now, r3, Ok(empty));
    c.handle_response(
        now,
        r1,
        Ok(b"<body xmlns='http://jabber.org/protocol/httpbind' type='terminate'/>"),
    );
    assert_eq!(
        events(&mut c),
        [ClientEvent::Terminated(Termination::Requested)]
    );
    assert!(c.is_terminated());
}

#[test]
fn remote_stream_error_and_see_other_uri() {
    let (mut c, now) = created();
    let (r1, _) = c.poll_request(now).unwrap();
    c.handle_response(
        now,
        r1,
        Ok(format!(
            "<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' condition='remote-stream-error'>{}\
             <stream:error xmlns:stream='http://etherx.jabber.org/streams'>\
             <system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></body>",
            msg("last").to_xml()
        )
        .as_bytes()),
    );
    let ev = events(&mut c);
    assert_eq!(ev.len(), 2);
    assert!(matches!(&ev[0], ClientEvent::Received(_)));
    let ClientEvent::Terminated(Termination::ByManager {
        condition: Some(Condition::RemoteStreamError),
        stream_error: Some(e),
        ..
    }) = &ev[1]
    else {
        panic!("{ev:?}")
    };
    assert_eq!(e.condition, xep_core::StreamCondition::SystemShutdown);

    let (mut c, now) = created();
    let (r1, _) = c.poll_request(now).unwrap();
    c.handle_response(
        now,
        r1,
        Ok(
            b"<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' \
             condition='see-other-uri'><uri>https://other.example/bosh</uri></body>",
        ),
    );
    assert!(matches!(
        &events(&mut c)[..],
        [ClientEvent::Terminated(Termination::ByManager { uri: Some(u), .. })] if u == "https://other.example/bosh"
    ));
}

#[test]
fn pause_and_resume() {
    let (mut c, now) = created();
    assert_eq!(c.pause(101), Err(ClientError::PauseNotAllowed));
    let (r1, _) = c.poll_request(now).unwrap();
    c.pause(60).unwrap();
    let (r2, b2) = c.poll_request(now).unwrap();
    assert_eq!(body(&b2).pause, Some(60));
    let empty = b"<body xmlns='http://jabber.org/protocol/httpbind'/>";
    c.handle_response(now, r1, Ok(empty));
    c.handle_response(now, r2, Ok(empty));
    c.send(msg("queued"));
    assert_eq!(c.poll_request(now), None, "paused");
    c.resume();
    let (_, b) = c.poll_request(now).unwrap();
    assert_eq!(body(&b).stanzas(), [msg("queued")]);
}

#[test]
fn a_bad_response_body_is_retried_then_fatal() {
    let (mut c, now) = created();
    let (r1, b1) = c.poll_request(now).unwrap();
    c.handle_response(now, r1, Ok(b"<html>proxy error</html>"));
    assert_eq!(c.poll_request(now), Some((r1, b1)));
    let mut cfg = ClientConfig::xmpp("verona.example");
    cfg.body_limit = 10;
    let mut c = ClientSession::new(cfg, RID).unwrap();
    let (rid, _) = c.poll_request(now).unwrap();
    for _ in 0..4 {
        c.handle_response(now, rid, Ok(creation_response()));
        let _ = c.poll_request(now);
    }
    assert!(matches!(
        &events(&mut c)[..],
        [ClientEvent::Terminated(Termination::Protocol(m))] if m.contains("exceeds the limit")
    ));
}

// The connection manager, scripted.

const SID: &str = "cm-sid-1";

fn req(xml: &str) -> Body {
    body(xml.as_bytes())
}

fn responses(cm: &mut CmSession) -> Vec<(u64, Body)> {
    std::iter::from_fn(|| cm.poll_response())
        .map(|(c, b)| (c, body(&b)))
        .collect()
}

fn cm_events(cm: &mut CmSession) -> Vec<CmEvent> {
    std::iter::from_fn(|| cm.poll_event()).collect()
}

fn new_cm(now: Instant, hold: u8) -> CmSession {
    let creation = req(&format!(
        "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' rid='100' \
         to='verona.example' wait='20' hold='{hold}' ack='1' ver='1.11' xmpp:version='1.0'/>"
    ));
    let config = CmConfig {
        max_hold: 2,
        ..CmConfig::default()
    };
    let mut cm = CmSession::new(now, SID.into(), 1, &creation, config).unwrap();
    let r = responses(&mut cm);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, 1);
    cm
}

fn r(rid: u64, inner: &str) -> Body {
    req(&format!(
        "<body xmlns='http://jabber.org/protocol/httpbind' sid='{SID}' rid='{rid}'>{inner}</body>"
    ))
}

#[test]
fn cm_session_creation_response() {
    let now = Instant::now();
    let creation = req(
        "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' rid='100' \
         to='verona.example' wait='90' hold='3' ack='1' ver='1.6' xmpp:version='1.0' content='text/html'/>",
    );
    let mut cm = CmSession::new(now, SID.into(), 9, &creation, CmConfig::default()).unwrap();
    let (conn, b) = &responses(&mut cm)[0];
    assert_eq!(*conn, 9);
    assert_eq!(b.sid.as_deref(), Some(SID));
    assert_eq!((b.wait, b.hold, b.requests), (Some(60), Some(1), Some(2)));
    assert_eq!(
        (b.polling, b.inactivity, b.maxpause),
        (Some(2), Some(30), Some(120))
    );
    assert_eq!(b.ack, Rid::new(100));
    assert_eq!(b.xmpp_version.as_deref(), Some("1.0"));
    assert!(b.xmpp_restartlogic.unwrap().value);
    assert_eq!(cm.content_type(), "text/html");
    // Refusals.
    let no_rid = req("<body xmlns='http://jabber.org/protocol/httpbind' to='x.example'/>");
    let e = CmSession::new(now, SID.into(), 1, &no_rid, CmConfig::default()).unwrap_err();
    assert_eq!(body(&e).condition, Some(Condition::BadRequest));
    let no_to = req("<body xmlns='http://jabber.org/protocol/httpbind' rid='5'/>");
    let e = CmSession::new(now, SID.into(), 1, &no_to, CmConfig::default()).unwrap_err();
    assert_eq!(body(&e).condition, Some(Condition::ImproperAddressing));
}

#[test]
fn cm_holds_and_answers_when_payloads_arrive_or_wait_passes() {
    let now = Instant::now();
    let mut cm = new_cm(now, 1);
    cm.handle_request(now, 2, r(101, &msg("c1").to_xml()));
    assert!(matches!(&cm_events(&mut cm)[..], [CmEvent::Received(_)]));
    assert_eq!(responses(&mut cm), [], "held");
    assert_eq!(cm.poll_timeout(), Some(now + Duration::from_secs(20)));
    // A second request: the first is answered (hold='1').
    cm.handle_request(now, 3, r(102, ""));
    let out = responses(&mut cm);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, 2);
    assert_eq!(out[0].1.ack, Rid::new(102), "acks the newer request");
    // The server sends: the held request carries it.
    let later = now + Duration::from_secs(1);
    cm.send(later, msg("s1"));
    let out = responses(&mut cm);
    assert_eq!(out[0].0, 3);
    assert_eq!(out[0].1.stanzas(), [msg("s1")]);
    assert_eq!(out[0].1.ack, None, "the rid being answered is not acked");
    // Wait passes on an empty hold.
    cm.handle_request(later, 4, r(103, ""));
    cm.handle_timeout(later + Duration::from_secs(20));
    let out = responses(&mut cm);
    assert_eq!(out.len(), 1);
    assert!(out[0].1.payloads.is_empty());
}

#[test]
fn cm_orders_by_rid_and_answers_repeats_from_the_cache() {
    let now = Instant::now();
    let mut cm = new_cm(now, 1);
    // 102 before 101: nothing is forwarded until 101 arrives.
    cm.handle_request(now, 3, r(102, &msg("second").to_xml()));
    assert_eq!(cm_events(&mut cm), []);
    cm.handle_request(now, 2, r(101, &msg("first").to_xml()));
    let got: Vec<Stanza> = cm_events(&mut cm)
        .into_iter()
        .map(|e| match e {
            CmEvent::Received(p) => p.get::<Stanza>().unwrap().unwrap(),
            e => panic!("{e:?}"),
        })
        .collect();
    assert_eq!(got, [msg("first"), msg("second")]);
    let out = responses(&mut cm);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, 2);
    // The response to 101 is lost; the client asks again.
    cm.handle_request(now, 4, r(101, &msg("first").to_xml()));
    let again = responses(&mut cm);
    assert_eq!(again, [(4, out[0].1.clone())]);
    assert_eq!(cm_events(&mut cm), [], "not forwarded twice");
    // A repeat of the held 102 moves it to the new connection.
    cm.handle_request(now, 5, r(102, &msg("second").to_xml()));
    let out = responses(&mut cm);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, 3);
    assert!(out[0].1.is_recoverable_error());
    cm.send(now, msg("s"));
    assert_eq!(responses(&mut cm)[0].0, 5);
    // Too old for the cache: item-not-found.
    let mut cm2 = new_cm(now, 1);
    cm2.handle_request(now, 2, r(99, ""));
    assert_eq!(
        responses(&mut cm2)[0].1.condition,
        Some(Condition::ItemNotFound)
    );
    assert!(cm2.is_terminated());
}

#[test]
fn cm_rejects_rids_beyond_the_window_and_too_many_requests() {
    let now = Instant::now();
    let mut cm = new_cm(now, 1);
    cm.handle_request(now, 2, r(104, ""));
    let out = responses(&mut cm);
    assert_eq!(out[0].1.condition, Some(Condition::ItemNotFound));
    assert_eq!(
        cm_events(&mut cm),
        [CmEvent::Terminated(CmTermination::Violation(
            Condition::ItemNotFound
        ))]
    );

    let mut cm = new_cm(now, 1);
    cm.handle_request(now, 2, r(102, ""));
    cm.handle_request(now, 3, r(103, ""));
    cm.handle_request(now, 4, r(101, ""));
    // 101..=103 are all open with requests='2'.
    assert!(cm.is_terminated());
    let out = responses(&mut cm);
    assert_eq!(out.len(), 3);
    assert!(
        out.iter()
            .all(|(_, b)| b.condition == Some(Condition::PolicyViolation))
    );
    // Wrong sid: refused, session untouched.
    let mut cm = new_cm(now, 1);
    cm.handle_request(
        now,
        2,
        req("<body xmlns='http://jabber.org/protocol/httpbind' sid='other' rid='101'/>"),
    );
    assert_eq!(
        responses(&mut cm)[0].1.condition,
        Some(Condition::ItemNotFound)
    );
    assert!(!cm.is_terminated());
}

#[test]
fn cm_polling_session_enforces_polling() {
    let now = Instant::now();
    let mut cm = new_cm(now, 0);
    assert_eq!(cm.hold(), 0);
    cm.handle_request(now, 2, r(101, ""));
    assert_eq!(responses(&mut cm).len(), 1, "answered at once");
    // Too soon after an empty answer.
    cm.handle_request(now + Duration::from_secs(1), 3, r(102, ""));
    let out = responses(&mut cm);
    assert_eq!(out[0].1.condition, Some(Condition::PolicyViolation));
    // In time is fine.
    let mut cm = new_cm(now, 0);
    cm.handle_request(now, 2, r(101, ""));
    cm.handle_request(now + Duration::from_secs(2), 3, r(102, ""));
    assert!(!cm.is_terminated());
}

#[test]
fn cm_inactivity_ends_silently() {
    let now = Instant::now();
    let mut cm = new_cm(now, 1);
    let t = cm.poll_timeout().unwrap();
    assert_eq!(t, now + Duration::from_secs(30));
    cm.handle_timeout(t);
    assert_eq!(
        cm_events(&mut cm),
        [CmEvent::Terminated(CmTermination::Inactive)]
    );
    assert_eq!(responses(&mut cm), []);
    cm.handle_request(t, 2, r(101, ""));
    assert_eq!(
        responses(&mut cm)[0].1.condition,
        Some(Condition::ItemNotFound)
    );
}

#[test]
fn cm_terminate_by_client_and_by_server() {
    let now = Instant::now();
    let mut cm = new_cm(now, 1);
    cm.handle_request(now, 2, r(101, ""));
    let unavailable = Stanza::Presence(Presence::of_type(PresenceType::Unavailable, None));
    cm.handle_request(
        now,
        3,
        req(&format!(
            "<body xmlns='http://jabber.org/protocol/httpbind' sid='{SID}' rid='102' type='terminate'>{}</body>",
            unavailable.to_xml()
        )),
    );
    let out = responses(&mut cm);
    assert_eq!(out.len(), 2);
    assert_eq!((out[0].0, out[0].1.is_terminate()), (2, true));
    assert_eq!((out[1].0, out[1].1.is_terminate()), (3, false));
    let ev = cm_events(&mut cm);
    assert!(matches!(
        &ev[..],
        [
            CmEvent::Received(_),
            CmEvent::Terminated(CmTermination::ByClient)
        ]
    ));

    let mut cm = new_cm(now, 1);
    cm.terminate(now, Some(Condition::SystemShutdown), vec![]);
    assert_eq!(responses(&mut cm), [], "no request to carry it yet");
    cm.handle_request(now, 2, r(101, ""));
    let out = responses(&mut cm);
    assert_eq!(out[0].1.condition, Some(Condition::SystemShutdown));
    assert!(out[0].1.is_terminate());
    assert_eq!(
        cm_events(&mut cm),
        [CmEvent::Terminated(CmTermination::ByServer(Some(
            Condition::SystemShutdown
        )))]
    );
}

#[test]
fn cm_restart_pause_and_report() {
    let now = Instant::now();
    let mut cm = new_cm(now, 1);
    cm.handle_request(
        now,
        2,
        req(&format!(
            "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' sid='{SID}' \
             rid='101' xmpp:restart='true' to='verona.example'>{}</body>",
            msg("ignored").to_xml()
        )),
    );
    assert_eq!(cm_events(&mut cm), [CmEvent::Restart]);
    cm.handle_request(
        now,
        3,
        req(&format!(
            "<body xmlns='http://jabber.org/protocol/httpbind' sid='{SID}' rid='102' pause='60'/>"
        )),
    );
    assert_eq!(
        cm_events(&mut cm),
        [CmEvent::Paused(Duration::from_secs(60))]
    );
    let out = responses(&mut cm);
    assert_eq!(out.iter().map(|o| o.0).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(cm.poll_timeout(), Some(now + Duration::from_secs(60)));
    // The client acks only 101: the answer to 102 went missing a while ago.
    let later = now + Duration::from_secs(5);
    cm.handle_request(
        later,
        4,
        req(&format!(
            "<body xmlns='http://jabber.org/protocol/httpbind' sid='{SID}' rid='103' ack='101'/>"
        )),
    );
    let out = responses(&mut cm);
    assert_eq!(out[0].0, 4);
    assert_eq!(out[0].1.report, Rid::new(102));
    assert_eq!(out[0].1.time, Some(5000));
}

#[test]
fn client_and_cm_scripted_together() {
    let now = Instant::now();
    let mut c = ClientSession::new(ClientConfig::xmpp("verona.example"), RID).unwrap();
    let (rid, creation) = c.poll_request(now).unwrap();
    let mut cm = CmSession::new(
        now,
        "joint".into(),
        rid,
        &body(&creation),
        CmConfig::default(),
    )
    .unwrap();
    let pump = |c: &mut ClientSession, cm: &mut CmSession| {
        while let Some((rid, b)) = c.poll_request(now) {
            cm.handle_request(now, rid, body(&b));
        }
        while let Some((rid, b)) = cm.poll_response() {
            c.handle_response(now, rid, Ok(&b));
        }
    };
    pump(&mut c, &mut cm);
    pump(&mut c, &mut cm);
    assert!(matches!(events(&mut c)[..], [ClientEvent::Created(_)]));
    c.send(msg("up"));
    cm.send(now, msg("down"));
    pump(&mut c, &mut cm);
    pump(&mut c, &mut cm);
    assert!(matches!(&cm_events(&mut cm)[..], [CmEvent::Received(_)]));
    assert!(matches!(&events(&mut c)[..], [ClientEvent::Received(_)]));
    c.terminate().unwrap();
    pump(&mut c, &mut cm);
    pump(&mut c, &mut cm);
    assert_eq!(
        events(&mut c),
        [ClientEvent::Terminated(Termination::Requested)]
    );
    assert_eq!(
        cm_events(&mut cm),
        [CmEvent::Terminated(CmTermination::ByClient)]
    );
}

// The simulation (crate::sim).

#[test]
fn sim_plain_exchange() {
    use crate::sim::{Op, check};
    let now = Instant::now();
    check(now, 1, &[]);
    check(
        now,
        1,
        &[
            Op::ClientSend(3),
            Op::ServerSend(2),
            Op::DeliverRequest(0),
            Op::DeliverResponse(0),
            Op::ClientSend(1),
            Op::DeliverRequest(1),
            Op::DeliverRequest(0),
            Op::Restart,
            Op::ServerSend(3),
            Op::DeliverResponse(1),
            Op::DeliverResponse(0),
            Op::Tick(30_000),
        ],
    );
}

#[test]
fn sim_survives_the_loss_of_any_single_response_or_request() {
    use crate::sim::{Op, check};
    let now = Instant::now();
    let base = [
        Op::DeliverRequest(0),
        Op::DeliverResponse(0),
        Op::ClientSend(2),
        Op::ServerSend(1),
        Op::DeliverRequest(0),
        Op::DeliverRequest(0),
        Op::DeliverResponse(0),
        Op::ClientSend(1),
        Op::ServerSend(2),
        Op::DeliverRequest(0),
        Op::DeliverResponse(0),
        Op::DeliverResponse(0),
        Op::Tick(25_000),
        Op::DeliverResponse(0),
    ];
    for hold in [0, 1, 2] {
        for at in 0..=base.len() {
            for notify in [false, true] {
                for op in [Op::DropResponse(0, notify), Op::DropRequest(0, notify)] {
                    let mut ops = base.to_vec();
                    ops.insert(at, op.clone());
                    eprintln!("case hold={hold} at={at} {op:?}");
                    check(now, hold, &ops);
                }
            }
        }
    }
}

fn sim_op() -> impl Strategy<Value = crate::sim::Op> {
    use crate::sim::Op;
    prop_oneof![
        (1u8..4).prop_map(Op::ClientSend),
        (1u8..4).prop_map(Op::ServerSend),
        any::<u8>().prop_map(Op::DeliverRequest),
        any::<u8>().prop_map(Op::DeliverResponse),
        (any::<u8>(), any::<bool>()).prop_map(|(i, n)| Op::DropRequest(i, n)),
        (any::<u8>(), any::<bool>()).prop_map(|(i, n)| Op::DropResponse(i, n)),
        (0u16..30_000).prop_map(Op::Tick),
        Just(Op::Restart),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn sim_schedules_deliver_everything_once_in_order(
        hold in 0u8..3,
        ops in proptest::collection::vec(sim_op(), 0..80),
    ) {
        crate::sim::check(Instant::now(), hold, &ops);
    }

    #[test]
    fn sim_fuzz_never_fails_on_random_bytes(
        data in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        crate::sim::fuzz(Instant::now(), &data);
    }
}

#[test]
fn sim_regression_1() {
    use crate::sim::{Op::*, check};
    check(
        Instant::now(),
        2,
        &[
            ClientSend(1),
            DeliverRequest(0),
            ClientSend(1),
            DeliverResponse(0),
            DropRequest(13, true),
            ClientSend(1),
            Tick(25000),
            DeliverResponse(20),
            DropRequest(96, false),
        ],
    );
}

#[test]
fn cm_repeats_of_creation_stuck_requests_and_late_copies() {
    let now = Instant::now();
    let mut cm = new_cm(now, 1);
    // The creation response was lost: the creation request comes again.
    let creation = req(
        "<body xmlns='http://jabber.org/protocol/httpbind' rid='100' to='verona.example' wait='20' hold='1' ack='1'/>",
    );
    assert_eq!(cm.creation_rid(), 100);
    cm.handle_request(now, 7, creation);
    let out = responses(&mut cm);
    assert_eq!(out[0].0, 7);
    assert_eq!(out[0].1.sid.as_deref(), Some(SID));
    // 102 waits behind a missing 101; after `wait` it is answered with a
    // recoverable error so that the client sends both again.
    cm.handle_request(now, 3, r(102, ""));
    let later = now + Duration::from_secs(20);
    assert_eq!(cm.poll_timeout(), Some(later));
    cm.handle_timeout(later);
    let out = responses(&mut cm);
    assert_eq!(out.len(), 1);
    assert!(out[0].1.is_recoverable_error());
    assert!(!cm.is_terminated());
    cm.handle_request(later, 4, r(101, ""));
    cm.handle_request(later, 5, r(102, ""));
    assert_eq!(responses(&mut cm).len(), 1, "101 answered, 102 held");
    // The client acknowledges 102's predecessors; a late copy of 101 is
    // harmless.
    cm.handle_request(
        later,
        6,
        req(&format!(
            "<body xmlns='http://jabber.org/protocol/httpbind' sid='{SID}' rid='103' ack='101'/>"
        )),
    );
    let _ = responses(&mut cm);
    cm.handle_request(later, 8, r(101, ""));
    let out = responses(&mut cm);
    assert_eq!(out.len(), 1);
    assert!(out[0].1.is_recoverable_error());
    assert!(!cm.is_terminated());
}
