use super::*;
use xep_element::testdata::xep_source as xep;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Published known-answer vectors: FIPS 180-4 / FIPS 202 examples for
/// "abc", RFC 7693 Appendix A for BLAKE2b-512("abc"), and the usual
/// empty-string digests.
#[test]
fn known_answers() {
    let abc = [
        (Algo::Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (
            Algo::Sha224,
            "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
        ),
        (
            Algo::Sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            Algo::Sha384,
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
        ),
        (
            Algo::Sha512,
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
        (
            Algo::Sha3_224,
            "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf",
        ),
        (
            Algo::Sha3_256,
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
        ),
        (
            Algo::Sha3_384,
            "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25",
        ),
        (
            Algo::Sha3_512,
            "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0",
        ),
        (
            Algo::Shake128,
            "5881092dd818bf5cf8a3ddb793fbcba74097d5c526a6d35f97b83351940f2cc8",
        ),
        (
            Algo::Shake256,
            "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739d5a15bef186a5386c75744c0527e1faa9f8726e462a12a4feb06bd8801e751e4",
        ),
        (
            Algo::Blake2b256,
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
        ),
        (
            Algo::Blake2b512,
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
        ),
    ];
    let empty = [
        (Algo::Sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (
            Algo::Sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        (
            Algo::Sha3_256,
            "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
        ),
        (
            Algo::Shake128,
            "7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26",
        ),
        (
            Algo::Shake256,
            "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762fd75dc4ddd8c0f200cb05019d67b592f6fc821c49479ab48640292eacb3b7c4be",
        ),
        (
            Algo::IdBlake2b160,
            "3345524abf6bbe1809449224b5972c41790b6cf2",
        ),
        (
            Algo::IdBlake2b256,
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
        ),
        (
            Algo::IdBlake2b384,
            "b32811423377f52d7862286ee1a72ee540524380fda1724a6f25d7978c6fd3244a6caf0498812673c5e05ef583825100",
        ),
        (
            Algo::IdBlake2b512,
            "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce",
        ),
    ];
    for (input, cases) in [(&b"abc"[..], &abc[..]), (&b""[..], &empty[..])] {
        for (algo, want) in cases {
            assert_eq!(hex(&algo.digest(input).unwrap()), *want, "{algo:?}");
            assert_eq!(algo.digest_len(), Some(want.len() / 2), "{algo:?}");
        }
    }
    // The registry's id-blake2b names are the same functions.
    assert_eq!(
        Algo::IdBlake2b256.digest(b"abc"),
        Algo::Blake2b256.digest(b"abc")
    );
    assert_eq!(
        Algo::IdBlake2b512.digest(b"abc"),
        Algo::Blake2b512.digest(b"abc")
    );
    for algo in [Algo::Md2, Algo::Md5, Algo::Other("x-hash".into())] {
        assert_eq!(algo.digest(b"abc"), None);
        assert!(!algo.is_supported());
    }
}

#[test]
fn every_named_algorithm_has_a_consistent_length() {
    let named = [
        Algo::Md2,
        Algo::Md5,
        Algo::Sha1,
        Algo::Sha224,
        Algo::Sha256,
        Algo::Sha384,
        Algo::Sha512,
        Algo::Shake128,
        Algo::Shake256,
        Algo::Sha3_224,
        Algo::Sha3_256,
        Algo::Sha3_384,
        Algo::Sha3_512,
        Algo::Blake2b256,
        Algo::Blake2b512,
        Algo::IdBlake2b160,
        Algo::IdBlake2b256,
        Algo::IdBlake2b384,
        Algo::IdBlake2b512,
    ];
    for algo in &named {
        // Names round-trip and are not taken for unknown ones.
        let name = algo.to_xml();
        assert_eq!(&Algo::from_xml(&name).unwrap(), algo);
        assert!(algo.digest_len().is_some());
        if let Some(d) = algo.digest(b"x") {
            assert_eq!(Some(d.len()), algo.digest_len(), "{algo:?}");
            assert!(algo.is_supported());
        }
    }
    for algo in Algo::SUPPORTED {
        assert!(algo.is_supported(), "{algo:?}");
        assert_eq!(algo.canonical(), algo);
    }
    assert!(Algo::Sha256.is_registered() && Algo::Blake2b512.is_registered());
    assert!(Algo::Shake128.is_registered() && Algo::Md2.is_registered());
    assert!(!Algo::IdBlake2b256.is_registered() && !Algo::Sha3_224.is_registered());
    assert!(!Algo::Other("sha-256x".into()).is_registered());
}

#[test]
fn hash_round_trips_and_rejects_bad_input() {
    let text = "<hash xmlns='urn:xmpp:hashes:2' algo='sha-1'>qZk+NkcGgWq6PiVxeFDCbJzQ2J0=</hash>";
    let h = Hash::from_xml(text.as_bytes()).unwrap();
    assert_eq!(h.algo, Algo::Sha1);
    assert_eq!(h.verify(b"abc"), Verdict::Match);
    assert!(h.is_well_sized());
    assert_eq!(h.to_xml(), text);
    assert_eq!(h.to_base64(), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");

    let bad = |xml: &str| Hash::from_xml(xml.as_bytes()).unwrap_err();
    let e = bad("<hash xmlns='urn:xmpp:hashes:2' algo='sha-1'>not base64!</hash>");
    assert_eq!(e.path(), "hash");
    assert!(e.to_string().contains("base64"), "{e}");
    // Non-zero padding bits (XEP-0300 §3: MUST be zero).
    let e = bad("<hash xmlns='urn:xmpp:hashes:2' algo='sha-1'>qZk+NkcGgWq6PiVxeFDCbJzQ2J1=</hash>");
    assert_eq!(e.path(), "hash");
    // Missing padding.
    bad("<hash xmlns='urn:xmpp:hashes:2' algo='sha-1'>qZk+NkcGgWq6PiVxeFDCbJzQ2J0</hash>");
    let e = bad("<hash xmlns='urn:xmpp:hashes:2'>AAAA</hash>");
    assert!(e.to_string().contains("'algo'"), "{e}");
    let e = bad("<hash xmlns='urn:xmpp:hashes:2' algo='x:y'>AAAA</hash>");
    assert!(e.to_string().contains("NCName"), "{e}");
    assert_eq!(e.path(), "hash");
    bad("<hash xmlns='urn:xmpp:hashes:2' algo=''>AAAA</hash>");
    bad("<hash xmlns='urn:xmpp:hashes:2' algo='sha-1' extra='1'>AAAA</hash>");
    bad("<hash xmlns='urn:xmpp:hashes:2' algo='sha-1'><x xmlns='urn:example'/></hash>");
    bad("<hash xmlns='urn:xmpp:hashes:1' algo='sha-1'>AAAA</hash>");

    // Wrong-sized digests are kept, and flagged.
    let short =
        Hash::from_xml(b"<hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>AAAA</hash>").unwrap();
    assert!(!short.is_well_sized());
    assert_eq!(short.verify(b""), Verdict::Mismatch);
    // An empty digest is valid base64 (the empty string).
    let empty = Hash::from_xml(b"<hash xmlns='urn:xmpp:hashes:2' algo='x-new'/>").unwrap();
    assert!(empty.digest().is_empty() && empty.is_well_sized());
}

#[test]
fn wrapped_base64_keeps_the_digest_and_is_written_compactly() {
    let wrapped = "<hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>\n  ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qc\n  tBD/YfIAFa0=\n</hash>";
    let h = Hash::from_xml(wrapped.as_bytes()).unwrap();
    assert_eq!(h.verify(b"abc"), Verdict::Match);
    assert_eq!(
        h.to_xml(),
        "<hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=</hash>"
    );
    assert_eq!(Hash::from_xml(h.to_xml().as_bytes()).unwrap(), h);
}

#[test]
fn unknown_algorithms_are_kept() {
    let text = "<hash xmlns='urn:xmpp:hashes:2' algo='x-future-hash'>AQID</hash>";
    let h = Hash::from_xml(text.as_bytes()).unwrap();
    assert_eq!(h.algo, Algo::Other("x-future-hash".into()));
    assert_eq!(h.digest(), [1, 2, 3]);
    assert_eq!(h.verify(b"abc"), Verdict::Unsupported);
    assert!(h.is_well_sized());
    assert_eq!(h.to_xml(), text);
}

#[test]
fn hash_used_round_trips() {
    let u = HashUsed::from_xml(b"<hash-used xmlns='urn:xmpp:hashes:2' algo='sha3-256'/>").unwrap();
    assert_eq!(u, HashUsed::new(Algo::Sha3_256));
    let u = HashUsed::from_xml(b"<hash-used xmlns='urn:xmpp:hashes:2' algo='x-new'/>").unwrap();
    assert_eq!(u.algo, Algo::Other("x-new".into()));
    assert_eq!(
        u.to_xml(),
        "<hash-used xmlns='urn:xmpp:hashes:2' algo='x-new'/>"
    );
    let e = HashUsed::from_xml(b"<hash-used xmlns='urn:xmpp:hashes:2'/>").unwrap_err();
    assert_eq!(e.path(), "hash-used");
    let e =
        HashUsed::from_xml(b"<hash-used xmlns='urn:xmpp:hashes:2' algo='sha-1'>AAAA</hash-used>")
            .unwrap_err();
    assert_eq!(e.path(), "hash-used");
    HashUsed::from_xml(b"<hash-used xmlns='urn:xmpp:hashes:2' algo='a b'/>").unwrap_err();
}

#[test]
fn verification_distinguishes_match_mismatch_and_unsupported() {
    for algo in Algo::SUPPORTED.into_iter().chain([
        Algo::Shake128,
        Algo::Shake256,
        Algo::IdBlake2b160,
        Algo::IdBlake2b384,
    ]) {
        let h = Hash::compute(algo.clone(), b"data").unwrap();
        assert_eq!(h.verify(b"data"), Verdict::Match, "{algo:?}");
        assert_eq!(h.verify(b"date"), Verdict::Mismatch, "{algo:?}");
        assert!(h.is_well_sized());
    }
    assert!(Hash::compute(Algo::Md5, b"").is_none());
    assert_eq!(
        Hash::new(Algo::Md5, vec![0; 16]).verify(b""),
        Verdict::Unsupported
    );
}

#[test]
fn sets_of_hashes() {
    let data = b"file contents";
    let sha1 = Hash::compute(Algo::Sha1, data).unwrap();
    let b2 = Hash::compute(Algo::IdBlake2b256, data).unwrap();
    let md5 = Hash::new(Algo::Md5, vec![0; 16]);
    let wrong = Hash::compute(Algo::Sha256, b"other").unwrap();

    assert_eq!(
        verify_all(&[md5.clone(), sha1.clone(), b2.clone()], data),
        Verdict::Match
    );
    assert_eq!(
        verify_all(&[sha1.clone(), wrong.clone()], data),
        Verdict::Mismatch
    );
    assert_eq!(
        verify_all(std::slice::from_ref(&md5), data),
        Verdict::Unsupported
    );
    assert_eq!(verify_all(&[], data), Verdict::Unsupported);

    // id-blake2b256 counts as blake2b-256, stronger than sha-256 and sha-1.
    let set = [sha1.clone(), wrong.clone(), b2.clone(), md5.clone()];
    assert_eq!(strongest(&set), Some(&b2));
    assert_eq!(strongest(&[sha1.clone(), md5.clone()]), Some(&sha1));
    assert_eq!(strongest(std::slice::from_ref(&md5)), None);

    assert_eq!(check_distinct(&set), Ok(()));
    assert_eq!(check_distinct(&[sha1.clone(), b2, sha1]), Err(Algo::Sha1));
}

#[test]
fn disco_features_name_the_algorithms() {
    assert_eq!(Algo::Sha3_256.feature(), feature::SHA3_256);
    assert_eq!(
        Algo::from_feature("urn:xmpp:hash-function-text-names:blake2b-512"),
        Some(Algo::Blake2b512)
    );
    assert_eq!(
        Algo::from_feature("urn:xmpp:hash-function-text-names:x-new"),
        Some(Algo::Other("x-new".into()))
    );
    assert_eq!(
        Algo::from_feature("urn:xmpp:hash-function-text-names:"),
        None
    );
    assert_eq!(Algo::from_feature(feature::HASHES), None);
    for var in feature::REGISTERED {
        let algo = Algo::from_feature(var).unwrap();
        assert!(!matches!(algo, Algo::Other(_)), "{var}");
        assert_eq!(algo.feature(), var);
    }
    assert_eq!(
        Algo::from_features([
            "urn:xmpp:hashes:2",
            "urn:xmpp:hash-function-text-names:sha-256",
            "http://jabber.org/protocol/disco#info",
            "urn:xmpp:hash-function-text-names:id-blake2b256",
        ]),
        vec![Algo::Sha256, Algo::IdBlake2b256]
    );
}

/// XEP-0300's own snippets (in `<code>` blocks, which the example checker
/// does not run) parse and re-serialize byte for byte, and its registry
/// submission names only algorithms this crate knows.
#[test]
fn xep_0300_snippets_and_registry() {
    let Some(doc) = xep(300) else { return };
    let mut hashes = 0;
    for line in doc.lines().map(str::trim) {
        let line = line.strip_prefix("<code><![CDATA[").unwrap_or(line);
        let line = line.strip_suffix("]]></code>").unwrap_or(line);
        if line.starts_with("<hash xmlns=") {
            let h = Hash::from_xml(line.as_bytes()).unwrap();
            assert!(h.is_well_sized() && h.algo.is_registered(), "{line}");
            assert_eq!(h.to_xml(), line);
            hashes += 1;
        } else if line.starts_with("<hash-used ") {
            let u = HashUsed::from_xml(line.as_bytes()).unwrap();
            assert_eq!(u.to_xml(), line);
            hashes += 1;
        } else if let Some(name) = line
            .strip_prefix("<name>")
            .and_then(|l| l.strip_suffix("</name>"))
        {
            let algo = Algo::from_feature(name).unwrap();
            assert!(!matches!(algo, Algo::Other(_)), "{name}");
            assert!(feature::REGISTERED.contains(&name), "{name}");
        }
    }
    assert!(hashes >= 4, "found {hashes} snippets");
}
