//! Sans-IO SASL (RFC 4422) for XMPP: the client and the server side of
//! PLAIN, ANONYMOUS, EXTERNAL and SCRAM, mechanism selection with
//! channel binding, and downgrade protection.
//!
//! # Mechanisms
//!
//! | mechanism | spec | client | server |
//! |---|---|---|---|
//! | `PLAIN` | RFC 4616 | [`client::Plain`] | [`server::Plain`] (stored SCRAM keys or the caller's own check) |
//! | `ANONYMOUS` | RFC 4505 | [`client::Anonymous`] | [`server::Anonymous`] |
//! | `EXTERNAL` | RFC 4422 App. A | [`client::External`] | [`server::External`] (the caller checks the certificate) |
//! | `SCRAM-SHA-1`, `-256`, `-512` | RFC 5802, RFC 7677 | [`client::Scram`] | [`server::Scram`] |
//! | `SCRAM-*-PLUS` | RFC 5802 §6; `tls-exporter` RFC 9266, `tls-server-end-point` and `tls-unique` RFC 5929 | [`ChannelBinding::Bound`] | [`server::ChannelBindingOffer`] |
//! | `HT-<hash>-<EXPR/ENDP/UNIQ/NONE>` ([`HtMechanism`]) | draft-schmaus-kitten-sasl-ht, XEP-0484 | [`client::HashedToken`] | [`server::HashedToken`] (the caller's [`server::Token`]s) |
//!
//! [`client::Client`] and [`server::Server`] wrap any of them. The HT
//! mechanisms authenticate with a token the server issued (XEP-0484's
//! FAST, [`fast`]): one message each way, `HMAC(token, "Initiator" ||
//! cb-data)` and the server's `HMAC(token, "Responder" || cb-data)` in the
//! success, verified by the client; [`select`] never picks them (a
//! caller holding a token chooses them itself).
//! [`select`] picks a mechanism and the channel binding for it from the
//! server's offer (RFC 5802's `y` flag, XEP-0440's rules); a SCRAM client
//! with [`DowngradeProtection`] checks XEP-0474's `h=` hash of the
//! mechanism and channel-binding lists, and a server adds it with
//! [`server::Scram::with_downgrade_protection`].
//!
//! # The sans-IO contract
//!
//! The crate does no I/O, reads no clock and draws no random numbers: the
//! caller supplies the nonce ([`Nonce`], from its own CSPRNG), the salt
//! of new credentials, the channel-binding data (from its TLS library)
//! and the user's credentials, which a server asks for with
//! [`server::ServerStep::NeedCredentials`] and receives through
//! `provide`: looking them up is the caller's business, synchronous or
//! not. The machines take the bytes of `<auth/>`, `<challenge/>`,
//! `<response/>` and `<success/>` (decoded from base64: xep-core's
//! [`SaslData`](xep_core::SaslData)) and return the bytes to send.
//!
//! These are mechanisms, not stream machines: they have no timers, so
//! unlike the machines of ARCHITECTURE.md ("State machines: the one
//! contract") they take no `now` and have nothing to poll; each call
//! returns what to send. Errors are split by fault: [`PeerError`] (inside
//! [`ClientError::Peer`] / [`ServerError::Peer`]) for what the other side
//! did (a malformed message, a wrong proof, a SCRAM `e=` value typed as
//! [`ScramError`], a detected downgrade), and the caller's misuse as
//! `WrongState { action, state }`, [`PrepError`] or [`CredentialsError`].
//! No input makes a machine panic.
//!
//! # A complete SCRAM-SHA-256 exchange
//!
//! ```
//! use xep_sasl::client::{self, Password};
//! use xep_sasl::server::{self, ChannelBindingOffer, ServerStep};
//! use xep_sasl::*;
//!
//! // The server stored these when the account was created (salt and
//! // nonces come from the caller's random number generator).
//! let stored =
//!     StoredCredentials::from_password(ScramHash::Sha256, "pencil", b"some random salt", 4096)
//!         .unwrap();
//!
//! let mut client = client::Scram::new(
//!     ScramHash::Sha256, "user", Password::from("pencil"), b"client random bytes",
//!     ChannelBinding::Unsupported,
//! ).unwrap();
//! let mut server = server::Scram::new(
//!     ScramMechanism::SHA_256, b"server random bytes", ChannelBindingOffer::none(),
//! ).unwrap();
//!
//! // <auth mechanism='SCRAM-SHA-256'>client-first</auth>
//! let ServerStep::NeedCredentials { username, authzid } =
//!     server.step(&client.initial_response()).unwrap() else { panic!() };
//! assert_eq!((username.as_str(), authzid), ("user", None));
//! // The caller looks the user up.
//! let ServerStep::Challenge(server_first) = server.provide(Some(stored)).unwrap()
//!     else { panic!() };
//! // <challenge>server-first</challenge> → <response>client-final</response>
//! let client_final = client.step(&server_first).unwrap();
//! let ServerStep::Success { username, additional_data, .. } = server.step(&client_final).unwrap()
//!     else { panic!() };
//! assert_eq!(username.as_deref(), Some("user"));
//! // <success>server-final</success>: the client verifies the server too.
//! client.success(additional_data.as_deref()).unwrap();
//! assert_eq!(client.state(), client::State::Done);
//! ```
//!
//! # Limits
//!
//! - A SCRAM client accepts iteration counts within [`IterationBounds`],
//!   `4096..=10_000_000` by default: a hostile server cannot make it
//!   compute billions of HMACs, nor get keys weaker than RFC 7677
//!   recommends (a caller may lower the minimum for an old server).
//! - Messages are bounded by the stream's limits (xep-core), not here;
//!   every parser is linear in its input.
//! - Usernames and passwords are prepared with SASLprep (RFC 4013, the
//!   `stringprep` crate), which refuses unassigned code points.
//! - Proofs and stored keys are compared in constant time (`subtle`), the
//!   server signature with hmac's `verify_slice`. Secrets are not zeroed
//!   on drop.
//!
//! # Elements
//!
//! XEP-0440's stream feature [`SaslChannelBinding`] (the server's
//! channel-binding types), and XEP-0388's SASL2 elements in [`sasl2`]
//! (`<authentication/>`, `<authenticate/>` with `<user-agent/>`,
//! `<challenge/>`, `<response/>`, `<success/>` with
//! `<authorization-identifier/>`, `<failure/>`, `<continue/>`, `<next/>`,
//! `<task-data/>`, `<abort/>`), and XEP-0386's Bind 2 elements in
//! [`bind2`] (`<bind/>` as feature and request, its `<inline/>` of
//! `<feature/>`s, `<bound/>`) and XEP-0484's FAST elements in [`fast`]
//! (`<fast/>` as feature and marker, `<request-token/>`, `<token/>`),
//! and XEP-0480's in [`upgrade`] (`<upgrade/>`, the SCRAM task's
//! `<salt/>` and `<hash/>`, with the functions of both ends), registered
//! in [`ELEMENTS`]. They live here, beside SASL2, because
//! Bind 2 and FAST exist only inside SASL2's `<inline/>`,
//! `<authenticate/>` and `<success/>`, where they are typed fields.
//! [`Offer::sasl1`] and [`Offer::sasl2`] read an offer from them.
//! XEP-0474 defines no element: its protection is the `h=` attribute.
//! RFC 6120's SASL elements are xep-core's
//! ([`xep_core::Auth`], [`xep_core::Mechanisms`], ...).
//!
//! # Not done yet
//!
//! The SASL2, Bind 2 and FAST exchanges run in `xep-negotiation`'s
//! client and server, and so do XEP-0480's SCRAM upgrade tasks ([`upgrade`]);
//! no other SASL2 task is implemented, nor XEP-0397 (ISR). FAST's TLS
//! 0-RTT (the `count` replay counter) is typed but not used. DIGEST-MD5, GSSAPI and
//! OAUTHBEARER are not implemented, nor a `sim` module and fuzz target
//! for these machines (ARCHITECTURE.md's `MACHINES`).

#![warn(missing_docs)]

pub mod bind2;
pub mod client;
mod crypto;
mod error;
pub mod fast;
mod mechanism;
mod prep;
pub mod sasl2;
mod sasl_cb;
mod scram;
mod select;
pub mod server;
pub mod upgrade;

pub use error::{ClientError, CredentialsError, PeerError, ScramError, ServerError};
pub use mechanism::{
    ChannelBinding, ChannelBindingType, HtHash, HtMechanism, Mechanism, ScramHash, ScramMechanism,
};
pub use prep::{PrepError, saslprep};
pub use sasl_cb::{AdvertisedChannelBinding, NS_SASL_CB, SaslChannelBinding};
pub use scram::{
    DowngradeProtection, IterationBounds, Nonce, SaltedPassword, StoredCredentials, downgrade_hash,
};
pub use select::{Offer, Preferences, SelectError, Selection, select};

#[cfg(test)]
mod tests;

xep_element::elements! {
    "XEP-0440" => [SaslChannelBinding, AdvertisedChannelBinding],
    "XEP-0388" => [
        sasl2::Authentication, sasl2::Inline, sasl2::Authenticate, sasl2::UserAgent,
        sasl2::Challenge, sasl2::Response, sasl2::Success, sasl2::Failure, sasl2::Continue,
        sasl2::Tasks, sasl2::Next, sasl2::TaskData, sasl2::Abort,
    ],
    "XEP-0386" => [bind2::Bind, bind2::Inline, bind2::Feature, bind2::Bound],
    "XEP-0484" => [fast::Fast, fast::RequestToken, fast::Token],
    "XEP-0480" => [upgrade::Upgrade, upgrade::Salt, upgrade::Hash],
}
