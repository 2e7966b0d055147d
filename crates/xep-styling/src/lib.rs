//! XEP-0393 Message Styling: [`parse`] reads a body into [`Block`]s and
//! [`Span`]s, each with its byte range in the body (directives
//! included), so a client renders them without copying text; [`styled`]
//! does it for a message unless it carries `<unstyled/>` (§5).
//!
//! Blocks (§4.1) are read first, line by line: a line beginning with
//! three grave accents opens a preformatted block, ended by a line of
//! exactly three grave accents or the end of the parent block; lines
//! beginning with `>` form a quotation, whose lines lose the `>` and the
//! first whitespace character after it before their own blocks are read;
//! any other line is a plain block. Spans (§4.2) are read in plain
//! blocks: `_` emphasis, `*` strong, `~` strike through, a grave accent
//! preformatted (whose content is not styled further), matched lazily
//! from the left. An opening directive stands at the beginning of its
//! parent, after whitespace or after another opening directive, and is
//! not followed by whitespace; a closing one is not preceded by
//! whitespace; a span holds text besides its directive character (so
//! `**`, `***` and `****` style nothing, as §4.2 lists).
//!
//! Two bounds the XEP leaves open, so that hostile bodies cost linear
//! stack and bounded time: a span does not contain a span of its own
//! style (so spans nest at most three deep), and quotations nest at most
//! [`MAX_QUOTE_DEPTH`] deep (deeper `>` are text of the innermost
//! quotation's plain block). Matching a directive is a binary search, so
//! a body of unmatched directives parses in `O(n log n)`.
//!
//! ```
//! use xep_styling::{Block, Span, Style, parse};
//!
//! let body = "> Ill met by moonlight\nWhat, *jealous* Oberon!";
//! let blocks = parse(body);
//! let Block::Quote { children, .. } = &blocks[0] else { panic!() };
//! let Block::Plain { line, .. } = &children[0] else { panic!() };
//! assert_eq!(&body[line.clone()], "Ill met by moonlight");
//! let Block::Plain { spans, .. } = &blocks[1] else { panic!() };
//! let Span::Styled { style, range, .. } = &spans[1] else { panic!() };
//! assert_eq!((*style, &body[range.clone()]), (Style::Strong, "*jealous*"));
//! ```

#![warn(missing_docs)]

use std::ops::Range;

use xep_core::Message;
use xep_element::XmlElement;

/// `urn:xmpp:styling:0`.
pub const NS: &str = "urn:xmpp:styling:0";

/// `<unstyled/>` (§5): the sender asks that the body not be styled.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "unstyled")]
pub struct Unstyled;

/// How deep quotations nest before further `>` are plain text.
pub const MAX_QUOTE_DEPTH: usize = 32;

/// A block of a body (§4.1). Ranges are byte ranges of the parsed text,
/// without line breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// One line, with its spans (which tile it).
    Plain {
        /// The line (inside a quotation: after its `>` and whitespace).
        line: Range<usize>,
        /// The spans, in order, covering the line.
        spans: Vec<Span>,
    },
    /// A preformatted block: shown as is, in a monospace font.
    Pre {
        /// The opening line (three grave accents and what follows).
        opening: Range<usize>,
        /// The lines between the fences.
        lines: Vec<Range<usize>>,
        /// The closing line, absent when the parent block ended first.
        closing: Option<Range<usize>>,
    },
    /// A quotation.
    Quote {
        /// Its lines, `>` included.
        lines: Vec<Range<usize>>,
        /// The blocks of its lines, stripped of `>` and one whitespace.
        children: Vec<Block>,
    },
}

/// The style of a span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// `_`: italics.
    Emphasis,
    /// `*`: bold.
    Strong,
    /// `~`: struck through.
    Strike,
    /// A grave accent: inline monospace, not styled further.
    Pre,
}

impl Style {
    /// The directive character.
    pub fn directive(self) -> char {
        match self {
            Style::Emphasis => '_',
            Style::Strong => '*',
            Style::Strike => '~',
            Style::Pre => '`',
        }
    }

    fn of(c: char) -> Option<Style> {
        match c {
            '_' => Some(Style::Emphasis),
            '*' => Some(Style::Strong),
            '~' => Some(Style::Strike),
            '`' => Some(Style::Pre),
            _ => None,
        }
    }
}

/// A span of a plain block (§4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    /// Unstyled text.
    Plain(Range<usize>),
    /// Styled text.
    Styled {
        /// The style.
        style: Style,
        /// The span, both directives included (§6 recommends showing
        /// them, styled).
        range: Range<usize>,
        /// What is between the directives, tiled by spans (a single plain
        /// span in a preformatted one).
        children: Vec<Span>,
    },
}

impl Span {
    /// The span's range (directives included).
    pub fn range(&self) -> Range<usize> {
        match self {
            Span::Plain(r) | Span::Styled { range: r, .. } => r.clone(),
        }
    }
}

/// The blocks of `text` (see the crate docs).
pub fn parse(text: &str) -> Vec<Block> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            lines.push(start..i);
            start = i + 1;
        }
    }
    lines.push(start..text.len());
    blocks(text, &lines, 0)
}

/// The styling of `message`'s body in `lang`: `None` without such a
/// body or when the message carries `<unstyled/>`.
pub fn styled<'m>(message: &'m Message, lang: Option<&str>) -> Option<(&'m str, Vec<Block>)> {
    if message.payload::<Unstyled>().is_some() {
        return None;
    }
    let body = message.body(lang)?;
    Some((body, parse(body)))
}

fn blocks(text: &str, lines: &[Range<usize>], depth: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        let line = lines[k].clone();
        let s = &text[line.clone()];
        if s.starts_with("```") {
            let mut content = Vec::new();
            let mut closing = None;
            k += 1;
            while k < lines.len() {
                let l = lines[k].clone();
                k += 1;
                if &text[l.clone()] == "```" {
                    closing = Some(l);
                    break;
                }
                content.push(l);
            }
            out.push(Block::Pre {
                opening: line,
                lines: content,
                closing,
            });
        } else if s.starts_with('>') && depth < MAX_QUOTE_DEPTH {
            let mut outer = Vec::new();
            let mut inner = Vec::new();
            while k < lines.len() && text[lines[k].clone()].starts_with('>') {
                let l = lines[k].clone();
                let mut from = l.start + 1;
                if let Some(c) = text[from..l.end].chars().next()
                    && c.is_whitespace()
                {
                    from += c.len_utf8();
                }
                inner.push(from..l.end);
                outer.push(l);
                k += 1;
            }
            out.push(Block::Quote {
                lines: outer,
                children: blocks(text, &inner, depth + 1),
            });
        } else {
            out.push(Block::Plain {
                spans: spans(text, line.clone(), &[]),
                line,
            });
            k += 1;
        }
    }
    out
}

/// The spans tiling `range`, none of a style in `open` (the styles of
/// the enclosing spans).
fn spans(text: &str, range: Range<usize>, open: &[Style]) -> Vec<Span> {
    let chars: Vec<(usize, char)> = text[range.clone()]
        .char_indices()
        .map(|(i, c)| (i + range.start, c))
        .collect();
    // Where each style may close: after a non-whitespace character.
    let mut closers: [Vec<usize>; 4] = Default::default();
    for (i, &(_, c)) in chars.iter().enumerate().skip(1) {
        if let Some(style) = Style::of(c)
            && !chars[i - 1].1.is_whitespace()
        {
            closers[style as usize].push(i);
        }
    }
    // valid_open[i]: an opening directive may stand at i (beginning,
    // after whitespace, or after another valid opening directive).
    let mut valid_open = vec![false; chars.len()];
    let mut out = Vec::new();
    let mut plain_from = range.start;
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        let position_ok = i == 0
            || chars[i - 1].1.is_whitespace()
            || (Style::of(chars[i - 1].1).is_some_and(|p| p.directive() != c) && valid_open[i - 1]);
        valid_open[i] = position_ok && Style::of(c).is_some();
        let opening = Style::of(c).filter(|s| {
            position_ok
                && !open.contains(s)
                && chars.get(i + 1).is_some_and(|(_, n)| !n.is_whitespace())
        });
        if let Some(style) = opening {
            // The content must hold a character other than the directive:
            // skip the run of directives after the opening one.
            let mut run_end = i + 1;
            while run_end < chars.len() && chars[run_end].1 == c {
                run_end += 1;
            }
            let list = &closers[style as usize];
            let at = list.partition_point(|&j| j <= run_end);
            if let Some(&j) = list.get(at) {
                if plain_from < pos {
                    out.push(Span::Plain(plain_from..pos));
                }
                let inner = (pos + c.len_utf8())..chars[j].0;
                let end = chars[j].0 + c.len_utf8();
                let children = if style == Style::Pre {
                    vec![Span::Plain(inner)]
                } else {
                    let mut open = open.to_vec();
                    open.push(style);
                    spans(text, inner, &open)
                };
                out.push(Span::Styled {
                    style,
                    range: pos..end,
                    children,
                });
                plain_from = end;
                // Mark the closing directive as no opening for what follows.
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    if plain_from < range.end {
        out.push(Span::Plain(plain_from..range.end));
    }
    out
}

xep_element::elements! {
    "XEP-0393" => [Unstyled],
}

#[cfg(test)]
mod tests;
