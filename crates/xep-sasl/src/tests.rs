//! The RFC test vectors, every error path, and the properties of a client
//! and a server paired over random inputs.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::client::{self, Password};
use crate::server::{self, ChannelBindingOffer, ServerStep};
use crate::*;

fn b64d(s: &str) -> Vec<u8> {
    STANDARD.decode(s).unwrap()
}

fn nonce(s: &str) -> Nonce {
    Nonce::printable(s).unwrap()
}

/// One RFC exchange, byte for byte, on both sides.
struct Vector {
    hash: ScramHash,
    client_nonce: &'static str,
    server_nonce: &'static str,
    salt: &'static str,
    client_first: &'static str,
    server_first: &'static str,
    client_final: &'static str,
    server_final: &'static str,
}

/// RFC 5802 §5.
const RFC5802: Vector = Vector {
    hash: ScramHash::Sha1,
    client_nonce: "fyko+d2lbbFgONRv9qkxdawL",
    server_nonce: "3rfcNHYJY1ZVvWVs7j",
    salt: "QSXCR+Q6sek8bf92",
    client_first: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    server_first: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    client_final: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    server_final: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
};

/// RFC 7677 §3.
const RFC7677: Vector = Vector {
    hash: ScramHash::Sha256,
    client_nonce: "rOprNGfwEbeRWgbNEkqO",
    server_nonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
    client_first: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    server_first: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    client_final: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    server_final: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

fn vector_client(v: &Vector) {
    let mut c = client::Scram::new(
        v.hash,
        "user",
        "pencil",
        nonce(v.client_nonce),
        ChannelBinding::Unsupported,
    )
    .unwrap();
    assert_eq!(c.initial_response(), v.client_first.as_bytes());
    assert_eq!(
        c.step(v.server_first.as_bytes()).unwrap(),
        v.client_final.as_bytes()
    );
    assert_eq!(c.state(), client::State::ProofSent);
    c.success(Some(v.server_final.as_bytes())).unwrap();
    assert_eq!(c.state(), client::State::Done);
    let salted = c.salted_password().unwrap().clone();
    assert_eq!(salted.salt, b64d(v.salt));

    // The same exchange with the cached salted password.
    let mut c = client::Scram::new(
        v.hash,
        "user",
        Password::Salted(salted),
        nonce(v.client_nonce),
        ChannelBinding::Unsupported,
    )
    .unwrap();
    assert_eq!(
        c.step(v.server_first.as_bytes()).unwrap(),
        v.client_final.as_bytes()
    );
    // The final message as a challenge (RFC 6120 allows it), then success.
    assert_eq!(c.step(v.server_final.as_bytes()).unwrap(), b"");
    assert_eq!(c.state(), client::State::Verified);
    c.success(None).unwrap();
    assert_eq!(c.state(), client::State::Done);
}

fn vector_server(v: &Vector) {
    let mech = ScramMechanism::new(v.hash, false);
    let mut s =
        server::Scram::new(mech, nonce(v.server_nonce), ChannelBindingOffer::none()).unwrap();
    assert_eq!(
        s.step(v.client_first.as_bytes()).unwrap(),
        ServerStep::NeedCredentials {
            username: "user".into(),
            authzid: None
        }
    );
    let stored = StoredCredentials::from_password(v.hash, "pencil", &b64d(v.salt), 4096).unwrap();
    assert_eq!(
        s.provide(Some(stored)).unwrap(),
        ServerStep::Challenge(v.server_first.as_bytes().to_vec())
    );
    assert_eq!(
        s.step(v.client_final.as_bytes()).unwrap(),
        ServerStep::Success {
            username: Some("user".into()),
            authzid: None,
            additional_data: Some(v.server_final.as_bytes().to_vec()),
        }
    );
    assert_eq!(s.state(), server::State::Done);
}

#[test]
fn rfc5802_client() {
    vector_client(&RFC5802);
}

#[test]
fn rfc5802_server() {
    vector_server(&RFC5802);
}

#[test]
fn rfc7677_client() {
    vector_client(&RFC7677);
}

#[test]
fn rfc7677_server() {
    vector_server(&RFC7677);
}

#[test]
fn nonce_from_random_bytes_reproduces_the_vector() {
    // "fyko+d2lbbFgONRv9qkxdawL" is the base64 of 18 bytes.
    let bytes = b64d(RFC5802.client_nonce);
    let c = client::Scram::new(
        ScramHash::Sha1,
        "user",
        "pencil",
        &bytes[..],
        ChannelBinding::Unsupported,
    )
    .unwrap();
    assert_eq!(c.initial_response(), RFC5802.client_first.as_bytes());
}

/// RFC 4616 §4: both examples, on both sides.
#[test]
fn rfc4616_plain_examples() {
    let c = client::Plain::new(None, "tim", "tanstaaftanstaaf").unwrap();
    assert_eq!(c.initial_response(), b"\0tim\0tanstaaftanstaaf");
    let c = client::Plain::new(Some("Ursel"), "Kurt", "xipj3plmq").unwrap();
    assert_eq!(c.initial_response(), b"Ursel\0Kurt\0xipj3plmq");

    let stored =
        StoredCredentials::from_password(ScramHash::Sha256, "xipj3plmq", b"salt", 4096).unwrap();
    let mut s = server::Plain::new();
    assert_eq!(
        s.step(b"Ursel\0Kurt\0xipj3plmq").unwrap(),
        ServerStep::NeedCredentials {
            username: "Kurt".into(),
            authzid: Some("Ursel".into())
        }
    );
    assert_eq!(s.password(), Some("xipj3plmq"));
    assert_eq!(
        s.provide(Some(stored.clone())).unwrap(),
        ServerStep::Success {
            username: Some("Kurt".into()),
            authzid: Some("Ursel".into()),
            additional_data: None
        }
    );

    let mut s = server::Plain::new();
    s.step(b"\0tim\0tanstaaftanstaaf").unwrap();
    assert_eq!(
        s.provide(Some(stored)),
        Err(ServerError::Peer(PeerError::WrongPassword))
    );
    assert_eq!(s.state(), server::State::Failed);
}

#[test]
fn plain_server_rejects_malformed() {
    for bad in [
        &b"tim\0tanstaaf"[..],
        b"\0\0pass",
        b"\0tim\0",
        b"a\0b\0c\0d",
        b"\0\xff\0x",
        b"",
    ] {
        let mut s = server::Plain::new();
        let e = s.step(bad).unwrap_err();
        assert!(e.is_peer(), "{bad:?}: {e}");
        assert_eq!(s.state(), server::State::Failed);
        assert!(matches!(s.step(bad), Err(ServerError::WrongState { .. })));
    }
    // Decided by the caller.
    let mut s = server::Plain::new();
    s.step(b"\0tim\0secret").unwrap();
    assert!(matches!(s.decide(true), Ok(ServerStep::Success { .. })));
    // SASLprep on the server: the soft hyphen is mapped to nothing.
    let mut s = server::Plain::new();
    assert_eq!(
        s.step("\0I\u{AD}X\0pass".as_bytes()).unwrap(),
        ServerStep::NeedCredentials {
            username: "IX".into(),
            authzid: None
        }
    );
    // Unknown user.
    assert_eq!(
        s.provide(None),
        Err(ServerError::Peer(PeerError::UnknownUser))
    );
}

#[test]
fn one_shot_mechanisms() {
    let mut a = client::Anonymous::new(Some("sirhc")).unwrap();
    assert_eq!(a.initial_response(), b"sirhc");
    assert_eq!(a.step(b"").unwrap(), b"sirhc");
    a.success(None).unwrap();
    assert!(matches!(
        a.success(None),
        Err(ClientError::WrongState {
            action: "succeed",
            state: client::State::Done
        })
    ));
    let mut e = client::External::new(None).unwrap();
    assert_eq!(e.initial_response(), b"");
    assert_eq!(
        e.step(b"x"),
        Err(ClientError::Peer(PeerError::UnexpectedData))
    );
    assert!(client::Anonymous::new(Some(&"x".repeat(256))).is_err());

    let mut s = server::External::new();
    assert_eq!(
        s.step(b"juliet@capulet.lit").unwrap(),
        ServerStep::Success {
            username: None,
            authzid: Some("juliet@capulet.lit".into()),
            additional_data: None
        }
    );
    let mut s = server::Anonymous::new();
    assert!(matches!(s.step(b""), Ok(ServerStep::Success { .. })));
    assert_eq!(s.trace(), None);
    let mut s = server::Anonymous::new();
    assert!(s.step("x".repeat(256).as_bytes()).is_err());
}

/// A client that has sent its first message of the RFC 7677 vector.
fn client_7677() -> client::Scram {
    client::Scram::new(
        ScramHash::Sha256,
        "user",
        "pencil",
        nonce(RFC7677.client_nonce),
        ChannelBinding::Unsupported,
    )
    .unwrap()
}

fn client_first_error(server_first: &str) -> ClientError {
    let mut c = client_7677();
    let e = c.step(server_first.as_bytes()).unwrap_err();
    assert_eq!(c.state(), client::State::Failed, "{server_first}");
    assert!(matches!(
        c.step(server_first.as_bytes()),
        Err(ClientError::WrongState { action: "step", .. })
    ));
    e
}

const N: &str = "rOprNGfwEbeRWgbNEkqO";

#[test]
fn client_refuses_malformed_server_first() {
    let peer = |e: PeerError| ClientError::Peer(e);
    let cases: &[(String, PeerError)] = &[
        (
            "s=QSXCR+Q6sek8bf92,i=4096".to_string(),
            PeerError::MissingAttribute('r'),
        ),
        (format!("r={N}xyz,i=4096"), PeerError::MissingAttribute('s')),
        (
            format!("r={N}xyz,i=4096,s=QSXCR+Q6sek8bf92"),
            PeerError::Malformed("attributes out of order"),
        ),
        (
            format!("r={N}xyz,s=QSXCR+Q6sek8bf92"),
            PeerError::MissingAttribute('i'),
        ),
        (
            format!("r={N}xyz,s=QSXCR+Q6sek8bf9,i=4096"),
            PeerError::InvalidBase64('s'),
        ),
        (
            format!("r={N}xyz,s=!!!!,i=4096"),
            PeerError::InvalidBase64('s'),
        ),
        (format!("r={N}xyz,s=,i=4096"), PeerError::EmptySalt),
        (
            format!("r={N},s=QSXCR+Q6sek8bf92,i=4096"),
            PeerError::NonceMismatch,
        ),
        (
            format!("r=XXX{N}xyz,s=QSXCR+Q6sek8bf92,i=4096"),
            PeerError::NonceMismatch,
        ),
        (
            "r=rOprNGfwEbeRWgbNEkq,s=QSXCR+Q6sek8bf92,i=4096".to_string(),
            PeerError::NonceMismatch,
        ),
        (
            format!("r={N}x y,s=QSXCR+Q6sek8bf92,i=4096"),
            PeerError::NonceMismatch,
        ),
        (
            format!("r={N}xyz,s=QSXCR+Q6sek8bf92,i=0"),
            PeerError::Malformed("iteration count is not a positive decimal number"),
        ),
        (
            format!("r={N}xyz,s=QSXCR+Q6sek8bf92,i=-1"),
            PeerError::Malformed("iteration count is not a positive decimal number"),
        ),
        (
            format!("r={N}xyz,s=QSXCR+Q6sek8bf92,i=04096"),
            PeerError::Malformed("iteration count is not a positive decimal number"),
        ),
        (
            format!("r={N}xyz,s=QSXCR+Q6sek8bf92,i=99999999999"),
            PeerError::Malformed("iteration count does not fit 32 bits"),
        ),
        (
            format!("r={N}xyz,s=QSXCR+Q6sek8bf92,i=4294967295"),
            PeerError::IterationCount {
                count: u32::MAX,
                min: 4096,
                max: 10_000_000,
            },
        ),
        (
            format!("r={N}xyz,s=QSXCR+Q6sek8bf92,i=10000001"),
            PeerError::IterationCount {
                count: 10_000_001,
                min: 4096,
                max: 10_000_000,
            },
        ),
        (
            format!("r={N}xyz,s=QSXCR+Q6sek8bf92,i=1"),
            PeerError::IterationCount {
                count: 1,
                min: 4096,
                max: 10_000_000,
            },
        ),
        (
            format!("m=ext,r={N}xyz,s=QSXCR+Q6sek8bf92,i=4096"),
            PeerError::MandatoryExtension,
        ),
        (
            format!("r={N}xyz,,s=QSXCR+Q6sek8bf92,i=4096"),
            PeerError::Malformed("expected attr=value"),
        ),
    ];
    for (msg, want) in cases {
        assert_eq!(client_first_error(msg), peer(want.clone()), "{msg}");
    }
    let mut c = client_7677();
    assert_eq!(c.step(b"r=\xff"), Err(peer(PeerError::NotUtf8)));
}

#[test]
fn client_accepts_unknown_extensions_and_lower_bounds() {
    let mut c = client_7677();
    let first = format!("r={N}xyz,s=QSXCR+Q6sek8bf92,i=4096,z=future");
    assert!(c.step(first.as_bytes()).is_ok());
    let mut c = client_7677().with_iteration_bounds(IterationBounds { min: 1, max: 10 });
    assert!(
        c.step(format!("r={N}xyz,s=QSXCR+Q6sek8bf92,i=1").as_bytes())
            .is_ok()
    );
}

const ALL_E: [&str; 11] = [
    "invalid-encoding",
    "extensions-not-supported",
    "invalid-proof",
    "channel-bindings-dont-match",
    "server-does-support-channel-binding",
    "channel-binding-not-supported",
    "unsupported-channel-binding-type",
    "unknown-user",
    "invalid-username-encoding",
    "no-resources",
    "other-error",
];

#[test]
fn every_server_error_is_typed_on_the_client() {
    for value in ALL_E.into_iter().chain(["some-future-error"]) {
        let want = ClientError::Peer(PeerError::ServerError(ScramError::parse(value)));
        let known = !matches!(ScramError::parse(value), ScramError::Unrecognized(_));
        assert_eq!(known, ALL_E.contains(&value));
        // In the final message, as a challenge or with success.
        let mut c = client_7677();
        c.step(RFC7677.server_first.as_bytes()).unwrap();
        assert_eq!(c.step(format!("e={value}").as_bytes()), Err(want.clone()));
        assert_eq!(c.state(), client::State::Failed);
        let mut c = client_7677();
        c.step(RFC7677.server_first.as_bytes()).unwrap();
        assert_eq!(
            c.success(Some(format!("e={value}").as_bytes())),
            Err(want.clone())
        );
        // Early, in place of the server-first-message.
        assert_eq!(client_first_error(&format!("e={value}")), want);
    }
}

#[test]
fn client_refuses_a_false_server() {
    let ready = || {
        let mut c = client_7677();
        c.step(RFC7677.server_first.as_bytes()).unwrap();
        c
    };
    // A signature from another password.
    let mut c = ready();
    assert_eq!(
        c.success(Some(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")),
        Err(ClientError::Peer(PeerError::ServerSignature))
    );
    assert_eq!(c.state(), client::State::Failed);
    // One bit off.
    let mut sig = b64d("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    sig[31] ^= 1;
    let mut c = ready();
    assert_eq!(
        c.success(Some(format!("v={}", STANDARD.encode(&sig)).as_bytes())),
        Err(ClientError::Peer(PeerError::ServerSignature))
    );
    // Success with no proof of the server.
    let mut c = ready();
    assert_eq!(
        c.success(None),
        Err(ClientError::Peer(PeerError::MissingServerSignature))
    );
    let mut c = client_7677();
    assert_eq!(
        c.success(None),
        Err(ClientError::Peer(PeerError::MissingServerSignature))
    );
    // Malformed finals.
    for (msg, want) in [
        ("v=***", PeerError::InvalidBase64('v')),
        ("x=1", PeerError::MissingAttribute('v')),
        ("m=1", PeerError::MandatoryExtension),
        ("", PeerError::Malformed("expected attr=value")),
    ] {
        let mut c = ready();
        assert_eq!(
            c.step(msg.as_bytes()),
            Err(ClientError::Peer(want)),
            "{msg}"
        );
    }
    // A challenge after the server proved itself.
    let mut c = ready();
    c.step(RFC7677.server_final.as_bytes()).unwrap();
    assert_eq!(
        c.step(b"more"),
        Err(ClientError::Peer(PeerError::UnexpectedData))
    );
}

#[test]
fn client_misuse_is_wrong_state() {
    let mut c = client_7677();
    c.step(RFC7677.server_first.as_bytes()).unwrap();
    c.success(Some(RFC7677.server_final.as_bytes())).unwrap();
    assert_eq!(
        c.step(b"r=x"),
        Err(ClientError::WrongState {
            action: "step",
            state: client::State::Done
        })
    );
    assert_eq!(
        c.success(None),
        Err(ClientError::WrongState {
            action: "succeed",
            state: client::State::Done
        })
    );
    assert_eq!(
        c.step(b"x").unwrap_err().to_string(),
        "cannot step in state Done"
    );
    // An empty challenge first asks for the initial response again.
    let mut c = client_7677();
    assert_eq!(c.step(b"").unwrap(), RFC7677.client_first.as_bytes());
    // Caller input.
    assert_eq!(
        client::Scram::new(
            ScramHash::Sha1,
            "u",
            "p",
            &[][..],
            ChannelBinding::Unsupported
        )
        .unwrap_err(),
        ClientError::InvalidNonce
    );
    assert!(matches!(
        client::Scram::new(
            ScramHash::Sha1,
            "\u{7}",
            "p",
            b"n",
            ChannelBinding::Unsupported
        ),
        Err(ClientError::Prep(PrepError {
            what: "username",
            ..
        }))
    ));
    assert!(matches!(
        client::Scram::new(
            ScramHash::Sha1,
            "u",
            "\u{627}1",
            b"n",
            ChannelBinding::Unsupported
        ),
        Err(ClientError::Prep(PrepError {
            what: "password",
            ..
        }))
    ));
    // Cached keys for another salt.
    let stale = SaltedPassword {
        hash: ScramHash::Sha256,
        salt: b"other".to_vec(),
        iterations: 4096,
        salted_password: vec![0; 32],
    };
    let mut c = client::Scram::new(
        ScramHash::Sha256,
        "user",
        Password::Salted(stale.clone()),
        nonce(N),
        ChannelBinding::Unsupported,
    )
    .unwrap();
    assert_eq!(
        c.step(RFC7677.server_first.as_bytes()),
        Err(ClientError::Credentials(CredentialsError::Stale))
    );
    assert_eq!(
        client::Scram::new(
            ScramHash::Sha1,
            "u",
            Password::Salted(stale),
            b"n",
            ChannelBinding::Unsupported
        )
        .unwrap_err(),
        ClientError::Credentials(CredentialsError::HashMismatch)
    );
}

#[test]
fn username_and_authzid_are_escaped() {
    let c = client::Scram::new(
        ScramHash::Sha1,
        "a,b=c",
        "p",
        nonce("n"),
        ChannelBinding::NotOffered,
    )
    .unwrap()
    .with_authzid("x=y,z");
    assert_eq!(c.initial_response(), b"y,a=x=3Dy=2Cz,n=a=2Cb=3Dc,r=n");
    let mut s = server::Scram::new(
        ScramMechanism::SHA_1,
        nonce("s"),
        ChannelBindingOffer::none(),
    )
    .unwrap();
    assert_eq!(
        s.step(&c.initial_response()).unwrap(),
        ServerStep::NeedCredentials {
            username: "a,b=c".into(),
            authzid: Some("x=y,z".into())
        }
    );
}

fn server_7677(mech: ScramMechanism, cb: ChannelBindingOffer) -> server::Scram {
    server::Scram::new(mech, nonce(RFC7677.server_nonce), cb).unwrap()
}

fn server_first_error(mech: ScramMechanism, cb: ChannelBindingOffer, msg: &[u8]) -> PeerError {
    let mut s = server_7677(mech, cb);
    let Err(ServerError::Peer(e)) = s.step(msg) else {
        panic!("accepted {:?}", String::from_utf8_lossy(msg))
    };
    assert_eq!(s.state(), server::State::Failed);
    assert!(matches!(s.step(msg), Err(ServerError::WrongState { .. })));
    e
}

#[test]
fn server_refuses_malformed_client_first() {
    let m = ScramMechanism::SHA_256;
    let none = ChannelBindingOffer::none;
    let cases: &[(&[u8], PeerError)] = &[
        (b"n,,r=abc", PeerError::MissingAttribute('n')),
        (b"n,,n=user", PeerError::MissingAttribute('r')),
        (
            b"n,,r=abc,n=user",
            PeerError::Malformed("attributes out of order"),
        ),
        (b"n,n=user,r=abc", PeerError::Malformed("GS2 authzid")),
        (b"n,a=,n=user,r=abc", PeerError::Malformed("GS2 authzid")),
        (
            b"n,a=x=41,n=user,r=abc",
            PeerError::Malformed("authzid encoding"),
        ),
        (
            b"x,,n=user,r=abc",
            PeerError::Malformed("GS2 channel-binding flag"),
        ),
        (
            b"p=,,n=user,r=abc",
            PeerError::Malformed("GS2 channel-binding flag"),
        ),
        (b"n=user,r=abc", PeerError::Malformed("no GS2 header")),
        (b"n,,n=us=er,r=abc", PeerError::InvalidUsername),
        (b"n,,n=,r=abc", PeerError::InvalidUsername),
        (b"n,,n=\x07,r=abc", PeerError::InvalidUsername),
        (
            b"n,,n=user,r=a b",
            PeerError::Malformed("client nonce is not printable"),
        ),
        (
            b"n,,n=user,r=",
            PeerError::Malformed("client nonce is not printable"),
        ),
        (b"n,,m=x,n=user,r=abc", PeerError::MandatoryExtension),
        (
            b"n,,n=user,,r=abc",
            PeerError::Malformed("expected attr=value"),
        ),
        (b"n,,n=\xff,r=abc", PeerError::NotUtf8),
        (
            b"p=tls-exporter,,n=user,r=abc",
            PeerError::ChannelBindingNotSupported,
        ),
    ];
    for (msg, want) in cases {
        assert_eq!(
            &server_first_error(m, none(), msg),
            want,
            "{}",
            String::from_utf8_lossy(msg)
        );
    }
    // Channel-binding flags against the offer.
    let offer = || ChannelBindingOffer::new(vec![(ChannelBindingType::TlsExporter, vec![1; 32])]);
    assert_eq!(
        server_first_error(m, offer(), b"y,,n=user,r=abc"),
        PeerError::ServerDoesSupportChannelBinding
    );
    assert_eq!(
        server_first_error(ScramMechanism::SHA_256_PLUS, offer(), b"n,,n=user,r=abc"),
        PeerError::ChannelBindingRequired
    );
    assert_eq!(
        server_first_error(
            ScramMechanism::SHA_256_PLUS,
            offer(),
            b"p=tls-unique,,n=user,r=abc"
        ),
        PeerError::UnsupportedChannelBindingType("tls-unique".into())
    );
}

#[test]
fn server_errors_map_to_scram_errors() {
    assert_eq!(
        PeerError::InvalidProof.scram_error().server_final(),
        b"e=invalid-proof"
    );
    assert_eq!(
        PeerError::UnknownUser.scram_error(),
        ScramError::UnknownUser
    );
    assert_eq!(
        PeerError::InvalidUsername.scram_error(),
        ScramError::InvalidUsernameEncoding
    );
    assert_eq!(
        PeerError::ChannelBindingMismatch.scram_error(),
        ScramError::ChannelBindingsDontMatch
    );
    assert_eq!(
        PeerError::UnsupportedChannelBindingType("x".into()).scram_error(),
        ScramError::UnsupportedChannelBindingType
    );
    assert_eq!(
        PeerError::MandatoryExtension.scram_error(),
        ScramError::ExtensionsNotSupported
    );
    assert_eq!(
        PeerError::InvalidBase64('p').scram_error(),
        ScramError::InvalidEncoding
    );
    use xep_core::SaslCondition;
    assert_eq!(
        PeerError::InvalidProof.condition(),
        SaslCondition::NotAuthorized
    );
    assert_eq!(
        PeerError::InvalidBase64('c').condition(),
        SaslCondition::IncorrectEncoding
    );
    assert_eq!(
        PeerError::MissingAttribute('r').condition(),
        SaslCondition::MalformedRequest
    );
}

/// A server of the RFC 7677 vector waiting for the client-final-message.
fn server_7677_waiting() -> server::Scram {
    let mut s = server_7677(ScramMechanism::SHA_256, ChannelBindingOffer::none());
    s.step(RFC7677.client_first.as_bytes()).unwrap();
    let stored =
        StoredCredentials::from_password(ScramHash::Sha256, "pencil", &b64d(RFC7677.salt), 4096)
            .unwrap();
    s.provide(Some(stored)).unwrap();
    s
}

#[test]
fn server_refuses_malformed_client_final() {
    let full = format!("{N}%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    let proof = "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    let mut bad_proof = b64d(proof);
    bad_proof[0] ^= 0x80;
    let bad_proof = STANDARD.encode(bad_proof);
    let cases: Vec<(String, PeerError)> = vec![
        (format!("c=biws,r={full}"), PeerError::MissingAttribute('p')),
        (
            format!("c=biws,r={full},x=1"),
            PeerError::MissingAttribute('p'),
        ),
        (
            format!("c=biws,p={proof}"),
            PeerError::MissingAttribute('r'),
        ),
        (
            format!("r={full},p={proof}"),
            PeerError::MissingAttribute('c'),
        ),
        (
            format!("c=biws,r={full},p=***"),
            PeerError::InvalidBase64('p'),
        ),
        (
            format!("c=b!ws,r={full},p={proof}"),
            PeerError::InvalidBase64('c'),
        ),
        (
            format!("c=eSws,r={full},p={proof}"),
            PeerError::ChannelBindingMismatch,
        ),
        (
            format!("c=biws,r={full}X,p={proof}"),
            PeerError::NonceMismatch,
        ),
        (format!("c=biws,r={N},p={proof}"), PeerError::NonceMismatch),
        (format!("c=biws,r={full},p=AAAA"), PeerError::InvalidProof),
        (
            format!("c=biws,r={full},p={bad_proof}"),
            PeerError::InvalidProof,
        ),
        // An extension changes the AuthMessage: the proof no longer fits.
        (
            format!("c=biws,r={full},x=1,p={proof}"),
            PeerError::InvalidProof,
        ),
        (format!("p={proof}"), PeerError::MissingAttribute('c')),
    ];
    for (msg, want) in cases {
        let mut s = server_7677_waiting();
        assert_eq!(
            s.step(msg.as_bytes()),
            Err(ServerError::Peer(want)),
            "{msg}"
        );
        assert_eq!(s.state(), server::State::Failed);
    }
}

#[test]
fn server_misuse_and_credentials() {
    let mut s = server_7677(ScramMechanism::SHA_256, ChannelBindingOffer::none());
    assert_eq!(
        s.provide(None),
        Err(ServerError::WrongState {
            action: "provide credentials",
            state: server::State::Start
        })
    );
    s.step(RFC7677.client_first.as_bytes()).unwrap();
    assert_eq!(
        s.step(b"again"),
        Err(ServerError::WrongState {
            action: "step",
            state: server::State::NeedCredentials
        })
    );
    let sha1 = StoredCredentials::from_password(ScramHash::Sha1, "p", b"salt", 1).unwrap();
    assert_eq!(
        s.provide(Some(sha1)),
        Err(ServerError::Credentials(CredentialsError::HashMismatch))
    );
    let mut empty_salt = StoredCredentials::from_password(ScramHash::Sha256, "p", b"", 1).unwrap();
    assert_eq!(
        s.provide(Some(empty_salt.clone())),
        Err(ServerError::Credentials(CredentialsError::Invalid))
    );
    empty_salt.salt = b"s".to_vec();
    empty_salt.iterations = 0;
    assert_eq!(
        s.provide(Some(empty_salt)),
        Err(ServerError::Credentials(CredentialsError::Invalid))
    );
    // The caller's mistakes leave the machine waiting.
    assert_eq!(s.state(), server::State::NeedCredentials);
    assert_eq!(
        s.provide(None),
        Err(ServerError::Peer(PeerError::UnknownUser))
    );
    assert_eq!(s.state(), server::State::Failed);
    assert_eq!(
        server::Scram::new(
            ScramMechanism::SHA_1,
            nonce("a"),
            ChannelBindingOffer::none()
        )
        .map(|s| s.state()),
        Ok(server::State::Start)
    );
    assert!(matches!(
        server::Scram::new(ScramMechanism::SHA_1, &[][..], ChannelBindingOffer::none()),
        Err(ServerError::InvalidNonce)
    ));
    let mut any =
        server::Server::new(Mechanism::External, b"x", ChannelBindingOffer::none()).unwrap();
    assert!(matches!(
        any.provide(None),
        Err(ServerError::WrongState { .. })
    ));
}

/// Runs a whole exchange between a client and a server; the server's
/// outcome and the client's.
fn run(
    mut c: client::Scram,
    mut s: server::Scram,
    stored: StoredCredentials,
) -> (Result<ServerStep, ServerError>, Result<(), ClientError>) {
    match s.step(&c.initial_response()) {
        Ok(ServerStep::NeedCredentials { .. }) => {}
        other => return (other, Err(ClientError::Peer(PeerError::UnexpectedData))),
    }
    let first = match s.provide(Some(stored)) {
        Ok(ServerStep::Challenge(f)) => f,
        other => return (other, Err(ClientError::Peer(PeerError::UnexpectedData))),
    };
    let fin = match c.step(&first) {
        Ok(f) => f,
        Err(e) => return (Err(ServerError::Peer(PeerError::UnexpectedData)), Err(e)),
    };
    let outcome = s.step(&fin);
    let client = match &outcome {
        Ok(ServerStep::Success {
            additional_data, ..
        }) => c.success(additional_data.as_deref()),
        Err(ServerError::Peer(e)) => c.step(&e.scram_error().server_final()).map(drop),
        _ => Err(ClientError::Peer(PeerError::UnexpectedData)),
    };
    (outcome, client)
}

#[test]
fn plus_with_each_channel_binding_type() {
    for t in [
        ChannelBindingType::TlsExporter,
        ChannelBindingType::TlsServerEndPoint,
        ChannelBindingType::TlsUnique,
    ] {
        for hash in [ScramHash::Sha1, ScramHash::Sha256, ScramHash::Sha512] {
            let data = vec![0x42; 32];
            let c = client::Scram::new(
                hash,
                "user",
                "pencil",
                b"c",
                ChannelBinding::Bound(t, data.clone()),
            )
            .unwrap()
            .with_authzid("juliet@capulet.lit");
            assert_eq!(c.mechanism(), ScramMechanism::new(hash, true));
            assert!(
                c.initial_response()
                    .starts_with(format!("p={t},a=juliet@capulet.lit,").as_bytes())
            );
            let offer = ChannelBindingOffer::new(vec![
                (ChannelBindingType::TlsServerEndPoint, vec![0x42; 32]),
                (t, data.clone()),
            ]);
            let s = server::Scram::new(ScramMechanism::new(hash, true), b"s", offer).unwrap();
            let stored = StoredCredentials::from_password(hash, "pencil", b"salt", 4096).unwrap();
            let (srv, cli) = run(c, s, stored);
            assert!(
                matches!(srv, Ok(ServerStep::Success { .. })),
                "{t} {hash:?}"
            );
            assert_eq!(cli, Ok(()));
        }
    }
}

#[test]
fn plus_with_other_data_fails_on_both_sides() {
    let t = ChannelBindingType::TlsExporter;
    let c = client::Scram::new(
        ScramHash::Sha256,
        "user",
        "pencil",
        b"c",
        ChannelBinding::Bound(t, vec![1; 32]),
    )
    .unwrap();
    let s = server::Scram::new(
        ScramMechanism::SHA_256_PLUS,
        b"s",
        ChannelBindingOffer::new(vec![(t, vec![2; 32])]),
    )
    .unwrap();
    let stored =
        StoredCredentials::from_password(ScramHash::Sha256, "pencil", b"salt", 4096).unwrap();
    let (srv, cli) = run(c, s, stored);
    assert_eq!(
        srv,
        Err(ServerError::Peer(PeerError::ChannelBindingMismatch))
    );
    assert_eq!(
        cli,
        Err(ClientError::Peer(PeerError::ServerError(
            ScramError::ChannelBindingsDontMatch
        )))
    );
}

#[test]
fn downgrade_protection_on_both_sides() {
    let mechs = ["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "PLAIN"];
    let cbs = ["tls-exporter", "tls-server-end-point"];
    let stored =
        || StoredCredentials::from_password(ScramHash::Sha256, "pencil", b"salt", 4096).unwrap();
    let client = |seen: DowngradeProtection| {
        client::Scram::new(
            ScramHash::Sha256,
            "user",
            "pencil",
            b"c",
            ChannelBinding::Unsupported,
        )
        .unwrap()
        .with_downgrade_protection(seen)
    };
    let server = || {
        server::Scram::new(ScramMechanism::SHA_256, b"s", ChannelBindingOffer::none())
            .unwrap()
            .with_downgrade_protection(&mechs, Some(&cbs))
    };
    let seen = DowngradeProtection {
        mechanisms: mechs.iter().rev().map(|s| s.to_string()).collect(),
        channel_bindings: Some(cbs.iter().map(|s| s.to_string()).collect()),
        required: true,
    };
    // The lists the client saw: success.
    let (srv, cli) = run(client(seen.clone()), server(), stored());
    assert!(srv.is_ok());
    assert_eq!(cli, Ok(()));
    // A MITM removed -PLUS from the client's view: the client stops
    // before sending its proof.
    let mut stripped = seen.clone();
    stripped.mechanisms.retain(|m| !m.ends_with("-PLUS"));
    let (_, cli) = run(client(stripped), server(), stored());
    assert_eq!(cli, Err(ClientError::Peer(PeerError::Downgrade)));
    // A MITM removed the channel-binding types.
    let mut stripped = seen.clone();
    stripped.channel_bindings = None;
    let (_, cli) = run(client(stripped), server(), stored());
    assert_eq!(cli, Err(ClientError::Peer(PeerError::Downgrade)));
    // A server without XEP-0474: fine unless required.
    let plain_server =
        || server::Scram::new(ScramMechanism::SHA_256, b"s", ChannelBindingOffer::none()).unwrap();
    let (_, cli) = run(client(seen.clone()), plain_server(), stored());
    assert_eq!(cli, Err(ClientError::Peer(PeerError::MissingDowngradeHash)));
    let optional = DowngradeProtection {
        required: false,
        ..seen
    };
    let (_, cli) = run(client(optional), plain_server(), stored());
    assert_eq!(cli, Ok(()));
}

/// XEP-0474's example exchange, read from the XEP itself when
/// `../shared/xeps` is beside the repository (its data is not copied
/// here): a SCRAM-SHA-1-PLUS server with `tls-exporter`, the `h=` hash
/// and a client-final-message with an extension attribute.
#[test]
fn xep0474_example_server_side() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/xeps/xep-0474.xml"
    );
    let Ok(xml) = std::fs::read_to_string(path) else {
        eprintln!("{path} absent: skipped");
        return;
    };
    // The comments give each message in clear after "Base64 of: '".
    let clear: Vec<&str> = xml
        .split("Base64 of: '")
        .skip(1)
        .filter_map(|s| s.split('\'').next())
        .collect();
    let [client_first, server_first, client_final, server_final] = clear[..] else {
        panic!("expected four messages in clear, found {}", clear.len());
    };
    // Parts of the messages: the nonces, salt, iterations, and the fake
    // channel-binding data inside c=.
    let attr = |msg: &str, a: &str| {
        msg.split(',')
            .find_map(|p| p.strip_prefix(a))
            .unwrap()
            .to_owned()
    };
    let cnonce = attr(client_first, "r=");
    let full = attr(server_first, "r=");
    let snonce = full.strip_prefix(&cnonce).unwrap();
    let cbind = b64d(&attr(client_final, "c="));
    let header = b"p=tls-exporter,,";
    assert!(cbind.starts_with(header));
    let cb_data = cbind[header.len()..].to_vec();
    let salt = b64d(&attr(server_first, "s="));
    let iterations: u32 = attr(server_first, "i=").parse().unwrap();

    let mut s = server::Scram::new(
        ScramMechanism::SHA_1_PLUS,
        nonce(snonce),
        ChannelBindingOffer::new(vec![
            (ChannelBindingType::TlsExporter, cb_data.clone()),
            (ChannelBindingType::TlsServerEndPoint, vec![]),
        ]),
    )
    .unwrap()
    .with_downgrade_protection(
        &["SCRAM-SHA-1", "SCRAM-SHA-1-PLUS"],
        Some(&["tls-exporter", "tls-server-end-point"]),
    );
    assert!(matches!(
        s.step(client_first.as_bytes()),
        Ok(ServerStep::NeedCredentials { .. })
    ));
    let stored =
        StoredCredentials::from_password(ScramHash::Sha1, "pencil", &salt, iterations).unwrap();
    assert_eq!(
        s.provide(Some(stored)).unwrap(),
        ServerStep::Challenge(server_first.as_bytes().to_vec())
    );
    let ServerStep::Success {
        additional_data, ..
    } = s.step(client_final.as_bytes()).unwrap()
    else {
        panic!()
    };
    assert_eq!(additional_data.unwrap(), server_final.as_bytes());

    // The client side up to its final message (it sends no `x=`, so its
    // proof differs from the example's).
    let mut c = client::Scram::new(
        ScramHash::Sha1,
        "user",
        "pencil",
        nonce(&cnonce),
        ChannelBinding::Bound(ChannelBindingType::TlsExporter, cb_data),
    )
    .unwrap()
    .with_downgrade_protection(DowngradeProtection {
        mechanisms: vec!["SCRAM-SHA-1-PLUS".into(), "SCRAM-SHA-1".into()],
        channel_bindings: Some(vec!["tls-server-end-point".into(), "tls-exporter".into()]),
        required: true,
    });
    assert_eq!(c.initial_response(), client_first.as_bytes());
    let ours = c.step(server_first.as_bytes()).unwrap();
    let ours = String::from_utf8(ours).unwrap();
    assert_eq!(attr(&ours, "c="), attr(client_final, "c="));
}

mod selection {
    use super::*;

    fn offer(mechs: &[&str], cbs: Option<&[&str]>, sasl2: bool) -> Offer {
        Offer {
            mechanisms: mechs.iter().map(|s| s.to_string()).collect(),
            channel_bindings: cbs.map(|c| c.iter().map(|s| s.to_string()).collect()),
            sasl2,
        }
    }

    const EXPORTER: ChannelBindingType = ChannelBindingType::TlsExporter;
    const ENDPOINT: ChannelBindingType = ChannelBindingType::TlsServerEndPoint;

    fn binds() -> Preferences {
        Preferences::new(vec![(EXPORTER, vec![1]), (ENDPOINT, vec![2])])
    }

    const ALL: &[&str] = &[
        "SCRAM-SHA-1",
        "SCRAM-SHA-1-PLUS",
        "SCRAM-SHA-256",
        "SCRAM-SHA-256-PLUS",
        "PLAIN",
    ];

    #[test]
    fn offer_from_stream_features() {
        use xep_core::{Features, Mechanisms};
        use xep_element::{Registry, XmlElement};
        let registry = Registry::new()
            .with(xep_core::ELEMENTS)
            .with(crate::ELEMENTS);
        let features = Features::from_xml_with(
            b"<stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
              <authentication xmlns='urn:xmpp:sasl:2'>\
              <mechanism>SCRAM-SHA-256</mechanism><mechanism>SCRAM-SHA-256-PLUS</mechanism>\
              </authentication>\
              <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
              <mechanism>SCRAM-SHA-256</mechanism></mechanisms>\
              <sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>\
              <channel-binding type='tls-exporter'/></sasl-channel-binding>\
              </stream:features>",
            &registry,
        )
        .unwrap();
        let cb = features.get::<SaslChannelBinding>().unwrap().unwrap();
        let auth = features
            .get::<crate::sasl2::Authentication>()
            .unwrap()
            .unwrap();
        let offer = Offer::sasl2(&auth, Some(&cb));
        assert_eq!(
            offer.channel_bindings,
            Some(vec!["tls-exporter".to_string()])
        );
        let s = select(&offer, &binds()).unwrap();
        assert_eq!(s.mechanism, Mechanism::Scram(ScramMechanism::SHA_256_PLUS));
        let mechs = features.get::<Mechanisms>().unwrap().unwrap();
        let offer = Offer::sasl1(&mechs, None);
        assert!(!offer.sasl2);
        assert_eq!(
            select(&offer, &binds()).unwrap().channel_binding,
            ChannelBinding::NotOffered
        );
    }

    #[test]
    fn plus_with_the_best_common_type() {
        let s = select(
            &offer(ALL, Some(&["tls-server-end-point", "tls-exporter"]), true),
            &binds(),
        )
        .unwrap();
        assert_eq!(s.mechanism, Mechanism::Scram(ScramMechanism::SHA_256_PLUS));
        assert_eq!(s.channel_binding, ChannelBinding::Bound(EXPORTER, vec![1]));
        let d = s.downgrade_protection.unwrap();
        assert!(!d.required);
        assert_eq!(d.mechanisms.len(), ALL.len());
        // Only tls-server-end-point in common.
        let s = select(&offer(ALL, Some(&["tls-server-end-point"]), true), &binds()).unwrap();
        assert_eq!(s.channel_binding, ChannelBinding::Bound(ENDPOINT, vec![2]));
    }

    #[test]
    fn y_when_plus_is_not_offered() {
        let s = select(
            &offer(&["SCRAM-SHA-1", "SCRAM-SHA-256"], None, false),
            &binds(),
        )
        .unwrap();
        assert_eq!(s.mechanism, Mechanism::Scram(ScramMechanism::SHA_256));
        assert_eq!(s.channel_binding, ChannelBinding::NotOffered);
    }

    #[test]
    fn n_without_client_channel_binding() {
        let s = select(
            &offer(ALL, Some(&["tls-exporter"]), true),
            &Preferences::new(vec![]),
        )
        .unwrap();
        assert_eq!(s.mechanism, Mechanism::Scram(ScramMechanism::SHA_256));
        assert_eq!(s.channel_binding, ChannelBinding::Unsupported);
    }

    #[test]
    fn sasl1_without_xep0440_uses_the_clients_first_type() {
        let s = select(&offer(ALL, None, false), &binds()).unwrap();
        assert_eq!(s.channel_binding, ChannelBinding::Bound(EXPORTER, vec![1]));
    }

    #[test]
    fn xep0440_aborts() {
        assert_eq!(
            select(&offer(ALL, None, true), &binds()),
            Err(SelectError::PlusWithoutChannelBindings)
        );
        assert_eq!(
            select(
                &offer(&["SCRAM-SHA-256", "PLAIN"], Some(&["tls-exporter"]), false),
                &binds()
            ),
            Err(SelectError::ChannelBindingsWithoutPlus)
        );
        let mut no_ssdp = binds();
        no_ssdp.downgrade_protection = false;
        no_ssdp.channel_bindings = vec![(EXPORTER, vec![1])];
        assert_eq!(
            select(&offer(ALL, Some(&["tls-unique"]), true), &no_ssdp),
            Err(SelectError::NoCommonChannelBinding)
        );
    }

    #[test]
    fn xep0474_relaxes_rule_6() {
        let prefs = Preferences::new(vec![(EXPORTER, vec![1])]);
        let s = select(&offer(ALL, Some(&["tls-unique"]), true), &prefs).unwrap();
        assert_eq!(s.mechanism, Mechanism::Scram(ScramMechanism::SHA_256));
        assert_eq!(s.channel_binding, ChannelBinding::Unsupported);
        assert!(s.downgrade_protection.unwrap().required);
        // PLAIN cannot check the hash: not chosen then.
        let mut plain_only = prefs.clone();
        plain_only.mechanisms = vec![Mechanism::Plain];
        assert_eq!(
            select(&offer(ALL, Some(&["tls-unique"]), true), &plain_only),
            Err(SelectError::NoCommonMechanism)
        );
    }

    #[test]
    fn preference_order_and_unknown_names() {
        let mut prefs = Preferences::new(vec![]);
        prefs.mechanisms = vec![Mechanism::External, Mechanism::Plain];
        let s = select(
            &offer(&["DIGEST-MD5", "PLAIN", "EXTERNAL"], None, false),
            &prefs,
        )
        .unwrap();
        assert_eq!(s.mechanism, Mechanism::External);
        assert_eq!(s.downgrade_protection, None);
        assert_eq!(
            select(&offer(&["DIGEST-MD5"], None, false), &prefs),
            Err(SelectError::NoCommonMechanism)
        );
        let client = s
            .client("romeo", "secret", Some("romeo@montague.lit"), b"n")
            .unwrap();
        assert_eq!(client.mechanism(), Mechanism::External);
        assert_eq!(client.initial_response(), b"romeo@montague.lit");
    }

    #[test]
    fn selection_builds_a_working_client() {
        let s = select(&offer(ALL, Some(&["tls-exporter"]), true), &binds()).unwrap();
        let mut c = s.client("user", "pencil", None, b"client nonce").unwrap();
        let Mechanism::Scram(m) = c.mechanism() else {
            panic!()
        };
        let mut srv = server::Server::new(
            c.mechanism(),
            b"server nonce",
            ChannelBindingOffer::new(vec![(EXPORTER, vec![1])]),
        )
        .unwrap();
        let server::Server::Scram(inner) = srv else {
            panic!()
        };
        srv = server::Server::Scram(Box::new(
            inner.with_downgrade_protection(ALL, Some(&["tls-exporter"])),
        ));
        assert!(matches!(
            srv.step(&c.initial_response()),
            Ok(ServerStep::NeedCredentials { .. })
        ));
        let stored = StoredCredentials::from_password(m.hash, "pencil", b"salt", 4096).unwrap();
        let ServerStep::Challenge(first) = srv.provide(Some(stored)).unwrap() else {
            panic!()
        };
        let fin = c.step(&first).unwrap();
        let ServerStep::Success {
            additional_data, ..
        } = srv.step(&fin).unwrap()
        else {
            panic!()
        };
        c.success(additional_data.as_deref()).unwrap();
        assert_eq!(c.state(), client::State::Done);
        assert_eq!(srv.state(), server::State::Done);
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn hash() -> impl Strategy<Value = ScramHash> {
        prop_oneof![
            Just(ScramHash::Sha1),
            Just(ScramHash::Sha256),
            Just(ScramHash::Sha512)
        ]
    }

    /// Names and passwords SASLprep leaves non-empty, with the characters
    /// SCRAM escapes and a few it maps.
    fn text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9,=@._ é\u{2168}\u{AA}-]{0,12}[a-zA-Z0-9,=é]"
    }

    fn cb_type() -> impl Strategy<Value = ChannelBindingType> {
        prop_oneof![
            Just(ChannelBindingType::TlsExporter),
            Just(ChannelBindingType::TlsServerEndPoint),
            Just(ChannelBindingType::TlsUnique),
        ]
    }

    /// A client binding and the offer of a server that agrees with it.
    fn binding() -> impl Strategy<Value = (ChannelBinding, ChannelBindingOffer)> {
        prop_oneof![
            Just((ChannelBinding::Unsupported, ChannelBindingOffer::none())),
            Just((ChannelBinding::NotOffered, ChannelBindingOffer::none())),
            (cb_type(), proptest::collection::vec(any::<u8>(), 0..48)).prop_map(|(t, d)| (
                ChannelBinding::Bound(t, d.clone()),
                ChannelBindingOffer::new(vec![(t, d)])
            )),
        ]
    }

    struct Pair {
        client: client::Scram,
        server: server::Scram,
        stored: StoredCredentials,
    }

    #[allow(clippy::too_many_arguments)]
    fn pair(
        hash: ScramHash,
        user: &str,
        password: &str,
        stored_password: &str,
        cn: &[u8],
        sn: &[u8],
        (cb, offer): (ChannelBinding, ChannelBindingOffer),
        iterations: u32,
    ) -> Pair {
        let plus = matches!(cb, ChannelBinding::Bound(..));
        Pair {
            client: client::Scram::new(hash, user, password, cn, cb)
                .unwrap()
                .with_iteration_bounds(IterationBounds { min: 1, max: 64 }),
            server: server::Scram::new(ScramMechanism::new(hash, plus), sn, offer).unwrap(),
            stored: StoredCredentials::from_password(hash, stored_password, b"salt", iterations)
                .unwrap(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn right_password_both_succeed(
            hash in hash(), user in text(), password in text(),
            cn in proptest::collection::vec(any::<u8>(), 1..32),
            sn in proptest::collection::vec(any::<u8>(), 1..32),
            cb in binding(), iterations in 1u32..16,
        ) {
            let p = pair(hash, &user, &password, &password, &cn, &sn, cb, iterations);
            let (srv, cli) = run(p.client, p.server, p.stored);
            let Ok(ServerStep::Success { username, .. }) = srv else {
                panic!("server: {srv:?}")
            };
            prop_assert_eq!(username, Some(saslprep(&user).unwrap()));
            prop_assert_eq!(cli, Ok(()));
        }

        #[test]
        fn wrong_password_never_succeeds(
            hash in hash(), user in text(), password in text(), other in text(),
            cb in binding(), iterations in 1u32..16,
        ) {
            prop_assume!(saslprep(&password).unwrap() != saslprep(&other).unwrap());
            let p = pair(hash, &user, &password, &other, b"c", b"s", cb, iterations);
            let (srv, cli) = run(p.client, p.server, p.stored);
            prop_assert_eq!(srv, Err(ServerError::Peer(PeerError::InvalidProof)));
            prop_assert_eq!(
                cli,
                Err(ClientError::Peer(PeerError::ServerError(ScramError::InvalidProof)))
            );
        }

        #[test]
        fn mismatched_channel_binding_never_succeeds(
            hash in hash(), t in cb_type(), u in cb_type(),
            a in proptest::collection::vec(any::<u8>(), 0..40),
            b in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            prop_assume!(t != u || a != b);
            let p = pair(
                hash, "user", "pencil", "pencil", b"c", b"s",
                (ChannelBinding::Bound(t, a), ChannelBindingOffer::new(vec![(u, b)])), 1,
            );
            let (srv, cli) = run(p.client, p.server, p.stored);
            prop_assert!(srv.is_err(), "server accepted: {:?}", srv);
            prop_assert!(cli.is_err());
        }

        #[test]
        fn plain_pairs_with_stored_credentials(
            hash in hash(), user in text(), password in text(), other in text(),
            authzid in proptest::option::of("[a-z@.]{1,10}"),
        ) {
            let stored = StoredCredentials::from_password(hash, &password, b"salt", 1).unwrap();
            let c = client::Plain::new(authzid.as_deref(), &user, &other).unwrap();
            let mut s = server::Plain::new();
            prop_assert_eq!(
                s.step(&c.initial_response()).unwrap(),
                ServerStep::NeedCredentials {
                    username: saslprep(&user).unwrap(),
                    authzid: authzid.clone(),
                }
            );
            let right = saslprep(&password).unwrap() == saslprep(&other).unwrap();
            match s.provide(Some(stored)) {
                Ok(ServerStep::Success { .. }) => prop_assert!(right),
                Err(ServerError::Peer(PeerError::WrongPassword)) => prop_assert!(!right),
                other => panic!("{other:?}"),
            }
        }

        /// No input panics either side, at any point of the exchange, and
        /// no input but the genuine one ends in success.
        #[test]
        fn arbitrary_bytes_never_panic(
            hash in hash(),
            junk in proptest::collection::vec(any::<u8>(), 0..200),
            at in 0usize..4,
        ) {
            let p = pair(hash, "user", "pencil", "pencil", b"c", b"s",
                (ChannelBinding::Unsupported, ChannelBindingOffer::none()), 1);
            let (mut c, mut s) = (p.client, p.server);
            match at {
                0 => { let _ = s.step(&junk); }
                1 => { let _ = c.step(&junk); let _ = c.success(Some(&junk)); }
                _ => {
                    s.step(&c.initial_response()).unwrap();
                    let ServerStep::Challenge(first) = s.provide(Some(p.stored)).unwrap()
                        else { panic!() };
                    let fin = c.step(&first).unwrap();
                    if at == 2 {
                        prop_assert!(s.step(&junk).is_err() || junk == fin);
                    } else {
                        let r = c.success(Some(&junk));
                        prop_assert!(r.is_err());
                    }
                }
            }
            let mut any = server::Plain::new();
            let _ = any.step(&junk);
            let mut plain = client::Plain::new(None, "u", "p").unwrap();
            let _ = plain.step(&junk);
            let _ = plain.success(Some(&junk));
            let mut any = client::Client::External(client::External::new(None).unwrap());
            let _ = any.success(Some(&junk));
            let _ = server::Anonymous::new().step(&junk);
            let _ = server::External::new().step(&junk);
        }

        /// One byte changed anywhere in a genuine message: the exchange
        /// fails (base64 is canonical, and every byte is covered by the
        /// AuthMessage or compared).
        #[test]
        fn mutated_messages_never_succeed(
            hash in hash(), which in 0usize..4, pos in any::<prop::sample::Index>(), byte in any::<u8>(),
        ) {
            let p = pair(hash, "user", "pencil", "pencil", b"cn", b"sn",
                (ChannelBinding::Unsupported, ChannelBindingOffer::none()), 1);
            let (mut c, mut s) = (p.client, p.server);
            let mutate = |mut m: Vec<u8>| {
                let i = pos.index(m.len());
                if m[i] == byte { m[i] ^= 1 } else { m[i] = byte }
                m
            };
            let mut first_msg = c.initial_response();
            if which == 0 { first_msg = mutate(first_msg); }
            let (Ok(ServerStep::NeedCredentials { .. }), true) = (s.step(&first_msg), true) else {
                return Ok(());
            };
            let ServerStep::Challenge(mut first) = s.provide(Some(p.stored)).unwrap() else {
                panic!()
            };
            if which == 1 { first = mutate(first); }
            let Ok(mut fin) = c.step(&first) else { return Ok(()) };
            if which == 2 { fin = mutate(fin); }
            let Ok(ServerStep::Success { additional_data, .. }) = s.step(&fin) else {
                return Ok(());
            };
            prop_assert!(which == 3, "server accepted mutated message {}", which);
            let mut data = additional_data.unwrap();
            if which == 3 { data = mutate(data); }
            let r = c.success(Some(&data));
            prop_assert!(r.is_err(), "client accepted mutation {}", which);
        }
    }
}

/// The HT mechanisms (draft-schmaus-kitten-sasl-ht, XEP-0484 FAST).
mod ht {
    use super::*;
    use crate::server::Token;

    fn cbs() -> Vec<(ChannelBindingType, Vec<u8>)> {
        vec![
            (ChannelBindingType::TlsExporter, vec![1; 32]),
            (ChannelBindingType::TlsServerEndPoint, vec![2; 32]),
            (ChannelBindingType::TlsUnique, vec![3; 12]),
        ]
    }

    /// Client and server over the same or different channels, the server
    /// holding `tokens`: what each side ends with.
    fn run(
        m: HtMechanism,
        token: &str,
        client_cb: Vec<(ChannelBindingType, Vec<u8>)>,
        server_cb: Vec<(ChannelBindingType, Vec<u8>)>,
        tokens: Vec<Token>,
    ) -> (Result<ServerStep, ServerError>, Result<(), ClientError>) {
        let mut c = client::HashedToken::new(m, "juliet", token, &client_cb).unwrap();
        let mut s = server::HashedToken::new(m, ChannelBindingOffer::new(server_cb));
        let step = s.step(&c.initial_response()).unwrap();
        assert_eq!(
            step,
            ServerStep::NeedCredentials {
                username: "juliet".into(),
                authzid: None
            }
        );
        let srv = s.provide(tokens);
        let data = match &srv {
            Ok(ServerStep::Success {
                additional_data, ..
            }) => additional_data.clone(),
            _ => None,
        };
        let cli = c.success(data.as_deref());
        (srv, cli)
    }

    #[test]
    fn every_mechanism_round_trips() {
        for m in HtMechanism::ALL {
            let tokens = vec![Token::new(m, "old"), Token::new(m, "t0ken")];
            let (srv, cli) = run(m, "t0ken", cbs(), cbs(), tokens);
            let Ok(ServerStep::Success {
                username,
                additional_data: Some(data),
                ..
            }) = srv
            else {
                panic!("{m}: {srv:?}")
            };
            assert_eq!(username.as_deref(), Some("juliet"));
            assert_eq!(data.len(), m.hash.output_len());
            assert_eq!(cli, Ok(()), "{m}");
        }
    }

    #[test]
    fn the_messages_are_the_drafts_hmacs() {
        let m = HtMechanism::SHA_256_ENDP;
        let c = client::HashedToken::new(m, "juliet", "tok", &cbs()).unwrap();
        let mut expected = b"juliet\0".to_vec();
        expected.extend(crypto::ht_hmac(
            HtHash::Sha256,
            b"tok",
            &[b"Initiator", &[2; 32]],
        ));
        assert_eq!(c.initial_response(), expected);
        let none =
            client::HashedToken::new(HtMechanism::SHA_256_NONE, "juliet", "tok", &[]).unwrap();
        assert_eq!(
            none.initial_response()[7..],
            crypto::ht_hmac(HtHash::Sha256, b"tok", &[b"Initiator"])[..]
        );
        let mut s = server::HashedToken::new(m, ChannelBindingOffer::new(cbs()));
        s.step(&c.initial_response()).unwrap();
        let ServerStep::Success {
            additional_data, ..
        } = s.provide(vec![Token::new(m, "tok")]).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            additional_data.unwrap(),
            crypto::ht_hmac(HtHash::Sha256, b"tok", &[b"Responder", &[2; 32]])
        );
        assert_eq!(s.matched(), Some(0));
    }

    #[test]
    fn wrong_token_is_refused() {
        let m = HtMechanism::SHA_256_EXPR;
        let (srv, cli) = run(m, "guess", cbs(), cbs(), vec![Token::new(m, "t0ken")]);
        assert_eq!(srv, Err(ServerError::Peer(PeerError::InvalidToken)));
        assert_eq!(
            cli,
            Err(ClientError::Peer(PeerError::MissingServerSignature))
        );
        let (srv, _) = run(m, "t0ken", cbs(), cbs(), vec![]);
        assert_eq!(srv, Err(ServerError::Peer(PeerError::NoToken)));
        assert_eq!(
            PeerError::NoToken.condition(),
            xep_core::SaslCondition::CredentialsExpired
        );
        // The right secret, issued for another mechanism.
        let (srv, _) = run(
            m,
            "t0ken",
            cbs(),
            cbs(),
            vec![Token::new(HtMechanism::SHA_256_NONE, "t0ken")],
        );
        assert_eq!(srv, Err(ServerError::Peer(PeerError::InvalidToken)));
    }

    #[test]
    fn mismatched_channel_binding_is_refused() {
        for m in HtMechanism::ALL.into_iter().filter(|m| m.binding.is_some()) {
            let mut other = cbs();
            for (_, d) in &mut other {
                d[0] ^= 0xff;
            }
            let (srv, cli) = run(m, "t0ken", cbs(), other, vec![Token::new(m, "t0ken")]);
            assert_eq!(srv, Err(ServerError::Peer(PeerError::InvalidToken)), "{m}");
            assert!(cli.is_err());
        }
        // The server cannot bind with the type: refused before the lookup.
        let m = HtMechanism::SHA_256_UNIQ;
        let c = client::HashedToken::new(m, "juliet", "t", &cbs()).unwrap();
        let mut s = server::HashedToken::new(m, ChannelBindingOffer::none());
        assert_eq!(
            s.step(&c.initial_response()),
            Err(ServerError::Peer(PeerError::UnsupportedChannelBindingType(
                "tls-unique".into()
            )))
        );
        // Nor can the client.
        assert_eq!(
            client::HashedToken::new(m, "juliet", "t", &[]).unwrap_err(),
            ClientError::Credentials(CredentialsError::ChannelBindingUnavailable(
                ChannelBindingType::TlsUnique
            ))
        );
    }

    #[test]
    fn a_false_server_is_refused() {
        let m = HtMechanism::SHA_256_NONE;
        let mut c = client::HashedToken::new(m, "juliet", "t0ken", &[]).unwrap();
        assert_eq!(
            c.success(Some(&[0; 32])),
            Err(ClientError::Peer(PeerError::ServerSignature))
        );
        assert_eq!(c.state(), client::State::Failed);
        let mut c = client::HashedToken::new(m, "juliet", "t0ken", &[]).unwrap();
        assert_eq!(
            c.success(None),
            Err(ClientError::Peer(PeerError::MissingServerSignature))
        );
        let mut c = client::HashedToken::new(m, "juliet", "t0ken", &[]).unwrap();
        assert_eq!(c.step(b""), Ok(c.initial_response()));
        assert_eq!(
            c.step(b"x"),
            Err(ClientError::Peer(PeerError::UnexpectedData))
        );
        assert!(matches!(c.step(b""), Err(ClientError::WrongState { .. })));
    }

    #[test]
    fn malformed_messages_are_typed() {
        let m = HtMechanism::SHA_256_NONE;
        let cases: [(&[u8], PeerError); 5] = [
            (
                b"juliet",
                PeerError::Malformed("HT is authcid NUL hashed-token"),
            ),
            (
                b"\0abc",
                PeerError::Malformed("empty authcid or hashed token"),
            ),
            (
                b"juliet\0",
                PeerError::Malformed("empty authcid or hashed token"),
            ),
            (
                b"juliet\0short",
                PeerError::Malformed("hashed token of the wrong length"),
            ),
            (
                &[
                    0xff, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                    21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
                ],
                PeerError::InvalidUsername,
            ),
        ];
        for (msg, e) in cases {
            let mut s = server::HashedToken::new(m, ChannelBindingOffer::none());
            assert_eq!(s.step(msg), Err(ServerError::Peer(e)));
            assert_eq!(s.state(), server::State::Failed);
            assert!(matches!(
                s.provide(vec![]),
                Err(ServerError::WrongState { .. })
            ));
        }
        assert_eq!(
            client::HashedToken::new(m, "juliet", "", &[]).unwrap_err(),
            ClientError::Credentials(CredentialsError::EmptyToken)
        );
        // The wrapper: HT takes tokens, not credentials.
        let mut any = server::Server::new(
            Mechanism::Ht(m),
            b"nonce".as_slice(),
            ChannelBindingOffer::none(),
        )
        .unwrap();
        assert_eq!(any.mechanism(), Mechanism::Ht(m));
        assert!(matches!(
            any.provide(None),
            Err(ServerError::WrongState { .. })
        ));
    }

    #[test]
    fn select_never_picks_a_token_mechanism() {
        let offer = Offer {
            mechanisms: vec!["HT-SHA-256-NONE".into(), "SCRAM-SHA-256".into()],
            channel_bindings: None,
            sasl2: true,
        };
        let mut prefs = Preferences::new(vec![]);
        prefs
            .mechanisms
            .insert(0, Mechanism::Ht(HtMechanism::SHA_256_NONE));
        let s = select(&offer, &prefs).unwrap();
        assert_eq!(s.mechanism.name(), "SCRAM-SHA-256");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            /// Any bytes, at either side: no panic, and never a success.
            #[test]
            fn arbitrary_bytes_never_panic(
                which in 0usize..24,
                junk in proptest::collection::vec(any::<u8>(), 0..100),
            ) {
                let m = HtMechanism::ALL[which];
                let mut s = server::HashedToken::new(m, ChannelBindingOffer::new(cbs()));
                if let Ok(ServerStep::NeedCredentials { .. }) = s.step(&junk) {
                    prop_assert!(s.provide(vec![Token::new(m, "t0ken")]).is_err());
                }
                let mut c = client::HashedToken::new(m, "juliet", "t0ken", &cbs()).unwrap();
                let _ = c.step(&junk);
                let mut c = client::HashedToken::new(m, "juliet", "t0ken", &cbs()).unwrap();
                prop_assert!(c.success(Some(&junk)).is_err());
            }

            /// Tokens and channel data: success exactly when both match.
            #[test]
            fn success_iff_token_and_channel_match(
                which in 0usize..24, a in "[ -~]{1,20}", b in "[ -~]{1,20}",
                flip in any::<bool>(),
            ) {
                let m = HtMechanism::ALL[which];
                let mut server_cb = cbs();
                if flip {
                    for (_, d) in &mut server_cb { d[1] ^= 1; }
                }
                let (srv, cli) = run(m, &a, cbs(), server_cb, vec![Token::new(m, b.clone())]);
                let should = a == b && (!flip || m.binding.is_none());
                prop_assert_eq!(srv.is_ok(), should);
                prop_assert_eq!(cli.is_ok(), should);
            }
        }
    }
}
