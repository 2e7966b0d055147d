//! XEP-0198 through the `StreamManager` machine.

use super::*;

/// One step of a client stream under stream management: writes what the
/// [`StreamManager`] queued, reads one element (waking the machine at its
/// deadline), feeds stream management elements to it and counts stanzas.
/// Returns a received stanza, or `None`.
pub(super) fn sm_step(
    s: &mut Session,
    sm: &mut StreamManager,
    deadline: Instant,
) -> Result<Option<Payload>, SessionError> {
    while let Some(t) = sm.poll_transmit() {
        match t {
            SmTransmit::Stanza(st) => s.send(&st)?,
            SmTransmit::Sm(e) => s.send(&e)?,
        }
    }
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
