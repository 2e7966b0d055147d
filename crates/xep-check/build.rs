//! Copies the workspace's `xsd/disagreements.txt` (the triage of the
//! XEPs' schemas, kept beside the generated schemas) into `OUT_DIR` for
//! `include_str!`: a packaged crate cannot reach outside its directory,
//! and there the triage is empty (every disagreement is reported as
//! untriaged).

use std::path::Path;

fn main() {
    let src = Path::new("../../xsd/disagreements.txt");
    println!("cargo::rerun-if-changed=../../xsd/disagreements.txt");
    let text = std::fs::read_to_string(src).unwrap_or_default();
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(Path::new(&out).join("disagreements.txt"), text).expect("OUT_DIR is writable");
}
