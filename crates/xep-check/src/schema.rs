//! The checker's side of the XEPs' schemas ([`xep_schema`]): the verdict
//! of each example against them (feature `libxml`), the disagreements
//! between that verdict and the round trip, triaged in
//! `xsd/disagreements.txt`, and the per-XEP summary of `--schema`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use xep_schema::diff::{Difference, Recorded};

use crate::report::{ExampleResult, SchemaStatus};
#[cfg(feature = "libxml")]
use crate::report::{SchemaVerdict, Status};

/// Validates one example against the XEPs' schemas of `corpus` (see
/// `xep_schema::validate`): its items as the checker splits them, each
/// element in the namespaces it is read in. `implemented` says whether the
/// project implements a namespace.
#[cfg(feature = "libxml")]
pub fn validate_example_with(
    corpus: &xep_schema::Corpus,
    ex: &crate::extract::Example,
    implemented: &dyn Fn(&str) -> bool,
) -> SchemaVerdict {
    use crate::extract::Parsed;
    use xep_schema::validate::Item;
    let items = crate::extract::parse_items(ex);
    let inputs: Vec<Item<'_>> = items
        .iter()
        .filter_map(|i| match &i.parsed {
            Parsed::Element(Ok(el)) => Some(Item::Element {
                xml: &i.xml,
                line: i.line,
                context: &i.context,
                elided: crate::extract::element_has_placeholder(el),
            }),
            Parsed::Element(Err(_)) => Some(Item::NotXml),
            Parsed::Header(_) | Parsed::Close => None,
        })
        .collect();
    corpus.validate_items(ex.xep, &inputs, implemented)
}

/// [`validate_example_with`], without telling implemented namespaces apart.
#[cfg(feature = "libxml")]
pub fn validate_example(
    corpus: &xep_schema::Corpus,
    ex: &crate::extract::Example,
) -> SchemaVerdict {
    validate_example_with(corpus, ex, &|_| false)
}

/// Adds the schema verdict to the results of one document's `examples` (as
/// returned by [`crate::Checker::check_examples`] for them).
/// A failing example is compared with the schema verdict only when its
/// failure lies in an element some XEP schema covered: an iq without `id`
/// fails in `jabber:client`, which no XEP schema describes, so a payload
/// the schema finds valid is no disagreement.
#[cfg(feature = "libxml")]
pub fn annotate(
    corpus: &xep_schema::Corpus,
    examples: &[crate::extract::Example],
    results: &mut [ExampleResult],
) {
    let registry = crate::registry();
    let implemented = |ns: &str| registry.knows_namespace(ns);
    for r in results.iter_mut() {
        let Some(ex) = examples.iter().find(|e| e.index == r.index) else {
            continue;
        };
        let mut v = validate_example_with(corpus, ex, &implemented);
        let xep = ex.xep;
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
    Disagreements::parse(include_str!(concat!(env!("OUT_DIR"), "/disagreements.txt")))
        .expect("xsd/disagreements.txt is well-formed (tested)")
});

/// Triaged disagreements between the round trip and the XEPs' schemas
/// (`xsd/disagreements.txt`): each line is `[XEP-NNNN | ]pattern |
/// reason` ([`xep_schema::triage`]), where the pattern is a piece of
/// libxml2's message and the optional XEP restricts it to that document's
/// examples.
#[derive(Debug, Clone, Default)]
pub struct Disagreements {
    entries: Vec<(Option<u32>, String, String)>,
}

impl Disagreements {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let entries = xep_schema::triage::parse(text)?
            .into_iter()
            .map(|e| (e.xep, e.key, e.reason))
            .collect();
        Ok(Disagreements { entries })
    }

    /// Every entry: its XEP restriction, pattern and reason.
    pub fn entries(&self) -> impl Iterator<Item = (Option<u32>, &str, &str)> {
        self.entries
            .iter()
            .map(|(x, p, r)| (*x, p.as_str(), r.as_str()))
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

/// The per-XEP summary of `xep-check --schema`: examples valid / invalid
/// against the XEPs' schemas, disagreements with the round trip, and the
/// model-vs-schema differences of the namespaces whose schema the XEP
/// defines. Rows: the XEPs defining an implemented namespace (`defining`),
/// every document with `all`; the totals count every document.
pub fn summary(
    results: &[ExampleResult],
    diffs: &[Difference],
    rec: &Recorded,
    defining: &[u32],
    all: bool,
) -> String {
    #[derive(Default)]
    struct Row {
        counts: [usize; 6],
        disagree: usize,
        diffs: usize,
        unrecorded: usize,
        implemented: bool,
    }
    let mut rows: BTreeMap<Option<u32>, Row> = BTreeMap::new();
    for r in results {
        let row = rows.entry(r.xep).or_default();
        row.implemented |= all || r.xep.is_some_and(|x| defining.contains(&x));
        if let Some(v) = &r.schema {
            let i = SchemaStatus::ALL
                .iter()
                .position(|s| *s == v.status)
                .unwrap_or(0);
            row.counts[i] += 1;
        }
        if r.disagree() {
            row.disagree += 1;
        }
    }
    for d in diffs {
        if rows.contains_key(&d.xep) {
            let row = rows.entry(d.xep).or_default();
            row.diffs += 1;
            if rec.reason(d).is_none() {
                row.unrecorded += 1;
            }
        }
    }
    let mut out = String::from("\nagainst the XEPs' schemas\n");
    let _ = writeln!(
        out,
        "{:<12} {:>6} {:>8} {:>7} {:>13} {:>8} {:>10} {:>9} {:>12} {:>11}",
        "document",
        "valid",
        "invalid",
        "elided",
        "schema-error",
        "not-xml",
        "no-schema",
        "disagree",
        "differences",
        "unrecorded"
    );
    let mut total = Row::default();
    for (xep, row) in &rows {
        for (t, n) in total.counts.iter_mut().zip(row.counts) {
            *t += n;
        }
        total.disagree += row.disagree;
        total.diffs += row.diffs;
        total.unrecorded += row.unrecorded;
        if !row.implemented {
            continue;
        }
        let name = xep.map_or("-".to_string(), |x| format!("XEP-{x:04}"));
        let c = row.counts;
        let _ = writeln!(
            out,
            "{name:<12} {:>6} {:>8} {:>7} {:>13} {:>8} {:>10} {:>9} {:>12} {:>11}",
            c[0], c[1], c[2], c[3], c[4], c[5], row.disagree, row.diffs, row.unrecorded
        );
    }
    let c = total.counts;
    let _ = writeln!(
        out,
        "{:<12} {:>6} {:>8} {:>7} {:>13} {:>8} {:>10} {:>9} {:>12} {:>11}",
        "total", c[0], c[1], c[2], c[3], c[4], c[5], total.disagree, total.diffs, total.unrecorded
    );
    out
}

#[cfg(test)]
mod tests {
    use super::{Disagreements, failure_namespace};
    use crate::extract::Example;

    fn example(text: &str) -> Example {
        Example {
            xep: Some(1),
            index: 1,
            caption: String::new(),
            line: 1,
            body_line: 1,
            text: text.into(),
            unresolved: Vec::new(),
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

    #[test]
    fn disagreement_lines_are_checked() {
        let d =
            Disagreements::parse("# c\n\nXEP-0030 | Missing child | why\nnot expected | because\n")
                .unwrap();
        assert_eq!(
            d.reasons(Some(30), "schema invalid: x Missing child y"),
            ["why"]
        );
        assert!(
            d.reasons(Some(31), "schema invalid: x Missing child y")
                .is_empty()
        );
        assert_eq!(d.reasons(None, "a not expected b"), ["because"]);
        assert_eq!(
            d.stale(&[(Some(30), "Missing child".into())]),
            ["not expected"]
        );
        for bad in [
            "only a pattern",
            "XEP-12x | p | r",
            " | reason",
            "a | b | c | d",
        ] {
            assert!(Disagreements::parse(bad).is_err(), "{bad}");
        }
    }
}
