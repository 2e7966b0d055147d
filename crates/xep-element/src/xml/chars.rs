//! Character classes of XML 1.0 (fifth edition) and Namespaces in XML 1.0.

/// `S`: space, tab, line feed, carriage return.
#[inline]
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// `NameStartChar` without the colon (namespaces forbid it inside an NCName).
#[inline]
pub fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// `NameChar` without the colon.
#[inline]
pub fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// `Char`: whether `c` may appear in an XML 1.0 document at all.
#[inline]
pub fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Whether `s` is an NCName (a name without colon).
pub fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_name_start(c) => chars.all(is_name_char),
        _ => false,
    }
}

/// The first byte offset in `s` of a character that XML 1.0 forbids, with
/// the character. Only control characters and U+FFFE/U+FFFF can occur in a
/// Rust string and be forbidden.
#[inline]
pub fn find_forbidden(s: &str) -> Option<(usize, char)> {
    let b = s.as_bytes();
    for (i, &x) in b.iter().enumerate() {
        if (x < 0x20 && !matches!(x, b'\t' | b'\n' | b'\r'))
            || (x == 0xEF
                && i + 2 < b.len()
                && b[i + 1] == 0xBF
                && (b[i + 2] == 0xBE || b[i + 2] == 0xBF))
        {
            let c = s[i..].chars().next().unwrap_or('\0');
            return Some((i, c));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_ncname("a"));
        assert!(is_ncname("_a-b.c9"));
        assert!(is_ncname("été"));
        assert!(!is_ncname(""));
        assert!(!is_ncname("9a"));
        assert!(!is_ncname("-a"));
        assert!(!is_ncname("a:b"));
        assert!(!is_ncname("a b"));
    }

    #[test]
    fn forbidden_chars() {
        assert_eq!(find_forbidden("ab\tc\r\n"), None);
        assert_eq!(find_forbidden("ab\u{1}c"), Some((2, '\u{1}')));
        assert_eq!(find_forbidden("x\u{FFFE}"), Some((1, '\u{FFFE}')));
        assert_eq!(find_forbidden("x\u{FFFD}"), None);
        assert!(!is_xml_char('\u{0}'));
        assert!(is_xml_char('\u{10FFFF}'));
    }
}
