//! XEP-0030 Service Discovery (`disco#info`, `disco#items`) and XEP-0128
//! extended information (data forms inside `disco#info` results).
//!
//! ```
//! use xep_disco::{DiscoInfo, Feature, Identity, NS_INFO};
//! use xep_element::XmlElement;
//!
//! let mut info = DiscoInfo::default();
//! info.identities.push(Identity::new("client", "pc", Some("Exodus")));
//! info.features.push(Feature::new(NS_INFO));
//! let xml = info.to_xml();
//! assert_eq!(DiscoInfo::from_xml(xml.as_bytes()).unwrap(), info);
//! assert!(info.has_feature(NS_INFO));
//! ```

#![warn(missing_docs)]

use xep_core::Iq;
use xep_element::jid::Jid;
use xep_element::{Payload, XmlElement};
use xep_forms::DataForm;

/// `http://jabber.org/protocol/disco#info`.
pub const NS_INFO: &str = "http://jabber.org/protocol/disco#info";
/// `http://jabber.org/protocol/disco#items`.
pub const NS_ITEMS: &str = "http://jabber.org/protocol/disco#items";

/// `<query xmlns='http://jabber.org/protocol/disco#info'/>`: a request (empty)
/// or a result.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_INFO, name = "query")]
pub struct DiscoInfo {
    /// The node queried (XEP-0030 §3.2).
    #[xml(attr)]
    pub node: Option<String>,
    /// What the entity is.
    #[xml(child)]
    pub identities: Vec<Identity>,
    /// What the entity supports.
    #[xml(child)]
    pub features: Vec<Feature>,
    /// Extended information (XEP-0128): data forms of type `result`, each
    /// with a `FORM_TYPE`.
    #[xml(child)]
    pub forms: Vec<DataForm>,
    /// Elements of other namespaces, kept.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// `<identity/>`: one identity of an entity.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Hash, Default)]
#[xml(ns = NS_INFO, name = "identity")]
pub struct Identity {
    /// The category (e.g. `client`, `server`, `conference`).
    #[xml(attr)]
    pub category: String,
    /// The type within the category (e.g. `pc`, `im`, `text`).
    #[xml(attr(name = "type"))]
    pub type_: String,
    /// A natural-language name.
    #[xml(attr)]
    pub name: Option<String>,
    /// The language of `name`.
    #[xml(lang)]
    pub lang: Option<String>,
}

/// `<feature var='...'/>`: one supported feature.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Hash, Default)]
#[xml(ns = NS_INFO, name = "feature")]
pub struct Feature {
    /// The feature (a protocol namespace or registered feature name).
    #[xml(attr)]
    pub var: String,
}

/// `<query xmlns='http://jabber.org/protocol/disco#items'/>`: a request
/// (empty) or a result.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_ITEMS, name = "query")]
pub struct DiscoItems {
    /// The node queried.
    #[xml(attr)]
    pub node: Option<String>,
    /// The items.
    #[xml(child)]
    pub items: Vec<DiscoItem>,
    /// Elements of other namespaces (e.g. a XEP-0059 `<set/>`), kept.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// `<item/>`: one item associated with an entity.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_ITEMS, name = "item")]
pub struct DiscoItem {
    /// The item's address.
    #[xml(attr)]
    pub jid: Jid,
    /// The item's node, if it is not addressable by JID alone.
    #[xml(attr)]
    pub node: Option<String>,
    /// A natural-language name.
    #[xml(attr)]
    pub name: Option<String>,
    /// Elements of other namespaces that extensions attach to an item
    /// (e.g. XEP-0499 metadata forms), kept.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Identity {
    /// An identity of `category`/`type_` with an optional name.
    pub fn new(category: &str, type_: &str, name: Option<&str>) -> Self {
        Identity {
            category: category.into(),
            type_: type_.into(),
            name: name.map(Into::into),
            lang: None,
        }
    }
}

impl Feature {
    /// The feature `var`.
    pub fn new(var: &str) -> Self {
        Feature { var: var.into() }
    }
}

impl DiscoInfo {
    /// An empty request for `node` (or the entity itself).
    pub fn request(node: Option<&str>) -> Self {
        DiscoInfo {
            node: node.map(Into::into),
            ..DiscoInfo::default()
        }
    }

    /// Whether `var` is among the features.
    pub fn has_feature(&self, var: &str) -> bool {
        self.features.iter().any(|f| f.var == var)
    }

    /// Whether an identity of `category` (and `type_`, if given) is present.
    pub fn has_identity(&self, category: &str, type_: Option<&str>) -> bool {
        self.identities
            .iter()
            .any(|i| i.category == category && type_.is_none_or(|t| i.type_ == t))
    }

    /// The extended-information form whose `FORM_TYPE` is `form_type`.
    pub fn form(&self, form_type: &str) -> Option<&DataForm> {
        self.forms.iter().find(|f| f.form_type() == Some(form_type))
    }
}

impl DiscoItems {
    /// An empty request for `node` (or the entity itself).
    pub fn request(node: Option<&str>) -> Self {
        DiscoItems {
            node: node.map(Into::into),
            ..DiscoItems::default()
        }
    }
}

impl DiscoItem {
    /// An item at `jid`, with an optional node and name.
    pub fn new(jid: Jid, node: Option<&str>, name: Option<&str>) -> Self {
        DiscoItem {
            jid,
            node: node.map(Into::into),
            name: name.map(Into::into),
            extensions: Vec::new(),
        }
    }
}

/// A `disco#info` get to `to` (for `node`, if given).
pub fn info_request(id: impl Into<String>, to: Option<Jid>, node: Option<&str>) -> Iq {
    Iq::get(id, to, Payload::new(DiscoInfo::request(node)))
}

/// A `disco#items` get to `to` (for `node`, if given).
pub fn items_request(id: impl Into<String>, to: Option<Jid>, node: Option<&str>) -> Iq {
    Iq::get(id, to, Payload::new(DiscoItems::request(node)))
}

xep_element::elements! {
    "XEP-0030" => [DiscoInfo, Identity, Feature, DiscoItems, DiscoItem],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_requires_category_and_type() {
        let e = DiscoInfo::from_xml(
            b"<query xmlns='http://jabber.org/protocol/disco#info'><identity type='pc'/></query>",
        )
        .unwrap_err();
        assert_eq!(e.path(), "query/identity");
        assert!(e.to_string().contains("category"), "{e}");
    }

    #[test]
    fn feature_must_be_empty() {
        let e = DiscoInfo::from_xml(
            b"<query xmlns='http://jabber.org/protocol/disco#info'><feature var='a'><x/></feature></query>",
        )
        .unwrap_err();
        assert_eq!(e.path(), "query/feature");
    }

    #[test]
    fn extended_info_forms_are_typed_and_found_by_form_type() {
        let xml = b"<query xmlns='http://jabber.org/protocol/disco#info'>\
            <identity category='server' type='im' xml:lang='en' name='S'/>\
            <feature var='http://jabber.org/protocol/disco#info'/>\
            <x xmlns='jabber:x:data' type='result'>\
              <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:serverinfo:0</value></field>\
              <field var='abuse-addresses'><value>mailto:abuse@example.org</value></field>\
            </x>\
            <unknown xmlns='urn:example'/>\
          </query>";
        let info = DiscoInfo::from_xml(xml).unwrap();
        assert_eq!(info.identities[0].lang.as_deref(), Some("en"));
        let form = info.form("urn:xmpp:serverinfo:0").unwrap();
        assert_eq!(
            form.value("abuse-addresses"),
            Some("mailto:abuse@example.org")
        );
        assert_eq!(info.extensions.len(), 1);
        assert!(info.has_identity("server", Some("im")));
        assert!(!info.has_identity("client", None));
        let again = DiscoInfo::from_xml(info.to_xml().as_bytes()).unwrap();
        assert_eq!(again, info);
    }

    #[test]
    fn items_keep_jid_node_name_and_bad_jids_are_rejected() {
        let xml = b"<query xmlns='http://jabber.org/protocol/disco#items' node='music'>\
            <item jid='catalog.shakespeare.lit' node='books' name='Books'/></query>";
        let items = DiscoItems::from_xml(xml).unwrap();
        assert_eq!(items.node.as_deref(), Some("music"));
        assert_eq!(items.items[0].node.as_deref(), Some("books"));
        let e = DiscoItems::from_xml(
            b"<query xmlns='http://jabber.org/protocol/disco#items'><item jid='@'/></query>",
        )
        .unwrap_err();
        assert_eq!(e.path(), "query/item");
    }

    #[test]
    fn requests_are_iq_gets() {
        let iq = info_request("i1", Some("example.org".parse().unwrap()), Some("n"));
        assert_eq!(
            iq.to_xml(),
            "<iq xmlns='jabber:client' to='example.org' id='i1' type='get'>\
             <query xmlns='http://jabber.org/protocol/disco#info' node='n'/></iq>"
        );
        let iq = items_request("i2", None, None);
        assert!(iq.to_xml().contains("disco#items"));
    }
}
