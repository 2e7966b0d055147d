//! XML Schemas generated from the element descriptions (`cargo xtask xsd`).
//!
//! One schema per namespace the registry implements, named by
//! [`file_name`]. The stanza content namespace ([`NsDesc::Content`]) is
//! written as `jabber:client` (the elements are the same in `jabber:server`).
//!
//! The mapping:
//! - every element description becomes a named complex type (the element's
//!   name, `name-2`, ... when one namespace has several shapes of one
//!   element), and every element name a global element declaration (of its
//!   first shape);
//! - attributes keep their XSD type, enumerations become
//!   `xs:enumeration` facets, `xml:lang` is a reference to the XML
//!   namespace's attribute (`xml.xsd`, written beside the others);
//! - children are an `xs:sequence` in serialization order (the order the
//!   crates write; their parsers also accept other orders), with their
//!   cardinality; a child that is a choice of elements (an enum) is an
//!   `xs:choice`; children of another namespace are references to that
//!   namespace's schema (imported);
//! - extension points are `xs:any namespace="##other"
//!   processContents="lax"` and `xs:anyAttribute`. XML Schema 1.0 forbids a
//!   content model where an element could match both a declared child of
//!   another namespace and such a wildcard (unique particle attribution):
//!   the declared child is then left to the wildcard (lax validation still
//!   checks it against its global declaration) and a comment says so.
//!
//! `index.xsd` imports every schema, for validating a document of any mix
//! of the namespaces.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use xep_element::Registry;
use xep_element::{AttrDesc, ChildDesc, ChildKind, ElementDesc, NsDesc, ValueDesc};

/// The XML namespace (`xml:lang`).
pub const XML_NS: &str = xep_element::ns::XML;

/// The file name of a namespace's schema: the namespace without its
/// scheme's `http://`, every run of characters other than letters, digits,
/// `.` and `-` replaced by `-`, then `.xsd` (`urn:xmpp:ping` →
/// `urn-xmpp-ping.xsd`, `http://jabber.org/protocol/disco#info` →
/// `jabber.org-protocol-disco-info.xsd`).
pub fn file_name(ns: &str) -> String {
    if ns == XML_NS {
        return "xml.xsd".into();
    }
    let s = ns
        .strip_prefix("http://")
        .or_else(|| ns.strip_prefix("https://"))
        .unwrap_or(ns);
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    format!("{out}.xsd")
}

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The namespace it describes (empty for the index).
    pub namespace: String,
    /// File name (in `xsd/`).
    pub file: String,
    /// The schema's text.
    pub text: String,
}

/// The namespace a description is written in.
pub fn ns_of(ns: &NsDesc) -> &'static str {
    match ns {
        NsDesc::Fixed(f) => f,
        NsDesc::Content => xep_element::ns::CLIENT,
    }
}

/// The schema of the XML namespace: `xml:lang`, `xml:space`, `xml:base`,
/// `xml:id` (as defined by XML 1.0 and its companions; written here, not
/// fetched).
pub fn xml_namespace_schema() -> String {
    format!(
        "<?xml version='1.0' encoding='UTF-8'?>\n\
<!-- The attributes of the XML namespace, for schemas that refer to xml:lang. -->\n\
<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' targetNamespace='{XML_NS}'>\n\
  <xs:attribute name='lang'>\n\
    <xs:simpleType>\n\
      <xs:union memberTypes='xs:language'>\n\
        <xs:simpleType>\n\
          <xs:restriction base='xs:string'>\n\
            <xs:enumeration value=''/>\n\
          </xs:restriction>\n\
        </xs:simpleType>\n\
      </xs:union>\n\
    </xs:simpleType>\n\
  </xs:attribute>\n\
  <xs:attribute name='space'>\n\
    <xs:simpleType>\n\
      <xs:restriction base='xs:NCName'>\n\
        <xs:enumeration value='default'/>\n\
        <xs:enumeration value='preserve'/>\n\
      </xs:restriction>\n\
    </xs:simpleType>\n\
  </xs:attribute>\n\
  <xs:attribute name='base' type='xs:anyURI'/>\n\
  <xs:attribute name='id' type='xs:ID'/>\n\
  <xs:attributeGroup name='specialAttrs'>\n\
    <xs:attribute ref='xml:base'/>\n\
    <xs:attribute ref='xml:lang'/>\n\
    <xs:attribute ref='xml:space'/>\n\
    <xs:attribute ref='xml:id'/>\n\
  </xs:attributeGroup>\n\
</xs:schema>\n"
    )
}

/// Marker around a namespace in text rendered before prefixes are known.
const MARK: char = '\u{1}';

fn qref(ns: &str, name: &str) -> String {
    format!("{MARK}{ns}{MARK}:{name}")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('\'', "&apos;")
}

fn occurs(min: u32, max: Option<u32>) -> String {
    let mut s = String::new();
    if min != 1 {
        let _ = write!(s, " minOccurs='{min}'");
    }
    match max {
        None => s.push_str(" maxOccurs='unbounded'"),
        Some(1) => {}
        Some(m) => {
            let _ = write!(s, " maxOccurs='{m}'");
        }
    }
    s
}

/// A named simple type of an enumeration (see [`simple_type`]).
fn named_simple_type(name: &str, v: &ValueDesc) -> String {
    let anon = simple_type(v, "  ");
    let body = anon.strip_prefix("  <xs:simpleType>").unwrap_or(&anon);
    format!("  <xs:simpleType name='{}'>{body}", esc(name))
}

/// A simple type: a restriction with enumerations; an open enumeration is
/// a union of the enumeration and its base type.
fn simple_type(v: &ValueDesc, indent: &str) -> String {
    let (open, inner) = if v.open {
        (true, format!("{indent}    "))
    } else {
        (false, indent.to_string())
    };
    let mut s = String::new();
    if open {
        let _ = write!(
            s,
            "{indent}<xs:simpleType>\n{indent}  <xs:union memberTypes='{}'>\n",
            v.xsd_type
        );
    }
    let _ = write!(
        s,
        "{inner}<xs:simpleType>\n{inner}  <xs:restriction base='{}'>\n",
        v.xsd_type
    );
    for e in v.values {
        let _ = writeln!(s, "{inner}    <xs:enumeration value='{}'/>", esc(e));
    }
    let _ = write!(s, "{inner}  </xs:restriction>\n{inner}</xs:simpleType>\n");
    if open {
        let _ = write!(s, "{indent}  </xs:union>\n{indent}</xs:simpleType>\n");
    }
    s
}

#[derive(Default)]
struct NsSchema {
    /// Global elements: name → (type or inline declaration body).
    globals: Vec<(String, Global)>,
    /// Global attributes (namespaced attributes of other schemas).
    attrs: Vec<(String, ValueDesc)>,
    /// Named complex types in creation order: (name, rendered body).
    types: Vec<(String, String)>,
    /// Namespaces referenced.
    refs: BTreeSet<String>,
    /// How many shapes each element name has had.
    shapes: HashMap<String, usize>,
}

enum Global {
    Type(String),
    Text(ValueDesc),
    Flag,
}

impl NsSchema {
    fn has_global(&self, name: &str) -> bool {
        self.globals.iter().any(|(n, _)| n == name)
    }
}

/// A particle of a sequence, for the unique-particle-attribution pass.
struct Particle {
    /// Namespaces of the elements it matches; `None` for a `##other`
    /// wildcard.
    nss: Option<BTreeSet<String>>,
    min: u32,
    max: Option<u32>,
    text: String,
    /// The same without its occurrence attributes (inside a choice).
    bare: String,
    /// What it stands for, for the comment when it is left to a wildcard.
    what: String,
}

impl Particle {
    fn flexible(&self) -> bool {
        self.max != Some(self.min)
    }
}

struct Gen {
    schemas: BTreeMap<String, NsSchema>,
    /// Type assigned to each description (by address).
    type_of: HashMap<usize, (String, String)>,
    queue: Vec<&'static ElementDesc>,
}

impl Gen {
    fn schema(&mut self, ns: &str) -> &mut NsSchema {
        self.schemas.entry(ns.to_string()).or_default()
    }

    /// The type name of `d` in its namespace (assigned on first sight).
    fn type_name(&mut self, d: &'static ElementDesc) -> String {
        let key = d as *const ElementDesc as usize;
        if let Some((_, t)) = self.type_of.get(&key) {
            return t.clone();
        }
        let ns = ns_of(&d.ns).to_string();
        let s = self.schema(&ns);
        let n = s.shapes.entry(d.name.to_string()).or_insert(0);
        *n += 1;
        let t = if *n == 1 {
            d.name.to_string()
        } else {
            format!("{}-{}", d.name, n)
        };
        if !s.has_global(d.name) {
            s.globals
                .push((d.name.to_string(), Global::Type(t.clone())));
        }
        self.type_of.insert(key, (ns, t.clone()));
        self.queue.push(d);
        t
    }

    fn element(&mut self, d: &'static ElementDesc) {
        let ns = ns_of(&d.ns).to_string();
        let tname = self.type_of[&(d as *const ElementDesc as usize)].1.clone();
        let mut particles = Vec::new();
        for c in d.children {
            particles.push(self.particle(&ns, c));
        }
        resolve_wildcard_conflicts(&mut particles);
        let simple = d.text.is_some() && particles.is_empty();
        let ind = if simple { "        " } else { "    " };
        let mut attrs = String::new();
        for a in d.attrs {
            attrs.push_str(&self.attribute(&ns, a, ind));
        }
        if d.any_attrs {
            let _ = writeln!(
                attrs,
                "{ind}<xs:anyAttribute namespace='##other' processContents='lax'/>"
            );
        }
        let mut body = String::new();
        match (d.text, particles.is_empty()) {
            (Some(v), true) => {
                let base = if v.values.is_empty() {
                    v.xsd_type.to_string()
                } else {
                    let st = format!("{tname}-text");
                    let s = named_simple_type(&st, &v);
                    self.schema(&ns).types.push((st.clone(), s));
                    st
                };
                let _ = write!(
                    body,
                    "  <xs:complexType name='{tname}'>\n    <xs:simpleContent>\n      <xs:extension base='{base}'>\n{attrs}      </xs:extension>\n    </xs:simpleContent>\n  </xs:complexType>\n"
                );
            }
            (text, _) => {
                let mixed = if text.is_some() { " mixed='true'" } else { "" };
                let _ = writeln!(body, "  <xs:complexType name='{tname}'{mixed}>");
                if !particles.is_empty() {
                    body.push_str("    <xs:sequence>\n");
                    for p in &particles {
                        body.push_str(&p.text);
                    }
                    body.push_str("    </xs:sequence>\n");
                }
                body.push_str(&attrs);
                body.push_str("  </xs:complexType>\n");
            }
        }
        self.schema(&ns).types.push((tname, body));
    }

    fn attribute(&mut self, parent_ns: &str, a: &AttrDesc, ind: &str) -> String {
        let usage = if a.required { " use='required'" } else { "" };
        if !a.ns.is_empty() {
            self.schema(parent_ns).refs.insert(a.ns.to_string());
            if a.ns != XML_NS {
                let s = self.schema(a.ns);
                if !s.attrs.iter().any(|(n, _)| n == a.name) {
                    s.attrs.push((a.name.to_string(), a.value));
                }
            }
            return format!("{ind}<xs:attribute ref='{}'{usage}/>\n", qref(a.ns, a.name));
        }
        if a.value.values.is_empty() {
            format!(
                "{ind}<xs:attribute name='{}' type='{}'{usage}/>\n",
                a.name, a.value.xsd_type
            )
        } else {
            format!(
                "{ind}<xs:attribute name='{}'{usage}>\n{}{ind}</xs:attribute>\n",
                a.name,
                simple_type(&a.value, &format!("{ind}  "))
            )
        }
    }

    /// An element particle for `d` inside an element of `parent_ns`.
    fn element_particle(
        &mut self,
        parent_ns: &str,
        d: &'static ElementDesc,
        occ: &str,
        indent: &str,
    ) -> String {
        let t = self.type_name(d);
        let ns = ns_of(&d.ns);
        if ns == parent_ns {
            format!("{indent}<xs:element name='{}' type='{t}'{occ}/>\n", d.name)
        } else if d.ns == NsDesc::Content {
            // From another namespace, a stanza is in either content
            // namespace (jabber:server's schema is jabber:client's, renamed).
            let server = xep_element::ns::SERVER;
            self.schema(parent_ns).refs.insert(ns.to_string());
            self.schema(parent_ns).refs.insert(server.to_string());
            format!(
                "{indent}<xs:choice{occ}>\n{indent}  <xs:element ref='{}'/>\n{indent}  <xs:element ref='{}'/>\n{indent}</xs:choice>\n",
                qref(ns, d.name),
                qref(server, d.name)
            )
        } else {
            self.schema(parent_ns).refs.insert(ns.to_string());
            format!("{indent}<xs:element ref='{}'{occ}/>\n", qref(ns, d.name))
        }
    }

    fn particle(&mut self, parent_ns: &str, c: &ChildDesc) -> Particle {
        let (nss, text, what) = self.particle_text(parent_ns, c, &occurs(c.min, c.max));
        let (_, bare, _) = self.particle_text(parent_ns, c, "");
        Particle {
            nss,
            min: c.min,
            max: c.max,
            text,
            bare,
            what,
        }
    }

    fn particle_text(
        &mut self,
        parent_ns: &str,
        c: &ChildDesc,
        occ: &str,
    ) -> (Option<BTreeSet<String>>, String, String) {
        let ind = "      ";
        match c.kind {
            ChildKind::Any => (
                None,
                format!("{ind}<xs:any namespace='##other' processContents='lax'{occ}/>\n"),
                "any".to_string(),
            ),
            ChildKind::Element(f) => {
                let mut descs: Vec<&'static ElementDesc> = Vec::new();
                for d in f() {
                    if !descs
                        .iter()
                        .any(|e| e.name == d.name && ns_of(&e.ns) == ns_of(&d.ns))
                    {
                        descs.push(d);
                    }
                }
                let nss: BTreeSet<String> =
                    descs.iter().map(|d| ns_of(&d.ns).to_string()).collect();
                let what = descs
                    .iter()
                    .map(|d| format!("{{{}}}{}", ns_of(&d.ns), d.name))
                    .collect::<Vec<_>>()
                    .join(" | ");
                let text = if descs.len() == 1 {
                    self.element_particle(parent_ns, descs[0], occ, ind)
                } else {
                    let mut s = format!("{ind}<xs:choice{occ}>\n");
                    for d in descs {
                        s.push_str(&self.element_particle(parent_ns, d, "", &format!("{ind}  ")));
                    }
                    let _ = writeln!(s, "{ind}</xs:choice>");
                    s
                };
                (Some(nss), text, what)
            }
            ChildKind::Text { ns, name, value } => {
                let ns = ns_of(&ns);
                let text = if ns == parent_ns {
                    if value.values.is_empty() {
                        format!(
                            "{ind}<xs:element name='{name}' type='{}'{occ}/>\n",
                            value.xsd_type
                        )
                    } else {
                        format!(
                            "{ind}<xs:element name='{name}'{occ}>\n{}{ind}</xs:element>\n",
                            simple_type(&value, "        ")
                        )
                    }
                } else {
                    self.foreign_global(parent_ns, ns, name, Global::Text(value));
                    format!("{ind}<xs:element ref='{}'{occ}/>\n", qref(ns, name))
                };
                (
                    Some(BTreeSet::from([ns.to_string()])),
                    text,
                    format!("{{{ns}}}{name}"),
                )
            }
            ChildKind::Flag { ns, name } => {
                let ns = ns_of(&ns);
                let text = if ns == parent_ns {
                    format!(
                        "{ind}<xs:element name='{name}'{occ}>\n{ind}  <xs:complexType/>\n{ind}</xs:element>\n"
                    )
                } else {
                    self.foreign_global(parent_ns, ns, name, Global::Flag);
                    format!("{ind}<xs:element ref='{}'{occ}/>\n", qref(ns, name))
                };
                (
                    Some(BTreeSet::from([ns.to_string()])),
                    text,
                    format!("{{{ns}}}{name}"),
                )
            }
        }
    }

    fn foreign_global(&mut self, parent_ns: &str, ns: &str, name: &str, g: Global) {
        self.schema(parent_ns).refs.insert(ns.to_string());
        let s = self.schema(ns);
        if !s.has_global(name) {
            s.globals.push((name.to_string(), g));
        }
    }
}

/// Leaves to the wildcard every particle of another namespace that could
/// compete with it (see the module docs): the run of particles from the
/// first such particle to the wildcard (or from the wildcard to the last)
/// becomes one repeated choice of its own-namespace elements and the
/// wildcard, which is deterministic; the particles of other namespaces are
/// left to the wildcard, with a comment.
fn resolve_wildcard_conflicts(ps: &mut Vec<Particle>) {
    let Some(w) = ps.iter().position(|p| p.nss.is_none()) else {
        return;
    };
    let foreign = |p: &Particle| p.nss.is_some() && p.text.contains(" ref='");
    let conflicts = |ps: &[Particle], i: usize| {
        let (a, b) = if i < w { (i, w) } else { (w, i) };
        ps[a].flexible() && ps[a + 1..b].iter().all(|p| p.min == 0)
    };
    let hits: Vec<usize> = (0..ps.len())
        .filter(|&i| i != w && foreign(&ps[i]) && conflicts(ps, i))
        .collect();
    let (Some(&first), Some(&last)) = (hits.first(), hits.last()) else {
        return;
    };
    let lo = first.min(w);
    let hi = last.max(w);
    let run: Vec<Particle> = ps.drain(lo..=hi).collect();
    let mut text = String::new();
    let mut notes = String::new();
    for p in &run {
        if p.nss.is_some() && foreign(p) {
            let _ = writeln!(
                notes,
                "      <!-- {} ({}..{}) is left to the wildcard: XML Schema 1.0 forbids the ambiguity -->",
                p.what,
                p.min,
                p.max.map_or("unbounded".to_string(), |m| m.to_string())
            );
        } else {
            if p.nss.is_some() && (p.min, p.max) != (0, None) {
                let _ = writeln!(
                    notes,
                    "      <!-- {} ({}..{}) in any order with the wildcard -->",
                    p.what,
                    p.min,
                    p.max.map_or("unbounded".to_string(), |m| m.to_string())
                );
            }
            for line in p.bare.lines() {
                let _ = writeln!(text, "  {line}");
            }
        }
    }
    let merged = Particle {
        nss: None,
        min: 0,
        max: None,
        text: format!(
            "{notes}      <xs:choice minOccurs='0' maxOccurs='unbounded'>\n{text}      </xs:choice>\n"
        ),
        bare: String::new(),
        what: "any".into(),
    };
    ps.insert(lo, merged);
}

/// Generates the schema of every namespace of `registry`, plus `xml.xsd`
/// and `index.xsd`, sorted by file name.
pub fn generate(registry: &Registry) -> Vec<GeneratedFile> {
    let mut g = Gen {
        schemas: BTreeMap::new(),
        type_of: HashMap::new(),
        queue: Vec::new(),
    };
    for info in registry.entries() {
        for d in (info.descriptions)() {
            g.type_name(d);
        }
    }
    let mut done = 0;
    while done < g.queue.len() {
        let d = g.queue[done];
        done += 1;
        g.element(d);
    }
    let mut files = Vec::new();
    let namespaces: Vec<String> = g.schemas.keys().cloned().collect();
    for ns in &namespaces {
        if ns == XML_NS {
            continue;
        }
        files.push(GeneratedFile {
            namespace: ns.clone(),
            file: file_name(ns),
            text: render(ns, &g.schemas[ns]),
        });
    }
    if let Some(client) = files
        .iter()
        .find(|f| f.namespace == xep_element::ns::CLIENT)
    {
        let server = xep_element::ns::SERVER;
        let text = client
            .text
            .replacen(
                "do not edit. -->",
                "do not edit.\n     jabber:client's schema renamed: the stanzas are the same in both. -->",
                1,
            )
            .replace("'jabber:client'", &format!("'{server}'"));
        files.push(GeneratedFile {
            namespace: server.into(),
            file: file_name(server),
            text,
        });
    }
    files.push(GeneratedFile {
        namespace: XML_NS.into(),
        file: file_name(XML_NS),
        text: xml_namespace_schema(),
    });
    let mut index = String::from(
        "<?xml version='1.0' encoding='UTF-8'?>\n<!-- Generated by `cargo xtask xsd` from the element descriptions; do not edit.\n     Imports every schema of this directory, to validate a document of any mix of them. -->\n<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>\n",
    );
    for f in &files {
        let _ = writeln!(
            index,
            "  <xs:import namespace='{}' schemaLocation='{}'/>",
            esc(&f.namespace),
            f.file
        );
    }
    index.push_str("</xs:schema>\n");
    files.push(GeneratedFile {
        namespace: String::new(),
        file: "index.xsd".into(),
        text: index,
    });
    files.sort_by(|a, b| a.file.cmp(&b.file));
    files
}

fn render(ns: &str, s: &NsSchema) -> String {
    let prefixes: BTreeMap<&str, String> = s
        .refs
        .iter()
        .filter(|r| r.as_str() != ns)
        .enumerate()
        .map(|(i, r)| {
            let p = if r == XML_NS {
                "xml".to_string()
            } else {
                format!("ns{}", i + 1)
            };
            (r.as_str(), p)
        })
        .collect();
    let mut out = String::from(
        "<?xml version='1.0' encoding='UTF-8'?>\n<!-- Generated by `cargo xtask xsd` from the element descriptions; do not edit. -->\n",
    );
    let _ = write!(
        out,
        "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'\n    xmlns='{0}'\n    targetNamespace='{0}'",
        esc(ns)
    );
    for (uri, p) in &prefixes {
        if p != "xml" {
            let _ = write!(out, "\n    xmlns:{p}='{}'", esc(uri));
        }
    }
    out.push_str("\n    elementFormDefault='qualified'>\n");
    for uri in prefixes.keys() {
        let _ = writeln!(
            out,
            "  <xs:import namespace='{}' schemaLocation='{}'/>",
            esc(uri),
            file_name(uri)
        );
    }
    for (name, g) in &s.globals {
        match g {
            Global::Type(t) => {
                let _ = writeln!(out, "  <xs:element name='{name}' type='{t}'/>");
            }
            Global::Text(v) if v.values.is_empty() => {
                let _ = writeln!(out, "  <xs:element name='{name}' type='{}'/>", v.xsd_type);
            }
            Global::Text(v) => {
                let _ = write!(
                    out,
                    "  <xs:element name='{name}'>\n{}  </xs:element>\n",
                    simple_type(v, "    ")
                );
            }
            Global::Flag => {
                let _ = writeln!(
                    out,
                    "  <xs:element name='{name}'>\n    <xs:complexType/>\n  </xs:element>"
                );
            }
        }
    }
    for (name, v) in &s.attrs {
        if v.values.is_empty() {
            let _ = writeln!(out, "  <xs:attribute name='{name}' type='{}'/>", v.xsd_type);
        } else {
            let _ = write!(
                out,
                "  <xs:attribute name='{name}'>\n{}  </xs:attribute>\n",
                simple_type(v, "    ")
            );
        }
    }
    for (_, body) in &s.types {
        out.push_str(body);
    }
    out.push_str("</xs:schema>\n");
    // Namespace references: the schema's own namespace is the default.
    let mut text = out;
    let mut own = format!("{MARK}{ns}{MARK}:");
    text = text.replace(&own, "");
    for (uri, p) in &prefixes {
        own = format!("{MARK}{uri}{MARK}:");
        text = text.replace(&own, &format!("{p}:"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(file_name("urn:xmpp:ping"), "urn-xmpp-ping.xsd");
        assert_eq!(
            file_name("http://jabber.org/protocol/disco#info"),
            "jabber.org-protocol-disco-info.xsd"
        );
        assert_eq!(file_name("jabber:client"), "jabber-client.xsd");
        assert_eq!(file_name(XML_NS), "xml.xsd");
    }

    #[test]
    fn ping_schema() {
        let files = generate(&Registry::new().with(xep_ping::ELEMENTS));
        let ping = files
            .iter()
            .find(|f| f.namespace == "urn:xmpp:ping")
            .expect("ping schema");
        assert_eq!(ping.file, "urn-xmpp-ping.xsd");
        assert!(
            ping.text.contains("<xs:element name='ping' type='ping'/>"),
            "{}",
            ping.text
        );
        assert!(files.iter().any(|f| f.file == "index.xsd"));
    }
}
