//! XEP-0198 Stream Management: the elements, and a sans-IO state machine
//! for either end of a stream.
//!
//! # Elements
//!
//! Every element of `urn:xmpp:sm:3` is a type at the crate root: the stream
//! [`Feature`] `<sm/>`, [`Enable`], [`Enabled`], [`Request`] `<r/>`,
//! [`Ack`] `<a/>`, [`Resume`], [`Resumed`], [`Failed`] (with its stanza
//! error condition) and [`HandledCountTooHigh`], the application condition
//! of the stream error of §6. [`SmElement`] is the choice between the
//! elements a stream carries. The older namespace `urn:xmpp:sm:2` is not
//! accepted ([`NS_LEGACY`] says why).
//!
//! ```
//! use xep_element::XmlElement;
//! use xep_sm::{Ack, SmElement};
//!
//! let a = SmElement::from_xml(b"<a xmlns='urn:xmpp:sm:3' h='4294967295'/>").unwrap();
//! assert_eq!(a, SmElement::Ack(Ack { h: u32::MAX }));
//! let err = SmElement::from_xml(b"<a xmlns='urn:xmpp:sm:3'/>").unwrap_err();
//! assert_eq!(err.to_string(), "at a: missing required attribute 'h'");
//! ```
//!
//! # The state machine
//!
//! A [`StreamManager`] runs one end of one stream, as a client
//! ([`StreamManager::client`]) or a server ([`StreamManager::server`]), in
//! the style of `quinn-proto`: it never does I/O and never reads a clock.
//! The caller feeds it what happens and drains what it has to say:
//!
//! | input | when |
//! |---|---|
//! | [`send`](StreamManager::send) | the application sends a stanza |
//! | [`stanza_received`](StreamManager::stanza_received) | a stanza arrived and was handled |
//! | [`handle_element`](StreamManager::handle_element) | an [`SmElement`] arrived |
//! | [`handle_timeout`](StreamManager::handle_timeout) | the deadline of [`poll_timeout`](StreamManager::poll_timeout) passed |
//! | [`connection_lost`](StreamManager::connection_lost) | the connection broke |
//! | [`enable`](StreamManager::enable), [`resume`](StreamManager::resume) | client, after binding / authenticating |
//!
//! | output | what |
//! |---|---|
//! | [`poll_transmit`](StreamManager::poll_transmit) | stanzas and elements to write, in order |
//! | [`poll_event`](StreamManager::poll_event) | [`Event`]s: enabled, acknowledged stanzas, resumed (and what is resent), resumption failed (what was delivered and what was lost), ... |
//! | [`poll_timeout`](StreamManager::poll_timeout) | the next deadline |
//!
//! It counts handled inbound stanzas (only `message`, `presence` and `iq`,
//! never stream management elements) and answers `<r/>` with `<a/>`; keeps
//! sent stanzas until an `<a/>` acknowledges them; asks for acks by an
//! [`AckPolicy`] (every N stanzas, after a quiet period, before a
//! deadline); detects an `h` that acknowledges more than was sent and
//! reports the stream error of §6 ([`Event::StreamError`]) without
//! touching its state. Counters wrap at 2^32.
//!
//! Resumption: a client saves a [`ResumptionState`] (id, location, counters
//! and unacknowledged stanzas; to and from bytes) and can
//! [`restore`](StreamManager::restore) it after a restart. A server puts the
//! sessions of lost connections in a [`SessionStore`], which answers
//! `<resume/>` with the session or with the right `<failed/>`, and expires
//! them after their negotiated maximum time.
//!
//! # The run loop
//!
//! A client library wraps the machine in a loop like this one (here over
//! a blocking transport for brevity; an async loop has the same shape, with
//! the deadline as a timer):
//!
//! ```no_run
//! use std::time::Instant;
//! use xep_core::{Stanza, StreamEvent, StreamReader, StreamWriter};
//! use xep_sm::{Event, Role, SmElement, StreamManager, Transmit};
//!
//! /// The caller's transport (TCP + TLS, WebSocket, ...).
//! trait Transport {
//!     /// Reads bytes until `deadline`; `Ok(None)` when it passed.
//!     fn read(&mut self, deadline: Option<Instant>) -> std::io::Result<Option<Vec<u8>>>;
//!     fn write(&mut self, bytes: &[u8]) -> std::io::Result<()>;
//! }
//!
//! /// The application above.
//! trait App {
//!     fn stanza(&mut self, stanza: Stanza);
//!     fn outgoing(&mut self) -> Option<Stanza>;
//!     fn sm_event(&mut self, event: Event);
//!     fn persist(&mut self, state: Option<xep_sm::ResumptionState>);
//! }
//!
//! fn run(
//!     io: &mut impl Transport,
//!     reader: &mut StreamReader,
//!     writer: &StreamWriter,
//!     sm: &mut StreamManager,
//!     app: &mut impl App,
//! ) -> std::io::Result<()> {
//!     loop {
//!         // 1. What the application wants to send goes through the machine.
//!         while let Some(stanza) = app.outgoing() {
//!             sm.send(Instant::now(), stanza);
//!         }
//!         // 2. Write what the machine queued, in order.
//!         while let Some(t) = sm.poll_transmit() {
//!             let bytes = match &t {
//!                 Transmit::Stanza(s) => writer.element(s),
//!                 Transmit::Sm(e) => writer.element(e),
//!             };
//!             if let Err(e) = io.write(&bytes) {
//!                 sm.connection_lost(Instant::now());
//!                 app.persist(sm.resumption_state());
//!                 return Err(e); // reconnect, authenticate, then sm.resume(now)
//!             }
//!         }
//!         // 3. Events: acknowledged stanzas, resumption results, errors.
//!         while let Some(event) = sm.poll_event() {
//!             if let Event::StreamError(err) = &event {
//!                 io.write(&writer.element(err))?;
//!                 io.write(writer.close())?;
//!             }
//!             app.sm_event(event);
//!         }
//!         app.persist(sm.resumption_state());
//!         // 4. Wait for input or the machine's next deadline.
//!         let bytes = match io.read(sm.poll_timeout()) {
//!             Ok(Some(bytes)) => bytes,
//!             Ok(None) => {
//!                 sm.handle_timeout(Instant::now());
//!                 continue;
//!             }
//!             Err(e) => {
//!                 sm.connection_lost(Instant::now());
//!                 app.persist(sm.resumption_state());
//!                 return Err(e);
//!             }
//!         };
//!         reader.feed(&bytes);
//!         // 5. Stanzas are counted, stream management elements handled.
//!         loop {
//!             let el = match reader.next_event() {
//!                 Ok(Some(StreamEvent::Element(el))) => el,
//!                 Ok(Some(StreamEvent::End)) => return Ok(()), // the peer closed
//!                 Ok(Some(_)) => continue,
//!                 Ok(None) => break, // more bytes needed
//!                 Err(stream_error) => {
//!                     io.write(&writer.element(&stream_error))?;
//!                     io.write(writer.close())?;
//!                     return Ok(());
//!                 }
//!             };
//!             let now = Instant::now();
//!             if let Some(Ok(sm_el)) = el.get::<SmElement>() {
//!                 sm.handle_element(now, sm_el);
//!             } else if let Some(Ok(stanza)) = el.get::<Stanza>() {
//!                 app.stanza(stanza);
//!                 sm.stanza_received(now);
//!             }
//!         }
//!     }
//! }
//! # let _ = Role::Client;
//! ```
//!
//! The same exchange, with both ends in memory:
//!
//! ```
//! use std::time::{Duration, Instant};
//! use xep_core::{Message, Stanza};
//! use xep_sm::*;
//!
//! let now = Instant::now();
//! let offer = ServerOffer { id: "sm-1".into(), resume_max: Some(Duration::from_secs(300)), location: None, isr: None };
//! let mut client = StreamManager::client(AckPolicy::MANUAL);
//! let mut server = StreamManager::server(AckPolicy::MANUAL, offer);
//! server.resource_bound();
//!
//! // Moves everything one end queued to the other; returns the XML sent.
//! fn pump(from: &mut StreamManager, to: &mut StreamManager, now: Instant) -> Vec<String> {
//!     let mut wire = Vec::new();
//!     while let Some(t) = from.poll_transmit() {
//!         wire.push(t.to_xml());
//!         match t {
//!             Transmit::Stanza(_) => to.stanza_received(now),
//!             Transmit::Sm(e) => to.handle_element(now, e),
//!         }
//!     }
//!     wire
//! }
//!
//! client.enable(now, true, None).unwrap();
//! pump(&mut client, &mut server, now);
//! assert_eq!(pump(&mut server, &mut client, now),
//!     ["<enabled xmlns='urn:xmpp:sm:3' id='sm-1' max='300' resume='true'/>"]);
//! assert!(matches!(client.poll_event(), Some(Event::Enabled { resume: true, .. })));
//!
//! let hi = Stanza::Message(Message::chat("juliet@capulet.lit".parse().unwrap(), "hi"));
//! client.send(now, hi.clone());
//! client.request_ack(now);
//! pump(&mut client, &mut server, now);
//! assert_eq!(pump(&mut server, &mut client, now), ["<a xmlns='urn:xmpp:sm:3' h='1'/>"]);
//! assert_eq!(client.poll_event(), Some(Event::Acknowledged(vec![hi])));
//!
//! // The connection breaks; the client persists its state, the server
//! // keeps the session; a new stream resumes it.
//! client.connection_lost(now);
//! let saved = client.resumption_state().unwrap().to_bytes();
//! let mut store = SessionStore::new(Duration::from_secs(3600));
//! store.detach(now, "romeo@montague.lit", server).unwrap();
//!
//! let state = ResumptionState::from_bytes(&saved).unwrap();
//! let mut client = StreamManager::restore(Role::Client, AckPolicy::MANUAL, state);
//! client.resume(now).unwrap();
//! let Some(Transmit::Sm(SmElement::Resume(req))) = client.poll_transmit() else { panic!() };
//! let ResumeOutcome::Resumed(mut server) = store.resume(now, &req, &"romeo@montague.lit")
//!     else { panic!() };
//! assert_eq!(pump(&mut server, &mut client, now),
//!     ["<resumed xmlns='urn:xmpp:sm:3' h='1' previd='sm-1'/>"]);
//! assert!(matches!(client.poll_event(), Some(Event::Resumed { .. })));
//! ```

#![warn(missing_docs)]

mod elements;
pub mod isr;
mod machine;
mod state;
mod store;

pub use elements::{
    Ack, Enable, Enabled, Failed, Feature, HandledCountTooHigh, NS, NS_LEGACY, Request, Resume,
    Resumed, Seconds, SmElement,
};
pub use machine::{
    AckPolicy, Event, IsrGrant, IsrOffer, Role, ServerOffer, SmError, State, StreamManager,
    Transmit,
};
pub use state::{NS_STATE, ResumptionState};
pub use store::{Expired, ResumeOutcome, SessionStore};

#[cfg(any(test, feature = "sim"))]
pub mod sim;
#[cfg(test)]
mod tests;

xep_element::elements! {
    "XEP-0198" => [
        Feature, Enable, Enabled, Request, Ack, Resume, Resumed, Failed, HandledCountTooHigh,
    ],
    "XEP-0397" => [
        isr::Isr, isr::IsrEnable, isr::IsrEnabled, isr::InstResume, isr::InstResumed,
        isr::InstResumeFailed,
    ],
}
