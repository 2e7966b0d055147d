//! XEP-0428 fallback indication: which parts of a message's `<body/>`
//! and `<subject/>` are only there for clients that do not speak another
//! specification, so that clients that do can leave them out.

use std::fmt;

use xep_core::Message;
use xep_element::{Error, XmlElement};

use crate::counting::{RangeError, byte_range};

/// `urn:xmpp:fallback:0`.
pub const NS_FALLBACK: &str = "urn:xmpp:fallback:0";

/// `<fallback/>`: parts of the message are a fallback for the
/// specification `for` names (usually its namespace).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_FALLBACK, name = "fallback")]
pub struct Fallback {
    /// `for`: the specification the fallback stands in for.
    #[xml(attr(name = "for"))]
    pub for_: Option<String>,
    /// The fallback ranges of the `<subject/>`.
    #[xml(child)]
    pub subjects: Vec<SubjectRange>,
    /// The fallback ranges of the `<body/>`.
    #[xml(child)]
    pub bodies: Vec<BodyRange>,
}

/// `<body start='..' end='..'/>` in a `<fallback/>`: a range of the
/// message's body (XEP-0426 characters, end exclusive); without
/// `start` and `end`, the whole body.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS_FALLBACK, name = "body")]
pub struct BodyRange {
    /// `start`.
    #[xml(attr)]
    pub start: Option<u32>,
    /// `end`.
    #[xml(attr)]
    pub end: Option<u32>,
}

/// `<subject start='..' end='..'/>` in a `<fallback/>`: a range of the
/// message's subject, as [`BodyRange`] is of its body.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS_FALLBACK, name = "subject")]
pub struct SubjectRange {
    /// `start`.
    #[xml(attr)]
    pub start: Option<u32>,
    /// `end`.
    #[xml(attr)]
    pub end: Option<u32>,
}

/// A fallback range: `None` for the whole element.
pub type Span = Option<(u32, u32)>;

impl BodyRange {
    /// A range of characters `start..end`.
    pub fn new(start: u32, end: u32) -> BodyRange {
        BodyRange {
            start: Some(start),
            end: Some(end),
        }
    }

    /// The range, `None` for the whole body; one of `start` and `end`
    /// alone is an error (XEP-0428 gives them together).
    pub fn span(&self) -> Result<Span, FallbackError> {
        span(self.start, self.end)
    }
}

impl SubjectRange {
    /// The range, `None` for the whole subject (see [`BodyRange::span`]).
    pub fn span(&self) -> Result<Span, FallbackError> {
        span(self.start, self.end)
    }
}

fn span(start: Option<u32>, end: Option<u32>) -> Result<Span, FallbackError> {
    match (start, end) {
        (Some(s), Some(e)) => Ok(Some((s, e))),
        (None, None) => Ok(None),
        _ => Err(FallbackError::HalfRange { start, end }),
    }
}

/// Why the fallback of a message could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FallbackError {
    /// A `<fallback/>` of the message does not parse.
    Malformed(Error),
    /// A range has `start` or `end`, not both.
    HalfRange {
        /// `start`.
        start: Option<u32>,
        /// `end`.
        end: Option<u32>,
    },
    /// A range does not fit the text it marks.
    Range(RangeError),
}

impl fmt::Display for FallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FallbackError::Malformed(e) => write!(f, "malformed fallback: {e}"),
            FallbackError::HalfRange { start, end } => write!(
                f,
                "a fallback range needs both start and end (start {start:?}, end {end:?})"
            ),
            FallbackError::Range(e) => write!(f, "fallback range: {e}"),
        }
    }
}

impl std::error::Error for FallbackError {}

/// The `<fallback/>`s of `message` for the specification `for_` (every
/// one when `None`).
pub fn fallbacks(message: &Message, for_: Option<&str>) -> Result<Vec<Fallback>, FallbackError> {
    let mut out = Vec::new();
    for p in &message.payloads {
        if let Some(f) = p.get::<Fallback>() {
            let f = f.map_err(FallbackError::Malformed)?;
            if for_.is_none() || f.for_.as_deref() == for_ {
                out.push(f);
            }
        }
    }
    Ok(out)
}

/// `text` without the spans (XEP-0426 offsets; overlapping spans
/// merge): what a client that understands the specification shows.
/// `None` when a span covers the whole text, or when `spans` holds `None`
/// (the whole element).
pub fn strip(text: &str, spans: &[Span]) -> Result<Option<String>, FallbackError> {
    let mut ranges = Vec::with_capacity(spans.len());
    for s in spans {
        match s {
            None => return Ok(None),
            Some((start, end)) => {
                ranges.push(byte_range(text, *start, *end).map_err(FallbackError::Range)?)
            }
        }
    }
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        if r.start > at {
            out.push_str(&text[at..r.start]);
        }
        at = at.max(r.end);
    }
    out.push_str(&text[at..]);
    if out.is_empty() && !text.is_empty() {
        return Ok(None);
    }
    Ok(Some(out))
}

/// The body of `message` in `lang` without what is a fallback for the
/// specification `for_` (XEP-0428 §2): `Ok(None)` when the message has
/// no such body or all of it is fallback. A `<fallback/>` without
/// children makes every body and subject a fallback.
pub fn body_without_fallback(
    message: &Message,
    for_: &str,
    lang: Option<&str>,
) -> Result<Option<String>, FallbackError> {
    let Some(body) = message.body(lang) else {
        return Ok(None);
    };
    let mut spans = Vec::new();
    for f in fallbacks(message, Some(for_))? {
        if f.bodies.is_empty() && f.subjects.is_empty() {
            return Ok(None);
        }
        for b in &f.bodies {
            spans.push(b.span()?);
        }
    }
    strip(body, &spans)
}
