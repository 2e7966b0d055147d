//! Validation of a submitted form against its definition (XEP-0004 §3.3,
//! XEP-0068 `FORM_TYPE`, XEP-0122 datatypes, methods and list ranges), and
//! the structural rules of a single form ([`DataForm::check`]).

use std::fmt;

use xep_element::jid::Jid;
use xep_element::{Date82, DateTime82, Time82, XmlValue, XsdBool};

use crate::ere::{Pattern, PatternError};
use crate::{DataForm, Field, FieldType, FormType, Method, Validate};

/// One way a form breaks the rules, or a submission its definition. Each
/// names the field (`var`) where there is one; [`fmt::Display`] gives a
/// readable sentence.
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
    /// The submission gives a field a type other than the definition's.
    TypeMismatch {
        /// The field.
        var: String,
        /// The definition's type.
        expected: FieldType,
        /// The submission's.
        found: FieldType,
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
    /// A value does not match the XEP-0122 `<regex/>`.
    NoMatch {
        /// The field.
        var: String,
        /// The value.
        value: String,
        /// The pattern.
        pattern: String,
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
    /// A field other than `fixed` has no `var` (XEP-0004 §3.2); `index`
    /// counts the form's fields from 0.
    MissingVar {
        /// Position of the field.
        index: usize,
    },
    /// Two fields share a `var` (XEP-0004 §3.2: it "uniquely identifies
    /// the field").
    DuplicateVar {
        /// The field.
        var: String,
    },
    /// A field that is not `list-*` has `<option/>`s (XEP-0004 §3.2).
    OptionsOnNonList {
        /// The field.
        var: String,
    },
    /// Two options of a field share a value or a label (XEP-0004 §3.3).
    DuplicateOption {
        /// The field.
        var: String,
        /// The repeated value or label.
        option: String,
    },
    /// A `cancel` form carries fields (XEP-0004 §3.2: it SHOULD NOT),
    /// other than the `FORM_TYPE` that gives its context.
    FieldsInCancel,
    /// A multi-item result also has top-level fields (XEP-0004 §3.4: it
    /// MUST NOT), or `<item/>`s without `<reported/>`.
    MixedResult,
    /// An `<item/>` has a field that `<reported/>` does not define.
    UnreportedField {
        /// The field.
        var: String,
    },
    /// The `FORM_TYPE` field breaks XEP-0068 (not hidden, or not exactly
    /// one value).
    BadFormType {
        /// Why.
        reason: String,
    },
    /// A XEP-0122 rule of a definition that is itself wrong: a `<range/>`
    /// on `xs:string` (§3.2.3 forbids it) or a bound outside the datatype.
    BadRule {
        /// The field.
        var: String,
        /// Why.
        reason: String,
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
            TypeMismatch {
                var,
                expected,
                found,
            } => write!(
                f,
                "field '{var}': submitted as {}, the form defines {}",
                found.to_xml(),
                expected.to_xml()
            ),
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
            NoMatch {
                var,
                value,
                pattern,
            } => write!(
                f,
                "field '{var}': '{value}' does not match the pattern '{pattern}'"
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
            MissingVar { index } => write!(
                f,
                "field #{}: a field that is not 'fixed' needs a 'var'",
                index + 1
            ),
            DuplicateVar { var } => write!(f, "field '{var}': defined more than once"),
            OptionsOnNonList { var } => write!(
                f,
                "field '{var}': only list-single and list-multi fields have options"
            ),
            DuplicateOption { var, option } => {
                write!(f, "field '{var}': option '{option}' appears twice")
            }
            FieldsInCancel => write!(f, "a cancel form carries fields"),
            MixedResult => write!(
                f,
                "a multi-item result has top-level fields or items without <reported/>"
            ),
            UnreportedField { var } => write!(
                f,
                "field '{var}': in an <item/> but not defined by <reported/>"
            ),
            BadFormType { reason } => write!(f, "field 'FORM_TYPE': {reason}"),
            BadRule { var, reason } => write!(f, "field '{var}': {reason}"),
        }
    }
}

impl std::error::Error for ValidationError {}

fn result(errors: Vec<ValidationError>) -> Result<(), Vec<ValidationError>> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks `submitted` against the form `definition` it answers; on
/// failure, every problem found, in the definition's field order.
///
/// Validation of a submitted form against its definition (XEP-0004 §3.3,
/// XEP-0068 `FORM_TYPE`, XEP-0122 datatypes, methods and list ranges), and
/// the structural rules of a single form ([`DataForm::check`]).
///
/// The definition's field types govern (a submission may omit them).
/// Fields of the submission that the definition does not have are not
/// errors: XEP-0004 §3.1 has the form processor ignore them.
///
/// XEP-0122 rules applied: the datatype (`xs:string` when absent or not
/// understood, §5) for `xs:anyURI`, `xs:boolean`, `xs:byte`, `xs:date`,
/// `xs:dateTime`, `xs:decimal`, `xs:double`, `xs:int`, `xs:integer`,
/// `xs:language`, `xs:long`, `xs:short`, `xs:string` and `xs:time`;
/// `<open/>` (and any method other than `<basic/>` on a list field, which
/// §3.2 says implies it) lets list values lie outside the options;
/// `<range/>` bounds in the datatype's order; `<regex/>` through the
/// POSIX-ERE subset of [`Pattern`] (a pattern outside that subset leaves
/// the rule unchecked: [`unchecked_rules`] lists them); `<list-range/>` on
/// `list-multi` fields (§3.3: ignored on others). Unknown methods count as
/// `<basic/>`.
pub fn validate_submission(
    definition: &DataForm,
    submitted: &DataForm,
) -> Result<(), Vec<ValidationError>> {
    let mut errors = Vec::new();
    if submitted.type_ != FormType::Submit {
        errors.push(ValidationError::NotASubmission(submitted.type_));
    }
    if let Some(expected) = definition.form_type()
        && submitted.form_type() != Some(expected)
    {
        errors.push(ValidationError::FormTypeMismatch {
            expected: expected.to_string(),
            found: submitted.form_type_lenient().map(str::to_string),
        });
    }
    for def in &definition.fields {
        let Some(var) = def.var.as_deref() else {
            continue;
        };
        let type_ = def.effective_type();
        if type_ == FieldType::Fixed || var == crate::FORM_TYPE {
            continue;
        }
        let sub = submitted.field(var);
        if let Some(found) = sub.and_then(|f| f.type_.clone())
            && found != type_
            && def.type_.is_some()
        {
            errors.push(ValidationError::TypeMismatch {
                var: var.into(),
                expected: type_.clone(),
                found,
            });
        }
        let values: &[String] = sub.map(|f| f.values.as_slice()).unwrap_or(&[]);
        if def.required && values.iter().all(|v| v.is_empty()) {
            errors.push(ValidationError::MissingRequired { var: var.into() });
            continue;
        }
        check_values(def, var, type_, values, &mut errors);
    }
    result(errors)
}

/// The XEP-0122 rules of `definition` that validation cannot check: the
/// fields whose `<regex/>` lies outside the subset [`Pattern`] reads,
/// with the reason.
pub fn unchecked_rules(definition: &DataForm) -> Vec<(String, PatternError)> {
    definition
        .fields
        .iter()
        .filter_map(|f| match f.validate.as_ref()?.method.as_ref()? {
            Method::Regex(r) => Some((f.var.clone()?, Pattern::parse(&r.pattern).err()?)),
            _ => None,
        })
        .collect()
}

/// Whether a list field accepts values outside its options: XEP-0122
/// `<open/>`, or any method but `<basic/>` (§3.2).
fn is_open(def: &Field) -> bool {
    matches!(
        def.validate,
        Some(Validate {
            method: Some(Method::Open | Method::Range(_) | Method::Regex(_)),
            ..
        })
    )
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
            type_: type_.clone(),
            count: values.len(),
        });
    }
    let open = is_open(def);
    for v in values {
        let e = |value: &String| (var.to_string(), value.clone());
        match type_ {
            FieldType::Boolean if XsdBool::from_xml(v).is_err() => {
                let (var, value) = e(v);
                errors.push(ValidationError::InvalidBoolean { var, value });
            }
            FieldType::JidSingle | FieldType::JidMulti if v.parse::<Jid>().is_err() => {
                let (var, value) = e(v);
                errors.push(ValidationError::InvalidJid { var, value });
            }
            FieldType::ListSingle | FieldType::ListMulti
                if !open && !def.options.iter().any(|o| &o.value == v) =>
            {
                let (var, value) = e(v);
                errors.push(ValidationError::NotAnOption { var, value });
            }
            _ => {}
        }
    }
    if let Some(val) = &def.validate {
        check_xep0122(val, var, &type_, values, errors);
    }
}

/// XEP-0122 §3: datatype, range, regex and list-range.
fn check_xep0122(
    val: &Validate,
    var: &str,
    type_: &FieldType,
    values: &[String],
    errors: &mut Vec<ValidationError>,
) {
    let datatype = val.datatype.as_deref().unwrap_or("xs:string");
    let pattern = match &val.method {
        Some(Method::Regex(r)) => Pattern::parse(&r.pattern).ok().map(|p| (p, &r.pattern)),
        _ => None,
    };
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
        if let Some((p, source)) = &pattern
            && p.is_match(v) == Some(false)
        {
            errors.push(ValidationError::NoMatch {
                var: var.into(),
                value: v.clone(),
                pattern: source.to_string(),
            });
        }
    }
    if let Some(lr) = &val.list_range
        && *type_ == FieldType::ListMulti
    {
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

impl DataForm {
    /// Checks the structural rules of XEP-0004 (and XEP-0068) that the
    /// parser leaves to the application, for a form of any type: every
    /// non-`fixed` field has a `var`, and no two share one; options only on
    /// list fields, unique by value and by label; no more than one value in
    /// a single-value field of known type; no fields in a `cancel`; a
    /// multi-item result has no top-level fields but `FORM_TYPE`, and its
    /// items only reported fields; the `FORM_TYPE` field is hidden with one
    /// value; XEP-0122 rules are well-formed (no `<range/>` on `xs:string`,
    /// bounds in the datatype). On failure, every problem found.
    pub fn check(&self) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        if let Err(e) = self.check_form_type() {
            let reason = e.to_string();
            let reason = reason
                .split_once("field 'FORM_TYPE': ")
                .map_or(reason.as_str(), |(_, r)| r)
                .to_string();
            errors.push(ValidationError::BadFormType { reason });
        }
        if self.type_ == FormType::Cancel
            && self
                .fields
                .iter()
                .any(|f| f.var.as_deref() != Some(crate::FORM_TYPE))
        {
            errors.push(ValidationError::FieldsInCancel);
        }
        let multi = self.reported.is_some() || !self.items.is_empty();
        if multi
            && (self.reported.is_none()
                || self
                    .fields
                    .iter()
                    .any(|f| f.var.as_deref() != Some(crate::FORM_TYPE)))
        {
            errors.push(ValidationError::MixedResult);
        }
        check_fields(&self.fields, &mut errors);
        if let Some(r) = &self.reported {
            check_fields(&r.fields, &mut errors);
            for item in &self.items {
                for f in &item.fields {
                    let Some(var) = &f.var else { continue };
                    if !r.fields.iter().any(|c| c.var.as_ref() == Some(var)) {
                        errors.push(ValidationError::UnreportedField { var: var.clone() });
                    }
                }
            }
        }
        result(errors)
    }
}

fn check_fields(fields: &[Field], errors: &mut Vec<ValidationError>) {
    let mut seen = std::collections::HashSet::new();
    for (index, f) in fields.iter().enumerate() {
        let type_ = f.effective_type();
        let Some(var) = f.var.as_deref() else {
            if type_ != FieldType::Fixed {
                errors.push(ValidationError::MissingVar { index });
            }
            continue;
        };
        if !seen.insert(var) {
            errors.push(ValidationError::DuplicateVar { var: var.into() });
        }
        if f.type_.is_some() && type_.is_single() && f.values.len() > 1 {
            errors.push(ValidationError::TooManyValues {
                var: var.into(),
                type_: type_.clone(),
                count: f.values.len(),
            });
        }
        if !f.options.is_empty() && !type_.is_list() {
            errors.push(ValidationError::OptionsOnNonList { var: var.into() });
        }
        let mut values = std::collections::HashSet::new();
        let mut labels = std::collections::HashSet::new();
        for o in &f.options {
            let dup_label = o.label.as_deref().is_some_and(|l| !labels.insert(l));
            if !values.insert(o.value.as_str()) || dup_label {
                let option = if dup_label {
                    o.label.clone().unwrap_or_default()
                } else {
                    o.value.clone()
                };
                errors.push(ValidationError::DuplicateOption {
                    var: var.into(),
                    option,
                });
            }
        }
        if let Some(v) = &f.validate {
            check_rule(var, v, errors);
        }
    }
}

/// XEP-0122 rules that a definition itself must keep.
fn check_rule(var: &str, v: &Validate, errors: &mut Vec<ValidationError>) {
    let datatype = v.datatype.as_deref().unwrap_or("xs:string");
    let Some(Method::Range(r)) = &v.method else {
        return;
    };
    let bad = |reason: String| ValidationError::BadRule {
        var: var.into(),
        reason,
    };
    if datatype == "xs:string" {
        errors.push(bad(
            "a <range/> on xs:string (XEP-0122 §3.2.3 forbids it)".into()
        ));
        return;
    }
    for b in [&r.min, &r.max].into_iter().flatten() {
        if Datum::parse(datatype, b).is_none() {
            errors.push(bad(format!("range bound '{b}' is not a valid {datatype}")));
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
