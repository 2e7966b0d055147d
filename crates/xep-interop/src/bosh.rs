//! XMPP over BOSH (XEP-0124, XEP-0206): the negotiation machine of
//! `xep-negotiation` carried by the BOSH client machine of `xep-bosh`,
//! over blocking HTTP requests (one thread each, as BOSH holds one
//! request while the next is sent).
//!
//! This is how a BOSH session drives the negotiation machine, which knows
//! only streams: the session's creation stands for the first stream
//! header, `xmpp:restart` for each later one (both are fed to the machine
//! as a [`StreamEvent::Header`] of the server), every element the
//! machine writes is a payload of the next request, every payload
//! received is a [`StreamEvent::Element`], and the stream's close is the
//! session's termination.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use xep_bosh::Rid;
use xep_bosh::client::{Config as BoshConfig, Event as BoshEvent, HttpFailure, Session as Bosh};
use xep_core::{Stanza, StreamEvent, StreamHeader};
use xep_element::Payload;
use xep_element::jid::FullJid;
use xep_negotiation::Transmit;
use xep_negotiation::client::{self, Client};

use crate::session::{Receive, SessionError};

type Answer = (Rid, Result<Vec<u8>, HttpFailure>);

/// A negotiated session over BOSH.
pub struct BoshSession {
    bosh: Bosh,
    url: String,
    tx: mpsc::Sender<Answer>,
    rx: mpsc::Receiver<Answer>,
    /// The bound JID.
    pub jid: FullJid,
    /// Payloads received after the negotiation, not yet taken.
    pub received: Vec<Payload>,
}

fn post(url: &str, body: &[u8]) -> Result<Vec<u8>, HttpFailure> {
    match ureq::post(url)
        .set("Content-Type", "text/xml; charset=utf-8")
        .timeout(Duration::from_secs(90))
        .send_bytes(body)
    {
        Ok(r) => {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut r.into_reader(), &mut out)
                .map_err(|_| HttpFailure::Network)?;
            Ok(out)
        }
        Err(ureq::Error::Status(code, _)) => Err(HttpFailure::Status(code)),
        Err(_) => Err(HttpFailure::Network),
    }
}

/// Sends every request the BOSH machine has, each on its own thread.
fn send_requests(bosh: &mut Bosh, url: &str, tx: &mpsc::Sender<Answer>) {
    while let Some(req) = bosh.poll_request(Instant::now()) {
        let (url, tx) = (url.to_owned(), tx.clone());
        std::thread::spawn(move || {
            let r = post(&url, &req.body);
            let _ = tx.send((req.rid, r));
        });
    }
}

/// Waits for one HTTP answer (or the BOSH machine's deadline) and hands
/// it to the machine.
fn wait(
    bosh: &mut Bosh,
    rx: &mpsc::Receiver<Answer>,
    deadline: Instant,
) -> Result<(), SessionError> {
    let wake = bosh.poll_timeout().map_or(deadline, |t| t.min(deadline));
    match rx.recv_timeout(wake.saturating_duration_since(Instant::now())) {
        Ok((rid, r)) => {
            bosh.handle_response(Instant::now(), rid, r.as_deref().map_err(|e| *e));
            Ok(())
        }
        Err(_) => {
            bosh.handle_timeout(Instant::now());
            if Instant::now() >= deadline {
                Err(SessionError::TimedOut("the BOSH connection manager"))
            } else {
                Ok(())
            }
        }
    }
}

/// Creates a BOSH session at `url` and negotiates over it. The HTTP layer
/// is what XEP-0206 secures, and "the client SHOULD ignore any TLS
/// feature" (XEP-0206 §7): give a `config` whose `tls_at_start` is set,
/// which makes the machine skip STARTTLS (Prosody 0.12 offers it as
/// required over BOSH).
pub fn connect(
    url: &str,
    domain: &str,
    config: client::Config,
    rid: u64,
) -> Result<BoshSession, SessionError> {
    let mut bosh = Bosh::new(
        BoshConfig {
            wait: 10,
            ..BoshConfig::xmpp(domain)
        },
        rid,
    )
    .map_err(|e| SessionError::Unexpected(format!("{e}")))?;
    let (tx, rx) = mpsc::channel();
    let mut machine = Client::new(config);
    let header = || {
        StreamEvent::Header(StreamHeader {
            from: domain.parse().ok(),
            ..StreamHeader::client_to(domain.parse().expect("a domain"))
        })
    };
    let mut first = true;
    let mut transcript: Vec<String> = Vec::new();
    machine
        .start(Instant::now())
        .map_err(|e| SessionError::Unexpected(format!("{e:?}")))?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        while let Some(t) = machine.poll_transmit() {
            match t {
                Transmit::Header(_) if first => first = false,
                Transmit::Header(_) => {
                    bosh.restart()
                        .map_err(|e| SessionError::Unexpected(format!("{e}")))?;
                    machine.handle_stream_event(Instant::now(), &header());
                }
                Transmit::Close => {
                    let _ = bosh.terminate();
                }
                other => {
                    if let Some(p) = other.into_payload() {
                        bosh.send_payload(Instant::now(), p);
                    }
                }
            }
        }
        if let Some(ev) = machine.poll_event() {
            match ev {
                client::Event::Ready(r) => {
                    return Ok(BoshSession {
                        bosh,
                        url: url.to_owned(),
                        tx,
                        rx,
                        jid: r.jid,
                        received: Vec::new(),
                    });
                }
                client::Event::Failed(f) => {
                    return Err(SessionError::Unexpected(format!(
                        "negotiation failed: {f:?}; received: {}",
                        transcript.join(" ")
                    )));
                }
                client::Event::StreamRestart => {}
                // No XEP-0484 token is configured here.
                client::Event::TokenRefused { .. }
                | client::Event::TokenReceived { .. }
                | client::Event::InstantResumeFailed(_)
                | client::Event::InstantResumeRefused { .. } => {}
                client::Event::Authenticated { .. } => machine
                    .bind(Instant::now())
                    .map_err(|e| SessionError::Unexpected(format!("{e:?}")))?,
                client::Event::StartTls => {
                    return Err(SessionError::Unexpected("STARTTLS over BOSH".into()));
                }
            }
            continue;
        }
        send_requests(&mut bosh, url, &tx);
        wait(&mut bosh, &rx, deadline)?;
        while let Some(e) = bosh.poll_event() {
            match e {
                BoshEvent::Created(_) => {
                    machine.handle_stream_event(Instant::now(), &header());
                }
                BoshEvent::Received(p) => {
                    transcript.push(crate::session::bytes_of(&p.to_element()));
                    machine.handle_stream_event(Instant::now(), &StreamEvent::Element(p));
                }
                BoshEvent::Terminated(t) => {
                    return Err(SessionError::Unexpected(format!(
                        "the BOSH session ended: {t:?}"
                    )));
                }
            }
        }
    }
}

impl BoshSession {
    /// Sends a stanza (at once, if the machine has a request free).
    pub fn send(&mut self, stanza: Stanza) {
        self.bosh.send(Instant::now(), stanza);
        send_requests(&mut self.bosh, &self.url, &self.tx);
    }

    /// Terminates the session and waits for the manager's answer.
    pub fn terminate(mut self, deadline: Instant) -> Result<(), SessionError> {
        self.bosh
            .terminate()
            .map_err(|e| SessionError::Unexpected(format!("{e}")))?;
        loop {
            send_requests(&mut self.bosh, &self.url, &self.tx);
            wait(&mut self.bosh, &self.rx, deadline)?;
            while let Some(e) = self.bosh.poll_event() {
                if let BoshEvent::Terminated(t) = e {
                    return match t {
                        xep_bosh::client::Termination::Requested => Ok(()),
                        other => Err(SessionError::Unexpected(format!(
                            "terminated with {other:?}"
                        ))),
                    };
                }
            }
        }
    }
}

impl Receive for BoshSession {
    fn next_stream_event(
        &mut self,
        deadline: Instant,
    ) -> Result<Option<StreamEvent>, SessionError> {
        loop {
            if !self.received.is_empty() {
                return Ok(Some(StreamEvent::Element(self.received.remove(0))));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            send_requests(&mut self.bosh, &self.url, &self.tx);
            match wait(&mut self.bosh, &self.rx, deadline) {
                Ok(()) => {}
                Err(SessionError::TimedOut(_)) => return Ok(None),
                Err(e) => return Err(e),
            }
            while let Some(e) = self.bosh.poll_event() {
                match e {
                    BoshEvent::Received(p) => self.received.push(p),
                    BoshEvent::Terminated(xep_bosh::client::Termination::Requested) => {
                        return Ok(Some(StreamEvent::End));
                    }
                    BoshEvent::Terminated(t) => {
                        return Err(SessionError::Unexpected(format!(
                            "the BOSH session ended: {t:?}"
                        )));
                    }
                    BoshEvent::Created(_) => {}
                }
            }
        }
    }
}
