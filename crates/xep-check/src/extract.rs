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

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

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

/// The general entities of a XEP document, expanded in its examples as
/// the XEP build (an XML parser reading the document with its DTD) does.
///
/// XEP documents declare entities in their DOCTYPE's internal subset
/// (`<!ENTITY ns "urn:xmpp:omemo:2">`) and include `xep.ent` through an
/// external parameter entity (`<!ENTITY % ents SYSTEM "xep.ent"> %ents;`);
/// examples use them by closing and reopening CDATA (`<devices
/// xmlns=']]>&ns;<![CDATA['>`). As in XML, the first declaration of a name
/// wins (so a document's declarations before `%ents;` override
/// `xep.ent`'s), character references in entity values are expanded when
/// declared, and entity references in them when the entity is used.
#[derive(Debug, Clone, Default)]
pub struct Entities {
    /// Name → replacement text.
    general: HashMap<String, String>,
    /// External parameter entities the document includes that could not be
    /// read (their system identifiers).
    missing: Vec<String>,
}

impl Entities {
    /// The entities `doc` declares, reading the external parameter
    /// entities it includes (`xep.ent`) with `load(system_id)` (`None`:
    /// not available).
    pub fn of_document(doc: &str, load: &mut dyn FnMut(&str) -> Option<String>) -> Self {
        let mut e = Entities::default();
        if let Some(subset) = internal_subset(doc) {
            let mut params = HashMap::new();
            e.read_dtd(subset, &mut params, load, 0);
        }
        e
    }

    /// The entities `doc` declares, reading included files (`xep.ent`)
    /// from `dir`, the document's folder (each file read once per
    /// process).
    pub fn beside(doc: &str, dir: Option<&Path>) -> Self {
        Self::of_document(doc, &mut |system| {
            let path = dir?.join(system);
            static CACHE: LazyLock<Mutex<HashMap<PathBuf, Option<String>>>> =
                LazyLock::new(Default::default);
            let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
            cache
                .entry(path.clone())
                .or_insert_with(|| std::fs::read_to_string(&path).ok())
                .clone()
        })
    }

    /// The replacement text of entity `name`, when declared.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.general.get(name).map(String::as_str)
    }

    /// Reads declarations from DTD text (an internal subset or an included
    /// file): general entities, parameter entities, and references to
    /// external parameter entities, which are read in place.
    fn read_dtd(
        &mut self,
        dtd: &str,
        params: &mut HashMap<String, Result<String, String>>,
        load: &mut dyn FnMut(&str) -> Option<String>,
        depth: usize,
    ) {
        let mut i = 0;
        let b = dtd.as_bytes();
        while i < b.len() {
            let rest = &dtd[i..];
            if rest.starts_with("<!--") {
                i += rest.find("-->").map_or(rest.len(), |e| e + 3);
            } else if rest.starts_with("<?") {
                i += rest.find("?>").map_or(rest.len(), |e| e + 2);
            } else if let Some(decl) = rest.strip_prefix("<!ENTITY") {
                let end = declaration_end(rest);
                self.entity_declaration(&decl[..end.saturating_sub(9)], params);
                i += end;
            } else if rest.starts_with("<!") {
                i += declaration_end(rest);
            } else if let Some(r) = rest.strip_prefix('%') {
                let Some(semi) = r.find(';') else { break };
                let name = &r[..semi];
                i += semi + 2;
                match params.get(name).cloned() {
                    Some(Ok(system)) if depth < 8 => match load(&system) {
                        Some(text) => self.read_dtd(&text, params, load, depth + 1),
                        None => self.missing.push(system),
                    },
                    Some(Err(text)) if depth < 8 => self.read_dtd(&text, params, load, depth + 1),
                    _ => {}
                }
            } else {
                i += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
    }

    /// One `<!ENTITY ...>` declaration, without `<!ENTITY` and `>`.
    /// Parameter entities go to `params` (`Ok(system id)` for an external
    /// one, `Err(text)` for an internal one).
    fn entity_declaration(
        &mut self,
        decl: &str,
        params: &mut HashMap<String, Result<String, String>>,
    ) {
        let mut rest = decl.trim_start();
        let param = rest.starts_with('%');
        if param {
            rest = rest[1..].trim_start();
        }
        let name_end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
        let name = &rest[..name_end];
        let rest = rest[name_end..].trim_start();
        let literal = |r: &str| -> Option<String> {
            let q = r.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let end = r[1..].find(q)?;
            Some(r[1..1 + end].to_string())
        };
        if name.is_empty() {
            return;
        }
        if let Some(value) = literal(rest) {
            // Character references are expanded in the literal; entity
            // references are kept, and expanded where the entity is used.
            let value = expand_char_refs(&value);
            if param {
                params.entry(name.to_string()).or_insert(Err(value));
            } else {
                self.general.entry(name.to_string()).or_insert(value);
            }
        } else if param {
            // SYSTEM "uri" or PUBLIC "id" "uri": the last literal.
            let system = ["SYSTEM", "PUBLIC"]
                .iter()
                .find_map(|k| rest.strip_prefix(k))
                .map(|r| {
                    let mut lits = Vec::new();
                    let mut r = r.trim_start();
                    while let Some(l) = literal(r) {
                        r = r[l.len() + 2..].trim_start();
                        lits.push(l);
                    }
                    lits
                })
                .and_then(|mut l| l.pop());
            if let Some(system) = system {
                params.entry(name.to_string()).or_insert(Ok(system));
            }
        }
        // External general entities (SYSTEM) are not used in examples.
    }

    /// `s` (markup-free text of the document: text outside CDATA, an
    /// attribute value) with its references expanded: the predefined
    /// entities, character references and declared entities (recursively).
    /// A reference nothing declares is kept as written and reported in
    /// `unresolved`.
    pub fn expand(&self, s: &str, unresolved: &mut Vec<String>) -> String {
        let mut out = String::with_capacity(s.len());
        self.expand_into(s, &mut out, unresolved, 0);
        out
    }

    fn expand_into(&self, s: &str, out: &mut String, unresolved: &mut Vec<String>, depth: usize) {
        let mut rest = s;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            let after = &rest[amp + 1..];
            let name_len = after.find(';').filter(|&n| {
                n > 0
                    && after[..n]
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '#' | '-' | '_' | '.' | ':'))
            });
            let Some(n) = name_len else {
                out.push('&');
                rest = after;
                continue;
            };
            let name = &after[..n];
            match (predefined(name), char_ref(name), self.general.get(name)) {
                (Some(c), _, _) | (None, Some(c), _) => out.push(c),
                (None, None, Some(value)) if depth < 16 => {
                    self.expand_into(value, out, unresolved, depth + 1)
                }
                _ => {
                    out.push_str(&rest[amp..amp + n + 2]);
                    let why = if self.missing.is_empty() {
                        format!("entity &{name}; is not declared by the document")
                    } else {
                        format!(
                            "entity &{name}; is not declared by the document; it may be defined in {}, which is not available",
                            self.missing.join(", ")
                        )
                    };
                    if !unresolved.contains(&why) {
                        unresolved.push(why);
                    }
                }
            }
            rest = &after[n + 1..];
        }
        out.push_str(rest);
    }
}

/// The internal subset of the document's DOCTYPE, if any.
fn internal_subset(doc: &str) -> Option<&str> {
    let start = doc.find("<!DOCTYPE")?;
    // The DOCTYPE precedes the root element: stop at the first element.
    if doc[..start].contains('<') {
        let before = &doc[..start];
        let mut i = 0;
        while let Some(p) = before[i..].find('<') {
            let at = i + p;
            let r = &before[at..];
            if !(r.starts_with("<?") || r.starts_with("<!--")) {
                return None;
            }
            i = at + 1;
        }
    }
    let decl = &doc[start..];
    let open = decl.find(['[', '>'])?;
    if decl.as_bytes()[open] != b'[' {
        return None;
    }
    let body = &decl[open + 1..];
    // The subset ends at the first `]` outside literals and comments.
    let mut i = 0;
    let b = body.as_bytes();
    while i < b.len() {
        let r = &body[i..];
        if r.starts_with("<!--") {
            i += r.find("-->").map_or(r.len(), |e| e + 3);
        } else if r.starts_with("<!") {
            i += declaration_end(r);
        } else if b[i] == b']' {
            return Some(&body[..i]);
        } else {
            i += 1;
        }
    }
    None
}

/// The length of the markup declaration at the start of `s` (`<!...>`),
/// with quoted literals skipped.
fn declaration_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

fn predefined(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// The character of a character reference's name (`#60`, `#x3C`).
fn char_ref(name: &str) -> Option<char> {
    let n = name.strip_prefix('#')?;
    let v = match n.strip_prefix('x') {
        Some(h) => u32::from_str_radix(h, 16).ok()?,
        None => n.parse().ok()?,
    };
    char::from_u32(v)
}

/// `s` with its character references expanded (entity values, when
/// declared).
fn expand_char_refs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find("&#") {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        match after
            .find(';')
            .and_then(|n| Some((n, char_ref(&after[..n])?)))
        {
            Some((n, c)) => {
                out.push(c);
                rest = &after[n + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

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
