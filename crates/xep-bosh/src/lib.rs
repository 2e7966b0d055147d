//! XEP-0124 BOSH (Bidirectional-streams Over Synchronous HTTP) and
//! XEP-0206 XMPP over BOSH: the `<body/>` wrapper, and sans-IO machines for
//! both ends of a session.
//!
//! # Framing
//!
//! [`Body`] is the `<body/>` wrapper of namespace
//! `http://jabber.org/protocol/httpbind` with every attribute of XEP-0124
//! (`rid`, `sid`, `wait`, `hold`, `ack`, `report`/`time`, `pause`, `key`/
//! `newkey`, `type`, the terminal binding [`Condition`]s, ...), the
//! `<uri/>` of `see-other-uri`, and the `xmpp:version`, `xmpp:restart` and
//! `xmpp:restartlogic` attributes of XEP-0206 (namespace `urn:xmpp:xbosh`).
//! Its payloads stay in order; [`Body::from_bytes`] types stanzas, stream
//! features and stream errors on the way and refuses bodies over a size
//! limit.
//!
//! ```
//! use xep_bosh::{Body, Condition};
//!
//! let b = Body::from_bytes(
//!     b"<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' \
//!       condition='see-other-uri'><uri>https://cm.example/bosh</uri></body>",
//!     4096,
//! ).unwrap();
//! assert_eq!(b.condition, Some(Condition::SeeOtherUri));
//! assert_eq!(b.uri.as_deref(), Some("https://cm.example/bosh"));
//! let err = Body::from_bytes(b"<body xmlns='http://jabber.org/protocol/httpbind' rid='0'/>", 4096)
//!     .unwrap_err();
//! assert_eq!(err.to_string(), "at body: attribute 'rid' has bad value '0': not a valid request id (a positive integer up to 2^53-1)");
//! ```
//!
//! # The client session
//!
//! A [`client::Session`] never does I/O and never reads a clock or a random
//! source: the caller draws the initial `rid` and passes `now`. It builds
//! the session creation request, reads the creation response, then decides
//! which HTTP requests to make: queued stanzas are packed into requests,
//! the `rid` grows by one per request, never more than `requests` are
//! outstanding (one more to pause or terminate), empty requests keep `hold`
//! requests at the connection manager no more often than `polling`,
//! responses are processed in `rid` order whatever order they arrive in,
//! failed requests are sent again with the same `rid` and bytes, as are
//! the requests a `report` or a recoverable error (`type='error'`) names.
//!
//! | input | when |
//! |---|---|
//! | [`send`](client::Session::send) | the application sends a stanza |
//! | [`handle_response`](client::Session::handle_response) | an HTTP request ended (200 body, or failure) |
//! | [`handle_timeout`](client::Session::handle_timeout) | the deadline of [`poll_timeout`](client::Session::poll_timeout) passed |
//! | [`restart`](client::Session::restart), [`pause`](client::Session::pause), [`terminate`](client::Session::terminate) | after SASL success; to pause; to log off |
//!
//! | output | what |
//! |---|---|
//! | [`poll_request`](client::Session::poll_request) | a [`client::Request`] (rid and body) to POST, each on its own connection |
//! | [`poll_event`](client::Session::poll_event) | [`client::Event`]: created, payload received, terminated (and why) |
//! | [`poll_timeout`](client::Session::poll_timeout) | the next deadline |
//!
//! A client drives it from the HTTP client of its choice; here a blocking
//! one, with one thread per request (an async client has the same shape):
//!
//! ```no_run
//! use std::sync::mpsc;
//! use std::time::Instant;
//! use xep_bosh::client::{self, HttpFailure};
//!
//! /// The caller's HTTP client: POSTs `body` to the BOSH URL and returns
//! /// the response body of a 200, or how it failed.
//! fn post(body: &[u8]) -> Result<Vec<u8>, client::HttpFailure> {
//!     # let _ = body;
//!     unimplemented!("ureq, reqwest, hyper, a browser's fetch, ...")
//! }
//!
//! fn run(initial_rid: u64, mut app: impl FnMut(client::Event)) {
//!     let mut session = client::Session::new(client::Config::xmpp("example.com"), initial_rid)
//!         .expect("a random rid well below 2^53");
//!     let (done_tx, done_rx) = mpsc::channel();
//!     while !session.is_terminated() {
//!         // 1. Start every request the session wants now.
//!         while let Some(request) = session.poll_request(Instant::now()) {
//!             let done = done_tx.clone();
//!             std::thread::spawn(move || {
//!                 let _ = done.send((request.rid, post(&request.body)));
//!             });
//!         }
//!         // 2. Events: session created, payloads, termination.
//!         while let Some(event) = session.poll_event() {
//!             app(event);
//!         }
//!         // 3. Wait for an answer or the next deadline.
//!         let answer = match session.poll_timeout() {
//!             Some(at) => done_rx.recv_timeout(at.saturating_duration_since(Instant::now())).ok(),
//!             None => done_rx.recv().ok(),
//!         };
//!         match answer {
//!             Some((rid, result)) => {
//!                 session.handle_response(Instant::now(), rid, result.as_deref().map_err(|e| *e))
//!             }
//!             None => session.handle_timeout(Instant::now()),
//!         }
//!     }
//!     while let Some(event) = session.poll_event() {
//!         app(event);
//!     }
//! }
//! ```
//!
//! # The connection manager session
//!
//! A [`cm::Session`] is the other end: created from the session creation
//! request ([`cm::Session::new`], with a fresh `sid` from the caller), it
//! checks each request's `rid` (a window of `requests` past the last one
//! processed; a repeated `rid` gets the cached response; beyond the window,
//! or a response no longer cached, `item-not-found`), forwards payloads in
//! `rid` order ([`cm::Event::Received`]), holds up to `hold` requests and
//! answers them when the server sends something
//! ([`send`](cm::Session::send)) or `wait` passes, acknowledges (`ack`) and
//! reports (`report`/`time`) missing responses, enforces `polling` and
//! the number of simultaneous requests (`policy-violation`), ends an
//! inactive session silently, and terminates cleanly either way.
//!
//! Both ends in memory:
//!
//! ```
//! use std::time::Instant;
//! use xep_bosh::*;
//! use xep_core::{Message, Stanza};
//!
//! let now = Instant::now();
//! let mut client = client::Session::new(client::Config::xmpp("example.com"), 1_234_567).unwrap();
//! let creation = client.poll_request(now).unwrap();
//! let (rid, creation) = (creation.rid, Body::from_bytes(&creation.body, 65536).unwrap());
//! let mut cm = cm::Session::new(now, "sid-1".into(), rid.get(), &creation, cm::Config::default()).unwrap();
//!
//! // Moves requests to the CM and responses back (the rid names the
//! // HTTP request on both sides here).
//! fn pump(now: Instant, client: &mut client::Session, cm: &mut cm::Session) {
//!     while let Some(request) = client.poll_request(now) {
//!         let body = Body::from_bytes(&request.body, 65536).unwrap();
//!         cm.handle_request(now, request.rid.get(), body);
//!     }
//!     while let Some(response) = cm.poll_response() {
//!         let rid = Rid::new(response.conn).unwrap();
//!         client.handle_response(now, rid, Ok(&response.body));
//!     }
//! }
//! pump(now, &mut client, &mut cm);
//! assert!(matches!(client.poll_event(), Some(client::Event::Created(p)) if p.sid == "sid-1"));
//!
//! let hi = Stanza::Message(Message::chat("juliet@example.com".parse().unwrap(), "hi"));
//! client.send(now, hi.clone());
//! pump(now, &mut client, &mut cm);
//! let Some(cm::Event::Received(p)) = cm.poll_event() else { panic!() };
//! assert_eq!(p.get::<Stanza>().unwrap().unwrap(), hi);
//!
//! client.terminate().unwrap();
//! pump(now, &mut client, &mut cm);
//! pump(now, &mut client, &mut cm);
//! assert_eq!(client.poll_event(), Some(client::Event::Terminated(client::Termination::Requested)));
//! assert_eq!(cm.poll_event(), Some(cm::Event::Terminated(cm::Termination::ByClient)));
//! ```
//!
//! # Key sequencing
//!
//! The optional key sequencing of XEP-0124 §15 ("Protecting Insecure
//! Sessions") protects a session not carried over TLS against requests
//! injected by someone who can read the traffic but not alter it. It is
//! off by default. With [`client::Config::keys`] set to a [`KeyConfig`]
//! (a seed the caller draws from its random source, and the sequence
//! length `n`), the client computes `K(1) = hex(SHA-1(seed))`, ...,
//! `K(n) = hex(SHA-1(K(n-1)))`, sends `newkey = K(n)` in the creation
//! request and `key = K(n-1)`, `K(n-2)`, ... in the following requests in
//! `rid` order; the request with `K(1)` also carries the `newkey` of a new
//! sequence (its seed from [`client::Session::supply_key_seed`], or derived
//! from the previous seed). A request sent again carries its first key.
//!
//! A [`cm::Session`] whose creation request carried `newkey` checks, in
//! `rid` order, that SHA-1 of each request's `key` (in hex, case
//! insensitive) is the previous request's `newkey`, or its `key` when it
//! set none, and that a repeated `rid` carries the same keys. A missing or
//! wrong key ends the session with `item-not-found` without processing
//! the request ([`cm::Termination::BadKey`], naming the [`cm::KeyFault`]). A
//! session created without `newkey` is unprotected: `key` and `newkey`
//! are then ignored.
//!
//! ```
//! use std::time::Instant;
//! use xep_bosh::*;
//!
//! let now = Instant::now();
//! let mut config = client::Config::xmpp("example.com");
//! # let seed_from_os_rng = vec![42u8; 32];
//! config.keys = Some(KeyConfig::new(seed_from_os_rng, 500));
//! let mut client = client::Session::new(config, 1_234_567).unwrap();
//! let creation = client.poll_request(now).unwrap();
//! let rid = creation.rid.get();
//! let creation = Body::from_bytes(&creation.body, 65536).unwrap();
//! let mut cm = cm::Session::new(now, "sid-1".into(), rid, &creation, cm::Config::default()).unwrap();
//! assert!(cm.is_key_protected());
//!
//! // A forged request: the right sid and rid, a key that is not the next.
//! let forged = Body {
//!     sid: Some("sid-1".into()),
//!     rid: Rid::new(rid + 1),
//!     key: creation.newkey.clone(), // seen on the wire, already used
//!     ..Body::default()
//! };
//! cm.handle_request(now, 99, forged);
//! assert_eq!(
//!     cm.poll_event(),
//!     Some(cm::Event::Terminated(cm::Termination::BadKey(cm::KeyFault::Mismatch { rid: rid + 1 })))
//! );
//! ```
//!
//! # Not implemented
//!
//! Multiple streams per session (§16; `stream` is parsed and written
//! only), and the deprecated HTTP error codes for legacy peers (the client
//! maps 400, 403 and 404 to a termination; the connection manager always
//! answers with terminal binding conditions).

#![warn(missing_docs)]

pub mod client;
pub mod cm;
mod elements;
mod keys;

pub use elements::{Body, BodyError, BodyType, Charsets, Condition, MAX_RID, NS, NS_XBOSH, Rid};
pub use keys::{KeyConfig, MAX_KEY_SEQUENCE};

#[cfg(any(test, feature = "sim"))]
pub mod sim;
#[cfg(test)]
mod tests;

xep_element::elements! {
    "XEP-0124" => [Body],
    "XEP-0206" => [],
}
