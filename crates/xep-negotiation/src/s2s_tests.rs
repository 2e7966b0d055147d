//! Scripted server-to-server negotiations: an [`Initiator`] against a
//! [`Receiver`] over real bytes (StreamWriter → StreamReader, TLS
//! modelled as fresh streams), every path, and the misuse of each machine.

use std::time::{Duration, Instant};

use xep_core::{DefinedCondition, ErrorType, StanzaError, StreamCondition, StreamEvent};
use xep_element::XmlElement;
use xep_element::jid::Jid;

use crate::client::TlsPolicy;
use crate::initiator::{self, Authentication, Initiator};
use crate::receiver::{self, DialbackAnswer, Receiver};
use crate::server::TlsOffer;
use crate::sim::Wire;
use crate::sim::s2s::Harness;
use crate::{DialbackVerify, Error, Failure, Limits, Transmit, verify_dialback_key};

const SENDER: &str = "orchard.example";
const TARGET: &str = "vineyard.example";
const SECRET: &str = "cellar door";
const STREAM_ID: &str = "q8Xv3k";

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

/// How the receiving server's caller decides.
#[derive(Debug, Clone)]
enum Verdict {
    /// Check the key against the sender's secret (as if the authoritative
    /// server had answered).
    Key(&'static str),
    /// Answer a dialback error with this condition.
    Error(DefinedCondition),
}

struct Pair {
    now: Instant,
    i: Initiator,
    r: Receiver,
    up: Wire,
    down: Wire,
    /// The receiver's answer to the certificate check.
    cert_ok: bool,
    verdict: Verdict,
    initiator: Vec<initiator::Event>,
    receiver: Vec<receiver::Event>,
}

impl Harness for Pair {
    fn now(&self) -> Instant {
        self.now
    }

    fn ends(&mut self) -> (&mut Initiator, &mut Receiver, &mut Wire, &mut Wire) {
        (&mut self.i, &mut self.r, &mut self.up, &mut self.down)
    }

    fn events(&mut self) -> bool {
        self.initiator_events() | self.receiver_events()
    }
}

impl Pair {
    fn new(i: initiator::Config, r: receiver::Config) -> Self {
        let now = Instant::now();
        let mut i = Initiator::new(i);
        let mut r = Receiver::new(r);
        i.start(now).unwrap();
        r.start(now).unwrap();
        Pair {
            now,
            i,
            r,
            up: Wire::new(),
            down: Wire::new(),
            cert_ok: true,
            verdict: Verdict::Key(SECRET),
            initiator: Vec::new(),
            receiver: Vec::new(),
        }
    }

    fn default_configs() -> (initiator::Config, receiver::Config) {
        (
            initiator::Config::new(jid(SENDER), jid(TARGET), Some(SECRET.into())),
            receiver::Config::new(jid(TARGET), STREAM_ID),
        )
    }

    fn initiator_events(&mut self) -> bool {
        let mut any = false;
        while let Some(e) = self.i.poll_event() {
            any = true;
            if e == initiator::Event::StreamRestart {
                self.down.reader.restart();
            }
            self.initiator.push(e);
        }
        any
    }

    fn receiver_events(&mut self) -> bool {
        let mut any = false;
        while let Some(e) = self.r.poll_event() {
            any = true;
            match &e {
                receiver::Event::CertificateCheck { domain } => {
                    assert_eq!(domain, &jid(SENDER));
                    self.r.certificate(self.now, self.cert_ok).unwrap();
                }
                receiver::Event::StreamRestart => self.up.reader.restart(),
                receiver::Event::DialbackRequested { request, stream_id } => {
                    let answer = match &self.verdict {
                        Verdict::Key(secret) => {
                            let ok = verify_dialback_key(
                                request.key().unwrap(),
                                secret,
                                &request.to.to_string(),
                                &request.from.to_string(),
                                stream_id,
                            );
                            if ok {
                                DialbackAnswer::Valid
                            } else {
                                DialbackAnswer::Invalid
                            }
                        }
                        Verdict::Error(c) => {
                            DialbackAnswer::Error(StanzaError::new(ErrorType::Cancel, c.clone()))
                        }
                    };
                    self.r.answer_dialback(self.now, answer).unwrap();
                }
                _ => {}
            }
            self.receiver.push(e);
        }
        any
    }

    fn initiator_ready(&self) -> &initiator::Ready {
        match self.initiator.last() {
            Some(initiator::Event::Ready(r)) => r,
            other => panic!("initiator not ready: {other:?} ({:?})", self.initiator),
        }
    }

    fn receiver_ready(&self) -> &receiver::Ready {
        match self.receiver.last() {
            Some(receiver::Event::Ready(r)) => r,
            other => panic!("receiver not ready: {other:?} ({:?})", self.receiver),
        }
    }

    fn initiator_failure(&self) -> &Failure {
        match self.initiator.last() {
            Some(initiator::Event::Failed(f)) => f,
            other => panic!("initiator did not fail: {other:?}"),
        }
    }

    fn receiver_failure(&self) -> &Failure {
        match self.receiver.last() {
            Some(receiver::Event::Failed(f)) => f,
            other => panic!("receiver did not fail: {other:?}"),
        }
    }
}

#[test]
fn external_after_starttls() {
    let (mut ic, rc) = Pair::default_configs();
    ic.external = true;
    let mut p = Pair::new(ic, rc);
    p.pump();
    let i = p.initiator_ready();
    assert_eq!(i.authentication, Authentication::External);
    assert!(i.tls && i.bidi);
    assert_eq!(i.to, jid(TARGET));
    let r = p.receiver_ready();
    assert_eq!(r.authentication, Authentication::External);
    assert_eq!(r.from, jid(SENDER));
    assert!(r.tls && r.bidi);
    assert!(p.initiator.contains(&initiator::Event::StartTls));
    assert!(p.initiator.contains(&initiator::Event::StreamRestart));
    // TLS and SASL each restarted the stream; the dialback prefix was
    // declared on each header.
    assert!(
        p.up.transcript
            .contains("xmlns:db='jabber:server:dialback'")
    );
}

#[test]
fn certificate_refused_falls_back_to_dialback() {
    let (mut ic, rc) = Pair::default_configs();
    ic.external = true;
    let mut p = Pair::new(ic, rc);
    p.cert_ok = false;
    p.pump();
    assert_eq!(p.initiator_ready().authentication, Authentication::Dialback);
    assert_eq!(p.receiver_ready().authentication, Authentication::Dialback);
}

#[test]
fn dialback_valid() {
    let (ic, rc) = Pair::default_configs();
    let mut p = Pair::new(ic, rc);
    p.pump();
    let i = p.initiator_ready();
    assert_eq!(i.authentication, Authentication::Dialback);
    assert!(i.tls);
    let r = p.receiver_ready();
    assert_eq!((r.from.clone(), r.to.clone()), (jid(SENDER), jid(TARGET)));
    // The key went out prefixed, as XEP-0220 asks, with the XEP-0185 key
    // of the TLS stream's id.
    let key = crate::dialback_key(SECRET, TARGET, SENDER, &format!("{STREAM_ID}.2"));
    assert!(p.up.transcript.contains(&format!(
        "<db:result from='{SENDER}' to='{TARGET}'>{key}</db:result>"
    )));
    assert!(
        p.down
            .transcript
            .contains("<db:result from='vineyard.example' to='orchard.example' type='valid'/>")
    );
}

/// The authoritative server's part goes on after `Ready`: a server asks
/// it with `<db:verify/>` on the stream it already authenticated (Prosody
/// 0.12 does so, found by the interop suite's s2s-dialback scenario), and
/// the answer reaches the asking end; anything else after `Ready` stays
/// the caller's.
#[test]
fn verify_on_a_stream_already_authenticated() {
    let (ic, rc) = Pair::default_configs();
    let mut p = Pair::new(ic, rc);
    p.pump();
    p.initiator_ready();
    p.receiver_ready();
    let key = crate::dialback_key(SECRET, TARGET, SENDER, "later-7");
    let presented = crate::DialbackResult::request(jid(SENDER), jid(TARGET), key);
    let request = DialbackVerify::request(&presented, "later-7");
    p.i.send_verify(p.now, request.clone()).unwrap();
    while let Some(t) = p.i.poll_transmit() {
        p.up.write(t);
    }
    for e in p.up.deliver() {
        assert!(p.r.handle_stream_event(p.now, &e), "{e:?}");
    }
    let asked = std::iter::from_fn(|| p.r.poll_event())
        .find_map(|e| match e {
            receiver::Event::VerifyRequested(v) => Some(v),
            _ => None,
        })
        .expect("the request after Ready");
    assert_eq!(asked, request);
    p.r.answer_verify(p.now, &asked, DialbackAnswer::Valid)
        .unwrap();
    while let Some(t) = p.r.poll_transmit() {
        p.down.write(t);
    }
    for e in p.down.deliver() {
        assert!(p.i.handle_stream_event(p.now, &e));
    }
    assert!(
        std::iter::from_fn(|| p.i.poll_event())
            .any(|e| e == initiator::Event::Verified(DialbackVerify::answer(&request, true)))
    );
    assert_eq!(p.r.state(), receiver::State::Ready);
    // A keyless request or a stanza after Ready is not the machine's.
    let keyless = xep_element::Payload::new(DialbackVerify {
        key: None,
        ..request.clone()
    });
    assert!(!p.r.handle_stream_event(p.now, &StreamEvent::Element(keyless)));
    assert_eq!(p.r.state(), receiver::State::Ready);
}

/// Prosody 0.12 answers a `<db:result/>` with the stream's `id` (which
/// XEP-0220 does not define there) and the key echoed: the answer is
/// still the answer (found by the interop suite's s2s-dialback scenario,
/// where the strict model refused it).
#[test]
fn a_dialback_answer_with_an_id_and_the_key_echoed() {
    let now = Instant::now();
    let mut i = Initiator::new(initiator::Config {
        tls: TlsPolicy::Never,
        ..initiator::Config::new(jid(SENDER), jid(TARGET), Some(SECRET.into()))
    });
    let mut r = Receiver::new(receiver::Config {
        tls: TlsOffer::Never,
        ..receiver::Config::new(jid(TARGET), STREAM_ID)
    });
    i.start(now).unwrap();
    r.start(now).unwrap();
    let (mut up, mut down) = (Wire::new(), Wire::new());
    let key = loop {
        while let Some(t) = i.poll_transmit() {
            up.write(t);
        }
        for e in up.deliver() {
            assert!(r.handle_stream_event(now, &e));
        }
        if let Some(receiver::Event::DialbackRequested { request, .. }) =
            std::iter::from_fn(|| r.poll_event()).last()
        {
            break request.key().unwrap().to_owned();
        }
        while let Some(t) = r.poll_transmit() {
            down.write(t);
        }
        for e in down.deliver() {
            assert!(i.handle_stream_event(now, &e));
        }
    };
    assert_eq!(i.state(), initiator::State::AwaitingDialback);
    let answer = format!(
        "<result xmlns='jabber:server:dialback' from='{TARGET}' id='{STREAM_ID}' \
         to='{SENDER}' type='valid'>{key}</result>"
    );
    let answer = crate::DialbackResult::from_xml(answer.as_bytes()).unwrap();
    assert_eq!(answer.id.as_deref(), Some(STREAM_ID));
    assert!(i.handle_stream_event(
        now,
        &StreamEvent::Element(xep_element::Payload::new(answer))
    ));
    assert!(std::iter::from_fn(|| i.poll_event()).any(|e| matches!(
        e,
        initiator::Event::Ready(r) if r.authentication == Authentication::Dialback
    )));
}

#[test]
fn dialback_invalid() {
    let (ic, rc) = Pair::default_configs();
    let mut p = Pair::new(ic, rc);
    p.verdict = Verdict::Key("another secret");
    p.pump();
    assert_eq!(p.initiator_failure(), &Failure::DialbackInvalid);
    assert_eq!(p.receiver_failure(), &Failure::DialbackInvalid);
    assert_eq!(p.i.state(), initiator::State::Failed);
    assert_eq!(p.r.state(), receiver::State::Failed);
}

#[test]
fn dialback_error() {
    let (ic, rc) = Pair::default_configs();
    let mut p = Pair::new(ic, rc);
    p.verdict = Verdict::Error(DefinedCondition::RemoteServerNotFound);
    p.pump();
    match p.initiator_failure() {
        Failure::Dialback(e) => assert_eq!(e.condition, DefinedCondition::RemoteServerNotFound),
        other => panic!("{other:?}"),
    }
    // The error left the receiving end's stream open; the initiator's
    // close ended it.
    assert_eq!(p.receiver_failure(), &Failure::Closed);
}

/// A receiver on a TLS transport that read `header` from the sender and
/// sent its features (no EXTERNAL).
fn receiver_after_features(now: Instant) -> Receiver {
    let mut r = Receiver::new(receiver::Config {
        tls_at_start: true,
        ..receiver::Config::new(jid(TARGET), STREAM_ID)
    });
    r.start(now).unwrap();
    assert!(r.handle_stream_event(now, &StreamEvent::Header(s2s_header())));
    assert!(matches!(
        r.poll_event(),
        Some(receiver::Event::CertificateCheck { .. })
    ));
    r.certificate(now, false).unwrap();
    while r.poll_transmit().is_some() {}
    r
}

fn s2s_header() -> xep_core::StreamHeader {
    xep_core::StreamHeader {
        from: Some(jid(SENDER)),
        to: Some(jid(TARGET)),
        version: Some("1.0".into()),
        content: xep_core::ContentNs::Server,
        dialback: true,
        ..Default::default()
    }
}

#[test]
fn dialback_for_a_domain_not_served_is_an_error() {
    let now = Instant::now();
    let mut r = receiver_after_features(now);
    // Another target domain: item-not-found, and the stream stays open.
    let request = crate::DialbackResult::request(jid(SENDER), jid("cellar.example"), "00");
    let e = StreamEvent::Element(xep_element::Payload::new(request));
    assert!(r.handle_stream_event(now, &e));
    match r.poll_transmit() {
        Some(Transmit::DialbackResult(x)) => {
            assert_eq!(x.error.unwrap().condition, DefinedCondition::ItemNotFound);
            assert_eq!(x.from, jid("cellar.example"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(r.state(), receiver::State::AwaitingRequest);
    // EXTERNAL was not offered: refused, the stream still open.
    let auth = xep_core::Auth {
        mechanism: "EXTERNAL".into(),
        data: None,
    };
    r.handle_stream_event(now, &StreamEvent::Element(xep_element::Payload::new(auth)));
    assert!(matches!(
        r.poll_transmit(),
        Some(Transmit::SaslFailure(f)) if f.condition == xep_core::SaslCondition::InvalidMechanism
    ));
    assert_eq!(r.state(), receiver::State::AwaitingRequest);
}

#[test]
fn bidi_and_limits() {
    let (mut ic, mut rc) = Pair::default_configs();
    let mine = Limits {
        max_bytes: Some(65536),
        idle_seconds: None,
    };
    let theirs = Limits {
        max_bytes: Some(10000),
        idle_seconds: Some(1800),
    };
    ic.limits = Some(mine);
    rc.limits = Some(theirs);
    let mut p = Pair::new(ic, rc);
    p.pump();
    let i = p.initiator_ready();
    assert!(i.bidi);
    assert_eq!(i.limits, Some(theirs));
    let r = p.receiver_ready();
    assert!(r.bidi);
    assert_eq!(r.limits, Some(mine));
    assert!(
        p.up.transcript
            .contains("<bidi xmlns='urn:xmpp:bidi'><limits")
    );
}

#[test]
fn no_bidi_unless_both_want_it() {
    let (mut ic, rc) = Pair::default_configs();
    ic.bidi = false;
    let mut p = Pair::new(ic, rc);
    p.pump();
    assert!(!p.initiator_ready().bidi);
    assert!(!p.receiver_ready().bidi);

    let (ic, mut rc) = Pair::default_configs();
    rc.bidi = false;
    let mut p = Pair::new(ic, rc);
    p.pump();
    assert!(!p.initiator_ready().bidi);
    assert!(!p.up.transcript.contains("urn:xmpp:bidi"));
}

#[test]
fn tls_required_but_not_offered() {
    let (ic, mut rc) = Pair::default_configs();
    rc.tls = TlsOffer::Never;
    let mut p = Pair::new(ic, rc);
    p.pump();
    assert_eq!(p.initiator_failure(), &Failure::TlsUnavailable);
    assert_eq!(p.receiver_failure(), &Failure::Closed);
}

#[test]
fn dialback_in_the_clear_when_both_allow_it() {
    let (mut ic, mut rc) = Pair::default_configs();
    ic.tls = TlsPolicy::Never;
    rc.tls = TlsOffer::Never;
    let mut p = Pair::new(ic, rc);
    p.pump();
    let i = p.initiator_ready();
    assert_eq!(i.authentication, Authentication::Dialback);
    assert!(!i.tls);
}

#[test]
fn dialback_before_required_tls_is_a_policy_violation() {
    let (_, rc) = Pair::default_configs();
    let mut r = Receiver::new(rc);
    let now = Instant::now();
    r.start(now).unwrap();
    r.handle_stream_event(now, &StreamEvent::Header(s2s_header()));
    while r.poll_transmit().is_some() {}
    let request = crate::DialbackResult::request(jid(SENDER), jid(TARGET), "00");
    r.handle_stream_event(
        now,
        &StreamEvent::Element(xep_element::Payload::new(request)),
    );
    match r.poll_transmit() {
        Some(Transmit::DialbackResult(x)) => {
            assert_eq!(
                x.error.unwrap().condition,
                DefinedCondition::PolicyViolation
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn timeout() {
    let (ic, rc) = Pair::default_configs();
    let now = Instant::now();
    let mut i = Initiator::new(ic);
    i.start(now).unwrap();
    let due = i.poll_timeout().unwrap();
    assert_eq!(due, now + Duration::from_secs(30));
    i.handle_timeout(due - Duration::from_secs(1));
    assert_eq!(i.poll_event(), None);
    i.handle_timeout(due);
    assert_eq!(
        i.poll_event(),
        Some(initiator::Event::Failed(Failure::TimedOut))
    );
    let _header = i.poll_transmit();
    assert!(matches!(
        i.poll_transmit(),
        Some(Transmit::StreamError(e)) if e.condition == StreamCondition::ConnectionTimeout
    ));
    assert_eq!(i.poll_transmit(), Some(Transmit::Close));

    let mut r = Receiver::new(rc);
    r.start(now).unwrap();
    r.handle_timeout(now + Duration::from_secs(30));
    assert_eq!(
        r.poll_event(),
        Some(receiver::Event::Failed(Failure::TimedOut))
    );
    assert_eq!(r.poll_timeout(), None);
}

#[test]
fn verify_round_trip_with_the_authoritative_server() {
    // The receiving server (here the initiator of a second stream) asks
    // the authoritative server (a Receiver) about a key it was given.
    let (mut ic, mut rc) = Pair::default_configs();
    ic.tls = TlsPolicy::Never;
    ic.dialback_secret = None;
    rc.tls = TlsOffer::Never;
    let mut p = Pair::new(ic, rc);
    let key = crate::dialback_key(SECRET, TARGET, SENDER, "abc123");
    let presented = crate::DialbackResult::request(jid(SENDER), jid(TARGET), key);
    let request = DialbackVerify::request(&presented, "abc123");
    assert_eq!(request.from, jid(TARGET));
    p.i.send_verify(p.now, request.clone()).unwrap();
    // Deliver the request before the features make the initiator give up.
    p.pump();
    let asked = p
        .receiver
        .iter()
        .find_map(|e| match e {
            receiver::Event::VerifyRequested(v) => Some(v.clone()),
            _ => None,
        })
        .expect("the verify request");
    assert_eq!(asked, request);
    let ok = verify_dialback_key(
        asked.key().unwrap(),
        SECRET,
        &asked.from.to_string(),
        &asked.to.to_string(),
        &asked.id,
    );
    assert!(ok);
    // The initiator gave up negotiating (nothing to authenticate with),
    // which closed the stream: answering is refused then.
    assert_eq!(
        p.r.answer_verify(p.now, &asked, DialbackAnswer::Valid),
        Err(Error::WrongState {
            action: "answer_verify",
            state: receiver::State::Failed
        })
    );
}

#[test]
fn verify_answered_on_an_open_stream() {
    let now = Instant::now();
    let mut i = Initiator::new(initiator::Config {
        tls: TlsPolicy::Never,
        ..initiator::Config::new(jid(TARGET), jid(SENDER), Some(SECRET.into()))
    });
    i.start(now).unwrap();
    let mut r = Receiver::new(receiver::Config {
        tls: TlsOffer::Never,
        ..receiver::Config::new(jid(SENDER), "s-1")
    });
    r.start(now).unwrap();
    let mut up = Wire::new();
    let mut down = Wire::new();
    let key = crate::dialback_key(SECRET, TARGET, SENDER, "abc123");
    let presented = crate::DialbackResult::request(jid(SENDER), jid(TARGET), key);
    let request = DialbackVerify::request(&presented, "abc123");
    i.send_verify(now, request.clone()).unwrap();
    // Header and verify up; the authoritative end answers.
    while let Some(t) = i.poll_transmit() {
        up.write(t);
    }
    for e in up.deliver() {
        assert!(r.handle_stream_event(now, &e));
    }
    let mut asked = None;
    while let Some(e) = r.poll_event() {
        if let receiver::Event::VerifyRequested(v) = e {
            asked = Some(v);
        }
    }
    let asked = asked.unwrap();
    r.answer_verify(now, &asked, DialbackAnswer::Valid).unwrap();
    assert!(r.answer_verify(now, &asked, DialbackAnswer::Valid).is_err());
    while let Some(t) = r.poll_transmit() {
        down.write(t);
    }
    assert!(down.transcript.contains("type='valid'"));
    for e in down.deliver() {
        assert!(i.handle_stream_event(now, &e));
    }
    let verified: Vec<_> = std::iter::from_fn(|| i.poll_event())
        .filter_map(|e| match e {
            initiator::Event::Verified(v) => Some(v),
            _ => None,
        })
        .collect();
    assert_eq!(verified, vec![DialbackVerify::answer(&request, true)]);
}

#[test]
fn a_stream_only_to_verify() {
    // The receiving server opens a stream to the authoritative server
    // (which requires TLS for anything else) just to verify a key.
    let (_, rc) = Pair::default_configs();
    let ic = initiator::Config {
        verify_only: true,
        ..initiator::Config::new(jid(SENDER), jid(TARGET), None)
    };
    let mut p = Pair::new(ic, rc);
    let key = crate::dialback_key(SECRET, SENDER, TARGET, "x-7");
    let presented = crate::DialbackResult::request(jid(TARGET), jid(SENDER), key);
    let request = DialbackVerify::request(&presented, "x-7");
    p.i.send_verify(p.now, request.clone()).unwrap();
    p.pump();
    assert_eq!(p.i.state(), initiator::State::Verifying);
    let asked = p
        .receiver
        .iter()
        .find_map(|e| match e {
            receiver::Event::VerifyRequested(v) => Some(v.clone()),
            _ => None,
        })
        .expect("the verify request");
    let ok = verify_dialback_key(
        asked.key().unwrap(),
        SECRET,
        &asked.from.to_string(),
        &asked.to.to_string(),
        &asked.id,
    );
    p.r.answer_verify(p.now, &asked, DialbackAnswer::Valid)
        .unwrap();
    assert!(ok);
    p.pump();
    assert_eq!(
        p.initiator,
        vec![initiator::Event::Verified(DialbackVerify::answer(
            &request, true
        ))]
    );
    assert_eq!(p.r.state(), receiver::State::AwaitingRequest);
}

#[test]
fn misuse() {
    let (ic, rc) = Pair::default_configs();
    let now = Instant::now();
    let mut i = Initiator::new(ic);
    assert_eq!(
        i.tls_established(now),
        Err(Error::WrongState {
            action: "tls_established",
            state: initiator::State::Idle
        })
    );
    let v = DialbackVerify::request(
        &crate::DialbackResult::request(jid(SENDER), jid(TARGET), "00"),
        "x",
    );
    assert!(i.send_verify(now, v).is_err());
    i.start(now).unwrap();
    assert!(i.start(now).is_err());
    let mut r = Receiver::new(rc);
    assert!(r.certificate(now, true).is_err());
    assert!(r.answer_dialback(now, DialbackAnswer::Valid).is_err());
    r.start(now).unwrap();
    assert_eq!(
        r.answer_dialback(now, DialbackAnswer::Valid),
        Err(Error::WrongState {
            action: "answer_dialback",
            state: receiver::State::AwaitingHeader
        })
    );
    assert_eq!(r.poll_transmit(), None);
}

#[test]
fn wrong_pair_in_the_answer_is_refused() {
    let now = Instant::now();
    let mut i = Initiator::new(initiator::Config {
        tls: TlsPolicy::Never,
        ..initiator::Config::new(jid(SENDER), jid(TARGET), Some(SECRET.into()))
    });
    i.start(now).unwrap();
    let header = xep_core::StreamHeader {
        from: Some(jid(TARGET)),
        id: Some("s".into()),
        version: None,
        content: xep_core::ContentNs::Server,
        dialback: true,
        ..Default::default()
    };
    // A pre-features server: the key goes out right after the header.
    assert!(i.handle_stream_event(now, &StreamEvent::Header(header)));
    assert_eq!(i.state(), initiator::State::AwaitingDialback);
    let forged = crate::DialbackResult::answer(
        &crate::DialbackResult::request(jid("elsewhere.example"), jid(TARGET), "k"),
        true,
    );
    i.handle_stream_event(
        now,
        &StreamEvent::Element(xep_element::Payload::new(forged)),
    );
    assert!(matches!(
        i.poll_event(),
        Some(initiator::Event::Failed(Failure::Sent(e))) if e.condition == StreamCondition::InvalidFrom
    ));
}
