//! `xep-check --html DIR`: a static report, one page per document with
//! each example (its text, the line at fault marked), its verdict and its
//! detail, and an index page with the per-document table.

use std::fmt::Write as _;
use std::path::Path;

use crate::extract::Example;
use crate::report::{ExampleResult, Status};

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}\
td:first-child,th:first-child{text-align:left}pre{background:#f6f6f6;padding:.8em;overflow-x:auto}\
mark{background:#ffd7d7}.pass{color:#176b1f}.fail{color:#b00020;font-weight:bold}\
.not-xml{color:#a35a00}.expected-fail{color:#6b4fa0}.unsupported,.elided{color:#777}\
section{border-top:1px solid #ddd;margin-top:1.5em}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{}</title>\
         <style>{STYLE}</style></head><body>\n{body}</body></html>\n",
        esc(title)
    )
}

/// The file name of a document's page.
pub fn page_name(document: &str) -> String {
    let stem = document.strip_suffix(".xml").unwrap_or(document);
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.html")
}

/// One document's page: its examples with their text, verdict and detail.
pub fn document_page(document: &str, examples: &[Example], results: &[ExampleResult]) -> String {
    let mut body = format!(
        "<p><a href='index.html'>All documents</a></p><h1>{}</h1>\n",
        esc(document)
    );
    for r in results {
        let ex = examples.iter().find(|e| e.index == r.index);
        let _ = write!(
            body,
            "<section id='example-{}'><h2>Example {} <small>(line {})</small>: {}</h2>\
             <p>Verdict: <span class='{}'>{}</span></p>",
            r.index,
            r.index,
            r.line,
            esc(r.caption.trim()),
            r.status.as_str(),
            r.status.as_str()
        );
        if let Some((line, column)) = r.fault {
            let _ = write!(body, "<p>At line {line}, column {column}.</p>");
        }
        if !r.detail.is_empty() {
            let _ = write!(body, "<p>{}</p>", esc(&r.detail));
        }
        if let Some(ex) = ex {
            body.push_str("<pre>");
            for (i, text) in ex.text.lines().enumerate() {
                let line = ex.body_line + i;
                if r.fault.is_some_and(|(l, _)| l == line) {
                    let _ = writeln!(body, "<mark>{}</mark>", esc(text));
                } else {
                    let _ = writeln!(body, "{}", esc(text));
                }
            }
            body.push_str("</pre>");
        }
        body.push_str("</section>\n");
    }
    page(document, &body)
}

/// The index: a row per document, counts per verdict, and totals.
pub fn index_page(documents: &[(String, Vec<ExampleResult>)]) -> String {
    let mut body =
        String::from("<h1>xep-check: the XEP examples</h1>\n<table><tr><th>document</th>");
    for s in Status::ALL {
        let _ = write!(body, "<th>{}</th>", s.as_str());
    }
    body.push_str("</tr>\n");
    let mut total = [0usize; 6];
    for (name, results) in documents {
        let mut row = [0usize; 6];
        for r in results {
            if let Some(i) = Status::ALL.iter().position(|s| *s == r.status) {
                row[i] += 1;
                total[i] += 1;
            }
        }
        let _ = write!(
            body,
            "<tr><td><a href='{}'>{}</a></td>",
            esc(&page_name(name)),
            esc(name)
        );
        for (n, s) in row.iter().zip(Status::ALL) {
            let class = if *n > 0 { s.as_str() } else { "" };
            let _ = write!(body, "<td class='{class}'>{n}</td>");
        }
        body.push_str("</tr>\n");
    }
    body.push_str("<tr><th>total</th>");
    for n in total {
        let _ = write!(body, "<th>{n}</th>");
    }
    body.push_str("</tr></table>\n");
    page("xep-check report", &body)
}

/// Writes the index and a page per document into `dir`.
pub fn write(
    dir: &Path,
    documents: &[(String, Vec<Example>, Vec<ExampleResult>)],
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let rows: Vec<(String, Vec<ExampleResult>)> = documents
        .iter()
        .map(|(n, _, r)| (n.clone(), r.clone()))
        .collect();
    std::fs::write(dir.join("index.html"), index_page(&rows))?;
    for (name, examples, results) in documents {
        std::fs::write(
            dir.join(page_name(name)),
            document_page(name, examples, results),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Entities, extract_examples_with};
    use crate::{Checker, Expectations};

    #[test]
    fn pages_show_each_example_its_verdict_and_the_line_at_fault() {
        let doc = "<xep>\n<example caption='Bad &amp; role'><![CDATA[\n<presence>\n  <x xmlns='http://jabber.org/protocol/muc#user'>\n    <item affiliation='member' role='participnt'/>\n  </x>\n</presence>\n]]></example>\n\
                   <example caption='Ping'><![CDATA[<iq type='get' id='p' to='example.org'><ping xmlns='urn:xmpp:ping'/></iq>]]></example>\n</xep>";
        let examples = extract_examples_with(doc, Some(9999), &Entities::default());
        let results =
            Checker::new(Expectations::default()).check_examples("xep-9999.xml", &examples);
        let dir = std::env::temp_dir().join(format!("xep-check-html-{}", std::process::id()));
        write(&dir, &[("xep-9999.xml".into(), examples, results)]).unwrap();
        let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
        assert!(index.contains("<a href='xep-9999.html'>xep-9999.xml</a></td><td class='pass'>1</td><td class='fail'>1</td>"), "{index}");
        let page = std::fs::read_to_string(dir.join("xep-9999.html")).unwrap();
        assert!(
            page.contains("Example 1 <small>(line 2)</small>: Bad &amp; role"),
            "{page}"
        );
        assert!(
            page.contains("Verdict: <span class='fail'>fail</span>"),
            "{page}"
        );
        assert!(page.contains("<p>At line 5, column 32.</p>"), "{page}");
        assert!(page.contains("<mark>    &lt;item affiliation=&#39;member&#39; role=&#39;participnt&#39;/&gt;</mark>"), "{page}");
        assert!(
            page.contains("Verdict: <span class='pass'>pass</span>"),
            "{page}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(page_name("a b/xep.xml"), "a_b_xep.html");
    }
}
