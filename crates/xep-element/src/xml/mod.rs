//! Bytes in and out: the strict reader and its namespace context.
//!
//! [`XmlReader`] is the fast path from bytes to typed values: a pull
//! tokenizer that checks XML 1.0 well-formedness and Namespaces in XML 1.0
//! within the restricted XML of RFC 6120 §11.1, and implements
//! [`crate::Source`]. [`scan::ElementScanner`] finds where an element ends in
//! a byte stream fed in arbitrary chunks, so a stream reader knows when a
//! stanza is complete. The writer is [`crate::XmlWriter`].

mod chars;
mod reader;
pub mod scan;

pub use chars::{is_ncname, is_xml_char};
pub use reader::{DEFAULT_MAX_DEPTH, StartTag, XmlReader, parse_start_tag};

/// The namespaces in scope where an element starts: the default namespace
/// and the declared prefixes (for stanzas, those of the stream header).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NsContext {
    /// The default namespace (empty: none).
    pub default: String,
    /// Declared prefixes and their namespaces, outermost first.
    pub prefixes: Vec<(String, String)>,
}

impl NsContext {
    /// A context with `default` as default namespace and no prefixes.
    pub fn new(default: &str) -> Self {
        NsContext {
            default: default.to_string(),
            prefixes: Vec::new(),
        }
    }

    /// Adds a prefix declaration.
    #[must_use]
    pub fn with_prefix(mut self, prefix: &str, uri: &str) -> Self {
        self.prefixes.push((prefix.to_string(), uri.to_string()));
        self
    }
}

#[cfg(test)]
mod tests;
