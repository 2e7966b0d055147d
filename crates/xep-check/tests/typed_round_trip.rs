//! `parse(serialize(v)) == v` for every registered type, on values
//! generated from the type's own description (`xep_testkit::arbitrary`):
//! a sweep of seeds per element, which must find accepted values of every
//! type, and a proptest over all of them. The property itself is
//! `xep_testkit::fuzz::round_trip` (byte path and DOM path), the one the
//! fuzz targets check.

use proptest::prelude::*;
use xep_element::ElementDesc;
use xep_testkit::arbitrary::{element_from, strategy};

/// Seeds tried per element description in the sweep.
const SEEDS: u64 = 48;
/// More seeds for a type none of the first [`SEEDS`] values passes.
const RETRY_SEEDS: u64 = 4000;

fn descriptions() -> Vec<(&'static str, &'static ElementDesc)> {
    let registry = xep_check::registry();
    let mut out = Vec::new();
    for info in registry.entries() {
        for d in (info.descriptions)() {
            out.push(((info.type_name)(), d));
        }
    }
    out
}

#[test]
fn every_registered_type_round_trips_generated_values() {
    let registry = xep_check::registry();
    let descs = descriptions();
    let mut never = Vec::new();
    let (mut tried, mut accepted) = (0usize, 0usize);
    for (ty, d) in &descs {
        let mut ok = 0;
        for seed in 0..SEEDS {
            let xml = element_from(d, seed);
            tried += 1;
            if xep_testkit::fuzz::round_trip(&registry, xml.as_bytes()) {
                ok += 1;
            }
        }
        // A type whose rules across fields the generator seldom meets
        // (XEP-0385's file needs four optional children at once) gets
        // more seeds before it counts as accepting none.
        let mut seed = SEEDS;
        while ok == 0 && seed < SEEDS + RETRY_SEEDS {
            tried += 1;
            if xep_testkit::fuzz::round_trip(&registry, element_from(d, seed).as_bytes()) {
                ok += 1;
                eprintln!("{ty}: first accepted value at seed {seed}");
            }
            seed += 1;
        }
        accepted += ok;
        if ok == 0 {
            never.push(format!("{ty} <{}>: {}", d.name, element_from(d, 0)));
        }
    }
    eprintln!(
        "{} descriptions, {tried} generated elements, {accepted} accepted ({:.1}%)",
        descs.len(),
        100.0 * accepted as f64 / tried as f64
    );
    assert!(
        never.is_empty(),
        "no generated value accepted for {} of {} descriptions:\n{}",
        never.len(),
        descs.len(),
        never.join("\n")
    );
}

fn any_description() -> impl Strategy<Value = String> {
    let all = descriptions();
    (0..all.len()).prop_flat_map(move |i| strategy(all[i].1))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, max_shrink_iters: 256, ..ProptestConfig::default() })]

    /// Any generated element of any registered type: when accepted, it
    /// round-trips through bytes and through the DOM to an equal value.
    #[test]
    fn generated_values_round_trip(xml in any_description()) {
        xep_testkit::fuzz::round_trip(&xep_check::registry(), xml.as_bytes());
    }
}
