//! The grammars of the SDP fields that Jingle values are written to and
//! read from (RFC 8866, 8839, 8122, 4568, 5576, ...), and the words both
//! directions share.

use super::SdpError;
use crate::jingle::{Creator, Senders};

/// The grammar a value must match to be written into its SDP field, and
/// to be accepted when read from one. Each is the RFC's grammar for the
/// field, narrowed where noted so that what is written reads back as the
/// same value through [`parse`] (which trims each line and splits fields
/// at any whitespace, Unicode's included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    /// RFC 8866 `token`: content names (`a=mid`, RFC 5888
    /// `identification-tag`), group and ssrc-group semantics, media,
    /// encoding names, bandwidth types, candidate transports, fingerprint
    /// hash functions, rtcp-fb subtypes, SSRC attribute names.
    Token,
    /// RFC 8866 `byte-string` (no NUL, CR or LF) that ends its line, so
    /// not ending in whitespace, which the reader trims: an SSRC
    /// attribute's value (RFC 5576 `att-value`).
    LineEnd,
    /// `1*VCHAR`: an extmap URI (RFC 8285, RFC 3986 has no spaces) and
    /// RFC 4568 `key-params`.
    Visible,
    /// RFC 8839 `ice-char` (`ALPHA / DIGIT / "+" / "/"`), `min` to `max`
    /// of them: `ice-ufrag` 4-256, `ice-pwd` 22-256, a candidate
    /// `foundation` 1-32.
    Ice { min: usize, max: usize },
    /// RFC 8122 `fingerprint`: `2UHEX *(":" 2UHEX)` (lower case hex is
    /// accepted too: it is what some peers send, and it cannot end a line).
    Fingerprint,
    /// RFC 8866 `IP4-address`, `IP6-address` or `FQDN` (an mDNS name is
    /// one). Its `extn-addr` (any non-whitespace) is not taken: ICE and
    /// raw UDP carry addresses.
    Address,
    /// RFC 4568 `tag`: `1*9DIGIT`.
    Tag,
    /// RFC 4568 `crypto-suite`: `1*(ALPHA / DIGIT / "_")`.
    Suite,
    /// RFC 4568 session parameters: `1*VCHAR` each, one space apart (the
    /// reader splits them at whitespace and joins them with one space).
    SessionParams,
    /// RFC 4585 `rtcp-fb-id`: `1*(alpha-numeric / "-" / "_")`.
    FbId,
    /// An `a=fmtp` parameter name (RFC 8866 `fmtp` is a `byte-string`;
    /// the media types' `name=value;...` convention splits it): non-empty,
    /// no whitespace, control character, `=` or `;`.
    FmtpName,
    /// An `a=fmtp` parameter value: possibly empty, no NUL, CR, LF or
    /// `;`, and no whitespace at either end (the parameters are trimmed).
    FmtpValue,
    /// The name of an `a=extmap` or `a=rtcp-fb` parameter (Jingle's
    /// `name[=value]` words of RFC 8285 `extensionattributes` and RFC 4585
    /// `rtcp-fb-param`): RFC 8866 `non-ws-string` without `=`.
    ParamName,
    /// Its value: empty, or a `non-ws-string`.
    ParamValue,
}

impl Field {
    pub(super) const UFRAG: Field = Field::Ice { min: 4, max: 256 };
    pub(super) const PWD: Field = Field::Ice { min: 22, max: 256 };
    pub(super) const FOUNDATION: Field = Field::Ice { min: 1, max: 32 };

    /// `Err(why)` when `v` does not match the grammar.
    pub(super) fn check(self, v: &str) -> Result<(), &'static str> {
        let ok = match self {
            Field::Token => is_token(v),
            Field::LineEnd => is_byte_string(v) && !v.ends_with(char::is_whitespace),
            Field::Visible => is_visible(v),
            Field::Ice { min, max } => {
                (min..=max).contains(&v.len())
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
            }
            Field::Fingerprint => v
                .split(':')
                .all(|h| h.len() == 2 && h.bytes().all(|b| b.is_ascii_hexdigit())),
            Field::Address => is_address(v),
            Field::Tag => (1..=9).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()),
            Field::Suite => {
                !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            }
            Field::SessionParams => v.split(' ').all(is_visible),
            Field::FbId => {
                !v.is_empty()
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }
            Field::FmtpName => is_non_ws_string(v) && !v.contains(['=', ';']),
            Field::FmtpValue => {
                (v.is_empty() || is_byte_string(v)) && !v.contains(';') && v.trim() == v
            }
            Field::ParamName => is_non_ws_string(v) && !v.contains('='),
            Field::ParamValue => v.is_empty() || is_non_ws_string(v),
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            Field::Token => "is not an RFC 8866 token",
            Field::LineEnd => {
                "is not an RFC 8866 byte-string (non-empty, no NUL, CR or LF) without whitespace at its end"
            }
            Field::Visible => "is not visible ASCII without spaces (1*VCHAR)",
            Field::Ice { .. } if self == Field::UFRAG => {
                "is not an RFC 8839 ice-ufrag (4 to 256 of ALPHA, DIGIT, '+' and '/')"
            }
            Field::Ice { .. } if self == Field::PWD => {
                "is not an RFC 8839 ice-pwd (22 to 256 of ALPHA, DIGIT, '+' and '/')"
            }
            Field::Ice { .. } => {
                "is not an RFC 8839 foundation (1 to 32 of ALPHA, DIGIT, '+' and '/')"
            }
            Field::Fingerprint => "is not an RFC 8122 fingerprint (hex pairs separated by ':')",
            Field::Address => "is not an IPv4 or IPv6 address or a domain name (RFC 8866)",
            Field::Tag => "is not an RFC 4568 tag (1 to 9 digits)",
            Field::Suite => "is not an RFC 4568 crypto-suite (ALPHA, DIGIT and '_')",
            Field::SessionParams => {
                "is not RFC 4568 session parameters (visible ASCII words, one space apart)"
            }
            Field::FbId => "is not an RFC 4585 rtcp-fb-id (ALPHA, DIGIT, '-' and '_')",
            Field::FmtpName => {
                "is not an fmtp parameter name (non-empty, no whitespace, control character, '=' or ';')"
            }
            Field::FmtpValue => {
                "is not an fmtp parameter value (no NUL, CR, LF or ';', no whitespace at its ends)"
            }
            Field::ParamName => {
                "is not a parameter name (non-empty, no whitespace, control character or '=')"
            }
            Field::ParamValue => "is not a parameter value (no whitespace or control character)",
        })
    }
}

/// RFC 8866 `token-char`: `%x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 /
/// %x41-5A / %x5E-7E`.
fn is_token(v: &str) -> bool {
    !v.is_empty()
        && v.bytes().all(|b| {
            matches!(b, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'^'..=b'~')
        })
}

/// RFC 8866 `byte-string`: `1*(%x01-09 / %x0B-0C / %x0E-FF)`.
fn is_byte_string(v: &str) -> bool {
    !v.is_empty() && !v.contains(['\0', '\r', '\n'])
}

/// RFC 8866 `non-ws-string`: `1*(VCHAR / %x80-FF)`, less the non-ASCII
/// whitespace the reader splits at.
fn is_non_ws_string(v: &str) -> bool {
    !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_graphic() || (!c.is_ascii() && !c.is_whitespace()))
}

/// `1*VCHAR`.
fn is_visible(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|b| b.is_ascii_graphic())
}

/// RFC 8866 `IP4-address / IP6-address / FQDN` (`FQDN = 4*(alpha-numeric
/// / "-" / ".")`).
fn is_address(v: &str) -> bool {
    v.parse::<std::net::IpAddr>().is_ok()
        || (v.len() >= 4
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'))
}

/// Checks a value taken from Jingle against the grammar of the SDP field
/// it goes to; `path` names its element. What does not match is refused,
/// never written.
pub(super) fn valid(
    field: Field,
    value: &str,
    path: impl FnOnce() -> String,
) -> Result<(), SdpError> {
    field.check(value).map_err(|reason| SdpError::Value {
        path: path(),
        value: value.to_string(),
        reason: reason.to_string(),
    })
}

/// Checks a value read from SDP against the grammar [`to_sdp`] writes it
/// with (the same [`Field`]), so that whatever [`from_sdp`] accepts can be
/// written back as it was read. `what` names it in the reason.
pub(super) fn read_valid(field: Field, value: &str, what: &str) -> Result<(), String> {
    field
        .check(value)
        .map_err(|reason| format!("{what} {value:?} {reason}"))
}

/// The direction attribute for `senders`, seen from `author`.
pub(super) fn direction(senders: Senders, author: Creator) -> &'static str {
    match (senders, author) {
        (Senders::Both, _) => "sendrecv",
        (Senders::None, _) => "inactive",
        (Senders::Initiator, Creator::Initiator) | (Senders::Responder, Creator::Responder) => {
            "sendonly"
        }
        _ => "recvonly",
    }
}

/// `senders` for a direction attribute written by `author`.
pub(super) fn senders(direction: &str, author: Creator) -> Option<Senders> {
    let (me, peer) = match author {
        Creator::Initiator => (Senders::Initiator, Senders::Responder),
        Creator::Responder => (Senders::Responder, Senders::Initiator),
    };
    Some(match direction {
        "sendrecv" => Senders::Both,
        "inactive" => Senders::None,
        "sendonly" => me,
        "recvonly" => peer,
        _ => return None,
    })
}

/// Writes `name=value`, or `name` alone when there is no value
/// (XEP-0293/0294's parameters not in `a=b` form). An empty value is
/// `name=`, so that it reads back as written.
pub(super) fn param(name: &str, value: Option<&str>) -> String {
    match value {
        Some(v) => format!("{name}={v}"),
        None => name.to_string(),
    }
}

/// Checks a `name[=value]` word of `a=extmap` or `a=rtcp-fb` as read.
pub(super) fn read_param(name: &str, value: Option<&str>, what: &str) -> Result<(), String> {
    read_valid(
        Field::ParamName,
        name,
        &format!("the {what} parameter name"),
    )?;
    match value {
        Some(v) => read_valid(Field::ParamValue, v, &format!("the {what} parameter value")),
        None => Ok(()),
    }
}

pub(super) fn split_param(token: &str) -> (String, Option<String>) {
    match token.split_once('=') {
        Some((n, v)) => (n.to_string(), Some(v.to_string())),
        None => (token.to_string(), None),
    }
}

/// `IP6` for an address with a colon, `IP4` otherwise.
pub(super) fn ip_version(ip: &str) -> &'static str {
    if ip.contains(':') { "IP6" } else { "IP4" }
}
