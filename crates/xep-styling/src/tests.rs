use super::*;
use proptest::prelude::*;

/// The styled spans of a one-line text, as (style, text) pairs, nested
/// ones after their parent.
fn styled_spans(text: &str) -> Vec<(Style, String)> {
    fn walk(text: &str, spans: &[Span], out: &mut Vec<(Style, String)>) {
        for s in spans {
            if let Span::Styled {
                style,
                range,
                children,
            } = s
            {
                out.push((*style, text[range.clone()].to_string()));
                walk(text, children, out);
            }
        }
    }
    let mut out = Vec::new();
    for b in parse(text) {
        if let Block::Plain { spans, .. } = b {
            walk(text, &spans, &mut out);
        }
    }
    out
}

#[test]
fn spans_as_section_4_2_lists_them() {
    use Style::*;
    let s = |v: &[(Style, &str)]| {
        v.iter()
            .map(|(a, b)| (*a, b.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(styled_spans("plain span"), s(&[]));
    assert_eq!(
        styled_spans("*strong span*"),
        s(&[(Strong, "*strong span*")])
    );
    assert_eq!(
        styled_spans("plain _emphasis_ plain"),
        s(&[(Emphasis, "_emphasis_")])
    );
    assert_eq!(
        styled_spans("`pre` plain *strong*"),
        s(&[(Pre, "`pre`"), (Strong, "*strong*")])
    );
    assert_eq!(styled_spans("*strong*plain*"), s(&[(Strong, "*strong*")]));
    assert_eq!(styled_spans("* plain *strong*"), s(&[(Strong, "*strong*")]));
    for nothing in [
        "not strong*",
        "*not strong",
        "*not \n strong*",
        "*not *strong",
        "**",
        "***",
        "****",
    ] {
        assert_eq!(styled_spans(nothing), s(&[]), "{nothing:?}");
    }
    assert_eq!(
        styled_spans("This is `monospace`"),
        s(&[(Pre, "`monospace`")])
    );
    assert_eq!(
        styled_spans("This is `*monospace*`"),
        s(&[(Pre, "`*monospace*`")])
    );
    assert_eq!(
        styled_spans("This is *`monospace and bold`*"),
        s(&[
            (Strong, "*`monospace and bold`*"),
            (Pre, "`monospace and bold`")
        ])
    );
    assert_eq!(
        styled_spans("Everyone ~dis~likes cake."),
        s(&[(Strike, "~dis~")])
    );
}

#[test]
fn our_own_cases() {
    use Style::*;
    let s = |v: &[(Style, &str)]| {
        v.iter()
            .map(|(a, b)| (*a, b.to_string()))
            .collect::<Vec<_>>()
    };
    // A directive after another opening directive opens too.
    assert_eq!(
        styled_spans("_*both*_"),
        s(&[(Emphasis, "_*both*_"), (Strong, "*both*")])
    );
    assert_eq!(
        styled_spans("*_only emphasis_"),
        s(&[(Emphasis, "_only emphasis_")])
    );
    // After a closing directive it does not.
    assert_eq!(styled_spans("*a*_b_"), s(&[(Strong, "*a*")]));
    // A star after whitespace does not close; no strong inside strong,
    // so the inner star stays text.
    assert_eq!(styled_spans("*a *b* c*"), s(&[(Strong, "*a *b*")]));
    // Multi-byte text keeps its ranges on character boundaries.
    assert_eq!(
        styled_spans("こんにちは _世界_"),
        s(&[(Emphasis, "_世界_")])
    );
    // Whitespace of any kind counts (U+3000 ideographic space).
    assert_eq!(styled_spans("a\u{3000}*b*"), s(&[(Strong, "*b*")]));
    assert_eq!(styled_spans("*\u{3000}b*"), s(&[]));
}

#[test]
fn quotations_nest_up_to_the_bound() {
    let deep = format!("{}x", ">".repeat(MAX_QUOTE_DEPTH + 5));
    let mut blocks = parse(&deep);
    let mut depth = 0;
    loop {
        match blocks.into_iter().next().unwrap() {
            Block::Quote { children, .. } => {
                depth += 1;
                blocks = children;
            }
            Block::Plain { line, .. } => {
                assert_eq!(&deep[line], ">>>>>x");
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(depth, MAX_QUOTE_DEPTH);
    // A hostile body parses (stack and time bounded).
    let hostile = "*a ".repeat(100_000) + &">".repeat(100_000) + &"_*~".repeat(50_000);
    let _ = parse(&hostile);
}

#[test]
fn unstyled_messages_are_left_alone() {
    let m = Message::from_xml(
        b"<message xmlns='jabber:client'><body>&gt; _ &lt;</body><unstyled xmlns='urn:xmpp:styling:0'/></message>",
    )
    .unwrap();
    assert!(styled(&m, None).is_none());
    let m = Message::from_xml(b"<message xmlns='jabber:client'><body>&gt; _ &lt;</body></message>")
        .unwrap();
    let (body, blocks) = styled(&m, None).unwrap();
    assert_eq!(body, "> _ <");
    assert!(matches!(blocks[0], Block::Quote { .. }));
}

/// The body of the example with this caption in XEP-0393, dedented as
/// the XEP asks readers to (its examples are indented for display).
fn example_body(doc: &str, caption: &str) -> String {
    let at = doc
        .find(&format!("caption='{caption}'"))
        .unwrap_or_else(|| panic!("no example {caption:?}"));
    let rest = &doc[at..];
    let start = rest.find("<body>").unwrap() + "<body>".len();
    let end = rest.find("</body>").unwrap();
    let raw = rest[start..end]
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let lines: Vec<&str> = raw.trim_matches('\n').split('\n').collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| if l.len() >= indent { &l[indent..] } else { "" })
        .collect::<Vec<_>>()
        .join("\n")
}

fn kinds(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(|b| match b {
            Block::Plain { .. } => "P".to_string(),
            Block::Pre { closing, lines, .. } => {
                format!(
                    "Pre{}{}",
                    lines.len(),
                    if closing.is_some() { "" } else { "-open" }
                )
            }
            Block::Quote { children, .. } => format!("Q[{}]", kinds(children)),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_examples_of_xep_0393() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/xeps/xep-0393.xml"
    );
    let Ok(doc) = std::fs::read_to_string(path) else {
        eprintln!("notice: {path} is absent; the XEP-0393 example tests are skipped");
        return;
    };
    use Style::*;
    // (caption, block shape, styled spans)
    type Case<'a> = (&'a str, &'a str, &'a [(Style, &'a str)]);
    let cases: &[Case] = &[
        ("Plain block text", "P P P", &[]),
        ("Preformatted block text", "Pre1 P P", &[]),
        (
            "No closing preformatted text sequence",
            "Q[Pre1-open] P P P",
            &[],
        ),
        ("Quotation (LTR)", "Q[P] P P", &[]),
        ("Nested Quotation", "Q[Q[P] P] P P", &[]),
        ("Plain", "P", &[(Strong, "*alike in dignity*")]),
        (
            "Italic",
            "P P",
            &[
                (Emphasis, "_Twelfth Night, or What You Will_"),
                (Emphasis, "_most_"),
            ],
        ),
        ("Strong", "P P", &[(Strong, "*most*")]),
        ("Strike through", "P", &[(Strike, "~dis~")]),
        ("Monospace text", "P", &[(Pre, "`monospace`")]),
    ];
    for (caption, shape, expected) in cases {
        let body = example_body(&doc, caption);
        let blocks = parse(&body);
        assert_eq!(kinds(&blocks), *shape, "{caption}: {body:?}");
        let got = styled_spans(&body);
        let want: Vec<(Style, String)> =
            expected.iter().map(|(a, b)| (*a, b.to_string())).collect();
        assert_eq!(got, want, "{caption}");
    }
    // The nested quotation's innermost line, stripped of both '>'.
    let body = example_body(&doc, "Nested Quotation");
    let Block::Quote { children, .. } = &parse(&body)[0] else {
        panic!()
    };
    let Block::Quote {
        children: inner, ..
    } = &children[0]
    else {
        panic!()
    };
    let Block::Plain { line, .. } = &inner[0] else {
        panic!()
    };
    assert_eq!(&body[line.clone()], "That that is, is.");
}

/// Checks the invariants of spans tiling `range`.
fn check_spans(text: &str, range: Range<usize>, spans: &[Span], open: &[Style]) {
    let mut at = range.start;
    for s in spans {
        let r = s.range();
        assert_eq!(r.start, at, "spans tile their parent");
        assert!(r.start < r.end, "no empty span");
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        if let Span::Styled {
            style,
            range,
            children,
        } = s
        {
            let d = style.directive();
            assert!(!open.contains(style));
            assert!(text[range.clone()].starts_with(d) && text[range.clone()].ends_with(d));
            let inner = (range.start + 1)..(range.end - 1);
            assert!(
                text[inner.clone()].chars().any(|c| c != d),
                "text besides the directive"
            );
            assert!(!text[inner.clone()].starts_with(char::is_whitespace));
            assert!(!text[inner.clone()].ends_with(char::is_whitespace));
            let mut open = open.to_vec();
            open.push(*style);
            check_spans(text, inner, children, &open);
        }
        at = r.end;
    }
    assert_eq!(
        at,
        range.end.max(range.start),
        "spans reach the end of their parent"
    );
}

fn check_blocks(text: &str, blocks: &[Block], depth: usize) {
    assert!(depth <= MAX_QUOTE_DEPTH);
    for b in blocks {
        match b {
            Block::Plain { line, spans } => {
                assert!(!text[line.clone()].contains('\n'));
                if line.is_empty() {
                    assert!(spans.is_empty());
                } else {
                    check_spans(text, line.clone(), spans, &[]);
                }
            }
            Block::Pre {
                opening,
                lines,
                closing,
            } => {
                assert!(text[opening.clone()].starts_with("```"));
                for l in lines {
                    assert!(text.get(l.clone()).is_some());
                }
                if let Some(c) = closing {
                    assert_eq!(&text[c.clone()], "```");
                }
            }
            Block::Quote { lines, children } => {
                for l in lines {
                    assert!(text[l.clone()].starts_with('>'));
                }
                check_blocks(text, children, depth + 1);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn parsing_never_panics_and_spans_stay_in_the_text(
        text in proptest::collection::vec(
            prop_oneof![
                Just('*'), Just('_'), Just('~'), Just('`'), Just('>'), Just('\n'), Just(' '),
                Just('\u{3000}'), Just('a'), Just('é'), Just('世'), Just('😺'),
            ],
            0..80,
        ).prop_map(|v| v.into_iter().collect::<String>())
    ) {
        let blocks = parse(&text);
        check_blocks(&text, &blocks, 0);
    }
}
