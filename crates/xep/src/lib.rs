//! XMPP's wire protocol as typed, sans-IO elements: the `xep-*` crates
//! behind one dependency.
//!
//! Always there: the element crate ([`element`]: the [`XmlElement`] trait,
//! the strict reader and writer, [`Registry`], [`Error`]), RFC 6120/6121/7395
//! ([`rfc`]: streams, SASL, binding, roster, and the stanzas re-exported
//! here: [`Stanza`], [`Iq`], [`Message`], [`Presence`], [`StanzaError`]),
//! and JIDs ([`jid`]). Each protocol family is a cargo feature that adds its
//! crate as a module, and [`registry()`] knows the elements of every
//! enabled family:
//!
//! | feature | module | crate | specifications |
//! |---|---|---|---|
//! | `ping` | [`ping`] | `xep-ping` | XEP-0199 |
//! | `forms` | `forms` | `xep-forms` | XEP-0004, 0068, 0122, 0221 |
//! | `disco` | `disco` | `xep-disco` | XEP-0030, 0128 (brings `forms`) |
//! | `hashes` | `hashes` | `xep-hashes` | XEP-0300 |
//! | `caps` | `caps` | `xep-caps` | XEP-0115, 0390 (brings `forms`, `disco`, `hashes`) |
//! | `rsm` | `rsm` | `xep-rsm` | XEP-0059 |
//! | `delay` | `delay` | `xep-delay` | XEP-0203, 0091 |
//! | `forward` | `forward` | `xep-forward` | XEP-0297 (brings `delay`) |
//! | `hints` | `hints` | `xep-hints` | XEP-0334 |
//! | `sm` | `sm` | `xep-sm` | XEP-0198 |
//! | `muc` | `muc` | `xep-muc` | XEP-0045, 0249, 0410, 0421 (brings `forms`, `disco`, `ping`) |
//! | `pubsub` | `pubsub` | `xep-pubsub` | XEP-0060, 0163, 0223, 0131 (brings `forms`, `rsm`) |
//! | `bosh` | `bosh` | `xep-bosh` | XEP-0124, 0206 |
//! | `jingle` | `jingle` | `xep-jingle` | XEP-0166 and its applications and transports (brings `hashes`, `forms`, `hints`) |
//! | `sasl` | `sasl` | `xep-sasl` | SASL mechanisms (PLAIN, ANONYMOUS, EXTERNAL, SCRAM and -PLUS), XEP-0440, XEP-0388 and XEP-0386 elements |
//! | `sid` | `sid` | `xep-sid` | XEP-0359 |
//! | `carbons` | `carbons` | `xep-carbons` | XEP-0280 (brings `forward`) |
//! | `mam` | `mam` | `xep-mam` | XEP-0313, 0441 (brings `forms`, `rsm`, `forward`) |
//! | `negotiation` | `negotiation` | `xep-negotiation` | stream negotiation machines: RFC 6120 client and server (STARTTLS, SASL, binding), XEP-0114 component handshake (both ends), server-to-server (XEP-0220 dialback, XEP-0178 EXTERNAL, XEP-0288 bidi, XEP-0478 limits; both ends) |
//! | `receipts` | `receipts` | `xep-receipts` | XEP-0184 |
//! | `correct` | `correct` | `xep-correct` | XEP-0308 |
//! | `chatstates` | `chatstates` | `xep-chatstates` | XEP-0085 |
//! | `markers` | `markers` | `xep-markers` | XEP-0333 (brings `sid`) |
//! | `reactions` | `reactions` | `xep-reactions` | XEP-0444 |
//! | `upload` | `upload` | `xep-upload` | XEP-0363 |
//! | `retract` | `retract` | `xep-retract` | XEP-0424 (brings `correct`, `sid`) |
//! | `message` | `message` | `xep-message` | XEP-0372, 0513, 0428, 0461, 0426, 0382, 0224, 0394 (brings `sid`) |
//! | `blocking` | `blocking` | `xep-blocking` | XEP-0191 |
//! | `csi` | `csi` | `xep-csi` | XEP-0352 |
//! | `oob` | `oob` | `xep-oob` | XEP-0066 |
//! | `styling` | `styling` | `xep-styling` | XEP-0393 |
//! | `color` | `color` | `xep-color` | XEP-0392 |
//! | `mds` | `mds` | `xep-mds` | XEP-0490 (brings `pubsub`, `sid`) |
//! | `address` | `address` | `xep-address` | XEP-0033 |
//! | `push` | `push` | `xep-push` | XEP-0357 (brings `forms`, `pubsub`) |
//! | `files` | `files` | `xep-files` | XEP-0446, 0264, 0385, 0447, 0103, 0367 (brings `hashes`, `message`, `oob`) |
//! | `user` | `user` | `xep-user` | XEP-0172, XEP-0080, XEP-0107, XEP-0108, XEP-0118 (brings `pubsub`) |
//! | `vcard` | `vcard` | `xep-vcard` | XEP-0054, XEP-0153, XEP-0292 (brings `pubsub`, `user`) |
//! | `avatar` | `avatar` | `xep-avatar` | XEP-0084, XEP-0398 (brings `vcard`, `pubsub`, `user`) |
//! | `commands` | `commands` | `xep-commands` | XEP-0050, XEP-0133 (brings `forms`, `disco`) |
//! | `register` | `register` | `xep-register` | XEP-0077, XEP-0158, XEP-0055 (brings `forms`, `oob`) |
//! | `escape` | `escape` | `xep-escape` | XEP-0106 |
//! | `info` | `info` | `xep-info` | XEP-0092, 0232, 0012, 0202, 0319, 0157, 0156 (brings `forms`, `disco`) |
//! | `bookmarks` | `bookmarks` | `xep-bookmarks` | XEP-0049, XEP-0048, XEP-0402, XEP-0411 (brings `pubsub`, `forms`) |
//! | `full` | | | all of the above |
//!
//! No feature is on by default. A module is the crate itself, so each type
//! keeps the one path its crate gives it: `xep::muc::Room` is
//! `xep_muc::Room`.
//!
//! ```
//! # #[cfg(feature = "ping")] {
//! use xep::{Iq, Stanza, XmlElement};
//!
//! let registry = xep::registry();
//! let bytes = b"<iq xmlns='jabber:client' type='get' id='p1' to='example.org'>\
//!               <ping xmlns='urn:xmpp:ping'/></iq>";
//! let Stanza::Iq(iq) = Stanza::from_xml_with(bytes, &registry).unwrap() else {
//!     unreachable!()
//! };
//! assert!(iq.payload::<xep::ping::Ping>().is_some());
//! let reply: Iq = iq.result(None);
//! assert!(reply.to_xml().contains("type='result'"));
//! # }
//! ```

#![warn(missing_docs)]

pub use xep_element as element;
pub use xep_element::jid;
pub use xep_element::{Error, ErrorKind, Registry, XmlElement};

/// RFC 6120 (streams, stanzas, errors, STARTTLS, SASL, binding), RFC 6121
/// (roster) and RFC 7395 (WebSocket framing): the `xep-core` crate.
pub use xep_core as rfc;
pub use xep_core::{
    Iq, IqType, Message, MessageType, Presence, PresenceType, Stanza, StanzaError, StreamError,
};

#[cfg(feature = "address")]
pub use xep_address as address;
#[cfg(feature = "avatar")]
pub use xep_avatar as avatar;
#[cfg(feature = "blocking")]
pub use xep_blocking as blocking;
#[cfg(feature = "bookmarks")]
pub use xep_bookmarks as bookmarks;
#[cfg(feature = "bosh")]
pub use xep_bosh as bosh;
#[cfg(feature = "caps")]
pub use xep_caps as caps;
#[cfg(feature = "carbons")]
pub use xep_carbons as carbons;
#[cfg(feature = "chatstates")]
pub use xep_chatstates as chatstates;
#[cfg(feature = "color")]
pub use xep_color as color;
#[cfg(feature = "commands")]
pub use xep_commands as commands;
#[cfg(feature = "correct")]
pub use xep_correct as correct;
#[cfg(feature = "csi")]
pub use xep_csi as csi;
#[cfg(feature = "delay")]
pub use xep_delay as delay;
#[cfg(feature = "disco")]
pub use xep_disco as disco;
#[cfg(feature = "escape")]
pub use xep_escape as escape;
#[cfg(feature = "files")]
pub use xep_files as files;
#[cfg(feature = "forms")]
pub use xep_forms as forms;
#[cfg(feature = "forward")]
pub use xep_forward as forward;
#[cfg(feature = "hashes")]
pub use xep_hashes as hashes;
#[cfg(feature = "hints")]
pub use xep_hints as hints;
#[cfg(feature = "info")]
pub use xep_info as info;
#[cfg(feature = "jingle")]
pub use xep_jingle as jingle;
#[cfg(feature = "mam")]
pub use xep_mam as mam;
#[cfg(feature = "markers")]
pub use xep_markers as markers;
#[cfg(feature = "mds")]
pub use xep_mds as mds;
#[cfg(feature = "message")]
pub use xep_message as message;
#[cfg(feature = "muc")]
pub use xep_muc as muc;
#[cfg(feature = "negotiation")]
pub use xep_negotiation as negotiation;
#[cfg(feature = "oob")]
pub use xep_oob as oob;
#[cfg(feature = "ping")]
pub use xep_ping as ping;
#[cfg(feature = "pubsub")]
pub use xep_pubsub as pubsub;
#[cfg(feature = "push")]
pub use xep_push as push;
#[cfg(feature = "reactions")]
pub use xep_reactions as reactions;
#[cfg(feature = "receipts")]
pub use xep_receipts as receipts;
#[cfg(feature = "register")]
pub use xep_register as register;
#[cfg(feature = "retract")]
pub use xep_retract as retract;
#[cfg(feature = "rsm")]
pub use xep_rsm as rsm;
#[cfg(feature = "sasl")]
pub use xep_sasl as sasl;
#[cfg(feature = "sid")]
pub use xep_sid as sid;
#[cfg(feature = "sm")]
pub use xep_sm as sm;
#[cfg(feature = "styling")]
pub use xep_styling as styling;
#[cfg(feature = "upload")]
pub use xep_upload as upload;
#[cfg(feature = "user")]
pub use xep_user as user;
#[cfg(feature = "vcard")]
pub use xep_vcard as vcard;

/// Every element of RFC 6120/6121/7395 and of the enabled features, for
/// parsing payloads as typed values ([`Stanza::from_xml_with`],
/// `XmlReader::with_registry`) and for the tools that walk all elements.
#[allow(unused_mut)] // with no feature, only the core elements are added
pub fn registry() -> Registry {
    let mut r = Registry::new().with(xep_core::ELEMENTS);
    #[cfg(feature = "ping")]
    r.add(xep_ping::ELEMENTS);
    #[cfg(feature = "forms")]
    r.add(xep_forms::ELEMENTS);
    #[cfg(feature = "disco")]
    r.add(xep_disco::ELEMENTS);
    #[cfg(feature = "hashes")]
    r.add(xep_hashes::ELEMENTS);
    #[cfg(feature = "caps")]
    r.add(xep_caps::ELEMENTS);
    #[cfg(feature = "rsm")]
    r.add(xep_rsm::ELEMENTS);
    #[cfg(feature = "delay")]
    r.add(xep_delay::ELEMENTS);
    #[cfg(feature = "forward")]
    r.add(xep_forward::ELEMENTS);
    #[cfg(feature = "hints")]
    r.add(xep_hints::ELEMENTS);
    #[cfg(feature = "sm")]
    r.add(xep_sm::ELEMENTS);
    #[cfg(feature = "muc")]
    r.add(xep_muc::ELEMENTS);
    #[cfg(feature = "pubsub")]
    r.add(xep_pubsub::ELEMENTS);
    #[cfg(feature = "bosh")]
    r.add(xep_bosh::ELEMENTS);
    #[cfg(feature = "jingle")]
    r.add(xep_jingle::ELEMENTS);
    #[cfg(feature = "sasl")]
    r.add(xep_sasl::ELEMENTS);
    #[cfg(feature = "sid")]
    r.add(xep_sid::ELEMENTS);
    #[cfg(feature = "carbons")]
    r.add(xep_carbons::ELEMENTS);
    #[cfg(feature = "mam")]
    r.add(xep_mam::ELEMENTS);
    #[cfg(feature = "negotiation")]
    r.add(xep_negotiation::ELEMENTS);
    #[cfg(feature = "avatar")]
    r.add(xep_avatar::ELEMENTS);
    #[cfg(feature = "vcard")]
    r.add(xep_vcard::ELEMENTS);
    #[cfg(feature = "user")]
    r.add(xep_user::ELEMENTS);
    #[cfg(feature = "register")]
    r.add(xep_register::ELEMENTS);
    #[cfg(feature = "commands")]
    r.add(xep_commands::ELEMENTS);
    #[cfg(feature = "bookmarks")]
    r.add(xep_bookmarks::ELEMENTS);
    #[cfg(feature = "info")]
    r.add(xep_info::ELEMENTS);
    #[cfg(feature = "files")]
    r.add(xep_files::ELEMENTS);
    #[cfg(feature = "push")]
    r.add(xep_push::ELEMENTS);
    #[cfg(feature = "address")]
    r.add(xep_address::ELEMENTS);
    #[cfg(feature = "mds")]
    r.add(xep_mds::ELEMENTS);
    #[cfg(feature = "styling")]
    r.add(xep_styling::ELEMENTS);
    #[cfg(feature = "oob")]
    r.add(xep_oob::ELEMENTS);
    #[cfg(feature = "csi")]
    r.add(xep_csi::ELEMENTS);
    #[cfg(feature = "blocking")]
    r.add(xep_blocking::ELEMENTS);
    #[cfg(feature = "message")]
    r.add(xep_message::ELEMENTS);
    #[cfg(feature = "retract")]
    r.add(xep_retract::ELEMENTS);
    #[cfg(feature = "upload")]
    r.add(xep_upload::ELEMENTS);
    #[cfg(feature = "reactions")]
    r.add(xep_reactions::ELEMENTS);
    #[cfg(feature = "markers")]
    r.add(xep_markers::ELEMENTS);
    #[cfg(feature = "chatstates")]
    r.add(xep_chatstates::ELEMENTS);
    #[cfg(feature = "correct")]
    r.add(xep_correct::ELEMENTS);
    #[cfg(feature = "receipts")]
    r.add(xep_receipts::ELEMENTS);
    r
}
