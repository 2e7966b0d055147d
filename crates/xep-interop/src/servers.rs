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
/// The HTTP upload service (XEP-0363).
pub const UPLOAD: &str = "upload.localhost";
/// The largest file the upload service takes.
pub const UPLOAD_LIMIT: u64 = 1 << 20;
/// A second host of the server, with SASL ANONYMOUS only.
pub const ANONYMOUS: &str = "anon.localhost";
/// The domain the driver speaks for as a remote server over s2s: the
/// servers trust the run's CA, which issues its certificate (XEP-0178).
pub const REMOTE: &str = "remote.localhost";
/// The domain the driver speaks for as a remote server authenticated by
/// XEP-0220 dialback: an IP literal (RFC 7622 §3.2), which both servers
/// connect to without DNS, at [`DIALBACK_ADDR`], to verify the driver's
/// key and to open their own stream back.
pub const DIALBACK_REMOTE: &str = "127.0.0.2";
/// Where the driver listens as [`DIALBACK_REMOTE`]: the s2s port the
/// servers connect to when no SRV record says otherwise (RFC 6120
/// §3.2.2), on a loopback address of its own.
pub const DIALBACK_ADDR: ([u8; 4], u16) = ([127, 0, 0, 2], 5269);
/// The external component's name, and its secret.
pub const COMPONENT: (&str, &str) = ("gateway.localhost", "interop-component-secret");
/// The accounts created at start: (username, password).
pub const ACCOUNTS: [(&str, &str); 5] = [
    ("alice", "alice-pässword-1"),
    ("bob", "bob-password-2"),
    ("carol", "carol-password-3"),
    // A pair with no history (no roster, no subscription), for
    // pep-retract.
    ("dave", "dave-password-4"),
    ("erin", "erin-password-5"),
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
    /// Server-to-server. The servers connect back only to the driver's
    /// dialback domain, [`DIALBACK_REMOTE`], an IP literal; they cannot
    /// resolve [`REMOTE`].
    pub s2s: u16,
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
        if self.kind == Kind::Ejabberd {
            // ejabberdctl, su and the Erlang VM: the process group the
            // suite made for them, and nothing else.
            let _ = Command::new("kill")
                .args(["-TERM", "--", &format!("-{}", self.child.id())])
                .status();
            let end = Instant::now() + Duration::from_secs(10);
            while Instant::now() < end {
                if let Ok(Some(_)) = self.child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .status();
        }
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
        let pki = Pki::generate(&[
            DOMAIN.into(),
            MUC.into(),
            PUBSUB.into(),
            UPLOAD.into(),
            ANONYMOUS.into(),
        ])
        .map_err(|e| StartError::Pki(e.to_string()))?;
        fs::write(dir.join("server.crt"), &pki.cert_pem).map_err(io("writing the certificate"))?;
        fs::write(dir.join("server.key"), &pki.key_pem).map_err(io("writing the key"))?;
        fs::write(dir.join("ca.pem"), &pki.ca_pem).map_err(io("writing the CA"))?;
        let ports = Ports {
            c2s: free_port()?,
            component: free_port()?,
            http: free_port()?,
            s2s: free_port()?,
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

    /// The s2s address.
    pub fn s2s(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.ports.s2s))
    }

    /// The BOSH endpoint (XEP-0206).
    pub fn bosh_url(&self) -> String {
        let path = match self.kind {
            Kind::Prosody => "http-bind",
            Kind::Ejabberd => "bosh",
        };
        format!("http://127.0.0.1:{}/{path}", self.ports.http)
    }

    /// The WebSocket endpoint (RFC 7395).
    pub fn websocket_url(&self) -> String {
        let path = match self.kind {
            Kind::Prosody => "xmpp-websocket",
            Kind::Ejabberd => "ws",
        };
        format!("ws://127.0.0.1:{}/{path}", self.ports.http)
    }

    /// The run's CA certificate in PEM, for the second client.
    pub fn ca_pem_path(&self) -> PathBuf {
        self.dir.join("ca.pem")
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
            let all = [
                self.ports.c2s,
                self.ports.component,
                self.ports.http,
                self.ports.s2s,
            ]
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
                    // The node answers on its ports before mnesia has its
                    // tables (`{aborted,{no_exists,passwd,...}}`, seen
                    // once in a run): retry for a while.
                    let end = Instant::now() + Duration::from_secs(30);
                    loop {
                        match ejabberdctl(&self.dir, &["register", user, DOMAIN, password]) {
                            Ok(_) => break,
                            Err(e)
                                if Instant::now() < end && e.to_string().contains("no_exists") =>
                            {
                                std::thread::sleep(Duration::from_millis(500));
                            }
                            Err(e) => return Err(e),
                        }
                    }
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
s2s_ports = {{ {s2s} }}
s2s_interfaces = {{ "127.0.0.1" }}
s2s_require_encryption = true
-- Certificates (XEP-0178) for every remote domain but the driver's
-- dialback one, an IP literal Prosody reaches without DNS.
s2s_secure_auth = true
s2s_insecure_domains = {{ "{DIALBACK_REMOTE}" }}
component_ports = {{ {component_port} }}
component_interfaces = {{ "127.0.0.1" }}
http_ports = {{ {http} }}
http_interfaces = {{ "127.0.0.1" }}
https_ports = {{ }}
http_default_host = "{DOMAIN}"
modules_enabled = {{
    "roster"; "saslauth"; "tls"; "disco"; "ping"; "carbons"; "pep";
    "private"; "blocklist"; "vcard4"; "vcard_legacy"; "version"; "uptime";
    "time"; "mam"; "smacks"; "bosh"; "websocket"; "csi_simple"; "register";
    "s2s_bidi"; "dialback";
}}
authentication = "internal_hashed"
c2s_require_encryption = true
allow_unencrypted_plain_auth = false
allow_registration = false
consider_bosh_secure = true
consider_websocket_secure = true
smacks_hibernation_time = 5
ssl = {{ key = "{d}/server.key", certificate = "{d}/server.crt", cafile = "{d}/ca.pem" }}

VirtualHost "{DOMAIN}"

VirtualHost "{ANONYMOUS}"
    authentication = "anonymous"

Component "{MUC}" "muc"
Component "{PUBSUB}" "pubsub"
    -- Node creation is for the service's admins in Prosody.
    admins = {{ "alice@{DOMAIN}" }}
Component "{UPLOAD}" "http_file_share"
    http_file_share_size_limit = {UPLOAD_LIMIT}
Component "{component}"
    component_secret = "{secret}"
"#,
        c2s = ports.c2s,
        component_port = ports.component,
        http = ports.http,
        s2s = ports.s2s,
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

/// The arguments every `ejabberdctl` call of one server shares: its own
/// configuration, spool, logs and node, so that nothing of the system's
/// ejabberd is used or touched.
fn ejabberdctl_command(dir: &Path) -> Command {
    let mut c = Command::new("ejabberdctl");
    c.arg("--config-dir")
        .arg(dir)
        .arg("--config")
        .arg(dir.join("ejabberd.yml"))
        .arg("--ctl-config")
        .arg(dir.join("ejabberdctl.cfg"))
        .arg("--logs")
        .arg(dir.join("logs"))
        .arg("--spool")
        .arg(dir.join("spool"))
        .arg("--node")
        .arg(ejabberd_node(dir));
    c
}

/// The Erlang node name, unique to the run.
fn ejabberd_node(dir: &Path) -> String {
    let tag: String = dir
        .file_name()
        .map(|n| {
            n.to_string_lossy()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect()
        })
        .unwrap_or_default();
    format!("{tag}@localhost")
}

/// ejabberd's configuration and process. It runs as the `ejabberd` user
/// (ejabberdctl switches to it), in its own process group so that the
/// whole tree is stopped; the Erlang distribution listens on a loopback
/// port of its own, without epmd.
fn ejabberd(dir: &Path, ports: Ports) -> Result<(Child, PathBuf), StartError> {
    let d = dir.display();
    for sub in ["logs", "spool", "upload"] {
        fs::create_dir_all(dir.join(sub)).map_err(io(format!("creating {sub}")))?;
    }
    let pem = format!(
        "{}{}",
        fs::read_to_string(dir.join("server.crt")).map_err(io("reading the certificate"))?,
        fs::read_to_string(dir.join("server.key")).map_err(io("reading the key"))?
    );
    fs::write(dir.join("server.pem"), pem).map_err(io("writing server.pem"))?;
    let (component, secret) = COMPONENT;
    let config = format!(
        r#"# Generated by xep-interop for one run; loopback only.
hosts:
  - {DOMAIN}
  - {ANONYMOUS}
host_config:
  {ANONYMOUS}:
    auth_method: anonymous
    anonymous_protocol: sasl_anon
    # Not the services of the main host (their subdomains are taken).
    modules:
      mod_disco: {{}}
      mod_ping: {{}}
loglevel: info
certfiles:
  - "{d}/server.pem"
listen:
  -
    port: {c2s}
    ip: "127.0.0.1"
    module: ejabberd_c2s
    starttls_required: true
    max_stanza_size: 262144
  -
    port: {s2s}
    ip: "127.0.0.1"
    module: ejabberd_s2s_in
  -
    port: {component_port}
    ip: "127.0.0.1"
    module: ejabberd_service
    hosts:
      "{component}":
        password: "{secret}"
  -
    port: {http}
    ip: "127.0.0.1"
    module: ejabberd_http
    request_handlers:
      /bosh: mod_bosh
      /ws: ejabberd_http_ws
      /upload: mod_http_upload
auth_method: internal
auth_password_format: plain
s2s_access: all
s2s_use_starttls: required
s2s_cafile: "{d}/ca.pem"
acl:
  local:
    user_regexp: ""
  loopback:
    ip:
      - 127.0.0.0/8
access_rules:
  local:
    allow: local
  c2s:
    allow: all
  announce:
    allow: none
  configure:
    allow: none
  muc_create:
    allow: local
  pubsub_createnode:
    allow: local
  trusted_network:
    allow: loopback
modules:
  mod_adhoc: {{}}
  mod_blocking: {{}}
  mod_bosh: {{}}
  mod_caps: {{}}
  mod_carboncopy: {{}}
  mod_client_state: {{}}
  mod_disco: {{}}
  mod_http_upload:
    host: "{UPLOAD}"
    put_url: "http://{UPLOAD}:{http}/upload"
    docroot: "{d}/upload"
    max_size: {UPLOAD_LIMIT}
  mod_last: {{}}
  mod_mam:
    assume_mam_usage: true
    default: always
  mod_muc:
    host: "{MUC}"
    access_create: muc_create
    # Rooms are unmoderated until configured, as Prosody's.
    default_room_options:
      moderated: false
  mod_offline: {{}}
  mod_ping: {{}}
  mod_privacy: {{}}
  mod_private: {{}}
  mod_pubsub:
    host: "{PUBSUB}"
    access_createnode: pubsub_createnode
    plugins:
      - flat
      - pep
  mod_roster:
    versioning: true
  mod_s2s_dialback: {{}}
  mod_stream_mgmt:
    resume_timeout: 5
  mod_vcard: {{}}
  mod_version: {{}}
"#,
        c2s = ports.c2s,
        component_port = ports.component,
        http = ports.http,
        s2s = ports.s2s,
    );
    fs::write(dir.join("ejabberd.yml"), config).map_err(io("writing ejabberd.yml"))?;
    let dist = free_port()?;
    fs::write(
        dir.join("ejabberdctl.cfg"),
        format!(
            "ERL_DIST_PORT={dist}\nINET_DIST_INTERFACE=127.0.0.1\nEJABBERD_PID_PATH={d}/ejabberd.pid\nERL_OPTIONS=\"-env ERL_CRASH_DUMP_BYTES 0\"\nEJABBERD_BYPASS_WARNINGS=true\n"
        ),
    )
    .map_err(io("writing ejabberdctl.cfg"))?;
    fs::write(
        dir.join("inetrc"),
        "{lookup,[file,native]}.\n{host,{127,0,0,1}, [\"localhost\"]}.\n",
    )
    .map_err(io("writing inetrc"))?;
    // The server runs as the ejabberd user: it must own its directory.
    run(Command::new("chown").arg("-R").arg("ejabberd:").arg(dir))?;
    let mut cmd = ejabberdctl_command(dir);
    cmd.arg("foreground")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(fs::File::create(dir.join("stdout.log")).map_err(io("creating stdout.log"))?)
        .stderr(fs::File::create(dir.join("stderr.log")).map_err(io("creating stderr.log"))?);
    as_ejabberd(&mut cmd)?;
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let child = cmd.spawn().map_err(io("starting ejabberd"))?;
    Ok((child, dir.join("logs").join("ejabberd.log")))
}

fn ejabberdctl(dir: &Path, args: &[&str]) -> Result<String, StartError> {
    let mut cmd = ejabberdctl_command(dir);
    cmd.args(args).current_dir(dir);
    as_ejabberd(&mut cmd)?;
    run(&mut cmd)
}

/// Runs `cmd` as the `ejabberd` user when the suite is root, so that
/// ejabberdctl does not go through `su` (which starts a new session,
/// out of the process group the suite stops).
fn as_ejabberd(cmd: &mut Command) -> Result<(), StartError> {
    use std::os::unix::process::CommandExt;
    let id = |flag: &str| -> Result<u32, StartError> {
        let out = run(Command::new("id").args([flag, "ejabberd"]))?;
        out.trim()
            .parse()
            .map_err(|_| StartError::Command(format!("id {flag} ejabberd: {out:?}")))
    };
    let me = run(Command::new("id").arg("-u"))?;
    if me.trim() == "0" {
        cmd.uid(id("-u")?)
            .gid(id("-g")?)
            .env("HOME", "/var/lib/ejabberd");
    }
    Ok(())
}

impl std::error::Error for StartError {}
