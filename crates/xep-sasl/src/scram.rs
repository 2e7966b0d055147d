//! What SCRAM's client and server share: nonces, stored and cached keys,
//! the iteration bounds, XEP-0474's downgrade-protection hash and the
//! attribute grammar of RFC 5802 §7.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::crypto;
use crate::prep::{self, PrepError};
use crate::{PeerError, ScramHash};

/// A SCRAM nonce: printable ASCII without `,` (RFC 5802 §7).
///
/// The caller supplies the randomness: [`Nonce::from_random`] (or
/// `From<&[u8]>`) base64-encodes random bytes (18 or more recommended);
/// [`Nonce::printable`] takes a nonce as text, as the RFC test vectors
/// give it.
#[derive(Clone, PartialEq, Eq)]
pub struct Nonce(pub(crate) String);

impl Nonce {
    /// The nonce made of `random` bytes, base64-encoded.
    pub fn from_random(random: &[u8]) -> Nonce {
        Nonce(STANDARD.encode(random))
    }

    /// A nonce given as text; `None` unless it is non-empty printable
    /// ASCII without `,`.
    pub fn printable(s: &str) -> Option<Nonce> {
        prep::is_printable(s).then(|| Nonce(s.to_owned()))
    }

    /// The nonce as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_valid(&self) -> bool {
        prep::is_printable(&self.0)
    }
}

impl From<&[u8]> for Nonce {
    fn from(random: &[u8]) -> Nonce {
        Nonce::from_random(random)
    }
}

impl<const N: usize> From<&[u8; N]> for Nonce {
    fn from(random: &[u8; N]) -> Nonce {
        Nonce::from_random(random)
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nonce({})", self.0)
    }
}

/// What a server keeps of a SCRAM password (RFC 5802 §3): enough to
/// verify a client, not enough to impersonate one.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredCredentials {
    /// The hash function the keys were derived with.
    pub hash: ScramHash,
    /// The salt.
    pub salt: Vec<u8>,
    /// The PBKDF2 iteration count.
    pub iterations: u32,
    /// `H(ClientKey)`.
    pub stored_key: Vec<u8>,
    /// `HMAC(SaltedPassword, "Server Key")`.
    pub server_key: Vec<u8>,
}

impl StoredCredentials {
    /// Derives the keys from a password (prepared with SASLprep), a salt
    /// (random, chosen by the caller; 16 bytes or more) and an iteration
    /// count. Costs `iterations` HMACs.
    pub fn from_password(
        hash: ScramHash,
        password: &str,
        salt: &[u8],
        iterations: u32,
    ) -> Result<StoredCredentials, PrepError> {
        let password = prep::prepare(password, "password")?;
        let salted = crypto::hi(hash, password.as_bytes(), salt, iterations);
        Ok(Self::from_salted_password(hash, &salted, salt, iterations))
    }

    /// The keys of a salted password (`Hi(password, salt, iterations)`).
    pub fn from_salted_password(
        hash: ScramHash,
        salted_password: &[u8],
        salt: &[u8],
        iterations: u32,
    ) -> StoredCredentials {
        let keys = crypto::keys(hash, salted_password);
        StoredCredentials {
            hash,
            salt: salt.to_vec(),
            iterations,
            stored_key: keys.stored_key,
            server_key: keys.server_key,
        }
    }

    pub(crate) fn check(&self, hash: ScramHash) -> Result<(), crate::CredentialsError> {
        if self.hash != hash {
            return Err(crate::CredentialsError::HashMismatch);
        }
        if self.salt.is_empty()
            || self.iterations == 0
            || self.stored_key.len() != hash.output_len()
            || self.server_key.len() != hash.output_len()
        {
            return Err(crate::CredentialsError::Invalid);
        }
        Ok(())
    }
}

impl fmt::Debug for StoredCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredCredentials")
            .field("hash", &self.hash)
            .field("salt", &STANDARD.encode(&self.salt))
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

/// A client's cache of a salted password (RFC 5802 §5.1: a client may keep
/// it instead of the password), valid while the server keeps the same
/// salt and iteration count.
#[derive(Clone, PartialEq, Eq)]
pub struct SaltedPassword {
    /// The hash function.
    pub hash: ScramHash,
    /// The salt it was derived with.
    pub salt: Vec<u8>,
    /// The iteration count it was derived with.
    pub iterations: u32,
    /// `Hi(Normalize(password), salt, iterations)`.
    pub salted_password: Vec<u8>,
}

impl fmt::Debug for SaltedPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SaltedPassword")
            .field("hash", &self.hash)
            .field("salt", &STANDARD.encode(&self.salt))
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

/// The iteration counts a SCRAM client accepts from a server.
///
/// A hostile server could send `i=4294967295` to make the client compute
/// four billion HMACs; one that sends a small count weakens the stored
/// keys. The default accepts `4096..=10_000_000`: RFC 7677 §4 recommends at
/// least 4096, and ten million SHA-512 iterations take seconds, not hours.
/// A caller that must talk to an older server with a lower count lowers
/// `min` (never below 1: `i=0` is always refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IterationBounds {
    /// The smallest count accepted.
    pub min: u32,
    /// The largest count accepted.
    pub max: u32,
}

impl IterationBounds {
    /// The default minimum (RFC 7677 §4).
    pub const DEFAULT_MIN: u32 = 4096;
    /// The default maximum.
    pub const DEFAULT_MAX: u32 = 10_000_000;

    pub(crate) fn check(self, count: u32) -> Result<(), PeerError> {
        if count == 0 || count < self.min || count > self.max {
            return Err(PeerError::IterationCount {
                count,
                min: self.min.max(1),
                max: self.max,
            });
        }
        Ok(())
    }
}

impl Default for IterationBounds {
    fn default() -> Self {
        IterationBounds {
            min: Self::DEFAULT_MIN,
            max: Self::DEFAULT_MAX,
        }
    }
}

/// XEP-0474 SASL SCRAM Downgrade Protection: the lists the client saw,
/// which the server's `h=` attribute must hash to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DowngradeProtection {
    /// The mechanisms the server advertised, in the profile the client
    /// authenticates with (SASL1 `<mechanisms/>` or SASL2
    /// `<authentication/>`).
    pub mechanisms: Vec<String>,
    /// The channel-binding types of XEP-0440's `<sasl-channel-binding/>`;
    /// `None` when the server did not send that feature.
    pub channel_bindings: Option<Vec<String>>,
    /// Whether a server-first-message without `h=` fails the exchange
    /// (when nothing else protects the lists, XEP-0474 §7).
    pub required: bool,
}

impl DowngradeProtection {
    /// The expected `h=` value for `hash`: [`downgrade_hash`] of the lists.
    pub fn expected(&self, hash: ScramHash) -> String {
        downgrade_hash(hash, &self.mechanisms, self.channel_bindings.as_deref())
    }
}

/// XEP-0474 §5.1: the base64 hash of the mechanisms (sorted by octets,
/// joined by U+001E), then, if the server used XEP-0440, U+001F and the
/// channel-binding types (sorted, joined by U+001E).
///
/// The order the server listed them in does not matter:
///
/// ```
/// use xep_sasl::{ScramHash, downgrade_hash};
/// let a = downgrade_hash(
///     ScramHash::Sha256,
///     &["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"],
///     Some(&["tls-server-end-point", "tls-exporter"]),
/// );
/// let b = downgrade_hash(
///     ScramHash::Sha256,
///     &["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"],
///     Some(&["tls-exporter", "tls-server-end-point"]),
/// );
/// assert_eq!(a, b);
/// assert_ne!(a, downgrade_hash::<_, &str>(ScramHash::Sha256, &["SCRAM-SHA-256"], None));
/// ```
pub fn downgrade_hash<S: AsRef<str>, T: AsRef<str>>(
    hash: ScramHash,
    mechanisms: &[S],
    channel_bindings: Option<&[T]>,
) -> String {
    fn joined<X: AsRef<str>>(items: &[X]) -> Vec<u8> {
        let mut v: Vec<&[u8]> = items.iter().map(|s| s.as_ref().as_bytes()).collect();
        v.sort_unstable();
        v.join(&0x1e)
    }
    let mut s = joined(mechanisms);
    if let Some(cb) = channel_bindings {
        s.push(0x1f);
        s.extend(joined(cb));
    }
    STANDARD.encode(crypto::hash(hash, &s))
}

/// One `x=value` attribute.
pub(crate) type Attr<'a> = (u8, &'a str);

/// The attributes of a SCRAM message (`attr-val *("," attr-val)`).
pub(crate) fn attributes(msg: &str) -> Result<Vec<Attr<'_>>, PeerError> {
    msg.split(',')
        .map(|part| match part.as_bytes() {
            [name, b'=', ..] if name.is_ascii_alphabetic() => Ok((*name, &part[2..])),
            _ => Err(PeerError::Malformed("expected attr=value")),
        })
        .collect()
}

/// The base64 value of attribute `name`.
pub(crate) fn base64(name: u8, value: &str) -> Result<Vec<u8>, PeerError> {
    STANDARD
        .decode(value)
        .map_err(|_| PeerError::InvalidBase64(name as char))
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The UTF-8 text of a message.
pub(crate) fn utf8(msg: &[u8]) -> Result<&str, PeerError> {
    std::str::from_utf8(msg).map_err(|_| PeerError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_from_random_is_base64() {
        let n = Nonce::from_random(&[0xff; 18]);
        assert_eq!(n.as_str(), "////////////////////////");
        assert!(n.is_valid());
        assert!(!Nonce::from_random(&[]).is_valid());
        assert_eq!(Nonce::printable("a,b"), None);
    }

    #[test]
    fn iteration_bounds() {
        let b = IterationBounds::default();
        assert!(b.check(4096).is_ok());
        assert!(b.check(10_000_000).is_ok());
        assert!(b.check(4095).is_err());
        assert!(b.check(10_000_001).is_err());
        let lax = IterationBounds { min: 0, max: 10 };
        assert_eq!(
            lax.check(0),
            Err(PeerError::IterationCount {
                count: 0,
                min: 1,
                max: 10
            })
        );
    }

    #[test]
    fn downgrade_hash_without_channel_bindings() {
        // No U+001F when XEP-0440 was not used.
        let with_none = downgrade_hash::<_, &str>(ScramHash::Sha256, &["B", "A"], None);
        let raw = crypto::hash(ScramHash::Sha256, b"A\x1eB");
        assert_eq!(with_none, STANDARD.encode(raw));
        let with_empty = downgrade_hash::<_, &str>(ScramHash::Sha256, &["B", "A"], Some(&[]));
        assert_ne!(with_none, with_empty);
    }

    #[test]
    fn attribute_grammar() {
        assert_eq!(attributes("r=a,s=b=").unwrap(), [(b'r', "a"), (b's', "b=")]);
        assert!(attributes("r=a,,s=b").is_err());
        assert!(attributes("ra").is_err());
        assert!(attributes("1=a").is_err());
        assert!(attributes("").is_err());
    }
}
