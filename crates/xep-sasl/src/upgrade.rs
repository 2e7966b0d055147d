//! XEP-0480 SASL upgrade tasks: the elements of
//! `urn:xmpp:sasl:upgrade:0` and of its SCRAM tasks
//! (`urn:xmpp:scram-upgrade:0`), which run as SASL2 tasks
//! ([`crate::sasl2`]'s `<continue/>`, `<next/>`, `<task-data/>`).
//!
//! The server lists the tasks it can run ([`Upgrade`] in SASL2's
//! [`Authentication`](crate::sasl2::Authentication)), the client asks for
//! those it recognises (in [`Authenticate`](crate::sasl2::Authenticate));
//! once authenticated, the server continues with one task at a time. For
//! `UPGR-SCRAM-*` the server sends a [`Salt`] (salt and iteration count,
//! fresh for the new hash) and the client answers with the salted
//! password ([`Hash`](struct@Hash): `Hi(password, salt, i)` of RFC 5802, never the
//! password), from which the server derives the
//! [`StoredCredentials`] of the new mechanism.
//!
//! ```
//! use xep_sasl::upgrade::{self, Salt};
//! use xep_sasl::{IterationBounds, ScramHash, StoredCredentials};
//!
//! assert_eq!(upgrade::scram_task(ScramHash::Sha256), "UPGR-SCRAM-SHA-256");
//! // The server's caller chose a random salt for the new hash.
//! let salt = Salt::new(b"a new random salt".to_vec(), 4096);
//! let hash = upgrade::scram_answer(ScramHash::Sha256, "pencil", &salt, IterationBounds::default())
//!     .unwrap();
//! let stored = upgrade::scram_credentials(ScramHash::Sha256, &salt, &hash).unwrap();
//! assert_eq!(
//!     stored,
//!     StoredCredentials::from_password(ScramHash::Sha256, "pencil", b"a new random salt", 4096)
//!         .unwrap()
//! );
//! ```

use xep_element::{Base64, XmlElement};

use crate::{ClientError, IterationBounds, PeerError, ScramHash, StoredCredentials, crypto, prep};

/// `urn:xmpp:sasl:upgrade:0`.
pub const NS_UPGRADE: &str = "urn:xmpp:sasl:upgrade:0";
/// `urn:xmpp:scram-upgrade:0`.
pub const NS_SCRAM_UPGRADE: &str = "urn:xmpp:scram-upgrade:0";

/// `<upgrade/>`: one upgrade task, offered by the server (in
/// `<authentication/>`) or asked for by the client (in
/// `<authenticate/>`).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_UPGRADE, name = "upgrade")]
pub struct Upgrade {
    /// The task name (`UPGR-SCRAM-SHA-256`, ...).
    #[xml(text)]
    pub task: String,
}

impl Upgrade {
    /// The task `name`.
    pub fn new(name: impl Into<String>) -> Upgrade {
        Upgrade { task: name.into() }
    }
}

/// `<salt/>` in the server's `<task-data/>`: what the client needs to
/// salt its password for the new SCRAM hash.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SCRAM_UPGRADE, name = "salt")]
pub struct Salt {
    /// The PBKDF2 iteration count.
    #[xml(attr)]
    pub iterations: u32,
    /// The salt (base64; not empty).
    #[xml(text)]
    pub salt: Base64,
}

impl Salt {
    /// The salt and iteration count the server's caller chose.
    pub fn new(salt: Vec<u8>, iterations: u32) -> Salt {
        Salt {
            iterations,
            salt: Base64(salt),
        }
    }
}

/// `<hash/>` in the client's `<task-data/>`: the salted password
/// (`Hi(password, salt, i)`).
#[derive(XmlElement, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SCRAM_UPGRADE, name = "hash")]
pub struct Hash {
    /// The salted password (base64; not empty).
    #[xml(text)]
    pub salted_password: Base64,
}

impl std::fmt::Debug for Hash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hash").finish_non_exhaustive()
    }
}

/// The task name of an upgrade to SCRAM with `hash` (never `-PLUS`:
/// channel binding is not a property of stored keys).
pub fn scram_task(hash: ScramHash) -> &'static str {
    match hash {
        ScramHash::Sha1 => "UPGR-SCRAM-SHA-1",
        ScramHash::Sha256 => "UPGR-SCRAM-SHA-256",
        ScramHash::Sha512 => "UPGR-SCRAM-SHA-512",
    }
}

/// The SCRAM hash of a task name; `None` for another task.
pub fn scram_hash(task: &str) -> Option<ScramHash> {
    [ScramHash::Sha1, ScramHash::Sha256, ScramHash::Sha512]
        .into_iter()
        .find(|h| scram_task(*h) == task)
}

/// Client: the answer to the server's [`Salt`]: the password (prepared
/// with SASLprep) salted for `hash`. Refused: an empty salt
/// ([`PeerError::EmptySalt`]) and an iteration count outside `bounds`
/// ([`PeerError::IterationCount`]), as in a SCRAM exchange.
pub fn scram_answer(
    hash: ScramHash,
    password: &str,
    salt: &Salt,
    bounds: IterationBounds,
) -> Result<Hash, ClientError> {
    if salt.salt.0.is_empty() {
        return Err(PeerError::EmptySalt.into());
    }
    bounds.check(salt.iterations)?;
    let password = prep::prepare(password, "password")?;
    Ok(Hash {
        salted_password: Base64(crypto::hi(
            hash,
            password.as_bytes(),
            &salt.salt.0,
            salt.iterations,
        )),
    })
}

/// Server: the stored credentials for `hash` from the client's answer
/// to `salt`. Refused: a salted password of the wrong length
/// ([`PeerError::Malformed`]).
pub fn scram_credentials(
    hash: ScramHash,
    salt: &Salt,
    answer: &Hash,
) -> Result<StoredCredentials, PeerError> {
    if answer.salted_password.0.len() != hash.output_len() {
        return Err(PeerError::Malformed("salted password of the wrong length"));
    }
    Ok(StoredCredentials::from_salted_password(
        hash,
        &answer.salted_password.0,
        &salt.salt.0,
        salt.iterations,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_names_round_trip() {
        for h in [ScramHash::Sha1, ScramHash::Sha256, ScramHash::Sha512] {
            assert_eq!(scram_hash(scram_task(h)), Some(h));
        }
        assert_eq!(scram_hash("UPGR-SCRAM-SHA-256-PLUS"), None);
        assert_eq!(scram_hash("UPGR-BLOOP2"), None);
    }

    #[test]
    fn elements_round_trip() {
        let s = Salt::from_xml(
            b"<salt xmlns='urn:xmpp:scram-upgrade:0' iterations='4096'>QV9TWENSWFE2c2VrOGJmX1o=</salt>",
        )
        .unwrap();
        assert_eq!(s.iterations, 4096);
        assert_eq!(s.salt.0, b"A_SXCRXQ6sek8bf_Z");
        assert_eq!(Salt::from_xml(s.to_xml().as_bytes()).unwrap(), s);
        let e = Salt::from_xml(b"<salt xmlns='urn:xmpp:scram-upgrade:0'>QQ==</salt>").unwrap_err();
        assert!(e.to_string().contains("iterations"), "{e}");
        assert_eq!(
            Upgrade::new("UPGR-SCRAM-SHA-256").to_xml(),
            "<upgrade xmlns='urn:xmpp:sasl:upgrade:0'>UPGR-SCRAM-SHA-256</upgrade>"
        );
    }

    #[test]
    fn bad_salts_and_hashes_are_refused() {
        let b = IterationBounds::default();
        let empty = Salt::new(Vec::new(), 4096);
        assert_eq!(
            scram_answer(ScramHash::Sha256, "p", &empty, b),
            Err(ClientError::Peer(PeerError::EmptySalt))
        );
        let huge = Salt::new(b"salt".to_vec(), u32::MAX);
        assert!(matches!(
            scram_answer(ScramHash::Sha256, "p", &huge, b),
            Err(ClientError::Peer(PeerError::IterationCount { .. }))
        ));
        let short = Hash {
            salted_password: Base64(vec![1; 20]),
        };
        assert!(
            scram_credentials(ScramHash::Sha256, &Salt::new(b"s".to_vec(), 1), &short).is_err()
        );
    }
}
