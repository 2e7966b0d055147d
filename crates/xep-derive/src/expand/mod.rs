//! Code generation from the model: one module per generated part. Each
//! reads only the model ([`crate::model`]).
//!
//! - [`parse`] generates `matches` and `parse` (and an enum's `__which`
//!   dispatch),
//! - [`write`] generates `write`,
//! - [`desc`] generates `descriptions` (the `ElementDesc` values),
//! - [`value`] generates `XmlValue` and `Display` for value enums.

mod desc;
mod parse;
mod value;
mod write;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DeriveInput, Expr, Ident};

use crate::ctxt::Ctxt;
use crate::model::{self, Element, Ns};

/// `#[derive(XmlElement)]`: every error in the declaration, or the impls.
pub fn derive_element(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let model = Element::from_ast(&cx, input);
    cx.check()?;
    Ok(match model.expect("a model when no error was recorded") {
        Element::Struct(s) => element_struct(&s),
        Element::Enum(e) => element_enum(&e),
    })
}

/// `#[derive(XmlValue)]`: every error in the declaration, or the impls.
pub fn derive_value(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let model = model::ValueEnum::from_ast(&cx, input);
    cx.check()?;
    Ok(value::value_enum(
        &model.expect("a model when no error was recorded"),
    ))
}

fn element_struct(s: &model::Struct) -> TokenStream {
    let ty = s.ident;
    let (impl_g, ty_g, where_c) = s.generics.split_for_impl();
    let matches = parse::struct_matches(s);
    let descriptions = desc::struct_descriptions(s);
    let parse = parse::struct_parse(s);
    let write = write::struct_write(s);
    let ts = quote! {
        impl #impl_g ::xep_element::XmlElement for #ty #ty_g #where_c {
            #matches
            #descriptions
            #parse
            #write
        }
    };
    add_conversions(ts, ty)
}

fn element_enum(e: &model::Enum) -> TokenStream {
    let ty = e.ident;
    let which = parse::enum_which(e);
    let descriptions = desc::enum_descriptions(e);
    let parse = parse::enum_parse(e);
    let write = write::enum_write(e);
    let ts = quote! {
        #which
        impl ::xep_element::XmlElement for #ty {
            fn matches(ns: &str, name: &str) -> bool {
                Self::__which(ns, name).is_some()
            }
            #descriptions
            #parse
            #write
        }
    };
    add_conversions(ts, ty)
}

/// Conversions from and to `minidom::Element`, for every element type.
fn add_conversions(ts: TokenStream, ty: &Ident) -> TokenStream {
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

/// Expression testing a runtime `ns: &str` (the variable `var`) against a
/// namespace.
fn ns_matches(ns: &Ns, var: &TokenStream) -> TokenStream {
    match ns {
        Ns::Expr(e) => quote!(#var == #e),
        Ns::Content => quote!(::xep_element::ns::is_content(#var)),
    }
}

/// An attribute's namespace as a `&str` expression (`""` for none).
fn attr_ns(ns: &Option<Expr>) -> TokenStream {
    match ns {
        Some(e) => quote!(#e),
        None => quote!(""),
    }
}
