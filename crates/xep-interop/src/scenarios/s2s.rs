//! Server-to-server: the driver as a remote server, [`REMOTE`], opening
//! a stream to the server under test with the `Initiator` machine:
//! STARTTLS presenting a certificate of the run's CA, SASL EXTERNAL
//! (XEP-0178), XEP-0288 bidirectionality where offered, then stanzas in
//! `jabber:server` between a remote user and an account of the server.
//!
//! The servers cannot resolve [`REMOTE`], so they cannot connect back:
//! the stream is incoming only, and a message to a remote user comes
//! back on it only when the stream is bidirectional.

use std::sync::Arc;

use xep_negotiation::initiator::{self, Authentication, Initiator};

use super::*;
use crate::servers::REMOTE;

/// What the run loop of the `Initiator` ended with.
enum Negotiated {
    Ready(Box<initiator::Ready>),
    Failed(String),
}

/// The run loop of the `Initiator` over `link`, until it is ready or
/// failed.
fn negotiate(
    link: &mut Link,
    machine: &mut Initiator,
    tls: &Arc<rustls::ClientConfig>,
) -> Negotiated {
    let failed = |what: String, link: &Link| {
        Negotiated::Failed(format!(
            "{what}; received:\n    {}",
            link.received.join("\n    ")
        ))
    };
    if let Err(e) = machine.start(Instant::now()) {
        return failed(format!("start: {e:?}"), link);
    }
    loop {
        while let Some(t) = machine.poll_transmit() {
            if let Err(e) = link.transmit(&t) {
                return failed(e.to_string(), link);
            }
        }
        match machine.poll_event() {
            Some(initiator::Event::StartTls) => {
                if let Err(e) = link.starttls(tls.clone(), DOMAIN, soon()) {
                    return failed(e.to_string(), link);
                }
                if let Err(e) = machine.tls_established(Instant::now()) {
                    return failed(format!("{e:?}"), link);
                }
                continue;
            }
            Some(initiator::Event::StreamRestart) => {
                link.restart();
                continue;
            }
            Some(initiator::Event::Ready(r)) => {
                while let Some(t) = machine.poll_transmit() {
                    if let Err(e) = link.transmit(&t) {
                        return failed(e.to_string(), link);
                    }
                }
                return Negotiated::Ready(r);
            }
            Some(initiator::Event::Failed(f)) => return failed(format!("{f:?}"), link),
            Some(initiator::Event::Verified(v)) => {
                return failed(format!("an unasked <db:verify/> answer: {v:?}"), link);
            }
            None => {}
        }
        let deadline = machine.poll_timeout().unwrap_or_else(soon);
        match link.next_event(deadline) {
            Ok(Some(e)) => {
                machine.handle_stream_event(Instant::now(), &e);
            }
            Ok(None) => machine.handle_timeout(Instant::now()),
            Err(e) => return failed(e.to_string(), link),
        }
    }
}

/// The next message with a body on the s2s `link`, until the deadline.
fn next_message(link: &mut Link) -> Result<Message, String> {
    loop {
        match link.next_event(soon()) {
            Ok(Some(StreamEvent::Element(p))) => {
                if let Some(m) = body_of(&p) {
                    return Ok(m);
                }
            }
            Ok(Some(other)) => return Err(format!("the s2s stream got {other:?}")),
            Ok(None) => return Err("no message on the s2s stream".into()),
            Err(e) => return Err(e.to_string()),
        }
    }
}

pub(super) fn s2s_external(c: &Ctx) -> Outcome {
    let remote: Jid = REMOTE.parse().expect("a domain");
    let tls = attempt!(c.server.pki.client_config_as(&[REMOTE.to_owned()]));
    let transport = attempt!(Transport::connect(c.server.s2s(), T));
    let mut link = Link::new(transport, ContentNs::Server);
    let mut config =
        initiator::Config::new(remote.clone(), DOMAIN.parse().expect("a domain"), None);
    config.external = true;
    let mut machine = Initiator::new(config);
    let ready = match negotiate(&mut link, &mut machine, &tls) {
        Negotiated::Ready(r) => r,
        Negotiated::Failed(why) => return Outcome::Fail(format!("the s2s negotiation: {why}")),
    };
    check!(
        ready.authentication == Authentication::External && ready.tls,
        "authenticated by {:?}, TLS {}",
        ready.authentication,
        ready.tls
    );

    // A remote user writes to an account of the server.
    let mut a = logged_in!(login(c, 0, Some("from-remote")));
    let stranger: Jid = format!("stranger@{REMOTE}").parse().expect("a JID");
    let mut m = Message::chat(Jid::from(a.jid.clone()), "over s2s");
    m.from = Some(stranger.clone());
    m.id = Some("s2s-1".into());
    m.ns = ContentNs::Server;
    attempt!(link.send(&m));
    let got = attempt!(a.wait_for("the remote user's message", soon(), body_of));
    check!(
        got.body(None) == Some("over s2s") && got.from.as_ref() == Some(&stranger),
        "the account got {:?} from {:?}",
        got.body(None),
        got.from
    );
    check!(got.ns == ContentNs::Client, "read as {:?}", got.ns);

    let mut seen = format!(
        "STARTTLS with a certificate of {REMOTE}, SASL EXTERNAL (XEP-0178), a message from \
         {stranger} delivered in jabber:client"
    );
    if ready.bidi {
        // The reply comes back on the same stream (XEP-0288).
        let mut reply = Message::chat(stranger.clone(), "back over s2s");
        reply.id = Some(a.id());
        attempt!(a.send(&reply));
        let back = match next_message(&mut link) {
            Ok(m) => m,
            Err(e) => return Outcome::Fail(format!("the reply on the bidirectional stream: {e}")),
        };
        check!(
            back.body(None) == Some("back over s2s")
                && back.from.as_ref().map(Jid::to_bare) == Some(a.jid.to_bare())
                && back.to.as_ref() == Some(&stranger),
            "the s2s stream got {:?} from {:?} to {:?}",
            back.body(None),
            back.from,
            back.to
        );
        check!(back.ns == ContentNs::Server, "read as {:?}", back.ns);
        seen.push_str(
            "; bidirectional (XEP-0288): the reply came back on the same stream, in jabber:server",
        );
    } else {
        seen.push_str("; the server did not offer XEP-0288, so nothing comes back on this stream");
    }
    // A sender domain the stream did not authenticate is refused
    // (RFC 6120 §8.1.1.2's improper addressing: the server may close
    // the stream), never delivered.
    let mut forged = Message::chat(Jid::from(a.jid.clone()), "forged over s2s");
    forged.from = Some(
        format!("mallory@elsewhere.{REMOTE}")
            .parse()
            .expect("a JID"),
    );
    forged.ns = ContentNs::Server;
    attempt!(link.send(&forged));
    let reaction = match link.next_event(Instant::now() + Duration::from_secs(2)) {
        Ok(Some(StreamEvent::Element(p))) => match p.get::<xep_core::StreamError>() {
            Some(Ok(e)) => format!("the stream error <{:?}/>", e.condition),
            _ => bytes_of(&p.to_element()),
        },
        Ok(Some(StreamEvent::End)) | Err(SessionError::Closed) => "the stream closed".into(),
        Ok(Some(other)) => format!("{other:?}"),
        Ok(None) => "no answer".into(),
        Err(e) => e.to_string(),
    };
    match a.wait_for(
        "the forged message",
        Instant::now() + Duration::from_secs(2),
        body_of,
    ) {
        Ok(m) if m.body(None) == Some("forged over s2s") => {
            return Outcome::Fail(format!(
                "a message from an unauthenticated domain was delivered: from {:?}",
                m.from
            ));
        }
        _ => {}
    }
    seen.push_str(&format!(
        "; a sender domain the stream did not authenticate was not delivered (the server \
         answered with {reaction})"
    ));
    attempt!(a.close(soon()));
    Outcome::Pass(seen)
}
