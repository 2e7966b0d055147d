//! Results and their presentation.
//!
//! The JSON shape is a public contract: an object
//! `{"examples": [...], "totals": {...}}` with one record per example,
//! `{"xep": 45, "index": 3, "caption": "...", "line": 512, "status": "pass",
//! "detail": "...", "unsupported_namespaces": ["urn:..."], "file": "..."}`,
//! and totals per status plus `"examples"`. Fields may be added; none is
//! removed or renamed.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde_json::{Value, json};

/// The verdict on one example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Every element of an implemented namespace parsed and round-tripped.
    Pass,
    /// An element of an implemented namespace failed to parse or to round
    /// trip, and no expectation explains it.
    Fail,
    /// The example is not well-formed XML (after comments and processing
    /// instructions are stripped).
    NotXml,
    /// The example uses no element the project implements.
    Unsupported,
    /// A failure listed in the expectations file, with its reason.
    ExpectedFail,
    /// The only XML error is at a placeholder that elides content.
    Elided,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 6] = [
        Status::Pass,
        Status::Fail,
        Status::NotXml,
        Status::Unsupported,
        Status::ExpectedFail,
        Status::Elided,
    ];

    /// The name used in the JSON output and the text report.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotXml => "not-xml",
            Status::Unsupported => "unsupported",
            Status::ExpectedFail => "expected-fail",
            Status::Elided => "elided",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result for one example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleResult {
    /// XEP number, when known.
    pub xep: Option<u32>,
    /// 1-based index of the example in its document.
    pub index: usize,
    /// The example's caption.
    pub caption: String,
    /// Line of the example in its document.
    pub line: usize,
    /// The verdict.
    pub status: Status,
    /// Why (element path and reason, difference, or XML error position).
    pub detail: String,
    /// Namespaces used in the example that no crate implements.
    pub unsupported_namespaces: Vec<String>,
    /// The document's file name.
    pub file: String,
}

/// The results as the JSON document described in the module docs.
pub fn to_json(results: &[ExampleResult]) -> String {
    let examples: Vec<Value> = results
        .iter()
        .map(|r| {
            json!({
                "xep": r.xep,
                "index": r.index,
                "caption": r.caption,
                "line": r.line,
                "status": r.status.as_str(),
                "detail": r.detail,
                "unsupported_namespaces": r.unsupported_namespaces,
                "file": r.file,
            })
        })
        .collect();
    let mut totals = serde_json::Map::new();
    for s in Status::ALL {
        let n = results.iter().filter(|r| r.status == s).count();
        totals.insert(s.as_str().into(), json!(n));
    }
    totals.insert("examples".into(), json!(results.len()));
    serde_json::to_string_pretty(&json!({ "examples": examples, "totals": totals }))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn label(r: &ExampleResult) -> String {
    match r.xep {
        Some(x) => format!("XEP-{x:04}"),
        None => r.file.clone(),
    }
}

/// A readable report: one line per example that did not pass (every
/// example with `verbose`), then a per-document table and totals.
pub fn to_text(results: &[ExampleResult], verbose: bool) -> String {
    let mut out = String::new();
    for r in results {
        let interesting = !matches!(r.status, Status::Pass | Status::Unsupported);
        if verbose || interesting {
            let _ = write!(
                out,
                "{} example {} (line {}) \"{}\": {}",
                label(r),
                r.index,
                r.line,
                r.caption,
                r.status
            );
            if !r.detail.is_empty() && (interesting || verbose) {
                let _ = write!(out, ": {}", r.detail);
            }
            out.push('\n');
        }
    }
    let mut per: BTreeMap<(Option<u32>, String), [usize; 6]> = BTreeMap::new();
    for r in results {
        let row = per.entry((r.xep, label(r))).or_default();
        row[Status::ALL.iter().position(|s| *s == r.status).unwrap_or(0)] += 1;
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "{:<12} {:>6} {:>6} {:>8} {:>12} {:>14} {:>7}",
        "document", "pass", "fail", "not-xml", "unsupported", "expected-fail", "elided"
    );
    let mut total = [0usize; 6];
    for ((_, name), row) in &per {
        for (t, n) in total.iter_mut().zip(row) {
            *t += n;
        }
        if row[3] == row.iter().sum::<usize>() && !verbose {
            continue; // nothing implemented: keep the table short
        }
        let _ = writeln!(
            out,
            "{:<12} {:>6} {:>6} {:>8} {:>12} {:>14} {:>7}",
            name, row[0], row[1], row[2], row[3], row[4], row[5]
        );
    }
    let _ = writeln!(
        out,
        "{:<12} {:>6} {:>6} {:>8} {:>12} {:>14} {:>7}",
        "total", total[0], total[1], total[2], total[3], total[4], total[5]
    );
    let _ = writeln!(out, "{} examples in {} documents", results.len(), per.len());
    out
}

/// Failures known and explained: the committed expectations file.
///
/// One entry per line, `xep-NNNN #INDEX reason`; `#` starts a comment line.
/// The reason says why the example fails: invalid on purpose, wrong in the
/// spec (and how), or a limit of the project (and which issue will lift it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    entries: HashMap<(u32, usize), String>,
}

impl Expectations {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut entries = HashMap::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || {
                format!(
                    "line {}: expected 'xep-NNNN #INDEX reason', found '{line}'",
                    n + 1
                )
            };
            let mut parts = line.splitn(3, char::is_whitespace);
            let xep = parts
                .next()
                .and_then(|x| x.strip_prefix("xep-"))
                .and_then(|x| x.parse::<u32>().ok())
                .ok_or_else(bad)?;
            let index = parts
                .next()
                .and_then(|x| x.strip_prefix('#'))
                .and_then(|x| x.parse::<usize>().ok())
                .ok_or_else(bad)?;
            let reason = parts
                .next()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .ok_or_else(bad)?;
            if entries.insert((xep, index), reason.to_string()).is_some() {
                return Err(format!(
                    "line {}: xep-{xep:04} #{index} is listed twice",
                    n + 1
                ));
            }
        }
        Ok(Expectations { entries })
    }

    /// The reason example `index` of XEP `xep` is expected to fail.
    pub fn lookup(&self, xep: u32, index: usize) -> Option<&str> {
        self.entries.get(&(xep, index)).map(String::as_str)
    }

    /// Every entry as ((xep, index), reason).
    pub fn entries(&self) -> impl Iterator<Item = ((u32, usize), &str)> {
        self.entries.iter().map(|(k, v)| (*k, v.as_str()))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(status: Status) -> ExampleResult {
        ExampleResult {
            xep: Some(199),
            index: 1,
            caption: "Ping".into(),
            line: 101,
            status,
            detail: String::new(),
            unsupported_namespaces: vec![],
            file: "xep-0199.xml".into(),
        }
    }

    #[test]
    fn json_shape() {
        let v: Value =
            serde_json::from_str(&to_json(&[result(Status::Pass), result(Status::NotXml)]))
                .unwrap();
        assert_eq!(v["examples"][0]["status"], "pass");
        assert_eq!(v["examples"][0]["xep"], 199);
        assert_eq!(v["examples"][1]["status"], "not-xml");
        assert_eq!(v["examples"][0]["unsupported_namespaces"], json!([]));
        assert_eq!(v["totals"]["pass"], 1);
        assert_eq!(v["totals"]["not-xml"], 1);
        assert_eq!(v["totals"]["examples"], 2);
    }

    #[test]
    fn text_report_lists_failures_and_totals() {
        let mut f = result(Status::Fail);
        f.detail = "at iq: missing attribute 'id'".into();
        let t = to_text(&[result(Status::Pass), f], false);
        assert!(
            t.contains(
                "XEP-0199 example 1 (line 101) \"Ping\": fail: at iq: missing attribute 'id'"
            ),
            "{t}"
        );
        assert!(t.contains("XEP-0199          1      1"), "{t}");
    }

    #[test]
    fn expectations_file() {
        let e =
            Expectations::parse("# comment\nxep-0045 #12 invalid on purpose\n\nxep-0001 #3 x y")
                .unwrap();
        assert_eq!(e.lookup(45, 12), Some("invalid on purpose"));
        assert_eq!(e.lookup(1, 3), Some("x y"));
        assert_eq!(e.lookup(45, 13), None);
        assert!(Expectations::parse("xep-0045 12 no hash").is_err());
        assert!(Expectations::parse("xep-0045 #12").is_err());
        assert!(Expectations::parse("xep-0045 #1 a\nxep-0045 #1 b").is_err());
    }
}
