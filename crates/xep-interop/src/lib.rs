//! The interop suite: the workspace's sans-IO machines driven over real
//! TCP and TLS against real servers (Prosody and ejabberd from Debian's
//! packages), which the suite starts itself on loopback with a generated
//! configuration and a certificate authority made at run time, and stops
//! when done.
//!
//! It doubles as the reference I/O glue: [`session`] is the complete run
//! loop of the client negotiation machine over a blocking socket with
//! STARTTLS (rustls, channel bindings from the TLS exporter), and the
//! [`scenarios`] drive the other machines the same way.
//!
//! Run it with `cargo xtask interop [--server prosody|ejabberd]
//! [--scenario NAME] [--json PATH]`; it prints the matrix, scenario by
//! server: `pass`, `fail` (with what arrived) or `not offered`.
//!
//! ```no_run
//! use xep_interop::servers::{Kind, Server};
//! use xep_interop::scenarios::{self, Ctx};
//!
//! let server = Server::start(Kind::Prosody)?;
//! let ctx = Ctx::new(&server)?;
//! for s in scenarios::ALL {
//!     println!("{}: {:?}", s.name, (s.run)(&ctx));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod bosh;
pub mod peer;
pub mod pki;
pub mod report;
pub mod scenarios;
pub mod servers;
pub mod session;
pub mod transport;
pub mod websocket;
