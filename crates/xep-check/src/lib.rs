//! The example checker.
//!
//! It reads XEP source documents (or any XML document with `<example>`
//! elements), extracts every example, and for each element of a namespace a
//! crate implements, parses it through the [`Registry`], serializes it back
//! and compares with [`xep_element::equivalent`]. See the README for the
//! command line; the JSON output is a public contract (see [`to_json`]).
//!
//! ```
//! let doc = "<xep><example caption='Ping'><![CDATA[
//! <iq from='a.lit' to='b.lit' id='p1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>
//! ]]></example></xep>";
//! let checker = xep_check::Checker::new(xep_check::Expectations::default());
//! let results = checker.check_document("example.xml", doc, None);
//! assert_eq!(results[0].status, xep_check::Status::Pass);
//! assert!(results[0].unsupported_namespaces.is_empty());
//! ```

#![warn(missing_docs)]

pub mod errata;
pub mod extract;
pub mod html;
mod report;
pub mod schema;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

pub use report::{
    ExampleResult, Expectations, SchemaStatus, SchemaVerdict, Status, to_github, to_json, to_sarif,
    to_text,
};
use xep_element::Registry;
/// The generated elements and proptest strategies, now in `xep-testkit`
/// (re-exported here so that `xep_check::arbitrary` paths keep working).
pub use xep_testkit::arbitrary;
/// The fuzz properties of `xep-testkit`, with the registry each generated
/// target parses with.
pub mod fuzz;

/// Every element type the workspace implements: the facade's registry with
/// every feature ([`xep::registry`]).
pub fn registry() -> Registry {
    xep::registry()
}

/// Namespaces that are part of the XML machinery, never "unsupported".
const BUILTIN_NS: &[&str] = &[xep_element::ns::XML, ""];

/// Prefix of the detail of an example that the expectations file lists but
/// that no longer fails: the entry is stale and should be removed.
pub const STALE: &str = "listed in the expectations file but does not fail; ";

/// Checks documents against the registry.
pub struct Checker {
    registry: Registry,
    /// Every namespace an implemented element or attribute is in.
    typed: HashSet<&'static str>,
    expectations: Expectations,
}

impl Checker {
    /// A checker over every implemented element, with `expectations`.
    pub fn new(expectations: Expectations) -> Self {
        let registry = registry();
        Checker {
            typed: typed_namespaces(&registry),
            registry,
            expectations,
        }
    }

    /// The expectations in use.
    pub fn expectations(&self) -> &Expectations {
        &self.expectations
    }

    /// Checks one document's examples. `xep` overrides the number taken
    /// from the file name. The entities the document declares are
    /// expanded; those of included files (`xep.ent`) only with
    /// [`extract::Entities::beside`] and [`Checker::check_examples`], as the
    /// command line does.
    pub fn check_document(&self, file: &str, text: &str, xep: Option<u32>) -> Vec<ExampleResult> {
        let xep = xep.or_else(|| extract::xep_number_from_path(Path::new(file)));
        extract::extract_examples(text, xep)
            .into_iter()
            .map(|ex| self.check_example(file, &ex))
            .collect()
    }

    /// Checks examples already extracted from the document `file`.
    pub fn check_examples(&self, file: &str, examples: &[extract::Example]) -> Vec<ExampleResult> {
        examples
            .iter()
            .map(|ex| self.check_example(file, ex))
            .collect()
    }

    /// Checks one example.
    pub fn check_example(&self, file: &str, ex: &extract::Example) -> ExampleResult {
        let mut res = ExampleResult {
            xep: ex.xep,
            index: ex.index,
            caption: ex.caption.clone(),
            line: ex.line,
            status: Status::Unsupported,
            detail: String::new(),
            unsupported_namespaces: Vec::new(),
            file: file.to_string(),
            path: file.to_string(),
            fault: None,
            schema: None,
        };
        let mut fault: Option<(usize, usize)> = None;
        let mut xml_fault: Option<(usize, usize)> = None;
        let mut unsupported = BTreeSet::new();
        let mut checked = 0usize;
        let mut failures: Vec<String> = Vec::new();
        let mut elided_failures: Vec<String> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let mut not_xml: Option<(bool, String)> = None;
        for item in extract::parse_items(ex) {
            let line = item.line;
            match item.parsed {
                extract::Parsed::Close => {}
                extract::Parsed::Header(r) => {
                    checked += 1;
                    if let Err(e) = r {
                        failures.push(format!("line {line}: stream header: {e}"));
                        fault.get_or_insert((line, 1));
                    }
                }
                extract::Parsed::Element(Err(pf)) => {
                    let elided = extract::elision_at(&item.xml, pf.line, pf.column);
                    if not_xml.as_ref().is_none_or(|(e, _)| *e && !elided) {
                        xml_fault = Some((line + pf.line - 1, pf.column));
                        not_xml = Some((
                            elided,
                            format!(
                                "line {}, column {}: {}",
                                line + pf.line - 1,
                                pf.column,
                                pf.reason
                            ),
                        ));
                    }
                }
                extract::Parsed::Element(Ok(el)) => {
                    let mut acc = Walk {
                        checked: &mut checked,
                        failures: &mut failures,
                        elided: &mut elided_failures,
                        unsupported: &mut unsupported,
                        notes: &mut notes,
                        line,
                        xml: &item.xml,
                        context: &item.context,
                        path: Vec::new(),
                        fault: &mut fault,
                    };
                    self.walk(&el, false, &mut acc);
                }
            }
        }
        res.unsupported_namespaces = unsupported.into_iter().collect();
        let expected = ex.xep.and_then(|x| self.expectations.lookup(x, ex.index));
        // A real XML error outranks a failure, which outranks elision.
        let (elided_xml, real_xml): (Vec<_>, Vec<_>) = not_xml.into_iter().partition(|(e, _)| *e);
        if let Some((_, detail)) = real_xml.into_iter().next() {
            res.fault = xml_fault;
            res.status = Status::NotXml;
            res.detail = if ex.unresolved.is_empty() || !detail.contains("undeclared entity") {
                detail
            } else {
                format!("{detail} ({})", ex.unresolved.join("; "))
            };
        } else if !failures.is_empty() {
            res.fault = fault;
            res.status = Status::Fail;
            res.detail = failures.join("; ");
        } else if let Some((_, detail)) = elided_xml.into_iter().next() {
            res.status = Status::Elided;
            res.detail = detail;
        } else if !elided_failures.is_empty() {
            res.status = Status::Elided;
            res.detail = format!(
                "fails where content is elided: {}",
                elided_failures.join("; ")
            );
        } else if checked > 0 {
            res.status = Status::Pass;
            res.detail = notes.join("; ");
        } else {
            res.status = Status::Unsupported;
            res.detail = "no element of an implemented namespace".into();
        }
        match expected {
            Some(reason) if matches!(res.status, Status::Fail | Status::NotXml) => {
                res.detail = format!("{reason} [{}]", res.detail);
                res.status = Status::ExpectedFail;
            }
            Some(_) => {
                res.detail = format!("{STALE}{}", res.detail);
            }
            None => {}
        }
        res
    }

    /// Checks every registered element whose parent is not registered (a
    /// registered parent parses its registered children itself).
    fn walk(&self, el: &minidom::Element, parent_registered: bool, acc: &mut Walk<'_>) {
        let ns = el.ns();
        let registered = self.registry.lookup(&ns, el.name()).is_some();
        if !self.typed.contains(ns.as_str()) && !BUILTIN_NS.contains(&ns.as_str()) {
            acc.unsupported.insert(ns.clone());
        }
        for ((ans, _), _) in el.attrs().iter() {
            let a = ans.as_str();
            if !a.is_empty() && !BUILTIN_NS.contains(&a) && !self.typed.contains(a) {
                acc.unsupported.insert(a.to_string());
            }
        }
        if registered && !parent_registered {
            *acc.checked += 1;
            let outcome = round_trip(&self.registry, el);
            if let Ok(Some(note)) = &outcome {
                acc.notes.push(format!("line {}: {note}", acc.line));
            }
            if let Err(f) = outcome {
                // Where exactly: the element or attribute at fault, found
                // by parsing the example's own bytes (the DOM has no
                // positions); the item's line when it cannot be found.
                let place = locate(&self.registry, acc.xml, acc.context, &acc.path)
                    .map(|(l, c)| (acc.line + l - 1, Some(c)));
                let (line, column) = place.unwrap_or((acc.line, None));
                let msg = match column {
                    Some(c) => format!("line {line}, column {c}: {f}"),
                    None => format!("line {line}: {f}"),
                };
                if !extract::element_has_placeholder(el) {
                    acc.fault.get_or_insert((line, column.unwrap_or(1)));
                }
                if extract::element_has_placeholder(el) {
                    acc.elided.push(msg);
                } else {
                    acc.failures.push(msg);
                }
            }
        }
        for (i, child) in el.children().enumerate() {
            acc.path.push(i);
            self.walk(child, registered, acc);
            acc.path.pop();
        }
    }

    /// The envelope census of one example: for every top-level stanza
    /// (message, presence, iq) of its well-formed items, its document line
    /// and whether the envelope parses (attributes, known children, stanza
    /// error), payloads kept as elements. Stanzas with elided content (a
    /// placeholder in their text) are left out: they cannot be judged.
    /// An example with an item that is not XML is left out entirely.
    pub fn envelopes(&self, ex: &extract::Example) -> Vec<(usize, Result<(), String>)> {
        let items = extract::parse_items(ex);
        if items
            .iter()
            .any(|i| matches!(i.parsed, extract::Parsed::Element(Err(_))))
        {
            return Vec::new();
        }
        items
            .into_iter()
            .filter_map(|item| match item.parsed {
                extract::Parsed::Element(Ok(el))
                    if ["message", "presence", "iq"].contains(&el.name())
                        && xep_element::ns::is_content(&el.ns())
                        && !extract::element_has_placeholder(&el) =>
                {
                    let r = <xep_core::Stanza as xep_element::XmlElement>::from_element(&el)
                        .map(|_| ())
                        .map_err(|e| e.to_string());
                    Some((item.line, r))
                }
                _ => None,
            })
            .collect()
    }
}

/// Every namespace the registry's elements type: those of registered
/// elements, and those their descriptions give children and attributes
/// (the stanza-error and stream-error conditions, typed by `<error/>`;
/// XEP-0206's `xbosh:` attributes, typed by BOSH's `<body/>`; ...). An
/// example using them uses nothing unsupported.
pub fn typed_namespaces(registry: &Registry) -> HashSet<&'static str> {
    use xep_element::{ChildKind, ElementDesc, NsDesc};
    fn ns_of(ns: NsDesc, out: &mut HashSet<&'static str>) {
        match ns {
            NsDesc::Fixed(f) => {
                out.insert(f);
            }
            NsDesc::Content => out.extend(xep_element::ns::CONTENT.iter().copied()),
        }
    }
    fn visit(
        descs: &'static [ElementDesc],
        seen: &mut HashSet<usize>,
        out: &mut HashSet<&'static str>,
    ) {
        if !seen.insert(descs.as_ptr() as usize) {
            return;
        }
        for d in descs {
            ns_of(d.ns, out);
            out.extend(d.attrs.iter().map(|a| a.ns).filter(|a| !a.is_empty()));
            for c in d.children {
                match c.kind {
                    ChildKind::Element(f) => visit(f(), seen, out),
                    ChildKind::Text { ns, .. } | ChildKind::Flag { ns, .. } => ns_of(ns, out),
                    ChildKind::Any => {}
                }
            }
        }
    }
    let mut out: HashSet<&'static str> = registry.namespaces().collect();
    let mut seen = HashSet::new();
    for info in registry.entries() {
        visit((info.descriptions)(), &mut seen, &mut out);
    }
    out
}

/// What a walk over one item accumulates.
struct Walk<'a> {
    checked: &'a mut usize,
    failures: &'a mut Vec<String>,
    elided: &'a mut Vec<String>,
    unsupported: &'a mut BTreeSet<String>,
    notes: &'a mut Vec<String>,
    line: usize,
    /// The item's text and namespaces, to locate failures in.
    xml: &'a str,
    context: &'a xep_element::xml::NsContext,
    /// The element's place in the item: child indexes from the root.
    path: Vec<usize>,
    /// The first failure's document line and column.
    fault: &'a mut Option<(usize, usize)>,
}

/// The line (1-based, in `xml`) and column (in characters) of the place
/// at fault when the registered element at `path` (child indexes from
/// the root of `xml`) fails to parse from `xml`'s own bytes; `None` when
/// it parses, or the reader cannot reach it.
pub fn locate(
    registry: &Registry,
    xml: &str,
    context: &xep_element::xml::NsContext,
    path: &[usize],
) -> Option<(usize, usize)> {
    use xep_element::{Source, Token};
    let mut r = xep_element::xml::XmlReader::with_context(xml.as_bytes(), context)
        .with_max_depth(1024)
        .with_registry(registry);
    r.root().ok()?;
    for &want in path {
        let mut seen = 0;
        loop {
            match r.next().ok()? {
                Token::Start if seen == want => break,
                Token::Start => {
                    r.capture().ok()?;
                    seen += 1;
                }
                Token::Text => {}
                Token::End => return None,
            }
        }
    }
    let (ns, name) = r.name();
    let info = registry.lookup(ns, name)?;
    let offset = (info.parse_xml)(&mut r, Some(registry)).err()?.offset()?;
    let before = xml.get(..offset)?;
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or_default()
        .chars()
        .count()
        + 1;
    Some((line, column))
}

/// Parses `el` through the registry, serializes it and compares; the error
/// says what failed. Both paths are checked: DOM to typed to DOM, and bytes
/// to typed (the strict reader) to bytes; the two typed values must be
/// equal.
///
/// JIDs are normalized when parsed (RFC 7622: localparts and domains are
/// case-folded), so `MaineBoy@jabber.org` comes back as
/// `maineboy@jabber.org`, in whichever attribute holds a JID (`from`,
/// pubsub's `publisher`, ...). That change alone is not a failure: `Ok`
/// carries a note naming the normalized JIDs.
pub fn round_trip(registry: &Registry, el: &minidom::Element) -> Result<Option<String>, String> {
    let typed = match registry.parse_dom(el) {
        Ok(Some(t)) => t,
        Ok(None) => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    // The byte path: the same element through the strict reader.
    let mut src = Vec::new();
    el.write_to(&mut src)
        .map_err(|e| format!("cannot serialize the example element: {e}"))?;
    let mut reader = xep_element::xml::XmlReader::new(&src).with_registry(registry);
    let from_bytes = reader.root().and_then(|()| {
        let (ns, name) = xep_element::Source::name(&reader);
        let info = registry
            .lookup(ns, name)
            .ok_or_else(|| xep_element::Error::invalid("element not registered"))?;
        (info.parse_xml)(&mut reader, Some(registry))
    });
    match from_bytes {
        Ok(v) if v.eq_dyn(&*typed) => {}
        Ok(v) => {
            return Err(format!(
                "the byte reader and the DOM reader disagree: {v:?} vs {typed:?}"
            ));
        }
        Err(e) => {
            return Err(format!(
                "the byte reader fails where the DOM reader does not: {e}"
            ));
        }
    }
    let back = typed.to_dom();
    let mut w = xep_element::XmlWriter::with_default_ns("");
    typed.write_xml(&mut w);
    let bytes = w.into_bytes();
    // Read back with the strict reader (minidom's own parser does not know
    // the predeclared xml: prefix on element names).
    let reparsed = extract::parse_item(
        std::str::from_utf8(&bytes).map_err(|e| e.to_string())?,
        &xep_element::xml::NsContext::default(),
    )
    .map_err(|e| format!("serialized bytes do not parse: {e:?}"))?;
    let mut note = None;
    if let Err(d) = xep_element::equivalent(el, &back) {
        let mut normalized = Vec::new();
        let el_norm = normalize_jids(registry, el, Some(&back), &mut normalized);
        if normalized.is_empty() || xep_element::equivalent(&el_norm, &back).is_err() {
            return Err(format!("round trip changed the element {d}"));
        }
        note = Some(format!(
            "normalized (JIDs per RFC 7622, base64 per xs:base64Binary): {}",
            normalized.join(", ")
        ));
        xep_element::equivalent(&el_norm, &reparsed)
            .map_err(|d| format!("byte serialization changed the element {d}"))?;
    } else {
        xep_element::equivalent(el, &reparsed)
            .map_err(|d| format!("byte serialization changed the element {d}"))?;
    }
    Ok(note)
}

/// A copy of `el` where, in elements of implemented namespaces (foreign
/// payloads are kept verbatim), every unprefixed attribute, and the text
/// of a `<jid/>` element, that came back from the round trip (`back`,
/// walked in parallel) as its own normal form as a JID (RFC 7622) takes
/// that form, and text that came back as the same base64 without its
/// line wrapping takes that form ([`unwrapped_base64`]); the changes are
/// listed. Any other difference stays, for the comparison to report.
fn normalize_jids(
    registry: &Registry,
    el: &minidom::Element,
    back: Option<&minidom::Element>,
    changes: &mut Vec<String>,
) -> minidom::Element {
    if !registry.knows_namespace(&el.ns()) {
        return el.clone();
    }
    let norm = |v: &str, got: Option<&str>, changes: &mut Vec<String>| -> Option<String> {
        let got = got.filter(|g| *g != v)?;
        let n = xep_element::jid::Jid::new(v).ok()?.to_string();
        (n == got).then(|| {
            changes.push(format!("'{v}' → '{n}'"));
            n
        })
    };
    let mut out = minidom::Element::bare(el.name(), el.ns());
    for ((ns, name), value) in el.attrs().iter() {
        let got = back.and_then(|b| b.attr(name.as_str()));
        let v = ns
            .as_str()
            .is_empty()
            .then(|| norm(value, got, changes))
            .flatten()
            .unwrap_or_else(|| value.clone());
        out.set_attr(ns.clone(), name.clone(), v);
    }
    // Children are matched by name and occurrence, as the equivalence
    // compares them: a typed value may write different elements in
    // another order (a message's body before its payloads).
    let mut seen: Vec<(String, String)> = Vec::new();
    for node in el.nodes() {
        match node {
            minidom::Node::Element(c) => {
                let key = (c.ns(), c.name().to_string());
                let nth = seen.iter().filter(|k| **k == key).count();
                seen.push(key);
                let b = back.and_then(|b| {
                    b.children()
                        .filter(|x| x.ns() == c.ns() && x.name() == c.name())
                        .nth(nth)
                });
                out.append_child(normalize_jids(registry, c, b, changes));
            }
            minidom::Node::Text(t) => {
                let got = back.map(|b| b.text());
                let v = if el.name() == "jid" && !t.trim().is_empty() {
                    norm(t, got.as_deref(), changes)
                } else {
                    None
                };
                // RFC 6120 SASL data is RFC 4648 base64, which has no
                // line breaks (§3.1): wrapped, it stays a difference.
                let v = v.or_else(|| {
                    (el.ns() != NS_SASL)
                        .then(|| unwrapped_base64(t, got.as_deref(), changes))
                        .flatten()
                });
                out.append_text(v.unwrap_or_else(|| t.clone()));
            }
        }
    }
    out
}

/// RFC 6120's SASL namespace.
const NS_SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";

/// The text `got` came back as, when `text` is base64 wrapped over lines
/// and `got` the same characters without the whitespace: xs:base64Binary
/// allows whitespace in its lexical form and the typed value keeps the
/// decoded bytes, so a model writes the base64 unwrapped. Only when `got`
/// decodes as padded base64 (the bytes are then equal).
fn unwrapped_base64(text: &str, got: Option<&str>, changes: &mut Vec<String>) -> Option<String> {
    use base64::Engine;
    let got = got.filter(|g| *g != text && !g.is_empty())?;
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact != got
        || base64::engine::general_purpose::STANDARD
            .decode(got)
            .is_err()
    {
        return None;
    }
    changes.push(format!(
        "base64 unwrapped ({} characters of whitespace dropped, xs:base64Binary)",
        text.len() - got.len()
    ));
    Some(got.to_string())
}

/// Expands files and directories into the XML files to check, sorted.
pub fn collect_inputs(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            for e in std::fs::read_dir(p)? {
                let path = e?.path();
                if path.extension().is_some_and(|x| x == "xml") {
                    out.push(path);
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    Ok(out)
}

/// The default location of the XEP sources, relative to the workspace:
/// `../shared/xeps` beside the repository.
pub fn default_xeps_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/xeps")
}

/// The committed expectations file.
pub fn default_expectations_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("expectations.txt")
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jid_in_any_attribute_may_come_back_normalized_and_nothing_else() {
        let reg = registry();
        // pubsub's `publisher` holds a JID: its normal form is a note (the
        // mutation property found 'A' → 'a' refused as a change).
        let el: minidom::Element = "<item xmlns='http://jabber.org/protocol/pubsub' id='B' publisher='Romeo@Montague.LIT/Orchard'/>"
            .parse()
            .unwrap();
        let note = round_trip(&reg, &el).unwrap().expect("a note");
        assert!(
            note.contains("'Romeo@Montague.LIT/Orchard' → 'romeo@montague.lit/Orchard'"),
            "{note}"
        );
        // A string attribute that looks like a JID is kept as written, so
        // nothing is normalized and the round trip is exact.
        let el: minidom::Element = "<item xmlns='http://jabber.org/protocol/pubsub' id='UPPER'/>"
            .parse()
            .unwrap();
        assert_eq!(round_trip(&reg, &el), Ok(None));
        // In a payload that the typed message writes after its body (the
        // mutation property found the payload's JID left unnormalized).
        let el: minidom::Element = "<message xmlns='jabber:client'>\
            <addresses xmlns='http://jabber.org/protocol/address'><address type='to' jid='A'/></addresses>\
            <body>hi</body></message>"
            .parse()
            .unwrap();
        let note = round_trip(&reg, &el).unwrap().expect("a note");
        assert!(note.contains("'A' → 'a'"), "{note}");
    }

    #[test]
    fn base64_may_come_back_unwrapped_except_rfc_6120_sasl_data() {
        let reg = registry();
        // SASL2's data is xs:base64Binary, which allows whitespace.
        let el: minidom::Element =
            "<challenge xmlns='urn:xmpp:sasl:2'>\n  SSdtIGJvcmVk\n  IG5vdy4=\n</challenge>"
                .parse()
                .unwrap();
        let note = round_trip(&reg, &el).unwrap().expect("a note");
        assert!(note.contains("base64 unwrapped"), "{note}");
        // RFC 6120's is RFC 4648 base64, without line breaks: a difference.
        let el: minidom::Element = "<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\n  SSdtIGJvcmVk\n  IG5vdy4=\n</challenge>"
            .parse()
            .unwrap();
        assert!(round_trip(&reg, &el).is_err());
        // Other whitespace changes are not excused: unwrapped_base64 needs
        // the same characters and valid base64.
        let mut changes = Vec::new();
        assert_eq!(unwrapped_base64("a b", Some("ab"), &mut changes), None);
        assert_eq!(
            unwrapped_base64("SSdt IGJv", Some("SSdtIGJvX"), &mut changes),
            None
        );
        assert_eq!(
            unwrapped_base64("SSdt\nIGJv", Some("SSdtIGJv"), &mut changes).as_deref(),
            Some("SSdtIGJv")
        );
        assert_eq!(changes.len(), 1);
    }

    #[test]
    fn namespaces_typed_by_their_parents_are_supported() {
        let doc = "<xep><example><![CDATA[
<iq from='a.lit' to='b.lit' id='p1' type='error'>
  <ping xmlns='urn:xmpp:ping'/>
  <error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>
</iq>
<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>
<body xmlns='http://jabber.org/protocol/httpbind' xmlns:xmpp='urn:xmpp:xbosh' xmpp:version='1.0' rid='1' sid='s'/>
]]></example></xep>";
        let r = Checker::new(Expectations::default()).check_document("x.xml", doc, Some(1));
        assert_eq!(r[0].status, Status::Pass, "{}", r[0].detail);
        assert!(
            r[0].unsupported_namespaces.is_empty(),
            "{:?}",
            r[0].unsupported_namespaces
        );
        let typed = typed_namespaces(&registry());
        assert!(typed.contains("urn:ietf:params:xml:ns:xmpp-stanzas"));
        assert!(!typed.contains("urn:example:unknown"));
    }
}
