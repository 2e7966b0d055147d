//! XEP-0060 Publish-Subscribe, with XEP-0163 Personal Eventing Protocol,
//! XEP-0223 private storage and XEP-0131 SHIM headers.
//!
//! # Elements
//!
//! Every element of the four XEP-0060 namespaces is a type at the crate
//! root: the entity's [`Pubsub`] request, whose
//! [`PubsubAction`] is one of [`Create`] (with [`Configure`]),
//! [`Subscribe`] (with [`Options`]), [`Publish`] (with
//! [`PublishOptions`]), [`Items`] (with XEP-0059 paging), [`Retract`],
//! [`Unsubscribe`], [`Subscriptions`], [`Affiliations`], [`DefaultOptions`]
//! and the [`Subscription`] result, the owner's [`OwnerPubsub`] ([`OwnerConfigure`],
//! [`OwnerDefault`], [`Delete`], [`Purge`], [`OwnerSubscriptions`],
//! [`OwnerAffiliations`]), the notification [`Event`] ([`EventItems`],
//! [`EventPurge`], [`EventDelete`], [`Configuration`], [`EventSubscription`],
//! [`Collection`]) and the error conditions [`PubsubErrorCondition`].
//! Item payloads are [`xep_element::Payload`]s: typed when the parser's
//! registry knows them, kept as DOM elements otherwise.
//!
//! ```
//! use xep_element::XmlElement;
//! use xep_pubsub::{Event, PubsubErrorCondition, SubscriptionState, Pubsub};
//!
//! let ev = Event::from_xml(
//!     b"<event xmlns='http://jabber.org/protocol/pubsub#event'>\
//!       <items node='tunes'><item id='t1'><tune xmlns='urn:example:tune'/></item></items></event>",
//! ).unwrap();
//! let items = ev.items.as_ref().unwrap();
//! assert_eq!(items.items[0].id.as_deref(), Some("t1"));
//! assert_eq!(items.items[0].payload().unwrap().to_element().name(), "tune");
//!
//! let p = Pubsub::from_xml(
//!     b"<pubsub xmlns='http://jabber.org/protocol/pubsub'>\
//!       <subscription node='tunes' jid='a@example.org' subscription='pending'/></pubsub>",
//! ).unwrap();
//! assert_eq!(p.subscription().cloned().unwrap().subscription, Some(SubscriptionState::Pending));
//!
//! let req = xep_pubsub::request::subscribe(
//!     "s1", Some("pubsub.example.org".parse().unwrap()), "tunes", "a@example.org".parse().unwrap());
//! assert_eq!(
//!     req.to_xml(),
//!     "<iq xmlns='jabber:client' to='pubsub.example.org' id='s1' type='set'>\
//!      <pubsub xmlns='http://jabber.org/protocol/pubsub'><subscribe node='tunes' jid='a@example.org'/></pubsub></iq>"
//! );
//! assert_eq!(
//!     PubsubErrorCondition::from_xml(b"<closed-node xmlns='http://jabber.org/protocol/pubsub#errors'/>").unwrap(),
//!     PubsubErrorCondition::ClosedNode
//! );
//! ```
//!
//! # The rest
//!
//! [`PubsubError`] combines the conditions with the stanza error; [`forms`] has typed views of the registered forms
//! (`pubsub#node_config`, `pubsub#publish-options`, `pubsub#meta-data`,
//! `pubsub#subscribe_options`, `pubsub#subscribe_authorization`);
//! [`request`] builds the common requests and classifies replies; [`pep`]
//! has the XEP-0163 `+notify` feature and the XEP-0223 publish-options;
//! [`Headers`] is XEP-0131's `headers` element.

#![warn(missing_docs)]

mod elements;
mod errors;
pub mod forms;
pub mod pep;
pub mod request;
mod shim;

pub use elements::*;
pub use errors::{Feature, NS_ERRORS, PubsubError, PubsubErrorCondition, Unsupported};
pub use shim::{Header, Headers, NS_SHIM};

xep_element::elements! {
    "XEP-0060" => [
        Pubsub, Create, Configure, Subscribe, Options, Item, Publish, PublishOptions,
        UserAffiliation, Affiliations, DefaultOptions, Items, Retract, SubscribeOptions,
        Subscription, Subscriptions, Unsubscribe,
        OwnerPubsub, OwnerAffiliation, OwnerAffiliations, OwnerConfigure, OwnerDefault,
        OwnerRedirect, Delete, Purge, OwnerSubscription, OwnerSubscriptions,
        Event, Associate, Disassociate, Collection, Configuration, EventRedirect, EventDelete,
        EventItem, EventRetract, EventItems, EventPurge, EventSubscription,
        PubsubErrorCondition,
    ],
    "XEP-0131" => [Headers, Header],
}

#[cfg(test)]
mod tests;
