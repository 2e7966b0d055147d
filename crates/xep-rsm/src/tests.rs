use super::*;
use xep_element::ErrorKind;
use xep_element::testdata::{elements_in, xep_source as xep};

const OPEN: &str = "<set xmlns='http://jabber.org/protocol/rsm'>";

fn set(inner: &str) -> String {
    format!("{OPEN}{inner}</set>")
}

/// Parses by both paths, checks they agree.
fn parse(xml: &str) -> Result<Set, Error> {
    let bytes = Set::from_xml(xml.as_bytes());
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    assert_eq!(Set::from_element(&dom), bytes, "{xml}");
    bytes
}

fn rt(s: &Set) {
    assert_eq!(&Set::from_xml(s.to_xml().as_bytes()).unwrap(), s);
    assert_eq!(&Set::from_element(&s.to_element()).unwrap(), s);
}

#[test]
fn requests_and_results_round_trip() {
    for s in [
        Set::first_page(10),
        Set::next_page(10, "a"),
        Set::previous_page(10, "b"),
        Set::last_page(10),
        Set::page_at(10, 371),
        Set::count_only(),
        Set::page("f", Some(20), "l", Some(800)),
        Set::page("only", None, "only", None),
        Set::empty_page(Some(0)),
        Set::default(),
    ] {
        rt(&s);
    }
}

#[test]
fn every_child_is_read_and_written_in_schema_order() {
    // Written in any order, read the same; written back in the schema's
    // xs:sequence order.
    let s = parse(&set("<max>5</max><last>l</last><index>3</index>\
         <first index='3'>f</first><count>40</count><before>b</before><after>a</after>"))
    .unwrap();
    assert_eq!(
        s,
        Set {
            after: Some("a".into()),
            before: Some("b".into()),
            count: Some(40),
            first: Some(First::new("f", Some(3))),
            index: Some(3),
            last: Some("l".into()),
            max: Some(5),
        }
    );
    assert_eq!(
        s.to_xml(),
        set("<after>a</after><before>b</before><count>40</count>\
             <first index='3'>f</first><index>3</index><last>l</last><max>5</max>")
    );
}

#[test]
fn ids_are_opaque_and_kept_verbatim() {
    let s = parse(&set(
        "<first index='0'> spaced &amp; escaped </first><last>\u{e9}t\u{e9}</last>",
    ))
    .unwrap();
    assert_eq!(s.first_id(), Some(" spaced & escaped "));
    assert_eq!(s.last_id(), Some("\u{e9}t\u{e9}"));
    rt(&s);
}

#[test]
fn empty_before_is_the_last_page_and_differs_from_absent() {
    let s = parse(&set("<max>10</max><before/>")).unwrap();
    assert!(s.is_last_page_request());
    assert_eq!(s.before.as_deref(), Some(""));
    assert_eq!(s.position().unwrap(), Position::Last);
    assert_eq!(s.to_xml(), set("<before/><max>10</max>"));
    // <before></before> is the same request.
    assert_eq!(parse(&set("<max>10</max><before></before>")).unwrap(), s);
    assert_eq!(s, Set::last_page(10));
    let first = Set::first_page(10);
    assert!(!first.is_last_page_request());
    assert_eq!(first.before, None);
    assert_eq!(first.position().unwrap(), Position::Start);
}

#[test]
fn positions_of_requests() {
    assert_eq!(
        Set::next_page(10, "x").position().unwrap(),
        Position::After("x")
    );
    assert_eq!(
        Set::previous_page(10, "y").position().unwrap(),
        Position::Before("y")
    );
    assert_eq!(Set::page_at(10, 7).position().unwrap(), Position::Index(7));
    assert!(Set::count_only().is_count_request());
    assert!(!Set::first_page(1).is_count_request());
    let both = Set {
        after: Some("x".into()),
        ..Set::last_page(10)
    };
    let e = both.position().unwrap_err();
    assert_eq!(e.path(), "set");
    assert_eq!(
        e.to_string(),
        "at set: <after/> and <before/> are alternatives: XEP-0059 does not define a request with more than one"
    );
    let e = Set {
        index: Some(1),
        ..Set::next_page(10, "x")
    }
    .position()
    .unwrap_err();
    assert!(e.to_string().contains("<after/> and <index/>"), "{e}");
}

#[test]
fn bad_numbers_name_the_child() {
    for (inner, path, value) in [
        ("<max>ten</max>", "set/max", "ten"),
        ("<max></max>", "set/max", ""),
        ("<count>-1</count>", "set/count", "-1"),
        ("<index>1.5</index>", "set/index", "1.5"),
        ("<index>4294967296</index>", "set/index", "4294967296"),
    ] {
        let e = parse(&set(inner)).unwrap_err();
        assert_eq!(e.path(), path, "{inner}");
        assert!(
            matches!(e.kind(), ErrorKind::BadText { value: v, reason } if v == value && reason.contains("xs:unsignedInt")),
            "{inner}: {e}"
        );
    }
    let e = parse(&set("<first index='x'>a</first>")).unwrap_err();
    assert_eq!(e.path(), "set/first");
    assert!(
        matches!(e.kind(), ErrorKind::BadAttribute { name, value, .. } if name == "index" && value == "x"),
        "{e}"
    );
    assert_eq!(
        parse(&set("<first index='-2'>a</first>"))
            .unwrap_err()
            .path(),
        "set/first"
    );
}

#[test]
fn structure_errors_name_the_element() {
    let e = parse(&set("<max>1</max><max>2</max>")).unwrap_err();
    assert_eq!(e.path(), "set");
    assert_eq!(e.kind(), &ErrorKind::DuplicateChild { name: "max".into() });
    let e = parse(&set("<first>a</first><first>b</first>")).unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::DuplicateChild {
            name: "first".into()
        }
    );
    let e = parse(&set("<page/>")).unwrap_err();
    assert_eq!(e.path(), "set");
    assert!(
        matches!(e.kind(), ErrorKind::UnexpectedChild { name } if name == "{http://jabber.org/protocol/rsm}page"),
        "{e}"
    );
    // Children of another namespace are not RSM children.
    let e = parse(&set("<max xmlns='urn:example'>1</max>")).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::UnexpectedChild { .. }), "{e}");
    let e = parse(&set("<after><b/></after>")).unwrap_err();
    assert_eq!(e.path(), "set/after");
    let e = parse(&set("<max unit='items'>1</max>")).unwrap_err();
    assert_eq!(e.path(), "set/max");
    let e = parse(&set("<first index='1' id='a'>a</first>")).unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::UnknownAttribute { name } if name == "id"),
        "{e}"
    );
    let e = parse(&set("ten")).unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::UnexpectedText);
}

#[test]
fn result_accessors_and_navigation() {
    let s = Set::page("f", Some(20), "l", Some(800));
    assert_eq!(s.first_id(), Some("f"));
    assert_eq!(s.first_index(), Some(20));
    assert_eq!(s.last_id(), Some("l"));
    assert!(!s.is_empty_page());
    assert_eq!(s.request_next(10), Some(Set::next_page(10, "l")));
    assert_eq!(s.request_previous(10), Some(Set::previous_page(10, "f")));
    assert_eq!(s.remaining(10), Some(770));
    // The last page of the set.
    assert_eq!(
        Set::page("f", Some(795), "l", Some(800)).remaining(5),
        Some(0)
    );
    // An approximate count smaller than the position does not underflow.
    assert_eq!(
        Set::page("f", Some(900), "l", Some(800)).remaining(5),
        Some(0)
    );
    assert_eq!(Set::page("f", None, "l", Some(800)).remaining(5), None);
    let empty = Set::empty_page(Some(5));
    assert!(empty.is_empty_page());
    assert_eq!(empty.request_next(10), None);
    assert_eq!(empty.request_previous(10), None);
    assert_eq!(empty.to_xml(), set("<count>5</count>"));
}

#[test]
fn registered_elements() {
    assert_eq!(ELEMENTS.len(), 2);
    assert!(Set::matches(NS, "set"));
    assert!(First::matches(NS, "first"));
    assert!(!Set::matches("urn:xmpp:rsm", "set"));
}

#[test]
fn the_xep_0059_examples_mean_what_section_2_says() {
    let Some(doc) = xep(59) else { return };
    let sets: Vec<Set> = elements_in(&doc, OPEN, "set")
        .into_iter()
        .map(|xml| parse(xml).unwrap_or_else(|e| panic!("{xml}: {e}")))
        .collect();
    assert!(
        sets.len() >= 15,
        "only {} <set/> examples found",
        sets.len()
    );
    let (results, requests): (Vec<&Set>, Vec<&Set>) = sets.iter().partition(|s| s.max.is_none());
    // Every request reads as one position, and together they show each
    // kind of §2: first page, next, previous, last, index, and count only.
    let positions: Vec<Position<'_>> = requests.iter().map(|s| s.position().unwrap()).collect();
    assert!(positions.contains(&Position::Start));
    assert!(positions.contains(&Position::Last));
    assert!(positions.iter().any(|p| matches!(p, Position::After(_))));
    assert!(positions.iter().any(|p| matches!(p, Position::Before(_))));
    assert!(positions.iter().any(|p| matches!(p, Position::Index(_))));
    assert!(requests.iter().any(|s| s.is_count_request()));
    // Result pages carry the index of their first item, and the responses
    // to a count request carry only the count.
    for r in &results {
        assert!(r.count.is_some(), "{r:?}");
        assert_eq!(r.is_empty_page(), r.first_index().is_none(), "{r:?}");
    }
    // The examples page forwards and backwards the way the helpers do: a
    // returned page is followed by the request for its neighbour.
    assert!(
        results
            .iter()
            .any(|p| p.request_next(10).is_some_and(|n| requests.contains(&&n)))
    );
    assert!(results.iter().any(|p| {
        p.request_previous(10)
            .is_some_and(|n| requests.contains(&&n))
    }));
}
