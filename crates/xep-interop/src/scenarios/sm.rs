//! XEP-0198 through the `StreamManager` machine.

use super::*;

/// Writes what the [`StreamManager`] queued.
fn sm_flush(s: &mut Session, sm: &mut StreamManager) -> Result<(), SessionError> {
    while let Some(t) = sm.poll_transmit() {
        match t {
            SmTransmit::Stanza(st) => s.send(&st)?,
            SmTransmit::Sm(e) => s.send(&e)?,
        }
    }
    Ok(())
}

/// One step of a client stream under stream management: writes what the
/// [`StreamManager`] queued, reads one element (waking the machine at its
/// deadline), feeds stream management elements to it and counts stanzas.
/// Returns a received stanza, or `None`.
pub(super) fn sm_step(
    s: &mut Session,
    sm: &mut StreamManager,
    deadline: Instant,
) -> Result<Option<Payload>, SessionError> {
    sm_flush(s, sm)?;
    let wake = sm.poll_timeout().map_or(deadline, |t| t.min(deadline));
    match s.link.next_event(wake)? {
        None => {
            sm.handle_timeout(Instant::now());
            if Instant::now() >= deadline {
                return Err(SessionError::TimedOut("stream management"));
            }
            Ok(None)
        }
        Some(StreamEvent::Element(p)) => {
            if let Some(Ok(e)) = p.get::<SmElement>() {
                sm.handle_element(Instant::now(), e);
                return Ok(None);
            }
            if let Some(Ok(e)) = p.get::<xep_core::StreamError>() {
                return Err(SessionError::StreamErrorReceived(e));
            }
            if p.get::<Stanza>().is_some() {
                sm.stanza_received(Instant::now());
            }
            Ok(Some(p))
        }
        Some(StreamEvent::End) => Err(SessionError::Closed),
        Some(other) => Err(SessionError::Unexpected(format!("{other:?}"))),
    }
}

pub(super) fn offers_sm(s: &Session) -> bool {
    s.features
        .get::<xep_sm::Feature>()
        .is_some_and(|f| f.is_ok())
}

pub(super) fn sm_acks(c: &Ctx) -> Outcome {
    let mut a = logged_in!(login(c, 0, Some("sm-sender")));
    if !offers_sm(&a) {
        return Outcome::NotOffered("no <sm xmlns='urn:xmpp:sm:3'/> feature".into());
    }
    let mut b = logged_in!(login(c, 1, Some("sm-receiver")));
    let mut sm = StreamManager::client(AckPolicy::default());
    attempt!(
        sm.enable(Instant::now(), true, None)
            .map_err(|e| format!("{e:?}"))
    );
    let deadline = soon();
    let (id, resume) = loop {
        attempt!(sm_step(&mut a, &mut sm, deadline));
        match sm.poll_event() {
            Some(SmEvent::Enabled { id, resume, .. }) => break (id, resume),
            Some(other) => return Outcome::Fail(format!("enable: {other:?}")),
            None => {}
        }
    };
    const N: usize = 12;
    let to = Jid::from(b.jid.clone());
    for i in 0..N {
        let mut m = Message::chat(to.clone(), format!("sm {i:02}"));
        m.id = Some(format!("sm-{i}"));
        sm.send(Instant::now(), Stanza::Message(m));
    }
    let mut acked = 0;
    let deadline = Instant::now() + Duration::from_secs(15);
    while acked < N {
        attempt!(sm_step(&mut a, &mut sm, deadline));
        while let Some(e) = sm.poll_event() {
            match e {
                SmEvent::Acknowledged(v) => acked += v.len(),
                other => return Outcome::Fail(format!("while sending: {other:?}")),
            }
        }
    }
    check!(
        sm.unacknowledged().len() == 0,
        "{} stanzas still unacknowledged",
        sm.unacknowledged().len()
    );
    let got = bodies(&mut b, "sm ", N, soon());
    let want: Vec<String> = (0..N).map(|i| format!("sm {i:02}")).collect();
    check!(got == want, "the receiver got {got:?}");
    // Nothing more: each once.
    let extra = bodies(
        &mut b,
        "sm ",
        1,
        Instant::now() + Duration::from_millis(500),
    );
    check!(extra.is_empty(), "duplicates: {extra:?}");
    attempt!(b.close(soon()));
    Outcome::Pass(format!(
        "enabled (resumable {resume}, id {}), {N} stanzas acknowledged by the server's <a/>, each delivered once in order",
        id.is_some()
    ))
}

/// A session of alice with stream management enabled and resumable.
fn resumable(c: &Ctx, resource: &str) -> Result<(Session, StreamManager, String), Outcome> {
    let mut a = login(c, 0, Some(resource))?;
    if !offers_sm(&a) {
        return Err(Outcome::NotOffered(
            "no <sm xmlns='urn:xmpp:sm:3'/> feature".into(),
        ));
    }
    let mut sm = StreamManager::client(AckPolicy::MANUAL);
    sm.enable(Instant::now(), true, None)
        .map_err(|e| Outcome::Fail(format!("{e:?}")))?;
    let deadline = soon();
    loop {
        sm_step(&mut a, &mut sm, deadline).map_err(|e| Outcome::Fail(format!("enable: {e}")))?;
        match sm.poll_event() {
            Some(SmEvent::Enabled {
                id: Some(id),
                resume: true,
                ..
            }) => return Ok((a, sm, id)),
            Some(SmEvent::Enabled { .. }) => {
                return Err(Outcome::NotOffered(
                    "stream management without resumption".into(),
                ));
            }
            Some(other) => return Err(Outcome::Fail(format!("enable: {other:?}"))),
            None => {}
        }
    }
}

pub(super) fn sm_resume(c: &Ctx) -> Outcome {
    let (mut a, mut sm, id) = match resumable(c, "sm-resume") {
        Ok(x) => x,
        Err(o) => return o,
    };
    let mut b = logged_in!(login(c, 1, Some("sm-resume")));
    let (aj, bj) = (a.jid.clone(), Jid::from(b.jid.clone()));
    // Under stream management every stanza goes through the machine, or
    // the server's count and ours part (a presence sent past it made the
    // server's h acknowledge a message it never had).
    sm.send(Instant::now(), Stanza::Presence(Presence::available()));
    // Bob writes to alice before the cut; she reads them.
    for i in 0..3 {
        attempt!(b.send(&Message::chat(
            Jid::from(aj.clone()),
            format!("to alice {i}")
        )));
    }
    let mut got_a: Vec<String> = Vec::new();
    let deadline = soon();
    while got_a.len() < 3 {
        if let Some(p) = attempt!(sm_step(&mut a, &mut sm, deadline))
            && let Some(m) = body_of(&p)
        {
            got_a.push(m.body(None).unwrap_or_default().to_owned());
        }
    }
    // Alice sends 6 to bob, of which a random number are written before
    // the connection breaks; the rest wait in the detached session.
    const N: usize = 6;
    let written = usize::from(pki::random(1)[0]) % (N + 1);
    for i in 0..N {
        if i == written {
            a.link.cut();
            sm.connection_lost(Instant::now());
        }
        sm.send(
            Instant::now(),
            Stanza::Message(Message::chat(bj.clone(), format!("to bob {i}"))),
        );
        // Written to a dead connection after the cut: lost, as on a
        // real network, and the machine still holds them.
        let _ = sm_flush(&mut a, &mut sm);
    }
    if written == N {
        a.link.cut();
        sm.connection_lost(Instant::now());
    }
    check!(
        sm.is_detached(),
        "not detached after the cut: {:?}",
        sm.state()
    );
    // Bob writes while alice is away: the server keeps them for her.
    for i in 3..6 {
        attempt!(b.send(&Message::chat(
            Jid::from(aj.clone()),
            format!("to alice {i}")
        )));
    }
    std::thread::sleep(Duration::from_millis(200));

    let mut a = match session::connect_resuming(
        &c.endpoint,
        DOMAIN,
        config(0, &SCRAM_NO_CB),
        Some((&mut sm, aj.clone())),
    ) {
        Ok(s) => s,
        Err(e) => return fail_connect(e),
    };
    check!(a.jid == aj, "resumed as {}", a.jid);
    let resent = match sm.poll_event() {
        Some(SmEvent::Resumed { resent, .. }) => resent.len(),
        other => return Outcome::Fail(format!("not resumed: {other:?}")),
    };
    // What the server held for alice arrives; alice asks for an ack of
    // everything she sent.
    sm.request_ack(Instant::now());
    let deadline = Instant::now() + Duration::from_secs(8);
    while got_a.len() < 6 || sm.unacknowledged().len() > 0 {
        match sm_step(&mut a, &mut sm, deadline) {
            Ok(Some(p)) => {
                if let Some(m) = body_of(&p) {
                    got_a.push(m.body(None).unwrap_or_default().to_owned());
                }
            }
            Ok(None) => {}
            Err(e) => {
                return Outcome::Fail(format!(
                    "after resumption: {e}; alice has {got_a:?}, {} unacknowledged",
                    sm.unacknowledged().len()
                ));
            }
        }
        while let Some(e) = sm.poll_event() {
            if !matches!(e, SmEvent::Acknowledged(_)) {
                return Outcome::Fail(format!("after resumption: {e:?}"));
            }
        }
    }
    let want_a: Vec<String> = (0..6).map(|i| format!("to alice {i}")).collect();
    check!(got_a == want_a, "alice got {got_a:?}");
    let got_b = bodies(&mut b, "to bob ", N, soon());
    let want_b: Vec<String> = (0..N).map(|i| format!("to bob {i}")).collect();
    check!(
        got_b == want_b,
        "bob got {got_b:?} ({written} written before the cut, {resent} sent again)"
    );
    let extra = bodies(
        &mut b,
        "to bob ",
        1,
        Instant::now() + Duration::from_millis(500),
    );
    check!(extra.is_empty(), "duplicates at bob: {extra:?}");
    attempt!(b.close(soon()));
    Outcome::Pass(format!(
        "cut after {written} of {N} written; resumed (SM-ID {} bytes) as {aj}; {resent} sent again; 6 to alice and {N} to bob, each exactly once, in order",
        id.len()
    ))
}

pub(super) fn sm_resume_expired(c: &Ctx) -> Outcome {
    let (mut a, mut sm, _) = match resumable(c, "sm-expired") {
        Ok(x) => x,
        Err(o) => return o,
    };
    let aj = a.jid.clone();
    let mut b = logged_in!(login(c, 1, Some("sm-expired")));
    sm.send(
        Instant::now(),
        Stanza::Message(Message::chat(Jid::from(b.jid.clone()), "before the cut")),
    );
    attempt!(sm_flush(&mut a, &mut sm));
    a.link.cut();
    sm.connection_lost(Instant::now());
    // Past the servers' resumption timeout (5 s in the suite's configs).
    std::thread::sleep(Duration::from_secs(7));
    let mut a = match session::connect_resuming(
        &c.endpoint,
        DOMAIN,
        config(0, &SCRAM_NO_CB),
        Some((&mut sm, aj.clone())),
    ) {
        Ok(s) => s,
        Err(e) => return fail_connect(e),
    };
    let failed = match sm.poll_event() {
        Some(SmEvent::ResumeFailed {
            condition,
            delivered,
            lost,
            ..
        }) => {
            format!(
                "<failed/> ({condition:?}); {} delivered, {} not known delivered",
                delivered.len(),
                lost.len()
            )
        }
        other => return Outcome::Fail(format!("expected <failed/>: {other:?}")),
    };
    check!(
        sm.state() == xep_sm::State::Disabled,
        "after <failed/>: {:?}",
        sm.state()
    );
    // The new session works.
    let new_jid = a.jid.clone();
    attempt!(a.send(&Message::chat(
        Jid::from(b.jid.clone()),
        "after the failure"
    )));
    let got = bodies(&mut b, "after the failure", 1, soon());
    check!(got.len() == 1, "the new session's message did not arrive");
    attempt!(a.close(soon()));
    attempt!(b.close(soon()));
    Outcome::Pass(format!(
        "{failed}; bound anew as {new_jid} (was {aj}), and a message delivered"
    ))
}
