use super::*;
use xep_testkit::stanza::iq;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

fn me() -> FullJid {
    "juliet@capulet.example/chamber".parse().unwrap()
}

#[test]
fn matching_follows_the_order_of_section_6() {
    // user@domain/resource: only that resource.
    assert!(matches(
        &jid("romeo@m.example/garden"),
        &jid("romeo@m.example/garden")
    ));
    assert!(!matches(
        &jid("romeo@m.example/garden"),
        &jid("romeo@m.example/orchard")
    ));
    assert!(!matches(
        &jid("romeo@m.example/garden"),
        &jid("romeo@m.example")
    ));
    // user@domain: any resource.
    assert!(matches(
        &jid("romeo@m.example"),
        &jid("romeo@m.example/orchard")
    ));
    assert!(matches(&jid("romeo@m.example"), &jid("romeo@m.example")));
    assert!(!matches(&jid("romeo@m.example"), &jid("tybalt@m.example")));
    // domain/resource: only that resource of the domain.
    assert!(matches(&jid("m.example/bot"), &jid("m.example/bot")));
    assert!(!matches(&jid("m.example/bot"), &jid("romeo@m.example/bot")));
    // domain: the domain and everyone at it.
    assert!(matches(&jid("m.example"), &jid("m.example")));
    assert!(matches(&jid("m.example"), &jid("romeo@m.example/garden")));
    assert!(matches(&jid("m.example"), &jid("m.example/bot")));
    assert!(!matches(&jid("m.example"), &jid("romeo@c.example")));
}

#[test]
fn requests() {
    assert_eq!(
        request_blocklist("b0").to_xml(),
        "<iq xmlns='jabber:client' id='b0' type='get'><blocklist xmlns='urn:xmpp:blocking'/></iq>"
    );
    assert_eq!(
        block("b1", Vec::<Jid>::new()),
        Err(RequestError::NothingToBlock)
    );
    let all = unblock("b2", Vec::<Jid>::new());
    assert_eq!(
        all.payload::<Unblock>().unwrap().unwrap(),
        Unblock::default()
    );
    // <block/> without items does not parse either.
    assert!(Block::from_xml(b"<block xmlns='urn:xmpp:blocking'/>").is_err());
    assert!(Item::from_xml(b"<item xmlns='urn:xmpp:blocking'/>").is_err());
}

#[test]
fn the_list_follows_the_answer_and_the_pushes() {
    let answer = iq("<iq xmlns='jabber:client' type='result' id='b0'>\
        <blocklist xmlns='urn:xmpp:blocking'><item jid='romeo@m.example'/><item jid='iago.example'/></blocklist></iq>");
    let mut list = Blocklist::from_result(&answer).unwrap().unwrap();
    assert_eq!(list.jids(), [jid("romeo@m.example"), jid("iago.example")]);
    assert!(list.blocks(&jid("someone@iago.example/x")));

    let push = iq(
        "<iq xmlns='jabber:client' type='set' id='p1' from='juliet@capulet.example'>\
        <block xmlns='urn:xmpp:blocking'><item jid='tybalt@c.example'/><item jid='romeo@m.example'/></block></iq>",
    );
    match list.handle_push(&push, &me()) {
        PushOutcome::Applied { change, reply } => {
            assert_eq!(
                change,
                Change::Blocked(vec![jid("tybalt@c.example"), jid("romeo@m.example")])
            );
            assert_eq!(reply.type_, IqType::Result);
            assert_eq!(reply.id, "p1");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(list.jids().len(), 3, "no duplicate");

    let push = iq("<iq xmlns='jabber:client' type='set' id='p2'>\
        <unblock xmlns='urn:xmpp:blocking'><item jid='romeo@m.example'/></unblock></iq>");
    assert!(matches!(
        list.handle_push(&push, &me()),
        PushOutcome::Applied {
            change: Change::Unblocked(_),
            ..
        }
    ));
    assert!(!list.blocks(&jid("romeo@m.example/garden")));

    let push = iq(
        "<iq xmlns='jabber:client' type='set' id='p3'><unblock xmlns='urn:xmpp:blocking'/></iq>",
    );
    assert!(matches!(
        list.handle_push(&push, &me()),
        PushOutcome::Applied {
            change: Change::UnblockedAll,
            ..
        }
    ));
    assert!(list.jids().is_empty());
}

#[test]
fn a_push_from_anyone_but_the_account_is_refused() {
    let mut list = Blocklist::default();
    for from in [
        "romeo@m.example/garden",
        "juliet@capulet.example/other",
        "capulet.example",
    ] {
        let push = iq(&format!(
            "<iq xmlns='jabber:client' type='set' id='evil' from='{from}'>\
             <unblock xmlns='urn:xmpp:blocking'/></iq>"
        ));
        match list.handle_push(&push, &me()) {
            PushOutcome::Refused {
                reason: PushRefusal::NotFromAccount(j),
                reply,
            } => {
                assert_eq!(j, jid(from));
                assert_eq!(reply.type_, IqType::Error);
            }
            other => panic!("{from}: {other:?}"),
        }
    }
    // A forged block would have blocked romeo; nothing changed.
    let forged = iq(
        "<iq xmlns='jabber:client' type='set' id='evil' from='iago@venice.example'>\
        <block xmlns='urn:xmpp:blocking'><item jid='romeo@m.example'/></block></iq>",
    );
    assert!(matches!(
        list.handle_push(&forged, &me()),
        PushOutcome::Refused { .. }
    ));
    assert!(!list.blocks(&jid("romeo@m.example")));
    // Other iqs are not pushes.
    let other =
        iq("<iq xmlns='jabber:client' type='set' id='x'><ping xmlns='urn:xmpp:ping'/></iq>");
    assert_eq!(list.handle_push(&other, &me()), PushOutcome::NotAPush);
    let malformed =
        iq("<iq xmlns='jabber:client' type='set' id='m'><block xmlns='urn:xmpp:blocking'/></iq>");
    assert!(matches!(
        list.handle_push(&malformed, &me()),
        PushOutcome::Refused {
            reason: PushRefusal::Malformed(_),
            ..
        }
    ));
}

#[test]
fn the_blocked_error() {
    let e = blocked_error();
    assert!(is_blocked_error(&e));
    let wire = e.to_xml();
    assert!(
        wire.contains("<blocked xmlns='urn:xmpp:blocking:errors'/>"),
        "{wire}"
    );
    let plain = StanzaError::new(ErrorType::Cancel, DefinedCondition::NotAcceptable);
    assert!(!is_blocked_error(&plain));
}
