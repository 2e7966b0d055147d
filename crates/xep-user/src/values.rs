//! The value types of the user data: `xs:decimal`, `xs:anyURI` and the
//! XEP-0082 time zone designator.

use std::borrow::Cow;
use std::fmt;

use xep_element::XmlValue;

/// An `xs:decimal` (`-104.99`, `+1.5`, `.5`, `10`), keeping the lexical
/// form it was written in (so a round trip writes back what was read);
/// [`Decimal::value`] gives it as a number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Decimal(String);

impl Decimal {
    /// The decimal of `value`, written in its shortest form (`f64`'s
    /// `Display`, which never uses an exponent). Refuses NaN and the
    /// infinities, which `xs:decimal` cannot carry.
    pub fn new(value: f64) -> Option<Decimal> {
        value.is_finite().then(|| Decimal(format!("{value}")))
    }

    /// The value.
    pub fn value(&self) -> f64 {
        self.0
            .parse()
            .expect("a checked xs:decimal is a valid f64 literal")
    }

    /// The lexical form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `s` is in the lexical space of `xs:decimal`: an optional sign,
/// digits with at most one point, at least one digit.
fn is_decimal(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

impl XmlValue for Decimal {
    const XSD_TYPE: &'static str = "xs:decimal";
    fn from_xml(s: &str) -> Result<Self, String> {
        let t = s.trim_matches([' ', '\t', '\n', '\r']);
        if is_decimal(t) {
            Ok(Decimal(t.to_string()))
        } else {
            Err("not a valid xs:decimal".into())
        }
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
}

/// An `xs:anyURI`: kept as written (any string without control
/// characters is a URI reference once escaped, so nothing else is
/// checked).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AnyUri(pub String);

impl AnyUri {
    /// The URI.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for AnyUri {
    fn from(s: &str) -> Self {
        AnyUri(s.to_string())
    }
}

impl fmt::Display for AnyUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl XmlValue for AnyUri {
    const XSD_TYPE: &'static str = "xs:anyURI";
    fn from_xml(s: &str) -> Result<Self, String> {
        if s.chars()
            .any(|c| c.is_control() && !matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            return Err("not a valid xs:anyURI (control character)".into());
        }
        Ok(AnyUri(s.to_string()))
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
}

/// A XEP-0082 time zone designator: `Z` or `±hh:mm` (hours to 14 at most,
/// minutes below 60), kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tzd(String);

impl Tzd {
    /// UTC, written `Z`.
    pub fn utc() -> Tzd {
        Tzd("Z".into())
    }

    /// The offset from UTC in minutes (east positive).
    pub fn minutes(&self) -> i32 {
        if self.0 == "Z" {
            return 0;
        }
        let sign = if self.0.starts_with('-') { -1 } else { 1 };
        let h: i32 = self.0[1..3].parse().expect("checked");
        let m: i32 = self.0[4..6].parse().expect("checked");
        sign * (h * 60 + m)
    }

    /// The offset of `minutes` east of UTC (`+00:00` for zero), `None`
    /// beyond ±14:00.
    pub fn from_minutes(minutes: i32) -> Option<Tzd> {
        if minutes.abs() > 14 * 60 {
            return None;
        }
        let sign = if minutes < 0 { '-' } else { '+' };
        let m = minutes.abs();
        Some(Tzd(format!("{sign}{:02}:{:02}", m / 60, m % 60)))
    }

    /// The lexical form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl XmlValue for Tzd {
    const EXAMPLE: Option<&'static str> = Some("-07:00");
    fn from_xml(s: &str) -> Result<Self, String> {
        let t = s.trim_matches([' ', '\t', '\n', '\r']);
        let ok = t == "Z"
            || (t.len() == 6
                && matches!(t.as_bytes()[0], b'+' | b'-')
                && t.as_bytes()[3] == b':'
                && t[1..3]
                    .bytes()
                    .chain(t[4..6].bytes())
                    .all(|b| b.is_ascii_digit())
                && t[1..3].parse::<u8>().is_ok_and(|h| h <= 14)
                && t[4..6].parse::<u8>().is_ok_and(|m| m < 60));
        if ok {
            Ok(Tzd(t.to_string()))
        } else {
            Err("not a XEP-0082 time zone designator (Z or ±hh:mm)".into())
        }
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.0)
    }
}
