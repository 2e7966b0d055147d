//! The complete run loop of a [`client::Client`](crate::client::Client)
//! over a blocking TCP socket with STARTTLS (rustls), as a library author
//! writes it: compiled with the crate's tests, not run. The interop suite
//! (`crates/xep-interop`, `session.rs`) runs the same loop against
//! Prosody and ejabberd.
//!
//! Four things the loop owes the machine, each visible below: write
//! everything `poll_transmit` gives before reading; act on each
//! `poll_event` (an event may queue more to write: the header after
//! TLS); read no later than `poll_timeout` and call `handle_timeout` when
//! it passes; and feed every [`StreamEvent`](xep_core::StreamEvent) of
//! the reader to `handle_stream_event`, with a new reader over TLS and a
//! restart after SASL.
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//! use std::sync::Arc;
//! use std::time::{Duration, Instant};
//!
//! use xep_core::{ContentNs, StreamLimits, StreamReader, StreamWriter};
//! use xep_negotiation::client::{Client, Config, Event};
//! use xep_sasl::ChannelBindingType;
//!
//! enum Io {
//!     Plain(TcpStream),
//!     Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
//!     Gone,
//! }
//! impl Io {
//!     fn tcp(&self) -> &TcpStream {
//!         match self {
//!             Io::Plain(s) => s,
//!             Io::Tls(t) => &t.sock,
//!             Io::Gone => unreachable!(),
//!         }
//!     }
//!     fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
//!         match self {
//!             Io::Plain(s) => s.write_all(b),
//!             Io::Tls(t) => t.write_all(b).and_then(|()| t.flush()),
//!             Io::Gone => unreachable!(),
//!         }
//!     }
//!     fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
//!         match self {
//!             Io::Plain(s) => s.read(b),
//!             Io::Tls(t) => t.read(b),
//!             Io::Gone => unreachable!(),
//!         }
//!     }
//! }
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let domain = "example.org";
//!     // The caller's trust anchors (here: the system's, loaded elsewhere).
//!     let roots = rustls::RootCertStore::empty();
//!     let provider = Arc::new(rustls::crypto::ring::default_provider());
//!     let tls = Arc::new(
//!         rustls::ClientConfig::builder_with_provider(provider.clone())
//!             .with_safe_default_protocol_versions()?
//!             .with_root_certificates(roots)
//!             .with_no_client_auth(),
//!     );
//!     // The nonce comes from the caller's CSPRNG: the machine draws none.
//!     let mut nonce = [0u8; 24];
//!     provider.secure_random.fill(&mut nonce).map_err(|_| "no CSPRNG")?;
//!     let config = Config::new(domain.parse()?, "juliet", "r0m30!".to_owned(), nonce.to_vec());
//!
//!     let mut io = Io::Plain(TcpStream::connect((domain, 5222))?);
//!     let mut reader = StreamReader::new(StreamLimits::default());
//!     let mut writer = StreamWriter::new(ContentNs::Client);
//!     let mut buf = vec![0; 16 * 1024];
//!     let mut machine = Client::new(config);
//!     machine.start(Instant::now())?;
//!     let ready = loop {
//!         while let Some(t) = machine.poll_transmit() {
//!             io.write_all(&t.to_bytes(&mut writer))?;
//!         }
//!         if let Some(event) = machine.poll_event() {
//!             match event {
//!                 Event::StartTls => {
//!                     let Io::Plain(mut sock) = std::mem::replace(&mut io, Io::Gone) else {
//!                         unreachable!()
//!                     };
//!                     let mut conn = rustls::ClientConnection::new(tls.clone(), domain.try_into()?)?;
//!                     while conn.is_handshaking() {
//!                         conn.complete_io(&mut sock)?;
//!                     }
//!                     // RFC 9266: the channel binding of TLS 1.3.
//!                     let exporter = conn.export_keying_material(
//!                         vec![0u8; 32],
//!                         b"EXPORTER-Channel-Binding",
//!                         None,
//!                     )?;
//!                     io = Io::Tls(Box::new(rustls::StreamOwned::new(conn, sock)));
//!                     reader = StreamReader::new(StreamLimits::default());
//!                     machine.tls_established(
//!                         Instant::now(),
//!                         vec![(ChannelBindingType::TlsExporter, exporter)],
//!                     )?;
//!                 }
//!                 Event::StreamRestart => reader.restart(),
//!                 // XEP-0484: store a token received; a refused one is dropped.
//!                 Event::TokenReceived { .. } | Event::TokenRefused { .. } => {}
//!                 // XEP-0397 (with `Config::isr`): tell the StreamManager.
//!                 Event::InstantResumeFailed(_) | Event::InstantResumeRefused { .. } => {}
//!                 // Only with `Config::pause_before_bind`: resume an
//!                 // XEP-0198 session here, or bind.
//!                 Event::Authenticated { .. } => machine.bind(Instant::now())?,
//!                 Event::Ready(ready) => break ready,
//!                 Event::Failed(why) => return Err(format!("{why:?}").into()),
//!             }
//!             continue;
//!         }
//!         // Read until the machine's deadline at the latest.
//!         let wake = machine.poll_timeout().unwrap_or_else(|| Instant::now() + Duration::from_secs(60));
//!         let left = wake.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
//!         io.tcp().set_read_timeout(Some(left))?;
//!         match io.read(&mut buf) {
//!             Ok(0) => return Err("the server closed the connection".into()),
//!             Ok(n) => reader.feed(&buf[..n]),
//!             Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
//!                 machine.handle_timeout(Instant::now());
//!                 continue;
//!             }
//!             Err(e) => return Err(e.into()),
//!         }
//!         // A stream error from the reader is the caller's to send.
//!         while let Some(event) = reader.next_event().map_err(|e| format!("{e:?}"))? {
//!             machine.handle_stream_event(Instant::now(), &event);
//!         }
//!     };
//!     println!("bound {} with {}", ready.jid, ready.mechanism.name());
//!     // From here the stream is the caller's: stanzas through `writer`,
//!     // events from `reader`, stream management through xep-sm.
//!     Ok(())
//! }
//! ```
