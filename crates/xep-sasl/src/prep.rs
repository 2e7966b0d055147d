//! String preparation (RFC 4013 SASLprep through the `stringprep` crate)
//! and the SCRAM `saslname` encoding (RFC 5802 §5.1).

use std::fmt;

/// A string that SASLprep (RFC 4013) refuses: a prohibited character
/// (controls, private use, non-characters, ...), a bidirectional rule
/// broken, an unassigned code point, or an empty result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepError {
    /// What was being prepared: `"username"`, `"password"`, ...
    pub what: &'static str,
    /// Why, in `stringprep`'s words.
    pub reason: String,
}

impl fmt::Display for PrepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} refused by SASLprep: {}", self.what, self.reason)
    }
}

impl std::error::Error for PrepError {}

/// SASLprep (RFC 4013) of `s`. Unassigned code points are refused (the
/// rule for stored strings, RFC 4013 §2.5, which `stringprep` applies to
/// every input): a name or password that only a newer Unicode version
/// knows is refused rather than prepared inconsistently.
///
/// ```
/// assert_eq!(xep_sasl::saslprep("I\u{AD}X").unwrap(), "IX");
/// assert!(xep_sasl::saslprep("\u{7}").is_err());
/// ```
pub fn saslprep(s: &str) -> Result<String, PrepError> {
    prepare(s, "string")
}

pub(crate) fn prepare(s: &str, what: &'static str) -> Result<String, PrepError> {
    match stringprep::saslprep(s) {
        Ok(p) if p.is_empty() && !s.is_empty() => Err(PrepError {
            what,
            reason: "prepared to the empty string".into(),
        }),
        Ok(p) => Ok(p.into_owned()),
        Err(e) => Err(PrepError {
            what,
            reason: e.to_string(),
        }),
    }
}

/// `saslname` encoding: `,` as `=2C`, `=` as `=3D`.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ',' => out.push_str("=2C"),
            '=' => out.push_str("=3D"),
            c => out.push(c),
        }
    }
    out
}

/// The inverse of [`escape`]; `None` for an `=` not followed by `2C` or
/// `3D` (RFC 5802: the server fails with `invalid-username-encoding`).
pub(crate) fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix("2C") {
            out.push(',');
            rest = r;
        } else if let Some(r) = after.strip_prefix("3D") {
            out.push('=');
            rest = r;
        } else {
            return None;
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Whether `s` is a SCRAM nonce: one or more printable ASCII characters
/// other than `,` (RFC 5802 §7 `printable`).
pub(crate) fn is_printable(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4013 §3, every example.
    #[test]
    fn rfc4013_examples() {
        // 1: SOFT HYPHEN mapped to nothing.
        assert_eq!(saslprep("I\u{00AD}X").unwrap(), "IX");
        // 2: no transformation.
        assert_eq!(saslprep("user").unwrap(), "user");
        // 3: case preserved, will not match #2.
        assert_eq!(saslprep("USER").unwrap(), "USER");
        // 4: output is NFKC, input in ISO 8859-1.
        assert_eq!(saslprep("\u{00AA}").unwrap(), "a");
        // 5: output is NFKC, will match #1.
        assert_eq!(saslprep("\u{2168}").unwrap(), "IX");
        // 6: prohibited character.
        assert!(saslprep("\u{0007}").is_err());
        // 7: bidirectional check.
        assert!(saslprep("\u{0627}\u{0031}").is_err());
    }

    #[test]
    fn non_ascii_space_is_mapped_to_space() {
        assert_eq!(saslprep("a\u{00A0}b").unwrap(), "a b");
    }

    #[test]
    fn only_mapped_away_is_refused() {
        assert!(prepare("\u{00AD}", "password").is_err());
        assert_eq!(prepare("", "password").unwrap(), "");
    }

    #[test]
    fn saslname_round_trip() {
        assert_eq!(escape("a,b=c"), "a=2Cb=3Dc");
        assert_eq!(unescape("a=2Cb=3Dc").unwrap(), "a,b=c");
        assert_eq!(unescape("=3D=2C").unwrap(), "=,");
        assert_eq!(unescape("a=2c"), None);
        assert_eq!(unescape("a="), None);
        assert_eq!(unescape("a=41"), None);
    }

    #[test]
    fn printable() {
        assert!(is_printable("fyko+d2lbbFgONRv9qkxdawL"));
        assert!(is_printable("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"));
        assert!(!is_printable(""));
        assert!(!is_printable("a,b"));
        assert!(!is_printable("a b"));
        assert!(!is_printable("é"));
    }
}
