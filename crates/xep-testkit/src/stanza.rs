//! Stanzas from XML text, for tests: each panics with the input and the
//! parser's error when the text is not that stanza, so that a test's
//! fixture mistake reads as one.
//!
//! ```
//! let m = xep_testkit::stanza::message(
//!     "<message xmlns='jabber:client' to='juliet@example.com'><body>hi</body></message>",
//! );
//! assert_eq!(m.body(None), Some("hi"));
//! ```

use xep_core::{Iq, Message, Presence};
use xep_element::XmlElement;

fn parse<T: XmlElement>(xml: &str) -> T {
    T::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"))
}

/// The `<message/>` of `xml`.
///
/// # Panics
/// When `xml` is not a message that parses.
pub fn message(xml: &str) -> Message {
    parse(xml)
}

/// The `<iq/>` of `xml`.
///
/// # Panics
/// When `xml` is not an iq that parses.
pub fn iq(xml: &str) -> Iq {
    parse(xml)
}

/// The `<presence/>` of `xml`.
///
/// # Panics
/// When `xml` is not a presence that parses.
pub fn presence(xml: &str) -> Presence {
    parse(xml)
}
