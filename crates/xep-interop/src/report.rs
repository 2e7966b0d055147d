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
