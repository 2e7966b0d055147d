//! Machine-readable descriptions of elements, emitted by the derive.

/// The namespace an element is declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NsDesc {
    /// One fixed namespace URI.
    Fixed(&'static str),
    /// The stanza content namespace of the stream (`jabber:client`,
    /// `jabber:server`, `jabber:component:accept`).
    Content,
}

impl NsDesc {
    /// Whether `ns` is this namespace.
    pub fn matches(&self, ns: &str) -> bool {
        match self {
            NsDesc::Fixed(f) => *f == ns,
            NsDesc::Content => crate::ns::is_content(ns),
        }
    }
}

/// The value space of an attribute or of text content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueDesc {
    /// XML Schema type name (`xs:string`, `xs:boolean`, ...).
    pub xsd_type: &'static str,
    /// Enumerated values, empty when not an enumeration.
    pub values: &'static [&'static str],
    /// Whether values outside `values` are accepted and kept (an
    /// enumeration with an `#[xml(other)]` variant: message types, data
    /// form field types, hash names).
    pub open: bool,
    /// A valid value, for types whose lexical space the schema type does
    /// not say (a JID, SASL data, a XEP-0091 stamp): generators use it.
    pub example: Option<&'static str>,
}

/// An attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttrDesc {
    /// Namespace URI, empty for unprefixed attributes.
    pub ns: &'static str,
    /// Local name.
    pub name: &'static str,
    /// Whether it must be present.
    pub required: bool,
    /// Its values.
    pub value: ValueDesc,
}

/// What a child slot holds.
#[derive(Debug, Clone, Copy)]
pub enum ChildKind {
    /// Elements described by another type (one of its descriptions).
    Element(fn() -> &'static [ElementDesc]),
    /// A text-only child element.
    Text {
        /// Namespace (fixed, or the parent's content namespace).
        ns: NsDesc,
        /// Local name.
        name: &'static str,
        /// The text's values.
        value: ValueDesc,
    },
    /// An empty child element whose presence is a flag.
    Flag {
        /// Namespace.
        ns: NsDesc,
        /// Local name.
        name: &'static str,
    },
    /// Any element of a namespace other than the parent's (`xs:any
    /// namespace="##other"`), kept as a payload.
    Any,
}

/// A child slot with its cardinality.
#[derive(Debug, Clone, Copy)]
pub struct ChildDesc {
    /// What the slot holds.
    pub kind: ChildKind,
    /// Minimum occurrences.
    pub min: u32,
    /// Maximum occurrences, `None` for unbounded.
    pub max: Option<u32>,
}

/// An element.
///
/// Machine-readable descriptions of elements, emitted by the derive.
///
/// Each element type describes itself as one or more [`ElementDesc`] (one for
/// a struct, one per variant for an enum of elements). Tools turn these into
/// XML Schemas (`cargo xtask xsd`), property-test strategies and fuzzing
/// dictionaries.
#[derive(Debug, Clone, Copy)]
pub struct ElementDesc {
    /// Namespace.
    pub ns: NsDesc,
    /// Local name.
    pub name: &'static str,
    /// Attributes.
    pub attrs: &'static [AttrDesc],
    /// Whether attributes of other namespaces are kept.
    pub any_attrs: bool,
    /// Child slots, in serialization order.
    pub children: &'static [ChildDesc],
    /// Text content, if the element has any.
    pub text: Option<ValueDesc>,
}

impl ElementDesc {
    /// Whether this description is of the element `{ns}name`.
    pub fn matches(&self, ns: &str, name: &str) -> bool {
        self.name == name && self.ns.matches(ns)
    }
}
