//! The sans-IO stream reader and writer.
//!
//! [`StreamReader`] takes the bytes of an incoming XML stream in whatever
//! chunks the transport delivers and yields [`StreamEvent`]s: the stream
//! header, each top-level element (typed through a [`Registry`] when it is
//! registered), and the end of the stream. Any split of the input yields the
//! same events, in time linear in the input. Limits ([`StreamLimits`]:
//! element and header size, nesting depth, attributes, namespace
//! declarations and children per element) and violations end the stream
//! with the [`StreamError`] RFC 6120 prescribes, ready to send. Memory is
//! bounded as the bytes arrive: `feed` keeps at most one byte past the
//! limit of the unit being received, no whitespace between units, and
//! nothing after the stream's close. After STARTTLS or SASL success,
//! [`StreamReader::restart`] expects a new header (RFC 6120 §5.4.3.3,
//! §6.4.6).
//!
//! [`StreamWriter`] serializes the header, elements and the closing tag.
//!
//! ```
//! use xep_core::{StreamEvent, StreamReader};
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

use std::collections::VecDeque;

use xep_element::minidom;
use xep_element::xml::scan::{ElementScanner, Scan, start_tag_end};
use xep_element::xml::{Limits, NsContext, XmlReader};
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
    /// Most attributes on one element. Default 128.
    pub max_attributes: usize,
    /// Most namespace declarations on one element. Default 64.
    pub max_namespace_declarations: usize,
    /// Most child elements of one element. Default 16384.
    pub max_children: usize,
}

impl Default for StreamLimits {
    /// The [`Limits`] defaults of the element crate (so that a stanza the
    /// stream accepts, `from_xml` accepts too), and 8 KiB for the header.
    fn default() -> Self {
        let l = Limits::default();
        StreamLimits {
            max_element_size: l.max_bytes,
            max_depth: l.max_depth,
            max_header_size: 8 * 1024,
            max_attributes: l.max_attributes,
            max_namespace_declarations: l.max_namespace_declarations,
            max_children: l.max_children,
        }
    }
}

impl StreamLimits {
    /// The limits each top-level element is parsed within.
    pub fn element(&self) -> Limits {
        Limits {
            max_bytes: self.max_element_size,
            max_depth: self.max_depth,
            max_attributes: self.max_attributes,
            max_namespace_declarations: self.max_namespace_declarations,
            max_children: self.max_children,
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

/// Where `next_event` stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    Ended,
    Failed,
}

/// A unit of the input that `feed` delimited and `next_event` has not
/// taken yet; offsets are into `StreamReader::buf`.
#[derive(Debug)]
enum Found {
    /// A stream header ending at this offset.
    Header(usize),
    /// A top-level element ending at this offset.
    Element(usize),
    /// `</stream:stream>` (or another top-level end tag) ending here.
    Close(usize),
    /// The input breaks the stream here.
    Error(StreamError),
}

/// What the delimiting in `feed` expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ahead {
    /// A stream header (at the start and after a restart).
    Header,
    /// Top-level elements.
    Body,
    /// Nothing more: the stream was closed.
    Closed,
    /// The input breaks the stream at `pos`. Bytes after it are still
    /// kept, up to the element size limit, in case a restart reads them
    /// as a new stream (a peer that sends its new header right behind the
    /// element that restarts the stream).
    Broken,
}

/// The incremental reader (see the module docs).
///
/// `feed` only delimits: it finds where each header and top-level element
/// ends, as the bytes arrive, and stops taking bytes as soon as the unit
/// being received is over its limit, so the buffer holds at most the
/// limit plus one `feed` of bytes not yet read with `next_event`. The
/// stream's close also stops it: bytes after `</stream:stream>` are not
/// kept. `next_event` parses the units in order. Consumed bytes are
/// released in amortized constant time, so reading is linear in the input
/// however it is split.
pub struct StreamReader {
    buf: Vec<u8>,
    /// Bytes before this offset were consumed by `next_event`.
    start: usize,
    state: State,
    ctx: NsContext,
    limits: StreamLimits,
    registry: Option<Registry>,
    /// What `feed` delimited and `next_event` has not taken.
    found: VecDeque<Found>,
    ahead: Ahead,
    /// Where the unit being delimited starts.
    pos: usize,
    scanner: ElementScanner,
    /// Bytes were refused (a limit was exceeded): once the units before
    /// them are read, the stream fails.
    dropped: bool,
    /// Bytes moved by compaction: the unit tests bound it by the bytes
    /// fed, to show consuming is linear.
    #[cfg(test)]
    moved: usize,
}

impl StreamReader {
    /// A reader with `limits`, expecting a stream header.
    pub fn new(limits: StreamLimits) -> Self {
        StreamReader {
            buf: Vec::new(),
            start: 0,
            state: State::Open,
            ctx: NsContext::default(),
            scanner: ElementScanner::new(limits.max_depth),
            limits,
            registry: None,
            found: VecDeque::new(),
            ahead: Ahead::Header,
            pos: 0,
            dropped: false,
            #[cfg(test)]
            moved: 0,
        }
    }

    /// Types registered top-level elements (and their payloads) through
    /// `registry`.
    #[must_use]
    pub fn with_registry(mut self, registry: Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Takes received bytes. Not kept: bytes past a limit (an element or
    /// header larger than allowed: the reader reports the error once the
    /// units before it are read), whitespace between units, anything
    /// after the stream's close, and after an XML error anything beyond
    /// one element's size (what is kept is read again if the caller
    /// restarts the stream; if bytes were refused, the stream fails where
    /// they start).
    pub fn feed(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while !rest.is_empty() {
            self.compact();
            if self.pos == self.buf.len() && matches!(self.ahead, Ahead::Header | Ahead::Body) {
                // Between units: whitespace (keepalives) is never kept, so
                // a peer cannot fill the buffer with it.
                let n = rest.iter().take_while(|&&b| is_space(b)).count();
                rest = &rest[n..];
                if rest.is_empty() {
                    break;
                }
            }
            let limit = match self.ahead {
                Ahead::Header => self.limits.max_header_size,
                Ahead::Body | Ahead::Broken => self.limits.max_element_size,
                Ahead::Closed => break,
            };
            // Never more than one byte past the limit of the unit being
            // received: that byte is enough to tell it is too large.
            let room = (limit + 1).saturating_sub(self.buf.len() - self.pos);
            if room == 0 {
                break;
            }
            let take = room.min(rest.len());
            self.buf.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            self.delimit();
        }
        if !rest.is_empty() {
            // Refused: if a restart makes the reader look again, it must
            // not read on as if these bytes had never come.
            self.dropped = true;
        }
    }

    /// Expects a new stream header next (after STARTTLS's `<proceed/>` or
    /// SASL's `<success/>`); bytes already received stay buffered and are
    /// read as the new stream.
    pub fn restart(&mut self) {
        if self.state == State::Open {
            // What follows the consumed point was delimited as elements of
            // the old stream: delimit it again as a new one.
            self.found.clear();
            self.pos = self.start;
            self.ahead = Ahead::Header;
            self.scanner.reset();
            self.delimit();
        }
    }

    /// Bytes received and not yet consumed.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// The next event, `Ok(None)` when more bytes are needed, or the stream
    /// error to send before closing the stream. After an error or the end,
    /// it returns `Ok(None)` forever.
    pub fn next_event(&mut self) -> Result<Option<StreamEvent>, StreamError> {
        if self.state != State::Open {
            return Ok(None);
        }
        let Some(found) = self.found.pop_front() else {
            return Ok(None);
        };
        let r = match found {
            Found::Header(end) => self.header(end).map(Some),
            Found::Element(end) => self.parse_element(end).map(Some),
            Found::Close(end) => {
                self.start = end;
                self.state = State::Ended;
                self.release();
                Ok(Some(StreamEvent::End))
            }
            Found::Error(e) => Err(e),
        };
        match &r {
            Err(_) => {
                self.state = State::Failed;
                self.release();
            }
            Ok(_) if self.start == self.buf.len() && self.pos == self.start => {
                // Everything read: start the buffer over, in O(1).
                self.buf.clear();
                self.start = 0;
                self.pos = 0;
            }
            Ok(_) => {}
        }
        r
    }

    /// Frees the buffer for good (after the end or an error).
    fn release(&mut self) {
        self.buf = Vec::new();
        self.found.clear();
        self.start = 0;
        self.pos = 0;
        self.ahead = Ahead::Closed;
    }

    /// Drops consumed bytes when they are at least as many as those kept,
    /// so each byte is moved a bounded number of times.
    fn compact(&mut self) {
        let n = self.start;
        if n == 0 || n < self.buf.len() - n {
            return;
        }
        #[cfg(test)]
        {
            self.moved += self.buf.len() - n;
        }
        self.buf.drain(..n);
        self.start = 0;
        self.pos -= n;
        for f in &mut self.found {
            if let Found::Header(end) | Found::Element(end) | Found::Close(end) = f {
                *end -= n;
            }
        }
    }

    /// Delimits what the buffer holds past `pos`.
    fn delimit(&mut self) {
        loop {
            match self.ahead {
                Ahead::Closed | Ahead::Broken => return,
                Ahead::Header => {
                    self.skip_space();
                    let tail = &self.buf[self.pos..];
                    let end = header_end(tail);
                    let size = end.unwrap_or(tail.len());
                    if size > self.limits.max_header_size {
                        self.stop(limit("the stream header exceeds the size limit"));
                        return;
                    }
                    let Some(end) = end else {
                        return self.at_end();
                    };
                    self.pos += end;
                    self.found.push_back(Found::Header(self.pos));
                    self.scanner.reset();
                    self.ahead = Ahead::Body;
                }
                Ahead::Body => {
                    if !self.scanner.in_progress() {
                        // Whitespace between elements (keepalives); inside
                        // an element it is content and stays.
                        self.skip_space();
                    }
                    if self.pos == self.buf.len() {
                        return self.at_end();
                    }
                    let tail = &self.buf[self.pos..];
                    match self.scanner.scan(tail) {
                        Err(e) => return self.stop(xml_error(&e)),
                        Ok(Scan::Incomplete) => {
                            if tail.len() > self.limits.max_element_size {
                                return self
                                    .stop(limit("a top-level element exceeds the size limit"));
                            }
                            return self.at_end();
                        }
                        Ok(Scan::Close(n)) => {
                            let name = tail[2..n - 1].trim_ascii_end();
                            if name != b"stream:stream" {
                                let e = StreamError::new(
                                    StreamCondition::NotWellFormed,
                                    Some(&format!(
                                        "the end tag </{}> does not match the stream header <stream:stream>",
                                        String::from_utf8_lossy(name)
                                    )),
                                );
                                return self.stop(e);
                            }
                            self.pos += n;
                            self.found.push_back(Found::Close(self.pos));
                            self.ahead = Ahead::Closed;
                            return;
                        }
                        Ok(Scan::Element(n)) => {
                            if n > self.limits.max_element_size {
                                return self
                                    .stop(limit("a top-level element exceeds the size limit"));
                            }
                            self.pos += n;
                            self.found.push_back(Found::Element(self.pos));
                            self.scanner.reset();
                        }
                    }
                }
            }
        }
    }

    /// All buffered bytes are delimited: if some were refused, the stream
    /// cannot go on past them.
    fn at_end(&mut self) {
        if self.dropped {
            self.stop(limit("a unit of the stream exceeds the size limit"));
        }
    }

    /// The stream breaks at `pos`: nothing after it is delimited.
    fn stop(&mut self, e: StreamError) {
        self.found.push_back(Found::Error(e));
        self.ahead = Ahead::Broken;
    }

    fn skip_space(&mut self) {
        let n = self.buf[self.pos..]
            .iter()
            .take_while(|&&b| is_space(b))
            .count();
        self.pos += n;
    }

    fn header(&mut self, end: usize) -> Result<StreamEvent, StreamError> {
        let bytes = self.buf[self.start..end].trim_ascii_start();
        let (header, ctx) = StreamHeader::parse(bytes).map_err(|e| match e.kind() {
            ErrorKind::Xml { .. } | ErrorKind::Encoding { .. } | ErrorKind::Limit { .. } => {
                xml_error(&e)
            }
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
        if bytes.ends_with(b"/>") {
            return Err(StreamError::new(
                StreamCondition::NotWellFormed,
                Some("the stream header is an empty element"),
            ));
        }
        self.ctx = ctx;
        self.start = end;
        Ok(StreamEvent::Header(header))
    }

    fn parse_element(&mut self, end: usize) -> Result<StreamEvent, StreamError> {
        let bytes = self.buf[self.start..end].trim_ascii_start();
        let event = self.typed(bytes)?;
        self.start = end;
        Ok(event)
    }

    fn typed(&self, bytes: &[u8]) -> Result<StreamEvent, StreamError> {
        let limits = self.limits.element();
        let mut r = XmlReader::with_context(bytes, &self.ctx).with_limits(limits);
        if let Some(reg) = &self.registry {
            r = r.with_registry(reg);
        }
        let typed = r
            .root()
            .and_then(|()| r.payload())
            .and_then(|p| r.finish().map(|()| p));
        match typed {
            Ok(p) => Ok(StreamEvent::Element(p)),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::Xml { .. } | ErrorKind::Encoding { .. } | ErrorKind::Limit { .. }
                ) =>
            {
                Err(xml_error(&e))
            }
            Err(error) => {
                // Well-formed but invalid: hand the element over as DOM.
                let mut r = XmlReader::with_context(bytes, &self.ctx).with_limits(limits);
                let element = r
                    .root()
                    .and_then(|()| r.capture())
                    .map_err(|e| xml_error(&e))?;
                Ok(StreamEvent::Rejected { element, error })
            }
        }
    }
}

/// XML's whitespace (S).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
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
        // RFC 6120 §11.6: an entity that receives anything but UTF-8
        // answers unsupported-encoding (§4.9.3.22); bytes that do not decode
        // are that case, not a well-formedness error of UTF-8 text.
        ErrorKind::Encoding { .. } => {
            StreamError::new(StreamCondition::UnsupportedEncoding, Some(&e.to_string()))
        }
        ErrorKind::Limit { .. } => limit(&e.to_string()),
        _ => StreamError::new(StreamCondition::NotWellFormed, Some(&e.to_string())),
    }
}

/// Serializes a stream: header, elements (with the stream's content
/// namespace and the `stream:` prefix in scope, so stanzas of the stream's
/// namespace carry no redundant declarations) and the closing tag.
///
/// A stanza is written in its own content namespace ([`crate::Stanza::ns`]):
/// one built in code is in `jabber:client`, so put it in the stream's
/// namespace ([`crate::Stanza::set_ns`], or the `ns` field) before writing
/// it on a server or component stream.
#[derive(Debug, Clone, Default)]
pub struct StreamWriter {
    content: ContentNs,
    /// The header declared XEP-0220's `db:` prefix.
    dialback: bool,
}

impl StreamWriter {
    /// A writer for a stream of the given content namespace.
    pub fn new(content: ContentNs) -> Self {
        StreamWriter {
            content,
            dialback: false,
        }
    }

    /// The XML declaration and the header; the content namespace becomes
    /// the header's, and with [`StreamHeader::dialback`] dialback elements
    /// are written with its `db:` prefix (XEP-0220 §2 asks for the prefix
    /// the header declared).
    pub fn header(&mut self, header: &StreamHeader) -> Vec<u8> {
        self.content = header.content;
        self.dialback = header.dialback;
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
        let w = XmlWriter::with_default_ns(self.content.uri()).with_prefix("stream", ns::STREAM);
        if self.dialback {
            w.with_prefix("db", "jabber:server:dialback")
        } else {
            w
        }
    }

    /// `</stream:stream>`.
    pub fn close(&self) -> &'static [u8] {
        b"</stream:stream>"
    }
}

#[cfg(test)]
mod tests;
