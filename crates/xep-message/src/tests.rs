use super::*;
use xep_core::{Message, MessageType};
use xep_element::XmlElement;
use xep_element::jid::Jid;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

#[test]
fn counting_follows_the_table_of_xep_0426() {
    // (string, UTF-8 bytes, code points), the XEP's §2 table.
    let rows = [
        ("Hello, world!", 13, 13),
        ("You & Me", 8, 8),
        ("こんにちは世界", 21, 7),
        (
            "\u{1F9DB}\u{1F3FE} \u{1F468}\u{200D}\u{1F468}\u{200D}\u{1F466}\u{200D}\u{1F466} \u{1F1FA}\u{1F1F3}",
            43,
            13,
        ),
    ];
    for (s, bytes, points) in rows {
        assert_eq!(s.len(), bytes, "{s}");
        assert_eq!(char_len(s), points, "{s}");
        assert_eq!(byte_range(s, 0, points as u32).unwrap(), 0..bytes);
    }
    // An entity counts as the character it stands for.
    let m =
        Message::from_xml(b"<message xmlns='jabber:client'><body>You &amp; Me</body></message>")
            .unwrap();
    assert_eq!(char_len(m.body(None).unwrap()), 8);
}

#[test]
fn byte_ranges_cut_at_code_points_and_refuse_what_does_not_fit() {
    let s = "こんにちは世界";
    assert_eq!(&s[byte_range(s, 5, 7).unwrap()], "世界");
    assert_eq!(byte_range(s, 7, 7).unwrap(), 21..21);
    assert_eq!(byte_range(s, 2, 2).unwrap(), 6..6);
    assert_eq!(
        byte_range(s, 3, 8),
        Err(RangeError::PastEnd { end: 8, len: 7 })
    );
    assert_eq!(
        byte_range(s, 8, 8),
        Err(RangeError::PastEnd { end: 8, len: 7 })
    );
    assert_eq!(
        byte_range(s, 4, 2),
        Err(RangeError::Reversed { start: 4, end: 2 })
    );
    assert_eq!(byte_range("", 0, 0).unwrap(), 0..0);
    assert!(byte_range("", 0, 1).is_err());
    assert!(byte_range("a", u32::MAX, u32::MAX).is_err());
}

#[test]
fn strip_merges_spans_and_reports_the_whole() {
    let s = "0123456789";
    assert_eq!(strip(s, &[]).unwrap().as_deref(), Some(s));
    assert_eq!(
        strip(s, &[Some((0, 3)), Some((2, 5)), Some((8, 9))])
            .unwrap()
            .as_deref(),
        Some("5679")
    );
    assert_eq!(strip(s, &[Some((0, 10))]).unwrap(), None);
    assert_eq!(strip(s, &[None]).unwrap(), None);
    assert_eq!(
        strip(s, &[Some((3, 11))]),
        Err(FallbackError::Range(RangeError::PastEnd {
            end: 11,
            len: 10
        }))
    );
}

#[test]
fn fallback_round_trips_and_half_ranges_are_refused_when_applied() {
    let xml = "<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'>\
               <subject/><body start='0' end='33'/><body start='40' end='41'/></fallback>";
    let f = Fallback::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(f.for_.as_deref(), Some(NS_REPLY));
    assert_eq!(f.subjects.len(), 1);
    assert_eq!(f.subjects[0].span().unwrap(), None);
    assert_eq!(f.bodies[0].span().unwrap(), Some((0, 33)));
    assert_eq!(Fallback::from_xml(f.to_xml().as_bytes()).unwrap(), f);

    let half = BodyRange {
        start: Some(3),
        end: None,
    };
    assert_eq!(
        half.span(),
        Err(FallbackError::HalfRange {
            start: Some(3),
            end: None
        })
    );
    assert!(
        Fallback::from_xml(b"<fallback xmlns='urn:xmpp:fallback:0'><body start='x'/></fallback>")
            .is_err()
    );
}

#[test]
fn body_without_fallback_applies_only_the_named_specification() {
    let m = Message::from_xml(
        "<message xmlns='jabber:client' type='chat'><body>&gt; Anna wrote:\n&gt; Hi\nGreat</body>\
         <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'><body start='0' end='19'/></fallback>\
         <fallback xmlns='urn:example:other' /></message>"
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        body_without_fallback(&m, NS_REPLY, None)
            .unwrap()
            .as_deref(),
        Some("Great")
    );
    // Another specification's fallback leaves the body whole.
    assert_eq!(
        body_without_fallback(&m, "urn:xmpp:reactions:0", None)
            .unwrap()
            .as_deref(),
        Some("> Anna wrote:\n> Hi\nGreat")
    );
    // A fallback without children covers every body.
    let whole = Message::from_xml(
        b"<message xmlns='jabber:client'><body>+1</body>\
          <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reactions:0'/></message>",
    )
    .unwrap();
    assert_eq!(
        body_without_fallback(&whole, "urn:xmpp:reactions:0", None).unwrap(),
        None
    );
    // A range past the body is an error, not a silent cut.
    let bad = Message::from_xml(
        b"<message xmlns='jabber:client'><body>short</body>\
          <fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'><body start='0' end='99'/></fallback></message>",
    )
    .unwrap();
    assert!(matches!(
        body_without_fallback(&bad, NS_REPLY, None),
        Err(FallbackError::Range(RangeError::PastEnd {
            end: 99,
            len: 5
        }))
    ));
}

fn from(m: &str, from: &str, xml_payloads: &str) -> Message {
    let mut msg = Message::from_xml(
        format!("<message xmlns='jabber:client' id='{m}'><body>hi</body>{xml_payloads}</message>")
            .as_bytes(),
    )
    .unwrap();
    msg.from = Some(jid(from));
    msg
}

#[test]
fn a_direct_reply_names_the_origin_id_else_the_id() {
    let plain = from("m1", "anna@example.com/tablet", "");
    let r = reply_to(&plain, &Chat::Direct).unwrap();
    assert_eq!(r.id, "m1");
    assert_eq!(r.to, Some(jid("anna@example.com/tablet")));
    let with_origin = from(
        "m2",
        "anna@example.com/tablet",
        "<origin-id xmlns='urn:xmpp:sid:0' id='origin-7'/>",
    );
    assert_eq!(reply_id(&with_origin, &Chat::Direct).unwrap(), "origin-7");
    let mut no_id = plain.clone();
    no_id.id = None;
    assert_eq!(reply_to(&no_id, &Chat::Direct), Err(NoReply::NoId(None)));
    let mut error = plain.clone();
    error.type_ = Some(MessageType::Error);
    assert_eq!(reply_to(&error, &Chat::Direct), Err(NoReply::ErrorMessage));
}

#[test]
fn in_a_room_only_the_rooms_stanza_id_names_a_message() {
    let room = Chat::Room {
        room: jid("coven@chat.example"),
        announces_sid: true,
    };
    // The sender's own stanza-id claim and the message id are not used.
    let m = from(
        "client-id",
        "coven@chat.example/anna",
        "<stanza-id xmlns='urn:xmpp:sid:0' by='anna@example.com' id='forged'/>\
         <stanza-id xmlns='urn:xmpp:sid:0' by='coven@chat.example' id='room-42'/>",
    );
    let r = reply_to(&m, &room).unwrap();
    assert_eq!(r.id, "room-42");
    assert_eq!(r.to, Some(jid("coven@chat.example/anna")));
    // Without the room's own stanza id, no reply (§4.1).
    let none = from(
        "client-id",
        "coven@chat.example/anna",
        "<stanza-id xmlns='urn:xmpp:sid:0' by='anna@example.com' id='forged'/>",
    );
    assert_eq!(
        reply_to(&none, &room),
        Err(NoReply::NoId(Some(xep_sid::Refusal::Absent)))
    );
    // Nor from a room that does not announce stanza ids.
    let silent = Chat::Room {
        room: jid("coven@chat.example"),
        announces_sid: false,
    };
    assert_eq!(
        reply_to(&m, &silent),
        Err(NoReply::NoId(Some(xep_sid::Refusal::NotAnnounced)))
    );
}

#[test]
fn answers_checks_the_id_and_the_author() {
    let original = from("m1", "anna@example.com/tablet", "");
    let r = reply_to(&original, &Chat::Direct).unwrap();
    assert!(answers(&r, &original, &Chat::Direct));
    // A bare JID in a one-to-one chat names any resource of the author.
    let bare = Reply {
        to: Some(jid("anna@example.com")),
        id: "m1".into(),
    };
    assert!(answers(&bare, &original, &Chat::Direct));
    // Another author, or another id: not this message.
    let other_author = Reply {
        to: Some(jid("mallory@example.com/x")),
        id: "m1".into(),
    };
    assert!(!answers(&other_author, &original, &Chat::Direct));
    let other_id = Reply {
        to: None,
        id: "m2".into(),
    };
    assert!(!answers(&other_id, &original, &Chat::Direct));
    // In a room, the message id is not the name even when it matches.
    let room = Chat::Room {
        room: jid("coven@chat.example"),
        announces_sid: true,
    };
    let in_room = from(
        "m1",
        "coven@chat.example/anna",
        "<stanza-id xmlns='urn:xmpp:sid:0' by='coven@chat.example' id='room-42'/>",
    );
    let by_client_id = Reply {
        to: Some(jid("coven@chat.example/anna")),
        id: "m1".into(),
    };
    assert!(!answers(&by_client_id, &in_room, &room));
    assert!(answers(
        &reply_to(&in_room, &room).unwrap(),
        &in_room,
        &room
    ));
}

#[test]
fn reply_needs_an_id() {
    assert!(Reply::from_xml(b"<reply xmlns='urn:xmpp:reply:0' to='a@b.example'/>").is_err());
    assert!(Reply::from_xml(b"<reply xmlns='urn:xmpp:reply:0' id=''/>").is_err());
    let r = Reply::from_xml(b"<reply xmlns='urn:xmpp:reply:0' id='x'/>").unwrap();
    assert_eq!(r.to, None);
}

#[test]
fn compose_without_a_quote_has_no_fallback() {
    let original = from("m1", "anna@example.com/tablet", "");
    let m = compose(
        &original,
        &Chat::Direct,
        jid("anna@example.com"),
        MessageType::Chat,
        "ok",
        None,
    )
    .unwrap();
    assert_eq!(m.body(None), Some("ok"));
    assert!(fallbacks(&m, None).unwrap().is_empty());
    assert_eq!(reply_text(&m).unwrap().as_deref(), Some("ok"));
    // Quoting a multi-byte body: the fallback's end counts code points.
    let mut jp = from("m3", "anna@example.com/tablet", "");
    jp.bodies[0].text = "こんにちは".into();
    let q = compose(
        &jp,
        &Chat::Direct,
        jid("anna@example.com"),
        MessageType::Chat,
        "はい",
        Some("アンナ"),
    )
    .unwrap();
    let f = &fallbacks(&q, Some(NS_REPLY)).unwrap()[0];
    let quote = "> アンナ wrote:\n> こんにちは\n";
    assert_eq!(
        f.bodies[0].span().unwrap(),
        Some((0, char_len(quote) as u32))
    );
    assert_eq!(reply_text(&q).unwrap().as_deref(), Some("はい"));
}

#[test]
fn spoiler_and_attention() {
    let m = Message::from_xml(
        "<message xmlns='jabber:client'><body>Snape kills Dumbledore</body>\
         <spoiler xmlns='urn:xmpp:spoiler:0' xml:lang='en'>Harry Potter</spoiler>\
         <spoiler xmlns='urn:xmpp:spoiler:0'/>\
         <attention xmlns='urn:xmpp:attention:0'/></message>"
            .as_bytes(),
    )
    .unwrap();
    let s: Vec<_> = spoilers(&m).into_iter().map(Result::unwrap).collect();
    assert_eq!(s[0].hint, "Harry Potter");
    assert_eq!(s[0].lang.as_deref(), Some("en"));
    assert_eq!(s[1], Spoiler::default());
    assert!(m.payload::<Attention>().is_some());
    assert!(Attention::from_xml(b"<attention xmlns='urn:xmpp:attention:0'>x</attention>").is_err());
}

#[test]
fn references_mark_text_by_code_points() {
    let m = Message::from_xml(
        "<message xmlns='jabber:client' type='groupchat'><body>Soft, Джульетта is the sun</body>\
         <reference xmlns='urn:xmpp:reference:0' begin='6' end='15' type='mention' uri='xmpp:juliet@capulet.example'/>\
         <reference xmlns='urn:xmpp:reference:0' type='data' uri='xmpp:fdp.example?;node=forms;item=1'/>\
         <reference xmlns='urn:xmpp:reference:0' type='emoji' uri='https://x.example/e.png'/></message>"
            .as_bytes(),
    )
    .unwrap();
    let refs = references(&m).unwrap();
    assert_eq!(refs[0].1.as_deref(), Some("Джульетта"));
    assert_eq!(
        refs[0].0.mentioned(),
        Some("juliet@capulet.example".parse().unwrap())
    );
    assert_eq!(refs[1].1, None);
    assert_eq!(refs[2].0.type_, ReferenceType::Other("emoji".into()));
    let r = Reference::mention(&"juliet@capulet.example".parse().unwrap(), 6, 15);
    assert_eq!(Reference::from_xml(r.to_xml().as_bytes()).unwrap(), r);
    // Ranges past the body are errors; half ranges and empty URIs do not parse.
    let past = Message::from_xml(
        b"<message xmlns='jabber:client'><body>hi</body>\
          <reference xmlns='urn:xmpp:reference:0' begin='0' end='9' type='mention' uri='xmpp:a@b.example'/></message>",
    )
    .unwrap();
    assert!(matches!(
        references(&past),
        Err(ReferenceError::Range(RangeError::PastEnd {
            end: 9,
            len: 2
        }))
    ));
    for bad in [
        "<reference xmlns='urn:xmpp:reference:0' begin='3' type='mention' uri='xmpp:a@b.example'/>",
        "<reference xmlns='urn:xmpp:reference:0' begin='5' end='3' type='mention' uri='xmpp:a@b.example'/>",
        "<reference xmlns='urn:xmpp:reference:0' type='mention' uri=''/>",
        "<reference xmlns='urn:xmpp:reference:0' uri='xmpp:a@b.example'/>",
    ] {
        assert!(Reference::from_xml(bad.as_bytes()).is_err(), "{bad}");
    }
}

#[test]
fn mentions_follow_section_3() {
    let ok = [
        "<mention xmlns='urn:xmpp:mentions:0' begin='7' end='12' occupantid='alice@occupant-id'/>",
        "<mention xmlns='urn:xmpp:mentions:0' jid='alice@commons.example'><noping/></mention>",
        "<mention xmlns='urn:xmpp:mentions:0' mentions='urn:xmpp:mentions:0#channel'/>",
        "<mention xmlns='urn:xmpp:mentions:0' mentions='urn:xmpp:mentions:0#server' uri='xmpp:commons.example'><active/></mention>",
    ];
    for xml in ok {
        let m = Mention::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
        assert_eq!(Mention::from_xml(m.to_xml().as_bytes()).unwrap(), m);
    }
    let bad = [
        ("<mention xmlns='urn:xmpp:mentions:0'/>", "occupantid"),
        (
            "<mention xmlns='urn:xmpp:mentions:0' begin='3' jid='a@b.example'/>",
            "together",
        ),
        (
            "<mention xmlns='urn:xmpp:mentions:0' mentions='urn:xmpp:mentions:0#server'/>",
            "uri",
        ),
        (
            "<mention xmlns='urn:xmpp:mentions:0' mentions='urn:xmpp:mentions:0#channel' jid='a@b.example'/>",
            "no person",
        ),
    ];
    for (xml, why) in bad {
        let e = Mention::from_xml(xml.as_bytes()).unwrap_err();
        assert!(e.to_string().contains(why), "{xml}: {e}");
    }
    assert_eq!(
        Group::parse("urn:xmpp:mentions:0#moderators"),
        Group::Moderators
    );
    assert_eq!(
        Group::parse("urn:example:custom"),
        Group::Other("urn:example:custom".into())
    );
}

#[test]
fn who_is_notified() {
    use xep_forms::{FormType, FormView};
    let alice: Jid = "alice@commons.example".parse().unwrap();
    let groups = [Group::Channel, Group::Participants, Group::Member];
    let me = Me {
        jid: &alice,
        occupant_id: Some("occ-alice"),
        groups: &groups,
    };
    let person = Mention::occupant("occ-alice");
    let other = Mention::occupant("occ-bob");
    let channel = Mention::from_xml(
        b"<mention xmlns='urn:xmpp:mentions:0' mentions='urn:xmpp:mentions:0#channel'/>",
    )
    .unwrap();
    let owners = Mention::from_xml(
        b"<mention xmlns='urn:xmpp:mentions:0' mentions='urn:xmpp:mentions:0#owner'/>",
    )
    .unwrap();
    assert!(notifies(
        std::slice::from_ref(&person),
        &me,
        Sender::Participant,
        None
    ));
    assert!(!notifies(
        std::slice::from_ref(&other),
        &me,
        Sender::Participant,
        None
    ));
    assert!(notifies(
        std::slice::from_ref(&channel),
        &me,
        Sender::Participant,
        None
    ));
    assert!(!notifies(&[owners], &me, Sender::Participant, None));
    let mut quiet = person.clone();
    quiet.noping = true;
    assert!(!notifies(&[quiet], &me, Sender::Moderator, None));
    // A bare JID mention outside rooms.
    let outside = Me {
        jid: &alice,
        occupant_id: None,
        groups: &[],
    };
    assert!(notifies(
        &[Mention::of_jid(
            "alice@commons.example/phone".parse().unwrap()
        )],
        &outside,
        Sender::Participant,
        None
    ));
    // The room's permissions: channel mentions for moderators, at most 2.
    let perms = MentionPermissions {
        count: Some(2),
        individual: Some(Allowed::Participants),
        channel: Some(Allowed::Moderators),
        ..MentionPermissions::default()
    };
    let form = perms.to_form(FormType::Submit);
    assert_eq!(MentionPermissions::from_form(&form).unwrap(), perms);
    assert!(!notifies(
        std::slice::from_ref(&channel),
        &me,
        Sender::Participant,
        Some(&perms)
    ));
    assert!(notifies(&[channel], &me, Sender::Moderator, Some(&perms)));
    assert!(!notifies(
        &[person.clone(), other.clone(), other],
        &me,
        Sender::Moderator,
        Some(&perms)
    ));
    let nobody = MentionPermissions {
        individual: Some(Allowed::None),
        ..perms
    };
    assert!(!notifies(&[person], &me, Sender::Moderator, Some(&nobody)));
}
