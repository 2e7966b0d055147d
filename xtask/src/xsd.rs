//! `cargo xtask xsd [--check]`: the XML Schemas of `xsd/`, one per
//! implemented namespace, generated from the element descriptions the
//! derive emits (see `xep_schema::generate`). `--check` writes
//! nothing and fails, listing the files, when the committed schemas differ
//! from what would be generated (or a generated file is missing, or an
//! `.xsd` file no longer corresponds to a namespace).

use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../xsd")
}

/// `xsd [--check]`.
pub fn task(check: bool) -> bool {
    let dir = dir();
    let files = xep_schema::generate::generate(&xep::registry());
    let mut drift = Vec::new();
    for f in &files {
        let path = dir.join(&f.file);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == f.text {
            continue;
        }
        if check {
            drift.push(format!("xsd/{}", f.file));
        } else {
            let _ = std::fs::create_dir_all(&dir);
            if let Err(e) = std::fs::write(&path, &f.text) {
                eprintln!("{}: {e}", path.display());
                return false;
            }
            eprintln!("wrote xsd/{}", f.file);
        }
    }
    // Schemas of namespaces no longer implemented.
    for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.ends_with(".xsd") && !files.iter().any(|f| f.file == name) {
            if check {
                drift.push(format!("xsd/{name} (stale)"));
            } else if let Err(err) = std::fs::remove_file(e.path()) {
                eprintln!("xsd/{name}: {err}");
                return false;
            } else {
                eprintln!("removed xsd/{name}");
            }
        }
    }
    if !drift.is_empty() {
        eprintln!(
            "xsd/ is out of date (run `cargo xtask xsd`):\n  {}",
            drift.join("\n  ")
        );
        return false;
    }
    if check {
        eprintln!("xsd/: {} files up to date", files.len());
    }
    true
}
