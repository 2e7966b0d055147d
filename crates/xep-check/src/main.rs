//! `xep-check [--format text|json|github|sarif] [--json] [--all] [--html DIR] [--schema] [--expectations FILE] [PATH...]`
//! and `xep-check schema-diff [--json] [--all] [--differences FILE] [XEPS_DIR]`.
//!
//! Checks the examples of XEP source documents (files or directories;
//! default `../shared/xeps`). Exits 1 when an example of an implemented
//! namespace fails and is not listed in the expectations file.
//!
//! `--schema` (built with the `libxml` feature) also validates every
//! example against the XEPs' own schemas (libxml2) and reports, per example, valid or not and whether that
//! verdict and the round trip's disagree (with the reason triaged in
//! `xsd/disagreements.txt`, when there is one); the text report ends with a
//! per-XEP summary (examples valid / invalid against the schema, and the
//! model-vs-schema differences of the namespaces the XEP defines).
//!
//! `schema-diff` compares, per implemented namespace, the schema generated
//! from the element model (`xsd/`) with the XEP's schema, and lists the
//! differences; those recorded with a reason in `xsd/differences.txt` are
//! marked. Exits 1 when a difference is not recorded (`--all` also lists
//! the recorded ones).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xep_check::extract::Example;
use xep_check::{Checker, ExampleResult, Expectations, Status, to_json, to_text};
use xep_schema::{Corpus, diff};

/// What `--schema` says when the binary was built without libxml2.
const NO_LIBXML: &str = "--schema validates the examples against the XEPs' schemas with libxml2, \
which this build leaves out. Install libxml2-dev, libclang-dev and pkg-config \
(Debian: apt-get install libxml2-dev libclang-dev pkg-config) and build with the feature:\n  \
cargo run --release -p xep-check --features libxml -- --schema [PATH...]\n\
(`schema-diff` needs no feature.)";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("schema-diff") {
        args.remove(0);
        return schema_diff(args);
    }
    if args.first().map(String::as_str) == Some("errata") {
        args.remove(0);
        return errata(args);
    }
    let mut format = "text".to_string();
    let mut verbose = false;
    let mut html: Option<PathBuf> = None;
    let mut pages = Vec::new();
    let mut schema = false;
    let mut exp_path = xep_check::default_expectations_path();
    let mut diff_path = diff::default_differences_path();
    let mut paths = Vec::new();
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => format = "json".into(),
            "--format" => match args.next() {
                Some(f) if ["text", "json", "github", "sarif"].contains(&f.as_str()) => format = f,
                _ => return usage("--format takes text, json, github or sarif"),
            },
            "--all" | "-v" | "--verbose" => verbose = true,
            "--html" => match args.next() {
                Some(d) => html = Some(PathBuf::from(d)),
                None => return usage("--html needs a directory"),
            },
            "--schema" => schema = true,
            "--expectations" => match args.next() {
                Some(p) => exp_path = PathBuf::from(p),
                None => return usage("--expectations needs a file"),
            },
            "--differences" => match args.next() {
                Some(p) => diff_path = PathBuf::from(p),
                None => return usage("--differences needs a file"),
            },
            "-h" | "--help" => return usage(""),
            s if s.starts_with('-') => return usage(&format!("unknown option {s}")),
            _ => paths.push(PathBuf::from(a)),
        }
    }
    if schema && !cfg!(feature = "libxml") {
        eprintln!("xep-check: {NO_LIBXML}");
        return ExitCode::from(2);
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
    // The schemas of each input's directory (its corpus), read once.
    let mut corpora: HashMap<PathBuf, Corpus> = HashMap::new();
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
        let xep = xep_check::extract::xep_number_from_path(f);
        let entities = xep_check::extract::Entities::beside(&text, f.parent());
        let examples = xep_check::extract::extract_examples_with(&text, xep, &entities);
        let mut res = checker.check_examples(&name, &examples);
        for r in &mut res {
            r.path = f.display().to_string();
        }
        if schema {
            let dir = corpus_dir(f);
            if !corpora.contains_key(&dir) {
                match Corpus::from_dir(&dir) {
                    Ok(c) => {
                        corpora.insert(dir.clone(), c);
                    }
                    Err(e) => {
                        eprintln!("{}: {e}", dir.display());
                        return ExitCode::from(2);
                    }
                }
            }
            annotate(&corpora[&dir], &examples, &mut res);
        }
        if html.is_some() {
            pages.push((name.clone(), examples.clone(), res.clone()));
        }
        results.extend(res);
    }
    if let Some(dir) = &html {
        if let Err(e) = xep_check::html::write(dir, &pages) {
            eprintln!("{}: {e}", dir.display());
            return ExitCode::from(2);
        }
        eprintln!("wrote {}", dir.join("index.html").display());
    }
    if format == "json" {
        println!("{}", to_json(&results));
    } else if format == "github" {
        print!("{}", xep_check::to_github(&results));
    } else if format == "sarif" {
        println!("{}", xep_check::to_sarif(&results));
    } else {
        print!("{}", to_text(&results, verbose));
        if schema {
            let recorded = diff::Recorded::load(&diff_path).unwrap_or_default();
            let registry = xep_check::registry();
            let diffs: Vec<diff::Difference> = corpora
                .values()
                .flat_map(|c| diff::compare_all(&registry, c))
                .collect();
            let defining: Vec<u32> = corpora
                .values()
                .flat_map(|c| diff::defining_xeps(&registry, c))
                .collect();
            print!(
                "{}",
                xep_check::schema::summary(&results, &diffs, &recorded, &defining, verbose)
            );
        }
    }
    if results.iter().any(|r| r.status == Status::Fail) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The schema verdict of each example (`--schema`).
#[cfg(feature = "libxml")]
fn annotate(corpus: &Corpus, examples: &[Example], results: &mut [ExampleResult]) {
    xep_check::schema::annotate(corpus, examples, results);
}

/// Without libxml2, `--schema` is refused before any document is read.
#[cfg(not(feature = "libxml"))]
fn annotate(_: &Corpus, _: &[Example], _: &mut [ExampleResult]) {
    unreachable!("--schema is refused without the libxml feature")
}

fn corpus_dir(f: &Path) -> PathBuf {
    match f.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn schema_diff(args: Vec<String>) -> ExitCode {
    let mut json = false;
    let mut all = false;
    let mut diff_path = diff::default_differences_path();
    let mut dir = None;
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json = true,
            "--all" | "-v" | "--verbose" => all = true,
            "--differences" => match args.next() {
                Some(p) => diff_path = PathBuf::from(p),
                None => return usage("--differences needs a file"),
            },
            "-h" | "--help" => return usage(""),
            s if s.starts_with('-') => return usage(&format!("unknown option {s}")),
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = dir.unwrap_or_else(xep_check::default_xeps_dir);
    let corpus = match Corpus::from_dir(&dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            return ExitCode::from(2);
        }
    };
    let recorded = match diff::Recorded::load(&diff_path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{}: {e}", diff_path.display());
            return ExitCode::from(2);
        }
    };
    let diffs = diff::compare_all(&xep_check::registry(), &corpus);
    if json {
        println!("{}", diff::to_json(&diffs, &recorded));
    } else {
        print!("{}", diff::to_text(&diffs, &recorded, all));
        let skipped = diff::not_compared(&xep_check::registry(), &corpus);
        if !skipped.is_empty() {
            println!("\nnot compared ({}):", skipped.len());
            for s in skipped {
                println!("  {s}");
            }
        }
    }
    if diffs.iter().any(|d| recorded.reason(d).is_none()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `xep-check errata [--expectations FILE] [PATH...]`: the spec errors
/// found, per XEP, in Markdown (see `xep_check::errata`).
fn errata(args: Vec<String>) -> ExitCode {
    let mut exp_path = xep_check::default_expectations_path();
    let mut paths = Vec::new();
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        match a.as_str() {
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
    let expectations = match std::fs::read_to_string(&exp_path).map(|t| Expectations::parse(&t)) {
        Ok(Ok(e)) => e,
        Ok(Err(e)) => {
            eprintln!("{}: {e}", exp_path.display());
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("{}: {e}", exp_path.display());
            return ExitCode::from(2);
        }
    };
    let files = match xep_check::collect_inputs(&paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot read inputs: {e}");
            return ExitCode::from(2);
        }
    };
    let mut documents = Vec::new();
    for f in &files {
        let Some(xep) = xep_check::extract::xep_number_from_path(f) else {
            continue;
        };
        let Ok(text) = std::fs::read_to_string(f) else {
            eprintln!("{}: unreadable", f.display());
            return ExitCode::from(2);
        };
        let entities = xep_check::extract::Entities::beside(&text, f.parent());
        documents.push((
            xep,
            xep_check::extract::extract_examples_with(&text, Some(xep), &entities),
        ));
    }
    print!(
        "{}",
        xep_check::errata::report(
            &documents,
            &expectations,
            xep_check::schema::Disagreements::committed()
        )
    );
    ExitCode::SUCCESS
}

fn usage(msg: &str) -> ExitCode {
    if !msg.is_empty() {
        eprintln!("xep-check: {msg}");
    }
    eprintln!(
        "usage: xep-check [--format text|json|github|sarif] [--json] [--all] [--html DIR] [--schema] [--expectations FILE] [--differences FILE] [PATH...]\n       xep-check schema-diff [--json] [--all] [--differences FILE] [XEPS_DIR]\n       xep-check errata [--expectations FILE] [PATH...]"
    );
    ExitCode::from(2)
}
