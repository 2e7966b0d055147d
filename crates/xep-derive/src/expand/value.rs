//! `#[derive(XmlValue)]`: `XmlValue` and `Display` for an enum of values.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{ValueEnum, ValueVariant};

pub fn value_enum(e: &ValueEnum) -> TokenStream {
    let ty = e.ident;
    let mut values = Vec::new();
    let mut from_arms = Vec::new();
    let mut to_arms = Vec::new();
    let mut other = None;
    for v in &e.variants {
        match v {
            ValueVariant::Other { ident: vi } => {
                other = Some(quote!(other => Ok(Self::#vi(other.to_string()))));
                to_arms.push(quote!(Self::#vi(s) => ::std::borrow::Cow::Borrowed(s.as_str())));
            }
            ValueVariant::Unit { ident: vi, value } => {
                values.push(value.clone());
                from_arms.push(quote!(#value => Ok(Self::#vi)));
                to_arms.push(quote!(Self::#vi => ::std::borrow::Cow::Borrowed(#value)));
            }
        }
    }
    let expected = format!("expected one of: {}", values.join(", "));
    let open = other.is_some();
    let other = other.unwrap_or(quote!(_ => Err(#expected.to_string())));
    quote! {
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
    }
}
