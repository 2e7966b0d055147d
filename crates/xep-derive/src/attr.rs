//! `#[xml(...)]` attributes, parsed into typed values.
//!
//! Each place has its own set of keys: a struct (`ns`, `name`, `validate`),
//! an element enum (`ns`), a value enum (none), a variant (`name`, `other`
//! or `value`, `other`), a field (one kind: `attr`, `lang`, `child`,
//! `text_child`, `flag`, `text`, `children`, `attrs`) and each field kind
//! (its own options). A key that is not in the set of its place is an
//! error, and so are a duplicate key, a second kind on a field and a second
//! `#[xml]` attribute. Every error is recorded in the [`Ctxt`] and parsing
//! goes on, so that all of them are reported at once. What depends on the
//! Rust types (a `Vec` where one value is allowed, ...) is checked by the
//! model.

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Attribute, Expr, Lit, LitStr, Path, Token};

use crate::ctxt::Ctxt;

/// A parsed value with the tokens it was written as (`key = value`, or a
/// whole field kind), for the errors that the model finds later.
pub struct Keyed<T> {
    pub tokens: TokenStream,
    pub value: T,
}

impl<T> ToTokens for Keyed<T> {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.tokens.to_tokens(tokens);
    }
}

/// Every key the derive knows somewhere: a key outside this list is
/// "unknown", a key in it but misplaced "does not apply".
const KNOWN_KEYS: &[&str] = &[
    "ns",
    "name",
    "validate",
    "other",
    "value",
    "attr",
    "lang",
    "child",
    "text_child",
    "flag",
    "text",
    "children",
    "attrs",
    "content_ns",
    "min",
    "foreign",
];

/// The field kinds, in the order the docs list them.
const FIELD_KINDS: &[&str] = &[
    "attr",
    "lang",
    "child",
    "text_child",
    "flag",
    "text",
    "children",
    "attrs",
    "content_ns",
];

/// Where a container attribute is written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ContainerPlace {
    /// `#[derive(XmlElement)]` on a struct.
    ElementStruct,
    /// `#[derive(XmlElement)]` on an enum.
    ElementEnum,
    /// `#[derive(XmlValue)]` on an enum.
    ValueEnum,
}

/// `#[xml(...)]` on a struct or an enum.
pub struct Container {
    pub ns: Option<Keyed<Expr>>,
    pub name: Option<Keyed<LitStr>>,
    pub validate: Option<Keyed<Path>>,
    /// `ns` / `name` were written, even with a malformed value (already
    /// reported): not to be reported missing as well.
    pub ns_written: bool,
    pub name_written: bool,
}

impl Container {
    pub fn from_ast(cx: &Ctxt, attrs: &[Attribute], place: ContainerPlace) -> Self {
        let mut ns = Slot::new("ns");
        let mut name = Slot::new("name");
        let mut validate = Slot::new("validate");
        let (what, expected) = match place {
            ContainerPlace::ElementStruct => ("an element struct", "`ns`, `name` or `validate`"),
            ContainerPlace::ElementEnum => (
                "an element enum",
                "`ns` (a unit variant is named by #[xml(name = \"...\")] on the variant)",
            ),
            ContainerPlace::ValueEnum => (
                "a value enum",
                "no key here (`value` and `other` go on the variants)",
            ),
        };
        let this = match place {
            ContainerPlace::ElementStruct => "struct",
            _ => "enum",
        };
        for (_, attr) in xml_attrs(cx, attrs, this) {
            let parsed = attr.parse_nested_meta(|m| {
                let key = key_name(&m.path);
                match (key.as_str(), place) {
                    ("ns", ContainerPlace::ElementStruct | ContainerPlace::ElementEnum) => {
                        ns.written = true;
                        if let Some((tokens, e)) = value_expr(cx, &m, "ns", "...")? {
                            ns.set(cx, &m, tokens, e);
                        }
                    }
                    ("name", ContainerPlace::ElementStruct) => {
                        name.written = true;
                        if let Some((tokens, s)) = lit_str(cx, &m, "name")? {
                            name.set(cx, &m, tokens, s);
                        }
                    }
                    ("validate", ContainerPlace::ElementStruct) => {
                        if let Some((tokens, e)) =
                            value_expr(cx, &m, "validate", "path::to::check")?
                        {
                            match e {
                                Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => {
                                    validate.set(cx, &m, tokens, p.path);
                                }
                                other => cx.error_spanned_by(
                                    other,
                                    "`validate` names a function: `validate = path::to::check`",
                                ),
                            }
                        }
                    }
                    _ => reject(cx, &m, what, expected)?,
                }
                Ok(())
            });
            if let Err(e) = parsed {
                cx.syn_error(e);
            }
        }
        Container {
            ns_written: ns.written,
            name_written: name.written,
            ns: ns.value,
            name: name.value,
            validate: validate.value,
        }
    }
}

/// What a field maps to, with the options written for it.
pub enum Kind {
    Attr {
        ns: Option<Expr>,
        name: Option<String>,
    },
    Lang,
    Child {
        /// `child(min = n)`, with its tokens for the model's check that
        /// the field is a `Vec`.
        min: Option<Keyed<u32>>,
    },
    TextChild {
        ns: Option<Expr>,
        name: Option<String>,
    },
    Flag {
        ns: Option<Expr>,
        name: Option<String>,
    },
    Text,
    Children {
        foreign: bool,
    },
    Attrs,
    ContentNs,
}

/// `#[xml(...)]` on a field of an element struct.
pub struct Field {
    /// The kind and the tokens that declared it (`attr(name = "type")`);
    /// `None` after an error (already recorded).
    pub kind: Option<Keyed<Kind>>,
}

impl Field {
    pub fn from_ast(cx: &Ctxt, field: &syn::Field) -> Self {
        let errors_before = cx.error_count();
        // The kind, its key and the index of the attribute declaring it.
        let mut kind: Option<(String, Keyed<Kind>, usize)> = None;
        for (index, attr) in xml_attrs(cx, &field.attrs, "field") {
            let parsed = attr.parse_nested_meta(|m| {
                let key = key_name(&m.path);
                if !FIELD_KINDS.contains(&key.as_str()) {
                    return reject(
                        cx,
                        &m,
                        "a field",
                        "one of `attr`, `lang`, `child`, `text_child`, `flag`, `text`, `children`, `attrs`, `content_ns`",
                    );
                }
                let parsed = field_kind(cx, &m, &key)?;
                match &kind {
                    // Across two attributes: the second one is already
                    // reported.
                    Some((_, _, first_index)) if *first_index != index => {}
                    Some((first, _, _)) => cx.error_spanned_by(
                        &parsed,
                        format!("`{key}` conflicts with `{first}`: a field maps to one thing"),
                    ),
                    None => kind = Some((key, parsed, index)),
                }
                Ok(())
            });
            if let Err(e) = parsed {
                cx.syn_error(e);
            }
        }
        if kind.is_none() && cx.error_count() == errors_before {
            let at = match &field.ident {
                Some(i) => i.to_token_stream(),
                None => field.to_token_stream(),
            };
            cx.error_spanned_by(
                at,
                "every field needs #[xml(attr | lang | child | text_child | flag | text | children | attrs | content_ns)]",
            );
        }
        Field {
            kind: kind.map(|(_, k, _)| k),
        }
    }
}

/// Parses one field kind and its options (`attr(ns = NS, name = "type")`).
fn field_kind(cx: &Ctxt, m: &ParseNestedMeta, key: &str) -> syn::Result<Keyed<Kind>> {
    let options: &[&str] = match key {
        "attr" | "text_child" | "flag" => &["ns", "name"],
        "child" => &["min"],
        "children" => &["foreign"],
        _ => &[],
    };
    let path = &m.path;
    let mut tokens = path.to_token_stream();
    if m.input.peek(Token![=]) {
        let hint = match options.first() {
            Some(o) => format!(": its options go in parentheses, `{key}({o} = ...)`"),
            None => String::new(),
        };
        cx.error_spanned_by(path, format!("`{key}` takes no value{hint}"));
        skip(m)?;
    }
    let mut ns = Slot::new("ns");
    let mut name = Slot::new("name");
    let mut min = Slot::new("min");
    let mut foreign = Slot::new("foreign");
    if m.input.peek(syn::token::Paren) {
        let group: TokenTree = m.input.parse()?;
        tokens = quote!(#path #group);
        let TokenTree::Group(group) = group else {
            unreachable!("peeked a parenthesis")
        };
        if options.is_empty() {
            cx.error_spanned_by(&tokens, format!("`{key}` takes no options"));
        } else {
            let place = format!("`{key}`");
            let expected = one_of(options);
            let parser = syn::meta::parser(|n| {
                let sub = key_name(&n.path);
                match sub.as_str() {
                    "ns" if options.contains(&"ns") => {
                        if let Some((t, e)) = value_expr(cx, &n, "ns", "...")? {
                            if key == "attr" && is_content(&e) {
                                cx.error_spanned_by(
                                    &t,
                                    "`content` is the namespace of stanza elements: an attribute's `ns` is a string or a constant",
                                );
                            }
                            ns.set(cx, &n, t, e);
                        }
                    }
                    "name" if options.contains(&"name") => {
                        if let Some((t, s)) = lit_str(cx, &n, "name")? {
                            name.set(cx, &n, t, s.value());
                        }
                    }
                    "min" if options.contains(&"min") => {
                        if let Some((t, e)) = value_expr(cx, &n, "min", "1")? {
                            match &e {
                                Expr::Lit(syn::ExprLit {
                                    lit: Lit::Int(i), ..
                                }) => match i.base10_parse::<u32>() {
                                    Ok(v) => min.set(cx, &n, t, v),
                                    Err(err) => cx.syn_error(err),
                                },
                                _ => cx.error_spanned_by(&e, "`min` is an integer: `min = 1`"),
                            }
                        }
                    }
                    "foreign" if options.contains(&"foreign") => {
                        no_value(cx, &n, "foreign")?;
                        foreign.set(cx, &n, n.path.to_token_stream(), ());
                    }
                    _ => reject(cx, &n, &place, &expected)?,
                }
                Ok(())
            });
            if let Err(e) = parser.parse2(group.stream()) {
                cx.syn_error(e);
            }
        }
    }
    let name = name.value.map(|k| k.value);
    let ns = ns.value.map(|k| k.value);
    let value = match key {
        "attr" => Kind::Attr { ns, name },
        "lang" => Kind::Lang,
        "child" => Kind::Child { min: min.value },
        "text_child" => Kind::TextChild { ns, name },
        "flag" => Kind::Flag { ns, name },
        "text" => Kind::Text,
        "children" => Kind::Children {
            foreign: foreign.value.is_some(),
        },
        "attrs" => Kind::Attrs,
        "content_ns" => Kind::ContentNs,
        _ => unreachable!("not a field kind: {key}"),
    };
    Ok(Keyed { tokens, value })
}

/// Whether the variant is of an element enum or of a value enum.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum VariantPlace {
    Element,
    Value,
}

/// `#[xml(...)]` on a variant.
pub struct Variant {
    /// `name = "..."` (element enums).
    pub name: Option<Keyed<String>>,
    /// `value = "..."` (value enums).
    pub value: Option<Keyed<String>>,
    /// `other`.
    pub other: Option<Keyed<()>>,
}

impl Variant {
    pub fn from_ast(cx: &Ctxt, attrs: &[Attribute], place: VariantPlace) -> Self {
        let mut name = Slot::new("name");
        let mut value = Slot::new("value");
        let mut other = Slot::new("other");
        let (what, expected) = match place {
            VariantPlace::Element => ("a variant of an element enum", "`name` or `other`"),
            VariantPlace::Value => ("a variant of a value enum", "`value` or `other`"),
        };
        for (_, attr) in xml_attrs(cx, attrs, "variant") {
            let parsed = attr.parse_nested_meta(|m| {
                let key = key_name(&m.path);
                match (key.as_str(), place) {
                    ("name", VariantPlace::Element) => {
                        if let Some((t, s)) = lit_str(cx, &m, "name")? {
                            name.set(cx, &m, t, s.value());
                        }
                    }
                    ("value", VariantPlace::Value) => {
                        if let Some((t, s)) = lit_str(cx, &m, "value")? {
                            value.set(cx, &m, t, s.value());
                        }
                    }
                    ("other", _) => {
                        no_value(cx, &m, "other")?;
                        other.set(cx, &m, m.path.to_token_stream(), ());
                    }
                    _ => reject(cx, &m, what, expected)?,
                }
                Ok(())
            });
            if let Err(e) = parsed {
                cx.syn_error(e);
            }
        }
        Variant {
            name: name.value,
            value: value.value,
            other: other.value,
        }
    }
}

/// Fields of variants take no `#[xml]`: the variant says what they are.
pub fn reject_variant_fields(cx: &Ctxt, fields: &syn::Fields) {
    for attr in fields
        .iter()
        .flat_map(|f| &f.attrs)
        .filter(|a| a.path().is_ident("xml"))
    {
        cx.error_spanned_by(
            attr,
            "#[xml] does not apply to the field of a variant: put it on the variant",
        );
    }
}

/// A key that may be set once.
struct Slot<T> {
    key: &'static str,
    value: Option<Keyed<T>>,
    /// The key was written (its value may have been malformed).
    written: bool,
}

impl<T> Slot<T> {
    fn new(key: &'static str) -> Self {
        Slot {
            key,
            value: None,
            written: false,
        }
    }

    fn set(&mut self, cx: &Ctxt, m: &ParseNestedMeta, tokens: TokenStream, value: T) {
        if self.value.is_some() {
            cx.error_spanned_by(&m.path, format!("duplicate `{}`", self.key));
        } else {
            self.value = Some(Keyed { tokens, value });
        }
    }
}

/// The `#[xml]` attributes with their index. A second one is an error,
/// and is still parsed (as if its keys were in the first), so that no
/// error follows from ignoring it.
fn xml_attrs<'a>(
    cx: &'a Ctxt,
    attrs: &'a [Attribute],
    this: &'a str,
) -> impl Iterator<Item = (usize, &'a Attribute)> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("xml"))
        .enumerate()
        .inspect(move |(index, attr)| {
            if *index > 0 {
                cx.error_spanned_by(
                    attr,
                    format!(
                        "a second #[xml(...)] on this {this}: put every key in one #[xml(...)]"
                    ),
                );
            }
        })
}

fn key_name(path: &Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}

fn one_of(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

/// Records that the key of `m` is not allowed on `what`, and skips its
/// value so that parsing goes on.
fn reject(cx: &Ctxt, m: &ParseNestedMeta, what: &str, expected: &str) -> syn::Result<()> {
    let key = key_name(&m.path);
    let msg = if KNOWN_KEYS.contains(&key.as_str()) {
        format!("`{key}` does not apply to {what}: expected {expected}")
    } else {
        format!("unknown key `{key}` on {what}: expected {expected}")
    };
    cx.error_spanned_by(&m.path, msg);
    skip(m)
}

/// Skips what follows a key: `= value` or `(...)`.
fn skip(m: &ParseNestedMeta) -> syn::Result<()> {
    if m.input.peek(Token![=]) {
        m.value()?.parse::<Expr>()?;
    } else if m.input.peek(syn::token::Paren) {
        m.input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// A key that is a flag: `= value` or `(...)` after it is an error.
fn no_value(cx: &Ctxt, m: &ParseNestedMeta, key: &str) -> syn::Result<()> {
    if m.input.peek(Token![=]) || m.input.peek(syn::token::Paren) {
        cx.error_spanned_by(&m.path, format!("`{key}` takes no value"));
        skip(m)?;
    }
    Ok(())
}

/// `key = <expr>`, with the tokens `key = <expr>`; a missing `=` is
/// recorded.
fn value_expr(
    cx: &Ctxt,
    m: &ParseNestedMeta,
    key: &str,
    example: &str,
) -> syn::Result<Option<(TokenStream, Expr)>> {
    if !m.input.peek(Token![=]) {
        cx.error_spanned_by(
            &m.path,
            format!("`{key}` needs a value: `{key} = {example}`"),
        );
        skip(m)?;
        return Ok(None);
    }
    let e: Expr = m.value()?.parse()?;
    let path = &m.path;
    Ok(Some((quote!(#path = #e), e)))
}

/// `key = "..."`.
fn lit_str(
    cx: &Ctxt,
    m: &ParseNestedMeta,
    key: &str,
) -> syn::Result<Option<(TokenStream, LitStr)>> {
    let Some((tokens, e)) = value_expr(cx, m, key, "\"...\"")? else {
        return Ok(None);
    };
    match e {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s),
            attrs,
        }) if attrs.is_empty() => Ok(Some((tokens, s))),
        other => {
            cx.error_spanned_by(
                other,
                format!("`{key}` is a string literal: `{key} = \"...\"`"),
            );
            Ok(None)
        }
    }
}

/// `content`: the stanza content namespace.
pub fn is_content(e: &Expr) -> bool {
    matches!(e, Expr::Path(p) if p.qself.is_none() && p.path.is_ident("content"))
}
