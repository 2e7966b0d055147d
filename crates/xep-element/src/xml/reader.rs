//! The strict, namespace-aware pull reader.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use memchr::{memchr, memmem};

use super::chars::{is_name_char, is_name_start, is_space, is_xml_char};
use super::{Limits, NsContext};
use crate::registry::Registry;
use crate::sink::{DomSink, Sink};
use crate::source::{Attr, Source, Token};
use crate::{Error, Payload, ns};

/// The namespace name reserved for namespace declarations.
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Default limit on element nesting, see [`Limits::max_depth`]: the
/// stream reader's default too, so that the byte, DOM and stream paths
/// refuse the same input.
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// Past this many declarations in scope, prefixes resolve through a hash
/// index instead of a backwards scan, so that resolution stays constant
/// time however many declarations an input piles up.
const INDEX_FROM: usize = 16;

/// `Binding::prev` when no earlier binding of the prefix is in scope.
const NO_PREV: usize = usize::MAX;

static EMPTY_CONTEXT: NsContext = NsContext {
    default: String::new(),
    prefixes: Vec::new(),
};

/// Where a resolved namespace name lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NsRef {
    /// No namespace.
    None,
    /// The XML namespace, bound to `xml` implicitly.
    Xml,
    /// A declaration in `bindings`.
    Binding(usize),
}

/// One namespace declaration in scope (`prefix` empty for the default).
struct Binding<'a> {
    prefix: &'a str,
    uri: Cow<'a, str>,
    /// Byte offset of the declaration (for messages).
    offset: usize,
    /// The binding of the same prefix this one shadows (`NO_PREV`: none);
    /// kept only while the index exists.
    prev: usize,
}

/// An open element.
struct Open<'a> {
    qname: &'a str,
    local: &'a str,
    /// Byte offset of the start tag's `<`.
    at: usize,
    ns: NsRef,
    /// Length of `bindings` before this element's declarations.
    bindings: usize,
    /// Child elements seen so far.
    children: usize,
}

/// One attribute of the current start tag.
struct RawAttr<'a> {
    qname: &'a str,
    /// Byte index of the colon in `qname`, 0 when unprefixed.
    colon: usize,
    value: Cow<'a, str>,
    ns: NsRef,
    offset: usize,
}

impl RawAttr<'_> {
    fn local(&self) -> &str {
        if self.colon == 0 {
            self.qname
        } else {
            &self.qname[self.colon + 1..]
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Prolog,
    Content,
    Done,
}

/// A strict XML 1.0 + Namespaces pull reader over a complete input, within
/// the restricted XML of RFC 6120 §11.1: comments, processing instructions,
/// document type declarations and entities other than the five predefined
/// ones are errors, as are all well-formedness and namespace errors. It
/// implements [`Source`], so typed values are built from it directly.
///
/// It does not copy: names, attribute values and text are borrowed from the
/// input unless a reference or a line break has to be rewritten.
///
/// ```
/// use xep_element::xml::XmlReader;
/// use xep_element::{Source, Token};
///
/// let mut r = XmlReader::new(b"<a xmlns='urn:x' k='v'>hi<b/></a>");
/// r.root().unwrap();
/// assert_eq!(r.name(), ("urn:x", "a"));
/// assert_eq!(r.attr(0).value, "v");
/// assert_eq!(r.next().unwrap(), Token::Text);
/// assert_eq!(r.text(), "hi");
/// assert_eq!(r.next().unwrap(), Token::Start);
/// assert_eq!(r.next().unwrap(), Token::End); // </b>
/// assert_eq!(r.next().unwrap(), Token::End); // </a>
/// r.finish().unwrap();
/// ```
pub struct XmlReader<'a> {
    s: &'a str,
    input: &'a [u8],
    pos: usize,
    /// Whether an XML declaration may precede the root.
    document: bool,
    bindings: Vec<Binding<'a>>,
    /// The innermost binding of each prefix, built once `bindings` grows
    /// past `INDEX_FROM`.
    index: Option<HashMap<&'a str, usize>>,
    stack: Vec<Open<'a>>,
    attrs: Vec<RawAttr<'a>>,
    text: Cow<'a, str>,
    pending_end: bool,
    phase: Phase,
    limits: Limits,
    registry: Option<&'a Registry>,
    bad_utf8: Option<usize>,
    /// Bindings looked at while resolving prefixes and checking
    /// declarations: the unit tests bound it to show the work is linear.
    #[cfg(test)]
    steps: std::cell::Cell<usize>,
}

impl<'a> XmlReader<'a> {
    /// A reader over a complete document: an optional XML declaration, one
    /// root element, and optional whitespace around it.
    pub fn new(input: &'a [u8]) -> Self {
        Self::build(input, &EMPTY_CONTEXT, true)
    }

    /// A reader over one element that lives inside a context (e.g. a stanza
    /// inside a stream): `ctx` gives the default namespace and the prefixes
    /// in scope. No XML declaration is allowed.
    pub fn with_context(input: &'a [u8], ctx: &'a NsContext) -> Self {
        Self::build(input, ctx, false)
    }

    fn build(input: &'a [u8], ctx: &'a NsContext, document: bool) -> Self {
        let (s, bad_utf8) = match std::str::from_utf8(input) {
            Ok(s) => (s, None),
            Err(e) => ("", Some(e.valid_up_to())),
        };
        let mut r = XmlReader {
            s,
            input,
            pos: 0,
            document,
            bindings: Vec::with_capacity(8 + ctx.prefixes.len()),
            index: None,
            stack: Vec::with_capacity(16),
            attrs: Vec::with_capacity(8),
            text: Cow::Borrowed(""),
            pending_end: false,
            phase: Phase::Prolog,
            limits: Limits::default(),
            registry: None,
            bad_utf8,
            #[cfg(test)]
            steps: std::cell::Cell::new(0),
        };
        r.bind("", Cow::Borrowed(ctx.default.as_str()), 0);
        for (p, u) in &ctx.prefixes {
            r.bind(p.as_str(), Cow::Borrowed(u.as_str()), 0);
        }
        r
    }

    /// Types registered payloads through `registry` while parsing.
    #[must_use]
    pub fn with_registry(mut self, registry: &'a Registry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Sets the limits (input size, nesting, attributes, namespace
    /// declarations and children per element); input beyond them is an
    /// [`crate::ErrorKind::Limit`] error. The default is
    /// [`Limits::default`].
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self.limits.max_depth = limits.max_depth.max(1);
        self
    }

    /// Limits element nesting only (the root is depth 1), see
    /// [`XmlReader::with_limits`].
    #[must_use]
    pub fn with_max_depth(mut self, depth: usize) -> Self {
        self.limits.max_depth = depth.max(1);
        self
    }

    /// The byte offset reached in the input.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Bindings looked at so far (see the field).
    #[cfg(test)]
    pub(crate) fn steps(&self) -> usize {
        self.steps.get()
    }

    /// Current nesting depth (0 before the root and after it ends).
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// Reads the prolog and the root's start tag; the reader is then
    /// positioned on the root element.
    pub fn root(&mut self) -> Result<(), Error> {
        if self.input.len() > self.limits.max_bytes {
            return Err(Error::limit(format!(
                "the input is larger than {} bytes",
                self.limits.max_bytes
            )));
        }
        if let Some(at) = self.bad_utf8 {
            // Bytes that do not decode are text in another encoding as far
            // as XMPP can tell: RFC 6120 §11.6 answers any encoding but
            // UTF-8 with unsupported-encoding, so this is not reported as
            // a well-formedness error.
            return Err(Error::encoding(
                self.input,
                at,
                "bytes that are not UTF-8 (RFC 6120 §11.6: XMPP is UTF-8)",
            ));
        }
        if self.phase != Phase::Prolog {
            return Err(Error::invalid("the root element was already read"));
        }
        if self.document {
            if self.s.starts_with('\u{FEFF}') {
                self.pos = 3;
            }
            let rest = &self.input[self.pos..];
            if rest.starts_with(b"<?xml") && rest.get(5).is_some_and(|&b| is_space(b)) {
                self.xml_decl()?;
            }
        }
        self.skip_space();
        match self.peek() {
            None => Err(self.err(self.pos, "no element found")),
            Some(b'<') => match self.peek_at(1) {
                Some(b'?' | b'!') => Err(self.markup_error(self.pos)),
                Some(b'/') => {
                    Err(self.err(self.pos, "an end tag where the root element should start"))
                }
                _ => {
                    self.pos += 1;
                    self.start_tag()?;
                    self.phase = Phase::Content;
                    Ok(())
                }
            },
            Some(_) => Err(self.err(self.pos, "text before the root element")),
        }
    }

    /// Checks that the root element has ended and only whitespace follows.
    pub fn finish(&mut self) -> Result<(), Error> {
        if self.phase != Phase::Done {
            return match self.stack.last() {
                Some(open) => Err(self.err(self.pos, format!("<{}> is not closed", open.qname))),
                None => Err(self.err(self.pos, "no element found")),
            };
        }
        self.skip_space();
        match self.peek() {
            None => Ok(()),
            Some(b'<') if matches!(self.peek_at(1), Some(b'?' | b'!')) => {
                Err(self.markup_error(self.pos))
            }
            Some(_) => Err(self.err(self.pos, "content after the root element")),
        }
    }

    // ---- low-level helpers ----

    fn err(&self, at: usize, reason: impl Into<String>) -> Error {
        Error::xml(self.input, at, reason)
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    #[inline]
    fn peek_at(&self, n: usize) -> Option<u8> {
        self.input.get(self.pos + n).copied()
    }

    /// Skips whitespace; whether any was skipped.
    #[inline]
    fn skip_space(&mut self) -> bool {
        let start = self.pos;
        let b = self.s.as_bytes();
        while self.pos < b.len() && is_space(b[self.pos]) {
            self.pos += 1;
        }
        self.pos > start
    }

    /// Describes what is at `at`, for messages.
    fn found(&self, at: usize) -> String {
        match self.s.get(at..).and_then(|r| r.chars().next()) {
            None => "the end of the input".into(),
            Some(c) => format!("'{}'", c.escape_debug()),
        }
    }

    fn markup_error(&self, at: usize) -> Error {
        let rest = &self.input[at..];
        let reason = if rest.starts_with(b"<!--") {
            "comments are not allowed in XMPP (RFC 6120 §11.1)"
        } else if rest.starts_with(b"<?") {
            "processing instructions are not allowed in XMPP (RFC 6120 §11.1)"
        } else if rest.starts_with(b"<!DOCTYPE") {
            "document type declarations are not allowed in XMPP (RFC 6120 §11.1)"
        } else if rest.starts_with(b"<![CDATA[") {
            return self.err(at, "a CDATA section outside the root element");
        } else {
            return self.err(at, "malformed markup after '<!'");
        };
        Error::restricted_xml(self.input, at, reason)
    }

    fn ns_str(&self, r: NsRef) -> &str {
        match r {
            NsRef::None => "",
            NsRef::Xml => ns::XML,
            NsRef::Binding(i) => &self.bindings[i].uri,
        }
    }

    fn resolve(&self, prefix: &str) -> Option<NsRef> {
        if prefix == "xml" {
            return Some(NsRef::Xml);
        }
        let found = match &self.index {
            Some(index) => index.get(prefix).copied(),
            None => self.bindings.iter().rposition(|b| b.prefix == prefix),
        };
        #[cfg(test)]
        self.steps.set(
            self.steps.get()
                + match (&self.index, found) {
                    (Some(_), _) => 1,
                    (None, Some(i)) => self.bindings.len() - i,
                    (None, None) => self.bindings.len(),
                },
        );
        match found {
            Some(i) if !self.bindings[i].uri.is_empty() => Some(NsRef::Binding(i)),
            Some(_) => Some(NsRef::None),
            None if prefix.is_empty() => Some(NsRef::None),
            None => None,
        }
    }

    /// Brings a declaration into scope.
    fn bind(&mut self, prefix: &'a str, uri: Cow<'a, str>, offset: usize) {
        let i = self.bindings.len();
        let mut prev = NO_PREV;
        if let Some(index) = &mut self.index {
            prev = index.insert(prefix, i).unwrap_or(NO_PREV);
        }
        self.bindings.push(Binding {
            prefix,
            uri,
            offset,
            prev,
        });
        if self.index.is_none() && self.bindings.len() > INDEX_FROM {
            let mut index = HashMap::with_capacity(self.bindings.len() * 2);
            for (i, b) in self.bindings.iter_mut().enumerate() {
                b.prev = index.insert(b.prefix, i).unwrap_or(NO_PREV);
            }
            self.index = Some(index);
        }
    }

    /// Takes the declarations from `len` on out of scope.
    fn unbind(&mut self, len: usize) {
        if let Some(index) = &mut self.index {
            for b in self.bindings[len..].iter().rev() {
                if b.prev == NO_PREV {
                    index.remove(b.prefix);
                } else {
                    index.insert(b.prefix, b.prev);
                }
            }
        }
        self.bindings.truncate(len);
    }

    /// Reads a QName; returns it and the index of its colon (0 if none).
    fn read_qname(&mut self, what: &str) -> Result<(&'a str, usize), Error> {
        let s = self.s;
        let b = s.as_bytes();
        let start = self.pos;
        let mut i = start;
        let mut colon = 0;
        let mut part_start = true;
        while i < b.len() {
            let (c, len) = if b[i] < 0x80 {
                (b[i] as char, 1)
            } else {
                match s[i..].chars().next() {
                    Some(c) => (c, c.len_utf8()),
                    None => break,
                }
            };
            if c == ':' {
                if part_start || colon != 0 {
                    return Err(self.err(
                        i,
                        format!("{what} name has a misplaced ':' (Namespaces in XML 1.0 allow one, between prefix and local name)"),
                    ));
                }
                colon = i - start;
                part_start = true;
                i += 1;
                continue;
            }
            let ok = if part_start {
                is_name_start(c)
            } else {
                is_name_char(c)
            };
            if !ok {
                break;
            }
            part_start = false;
            i += len;
        }
        if part_start {
            return Err(if i == start {
                self.err(
                    i,
                    format!("expected an {what} name, found {}", self.found(i)),
                )
            } else {
                self.err(i, format!("{what} name ends with ':'"))
            });
        }
        self.pos = i;
        Ok((&s[start..i], colon))
    }

    /// Resolves references and normalises line ends (and, in attribute
    /// values, whitespace) in `raw`, which starts at byte `base`; checks
    /// characters.
    fn cook(&self, raw: &'a str, base: usize, attr: bool) -> Result<Cow<'a, str>, Error> {
        let b = raw.as_bytes();
        let mut slow = false;
        for (i, &x) in b.iter().enumerate() {
            match x {
                b'&' | b'\r' => slow = true,
                b'\t' | b'\n' => slow |= attr,
                b'<' if attr => {
                    return Err(self.err(base + i, "'<' is not allowed in an attribute value"));
                }
                b']' if !attr && b[i..].starts_with(b"]]>") => {
                    return Err(self.err(base + i, "']]>' is not allowed in character data"));
                }
                0..=0x1F => {
                    return Err(self.err(
                        base + i,
                        format!("character U+{x:04X} is not allowed in XML 1.0"),
                    ));
                }
                0xEF if b.get(i + 1) == Some(&0xBF)
                    && matches!(b.get(i + 2), Some(0xBE | 0xBF)) =>
                {
                    return Err(self.err(
                        base + i,
                        "characters U+FFFE and U+FFFF are not allowed in XML 1.0",
                    ));
                }
                _ => {}
            }
        }
        if !slow {
            return Ok(Cow::Borrowed(raw));
        }
        let mut out = String::with_capacity(raw.len());
        let mut run = 0;
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'&' => {
                    out.push_str(&raw[run..i]);
                    let Some(semi) = memchr(b';', &b[i..]) else {
                        return Err(
                            self.err(base + i, "'&' does not start a reference (write &amp;)")
                        );
                    };
                    let name = &raw[i + 1..i + semi];
                    out.push(self.reference(name, base + i)?);
                    i += semi + 1;
                    run = i;
                }
                b'\r' => {
                    out.push_str(&raw[run..i]);
                    out.push(if attr { ' ' } else { '\n' });
                    i += 1;
                    if b.get(i) == Some(&b'\n') {
                        i += 1;
                    }
                    run = i;
                }
                b'\t' | b'\n' if attr => {
                    out.push_str(&raw[run..i]);
                    out.push(' ');
                    i += 1;
                    run = i;
                }
                _ => i += 1,
            }
        }
        out.push_str(&raw[run..]);
        Ok(Cow::Owned(out))
    }

    /// The character a reference `&name;` stands for.
    fn reference(&self, name: &str, at: usize) -> Result<char, Error> {
        let code = match name {
            "lt" => return Ok('<'),
            "gt" => return Ok('>'),
            "amp" => return Ok('&'),
            "apos" => return Ok('\''),
            "quot" => return Ok('"'),
            _ => {
                if let Some(hex) = name.strip_prefix("#x") {
                    (!hex.is_empty() && hex.bytes().all(|c| c.is_ascii_hexdigit()))
                        .then(|| u32::from_str_radix(hex, 16).ok())
                        .flatten()
                } else if let Some(dec) = name.strip_prefix('#') {
                    (!dec.is_empty() && dec.bytes().all(|c| c.is_ascii_digit()))
                        .then(|| dec.parse::<u32>().ok())
                        .flatten()
                } else if super::chars::is_ncname(name) {
                    return Err(Error::restricted_xml(
                        self.input,
                        at,
                        format!(
                            "undeclared entity '&{name};' (XMPP allows only &lt; &gt; &amp; &apos; &quot; and character references, RFC 6120 §11.1)"
                        ),
                    ));
                } else {
                    return Err(self.err(at, "'&' does not start a reference (write &amp;)"));
                }
            }
        };
        match code.and_then(char::from_u32) {
            Some(c) if is_xml_char(c) => Ok(c),
            _ => Err(self.err(
                at,
                format!("character reference '&{name};' is not a character XML 1.0 allows"),
            )),
        }
    }

    fn xml_decl(&mut self) -> Result<(), Error> {
        let start = self.pos;
        let Some(len) = memmem::find(&self.input[start..], b"?>") else {
            return Err(self.err(start, "the XML declaration is not closed with '?>'"));
        };
        let body = &self.s[start + 5..start + len];
        self.pos = start + len + 2;
        let mut rest = body;
        let mut seen: Vec<&str> = Vec::with_capacity(3);
        loop {
            let trimmed = rest.trim_start_matches([' ', '\t', '\n', '\r']);
            if trimmed.is_empty() {
                break;
            }
            if trimmed.len() == rest.len() {
                return Err(self.err(
                    start,
                    "the XML declaration needs whitespace between its parts",
                ));
            }
            let Some(eq) = trimmed.find('=') else {
                return Err(self.err(start, "malformed XML declaration"));
            };
            let name = trimmed[..eq].trim_end_matches([' ', '\t', '\n', '\r']);
            let after = trimmed[eq + 1..].trim_start_matches([' ', '\t', '\n', '\r']);
            let Some(q) = after.chars().next().filter(|&c| c == '\'' || c == '"') else {
                return Err(self.err(
                    start,
                    format!("the XML declaration's {name} needs a quoted value"),
                ));
            };
            let Some(close) = after[1..].find(q) else {
                return Err(self.err(start, "malformed XML declaration"));
            };
            let value = &after[1..1 + close];
            rest = &after[close + 2..];
            let order = ["version", "encoding", "standalone"];
            let idx = order.iter().position(|&o| o == name);
            let last = seen.last().and_then(|l| order.iter().position(|o| o == l));
            match (idx, last) {
                (None, _) => {
                    return Err(self.err(start, format!("unknown '{name}' in the XML declaration")));
                }
                (Some(i), Some(l)) if i <= l => {
                    return Err(self.err(
                        start,
                        format!("'{name}' out of order in the XML declaration"),
                    ));
                }
                (Some(i), None) if i != 0 => {
                    return Err(self.err(start, "the XML declaration must start with version"));
                }
                _ => {}
            }
            seen.push(name);
            match name {
                "version" => {
                    let ok = value
                        .strip_prefix("1.")
                        .is_some_and(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit()));
                    if !ok {
                        return Err(self.err(start, format!("unsupported XML version '{value}'")));
                    }
                }
                "encoding" => {
                    if !value.eq_ignore_ascii_case("utf-8") {
                        return Err(Error::encoding(
                            self.input,
                            start,
                            format!(
                                "encoding '{value}' is not supported: XMPP is UTF-8 (RFC 6120 §11.6)"
                            ),
                        ));
                    }
                }
                _ => {
                    if value != "yes" && value != "no" {
                        return Err(self.err(start, "standalone must be 'yes' or 'no'"));
                    }
                }
            }
        }
        if seen.is_empty() {
            return Err(self.err(start, "the XML declaration must start with version"));
        }
        Ok(())
    }

    /// Reads a start tag whose '<' has been consumed, and enters it.
    fn start_tag(&mut self) -> Result<(), Error> {
        let tag_at = self.pos - 1;
        let (qname, colon) = self.read_qname("element")?;
        self.attrs.clear();
        let before = self.bindings.len();
        let self_closing;
        loop {
            let had_space = self.skip_space();
            match self.peek() {
                None => {
                    return Err(self.err(
                        self.pos,
                        format!("the input ends inside the start tag <{qname}>"),
                    ));
                }
                Some(b'>') => {
                    self.pos += 1;
                    self_closing = false;
                    break;
                }
                Some(b'/') => {
                    if self.peek_at(1) != Some(b'>') {
                        return Err(self.err(
                            self.pos,
                            format!("expected '/>' in the start tag <{qname}>"),
                        ));
                    }
                    self.pos += 2;
                    self_closing = true;
                    break;
                }
                Some(_) if !had_space => {
                    return Err(self.err(
                        self.pos,
                        format!(
                            "expected whitespace, '>' or '/>' in the start tag <{qname}>, found {}",
                            self.found(self.pos)
                        ),
                    ));
                }
                Some(_) => self.attribute(before, qname)?,
            }
        }
        self.check_declarations(before, qname)?;
        let (prefix, local) = if colon == 0 {
            ("", qname)
        } else {
            (&qname[..colon], &qname[colon + 1..])
        };
        if prefix == "xmlns" {
            return Err(self.err(
                tag_at,
                format!("<{qname}>: the prefix xmlns is reserved for declarations"),
            ));
        }
        let Some(ns) = self.resolve(prefix) else {
            return Err(self.err(
                tag_at,
                format!("<{qname}>: the prefix '{prefix}' is not declared"),
            ));
        };
        for i in 0..self.attrs.len() {
            let a = &self.attrs[i];
            if a.colon != 0 {
                let p = &a.qname[..a.colon];
                match self.resolve(p) {
                    Some(r) => self.attrs[i].ns = r,
                    None => {
                        return Err(self.err(
                            a.offset,
                            format!("attribute '{}': the prefix '{p}' is not declared", a.qname),
                        ));
                    }
                }
            }
        }
        self.check_duplicates()?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.limits.depth_error());
        }
        if let Some(parent) = self.stack.last_mut() {
            parent.children += 1;
            if parent.children > self.limits.max_children {
                return Err(self.limits.children_error(parent.qname));
            }
        }
        self.stack.push(Open {
            qname,
            local,
            at: tag_at,
            ns,
            bindings: before,
            children: 0,
        });
        self.pending_end = self_closing;
        Ok(())
    }

    /// Reads one attribute (or namespace declaration) of a start tag.
    fn attribute(&mut self, before: usize, tag: &str) -> Result<(), Error> {
        let at = self.pos;
        let (name, colon) = self.read_qname("attribute")?;
        self.skip_space();
        if self.peek() != Some(b'=') {
            return Err(self.err(
                self.pos,
                format!("<{tag}>: expected '=' after the attribute name '{name}'"),
            ));
        }
        self.pos += 1;
        self.skip_space();
        let q = match self.peek() {
            Some(q @ (b'"' | b'\'')) => q,
            _ => {
                return Err(self.err(
                    self.pos,
                    format!("<{tag}>: the value of '{name}' must be quoted"),
                ));
            }
        };
        self.pos += 1;
        let vstart = self.pos;
        let Some(len) = memchr(q, &self.input[vstart..]) else {
            return Err(self.err(at, format!("<{tag}>: the value of '{name}' is not closed")));
        };
        self.pos = vstart + len + 1;
        let value = self.cook(&self.s[vstart..vstart + len], vstart, true)?;
        let decl = if name == "xmlns" {
            Some("")
        } else if colon != 0 && &name[..colon] == "xmlns" {
            Some(&name[colon + 1..])
        } else {
            None
        };
        let Some(prefix) = decl else {
            if self.attrs.len() >= self.limits.max_attributes {
                return Err(self.limits.attributes_error(tag));
            }
            self.attrs.push(RawAttr {
                qname: name,
                colon,
                value,
                ns: NsRef::None,
                offset: at,
            });
            return Ok(());
        };
        let bad = if prefix == "xmlns" {
            Some("the prefix xmlns must not be declared")
        } else if prefix == "xml" && value != ns::XML {
            Some("the prefix xml may only be bound to http://www.w3.org/XML/1998/namespace")
        } else if prefix != "xml" && value == ns::XML {
            Some("the XML namespace may only be bound to the prefix xml")
        } else if value == XMLNS_NS {
            Some("the xmlns namespace must not be declared")
        } else if !prefix.is_empty() && value.is_empty() {
            Some("a prefix cannot be bound to an empty namespace name in Namespaces in XML 1.0")
        } else {
            None
        };
        if let Some(reason) = bad {
            return Err(self.err(at, format!("<{tag}>: {name}: {reason}")));
        }
        if self.bindings.len() - before >= self.limits.max_namespace_declarations {
            return Err(Error::limit(format!(
                "<{tag}> has more than {} namespace declarations",
                self.limits.max_namespace_declarations
            )));
        }
        self.bind(prefix, value, at);
        Ok(())
    }

    /// Refuses a prefix declared twice on one start tag (its declarations
    /// are `bindings[before..]`): pairwise for a few, sorted for many, so
    /// that the check is never quadratic.
    fn check_declarations(&self, before: usize, tag: &str) -> Result<(), Error> {
        let decls = &self.bindings[before..];
        let report = |b: &Binding<'_>| {
            let name = if b.prefix.is_empty() {
                "xmlns".to_string()
            } else {
                format!("xmlns:{}", b.prefix)
            };
            self.err(b.offset, format!("<{tag}>: duplicate attribute '{name}'"))
        };
        #[cfg(test)]
        self.steps
            .set(self.steps.get() + decls.len().min(16).pow(2) / 2);
        if decls.len() <= 16 {
            for j in 1..decls.len() {
                if decls[..j].iter().any(|b| b.prefix == decls[j].prefix) {
                    return Err(report(&decls[j]));
                }
            }
            return Ok(());
        }
        let mut order: Vec<usize> = (0..decls.len()).collect();
        order.sort_by(|&i, &j| decls[i].prefix.cmp(decls[j].prefix).then(i.cmp(&j)));
        for w in order.windows(2) {
            if decls[w[0]].prefix == decls[w[1]].prefix {
                return Err(report(&decls[w[1]]));
            }
        }
        Ok(())
    }

    fn check_duplicates(&self) -> Result<(), Error> {
        let n = self.attrs.len();
        if n < 2 {
            return Ok(());
        }
        let same = |a: &RawAttr<'_>, b: &RawAttr<'_>| {
            a.qname == b.qname || (a.local() == b.local() && self.ns_str(a.ns) == self.ns_str(b.ns))
        };
        let report = |a: &RawAttr<'_>, b: &RawAttr<'_>| {
            if a.qname == b.qname {
                self.err(b.offset, format!("duplicate attribute '{}'", b.qname))
            } else {
                self.err(
                    b.offset,
                    format!(
                        "attributes '{}' and '{}' have the same namespace and name",
                        a.qname, b.qname
                    ),
                )
            }
        };
        if n <= 16 {
            for j in 1..n {
                for i in 0..j {
                    if same(&self.attrs[i], &self.attrs[j]) {
                        return Err(report(&self.attrs[i], &self.attrs[j]));
                    }
                }
            }
            return Ok(());
        }
        let mut by_q: Vec<usize> = (0..n).collect();
        by_q.sort_by(|&i, &j| self.attrs[i].qname.cmp(self.attrs[j].qname).then(i.cmp(&j)));
        for w in by_q.windows(2) {
            if self.attrs[w[0]].qname == self.attrs[w[1]].qname {
                return Err(report(&self.attrs[w[0]], &self.attrs[w[1]]));
            }
        }
        let key = |i: usize| (self.ns_str(self.attrs[i].ns), self.attrs[i].local());
        by_q.sort_by(|&i, &j| key(i).cmp(&key(j)).then(i.cmp(&j)));
        for w in by_q.windows(2) {
            if key(w[0]) == key(w[1]) {
                return Err(report(&self.attrs[w[0]], &self.attrs[w[1]]));
            }
        }
        Ok(())
    }

    fn pop(&mut self) {
        if let Some(open) = self.stack.pop() {
            self.unbind(open.bindings);
        }
        self.attrs.clear();
        if self.stack.is_empty() {
            self.phase = Phase::Done;
        }
    }

    fn end_tag(&mut self) -> Result<(), Error> {
        let at = self.pos;
        self.pos += 2;
        let (qname, _) = self.read_qname("element")?;
        self.skip_space();
        if self.peek() != Some(b'>') {
            return Err(self.err(
                self.pos,
                format!("expected '>' to close the end tag </{qname}>"),
            ));
        }
        self.pos += 1;
        match self.stack.last() {
            Some(open) if open.qname == qname => {
                self.pop();
                Ok(())
            }
            Some(open) => Err(self.err(
                at,
                format!(
                    "the end tag </{qname}> does not match the start tag <{}>",
                    open.qname
                ),
            )),
            None => Err(self.err(at, format!("the end tag </{qname}> has no start tag"))),
        }
    }

    /// Builds the context in scope on the current element (used to parse a
    /// stream header's children).
    fn context(&self) -> NsContext {
        let mut prefixes: Vec<(String, String)> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let mut default = None;
        for b in self.bindings.iter().rev() {
            if b.prefix.is_empty() {
                if default.is_none() {
                    default = Some(b.uri.to_string());
                }
            } else if b.prefix != "xml" && seen.insert(b.prefix) {
                prefixes.push((b.prefix.to_string(), b.uri.to_string()));
            }
        }
        prefixes.reverse();
        NsContext {
            default: default.unwrap_or_default(),
            prefixes,
        }
    }
}

impl Source for XmlReader<'_> {
    fn name(&self) -> (&str, &str) {
        match self.stack.last() {
            Some(open) => (self.ns_str(open.ns), open.local),
            None => ("", ""),
        }
    }

    fn attr_count(&self) -> usize {
        self.attrs.len()
    }

    fn position(&self) -> Option<usize> {
        self.stack.last().map(|o| o.at)
    }

    fn attr_position(&self, i: usize) -> Option<usize> {
        self.attrs.get(i).map(|a| a.offset)
    }

    fn attr(&self, i: usize) -> Attr<'_> {
        let a = &self.attrs[i];
        Attr {
            ns: self.ns_str(a.ns),
            name: a.local(),
            value: &a.value,
        }
    }

    fn next(&mut self) -> Result<Token, Error> {
        if self.pending_end {
            self.pending_end = false;
            self.pop();
            return Ok(Token::End);
        }
        let Some(open) = self.stack.last() else {
            return Ok(Token::End);
        };
        self.attrs.clear();
        let b = self.input;
        match b.get(self.pos) {
            None => Err(self.err(self.pos, format!("the input ends before </{}>", open.qname))),
            Some(b'<') => match b.get(self.pos + 1) {
                Some(b'/') => {
                    self.end_tag()?;
                    Ok(Token::End)
                }
                Some(b'!') => {
                    if b[self.pos..].starts_with(b"<![CDATA[") {
                        let start = self.pos + 9;
                        let Some(len) = memmem::find(&b[start..], b"]]>") else {
                            return Err(
                                self.err(self.pos, "the CDATA section is not closed with ']]>'")
                            );
                        };
                        let raw = &self.s[start..start + len];
                        self.pos = start + len + 3;
                        if let Some((i, c)) = super::chars::find_forbidden(raw) {
                            return Err(self.err(
                                start + i,
                                format!("character U+{:04X} is not allowed in XML 1.0", c as u32),
                            ));
                        }
                        self.text = if raw.contains('\r') {
                            Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
                        } else {
                            Cow::Borrowed(raw)
                        };
                        Ok(Token::Text)
                    } else {
                        Err(self.markup_error(self.pos))
                    }
                }
                Some(b'?') => Err(self.markup_error(self.pos)),
                _ => {
                    self.pos += 1;
                    self.start_tag()?;
                    Ok(Token::Start)
                }
            },
            Some(_) => {
                let start = self.pos;
                let end = match memchr(b'<', &b[start..]) {
                    Some(i) => start + i,
                    None => {
                        return Err(
                            self.err(b.len(), format!("the input ends before </{}>", open.qname))
                        );
                    }
                };
                self.pos = end;
                self.text = self.cook(&self.s[start..end], start, false)?;
                Ok(Token::Text)
            }
        }
    }

    fn text(&self) -> &str {
        &self.text
    }

    fn capture(&mut self) -> Result<minidom::Element, Error> {
        let depth = self.stack.len();
        if depth == 0 {
            return Err(Error::invalid("capture called outside an element"));
        }
        let mut sink = DomSink::with_default_ns("");
        self.start_into(&mut sink);
        loop {
            match self.next()? {
                Token::Start => self.start_into(&mut sink),
                Token::Text => sink.text(&self.text),
                Token::End => {
                    sink.end();
                    if self.stack.len() < depth {
                        break;
                    }
                }
            }
        }
        sink.finish()
            .ok_or_else(|| Error::invalid("capture did not produce an element"))
    }

    fn registry(&self) -> Option<&Registry> {
        self.registry
    }

    fn payload(&mut self) -> Result<Payload, Error> {
        if let Some(reg) = self.registry {
            let (ns, name) = self.name();
            if let Some(info) = reg.lookup(ns, name) {
                return Ok(Payload::Typed((info.parse_xml)(self, Some(reg))?));
            }
        }
        Ok(Payload::Raw(self.capture()?))
    }
}

impl XmlReader<'_> {
    fn start_into(&self, sink: &mut DomSink) {
        let (ns, name) = self.name();
        sink.start(ns, name);
        for i in 0..self.attrs.len() {
            let a = self.attr(i);
            sink.attr(a.ns, a.name, a.value);
        }
    }
}

/// A start tag read on its own (see [`parse_start_tag`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartTag {
    /// Namespace of the element.
    pub ns: String,
    /// Local name of the element.
    pub name: String,
    /// Attributes as (namespace, local name, value); namespace declarations
    /// are not included (they are in `context`).
    pub attrs: Vec<(String, String, String)>,
    /// The namespaces in scope inside the element.
    pub context: NsContext,
    /// Bytes consumed, through the closing `>`.
    pub len: usize,
    /// Whether the tag was self-closing (`/>`).
    pub self_closing: bool,
}

/// Reads one start tag (e.g. a stream header, which is never closed in the
/// same input) with the same strictness as [`XmlReader`]. An XML
/// declaration and whitespace may precede it.
pub fn parse_start_tag(input: &[u8], ctx: &NsContext) -> Result<StartTag, Error> {
    let mut r = XmlReader::build(input, ctx, true);
    r.root()?;
    let (ns, name) = r.name();
    Ok(StartTag {
        ns: ns.to_string(),
        name: name.to_string(),
        attrs: (0..r.attr_count())
            .map(|i| {
                let a = r.attr(i);
                (a.ns.to_string(), a.name.to_string(), a.value.to_string())
            })
            .collect(),
        context: r.context(),
        len: r.pos,
        self_closing: r.pending_end,
    })
}
