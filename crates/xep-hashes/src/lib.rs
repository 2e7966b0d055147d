//! XEP-0300 Use of Cryptographic Hash Functions in XMPP: the `<hash/>` and
//! `<hash-used/>` elements, and the digests themselves.
//!
//! ```
//! use xep_element::XmlElement;
//! use xep_hashes::{Algo, Hash, Verdict};
//!
//! let h = Hash::compute(Algo::Sha256, b"The quick brown fox jumps over the lazy dog").unwrap();
//! assert_eq!(
//!     h.to_xml(),
//!     "<hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>16j7swfXgJRpypq8sAguT41WUeRtPNt2LQLQvzfJ5ZI=</hash>"
//! );
//! assert_eq!(h.verify(b"The quick brown fox jumps over the lazy dog"), Verdict::Match);
//! // Unknown algorithms are values, not errors.
//! let other = Hash::from_xml(b"<hash xmlns='urn:xmpp:hashes:2' algo='md2'>AAAA</hash>").unwrap();
//! assert_eq!(other.verify(b""), Verdict::Unsupported);
//! ```

#![warn(missing_docs)]

use xep_element::{Base64, XmlElement, XmlValue};

/// `urn:xmpp:hashes:2`.
pub const NS: &str = "urn:xmpp:hashes:2";
/// Prefix of the per-algorithm disco features (XEP-0300 §5).
pub const FEATURE_PREFIX: &str = "urn:xmpp:hash-function-text-names:";

/// A hash function, by its IANA "Hash Function Textual Name" or the names
/// XEP-0300 §2 adds. Unknown names are kept ([`Algo::Other`]).
#[derive(xep_element::XmlValue, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algo {
    /// MD5 (broken; for legacy data only).
    #[xml(value = "md5")]
    Md5,
    /// SHA-1 (RFC 3174; collisions are practical: legacy uses only).
    #[xml(value = "sha-1")]
    Sha1,
    /// SHA-224.
    #[xml(value = "sha-224")]
    Sha224,
    /// SHA-256 (FIPS 180-4).
    #[xml(value = "sha-256")]
    Sha256,
    /// SHA-384.
    #[xml(value = "sha-384")]
    Sha384,
    /// SHA-512.
    #[xml(value = "sha-512")]
    Sha512,
    /// SHA3-224 (FIPS 202).
    #[xml(value = "sha3-224")]
    Sha3_224,
    /// SHA3-256 (FIPS 202).
    #[xml(value = "sha3-256")]
    Sha3_256,
    /// SHA3-384.
    #[xml(value = "sha3-384")]
    Sha3_384,
    /// SHA3-512 (FIPS 202).
    #[xml(value = "sha3-512")]
    Sha3_512,
    /// BLAKE2b with a 256-bit digest (RFC 7693), as XEP-0300 §2 names it.
    #[xml(value = "blake2b-256")]
    Blake2b256,
    /// BLAKE2b with a 512-bit digest (RFC 7693), as XEP-0300 §2 names it.
    #[xml(value = "blake2b-512")]
    Blake2b512,
    /// Any other name (kept as written; `id-blake2b256` and `id-blake2b512`,
    /// the names of XEP-0300's registry section, are computed too).
    #[xml(other)]
    Other(String),
}

impl Algo {
    /// The digest of `data`, or `None` for an algorithm this crate does not
    /// compute.
    pub fn digest(&self, data: &[u8]) -> Option<Vec<u8>> {
        use sha2::Digest;
        Some(match self {
            Algo::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Algo::Sha224 => sha2::Sha224::digest(data).to_vec(),
            Algo::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Algo::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Algo::Sha512 => sha2::Sha512::digest(data).to_vec(),
            Algo::Sha3_224 => sha3::Sha3_224::digest(data).to_vec(),
            Algo::Sha3_256 => sha3::Sha3_256::digest(data).to_vec(),
            Algo::Sha3_384 => sha3::Sha3_384::digest(data).to_vec(),
            Algo::Sha3_512 => sha3::Sha3_512::digest(data).to_vec(),
            Algo::Blake2b256 => {
                blake2::Blake2b::<blake2::digest::consts::U32>::digest(data).to_vec()
            }
            Algo::Blake2b512 => blake2::Blake2b512::digest(data).to_vec(),
            Algo::Other(name) => match name.as_str() {
                "id-blake2b256" => return Algo::Blake2b256.digest(data),
                "id-blake2b512" => return Algo::Blake2b512.digest(data),
                _ => return None,
            },
            Algo::Md5 => return None,
        })
    }

    /// The digest length in bytes, for algorithms of known length.
    pub fn digest_len(&self) -> Option<usize> {
        Some(match self {
            Algo::Md5 => 16,
            Algo::Sha1 => 20,
            Algo::Sha224 | Algo::Sha3_224 => 28,
            Algo::Sha256 | Algo::Sha3_256 | Algo::Blake2b256 => 32,
            Algo::Sha384 | Algo::Sha3_384 => 48,
            Algo::Sha512 | Algo::Sha3_512 | Algo::Blake2b512 => 64,
            Algo::Other(n) if n == "id-blake2b256" => 32,
            Algo::Other(n) if n == "id-blake2b512" => 64,
            Algo::Other(_) => return None,
        })
    }

    /// Whether [`Algo::digest`] computes this algorithm.
    pub fn is_supported(&self) -> bool {
        self.digest(b"").is_some()
    }

    /// Every algorithm this crate computes, strongest family first.
    pub const SUPPORTED: [Algo; 11] = [
        Algo::Sha3_512,
        Algo::Sha3_256,
        Algo::Blake2b512,
        Algo::Blake2b256,
        Algo::Sha512,
        Algo::Sha384,
        Algo::Sha256,
        Algo::Sha3_384,
        Algo::Sha3_224,
        Algo::Sha224,
        Algo::Sha1,
    ];

    /// The disco feature announcing support for this algorithm
    /// (`urn:xmpp:hash-function-text-names:<name>`).
    pub fn feature(&self) -> String {
        format!("{FEATURE_PREFIX}{}", self.to_xml())
    }

    /// The algorithm a disco feature announces, if it is such a feature.
    pub fn from_feature(var: &str) -> Option<Algo> {
        var.strip_prefix(FEATURE_PREFIX)
            .and_then(|n| Algo::from_xml(n).ok())
    }
}

/// `<hash algo='...'>base64</hash>`: a digest and the function that made
/// it.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Hash)]
#[xml(ns = NS, name = "hash")]
pub struct Hash {
    /// The hash function.
    #[xml(attr)]
    pub algo: Algo,
    /// The digest (base64 on the wire).
    #[xml(text)]
    pub value: Base64,
}

/// `<hash-used algo='...'/>`: names the function to hash with, when the
/// hash itself is not known yet (e.g. in a file-transfer offer).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Hash)]
#[xml(ns = NS, name = "hash-used")]
pub struct HashUsed {
    /// The hash function.
    #[xml(attr)]
    pub algo: Algo,
}

/// The outcome of checking data against a [`Hash`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The digest of the data is the one given.
    Match,
    /// It is not.
    Mismatch,
    /// This crate does not compute the algorithm.
    Unsupported,
}

impl Hash {
    /// The hash of `data` with `algo`; `None` when the algorithm is not
    /// computed here.
    pub fn compute(algo: Algo, data: &[u8]) -> Option<Hash> {
        let value = Base64(algo.digest(data)?);
        Some(Hash { algo, value })
    }

    /// Checks `data` against this hash.
    pub fn verify(&self, data: &[u8]) -> Verdict {
        match self.algo.digest(data) {
            None => Verdict::Unsupported,
            Some(d) if d == self.value.0 => Verdict::Match,
            Some(_) => Verdict::Mismatch,
        }
    }

    /// Whether the digest has the length of its algorithm (unknown
    /// algorithms: `true`).
    pub fn is_well_sized(&self) -> bool {
        self.algo
            .digest_len()
            .is_none_or(|n| n == self.value.0.len())
    }

    /// The digest as base64 (as on the wire).
    pub fn to_base64(&self) -> String {
        self.value.to_xml().into_owned()
    }
}

xep_element::elements! {
    "XEP-0300" => [Hash, HashUsed],
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// Published known-answer vectors for "abc" (FIPS 180-4 and FIPS 202
    /// examples, RFC 7693 Appendix A for BLAKE2b-512).
    #[test]
    fn known_answers_for_abc() {
        let cases = [
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
                Algo::Sha512,
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            ),
            (
                Algo::Sha3_256,
                "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
            ),
            (
                Algo::Sha3_512,
                "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0",
            ),
            (
                Algo::Blake2b512,
                "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
            ),
            (
                Algo::Blake2b256,
                "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
            ),
        ];
        for (algo, want) in cases {
            assert_eq!(hex(&algo.digest(b"abc").unwrap()), want, "{algo:?}");
            assert_eq!(algo.digest_len(), Some(want.len() / 2));
        }
        assert_eq!(
            Algo::Other("id-blake2b256".into()).digest(b"abc"),
            Algo::Blake2b256.digest(b"abc")
        );
        assert_eq!(Algo::Md5.digest(b"abc"), None);
    }

    #[test]
    fn elements_round_trip_and_reject_bad_input() {
        let h = Hash::from_xml(
            b"<hash xmlns='urn:xmpp:hashes:2' algo='sha-1'>2AfMGH8O7UNPTvUVAM9aK13mpCY=</hash>",
        )
        .unwrap();
        assert_eq!(h.algo, Algo::Sha1);
        assert!(h.is_well_sized());
        assert_eq!(Hash::from_xml(h.to_xml().as_bytes()).unwrap(), h);
        let u = HashUsed::from_xml(b"<hash-used xmlns='urn:xmpp:hashes:2' algo='x-new'/>").unwrap();
        assert_eq!(u.algo, Algo::Other("x-new".into()));
        assert_eq!(
            u.to_xml(),
            "<hash-used xmlns='urn:xmpp:hashes:2' algo='x-new'/>"
        );
        let e = Hash::from_xml(b"<hash xmlns='urn:xmpp:hashes:2' algo='sha-1'>not base64!</hash>")
            .unwrap_err();
        assert_eq!(e.path(), "hash");
        let e = Hash::from_xml(b"<hash xmlns='urn:xmpp:hashes:2'>AAAA</hash>").unwrap_err();
        assert!(e.to_string().contains("'algo'"), "{e}");
        let short =
            Hash::from_xml(b"<hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>AAAA</hash>").unwrap();
        assert!(!short.is_well_sized());
    }

    #[test]
    fn verification_distinguishes_match_mismatch_and_unsupported() {
        for algo in Algo::SUPPORTED {
            let h = Hash::compute(algo.clone(), b"data").unwrap();
            assert_eq!(h.verify(b"data"), Verdict::Match, "{algo:?}");
            assert_eq!(h.verify(b"date"), Verdict::Mismatch, "{algo:?}");
            assert!(h.is_well_sized());
        }
        assert!(Hash::compute(Algo::Md5, b"").is_none());
    }

    #[test]
    fn disco_features_name_the_algorithms() {
        assert_eq!(
            Algo::Sha3_256.feature(),
            "urn:xmpp:hash-function-text-names:sha3-256"
        );
        assert_eq!(
            Algo::from_feature("urn:xmpp:hash-function-text-names:blake2b-512"),
            Some(Algo::Blake2b512)
        );
        assert_eq!(Algo::from_feature("urn:xmpp:hashes:2"), None);
    }
}
