use super::*;
use xep_element::{ErrorKind, Registry};

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

/// A message read through a registry that types the XEP-0359 elements,
/// as a client reading its stream has it.
fn message(payloads: &str) -> Message {
    let xml = format!(
        "<message xmlns='jabber:client' from='romeo@montague.example/garden' \
         to='juliet@capulet.example/balcony' type='chat'><body>Wherefore?</body>{payloads}</message>"
    );
    let registry = Registry::new()
        .with(xep_core::ELEMENTS)
        .with(crate::ELEMENTS);
    Message::from_xml_with(xml.as_bytes(), &registry).unwrap()
}

use xep_element::testdata::exact_round_trip as round_trip;

#[test]
fn the_three_elements_round_trip() {
    let s: StanzaId =
        round_trip("<stanza-id xmlns='urn:xmpp:sid:0' id='a1' by='room@muc.example'/>");
    assert_eq!(s, StanzaId::new("a1", jid("room@muc.example")));
    let o: OriginId = round_trip("<origin-id xmlns='urn:xmpp:sid:0' id='o-7'/>");
    assert_eq!(o, OriginId::new("o-7"));
    let r: ReferencedStanza = round_trip(
        "<referenced-stanza xmlns='urn:xmpp:sid:0' id='r9' by='juliet@capulet.example'/>",
    );
    assert_eq!(r.by, Some(jid("juliet@capulet.example")));
    let r: ReferencedStanza = round_trip("<referenced-stanza xmlns='urn:xmpp:sid:0' id='r9'/>");
    assert_eq!(r.by, None);
}

#[test]
fn what_the_xep_forbids_is_refused_with_its_path() {
    // §6: both attributes required on stanza-id, id on the others; no
    // children, no text.
    for (xml, kind_is) in [
        ("<stanza-id xmlns='urn:xmpp:sid:0' id='a'/>", "by"),
        ("<stanza-id xmlns='urn:xmpp:sid:0' by='a.example'/>", "id"),
        ("<origin-id xmlns='urn:xmpp:sid:0'/>", "id"),
        (
            "<referenced-stanza xmlns='urn:xmpp:sid:0' by='a.example'/>",
            "id",
        ),
    ] {
        let e = match xml {
            x if x.starts_with("<stanza-id") => StanzaId::from_xml(x.as_bytes()).unwrap_err(),
            x if x.starts_with("<origin-id") => OriginId::from_xml(x.as_bytes()).unwrap_err(),
            x => ReferencedStanza::from_xml(x.as_bytes()).unwrap_err(),
        };
        assert!(
            matches!(e.kind(), ErrorKind::MissingAttribute { name } if name == kind_is),
            "{xml}: {e}"
        );
    }
    let e = StanzaId::from_xml(b"<stanza-id xmlns='urn:xmpp:sid:0' id='' by='a.example'/>")
        .unwrap_err();
    assert!(e.to_string().contains("never empty"), "{e}");
    assert_eq!(e.path(), "stanza-id");
    let e = OriginId::from_xml(b"<origin-id xmlns='urn:xmpp:sid:0' id='x'>text</origin-id>")
        .unwrap_err();
    assert_eq!(e.path(), "origin-id");
    let e = OriginId::from_xml(b"<origin-id xmlns='urn:xmpp:sid:0' id='x'><a/></origin-id>")
        .unwrap_err();
    assert_eq!(e.path(), "origin-id");
    let e =
        StanzaId::from_xml(b"<stanza-id xmlns='urn:xmpp:sid:0' id='a' by='@bad'/>").unwrap_err();
    assert_eq!(e.path(), "stanza-id");
}

#[test]
fn a_stanza_id_is_believed_only_from_the_announcing_assigner() {
    let account = jid("juliet@capulet.example");
    let room = jid("chamber@rooms.capulet.example");
    let m = message(
        "<stanza-id xmlns='urn:xmpp:sid:0' id='acc-1' by='juliet@capulet.example'/>\
         <stanza-id xmlns='urn:xmpp:sid:0' id='room-1' by='chamber@rooms.capulet.example'/>\
         <origin-id xmlns='urn:xmpp:sid:0' id='client-1'/>",
    );
    assert_eq!(trusted_stanza_id(&m, &account, true).unwrap().id, "acc-1");
    assert_eq!(trusted_stanza_id(&m, &room, true).unwrap().id, "room-1");
    // Refusals: the assigner does not announce the feature; another
    // entity's id is not ours; the origin id is never a stanza id.
    assert_eq!(
        trusted_stanza_id(&m, &account, false),
        Err(Refusal::NotAnnounced)
    );
    assert_eq!(
        trusted_stanza_id(&m, &jid("capulet.example"), true),
        Err(Refusal::Absent)
    );
    assert_eq!(origin_id(&m).unwrap().unwrap().id, "client-1");
    // A full JID is another entity than the bare account.
    assert_eq!(
        trusted_stanza_id(&m, &jid("juliet@capulet.example/balcony"), true),
        Err(Refusal::Absent)
    );
}

#[test]
fn two_ids_from_one_assigner_are_refused() {
    // A sender added one claiming to be the account's, and the account's
    // server (not following §6) added its own: neither can be believed.
    let m = message(
        "<stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='juliet@capulet.example'/>\
         <stanza-id xmlns='urn:xmpp:sid:0' id='real' by='juliet@capulet.example'/>",
    );
    let e = trusted_stanza_id(&m, &jid("juliet@capulet.example"), true).unwrap_err();
    assert_eq!(e, Refusal::Ambiguous);
    assert!(e.to_string().contains("at most one") || e.to_string().contains("more than one"));
}

#[test]
fn the_assigner_strips_forgeries_of_its_ids_and_keeps_the_rest() {
    let me = jid("juliet@capulet.example");
    let mut m = message(
        "<stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='juliet@capulet.example'/>\
         <stanza-id xmlns='urn:xmpp:sid:0' id='other' by='chamber@rooms.capulet.example'/>\
         <origin-id xmlns='urn:xmpp:sid:0' id='client-1'/>",
    );
    assign(&mut m, &me, "real-1");
    let ids: Vec<_> = stanza_ids(&m).map(Result::unwrap).collect();
    assert_eq!(
        ids,
        [
            StanzaId::new("other", jid("chamber@rooms.capulet.example")),
            StanzaId::new("real-1", me.clone()),
        ]
    );
    assert_eq!(origin_id(&m).unwrap().unwrap().id, "client-1");
    assert_eq!(trusted_stanza_id(&m, &me, true).unwrap().id, "real-1");
    // Stripping alone (an entity that assigns no id of its own).
    assert_eq!(strip_own(&mut m, &me), 1);
    assert_eq!(strip_own(&mut m, &me), 0);
    assert_eq!(trusted_stanza_id(&m, &me, true), Err(Refusal::Absent));
}

#[test]
fn untyped_payloads_are_read_too() {
    // Read without a registry: the payloads stay DOM, and are parsed on
    // demand; a malformed one is reported, not skipped.
    let xml = "<message xmlns='jabber:client'><stanza-id xmlns='urn:xmpp:sid:0' id='x' by='a.example'/></message>";
    let m = Message::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(
        trusted_stanza_id(&m, &jid("a.example"), true).unwrap().id,
        "x"
    );
    let xml = "<message xmlns='jabber:client'><stanza-id xmlns='urn:xmpp:sid:0' by='a.example'/></message>";
    let m = Message::from_xml(xml.as_bytes()).unwrap();
    assert!(matches!(
        trusted_stanza_id(&m, &jid("a.example"), true),
        Err(Refusal::Malformed(_))
    ));
    // A malformed id is stripped by the assigner: it cannot be shown not
    // to be a forgery.
    let mut m = m;
    assert_eq!(strip_own(&mut m, &jid("a.example")), 1);
}

#[test]
fn the_xeps_examples_parse() {
    let Some(doc) = xep_element::testdata::xep_source(359) else {
        eprintln!("skipped: ../shared/xeps/xep-0359.xml is not there");
        return;
    };
    let mut n = 0;
    for xml in
        xep_element::testdata::elements_in(&doc, "<stanza-id xmlns='urn:xmpp:sid:0'", "stanza-id")
    {
        StanzaId::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
        n += 1;
    }
    for xml in
        xep_element::testdata::elements_in(&doc, "<origin-id xmlns='urn:xmpp:sid:0'", "origin-id")
    {
        OriginId::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
        n += 1;
    }
    assert!(n >= 3, "{n} examples");
}
