use std::time::{Duration, Instant};

use super::*;
use crate::admin::{
    AccountJids, AddUser, AdminCommand, ChangeUserPassword, MaxItems, ShutdownOrRestart,
    UserLastLogin, UserStats, UsersList, UsersListRequest, UsersNum,
};
use crate::session::{
    CommandError, Event, Failure, Refusal, Reply, RequestId, ResponderEvent, State,
};
use xep_core::{IqType, Stanza};
use xep_forms::{Field, FormType, FormView};
use xep_testkit::stanza::iq;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

fn wizard_first() -> Actions {
    Actions::new(Some(ExecuteAction::Next), false, true, false)
}

#[test]
fn command_round_trip_with_every_part() {
    let xml = "<command xmlns='http://jabber.org/protocol/commands' node='config' \
               sessionid='config:7' status='executing' xml:lang='en'>\
               <actions execute='complete'><prev/><complete/></actions>\
               <note type='warn'>Careful.</note><note>Plain.</note>\
               <x xmlns='jabber:x:data' type='form'><title>Set up</title>\
               <field var='mode' type='list-single'><option><value>a</value></option></field></x>\
               <x xmlns='jabber:x:oob'><url>https://example.org/help</url></x>\
               </command>";
    let c = Command::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(c.node, "config");
    assert_eq!(c.status, Some(Status::Executing));
    assert_eq!(c.lang.as_deref(), Some("en"));
    let a = c.actions.unwrap();
    assert_eq!(a.default_action(), ExecuteAction::Complete);
    assert_eq!(a.allowed(), [ExecuteAction::Prev, ExecuteAction::Complete]);
    assert_eq!(c.notes[0].effective_type(), NoteType::Warn);
    assert_eq!(c.notes[1].effective_type(), NoteType::Info);
    assert_eq!(c.form().unwrap().title.as_deref(), Some("Set up"));
    // The payloads keep their order (precedence, §3.5).
    assert_eq!(c.payloads.len(), 2);
    assert_eq!(c.payloads[1].to_element().ns(), "jabber:x:oob");
    assert!(!c.failed());
    let again = Command::from_xml(c.to_xml().as_bytes()).unwrap();
    assert_eq!(again, c);
}

#[test]
fn bad_commands_are_errors_naming_the_path() {
    let cases = [
        (
            "<command xmlns='http://jabber.org/protocol/commands'/>",
            "node",
        ),
        (
            "<command xmlns='http://jabber.org/protocol/commands' node='n' action='jump'/>",
            "jump",
        ),
        (
            "<command xmlns='http://jabber.org/protocol/commands' node='n' status='done'/>",
            "done",
        ),
        (
            "<command xmlns='http://jabber.org/protocol/commands' node='n' sessionid=''/>",
            "MUST NOT be empty",
        ),
        (
            "<command xmlns='http://jabber.org/protocol/commands' node='n'><actions><prev/></actions></command>",
            "execute='next' (the default) is not among the allowed actions",
        ),
        (
            "<command xmlns='http://jabber.org/protocol/commands' node='n'><actions execute='complete'><next/></actions></command>",
            "execute='complete' is not among",
        ),
        (
            "<command xmlns='http://jabber.org/protocol/commands' node='n'><actions><next/><finish/></actions></command>",
            "finish",
        ),
        (
            "<command xmlns='http://jabber.org/protocol/commands' node='n'><note type='fatal'>x</note></command>",
            "fatal",
        ),
        (
            "<command xmlns='http://jabber.org/protocol/commands' node='n'><x xmlns='jabber:x:data' type='sideways'/></command>",
            "sideways",
        ),
        (
            "<command xmlns='http://jabber.org/protocol/commands' node='n'><bogus/></command>",
            "bogus",
        ),
    ];
    for (xml, want) in cases {
        let e = Command::from_xml(xml.as_bytes()).unwrap_err().to_string();
        assert!(e.contains(want), "{xml}: {e}");
        assert!(e.contains("command"), "{xml}: {e}");
    }
}

#[test]
fn error_conditions_go_with_their_general_condition() {
    for (c, name, cond, type_) in [
        (
            CommandErrorCondition::BadAction,
            "bad-action",
            DefinedCondition::BadRequest,
            ErrorType::Modify,
        ),
        (
            CommandErrorCondition::BadLocale,
            "bad-locale",
            DefinedCondition::BadRequest,
            ErrorType::Modify,
        ),
        (
            CommandErrorCondition::BadPayload,
            "bad-payload",
            DefinedCondition::BadRequest,
            ErrorType::Modify,
        ),
        (
            CommandErrorCondition::BadSessionid,
            "bad-sessionid",
            DefinedCondition::BadRequest,
            ErrorType::Modify,
        ),
        (
            CommandErrorCondition::MalformedAction,
            "malformed-action",
            DefinedCondition::BadRequest,
            ErrorType::Modify,
        ),
        (
            CommandErrorCondition::SessionExpired,
            "session-expired",
            DefinedCondition::NotAllowed,
            ErrorType::Cancel,
        ),
    ] {
        let e = c.error();
        assert_eq!((e.condition.clone(), e.type_), (cond, type_));
        assert_eq!(CommandErrorCondition::of(&e), Some(c));
        assert_eq!(c.to_string(), name);
        assert_eq!(
            c.to_xml(),
            format!("<{name} xmlns='http://jabber.org/protocol/commands'/>")
        );
        // Read back from the wire, without a registry.
        let reply = iq(&format!(
            "<iq xmlns='jabber:client' type='error' id='e1'><error type='modify'>\
             <bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             <{name} xmlns='http://jabber.org/protocol/commands'/></error></iq>"
        ));
        assert_eq!(
            CommandErrorCondition::of(reply.error.as_ref().unwrap()),
            Some(c)
        );
    }
    assert_eq!(
        errors::item_not_found().condition,
        DefinedCondition::ItemNotFound
    );
}

#[test]
fn resolve_follows_section_3_4() {
    use Resolved::*;
    // No <actions/>: a single-stage view, execute means complete.
    assert_eq!(resolve(None, Action::Execute), Some(Complete));
    assert_eq!(resolve(None, Action::Complete), Some(Complete));
    assert_eq!(resolve(None, Action::Next), None);
    assert_eq!(resolve(None, Action::Prev), None);
    assert_eq!(resolve(None, Action::Cancel), Some(Cancel));
    // execute absent: next.
    let a = Actions::new(None, true, true, false);
    assert_eq!(resolve(Some(&a), Action::Execute), Some(Next));
    assert_eq!(resolve(Some(&a), Action::Prev), Some(Prev));
    assert_eq!(resolve(Some(&a), Action::Complete), None);
    let b = Actions::new(Some(ExecuteAction::Complete), true, false, true);
    assert_eq!(resolve(Some(&b), Action::Execute), Some(Complete));
    assert_eq!(resolve(Some(&b), Action::Next), None);
    assert_eq!(resolve(Some(&b), Action::Cancel), Some(Cancel));
    assert!(!Actions::new(None, true, false, true).is_valid());
}

#[test]
fn command_lists_believe_only_the_responders_own_nodes() {
    let responder = jid("responder@domain");
    let list = command_list(&responder, [("list", "List"), ("config", "Configure")]);
    assert_eq!(list.node.as_deref(), Some(NODE));
    let mut items = list.clone();
    items.items.push(DiscoItem::new(
        jid("evil@elsewhere"),
        Some("steal"),
        Some("Steal"),
    ));
    let believed = commands_of(&items, &responder).unwrap();
    assert_eq!(believed.len(), 2);
    assert!(believed.iter().all(|i| i.jid == responder));
    assert!(commands_of(&DiscoItems::default(), &responder).is_none());

    let m = match Stanza::from_xml(
        b"<message xmlns='jabber:client' from='responder@domain' to='requester@domain'>\
          <subject>Controls</subject>\
          <query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'>\
          <item jid='responder@domain' node='list' name='List'/>\
          <item jid='other@domain' node='stop' name='Stop'/></query></message>",
    )
    .unwrap()
    {
        Stanza::Message(m) => m,
        _ => unreachable!(),
    };
    assert_eq!(announced_commands(&m, &responder).unwrap().len(), 1);
    assert!(announced_commands(&m, &jid("other@domain")).is_none());

    let info = command_info("config", Some("Configure"));
    assert!(info.has_identity(CATEGORY, Some(TYPE_COMMAND_NODE)));
    assert!(info.has_feature(NS) && info.has_feature(xep_forms::NS));
    assert_eq!(
        command_list_request("d1", Some(responder)).to_xml(),
        "<iq xmlns='jabber:client' to='responder@domain' id='d1' type='get'>\
         <query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'/></iq>"
    );
}

// ---------------------------------------------------------------------------
// Sessions

struct Pair {
    now: Instant,
    me: Jid,
    server: Jid,
    requester: Requester,
    responder: Responder,
}

impl Pair {
    fn new() -> Pair {
        let server = jid("shakespeare.lit");
        let mut responder = Responder::new(ResponderConfig::default());
        responder.add_command("config", "Configure");
        Pair {
            now: Instant::now(),
            me: jid("bard@shakespeare.lit/globe"),
            server: server.clone(),
            requester: Requester::new(server, "config", RequesterConfig::default()),
            responder,
        }
    }

    fn deliver_to_responder(&mut self) -> Option<ResponderEvent> {
        let mut iq = self.requester.poll_transmit().expect("a request");
        iq.from = Some(self.me.clone());
        assert!(self.responder.handle_iq(self.now, &iq));
        self.responder.poll_event()
    }

    fn deliver_to_requester(&mut self) -> Iq {
        let mut r = self.responder.poll_transmit().expect("an answer");
        r.from = Some(self.server.clone());
        assert!(self.requester.handle_iq(self.now, &r));
        r
    }

    /// Executes and answers with the first of two stages.
    fn started(&mut self) -> &mut Pair {
        self.requester.execute(self.now).unwrap();
        let Some(ResponderEvent::Execute { request, node, .. }) = self.deliver_to_responder()
        else {
            panic!()
        };
        assert_eq!(node, "config");
        self.responder
            .start(
                self.now,
                request,
                "config:1",
                Reply::stage(Some(wizard_first())),
            )
            .unwrap();
        self.deliver_to_requester();
        assert!(matches!(self.requester.poll_event(), Some(Event::Stage(_))));
        self
    }
}

#[test]
fn a_two_stage_command_completes() {
    let mut p = Pair::new();
    p.started();
    assert_eq!(p.requester.state(), State::Executing);
    assert_eq!(p.requester.sessionid(), Some("config:1"));
    assert_eq!(p.requester.actions(), Some(&wizard_first()));
    // Only <next/> (and cancel) at the first stage.
    assert_eq!(
        p.requester.prev(p.now),
        Err(CommandError::NotAllowed {
            action: Action::Prev
        })
    );
    assert_eq!(
        p.requester.complete(p.now, None),
        Err(CommandError::NotAllowed {
            action: Action::Complete
        })
    );
    let form = DataForm::submit("urn:example", vec![Field::text_single("service", "httpd")]);
    p.requester.next(p.now, Some(form.clone())).unwrap();
    let Some(ResponderEvent::Action {
        request,
        sessionid,
        action,
        command,
    }) = p.deliver_to_responder()
    else {
        panic!()
    };
    assert_eq!((sessionid.as_str(), action), ("config:1", Resolved::Next));
    assert_eq!(command.form(), Some(form));
    let second = Actions::new(Some(ExecuteAction::Complete), true, false, true);
    p.responder
        .respond(p.now, request, Reply::stage(Some(second)))
        .unwrap();
    p.deliver_to_requester();
    assert!(matches!(p.requester.poll_event(), Some(Event::Stage(_))));
    // execute means complete here.
    p.requester.proceed(p.now, None).unwrap();
    let Some(ResponderEvent::Action {
        request, action, ..
    }) = p.deliver_to_responder()
    else {
        panic!()
    };
    assert_eq!(action, Resolved::Complete);
    let done = Reply::Completed {
        notes: vec![Note::new(NoteType::Info, "Configured.")],
        payloads: Vec::new(),
    };
    p.responder.respond(p.now, request, done).unwrap();
    let wire = p.deliver_to_requester();
    assert!(wire.to_xml().contains("status='completed'"));
    let Some(Event::Completed(c)) = p.requester.poll_event() else {
        panic!()
    };
    assert_eq!(c.notes[0].text, "Configured.");
    assert_eq!(p.requester.state(), State::Completed);
    assert!(p.responder.session("config:1").is_none());
    // Misuse after the end.
    assert!(matches!(
        p.requester.next(p.now, None),
        Err(CommandError::WrongState { .. })
    ));
    assert!(matches!(
        p.requester.execute(p.now),
        Err(CommandError::WrongState { .. })
    ));
}

#[test]
fn the_requester_refuses_forged_and_mismatched_answers() {
    let mut p = Pair::new();
    p.started();
    p.requester.next(p.now, None).unwrap();
    let sent = p.requester.poll_transmit().unwrap();
    let mut c = Command::new("config");
    c.sessionid = Some("config:1".into());
    c.status = Some(Status::Completed);
    // From someone else.
    let mut forged = sent.result(Some(Payload::new(c.clone())));
    forged.from = Some(jid("mallory@evil.example/x"));
    assert!(p.requester.handle_iq(p.now, &forged));
    assert_eq!(
        p.requester.poll_event(),
        Some(Event::Refused {
            from: forged.from.clone(),
            reason: Refusal::WrongSender
        })
    );
    // Another session.
    c.sessionid = Some("config:2".into());
    let mut other = sent.result(Some(Payload::new(c.clone())));
    other.from = Some(p.server.clone());
    assert!(p.requester.handle_iq(p.now, &other));
    assert!(matches!(
        p.requester.poll_event(),
        Some(Event::Refused {
            reason: Refusal::WrongSession(Some(_)),
            ..
        })
    ));
    // Another node.
    let mut n = Command::new("reset");
    n.sessionid = Some("config:1".into());
    n.status = Some(Status::Completed);
    let mut other = sent.result(Some(Payload::new(n)));
    other.from = Some(p.server.clone());
    assert!(p.requester.handle_iq(p.now, &other));
    assert!(matches!(
        p.requester.poll_event(),
        Some(Event::Refused {
            reason: Refusal::WrongNode(_),
            ..
        })
    ));
    // Still waiting; an unrelated iq is not the requester's.
    assert_eq!(p.requester.state(), State::Waiting);
    let mut unrelated = other.clone();
    unrelated.id = "elsewhere".into();
    assert!(!p.requester.handle_iq(p.now, &unrelated));
    // The real answer is believed.
    c.sessionid = Some("config:1".into());
    let mut real = sent.result(Some(Payload::new(c)));
    real.from = Some(p.server.clone());
    assert!(p.requester.handle_iq(p.now, &real));
    assert_eq!(p.requester.state(), State::Completed);
}

#[test]
fn the_requester_fails_on_bad_answers_and_timeouts() {
    // An executing answer without a sessionid.
    let mut p = Pair::new();
    p.requester.execute(p.now).unwrap();
    let sent = p.requester.poll_transmit().unwrap();
    let mut c = Command::new("config");
    c.status = Some(Status::Executing);
    let mut r = sent.result(Some(Payload::new(c)));
    r.from = Some(p.server.clone());
    assert!(p.requester.handle_iq(p.now, &r));
    assert!(matches!(
        p.requester.poll_event(),
        Some(Event::Failed(Failure::BadReply(None, _)))
    ));
    // A timeout.
    let mut p = Pair::new();
    p.requester.execute(p.now).unwrap();
    let sent = p.requester.poll_transmit().unwrap();
    let due = p.requester.poll_timeout().unwrap();
    assert_eq!(due, p.now + Duration::from_secs(60));
    p.requester.handle_timeout(due - Duration::from_secs(1));
    assert_eq!(p.requester.state(), State::Waiting);
    p.requester.handle_timeout(due);
    assert_eq!(
        p.requester.poll_event(),
        Some(Event::Failed(Failure::TimedOut))
    );
    // The late answer is not the requester's any more.
    let mut late = sent.error_reply(errors::forbidden());
    late.from = Some(p.server.clone());
    assert!(!p.requester.handle_iq(p.now, &late));
}

#[test]
fn the_responder_enforces_actions_and_sessions() {
    let mut p = Pair::new();
    p.started();
    let raw = |p: &mut Pair, from: &str, xml: &str| -> Iq {
        let mut req = iq(&format!(
            "<iq xmlns='jabber:client' type='set' id='raw' to='shakespeare.lit'>{xml}</iq>"
        ));
        req.from = Some(jid(from));
        assert!(p.responder.handle_iq(p.now, &req));
        assert!(matches!(
            p.responder.poll_event(),
            Some(ResponderEvent::Refused { .. })
        ));
        let reply = p.responder.poll_transmit().unwrap();
        assert_eq!(reply.type_, IqType::Error);
        reply
    };
    let cond = |r: &Iq| CommandErrorCondition::of(r.error.as_ref().unwrap());
    let me = "bard@shakespeare.lit/globe";
    // prev is not allowed at the first stage.
    let r = raw(
        &mut p,
        me,
        "<command xmlns='http://jabber.org/protocol/commands' node='config' sessionid='config:1' action='prev'/>",
    );
    assert_eq!(cond(&r), Some(CommandErrorCondition::BadAction));
    assert_eq!(
        r.error.as_ref().unwrap().condition,
        DefinedCondition::BadRequest
    );
    // An action XEP-0050 does not define.
    let r = raw(
        &mut p,
        me,
        "<command xmlns='http://jabber.org/protocol/commands' node='config' sessionid='config:1' action='jump'/>",
    );
    assert_eq!(cond(&r), Some(CommandErrorCondition::MalformedAction));
    // An unknown sessionid.
    let r = raw(
        &mut p,
        me,
        "<command xmlns='http://jabber.org/protocol/commands' node='config' sessionid='nope' action='next'/>",
    );
    assert_eq!(cond(&r), Some(CommandErrorCondition::BadSessionid));
    // Someone else naming the session: refused, the session untouched.
    let r = raw(
        &mut p,
        "mallory@evil.example/x",
        "<command xmlns='http://jabber.org/protocol/commands' node='config' sessionid='config:1' action='cancel'/>",
    );
    assert_eq!(cond(&r), Some(CommandErrorCondition::BadSessionid));
    assert!(p.responder.session("config:1").is_some());
    // An unknown node.
    let r = raw(
        &mut p,
        me,
        "<command xmlns='http://jabber.org/protocol/commands' node='reset'/>",
    );
    assert_eq!(
        r.error.as_ref().unwrap().condition,
        DefinedCondition::ItemNotFound
    );
    // The requester cancels: answered 'canceled' by the machine.
    p.requester.cancel(p.now).unwrap();
    assert_eq!(
        p.deliver_to_responder(),
        Some(ResponderEvent::Canceled {
            sessionid: "config:1".into()
        })
    );
    p.deliver_to_requester();
    assert_eq!(p.requester.poll_event(), Some(Event::Canceled));
    // The ended session's id is now session-expired.
    let r = raw(
        &mut p,
        me,
        "<command xmlns='http://jabber.org/protocol/commands' node='config' sessionid='config:1'/>",
    );
    assert_eq!(cond(&r), Some(CommandErrorCondition::SessionExpired));
    assert_eq!(
        r.error.as_ref().unwrap().condition,
        DefinedCondition::NotAllowed
    );
}

#[test]
fn sessions_expire_and_sessionids_are_used_once() {
    let mut p = Pair::new();
    p.started();
    let due = p.responder.poll_timeout().unwrap();
    assert_eq!(due, p.now + Duration::from_secs(600));
    p.now = due;
    p.responder.handle_timeout(p.now);
    assert_eq!(
        p.responder.poll_event(),
        Some(ResponderEvent::Expired {
            sessionid: "config:1".into()
        })
    );
    assert_eq!(p.responder.poll_timeout(), None);
    // The requester learns it at its next action.
    p.requester.next(p.now, None).unwrap();
    assert!(matches!(
        p.deliver_to_responder(),
        Some(ResponderEvent::Refused { .. })
    ));
    p.deliver_to_requester();
    let Some(Event::Failed(Failure::Error(e))) = p.requester.poll_event() else {
        panic!()
    };
    assert_eq!(
        CommandErrorCondition::of(&e),
        Some(CommandErrorCondition::SessionExpired)
    );
    // A new execution cannot reuse the sessionid.
    let mut q = Requester::new(p.server.clone(), "config", RequesterConfig::default());
    q.execute(p.now).unwrap();
    let mut req = q.poll_transmit().unwrap();
    req.from = Some(p.me.clone());
    assert!(p.responder.handle_iq(p.now, &req));
    let Some(ResponderEvent::Execute { request, .. }) = p.responder.poll_event() else {
        panic!()
    };
    assert_eq!(
        p.responder
            .start(p.now, request, "config:1", Reply::completed()),
        Err(CommandError::BadSessionId("config:1".into()))
    );
    assert_eq!(
        p.responder.start(p.now, request, "", Reply::completed()),
        Err(CommandError::BadSessionId(String::new()))
    );
    let invalid = Reply::stage(Some(Actions::new(None, true, false, false)));
    assert_eq!(
        p.responder.start(p.now, request, "config:2", invalid),
        Err(CommandError::InvalidActions)
    );
    assert!(p.responder.poll_transmit().is_none());
    assert!(
        p.responder
            .respond(p.now, request, Reply::completed())
            .is_err()
    );
    p.responder
        .start(p.now, request, "config:2", Reply::completed())
        .unwrap();
    assert_eq!(
        p.responder
            .start(p.now, request, "config:3", Reply::completed()),
        Err(CommandError::UnknownRequest(request))
    );
    assert_eq!(
        p.responder
            .refuse(p.now, RequestId(99), errors::forbidden()),
        Err(CommandError::UnknownRequest(RequestId(99)))
    );
}

#[test]
fn a_refused_payload_keeps_the_stage() {
    let mut p = Pair::new();
    p.started();
    p.requester.next(p.now, None).unwrap();
    let Some(ResponderEvent::Action { request, .. }) = p.deliver_to_responder() else {
        panic!()
    };
    // While the caller decides, a second request is not accepted.
    p.responder
        .refuse(p.now, request, CommandErrorCondition::BadPayload.error())
        .unwrap();
    p.deliver_to_requester();
    assert!(matches!(
        p.requester.poll_event(),
        Some(Event::ActionRefused {
            action: Action::Next,
            ..
        })
    ));
    assert_eq!(p.requester.state(), State::Executing);
    assert_eq!(p.requester.actions(), Some(&wizard_first()));
    assert!(!p.responder.session("config:1").unwrap().busy);
    // One session per command when so configured.
    let mut r = Responder::new(ResponderConfig {
        concurrent_sessions: false,
        ..ResponderConfig::default()
    });
    r.add_command("config", "Configure");
    let exec = |r: &mut Responder| {
        let mut req = iq(
            "<iq xmlns='jabber:client' type='set' id='x' to='shakespeare.lit'>\
             <command xmlns='http://jabber.org/protocol/commands' node='config' action='execute'/></iq>",
        );
        req.from = Some(jid("bard@shakespeare.lit/globe"));
        assert!(r.handle_iq(Instant::now(), &req));
        r.poll_event()
    };
    assert!(matches!(exec(&mut r), Some(ResponderEvent::Execute { .. })));
    assert!(matches!(exec(&mut r), Some(ResponderEvent::Refused { .. })));
    assert_eq!(
        r.poll_transmit().unwrap().error.unwrap().condition,
        DefinedCondition::NotAllowed
    );
}

#[test]
fn the_responder_reads_a_cancel_form_as_submit_and_keeps_the_language() {
    let mut r = Responder::new(ResponderConfig::default());
    r.add_command("list", "List");
    let mut req = iq(
        "<iq xmlns='jabber:client' type='set' id='exec1' to='responder@domain' xml:lang='fr-ca'>\
         <command xmlns='http://jabber.org/protocol/commands' node='list' action='execute'>\
         <x xmlns='jabber:x:data' type='cancel'/></command></iq>",
    );
    req.from = Some(jid("requester@domain/r"));
    assert!(r.handle_iq(Instant::now(), &req));
    let Some(ResponderEvent::Execute {
        request,
        lang,
        command,
        ..
    }) = r.poll_event()
    else {
        panic!()
    };
    assert_eq!(lang.as_deref(), Some("fr-ca"));
    assert_eq!(command.form().unwrap().type_, FormType::Submit);
    r.refuse(
        Instant::now(),
        request,
        CommandErrorCondition::BadLocale.error(),
    )
    .unwrap();
    let reply = r.poll_transmit().unwrap();
    assert!(
        reply
            .to_xml()
            .contains("<bad-locale xmlns='http://jabber.org/protocol/commands'/>")
    );
    // Not a command: not the responder's.
    let other = iq(
        "<iq xmlns='jabber:client' type='set' id='p' to='responder@domain'><ping xmlns='urn:xmpp:ping'/></iq>",
    );
    assert!(!r.handle_iq(Instant::now(), &other));
    let list = r.command_list(&jid("responder@domain"));
    assert_eq!(list.items.len(), 1);
}

// ---------------------------------------------------------------------------
// XEP-0133

fn admin_form(fields: &str) -> DataForm {
    DataForm::from_xml(
        format!(
            "<x xmlns='jabber:x:data' type='submit'><field type='hidden' var='FORM_TYPE'>\
             <value>http://jabber.org/protocol/admin</value></field>{fields}</x>"
        )
        .as_bytes(),
    )
    .unwrap()
}

#[test]
fn admin_nodes_cover_every_use_case() {
    assert_eq!(AdminCommand::ALL.len(), 32);
    for c in AdminCommand::ALL {
        assert_eq!(AdminCommand::from_node(c.node()), Some(*c));
        assert!(c.node().starts_with("http://jabber.org/protocol/admin#"));
    }
    assert_eq!(
        AdminCommand::GetOnlineUsersNum.node(),
        "http://jabber.org/protocol/admin#get-online-users-num"
    );
    assert_eq!(
        AdminCommand::from_node("http://jabber.org/protocol/admin#get-user-password"),
        None
    );
    assert_eq!(AdminCommand::from_node("config"), None);
}

#[test]
fn admin_views_read_and_write_their_fields() {
    let f = admin_form(
        "<field var='accountjid'><value>juliet@shakespeare.lit</value></field>\
         <field var='password'><value>R0m30</value></field>\
         <field var='password-verify'><value>R0m3O</value></field>\
         <field var='given_name'><value>Juliet</value></field>",
    );
    let add = AddUser::from_form(&f).unwrap();
    assert_eq!(add.accountjid, Some(jid("juliet@shakespeare.lit")));
    assert!(!add.passwords_match());
    let written = add.to_form(FormType::Submit);
    assert_eq!(
        written.field("password").unwrap().type_,
        Some(xep_forms::FieldType::TextPrivate)
    );
    assert_eq!(AddUser::from_form(&written).unwrap(), add);

    let f = admin_form(
        "<field var='accountjids'><value>a@shakespeare.lit</value><value>b@shakespeare.lit</value></field>",
    );
    assert_eq!(AccountJids::from_form(&f).unwrap().accountjids.len(), 2);
    let bad = admin_form("<field var='accountjids'><value>@@</value></field>");
    let e = AccountJids::from_form(&bad).unwrap_err().to_string();
    assert!(e.contains("accountjids"), "{e}");

    let f = admin_form(
        "<field var='accountjid'><value>juliet@shakespeare.lit</value></field>\
         <field var='password'><value>n3w</value></field>",
    );
    assert_eq!(
        ChangeUserPassword::from_form(&f)
            .unwrap()
            .password
            .as_deref(),
        Some("n3w")
    );

    let f = admin_form(
        "<field var='accountjids'><value>juliet@shakespeare.lit</value></field>\
         <field var='lastlogin'><value>2003-12-19T17:58:35Z</value></field>",
    );
    let last = UserLastLogin::from_form(&f).unwrap();
    assert_eq!(last.lastlogin.unwrap().0.to_xml(), "2003-12-19T17:58:35Z");
    let bad = admin_form("<field var='lastlogin'><value>yesterday</value></field>");
    assert!(UserLastLogin::from_form(&bad).is_err());

    let f = admin_form(
        "<field var='ipaddresses'><value>127.0.0.1</value></field>\
         <field var='rostersize'><value>123</value></field>\
         <field var='onlineresources'><value>work</value><value>home</value></field>\
         <field var='loginsperminute'><value>0.1</value></field>",
    );
    let stats = UserStats::from_form(&f).unwrap();
    assert_eq!(stats.rostersize, Some(123));
    assert_eq!(stats.onlineresources, ["work", "home"]);
    assert_eq!(stats.loginsperminute.as_deref(), Some("0.1"));

    let f = admin_form("<field var='onlineusersnum'><value>42</value></field>");
    assert_eq!(UsersNum::from_form(&f).unwrap().onlineusersnum, Some(42));

    let f = admin_form("<field var='max_items'><value>none</value></field>");
    assert_eq!(
        UsersListRequest::from_form(&f).unwrap().max_items,
        Some(MaxItems::Unlimited)
    );
    let f = admin_form("<field var='max_items'><value>100</value></field>");
    assert_eq!(
        UsersListRequest::from_form(&f).unwrap().max_items,
        Some(MaxItems::Count(100))
    );
    let f = admin_form("<field var='registereduserjids'><value>a@b</value></field>");
    assert_eq!(
        UsersList::from_form(&f).unwrap().registereduserjids.len(),
        1
    );

    let f = admin_form(
        "<field var='delay'><value>120</value></field>\
         <field var='announcement'><value>Restarting.</value><value>Log off.</value></field>",
    );
    let r = ShutdownOrRestart::from_form(&f).unwrap();
    assert_eq!(r.delay, Some(120));
    assert_eq!(r.announcement.len(), 2);

    // Another FORM_TYPE is refused.
    let other = DataForm::submit("jabber:iq:register", vec![]);
    assert!(AddUser::from_form(&other).is_err());
}

#[test]
fn the_roster_of_a_get_user_roster_result() {
    let f = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' type='result'><field type='hidden' var='FORM_TYPE'>\
          <value>http://jabber.org/protocol/admin</value></field>\
          <field var='accountjids'><value>juliet@shakespeare.lit</value></field>\
          <query xmlns='jabber:iq:roster'><item jid='romeo@example.net' name='Romeo' subscription='both'>\
          <group>Friends</group></item></query></x>",
    )
    .unwrap();
    let roster = admin::roster(&f).unwrap().unwrap();
    assert_eq!(roster.items.len(), 1);
    assert_eq!(
        AccountJids::from_form(&f).unwrap().accountjids,
        [jid("juliet@shakespeare.lit")]
    );
    assert_eq!(
        admin::error(admin::AdminError::Conflict).condition,
        DefinedCondition::Conflict
    );
}

// ---------------------------------------------------------------------------
// The paired machines

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// A Requester and a Responder over random stage graphs and action
    /// sequences always agree on the stage, the sessionid and the end.
    #[test]
    fn requester_and_responder_agree(
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80),
    ) {
        crate::sim::fuzz(Instant::now(), &data);
    }

    #[test]
    fn schedules_round_trip(
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80),
    ) {
        let s = crate::sim::schedule_from_bytes(&data);
        proptest::prop_assert_eq!(crate::sim::schedule_from_bytes(&crate::sim::schedule_to_bytes(&s)), s);
    }
}

#[test]
fn seeds_run() {
    let seeds = crate::sim::seeds();
    assert!(seeds.len() >= 8);
    for (name, data) in &seeds {
        assert!(
            !crate::sim::schedule_from_bytes(data).ops.is_empty(),
            "{name}"
        );
        crate::sim::fuzz(Instant::now(), data);
    }
    assert_eq!(crate::sim::dictionary().len(), 16);
}
