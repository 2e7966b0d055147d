//! `descriptions`: the `ElementDesc` of an element (names, attributes with
//! their value types, children with cardinality, extension points), the
//! input of schema generation, fuzz dictionaries and property strategies.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Type;

use super::attr_ns;
use crate::model::{Card, Enum, Kind, Ns, Struct, VariantKind};

pub fn struct_descriptions(s: &Struct) -> TokenStream {
    let name = &s.name;
    let own_ns = ns_desc(&s.ns);
    let mut desc_attrs = Vec::new();
    let mut desc_children = Vec::new();
    let mut desc_text = quote!(None);
    let mut any_attrs = false;
    for f in &s.fields {
        let inner = &f.inner;
        match &f.kind {
            Kind::Attr {
                ns: ans,
                name: aname,
            } => {
                let ans_e = attr_ns(ans);
                let required = f.card == Card::One;
                let value = value_desc(inner);
                desc_attrs.push(quote!(::xep_element::AttrDesc {
                    ns: #ans_e, name: #aname, required: #required,
                    value: #value,
                }));
            }
            Kind::Child { min: least } => {
                let (min, max) = card_bounds(f.card);
                let min = min.max(*least);
                desc_children.push(quote!(::xep_element::ChildDesc {
                    kind: ::xep_element::ChildKind::Element(<#inner as ::xep_element::XmlElement>::descriptions),
                    min: #min, max: #max,
                }));
            }
            Kind::TextChild {
                ns: tns,
                name: tname,
            } => {
                let (min, max) = card_bounds(f.card);
                let nd = ns_desc(tns);
                let value = value_desc(inner);
                desc_children.push(quote!(::xep_element::ChildDesc {
                    kind: ::xep_element::ChildKind::Text { ns: #nd, name: #tname,
                        value: #value },
                    min: #min, max: #max,
                }));
            }
            Kind::Flag {
                ns: tns,
                name: tname,
            } => {
                let nd = ns_desc(tns);
                desc_children.push(quote!(::xep_element::ChildDesc {
                    kind: ::xep_element::ChildKind::Flag { ns: #nd, name: #tname },
                    min: 0, max: Some(1),
                }));
            }
            Kind::Text => {
                let value = value_desc(inner);
                desc_text = quote!(Some(#value));
            }
            Kind::Children { .. } => desc_children.push(quote!(::xep_element::ChildDesc {
                kind: ::xep_element::ChildKind::Any,
                min: 0,
                max: None,
            })),
            Kind::Attrs => any_attrs = true,
            // Which content namespace is in the element's own `NsDesc`.
            Kind::ContentNs => {}
        }
    }
    quote! {
        fn descriptions() -> &'static [::xep_element::ElementDesc] {
            static D: [::xep_element::ElementDesc; 1] = [::xep_element::ElementDesc {
                ns: #own_ns,
                name: #name,
                attrs: &[#(#desc_attrs),*],
                any_attrs: #any_attrs,
                children: &[#(#desc_children),*],
                text: #desc_text,
            }];
            &D
        }
    }
}

/// The descriptions of every element an enum chooses between (the `other`
/// variant has none).
pub fn enum_descriptions(e: &Enum) -> TokenStream {
    let desc_parts = e.variants.iter().filter_map(|v| match &v.kind {
        VariantKind::Unit { ns, name } => {
            let nd = ns_desc(ns);
            Some(quote!(v.push(::xep_element::ElementDesc {
                ns: #nd, name: #name, attrs: &[], any_attrs: false, children: &[], text: None,
            });))
        }
        VariantKind::Element { inner, .. } => Some(
            quote!(v.extend_from_slice(<#inner as ::xep_element::XmlElement>::descriptions());),
        ),
        VariantKind::Other { .. } => None,
    });
    quote! {
        fn descriptions() -> &'static [::xep_element::ElementDesc] {
            static D: ::std::sync::OnceLock<Vec<::xep_element::ElementDesc>> = ::std::sync::OnceLock::new();
            D.get_or_init(|| {
                let mut v = Vec::new();
                #(#desc_parts)*
                v
            })
        }
    }
}

fn ns_desc(ns: &Ns) -> TokenStream {
    match ns {
        Ns::Expr(e) => quote!(::xep_element::NsDesc::Fixed(#e)),
        Ns::Content => quote!(::xep_element::NsDesc::Content),
    }
}

/// The `ValueDesc` of an `XmlValue` type.
fn value_desc(inner: &Type) -> TokenStream {
    quote!(::xep_element::ValueDesc {
        xsd_type: <#inner as ::xep_element::XmlValue>::XSD_TYPE,
        values: <#inner as ::xep_element::XmlValue>::VALUES,
        open: <#inner as ::xep_element::XmlValue>::OPEN,
        example: <#inner as ::xep_element::XmlValue>::EXAMPLE,
    })
}

/// The least and most number of a field of this cardinality.
fn card_bounds(card: Card) -> (u32, TokenStream) {
    match card {
        Card::One => (1, quote!(Some(1))),
        Card::Opt => (0, quote!(Some(1))),
        Card::Many => (0, quote!(None)),
    }
}
