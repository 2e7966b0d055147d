//! `write`: an element to a `Sink`, fields in declaration order
//! (attributes, then text, then children).

use proc_macro2::TokenStream;
use quote::quote;

use super::attr_ns;
use crate::model::{Card, Enum, Kind, Ns, Struct, VariantKind};

pub fn struct_write(s: &Struct) -> TokenStream {
    let name = &s.name;
    // The element's namespace at run time: fixed, the one the value keeps
    // (a `content_ns` field), or the content namespace in scope.
    let kept_ns = s.fields.iter().find(|f| matches!(f.kind, Kind::ContentNs));
    let write_ns = match (&s.ns, kept_ns) {
        (Ns::Expr(e), _) => quote!(let __self_ns: &str = #e;),
        (Ns::Content, Some(f)) => {
            let fi = f.ident;
            quote!(let __self_ns: &'static str = ::xep_element::ContentNs::uri(self.#fi);)
        }
        (Ns::Content, None) => {
            quote!(let __self_ns: &'static str = ::xep_element::content_ns(w);)
        }
    };
    let mut writes_attrs = Vec::new();
    let mut writes_text = quote!();
    let mut writes_children = Vec::new();
    for f in &s.fields {
        let fi = f.ident;
        let deref = if f.boxed { quote!(&**) } else { quote!() };
        match &f.kind {
            Kind::Attr {
                ns: ans,
                name: aname,
            } => {
                let ans_e = attr_ns(ans);
                writes_attrs.push(match f.card {
                    Card::One => quote!(w.attr(#ans_e, #aname, &::xep_element::XmlValue::to_xml(&self.#fi));),
                    _ => quote!(if let Some(v) = &self.#fi { w.attr(#ans_e, #aname, &::xep_element::XmlValue::to_xml(v)); }),
                });
            }
            Kind::Child { .. } => writes_children.push(match f.card {
                Card::Many => {
                    quote!(for v in &self.#fi { ::xep_element::XmlElement::write(#deref v, w); })
                }
                Card::One if f.boxed => quote!(::xep_element::XmlElement::write(&*self.#fi, w);),
                Card::One => quote!(::xep_element::XmlElement::write(&self.#fi, w);),
                Card::Opt => {
                    quote!(if let Some(v) = &self.#fi { ::xep_element::XmlElement::write(#deref v, w); })
                }
            }),
            Kind::TextChild {
                ns: tns,
                name: tname,
            } => {
                let wns = child_ns(tns);
                writes_children.push(match f.card {
                    Card::Many => quote!(for v in &self.#fi { ::xep_element::__private::write_text_child(w, #wns, #tname, &::xep_element::XmlValue::to_xml(v)); }),
                    Card::One => quote!(::xep_element::__private::write_text_child(w, #wns, #tname, &::xep_element::XmlValue::to_xml(&self.#fi));),
                    Card::Opt => quote!(if let Some(v) = &self.#fi { ::xep_element::__private::write_text_child(w, #wns, #tname, &::xep_element::XmlValue::to_xml(v)); }),
                });
            }
            Kind::Flag {
                ns: tns,
                name: tname,
            } => {
                let wns = child_ns(tns);
                writes_children.push(quote!(if self.#fi { w.start(#wns, #tname); w.end(); }));
            }
            Kind::Text => {
                writes_text = match f.card {
                    Card::One => {
                        quote!({ let t = ::xep_element::XmlValue::to_xml(&self.#fi); if !t.is_empty() { w.text(&t); } })
                    }
                    _ => quote!(if let Some(v) = &self.#fi { w.text(&::xep_element::XmlValue::to_xml(v)); }),
                };
            }
            Kind::Children { .. } => writes_children
                .push(quote!(for v in &self.#fi { ::xep_element::Captured::write(v, w); })),
            Kind::ContentNs => {}
            Kind::Attrs => writes_attrs
                .push(quote!(for a in &self.#fi { w.attr(&a.ns, &a.name, &a.value); })),
        }
    }
    quote! {
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
}

/// The namespace of a text or flag child when writing: fixed, or the
/// parent's content namespace.
fn child_ns(ns: &Ns) -> TokenStream {
    match ns {
        Ns::Expr(e) => quote!(#e),
        Ns::Content => quote!(__self_ns),
    }
}

pub fn enum_write(e: &Enum) -> TokenStream {
    let write_arms = e.variants.iter().map(|v| {
        let vi = v.ident;
        match &v.kind {
            VariantKind::Unit { ns, name } => {
                let wns = match ns {
                    Ns::Expr(e) => quote!(#e),
                    Ns::Content => quote!(::xep_element::content_ns(w)),
                };
                quote!(Self::#vi => { w.start(#wns, #name); w.end(); })
            }
            VariantKind::Element { boxed, .. } => {
                let deref = if *boxed { quote!(&**) } else { quote!() };
                quote!(Self::#vi(v) => ::xep_element::XmlElement::write(#deref v, w),)
            }
            VariantKind::Other { .. } => {
                quote!(Self::#vi(v) => ::xep_element::Captured::write(v, w),)
            }
        }
    });
    quote! {
        fn write<W: ::xep_element::Sink + ?Sized>(&self, w: &mut W) {
            match self {
                #(#write_arms)*
            }
        }
    }
}
