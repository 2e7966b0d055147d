//! Typed access to field values (XEP-0004 §3.3) and builders.

use xep_element::jid::Jid;
use xep_element::{Error, XmlValue, XsdBool};

use crate::{DataForm, Field, FieldOption, FieldType, FormType};

/// The value(s) of a field, typed by its field type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// `boolean`: absent value means `false` (XEP-0004 §3.3).
    Boolean(bool),
    /// `fixed`: text for display, one line per value.
    Fixed(Vec<String>),
    /// `hidden`: returned unchanged.
    Hidden(Vec<String>),
    /// `jid-multi`.
    JidMulti(Vec<Jid>),
    /// `jid-single` (`None` when no value is given).
    JidSingle(Option<Jid>),
    /// `list-multi`: the chosen values.
    ListMulti(Vec<String>),
    /// `list-single`: the chosen value.
    ListSingle(Option<String>),
    /// `text-multi`: one line per value.
    TextMulti(Vec<String>),
    /// `text-private`.
    TextPrivate(Option<String>),
    /// `text-single`.
    TextSingle(Option<String>),
}

impl FieldType {
    /// Whether the type takes at most one value.
    pub fn is_single(self) -> bool {
        matches!(
            self,
            FieldType::Boolean
                | FieldType::JidSingle
                | FieldType::ListSingle
                | FieldType::TextPrivate
                | FieldType::TextSingle
        )
    }

    /// Whether the values must be among the field's options.
    pub fn is_list(self) -> bool {
        matches!(self, FieldType::ListMulti | FieldType::ListSingle)
    }
}

fn field_error(var: Option<&str>, reason: String) -> Error {
    Error::invalid(format!("field '{}': {reason}", var.unwrap_or("")))
        .within("field")
        .within("x")
}

impl Field {
    /// The values typed by the field's type ([`Field::effective_type`]).
    ///
    /// Fails, with the path `x/field` and the field's name, when a
    /// single-value type has several values, a boolean is not one of
    /// `0/1/false/true`, or a JID is malformed.
    pub fn typed(&self) -> Result<FieldValue, Error> {
        self.typed_as(self.effective_type())
    }

    /// The values typed as `type_` (for submitted forms, which often omit
    /// the type: use the type of the form definition).
    pub fn typed_as(&self, type_: FieldType) -> Result<FieldValue, Error> {
        let var = self.var.as_deref();
        if type_.is_single() && self.values.len() > 1 {
            return Err(field_error(
                var,
                format!(
                    "a {} field takes one value, found {}",
                    type_.to_xml(),
                    self.values.len()
                ),
            ));
        }
        let one = || self.values.first().cloned();
        let jid = |s: &String| {
            s.parse::<Jid>()
                .map_err(|e| field_error(var, format!("'{s}' is not a JID: {e}")))
        };
        Ok(match type_ {
            FieldType::Boolean => FieldValue::Boolean(match self.values.first() {
                None => false,
                Some(v) => XsdBool::from_xml(v)
                    .map_err(|e| field_error(var, e))?
                    .into(),
            }),
            FieldType::Fixed => FieldValue::Fixed(self.values.clone()),
            FieldType::Hidden => FieldValue::Hidden(self.values.clone()),
            FieldType::JidMulti => {
                FieldValue::JidMulti(self.values.iter().map(jid).collect::<Result<_, _>>()?)
            }
            FieldType::JidSingle => {
                FieldValue::JidSingle(self.values.first().map(jid).transpose()?)
            }
            FieldType::ListMulti => FieldValue::ListMulti(self.values.clone()),
            FieldType::ListSingle => FieldValue::ListSingle(one()),
            FieldType::TextMulti => FieldValue::TextMulti(self.values.clone()),
            FieldType::TextPrivate => FieldValue::TextPrivate(one()),
            FieldType::TextSingle => FieldValue::TextSingle(one()),
        })
    }

    /// A `boolean` field.
    pub fn boolean(var: impl Into<String>, value: bool) -> Field {
        Field::new(
            var,
            Some(FieldType::Boolean),
            vec![if value { "1" } else { "0" }.into()],
        )
    }

    /// A `hidden` field (e.g. `FORM_TYPE`).
    pub fn hidden(var: impl Into<String>, value: impl Into<String>) -> Field {
        Field::new(var, Some(FieldType::Hidden), vec![value.into()])
    }

    /// A `text-single` field.
    pub fn text_single(var: impl Into<String>, value: impl Into<String>) -> Field {
        Field::new(var, Some(FieldType::TextSingle), vec![value.into()])
    }

    /// A `text-multi` field, one value per line.
    pub fn text_multi(var: impl Into<String>, text: &str) -> Field {
        Field::new(
            var,
            Some(FieldType::TextMulti),
            text.lines().map(str::to_string).collect(),
        )
    }

    /// A `jid-single` field.
    pub fn jid_single(var: impl Into<String>, jid: &Jid) -> Field {
        Field::new(var, Some(FieldType::JidSingle), vec![jid.to_string()])
    }

    /// A `jid-multi` field.
    pub fn jid_multi(var: impl Into<String>, jids: &[Jid]) -> Field {
        Field::new(
            var,
            Some(FieldType::JidMulti),
            jids.iter().map(Jid::to_string).collect(),
        )
    }

    /// A `list-single` field with its options (value, label).
    pub fn list_single(
        var: impl Into<String>,
        value: Option<&str>,
        options: &[(&str, Option<&str>)],
    ) -> Field {
        let mut f = Field::new(
            var,
            Some(FieldType::ListSingle),
            value.map(str::to_string).into_iter().collect(),
        );
        f.options = options_of(options);
        f
    }

    /// A `list-multi` field with its options (value, label).
    pub fn list_multi(
        var: impl Into<String>,
        values: &[&str],
        options: &[(&str, Option<&str>)],
    ) -> Field {
        let mut f = Field::new(
            var,
            Some(FieldType::ListMulti),
            values.iter().map(|v| v.to_string()).collect(),
        );
        f.options = options_of(options);
        f
    }

    /// Sets the label.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Field {
        self.label = Some(label.into());
        self
    }

    /// Marks the field required.
    #[must_use]
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }
}

fn options_of(options: &[(&str, Option<&str>)]) -> Vec<FieldOption> {
    options
        .iter()
        .map(|(v, l)| FieldOption {
            label: l.map(str::to_string),
            value: v.to_string(),
        })
        .collect()
}

impl DataForm {
    /// A form of `type_` carrying `form_type` in a hidden `FORM_TYPE`
    /// field (XEP-0068), then `fields`.
    pub fn with_form_type(type_: FormType, form_type: &str, fields: Vec<Field>) -> DataForm {
        let mut form = DataForm::new(type_);
        form.fields.push(Field::hidden(crate::FORM_TYPE, form_type));
        form.fields.extend(fields);
        form
    }

    /// The typed value of the field `var` (`None` when there is no such
    /// field).
    pub fn typed(&self, var: &str) -> Option<Result<FieldValue, Error>> {
        self.field(var).map(Field::typed)
    }

    /// The field `var` as a boolean (absent value: `false`).
    pub fn bool_value(&self, var: &str) -> Option<Result<bool, Error>> {
        let f = self.field(var)?;
        Some(f.typed_as(FieldType::Boolean).map(|v| match v {
            FieldValue::Boolean(b) => b,
            _ => unreachable!("typed as boolean"),
        }))
    }

    /// The field `var` as one JID.
    pub fn jid_value(&self, var: &str) -> Option<Result<Option<Jid>, Error>> {
        let f = self.field(var)?;
        Some(f.typed_as(FieldType::JidSingle).map(|v| match v {
            FieldValue::JidSingle(j) => j,
            _ => unreachable!("typed as jid-single"),
        }))
    }

    /// The field `var` as JIDs.
    pub fn jid_values(&self, var: &str) -> Option<Result<Vec<Jid>, Error>> {
        let f = self.field(var)?;
        Some(f.typed_as(FieldType::JidMulti).map(|v| match v {
            FieldValue::JidMulti(j) => j,
            _ => unreachable!("typed as jid-multi"),
        }))
    }

    /// The values of the field `var` (all of them: list-multi choices,
    /// text-multi lines, ...).
    pub fn values(&self, var: &str) -> Option<&[String]> {
        self.field(var).map(|f| f.values.as_slice())
    }

    /// The lines of a `text-multi` field joined with `\n`.
    pub fn text_multi(&self, var: &str) -> Option<String> {
        self.values(var).map(|v| v.join("\n"))
    }
}
