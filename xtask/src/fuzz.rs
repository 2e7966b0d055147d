//! `cargo xtask fuzz-gen [--check]` and `cargo xtask fuzz-seed [XEPS_DIR]`.
//!
//! `fuzz-gen` writes `fuzz/Cargo.toml` and one target per crate of the
//! registry (`fuzz/fuzz_targets/<crate>.rs`: bytes → element of that crate
//! → bytes, see `xep_check::fuzz::element`) plus `stream` (the sans-IO
//! stream reader, `xep_check::fuzz::stream`) and one per state machine
//! ([`MACHINES`]: bytes → a schedule of inputs → the machine's invariants,
//! through the crate's `sim` feature) and one per converter
//! ([`CONVERTERS`]: bytes → a conversion and back). `--check` fails when the committed
//! files differ from what would be generated.
//!
//! `fuzz-seed` writes each target's corpus (`fuzz/corpus/<target>/`) from
//! the fixtures and the XEP examples whose elements belong to that crate
//! (for a state machine: the scenarios of its crate's scripted tests,
//! encoded as schedules; for every target: its crash fixtures,
//! `fixtures/<crate>/fuzz/<target>/`), and a libFuzzer dictionary per
//! target (`fuzz/dict/<target>.dict`) of the crate's namespaces, element
//! and attribute names (for a state machine: each kind of input as the
//! bytes its decoder reads). `fuzz-smoke` runs every target for a bounded
//! time, the state machines longer ([`Machine::smoke_secs`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use xep_element::{ChildKind, ElementDesc, NsDesc};

/// A state-machine target: the function, behind the crate's `sim` feature
/// (`sim::fuzz(now, data)` for most), decodes a schedule of inputs from
/// any bytes, runs it and asserts the machine's invariants.
pub struct Machine {
    /// The target's name.
    pub target: &'static str,
    /// The crate (`xep_sm`).
    pub krate: &'static str,
    /// The function, in the crate.
    pub func: &'static str,
    /// What it checks.
    pub what: &'static str,
    /// The corpus seeds: the scenarios of the crate's scripted tests,
    /// encoded as schedules, named.
    pub seeds: fn() -> Vec<(&'static str, Vec<u8>)>,
    /// The dictionary: each kind of input as the bytes the decoder reads.
    pub dictionary: fn() -> Vec<Vec<u8>>,
    /// How long `fuzz-smoke` runs it (seconds): about where its coverage
    /// stops growing from the seeds and dictionary (measured on a 2-core
    /// machine with [`MACHINE_FLAGS`]: at 60 s every machine target had
    /// reached 99% or more of the edges it reached in 120 to 150 s).
    pub smoke_secs: u32,
}

/// libFuzzer flags for the state-machine targets. The scripted seeds are
/// short (13 to 60 bytes), and libFuzzer's default length control keeps
/// mutants near the longest seed, so schedules stayed short and shallow:
/// with these flags, in the same time, every machine target reached more
/// edges and features than with the seeds alone or with long random
/// seeds (sm-machine 1355 edges / 8418 features in 150 s, against 1351 /
/// 7879 without them; bosh-machine 2304 / 12834 against 2275 / 12037).
pub const MACHINE_FLAGS: &[&str] = &["-max_len=512", "-len_control=0"];

/// The state-machine targets.
pub const MACHINES: &[Machine] = &[
    Machine {
        target: "sm-machine",
        krate: "xep_sm",
        func: "sim::fuzz",
        what: "a client and a server StreamManager over a breaking link: every stanza delivered and acked exactly once, in order",
        seeds: xep_sm::sim::seeds,
        dictionary: xep_sm::sim::dictionary,
        smoke_secs: 60,
    },
    Machine {
        target: "muc-machine",
        krate: "xep_muc",
        func: "sim::fuzz",
        what: "a Room fed presences, messages, iq replies, timers and calls: no panic, unique nicks, stanzas sent round-trip, no past deadline",
        seeds: xep_muc::sim::seeds,
        dictionary: xep_muc::sim::dictionary,
        smoke_secs: 60,
    },
    Machine {
        target: "bosh-machine",
        krate: "xep_bosh",
        func: "sim::fuzz",
        what: "a ClientSession and a CmSession over HTTP that delays, reorders and drops: every stanza delivered exactly once, in order, both ways",
        seeds: xep_bosh::sim::seeds,
        dictionary: xep_bosh::sim::dictionary,
        smoke_secs: 60,
    },
    Machine {
        target: "jingle-machine",
        krate: "xep_jingle",
        func: "sim::fuzz",
        what: "two Jingle endpoints with interleaved delivery: every request answered exactly once, both sides agree once settled",
        seeds: xep_jingle::sim::seeds,
        dictionary: xep_jingle::sim::dictionary,
        smoke_secs: 60,
    },
    Machine {
        target: "jmi-machine",
        krate: "xep_jingle",
        func: "sim::jmi::fuzz",
        what: "XEP-0353 Calls on four devices of three accounts with forking and carbons: every call ends exactly once on every device, no past deadline",
        seeds: xep_jingle::sim::jmi::seeds,
        dictionary: xep_jingle::sim::jmi::dictionary,
        smoke_secs: 60,
    },
    Machine {
        target: "mam-machine",
        krate: "xep_mam",
        func: "sim::fuzz",
        what: "a XEP-0313 Walk against a scripted archive, with forged results and replies, silence, errors and a server that never moves on: only the archive's results believed, in order, once; the walk always ends",
        seeds: xep_mam::sim::seeds,
        dictionary: xep_mam::sim::dictionary,
        smoke_secs: 60,
    },
    Machine {
        target: "commands-machine",
        krate: "xep_commands",
        func: "sim::fuzz",
        what: "a XEP-0050 Requester and Responder over random stage graphs, with disallowed actions, forged and mismatched answers, refused payloads, expiries, lost answers and other entities naming the session: both always agree on the stage, its actions, the sessionid and the end; every refusal is the one §4.4 names",
        seeds: xep_commands::sim::seeds,
        dictionary: xep_commands::sim::dictionary,
        smoke_secs: 60,
    },
    Machine {
        target: "negotiation-machine",
        krate: "xep_negotiation",
        func: "sim::fuzz",
        what: "a XEP-0114 Component and ComponentServer over real bytes, with decisions, timeouts, stanzas and closes out of turn: one outcome per end, only the right secret authenticated, no past deadline",
        seeds: xep_negotiation::sim::seeds,
        dictionary: xep_negotiation::sim::dictionary,
        // A small input space: coverage stops growing quickly.
        smoke_secs: 30,
    },
    Machine {
        target: "negotiation-client-machine",
        krate: "xep_negotiation",
        func: "sim::client::fuzz",
        what: "an RFC 6120 Client against a model server (STARTTLS, SASL through xep-sasl, bind) over real bytes, with errors, closes, stanzas and time out of turn: one outcome, no auth in the clear when TLS is required, ready only when the offer allows it",
        seeds: xep_negotiation::sim::client::seeds,
        dictionary: xep_negotiation::sim::client::dictionary,
        smoke_secs: 60,
    },
    Machine {
        target: "negotiation-pair-machine",
        krate: "xep_negotiation",
        func: "sim::pair::fuzz",
        what: "the RFC 6120 Client against the Server over real bytes, under any offer, policy, password, channel bindings and bind decision: both ready with the same JID or both failed for matching reasons, never ready with a wrong password or -PLUS across mismatched bindings",
        seeds: xep_negotiation::sim::pair::seeds,
        dictionary: xep_negotiation::sim::pair::dictionary,
        // Eight bytes of setup: a small input space.
        smoke_secs: 30,
    },
    Machine {
        target: "negotiation-server-machine",
        krate: "xep_negotiation",
        func: "sim::server::fuzz",
        what: "the RFC 6120 Server reading any bytes as the client's stream, under any offer (SASL2, STARTTLS, FAST, ISR, the legacy session, ANONYMOUS, Bind 2, upgrades), its caller answering every event: no panic, a well-formed stream out, one outcome, ready only as the account or the anonymous one with a mechanism offered",
        seeds: xep_negotiation::sim::server::seeds,
        dictionary: xep_negotiation::sim::server::dictionary,
        smoke_secs: 60,
    },
    Machine {
        target: "negotiation-s2s-machine",
        krate: "xep_negotiation",
        func: "sim::s2s::fuzz",
        what: "the s2s Initiator against the Receiver over real bytes, under any TLS policy and offer, EXTERNAL, certificate, dialback secret and verdict, bidi and limits: both ready for the same pair and method or both failed for matching reasons, never ready in the clear when TLS is required, with a wrong key or with a refused certificate",
        seeds: xep_negotiation::sim::s2s::seeds,
        dictionary: xep_negotiation::sim::s2s::dictionary,
        // Four bytes of setup: a small input space.
        smoke_secs: 30,
    },
];

/// Converter targets: (target, crate, function, fixture subdirectory, what
/// it checks). The function (behind the crate's `sim` feature) takes the
/// bytes and asserts a round trip; `fixtures/<crate>/<subdirectory>/*`
/// seed the corpus.
pub const CONVERTERS: &[(&str, &str, &str, &str, &str)] = &[(
    "jingle-sdp",
    "xep_jingle",
    "sdp::fuzz",
    "sdp",
    "SDP → Jingle contents → SDP → the same contents, or a clean error",
)];

/// Every target: one per crate, `stream`, the state machines and the
/// converters.
fn all_targets() -> Vec<String> {
    let mut targets: Vec<String> = crates()
        .keys()
        .map(|k| target_name(k).to_string())
        .collect();
    targets.push("stream".into());
    targets.extend(MACHINES.iter().map(|m| m.target.to_string()));
    targets.extend(CONVERTERS.iter().map(|(t, ..)| t.to_string()));
    targets
}

/// The crates of the registry (`xep_forms`, ...), each with its element
/// descriptions.
fn crates() -> BTreeMap<String, Vec<&'static ElementDesc>> {
    let mut out: BTreeMap<String, Vec<&'static ElementDesc>> = BTreeMap::new();
    for info in xep_check::registry().entries() {
        let krate = crate_of((info.type_name)());
        out.entry(krate).or_default().extend((info.descriptions)());
    }
    out
}

fn crate_of(type_name: &str) -> String {
    type_name
        .split("::")
        .next()
        .unwrap_or(type_name)
        .to_string()
}

fn target_name(krate: &str) -> &str {
    krate.strip_prefix("xep_").unwrap_or(krate)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The generated files: path relative to the repository, content.
fn generated() -> Vec<(PathBuf, String)> {
    let crates = crates();
    let mut files = Vec::new();
    let mut manifest = String::from(
        "# Generated by `cargo xtask fuzz-gen`; do not edit.\n\
         [package]\nname = \"xep-fuzz\"\nversion = \"0.0.0\"\npublish = false\nedition = \"2024\"\n\n\
         [package.metadata]\ncargo-fuzz = true\n\n\
         # Its own workspace, excluded from the main one.\n[workspace]\nmembers = [\".\"]\n\n\
         [dependencies]\nlibfuzzer-sys = \"0.4\"\n\
         xep = { path = \"../crates/xep\", features = [\"full\"] }\n\
         xep-testkit = { path = \"../crates/xep-testkit\" }\n\
         xep-element = { path = \"../crates/xep-element\" }\n",
    );
    for krate in crates.keys() {
        if krate != "xep_element" {
            let dir = krate.replace('_', "-");
            let features = if MACHINES.iter().any(|m| m.krate == krate)
                || CONVERTERS.iter().any(|(_, k, ..)| k == krate)
            {
                ", features = [\"sim\"]"
            } else {
                ""
            };
            let _ = writeln!(
                manifest,
                "{dir} = {{ path = \"../crates/{dir}\"{features} }}"
            );
        }
    }
    for t in &all_targets() {
        let _ = write!(
            manifest,
            "\n[[bin]]\nname = \"{t}\"\npath = \"fuzz_targets/{t}.rs\"\ntest = false\ndoc = false\nbench = false\n"
        );
    }
    files.push((PathBuf::from("fuzz/Cargo.toml"), manifest));
    for krate in crates.keys() {
        let t = target_name(krate);
        let with_core = if krate == "xep_core" {
            String::new()
        } else {
            "\n        .with(xep_core::ELEMENTS)".into()
        };
        files.push((
            PathBuf::from(format!("fuzz/fuzz_targets/{t}.rs")),
            format!(
                "// Generated by `cargo xtask fuzz-gen`; do not edit.\n\
                 //! Bytes → an element of `{krate}` (with stanza envelopes) → bytes.\n\
                 #![no_main]\n\n\
                 use std::sync::LazyLock;\n\n\
                 use libfuzzer_sys::fuzz_target;\n\
                 use xep_element::Registry;\n\n\
                 static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {{\n    Registry::new(){with_core}\n        .with({krate}::ELEMENTS)\n}});\n\n\
                 fuzz_target!(|data: &[u8]| xep_testkit::fuzz::element(&REGISTRY, data));\n"
            ),
        ));
    }
    files.push((
        PathBuf::from("fuzz/fuzz_targets/stream.rs"),
        "// Generated by `cargo xtask fuzz-gen`; do not edit.\n\
         //! Bytes in two chunks → the sans-IO stream reader; the split must not\n\
         //! change the events.\n\
         #![no_main]\n\n\
         use std::sync::LazyLock;\n\n\
         use libfuzzer_sys::fuzz_target;\n\
         use xep_element::Registry;\n\n\
         static REGISTRY: LazyLock<Registry> = LazyLock::new(xep::registry);\n\n\
         fuzz_target!(|data: &[u8]| xep_testkit::fuzz::stream(&REGISTRY, data));\n"
            .to_string(),
    ));
    for Machine {
        target: t,
        krate,
        func,
        what,
        ..
    } in MACHINES
    {
        files.push((
            PathBuf::from(format!("fuzz/fuzz_targets/{t}.rs")),
            format!(
                "// Generated by `cargo xtask fuzz-gen`; do not edit.\n\
                 //! Bytes → a schedule of inputs to {krate}'s state machine: {what}.\n\
                 #![no_main]\n\n\
                 use libfuzzer_sys::fuzz_target;\n\n\
                 fuzz_target!(|data: &[u8]| {krate}::{func}(std::time::Instant::now(), data));\n"
            ),
        ));
    }
    for (t, krate, func, _, what) in CONVERTERS {
        files.push((
            PathBuf::from(format!("fuzz/fuzz_targets/{t}.rs")),
            format!(
                "// Generated by `cargo xtask fuzz-gen`; do not edit.\n\
                 //! Bytes → {krate}::{func}: {what}.\n\
                 #![no_main]\n\n\
                 use libfuzzer_sys::fuzz_target;\n\n\
                 fuzz_target!(|data: &[u8]| {krate}::{func}(data));\n"
            ),
        ));
    }
    files
}

/// `fuzz-gen [--check]`.
pub fn gen_task(check: bool) -> bool {
    let root = root();
    let mut drift = Vec::new();
    for (path, content) in generated() {
        let full = root.join(&path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        if current == content {
            continue;
        }
        if check {
            drift.push(path.display().to_string());
        } else {
            if let Some(dir) = full.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            if let Err(e) = std::fs::write(&full, content) {
                eprintln!("{}: {e}", full.display());
                return false;
            }
            eprintln!("wrote {}", path.display());
        }
    }
    if !drift.is_empty() {
        eprintln!(
            "generated fuzz files are out of date (run `cargo xtask fuzz-gen`): {}",
            drift.join(", ")
        );
        return false;
    }
    // Crash fixtures are replayed by the tests of the target's crate, so
    // a folder under the wrong name would never run.
    let misplaced = misplaced_fixtures(&root);
    if !misplaced.is_empty() {
        eprintln!("misplaced crash fixtures: {}", misplaced.join(", "));
        return false;
    }
    true
}

/// `fuzz-seed [XEPS_DIR]`.
pub fn seed_task(xeps: Option<PathBuf>) -> bool {
    let root = root();
    let registry = xep_check::registry();
    let crates = crates();
    let mut seeds: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    let add = |el: &xep_element::minidom::Element, seeds: &mut BTreeMap<String, Vec<Vec<u8>>>| {
        let Some(info) = registry.lookup(&el.ns(), el.name()) else {
            return;
        };
        let mut bytes = Vec::new();
        if el.write_to(&mut bytes).is_err() {
            return;
        }
        let t = target_name(&crate_of((info.type_name)())).to_string();
        // Every registered descendant, on its own, seeds its crate.
        fn descend(
            registry: &xep_element::Registry,
            el: &xep_element::minidom::Element,
            seeds: &mut BTreeMap<String, Vec<Vec<u8>>>,
        ) {
            for child in el.children() {
                if let Some(ci) = registry.lookup(&child.ns(), child.name()) {
                    let mut b = Vec::new();
                    if child.write_to(&mut b).is_ok() {
                        let ct = target_name(&crate_of((ci.type_name)())).to_string();
                        seeds.entry(ct).or_default().push(b);
                    }
                }
                descend(registry, child, seeds);
            }
        }
        descend(&registry, el, seeds);
        let mut stream = vec![0u8];
        stream.extend_from_slice(
            b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>",
        );
        stream.extend_from_slice(&bytes);
        seeds.entry("stream".into()).or_default().push(stream);
        seeds.entry(t).or_default().push(bytes);
    };
    // Fixtures.
    for krate in std::fs::read_dir(root.join("fixtures"))
        .into_iter()
        .flatten()
        .flatten()
    {
        for f in std::fs::read_dir(krate.path().join("valid"))
            .into_iter()
            .flatten()
            .flatten()
        {
            if let Ok(el) = std::fs::read_to_string(f.path())
                .unwrap_or_default()
                .parse::<xep_element::minidom::Element>()
            {
                add(&el, &mut seeds);
            }
        }
    }
    // XEP examples.
    let dir = xeps.unwrap_or_else(xep_check::default_xeps_dir);
    if dir.is_dir() {
        for f in xep_check::collect_inputs(&[dir]).unwrap_or_default() {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            for ex in xep_check::extract::extract_examples(&text, None) {
                for item in xep_check::extract::parse_items(&ex) {
                    if let xep_check::extract::Parsed::Element(Ok(el)) = item.parsed {
                        add(&el, &mut seeds);
                    }
                }
            }
        }
    } else {
        eprintln!(
            "NOTICE: {} is absent; seeding from the fixtures only",
            dir.display()
        );
    }
    // State machines: the scenarios of their crates' scripted tests,
    // encoded as schedules (each crate's sim::seeds).
    let mut named: Vec<(String, String, Vec<u8>)> = Vec::new();
    for m in MACHINES {
        for (name, bytes) in (m.seeds)() {
            named.push((m.target.to_string(), format!("seed-{name}"), bytes));
        }
    }
    // Converters: their fixture files, as they are.
    for (t, krate, _, sub, _) in CONVERTERS {
        let list = seeds.entry(t.to_string()).or_default();
        let dir = root
            .join("fixtures")
            .join(krate.replace('_', "-"))
            .join(sub);
        for f in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if let Ok(bytes) = std::fs::read(f.path()) {
                list.push(bytes);
            }
        }
    }
    // Every target: the inputs that crashed it once (its crash fixtures).
    for (t, files) in crash_fixtures(&root) {
        for (path, bytes) in files {
            let name = path.file_name().unwrap().to_string_lossy();
            named.push((t.clone(), format!("crash-{name}"), bytes));
        }
    }
    for t in seeds.keys().chain(named.iter().map(|(t, ..)| t)) {
        if std::fs::create_dir_all(root.join("fuzz/corpus").join(t)).is_err() {
            return false;
        }
    }
    for (t, list) in &seeds {
        let d = root.join("fuzz/corpus").join(t);
        for s in list {
            let _ = std::fs::write(d.join(format!("{:016x}", fnv1a(s))), s);
        }
        eprintln!("fuzz/corpus/{t}: {} seeds", list.len());
    }
    for (t, name, bytes) in &named {
        let _ = std::fs::write(root.join("fuzz/corpus").join(t).join(name), bytes);
    }
    for m in MACHINES {
        let n = named.iter().filter(|(t, ..)| t == m.target).count();
        eprintln!("fuzz/corpus/{}: {n} seeds", m.target);
    }
    let dict_dir = root.join("fuzz/dict");
    let _ = std::fs::create_dir_all(&dict_dir);
    let mut all = Vec::new();
    for (krate, descs) in &crates {
        let words = dictionary(descs);
        all.extend(words.iter().cloned());
        let _ = std::fs::write(
            dict_dir.join(format!("{}.dict", target_name(krate))),
            render(&words),
        );
    }
    all.sort();
    all.dedup();
    let _ = std::fs::write(dict_dir.join("stream.dict"), render(&all));
    // State machines: each kind of input as the bytes their decoder reads.
    for m in MACHINES {
        let mut entries = (m.dictionary)();
        entries.sort();
        entries.dedup();
        let _ = std::fs::write(
            dict_dir.join(format!("{}.dict", m.target)),
            render_bytes(&entries),
        );
    }
    // Converters: the line keys and words of their seeds.
    for (t, ..) in CONVERTERS {
        let mut words = Vec::new();
        for s in seeds.get(*t).into_iter().flatten() {
            for line in String::from_utf8_lossy(s).lines() {
                if let Some((key, _)) = line.split_once(':') {
                    words.push(format!("{key}:"));
                }
                words.extend(
                    line.split([' ', ':', ';', '/', '='])
                        .filter(|w| !w.is_empty() && w.len() <= 24)
                        .map(str::to_string),
                );
            }
        }
        words.sort();
        words.dedup();
        let _ = std::fs::write(dict_dir.join(format!("{t}.dict")), render(&words));
    }
    true
}

fn dictionary(descs: &[&'static ElementDesc]) -> Vec<String> {
    let mut words = Vec::new();
    for d in descs {
        if let NsDesc::Fixed(ns) = d.ns {
            words.push(format!("xmlns='{ns}'"));
        }
        words.push(format!("<{}", d.name));
        words.push(format!("</{}>", d.name));
        for a in d.attrs {
            words.push(format!(" {}='", a.name));
            words.extend(a.value.values.iter().map(|v| format!("'{v}'")));
        }
        for c in d.children {
            match c.kind {
                ChildKind::Text { name, .. } | ChildKind::Flag { name, .. } => {
                    words.push(format!("<{name}>"));
                }
                ChildKind::Element(_) | ChildKind::Any => {}
            }
        }
    }
    words.sort();
    words.dedup();
    words
}

fn render(words: &[String]) -> String {
    let mut out = String::from("# Generated by `cargo xtask fuzz-seed`.\n");
    for w in words {
        let esc: String = w
            .chars()
            .flat_map(|c| match c {
                '"' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let _ = writeln!(out, "\"{esc}\"");
    }
    out
}

/// A libFuzzer dictionary of byte strings: printable ASCII as is, other
/// bytes (and the quote and backslash) escaped.
fn render_bytes(entries: &[Vec<u8>]) -> String {
    let mut out = String::from("# Generated by `cargo xtask fuzz-seed`.\n");
    for e in entries {
        out.push('"');
        for &b in e {
            match b {
                b'"' | b'\\' => {
                    out.push('\\');
                    out.push(char::from(b));
                }
                0x20..=0x7e => out.push(char::from(b)),
                _ => {
                    let _ = write!(out, "\\x{b:02x}");
                }
            }
        }
        out.push_str("\"\n");
    }
    out
}

/// The crash fixtures of every target: `fixtures/<crate>/fuzz/<target>/*`
/// (the `.md` notes aside), by target.
fn crash_fixtures(root: &Path) -> BTreeMap<String, Vec<(PathBuf, Vec<u8>)>> {
    let mut out: BTreeMap<String, Vec<(PathBuf, Vec<u8>)>> = BTreeMap::new();
    for krate in std::fs::read_dir(root.join("fixtures"))
        .into_iter()
        .flatten()
        .flatten()
    {
        for target in std::fs::read_dir(krate.path().join("fuzz"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let t = target.file_name().to_string_lossy().into_owned();
            let list = out.entry(t).or_default();
            for f in std::fs::read_dir(target.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let p = f.path();
                if p.is_file()
                    && p.extension().is_none_or(|x| x != "md")
                    && let Ok(bytes) = std::fs::read(&p)
                {
                    list.push((p, bytes));
                }
            }
            list.sort();
        }
    }
    out
}

/// The crate whose fixtures hold a target's crash inputs
/// (`fixtures/<crate>/fuzz/<target>/`): the crate of a crate's target, of
/// a state machine or of a converter; xep-core for `stream` (its stream
/// reader).
fn fixture_crate(target: &str) -> Option<String> {
    if target == "stream" {
        return Some("xep-core".into());
    }
    if let Some(m) = MACHINES.iter().find(|m| m.target == target) {
        return Some(m.krate.replace('_', "-"));
    }
    if let Some((_, krate, ..)) = CONVERTERS.iter().find(|(t, ..)| *t == target) {
        return Some(krate.replace('_', "-"));
    }
    crates()
        .keys()
        .find(|k| target_name(k) == target)
        .map(|k| k.replace('_', "-"))
}

/// The crash fixture folders that name no target, or sit under another
/// crate than the target's.
fn misplaced_fixtures(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for krate in std::fs::read_dir(root.join("fixtures"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let k = krate.file_name().to_string_lossy().into_owned();
        for target in std::fs::read_dir(krate.path().join("fuzz"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let t = target.file_name().to_string_lossy().into_owned();
            match fixture_crate(&t) {
                Some(c) if c == k => {}
                Some(c) => out.push(format!(
                    "fixtures/{k}/fuzz/{t} (belongs under fixtures/{c}/fuzz/{t})"
                )),
                None => out.push(format!("fixtures/{k}/fuzz/{t} (no such fuzz target)")),
            }
        }
    }
    out
}

fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `fuzz-smoke [SECONDS [MACHINE_SECONDS]]`: `cargo fuzz run <target>` on
/// every generated target for a bounded time (with `RUSTC_BOOTSTRAP=1`, so
/// the stable toolchain builds the sanitizer flags cargo-fuzz passes), from
/// its corpus and with its dictionary. The crate, stream and converter
/// targets run `seconds` each; the state machines, whose coverage keeps
/// growing for longer, run their own [`Machine::smoke_secs`] (or
/// `machine_seconds` when given) with [`MACHINE_FLAGS`].
pub fn smoke_task(seconds: u32, machine_seconds: Option<u32>) -> bool {
    let root = root();
    let mut failed = Vec::new();
    let targets = all_targets();
    let secs = |t: &str| match MACHINES.iter().find(|m| m.target == t) {
        Some(m) => machine_seconds.unwrap_or(m.smoke_secs),
        None => seconds,
    };
    let total: u32 = targets.iter().map(|t| secs(t)).sum();
    eprintln!(
        "fuzz-smoke: {} targets, {} s of fuzzing in all",
        targets.len(),
        total
    );
    for t in targets {
        let seconds = secs(&t);
        let corpus = root.join("fuzz/corpus").join(&t);
        let _ = std::fs::create_dir_all(&corpus);
        let dict = root.join("fuzz/dict").join(format!("{t}.dict"));
        let mut cmd =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(root.join("fuzz"))
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", "--sanitizer", "none", &t])
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"));
        if dict.is_file() {
            cmd.arg(format!("-dict={}", dict.display()));
        }
        if MACHINES.iter().any(|m| m.target == t) {
            cmd.args(MACHINE_FLAGS);
        }
        eprintln!("+ cargo fuzz run {t} ({seconds} s)");
        if !cmd.status().is_ok_and(|s| s.success()) {
            eprintln!("fuzz target {t} failed");
            failed.push(t);
        }
    }
    // CI keeps only the tail of the output: name the failures last, with
    // each input libFuzzer saved, so a crash found there can be replayed.
    if !failed.is_empty() {
        eprintln!("fuzz-smoke: {} target(s) failed:", failed.len());
        for t in &failed {
            let dir = root.join("fuzz/artifacts").join(t);
            eprintln!("  {t} (artifacts in {})", dir.display());
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let data = std::fs::read(entry.path()).unwrap_or_default();
                let hex: String = data.iter().take(4096).map(|b| format!("{b:02x}")).collect();
                eprintln!(
                    "    {} ({} bytes): {hex}",
                    entry.file_name().to_string_lossy(),
                    data.len()
                );
            }
        }
    }
    failed.is_empty()
}
