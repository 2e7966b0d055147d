//! Differential run against xmpp-parsers 0.23: every element of the XEP
//! examples (top level and nested) that both libraries implement is parsed
//! by both; where both accept, their serializations must be equivalent
//! (`xep_element::equivalent`).
//!
//! `cargo run --release -p xep-check --example differential [-- --list] [XEPS_DIR]`
//!
//! Prints, per XEP, the counts of agree / disagree / only ours / only
//! theirs / both reject, then (with `--list`) each disagreement and
//! one-sided acceptance with both sides' verdicts. `differential.md` beside
//! this crate's manifest explains each kind of disagreement and which side
//! the specification supports.

use std::collections::BTreeMap;

use xep_element::minidom::Element;

type Theirs = fn(&Element) -> Result<Element, String>;

macro_rules! xp {
    ($($t:ty),+) => {
        |el: &Element| -> Result<Element, String> {
            let mut errors = Vec::new();
            $(
                match <$t>::try_from(el.clone()) {
                    Ok(v) => return Ok(Element::from(v)),
                    Err(e) => errors.push(format!("{e:?}")),
                }
            )+
            Err(errors.join("; "))
        }
    };
}

/// The elements xmpp-parsers 0.23 also implements, by (namespace, name).
fn theirs(ns: &str, name: &str) -> Option<Theirs> {
    use xmpp_parsers as xp;
    Some(match (ns, name) {
        ("jabber:client", "message") => xp!(xp::message::Message),
        ("jabber:client", "presence") => xp!(xp::presence::Presence),
        ("jabber:client", "iq") => xp!(xp::iq::Iq),
        ("jabber:client", "error") => xp!(xp::stanza_error::StanzaError),
        ("jabber:iq:roster", "query") => xp!(xp::roster::Roster),
        ("urn:ietf:params:xml:ns:xmpp-bind", "bind") => {
            xp!(xp::bind::BindResponse, xp::bind::BindQuery)
        }
        ("urn:ietf:params:xml:ns:xmpp-sasl", "auth") => xp!(xp::sasl::Auth),
        ("urn:ietf:params:xml:ns:xmpp-sasl", "challenge") => xp!(xp::sasl::Challenge),
        ("urn:ietf:params:xml:ns:xmpp-sasl", "response") => xp!(xp::sasl::Response),
        ("urn:ietf:params:xml:ns:xmpp-sasl", "success") => xp!(xp::sasl::Success),
        ("urn:ietf:params:xml:ns:xmpp-sasl", "failure") => xp!(xp::sasl::Failure),
        ("urn:ietf:params:xml:ns:xmpp-sasl", "abort") => xp!(xp::sasl::Abort),
        ("urn:ietf:params:xml:ns:xmpp-framing", "open") => xp!(xp::websocket::Open),
        ("urn:xmpp:ping", "ping") => xp!(xp::ping::Ping),
        ("http://jabber.org/protocol/disco#info", "query") => {
            xp!(xp::disco::DiscoInfoResult, xp::disco::DiscoInfoQuery)
        }
        ("http://jabber.org/protocol/disco#items", "query") => {
            xp!(xp::disco::DiscoItemsResult, xp::disco::DiscoItemsQuery)
        }
        ("jabber:x:data", "x") => xp!(xp::data_forms::DataForm),
        ("http://jabber.org/protocol/xdata-validate", "validate") => {
            xp!(xp::data_forms_validate::Validate)
        }
        ("urn:xmpp:media-element", "media") => xp!(xp::media_element::MediaElement),
        ("http://jabber.org/protocol/caps", "c") => xp!(xp::caps::Caps),
        ("urn:xmpp:caps", "c") => xp!(xp::ecaps2::ECaps2),
        ("urn:xmpp:hashes:2", "hash") => xp!(xp::hashes::Hash),
        ("http://jabber.org/protocol/rsm", "set") => {
            xp!(xp::rsm::SetResult, xp::rsm::SetQuery)
        }
        ("urn:xmpp:delay", "delay") => xp!(xp::delay::Delay),
        ("urn:xmpp:forward:0", "forwarded") => xp!(xp::forwarding::Forwarded),
        ("urn:xmpp:sm:3", "a") => xp!(xp::sm::A),
        ("urn:xmpp:sm:3", "r") => xp!(xp::sm::R),
        ("urn:xmpp:sm:3", "enable") => xp!(xp::sm::Enable),
        ("urn:xmpp:sm:3", "enabled") => xp!(xp::sm::Enabled),
        ("urn:xmpp:sm:3", "failed") => xp!(xp::sm::Failed),
        ("urn:xmpp:sm:3", "resume") => xp!(xp::sm::Resume),
        ("urn:xmpp:sm:3", "resumed") => xp!(xp::sm::Resumed),
        ("urn:xmpp:sm:3", "sm") => xp!(xp::sm::StreamManagement),
        _ => return None,
    })
}

#[derive(Default)]
struct Counts {
    agree: usize,
    disagree: usize,
    only_ours: usize,
    only_theirs: usize,
    both_reject: usize,
}

fn walk(el: &Element, out: &mut Vec<Element>) {
    out.push(el.clone());
    for c in el.children() {
        walk(c, out);
    }
}

fn main() {
    let mut list = false;
    let mut dir = xep_check::default_xeps_dir();
    for a in std::env::args().skip(1) {
        if a == "--list" {
            list = true;
        } else {
            dir = a.into();
        }
    }
    if !dir.is_dir() {
        eprintln!("NOTICE: {} is absent; nothing to compare", dir.display());
        return;
    }
    let registry = xep_check::registry();
    let mut per_xep: BTreeMap<u32, Counts> = BTreeMap::new();
    let mut findings = Vec::new();
    for f in xep_check::collect_inputs(&[dir]).unwrap_or_default() {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let xep = xep_check::extract::xep_number_from_path(&f).unwrap_or(0);
        for ex in xep_check::extract::extract_examples(&text, Some(xep)) {
            for item in xep_check::extract::parse_items(&ex) {
                let xep_check::extract::Parsed::Element(Ok(top)) = item.parsed else {
                    continue;
                };
                let mut all = Vec::new();
                walk(&top, &mut all);
                for el in all {
                    let (ns, name) = (el.ns(), el.name().to_string());
                    let Some(theirs_fn) = theirs(&ns, &name) else {
                        continue;
                    };
                    // Elided examples are no input to compare.
                    if registry.lookup(&ns, &name).is_none()
                        || xep_check::extract::element_has_placeholder(&el)
                    {
                        continue;
                    }
                    let ours = registry
                        .parse_dom(&el)
                        .map_err(|e| e.to_string())
                        .map(|v| v.expect("registered").to_dom());
                    let theirs = theirs_fn(&el);
                    let c = per_xep.entry(xep).or_default();
                    let verdict = match (&ours, &theirs) {
                        (Ok(a), Ok(b)) => match xep_element::equivalent(a, b) {
                            Ok(()) => {
                                c.agree += 1;
                                None
                            }
                            Err(d) => {
                                c.disagree += 1;
                                Some(format!("values differ: {d}"))
                            }
                        },
                        (Ok(_), Err(e)) => {
                            c.only_ours += 1;
                            Some(format!("only ours accepts; xmpp-parsers: {e}"))
                        }
                        (Err(e), Ok(_)) => {
                            c.only_theirs += 1;
                            Some(format!("only xmpp-parsers accepts; ours: {e}"))
                        }
                        (Err(_), Err(_)) => {
                            c.both_reject += 1;
                            None
                        }
                    };
                    if let Some(v) = verdict {
                        findings.push(format!(
                            "XEP-{xep:04} example {} (line {}) {{{ns}}}{name}: {v}",
                            ex.index, item.line
                        ));
                    }
                }
            }
        }
    }
    println!(
        "{:<10} {:>6} {:>9} {:>9} {:>12} {:>11}",
        "document", "agree", "disagree", "only-ours", "only-theirs", "both-reject"
    );
    let mut total = Counts::default();
    for (xep, c) in &per_xep {
        println!(
            "XEP-{xep:04}   {:>6} {:>9} {:>9} {:>12} {:>11}",
            c.agree, c.disagree, c.only_ours, c.only_theirs, c.both_reject
        );
        total.agree += c.agree;
        total.disagree += c.disagree;
        total.only_ours += c.only_ours;
        total.only_theirs += c.only_theirs;
        total.both_reject += c.both_reject;
    }
    println!(
        "total      {:>6} {:>9} {:>9} {:>12} {:>11}",
        total.agree, total.disagree, total.only_ours, total.only_theirs, total.both_reject
    );
    if list {
        for f in findings {
            println!("{f}");
        }
    }
}
