use super::*;
use chrono::TimeZone;
use xep_element::ErrorKind;
use xep_element::testdata::{elements_in, xep_source as xep};

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

/// Parses by both paths (bytes and DOM), checks they agree, and that
/// writing gives the input back.
use xep_element::testdata::exact_round_trip as round_trip;

fn delay_err(xml: &str) -> Error {
    let e = Delay::from_xml(xml.as_bytes()).unwrap_err();
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    assert_eq!(Delay::from_element(&dom).unwrap_err(), e);
    e
}

#[test]
fn delay_round_trips_with_its_stamp_notation() {
    for (stamp, digits) in [
        ("2002-09-10T23:08:25Z", 0),
        ("2002-09-10T23:08:25.5Z", 1),
        ("2002-09-10T23:08:25.000123Z", 6),
        ("2002-09-10T23:08:25+00:00", 0),
    ] {
        let d: Delay = round_trip(&format!("<delay xmlns='urn:xmpp:delay' stamp='{stamp}'/>"));
        assert_eq!(d.stamp.frac_digits, digits, "{stamp}");
        assert_eq!(d.utc().timestamp(), 1_031_699_305, "{stamp}");
        assert!(d.from.is_none() && d.reason.is_none());
    }
}

#[test]
fn from_and_reason_are_read() {
    let d: Delay = round_trip(
        "<delay xmlns='urn:xmpp:delay' from='room@chat.example.org' stamp='2026-11-22T08:15:30Z'>\n  Offline Storage\n</delay>",
    );
    assert_eq!(
        d.from.as_ref().map(|j| j.to_string()).as_deref(),
        Some("room@chat.example.org")
    );
    assert_eq!(d.reason.as_deref(), Some("\n  Offline Storage\n"));
    assert_eq!(d.reason_text(), Some("Offline Storage"));
    assert_eq!(
        Delay::new(utc(2026, 1, 1, 0, 0, 0), None).reason_text(),
        None
    );
    assert_eq!(
        Delay::new(utc(2026, 1, 1, 0, 0, 0), None)
            .with_reason("  ")
            .reason_text(),
        None
    );
}

#[test]
fn missing_or_bad_attributes_are_rejected_with_the_path() {
    let e = delay_err("<delay xmlns='urn:xmpp:delay'/>");
    assert_eq!(e.path(), "delay");
    assert_eq!(
        e.kind(),
        &ErrorKind::MissingAttribute {
            name: "stamp".into()
        }
    );
    for (stamp, why) in [
        ("2002-09-10 23:08:25Z", "missing 'T'"),
        ("2002-09-10T23:08:25", "the time zone is required"),
        ("20020910T23:08:25", "not a XEP-0082 DateTime"),
        ("2002-02-30T23:08:25Z", "not a XEP-0082 DateTime"),
    ] {
        let e = delay_err(&format!("<delay xmlns='urn:xmpp:delay' stamp='{stamp}'/>"));
        assert_eq!(e.path(), "delay");
        assert!(
            matches!(e.kind(), ErrorKind::BadAttribute { name, reason, .. } if name == "stamp" && reason.contains(why)),
            "{stamp}: {e}"
        );
    }
    let e = delay_err("<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z' from='@'/>");
    assert!(
        matches!(e.kind(), ErrorKind::BadAttribute { name, .. } if name == "from"),
        "{e}"
    );
    let e = delay_err("<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z' reason='x'/>");
    assert!(
        matches!(e.kind(), ErrorKind::UnknownAttribute { name } if name == "reason"),
        "{e}"
    );
    let e = delay_err("<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25Z'><why/></delay>");
    assert!(matches!(e.kind(), ErrorKind::UnexpectedChild { .. }), "{e}");
}

#[test]
fn stamps_must_be_utc() {
    let e = delay_err("<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25+02:00'/>");
    assert_eq!(e.path(), "delay");
    assert_eq!(
        e.to_string(),
        "at delay: attribute 'stamp' has bad value '2002-09-10T23:08:25+02:00': \
         XEP-0203 requires the stamp to be expressed in UTC (Z)"
    );
    assert!(
        Delay::from_xml(b"<delay xmlns='urn:xmpp:delay' stamp='2002-09-10T23:08:25-05:30'/>")
            .is_err()
    );
}

#[test]
fn new_delays_are_utc_with_z() {
    assert_eq!(
        Delay::new(utc(2026, 11, 22, 10, 0, 0), None).to_xml(),
        "<delay xmlns='urn:xmpp:delay' stamp='2026-11-22T10:00:00Z'/>"
    );
    let t = utc(2026, 11, 22, 10, 0, 0) + chrono::Duration::milliseconds(250);
    let d = Delay::new(t, Some("example.org".parse().unwrap()));
    assert_eq!(
        d.to_xml(),
        "<delay xmlns='urn:xmpp:delay' from='example.org' stamp='2026-11-22T10:00:00.250Z'/>"
    );
    assert_eq!(d.utc(), t);
}

#[test]
fn legacy_delays_round_trip() {
    let l: LegacyDelay = round_trip(
        "<x xmlns='jabber:x:delay' from='capulet.example' stamp='20020910T23:08:25'>Offline</x>",
    );
    assert_eq!(l.stamp.0, utc(2002, 9, 10, 23, 8, 25));
    let l: LegacyDelay = round_trip("<x xmlns='jabber:x:delay' stamp='19991231T00:00:00'/>");
    assert!(l.from.is_none() && l.reason.is_none());
}

#[test]
fn legacy_stamps_are_strict() {
    for bad in [
        "2002-09-10T23:08:25Z",
        "20020910T23:08:25Z",
        "20020910T23:08",
        "20020910 23:08:25",
        "2002091T023:08:25",
        "20021310T23:08:25",
        "20020910T24:08:25",
        "+2002910T23:08:25",
        "",
    ] {
        let xml = format!("<x xmlns='jabber:x:delay' stamp='{bad}'/>");
        let e = LegacyDelay::from_xml(xml.as_bytes()).unwrap_err();
        assert_eq!(e.path(), "x", "{bad}");
        assert!(
            matches!(e.kind(), ErrorKind::BadAttribute { name, reason, .. }
                if name == "stamp" && reason.contains("CCYYMMDDThh:mm:ss")),
            "{bad}: {e}"
        );
    }
    let e = LegacyDelay::from_xml(b"<x xmlns='jabber:x:delay'/>").unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::MissingAttribute {
            name: "stamp".into()
        }
    );
}

#[test]
fn legacy_and_current_forms_convert() {
    let l = LegacyDelay::from_xml(
        b"<x xmlns='jabber:x:delay' from='capulet.example' stamp='20020910T23:08:25'>Offline</x>",
    )
    .unwrap();
    let d = Delay::from(&l);
    assert_eq!(
        d.to_xml(),
        "<delay xmlns='urn:xmpp:delay' from='capulet.example' stamp='2002-09-10T23:08:25Z'>Offline</delay>"
    );
    assert_eq!(LegacyDelay::from(&d), l);
    // The fraction of a second does not survive the legacy form.
    let d = Delay::new(
        utc(2002, 9, 10, 23, 8, 25) + chrono::Duration::milliseconds(999),
        None,
    );
    assert_eq!(
        LegacyDelay::from(&d).stamp.to_xml(),
        "20020910T23:08:25".to_string()
    );
}

#[test]
fn both_elements_are_registered() {
    let names: Vec<_> = ELEMENTS.iter().map(|e| e.spec).collect();
    assert_eq!(names, ["XEP-0203", "XEP-0091"]);
    assert!(Delay::matches(NS, "delay") && !Delay::matches(NS_LEGACY, "delay"));
    assert!(LegacyDelay::matches(NS_LEGACY, "x"));
}

/// Parses by both paths, checks they agree and that writing gives an
/// equivalent element (the XEPs' layout between attributes is not kept).
fn equivalent<T: XmlElement + PartialEq + std::fmt::Debug>(xml: &str) -> T {
    let v = T::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
    let dom: xep_element::minidom::Element = xml.parse().unwrap();
    assert_eq!(T::from_element(&dom).unwrap(), v);
    assert!(xep_element::is_equivalent(&v.to_element(), &dom), "{xml}");
    v
}

#[test]
fn the_xep_0091_examples_are_the_xep_0203_ones_in_the_old_form() {
    let (Some(new), Some(old)) = (xep(203), xep(91)) else {
        return;
    };
    let parse_all = |doc: &str, open: &str, name: &str| -> Vec<Delay> {
        elements_in(doc, open, name)
            .into_iter()
            .map(|xml| {
                if name == "x" {
                    Delay::from(&equivalent::<LegacyDelay>(xml))
                } else {
                    equivalent::<Delay>(xml)
                }
            })
            .collect()
    };
    let new = parse_all(&new, "<delay xmlns='urn:xmpp:delay'", "delay");
    let old = parse_all(&old, "<x xmlns='jabber:x:delay'", "x");
    assert_eq!(new.len(), 3);
    assert_eq!(old.len(), new.len());
    for (n, o) in new.iter().zip(&old) {
        assert_eq!(n.utc(), o.utc());
        assert_eq!(n.from, o.from);
        assert_eq!(n.reason_text(), o.reason_text());
        assert_eq!(LegacyDelay::from(n), LegacyDelay::from(o));
    }
    // One says why it was delayed; all say who delayed it.
    assert_eq!(new.iter().filter(|d| d.reason_text().is_some()).count(), 1);
    assert!(new.iter().all(|d| d.from.is_some()));
}
