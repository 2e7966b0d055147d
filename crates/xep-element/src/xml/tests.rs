use super::*;
use crate::{ErrorKind, Source, Token, equivalent};

/// Reads a whole document into a DOM element through the reader.
fn read(input: &str) -> Result<minidom::Element, crate::Error> {
    let mut r = XmlReader::new(input.as_bytes());
    r.root()?;
    let el = r.capture()?;
    r.finish()?;
    Ok(el)
}

fn reason(input: &str) -> String {
    match read(input) {
        Ok(el) => panic!("accepted {input:?} as {el:?}"),
        Err(e) => match e.kind() {
            ErrorKind::Xml { reason, .. } => reason.clone(),
            other => format!("{other:?}"),
        },
    }
}

#[test]
fn reads_names_attributes_and_text() {
    let el = read("<?xml version='1.0' encoding='UTF-8'?>\n<a xmlns='urn:a' xmlns:p='urn:p' p:k='1' k=\"2\" xml:lang='en'>x &lt; &#x41;&#66;<p:b/><![CDATA[<raw>]]></a>\n").unwrap();
    assert_eq!(el.name(), "a");
    assert!(el.has_ns("urn:a"));
    assert_eq!(el.attr("k"), Some("2"));
    assert_eq!(el.text(), "x < AB<raw>");
    let b = el.children().next().unwrap();
    assert!(b.is("b", "urn:p"));
}

#[test]
fn source_tokens_and_positions() {
    let mut r = XmlReader::new(b"<a xmlns='u'><b k='v'/>t</a>");
    r.root().unwrap();
    assert_eq!(r.depth(), 1);
    assert_eq!(r.next().unwrap(), Token::Start);
    assert_eq!(r.name(), ("u", "b"));
    assert_eq!(r.attr_count(), 1);
    assert_eq!(r.attr(0).name, "k");
    assert_eq!(r.next().unwrap(), Token::End);
    assert_eq!(r.name(), ("u", "a"));
    assert_eq!(r.attr_count(), 0);
    assert_eq!(r.next().unwrap(), Token::Text);
    assert_eq!(r.text(), "t");
    assert_eq!(r.next().unwrap(), Token::End);
    r.finish().unwrap();
    assert_eq!(r.offset(), 28);
}

#[test]
fn normalises_line_ends_and_attribute_whitespace() {
    let el = read("<a k='x\r\ny\tz&#10;'>1\r\n2\r3</a>").unwrap();
    assert_eq!(el.attr("k"), Some("x y z\n"));
    assert_eq!(el.text(), "1\n2\n3");
}

#[test]
fn rejects_restricted_xml_with_reasons() {
    let cases = [
        ("<a><!-- c --></a>", "comments"),
        ("<a><?pi x?></a>", "processing instructions"),
        ("<!DOCTYPE a><a/>", "document type"),
        ("<a>&nbsp;</a>", "undeclared entity"),
    ];
    for (input, what) in cases {
        let e = read(input).unwrap_err();
        match e.kind() {
            ErrorKind::Xml {
                reason, restricted, ..
            } => {
                assert!(reason.contains(what), "{input}: {reason}");
                assert!(restricted, "{input} should be a restriction");
            }
            other => panic!("{input}: {other:?}"),
        }
    }
}

#[test]
fn rejects_malformed_xml_with_reasons() {
    let cases = [
        ("", "no element"),
        ("<a>", "ends before </a>"),
        ("<a></b>", "does not match"),
        ("<a b='1' b='2'/>", "duplicate attribute"),
        (
            "<a xmlns:p='u' xmlns:q='u' p:x='1' q:x='2'/>",
            "same namespace and name",
        ),
        ("<p:a/>", "not declared"),
        ("<a p:b='1'/>", "not declared"),
        ("<a xmlns:p=''/>", "empty namespace"),
        ("<a xmlns:xml='urn:x'/>", "prefix xml"),
        ("<a xmlns:xmlns='urn:x'/>", "xmlns must not"),
        ("<xmlns:a/>", "reserved"),
        ("<a b=1/>", "quoted"),
        ("<a b='<'/>", "'<'"),
        ("<a>]]></a>", "']]>'"),
        ("<a>&</a>", "reference"),
        ("<a>&#0;</a>", "character reference"),
        ("<a>&#xD800;</a>", "character reference"),
        ("<a>\u{1}</a>", "U+0001"),
        ("<a>\u{FFFE}</a>", "U+FFFE"),
        ("<a/><b/>", "after the root"),
        ("x<a/>", "before the root"),
        ("<a:b:c/>", "misplaced ':'"),
        ("<1a/>", "expected an element name"),
        ("<a b='1'c='2'/>", "expected whitespace"),
        ("<?xml version='2.0'?><a/>", "version"),
        ("<?xml version='1.0' encoding='latin1'?><a/>", "UTF-8"),
        ("<?xml encoding='utf-8' version='1.0'?><a/>", "version"),
        ("<a>x", "ends before"),
        ("<a><![CDATA[x</a>", "CDATA"),
    ];
    for (input, what) in cases {
        let r = reason(input);
        assert!(
            r.contains(what),
            "{input:?}: got {r:?}, expected it to mention {what:?}"
        );
    }
    let e = XmlReader::new(b"<a>\xff</a>").root().unwrap_err();
    assert!(e.to_string().contains("UTF-8"), "{e}");
}

#[test]
fn errors_carry_line_and_column() {
    let e = read("<a>\n  <b></c>\n</a>").unwrap_err();
    match e.kind() {
        ErrorKind::Xml { line, column, .. } => assert_eq!((*line, *column), (2, 6)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn depth_limit_is_an_error_not_a_crash() {
    let deep = "<a>".repeat(100) + &"</a>".repeat(100);
    let mut r = XmlReader::new(deep.as_bytes()).with_max_depth(10);
    r.root().unwrap();
    let e = r.capture().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Limit { .. }), "{e}");
}

/// Reads `input` through to its end within `limits`, returning the work
/// counted in prefix resolution and declaration checks.
fn steps_reading(input: &str, limits: Limits) -> Result<usize, crate::Error> {
    let mut r = XmlReader::new(input.as_bytes()).with_limits(limits);
    r.root()?;
    while r.depth() > 0 {
        r.next()?;
    }
    r.finish()?;
    Ok(r.steps())
}

fn roomy() -> Limits {
    Limits {
        max_bytes: usize::MAX,
        max_depth: 1 << 20,
        max_attributes: usize::MAX,
        max_namespace_declarations: usize::MAX,
        max_children: usize::MAX,
    }
}

#[test]
fn many_namespace_declarations_are_checked_in_linear_work() {
    // Issue 23: each declaration was compared with every earlier one of
    // the same tag (10^5 declarations took 13.8 s).
    for n in [1_000, 4_000] {
        let mut s = String::from("<a");
        for i in 0..n {
            s.push_str(&format!(" xmlns:p{i}='urn:{i}'"));
        }
        let ok = s.clone() + "/>";
        let steps = steps_reading(&ok, roomy()).unwrap();
        assert!(steps < 10 * n, "{steps} steps for {n} declarations");
        let dup = s + " xmlns:p7='urn:again'/>";
        let e = steps_reading(&dup, roomy()).unwrap_err();
        assert!(
            e.to_string().contains("duplicate attribute 'xmlns:p7'"),
            "{e}"
        );
    }
}

#[test]
fn prefixes_resolve_in_constant_work_however_many_are_in_scope() {
    // Issue 23: a prefix declared first, then many others, then many
    // children using the first: each resolution scanned every binding
    // (10^5 children took 27 s).
    for n in [1_000, 4_000] {
        let mut s = String::from("<a xmlns:early='urn:early'");
        for i in 0..n {
            s.push_str(&format!(" xmlns:p{i}='urn:{i}'"));
        }
        s.push('>');
        for _ in 0..n {
            s.push_str("<early:b/>");
        }
        s.push_str("</a>");
        let steps = steps_reading(&s, roomy()).unwrap();
        assert!(steps < 10 * n, "{steps} steps for {n} children");
    }
}

#[test]
fn the_prefix_index_shadows_and_restores_bindings() {
    // More than INDEX_FROM bindings in scope, so resolution goes through
    // the index: inner declarations shadow outer ones and end with their
    // element.
    let mut s = String::from("<a xmlns='urn:d0' xmlns:p='urn:p0'");
    for i in 0..40 {
        s.push_str(&format!(" xmlns:q{i}='urn:q{i}'"));
    }
    s.push_str("><b xmlns='urn:d1' xmlns:p='urn:p1'><p:c/><c/><q3:c/></b><p:c/><c/></a>");
    let el = read(&s).unwrap();
    let b = el.get_child("b", "urn:d1").unwrap();
    let inner: Vec<String> = b.children().map(|c| c.ns()).collect();
    assert_eq!(inner, ["urn:p1", "urn:d1", "urn:q3"]);
    let outer: Vec<String> = el.children().skip(1).map(|c| c.ns()).collect();
    assert_eq!(outer, ["urn:p0", "urn:d0"]);
}

#[test]
fn limits_refuse_size_attributes_declarations_and_children() {
    let small = Limits {
        max_bytes: 64,
        max_depth: 4,
        max_attributes: 3,
        max_namespace_declarations: 2,
        max_children: 2,
    };
    let limit = |input: &str| match steps_reading(input, small) {
        Err(e) if matches!(e.kind(), ErrorKind::Limit { .. }) => e.to_string(),
        other => panic!("{input}: {other:?}"),
    };
    assert!(limit(&format!("<a k='{}'/>", "x".repeat(64))).contains("larger than 64 bytes"));
    assert!(limit("<a><a><a><a><a/></a></a></a></a>").contains("deeper than 4 levels"));
    assert!(limit("<a w='' x='' y='' z=''/>").contains("<a> has more than 3 attributes"));
    assert!(
        limit("<a xmlns='u' xmlns:p='v' xmlns:q='w'/>")
            .contains("<a> has more than 2 namespace declarations")
    );
    assert!(limit("<a><b/><c/><d/></a>").contains("<a> has more than 2 child elements"));
    // At the limits, accepted.
    for ok in [
        "<a w='' x='' y=''/>",
        "<a xmlns='u' xmlns:p='v'/>",
        "<a><b/><c/></a>",
        "<a><a><a><a/></a></a></a>",
    ] {
        steps_reading(ok, small).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
}

#[test]
fn bytes_that_are_not_utf8_are_an_encoding_error() {
    let mut r = XmlReader::new(b"<a>caf\xe9</a>");
    let e = r.root().unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::Encoding { offset: 6, .. }),
        "{e:?}"
    );
    let mut r = XmlReader::new(b"<?xml version='1.0' encoding='ISO-8859-1'?><a/>");
    let e = r.root().unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Encoding { .. }), "{e:?}");
}

#[test]
fn many_attributes_duplicate_check() {
    let mut s = String::from("<a");
    for i in 0..100 {
        s.push_str(&format!(" a{i}='1'"));
    }
    let ok = s.clone() + "/>";
    assert_eq!(read(&ok).unwrap().attrs().iter().count(), 100);
    let dup = s + " a57='2'/>";
    assert!(reason(&dup).contains("duplicate attribute 'a57'"));
}

#[test]
fn context_supplies_stream_namespaces() {
    let ctx = NsContext::new("jabber:client").with_prefix("stream", crate::ns::STREAM);
    let mut r = XmlReader::with_context(b"<stream:error><message/></stream:error>", &ctx);
    r.root().unwrap();
    assert_eq!(r.name(), (crate::ns::STREAM, "error"));
    assert_eq!(r.next().unwrap(), Token::Start);
    assert_eq!(r.name(), ("jabber:client", "message"));
    // A fragment may not carry an XML declaration.
    let mut r = XmlReader::with_context(b"<?xml version='1.0'?><a/>", &ctx);
    assert!(r.root().is_err());
}

#[test]
fn start_tag_alone() {
    let t = parse_start_tag(
        b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0' xml:lang='en'>",
        &NsContext::default(),
    )
    .unwrap();
    assert_eq!(
        (t.ns.as_str(), t.name.as_str()),
        (crate::ns::STREAM, "stream")
    );
    assert_eq!(t.context.default, "jabber:client");
    assert_eq!(
        t.context.prefixes,
        vec![("stream".to_string(), crate::ns::STREAM.to_string())]
    );
    assert_eq!(t.attrs.len(), 3);
    assert!(
        t.attrs
            .contains(&(crate::ns::XML.into(), "lang".into(), "en".into()))
    );
    assert!(!t.self_closing);
}

/// Inputs on which the reader and minidom (rxml, a strict XML 1.0 +
/// Namespaces parser) must agree: both accept with equivalent trees, or both
/// reject.
#[test]
fn agrees_with_rxml() {
    let inputs = [
        "<a/>",
        "<a xmlns='u'><b xmlns=''/></a>",
        "<a xmlns:p='u'><p:b p:c='1' c='2'/></a>",
        "<a k='&quot;&apos;&amp;'>&gt;</a>",
        "<a>\u{10000}é</a>",
        "<é/>",
        "<a\u{B7}/>",
        "<a b = '1' />",
        "<a></a >",
        "<a>]]</a>",
        "<a>]></a>",
        "<a><![CDATA[]]]></a>",
        "<a>&#x10FFFF;</a>",
        "<a>&#x110000;</a>",
        "<a>&#65;&#x0041;</a>",
        "<a b='1' b='1'/>",
        "<a xmlns:p='u' xmlns:q='u' p:x='1' q:x='2'/>",
        "<a xmlns:p='u' p:x='1' x='2'/>",
        "<p:a xmlns:p='u'></p:a>",
        "<p:a xmlns:p='u'></a>",
        "<a></a></a>",
        "<a>\t\r\n</a>",
        "<a b='\t'/>",
        "< a/>",
        "<a/ >",
        "<a b='1'/>x",
        "<a>&#x;</a>",
        "<a>&#-1;</a>",
        "<a>&lt</a>",
        "<a:/>",
        "<:a/>",
        "<a-b.c_d/>",
        "<-a/>",
        "<a xml:lang='en' xml:space='preserve'/>",
        "<a xmlns:xml='http://www.w3.org/XML/1998/namespace'/>",
        "<a xmlns='http://www.w3.org/XML/1998/namespace'/>",
        "<a>\u{7F}\u{85}</a>",
        "<a>\u{FFFD}</a>",
        "<a>\u{B}</a>",
    ];
    for input in inputs {
        let ours = read(input);
        let theirs = rxml_accepts(input);
        assert_eq!(
            ours.is_ok(),
            theirs.is_ok(),
            "{input:?}: ours {ours:?}, rxml {theirs:?}"
        );
        // Where the root has a namespace, minidom builds a tree to compare.
        if let (Ok(a), Ok(b)) = (&ours, input.parse::<minidom::Element>())
            && let Err(d) = equivalent(a, &b)
        {
            panic!("{input:?}: trees differ: {d}");
        }
    }
}

fn rxml_accepts(input: &str) -> Result<(), String> {
    use minidom::rxml::{Parse, Parser};
    let mut doc = input.as_bytes();
    let mut p = Parser::new();
    loop {
        match p.parse(&mut doc, true) {
            Ok(None) => return Ok(()),
            Ok(Some(_)) => {}
            Err(e) => return Err(format!("{e:?}")),
        }
    }
}
