//! The one error type of the workspace.
//!
//! An [`Error`] carries the path of the element where parsing failed (for
//! example `iq/pubsub/publish/item`) and an [`ErrorKind`] saying what was
//! wrong. Parsers build the kind at the point of failure and every enclosing
//! element adds its name on the way out (see [`Error::within`]), so the path
//! costs nothing unless an error actually happens.

use std::fmt;

/// What went wrong, independent of where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not well-formed XML (or uses XML that XMPP forbids).
    Xml {
        /// Byte offset in the input where the problem was detected.
        offset: usize,
        /// Line (1-based) of that offset.
        line: usize,
        /// Column (1-based, in bytes) of that offset.
        column: usize,
        /// What rule was broken.
        reason: String,
        /// Whether the rule is one of XMPP's restrictions on XML (RFC 6120
        /// §11.1: no comments, processing instructions, DTDs or entities
        /// beyond the predefined ones) rather than XML well-formedness. A
        /// stream answers the first with `restricted-xml`, the second with
        /// `not-well-formed`.
        restricted: bool,
    },
    /// The input is not UTF-8 (bytes that do not decode, or an XML
    /// declaration naming another encoding). RFC 6120 §11.6: XMPP is
    /// UTF-8, and a stream answers this with `unsupported-encoding`
    /// (§4.9.3.22) rather than `not-well-formed`.
    Encoding {
        /// Byte offset in the input of the first byte that is not UTF-8
        /// (of the declaration, for a declared encoding).
        offset: usize,
        /// Line (1-based) of that offset.
        line: usize,
        /// Column (1-based, in bytes) of that offset.
        column: usize,
        /// What was found.
        reason: String,
    },
    /// The element is not the one that was asked for.
    WrongElement {
        /// What the parser accepts, as `{namespace}name` (or a list).
        expected: String,
        /// What it found, as `{namespace}name`.
        found: String,
    },
    /// A required attribute is absent.
    MissingAttribute {
        /// The attribute's name (with a `prefix:` for namespaced ones).
        name: String,
    },
    /// An attribute the element does not define.
    UnknownAttribute {
        /// The attribute's name.
        name: String,
    },
    /// An attribute whose value is not acceptable.
    BadAttribute {
        /// The attribute's name.
        name: String,
        /// The value found.
        value: String,
        /// Why it is not acceptable (for enumerations: the allowed values).
        reason: String,
    },
    /// A required child element is absent.
    MissingChild {
        /// The child's name (`name` or `{namespace}name` when it differs).
        name: String,
    },
    /// A child element that may occur at most once occurs again.
    DuplicateChild {
        /// The child's name.
        name: String,
    },
    /// A child element the element does not define.
    UnexpectedChild {
        /// The child as `{namespace}name`.
        name: String,
    },
    /// Character data where the element allows none.
    UnexpectedText,
    /// Character data that is not a valid value.
    BadText {
        /// The text found.
        value: String,
        /// Why it is not acceptable.
        reason: String,
    },
    /// A limit (size, depth) was exceeded.
    Limit {
        /// Which limit and its value.
        reason: String,
    },
    /// A protocol rule above the element level was broken.
    Invalid {
        /// The rule, stated so a person can act on it.
        reason: String,
    },
}

/// An error with the element path where it happened.
///
/// Parsed from bytes, it also knows the byte offset of the place at
/// fault ([`offset`](Self::offset)): the attribute for an attribute
/// error, else the start tag of the innermost element. Two errors are
/// equal when their path and kind are: the offset is where, not what.
#[derive(Debug, Clone)]
pub struct Error {
    /// Element names from the failing element outwards (innermost first).
    rev_path: Vec<Box<str>>,
    kind: ErrorKind,
    offset: Option<usize>,
}

impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.rev_path == other.rev_path && self.kind == other.kind
    }
}

impl Eq for Error {}

impl Error {
    /// Creates an error of the given kind with an empty path.
    pub fn new(kind: ErrorKind) -> Self {
        Error {
            rev_path: Vec::new(),
            kind,
            offset: None,
        }
    }

    /// The byte offset in the input of the place at fault, when parsed
    /// from bytes (see the type's documentation); `None` from a DOM.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// Sets the offset of the place at fault, unless one is set already
    /// (the innermost place wins).
    #[must_use]
    pub fn at(mut self, offset: Option<usize>) -> Self {
        if self.offset.is_none() {
            self.offset = offset;
        }
        self
    }

    /// [`within`](Self::within) an element whose start tag is at
    /// `offset`: the offset is kept if the error has none yet.
    #[must_use]
    pub fn within_at(self, name: &str, offset: Option<usize>) -> Self {
        self.within(name).at(offset)
    }

    /// Adds an enclosing element's name to the path (the path grows outwards).
    #[must_use]
    pub fn within(mut self, name: &str) -> Self {
        self.rev_path.push(name.into());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The element path, outermost first, joined with `/` (empty when the
    /// error is not inside any element, e.g. an XML error before the root).
    pub fn path(&self) -> String {
        let mut s = String::new();
        for (i, p) in self.rev_path.iter().rev().enumerate() {
            if i > 0 {
                s.push('/');
            }
            s.push_str(p);
        }
        s
    }

    /// Shorthand for [`ErrorKind::MissingAttribute`].
    pub fn missing_attribute(name: &str) -> Self {
        Self::new(ErrorKind::MissingAttribute { name: name.into() })
    }

    /// Shorthand for [`ErrorKind::UnknownAttribute`].
    pub fn unknown_attribute(ns: &str, name: &str) -> Self {
        Self::new(ErrorKind::UnknownAttribute {
            name: qualified_attr(ns, name),
        })
    }

    /// Shorthand for [`ErrorKind::BadAttribute`].
    pub fn bad_attribute(name: &str, value: &str, reason: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadAttribute {
            name: name.into(),
            value: value.into(),
            reason: reason.into(),
        })
    }

    /// Shorthand for [`ErrorKind::MissingChild`].
    pub fn missing_child(name: &str) -> Self {
        Self::new(ErrorKind::MissingChild { name: name.into() })
    }

    /// Shorthand for [`ErrorKind::DuplicateChild`].
    pub fn duplicate_child(name: &str) -> Self {
        Self::new(ErrorKind::DuplicateChild { name: name.into() })
    }

    /// Shorthand for [`ErrorKind::UnexpectedChild`].
    pub fn unexpected_child(ns: &str, name: &str) -> Self {
        Self::new(ErrorKind::UnexpectedChild {
            name: format!("{{{ns}}}{name}"),
        })
    }

    /// Shorthand for [`ErrorKind::BadText`].
    pub fn bad_text(value: &str, reason: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadText {
            value: value.into(),
            reason: reason.into(),
        })
    }

    /// Shorthand for [`ErrorKind::Invalid`].
    pub fn invalid(reason: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid {
            reason: reason.into(),
        })
    }

    /// Shorthand for [`ErrorKind::WrongElement`].
    pub fn wrong_element(expected: impl Into<String>, ns: &str, name: &str) -> Self {
        Self::new(ErrorKind::WrongElement {
            expected: expected.into(),
            found: format!("{{{ns}}}{name}"),
        })
    }

    /// Shorthand for [`ErrorKind::Xml`], computing line and column from the
    /// input and the offset.
    pub fn xml(input: &[u8], offset: usize, reason: impl Into<String>) -> Self {
        let (offset, line, column) = position(input, offset);
        Self::new(ErrorKind::Xml {
            offset,
            line,
            column,
            reason: reason.into(),
            restricted: false,
        })
    }

    /// Shorthand for [`ErrorKind::Encoding`], with line and column as
    /// [`Error::xml`] computes them.
    pub fn encoding(input: &[u8], offset: usize, reason: impl Into<String>) -> Self {
        let (offset, line, column) = position(input, offset);
        Self::new(ErrorKind::Encoding {
            offset,
            line,
            column,
            reason: reason.into(),
        })
    }

    /// Like [`Error::xml`], for input that is well-formed XML but uses
    /// what RFC 6120 §11.1 forbids.
    pub fn restricted_xml(input: &[u8], offset: usize, reason: impl Into<String>) -> Self {
        let mut e = Self::xml(input, offset, reason);
        if let ErrorKind::Xml { restricted, .. } = &mut e.kind {
            *restricted = true;
        }
        e
    }

    /// Shorthand for [`ErrorKind::Limit`].
    pub fn limit(reason: impl Into<String>) -> Self {
        Self::new(ErrorKind::Limit {
            reason: reason.into(),
        })
    }
}

/// `offset` (clamped to the input), its line and its column, both 1-based.
fn position(input: &[u8], offset: usize) -> (usize, usize, usize) {
    let offset = offset.min(input.len());
    let before = &input[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let column = offset - memchr::memrchr(b'\n', before).map_or(0, |p| p + 1) + 1;
    (offset, line, column)
}

/// Formats an attribute name for messages: `name`, `xml:lang`, or
/// `{namespace}name`.
pub fn qualified_attr(ns: &str, name: &str) -> String {
    if ns.is_empty() {
        name.to_string()
    } else if ns == crate::ns::XML {
        format!("xml:{name}")
    } else {
        format!("{{{ns}}}{name}")
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Xml {
                line,
                column,
                reason,
                ..
            } => write!(
                f,
                "not well-formed XML at line {line}, column {column}: {reason}"
            ),
            ErrorKind::Encoding {
                line,
                column,
                reason,
                ..
            } => write!(f, "not UTF-8 at line {line}, column {column}: {reason}"),
            ErrorKind::WrongElement { expected, found } => {
                write!(f, "expected element {expected}, found {found}")
            }
            ErrorKind::MissingAttribute { name } => {
                write!(f, "missing required attribute '{name}'")
            }
            ErrorKind::UnknownAttribute { name } => {
                write!(f, "attribute '{name}' is not defined for this element")
            }
            ErrorKind::BadAttribute {
                name,
                value,
                reason,
            } => write!(f, "attribute '{name}' has bad value '{value}': {reason}"),
            ErrorKind::MissingChild { name } => write!(f, "missing required child <{name}/>"),
            ErrorKind::DuplicateChild { name } => {
                write!(f, "child <{name}/> may occur only once")
            }
            ErrorKind::UnexpectedChild { name } => {
                write!(f, "child element {name} is not defined for this element")
            }
            ErrorKind::UnexpectedText => {
                write!(f, "character data is not allowed in this element")
            }
            ErrorKind::BadText { value, reason } => {
                write!(f, "bad text content '{value}': {reason}")
            }
            ErrorKind::Limit { reason } => write!(f, "limit exceeded: {reason}"),
            ErrorKind::Invalid { reason } => f.write_str(reason),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rev_path.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "at {}: {}", self.path(), self.kind)
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_grows_outwards_and_displays() {
        let e = Error::missing_attribute("id")
            .within("item")
            .within("publish")
            .within("pubsub")
            .within("iq");
        assert_eq!(e.path(), "iq/pubsub/publish/item");
        assert_eq!(
            e.to_string(),
            "at iq/pubsub/publish/item: missing required attribute 'id'"
        );
    }

    #[test]
    fn xml_error_computes_line_and_column() {
        let input = b"<a>\n  <b>\n</a>";
        let e = Error::xml(input, 12, "mismatched end tag");
        match e.kind() {
            ErrorKind::Xml { line, column, .. } => {
                assert_eq!((*line, *column), (3, 3));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
