//! The common element layer of the `xep-*` crates.
//!
//! Every protocol element of every crate implements [`XmlElement`]: it is
//! parsed from a [`Source`] and written to a [`Sink`]. Two sources and two
//! sinks exist, so each element has two paths:
//!
//! - **bytes ⇄ typed value**, the fast path: [`xml::XmlReader`] is a strict,
//!   namespace-aware tokenizer that the generated parsers pull from, and
//!   [`XmlWriter`] writes bytes directly. No DOM is built.
//! - **`minidom::Element` ⇄ typed value**, the interop path: [`DomSource`]
//!   and [`DomSink`], so values flow to and from tokio-xmpp and
//!   xmpp-parsers (`TryFrom<minidom::Element>` and `From<T> for
//!   minidom::Element` are generated for every element).
//!
//! Elements are declared with `#[derive(XmlElement)]` (see [`xep_derive`]
//! for the vocabulary), which also emits a machine-readable description
//! ([`ElementDesc`]) and lets a crate list its types in a [`Registry`].
//!
//! ```
//! use xep_element::{XmlElement, XmlValue};
//!
//! /// `<ping xmlns='urn:example:ping' seq='3'/>`
//! #[derive(XmlElement, Debug, Clone, PartialEq)]
//! #[xml(ns = "urn:example:ping", name = "ping")]
//! pub struct Ping {
//!     #[xml(attr)]
//!     pub seq: u32,
//!     #[xml(attr)]
//!     pub note: Option<String>,
//! }
//!
//! let ping = Ping::from_xml(b"<ping xmlns='urn:example:ping' seq='3'/>").unwrap();
//! assert_eq!(ping, Ping { seq: 3, note: None });
//! assert_eq!(ping.to_xml(), "<ping xmlns='urn:example:ping' seq='3'/>");
//!
//! // Errors name the element path and the reason.
//! let err = Ping::from_xml(b"<ping xmlns='urn:example:ping' seq='x'/>").unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "at ping: attribute 'seq' has bad value 'x': not a valid xs:unsignedInt (invalid digit found in string)"
//! );
//!
//! // The interop path: minidom elements.
//! let dom: minidom::Element = ping.clone().into();
//! assert_eq!(Ping::try_from(dom).unwrap(), ping);
//! ```

#![warn(missing_docs)]

extern crate self as xep_element;

mod desc;
mod equiv;
mod error;
mod registry;
mod sink;
mod source;
#[cfg(any(test, feature = "testdata"))]
pub mod testdata;
mod value;
pub mod xml;

use std::any::Any;
use std::fmt;

pub use desc::{AttrDesc, ChildDesc, ChildKind, ElementDesc, NsDesc, ValueDesc};
pub use equiv::{Difference, equivalent, is_equivalent};
pub use error::{Error, ErrorKind, qualified_attr};
pub use registry::{AnyElementBounds, ElementInfo, ParseDom, ParseXml, Registry};
pub use sink::{DomSink, Sink, XmlWriter, content_ns, escape_attr, escape_text};
pub use source::{Attr, DomSource, Source, Token};
pub use value::{
    Base64, Date82, DateTime82, Time82, XmlValue, XsdBool, parse_attr, parse_opt_text, parse_text,
};
pub use xep_derive::{XmlElement, XmlValue};

/// Re-exports for generated code and for callers.
pub use jid;
pub use minidom;
pub use ns::ContentNs;

/// Well-known namespace URIs.
pub mod ns {
    /// `jabber:client`, the client-to-server content namespace.
    pub const CLIENT: &str = "jabber:client";
    /// `jabber:server`, the server-to-server content namespace.
    pub const SERVER: &str = "jabber:server";
    /// `jabber:component:accept` (XEP-0114).
    pub const COMPONENT_ACCEPT: &str = "jabber:component:accept";
    /// `jabber:component:connect` (XEP-0114).
    pub const COMPONENT_CONNECT: &str = "jabber:component:connect";
    /// The stanza content namespaces, client first.
    pub const CONTENT: &[&str] = &[CLIENT, SERVER, COMPONENT_ACCEPT, COMPONENT_CONNECT];
    /// `http://etherx.jabber.org/streams`, written with the `stream:` prefix.
    pub const STREAM: &str = "http://etherx.jabber.org/streams";
    /// The XML namespace (`xml:lang`).
    pub const XML: &str = "http://www.w3.org/XML/1998/namespace";

    /// Whether `ns` is a stanza content namespace.
    pub fn is_content(ns: &str) -> bool {
        CONTENT.contains(&ns)
    }

    /// A stanza content namespace, as a value: the namespace of a stream
    /// (its header's default namespace) and of each stanza, which keeps the
    /// one it was read in (a field declared `#[xml(content_ns)]`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub enum ContentNs {
        /// `jabber:client`.
        #[default]
        Client,
        /// `jabber:server`.
        Server,
        /// `jabber:component:accept` (XEP-0114).
        ComponentAccept,
        /// `jabber:component:connect` (XEP-0114).
        ComponentConnect,
    }

    impl ContentNs {
        /// The namespace URI.
        pub fn uri(self) -> &'static str {
            match self {
                ContentNs::Client => CLIENT,
                ContentNs::Server => SERVER,
                ContentNs::ComponentAccept => COMPONENT_ACCEPT,
                ContentNs::ComponentConnect => COMPONENT_CONNECT,
            }
        }

        /// The variant for a namespace URI (`None` for a namespace that is
        /// not a content namespace).
        pub fn from_uri(uri: &str) -> Option<Self> {
            Some(match uri {
                CLIENT => ContentNs::Client,
                SERVER => ContentNs::Server,
                COMPONENT_ACCEPT => ContentNs::ComponentAccept,
                COMPONENT_CONNECT => ContentNs::ComponentConnect,
                _ => return None,
            })
        }
    }

    /// The conventional prefix for a namespace of namespaced attributes.
    pub fn preferred_prefix(ns: &str) -> Option<&'static str> {
        match ns {
            STREAM => Some("stream"),
            "urn:xmpp:xbosh" => Some("xmpp"),
            _ => None,
        }
    }
}

/// A protocol element: parsed from a [`Source`], written to a [`Sink`].
///
/// Implemented by `#[derive(XmlElement)]`; hand-written implementations are
/// possible for odd cases and must follow the same contract: `parse` is
/// called with the source positioned on a start tag for which `matches` is
/// true, consumes the element through its end, and prefixes errors from
/// inside the element with its name ([`Error::within`]).
pub trait XmlElement: Sized {
    /// Whether this type accepts the element `{ns}name`.
    fn matches(ns: &str, name: &str) -> bool;

    /// The element(s) this type accepts.
    fn descriptions() -> &'static [ElementDesc];

    /// Parses the element the source is positioned on.
    fn parse<S: Source + ?Sized>(src: &mut S) -> Result<Self, Error>;

    /// Writes the element.
    fn write<W: Sink + ?Sized>(&self, w: &mut W);

    /// Parses a DOM element, checking its name first, within the default
    /// [`xml::Limits`].
    fn from_element(el: &minidom::Element) -> Result<Self, Error> {
        Self::from_element_limited(el, None, xml::Limits::default())
    }

    /// Parses a DOM element, typing registered payloads through `registry`,
    /// within the default [`xml::Limits`].
    fn from_element_with(el: &minidom::Element, registry: &Registry) -> Result<Self, Error> {
        Self::from_element_limited(el, Some(registry), xml::Limits::default())
    }

    /// Parses a DOM element within `limits` (nesting, attributes and
    /// children: what the byte path refuses, this refuses with the same
    /// error), typing registered payloads through `registry` if given.
    fn from_element_limited(
        el: &minidom::Element,
        registry: Option<&Registry>,
        limits: xml::Limits,
    ) -> Result<Self, Error> {
        let src = match registry {
            Some(r) => DomSource::with_registry(el, r),
            None => DomSource::new(el),
        };
        let mut src = src.with_limits(limits);
        src.root_error()?;
        check_root::<Self, _>(&src)?;
        Self::parse(&mut src)
    }

    /// Builds the DOM element (content-namespace elements in `jabber:client`,
    /// except those that keep their own, such as stanzas).
    fn to_element(&self) -> minidom::Element {
        self.to_element_in(ns::CLIENT)
    }

    /// Builds the DOM element as if inside an element whose default
    /// namespace is `default_ns` (e.g. `jabber:server`): content-namespace
    /// elements that do not keep their own are written in it.
    fn to_element_in(&self, default_ns: &str) -> minidom::Element {
        let mut sink = DomSink::with_default_ns(default_ns);
        self.write(&mut sink);
        sink.finish()
            .expect("a generated serializer always closes what it opens")
    }

    /// Parses a complete XML document (one element) from bytes, within the
    /// default [`xml::Limits`] (those of a stream).
    fn from_xml(input: &[u8]) -> Result<Self, Error> {
        Self::from_xml_limited(input, None, xml::Limits::default())
    }

    /// Parses bytes, typing registered payloads through `registry`, within
    /// the default [`xml::Limits`] (those of a stream).
    fn from_xml_with(input: &[u8], registry: &Registry) -> Result<Self, Error> {
        Self::from_xml_limited(input, Some(registry), xml::Limits::default())
    }

    /// Parses bytes within `limits` (size, nesting, attributes, namespace
    /// declarations, children), typing registered payloads through
    /// `registry` if given.
    fn from_xml_limited(
        input: &[u8],
        registry: Option<&Registry>,
        limits: xml::Limits,
    ) -> Result<Self, Error> {
        let r = xml::XmlReader::new(input).with_limits(limits);
        let mut r = match registry {
            Some(reg) => r.with_registry(reg),
            None => r,
        };
        parse_root(&mut r)
    }

    /// Serializes to an XML string (content-namespace elements in
    /// `jabber:client` unless they keep their own, declared either way).
    fn to_xml(&self) -> String {
        let mut w = XmlWriter::with_default_ns("");
        self.write(&mut w);
        w.into_string()
    }
}

fn check_root<T: XmlElement, S: Source>(src: &S) -> Result<(), Error> {
    let (ns, name) = src.name();
    if T::matches(ns, name) {
        Ok(())
    } else {
        let expected: Vec<String> = T::descriptions()
            .iter()
            .map(|d| match d.ns {
                desc::NsDesc::Fixed(n) => format!("{{{n}}}{}", d.name),
                desc::NsDesc::Content => format!("{{jabber:client}}{}", d.name),
            })
            .collect();
        Err(Error::wrong_element(expected.join(" or "), ns, name))
    }
}

fn parse_root<T: XmlElement>(r: &mut xml::XmlReader<'_>) -> Result<T, Error> {
    r.root()?;
    check_root::<T, _>(r)?;
    let v = T::parse(r)?;
    r.finish()?;
    Ok(v)
}

/// A typed element behind a trait object, as kept in a [`Payload`].
pub trait AnyElement: Any + fmt::Debug + Send + Sync {
    /// As `Any`, for downcasting.
    fn as_any(&self) -> &dyn Any;
    /// Clones into a new box.
    fn clone_box(&self) -> Box<dyn AnyElement>;
    /// Equality with another typed element.
    fn eq_dyn(&self, other: &dyn AnyElement) -> bool;
    /// Writes to the byte writer.
    fn write_xml(&self, w: &mut XmlWriter);
    /// Writes to the DOM builder.
    fn write_dom(&self, w: &mut DomSink);
    /// Builds the DOM element.
    fn to_dom(&self) -> minidom::Element;
    /// The Rust type's name.
    fn type_name(&self) -> &'static str;
}

impl<T: XmlElement + registry::AnyElementBounds> AnyElement for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn clone_box(&self) -> Box<dyn AnyElement> {
        Box::new(self.clone())
    }
    fn eq_dyn(&self, other: &dyn AnyElement) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }
    fn write_xml(&self, w: &mut XmlWriter) {
        self.write(w)
    }
    fn write_dom(&self, w: &mut DomSink) {
        self.write(w)
    }
    fn to_dom(&self) -> minidom::Element {
        self.to_element()
    }
    fn type_name(&self) -> &'static str {
        std::any::type_name::<T>()
    }
}

/// A child element kept from an extension point: typed when its type was
/// registered with the parser, a DOM element otherwise.
#[derive(Debug)]
pub enum Payload {
    /// Not typed: kept as parsed.
    Raw(minidom::Element),
    /// Typed through the registry (or built by the caller).
    Typed(Box<dyn AnyElement>),
}

impl Payload {
    /// Wraps a typed value.
    pub fn new<T: XmlElement + registry::AnyElementBounds>(value: T) -> Self {
        Payload::Typed(Box::new(value))
    }

    /// The payload as a DOM element.
    pub fn to_element(&self) -> minidom::Element {
        match self {
            Payload::Raw(el) => el.clone(),
            Payload::Typed(t) => t.to_dom(),
        }
    }

    /// The typed value, if the payload was typed as `T`.
    pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
        match self {
            Payload::Typed(t) => t.as_any().downcast_ref(),
            Payload::Raw(_) => None,
        }
    }

    /// The payload as `T`: `None` if it is not a `T` element, otherwise the
    /// typed value (parsing a raw payload now, which may fail; a payload
    /// typed as another type that accepts the same element, e.g. an `Iq`
    /// asked for as a `Stanza`, goes through its element).
    pub fn get<T: XmlElement + Clone + 'static>(&self) -> Option<Result<T, Error>> {
        match self {
            Payload::Typed(t) => {
                if let Some(v) = t.as_any().downcast_ref::<T>() {
                    return Some(Ok(v.clone()));
                }
                let el = t.to_dom();
                T::matches(&el.ns(), el.name()).then(|| T::from_element(&el))
            }
            Payload::Raw(el) => {
                if T::matches(&el.ns(), el.name()) {
                    Some(T::from_element(el))
                } else {
                    None
                }
            }
        }
    }

    /// Writes the payload.
    pub fn write<W: Sink + ?Sized>(&self, w: &mut W) {
        match self {
            Payload::Raw(el) => w.element(el),
            Payload::Typed(t) => w.payload(&**t),
        }
    }
}

impl Clone for Payload {
    fn clone(&self) -> Self {
        match self {
            Payload::Raw(el) => Payload::Raw(el.clone()),
            Payload::Typed(t) => Payload::Typed(t.clone_box()),
        }
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Payload::Raw(a), Payload::Raw(b)) => a == b,
            (Payload::Typed(a), Payload::Typed(b)) => a.eq_dyn(&**b),
            _ => self.to_element() == other.to_element(),
        }
    }
}

impl From<minidom::Element> for Payload {
    fn from(el: minidom::Element) -> Self {
        Payload::Raw(el)
    }
}

/// An attribute of a foreign namespace kept on an element. An
/// `#[xml(attrs)]` field holds them sorted by (namespace, name): attribute
/// order carries no meaning in XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignAttr {
    /// Namespace URI (empty for an unprefixed attribute).
    pub ns: String,
    /// Local name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// What an extension field (`#[xml(children)]`) can hold.
pub trait Captured: Sized {
    /// Takes the element the source is positioned on.
    fn capture<S: Source + ?Sized>(src: &mut S) -> Result<Self, Error>;
    /// Writes it.
    fn write<W: Sink + ?Sized>(&self, w: &mut W);
}

impl Captured for Payload {
    fn capture<S: Source + ?Sized>(src: &mut S) -> Result<Self, Error> {
        src.payload()
    }
    fn write<W: Sink + ?Sized>(&self, w: &mut W) {
        Payload::write(self, w)
    }
}

impl Captured for minidom::Element {
    fn capture<S: Source + ?Sized>(src: &mut S) -> Result<Self, Error> {
        src.capture()
    }
    fn write<W: Sink + ?Sized>(&self, w: &mut W) {
        w.element(self)
    }
}

/// Helpers called by generated code; not a stable API.
#[doc(hidden)]
pub mod __private {
    use super::*;

    /// Whether character data is only XML whitespace.
    #[inline]
    pub fn is_whitespace(s: &str) -> bool {
        s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    }

    /// Rejects non-whitespace text in an element without text content.
    #[inline]
    pub fn ignorable_text<S: Source + ?Sized>(src: &S) -> Result<(), Error> {
        if is_whitespace(src.text()) {
            Ok(())
        } else {
            Err(Error::new(ErrorKind::UnexpectedText))
        }
    }

    /// Reads the content of a text-only element the source is positioned
    /// on (attributes other than none are rejected), through its end.
    pub fn read_text_child<S: Source + ?Sized>(src: &mut S, name: &str) -> Result<String, Error> {
        read_text_child_inner(src).map_err(|e| e.within(name))
    }

    fn read_text_child_inner<S: Source + ?Sized>(src: &mut S) -> Result<String, Error> {
        if src.attr_count() > 0 {
            let a = src.attr(0);
            return Err(Error::unknown_attribute(a.ns, a.name));
        }
        let mut text = String::new();
        loop {
            match src.next()? {
                Token::Text => text.push_str(src.text()),
                Token::End => return Ok(text),
                Token::Start => {
                    let (ns, name) = src.name();
                    return Err(Error::unexpected_child(ns, name));
                }
            }
        }
    }

    /// Reads an empty flag element through its end.
    pub fn read_empty_child<S: Source + ?Sized>(src: &mut S, name: &str) -> Result<(), Error> {
        read_empty_inner(src).map_err(|e| e.within(name))
    }

    fn read_empty_inner<S: Source + ?Sized>(src: &mut S) -> Result<(), Error> {
        if src.attr_count() > 0 {
            let a = src.attr(0);
            return Err(Error::unknown_attribute(a.ns, a.name));
        }
        loop {
            match src.next()? {
                Token::Text => ignorable_text(src)?,
                Token::End => return Ok(()),
                Token::Start => {
                    let (ns, name) = src.name();
                    return Err(Error::unexpected_child(ns, name));
                }
            }
        }
    }

    /// Writes a text-only child element.
    pub fn write_text_child<W: Sink + ?Sized>(w: &mut W, ns: &str, name: &str, text: &str) {
        w.start(ns, name);
        if !text.is_empty() {
            w.text(text);
        }
        w.end();
    }

    /// The message for a missing child of a given namespace and name.
    pub fn child_label(parent_ns: &str, ns: &str, name: &str) -> String {
        if ns == parent_ns {
            name.to_string()
        } else {
            format!("{{{ns}}}{name}")
        }
    }
}

/// Declares `pub static ELEMENTS: &[ElementInfo]` for a crate: the types it
/// implements and their defining specifications.
///
/// ```ignore
/// xep_element::elements! {
///     "XEP-0199" => [Ping],
/// }
/// ```
#[macro_export]
macro_rules! elements {
    ($($spec:literal => [$($ty:ty),* $(,)?]),* $(,)?) => {
        /// The element types of this crate with their defining specifications.
        pub static ELEMENTS: &[$crate::ElementInfo] = &[
            $($($crate::ElementInfo::of::<$ty>($spec),)*)*
        ];
    };
}
