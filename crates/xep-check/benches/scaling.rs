//! Growth with the size of one hostile input (issue 23): each shape is
//! built at sizes doubling from 2^11 to 2^16 items and parsed once per
//! size; the time per item must stay flat (linear growth). Where it
//! applies, xmpp-parsers 0.23 (through minidom) parses the same bytes in
//! the same run, as the anchor; an anchor that passes 5 s at one size is
//! not run at the larger ones.
//!
//! `cargo bench -p xep-check --bench scaling` (or `cargo xtask bench`).
//! Shapes:
//! - `ns-declarations`: one `<message/>` with n namespace declarations;
//! - `early-prefix`: a prefix declared first, n others after it, then n
//!   children that use the first;
//! - `bodies`: a message with n `<body/>`s of distinct `xml:lang`;
//! - `stream-feed`: n `<presence/>` given to the stream reader in one
//!   `feed`, then every event read.

use std::hint::black_box;
use std::time::{Duration, Instant};

use xep_core::Stanza;
use xep_core::{StreamLimits, StreamReader};
use xep_element::xml::Limits;
use xep_element::{Registry, XmlElement};

/// The anchor: minidom's parse and xmpp-parsers' typed message.
fn xp_parse(s: &str) -> Option<xmpp_parsers::message::Message> {
    let el: xmpp_parsers::minidom::Element = s.parse().ok()?;
    xmpp_parsers::message::Message::try_from(el).ok()
}

const HEADER: &str = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

/// Builds one input of a shape at a size.
type Shape = fn(usize) -> String;

/// Limits that let every size through: growth is what is measured here.
fn roomy() -> Limits {
    Limits {
        max_bytes: usize::MAX,
        max_depth: 64,
        max_attributes: usize::MAX,
        max_namespace_declarations: usize::MAX,
        max_children: usize::MAX,
    }
}

fn ns_declarations(n: usize) -> String {
    let mut s = String::from("<message xmlns='jabber:client'");
    for i in 0..n {
        s.push_str(&format!(" xmlns:p{i}='urn:example:{i}'"));
    }
    s + "/>"
}

fn early_prefix(n: usize) -> String {
    let mut s = String::from("<message xmlns='jabber:client' xmlns:early='urn:example:early'");
    for i in 0..n {
        s.push_str(&format!(" xmlns:p{i}='urn:example:{i}'"));
    }
    s.push('>');
    for _ in 0..n {
        s.push_str("<early:x/>");
    }
    s + "</message>"
}

fn bodies(n: usize) -> String {
    let mut s = String::from("<message xmlns='jabber:client'>");
    for i in 0..n {
        s.push_str(&format!("<body xml:lang='l{i}'>x</body>"));
    }
    s + "</message>"
}

fn presences(n: usize) -> String {
    "<presence/>".repeat(n)
}

/// Best of three runs of `f` (one, when it takes over a second).
fn time(mut f: impl FnMut()) -> Duration {
    let mut once = || {
        let t = Instant::now();
        f();
        t.elapsed()
    };
    let first = once();
    if first > Duration::from_secs(1) {
        return first;
    }
    first.min(once()).min(once())
}

/// A side that took longer than this at one size is not run at larger
/// ones (a quadratic side would take minutes).
const CAP: Duration = Duration::from_secs(5);

fn report(shape: &str, side: &str, n: usize, bytes: usize, t: Duration) {
    let ns_per_item = t.as_nanos() as f64 / n as f64;
    let mb_s = bytes as f64 / t.as_secs_f64() / 1e6;
    println!(
        "{shape:<16} {side:<13} n={n:<6} {:>9} bytes {:>10.3} ms {ns_per_item:>9.1} ns/item {mb_s:>8.1} MB/s",
        bytes,
        t.as_secs_f64() * 1e3,
    );
}

fn main() {
    let registry = xep_check::registry();
    let sizes: Vec<usize> = (11..=16).map(|k| 1 << k).collect();
    let shapes: [(&str, Shape); 3] = [
        ("ns-declarations", ns_declarations),
        ("early-prefix", early_prefix),
        ("bodies", bodies),
    ];
    for (shape, build) in shapes {
        let (mut ours_slow, mut anchor_slow) = (false, false);
        for &n in &sizes {
            let input = build(n);
            if !ours_slow {
                let t = time(|| {
                    let r = Stanza::from_xml_limited(input.as_bytes(), Some(&registry), roomy());
                    assert!(r.is_ok(), "{shape} n={n}: {:?}", r.err());
                    black_box(r.ok());
                });
                report(shape, "xep-core", n, input.len(), t);
                ours_slow = t > CAP;
            }
            if !anchor_slow {
                let t = time(|| {
                    black_box(xp_parse(black_box(&input)));
                });
                report(shape, "xmpp-parsers", n, input.len(), t);
                anchor_slow = t > CAP;
            }
        }
    }
    for &n in &sizes {
        let input = presences(n * 16);
        let t = time(|| {
            let mut r = StreamReader::new(StreamLimits::default())
                .with_registry(Registry::new().with(xep_core::ELEMENTS));
            r.feed(HEADER.as_bytes());
            r.feed(input.as_bytes());
            let mut count = 0;
            while let Ok(Some(_)) = r.next_event() {
                count += 1;
            }
            assert_eq!(count, n * 16 + 1);
        });
        report("stream-feed", "xep-core", n * 16, input.len(), t);
        if t > CAP {
            break;
        }
    }
}
