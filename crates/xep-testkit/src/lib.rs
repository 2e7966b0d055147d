//! Test support shared by the workspace's tests and fuzz targets, in pure
//! Rust (no system library):
//!
//! - [`fuzz`]: the properties the fuzz targets of `fuzz/` check (bytes →
//!   element → bytes gives an equal value by both the byte and the DOM
//!   path; splitting a stream does not change its events), so that `cargo
//!   test` runs them over the fixtures too;
//! - [`arbitrary`]: elements generated from the descriptions the derive
//!   emits, and proptest strategies of them;
//! - [`stanza`]: a message, iq or presence from XML text, panicking with
//!   the input and the reason (the helper every crate's tests had a copy
//!   of).
//!
//! ```
//! use xep_element::{Registry, XmlElement};
//!
//! let registry = Registry::new().with(xep_core::ELEMENTS);
//! // A registered element that parses: the round trip must hold.
//! assert!(xep_testkit::fuzz::round_trip(
//!     &registry,
//!     b"<message xmlns='jabber:client' to='a@example.com'><body>hi</body></message>",
//! ));
//! // Anything else is rejected quietly.
//! assert!(!xep_testkit::fuzz::round_trip(&registry, b"<not-xml"));
//! let desc = &<xep_core::Message as XmlElement>::descriptions()[0];
//! let generated = xep_testkit::arbitrary::element_from(desc, 7);
//! assert!(generated.starts_with("<message"));
//! ```

#![warn(missing_docs)]

pub mod arbitrary;
pub mod fuzz;
pub mod stanza;
