//! `cargo xtask doap [--check]`: the project's DOAP file (`doap.xml`, the
//! XSF's `xmpp:SupportedXep` list) and the README's supported-XEP table,
//! both generated from one list: the XEPs of the registered elements (by
//! the crate of their type), and the XEPs implemented without elements
//! ([`WITHOUT_ELEMENTS`]). The version of each XEP is its source
//! document's latest revision (`../shared/xeps`); its status is
//! `complete` when the checker passes or explains every example of an
//! implemented namespace (no `fail`), else `partial`. With `--check`,
//! fails when either file differs from what it would write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use xep_check::{Checker, Expectations, Status};

/// XEPs implemented by code rather than elements: (XEP, crate, what).
const WITHOUT_ELEMENTS: &[(u32, &str, &str)] = &[
    (
        106,
        "xep-escape",
        "JID escaping, with the XEP's tables and examples as tests",
    ),
    (157, "xep-info", "the serverinfo form as a typed view"),
    (185, "xep-negotiation", "dialback keys"),
    (201, "xep-core", "thread helpers, chat sessions by thread"),
    (232, "xep-info", "the softwareinfo form as a typed view"),
    (
        392,
        "xep-color",
        "consistent colours, with the XEP's test vectors",
    ),
    (393, "xep-styling", "the styling parser"),
    (
        411,
        "xep-bookmarks",
        "conversion between private XML and PEP bookmarks",
    ),
    (426, "xep-message", "character counting"),
    (474, "xep-sasl", "SCRAM downgrade protection"),
];

/// One supported XEP.
#[derive(Debug, Clone)]
struct Supported {
    xep: u32,
    crates: Vec<String>,
    version: String,
    complete: bool,
    /// The checker's counts on its examples.
    examples: String,
    /// What is implemented, for XEPs without elements.
    what: Option<String>,
}

impl Supported {
    /// The DOAP note: crates, what, counts.
    fn note(&self) -> String {
        let what = self
            .what
            .as_deref()
            .map(|w| format!(": {w}"))
            .unwrap_or_default();
        format!("{}{what} ({})", self.crates.join(", "), self.examples)
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The latest revision's version of a XEP source document.
fn version_of(text: &str) -> Option<String> {
    let rev = text.find("<revision>")?;
    let rest = &text[rev..];
    let start = rest.find("<version>")? + "<version>".len();
    let end = rest[start..].find("</version>")?;
    Some(rest[start..start + end].trim().to_string())
}

fn supported(xeps: &Path) -> Vec<Supported> {
    let registry = xep_check::registry();
    let mut by_xep: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for info in registry.entries() {
        let Some(n) = info
            .spec
            .strip_prefix("XEP-")
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let krate = (info.type_name)()
            .split("::")
            .next()
            .unwrap_or_default()
            .replace('_', "-");
        let list = by_xep.entry(n).or_default();
        if !list.contains(&krate) {
            list.push(krate);
        }
    }
    let mut notes: BTreeMap<u32, String> = BTreeMap::new();
    for (n, krate, what) in WITHOUT_ELEMENTS {
        by_xep.entry(*n).or_default().push((*krate).to_string());
        notes.insert(*n, (*what).to_string());
    }
    let expectations = std::fs::read_to_string(xep_check::default_expectations_path())
        .ok()
        .and_then(|t| Expectations::parse(&t).ok())
        .unwrap_or_default();
    let checker = Checker::new(expectations);
    by_xep
        .into_iter()
        .map(|(xep, mut crates)| {
            crates.sort();
            let path = xeps.join(format!("xep-{xep:04}.xml"));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let examples = xep_check::extract::extract_examples_with(
                &text,
                Some(xep),
                &xep_check::extract::Entities::beside(&text, path.parent()),
            );
            let results = checker.check_examples(&format!("xep-{xep:04}.xml"), &examples);
            let fails = results.iter().filter(|r| r.status == Status::Fail).count();
            let passes = results.iter().filter(|r| r.status == Status::Pass).count();
            let explained = results
                .iter()
                .filter(|r| r.status == Status::ExpectedFail)
                .count();
            let mut examples = format!("{passes} examples pass, {explained} explained");
            if fails > 0 {
                examples.push_str(&format!(", {fails} fail"));
            }
            Supported {
                xep,
                crates,
                version: version_of(&text).unwrap_or_else(|| "unknown".into()),
                complete: fails == 0,
                examples,
                what: notes.get(&xep).cloned(),
            }
        })
        .collect()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn doap(list: &[Supported]) -> String {
    let mut out = String::from(
        "<?xml version='1.0' encoding='UTF-8'?>\n\
         <!-- Generated by `cargo xtask doap` from the registry and the XEP documents; do not edit. -->\n\
         <rdf:RDF xmlns='http://usefulinc.com/ns/doap#'\n\
         \x20        xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'\n\
         \x20        xmlns:xmpp='https://linkmauve.fr/ns/xmpp-doap#'>\n\
         \x20 <Project>\n\
         \x20   <name>xep-rs</name>\n\
         \x20   <shortdesc>The XMPP wire protocol as small, sans-IO Rust crates</shortdesc>\n\
         \x20   <description>Typed, strict and lossless elements for RFC 6120, RFC 6121 and the XEPs, with sans-IO state machines where the protocols have state.</description>\n\
         \x20   <programming-language>Rust</programming-language>\n\
         \x20   <license rdf:resource='https://www.mozilla.org/en-US/MPL/2.0/'/>\n\
         \x20   <implements rdf:resource='https://xmpp.org/rfcs/rfc6120.html'/>\n\
         \x20   <implements rdf:resource='https://xmpp.org/rfcs/rfc6121.html'/>\n\
         \x20   <implements rdf:resource='https://xmpp.org/rfcs/rfc7395.html'/>\n",
    );
    for s in list {
        out.push_str(&format!(
            "    <implements>\n      <xmpp:SupportedXep>\n        \
             <xmpp:xep rdf:resource='https://xmpp.org/extensions/xep-{:04}.html'/>\n        \
             <xmpp:status>{}</xmpp:status>\n        \
             <xmpp:version>{}</xmpp:version>\n        \
             <xmpp:since>0.1.0</xmpp:since>\n        \
             <xmpp:note>{}</xmpp:note>\n      </xmpp:SupportedXep>\n    </implements>\n",
            s.xep,
            if s.complete { "complete" } else { "partial" },
            esc(&s.version),
            esc(&s.note())
        ));
    }
    out.push_str("  </Project>\n</rdf:RDF>\n");
    out
}

const START: &str = "<!-- supported-xeps: generated by `cargo xtask doap` -->";
const END: &str = "<!-- /supported-xeps -->";

fn table(list: &[Supported]) -> String {
    let mut out = format!(
        "{START}\n| XEP | version | status | crate | examples | note |\n|---|---|---|---|---|---|\n"
    );
    for s in list {
        out.push_str(&format!(
            "| [XEP-{:04}](https://xmpp.org/extensions/xep-{:04}.html) | {} | {} | {} | {} | {} |\n",
            s.xep,
            s.xep,
            s.version,
            if s.complete { "complete" } else { "partial" },
            s.crates
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
            s.examples,
            s.what.as_deref().unwrap_or_default()
        ));
    }
    out.push_str(END);
    out
}

/// The task: writes (or with `check` compares) `doap.xml` and the README's
/// table.
pub fn task(check: bool) -> bool {
    let xeps = xep_check::default_xeps_dir();
    if !xeps.join("xep-0001.xml").exists() {
        eprintln!(
            "doap: {} not found: the versions and statuses need the XEP documents",
            xeps.display()
        );
        return false;
    }
    let list = supported(&xeps);
    let doap_path = root().join("doap.xml");
    let readme_path = root().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap_or_default();
    let (Some(a), Some(b)) = (readme.find(START), readme.find(END)) else {
        eprintln!("doap: README.md has no supported-XEP markers ({START} ... {END})");
        return false;
    };
    let new_readme = format!(
        "{}{}{}",
        &readme[..a],
        table(&list),
        &readme[b + END.len()..]
    );
    let new_doap = doap(&list);
    if check {
        let old_doap = std::fs::read_to_string(&doap_path).unwrap_or_default();
        let ok = old_doap == new_doap && readme == new_readme;
        if !ok {
            eprintln!(
                "doap.xml or the README's supported-XEP table is stale: run `cargo xtask doap`"
            );
        }
        return ok;
    }
    let ok = std::fs::write(&doap_path, new_doap).is_ok()
        && std::fs::write(&readme_path, new_readme).is_ok();
    eprintln!(
        "wrote doap.xml and the README's table: {} XEPs, {} complete",
        list.len(),
        list.iter().filter(|s| s.complete).count()
    );
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_the_latest_revision() {
        let doc = "<header><revision><version>1.2.0</version><date>2024</date></revision>\
                   <revision><version>1.1.0</version></revision></header>";
        assert_eq!(version_of(doc).as_deref(), Some("1.2.0"));
        assert_eq!(version_of("<header/>"), None);
    }
}
