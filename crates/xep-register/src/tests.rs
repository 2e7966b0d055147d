use super::*;
use crate::captcha::{
    AnswerError, Captcha, CaptchaError, CaptchaForm, ChallengeRefusal, ChallengeType,
    check_answers, hashcash_matches, solve_hashcash,
};
use crate::search::{SearchForm, SearchItem, SearchQuery};
use xep_core::Message;
use xep_forms::{FormType, FormView};
use xep_testkit::stanza::{iq, message};

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

#[test]
fn every_legacy_field_round_trips() {
    let mut q = RegisterQuery {
        registered: true,
        instructions: Some("Your details.".into()),
        ..RegisterQuery::default()
    };
    for (i, f) in LegacyField::ALL.into_iter().enumerate() {
        q.set(f, format!("v{i}"));
    }
    let xml = q.to_xml();
    for f in LegacyField::ALL {
        assert!(xml.contains(&format!("<{}>", f.name())), "{xml}");
    }
    let back = RegisterQuery::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(back, q);
    assert_eq!(back.fields().len(), 17);
    assert_eq!(back.get(LegacyField::Zip), Some("v10"));
}

#[test]
fn asked_fields_are_empty_elements() {
    let q = RegisterQuery::from_xml(
        b"<query xmlns='jabber:iq:register'><instructions>Pick a name.</instructions>\
          <username/><password></password><email/></query>",
    )
    .unwrap();
    assert_eq!(
        q.fields(),
        [
            LegacyField::Username,
            LegacyField::Password,
            LegacyField::Email
        ]
    );
    assert_eq!(q.get(LegacyField::Username), Some(""));
    assert_eq!(q.get(LegacyField::Nick), None);
}

#[test]
fn bad_queries_are_errors() {
    for (xml, want) in [
        (
            "<query xmlns='jabber:iq:register'><remove/><username>bill</username></query>",
            "remove",
        ),
        (
            "<query xmlns='jabber:iq:register'><fax>1</fax></query>",
            "fax",
        ),
        (
            "<query xmlns='jabber:iq:register'><username><b/></username></query>",
            "username",
        ),
        (
            "<query xmlns='jabber:iq:register'><x xmlns='jabber:x:oob'/></query>",
            "url",
        ),
        (
            "<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='nope'/></query>",
            "nope",
        ),
        (
            "<query xmlns='jabber:iq:register'><registered>yes</registered></query>",
            "registered",
        ),
    ] {
        let e = RegisterQuery::from_xml(xml.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(e.contains(want) && e.contains("query"), "{xml}: {e}");
    }
    assert!(
        RegisterFeature::from_xml(
            b"<register xmlns='http://jabber.org/features/iq-register'><x/></register>"
        )
        .is_err()
    );
}

#[test]
fn requests_of_each_use_case() {
    assert_eq!(
        request_fields("reg1", Some(jid("shakespeare.lit"))).to_xml(),
        "<iq xmlns='jabber:client' to='shakespeare.lit' id='reg1' type='get'><query xmlns='jabber:iq:register'/></iq>"
    );
    assert_eq!(
        cancel("unreg1", None).to_xml(),
        "<iq xmlns='jabber:client' id='unreg1' type='set'><query xmlns='jabber:iq:register'><remove/></query></iq>"
    );
    assert_eq!(
        change_password("change1", Some(jid("shakespeare.lit")), "bill", "newpass").to_xml(),
        "<iq xmlns='jabber:client' to='shakespeare.lit' id='change1' type='set'><query xmlns='jabber:iq:register'>\
         <username>bill</username><password>newpass</password></query></iq>"
    );
    let form = RegistrationForm {
        username: Some("bill".into()),
        password: Some("Calliope".into()),
        ..RegistrationForm::default()
    }
    .to_form(FormType::Submit);
    let sub = submit_form("reg4", None, form);
    let q = sub.payload::<RegisterQuery>().unwrap().unwrap();
    assert!(q.form.is_some() && q.fields().is_empty());
    assert_eq!(
        RegisterFeature.to_xml(),
        "<register xmlns='http://jabber.org/features/iq-register'/>"
    );
}

#[test]
fn offers_follow_the_precedence_order() {
    let offer = |inner: &str| {
        Offer::from_reply(&iq(&format!(
            "<iq xmlns='jabber:client' type='result' id='r'><query xmlns='jabber:iq:register'>{inner}</query></iq>"
        )))
        .unwrap()
        .unwrap()
        .procedure()
    };
    assert_eq!(offer("<username/><password/>"), Procedure::SubmitFields);
    assert_eq!(
        offer("<username/><x xmlns='jabber:x:data' type='form'/>"),
        Procedure::SubmitForm
    );
    assert_eq!(
        offer("<registered/><username>juliet</username>"),
        Procedure::AlreadyRegistered
    );
    assert_eq!(
        offer(
            "<instructions>Visit the site.</instructions>\
             <x xmlns='jabber:x:oob'><url>http://www.shakespeare.lit/contests.php</url></x>"
        ),
        Procedure::Redirect {
            instructions: Some("Visit the site.".into()),
            url: Some("http://www.shakespeare.lit/contests.php".into())
        }
    );
    // XEP-0158 writes the form before the instructions: any order reads.
    assert_eq!(
        offer("<x xmlns='jabber:x:data' type='form'/><instructions>Or visit.</instructions>"),
        Procedure::SubmitForm
    );
    assert!(
        Offer::from_reply(&iq(
            "<iq xmlns='jabber:client' type='error' id='r'><error type='cancel'>\
             <service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
        ))
        .is_none()
    );
}

#[test]
fn the_host_checks_submissions_and_removals() {
    let asked = RegisterQuery::from_xml(
        b"<query xmlns='jabber:iq:register'><username/><password/><email/></query>",
    )
    .unwrap();
    let mut given = RegisterQuery::default();
    given.set(LegacyField::Username, "bill");
    given.set(LegacyField::Password, "");
    let e = check_submission(&asked, &given).unwrap_err();
    assert_eq!(e.condition, DefinedCondition::NotAcceptable);
    assert_eq!(e.type_, ErrorType::Modify);
    assert!(e.texts[0].text.contains("password, email"));
    given.set(LegacyField::Password, "Calliope");
    given.set(LegacyField::Email, "bard@shakespeare.lit");
    assert_eq!(check_submission(&asked, &given), Ok(()));

    assert_eq!(check_remove(&RegisterQuery::removal()), Ok(()));
    let mut with_form = RegisterQuery::removal();
    with_form.form = Some(DataForm::submit(FORM_TYPE_CANCEL, vec![]));
    assert_eq!(
        check_remove(&with_form).unwrap_err().condition,
        DefinedCondition::BadRequest
    );
}

#[test]
fn errors_of_each_use_case() {
    for (e, c, t) in [
        (
            RegistrationError::Conflict.error(),
            DefinedCondition::Conflict,
            ErrorType::Cancel,
        ),
        (
            RegistrationError::NotAcceptable.error(),
            DefinedCondition::NotAcceptable,
            ErrorType::Modify,
        ),
        (
            RegistrationError::ServiceUnavailable.error(),
            DefinedCondition::ServiceUnavailable,
            ErrorType::Cancel,
        ),
        (
            CancellationError::BadRequest.error(),
            DefinedCondition::BadRequest,
            ErrorType::Modify,
        ),
        (
            CancellationError::Forbidden.error(),
            DefinedCondition::Forbidden,
            ErrorType::Cancel,
        ),
        (
            CancellationError::NotAllowed.error(),
            DefinedCondition::NotAllowed,
            ErrorType::Cancel,
        ),
        (
            CancellationError::RegistrationRequired.error(),
            DefinedCondition::RegistrationRequired,
            ErrorType::Auth,
        ),
        (
            CancellationError::UnexpectedRequest.error(),
            DefinedCondition::UnexpectedRequest,
            ErrorType::Wait,
        ),
        (
            PasswordChangeError::BadRequest.error(),
            DefinedCondition::BadRequest,
            ErrorType::Modify,
        ),
        (
            PasswordChangeError::NotAuthorized.error(),
            DefinedCondition::NotAuthorized,
            ErrorType::Modify,
        ),
        (
            PasswordChangeError::NotAllowed.error(),
            DefinedCondition::NotAllowed,
            ErrorType::Cancel,
        ),
        (
            PasswordChangeError::UnexpectedRequest.error(),
            DefinedCondition::UnexpectedRequest,
            ErrorType::Wait,
        ),
    ] {
        assert_eq!((e.condition, e.type_), (c, t));
    }
    // A password change error leaves the password out.
    let mut req = change_password("change1", Some(jid("shakespeare.lit")), "bill", "newpass");
    req.from = Some(jid("bill@shakespeare.lit/globe"));
    let reply = password_change_error(&req, PasswordChangeError::NotAllowed);
    assert!(!reply.to_xml().contains("newpass"));
    // A form with the error.
    let form = PasswordChangeForm {
        username: Some("bill".into()),
        ..PasswordChangeForm::default()
    }
    .to_form(FormType::Form);
    let reply = error_with_form(
        &req,
        form.clone(),
        PasswordChangeError::NotAuthorized.error(),
    );
    let out = outcome(&req, &reply, None).unwrap();
    assert_eq!(
        out,
        Outcome::Refused {
            error: PasswordChangeError::NotAuthorized.error(),
            form: Some(Box::new(form))
        }
    );
    assert!(!reply.to_xml().contains("newpass"));
}

#[test]
fn answers_are_believed_only_from_the_host_asked() {
    let req = register(
        "reg2",
        Some(jid("contests.shakespeare.lit")),
        RegisterQuery::default(),
    );
    let mut ok = req.result(None);
    ok.from = Some(jid("contests.shakespeare.lit"));
    assert_eq!(outcome(&req, &ok, None), Ok(Outcome::Done));
    let mut forged = ok.clone();
    forged.from = Some(jid("mallory@evil.example/x"));
    assert_eq!(
        outcome(&req, &forged, None),
        Err(NotBelieved::WrongSender(Some(jid(
            "mallory@evil.example/x"
        ))))
    );
    let mut other = ok.clone();
    other.id = "reg3".into();
    assert_eq!(outcome(&req, &other, None), Err(NotBelieved::NotAnAnswer));
    // To the own server: no from, or the account's domain or bare JID.
    let own = cancel("unreg1", None);
    let account = jid("bill@shakespeare.lit/globe");
    let mut r = own.result(None);
    r.from = None;
    assert_eq!(outcome(&own, &r, Some(&account)), Ok(Outcome::Done));
    r.from = Some(jid("shakespeare.lit"));
    assert_eq!(outcome(&own, &r, Some(&account)), Ok(Outcome::Done));
    r.from = Some(jid("bill@shakespeare.lit"));
    assert_eq!(outcome(&own, &r, Some(&account)), Ok(Outcome::Done));
    r.from = Some(jid("evil.example"));
    assert!(outcome(&own, &r, Some(&account)).is_err());
    r.from = Some(jid("shakespeare.lit/x"));
    assert!(outcome(&own, &r, Some(&account)).is_err());
}

#[test]
fn registered_forms() {
    let f = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>jabber:iq:register</value></field>\
          <field var='challenge'><value>F3A6292C</value></field><field var='answers'><value>3</value></field>\
          <field var='ocr'><value>7nHL3</value></field><field var='username'><value>bill</value></field>\
          <field var='SHA-256'><value>x</value></field><field var='x-gender'><value>F</value></field></x>",
    )
    .unwrap();
    let v = RegistrationForm::from_form(&f).unwrap();
    assert_eq!(v.username.as_deref(), Some("bill"));
    assert_eq!(v.answers, Some(3));
    assert_eq!(v.ocr.as_deref(), Some("7nHL3"));
    assert_eq!(v.sha256.as_deref(), Some("x"));
    assert_eq!(v.other.len(), 1);
    let c = CancellationForm {
        username: Some("bill@shakespeare.lit".into()),
        password: Some("theglobe".into()),
        ..CancellationForm::default()
    };
    let form = c.to_form(FormType::Submit);
    assert_eq!(form.form_type(), Some(FORM_TYPE_CANCEL));
    assert_eq!(CancellationForm::from_form(&form).unwrap(), c);
    assert!(PasswordChangeForm::from_form(&form).is_err());
}

// ---------------------------------------------------------------------------
// XEP-0158

fn challenge_message(from: &str, id: &str, fields: &str) -> Message {
    message(&format!(
        "<message xmlns='jabber:client' from='{from}' to='robot@abuser.com/zombie' id='{id}'>\
         <body>Blocked.</body><captcha xmlns='urn:xmpp:captcha'><x xmlns='jabber:x:data' type='form'>\
         <field type='hidden' var='FORM_TYPE'><value>urn:xmpp:captcha</value></field>{fields}</x></captcha></message>"
    ))
}

#[test]
fn challenges_are_believed_only_when_they_answer_what_was_sent() {
    let fields = "<field type='hidden' var='from'><value>innocent@victim.com</value></field>\
                  <field type='hidden' var='challenge'><value>F3A6292C</value></field>\
                  <field type='hidden' var='sid'><value>spam1</value></field>\
                  <field label='Type the color of a stop light' type='text-single' var='qa'/>";
    let sent = |to: &Jid, sid: Option<&str>| {
        to.to_string() == "innocent@victim.com" && sid == Some("spam1")
    };
    // From the domain of the form's 'from': believed.
    let m = challenge_message("victim.com", "F3A6292C", fields);
    let c = captcha::believe(&m, sent).unwrap();
    assert_eq!(c.sid.as_deref(), Some("spam1"));
    // From the JID itself, or one of its resources.
    assert!(
        captcha::believe(
            &challenge_message("innocent@victim.com/pda", "F3A6292C", fields),
            sent
        )
        .is_ok()
    );
    // From someone else: ignored.
    assert_eq!(
        captcha::believe(&challenge_message("evil.example", "F3A6292C", fields), sent),
        Err(ChallengeRefusal::SenderMismatch)
    );
    // Nothing was sent that it answers: ignored.
    assert_eq!(
        captcha::believe(&m, |_, _| false),
        Err(ChallengeRefusal::NotTriggered)
    );
    // The message's id must be the challenge id.
    assert!(matches!(
        captcha::believe(&challenge_message("victim.com", "other", fields), sent),
        Err(ChallengeRefusal::Malformed(_))
    ));
    // The hidden fields are required.
    assert!(matches!(
        captcha::believe(
            &challenge_message("victim.com", "F3A6292C", "<field var='qa'/>"),
            sent
        ),
        Err(ChallengeRefusal::Malformed(_))
    ));
    // The answer copies the hidden fields.
    let a = captcha::answer(
        "z140r0s",
        Some(jid("victim.com")),
        &c,
        &[(ChallengeType::Qa, "red".into())],
    );
    let form = a.payload::<Captcha>().unwrap().unwrap().form;
    assert_eq!(form.type_, FormType::Submit);
    assert_eq!(form.value("challenge"), Some("F3A6292C"));
    assert_eq!(form.value("qa"), Some("red"));
    assert_eq!(
        CaptchaForm::from_form(&form).unwrap().qa.as_deref(),
        Some("red")
    );
}

#[test]
fn answers_must_cover_required_and_enough_challenges() {
    let challenge = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' type='form'>\
          <field type='hidden' var='FORM_TYPE'><value>urn:xmpp:captcha</value></field>\
          <field type='hidden' var='challenge'><value>73DE28A2</value></field>\
          <field type='hidden' var='answers'><value>2</value></field>\
          <field var='ocr' label='Enter the text you see'/>\
          <field var='qa' type='text-single' label='Color of a stop light'><required/></field>\
          <field var='SHA-256' type='text-single' label='e03d7'/></x>",
    )
    .unwrap();
    assert_eq!(
        captcha::challenges(&challenge),
        [("ocr", false), ("qa", true), ("SHA-256", false)]
    );
    let response = |fields: &str| {
        DataForm::from_xml(
            format!(
                "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>urn:xmpp:captcha</value></field>\
                 <field var='challenge'><value>73DE28A2</value></field>{fields}</x>"
            )
            .as_bytes(),
        )
        .unwrap()
    };
    assert_eq!(
        check_answers(
            &challenge,
            &response("<field var='ocr'><value>7nHL3</value></field>")
        ),
        Err(AnswerError::RequiredMissing("qa".into()))
    );
    assert_eq!(
        check_answers(
            &challenge,
            &response("<field var='qa'><value>red</value></field>")
        ),
        Err(AnswerError::TooFew {
            wanted: 2,
            given: 1
        })
    );
    assert_eq!(
        check_answers(
            &challenge,
            &response(
                "<field var='qa'><value>red</value></field><field var='ocr'><value>7nHL3</value></field>"
            )
        ),
        Ok(())
    );
    let mut wrong = response("<field var='qa'><value>red</value></field>");
    wrong.field_mut("challenge").unwrap().values = vec!["other".into()];
    assert_eq!(
        check_answers(&challenge, &wrong),
        Err(AnswerError::WrongChallenge)
    );
    assert_eq!(
        CaptchaError::UnknownChallenge.error().condition,
        DefinedCondition::ServiceUnavailable
    );
    assert_eq!(CaptchaError::Failed.error().type_, ErrorType::Cancel);
    assert_eq!(CaptchaError::Declined.error().type_, ErrorType::Modify);
}

#[test]
fn hashcash_of_section_6_2() {
    // The XEP's example answer to the label 'e03d7' does not solve it:
    // SHA-256("innocent@victim.com2450F06C173B05E3") ends in ...55ad3a8b,
    // whose low 20 bits are 0xd3a8b. The text is illustrative only.
    assert!(!hashcash_matches(
        "e03d7",
        "innocent@victim.com2450F06C173B05E3"
    ));
    assert!(hashcash_matches(
        "d3a8b",
        "innocent@victim.com2450F06C173B05E3"
    ));
    // A solution of the XEP's label, found by the rule of §6.2 (the low
    // 20 bits of the hash equal 0xe03d7).
    assert!(hashcash_matches("e03d7", "innocent@victim.com6AB40"));
    assert_eq!(
        solve_hashcash("innocent@victim.com", "e03d7", 0x6AB41).as_deref(),
        Some("innocent@victim.com6AB40")
    );
    assert!(!hashcash_matches("zz", "anything"));
    assert!(!hashcash_matches("", "anything"));
    assert_eq!(solve_hashcash("x", "ffffffff", 10), None);
}

#[test]
fn challenge_types() {
    for t in ChallengeType::ALL {
        assert_eq!(ChallengeType::from_var(t.var()), Some(t));
    }
    assert_eq!(ChallengeType::Ocr.mime_type(), Some("image/jpeg"));
    assert_eq!(ChallengeType::SpeechRecog.mime_type(), Some("audio/x-wav"));
    assert_eq!(ChallengeType::VideoQ.mime_type(), Some("video/mpeg"));
    assert_eq!(ChallengeType::Sha256.mime_type(), None);
    assert!(Captcha::from_xml(b"<captcha xmlns='urn:xmpp:captcha'/>").is_err());
}

// ---------------------------------------------------------------------------
// XEP-0055

#[test]
fn search_queries_and_results() {
    let q = SearchQuery::from_xml(
        b"<query xmlns='jabber:iq:search'><instructions>Fill in.</instructions>\
          <first/><last/><nick/><email/></query>",
    )
    .unwrap();
    assert_eq!(q.first.as_deref(), Some(""));
    assert_eq!(SearchQuery::from_xml(q.to_xml().as_bytes()).unwrap(), q);
    let r = SearchQuery::from_xml(
        b"<query xmlns='jabber:iq:search'><item jid='juliet@capulet.com'><first>Juliet</first>\
          <last>Capulet</last><nick>JuliC</nick><email>juliet@shakespeare.lit</email></item>\
          <item jid='tybalt@shakespeare.lit'><nick>ty</nick></item></query>",
    )
    .unwrap();
    assert_eq!(r.items.len(), 2);
    assert_eq!(r.items[1].nick.as_deref(), Some("ty"));
    for (xml, want) in [
        (
            "<query xmlns='jabber:iq:search'><first>J</first><item jid='a@b'/></query>",
            "one or the other",
        ),
        ("<query xmlns='jabber:iq:search'><item/></query>", "jid"),
        (
            "<query xmlns='jabber:iq:search'><age>3</age></query>",
            "age",
        ),
    ] {
        let e = SearchQuery::from_xml(xml.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{xml}: {e}");
    }
    let item = SearchItem {
        jid: jid("romeo@montague.net"),
        first: None,
        last: None,
        nick: Some("Romeo".into()),
        email: None,
    };
    assert!(item.to_xml().contains("<nick>Romeo</nick>"));
    let f = SearchForm {
        last: Some("Montague".into()),
        ..SearchForm::default()
    }
    .to_form(FormType::Submit);
    let req = search::search_form("search4", jid("characters.shakespeare.lit"), f);
    assert!(req.to_xml().contains("jabber:iq:search"));
    // Results only from the service asked.
    let mut reply = req.result(Some(Payload::new(r.clone())));
    reply.from = Some(jid("characters.shakespeare.lit"));
    assert_eq!(search::results(&req, &reply).unwrap().unwrap().len(), 2);
    reply.from = Some(jid("mallory@evil.example"));
    assert!(search::results(&req, &reply).is_err());
    // No match: an empty query.
    let mut empty = req.result(None);
    empty.from = Some(jid("characters.shakespeare.lit"));
    assert_eq!(search::results(&req, &empty).unwrap().unwrap(), Vec::new());
}
