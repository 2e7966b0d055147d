//! `interop [ARGS...]`: the interop suite (crates/xep-interop) against
//! Prosody and ejabberd. Installs the servers from Debian's packages when
//! missing (as root or through sudo), without letting the packages start
//! their system services, then runs the suite's binary with ARGS
//! (`--server prosody|ejabberd`, `--scenario NAME`, `--json PATH`).

use std::path::Path;
use std::process::Command;

const PACKAGES: [&str; 2] = ["prosody", "ejabberd"];

fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"install ok installed"))
}

fn root_cmd(args: &[&str]) -> bool {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let mut cmd = if is_root {
        let mut c = Command::new(args[0]);
        c.args(&args[1..]);
        c
    } else {
        let mut c = Command::new("sudo");
        c.args(args);
        c
    };
    eprintln!("+ {}", args.join(" "));
    cmd.env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .is_ok_and(|s| s.success())
}

/// Installs what is missing. A policy-rc.d that refuses every start is in
/// place during the install (and removed after, when it was ours), so the
/// packages do not start system-wide servers the suite does not own.
fn install() -> bool {
    let missing: Vec<&str> = PACKAGES.into_iter().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return true;
    }
    let policy = Path::new("/usr/sbin/policy-rc.d");
    let ours = !policy.exists();
    if ours
        && !root_cmd(&[
            "sh",
            "-c",
            "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d",
        ])
    {
        return false;
    }
    let mut args = vec!["apt-get", "install", "-y", "-qq"];
    args.extend(&missing);
    let ok = (root_cmd(&["apt-get", "update", "-qq"]) && root_cmd(&args))
        || (root_cmd(&["apt-get", "update"]) && root_cmd(&args));
    if ours {
        root_cmd(&["rm", "-f", "/usr/sbin/policy-rc.d"]);
    }
    ok
}

/// The task.
pub fn task(args: &[String]) -> bool {
    if !install() {
        eprintln!("could not install {PACKAGES:?}");
        return false;
    }
    let mut cargo_args = vec!["run", "-q", "-p", "xep-interop", "--"];
    cargo_args.extend(args.iter().map(String::as_str));
    crate::run(&cargo_args)
}
