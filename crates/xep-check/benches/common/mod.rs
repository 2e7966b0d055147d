//! The stanza corpus shared by the benchmarks: every message, presence and
//! iq of the examples in `../shared/xeps` that both xep-core and
//! xmpp-parsers 0.23 accept (or of `fixtures/` when that folder is absent).

use xep_core::Stanza;
use xep_element::{Registry, XmlElement};
use xmpp_parsers::minidom::Element as XpElement;

pub fn xp_parse(s: &str) -> Option<XpTyped> {
    let el: XpElement = s.parse().ok()?;
    match el.name() {
        "message" => xmpp_parsers::message::Message::try_from(el)
            .ok()
            .map(XpTyped::Message),
        "presence" => xmpp_parsers::presence::Presence::try_from(el)
            .ok()
            .map(XpTyped::Presence),
        "iq" => xmpp_parsers::iq::Iq::try_from(el).ok().map(XpTyped::Iq),
        _ => None,
    }
}

pub enum XpTyped {
    Message(xmpp_parsers::message::Message),
    Presence(xmpp_parsers::presence::Presence),
    Iq(xmpp_parsers::iq::Iq),
}

impl XpTyped {
    #[allow(dead_code)] // used by the `stanzas` bench only
    pub fn to_bytes(&self) -> Vec<u8> {
        let el: XpElement = match self {
            XpTyped::Message(m) => m.clone().into(),
            XpTyped::Presence(p) => p.clone().into(),
            XpTyped::Iq(i) => i.clone().into(),
        };
        let mut out = Vec::with_capacity(512);
        el.write_to(&mut out).expect("write to a Vec");
        out
    }
}

pub fn corpus(registry: &Registry) -> Vec<String> {
    let mut elements = Vec::new();
    let dir = xep_check::default_xeps_dir();
    if dir.is_dir() {
        for f in xep_check::collect_inputs(&[dir]).unwrap_or_default() {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            for ex in xep_check::extract::extract_examples(&text, None) {
                for item in xep_check::extract::parse_items(&ex) {
                    if let xep_check::extract::Parsed::Element(Ok(el)) = item.parsed {
                        elements.push(el);
                    }
                }
            }
        }
    } else {
        eprintln!("NOTICE: ../shared/xeps is absent; benchmarking the fixtures");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        for krate in std::fs::read_dir(root).into_iter().flatten().flatten() {
            for f in std::fs::read_dir(krate.path().join("valid"))
                .into_iter()
                .flatten()
                .flatten()
            {
                let text = std::fs::read_to_string(f.path()).unwrap_or_default();
                if let Ok(el) = text.parse() {
                    elements.push(el);
                }
            }
        }
    }
    let mut out = Vec::new();
    for el in elements {
        if !["message", "presence", "iq"].contains(&el.name())
            || !xep_element::ns::is_content(&el.ns())
        {
            continue;
        }
        let mut bytes = Vec::new();
        if el.write_to(&mut bytes).is_err() {
            continue;
        }
        let Ok(s) = String::from_utf8(bytes) else {
            continue;
        };
        if Stanza::from_xml_with(s.as_bytes(), registry).is_ok() && xp_parse(&s).is_some() {
            out.push(s);
        }
    }
    out
}
