//! Runs `fixtures/<crate>/{valid,invalid}` (see fixtures/README.md).

use std::path::Path;

use xep_element::XmlElement;

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|x| x == "xml"));
    v.sort();
    v
}

/// Parses a fixture through the registry (bytes path), round-trips it.
fn check(registry: &xep_element::Registry, bytes: &[u8]) -> Result<(), String> {
    let dom: minidom::Element = xep_check::extract::parse_item(
        std::str::from_utf8(bytes).map_err(|e| e.to_string())?,
        &xep_element::xml::NsContext::default(),
    )
    .map_err(|f| format!("line {}, column {}: {}", f.line, f.column, f.reason))?;
    if ["iq", "message", "presence"].contains(&dom.name()) {
        // Typed straight from bytes, the hot path.
        xep_core::Stanza::from_xml_with(bytes, registry).map_err(|e| e.to_string())?;
    }
    xep_check::round_trip(registry, &dom).map(|_| ())
}

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let registry = xep_check::registry();
    let mut seen = 0;
    let mut problems = Vec::new();
    for krate in std::fs::read_dir(&root)
        .expect("fixtures dir")
        .filter_map(|e| e.ok())
    {
        let dir = krate.path();
        for f in files(&dir.join("valid")) {
            seen += 1;
            if let Err(e) = check(&registry, &std::fs::read(&f).unwrap()) {
                problems.push(format!("{}: should pass: {e}", f.display()));
            }
        }
        for f in files(&dir.join("invalid")) {
            seen += 1;
            let expected = std::fs::read_to_string(f.with_extension("expected"))
                .unwrap_or_else(|_| panic!("{} needs a .expected file", f.display()));
            match check(&registry, &std::fs::read(&f).unwrap()) {
                Ok(()) => {
                    problems.push(format!("{}: accepted, expected {expected:?}", f.display()))
                }
                Err(e) if !e.contains(expected.trim()) => problems.push(format!(
                    "{}: error {e:?} does not contain {:?}",
                    f.display(),
                    expected.trim()
                )),
                Err(_) => {}
            }
        }
    }
    assert!(seen >= 10, "only {seen} fixtures found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
