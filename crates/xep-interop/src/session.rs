//! A client session over a real connection: the negotiation machine of
//! `xep-negotiation` driven with TCP and TLS, then stanzas in and out.
//! This is the reference run loop of the workspace's machines: write what
//! `poll_transmit` gives, act on `poll_event`, feed what the socket reads
//! to the stream reader and its events to the machine, and wake the
//! machine at `poll_timeout`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use xep_core::{
    ContentNs, Features, Iq, IqType, StreamError, StreamEvent, StreamLimits, StreamReader,
    StreamWriter,
};
use xep_element::jid::FullJid;
use xep_element::{Payload, XmlElement};
use xep_negotiation::client::{self, Client};
use xep_negotiation::{Failure, Transmit};
use xep_sasl::Mechanism;

use crate::transport::{Got, TlsError, Transport};

/// Where to connect and whom to trust.
#[derive(Clone)]
pub struct Endpoint {
    /// The c2s listener.
    pub addr: SocketAddr,
    /// The TLS configuration, trusting the run's CA.
    pub tls: Arc<rustls::ClientConfig>,
}

/// Why a session ended or could not start.
#[derive(Debug)]
pub enum SessionError {
    /// The socket failed.
    Io(std::io::Error),
    /// STARTTLS's handshake failed.
    Tls(TlsError),
    /// The negotiation machine failed, with its typed reason.
    Negotiation(Failure),
    /// The server's bytes broke the stream (our reader's verdict).
    Stream(StreamError),
    /// The server sent a stream error (and closes the stream).
    StreamErrorReceived(StreamError),
    /// The server closed the stream or the connection.
    Closed,
    /// Nothing expected arrived in time.
    TimedOut(&'static str),
    /// Something arrived that the scenario did not expect.
    Unexpected(String),
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SessionError::Io(e) => write!(f, "socket: {e}"),
            SessionError::Tls(e) => write!(f, "{e}"),
            SessionError::Negotiation(e) => write!(f, "negotiation failed: {e:?}"),
            SessionError::Stream(e) => write!(f, "the server's stream broke: {e:?}"),
            SessionError::StreamErrorReceived(e) => write!(f, "the server's stream error: {e:?}"),
            SessionError::Closed => f.write_str("the server closed the stream"),
            SessionError::TimedOut(what) => write!(f, "timed out waiting for {what}"),
            SessionError::Unexpected(what) => write!(f, "unexpected: {what}"),
        }
    }
}

impl std::error::Error for SessionError {}

impl From<std::io::Error> for SessionError {
    fn from(e: std::io::Error) -> Self {
        SessionError::Io(e)
    }
}

/// One stream: the transport, the reader of what arrives and the writer
/// of what leaves.
pub struct Link {
    transport: Transport,
    reader: StreamReader,
    writer: StreamWriter,
    buf: Vec<u8>,
    /// Every event received, in order, for the report of a failure.
    pub received: Vec<String>,
}

impl Link {
    /// A link over `transport` whose stanzas are of `content`'s namespace.
    pub fn new(transport: Transport, content: ContentNs) -> Link {
        Link {
            transport,
            reader: StreamReader::new(StreamLimits::default()),
            writer: StreamWriter::new(content),
            buf: vec![0; 16 * 1024],
            received: Vec::new(),
        }
    }

    /// Writes raw bytes.
    pub fn send_bytes(&mut self, bytes: &[u8]) -> Result<(), SessionError> {
        Ok(self.transport.send(bytes)?)
    }

    /// Writes one top-level element.
    pub fn send<T: XmlElement>(&mut self, el: &T) -> Result<(), SessionError> {
        let bytes = self.writer.element(el);
        self.send_bytes(&bytes)
    }

    /// Writes what a negotiation machine asked for.
    pub fn transmit(&mut self, t: &Transmit) -> Result<(), SessionError> {
        let bytes = t.to_bytes(&mut self.writer);
        self.send_bytes(&bytes)
    }

    /// The next event, reading until `deadline`; `Ok(None)` when the
    /// deadline passed first.
    pub fn next_event(&mut self, deadline: Instant) -> Result<Option<StreamEvent>, SessionError> {
        loop {
            if let Some(e) = self.reader.next_event().map_err(SessionError::Stream)? {
                self.received.push(summary(&e));
                return Ok(Some(e));
            }
            match self.transport.recv(&mut self.buf, deadline)? {
                Got::Data(n) => self.reader.feed(&self.buf[..n]),
                Got::Eof => return Err(SessionError::Closed),
                Got::TimedOut => return Ok(None),
            }
        }
    }

    /// Cuts the TCP connection without closing the stream.
    pub fn cut(&self) {
        self.transport.cut();
    }

    /// STARTTLS's upgrade, as a client of `name` with `tls`, and a new
    /// reader for the stream that follows over TLS; the channel bindings
    /// of the connection.
    pub fn starttls(
        &mut self,
        tls: Arc<rustls::ClientConfig>,
        name: &str,
        deadline: Instant,
    ) -> Result<Vec<(xep_sasl::ChannelBindingType, Vec<u8>)>, SessionError> {
        let cb = self
            .transport
            .upgrade(tls, name, deadline)
            .map_err(SessionError::Tls)?;
        self.reader = StreamReader::new(StreamLimits::default());
        Ok(cb)
    }

    /// STARTTLS's upgrade on a connection the driver accepted, as the TLS
    /// server with `tls`, and a new reader for the stream that follows.
    pub fn accept_tls(
        &mut self,
        tls: Arc<rustls::ServerConfig>,
        deadline: Instant,
    ) -> Result<(), SessionError> {
        self.transport
            .accept_tls(tls, deadline)
            .map_err(SessionError::Tls)?;
        self.reader = StreamReader::new(StreamLimits::default());
        Ok(())
    }

    /// A stream restart (after SASL): the reader expects a new header.
    pub fn restart(&mut self) {
        self.reader.restart();
    }
}

/// A one-line account of an event, for failure reports.
fn summary(e: &StreamEvent) -> String {
    match e {
        StreamEvent::Header(h) => format!("header {h:?}"),
        StreamEvent::Element(p) => bytes_of(&p.to_element()),
        StreamEvent::Rejected { element, error } => {
            format!("rejected ({error}): {}", bytes_of(element))
        }
        StreamEvent::End => "</stream:stream>".into(),
    }
}

/// An element as the bytes it was (near enough: re-serialized).
pub fn bytes_of(e: &minidom::Element) -> String {
    String::from_utf8_lossy(&StreamWriter::new(ContentNs::Client).dom(e)).into_owned()
}

/// A negotiated client session.
pub struct Session {
    /// The stream.
    pub link: Link,
    /// The bound JID.
    pub jid: FullJid,
    /// The last stream features.
    pub features: Features,
    /// The SASL mechanism used.
    pub mechanism: Mechanism,
    /// The channel binding the transport offered (for reports).
    pub bindings: Vec<xep_sasl::ChannelBindingType>,
    next_id: u64,
}

/// What every kind of session (TCP, BOSH, WebSocket) gives the
/// scenarios: the next stream event, and waiting for an element.
pub trait Receive {
    /// The next event, waiting until `deadline`; `Ok(None)` when it passed.
    fn next_stream_event(&mut self, deadline: Instant)
    -> Result<Option<StreamEvent>, SessionError>;

    /// Waits for the first element `pick` accepts, until `deadline`
    /// (skipping the others); a stream error or the stream's end is an
    /// error.
    fn wait_for<T>(
        &mut self,
        what: &'static str,
        deadline: Instant,
        mut pick: impl FnMut(&Payload) -> Option<T>,
    ) -> Result<T, SessionError> {
        loop {
            match self.next_stream_event(deadline)? {
                None => return Err(SessionError::TimedOut(what)),
                Some(StreamEvent::Element(p)) => {
                    if let Some(Ok(e)) = p.get::<StreamError>() {
                        return Err(SessionError::StreamErrorReceived(e));
                    }
                    if let Some(t) = pick(&p) {
                        return Ok(t);
                    }
                }
                Some(StreamEvent::End) => return Err(SessionError::Closed),
                Some(other) => return Err(SessionError::Unexpected(summary(&other))),
            }
        }
    }
}

impl Receive for Session {
    fn next_stream_event(
        &mut self,
        deadline: Instant,
    ) -> Result<Option<StreamEvent>, SessionError> {
        self.link.next_event(deadline)
    }
}

/// A negotiation that failed, with what the server had sent.
#[derive(Debug)]
pub struct ConnectError {
    /// Why.
    pub error: SessionError,
    /// Every event received, in order.
    pub transcript: Vec<String>,
}

/// Opens a stream to `endpoint` and runs the negotiation machine to its
/// end: STARTTLS with certificate verification, SASL, binding.
// The error is large (the transcript and the typed failure), and returned
// once per connection: not worth a box that every match would unwrap.
#[allow(clippy::result_large_err)]
pub fn connect(
    endpoint: &Endpoint,
    domain: &str,
    config: client::Config,
) -> Result<Session, ConnectError> {
    connect_resuming(endpoint, domain, config, None)
}

/// What [`connect_resuming`] did with the stream management session.
#[derive(Debug)]
pub enum Resumption {
    /// The session was resumed: the stream carries it on, under its JID.
    Resumed,
    /// The server refused (`<failed/>`): a resource was bound anew, and
    /// the machine reported what it knows of the stanzas.
    Failed,
}

/// [`connect`], resuming the detached XEP-0198 session of `sm` (whose
/// session was bound to `jid`) between authentication and binding, as
/// the negotiation machine allows with `Config::pause_before_bind`.
/// The session's events (`Resumed`, `ResumeFailed`) stay queued in `sm`
/// for the caller.
#[allow(clippy::result_large_err)]
pub fn connect_resuming(
    endpoint: &Endpoint,
    domain: &str,
    mut config: client::Config,
    resume: Option<(&mut xep_sm::StreamManager, FullJid)>,
) -> Result<Session, ConnectError> {
    config.pause_before_bind = resume.is_some();
    let transport =
        Transport::connect(endpoint.addr, Duration::from_secs(5)).map_err(|e| ConnectError {
            error: e.into(),
            transcript: Vec::new(),
        })?;
    let mut link = Link::new(transport, ContentNs::Client);
    match negotiate(&mut link, endpoint, domain, config, resume) {
        Ok((ready, bindings)) => Ok(Session {
            link,
            jid: ready.jid,
            features: ready.features,
            mechanism: ready.mechanism,
            bindings,
            next_id: 0,
        }),
        Err(error) => Err(ConnectError {
            error,
            transcript: std::mem::take(&mut link.received),
        }),
    }
}

/// Sends `<resume/>` for `sm`'s detached session and reads until the
/// server's `<resumed/>` or `<failed/>`, writing what `sm` queues (the
/// stanzas it sends again after `<resumed/>`).
fn resume_on(link: &mut Link, sm: &mut xep_sm::StreamManager) -> Result<Resumption, SessionError> {
    sm.resume(Instant::now())
        .map_err(|e| SessionError::Unexpected(format!("resume: {e:?}")))?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        while let Some(t) = sm.poll_transmit() {
            match t {
                xep_sm::Transmit::Stanza(st) => link.send(&st)?,
                xep_sm::Transmit::Sm(e) => link.send(&e)?,
            }
        }
        match sm.state() {
            xep_sm::State::Active => return Ok(Resumption::Resumed),
            xep_sm::State::Disabled => return Ok(Resumption::Failed),
            _ => {}
        }
        match link.next_event(deadline)? {
            None => return Err(SessionError::TimedOut("<resumed/> or <failed/>")),
            Some(StreamEvent::Element(p)) => match p.get::<xep_sm::SmElement>() {
                Some(Ok(e)) => sm.handle_element(Instant::now(), e),
                _ => {
                    return Err(SessionError::Unexpected(format!(
                        "before <resumed/>: {}",
                        bytes_of(&p.to_element())
                    )));
                }
            },
            Some(other) => return Err(SessionError::Unexpected(summary(&other))),
        }
    }
}

/// The run loop of the client negotiation machine over `link`.
fn negotiate(
    link: &mut Link,
    endpoint: &Endpoint,
    domain: &str,
    config: client::Config,
    mut resume: Option<(&mut xep_sm::StreamManager, FullJid)>,
) -> Result<(client::Ready, Vec<xep_sasl::ChannelBindingType>), SessionError> {
    let now = Instant::now();
    let mut machine = Client::new(config);
    let mut bindings = Vec::new();
    machine
        .start(now)
        .map_err(|e| SessionError::Unexpected(format!("{e:?}")))?;
    loop {
        while let Some(t) = machine.poll_transmit() {
            link.transmit(&t)?;
        }
        // An event may queue more to write (the header after TLS): write
        // it before reading on.
        if let Some(ev) = machine.poll_event() {
            match ev {
                client::Event::StartTls => {
                    let deadline = Instant::now() + Duration::from_secs(10);
                    let cb = link.starttls(endpoint.tls.clone(), domain, deadline)?;
                    bindings = cb.iter().map(|(t, _)| *t).collect();
                    machine
                        .tls_established(Instant::now(), cb)
                        .map_err(|e| SessionError::Unexpected(format!("{e:?}")))?;
                }
                client::Event::StreamRestart => link.restart(),
                // No XEP-0484 token is configured here.
                client::Event::TokenRefused { .. }
                | client::Event::TokenReceived { .. }
                | client::Event::InstantResumeFailed(_)
                | client::Event::InstantResumeRefused { .. } => {}
                client::Event::Authenticated { .. } => match resume.take() {
                    Some((sm, jid)) => {
                        let now = Instant::now();
                        match resume_on(link, sm)? {
                            Resumption::Resumed => machine.resumed(now, jid),
                            Resumption::Failed => machine.bind(now),
                        }
                        .map_err(|e| SessionError::Unexpected(format!("{e:?}")))?;
                    }
                    None => machine
                        .bind(Instant::now())
                        .map_err(|e| SessionError::Unexpected(format!("{e:?}")))?,
                },
                client::Event::Ready(r) => {
                    while let Some(t) = machine.poll_transmit() {
                        link.transmit(&t)?;
                    }
                    return Ok((*r, bindings));
                }
                client::Event::Failed(f) => {
                    while let Some(t) = machine.poll_transmit() {
                        let _ = link.transmit(&t);
                    }
                    return Err(SessionError::Negotiation(f));
                }
            }
            continue;
        }
        let deadline = machine
            .poll_timeout()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(30));
        match link.next_event(deadline) {
            Ok(Some(e)) => {
                machine.handle_stream_event(Instant::now(), &e);
            }
            Ok(None) => machine.handle_timeout(Instant::now()),
            Err(SessionError::Stream(e)) => {
                return Err(SessionError::Stream(e));
            }
            Err(e) => return Err(e),
        }
    }
}

impl Session {
    /// A fresh stanza id.
    pub fn id(&mut self) -> String {
        self.next_id += 1;
        format!("interop-{}", self.next_id)
    }

    /// Sends a stanza or other top-level element.
    pub fn send<T: XmlElement>(&mut self, el: &T) -> Result<(), SessionError> {
        self.link.send(el)
    }

    /// Sends an iq request and waits for its response (result or error).
    pub fn iq(&mut self, mut iq: Iq, deadline: Instant) -> Result<Iq, SessionError> {
        if iq.id.is_empty() {
            iq.id = self.id();
        }
        let id = iq.id.clone();
        self.send(&iq)?;
        self.wait_for("the iq's response", deadline, |p| match p.get::<Iq>() {
            Some(Ok(r)) if r.id == id && matches!(r.type_, IqType::Result | IqType::Error) => {
                Some(r)
            }
            _ => None,
        })
    }

    /// Closes the stream and waits for the server's close.
    pub fn close(mut self, deadline: Instant) -> Result<(), SessionError> {
        let close = self.link.writer.close().to_vec();
        self.link.send_bytes(&close)?;
        loop {
            match self.link.next_event(deadline) {
                Ok(Some(StreamEvent::End)) | Err(SessionError::Closed) => return Ok(()),
                Ok(Some(_)) => {}
                Ok(None) => return Err(SessionError::TimedOut("the server's close")),
                Err(e) => return Err(e),
            }
        }
    }
}
