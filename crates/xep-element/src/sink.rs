//! Where serializers write to: a push interface mirroring [`crate::Source`].
//!
//! Generated serializers call [`Sink::start`], then [`Sink::attr`] for each
//! attribute, then content ([`Sink::text`], nested elements,
//! [`Sink::element`] for kept DOM payloads, [`Sink::payload`] for typed ones)
//! and finally [`Sink::end`]. Two sinks exist: [`XmlWriter`] writes bytes
//! directly (the fast path) and [`DomSink`] builds a `minidom::Element`.

use std::borrow::Cow;

use crate::AnyElement;
use crate::ns;

/// A push interface for writing an element tree (see the module docs).
pub trait Sink {
    /// Opens an element.
    fn start(&mut self, ns: &str, name: &str);
    /// Adds an attribute to the element just opened (before any content).
    /// `ns` is empty for unprefixed attributes.
    fn attr(&mut self, ns: &str, name: &str, value: &str);
    /// Adds character data.
    fn text(&mut self, text: &str);
    /// Closes the innermost open element.
    fn end(&mut self);
    /// Writes a DOM element (a kept foreign payload) as a child.
    fn element(&mut self, el: &minidom::Element);
    /// Writes a typed payload as a child.
    fn payload(&mut self, p: &dyn AnyElement);
    /// The default namespace in scope where the next element would start.
    /// Elements of the stanza content namespace (`jabber:client`,
    /// `jabber:server`, `jabber:component:accept`) serialize into this one
    /// when it is a content namespace, so a stanza keeps the namespace of
    /// the stream it travels on.
    fn default_ns(&self) -> &str;
}

/// Chooses the namespace for an element declared in "the content
/// namespace": the one in scope if it is a content namespace, else
/// `jabber:client`.
pub fn content_ns<W: Sink + ?Sized>(w: &W) -> &'static str {
    match w.default_ns() {
        ns::SERVER => ns::SERVER,
        ns::COMPONENT_ACCEPT => ns::COMPONENT_ACCEPT,
        ns::COMPONENT_CONNECT => ns::COMPONENT_CONNECT,
        _ => ns::CLIENT,
    }
}

/// Builds a `minidom::Element`.
pub struct DomSink {
    stack: Vec<minidom::Element>,
    done: Option<minidom::Element>,
    context_ns: String,
}

impl DomSink {
    /// A sink whose surrounding default namespace is `jabber:client`.
    pub fn new() -> Self {
        Self::with_default_ns(ns::CLIENT)
    }

    /// A sink whose surrounding default namespace is `ns` (e.g. `jabber:server`
    /// to build a server-to-server stanza).
    pub fn with_default_ns(ns: &str) -> Self {
        DomSink {
            stack: Vec::with_capacity(8),
            done: None,
            context_ns: ns.to_string(),
        }
    }

    /// The finished element, once the outermost element has been closed.
    pub fn finish(self) -> Option<minidom::Element> {
        self.done
    }

    fn push_child(&mut self, el: minidom::Element) {
        match self.stack.last_mut() {
            Some(parent) => {
                parent.append_child(el);
            }
            None => self.done = Some(el),
        }
    }
}

impl Default for DomSink {
    fn default() -> Self {
        Self::new()
    }
}

impl Sink for DomSink {
    fn start(&mut self, ns: &str, name: &str) {
        self.stack.push(minidom::Element::bare(name, ns));
    }

    fn attr(&mut self, ns: &str, name: &str, value: &str) {
        let Some(el) = self.stack.last_mut() else {
            return;
        };
        // Names come from declarations or from parsed (hence valid) input.
        if let Ok(name) = minidom::rxml::NcName::try_from(name) {
            let ns = if ns.is_empty() {
                minidom::rxml::Namespace::none().clone()
            } else {
                minidom::rxml::Namespace::from(ns.to_string())
            };
            el.set_attr(ns, name, value);
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(el) = self.stack.last_mut() {
            el.append_text(text);
        }
    }

    fn end(&mut self) {
        if let Some(el) = self.stack.pop() {
            self.push_child(el);
        }
    }

    fn element(&mut self, el: &minidom::Element) {
        self.push_child(el.clone());
    }

    fn payload(&mut self, p: &dyn AnyElement) {
        p.write_dom(self);
    }

    fn default_ns(&self) -> &str {
        match self.stack.last() {
            // Only reached for content-namespace lookups; the clone-free
            // path is not needed here.
            Some(el) if el.has_ns(ns::SERVER) => ns::SERVER,
            Some(el) if el.has_ns(ns::COMPONENT_ACCEPT) => ns::COMPONENT_ACCEPT,
            Some(el) if el.has_ns(ns::COMPONENT_CONNECT) => ns::COMPONENT_CONNECT,
            Some(el) if el.has_ns(ns::CLIENT) => ns::CLIENT,
            Some(_) => "",
            None => &self.context_ns,
        }
    }
}

/// Writes XML bytes directly, without building a tree.
///
/// Elements are written with a default namespace declaration where their
/// namespace differs from the one in scope, except elements of the streams
/// namespace, which use the conventional `stream:` prefix. Namespaced
/// attributes use `xml:` for the XML namespace and a declared prefix
/// otherwise.
pub struct XmlWriter {
    out: Vec<u8>,
    /// Arena holding namespace URIs and element names of open elements.
    arena: String,
    /// Per open element: (name start, name end, default ns start, ns end,
    /// number of prefix declarations made on it).
    open: Vec<OpenElement>,
    /// Prefix declarations in scope: (prefix, uri) ranges in `arena`.
    prefixes: Vec<(usize, usize, usize, usize)>,
    /// Whether the last start tag is still open (no `>` written yet).
    tag_open: bool,
    base_ns: String,
    /// How many of `prefixes` (the first ones) the surrounding context
    /// declared ([`XmlWriter::with_prefix`]).
    context_prefixes: usize,
}

struct OpenElement {
    /// The qualified name as written (with a prefix if any).
    name: (usize, usize),
    /// The default namespace in scope inside this element.
    default_ns: (usize, usize),
    prefix_decls: usize,
    arena_mark: usize,
}

impl XmlWriter {
    /// A writer whose surrounding default namespace is `jabber:client`.
    pub fn new() -> Self {
        Self::with_default_ns(ns::CLIENT)
    }

    /// A writer whose surrounding default namespace is `default_ns`, as
    /// inside a stream header that declared it (children of that namespace
    /// are written without an `xmlns`).
    pub fn with_default_ns(default_ns: &str) -> Self {
        XmlWriter {
            out: Vec::with_capacity(512),
            arena: String::with_capacity(256),
            open: Vec::with_capacity(8),
            prefixes: Vec::new(),
            tag_open: false,
            base_ns: default_ns.to_string(),
            context_prefixes: 0,
        }
    }

    /// Declares `prefix` as bound to `uri` in the surrounding context (e.g.
    /// `stream` on a stream, `db` on a stream that declared XEP-0220's
    /// dialback namespace), so elements and attributes of that namespace
    /// use it without declaring it again.
    pub fn with_prefix(mut self, prefix: &str, uri: &str) -> Self {
        let p0 = self.arena.len();
        self.arena.push_str(prefix);
        let p1 = self.arena.len();
        self.arena.push_str(uri);
        let u1 = self.arena.len();
        self.prefixes.push((p0, p1, p1, u1));
        self.context_prefixes = self.prefixes.len();
        self
    }

    /// The prefix the surrounding context bound to `uri`, if any.
    fn context_prefix(&self, uri: &str) -> Option<(usize, usize)> {
        self.prefixes[..self.context_prefixes]
            .iter()
            .rev()
            .find(|(_, _, u0, u1)| &self.arena[*u0..*u1] == uri)
            .map(|(p0, p1, _, _)| (*p0, *p1))
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.out
    }

    /// Takes the bytes written so far, leaving the writer empty (for
    /// reusing one writer over a stream of stanzas).
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }

    /// The bytes written, consuming the writer.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    /// The output as a string (the writer only writes UTF-8).
    pub fn into_string(self) -> String {
        // Everything written comes from &str input.
        String::from_utf8(self.out).unwrap_or_default()
    }

    fn close_tag(&mut self) {
        if self.tag_open {
            self.out.push(b'>');
            self.tag_open = false;
        }
    }

    fn current_default(&self) -> &str {
        match self.open.last() {
            Some(o) => &self.arena[o.default_ns.0..o.default_ns.1],
            None => &self.base_ns,
        }
    }

    fn lookup_prefix(&self, uri: &str) -> Option<(usize, usize)> {
        self.prefixes
            .iter()
            .rev()
            .find(|(_, _, u0, u1)| &self.arena[*u0..*u1] == uri)
            .map(|(p0, p1, _, _)| (*p0, *p1))
    }

    /// Declares a new prefix for `uri` on the open tag and returns its range.
    fn declare_prefix(&mut self, preferred: Option<&str>, uri: &str) -> (usize, usize) {
        let p0 = self.arena.len();
        match preferred {
            Some(p)
                if !self
                    .prefixes
                    .iter()
                    .any(|(a, b, _, _)| &self.arena[*a..*b] == p) =>
            {
                self.arena.push_str(p)
            }
            _ => {
                use std::fmt::Write;
                let _ = write!(self.arena, "ns{}", self.prefixes.len());
            }
        }
        let p1 = self.arena.len();
        self.arena.push_str(uri);
        let u1 = self.arena.len();
        self.prefixes.push((p0, p1, p1, u1));
        if let Some(o) = self.open.last_mut() {
            o.prefix_decls += 1;
        }
        self.out.extend_from_slice(b" xmlns:");
        self.out.extend_from_slice(&self.arena.as_bytes()[p0..p1]);
        self.out.extend_from_slice(b"='");
        let esc = escape_attr(uri);
        self.out.extend_from_slice(esc.as_bytes());
        self.out.push(b'\'');
        (p0, p1)
    }

    /// Writes a DOM element's subtree.
    fn write_dom(&mut self, el: &minidom::Element) {
        let ns = el.ns();
        self.start(&ns, el.name());
        for ((ans, aname), value) in el.attrs().iter() {
            self.attr(ans.as_str(), aname.as_str(), value);
        }
        for node in el.nodes() {
            match node {
                minidom::Node::Element(child) => self.write_dom(child),
                minidom::Node::Text(t) => self.text(t),
            }
        }
        self.end();
    }
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl Sink for XmlWriter {
    fn start(&mut self, ns: &str, name: &str) {
        self.close_tag();
        let arena_mark = self.arena.len();
        self.out.push(b'<');
        let mut decl_default = false;
        let mut prefix = None;
        // An element in the XML namespace takes the predeclared `xml:`
        // prefix: that namespace must never be declared (Namespaces in
        // XML §3), so it cannot be the default one.
        let xml_prefixed = ns == ns::XML;
        if ns == ns::STREAM {
            prefix = Some(match self.lookup_prefix(ns) {
                Some(p) => (p, false),
                None => ((0, 0), true),
            });
        } else if !xml_prefixed && ns != self.current_default() {
            // A namespace the surrounding context bound to a prefix
            // (`with_prefix`, e.g. XEP-0220's `db:` on a stream that
            // declared it) is written with that prefix.
            match self.context_prefix(ns) {
                Some(p) if p.0 != p.1 => prefix = Some((p, false)),
                _ => decl_default = true,
            }
        }
        let name_start = self.arena.len();
        if xml_prefixed {
            self.arena.push_str("xml:");
        } else if let Some((p, _)) = prefix
            && p != (0, 0)
        {
            let pfx = self.arena[p.0..p.1].to_string();
            self.arena.push_str(&pfx);
            self.arena.push(':');
        } else if prefix.is_some() {
            self.arena.push_str("stream:");
        }
        self.arena.push_str(name);
        let name_end = self.arena.len();
        self.out
            .extend_from_slice(&self.arena.as_bytes()[name_start..name_end]);
        // The default namespace inside: unchanged for prefixed elements.
        let (d0, d1) = if decl_default {
            let d0 = self.arena.len();
            self.arena.push_str(ns);
            (d0, self.arena.len())
        } else {
            match self.open.last() {
                Some(o) => o.default_ns,
                None => {
                    let d0 = self.arena.len();
                    let base = self.base_ns.clone();
                    self.arena.push_str(&base);
                    (d0, self.arena.len())
                }
            }
        };
        self.open.push(OpenElement {
            name: (name_start, name_end),
            default_ns: (d0, d1),
            prefix_decls: 0,
            arena_mark,
        });
        self.tag_open = true;
        if decl_default {
            self.out.extend_from_slice(b" xmlns='");
            let esc = escape_attr(ns);
            self.out.extend_from_slice(esc.as_bytes());
            self.out.push(b'\'');
        }
        if let Some((_, true)) = prefix {
            self.declare_prefix(Some("stream"), ns);
        }
    }

    fn attr(&mut self, ns: &str, name: &str, value: &str) {
        if !self.tag_open {
            return;
        }
        self.out.push(b' ');
        if !ns.is_empty() {
            if ns == ns::XML {
                self.out.extend_from_slice(b"xml:");
            } else {
                let (p0, p1) = match self.lookup_prefix(ns) {
                    Some(p) => p,
                    None => {
                        // Remove the space, declare, then write the space again.
                        self.out.pop();
                        let p = self.declare_prefix(ns::preferred_prefix(ns), ns);
                        self.out.push(b' ');
                        p
                    }
                };
                self.out.extend_from_slice(&self.arena.as_bytes()[p0..p1]);
                self.out.push(b':');
            }
        }
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"='");
        let esc = escape_attr(value);
        self.out.extend_from_slice(esc.as_bytes());
        self.out.push(b'\'');
    }

    fn text(&mut self, text: &str) {
        self.close_tag();
        let esc = escape_text(text);
        self.out.extend_from_slice(esc.as_bytes());
    }

    fn end(&mut self) {
        let Some(o) = self.open.pop() else {
            return;
        };
        if self.tag_open {
            self.out.extend_from_slice(b"/>");
            self.tag_open = false;
        } else {
            self.out.extend_from_slice(b"</");
            self.out
                .extend_from_slice(&self.arena.as_bytes()[o.name.0..o.name.1]);
            self.out.push(b'>');
        }
        for _ in 0..o.prefix_decls {
            self.prefixes.pop();
        }
        self.arena.truncate(o.arena_mark);
    }

    fn element(&mut self, el: &minidom::Element) {
        self.write_dom(el);
    }

    fn payload(&mut self, p: &dyn AnyElement) {
        p.write_xml(self);
    }

    fn default_ns(&self) -> &str {
        self.current_default()
    }
}

/// Escapes character data for element content.
pub fn escape_text(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Escapes an attribute value for a single- or double-quoted attribute.
pub fn escape_attr(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn escape(s: &str, attr: bool) -> Cow<'_, str> {
    let needs = |b: u8| match b {
        b'&' | b'<' | b'>' | b'\r' => true,
        b'\'' | b'"' | b'\t' | b'\n' => attr,
        _ => false,
    };
    let bytes = s.as_bytes();
    let Some(first) = bytes.iter().position(|&b| needs(b)) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            '\'' if attr => out.push_str("&apos;"),
            '"' if attr => out.push_str("&quot;"),
            '\t' if attr => out.push_str("&#x9;"),
            '\n' if attr => out.push_str("&#xA;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the disco fuzz target: an element in the XML namespace was
    /// written with xmlns='http://www.w3.org/XML/1998/namespace', which no
    /// parser accepts.
    #[test]
    fn an_element_in_the_xml_namespace_keeps_the_xml_prefix() {
        let el = minidom::Element::builder("q", "urn:q")
            .append(
                minidom::Element::builder("note", ns::XML)
                    .attr(minidom::rxml::NcName::try_from("a").unwrap(), "1")
                    .append(minidom::Element::builder("b", "urn:q").build())
                    .build(),
            )
            .build();
        let mut w = XmlWriter::new();
        w.element(&el);
        let out = String::from_utf8(w.into_bytes()).unwrap();
        assert_eq!(out, "<q xmlns='urn:q'><xml:note a='1'><b/></xml:note></q>");
    }

    #[test]
    fn writer_declares_namespaces_only_where_they_change() {
        let mut w = XmlWriter::new();
        w.start(ns::CLIENT, "iq");
        w.attr("", "type", "get");
        w.attr("", "id", "a'1");
        w.start("urn:xmpp:ping", "ping");
        w.end();
        w.start(ns::CLIENT, "error");
        w.attr(ns::XML, "lang", "en");
        w.text("a<b");
        w.end();
        w.end();
        assert_eq!(
            w.into_string(),
            "<iq type='get' id='a&apos;1'><ping xmlns='urn:xmpp:ping'/><error xml:lang='en'>a&lt;b</error></iq>"
        );
    }

    #[test]
    fn writer_uses_stream_prefix_and_declares_foreign_attribute_prefixes() {
        let mut w = XmlWriter::new();
        w.start(ns::STREAM, "features");
        w.start("urn:x", "a");
        w.attr("urn:y", "b", "1");
        w.attr("urn:y", "c", "2");
        w.end();
        w.end();
        assert_eq!(
            w.into_string(),
            "<stream:features xmlns:stream='http://etherx.jabber.org/streams'><a xmlns='urn:x' xmlns:ns1='urn:y' ns1:b='1' ns1:c='2'/></stream:features>"
        );
    }

    #[test]
    fn writer_reuses_context_prefix() {
        let mut w = XmlWriter::new().with_prefix("stream", ns::STREAM);
        w.start(ns::STREAM, "error");
        w.end();
        assert_eq!(w.into_string(), "<stream:error/>");
    }

    #[test]
    fn escaping_borrows_when_clean_and_escapes_whitespace_in_attributes() {
        assert!(matches!(escape_text("plain"), Cow::Borrowed(_)));
        assert_eq!(escape_attr("a\tb\nc\"d"), "a&#x9;b&#xA;c&quot;d");
        assert_eq!(escape_text("a\nb>c\r"), "a\nb&gt;c&#xD;");
    }

    #[test]
    fn dom_sink_builds_the_same_tree() {
        let mut w = DomSink::new();
        w.start(ns::CLIENT, "message");
        w.attr("", "to", "a@b");
        w.start(ns::CLIENT, "body");
        w.text("hi");
        w.end();
        w.end();
        let el = w.finish().unwrap();
        let expected: minidom::Element =
            "<message xmlns='jabber:client' to='a@b'><body>hi</body></message>"
                .parse()
                .unwrap();
        assert_eq!(el, expected);
    }
}
