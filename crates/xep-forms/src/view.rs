//! Typed views over registered form types (XEP-0068).

use xep_element::jid::Jid;
use xep_element::{Error, XmlValue, XsdBool};

use crate::{DataForm, Field, FieldType, FormType};

/// A typed view of a registered form type.
///
/// Typed views over registered form types (XEP-0068).
///
/// A registered form type (`muc#roomconfig`, `pubsub#node_config`, ...) is a
/// [`DataForm`] whose hidden `FORM_TYPE` field names it and whose fields
/// have registered names and types. A *view* is a plain struct with one
/// typed field per registered field, converted to and from the form by
/// [`FormView`]. The recipe for a crate that defines such a form:
///
/// 1. For each registered list of option values, an enum deriving
///    `XmlValue`, made usable in views with [`form_value!`](crate::form_value).
/// 2. One [`form_view!`](crate::form_view) naming the `FORM_TYPE` and, per
///    registered field, `rust_name: Option<T>` (one value) or `Vec<T>`
///    (several) `= "registered#var"`, with `as TextMulti` (or another
///    [`FieldType`] variant) where the Rust type alone does not say the
///    field type. Every field is optional: a submission may omit fields
///    (XEP-0004 §3.1), an omitted field keeps its current value.
/// 3. `View::from_form(&form)` reads a received form or submission
///    (checking its `FORM_TYPE`; the error names `x/field` and the var);
///    `view.to_form(FormType::Submit)` writes one. Fields the view does not
///    name (other organisations' fields, in Clark notation per XEP-0068
///    §3, or newer registered ones) are kept in `other` and written back.
/// 4. To present a form to fill in (type `form`, with labels, options,
///    `<required/>`), build the definition with the [`Field`] builders and
///    check submissions with [`validate_submission`](crate::validate_submission)
///    before reading them through the view.
///
/// ```
/// use xep_element::XmlValue;
/// use xep_element::jid::Jid;
/// use xep_forms::{DataForm, FieldType, FormType, FormView, form_value, form_view};
///
/// /// Who may talk to the bot (a registered list of values).
/// #[derive(XmlValue, Debug, Clone, PartialEq)]
/// pub enum Audience { Anyone, Contacts, Nobody }
/// form_value!(Audience);
///
/// form_view! {
///     /// Configuration of a (made-up) bot service.
///     pub struct BotConfig = "urn:example:bot-config" {
///         /// A friendly name.
///         name: Option<String> = "bot#name",
///         /// Whether the bot is listed in directories.
///         listed: Option<bool> = "bot#listed",
///         /// Who may talk to it.
///         audience: Option<Audience> = "bot#audience",
///         /// Who administers it.
///         admins: Vec<Jid> = "bot#admins",
///         /// Its greeting, one line per value.
///         greeting: Vec<String> = "bot#greeting" as TextMulti,
///         /// How many messages per minute it accepts.
///         rate: Option<u32> = "bot#rate",
///     }
/// }
///
/// let cfg = BotConfig {
///     name: Some("Tybalt".into()),
///     listed: Some(true),
///     audience: Some(Audience::Contacts),
///     admins: vec!["capulet@example.com".parse().unwrap()],
///     greeting: vec!["Hello.".into(), "Type help.".into()],
///     ..BotConfig::default()
/// };
/// let form = cfg.to_form(FormType::Submit);
/// assert_eq!(form.form_type(), Some("urn:example:bot-config"));
/// assert_eq!(form.field("bot#greeting").unwrap().type_, Some(FieldType::TextMulti));
/// assert_eq!(form.value("bot#audience"), Some("contacts"));
/// assert_eq!(BotConfig::from_form(&form).unwrap(), cfg);
/// ```
pub trait FormView: Sized {
    /// The `FORM_TYPE` this view reads and writes.
    const FORM_TYPE: &'static str;

    /// Reads the view from `form`; fails when the form's `FORM_TYPE`
    /// differs or a field's values do not fit its type.
    fn from_form(form: &DataForm) -> Result<Self, Error>;

    /// Writes the view as a form of `type_`, starting with the hidden
    /// `FORM_TYPE` field.
    fn to_form(&self, type_: FormType) -> DataForm;
}

/// A Rust type that a form field's values convert to and from, for
/// [`form_view!`](crate::form_view). Implemented for `Option<T>` (one
/// value, absent field: `None`) and `Vec<T>` (any number of values) of
/// every [`FieldScalar`] `T`.
pub trait FieldData: Sized {
    /// The field type written for it (a view field can override it).
    const TYPE: FieldType;
    /// Reads the values of `field` (absent field: `None`).
    fn read(field: Option<&Field>) -> Result<Self, String>;
    /// The values to write; `None` writes no field.
    fn write(&self) -> Option<Vec<String>>;
}

/// One value of a form field: how it reads from and writes to a
/// `<value/>`. Implemented for `String`, `bool` (`0/1/false/true`), `Jid`
/// and the integer types; [`form_value!`](crate::form_value) implements it
/// for an enum deriving `XmlValue` (e.g. a registered list of options).
pub trait FieldScalar: Sized {
    /// The field type of one value (`text-single`, `boolean`, ...).
    const SINGLE: FieldType;
    /// The field type of several values (`list-multi`, `jid-multi`, ...).
    const MULTI: FieldType;
    /// Reads one value; the error says why it does not fit.
    fn parse(value: &str) -> Result<Self, String>;
    /// Writes one value.
    fn format(&self) -> String;
}

impl FieldScalar for String {
    const SINGLE: FieldType = FieldType::TextSingle;
    const MULTI: FieldType = FieldType::ListMulti;
    fn parse(value: &str) -> Result<Self, String> {
        Ok(value.to_string())
    }
    fn format(&self) -> String {
        self.clone()
    }
}

impl FieldScalar for bool {
    const SINGLE: FieldType = FieldType::Boolean;
    const MULTI: FieldType = FieldType::ListMulti;
    fn parse(value: &str) -> Result<Self, String> {
        XsdBool::from_xml(value).map(bool::from)
    }
    fn format(&self) -> String {
        if *self { "1" } else { "0" }.into()
    }
}

impl FieldScalar for Jid {
    const SINGLE: FieldType = FieldType::JidSingle;
    const MULTI: FieldType = FieldType::JidMulti;
    fn parse(value: &str) -> Result<Self, String> {
        value
            .parse::<Jid>()
            .map_err(|e| format!("'{value}' is not a JID: {e}"))
    }
    fn format(&self) -> String {
        self.to_string()
    }
}

macro_rules! numeric_scalar {
    ($($t:ty),*) => {$(
        impl FieldScalar for $t {
            const SINGLE: FieldType = FieldType::TextSingle;
            const MULTI: FieldType = FieldType::ListMulti;
            fn parse(value: &str) -> Result<Self, String> {
                value.trim().parse::<$t>().map_err(|e| format!("'{value}': {e}"))
            }
            fn format(&self) -> String {
                self.to_string()
            }
        }
    )*};
}
numeric_scalar!(u8, u16, u32, u64, i8, i16, i32, i64);

impl<T: FieldScalar> FieldData for Option<T> {
    const TYPE: FieldType = T::SINGLE;
    fn read(field: Option<&Field>) -> Result<Self, String> {
        match field.map(|f| f.values.as_slice()) {
            None | Some([]) => Ok(None),
            Some([v]) => T::parse(v).map(Some),
            Some(vs) => Err(format!("expected one value, found {}", vs.len())),
        }
    }
    fn write(&self) -> Option<Vec<String>> {
        self.as_ref().map(|v| vec![v.format()])
    }
}

impl<T: FieldScalar> FieldData for Vec<T> {
    const TYPE: FieldType = T::MULTI;
    fn read(field: Option<&Field>) -> Result<Self, String> {
        field
            .map(|f| f.values.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|v| T::parse(v))
            .collect()
    }
    fn write(&self) -> Option<Vec<String>> {
        (!self.is_empty()).then(|| self.iter().map(T::format).collect())
    }
}

/// Implements [`FieldScalar`] for enums deriving `XmlValue`, written as
/// `list-single` (and `list-multi` in a `Vec`):
///
/// ```
/// use xep_element::XmlValue;
/// #[derive(XmlValue, Debug, Clone, PartialEq)]
/// enum Mood { Calm, Grumpy }
/// xep_forms::form_value!(Mood);
/// use xep_forms::FieldScalar;
/// assert_eq!(Mood::parse("grumpy"), Ok(Mood::Grumpy));
/// ```
#[macro_export]
macro_rules! form_value {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::FieldScalar for $t {
            const SINGLE: $crate::FieldType = $crate::FieldType::ListSingle;
            const MULTI: $crate::FieldType = $crate::FieldType::ListMulti;
            fn parse(value: &str) -> ::std::result::Result<Self, ::std::string::String> {
                <$t as ::xep_element::XmlValue>::from_xml(value)
                    .map_err(|e| ::std::format!("'{value}': {e}"))
            }
            fn format(&self) -> ::std::string::String {
                ::xep_element::XmlValue::to_xml(self).into()
            }
        }
    )*};
}

/// Declares a form value that is a number or one keyword (`muc#roomconfig_maxusers`:
/// a number or `none`; `pubsub#max_items`: a number or `max`), with its
/// [`FieldScalar`] implementation and the field type it takes alone.
///
/// ```
/// use xep_forms::FieldScalar;
///
/// xep_forms::number_or_keyword! {
///     /// At most this many, or `none`.
///     pub enum Cap {
///         /// This many.
///         Count(u32),
///         /// No cap.
///         Unlimited = "none",
///     } as TextSingle
/// }
/// assert_eq!(Cap::parse("none"), Ok(Cap::Unlimited));
/// assert_eq!(Cap::parse("12"), Ok(Cap::Count(12)));
/// assert_eq!(Cap::Count(3).format(), "3");
/// assert!(Cap::parse("many").unwrap_err().contains("neither a number nor 'none'"));
/// ```
#[macro_export]
macro_rules! number_or_keyword {
    (
        $(#[$m:meta])*
        $vis:vis enum $name:ident {
            $(#[$nm:meta])* $num:ident($n:ty),
            $(#[$km:meta])* $kw:ident = $word:literal $(,)?
        } as $single:ident
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $(#[$nm])* $num($n),
            $(#[$km])* $kw,
        }

        impl $crate::FieldScalar for $name {
            const SINGLE: $crate::FieldType = $crate::FieldType::$single;
            const MULTI: $crate::FieldType = $crate::FieldType::ListMulti;
            fn parse(value: &str) -> ::std::result::Result<Self, ::std::string::String> {
                match value.trim() {
                    $word => Ok($name::$kw),
                    v => v.parse().map($name::$num).map_err(|e| {
                        ::std::format!("'{value}': neither a number nor '{}' ({e})", $word)
                    }),
                }
            }
            fn format(&self) -> ::std::string::String {
                match self {
                    $name::$num(n) => n.to_string(),
                    $name::$kw => $word.into(),
                }
            }
        }
    };
}

/// Reads the view field `var` from `form` (used by [`form_view!`]).
///
/// [`form_view!`]: crate::form_view
pub fn read_field<T: FieldData>(form: &DataForm, var: &str) -> Result<T, Error> {
    T::read(form.field(var)).map_err(|e| {
        Error::invalid(format!("field '{var}': {e}"))
            .within("field")
            .within("x")
    })
}

/// Writes the view field `var` into `form` (used by [`form_view!`]), with
/// the field type `type_` or else the Rust type's.
///
/// [`form_view!`]: crate::form_view
pub fn write_field<T: FieldData>(
    form: &mut DataForm,
    var: &str,
    value: &T,
    type_: Option<FieldType>,
) {
    if let Some(values) = value.write() {
        form.fields
            .push(Field::new(var, Some(type_.unwrap_or(T::TYPE)), values));
    }
}

#[doc(hidden)]
#[macro_export]
macro_rules! __form_view_type {
    () => {
        ::std::option::Option::None
    };
    ($ft:ident) => {
        ::std::option::Option::Some($crate::FieldType::$ft)
    };
}

/// Checks the `FORM_TYPE` of `form` for a view of `form_type` (XEP-0068:
/// a hidden field, or an untyped one in a submission).
pub fn check_form_type(form: &DataForm, form_type: &str) -> Result<(), Error> {
    match form.form_type() {
        Some(t) if t == form_type => Ok(()),
        found => Err(Error::invalid(format!(
            "FORM_TYPE is '{}', expected '{form_type}'",
            found.unwrap_or("(none)")
        ))
        .within("x")),
    }
}

/// Declares a struct and its [`FormView`] impl: one `Option<T>` or
/// `Vec<T>` field per registered field (`T` a [`FieldScalar`]), each
/// `name: Type = "var"`, optionally followed by `as FieldTypeVariant` to
/// write another field type than the Rust type's (e.g. `as TextMulti`,
/// `as TextPrivate`, `as Hidden`), plus `other: Vec<Field>` keeping the
/// fields the view does not name. See [`FormView`] for the recipe.
#[macro_export]
macro_rules! form_view {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident = $form_type:literal {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $var:literal $(as $ft:ident)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        $vis struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Fields of the form that this view does not name, kept.
            pub other: ::std::vec::Vec<$crate::Field>,
        }

        impl $crate::FormView for $name {
            const FORM_TYPE: &'static str = $form_type;

            fn from_form(form: &$crate::DataForm) -> ::std::result::Result<Self, ::xep_element::Error> {
                $crate::check_form_type(form, $form_type)?;
                const KNOWN: &[&str] = &[$crate::FORM_TYPE, $($var),*];
                ::std::result::Result::Ok($name {
                    $( $field: $crate::read_field(form, $var)?, )*
                    other: form
                        .fields
                        .iter()
                        .filter(|f| !f.var.as_deref().is_some_and(|v| KNOWN.contains(&v)))
                        .cloned()
                        .collect(),
                })
            }

            fn to_form(&self, type_: $crate::FormType) -> $crate::DataForm {
                let mut form = $crate::DataForm::with_form_type(type_, $form_type, ::std::vec::Vec::new());
                $( $crate::write_field(
                    &mut form,
                    $var,
                    &self.$field,
                    $crate::__form_view_type!($($ft)?),
                ); )*
                form.fields.extend(self.other.iter().cloned());
                form
            }
        }
    };
}
