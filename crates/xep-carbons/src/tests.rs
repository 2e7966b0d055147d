use super::*;
use xep_testkit::stanza::message as msg;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

fn account() -> BareJid {
    "romeo@montague.example".parse().unwrap()
}

/// A copy as a server delivers it, with the copied message given as XML.
fn copy(outer_from: Option<&str>, wrapper: &str, inner: &str) -> Message {
    let from = outer_from.map_or(String::new(), |f| format!(" from='{f}'"));
    let xml = format!(
        "<message xmlns='jabber:client'{from} to='romeo@montague.example/home' type='chat'>\
         <{wrapper} xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>{inner}\
         </forwarded></{wrapper}></message>"
    );
    Message::from_xml(xml.as_bytes()).unwrap()
}

const FROM_JULIET: &str = "<message xmlns='jabber:client' from='juliet@capulet.example/balcony' \
     to='romeo@montague.example/garden' type='chat'><body>Wherefore?</body></message>";
const FROM_ROMEO: &str = "<message xmlns='jabber:client' from='romeo@montague.example/garden' \
     to='juliet@capulet.example/balcony' type='chat'><body>Here.</body></message>";

#[test]
fn elements_round_trip_on_both_paths() {
    for xml in [
        "<enable xmlns='urn:xmpp:carbons:2'/>",
        "<disable xmlns='urn:xmpp:carbons:2'/>",
        "<private xmlns='urn:xmpp:carbons:2'/>",
    ] {
        xep_element::testdata::assert_round_trips(crate::ELEMENTS, xml);
    }
    let xml = format!(
        "<sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>{FROM_ROMEO}</forwarded></sent>"
    );
    let s = Sent::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(s.to_xml(), xml);
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    assert_eq!(Sent::from_element(&dom).unwrap(), s);
    assert_eq!(
        enable("e1").to_xml(),
        "<iq xmlns='jabber:client' id='e1' type='set'><enable xmlns='urn:xmpp:carbons:2'/></iq>"
    );
    assert!(
        disable("d1")
            .to_xml()
            .contains("<disable xmlns='urn:xmpp:carbons:2'/>")
    );
}

#[test]
fn malformed_wrappers_are_refused_with_their_path() {
    let e = Received::from_xml(b"<received xmlns='urn:xmpp:carbons:2'/>").unwrap_err();
    assert_eq!(e.path(), "received");
    let e = Sent::from_xml(
        b"<sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'/></sent>",
    )
    .unwrap_err();
    assert!(e.path().starts_with("sent/forwarded"), "{}", e.path());
    let e = Enable::from_xml(b"<enable xmlns='urn:xmpp:carbons:2'>x</enable>").unwrap_err();
    assert_eq!(e.path(), "enable");
    // Malformed inside a message: refused by unwrap, not skipped.
    let outer = Message::from_xml(
        b"<message xmlns='jabber:client' from='romeo@montague.example'>\
          <sent xmlns='urn:xmpp:carbons:2'/></message>",
    )
    .unwrap();
    assert!(matches!(
        unwrap(&outer, &account()),
        Err(Refusal::Malformed(_))
    ));
}

#[test]
fn copies_from_the_own_account_are_believed() {
    let c = unwrap(
        &copy(Some("romeo@montague.example"), "received", FROM_JULIET),
        &account(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(c.direction, Direction::Received);
    assert_eq!(c.message.from, Some(jid("juliet@capulet.example/balcony")));
    let c = unwrap(
        &copy(Some("romeo@montague.example"), "sent", FROM_ROMEO),
        &account(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(c.direction, Direction::Sent);
    assert_eq!(c.message.body(None), Some("Here."));
    // No `from`: from the account itself (RFC 6120 §8.1.2.1).
    assert!(
        unwrap(&copy(None, "sent", FROM_ROMEO), &account())
            .unwrap()
            .is_some()
    );
    // An ordinary message is no carbon.
    let plain = Message::from_xml(FROM_JULIET.as_bytes()).unwrap();
    assert_eq!(unwrap(&plain, &account()), Ok(None));
}

#[test]
fn forged_copies_are_refused() {
    // From another account, from the account's own full JID (another
    // client could send that), from the server's domain.
    for from in [
        "juliet@capulet.example",
        "mallory@evil.example/x",
        "romeo@montague.example/garden",
        "montague.example",
    ] {
        let e = unwrap(&copy(Some(from), "received", FROM_JULIET), &account()).unwrap_err();
        assert_eq!(
            e,
            Refusal::NotFromOwnAccount {
                from: Some(jid(from))
            },
            "{from}"
        );
        assert!(e.to_string().contains("§11"), "{e}");
    }
    // A `sent` copy of a message another account sent; a `received` copy
    // of a message to someone else.
    let e = unwrap(
        &copy(Some("romeo@montague.example"), "sent", FROM_JULIET),
        &account(),
    )
    .unwrap_err();
    assert_eq!(
        e,
        Refusal::NotOurs {
            direction: Direction::Sent,
            party: Some(jid("juliet@capulet.example/balcony")),
        }
    );
    let e = unwrap(
        &copy(Some("romeo@montague.example"), "received", FROM_ROMEO),
        &account(),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            Refusal::NotOurs {
                direction: Direction::Received,
                ..
            }
        ),
        "{e}"
    );
    // Two wrappers; an iq inside.
    let xml = format!(
        "<message xmlns='jabber:client' from='romeo@montague.example'>\
         <sent xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>{FROM_ROMEO}</forwarded></sent>\
         <received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>{FROM_JULIET}</forwarded></received></message>"
    );
    let two = Message::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(unwrap(&two, &account()), Err(Refusal::Several));
    let iq = copy(
        Some("romeo@montague.example"),
        "sent",
        "<iq xmlns='jabber:client' from='romeo@montague.example/garden' id='1' type='get'><ping xmlns='urn:xmpp:ping'/></iq>",
    );
    assert_eq!(unwrap(&iq, &account()), Err(Refusal::NotAMessage));
}

#[test]
fn the_servers_eligibility_rules() {
    let sent = Context {
        direction: Direction::Sent,
        error_answers_eligible: false,
    };
    let received = Context {
        direction: Direction::Received,
        ..sent
    };
    let yes = |xml: &str, c: Context| assert!(eligible(&msg(xml), c), "{xml}");
    let no = |xml: &str, c: Context| assert!(!eligible(&msg(xml), c), "{xml}");
    yes("<message xmlns='jabber:client' type='chat'/>", sent);
    yes(
        "<message xmlns='jabber:client'><body>hi</body></message>",
        received,
    );
    no("<message xmlns='jabber:client'/>", received);
    no(
        "<message xmlns='jabber:client' type='headline'><body>news</body></message>",
        received,
    );
    yes(
        "<message xmlns='jabber:client' type='headline'><received xmlns='urn:xmpp:receipts' id='1'/></message>",
        received,
    );
    yes(
        "<message xmlns='jabber:client'><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
        sent,
    );
    yes(
        "<message xmlns='jabber:client'><displayed xmlns='urn:xmpp:chat-markers:0' id='1'/></message>",
        sent,
    );
    // Private, group chat.
    no(
        "<message xmlns='jabber:client' type='chat'><body>x</body><private xmlns='urn:xmpp:carbons:2'/></message>",
        sent,
    );
    no(
        "<message xmlns='jabber:client' type='groupchat'><body>x</body></message>",
        received,
    );
    // Errors: only those answering an eligible message.
    no("<message xmlns='jabber:client' type='error'/>", received);
    yes(
        "<message xmlns='jabber:client' type='error'/>",
        Context {
            error_answers_eligible: true,
            ..received
        },
    );
    // MUC: invitations yes; private messages sent yes, received no.
    yes(
        "<message xmlns='jabber:client'><x xmlns='jabber:x:conference' jid='r@muc.example'/></message>",
        received,
    );
    yes(
        "<message xmlns='jabber:client'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='a@b.example'/></x></message>",
        received,
    );
    let pm = "<message xmlns='jabber:client' type='chat'><body>psst</body><x xmlns='http://jabber.org/protocol/muc#user'/></message>";
    yes(pm, sent);
    no(pm, received);
}

#[test]
fn a_wrapped_copy_unwraps_to_the_original() {
    let original = msg(FROM_JULIET);
    let to: FullJid = "romeo@montague.example/home".parse().unwrap();
    let w = wrap(Direction::Received, &account(), &to, original.clone());
    assert_eq!(w.from, Some(jid("romeo@montague.example")));
    assert_eq!(w.type_, original.type_);
    // Through bytes, as the client receives it.
    let again = Message::from_xml(w.to_xml().as_bytes()).unwrap();
    let c = unwrap(&again, &account()).unwrap().unwrap();
    assert_eq!(c.message, original);
    assert_eq!(c.direction, Direction::Received);
    let mut m = msg(FROM_ROMEO);
    mark_private(&mut m);
    mark_private(&mut m);
    assert_eq!(m.payloads.len(), 1);
    assert!(!eligible(
        &m,
        Context {
            direction: Direction::Sent,
            error_answers_eligible: false
        }
    ));
}

#[test]
fn the_xeps_copies_unwrap_for_their_account() {
    let Some(doc) = xep_element::testdata::xep_source(280) else {
        eprintln!("skipped: ../shared/xeps/xep-0280.xml is not there");
        return;
    };
    let mut n = 0;
    for (name, direction) in [("sent", Direction::Sent), ("received", Direction::Received)] {
        let open = format!("<{name} xmlns='urn:xmpp:carbons:2'>");
        for xml in xep_element::testdata::elements_in(&doc, &open, name) {
            let inner = match direction {
                Direction::Sent => Sent::from_xml(xml.as_bytes()).map(|s| s.forwarded),
                Direction::Received => Received::from_xml(xml.as_bytes()).map(|r| r.forwarded),
            }
            .unwrap_or_else(|e| panic!("{xml}: {e}"));
            let Stanza::Message(m) = &inner.stanza else {
                panic!("{xml}: not a message")
            };
            let party = match direction {
                Direction::Sent => &m.from,
                Direction::Received => &m.to,
            };
            let account = party.as_ref().expect("addressed").to_bare();
            let outer = wrap(
                direction,
                &account,
                &"x@y.example/z".parse().unwrap(),
                m.clone(),
            );
            let c = unwrap(&outer, &account).unwrap().unwrap();
            assert_eq!(c.direction, direction);
            n += 1;
        }
    }
    assert!(n >= 2, "{n} examples");
}
