//! A small matcher for the POSIX extended regular expressions of XEP-0122
//! `<regex/>` (re_format(7)), so that validation does not need a regex
//! dependency.

use std::cell::Cell;
use std::fmt;

/// A pattern this matcher cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// Character offset in the pattern.
    pub offset: usize,
    /// What is wrong or unsupported.
    pub reason: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for PatternError {}

/// A compiled pattern.
///
/// A small matcher for the POSIX extended regular expressions of XEP-0122
/// `<regex/>` (re_format(7)), so that validation does not need a regex
/// dependency.
///
/// Supported: literals, `.`, bracket expressions (`[a-z]`, `[^0-9]`,
/// `[[:alpha:]]` and the other POSIX classes, `]` first and `-` first or
/// last as literals), groups `( )`, alternation `|`, the anchors `^` and
/// `$`, the repetitions `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`, and `\`
/// before a special character. The common extensions `\d`, `\w`, `\s` (and
/// `\D`, `\W`, `\S`) are accepted too. Anything else (collating elements
/// `[. .]`, equivalence classes `[= =]`, back-references, other escapes) is
/// [`PatternError`]: such a rule cannot be checked.
///
/// As in POSIX, a pattern matches when it matches anywhere in the value;
/// write `^...$` to constrain the whole value.
///
/// ```
/// use xep_forms::Pattern;
///
/// let p = Pattern::parse("^[0-9]{3}-[[:digit:]]{2}$").unwrap();
/// assert_eq!(p.is_match("123-45"), Some(true));
/// assert_eq!(p.is_match("123-456"), Some(false));
/// assert!(Pattern::parse("(a)\\1").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Pattern {
    alt: Vec<Vec<Node>>,
}

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    Set(Set),
    Start,
    End,
    Group(Vec<Vec<Node>>),
    Repeat(Box<Node>, u32, Option<u32>),
}

#[derive(Debug, Clone)]
struct Set {
    negated: bool,
    items: Vec<SetItem>,
}

#[derive(Debug, Clone)]
enum SetItem {
    Range(char, char),
    Class(fn(char) -> bool),
}

impl Set {
    fn contains(&self, c: char) -> bool {
        let hit = self.items.iter().any(|i| match i {
            SetItem::Range(a, b) => (*a..=*b).contains(&c),
            SetItem::Class(f) => f(c),
        });
        hit != self.negated
    }
}

/// Steps the matcher may take before giving up on a value (backtracking
/// can be exponential).
const BUDGET: u32 = 200_000;

struct Parser<'a> {
    chars: &'a [char],
    pos: usize,
}

impl Parser<'_> {
    fn err<T>(&self, reason: impl Into<String>) -> Result<T, PatternError> {
        Err(PatternError {
            offset: self.pos,
            reason: reason.into(),
        })
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn alt(&mut self, depth: usize) -> Result<Vec<Vec<Node>>, PatternError> {
        if depth > 32 {
            return self.err("groups nested too deeply");
        }
        let mut alt = vec![self.seq(depth)?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alt.push(self.seq(depth)?);
        }
        Ok(alt)
    }

    fn seq(&mut self, depth: usize) -> Result<Vec<Node>, PatternError> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            let node = match c {
                '|' | ')' => break,
                '(' => {
                    self.pos += 1;
                    let g = self.alt(depth + 1)?;
                    if self.peek() != Some(')') {
                        return self.err("unclosed '('");
                    }
                    self.pos += 1;
                    Node::Group(g)
                }
                '[' => {
                    self.pos += 1;
                    Node::Set(self.set()?)
                }
                '.' => {
                    self.pos += 1;
                    Node::Any
                }
                '^' => {
                    self.pos += 1;
                    Node::Start
                }
                '$' => {
                    self.pos += 1;
                    Node::End
                }
                '\\' => {
                    self.pos += 1;
                    let Some(e) = self.peek() else {
                        return self.err("'\\' at the end");
                    };
                    self.pos += 1;
                    match e {
                        'd' | 'D' | 'w' | 'W' | 's' | 'S' => Node::Set(Set {
                            negated: e.is_ascii_uppercase(),
                            items: vec![SetItem::Class(match e.to_ascii_lowercase() {
                                'd' => |c: char| c.is_ascii_digit(),
                                'w' => |c: char| c.is_alphanumeric() || c == '_',
                                _ => char::is_whitespace,
                            })],
                        }),
                        e if "^.[$()|*+?{}\\/-]".contains(e) => Node::Char(e),
                        e => {
                            self.pos -= 1;
                            return self.err(format!("unsupported escape '\\{e}'"));
                        }
                    }
                }
                '*' | '+' | '?' | '{' => return self.err(format!("'{c}' repeats nothing")),
                c => {
                    self.pos += 1;
                    Node::Char(c)
                }
            };
            seq.push(self.quantified(node)?);
        }
        Ok(seq)
    }

    fn quantified(&mut self, mut node: Node) -> Result<Node, PatternError> {
        loop {
            let (min, max) = match self.peek() {
                Some('*') => (0, None),
                Some('+') => (1, None),
                Some('?') => (0, Some(1)),
                Some('{') => {
                    self.pos += 1;
                    let min = self.number()?;
                    let max = if self.peek() == Some(',') {
                        self.pos += 1;
                        if self.peek() == Some('}') {
                            None
                        } else {
                            Some(self.number()?)
                        }
                    } else {
                        Some(min)
                    };
                    if self.peek() != Some('}') {
                        return self.err("expected '}'");
                    }
                    if max.is_some_and(|m| m < min) {
                        return self.err("a repetition whose maximum is below its minimum");
                    }
                    (min, max)
                }
                _ => return Ok(node),
            };
            self.pos += 1;
            node = Node::Repeat(Box::new(node), min, max);
        }
    }

    fn number(&mut self) -> Result<u32, PatternError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        match digits.parse::<u32>() {
            Ok(n) if n <= 1000 => Ok(n),
            _ => self.err("expected a repetition count (0 to 1000)"),
        }
    }

    /// A bracket expression, after its `[`.
    fn set(&mut self) -> Result<Set, PatternError> {
        let mut set = Set {
            negated: false,
            items: Vec::new(),
        };
        if self.peek() == Some('^') {
            set.negated = true;
            self.pos += 1;
        }
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return self.err("unclosed '['");
            };
            self.pos += 1;
            match c {
                ']' if !first => return Ok(set),
                '[' if self.peek() == Some(':') => {
                    let rest: String = self.chars[self.pos + 1..].iter().collect();
                    let Some(end) = rest.find(":]") else {
                        return self.err("unclosed '[:'");
                    };
                    let name = &rest[..end];
                    let f: fn(char) -> bool = match name {
                        "alpha" => char::is_alphabetic,
                        "digit" => |c| c.is_ascii_digit(),
                        "alnum" => char::is_alphanumeric,
                        "upper" => char::is_uppercase,
                        "lower" => char::is_lowercase,
                        "space" => char::is_whitespace,
                        "blank" => |c| c == ' ' || c == '\t',
                        "punct" => |c| c.is_ascii_punctuation(),
                        "xdigit" => |c| c.is_ascii_hexdigit(),
                        "cntrl" => char::is_control,
                        "print" => |c| !c.is_control(),
                        "graph" => |c| !c.is_control() && !c.is_whitespace(),
                        _ => return self.err(format!("unknown class '[:{name}:]'")),
                    };
                    set.items.push(SetItem::Class(f));
                    self.pos += 1 + name.chars().count() + 2;
                }
                '[' if matches!(self.peek(), Some('.' | '=')) => {
                    return self
                        .err("collating elements and equivalence classes are not supported");
                }
                lo => {
                    let is_range = self.peek() == Some('-')
                        && self.chars.get(self.pos + 1).is_some_and(|&n| n != ']');
                    if is_range {
                        let hi = self.chars[self.pos + 1];
                        if hi < lo {
                            return self.err(format!("range '{lo}-{hi}' is reversed"));
                        }
                        self.pos += 2;
                        set.items.push(SetItem::Range(lo, hi));
                    } else {
                        set.items.push(SetItem::Range(lo, lo));
                    }
                }
            }
            first = false;
        }
    }
}

impl Pattern {
    /// Compiles `pattern`.
    pub fn parse(pattern: &str) -> Result<Pattern, PatternError> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut p = Parser {
            chars: &chars,
            pos: 0,
        };
        let alt = p.alt(0)?;
        if p.pos < chars.len() {
            return p.err("unmatched ')'");
        }
        Ok(Pattern { alt })
    }

    /// Whether the pattern matches somewhere in `value`; `None` when the
    /// matcher gave up (a pathological pattern).
    pub fn is_match(&self, value: &str) -> Option<bool> {
        let input: Vec<char> = value.chars().collect();
        let m = Matcher {
            input: &input,
            budget: Cell::new(BUDGET),
        };
        for start in 0..=input.len() {
            if m.alt(&self.alt, start, &mut |_| true) {
                return Some(true);
            }
            if m.budget.get() == 0 {
                return None;
            }
        }
        Some(false)
    }
}

struct Matcher<'a> {
    input: &'a [char],
    budget: Cell<u32>,
}

impl Matcher<'_> {
    fn tick(&self) -> bool {
        let b = self.budget.get();
        if b == 0 {
            return false;
        }
        self.budget.set(b - 1);
        true
    }

    fn alt(&self, alt: &[Vec<Node>], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        alt.iter().any(|seq| self.seq(seq, pos, k))
    }

    fn seq(&self, seq: &[Node], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        match seq.split_first() {
            None => k(pos),
            Some((n, rest)) => self.node(n, pos, &mut |p| self.seq(rest, p, k)),
        }
    }

    fn node(&self, n: &Node, pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        if !self.tick() {
            return false;
        }
        let here = self.input.get(pos).copied();
        match n {
            Node::Char(c) => here == Some(*c) && k(pos + 1),
            Node::Any => here.is_some() && k(pos + 1),
            Node::Set(s) => here.is_some_and(|c| s.contains(c)) && k(pos + 1),
            Node::Start => pos == 0 && k(pos),
            Node::End => pos == self.input.len() && k(pos),
            Node::Group(alt) => self.alt(alt, pos, k),
            Node::Repeat(inner, min, max) => self.repeat(inner, *min, *max, 0, pos, k),
        }
    }

    /// Greedy repetition: `count` matches so far end at `pos`.
    fn repeat(
        &self,
        inner: &Node,
        min: u32,
        max: Option<u32>,
        count: u32,
        pos: usize,
        k: &mut dyn FnMut(usize) -> bool,
    ) -> bool {
        if max.is_none_or(|m| count < m)
            && self.node(inner, pos, &mut |p| {
                // An empty match only counts towards the minimum, so that
                // `(a*)*` terminates.
                (p != pos || count < min) && self.repeat(inner, min, max, count + 1, p, k)
            })
        {
            return true;
        }
        count >= min && k(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    fn m(p: &str, v: &str) -> bool {
        Pattern::parse(p)
            .unwrap_or_else(|e| panic!("{p}: {e}"))
            .is_match(v)
            .unwrap()
    }

    #[test]
    fn matches_the_supported_syntax() {
        assert!(m("([0-9]{3})-([0-9]{2})-([0-9]{4})", "123-12-1234"));
        assert!(!m("([0-9]{3})-([0-9]{2})-([0-9]{4})", "123-1-1234"));
        assert!(m("b", "abc") && !m("^b", "abc") && !m("b$", "abc"));
        assert!(m("^(cat|dog)s?$", "dogs") && !m("^(cat|dog)s?$", "cow"));
        assert!(m("^a.c$", "abc") && !m("^a.c$", "ac"));
        assert!(m("^[^a-c]+$", "xyz") && !m("^[^a-c]+$", "xaz"));
        assert!(m("^[]a-]+$", "]-a") && !m("^[]a-]+$", "b"));
        assert!(m("^[[:alpha:]][[:alnum:]_]*$", "é_9") && !m("^[[:alpha:]]", "9"));
        assert!(m("^a{2,3}$", "aaa") && !m("^a{2,3}$", "aaaa") && m("^a{2,}$", "aaaaa"));
        assert!(m("^\\d+\\.\\d+$", "3.14") && !m("^\\d+\\.\\d+$", "3x14"));
        assert!(m("^(a*)*b$", "aaab") && !m("^(a|b)+c$", "ab"));
        assert!(m("", "anything"));
    }

    #[test]
    fn reports_what_it_cannot_read() {
        for p in [
            "(a",
            "a)",
            "[a",
            "*a",
            "a{3,1}",
            "a{x}",
            "(a)\\1",
            "[[=a=]]",
            "[[:nope:]]",
            "\\",
        ] {
            assert!(Pattern::parse(p).is_err(), "{p}");
        }
        let e = Pattern::parse("ab\\k").unwrap_err();
        assert_eq!(e.offset, 3);
        assert!(e.to_string().contains("unsupported escape"), "{e}");
    }

    #[test]
    fn pathological_patterns_give_up_instead_of_hanging() {
        let p = Pattern::parse("^(a|a)*(a|a)*(a|a)*(a|a)*c$").unwrap();
        assert_eq!(p.is_match(&"a".repeat(40)), None);
    }
}
