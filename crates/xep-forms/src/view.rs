//! Typed views over registered form types (XEP-0068).
//!
//! A registered form type (`muc#roomconfig`, `pubsub#node_config`, ...) is a
//! [`DataForm`] whose hidden `FORM_TYPE` field names it and whose fields
//! have registered names and types. A *view* is a plain struct with one
//! typed field per registered field, converted to and from the form by
//! [`FormView`]. [`form_view!`](crate::form_view) declares one in a few
//! lines:
//!
//! ```
//! use xep_forms::{DataForm, FormType, FormView, form_view};
//! use xep_element::jid::Jid;
//!
//! form_view! {
//!     /// Configuration of a (made-up) bot service.
//!     pub struct BotConfig = "urn:example:bot-config" {
//!         /// A friendly name.
//!         name: Option<String> = "bot#name",
//!         /// Whether anyone may talk to the bot.
//!         public: Option<bool> = "bot#public",
//!         /// Who administers it.
//!         admins: Vec<Jid> = "bot#admins",
//!         /// How many messages per minute it accepts.
//!         rate: Option<u32> = "bot#rate",
//!     }
//! }
//!
//! let cfg = BotConfig {
//!     name: Some("Tybalt".into()),
//!     public: Some(true),
//!     admins: vec!["capulet@example.com".parse().unwrap()],
//!     rate: None,
//!     ..BotConfig::default()
//! };
//! let form = cfg.to_form(FormType::Submit);
//! assert_eq!(form.form_type(), Some("urn:example:bot-config"));
//! assert_eq!(BotConfig::from_form(&form).unwrap(), cfg);
//! ```
//!
//! Fields of the form that the view does not name are kept in the view's
//! `other` field, so a view round-trips every form of its type.

use xep_element::jid::Jid;
use xep_element::{Error, XmlValue, XsdBool};

use crate::{DataForm, Field, FieldType, FormType};

/// A typed view of a registered form type.
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
/// [`form_view!`](crate::form_view).
pub trait FieldData: Sized {
    /// The field type written for it.
    const TYPE: FieldType;
    /// Reads the values of `field` (absent field: `None`).
    fn read(field: Option<&Field>) -> Result<Self, String>;
    /// The values to write; `None` writes no field.
    fn write(&self) -> Option<Vec<String>>;
}

fn single(field: Option<&Field>) -> Result<Option<&str>, String> {
    match field.map(|f| f.values.as_slice()) {
        None | Some([]) => Ok(None),
        Some([v]) => Ok(Some(v)),
        Some(vs) => Err(format!("expected one value, found {}", vs.len())),
    }
}

impl FieldData for Option<String> {
    const TYPE: FieldType = FieldType::TextSingle;
    fn read(field: Option<&Field>) -> Result<Self, String> {
        Ok(single(field)?.map(str::to_string))
    }
    fn write(&self) -> Option<Vec<String>> {
        self.as_ref().map(|v| vec![v.clone()])
    }
}

impl FieldData for Option<bool> {
    const TYPE: FieldType = FieldType::Boolean;
    fn read(field: Option<&Field>) -> Result<Self, String> {
        single(field)?
            .map(|v| XsdBool::from_xml(v).map(bool::from))
            .transpose()
    }
    fn write(&self) -> Option<Vec<String>> {
        self.map(|b| vec![if b { "1" } else { "0" }.into()])
    }
}

macro_rules! numeric_field_data {
    ($($t:ty),*) => {$(
        impl FieldData for Option<$t> {
            const TYPE: FieldType = FieldType::TextSingle;
            fn read(field: Option<&Field>) -> Result<Self, String> {
                single(field)?
                    .map(|v| v.trim().parse::<$t>().map_err(|e| format!("'{v}': {e}")))
                    .transpose()
            }
            fn write(&self) -> Option<Vec<String>> {
                self.map(|n| vec![n.to_string()])
            }
        }
    )*};
}
numeric_field_data!(u32, u64, i32, i64);

impl FieldData for Option<Jid> {
    const TYPE: FieldType = FieldType::JidSingle;
    fn read(field: Option<&Field>) -> Result<Self, String> {
        single(field)?
            .map(|v| v.parse::<Jid>().map_err(|e| format!("'{v}': {e}")))
            .transpose()
    }
    fn write(&self) -> Option<Vec<String>> {
        self.as_ref().map(|j| vec![j.to_string()])
    }
}

impl FieldData for Vec<Jid> {
    const TYPE: FieldType = FieldType::JidMulti;
    fn read(field: Option<&Field>) -> Result<Self, String> {
        field
            .map(|f| f.values.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|v| v.parse::<Jid>().map_err(|e| format!("'{v}': {e}")))
            .collect()
    }
    fn write(&self) -> Option<Vec<String>> {
        (!self.is_empty()).then(|| self.iter().map(Jid::to_string).collect())
    }
}

impl FieldData for Vec<String> {
    const TYPE: FieldType = FieldType::ListMulti;
    fn read(field: Option<&Field>) -> Result<Self, String> {
        Ok(field.map(|f| f.values.clone()).unwrap_or_default())
    }
    fn write(&self) -> Option<Vec<String>> {
        (!self.is_empty()).then(|| self.clone())
    }
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

/// Writes the view field `var` into `form` (used by [`form_view!`]).
///
/// [`form_view!`]: crate::form_view
pub fn write_field<T: FieldData>(form: &mut DataForm, var: &str, value: &T) {
    if let Some(values) = value.write() {
        form.fields.push(Field::new(var, Some(T::TYPE), values));
    }
}

/// Checks the `FORM_TYPE` of `form` for a view of `form_type`.
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
/// `Vec<T>` field per registered field (`T` implementing [`FieldData`]),
/// plus `other: Vec<Field>` keeping the fields the view does not name.
/// See the [module docs](crate::view) for an example.
#[macro_export]
macro_rules! form_view {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident = $form_type:literal {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $var:literal ),* $(,)?
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
                $crate::view::check_form_type(form, $form_type)?;
                const KNOWN: &[&str] = &[$crate::FORM_TYPE, $($var),*];
                ::std::result::Result::Ok($name {
                    $( $field: $crate::view::read_field(form, $var)?, )*
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
                $( $crate::view::write_field(&mut form, $var, &self.$field); )*
                form.fields.extend(self.other.iter().cloned());
                form
            }
        }
    };
}
