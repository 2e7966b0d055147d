//! The fuzz properties of `xep-testkit` ([`element`](xep_testkit::fuzz::element), [`stream`](xep_testkit::fuzz::stream), ...),
//! with the registry each generated element or stream target parses with,
//! so that the crash inputs kept under `fixtures/<crate>/fuzz/<target>/`
//! replay exactly as the target ran them.

use xep_element::Registry;
pub use xep_testkit::fuzz::*;

/// The registry the generated fuzz target `target` parses with (see
/// `cargo xtask fuzz-gen`): for a crate's target (the crate's name
/// without `xep_`), the stanza envelopes of xep-core and that crate's
/// elements; for `stream`, every crate ([`crate::registry`]). `None` for
/// any other name (the state-machine and converter targets run their
/// crate's own functions).
pub fn target_registry(target: &str) -> Option<Registry> {
    let all = crate::registry();
    if target == "stream" {
        return Some(all);
    }
    let krate = format!("xep_{target}");
    let mut registry = match target {
        "core" => Registry::new(),
        _ => Registry::new().with(xep_core::ELEMENTS),
    };
    let mut found = false;
    for info in all.entries() {
        if (info.type_name)().split("::").next() == Some(krate.as_str()) {
            registry.add(std::slice::from_ref(*info));
            found = true;
        }
    }
    found.then_some(registry)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crate_target_has_the_envelopes_and_exactly_its_crate() {
        let muc = target_registry("muc").expect("muc is a target");
        assert_eq!(
            muc.entries().len(),
            xep_core::ELEMENTS.len() + xep::muc::ELEMENTS.len()
        );
        for info in xep::muc::ELEMENTS {
            assert!(
                muc.entries().iter().any(|e| std::ptr::eq(*e, info)),
                "{}",
                (info.type_name)()
            );
        }
        let core = target_registry("core").expect("core is a target");
        assert_eq!(core.entries().len(), xep_core::ELEMENTS.len());
        assert!(target_registry("stream").is_some());
        assert!(target_registry("sm-machine").is_none());
        assert!(target_registry("muc-machine").is_none());
        assert!(!run_target("jingle-sdp", b"v=0"));
    }
}
