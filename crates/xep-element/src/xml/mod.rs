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

/// Limits that bound what one element may cost a parser, whichever path it
/// takes: bytes ([`XmlReader`], and so `XmlElement::from_xml`), a DOM
/// element ([`crate::DomSource`], and so `XmlElement::from_element`), or a
/// stream (`xep_core::StreamReader`, whose defaults these are). Input
/// beyond a limit is an [`crate::ErrorKind::Limit`] error, the same on
/// every path.
///
/// Every field is a plain number; set the ones to change and take the
/// rest from the default:
///
/// ```
/// use xep_element::xml::Limits;
///
/// let roomy = Limits { max_bytes: 10 << 20, ..Limits::default() };
/// assert_eq!(roomy.max_depth, Limits::default().max_depth);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input, in bytes (RFC 6120 §13.12: servers announce and
    /// enforce a stanza size limit; 256 KiB is the common one, and the
    /// default). Not checked on the DOM path, whose element is already in
    /// memory.
    pub max_bytes: usize,
    /// Deepest nesting, the element itself being depth 1. The default,
    /// [`DEFAULT_MAX_DEPTH`] (64), is far beyond what any XEP nests, and
    /// its deepest input parses within a 2 MiB thread stack in debug
    /// builds too (tested), where each level of the generated parsers
    /// takes kilobytes of stack.
    pub max_depth: usize,
    /// Most attributes on one element (namespace declarations not
    /// counted). Default 128.
    pub max_attributes: usize,
    /// Most namespace declarations on one element. Default 64.
    pub max_namespace_declarations: usize,
    /// Most child elements of one element. Default 16384.
    pub max_children: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 256 * 1024,
            max_depth: DEFAULT_MAX_DEPTH,
            max_attributes: 128,
            max_namespace_declarations: 64,
            max_children: 16 * 1024,
        }
    }
}

impl Limits {
    /// The error for nesting deeper than `max_depth`, the same text on
    /// every path.
    pub(crate) fn depth_error(&self) -> crate::Error {
        crate::Error::limit(format!(
            "elements nest deeper than {} levels",
            self.max_depth
        ))
    }

    /// The error for more than `max_children` child elements.
    pub(crate) fn children_error(&self, parent: &str) -> crate::Error {
        crate::Error::limit(format!(
            "<{parent}> has more than {} child elements",
            self.max_children
        ))
    }

    /// The error for more than `max_attributes` attributes.
    pub(crate) fn attributes_error(&self, element: &str) -> crate::Error {
        crate::Error::limit(format!(
            "<{element}> has more than {} attributes",
            self.max_attributes
        ))
    }
}

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
