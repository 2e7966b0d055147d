//! Tests of the XEP-0353 machine: scripted exchanges between devices and
//! a property test of random interleavings.

use std::time::{Duration, Instant};

use xep_core::{Message, MessageType};
use xep_element::jid::Jid;
use xep_element::{Payload, XmlElement};

use super::*;
use crate::jingle::{Reason, ReasonCondition};
use crate::session::{Event as JingleEvent, State as JingleState};
use crate::{Content, Creator, Endpoint, ice_udp, rtp};

const IAGO: &str = "iago@venice.example/lurk";

use crate::sim::jmi::{Net, PHONE, ROMEO, TABLET, audio, bare, full, wire};

fn jmi_of(m: &Message) -> Jmi {
    m.payloads.iter().find_map(parse_jmi).unwrap().unwrap()
}

fn ended(id: &str, peer: &str, outcome: Outcome) -> Event {
    Event::Ended {
        id: id.into(),
        peer: bare(peer),
        outcome,
    }
}

fn reason(c: ReasonCondition) -> Option<Reason> {
    Some(Reason::new(c))
}

/// Romeo proposes `id` to Juliet (phone and tablet), everything delivered.
fn proposed(id: &str) -> Net {
    let mut net = Net::new(&[ROMEO, PHONE, TABLET]);
    let now = net.now;
    net.calls(ROMEO)
        .propose(now, bare(PHONE), id, audio())
        .unwrap();
    net.pump();
    net
}

#[test]
fn call_answered_on_one_of_two_devices() {
    let mut net = proposed("c1");
    let now = net.now;
    let propose = net.sent_by(ROMEO);
    assert_eq!(propose.len(), 1);
    assert_eq!(propose[0].to, Some(Jid::from(bare(PHONE))));
    for d in [PHONE, TABLET] {
        assert_eq!(
            net.events(d),
            vec![Event::Incoming {
                id: "c1".into(),
                from: full(ROMEO),
                descriptions: audio(),
                replaces: None,
            }]
        );
        net.calls(d).ring(now, "c1").unwrap();
    }
    net.pump();
    for m in net.sent_by(PHONE).iter().chain(&net.sent_by(TABLET)) {
        assert_eq!(m.to, Some(Jid::from(full(ROMEO))));
        assert!(matches!(jmi_of(m), Jmi::Ringing(_)));
    }
    assert_eq!(
        net.events(ROMEO),
        vec![
            Event::Ringing {
                id: "c1".into(),
                device: full(PHONE)
            },
            Event::Ringing {
                id: "c1".into(),
                device: full(TABLET)
            },
        ]
    );
    assert_eq!(
        net.calls(ROMEO).call(&bare(PHONE), "c1").unwrap().state(),
        CallState::Ringing
    );

    net.calls(PHONE).proceed(now, "c1").unwrap();
    net.pump();
    let proceed = net.sent_by(PHONE);
    assert_eq!(proceed.len(), 1, "no <accept/> by default");
    assert_eq!(proceed[0].to, Some(Jid::from(full(ROMEO))));
    assert!(matches!(jmi_of(&proceed[0]), Jmi::Proceed(_)));
    assert_eq!(
        net.events(ROMEO),
        vec![Event::Proceed {
            id: "c1".into(),
            device: full(PHONE)
        }]
    );
    assert_eq!(
        net.events(TABLET),
        vec![ended(
            "c1",
            ROMEO,
            Outcome::AnsweredElsewhere {
                device: full(PHONE)
            }
        )]
    );
    assert!(net.events(PHONE).is_empty());
    let romeo_call = net.calls(ROMEO).call(&bare(PHONE), "c1").unwrap();
    assert_eq!(romeo_call.state(), CallState::Accepted);
    assert_eq!(romeo_call.device(), Some(&full(PHONE)));
    assert_eq!(
        net.calls(TABLET).proceed(now, "c1"),
        Err(CallError::WrongState {
            action: "proceed",
            direction: Direction::Incoming,
            state: CallState::Ended
        })
    );

    // The session ended: Romeo finishes first, to Juliet's phone.
    net.calls(ROMEO).finish(now, "c1", None).unwrap();
    net.pump();
    let finish = net.sent_by(ROMEO);
    assert_eq!(finish[0].to, Some(Jid::from(full(PHONE))));
    assert_eq!(
        net.events(PHONE),
        vec![ended(
            "c1",
            ROMEO,
            Outcome::Finished {
                by_us: false,
                reason: reason(ReasonCondition::Success),
                migrated_to: None
            }
        )]
    );
    // Juliet's phone sends its own, which Romeo no longer needs.
    net.calls(PHONE).finish(now, "c1", None).unwrap();
    assert_eq!(net.sent_by(PHONE)[0].to, Some(Jid::from(full(ROMEO))));
    net.collect_all();
    let to_romeo = net
        .flight
        .iter()
        .position(|(r, _)| *r == net.idx(ROMEO))
        .unwrap();
    assert!(!net.deliver(to_romeo));
    assert!(
        net.calls(PHONE).finish(now, "c1", None).is_err(),
        "sent once"
    );
    assert_eq!(
        net.events(ROMEO),
        vec![ended(
            "c1",
            PHONE,
            Outcome::Finished {
                by_us: true,
                reason: reason(ReasonCondition::Success),
                migrated_to: None
            }
        )]
    );
    // Ended calls linger, then are forgotten.
    let linger = Config::DEFAULT_LINGER;
    assert_eq!(net.calls(ROMEO).poll_timeout(), Some(now + linger));
    net.advance(linger);
    assert!(net.calls(ROMEO).call(&bare(PHONE), "c1").is_none());
    assert_eq!(net.calls(ROMEO).poll_timeout(), None);
}

#[test]
fn send_accept_copies_the_answer_to_our_bare_jid() {
    let config = Config {
        send_accept: true,
        ..Config::default()
    };
    let mut phone = Calls::with_config(full(PHONE), config);
    let mut tablet = Calls::new(full(TABLET));
    let mut romeo = Calls::new(full(ROMEO));
    let now = Instant::now();
    romeo.propose(now, bare(PHONE), "c1", audio()).unwrap();
    let propose = wire(&romeo.poll_transmit().unwrap());
    assert!(phone.handle_message(now, &propose));
    assert!(tablet.handle_message(now, &propose));
    phone.proceed(now, "c1").unwrap();
    let proceed = wire(&phone.poll_transmit().unwrap());
    let accept = wire(&phone.poll_transmit().unwrap());
    assert!(matches!(jmi_of(&proceed), Jmi::Proceed(_)));
    assert!(matches!(jmi_of(&accept), Jmi::Accept(_)));
    assert_eq!(accept.to, Some(Jid::from(bare(PHONE))));
    // The initiator ignores an <accept/>; our other device stops ringing.
    assert!(!romeo.handle_message(now, &accept));
    tablet.poll_event();
    assert!(tablet.handle_message(now, &accept));
    assert_eq!(
        tablet.poll_event(),
        Some(ended(
            "c1",
            ROMEO,
            Outcome::AnsweredElsewhere {
                device: full(PHONE)
            }
        ))
    );
    // The carbon of the proceed that follows changes nothing more.
    assert!(!tablet.handle_message(now, &proceed));
}

#[test]
fn second_device_to_proceed_is_told_the_call_is_taken() {
    let mut net = proposed("c1");
    let now = net.now;
    net.events(PHONE);
    net.events(TABLET);
    net.calls(PHONE).proceed(now, "c1").unwrap();
    net.calls(TABLET).proceed(now, "c1").unwrap();
    net.collect_all();
    net.sent_by(ROMEO);
    // Romeo gets the phone's proceed first, then the tablet's.
    let romeo = net.idx(ROMEO);
    let first = net.flight.iter().position(|(r, _)| *r == romeo).unwrap();
    assert!(net.deliver(first));
    let second = net.flight.iter().position(|(r, _)| *r == romeo).unwrap();
    assert!(net.deliver(second));
    let retract = net.sent_by(ROMEO);
    assert_eq!(retract.len(), 1);
    assert_eq!(retract[0].to, Some(Jid::from(full(TABLET))));
    match jmi_of(&retract[0]) {
        Jmi::Retract(r) => assert_eq!(r.reason, reason(ReasonCondition::Cancel)),
        _ => panic!("not a retract"),
    }
    net.pump();
    assert_eq!(
        net.events(ROMEO),
        vec![Event::Proceed {
            id: "c1".into(),
            device: full(PHONE)
        }]
    );
    assert_eq!(
        net.events(TABLET),
        vec![ended(
            "c1",
            ROMEO,
            Outcome::Retracted {
                by_us: false,
                reason: reason(ReasonCondition::Cancel)
            }
        )]
    );
    // The phone saw the retract's carbon (addressed to the tablet) and
    // kept its call.
    assert!(net.events(PHONE).is_empty());
    assert_eq!(
        net.calls(PHONE).call(&bare(ROMEO), "c1").unwrap().state(),
        CallState::Accepted
    );
}

#[test]
fn reject_ends_the_call_on_every_device() {
    let mut net = proposed("c1");
    let now = net.now;
    net.events(PHONE);
    net.events(TABLET);
    net.calls(TABLET).reject(now, "c1", None).unwrap();
    net.pump();
    let reject = net.sent_by(TABLET);
    assert_eq!(reject[0].to, Some(Jid::from(full(ROMEO))));
    let busy = reason(ReasonCondition::Busy);
    assert_eq!(
        net.events(ROMEO),
        vec![ended(
            "c1",
            PHONE,
            Outcome::Rejected {
                by_us: false,
                reason: busy.clone()
            }
        )]
    );
    assert_eq!(
        net.events(TABLET),
        vec![ended(
            "c1",
            ROMEO,
            Outcome::Rejected {
                by_us: true,
                reason: busy
            }
        )]
    );
    assert_eq!(
        net.events(PHONE),
        vec![ended(
            "c1",
            ROMEO,
            Outcome::RejectedElsewhere {
                device: full(TABLET)
            }
        )]
    );
    assert_eq!(
        net.calls(ROMEO).poll_timeout(),
        Some(now + Config::DEFAULT_LINGER)
    );
}

#[test]
fn retract_while_ringing() {
    let mut net = proposed("c1");
    let now = net.now;
    net.calls(PHONE).ring(now, "c1").unwrap();
    net.pump();
    net.sent_by(ROMEO);
    let why = Reason {
        condition: ReasonCondition::Cancel,
        text: Some("changed my mind".into()),
        app: Vec::new(),
    };
    net.calls(ROMEO)
        .retract(now, "c1", Some(why.clone()))
        .unwrap();
    net.pump();
    let retract = net.sent_by(ROMEO);
    assert_eq!(retract[0].to, Some(Jid::from(bare(PHONE))));
    let mine = net.events(ROMEO);
    assert_eq!(
        mine.last(),
        Some(&ended(
            "c1",
            PHONE,
            Outcome::Retracted {
                by_us: true,
                reason: Some(why.clone())
            }
        ))
    );
    for d in [PHONE, TABLET] {
        assert_eq!(
            net.events(d).last(),
            Some(&ended(
                "c1",
                ROMEO,
                Outcome::Retracted {
                    by_us: false,
                    reason: Some(why.clone())
                }
            ))
        );
        assert!(matches!(
            net.calls(d).proceed(now, "c1"),
            Err(CallError::WrongState { .. })
        ));
    }
    // A late ringing is ignored.
    net.calls(TABLET).ring(now, "c1").unwrap_err();
    let late = wire(&{
        let mut t = Calls::new(full(TABLET));
        t.handle_message(
            now,
            &Message {
                from: Some(full(ROMEO).into()),
                to: Some(bare(PHONE).into()),
                type_: Some(MessageType::Chat),
                payloads: vec![
                    Payload::new(Propose {
                        id: "c1".into(),
                        descriptions: audio(),
                    }),
                    Payload::new(Store),
                ],
                ..Default::default()
            },
        );
        t.ring(now, "c1").unwrap();
        t.poll_transmit().unwrap()
    });
    assert!(!net.calls(ROMEO).handle_message(now, &late));
}

#[test]
fn unanswered_proposal_is_retracted_on_timeout() {
    for condition in [ReasonCondition::Cancel, ReasonCondition::Timeout] {
        let config = Config {
            timeout_condition: condition.clone(),
            ..Config::default()
        };
        let mut net = Net::with_config(&[ROMEO, PHONE, TABLET], config);
        let now = net.now;
        net.calls(ROMEO)
            .propose(now, bare(PHONE), "c1", audio())
            .unwrap();
        net.pump();
        net.sent_by(ROMEO);
        let deadline = now + Config::DEFAULT_PROPOSE_TIMEOUT;
        assert_eq!(net.calls(ROMEO).poll_timeout(), Some(deadline));
        net.advance(Config::DEFAULT_PROPOSE_TIMEOUT - Duration::from_millis(1));
        assert!(net.sent_by(ROMEO).is_empty());
        net.advance(Duration::from_millis(1));
        let retract = net.sent_by(ROMEO);
        assert_eq!(retract.len(), 1);
        assert_eq!(retract[0].to, Some(Jid::from(bare(PHONE))));
        match jmi_of(&retract[0]) {
            Jmi::Retract(r) => assert_eq!(r.reason, Some(Reason::new(condition.clone()))),
            _ => panic!("not a retract"),
        }
        assert_eq!(
            net.events(ROMEO),
            vec![ended("c1", PHONE, Outcome::TimedOut)]
        );
        assert!(net.calls(ROMEO).poll_timeout().unwrap() > net.now);
        net.pump();
        for d in [PHONE, TABLET] {
            assert_eq!(
                net.events(d).last(),
                Some(&ended(
                    "c1",
                    ROMEO,
                    Outcome::Retracted {
                        by_us: false,
                        reason: Some(Reason::new(condition.clone()))
                    }
                ))
            );
        }
    }
}

#[test]
fn stale_calls_expire() {
    let mut net = proposed("c1");
    let now = net.now;
    net.calls(PHONE).proceed(now, "c1").unwrap();
    net.pump();
    net.sent_by(PHONE);
    // The tablet never saw anything; a second proposal rings there alone.
    let mut tablet = Calls::new(full(TABLET));
    let propose = net.sent_by(ROMEO).remove(0);
    tablet.handle_message(now, &propose);
    net.events(ROMEO);
    net.events(PHONE);
    let day = Config::DEFAULT_STALE_AFTER;
    net.advance(day);
    for (d, peer) in [(ROMEO, PHONE), (PHONE, ROMEO)] {
        assert_eq!(net.events(d), vec![ended("c1", peer, Outcome::Expired)]);
        let finish = net.sent_by(d);
        assert_eq!(finish.len(), 1);
        match jmi_of(&finish[0]) {
            Jmi::Finish(f) => assert_eq!(f.reason, reason(ReasonCondition::Expired)),
            _ => panic!("not a finish"),
        }
    }
    tablet.poll_event();
    assert_eq!(tablet.poll_timeout(), Some(now + day));
    tablet.handle_timeout(now + day);
    assert_eq!(
        tablet.poll_event(),
        Some(ended("c1", ROMEO, Outcome::Expired))
    );
    assert!(
        tablet.poll_transmit().is_none(),
        "nothing sent for an unanswered call"
    );
}

fn msg(from: &str, to: Jid, payload: Payload) -> Message {
    Message {
        from: Some(full(from).into()),
        to: Some(to),
        type_: Some(MessageType::Chat),
        payloads: vec![payload, Payload::new(Store)],
        ..Default::default()
    }
}

#[test]
fn strangers_and_unknown_ids_are_ignored() {
    let now = Instant::now();
    let mut romeo = Calls::new(full(ROMEO));
    let mut phone = Calls::new(full(PHONE));
    romeo.propose(now, bare(PHONE), "c1", audio()).unwrap();
    let propose = romeo.poll_transmit().unwrap();
    assert!(phone.handle_message(now, &propose));
    phone.poll_event();
    let to_romeo = Jid::from(full(ROMEO));
    let to_phone = Jid::from(full(PHONE));
    let id = || "c1".to_string();
    // Iago answers Romeo's proposal to Juliet, and withdraws it for Romeo.
    for p in [
        Payload::new(Ringing { id: id() }),
        Payload::new(Proceed { id: id() }),
        Payload::new(Reject {
            id: id(),
            reason: None,
            tie_break: false,
        }),
        Payload::new(Finish {
            id: id(),
            reason: None,
            migrated: None,
        }),
    ] {
        assert!(!romeo.handle_message(now, &msg(IAGO, to_romeo.clone(), p)));
    }
    let retract = Payload::new(Retract {
        id: id(),
        reason: None,
        tie_break: false,
    });
    assert!(!phone.handle_message(now, &msg(IAGO, to_phone.clone(), retract.clone())));
    // Juliet about an id unknown to Romeo.
    let other = Payload::new(Proceed { id: "c2".into() });
    assert!(!romeo.handle_message(now, &msg(PHONE, to_romeo.clone(), other)));
    // No sender; an error bounce; a bare sender; our own echo; addressed
    // to another of Juliet's devices; to someone else; not XEP-0353.
    let mut anonymous = msg(ROMEO, to_phone.clone(), retract.clone());
    anonymous.from = None;
    assert!(!phone.handle_message(now, &anonymous));
    let mut bounce = msg(ROMEO, to_phone.clone(), retract.clone());
    bounce.type_ = Some(MessageType::Error);
    assert!(!phone.handle_message(now, &bounce));
    let mut bare_sender = msg(ROMEO, to_phone.clone(), retract.clone());
    bare_sender.from = Some(bare(ROMEO).into());
    assert!(!phone.handle_message(now, &bare_sender));
    assert!(!romeo.handle_message(now, &msg(ROMEO, bare(PHONE).into(), retract.clone())));
    assert!(!phone.handle_message(now, &msg(ROMEO, full(TABLET).into(), retract.clone())));
    assert!(!phone.handle_message(now, &msg(ROMEO, full(IAGO).into(), retract.clone())));
    assert!(!phone.handle_message(now, &Message::chat(to_phone.clone(), "hi")));
    // Malformed: a propose without descriptions, a proceed without id.
    let el = |xml: &str| xml.parse::<xep_element::minidom::Element>().unwrap();
    let empty = el("<propose xmlns='urn:xmpp:jingle-message:0' id='c3'/>");
    assert!(!phone.handle_message(now, &msg(ROMEO, to_phone.clone(), Payload::from(empty))));
    let no_id = el("<proceed xmlns='urn:xmpp:jingle-message:0'/>");
    assert!(!romeo.handle_message(now, &msg(PHONE, to_romeo.clone(), Payload::from(no_id))));
    // A repeated proposal is not a second call.
    assert!(!phone.handle_message(now, &propose));
    // Nothing happened.
    assert_eq!(romeo.poll_event(), None);
    assert_eq!(phone.poll_event(), None);
    assert_eq!(romeo.poll_transmit(), None);
    assert_eq!(phone.poll_transmit(), None);
    assert_eq!(
        romeo.call(&bare(PHONE), "c1").unwrap().state(),
        CallState::Proposed
    );
    assert_eq!(
        phone.call(&bare(ROMEO), "c1").unwrap().state(),
        CallState::Proposed
    );
    // The genuine retract still works.
    assert!(phone.handle_message(now, &msg(ROMEO, bare(PHONE).into(), retract)));
}

#[test]
fn caller_errors_name_the_reason() {
    let now = Instant::now();
    let mut romeo = Calls::new(full(ROMEO));
    assert_eq!(
        romeo.propose(now, bare(PHONE), "", audio()),
        Err(CallError::EmptyId)
    );
    let err = romeo.propose(now, bare(PHONE), "c1", vec![]).unwrap_err();
    assert_eq!(err, CallError::NoDescriptions);
    assert!(err.to_string().contains("§3.1"));
    assert_eq!(
        romeo.propose(now, bare(ROMEO), "c1", audio()),
        Err(CallError::OwnAccount)
    );
    romeo.propose(now, bare(PHONE), "c1", audio()).unwrap();
    assert_eq!(
        romeo.propose(now, bare(TABLET), "c1", audio()),
        Err(CallError::DuplicateId)
    );
    let err = romeo.ring(now, "c1").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot ring a call in direction Outgoing and state Proposed"
    );
    assert_eq!(romeo.proceed(now, "nope"), Err(CallError::UnknownCall));
    assert!(matches!(
        romeo.finish(now, "c1", None),
        Err(CallError::WrongState { .. })
    ));
    assert_eq!(
        romeo
            .poll_transmit()
            .map(|m| matches!(jmi_of(&m), Jmi::Propose(_))),
        Some(true)
    );
    assert_eq!(romeo.poll_transmit(), None, "refused actions send nothing");
}

/// Both propose at once; the proposal with the lower id survives.
fn tie_break(romeo_id: &str, juliet_id: &str) -> (Net, &'static str, &'static str) {
    let mut net = Net::new(&[ROMEO, PHONE]);
    let now = net.now;
    net.calls(ROMEO)
        .propose(now, bare(PHONE), romeo_id, audio())
        .unwrap();
    net.calls(PHONE)
        .propose(now, bare(ROMEO), juliet_id, audio())
        .unwrap();
    net.collect_all();
    // The proposals cross.
    assert_eq!(net.flight.len(), 2);
    net.sent.clear();
    net.pump();
    let romeo_wins = (romeo_id, ROMEO) < (juliet_id, PHONE)
        && (romeo_id != juliet_id || bare(ROMEO).as_str() < bare(PHONE).as_str());
    if romeo_wins {
        (net, ROMEO, PHONE)
    } else {
        (net, PHONE, ROMEO)
    }
}

fn check_tie_break(romeo_id: &str, juliet_id: &str, winner: &str) {
    let (mut net, w, l) = tie_break(romeo_id, juliet_id);
    assert_eq!(w, winner);
    let (win_id, lose_id) = if w == ROMEO {
        (romeo_id, juliet_id)
    } else {
        (juliet_id, romeo_id)
    };
    let expired = Reason {
        condition: ReasonCondition::Expired,
        text: Some("Tie-Break".into()),
        app: Vec::new(),
    };
    // The winner rejected the loser's proposal, with <tie-break/>.
    let from_winner = net.sent_by(w);
    assert_eq!(from_winner.len(), 1);
    assert_eq!(from_winner[0].to, Some(Jid::from(full(l))));
    match jmi_of(&from_winner[0]) {
        Jmi::Reject(r) => {
            assert!(r.tie_break);
            assert_eq!(r.id, lose_id);
            assert_eq!(r.reason, Some(expired.clone()));
        }
        _ => panic!("not a reject"),
    }
    // The loser retracted its own, to the bare JID.
    let from_loser = net.sent_by(l);
    assert_eq!(from_loser.len(), 1);
    assert_eq!(from_loser[0].to, Some(Jid::from(bare(w))));
    match jmi_of(&from_loser[0]) {
        Jmi::Retract(r) => {
            assert_eq!(r.id, lose_id);
            assert_eq!(r.reason, Some(expired));
            assert!(r.tie_break, "§4.1: the retract carries <tie-break/>");
        }
        _ => panic!("not a retract"),
    }
    // The winner's call goes on; the loser got it as an incoming call.
    assert!(net.events(w).is_empty());
    assert_eq!(
        net.events(l),
        vec![
            ended(
                lose_id,
                w,
                Outcome::TieBreak {
                    winner: win_id.into()
                }
            ),
            Event::Incoming {
                id: win_id.into(),
                from: full(w),
                descriptions: audio(),
                replaces: None
            },
        ]
    );
    let now = net.now;
    net.calls(l).proceed(now, win_id).unwrap();
    net.pump();
    assert_eq!(
        net.events(w),
        vec![Event::Proceed {
            id: win_id.into(),
            device: full(l)
        }]
    );
}

#[test]
fn tie_break_lower_id_wins() {
    check_tie_break("aaa", "bbb", ROMEO);
    check_tie_break("bbb", "aaa", PHONE);
    // i;octet: upper case sorts before lower case.
    check_tie_break("a", "B", PHONE);
    // Equal ids: the lower JID (juliet@capulet... < romeo@montague...).
    check_tie_break("same", "same", PHONE);
}

#[test]
fn tie_break_reject_overtaking_the_proposal() {
    let (now, mut romeo, mut phone) = (
        Instant::now(),
        Calls::new(full(ROMEO)),
        Calls::new(full(PHONE)),
    );
    romeo.propose(now, bare(PHONE), "aaa", audio()).unwrap();
    phone.propose(now, bare(ROMEO), "bbb", audio()).unwrap();
    let romeo_propose = wire(&romeo.poll_transmit().unwrap());
    let phone_propose = wire(&phone.poll_transmit().unwrap());
    // Romeo holds the lower id: he rejects Juliet's proposal.
    assert!(romeo.handle_message(now, &phone_propose));
    let reject = wire(&romeo.poll_transmit().unwrap());
    assert_eq!(
        romeo.poll_event(),
        None,
        "the losing proposal is not surfaced"
    );
    assert!(
        !romeo.handle_message(now, &phone_propose),
        "and not taken twice"
    );
    // The reject reaches Juliet before Romeo's proposal.
    assert!(phone.handle_message(now, &reject));
    let Some(Event::Ended {
        outcome: Outcome::Rejected {
            by_us: false,
            reason,
        },
        ..
    }) = phone.poll_event()
    else {
        panic!("not rejected");
    };
    assert_eq!(reason.unwrap().condition, ReasonCondition::Expired);
    // Romeo's proposal is then an ordinary incoming call; nothing to retract.
    assert!(phone.handle_message(now, &romeo_propose));
    assert!(matches!(phone.poll_event(), Some(Event::Incoming { id, .. }) if id == "aaa"));
    assert_eq!(phone.poll_transmit(), None);
}

#[test]
fn retract_with_tie_break_child_is_read() {
    let now = Instant::now();
    let mut phone = Calls::new(full(PHONE));
    let propose = msg(
        ROMEO,
        bare(PHONE).into(),
        Payload::new(Propose {
            id: "c1".into(),
            descriptions: audio(),
        }),
    );
    assert!(phone.handle_message(now, &propose));
    let raw = Message::from_xml(
        b"<message xmlns='jabber:client' from='romeo@montague.example/orchard' \
          to='juliet@capulet.example' type='chat'>\
          <retract xmlns='urn:xmpp:jingle-message:0' id='c1'>\
          <reason xmlns='urn:xmpp:jingle:1'><expired/></reason><tie-break/></retract>\
          <store xmlns='urn:xmpp:hints'/></message>",
    )
    .unwrap();
    assert!(
        Retract::from_element(&raw.payloads[0].to_element())
            .unwrap()
            .tie_break
    );
    assert!(phone.handle_message(now, &raw));
    phone.poll_event();
    assert_eq!(
        phone.poll_event(),
        Some(ended(
            "c1",
            ROMEO,
            Outcome::Retracted {
                by_us: false,
                reason: reason(ReasonCondition::Expired)
            }
        ))
    );
}

#[test]
fn new_proposal_migrates_an_accepted_call() {
    let mut net = proposed("old");
    let now = net.now;
    net.calls(PHONE).proceed(now, "old").unwrap();
    net.pump();
    for d in [ROMEO, PHONE, TABLET] {
        net.events(d);
        net.sent_by(d);
    }
    // Juliet moves to her tablet, which proposes anew.
    net.calls(TABLET)
        .propose(now, bare(ROMEO), "new", audio())
        .unwrap();
    net.pump();
    let sent = net.sent_by(ROMEO);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].to, Some(Jid::from(full(PHONE))));
    match jmi_of(&sent[0]) {
        Jmi::Finish(f) => {
            assert_eq!(f.id, "old");
            assert_eq!(f.reason.unwrap().condition, ReasonCondition::Expired);
            assert_eq!(f.migrated, Some(Migrated { to: "new".into() }));
        }
        _ => panic!("not a finish"),
    }
    assert_eq!(sent[1].to, Some(Jid::from(full(TABLET))));
    assert!(matches!(jmi_of(&sent[1]), Jmi::Proceed(p) if p.id == "new"));
    let events = net.events(ROMEO);
    assert!(matches!(
        &events[0],
        Event::Ended { id, outcome: Outcome::Finished { by_us: true, migrated_to: Some(to), .. }, .. }
            if id == "old" && to == "new"
    ));
    assert_eq!(
        events[1],
        Event::Incoming {
            id: "new".into(),
            from: full(TABLET),
            descriptions: audio(),
            replaces: Some("old".into())
        }
    );
    assert_eq!(events.len(), 2);
    assert!(
        net.calls(ROMEO)
            .call_for_session(&full(TABLET).into(), "new")
            .is_some()
    );
    assert!(matches!(
        &net.events(PHONE)[..],
        [Event::Ended { outcome: Outcome::Finished { by_us: false, migrated_to: Some(to), .. }, .. }]
            if to == "new"
    ));
    assert_eq!(
        net.events(TABLET),
        vec![Event::Proceed {
            id: "new".into(),
            device: full(ROMEO)
        }]
    );
}

fn voice() -> Content {
    Content::new(Creator::Initiator, "voice")
        .with(Payload::new(rtp::Description::new("audio")))
        .with(Payload::new(ice_udp::Transport::default()))
}

#[test]
fn proceed_hands_off_to_a_jingle_session() {
    let mut net = proposed("5c1e-call");
    let now = net.now;
    net.calls(PHONE).proceed(now, "5c1e-call").unwrap();
    net.pump();
    let Some(Event::Proceed { id, device }) = net.events(ROMEO).pop() else {
        panic!("no proceed");
    };
    let mut romeo = Endpoint::new(full(ROMEO).into());
    let mut phone = Endpoint::new(full(PHONE).into());
    romeo
        .initiate(now, device.clone().into(), id.clone(), vec![voice()])
        .unwrap();
    let pump = |from: &mut Endpoint, to: &mut Endpoint| {
        while let Some(iq) = from.poll_transmit() {
            assert!(to.handle_iq(now, &iq));
        }
    };
    pump(&mut romeo, &mut phone);
    pump(&mut phone, &mut romeo);
    let Some(JingleEvent::Incoming { peer, sid, .. }) = phone.poll_event() else {
        panic!("no session-initiate");
    };
    assert_eq!(sid, "5c1e-call");
    // The phone recognises the session it proceeded for, and takes it.
    let call = net.calls(PHONE).call_for_session(&peer, &sid).unwrap();
    assert_eq!(call.direction(), Direction::Incoming);
    assert!(net.calls(TABLET).call_for_session(&peer, &sid).is_none());
    assert!(
        net.calls(PHONE)
            .call_for_session(&full(IAGO).into(), &sid)
            .is_none()
    );
    phone.accept(now, &peer, &sid, vec![]).unwrap();
    pump(&mut phone, &mut romeo);
    pump(&mut romeo, &mut phone);
    assert_eq!(
        romeo.session(&device.clone().into(), &id).unwrap().state(),
        JingleState::Active
    );
    // Hang up: session-terminate, then <finish/> both ways.
    romeo
        .terminate(
            now,
            &device.clone().into(),
            &id,
            Some(Reason::new(ReasonCondition::Success)),
        )
        .unwrap();
    pump(&mut romeo, &mut phone);
    pump(&mut phone, &mut romeo);
    assert_eq!(
        phone.session(&peer, &sid).unwrap().state(),
        JingleState::Ended
    );
    net.calls(ROMEO).finish(now, &id, None).unwrap();
    net.pump();
    net.calls(PHONE).finish(now, &sid, None).unwrap();
    net.pump();
    for (d, peer) in [(ROMEO, PHONE), (PHONE, ROMEO)] {
        let c = net.calls(d).call(&bare(peer), "5c1e-call").unwrap();
        assert_eq!(c.state(), CallState::Ended);
        assert!(matches!(c.outcome(), Some(Outcome::Finished { .. })));
    }
}

mod prop {
    use proptest::prelude::*;

    use crate::sim::jmi::{Step, run};

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            1 => (0..4usize, 0..4usize, any::<u8>())
                .prop_map(|(dev, to, tag)| Step::Propose { dev, to, tag }),
            5 => any::<usize>().prop_map(Step::Deliver),
            3 => (0..4usize, any::<usize>(), 0..7u8)
                .prop_map(|(dev, call, action)| Step::Act { dev, call, action }),
            1 => (0..200u16).prop_map(Step::Wait),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        #[test]
        fn every_call_ends_once_on_every_device(steps in proptest::collection::vec(step(), 0..80)) {
            run(std::time::Instant::now(), steps);
        }
    }
}
