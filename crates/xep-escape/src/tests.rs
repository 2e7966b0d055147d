use super::*;

#[test]
fn the_escaping_table() {
    // §3.2, row by row (the space only inside a localpart).
    for (c, e) in [
        ("a b", r"a\20b"),
        ("a\"b", r"a\22b"),
        ("a&b", r"a\26b"),
        ("a'b", r"a\27b"),
        ("a/b", r"a\2fb"),
        ("a:b", r"a\3ab"),
        ("a<b", r"a\3cb"),
        ("a>b", r"a\3eb"),
        ("a@b", r"a\40b"),
        // The escaping character itself, where it begins a sequence.
        (r"a\5cb", r"a\5c5cb"),
    ] {
        assert_eq!(escape_node(c).unwrap(), e, "{c}");
    }
    assert_eq!(TABLE.len(), 10);
}

#[test]
fn the_unescaping_table() {
    // §3.3, row by row.
    for (e, c) in [
        (r"\20", " "),
        (r"\22", "\""),
        (r"\26", "&"),
        (r"\27", "'"),
        (r"\2f", "/"),
        (r"\3a", ":"),
        (r"\3c", "<"),
        (r"\3e", ">"),
        (r"\40", "@"),
        (r"\5c", "\\"),
    ] {
        assert_eq!(unescape_node(&format!("x{e}y")), format!("x{c}y"), "{e}");
    }
}

#[test]
fn the_jid_examples_of_section_5_1() {
    // User input, escaped JID; the display is the user input again.
    let rows = [
        ("space cadet@example.com", r"space\20cadet@example.com"),
        (
            "call me \"ishmael\"@example.com",
            r"call\20me\20\22ishmael\22@example.com",
        ),
        ("at&t guy@example.com", r"at\26t\20guy@example.com"),
        ("d'artagnan@example.com", r"d\27artagnan@example.com"),
        ("/.fanboy@example.com", r"\2f.fanboy@example.com"),
        ("::foo::@example.com", r"\3a\3afoo\3a\3a@example.com"),
        ("<foo>@example.com", r"\3cfoo\3e@example.com"),
        ("user@host@example.com", r"user\40host@example.com"),
        (r"c:\net@example.com", r"c\3a\net@example.com"),
        (r"c:\\net@example.com", r"c\3a\\net@example.com"),
        (
            r"c:\cool stuff@example.com",
            r"c\3a\cool\20stuff@example.com",
        ),
        (r"c:\5commas@example.com", r"c\3a\5c5commas@example.com"),
    ];
    for (input, escaped) in rows {
        let jid = escape(input).unwrap();
        assert_eq!(jid.to_string(), escaped, "{input}");
        assert_eq!(display(&jid.into()), input, "{input}");
    }
}

#[test]
fn sequences_that_are_left_alone() {
    // §4.3: partial sequences and sequences of other characters are
    // modified neither by escaping nor by unescaping.
    for s in [r"\2plus\2is\4", r"foo\bar", r"foob\41r"] {
        assert_eq!(escape_node(s).unwrap(), s);
        assert_eq!(unescape_node(s), s);
    }
    // Case is significant: \3A is not an escape.
    assert_eq!(unescape_node(r"c\3Ad"), r"c\3Ad");
    assert_eq!(escape_node(r"c\3Ad").unwrap(), r"c\3Ad");
    // §4.3: \5c is escaped in the source and unescaped on the wire.
    assert_eq!(
        escape(r"c:\5commas@example.com").unwrap().to_string(),
        r"c\3a\5c5commas@example.com"
    );
    assert_eq!(unescape_node(r"c\3a\5c5commas"), r"c:\5commas");
    // A trailing backslash, or one before a short tail.
    assert_eq!(unescape_node(r"a\"), r"a\");
    assert_eq!(unescape_node(r"a\2"), r"a\2");
    assert_eq!(escape_node(r"a\2").unwrap(), r"a\2");
}

#[test]
fn no_space_at_either_end() {
    // §3.2 and §4.1 rule 6.
    assert_eq!(escape_node(" cadet"), Err(EscapeError::EdgeSpace));
    assert_eq!(escape_node("cadet "), Err(EscapeError::EdgeSpace));
    assert_eq!(escape(" cadet@example.com"), Err(EscapeError::EdgeSpace));
    assert_eq!(escape_node(""), Err(EscapeError::Empty));
    assert_eq!(escape("example.com"), Err(EscapeError::NoLocalpart));
    assert!(matches!(escape("juliet@"), Err(EscapeError::Jid(_))));
}

#[test]
fn the_address_transformation_of_section_4_2() {
    // The IMPS address with backslashes: each one that begins a sequence
    // is escaped, so the user sees the address again.
    let jid = from_uri(r"wv:\3and\2is\5cool@example.com").unwrap();
    assert_eq!(jid.to_string(), r"\5c3and\2is\5c5cool@example.com");
    assert_eq!(display(&jid.into()), r"\3and\2is\5cool@example.com");
}

#[test]
fn the_uri_examples_of_section_5() {
    let escaped = r"here\27s_a_wild_\26_\2fcr%zy\2f_address@example.com";
    let shown = "here's_a_wild_&_/cr%zy/_address@example.com";
    // §5.2: an email address, and a mailto: URI with a header.
    assert_eq!(escape(shown).unwrap().to_string(), escaped);
    let mailto =
        "mailto:here%27s_a_wild_%26_%2Fcr%zy%2F_address@example.com?subject=that%20is%20crazy%21";
    let jid = from_uri(mailto).unwrap();
    assert_eq!(jid.to_string(), escaped);
    assert_eq!(display(&jid.clone().into()), shown);
    assert_eq!(
        to_uri("mailto", &jid),
        "mailto:here%27s_a_wild_%26_%2Fcr%zy%2F_address@example.com"
    );
    // §5.3 and §5.4: sip:, im: and pres: URIs, both ways.
    for scheme in ["sip", "im", "pres"] {
        let uri = format!("{scheme}:here%27s_a_wild_%26_%2Fcr%zy%2F_address@example.com");
        let jid = from_uri(&uri).unwrap();
        assert_eq!(jid.to_string(), escaped);
        assert_eq!(to_uri(scheme, &jid), uri);
    }
    // §5.5: a wv: URI with more of the disallowed characters. The
    // escaping keeps the case; the JID then goes through PRECIS
    // (UsernameCaseMapped, which §2 requires of escaped JIDs), which
    // folds IMPS to imps.
    let wv =
        "wv:here%27s_a_wild_%26_%2Fcr%zy%2F_address_for%3A%3Cwv%3E%28%22IMPS%22%29@example.com";
    assert_eq!(
        escape_node(r#"here's_a_wild_&_/cr%zy/_address_for:<wv>("IMPS")"#).unwrap(),
        r#"here\27s_a_wild_\26_\2fcr%zy\2f_address_for\3a\3cwv\3e(\22IMPS\22)"#
    );
    let jid = from_uri(wv).unwrap();
    assert_eq!(
        jid.to_string(),
        r#"here\27s_a_wild_\26_\2fcr%zy\2f_address_for\3a\3cwv\3e(\22imps\22)@example.com"#
    );
    assert_eq!(
        display(&jid.clone().into()),
        r#"here's_a_wild_&_/cr%zy/_address_for:<wv>("imps")@example.com"#
    );
    assert_eq!(to_uri("wv", &jid), wv.replace("IMPS", "imps"));
    // Not URIs.
    assert_eq!(from_uri("here@example.com"), Err(EscapeError::NotAUri));
    assert_eq!(from_uri("1x:a@example.com"), Err(EscapeError::NotAUri));
    assert_eq!(from_uri("im:%FF@example.com"), Err(EscapeError::NotUtf8));
}

#[test]
fn the_ldap_and_irc_examples() {
    // §5.6: the localpart of the LDAP example (the \E9 of RFC 2253 is
    // not one of the sequences and stays).
    let dn = r"CN=D'Artagnan Saint-Andr\E9,O=Example & Company, Inc.,DC=example,DC=com";
    let escaped =
        r"CN=D\27Artagnan\20Saint-Andr\E9,O=Example\20\26\20Company,\20Inc.,DC=example,DC=com";
    assert_eq!(escape_node(dn).unwrap(), escaped);
    assert_eq!(unescape_node(escaped), dn);
    // §5.7: an IRC address with every disallowed character and a
    // backslash that begins \3a.
    let irc = r#"somenick!user"&'/:<>\3address@example.com"#;
    let jid = escape(irc).unwrap();
    assert_eq!(
        jid.to_string(),
        r"somenick!user\22\26\27\2f\3a\3c\3e\5c3address@example.com"
    );
    assert_eq!(display(&jid.into()), irc);
}

#[test]
fn escaping_then_unescaping_gives_the_input() {
    let parts = [
        "a", "\\", "5c", "20", "3a", "2", " ", "'", "@", "/", "é", "%", "\\5c", "\\2", "x",
    ];
    // Every string of up to four parts (that does not start or end with
    // a space).
    let mut n = 0;
    for a in parts {
        for b in parts {
            for c in parts {
                for d in parts {
                    let s = format!("{a}{b}{c}{d}");
                    if s.starts_with(' ') || s.ends_with(' ') {
                        continue;
                    }
                    let e = escape_node(&s).unwrap();
                    assert!(
                        !e.contains([' ', '"', '&', '\'', '/', ':', '<', '>', '@']),
                        "{s} -> {e}"
                    );
                    assert_eq!(unescape_node(&e), s, "{s} -> {e}");
                    n += 1;
                }
            }
        }
    }
    assert!(n > 40_000);
}

#[test]
fn display_keeps_domain_and_resource() {
    let jid: Jid = r"d\27artagnan@musketeers.lit/c:\27".parse().unwrap();
    assert_eq!(display(&jid), r"d'artagnan@musketeers.lit/c:\27");
    let domain: Jid = "musketeers.lit".parse().unwrap();
    assert_eq!(display(&domain), "musketeers.lit");
    assert_eq!(FEATURE, r"jid\20escaping");
}
