//! Derive macros for `xep-element`: elements are declared, not hand-parsed.
//!
//! ```
//! use xep_element::{XmlElement, XmlValue};
//!
//! const NS: &str = "urn:example:note";
//!
//! #[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq)]
//! enum Priority {
//!     Low,
//!     RightNow,
//! }
//!
//! #[derive(XmlElement, Debug, PartialEq)]
//! #[xml(ns = NS, name = "note")]
//! struct Note {
//!     #[xml(attr)]
//!     priority: Option<Priority>,
//!     #[xml(text_child(name = "to"))]
//!     to: Vec<String>,
//!     #[xml(flag(name = "private"))]
//!     private: bool,
//! }
//!
//! let xml = "<note xmlns='urn:example:note' priority='right-now'>\
//!            <to>juliet@capulet.lit</to><private/></note>";
//! let note = Note::from_xml(xml.as_bytes()).unwrap();
//! assert_eq!(note.priority, Some(Priority::RightNow));
//! assert_eq!(note.to, ["juliet@capulet.lit"]);
//! assert!(note.private);
//! assert_eq!(note.to_xml(), xml);
//! ```
//!
//! # `#[derive(XmlElement)]` on a struct
//!
//! The struct attribute names the element: `#[xml(ns = "urn:xmpp:ping",
//! name = "ping")]`. `ns` is a string literal, a path to a `&str` constant,
//! or `content` for the stanza content namespace (`jabber:client`,
//! `jabber:server`, ...: the element is accepted in any of them and written
//! in the one in scope, or in the one a `content_ns` field keeps). Fields say what they map to; the field's type says
//! the cardinality (`T` required, `Option<T>` optional, `Vec<T>` any
//! number, `Box<T>` for recursion):
//!
//! | field attribute | maps to | field type |
//! |---|---|---|
//! | `attr` / `attr(name = "type", ns = NS)` | attribute (name defaults to the field name, `-` for `_`) | `T: XmlValue`, `Option<T>` |
//! | `lang` | `xml:lang` | `Option<String>` |
//! | `child` / `child(min = 1)` | child element(s) of another element type; `min`: the least number of a `Vec` | `T: XmlElement`, `Option`, `Vec`, `Box` |
//! | `text_child(name = "reason", ns = NS)` | text-only child (name defaults to the field name, namespace to the parent's) | `T: XmlValue`, `Option`, `Vec` |
//! | `flag(name = "required", ns = NS)` | empty child whose presence is a flag (same defaults) | `bool` |
//! | `text` | the element's character data | `T: XmlValue`, `Option<T>` |
//! | `children` | every other child element (extension point) | `Vec<Payload>` or `Vec<minidom::Element>` |
//! | `children(foreign)` | every other child of another namespace (an unknown child of the element's own namespace stays an error) | same |
//! | `attrs` | every other attribute | `Vec<ForeignAttr>` |
//! | `content_ns` | for an element of namespace `content`: the content namespace it was read in, and is written in whatever namespace is in scope (a stanza keeps `jabber:server` or `jabber:component:accept` on every path) | `ContentNs` |
//!
//! `#[xml(validate = path::to::check)]` on the struct names a
//! `fn(&Self) -> Result<(), Error>` run after parsing, for rules that span
//! fields (e.g. an `iq` of type `get` carries exactly one payload).
//!
//! Without `children`, an unknown child is an error; without `attrs`, an
//! unknown attribute is an error; without `text`, non-whitespace text is an
//! error. Fields are written in declaration order.
//!
//! # `#[derive(XmlElement)]` on an enum
//!
//! An enum is a choice between elements: `#[xml(ns = NS)]` on the enum, then
//! unit variants are empty elements of that namespace named after the
//! variant in kebab-case (`BadRequest` is `<bad-request/>`; override with
//! `#[xml(name = "...")]`), and one-field tuple variants hold another element
//! type (`Ping(Ping)`, or `Box<T>`). A variant marked `#[xml(other)]` holding a
//! `Payload` or `minidom::Element` accepts any other element. `ns` on the
//! enum is for its unit variants: an enum without any takes none.
//!
//! # `#[derive(XmlValue)]` on an enum
//!
//! Unit variants are the enumerated values, named in kebab-case of the
//! variant (`#[xml(value = "...")]` overrides); a variant `#[xml(other)]
//! Other(String)` keeps unknown values instead of rejecting them. The enum
//! itself takes no `#[xml]`.
//!
//! # What is rejected
//!
//! Every key is checked against where it is written: a key unknown or not
//! applying there (`attr(min = 1)`, `child(foreign)`, `name` on an element
//! enum), a duplicate key, a second `#[xml]` attribute on one item, two
//! kinds on one field, and a type that does not fit the kind (a `Vec`
//! attribute or text, `children` or `attrs` that is not a `Vec`, `min` on a
//! child that is not a `Vec`, a `flag` that is not a `bool`, `Box` outside
//! `child`) are errors. So are a second `text`, `children` or `attrs` field,
//! two fields mapping the same attribute or text/flag child, two variants of
//! the same element name or value, and a second `other` variant. All the
//! errors of one declaration are reported at once, each at its tokens.
//!
//! # Layout
//!
//! Organised like serde_derive's internals:
//!
//! - `attr`: `#[xml(...)]` on containers, variants and fields parsed into
//!   typed attribute values, every key checked against its place;
//! - `ctxt`: the error collector, every error kept with its span and
//!   emitted at once (`syn::Error::combine`);
//! - `model`: the container, variant and field model built from the
//!   attributes and the types (kinds, cardinality from `Option`/`Vec`/`Box`,
//!   resolved names and namespaces), with the checks that need the types;
//! - `expand`: the generated code, one module per part (`parse`, `write`,
//!   `desc`, `value`), each reading only the model.
//!
//! `tests/ui/` holds the compile-fail tests of the error messages, with
//! their expected output (`*.stderr`).

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

mod attr;
mod ctxt;
mod expand;
mod model;

/// Implements `XmlElement` (see the crate docs).
#[proc_macro_derive(XmlElement, attributes(xml))]
pub fn derive_element(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive_element(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `XmlValue` for an enum of values (see the crate docs).
#[proc_macro_derive(XmlValue, attributes(xml))]
pub fn derive_value(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive_value(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
