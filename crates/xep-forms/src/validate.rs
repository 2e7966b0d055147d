//! Validation of a submitted form against its definition (XEP-0004 §3.3,
//! XEP-0068 `FORM_TYPE`, XEP-0122 datatypes, ranges and list ranges).
//!
//! The definition's field types govern (a submission may omit them).
//! Fields of the submission that the definition does not have are not
//! errors: XEP-0004 leaves them to the form processor. XEP-0122 regular
//! expressions are not evaluated (there is no XML Schema regex engine in
//! this crate's dependencies); every other rule is.

use std::fmt;

use xep_element::jid::Jid;
use xep_element::{Date82, DateTime82, Time82, XmlValue, XsdBool};

use crate::{DataForm, Field, FieldType, FormType, Method, Validate};

/// One way a submitted form breaks its definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationError {
    /// The submission is not of type `submit`.
    NotASubmission(FormType),
    /// The `FORM_TYPE` differs from the definition's.
    FormTypeMismatch {
        /// The definition's `FORM_TYPE`.
        expected: String,
        /// The submission's, if any.
        found: Option<String>,
    },
    /// A required field is absent or has no non-empty value.
    MissingRequired {
        /// The field.
        var: String,
    },
    /// A single-value field has several values.
    TooManyValues {
        /// The field.
        var: String,
        /// Its type.
        type_: FieldType,
        /// How many values were given.
        count: usize,
    },
    /// A value of a list field is not among its options (and the list is
    /// not open, XEP-0122 `<open/>`).
    NotAnOption {
        /// The field.
        var: String,
        /// The value.
        value: String,
    },
    /// A value of a `jid-*` field is not a JID.
    InvalidJid {
        /// The field.
        var: String,
        /// The value.
        value: String,
    },
    /// A value of a `boolean` field is not `0`, `1`, `false` or `true`.
    InvalidBoolean {
        /// The field.
        var: String,
        /// The value.
        value: String,
    },
    /// A value is not in the lexical space of the XEP-0122 datatype.
    InvalidDatatype {
        /// The field.
        var: String,
        /// The value.
        value: String,
        /// The datatype (`xs:integer`, ...).
        datatype: String,
    },
    /// A value lies outside the XEP-0122 `<range/>`.
    OutOfRange {
        /// The field.
        var: String,
        /// The value.
        value: String,
        /// The lower bound, if any.
        min: Option<String>,
        /// The upper bound, if any.
        max: Option<String>,
    },
    /// The number of values lies outside the XEP-0122 `<list-range/>`.
    ValueCount {
        /// The field.
        var: String,
        /// How many values were given.
        count: usize,
        /// The lower bound, if any.
        min: Option<u32>,
        /// The upper bound, if any.
        max: Option<u32>,
    },
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ValidationError::*;
        match self {
            NotASubmission(t) => write!(f, "the form is of type '{}', not 'submit'", t.to_xml()),
            FormTypeMismatch { expected, found } => write!(
                f,
                "FORM_TYPE is '{}', expected '{expected}'",
                found.as_deref().unwrap_or("(none)")
            ),
            MissingRequired { var } => write!(f, "field '{var}': required but not filled in"),
            TooManyValues { var, type_, count } => write!(
                f,
                "field '{var}': a {} field takes one value, found {count}",
                type_.to_xml()
            ),
            NotAnOption { var, value } => {
                write!(f, "field '{var}': '{value}' is not one of the options")
            }
            InvalidJid { var, value } => write!(f, "field '{var}': '{value}' is not a JID"),
            InvalidBoolean { var, value } => write!(
                f,
                "field '{var}': '{value}' is not a boolean (0, 1, false or true)"
            ),
            InvalidDatatype {
                var,
                value,
                datatype,
            } => write!(f, "field '{var}': '{value}' is not a valid {datatype}"),
            OutOfRange {
                var,
                value,
                min,
                max,
            } => write!(
                f,
                "field '{var}': '{value}' is outside the range [{}, {}]",
                min.as_deref().unwrap_or(""),
                max.as_deref().unwrap_or("")
            ),
            ValueCount {
                var,
                count,
                min,
                max,
            } => write!(
                f,
                "field '{var}': {count} values, the list range is [{}, {}]",
                min.map(|m| m.to_string()).unwrap_or_default(),
                max.map(|m| m.to_string()).unwrap_or_default()
            ),
        }
    }
}

impl std::error::Error for ValidationError {}

/// Checks `submitted` against the form `definition` it answers; returns
/// every problem found (an empty list is success).
pub fn validate_submission(definition: &DataForm, submitted: &DataForm) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    if submitted.type_ != FormType::Submit {
        errors.push(ValidationError::NotASubmission(submitted.type_));
    }
    if let Some(expected) = definition.form_type()
        && submitted.form_type() != Some(expected)
    {
        errors.push(ValidationError::FormTypeMismatch {
            expected: expected.to_string(),
            found: submitted.form_type().map(str::to_string),
        });
    }
    for def in &definition.fields {
        let Some(var) = def.var.as_deref() else {
            continue;
        };
        let type_ = def.effective_type();
        if matches!(type_, FieldType::Fixed) || var == crate::FORM_TYPE {
            continue;
        }
        let values: &[String] = submitted
            .field(var)
            .map(|f| f.values.as_slice())
            .unwrap_or(&[]);
        if def.required && values.iter().all(|v| v.is_empty()) {
            errors.push(ValidationError::MissingRequired { var: var.into() });
            continue;
        }
        check_values(def, var, type_, values, &mut errors);
    }
    errors
}

/// Checks the values of one field against its definition `def`.
fn check_values(
    def: &Field,
    var: &str,
    type_: FieldType,
    values: &[String],
    errors: &mut Vec<ValidationError>,
) {
    if type_.is_single() && values.len() > 1 {
        errors.push(ValidationError::TooManyValues {
            var: var.into(),
            type_,
            count: values.len(),
        });
    }
    let open = matches!(
        def.validate,
        Some(Validate {
            method: Some(Method::Open),
            ..
        })
    );
    for v in values {
        match type_ {
            FieldType::Boolean if XsdBool::from_xml(v).is_err() => {
                errors.push(ValidationError::InvalidBoolean {
                    var: var.into(),
                    value: v.clone(),
                });
            }
            FieldType::JidSingle | FieldType::JidMulti if v.parse::<Jid>().is_err() => {
                errors.push(ValidationError::InvalidJid {
                    var: var.into(),
                    value: v.clone(),
                });
            }
            FieldType::ListSingle | FieldType::ListMulti
                if !open && !def.options.iter().any(|o| &o.value == v) =>
            {
                errors.push(ValidationError::NotAnOption {
                    var: var.into(),
                    value: v.clone(),
                });
            }
            _ => {}
        }
    }
    if let Some(val) = &def.validate {
        check_xep0122(val, var, values, errors);
    }
}

/// XEP-0122 §3: datatype, range and list-range.
fn check_xep0122(val: &Validate, var: &str, values: &[String], errors: &mut Vec<ValidationError>) {
    let datatype = val.datatype.as_deref().unwrap_or("xs:string");
    for v in values {
        let Some(parsed) = Datum::parse(datatype, v) else {
            errors.push(ValidationError::InvalidDatatype {
                var: var.into(),
                value: v.clone(),
                datatype: datatype.into(),
            });
            continue;
        };
        if let Some(Method::Range(r)) = &val.method {
            let bound = |b: &Option<String>| b.as_deref().and_then(|b| Datum::parse(datatype, b));
            let below = bound(&r.min).is_some_and(|m| parsed.lt(&m));
            let above = bound(&r.max).is_some_and(|m| m.lt(&parsed));
            if below || above {
                errors.push(ValidationError::OutOfRange {
                    var: var.into(),
                    value: v.clone(),
                    min: r.min.clone(),
                    max: r.max.clone(),
                });
            }
        }
    }
    if let Some(lr) = &val.list_range {
        let n = values.len();
        if lr.min.is_some_and(|m| n < m as usize) || lr.max.is_some_and(|m| n > m as usize) {
            errors.push(ValidationError::ValueCount {
                var: var.into(),
                count: n,
                min: lr.min,
                max: lr.max,
            });
        }
    }
}

/// A value in the value space of a XEP-0122 datatype, for range checks.
#[derive(Debug, PartialEq, PartialOrd)]
enum Datum {
    Int(i128),
    Float(f64),
    Instant(chrono::DateTime<chrono::FixedOffset>),
    Date(chrono::NaiveDate),
    Time(chrono::NaiveTime),
    /// Datatypes without an order we check (strings, URIs, languages,
    /// unknown `x:` types).
    Unordered,
}

impl Datum {
    /// Parses `v` as `datatype`; `None` when it is not in its lexical
    /// space. Unknown datatypes accept everything.
    fn parse(datatype: &str, v: &str) -> Option<Datum> {
        let int = |lo: i128, hi: i128| {
            let t = v.trim();
            let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let n: i128 = t.parse().ok()?;
            (lo..=hi).contains(&n).then_some(Datum::Int(n))
        };
        match datatype {
            "xs:byte" => int(i8::MIN.into(), i8::MAX.into()),
            "xs:short" => int(i16::MIN.into(), i16::MAX.into()),
            "xs:int" => int(i32::MIN.into(), i32::MAX.into()),
            "xs:long" => int(i64::MIN.into(), i64::MAX.into()),
            "xs:integer" => int(i128::MIN, i128::MAX),
            "xs:decimal" => {
                let t = v.trim();
                let body = t.strip_prefix(['+', '-']).unwrap_or(t);
                let ok = !body.is_empty()
                    && body != "."
                    && body.bytes().filter(|&b| b == b'.').count() <= 1
                    && body.bytes().all(|b| b.is_ascii_digit() || b == b'.');
                ok.then(|| t.parse().ok().map(Datum::Float)).flatten()
            }
            "xs:double" => match v.trim() {
                "INF" => Some(Datum::Float(f64::INFINITY)),
                "-INF" => Some(Datum::Float(f64::NEG_INFINITY)),
                "NaN" => Some(Datum::Unordered),
                t if t
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) =>
                {
                    t.parse().ok().map(Datum::Float)
                }
                _ => None,
            },
            "xs:dateTime" => DateTime82::from_xml(v.trim())
                .ok()
                .map(|d| Datum::Instant(d.value)),
            "xs:date" => Date82::from_xml(v.trim()).ok().map(|d| Datum::Date(d.0)),
            "xs:time" => Time82::from_xml(v.trim()).ok().map(|t| Datum::Time(t.time)),
            "xs:boolean" => XsdBool::from_xml(v).ok().map(|_| Datum::Unordered),
            "xs:language" => {
                let mut parts = v.split('-');
                let first = parts.next()?;
                let ok = (1..=8).contains(&first.len())
                    && first.bytes().all(|b| b.is_ascii_alphabetic())
                    && parts.all(|p| {
                        (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())
                    });
                ok.then_some(Datum::Unordered)
            }
            "xs:anyURI" => (!v.trim().is_empty() || v.is_empty()).then_some(Datum::Unordered),
            _ => Some(Datum::Unordered),
        }
    }

    fn lt(&self, other: &Datum) -> bool {
        matches!(self.partial_cmp(other), Some(std::cmp::Ordering::Less))
    }
}
