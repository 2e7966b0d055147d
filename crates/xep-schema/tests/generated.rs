//! The generated `xsd/` against our own output, with libxml2 (feature
//! `libxml`; compiled out without it): every valid fixture, parsed and
//! serialized again, is valid; an invalid element is not.
#![cfg(feature = "libxml")]

use std::path::{Path, PathBuf};

use libxml::parser::{Parser, ParserOptions};
use libxml::schemas::{SchemaParserContext, SchemaValidationContext};
use xep_element::xml::{NsContext, XmlReader};

/// A fixture's element, with the strict reader.
fn parse(text: &str) -> Result<xep_element::minidom::Element, xep_element::Error> {
    let ctx = NsContext::default();
    let mut r = XmlReader::with_context(text.as_bytes(), &ctx);
    r.root()?;
    let el = xep_element::Source::capture(&mut r)?;
    r.finish()?;
    Ok(el)
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
    let registry = xep::registry();
    let files = fixtures();
    assert!(files.len() >= 10, "only {} fixtures", files.len());
    let mut problems = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let dom = parse(&text).unwrap_or_else(|e| panic!("{}: {e:?}", f.display()));
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
