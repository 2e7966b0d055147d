//! Finding element boundaries in a byte stream that arrives in pieces.
//!
//! An XMPP stream is one endless document; a stream reader must know when a
//! top-level element (a stanza, a nonza) is complete before it hands the
//! element's bytes to [`super::XmlReader`]. [`ElementScanner`] tracks just
//! enough lexical state (tags, quoted attribute values, CDATA) to find that
//! point, resumes where it stopped when more bytes arrive, and so is linear
//! in the input however it is split. It rejects early what the restricted
//! XML of RFC 6120 forbids (comments, processing instructions, DTDs), and
//! enforces a nesting limit; full checking is the reader's job.

use memchr::{memchr, memchr3, memmem};

use crate::Error;

/// What the scanner found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// The element is not complete yet: feed more bytes.
    Incomplete,
    /// A complete element occupies the first `n` bytes.
    Element(usize),
    /// An end tag at the top level (the stream's own end tag) occupies the
    /// first `n` bytes.
    Close(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Content,
    StartTag,
    Quote(u8),
    EndTag,
    Cdata,
}

/// Incremental boundary finder for one top-level element (see the module
/// docs).
#[derive(Debug, Clone)]
pub struct ElementScanner {
    pos: usize,
    depth: usize,
    state: State,
    max_depth: usize,
}

impl Default for ElementScanner {
    fn default() -> Self {
        Self::new(super::DEFAULT_MAX_DEPTH)
    }
}

impl ElementScanner {
    /// A scanner that rejects elements nested deeper than `max_depth`.
    pub fn new(max_depth: usize) -> Self {
        ElementScanner {
            pos: 0,
            depth: 0,
            state: State::Content,
            max_depth: max_depth.max(1),
        }
    }

    /// Forgets the element scanned so far (after it was consumed).
    pub fn reset(&mut self) {
        self.pos = 0;
        self.depth = 0;
        self.state = State::Content;
    }

    /// Whether scanning of an element has begun (bytes were consumed).
    pub fn in_progress(&self) -> bool {
        self.pos > 0
    }

    /// Scans `buf`, which must start with the element's `<` and must only
    /// have grown since the last call (since [`ElementScanner::reset`]).
    pub fn scan(&mut self, buf: &[u8]) -> Result<Scan, Error> {
        loop {
            let rest = &buf[self.pos.min(buf.len())..];
            match self.state {
                State::Content => {
                    let Some(i) = memchr(b'<', rest) else {
                        if self.depth == 0 && !rest.is_empty() {
                            return Err(Error::xml(buf, self.pos, "text outside an element"));
                        }
                        self.pos = buf.len();
                        return Ok(Scan::Incomplete);
                    };
                    if self.depth == 0 && i != 0 {
                        return Err(Error::xml(buf, self.pos, "text outside an element"));
                    }
                    self.pos += i;
                    let at = &buf[self.pos..];
                    let Some(&next) = at.get(1) else {
                        return Ok(Scan::Incomplete);
                    };
                    match next {
                        b'/' => {
                            self.state = State::EndTag;
                            self.pos += 2;
                        }
                        b'?' => {
                            return Err(Error::restricted_xml(
                                buf,
                                self.pos,
                                "processing instructions are not allowed in XMPP (RFC 6120 §11.1)",
                            ));
                        }
                        b'!' => {
                            const CDATA: &[u8] = b"<![CDATA[";
                            let n = at.len().min(CDATA.len());
                            if at[..n] == CDATA[..n] {
                                if n < CDATA.len() {
                                    return Ok(Scan::Incomplete);
                                }
                                if self.depth == 0 {
                                    return Err(Error::xml(
                                        buf,
                                        self.pos,
                                        "a CDATA section outside an element",
                                    ));
                                }
                                self.state = State::Cdata;
                                self.pos += CDATA.len();
                                continue;
                            }
                            let Some(&third) = at.get(2) else {
                                return Ok(Scan::Incomplete);
                            };
                            return Err(match third {
                                b'-' => Error::restricted_xml(
                                    buf,
                                    self.pos,
                                    "comments are not allowed in XMPP (RFC 6120 §11.1)",
                                ),
                                b'D' => Error::restricted_xml(
                                    buf,
                                    self.pos,
                                    "document type declarations are not allowed in XMPP (RFC 6120 §11.1)",
                                ),
                                _ => Error::xml(buf, self.pos, "malformed markup after '<!'"),
                            });
                        }
                        _ => {
                            self.state = State::StartTag;
                            self.pos += 1;
                        }
                    }
                }
                State::StartTag => {
                    let Some(i) = memchr3(b'"', b'\'', b'>', rest) else {
                        self.pos = buf.len();
                        return Ok(Scan::Incomplete);
                    };
                    let c = rest[i];
                    self.pos += i + 1;
                    if c != b'>' {
                        self.state = State::Quote(c);
                        continue;
                    }
                    self.state = State::Content;
                    let self_closing = self.pos >= 2 && buf[self.pos - 2] == b'/';
                    if self_closing {
                        if self.depth == 0 {
                            return Ok(Scan::Element(self.pos));
                        }
                    } else {
                        self.depth += 1;
                        if self.depth > self.max_depth {
                            return Err(Error::limit(format!(
                                "elements nest deeper than {} levels",
                                self.max_depth
                            )));
                        }
                    }
                }
                State::Quote(q) => {
                    let Some(i) = memchr(q, rest) else {
                        self.pos = buf.len();
                        return Ok(Scan::Incomplete);
                    };
                    self.pos += i + 1;
                    self.state = State::StartTag;
                }
                State::EndTag => {
                    let Some(i) = memchr(b'>', rest) else {
                        self.pos = buf.len();
                        return Ok(Scan::Incomplete);
                    };
                    self.pos += i + 1;
                    self.state = State::Content;
                    if self.depth == 0 {
                        return Ok(Scan::Close(self.pos));
                    }
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Ok(Scan::Element(self.pos));
                    }
                }
                State::Cdata => {
                    let Some(i) = memmem::find(rest, b"]]>") else {
                        // Keep the last two bytes: "]]>" may be split.
                        self.pos = buf.len().saturating_sub(2).max(self.pos);
                        return Ok(Scan::Incomplete);
                    };
                    self.pos += i + 3;
                    self.state = State::Content;
                }
            }
        }
    }
}

/// The offset after the `>` that ends the start tag at the beginning of
/// `buf` (quoted attribute values may contain `>`), or `None` when `buf`
/// does not hold all of it. This is how an unclosed start tag such as a
/// stream header is delimited.
pub fn start_tag_end(buf: &[u8]) -> Option<usize> {
    let mut i = 0;
    loop {
        let j = i + memchr3(b'"', b'\'', b'>', &buf[i..])?;
        if buf[j] == b'>' {
            return Some(j + 1);
        }
        i = j + 1 + memchr(buf[j], &buf[j + 1..])? + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_tag_end_skips_quoted_values() {
        assert_eq!(start_tag_end(b"<a b='>' c=\"'>\">rest"), Some(16));
        assert_eq!(start_tag_end(b"<a b='>"), None);
        assert_eq!(start_tag_end(b"<a b"), None);
    }

    fn whole(input: &[u8]) -> Result<Scan, Error> {
        ElementScanner::default().scan(input)
    }

    #[test]
    fn finds_the_end_of_an_element() {
        let doc = b"<a x='>' y=\"/>\"><b/><![CDATA[</a>]]>t</a><next/>";
        assert_eq!(whole(doc).unwrap(), Scan::Element(doc.len() - 7));
        assert_eq!(whole(b"<a/>rest").unwrap(), Scan::Element(4));
        assert_eq!(whole(b"</stream:stream>").unwrap(), Scan::Close(16));
        assert_eq!(whole(b"<a><b>").unwrap(), Scan::Incomplete);
    }

    #[test]
    fn any_split_gives_the_same_result() {
        let doc: &[u8] = b"<message to='a@b' xml:lang=\"en\"><body>x &amp; y</body><x xmlns='u'><![CDATA[]]]]>]]></x></message>";
        for split in 0..doc.len() {
            let mut s = ElementScanner::default();
            let first = s.scan(&doc[..split]).unwrap();
            assert_eq!(first, Scan::Incomplete, "split {split}");
            assert_eq!(
                s.scan(doc).unwrap(),
                Scan::Element(doc.len()),
                "split {split}"
            );
        }
        // Byte by byte.
        let mut s = ElementScanner::default();
        for n in 1..doc.len() {
            assert_eq!(s.scan(&doc[..n]).unwrap(), Scan::Incomplete, "at {n}");
        }
        assert_eq!(s.scan(doc).unwrap(), Scan::Element(doc.len()));
    }

    #[test]
    fn rejects_restricted_markup_and_depth() {
        for bad in [&b"<a><!-- c --></a>"[..], b"<a><?pi?></a>", b"<!DOCTYPE a>"] {
            let e = whole(bad).unwrap_err();
            assert!(
                matches!(
                    e.kind(),
                    crate::ErrorKind::Xml {
                        restricted: true,
                        ..
                    }
                ),
                "{e}"
            );
        }
        let deep = "<a>".repeat(10);
        let e = ElementScanner::new(5).scan(deep.as_bytes()).unwrap_err();
        assert!(matches!(e.kind(), crate::ErrorKind::Limit { .. }));
        assert!(whole(b"text").is_err());
    }
}
