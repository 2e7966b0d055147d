//! XEP-0426 character counting: offsets into a body count Unicode code
//! points of the text as parsed (entities decoded, nothing normalized).

use std::fmt;
use std::ops::Range;

/// The length of `text` in XEP-0426 characters (code points).
pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

/// Why a range of characters does not fit a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeError {
    /// `start` is after `end`.
    Reversed {
        /// The start offset.
        start: u32,
        /// The end offset.
        end: u32,
    },
    /// `end` is past the end of the text.
    PastEnd {
        /// The end offset.
        end: u32,
        /// The text's length in characters.
        len: usize,
    },
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RangeError::Reversed { start, end } => {
                write!(f, "range starts at {start}, after its end {end}")
            }
            RangeError::PastEnd { end, len } => write!(
                f,
                "range ends at {end}, past the text's {len} characters (XEP-0426 counts code points)"
            ),
        }
    }
}

impl std::error::Error for RangeError {}

/// The byte range of `text` that the characters `start..end` (XEP-0426
/// offsets, end exclusive) cover, for slicing the `&str`.
pub fn byte_range(text: &str, start: u32, end: u32) -> Result<Range<usize>, RangeError> {
    if start > end {
        return Err(RangeError::Reversed { start, end });
    }
    let past_end = || RangeError::PastEnd {
        end,
        len: char_len(text),
    };
    // The byte offset of every character boundary, the text's end last.
    let mut bounds = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()));
    let from = bounds.nth(start as usize).ok_or_else(past_end)?;
    if start == end {
        return Ok(from..from);
    }
    let to = bounds
        .nth((end - start - 1) as usize)
        .ok_or_else(past_end)?;
    Ok(from..to)
}
