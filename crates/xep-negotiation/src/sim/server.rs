//! The RFC 6120 [`Server`] against whatever a client sends: the first
//! byte chooses the server's offer (SASL2, STARTTLS or not, FAST, ISR,
//! the legacy session, ANONYMOUS, Bind 2), the rest is the client's
//! stream, read by a `StreamReader` and given to the machine, whose
//! caller answers every event the way a server would (one account with
//! a password, tokens, a resource). The harness of the
//! `negotiation-server-machine` fuzz target: hostile input at the
//! receiving entity.
//!
//! Invariants: the machine never panics; what it writes is a well-formed
//! stream, nothing after its close; at most one outcome, and no input is
//! the machine's after it; no deadline in the past; ready only as the
//! account or the anonymous one, with the mechanism offered; every
//! command the caller gives in answer to an event is accepted.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use xep_core::{DefinedCondition, StreamLimits, StreamReader, StreamWriter};
use xep_element::Registry;
use xep_sasl::server::Token;
use xep_sasl::{HtMechanism, Mechanism, ScramHash, StoredCredentials};

use crate::Transmit;
use crate::server::{self, Config, Event, Server, SessionOffer, TlsOffer};

const USER: &str = "juliet";
const PASSWORD: &str = "r0m30";
const TOKEN: &str = "fuzz-token";
const ANONYMOUS: &str = "anon-1@example.org";

fn stored(hash: ScramHash) -> StoredCredentials {
    static KEYS: OnceLock<Vec<(ScramHash, StoredCredentials)>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        [ScramHash::Sha1, ScramHash::Sha256, ScramHash::Sha512]
            .into_iter()
            .map(|h| {
                let c = StoredCredentials::from_password(h, PASSWORD, b"fuzz salt", 4096)
                    .expect("valid parameters");
                (h, c)
            })
            .collect()
    });
    keys.iter()
        .find(|(h, _)| *h == hash)
        .map(|(_, c)| c.clone())
        .expect("every hash")
}

fn reader() -> StreamReader {
    StreamReader::new(StreamLimits::default()).with_registry(
        Registry::new()
            .with(xep_core::ELEMENTS)
            .with(crate::ELEMENTS)
            .with(xep_sasl::ELEMENTS)
            .with(xep_sm::ELEMENTS),
    )
}

/// The server's configuration of flag byte `f`.
pub fn config(f: u8) -> Config {
    let mut c = Config::new(
        "example.org".parse().expect("a domain"),
        "fz",
        b"fuzz server nonce".to_vec(),
    );
    c.sasl2 = f & 1 != 0;
    if f & 2 != 0 {
        c.tls = TlsOffer::Never;
        c.plain_in_clear = true;
    }
    if f & 4 != 0 {
        c.fast = vec![HtMechanism::SHA_256_NONE];
    }
    if f & 8 != 0 {
        c.isr = vec![HtMechanism::SHA_256_NONE];
    }
    if f & 16 != 0 {
        c.session = SessionOffer::Required;
    }
    if f & 32 != 0 {
        c.mechanisms.push(Mechanism::Anonymous);
    }
    c.bind2 = f & 64 != 0;
    if f & 128 != 0 {
        c.scram_upgrades = vec![ScramHash::Sha512];
    }
    c
}

/// Runs the server on `data` (the fuzz target's entry point).
pub fn fuzz(now: Instant, data: &[u8]) {
    let _ = run(now, data);
}

/// Runs the server on `data`, then lets its time run out; its outcome.
pub fn run(now: Instant, data: &[u8]) -> Option<Result<server::Ready, crate::Failure>> {
    let (flags, input) = data.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
    let config = config(flags);
    let offered = config.mechanisms.clone();
    let mut s = Server::new(config);
    s.start(now).expect("a new server starts");
    let mut reader = reader();
    let mut writer = StreamWriter::default();
    let mut closed = false;
    let mut outcome: Option<Result<server::Ready, crate::Failure>> = None;
    // The input arrives in two pieces: the reader must not care.
    let cut = input.len() / 2;
    for piece in [&input[..cut], &input[cut..]] {
        reader.feed(piece);
        loop {
            let event = match reader.next_event() {
                Ok(Some(e)) => e,
                // A broken stream ends the reading (the caller would send
                // the stream error it maps to and close).
                Ok(None) | Err(_) => break,
            };
            let mine = outcome.is_none();
            assert_eq!(s.handle_stream_event(now, &event), mine, "{event:?}");
            // The machine's output, and the caller's answers, until quiet.
            loop {
                let mut moved = false;
                while let Some(t) = s.poll_transmit() {
                    assert!(!closed, "{t:?} after the close");
                    closed = t == Transmit::Close;
                    let _ = t.to_bytes(&mut writer);
                    moved = true;
                }
                while let Some(e) = s.poll_event() {
                    moved = true;
                    answer(&mut s, now, e, &offered, &mut outcome, &mut reader);
                }
                if !moved {
                    break;
                }
            }
            if let Some(d) = s.poll_timeout() {
                assert!(d >= now, "a deadline in the past");
            }
        }
    }
    // Time runs out for a negotiation still open.
    s.handle_timeout(now + Duration::from_secs(3600));
    while let Some(e) = s.poll_event() {
        answer(&mut s, now, e, &offered, &mut outcome, &mut reader);
    }
    while let Some(t) = s.poll_transmit() {
        assert!(!closed, "{t:?} after the close");
        closed = t == Transmit::Close;
    }
    outcome
}

fn answer(
    s: &mut Server,
    now: Instant,
    e: Event,
    offered: &[Mechanism],
    outcome: &mut Option<Result<server::Ready, crate::Failure>>,
    reader: &mut StreamReader,
) {
    let accepted = match e {
        Event::StartTls => {
            *reader = self::reader();
            s.tls_established(now, Vec::new())
        }
        Event::StreamRestart => {
            reader.restart();
            Ok(())
        }
        Event::CredentialsRequested {
            username,
            mechanism,
        } => match mechanism {
            Mechanism::Ht(m) => s.provide_tokens(now, vec![Token::new(m, TOKEN)]),
            Mechanism::Scram(m) => {
                s.provide_credentials(now, (username == USER).then(|| stored(m.hash)))
            }
            _ => s.provide_credentials(now, (username == USER).then(|| stored(ScramHash::Sha256))),
        },
        Event::IsrTokenRequested { mechanism, .. } => match mechanism {
            Mechanism::Ht(m) => s.provide_tokens(now, vec![Token::new(m, TOKEN)]),
            _ => panic!("an ISR token for {mechanism:?}"),
        },
        Event::IdentityRequested { .. } => {
            s.authorize(now, Some(ANONYMOUS.parse().expect("a JID")))
        }
        Event::BindRequested { bare, .. } => {
            s.bind(now, bare.with_resource_str("fuzz").expect("a resource"))
        }
        Event::TokenRequested { .. } => s.issue_token(now, None),
        Event::UpgradeRequested { .. } => s.upgrade_salt(
            now,
            xep_sasl::upgrade::Salt::new(b"new salt".to_vec(), 4096),
        ),
        Event::InstantResumeRequested { .. } => {
            s.instant_resume_failed(now, xep_sm::Failed::new(DefinedCondition::ItemNotFound))
        }
        Event::AuthenticationFailed { .. }
        | Event::TokenUsed { .. }
        | Event::CredentialsUpgraded { .. } => Ok(()),
        Event::Ready(r) => {
            assert!(outcome.is_none(), "a second outcome");
            let bare = r.bare.to_string();
            assert!(
                bare == format!("{USER}@example.org") || bare == ANONYMOUS,
                "ready as {bare}"
            );
            assert!(
                offered.contains(&r.mechanism) || matches!(r.mechanism, Mechanism::Ht(_)),
                "ready with {:?}, not offered",
                r.mechanism
            );
            *outcome = Some(Ok(*r));
            Ok(())
        }
        Event::Failed(f) => {
            assert!(outcome.is_none(), "a second outcome");
            *outcome = Some(Err(f));
            Ok(())
        }
    };
    if let Err(e) = accepted {
        panic!("the caller's answer refused: {e}");
    }
}

/// Seeds: a client's side of the scripted paths.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams' to='example.org' version='1.0'>";
    // \0juliet\0r0m30
    const PLAIN: &str = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMA==</auth>";
    const BIND: &str = "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>r</resource></bind></iq>";
    const SESSION: &str =
        "<iq type='set' id='s1'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>";
    let seed = |flags: u8, parts: &[&str]| {
        let mut v = vec![flags];
        v.extend(parts.concat().into_bytes());
        v
    };
    vec![
        ("plain-bind", seed(2, &[HEADER, PLAIN, HEADER, BIND])),
        (
            "plain-session",
            seed(2 | 16, &[HEADER, PLAIN, HEADER, BIND, SESSION]),
        ),
        (
            "sasl2-plain",
            seed(
                3,
                &[
                    HEADER,
                    "<authenticate xmlns='urn:xmpp:sasl:2' mechanism='PLAIN'><initial-response>AGp1bGlldAByMG0zMA==</initial-response></authenticate>",
                    BIND,
                ],
            ),
        ),
        (
            "anonymous",
            seed(
                2 | 32,
                &[
                    HEADER,
                    "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'>=</auth>",
                    HEADER,
                    BIND,
                ],
            ),
        ),
        (
            "starttls",
            seed(
                0,
                &[
                    HEADER,
                    "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
                    HEADER,
                    PLAIN,
                ],
            ),
        ),
        (
            "scram-first",
            seed(
                2,
                &[
                    HEADER,
                    "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>biwsbj1qdWxpZXQscj1meWtvK2QybGJiRmdPTlJ2OXFreGRhd0w=</auth>",
                ],
            ),
        ),
    ]
}

/// Dictionary entries: the names the server reads.
pub fn dictionary() -> Vec<Vec<u8>> {
    [
        "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.org' version='1.0'>",
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='",
        "<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>",
        "<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>",
        "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
        "<authenticate xmlns='urn:xmpp:sasl:2' mechanism='",
        "<initial-response>",
        "<bind xmlns='urn:xmpp:bind:0'>",
        "<inst-resume xmlns='https://xmpp.org/extensions/isr/0'><resume xmlns='urn:xmpp:sm:3' h='1' previd='x'/></inst-resume>",
        "<fast xmlns='urn:xmpp:fast:0' count='1'/>",
        "<request-token xmlns='urn:xmpp:fast:0' mechanism='HT-SHA-256-NONE'/>",
        "<upgrade xmlns='urn:xmpp:sasl:upgrade:0'>UPGR-SCRAM-SHA-512</upgrade>",
        "<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>",
        "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>",
        "PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256", "ANONYMOUS", "EXTERNAL", "HT-SHA-256-NONE",
        "</stream:stream>",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_end_as_their_path_does() {
        for (name, data) in seeds() {
            let outcome =
                run(Instant::now(), &data).expect("an outcome, at the latest the timeout");
            let ready = |who: &str| matches!(&outcome, Ok(r) if r.bare.to_string() == who);
            match name {
                "plain-bind" | "plain-session" | "sasl2-plain" => {
                    assert!(ready("juliet@example.org"), "{name}: {outcome:?}")
                }
                "anonymous" => assert!(ready(ANONYMOUS), "{name}: {outcome:?}"),
                // Stopped half-way: the timeout.
                _ => assert_eq!(outcome, Err(crate::Failure::TimedOut), "{name}"),
            }
        }
        assert!(dictionary().len() > 10);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn any_bytes_keep_the_invariants(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            fuzz(Instant::now(), &data);
        }

        /// A seed with bytes flipped: deep in the negotiation, broken.
        #[test]
        fn mutated_seeds_keep_the_invariants(which in 0usize..6, at in proptest::prelude::any::<usize>(), byte in proptest::prelude::any::<u8>()) {
            let (_, mut data) = seeds().swap_remove(which % seeds().len());
            let i = at % data.len();
            data[i] = byte;
            fuzz(Instant::now(), &data);
        }
    }
}
