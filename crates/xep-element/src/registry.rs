//! The registry of element types.

use std::collections::HashMap;

use crate::desc::{ElementDesc, NsDesc};
use crate::xml::XmlReader;
use crate::{AnyElement, DomSource, Error, XmlElement};

/// A type-erased parser from a DOM element.
pub type ParseDom = for<'r, 'a> fn(&'r mut DomSource<'a>) -> Result<Box<dyn AnyElement>, Error>;

/// A type-erased parser from a reader positioned on the element.
pub type ParseXml = for<'r, 'a> fn(
    &'r mut XmlReader<'a>,
    Option<&'a Registry>,
) -> Result<Box<dyn AnyElement>, Error>;

/// One element type, with type-erased entry points.
#[derive(Clone, Copy)]
pub struct ElementInfo {
    /// The defining specification, e.g. `XEP-0199` or `RFC 6120`.
    pub spec: &'static str,
    /// The Rust type's name.
    pub type_name: fn() -> &'static str,
    /// The element(s) the type accepts.
    pub descriptions: fn() -> &'static [ElementDesc],
    /// Parses a DOM element (which must match) into the typed value.
    pub parse_dom: ParseDom,
    /// Parses the element a reader is positioned on, through to its end.
    pub parse_xml: ParseXml,
}

impl ElementInfo {
    /// The entry for type `T`, defined by `spec`.
    pub const fn of<T: XmlElement + AnyElementBounds>(spec: &'static str) -> Self {
        ElementInfo {
            spec,
            type_name: std::any::type_name::<T>,
            descriptions: T::descriptions,
            parse_dom: parse_dom_erased::<T>,
            parse_xml: parse_xml_erased::<T>,
        }
    }
}

impl std::fmt::Debug for ElementInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ElementInfo")
            .field("spec", &self.spec)
            .field("type", &(self.type_name)())
            .finish()
    }
}

/// What a type needs to be stored as a [`crate::Payload`].
pub trait AnyElementBounds: Clone + PartialEq + std::fmt::Debug + Send + Sync + 'static {}
impl<T: Clone + PartialEq + std::fmt::Debug + Send + Sync + 'static> AnyElementBounds for T {}

fn parse_dom_erased<T: XmlElement + AnyElementBounds>(
    src: &mut DomSource<'_>,
) -> Result<Box<dyn AnyElement>, Error> {
    Ok(Box::new(T::parse(src)?))
}

fn parse_xml_erased<'a, T: XmlElement + AnyElementBounds>(
    r: &mut XmlReader<'a>,
    _reg: Option<&'a Registry>,
) -> Result<Box<dyn AnyElement>, Error> {
    Ok(Box::new(T::parse(r)?))
}

/// Element types by (namespace, name).
///
/// The registry of element types.
///
/// Every protocol crate exposes `pub static ELEMENTS: &[ElementInfo]`, one
/// entry per element type with its defining specification. A [`Registry`]
/// combines such lists and dispatches any element by (namespace, name): the
/// example checker, fuzz targets and property tests use it, and parsers use
/// it to type stanza payloads on the fly.
#[derive(Default, Clone)]
pub struct Registry {
    by_ns: HashMap<&'static str, HashMap<&'static str, &'static ElementInfo>>,
    all: Vec<&'static ElementInfo>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds every entry of a crate's `ELEMENTS` list. An element already
    /// registered keeps its first entry.
    #[must_use]
    pub fn with(mut self, entries: &'static [ElementInfo]) -> Self {
        self.add(entries);
        self
    }

    /// Adds every entry of a crate's `ELEMENTS` list.
    pub fn add(&mut self, entries: &'static [ElementInfo]) {
        for info in entries {
            self.all.push(info);
            for d in (info.descriptions)() {
                let nss: &[&'static str] = match d.ns {
                    NsDesc::Fixed(ref f) => std::slice::from_ref(f),
                    NsDesc::Content => crate::ns::CONTENT,
                };
                for ns in nss {
                    self.by_ns
                        .entry(ns)
                        .or_default()
                        .entry(d.name)
                        .or_insert(info);
                }
            }
        }
    }

    /// The entry for `{ns}name`.
    pub fn lookup(&self, ns: &str, name: &str) -> Option<&'static ElementInfo> {
        self.by_ns.get(ns)?.get(name).copied()
    }

    /// Whether any element of namespace `ns` is registered.
    pub fn knows_namespace(&self, ns: &str) -> bool {
        self.by_ns.contains_key(ns)
    }

    /// Every registered entry, in registration order.
    pub fn entries(&self) -> &[&'static ElementInfo] {
        &self.all
    }

    /// Every registered namespace.
    pub fn namespaces(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.by_ns.keys().copied()
    }

    /// Parses a DOM element through its registered type.
    /// `Ok(None)` when the element is not registered.
    pub fn parse_dom(&self, el: &minidom::Element) -> Result<Option<Box<dyn AnyElement>>, Error> {
        let ns = el.ns();
        match self.lookup(&ns, el.name()) {
            Some(info) => (info.parse_dom)(&mut DomSource::with_registry(el, self)).map(Some),
            None => Ok(None),
        }
    }
}
