//! XEP-0394 message markup: ranges of the body marked as emphasis,
//! strong, code or deleted text ([`Span`]), code blocks ([`BCode`]),
//! lists ([`List`], [`ListItem`]) and block quotes ([`BQuote`]).
//!
//! §5 has entities silently ignore what they do not understand, however
//! deep: unknown elements and attributes are kept (so a message
//! round-trips) and never an error. [`Markup::check`] applies §5's other
//! rules against the body: ranges in code points within it, spans not
//! overlapping one another nor crossing a block's boundary, blocks
//! nested or apart, list items within their list and in order;
//! [`markups`] pairs each `<markup/>` with its `<body/>` by language
//! (a markup without a body is refused).

use std::fmt;

use xep_core::Message;
use xep_element::{ForeignAttr, Payload, XmlElement};

/// `urn:xmpp:markup:0`.
pub const NS_MARKUP: &str = "urn:xmpp:markup:0";

/// `<markup/>`: the markup of the body in its language.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_MARKUP, name = "markup")]
pub struct Markup {
    /// `xml:lang`: the body it marks up.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The markup, in order.
    #[xml(child)]
    pub items: Vec<MarkupItem>,
    /// Elements this crate does not understand (§5: ignored, kept).
    #[xml(children)]
    pub unknown: Vec<Payload>,
    /// Attributes this crate does not understand (ignored, kept).
    #[xml(attrs)]
    pub unknown_attrs: Vec<ForeignAttr>,
}

/// One piece of markup.
#[derive(XmlElement, Debug, Clone, PartialEq)]
pub enum MarkupItem {
    /// `<span/>`.
    Span(Span),
    /// `<bcode/>`.
    BCode(BCode),
    /// `<list/>`.
    List(List),
    /// `<bquote/>`.
    BQuote(BQuote),
}

/// `<span/>`: inline markup of `start..end`.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_MARKUP, name = "span")]
pub struct Span {
    /// The first code point marked.
    #[xml(attr)]
    pub start: u32,
    /// The code point after the last one marked.
    #[xml(attr)]
    pub end: u32,
    /// `<emphasis/>` (italics).
    #[xml(flag(name = "emphasis"))]
    pub emphasis: bool,
    /// `<strong/>` (bold).
    #[xml(flag(name = "strong"))]
    pub strong: bool,
    /// `<code/>` (monospaced).
    #[xml(flag(name = "code"))]
    pub code: bool,
    /// `<deleted/>` (struck through).
    #[xml(flag(name = "deleted"))]
    pub deleted: bool,
    /// Other children (ignored, kept).
    #[xml(children)]
    pub unknown: Vec<Payload>,
    /// Other attributes (ignored, kept).
    #[xml(attrs)]
    pub unknown_attrs: Vec<ForeignAttr>,
}

/// `<bcode/>`: a code block.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_MARKUP, name = "bcode")]
pub struct BCode {
    /// The first code point.
    #[xml(attr)]
    pub start: u32,
    /// The code point after the last one.
    #[xml(attr)]
    pub end: u32,
    /// The language of the code, if given.
    #[xml(attr)]
    pub language: Option<String>,
    /// Children (ignored, kept).
    #[xml(children)]
    pub unknown: Vec<Payload>,
    /// Other attributes (ignored, kept).
    #[xml(attrs)]
    pub unknown_attrs: Vec<ForeignAttr>,
}

/// `<list/>`: an itemized list.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_MARKUP, name = "list")]
pub struct List {
    /// The first code point.
    #[xml(attr)]
    pub start: u32,
    /// The code point after the last one.
    #[xml(attr)]
    pub end: u32,
    /// Whether the list is ordered (default false).
    #[xml(attr)]
    pub ordered: Option<xep_element::XsdBool>,
    /// The items: where each starts.
    #[xml(child)]
    pub items: Vec<ListItem>,
    /// Other children (ignored, kept).
    #[xml(children)]
    pub unknown: Vec<Payload>,
    /// Other attributes (ignored, kept).
    #[xml(attrs)]
    pub unknown_attrs: Vec<ForeignAttr>,
}

/// `<li/>`: a list item, up to the next one or the list's end.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_MARKUP, name = "li")]
pub struct ListItem {
    /// The first code point of the item.
    #[xml(attr)]
    pub start: u32,
    /// Children (ignored, kept).
    #[xml(children)]
    pub unknown: Vec<Payload>,
    /// Other attributes (ignored, kept).
    #[xml(attrs)]
    pub unknown_attrs: Vec<ForeignAttr>,
}

/// `<bquote/>`: a block quote (nested ones are nested ranges).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_MARKUP, name = "bquote")]
pub struct BQuote {
    /// The first code point.
    #[xml(attr)]
    pub start: u32,
    /// The code point after the last one.
    #[xml(attr)]
    pub end: u32,
    /// Children (ignored, kept).
    #[xml(children)]
    pub unknown: Vec<Payload>,
    /// Other attributes (ignored, kept).
    #[xml(attrs)]
    pub unknown_attrs: Vec<ForeignAttr>,
}

/// A rule of XEP-0394 §5 the markup breaks against its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkupError {
    /// `start..end` is reversed or beyond the body (`len` code points).
    OutOfRange {
        /// The element.
        element: &'static str,
        /// Its start.
        start: u32,
        /// Its end.
        end: u32,
        /// The body's length in code points.
        len: usize,
    },
    /// Two spans overlap.
    SpansOverlap,
    /// A span crosses the boundary of a block.
    SpanCrossesBlock,
    /// Two blocks overlap without one containing the other.
    BlocksOverlap,
    /// A list item starts outside its list, or before the previous one.
    ListItem,
    /// A `<markup/>` has no `<body/>` of its language (§5).
    NoBody,
}

impl fmt::Display for MarkupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MarkupError::OutOfRange {
                element,
                start,
                end,
                len,
            } => write!(
                f,
                "<{element}/> covers {start}..{end}, not within the body's {len} code points"
            ),
            MarkupError::SpansOverlap => f.write_str("two <span/>s overlap (XEP-0394 §5)"),
            MarkupError::SpanCrossesBlock => {
                f.write_str("a <span/> crosses the boundary of a block (XEP-0394 §5)")
            }
            MarkupError::BlocksOverlap => {
                f.write_str("two blocks overlap without nesting (XEP-0394 §5)")
            }
            MarkupError::ListItem => {
                f.write_str("an <li/> starts outside its <list/> or before the previous one")
            }
            MarkupError::NoBody => {
                f.write_str("a <markup/> without a <body/> of its language (XEP-0394 §5)")
            }
        }
    }
}

impl std::error::Error for MarkupError {}

/// Whether `a` and `b` overlap without one containing the other.
fn crosses(a: (u32, u32), b: (u32, u32)) -> bool {
    let overlap = a.0 < b.1 && b.0 < a.1;
    let nested = (a.0 <= b.0 && b.1 <= a.1) || (b.0 <= a.0 && a.1 <= b.1);
    overlap && !nested
}

impl Markup {
    /// The spans, in order.
    pub fn spans(&self) -> impl Iterator<Item = &Span> {
        self.items.iter().filter_map(|i| match i {
            MarkupItem::Span(s) => Some(s),
            _ => None,
        })
    }

    /// The block-level ranges (code blocks, lists, quotes).
    fn blocks(&self) -> Vec<(u32, u32)> {
        self.items
            .iter()
            .filter_map(|i| match i {
                MarkupItem::BCode(b) => Some((b.start, b.end)),
                MarkupItem::List(l) => Some((l.start, l.end)),
                MarkupItem::BQuote(q) => Some((q.start, q.end)),
                MarkupItem::Span(_) => None,
            })
            .collect()
    }

    /// Checks §5's rules against `body`, the text it marks up.
    pub fn check(&self, body: &str) -> Result<(), MarkupError> {
        let len = crate::char_len(body);
        for item in &self.items {
            let (element, start, end) = match item {
                MarkupItem::Span(s) => ("span", s.start, s.end),
                MarkupItem::BCode(b) => ("bcode", b.start, b.end),
                MarkupItem::List(l) => ("list", l.start, l.end),
                MarkupItem::BQuote(q) => ("bquote", q.start, q.end),
            };
            if start > end || end as usize > len {
                return Err(MarkupError::OutOfRange {
                    element,
                    start,
                    end,
                    len,
                });
            }
            if let MarkupItem::List(l) = item {
                let mut previous = l.start;
                for (n, li) in l.items.iter().enumerate() {
                    let ordered = if n == 0 {
                        li.start >= previous
                    } else {
                        li.start > previous
                    };
                    if !ordered || li.start >= l.end.max(l.start + 1) {
                        return Err(MarkupError::ListItem);
                    }
                    previous = li.start;
                }
            }
        }
        let mut spans: Vec<(u32, u32)> = self.spans().map(|s| (s.start, s.end)).collect();
        spans.sort_unstable();
        if spans.windows(2).any(|w| w[1].0 < w[0].1) {
            return Err(MarkupError::SpansOverlap);
        }
        let blocks = self.blocks();
        for (i, a) in blocks.iter().enumerate() {
            if blocks[i + 1..].iter().any(|b| crosses(*a, *b)) {
                return Err(MarkupError::BlocksOverlap);
            }
            if spans.iter().any(|s| crosses(*a, *s)) {
                return Err(MarkupError::SpanCrossesBlock);
            }
        }
        Ok(())
    }
}

/// Each `<markup/>` of `message` with the body of its language (the
/// message's language when it has none), checked ([`Markup::check`]).
pub fn markups(message: &Message) -> Vec<Result<(Markup, String), MarkupError>> {
    message
        .payloads
        .iter()
        .filter_map(|p| p.get::<Markup>().and_then(Result::ok))
        .map(|m| {
            let lang = m.lang.as_deref().or(message.lang.as_deref());
            let body = message
                .bodies
                .iter()
                .find(|b| b.lang.as_deref().or(message.lang.as_deref()) == lang)
                .map(|b| b.text.clone())
                .ok_or(MarkupError::NoBody)?;
            m.check(&body)?;
            Ok((m, body))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use xep_core::Stanza;

    fn message(xml: &str) -> Message {
        let reg = xep_element::Registry::new()
            .with(xep_core::ELEMENTS)
            .with(crate::ELEMENTS);
        match Stanza::from_xml_with(xml.as_bytes(), &reg).unwrap() {
            Stanza::Message(m) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_kind_round_trips_with_unknown_markup_kept() {
        let xml = "<markup xmlns='urn:xmpp:markup:0' xml:lang='en' future='1'>\
            <span start='0' end='3' hue='red'><emphasis/><strong/><blink/></span>\
            <bcode start='4' end='9' language='bash'/>\
            <list start='10' end='20' ordered='true'><li start='10'/><li start='15' x='y'/></list>\
            <bquote start='21' end='25'><cite xmlns='urn:example:cite'>Gandalf</cite></bquote>\
            <table rows='2'><tr/></table></markup>";
        let m = Markup::from_xml(xml.as_bytes()).unwrap();
        let Some(MarkupItem::Span(s)) = m.items.first() else {
            panic!()
        };
        assert!(s.emphasis && s.strong && !s.code && !s.deleted);
        assert_eq!((s.unknown.len(), s.unknown_attrs.len()), (1, 1));
        assert_eq!(
            (m.items.len(), m.unknown.len(), m.unknown_attrs.len()),
            (4, 1, 1)
        );
        let back = Markup::from_xml(m.to_xml().as_bytes()).unwrap();
        assert_eq!(back, m);
        let dom: xep_element::minidom::Element = xml.parse().unwrap();
        assert_eq!(Markup::from_element(&dom).unwrap(), m);
    }

    #[test]
    fn bad_values_are_errors_naming_the_place() {
        let e = Markup::from_xml(
            b"<markup xmlns='urn:xmpp:markup:0'><span start='x' end='3'/></markup>",
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("markup/span") && e.to_string().contains("start"),
            "{e}"
        );
        let e = Markup::from_xml(
            b"<markup xmlns='urn:xmpp:markup:0'><list start='0' end='3'><li/></list></markup>",
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("list/li") && e.to_string().contains("start"),
            "{e}"
        );
        // An <li/> outside a list means nothing there: kept, ignored.
        let m = Markup::from_xml(b"<markup xmlns='urn:xmpp:markup:0'><li/></markup>").unwrap();
        assert_eq!((m.items.len(), m.unknown.len()), (0, 1));
    }

    #[test]
    fn section_5_rules_against_the_body() {
        let body = "> He said:\n>> Thou shalt not pass!\n> and raised his hand.\nIsn't this from some famous movie?";
        let quotes = Markup::from_xml(
            b"<markup xmlns='urn:xmpp:markup:0'><bquote start='0' end='57'/><bquote start='11' end='34'/>\
              <span start='14' end='18'><emphasis/></span></markup>",
        )
        .unwrap();
        assert_eq!(quotes.check(body), Ok(()));
        let cases: [(&str, MarkupError); 5] = [
            (
                "<span start='3' end='200'><code/></span>",
                MarkupError::OutOfRange {
                    element: "span",
                    start: 3,
                    end: 200,
                    len: 92,
                },
            ),
            (
                "<span start='0' end='5'><code/></span><span start='4' end='8'><strong/></span>",
                MarkupError::SpansOverlap,
            ),
            (
                "<bquote start='0' end='10'/><span start='8' end='12'><strong/></span>",
                MarkupError::SpanCrossesBlock,
            ),
            (
                "<bquote start='0' end='20'/><bcode start='10' end='30'/>",
                MarkupError::BlocksOverlap,
            ),
            (
                "<list start='11' end='34'><li start='20'/><li start='12'/></list>",
                MarkupError::ListItem,
            ),
        ];
        for (inner, error) in cases {
            let m = Markup::from_xml(
                format!("<markup xmlns='urn:xmpp:markup:0'>{inner}</markup>").as_bytes(),
            )
            .unwrap();
            assert_eq!(m.check(body), Err(error), "{inner}");
        }
        // Offsets count code points, not bytes.
        let m = Markup::from_xml(b"<markup xmlns='urn:xmpp:markup:0'><span start='0' end='2'><emphasis/></span></markup>")
            .unwrap();
        assert_eq!(m.check("\u{1F600}\u{1F600}"), Ok(()));
    }

    #[test]
    fn markup_is_paired_with_the_body_of_its_language() {
        let m = message(
            "<message xmlns='jabber:client' xml:lang='en'><body>Hello there</body>\
             <body xml:lang='de'>Hallo</body>\
             <markup xmlns='urn:xmpp:markup:0'><span start='0' end='5'><strong/></span></markup>\
             <markup xmlns='urn:xmpp:markup:0' xml:lang='de'><span start='0' end='5'><strong/></span></markup>\
             <markup xmlns='urn:xmpp:markup:0' xml:lang='fr'><span start='0' end='1'><strong/></span></markup></message>",
        );
        let all = markups(&m);
        assert_eq!(all[0].as_ref().unwrap().1, "Hello there");
        assert_eq!(all[1].as_ref().unwrap().1, "Hallo");
        assert_eq!(all[2], Err(MarkupError::NoBody));
    }
}
