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
//! let other = Hash::from_xml(b"<hash xmlns='urn:xmpp:hashes:2' algo='x-new'>AAAA</hash>").unwrap();
//! assert_eq!(other.algo, Algo::Other("x-new".into()));
//! assert_eq!(other.verify(b""), Verdict::Unsupported);
//! // Disco features announce the algorithms an entity computes.
//! assert_eq!(Algo::Sha256.feature(), xep_hashes::feature::SHA_256);
//! ```

#![warn(missing_docs)]

use xep_element::{Base64, XmlElement, XmlValue};

/// `urn:xmpp:hashes:2`.
pub const NS: &str = "urn:xmpp:hashes:2";
/// Prefix of the per-algorithm disco features (XEP-0300 §5).
pub const FEATURE_PREFIX: &str = "urn:xmpp:hash-function-text-names:";

/// A hash function, by its IANA "Hash Function Textual Name", one of the
/// names XEP-0300 §3 adds, or one of the `id-blake2b*` names of its disco
/// feature registry (§9.3). Unknown names are kept ([`Algo::Other`]).
#[derive(xep_element::XmlValue, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algo {
    /// MD2 (IANA; obsolete, not computed).
    #[xml(value = "md2")]
    Md2,
    /// MD5 (IANA; broken, not computed).
    #[xml(value = "md5")]
    Md5,
    /// SHA-1 (IANA; collisions are practical: legacy uses only).
    #[xml(value = "sha-1")]
    Sha1,
    /// SHA-224 (IANA, FIPS 180-4).
    #[xml(value = "sha-224")]
    Sha224,
    /// SHA-256 (IANA, FIPS 180-4).
    #[xml(value = "sha-256")]
    Sha256,
    /// SHA-384 (IANA, FIPS 180-4).
    #[xml(value = "sha-384")]
    Sha384,
    /// SHA-512 (IANA, FIPS 180-4).
    #[xml(value = "sha-512")]
    Sha512,
    /// SHAKE128 with a 256-bit output, as RFC 8692 (the IANA entry's
    /// reference) fixes it.
    #[xml(value = "shake128")]
    Shake128,
    /// SHAKE256 with a 512-bit output, as RFC 8692 fixes it.
    #[xml(value = "shake256")]
    Shake256,
    /// SHA3-224 (FIPS 202; named only in XEP-0300's feature registry).
    #[xml(value = "sha3-224")]
    Sha3_224,
    /// SHA3-256 (FIPS 202; XEP-0300 §3).
    #[xml(value = "sha3-256")]
    Sha3_256,
    /// SHA3-384 (FIPS 202; named only in XEP-0300's feature registry).
    #[xml(value = "sha3-384")]
    Sha3_384,
    /// SHA3-512 (FIPS 202; XEP-0300 §3).
    #[xml(value = "sha3-512")]
    Sha3_512,
    /// BLAKE2b with a 256-bit digest (RFC 7693; XEP-0300 §3).
    #[xml(value = "blake2b-256")]
    Blake2b256,
    /// BLAKE2b with a 512-bit digest (RFC 7693; XEP-0300 §3).
    #[xml(value = "blake2b-512")]
    Blake2b512,
    /// BLAKE2b-160, under the name of XEP-0300's feature registry.
    #[xml(value = "id-blake2b160")]
    IdBlake2b160,
    /// BLAKE2b-256, under the name of XEP-0300's feature registry (used as
    /// `algo` by XEP-0385, XEP-0447 and others).
    #[xml(value = "id-blake2b256")]
    IdBlake2b256,
    /// BLAKE2b-384, under the name of XEP-0300's feature registry.
    #[xml(value = "id-blake2b384")]
    IdBlake2b384,
    /// BLAKE2b-512, under the name of XEP-0300's feature registry.
    #[xml(value = "id-blake2b512")]
    IdBlake2b512,
    /// Any other name, kept as written.
    #[xml(other)]
    Other(String),
}

fn xof<H: Default + sha3::digest::Update + sha3::digest::ExtendableOutput>(
    data: &[u8],
    len: usize,
) -> Vec<u8> {
    use sha3::digest::XofReader;
    let mut h = H::default();
    h.update(data);
    let mut out = vec![0; len];
    h.finalize_xof().read(&mut out);
    out
}

impl Algo {
    /// The digest of `data`, or `None` for an algorithm this crate does not
    /// compute (MD2, MD5 and unknown names).
    pub fn digest(&self, data: &[u8]) -> Option<Vec<u8>> {
        use blake2::Blake2b;
        use blake2::digest::consts::{U20, U32, U48};
        use sha2::Digest;
        Some(match self {
            Algo::Sha1 => sha1::Sha1::digest(data).to_vec(),
            Algo::Sha224 => sha2::Sha224::digest(data).to_vec(),
            Algo::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Algo::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Algo::Sha512 => sha2::Sha512::digest(data).to_vec(),
            Algo::Shake128 => xof::<sha3::Shake128>(data, 32),
            Algo::Shake256 => xof::<sha3::Shake256>(data, 64),
            Algo::Sha3_224 => sha3::Sha3_224::digest(data).to_vec(),
            Algo::Sha3_256 => sha3::Sha3_256::digest(data).to_vec(),
            Algo::Sha3_384 => sha3::Sha3_384::digest(data).to_vec(),
            Algo::Sha3_512 => sha3::Sha3_512::digest(data).to_vec(),
            Algo::IdBlake2b160 => Blake2b::<U20>::digest(data).to_vec(),
            Algo::Blake2b256 | Algo::IdBlake2b256 => Blake2b::<U32>::digest(data).to_vec(),
            Algo::IdBlake2b384 => Blake2b::<U48>::digest(data).to_vec(),
            Algo::Blake2b512 | Algo::IdBlake2b512 => blake2::Blake2b512::digest(data).to_vec(),
            Algo::Md2 | Algo::Md5 | Algo::Other(_) => return None,
        })
    }

    /// The digest length in bytes, for every named algorithm.
    pub fn digest_len(&self) -> Option<usize> {
        Some(match self {
            Algo::Md2 | Algo::Md5 => 16,
            Algo::Sha1 | Algo::IdBlake2b160 => 20,
            Algo::Sha224 | Algo::Sha3_224 => 28,
            Algo::Sha256
            | Algo::Sha3_256
            | Algo::Shake128
            | Algo::Blake2b256
            | Algo::IdBlake2b256 => 32,
            Algo::Sha384 | Algo::Sha3_384 | Algo::IdBlake2b384 => 48,
            Algo::Sha512
            | Algo::Sha3_512
            | Algo::Shake256
            | Algo::Blake2b512
            | Algo::IdBlake2b512 => 64,
            Algo::Other(_) => return None,
        })
    }

    /// Whether [`Algo::digest`] computes this algorithm.
    pub fn is_supported(&self) -> bool {
        !matches!(self, Algo::Md2 | Algo::Md5 | Algo::Other(_))
    }

    /// Whether the name is one XEP-0300 §3 allows as `algo`: an IANA Hash
    /// Function Textual Name (`md2`, `md5`, `sha-1`, `sha-224`, `sha-256`,
    /// `sha-384`, `sha-512`, `shake128`, `shake256`) or one of its table
    /// (`sha3-256`, `sha3-512`, `blake2b-256`, `blake2b-512`). The other
    /// names of its feature registry (`sha3-224`, `sha3-384`,
    /// `id-blake2b*`) are not in that list, though other XEPs use them.
    pub fn is_registered(&self) -> bool {
        !matches!(
            self,
            Algo::Sha3_224
                | Algo::Sha3_384
                | Algo::IdBlake2b160
                | Algo::IdBlake2b256
                | Algo::IdBlake2b384
                | Algo::IdBlake2b512
                | Algo::Other(_)
        )
    }

    /// The one name this crate uses for the function of an alias: the
    /// `id-blake2b256`/`id-blake2b512` registry names map to `blake2b-256`/
    /// `blake2b-512`; every other algorithm is its own canonical form.
    pub fn canonical(&self) -> Algo {
        match self {
            Algo::IdBlake2b256 => Algo::Blake2b256,
            Algo::IdBlake2b512 => Algo::Blake2b512,
            a => a.clone(),
        }
    }

    /// The algorithms this crate computes, one name per function (no
    /// `id-blake2b*` aliases, no XOFs), strongest family first: the order
    /// in which to prefer a hash out of several.
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
    /// (`urn:xmpp:hash-function-text-names:<name>`, XEP-0300 §5).
    pub fn feature(&self) -> String {
        format!("{FEATURE_PREFIX}{}", self.to_xml())
    }

    /// The algorithm a disco feature announces, if it is such a feature
    /// with a non-empty name.
    pub fn from_feature(var: &str) -> Option<Algo> {
        var.strip_prefix(FEATURE_PREFIX)
            .filter(|n| is_ncname(n))
            .and_then(|n| Algo::from_xml(n).ok())
    }

    /// The algorithms announced by a list of disco features (e.g. a
    /// disco#info result's `var`s), in order; other features are skipped.
    pub fn from_features<'a>(vars: impl IntoIterator<Item = &'a str>) -> Vec<Algo> {
        vars.into_iter().filter_map(Algo::from_feature).collect()
    }
}

/// The disco features of XEP-0300 (§5 and the registry of §9.3).
pub mod feature {
    /// Support for the protocol itself (`urn:xmpp:hashes:2`).
    pub const HASHES: &str = super::NS;
    /// MD5.
    pub const MD5: &str = "urn:xmpp:hash-function-text-names:md5";
    /// SHA-1.
    pub const SHA_1: &str = "urn:xmpp:hash-function-text-names:sha-1";
    /// SHA-224.
    pub const SHA_224: &str = "urn:xmpp:hash-function-text-names:sha-224";
    /// SHA-256.
    pub const SHA_256: &str = "urn:xmpp:hash-function-text-names:sha-256";
    /// SHA-384.
    pub const SHA_384: &str = "urn:xmpp:hash-function-text-names:sha-384";
    /// SHA-512.
    pub const SHA_512: &str = "urn:xmpp:hash-function-text-names:sha-512";
    /// SHA3-224.
    pub const SHA3_224: &str = "urn:xmpp:hash-function-text-names:sha3-224";
    /// SHA3-256.
    pub const SHA3_256: &str = "urn:xmpp:hash-function-text-names:sha3-256";
    /// SHA3-384.
    pub const SHA3_384: &str = "urn:xmpp:hash-function-text-names:sha3-384";
    /// SHA3-512.
    pub const SHA3_512: &str = "urn:xmpp:hash-function-text-names:sha3-512";
    /// BLAKE2b-160.
    pub const ID_BLAKE2B160: &str = "urn:xmpp:hash-function-text-names:id-blake2b160";
    /// BLAKE2b-256.
    pub const ID_BLAKE2B256: &str = "urn:xmpp:hash-function-text-names:id-blake2b256";
    /// BLAKE2b-384.
    pub const ID_BLAKE2B384: &str = "urn:xmpp:hash-function-text-names:id-blake2b384";
    /// BLAKE2b-512.
    pub const ID_BLAKE2B512: &str = "urn:xmpp:hash-function-text-names:id-blake2b512";
    /// Every per-algorithm feature of the registry, in its order.
    pub const REGISTERED: [&str; 14] = [
        MD5,
        SHA_1,
        SHA_224,
        SHA_256,
        SHA_384,
        SHA_512,
        SHA3_224,
        SHA3_256,
        SHA3_384,
        SHA3_512,
        ID_BLAKE2B160,
        ID_BLAKE2B256,
        ID_BLAKE2B384,
        ID_BLAKE2B512,
    ];
}

/// Whether `s` is an `xs:NCName` (the schema type of `algo`): a name
/// without colons. Non-ASCII letters are accepted as name characters.
fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    let start = |c: char| c == '_' || c.is_alphabetic();
    chars.next().is_some_and(start)
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{b7}'))
}

fn check_algo(algo: &Algo) -> Result<(), xep_element::Error> {
    match algo {
        Algo::Other(name) if !is_ncname(name) => Err(xep_element::Error::bad_attribute(
            "algo",
            name,
            "not an xs:NCName (XEP-0300 schema)",
        )),
        _ => Ok(()),
    }
}

/// `<hash algo='...'>base64</hash>`: a digest and the function that made
/// it (XEP-0300 §3).
///
/// The text is Base64 with canonical padding bits (the `base64` engine
/// rejects others, as §3 requires them to be zero). Whitespace, which §3
/// forbids senders to write, is tolerated on input and never written, so a
/// round trip keeps the digest but not the wrapping. A digest of the wrong
/// length for its algorithm is accepted (§3 sets no rule for receivers);
/// see [`Hash::is_well_sized`].
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Hash)]
#[xml(ns = NS, name = "hash", validate = Hash::check)]
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
#[xml(ns = NS, name = "hash-used", validate = HashUsed::check)]
pub struct HashUsed {
    /// The hash function.
    #[xml(attr)]
    pub algo: Algo,
}

impl HashUsed {
    /// `<hash-used/>` for `algo`.
    pub fn new(algo: Algo) -> HashUsed {
        HashUsed { algo }
    }

    fn check(&self) -> Result<(), xep_element::Error> {
        check_algo(&self.algo)
    }
}

/// The outcome of checking data against a [`Hash`](struct@Hash) (or a set of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The digest of the data is the one given.
    Match,
    /// It is not.
    Mismatch,
    /// This crate does not compute the algorithm (of any hash of the set).
    Unsupported,
}

impl Hash {
    /// A hash element from a digest already computed.
    pub fn new(algo: Algo, digest: Vec<u8>) -> Hash {
        Hash {
            algo,
            value: Base64(digest),
        }
    }

    /// The hash of `data` with `algo`; `None` when the algorithm is not
    /// computed here.
    pub fn compute(algo: Algo, data: &[u8]) -> Option<Hash> {
        let digest = algo.digest(data)?;
        Some(Hash::new(algo, digest))
    }

    /// The digest bytes.
    pub fn digest(&self) -> &[u8] {
        &self.value.0
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

    fn check(&self) -> Result<(), xep_element::Error> {
        check_algo(&self.algo)
    }
}

/// Checks `data` against several hashes of the same data: [`Verdict::Mismatch`]
/// if any computed digest differs, else [`Verdict::Match`] if at least one
/// was computed, else [`Verdict::Unsupported`].
pub fn verify_all(hashes: &[Hash], data: &[u8]) -> Verdict {
    let mut verdict = Verdict::Unsupported;
    for h in hashes {
        match h.verify(data) {
            Verdict::Mismatch => return Verdict::Mismatch,
            Verdict::Match => verdict = Verdict::Match,
            Verdict::Unsupported => {}
        }
    }
    verdict
}

/// The hash to check, out of several: the first in [`Algo::SUPPORTED`]
/// order (aliases count as their [`Algo::canonical`] name), or `None` if
/// no algorithm of the set is computed by the preferred list.
pub fn strongest(hashes: &[Hash]) -> Option<&Hash> {
    Algo::SUPPORTED
        .iter()
        .find_map(|a| hashes.iter().find(|h| &h.algo.canonical() == a))
}

/// Checks XEP-0300 §3's rule for several `<hash/>` elements side by side:
/// each has a different `algo`. Returns the first repeated one.
pub fn check_distinct(hashes: &[Hash]) -> Result<(), Algo> {
    for (i, h) in hashes.iter().enumerate() {
        if hashes[..i].iter().any(|p| p.algo == h.algo) {
            return Err(h.algo.clone());
        }
    }
    Ok(())
}

xep_element::elements! {
    "XEP-0300" => [Hash, HashUsed],
}

#[cfg(test)]
mod tests;
