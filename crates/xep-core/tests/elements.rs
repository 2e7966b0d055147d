//! Unit tests of the individual RFC 6120/6121/7395 elements: every defined
//! condition, every enumerated value, the SASL data rules, the iq rules and
//! the error paths of bad input.

use xep_core::{
    Ask, Auth, Bind, Challenge, Close, DefinedCondition, ErrorType, Features, Iq, IqType, Item,
    Mechanisms, Message, MessageType, Open, Presence, PresenceType, Response, Roster,
    SaslCondition, SaslData, SaslFailure, Session, Show, Stanza, StanzaError, StartTls,
    StreamCondition, StreamError, Subscription, Success,
};
use xep_element::{ContentNs, Payload, XmlElement, equivalent, minidom};

/// Parses `xml` as `T`, serializes it and checks the result is equivalent
/// to the input, then returns the value.
fn round_trip<T: XmlElement + std::fmt::Debug>(xml: &str) -> T {
    let v = T::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
    let out = v.to_xml();
    let a: minidom::Element = xml.parse().unwrap();
    let b: minidom::Element = out.parse().unwrap();
    if let Err(d) = equivalent(&a, &b) {
        panic!("not equivalent ({d:?}):\n{xml}\n{out}");
    }
    v
}

const STANZA_CONDITIONS: [&str; 22] = [
    "bad-request",
    "conflict",
    "feature-not-implemented",
    "forbidden",
    "gone",
    "internal-server-error",
    "item-not-found",
    "jid-malformed",
    "not-acceptable",
    "not-allowed",
    "not-authorized",
    "policy-violation",
    "recipient-unavailable",
    "redirect",
    "registration-required",
    "remote-server-not-found",
    "remote-server-timeout",
    "resource-constraint",
    "service-unavailable",
    "subscription-required",
    "undefined-condition",
    "unexpected-request",
];

#[test]
fn every_stanza_error_condition_and_type_round_trips() {
    let mut seen = Vec::new();
    for (i, cond) in STANZA_CONDITIONS.iter().enumerate() {
        let type_ = ["auth", "cancel", "continue", "modify", "wait"][i % 5];
        let xml = format!(
            "<error xmlns='jabber:client' type='{type_}'>\
             <{cond} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"
        );
        let e: StanzaError = round_trip(&xml);
        assert!(!seen.contains(&e.condition), "{cond} parsed as a duplicate");
        seen.push(e.condition);
    }
    assert_eq!(seen.len(), 22);
}

#[test]
fn stanza_error_keeps_by_text_languages_and_application_condition() {
    let xml = "<error xmlns='jabber:client' type='modify' by='example.org'>\
        <bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
        <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>Bad</text>\
        <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='de'>Schlecht</text>\
        <too-many-subscriptions xmlns='http://jabber.org/protocol/pubsub#errors'/></error>";
    let e: StanzaError = round_trip(xml);
    assert_eq!(e.type_, ErrorType::Modify);
    assert_eq!(e.by.unwrap().to_string(), "example.org");
    assert_eq!(e.texts.len(), 2);
    assert_eq!(e.texts[1].lang.as_deref(), Some("de"));
    assert_eq!(e.app.len(), 1);
}

#[test]
fn gone_and_redirect_keep_their_uri() {
    let e: StanzaError = round_trip(
        "<error xmlns='jabber:client' type='cancel'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>\
         xmpp:romeo@example.net</gone></error>",
    );
    match e.condition {
        DefinedCondition::Gone(g) => assert_eq!(g.uri.as_deref(), Some("xmpp:romeo@example.net")),
        c => panic!("{c:?}"),
    }
}

#[test]
fn stanza_error_without_condition_or_with_bad_type_is_rejected_with_path() {
    let e = StanzaError::from_xml(b"<error xmlns='jabber:client' type='cancel'/>").unwrap_err();
    assert_eq!(e.path(), "error");
    let e = StanzaError::from_xml(
        b"<error xmlns='jabber:client' type='fatal'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>",
    )
    .unwrap_err();
    assert!(e.to_string().contains("fatal"), "{e}");
    let e = StanzaError::from_xml(
        b"<error xmlns='jabber:client' type='cancel'><no-such xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>",
    )
    .unwrap_err();
    // An unknown element of the stanzas namespace is no defined condition.
    assert!(
        e.to_string()
            .contains("missing required child <bad-request|"),
        "{e}"
    );
}

const STREAM_CONDITIONS: [&str; 25] = [
    "bad-format",
    "bad-namespace-prefix",
    "conflict",
    "connection-timeout",
    "host-gone",
    "host-unknown",
    "improper-addressing",
    "internal-server-error",
    "invalid-from",
    "invalid-namespace",
    "invalid-xml",
    "not-authorized",
    "not-well-formed",
    "policy-violation",
    "remote-connection-failed",
    "reset",
    "resource-constraint",
    "restricted-xml",
    "see-other-host",
    "system-shutdown",
    "undefined-condition",
    "unsupported-encoding",
    "unsupported-feature",
    "unsupported-stanza-type",
    "unsupported-version",
];

#[test]
fn every_stream_error_condition_round_trips() {
    let mut seen = Vec::new();
    for cond in STREAM_CONDITIONS {
        let body = if cond == "see-other-host" {
            "[2001:41D0:1:A49b::1]:9222"
        } else {
            ""
        };
        let xml = format!(
            "<stream:error xmlns:stream='http://etherx.jabber.org/streams'>\
             <{cond} xmlns='urn:ietf:params:xml:ns:xmpp-streams'>{body}</{cond}>\
             <text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>why</text>\
             </stream:error>"
        );
        let e: StreamError = round_trip(&xml);
        assert_eq!(e.texts[0].text, "why");
        assert!(!seen.contains(&e.condition));
        seen.push(e.condition);
    }
    let e = StreamError::new(StreamCondition::PolicyViolation, Some("too big"));
    assert_eq!(
        e.to_xml(),
        "<stream:error xmlns:stream='http://etherx.jabber.org/streams'>\
         <policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
         <text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>too big</text></stream:error>"
    );
}

#[test]
fn sasl_data_is_base64_with_equals_for_empty_and_absent_for_none() {
    let a: Auth = round_trip(
        "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMG15cjBtMzA=</auth>",
    );
    assert_eq!(a.data.unwrap().0, b"\0juliet\0r0m30myr0m30");
    let r: Response = round_trip("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>=</response>");
    assert_eq!(r.data, Some(SaslData(Vec::new())));
    let c: Challenge = round_trip("<challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    assert_eq!(c.data, None);
    let s: Success =
        round_trip("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>dj1wTklWQ0U=</success>");
    assert_eq!(s.data.unwrap().0, b"v=pNIVCE");
    let e = Auth::from_xml(
        b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>#!</auth>",
    )
    .unwrap_err();
    assert_eq!(e.path(), "auth");
    let e = Auth::from_xml(b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>").unwrap_err();
    assert!(e.to_string().contains("mechanism"), "{e}");
}

#[test]
fn every_sasl_failure_condition_round_trips() {
    let conds = [
        "aborted",
        "account-disabled",
        "credentials-expired",
        "encryption-required",
        "incorrect-encoding",
        "invalid-authzid",
        "invalid-mechanism",
        "malformed-request",
        "mechanism-too-weak",
        "not-authorized",
        "temporary-auth-failure",
    ];
    let mut seen: Vec<SaslCondition> = Vec::new();
    for c in conds {
        let f: SaslFailure = round_trip(&format!(
            "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><{c}/><text xml:lang='en'>x</text></failure>"
        ));
        assert!(!seen.contains(&f.condition));
        seen.push(f.condition);
    }
}

#[test]
fn features_keep_known_and_unknown_features() {
    let f: Features = round_trip(
        "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
         <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>\
         <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>\
         <mechanism>PLAIN</mechanism></mechanisms>\
         <sm xmlns='urn:xmpp:sm:3'/></stream:features>",
    );
    assert!(f.get::<StartTls>().unwrap().unwrap().required);
    assert_eq!(
        f.get::<Mechanisms>().unwrap().unwrap().mechanisms,
        ["SCRAM-SHA-1", "PLAIN"]
    );
    assert!(f.get::<Bind>().is_none());
}

#[test]
fn bind_and_session() {
    let b: Bind = round_trip(
        "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>juliet@im.example.com/balcony</jid></bind>",
    );
    assert_eq!(b.jid.unwrap().resource().as_str(), "balcony");
    let e = Bind::from_xml(
        b"<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>juliet@example.com</jid></bind>",
    )
    .unwrap_err();
    assert_eq!(e.path(), "bind/jid");
    let s: Session =
        round_trip("<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>");
    assert!(s.optional);
}

#[test]
fn message_types_bodies_and_thread() {
    for t in ["chat", "error", "groupchat", "headline", "normal"] {
        let m: Message = round_trip(&format!("<message xmlns='jabber:client' type='{t}'/>"));
        assert!(!matches!(m.type_, Some(MessageType::Other(_))), "{t}");
    }
    let m: Message = round_trip(
        "<message xmlns='jabber:client' type='x-future'><body>hi</body><body xml:lang='de'>hallo</body>\
         <thread parent='p1'>t2</thread></message>",
    );
    assert_eq!(m.type_, Some(MessageType::Other("x-future".into())));
    assert_eq!(m.effective_type(), MessageType::Normal);
    assert_eq!(m.body(Some("de")), Some("hallo"));
    assert_eq!(m.thread.as_ref().unwrap().parent.as_deref(), Some("p1"));
    let e =
        Message::from_xml(b"<message xmlns='jabber:client'><body>a</body><body>b</body></message>")
            .unwrap_err();
    assert!(e.to_string().contains("same xml:lang"), "{e}");
}

#[test]
fn presence_types_show_status_priority() {
    for t in [
        "error",
        "probe",
        "subscribe",
        "subscribed",
        "unavailable",
        "unsubscribe",
        "unsubscribed",
    ] {
        let p: Presence = round_trip(&format!("<presence xmlns='jabber:client' type='{t}'/>"));
        assert!(!matches!(p.type_, Some(PresenceType::Other(_))), "{t}");
    }
    let p: Presence = round_trip(
        "<presence xmlns='jabber:client'><show>dnd</show><status>busy</status><priority>-1</priority></presence>",
    );
    assert_eq!(p.show, Some(Show::Dnd));
    assert_eq!(p.priority, Some(-1));
    let e =
        Presence::from_xml(b"<presence xmlns='jabber:client'><priority>128</priority></presence>")
            .unwrap_err();
    assert_eq!(e.path(), "presence/priority");
    let e = Presence::from_xml(b"<presence xmlns='jabber:client'><show>busy</show></presence>")
        .unwrap_err();
    assert_eq!(e.path(), "presence/show");
}

#[test]
fn iq_rules_of_rfc_6120_section_8_2_3() {
    let ok = "<iq xmlns='jabber:client' id='a' type='get'><query xmlns='jabber:iq:version'/></iq>";
    round_trip::<Iq>(ok);
    for bad in [
        // no id
        "<iq xmlns='jabber:client' type='get'><query xmlns='jabber:iq:version'/></iq>",
        // bad type
        "<iq xmlns='jabber:client' id='a' type='push'><query xmlns='jabber:iq:version'/></iq>",
        // two payloads in a request
        "<iq xmlns='jabber:client' id='a' type='set'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>",
        // error without <error/>
        "<iq xmlns='jabber:client' id='a' type='error'/>",
    ] {
        let e = Iq::from_xml(bad.as_bytes()).unwrap_err();
        assert_eq!(e.path(), "iq", "{bad}: {e}");
    }
}

#[test]
fn iq_replies_swap_addresses_and_keep_the_id() {
    let req = Iq::from_xml(
        b"<iq xmlns='jabber:client' from='a@example.org/r' to='example.org' id='x1' type='get'>\
          <query xmlns='jabber:iq:version'/></iq>",
    )
    .unwrap();
    let res = req.result(None);
    assert_eq!(res.type_, IqType::Result);
    assert_eq!(res.to, req.from);
    assert_eq!(res.from, req.to);
    assert_eq!(res.id, "x1");
    let err = req.error_reply(StanzaError::new(
        ErrorType::Cancel,
        DefinedCondition::ServiceUnavailable,
    ));
    assert_eq!(err.type_, IqType::Error);
    assert_eq!(err.payloads, req.payloads);
    // The reply is itself a valid iq.
    Iq::from_xml(err.to_xml().as_bytes()).unwrap();
}

#[test]
fn stanza_dispatches_on_the_element_name() {
    let s = Stanza::from_xml(b"<presence xmlns='jabber:client'/>").unwrap();
    assert!(matches!(s, Stanza::Presence(_)));
    let e = Stanza::from_xml(b"<stanza xmlns='jabber:client'/>").unwrap_err();
    assert!(e.to_string().contains("stanza"), "{e}");
    // jabber:server stanzas are stanzas too, and stay in jabber:server
    // whatever namespace is in scope where they are written.
    let s = Stanza::from_xml(b"<message xmlns='jabber:server' from='a.example' to='b.example'/>")
        .unwrap();
    assert_eq!(s.ns(), ContentNs::Server);
    assert_eq!(s.to_element_in("jabber:server").ns(), "jabber:server");
    assert_eq!(s.to_element().ns(), "jabber:server");
}

/// One stanza of each kind, with a content-namespace child where the kind
/// has one, in the content namespace `ns`.
fn stanzas_in(ns: &str) -> [String; 3] {
    [
        format!(
            "<message xmlns='{ns}' from='bot@service.example.org' to='juliet@example.org' type='chat'>\
             <body>hello</body><thread>t7</thread></message>"
        ),
        format!(
            "<presence xmlns='{ns}' from='bot@service.example.org' to='juliet@example.org'>\
             <show>dnd</show><status>busy</status><priority>5</priority></presence>"
        ),
        format!(
            "<iq xmlns='{ns}' from='service.example.org' to='example.org' id='a' type='get'>\
             <ping xmlns='urn:xmpp:ping'/></iq>"
        ),
    ]
}

/// Every element of `el`'s tree that is not a payload of another
/// namespace: its name and namespace.
fn content_names(el: &minidom::Element, out: &mut Vec<(String, String)>) {
    out.push((el.name().to_string(), el.ns()));
    for c in el
        .children()
        .filter(|c| xep_element::ns::is_content(&c.ns()))
    {
        content_names(c, out);
    }
}

#[test]
fn stanzas_keep_their_content_namespace_on_every_path() {
    for content in [
        ContentNs::Client,
        ContentNs::Server,
        ContentNs::ComponentAccept,
        ContentNs::ComponentConnect,
    ] {
        let ns = content.uri();
        for xml in stanzas_in(ns) {
            // Bytes: parsed, the stanza knows its namespace, and is written
            // back byte for byte, alone or as a `Stanza`.
            let s = Stanza::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
            assert_eq!(s.ns(), content, "{xml}");
            assert_eq!(s.to_xml(), xml);
            match &s {
                Stanza::Message(m) => {
                    assert_eq!(m.ns, content);
                    assert_eq!(Message::from_xml(xml.as_bytes()).unwrap().to_xml(), xml);
                }
                Stanza::Presence(p) => {
                    assert_eq!(p.ns, content);
                    assert_eq!(Presence::from_xml(xml.as_bytes()).unwrap().to_xml(), xml);
                }
                Stanza::Iq(i) => {
                    assert_eq!(i.ns, content);
                    assert_eq!(Iq::from_xml(xml.as_bytes()).unwrap().to_xml(), xml);
                }
            }
            // DOM: the same value, and the element and its content children
            // in `ns`, whatever namespace is in scope around it.
            let dom: minidom::Element = xml.parse().unwrap();
            let from_dom = Stanza::from_element(&dom).unwrap();
            assert_eq!(from_dom, s, "{xml}");
            for scope in [xep_element::ns::CLIENT, xep_element::ns::SERVER, ""] {
                let out = s.to_element_in(scope);
                assert!(xep_element::is_equivalent(&out, &dom), "{xml} in {scope:?}");
                let mut names = Vec::new();
                content_names(&out, &mut names);
                // The stanza, and its body, thread, show, status, priority.
                let expected = match &s {
                    Stanza::Message(_) => 3,
                    Stanza::Presence(_) => 4,
                    Stanza::Iq(_) => 1,
                };
                assert_eq!(names.len(), expected, "{names:?}");
                assert!(names.iter().all(|(_, n)| n == ns), "{names:?}");
            }
            // And bytes written from the DOM read back to the same value.
            let again = String::from(&s.to_element());
            assert_eq!(Stanza::from_xml(again.as_bytes()).unwrap(), s, "{again}");
        }
    }
}

#[test]
fn a_stanza_built_in_code_is_in_jabber_client_until_moved() {
    let mut s = Stanza::Iq(Iq::get(
        "a",
        None,
        xep_element::Payload::from(minidom::Element::builder("ping", "urn:xmpp:ping").build()),
    ));
    assert_eq!(s.ns(), ContentNs::Client);
    assert_eq!(
        s.to_element_in(xep_element::ns::SERVER).ns(),
        "jabber:client"
    );
    s.set_ns(ContentNs::ComponentAccept);
    assert_eq!(
        s.to_xml(),
        "<iq xmlns='jabber:component:accept' id='a' type='get'><ping xmlns='urn:xmpp:ping'/></iq>"
    );
    // A reply keeps the request's namespace.
    let Stanza::Iq(req) = &s else { unreachable!() };
    assert_eq!(req.result(None).ns, ContentNs::ComponentAccept);
    let err = req.error_reply(StanzaError::new(
        ErrorType::Cancel,
        DefinedCondition::FeatureNotImplemented,
    ));
    assert_eq!(err.ns, ContentNs::ComponentAccept);
}

#[test]
fn roster_items_keep_every_attribute_groups_and_version() {
    let r: Roster = round_trip(
        "<query xmlns='jabber:iq:roster' ver='ver7'>\
         <item jid='nurse@example.com' name='Nurse' subscription='both' ask='subscribe' approved='true'>\
         <group>Servants</group><group>Friends</group></item>\
         <item jid='romeo@example.net' subscription='remove'/></query>",
    );
    assert_eq!(r.ver.as_deref(), Some("ver7"));
    let i: &Item = &r.items[0];
    assert_eq!(i.subscription, Some(Subscription::Both));
    assert_eq!(i.ask, Some(Ask::Subscribe));
    assert_eq!(i.groups, ["Servants", "Friends"]);
    let e = Roster::from_xml(
        b"<query xmlns='jabber:iq:roster'><item jid='a@b' subscription='half'/></query>",
    )
    .unwrap_err();
    assert_eq!(e.path(), "query/item");
    assert!(e.to_string().contains("half"), "{e}");
}

#[test]
fn websocket_open_and_close() {
    let o: Open = round_trip(
        "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.com' version='1.0' xml:lang='en'/>",
    );
    assert_eq!(o.version.as_deref(), Some("1.0"));
    let c: Close = round_trip(
        "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing' see-other-uri='wss://otherendpoint.example/xmpp-bind'/>",
    );
    assert!(c.see_other_uri.is_some());
}

#[test]
fn payloads_are_kept_in_order_with_foreign_content() {
    let m: Message = round_trip(
        "<message xmlns='jabber:client'><a xmlns='urn:a'><deep>x</deep></a><b xmlns='urn:b' k='v'/></message>",
    );
    let names: Vec<String> = m
        .payloads
        .iter()
        .map(|p: &Payload| p.to_element().name().to_string())
        .collect();
    assert_eq!(names, ["a", "b"]);
}

/// Errors from bytes say where: the attribute at fault, else the start
/// tag of the innermost element; from a DOM, nowhere.
#[test]
fn errors_from_bytes_carry_the_offset_of_the_place_at_fault() {
    let xml = "<iq xmlns='jabber:client' id='a1'\n    type='bogus'/>";
    let e = Iq::from_xml(xml.as_bytes()).unwrap_err();
    assert_eq!(e.offset(), xml.find("type='bogus'"), "{e}");
    let xml = "<message xmlns='jabber:client'><body>hi</body>\n  <error type='cancel'/></message>";
    let e = Message::from_xml(xml.as_bytes()).unwrap_err();
    assert!(e.to_string().contains("message/error"), "{e}");
    assert_eq!(e.offset(), xml.find("<error"), "{e}");
    let unknown = "<iq xmlns='jabber:client' id='a1' type='get' colour='red'><ping xmlns='urn:xmpp:ping'/></iq>";
    let e = Iq::from_xml(unknown.as_bytes()).unwrap_err();
    assert_eq!(e.offset(), unknown.find("colour"), "{e}");
    // The offset is where, not what: equal errors stay equal.
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    let from_dom = Message::from_element(&dom).unwrap_err();
    assert_eq!(from_dom.offset(), None);
    assert_eq!(from_dom, Message::from_xml(xml.as_bytes()).unwrap_err());
}
