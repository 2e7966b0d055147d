//! Multiplexed domain pairs between capulet.example's server and
//! montague.example's (the names of XEP-0220 §2.5's examples).

use xep_core::{DefinedCondition, ErrorType, Features, StanzaError};
use xep_element::XmlElement;
use xep_element::jid::Jid;

use super::*;
use crate::initiator::{self, Authentication};
use crate::receiver;
use crate::verify_dialback_key;

const SECRET: &str = "s3cr3tf0rd14lb4ck";
const STREAM_ID: &str = "D60000229F";

fn jid(s: &str) -> Jid {
    s.parse().unwrap()
}

fn ends(bidi: bool, errors: bool) -> (Outgoing, Incoming) {
    let i = initiator::Ready {
        from: jid("capulet.example"),
        to: jid("montague.example"),
        authentication: Authentication::Dialback,
        tls: true,
        bidi,
        limits: None,
        features: Features::default(),
    };
    let r = receiver::Ready {
        from: jid("capulet.example"),
        to: jid("montague.example"),
        authentication: Authentication::Dialback,
        tls: true,
        bidi,
        limits: None,
    };
    (
        Outgoing::new(&i, STREAM_ID, SECRET, errors),
        Incoming::new(&r),
    )
}

#[test]
fn a_sender_domain_is_added_by_its_own_dialback() {
    let (mut out, mut inc) = ends(false, false);
    let rooms = jid("rooms.capulet.example");
    let montague = jid("montague.example");
    let room = jid("balcony@rooms.capulet.example/nurse");
    let romeo = jid("romeo@montague.example");
    assert!(!out.may_send(&room, &romeo));
    let request = out.request(&rooms, &montague).unwrap();
    // Over the wire and back, as the receiving server reads it.
    let request = DialbackResult::from_xml(request.to_xml().as_bytes()).unwrap();
    assert!(verify_dialback_key(
        request.key().unwrap(),
        SECRET,
        "montague.example",
        "rooms.capulet.example",
        STREAM_ID
    ));
    inc.handle_request(&request).unwrap();
    assert!(!inc.accepts(&room, &romeo), "not before the answer");
    let answer = inc
        .answer(&request.from, &request.to, DialbackAnswer::Valid)
        .unwrap();
    assert_eq!(
        answer.to_xml(),
        "<result xmlns='jabber:server:dialback' from='montague.example' \
         to='rooms.capulet.example' type='valid'/>"
    );
    assert_eq!(
        out.handle(&answer).unwrap(),
        PairOutcome::Authorized {
            from: rooms.clone(),
            to: montague.clone()
        }
    );
    assert!(out.may_send(&room, &romeo) && inc.accepts(&room, &romeo));
    // Not in the other direction without bidi.
    assert!(!inc.may_send(&romeo, &room) && !out.accepts(&romeo, &room));
    // Asked twice.
    assert_eq!(
        out.request(&rooms, &montague),
        Err(MultiplexError::AlreadyAuthorized)
    );
    assert_eq!(
        inc.handle_request(&request),
        Err(MultiplexError::AlreadyAuthorized)
    );
}

#[test]
fn unsolicited_answers_are_never_believed() {
    // XEP-0220 §4.1: a valid result for a pair nobody asked about.
    let (mut out, mut inc) = ends(false, true);
    let forged = DialbackResult::answer(
        &DialbackResult::request(jid("evil.example"), jid("montague.example"), "k"),
        true,
    );
    assert_eq!(out.handle(&forged), Err(MultiplexError::Unsolicited));
    assert!(!out.may_send(&jid("x@evil.example"), &jid("romeo@montague.example")));
    // Nor answered by the receiving server without a request.
    assert_eq!(
        inc.answer(
            &jid("evil.example"),
            &jid("montague.example"),
            DialbackAnswer::Valid
        ),
        Err(MultiplexError::Unsolicited)
    );
    assert!(!inc.accepts(&jid("x@evil.example"), &jid("romeo@montague.example")));
    // An answer after its request was answered is unsolicited too.
    let rooms = jid("rooms.capulet.example");
    let request = out.request(&rooms, &jid("montague.example")).unwrap();
    inc.handle_request(&request).unwrap();
    let answer = inc
        .answer(&request.from, &request.to, DialbackAnswer::Invalid)
        .unwrap();
    assert!(matches!(
        out.handle(&answer),
        Ok(PairOutcome::Refused { .. })
    ));
    let replay = DialbackResult::answer(&request, true);
    assert_eq!(out.handle(&replay), Err(MultiplexError::Unsolicited));
    assert!(!out.may_send(
        &jid("a@rooms.capulet.example"),
        &jid("romeo@montague.example")
    ));
    // Not requests, not answers.
    assert_eq!(
        inc.handle_request(&answer),
        Err(MultiplexError::Malformed("request"))
    );
    assert_eq!(
        out.handle(&request),
        Err(MultiplexError::Malformed("answer"))
    );
}

#[test]
fn target_multiplexing_needs_dialback_errors() {
    let chat = jid("chat.montague.example");
    let capulet = jid("capulet.example");
    let (mut out, _) = ends(false, false);
    assert_eq!(
        out.request(&capulet, &chat),
        Err(MultiplexError::TargetMultiplexingUnsupported)
    );
    let (mut out, mut inc) = ends(false, true);
    let request = out.request(&capulet, &chat).unwrap();
    assert_eq!(out.request(&capulet, &chat), Err(MultiplexError::Pending));
    inc.handle_request(&request).unwrap();
    assert_eq!(inc.handle_request(&request), Err(MultiplexError::Pending));
    // chat.montague.example is not served here: an error, not fatal.
    let e = StanzaError::new(ErrorType::Cancel, DefinedCondition::ItemNotFound);
    let answer = inc
        .answer(&request.from, &request.to, DialbackAnswer::Error(e))
        .unwrap();
    let Ok(PairOutcome::Error { error, .. }) = out.handle(&answer) else {
        panic!()
    };
    assert_eq!(error.condition, DefinedCondition::ItemNotFound);
    assert!(!out.may_send(
        &jid("juliet@capulet.example"),
        &jid("room@chat.montague.example")
    ));
}

#[test]
fn a_bidirectional_stream_carries_the_reverse_of_authorized_pairs() {
    let (out, inc) = ends(true, true);
    let juliet = jid("juliet@capulet.example/balcony");
    let romeo = jid("romeo@montague.example/orchard");
    assert!(inc.may_send(&romeo, &juliet) && out.accepts(&romeo, &juliet));
    // Only those pairs.
    let nurse = jid("nurse@rooms.capulet.example");
    assert!(!inc.may_send(&romeo, &nurse) && !out.accepts(&romeo, &nurse));
    assert!(
        !inc.accepts(&romeo, &juliet),
        "the forward direction is the initiator's"
    );
}
