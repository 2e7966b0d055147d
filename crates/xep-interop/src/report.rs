//! The matrix: scenario by server, as a table and as JSON.

use std::fmt::Write;

use crate::scenarios::Outcome;

/// One cell.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The scenario.
    pub scenario: &'static str,
    /// The server.
    pub server: &'static str,
    /// Its version.
    pub version: String,
    /// The verdict.
    pub outcome: Outcome,
    /// How long it took, in milliseconds.
    pub millis: u128,
}

/// The table, one row per scenario, one column per server.
pub fn table(cells: &[Cell]) -> String {
    let mut servers: Vec<(&str, &str)> = Vec::new();
    let mut scenarios: Vec<&str> = Vec::new();
    for c in cells {
        if !servers.iter().any(|(s, _)| *s == c.server) {
            servers.push((c.server, &c.version));
        }
        if !scenarios.contains(&c.scenario) {
            scenarios.push(c.scenario);
        }
    }
    let mut out = String::from("| scenario |");
    for (s, v) in &servers {
        let _ = write!(out, " {s} {v} |");
    }
    out.push_str("\n|---|");
    for _ in &servers {
        out.push_str("---|");
    }
    out.push('\n');
    for sc in scenarios {
        let _ = write!(out, "| {sc} |");
        for (s, _) in &servers {
            let cell = cells
                .iter()
                .find(|c| c.scenario == sc && c.server == *s)
                .map_or("", |c| c.outcome.label());
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    out
}

/// The cells as JSON.
pub fn json(cells: &[Cell]) -> serde_json::Value {
    serde_json::Value::Array(
        cells
            .iter()
            .map(|c| {
                serde_json::json!({
                    "scenario": c.scenario,
                    "server": c.server,
                    "version": c.version,
                    "outcome": c.outcome.label(),
                    "detail": c.outcome.detail(),
                    "millis": c.millis as u64,
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(scenario: &'static str, server: &'static str, outcome: Outcome) -> Cell {
        Cell {
            scenario,
            server,
            version: "1.0".into(),
            outcome,
            millis: 3,
        }
    }

    #[test]
    fn one_row_per_scenario_one_column_per_server() {
        let cells = [
            cell("a", "s1", Outcome::Pass("ok".into())),
            cell("a", "s2", Outcome::NotOffered("no".into())),
            cell("b", "s1", Outcome::Fail("bad".into())),
        ];
        let t = table(&cells);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "| scenario | s1 1.0 | s2 1.0 |");
        assert_eq!(lines[2], "| a | pass | not offered |");
        // A cell that did not run stays empty.
        assert_eq!(lines[3], "| b | fail |  |");
        let j = json(&cells);
        assert_eq!(j[2]["outcome"], "fail");
        assert_eq!(j[2]["detail"], "bad");
        assert_eq!(j[1]["server"], "s2");
    }
}
