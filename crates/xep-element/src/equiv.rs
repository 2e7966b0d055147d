//! The definition of "equivalent" elements, used by round-trip checks.

use std::fmt;

/// Where and how two elements differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Element path from the root, e.g. `iq/query/item[2]`.
    pub path: String,
    /// What differs.
    pub what: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.path, self.what)
    }
}

fn qname(el: &minidom::Element) -> String {
    format!("{{{}}}{}", el.ns(), el.name())
}

fn is_ws(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

fn text_of(el: &minidom::Element, has_children: bool) -> String {
    let mut s = String::new();
    for t in el.texts() {
        if has_children && is_ws(t) {
            continue;
        }
        s.push_str(t);
    }
    s
}

/// Checks that `a` and `b` are equivalent (see the module docs), returning
/// the first difference found.
///
/// The definition of "equivalent" elements, used by round-trip checks.
///
/// Two elements are equivalent when:
/// - they have the same namespace and local name (prefixes and where
///   namespaces are declared do not matter);
/// - they have the same attributes: same set of (namespace, name, value);
///   order never matters in XML;
/// - their character data is the same: for an element without child
///   elements, the exact text, except that whitespace-only text equals no
///   text (an element-only content model drops it, e.g. `<iq>\n</iq>`);
///   for an element with child elements, text nodes that are only
///   whitespace are ignored and the remaining text nodes, concatenated,
///   must be equal;
/// - their child elements are pairwise equivalent, where the order of
///   children **with the same qualified name** is significant and the order
///   between children of different names is not. XMPP gives no meaning to
///   the relative order of different child elements of a stanza or payload
///   (RFC 6120 §8.4: payloads are unordered extension elements), while
///   repeated elements (items, fields, values, candidates) are ordered lists.
///   Typed values serialize their fields in declaration order, so this is
///   the strongest order that a typed round trip can promise.
pub fn equivalent(a: &minidom::Element, b: &minidom::Element) -> Result<(), Difference> {
    compare(a, b, a.name().to_string())
}

/// `true` when `a` and `b` are equivalent.
pub fn is_equivalent(a: &minidom::Element, b: &minidom::Element) -> bool {
    equivalent(a, b).is_ok()
}

fn compare(a: &minidom::Element, b: &minidom::Element, path: String) -> Result<(), Difference> {
    let diff = |what: String| {
        Err(Difference {
            path: path.clone(),
            what,
        })
    };
    if a.name() != b.name() || a.ns() != b.ns() {
        return diff(format!("element {} became {}", qname(a), qname(b)));
    }
    for ((ns, name), v) in a.attrs().iter() {
        let q = crate::error::qualified_attr(ns.as_str(), name.as_str());
        match b.attrs().get(ns, name.as_str()) {
            None => return diff(format!("attribute '{q}' was lost")),
            Some(w) if w != v => {
                return diff(format!("attribute '{q}' changed from '{v}' to '{w}'"));
            }
            _ => {}
        }
    }
    for ((ns, name), _) in b.attrs().iter() {
        if a.attrs().get(ns, name.as_str()).is_none() {
            let q = crate::error::qualified_attr(ns.as_str(), name.as_str());
            return diff(format!("attribute '{q}' was added"));
        }
    }
    let a_kids: Vec<&minidom::Element> = a.children().collect();
    let b_kids: Vec<&minidom::Element> = b.children().collect();
    let (ta, tb) = (
        text_of(a, !a_kids.is_empty()),
        text_of(b, !b_kids.is_empty()),
    );
    if ta != tb && !(is_ws(&ta) && is_ws(&tb)) {
        return diff(format!("text changed from {ta:?} to {tb:?}"));
    }
    // Group children by qualified name, keeping order within a group.
    let mut used = vec![false; b_kids.len()];
    let mut seen_per_name: Vec<(String, usize)> = Vec::new();
    for ca in &a_kids {
        let q = qname(ca);
        let nth = match seen_per_name.iter_mut().find(|(n, _)| *n == q) {
            Some((_, c)) => {
                *c += 1;
                *c
            }
            None => {
                seen_per_name.push((q.clone(), 1));
                1
            }
        };
        let mut k = 0;
        let mut found = None;
        for (j, cb) in b_kids.iter().enumerate() {
            if cb.name() == ca.name() && cb.ns() == ca.ns() {
                k += 1;
                if k == nth {
                    found = Some(j);
                    break;
                }
            }
        }
        let child_path = if nth > 1 {
            format!("{path}/{}[{nth}]", ca.name())
        } else {
            format!("{path}/{}", ca.name())
        };
        match found {
            None => {
                return Err(Difference {
                    path: child_path,
                    what: format!("child {q} was lost"),
                });
            }
            Some(j) => {
                used[j] = true;
                compare(ca, b_kids[j], child_path)?;
            }
        }
    }
    if let Some(j) = used.iter().position(|u| !u) {
        return diff(format!("child {} was added", qname(b_kids[j])));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(s: &str) -> minidom::Element {
        s.parse().unwrap()
    }

    #[test]
    fn ignores_prefixes_attribute_order_and_whitespace_between_children() {
        let a = el("<a xmlns='u' x='1' y='2'>\n  <b/>\n</a>");
        let b = el("<p:a xmlns:p='u' y='2' x='1'><p:b/></p:a>");
        assert_eq!(equivalent(&a, &b), Ok(()));
    }

    #[test]
    fn order_matters_within_a_name_only() {
        let a = el("<a xmlns='u'><b n='1'/><c/><b n='2'/></a>");
        let b = el("<a xmlns='u'><c/><b n='1'/><b n='2'/></a>");
        assert!(is_equivalent(&a, &b));
        let c = el("<a xmlns='u'><b n='2'/><c/><b n='1'/></a>");
        let d = equivalent(&a, &c).unwrap_err();
        assert_eq!(d.path, "a/b");
        assert!(d.what.contains("'n' changed from '1' to '2'"), "{d}");
    }

    #[test]
    fn reports_lost_added_and_changed_parts() {
        let a = el("<a xmlns='u'><b>t</b></a>");
        assert!(
            equivalent(&a, &el("<a xmlns='u'/>"))
                .unwrap_err()
                .what
                .contains("lost")
        );
        assert!(
            equivalent(&a, &el("<a xmlns='u'><b>t</b><d/></a>"))
                .unwrap_err()
                .what
                .contains("added")
        );
        assert!(
            equivalent(&a, &el("<a xmlns='u'><b>u</b></a>"))
                .unwrap_err()
                .what
                .contains("text changed")
        );
        assert!(equivalent(&a, &el("<a xmlns='v'><b>t</b></a>")).is_err());
        assert!(equivalent(&el("<a xmlns='u' k='1'/>"), &el("<a xmlns='u'/>")).is_err());
        // Text-only elements keep their whitespace around other text...
        assert!(equivalent(&el("<a xmlns='u'> x</a>"), &el("<a xmlns='u'>x</a>")).is_err());
        // ...but whitespace alone equals no text.
        assert!(equivalent(&el("<a xmlns='u'>\n </a>"), &el("<a xmlns='u'/>")).is_ok());
    }
}
