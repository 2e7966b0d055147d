//! Where parsers read from: a pull interface over one element's content.
//!
//! A [`Source`] is positioned on an element whose start tag has just been
//! read: its name and attributes are available. [`Source::next`] then walks
//! the element's content one item at a time: a child's start tag
//! ([`Token::Start`], after which the source is positioned on that child), a
//! run of character data ([`Token::Text`]), or the end of the current element
//! ([`Token::End`], after which the source is positioned on the parent again).
//!
//! Two sources exist: [`crate::xml::XmlReader`] reads bytes with a strict,
//! namespace-aware tokenizer (the fast path, no DOM is built), and
//! [`DomSource`] walks a borrowed `minidom::Element` (the interop path). The
//! element parsers the derive generates are generic over `Source`, so both
//! paths share one parser per element.

use crate::Error;
use crate::registry::Registry;
use crate::xml::Limits;

/// One item of an element's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// A child element starts; [`Source::name`] and the attributes now
    /// describe it.
    Start,
    /// Character data (text, CDATA, references resolved); see
    /// [`Source::text`]. Several may follow each other.
    Text,
    /// The current element ends.
    End,
}

/// One attribute of the current start tag, borrowed from the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attr<'a> {
    /// Namespace URI, empty for unprefixed attributes.
    pub ns: &'a str,
    /// Local name.
    pub name: &'a str,
    /// Value with references resolved and normalised as XML requires.
    pub value: &'a str,
}

/// A pull interface over an element tree (see the module docs).
pub trait Source {
    /// Namespace URI and local name of the current element.
    fn name(&self) -> (&str, &str);

    /// Number of attributes of the current element (namespace declarations
    /// are not attributes). Valid until the next call of [`Source::next`].
    fn attr_count(&self) -> usize;

    /// The `i`-th attribute of the current element, `i < attr_count()`.
    fn attr(&self, i: usize) -> Attr<'_>;

    /// Reads the next item of the current element's content.
    fn next(&mut self) -> Result<Token, Error>;

    /// The character data of the last [`Token::Text`].
    fn text(&self) -> &str;

    /// Consumes the current element (name and attributes read or not, but
    /// none of its content yet) to its end and returns it as a DOM element.
    /// This is how foreign payloads are kept.
    fn capture(&mut self) -> Result<minidom::Element, Error>;

    /// The registry used to type foreign payloads while parsing, if any.
    fn registry(&self) -> Option<&Registry> {
        None
    }

    /// The byte offset in the input of the current element's start tag,
    /// for errors ([`Error::offset`]); `None` when the source has no bytes
    /// (a DOM).
    fn position(&self) -> Option<usize> {
        None
    }

    /// The byte offset of the `i`-th attribute of the current element
    /// (see [`position`](Self::position)).
    fn attr_position(&self, i: usize) -> Option<usize> {
        let _ = i;
        None
    }

    /// Parses the current element as whatever the registry knows it as, or
    /// captures it. The default captures.
    fn payload(&mut self) -> Result<crate::Payload, Error> {
        Ok(crate::Payload::Raw(self.capture()?))
    }
}

/// A [`Source`] over a borrowed `minidom::Element`.
///
/// This is the interop path: it allocates one string per element for the
/// namespace (minidom hands namespaces out by value). The byte path,
/// [`crate::xml::XmlReader`], allocates nothing per element.
///
/// It applies the same [`Limits`] as the byte path (nesting, attributes
/// and children per element; the size in bytes does not apply to a tree
/// already in memory), with the same errors, and checks a subtree before
/// it copies it ([`Source::capture`]), so a DOM element built by someone
/// else cannot take the parser deeper than bytes could.
pub struct DomSource<'a> {
    /// Element stack: each entry is an element, its namespace and an
    /// iterator over its remaining nodes.
    stack: Vec<Frame<'a>>,
    /// Attributes of the current element.
    attrs: Vec<Attr<'a>>,
    /// Text of the last Text token.
    text: &'a str,
    registry: Option<&'a Registry>,
    limits: Limits,
    /// A limit the root element breaks, reported by the first call that
    /// reads past its start tag.
    pending: Option<Error>,
}

struct Frame<'a> {
    el: &'a minidom::Element,
    ns: String,
    nodes: std::slice::Iter<'a, minidom::Node>,
    /// Child elements entered so far.
    children: usize,
}

impl<'a> DomSource<'a> {
    /// A source positioned on `root`.
    pub fn new(root: &'a minidom::Element) -> Self {
        let mut s = DomSource {
            stack: Vec::with_capacity(8),
            attrs: Vec::new(),
            text: "",
            registry: None,
            limits: Limits::default(),
            pending: None,
        };
        s.pending = s.enter(root).err();
        s
    }

    /// A source that types registered payloads through `registry`.
    pub fn with_registry(root: &'a minidom::Element, registry: &'a Registry) -> Self {
        let mut s = Self::new(root);
        s.registry = Some(registry);
        s
    }

    /// Sets the limits (see [`Limits`]; `max_bytes` does not apply here).
    /// Call it before reading.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self.limits.max_depth = limits.max_depth.max(1);
        if self.stack.len() == 1 {
            self.pending = self.check_start(self.stack[0].el).err();
        }
        self
    }

    /// A limit the root element itself breaks (its attributes), before
    /// anything is read: the byte path reports it at the same point.
    pub(crate) fn root_error(&mut self) -> Result<(), Error> {
        match self.pending.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The limits on the element just entered (the last frame).
    fn check_start(&self, el: &minidom::Element) -> Result<(), Error> {
        if self.stack.len() > self.limits.max_depth {
            return Err(self.limits.depth_error());
        }
        if self.attrs.len() > self.limits.max_attributes {
            return Err(self.limits.attributes_error(el.name()));
        }
        Ok(())
    }

    fn enter(&mut self, el: &'a minidom::Element) -> Result<(), Error> {
        if let Some(parent) = self.stack.last_mut() {
            parent.children += 1;
            if parent.children > self.limits.max_children {
                return Err(self.limits.children_error(parent.el.name()));
            }
        }
        self.attrs.clear();
        for ((ns, name), value) in el.attrs().iter() {
            self.attrs.push(Attr {
                ns: ns.as_str(),
                name: name.as_str(),
                value: value.as_str(),
            });
        }
        self.stack.push(Frame {
            el,
            ns: el.ns(),
            nodes: el.nodes(),
            children: 0,
        });
        self.check_start(el)
    }

    /// Checks the limits over the whole subtree of `el`, which is at
    /// depth `depth`, without recursion (the subtree may be deeper than
    /// the stack allows), stopping at the first limit broken.
    fn check_subtree(&self, el: &minidom::Element, depth: usize) -> Result<(), Error> {
        let mut path: Vec<std::slice::Iter<'_, minidom::Node>> = vec![el.nodes()];
        let mut counts: Vec<(usize, &str)> = vec![(0, el.name())];
        while let Some(nodes) = path.last_mut() {
            match nodes.next() {
                Some(minidom::Node::Element(child)) => {
                    let (n, name) = counts.last_mut().expect("one count per level");
                    *n += 1;
                    if *n > self.limits.max_children {
                        return Err(self.limits.children_error(name));
                    }
                    if depth + path.len() > self.limits.max_depth {
                        return Err(self.limits.depth_error());
                    }
                    if child.attrs().len() > self.limits.max_attributes {
                        return Err(self.limits.attributes_error(child.name()));
                    }
                    path.push(child.nodes());
                    counts.push((0, child.name()));
                }
                Some(minidom::Node::Text(_)) => {}
                None => {
                    path.pop();
                    counts.pop();
                }
            }
        }
        Ok(())
    }

    fn leave(&mut self) -> Option<&'a minidom::Element> {
        self.attrs.clear();
        self.stack.pop().map(|f| f.el)
    }
}

impl Source for DomSource<'_> {
    fn name(&self) -> (&str, &str) {
        match self.stack.last() {
            Some(f) => (&f.ns, f.el.name()),
            None => ("", ""),
        }
    }

    fn attr_count(&self) -> usize {
        self.attrs.len()
    }

    fn attr(&self, i: usize) -> Attr<'_> {
        self.attrs[i]
    }

    fn next(&mut self) -> Result<Token, Error> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        let Some(frame) = self.stack.last_mut() else {
            return Ok(Token::End);
        };
        match frame.nodes.next() {
            None => {
                self.leave();
                Ok(Token::End)
            }
            Some(minidom::Node::Element(child)) => {
                self.enter(child)?;
                Ok(Token::Start)
            }
            Some(minidom::Node::Text(t)) => {
                self.text = t;
                Ok(Token::Text)
            }
        }
    }

    fn text(&self) -> &str {
        self.text
    }

    fn capture(&mut self) -> Result<minidom::Element, Error> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        let depth = self.stack.len();
        match self.leave() {
            Some(el) => {
                // minidom copies recursively: refuse what is too deep first.
                self.check_subtree(el, depth)?;
                Ok(el.clone())
            }
            None => Err(Error::invalid(
                "capture called after the root element ended",
            )),
        }
    }

    fn registry(&self) -> Option<&Registry> {
        self.registry
    }

    fn payload(&mut self) -> Result<crate::Payload, Error> {
        if let (Some(reg), Some(frame)) = (self.registry, self.stack.last())
            && let Some(info) = reg.lookup(&frame.ns, frame.el.name())
        {
            // Parsed in this source, so that depth and limits carry on.
            return Ok(crate::Payload::Typed((info.parse_dom)(self)?));
        }
        Ok(crate::Payload::Raw(self.capture()?))
    }
}
