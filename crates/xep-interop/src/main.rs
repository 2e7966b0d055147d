//! `xep-interop [--server prosody|ejabberd]... [--scenario NAME]...
//! [--json PATH]`: runs the scenarios against each server and prints the
//! matrix. Exits non-zero when a scenario fails or a server cannot start.

use std::process::ExitCode;
use std::time::Instant;

use xep_interop::report::{self, Cell};
use xep_interop::scenarios::{self, Ctx, Outcome};
use xep_interop::servers::{Kind, Server};

fn main() -> ExitCode {
    let mut servers = Vec::new();
    let mut only = Vec::new();
    let mut json = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--server" => match args.next().as_deref() {
                Some("prosody") => servers.push(Kind::Prosody),
                Some("ejabberd") => servers.push(Kind::Ejabberd),
                other => {
                    eprintln!("--server prosody|ejabberd, not {other:?}");
                    return ExitCode::from(2);
                }
            },
            "--scenario" => match args.next() {
                Some(s) if scenarios::ALL.iter().any(|x| x.name == s) => only.push(s),
                other => {
                    eprintln!("unknown scenario {other:?}; the scenarios:");
                    for s in scenarios::ALL {
                        eprintln!("  {:24} {}", s.name, s.what);
                    }
                    return ExitCode::from(2);
                }
            },
            "--json" => json = args.next(),
            other => {
                eprintln!(
                    "usage: xep-interop [--server prosody|ejabberd]... [--scenario NAME]... [--json PATH]; not {other:?}"
                );
                return ExitCode::from(2);
            }
        }
    }
    if servers.is_empty() {
        servers = Kind::ALL.to_vec();
    }
    let mut cells = Vec::new();
    let mut broken = false;
    for kind in servers {
        eprintln!("== starting {}", kind.name());
        let server = match Server::start(kind) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{} did not start: {e}", kind.name());
                broken = true;
                continue;
            }
        };
        eprintln!(
            "== {} {} on c2s port {}",
            kind.name(),
            server.version,
            server.ports.c2s
        );
        let ctx = match Ctx::new(&server) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("TLS configuration: {e}");
                broken = true;
                continue;
            }
        };
        for s in scenarios::ALL {
            if !only.is_empty() && !only.iter().any(|o| o == s.name) {
                continue;
            }
            let t = Instant::now();
            let outcome = scenarios::triage(kind.name(), s.name, (s.run)(&ctx));
            if matches!(outcome, Outcome::Pass(_))
                && scenarios::known(kind.name(), s.name).is_some()
            {
                eprintln!(
                    "{} {} passes: its entry in scenarios::KNOWN is stale",
                    kind.name(),
                    s.name
                );
                broken = true;
            }
            let millis = t.elapsed().as_millis();
            eprintln!(
                "{:>12} {:24} {} ({millis} ms)",
                outcome.label(),
                s.name,
                outcome.detail()
            );
            if matches!(outcome, Outcome::Fail(_)) {
                eprintln!("--- {} log tail:\n{}", kind.name(), server.log_tail());
            }
            cells.push(Cell {
                scenario: s.name,
                server: kind.name(),
                version: server.version.clone(),
                outcome,
                millis,
            });
        }
    }
    println!("{}", report::table(&cells));
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&report::json(&cells)).expect("JSON");
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("writing {path}: {e}");
            broken = true;
        }
    }
    let failed = cells
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Fail(_)))
        .count();
    if failed > 0 || broken {
        eprintln!("{failed} scenario(s) failed");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
