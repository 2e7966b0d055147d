//! XML Schemas: generated from the element model, extracted from the XEPs,
//! compared, and used to validate examples.
//!
//! - [`generate`]: one schema per implemented namespace from the element
//!   descriptions the derive emits (`cargo xtask xsd` writes them to `xsd/`).
//! - [`extract`]: the `<xs:schema>` blocks of a XEP document.
//! - [`validate`]: examples against the XEPs' schemas with libxml2.
//! - [`model`] and [`diff`]: both kinds of schema read into one simple model
//!   (per element: attributes, children with cardinality, text) and
//!   compared (`xep-check schema-diff`).

pub mod diff;
pub mod extract;
pub mod generate;
pub mod model;
pub mod validate;

use crate::report::{ExampleResult, Status};

/// Adds the schema verdict to the results of one document (as returned by
/// [`crate::Checker::check_document`] for `text`).
///
/// A failing example is compared with the schema verdict only when its
/// failure lies in an element some XEP schema covered: an iq without `id`
/// fails in `jabber:client`, which no XEP schema describes, so a payload
/// the schema finds valid is no disagreement.
pub fn annotate(
    corpus: &validate::Corpus,
    text: &str,
    xep: Option<u32>,
    results: &mut [ExampleResult],
) {
    let examples = crate::extract::extract_examples(text, xep);
    let registry = crate::registry();
    let implemented = |ns: &str| registry.knows_namespace(ns);
    for r in results.iter_mut() {
        let Some(ex) = examples.iter().find(|e| e.index == r.index) else {
            continue;
        };
        let mut v = corpus.validate_example_with(ex, &implemented);
        if matches!(r.status, Status::Fail | Status::ExpectedFail) && v.implemented == Some(true) {
            if let Some(ns) = failure_namespace(ex, &r.detail) {
                let covered = v
                    .schemas
                    .iter()
                    .any(|s| s == &ns || s.ends_with(&format!(" {ns}")));
                if !covered {
                    v.implemented = None;
                    v.detail = format!(
                        "{}{}the round trip fails in {ns}, which no XEP schema covers",
                        v.detail,
                        if v.detail.is_empty() { "" } else { "; " }
                    );
                }
            }
        }
        r.schema = Some(v);
        if r.disagree()
            && let Some(v) = r.schema.as_mut()
        {
            v.known = KNOWN.reasons(xep, &format!("schema {}: {}", v.status, v.detail));
        }
    }
}

/// The disagreements triaged in `xsd/disagreements.txt`.
static KNOWN: std::sync::LazyLock<Disagreements> = std::sync::LazyLock::new(|| {
    Disagreements::parse(include_str!("../../../../xsd/disagreements.txt"))
        .expect("xsd/disagreements.txt is well-formed (tested)")
});

/// Triaged disagreements between the round trip and the XEPs' schemas
/// (`xsd/disagreements.txt`): each line is `[XEP-NNNN |] pattern |
/// reason`, where the pattern is a piece of libxml2's message and the
/// optional XEP restricts it to that document's examples.
#[derive(Debug, Clone, Default)]
pub struct Disagreements {
    entries: Vec<(Option<u32>, String, String)>,
}

impl Disagreements {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut entries = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split(" | ").map(str::trim).collect();
            let (xep, pattern, reason) = match parts.as_slice() {
                [p, r] => (None, *p, *r),
                [x, p, r] => {
                    let n = x
                        .strip_prefix("XEP-")
                        .and_then(|d| d.parse().ok())
                        .ok_or_else(|| format!("line {}: '{x}' is not XEP-NNNN", n + 1))?;
                    (Some(n), *p, *r)
                }
                _ => {
                    return Err(format!(
                        "line {}: expected '[XEP-NNNN |] pattern | reason', found '{line}'",
                        n + 1
                    ));
                }
            };
            if pattern.is_empty() || reason.is_empty() {
                return Err(format!("line {}: empty pattern or reason", n + 1));
            }
            entries.push((xep, pattern.to_string(), reason.to_string()));
        }
        Ok(Disagreements { entries })
    }

    /// The committed file, parsed.
    pub fn committed() -> &'static Disagreements {
        &KNOWN
    }

    /// The reasons whose pattern occurs in `detail` (`schema STATUS:
    /// MESSAGES`, a schema verdict) for an example of `xep`.
    pub fn reasons(&self, xep: Option<u32>, detail: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (x, pattern, reason) in &self.entries {
            if x.is_none_or(|x| Some(x) == xep)
                && detail.contains(pattern.as_str())
                && !out.contains(reason)
            {
                out.push(reason.clone());
            }
        }
        out
    }

    /// The patterns (with their XEP restriction) that match none of
    /// `details` (pairs of XEP and schema messages of disagreements).
    pub fn stale(&self, details: &[(Option<u32>, String)]) -> Vec<String> {
        self.entries
            .iter()
            .filter(|(x, p, _)| {
                !details
                    .iter()
                    .any(|(xep, d)| x.is_none_or(|x| Some(x) == *xep) && d.contains(p.as_str()))
            })
            .map(|(x, p, _)| match x {
                Some(x) => format!("XEP-{x:04} | {p}"),
                None => p.clone(),
            })
            .collect()
    }
}

/// The namespace of the element a round-trip failure names (`at
/// iq/query/item: ...` in `detail`), found by walking the example's
/// elements by name.
pub fn failure_namespace(ex: &crate::extract::Example, detail: &str) -> Option<String> {
    // The first "at PATH:" whose PATH is a path of names (prose such as
    // "that carries" is skipped).
    let path = detail.match_indices("at ").find_map(|(i, _)| {
        if i > 0 && detail.as_bytes()[i - 1].is_ascii_alphanumeric() {
            return None;
        }
        let rest = &detail[i + 3..];
        let end = rest.find(':')?;
        let p = &rest[..end];
        (!p.is_empty()
            && p.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '/' | '-' | '_' | '.')))
        .then_some(p)
    });
    let Some(path) = path else {
        return detail
            .contains("stream header")
            .then(|| xep_element::ns::STREAM.to_string());
    };
    let names: Vec<&str> = path.split('/').collect();
    // The checker types elements inside unknown wrappers (a BOSH <body/>,
    // say), so the path may start at any depth.
    fn walk<'a>(el: &'a minidom::Element, names: &[&str]) -> Option<&'a minidom::Element> {
        let (first, rest) = names.split_first()?;
        if el.name() != *first {
            return None;
        }
        rest.iter()
            .try_fold(el, |e, n| e.children().find(|c| c.name() == *n))
    }
    fn find<'a>(el: &'a minidom::Element, names: &[&str]) -> Option<&'a minidom::Element> {
        walk(el, names).or_else(|| el.children().find_map(|c| find(c, names)))
    }
    crate::extract::parse_items(ex)
        .iter()
        .find_map(|item| match &item.parsed {
            crate::extract::Parsed::Element(Ok(root)) => find(root, &names).map(|e| e.ns()),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::failure_namespace;
    use crate::extract::Example;

    fn example(text: &str) -> Example {
        Example {
            xep: Some(1),
            index: 1,
            caption: String::new(),
            line: 1,
            body_line: 1,
            text: text.into(),
        }
    }

    #[test]
    fn the_namespace_of_a_failure_is_found_by_its_path() {
        let ex = example(
            "<iq type='result' id='1'><query xmlns='http://jabber.org/protocol/disco#info'><identity/></query></iq>",
        );
        let ns = |d: &str| failure_namespace(&ex, d);
        assert_eq!(
            ns("spec error: an iq that carries <x/> [line 1: at iq/query/identity: missing required attribute 'category']").as_deref(),
            Some("http://jabber.org/protocol/disco#info")
        );
        // Prose before the path ("that carries") is not a path.
        assert_eq!(
            ns("an iq of type 'result' that carries <error/> [line 1: at iq: no]").as_deref(),
            Some("jabber:client")
        );
        assert_eq!(
            ns("round trip changed the element at iq/query: text changed").as_deref(),
            Some("http://jabber.org/protocol/disco#info")
        );
        assert_eq!(
            ns("stream header: expected the stream header").as_deref(),
            Some(xep_element::ns::STREAM)
        );
        assert_eq!(ns("at message: no such element").as_deref(), None);
        // Inside an unknown wrapper.
        let wrapped = example(
            "<body xmlns='http://jabber.org/protocol/httpbind'><success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>AA==</success></body>",
        );
        assert_eq!(
            failure_namespace(&wrapped, "changed the element at success: text").as_deref(),
            Some("urn:ietf:params:xml:ns:xmpp-sasl")
        );
    }
}
