//! The schema side of the checker (feature `libxml`; compiled out
//! without it): schemas extracted from XEP documents (read from
//! `../shared/xeps` at run time; skipped with a notice when absent)
//! compile, an example that violates one, and every disagreement between
//! the round trip and the XEPs' schemas triaged.
#![cfg(feature = "libxml")]

use std::path::{Path, PathBuf};

use xep_check::SchemaStatus;
use xep_check::extract::Example;
use xep_check::schema::validate_example;
use xep_schema::Corpus;
use xep_schema::extract::extract_schemas;

fn xeps_dir() -> Option<PathBuf> {
    let d = xep_check::default_xeps_dir();
    if d.join("xep-0199.xml").exists() {
        Some(d)
    } else {
        eprintln!("skipped: no XEP sources at {}", d.display());
        None
    }
}

fn corpus(dir: &Path, xeps: &[u32]) -> Corpus {
    let docs: Vec<(u32, String)> = xeps
        .iter()
        .map(|x| {
            let text = std::fs::read_to_string(dir.join(format!("xep-{x:04}.xml"))).unwrap();
            (*x, text)
        })
        .collect();
    Corpus::from_documents(docs.iter().map(|(x, t)| (*x, t.as_str())))
}

fn example(xep: u32, text: &str) -> Example {
    Example {
        xep: Some(xep),
        index: 1,
        caption: "own example".into(),
        line: 10,
        body_line: 10,
        text: text.into(),
        unresolved: Vec::new(),
    }
}

#[test]
fn schemas_extracted_from_a_xep_document_compile() {
    let Some(dir) = xeps_dir() else { return };
    let doc = std::fs::read_to_string(dir.join("xep-0030.xml")).unwrap();
    let schemas = extract_schemas(&doc, Some(30));
    let nss: Vec<&str> = schemas.iter().map(|s| s.target_ns.as_str()).collect();
    assert_eq!(
        nss,
        [
            "http://jabber.org/protocol/disco#info",
            "http://jabber.org/protocol/disco#items"
        ]
    );
    for s in &schemas {
        // The line is the schema's start tag in the document.
        let line = doc.lines().nth(s.line - 1).unwrap();
        assert!(line.contains("schema"), "line {}: {line}", s.line);
    }
    let c = corpus(&dir, &[4, 30, 199]);
    for s in &schemas {
        assert_eq!(c.compile_errors(s), None, "{}", s.target_ns);
    }
    // XEP-0004's schema imports the XML namespace: resolved locally.
    let xdata = c.preferred("jabber:x:data").expect("XEP-0004 schema");
    assert_eq!(xdata.xep, Some(4));
    assert_eq!(c.compile_errors(xdata), None);
}

#[test]
fn an_example_that_violates_the_schema() {
    let Some(dir) = xeps_dir() else { return };
    let c = corpus(&dir, &[30, 199]);
    // Our own stanzas, not the XEPs' examples.
    let ok = validate_example(
        &c,
        &example(
            199,
            "<iq to='a.example' id='p1' type='get'>\n  <ping xmlns='urn:xmpp:ping'/>\n</iq>",
        ),
    );
    assert_eq!(ok.status, SchemaStatus::Valid, "{ok:?}");
    assert_eq!(ok.schemas, ["urn:xmpp:ping"]);
    let bad = validate_example(
        &c,
        &example(
            199,
            "<iq to='a.example' id='p2' type='get'>\n  <ping xmlns='urn:xmpp:ping'>\n    <pong/>\n  </ping>\n</iq>",
        ),
    );
    assert_eq!(bad.status, SchemaStatus::Invalid, "{bad:?}");
    // The message names the element; the line is the document's.
    assert!(bad.detail.contains("ping"), "{}", bad.detail);
    assert_eq!(bad.line, Some(11), "{bad:?}");
    // disco#info: an identity without its required category.
    let bad = validate_example(
        &c,
        &example(
            30,
            "<iq id='d1' type='result'><query xmlns='http://jabber.org/protocol/disco#info'><identity type='pc'/></query></iq>",
        ),
    );
    assert_eq!(bad.status, SchemaStatus::Invalid, "{bad:?}");
    assert!(bad.detail.contains("category"), "{}", bad.detail);
    // No XEP schema for a namespace: no verdict.
    let none = validate_example(
        &c,
        &example(30, "<message to='a.example'><body>hi</body></message>"),
    );
    assert_eq!(none.status, SchemaStatus::NoSchema, "{none:?}");
}

/// `xep-check --schema` over `../shared/xeps`: every disagreement between
/// the round trip and the XEPs' schemas is triaged in
/// `xsd/disagreements.txt`, and no line there is stale.
#[test]
fn every_disagreement_is_triaged() {
    use xep_check::schema::Disagreements;
    use xep_check::{Checker, Expectations};
    let Some(dir) = xeps_dir() else { return };
    let exp = std::fs::read_to_string(xep_check::default_expectations_path()).unwrap();
    let checker = Checker::new(Expectations::parse(&exp).unwrap());
    let corpus = Corpus::from_dir(&dir).unwrap();
    let mut new = Vec::new();
    let mut details = Vec::new();
    for f in xep_check::collect_inputs(std::slice::from_ref(&dir)).unwrap() {
        let text = std::fs::read_to_string(&f).unwrap();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let xep = xep_check::extract::xep_number_from_path(&f);
        let entities = xep_check::extract::Entities::beside(&text, Some(&dir));
        let examples = xep_check::extract::extract_examples_with(&text, xep, &entities);
        let mut res = checker.check_examples(&name, &examples);
        xep_check::schema::annotate(&corpus, &examples, &mut res);
        for r in res.iter().filter(|r| r.disagree()) {
            let v = r.schema.as_ref().unwrap();
            details.push((xep, format!("schema {}: {}", v.status, v.detail)));
            if v.known.is_empty() {
                new.push(format!(
                    "{name} example {} (line {}): {}",
                    r.index, r.line, v.detail
                ));
            }
        }
    }
    assert!(
        !details.is_empty(),
        "the corpus has disagreements to triage"
    );
    assert!(
        new.is_empty(),
        "triage these in xsd/disagreements.txt:\n{}",
        new.join("\n")
    );
    let stale = Disagreements::committed().stale(&details);
    assert!(
        stale.is_empty(),
        "stale lines in xsd/disagreements.txt: {stale:?}"
    );
}
