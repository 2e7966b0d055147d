//! The XEP source documents as test data (feature `testdata`, for the
//! workspace crates' tests only): the documents are read in place from
//! `../shared/xeps` beside the repository (or `$XEPS_DIR`), never copied,
//! and a test skips with a notice when they are absent.

use std::path::PathBuf;

/// The folder of the XEP sources: `$XEPS_DIR`, else `../shared/xeps`
/// beside the repository.
pub fn xeps_dir() -> PathBuf {
    match std::env::var_os("XEPS_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/xeps")),
    }
}

/// The text of `xep-NNNN.xml`, or `None` after printing a notice that the
/// test is skipped, when the document is absent.
pub fn xep_source(n: u32) -> Option<String> {
    let p = xeps_dir().join(format!("xep-{n:04}.xml"));
    match std::fs::read_to_string(&p) {
        Ok(t) => Some(t),
        Err(_) => {
            eprintln!("NOTICE: {} is absent; this test is skipped", p.display());
            None
        }
    }
}

/// Every element written out in a document's text whose start tag begins
/// with `open` (e.g. `<set xmlns='http://jabber.org/protocol/rsm'`) and
/// whose name is `name`, in order: the start tag through the matching
/// `</name>` (or the empty-element tag). Panics on an unclosed element:
/// the documents are test data.
pub fn elements_in<'a>(doc: &'a str, open: &str, name: &str) -> Vec<&'a str> {
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find(open) {
        let from = &rest[i..];
        let tag_end = from.find('>').expect("an unclosed tag");
        let end = if from.as_bytes()[tag_end - 1] == b'/' {
            tag_end + 1
        } else {
            from.find(&close).expect("an unclosed element") + close.len()
        };
        out.push(&from[..end]);
        rest = &from[end..];
    }
    out
}

/// The inputs that made the fuzz target `target` fail once, kept under
/// `fixtures/<krate>/fuzz/<target>/` (see fixtures/README.md), sorted by
/// path, without their `.md` notes: the tests of the target's crate
/// replay them. Empty when the folder is absent.
pub fn crash_fixtures(krate: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures"))
        .join(krate)
        .join("fuzz")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let data =
                std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            (p, data)
        })
        .collect()
}

/// Asserts that `xml`, one element, is typed by a registry of `elements`
/// and comes back equivalent on both paths: DOM to typed to DOM, and
/// typed to bytes read back as a DOM. Panics, naming the element, when it
/// is not registered or changes.
pub fn assert_round_trips(elements: &'static [crate::ElementInfo], xml: &str) {
    let dom: minidom::Element = xml
        .parse()
        .unwrap_or_else(|e| panic!("{xml}: not XML ({e})"));
    let typed = crate::Registry::new()
        .with(elements)
        .parse_dom(&dom)
        .unwrap_or_else(|e| panic!("{xml}: {e}"))
        .unwrap_or_else(|| panic!("{xml}: not registered"));
    if let Err(d) = crate::equivalent(&dom, &typed.to_dom()) {
        panic!("{xml}: the DOM round trip changed the element {d}");
    }
    let mut w = crate::XmlWriter::with_default_ns("");
    typed.write_xml(&mut w);
    let bytes = String::from_utf8(w.into_bytes()).expect("the writer writes UTF-8");
    let back: minidom::Element = bytes
        .parse()
        .unwrap_or_else(|e| panic!("{xml}: written as {bytes}, which does not parse ({e})"));
    if let Err(d) = crate::equivalent(&dom, &back) {
        panic!("{xml}: the byte round trip changed the element {d}");
    }
}

/// Parses `xml` as `T` from bytes and from a DOM, asserts both give the
/// same value, that it serializes back to exactly `xml` and to a DOM
/// equivalent to `xml`'s, and returns it (the round trip of a crate's own
/// unit tests).
pub fn exact_round_trip<T: crate::XmlElement + PartialEq + std::fmt::Debug>(xml: &str) -> T {
    let v = T::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
    assert_eq!(v.to_xml(), xml);
    let dom: minidom::Element = xml
        .parse()
        .unwrap_or_else(|e| panic!("{xml}: not XML ({e})"));
    assert_eq!(T::from_element(&dom).unwrap(), v);
    if let Err(d) = crate::equivalent(&dom, &v.to_element()) {
        panic!("{xml}: the DOM written differs {d}");
    }
    v
}

#[cfg(test)]
mod tests {
    #[test]
    fn elements_are_cut_out_of_text() {
        let doc = "a <set xmlns='r'><max>1</max></set> b <set xmlns='r'/> c";
        assert_eq!(
            super::elements_in(doc, "<set xmlns='r'", "set"),
            ["<set xmlns='r'><max>1</max></set>", "<set xmlns='r'/>"]
        );
    }
}
