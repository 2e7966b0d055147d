//! XML Schemas: generated from the element model, extracted from the XEPs,
//! compared, and (feature `libxml`) used to validate examples.
//!
//! - [`generate`]: one schema per implemented namespace from the element
//!   descriptions the derive emits (`cargo xtask xsd` writes them to `xsd/`).
//! - [`extract`]: the `<xs:schema>` blocks of a XEP document; [`Corpus`]:
//!   those of a directory of documents, by namespace, with the reference
//!   schema of each.
//! - [`model`] and [`diff`]: both kinds of schema read into one simple model
//!   (per element: attributes, children with cardinality, text) and
//!   compared (`xep-check schema-diff`).
//! - [`triage`]: the one format of the project's triage files (expected
//!   failures, recorded differences, triaged disagreements).
//! - `validate` (feature `libxml`): examples against the XEPs' schemas with
//!   libxml2, giving a [`SchemaVerdict`].
//!
//! Everything but `validate` is plain Rust; only the `libxml` feature links
//! libxml2 (and needs libxml2-dev, libclang-dev and pkg-config to build).
//!
//! ```
//! let doc = "<xep><section2 topic='Schema'><code><![CDATA[
//! <xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'
//!     targetNamespace='urn:example:ping' elementFormDefault='qualified'>
//!   <xs:element name='ping'><xs:complexType/></xs:element>
//! </xs:schema>
//! ]]></code></section2></xep>";
//! let schemas = xep_schema::extract::extract_schemas(doc, Some(9999));
//! assert_eq!(schemas[0].target_ns, "urn:example:ping");
//! let model = xep_schema::model::read_schema(&schemas[0].text).unwrap();
//! assert!(model.elements.contains_key("ping"));
//! ```

#![warn(missing_docs)]

mod corpus;
pub mod diff;
pub mod entities;
pub mod extract;
pub mod generate;
pub mod model;
pub mod triage;
#[cfg(feature = "libxml")]
pub mod validate;
mod verdict;

pub use corpus::{Corpus, rfc_namespace};
pub use verdict::{SchemaStatus, SchemaVerdict};
