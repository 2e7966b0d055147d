//! The general entities of a XEP document (its DOCTYPE's internal
//! subset and the `xep.ent` it includes), expanded as an XML parser
//! reading the document with its DTD would: in the examples the checker
//! reads and in the schemas compared with the model.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

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
