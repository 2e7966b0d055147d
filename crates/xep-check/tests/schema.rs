//! The schema side of the checker: schemas extracted from XEP documents
//! (read from `../shared/xeps` at run time; skipped with a notice when
//! absent), an example that violates one, and the generated `xsd/`
//! validating our own serialized output for every valid fixture.

use std::path::{Path, PathBuf};

use libxml::parser::{Parser, ParserOptions};
use libxml::schemas::{SchemaParserContext, SchemaValidationContext};
use xep_check::SchemaStatus;
use xep_check::extract::Example;
use xep_check::schema::extract::extract_schemas;
use xep_check::schema::validate::Corpus;

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
    let ok = c.validate_example(&example(
        199,
        "<iq to='a.example' id='p1' type='get'>\n  <ping xmlns='urn:xmpp:ping'/>\n</iq>",
    ));
    assert_eq!(ok.status, SchemaStatus::Valid, "{ok:?}");
    assert_eq!(ok.schemas, ["urn:xmpp:ping"]);
    let bad = c.validate_example(&example(
        199,
        "<iq to='a.example' id='p2' type='get'>\n  <ping xmlns='urn:xmpp:ping'>\n    <pong/>\n  </ping>\n</iq>",
    ));
    assert_eq!(bad.status, SchemaStatus::Invalid, "{bad:?}");
    // The message names the element; the line is the document's.
    assert!(bad.detail.contains("ping"), "{}", bad.detail);
    assert_eq!(bad.line, Some(11), "{bad:?}");
    // disco#info: an identity without its required category.
    let bad = c.validate_example(&example(
        30,
        "<iq id='d1' type='result'><query xmlns='http://jabber.org/protocol/disco#info'><identity type='pc'/></query></iq>",
    ));
    assert_eq!(bad.status, SchemaStatus::Invalid, "{bad:?}");
    assert!(bad.detail.contains("category"), "{}", bad.detail);
    // No XEP schema for a namespace: no verdict.
    let none = c.validate_example(&example(
        30,
        "<message to='a.example'><body>hi</body></message>",
    ));
    assert_eq!(none.status, SchemaStatus::NoSchema, "{none:?}");
}

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut out = Vec::new();
    for krate in std::fs::read_dir(&root).expect("fixtures dir").flatten() {
        for f in std::fs::read_dir(krate.path().join("valid"))
            .into_iter()
            .flatten()
            .flatten()
        {
            if f.path().extension().is_some_and(|x| x == "xml") {
                out.push(f.path());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn generated_schemas_validate_our_serialized_fixtures() {
    let index = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../xsd/index.xsd");
    let mut parser = SchemaParserContext::from_file(&index.to_string_lossy());
    let mut ctx = match SchemaValidationContext::from_parser(&mut parser) {
        Ok(c) => c,
        Err(e) => panic!(
            "xsd/index.xsd does not compile: {:?}",
            e.iter()
                .map(|e| (&e.filename, e.line, &e.message))
                .collect::<Vec<_>>()
        ),
    };
    let registry = xep_check::registry();
    let files = fixtures();
    assert!(files.len() >= 10, "only {} fixtures", files.len());
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let dom = xep_check::extract::parse_item(&text, &xep_element::xml::NsContext::default())
            .unwrap_or_else(|e| panic!("{}: {e:?}", f.display()));
        let Some(typed) = registry.parse_dom(&dom).unwrap() else {
            continue;
        };
        let mut w = xep_element::XmlWriter::with_default_ns("");
        typed.write_xml(&mut w);
        let bytes = w.into_bytes();
        let opts = ParserOptions {
            recover: false,
            no_net: true,
            ..ParserOptions::default()
        };
        let doc = Parser::default()
            .parse_string_with_options(&bytes, opts)
            .unwrap_or_else(|_| panic!("{}: libxml2 does not parse our output", f.display()));
        if let Err(errors) = ctx.validate_document(&doc) {
            problems.push(format!(
                "{}: {}\n  {}",
                f.display(),
                errors
                    .iter()
                    .map(|e| e.message.as_deref().unwrap_or("").trim().to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
                String::from_utf8_lossy(&bytes)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn an_invalid_element_is_rejected_by_the_generated_schemas() {
    let index = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../xsd/index.xsd");
    let mut parser = SchemaParserContext::from_file(&index.to_string_lossy());
    let mut ctx = SchemaValidationContext::from_parser(&mut parser).expect("index.xsd compiles");
    let doc = Parser::default()
        .parse_string(
            "<iq xmlns='jabber:client' id='1' type='fetch'><ping xmlns='urn:xmpp:ping'/></iq>",
        )
        .unwrap();
    let errors = ctx
        .validate_document(&doc)
        .expect_err("type='fetch' is not an iq type");
    assert!(
        errors
            .iter()
            .any(|e| e.message.as_deref().unwrap_or("").contains("fetch")),
        "{errors:?}"
    );
}

/// `xep-check schema-diff` over `../shared/xeps`: every difference between
/// the model and the XEPs' schemas is recorded with a reason in
/// `xsd/differences.txt`, and no entry there is stale.
#[test]
fn every_model_vs_schema_difference_is_recorded() {
    use xep_check::schema::diff;
    let Some(dir) = xeps_dir() else { return };
    let corpus = Corpus::from_dir(&dir).unwrap();
    let diffs = diff::compare_all(&xep_check::registry(), &corpus);
    let recorded = diff::Recorded::load(&diff::default_differences_path()).unwrap();
    let unrecorded: Vec<String> = diffs
        .iter()
        .filter(|d| recorded.reason(d).is_none())
        .map(|d| format!("{}  # {}", d.key(), d.detail))
        .collect();
    assert!(
        unrecorded.is_empty(),
        "fix the model or record a reason in xsd/differences.txt:\n{}",
        unrecorded.join("\n")
    );
    let stale = recorded.stale(&diffs);
    assert!(
        stale.is_empty(),
        "stale entries in xsd/differences.txt: {stale:?}"
    );
    // The RFC namespaces are not compared with XEP-0192's obsolete schema.
    let skipped = diff::not_compared(&xep_check::registry(), &corpus);
    assert!(
        skipped
            .iter()
            .any(|s| s.starts_with("urn:ietf:params:xml:ns:xmpp-sasl: only XEP-0192")),
        "{skipped:?}"
    );
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
        let mut res = checker.check_document(&name, &text, None);
        xep_check::schema::annotate(&corpus, &text, xep, &mut res);
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

#[test]
fn disagreement_lines_are_checked() {
    use xep_check::schema::Disagreements;
    let d = Disagreements::parse("# c\n\nXEP-0030 | Missing child | why\nnot expected | because\n")
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
