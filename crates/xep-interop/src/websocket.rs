//! XMPP over WebSocket (RFC 7395): the negotiation machine of
//! `xep-negotiation` over a WebSocket with the `xmpp` subprotocol. Each
//! stream header becomes `<open/>` and the close `<close/>` (RFC 7395
//! §3.3); each message carries one element. The machine is unchanged:
//! the glue translates the framing, as the BOSH glue does.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use tungstenite::client::IntoClientRequest;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message as WsMessage, WebSocket};
use xep_core::{Close, Open, StreamEvent, StreamHeader};
use xep_element::jid::FullJid;
use xep_element::{Payload, XmlElement};
use xep_negotiation::Transmit;
use xep_negotiation::client::{self, Client};

use crate::session::{Receive, SessionError};

/// A negotiated session over a WebSocket.
pub struct WsSession {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    /// The bound JID.
    pub jid: FullJid,
}

fn ws_err(e: tungstenite::Error) -> SessionError {
    match e {
        tungstenite::Error::Io(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            SessionError::TimedOut("the WebSocket")
        }
        tungstenite::Error::Io(e) => SessionError::Io(e),
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            SessionError::Closed
        }
        other => SessionError::Unexpected(format!("WebSocket: {other}")),
    }
}

fn set_timeout(
    ws: &WebSocket<MaybeTlsStream<TcpStream>>,
    deadline: Instant,
) -> Result<(), SessionError> {
    if let MaybeTlsStream::Plain(s) = ws.get_ref() {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        s.set_read_timeout(Some(left))?;
    }
    Ok(())
}

/// An element as a frame: namespaces declared on it.
fn standalone(e: &minidom::Element) -> String {
    let mut out = Vec::new();
    e.write_to(&mut out).expect("writing to memory");
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads one framed element, as the stream event it stands for.
fn next_event(
    ws: &mut WebSocket<MaybeTlsStream<TcpStream>>,
    deadline: Instant,
) -> Result<StreamEvent, SessionError> {
    loop {
        set_timeout(ws, deadline)?;
        let text = match ws.read().map_err(ws_err)? {
            WsMessage::Text(t) => t,
            WsMessage::Close(_) => return Ok(StreamEvent::End),
            // Pings are answered by tungstenite; binary frames are not XMPP.
            WsMessage::Binary(_) => {
                return Err(SessionError::Unexpected(
                    "a binary WebSocket frame (RFC 7395 §3.3.3)".into(),
                ));
            }
            _ => continue,
        };
        let element: minidom::Element = text.parse().map_err(|e| {
            SessionError::Unexpected(format!("a frame that is not one element ({e}): {text}"))
        })?;
        if let Ok(open) = Open::from_xml(text.as_bytes()) {
            return Ok(StreamEvent::Header(StreamHeader {
                from: open.from,
                to: open.to,
                id: open.id,
                version: open.version,
                lang: open.lang,
                ..StreamHeader::default()
            }));
        }
        if Close::from_xml(text.as_bytes()).is_ok() {
            return Ok(StreamEvent::End);
        }
        return Ok(StreamEvent::Element(Payload::from(element)));
    }
}

/// Opens a WebSocket to `url` with the `xmpp` subprotocol and negotiates
/// over it. Give a `config` with `tls_at_start` set: TLS is the
/// WebSocket's (`wss://`), never STARTTLS (RFC 7395 §3.4 forbids it).
pub fn connect(url: &str, domain: &str, config: client::Config) -> Result<WsSession, SessionError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| SessionError::Unexpected(format!("{e}")))?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "xmpp".parse().expect("a header value"),
    );
    let (mut ws, response) = tungstenite::connect(request).map_err(ws_err)?;
    let proto = response
        .headers()
        .get("Sec-WebSocket-Protocol")
        .and_then(|v| v.to_str().ok());
    if proto != Some("xmpp") {
        return Err(SessionError::Unexpected(format!(
            "the server chose subprotocol {proto:?}, not xmpp (RFC 7395 §3.2)"
        )));
    }
    let mut machine = Client::new(config);
    machine
        .start(Instant::now())
        .map_err(|e| SessionError::Unexpected(format!("{e:?}")))?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        while let Some(t) = machine.poll_transmit() {
            let text = match t {
                Transmit::Header(h) => Open {
                    to: h.to,
                    version: Some("1.0".into()),
                    ..Open::default()
                }
                .to_xml(),
                Transmit::Close => Close::default().to_xml(),
                // Each frame is a complete element with its namespace
                // declared (RFC 7395 §3.3.3): no stream around it
                // supplies `jabber:client`.
                other => {
                    let Some(p) = other.into_payload() else {
                        continue;
                    };
                    standalone(&p.to_element())
                }
            };
            ws.send(WsMessage::Text(text)).map_err(ws_err)?;
        }
        if let Some(ev) = machine.poll_event() {
            match ev {
                client::Event::Ready(r) => return Ok(WsSession { ws, jid: r.jid }),
                client::Event::Failed(f) => return Err(SessionError::Negotiation(f)),
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
                    return Err(SessionError::Unexpected("STARTTLS over a WebSocket".into()));
                }
            }
            continue;
        }
        let e = next_event(
            &mut ws,
            machine.poll_timeout().map_or(deadline, |t| t.min(deadline)),
        )?;
        if let StreamEvent::Header(h) = &e
            && h.from.as_ref().map(|f| f.to_string()).as_deref() != Some(domain)
        {
            return Err(SessionError::Unexpected(format!(
                "<open/> from {:?}, not {domain} (RFC 7395 §3.3.2)",
                h.from
            )));
        }
        machine.handle_stream_event(Instant::now(), &e);
    }
}

impl WsSession {
    /// Sends one element in its own message.
    pub fn send<T: XmlElement>(&mut self, el: &T) -> Result<(), SessionError> {
        let text = el.to_xml();
        self.ws.send(WsMessage::Text(text)).map_err(ws_err)
    }

    /// Sends `<close/>` and waits for the server's.
    pub fn close(mut self, deadline: Instant) -> Result<(), SessionError> {
        self.ws
            .send(WsMessage::Text(Close::default().to_xml()))
            .map_err(ws_err)?;
        loop {
            match next_event(&mut self.ws, deadline) {
                Ok(StreamEvent::End) | Err(SessionError::Closed) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl Receive for WsSession {
    fn next_stream_event(
        &mut self,
        deadline: Instant,
    ) -> Result<Option<StreamEvent>, SessionError> {
        match next_event(&mut self.ws, deadline) {
            Ok(e) => Ok(Some(e)),
            Err(SessionError::TimedOut(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
