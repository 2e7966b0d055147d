//! Bytes to typed stanza and back: xep-core beside xmpp-parsers 0.23 on the
//! same stanzas, built at run time from the examples in `../shared/xeps`
//! (every message, presence and iq that both libraries accept), or from
//! `fixtures/` when that folder is absent.
//!
//! `cargo bench -p xep-check --bench stanzas`; criterion reports MB/s.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use xep_core::Stanza;
use xep_element::XmlElement;

mod common;
use common::{XpTyped, corpus, xp_parse};

fn bench(c: &mut Criterion) {
    let registry = xep_check::registry();
    let stanzas = corpus(&registry);
    let total: usize = stanzas.iter().map(String::len).sum();
    eprintln!(
        "corpus: {} stanzas, {} bytes, mean {} bytes",
        stanzas.len(),
        total,
        total / stanzas.len().max(1)
    );
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("xep-core", |b| {
        b.iter(|| {
            for s in &stanzas {
                black_box(Stanza::from_xml_with(black_box(s.as_bytes()), &registry).ok());
            }
        })
    });
    g.bench_function("xmpp-parsers", |b| {
        b.iter(|| {
            for s in &stanzas {
                black_box(xp_parse(black_box(s)));
            }
        })
    });
    g.finish();

    let ours: Vec<Stanza> = stanzas
        .iter()
        .filter_map(|s| Stanza::from_xml_with(s.as_bytes(), &registry).ok())
        .collect();
    let theirs: Vec<XpTyped> = stanzas.iter().filter_map(|s| xp_parse(s)).collect();
    let mut g = c.benchmark_group("serialize");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("xep-core", |b| {
        b.iter(|| {
            for v in &ours {
                black_box(v.to_xml());
            }
        })
    });
    g.bench_function("xmpp-parsers", |b| {
        b.iter(|| {
            for v in &theirs {
                black_box(v.to_bytes());
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
