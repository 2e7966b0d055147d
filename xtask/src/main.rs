//! Project tasks, run as `cargo xtask <task>` (see `.cargo/config.toml`).

fn main() {
    let task = std::env::args().nth(1);
    match task.as_deref() {
        _ => {
            eprintln!("usage: cargo xtask <task>\n\ntasks: (none yet)");
            std::process::exit(2);
        }
    }
}
