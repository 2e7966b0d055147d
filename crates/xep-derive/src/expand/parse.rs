//! `matches` and `parse`: reading an element from a `Source`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{attr_ns, ns_matches};
use crate::model::{Card, Enum, Kind, Ns, Struct, VariantKind};

/// `fn matches`: the element's name and namespace.
pub fn struct_matches(s: &Struct) -> TokenStream {
    let name = &s.name;
    let ns_match = ns_matches(&s.ns, &quote!(ns));
    quote! {
        fn matches(ns: &str, name: &str) -> bool {
            name == #name && #ns_match
        }
    }
}

/// `fn parse` of a struct: attributes in one loop, then children and text
/// in document order, dispatched to fields by number; then the required
/// fields are checked, the value built and validated. An error gets the
/// element's name on its path.
pub fn struct_parse(s: &Struct) -> TokenStream {
    let ty = s.ident;
    let name = &s.name;
    let validate = match &s.validate {
        Some(p) => quote!(#p(&__v)?;),
        None => quote!(),
    };
    // The element's namespace at run time: fixed, or the content namespace
    // it was read in.
    let parse_ns = match &s.ns {
        Ns::Expr(e) => quote!(let __self_ns: &str = #e;),
        Ns::Content => quote!(let __self_ns: &'static str = {
            let n = src.name().0;
            *::xep_element::ns::CONTENT.iter().find(|c| **c == n).unwrap_or(&::xep_element::ns::CLIENT)
        };),
    };

    let mut inits = Vec::new(); // let mut f = ...;
    let mut attr_arms = Vec::new();
    let mut attr_fallback = quote!(return Err(::xep_element::Error::unknown_attribute(a.ns, a.name).at(src.attr_position(__i))););
    let mut which_tests = Vec::new();
    let mut which_arms = Vec::new();
    let mut child_fallback =
        quote!(return Err(::xep_element::Error::unexpected_child(cns, cname)););
    let mut child_fallback_arm = quote!();
    let mut text_handler = quote!(::xep_element::__private::ignorable_text(src)?;);
    let mut finals = Vec::new();

    for f in &s.fields {
        let fi = f.ident;
        let var = format_ident!("__f_{}", fi);
        let inner = &f.inner;
        let which = f.which;
        let card = f.card;
        match &f.kind {
            Kind::Attr {
                ns: ans,
                name: aname,
            } => {
                let ans_e = attr_ns(ans);
                let label = match ans {
                    None => quote!(#aname),
                    Some(e) => quote!(&::xep_element::qualified_attr(#e, #aname)),
                };
                inits.push(quote!(let mut #var: Option<#inner> = None;));
                attr_arms.push(quote!(
                    if a.name == #aname && a.ns == #ans_e {
                        #var = Some(::xep_element::parse_attr::<#inner>(#label, a.value).map_err(|e| e.at(src.attr_position(__i)))?);
                        continue;
                    }
                ));
                if card == Card::One {
                    finals.push(quote!(let #var = match #var { Some(v) => v, None => return Err(::xep_element::Error::missing_attribute(#label)) };));
                }
            }
            Kind::Child { min: least } => {
                let least = *least;
                let wrap = if f.boxed { quote!(Box::new) } else { quote!() };
                which_tests.push(quote!(if <#inner as ::xep_element::XmlElement>::matches(cns, cname) { #which } else));
                match card {
                    Card::Many => {
                        inits.push(quote!(let mut #var: Vec<_> = Vec::new();));
                        which_arms.push(quote!(#which => { #var.push(#wrap(<#inner as ::xep_element::XmlElement>::parse(src)?)); }));
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
                            finals.push(quote!(let #var = match #var { Some(v) => v, None => return Err(::xep_element::Error::missing_child(
                                &<#inner as ::xep_element::XmlElement>::descriptions().iter().map(|d| d.name).collect::<Vec<_>>().join("|"))) };));
                        }
                    }
                }
            }
            Kind::TextChild {
                ns: tns,
                name: tname,
            } => {
                let m = ns_matches(tns, &quote!(cns));
                which_tests.push(quote!(if cname == #tname && #m { #which } else));
                let parse_v = quote!({
                    let t = ::xep_element::__private::read_text_child(src, #tname)?;
                    ::xep_element::parse_text::<#inner>(&t).map_err(|e| e.within(#tname))?
                });
                match card {
                    Card::Many => {
                        inits.push(quote!(let mut #var: Vec<#inner> = Vec::new();));
                        which_arms.push(quote!(#which => { #var.push(#parse_v); }));
                    }
                    _ => {
                        inits.push(quote!(let mut #var: Option<#inner> = None;));
                        which_arms.push(quote!(#which => {
                            if #var.is_some() { return Err(::xep_element::Error::duplicate_child(#tname)); }
                            #var = Some(#parse_v);
                        }));
                        if card == Card::One {
                            finals.push(quote!(let #var = match #var { Some(v) => v, None => return Err(::xep_element::Error::missing_child(#tname)) };));
                        }
                    }
                }
            }
            Kind::Flag {
                ns: tns,
                name: tname,
            } => {
                let m = ns_matches(tns, &quote!(cns));
                which_tests.push(quote!(if cname == #tname && #m { #which } else));
                inits.push(quote!(let mut #var = false;));
                which_arms.push(quote!(#which => {
                    if #var { return Err(::xep_element::Error::duplicate_child(#tname)); }
                    ::xep_element::__private::read_empty_child(src, #tname)?;
                    #var = true;
                }));
            }
            Kind::Text => {
                inits.push(quote!(let mut #var = String::new();));
                text_handler = quote!(#var.push_str(src.text()););
                finals.push(match card {
                    Card::One => {
                        quote!(let #var: #inner = ::xep_element::parse_text::<#inner>(&#var)?;)
                    }
                    _ => {
                        quote!(let #var: Option<#inner> = ::xep_element::parse_opt_text::<#inner>(&#var)?;)
                    }
                });
            }
            Kind::Children { foreign } => {
                inits.push(quote!(let mut #var: Vec<#inner> = Vec::new();));
                child_fallback = quote!(#which);
                let guard = if *foreign {
                    let own = ns_matches(&s.ns, &quote!(cns));
                    quote!(let (cns, cname) = src.name(); if #own {
                        return Err(::xep_element::Error::unexpected_child(cns, cname));
                    })
                } else {
                    quote!()
                };
                child_fallback_arm = quote!(#which => { #guard #var.push(<#inner as ::xep_element::Captured>::capture(src)?); });
            }
            Kind::ContentNs => finals.push(quote!(
                let #var = ::xep_element::ContentNs::from_uri(__self_ns).unwrap_or_default();
            )),
            Kind::Attrs => {
                inits.push(quote!(let mut #var: Vec<::xep_element::ForeignAttr> = Vec::new();));
                attr_fallback = quote!(#var.push(::xep_element::ForeignAttr { ns: a.ns.to_string(), name: a.name.to_string(), value: a.value.to_string() }););
                // Attribute order carries no meaning in XML, and the DOM
                // (minidom's sorted map) and the byte reader see different
                // orders: keep them sorted by (namespace, name), so that
                // both paths give equal values (found by the bosh fuzz
                // target).
                finals.push(quote!(#var.sort_by(|a, b| (a.ns.as_str(), a.name.as_str()).cmp(&(b.ns.as_str(), b.name.as_str())));));
            }
        }
    }

    let construct = if s.unit {
        quote!(#ty)
    } else {
        let pairs = s.fields.iter().map(|f| {
            let fi = f.ident;
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
    quote! {
        #[allow(unused_variables, unused_mut, clippy::never_loop)]
        fn parse<S: ::xep_element::Source + ?Sized>(src: &mut S) -> Result<Self, ::xep_element::Error> {
            let __at = src.position();
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
            })().map_err(|e| e.within_at(#name, __at))
        }
    }
}

/// `impl T { fn __which }`: which variant an element (namespace, name) is,
/// by declaration index; the `other` variant takes whatever none matches.
pub fn enum_which(e: &Enum) -> TokenStream {
    let ty = e.ident;
    let mut match_tests = Vec::new();
    let mut other = None;
    for v in &e.variants {
        let i = v.which;
        match &v.kind {
            VariantKind::Unit { ns, name } => {
                let m = ns_matches(ns, &quote!(ns));
                match_tests.push(quote!(if name == #name && #m { return Some(#i); }));
            }
            VariantKind::Element { inner, .. } => {
                match_tests.push(quote!(if <#inner as ::xep_element::XmlElement>::matches(ns, name) { return Some(#i); }));
            }
            VariantKind::Other { .. } => other = Some(quote!(return Some(#i);)),
        }
    }
    let other = other.unwrap_or(quote!(None));
    quote! {
        impl #ty {
            fn __which(ns: &str, name: &str) -> Option<u32> {
                #(#match_tests)*
                #other
            }
        }
    }
}

/// `fn parse` of an enum: the variant `__which` names.
pub fn enum_parse(e: &Enum) -> TokenStream {
    let parse_arms = e.variants.iter().map(|v| {
        let i = v.which;
        let vi = v.ident;
        match &v.kind {
            VariantKind::Unit { name, .. } => {
                quote!(#i => { ::xep_element::__private::read_empty_child(src, #name)?; Ok(Self::#vi) })
            }
            VariantKind::Element { inner, boxed } => {
                let wrap = if *boxed { quote!(Box::new) } else { quote!() };
                quote!(#i => Ok(Self::#vi(#wrap(<#inner as ::xep_element::XmlElement>::parse(src)?))))
            }
            VariantKind::Other { inner } => {
                quote!(#i => Ok(Self::#vi(<#inner as ::xep_element::Captured>::capture(src)?)))
            }
        }
    });
    quote! {
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
    }
}
