//! Project tasks: `cargo xtask <task>`.
//!
//! - `ci`: what `.ci/run` does (format check, clippy with warnings denied,
//!   the test suite), for running locally.
//! - `bench`: the benchmarks, xep-core beside xmpp-parsers 0.23: speed
//!   (`cargo bench -p xep-check --bench stanzas`) and memory kept per input
//!   byte (`--bench memory`).
//! - `fuzz-gen [--check]`: generate (or check) the fuzz targets of `fuzz/`
//!   from the registry; `fuzz-seed [XEPS_DIR]`: their corpora and
//!   dictionaries from the fixtures, the XEP examples and the state
//!   machines' scripted scenarios; `fuzz-smoke [SECONDS [MACHINE_SECONDS]]`:
//!   run every target for a bounded time, the state machines longer
//!   (needs cargo-fuzz).
//! - `xsd [--check]`: generate (or check) the XML Schemas of `xsd/`, one
//!   per implemented namespace, from the element descriptions.
//! - `facade-check`: `cargo check -p xep` with no feature, with each
//!   feature of `crates/xep/Cargo.toml` alone, and with all.
//! - `doap [--check]`: generate (or check) `doap.xml` (the XSF's
//!   supported-XEP list) and the README's supported-XEP table.
//! - `package-check`: every publishable crate packages (`cargo package
//!   --workspace --no-verify`), builds alone with its default features and
//!   with none, and has no test or tool crate (xep-check, xep-testkit,
//!   proptest, libxml) among its normal dependencies.
//! - `interop [--server prosody|ejabberd] [--scenario NAME] [--json PATH]`:
//!   the interop suite against real servers, installed from Debian's
//!   packages when missing (crates/xep-interop).

use std::process::{Command, ExitCode};

mod doap;
mod fuzz;
mod interop;
mod xsd;

fn run(args: &[&str]) -> bool {
    eprintln!("+ cargo {}", args.join(" "));
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .status()
        .is_ok_and(|s| s.success())
}

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    match task.as_deref() {
        Some("ci") => {
            let steps: [&[&str]; 3] = [
                &["fmt", "--all", "--check"],
                &[
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ],
                &["test", "--workspace"],
            ];
            if steps.iter().all(|s| run(s)) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Some("bench") => {
            let ok = run(&["bench", "-p", "xep-check", "--bench", "stanzas"])
                && run(&["bench", "-p", "xep-check", "--bench", "memory"])
                && run(&["bench", "-p", "xep-check", "--bench", "scaling"]);
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Some("fuzz-gen") => ok(fuzz::gen_task(
            std::env::args().nth(2).as_deref() == Some("--check"),
        )),
        Some("facade-check") => ok(facade_check()),
        Some("package-check") => ok(package_check()),
        Some("doap") => ok(doap::task(
            std::env::args().nth(2).as_deref() == Some("--check"),
        )),
        Some("xsd") => ok(xsd::task(
            std::env::args().nth(2).as_deref() == Some("--check"),
        )),
        Some("interop") => ok(interop::task(&std::env::args().skip(2).collect::<Vec<_>>())),
        Some("fuzz-seed") => ok(fuzz::seed_task(std::env::args().nth(2).map(Into::into))),
        Some("fuzz-smoke") => ok(fuzz::smoke_task(
            std::env::args()
                .nth(2)
                .and_then(|s| s.parse().ok())
                .unwrap_or(10),
            std::env::args().nth(3).and_then(|s| s.parse().ok()),
        )),
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\ntasks:\n  ci     format check, clippy -D warnings, tests\n  bench  speed and memory benchmarks beside xmpp-parsers\n  fuzz-gen [--check]  generate the fuzz targets\n  fuzz-seed [DIR]  fuzz corpora and dictionaries\n  fuzz-smoke [SECS [MACHINE_SECS]]  run each fuzz target briefly\n  xsd [--check]  generate (or check) the XML Schemas of xsd/\n  facade-check  check the facade crate with each feature alone\n  interop [--server S] [--scenario N] [--json P]  the interop suite against Prosody and ejabberd"
            );
            ExitCode::from(2)
        }
    }
}

fn ok(success: bool) -> ExitCode {
    if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The features of the facade crate, read from its manifest (`[features]`
/// keys but `default`).
fn facade_features() -> Vec<String> {
    let manifest =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/xep/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    let mut out = Vec::new();
    let mut in_features = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') && !line.starts_with("[\"") {
            in_features = line == "[features]";
            continue;
        }
        if !in_features {
            continue;
        }
        if let Some((key, _)) = line.split_once(" = ") {
            let key = key.trim();
            if key != "default"
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                out.push(key.to_string());
            }
        }
    }
    out
}

/// The crates that are not published (`publish = false`).
const UNPUBLISHED: [&str; 2] = ["xtask", "xep-interop"];

/// Crates a protocol crate must not depend on outside dev-dependencies.
const TOOLING: [&str; 4] = ["xep-check", "xep-testkit", "proptest", "libxml"];

/// `package-check`: see the module documentation.
fn package_check() -> bool {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut args = vec![
        "package",
        "--workspace",
        "--no-verify",
        "--allow-dirty",
        "-q",
    ];
    for u in UNPUBLISHED {
        args.extend(["--exclude", u]);
    }
    let mut ok = run(&args);
    let mut crates: Vec<_> = std::fs::read_dir(root.join("crates"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    crates.sort();
    for dir in crates {
        let Ok(manifest) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if manifest.contains("publish = false") {
            continue;
        }
        for field in ["description", "readme", "keywords", "categories"] {
            if !manifest
                .lines()
                .any(|l| l.starts_with(&format!("{field} =")))
            {
                eprintln!("{name}: no `{field}` in its manifest");
                ok = false;
            }
        }
        if !dir.join("README.md").exists() {
            eprintln!("{name}: no README.md");
            ok = false;
        }
        // Normal dependencies: from [dependencies] to the next table.
        let deps = manifest
            .split("\n[")
            .find(|t| t.starts_with("dependencies]"))
            .unwrap_or_default();
        let protocol = !matches!(name, "xep-check" | "xep-testkit" | "xep-schema");
        for t in TOOLING {
            let named = deps
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{t} ")));
            if protocol && named {
                eprintln!("{name}: `{t}` among its normal dependencies");
                ok = false;
            }
        }
        ok &= run(&["check", "-q", "-p", name]);
        if manifest.contains("\n[features]") {
            ok &= run(&["check", "-q", "-p", name, "--no-default-features"]);
        }
    }
    ok
}

/// `facade-check`: the facade compiles with no feature, each feature
/// alone (so that every feature names what it needs) and all of them.
fn facade_check() -> bool {
    let features = facade_features();
    if features.len() < 2 {
        eprintln!("no features found in crates/xep/Cargo.toml");
        return false;
    }
    let base = ["check", "-q", "-p", "xep", "--no-default-features"];
    let mut ok = run(&base);
    for f in &features {
        let mut args = base.to_vec();
        args.extend(["--features", f.as_str()]);
        ok &= run(&args);
    }
    ok && run(&["check", "-q", "-p", "xep", "--all-features"])
}
