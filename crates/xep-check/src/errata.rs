//! `xep-check errata`: the spec errors the project has found, per XEP, as
//! a Markdown report an editor can act on: each expectation marked as a
//! spec error (`crates/xep-check/expectations.txt`), with the example's
//! caption and line, each example that is not well-formed XML (where
//! content is not merely elided), and each schema disagreement triaged as
//! a spec or example error (`xsd/disagreements.txt`) for that XEP.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::extract::Example;
use crate::report::Expectations;
use crate::schema::Disagreements;

/// Whether a reason names an error of the document (its example, its
/// schema or its text) rather than an older protocol or a limit of the
/// checker.
fn is_spec_error(reason: &str) -> bool {
    let r = reason.trim_start().to_ascii_lowercase();
    r.starts_with("spec error") || r.starts_with("example error")
}

/// The report for the examples of the documents given (each document's
/// examples, with its XEP number), from the expectations and the triaged
/// disagreements. XEPs with nothing to report are left out.
pub fn report(
    documents: &[(u32, Vec<Example>)],
    expectations: &Expectations,
    disagreements: &Disagreements,
) -> String {
    let checker = crate::Checker::new(Expectations::default());
    let mut by_xep: BTreeMap<u32, Vec<(usize, String)>> = BTreeMap::new();
    for (xep, examples) in documents {
        let items = by_xep.entry(*xep).or_default();
        for r in checker.check_examples("", examples) {
            let listed = expectations.lookup(*xep, r.index).is_some();
            if r.status == crate::Status::NotXml && !listed {
                let item = format!(
                    "- Example {} (line {}, \"{}\"): not well-formed XML: {}",
                    r.index,
                    r.line,
                    r.caption.trim(),
                    r.detail
                );
                items.push((r.index, item));
            }
        }
        for ((x, index), reason) in expectations.entries() {
            if x != *xep || !is_spec_error(reason) {
                continue;
            }
            let item = match examples.iter().find(|e| e.index == index) {
                Some(e) => format!(
                    "- Example {index} (line {}, \"{}\"): {}",
                    e.line,
                    e.caption.trim(),
                    reason.trim()
                ),
                None => format!("- Example {index}: {}", reason.trim()),
            };
            items.push((index, item));
        }
        for (x, pattern, reason) in disagreements.entries() {
            if x == Some(*xep) && is_spec_error(reason) {
                let item = format!(
                    "- Its schema against its examples (libxml2: `{}`): {}",
                    pattern.trim(),
                    reason.trim()
                );
                items.push((usize::MAX, item));
            }
        }
    }
    let mut out = String::from(
        "# Errata found by xep-check\n\n\
         Each item is an example or a schema of the XEP breaking a rule of the\n\
         XEP itself or of the specification it cites, as triaged in the\n\
         project's expectations and schema disagreements.\n",
    );
    let mut total = 0;
    for (xep, items) in &by_xep {
        if items.is_empty() {
            continue;
        }
        total += items.len();
        let _ = write!(out, "\n## XEP-{xep:04}\n\n");
        let mut items = items.clone();
        items.sort_by_key(|(k, _)| *k);
        for (_, i) in items {
            let _ = writeln!(out, "{i}");
        }
    }
    let _ = write!(
        out,
        "\n{total} errata in {} documents.\n",
        by_xep.values().filter(|i| !i.is_empty()).count()
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Entities, extract_examples_with};

    #[test]
    fn spec_errors_are_listed_with_caption_and_line_and_nothing_else() {
        let doc = "<xep>\n<example caption='An iq without id'><![CDATA[<iq type='get'/>]]></example>\n\
                   <example caption='Legacy'><![CDATA[<iq type='ask' id='a'/>]]></example>\n\
                   <example caption='Broken'><![CDATA[<message><body>x</message>]]></example>\n</xep>";
        let examples = extract_examples_with(doc, Some(9999), &Entities::default());
        let exp = Expectations::parse(
            "XEP-9999 | #1 | spec error: an iq without 'id', which RFC 6120 §8.1.3 requires\n\
             XEP-9999 | #2 | an iq of type 'ask', a protocol of a Rejected proposal\n",
        )
        .unwrap();
        let dis = Disagreements::parse(
            "XEP-9999 | Element 'x': missing | Spec error: its schema forgets <x/>.\n\
             XEP-9999 | Element 'y': bad | Model: the model is stricter.\n",
        )
        .unwrap();
        let r = report(&[(9999, examples)], &exp, &dis);
        assert!(
            r.contains("## XEP-9999\n\n- Example 1 (line 2, \"An iq without id\"): spec error: an iq without 'id'"),
            "{r}"
        );
        assert!(
            r.contains("(libxml2: `Element 'x': missing`): Spec error: its schema forgets <x/>."),
            "{r}"
        );
        assert!(
            !r.contains("Rejected proposal") && !r.contains("stricter"),
            "{r}"
        );
        assert!(
            r.contains("- Example 3 (line 4, \"Broken\"): not well-formed XML: line 4, column"),
            "{r}"
        );
        assert!(r.ends_with("3 errata in 1 documents.\n"), "{r}");
        // A XEP with nothing to report has no section.
        assert!(!report(&[(1, Vec::new())], &exp, &dis).contains("## XEP-0001"));
    }
}
