//! Compile-fail tests of the derives' error messages (`tests/ui/*.rs`,
//! each with its expected `.stderr`), and one declaration using every
//! form that must compile (`tests/ui/pass/`).
//!
//! After a deliberate change of a message:
//! `TRYBUILD=overwrite cargo test -p xep-derive --test ui`, then review
//! the `.stderr` diffs.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
