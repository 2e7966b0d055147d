//! Mechanism names, SCRAM hash functions and channel-binding types.

use std::fmt;

/// The hash function of a SCRAM mechanism (RFC 5802, RFC 7677).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScramHash {
    /// SHA-1 (`SCRAM-SHA-1`, RFC 5802).
    Sha1,
    /// SHA-256 (`SCRAM-SHA-256`, RFC 7677).
    Sha256,
    /// SHA-512 (`SCRAM-SHA-512`, draft-melnikov-scram-sha-512).
    Sha512,
}

impl ScramHash {
    /// The length of the hash's output in bytes (and so of every SCRAM key,
    /// proof and signature).
    pub fn output_len(self) -> usize {
        match self {
            ScramHash::Sha1 => 20,
            ScramHash::Sha256 => 32,
            ScramHash::Sha512 => 64,
        }
    }
}

/// A SCRAM mechanism: its hash, and whether it is the `-PLUS` variant that
/// binds the exchange to the TLS channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScramMechanism {
    /// The hash function.
    pub hash: ScramHash,
    /// The `-PLUS` variant (channel binding).
    pub plus: bool,
}

impl ScramMechanism {
    /// `SCRAM-SHA-1`.
    pub const SHA_1: Self = Self::new(ScramHash::Sha1, false);
    /// `SCRAM-SHA-1-PLUS`.
    pub const SHA_1_PLUS: Self = Self::new(ScramHash::Sha1, true);
    /// `SCRAM-SHA-256`.
    pub const SHA_256: Self = Self::new(ScramHash::Sha256, false);
    /// `SCRAM-SHA-256-PLUS`.
    pub const SHA_256_PLUS: Self = Self::new(ScramHash::Sha256, true);
    /// `SCRAM-SHA-512`.
    pub const SHA_512: Self = Self::new(ScramHash::Sha512, false);
    /// `SCRAM-SHA-512-PLUS`.
    pub const SHA_512_PLUS: Self = Self::new(ScramHash::Sha512, true);

    /// The mechanism of `hash`, `-PLUS` when `plus`.
    pub const fn new(hash: ScramHash, plus: bool) -> Self {
        ScramMechanism { hash, plus }
    }

    /// The registered name.
    pub fn name(self) -> &'static str {
        match (self.hash, self.plus) {
            (ScramHash::Sha1, false) => "SCRAM-SHA-1",
            (ScramHash::Sha1, true) => "SCRAM-SHA-1-PLUS",
            (ScramHash::Sha256, false) => "SCRAM-SHA-256",
            (ScramHash::Sha256, true) => "SCRAM-SHA-256-PLUS",
            (ScramHash::Sha512, false) => "SCRAM-SHA-512",
            (ScramHash::Sha512, true) => "SCRAM-SHA-512-PLUS",
        }
    }
}

/// The hash function of an HT mechanism (draft-schmaus-kitten-sasl-ht:
/// a hash of IANA's "Named Information Hash Algorithm Registry", named
/// in capitals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HtHash {
    /// SHA-256 (`HT-SHA-256-*`, the one XEP-0484's examples use).
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA3-256.
    Sha3_256,
    /// SHA3-384.
    Sha3_384,
    /// SHA3-512.
    Sha3_512,
}

impl HtHash {
    /// Every hash, in the order of [`HtMechanism::ALL`].
    pub const ALL: [HtHash; 6] = [
        HtHash::Sha256,
        HtHash::Sha384,
        HtHash::Sha512,
        HtHash::Sha3_256,
        HtHash::Sha3_384,
        HtHash::Sha3_512,
    ];

    /// The name inside the mechanism's (`SHA-256`, `SHA3-512`, ...).
    pub fn name(self) -> &'static str {
        match self {
            HtHash::Sha256 => "SHA-256",
            HtHash::Sha384 => "SHA-384",
            HtHash::Sha512 => "SHA-512",
            HtHash::Sha3_256 => "SHA3-256",
            HtHash::Sha3_384 => "SHA3-384",
            HtHash::Sha3_512 => "SHA3-512",
        }
    }

    /// The length of the hash's output in bytes (and so of each HT
    /// message).
    pub fn output_len(self) -> usize {
        match self {
            HtHash::Sha256 | HtHash::Sha3_256 => 32,
            HtHash::Sha384 | HtHash::Sha3_384 => 48,
            HtHash::Sha512 | HtHash::Sha3_512 => 64,
        }
    }
}

/// A Hashed Token mechanism (`HT-<hash>-<cb>`, draft-schmaus-kitten-sasl-ht,
/// used by XEP-0484 FAST): its hash and the channel binding its suffix
/// names: `ENDP` `tls-server-end-point`, `UNIQ` `tls-unique`, `EXPR`
/// `tls-exporter`, and `NONE` (XEP-0484's addition) none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HtMechanism {
    /// The hash function.
    pub hash: HtHash,
    /// The channel binding, `None` for `-NONE`.
    pub binding: Option<ChannelBindingType>,
}

/// The suffixes of HT mechanisms, in the order of [`HtMechanism::ALL`].
const HT_BINDINGS: [Option<ChannelBindingType>; 4] = [
    Some(ChannelBindingType::TlsExporter),
    Some(ChannelBindingType::TlsServerEndPoint),
    Some(ChannelBindingType::TlsUnique),
    None,
];

/// The names of [`HtMechanism::ALL`], hash by hash.
const HT_NAMES: [[&str; 4]; 6] = [
    [
        "HT-SHA-256-EXPR",
        "HT-SHA-256-ENDP",
        "HT-SHA-256-UNIQ",
        "HT-SHA-256-NONE",
    ],
    [
        "HT-SHA-384-EXPR",
        "HT-SHA-384-ENDP",
        "HT-SHA-384-UNIQ",
        "HT-SHA-384-NONE",
    ],
    [
        "HT-SHA-512-EXPR",
        "HT-SHA-512-ENDP",
        "HT-SHA-512-UNIQ",
        "HT-SHA-512-NONE",
    ],
    [
        "HT-SHA3-256-EXPR",
        "HT-SHA3-256-ENDP",
        "HT-SHA3-256-UNIQ",
        "HT-SHA3-256-NONE",
    ],
    [
        "HT-SHA3-384-EXPR",
        "HT-SHA3-384-ENDP",
        "HT-SHA3-384-UNIQ",
        "HT-SHA3-384-NONE",
    ],
    [
        "HT-SHA3-512-EXPR",
        "HT-SHA3-512-ENDP",
        "HT-SHA3-512-UNIQ",
        "HT-SHA3-512-NONE",
    ],
];

impl HtMechanism {
    /// `HT-SHA-256-NONE`.
    pub const SHA_256_NONE: Self = Self::new(HtHash::Sha256, None);
    /// `HT-SHA-256-ENDP`.
    pub const SHA_256_ENDP: Self =
        Self::new(HtHash::Sha256, Some(ChannelBindingType::TlsServerEndPoint));
    /// `HT-SHA-256-UNIQ`.
    pub const SHA_256_UNIQ: Self = Self::new(HtHash::Sha256, Some(ChannelBindingType::TlsUnique));
    /// `HT-SHA-256-EXPR`.
    pub const SHA_256_EXPR: Self = Self::new(HtHash::Sha256, Some(ChannelBindingType::TlsExporter));

    /// Every HT mechanism this crate implements: each hash of
    /// [`HtHash::ALL`] with `EXPR`, `ENDP`, `UNIQ` and `NONE`.
    pub const ALL: [HtMechanism; 24] = {
        let mut all = [Self::SHA_256_NONE; 24];
        let mut i = 0;
        while i < 24 {
            all[i] = Self::new(HtHash::ALL[i / 4], HT_BINDINGS[i % 4]);
            i += 1;
        }
        all
    };

    /// The mechanism of `hash` and `binding`.
    pub const fn new(hash: HtHash, binding: Option<ChannelBindingType>) -> Self {
        HtMechanism { hash, binding }
    }

    /// The registered name (`HT-SHA-256-ENDP`, ...).
    pub fn name(self) -> &'static str {
        let h = HtHash::ALL
            .iter()
            .position(|h| *h == self.hash)
            .unwrap_or_default();
        let b = HT_BINDINGS
            .iter()
            .position(|b| *b == self.binding)
            .unwrap_or_default();
        HT_NAMES[h][b]
    }

    /// The mechanism of a name; `None` for one this crate does not
    /// implement.
    pub fn from_name(name: &str) -> Option<HtMechanism> {
        HtMechanism::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl fmt::Display for HtMechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A SASL mechanism this crate implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// `PLAIN` (RFC 4616): the password in the clear, for TLS only.
    Plain,
    /// `ANONYMOUS` (RFC 4505).
    Anonymous,
    /// `EXTERNAL` (RFC 4422 Appendix A): credentials established outside
    /// SASL, in XMPP a TLS client certificate.
    External,
    /// A `SCRAM-*` mechanism (RFC 5802, RFC 7677).
    Scram(ScramMechanism),
    /// An `HT-*` mechanism (XEP-0484 FAST tokens): never chosen by
    /// [`select`](crate::select), which picks among a server's
    /// `<mechanisms/>`; a client uses it with a token it holds.
    Ht(HtMechanism),
}

impl Mechanism {
    /// Every mechanism, strongest first: the default preference order
    /// ([`Preferences::new`](crate::Preferences::new)) minus `PLAIN`,
    /// `ANONYMOUS` and `EXTERNAL`, which a caller adds deliberately.
    pub const SCRAM: [Mechanism; 6] = [
        Mechanism::Scram(ScramMechanism::SHA_512_PLUS),
        Mechanism::Scram(ScramMechanism::SHA_256_PLUS),
        Mechanism::Scram(ScramMechanism::SHA_1_PLUS),
        Mechanism::Scram(ScramMechanism::SHA_512),
        Mechanism::Scram(ScramMechanism::SHA_256),
        Mechanism::Scram(ScramMechanism::SHA_1),
    ];

    /// The registered name.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Anonymous => "ANONYMOUS",
            Mechanism::External => "EXTERNAL",
            Mechanism::Scram(s) => s.name(),
            Mechanism::Ht(h) => h.name(),
        }
    }

    /// The mechanism of a registered name (exact, as RFC 4422 §3.1 names
    /// are upper case); `None` for a mechanism this crate does not
    /// implement.
    pub fn from_name(name: &str) -> Option<Mechanism> {
        Some(match name {
            "PLAIN" => Mechanism::Plain,
            "ANONYMOUS" => Mechanism::Anonymous,
            "EXTERNAL" => Mechanism::External,
            "SCRAM-SHA-1" => Mechanism::Scram(ScramMechanism::SHA_1),
            "SCRAM-SHA-1-PLUS" => Mechanism::Scram(ScramMechanism::SHA_1_PLUS),
            "SCRAM-SHA-256" => Mechanism::Scram(ScramMechanism::SHA_256),
            "SCRAM-SHA-256-PLUS" => Mechanism::Scram(ScramMechanism::SHA_256_PLUS),
            "SCRAM-SHA-512" => Mechanism::Scram(ScramMechanism::SHA_512),
            "SCRAM-SHA-512-PLUS" => Mechanism::Scram(ScramMechanism::SHA_512_PLUS),
            n if n.starts_with("HT-") => Mechanism::Ht(HtMechanism::from_name(n)?),
            _ => return None,
        })
    }

    /// Whether the mechanism binds to the channel (`-PLUS`).
    pub fn is_plus(self) -> bool {
        matches!(self, Mechanism::Scram(ScramMechanism { plus: true, .. }))
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A channel-binding type (the IANA "Channel-binding unique prefix").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelBindingType {
    /// `tls-exporter` (RFC 9266): the TLS exporter with label
    /// `EXPORTER-Channel-Binding`, empty context, 32 bytes. The type for
    /// TLS 1.3.
    TlsExporter,
    /// `tls-server-end-point` (RFC 5929 §4): the hash of the server's
    /// certificate. Weaker: a stolen certificate key defeats it.
    TlsServerEndPoint,
    /// `tls-unique` (RFC 5929 §3): the first Finished message; TLS 1.2
    /// and earlier only.
    TlsUnique,
}

impl ChannelBindingType {
    /// The registered name, as in `p=<name>` and XEP-0440's `type`.
    pub fn name(self) -> &'static str {
        match self {
            ChannelBindingType::TlsExporter => "tls-exporter",
            ChannelBindingType::TlsServerEndPoint => "tls-server-end-point",
            ChannelBindingType::TlsUnique => "tls-unique",
        }
    }

    /// The type of a registered name; `None` for one this crate does not
    /// know.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "tls-exporter" => ChannelBindingType::TlsExporter,
            "tls-server-end-point" => ChannelBindingType::TlsServerEndPoint,
            "tls-unique" => ChannelBindingType::TlsUnique,
            _ => return None,
        })
    }
}

impl fmt::Display for ChannelBindingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a SCRAM client says about channel binding: the GS2 flag of RFC
/// 5802 §5.1, with the channel-binding data when it binds. The caller
/// takes the data from its TLS library (for `tls-exporter`, the 32-byte
/// exporter with label `EXPORTER-Channel-Binding` and no context).
#[derive(Clone, PartialEq, Eq)]
pub enum ChannelBinding {
    /// `n`: the client does not support channel binding (or chose not to
    /// use it although the server offered `-PLUS`).
    Unsupported,
    /// `y`: the client supports channel binding but the server offered no
    /// `-PLUS` mechanism; a server that did offer one refuses this (a
    /// stripped `-PLUS` is a downgrade attack).
    NotOffered,
    /// `p=<type>`: the exchange is bound to the channel with this data
    /// (a `-PLUS` mechanism).
    Bound(ChannelBindingType, Vec<u8>),
}

impl fmt::Debug for ChannelBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChannelBinding::Unsupported => f.write_str("Unsupported"),
            ChannelBinding::NotOffered => f.write_str("NotOffered"),
            ChannelBinding::Bound(t, data) => write!(f, "Bound({t}, {} bytes)", data.len()),
        }
    }
}

impl ChannelBinding {
    /// The GS2 channel-binding flag: `n`, `y` or `p=<type>`.
    pub fn flag(&self) -> String {
        match self {
            ChannelBinding::Unsupported => "n".into(),
            ChannelBinding::NotOffered => "y".into(),
            ChannelBinding::Bound(t, _) => format!("p={t}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Mechanism::SCRAM.into_iter().chain([
            Mechanism::Plain,
            Mechanism::Anonymous,
            Mechanism::External,
        ]) {
            assert_eq!(Mechanism::from_name(m.name()), Some(m));
        }
        assert_eq!(Mechanism::from_name("scram-sha-1"), None);
        assert_eq!(Mechanism::from_name("DIGEST-MD5"), None);
        for m in HtMechanism::ALL {
            assert_eq!(Mechanism::from_name(m.name()), Some(Mechanism::Ht(m)));
        }
        assert_eq!(
            HtMechanism::from_name("HT-SHA-256-ENDP"),
            Some(HtMechanism::SHA_256_ENDP)
        );
        assert_eq!(HtMechanism::SHA_256_EXPR.name(), "HT-SHA-256-EXPR");
        assert_eq!(HtMechanism::from_name("HT-SHA-256-PLUS"), None);
        assert_eq!(HtMechanism::from_name("HT-MD5-NONE"), None);
        for t in [
            ChannelBindingType::TlsExporter,
            ChannelBindingType::TlsServerEndPoint,
            ChannelBindingType::TlsUnique,
        ] {
            assert_eq!(ChannelBindingType::from_name(t.name()), Some(t));
        }
    }
}
