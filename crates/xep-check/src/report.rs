//! Results and their presentation.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde_json::{Value, json};
pub use xep_schema::{SchemaStatus, SchemaVerdict};

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
    /// The document's path as given to the checker (for annotations).
    pub path: String,
    /// Where the verdict points, for a failure or an XML error: the
    /// document line and column of the element or attribute at fault (or
    /// of the stanza, column 1, when it cannot be narrowed down).
    pub fault: Option<(usize, usize)>,
    /// The verdict against the XEPs' schemas, when asked for (`--schema`).
    pub schema: Option<SchemaVerdict>,
}

impl ExampleResult {
    /// Whether the round-trip verdict and the schema verdict disagree on
    /// the elements of namespaces the project implements: the model
    /// accepts what the XEP's schema rejects (pass, and an implemented
    /// element invalid), or rejects what the schema accepts (fail or
    /// expected-fail, and every implemented element valid). Elided
    /// content is not judged.
    pub fn disagree(&self) -> bool {
        match self.schema.as_ref().and_then(|v| v.implemented) {
            Some(valid) => matches!(
                (self.status, valid),
                (Status::Pass, false) | (Status::Fail | Status::ExpectedFail, true)
            ),
            None => false,
        }
    }
}

/// The results as a JSON document.
///
/// The JSON shape is a public contract: an object
/// `{"examples": [...], "totals": {...}}` with one record per example,
/// `{"xep": 45, "index": 3, "caption": "...", "line": 512, "status": "pass",
/// "detail": "...", "unsupported_namespaces": ["urn:..."], "file": "..."}`,
/// and totals per status plus `"examples"`. Fields may be added; none is
/// removed or renamed. `"fault": {"line": 1642, "column": 32}` (or null)
/// is where a failure or an XML error points (see
/// [`ExampleResult::fault`]).
///
/// With `--schema`, each record also has `"schema": {"status": "valid",
/// "detail": "...", "line": 530, "schemas": ["urn:..."]}` (status one of
/// [`SchemaStatus`]; `line` the document line of the first message when
/// invalid, else null; `schemas` the namespaces whose XEP schema was used,
/// prefixed by the defining XEP when it is another document) and
/// `"disagree": true|false` (see [`ExampleResult::disagree`]); the totals
/// gain `"schema"` (a count per schema status, plus `"disagree"`).
pub fn to_json(results: &[ExampleResult]) -> String {
    let examples: Vec<Value> = results
        .iter()
        .map(|r| {
            let mut v = json!({
                "xep": r.xep,
                "index": r.index,
                "caption": r.caption,
                "line": r.line,
                "status": r.status.as_str(),
                "detail": r.detail,
                "unsupported_namespaces": r.unsupported_namespaces,
                "file": r.file,
                "fault": r.fault.map(|(line, column)| json!({"line": line, "column": column})),
            });
            if let (Some(s), Some(obj)) = (&r.schema, v.as_object_mut()) {
                obj.insert(
                    "schema".into(),
                    json!({
                        "status": s.status.as_str(),
                        "detail": s.detail,
                        "line": s.line,
                        "implemented_valid": s.implemented,
                        "schemas": s.schemas,
                        "known": s.known,
                    }),
                );
                obj.insert("disagree".into(), json!(r.disagree()));
            }
            v
        })
        .collect();
    let mut totals = serde_json::Map::new();
    for s in Status::ALL {
        let n = results.iter().filter(|r| r.status == s).count();
        totals.insert(s.as_str().into(), json!(n));
    }
    totals.insert("examples".into(), json!(results.len()));
    if results.iter().any(|r| r.schema.is_some()) {
        let mut st = serde_json::Map::new();
        for s in SchemaStatus::ALL {
            let n = results
                .iter()
                .filter(|r| r.schema.as_ref().is_some_and(|v| v.status == s))
                .count();
            st.insert(s.as_str().into(), json!(n));
        }
        st.insert(
            "disagree".into(),
            json!(results.iter().filter(|r| r.disagree()).count()),
        );
        st.insert(
            "disagree_new".into(),
            json!(
                results
                    .iter()
                    .filter(
                        |r| r.disagree() && r.schema.as_ref().is_some_and(|v| v.known.is_empty())
                    )
                    .count()
            ),
        );
        totals.insert("schema".into(), Value::Object(st));
    }
    serde_json::to_string_pretty(&json!({ "examples": examples, "totals": totals }))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn label(r: &ExampleResult) -> String {
    match r.xep {
        Some(x) => format!("XEP-{x:04}"),
        None => r.file.clone(),
    }
}

/// ` [DISAGREE]` for a new disagreement, ` [DISAGREE, known: reason]` for
/// one recorded in `xsd/disagreements.txt`, or nothing.
fn disagree_tag(r: &ExampleResult) -> String {
    match r.schema.as_ref() {
        Some(v) if r.disagree() && !v.known.is_empty() => {
            format!(" [DISAGREE, known: {}]", v.known.join(" / "))
        }
        _ if r.disagree() => " [DISAGREE]".to_string(),
        _ => String::new(),
    }
}

/// A readable report: one line per example that did not pass (every
/// example with `verbose`), then a per-document table and totals.
pub fn to_text(results: &[ExampleResult], verbose: bool) -> String {
    let mut out = String::new();
    for r in results {
        let schema_note = r.schema.as_ref().and_then(|v| match v.status {
            SchemaStatus::Invalid | SchemaStatus::SchemaError => Some(format!(
                "; schema {}: {}{}",
                v.status,
                v.detail,
                disagree_tag(r)
            )),
            _ if r.disagree() => Some(format!("; schema {}{}", v.status, disagree_tag(r))),
            _ if verbose => Some(format!("; schema {}", v.status)),
            _ => None,
        });
        let interesting = !matches!(r.status, Status::Pass | Status::Unsupported);
        if verbose || interesting || schema_note.is_some() {
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
            if let Some(n) = &schema_note {
                out.push_str(n);
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
/// One entry per line, `XEP-NNNN | #INDEX | reason`, in the format of every
/// triage file ([`xep_schema::triage`]); `#` starts a comment line. The
/// reason says why the example fails: invalid on purpose, wrong in the
/// spec (and how), or a limit of the project (and which issue will lift it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expectations {
    entries: HashMap<(u32, usize), String>,
}

impl Expectations {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut entries = HashMap::new();
        for e in xep_schema::triage::parse(text)? {
            let index = e
                .key
                .strip_prefix('#')
                .and_then(|x| x.parse::<usize>().ok());
            let (Some(xep), Some(index)) = (e.xep, index) else {
                return Err(format!(
                    "line {}: expected 'XEP-NNNN | #INDEX | reason', found '{} | {}'",
                    e.line,
                    e.label(),
                    e.reason
                ));
            };
            entries.insert((xep, index), e.reason);
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

/// The examples to annotate: failures (errors) and XML errors (warnings:
/// most are the XEP's own typos, still worth a look), with where they
/// point.
fn annotations(
    results: &[ExampleResult],
) -> impl Iterator<Item = (&ExampleResult, &'static str, (usize, usize))> {
    results.iter().filter_map(|r| {
        let level = match r.status {
            Status::Fail => "error",
            Status::NotXml => "warning",
            _ => return None,
        };
        Some((r, level, r.fault.unwrap_or((r.line, 1))))
    })
}

/// The title of an annotation: the document, the example and its caption.
fn title(r: &ExampleResult) -> String {
    format!(
        "{} example {} ({}): {}",
        label(r),
        r.index,
        r.status,
        r.caption
    )
}

/// GitHub Actions workflow commands, one per failing example
/// (`::error file=...,line=...,col=...,title=...::message`), so that a CI
/// run over the XEP sources marks the lines in a pull request. Values are
/// escaped as the runner expects (`%`, CR and LF everywhere; `:` and `,`
/// in properties).
pub fn to_github(results: &[ExampleResult]) -> String {
    fn data(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(s: &str) -> String {
        data(s).replace(':', "%3A").replace(',', "%2C")
    }
    let mut out = String::new();
    for (r, level, (line, col)) in annotations(results) {
        let _ = writeln!(
            out,
            "::{level} file={},line={line},col={col},title={}::{}",
            property(&r.path),
            property(&title(r)),
            data(&r.detail)
        );
    }
    out
}

/// A path as a SARIF artifact URI: relative paths as they are (with `/`),
/// absolute ones as `file://` URIs.
fn artifact_uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    if p.starts_with('/') {
        format!("file://{p}")
    } else {
        p
    }
}

/// A SARIF 2.1.0 log (OASIS): one run of `xep-check`, two rules (`fail`,
/// `not-xml`), one result per failing example with its physical location.
pub fn to_sarif(results: &[ExampleResult]) -> String {
    let rules = json!([
        {
            "id": "fail",
            "name": "ExampleFails",
            "shortDescription": {"text": "An element of an implemented namespace does not parse or does not round-trip."},
            "defaultConfiguration": {"level": "error"}
        },
        {
            "id": "not-xml",
            "name": "ExampleNotXml",
            "shortDescription": {"text": "The example is not well-formed XML."},
            "defaultConfiguration": {"level": "warning"}
        }
    ]);
    let found: Vec<Value> = annotations(results)
        .map(|(r, level, (line, col))| {
            json!({
                "ruleId": r.status.as_str(),
                "ruleIndex": if r.status == Status::Fail { 0 } else { 1 },
                "level": level,
                "message": {"text": format!("{}: {}", title(r), r.detail)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": artifact_uri(&r.path)},
                        "region": {"startLine": line, "startColumn": col}
                    }
                }]
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "xep-check",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules
            }},
            "results": found
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
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
            path: "xep-0199.xml".into(),
            fault: None,
            schema: None,
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
        let e = Expectations::parse(
            "# comment\nXEP-0045 | #12 | invalid on purpose\n\nXEP-0001 | #3 | x y",
        )
        .unwrap();
        assert_eq!(e.lookup(45, 12), Some("invalid on purpose"));
        assert_eq!(e.lookup(1, 3), Some("x y"));
        assert_eq!(e.lookup(45, 13), None);
        assert!(Expectations::parse("XEP-0045 | 12 | no hash").is_err());
        assert!(Expectations::parse("XEP-0045 | #12").is_err());
        assert!(Expectations::parse("x #12 | no XEP").is_err());
        assert!(Expectations::parse("XEP-0045 | #1 | a\nXEP-0045 | #1 | b").is_err());
    }
}
