//! The one format of the project's triage files: the checker's expected
//! failures (`crates/xep-check/expectations.txt`), the recorded
//! model-vs-schema differences (`xsd/differences.txt`) and the triaged
//! schema disagreements (`xsd/disagreements.txt`).
//!
//! One entry per line, `[XEP-NNNN | ]KEY | REASON`: an optional scope (the
//! XEP the entry is about), what the entry matches (its meaning is the
//! file's: `#INDEX` of an example, `NAMESPACE ELEMENT SUBJECT KIND` of a
//! difference, a piece of libxml2's message), and why, in words. Fields
//! are separated by ` | ` (space, bar, space), which neither a key nor a
//! reason may contain. Lines starting with `#` are comments; blank lines
//! are ignored. An entry listed twice is an error.
//!
//! ```
//! let e = xep_schema::triage::parse("# c\nXEP-0045 | #12 | invalid on purpose\nurn:x a @b required | why\n").unwrap();
//! assert_eq!((e[0].xep, e[0].key.as_str(), e[0].reason.as_str()), (Some(45), "#12", "invalid on purpose"));
//! assert_eq!((e[1].xep, e[1].line), (None, 3));
//! assert!(xep_schema::triage::parse("a key without a reason").is_err());
//! ```

use std::collections::HashSet;

/// One entry of a triage file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its line in the file (1-based).
    pub line: usize,
    /// The XEP it is limited to, when it has a scope.
    pub xep: Option<u32>,
    /// What it matches.
    pub key: String,
    /// Why.
    pub reason: String,
}

impl Entry {
    /// `[XEP-NNNN | ]KEY`, as written (without the reason).
    pub fn label(&self) -> String {
        match self.xep {
            Some(x) => format!("XEP-{x:04} | {}", self.key),
            None => self.key.clone(),
        }
    }
}

/// Parses a triage file's text; an error names the line and what was
/// expected.
pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let mut out: Vec<Entry> = Vec::new();
    let mut seen = HashSet::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let n = n + 1;
        let parts: Vec<&str> = line.split(" | ").map(str::trim).collect();
        let (xep, key, reason) = match parts.as_slice() {
            [k, r] => (None, *k, *r),
            [x, k, r] => {
                let xep = x
                    .strip_prefix("XEP-")
                    .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|d| d.parse().ok())
                    .ok_or_else(|| format!("line {n}: '{x}' is not XEP-NNNN"))?;
                (Some(xep), *k, *r)
            }
            _ => {
                return Err(format!(
                    "line {n}: expected '[XEP-NNNN | ]KEY | REASON', found '{line}'"
                ));
            }
        };
        if key.is_empty() || reason.is_empty() {
            return Err(format!("line {n}: empty key or reason in '{line}'"));
        }
        if !seen.insert((xep, key.to_string())) {
            return Err(format!("line {n}: '{key}' is listed twice"));
        }
        out.push(Entry {
            line: n,
            xep,
            key: key.to_string(),
            reason: reason.to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_errors() {
        let e =
            parse("# comment\n\nXEP-0030 | Missing child | why\nnot expected | because\n").unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].label(), "XEP-0030 | Missing child");
        assert_eq!(e[1].label(), "not expected");
        assert_eq!(e[1].line, 4);
        for bad in [
            "only a key",
            "XEP-12x | p | r",
            "XEP- | p | r",
            " | reason",
            "key | ",
            "a | b | c | d",
            "k | r\nk | s",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        // The same key under two scopes is two entries.
        assert_eq!(
            parse("XEP-0001 | k | r\nXEP-0002 | k | r\nk | r")
                .unwrap()
                .len(),
            3
        );
    }
}
