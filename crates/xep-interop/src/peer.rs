//! The second client: slixmpp (an independent implementation, from PyPI)
//! in a virtual environment the suite creates, running `peer/slix_peer.py`.

use std::path::PathBuf;
use std::process::Command;

/// The slixmpp release the suite pins.
pub const SLIXMPP: &str = "slixmpp==1.8.5";

/// The peer script (committed with the crate).
pub fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peer/slix_peer.py")
}

/// The Python of a virtual environment with slixmpp, created (once per
/// machine, in the temporary directory) when missing.
pub fn python() -> Result<PathBuf, String> {
    let venv =
        std::env::temp_dir().join(format!("xep-interop-venv-{}", SLIXMPP.replace("==", "-")));
    let py = venv.join("bin/python");
    let ready = Command::new(&py)
        .args(["-c", "import slixmpp"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ready {
        return Ok(py);
    }
    let run = |cmd: &mut Command| -> Result<(), String> {
        let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{cmd:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin/pip")).args(["install", "-q", SLIXMPP]))?;
    Ok(py)
}
