//! XEP-0386 Bind 2: the elements of `urn:xmpp:bind:0`, resource binding
//! inside a SASL2 exchange ([`crate::sasl2`]).
//!
//! One element name serves two places: `<bind/>` is the feature the
//! server lists in SASL2's [`Inline`](crate::sasl2::Inline) (with its own
//! [`Inline`] of [`Feature`]s it can enable in the same step), and the
//! request a client puts in [`Authenticate`](crate::sasl2::Authenticate)
//! (with a [`Bind::tag`] and the extension payloads to enable). The
//! server answers in SASL2's [`Success`](crate::sasl2::Success) with the
//! full JID as the authorization identifier and a [`Bound`] holding the
//! results of what was enabled (XEP-0313's archive metadata, XEP-0198's
//! `<enabled/>`, ...).

use xep_element::{Payload, XmlElement};

/// `urn:xmpp:bind:0`.
pub const NS_BIND2: &str = "urn:xmpp:bind:0";

/// `<bind/>`: the server's feature (with [`inline`](Self::inline)) or the
/// client's request (with [`tag`](Self::tag) and
/// [`extensions`](Self::extensions)).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_BIND2, name = "bind")]
pub struct Bind {
    /// Feature: what can be enabled together with binding.
    #[xml(child)]
    pub inline: Option<Inline>,
    /// Request: a short name of the client software, which the server
    /// puts in the resource it generates (visible to others: nothing
    /// private).
    #[xml(text_child(name = "tag"))]
    pub tag: Option<String>,
    /// Request: features of other namespaces to enable for the new
    /// session (XEP-0280's `<enable/>`, XEP-0198's `<enable/>`,
    /// XEP-0352's `<active/>`/`<inactive/>`, ...).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Bind {
    /// The server's feature, listing what it can enable inline (the
    /// `var` of each [`Feature`]).
    pub fn feature<S: Into<String>>(vars: impl IntoIterator<Item = S>) -> Self {
        let features: Vec<Feature> = vars
            .into_iter()
            .map(|v| Feature { var: v.into() })
            .collect();
        Bind {
            inline: (!features.is_empty()).then_some(Inline { features }),
            ..Bind::default()
        }
    }

    /// The client's request, with an optional tag and nothing else to
    /// enable.
    pub fn request(tag: Option<String>) -> Self {
        Bind {
            tag,
            ..Bind::default()
        }
    }

    /// Whether the server's feature lists `var` as negotiable inline.
    pub fn offers(&self, var: &str) -> bool {
        self.inline
            .as_ref()
            .is_some_and(|i| i.features.iter().any(|f| f.var == var))
    }
}

/// `<inline/>` of the bind feature: the features that can be enabled in
/// the bind request.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_BIND2, name = "inline")]
pub struct Inline {
    /// The features.
    #[xml(child)]
    pub features: Vec<Feature>,
}

/// `<feature/>`: one feature that can be enabled inline.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_BIND2, name = "feature")]
pub struct Feature {
    /// The feature's service discovery name or namespace
    /// (`urn:xmpp:carbons:2`, `urn:xmpp:sm:3`, ...).
    #[xml(attr)]
    pub var: String,
}

/// `<bound/>` in SASL2's `<success/>`: the resource is bound; the
/// results of the features enabled with it.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_BIND2, name = "bound")]
pub struct Bound {
    /// XEP-0313's `<metadata/>` of the archive at binding time, XEP-0198's
    /// `<enabled/>` or `<failed/>`, and the answers of other features.
    #[xml(children(foreign))]
    pub payloads: Vec<Payload>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_with_inline_features_round_trips() {
        let b = Bind::feature(["urn:xmpp:carbons:2", "urn:xmpp:sm:3"]);
        let xml = b.to_xml();
        assert_eq!(
            xml,
            "<bind xmlns='urn:xmpp:bind:0'><inline>\
             <feature var='urn:xmpp:carbons:2'/><feature var='urn:xmpp:sm:3'/>\
             </inline></bind>"
        );
        let back = Bind::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(back, b);
        assert!(back.offers("urn:xmpp:sm:3"));
        assert!(!back.offers("urn:xmpp:csi:0"));
        assert_eq!(Bind::feature(Vec::<String>::new()).inline, None);
    }

    #[test]
    fn request_with_tag_and_extension() {
        let b = Bind::from_xml(
            b"<bind xmlns='urn:xmpp:bind:0'><tag>Client</tag>\
              <enable xmlns='urn:xmpp:carbons:2'/></bind>",
        )
        .unwrap();
        assert_eq!(b.tag.as_deref(), Some("Client"));
        assert_eq!(b.extensions.len(), 1);
        assert_eq!(b.inline, None);
        assert_eq!(
            Bind::request(Some("Client".into())).to_xml(),
            "<bind xmlns='urn:xmpp:bind:0'><tag>Client</tag></bind>"
        );
    }

    #[test]
    fn feature_without_var_names_the_path() {
        let e = Bind::from_xml(b"<bind xmlns='urn:xmpp:bind:0'><inline><feature/></inline></bind>")
            .unwrap_err();
        let text = e.to_string();
        assert!(text.contains("bind/inline/feature"), "{text}");
        assert!(text.contains("var"), "{text}");
    }

    #[test]
    fn bound_keeps_its_payloads() {
        let b = Bound::from_xml(
            b"<bound xmlns='urn:xmpp:bind:0'><metadata xmlns='urn:xmpp:mam:2'/></bound>",
        )
        .unwrap();
        assert_eq!(b.payloads.len(), 1);
        assert_eq!(
            Bound::default().to_xml(),
            "<bound xmlns='urn:xmpp:bind:0'/>"
        );
    }
}
