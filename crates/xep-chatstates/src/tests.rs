use super::*;
use xep_testkit::stanza::message as msg;

#[test]
fn every_state_round_trips() {
    for (state, name) in [
        (ChatState::Active, "active"),
        (ChatState::Composing, "composing"),
        (ChatState::Paused, "paused"),
        (ChatState::Inactive, "inactive"),
        (ChatState::Gone, "gone"),
    ] {
        let xml = format!("<{name} xmlns='http://jabber.org/protocol/chatstates'/>");
        assert_eq!(ChatState::from_xml(xml.as_bytes()).unwrap(), state);
        assert_eq!(state.to_xml(), xml);
        let dom: xep_element::minidom::Element = xml.parse().unwrap();
        assert_eq!(ChatState::from_element(&dom).unwrap(), state);
    }
    let e = ChatState::from_xml(b"<typing xmlns='http://jabber.org/protocol/chatstates'/>")
        .unwrap_err();
    assert!(e.to_string().contains("typing"), "{e}");
    let e =
        ChatState::from_xml(b"<active xmlns='http://jabber.org/protocol/chatstates'>x</active>")
            .unwrap_err();
    assert_eq!(e.path(), "active");
}

#[test]
fn one_state_per_message() {
    let one = msg(
        "<message xmlns='jabber:client' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
    );
    assert_eq!(chat_state(&one), Ok(Some(ChatState::Composing)));
    let none = msg("<message xmlns='jabber:client' type='chat'><body>x</body></message>");
    assert_eq!(chat_state(&none), Ok(None));
    let two = msg(
        "<message xmlns='jabber:client' type='chat'><active xmlns='http://jabber.org/protocol/chatstates'/>\
                   <gone xmlns='http://jabber.org/protocol/chatstates'/></message>",
    );
    let e = chat_state(&two).unwrap_err();
    assert!(e.to_string().contains("at most one"), "{e}");
}

#[test]
fn a_contact_that_replies_without_states_gets_none() {
    let mut c = Conversation::new();
    assert_eq!(c.for_content_message(), Some(ChatState::Active));
    // No standalone notification before the contact showed support.
    assert_eq!(c.standalone(ChatState::Composing), None);
    assert_eq!(
        c.received(&msg(
            "<message xmlns='jabber:client' type='chat'><body>hello</body></message>"
        )),
        None
    );
    assert_eq!(c.support(), Support::No);
    assert_eq!(c.for_content_message(), None);
    assert_eq!(c.standalone(ChatState::Composing), None);
}

#[test]
fn standalone_notifications_never_repeat() {
    let mut c = Conversation::new();
    c.received(&msg("<message xmlns='jabber:client' type='chat'><composing xmlns='http://jabber.org/protocol/chatstates'/></message>"));
    assert_eq!(c.support(), Support::Yes);
    assert_eq!(
        c.standalone(ChatState::Composing),
        Some(ChatState::Composing)
    );
    assert_eq!(c.standalone(ChatState::Composing), None);
    assert_eq!(c.standalone(ChatState::Paused), Some(ChatState::Paused));
    assert_eq!(
        c.standalone(ChatState::Composing),
        Some(ChatState::Composing)
    );
    // A content message resets to active: a following <active/>
    // standalone would repeat it.
    assert_eq!(c.for_content_message(), Some(ChatState::Active));
    assert_eq!(c.standalone(ChatState::Active), None);
    // Errors and malformed states change nothing.
    c.received(&msg("<message xmlns='jabber:client' type='error'><body>x</body><error type='cancel'>\
                     <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>"));
    assert_eq!(c.support(), Support::Yes);
}

#[test]
fn standalone_messages_carry_only_the_state_and_thread() {
    let m = standalone(
        "juliet@capulet.example/balcony".parse().unwrap(),
        ChatState::Paused,
        Some(Thread {
            parent: None,
            id: "act2".into(),
        }),
    );
    assert_eq!(
        m.to_xml(),
        "<message xmlns='jabber:client' to='juliet@capulet.example/balcony' type='chat'><thread>act2</thread>\
         <paused xmlns='http://jabber.org/protocol/chatstates'/></message>"
    );
    assert!(believed_in_room(ChatState::Composing));
    assert!(!believed_in_room(ChatState::Gone));
}

#[test]
fn the_xeps_examples_parse() {
    let Some(doc) = xep_element::testdata::xep_source(85) else {
        eprintln!("skipped: ../shared/xeps/xep-0085.xml is not there");
        return;
    };
    let mut n = 0;
    for name in ["active", "composing", "paused", "inactive", "gone"] {
        let open = format!("<{name} xmlns='http://jabber.org/protocol/chatstates'");
        for xml in xep_element::testdata::elements_in(&doc, &open, name) {
            ChatState::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
            n += 1;
        }
    }
    assert!(n >= 10, "{n}");
}
