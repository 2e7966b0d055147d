//! The query form of XEP-0313 §4.1.

use std::fmt;

use xep_element::jid::Jid;
use xep_element::{DateTime82, XmlValue};
use xep_forms::{DataForm, Field, FieldType, FormType};

use crate::NS;

/// What a query asks for: the fields of XEP-0313 §4.1, each optional (no
/// filter at all matches every message). `before_id`, `after_id` and
/// `ids` need the archive's `urn:xmpp:mam:2#extended` feature,
/// `include_groupchat` its `#groupchat-field` feature.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    /// Only messages to or from this JID (a bare JID also matches its
    /// full JIDs).
    pub with: Option<Jid>,
    /// Only messages archived at or after this time.
    pub start: Option<DateTime82>,
    /// Only messages archived at or before this time.
    pub end: Option<DateTime82>,
    /// Only messages before this archive id.
    pub before_id: Option<String>,
    /// Only messages after this archive id.
    pub after_id: Option<String>,
    /// Exactly these messages, by archive id.
    pub ids: Vec<String>,
    /// Whether group chat messages are included in a user archive.
    pub include_groupchat: Option<bool>,
}

/// Why a query form was not accepted as a [`Filter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterError {
    /// The form's FORM_TYPE is not `urn:xmpp:mam:2`, or it is not a
    /// submitted form.
    NotAQuery,
    /// A field this crate does not know: §4.1.6 has the server answer
    /// `feature-not-implemented`.
    UnknownField(String),
    /// A known field with a value it cannot hold (a bad JID, time or
    /// boolean, or several values in a single-valued field).
    BadValue {
        /// The field.
        var: String,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::NotAQuery => {
                f.write_str("not a submitted form of FORM_TYPE urn:xmpp:mam:2")
            }
            FilterError::UnknownField(v) => write!(
                f,
                "field '{v}' is not supported (XEP-0313 §4.1.6: feature-not-implemented)"
            ),
            FilterError::BadValue { var, reason } => write!(f, "field '{var}': {reason}"),
        }
    }
}

impl std::error::Error for FilterError {}

impl Filter {
    /// Whether the filter is empty (every message matches): a query then
    /// needs no form.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether the filter uses a field of the extended feature.
    pub fn needs_extended(&self) -> bool {
        self.before_id.is_some() || self.after_id.is_some() || !self.ids.is_empty()
    }

    /// The submitted form: FORM_TYPE, then each field set, with the types
    /// §4.1.6 requires (`with` jid-single, `start`/`end` text-single,
    /// `ids` list-multi, `include-groupchat` boolean).
    pub fn to_form(&self) -> DataForm {
        let mut form = DataForm::new(FormType::Submit);
        let mut push = |var: &str, type_: Option<FieldType>, values: Vec<String>| {
            form.fields.push(Field::new(var, type_, values));
        };
        push("FORM_TYPE", Some(FieldType::Hidden), vec![NS.to_string()]);
        if let Some(j) = &self.with {
            push("with", Some(FieldType::JidSingle), vec![j.to_string()]);
        }
        if let Some(t) = &self.start {
            push("start", None, vec![t.to_xml().into_owned()]);
        }
        if let Some(t) = &self.end {
            push("end", None, vec![t.to_xml().into_owned()]);
        }
        if let Some(id) = &self.before_id {
            push("before-id", None, vec![id.clone()]);
        }
        if let Some(id) = &self.after_id {
            push("after-id", None, vec![id.clone()]);
        }
        if !self.ids.is_empty() {
            push("ids", Some(FieldType::ListMulti), self.ids.clone());
        }
        if let Some(b) = self.include_groupchat {
            push(
                "include-groupchat",
                Some(FieldType::Boolean),
                vec![b.to_string()],
            );
        }
        form
    }

    /// Reads a submitted query form, as an archive does. Empty fields are
    /// as absent; any field but those of §4.1 is [`FilterError::UnknownField`].
    pub fn from_form(form: &DataForm) -> Result<Filter, FilterError> {
        if form.type_ != FormType::Submit || form.form_type() != Some(NS) {
            return Err(FilterError::NotAQuery);
        }
        let mut filter = Filter::default();
        for field in &form.fields {
            let Some(var) = field.var.as_deref() else {
                continue;
            };
            let bad = |reason: String| FilterError::BadValue {
                var: var.to_string(),
                reason,
            };
            let single = || -> Result<Option<&str>, FilterError> {
                match field.values.as_slice() {
                    [] => Ok(None),
                    [v] if v.is_empty() => Ok(None),
                    [v] => Ok(Some(v.as_str())),
                    _ => Err(bad("more than one value in a single-valued field".into())),
                }
            };
            let time = |v: &str| {
                DateTime82::from_xml(v).map_err(|e| bad(format!("not a XEP-0082 DateTime: {e}")))
            };
            match var {
                "FORM_TYPE" => {}
                "with" => {
                    filter.with = single()?
                        .map(|v| v.parse::<Jid>().map_err(|e| bad(format!("not a JID: {e}"))))
                        .transpose()?;
                }
                "start" => filter.start = single()?.map(time).transpose()?,
                "end" => filter.end = single()?.map(time).transpose()?,
                "before-id" => filter.before_id = single()?.map(str::to_string),
                "after-id" => filter.after_id = single()?.map(str::to_string),
                "ids" => filter.ids = field.values.clone(),
                "include-groupchat" => {
                    filter.include_groupchat = single()?
                        .map(|v| {
                            xep_element::XsdBool::from_xml(v)
                                .map(bool::from)
                                .map_err(|e| bad(format!("not a boolean: {e}")))
                        })
                        .transpose()?;
                }
                other => return Err(FilterError::UnknownField(other.to_string())),
            }
        }
        Ok(filter)
    }
}
