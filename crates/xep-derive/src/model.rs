//! The model: what a declaration means, built from its attributes and its
//! Rust types. The expansions read only this.
//!
//! Building it checks what the attributes alone cannot: the field types
//! against their kinds (a `Vec` attribute, `min` on a child that is not a
//! `Vec`, a `flag` that is not a `bool`, ...), the shape of variants, and
//! what must be unique in one element (its text, its extension point, its
//! attribute and child names, its variants' names and values).

use std::collections::HashMap;

use quote::ToTokens;
use syn::{Data, DeriveInput, Expr, Fields, Generics, Ident, LitStr, Type};

use crate::attr::{self, ContainerPlace, Keyed, VariantPlace};
use crate::ctxt::Ctxt;

/// The namespace of an element.
#[derive(Clone)]
pub enum Ns {
    /// A string literal or a path to a `&str` constant.
    Expr(Expr),
    /// `content`: any stanza content namespace (`jabber:client`, ...).
    Content,
}

impl Ns {
    fn from_expr(e: Expr) -> Self {
        if attr::is_content(&e) {
            Ns::Content
        } else {
            Ns::Expr(e)
        }
    }

    /// A key telling namespaces apart (the tokens, not the value).
    fn key(&self) -> String {
        match self {
            Ns::Expr(e) => e.to_token_stream().to_string(),
            Ns::Content => "content".into(),
        }
    }
}

/// How many of a field there are, from its type.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Card {
    /// `T`: exactly one.
    One,
    /// `Option<T>`: zero or one.
    Opt,
    /// `Vec<T>`: any number.
    Many,
}

/// `#[derive(XmlElement)]` on a struct or on an enum.
pub enum Element<'a> {
    Struct(Box<Struct<'a>>),
    Enum(Enum<'a>),
}

/// An element declared by a struct.
pub struct Struct<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    pub ns: Ns,
    pub name: LitStr,
    /// `validate = path`: run on the value after parsing.
    pub validate: Option<syn::Path>,
    /// A unit struct (`struct Ping;`), built without braces.
    pub unit: bool,
    pub fields: Vec<Field<'a>>,
}

/// A field of an element struct.
pub struct Field<'a> {
    pub ident: &'a Ident,
    /// The field's number in the generated child dispatch (1-based
    /// declaration index).
    pub which: u32,
    pub kind: Kind,
    pub card: Card,
    /// The type inside `Option`, `Vec` and `Box`.
    pub inner: Type,
    /// `Box<T>` (recursion): only for `child` fields.
    pub boxed: bool,
}

/// What a field maps to, with names and namespaces resolved.
pub enum Kind {
    /// An attribute (also `lang`: `xml:lang`). `ns: None` is no namespace.
    Attr { ns: Option<Expr>, name: String },
    /// Child elements of another element type; `min`: the least number of
    /// a `Vec` child.
    Child { min: u32 },
    /// A text-only child; `ns` is the parent's unless given.
    TextChild { ns: Ns, name: String },
    /// An empty child whose presence is a `bool`.
    Flag { ns: Ns, name: String },
    /// The element's character data.
    Text,
    /// Every other child (extension point); `foreign`: only children of
    /// other namespaces.
    Children { foreign: bool },
    /// Every other attribute.
    Attrs,
    /// The content namespace the element was read in and is written in
    /// (`xep_element::ContentNs`), for an element of namespace `content`.
    ContentNs,
}

/// An element enum: a choice between elements.
pub struct Enum<'a> {
    pub ident: &'a Ident,
    pub variants: Vec<Variant<'a>>,
}

pub struct Variant<'a> {
    pub ident: &'a Ident,
    /// The variant's number in the generated dispatch (declaration index).
    pub which: u32,
    pub kind: VariantKind,
}

pub enum VariantKind {
    /// An empty element of the enum's namespace.
    Unit { ns: Ns, name: String },
    /// A variant holding another element type (`Box` for recursion).
    Element { inner: Type, boxed: bool },
    /// `#[xml(other)]`: any other element, captured.
    Other { inner: Type },
}

/// `#[derive(XmlValue)]`: an enum of values.
pub struct ValueEnum<'a> {
    pub ident: &'a Ident,
    /// In declaration order.
    pub variants: Vec<ValueVariant<'a>>,
}

pub enum ValueVariant<'a> {
    /// An enumerated value.
    Unit { ident: &'a Ident, value: String },
    /// `#[xml(other)] Other(String)`: every other value.
    Other { ident: &'a Ident },
}

impl<'a> Element<'a> {
    /// The model of `#[derive(XmlElement)]`; `None` when an error was
    /// recorded.
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        match &input.data {
            Data::Struct(s) => {
                element_struct(cx, input, &s.fields).map(|s| Element::Struct(Box::new(s)))
            }
            Data::Enum(e) => element_enum(cx, input, e).map(Element::Enum),
            Data::Union(_) => {
                cx.error_spanned_by(&input.ident, "unions are not elements");
                None
            }
        }
    }
}

impl<'a> ValueEnum<'a> {
    /// The model of `#[derive(XmlValue)]`; `None` when an error was
    /// recorded.
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let Data::Enum(e) = &input.data else {
            cx.error_spanned_by(&input.ident, "XmlValue derives only for enums");
            return None;
        };
        attr::Container::from_ast(cx, &input.attrs, ContainerPlace::ValueEnum);
        let mut variants = Vec::new();
        let mut other: Option<&Ident> = None;
        let mut values: HashMap<String, &Ident> = HashMap::new();
        for v in &e.variants {
            let va = attr::Variant::from_ast(cx, &v.attrs, VariantPlace::Value);
            attr::reject_variant_fields(cx, &v.fields);
            if let Some(o) = &va.other {
                if !matches!(&v.fields, Fields::Unnamed(u) if u.unnamed.len() == 1) {
                    cx.error_spanned_by(
                        variant_tokens(v),
                        "the `other` variant keeps the unknown value: `#[xml(other)] Other(String)`",
                    );
                }
                if let Some(value) = &va.value {
                    cx.error_spanned_by(
                        value,
                        "`value` does not apply to the `other` variant: it keeps every unknown value",
                    );
                }
                match other {
                    Some(first) => cx.error_spanned_by(
                        o,
                        format!(
                            "a second `other` variant: `{first}` already keeps every unknown value"
                        ),
                    ),
                    None => other = Some(&v.ident),
                }
                variants.push(ValueVariant::Other { ident: &v.ident });
                continue;
            }
            if !matches!(v.fields, Fields::Unit) {
                cx.error_spanned_by(
                    variant_tokens(v),
                    "value variants are unit variants (or #[xml(other)] Other(String))",
                );
                continue;
            }
            let value = va.value.map(|k| k.value).unwrap_or_else(|| kebab(&v.ident));
            if let Some(first) = values.get(&value) {
                cx.error_spanned_by(
                    &v.ident,
                    format!("the value \"{value}\" is already variant `{first}`"),
                );
            } else {
                values.insert(value.clone(), &v.ident);
            }
            variants.push(ValueVariant::Unit {
                ident: &v.ident,
                value,
            });
        }
        Some(ValueEnum {
            ident: &input.ident,
            variants,
        })
    }
}

fn element_struct<'a>(cx: &Ctxt, input: &'a DeriveInput, fields: &'a Fields) -> Option<Struct<'a>> {
    let ca = attr::Container::from_ast(cx, &input.attrs, ContainerPlace::ElementStruct);
    let ns = ca.ns.map(|k| Ns::from_expr(k.value));
    let name = ca.name.map(|k| k.value);
    match (
        ns.is_none() && !ca.ns_written,
        name.is_none() && !ca.name_written,
    ) {
        (true, true) => cx.error_spanned_by(
            &input.ident,
            "missing #[xml(ns = ..., name = \"...\")]: the element's namespace and name",
        ),
        (true, false) => cx.error_spanned_by(&input.ident, "missing #[xml(ns = ...)]"),
        (false, true) => cx.error_spanned_by(&input.ident, "missing #[xml(name = \"...\")]"),
        (false, false) => {}
    }
    let named: Vec<&syn::Field> = match fields {
        Fields::Named(n) => n.named.iter().collect(),
        Fields::Unit => Vec::new(),
        Fields::Unnamed(_) => {
            cx.error_spanned_by(fields, "element structs need named fields (or none)");
            Vec::new()
        }
    };

    let mut out = Vec::new();
    // The field that holds each thing of which an element has at most one,
    // and the field of each attribute and text or flag child name.
    let mut text: Option<&Ident> = None;
    let mut children: Option<&Ident> = None;
    let mut attrs: Option<&Ident> = None;
    let mut content_ns: Option<&Ident> = None;
    let mut attr_names: HashMap<(String, String), &Ident> = HashMap::new();
    let mut child_names: HashMap<(String, String), &Ident> = HashMap::new();
    for (idx, f) in named.iter().enumerate() {
        let fa = attr::Field::from_ast(cx, f);
        let ident = f.ident.as_ref().expect("named field");
        let Some(Keyed {
            tokens: declared,
            value: kind,
        }) = fa.kind
        else {
            continue;
        };
        let (card, inner, boxed) = cardinality(&f.ty);
        let ident_name = ident.to_string().trim_start_matches("r#").replace('_', "-");
        let not_boxed = |what: &str| {
            if boxed {
                cx.error_spanned_by(
                    &f.ty,
                    format!("`Box` applies to `child` fields, not to {what}"),
                );
            }
        };
        let once = |seen: &mut Option<&'a Ident>, msg: &str| match seen {
            Some(first) => cx.error_spanned_by(&declared, format!("{msg} `{first}`")),
            None => *seen = Some(ident),
        };
        let unique = |names: &mut HashMap<(String, String), &'a Ident>,
                      key: (String, String),
                      what: String| {
            if let Some(first) = names.get(&key) {
                cx.error_spanned_by(
                    &declared,
                    format!("{what} is already mapped by field `{first}`"),
                );
            } else {
                names.insert(key, ident);
            }
        };
        // A text or flag child: named after the field unless given, in the
        // parent's namespace unless given (a placeholder when the parent's
        // is missing: that error is already recorded).
        let mut child = |tns: Option<Expr>, name: Option<String>| {
            let name = name.unwrap_or_else(|| ident_name.clone());
            let tns = match tns {
                Some(e) => Ns::from_expr(e),
                None => ns.clone().unwrap_or(Ns::Content),
            };
            unique(
                &mut child_names,
                (tns.key(), name.clone()),
                format!("the child <{name}>"),
            );
            (tns, name)
        };
        let kind = match kind {
            attr::Kind::Attr { .. } | attr::Kind::Lang => {
                let is_lang = matches!(kind, attr::Kind::Lang);
                let (ans, aname) = match kind {
                    attr::Kind::Attr { ns, name } => {
                        (ns, name.unwrap_or_else(|| ident_name.clone()))
                    }
                    _ => (
                        Some(syn::parse_quote!(::xep_element::ns::XML)),
                        "lang".to_string(),
                    ),
                };
                if card == Card::Many {
                    cx.error_spanned_by(&f.ty, "an attribute cannot be a Vec");
                }
                not_boxed("attributes");
                let ns_key = ans
                    .as_ref()
                    .map(|e| e.to_token_stream().to_string())
                    .unwrap_or_default();
                let shown = if is_lang {
                    "xml:lang".to_string()
                } else {
                    aname.clone()
                };
                unique(
                    &mut attr_names,
                    (ns_key, aname.clone()),
                    format!("the attribute `{shown}`"),
                );
                Kind::Attr {
                    ns: ans,
                    name: aname,
                }
            }
            attr::Kind::Child { min } => {
                if let Some(min) = &min
                    && card != Card::Many
                {
                    cx.error_spanned_by(min, "`min` applies to a Vec child only");
                }
                Kind::Child {
                    min: min.map_or(0, |k| k.value),
                }
            }
            attr::Kind::TextChild { ns: tns, name } => {
                let (ns, name) = child(tns, name);
                not_boxed("text children");
                Kind::TextChild { ns, name }
            }
            attr::Kind::Flag { ns: tns, name } => {
                let (ns, name) = child(tns, name);
                if !is_bool(&f.ty) {
                    cx.error_spanned_by(
                        &f.ty,
                        "a `flag` field is a `bool` (whether the empty child is present)",
                    );
                }
                Kind::Flag { ns, name }
            }
            attr::Kind::Text => {
                once(&mut text, "a second `text` field: the text already goes to");
                if card == Card::Many {
                    cx.error_spanned_by(&f.ty, "text cannot be a Vec");
                }
                not_boxed("text");
                Kind::Text
            }
            attr::Kind::Children { foreign } => {
                once(
                    &mut children,
                    "a second `children` field: every other child already goes to",
                );
                if card != Card::Many {
                    cx.error_spanned_by(&f.ty, "children must be a Vec");
                }
                not_boxed("children");
                Kind::Children { foreign }
            }
            attr::Kind::Attrs => {
                once(
                    &mut attrs,
                    "a second `attrs` field: every other attribute already goes to",
                );
                if card != Card::Many {
                    cx.error_spanned_by(&f.ty, "attrs must be a Vec<ForeignAttr>");
                }
                not_boxed("attrs");
                Kind::Attrs
            }
            attr::Kind::ContentNs => {
                once(
                    &mut content_ns,
                    "a second `content_ns` field: the namespace already goes to",
                );
                if !matches!(ns, Some(Ns::Content)) {
                    cx.error_spanned_by(
                        &declared,
                        "`content_ns` applies to an element of namespace `content` (a stanza)",
                    );
                }
                if card != Card::One {
                    cx.error_spanned_by(&f.ty, "a `content_ns` field is a `ContentNs`");
                }
                not_boxed("content_ns");
                Kind::ContentNs
            }
        };
        out.push(Field {
            ident,
            which: idx as u32 + 1,
            kind,
            card,
            inner,
            boxed,
        });
    }
    Some(Struct {
        ident: &input.ident,
        generics: &input.generics,
        ns: ns?,
        name: name?,
        validate: ca.validate.map(|k| k.value),
        unit: matches!(fields, Fields::Unit),
        fields: out,
    })
}

fn element_enum<'a>(cx: &Ctxt, input: &'a DeriveInput, e: &'a syn::DataEnum) -> Option<Enum<'a>> {
    let ca = attr::Container::from_ast(cx, &input.attrs, ContainerPlace::ElementEnum);
    let ns = ca.ns.as_ref().map(|k| Ns::from_expr(k.value.clone()));
    let mut variants = Vec::new();
    let mut other: Option<&Ident> = None;
    let mut names: HashMap<String, &Ident> = HashMap::new();
    let mut units = 0;
    for (i, v) in e.variants.iter().enumerate() {
        let va = attr::Variant::from_ast(cx, &v.attrs, VariantPlace::Element);
        attr::reject_variant_fields(cx, &v.fields);
        let which = i as u32;
        match &v.fields {
            Fields::Unit => {
                units += 1;
                if let Some(o) = &va.other {
                    cx.error_spanned_by(
                        o,
                        "`other` applies to a variant holding a `Payload` or a `minidom::Element`, not to a unit variant",
                    );
                }
                let name = va.name.map(|k| k.value).unwrap_or_else(|| kebab(&v.ident));
                if let Some(first) = names.get(&name) {
                    cx.error_spanned_by(
                        &v.ident,
                        format!("the element <{name}> is already variant `{first}`"),
                    );
                } else {
                    names.insert(name.clone(), &v.ident);
                }
                match &ns {
                    Some(ns) => variants.push(Variant {
                        ident: &v.ident,
                        which,
                        kind: VariantKind::Unit {
                            ns: ns.clone(),
                            name,
                        },
                    }),
                    None if units == 1 => cx.error_spanned_by(
                        &v.ident,
                        "unit variants need #[xml(ns = ...)] on the enum",
                    ),
                    None => {}
                }
            }
            Fields::Unnamed(u) if u.unnamed.len() == 1 => {
                let fty = &u.unnamed[0].ty;
                if let Some(n) = &va.name {
                    cx.error_spanned_by(
                        n,
                        "`name` applies to unit variants: a variant holding an element is named by that element's type",
                    );
                }
                let (card, inner, boxed) = cardinality(fty);
                if card != Card::One {
                    cx.error_spanned_by(
                        fty,
                        "a variant holds one element: `T` or `Box<T>`, not an Option or a Vec",
                    );
                }
                let kind = match &va.other {
                    Some(o) => {
                        match other {
                            Some(first) => cx.error_spanned_by(
                                o,
                                format!("a second `other` variant: `{first}` already takes every other element"),
                            ),
                            None => other = Some(&v.ident),
                        }
                        if boxed {
                            cx.error_spanned_by(
                                fty,
                                "the `other` variant holds a `Payload` or a `minidom::Element`, not a `Box`",
                            );
                        }
                        VariantKind::Other { inner }
                    }
                    None => VariantKind::Element { inner, boxed },
                };
                variants.push(Variant {
                    ident: &v.ident,
                    which,
                    kind,
                });
            }
            _ => cx.error_spanned_by(
                variant_tokens(v),
                "element enum variants are unit variants or hold one element type",
            ),
        }
    }
    if units == 0
        && let Some(k) = &ca.ns
    {
        cx.error_spanned_by(
            k,
            "`ns` applies to the unit variants of an element enum, and this enum has none: each variant's element type names its own namespace",
        );
    }
    Some(Enum {
        ident: &input.ident,
        variants,
    })
}

/// A variant without its attributes, for errors about its shape.
fn variant_tokens(v: &syn::Variant) -> proc_macro2::TokenStream {
    let (ident, fields) = (&v.ident, &v.fields);
    quote::quote!(#ident #fields)
}

/// Splits `Option<T>` / `Vec<T>` / `T` and `Box<T>` inside them.
fn cardinality(ty: &Type) -> (Card, Type, bool) {
    let (card, inner) = match wrapper(ty, "Option") {
        Some(t) => (Card::Opt, t),
        None => match wrapper(ty, "Vec") {
            Some(t) => (Card::Many, t),
            None => (Card::One, ty.clone()),
        },
    };
    match wrapper(&inner, "Box") {
        Some(t) => (card, t, true),
        None => (card, inner, false),
    }
}

fn wrapper(ty: &Type, name: &str) -> Option<Type> {
    if let Type::Path(p) = ty
        && p.qself.is_none()
        && let Some(seg) = p.path.segments.last()
        && seg.ident == name
        && let syn::PathArguments::AngleBracketed(args) = &seg.arguments
        && args.args.len() == 1
        && let syn::GenericArgument::Type(t) = &args.args[0]
    {
        return Some(t.clone());
    }
    None
}

fn is_bool(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "bool" && s.arguments.is_none()))
}

/// `BadRequest` → `bad-request`.
fn kebab(ident: &Ident) -> String {
    let s = ident.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.extend(c.to_lowercase());
        } else if c == '_' {
            out.push('-');
        } else {
            out.push(c);
        }
    }
    out
}
