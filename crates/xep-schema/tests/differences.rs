//! `xep-check schema-diff` over `../shared/xeps` (read at run time;
//! skipped with a notice when absent), in plain Rust: every difference
//! between the model and the XEPs' schemas is recorded with a reason in
//! `xsd/differences.txt`, and no entry there is stale.

use std::path::{Path, PathBuf};

use xep_schema::Corpus;

fn xeps_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/xeps");
    if d.join("xep-0199.xml").exists() {
        Some(d)
    } else {
        eprintln!("skipped: no XEP sources at {}", d.display());
        None
    }
}

/// `xep-check schema-diff` over `../shared/xeps`: every difference between
/// the model and the XEPs' schemas is recorded with a reason in
/// `xsd/differences.txt`, and no entry there is stale.
#[test]
fn every_model_vs_schema_difference_is_recorded() {
    use xep_schema::diff;
    let Some(dir) = xeps_dir() else { return };
    let corpus = Corpus::from_dir(&dir).unwrap();
    let diffs = diff::compare_all(&xep::registry(), &corpus);
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
    let skipped = diff::not_compared(&xep::registry(), &corpus);
    assert!(
        skipped
            .iter()
            .any(|s| s.starts_with("urn:ietf:params:xml:ns:xmpp-sasl: only XEP-0192")),
        "{skipped:?}"
    );
}
