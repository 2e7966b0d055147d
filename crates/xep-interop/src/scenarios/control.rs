//! Control of the account: XEP-0191 blocking and XEP-0352 client state
//! indication.

use super::*;

use xep_blocking::{Blocklist, Change, PushOutcome, PushRefusal};
use xep_csi::{Indicator, State as CsiState};

/// Reads elements until `done` says so, answering block list pushes
/// through `list` on the way; returns the iq results and errors seen.
fn pump(
    s: &mut Session,
    list: &mut Blocklist,
    changes: &mut Vec<Change>,
    deadline: Instant,
    mut done: impl FnMut(&[Change], &[Iq]) -> bool,
) -> Result<Vec<Iq>, SessionError> {
    let mut replies = Vec::new();
    while !done(changes, &replies) {
        let me = s.jid.clone();
        let iq = s.wait_for("a block list push or an iq answer", deadline, |p| {
            match p.get::<Stanza>() {
                Some(Ok(Stanza::Iq(iq))) => Some(iq),
                _ => None,
            }
        })?;
        match list.handle_push(&iq, &me) {
            PushOutcome::Applied { change, reply } => {
                s.send(&reply)?;
                changes.push(change);
            }
            PushOutcome::Refused { reason, reply } => {
                s.send(&reply)?;
                return Err(SessionError::Unexpected(format!(
                    "a push from the server was refused: {reason}"
                )));
            }
            PushOutcome::NotAPush => replies.push(iq),
        }
    }
    Ok(replies)
}

/// XEP-0191 against the server: the list, a forged push refused, block,
/// the `<blocked/>` error, unblock all.
pub(super) fn blocking(c: &Ctx) -> Outcome {
    let mut a = logged_in!(login(c, 0, Some("block")));
    let mut b = logged_in!(login(c, 1, Some("block")));
    let bob = Jid::from(b.jid.to_bare());
    let alice_full = Jid::from(a.jid.clone());

    let answer = attempt!(a.iq(xep_blocking::request_blocklist("bl-0"), soon()));
    let mut list = match Blocklist::from_result(&answer) {
        Some(Ok(l)) => l,
        other => {
            return Outcome::Fail(format!(
                "the block list answer: {other:?}: {}",
                bytes_of(&answer.to_element())
            ));
        }
    };
    let initially = list.jids().len();

    // Bob forges a push to alice's resource: refused, answered with an error.
    let mut forged = xep_blocking::unblock("forged-1", Vec::<Jid>::new());
    forged.to = Some(alice_full.clone());
    attempt!(b.send(&forged));
    let me = a.jid.clone();
    let got = attempt!(
        a.wait_for("bob's forged push", soon(), |p| match p.get::<Stanza>() {
            Some(Ok(Stanza::Iq(iq))) if iq.id == "forged-1" => Some(iq),
            _ => None,
        })
    );
    match list.handle_push(&got, &me) {
        PushOutcome::Refused {
            reason: PushRefusal::NotFromAccount(from),
            reply,
        } => {
            check!(
                from.to_bare() == bob.to_bare(),
                "the forgery came from {from:?}"
            );
            attempt!(a.send(&reply));
        }
        other => return Outcome::Fail(format!("bob's forged push was not refused: {other:?}")),
    }

    // Alice blocks bob: the result and the push, in either order.
    let mut changes = Vec::new();
    attempt!(a.send(&attempt!(
        xep_blocking::block("bl-1", [bob.clone()]).map_err(|e| e.to_string())
    )));
    let replies = attempt!(pump(&mut a, &mut list, &mut changes, soon(), |ch, r| {
        !ch.is_empty() && r.iter().any(|i| i.id == "bl-1")
    }));
    let result = replies.iter().find(|i| i.id == "bl-1").expect("waited for");
    check!(
        result.type_ == IqType::Result,
        "blocking: {}",
        bytes_of(&result.to_element())
    );
    check!(
        changes == [Change::Blocked(vec![bob.clone()])] && list.blocks(&Jid::from(b.jid.clone())),
        "after the push: {changes:?}, list {:?}",
        list.jids()
    );

    // Alice's message to bob bounces with <blocked/>.
    let mut m = Message::chat(bob.clone(), "are you there?");
    m.id = Some("to-blocked".into());
    attempt!(a.send(&m));
    let bounced = attempt!(
        a.wait_for("the bounce", soon(), |p| match p.get::<Stanza>() {
            Some(Ok(Stanza::Message(m))) if m.id.as_deref() == Some("to-blocked") => Some(m),
            _ => None,
        })
    );
    let blocked_error = bounced
        .error
        .as_ref()
        .is_some_and(xep_blocking::is_blocked_error);
    // Checked at the end: the unblocking below must run either way, or
    // bob stays blocked for the scenarios that follow.
    let bounce = (!blocked_error).then(|| bytes_of(&bounced.to_element()));

    // Unblock all: the list empties, bob's message arrives again.
    changes.clear();
    attempt!(a.send(&xep_blocking::unblock("bl-2", Vec::<Jid>::new())));
    let replies = attempt!(pump(&mut a, &mut list, &mut changes, soon(), |ch, r| {
        !ch.is_empty() && r.iter().any(|i| i.id == "bl-2")
    }));
    check!(
        replies
            .iter()
            .any(|i| i.id == "bl-2" && i.type_ == IqType::Result),
        "unblocking: {replies:?}"
    );
    check!(
        changes == [Change::UnblockedAll] && list.jids().is_empty(),
        "after unblocking: {changes:?}"
    );
    let mut hello = Message::chat(alice_full, "hello again");
    hello.id = Some("after-unblock".into());
    attempt!(b.send(&hello));
    attempt!(
        a.wait_for("bob's message", soon(), |p| match p.get::<Stanza>() {
            Some(Ok(Stanza::Message(m))) if m.id.as_deref() == Some("after-unblock") => Some(()),
            _ => None,
        })
    );
    if let Some(bytes) = bounce {
        return Outcome::Fail(format!(
            "the bounce of a message to a blocked JID lacks XEP-0191 §3.3's <blocked/> condition: {bytes} (everything else held: the list, the forged push refused, block and unblock with their pushes)"
        ));
    }
    Outcome::Pass(format!(
        "list read ({initially} blocked), bob's forged push refused, bob blocked (result and push), the bounce typed as <blocked/>, all unblocked by push, bob heard again"
    ))
}

/// XEP-0352 against the server: offered after binding, inactive then
/// active, a message still delivered while inactive.
pub(super) fn csi(c: &Ctx) -> Outcome {
    let mut a = logged_in!(login(c, 0, Some("csi")));
    let mut b = logged_in!(login(c, 1, Some("csi")));
    let mut indicator = Indicator::from_features(&a.features);
    if !indicator.offered() {
        return Outcome::NotOffered("no <csi/> among the features after binding".into());
    }
    check!(
        indicator.set(CsiState::Active).is_none(),
        "a stream begins active"
    );
    check!(
        indicator.set(CsiState::Inactive).is_some(),
        "inactive to send"
    );
    attempt!(a.send(&xep_csi::Inactive));
    // A round trip on alice's stream, so that the server has read
    // <inactive/> before bob's message arrives (stanzas of one stream are
    // processed in order). Without it, Prosody 0.12 once took <inactive/>
    // just after queueing the message and held it in the paused buffer.
    let ping = || {
        Iq::get(
            "",
            Some(DOMAIN.parse().expect("a JID")),
            Payload::new(xep_ping::Ping),
        )
    };
    let r = attempt!(a.iq(ping(), soon()));
    check!(
        r.type_ == IqType::Result,
        "a ping while inactive: {}",
        bytes_of(&r.to_element())
    );
    // A chat message is still delivered to an inactive client.
    let mut m = Message::chat(Jid::from(a.jid.clone()), "wake up");
    m.id = Some("while-inactive".into());
    attempt!(b.send(&m));
    attempt!(a.wait_for(
        "the message sent while inactive",
        soon(),
        |p| match p.get::<Stanza>() {
            Some(Ok(Stanza::Message(m))) if m.id.as_deref() == Some("while-inactive") => Some(()),
            _ => None,
        }
    ));
    check!(indicator.set(CsiState::Active).is_some(), "active to send");
    attempt!(a.send(&xep_csi::Active));
    let r = attempt!(a.iq(ping(), soon()));
    check!(
        r.type_ == IqType::Result,
        "the stream after <active/>: {}",
        bytes_of(&r.to_element())
    );
    Outcome::Pass(
        "<csi/> offered after binding, <inactive/> (a ping answered while inactive) and <active/> accepted, a chat message delivered while inactive"
            .into(),
    )
}
