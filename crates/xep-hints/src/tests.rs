use xep_core::{Message, MessageType, Stanza};
use xep_element::jid::Jid;
use xep_element::{Registry, XmlElement};

use super::*;

fn registry() -> Registry {
    Registry::new()
        .with(xep_core::ELEMENTS)
        .with(crate::ELEMENTS)
}

/// The hints with only what `set` sets.
fn only(set: fn(&mut Hints)) -> Hints {
    let mut h = Hints::default();
    set(&mut h);
    h
}

#[test]
fn each_hint_round_trips() {
    for (xml, hints) in [
        (
            "<no-permanent-store xmlns='urn:xmpp:hints'/>",
            only(|h| h.no_permanent_store = true),
        ),
        (
            "<no-store xmlns='urn:xmpp:hints'/>",
            only(|h| h.no_store = true),
        ),
        (
            "<no-copy xmlns='urn:xmpp:hints'/>",
            only(|h| h.no_copy = true),
        ),
        ("<store xmlns='urn:xmpp:hints'/>", only(|h| h.store = true)),
    ] {
        let payloads = hints.payloads();
        assert_eq!(payloads.len(), 1);
        let el = payloads[0].to_element();
        assert_eq!(el.ns(), NS);
        assert_eq!(String::from(&el), xml);
        let wrapped = format!("<message xmlns='jabber:client' to='a@b.example/c'>{xml}</message>");
        let m = Message::from_xml_with(wrapped.as_bytes(), &registry()).unwrap();
        assert_eq!(Hints::of(&m), hints, "{xml}");
        assert_eq!(m.to_xml(), wrapped);
    }
    assert_eq!(
        Store::from_xml(b"<store xmlns='urn:xmpp:hints'/>").unwrap(),
        Store
    );
    assert_eq!(
        NoPermanentStore.to_xml(),
        "<no-permanent-store xmlns='urn:xmpp:hints'/>"
    );
}

#[test]
fn hints_are_empty_elements() {
    let e = NoStore::from_xml(b"<no-store xmlns='urn:xmpp:hints'><x/></no-store>").unwrap_err();
    assert_eq!(e.path(), "no-store");
    assert!(NoCopy::from_xml(b"<no-copy xmlns='urn:xmpp:hints' a='1'/>").is_err());
    assert!(Store::from_xml(b"<store xmlns='urn:xmpp:other'/>").is_err());
}

#[test]
fn error_messages_have_no_hints() {
    let xml = "<message xmlns='jabber:client' type='error' to='a@b.example/c'>\
               <store xmlns='urn:xmpp:hints'/><no-copy xmlns='urn:xmpp:hints'/></message>";
    let Stanza::Message(m) = Stanza::from_xml_with(xml.as_bytes(), &registry()).unwrap() else {
        panic!("a message");
    };
    assert_eq!(Hints::of(&m), Hints::default());
    assert!(Hints::in_payloads(&m.payloads).store);
}

#[test]
fn hints_read_from_raw_payloads_too() {
    // Without the registry the hints stay DOM elements.
    let xml = b"<message xmlns='jabber:client' to='a@b.example'>\
                <no-permanent-store xmlns='urn:xmpp:hints'/></message>";
    let m = Message::from_xml(xml).unwrap();
    let h = Hints::of(&m);
    assert!(h.no_permanent_store && !h.no_store);
    assert!(!h.may_archive() && h.may_store_temporarily() && h.may_copy());
    assert!(!h.should_store());
}

#[test]
fn add_to_skips_present_hints_and_checks_no_copy() {
    let bare: Jid = "juliet@example.net".parse().unwrap();
    let mut m = Message::chat(bare, "hi");
    let no_copy = Hints {
        no_copy: true,
        ..Hints::default()
    };
    assert_eq!(no_copy.add_to(&mut m), Err(HintError::NoCopyWithoutFullJid));
    assert!(m.payloads.is_empty());
    assert!(
        HintError::NoCopyWithoutFullJid
            .to_string()
            .contains("full JID")
    );

    let store = Hints {
        store: true,
        no_permanent_store: true,
        ..Hints::default()
    };
    store.add_to(&mut m).unwrap();
    store.add_to(&mut m).unwrap();
    assert_eq!(m.payloads.len(), 2);
    assert_eq!(Hints::of(&m), store);
    assert!(!store.is_empty() && Hints::default().is_empty());

    let mut full = Message::chat("juliet@example.net/balcony".parse().unwrap(), "hi");
    no_copy.add_to(&mut full).unwrap();
    assert!(!Hints::of(&full).may_copy());
    full.type_ = Some(MessageType::Chat);
    assert!(Hints::of(&full).no_copy);
}

#[test]
fn no_store_forbids_archives_too() {
    let h = Hints {
        no_store: true,
        ..Hints::default()
    };
    assert!(!h.may_archive() && !h.may_store_temporarily());
}
