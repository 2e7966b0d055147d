//! Memory kept by parsed stanzas, per input byte: xep-core's typed values
//! (envelope and every registered payload) beside minidom trees and
//! xmpp-parsers 0.23 typed values, on the corpus of the `stanzas` bench.
//!
//! `cargo bench -p xep-check --bench memory`. A counting global allocator
//! measures the bytes still allocated after every stanza of the corpus has
//! been parsed and kept (the input strings are allocated before counting
//! starts). Printed as bytes and as a multiple of the input size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use xep_core::Stanza;
use xep_element::{Payload, XmlElement};

mod common;
use common::{corpus, xp_parse};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counter is only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Bytes still allocated by the values `f` builds from every stanza.
fn kept<T>(stanzas: &[String], f: impl Fn(&str) -> Option<T>) -> (usize, usize) {
    let mut out: Vec<T> = Vec::with_capacity(stanzas.len());
    let before = LIVE.load(Ordering::Relaxed);
    for s in stanzas {
        if let Some(v) = f(s) {
            out.push(v);
        }
    }
    let after = LIVE.load(Ordering::Relaxed);
    // The Vec's own buffer was allocated before counting: only what the
    // values own is measured.
    let n = out.len();
    drop(out);
    ((after - before).max(0) as usize, n)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to configure.
    let registry = xep_check::registry();
    let stanzas = corpus(&registry);
    let input: usize = stanzas.iter().map(String::len).sum();
    println!(
        "corpus: {} stanzas, {} bytes, mean {} bytes",
        stanzas.len(),
        input,
        input / stanzas.len().max(1)
    );
    // The stanzas whose payloads are all typed by the registry: there the
    // figure is that of typed values alone, without minidom payloads.
    let typed: Vec<String> = stanzas
        .iter()
        .filter(|s| {
            Stanza::from_xml_with(s.as_bytes(), &registry).is_ok_and(|st| {
                let payloads = match &st {
                    Stanza::Message(m) => &m.payloads,
                    Stanza::Presence(p) => &p.payloads,
                    Stanza::Iq(i) => &i.payloads,
                };
                payloads.iter().all(|p| matches!(p, Payload::Typed(_)))
            })
        })
        .cloned()
        .collect();
    let typed_input: usize = typed.iter().map(String::len).sum();
    let rows: [(&str, (usize, usize), usize); 6] = [
        (
            "xep-core (all)",
            kept(&stanzas, |s| {
                Stanza::from_xml_with(s.as_bytes(), &registry).ok()
            }),
            input,
        ),
        (
            "minidom (all)",
            kept(&stanzas, |s| s.parse::<minidom::Element>().ok()),
            input,
        ),
        ("xmpp-parsers (all)", kept(&stanzas, xp_parse), input),
        (
            "xep-core (fully typed)",
            kept(&typed, |s| {
                Stanza::from_xml_with(s.as_bytes(), &registry).ok()
            }),
            typed_input,
        ),
        (
            "minidom (fully typed)",
            kept(&typed, |s| s.parse::<minidom::Element>().ok()),
            typed_input,
        ),
        (
            "xmpp-parsers (fully typed)",
            kept(&typed, xp_parse),
            typed_input,
        ),
    ];
    println!(
        "fully typed: {} stanzas whose payloads are all typed, {} bytes",
        typed.len(),
        typed_input
    );
    println!(
        "{:<28} {:>12} {:>8} {:>8}",
        "kept values", "bytes", "values", "× input"
    );
    for (name, (bytes, n), input) in rows {
        println!(
            "{:<28} {:>12} {:>8} {:>8.2}",
            name,
            bytes,
            n,
            bytes as f64 / input as f64
        );
    }
}
