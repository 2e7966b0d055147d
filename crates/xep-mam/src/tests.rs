use std::time::{Duration, Instant};

use super::*;
use crate::sim::Archive;
use xep_core::Message;
use xep_element::Registry;
use xep_element::jid::BareJid;

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

fn account() -> BareJid {
    "juliet@capulet.example".parse().unwrap()
}

use xep_element::testdata::exact_round_trip as round_trip;

#[test]
fn elements_round_trip() {
    let q: Query = round_trip(
        "<query xmlns='urn:xmpp:mam:2' queryid='f27' node='fdp/submitted'>\
         <x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>\
         <field var='with' type='jid-single'><value>romeo@montague.example</value></field></x>\
         <set xmlns='http://jabber.org/protocol/rsm'><max>10</max></set><flip-page/></query>",
    );
    assert!(q.flip_page);
    // Other specifications extend the query (XEP-0413's ordering).
    let ordered: Query = round_trip(
        "<query xmlns='urn:xmpp:mam:2'><order xmlns='urn:xmpp:order-by:1' direction='desc'/></query>",
    );
    assert_eq!(ordered.extensions.len(), 1);
    let f = Filter::from_form(q.form.as_ref().unwrap()).unwrap();
    assert_eq!(f.with, Some(jid("romeo@montague.example")));
    let fin: Fin = round_trip(
        "<fin xmlns='urn:xmpp:mam:2' complete='true' stable='false'><set xmlns='http://jabber.org/protocol/rsm'>\
         <count>16</count><first index='0'>a</first><last>b</last></set></fin>",
    );
    assert!(fin.is_complete() && !fin.is_stable());
    let fin: Fin = round_trip("<fin xmlns='urn:xmpp:mam:2'/>");
    assert!(!fin.is_complete() && fin.is_stable());
    let m: Metadata = round_trip(
        "<metadata xmlns='urn:xmpp:mam:2'><start id='a' timestamp='2008-08-22T21:09:04Z'/>\
         <end id='b' timestamp='2020-04-20T14:34:21Z'/></metadata>",
    );
    assert_eq!(m.end.unwrap().id, "b");
    let _: Metadata = round_trip("<metadata xmlns='urn:xmpp:mam:2'/>");
    let p: Prefs = round_trip(
        "<prefs xmlns='urn:xmpp:mam:2' default='roster'><always><jid>romeo@montague.example</jid></always>\
         <never><jid>tybalt@capulet.example</jid></never></prefs>",
    );
    assert_eq!(p.default, Some(DefaultBehaviour::Roster));
    let r: ArchiveResult = round_trip(
        "<result xmlns='urn:xmpp:mam:2' queryid='q' id='x1'><forwarded xmlns='urn:xmpp:forward:0'>\
         <message xmlns='jabber:client' type='chat'><body>hi</body></message></forwarded></result>",
    );
    assert_eq!(r.id, "x1");
}

#[test]
fn malformed_elements_are_refused_with_their_path() {
    let e = ArchiveResult::from_xml(b"<result xmlns='urn:xmpp:mam:2' queryid='q'/>").unwrap_err();
    assert_eq!(e.path(), "result");
    let e = ArchiveResult::from_xml(
        b"<result xmlns='urn:xmpp:mam:2' id=''><forwarded xmlns='urn:xmpp:forward:0'>\
          <message xmlns='jabber:client'/></forwarded></result>",
    )
    .unwrap_err();
    assert!(e.to_string().contains("never empty"), "{e}");
    let e = Metadata::from_xml(
        b"<metadata xmlns='urn:xmpp:mam:2'><start id='a' timestamp='2008-08-22T21:09:04Z'/></metadata>",
    )
    .unwrap_err();
    assert!(e.to_string().contains("both"), "{e}");
    let e = Metadata::from_xml(
        b"<metadata xmlns='urn:xmpp:mam:2'><start id='a' timestamp='yesterday'/><end id='b' timestamp='2020-04-20T14:34:21Z'/></metadata>",
    )
    .unwrap_err();
    assert_eq!(e.path(), "metadata/start");
    let e = Fin::from_xml(b"<fin xmlns='urn:xmpp:mam:2' complete='yes'/>").unwrap_err();
    assert_eq!(e.path(), "fin");
    let e = Prefs::from_xml(b"<prefs xmlns='urn:xmpp:mam:2' default='sometimes'/>").unwrap_err();
    assert_eq!(e.path(), "prefs");
    let e =
        Prefs::from_xml(b"<prefs xmlns='urn:xmpp:mam:2'><always><jid>@x</jid></always></prefs>")
            .unwrap_err();
    assert!(e.path().starts_with("prefs/always"), "{}", e.path());
}

#[test]
fn a_filter_is_its_form_and_back() {
    let f = Filter {
        with: Some(jid("romeo@montague.example")),
        start: Some(DateTime82::from_xml("2010-06-07T00:00:00Z").unwrap()),
        end: Some(DateTime82::from_xml("2010-07-07T13:23:54Z").unwrap()),
        before_id: Some("b".into()),
        after_id: Some("a".into()),
        ids: vec!["i1".into(), "i2".into()],
        include_groupchat: Some(true),
    };
    assert!(f.needs_extended());
    let form = f.to_form();
    assert_eq!(form.form_type(), Some(NS));
    let again = Filter::from_form(&DataForm::from_xml(form.to_xml().as_bytes()).unwrap()).unwrap();
    assert_eq!(again, f);
    assert!(Filter::default().is_empty());
    assert!(!Filter::default().needs_extended());
}

#[test]
fn a_server_refuses_forms_it_cannot_read() {
    let form = |fields: &str| {
        DataForm::from_xml(
            format!(
                "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'>\
                 <value>urn:xmpp:mam:2</value></field>{fields}</x>"
            )
            .as_bytes(),
        )
        .unwrap()
    };
    assert_eq!(
        Filter::from_form(&form(
            "<field var='{urn:example}colour'><value>red</value></field>"
        )),
        Err(FilterError::UnknownField("{urn:example}colour".into()))
    );
    for (field, var) in [
        ("<field var='with'><value>@bad</value></field>", "with"),
        (
            "<field var='start'><value>last week</value></field>",
            "start",
        ),
        (
            "<field var='include-groupchat'><value>perhaps</value></field>",
            "include-groupchat",
        ),
        (
            "<field var='end'><value>2010-07-07T13:23:54Z</value><value>2010-07-08T13:23:54Z</value></field>",
            "end",
        ),
    ] {
        let e = Filter::from_form(&form(field)).unwrap_err();
        assert!(
            matches!(&e, FilterError::BadValue { var: v, .. } if v == var),
            "{field}: {e}"
        );
        assert!(e.to_string().contains(var), "{e}");
    }
    // An empty value is as absent.
    assert_eq!(
        Filter::from_form(&form("<field var='with'><value></value></field>")).unwrap(),
        Filter::default()
    );
    let other = DataForm::from_xml(
        b"<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>urn:example</value></field></x>",
    )
    .unwrap();
    assert_eq!(Filter::from_form(&other), Err(FilterError::NotAQuery));
}

#[test]
fn prefs_decide_by_bare_jid_never_first() {
    let p = Prefs::from_xml(
        b"<prefs xmlns='urn:xmpp:mam:2' default='roster'><always><jid>romeo@montague.example</jid></always>\
          <never><jid>tybalt@capulet.example</jid><jid>romeo@montague.example</jid></never></prefs>",
    )
    .unwrap();
    assert_eq!(
        p.archives(&jid("romeo@montague.example/orchard"), true),
        Some(false)
    );
    assert_eq!(
        p.archives(&jid("tybalt@capulet.example"), true),
        Some(false)
    );
    assert_eq!(p.archives(&jid("nurse@capulet.example"), true), Some(true));
    assert_eq!(
        p.archives(&jid("nurse@capulet.example"), false),
        Some(false)
    );
    assert_eq!(Prefs::default().archives(&jid("a@b.example"), true), None);
}

/// Runs `walk` against `archive` until it stops asking, returning the
/// bodies of the results in order and the last event.
fn run(walk: &mut Walk, archive: &Archive, now: Instant) -> (Vec<String>, Vec<Event>) {
    let mut bodies = Vec::new();
    let mut events = Vec::new();
    while let Some(query) = walk.poll_transmit() {
        let (results, fin) = archive.answer(&query);
        for m in &results {
            assert!(walk.handle_message(now, m));
        }
        assert!(walk.handle_iq(now, &fin));
        while let Some(e) = walk.poll_event() {
            if let Event::Result(r) = &e {
                bodies.push(r.message.body(None).unwrap().to_string());
                assert_eq!(r.message.body(None), Some(r.id.as_str()));
                assert!(r.delay.is_some());
            }
            events.push(e);
        }
    }
    (bodies, events)
}

fn ids(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|i| format!("m{i}")).collect()
}

#[test]
fn walks_forward_to_the_end_of_the_archive() {
    let now = Instant::now();
    let archive = Archive::new(7, None);
    let config = Config {
        page_size: 3,
        ..Config::default()
    };
    let mut walk = Walk::new(account(), None, Filter::default(), config);
    walk.start(now).unwrap();
    let (bodies, events) = run(&mut walk, &archive, now);
    assert_eq!(bodies, ids(1..=7));
    assert_eq!(events.last(), Some(&Event::Complete { results: 7 }));
    let pages = events
        .iter()
        .filter(|e| matches!(e, Event::PageEnd { .. }))
        .count();
    assert_eq!(pages, 3);
    assert_eq!(walk.state(), State::Complete);
    assert_eq!(walk.poll_timeout(), None);
}

#[test]
fn walks_backward_from_the_last_page() {
    let now = Instant::now();
    let archive = Archive::new(7, Some(jid("juliet@capulet.example")));
    let config = Config {
        page_size: 3,
        direction: Direction::Backward,
        ..Config::default()
    };
    let mut walk = Walk::new(account(), None, Filter::default(), config);
    walk.start(now).unwrap();
    let first = walk.poll_transmit().unwrap();
    let set = first.payload::<Query>().unwrap().unwrap().set.unwrap();
    assert_eq!(set.before.as_deref(), Some(""), "the last page first");
    let mut walk2 = Walk::new(
        account(),
        None,
        Filter::default(),
        Config {
            page_size: 3,
            direction: Direction::Backward,
            ..Config::default()
        },
    );
    walk2.start(now).unwrap();
    let (bodies, events) = run(&mut walk2, &archive, now);
    // Pages newest first, each page oldest first.
    let mut expected = ids(5..=7);
    expected.extend(ids(2..=4));
    expected.extend(ids(1..=1));
    assert_eq!(bodies, expected);
    assert_eq!(events.last(), Some(&Event::Complete { results: 7 }));
}

#[test]
fn the_query_carries_the_filter_and_the_archive() {
    let now = Instant::now();
    let room = jid("chamber@rooms.capulet.example");
    let filter = Filter {
        with: Some(jid("romeo@montague.example")),
        ..Filter::default()
    };
    let mut walk = Walk::new(
        account(),
        Some(room.clone()),
        filter.clone(),
        Config::default(),
    );
    walk.start(now).unwrap();
    let iq = walk.poll_transmit().unwrap();
    assert_eq!(iq.to, Some(room));
    let q = iq.payload::<Query>().unwrap().unwrap();
    assert_eq!(Filter::from_form(&q.form.unwrap()).unwrap(), filter);
    assert_eq!(q.queryid.as_deref(), walk.query_id());
    assert_eq!(q.set.unwrap().max, Some(50));
    assert_eq!(
        walk.start(now),
        Err(MamError::WrongState {
            action: "start a walk",
            state: State::Querying
        })
    );
}

#[test]
fn results_from_anyone_but_the_archive_are_refused() {
    let now = Instant::now();
    let room = jid("chamber@rooms.capulet.example");
    let mut walk = Walk::new(
        account(),
        Some(room.clone()),
        Filter::default(),
        Config::default(),
    );
    walk.start(now).unwrap();
    let query = walk.poll_transmit().unwrap();
    let qid = walk.query_id().unwrap().to_string();
    // Forged: the right query id, from someone else (an occupant's full
    // JID, another user, no sender at all).
    for from in [
        Some(jid("chamber@rooms.capulet.example/mallory")),
        Some(jid("mallory@evil.example")),
        None,
    ] {
        let forged = Archive::new(1, from.clone()).message(&qid, "m1");
        assert!(walk.handle_message(now, &forged));
        assert_eq!(
            walk.poll_event(),
            Some(Event::Refused {
                from,
                reason: Refusal::WrongSender
            })
        );
    }
    // The genuine one is believed.
    let real = Archive::new(1, Some(room.clone())).message(&qid, "m1");
    assert!(walk.handle_message(now, &real));
    assert!(matches!(walk.poll_event(), Some(Event::Result(_))));
    // Another walk's result is not this walk's.
    let other = Archive::new(1, Some(room.clone())).message("other-1", "m1");
    assert!(!walk.handle_message(now, &other));
    assert!(is_archive_result(&other));
    assert!(!is_archive_result(&Message::default()));
    // A reply to our iq from someone else: refused, the page stays open.
    let mut fake = query.result(Some(xep_element::Payload::new(Fin {
        complete: Some(true.into()),
        ..Fin::default()
    })));
    fake.from = Some(jid("mallory@evil.example"));
    assert!(walk.handle_iq(now, &fake));
    assert!(matches!(
        walk.poll_event(),
        Some(Event::Refused {
            reason: Refusal::WrongSender,
            ..
        })
    ));
    assert_eq!(walk.state(), State::Querying);
    // In the own archive, results come without `from` or from the
    // account's bare JID, never from one of its resources.
    let mut own = Walk::new(account(), None, Filter::default(), Config::default());
    own.start(now).unwrap();
    let qid = own.query_id().unwrap().to_string();
    for (from, believed) in [
        (None, true),
        (Some(jid("juliet@capulet.example")), true),
        (Some(jid("juliet@capulet.example/balcony")), false),
        (Some(jid("capulet.example")), false),
    ] {
        assert!(own.handle_message(now, &Archive::new(1, from.clone()).message(&qid, "m1")));
        let e = own.poll_event().unwrap();
        assert_eq!(matches!(e, Event::Result(_)), believed, "{from:?}: {e:?}");
    }
}

#[test]
fn results_for_a_closed_page_or_not_a_message_are_refused() {
    let now = Instant::now();
    let archive = Archive::new(2, None);
    let mut walk = Walk::new(account(), None, Filter::default(), Config::default());
    walk.start(now).unwrap();
    let qid = walk.query_id().unwrap().to_string();
    let (_, events) = run(&mut walk, &archive, now);
    assert_eq!(events.last(), Some(&Event::Complete { results: 2 }));
    // A late result for the finished query.
    assert!(walk.handle_message(now, &archive.message(&qid, "m2")));
    assert_eq!(
        walk.poll_event(),
        Some(Event::Refused {
            from: None,
            reason: Refusal::NotOpen
        })
    );
    // A result holding an iq.
    let mut walk = Walk::new(account(), None, Filter::default(), Config::default());
    walk.start(now).unwrap();
    let qid = walk.query_id().unwrap().to_string();
    let iq_inside = Message::from_xml(
        format!(
            "<message xmlns='jabber:client'><result xmlns='urn:xmpp:mam:2' queryid='{qid}' id='x'>\
             <forwarded xmlns='urn:xmpp:forward:0'><iq xmlns='jabber:client' type='get' id='1'>\
             <ping xmlns='urn:xmpp:ping'/></iq></forwarded></result></message>"
        )
        .as_bytes(),
    )
    .unwrap();
    assert!(walk.handle_message(now, &iq_inside));
    assert!(matches!(
        walk.poll_event(),
        Some(Event::Refused {
            reason: Refusal::NotAMessage,
            ..
        })
    ));
    // A malformed result from the archive while a page is open.
    let broken = Message::from_xml(
        b"<message xmlns='jabber:client'><result xmlns='urn:xmpp:mam:2' queryid='x'/></message>",
    )
    .unwrap();
    assert!(walk.handle_message(now, &broken));
    assert!(matches!(
        walk.poll_event(),
        Some(Event::Refused {
            reason: Refusal::Malformed(_),
            ..
        })
    ));
}

#[test]
fn a_server_that_never_moves_on_stalls_the_walk() {
    let now = Instant::now();
    let mut archive = Archive::new(5, None);
    archive.stuck = Some("m2".into());
    let mut walk = Walk::new(
        account(),
        None,
        Filter::default(),
        Config {
            page_size: 2,
            ..Config::default()
        },
    );
    walk.start(now).unwrap();
    let (_, events) = run(&mut walk, &archive, now);
    assert_eq!(events.last(), Some(&Event::Failed(Failure::Stalled)));
    assert_eq!(walk.state(), State::Failed);
}

#[test]
fn errors_and_silence_end_the_walk() {
    let now = Instant::now();
    let mut walk = Walk::new(account(), None, Filter::default(), Config::default());
    walk.start(now).unwrap();
    let query = walk.poll_transmit().unwrap();
    let error = query.error_reply(xep_core::StanzaError::new(
        xep_core::ErrorType::Cancel,
        xep_core::DefinedCondition::ItemNotFound,
    ));
    assert!(walk.handle_iq(now, &error));
    assert!(matches!(
        walk.poll_event(),
        Some(Event::Failed(Failure::Error(e))) if e.condition == xep_core::DefinedCondition::ItemNotFound
    ));
    // No fin in the result.
    let mut walk = Walk::new(account(), None, Filter::default(), Config::default());
    walk.start(now).unwrap();
    let query = walk.poll_transmit().unwrap();
    assert!(walk.handle_iq(now, &query.result(None)));
    assert_eq!(
        walk.poll_event(),
        Some(Event::Failed(Failure::BadFin(None)))
    );
    // Timeout, then the late answer is not the walk's.
    let mut walk = Walk::new(account(), None, Filter::default(), Config::default());
    walk.start(now).unwrap();
    let query = walk.poll_transmit().unwrap();
    let due = walk.poll_timeout().unwrap();
    assert_eq!(due, now + Duration::from_secs(30));
    walk.handle_timeout(due - Duration::from_millis(1));
    assert_eq!(walk.poll_event(), None);
    walk.handle_timeout(due);
    assert_eq!(walk.poll_event(), Some(Event::Failed(Failure::TimedOut)));
    let (_, fin) = Archive::new(1, None).answer(&query);
    assert!(!walk.handle_iq(now, &fin));
    // A timeout too long for the clock is no deadline, not a panic.
    let mut walk = Walk::new(
        account(),
        None,
        Filter::default(),
        Config {
            request_timeout: Duration::MAX,
            ..Config::default()
        },
    );
    walk.start(now).unwrap();
    assert_eq!(walk.poll_timeout(), None);
}

#[test]
fn results_typed_by_the_registry_are_read_too() {
    let now = Instant::now();
    let registry = Registry::new()
        .with(xep_core::ELEMENTS)
        .with(xep_forward::ELEMENTS)
        .with(crate::ELEMENTS);
    let mut walk = Walk::new(account(), None, Filter::default(), Config::default());
    walk.start(now).unwrap();
    let qid = walk.query_id().unwrap().to_string();
    let xml = Archive::new(1, None).message(&qid, "m1").to_xml();
    let typed = Message::from_xml_with(xml.as_bytes(), &registry).unwrap();
    assert!(typed.payloads[0].downcast_ref::<ArchiveResult>().is_some());
    assert!(is_archive_result(&typed));
    assert!(walk.handle_message(now, &typed));
    assert!(matches!(walk.poll_event(), Some(Event::Result(_))));
}

#[test]
fn the_xeps_examples_parse() {
    let mut n = 0;
    if let Some(doc) = xep_element::testdata::xep_source(313) {
        for (open, name) in [
            ("<query xmlns='urn:xmpp:mam:2'", "query"),
            ("<fin xmlns='urn:xmpp:mam:2'", "fin"),
            ("<metadata xmlns='urn:xmpp:mam:2'", "metadata"),
        ] {
            for xml in xep_element::testdata::elements_in(&doc, open, name) {
                if xml.contains("...") {
                    continue; // content elided by the XEP
                }
                let r = match name {
                    "query" => Query::from_xml(xml.as_bytes()).map(drop),
                    "fin" => Fin::from_xml(xml.as_bytes()).map(drop),
                    _ => Metadata::from_xml(xml.as_bytes()).map(drop),
                };
                r.unwrap_or_else(|e| panic!("{xml}: {e}"));
                n += 1;
            }
        }
    } else {
        eprintln!("skipped: ../shared/xeps/xep-0313.xml is not there");
    }
    if let Some(doc) = xep_element::testdata::xep_source(441) {
        for xml in
            xep_element::testdata::elements_in(&doc, "<prefs xmlns='urn:xmpp:mam:2'", "prefs")
        {
            Prefs::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
            n += 1;
        }
    }
    eprintln!("{n} examples");
    if xep_element::testdata::xep_source(313).is_some() {
        assert!(n >= 10, "{n} examples");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// The fuzz target's property over random schedules.
    #[test]
    fn walks_hold_their_invariants_under_any_schedule(
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..80),
    ) {
        crate::sim::fuzz(Instant::now(), &data);
    }

    /// Schedules encode to the bytes that decode to them.
    #[test]
    fn schedules_encode_to_their_bytes(
        data in proptest::collection::vec(proptest::prelude::any::<u8>(), 2..80),
    ) {
        let s = crate::sim::schedule_from_bytes(&data);
        proptest::prop_assert_eq!(crate::sim::schedule_from_bytes(&crate::sim::schedule_to_bytes(&s)), s);
    }
}

#[test]
fn fuzz_seeds_replay() {
    let seeds = crate::sim::seeds();
    assert!(seeds.len() >= 8);
    for (name, data) in &seeds {
        assert!(
            !crate::sim::schedule_from_bytes(data).ops.is_empty(),
            "{name}"
        );
        crate::sim::fuzz(Instant::now(), data);
    }
    assert_eq!(crate::sim::dictionary().len(), 8);
}
