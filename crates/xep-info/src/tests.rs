use chrono::{FixedOffset, TimeDelta, TimeZone, Utc};
use xep_core::{DefinedCondition, Presence, Stanza};
use xep_disco::DiscoInfo;
use xep_element::jid::Jid;
use xep_element::{XmlElement, XmlValue, is_equivalent};
use xep_forms::{DataForm, FormType, FormView};

use super::*;
use xep_testkit::stanza::iq;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

// XEP-0092 -----------------------------------------------------------------

#[test]
fn version_request_and_answer() {
    let mut request = version_request("v1", jid("kitchen.example/oven"));
    assert_eq!(
        request.to_xml(),
        "<iq xmlns='jabber:client' to='kitchen.example/oven' id='v1' type='get'>\
         <query xmlns='jabber:iq:version'/></iq>"
    );
    request.from = Some(jid("cook@kitchen.example/apron"));
    let sw = SoftwareVersion {
        name: "Oven".into(),
        version: "2.1".into(),
        os: Some("Plan 9".into()),
    };
    let answer = version_answer(&request, &sw, true);
    assert!(answer.to_xml().contains(
        "<query xmlns='jabber:iq:version'><name>Oven</name><version>2.1</version><os>Plan 9</os></query>"
    ));
    // §4: the operating system can be withheld.
    let private = version_answer(&request, &sw, false);
    assert!(!private.to_xml().contains("<os>"));

    let request = version_request("v1", jid("kitchen.example/oven"));
    let mut answer = answer;
    answer.to = request.from.clone();
    assert_eq!(version_reply(&request, &answer).unwrap(), sw);
}

#[test]
fn version_replies_are_believed_only_from_the_entity_asked() {
    let request = version_request("v2", jid("kitchen.example"));
    let forged = iq(
        "<iq xmlns='jabber:client' type='result' id='v2' from='mallory.example'>\
        <query xmlns='jabber:iq:version'><name>X</name><version>1</version></query></iq>",
    );
    assert_eq!(version_reply(&request, &forged), Err(ReplyError::NotAReply));
    let other_id = iq(
        "<iq xmlns='jabber:client' type='result' id='v3' from='kitchen.example'>\
        <query xmlns='jabber:iq:version'><name>X</name><version>1</version></query></iq>",
    );
    assert_eq!(
        version_reply(&request, &other_id),
        Err(ReplyError::NotAReply)
    );
    let unsupported = iq(
        "<iq xmlns='jabber:client' type='error' id='v2' from='kitchen.example'>\
        <error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    );
    match version_reply(&request, &unsupported) {
        Err(ReplyError::Refused(e)) => {
            assert_eq!(e.condition, DefinedCondition::ServiceUnavailable)
        }
        other => panic!("{other:?}"),
    }
    // A result needs the name and the version.
    let empty = iq(
        "<iq xmlns='jabber:client' type='result' id='v2' from='kitchen.example'>\
        <query xmlns='jabber:iq:version'/></iq>",
    );
    assert!(matches!(
        version_reply(&request, &empty),
        Err(ReplyError::Malformed(_))
    ));
    let nothing = iq("<iq xmlns='jabber:client' type='result' id='v2' from='kitchen.example'/>");
    assert!(matches!(
        version_reply(&request, &nothing),
        Err(ReplyError::Malformed(_))
    ));
}

#[test]
fn version_query_follows_the_schema_sequence() {
    let err = VersionQuery::from_xml(b"<query xmlns='jabber:iq:version'><name>X</name></query>")
        .unwrap_err();
    assert!(err.to_string().contains("version"), "{err}");
    let err =
        VersionQuery::from_xml(b"<query xmlns='jabber:iq:version'><os>Y</os></query>").unwrap_err();
    assert!(err.to_string().contains("name"), "{err}");
    assert!(
        VersionQuery::from_xml(
            b"<query xmlns='jabber:iq:version'><name>X</name><version>1</version><extra/></query>"
        )
        .is_err()
    );
}

// XEP-0232 -----------------------------------------------------------------

const INFO: &str = "<query xmlns='http://jabber.org/protocol/disco#info'>\
    <identity category='client' type='pc' name='Old Name'/>\
    <feature var='jabber:iq:version'/>\
    <x xmlns='jabber:x:data' type='result'>\
    <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>\
    <field var='icon'><media xmlns='urn:xmpp:media-element' height='32' width='32'>\
    <uri type='image/png'> https://oven.example/icon.png </uri></media></field>\
    <field var='os'><value>Plan 9</value></field>\
    <field var='os_version'><value>4</value></field>\
    <field var='software'><value>Oven</value></field>\
    <field var='software_version'><value>2.1</value></field>\
    <field var='x-oven#temperature'><value>220</value></field>\
    </x></query>";

#[test]
fn software_information_form() {
    let info = DiscoInfo::from_xml(INFO.as_bytes()).unwrap();
    let sw = SoftwareInfo::of(&info).unwrap().unwrap();
    assert_eq!(sw.os.as_deref(), Some("Plan 9"));
    assert_eq!(sw.os_version.as_deref(), Some("4"));
    assert_eq!(sw.software_version.as_deref(), Some("2.1"));
    let icon = sw.icon.as_ref().unwrap();
    assert_eq!(icon.uris(), ["https://oven.example/icon.png"]);
    assert_eq!(icon.media[0].width, Some(32));
    assert_eq!(sw.other.len(), 1);
    // Lossless: the view writes the form it read.
    let form = sw.to_form(FormType::Result);
    let original = info.forms[0].clone();
    assert!(is_equivalent(&form.clone().into(), &original.into()));
    assert_eq!(SoftwareInfo::from_form(&form).unwrap(), sw);
    // §2: the software field overrides the identity's name.
    assert_eq!(software_name(&info).as_deref(), Some("Oven"));
    let mut plain = info.clone();
    plain.forms.clear();
    assert_eq!(software_name(&plain).as_deref(), Some("Old Name"));
}

#[test]
fn software_information_errors_name_the_field() {
    let form = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' type='result'>\
          <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>\
          <field var='os'><value>A</value><value>B</value></field></x>",
    )
    .unwrap();
    let err = SoftwareInfo::from_form(&form).unwrap_err();
    assert!(err.to_string().contains("field 'os'"), "{err}");
    let other = DataForm::with_form_type(FormType::Result, SERVER_INFO, Vec::new());
    assert!(SoftwareInfo::from_form(&other).is_err());
    // From a XEP-0092 answer.
    let v = SoftwareVersion {
        name: "Oven".into(),
        version: "2.1".into(),
        os: None,
    };
    let sw = SoftwareInfo::from_version(&v);
    assert_eq!(sw.software.as_deref(), Some("Oven"));
    let form = sw.to_form(FormType::Result);
    assert_eq!(form.value("software_version"), Some("2.1"));
    assert!(form.field("os").is_none());
}

// XEP-0012 -----------------------------------------------------------------

#[test]
fn last_activity_means_what_the_answering_jid_says() {
    let q = |s: &str| LastQuery::from_xml(s.as_bytes()).unwrap();
    let offline = q("<query xmlns='jabber:iq:last' seconds='600'>Gone fishing</query>");
    assert_eq!(
        LastActivity::interpret(&jid("cook@kitchen.example"), &offline).unwrap(),
        LastActivity::Offline {
            seconds: 600,
            status: Some("Gone fishing".into())
        }
    );
    let zero = q("<query xmlns='jabber:iq:last' seconds='0'/>");
    assert_eq!(
        LastActivity::interpret(&jid("cook@kitchen.example"), &zero).unwrap(),
        LastActivity::Online
    );
    assert_eq!(
        LastActivity::interpret(&jid("cook@kitchen.example/apron"), &zero).unwrap(),
        LastActivity::Idle { seconds: 0 }
    );
    let up = q("<query xmlns='jabber:iq:last' seconds='86400'/>");
    assert_eq!(
        LastActivity::interpret(&jid("kitchen.example"), &up).unwrap(),
        LastActivity::Uptime { seconds: 86400 }
    );
    assert_eq!(
        LastActivity::interpret(&jid("kitchen.example/admin"), &up).unwrap(),
        LastActivity::Uptime { seconds: 86400 }
    );
    // A result must say how long.
    let none = q("<query xmlns='jabber:iq:last'/>");
    let err = LastActivity::interpret(&jid("kitchen.example"), &none).unwrap_err();
    assert!(err.to_string().contains("seconds"), "{err}");
    assert!(LastQuery::from_xml(b"<query xmlns='jabber:iq:last' seconds='-1'/>").is_err());
}

#[test]
fn last_activity_requests_and_refusals() {
    let mut request = last_request("l1", jid("cook@kitchen.example"));
    request.from = Some(jid("guest@hall.example/door"));
    let answer = last_answer(&request, 42, Some("Out"));
    assert!(
        answer
            .to_xml()
            .contains("<query xmlns='jabber:iq:last' seconds='42'>Out</query>")
    );
    let refused = last_forbidden(&request);
    assert_eq!(
        refused.to_xml(),
        "<iq xmlns='jabber:client' from='cook@kitchen.example' to='guest@hall.example/door' id='l1' type='error'>\
         <error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>"
    );
    let unavailable = last_unavailable(&request);
    assert!(unavailable.to_xml().contains("<service-unavailable"));

    let request = last_request("l1", jid("cook@kitchen.example"));
    match last_reply(&request, &refused) {
        Err(ReplyError::Refused(e)) => assert_eq!(e.condition, DefinedCondition::Forbidden),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        last_reply(&request, &answer).unwrap(),
        LastActivity::Offline {
            seconds: 42,
            status: Some("Out".into())
        }
    );
    // From anyone else: not the answer.
    let mut forged = answer.clone();
    forged.from = Some(jid("cook@kitchen.example/apron"));
    assert_eq!(last_reply(&request, &forged), Err(ReplyError::NotAReply));
}

// XEP-0202 -----------------------------------------------------------------

#[test]
fn entity_time_with_the_xeps_values() {
    // §4: -06:00 and 2006-12-19T17:58:35Z, which is 11:58:35 locally.
    let t = TimeQuery::from_xml(
        b"<time xmlns='urn:xmpp:time'><tzo>-06:00</tzo><utc>2006-12-19T17:58:35Z</utc></time>",
    )
    .unwrap();
    let et = t.entity_time().unwrap();
    assert_eq!(et.offset, FixedOffset::west_opt(6 * 3600).unwrap());
    assert_eq!(
        et.utc,
        Utc.with_ymd_and_hms(2006, 12, 19, 17, 58, 35).unwrap()
    );
    let local = et.local();
    assert_eq!(local.to_rfc3339(), "2006-12-19T11:58:35-06:00");
    assert_eq!(
        local_time(et.utc, parse_offset("-06:00").unwrap()).naive_local(),
        Utc.with_ymd_and_hms(2006, 12, 19, 11, 58, 35)
            .unwrap()
            .naive_utc()
    );
    // A local time across midnight and a half-hour zone.
    let kolkata = parse_offset("+05:30").unwrap();
    assert_eq!(
        local_time(
            Utc.with_ymd_and_hms(2006, 12, 19, 20, 0, 0).unwrap(),
            kolkata
        )
        .to_rfc3339(),
        "2006-12-20T01:30:00+05:30"
    );
    assert_eq!(
        et.skew(Utc.with_ymd_and_hms(2006, 12, 19, 17, 58, 30).unwrap()),
        TimeDelta::seconds(5)
    );
}

#[test]
fn offsets_parse_by_xep_0082() {
    assert_eq!(parse_offset("Z").unwrap().local_minus_utc(), 0);
    assert_eq!(parse_offset("+00:00").unwrap().local_minus_utc(), 0);
    assert_eq!(parse_offset("-06:00").unwrap().local_minus_utc(), -6 * 3600);
    assert_eq!(parse_offset("+14:00").unwrap().local_minus_utc(), 14 * 3600);
    assert_eq!(
        parse_offset("-03:30").unwrap().local_minus_utc(),
        -(3 * 3600 + 1800)
    );
    for bad in [
        "", "06:00", "+6:00", "+06", "+0600", "+15:00", "+05:60", "UTC", "z", "+06:00 ", "+٠٦:00",
    ] {
        assert!(parse_offset(bad).is_err(), "{bad}");
    }
    // The notation is kept: +00:00 stays +00:00, Z stays Z.
    for s in ["Z", "+00:00", "-00:00"] {
        let t = Tzo::from_xml(s).unwrap();
        assert_eq!(t.to_xml(), if s == "-00:00" { "+00:00" } else { s }, "{s}");
    }
}

#[test]
fn entity_time_rules() {
    // Both children or none.
    assert!(
        TimeQuery::from_xml(b"<time xmlns='urn:xmpp:time'><tzo>Z</tzo></time>")
            .unwrap_err()
            .to_string()
            .contains("utc")
    );
    assert!(
        TimeQuery::from_xml(b"<time xmlns='urn:xmpp:time'><utc>2006-12-19T17:58:35Z</utc></time>")
            .is_err()
    );
    // §3: the time is expressed in UTC.
    let err = TimeQuery::from_xml(
        b"<time xmlns='urn:xmpp:time'><tzo>-06:00</tzo><utc>2006-12-19T11:58:35-06:00</utc></time>",
    )
    .unwrap_err();
    assert!(err.to_string().contains("UTC"), "{err}");
    assert!(
        TimeQuery::from_xml(
            b"<time xmlns='urn:xmpp:time'><tzo>+25:00</tzo><utc>2006-12-19T17:58:35Z</utc></time>"
        )
        .is_err()
    );
    // The answer and the reply.
    let mut request = time_request("t1", jid("cook@kitchen.example/apron"));
    request.from = Some(jid("guest@hall.example/door"));
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
    let answer = time_answer(&request, now, parse_offset("+01:00").unwrap());
    assert!(answer.to_xml().contains(
        "<time xmlns='urn:xmpp:time'><tzo>+01:00</tzo><utc>2026-03-01T08:00:00Z</utc></time>"
    ));
    let request = time_request("t1", jid("cook@kitchen.example/apron"));
    assert_eq!(time_reply(&request, &answer).unwrap().utc, now);
    let mut forged = answer;
    forged.from = Some(jid("cook@kitchen.example/other"));
    assert_eq!(time_reply(&request, &forged), Err(ReplyError::NotAReply));
}

// XEP-0319 -----------------------------------------------------------------

#[test]
fn idle_in_presence() {
    let Stanza::Presence(p) = Stanza::from_xml(
        b"<presence xmlns='jabber:client' from='cook@kitchen.example/apron'><show>away</show>\
          <idle xmlns='urn:xmpp:idle:1' since='2026-03-01T07:55:00Z'/></presence>",
    )
    .unwrap() else {
        panic!()
    };
    let since = idle_since(&p).unwrap().unwrap();
    assert_eq!(since, Utc.with_ymd_and_hms(2026, 3, 1, 7, 55, 0).unwrap());
    let idle = p.payload::<Idle>().unwrap().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
    assert_eq!(idle.idle_for(now), TimeDelta::minutes(5));
    assert_eq!(
        idle.idle_for(since - TimeDelta::minutes(1)),
        TimeDelta::zero()
    );
    // Back: the mark goes; idle again: one mark.
    let mut p = p;
    set_idle(&mut p, None);
    assert!(idle_since(&p).is_none());
    set_idle(&mut p, Some(now));
    set_idle(&mut p, Some(now));
    assert_eq!(p.payloads.len(), 1);
    assert!(
        p.to_xml()
            .contains("<idle xmlns='urn:xmpp:idle:1' since='2026-03-01T08:00:00Z'/>")
    );
    assert!(Idle::from_xml(b"<idle xmlns='urn:xmpp:idle:1'/>").is_err());
    assert!(Idle::from_xml(b"<idle xmlns='urn:xmpp:idle:1' since='yesterday'/>").is_err());
    let mut plain = Presence::available();
    set_idle(&mut plain, None);
    assert!(plain.payloads.is_empty());
}

// XEP-0157 -----------------------------------------------------------------

const SERVERINFO: &str = "<x xmlns='jabber:x:data' type='result'>\
    <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/network/serverinfo</value></field>\
    <field var='abuse-addresses'><value>mailto:abuse@kitchen.example</value><value>xmpp:abuse@kitchen.example?message</value></field>\
    <field var='admin-addresses'><value>xmpp:chef@kitchen.example</value></field>\
    <field var='feedback-addresses'><value>https://kitchen.example/feedback</value><value>call the chef</value></field>\
    <field var='security-addresses'><value>tel:+1-555-0100</value></field>\
    <field var='status-addresses'><value>https://status.kitchen.example</value></field>\
    </x>";

#[test]
fn contact_addresses() {
    let form = DataForm::from_xml(SERVERINFO.as_bytes()).unwrap();
    let info = ServerInfo::from_form(&form).unwrap();
    assert_eq!(
        info.addresses(Role::Abuse),
        [
            Address::Mailto("abuse@kitchen.example".into()),
            Address::Xmpp(jid("abuse@kitchen.example")),
        ]
    );
    assert_eq!(
        info.addresses(Role::Feedback),
        [
            Address::Web("https://kitchen.example/feedback".into()),
            Address::NotAUri("call the chef".into()),
        ]
    );
    assert!(matches!(&info.addresses(Role::Security)[0], Address::Other(u) if u.scheme() == "tel"));
    assert_eq!(
        info.addresses(Role::Status),
        [Address::Web("https://status.kitchen.example".into())]
    );
    assert!(info.addresses(Role::Sales).is_empty());
    // The view writes back what it read (each field typed list-multi, as
    // registered).
    let back = info.to_form(FormType::Result);
    assert_eq!(ServerInfo::from_form(&back).unwrap(), info);
    assert_eq!(
        back.field("status-addresses").unwrap().type_,
        Some(xep_forms::FieldType::ListMulti)
    );
    // In a disco#info result.
    let mut disco = DiscoInfo::default();
    disco.forms.push(form);
    assert_eq!(ServerInfo::of(&disco).unwrap().unwrap(), info);
}

#[test]
fn status_addresses_must_be_uris() {
    let form = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' type='result'>\
          <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/network/serverinfo</value></field>\
          <field var='status-addresses'><value>see our blog</value></field></x>",
    )
    .unwrap();
    let err = ServerInfo::from_form(&form).unwrap_err();
    assert!(err.to_string().contains("status-addresses"), "{err}");
    assert!(Uri::parse("1http://x").is_err());
    assert!(Uri::parse("https://a b").is_err());
    assert_eq!(Uri::parse(" https://a ").unwrap().as_str(), "https://a");
    assert_eq!(
        Address::parse("xmpp://guest@kitchen.example/chef@kitchen.example?message"),
        Address::Xmpp(jid("chef@kitchen.example"))
    );
}

#[test]
fn contact_uris_are_percent_decoded() {
    // RFC 5122 §2.7.2: the JID is the decoded path, in UTF-8.
    assert_eq!(
        Address::parse("xmpp:chef@kitchen.example/night%20shift?message"),
        Address::Xmpp(jid("chef@kitchen.example/night shift"))
    );
    assert_eq!(
        Address::parse("xmpp:ch%C3%A9f@kitchen.example"),
        Address::Xmpp(jid("chéf@kitchen.example"))
    );
    // RFC 6068: the mailbox decoded, the headers dropped.
    assert_eq!(
        Address::parse("mailto:night%2Bshift@kitchen.example?subject=hi"),
        Address::Mailto("night+shift@kitchen.example".into())
    );
    // A broken escape or bytes that are not UTF-8: not read as an
    // address, kept as the URI.
    for bad in [
        "xmpp:chef%2@kitchen.example",
        "xmpp:chef%FF@kitchen.example",
        "mailto:chef%zz@kitchen.example",
    ] {
        match Address::parse(bad) {
            Address::Other(u) => assert_eq!(u.as_str(), bad),
            other => panic!("{bad}: {other:?}"),
        }
    }
}

// XEP-0156 -----------------------------------------------------------------

const HOST_META: &str = "<?xml version='1.0' encoding='utf-8'?>\n\
<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0' xml:id='meta'>\n\
  <Expires>2030-01-01T00:00:00Z</Expires>\n\
  <Subject>https://kitchen.example</Subject>\n\
  <Property type='https://kitchen.example/p' xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance' xsi:nil='true'/>\n\
  <Link rel='lrdd' template='https://kitchen.example/lrdd?uri={uri}'/>\n\
  <Link rel='urn:xmpp:alt-connections:xbosh' href='http://kitchen.example/bosh'/>\n\
  <Link rel='urn:xmpp:alt-connections:xbosh' href='https://kitchen.example:5281/bosh'>\n\
    <Title xml:lang='en'>BOSH</Title>\n\
  </Link>\n\
  <Link rel='urn:xmpp:alt-connections:websocket' href='wss://kitchen.example/ws'/>\n\
  <Link rel='urn:xmpp:alt-connections:websocket' href='ws://kitchen.example/ws'/>\n\
  <Link rel='urn:xmpp:alt-connections:websocket'/>\n\
</XRD>\n";

#[test]
fn host_meta_endpoints() {
    let xrd = Xrd::from_document(HOST_META.as_bytes()).unwrap();
    assert_eq!(xrd.id.as_deref(), Some("meta"));
    assert_eq!(xrd.links.len(), 6);
    assert!(xrd.properties[0].is_nil());
    let e = xrd.endpoints();
    assert_eq!(e.bosh, ["https://kitchen.example:5281/bosh"]);
    assert_eq!(e.websocket, ["wss://kitchen.example/ws"]);
    // §3.2 rule 1: no endpoint in the clear.
    assert_eq!(
        e.refused,
        [
            (
                Method::Bosh,
                Unusable::NotSecure("http://kitchen.example/bosh".into())
            ),
            (
                Method::WebSocket,
                Unusable::NotSecure("ws://kitchen.example/ws".into())
            ),
            (Method::WebSocket, Unusable::NoHref),
        ]
    );
    assert_eq!(
        xrd.bosh().as_deref(),
        Some("https://kitchen.example:5281/bosh")
    );
    assert_eq!(xrd.websocket().as_deref(), Some("wss://kitchen.example/ws"));
    assert_eq!(
        host_meta_url("kitchen.example"),
        "https://kitchen.example/.well-known/host-meta"
    );
    // Round trip of the document (after the declaration).
    let again = Xrd::from_xml(xrd.to_xml().as_bytes()).unwrap();
    assert_eq!(again, xrd);
    // An XRD without endpoints, and a bad one.
    let bare =
        Xrd::from_document(b"<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'/>").unwrap();
    assert_eq!(bare.endpoints(), Endpoints::default());
    assert!(
        Xrd::from_document(
            b"<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'><Property/></XRD>"
        )
        .is_err()
    );
    assert!(
        Xrd::from_document(
            b"<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'><Expires>soon</Expires></XRD>"
        )
        .is_err()
    );
}

#[test]
fn host_meta_json() {
    let jrd = r#"{
        "subject": "https://kitchen.example",
        "links": [
            {"rel": "urn:xmpp:alt-connections:xbosh", "href": "https://kitchen.example:5281/bosh"},
            {"rel": "urn:xmpp:alt-connections:websocket", "href": "wss://kitchen.example/ws",
             "titles": {"en": "WebSocket"}, "properties": {"https://kitchen.example/p": null}}
        ]
    }"#;
    let xrd = Xrd::from_jrd(jrd).unwrap();
    let e = xrd.endpoints();
    assert_eq!(e.bosh, ["https://kitchen.example:5281/bosh"]);
    assert_eq!(e.websocket, ["wss://kitchen.example/ws"]);
    assert_eq!(xrd.links[1].titles[0].lang.as_deref(), Some("en"));
    assert!(xrd.links[1].properties[0].is_nil());
    assert!(!Property::new("urn:example:p", Some("v")).is_nil());
    assert_eq!(Xrd::from_jrd(&xrd.to_jrd()).unwrap(), xrd);
    // The XRD form converts as well, save what JSON cannot carry.
    let doc = Xrd::from_document(HOST_META.as_bytes()).unwrap();
    let via = Xrd::from_jrd(&doc.to_jrd()).unwrap();
    assert_eq!(via.endpoints(), doc.endpoints());
    assert!(Xrd::from_jrd("[]").is_err());
    assert!(Xrd::from_jrd(r#"{"links": [{"rel": 5}]}"#).is_err());
    assert!(Xrd::from_jrd("{").is_err());
}
