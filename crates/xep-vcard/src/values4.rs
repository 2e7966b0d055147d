//! The value types of RFC 6351 §4: dates and times in the vCard 4
//! patterns, UTC offsets, language tags, floats.

use std::borrow::Cow;

use xep_element::XmlValue;

/// Whether `s` matches `pattern`, where `d` is a digit and every other
/// character stands for itself.
fn shaped(s: &str, pattern: &str) -> bool {
    s.len() == pattern.len()
        && s.bytes().zip(pattern.bytes()).all(|(c, p)| match p {
            b'd' => c.is_ascii_digit(),
            p => c == p,
        })
}

fn any_shape(s: &str, patterns: &[&str]) -> bool {
    patterns.iter().any(|p| shaped(s, p))
}

/// The ways to read `s` as a time and a zone suffix (`Z`, `±hh`,
/// `±hhmm`, `±hh:mm`, or none): a truncated time (`-2200`) may itself
/// look like a zone, so every split is tried.
fn zone_splits(s: &str) -> impl Iterator<Item = &str> {
    let mut out = vec![s];
    if let Some(t) = s.strip_suffix('Z') {
        out.push(t);
    }
    for len in [6, 5, 3] {
        if s.len() > len && s.is_char_boundary(s.len() - len) {
            let (t, z) = s.split_at(s.len() - len);
            if any_shape(z, &["+dd", "-dd", "+dddd", "-dddd", "+dd:dd", "-dd:dd"]) {
                out.push(t);
            }
        }
    }
    out.into_iter()
}

const DATES: &[&str] = &[
    "dddddddd",
    "dddd-dd",
    "--dd",
    "--dddd",
    "---dd",
    "dddd-dd-dd",
];
const TIMES: &[&str] = &[
    "dd", "dddd", "dddddd", "-ddd", "-dddd", "--dd", "dd:dd", "dd:dd:dd",
];

/// Without fractions of a second (the extended form XEP-0082 allows).
fn without_fraction(t: &str) -> Option<&str> {
    match t.split_once('.') {
        Some((a, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => Some(a),
        Some(_) => None,
        None => Some(t),
    }
}

fn is_time_of(s: &str, shapes: &[&str]) -> bool {
    zone_splits(s).any(|t| without_fraction(t).is_some_and(|t| any_shape(t, shapes)))
}

fn is_time(s: &str) -> bool {
    is_time_of(s, TIMES)
}

macro_rules! pattern_value {
    ($(#[$doc:meta])* $ty:ident, $example:literal, $check:expr, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $ty(String);

        impl $ty {
            /// The value as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl XmlValue for $ty {
            const EXAMPLE: Option<&'static str> = Some($example);
            fn from_xml(s: &str) -> Result<Self, String> {
                let check: fn(&str) -> bool = $check;
                if check(s) {
                    Ok($ty(s.to_string()))
                } else {
                    Err(concat!("not ", $what).into())
                }
            }
            fn to_xml(&self) -> Cow<'_, str> {
                Cow::Borrowed(&self.0)
            }
        }
    };
}

pattern_value!(
    /// A vCard date (RFC 6351 §4.3.1: `19660806`, `1966-08`, `--0806`,
    /// `---06`, ...), also in the extended form `1966-08-06` that
    /// XEP-0292's examples use.
    VDate, "19660806", |s| any_shape(s, DATES), "a vCard date"
);
pattern_value!(
    /// A vCard time (RFC 6351 §4.3.2: `102200`, `1022`, `-2200`, with a
    /// zone), also in the extended form `10:22:00`.
    VTime, "102200Z", is_time, "a vCard time"
);
pattern_value!(
    /// A vCard date-time (RFC 6351 §4.3.3: `19961022T140000Z`,
    /// `--1022T1400`, ...), also in the extended XEP-0082 form.
    VDateTime, "19961022T140000Z",
    |s| match s.split_once('T') {
        Some((d, t)) => {
            any_shape(d, &["dddddddd", "--dddd", "---dd", "dddd-dd-dd"])
                && is_time_of(t, &["dd", "dddd", "dddddd", "dd:dd", "dd:dd:dd"])
        }
        None => false,
    },
    "a vCard date-time"
);
pattern_value!(
    /// A vCard timestamp (RFC 6351 §4.3.5: `19961022T140000Z`), also in
    /// the extended XEP-0082 form.
    VTimestamp, "19961022T140000Z",
    |s| match s.split_once('T') {
        Some((d, t)) => any_shape(d, &["dddddddd", "dddd-dd-dd"])
            && is_time_of(t, &["dddddd", "dd:dd:dd"]),
        None => false,
    },
    "a vCard timestamp"
);
pattern_value!(
    /// A UTC offset (RFC 6351 §4.7: `-0500`, `+01`), also `-05:00`.
    UtcOffset, "-0500",
    |s| any_shape(s, &["+dd", "-dd", "+dddd", "-dddd", "+dd:dd", "-dd:dd"]),
    "a UTC offset (±hh or ±hhmm)"
);
pattern_value!(
    /// A language tag (RFC 5646): subtags of one to eight letters or
    /// digits joined by `-`, the first of letters.
    LanguageTag, "en",
    |s| {
        let mut parts = s.split('-');
        parts.next().is_some_and(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()))
            && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
    },
    "a language tag (RFC 5646)"
);
pattern_value!(
    /// An `xs:float` (`1.5`, `-2E3`, `INF`, `NaN`), kept as written.
    XsFloat, "1.5",
    |s| matches!(s, "INF" | "-INF" | "NaN") || (!s.is_empty() && !s.contains(['i', 'I', 'n', 'N']) && s.parse::<f64>().is_ok()),
    "an xs:float"
);

impl XsFloat {
    /// The value.
    pub fn value(&self) -> f64 {
        match self.0.as_str() {
            "INF" => f64::INFINITY,
            "-INF" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            s => s.parse().expect("checked"),
        }
    }
}

pattern_value!(
    /// A PID value (RFC 6350 §5.5: `1` or `1.2`).
    PidValue, "1.1",
    |s| {
        let (a, b) = s.split_once('.').unwrap_or((s, "0"));
        !a.is_empty() && !b.is_empty() && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
    },
    "a PID (digits, optionally a point and digits)"
);

/// The text of an element that may hold either text or child elements
/// (`<pref>1</pref>` beside `<pref><integer>1</integer></pref>`): the
/// value when the text is not blank, and the text as written (the blank
/// between children included), so that a round trip is lossless.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Loose<T> {
    value: Option<T>,
    raw: String,
}

impl<T: XmlValue> Loose<T> {
    /// The text of `value`.
    pub fn new(value: T) -> Loose<T> {
        let raw = value.to_xml().into_owned();
        Loose {
            value: Some(value),
            raw,
        }
    }

    /// The value, if the text is not blank.
    pub fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }
}

impl<T: XmlValue> XmlValue for Loose<T> {
    const XSD_TYPE: &'static str = T::XSD_TYPE;
    const VALUES: &'static [&'static str] = T::VALUES;
    const OPEN: bool = T::OPEN;
    const EXAMPLE: Option<&'static str> = T::EXAMPLE;
    fn from_xml(s: &str) -> Result<Self, String> {
        let t = s.trim_matches([' ', '\t', '\n', '\r']);
        let value = if t.is_empty() {
            None
        } else {
            Some(T::from_xml(t)?)
        };
        Ok(Loose {
            value,
            raw: s.to_string(),
        })
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.raw)
    }
}
