use super::*;
use xep_element::XmlValue;

fn iq(xml: &str) -> Iq {
    Iq::from_xml(xml.as_bytes()).unwrap()
}

fn slot_with(headers: &str) -> Slot {
    Slot::from_xml(
        format!(
            "<slot xmlns='urn:xmpp:http:upload:0'><put url='https://up.example/f'>{headers}</put>\
             <get url='https://dl.example/f'/></slot>"
        )
        .as_bytes(),
    )
    .unwrap()
}

#[test]
fn elements_round_trip() {
    for xml in [
        "<request xmlns='urn:xmpp:http:upload:0' filename='a.jpg' size='23456' content-type='image/jpeg'>\
         <profile xmlns='urn:xmpp:http:upload:purpose:0'/></request>",
        "<slot xmlns='urn:xmpp:http:upload:0'><put url='https://up.example/f'><header name='Cookie'>a=b</header></put>\
         <get url='https://dl.example/f'/></slot>",
        "<file-too-large xmlns='urn:xmpp:http:upload:0'><max-file-size>20000</max-file-size></file-too-large>",
        "<retry xmlns='urn:xmpp:http:upload:0' stamp='2017-12-03T23:42:05Z'/>",
    ] {
        xep_element::testdata::assert_round_trips(crate::ELEMENTS, xml);
    }
    let r = Request::from_xml(b"<request xmlns='urn:xmpp:http:upload:0' filename='a' size='1'/>")
        .unwrap();
    assert_eq!(r.purpose, None);
    let r = Request::from_xml(
        b"<request xmlns='urn:xmpp:http:upload:0' filename='a' size='1'>\
          <ephemeral xmlns='urn:xmpp:http:upload:purpose:0' expire-before='2026-12-05T00:00:00Z'/></request>",
    )
    .unwrap();
    assert!(
        matches!(r.purpose, Some(Purpose::Ephemeral(e)) if e.expire_before.to_xml() == "2026-12-05T00:00:00Z")
    );
    let e = Request::from_xml(
        b"<request xmlns='urn:xmpp:http:upload:0' filename='a' size='1'>\
          <ephemeral xmlns='urn:xmpp:http:upload:purpose:0'/></request>",
    )
    .unwrap_err();
    assert_eq!(e.path(), "request/ephemeral");
}

#[test]
fn malformed_requests_are_refused_with_their_path() {
    for (xml, what) in [
        (
            "<request xmlns='urn:xmpp:http:upload:0' filename='a' size='0'/>",
            "positive",
        ),
        (
            "<request xmlns='urn:xmpp:http:upload:0' filename='' size='1'/>",
            "name",
        ),
        (
            "<request xmlns='urn:xmpp:http:upload:0' filename='a' size='-1'/>",
            "size",
        ),
        (
            "<request xmlns='urn:xmpp:http:upload:0' size='1'/>",
            "filename",
        ),
    ] {
        let e = Request::from_xml(xml.as_bytes()).unwrap_err();
        assert_eq!(e.path(), "request", "{xml}");
        assert!(e.to_string().contains(what), "{xml}: {e}");
    }
    let e = Slot::from_xml(
        b"<slot xmlns='urn:xmpp:http:upload:0'><get url='https://dl.example/f'/></slot>",
    )
    .unwrap_err();
    assert!(e.to_string().contains("put"), "{e}");
    let e = Retry::from_xml(
        b"<retry xmlns='urn:xmpp:http:upload:0' stamp='2017-12-03T23:42:05+02:00'/>",
    )
    .unwrap_err();
    assert!(e.to_string().contains("UTC"), "{e}");
}

#[test]
fn only_allowed_headers_reach_the_request() {
    let slot = slot_with(
        "<header name='Authorization'>Basic x==</header><header name='X-Forwarded-For'>1.2.3.4</header>\
         <header name='cOOkie'>a=b</header><header name='Host'>evil.example</header>\
         <header name='Expires'>Tue, 01 Dec 2026 10:00:00 GMT</header><header name='Cookie'>c=d</header>",
    );
    assert_eq!(
        slot.put.request_headers().unwrap(),
        [
            (AllowedHeader::Authorization, "Basic x=="),
            (AllowedHeader::Cookie, "a=b"),
            (AllowedHeader::Expires, "Tue, 01 Dec 2026 10:00:00 GMT"),
            (AllowedHeader::Cookie, "c=d"),
        ],
        "allowed names in any case, in order, repeats kept"
    );
}

#[test]
fn a_line_break_in_an_allowed_header_is_refused() {
    for headers in [
        "<header name='Cookie'>a=b&#13;&#10;Host: evil.example</header>",
        "<header name='Authorization'>x&#10;y</header>",
        "<header name='Cookie&#10;'>a=b</header>",
    ] {
        let slot = slot_with(headers);
        let e = slot.put.request_headers().unwrap_err();
        assert!(
            matches!(e, UploadError::NewlineInHeader { .. }),
            "{headers}: {e}"
        );
        assert!(e.to_string().contains("injection"), "{e}");
    }
    // A line break in a header that is not allowed anyway is ignored
    // with it.
    let slot = slot_with("<header name='X-Other'>a&#10;b</header>");
    assert_eq!(slot.put.request_headers().unwrap(), []);
}

#[test]
fn urls_must_be_https() {
    let mut slot = slot_with("");
    slot.check_https().unwrap();
    slot.get.url = "http://dl.example/f".into();
    assert_eq!(
        slot.check_https(),
        Err(UploadError::NotHttps {
            url: "http://dl.example/f".into()
        })
    );
    slot.get.url = "HTTPS://dl.example/f".into();
    slot.check_https().unwrap();
    slot.put.url = "ftp://x".into();
    assert!(slot.check_https().is_err());
}

#[test]
fn every_answer_is_read() {
    let req = request("s1", "upload.example".parse().unwrap(), "a.jpg", 100, None);
    assert_eq!(
        req.to_xml(),
        "<iq xmlns='jabber:client' to='upload.example' id='s1' type='get'>\
         <request xmlns='urn:xmpp:http:upload:0' filename='a.jpg' size='100'/></iq>"
    );
    let too_large = iq(
        "<iq xmlns='jabber:client' from='upload.example' id='s1' type='error'>\
        <error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
        <file-too-large xmlns='urn:xmpp:http:upload:0'><max-file-size>20000</max-file-size></file-too-large></error></iq>",
    );
    assert_eq!(outcome(&req, &too_large), Outcome::TooLarge(Some(20000)));
    let quota = iq(
        "<iq xmlns='jabber:client' from='upload.example' id='s1' type='error'>\
        <error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
        <retry xmlns='urn:xmpp:http:upload:0' stamp='2017-12-03T23:42:05Z'/></error></iq>",
    );
    assert!(
        matches!(outcome(&req, &quota), Outcome::RetryAt(t) if t.to_xml() == "2017-12-03T23:42:05Z")
    );
    let other = iq(
        "<iq xmlns='jabber:client' from='upload.example' id='s1' type='error'>\
        <error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
    );
    assert!(matches!(outcome(&req, &other), Outcome::Error(_)));
    // From someone else, another id, a result without a slot.
    let forged = iq(
        "<iq xmlns='jabber:client' from='evil.example' id='s1' type='result'>\
        <slot xmlns='urn:xmpp:http:upload:0'><put url='https://evil.example/f'/><get url='https://evil.example/f'/></slot></iq>",
    );
    assert_eq!(outcome(&req, &forged), Outcome::NotAnAnswer);
    let empty = iq("<iq xmlns='jabber:client' from='upload.example' id='s1' type='result'/>");
    assert_eq!(outcome(&req, &empty), Outcome::NotAnAnswer);
    let other_id = iq("<iq xmlns='jabber:client' from='upload.example' id='s2' type='result'/>");
    assert_eq!(outcome(&req, &other_id), Outcome::NotAnAnswer);
}

#[test]
fn the_xeps_examples_parse() {
    let Some(doc) = xep_element::testdata::xep_source(363) else {
        eprintln!("skipped: ../shared/xeps/xep-0363.xml is not there");
        return;
    };
    let mut n = 0;
    for xml in
        xep_element::testdata::elements_in(&doc, "<slot xmlns='urn:xmpp:http:upload:0'", "slot")
    {
        let slot = Slot::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
        slot.check_https().unwrap();
        slot.put.request_headers().unwrap();
        n += 1;
    }
    for xml in xep_element::testdata::elements_in(
        &doc,
        "<request xmlns='urn:xmpp:http:upload:0'",
        "request",
    ) {
        Request::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
        n += 1;
    }
    assert!(n >= 3, "{n}");
}
