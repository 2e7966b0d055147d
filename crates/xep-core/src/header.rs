//! The stream header (RFC 6120 §4.7): the opening `<stream:stream>` tag.

use xep_element::jid::Jid;
use xep_element::xml::{NsContext, StartTag, parse_start_tag};
use xep_element::{Error, XmlValue, escape_attr, ns};

pub use xep_element::ContentNs;

/// The stream header's attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamHeader {
    /// Sender.
    pub from: Option<Jid>,
    /// Recipient.
    pub to: Option<Jid>,
    /// Stream identifier (set by the receiving entity).
    pub id: Option<String>,
    /// `version`, `1.0` for RFC 6120 streams; absent for pre-RFC streams.
    pub version: Option<String>,
    /// Default language of the stream.
    pub lang: Option<String>,
    /// The content namespace (the default namespace declared on the header).
    pub content: ContentNs,
    /// Whether the header declares a prefix for XEP-0220's
    /// `jabber:server:dialback` (written `xmlns:db`): how a server
    /// announces traditional dialback. A writer of this header prefixes
    /// dialback elements with `db:`.
    pub dialback: bool,
    /// Other attributes, kept as (namespace, name, value) (namespace
    /// declarations are not attributes and are not kept here).
    pub extra: Vec<(String, String, String)>,
}

/// `jabber:server:dialback` (XEP-0220).
const NS_DIALBACK: &str = "jabber:server:dialback";

impl StreamHeader {
    /// A client-to-server header to `domain`, version 1.0.
    pub fn client_to(domain: Jid) -> Self {
        StreamHeader {
            to: Some(domain),
            version: Some("1.0".into()),
            ..Default::default()
        }
    }

    /// Parses the header from its bytes (`<stream:stream ...>`, not closed;
    /// an XML declaration before it is allowed). Returns the header and the
    /// namespace context that the stream's children inherit.
    pub fn parse(input: &[u8]) -> Result<(StreamHeader, NsContext), Error> {
        let tag: StartTag = parse_start_tag(input, &NsContext::default())?;
        if tag.name != "stream" || tag.ns != ns::STREAM {
            return Err(Error::invalid(format!(
                "expected the stream header {{{}}}stream, found {{{}}}{} (RFC 6120 §4.9.3.10 invalid-namespace)",
                ns::STREAM,
                tag.ns,
                tag.name
            )));
        }
        let content = ContentNs::from_uri(&tag.context.default).ok_or_else(|| {
            Error::invalid(format!(
                "the stream's default namespace '{}' is not a content namespace (jabber:client, jabber:server, jabber:component:*) (RFC 6120 §4.9.3.10 invalid-namespace)",
                tag.context.default
            ))
        })?;
        let mut h = StreamHeader {
            content,
            dialback: tag
                .context
                .prefixes
                .iter()
                .any(|(_, uri)| uri == NS_DIALBACK),
            ..Default::default()
        };
        for (ans, name, value) in tag.attrs {
            let a = |n: &str| xep_element::parse_attr::<Jid>(n, &value);
            match (ans.as_str(), name.as_str()) {
                ("", "from") => h.from = Some(a("from")?),
                ("", "to") => h.to = Some(a("to")?),
                ("", "id") => h.id = Some(value),
                ("", "version") => h.version = Some(value),
                (ns::XML, "lang") => h.lang = Some(value),
                _ => h.extra.push((ans, name, value)),
            }
        }
        Ok((h, tag.context))
    }

    /// The header as bytes: `<stream:stream xmlns='...' xmlns:stream='...' ...>`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = String::with_capacity(200);
        s.push_str("<stream:stream xmlns='");
        s.push_str(self.content.uri());
        s.push_str("' xmlns:stream='");
        s.push_str(ns::STREAM);
        s.push('\'');
        if self.dialback {
            s.push_str(" xmlns:db='");
            s.push_str(NS_DIALBACK);
            s.push('\'');
        }
        let mut attr = |n: &str, v: &str| {
            s.push(' ');
            s.push_str(n);
            s.push_str("='");
            s.push_str(&escape_attr(v));
            s.push('\'');
        };
        if let Some(j) = &self.from {
            attr("from", &j.to_xml());
        }
        if let Some(j) = &self.to {
            attr("to", &j.to_xml());
        }
        if let Some(v) = &self.id {
            attr("id", v);
        }
        if let Some(v) = &self.version {
            attr("version", v);
        }
        if let Some(v) = &self.lang {
            attr("xml:lang", v);
        }
        for (ans, name, value) in &self.extra {
            if ans.is_empty() {
                attr(name, value);
            }
        }
        s.push('>');
        s.into_bytes()
    }

    /// The namespace context the stream's children are parsed in.
    pub fn context(&self) -> NsContext {
        let c = NsContext::new(self.content.uri()).with_prefix("stream", ns::STREAM);
        if self.dialback {
            c.with_prefix("db", NS_DIALBACK)
        } else {
            c
        }
    }
}
