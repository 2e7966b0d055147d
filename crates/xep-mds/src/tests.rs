use super::*;
use xep_testkit::stanza::message;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

fn event(from: &str) -> Message {
    message(&format!(
        "<message xmlns='jabber:client' from='{from}' to='juliet@capulet.lit/balcony'>\
         <event xmlns='http://jabber.org/protocol/pubsub#event'>\
         <items node='urn:xmpp:mds:displayed:0'>\
         <item id='romeo@montague.lit'><displayed xmlns='urn:xmpp:mds:displayed:0'>\
         <stanza-id xmlns='urn:xmpp:sid:0' by='juliet@capulet.lit' id='s-7'/></displayed></item>\
         <item id='orchard@chat.shakespeare.lit'><displayed xmlns='urn:xmpp:mds:displayed:0'>\
         <stanza-id xmlns='urn:xmpp:sid:0' by='orchard@chat.shakespeare.lit' id='r-2'/></displayed></item>\
         </items></event></message>"
    ))
}

#[test]
fn the_publication_is_private_and_keeps_every_item() {
    let iq = publish(
        "p1",
        &jid("romeo@montague.lit"),
        Displayed::new("s-7", jid("juliet@capulet.lit")),
    );
    let xml = iq.to_xml();
    assert!(xml.contains("<item id='romeo@montague.lit'>"), "{xml}");
    assert!(xml.contains("pubsub#access_model"), "{xml}");
    assert!(xml.contains("<value>whitelist</value>"), "{xml}");
    assert!(xml.contains("pubsub#max_items"), "{xml}");
    assert!(xml.contains("<value>max</value>"), "{xml}");
    assert!(iq.to.is_none(), "to the user's own PEP service");
    assert!(
        fetch("f1")
            .to_xml()
            .contains("<items node='urn:xmpp:mds:displayed:0'/>")
    );
}

#[test]
fn notifications_are_believed_only_from_the_account() {
    let me = jid("juliet@capulet.lit/balcony");
    let got = notification(&event("juliet@capulet.lit"), &me).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].0, jid("romeo@montague.lit"));
    assert_eq!(got[0].1.stanza_id.id, "s-7");
    for forged in [
        "romeo@montague.lit",
        "juliet@capulet.lit/other",
        "capulet.lit",
    ] {
        assert_eq!(
            notification(&event(forged), &me),
            Err(Refusal::NotFromAccount(Some(jid(forged)))),
            "{forged}"
        );
    }
    let other_node = message(
        "<message xmlns='jabber:client' from='juliet@capulet.lit'>\
         <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:bookmarks:1'/></event></message>",
    );
    assert_eq!(notification(&other_node, &me), Err(Refusal::NotThisNode));
}

#[test]
fn displayed_needs_exactly_one_stanza_id() {
    assert!(Displayed::from_xml(b"<displayed xmlns='urn:xmpp:mds:displayed:0'/>").is_err());
    assert!(
        Displayed::from_xml(
            b"<displayed xmlns='urn:xmpp:mds:displayed:0'>\
          <stanza-id xmlns='urn:xmpp:sid:0' by='a@b.example' id='1'/>\
          <stanza-id xmlns='urn:xmpp:sid:0' by='a@b.example' id='2'/></displayed>"
        )
        .is_err()
    );
}

#[test]
fn the_state_only_moves_forward() {
    // A history of stanza ids in order.
    let history = ["s-1", "s-2", "s-3"];
    let pos = |id: &str| history.iter().position(|h| *h == id);
    let order = |a: &str, b: &str| Some(pos(a)?.cmp(&pos(b)?));
    let chat = jid("romeo@montague.lit");
    let by = jid("juliet@capulet.lit");
    let mut t = Tracker::default();
    assert_eq!(
        t.update(&chat, Displayed::new("nowhere", by.clone()), order),
        Update::Unknown
    );
    assert_eq!(t.get(&chat), None);
    assert_eq!(
        t.update(&chat, Displayed::new("s-2", by.clone()), order),
        Update::Moved
    );
    assert_eq!(
        t.update(&chat, Displayed::new("s-1", by.clone()), order),
        Update::Older
    );
    assert_eq!(
        t.update(&chat, Displayed::new("s-2", by.clone()), order),
        Update::Same
    );
    assert_eq!(
        t.update(&chat, Displayed::new("s-9", by.clone()), order),
        Update::Unknown
    );
    assert_eq!(
        t.update(&chat, Displayed::new("s-3", by.clone()), order),
        Update::Moved
    );
    assert_eq!(t.get(&chat).unwrap().stanza_id.id, "s-3");
}

#[test]
fn server_assist_only_where_allowed() {
    let d = || Displayed::new("s-7", jid("juliet@capulet.lit"));
    let mut marker = message(
        "<message xmlns='jabber:client' to='romeo@montague.lit' type='chat'>\
         <displayed xmlns='urn:xmpp:chat-markers:0' id='m-1'/></message>",
    );
    assert_eq!(
        assist(&mut marker.clone(), d(), false, false),
        Err(AssistRefusal::NotAnnounced)
    );
    let mut empty = message("<message xmlns='jabber:client' to='romeo@montague.lit'/>");
    assert_eq!(
        assist(&mut empty, d(), true, false),
        Err(AssistRefusal::EmptyMessage)
    );
    let mut full = marker.clone();
    full.to = Some(jid("romeo@montague.lit/orchard"));
    assert_eq!(
        assist(&mut full, d(), true, false),
        Err(AssistRefusal::NotBareJid)
    );
    assert_eq!(assist(&mut full.clone(), d(), true, true), Ok(()));
    assert_eq!(assist(&mut marker, d(), true, false), Ok(()));
    assert!(marker.payload::<Displayed>().is_some());
}
