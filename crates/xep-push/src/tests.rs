use super::*;
use xep_forms::FormView;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

fn options(secret: &str) -> DataForm {
    DataForm::from_xml(
        format!(
            "<x xmlns='jabber:x:data' type='submit'>\
             <field var='FORM_TYPE'><value>http://jabber.org/protocol/pubsub#publish-options</value></field>\
             <field var='secret'><value>{secret}</value></field></x>"
        )
        .as_bytes(),
    )
    .unwrap()
}

fn from_client(mut iq: Iq) -> Iq {
    iq.from = Some(jid("juliet@capulet.example/balcony"));
    iq
}

#[test]
fn enable_and_disable_follow_sections_5_and_6() {
    let account = jid("juliet@capulet.example");
    let mut s = Services::default();
    let svc = jid("push-5.client.example");
    s.handle(
        &from_client(enable("e1", svc.clone(), "n1", Some(options("a"))).unwrap()),
        &account,
    )
    .unwrap();
    s.handle(
        &from_client(enable("e2", svc.clone(), "n2", None).unwrap()),
        &account,
    )
    .unwrap();
    // Enabling the same pair again replaces its options.
    s.handle(
        &from_client(enable("e3", svc.clone(), "n1", Some(options("b"))).unwrap()),
        &account,
    )
    .unwrap();
    assert_eq!(s.enabled().len(), 2);
    assert_eq!(s.enabled()[0].options, Some(options("b")));
    // Disabling one node, then the rest of the service.
    match s
        .handle(
            &from_client(disable("d1", svc.clone(), Some("n2"))),
            &account,
        )
        .unwrap()
    {
        Change::Disabled(gone) => assert_eq!(gone.len(), 1),
        other => panic!("{other:?}"),
    }
    s.handle(
        &from_client(enable("e4", svc.clone(), "n3", None).unwrap()),
        &account,
    )
    .unwrap();
    match s
        .handle(&from_client(disable("d2", svc.clone(), None)), &account)
        .unwrap()
    {
        Change::Disabled(gone) => assert_eq!(gone.len(), 2),
        other => panic!("{other:?}"),
    }
    assert!(s.enabled().is_empty());
}

#[test]
fn only_the_account_enables_and_options_are_publish_options() {
    let account = jid("juliet@capulet.example");
    let mut s = Services::default();
    let mut forged = enable("e1", jid("push.evil.example"), "n", None).unwrap();
    forged.from = Some(jid("romeo@montague.example/orchard"));
    assert!(matches!(
        s.handle(&forged, &account),
        Err(Refusal::NotFromAccount(_))
    ));
    let mut anonymous = forged.clone();
    anonymous.from = None;
    assert!(matches!(
        s.handle(&anonymous, &account),
        Err(Refusal::NotFromAccount(None))
    ));
    assert!(s.enabled().is_empty());

    let other_form = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' type='submit'>\
          <field var='FORM_TYPE'><value>urn:example:other</value></field></x>",
    )
    .unwrap();
    assert_eq!(
        enable("e2", jid("push.example"), "n", Some(other_form.clone())),
        Err(EnableError::NotPublishOptions(Some(
            "urn:example:other".into()
        )))
    );
    assert_eq!(
        enable("e3", jid("push.example"), "", None),
        Err(EnableError::EmptyNode)
    );
    // The same refusal when a client sends it anyway.
    let mut raw = enable("e4", jid("push.example"), "n", None).unwrap();
    raw.payloads = vec![Payload::new(Enable {
        jid: jid("push.example"),
        node: "n".into(),
        forms: vec![other_form],
    })];
    assert!(matches!(
        s.handle(&from_client(raw), &account),
        Err(Refusal::Options(_))
    ));
}

#[test]
fn publications_carry_the_summary_and_the_options() {
    let account = jid("juliet@capulet.example");
    let mut s = Services::default();
    s.handle(
        &from_client(
            enable(
                "e1",
                jid("push-5.client.example"),
                "n1",
                Some(options("s3cr3t")),
            )
            .unwrap(),
        ),
        &account,
    )
    .unwrap();
    let summary = Summary {
        message_count: Some(3),
        last_message_sender: Some(jid("romeo@montague.example/orchard")),
        ..Summary::default()
    };
    let form = summary.to_form(FormType::Submit);
    assert_eq!(Summary::from_form(&form).unwrap(), summary);
    let p = s.publish("push", &form);
    let xml = p[0].to_xml();
    assert!(xml.contains("to='push-5.client.example'"), "{xml}");
    assert!(xml.contains("<publish node='n1'>"), "{xml}");
    assert!(
        xml.contains("<notification xmlns='urn:xmpp:push:0'>"),
        "{xml}"
    );
    assert!(xml.contains("s3cr3t"), "{xml}");
    assert!(xml.contains("message-count"), "{xml}");
    // An error on publishing disables the pair.
    assert!(s.publish_failed(&jid("push-5.client.example"), "n1"));
    assert!(s.publish("push", &form).is_empty());
    assert!(!s.publish_failed(&jid("push-5.client.example"), "n1"));
}

#[test]
fn elements() {
    assert!(Enable::from_xml(b"<enable xmlns='urn:xmpp:push:0' jid='push.example'/>").is_err());
    assert!(Disable::from_xml(b"<disable xmlns='urn:xmpp:push:0' node='n'/>").is_err());
    let n = Notification::from_xml(
        b"<notification xmlns='urn:xmpp:push:0'><x xmlns='jabber:x:data' type='submit'>\
          <field var='FORM_TYPE'><value>urn:xmpp:push:summary</value></field>\
          <field var='message-count'><value>1</value></field></x>\
          <encrypted xmlns='urn:example:e2e'/></notification>",
    )
    .unwrap();
    assert_eq!(n.forms.len(), 1);
    assert_eq!(n.extensions.len(), 1);
}
