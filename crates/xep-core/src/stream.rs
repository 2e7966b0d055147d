//! The sans-IO stream reader and writer.
//!
//! [`StreamReader`] takes the bytes of an incoming XML stream in whatever
//! chunks the transport delivers and yields [`StreamEvent`]s: the stream
//! header, each top-level element (typed through a [`Registry`] when it is
//! registered), and the end of the stream. Any split of the input yields the
//! same events. Limits (element size, nesting depth, header size) and
//! violations end the stream with the [`StreamError`] RFC 6120 prescribes,
//! ready to send, instead of growing without bound. After STARTTLS or SASL
//! success, [`StreamReader::restart`] expects a new header (RFC 6120
//! §5.4.3.3, §6.4.6).
//!
//! [`StreamWriter`] serializes the header, elements and the closing tag.
//!
//! ```
//! use xep_core::stream::{StreamEvent, StreamReader};
//! use xep_core::Stanza;
//!
//! let mut r = StreamReader::new(Default::default()).with_registry(
//!     xep_element::Registry::new().with(xep_core::ELEMENTS),
//! );
//! r.feed(b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' ");
//! assert_eq!(r.next_event().unwrap(), None); // the header is not complete
//! r.feed(b"from='example.org' id='s1' version='1.0'><message><bo");
//! assert!(matches!(r.next_event().unwrap(), Some(StreamEvent::Header(_))));
//! assert_eq!(r.next_event().unwrap(), None);
//! r.feed(b"dy>hi</body></message></stream:stream>");
//! let Some(StreamEvent::Element(el)) = r.next_event().unwrap() else { panic!() };
//! assert!(matches!(el.get::<Stanza>(), Some(Ok(Stanza::Message(_)))));
//! assert_eq!(r.next_event().unwrap(), Some(StreamEvent::End));
//! ```

use xep_element::minidom;
use xep_element::xml::scan::{ElementScanner, Scan, start_tag_end};
use xep_element::xml::{NsContext, XmlReader};
use xep_element::{Error, ErrorKind, Payload, Registry, Sink, Source, XmlElement, XmlWriter, ns};

use crate::error::{StreamCondition, StreamError};
use crate::header::{ContentNs, StreamHeader};

/// Limits that protect a reader from unbounded input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamLimits {
    /// Largest top-level element, in bytes (RFC 6120 §13.12: servers
    /// announce and enforce a stanza size limit). Default 256 KiB.
    pub max_element_size: usize,
    /// Deepest nesting inside a top-level element (the element is depth 1).
    /// Default 64.
    pub max_depth: usize,
    /// Largest stream header (with its XML declaration). Default 8 KiB.
    pub max_header_size: usize,
}

impl Default for StreamLimits {
    fn default() -> Self {
        StreamLimits {
            max_element_size: 256 * 1024,
            max_depth: 64,
            max_header_size: 8 * 1024,
        }
    }
}

/// What the reader found.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// The peer's stream header (again after each restart).
    Header(StreamHeader),
    /// A top-level element: typed when the registry knows it, else a DOM
    /// element.
    Element(Payload),
    /// A well-formed top-level element whose content breaks its
    /// specification (e.g. an iq without id). The stream goes on; the
    /// caller answers it (for a stanza, usually with `bad-request`).
    Rejected {
        /// The element as received.
        element: minidom::Element,
        /// Why it was rejected, with the element path.
        error: Error,
    },
    /// The peer closed its stream (`</stream:stream>`).
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Header,
    Body,
    Ended,
    Failed,
}

/// The incremental reader (see the module docs).
pub struct StreamReader {
    buf: Vec<u8>,
    state: State,
    ctx: NsContext,
    scanner: ElementScanner,
    limits: StreamLimits,
    registry: Option<Registry>,
}

impl StreamReader {
    /// A reader with `limits`, expecting a stream header.
    pub fn new(limits: StreamLimits) -> Self {
        StreamReader {
            buf: Vec::new(),
            state: State::Header,
            ctx: NsContext::default(),
            scanner: ElementScanner::new(limits.max_depth),
            limits,
            registry: None,
        }
    }

    /// Types registered top-level elements (and their payloads) through
    /// `registry`.
    #[must_use]
    pub fn with_registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Appends received bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.state != State::Failed {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Expects a new stream header next (after STARTTLS's `<proceed/>` or
    /// SASL's `<success/>`); bytes already received stay buffered.
    pub fn restart(&mut self) {
        if self.state != State::Failed {
            self.state = State::Header;
            self.scanner.reset();
        }
    }

    /// Bytes received and not yet consumed.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next event, `Ok(None)` when more bytes are needed, or the stream
    /// error to send before closing the stream. After an error or the end,
    /// it returns `Ok(None)` forever.
    pub fn next_event(&mut self) -> Result<Option<StreamEvent>, StreamError> {
        let r = match self.state {
            State::Header => self.header(),
            State::Body => self.element(),
            State::Ended | State::Failed => Ok(None),
        };
        if r.is_err() {
            self.state = State::Failed;
            self.buf = Vec::new();
        }
        r
    }

    fn consume(&mut self, n: usize) {
        self.buf.drain(..n);
    }

    fn skip_space(&mut self) {
        let n = self
            .buf
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        if n > 0 {
            self.consume(n);
        }
    }

    fn header(&mut self) -> Result<Option<StreamEvent>, StreamError> {
        self.skip_space();
        let Some(end) = header_end(&self.buf) else {
            if self.buf.len() > self.limits.max_header_size {
                return Err(limit("the stream header exceeds the size limit"));
            }
            return Ok(None);
        };
        if end > self.limits.max_header_size {
            return Err(limit("the stream header exceeds the size limit"));
        }
        let (header, ctx) = StreamHeader::parse(&self.buf[..end]).map_err(|e| match e.kind() {
            ErrorKind::Xml { .. } => xml_error(&e),
            _ => StreamError::new(StreamCondition::InvalidNamespace, Some(&e.to_string())),
        })?;
        if let Some(v) = &header.version
            && !v.starts_with("1.")
        {
            return Err(StreamError::new(
                StreamCondition::UnsupportedVersion,
                Some("only XMPP 1.x streams are supported (RFC 6120 §4.7.5)"),
            ));
        }
        if self.buf[..end].ends_with(b"/>") {
            return Err(StreamError::new(
                StreamCondition::NotWellFormed,
                Some("the stream header is an empty element"),
            ));
        }
        self.ctx = ctx;
        self.consume(end);
        self.scanner.reset();
        self.state = State::Body;
        Ok(Some(StreamEvent::Header(header)))
    }

    fn element(&mut self) -> Result<Option<StreamEvent>, StreamError> {
        if !self.scanner.in_progress() {
            // Whitespace between elements (keepalives); inside an element it
            // is content and stays.
            self.skip_space();
        }
        if self.buf.is_empty() {
            return Ok(None);
        }
        let n = match self.scanner.scan(&self.buf).map_err(|e| xml_error(&e))? {
            Scan::Incomplete => {
                if self.buf.len() > self.limits.max_element_size {
                    return Err(limit("a top-level element exceeds the size limit"));
                }
                return Ok(None);
            }
            Scan::Close(n) => {
                let name = self.buf[2..n - 1].trim_ascii_end();
                if name != b"stream:stream" {
                    return Err(StreamError::new(
                        StreamCondition::NotWellFormed,
                        Some(&format!(
                            "the end tag </{}> does not match the stream header <stream:stream>",
                            String::from_utf8_lossy(name)
                        )),
                    ));
                }
                self.consume(n);
                self.state = State::Ended;
                return Ok(Some(StreamEvent::End));
            }
            Scan::Element(n) => n,
        };
        if n > self.limits.max_element_size {
            return Err(limit("a top-level element exceeds the size limit"));
        }
        let event = self.parse_element(n)?;
        self.consume(n);
        self.scanner.reset();
        Ok(Some(event))
    }

    fn parse_element(&self, n: usize) -> Result<StreamEvent, StreamError> {
        let bytes = &self.buf[..n];
        let mut r = XmlReader::with_context(bytes, &self.ctx).with_max_depth(self.limits.max_depth);
        if let Some(reg) = &self.registry {
            r = r.with_registry(reg);
        }
        let typed = r
            .root()
            .and_then(|()| r.payload())
            .and_then(|p| r.finish().map(|()| p));
        match typed {
            Ok(p) => Ok(StreamEvent::Element(p)),
            Err(e) if matches!(e.kind(), ErrorKind::Xml { .. }) => Err(xml_error(&e)),
            Err(e) if matches!(e.kind(), ErrorKind::Limit { .. }) => Err(limit(&e.to_string())),
            Err(error) => {
                // Well-formed but invalid: hand the element over as DOM.
                let mut r =
                    XmlReader::with_context(bytes, &self.ctx).with_max_depth(self.limits.max_depth);
                let element = r
                    .root()
                    .and_then(|()| r.capture())
                    .map_err(|e| xml_error(&e))?;
                Ok(StreamEvent::Rejected { element, error })
            }
        }
    }
}

/// The offset after the `>` of the stream header (after an optional XML
/// declaration), if the buffer holds all of it.
fn header_end(buf: &[u8]) -> Option<usize> {
    let decl = if buf.starts_with(b"<?xml") {
        memchr::memmem::find(buf, b"?>")? + 2
    } else {
        0
    };
    Some(decl + start_tag_end(&buf[decl..])?)
}

fn limit(reason: &str) -> StreamError {
    StreamError::new(StreamCondition::PolicyViolation, Some(reason))
}

fn xml_error(e: &Error) -> StreamError {
    match e.kind() {
        ErrorKind::Xml {
            restricted: true, ..
        } => StreamError::new(StreamCondition::RestrictedXml, Some(&e.to_string())),
        ErrorKind::Limit { .. } => limit(&e.to_string()),
        _ => StreamError::new(StreamCondition::NotWellFormed, Some(&e.to_string())),
    }
}

/// Serializes a stream: header, elements (in the stream's content namespace,
/// with the `stream:` prefix in scope, so stanzas carry no redundant
/// declarations) and the closing tag.
#[derive(Debug, Clone, Default)]
pub struct StreamWriter {
    content: ContentNs,
}

impl StreamWriter {
    /// A writer for a stream of the given content namespace.
    pub fn new(content: ContentNs) -> Self {
        StreamWriter { content }
    }

    /// The XML declaration and the header; the content namespace becomes
    /// the header's.
    pub fn header(&mut self, header: &StreamHeader) -> Vec<u8> {
        self.content = header.content;
        let mut out = b"<?xml version='1.0'?>".to_vec();
        out.extend_from_slice(&header.to_bytes());
        out
    }

    /// One top-level element.
    pub fn element<T: XmlElement>(&self, el: &T) -> Vec<u8> {
        let mut w = self.writer();
        el.write(&mut w);
        w.into_bytes()
    }

    /// A kept DOM element.
    pub fn dom(&self, el: &minidom::Element) -> Vec<u8> {
        let mut w = self.writer();
        w.element(el);
        w.into_bytes()
    }

    fn writer(&self) -> XmlWriter {
        XmlWriter::with_default_ns(self.content.uri()).with_prefix("stream", ns::STREAM)
    }

    /// `</stream:stream>`.
    pub fn close(&self) -> &'static [u8] {
        b"</stream:stream>"
    }
}

#[cfg(test)]
mod tests;
