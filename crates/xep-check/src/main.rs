//! `xep-check [--json] [--all] [--expectations FILE] [PATH...]`
//!
//! Checks the examples of XEP source documents (files or directories;
//! default `../shared/xeps`). Exits 1 when an example of an implemented
//! namespace fails and is not listed in the expectations file.

use std::path::PathBuf;
use std::process::ExitCode;

use xep_check::{Checker, Expectations, Status, report};

fn main() -> ExitCode {
    let mut json = false;
    let mut verbose = false;
    let mut exp_path = xep_check::default_expectations_path();
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--all" | "-v" | "--verbose" => verbose = true,
            "--expectations" => match args.next() {
                Some(p) => exp_path = PathBuf::from(p),
                None => return usage("--expectations needs a file"),
            },
            "-h" | "--help" => return usage(""),
            s if s.starts_with('-') => return usage(&format!("unknown option {s}")),
            _ => paths.push(PathBuf::from(a)),
        }
    }
    if paths.is_empty() {
        paths.push(xep_check::default_xeps_dir());
    }
    let expectations = match std::fs::read_to_string(&exp_path) {
        Ok(t) => match Expectations::parse(&t) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("{}: {e}", exp_path.display());
                return ExitCode::from(2);
            }
        },
        Err(_) => Expectations::default(),
    };
    let files = match xep_check::collect_inputs(&paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot read inputs: {e}");
            return ExitCode::from(2);
        }
    };
    let checker = Checker::new(expectations);
    let mut results = Vec::new();
    for f in &files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                return ExitCode::from(2);
            }
        };
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        results.extend(checker.check_document(&name, &text, None));
    }
    if json {
        println!("{}", report::to_json(&results));
    } else {
        print!("{}", report::to_text(&results, verbose));
    }
    if results.iter().any(|r| r.status == Status::Fail) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn usage(msg: &str) -> ExitCode {
    if !msg.is_empty() {
        eprintln!("xep-check: {msg}");
    }
    eprintln!("usage: xep-check [--json] [--all] [--expectations FILE] [PATH...]");
    ExitCode::from(2)
}
