//! XEP-0004 Data Forms, with XEP-0068 `FORM_TYPE`, XEP-0122 validation and
//! XEP-0221 media elements.
//!
//! - The element model (this module): [`DataForm`] (`form`, `submit`,
//!   `cancel`, `result`; title, instructions, fields, `<reported/>` and
//!   `<item/>`s of multi-item results), [`Field`] (every [`FieldType`],
//!   `<desc/>`, `<required/>`, values, [`FieldOption`]s, XEP-0221
//!   [`Media`] and XEP-0122 [`Validate`] kept on the field). Field types
//!   this crate does not know are kept ([`FieldType::Other`]) and read as
//!   `text-single`, as XEP-0004 §3.3 requires.
//! - Typed values: [`Field::typed`] gives a [`FieldValue`] per field type
//!   (booleans accept `0/1/false/true`); getters on [`DataForm`]
//!   (`bool_value`, `jid_value`, `text_multi`, ...); builders
//!   ([`Field::boolean`], [`Field::list_single`], [`DataForm::submit`], ...).
//! - Validation: [`validate_submission`] checks a submission against the
//!   form it answers (required fields, options, value counts, JIDs,
//!   booleans, `FORM_TYPE`, XEP-0122 datatypes, ranges, regexes through
//!   [`Pattern`], list ranges); [`DataForm::check`] the structural rules of one
//!   form.
//! - XEP-0068: [`DataForm::form_type`] (only a hidden `FORM_TYPE`, or an
//!   untyped one in a submission, counts), [`DataForm::form_type_lenient`],
//!   [`DataForm::check_form_type`], [`split_clark`] for Clark-notation
//!   field names.
//! - Views: typed views over registered form types ([`FormView`],
//!   [`form_view!`], [`form_value!`]); [`FormView`] gives the recipe that
//!   protocol crates (MUC room configuration, pubsub node configuration,
//!   ...) follow.
//!
//! ```
//! use xep_element::XmlElement;
//! use xep_forms::{DataForm, Field, FieldType, FormType, validate_submission};
//!
//! let form = DataForm::from_xml(
//!     b"<x xmlns='jabber:x:data' type='form'>\
//!         <title>Bot</title>\
//!         <field var='FORM_TYPE' type='hidden'><value>urn:example:bot</value></field>\
//!         <field var='public' type='boolean'><value>1</value><required/></field>\
//!       </x>",
//! )
//! .unwrap();
//! assert_eq!(form.type_, FormType::Form);
//! assert_eq!(form.field("public").unwrap().type_, Some(FieldType::Boolean));
//! assert_eq!(form.bool_value("public").unwrap(), Ok(true));
//!
//! let answer = DataForm::submit("urn:example:bot", vec![Field::boolean("public", false)]);
//! assert_eq!(validate_submission(&form, &answer), Ok(()));
//! let wrong = DataForm::submit("urn:example:bot", vec![Field::text_single("public", "maybe")]);
//! let errors = validate_submission(&form, &wrong).unwrap_err();
//! assert_eq!(errors[0].to_string(), "field 'public': submitted as text-single, the form defines boolean");
//! ```

#![warn(missing_docs)]

mod ere;
mod typed;
mod validate;
mod view;

pub use ere::{Pattern, PatternError};
pub use typed::FieldValue;
pub use validate::{ValidationError, unchecked_rules, validate_submission};
pub use view::{FieldData, FieldScalar, FormView, check_form_type, read_field, write_field};

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
#[derive(XmlValue, Debug, Clone, PartialEq, Eq, Hash)]
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
    /// A type this crate does not know, kept as written. XEP-0004 §3.3:
    /// a form-submitting entity "MUST assume" `text-single` for it, which
    /// [`Field::effective_type`] does.
    #[xml(other)]
    Other(String),
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
    #[xml(child(min = 1))]
    pub fields: Vec<Field>,
}

/// `<item/>`: one row of a multi-item result.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "item")]
pub struct Item {
    /// The values of this row, one field per reported column.
    #[xml(child(min = 1))]
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
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_VALIDATE, name = "validate", validate = check_validate)]
pub struct Validate {
    /// The datatype (`xs:string` when absent), e.g. `xs:integer` or a
    /// registered `x:` type.
    #[xml(attr)]
    pub datatype: Option<String>,
    /// How values are validated.
    #[xml(child)]
    pub method: Option<Method>,
    /// How many values a `list-multi` field takes.
    #[xml(child)]
    pub list_range: Option<ListRange>,
    /// Other children: validation methods this crate does not know (which
    /// XEP-0122 §5 says to treat as `<basic/>`) and extensions, kept.
    #[xml(children)]
    pub other: Vec<Payload>,
}

/// Unknown children of `<validate/>` are kept, but not ones of
/// `jabber:x:data`: XEP-0122's elements "MUST be qualified by" its own
/// namespace (§7), and a `<basic/>` left unprefixed inside a prefixed
/// `<xdv:validate/>` is exactly that mistake.
fn check_validate(v: &Validate) -> Result<(), xep_element::Error> {
    for p in &v.other {
        let el = p.to_element();
        if el.ns() == NS {
            return Err(xep_element::Error::invalid(format!(
                "child <{}/> is in the jabber:x:data namespace; XEP-0122 elements must be qualified by {NS_VALIDATE}",
                el.name()
            )));
        }
    }
    Ok(())
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

/// `<regex/>` (XEP-0122 §3.2.4): a POSIX extended regular expression
/// (re_format(7)); [`Pattern`] evaluates a subset of it.
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

    /// The form's type per XEP-0068: the value of its `FORM_TYPE` field,
    /// when that field has the special meaning.
    ///
    /// It has it when it is `hidden`; in a form of type `submit` (or
    /// `cancel`), whose fields may omit their type (XEP-0004 §3.2), also
    /// when it has no `type` (XEP-0068 §7: implementations "MUST treat" it
    /// so). A `FORM_TYPE` of another type, in particular a visible one in a
    /// `form` or `result`, "MUST be ignored as a context indicator"
    /// (XEP-0068 §5): this is then `None`. See
    /// [`DataForm::form_type_lenient`] for peers that get this wrong.
    pub fn form_type(&self) -> Option<&str> {
        let f = self.form_type_field()?;
        let special = match &f.type_ {
            Some(FieldType::Hidden) => true,
            None => matches!(self.type_, FormType::Submit | FormType::Cancel),
            Some(_) => false,
        };
        if !special {
            return None;
        }
        f.values.first().map(String::as_str)
    }

    /// The value of the `FORM_TYPE` field whatever its type: for callers
    /// that choose to accept forms whose `FORM_TYPE` is not hidden (which
    /// XEP-0068 says to ignore as a context indicator).
    pub fn form_type_lenient(&self) -> Option<&str> {
        self.form_type_field()?.values.first().map(String::as_str)
    }

    /// The `FORM_TYPE` field, hidden or not.
    pub fn form_type_field(&self) -> Option<&Field> {
        self.field(FORM_TYPE)
    }

    /// Checks XEP-0068's rules for the `FORM_TYPE` field, if there is one:
    /// it must be `hidden` (or, in a `submit` or `cancel` form, have no
    /// type) and carry exactly one value. The error has the path
    /// `x/field` and names the field.
    pub fn check_form_type(&self) -> Result<(), xep_element::Error> {
        let Some(f) = self.form_type_field() else {
            return Ok(());
        };
        let err = |reason: String| {
            Err(
                xep_element::Error::invalid(format!("field '{FORM_TYPE}': {reason}"))
                    .within("field")
                    .within("x"),
            )
        };
        if self.form_type().is_none() && f.values.len() <= 1 {
            return err(format!(
                "the field must be of type 'hidden' (found '{}'), otherwise it is no form type (XEP-0068)",
                f.type_
                    .as_ref()
                    .map_or("text-single".into(), |t| t.to_xml())
            ));
        }
        if f.values.len() != 1 {
            return err(format!("expected one value, found {}", f.values.len()));
        }
        Ok(())
    }
}

/// Splits a field name in Clark notation, `{namespace}name` (XEP-0068
/// §3: fields an organisation adds to a form type it does not manage),
/// into its namespace and local name; `None` for a plain name.
///
/// ```
/// assert_eq!(
///     xep_forms::split_clark("{http://example.com/pubsub}time_restrictions"),
///     Some(("http://example.com/pubsub", "time_restrictions"))
/// );
/// assert_eq!(xep_forms::split_clark("pubsub#title"), None);
/// ```
pub fn split_clark(var: &str) -> Option<(&str, &str)> {
    let rest = var.strip_prefix('{')?;
    let (ns, local) = rest.split_once('}')?;
    (!ns.is_empty() && !local.is_empty()).then_some((ns, local))
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

    /// The field type, `text-single` when absent or not understood
    /// (XEP-0004 §3.3).
    pub fn effective_type(&self) -> FieldType {
        match &self.type_ {
            None | Some(FieldType::Other(_)) => FieldType::TextSingle,
            Some(t) => t.clone(),
        }
    }
}

xep_element::elements! {
    "XEP-0004" => [DataForm, Field, FieldOption, Reported, Item],
    "XEP-0122" => [Validate, Method, Range, Regex, ListRange],
    "XEP-0221" => [Media, MediaUri],
}

#[cfg(test)]
mod tests;
