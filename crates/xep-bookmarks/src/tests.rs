use xep_core::{DefinedCondition, ErrorType, Iq, Message, Stanza};
use xep_element::jid::{BareJid, FullJid, Jid};
use xep_element::{Payload, Registry, XmlElement};
use xep_forms::FormView;
use xep_pubsub::Pubsub;
use xep_pubsub::forms::PublishOptionsForm;

use super::*;
use crate::legacy::Storage;
use crate::private::{PrivateError, Request, Store};

fn me() -> FullJid {
    "juliet@capulet.example/balcony".parse().unwrap()
}

fn bare(s: &str) -> BareJid {
    s.parse().unwrap()
}

fn stanza(xml: &str) -> Stanza {
    let mut r = Registry::new();
    r.add(crate::ELEMENTS);
    r.add(xep_pubsub::ELEMENTS);
    r.add(xep_forms::ELEMENTS);
    Stanza::from_xml_with(xml.as_bytes(), &r).unwrap()
}

fn iq(xml: &str) -> Iq {
    match stanza(xml) {
        Stanza::Iq(i) => i,
        other => panic!("{other:?}"),
    }
}

fn message(xml: &str) -> Message {
    match stanza(xml) {
        Stanza::Message(m) => m,
        other => panic!("{other:?}"),
    }
}

// XEP-0049 ------------------------------------------------------------------

const PREFS: &str = "<prefs xmlns='urn:example:prefs'><colour>red</colour></prefs>";

fn prefs() -> Payload {
    Payload::from(xep_element::minidom::Element::from_reader(PREFS.as_bytes()).unwrap())
}

#[test]
fn private_requests() {
    let g = private::get(
        "p1",
        Payload::from(xep_element::minidom::Element::builder("prefs", "urn:example:prefs").build()),
    );
    assert_eq!(
        g.to_xml(),
        "<iq xmlns='jabber:client' id='p1' type='get'><query xmlns='jabber:iq:private'>\
         <prefs xmlns='urn:example:prefs'/></query></iq>"
    );
    assert_eq!(
        private::set("p2", Vec::new()),
        Err(private::RequestError::Empty)
    );
    let other =
        Payload::from(xep_element::minidom::Element::builder("x", "urn:example:other").build());
    assert_eq!(
        private::set("p2", vec![prefs(), other]),
        Err(private::RequestError::MixedNamespaces)
    );
    // Several elements of one namespace may be stored together.
    assert!(private::set("p2", vec![prefs(), prefs()]).is_ok());
    // A child in jabber:iq:private itself is no stored element.
    assert!(PrivateQuery::from_xml(b"<query xmlns='jabber:iq:private'><query/></query>").is_err());
}

#[test]
fn the_server_checks_and_stores() {
    let me = me();
    let mut store = Store::default();
    let mut set = private::set("s1", vec![prefs()]).unwrap();
    set.from = Some(me.clone().into());
    let ok = store.handle(&set, &me, true);
    assert_eq!(ok.type_, xep_core::IqType::Result);
    assert!(ok.payloads.is_empty());

    let mut get = private::get(
        "g1",
        Payload::from(xep_element::minidom::Element::builder("prefs", "urn:example:prefs").build()),
    );
    get.from = Some(me.clone().into());
    let answer = store.handle(&get, &me, true);
    assert!(
        answer.to_xml().contains("<colour>red</colour>"),
        "{}",
        answer.to_xml()
    );
    // The client believes the answer from its own account.
    let got = private::reply(&get, &answer, &me).unwrap();
    assert_eq!(got.len(), 1);
    // Nothing stored: the element asked comes back empty.
    let mut get2 = private::get(
        "g2",
        Payload::from(xep_element::minidom::Element::builder("other", "urn:example:other").build()),
    );
    get2.from = Some(me.clone().into());
    let empty = store.handle(&get2, &me, true);
    assert!(
        empty
            .to_xml()
            .contains("<other xmlns='urn:example:other'/>")
    );
}

#[test]
fn the_server_refuses_as_the_xep_says() {
    let me = me();
    let check = |xml: &str, reserved: bool| private::check_request(&iq(xml), &me, reserved);
    // Another user's data: forbidden.
    let e = check(
        "<iq xmlns='jabber:client' type='set' id='a' to='romeo@montague.example'>\
         <query xmlns='jabber:iq:private'><prefs xmlns='urn:example:prefs'/></query></iq>",
        false,
    )
    .unwrap_err();
    assert_eq!(e, PrivateError::Forbidden);
    let se = e.stanza_error();
    assert_eq!(
        (se.type_, se.condition),
        (ErrorType::Cancel, DefinedCondition::Forbidden)
    );
    // The own bare JID is fine.
    assert!(matches!(
        check(
            "<iq xmlns='jabber:client' type='set' id='a' to='juliet@capulet.example'>\
             <query xmlns='jabber:iq:private'><prefs xmlns='urn:example:prefs'/></query></iq>",
            false
        ),
        Ok(Request::Set { .. })
    ));
    // No child: not-acceptable.
    let e = check(
        "<iq xmlns='jabber:client' type='get' id='a'><query xmlns='jabber:iq:private'/></iq>",
        false,
    )
    .unwrap_err();
    assert_eq!(e, PrivateError::Empty);
    assert_eq!(e.stanza_error().condition, DefinedCondition::NotAcceptable);
    // Two namespaces in a get.
    let e = check(
        "<iq xmlns='jabber:client' type='get' id='a'><query xmlns='jabber:iq:private'>\
         <a xmlns='urn:example:a'/><b xmlns='urn:example:b'/></query></iq>",
        false,
    )
    .unwrap_err();
    assert_eq!(e, PrivateError::MixedNamespaces);
    let e = check(
        "<iq xmlns='jabber:client' type='get' id='a'><query xmlns='jabber:iq:private'>\
         <a xmlns='urn:example:a'/><a xmlns='urn:example:a'/></query></iq>",
        false,
    )
    .unwrap_err();
    assert_eq!(e, PrivateError::SeveralInGet);
    // Reserved namespaces, only when the server refuses them.
    let vcard = "<iq xmlns='jabber:client' type='set' id='a'><query xmlns='jabber:iq:private'>\
                 <vCard xmlns='vcard-temp'><FN>J</FN></vCard></query></iq>";
    assert_eq!(
        check(vcard, true),
        Err(PrivateError::Reserved("vcard-temp".into()))
    );
    assert!(check(vcard, false).is_ok());
    assert!(private::is_reserved("jabber:iq:roster"));
    assert!(private::is_reserved("http://jabber.org/protocol/muc"));
    assert!(!private::is_reserved("storage:bookmarks"));
    // The error reply echoes the query.
    let mut store = Store::default();
    let req = iq(vcard);
    let refused = store.handle(&req, &me, true);
    assert_eq!(refused.type_, xep_core::IqType::Error);
    assert!(refused.to_xml().contains("<not-acceptable"));
    assert!(refused.to_xml().contains("vcard-temp"));
}

#[test]
fn private_answers_only_from_the_account() {
    let me = me();
    let get = legacy::private_get("b1");
    let answer = |from: &str| {
        iq(&format!(
            "<iq xmlns='jabber:client' type='result' id='b1'{from}><query xmlns='jabber:iq:private'>\
             <storage xmlns='storage:bookmarks'><conference jid='crypt@rooms.capulet.example' name='Crypt'/>\
             </storage></query></iq>"
        ))
    };
    for ok in [
        "",
        " from='juliet@capulet.example'",
        " from='juliet@capulet.example/balcony'",
    ] {
        let s = legacy::from_private(&get, &answer(ok), &me).unwrap();
        assert_eq!(s.conferences.len(), 1, "{ok}");
    }
    for bad in [
        " from='romeo@montague.example'",
        " from='juliet@capulet.example/other'",
        " from='capulet.example'",
    ] {
        assert!(
            matches!(
                legacy::from_private(&get, &answer(bad), &me),
                Err(Refusal::NotFromAccount(_))
            ),
            "{bad}"
        );
    }
    // Nothing stored yet: an empty storage.
    let none = iq("<iq xmlns='jabber:client' type='result' id='b1'>\
        <query xmlns='jabber:iq:private'><storage xmlns='storage:bookmarks'/></query></iq>");
    assert_eq!(
        legacy::from_private(&get, &none, &me).unwrap(),
        Storage::default()
    );
}

// XEP-0048 ------------------------------------------------------------------

const STORAGE: &str = "<storage xmlns='storage:bookmarks'>\
    <conference autojoin='1' jid='crypt@rooms.capulet.example' name='The Crypt'><nick>J</nick><password>r0m30</password></conference>\
    <url name='Verona' url='https://verona.example/'/>\
    <conference jid='hall@rooms.capulet.example'/>\
    </storage>";

#[test]
fn legacy_storage() {
    let s = Storage::from_xml(STORAGE.as_bytes()).unwrap();
    assert_eq!(s.conferences.len(), 2);
    assert_eq!(s.urls[0].display_name(), "Verona");
    let crypt = &s.conferences[0];
    assert!(crypt.autojoin());
    assert_eq!(crypt.nick.as_deref(), Some("J"));
    assert_eq!(
        s.conferences[1].display_name(),
        "hall@rooms.capulet.example"
    );
    assert!(!s.conferences[1].autojoin());
    assert_eq!(s.autojoin().count(), 1);
    assert!(
        s.conference(&"hall@rooms.capulet.example".parse().unwrap())
            .is_some()
    );
    let no_pw = s.clone().without_passwords();
    assert!(no_pw.conferences.iter().all(|c| c.password.is_none()));
    // Lossless (autojoin='1' stays '1').
    assert_eq!(Storage::from_xml(s.to_xml().as_bytes()).unwrap(), s);
    assert!(s.to_xml().contains("autojoin='1'"));
    // The room's JID is required, the url's url too.
    let e =
        Storage::from_xml(b"<storage xmlns='storage:bookmarks'><conference name='x'/></storage>")
            .unwrap_err();
    assert!(e.to_string().contains("storage/conference"), "{e}");
    assert!(e.to_string().contains("'jid'"), "{e}");
    assert!(
        Storage::from_xml(b"<storage xmlns='storage:bookmarks'><url name='x'/></storage>").is_err()
    );
    assert!(
        Storage::from_xml(
            b"<storage xmlns='storage:bookmarks'><conference jid='a@b' autojoin='yes'/></storage>"
        )
        .is_err()
    );
}

#[test]
fn legacy_pep() {
    let me = me();
    let s = Storage::from_xml(STORAGE.as_bytes()).unwrap();
    let p = legacy::publish("pub1", s.clone());
    let x = p.to_xml();
    assert!(
        x.contains("<publish node='storage:bookmarks'><item id='current'>"),
        "{x}"
    );
    let pubsub = p.payload::<Pubsub>().unwrap().unwrap();
    let opts =
        PublishOptionsForm::from_form(pubsub.publish_options.unwrap().form.as_ref().unwrap())
            .unwrap();
    assert_eq!(opts, legacy::publish_options());

    let fetch = legacy::fetch("f1");
    let reply = iq(&format!(
        "<iq xmlns='jabber:client' type='result' id='f1' from='juliet@capulet.example'>\
         <pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='storage:bookmarks'>\
         <item id='current'>{STORAGE}</item></items></pubsub></iq>"
    ));
    assert_eq!(legacy::from_items(&fetch, &reply, &me).unwrap(), s);
    let mut forged = reply.clone();
    forged.from = Some("romeo@montague.example".parse().unwrap());
    assert!(matches!(
        legacy::from_items(&fetch, &forged, &me),
        Err(Refusal::NotFromAccount(_))
    ));

    let note = message(&format!(
        "<message xmlns='jabber:client' from='juliet@capulet.example' type='headline'>\
         <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='storage:bookmarks'>\
         <item id='current'>{STORAGE}</item></items></event></message>"
    ));
    assert_eq!(legacy::notification(&note, &me).unwrap(), s);
    let mut forged = note;
    forged.from = Some("juliet@capulet.example/balcony".parse().unwrap());
    assert!(matches!(
        legacy::notification(&forged, &me),
        Err(Refusal::NotFromAccount(_))
    ));
}

// XEP-0402 ------------------------------------------------------------------

const NATIVE: &str = "<iq xmlns='jabber:client' type='result' id='r1'>\
    <pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:bookmarks:1'>\
    <item id='crypt@rooms.capulet.example'><conference xmlns='urn:xmpp:bookmarks:1' name='The Crypt' autojoin='true'>\
    <nick>J</nick><extensions><pin xmlns='urn:example:client' colour='red'/></extensions></conference></item>\
    <item id='hall@rooms.capulet.example'><conference xmlns='urn:xmpp:bookmarks:1'/></item>\
    </items></pubsub></iq>";

#[test]
fn native_bookmarks() {
    let me = me();
    let request = fetch("r1");
    assert!(
        request
            .to_xml()
            .contains("<items node='urn:xmpp:bookmarks:1'/>")
    );
    let list = bookmarks(&request, &iq(NATIVE), &me).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].jid, bare("crypt@rooms.capulet.example"));
    assert!(list[0].conference.autojoin());
    let ext = list[0].conference.extensions.as_ref().unwrap();
    assert_eq!(ext.payloads.len(), 1);
    assert_eq!(list[1].conference, Conference::default());
    let kept = Bookmarks::new(list.clone());
    assert_eq!(
        kept.autojoin().collect::<Vec<_>>(),
        [&bare("crypt@rooms.capulet.example")]
    );

    // Editing keeps the extensions (§4.4) and publishes with the options
    // of §4.3.
    let edited = kept.edited(&bare("crypt@rooms.capulet.example"), |c| {
        c.name = Some("Crypt".into())
    });
    let p = publish("e1", &edited);
    let x = p.to_xml();
    assert!(x.contains("<item id='crypt@rooms.capulet.example'>"), "{x}");
    assert!(
        x.contains("<pin xmlns='urn:example:client' colour='red'/>"),
        "{x}"
    );
    let pubsub = p.payload::<Pubsub>().unwrap().unwrap();
    let opts =
        PublishOptionsForm::from_form(pubsub.publish_options.unwrap().form.as_ref().unwrap())
            .unwrap();
    assert_eq!(opts, publish_options());
    let form = publish_options().to_form(xep_forms::FormType::Submit);
    assert_eq!(form.value("pubsub#persist_items"), Some("1"));
    assert_eq!(form.value("pubsub#max_items"), Some("max"));
    assert_eq!(form.value("pubsub#send_last_published_item"), Some("never"));
    assert_eq!(form.value("pubsub#access_model"), Some("whitelist"));

    // Removal notifies.
    let r = retract("d1", &bare("hall@rooms.capulet.example"));
    assert!(r.to_xml().contains(
        "<retract node='urn:xmpp:bookmarks:1' notify='true'><item id='hall@rooms.capulet.example'/></retract>"
    ));
}

#[test]
fn native_items_are_rooms() {
    let me = me();
    let request = fetch("r1");
    for (item, what) in [
        (
            "<item><conference xmlns='urn:xmpp:bookmarks:1'/></item>",
            "'id'",
        ),
        (
            "<item id='crypt@rooms.capulet.example/J'><conference xmlns='urn:xmpp:bookmarks:1'/></item>",
            "bare JID",
        ),
        ("<item id='crypt@rooms.capulet.example'/>", "conference"),
    ] {
        let reply = iq(&format!(
            "<iq xmlns='jabber:client' type='result' id='r1'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
             <items node='urn:xmpp:bookmarks:1'>{item}</items></pubsub></iq>"
        ));
        match bookmarks(&request, &reply, &me) {
            Err(Refusal::Malformed(e)) => assert!(e.to_string().contains(what), "{e}"),
            other => panic!("{other:?}"),
        }
    }
    // An error (no node yet) and a reply for another node.
    let err = iq(
        "<iq xmlns='jabber:client' type='error' id='r1'><error type='cancel'>\
        <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    );
    assert!(matches!(
        bookmarks(&request, &err, &me),
        Err(Refusal::Error(_))
    ));
    let other = iq(
        "<iq xmlns='jabber:client' type='result' id='r1'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
        <items node='urn:xmpp:mds:displayed:0'/></pubsub></iq>",
    );
    assert_eq!(bookmarks(&request, &other, &me), Err(Refusal::NotThisNode));
    let wrong_id = iq(&NATIVE.replace("id='r1'", "id='r2'"));
    assert_eq!(
        bookmarks(&request, &wrong_id, &me),
        Err(Refusal::NotThisNode)
    );
    // A conference with an element of its own namespace it does not
    // define, or a second nick, does not parse.
    assert!(
        Conference::from_xml(b"<conference xmlns='urn:xmpp:bookmarks:1'><url/></conference>")
            .is_err()
    );
    assert!(
        Conference::from_xml(
            b"<conference xmlns='urn:xmpp:bookmarks:1'><nick>a</nick><nick>b</nick></conference>"
        )
        .is_err()
    );
}

#[test]
fn notifications_join_and_leave() {
    let me = me();
    let event = |from: &str, body: &str| {
        message(&format!(
            "<message xmlns='jabber:client' from='{from}' type='headline'>\
             <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:bookmarks:1'>{body}</items></event></message>"
        ))
    };
    let join = event(
        "juliet@capulet.example",
        "<item id='crypt@rooms.capulet.example'><conference xmlns='urn:xmpp:bookmarks:1' autojoin='1'/></item>",
    );
    let leave = event(
        "juliet@capulet.example",
        "<item id='crypt@rooms.capulet.example'><conference xmlns='urn:xmpp:bookmarks:1'/></item>",
    );
    let gone = event(
        "juliet@capulet.example",
        "<retract id='crypt@rooms.capulet.example'/>",
    );
    let mut list = Bookmarks::default();
    let apply = |list: &mut Bookmarks, m: &Message| {
        notification(m, &me)
            .unwrap()
            .into_iter()
            .map(|c| list.apply(c))
            .collect::<Vec<_>>()
    };
    assert_eq!(apply(&mut list, &join), [Action::Join]);
    assert_eq!(apply(&mut list, &leave), [Action::Leave]);
    assert!(list.get(&bare("crypt@rooms.capulet.example")).is_some());
    assert_eq!(apply(&mut list, &gone), [Action::Leave]);
    assert!(list.get(&bare("crypt@rooms.capulet.example")).is_none());
    // Only from the account's bare JID.
    for from in [
        "romeo@montague.example",
        "juliet@capulet.example/balcony",
        "capulet.example",
    ] {
        let forged = event(
            from,
            "<item id='evil@rooms.example'><conference xmlns='urn:xmpp:bookmarks:1' autojoin='1'/></item>",
        );
        assert!(
            matches!(notification(&forged, &me), Err(Refusal::NotFromAccount(_))),
            "{from}"
        );
    }
    let other_node = message(
        "<message xmlns='jabber:client' from='juliet@capulet.example'>\
         <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='storage:bookmarks'/></event></message>",
    );
    assert_eq!(notification(&other_node, &me), Err(Refusal::NotThisNode));
}

// Conversions ---------------------------------------------------------------

#[test]
fn legacy_to_native_and_back() {
    let mut s = Storage::from_xml(STORAGE.as_bytes()).unwrap();
    // A full JID and a duplicate cannot become items.
    let mut full = s.conferences[1].clone();
    full.jid = "hall@rooms.capulet.example/J".parse().unwrap();
    s.conferences.push(full);
    s.conferences.push(s.conferences[0].clone());
    let n = convert::to_native(&s);
    assert_eq!(n.bookmarks.len(), 2);
    assert_eq!(n.skipped.len(), 2);
    assert_eq!(n.urls.len(), 1);
    let crypt = &n.bookmarks[0];
    assert_eq!(crypt.jid, bare("crypt@rooms.capulet.example"));
    assert_eq!(crypt.conference.name.as_deref(), Some("The Crypt"));
    assert_eq!(crypt.conference.password.as_deref(), Some("r0m30"));
    assert!(crypt.conference.autojoin());
    // Back: the item id becomes the jid; the web pages come along.
    let back = convert::to_legacy(&n.bookmarks, n.urls.clone());
    let original = Storage::from_xml(STORAGE.as_bytes()).unwrap();
    assert_eq!(back.conferences, original.conferences);
    assert_eq!(back.urls, original.urls);
    // Extensions do not survive the old format.
    let mut with_ext = n.bookmarks.clone();
    with_ext[0].conference.extensions = Some(Extensions {
        payloads: vec![prefs()],
    });
    assert!(
        !convert::to_legacy(&with_ext, Vec::new())
            .to_xml()
            .contains("prefs")
    );
}

#[test]
fn merging_a_legacy_list() {
    let current = vec![
        Bookmark {
            jid: bare("crypt@rooms.capulet.example"),
            conference: Conference {
                autojoin: Some(true.into()),
                name: Some("The Crypt".into()),
                nick: Some("J".into()),
                password: Some("r0m30".into()),
                extensions: Some(Extensions {
                    payloads: vec![prefs()],
                }),
            },
        },
        Bookmark {
            jid: bare("old@rooms.capulet.example"),
            conference: Conference::default(),
        },
    ];
    let s = Storage::from_xml(STORAGE.as_bytes()).unwrap();
    let m = convert::merge_legacy(&current, &s);
    // The crypt is unchanged ('1' and 'true' are the same): no publication.
    assert_eq!(m.publish.len(), 1);
    assert_eq!(m.publish[0].jid, bare("hall@rooms.capulet.example"));
    assert_eq!(m.retract, [bare("old@rooms.capulet.example")]);
    // An edit keeps the extensions of the item it replaces.
    let mut renamed = s.clone();
    renamed.conferences[0].name = Some("Crypt".into());
    let m = convert::merge_legacy(&current, &renamed);
    let crypt = m
        .publish
        .iter()
        .find(|b| b.jid == bare("crypt@rooms.capulet.example"))
        .unwrap();
    assert_eq!(crypt.conference.name.as_deref(), Some("Crypt"));
    assert_eq!(
        crypt.conference.extensions,
        current[0].conference.extensions
    );
}

#[test]
fn xep_0411_private_and_pep_both_ways() {
    let s = Storage::from_xml(STORAGE.as_bytes()).unwrap();
    // A legacy client stores in private XML: the server mirrors to PEP.
    let set = legacy::private_set("c1", s.clone());
    let (storage, publish) = convert::private_to_pep(&set).unwrap().unwrap();
    assert_eq!(storage, s);
    let p = publish.payload::<Pubsub>().unwrap().unwrap();
    assert_eq!(p.publish().unwrap().node, legacy::NODE);
    assert_eq!(
        p.publish().unwrap().items[0].id.as_deref(),
        Some(legacy::ITEM_ID)
    );
    // §5: only the user may read the node.
    let opts =
        PublishOptionsForm::from_form(p.publish_options.unwrap().form.as_ref().unwrap()).unwrap();
    assert_eq!(
        opts.access_model,
        Some(xep_pubsub::forms::AccessModel::Whitelist)
    );
    // And the other way.
    let (storage, private_set) = convert::pep_to_private(&publish).unwrap().unwrap();
    assert_eq!(storage, s);
    assert_eq!(private_set.to_xml(), set.to_xml());
    // Other data is no bookmark.
    let other = private::set("c2", vec![prefs()]).unwrap();
    assert!(convert::private_to_pep(&other).is_none());
    let native = publish_bookmark();
    assert!(convert::pep_to_private(&native).is_none());
    assert!(convert::pep_to_private(&other).is_none());
    assert_eq!(convert::NS_CONVERSION, "urn:xmpp:bookmarks-conversion:0");
    assert_eq!(COMPAT, "urn:xmpp:bookmarks:1#compat");
    assert_eq!(COMPAT_PEP, "urn:xmpp:bookmarks:1#compat-pep");
    assert_eq!(NOTIFY, "urn:xmpp:bookmarks:1+notify");
}

fn publish_bookmark() -> Iq {
    publish(
        "n1",
        &Bookmark {
            jid: bare("crypt@rooms.capulet.example"),
            conference: Conference::default(),
        },
    )
}

#[test]
fn jid_in_storage_is_any_jid() {
    // XEP-0048 types the room's JID as a string: a JID of any form reads.
    let s = Storage::from_xml(
        b"<storage xmlns='storage:bookmarks'><conference jid='rooms.capulet.example'/></storage>",
    )
    .unwrap();
    assert_eq!(
        s.conferences[0].jid,
        "rooms.capulet.example".parse::<Jid>().unwrap()
    );
}
