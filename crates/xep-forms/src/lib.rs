//! XEP-0004 Data Forms, with XEP-0068 `FORM_TYPE`, XEP-0122 validation and
//! XEP-0221 media elements.
//!
//! ```
//! use xep_element::XmlElement;
//! use xep_forms::{DataForm, FieldType, FormType};
//!
//! let form = DataForm::from_xml(
//!     b"<x xmlns='jabber:x:data' type='form'>\
//!         <title>Bot</title>\
//!         <field var='public' type='boolean'><value>1</value></field>\
//!       </x>",
//! )
//! .unwrap();
//! assert_eq!(form.type_, FormType::Form);
//! assert_eq!(form.field("public").unwrap().type_, Some(FieldType::Boolean));
//! assert_eq!(form.value("public"), Some("1"));
//! ```

#![warn(missing_docs)]

pub mod typed;
pub mod validate;
pub mod view;

pub use typed::FieldValue;
pub use validate::{ValidationError, validate_submission};
pub use view::{FieldData, FormView};

use xep_element::{Payload, XmlElement, XmlValue};

/// `jabber:x:data`.
pub const NS: &str = "jabber:x:data";
/// `http://jabber.org/protocol/xdata-validate` (XEP-0122).
pub const NS_VALIDATE: &str = "http://jabber.org/protocol/xdata-validate";
/// `urn:xmpp:media-element` (XEP-0221).
pub const NS_MEDIA: &str = "urn:xmpp:media-element";
/// The name of the hidden field that carries a form's type (XEP-0068).
pub const FORM_TYPE: &str = "FORM_TYPE";

/// `type` of a form (XEP-0004 §3.1).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FormType {
    /// The form-submitting entity cancels the submission.
    Cancel,
    /// A form to fill in.
    Form,
    /// Data returned by the form-processing entity.
    Result,
    /// A filled-in form.
    Submit,
}

/// `type` of a field (XEP-0004 §3.3). Absent means `text-single`
/// ([`Field::effective_type`]).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Either/or choice: `0`/`1`/`false`/`true`.
    Boolean,
    /// Text shown to the user, not submitted.
    Fixed,
    /// Not shown to the user, returned unchanged.
    Hidden,
    /// Several JIDs.
    JidMulti,
    /// One JID.
    JidSingle,
    /// Several choices from the options.
    ListMulti,
    /// One choice from the options (or another value, for open lists).
    ListSingle,
    /// Several lines of text.
    TextMulti,
    /// One line of obscured text (e.g. a password).
    TextPrivate,
    /// One line of text.
    TextSingle,
}

/// A data form: `<x xmlns='jabber:x:data'/>`.
///
/// XEP-0004's schema orders `<instructions/>` before `<title/>`, but its
/// own examples (and most other XEPs') write the title first; the title is
/// written first here, which matches practice.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "x")]
pub struct DataForm {
    /// What the form is for.
    #[xml(attr(name = "type"))]
    pub type_: FormType,
    /// A title for the form.
    #[xml(text_child(name = "title"))]
    pub title: Option<String>,
    /// Natural-language instructions, one per element.
    #[xml(text_child(name = "instructions"))]
    pub instructions: Vec<String>,
    /// The fields, in order.
    #[xml(child)]
    pub fields: Vec<Field>,
    /// The field definitions of a multi-item result (§3.4).
    #[xml(child)]
    pub reported: Option<Reported>,
    /// The items of a multi-item result (§3.4).
    #[xml(child)]
    pub items: Vec<Item>,
    /// Elements of other namespaces (e.g. XEP-0141 layout pages), kept.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// A form field: `<field/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "field")]
pub struct Field {
    /// The field's unique identifier within the form (absent only for
    /// `fixed` fields).
    #[xml(attr)]
    pub var: Option<String>,
    /// The field type; absent means `text-single`.
    #[xml(attr(name = "type"))]
    pub type_: Option<FieldType>,
    /// A human-readable name.
    #[xml(attr)]
    pub label: Option<String>,
    /// A natural-language description (help text).
    #[xml(text_child(name = "desc"))]
    pub desc: Option<String>,
    /// The field must be filled in.
    #[xml(flag(name = "required"))]
    pub required: bool,
    /// Media to show with the field (XEP-0221).
    #[xml(child)]
    pub media: Vec<Media>,
    /// Datatype and validation rules (XEP-0122).
    #[xml(child)]
    pub validate: Option<Validate>,
    /// The values, as written.
    #[xml(text_child(name = "value"))]
    pub values: Vec<String>,
    /// The choices of a `list-*` field.
    #[xml(child)]
    pub options: Vec<FieldOption>,
    /// Elements of other namespaces, kept.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// One choice of a list field: `<option/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "option")]
pub struct FieldOption {
    /// A human-readable name.
    #[xml(attr)]
    pub label: Option<String>,
    /// The value submitted when this option is chosen.
    #[xml(text_child(name = "value"))]
    pub value: String,
}

/// `<reported/>`: the columns of a multi-item result.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "reported")]
pub struct Reported {
    /// The field definitions (normally without values).
    #[xml(child)]
    pub fields: Vec<Field>,
}

/// `<item/>`: one row of a multi-item result.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "item")]
pub struct Item {
    /// The values of this row, one field per reported column.
    #[xml(child)]
    pub fields: Vec<Field>,
}

// ---------------------------------------------------------------------------
// XEP-0221 media

/// `<media xmlns='urn:xmpp:media-element'/>` (XEP-0221).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_MEDIA, name = "media")]
pub struct Media {
    /// Display height in pixels.
    #[xml(attr)]
    pub height: Option<u16>,
    /// Display width in pixels.
    #[xml(attr)]
    pub width: Option<u16>,
    /// Locations of the media, in order of preference.
    #[xml(child)]
    pub uris: Vec<MediaUri>,
}

/// `<uri type='...'/>`: one location of a medium.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_MEDIA, name = "uri")]
pub struct MediaUri {
    /// MIME type of the medium (RFC 2045 syntax).
    #[xml(attr(name = "type"))]
    pub type_: String,
    /// The URI, as written (see [`MediaUri::uri`] for the trimmed form).
    #[xml(text)]
    pub text: String,
}

impl MediaUri {
    /// The URI without the surrounding whitespace examples often carry.
    pub fn uri(&self) -> &str {
        self.text.trim()
    }
}

// ---------------------------------------------------------------------------
// XEP-0122 validation

/// `<validate xmlns='http://jabber.org/protocol/xdata-validate'/>`
/// (XEP-0122).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_VALIDATE, name = "validate")]
pub struct Validate {
    /// The datatype (`xs:string` when absent), e.g. `xs:integer` or a
    /// registered `x:` type.
    #[xml(attr)]
    pub datatype: Option<String>,
    /// How values are validated.
    #[xml(child)]
    pub method: Option<Method>,
    /// How many values a `*-multi` field takes.
    #[xml(child)]
    pub list_range: Option<ListRange>,
}

/// A validation method of XEP-0122 §3.2.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_VALIDATE)]
pub enum Method {
    /// Only the datatype is checked.
    Basic,
    /// For lists: values outside the options are allowed.
    Open,
    /// The value lies within a range.
    Range(Range),
    /// The value matches a regular expression.
    Regex(Regex),
}

/// `<range min max/>` (XEP-0122 §3.2.3); bounds are in the datatype's
/// lexical space.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_VALIDATE, name = "range")]
pub struct Range {
    /// Inclusive lower bound.
    #[xml(attr)]
    pub min: Option<String>,
    /// Inclusive upper bound.
    #[xml(attr)]
    pub max: Option<String>,
}

/// `<regex/>` (XEP-0122 §3.2.4): a regular expression in the XML Schema
/// dialect.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_VALIDATE, name = "regex")]
pub struct Regex {
    /// The expression.
    #[xml(text)]
    pub pattern: String,
}

/// `<list-range min max/>` (XEP-0122 §3.3): how many values a list takes.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_VALIDATE, name = "list-range")]
pub struct ListRange {
    /// Minimum number of values.
    #[xml(attr)]
    pub min: Option<u32>,
    /// Maximum number of values.
    #[xml(attr)]
    pub max: Option<u32>,
}

// ---------------------------------------------------------------------------
// Access

impl DataForm {
    /// An empty form of the given type.
    pub fn new(type_: FormType) -> Self {
        DataForm {
            type_,
            title: None,
            instructions: Vec::new(),
            fields: Vec::new(),
            reported: None,
            items: Vec::new(),
            extensions: Vec::new(),
        }
    }

    /// The field named `var`, if any.
    pub fn field(&self, var: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.var.as_deref() == Some(var))
    }

    /// The field named `var`, mutably.
    pub fn field_mut(&mut self, var: &str) -> Option<&mut Field> {
        self.fields
            .iter_mut()
            .find(|f| f.var.as_deref() == Some(var))
    }

    /// The first value of the field named `var`.
    pub fn value(&self, var: &str) -> Option<&str> {
        self.field(var)?.values.first().map(String::as_str)
    }

    /// The form's type per XEP-0068: the value of its `FORM_TYPE` field.
    ///
    /// In a form of type `form` or `result` the field must be hidden,
    /// otherwise it "MUST be ignored as a context indicator" (XEP-0068 §3)
    /// and this is `None`; submissions often omit field types, so there any
    /// `FORM_TYPE` field counts. [`DataForm::form_type_field`] gives the
    /// field itself, whatever its type.
    pub fn form_type(&self) -> Option<&str> {
        let f = self.form_type_field()?;
        let hidden = f.type_ == Some(FieldType::Hidden);
        if !hidden && matches!(self.type_, FormType::Form | FormType::Result) {
            return None;
        }
        f.values.first().map(String::as_str)
    }

    /// The `FORM_TYPE` field, hidden or not.
    pub fn form_type_field(&self) -> Option<&Field> {
        self.field(FORM_TYPE)
    }
}

impl Field {
    /// A field named `var` of type `type_` with `values`.
    pub fn new(var: impl Into<String>, type_: Option<FieldType>, values: Vec<String>) -> Self {
        Field {
            var: Some(var.into()),
            type_,
            values,
            ..Field::default()
        }
    }

    /// The field type, `text-single` when absent (XEP-0004 §3.3).
    pub fn effective_type(&self) -> FieldType {
        self.type_.unwrap_or(FieldType::TextSingle)
    }
}

xep_element::elements! {
    "XEP-0004" => [DataForm, Field, FieldOption, Reported, Item],
    "XEP-0122" => [Validate, Method, Range, Regex, ListRange],
    "XEP-0221" => [Media, MediaUri],
}

#[cfg(test)]
mod tests;
