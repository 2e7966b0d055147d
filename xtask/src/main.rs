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

use std::process::{Command, ExitCode};

mod fuzz;
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
                && run(&["bench", "-p", "xep-check", "--bench", "memory"]);
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Some("fuzz-gen") => ok(fuzz::gen_task(
            std::env::args().nth(2).as_deref() == Some("--check"),
        )),
        Some("xsd") => ok(xsd::task(
            std::env::args().nth(2).as_deref() == Some("--check"),
        )),
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
                "usage: cargo xtask <task>\n\ntasks:\n  ci     format check, clippy -D warnings, tests\n  bench  speed and memory benchmarks beside xmpp-parsers\n  fuzz-gen [--check]  generate the fuzz targets\n  fuzz-seed [DIR]  fuzz corpora and dictionaries\n  fuzz-smoke [SECS [MACHINE_SECS]]  run each fuzz target briefly\n  xsd [--check]  generate (or check) the XML Schemas of xsd/"
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
