//! The crate's [`Initiator`] against its [`Receiver`] over real bytes
//! (each end's `Transmit`s written by a `StreamWriter` and read by the
//! other end's `StreamReader`; STARTTLS replaces both wires, as a TLS
//! layer would), under a [`Setup`]: each end's TLS policy, EXTERNAL
//! wanted and offered, the receiving caller's verdict on the certificate
//! and on the key (the right secret, a wrong one, or a dialback error),
//! dialback and bidi on each end, and limits. The harness of the
//! `negotiation-s2s-machine` fuzz target.
//!
//! Invariants ([`check`]): both ends end Ready for the same domain pair,
//! method, TLS and bidi, or both fail for matching reasons (a stream
//! error one end sent is the one the other received; an invalid key is
//! `DialbackInvalid` on both ends; a dialback error or a refusal of the
//! offer is a close to the receiver); EXTERNAL only over TLS with a
//! certificate the receiver accepted, dialback only with the right
//! secret, never Ready in the clear when either end requires TLS, bidi
//! exactly when both ends want it, each end's limits read by the other.

use std::time::Instant;

use xep_core::{DefinedCondition, ErrorType, StanzaError, StreamEvent};
use xep_element::jid::Jid;

use super::Wire;
use crate::client::TlsPolicy;
use crate::initiator::{self, Authentication, Initiator};
use crate::receiver::{self, DialbackAnswer, Receiver};
use crate::server::TlsOffer;
use crate::{Failure, Limits, verify_dialback_key};

const SENDER: &str = "orchard.example";
const TARGET: &str = "vineyard.example";
const SECRET: &str = "cellar door";
const WRONG: &str = "not the secret";

/// Both ends' configuration and the receiving caller's decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setup {
    /// The initiator's TLS policy.
    pub initiator_tls: TlsPolicy,
    /// The receiver's STARTTLS offer.
    pub receiver_tls: TlsOffer,
    /// The initiator's certificate covers its domain (it wants EXTERNAL).
    pub external: bool,
    /// The receiver offers EXTERNAL (when its caller accepts the
    /// certificate).
    pub receiver_external: bool,
    /// The receiver's caller accepts the certificate.
    pub certificate_ok: bool,
    /// The initiator has a dialback secret.
    pub secret: bool,
    /// The receiver's caller checks keys against the right secret.
    pub right_secret: bool,
    /// The receiver's caller answers keys with a dialback error.
    pub dialback_error: bool,
    /// The receiver offers dialback.
    pub receiver_dialback: bool,
    /// The initiator wants bidi.
    pub initiator_bidi: bool,
    /// The receiver offers bidi.
    pub receiver_bidi: bool,
    /// Both ends announce limits.
    pub limits: bool,
}

impl Default for Setup {
    /// The defaults of both configurations, dialback with the right
    /// secret.
    fn default() -> Self {
        Setup {
            initiator_tls: TlsPolicy::Required,
            receiver_tls: TlsOffer::Required,
            external: false,
            receiver_external: true,
            certificate_ok: true,
            secret: true,
            right_secret: true,
            dialback_error: false,
            receiver_dialback: true,
            initiator_bidi: true,
            receiver_bidi: true,
            limits: false,
        }
    }
}

/// How a pairing ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Ended {
    /// The initiator's end.
    pub initiator: Result<initiator::Ready, Failure>,
    /// The receiver's end.
    pub receiver: Result<receiver::Ready, Failure>,
    /// What the initiator wrote, then what the receiver wrote (the last
    /// wire of each direction).
    pub transcripts: (String, String),
}

const INITIATOR_LIMITS: Limits = Limits {
    max_bytes: Some(65536),
    idle_seconds: None,
};
const RECEIVER_LIMITS: Limits = Limits {
    max_bytes: Some(10000),
    idle_seconds: Some(1800),
};

fn jid(s: &str) -> Jid {
    s.parse().expect("a domain")
}

struct Pair {
    setup: Setup,
    now: Instant,
    i: Initiator,
    r: Receiver,
    up: Wire,
    down: Wire,
    initiator: Option<Result<initiator::Ready, Failure>>,
    receiver: Option<Result<receiver::Ready, Failure>>,
}

/// An [`Initiator`] and a [`Receiver`] on two wires, with a caller
/// answering their events: [`pump`](Harness::pump) runs them until
/// nothing moves. The sim's pair and the scripted tests share it.
pub(crate) trait Harness {
    /// The time both ends see.
    fn now(&self) -> Instant;
    /// Both ends and both wires (initiator to receiver, receiver to
    /// initiator).
    fn ends(&mut self) -> (&mut Initiator, &mut Receiver, &mut Wire, &mut Wire);
    /// Takes and answers both ends' events; whether there were any.
    fn events(&mut self) -> bool;

    /// Moves output onto the wires, delivers it and answers events until
    /// nothing moves (STARTTLS replaces both wires once both ends wait
    /// for TLS). Each end must claim every event while it negotiates and
    /// none once it ended (but the close after a stream error).
    fn pump(&mut self) {
        let now = self.now();
        for _ in 0..100 {
            let mut moved = false;
            let (i, r, up, down) = self.ends();
            while let Some(t) = i.poll_transmit() {
                up.write(t);
                moved = true;
            }
            while let Some(t) = r.poll_transmit() {
                down.write(t);
                moved = true;
            }
            moved |= self.events();
            let (i, r, up, down) = self.ends();
            if i.state() == initiator::State::TlsHandshake
                && r.state() == receiver::State::TlsHandshake
                && up.in_flight.is_empty()
                && down.in_flight.is_empty()
            {
                *up = Wire::new();
                *down = Wire::new();
                i.tls_established(now).expect("both ends wait for TLS");
                r.tls_established(now).expect("both ends wait for TLS");
                moved = true;
            }
            if !up.in_flight.is_empty() {
                for e in up.deliver() {
                    let mine =
                        !matches!(r.state(), receiver::State::Ready | receiver::State::Failed);
                    let handled = r.handle_stream_event(now, &e);
                    assert!(handled == mine || e == StreamEvent::End, "{e:?}");
                }
                moved = true;
            }
            if !down.in_flight.is_empty() {
                for e in down.deliver() {
                    let mine = !matches!(
                        i.state(),
                        initiator::State::Ready | initiator::State::Failed
                    );
                    let handled = i.handle_stream_event(now, &e);
                    assert!(handled == mine || e == StreamEvent::End, "{e:?}");
                }
                moved = true;
            }
            if !moved {
                return;
            }
        }
        panic!("the pair never settles");
    }
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
    fn initiator_events(&mut self) -> bool {
        let mut any = false;
        while let Some(e) = self.i.poll_event() {
            any = true;
            let outcome = match e {
                initiator::Event::StreamRestart => {
                    self.down.reader.restart();
                    continue;
                }
                initiator::Event::StartTls | initiator::Event::Verified(_) => continue,
                initiator::Event::Ready(r) => Ok(*r),
                initiator::Event::Failed(f) => Err(f),
            };
            assert!(self.initiator.is_none(), "a second outcome: {outcome:?}");
            self.initiator = Some(outcome);
        }
        any
    }

    fn receiver_events(&mut self) -> bool {
        let mut any = false;
        while let Some(e) = self.r.poll_event() {
            any = true;
            let outcome = match e {
                receiver::Event::CertificateCheck { domain } => {
                    assert_eq!(domain, jid(SENDER));
                    let ok = self.setup.certificate_ok;
                    self.r.certificate(self.now, ok).unwrap();
                    continue;
                }
                receiver::Event::StreamRestart => {
                    self.up.reader.restart();
                    continue;
                }
                receiver::Event::DialbackRequested { request, stream_id } => {
                    let answer = if self.setup.dialback_error {
                        DialbackAnswer::Error(StanzaError::new(
                            ErrorType::Cancel,
                            DefinedCondition::RemoteServerNotFound,
                        ))
                    } else {
                        let secret = if self.setup.right_secret {
                            SECRET
                        } else {
                            WRONG
                        };
                        let ok = verify_dialback_key(
                            request.key().unwrap_or_default(),
                            secret,
                            &request.to.to_string(),
                            &request.from.to_string(),
                            &stream_id,
                        );
                        if ok {
                            DialbackAnswer::Valid
                        } else {
                            DialbackAnswer::Invalid
                        }
                    };
                    self.r.answer_dialback(self.now, answer).unwrap();
                    continue;
                }
                receiver::Event::StartTls | receiver::Event::VerifyRequested(_) => continue,
                receiver::Event::Ready(r) => Ok(*r),
                receiver::Event::Failed(f) => Err(f),
            };
            assert!(self.receiver.is_none(), "a second outcome: {outcome:?}");
            self.receiver = Some(outcome);
        }
        any
    }
}

/// Runs the pairing and asserts the invariants.
pub fn check(now: Instant, setup: &Setup) -> Ended {
    let mut ic = initiator::Config::new(
        jid(SENDER),
        jid(TARGET),
        setup.secret.then(|| SECRET.to_string()),
    );
    ic.tls = setup.initiator_tls;
    ic.external = setup.external;
    ic.bidi = setup.initiator_bidi;
    ic.limits = setup.limits.then_some(INITIATOR_LIMITS);
    let mut rc = receiver::Config::new(jid(TARGET), "s2s-sim");
    rc.tls = setup.receiver_tls;
    rc.external = setup.receiver_external;
    rc.dialback = setup.receiver_dialback;
    rc.bidi = setup.receiver_bidi;
    rc.limits = setup.limits.then_some(RECEIVER_LIMITS);
    let mut pair = Pair {
        setup: setup.clone(),
        now,
        i: Initiator::new(ic),
        r: Receiver::new(rc),
        up: Wire::new(),
        down: Wire::new(),
        initiator: None,
        receiver: None,
    };
    pair.r.start(now).unwrap();
    pair.i.start(now).unwrap();
    pair.pump();
    let ended = Ended {
        initiator: pair.initiator.clone().unwrap_or_else(|| {
            panic!(
                "the initiator did not end: {:?}\n{}\n{}",
                pair.i, pair.up.transcript, pair.down.transcript
            )
        }),
        receiver: pair.receiver.clone().unwrap_or_else(|| {
            panic!(
                "the receiver did not end: {:?}\n{}\n{}",
                pair.r, pair.up.transcript, pair.down.transcript
            )
        }),
        transcripts: (pair.up.transcript.clone(), pair.down.transcript.clone()),
    };
    invariants(setup, &ended);
    ended
}

fn invariants(setup: &Setup, e: &Ended) {
    match (&e.initiator, &e.receiver) {
        (Ok(i), Ok(r)) => {
            assert_eq!((&i.from, &i.to), (&r.from, &r.to));
            assert_eq!(i.authentication, r.authentication);
            assert_eq!(i.tls, r.tls);
            let required = setup.initiator_tls == TlsPolicy::Required
                || setup.receiver_tls == TlsOffer::Required;
            assert!(i.tls || !required, "Ready in the clear with TLS required");
            match i.authentication {
                Authentication::External => assert!(
                    i.tls && setup.external && setup.receiver_external && setup.certificate_ok
                ),
                Authentication::Dialback => assert!(
                    setup.secret
                        && setup.right_secret
                        && !setup.dialback_error
                        && setup.receiver_dialback
                ),
            }
            let bidi = setup.initiator_bidi && setup.receiver_bidi;
            assert_eq!((i.bidi, r.bidi), (bidi, bidi));
            assert_eq!(i.limits, setup.limits.then_some(RECEIVER_LIMITS));
            assert_eq!(r.limits, (setup.limits && bidi).then_some(INITIATOR_LIMITS));
        }
        (Err(i), Err(r)) => match (i, r) {
            (Failure::Received(x), Failure::Sent(y)) | (Failure::Sent(y), Failure::Received(x)) => {
                assert_eq!(x.condition, y.condition);
            }
            (Failure::DialbackInvalid, Failure::DialbackInvalid) => {
                assert!(!setup.right_secret && !setup.dialback_error);
            }
            (Failure::Dialback(d), Failure::Closed) => {
                assert!(setup.dialback_error);
                assert_eq!(d.condition, DefinedCondition::RemoteServerNotFound);
            }
            (
                Failure::TlsUnavailable | Failure::TlsRequiredByServer | Failure::FeatureMissing(_),
                Failure::Closed,
            ) => {}
            other => panic!("mismatched failures: {other:?}"),
        },
        other => panic!("one end ready, the other not: {other:?}"),
    }
}

const TLS_OFFERS: [TlsOffer; 3] = [TlsOffer::Required, TlsOffer::Optional, TlsOffer::Never];
const TLS_POLICIES: [TlsPolicy; 3] = [TlsPolicy::Required, TlsPolicy::IfOffered, TlsPolicy::Never];

/// Decodes any bytes into a setup, one byte per field group (a missing
/// byte is 0): the initiator's TLS policy and the receiver's offer
/// (modulo 3), then flags (EXTERNAL wanted, offered, certificate accepted,
/// a secret, the right secret, a dialback error, dialback offered,
/// limits), then bidi flags (wanted, offered).
pub fn setup_from_bytes(data: &[u8]) -> Setup {
    let b = |i: usize| data.get(i).copied().unwrap_or(0);
    let (f, g) = (b(2), b(3));
    Setup {
        initiator_tls: TLS_POLICIES[usize::from(b(0) % 3)],
        receiver_tls: TLS_OFFERS[usize::from(b(1) % 3)],
        external: f & 1 != 0,
        receiver_external: f & 2 != 0,
        certificate_ok: f & 4 != 0,
        secret: f & 8 != 0,
        right_secret: f & 16 != 0,
        dialback_error: f & 32 != 0,
        receiver_dialback: f & 64 != 0,
        limits: f & 128 != 0,
        initiator_bidi: g & 1 != 0,
        receiver_bidi: g & 2 != 0,
    }
}

/// The bytes [`setup_from_bytes`] decodes into `s`.
pub fn setup_to_bytes(s: &Setup) -> Vec<u8> {
    let pos = |x: Option<usize>| u8::try_from(x.unwrap_or(0)).unwrap_or(0);
    vec![
        pos(TLS_POLICIES.iter().position(|t| *t == s.initiator_tls)),
        pos(TLS_OFFERS.iter().position(|t| *t == s.receiver_tls)),
        u8::from(s.external)
            | u8::from(s.receiver_external) << 1
            | u8::from(s.certificate_ok) << 2
            | u8::from(s.secret) << 3
            | u8::from(s.right_secret) << 4
            | u8::from(s.dialback_error) << 5
            | u8::from(s.receiver_dialback) << 6
            | u8::from(s.limits) << 7,
        u8::from(s.initiator_bidi) | u8::from(s.receiver_bidi) << 1,
    ]
}

/// Runs the setup decoded from `data` (the fuzz target's entry point).
pub fn fuzz(now: Instant, data: &[u8]) {
    let _ = check(now, &setup_from_bytes(data));
}

/// The scenarios of the scripted tests, as bytes: the fuzz target's
/// seeds.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let ok = Setup {
        limits: true,
        ..Setup::default()
    };
    [
        ("dialback-valid", ok.clone()),
        (
            "external",
            Setup {
                external: true,
                ..ok.clone()
            },
        ),
        (
            "certificate-refused",
            Setup {
                external: true,
                certificate_ok: false,
                ..ok.clone()
            },
        ),
        (
            "dialback-invalid",
            Setup {
                right_secret: false,
                ..ok.clone()
            },
        ),
        (
            "dialback-error",
            Setup {
                dialback_error: true,
                ..ok.clone()
            },
        ),
        (
            "tls-unavailable",
            Setup {
                receiver_tls: TlsOffer::Never,
                ..ok.clone()
            },
        ),
        (
            "in-the-clear",
            Setup {
                receiver_tls: TlsOffer::Never,
                initiator_tls: TlsPolicy::Never,
                ..ok.clone()
            },
        ),
        (
            "no-bidi",
            Setup {
                receiver_bidi: false,
                ..ok
            },
        ),
    ]
    .into_iter()
    .map(|(n, s)| (n, setup_to_bytes(&s)))
    .collect()
}

/// Each field's telling values as bytes: the fuzz target's dictionary.
pub fn dictionary() -> Vec<Vec<u8>> {
    vec![
        vec![0, 0],
        vec![1, 1],
        vec![2, 2],
        vec![0xff],
        vec![0x5e],
        vec![0x4f],
        vec![0x03],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_seeds_end_as_scripted() {
        let now = Instant::now();
        let run = |name: &str| {
            let (_, bytes) = seeds().into_iter().find(|(n, _)| *n == name).unwrap();
            check(now, &setup_from_bytes(&bytes))
        };
        assert_eq!(
            run("dialback-valid").initiator.unwrap().authentication,
            Authentication::Dialback
        );
        assert_eq!(
            run("external").receiver.unwrap().authentication,
            Authentication::External
        );
        assert_eq!(
            run("certificate-refused").initiator.unwrap().authentication,
            Authentication::Dialback
        );
        assert_eq!(
            run("dialback-invalid").initiator,
            Err(Failure::DialbackInvalid)
        );
        assert!(matches!(
            run("dialback-error").initiator,
            Err(Failure::Dialback(_))
        ));
        assert_eq!(
            run("tls-unavailable").initiator,
            Err(Failure::TlsUnavailable)
        );
        assert!(!run("in-the-clear").initiator.unwrap().tls);
        assert!(!run("no-bidi").receiver.unwrap().bidi);
    }

    proptest! {
        #[test]
        fn any_setup_keeps_the_invariants(data in proptest::collection::vec(any::<u8>(), 0..6)) {
            fuzz(Instant::now(), &data);
        }

        #[test]
        fn setups_round_trip(data in proptest::collection::vec(any::<u8>(), 4)) {
            let s = setup_from_bytes(&data);
            prop_assert_eq!(setup_from_bytes(&setup_to_bytes(&s)), s);
        }
    }
}
