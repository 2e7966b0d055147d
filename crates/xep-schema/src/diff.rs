//! Model-vs-schema differences (`xep-check schema-diff`).
//!
//! For every namespace the project implements, the schema generated from
//! the element model ([`crate::generate`]) and the XEP's schema of that
//! namespace ([`Corpus::preferred`]) are read into [`SchemaModel`]s and
//! compared element by element. Each [`Difference`] is something a person
//! can act on: fix the model, or record in `xsd/differences.txt` why the
//! model differs (a spec error, a deliberate leniency, ...).
//!
//! The differences file has one entry per line, `NAMESPACE ELEMENT SUBJECT
//! KIND | reason` (the first four fields as `schema-diff` prints them), in
//! the format of every triage file ([`crate::triage`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;
use xep_element::Registry;

use crate::Corpus;
use crate::generate::generate;
use crate::model::{ElementModel, SchemaModel, read_schema};

/// What differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The XEP's schema has it, the model does not.
    MissingInModel,
    /// The model has it, the XEP's schema does not.
    MissingInXep,
    /// A child's minimum or maximum occurrences differ.
    Cardinality,
    /// An attribute is required in one and optional in the other.
    Required,
    /// Enumerated values differ.
    Enumeration,
    /// Value types of different families (text vs integer, ...).
    Type,
    /// One allows text content, the other does not.
    Text,
    /// One has an extension point (`xs:any`, `xs:anyAttribute`) the other
    /// lacks.
    Extension,
}

impl Kind {
    /// The name used in reports and the differences file.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MissingInModel => "missing-in-model",
            Kind::MissingInXep => "missing-in-xep",
            Kind::Cardinality => "cardinality",
            Kind::Required => "required",
            Kind::Enumeration => "enumeration",
            Kind::Type => "type",
            Kind::Text => "text",
            Kind::Extension => "extension",
        }
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    /// The namespace.
    pub ns: String,
    /// The XEP whose schema was compared.
    pub xep: Option<u32>,
    /// The element (local name).
    pub element: String,
    /// What in it: `-` (the element), `@name` (an attribute), `<name>` (a
    /// child), `text`, `any`, `anyAttribute`.
    pub subject: String,
    /// What differs.
    pub kind: Kind,
    /// The details (XEP vs model).
    pub detail: String,
}

impl Difference {
    /// The key in the differences file.
    pub fn key(&self) -> String {
        format!(
            "{} {} {} {}",
            self.ns,
            self.element,
            self.subject,
            self.kind.as_str()
        )
    }
}

/// Differences recorded with a reason (`xsd/differences.txt`).
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    entries: HashMap<String, String>,
}

/// The committed differences file.
pub fn default_differences_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../xsd/differences.txt")
}

impl Recorded {
    /// Parses the file's text ([`crate::triage`] format, `NAMESPACE
    /// ELEMENT SUBJECT KIND | reason`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut entries = HashMap::new();
        for e in crate::triage::parse(text)? {
            let fields: Vec<&str> = e.key.split_whitespace().collect();
            if e.xep.is_some() || fields.len() != 4 {
                return Err(format!(
                    "line {}: expected 'NAMESPACE ELEMENT SUBJECT KIND | reason', found '{}'",
                    e.line,
                    e.label()
                ));
            }
            entries.insert(fields.join(" "), e.reason);
        }
        Ok(Recorded { entries })
    }

    /// Reads the file (an absent file records nothing).
    pub fn load(path: &Path) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(t) => Self::parse(&t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Recorded::default()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The reason recorded for `d`.
    pub fn reason(&self, d: &Difference) -> Option<&str> {
        self.entries.get(&d.key()).map(String::as_str)
    }

    /// Entries that match no difference (stale).
    pub fn stale<'a>(&'a self, diffs: &[Difference]) -> Vec<&'a str> {
        let keys: Vec<String> = diffs.iter().map(Difference::key).collect();
        let mut v: Vec<&str> = self
            .entries
            .keys()
            .filter(|k| !keys.contains(k))
            .map(String::as_str)
            .collect();
        v.sort();
        v
    }
}

fn foreign_attr(a: &str) -> bool {
    a.starts_with('{') || a.starts_with("xml:")
}

fn card_str(c: Option<&crate::model::Card>) -> String {
    c.map_or("absent".into(), |c| c.to_string())
}

fn compare_element(
    ns: &str,
    xep: Option<u32>,
    name: &str,
    x: &ElementModel,
    m: &ElementModel,
    out: &mut Vec<Difference>,
) {
    let mut push = |subject: String, kind: Kind, detail: String| {
        out.push(Difference {
            ns: ns.to_string(),
            xep,
            element: name.to_string(),
            subject,
            kind,
            detail,
        })
    };
    for (a, xa) in &x.attrs {
        match m.attrs.get(a) {
            None if !(m.any_attrs && foreign_attr(a)) => push(
                format!("@{a}"),
                Kind::MissingInModel,
                format!("the XEP's schema defines attribute '{a}' ({})", xa.ty.base),
            ),
            None => {}
            Some(ma) => {
                if xa.required != ma.required {
                    push(
                        format!("@{a}"),
                        Kind::Required,
                        format!(
                            "XEP: {}, model: {}",
                            if xa.required { "required" } else { "optional" },
                            if ma.required { "required" } else { "optional" }
                        ),
                    );
                }
                // An open enumeration (known values, others kept) is not
                // different from a plain type.
                let open_vs_plain = (xa.ty.values.is_empty() && ma.ty.open)
                    || (ma.ty.values.is_empty() && xa.ty.open);
                if xa.ty.values != ma.ty.values && !open_vs_plain {
                    let only_x: Vec<&String> = xa.ty.values.difference(&ma.ty.values).collect();
                    let only_m: Vec<&String> = ma.ty.values.difference(&xa.ty.values).collect();
                    push(
                        format!("@{a}"),
                        Kind::Enumeration,
                        format!("only in the XEP: {only_x:?}; only in the model: {only_m:?}"),
                    );
                } else if xa.ty.family() != ma.ty.family() && xa.ty.base != "xs:anySimpleType" {
                    push(
                        format!("@{a}"),
                        Kind::Type,
                        format!("XEP: {}, model: {}", xa.ty.base, ma.ty.base),
                    );
                }
            }
        }
    }
    for a in m.attrs.keys() {
        if !(x.attrs.contains_key(a) || x.any_attrs && foreign_attr(a)) {
            push(
                format!("@{a}"),
                Kind::MissingInXep,
                format!("the model has attribute '{a}', the XEP's schema does not"),
            );
        }
    }
    for (c, xc) in &x.children {
        match m.children.get(c) {
            None if m.any_children && c.starts_with('{') => {}
            None => push(
                format!("<{c}>"),
                Kind::MissingInModel,
                format!("the XEP's schema allows child <{c}> ({xc})"),
            ),
            Some(mc) if mc != xc => push(
                format!("<{c}>"),
                Kind::Cardinality,
                format!("XEP: {xc}, model: {}", card_str(Some(mc))),
            ),
            Some(_) => {}
        }
    }
    for (c, mc) in &m.children {
        if !(x.children.contains_key(c) || x.any_children && c.starts_with('{')) {
            push(
                format!("<{c}>"),
                Kind::MissingInXep,
                format!("the model allows child <{c}> ({mc}), the XEP's schema does not"),
            );
        }
    }
    if x.any_children != m.any_children {
        push(
            "any".into(),
            Kind::Extension,
            format!(
                "XEP: {}, model: {}",
                if x.any_children {
                    "xs:any"
                } else {
                    "no wildcard"
                },
                if m.any_children {
                    "xs:any"
                } else {
                    "no wildcard"
                }
            ),
        );
    }
    match (&x.text, &m.text) {
        (Some(xt), None) if xt.base != "xs:anyType" => push(
            "text".into(),
            Kind::Text,
            format!(
                "the XEP's schema allows text ({}), the model does not",
                xt.base
            ),
        ),
        (None, Some(mt)) => push(
            "text".into(),
            Kind::Text,
            format!(
                "the model allows text ({}), the XEP's schema does not",
                mt.base
            ),
        ),
        (Some(xt), Some(mt)) if xt.base != "xs:anyType" => {
            if !xt.values.is_empty() && !mt.values.is_empty() && xt.values != mt.values {
                let only_x: Vec<&String> = xt.values.difference(&mt.values).collect();
                let only_m: Vec<&String> = mt.values.difference(&xt.values).collect();
                push(
                    "text".into(),
                    Kind::Enumeration,
                    format!("only in the XEP: {only_x:?}; only in the model: {only_m:?}"),
                );
            } else if xt.family() != mt.family() {
                push(
                    "text".into(),
                    Kind::Type,
                    format!("XEP: {}, model: {}", xt.base, mt.base),
                );
            }
        }
        _ => {}
    }
}

/// Compares one namespace's generated model with the XEP's.
pub fn compare(
    ns: &str,
    xep: Option<u32>,
    xep_model: &SchemaModel,
    model: &SchemaModel,
) -> Vec<Difference> {
    let mut out = Vec::new();
    for (name, x) in &xep_model.elements {
        match model.elements.get(name) {
            Some(m) => compare_element(ns, xep, name, x, m, &mut out),
            None => out.push(Difference {
                ns: ns.to_string(),
                xep,
                element: name.clone(),
                subject: "-".into(),
                kind: Kind::MissingInModel,
                detail: format!("the XEP's schema declares <{name}>, the model does not"),
            }),
        }
    }
    for name in model.elements.keys() {
        if !xep_model.elements.contains_key(name) {
            out.push(Difference {
                ns: ns.to_string(),
                xep,
                element: name.clone(),
                subject: "-".into(),
                kind: Kind::MissingInXep,
                detail: format!("the model has <{name}>, the XEP's schema does not declare it"),
            });
        }
    }
    out
}

/// The outcome per implemented namespace.
pub enum Comparison {
    /// Compared: the XEP and the differences.
    Compared(Option<u32>, Vec<Difference>),
    /// No document of the corpus has a schema for the namespace.
    NoXepSchema,
    /// Only a deprecated, obsolete, rejected or retracted XEP has a schema
    /// of the namespace (which one, and its status): not compared.
    DeadOnly(Option<u32>),
    /// A schema could not be read (which and why).
    Unreadable(String),
}

/// Compares every implemented namespace with the corpus, by namespace.
pub fn compare_namespaces(registry: &Registry, corpus: &Corpus) -> BTreeMap<String, Comparison> {
    let mut out = BTreeMap::new();
    for f in generate(registry) {
        if f.namespace.is_empty() || f.namespace == crate::generate::XML_NS {
            continue;
        }
        let cmp = match corpus.preferred(&f.namespace) {
            None => match corpus.dead_only(&f.namespace) {
                Some(x) => Comparison::DeadOnly(x.xep),
                None => Comparison::NoXepSchema,
            },
            Some(x) => match (read_schema(&x.text), read_schema(&f.text)) {
                (Ok(xm), Ok(mm)) => {
                    Comparison::Compared(x.xep, compare(&f.namespace, x.xep, &xm, &mm))
                }
                (Err(e), _) => {
                    Comparison::Unreadable(format!("the XEP's schema (line {}): {e}", x.line))
                }
                (_, Err(e)) => Comparison::Unreadable(format!("the generated schema: {e}")),
            },
        };
        out.insert(f.namespace, cmp);
    }
    out
}

/// The implemented namespaces that were not compared, with why (no XEP
/// has a schema of it; only a deprecated or obsolete XEP has one; a schema
/// could not be read), one line each.
pub fn not_compared(registry: &Registry, corpus: &Corpus) -> Vec<String> {
    compare_namespaces(registry, corpus)
        .into_iter()
        .filter_map(|(ns, c)| match c {
            Comparison::Compared(..) => None,
            Comparison::NoXepSchema => Some(format!("{ns}: no XEP has a schema of it")),
            Comparison::DeadOnly(x) => {
                let name = x.map_or("-".into(), |x| format!("XEP-{x:04}"));
                let status = x.and_then(|x| corpus.status_of(x)).unwrap_or("?");
                Some(format!(
                    "{ns}: only {name} ({status}) has a schema of it; an RFC defines the namespace"
                ))
            }
            Comparison::Unreadable(why) => Some(format!("{ns}: {why}")),
        })
        .collect()
}

/// The XEPs whose schema is the reference of an implemented namespace.
pub fn defining_xeps(registry: &Registry, corpus: &Corpus) -> Vec<u32> {
    let mut v: Vec<u32> = generate(registry)
        .iter()
        .filter_map(|f| corpus.preferred(&f.namespace).and_then(|s| s.xep))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Every difference, in namespace order.
pub fn compare_all(registry: &Registry, corpus: &Corpus) -> Vec<Difference> {
    compare_namespaces(registry, corpus)
        .into_values()
        .flat_map(|c| match c {
            Comparison::Compared(_, d) => d,
            _ => Vec::new(),
        })
        .collect()
}

/// The differences as JSON: `{"differences": [{"ns", "xep", "element",
/// "subject", "kind", "detail", "recorded": reason|null}], "totals":
/// {"differences", "recorded", "unrecorded"}}`.
pub fn to_json(diffs: &[Difference], rec: &Recorded) -> String {
    let list: Vec<_> = diffs
        .iter()
        .map(|d| {
            json!({
                "ns": d.ns, "xep": d.xep, "element": d.element, "subject": d.subject,
                "kind": d.kind.as_str(), "detail": d.detail, "recorded": rec.reason(d),
            })
        })
        .collect();
    let recorded = diffs.iter().filter(|d| rec.reason(d).is_some()).count();
    serde_json::to_string_pretty(&json!({
        "differences": list,
        "totals": {"differences": diffs.len(), "recorded": recorded, "unrecorded": diffs.len() - recorded},
    }))
    .unwrap_or_default()
}

/// The differences as text: the unrecorded ones (every one with `all`),
/// then a count per namespace.
pub fn to_text(diffs: &[Difference], rec: &Recorded, all: bool) -> String {
    let mut out = String::new();
    for d in diffs {
        let reason = rec.reason(d);
        if reason.is_none() || all {
            let _ = write!(out, "{}  # {}", d.key(), d.detail);
            if let Some(r) = reason {
                let _ = write!(out, " [recorded: {r}]");
            }
            out.push('\n');
        }
    }
    let mut per: BTreeMap<(&str, Option<u32>), (usize, usize)> = BTreeMap::new();
    for d in diffs {
        let e = per.entry((&d.ns, d.xep)).or_default();
        e.0 += 1;
        if rec.reason(d).is_some() {
            e.1 += 1;
        }
    }
    let _ = writeln!(
        out,
        "\n{:<50} {:<9} {:>11} {:>9}",
        "namespace", "schema", "differences", "recorded"
    );
    for ((ns, xep), (n, r)) in &per {
        let x = xep.map_or("-".into(), |x| format!("XEP-{x:04}"));
        let _ = writeln!(out, "{ns:<50} {x:<9} {n:>11} {r:>9}");
    }
    let recorded = diffs.iter().filter(|d| rec.reason(d).is_some()).count();
    let _ = writeln!(
        out,
        "{} differences, {} recorded, {} to fix or record",
        diffs.len(),
        recorded,
        diffs.len() - recorded
    );
    for s in rec.stale(diffs) {
        let _ = writeln!(out, "stale entry in the differences file: {s}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(xsd: &str) -> SchemaModel {
        read_schema(xsd).unwrap()
    }

    #[test]
    fn lists_actionable_differences() {
        let xep = model(
            "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' targetNamespace='urn:t' xmlns='urn:t' elementFormDefault='qualified'>
  <xs:element name='a'><xs:complexType><xs:sequence>
    <xs:element ref='b' maxOccurs='unbounded'/>
  </xs:sequence>
  <xs:attribute name='type' use='required'><xs:simpleType><xs:restriction base='xs:string'>
    <xs:enumeration value='x'/><xs:enumeration value='y'/></xs:restriction></xs:simpleType></xs:attribute>
  <xs:attribute name='extra' type='xs:string'/>
  </xs:complexType></xs:element>
  <xs:element name='b' type='xs:string'/>
</xs:schema>",
        );
        let ours = model(
            "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' targetNamespace='urn:t' xmlns='urn:t' elementFormDefault='qualified'>
  <xs:element name='a'><xs:complexType><xs:sequence>
    <xs:element name='b' type='xs:string'/>
  </xs:sequence>
  <xs:attribute name='type'><xs:simpleType><xs:restriction base='xs:string'>
    <xs:enumeration value='x'/><xs:enumeration value='z'/></xs:restriction></xs:simpleType></xs:attribute>
  </xs:complexType></xs:element>
  <xs:element name='c' type='xs:int'/>
</xs:schema>",
        );
        let d = compare("urn:t", Some(1), &xep, &ours);
        let keys: Vec<String> = d.iter().map(Difference::key).collect();
        assert!(
            keys.contains(&"urn:t a <b> cardinality".to_string()),
            "{keys:?}"
        );
        assert!(
            keys.contains(&"urn:t a @type required".to_string()),
            "{keys:?}"
        );
        assert!(
            keys.contains(&"urn:t a @type enumeration".to_string()),
            "{keys:?}"
        );
        assert!(
            keys.contains(&"urn:t a @extra missing-in-model".to_string()),
            "{keys:?}"
        );
        assert!(
            keys.contains(&"urn:t c - missing-in-xep".to_string()),
            "{keys:?}"
        );
        assert_eq!(d.len(), 5, "{keys:?}");
        let rec = Recorded::parse("# c\nurn:t c - missing-in-xep | a reason\n").unwrap();
        assert_eq!(rec.reason(&d[4]), Some("a reason"));
        assert!(Recorded::parse("urn:t c - missing-in-xep").is_err());
    }
}
