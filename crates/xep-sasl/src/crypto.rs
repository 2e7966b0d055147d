//! The SCRAM functions of RFC 5802 §2.2 over RustCrypto's primitives:
//! nothing here hashes or MACs by hand.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

use crate::{HtHash, ScramHash};

/// `HMAC(key, parts[0] || parts[1] || ...)` with an HT mechanism's hash
/// (draft-schmaus-kitten-sasl-ht §4: the token as key, `"Initiator"` or
/// `"Responder"` and the channel-binding data as message).
pub(crate) fn ht_hmac(alg: HtHash, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        let mut mac = <M as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
        for p in parts {
            mac.update(p);
        }
        mac.finalize().into_bytes().to_vec()
    }
    match alg {
        HtHash::Sha256 => run::<Hmac<Sha256>>(key, parts),
        HtHash::Sha384 => run::<Hmac<sha2::Sha384>>(key, parts),
        HtHash::Sha512 => run::<Hmac<Sha512>>(key, parts),
        HtHash::Sha3_256 => run::<Hmac<sha3::Sha3_256>>(key, parts),
        HtHash::Sha3_384 => run::<Hmac<sha3::Sha3_384>>(key, parts),
        HtHash::Sha3_512 => run::<Hmac<sha3::Sha3_512>>(key, parts),
    }
}

/// `H(data)`.
pub(crate) fn hash(alg: ScramHash, data: &[u8]) -> Vec<u8> {
    match alg {
        ScramHash::Sha1 => Sha1::digest(data).to_vec(),
        ScramHash::Sha256 => Sha256::digest(data).to_vec(),
        ScramHash::Sha512 => Sha512::digest(data).to_vec(),
    }
}

/// `HMAC(key, data)`.
pub(crate) fn hmac(alg: ScramHash, key: &[u8], data: &[u8]) -> Vec<u8> {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
        // HMAC takes keys of any length: new_from_slice cannot fail.
        let mut mac = <M as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }
    match alg {
        ScramHash::Sha1 => run::<Hmac<Sha1>>(key, data),
        ScramHash::Sha256 => run::<Hmac<Sha256>>(key, data),
        ScramHash::Sha512 => run::<Hmac<Sha512>>(key, data),
    }
}

/// Whether `HMAC(key, data) == expected`, compared in constant time
/// (hmac's `verify_slice`).
pub(crate) fn hmac_verify(alg: ScramHash, key: &[u8], data: &[u8], expected: &[u8]) -> bool {
    fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8], expected: &[u8]) -> bool {
        let mut mac = <M as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
        mac.update(data);
        mac.verify_slice(expected).is_ok()
    }
    match alg {
        ScramHash::Sha1 => run::<Hmac<Sha1>>(key, data, expected),
        ScramHash::Sha256 => run::<Hmac<Sha256>>(key, data, expected),
        ScramHash::Sha512 => run::<Hmac<Sha512>>(key, data, expected),
    }
}

/// `Hi(password, salt, i)`: PBKDF2 with HMAC-`alg`, output one hash long.
pub(crate) fn hi(alg: ScramHash, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
    let mut out = vec![0; alg.output_len()];
    match alg {
        ScramHash::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, iterations, &mut out),
        ScramHash::Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out),
        ScramHash::Sha512 => pbkdf2::pbkdf2_hmac::<Sha512>(password, salt, iterations, &mut out),
    }
    out
}

/// Byte-wise equality in constant time (for equal lengths; the lengths
/// themselves are public).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// `a XOR b` for equal lengths.
pub(crate) fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

/// The keys of RFC 5802 §3 derived from a salted password.
pub(crate) struct Keys {
    pub client_key: Vec<u8>,
    pub stored_key: Vec<u8>,
    pub server_key: Vec<u8>,
}

pub(crate) fn keys(alg: ScramHash, salted_password: &[u8]) -> Keys {
    let client_key = hmac(alg, salted_password, b"Client Key");
    let stored_key = hash(alg, &client_key);
    let server_key = hmac(alg, salted_password, b"Server Key");
    Keys {
        client_key,
        stored_key,
        server_key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_verify_agrees_with_hmac() {
        for alg in [ScramHash::Sha1, ScramHash::Sha256, ScramHash::Sha512] {
            let m = hmac(alg, b"key", b"data");
            assert_eq!(m.len(), alg.output_len());
            assert!(hmac_verify(alg, b"key", b"data", &m));
            let mut bad = m.clone();
            bad[0] ^= 1;
            assert!(!hmac_verify(alg, b"key", b"data", &bad));
            assert!(!hmac_verify(alg, b"key", b"data", &m[1..]));
        }
    }

    #[test]
    fn ht_hmac_of_parts_is_hmac_of_their_concatenation() {
        let whole = hmac(ScramHash::Sha256, b"token", b"Initiatorcb");
        assert_eq!(
            ht_hmac(HtHash::Sha256, b"token", &[b"Initiator", b"cb"]),
            whole
        );
        for h in HtHash::ALL {
            assert_eq!(ht_hmac(h, b"k", &[b"m"]).len(), h.output_len());
        }
    }

    #[test]
    fn ct_eq_checks_lengths() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
