//! Elements generated from the descriptions the derive emits: for any
//! registered type, [`element_from`] writes an element that follows its
//! [`ElementDesc`] (names and namespaces, required attributes always and
//! optional ones sometimes, enumerated values from the enumeration, typed
//! values of the attribute's XML Schema type, children within their
//! cardinality, text), so that most generated elements are valid by
//! construction and the property `parse(serialize(v)) == v` is exercised on
//! values of every type, not only on the XEP examples
//! (`tests/typed_round_trip.rs`, with [`strategy`] under proptest).
//!
//! Rules across fields (`#[xml(validate = ...)]`) are not in the
//! descriptions, so some generated elements are rejected; the test counts
//! them and requires every type to accept some.

use std::fmt::Write as _;

use proptest::prelude::*;
use xep_element::{AttrDesc, ChildDesc, ChildKind, ElementDesc, NsDesc, ValueDesc};

/// A small deterministic generator (xorshift64*), so that a seed names an
/// element and proptest shrinks towards small seeds.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value).
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next_u64() % den < num
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Strings that are also valid JIDs (most strings of XMPP name
/// entities; a JID-typed value has its own example).
const JIDS: &[&str] = &[
    "juliet@capulet.example/balcony",
    "room@chat.shakespeare.example",
    "capulet.example",
    "romeo@montague.example",
    "pubsub.shakespeare.example",
];
/// Other strings: free text, with characters that need escaping.
const TEXTS: &[&str] = &["hello", "Wherefore art thou? ☃", "a & b < c", "x"];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('\'', "&apos;")
        .replace('"', "&quot;")
}

/// A value of `v`: from the enumeration when there is one (sometimes
/// another value when it is open), else a typical value of its schema
/// type.
pub fn value(v: &ValueDesc, rng: &mut Rng) -> String {
    let other_value = v.open && rng.chance(1, 8);
    if !v.values.is_empty() && !other_value {
        return rng.pick(v.values).to_string();
    }
    if let Some(e) = v.example
        && rng.chance(7, 8)
    {
        return e.to_string();
    }
    let s = match v.xsd_type {
        "xs:boolean" => *rng.pick(&["true", "false", "1", "0"]),
        "xs:byte"
        | "xs:short"
        | "xs:int"
        | "xs:long"
        | "xs:integer"
        | "xs:unsignedByte"
        | "xs:unsignedShort"
        | "xs:unsignedInt"
        | "xs:unsignedLong"
        | "xs:nonNegativeInteger" => *rng.pick(&["0", "1", "7", "42", "100"]),
        "xs:positiveInteger" => *rng.pick(&["1", "7", "42"]),
        "xs:decimal" | "xs:double" => *rng.pick(&["0", "1.5", "42", "-3.25"]),
        "xs:dateTime" => *rng.pick(&[
            "2026-11-30T12:34:56Z",
            "2002-09-10T23:08:25.123Z",
            "1969-07-21T02:56:15Z",
        ]),
        "xs:date" => *rng.pick(&["2026-11-30", "1776-07-04"]),
        "xs:time" => *rng.pick(&["12:34:56Z", "23:08:25.123Z"]),
        "xs:language" => *rng.pick(&["en", "de-CH", "fr"]),
        "xs:anyURI" => *rng.pick(&["urn:example:x", "https://example.org/a"]),
        "xs:base64Binary" => *rng.pick(&["AAEC", "aGVsbG8=", ""]),
        _ => {
            if rng.chance(3, 4) {
                *rng.pick(JIDS)
            } else {
                *rng.pick(TEXTS)
            }
        }
    };
    s.to_string()
}

fn ns_of(ns: &NsDesc, parent: &str) -> String {
    match ns {
        NsDesc::Fixed(u) => u.to_string(),
        NsDesc::Content if matches!(parent, "jabber:server" | "jabber:component:accept") => {
            parent.to_string()
        }
        NsDesc::Content => "jabber:client".into(),
    }
}

fn attribute(a: &AttrDesc, rng: &mut Rng, out: &mut String) {
    let v = escape(&value(&a.value, rng));
    match a.ns {
        "" => {
            let _ = write!(out, " {}='{v}'", a.name);
        }
        xep_element::ns::XML => {
            let _ = write!(out, " xml:{}='{v}'", a.name);
        }
        ns => {
            let _ = write!(out, " xmlns:a0='{}' a0:{}='{v}'", escape(ns), a.name);
        }
    }
}

fn count(c: &ChildDesc, depth: usize, rng: &mut Rng) -> u32 {
    let max = c.max.unwrap_or(3).min(if depth > 3 { c.min } else { 3 });
    if max <= c.min {
        return c.min;
    }
    c.min + rng.below((max - c.min + 1) as usize) as u32
}

fn write_element(d: &ElementDesc, parent_ns: &str, depth: usize, rng: &mut Rng, out: &mut String) {
    let ns = ns_of(&d.ns, parent_ns);
    let _ = write!(out, "<{} xmlns='{}'", d.name, escape(&ns));
    for a in d.attrs {
        if a.required || rng.chance(1, 2) {
            attribute(a, rng, out);
        }
    }
    out.push('>');
    if let Some(t) = &d.text {
        out.push_str(&escape(&value(t, rng)));
    }
    for c in d.children {
        for _ in 0..count(c, depth, rng) {
            match c.kind {
                ChildKind::Element(descs) => {
                    let ds = descs();
                    if !ds.is_empty() {
                        write_element(rng.pick(ds), &ns, depth + 1, rng, out);
                    }
                }
                ChildKind::Text {
                    ns: tns,
                    name,
                    value: v,
                } => {
                    let _ = write!(
                        out,
                        "<{name} xmlns='{}'>{}</{name}>",
                        escape(&ns_of(&tns, &ns)),
                        escape(&value(&v, rng))
                    );
                }
                ChildKind::Flag { ns: fns, name } => {
                    let _ = write!(out, "<{name} xmlns='{}'/>", escape(&ns_of(&fns, &ns)));
                }
                ChildKind::Any => {
                    let _ = write!(
                        out,
                        "<ext xmlns='urn:example:extension' n='{}'><inner>t</inner></ext>",
                        rng.below(10)
                    );
                }
            }
        }
    }
    let _ = write!(out, "</{}>", d.name);
}

/// An element following `desc`, chosen by `seed`.
pub fn element_from(desc: &ElementDesc, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::new();
    write_element(desc, "", 0, &mut rng, &mut out);
    out
}

/// A proptest strategy of elements following `desc`.
pub fn strategy(desc: &'static ElementDesc) -> impl Strategy<Value = String> {
    any::<u64>().prop_map(move |seed| element_from(desc, seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_ping_is_a_ping() {
        let d = &<xep_ping::Ping as xep_element::XmlElement>::descriptions()[0];
        assert_eq!(element_from(d, 1), "<ping xmlns='urn:xmpp:ping'></ping>");
    }

    #[test]
    fn values_follow_enumerations_and_types() {
        let mut rng = Rng::new(3);
        let closed = ValueDesc {
            xsd_type: "xs:string",
            values: &["a", "b"],
            open: false,
            example: None,
        };
        for _ in 0..50 {
            assert!(["a", "b"].contains(&value(&closed, &mut rng).as_str()));
        }
        let int = ValueDesc {
            xsd_type: "xs:unsignedInt",
            values: &[],
            open: false,
            example: None,
        };
        for _ in 0..50 {
            assert!(value(&int, &mut rng).parse::<u32>().is_ok());
        }
    }
}
