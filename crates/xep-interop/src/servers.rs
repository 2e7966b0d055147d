//! The servers under test, each started by the suite as a process it
//! owns, with a configuration generated in a temporary directory,
//! listening on loopback only, and stopped (that process and no other)
//! when dropped.

use std::fs;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::pki::Pki;

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Prosody (Debian's `prosody`).
    Prosody,
    /// ejabberd (Debian's `ejabberd`).
    Ejabberd,
}

impl Kind {
    /// Every server the suite knows.
    pub const ALL: [Kind; 2] = [Kind::Prosody, Kind::Ejabberd];

    /// The name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Prosody => "prosody",
            Kind::Ejabberd => "ejabberd",
        }
    }

    /// The Debian package.
    pub fn package(self) -> &'static str {
        self.name()
    }

    /// The package's version, or `None` when it is not installed.
    pub fn installed_version(self) -> Option<String> {
        let out = Command::new("dpkg-query")
            .args(["-W", "-f=${Status} ${Version}", self.package()])
            .output()
            .ok()?;
        let s = String::from_utf8_lossy(&out.stdout);
        s.strip_prefix("install ok installed ").map(str::to_owned)
    }
}

/// The test domain every server serves.
pub const DOMAIN: &str = "localhost";
/// The MUC service.
pub const MUC: &str = "conference.localhost";
/// The pubsub service.
pub const PUBSUB: &str = "pubsub.localhost";
/// The external component's name, and its secret.
pub const COMPONENT: (&str, &str) = ("gateway.localhost", "interop-component-secret");
/// The accounts created at start: (username, password).
pub const ACCOUNTS: [(&str, &str); 3] = [
    ("alice", "alice-pässword-1"),
    ("bob", "bob-password-2"),
    ("carol", "carol-password-3"),
];

/// Ports the server listens on (loopback).
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    /// Client-to-server.
    pub c2s: u16,
    /// XEP-0114 components.
    pub component: u16,
    /// HTTP: BOSH and WebSocket.
    pub http: u16,
}

/// A server process the suite started.
pub struct Server {
    /// Which.
    pub kind: Kind,
    /// The package version.
    pub version: String,
    /// Where it listens.
    pub ports: Ports,
    /// The run's CA and the server's certificate.
    pub pki: Pki,
    child: Child,
    dir: PathBuf,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::env::var_os("XEP_INTEROP_KEEP").is_none() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Why a server could not be started.
#[derive(Debug)]
pub enum StartError {
    /// The package is not installed.
    NotInstalled(Kind),
    /// A file or process operation failed.
    Io(String, io::Error),
    /// The certificate could not be made.
    Pki(String),
    /// A command of the server's tooling failed.
    Command(String),
    /// The server did not listen in time; the tail of its log.
    NotListening(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::NotInstalled(k) => write!(
                f,
                "{} is not installed (apt-get install {}; `.ci/run` installs it)",
                k.name(),
                k.package()
            ),
            StartError::Io(what, e) => write!(f, "{what}: {e}"),
            StartError::Pki(e) => write!(f, "certificates: {e}"),
            StartError::Command(e) => write!(f, "{e}"),
            StartError::NotListening(log) => {
                write!(f, "the server did not listen in time; its log ends:\n{log}")
            }
        }
    }
}

fn io(what: impl Into<String>) -> impl FnOnce(io::Error) -> StartError {
    let what = what.into();
    move |e| StartError::Io(what, e)
}

/// A free loopback port (bound, read, released).
fn free_port() -> Result<u16, StartError> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(io("binding a free port"))?;
    Ok(l.local_addr().map_err(io("a free port"))?.port())
}

fn run(cmd: &mut Command) -> Result<String, StartError> {
    let out = cmd
        .output()
        .map_err(io(format!("running {:?}", cmd.get_program())))?;
    if !out.status.success() {
        return Err(StartError::Command(format!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn tail(path: &Path) -> String {
    let s = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

impl Server {
    /// Starts `kind` in a new temporary directory.
    pub fn start(kind: Kind) -> Result<Server, StartError> {
        let version = kind
            .installed_version()
            .ok_or(StartError::NotInstalled(kind))?;
        let dir = std::env::temp_dir().join(format!(
            "xep-interop-{}-{}-{}",
            kind.name(),
            std::process::id(),
            Instant::now().elapsed().as_nanos() ^ u128::from(free_port()?)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(io(format!("creating {}", dir.display())))?;
        let pki = Pki::generate(&[DOMAIN.into(), MUC.into(), PUBSUB.into()])
            .map_err(|e| StartError::Pki(e.to_string()))?;
        fs::write(dir.join("server.crt"), &pki.cert_pem).map_err(io("writing the certificate"))?;
        fs::write(dir.join("server.key"), &pki.key_pem).map_err(io("writing the key"))?;
        let ports = Ports {
            c2s: free_port()?,
            component: free_port()?,
            http: free_port()?,
        };
        let (child, log) = match kind {
            Kind::Prosody => prosody(&dir, ports)?,
            Kind::Ejabberd => ejabberd(&dir, ports)?,
        };
        let mut server = Server {
            kind,
            version,
            ports,
            pki,
            child,
            dir,
            log,
        };
        server.wait_listening(Duration::from_secs(60))?;
        server.register_accounts()?;
        Ok(server)
    }

    /// The c2s address.
    pub fn c2s(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.ports.c2s))
    }

    /// The component address.
    pub fn component(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.ports.component))
    }

    /// The tail of the server's log.
    pub fn log_tail(&self) -> String {
        tail(&self.log)
    }

    fn wait_listening(&mut self, within: Duration) -> Result<(), StartError> {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(StartError::NotListening(format!(
                    "(exited: {status})\n{}",
                    tail(&self.log)
                )));
            }
            let all = [self.ports.c2s, self.ports.component, self.ports.http]
                .iter()
                .all(|p| {
                    TcpStream::connect_timeout(
                        &SocketAddr::from(([127, 0, 0, 1], *p)),
                        Duration::from_millis(200),
                    )
                    .is_ok()
                });
            if all {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(StartError::NotListening(tail(&self.log)))
    }

    fn register_accounts(&self) -> Result<(), StartError> {
        for (user, password) in ACCOUNTS {
            match self.kind {
                Kind::Prosody => {
                    run(Command::new("prosodyctl")
                        .arg("--config")
                        .arg(self.dir.join("prosody.cfg.lua"))
                        .args(["register", user, DOMAIN, password]))?;
                }
                Kind::Ejabberd => {
                    ejabberdctl(&self.dir, &["register", user, DOMAIN, password])?;
                }
            }
        }
        Ok(())
    }
}

/// Prosody's configuration and process.
fn prosody(dir: &Path, ports: Ports) -> Result<(Child, PathBuf), StartError> {
    let d = dir.display();
    let log = dir.join("prosody.log");
    fs::create_dir_all(dir.join("data")).map_err(io("creating the data directory"))?;
    let (component, secret) = COMPONENT;
    let config = format!(
        r#"-- Generated by xep-interop for one run; loopback only.
daemonize = false
run_as_root = true
pidfile = "{d}/prosody.pid"
data_path = "{d}/data"
admin_socket = "{d}/admin.sock"
log = {{ {{ levels = {{ min = "debug" }}, to = "file", filename = "{d}/prosody.log" }} }}
interfaces = {{ "127.0.0.1" }}
local_interfaces = {{ "127.0.0.1" }}
c2s_ports = {{ {c2s} }}
c2s_direct_tls_ports = {{ }}
s2s_ports = {{ }}
component_ports = {{ {component_port} }}
component_interfaces = {{ "127.0.0.1" }}
http_ports = {{ {http} }}
http_interfaces = {{ "127.0.0.1" }}
https_ports = {{ }}
modules_enabled = {{
    "roster"; "saslauth"; "tls"; "disco"; "ping"; "carbons"; "pep";
    "private"; "blocklist"; "vcard4"; "vcard_legacy"; "version"; "uptime";
    "time"; "mam"; "smacks"; "bosh"; "websocket"; "csi_simple"; "register";
}}
modules_disabled = {{ "s2s" }}
authentication = "internal_hashed"
c2s_require_encryption = true
allow_unencrypted_plain_auth = false
allow_registration = false
consider_bosh_secure = true
consider_websocket_secure = true
smacks_hibernation_time = 30
ssl = {{ key = "{d}/server.key", certificate = "{d}/server.crt" }}

VirtualHost "{DOMAIN}"

Component "{MUC}" "muc"
Component "{PUBSUB}" "pubsub"
Component "{component}"
    component_secret = "{secret}"
"#,
        c2s = ports.c2s,
        component_port = ports.component,
        http = ports.http,
    );
    let cfg = dir.join("prosody.cfg.lua");
    fs::write(&cfg, config).map_err(io("writing prosody.cfg.lua"))?;
    let child = Command::new("prosody")
        .arg("--config")
        .arg(&cfg)
        .arg("-F")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(fs::File::create(dir.join("stderr.log")).map_err(io("creating stderr.log"))?)
        .spawn()
        .map_err(io("starting prosody"))?;
    Ok((child, log))
}

/// ejabberd's configuration and process.
fn ejabberd(_dir: &Path, _ports: Ports) -> Result<(Child, PathBuf), StartError> {
    Err(StartError::Command("ejabberd: not wired yet".into()))
}

fn ejabberdctl(_dir: &Path, _args: &[&str]) -> Result<String, StartError> {
    Err(StartError::Command("ejabberdctl: not wired yet".into()))
}
