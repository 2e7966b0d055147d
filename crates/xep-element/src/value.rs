//! Typed attribute values and text content.

use std::borrow::Cow;

use base64::Engine;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};

/// A value that has a textual XML form.
///
/// Typed attribute values and text content.
///
/// [`XmlValue`] converts between the text of an attribute or of a text-only
/// element and a Rust value. It is implemented here for strings, integers,
/// `xs:boolean`, JIDs, XEP-0082 date/times and base64 data; enumerations
/// derive it with `#[derive(XmlValue)]`.
pub trait XmlValue: Sized {
    /// The XML Schema type name used in generated schemas.
    const XSD_TYPE: &'static str = "xs:string";
    /// The allowed values, for enumerations (empty otherwise).
    const VALUES: &'static [&'static str] = &[];
    /// Whether values other than [`XmlValue::VALUES`] are accepted and kept
    /// (an enumeration with an `#[xml(other)]` variant).
    const OPEN: bool = false;
    /// A valid value, when [`XmlValue::XSD_TYPE`] does not say what one
    /// looks like (`xs:string` holding a JID, say): value generators use
    /// it (`xep_check::arbitrary`).
    const EXAMPLE: Option<&'static str> = None;

    /// Parses the value; the error says why the text is not acceptable.
    fn from_xml(s: &str) -> Result<Self, String>;

    /// The textual form.
    fn to_xml(&self) -> Cow<'_, str>;
}

impl XmlValue for String {
    fn from_xml(s: &str) -> Result<Self, String> {
        Ok(s.to_string())
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

macro_rules! int_value {
    ($($t:ty => $xsd:literal),*) => {$(
        impl XmlValue for $t {
            const XSD_TYPE: &'static str = $xsd;
            fn from_xml(s: &str) -> Result<Self, String> {
                // xs: integer types allow surrounding whitespace and a '+'.
                let t = s.trim_matches([' ', '\t', '\n', '\r']);
                t.strip_prefix('+').unwrap_or(t).parse::<$t>().map_err(|e| {
                    format!("not a valid {} ({e})", $xsd)
                }).and_then(|v| if t.starts_with("+-") { Err(format!("not a valid {}", $xsd)) } else { Ok(v) })
            }
            fn to_xml(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}

int_value!(u8 => "xs:unsignedByte", u16 => "xs:unsignedShort", u32 => "xs:unsignedInt",
    u64 => "xs:unsignedLong", i8 => "xs:byte", i16 => "xs:short", i32 => "xs:int",
    i64 => "xs:long", usize => "xs:nonNegativeInteger");

/// `xs:boolean` accepts `true`, `false`, `1` and `0`; the lexical form is
/// kept so that a round trip writes back what was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct XsdBool {
    /// The value.
    pub value: bool,
    /// Whether it was written as `1`/`0` rather than `true`/`false`.
    pub numeric: bool,
}

impl XsdBool {
    /// `true`/`false` in their canonical form.
    pub const fn new(value: bool) -> Self {
        XsdBool {
            value,
            numeric: false,
        }
    }
}

impl From<bool> for XsdBool {
    fn from(value: bool) -> Self {
        XsdBool::new(value)
    }
}

impl From<XsdBool> for bool {
    fn from(b: XsdBool) -> bool {
        b.value
    }
}

impl XmlValue for XsdBool {
    const XSD_TYPE: &'static str = "xs:boolean";
    fn from_xml(s: &str) -> Result<Self, String> {
        match s.trim_matches([' ', '\t', '\n', '\r']) {
            "true" => Ok(XsdBool::new(true)),
            "false" => Ok(XsdBool::new(false)),
            "1" => Ok(XsdBool {
                value: true,
                numeric: true,
            }),
            "0" => Ok(XsdBool {
                value: false,
                numeric: true,
            }),
            _ => Err("expected one of true, false, 1, 0".into()),
        }
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(match (self.value, self.numeric) {
            (true, false) => "true",
            (false, false) => "false",
            (true, true) => "1",
            (false, true) => "0",
        })
    }
}

impl XmlValue for bool {
    const XSD_TYPE: &'static str = "xs:boolean";
    fn from_xml(s: &str) -> Result<Self, String> {
        XsdBool::from_xml(s).map(|b| b.value)
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(if *self { "true" } else { "false" })
    }
}

/// `parse(s)`, refused when preparing the result again would change it.
///
/// The jid crate prepares JIDs with stringprep's nodeprep and
/// resourceprep, which do not refuse code points unassigned in Unicode 3.2
/// (RFC 3454 §7 forbids them in stored strings). NFKC can turn one into a
/// letter that case folding would have mapped (U+03F9 GREEK CAPITAL LUNATE
/// SIGMA SYMBOL becomes U+03A3 Σ, left upper-case), so the prepared JID
/// prepares again to another one (σ), and a value holding it would not
/// survive its own round trip (found by the `address` fuzz target). Only
/// non-ASCII input can do this, so only it is prepared twice.
fn stable_jid<J: PartialEq + std::fmt::Display, E: std::fmt::Display>(
    s: &str,
    what: &str,
    parse: impl Fn(&str) -> Result<J, E>,
) -> Result<J, String> {
    let j = parse(s).map_err(|e| format!("not a valid {what} ({e})"))?;
    if !s.is_ascii() && parse(&j.to_string()).ok().as_ref() != Some(&j) {
        return Err(format!(
            "not a valid {what} (its preparation is not stable: a code point unassigned in \
             Unicode 3.2, which stringprep's profiles forbid in stored strings, RFC 3454 §7)"
        ));
    }
    Ok(j)
}

impl XmlValue for jid::Jid {
    const XSD_TYPE: &'static str = "xs:string";
    const EXAMPLE: Option<&'static str> = Some("juliet@capulet.example/balcony");
    fn from_xml(s: &str) -> Result<Self, String> {
        stable_jid(s, "JID", jid::Jid::new)
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.as_str())
    }
}

impl XmlValue for jid::BareJid {
    const EXAMPLE: Option<&'static str> = Some("juliet@capulet.example");
    fn from_xml(s: &str) -> Result<Self, String> {
        stable_jid(s, "bare JID", jid::BareJid::new)
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.as_str())
    }
}

impl XmlValue for jid::FullJid {
    const EXAMPLE: Option<&'static str> = Some("juliet@capulet.example/balcony");
    fn from_xml(s: &str) -> Result<Self, String> {
        stable_jid(s, "full JID", jid::FullJid::new)
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.as_str())
    }
}

/// Binary data carried as base64 (RFC 4648 §4, padding required; whitespace
/// inside the text is tolerated as XML line wrapping).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Base64(pub Vec<u8>);

impl XmlValue for Base64 {
    const XSD_TYPE: &'static str = "xs:base64Binary";
    fn from_xml(s: &str) -> Result<Self, String> {
        let compact: Cow<'_, str> = if s.bytes().any(|b| b.is_ascii_whitespace()) {
            Cow::Owned(s.chars().filter(|c| !c.is_ascii_whitespace()).collect())
        } else {
            Cow::Borrowed(s)
        };
        base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map(Base64)
            .map_err(|e| format!("not valid base64 ({e})"))
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Owned(base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

/// A XEP-0082 DateTime (`CCYY-MM-DDThh:mm:ss[.sss]TZD`), keeping the
/// fractional-second digits and zone notation it was written with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DateTime82 {
    /// The instant with its UTC offset.
    pub value: DateTime<FixedOffset>,
    /// Number of fractional-second digits written (0 for none).
    pub frac_digits: u8,
    /// Whether UTC was written as `Z` (rather than `+00:00`).
    pub zulu: bool,
}

impl DateTime82 {
    /// A UTC date/time written with `Z` and no fraction unless it has one
    /// (then milliseconds).
    pub fn utc(value: DateTime<chrono::Utc>) -> Self {
        let frac_digits = if value.timestamp_subsec_nanos() == 0 {
            0
        } else {
            3
        };
        DateTime82 {
            value: value.fixed_offset(),
            frac_digits,
            zulu: true,
        }
    }
}

fn parse_frac_and_zone(rest: &str) -> Result<(u32, u8, Option<i32>, bool), String> {
    // rest starts after seconds: [.digits](Z|(+|-)hh:mm)? ; returns nanos,
    // digit count, offset seconds (None if no zone), zulu.
    let mut nanos = 0u32;
    let mut digits = 0u8;
    let mut r = rest;
    if let Some(f) = r.strip_prefix('.') {
        let n = f.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return Err("a '.' must be followed by fractional-second digits".into());
        }
        if n > 9 {
            return Err("more than nine fractional-second digits".into());
        }
        let mut v: u32 = f[..n].parse().map_err(|_| "bad fraction")?;
        for _ in n..9 {
            v *= 10;
        }
        nanos = v;
        digits = n as u8;
        r = &f[n..];
    }
    if r.is_empty() {
        return Ok((nanos, digits, None, false));
    }
    if r == "Z" {
        return Ok((nanos, digits, Some(0), true));
    }
    let sign = match r.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return Err(format!("bad time zone '{r}' (expected Z or +hh:mm/-hh:mm)")),
    };
    let z = &r[1..];
    if z.len() != 5 || z.as_bytes()[2] != b':' {
        return Err(format!("bad time zone '{r}' (expected Z or +hh:mm/-hh:mm)"));
    }
    let hh: i32 = z[..2].parse().map_err(|_| format!("bad time zone '{r}'"))?;
    let mm: i32 = z[3..].parse().map_err(|_| format!("bad time zone '{r}'"))?;
    if hh > 14 || mm > 59 {
        return Err(format!("time zone '{r}' out of range"));
    }
    Ok((nanos, digits, Some(sign * (hh * 3600 + mm * 60)), false))
}

fn parse_hms(s: &str) -> Result<(NaiveTime, &str), String> {
    // Only ASCII is sliced below: a multi-byte character among the first
    // eight bytes is no time (found by the `forward` fuzz target).
    if s.len() < 8
        || !s.as_bytes()[..8].is_ascii()
        || s.as_bytes()[2] != b':'
        || s.as_bytes()[5] != b':'
    {
        return Err("expected hh:mm:ss".into());
    }
    let num = |a: &str| {
        if a.bytes().all(|b| b.is_ascii_digit()) {
            a.parse::<u32>()
                .map_err(|_| "expected hh:mm:ss".to_string())
        } else {
            Err("expected hh:mm:ss".to_string())
        }
    };
    let (h, m, sec) = (num(&s[..2])?, num(&s[3..5])?, num(&s[6..8])?);
    let t = NaiveTime::from_hms_opt(h, m, sec).ok_or("time out of range")?;
    Ok((t, &s[8..]))
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let b = s.as_bytes();
    if s.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !s
            .bytes()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return Err("expected CCYY-MM-DD".into());
    }
    let y: i32 = s[..4].parse().map_err(|_| "bad year")?;
    let m: u32 = s[5..7].parse().map_err(|_| "bad month")?;
    let d: u32 = s[8..].parse().map_err(|_| "bad day")?;
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| "date out of range".into())
}

fn write_frac(out: &mut String, nanos: u32, digits: u8) {
    if digits > 0 {
        let s = format!("{nanos:09}");
        out.push('.');
        out.push_str(&s[..digits as usize]);
    }
}

fn write_zone(out: &mut String, offset_secs: i32, zulu: bool) {
    use std::fmt::Write;
    if zulu && offset_secs == 0 {
        out.push('Z');
    } else {
        let sign = if offset_secs < 0 { '-' } else { '+' };
        let a = offset_secs.abs();
        let _ = write!(out, "{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60);
    }
}

impl XmlValue for DateTime82 {
    const XSD_TYPE: &'static str = "xs:dateTime";
    fn from_xml(s: &str) -> Result<Self, String> {
        let err = |e: String| format!("not a XEP-0082 DateTime ({e})");
        let (d, t) = s.split_once('T').ok_or_else(|| err("missing 'T'".into()))?;
        let date = parse_date(d).map_err(err)?;
        let (time, rest) = parse_hms(t).map_err(err)?;
        let (nanos, frac_digits, offset, zulu) = parse_frac_and_zone(rest).map_err(err)?;
        let offset = offset.ok_or_else(|| err("the time zone is required".into()))?;
        let tz = FixedOffset::east_opt(offset).ok_or_else(|| err("bad offset".into()))?;
        let naive = date
            .and_time(time)
            .with_nanosecond_checked(nanos)
            .ok_or_else(|| err("bad fraction".into()))?;
        let value = naive
            .and_local_timezone(tz)
            .single()
            .ok_or_else(|| err("not representable".into()))?;
        Ok(DateTime82 {
            value,
            frac_digits,
            zulu,
        })
    }
    fn to_xml(&self) -> Cow<'_, str> {
        use chrono::{Datelike, Timelike};
        let v = &self.value;
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            v.year(),
            v.month(),
            v.day(),
            v.hour(),
            v.minute(),
            v.second()
        );
        write_frac(&mut out, v.nanosecond(), self.frac_digits);
        write_zone(&mut out, v.offset().local_minus_utc(), self.zulu);
        Cow::Owned(out)
    }
}

trait WithNanos: Sized {
    fn with_nanosecond_checked(self, n: u32) -> Option<Self>;
}
impl WithNanos for chrono::NaiveDateTime {
    fn with_nanosecond_checked(self, n: u32) -> Option<Self> {
        use chrono::Timelike;
        self.with_nanosecond(n)
    }
}

/// A XEP-0082 Date (`CCYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Date82(pub NaiveDate);

impl XmlValue for Date82 {
    const XSD_TYPE: &'static str = "xs:date";
    fn from_xml(s: &str) -> Result<Self, String> {
        parse_date(s)
            .map(Date82)
            .map_err(|e| format!("not a XEP-0082 Date ({e})"))
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Owned(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A XEP-0082 Time (`hh:mm:ss[.sss][TZD]`), zone optional.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Time82 {
    /// The time of day.
    pub time: NaiveTime,
    /// Fractional-second digits written.
    pub frac_digits: u8,
    /// UTC offset in seconds, if a zone was given.
    pub offset: Option<i32>,
    /// Whether UTC was written as `Z`.
    pub zulu: bool,
}

impl XmlValue for Time82 {
    const XSD_TYPE: &'static str = "xs:time";
    fn from_xml(s: &str) -> Result<Self, String> {
        let err = |e: String| format!("not a XEP-0082 Time ({e})");
        let (t, rest) = parse_hms(s).map_err(err)?;
        let (nanos, frac_digits, offset, zulu) = parse_frac_and_zone(rest).map_err(err)?;
        use chrono::Timelike;
        let time = t
            .with_nanosecond(nanos)
            .ok_or_else(|| err("bad fraction".into()))?;
        Ok(Time82 {
            time,
            frac_digits,
            offset,
            zulu,
        })
    }
    fn to_xml(&self) -> Cow<'_, str> {
        use chrono::Timelike;
        let t = &self.time;
        let mut out = format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second());
        write_frac(&mut out, t.nanosecond(), self.frac_digits);
        if let Some(o) = self.offset {
            write_zone(&mut out, o, self.zulu);
        }
        Cow::Owned(out)
    }
}

/// Parses an attribute value, mapping the error to [`crate::Error`].
pub fn parse_attr<T: XmlValue>(name: &str, value: &str) -> Result<T, crate::Error> {
    T::from_xml(value).map_err(|reason| crate::Error::bad_attribute(name, value, reason))
}

/// Parses text content, mapping the error to [`crate::Error`].
pub fn parse_text<T: XmlValue>(value: &str) -> Result<T, crate::Error> {
    T::from_xml(value).map_err(|reason| crate::Error::bad_text(value, reason))
}

/// Parses an element's optional character data as a `T`: `None` when
/// there is none, and also when whitespace alone reads as a value that
/// writes as no text (an empty `xs:hexBinary`), since writing it back
/// would read as `None`: the round trip stays lossless. Text with other
/// characters is not written again to check (no allocation on the common
/// path). For the derive's `#[xml(text)]` on an `Option`.
pub fn parse_opt_text<T: XmlValue>(value: &str) -> Result<Option<T>, crate::Error> {
    if value.is_empty() {
        return Ok(None);
    }
    let v = parse_text::<T>(value)?;
    let blank = value
        .bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    Ok((!blank || !v.to_xml().is_empty()).then_some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_text_that_writes_as_nothing_reads_as_none() {
        // Base64 keeps its text as written; XsdBool never writes nothing.
        assert_eq!(parse_opt_text::<String>("").unwrap(), None);
        assert_eq!(parse_opt_text::<String>(" ").unwrap().as_deref(), Some(" "));
        assert_eq!(
            parse_opt_text::<XsdBool>(" true ").unwrap(),
            Some(XsdBool::new(true))
        );
        assert!(parse_opt_text::<XsdBool>(" ").is_err());
    }

    fn rt<T: XmlValue>(s: &str) -> String {
        T::from_xml(s).unwrap().to_xml().into_owned()
    }

    #[test]
    fn jids_whose_preparation_is_not_stable_are_refused() {
        // U+03F9 is unassigned in Unicode 3.2: nodeprep lets it through,
        // NFKC makes it an upper-case Σ, and preparing that again gives σ.
        let unstable = "\u{3f9}@capulet.example";
        let once = jid::Jid::new(unstable).unwrap();
        assert_ne!(jid::Jid::new(once.as_str()).unwrap(), once);
        for e in [
            jid::Jid::from_xml(unstable).unwrap_err(),
            jid::BareJid::from_xml(unstable).unwrap_err(),
            jid::FullJid::from_xml(&format!("{unstable}/balcony")).unwrap_err(),
        ] {
            assert!(e.contains("Unicode 3.2"), "{e}");
        }
        // Non-ASCII JIDs that prepare to a stable form are taken, as
        // prepared (resourceprep does no case folding, so the same code
        // point in a resource is stable once normalized).
        assert_eq!(
            rt::<jid::Jid>("σ@capulet.example/\u{3f9}"),
            "σ@capulet.example/Σ"
        );
        assert_eq!(rt::<jid::BareJid>("Σ@capulet.example"), "σ@capulet.example");
    }

    #[test]
    fn booleans_accept_all_four_forms_and_keep_them() {
        for s in ["true", "false", "1", "0"] {
            assert_eq!(rt::<XsdBool>(s), s);
        }
        assert!(XsdBool::from_xml("yes").is_err());
        assert!(bool::from_xml("1").unwrap());
    }

    #[test]
    fn datetimes_keep_fraction_and_zone_notation() {
        for s in [
            "1969-07-21T02:56:15Z",
            "1969-07-20T21:56:15-05:00",
            "2002-09-10T23:41:07.123Z",
            "2002-09-10T23:41:07.123456+02:00",
            "2002-09-10T23:41:07+00:00",
        ] {
            assert_eq!(rt::<DateTime82>(s), s);
        }
        for bad in [
            "1969-07-21 02:56:15Z",
            "1969-07-21T02:56:15",
            "1969-13-21T02:56:15Z",
            "1969-07-21T02:56:15.Z",
            "1969-07-21T25:56:15Z",
            "1969-07-21T02:56:15+5:00",
        ] {
            assert!(DateTime82::from_xml(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn non_ascii_in_a_time_is_an_error_not_a_panic() {
        assert!(DateTime82::from_xml("2010-07-10T23:08:2\u{425}").is_err());
        assert!(Time82::from_xml("23:08:2\u{425}").is_err());
        assert!(Time82::from_xml("2\u{e9}:08:22").is_err());
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(rt::<Date82>("1776-07-04"), "1776-07-04");
        assert!(Date82::from_xml("1776-7-4").is_err());
        assert_eq!(rt::<Time82>("16:00:00"), "16:00:00");
        assert_eq!(rt::<Time82>("16:00:00.5-06:00"), "16:00:00.5-06:00");
    }

    #[test]
    fn integers_and_base64() {
        assert_eq!(u32::from_xml(" +42 ").unwrap(), 42);
        assert!(u8::from_xml("256").is_err());
        assert!(u32::from_xml("+-1").is_err());
        assert_eq!(Base64::from_xml("aGVs\nbG8=").unwrap().0, b"hello");
        assert!(Base64::from_xml("aGVsbG8").is_err());
    }

    #[test]
    fn jids_are_validated() {
        assert!(jid::Jid::from_xml("juliet@capulet.lit/balcony").is_ok());
        let e = parse_attr::<jid::Jid>("to", "@").unwrap_err();
        assert!(e.to_string().contains("attribute 'to' has bad value '@'"));
    }
}
