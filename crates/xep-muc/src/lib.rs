//! XEP-0045 Multi-User Chat, with XEP-0249 direct invitations, XEP-0410
//! self-ping and XEP-0421 occupant identifiers.
//!
//! # Elements
//!
//! Every element of the four XEP-0045 namespaces is a type at the crate
//! root: the join element [`Muc`] with its [`History`] options;
//! the extended presence [`MucUser`] with its [`Item`]s ([`Affiliation`],
//! [`Role`], [`Actor`], [`Continue`]), [`Status`] codes (typed as
//! [`StatusCode`], unknown codes kept), [`Invite`], [`Decline`] and
//! [`Destroy`]; the `muc#admin` [`AdminQuery`] and the `muc#owner`
//! [`OwnerQuery`] (a data form or an [`OwnerDestroy`]). XEP-0249's
//! [`DirectInvite`] and XEP-0421's [`OccupantId`] complete the set;
//! [`self_ping`] builds and classifies XEP-0410 self-pings, [`invite`]
//! reads mediated and direct invitations alike and builds them, and
//! [`forms`] has typed views of the registered forms (`muc#roomconfig`,
//! `muc#roominfo`, `muc#register`, `muc#request`).
//!
//! ```
//! use xep_element::XmlElement;
//! use xep_muc::{Affiliation, MucUser, Role, StatusCode};
//!
//! let x = MucUser::from_xml(
//!     b"<x xmlns='http://jabber.org/protocol/muc#user'>\
//!       <item affiliation='member' role='participant'/><status code='110'/></x>",
//! ).unwrap();
//! assert_eq!(x.items[0].role, Some(Role::Participant));
//! assert_eq!(x.items[0].affiliation, Some(Affiliation::Member));
//! assert!(x.has_status(StatusCode::SelfPresence));
//!
//! let err = MucUser::from_xml(
//!     b"<x xmlns='http://jabber.org/protocol/muc#user'><item role='king'/></x>",
//! ).unwrap_err();
//! assert!(err.to_string().starts_with("at x/item: attribute 'role' has bad value 'king'"));
//! ```
//!
//! # The room state machine
//!
//! A [`Room`] is one client's membership of one room, sans I/O in the
//! style of `xep_sm::StreamManager`: inputs are method calls with `now`
//! ([`join`](Room::join), [`change_nick`](Room::change_nick),
//! [`leave`](Room::leave), [`handle_presence`](Room::handle_presence),
//! [`handle_message`](Room::handle_message), [`handle_iq`](Room::handle_iq),
//! [`handle_timeout`](Room::handle_timeout), the configuration calls);
//! outputs are drained with [`poll_transmit`](Room::poll_transmit),
//! [`poll_event`](Room::poll_event) and [`poll_timeout`](Room::poll_timeout).
//!
//! It sends the join presence (history, password), keeps the occupant list
//! (nickname, real JID where visible, affiliation, role, occupant id) and
//! the subject, completes the join at the self-presence (110) and the
//! subject, creates rooms (201: instant, or the configuration form for the
//! caller), reports join errors, nick changes (303), role and affiliation
//! changes, removals (301, 307, 321, 322, 332, 333, destruction with an
//! alternate venue), room status notices (104, 170–173), and self-pings
//! the room after a quiet period, rejoining when the room forgot the
//! client. Moderation and ownership requests ([`Room::kick`],
//! [`Room::ban`], [`Room::admin`], [`Room::destroy`]) return their iq id and
//! are answered by [`Event::Reply`].
//!
//! Voice requests (§7.13) are sent by a visitor with
//! [`Room::request_voice`] (refused with [`RoomError::NotVisitor`] for any
//! other role); a moderator receives the room's approval form as
//! [`Event::VoiceRequest`] and answers it with
//! [`Room::answer_voice_request`] (§8.6); the grant arrives as a role
//! change ([`Event::OccupantChanged`]). Registration with the room (§7.10,
//! possible before joining) is [`Room::request_registration`], answered by
//! [`Event::RegistrationForm`] or [`Event::AlreadyRegistered`], then
//! [`Room::submit_registration`], answered by
//! [`Event::RegistrationSubmitted`]; errors come as
//! [`Event::RegistrationFailed`] with a [`RegistrationFailure`].
//! [`Room::request_reserved_nick`] discovers the reserved nickname (§7.12,
//! [`Event::ReservedNick`]).
//!
//! ```
//! use std::time::Instant;
//! use xep_core::Presence;
//! use xep_element::XmlElement;
//! use xep_muc::{Event, Room, RoomOptions, State};
//!
//! let now = Instant::now();
//! let mut room = Room::new("globe@rooms.example".parse().unwrap(), "Puck", RoomOptions::default());
//! room.join(now).unwrap();
//! assert_eq!(
//!     room.poll_transmit().unwrap().to_xml(),
//!     "<presence xmlns='jabber:client' to='globe@rooms.example/Puck' id='muc-1'>\
//!      <x xmlns='http://jabber.org/protocol/muc'/></presence>"
//! );
//! let own = Presence::from_xml(
//!     b"<presence xmlns='jabber:client' from='globe@rooms.example/Puck' to='puck@example.org/a'>\
//!       <x xmlns='http://jabber.org/protocol/muc#user'>\
//!       <item affiliation='none' role='participant'/><status code='110'/></x></presence>",
//! ).unwrap();
//! room.handle_presence(now, &own);
//! assert_eq!(room.state(), State::Syncing); // history, then the subject
//! assert!(matches!(room.poll_event(), Some(Event::OccupantJoined(o)) if o.nick == "Puck"));
//! ```

#![warn(missing_docs)]

mod elements;
pub mod forms;
pub mod invite;
mod room;
pub mod self_ping;

pub use elements::*;
pub use room::{
    Creation, Departure, Event, JoinFailure, MessageKind, NODE_ROOMUSER_ITEM, NS_DISCO_INFO,
    NS_REGISTER, Occupant, RegistrationFailure, Removal, Room, RoomError, RoomOptions, State,
    VoiceRequestReceived,
};

xep_element::elements! {
    "XEP-0045" => [
        Muc, History, MucUser, Item, Actor, Continue, Status, Invite, Decline, Destroy,
        AdminQuery, AdminItem, AdminActor, OwnerQuery, OwnerDestroy,
    ],
    "XEP-0249" => [DirectInvite],
    "XEP-0421" => [OccupantId],
}

#[cfg(any(test, feature = "sim"))]
pub mod sim;
#[cfg(test)]
mod tests;
