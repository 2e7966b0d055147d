//! XEP-0156 discovering alternative connection methods: the host-meta
//! document (RFC 6415) in its XRD form (XRD 1.0), and its JRD form.

use xep_element::{DateTime82, ForeignAttr, Payload, XmlElement, XmlValue};

/// `http://docs.oasis-open.org/ns/xri/xrd-1.0`: XRD 1.0.
pub const NS_XRD: &str = "http://docs.oasis-open.org/ns/xri/xrd-1.0";
/// `http://www.w3.org/2001/XMLSchema-instance`, for `xsi:nil` on a
/// property.
pub const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// The link relation of an XMPP over WebSocket endpoint (RFC 7395).
pub const REL_WEBSOCKET: &str = "urn:xmpp:alt-connections:websocket";
/// The link relation of an XMPP over BOSH endpoint (XEP-0124, XEP-0206).
pub const REL_BOSH: &str = "urn:xmpp:alt-connections:xbosh";
/// `urn:xmpp:alt-connections`, the namespace XEP-0156 registers.
pub const NS_ALT_CONNECTIONS: &str = "urn:xmpp:alt-connections";

/// The URL of the host-meta document of `domain`: over HTTPS only (§3.2
/// rule 1), `/.well-known/host-meta` (RFC 6415 §2).
pub fn host_meta_url(domain: &str) -> String {
    format!("https://{domain}/.well-known/host-meta")
}

/// The URL of the JRD form of the host-meta document of `domain`.
pub fn host_meta_json_url(domain: &str) -> String {
    format!("https://{domain}/.well-known/host-meta.json")
}

/// `<XRD/>`: a resource descriptor, here the host-meta document of a
/// domain (RFC 6415), whose `<Link/>`s name the connection endpoints.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_XRD, name = "XRD")]
pub struct Xrd {
    /// `xml:id`.
    #[xml(attr(ns = NS_XML, name = "id"))]
    pub id: Option<String>,
    /// `<Expires/>`: when the document expires.
    #[xml(text_child(name = "Expires"))]
    pub expires: Option<DateTime82>,
    /// `<Subject/>`: the resource described (a URI).
    #[xml(text_child(name = "Subject"))]
    pub subject: Option<String>,
    /// `<Alias/>`: other URIs of the resource.
    #[xml(text_child(name = "Alias"))]
    pub aliases: Vec<String>,
    /// `<Property/>`: properties of the resource.
    #[xml(child)]
    pub properties: Vec<Property>,
    /// `<Link/>`: related resources, among them the connection endpoints.
    #[xml(child)]
    pub links: Vec<Link>,
    /// Attributes of other namespaces.
    #[xml(attrs)]
    pub attrs: Vec<ForeignAttr>,
    /// Elements of other namespaces (the schema's extension point).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// `<Property type='...'/>`: a property, a value or nil (`xsi:nil`).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_XRD, name = "Property")]
pub struct Property {
    /// The property's type (a URI).
    #[xml(attr(name = "type"))]
    pub type_: String,
    /// The value (empty when nil).
    #[xml(text)]
    pub value: String,
    /// Attributes of other namespaces: `xsi:nil` (see
    /// [`Property::is_nil`]), which XML Schema processors treat as their
    /// own rather than as an attribute of the element.
    #[xml(attrs)]
    pub attrs: Vec<ForeignAttr>,
}

impl Property {
    /// A property of `type_` with `value`, or nil (`xsi:nil='true'`)
    /// when `value` is `None`.
    pub fn new(type_: &str, value: Option<&str>) -> Property {
        Property {
            type_: type_.into(),
            value: value.unwrap_or_default().into(),
            attrs: match value {
                Some(_) => Vec::new(),
                None => vec![ForeignAttr {
                    ns: NS_XSI.into(),
                    name: "nil".into(),
                    value: "true".into(),
                }],
            },
        }
    }

    /// Whether the property is nil (`xsi:nil` `true` or `1`).
    pub fn is_nil(&self) -> bool {
        self.attrs.iter().any(|a| {
            a.ns == NS_XSI
                && a.name == "nil"
                && xep_element::XsdBool::from_xml(&a.value).is_ok_and(bool::from)
        })
    }
}

/// `<Title/>`: a human-readable title of a link, in `xml:lang`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_XRD, name = "Title")]
pub struct Title {
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The title.
    #[xml(text)]
    pub text: String,
}

/// `<Link/>`: a related resource, by relation (`rel`) and location
/// (`href`, or a URI `template`).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_XRD, name = "Link")]
pub struct Link {
    /// The relation (e.g. [`REL_BOSH`], [`REL_WEBSOCKET`]).
    #[xml(attr)]
    pub rel: Option<String>,
    /// The media type of the resource.
    #[xml(attr(name = "type"))]
    pub type_: Option<String>,
    /// The resource's URI.
    #[xml(attr)]
    pub href: Option<String>,
    /// A URI template (RFC 6415 §3.1.1.1) instead of `href`.
    #[xml(attr)]
    pub template: Option<String>,
    /// Titles, one per language.
    #[xml(child)]
    pub titles: Vec<Title>,
    /// Properties of the link.
    #[xml(child)]
    pub properties: Vec<Property>,
    /// Attributes of other namespaces.
    #[xml(attrs)]
    pub attrs: Vec<ForeignAttr>,
    /// Elements of other namespaces.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Link {
    /// A link of relation `rel` to `href`.
    pub fn new(rel: &str, href: &str) -> Link {
        Link {
            rel: Some(rel.into()),
            href: Some(href.into()),
            ..Link::default()
        }
    }
}

/// A connection method of XEP-0156.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// XMPP over BOSH: an `https://` URL.
    Bosh,
    /// XMPP over WebSocket: a `wss://` URL.
    WebSocket,
}

impl Method {
    /// The link relation.
    pub fn rel(self) -> &'static str {
        match self {
            Method::Bosh => REL_BOSH,
            Method::WebSocket => REL_WEBSOCKET,
        }
    }

    /// The only URL scheme §3.2 rule 1 allows for the method (TLS).
    pub fn scheme(self) -> &'static str {
        match self {
            Method::Bosh => "https",
            Method::WebSocket => "wss",
        }
    }
}

/// Why an endpoint of a host-meta document is not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// The link has no `href` (a template is no endpoint).
    NoHref,
    /// The URL is not over TLS (`https://` for BOSH, `wss://` for
    /// WebSocket, §3.2 rule 1 and §5).
    NotSecure(String),
}

/// The endpoints of a host-meta document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Endpoints {
    /// BOSH endpoints, `https://` only, in document order (which means
    /// nothing, §3.2 rule 5).
    pub bosh: Vec<String>,
    /// WebSocket endpoints, `wss://` only, in document order.
    pub websocket: Vec<String>,
    /// Links of either relation that cannot be used, and why.
    pub refused: Vec<(Method, Unusable)>,
}

fn has_scheme(url: &str, scheme: &str) -> bool {
    url.len() > scheme.len() + 3
        && url[..scheme.len()].eq_ignore_ascii_case(scheme)
        && url[scheme.len()..].starts_with("://")
}

impl Xrd {
    /// The connection endpoints of the document: the links of the two
    /// relations, only with the TLS scheme §3.2 rule 1 requires; the
    /// others are listed as refused.
    pub fn endpoints(&self) -> Endpoints {
        let mut out = Endpoints::default();
        for link in &self.links {
            let method = match link.rel.as_deref() {
                Some(REL_BOSH) => Method::Bosh,
                Some(REL_WEBSOCKET) => Method::WebSocket,
                _ => continue,
            };
            let Some(href) = link.href.as_deref().map(str::trim) else {
                out.refused.push((method, Unusable::NoHref));
                continue;
            };
            if !has_scheme(href, method.scheme()) {
                out.refused
                    .push((method, Unusable::NotSecure(href.to_string())));
                continue;
            }
            match method {
                Method::Bosh => out.bosh.push(href.to_string()),
                Method::WebSocket => out.websocket.push(href.to_string()),
            }
        }
        out
    }

    /// The first BOSH endpoint (`https://`), if any.
    pub fn bosh(&self) -> Option<String> {
        self.endpoints().bosh.into_iter().next()
    }

    /// The first WebSocket endpoint (`wss://`), if any.
    pub fn websocket(&self) -> Option<String> {
        self.endpoints().websocket.into_iter().next()
    }

    /// Reads the host-meta document in its XRD form (RFC 6415 §3): the
    /// bytes of the HTTP body, an XML declaration allowed before the
    /// `<XRD/>` (which stanzas never carry, RFC 6120 §11.1, so it is
    /// removed here).
    pub fn from_document(body: &[u8]) -> Result<Xrd, xep_element::Error> {
        let mut b = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(0);
        b = &b[start..];
        if b.starts_with(b"<?xml")
            && let Some(end) = b.windows(2).position(|w| w == b"?>")
        {
            b = &b[end + 2..];
        }
        Xrd::from_xml(b)
    }

    /// Reads the JRD form (RFC 6415 Appendix A: `subject`, `expires`,
    /// `aliases`, `properties`, `links` with `rel`, `type`, `href`,
    /// `template`, `titles` and `properties`). Members it does not know
    /// are ignored, as JSON has no place to keep them here.
    pub fn from_jrd(json: &str) -> Result<Xrd, String> {
        use serde_json::Value;
        fn string(v: &Value, what: &str) -> Result<String, String> {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("'{what}' is not a string"))
        }
        fn properties(v: Option<&Value>) -> Result<Vec<Property>, String> {
            let Some(v) = v else { return Ok(Vec::new()) };
            let map = v.as_object().ok_or("'properties' is not an object")?;
            map.iter()
                .map(|(k, v)| {
                    Ok(match v {
                        Value::Null => Property::new(k, None),
                        v => Property::new(k, Some(&string(v, k)?)),
                    })
                })
                .collect()
        }
        let root: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let obj = root.as_object().ok_or("a JRD is a JSON object")?;
        let mut xrd = Xrd {
            subject: obj
                .get("subject")
                .map(|v| string(v, "subject"))
                .transpose()?,
            expires: obj
                .get("expires")
                .map(|v| string(v, "expires").and_then(|s| DateTime82::from_xml(&s)))
                .transpose()?,
            properties: properties(obj.get("properties"))?,
            ..Xrd::default()
        };
        if let Some(aliases) = obj.get("aliases") {
            let list = aliases.as_array().ok_or("'aliases' is not an array")?;
            xrd.aliases = list
                .iter()
                .map(|a| string(a, "aliases"))
                .collect::<Result<_, _>>()?;
        }
        if let Some(links) = obj.get("links") {
            for l in links.as_array().ok_or("'links' is not an array")? {
                let l = l.as_object().ok_or("a link is not an object")?;
                let get = |k: &str| l.get(k).map(|v| string(v, k)).transpose();
                let mut titles = Vec::new();
                if let Some(t) = l.get("titles") {
                    for (lang, text) in t.as_object().ok_or("'titles' is not an object")? {
                        titles.push(Title {
                            lang: (lang != "default").then(|| lang.clone()),
                            text: string(text, "titles")?,
                        });
                    }
                }
                xrd.links.push(Link {
                    rel: get("rel")?,
                    type_: get("type")?,
                    href: get("href")?,
                    template: get("template")?,
                    titles,
                    properties: properties(l.get("properties"))?,
                    ..Link::default()
                });
            }
        }
        Ok(xrd)
    }

    /// Writes the JRD form (RFC 6415 Appendix A) of the document: what
    /// JSON can carry (no `xml:id`, no extensions).
    pub fn to_jrd(&self) -> String {
        use serde_json::{Map, Value, json};
        fn properties(ps: &[Property]) -> Value {
            Value::Object(
                ps.iter()
                    .map(|p| {
                        let v = if p.is_nil() {
                            Value::Null
                        } else {
                            Value::String(p.value.clone())
                        };
                        (p.type_.clone(), v)
                    })
                    .collect(),
            )
        }
        let mut root = Map::new();
        if let Some(s) = &self.subject {
            root.insert("subject".into(), json!(s));
        }
        if let Some(e) = &self.expires {
            root.insert("expires".into(), json!(e.to_xml()));
        }
        if !self.aliases.is_empty() {
            root.insert("aliases".into(), json!(self.aliases));
        }
        if !self.properties.is_empty() {
            root.insert("properties".into(), properties(&self.properties));
        }
        let links: Vec<Value> = self
            .links
            .iter()
            .map(|l| {
                let mut m = Map::new();
                for (k, v) in [
                    ("rel", &l.rel),
                    ("type", &l.type_),
                    ("href", &l.href),
                    ("template", &l.template),
                ] {
                    if let Some(v) = v {
                        m.insert(k.into(), json!(v));
                    }
                }
                if !l.titles.is_empty() {
                    let t: Map<String, Value> = l
                        .titles
                        .iter()
                        .map(|t| {
                            (
                                t.lang.clone().unwrap_or_else(|| "default".into()),
                                json!(t.text),
                            )
                        })
                        .collect();
                    m.insert("titles".into(), Value::Object(t));
                }
                if !l.properties.is_empty() {
                    m.insert("properties".into(), properties(&l.properties));
                }
                Value::Object(m)
            })
            .collect();
        root.insert("links".into(), Value::Array(links));
        Value::Object(root).to_string()
    }
}
