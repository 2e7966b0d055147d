//! The properties the fuzz targets of `fuzz/` check, kept here so that
//! `cargo test` runs them over the seed corpus too.
//!
//! Each function takes arbitrary bytes and panics only when a property is
//! broken (a panic is what libFuzzer reports as a crash).

use xep_core::{StreamEvent, StreamLimits, StreamReader};
use xep_element::Registry;
use xep_element::xml::XmlReader;

/// The registry the generated fuzz target `target` parses with (see
/// `cargo xtask fuzz-gen`): for a crate's target (its name without
/// `xep_`), the stanza envelopes of xep-core and the crate's elements; for
/// `stream`, every crate. `None` for any other name (the state-machine
/// and converter targets run their crate's own functions).
pub fn target_registry(target: &str) -> Option<Registry> {
    let elements: &'static [xep_element::ElementInfo] = match target {
        "stream" => return Some(crate::registry()),
        "core" => return Some(Registry::new().with(xep_core::ELEMENTS)),
        "ping" => xep_ping::ELEMENTS,
        "forms" => xep_forms::ELEMENTS,
        "disco" => xep_disco::ELEMENTS,
        "hashes" => xep_hashes::ELEMENTS,
        "caps" => xep_caps::ELEMENTS,
        "rsm" => xep_rsm::ELEMENTS,
        "delay" => xep_delay::ELEMENTS,
        "forward" => xep_forward::ELEMENTS,
        "sm" => xep_sm::ELEMENTS,
        "muc" => xep_muc::ELEMENTS,
        "pubsub" => xep_pubsub::ELEMENTS,
        "bosh" => xep_bosh::ELEMENTS,
        "jingle" => xep_jingle::ELEMENTS,
        _ => return None,
    };
    Some(Registry::new().with(xep_core::ELEMENTS).with(elements))
}

/// Runs the property of the element or stream target `target` on `data`
/// with that target's registry ([`target_registry`]); `false` when
/// `target` is not one of those.
pub fn run_target(target: &str, data: &[u8]) -> bool {
    let Some(registry) = target_registry(target) else {
        return false;
    };
    if target == "stream" {
        stream(&registry, data);
    } else {
        element(&registry, data);
    }
    true
}

/// Parses `data` as one element with the strict reader and dispatches it
/// through `registry`. When parsing succeeds, the value is serialized,
/// parsed again, and must come back equal; its DOM form must parse to the
/// same value as well.
pub fn element(registry: &Registry, data: &[u8]) {
    round_trip(registry, data);
}

/// The property of [`element`], saying whether `data` was accepted (a
/// registered element that parses): then serializing gives bytes that
/// parse to an equal value, and the DOM path gives the same value. Panics
/// when the property does not hold.
pub fn round_trip(registry: &Registry, data: &[u8]) -> bool {
    let Some(value) = parse(registry, data) else {
        return false;
    };
    let mut w = xep_element::XmlWriter::with_default_ns("");
    value.write_xml(&mut w);
    let bytes = w.into_bytes();
    let again = parse(registry, &bytes).unwrap_or_else(|| {
        panic!(
            "serialized value does not parse again: {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    assert!(
        again.eq_dyn(&*value),
        "round trip changed the value:\n{value:?}\n{again:?}"
    );
    let dom = value.to_dom();
    match registry.parse_dom(&dom) {
        Ok(Some(v)) => assert!(v.eq_dyn(&*value), "DOM path disagrees:\n{value:?}\n{v:?}"),
        other => panic!("the DOM form does not parse: {other:?}"),
    }
    true
}

fn parse(registry: &Registry, data: &[u8]) -> Option<Box<dyn xep_element::AnyElement>> {
    let mut r = XmlReader::new(data).with_registry(registry);
    r.root().ok()?;
    let (ns, name) = xep_element::Source::name(&r);
    let info = registry.lookup(ns, name)?;
    let v = (info.parse_xml)(&mut r, Some(registry)).ok()?;
    r.finish().ok()?;
    Some(v)
}

/// Feeds `data` to a [`StreamReader`] whole and split at a point chosen by
/// the first byte; both must give the same events (or the same error), and
/// neither may panic or buffer beyond the limits.
pub fn stream(registry: &Registry, data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let limits = StreamLimits {
        max_element_size: 4096,
        max_depth: 16,
        max_header_size: 1024,
    };
    let whole = events(registry, limits, &[rest]);
    let at = if rest.is_empty() {
        0
    } else {
        first as usize % rest.len()
    };
    let split = events(registry, limits, &[&rest[..at], &rest[at..]]);
    assert_eq!(
        whole, split,
        "splitting the input at {at} changed the events"
    );
}

fn events(registry: &Registry, limits: StreamLimits, chunks: &[&[u8]]) -> Vec<String> {
    let mut reader = StreamReader::new(limits).with_registry(registry.clone());
    let mut out = Vec::new();
    for chunk in chunks {
        reader.feed(chunk);
        loop {
            assert!(
                reader.buffered() <= limits.max_element_size + limits.max_header_size + chunk.len(),
                "the reader buffers {} bytes",
                reader.buffered()
            );
            match reader.next_event() {
                Ok(Some(ev)) => {
                    let end = matches!(ev, StreamEvent::End);
                    out.push(format!("{ev:?}"));
                    if end {
                        return out;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    out.push(format!("error {e:?}"));
                    return out;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_property_holds_on_fixtures_and_rejects_garbage_quietly() {
        let reg = crate::registry();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut n = 0;
        for krate in std::fs::read_dir(root).into_iter().flatten().flatten() {
            for f in std::fs::read_dir(krate.path().join("valid"))
                .into_iter()
                .flatten()
                .flatten()
            {
                element(&reg, &std::fs::read(f.path()).unwrap());
                n += 1;
            }
        }
        assert!(n > 5, "only {n} fixtures");
        element(
            &reg,
            b"<iq xmlns='jabber:client' id='1' type='get'><a/></iq",
        );
        element(&reg, b"\xff\xfe<");
    }

    #[test]
    fn every_registered_crate_has_a_target_registry() {
        for info in crate::registry().entries() {
            let krate = (info.type_name)().split("::").next().unwrap();
            let target = krate.strip_prefix("xep_").unwrap_or(krate);
            let reg = target_registry(target)
                .unwrap_or_else(|| panic!("no registry for the fuzz target {target}"));
            for d in (info.descriptions)() {
                if let xep_element::desc::NsDesc::Fixed(ns) = d.ns {
                    assert!(
                        reg.lookup(ns, d.name).is_some(),
                        "{target}: {ns} {}",
                        d.name
                    );
                }
            }
        }
        assert!(target_registry("sm-machine").is_none());
    }

    #[test]
    fn stream_property_holds_on_a_short_stream() {
        let reg = crate::registry();
        let mut data = vec![17u8];
        data.extend_from_slice(
            b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
              xmlns:stream='http://etherx.jabber.org/streams' version='1.0' to='example.com'>\
              <message to='a@example.com'><body>hi</body></message></stream:stream>",
        );
        stream(&reg, &data);
        let ev = events(&reg, StreamLimits::default(), &[&data[1..]]);
        assert_eq!(ev.len(), 3, "{ev:?}");
    }
}
