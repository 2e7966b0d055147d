//! Errors, split by whose fault they are: the peer's ([`PeerError`]) or
//! the caller's (`WrongState`, [`PrepError`], [`CredentialsError`]).

use std::fmt;

use xep_core::SaslCondition;

use crate::PrepError;

/// A SCRAM `server-error-value` (RFC 5802 §7), sent by a server in its
/// final message as `e=<value>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ScramError {
    /// `invalid-encoding`: a message was not encoded as the grammar says.
    InvalidEncoding,
    /// `extensions-not-supported`: a mandatory extension (`m=`) or an
    /// unknown one the server will not ignore.
    ExtensionsNotSupported,
    /// `invalid-proof`: the client's proof is wrong (wrong password).
    InvalidProof,
    /// `channel-bindings-dont-match`: the channel-binding data (`c=`)
    /// differs from the server's.
    ChannelBindingsDontMatch,
    /// `server-does-support-channel-binding`: the client sent `y` but the
    /// server offered `-PLUS` (a downgrade).
    ServerDoesSupportChannelBinding,
    /// `channel-binding-not-supported`: the client sent `p=` to a server
    /// or mechanism without channel binding.
    ChannelBindingNotSupported,
    /// `unsupported-channel-binding-type`: the `p=` type is not one the
    /// server can bind to.
    UnsupportedChannelBindingType,
    /// `unknown-user`.
    UnknownUser,
    /// `invalid-username-encoding`: not UTF-8, a bad `=XX` escape, or
    /// refused by SASLprep.
    InvalidUsernameEncoding,
    /// `no-resources`.
    NoResources,
    /// `other-error`.
    OtherError,
    /// A value RFC 5802 does not define (`server-error-value-ext`); RFC
    /// 5802 says to treat it as `other-error`.
    Unrecognized(String),
}

impl ScramError {
    /// The value as it appears after `e=`.
    pub fn as_str(&self) -> &str {
        match self {
            ScramError::InvalidEncoding => "invalid-encoding",
            ScramError::ExtensionsNotSupported => "extensions-not-supported",
            ScramError::InvalidProof => "invalid-proof",
            ScramError::ChannelBindingsDontMatch => "channel-bindings-dont-match",
            ScramError::ServerDoesSupportChannelBinding => "server-does-support-channel-binding",
            ScramError::ChannelBindingNotSupported => "channel-binding-not-supported",
            ScramError::UnsupportedChannelBindingType => "unsupported-channel-binding-type",
            ScramError::UnknownUser => "unknown-user",
            ScramError::InvalidUsernameEncoding => "invalid-username-encoding",
            ScramError::NoResources => "no-resources",
            ScramError::OtherError => "other-error",
            ScramError::Unrecognized(s) => s,
        }
    }

    /// The value of an `e=` attribute.
    pub fn parse(value: &str) -> ScramError {
        match value {
            "invalid-encoding" => ScramError::InvalidEncoding,
            "extensions-not-supported" => ScramError::ExtensionsNotSupported,
            "invalid-proof" => ScramError::InvalidProof,
            "channel-bindings-dont-match" => ScramError::ChannelBindingsDontMatch,
            "server-does-support-channel-binding" => ScramError::ServerDoesSupportChannelBinding,
            "channel-binding-not-supported" => ScramError::ChannelBindingNotSupported,
            "unsupported-channel-binding-type" => ScramError::UnsupportedChannelBindingType,
            "unknown-user" => ScramError::UnknownUser,
            "invalid-username-encoding" => ScramError::InvalidUsernameEncoding,
            "no-resources" => ScramError::NoResources,
            "other-error" => ScramError::OtherError,
            other => ScramError::Unrecognized(other.to_owned()),
        }
    }

    /// The server-final-message carrying this error: `e=<value>`.
    pub fn server_final(&self) -> Vec<u8> {
        format!("e={}", self.as_str()).into_bytes()
    }
}

impl fmt::Display for ScramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the peer did wrong: a malformed message, a failed verification, a
/// refusal it reported, or a downgrade detected. Never the caller's fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerError {
    /// The message is not UTF-8 (SCRAM, PLAIN, ANONYMOUS and EXTERNAL
    /// messages are).
    NotUtf8,
    /// The message does not follow the mechanism's grammar; the text
    /// names the rule broken.
    Malformed(&'static str),
    /// A required SCRAM attribute (its letter) is missing.
    MissingAttribute(char),
    /// The value of a SCRAM attribute (its letter) is not base64.
    InvalidBase64(char),
    /// A SCRAM mandatory extension (`m=`), which no mechanism here knows.
    MandatoryExtension,
    /// The username (authcid) cannot be decoded (`=XX` escape) or
    /// prepared (SASLprep).
    InvalidUsername,
    /// Client: the server's nonce does not extend the client's nonce (or
    /// adds nothing, or is not printable). Server: the nonce of the
    /// client-final-message is not the combined nonce.
    NonceMismatch,
    /// Client: the iteration count is outside the bounds the client
    /// accepts ([`IterationBounds`](crate::IterationBounds)); `0` is always out.
    IterationCount {
        /// The count the server sent.
        count: u32,
        /// The smallest count accepted.
        min: u32,
        /// The largest count accepted.
        max: u32,
    },
    /// Client: the salt is empty.
    EmptySalt,
    /// Client: the server ended the exchange with a SCRAM error (`e=`).
    ServerError(ScramError),
    /// Client: the server's signature (`v=`) is wrong: the server does
    /// not know the password, or the messages were tampered with.
    ServerSignature,
    /// Client: the server reported success without proving itself (no
    /// `v=` in the final message).
    MissingServerSignature,
    /// Client: the XEP-0474 hash (`h=`) does not match the mechanisms and
    /// channel-binding types the client saw: an active attacker changed
    /// the lists.
    Downgrade,
    /// Client: XEP-0474 protection was required (the channel-binding
    /// lists give no other protection) and the server sent no `h=`.
    MissingDowngradeHash,
    /// Server: the client's proof is wrong (wrong password).
    InvalidProof,
    /// Server: the caller knows no such user.
    UnknownUser,
    /// Server: the channel-binding data (`c=`) differs from the
    /// server's, or the GS2 header differs from the first message's.
    ChannelBindingMismatch,
    /// Server: `-PLUS` was chosen but the client did not send `p=`.
    ChannelBindingRequired,
    /// Server: the client sent `y` although `-PLUS` was offered.
    ServerDoesSupportChannelBinding,
    /// Server: the client sent `p=` with a mechanism that is not `-PLUS`
    /// or to a server without channel binding.
    ChannelBindingNotSupported,
    /// Server: the client's `p=` names a type the server cannot bind to.
    UnsupportedChannelBindingType(String),
    /// Server (PLAIN): the password is wrong.
    WrongPassword,
    /// Server (HT): the client's hashed token matches none of the tokens
    /// the caller gave for this user and mechanism (a wrong or revoked
    /// token, another mechanism's token, or other channel-binding data).
    InvalidToken,
    /// Server (HT): the caller holds no valid token for this user (none
    /// issued, expired or revoked): XEP-0484's `credentials-expired`, so
    /// that the client falls back to its password.
    NoToken,
    /// Data where the mechanism has none (a challenge to PLAIN,
    /// additional data with success where there is none to give, ...).
    UnexpectedData,
}

impl PeerError {
    /// The SCRAM error a server sends for this fault, in its final message
    /// ([`ScramError::server_final`]).
    pub fn scram_error(&self) -> ScramError {
        match self {
            PeerError::NotUtf8 | PeerError::Malformed(_) | PeerError::InvalidBase64(_) => {
                ScramError::InvalidEncoding
            }
            PeerError::MissingAttribute(_) => ScramError::InvalidEncoding,
            PeerError::MandatoryExtension => ScramError::ExtensionsNotSupported,
            PeerError::InvalidUsername => ScramError::InvalidUsernameEncoding,
            PeerError::InvalidProof | PeerError::WrongPassword => ScramError::InvalidProof,
            PeerError::UnknownUser => ScramError::UnknownUser,
            PeerError::ChannelBindingMismatch | PeerError::ChannelBindingRequired => {
                ScramError::ChannelBindingsDontMatch
            }
            PeerError::ServerDoesSupportChannelBinding => {
                ScramError::ServerDoesSupportChannelBinding
            }
            PeerError::ChannelBindingNotSupported => ScramError::ChannelBindingNotSupported,
            PeerError::UnsupportedChannelBindingType(_) => {
                ScramError::UnsupportedChannelBindingType
            }
            PeerError::ServerError(e) => e.clone(),
            _ => ScramError::OtherError,
        }
    }

    /// The RFC 6120 §6.5 condition a server reports in `<failure/>` for
    /// this fault.
    pub fn condition(&self) -> SaslCondition {
        match self {
            PeerError::NotUtf8 | PeerError::InvalidBase64(_) => SaslCondition::IncorrectEncoding,
            PeerError::Malformed(_)
            | PeerError::MissingAttribute(_)
            | PeerError::MandatoryExtension
            | PeerError::InvalidUsername
            | PeerError::NonceMismatch
            | PeerError::UnexpectedData => SaslCondition::MalformedRequest,
            PeerError::NoToken => SaslCondition::CredentialsExpired,
            _ => SaslCondition::NotAuthorized,
        }
    }
}

impl fmt::Display for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerError::NotUtf8 => f.write_str("message is not UTF-8"),
            PeerError::Malformed(why) => write!(f, "malformed message: {why}"),
            PeerError::MissingAttribute(a) => write!(f, "missing attribute '{a}='"),
            PeerError::InvalidBase64(a) => write!(f, "attribute '{a}=' is not base64"),
            PeerError::MandatoryExtension => f.write_str("unsupported mandatory extension 'm='"),
            PeerError::InvalidUsername => f.write_str("username encoding or preparation invalid"),
            PeerError::NonceMismatch => f.write_str("nonce does not match"),
            PeerError::IterationCount { count, min, max } => {
                write!(f, "iteration count {count} outside {min}..={max}")
            }
            PeerError::EmptySalt => f.write_str("empty salt"),
            PeerError::ServerError(e) => write!(f, "server error: {e}"),
            PeerError::ServerSignature => f.write_str("server signature does not verify"),
            PeerError::MissingServerSignature => {
                f.write_str("server reported success without its signature")
            }
            PeerError::Downgrade => f.write_str(
                "downgrade detected: the mechanism or channel-binding lists were changed",
            ),
            PeerError::MissingDowngradeHash => {
                f.write_str("server sent no downgrade-protection hash ('h=')")
            }
            PeerError::InvalidProof => f.write_str("invalid client proof"),
            PeerError::UnknownUser => f.write_str("unknown user"),
            PeerError::ChannelBindingMismatch => f.write_str("channel bindings do not match"),
            PeerError::ChannelBindingRequired => {
                f.write_str("a -PLUS mechanism without channel binding")
            }
            PeerError::ServerDoesSupportChannelBinding => {
                f.write_str("client sent 'y' but the server offered channel binding")
            }
            PeerError::ChannelBindingNotSupported => f.write_str("channel binding not supported"),
            PeerError::UnsupportedChannelBindingType(t) => {
                write!(f, "unsupported channel-binding type '{t}'")
            }
            PeerError::WrongPassword => f.write_str("wrong password"),
            PeerError::InvalidToken => f.write_str("invalid token"),
            PeerError::NoToken => f.write_str("no valid token for this user"),
            PeerError::UnexpectedData => f.write_str("unexpected data"),
        }
    }
}

impl std::error::Error for PeerError {}

/// Credentials the caller gave that cannot be used: its fault, not the
/// peer's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialsError {
    /// Stored credentials of another hash than the mechanism's.
    HashMismatch,
    /// Stored credentials with an empty salt, zero iterations or keys of
    /// the wrong length.
    Invalid,
    /// Client: cached keys ([`SaltedPassword`](crate::SaltedPassword))
    /// whose salt or iteration count differ from the server's; start
    /// again with the password.
    Stale,
    /// Client: PLAIN needs the password itself, not cached SCRAM keys.
    NeedsPassword,
    /// Client (HT): an empty token.
    EmptyToken,
    /// Client: an HT mechanism needs a token
    /// ([`client::HashedToken`](crate::client::HashedToken)), not a
    /// password.
    NeedsToken,
    /// Client (HT): the mechanism binds to a channel-binding type the
    /// caller has no data for.
    ChannelBindingUnavailable(crate::ChannelBindingType),
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let CredentialsError::ChannelBindingUnavailable(t) = self {
            return write!(f, "no {t} channel-binding data for this mechanism");
        }
        f.write_str(match self {
            CredentialsError::ChannelBindingUnavailable(_) => "",
            CredentialsError::EmptyToken => "an empty token",
            CredentialsError::NeedsToken => "an HT mechanism needs a token, not a password",
            CredentialsError::HashMismatch => "credentials of another hash function",
            CredentialsError::Invalid => "invalid credentials (salt, iterations or key length)",
            CredentialsError::Stale => "cached keys do not match the server's salt or iterations",
            CredentialsError::NeedsPassword => "PLAIN needs the password, not cached keys",
        })
    }
}

impl std::error::Error for CredentialsError {}

/// Why a client machine refused a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientError {
    /// The server's fault: abort the exchange (`<abort/>`).
    Peer(PeerError),
    /// The caller's: the call is not possible in this state (a step after
    /// the exchange ended, success before a SCRAM proof was sent, ...).
    WrongState {
        /// The call refused.
        action: &'static str,
        /// The state.
        state: crate::client::State,
    },
    /// The caller's: a username, password or authzid SASLprep refuses.
    Prep(PrepError),
    /// The caller's: credentials that cannot be used.
    Credentials(CredentialsError),
    /// The caller's: a nonce that is empty or, given as text, not
    /// printable ASCII without `,`.
    InvalidNonce,
}

impl ClientError {
    /// Whether the server is at fault.
    pub fn is_peer(&self) -> bool {
        matches!(self, ClientError::Peer(_))
    }
}

impl From<PeerError> for ClientError {
    fn from(e: PeerError) -> Self {
        ClientError::Peer(e)
    }
}

impl From<PrepError> for ClientError {
    fn from(e: PrepError) -> Self {
        ClientError::Prep(e)
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Peer(e) => write!(f, "server: {e}"),
            ClientError::WrongState { action, state } => {
                write!(f, "cannot {action} in state {state:?}")
            }
            ClientError::Prep(e) => e.fmt(f),
            ClientError::Credentials(e) => e.fmt(f),
            ClientError::InvalidNonce => f.write_str("invalid nonce"),
        }
    }
}

impl std::error::Error for ClientError {}

/// Why a server machine refused a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerError {
    /// The client's fault: answer with `<failure/>` with
    /// [`PeerError::condition`] (and, for SCRAM where the profile carries
    /// it, [`PeerError::scram_error`]'s final message).
    Peer(PeerError),
    /// The caller's: the call is not possible in this state.
    WrongState {
        /// The call refused.
        action: &'static str,
        /// The state.
        state: crate::server::State,
    },
    /// The caller's: credentials that cannot be used.
    Credentials(CredentialsError),
    /// The caller's: a nonce that is empty or not printable.
    InvalidNonce,
}

impl ServerError {
    /// Whether the client is at fault.
    pub fn is_peer(&self) -> bool {
        matches!(self, ServerError::Peer(_))
    }
}

impl From<PeerError> for ServerError {
    fn from(e: PeerError) -> Self {
        ServerError::Peer(e)
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Peer(e) => write!(f, "client: {e}"),
            ServerError::WrongState { action, state } => {
                write!(f, "cannot {action} in state {state:?}")
            }
            ServerError::Credentials(e) => e.fmt(f),
            ServerError::InvalidNonce => f.write_str("invalid nonce"),
        }
    }
}

impl std::error::Error for ServerError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scram_error_round_trips() {
        let all = [
            ScramError::InvalidEncoding,
            ScramError::ExtensionsNotSupported,
            ScramError::InvalidProof,
            ScramError::ChannelBindingsDontMatch,
            ScramError::ServerDoesSupportChannelBinding,
            ScramError::ChannelBindingNotSupported,
            ScramError::UnsupportedChannelBindingType,
            ScramError::UnknownUser,
            ScramError::InvalidUsernameEncoding,
            ScramError::NoResources,
            ScramError::OtherError,
            ScramError::Unrecognized("too-tired".into()),
        ];
        for e in all {
            assert_eq!(ScramError::parse(e.as_str()), e);
            assert_eq!(e.server_final(), format!("e={e}").into_bytes());
        }
    }
}
