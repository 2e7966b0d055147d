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
    /// Whether the type takes at most one value (unknown types count as
    /// `text-single`).
    pub fn is_single(&self) -> bool {
        matches!(
            self,
            FieldType::Boolean
                | FieldType::JidSingle
                | FieldType::ListSingle
                | FieldType::TextPrivate
                | FieldType::TextSingle
                | FieldType::Other(_)
        )
    }

    /// Whether the values must be among the field's options.
    pub fn is_list(&self) -> bool {
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
    /// the type: use the type of the form definition). An unknown type is
    /// read as `text-single` (XEP-0004 §3.3).
    pub fn typed_as(&self, type_: FieldType) -> Result<FieldValue, Error> {
        self.typed_reason(type_)
            .map_err(|r| field_error(self.var.as_deref(), r))
    }

    /// [`Field::typed_as`] with the reason of a failure only.
    fn typed_reason(&self, type_: FieldType) -> Result<FieldValue, String> {
        let type_ = match type_ {
            FieldType::Other(_) => FieldType::TextSingle,
            t => t,
        };
        if type_.is_single() && self.values.len() > 1 {
            return Err(format!(
                "a {} field takes one value, found {}",
                type_.to_xml(),
                self.values.len()
            ));
        }
        let one = || self.values.first().cloned();
        let jid = |s: &String| {
            s.parse::<Jid>()
                .map_err(|e| format!("'{s}' is not a JID: {e}"))
        };
        Ok(match type_ {
            FieldType::Boolean => FieldValue::Boolean(match self.values.first() {
                None => false,
                Some(v) => XsdBool::from_xml(v)?.into(),
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
            FieldType::TextSingle | FieldType::Other(_) => FieldValue::TextSingle(one()),
        })
    }

    /// A field named `var` holding `value`, typed by its variant.
    pub fn from_value(var: impl Into<String>, value: FieldValue) -> Field {
        Field::new(var, Some(value.field_type()), value.to_values())
    }

    /// A `fixed` field (section text) without a name.
    pub fn fixed(text: impl Into<String>) -> Field {
        Field {
            type_: Some(FieldType::Fixed),
            values: vec![text.into()],
            ..Field::default()
        }
    }

    /// A `text-private` field (e.g. a password).
    pub fn text_private(var: impl Into<String>, value: impl Into<String>) -> Field {
        Field::new(var, Some(FieldType::TextPrivate), vec![value.into()])
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

    /// Sets the description (`<desc/>`).
    #[must_use]
    pub fn with_desc(mut self, desc: impl Into<String>) -> Field {
        self.desc = Some(desc.into());
        self
    }

    /// Adds a XEP-0221 medium.
    #[must_use]
    pub fn with_media(mut self, media: crate::Media) -> Field {
        self.media.push(media);
        self
    }

    /// Sets the XEP-0122 validation.
    #[must_use]
    pub fn with_validate(mut self, validate: crate::Validate) -> Field {
        self.validate = Some(validate);
        self
    }

    /// The field without its values (e.g. for a `<reported/>` column).
    #[must_use]
    pub fn without_values(mut self) -> Field {
        self.values.clear();
        self
    }
}

impl FieldValue {
    /// The field type this value is written as.
    pub fn field_type(&self) -> FieldType {
        match self {
            FieldValue::Boolean(_) => FieldType::Boolean,
            FieldValue::Fixed(_) => FieldType::Fixed,
            FieldValue::Hidden(_) => FieldType::Hidden,
            FieldValue::JidMulti(_) => FieldType::JidMulti,
            FieldValue::JidSingle(_) => FieldType::JidSingle,
            FieldValue::ListMulti(_) => FieldType::ListMulti,
            FieldValue::ListSingle(_) => FieldType::ListSingle,
            FieldValue::TextMulti(_) => FieldType::TextMulti,
            FieldValue::TextPrivate(_) => FieldType::TextPrivate,
            FieldValue::TextSingle(_) => FieldType::TextSingle,
        }
    }

    /// The `<value/>` texts (booleans as `1`/`0`).
    pub fn to_values(&self) -> Vec<String> {
        match self {
            FieldValue::Boolean(b) => vec![if *b { "1" } else { "0" }.into()],
            FieldValue::Fixed(v)
            | FieldValue::Hidden(v)
            | FieldValue::ListMulti(v)
            | FieldValue::TextMulti(v) => v.clone(),
            FieldValue::JidMulti(j) => j.iter().map(Jid::to_string).collect(),
            FieldValue::JidSingle(j) => j.iter().map(Jid::to_string).collect(),
            FieldValue::ListSingle(v) | FieldValue::TextPrivate(v) | FieldValue::TextSingle(v) => {
                v.iter().cloned().collect()
            }
        }
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

    /// A `submit` form answering the form type `form_type` (a hidden
    /// `FORM_TYPE` field first, XEP-0068), then `fields`.
    pub fn submit(form_type: &str, fields: Vec<Field>) -> DataForm {
        DataForm::with_form_type(FormType::Submit, form_type, fields)
    }

    /// A `cancel` form (no fields, XEP-0004 §3.1).
    pub fn cancel() -> DataForm {
        DataForm::new(FormType::Cancel)
    }

    /// A multi-item `result` (XEP-0004 §3.4): the `columns` become the
    /// `<reported/>` field definitions (their values dropped), each row an
    /// `<item/>`.
    pub fn multi_item_result(columns: Vec<Field>, rows: Vec<Vec<Field>>) -> DataForm {
        let mut form = DataForm::new(FormType::Result);
        form.reported = Some(crate::Reported {
            fields: columns.into_iter().map(Field::without_values).collect(),
        });
        form.items = rows
            .into_iter()
            .map(|fields| crate::Item { fields })
            .collect();
        form
    }

    /// Adds a field.
    #[must_use]
    pub fn with_field(mut self, field: Field) -> DataForm {
        self.fields.push(field);
        self
    }

    /// Sets the title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> DataForm {
        self.title = Some(title.into());
        self
    }

    /// Adds a line of instructions.
    #[must_use]
    pub fn with_instructions(mut self, text: impl Into<String>) -> DataForm {
        self.instructions.push(text.into());
        self
    }

    /// A `submit` form answering this form with its default values: the
    /// `FORM_TYPE` and every named, non-`fixed` field with its values (types
    /// dropped: XEP-0004 §3.2 lets submissions omit them). Change the values
    /// with [`DataForm::field_mut`] before sending.
    pub fn to_submission(&self) -> DataForm {
        let mut form = DataForm::new(FormType::Submit);
        for f in &self.fields {
            let Some(var) = &f.var else { continue };
            if f.type_ == Some(FieldType::Fixed) {
                continue;
            }
            let type_ = (var == crate::FORM_TYPE).then_some(FieldType::Hidden);
            form.fields
                .push(Field::new(var.clone(), type_, f.values.clone()));
        }
        form
    }

    /// The typed value of the field `var` (`None` when there is no such
    /// field).
    pub fn typed(&self, var: &str) -> Option<Result<FieldValue, Error>> {
        self.field(var).map(Field::typed)
    }

    /// The typed value of the field `var` of this form (a submission or a
    /// result, whose fields may omit their type, XEP-0004 §3.2), typed by
    /// the field of the same name in `definition` (the form it answers);
    /// by its own type when the definition does not have it.
    pub fn typed_with(
        &self,
        definition: &DataForm,
        var: &str,
    ) -> Option<Result<FieldValue, Error>> {
        let f = self.field(var)?;
        let type_ = definition
            .field(var)
            .map(Field::effective_type)
            .unwrap_or_else(|| f.effective_type());
        Some(f.typed_as(type_))
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

    /// The lines of a `text-multi` field joined with `\n` (XEP-0004 §3.3).
    pub fn text_multi(&self, var: &str) -> Option<String> {
        self.values(var).map(|v| v.join("\n"))
    }

    /// The single value of a `text-single`, `text-private` or `list-single`
    /// field (`Ok(None)` when it has no value; an error when it has
    /// several).
    pub fn text_value(&self, var: &str) -> Option<Result<Option<&str>, Error>> {
        let f = self.field(var)?;
        Some(match f.values.as_slice() {
            [] => Ok(None),
            [v] => Ok(Some(v.as_str())),
            vs => Err(field_error(
                Some(var),
                format!("expected one value, found {}", vs.len()),
            )),
        })
    }

    /// The typed value of the column `var` in `item` of a multi-item
    /// result, typed by the `<reported/>` column (fields of items usually
    /// carry no type).
    pub fn item_typed(&self, item: &crate::Item, var: &str) -> Option<Result<FieldValue, Error>> {
        let f = item.field(var)?;
        let type_ = self
            .reported
            .as_ref()
            .and_then(|r| r.fields.iter().find(|c| c.var.as_deref() == Some(var)))
            .and_then(|c| c.type_.clone())
            .or_else(|| f.type_.clone())
            .unwrap_or(FieldType::TextSingle);
        Some(f.typed_reason(type_).map_err(|r| {
            Error::invalid(format!("field '{var}': {r}"))
                .within("field")
                .within("item")
                .within("x")
        }))
    }
}

impl crate::Item {
    /// The field named `var` in this row.
    pub fn field(&self, var: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.var.as_deref() == Some(var))
    }
}
