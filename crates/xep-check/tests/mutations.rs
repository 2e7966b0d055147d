//! Property tests generated from the XEP examples: every registered element
//! of `../shared/xeps` is mutated (children dropped, duplicated or
//! swapped; attributes removed, set to another value of their enumeration
//! or to a random string; foreign attributes and children added; text
//! changed) and dispatched through the registry. The baseline is every
//! registered example element that parses and round-trips unmutated. The
//! properties:
//!
//! - no input panics;
//! - an accepted element round-trips losslessly (DOM path and byte path,
//!   `xep_check::round_trip`);
//! - a rejected element's error path starts at the element itself.
//!
//! Skips with a notice when `../shared/xeps` is absent. The case count is
//! `PROPTEST_CASES` (default 512) and shrinking is bounded.

use std::sync::OnceLock;

use proptest::prelude::*;
use xep_check::extract::{Parsed, extract_examples, parse_items};
use xep_element::ElementDesc;
use xep_element::{Registry, minidom};

/// A plain tree, easy to mutate and to write back as XML.
#[derive(Debug, Clone)]
struct Node {
    ns: String,
    name: String,
    attrs: Vec<(String, String, String)>,
    children: Vec<Child>,
}

#[derive(Debug, Clone)]
enum Child {
    El(Node),
    Text(String),
}

impl Node {
    fn from_dom(el: &minidom::Element) -> Node {
        Node {
            ns: el.ns(),
            name: el.name().to_string(),
            attrs: el
                .attrs()
                .iter()
                .map(|((ns, n), v)| (ns.to_string(), n.to_string(), v.to_string()))
                .collect(),
            children: el
                .nodes()
                .map(|n| match n {
                    minidom::Node::Element(e) => Child::El(Node::from_dom(e)),
                    minidom::Node::Text(t) => Child::Text(t.clone()),
                })
                .collect(),
        }
    }

    fn count(&self) -> usize {
        1 + self
            .children
            .iter()
            .map(|c| match c {
                Child::El(n) => n.count(),
                Child::Text(_) => 0,
            })
            .sum::<usize>()
    }

    /// The `i`-th element in document order (0 is `self`).
    fn nth(&mut self, i: usize) -> &mut Node {
        fn go(n: &mut Node, i: &mut usize) -> Option<*mut Node> {
            if *i == 0 {
                return Some(n as *mut Node);
            }
            *i -= 1;
            for c in &mut n.children {
                if let Child::El(e) = c
                    && let Some(p) = go(e, i)
                {
                    return Some(p);
                }
            }
            None
        }
        let mut k = i % self.count();
        let p = go(self, &mut k).expect("index is below count");
        // SAFETY: `p` points into `self`, which is borrowed mutably for the
        // returned lifetime; no other reference to it exists.
        unsafe { &mut *p }
    }

    fn write(&self, parent_ns: &str, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        if self.ns != parent_ns {
            out.push_str(" xmlns='");
            escape(&self.ns, out);
            out.push('\'');
        }
        for (i, (ns, name, value)) in self.attrs.iter().enumerate() {
            out.push(' ');
            if ns == "http://www.w3.org/XML/1998/namespace" {
                out.push_str("xml:");
            } else if !ns.is_empty() {
                out.push_str(&format!("xmlns:a{i}='"));
                escape(ns, out);
                out.push_str(&format!("' a{i}:"));
            }
            out.push_str(name);
            out.push_str("='");
            escape(value, out);
            out.push('\'');
        }
        out.push('>');
        for c in &self.children {
            match c {
                Child::El(n) => n.write(&self.ns, out),
                Child::Text(t) => escape(t, out),
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
}

fn escape(s: &str, out: &mut String) {
    for ch in s.chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    DropChild(usize),
    DuplicateChild(usize),
    SwapChildren(usize, usize),
    RemoveAttr(usize),
    EnumAttr(usize, usize),
    RandomAttr(usize, String),
    ForeignAttr(String),
    ForeignChild,
    OwnNsChild(String),
    Text(String),
}

fn mutation() -> impl Strategy<Value = (usize, Mutation)> {
    let text = "[a-zA-Z0-9 @/.:_<&'-]{0,12}";
    let m = prop_oneof![
        any::<usize>().prop_map(Mutation::DropChild),
        any::<usize>().prop_map(Mutation::DuplicateChild),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapChildren(a, b)),
        any::<usize>().prop_map(Mutation::RemoveAttr),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::EnumAttr(a, b)),
        (any::<usize>(), text).prop_map(|(a, s)| Mutation::RandomAttr(a, s)),
        text.prop_map(Mutation::ForeignAttr),
        Just(Mutation::ForeignChild),
        "[a-z]{1,8}".prop_map(Mutation::OwnNsChild),
        text.prop_map(Mutation::Text),
    ];
    (any::<usize>(), m)
}

fn desc_of(reg: &Registry, n: &Node) -> Option<&'static ElementDesc> {
    let info = reg.lookup(&n.ns, &n.name)?;
    (info.descriptions)()
        .iter()
        .find(|d| d.matches(&n.ns, &n.name))
}

fn apply(reg: &Registry, root: &mut Node, (at, m): &(usize, Mutation)) {
    let n = root.nth(*at);
    let kids: Vec<usize> = (0..n.children.len())
        .filter(|&i| matches!(n.children[i], Child::El(_)))
        .collect();
    let pick = |i: usize| kids.get(i % kids.len().max(1)).copied();
    match m {
        Mutation::DropChild(i) => {
            if let Some(k) = pick(*i) {
                n.children.remove(k);
            }
        }
        Mutation::DuplicateChild(i) => {
            if let Some(k) = pick(*i) {
                let c = n.children[k].clone();
                n.children.insert(k, c);
            }
        }
        Mutation::SwapChildren(a, b) => {
            if let (Some(a), Some(b)) = (pick(*a), pick(*b)) {
                n.children.swap(a, b);
            }
        }
        Mutation::RemoveAttr(i) => {
            if !n.attrs.is_empty() {
                let k = i % n.attrs.len();
                n.attrs.remove(k);
            }
        }
        Mutation::EnumAttr(i, v) => {
            if let Some(d) = desc_of(reg, n) {
                let enums: Vec<_> = d
                    .attrs
                    .iter()
                    .filter(|a| !a.value.values.is_empty())
                    .collect();
                if !enums.is_empty() {
                    let a = enums[i % enums.len()];
                    let value = a.value.values[v % a.value.values.len()].to_string();
                    n.attrs
                        .retain(|(ns, name, _)| !(ns == a.ns && name == a.name));
                    n.attrs.push((a.ns.to_string(), a.name.to_string(), value));
                }
            }
        }
        Mutation::RandomAttr(i, s) => {
            if !n.attrs.is_empty() {
                let k = i % n.attrs.len();
                n.attrs[k].2 = s.clone();
            }
        }
        Mutation::ForeignAttr(s) => {
            n.attrs.retain(|(ns, _, _)| ns != "urn:example:mutation");
            n.attrs
                .push(("urn:example:mutation".into(), "m".into(), s.clone()));
        }
        Mutation::ForeignChild => n.children.push(Child::El(Node {
            ns: "urn:example:mutation".into(),
            name: "extra".into(),
            attrs: vec![("".into(), "k".into(), "v".into())],
            children: vec![Child::Text("x".into())],
        })),
        Mutation::OwnNsChild(name) => n.children.push(Child::El(Node {
            ns: n.ns.clone(),
            name: name.clone(),
            attrs: Vec::new(),
            children: Vec::new(),
        })),
        Mutation::Text(s) => {
            n.children.retain(|c| matches!(c, Child::El(_)));
            n.children.insert(0, Child::Text(s.clone()));
        }
    }
}

struct Corpus {
    registry: Registry,
    elements: Vec<Node>,
}

fn corpus() -> Option<&'static Corpus> {
    static C: OnceLock<Option<Corpus>> = OnceLock::new();
    C.get_or_init(|| {
        let dir = xep_check::default_xeps_dir();
        if !dir.is_dir() {
            eprintln!(
                "NOTICE: {} is absent; the example mutation properties are skipped",
                dir.display()
            );
            return None;
        }
        let registry = xep_check::registry();
        let mut elements = Vec::new();
        for f in xep_check::collect_inputs(&[dir]).unwrap_or_default() {
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            for ex in extract_examples(&text, None) {
                for item in parse_items(&ex) {
                    if let Parsed::Element(Ok(el)) = item.parsed
                        && registry.lookup(&el.ns(), el.name()).is_some()
                        && matches!(registry.parse_dom(&el), Ok(Some(_)))
                        // Examples that fail as they are (listed in the
                        // expectations file) are no baseline.
                        && xep_check::round_trip(&registry, &el).is_ok()
                    {
                        elements.push(Node::from_dom(&el));
                    }
                }
            }
        }
        eprintln!(
            "mutation corpus: {} registered example elements",
            elements.len()
        );
        assert!(
            elements.len() > 1000,
            "too few registered example elements: {}",
            elements.len()
        );
        Some(Corpus { registry, elements })
    })
    .as_ref()
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_examples_round_trip_or_fail_with_a_path(
        pick in any::<usize>(),
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let Some(c) = corpus() else { return Ok(()) };
        let mut node = c.elements[pick % c.elements.len()].clone();
        for m in &muts {
            apply(&c.registry, &mut node, m);
        }
        let mut xml = String::new();
        node.write("", &mut xml);
        let el: minidom::Element = match xml.parse() {
            Ok(el) => el,
            // A mutation made it ill-formed for minidom (e.g. a duplicate
            // attribute): nothing to check.
            Err(_) => return Ok(()),
        };
        match c.registry.parse_dom(&el) {
            Ok(Some(_)) => {
                let rt = xep_check::round_trip(&c.registry, &el);
                prop_assert!(rt.is_ok(), "accepted but not lossless: {:?}\n{}", rt, xml);
            }
            Ok(None) => prop_assert!(false, "no longer registered: {}", xml),
            Err(e) => {
                let path = e.path();
                prop_assert!(
                    path == node.name || path.starts_with(&format!("{}/", node.name)),
                    "error path '{}' is not inside <{}>: {}\n{}", path, node.name, e, xml
                );
            }
        }
    }
}
