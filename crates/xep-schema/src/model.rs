//! A schema read into a simple, comparable model: per element name, its
//! attributes (required, type family, enumeration), its children with
//! their effective cardinality, whether it has text, and its extension
//! points.
//!
//! Both the generated schemas and the XEPs' are read this way, so the
//! comparison ([`super::diff`]) sees through the different ways of writing
//! the same thing (global elements and references, named or anonymous
//! types, groups, `xs:simpleContent` extensions, the XEPs' `empty` type).
//! Every declaration of an element name (global or local) is merged into
//! one entry. Cardinality is flattened: a child's minimum and maximum
//! through nested sequences and choices.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use minidom::Element;

use xep_element::xml::{NsContext, XmlReader};

use crate::extract::{XS_NS, tag_namespaces};

/// Minimum and maximum occurrences (`None`: unbounded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Card {
    /// Minimum.
    pub min: u32,
    /// Maximum, `None` for unbounded.
    pub max: Option<u32>,
}

impl std::fmt::Display for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.max {
            Some(m) => write!(f, "{}..{m}", self.min),
            None => write!(f, "{}..unbounded", self.min),
        }
    }
}

fn add_max(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    Some(a?.saturating_add(b?))
}

fn mul_max(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(0), _) | (_, Some(0)) => Some(0),
        (Some(x), Some(y)) => Some(x.saturating_mul(y)),
        _ => None,
    }
}

fn max_max(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    Some(a?.max(b?))
}

/// A simple type: its XSD base type and enumerated values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypeModel {
    /// The built-in base type (`xs:string`, ...).
    pub base: String,
    /// Enumerated values (empty: not an enumeration).
    pub values: BTreeSet<String>,
    /// Whether other values are allowed too (a union of an enumeration and
    /// a plain type).
    pub open: bool,
}

impl TypeModel {
    fn builtin(b: &str) -> Self {
        TypeModel {
            base: b.to_string(),
            values: BTreeSet::new(),
            open: false,
        }
    }

    /// Whether the type only allows the empty string (the XEPs' `empty`).
    pub fn is_empty_type(&self) -> bool {
        self.values.len() == 1 && self.values.contains("")
    }

    /// The family of the base type: types within one family are not
    /// reported as different (`xs:string` and `xs:NMTOKEN` are both text).
    pub fn family(&self) -> &'static str {
        let b = self.base.trim_start_matches("xs:");
        match b {
            "boolean" => "boolean",
            "dateTime" => "dateTime",
            "date" => "date",
            "time" => "time",
            "base64Binary" => "base64Binary",
            "hexBinary" => "hexBinary",
            "decimal" | "double" | "float" => "number",
            b if b.contains("nteger")
                || b.contains("nsigned")
                || ["int", "short", "byte", "long"].contains(&b) =>
            {
                "integer"
            }
            _ => "string",
        }
    }
}

/// An attribute.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttrModel {
    /// Whether it is required.
    pub required: bool,
    /// Its type.
    pub ty: TypeModel,
}

/// An element (every declaration of the name merged).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ElementModel {
    /// Attributes: unprefixed by name, namespaced as `{ns}name` (`xml:lang`
    /// as `xml:lang`).
    pub attrs: BTreeMap<String, AttrModel>,
    /// Whether attributes of other namespaces are allowed.
    pub any_attrs: bool,
    /// Children: of the schema's namespace by name, others as `{ns}name`.
    pub children: BTreeMap<String, Card>,
    /// Whether there is an `xs:any` (or the element is untyped).
    pub any_children: bool,
    /// The text's type, `None` when the element has no text.
    pub text: Option<TypeModel>,
}

impl ElementModel {
    fn merge(&mut self, o: ElementModel) {
        let mine: Vec<String> = self.attrs.keys().cloned().collect();
        for k in mine {
            if !o.attrs.contains_key(&k)
                && let Some(a) = self.attrs.get_mut(&k)
            {
                a.required = false;
            }
        }
        for (k, a) in o.attrs {
            match self.attrs.get_mut(&k) {
                Some(m) => {
                    m.required &= a.required;
                    m.ty.values.extend(a.ty.values);
                }
                None => {
                    self.attrs.insert(
                        k,
                        AttrModel {
                            required: false,
                            ..a
                        },
                    );
                }
            }
        }
        let mine: Vec<String> = self.children.keys().cloned().collect();
        for k in mine {
            if !o.children.contains_key(&k)
                && let Some(c) = self.children.get_mut(&k)
            {
                c.min = 0;
            }
        }
        for (k, c) in o.children {
            match self.children.get_mut(&k) {
                Some(m) => {
                    m.min = m.min.min(c.min);
                    m.max = max_max(m.max, c.max);
                }
                None => {
                    self.children.insert(k, Card { min: 0, ..c });
                }
            }
        }
        self.any_attrs |= o.any_attrs;
        self.any_children |= o.any_children;
        if self.text.is_none() {
            self.text = o.text;
        }
    }
}

/// A schema's model.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchemaModel {
    /// The target namespace.
    pub ns: String,
    /// Elements by name.
    pub elements: BTreeMap<String, ElementModel>,
}

struct Reader<'a> {
    ns: String,
    prefixes: Vec<(String, String)>,
    complex: HashMap<String, &'a Element>,
    simple: HashMap<String, &'a Element>,
    groups: HashMap<String, &'a Element>,
    attr_groups: HashMap<String, &'a Element>,
    global_attrs: HashMap<String, &'a Element>,
    elements: BTreeMap<String, ElementModel>,
    /// Named complex types being or already read.
    visited: HashSet<String>,
    /// Named complex types read.
    cache: HashMap<String, ElementModel>,
}

fn is_xs(e: &Element, name: &str) -> bool {
    e.is(name, XS_NS)
}

fn occurs(e: &Element) -> Card {
    let min = e
        .attr("minOccurs")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1);
    let max = match e.attr("maxOccurs").map(str::trim) {
        Some("unbounded") => None,
        Some(v) => Some(v.parse().unwrap_or(1)),
        None => Some(1),
    };
    Card { min, max }
}

/// Children and wildcard of a particle.
#[derive(Default)]
struct Particles {
    children: BTreeMap<String, Card>,
    any: bool,
}

impl<'a> Reader<'a> {
    fn add_element(&mut self, name: &str, m: ElementModel) {
        match self.elements.get_mut(name) {
            Some(e) => {
                if *e != m {
                    e.merge(m);
                }
            }
            None => {
                self.elements.insert(name.to_string(), m);
            }
        }
    }

    /// (namespace, local name) of a QName attribute value.
    fn qname(&self, v: &str) -> (String, String) {
        let (p, l) = v.trim().split_once(':').unwrap_or(("", v.trim()));
        let ns = if p == "xml" {
            crate::generate::XML_NS.to_string()
        } else {
            self.prefixes
                .iter()
                .rev()
                .find(|(q, _)| q == p)
                .map(|(_, u)| u.clone())
                .unwrap_or_else(|| {
                    if p.is_empty() {
                        String::new()
                    } else {
                        format!("?{p}")
                    }
                })
        };
        (ns, l.to_string())
    }

    fn key(&self, ns: &str, name: &str) -> String {
        if ns == self.ns {
            name.to_string()
        } else if ns == crate::generate::XML_NS {
            format!("xml:{name}")
        } else {
            format!("{{{ns}}}{name}")
        }
    }

    fn simple_type(&self, st: &Element, depth: usize) -> TypeModel {
        if depth > 20 {
            return TypeModel::builtin("xs:string");
        }
        for c in st.children() {
            if is_xs(c, "restriction") {
                let mut t = match c.attr("base") {
                    Some(b) => self.type_ref(b, depth + 1),
                    None => c.children().find(|x| is_xs(x, "simpleType")).map_or_else(
                        || TypeModel::builtin("xs:string"),
                        |x| self.simple_type(x, depth + 1),
                    ),
                };
                let own: BTreeSet<String> = c
                    .children()
                    .filter(|x| is_xs(x, "enumeration"))
                    .filter_map(|x| x.attr("value").map(str::to_string))
                    .collect();
                if !own.is_empty() {
                    t.values = own;
                }
                let empty_len = c.children().any(|x| {
                    (is_xs(x, "length") || is_xs(x, "maxLength"))
                        && x.attr("value").map(str::trim) == Some("0")
                });
                if empty_len {
                    t.values = BTreeSet::from([String::new()]);
                }
                return t;
            }
            if is_xs(c, "union") {
                let mut members: Vec<TypeModel> = c
                    .attr("memberTypes")
                    .unwrap_or("")
                    .split_whitespace()
                    .map(|m| self.type_ref(m, depth + 1))
                    .collect();
                members.extend(
                    c.children()
                        .filter(|x| is_xs(x, "simpleType"))
                        .map(|x| self.simple_type(x, depth + 1)),
                );
                // The enumerated values of the members (a union with a
                // plain member is an open enumeration: the values are
                // still the ones it names).
                let base = members
                    .first()
                    .map_or("xs:string".to_string(), |m| m.base.clone());
                let open = members.iter().any(|m| m.values.is_empty());
                let values = members.into_iter().flat_map(|m| m.values).collect();
                return TypeModel { base, values, open };
            }
            if is_xs(c, "list") {
                return TypeModel::builtin("xs:list");
            }
        }
        TypeModel::builtin("xs:string")
    }

    /// A simple type by QName.
    fn type_ref(&self, v: &str, depth: usize) -> TypeModel {
        let (ns, local) = self.qname(v);
        if ns == XS_NS {
            return TypeModel::builtin(&format!("xs:{local}"));
        }
        if ns == self.ns
            && let Some(st) = self.simple.get(&local)
        {
            return self.simple_type(st, depth + 1);
        }
        if ns == self.ns
            && let Some(ct) = self.complex.get(&local)
        {
            // A complex type with simple content used as a base.
            for c in ct.children().filter(|c| is_xs(c, "simpleContent")) {
                for e in c.children() {
                    if let Some(b) = e.attr("base") {
                        return self.type_ref(b, depth + 1);
                    }
                }
            }
        }
        TypeModel::builtin("xs:string")
    }

    fn attribute(&self, a: &Element, m: &mut ElementModel) {
        let required = a.attr("use") == Some("required");
        if a.attr("use") == Some("prohibited") {
            return;
        }
        let (key, decl) = if let Some(r) = a.attr("ref") {
            let (ns, local) = self.qname(r);
            let decl = (ns == self.ns)
                .then(|| self.global_attrs.get(&local).copied())
                .flatten();
            (self.key(&ns, &local), decl.unwrap_or(a))
        } else {
            (a.attr("name").unwrap_or("").to_string(), a)
        };
        let ty = if let Some(t) = decl.attr("type") {
            self.type_ref(t, 0)
        } else if let Some(st) = decl.children().find(|c| is_xs(c, "simpleType")) {
            self.simple_type(st, 0)
        } else if key.starts_with("xml:") || key.starts_with('{') {
            TypeModel::builtin("xs:string")
        } else {
            TypeModel::builtin("xs:anySimpleType")
        };
        m.attrs.insert(key, AttrModel { required, ty });
    }

    fn attributes_of(&self, parent: &Element, m: &mut ElementModel, depth: usize) {
        for c in parent.children() {
            if is_xs(c, "attribute") {
                self.attribute(c, m);
            } else if is_xs(c, "anyAttribute") {
                m.any_attrs = true;
            } else if is_xs(c, "attributeGroup") && depth < 20 {
                if let Some(r) = c.attr("ref") {
                    let (_, local) = self.qname(r);
                    if let Some(g) = self.attr_groups.get(&local) {
                        self.attributes_of(g, m, depth + 1);
                    }
                }
            }
        }
    }

    fn particle(&mut self, p: &'a Element, depth: usize) -> Particles {
        let mut out = Particles::default();
        if depth > 40 {
            return out;
        }
        let card = occurs(p);
        if is_xs(p, "element") {
            let key = if let Some(r) = p.attr("ref") {
                let (ns, local) = self.qname(r);
                self.key(&ns, &local)
            } else {
                let name = p.attr("name").unwrap_or("").to_string();
                if let Some(m) = self.element_decl(p, depth + 1) {
                    self.add_element(&name, m);
                }
                name
            };
            out.children.insert(key, card);
            return out;
        }
        if is_xs(p, "any") {
            out.any = true;
            return out;
        }
        let inner: Vec<Particles> = if is_xs(p, "group") {
            let Some(r) = p.attr("ref") else { return out };
            let (ns, local) = self.qname(r);
            let Some(g) = self.groups.get(&local).copied().filter(|_| ns == self.ns) else {
                // A group of another schema (e.g. RFC 6120's stanza error
                // conditions): read as a wildcard.
                out.any = true;
                return out;
            };
            g.children()
                .filter(|c| is_xs(c, "sequence") || is_xs(c, "choice") || is_xs(c, "all"))
                .map(|c| self.particle(c, depth + 1))
                .collect()
        } else {
            p.children()
                .filter(|c| {
                    ["element", "any", "sequence", "choice", "group", "all"]
                        .iter()
                        .any(|n| is_xs(c, n))
                })
                .map(|c| self.particle(c, depth + 1))
                .collect()
        };
        if is_xs(p, "choice") {
            let n = inner.len();
            let mut keys: BTreeMap<String, (usize, Card)> = BTreeMap::new();
            for alt in &inner {
                out.any |= alt.any;
                for (k, c) in &alt.children {
                    let e = keys.entry(k.clone()).or_insert((0, *c));
                    if e.0 > 0 {
                        e.1.min = e.1.min.min(c.min);
                        e.1.max = max_max(e.1.max, c.max);
                    }
                    e.0 += 1;
                }
            }
            for (k, (count, mut c)) in keys {
                if count < n {
                    c.min = 0;
                }
                out.children.insert(k, c);
            }
        } else {
            for alt in inner {
                out.any |= alt.any;
                for (k, c) in alt.children {
                    let e = out.children.entry(k).or_insert(Card {
                        min: 0,
                        max: Some(0),
                    });
                    e.min += c.min;
                    e.max = add_max(e.max, c.max);
                }
            }
        }
        for c in out.children.values_mut() {
            c.min = c.min.saturating_mul(card.min);
            c.max = mul_max(c.max, card.max);
        }
        out
    }

    fn complex_type(&mut self, ct: &'a Element, depth: usize) -> ElementModel {
        let mut m = ElementModel::default();
        if depth > 40 {
            return m;
        }
        if ct.attr("mixed") == Some("true") {
            m.text = Some(TypeModel::builtin("xs:string"));
        }
        for c in ct.children() {
            if ["sequence", "choice", "all", "group"]
                .iter()
                .any(|n| is_xs(c, n))
            {
                let p = self.particle(c, depth + 1);
                m.any_children |= p.any;
                m.children.extend(p.children);
            } else if is_xs(c, "simpleContent") {
                for e in c.children() {
                    if let Some(b) = e.attr("base") {
                        let t = self.type_ref(b, 0);
                        m.text = (!t.is_empty_type()).then_some(t);
                        // Attributes of a complex base type.
                        let (ns, local) = self.qname(b);
                        if ns == self.ns
                            && let Some(base) = self.complex.get(&local).copied()
                        {
                            let bm = self.complex_type(base, depth + 1);
                            m.attrs.extend(bm.attrs);
                        }
                    }
                    self.attributes_of(e, &mut m, 0);
                }
            } else if is_xs(c, "complexContent") {
                for e in c.children() {
                    if let Some(b) = e.attr("base") {
                        let (ns, local) = self.qname(b);
                        if is_xs(e, "extension")
                            && ns == self.ns
                            && let Some(base) = self.complex.get(&local).copied()
                        {
                            let bm = self.complex_type(base, depth + 1);
                            m.attrs.extend(bm.attrs);
                            m.children.extend(bm.children);
                            m.any_children |= bm.any_children;
                            m.any_attrs |= bm.any_attrs;
                            if m.text.is_none() {
                                m.text = bm.text;
                            }
                        }
                    }
                    for p in e.children() {
                        if ["sequence", "choice", "all", "group"]
                            .iter()
                            .any(|n| is_xs(p, n))
                        {
                            let pp = self.particle(p, depth + 1);
                            m.any_children |= pp.any;
                            m.children.extend(pp.children);
                        }
                    }
                    self.attributes_of(e, &mut m, 0);
                }
                if c.attr("mixed") == Some("true") {
                    m.text = Some(TypeModel::builtin("xs:string"));
                }
            }
        }
        self.attributes_of(ct, &mut m, 0);
        m
    }

    /// The model of an element declaration; `None` while its named type
    /// is being read (a recursive reference).
    fn element_decl(&mut self, decl: &'a Element, depth: usize) -> Option<ElementModel> {
        if let Some(t) = decl.attr("type") {
            let (ns, local) = self.qname(t);
            if ns == XS_NS {
                if local == "anyType" {
                    return Some(untyped());
                }
                return Some(ElementModel {
                    text: Some(TypeModel::builtin(&format!("xs:{local}"))),
                    ..Default::default()
                });
            }
            if ns == self.ns {
                if let Some(ct) = self.complex.get(&local).copied() {
                    if let Some(m) = self.cache.get(&local) {
                        return Some(m.clone());
                    }
                    if !self.visited.insert(local.clone()) {
                        return None;
                    }
                    let m = self.complex_type(ct, depth + 1);
                    self.cache.insert(local, m.clone());
                    return Some(m);
                }
                if let Some(st) = self.simple.get(&local).copied() {
                    let t = self.simple_type(st, 0);
                    return Some(ElementModel {
                        text: (!t.is_empty_type()).then_some(t),
                        ..Default::default()
                    });
                }
            }
            return Some(untyped());
        }
        if let Some(ct) = decl.children().find(|c| is_xs(c, "complexType")) {
            return Some(self.complex_type(ct, depth + 1));
        }
        if let Some(st) = decl.children().find(|c| is_xs(c, "simpleType")) {
            let t = self.simple_type(st, 0);
            return Some(ElementModel {
                text: (!t.is_empty_type()).then_some(t),
                ..Default::default()
            });
        }
        Some(untyped())
    }
}

fn untyped() -> ElementModel {
    ElementModel {
        any_children: true,
        any_attrs: true,
        text: Some(TypeModel::builtin("xs:anyType")),
        ..Default::default()
    }
}

/// The first element of `text` (comments, processing instructions and the
/// XML declaration skipped), parsed with the strict reader, and its text.
fn read_element(text: &str) -> Result<(Element, String), String> {
    let mut bytes = text.as_bytes().to_vec();
    let mut i = 0;
    let mut start = None;
    while i < bytes.len() {
        let rest = &text.as_bytes()[i..];
        let skip = if rest.starts_with(b"<!--") {
            find(&rest[4..], b"-->").map_or(rest.len(), |e| e + 7)
        } else if rest.starts_with(b"<?") {
            find(rest, b"?>").map_or(rest.len(), |e| e + 2)
        } else if rest.starts_with(b"<![CDATA[") {
            find(rest, b"]]>").map_or(rest.len(), |e| e + 3)
        } else {
            if rest[0] == b'<' && start.is_none() {
                start = Some(i);
            }
            i += 1;
            continue;
        };
        // Blank comments and PIs (the strict reader refuses them), keeping
        // line breaks so that positions hold.
        if !rest.starts_with(b"<![CDATA[") {
            for b in &mut bytes[i..i + skip] {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
        }
        i += skip;
    }
    let start = start.ok_or("no schema element")?;
    let clean = String::from_utf8_lossy(&bytes[start..]).into_owned();
    let end = clean.rfind('>').map_or(clean.len(), |e| e + 1);
    let xml = clean[..end].to_string();
    let ctx = NsContext::default();
    let mut r = XmlReader::with_context(xml.as_bytes(), &ctx).with_max_depth(1024);
    let root = r
        .root()
        .and_then(|()| {
            let el = xep_element::Source::capture(&mut r)?;
            r.finish()?;
            Ok(el)
        })
        .map_err(|e| match e.kind() {
            xep_element::ErrorKind::Xml {
                line,
                column,
                reason,
                ..
            } => format!("line {line}, column {column}: {reason}"),
            _ => format!("line 1, column 1: {e}"),
        })?;
    Ok((root, xml))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads a schema's text. `Err` when it is not XML.
pub fn read_schema(text: &str) -> Result<SchemaModel, String> {
    let (root, xml) = read_element(text)?;
    // Prefixes declared anywhere (XEP-0297 declares them on an inner
    // xs:sequence); a prefix declared twice keeps its last binding.
    let prefixes = tag_namespaces(&xml);
    let ns = root.attr("targetNamespace").unwrap_or("").to_string();
    let mut r = Reader {
        ns: ns.clone(),
        prefixes,
        complex: HashMap::new(),
        simple: HashMap::new(),
        groups: HashMap::new(),
        attr_groups: HashMap::new(),
        global_attrs: HashMap::new(),
        elements: BTreeMap::new(),
        visited: HashSet::new(),
        cache: HashMap::new(),
    };
    for c in root.children() {
        let Some(name) = c.attr("name") else { continue };
        let map = if is_xs(c, "complexType") {
            &mut r.complex
        } else if is_xs(c, "simpleType") {
            &mut r.simple
        } else if is_xs(c, "group") {
            &mut r.groups
        } else if is_xs(c, "attributeGroup") {
            &mut r.attr_groups
        } else if is_xs(c, "attribute") {
            &mut r.global_attrs
        } else {
            continue;
        };
        map.insert(name.to_string(), c);
    }
    for c in root.children().filter(|c| is_xs(c, "element")) {
        let Some(name) = c.attr("name") else { continue };
        if let Some(m) = r.element_decl(c, 0) {
            r.add_element(name, m);
        }
    }
    Ok(SchemaModel {
        ns,
        elements: r.elements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_usual_constructs() {
        let xsd = "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' xmlns:o='urn:o' targetNamespace='urn:t' xmlns='urn:t' elementFormDefault='qualified'>
  <xs:import namespace='urn:o'/>
  <xs:element name='a'>
    <xs:complexType>
      <xs:sequence>
        <xs:element ref='b' minOccurs='0' maxOccurs='unbounded'/>
        <xs:choice>
          <xs:element name='c' type='xs:string'/>
          <xs:element ref='o:d'/>
        </xs:choice>
        <xs:any namespace='##other' minOccurs='0'/>
      </xs:sequence>
      <xs:attribute name='kind' use='required'>
        <xs:simpleType><xs:restriction base='xs:NCName'>
          <xs:enumeration value='x'/><xs:enumeration value='y'/>
        </xs:restriction></xs:simpleType>
      </xs:attribute>
      <xs:attribute ref='xml:lang'/>
    </xs:complexType>
  </xs:element>
  <xs:element name='b' type='empty'/>
  <xs:element name='e'>
    <xs:complexType><xs:simpleContent><xs:extension base='xs:int'>
      <xs:attribute name='n' type='xs:boolean'/>
    </xs:extension></xs:simpleContent></xs:complexType>
  </xs:element>
  <xs:simpleType name='empty'><xs:restriction base='xs:string'><xs:enumeration value=''/></xs:restriction></xs:simpleType>
</xs:schema>";
        let m = read_schema(xsd).unwrap();
        assert_eq!(m.ns, "urn:t");
        let a = &m.elements["a"];
        assert_eq!(a.children["b"], Card { min: 0, max: None });
        assert_eq!(
            a.children["c"],
            Card {
                min: 0,
                max: Some(1)
            }
        );
        assert_eq!(
            a.children["{urn:o}d"],
            Card {
                min: 0,
                max: Some(1)
            }
        );
        assert!(a.any_children);
        assert!(a.attrs["kind"].required);
        assert_eq!(a.attrs["kind"].ty.values.len(), 2);
        assert!(a.attrs.contains_key("xml:lang"));
        assert_eq!(m.elements["b"].text, None);
        assert_eq!(
            m.elements["c"].text.as_ref().map(|t| t.base.as_str()),
            Some("xs:string")
        );
        let e = &m.elements["e"];
        assert_eq!(e.text.as_ref().map(|t| t.family()), Some("integer"));
        assert!(!e.attrs["n"].required);
    }
}
