//! The normative schemas embedded in a XEP document.
//!
//! A XEP's "XML Schema" section holds one `<xs:schema>` per namespace,
//! usually inside `<code><![CDATA[ ... ]]></code>`. [`extract_schemas`]
//! finds every complete schema element (in CDATA sections, and escaped in
//! `<code>` text), with the document line where it starts so messages about
//! the schema can point into the XEP.

use std::borrow::Cow;

use crate::entities::Entities;

/// The XML Schema namespace.
pub const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// One schema of a XEP document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XepSchema {
    /// The XEP number, when known.
    pub xep: Option<u32>,
    /// Its `targetNamespace` (empty when absent).
    pub target_ns: String,
    /// The schema element's text, from `<xs:schema` to `</xs:schema>`.
    pub text: String,
    /// The document line where `text` starts (1-based).
    pub line: usize,
}

/// The value of attribute `name` in a start tag's text (`'` or `"`
/// quoted; entities other than the predefined ones left as written).
pub fn tag_attribute(tag: &str, name: &str) -> Option<String> {
    let mut search = 0;
    while let Some(p) = tag[search..].find(name) {
        let at = search + p;
        search = at + name.len();
        let before_ok = tag[..at].ends_with(|c: char| c.is_ascii_whitespace());
        let after = tag[at + name.len()..].trim_start();
        let Some(rest) = after.strip_prefix('=') else {
            continue;
        };
        if !before_ok {
            continue;
        }
        let rest = rest.trim_start();
        let q = rest.chars().next()?;
        if q != '\'' && q != '"' {
            return None;
        }
        let end = rest[1..].find(q)?;
        return Some(
            rest[1..1 + end]
                .replace("&apos;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
        );
    }
    None
}

/// The namespace declarations of a start tag: (prefix, URI), the default
/// namespace with an empty prefix.
pub fn tag_namespaces(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(p) = tag[search..].find("xmlns") {
        let at = search + p;
        search = at + 5;
        if !tag[..at].ends_with(|c: char| c.is_ascii_whitespace()) {
            continue;
        }
        let rest = &tag[at + 5..];
        let (prefix, after) = match rest.strip_prefix(':') {
            Some(r) => {
                let end = r
                    .find(|c: char| c == '=' || c.is_ascii_whitespace())
                    .unwrap_or(r.len());
                (r[..end].to_string(), &r[end..])
            }
            None => (String::new(), rest),
        };
        let after = after.trim_start();
        let Some(v) = after.strip_prefix('=') else {
            continue;
        };
        let v = v.trim_start();
        let Some(q) = v.chars().next().filter(|c| *c == '\'' || *c == '"') else {
            continue;
        };
        if let Some(end) = v[1..].find(q) {
            out.push((prefix, v[1..1 + end].to_string()));
        }
    }
    out
}

/// The end of the start tag beginning at `s[0]` (the index after `>`).
fn start_tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The schemas in a piece of text (a CDATA section's content or unescaped
/// `<code>` text) starting at byte `base` of the document.
fn schemas_in(text: &str, base: usize, out: &mut Vec<(usize, String, String)>) {
    let mut i = 0;
    while let Some(p) = text[i..].find('<') {
        let at = i + p;
        i = at + 1;
        let rest = &text[at + 1..];
        let name_end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let qname = &rest[..name_end];
        let (prefix, local) = match qname.split_once(':') {
            Some((p, l)) => (p, l),
            None => ("", qname),
        };
        if local != "schema" {
            continue;
        }
        let Some(tag_len) = start_tag_end(&text[at..]) else {
            continue;
        };
        let tag = &text[at..at + tag_len];
        let declared = tag_namespaces(tag)
            .into_iter()
            .any(|(p, uri)| p == prefix && uri == XS_NS);
        if !declared {
            continue;
        }
        let close = format!("</{qname}>");
        let Some(end) = text[at..].find(&close) else {
            continue;
        };
        let body = &text[at..at + end + close.len()];
        let target = tag_attribute(tag, "targetNamespace").unwrap_or_default();
        out.push((base + at, target, body.to_string()));
        i = at + end + close.len();
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Every schema of a XEP document, in document order, with the entities
/// the document itself declares expanded (see [`extract_schemas_with`]).
pub fn extract_schemas(doc: &str, xep: Option<u32>) -> Vec<XepSchema> {
    extract_schemas_with(doc, xep, &Entities::of_document(doc, &mut |_| None))
}

/// Every schema of a XEP document, in document order. An entity
/// reference between two CDATA sections (`targetNamespace=']]>&ns;<![CDATA['`,
/// as XEP-0402 writes its namespace) is replaced by its value from
/// `entities`, so that the schema reads as the XEP build sees it; a
/// reference nothing declares, or whose value spans lines, stays and
/// leaves that schema out.
pub fn extract_schemas_with(doc: &str, xep: Option<u32>, entities: &Entities) -> Vec<XepSchema> {
    let doc = &*splice_entities(doc, entities);
    let mut found: Vec<(usize, String, String)> = Vec::new();
    let mut i = 0;
    while let Some(p) = doc[i..].find('<') {
        let at = i + p;
        let rest = &doc[at..];
        if rest.starts_with("<!--") {
            i = rest.find("-->").map_or(doc.len(), |e| at + e + 3);
        } else if let Some(body) = rest.strip_prefix("<![CDATA[") {
            let end = body.find("]]>").unwrap_or(body.len());
            schemas_in(&body[..end], at + 9, &mut found);
            i = (at + 9 + end + 3).min(doc.len());
        } else if rest.starts_with("<code") {
            // Escaped markup directly in <code> (no CDATA section).
            let Some(open_end) = start_tag_end(rest) else {
                break;
            };
            let body = &rest[open_end..];
            let end = body.find("</code>").unwrap_or(body.len());
            let content = &body[..end];
            if !content.contains("<![CDATA[") && content.contains("&lt;") {
                // Unescaping shortens lines but keeps line breaks, so the
                // line of the schema's start holds.
                let un = unescape(content);
                let mut local = Vec::new();
                schemas_in(&un, 0, &mut local);
                for (off, t, s) in local {
                    // Map the offset back through the line count.
                    let line_in = un[..off].matches('\n').count();
                    let doc_off = at
                        + open_end
                        + content
                            .match_indices('\n')
                            .nth(line_in.wrapping_sub(1))
                            .map_or(0, |(o, _)| if line_in == 0 { 0 } else { o + 1 });
                    found.push((doc_off, t, s));
                }
                i = at + open_end + end;
            } else {
                i = at + open_end;
            }
        } else {
            i = at + 1;
        }
    }
    found
        .into_iter()
        .map(|(off, target_ns, text)| XepSchema {
            xep,
            target_ns,
            line: doc[..off].matches('\n').count() + 1,
            text,
        })
        .collect()
}

/// `doc` with each run of entity references between two CDATA sections
/// (`]]>&a;&b;<![CDATA[`) replaced by the references' values, when every
/// one is declared and none holds a line break (lines keep their
/// numbers).
fn splice_entities<'a>(doc: &'a str, entities: &Entities) -> Cow<'a, str> {
    const CLOSE: &str = "]]>";
    const OPEN: &str = "<![CDATA[";
    if !doc.contains("]]>&") {
        return Cow::Borrowed(doc);
    }
    let mut out = String::with_capacity(doc.len());
    let mut rest = doc;
    while let Some(at) = rest.find("]]>&") {
        out.push_str(&rest[..at]);
        let mut refs = &rest[at + CLOSE.len()..];
        let mut value = String::new();
        let mut ok = true;
        while let Some(r) = refs.strip_prefix('&') {
            let name = r.find(';').map(|semi| &r[..semi]).filter(|n| {
                !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
            });
            let Some(name) = name else {
                ok = false;
                break;
            };
            let mut unresolved = Vec::new();
            let v = entities.expand(&format!("&{name};"), &mut unresolved);
            if !unresolved.is_empty() || v.contains('\n') {
                ok = false;
                break;
            }
            value.push_str(&v);
            refs = &r[name.len() + 1..];
        }
        match refs.strip_prefix(OPEN) {
            Some(after) if ok => {
                out.push_str(&value);
                rest = after;
            }
            _ => {
                out.push_str(CLOSE);
                rest = &rest[at + CLOSE.len()..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The `<status>` of a XEP document's header (`Final`, `Deprecated`, ...).
pub fn xep_status(doc: &str) -> Option<String> {
    let head = &doc[..doc.find("</header>").unwrap_or(doc.len().min(20_000))];
    let s = head.find("<status>")? + 8;
    let e = head[s..].find("</status>")?;
    Some(head[s..s + e].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_schemas_in_cdata_and_code() {
        let doc = "<xep>\n<header><status>Draft</status></header>\n<section1 topic='XML Schema'>\n<code><![CDATA[\n<?xml version='1.0'?>\n<xs:schema\n    xmlns:xs='http://www.w3.org/2001/XMLSchema'\n    targetNamespace='urn:example:a'>\n  <xs:element name='a'/>\n</xs:schema>\n]]></code>\n<code>\n&lt;xsd:schema xmlns:xsd='http://www.w3.org/2001/XMLSchema' targetNamespace='urn:example:b'&gt;\n&lt;/xsd:schema&gt;\n</code>\n<code><![CDATA[<schema xmlns='urn:not-xsd'/>]]></code>\n</section1></xep>";
        let s = extract_schemas(doc, Some(1));
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0].target_ns, "urn:example:a");
        assert_eq!(s[0].line, 6);
        assert!(s[0].text.starts_with("<xs:schema") && s[0].text.ends_with("</xs:schema>"));
        assert_eq!(s[1].target_ns, "urn:example:b");
        assert_eq!(s[1].line, 13);
        assert_eq!(xep_status(doc).as_deref(), Some("Draft"));
    }

    #[test]
    fn entities_between_cdata_sections_are_spliced_in() {
        let doc = "<?xml version='1.0'?>\n<!DOCTYPE xep SYSTEM 'xep.dtd' [\n  <!ENTITY ns \"urn:example:&#x62;\">\n  <!ENTITY v \"1\">\n]>\n<xep>\n<code><![CDATA[<xs:schema\n    xmlns:xs='http://www.w3.org/2001/XMLSchema'\n    targetNamespace=']]>&ns;&v;<![CDATA['>\n</xs:schema>]]></code>\n<code><![CDATA[<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' targetNamespace=']]>&unknown;<![CDATA['/>]]></code>\n</xep>";
        let s = extract_schemas(doc, Some(2));
        // The declared ones read as the XEP build reads them; the
        // schema with an undeclared reference stays out (it is cut).
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].target_ns, "urn:example:b1");
        assert_eq!(s[0].line, 7);
        assert!(
            s[0].text
                .contains("targetNamespace='urn:example:b1'>\n</xs:schema>")
        );
    }

    #[test]
    fn namespaces_and_attributes_of_a_tag() {
        let tag = "<xs:schema xmlns:xs='x' xmlns=\"d\" targetNamespace='t&amp;u'>";
        assert_eq!(
            tag_namespaces(tag),
            [
                ("xs".to_string(), "x".to_string()),
                (String::new(), "d".to_string())
            ]
        );
        assert_eq!(
            tag_attribute(tag, "targetNamespace").as_deref(),
            Some("t&u")
        );
        assert_eq!(tag_attribute(tag, "Namespace"), None);
    }
}
