use super::*;
use xep_core::MessageType;
use xep_testkit::stanza::message as msg;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

#[test]
fn reactions_round_trip_and_refuse_what_names_nothing() {
    let xml = "<reactions xmlns='urn:xmpp:reactions:0' id='m1'><reaction>👍</reaction><reaction>🎉</reaction></reactions>";
    let r = Reactions::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(r, Reactions::new("m1", ["👍", "🎉"]));
    assert_eq!(r.to_xml(), xml);
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    assert_eq!(Reactions::from_element(&dom).unwrap(), r);
    let removal =
        Reactions::from_xml(b"<reactions xmlns='urn:xmpp:reactions:0' id='m1'/>").unwrap();
    assert!(removal.reactions.is_empty());
    let e = Reactions::from_xml(b"<reactions xmlns='urn:xmpp:reactions:0'/>").unwrap_err();
    assert_eq!(e.path(), "reactions");
    let e = Reactions::from_xml(b"<reactions xmlns='urn:xmpp:reactions:0' id=''/>").unwrap_err();
    assert!(e.to_string().contains("name the message"), "{e}");
    let e = Reactions::from_xml(
        b"<reactions xmlns='urn:xmpp:reactions:0' id='m1'><reaction> </reaction></reactions>",
    )
    .unwrap_err();
    assert!(e.to_string().contains("empty"), "{e}");
    let e = Reactions::from_xml(
        b"<reactions xmlns='urn:xmpp:reactions:0' id='m1'><emoji>x</emoji></reactions>",
    )
    .unwrap_err();
    assert_eq!(e.path(), "reactions");
}

#[test]
fn one_reactions_element_per_message() {
    let two = msg(
        "<message xmlns='jabber:client'><reactions xmlns='urn:xmpp:reactions:0' id='a'/>\
                   <reactions xmlns='urn:xmpp:reactions:0' id='b'/></message>",
    );
    assert!(
        reactions(&two)
            .unwrap_err()
            .to_string()
            .contains("at most one")
    );
    assert_eq!(
        reactions(&msg("<message xmlns='jabber:client'/>")),
        Ok(None)
    );
}

#[test]
fn only_the_two_parties_react_in_a_direct_chat() {
    let me = jid("juliet@capulet.example/balcony");
    let peer = jid("romeo@montague.example");
    let from = |f: &str| {
        msg(&format!(
            "<message xmlns='jabber:client' from='{f}' type='chat'>\
        <reactions xmlns='urn:xmpp:reactions:0' id='m1'><reaction>❤</reaction></reactions></message>"
        ))
    };
    assert_eq!(
        accept(&from("romeo@montague.example/orchard"), &me, &peer),
        Ok("romeo@montague.example".into())
    );
    assert_eq!(
        accept(&from("juliet@capulet.example/chamber"), &me, &peer),
        Ok("juliet@capulet.example".into())
    );
    assert_eq!(
        accept(&from("tybalt@capulet.example/street"), &me, &peer),
        Err(Refusal::NotAParty)
    );
    assert_eq!(
        accept(&msg("<message xmlns='jabber:client'/>"), &me, &peer),
        Err(Refusal::NoSender)
    );
}

#[test]
fn a_reactors_latest_set_replaces_the_earlier_one() {
    let mut t = Tally::default();
    t.apply("romeo", &Reactions::new("m1", ["👍", "👍", "🎉"]));
    t.apply("juliet", &Reactions::new("m1", ["👍"]));
    assert_eq!(t.of("m1", "romeo"), ["👍", "🎉"], "duplicates ignored");
    assert_eq!(
        t.summary("m1"),
        [("👍".to_string(), 2), ("🎉".to_string(), 1)]
    );
    // Romeo changes his mind: only the new set counts.
    t.apply("romeo", &Reactions::new("m1", ["😂"]));
    assert_eq!(t.count("m1", "🎉"), 0);
    assert_eq!(t.count("m1", "😂"), 1);
    // An empty set removes his reactions.
    t.apply("romeo", &Reactions::new("m1", Vec::<String>::new()));
    assert!(t.of("m1", "romeo").is_empty());
    assert_eq!(t.summary("m1"), [("👍".to_string(), 1)]);
    t.apply("juliet", &Reactions::new("m1", Vec::<String>::new()));
    assert_eq!(t, Tally::default());
}

#[test]
fn react_builds_the_message() {
    let m = react(
        jid("romeo@montague.example"),
        MessageType::Chat,
        "m1",
        ["🐢"],
    );
    assert_eq!(
        m.to_xml(),
        "<message xmlns='jabber:client' to='romeo@montague.example' type='chat'>\
         <reactions xmlns='urn:xmpp:reactions:0' id='m1'><reaction>🐢</reaction></reactions></message>"
    );
}

#[test]
fn the_xeps_examples_parse() {
    let Some(doc) = xep_element::testdata::xep_source(444) else {
        eprintln!("skipped: ../shared/xeps/xep-0444.xml is not there");
        return;
    };
    let mut n = 0;
    for xml in xep_element::testdata::elements_in(&doc, "<reactions ", "reactions") {
        Reactions::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
        n += 1;
    }
    assert!(n >= 2, "{n}");
}
