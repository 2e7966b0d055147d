use super::*;
use xep_core::{Iq, Message, Presence, PresenceType, Stanza};
use xep_element::XmlElement;
use xep_element::jid::BareJid;

use xep_element::testdata::exact_round_trip as rt;

fn message(xml: &str) -> Message {
    match Stanza::from_xml(xml.as_bytes()).unwrap() {
        Stanza::Message(m) => m,
        other => panic!("{other:?}"),
    }
}

fn presence(xml: &str) -> Presence {
    match Stanza::from_xml(xml.as_bytes()).unwrap() {
        Stanza::Presence(p) => p,
        other => panic!("{other:?}"),
    }
}

fn iq(xml: &str) -> Iq {
    match Stanza::from_xml(xml.as_bytes()).unwrap() {
        Stanza::Iq(i) => i,
        other => panic!("{other:?}"),
    }
}

fn bare(s: &str) -> BareJid {
    s.parse().unwrap()
}

/// The words of a XEP's list items (`<li><p><link ...>word</link> --`
/// or `<li>word`), in order.
fn listed(doc: &str, section_start: &str, section_end: &str) -> Vec<String> {
    let from = doc.find(section_start).unwrap();
    let to = from + doc[from..].find(section_end).unwrap();
    let mut out = Vec::new();
    for line in doc[from..to].lines() {
        let t = line.trim();
        let Some(rest) = t.strip_prefix("<li>") else {
            continue;
        };
        // Drop markup, keep the first word.
        let mut plain = String::new();
        let mut in_tag = false;
        for c in rest.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => plain.push(c),
                _ => {}
            }
        }
        let word: String = plain
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        if !word.is_empty() {
            out.push(word);
        }
    }
    out
}

#[test]
fn every_mood_of_the_xep_and_no_other() {
    let Some(doc) = xep_element::testdata::xep_source(107) else {
        return;
    };
    let names = listed(&doc, "<section1 topic='Mood Values'", "</section1>");
    let ours: Vec<&str> = MoodKind::ALL.iter().map(|k| k.name()).collect();
    assert_eq!(ours, names);
    assert_eq!(ours.len(), 84);
    for k in MoodKind::ALL {
        assert_eq!(MoodKind::from_name(k.name()), Some(*k));
        let xml = format!("<mood xmlns='{NS_MOOD}'><{}/></mood>", k.name());
        assert_eq!(rt::<Mood>(&xml).kind(), Some(*k));
    }
}

#[test]
fn every_activity_of_the_xep_with_its_general_activity() {
    let Some(doc) = xep_element::testdata::xep_source(108) else {
        return;
    };
    let listed = listed(
        &doc,
        "<section1 topic='Activity Values'",
        "<section1 topic='Mapping to RPID'",
    );
    // Every word listed is one of ours; `undefined` (general) and
    // `other` (specific) are in the schema and the prose only.
    for w in &listed {
        assert!(
            GeneralKind::from_name(w).is_some() || SpecificKind::from_name(w).is_some(),
            "{w}"
        );
    }
    let schema_general = doc.matches("type='general'/>").count();
    let schema_specific = doc.matches("type='specific'/>").count();
    assert_eq!(GeneralKind::ALL.len(), schema_general);
    assert_eq!(SpecificKind::ALL.len(), schema_specific);
    // The nesting of §3: each specific activity under the general one(s)
    // listed just before it.
    let mut current = None;
    for w in &listed {
        if let Some(g) = GeneralKind::from_name(w) {
            current = Some(g);
        } else {
            let s = SpecificKind::from_name(w).unwrap();
            assert!(s.recommended_under().contains(&current.unwrap()), "{w}");
        }
    }
    assert_eq!(
        SpecificKind::Cycling.recommended_under(),
        [GeneralKind::Exercising, GeneralKind::Traveling]
    );
    assert!(SpecificKind::Other.recommended_under().is_empty());
    for g in GeneralKind::ALL {
        for s in SpecificKind::ALL {
            let xml = format!(
                "<activity xmlns='{NS_ACTIVITY}'><{}><{}/></{}></activity>",
                g.name(),
                s.name(),
                g.name()
            );
            assert_eq!(rt::<Activity>(&xml).kinds(), Some((*g, Some(*s))));
        }
    }
}

#[test]
fn mood_keeps_its_specific_extension_and_stops_empty() {
    let m = rt::<Mood>(
        "<mood xmlns='http://jabber.org/protocol/mood'><happy><ecstatic xmlns='urn:example:moods'/></happy>\
         <text>Done!</text></mood>",
    );
    assert_eq!(m.kind(), Some(MoodKind::Happy));
    let v = m.value.as_ref().unwrap();
    assert_eq!(v.specific().len(), 1);
    assert_eq!(v.specific()[0].to_element().name(), "ecstatic");
    assert!(rt::<Mood>("<mood xmlns='http://jabber.org/protocol/mood'/>").is_stop());
    assert_eq!(
        Mood::stop().to_xml(),
        "<mood xmlns='http://jabber.org/protocol/mood'/>"
    );
    // A text without a mood is neither a mood nor the stop.
    let e = Mood::from_xml(b"<mood xmlns='http://jabber.org/protocol/mood'><text>hm</text></mood>")
        .unwrap_err();
    assert!(
        e.to_string().contains("a text without a mood element"),
        "{e}"
    );
    // Unknown moods and two moods are errors naming the path.
    let e = Mood::from_xml(b"<mood xmlns='http://jabber.org/protocol/mood'><elated/></mood>")
        .unwrap_err();
    assert!(e.to_string().starts_with("at mood:"), "{e}");
    assert!(
        Mood::from_xml(b"<mood xmlns='http://jabber.org/protocol/mood'><sad/><happy/></mood>")
            .is_err()
    );
    // The mood elements are empty but for the extension.
    assert!(
        Mood::from_xml(b"<mood xmlns='http://jabber.org/protocol/mood'><sad>very</sad></mood>")
            .is_err()
    );
}

#[test]
fn activity_specifics_extensions_and_details() {
    let a = rt::<Activity>(
        "<activity xmlns='http://jabber.org/protocol/activity'><relaxing><partying/></relaxing>\
         <text xml:lang='en'>A birthday</text></activity>",
    );
    assert_eq!(
        a.kinds(),
        Some((GeneralKind::Relaxing, Some(SpecificKind::Partying)))
    );
    assert_eq!(a.text.as_ref().unwrap().lang.as_deref(), Some("en"));
    let a = rt::<Activity>(
        "<activity xmlns='http://jabber.org/protocol/activity'><relaxing>\
         <tanning xmlns='urn:example:sun'/></relaxing></activity>",
    );
    let g = a.general.as_ref().unwrap();
    assert!(g.specific().is_none());
    assert_eq!(g.extension().unwrap().to_element().name(), "tanning");
    let a = rt::<Activity>(
        "<activity xmlns='http://jabber.org/protocol/activity'><inactive><sleeping>\
         <hibernating xmlns='urn:example:bears'/></sleeping></inactive></activity>",
    );
    let s = a.general.as_ref().unwrap().specific().unwrap();
    assert_eq!(s.kind(), SpecificKind::Sleeping);
    assert_eq!(s.detail().unwrap().to_element().name(), "hibernating");
    // Instead of, not in addition to (§2.1).
    let e = Activity::from_xml(
        b"<activity xmlns='http://jabber.org/protocol/activity'><relaxing><partying/>\
          <tanning xmlns='urn:example:sun'/></relaxing></activity>",
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("at activity/relaxing:"), "{e}");
    assert!(
        Activity::from_xml(
            b"<activity xmlns='http://jabber.org/protocol/activity'><relaxing>\
              <a xmlns='urn:example:x'/><b xmlns='urn:example:x'/></relaxing></activity>"
        )
        .is_err()
    );
    assert!(
        Activity::from_xml(
            b"<activity xmlns='http://jabber.org/protocol/activity'><text>idle</text></activity>"
        )
        .is_err()
    );
    // A general activity where a specific one goes.
    assert!(
        Activity::from_xml(
            b"<activity xmlns='http://jabber.org/protocol/activity'><relaxing><eating/></relaxing></activity>"
        )
        .is_err()
    );
    assert!(Activity::stop().is_stop());
    let built = Activity::new(GeneralKind::Working, Some(SpecificKind::Coding));
    assert_eq!(
        built.to_xml(),
        "<activity xmlns='http://jabber.org/protocol/activity'><working><coding/></working></activity>"
    );
}

#[test]
fn geoloc_fields_have_their_types() {
    let g = rt::<Geoloc>(
        "<geoloc xmlns='http://jabber.org/protocol/geoloc' xml:lang='en'><accuracy>20</accuracy>\
         <alt>-12.5</alt><altaccuracy>3</altaccuracy><area>Old Town</area><bearing>270.0</bearing>\
         <building>Tower</building><country>Italy</country><countrycode>IT</countrycode>\
         <datum>WGS84</datum><description>the square</description><error>.5</error>\
         <floor>2</floor><lat>45.44</lat><locality>Venice</locality><lon>+12.33</lon>\
         <postalcode>30100</postalcode><region>Veneto</region><regioncode>IT-34</regioncode>\
         <room>B</room><speed>1.25</speed><street>Calle Larga</street><text>by the well</text>\
         <timestamp>2026-11-30T12:34:56Z</timestamp><tzo>+01:00</tzo>\
         <uri>https://example.org/venice</uri></geoloc>",
    );
    assert_eq!(g.coordinates(), Some((45.44, 12.33)));
    assert_eq!(g.horizontal_error_meters(), Some(20.0));
    assert_eq!(g.tzo.as_ref().unwrap().minutes(), 60);
    assert_eq!(g.alt.as_ref().unwrap().value(), -12.5);
    let old = Geoloc::from_xml(
        b"<geoloc xmlns='http://jabber.org/protocol/geoloc'><error>2</error></geoloc>",
    )
    .unwrap();
    assert_eq!(old.horizontal_error_meters(), Some(3704.0));
    assert_eq!(old.datum_or_default(), "WGS84");
    for bad in [
        "<geoloc xmlns='http://jabber.org/protocol/geoloc'><lat>north</lat></geoloc>",
        "<geoloc xmlns='http://jabber.org/protocol/geoloc'><lat>1e5</lat></geoloc>",
        "<geoloc xmlns='http://jabber.org/protocol/geoloc'><lon>.</lon></geoloc>",
        "<geoloc xmlns='http://jabber.org/protocol/geoloc'><timestamp>2004-02-19T21:12Z</timestamp></geoloc>",
        "<geoloc xmlns='http://jabber.org/protocol/geoloc'><tzo>+1:00</tzo></geoloc>",
        "<geoloc xmlns='http://jabber.org/protocol/geoloc'><tzo>+15:00</tzo></geoloc>",
        "<geoloc xmlns='http://jabber.org/protocol/geoloc'><planet>Mars</planet></geoloc>",
    ] {
        let e = Geoloc::from_xml(bad.as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("at geoloc"), "{bad}: {e}");
    }
    assert!(rt::<Geoloc>("<geoloc xmlns='http://jabber.org/protocol/geoloc'/>").is_stop());
    assert!(
        rt::<Geoloc>("<geoloc xmlns='http://jabber.org/protocol/geoloc' xml:lang='en'/>").is_stop()
    );
    // Out of range coordinates are not coordinates.
    let far = Geoloc {
        lat: Decimal::new(91.0),
        lon: Decimal::new(0.0),
        ..Geoloc::default()
    };
    assert_eq!(far.coordinates(), None);
    assert_eq!(Decimal::new(-104.99).unwrap().as_str(), "-104.99");
    assert!(Decimal::new(f64::NAN).is_none());
    assert_eq!(Tzd::from_minutes(-420).unwrap().as_str(), "-07:00");
    assert_eq!(Tzd::utc().minutes(), 0);
}

#[test]
fn tune_fields_and_rating_bounds() {
    let t = rt::<Tune>(
        "<tune xmlns='http://jabber.org/protocol/tune'><artist>Yes</artist><composer>Anderson</composer>\
         <date>1971</date><genre>Rock</genre><language>eng</language><length>686</length>\
         <lyricist>Anderson</lyricist><performer>Yes</performer><rating>10</rating>\
         <source>Fragile</source><title>Heart of the Sunrise</title><track>8</track>\
         <uri>https://example.org/fragile#8</uri></tune>",
    );
    assert_eq!(t.length, Some(686));
    assert_eq!(t.rating.unwrap().get(), 10);
    for bad in ["0", "11", "-1", "five"] {
        let xml =
            format!("<tune xmlns='http://jabber.org/protocol/tune'><rating>{bad}</rating></tune>");
        let e = Tune::from_xml(xml.as_bytes()).unwrap_err();
        assert!(e.to_string().starts_with("at tune/rating"), "{e}");
    }
    assert!(
        Tune::from_xml(
            b"<tune xmlns='http://jabber.org/protocol/tune'><length>70000</length></tune>"
        )
        .is_err()
    );
    assert!(rt::<Tune>("<tune xmlns='http://jabber.org/protocol/tune'/>").is_stop());
    assert_eq!(Rating::new(0), None);
}

#[test]
fn nickname_only_in_subscription_requests_not_broadcasts() {
    let mut p = Presence::available();
    assert_eq!(
        nick::add_to_presence(&mut p, Nick::new("Ishmael")),
        Err(nick::NickRefusal::Broadcast)
    );
    let mut sub = Presence::available();
    sub.type_ = Some(PresenceType::Subscribe);
    nick::add_to_presence(&mut sub, Nick::new("Ishmael")).unwrap();
    assert!(
        sub.to_xml()
            .contains("<nick xmlns='http://jabber.org/protocol/nick'>Ishmael</nick>")
    );

    let req = presence(
        "<presence xmlns='jabber:client' from='narrator@moby.example/pda' type='subscribe'>\
         <nick xmlns='http://jabber.org/protocol/nick'>Ishmael</nick></presence>",
    );
    let (who, n) = nick::from_presence(&req).unwrap().unwrap();
    assert_eq!(who, bare("narrator@moby.example"));
    assert_eq!(n.name, "Ishmael");
    let broadcast = presence(
        "<presence xmlns='jabber:client' from='narrator@moby.example/pda'>\
         <nick xmlns='http://jabber.org/protocol/nick'>Captain</nick></presence>",
    );
    assert_eq!(
        nick::from_presence(&broadcast),
        Err(nick::NickRefusal::Broadcast)
    );
    let anonymous = message(
        "<message xmlns='jabber:client'><nick xmlns='http://jabber.org/protocol/nick'>X</nick></message>",
    );
    assert_eq!(
        nick::from_message(&anonymous),
        Err(nick::NickRefusal::NoSender)
    );
    let m = message(
        "<message xmlns='jabber:client' from='narrator@moby.example/pda'><body>Call me Ishmael</body>\
         <nick xmlns='http://jabber.org/protocol/nick'>Ishmael</nick></message>",
    );
    assert_eq!(
        nick::from_message(&m).unwrap().unwrap().0,
        bare("narrator@moby.example")
    );
    assert_eq!(
        nick::from_message(&message("<message xmlns='jabber:client'/>")),
        Ok(None)
    );
}

const NICK_EVENT: &str = "<event xmlns='http://jabber.org/protocol/pubsub#event'>\
    <items node='http://jabber.org/protocol/nick'><item id='n1'>\
    <nick xmlns='http://jabber.org/protocol/nick'>CallMeIshmael</nick></item></items></event>";

#[test]
fn notifications_are_believed_only_from_an_account() {
    let good = message(&format!(
        "<message xmlns='jabber:client' from='narrator@moby.example' to='starbuck@moby.example'>{NICK_EVENT}</message>"
    ));
    let n = pep::notification::<Nick>(&good, NS_NICK).unwrap();
    assert_eq!(n.publisher, bare("narrator@moby.example"));
    assert_eq!(n.items[0].item_id.as_deref(), Some("n1"));
    assert_eq!(n.items[0].value.as_ref().unwrap().name, "CallMeIshmael");

    // A client (full JID) or no sender cannot speak for an account.
    let forged = message(&format!(
        "<message xmlns='jabber:client' from='mallory@evil.example/x'>{NICK_EVENT}</message>"
    ));
    assert!(matches!(
        pep::notification::<Nick>(&forged, NS_NICK),
        Err(pep::Refusal::NotFromAccount(Some(_)))
    ));
    let anonymous = message(&format!(
        "<message xmlns='jabber:client'>{NICK_EVENT}</message>"
    ));
    assert_eq!(
        pep::notification::<Nick>(&anonymous, NS_NICK),
        Err(pep::Refusal::NotFromAccount(None))
    );
    assert_eq!(
        pep::notification::<Nick>(&good, NS_MOOD).unwrap_err(),
        pep::Refusal::NotThisNode
    );
    // The payload of another namespace in the node is malformed.
    let wrong = message(
        "<message xmlns='jabber:client' from='narrator@moby.example'><event xmlns='http://jabber.org/protocol/pubsub#event'>\
         <items node='http://jabber.org/protocol/nick'><item><tune xmlns='http://jabber.org/protocol/tune'/></item></items></event></message>",
    );
    assert!(matches!(
        pep::notification::<Nick>(&wrong, NS_NICK),
        Err(pep::Refusal::Malformed(_))
    ));
    // Retractions and notifications without payload.
    let r = message(
        "<message xmlns='jabber:client' from='narrator@moby.example'><event xmlns='http://jabber.org/protocol/pubsub#event'>\
         <items node='http://jabber.org/protocol/tune'><retract id='t1'/></items></event></message>",
    );
    let n = pep::notification::<Tune>(&r, NS_TUNE).unwrap();
    assert_eq!(n.retracted, ["t1"]);
    assert!(n.items.is_empty());
}

#[test]
fn items_results_are_believed_only_from_the_owner_asked() {
    let me = bare("starbuck@moby.example");
    let owner = bare("narrator@moby.example");
    let req = pep::fetch("f1", Some(owner.clone()), NS_NICK);
    assert_eq!(
        req.to_xml(),
        "<iq xmlns='jabber:client' to='narrator@moby.example' id='f1' type='get'><pubsub xmlns='http://jabber.org/protocol/pubsub'>\
         <items node='http://jabber.org/protocol/nick' max_items='1'/></pubsub></iq>"
    );
    let body = "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='http://jabber.org/protocol/nick'>\
                <item id='n1'><nick xmlns='http://jabber.org/protocol/nick'>Ishmael</nick></item></items></pubsub>";
    let ok = iq(&format!(
        "<iq xmlns='jabber:client' type='result' id='f1' from='narrator@moby.example'>{body}</iq>"
    ));
    let items = pep::items_result::<Nick>(&ok, Some(&owner), &me, NS_NICK).unwrap();
    assert_eq!(items[0].value.as_ref().unwrap().name, "Ishmael");
    for from in ["mallory@evil.example", "narrator@moby.example/pda"] {
        let forged = iq(&format!(
            "<iq xmlns='jabber:client' type='result' id='f1' from='{from}'>{body}</iq>"
        ));
        assert!(matches!(
            pep::items_result::<Nick>(&forged, Some(&owner), &me, NS_NICK),
            Err(pep::Refusal::NotFromOwner { .. })
        ));
    }
    // Without `from`, only the user's own node.
    let own = iq(&format!(
        "<iq xmlns='jabber:client' type='result' id='f1'>{body}</iq>"
    ));
    assert!(pep::items_result::<Nick>(&own, None, &me, NS_NICK).is_ok());
    assert!(pep::items_result::<Nick>(&own, Some(&owner), &me, NS_NICK).is_err());
    let publish = pep::publish("p1", NS_TUNE, Some("current".into()), Tune::stop());
    assert!(publish.to_xml().contains(
        "<publish node='http://jabber.org/protocol/tune'><item id='current'><tune xmlns='http://jabber.org/protocol/tune'/></item></publish>"
    ));
}
