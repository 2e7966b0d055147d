//! PEP user data: what users say about themselves, each published to the
//! PEP node named after its namespace (XEP-0163) and delivered to
//! contacts that ask for it (`<node>+notify`).
//!
//! - XEP-0172 user nickname ([`Nick`]): [`nick::add_to_presence`] and
//!   [`nick::from_presence`] refuse it in presence broadcasts (§4.1);
//!   [`nick::from_message`] names whose nickname it is.
//! - XEP-0080 user location ([`Geoloc`]): every field with its type
//!   ([`Decimal`], [`DateTime82`](xep_element::DateTime82), [`Tzd`],
//!   [`AnyUri`]), the WGS84 default datum, the deprecated `error` read as
//!   meters.
//! - XEP-0107 user mood ([`Mood`]): the 84 moods of §3 ([`MoodKind`]),
//!   each an element type in [`moods`] keeping the more specific mood of
//!   another namespace.
//! - XEP-0108 user activity ([`Activity`]): the general and specific
//!   activities of §3 ([`GeneralKind`], [`SpecificKind`] with the general
//!   activities each is listed under), the specific activity of another
//!   namespace and the detail inside a specific activity.
//! - XEP-0118 user tune ([`Tune`]), its [`Rating`] from 1 to 10.
//!
//! Each payload's empty element is the "stop" of its XEP (`is_stop`).
//! [`pep`] publishes any of them to the user's node, fetches a contact's,
//! and reads notifications and items results, believed only from the
//! bare JID of the account that owns the node.
//!
//! ```
//! use xep_core::Stanza;
//! use xep_element::XmlElement;
//! use xep_user::{Mood, MoodKind, NS_MOOD, pep};
//!
//! let iq = pep::publish("m1", NS_MOOD, None, Mood::new(MoodKind::InAwe, Some("the stars".into())));
//! assert!(iq.to_xml().contains("<in_awe/><text>the stars</text>"));
//!
//! let Stanza::Message(m) = Stanza::from_xml(
//!     b"<message xmlns='jabber:client' from='juliet@capulet.example' to='romeo@montague.example'>\
//!       <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='http://jabber.org/protocol/mood'>\
//!       <item id='a1'><mood xmlns='http://jabber.org/protocol/mood'><sleepy/></mood></item>\
//!       </items></event></message>",
//! ).unwrap() else { unreachable!() };
//! let n = pep::notification::<Mood>(&m, NS_MOOD).unwrap();
//! assert_eq!(n.publisher.as_str(), "juliet@capulet.example");
//! assert_eq!(n.items[0].value.as_ref().unwrap().kind(), Some(MoodKind::Sleepy));
//! ```

#![warn(missing_docs)]

pub mod activity;
mod geoloc;
mod mood;
pub mod nick;
pub mod pep;
mod tune;
mod values;

pub use activity::{
    Activity, ActivityText, GeneralActivity, GeneralKind, NS_ACTIVITY, SpecificActivity,
    SpecificKind,
};
pub use geoloc::{DEFAULT_DATUM, Geoloc, NS_GEOLOC};
pub use mood::{Mood, MoodKind, MoodValue, NS_MOOD, moods};
pub use nick::{NS_NICK, Nick};
pub use tune::{NS_TUNE, Rating, Tune};
pub use values::{AnyUri, Decimal, Tzd};

xep_element::elements! {
    "XEP-0172" => [Nick],
    "XEP-0080" => [Geoloc],
    "XEP-0107" => [Mood, MoodValue],
    "XEP-0108" => [Activity, GeneralActivity, SpecificActivity, ActivityText],
    "XEP-0118" => [Tune],
}

#[cfg(test)]
mod tests;
