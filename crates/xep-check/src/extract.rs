//! Getting examples out of XEP source documents and into parseable pieces.
//!
//! A XEP document is XML whose `<example caption='...'>` elements hold the
//! example protocol text, usually in a CDATA section. That text is annotated
//! prose as much as wire bytes: it may contain XML comments, processing
//! instructions, HTTP headers (BOSH), several top-level elements, an
//! unclosed stream header, and placeholders such as `...` or `[base64]`
//! where content is elided. [`extract_examples`] finds the examples with
//! their line numbers; [`prepare`] strips the annotations (keeping line and
//! column positions) and splits the text into top-level items;
//! [`parse_item`] parses one item with the strict reader.

use std::path::Path;

use xep_element::ErrorKind;
use xep_element::xml::scan::{ElementScanner, Scan, start_tag_end};
use xep_element::xml::{NsContext, XmlReader};

/// One `<example>` of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The XEP number, when known (from the file name).
    pub xep: Option<u32>,
    /// 1-based position among the document's examples.
    pub index: usize,
    /// The caption attribute (empty when absent).
    pub caption: String,
    /// Line of the `<example` tag in the document (1-based).
    pub line: usize,
    /// Line of the document where `text` begins.
    pub body_line: usize,
    /// The example's content: CDATA taken as is, other text with its
    /// references expanded (the predefined entities, character references
    /// and the entities the document declares, see [`Entities`]).
    pub text: String,
    /// The entity references of the example's text that no available
    /// declaration resolves, each with why (left as written in `text`).
    pub unresolved: Vec<String>,
}

/// Takes the XEP number from a file name such as `xep-0045.xml`.
pub fn xep_number_from_path(path: &Path) -> Option<u32> {
    let stem = path.file_stem()?.to_str()?;
    stem.strip_prefix("xep-")?.parse().ok()
}

fn line_at(doc: &str, offset: usize, cache: &mut (usize, usize)) -> usize {
    // Incremental line counting: offsets only grow.
    let (from, line) = *cache;
    let l = line
        + doc.as_bytes()[from..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
    *cache = (offset, l);
    l
}

pub use xep_schema::entities::Entities;

/// Finds every `<example>` in `doc` (outside comments and CDATA sections),
/// expanding the entities the document itself declares (see
/// [`extract_examples_with`] to read `xep.ent` as well).
pub fn extract_examples(doc: &str, xep: Option<u32>) -> Vec<Example> {
    extract_examples_with(doc, xep, &Entities::of_document(doc, &mut |_| None))
}

/// Finds every `<example>` in `doc` (outside comments and CDATA sections),
/// expanding `entities` in its text outside CDATA and in its caption.
pub fn extract_examples_with(doc: &str, xep: Option<u32>, entities: &Entities) -> Vec<Example> {
    let b = doc.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut lines = (0usize, 1usize);
    while let Some(rel) = doc[i..].find('<') {
        i += rel;
        let rest = &doc[i..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(b.len(), |e| i + e + 3);
        } else if rest.starts_with("<![CDATA[") {
            i = rest.find("]]>").map_or(b.len(), |e| i + e + 3);
        } else if rest.starts_with("<example")
            && rest[8..].starts_with(|c: char| c == '>' || c == '/' || c.is_ascii_whitespace())
        {
            let line = line_at(doc, i, &mut lines);
            let Some(tag_end) = rest.find('>') else { break };
            let tag = &rest[..tag_end];
            let mut unresolved = Vec::new();
            let caption = attribute(tag, "caption")
                .map(|c| entities.expand(&c, &mut unresolved))
                .unwrap_or_default();
            // Only the example's own text decides whether it is XML.
            unresolved.clear();
            let body_start = i + tag_end + 1;
            if tag.ends_with('/') {
                out.push(Example {
                    xep,
                    index: out.len() + 1,
                    caption,
                    line,
                    body_line: line,
                    text: String::new(),
                    unresolved,
                });
                i = body_start;
                continue;
            }
            let (text, body_line, end) =
                example_body(doc, body_start, &mut lines, entities, &mut unresolved);
            out.push(Example {
                xep,
                index: out.len() + 1,
                caption,
                line,
                body_line,
                text,
                unresolved,
            });
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The value of attribute `name` in a start tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut search = 0;
    while let Some(p) = tag[search..].find(name) {
        let at = search + p;
        search = at + name.len();
        let before_ok = tag[..at].ends_with(|c: char| c.is_ascii_whitespace());
        let after = tag[at + name.len()..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let after = after[1..].trim_start();
        let q = after.chars().next()?;
        if q != '"' && q != '\'' {
            return None;
        }
        let end = after[1..].find(q)?;
        return Some(after[1..1 + end].to_string());
    }
    None
}

/// The content of an example starting at `start`: text and CDATA up to
/// `</example>`. Returns the text, the line it starts on, and the offset
/// after the end tag.
fn example_body(
    doc: &str,
    start: usize,
    lines: &mut (usize, usize),
    entities: &Entities,
    unresolved: &mut Vec<String>,
) -> (String, usize, usize) {
    let mut text = String::new();
    let mut i = start;
    let mut body_line = None;
    loop {
        let rest = &doc[i..];
        let Some(lt) = rest.find('<') else {
            text.push_str(&entities.expand(rest, unresolved));
            return (
                text,
                body_line.unwrap_or_else(|| line_at(doc, start, lines)),
                doc.len(),
            );
        };
        let plain = &rest[..lt];
        if body_line.is_none() && !plain.trim().is_empty() {
            body_line = Some(line_at(doc, i, lines));
            text.push_str(&entities.expand(plain, unresolved));
        } else if body_line.is_some() {
            text.push_str(&entities.expand(plain, unresolved));
        }
        let at = i + lt;
        let rest = &doc[at..];
        if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
            let content_start = at + 9;
            let len = cdata.find("]]>").unwrap_or(cdata.len());
            if body_line.is_none() {
                body_line = Some(line_at(doc, content_start, lines));
            }
            text.push_str(&cdata[..len]);
            i = (content_start + len + 3).min(doc.len());
        } else if rest.starts_with("</example") {
            let end = rest.find('>').map_or(doc.len(), |e| at + e + 1);
            return (
                text,
                body_line.unwrap_or_else(|| line_at(doc, start, lines)),
                end,
            );
        } else if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(doc.len(), |e| at + e + 3);
        } else {
            // Markup inside an example without CDATA: keep it as text.
            if body_line.is_none() {
                body_line = Some(line_at(doc, at, lines));
            }
            text.push('<');
            i = at + 1;
        }
    }
}

/// What a prepared item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A complete (or truncated) top-level element.
    Element,
    /// A `<stream:stream ...>` start tag, left open as on the wire.
    StreamHeader,
    /// `</stream:stream>`.
    StreamClose,
}

/// One top-level piece of an example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What it is.
    pub kind: ItemKind,
    /// Its text (annotations blanked out).
    pub xml: String,
    /// The line of the example text where it starts (1-based).
    pub line: usize,
}

/// An example split into items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    /// The items in order.
    pub items: Vec<Item>,
    /// What was removed: comments, processing instructions, text between
    /// top-level elements (HTTP headers, prose, placeholders).
    pub removed: Vec<String>,
}

/// Blanks `from..to` of `bytes` (keeping line breaks, so positions hold).
fn blank(bytes: &mut [u8], from: usize, to: usize) {
    for b in &mut bytes[from..to] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// Strips comments and processing instructions (including the XML
/// declaration) and splits the text into top-level items.
pub fn prepare(text: &str) -> Prepared {
    let mut removed = Vec::new();
    let mut bytes = text.as_bytes().to_vec();
    // Pass 1: blank comments and PIs outside CDATA sections and quotes
    // are rare enough that a plain search is right.
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text.as_bytes()[i..];
        if rest.starts_with(b"<![CDATA[") {
            i += find(rest, b"]]>").map_or(rest.len(), |e| e + 3);
        } else if rest.starts_with(b"<!--") {
            let end = find(&rest[4..], b"-->").map_or(rest.len(), |e| e + 7);
            removed.push(text[i..i + end].to_string());
            blank(&mut bytes, i, i + end);
            i += end;
        } else if rest.starts_with(b"<?") {
            let end = find(rest, b"?>").map_or(rest.len(), |e| e + 2);
            removed.push(text[i..i + end].to_string());
            blank(&mut bytes, i, i + end);
            i += end;
        } else {
            i += 1;
        }
    }
    // Blanking only replaced ASCII markup and the characters inside it by
    // spaces one byte each; multi-byte characters inside comments became
    // several spaces, which keeps the text valid UTF-8.
    let clean = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let cb = clean.as_bytes();
    let mut items = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let mut counted = 0;
    let mut line_of = |pos: usize| {
        line += cb[counted..pos].iter().filter(|&&b| b == b'\n').count();
        counted = pos;
        line
    };
    let mut stray_from = None;
    while i < cb.len() {
        if cb[i] != b'<' {
            if !cb[i].is_ascii_whitespace() && stray_from.is_none() {
                stray_from = Some(i);
            }
            i += 1;
            continue;
        }
        if let Some(s) = stray_from.take() {
            removed.push(clean[s..i].trim().to_string());
        }
        let rest = &clean[i..];
        if rest.starts_with("</stream:stream") {
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            items.push(Item {
                kind: ItemKind::StreamClose,
                xml: rest[..end].to_string(),
                line: line_of(i),
            });
            i += end;
            continue;
        }
        if rest.starts_with("<stream:stream")
            && rest[14..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>')
        {
            let end = start_tag_end(rest.as_bytes()).unwrap_or(rest.len());
            items.push(Item {
                kind: ItemKind::StreamHeader,
                xml: rest[..end].to_string(),
                line: line_of(i),
            });
            i += end;
            continue;
        }
        let mut sc = ElementScanner::new(1 << 16);
        let end = match sc.scan(rest.as_bytes()) {
            Ok(Scan::Element(n)) | Ok(Scan::Close(n)) => n,
            Ok(Scan::Incomplete) | Err(_) => rest.len(),
        };
        items.push(Item {
            kind: ItemKind::Element,
            xml: rest[..end].to_string(),
            line: line_of(i),
        });
        i += end;
    }
    if let Some(s) = stray_from {
        removed.push(clean[s..].trim().to_string());
    }
    Prepared { items, removed }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// Why an item is not XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFailure {
    /// Line within the item (1-based).
    pub line: usize,
    /// Column within that line (1-based, bytes).
    pub column: usize,
    /// The rule broken.
    pub reason: String,
}

/// The namespace of server dialback (XEP-0220), whose `db:` prefix examples
/// use as if the stream header had declared it.
pub const NS_DIALBACK: &str = "jabber:server:dialback";

/// The context examples are read in: `jabber:client` as the default
/// namespace, the `stream:` prefix bound, and `db:` bound to dialback (XEP
/// examples show dialback elements without the stream header that declares
/// the prefix).
pub fn example_context() -> NsContext {
    NsContext::new(xep_element::ns::CLIENT)
        .with_prefix("stream", xep_element::ns::STREAM)
        .with_prefix("db", NS_DIALBACK)
}

/// Whether any text inside `el` is a placeholder for elided content.
pub fn element_has_placeholder(el: &minidom::Element) -> bool {
    el.texts().any(has_placeholder) || el.children().any(element_has_placeholder)
}

/// Parses one item with the strict reader in `ctx` (see
/// [`example_context`]).
pub fn parse_item(xml: &str, ctx: &NsContext) -> Result<minidom::Element, ParseFailure> {
    let mut r = XmlReader::with_context(xml.as_bytes(), ctx).with_max_depth(1024);
    let res = r.root().and_then(|()| {
        let el = xep_element::Source::capture(&mut r)?;
        r.finish()?;
        Ok(el)
    });
    res.map_err(|e| match e.kind() {
        ErrorKind::Xml {
            line,
            column,
            reason,
            ..
        } => ParseFailure {
            line: *line,
            column: *column,
            reason: reason.clone(),
        },
        _ => ParseFailure {
            line: 1,
            column: 1,
            reason: e.to_string(),
        },
    })
}

/// What an item turned out to be.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// A stream header, parsed or not (why).
    Header(Result<(), String>),
    /// The stream's end tag.
    Close,
    /// An element, parsed or not.
    Element(Result<minidom::Element, ParseFailure>),
}

/// An item of an example, parsed.
#[derive(Debug, Clone)]
pub struct ParsedItem {
    /// The document line where the item starts.
    pub line: usize,
    /// The item's text.
    pub xml: String,
    /// The namespaces an element item is read in: [`example_context`], or
    /// a stream header's before it (with the `stream:` and `db:` prefixes).
    pub context: NsContext,
    /// The outcome.
    pub parsed: Parsed,
}

/// Prepares an example and parses each item; a stream header's namespaces
/// become the context of the items after it.
pub fn parse_items(ex: &Example) -> Vec<ParsedItem> {
    let mut ctx = example_context();
    let mut out = Vec::new();
    for item in prepare(&ex.text).items {
        let line = ex.body_line + item.line - 1;
        let parsed = match item.kind {
            ItemKind::StreamClose => Parsed::Close,
            ItemKind::StreamHeader => match xep_core::StreamHeader::parse(item.xml.as_bytes()) {
                Ok((_, header_ctx)) => {
                    let mut c = header_ctx;
                    for (p, uri) in example_context().prefixes {
                        if !c.prefixes.iter().any(|(q, _)| *q == p) {
                            c = c.with_prefix(&p, &uri);
                        }
                    }
                    ctx = c;
                    Parsed::Header(Ok(()))
                }
                Err(e) => Parsed::Header(Err(e.to_string())),
            },
            ItemKind::Element => Parsed::Element(parse_item(&item.xml, &ctx)),
        };
        out.push(ParsedItem {
            line,
            xml: item.xml,
            context: ctx.clone(),
            parsed,
        });
    }
    out
}

/// Whether `s` contains a placeholder that stands for elided content.
pub fn has_placeholder(s: &str) -> bool {
    if s.contains("...") || s.contains('…') || s.contains("[..") {
        return true;
    }
    // A vertical ellipsis: lines holding a lone `.`, one under the other.
    if s.lines().filter(|l| l.trim() == ".").nth(1).is_some() {
        return true;
    }
    // Bracketed prose such as `[base64 data]` or `[SASL data]`.
    let mut rest = s;
    while let Some(o) = rest.find('[') {
        let after = &rest[o + 1..];
        match after.find(']') {
            Some(c)
                if c > 0
                    && after[..c]
                        .chars()
                        .all(|ch| ch.is_alphanumeric() || " -_/.,#:".contains(ch)) =>
            {
                return true;
            }
            _ => rest = after,
        }
    }
    false
}

/// Whether the parse error at (`line`, `column`) of `xml` sits at a
/// placeholder: on that line or the one before (an elided attribute list
/// or element body shows up where the markup resumes).
pub fn elision_at(xml: &str, line: usize, _column: usize) -> bool {
    let lines: Vec<&str> = xml.lines().collect();
    let at = line.saturating_sub(1);
    let here = lines.get(at).copied().unwrap_or("");
    let before = at
        .checked_sub(1)
        .and_then(|p| lines.get(p))
        .copied()
        .unwrap_or("");
    has_placeholder(here)
        || has_placeholder(before)
        || (at >= lines.len() && lines.iter().any(|l| has_placeholder(l)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_examples_with_lines() {
        let doc = "<xep>\n<!-- <example caption='no'/> -->\n<p>x</p>\n<example caption='One &amp; two'><![CDATA[\n<a/>\n]]></example>\n<![CDATA[ <example>no</example> ]]>\n<example>\n&lt;b/&gt;\n</example></xep>";
        let ex = extract_examples(doc, Some(1));
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[0].caption, "One & two");
        assert_eq!(ex[0].line, 4);
        assert_eq!(ex[0].body_line, 4);
        assert_eq!(ex[0].text.trim(), "<a/>");
        assert_eq!(ex[1].index, 2);
        assert_eq!(ex[1].line, 8);
        assert_eq!(ex[1].body_line, 8);
        assert_eq!(ex[1].text.trim(), "<b/>");
        assert_eq!(xep_number_from_path(Path::new("x/xep-0045.xml")), Some(45));
    }

    #[test]
    fn expands_the_entities_the_document_declares() {
        let doc = "<?xml version='1.0'?>\n<!DOCTYPE xep SYSTEM 'xep.dtd' [\n  <!ENTITY ns \"urn:example:&#x32;\">\n  <!ENTITY el \"&lt;thing/&gt;\">\n  <!-- <!ENTITY ns 'commented out'> -->\n  <!ENTITY % ents SYSTEM \"xep.ent\">\n%ents;\n  <!ENTITY later \"from the document\">\n]>\n<xep>\n<example caption='The &el; of &common;'><![CDATA[<a xmlns=']]>&ns;<![CDATA['/>]]>&#60;b/&#62;<![CDATA[<c x=']]>&unknown;<![CDATA['/>]]></example>\n</xep>";
        let ent = "<!ENTITY common 'xep.ent&apos;s entity'>\n<!ENTITY ns 'overridden by the document'>\n<!ENTITY later 'xep.ent wins: declared first'>";
        let mut load = |s: &str| (s == "xep.ent").then(|| ent.to_string());
        let e = Entities::of_document(doc, &mut load);
        // Character references in values are expanded when declared; the
        // first declaration wins.
        assert_eq!(e.get("ns"), Some("urn:example:2"));
        assert_eq!(e.get("later"), Some("xep.ent wins: declared first"));
        let ex = extract_examples_with(doc, Some(1), &e);
        assert_eq!(ex[0].caption, "The <thing/> of xep.ent's entity");
        assert_eq!(
            ex[0].text,
            "<a xmlns='urn:example:2'/><b/><c x='&unknown;'/>"
        );
        assert_eq!(
            ex[0].unresolved,
            ["entity &unknown; is not declared by the document"]
        );
        // Without xep.ent: the document's own entities, and a reason.
        let ex = extract_examples(doc, Some(1));
        assert!(ex[0].text.starts_with("<a xmlns='urn:example:2'/>"));
        assert_eq!(ex[0].caption, "The <thing/> of &common;");
        assert_eq!(
            ex[0].unresolved,
            [
                "entity &unknown; is not declared by the document; it may be defined in xep.ent, which is not available"
            ]
        );
    }

    #[test]
    fn prepares_items() {
        let text = "POST /bind HTTP/1.1\nHost: x\n\n<?xml version='1.0'?>\n<stream:stream to='a' xmlns='jabber:client'>\n<!-- c -->\n<a>\n<!-- in -->\n</a>\n...\n<b x='>'/></stream:stream>";
        let p = prepare(text);
        let kinds: Vec<ItemKind> = p.items.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [
                ItemKind::StreamHeader,
                ItemKind::Element,
                ItemKind::Element,
                ItemKind::StreamClose
            ]
        );
        assert_eq!(p.items[0].line, 5);
        assert_eq!(p.items[1].line, 7);
        assert!(p.items[1].xml.starts_with("<a>") && p.items[1].xml.ends_with("</a>"));
        assert_eq!(p.items[2].xml, "<b x='>'/>");
        assert!(p.removed.iter().any(|r| r.contains("HTTP/1.1")));
        assert!(p.removed.iter().any(|r| r == "..."));
        let el = parse_item(&p.items[1].xml, &example_context()).unwrap();
        assert!(el.is("a", "jabber:client"));
    }

    #[test]
    fn reports_positions_and_placeholders() {
        let xml = "<a>\n  <b attr=...>\n</a>";
        let f = parse_item(xml, &example_context()).unwrap_err();
        assert_eq!(f.line, 2);
        assert!(elision_at(xml, f.line, f.column));
        assert!(has_placeholder("<data>[base64 data]</data>"));
        assert!(!has_placeholder("<a>[]</a> plain"));
        assert!(has_placeholder("<a/>\n    .\n    .\n    .\n"));
        assert!(!has_placeholder("end of sentence.\n."));
        assert!(!elision_at("<a>\n<b c=d/>\n</a>", 2, 6));
    }
}
