//! Derive macros for `xep-element`: elements are declared, not hand-parsed.
//!
//! # `#[derive(XmlElement)]` on a struct
//!
//! The struct attribute names the element: `#[xml(ns = "urn:xmpp:ping",
//! name = "ping")]`. `ns` is a string literal, a path to a `&str` constant,
//! or `content` for the stanza content namespace (`jabber:client`,
//! `jabber:server`, ...: the element is accepted in any of them and written
//! in the one in scope). Fields say what they map to; the field's type says
//! the cardinality (`T` required, `Option<T>` optional, `Vec<T>` any
//! number, `Box<T>` for recursion):
//!
//! | field attribute | maps to | field type |
//! |---|---|---|
//! | `attr` / `attr(name = "type", ns = NS)` | attribute (name defaults to the field name, `-` for `_`) | `T: XmlValue`, `Option<T>` |
//! | `lang` | `xml:lang` | `Option<String>` |
//! | `child` | child element(s) of another element type | `T: XmlElement`, `Option`, `Vec`, `Box` |
//! | `text_child(name = "reason", ns = NS)` | text-only child (namespace defaults to the parent's) | `T: XmlValue`, `Option`, `Vec` |
//! | `flag(name = "required", ns = NS)` | empty child whose presence is a flag | `bool` |
//! | `text` | the element's character data | `T: XmlValue`, `Option<T>` |
//! | `children` | every other child element (extension point) | `Vec<Payload>` or `Vec<minidom::Element>` |
//! | `children(foreign)` | every other child of another namespace (an unknown child of the element's own namespace stays an error) | same |
//! | `attrs` | every other attribute | `Vec<ForeignAttr>` |
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
//! type (`Ping(Ping)`). A variant marked `#[xml(other)]` holding a
//! `Payload` or `minidom::Element` accepts any other element.
//!
//! # `#[derive(XmlValue)]` on an enum
//!
//! Unit variants are the enumerated values, named in kebab-case of the
//! variant (`#[xml(value = "...")]` overrides); a variant `#[xml(other)]
//! Other(String)` keeps unknown values instead of rejecting them.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Expr, Fields, Ident, LitStr, Type, parse_macro_input};

/// Implements `XmlElement` (see the crate docs).
#[proc_macro_derive(XmlElement, attributes(xml))]
pub fn derive_element(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let res = match &input.data {
        Data::Struct(s) => element_struct(&input, &s.fields),
        Data::Enum(e) => element_enum(&input, e),
        Data::Union(_) => Err(syn::Error::new(input.span(), "unions are not elements")),
    };
    res.unwrap_or_else(|e| e.to_compile_error()).into()
}

/// Implements `XmlValue` for an enum of values (see the crate docs).
#[proc_macro_derive(XmlValue, attributes(xml))]
pub fn derive_value(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    value_enum(&input)
        .unwrap_or_else(|e| e.to_compile_error())
        .into()
}

// ---------------------------------------------------------------------------
// Shared parsing of #[xml(...)] attributes

#[derive(Clone)]
enum NsSpec {
    Expr(Expr),
    Content,
}

impl NsSpec {
    fn from_expr(e: Expr) -> Self {
        if let Expr::Path(p) = &e
            && p.path.is_ident("content")
        {
            return NsSpec::Content;
        }
        NsSpec::Expr(e)
    }
    /// Expression testing a runtime `ns: &str` against this namespace.
    fn matches(&self, ns: &TokenStream2) -> TokenStream2 {
        match self {
            NsSpec::Expr(e) => quote!(#ns == #e),
            NsSpec::Content => quote!(::xep_element::ns::is_content(#ns)),
        }
    }
    fn desc(&self) -> TokenStream2 {
        match self {
            NsSpec::Expr(e) => quote!(::xep_element::desc::NsDesc::Fixed(#e)),
            NsSpec::Content => quote!(::xep_element::desc::NsDesc::Content),
        }
    }
}

#[derive(Default)]
struct ContainerAttrs {
    ns: Option<NsSpec>,
    name: Option<LitStr>,
    validate: Option<syn::Path>,
}

fn container_attrs(attrs: &[syn::Attribute]) -> syn::Result<ContainerAttrs> {
    let mut out = ContainerAttrs::default();
    for a in attrs.iter().filter(|a| a.path().is_ident("xml")) {
        a.parse_nested_meta(|m| {
            if m.path.is_ident("ns") {
                out.ns = Some(NsSpec::from_expr(m.value()?.parse()?));
            } else if m.path.is_ident("name") {
                out.name = Some(m.value()?.parse()?);
            } else if m.path.is_ident("validate") {
                out.validate = Some(m.value()?.parse()?);
            } else {
                return Err(m.error("expected `ns`, `name` or `validate`"));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

enum FieldKind {
    Attr {
        ns: Option<Expr>,
        name: String,
    },
    /// `min`: the least number of a `Vec` child (`#[xml(child(min = 1))]`).
    Child {
        min: u32,
    },
    TextChild {
        ns: Option<NsSpec>,
        name: String,
    },
    Flag {
        ns: Option<NsSpec>,
        name: String,
    },
    Text,
    Children {
        foreign: bool,
    },
    Attrs,
}

fn field_kind(field: &syn::Field) -> syn::Result<FieldKind> {
    let ident_name = field
        .ident
        .as_ref()
        .map(|i| i.to_string().trim_start_matches("r#").replace('_', "-"));
    let mut kind = None;
    for a in field.attrs.iter().filter(|a| a.path().is_ident("xml")) {
        a.parse_nested_meta(|m| {
            let mut ns: Option<Expr> = None;
            let mut name: Option<String> = None;
            let mut foreign = false;
            let mut min = 0u32;
            let key = m
                .path
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            if m.input.peek(syn::token::Paren) {
                m.parse_nested_meta(|n| {
                    if n.path.is_ident("ns") {
                        ns = Some(n.value()?.parse()?);
                    } else if n.path.is_ident("name") {
                        name = Some(n.value()?.parse::<LitStr>()?.value());
                    } else if n.path.is_ident("foreign") {
                        foreign = true;
                    } else if n.path.is_ident("min") {
                        min = n.value()?.parse::<syn::LitInt>()?.base10_parse()?;
                    } else {
                        return Err(n.error("expected `ns`, `name`, `min` or `foreign`"));
                    }
                    Ok(())
                })?;
            }
            let need_name = |name: Option<String>| {
                name.or_else(|| ident_name.clone())
                    .ok_or_else(|| m.error("a name is required here"))
            };
            kind = Some(match key.as_str() {
                "attr" => FieldKind::Attr {
                    ns,
                    name: need_name(name)?,
                },
                "lang" => FieldKind::Attr {
                    ns: Some(syn::parse_quote!(::xep_element::ns::XML)),
                    name: "lang".into(),
                },
                "child" => FieldKind::Child { min },
                "text_child" => FieldKind::TextChild {
                    ns: ns.map(NsSpec::from_expr),
                    name: need_name(name)?,
                },
                "flag" => FieldKind::Flag {
                    ns: ns.map(NsSpec::from_expr),
                    name: need_name(name)?,
                },
                "text" => FieldKind::Text,
                "children" => FieldKind::Children { foreign },
                "attrs" => FieldKind::Attrs,
                _ => {
                    return Err(m.error(
                        "expected attr, lang, child, text_child, flag, text, children or attrs",
                    ));
                }
            });
            Ok(())
        })?;
    }
    kind.ok_or_else(|| {
        syn::Error::new(
            field.span(),
            "every field needs #[xml(attr | lang | child | text_child | flag | text | children | attrs)]",
        )
    })
}

/// The namespace of a text or flag child (the parent's unless given) and
/// the expression that names it when writing.
fn child_ns(given: Option<NsSpec>, own: &NsSpec) -> (NsSpec, proc_macro2::TokenStream) {
    let tns = given.unwrap_or_else(|| own.clone());
    let wns = match &tns {
        NsSpec::Expr(e) => quote!(#e),
        NsSpec::Content => quote!(__self_ns),
    };
    (tns, wns)
}

#[derive(Clone, Copy, PartialEq)]
enum Card {
    One,
    Opt,
    Many,
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

fn card_bounds(card: Card) -> (u32, TokenStream2) {
    match card {
        Card::One => (1, quote!(Some(1))),
        Card::Opt => (0, quote!(Some(1))),
        Card::Many => (0, quote!(None)),
    }
}

// ---------------------------------------------------------------------------
// Structs

fn element_struct(input: &DeriveInput, fields: &Fields) -> syn::Result<TokenStream2> {
    let ty = &input.ident;
    let ca = container_attrs(&input.attrs)?;
    let ns = ca
        .ns
        .ok_or_else(|| syn::Error::new(input.span(), "missing #[xml(ns = ...)]"))?;
    let name = ca
        .name
        .ok_or_else(|| syn::Error::new(input.span(), "missing #[xml(name = \"...\")]"))?;
    let ns_match = ns.matches(&quote!(ns));
    let ns_desc = ns.desc();
    let validate = match &ca.validate {
        Some(p) => quote!(#p(&__v)?;),
        None => quote!(),
    };
    // The element's namespace at run time: fixed, or the content namespace
    // it was read in / is written in.
    let (parse_ns, write_ns) = match &ns {
        NsSpec::Expr(e) => (
            quote!(let __self_ns: &str = #e;),
            quote!(let __self_ns: &str = #e;),
        ),
        NsSpec::Content => (
            quote!(let __self_ns: &'static str = {
                let n = src.name().0;
                *::xep_element::ns::CONTENT.iter().find(|c| **c == n).unwrap_or(&::xep_element::ns::CLIENT)
            };),
            quote!(let __self_ns: &'static str = ::xep_element::content_ns(w);),
        ),
    };

    let named: Vec<&syn::Field> = match fields {
        Fields::Named(n) => n.named.iter().collect(),
        Fields::Unit => Vec::new(),
        Fields::Unnamed(_) => {
            return Err(syn::Error::new(
                fields.span(),
                "element structs need named fields (or none)",
            ));
        }
    };

    let mut inits = Vec::new(); // let mut f = ...;
    let mut attr_arms = Vec::new();
    let mut attr_fallback =
        quote!(return Err(::xep_element::Error::unknown_attribute(a.ns, a.name)););
    let mut which_tests = Vec::new();
    let mut which_arms = Vec::new();
    let mut child_fallback =
        quote!(return Err(::xep_element::Error::unexpected_child(cns, cname)););
    let mut child_fallback_arm = quote!();
    let mut text_handler = quote!(::xep_element::__private::ignorable_text(src)?;);
    let mut finals = Vec::new();
    let mut writes_attrs = Vec::new();
    let mut writes_text = quote!();
    let mut writes_children = Vec::new();
    let mut desc_attrs = Vec::new();
    let mut desc_children = Vec::new();
    let mut desc_text = quote!(None);
    let mut any_attrs = false;
    let mut field_idents = Vec::new();

    for (idx, f) in named.iter().enumerate() {
        let fi = f.ident.clone().expect("named");
        let var = format_ident!("__f_{}", fi);
        field_idents.push(fi.clone());
        let kind = field_kind(f)?;
        let (card, inner, boxed) = cardinality(&f.ty);
        let which = idx as u32 + 1;
        match kind {
            FieldKind::Attr {
                ns: ans,
                name: aname,
            } => {
                if card == Card::Many {
                    return Err(syn::Error::new(f.ty.span(), "an attribute cannot be a Vec"));
                }
                let ans_e = ans.clone().map(|e| quote!(#e)).unwrap_or(quote!(""));
                let label = match &ans {
                    None => quote!(#aname),
                    Some(e) => quote!(&::xep_element::qualified_attr(#e, #aname)),
                };
                inits.push(quote!(let mut #var: Option<#inner> = None;));
                attr_arms.push(quote!(
                    if a.name == #aname && a.ns == #ans_e {
                        #var = Some(::xep_element::value::parse_attr::<#inner>(#label, a.value)?);
                        continue;
                    }
                ));
                finals.push(match card {
                    Card::One => quote!(let #var = match #var { Some(v) => v, None => return Err(::xep_element::Error::missing_attribute(#label)) };),
                    _ => quote!(),
                });
                writes_attrs.push(match card {
                    Card::One => quote!(w.attr(#ans_e, #aname, &::xep_element::XmlValue::to_xml(&self.#fi));),
                    _ => quote!(if let Some(v) = &self.#fi { w.attr(#ans_e, #aname, &::xep_element::XmlValue::to_xml(v)); }),
                });
                let required = card == Card::One;
                desc_attrs.push(quote!(::xep_element::desc::AttrDesc {
                    ns: #ans_e, name: #aname, required: #required,
                    value: ::xep_element::desc::ValueDesc {
                        xsd_type: <#inner as ::xep_element::XmlValue>::XSD_TYPE,
                        values: <#inner as ::xep_element::XmlValue>::VALUES,
                            open: <#inner as ::xep_element::XmlValue>::OPEN,
                            example: <#inner as ::xep_element::XmlValue>::EXAMPLE,
                    },
                }));
            }
            FieldKind::Child { min: least } => {
                if least > 0 && card != Card::Many {
                    return Err(syn::Error::new(
                        f.ty.span(),
                        "`min` applies to a Vec child only",
                    ));
                }
                let wrap = if boxed { quote!(Box::new) } else { quote!() };
                let deref = if boxed { quote!(&**) } else { quote!() };
                which_tests.push(quote!(if <#inner as ::xep_element::XmlElement>::matches(cns, cname) { #which } else));
                match card {
                    Card::Many => {
                        inits.push(quote!(let mut #var: Vec<_> = Vec::new();));
                        which_arms.push(quote!(#which => { #var.push(#wrap(<#inner as ::xep_element::XmlElement>::parse(src)?)); }));
                        writes_children.push(quote!(for v in &self.#fi { ::xep_element::XmlElement::write(#deref v, w); }));
                        if least > 0 {
                            let least_us = least as usize;
                            finals.push(quote!(if #var.len() < #least_us { return Err(::xep_element::Error::missing_child(
                                &<#inner as ::xep_element::XmlElement>::descriptions().iter().map(|d| d.name).collect::<Vec<_>>().join("|"))) }));
                        }
                    }
                    _ => {
                        inits.push(quote!(let mut #var = None;));
                        which_arms.push(quote!(#which => {
                            if #var.is_some() { return Err(::xep_element::Error::duplicate_child(src.name().1)); }
                            #var = Some(#wrap(<#inner as ::xep_element::XmlElement>::parse(src)?));
                        }));
                        if card == Card::One {
                            writes_children.push(if boxed {
                                quote!(::xep_element::XmlElement::write(&*self.#fi, w);)
                            } else {
                                quote!(::xep_element::XmlElement::write(&self.#fi, w);)
                            });
                            finals.push(quote!(let #var = match #var { Some(v) => v, None => return Err(::xep_element::Error::missing_child(
                                &<#inner as ::xep_element::XmlElement>::descriptions().iter().map(|d| d.name).collect::<Vec<_>>().join("|"))) };));
                        } else {
                            writes_children.push(quote!(if let Some(v) = &self.#fi { ::xep_element::XmlElement::write(#deref v, w); }));
                        }
                    }
                }
                let (min, max) = card_bounds(card);
                let min = min.max(least);
                desc_children.push(quote!(::xep_element::desc::ChildDesc {
                    kind: ::xep_element::desc::ChildKind::Element(<#inner as ::xep_element::XmlElement>::descriptions),
                    min: #min, max: #max,
                }));
            }
            FieldKind::TextChild {
                ns: tns,
                name: tname,
            } => {
                let (tns, wns) = child_ns(tns, &ns);
                let m = tns.matches(&quote!(cns));
                which_tests.push(quote!(if cname == #tname && #m { #which } else));
                let parse_v = quote!({
                    let t = ::xep_element::__private::read_text_child(src, #tname)?;
                    ::xep_element::value::parse_text::<#inner>(&t).map_err(|e| e.within(#tname))?
                });
                match card {
                    Card::Many => {
                        inits.push(quote!(let mut #var: Vec<#inner> = Vec::new();));
                        which_arms.push(quote!(#which => { #var.push(#parse_v); }));
                        writes_children.push(quote!(for v in &self.#fi { ::xep_element::__private::write_text_child(w, #wns, #tname, &::xep_element::XmlValue::to_xml(v)); }));
                    }
                    _ => {
                        inits.push(quote!(let mut #var: Option<#inner> = None;));
                        which_arms.push(quote!(#which => {
                            if #var.is_some() { return Err(::xep_element::Error::duplicate_child(#tname)); }
                            #var = Some(#parse_v);
                        }));
                        if card == Card::One {
                            finals.push(quote!(let #var = match #var { Some(v) => v, None => return Err(::xep_element::Error::missing_child(#tname)) };));
                            writes_children.push(quote!(::xep_element::__private::write_text_child(w, #wns, #tname, &::xep_element::XmlValue::to_xml(&self.#fi));));
                        } else {
                            writes_children.push(quote!(if let Some(v) = &self.#fi { ::xep_element::__private::write_text_child(w, #wns, #tname, &::xep_element::XmlValue::to_xml(v)); }));
                        }
                    }
                }
                let (min, max) = card_bounds(card);
                let nd = tns.desc();
                desc_children.push(quote!(::xep_element::desc::ChildDesc {
                    kind: ::xep_element::desc::ChildKind::Text { ns: #nd, name: #tname,
                        value: ::xep_element::desc::ValueDesc {
                            xsd_type: <#inner as ::xep_element::XmlValue>::XSD_TYPE,
                            values: <#inner as ::xep_element::XmlValue>::VALUES,
                            open: <#inner as ::xep_element::XmlValue>::OPEN,
                            example: <#inner as ::xep_element::XmlValue>::EXAMPLE,
                        } },
                    min: #min, max: #max,
                }));
            }
            FieldKind::Flag {
                ns: tns,
                name: tname,
            } => {
                let (tns, wns) = child_ns(tns, &ns);
                let m = tns.matches(&quote!(cns));
                which_tests.push(quote!(if cname == #tname && #m { #which } else));
                inits.push(quote!(let mut #var = false;));
                which_arms.push(quote!(#which => {
                    if #var { return Err(::xep_element::Error::duplicate_child(#tname)); }
                    ::xep_element::__private::read_empty_child(src, #tname)?;
                    #var = true;
                }));
                writes_children.push(quote!(if self.#fi { w.start(#wns, #tname); w.end(); }));
                let nd = tns.desc();
                desc_children.push(quote!(::xep_element::desc::ChildDesc {
                    kind: ::xep_element::desc::ChildKind::Flag { ns: #nd, name: #tname },
                    min: 0, max: Some(1),
                }));
            }
            FieldKind::Text => {
                inits.push(quote!(let mut #var = String::new();));
                text_handler = quote!(#var.push_str(src.text()););
                match card {
                    Card::One => {
                        finals.push(quote!(let #var: #inner = ::xep_element::value::parse_text::<#inner>(&#var)?;));
                        writes_text = quote!({ let t = ::xep_element::XmlValue::to_xml(&self.#fi); if !t.is_empty() { w.text(&t); } });
                    }
                    Card::Opt => {
                        finals.push(quote!(let #var: Option<#inner> = if #var.is_empty() { None } else { Some(::xep_element::value::parse_text::<#inner>(&#var)?) };));
                        writes_text = quote!(if let Some(v) = &self.#fi { w.text(&::xep_element::XmlValue::to_xml(v)); });
                    }
                    Card::Many => return Err(syn::Error::new(f.ty.span(), "text cannot be a Vec")),
                }
                desc_text = quote!(Some(::xep_element::desc::ValueDesc {
                    xsd_type: <#inner as ::xep_element::XmlValue>::XSD_TYPE,
                    values: <#inner as ::xep_element::XmlValue>::VALUES,
                            open: <#inner as ::xep_element::XmlValue>::OPEN,
                            example: <#inner as ::xep_element::XmlValue>::EXAMPLE,
                }));
            }
            FieldKind::Children { foreign } => {
                if card != Card::Many {
                    return Err(syn::Error::new(f.ty.span(), "children must be a Vec"));
                }
                inits.push(quote!(let mut #var: Vec<#inner> = Vec::new();));
                child_fallback = quote!(#which);
                let guard = if foreign {
                    let own = ns.matches(&quote!(cns));
                    quote!(let (cns, cname) = src.name(); if #own {
                        return Err(::xep_element::Error::unexpected_child(cns, cname));
                    })
                } else {
                    quote!()
                };
                child_fallback_arm = quote!(#which => { #guard #var.push(<#inner as ::xep_element::Captured>::capture(src)?); });
                writes_children
                    .push(quote!(for v in &self.#fi { ::xep_element::Captured::write(v, w); }));
                desc_children.push(quote!(::xep_element::desc::ChildDesc {
                    kind: ::xep_element::desc::ChildKind::Any,
                    min: 0,
                    max: None,
                }));
            }
            FieldKind::Attrs => {
                inits.push(quote!(let mut #var: Vec<::xep_element::ForeignAttr> = Vec::new();));
                attr_fallback = quote!(#var.push(::xep_element::ForeignAttr { ns: a.ns.to_string(), name: a.name.to_string(), value: a.value.to_string() }););
                // Attribute order carries no meaning in XML, and the DOM
                // (minidom's sorted map) and the byte reader see different
                // orders: keep them sorted by (namespace, name), so that
                // both paths give equal values (found by the bosh fuzz
                // target).
                finals.push(quote!(#var.sort_by(|a, b| (a.ns.as_str(), a.name.as_str()).cmp(&(b.ns.as_str(), b.name.as_str())));));
                writes_attrs.push(quote!(for a in &self.#fi { w.attr(&a.ns, &a.name, &a.value); }));
                any_attrs = true;
            }
        }
    }

    let construct = if matches!(fields, Fields::Unit) {
        quote!(#ty)
    } else {
        let pairs = field_idents.iter().map(|fi| {
            let var = format_ident!("__f_{}", fi);
            quote!(#fi: #var)
        });
        quote!(#ty { #(#pairs),* })
    };
    let has_children = !which_arms.is_empty() || !child_fallback_arm.is_empty();
    let start_arm = if has_children {
        quote!(::xep_element::Token::Start => {
            let which: u32 = {
                let (cns, cname) = src.name();
                #(#which_tests)* { #child_fallback }
            };
            match which {
                #(#which_arms)*
                #child_fallback_arm
                _ => unreachable!(),
            }
        })
    } else {
        quote!(::xep_element::Token::Start => {
            let (cns, cname) = src.name();
            return Err(::xep_element::Error::unexpected_child(cns, cname));
        })
    };
    let attr_loop = quote!(
        for __i in 0..src.attr_count() {
            let a = src.attr(__i);
            #(#attr_arms)*
            #attr_fallback
        }
    );
    let (impl_g, ty_g, where_c) = input.generics.split_for_impl();
    let ts = quote! {
        impl #impl_g ::xep_element::XmlElement for #ty #ty_g #where_c {
            fn matches(ns: &str, name: &str) -> bool {
                name == #name && #ns_match
            }
            fn descriptions() -> &'static [::xep_element::ElementDesc] {
                static D: [::xep_element::ElementDesc; 1] = [::xep_element::ElementDesc {
                    ns: #ns_desc,
                    name: #name,
                    attrs: &[#(#desc_attrs),*],
                    any_attrs: #any_attrs,
                    children: &[#(#desc_children),*],
                    text: #desc_text,
                }];
                &D
            }
            #[allow(unused_variables, unused_mut, clippy::never_loop)]
            fn parse<S: ::xep_element::Source + ?Sized>(src: &mut S) -> Result<Self, ::xep_element::Error> {
                (|| -> Result<Self, ::xep_element::Error> {
                    #parse_ns
                    #(#inits)*
                    #attr_loop
                    loop {
                        match src.next()? {
                            ::xep_element::Token::End => break,
                            ::xep_element::Token::Text => { #text_handler }
                            #start_arm
                        }
                    }
                    #(#finals)*
                    let __v = #construct;
                    #validate
                    Ok(__v)
                })().map_err(|e| e.within(#name))
            }
            #[allow(unused_variables)]
            fn write<W: ::xep_element::Sink + ?Sized>(&self, w: &mut W) {
                #write_ns
                w.start(__self_ns, #name);
                #(#writes_attrs)*
                #writes_text
                #(#writes_children)*
                w.end();
            }
        }
    };
    Ok(add_conversions(ts, ty))
}

fn add_conversions(ts: TokenStream2, ty: &Ident) -> TokenStream2 {
    quote! {
        #ts
        impl ::core::convert::TryFrom<::xep_element::minidom::Element> for #ty {
            type Error = ::xep_element::Error;
            fn try_from(el: ::xep_element::minidom::Element) -> Result<Self, Self::Error> {
                <Self as ::xep_element::XmlElement>::from_element(&el)
            }
        }
        impl ::core::convert::TryFrom<&::xep_element::minidom::Element> for #ty {
            type Error = ::xep_element::Error;
            fn try_from(el: &::xep_element::minidom::Element) -> Result<Self, Self::Error> {
                <Self as ::xep_element::XmlElement>::from_element(el)
            }
        }
        impl ::core::convert::From<#ty> for ::xep_element::minidom::Element {
            fn from(v: #ty) -> Self {
                <#ty as ::xep_element::XmlElement>::to_element(&v)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Enums of elements

fn element_enum(input: &DeriveInput, e: &syn::DataEnum) -> syn::Result<TokenStream2> {
    let ty = &input.ident;
    let ca = container_attrs(&input.attrs)?;
    let mut match_tests = Vec::new();
    let mut parse_arms = Vec::new();
    let mut write_arms = Vec::new();
    let mut desc_parts = Vec::new();
    let mut other = None;
    for (i, v) in e.variants.iter().enumerate() {
        let vi = &v.ident;
        let mut vname = None;
        let mut is_other = false;
        for a in v.attrs.iter().filter(|a| a.path().is_ident("xml")) {
            a.parse_nested_meta(|m| {
                if m.path.is_ident("name") {
                    vname = Some(m.value()?.parse::<LitStr>()?.value());
                } else if m.path.is_ident("other") {
                    is_other = true;
                } else {
                    return Err(m.error("expected `name` or `other`"));
                }
                Ok(())
            })?;
        }
        let i = i as u32;
        match &v.fields {
            Fields::Unit => {
                let ns = ca.ns.clone().ok_or_else(|| {
                    syn::Error::new(
                        input.span(),
                        "unit variants need #[xml(ns = ...)] on the enum",
                    )
                })?;
                let vname = vname.unwrap_or_else(|| kebab(vi));
                let m = ns.matches(&quote!(ns));
                let wns = match &ns {
                    NsSpec::Expr(e) => quote!(#e),
                    NsSpec::Content => quote!(::xep_element::content_ns(w)),
                };
                let nd = ns.desc();
                match_tests.push(quote!(if name == #vname && #m { return Some(#i); }));
                parse_arms.push(quote!(#i => { ::xep_element::__private::read_empty_child(src, #vname)?; Ok(Self::#vi) }));
                write_arms.push(quote!(Self::#vi => { w.start(#wns, #vname); w.end(); }));
                desc_parts.push(quote!(v.push(::xep_element::ElementDesc {
                    ns: #nd, name: #vname, attrs: &[], any_attrs: false, children: &[], text: None,
                });));
            }
            Fields::Unnamed(u) if u.unnamed.len() == 1 => {
                let fty = &u.unnamed[0].ty;
                let (_, inner, boxed) = cardinality(fty);
                let wrap = if boxed { quote!(Box::new) } else { quote!() };
                let deref = if boxed { quote!(&**) } else { quote!() };
                if is_other {
                    other = Some(quote!(return Some(#i);));
                    parse_arms.push(quote!(#i => Ok(Self::#vi(<#inner as ::xep_element::Captured>::capture(src)?))));
                    write_arms.push(quote!(Self::#vi(v) => ::xep_element::Captured::write(v, w),));
                } else {
                    match_tests.push(quote!(if <#inner as ::xep_element::XmlElement>::matches(ns, name) { return Some(#i); }));
                    parse_arms.push(quote!(#i => Ok(Self::#vi(#wrap(<#inner as ::xep_element::XmlElement>::parse(src)?)))));
                    write_arms.push(
                        quote!(Self::#vi(v) => ::xep_element::XmlElement::write(#deref v, w),),
                    );
                    desc_parts.push(quote!(v.extend_from_slice(<#inner as ::xep_element::XmlElement>::descriptions());));
                }
            }
            _ => {
                return Err(syn::Error::new(
                    v.span(),
                    "element enum variants are unit variants or hold one element type",
                ));
            }
        }
    }
    let other = other.unwrap_or(quote!(None));
    let ts = quote! {
        impl #ty {
            fn __which(ns: &str, name: &str) -> Option<u32> {
                #(#match_tests)*
                #other
            }
        }
        impl ::xep_element::XmlElement for #ty {
            fn matches(ns: &str, name: &str) -> bool {
                Self::__which(ns, name).is_some()
            }
            fn descriptions() -> &'static [::xep_element::ElementDesc] {
                static D: ::std::sync::OnceLock<Vec<::xep_element::ElementDesc>> = ::std::sync::OnceLock::new();
                D.get_or_init(|| {
                    let mut v = Vec::new();
                    #(#desc_parts)*
                    v
                })
            }
            fn parse<S: ::xep_element::Source + ?Sized>(src: &mut S) -> Result<Self, ::xep_element::Error> {
                let which = {
                    let (ns, name) = src.name();
                    match Self::__which(ns, name) {
                        Some(w) => w,
                        None => return Err(::xep_element::Error::unexpected_child(ns, name)),
                    }
                };
                match which {
                    #(#parse_arms,)*
                    _ => unreachable!(),
                }
            }
            fn write<W: ::xep_element::Sink + ?Sized>(&self, w: &mut W) {
                match self {
                    #(#write_arms)*
                }
            }
        }
    };
    Ok(add_conversions(ts, ty))
}

// ---------------------------------------------------------------------------
// Value enums

fn value_enum(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let ty = &input.ident;
    let Data::Enum(e) = &input.data else {
        return Err(syn::Error::new(
            input.span(),
            "XmlValue derives only for enums",
        ));
    };
    let mut values = Vec::new();
    let mut from_arms = Vec::new();
    let mut to_arms = Vec::new();
    let mut other = None;
    for v in &e.variants {
        let vi = &v.ident;
        let mut value = None;
        let mut is_other = false;
        for a in v.attrs.iter().filter(|a| a.path().is_ident("xml")) {
            a.parse_nested_meta(|m| {
                if m.path.is_ident("value") {
                    value = Some(m.value()?.parse::<LitStr>()?.value());
                } else if m.path.is_ident("other") {
                    is_other = true;
                } else {
                    return Err(m.error("expected `value` or `other`"));
                }
                Ok(())
            })?;
        }
        if is_other {
            other = Some(quote!(other => Ok(Self::#vi(other.to_string()))));
            to_arms.push(quote!(Self::#vi(s) => ::std::borrow::Cow::Borrowed(s.as_str())));
            continue;
        }
        if !matches!(v.fields, Fields::Unit) {
            return Err(syn::Error::new(
                v.span(),
                "value variants are unit variants (or #[xml(other)] Other(String))",
            ));
        }
        let value = value.unwrap_or_else(|| kebab(vi));
        values.push(value.clone());
        from_arms.push(quote!(#value => Ok(Self::#vi)));
        to_arms.push(quote!(Self::#vi => ::std::borrow::Cow::Borrowed(#value)));
    }
    let expected = format!("expected one of: {}", values.join(", "));
    let open = other.is_some();
    let other = other.unwrap_or(quote!(_ => Err(#expected.to_string())));
    Ok(quote! {
        impl ::xep_element::XmlValue for #ty {
            const VALUES: &'static [&'static str] = &[#(#values),*];
            const OPEN: bool = #open;
            fn from_xml(s: &str) -> Result<Self, String> {
                match s {
                    #(#from_arms,)*
                    #other,
                }
            }
            fn to_xml(&self) -> ::std::borrow::Cow<'_, str> {
                match self {
                    #(#to_arms,)*
                }
            }
        }
        impl ::std::fmt::Display for #ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&::xep_element::XmlValue::to_xml(self))
            }
        }
    })
}
