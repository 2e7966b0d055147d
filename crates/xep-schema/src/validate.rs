//! Examples against the XEPs' own schemas, with libxml2.
//!
//! A [`Corpus`] holds the schemas of a directory of XEP documents. To
//! compile one, its `xs:import`s must resolve without the network: each
//! schema is written to a private temporary directory and every import's
//! `schemaLocation` rewritten to the file of the imported namespace's schema
//! taken from the corpus (the XEP defining the namespace; see
//! [`Corpus::preferred`]). The XML namespace (`xml:lang`) gets the
//! project's own `xml.xsd`. An imported namespace no document of the corpus
//! defines gets a stub schema declaring, without constraints (`anyType`),
//! the elements and attributes the importing schemas refer to: references
//! to it are lax. `xs:include`s are dropped. libxml2's loader is also set to
//! refuse network access.
//!
//! An example is validated item by item: each top-level element is parsed
//! by libxml2 in the namespace context the checker uses (default
//! `jabber:client`, the `stream:` and `db:` prefixes, a stream header's
//! declarations), then every element whose namespace has a schema and
//! differs from its parent's namespace (the top-level payload, and foreign
//! payloads nested in it) is validated against that schema as a subtree
//! (`xmlSchemaValidateOneElement`). Stanzas themselves have no XEP schema
//! (`jabber:client` is defined by RFC 6120); their payloads are validated.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use libxml::parser::{Parser, ParserOptions};
use libxml::schemas::{SchemaParserContext, SchemaValidationContext};
use libxml::tree::Node;
use xep_element::xml::NsContext;

use crate::Corpus;
use crate::extract::{XS_NS, XepSchema, tag_attribute, tag_namespaces};
use crate::generate::{XML_NS, file_name, xml_namespace_schema};
use crate::verdict::{SchemaStatus, SchemaVerdict};

/// One top-level item of an example, as the checker split it (`xep-check`'s
/// `extract::parse_items`).
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    /// A well-formed element.
    Element {
        /// Its text.
        xml: &'a str,
        /// The document line where it starts.
        line: usize,
        /// The namespaces it is read in (the checker's default
        /// `jabber:client`, the `stream:` and `db:` prefixes, or those of a
        /// stream header before it).
        context: &'a NsContext,
        /// Whether it elides content (`...`): an invalid verdict is then
        /// `elided`.
        elided: bool,
    },
    /// An item that is not XML.
    NotXml,
}

/// The schema files of a [`Corpus`] written to a private temporary
/// directory, and their compiled forms.
pub(crate) struct Files {
    /// Where the files are written.
    dir: PathBuf,
    /// Written files: (xep, namespace) → path; `None` xep for stubs.
    written: RefCell<HashMap<(Option<u32>, String), PathBuf>>,
    /// Compiled schemas by file (or why they do not compile).
    compiled: RefCell<HashMap<PathBuf, Result<SchemaValidationContext, String>>>,
    /// Names each namespace no schema defines is referred to by: (kind,
    /// name), declared by its stub.
    referenced: BTreeMap<String, BTreeSet<(u8, String)>>,
}

impl Files {
    pub(crate) fn new(by_ns: &BTreeMap<String, Vec<XepSchema>>) -> Self {
        forbid_network();
        let mut referenced: BTreeMap<String, BTreeSet<(u8, String)>> = BTreeMap::new();
        let all: Vec<&XepSchema> = by_ns.values().flatten().collect();
        for s in &all {
            for (_, uri) in tag_namespaces(&s.text) {
                if uri != XS_NS && uri != XML_NS && !by_ns.contains_key(&uri) && uri != s.target_ns
                {
                    referenced
                        .entry(uri.clone())
                        .or_default()
                        .extend(references_to(&s.text, &uri));
                }
            }
        }
        Files {
            dir: temp_dir(),
            written: RefCell::new(HashMap::new()),
            compiled: RefCell::new(HashMap::new()),
            referenced,
        }
    }
}

static NO_NET: std::sync::Once = std::sync::Once::new();

fn forbid_network() {
    NO_NET.call_once(|| {
        libxml::parser::Parser::default();
        // SAFETY: sets libxml2's process-wide entity loader to its own
        // no-network loader; called once, before any schema is parsed.
        unsafe {
            libxml::bindings::xmlSetExternalEntityLoader(Some(
                libxml::bindings::xmlNoNetExternalEntityLoader,
            ));
        }
    });
    quiet_thread();
}

/// Messages are collected per context; without a handler, libxml2 would
/// also print some (e.g. a malformed XEP schema's, parsed as an import) on
/// stderr. The handler is per thread.
fn quiet_thread() {
    // SAFETY: installs a handler that reads nothing, for this thread.
    unsafe {
        libxml::bindings::xmlSetStructuredErrorFunc(std::ptr::null_mut(), Some(quiet));
    }
}

/// libxml2's structured error handler, silenced.
unsafe extern "C" fn quiet(_ctx: *mut std::os::raw::c_void, _err: libxml::bindings::xmlErrorPtr) {}

fn temp_dir() -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("xep-check-schemas-{}-{n}", std::process::id()))
}

impl Drop for Files {
    fn drop(&mut self) {
        self.compiled.borrow_mut().clear();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A rewrite of a schema's text so that its imports are local files.
/// `resolve(ns)` gives the file for an imported namespace.
fn rewrite_imports(text: &str, resolve: &mut dyn FnMut(&str) -> Option<PathBuf>) -> String {
    let root_end = text.find('>').unwrap_or(text.len());
    let xs_prefix = tag_namespaces(&text[..root_end])
        .into_iter()
        .find(|(_, u)| u == XS_NS)
        .map(|(p, _)| p)
        .unwrap_or_default();
    let q = |local: &str| {
        if xs_prefix.is_empty() {
            format!("<{local}")
        } else {
            format!("<{xs_prefix}:{local}")
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let import = q("import");
    let include = q("include");
    while let Some(p) = text[i..].find('<') {
        let at = i + p;
        out.push_str(&text[i..at]);
        let rest = &text[at..];
        let is = |t: &str| {
            rest.starts_with(t)
                && rest[t.len()..]
                    .starts_with(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        };
        if is(&import) || is(&include) {
            // The element: a start tag, self-closed or with an end tag.
            let tag_end = rest.find('>').map_or(rest.len(), |e| e + 1);
            let tag = &rest[..tag_end];
            let whole = if tag.ends_with("/>") {
                tag_end
            } else {
                let close = format!(
                    "</{}>",
                    &rest[1..rest[1..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(rest.len(), |e| e + 1)]
                );
                rest.find(&close).map_or(tag_end, |e| e + close.len())
            };
            let newlines = rest[..whole].matches('\n').count();
            if is(&import) {
                let ns = tag_attribute(tag, "namespace").unwrap_or_default();
                if let Some(path) = resolve(&ns) {
                    out.push_str(&format!(
                        "{import} namespace='{}' schemaLocation='{}'/>",
                        xml_escape(&ns),
                        xml_escape(&path.to_string_lossy())
                    ));
                } else {
                    out.push_str(&format!("{import} namespace='{}'/>", xml_escape(&ns)));
                }
            }
            out.push_str(&"\n".repeat(newlines));
            i = at + whole;
        } else {
            out.push('<');
            i = at + 1;
        }
    }
    out.push_str(&text[i..]);
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('\'', "&apos;")
        .replace('<', "&lt;")
}

/// What a stub declares.
const STUB_ELEMENT: u8 = 0;
const STUB_ATTRIBUTE: u8 = 1;
const STUB_GROUP: u8 = 2;
const STUB_ATTRIBUTE_GROUP: u8 = 3;

/// `ref` references of a schema to namespace `ns`, with what they refer
/// to (prefixes declared anywhere in the schema).
fn references_to(text: &str, ns: &str) -> BTreeSet<(u8, String)> {
    let prefixes: Vec<String> = tag_namespaces(text)
        .into_iter()
        .filter(|(p, u)| u == ns && !p.is_empty())
        .map(|(p, _)| p)
        .collect();
    let mut out = BTreeSet::new();
    for p in prefixes {
        for quote in ['\'', '"'] {
            let needle = format!("ref={quote}{p}:");
            let mut i = 0;
            while let Some(at) = text[i..].find(&needle) {
                let start = i + at + needle.len();
                let end = text[start..].find(quote).map_or(text.len(), |e| start + e);
                let name = text[start..end].to_string();
                // The kind is the tag's: <xs:attribute ref=...>, ...
                let tag_start = text[..i + at].rfind('<').unwrap_or(0);
                let tag = &text[tag_start..i + at];
                let kind = if tag.contains("attributeGroup") {
                    STUB_ATTRIBUTE_GROUP
                } else if tag.contains("attribute") {
                    STUB_ATTRIBUTE
                } else if tag.contains("group") {
                    STUB_GROUP
                } else {
                    STUB_ELEMENT
                };
                out.insert((kind, name));
                i = end;
            }
        }
    }
    out
}

fn stub_schema(ns: &str, names: &BTreeSet<(u8, String)>) -> String {
    let mut s = format!(
        "<xs:schema xmlns:xs='{XS_NS}' targetNamespace='{}' elementFormDefault='qualified'>\n",
        xml_escape(ns)
    );
    for (kind, name) in names {
        s.push_str(&match *kind {
            STUB_ATTRIBUTE => format!("  <xs:attribute name='{name}'/>\n"),
            STUB_GROUP => format!(
                "  <xs:group name='{name}'><xs:sequence><xs:any namespace='##any' processContents='lax' minOccurs='0' maxOccurs='unbounded'/></xs:sequence></xs:group>\n"
            ),
            STUB_ATTRIBUTE_GROUP => format!(
                "  <xs:attributeGroup name='{name}'><xs:anyAttribute namespace='##any' processContents='lax'/></xs:attributeGroup>\n"
            ),
            _ => format!("  <xs:element name='{name}'/>\n"),
        });
    }
    s.push_str("</xs:schema>\n");
    s
}

/// How validating one element went.
enum Outcome {
    /// Valid, with what could not be judged inside (see [`unjudged`]).
    Valid(Vec<String>),
    Invalid(Vec<(Option<usize>, String)>),
    /// The element cannot be validated out of its context (see
    /// [`unjudged`]).
    Unjudged(String),
    SchemaError(String),
}

/// Whether a libxml2 message is about what this validation cannot judge
/// rather than about the example: a strict wildcard demanding the
/// declaration of a payload (validated on its own when its namespace has
/// a schema in the corpus, and judged by nobody here when it has none:
/// Atom, `urn:xmpp:example`, ...), or an element validated as a subtree
/// that its schema declares only locally.
fn unjudged(msg: &str) -> bool {
    msg.contains("demanded by the strict wildcard")
        || msg.contains("No matching global declaration available for the validation root")
}

impl Corpus {
    /// The file holding `schema` (written on first use, imports rewritten).
    fn file_of(&self, schema: &XepSchema) -> PathBuf {
        let key = (schema.xep, schema.target_ns.clone());
        if let Some(p) = self.files.written.borrow().get(&key) {
            return p.clone();
        }
        let sub = schema
            .xep
            .map_or("other".to_string(), |x| format!("xep-{x:04}"));
        let path = self.files.dir.join(sub).join(file_name(&schema.target_ns));
        self.files.written.borrow_mut().insert(key, path.clone());
        let mut resolve = |ns: &str| -> Option<PathBuf> {
            if ns == XML_NS {
                return Some(self.support_file("xml.xsd", &xml_namespace_schema()));
            }
            if let Some(s) = self.preferred(ns) {
                let s = s.clone();
                return Some(self.file_of(&s));
            }
            let names = self.files.referenced.get(ns).cloned().unwrap_or_default();
            Some(self.support_file(&format!("stub/{}", file_name(ns)), &stub_schema(ns, &names)))
        };
        // Line numbers of the file match the document's from the
        // schema's first line: a message at file line l is at document
        // line schema.line + l - 1.
        let text = rewrite_imports(&schema.text, &mut resolve);
        if let Some(d) = path.parent() {
            let _ = std::fs::create_dir_all(d);
        }
        let _ = std::fs::write(&path, text);
        path
    }

    fn support_file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.files.dir.join(name);
        if !path.exists() {
            if let Some(d) = path.parent() {
                let _ = std::fs::create_dir_all(d);
            }
            let _ = std::fs::write(&path, text);
        }
        path
    }

    /// Whether `schema` compiles, and libxml2's messages when it does not.
    pub fn compile_errors(&self, schema: &XepSchema) -> Option<String> {
        let path = self.file_of(schema);
        self.ensure_compiled(&path, schema.line);
        match self.files.compiled.borrow().get(&path) {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        }
    }

    fn ensure_compiled(&self, path: &Path, first_line: usize) {
        if self.files.compiled.borrow().contains_key(path) {
            return;
        }
        quiet_thread();
        let p = path.to_string_lossy().into_owned();
        let own = p.clone();
        let res = std::panic::catch_unwind(move || {
            let mut parser = SchemaParserContext::from_file(&p);
            SchemaValidationContext::from_parser(&mut parser)
        });
        let entry = match res {
            Ok(Ok(ctx)) => Ok(ctx),
            Ok(Err(errors)) => Err(errors
                .iter()
                .filter(|e| {
                    matches!(
                        e.level,
                        libxml::error::XmlErrorLevel::Error | libxml::error::XmlErrorLevel::Fatal
                    )
                })
                .map(|e| {
                    let msg = e.message.as_deref().unwrap_or("error").trim().to_string();
                    match (e.line, &e.filename) {
                        (Some(l), Some(f)) if *f == own => {
                            format!("schema line {}: {msg}", first_line + l as usize - 1)
                        }
                        (Some(l), Some(f)) => format!("{}:{l}: {msg}", short_file(f)),
                        _ => msg,
                    }
                })
                .collect::<Vec<_>>()
                .join("; ")),
            Err(_) => Err("libxml2 could not create a schema parser".to_string()),
        };
        let entry = match entry {
            Err(e) if e.is_empty() => Err("the schema does not compile".to_string()),
            other => other,
        };
        self.files
            .compiled
            .borrow_mut()
            .insert(path.to_path_buf(), entry);
    }

    fn validate_node(&self, schema: &XepSchema, node: &Node) -> Outcome {
        let path = self.file_of(schema);
        self.ensure_compiled(&path, schema.line);
        let mut map = self.files.compiled.borrow_mut();
        match map.get_mut(&path) {
            Some(Ok(ctx)) => {
                let _ = ctx.drain_errors();
                match ctx.validate_node(node) {
                    Ok(()) => Outcome::Valid(Vec::new()),
                    Err(errors) => {
                        let (skipped, errs): (Vec<_>, Vec<_>) = errors
                            .iter()
                            .filter(|e| !matches!(e.level, libxml::error::XmlErrorLevel::Warning))
                            .map(|e| {
                                (
                                    e.line.and_then(|l| usize::try_from(l).ok()),
                                    e.message.as_deref().unwrap_or("invalid").trim().to_string(),
                                )
                            })
                            .partition(|(_, m)| unjudged(m));
                        let skipped: Vec<String> = skipped.into_iter().map(|(_, m)| m).collect();
                        if !errs.is_empty() {
                            Outcome::Invalid(errs)
                        } else if let Some(root) = skipped
                            .iter()
                            .find(|m| m.contains("for the validation root"))
                        {
                            Outcome::Unjudged(root.clone())
                        } else {
                            Outcome::Valid(skipped)
                        }
                    }
                }
            }
            Some(Err(e)) => Outcome::SchemaError(e.clone()),
            None => Outcome::SchemaError("the schema does not compile".into()),
        }
    }

    /// Validates the items of one example of XEP `xep` (see the module
    /// docs). `implemented` says whether the project implements a
    /// namespace: the verdict on those elements alone is what the round
    /// trip is compared with.
    pub fn validate_items(
        &self,
        xep: Option<u32>,
        items: &[Item<'_>],
        implemented: &dyn Fn(&str) -> bool,
    ) -> SchemaVerdict {
        let mut v = Acc::default();
        for item in items {
            match *item {
                Item::NotXml => v.not_xml = true,
                Item::Element {
                    xml,
                    line,
                    context,
                    elided,
                } => {
                    let mut wrapper = String::from("<xep-check-wrapper");
                    if !context.default.is_empty() {
                        wrapper.push_str(&format!(" xmlns='{}'", xml_escape(&context.default)));
                    }
                    for (p, uri) in &context.prefixes {
                        wrapper.push_str(&format!(" xmlns:{p}='{}'", xml_escape(uri)));
                    }
                    wrapper.push('>');
                    let doc_text = format!("{wrapper}{xml}</xep-check-wrapper>");
                    let opts = ParserOptions {
                        recover: false,
                        no_net: true,
                        ..ParserOptions::default()
                    };
                    let doc = match Parser::default().parse_string_with_options(&doc_text, opts) {
                        Ok(d) => d,
                        Err(_) => {
                            v.add(
                                Status3::Invalid { elided },
                                format!("line {line}: libxml2 does not parse the element"),
                            );
                            continue;
                        }
                    };
                    let Some(root) = doc.get_root_element() else {
                        continue;
                    };
                    for child in root.get_child_elements() {
                        self.visit(xep, &child, None, line, elided, implemented, &mut v);
                    }
                }
            }
        }
        v.implemented = match (v.impl_valid, v.impl_invalid) {
            (_, n) if n > 0 => Some(false),
            (n, _) if n > 0 => Some(true),
            _ => None,
        };
        v.finish_into()
    }

    #[allow(clippy::too_many_arguments)] // the walk's context, passed down
    fn visit(
        &self,
        xep: Option<u32>,
        node: &Node,
        parent_ns: Option<&str>,
        first_line: usize,
        elided: bool,
        implemented: &dyn Fn(&str) -> bool,
        v: &mut Acc,
    ) {
        let ns = node
            .get_namespace()
            .map(|n| n.get_href())
            .unwrap_or_default();
        if parent_ns != Some(ns.as_str())
            && let Some(schema) = self.schema_for(xep, &ns)
        {
            let label = match schema.xep {
                Some(x) if Some(x) != xep => format!("XEP-{x:04} {ns}"),
                _ => ns.clone(),
            };
            v.schemas.insert(label.clone());
            let line_of = |l: Option<usize>| l.map(|l| first_line + l - 1);
            let outcome = self.validate_node(schema, node);
            if implemented(&ns) && !elided {
                match outcome {
                    Outcome::Valid(_) => v.impl_valid += 1,
                    Outcome::Invalid(_) => v.impl_invalid += 1,
                    Outcome::Unjudged(_) | Outcome::SchemaError(_) => {}
                }
            }
            match outcome {
                Outcome::Valid(skipped) => {
                    v.add(Status3::Valid, String::new());
                    for m in skipped {
                        if !v.unjudged.contains(&m) {
                            v.unjudged.push(m);
                        }
                    }
                }
                Outcome::Unjudged(m) => {
                    if !v.unjudged.contains(&m) {
                        v.unjudged.push(m);
                    }
                }
                Outcome::Invalid(errs) => {
                    for (l, msg) in errs {
                        let at = line_of(l).map_or(String::new(), |l| format!("line {l}: "));
                        v.add(Status3::Invalid { elided }, format!("{at}{msg}"));
                        if v.first_line.is_none() {
                            v.first_line = line_of(l);
                        }
                    }
                }
                Outcome::SchemaError(e) => v.add(
                    Status3::SchemaError,
                    format!(
                        "the schema of {label} (line {}) does not compile: {e}",
                        schema.line
                    ),
                ),
            }
        }
        for child in node.get_child_elements() {
            self.visit(xep, &child, Some(&ns), first_line, elided, implemented, v);
        }
    }
}

fn short_file(f: &str) -> String {
    Path::new(f)
        .components()
        .rev()
        .take(2)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

enum Status3 {
    Valid,
    Invalid { elided: bool },
    SchemaError,
}

#[derive(Default)]
struct Acc {
    valid: usize,
    invalid: Vec<String>,
    elided: Vec<String>,
    schema_errors: Vec<String>,
    schemas: BTreeSet<String>,
    first_line: Option<usize>,
    not_xml: bool,
    impl_valid: usize,
    impl_invalid: usize,
    implemented: Option<bool>,
    /// What libxml2 could not judge here (see [`unjudged`]).
    unjudged: Vec<String>,
}

impl Acc {
    fn add(&mut self, s: Status3, msg: String) {
        let list = match s {
            Status3::Valid => {
                self.valid += 1;
                return;
            }
            Status3::Invalid { elided: false } => &mut self.invalid,
            Status3::Invalid { elided: true } => &mut self.elided,
            Status3::SchemaError => &mut self.schema_errors,
        };
        if !list.contains(&msg) {
            list.push(msg);
        }
    }

    fn finish_into(self) -> SchemaVerdict {
        let not_xml = self.not_xml;
        let (status, detail) = if !self.invalid.is_empty() {
            (SchemaStatus::Invalid, self.invalid.join("; "))
        } else if !self.elided.is_empty() {
            (
                SchemaStatus::Elided,
                format!(
                    "invalid where content is elided: {}",
                    self.elided.join("; ")
                ),
            )
        } else if !self.schema_errors.is_empty() {
            (SchemaStatus::SchemaError, self.schema_errors.join("; "))
        } else if self.valid > 0 {
            (SchemaStatus::Valid, String::new())
        } else if not_xml {
            (SchemaStatus::NotXml, "the example is not XML".into())
        } else {
            (
                SchemaStatus::NoSchema,
                "no element of a namespace the XEPs give a schema for".into(),
            )
        };
        let detail = match (detail.is_empty(), self.unjudged.is_empty()) {
            (_, true) => detail,
            (true, false) => format!("not judged here: {}", self.unjudged.join("; ")),
            (false, false) => format!("{detail}; not judged here: {}", self.unjudged.join("; ")),
        };
        SchemaVerdict {
            status,
            detail,
            line: if status == SchemaStatus::Invalid {
                self.first_line
            } else {
                None
            },
            implemented: self.implemented,
            schemas: self.schemas.into_iter().collect(),
            known: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_become_local_files() {
        let text = "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>\n<xs:import namespace='urn:a'\n  schemaLocation='http://example.com/a.xsd'/>\n<xs:include schemaLocation='b.xsd'/>\n<xs:element name='x'/>\n</xs:schema>";
        let out = rewrite_imports(text, &mut |ns| {
            (ns == "urn:a").then(|| PathBuf::from("/tmp/a.xsd"))
        });
        assert!(
            out.contains("<xs:import namespace='urn:a' schemaLocation='/tmp/a.xsd'/>"),
            "{out}"
        );
        assert!(
            !out.contains("include") && !out.contains("http://example.com"),
            "{out}"
        );
        assert_eq!(out.lines().count(), text.lines().count());
        assert_eq!(out.lines().nth(4), Some("<xs:element name='x'/>"));
    }

    #[test]
    fn references_to_a_namespace() {
        let text = "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' xmlns:d='urn:d'>\n<xs:element ref='d:x'/><xs:attribute ref=\"d:y\"/></xs:schema>";
        let r = references_to(text, "urn:d");
        assert!(r.contains(&(STUB_ELEMENT, "x".to_string())));
        assert!(r.contains(&(STUB_ATTRIBUTE, "y".to_string())));
    }
}
