//! Server-to-server: the driver as a remote server, [`REMOTE`], opening
//! a stream to the server under test with the `Initiator` machine:
//! STARTTLS presenting a certificate of the run's CA, SASL EXTERNAL
//! (XEP-0178), XEP-0288 bidirectionality where offered, then stanzas in
//! `jabber:server` between a remote user and an account of the server.
//!
//! The servers cannot resolve [`REMOTE`], so they cannot connect back:
//! the stream is incoming only, and a message to a remote user comes
//! back on it only when the stream is bidirectional.
//!
//! Dialback (XEP-0220) needs the server to connect back: the driver then
//! speaks for [`DIALBACK_REMOTE`], an IP literal the servers reach without
//! DNS, and listens for their streams at [`DIALBACK_ADDR`].

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use xep_negotiation::initiator::{self, Authentication, Initiator};
use xep_negotiation::receiver::{self, DialbackAnswer, Receiver};
use xep_negotiation::{DialbackType, DialbackVerify, verify_dialback_key};

use super::*;
use crate::servers::{DIALBACK_ADDR, DIALBACK_REMOTE, REMOTE};

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

/// The reply an account (`account`) sent to `stranger` of the driver's
/// domain, as the driver read it on an s2s stream: the text, the sender,
/// the addressee, in `jabber:server`.
fn check_reply(
    back: &Message,
    text: &str,
    account: &BareJid,
    stranger: &Jid,
) -> Result<(), String> {
    if back.body(None) != Some(text)
        || back.from.as_ref().map(Jid::to_bare).as_ref() != Some(account)
        || back.to.as_ref() != Some(stranger)
    {
        return Err(format!(
            "the s2s stream got {:?} from {:?} to {:?}",
            back.body(None),
            back.from,
            back.to
        ));
    }
    if back.ns != ContentNs::Server {
        return Err(format!("the reply read as {:?}", back.ns));
    }
    Ok(())
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
        if let Err(e) = check_reply(&back, "back over s2s", &a.jid.to_bare(), &stranger) {
            return Outcome::Fail(e);
        }
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

/// One stream a server under test opened to the driver's dialback
/// domain, with the driver's receiving end.
struct Incoming {
    link: Link,
    machine: Receiver,
    ready: bool,
    /// A stream opened only to verify a key, which the server closed
    /// after the answer (ejabberd does so).
    closed: bool,
}

/// The driver as [`DIALBACK_REMOTE`], authenticated by dialback both
/// ways: its own stream to the server (an `Initiator` presenting its key),
/// and the streams the server opens back to it (each a `Receiver`), to
/// verify the driver's key (`<db:verify/>`, answered as the
/// authoritative server) and to send stanzas, authenticated in turn by
/// asking the server, on the driver's stream, to verify its key.
struct DialbackPeer {
    secret: String,
    listener: TcpListener,
    client_tls: Arc<rustls::ClientConfig>,
    server_tls: Arc<rustls::ServerConfig>,
    out_link: Link,
    out: Initiator,
    out_ready: Option<Box<initiator::Ready>>,
    /// How the driver's stream failed, when a failure is what is asked
    /// for (`expect_refusal`).
    out_failure: Option<Failure>,
    expect_refusal: bool,
    incoming: Vec<Incoming>,
    /// The server's `<db:verify/>` requests about the driver's key, and
    /// whether the key was right.
    verify_answers: Vec<bool>,
    /// The server's keys the driver asked it to verify: (the incoming
    /// stream, the request).
    asked: Vec<(usize, DialbackVerify)>,
    /// The server's answers about its own keys: valid or not.
    server_keys: Vec<bool>,
    /// Stanzas received on the authenticated incoming streams.
    received: Vec<Payload>,
}

impl DialbackPeer {
    fn fail(&self, what: impl std::fmt::Display) -> String {
        let mut s = format!(
            "{what}; received on the driver's stream:\n    {}",
            self.out_link.received.join("\n    ")
        );
        for (i, inc) in self.incoming.iter().enumerate() {
            s.push_str(&format!(
                "\n  on the server's stream {i}:\n    {}",
                inc.link.received.join("\n    ")
            ));
        }
        s
    }

    /// One round: what the machines queued is written, their events
    /// handled, a connection accepted, and one event read from each
    /// stream (a short wait each).
    fn step(&mut self) -> Result<(), String> {
        let now = Instant::now();
        self.flush()?;
        while let Some(e) = self.out.poll_event() {
            match e {
                initiator::Event::StartTls => {
                    self.out_link
                        .starttls(self.client_tls.clone(), DOMAIN, soon())
                        .map_err(|e| self.fail(e))?;
                    self.out
                        .tls_established(now)
                        .map_err(|e| self.fail(format!("{e:?}")))?;
                }
                initiator::Event::StreamRestart => self.out_link.restart(),
                initiator::Event::Ready(r) => self.out_ready = Some(r),
                initiator::Event::Failed(f) if self.expect_refusal => self.out_failure = Some(f),
                initiator::Event::Failed(f) => {
                    return Err(self.fail(format!("the driver's stream: {f:?}")));
                }
                initiator::Event::Verified(v) => {
                    let Some(i) = self.asked.iter().position(|(_, r)| r.id == v.id) else {
                        return Err(self.fail(format!("an unasked <db:verify/> answer: {v:?}")));
                    };
                    let (n, _) = self.asked.remove(i);
                    let valid = v.type_ == Some(DialbackType::Valid);
                    self.server_keys.push(valid);
                    let answer = if valid {
                        DialbackAnswer::Valid
                    } else {
                        DialbackAnswer::Invalid
                    };
                    self.incoming[n]
                        .machine
                        .answer_dialback(now, answer)
                        .map_err(|e| format!("{e:?}"))?;
                }
            }
        }
        match self.listener.accept() {
            Ok((sock, _)) => {
                sock.set_nonblocking(false).map_err(|e| e.to_string())?;
                let _ = sock.set_nodelay(true);
                let id = pki::random(12)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>();
                let mut config =
                    receiver::Config::new(DIALBACK_REMOTE.parse().expect("a domain"), id);
                config.external = false;
                config.bidi = false;
                let mut machine = Receiver::new(config);
                machine.start(now).map_err(|e| format!("{e:?}"))?;
                self.incoming.push(Incoming {
                    link: Link::new(Transport::Plain(sock), ContentNs::Server),
                    machine,
                    ready: false,
                    closed: false,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(self.fail(format!("accepting: {e}"))),
        }
        for n in 0..self.incoming.len() {
            self.incoming_events(n, now)?;
        }
        self.flush()?;
        let wait = || Instant::now() + Duration::from_millis(20);
        match self.out_link.next_event(wait()) {
            Ok(Some(e)) => {
                if !self.out.handle_stream_event(Instant::now(), &e) && self.out_failure.is_none() {
                    return Err(self.fail(format!("unexpected on the driver's stream: {e:?}")));
                }
            }
            Ok(None) => self.out.handle_timeout(Instant::now()),
            Err(_) if self.out_failure.is_some() => {}
            Err(e) => return Err(self.fail(format!("the driver's stream: {e}"))),
        }
        for n in 0..self.incoming.len() {
            let inc = &mut self.incoming[n];
            if inc.closed {
                continue;
            }
            match inc.link.next_event(wait()) {
                Ok(Some(e)) => {
                    if !inc.machine.handle_stream_event(Instant::now(), &e) {
                        match e {
                            StreamEvent::Element(p) => self.received.push(p),
                            other => {
                                return Err(self.fail(format!(
                                    "the server's stream {n} after negotiation: {other:?}"
                                )));
                            }
                        }
                    }
                }
                Ok(None) => inc.machine.handle_timeout(Instant::now()),
                // A verification-only stream the server closed.
                Err(SessionError::Closed) if !inc.ready => inc.closed = true,
                Err(e) => return Err(self.fail(format!("the server's stream {n}: {e}"))),
            }
        }
        Ok(())
    }

    fn incoming_events(&mut self, n: usize, now: Instant) -> Result<(), String> {
        while let Some(e) = self.incoming[n].machine.poll_event() {
            let inc = &mut self.incoming[n];
            match e {
                receiver::Event::StartTls => {
                    while let Some(t) = inc.machine.poll_transmit() {
                        inc.link.transmit(&t).map_err(|e| e.to_string())?;
                    }
                    inc.link
                        .accept_tls(self.server_tls.clone(), soon())
                        .map_err(|e| format!("TLS as {DIALBACK_REMOTE}: {e}"))?;
                    inc.machine
                        .tls_established(now)
                        .map_err(|e| format!("{e:?}"))?;
                }
                receiver::Event::CertificateCheck { .. } => inc
                    .machine
                    .certificate(now, false)
                    .map_err(|e| format!("{e:?}"))?,
                receiver::Event::StreamRestart => inc.link.restart(),
                receiver::Event::VerifyRequested(v) => {
                    // As the authoritative server: the key the driver
                    // gave on its stream (receiving = the server, the
                    // originating domain = the driver's).
                    let right = v.key().is_some_and(|k| {
                        verify_dialback_key(
                            k,
                            &self.secret,
                            &v.from.to_string(),
                            &v.to.to_string(),
                            &v.id,
                        )
                    });
                    self.verify_answers.push(right);
                    let answer = if right {
                        DialbackAnswer::Valid
                    } else {
                        DialbackAnswer::Invalid
                    };
                    inc.machine
                        .answer_verify(now, &v, answer)
                        .map_err(|e| format!("{e:?}"))?;
                }
                receiver::Event::DialbackRequested { request, stream_id } => {
                    // The server's key: only the server can say.
                    let ask = DialbackVerify::request(&request, stream_id);
                    self.out
                        .send_verify(now, ask.clone())
                        .map_err(|e| format!("{e:?}"))?;
                    self.asked.push((n, ask));
                }
                receiver::Event::Ready(r) => {
                    if r.authentication != Authentication::Dialback {
                        return Err(format!("the server's stream {n}: authenticated by {r:?}"));
                    }
                    inc.ready = true;
                }
                // A stream opened only to verify, closed once answered.
                receiver::Event::Failed(Failure::Closed) if !inc.ready => inc.closed = true,
                receiver::Event::Failed(f) => {
                    return Err(self.fail(format!("the server's stream {n}: {f:?}")));
                }
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), String> {
        while let Some(t) = self.out.poll_transmit() {
            self.out_link.transmit(&t).map_err(|e| self.fail(e))?;
        }
        for inc in &mut self.incoming {
            while let Some(t) = inc.machine.poll_transmit() {
                inc.link.transmit(&t).map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }

    /// Steps until `done`, or fails naming `what` at the deadline.
    fn until(&mut self, what: &str, done: impl Fn(&Self) -> bool) -> Result<(), String> {
        let end = Instant::now() + Duration::from_secs(20);
        while !done(self) {
            if Instant::now() > end {
                return Err(self.fail(format!("timed out waiting for {what}")));
            }
            self.step()?;
        }
        Ok(())
    }
}

pub(super) fn s2s_dialback(c: &Ctx) -> Outcome {
    let me: Jid = DIALBACK_REMOTE.parse().expect("a domain");
    let listener = match TcpListener::bind(SocketAddr::from(DIALBACK_ADDR)) {
        Ok(l) => l,
        Err(e) => {
            return Outcome::Fail(format!(
                "listening as {DIALBACK_REMOTE} on {DIALBACK_ADDR:?}: {e}"
            ));
        }
    };
    attempt!(listener.set_nonblocking(true));
    let secret: String = pki::random(16).iter().map(|b| format!("{b:02x}")).collect();
    let mut config = initiator::Config::new(
        me.clone(),
        DOMAIN.parse().expect("a domain"),
        Some(secret.clone()),
    );
    // Each direction on a stream of its own (XEP-0288 is s2s-external's).
    config.bidi = false;
    let mut peer = DialbackPeer {
        secret,
        listener,
        client_tls: attempt!(c.server.pki.client_config()),
        server_tls: attempt!(
            c.server
                .pki
                .server_config_for(&[DIALBACK_REMOTE.to_owned()])
        ),
        out_link: Link::new(
            attempt!(Transport::connect(c.server.s2s(), T)),
            ContentNs::Server,
        ),
        out: Initiator::new(config),
        out_ready: None,
        out_failure: None,
        expect_refusal: false,
        incoming: Vec::new(),
        verify_answers: Vec::new(),
        asked: Vec::new(),
        server_keys: Vec::new(),
        received: Vec::new(),
    };
    attempt!(peer.out.start(Instant::now()).map_err(|e| format!("{e:?}")));
    attempt!(peer.until("the driver's stream authenticated", |p| {
        p.out_ready.is_some()
    }));
    let ready = peer.out_ready.clone().expect("ready");
    check!(
        ready.authentication == Authentication::Dialback && ready.tls,
        "authenticated by {:?}, TLS {}",
        ready.authentication,
        ready.tls
    );
    // The server believed the key only after asking the driver's
    // authoritative end, which found it right.
    check!(
        peer.verify_answers.contains(&true),
        "the server never asked the driver's domain to verify its key (answers given: {:?})",
        peer.verify_answers
    );

    // A user of the driver's domain writes to an account of the server.
    let mut a = logged_in!(login(c, 0, Some("from-dialback")));
    let stranger: Jid = format!("stranger@{DIALBACK_REMOTE}")
        .parse()
        .expect("a JID");
    let mut m = Message::chat(Jid::from(a.jid.clone()), "over dialback");
    m.from = Some(stranger.clone());
    m.id = Some("db-1".into());
    m.ns = ContentNs::Server;
    attempt!(peer.out_link.send(&m));
    let got = attempt!(a.wait_for("the dialback user's message", soon(), body_of));
    check!(
        got.body(None) == Some("over dialback") && got.from.as_ref() == Some(&stranger),
        "the account got {:?} from {:?}",
        got.body(None),
        got.from
    );

    // The reply: the server opens (or uses) its own stream to the
    // driver's domain, authenticated by dialback in turn.
    let mut reply = Message::chat(stranger.clone(), "back over dialback");
    reply.id = Some(a.id());
    attempt!(a.send(&reply));
    attempt!(peer.until("the reply on the server's stream", |p| {
        p.received.iter().any(|e| body_of(e).is_some())
    }));
    let back = peer
        .received
        .iter()
        .find_map(body_of)
        .expect("a message arrived");
    if let Err(e) = check_reply(&back, "back over dialback", &a.jid.to_bare(), &stranger) {
        return Outcome::Fail(e);
    }
    check!(
        !peer.server_keys.is_empty() && peer.server_keys.iter().all(|v| *v),
        "the server's own keys, as it verified them: {:?}",
        peer.server_keys
    );
    let streams = peer.incoming.len();

    // A key the driver's domain did not make (another secret): the
    // server asks the authoritative end, which says invalid, and the
    // server refuses the stream.
    let config = initiator::Config {
        bidi: false,
        ..initiator::Config::new(
            me.clone(),
            DOMAIN.parse().expect("a domain"),
            Some("not the driver's secret".into()),
        )
    };
    peer.out = Initiator::new(config);
    peer.out_link = Link::new(
        attempt!(Transport::connect(c.server.s2s(), T)),
        ContentNs::Server,
    );
    peer.out_ready = None;
    peer.expect_refusal = true;
    let answered = peer.verify_answers.len();
    attempt!(peer.out.start(Instant::now()).map_err(|e| format!("{e:?}")));
    attempt!(
        peer.until("the forged key refused", |p| p.out_failure.is_some()
            || p.out_ready.is_some())
    );
    check!(
        peer.out_ready.is_none(),
        "a key of another secret was accepted: {:?}",
        peer.out_ready
    );
    check!(
        peer.verify_answers[answered..] == [false],
        "the authoritative end's answers about the forged key: {:?}",
        &peer.verify_answers[answered..]
    );
    let refusal = format!("{:?}", peer.out_failure);
    attempt!(a.close(soon()));
    Outcome::Pass(format!(
        "the driver's stream as {DIALBACK_REMOTE} (an IP literal the server reaches without \
         DNS), STARTTLS then <db:result/>: valid once the server had asked the driver's \
         authoritative end with <db:verify/> ({} asked, all right); a message from {stranger} \
         delivered; the reply on the server's own stream to the driver, its key verified by \
         asking the server on the driver's stream ({} key(s) valid); {streams} stream(s) from \
         the server in all; a key of another secret refused after the authoritative end said \
         invalid ({refusal})",
        answered,
        peer.server_keys.len()
    ))
}
