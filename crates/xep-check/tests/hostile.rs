//! Hostile input on every path (issue 23): the deepest input the default
//! limits accept parses on a 2 MiB thread stack in the normal (debug) test
//! profile, one level more is refused with the same error by the byte and
//! the DOM paths, and a DOM tree far deeper than the stack allows is
//! refused before anything recurses into it.

use std::thread;

use xep_core::Stanza;
use xep_element::minidom::Element;
use xep_element::xml::{DEFAULT_MAX_DEPTH, Limits};
use xep_element::{ErrorKind, Registry, XmlElement};

/// The stack of a thread that std spawns by default, and of `cargo test`'s.
const STACK: usize = 2 << 20;

/// Builds one input of a shape at a size.
type Shape = fn(usize) -> String;

/// Nested forwarded messages (XEP-0297): `levels` elements deep.
fn forwarded(levels: usize) -> String {
    let mut open = String::new();
    let mut close = String::new();
    for i in 0..levels {
        if i % 2 == 0 {
            open.push_str("<message xmlns='jabber:client' to='a@example.org' id='m'>");
            close.insert_str(0, "</message>");
        } else {
            open.push_str("<forwarded xmlns='urn:xmpp:forward:0'>");
            close.insert_str(0, "</forwarded>");
        }
    }
    open + &close
}

/// `<iq>` as the payload of `<iq>`, `levels` deep.
fn iq_in_iq(levels: usize) -> String {
    let open = "<iq xmlns='jabber:client' type='set' id='i'>".repeat(levels);
    open + &"</iq>".repeat(levels)
}

/// An unknown payload nested inside one iq: `levels` elements in all.
fn unknown(levels: usize) -> String {
    let open = "<x xmlns='urn:example:unknown'>".repeat(levels - 1);
    format!(
        "<iq xmlns='jabber:client' type='set' id='u'>{open}{}</iq>",
        "</x>".repeat(levels - 1)
    )
}

/// Runs `f` on a thread with a 2 MiB stack.
fn on_small_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    thread::scope(|s| {
        thread::Builder::new()
            .stack_size(STACK)
            .spawn_scoped(s, f)
            .expect("spawn")
            .join()
            .expect("the parse overflowed or panicked")
    })
}

fn is_depth_limit(e: &xep_element::Error) -> bool {
    matches!(e.kind(), ErrorKind::Limit { reason } if reason.contains("nest deeper than"))
}

#[test]
fn the_deepest_accepted_input_fits_a_2_mib_stack_and_one_more_level_is_refused() {
    let registry = xep_check::registry();
    let shapes: [(&str, Shape); 3] = [
        ("nested forwarded messages", forwarded),
        ("iq in iq", iq_in_iq),
        ("unknown payload", unknown),
    ];
    for (shape, build) in shapes {
        let deepest = build(DEFAULT_MAX_DEPTH);
        let too_deep = build(DEFAULT_MAX_DEPTH + 1);
        let dom_deepest: Element = deepest.parse().unwrap();
        let dom_too_deep: Element = too_deep.parse().unwrap();
        let reg: &Registry = &registry;
        let (bytes_ok, dom_ok, bytes_err, dom_err) = on_small_stack(|| {
            (
                Stanza::from_xml_with(deepest.as_bytes(), reg),
                Stanza::from_element_with(&dom_deepest, reg),
                Stanza::from_xml_with(too_deep.as_bytes(), reg),
                Stanza::from_element_with(&dom_too_deep, reg),
            )
        });
        // Accepted (whatever the payload rules say, not for its depth).
        for r in [&bytes_ok, &dom_ok] {
            if let Err(e) = r {
                assert!(!is_depth_limit(e), "{shape}: {e}");
            }
        }
        assert_eq!(
            bytes_ok.as_ref().map(|_| ()).map_err(|e| e.to_string()),
            dom_ok.as_ref().map(|_| ()).map_err(|e| e.to_string()),
            "{shape}: the two paths disagree at the deepest level"
        );
        // Refused, with the same error on both paths.
        let bytes_err = bytes_err.expect_err(shape);
        let dom_err = dom_err.expect_err(shape);
        assert!(is_depth_limit(&bytes_err), "{shape}: {bytes_err}");
        assert_eq!(bytes_err, dom_err, "{shape}");
    }
}

#[test]
fn a_dom_tree_deeper_than_the_stack_is_refused_before_recursion() {
    // Issue 23: an unknown payload 100,000 deep overflowed in
    // DomSource::capture (minidom's recursive clone). The tree is built and
    // dropped on a large stack (minidom drops recursively); only the parse
    // runs on the 2 MiB one.
    thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(|| {
            let mut el = Element::builder("x", "urn:example:unknown").build();
            for _ in 0..100_000 {
                el = Element::builder("x", "urn:example:unknown")
                    .append(el)
                    .build();
            }
            let mut iq: Element = "<iq xmlns='jabber:client' type='set' id='u'/>"
                .parse()
                .unwrap();
            iq.append_child(el);
            let registry = xep_check::registry();
            let (typed, untyped) = on_small_stack(|| {
                (
                    Stanza::from_element_with(&iq, &registry),
                    Stanza::from_element(&iq),
                )
            });
            for r in [typed, untyped] {
                let e = r.expect_err("100,000 levels");
                assert!(is_depth_limit(&e), "{e}");
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn the_one_shot_apis_apply_the_stream_limits() {
    // Issue 23: from_xml_with had no size limit at all.
    let registry = xep_check::registry();
    let body = "a".repeat(Limits::default().max_bytes);
    let big = format!("<message xmlns='jabber:client'><body>{body}</body></message>");
    let e = Stanza::from_xml_with(big.as_bytes(), &registry).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Limit { .. }), "{e}");
    let roomy = Limits {
        max_bytes: 1 << 20,
        ..Limits::default()
    };
    Stanza::from_xml_limited(big.as_bytes(), Some(&registry), roomy).unwrap();

    // Attributes and children: the same error from bytes and from DOM.
    let small = Limits {
        max_attributes: 2,
        max_children: 2,
        ..Limits::default()
    };
    for input in [
        "<message xmlns='jabber:client' to='a@b' from='c@d' id='x'/>",
        "<message xmlns='jabber:client'><body>1</body><body xml:lang='de'>2</body><subject>3</subject></message>",
        "<message xmlns='jabber:client'><x xmlns='urn:example:x' a='1' b='2' c='3'/></message>",
        "<message xmlns='jabber:client'><x xmlns='urn:example:x'><y/><y/><y/></x></message>",
    ] {
        let dom: Element = input.parse().unwrap();
        let from_bytes = Stanza::from_xml_limited(input.as_bytes(), Some(&registry), small);
        let from_dom = Stanza::from_element_limited(&dom, Some(&registry), small);
        let e = from_bytes.expect_err(input);
        assert!(matches!(e.kind(), ErrorKind::Limit { .. }), "{input}: {e}");
        assert_eq!(Err(e), from_dom.map(|_| ()), "{input}");
    }
}

#[test]
fn many_bodies_are_checked_in_linear_time() {
    // Issue 23: the duplicate xml:lang check compared every body with
    // every earlier one (10^5 bodies took 17.8 s in release). Quadratic,
    // 10^5 bodies would not finish here; linear, they take well under a
    // second. The scaling bench (`cargo bench -p xep-check --bench
    // scaling`) shows the growth.
    let n = 100_000;
    let mut s = String::from("<message xmlns='jabber:client'>");
    for i in 0..n {
        s.push_str(&format!("<body xml:lang='l{i}'>x</body>"));
    }
    s.push_str("</message>");
    let roomy = Limits {
        max_bytes: usize::MAX,
        max_children: usize::MAX,
        ..Limits::default()
    };
    let Stanza::Message(m) = Stanza::from_xml_limited(s.as_bytes(), None, roomy).unwrap() else {
        panic!("not a message");
    };
    assert_eq!(m.bodies.len(), n);
    let dup = s.replace("</message>", "<body xml:lang='l77'>y</body></message>");
    let e = Stanza::from_xml_limited(dup.as_bytes(), None, roomy).unwrap_err();
    assert!(e.to_string().contains("same xml:lang (l77)"), "{e}");
}
