//! XEP-0353/0166/0234/0261 through two Jingle `Endpoint` machines and
//! their `jmi_session::Calls`.

use super::*;
use xep_jingle::jmi_session::{Calls, Event as CallEvent, Outcome as CallOutcome};

/// A session with a Jingle [`JingleEndpoint`]; iqs that are not the endpoint's
/// (the IBB bytestream) are kept for the scenario.
pub(super) struct Jingling {
    s: Session,
    ep: JingleEndpoint,
    calls: Calls,
    events: Vec<JingleEvent>,
    call_events: Vec<CallEvent>,
    iqs: Vec<Iq>,
}

impl Jingling {
    fn new(s: Session) -> Jingling {
        let ep = JingleEndpoint::new(Jid::from(s.jid.clone()));
        let calls = Calls::new(s.jid.clone());
        Jingling {
            s,
            ep,
            calls,
            events: Vec::new(),
            call_events: Vec::new(),
            iqs: Vec::new(),
        }
    }

    fn flush(&mut self) -> Result<(), SessionError> {
        while let Some(iq) = self.ep.poll_transmit() {
            self.s.send(&iq)?;
        }
        while let Some(m) = self.calls.poll_transmit() {
            self.s.send(&m)?;
        }
        Ok(())
    }

    /// Writes what the endpoint queued, then reads for at most `wait`.
    fn step(&mut self, wait: Duration) -> Result<(), SessionError> {
        self.flush()?;
        let mut until = Instant::now() + wait;
        for t in [self.ep.poll_timeout(), self.calls.poll_timeout()]
            .into_iter()
            .flatten()
        {
            until = until.min(t);
        }
        match self.s.link.next_event(until)? {
            None => {
                self.ep.handle_timeout(Instant::now());
                self.calls.handle_timeout(Instant::now());
            }
            Some(StreamEvent::Element(p)) => {
                if let Some(Ok(m)) = p.get::<Message>() {
                    self.calls.handle_message(Instant::now(), &m);
                } else if let Some(Ok(iq)) = p.get::<Iq>() {
                    if !self.ep.handle_iq(Instant::now(), &iq) {
                        self.iqs.push(iq);
                    }
                } else if let Some(Ok(e)) = p.get::<xep_core::StreamError>() {
                    return Err(SessionError::StreamErrorReceived(e));
                }
            }
            Some(StreamEvent::End) => return Err(SessionError::Closed),
            Some(other) => return Err(SessionError::Unexpected(format!("{other:?}"))),
        }
        while let Some(e) = self.ep.poll_event() {
            self.events.push(e);
        }
        while let Some(e) = self.calls.poll_event() {
            self.call_events.push(e);
        }
        self.flush()
    }

    /// An iq not the endpoint's, matching `pick`, stepping until it comes.
    fn iq(
        &mut self,
        what: &'static str,
        mut pick: impl FnMut(&Iq) -> bool,
    ) -> Result<Iq, SessionError> {
        let deadline = soon();
        loop {
            if let Some(i) = self.iqs.iter().position(&mut pick) {
                return Ok(self.iqs.remove(i));
            }
            if Instant::now() >= deadline {
                return Err(SessionError::TimedOut(what));
            }
            self.step(Duration::from_millis(200))?;
        }
    }
}

/// Steps both parties in turn until `pick` finds a call event of `who`.
fn call_until<T>(
    a: &mut Jingling,
    b: &mut Jingling,
    who_is_a: bool,
    what: &'static str,
    mut pick: impl FnMut(&CallEvent) -> Option<T>,
) -> Result<T, SessionError> {
    let deadline = soon();
    loop {
        let who = if who_is_a { &mut *a } else { &mut *b };
        if let Some(i) = who.call_events.iter().position(|e| pick(e).is_some()) {
            let e = who.call_events.remove(i);
            return Ok(pick(&e).expect("matched"));
        }
        if Instant::now() >= deadline {
            return Err(SessionError::Unexpected(format!(
                "timed out waiting for {what}; call events {:?} / {:?}",
                a.call_events, b.call_events
            )));
        }
        a.step(Duration::from_millis(20))?;
        b.step(Duration::from_millis(20))?;
    }
}

/// Steps both parties in turn until `pick` finds an event of `who`.
pub(super) fn jingle_until<T>(
    a: &mut Jingling,
    b: &mut Jingling,
    who_is_a: bool,
    what: &'static str,
    mut pick: impl FnMut(&JingleEvent) -> Option<T>,
) -> Result<T, SessionError> {
    let deadline = soon();
    loop {
        let who = if who_is_a { &mut *a } else { &mut *b };
        if let Some(i) = who.events.iter().position(|e| pick(e).is_some()) {
            let e = who.events.remove(i);
            return Ok(pick(&e).expect("matched"));
        }
        if Instant::now() >= deadline {
            return Err(SessionError::Unexpected(format!(
                "timed out waiting for {what}; events {:?} / {:?}",
                a.events, b.events
            )));
        }
        a.step(Duration::from_millis(20))?;
        b.step(Duration::from_millis(20))?;
    }
}

pub(super) fn jingle_file(c: &Ctx) -> Outcome {
    let mut a = Jingling::new(logged_in!(login(c, 0, Some("jingle"))));
    let mut b = Jingling::new(logged_in!(login(c, 1, Some("jingle"))));
    let (aj, bj) = (Jid::from(a.s.jid.clone()), Jid::from(b.s.jid.clone()));
    const SIZE: usize = 300 * 1024;
    const BLOCK: u16 = 4096;
    let data = pki::random(SIZE);
    let digest = Algo::Sha256.digest(&data).expect("SHA-256 is computed");
    let file = FtFile {
        name: Some("interop.bin".into()),
        media_type: Some("application/octet-stream".into()),
        size: Some(SIZE as u64),
        hashes: vec![Hash {
            algo: Algo::Sha256,
            value: xep_element::Base64(digest.clone()),
        }],
        ..FtFile::default()
    };
    // XEP-0353 first: the proposal rings bob's devices (his bare JID);
    // the device that proceeds gets the session, whose sid is the
    // proposal's id.
    for x in [&mut a, &mut b] {
        attempt!(x.s.send(&Presence::available()));
    }
    let description = Payload::new(FtDescription { file: file.clone() });
    attempt!(
        a.calls
            .propose(Instant::now(), b.s.jid.to_bare(), "ft-1", vec![description])
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(a.flush());
    let (id, from) = attempt!(call_until(
        &mut a,
        &mut b,
        false,
        "the proposal",
        |e| match e {
            CallEvent::Incoming { id, from, .. } => Some((id.clone(), from.clone())),
            _ => None,
        }
    ));
    check!(id == "ft-1" && from == a.s.jid, "proposal {id} from {from}");
    attempt!(
        b.calls
            .ring(Instant::now(), &id)
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(b.flush());
    let ringing = attempt!(call_until(
        &mut a,
        &mut b,
        true,
        "the ringing",
        |e| match e {
            CallEvent::Ringing { device, .. } => Some(device.clone()),
            _ => None,
        }
    ));
    check!(ringing == b.s.jid, "ringing on {ringing}");
    attempt!(
        b.calls
            .proceed(Instant::now(), &id)
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(b.flush());
    let device = attempt!(call_until(
        &mut a,
        &mut b,
        true,
        "the proceed",
        |e| match e {
            CallEvent::Proceed { device, .. } => Some(device.clone()),
            _ => None,
        }
    ));
    check!(device == b.s.jid, "proceeded on {device}");

    let content = Content::new(Creator::Initiator, "file")
        .with(Payload::new(FtDescription { file }))
        .with(Payload::new(IbbTransport {
            block_size: BLOCK,
            sid: "ibb-1".into(),
            stanza: None,
        }));
    attempt!(
        a.ep.initiate(Instant::now(), bj.clone(), "ft-1", vec![content])
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(a.flush());

    // Bob sees the offer, typed, and accepts it.
    let offer = attempt!(jingle_until(
        &mut a,
        &mut b,
        false,
        "the offer",
        |e| match e {
            JingleEvent::Incoming { peer, sid, jingle } if *peer == aj && sid == "ft-1" =>
                Some(jingle.clone()),
            _ => None,
        }
    ));
    let Some(content) = offer.contents.first() else {
        return Outcome::Fail("an offer without content".into());
    };
    let offered = content
        .payloads
        .iter()
        .find_map(|p| p.get::<FtDescription>())
        .and_then(Result::ok);
    let transport = content
        .payloads
        .iter()
        .find_map(|p| p.get::<IbbTransport>())
        .and_then(Result::ok);
    let (Some(offered), Some(transport)) = (offered, transport) else {
        return Outcome::Fail(format!("the offer's content did not type: {content:?}"));
    };
    check!(
        offered.file.size == Some(SIZE as u64),
        "offered size {:?}",
        offered.file.size
    );
    attempt!(
        b.ep.accept(Instant::now(), &aj, "ft-1", vec![])
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(b.flush());
    attempt!(jingle_until(
        &mut a,
        &mut b,
        true,
        "the session to be active",
        |e| match e {
            JingleEvent::StateChanged {
                state: JingleState::Active,
                ..
            } => Some(()),
            _ => None,
        }
    ));

    // The bytes, in band, each block acknowledged before the next.
    let open = Iq::set(
        "ibb-open",
        Some(bj.clone()),
        Payload::new(IbbOpen {
            block_size: transport.block_size,
            sid: transport.sid.clone(),
            stanza: None,
        }),
    );
    attempt!(a.s.send(&open));
    let got = attempt!(b.iq("the IBB open", |iq| iq.id == "ibb-open"));
    attempt!(b.s.send(&got.result(None)));
    let r = attempt!(a.iq("the open's result", |iq| iq.id == "ibb-open"));
    check!(
        r.type_ == IqType::Result,
        "IBB open: {}",
        bytes_of(&r.to_element())
    );
    let mut received = Vec::with_capacity(SIZE);
    for (seq, chunk) in data.chunks(usize::from(transport.block_size)).enumerate() {
        let id = format!("ibb-{seq}");
        let iq = Iq::set(
            id.clone(),
            Some(bj.clone()),
            Payload::new(IbbData::new(transport.sid.clone(), seq as u16, chunk)),
        );
        attempt!(a.s.send(&iq));
        let got = attempt!(b.iq("an IBB block", |iq| iq.id == id));
        check!(got.from == Some(aj.clone()), "a block from {:?}", got.from);
        let Some(Ok(block)) = got.payloads.iter().find_map(|p| p.get::<IbbData>()) else {
            return Outcome::Fail(format!("not an IBB block: {}", bytes_of(&got.to_element())));
        };
        check!(
            usize::from(block.seq) == seq,
            "block {} where {seq} was due",
            block.seq
        );
        received.extend(attempt!(block.decode()));
        attempt!(b.s.send(&got.result(None)));
        let r = attempt!(a.iq("a block's result", |iq| iq.id == id));
        check!(
            r.type_ == IqType::Result,
            "block {seq}: {}",
            bytes_of(&r.to_element())
        );
    }
    let close = Iq::set(
        "ibb-close",
        Some(bj.clone()),
        Payload::new(IbbClose {
            sid: transport.sid.clone(),
        }),
    );
    attempt!(a.s.send(&close));
    let got = attempt!(b.iq("the IBB close", |iq| iq.id == "ibb-close"));
    attempt!(b.s.send(&got.result(None)));
    attempt!(a.iq("the close's result", |iq| iq.id == "ibb-close"));

    // Checked against the hash of the offer.
    let want = offered
        .file
        .hashes
        .iter()
        .find(|h| h.algo == Algo::Sha256)
        .map(|h| h.value.0.clone());
    check!(
        received.len() == SIZE,
        "{} bytes arrived of {SIZE}",
        received.len()
    );
    check!(
        Algo::Sha256.digest(&received) == want,
        "the SHA-256 of what arrived differs from the offer's"
    );

    // Both ends terminate: the sender with success, the receiver sees it.
    attempt!(
        a.ep.terminate(
            Instant::now(),
            &bj,
            "ft-1",
            Some(Reason::new(ReasonCondition::Success))
        )
        .map_err(|e| format!("{e:?}"))
    );
    attempt!(a.flush());
    let reason = attempt!(jingle_until(
        &mut a,
        &mut b,
        false,
        "the terminate",
        |e| match e {
            JingleEvent::StateChanged {
                state: JingleState::Ended,
                reason,
                ..
            } => Some(reason.clone()),
            _ => None,
        }
    ));
    check!(
        reason.map(|r| r.condition) == Some(ReasonCondition::Success),
        "ended without success"
    );
    check!(
        a.ep.session(&bj, "ft-1").map(|s| s.state()) == Some(JingleState::Ended),
        "alice's session is not ended"
    );
    // The call ends with <finish/> (XEP-0353 §3.7): both sides see it.
    attempt!(
        a.calls
            .finish(
                Instant::now(),
                "ft-1",
                Some(Reason::new(ReasonCondition::Success))
            )
            .map_err(|e| format!("{e:?}"))
    );
    attempt!(a.flush());
    let outcome = attempt!(call_until(
        &mut a,
        &mut b,
        false,
        "the finish",
        |e| match e {
            CallEvent::Ended { outcome, .. } => Some(outcome.clone()),
            _ => None,
        }
    ));
    check!(
        matches!(outcome, CallOutcome::Finished { .. }),
        "bob's call ended as {outcome:?}"
    );
    Outcome::Pass(format!(
        "XEP-0353 proposal, ringing, proceed and finish through both Calls machines; {SIZE} bytes in {} IBB blocks, SHA-256 verified; session-initiate, accept and terminate (success) through both Endpoint machines",
        SIZE.div_ceil(usize::from(BLOCK))
    ))
}
