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

fn events(c: &mut client::Session) -> Vec<client::Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

fn creation_response() -> &'static [u8] {
    b"<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' \
      sid='s-77' wait='30' hold='1' requests='2' polling='2' inactivity='20' maxpause='100' \
      ack='4000000000' ver='1.11' from='verona.example' xmpp:version='1.0' xmpp:restartlogic='true'/>"
}

/// A client that sent its session creation request: the client, the
/// request's rid and `now`.
fn creating() -> (client::Session, Rid, Instant) {
    let now = Instant::now();
    let mut c = client::Session::new(client::Config::xmpp("verona.example"), RID).unwrap();
    let client::Request { rid, body: _ } = c.poll_request(now).unwrap();
    (c, rid, now)
}

/// A client whose session `response` created; returns it with `now`.
fn created_by(response: &[u8]) -> (client::Session, Instant) {
    let (mut c, rid, now) = creating();
    c.handle_response(now, rid, Ok(response));
    assert!(matches!(events(&mut c)[..], [client::Event::Created(_)]));
    (c, now)
}

/// A client whose session is created; returns it with `now`.
fn created() -> (client::Session, Instant) {
    created_by(creation_response())
}

#[test]
fn initial_rid_is_validated() {
    let cfg = client::Config::xmpp("verona.example");
    assert_eq!(
        client::Session::new(cfg.clone(), 0).unwrap_err(),
        client::Error::BadInitialRid(0)
    );
    assert!(client::Session::new(cfg.clone(), MAX_RID).is_err());
    assert!(client::Session::new(cfg.clone(), MAX_RID - (1 << 32)).is_ok());
    assert!(client::Session::new(cfg, 1).is_ok());
}

#[test]
fn session_creation_request_and_response() {
    let now = Instant::now();
    let mut cfg = client::Config::xmpp("verona.example");
    cfg.route = Some("xmpp:verona.example:5222".into());
    cfg.content = Some("text/xml; charset=utf-8".into());
    cfg.from = Some("romeo@verona.example".into());
    let mut c = client::Session::new(cfg, RID).unwrap();
    let client::Request { rid, body: bytes } = c.poll_request(now).unwrap();
    assert_eq!(rid.get(), RID);
    // Nothing else before the session exists.
    c.send(now, msg("early"));
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
    let client::Event::Created(p) = &ev[0] else {
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
    let client::Request { rid: r1, body: b1 } = c.poll_request(now).unwrap();
    assert_eq!(r1.get(), RID + 1);
    let b1 = body(&b1);
    assert_eq!(b1.sid.as_deref(), Some("s-77"));
    assert_eq!(b1.stanzas(), [msg("early")]);
    assert_eq!(b1.ack, None, "every earlier response was received");
    assert_eq!(c.poll_request(now), None, "hold='1' is used");
    // New data uses the second of requests='2'.
    c.send(now, msg("m2"));
    let client::Request { rid: r2, body: b2 } = c.poll_request(now).unwrap();
    assert_eq!(r2.get(), RID + 2);
    let b2 = body(&b2);
    assert_eq!(b2.stanzas(), [msg("m2")]);
    assert_eq!(b2.ack, Rid::new(RID), "request RID+1 is unanswered");
    // requests='2' are outstanding: nothing more, even with data queued.
    c.send(now, msg("m3"));
    assert_eq!(c.poll_request(now), None);
}

#[test]
fn creation_without_sid_or_with_terminate() {
    let (mut c, rid, now) = creating();
    c.handle_response(
        now,
        rid,
        Ok(b"<body xmlns='http://jabber.org/protocol/httpbind' wait='5'/>"),
    );
    assert!(matches!(
        &events(&mut c)[..],
        [client::Event::Terminated(client::Termination::Protocol(m))] if m.contains("'sid'")
    ));
    assert!(c.is_terminated());
    assert_eq!(c.poll_request(now), None);

    let mut c = client::Session::new(client::Config::xmpp("nowhere.example"), RID).unwrap();
    let client::Request { rid, body: _ } = c.poll_request(now).unwrap();
    c.handle_response(
        now,
        rid,
        Ok(b"<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' condition='host-unknown'/>"),
    );
    assert_eq!(
        events(&mut c),
        [client::Event::Terminated(client::Termination::ByManager {
            condition: Some(Condition::HostUnknown),
            uri: None,
            stream_error: None
        })]
    );
}

#[test]
fn responses_are_processed_in_rid_order() {
    let (mut c, now) = created();
    c.send(now, msg("a"));
    let client::Request { rid: r1, body: _ } = c.poll_request(now).unwrap();
    c.send(now, msg("b"));
    let client::Request { rid: r2, body: _ } = c.poll_request(now).unwrap();
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
            client::Event::Received(p) => p.get::<Stanza>().unwrap().unwrap(),
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
    c.send(now, msg("a"));
    let client::Request { rid: r1, body: b1 } = c.poll_request(now).unwrap();
    c.send(now, msg("b"));
    let client::Request { rid: r2, body: b2 } = c.poll_request(now).unwrap();
    c.handle_response(now, r1, Err(client::HttpFailure::Network));
    assert_eq!(
        c.poll_request(now),
        Some(client::Request {
            rid: r1,
            body: b1.clone()
        })
    );
    c.handle_response(now, r1, Err(client::HttpFailure::Status(502)));
    assert_eq!(
        c.poll_request(now),
        Some(client::Request { rid: r1, body: b1 })
    );
    // A response that never comes: the deadline is wait + grace.
    let deadline = c.poll_timeout().unwrap();
    assert!(deadline > now + Duration::from_secs(30));
    c.handle_timeout(deadline);
    let again: Vec<_> = std::iter::from_fn(|| c.poll_request(deadline)).collect();
    assert_eq!(again.len(), 2);
    assert!(again.contains(&client::Request { rid: r2, body: b2 }));
    // Too many failures end the session.
    for _ in 0..3 {
        c.handle_response(deadline, r1, Err(client::HttpFailure::Network));
        let _ = c.poll_request(deadline);
    }
    assert!(c.is_terminated());
    assert_eq!(
        events(&mut c).last(),
        Some(&client::Event::Terminated(client::Termination::Http(
            client::HttpFailure::Network
        )))
    );
}

/// In a polling session the manager holds nothing, so a poll that gets
/// no answer within the grace period is lost: it is sent again then, not
/// after `wait`, which would leave the manager without a request for
/// longer than its `inactivity` (found by the `bosh-machine` fuzz target:
/// a lost poll resent after wait + grace reached the manager 40.5 s after
/// its last response, and the session ended as inactive).
#[test]
fn a_lost_poll_is_sent_again_after_the_grace_period_alone() {
    let (mut c, now) = created_by(
        b"<body xmlns='http://jabber.org/protocol/httpbind' sid='s-78' wait='60' \
          hold='0' requests='1' polling='2' inactivity='30' ver='1.11'/>",
    );
    c.send(now, msg("a"));
    let client::Request { rid: r1, body: b1 } = c.poll_request(now).unwrap();
    let grace = client::Config::xmpp("verona.example").grace;
    assert_eq!(c.poll_timeout(), Some(now + grace));
    c.handle_timeout(now + grace);
    assert_eq!(
        c.poll_request(now + grace),
        Some(client::Request { rid: r1, body: b1 })
    );
}

#[test]
fn legacy_http_errors_end_the_session() {
    let (mut c, now) = created();
    let client::Request { rid: r1, body: _ } = c.poll_request(now).unwrap();
    c.handle_response(now, r1, Err(client::HttpFailure::Status(404)));
    assert_eq!(
        events(&mut c),
        [client::Event::Terminated(client::Termination::Http(
            client::HttpFailure::Status(404)
        ))]
    );
}

#[test]
fn report_and_recoverable_error_trigger_resends() {
    let (mut c, now) = created();
    c.send(now, msg("a"));
    let client::Request { rid: r1, body: b1 } = c.poll_request(now).unwrap();
    c.send(now, msg("b"));
    let client::Request { rid: r2, body: _ } = c.poll_request(now).unwrap();
    // The CM says the response to r1 went missing.
    let report =
        format!("<body xmlns='http://jabber.org/protocol/httpbind' report='{r1}' time='900'/>");
    c.handle_response(now, r2, Ok(report.as_bytes()));
    assert_eq!(
        c.poll_request(now),
        Some(client::Request {
            rid: r1,
            body: b1.clone()
        })
    );
    // Two HTTP requests carry r1 now. A recoverable binding error on one
    // of them is what the CM answers a superseded request with: ignored.
    let error = b"<body xmlns='http://jabber.org/protocol/httpbind' type='error'/>";
    c.handle_response(now, r1, Ok(error));
    assert_eq!(c.poll_request(now), None);
    // On the only open one: r1 is sent again.
    c.handle_response(now, r1, Ok(error));
    assert_eq!(
        c.poll_request(now),
        Some(client::Request { rid: r1, body: b1 })
    );
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
    let client::Request { rid: r1, body: b1 } = c.poll_request(now).unwrap();
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
    let client::Request { rid: r2, body: _ } = c.poll_request(later).unwrap();
    assert_eq!(r2.get(), r1.get() + 1);
    // Data does not wait for the polling interval.
    c.send(now, msg("x"));
    let client::Request { rid: _, body: b } = c.poll_request(later).unwrap();
    assert_eq!(body(&b).stanzas(), [msg("x")]);
}

#[test]
fn restart_after_sasl() {
    let (mut c, now) = created();
    let client::Request { rid: r1, body: _ } = c.poll_request(now).unwrap();
    c.handle_response(
        now,
        r1,
        Ok(b"<body xmlns='http://jabber.org/protocol/httpbind'>\
             <success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></body>"),
    );
    assert!(matches!(&events(&mut c)[..], [client::Event::Received(_)]));
    c.restart().unwrap();
    c.send(now, msg("after"));
    let client::Request { rid: r2, body: b2 } = c.poll_request(now).unwrap();
    let b2 = body(&b2);
    assert!(b2.is_restart());
    assert!(b2.payloads.is_empty(), "a restart request is empty");
    assert_eq!(b2.to.as_deref(), Some("verona.example"));
    assert_eq!(b2.lang.as_deref(), Some("en"));
    assert!(b2.to_xml().contains("xmpp:restart='true'"));
    let client::Request { rid: _, body: b3 } = c.poll_request(now).unwrap();
    assert_eq!(body(&b3).stanzas(), [msg("after")]);
    c.handle_response(
        now,
        r2,
        Ok(b"<body xmlns='http://jabber.org/protocol/httpbind'>\
             <stream:features xmlns:stream='http://etherx.jabber.org/streams'/></body>"),
    );
    assert!(matches!(&events(&mut c)[..], [client::Event::Received(_)]));
}

#[test]
fn terminate_with_unavailable_presence() {
    let (mut c, now) = created();
    let client::Request { rid: r1, body: _ } = c.poll_request(now).unwrap();
    c.send(now, msg("x"));
    let client::Request { rid: r2, body: _ } = c.poll_request(now).unwrap();
    c.send(
        now,
        Stanza::Presence(Presence::of_type(PresenceType::Unavailable, None)),
    );
    c.terminate().unwrap();
    // One request beyond `requests` is allowed for terminate.
    let client::Request { rid: r3, body: b3 } = c.poll_request(now).unwrap();
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
        [client::Event::Terminated(client::Termination::Requested)]
    );
    assert!(c.is_terminated());
}

#[test]
fn remote_stream_error_and_see_other_uri() {
    let (mut c, now) = created();
    let client::Request { rid: r1, body: _ } = c.poll_request(now).unwrap();
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
    assert!(matches!(&ev[0], client::Event::Received(_)));
    let client::Event::Terminated(client::Termination::ByManager {
        condition: Some(Condition::RemoteStreamError),
        stream_error: Some(e),
        ..
    }) = &ev[1]
    else {
        panic!("{ev:?}")
    };
    assert_eq!(e.condition, xep_core::StreamCondition::SystemShutdown);

    let (mut c, now) = created();
    let client::Request { rid: r1, body: _ } = c.poll_request(now).unwrap();
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
        [client::Event::Terminated(client::Termination::ByManager { uri: Some(u), .. })] if u == "https://other.example/bosh"
    ));
}

#[test]
fn pause_and_resume() {
    let (mut c, now) = created();
    assert_eq!(c.pause(101), Err(client::Error::PauseNotAllowed));
    let client::Request { rid: r1, body: _ } = c.poll_request(now).unwrap();
    c.pause(60).unwrap();
    let client::Request { rid: r2, body: b2 } = c.poll_request(now).unwrap();
    assert_eq!(body(&b2).pause, Some(60));
    let empty = b"<body xmlns='http://jabber.org/protocol/httpbind'/>";
    c.handle_response(now, r1, Ok(empty));
    c.handle_response(now, r2, Ok(empty));
    c.send(now, msg("queued"));
    assert_eq!(c.poll_request(now), None, "paused");
    c.resume();
    let client::Request { rid: _, body: b } = c.poll_request(now).unwrap();
    assert_eq!(body(&b).stanzas(), [msg("queued")]);
}

#[test]
fn a_bad_response_body_is_retried_then_fatal() {
    let (mut c, now) = created();
    let client::Request { rid: r1, body: b1 } = c.poll_request(now).unwrap();
    c.handle_response(now, r1, Ok(b"<html>proxy error</html>"));
    assert_eq!(
        c.poll_request(now),
        Some(client::Request { rid: r1, body: b1 })
    );
    let mut cfg = client::Config::xmpp("verona.example");
    cfg.body_limit = 10;
    let mut c = client::Session::new(cfg, RID).unwrap();
    let client::Request { rid, body: _ } = c.poll_request(now).unwrap();
    for _ in 0..4 {
        c.handle_response(now, rid, Ok(creation_response()));
        let _ = c.poll_request(now);
    }
    assert!(matches!(
        &events(&mut c)[..],
        [client::Event::Terminated(client::Termination::Protocol(m))] if m.contains("exceeds the limit")
    ));
}

// The connection manager, scripted.

const SID: &str = "cm-sid-1";

fn req(xml: &str) -> Body {
    body(xml.as_bytes())
}

fn responses(cm: &mut cm::Session) -> Vec<(u64, Body)> {
    std::iter::from_fn(|| cm.poll_response())
        .map(|r| (r.conn, body(&r.body)))
        .collect()
}

fn cm_events(cm: &mut cm::Session) -> Vec<cm::Event> {
    std::iter::from_fn(|| cm.poll_event()).collect()
}

fn new_cm(now: Instant, hold: u8) -> cm::Session {
    let creation = req(&format!(
        "<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' rid='100' \
         to='verona.example' wait='20' hold='{hold}' ack='1' ver='1.11' xmpp:version='1.0'/>"
    ));
    let config = cm::Config {
        max_hold: 2,
        ..cm::Config::default()
    };
    let mut cm = cm::Session::new(now, SID.into(), 1, &creation, config).unwrap();
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
    let mut cm = cm::Session::new(now, SID.into(), 9, &creation, cm::Config::default()).unwrap();
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
    let e = cm::Session::new(now, SID.into(), 1, &no_rid, cm::Config::default()).unwrap_err();
    assert_eq!(body(&e).condition, Some(Condition::BadRequest));
    let no_to = req("<body xmlns='http://jabber.org/protocol/httpbind' rid='5'/>");
    let e = cm::Session::new(now, SID.into(), 1, &no_to, cm::Config::default()).unwrap_err();
    assert_eq!(body(&e).condition, Some(Condition::ImproperAddressing));
}

#[test]
fn cm_holds_and_answers_when_payloads_arrive_or_wait_passes() {
    let now = Instant::now();
    let mut cm = new_cm(now, 1);
    cm.handle_request(now, 2, r(101, &msg("c1").to_xml()));
    assert!(matches!(&cm_events(&mut cm)[..], [cm::Event::Received(_)]));
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
            cm::Event::Received(p) => p.get::<Stanza>().unwrap().unwrap(),
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
        [cm::Event::Terminated(cm::Termination::Violation(
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
        [cm::Event::Terminated(cm::Termination::Inactive)]
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
            cm::Event::Received(_),
            cm::Event::Terminated(cm::Termination::ByClient)
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
        [cm::Event::Terminated(cm::Termination::ByServer(Some(
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
    assert_eq!(cm_events(&mut cm), [cm::Event::Restart]);
    cm.handle_request(
        now,
        3,
        req(&format!(
            "<body xmlns='http://jabber.org/protocol/httpbind' sid='{SID}' rid='102' pause='60'/>"
        )),
    );
    assert_eq!(
        cm_events(&mut cm),
        [cm::Event::Paused(Duration::from_secs(60))]
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
    let mut c = client::Session::new(client::Config::xmpp("verona.example"), RID).unwrap();
    let client::Request {
        rid,
        body: creation,
    } = c.poll_request(now).unwrap();
    let mut cm = cm::Session::new(
        now,
        "joint".into(),
        rid.get(),
        &body(&creation),
        cm::Config::default(),
    )
    .unwrap();
    let pump = |c: &mut client::Session, cm: &mut cm::Session| {
        while let Some(client::Request { rid, body: b }) = c.poll_request(now) {
            cm.handle_request(now, rid.get(), body(&b));
        }
        // The connection numbers are the rids.
        while let Some(cm::Response { conn, body: b }) = cm.poll_response() {
            c.handle_response(now, Rid::new(conn).expect("a rid"), Ok(&b));
        }
    };
    pump(&mut c, &mut cm);
    pump(&mut c, &mut cm);
    assert!(matches!(events(&mut c)[..], [client::Event::Created(_)]));
    c.send(now, msg("up"));
    cm.send(now, msg("down"));
    pump(&mut c, &mut cm);
    pump(&mut c, &mut cm);
    assert!(matches!(&cm_events(&mut cm)[..], [cm::Event::Received(_)]));
    assert!(matches!(&events(&mut c)[..], [client::Event::Received(_)]));
    c.terminate().unwrap();
    pump(&mut c, &mut cm);
    pump(&mut c, &mut cm);
    assert_eq!(
        events(&mut c),
        [client::Event::Terminated(client::Termination::Requested)]
    );
    assert_eq!(
        cm_events(&mut cm),
        [cm::Event::Terminated(cm::Termination::ByClient)]
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
    drop_each_position(&base, |hold, ops| check(now, hold, ops));
}

/// Runs `run(hold, ops)` for every `hold` of 0..=2 and every schedule
/// made of `base` with one request or response dropped (with or without
/// the client being told) at each position.
fn drop_each_position(base: &[crate::sim::Op], run: impl Fn(u8, &[crate::sim::Op])) {
    use crate::sim::Op;
    for hold in [0, 1, 2] {
        for at in 0..=base.len() {
            for notify in [false, true] {
                for op in [Op::DropResponse(0, notify), Op::DropRequest(0, notify)] {
                    let mut ops = base.to_vec();
                    ops.insert(at, op.clone());
                    eprintln!("case hold={hold} at={at} {op:?}");
                    run(hold, &ops);
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The encoder inverts the decoder: every schedule the decoder gives
    /// encodes to bytes that decode to it again.
    #[test]
    fn sim_schedules_encode_to_bytes_that_decode_to_them(
        data in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let (hold, keys, ops) = crate::sim::schedule_from_bytes(&data);
        let bytes = crate::sim::schedule_to_bytes(hold, keys, &ops)
            .expect("a decoded schedule encodes");
        prop_assert_eq!(crate::sim::schedule_from_bytes(&bytes), (hold, keys, ops));
    }

    /// Schedules written by hand (the proptest's) encode when the decoder
    /// can express them, and then decode to themselves.
    #[test]
    fn sim_written_schedules_encode_when_expressible(
        hold in 0u8..4,
        keys in proptest::option::of(1u32..6),
        ops in proptest::collection::vec(sim_op(), 0..60),
    ) {
        if let Some(bytes) = crate::sim::schedule_to_bytes(hold, keys, &ops) {
            prop_assert_eq!(crate::sim::schedule_from_bytes(&bytes), (hold, keys, ops));
        }
    }
}

#[test]
fn sim_encoder_refuses_what_the_decoder_cannot_express() {
    use crate::sim::{Op, schedule_to_bytes};
    assert_eq!(schedule_to_bytes(1, None, &[]), Some(vec![1]));
    assert!(schedule_to_bytes(3, None, &[]).is_none());
    assert!(schedule_to_bytes(1, Some(3), &[]).is_none());
    assert!(schedule_to_bytes(1, None, &[Op::Tick(41)]).is_none());
    assert!(schedule_to_bytes(1, None, &[Op::Tick(10_240)]).is_none());
    assert!(schedule_to_bytes(1, None, &[Op::DropRequest(0x80, true)]).is_none());
    assert!(schedule_to_bytes(1, None, &[Op::ClientSend(0)]).is_none());
}

/// Replays the `bosh-machine` fuzz target's seeds (the scenarios of the
/// sim tests, as `cargo xtask fuzz-seed` writes them) and every crash
/// input kept under `fixtures/xep-bosh/fuzz/bosh-machine/`, as the fuzz
/// target runs them.
#[test]
fn sim_fuzz_seeds_and_crash_fixtures_replay() {
    assert!(crate::sim::dictionary().len() > 10);
    let seeds = crate::sim::seeds();
    assert!(seeds.len() >= 10);
    for (name, data) in &seeds {
        eprintln!("seed {name}");
        crate::sim::fuzz(Instant::now(), data);
    }
    for (path, data) in xep_element::testdata::crash_fixtures("xep-bosh", "bosh-machine") {
        eprintln!("replaying {}", path.display());
        crate::sim::fuzz(Instant::now(), &data);
    }
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

// Key sequencing (XEP-0124 §15).

/// `hex(SHA-1(data))`, computed here with the sha1 crate, independently of
/// the code under test.
fn sha1_hex(data: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    Sha1::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `[K(1), ..., K(n)]` of §15.3 for `seed`.
fn chain(seed: &[u8], n: usize) -> Vec<String> {
    let mut keys = vec![sha1_hex(seed)];
    while keys.len() < n {
        let next = sha1_hex(keys.last().unwrap().as_bytes());
        keys.push(next);
    }
    keys
}

/// The seed the client derives for its next sequence when none is
/// supplied, as documented on `KeyConfig`.
fn derived_seed(seed: &[u8]) -> Vec<u8> {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(b"xep-bosh next key seed\0");
    h.update(seed);
    h.finalize().to_vec()
}

fn keyed_client(seed: &[u8], n: u32) -> client::Session {
    let mut cfg = client::Config::xmpp("verona.example");
    cfg.keys = Some(KeyConfig::new(seed, n));
    client::Session::new(cfg, RID).unwrap()
}

/// The (key, newkey) of a request's bytes.
fn keys_of(bytes: &[u8]) -> (Option<String>, Option<String>) {
    let b = body(bytes);
    (b.key, b.newkey)
}

#[test]
fn sha1_chain_helper_matches_the_xep_example() {
    // §15.4's examples: the key of the second request hashes to the
    // newkey of the first. Checks the test's own helper on published
    // values.
    assert_eq!(
        sha1_hex(b"bfb06a6f113cd6fd3838ab9d300fdb4fe3da2f7d"),
        "ca393b51b682f61f98e7877d61146407f3d0a770"
    );
}

#[test]
fn client_key_sequence_is_the_sha1_chain_of_the_seed() {
    let now = Instant::now();
    let seed = b"seed";
    let k = chain(seed, 4);
    // Computed outside Rust: k=seed; k=$(printf %s "$k" | sha1sum), 4
    // times.
    assert_eq!(
        k,
        [
            "92713d4709377111cf31f2a71986c411bd6cb5b0",
            "c62acc6f8c0c715ca7c1c81bec6fea819c9c3c62",
            "e51fd1b46928409a0fdbd44bdae28d2d7741813b",
            "ee9d80e206e7496c89fc34c85bd3998b3cf2b741",
        ]
    );
    let next = chain(&derived_seed(seed), 4);
    let next2 = chain(&derived_seed(&derived_seed(seed)), 4);
    let mut c = keyed_client(seed, 4);
    let client::Request {
        rid,
        body: creation,
    } = c.poll_request(now).unwrap();
    // The creation request: newkey = K(4), no key.
    assert_eq!(keys_of(&creation), (None, Some(k[3].clone())));
    c.handle_response(now, rid, Ok(creation_response()));
    let mut sent = Vec::new();
    for i in 0..7 {
        c.send(now, msg(&i.to_string()));
        let client::Request { rid, body: bytes } = c.poll_request(now).unwrap();
        sent.push(keys_of(&bytes));
        c.handle_response(
            now,
            rid,
            Ok(b"<body xmlns='http://jabber.org/protocol/httpbind'/>"),
        );
    }
    let expected = vec![
        (Some(k[2].clone()), None),
        (Some(k[1].clone()), None),
        // The last key, K(1), with the first of a new sequence.
        (Some(k[0].clone()), Some(next[3].clone())),
        (Some(next[2].clone()), None),
        (Some(next[1].clone()), None),
        (Some(next[0].clone()), Some(next2[3].clone())),
        (Some(next2[2].clone()), None),
    ];
    assert_eq!(sent, expected);
}

#[test]
fn client_uses_a_supplied_seed_for_the_next_sequence() {
    let now = Instant::now();
    let k = chain(b"first", 3);
    let supplied = chain(b"second seed", 5);
    let mut c = keyed_client(b"first", 3);
    let client::Request {
        rid,
        body: creation,
    } = c.poll_request(now).unwrap();
    assert_eq!(keys_of(&creation), (None, Some(k[2].clone())));
    c.handle_response(now, rid, Ok(creation_response()));
    c.supply_key_seed(b"second seed".to_vec(), 5).unwrap();
    let mut sent = Vec::new();
    for i in 0..4 {
        c.send(now, msg(&i.to_string()));
        let client::Request { rid, body: bytes } = c.poll_request(now).unwrap();
        sent.push(keys_of(&bytes));
        c.handle_response(
            now,
            rid,
            Ok(b"<body xmlns='http://jabber.org/protocol/httpbind'/>"),
        );
    }
    assert_eq!(
        sent,
        vec![
            (Some(k[1].clone()), None),
            (Some(k[0].clone()), Some(supplied[4].clone())),
            (Some(supplied[3].clone()), None),
            (Some(supplied[2].clone()), None),
        ]
    );
}

#[test]
fn key_configuration_is_validated() {
    let cfg = |seed: &[u8], n| {
        let mut c = client::Config::xmpp("verona.example");
        c.keys = Some(KeyConfig::new(seed, n));
        c
    };
    assert_eq!(
        client::Session::new(cfg(b"s", 1), RID).unwrap_err(),
        client::Error::BadKeyLength(1)
    );
    assert_eq!(
        client::Session::new(cfg(b"s", MAX_KEY_SEQUENCE + 1), RID).unwrap_err(),
        client::Error::BadKeyLength(MAX_KEY_SEQUENCE + 1)
    );
    assert_eq!(
        client::Session::new(cfg(b"", 10), RID).unwrap_err(),
        client::Error::EmptyKeySeed
    );
    assert!(client::Session::new(cfg(b"s", 2), RID).is_ok());
    let mut c = client::Session::new(cfg(b"s", 10), RID).unwrap();
    assert_eq!(
        c.supply_key_seed(b"t".to_vec(), 0),
        Err(client::Error::BadKeyLength(0))
    );
    assert_eq!(
        c.supply_key_seed(Vec::new(), 10),
        Err(client::Error::EmptyKeySeed)
    );
    let mut plain = client::Session::new(client::Config::xmpp("verona.example"), RID).unwrap();
    assert_eq!(
        plain.supply_key_seed(b"t".to_vec(), 10),
        Err(client::Error::KeysNotEnabled)
    );
    // The seed stays out of debug output.
    let dbg = format!("{:?}", KeyConfig::new(b"secret-seed".to_vec(), 9));
    assert!(!dbg.contains("115"), "{dbg}"); // 's' as a byte
    assert!(dbg.contains("11 bytes"), "{dbg}");
    // Errors name the reason.
    assert!(
        client::Error::BadKeyLength(1)
            .to_string()
            .contains("key sequence length 1")
    );
}

#[test]
fn unkeyed_client_sends_no_keys() {
    let (mut c, now) = created();
    c.send(now, msg("a"));
    let client::Request {
        rid: _,
        body: bytes,
    } = c.poll_request(now).unwrap();
    assert_eq!(keys_of(&bytes), (None, None));
}

#[test]
fn a_request_sent_again_carries_the_same_key() {
    let now = Instant::now();
    let k = chain(b"retry", 6);
    let mut c = keyed_client(b"retry", 6);
    let client::Request {
        rid: rid0,
        body: creation,
    } = c.poll_request(now).unwrap();
    // The creation request fails and goes again with the same newkey.
    c.handle_response(now, rid0, Err(client::HttpFailure::Network));
    let client::Request {
        rid: again,
        body: creation2,
    } = c.poll_request(now).unwrap();
    assert_eq!(again, rid0);
    assert_eq!(keys_of(&creation2), (None, Some(k[5].clone())));
    assert_eq!(creation, creation2);
    c.handle_response(now, rid0, Ok(creation_response()));
    c.send(now, msg("a"));
    let client::Request {
        rid: rid1,
        body: first,
    } = c.poll_request(now).unwrap();
    assert_eq!(keys_of(&first).0.as_deref(), Some(k[4].as_str()));
    // A network failure: the same rid, the same key, not the next one.
    c.handle_response(now, rid1, Err(client::HttpFailure::Network));
    let client::Request {
        rid: r,
        body: again,
    } = c.poll_request(now).unwrap();
    assert_eq!(r, rid1);
    assert_eq!(keys_of(&again).0.as_deref(), Some(k[4].as_str()));
    // A recoverable error from the CM: again the same key.
    c.handle_response(
        now,
        rid1,
        Ok(b"<body xmlns='http://jabber.org/protocol/httpbind' type='error'/>"),
    );
    let client::Request {
        rid: r,
        body: again,
    } = c.poll_request(now).unwrap();
    assert_eq!(r, rid1);
    assert_eq!(keys_of(&again).0.as_deref(), Some(k[4].as_str()));
    // The next new request takes the next key.
    c.send(now, msg("b"));
    let client::Request {
        rid: r2,
        body: next,
    } = c.poll_request(now).unwrap();
    assert_eq!(r2.get(), rid1.get() + 1);
    assert_eq!(keys_of(&next).0.as_deref(), Some(k[3].as_str()));
}

#[test]
fn keyed_client_and_cm_cross_several_key_switches() {
    let now = Instant::now();
    let mut c = keyed_client(b"long exchange", 4);
    let client::Request {
        rid,
        body: creation,
    } = c.poll_request(now).unwrap();
    let mut cm = cm::Session::new(
        now,
        "keyed".into(),
        rid.get(),
        &body(&creation),
        cm::Config::default(),
    )
    .unwrap();
    assert!(cm.is_key_protected());
    let mut switches = 0;
    let mut keys_seen = 0;
    let mut pump = |c: &mut client::Session, cm: &mut cm::Session| {
        while let Some(client::Request { rid, body: b }) = c.poll_request(now) {
            let b = body(&b);
            keys_seen += usize::from(b.key.is_some());
            switches += usize::from(b.key.is_some() && b.newkey.is_some());
            cm.handle_request(now, rid.get(), b);
        }
        // The connection numbers are the rids.
        while let Some(cm::Response { conn, body: b }) = cm.poll_response() {
            c.handle_response(now, Rid::new(conn).expect("a rid"), Ok(&b));
        }
    };
    pump(&mut c, &mut cm);
    assert!(matches!(events(&mut c)[..], [client::Event::Created(_)]));
    let mut up = 0;
    let mut down = 0;
    for i in 0..20 {
        c.send(now, msg(&format!("up{i}")));
        cm.send(now, msg(&format!("down{i}")));
        pump(&mut c, &mut cm);
        pump(&mut c, &mut cm);
        for e in cm_events(&mut cm) {
            assert!(matches!(e, cm::Event::Received(_)), "{e:?}");
            up += 1;
        }
        for e in events(&mut c) {
            assert!(matches!(e, client::Event::Received(_)), "{e:?}");
            down += 1;
        }
    }
    assert_eq!((up, down), (20, 20));
    c.terminate().unwrap();
    pump(&mut c, &mut cm);
    pump(&mut c, &mut cm);
    // 20 requests with stanzas at least, the terminate one, and empty
    // ones; with 4 keys a sequence, a switch every third request.
    assert!(switches >= 2, "only {switches} switches");
    assert!(keys_seen >= 21, "only {keys_seen} keys");
    assert_eq!(
        events(&mut c),
        [client::Event::Terminated(client::Termination::Requested)]
    );
    assert_eq!(
        cm_events(&mut cm),
        [cm::Event::Terminated(cm::Termination::ByClient)]
    );
}

/// A CM for a session protected by keys whose creation request carried
/// `newkey` (rid 100, hold 1).
fn keyed_cm(now: Instant, newkey: &str) -> cm::Session {
    let creation = req(&format!(
        "<body xmlns='http://jabber.org/protocol/httpbind' rid='100' to='verona.example' \
         wait='20' hold='1' ack='1' newkey='{newkey}'/>"
    ));
    let mut cm = cm::Session::new(now, SID.into(), 1, &creation, cm::Config::default()).unwrap();
    assert!(cm.is_key_protected());
    assert_eq!(responses(&mut cm).len(), 1);
    cm
}

fn kr(rid: u64, key: Option<&str>, newkey: Option<&str>, inner: &str) -> Body {
    let key = key.map_or(String::new(), |k| format!(" key='{k}'"));
    let newkey = newkey.map_or(String::new(), |k| format!(" newkey='{k}'"));
    req(&format!(
        "<body xmlns='http://jabber.org/protocol/httpbind' sid='{SID}' rid='{rid}'{key}{newkey}>{inner}</body>"
    ))
}

/// Asserts that the CM ended with `fault`, telling every open request.
fn assert_key_fault(cm: &mut cm::Session, fault: cm::KeyFault, condition: Condition) {
    assert!(cm.is_terminated());
    let out = responses(cm);
    assert!(!out.is_empty());
    for (_, b) in &out {
        assert!(b.is_terminate());
        assert_eq!(b.condition, Some(condition.clone()));
    }
    let ev = cm_events(cm);
    assert_eq!(
        ev.last(),
        Some(&cm::Event::Terminated(cm::Termination::BadKey(fault)))
    );
    assert!(
        !ev.iter().any(|e| matches!(e, cm::Event::Received(_))),
        "the refused request was processed: {ev:?}"
    );
}

const STANZA: &str =
    "<message xmlns='jabber:client' to='n@verona.example' id='x'><body>x</body></message>";

#[test]
fn cm_accepts_the_key_chain_and_a_switch() {
    let now = Instant::now();
    let k = chain(b"cm seed", 5);
    let k2 = chain(b"cm seed 2", 3);
    // Case does not matter in the comparison (§15.3).
    let mut cm = keyed_cm(now, &k[4].to_ascii_uppercase());
    let steps = [
        (101, k[3].clone(), None),
        (102, k[2].clone(), None),
        (103, k[1].clone(), None),
        (104, k[0].clone(), Some(k2[2].clone())),
        (105, k2[1].clone(), None),
        (106, k2[0].clone(), Some(k[4].clone())),
    ];
    for (rid, key, newkey) in steps {
        cm.handle_request(now, rid, kr(rid, Some(&key), newkey.as_deref(), STANZA));
        assert!(!cm.is_terminated(), "rid {rid}");
        assert!(
            matches!(&cm_events(&mut cm)[..], [cm::Event::Received(_)]),
            "rid {rid}"
        );
        let _ = responses(&mut cm);
    }
    // Back to the first sequence, continued from its top: K(4).
    cm.handle_request(now, 107, kr(107, Some(&k[3]), None, STANZA));
    assert!(!cm.is_terminated());
}

#[test]
fn cm_rejects_a_wrong_key() {
    let now = Instant::now();
    let k = chain(b"cm seed", 5);
    let mut cm = keyed_cm(now, &k[4]);
    cm.handle_request(now, 2, kr(101, Some(&k[3]), None, ""));
    let _ = responses(&mut cm);
    // A key of another chain, well-formed.
    let other = chain(b"attacker", 5);
    cm.handle_request(now, 3, kr(102, Some(&other[2]), None, STANZA));
    assert_key_fault(
        &mut cm,
        cm::KeyFault::Mismatch { rid: 102 },
        Condition::ItemNotFound,
    );
}

#[test]
fn cm_rejects_a_replayed_key() {
    let now = Instant::now();
    let k = chain(b"cm seed", 5);
    let mut cm = keyed_cm(now, &k[4]);
    cm.handle_request(now, 2, kr(101, Some(&k[3]), None, ""));
    let _ = responses(&mut cm);
    // The key of 101, seen on the wire, in a new request.
    cm.handle_request(now, 3, kr(102, Some(&k[3]), None, STANZA));
    assert_key_fault(
        &mut cm,
        cm::KeyFault::Mismatch { rid: 102 },
        Condition::ItemNotFound,
    );
    // The session is gone for everyone, the legitimate request too.
    cm.handle_request(now, 4, kr(102, Some(&k[2]), None, STANZA));
    let out = responses(&mut cm);
    assert_eq!(out[0].1.condition, Some(Condition::ItemNotFound));
}

#[test]
fn cm_rejects_a_missing_key() {
    let now = Instant::now();
    let k = chain(b"cm seed", 5);
    let mut cm = keyed_cm(now, &k[4]);
    // The first request after creation already needs one; the held
    // request and this one are both told.
    cm.handle_request(now, 2, kr(101, Some(&k[3]), None, ""));
    assert!(responses(&mut cm).is_empty(), "101 is held");
    cm.handle_request(now, 3, kr(102, None, None, STANZA));
    let out = responses(&mut cm);
    let conns: Vec<u64> = out.iter().map(|(c, _)| *c).collect();
    assert_eq!(conns, [2, 3]);
    for (_, b) in &out {
        assert_eq!(b.condition, Some(Condition::ItemNotFound));
    }
    assert_eq!(
        cm_events(&mut cm),
        [cm::Event::Terminated(cm::Termination::BadKey(
            cm::KeyFault::Missing { rid: 102 }
        ))]
    );
    // A newkey alone is no key either.
    let mut cm = keyed_cm(now, &k[4]);
    cm.handle_request(now, 2, kr(101, None, Some(&k[4]), STANZA));
    assert_key_fault(
        &mut cm,
        cm::KeyFault::Missing { rid: 101 },
        Condition::ItemNotFound,
    );
}

#[test]
fn cm_checks_keys_in_rid_order_and_on_repeats() {
    let now = Instant::now();
    let k = chain(b"cm seed", 6);
    // Out of order: 102 waits for 101, then both are checked.
    let mut cm = keyed_cm(now, &k[5]);
    cm.handle_request(now, 3, kr(102, Some(&k[3]), None, STANZA));
    cm.handle_request(now, 2, kr(101, Some(&k[4]), None, STANZA));
    assert!(!cm.is_terminated());
    assert_eq!(cm_events(&mut cm).len(), 2);
    let _ = responses(&mut cm);
    // A repeat of 102 with its own key is answered from the cache or
    // takes over the held request.
    cm.handle_request(now, 4, kr(102, Some(&k[3]), None, ""));
    assert!(!cm.is_terminated());
    let _ = responses(&mut cm);
    // A copy of 102 with another key is forged.
    cm.handle_request(now, 5, kr(102, Some(&k[2]), None, ""));
    assert_key_fault(
        &mut cm,
        cm::KeyFault::RepeatDiffers { rid: 102 },
        Condition::ItemNotFound,
    );

    // Two copies of a request waiting for its predecessor disagree.
    let mut cm = keyed_cm(now, &k[5]);
    cm.handle_request(now, 3, kr(102, Some(&k[3]), None, STANZA));
    cm.handle_request(now, 4, kr(102, Some(&k[1]), None, STANZA));
    assert_key_fault(
        &mut cm,
        cm::KeyFault::RepeatDiffers { rid: 102 },
        Condition::ItemNotFound,
    );

    // A wrong key waiting behind a gap ends the session when its turn
    // comes, not before; the request before it is processed.
    let mut cm = keyed_cm(now, &k[5]);
    cm.handle_request(
        now,
        3,
        kr(
            102,
            Some("0000000000000000000000000000000000000000"),
            None,
            STANZA,
        ),
    );
    assert!(!cm.is_terminated());
    cm.handle_request(now, 2, kr(101, Some(&k[4]), None, STANZA));
    let ev = cm_events(&mut cm);
    assert!(matches!(ev[0], cm::Event::Received(_)), "{ev:?}");
    assert_eq!(
        ev[1..],
        [cm::Event::Terminated(cm::Termination::BadKey(
            cm::KeyFault::Mismatch { rid: 102 }
        ))]
    );
}

#[test]
fn cm_refuses_malformed_newkeys() {
    let now = Instant::now();
    let creation = req(
        "<body xmlns='http://jabber.org/protocol/httpbind' rid='100' to='verona.example' newkey='not-a-key'/>",
    );
    let err = cm::Session::new(now, SID.into(), 1, &creation, cm::Config::default()).unwrap_err();
    let b = body(&err);
    assert_eq!(b.condition, Some(Condition::BadRequest));
    let k = chain(b"cm seed", 3);
    let mut cm = keyed_cm(now, &k[2]);
    cm.handle_request(now, 2, kr(101, Some(&k[1]), Some("xyz"), STANZA));
    assert_key_fault(
        &mut cm,
        cm::KeyFault::MalformedNewkey { rid: 101 },
        Condition::BadRequest,
    );
    assert!(
        cm::KeyFault::MalformedNewkey { rid: 101 }
            .to_string()
            .contains("newkey")
    );
}

#[test]
fn unprotected_cm_ignores_keys() {
    let now = Instant::now();
    let mut cm = new_cm(now, 1);
    assert!(!cm.is_key_protected());
    // Keys and newkeys of any value, or none: nothing is checked, and a
    // newkey does not switch protection on.
    cm.handle_request(now, 2, kr(101, Some("junk"), None, STANZA));
    cm.handle_request(now, 3, kr(102, None, Some(&sha1_hex(b"x")), STANZA));
    cm.handle_request(now, 4, kr(103, None, None, STANZA));
    cm.handle_request(now, 5, kr(104, Some("other"), None, STANZA));
    assert!(!cm.is_terminated());
    assert!(!cm.is_key_protected());
    assert_eq!(cm_events(&mut cm).len(), 4);
}

#[test]
fn sim_keyed_exchanges() {
    use crate::sim::{Op, check_with_keys};
    let now = Instant::now();
    let ops = [
        Op::ClientSend(3),
        Op::ServerSend(2),
        Op::DeliverRequest(0),
        Op::DeliverResponse(0),
        Op::ClientSend(1),
        Op::DeliverRequest(1),
        Op::DeliverRequest(0),
        Op::Restart,
        Op::ServerSend(3),
        Op::DropRequest(0, true),
        Op::DeliverResponse(1),
        Op::DeliverResponse(0),
        Op::ClientSend(2),
        Op::DropResponse(0, false),
        Op::Tick(30_000),
    ];
    for hold in [0, 1, 2] {
        for n in [2, 3, 5, 1000] {
            check_with_keys(now, hold, Some(n), &ops);
        }
    }
}

#[test]
fn sim_keyed_survives_the_loss_of_any_single_response_or_request() {
    use crate::sim::{Op, check_with_keys};
    let now = Instant::now();
    let base = [
        Op::DeliverRequest(0),
        Op::DeliverResponse(0),
        Op::ClientSend(2),
        Op::ServerSend(1),
        Op::DeliverRequest(1),
        Op::DeliverRequest(0),
        Op::DeliverResponse(0),
        Op::ClientSend(1),
        Op::ServerSend(2),
        Op::DeliverRequest(0),
        Op::DeliverResponse(1),
        Op::DeliverResponse(0),
        Op::Tick(25_000),
        Op::DeliverResponse(0),
    ];
    drop_each_position(&base, |hold, ops| check_with_keys(now, hold, Some(2), ops));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn sim_keyed_schedules_deliver_everything_once_in_order(
        hold in 0u8..3,
        key_length in 2u32..6,
        ops in proptest::collection::vec(sim_op(), 0..80),
    ) {
        crate::sim::check_with_keys(Instant::now(), hold, Some(key_length), &ops);
    }
}

#[test]
fn cm_answers_repeats_after_termination_only_with_the_same_key() {
    let now = Instant::now();
    let k = chain(b"cm seed", 4);
    let mut cm = keyed_cm(now, &k[3]);
    let terminate = |key: &str| {
        req(&format!(
            "<body xmlns='http://jabber.org/protocol/httpbind' sid='{SID}' rid='101' key='{key}' type='terminate'/>"
        ))
    };
    cm.handle_request(now, 2, terminate(&k[2]));
    assert_eq!(
        cm_events(&mut cm),
        [cm::Event::Terminated(cm::Termination::ByClient)]
    );
    let first = responses(&mut cm);
    assert!(first[0].1.is_terminate() && first[0].1.condition.is_none());
    // The response was lost: the same request again gets it.
    cm.handle_request(now, 3, terminate(&k[2]));
    assert_eq!(responses(&mut cm), [(3, first[0].1.clone())]);
    // A copy with another key does not.
    cm.handle_request(now, 4, terminate(&k[1]));
    let out = responses(&mut cm);
    assert_eq!(out[0].1.condition, Some(Condition::ItemNotFound));
}

#[test]
fn a_grace_too_large_for_the_clock_never_panics() {
    // Issue 17: `sent_at + wait + grace` overflowed (a panic) with a grace
    // of Duration::MAX; such a request now never times out.
    let now = Instant::now();
    let config = client::Config {
        grace: Duration::MAX,
        ..client::Config::xmpp("verona.example")
    };
    let mut c = client::Session::new(config, RID).unwrap();
    let client::Request { rid, body: _ } = c.poll_request(now).unwrap();
    assert_eq!(c.poll_timeout(), None);
    c.handle_timeout(now + Duration::from_secs(3600));
    c.handle_response(now, rid, Ok(creation_response()));
    assert!(matches!(events(&mut c)[..], [client::Event::Created(_)]));
}
