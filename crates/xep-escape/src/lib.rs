//! XEP-0106 JID Escaping: the eight characters RFC 7622 forbids in a
//! localpart (`"` `&` `'` `/` `:` `<` `>` `@`) and the space, written as
//! `\hexhex` so that addresses such as `d'artagnan@musketeers.lit` can be
//! JIDs (`d\27artagnan@musketeers.lit`).
//!
//! - [`escape_node`] and [`unescape_node`] apply the two tables of §3 to a
//!   localpart, with the rules of §4: only the ten sequences of the tables
//!   (lowercase: case is significant) are ever unescaped; a backslash is
//!   escaped (`\5c`) only where it starts one of them in the source, so
//!   `foo\bar`, `foob\41r` and `\2plus\2is\4` are left alone (§4.3); and
//!   an escaped localpart never begins or ends with `\20` (§4.1 rule 6),
//!   which [`escape_node`] refuses.
//! - [`escape`] turns what a user typed (`user@host@example.com`) into a
//!   JID (`user\40host@example.com`): the domain follows the last `@`.
//!   [`display`] is the other way, for presentation only: §4.1 forbids
//!   comparing unescaped forms or sending them, so the result is a
//!   `String`, never a JID.
//! - [`from_uri`] is the address transformation algorithm of §4.2 for a
//!   non-XMPP URI (`mailto:`, `sip:`, `im:`, `wv:`, ...): the scheme and
//!   any headers removed, percent-decoded, then escaped; [`to_uri`]
//!   writes a JID as such a URI again.
//! - [`FEATURE`] is the service discovery feature of §6, `jid\20escaping`.
//!
//! ```
//! use xep_escape::{display, escape, escape_node, unescape_node};
//!
//! let jid = escape("d'artagnan@musketeers.lit").unwrap();
//! assert_eq!(jid.to_string(), r"d\27artagnan@musketeers.lit");
//! assert_eq!(display(&jid.into()), "d'artagnan@musketeers.lit");
//!
//! // A backslash is escaped only where it would be read as an escape.
//! assert_eq!(escape_node(r"c:\5commas").unwrap(), r"c\3a\5c5commas");
//! assert_eq!(escape_node(r"c:\net").unwrap(), r"c\3a\net");
//! assert_eq!(unescape_node(r"foob\41r"), r"foob\41r");
//! // No \20 at either end.
//! assert!(escape_node(" cadet").is_err());
//! ```
//!
//! The crate is separate from the protocol crates because escaping is a
//! property of addresses, not of any element: clients, gateways and
//! servers need it without the elements of any XEP.

#![warn(missing_docs)]

use std::borrow::Cow;
use std::fmt;

use xep_element::jid::{BareJid, Jid};

/// The service discovery feature of an entity that supports JID escaping
/// (§6): `jid\20escaping`, written with its backslash.
pub const FEATURE: &str = "jid\\20escaping";

/// The characters of the escaping table (§3.2) and their escapes, the
/// escaping character `\` last.
pub const TABLE: [(char, &str); 10] = [
    (' ', "\\20"),
    ('"', "\\22"),
    ('&', "\\26"),
    ('\'', "\\27"),
    ('/', "\\2f"),
    (':', "\\3a"),
    ('<', "\\3c"),
    ('>', "\\3e"),
    ('@', "\\40"),
    ('\\', "\\5c"),
];

/// The character `hex` (two lowercase hexadecimal digits after a
/// backslash) stands for, when it is one of the ten sequences of §3.3.
fn unescaped(hex: &[u8]) -> Option<char> {
    Some(match hex {
        b"20" => ' ',
        b"22" => '"',
        b"26" => '&',
        b"27" => '\'',
        b"2f" => '/',
        b"3a" => ':',
        b"3c" => '<',
        b"3e" => '>',
        b"40" => '@',
        b"5c" => '\\',
        _ => return None,
    })
}

/// Whether `s` begins with one of the ten escape sequences of §3.3
/// (`\20` ... `\5c`, lowercase).
pub fn starts_with_escape(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 3 && b[0] == b'\\' && unescaped(&b[1..3]).is_some()
}

/// Why an address cannot be escaped into a JID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscapeError {
    /// The localpart is empty.
    Empty,
    /// The localpart begins or ends with a space: its escape `\20` must
    /// not be the first or last sequence of an escaped localpart (§3.2,
    /// §4.1 rule 6).
    EdgeSpace,
    /// The address has no `@`, so no localpart to escape.
    NoLocalpart,
    /// A percent-decoded URI is not UTF-8.
    NotUtf8,
    /// The URI has no scheme (`scheme:`).
    NotAUri,
    /// The escaped address is still not a JID (e.g. an invalid domain or a
    /// localpart PRECIS refuses), with the reason.
    Jid(String),
}

impl fmt::Display for EscapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EscapeError::Empty => f.write_str("an empty localpart"),
            EscapeError::EdgeSpace => f.write_str(
                "a localpart that begins or ends with a space (\\20 may not be first or last, XEP-0106 §4.1)",
            ),
            EscapeError::NoLocalpart => f.write_str("no '@' and so no localpart to escape"),
            EscapeError::NotUtf8 => f.write_str("the percent-decoded address is not UTF-8"),
            EscapeError::NotAUri => f.write_str("not a URI: no scheme"),
            EscapeError::Jid(e) => write!(f, "the escaped address is not a JID: {e}"),
        }
    }
}

impl std::error::Error for EscapeError {}

/// Escapes a localpart by the table of §3.2 and the rules of §4: each
/// disallowed character and the space become `\hexhex`; a backslash
/// becomes `\5c` only where it begins one of the ten escape sequences
/// (rule 7 and §4.3), every other character is kept. Refuses an empty
/// localpart and one that begins or ends with a space.
pub fn escape_node(local: &str) -> Result<String, EscapeError> {
    if local.is_empty() {
        return Err(EscapeError::Empty);
    }
    if local.starts_with(' ') || local.ends_with(' ') {
        return Err(EscapeError::EdgeSpace);
    }
    let mut out = String::with_capacity(local.len() + 8);
    for (i, c) in local.char_indices() {
        match c {
            '\\' if starts_with_escape(&local[i..]) => out.push_str("\\5c"),
            '\\' => out.push('\\'),
            c => match TABLE[..9].iter().find(|(u, _)| *u == c) {
                Some((_, e)) => out.push_str(e),
                None => out.push(c),
            },
        }
    }
    Ok(out)
}

/// Unescapes a localpart by the table of §3.3: only the ten sequences it
/// lists (lowercase hexadecimal) are replaced, left to right, and every
/// other backslash is kept (§4.1 rule 3, §4.3). For presentation and
/// gateways only, never for comparison or the wire (§4.1).
pub fn unescape_node(local: &str) -> Cow<'_, str> {
    if !local.contains('\\') {
        return Cow::Borrowed(local);
    }
    let b = local.as_bytes();
    let mut out = String::with_capacity(local.len());
    let mut i = 0;
    let mut from = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && let Some(c) = b.get(i + 1..i + 3).and_then(unescaped)
        {
            out.push_str(&local[from..i]);
            out.push(c);
            i += 3;
            from = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&local[from..]);
    Cow::Owned(out)
}

/// The JID for an address a user typed, `localpart@domain` with the
/// domain after the last `@` (so `user@host@example.com` is
/// `user\40host@example.com`), its localpart escaped by [`escape_node`].
pub fn escape(address: &str) -> Result<BareJid, EscapeError> {
    let (local, domain) = address.rsplit_once('@').ok_or(EscapeError::NoLocalpart)?;
    let local = escape_node(local)?;
    format!("{local}@{domain}")
        .parse::<BareJid>()
        .map_err(|e| EscapeError::Jid(e.to_string()))
}

/// How `jid` is presented to a human user (§4.1 rule 1): its localpart
/// unescaped, domain and resource as they are. Not an address: compare
/// and send the JID itself.
pub fn display(jid: &Jid) -> String {
    let mut out = String::new();
    if let Some(node) = jid.node() {
        out.push_str(&unescape_node(node.as_str()));
        out.push('@');
    }
    out.push_str(jid.domain().as_str());
    if let Some(resource) = jid.resource() {
        out.push('/');
        out.push_str(resource.as_str());
    }
    out
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn percent_decode(s: &str) -> Result<String, EscapeError> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex_value),
                b.get(i + 2).copied().and_then(hex_value),
            )
        {
            out.push(h * 16 + l);
            i += 3;
        } else {
            // A `%` not followed by two hexadecimal digits is no
            // percent-encoding and stays (the XEP's `cr%zy`).
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| EscapeError::NotUtf8)
}

/// The address transformation algorithm of §4.2 for a URI naming a
/// non-XMPP address (`mailto:`, `sip:`, `sips:`, `im:`, `pres:`, `wv:`):
/// the scheme removed, headers (`?...`) removed, the rest percent-decoded
/// (RFC 3986; a `%` not followed by two hexadecimal digits is kept), then
/// [`escape`]d, so that a backslash already in the address is kept
/// distinct from an escape.
pub fn from_uri(uri: &str) -> Result<BareJid, EscapeError> {
    let (scheme, rest) = uri.split_once(':').ok_or(EscapeError::NotAUri)?;
    if scheme.is_empty()
        || !scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return Err(EscapeError::NotAUri);
    }
    let address = rest.split_once('?').map_or(rest, |(a, _)| a);
    escape(&percent_decode(address)?)
}

/// `jid` as a URI of `scheme` for a non-XMPP system (the reverse of
/// [`from_uri`]): the localpart unescaped, then percent-encoded (RFC 3986,
/// uppercase hexadecimal) except for unreserved characters and a `%` that
/// does not begin a percent-encoding, followed by `@` and the domain.
pub fn to_uri(scheme: &str, jid: &BareJid) -> String {
    use std::fmt::Write;
    let mut out = format!("{scheme}:");
    if let Some(node) = jid.node() {
        let local = unescape_node(node.as_str());
        let b = local.as_bytes();
        for (i, &c) in b.iter().enumerate() {
            let keep = c.is_ascii_alphanumeric()
                || matches!(c, b'-' | b'.' | b'_' | b'~')
                || (c == b'%'
                    && !(b.get(i + 1).copied().and_then(hex_value).is_some()
                        && b.get(i + 2).copied().and_then(hex_value).is_some()));
            if keep {
                out.push(c as char);
            } else {
                let _ = write!(out, "%{c:02X}");
            }
        }
        out.push('@');
    }
    out.push_str(jid.domain().as_str());
    out
}

#[cfg(test)]
mod tests;
