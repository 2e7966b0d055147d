//! The elements of XEP-0060's `pubsub`, `pubsub#owner` and `pubsub#event`
//! namespaces.

use xep_element::jid::Jid;
use xep_element::{DateTime82, Error, Payload, XmlElement, XmlValue, XsdBool};
use xep_forms::DataForm;

/// `http://jabber.org/protocol/pubsub`: requests of entities.
pub const NS: &str = "http://jabber.org/protocol/pubsub";
/// `http://jabber.org/protocol/pubsub#owner`: requests of node owners.
pub const NS_OWNER: &str = "http://jabber.org/protocol/pubsub#owner";
/// `http://jabber.org/protocol/pubsub#event`: event notifications.
pub const NS_EVENT: &str = "http://jabber.org/protocol/pubsub#event";

// ---------------------------------------------------------------------------
// Value types

/// An entity's affiliation with a node (XEP-0060 §4.1).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Affiliation {
    /// Full control of the node.
    Owner,
    /// May publish and retract items (and subscribe).
    Publisher,
    /// May publish only.
    PublishOnly,
    /// May subscribe and retrieve items.
    Member,
    /// No affiliation.
    #[default]
    None,
    /// Banned from the node.
    Outcast,
}

/// The state of a subscription (XEP-0060 §4.2).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SubscriptionState {
    /// No subscription (or it was removed).
    #[default]
    None,
    /// Waiting for the owner's approval.
    Pending,
    /// Subscribed.
    Subscribed,
    /// Subscribed, but the subscription options must be configured first.
    Unconfigured,
}

/// The kind of a node whose default configuration is asked for
/// (`<default type='…'/>` in `pubsub#owner`; absent means `leaf`).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NodeKind {
    /// A node holding items.
    #[default]
    Leaf,
    /// A node holding other nodes (XEP-0248).
    Collection,
}

fn at_most_one_payload(payloads: &[Payload]) -> Result<(), Error> {
    if payloads.len() > 1 {
        return Err(Error::invalid(format!(
            "an item holds at most one payload, found {}",
            payloads.len()
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// http://jabber.org/protocol/pubsub

/// `<create/>`: create a node (an instant node when `node` is absent).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "create")]
pub struct Create {
    /// The NodeID requested, or (in a result) assigned by the service.
    #[xml(attr)]
    pub node: Option<String>,
}

/// `<configure/>` next to `<create/>`: the configuration of the new node.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "configure")]
pub struct Configure {
    /// A `pubsub#node_config` form (absent: the default configuration).
    #[xml(child)]
    pub form: Option<DataForm>,
}

/// `<subscribe/>`: subscribe `jid` to a node.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "subscribe")]
pub struct Subscribe {
    /// The node (absent: the root node of the service).
    #[xml(attr)]
    pub node: Option<String>,
    /// The subscribing JID.
    #[xml(attr)]
    pub jid: Jid,
    /// Elements of other namespaces that extensions add here (not in
    /// XEP-0060's schema; e.g. XEP-0465 on `subscribe`, XEP-0314 on
    /// `publish`, XEP-0395 on `items`, XEP-0235/0254/0413 on `pubsub`,
    /// XEP-0254 on event `items`). Unknown children of the pubsub
    /// namespaces stay errors.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// `<options/>`: the subscription options of `jid` (a request, the
/// `pubsub#subscribe_options` form, or its submission). The schema makes
/// `jid` required; next to `<subscribe/>` (and in its result) XEP-0060
/// §6.3.7 forbids `jid` and `node`. [`Pubsub::check`] requires `jid` on
/// options alone; [`Pubsub::check_subscribe_options`] applies §6.3.7.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "options")]
pub struct Options {
    /// The subscriber (absent next to `<subscribe/>`).
    #[xml(attr)]
    pub jid: Option<Jid>,
    /// The node.
    #[xml(attr)]
    pub node: Option<String>,
    /// The subscription, when the JID has several.
    #[xml(attr)]
    pub subid: Option<String>,
    /// The options form.
    #[xml(child)]
    pub form: Option<DataForm>,
}

/// `<item/>` in `pubsub`: an item published, retracted or retrieved.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "item", validate = Item::check)]
pub struct Item {
    /// The ItemID.
    #[xml(attr)]
    pub id: Option<String>,
    /// The publisher, where the service reveals it.
    #[xml(attr)]
    pub publisher: Option<Jid>,
    /// The payload (at most one element of another namespace): typed when
    /// the parser's registry knows it, kept as a DOM element otherwise.
    #[xml(children(foreign))]
    pub payloads: Vec<Payload>,
}

impl Item {
    fn check(i: &Item) -> Result<(), Error> {
        at_most_one_payload(&i.payloads)
    }

    /// An item with `id` (if any) and `payload`.
    pub fn new(id: Option<String>, payload: impl Into<Payload>) -> Self {
        Item {
            id,
            publisher: None,
            payloads: vec![payload.into()],
        }
    }

    /// An item reference by id only (retraction, retrieval).
    pub fn with_id(id: impl Into<String>) -> Self {
        Item {
            id: Some(id.into()),
            ..Item::default()
        }
    }

    /// The payload, if any.
    pub fn payload(&self) -> Option<&Payload> {
        self.payloads.first()
    }
}

/// `<publish/>`: publish items to a node.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "publish")]
pub struct Publish {
    /// The node.
    #[xml(attr)]
    pub node: String,
    /// The items (in a result: their ids).
    #[xml(child)]
    pub items: Vec<Item>,
    /// Elements of other namespaces that extensions add here (not in
    /// XEP-0060's schema; e.g. XEP-0465 on `subscribe`, XEP-0314 on
    /// `publish`, XEP-0395 on `items`, XEP-0235/0254/0413 on `pubsub`,
    /// XEP-0254 on event `items`). Unknown children of the pubsub
    /// namespaces stay errors.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// `<publish-options/>`: preconditions of a publication (XEP-0060 §7.1.5).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "publish-options")]
pub struct PublishOptions {
    /// A `pubsub#publish-options` form.
    #[xml(child)]
    pub form: Option<DataForm>,
}

/// `<affiliation/>` in `pubsub`: the requesting entity's affiliation
/// with a node.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "affiliation")]
pub struct UserAffiliation {
    /// The node.
    #[xml(attr)]
    pub node: String,
    /// The affiliation.
    #[xml(attr)]
    pub affiliation: Affiliation,
}

/// `<affiliations/>` in `pubsub`: the requesting entity's affiliations.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "affiliations")]
pub struct Affiliations {
    /// Only for this node (request).
    #[xml(attr)]
    pub node: Option<String>,
    /// The affiliations (result).
    #[xml(child)]
    pub affiliations: Vec<UserAffiliation>,
}

/// `<default/>` in `pubsub`: the default subscription options.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "default")]
pub struct DefaultOptions {
    /// The node (absent: the service's defaults).
    #[xml(attr)]
    pub node: Option<String>,
    /// The default `pubsub#subscribe_options` form (result).
    #[xml(child)]
    pub form: Option<DataForm>,
}

/// `<items/>` in `pubsub`: retrieve items of a node.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "items", validate = Items::check)]
pub struct Items {
    /// The node.
    #[xml(attr)]
    pub node: String,
    /// At most this many of the latest items (`xs:positiveInteger`).
    #[xml(attr(name = "max_items"))]
    pub max_items: Option<u64>,
    /// The subscription the request is made for.
    #[xml(attr)]
    pub subid: Option<String>,
    /// Specific items requested, or the items returned.
    #[xml(child)]
    pub items: Vec<Item>,
    /// Elements of other namespaces that extensions add here (not in
    /// XEP-0060's schema; e.g. XEP-0465 on `subscribe`, XEP-0314 on
    /// `publish`, XEP-0395 on `items`, XEP-0235/0254/0413 on `pubsub`,
    /// XEP-0254 on event `items`). Unknown children of the pubsub
    /// namespaces stay errors.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Items {
    fn check(i: &Items) -> Result<(), Error> {
        if i.max_items == Some(0) {
            return Err(Error::bad_attribute(
                "max_items",
                "0",
                "expected a positive integer",
            ));
        }
        Ok(())
    }
}

/// `<retract/>`: delete items from a node.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "retract")]
pub struct Retract {
    /// The node.
    #[xml(attr)]
    pub node: String,
    /// Whether subscribers are notified of the retraction.
    #[xml(attr)]
    pub notify: Option<XsdBool>,
    /// The items (ids).
    #[xml(child(min = 1))]
    pub items: Vec<Item>,
}

/// `<subscribe-options/>`: the service supports subscription options.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "subscribe-options")]
pub struct SubscribeOptions {
    /// `<required/>`: the options must be configured before notifications
    /// are delivered.
    #[xml(flag(name = "required"))]
    pub required: bool,
}

/// `<subscription/>` in `pubsub`: a subscription (result of a subscribe
/// request, or an entry of the entity's subscriptions).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "subscription")]
pub struct Subscription {
    /// The node.
    #[xml(attr)]
    pub node: Option<String>,
    /// The subscriber.
    #[xml(attr)]
    pub jid: Jid,
    /// The subscription identifier.
    #[xml(attr)]
    pub subid: Option<String>,
    /// The state.
    #[xml(attr)]
    pub subscription: Option<SubscriptionState>,
    /// Whether options are supported or required.
    #[xml(child)]
    pub subscribe_options: Option<SubscribeOptions>,
}

/// `<subscriptions/>` in `pubsub`: the requesting entity's subscriptions.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "subscriptions")]
pub struct Subscriptions {
    /// Only for this node.
    #[xml(attr)]
    pub node: Option<String>,
    /// The subscriptions (result).
    #[xml(child)]
    pub subscriptions: Vec<Subscription>,
}

/// `<unsubscribe/>`: end a subscription.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "unsubscribe")]
pub struct Unsubscribe {
    /// The node.
    #[xml(attr)]
    pub node: Option<String>,
    /// The subscriber.
    #[xml(attr)]
    pub jid: Jid,
    /// The subscription, when the JID has several.
    #[xml(attr)]
    pub subid: Option<String>,
}

/// The main child of an entity's `<pubsub/>`: the request (or its
/// result).
#[derive(XmlElement, Debug, Clone, PartialEq)]
pub enum PubsubAction {
    /// Create a node (result: the assigned NodeID).
    Create(Create),
    /// Subscribe.
    Subscribe(Subscribe),
    /// Publish (result: the item ids).
    Publish(Publish),
    /// The entity's affiliations.
    Affiliations(Affiliations),
    /// Default subscription options.
    Default(DefaultOptions),
    /// Retrieve items (result: the items).
    Items(Items),
    /// Retract items.
    Retract(Retract),
    /// A subscription (result of subscribe).
    Subscription(Subscription),
    /// The entity's subscriptions.
    Subscriptions(Subscriptions),
    /// Unsubscribe.
    Unsubscribe(Unsubscribe),
}

/// `<pubsub xmlns='http://jabber.org/protocol/pubsub'/>`: an entity's
/// request or its result: an [`PubsubAction`] with the companions the XEP
/// allows: `configure` after `create`, `options` alone or after
/// `subscribe` (and in its `subscription` result, §6.3.7),
/// `publish-options` after `publish`, and XEP-0059 result set management
/// with `items` (§6.5.4). [`Pubsub::check`] enforces these pairings.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "pubsub", validate = Pubsub::check)]
pub struct Pubsub {
    /// The request or result.
    #[xml(child)]
    pub action: Option<PubsubAction>,
    /// The configuration of a node being created.
    #[xml(child)]
    pub configure: Option<Configure>,
    /// Subscription options.
    #[xml(child)]
    pub options: Option<Options>,
    /// Publishing preconditions.
    #[xml(child)]
    pub publish_options: Option<PublishOptions>,
    /// XEP-0059 result set management of an items request or result
    /// (absent from the schema).
    #[xml(child)]
    pub rsm: Option<xep_rsm::Set>,
    /// Elements of other namespaces that extensions add here (not in
    /// XEP-0060's schema; e.g. XEP-0465 on `subscribe`, XEP-0314 on
    /// `publish`, XEP-0395 on `items`, XEP-0235/0254/0413 on `pubsub`,
    /// XEP-0254 on event `items`). Unknown children of the pubsub
    /// namespaces stay errors.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

macro_rules! action_accessors {
    ($($(#[$m:meta])* $fn:ident => $variant:ident($t:ty)),* $(,)?) => {$(
        $(#[$m])*
        pub fn $fn(&self) -> Option<&$t> {
            match &self.action {
                Some(PubsubAction::$variant(v)) => Some(v),
                _ => None,
            }
        }
    )*};
}

impl Pubsub {
    /// A `<pubsub/>` with `action` and no companion.
    pub fn new(action: PubsubAction) -> Self {
        Pubsub {
            action: Some(action),
            ..Pubsub::default()
        }
    }

    action_accessors! {
        /// The `<create/>`, if that is the action.
        create => Create(Create),
        /// The `<subscribe/>`, if that is the action.
        subscribe => Subscribe(Subscribe),
        /// The `<publish/>`, if that is the action.
        publish => Publish(Publish),
        /// The `<affiliations/>`, if that is the action.
        affiliations => Affiliations(Affiliations),
        /// The `<default/>`, if that is the action.
        default_options => Default(DefaultOptions),
        /// The `<items/>`, if that is the action.
        items => Items(Items),
        /// The `<retract/>`, if that is the action.
        retract => Retract(Retract),
        /// The `<subscription/>`, if that is the action.
        subscription => Subscription(Subscription),
        /// The `<subscriptions/>`, if that is the action.
        subscriptions => Subscriptions(Subscriptions),
        /// The `<unsubscribe/>`, if that is the action.
        unsubscribe => Unsubscribe(Unsubscribe),
    }

    /// XEP-0060 §6.3.7: `<options/>` next to `<subscribe/>` MUST NOT have
    /// a `jid` or `node` (the service answers `bad-request`). Not checked
    /// when parsing: the schema requires `jid` on `<options/>`, and
    /// XEP-0060's own example 44, XEP-0207 and XEP-0254 carry both; a
    /// service applying the rule calls this.
    pub fn check_subscribe_options(&self) -> Result<(), Error> {
        if let (Some(PubsubAction::Subscribe(_)), Some(o)) = (&self.action, &self.options)
            && (o.jid.is_some() || o.node.is_some())
        {
            return Err(Error::invalid(
                "<options/> next to <subscribe/> has no 'jid' or 'node' (XEP-0060 §6.3.7)",
            )
            .within("pubsub"));
        }
        Ok(())
    }

    /// Checks the pairings of the action with its companions.
    pub fn check(p: &Pubsub) -> Result<(), Error> {
        use PubsubAction as A;
        if p.configure.is_some() && !matches!(p.action, Some(A::Create(_))) {
            return Err(Error::invalid("<configure/> only goes with <create/>"));
        }
        if p.publish_options.is_some() && !matches!(p.action, Some(A::Publish(_))) {
            return Err(Error::invalid(
                "<publish-options/> only goes with <publish/>",
            ));
        }
        if p.rsm.is_some() && !matches!(p.action, Some(A::Items(_))) {
            return Err(Error::invalid(
                "result set management (<set/>) only goes with <items/>",
            ));
        }
        if let Some(o) = &p.options {
            match &p.action {
                None => {
                    if o.jid.is_none() {
                        return Err(Error::missing_attribute("jid").within("options"));
                    }
                }
                Some(A::Subscribe(_) | A::Subscription(_)) => {}
                Some(_) => {
                    return Err(Error::invalid(
                        "<options/> goes alone or with <subscribe/> or <subscription/>",
                    ));
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// http://jabber.org/protocol/pubsub#owner

/// `<affiliation/>` in `pubsub#owner`: an entity's affiliation with the
/// owner's node.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_OWNER, name = "affiliation")]
pub struct OwnerAffiliation {
    /// The entity.
    #[xml(attr)]
    pub jid: Jid,
    /// Its affiliation (`none` removes it).
    #[xml(attr)]
    pub affiliation: Affiliation,
}

/// `<affiliations/>` in `pubsub#owner`: a node's affiliations (get), or
/// changes to them (set).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_OWNER, name = "affiliations")]
pub struct OwnerAffiliations {
    /// The node.
    #[xml(attr)]
    pub node: String,
    /// The affiliations.
    #[xml(child)]
    pub affiliations: Vec<OwnerAffiliation>,
}

/// `<configure/>` in `pubsub#owner`: a node's configuration form.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_OWNER, name = "configure")]
pub struct OwnerConfigure {
    /// The node.
    #[xml(attr)]
    pub node: Option<String>,
    /// The `pubsub#node_config` form, submission or cancellation.
    #[xml(child)]
    pub form: Option<DataForm>,
}

/// `<default/>` in `pubsub#owner`: the default node configuration.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_OWNER, name = "default")]
pub struct OwnerDefault {
    /// The kind of node (absent: leaf).
    #[xml(attr(name = "type"))]
    pub type_: Option<NodeKind>,
    /// The default `pubsub#node_config` form (result).
    #[xml(child)]
    pub form: Option<DataForm>,
}

/// `<redirect/>` in `pubsub#owner`: where the subscribers of a deleted
/// node should go.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_OWNER, name = "redirect")]
pub struct OwnerRedirect {
    /// An XMPP URI of the replacement node.
    #[xml(attr)]
    pub uri: String,
}

/// `<delete/>` in `pubsub#owner`: delete a node.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_OWNER, name = "delete")]
pub struct Delete {
    /// The node.
    #[xml(attr)]
    pub node: String,
    /// A replacement node.
    #[xml(child)]
    pub redirect: Option<OwnerRedirect>,
}

/// `<purge/>` in `pubsub#owner`: delete all items of a node.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_OWNER, name = "purge")]
pub struct Purge {
    /// The node.
    #[xml(attr)]
    pub node: String,
}

/// `<subscription/>` in `pubsub#owner`: a subscriber of the owner's node.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_OWNER, name = "subscription")]
pub struct OwnerSubscription {
    /// The subscriber.
    #[xml(attr)]
    pub jid: Jid,
    /// The state (`none` removes the subscription).
    #[xml(attr)]
    pub subscription: SubscriptionState,
    /// The subscription identifier (shown in the XEP's examples of
    /// multiple subscriptions, absent from its schema).
    #[xml(attr)]
    pub subid: Option<String>,
}

/// `<subscriptions/>` in `pubsub#owner`: a node's subscriptions (get), or
/// changes to them (set).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_OWNER, name = "subscriptions")]
pub struct OwnerSubscriptions {
    /// The node.
    #[xml(attr)]
    pub node: String,
    /// The subscriptions.
    #[xml(child)]
    pub subscriptions: Vec<OwnerSubscription>,
}

/// `<pubsub xmlns='http://jabber.org/protocol/pubsub#owner'/>`: an
/// owner's request or its result (exactly one child).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_OWNER, name = "pubsub", validate = OwnerPubsub::check)]
pub struct OwnerPubsub {
    /// Node affiliations.
    #[xml(child)]
    pub affiliations: Option<OwnerAffiliations>,
    /// Node configuration.
    #[xml(child)]
    pub configure: Option<OwnerConfigure>,
    /// Default node configuration.
    #[xml(child)]
    pub default: Option<OwnerDefault>,
    /// Node deletion.
    #[xml(child)]
    pub delete: Option<Delete>,
    /// Purge of all items.
    #[xml(child)]
    pub purge: Option<Purge>,
    /// Node subscriptions.
    #[xml(child)]
    pub subscriptions: Option<OwnerSubscriptions>,
}

impl OwnerPubsub {
    /// Checks the schema's choice: exactly one child.
    pub fn check(p: &OwnerPubsub) -> Result<(), Error> {
        exactly_one(
            &[
                p.affiliations.is_some(),
                p.configure.is_some(),
                p.default.is_some(),
                p.delete.is_some(),
                p.purge.is_some(),
                p.subscriptions.is_some(),
            ],
            "a pubsub#owner element holds exactly one request",
        )
    }
}

// ---------------------------------------------------------------------------
// http://jabber.org/protocol/pubsub#event

/// `<associate/>`: a node was associated with a collection.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_EVENT, name = "associate")]
pub struct Associate {
    /// The node.
    #[xml(attr)]
    pub node: String,
}

/// `<disassociate/>`: a node was disassociated from a collection.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_EVENT, name = "disassociate")]
pub struct Disassociate {
    /// The node.
    #[xml(attr)]
    pub node: String,
}

/// `<collection/>`: a change of a collection node's children (exactly
/// one of `associate` and `disassociate`).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_EVENT, name = "collection", validate = Collection::check)]
pub struct Collection {
    /// The collection node.
    #[xml(attr)]
    pub node: Option<String>,
    /// A node was associated.
    #[xml(child)]
    pub associate: Option<Associate>,
    /// A node was disassociated.
    #[xml(child)]
    pub disassociate: Option<Disassociate>,
}

impl Collection {
    fn check(c: &Collection) -> Result<(), Error> {
        if c.associate.is_some() == c.disassociate.is_some() {
            return Err(Error::invalid(
                "a collection event holds exactly one of <associate/> and <disassociate/>",
            ));
        }
        Ok(())
    }
}

/// `<configuration/>`: a node's configuration changed.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_EVENT, name = "configuration")]
pub struct Configuration {
    /// The node.
    #[xml(attr)]
    pub node: Option<String>,
    /// The new configuration (when payloads are delivered).
    #[xml(child)]
    pub form: Option<DataForm>,
}

/// `<redirect/>` in `pubsub#event`: where to go after a deletion.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_EVENT, name = "redirect")]
pub struct EventRedirect {
    /// An XMPP URI of the replacement node.
    #[xml(attr)]
    pub uri: String,
}

/// `<delete/>` in `pubsub#event`: a node was deleted.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_EVENT, name = "delete")]
pub struct EventDelete {
    /// The node.
    #[xml(attr)]
    pub node: String,
    /// The replacement node.
    #[xml(child)]
    pub redirect: Option<EventRedirect>,
}

/// `<item/>` in `pubsub#event`: a published item.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_EVENT, name = "item", validate = EventItem::check)]
pub struct EventItem {
    /// The ItemID.
    #[xml(attr)]
    pub id: Option<String>,
    /// The publisher, where the service reveals it.
    #[xml(attr)]
    pub publisher: Option<Jid>,
    /// The payload (absent when the node does not deliver payloads).
    #[xml(children(foreign))]
    pub payloads: Vec<Payload>,
}

impl EventItem {
    fn check(i: &EventItem) -> Result<(), Error> {
        at_most_one_payload(&i.payloads)
    }

    /// The payload, if any.
    pub fn payload(&self) -> Option<&Payload> {
        self.payloads.first()
    }
}

/// `<retract/>` in `pubsub#event`: an item was deleted.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_EVENT, name = "retract")]
pub struct EventRetract {
    /// The ItemID.
    #[xml(attr)]
    pub id: String,
}

/// `<items/>` in `pubsub#event`: items published or retracted.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_EVENT, name = "items", validate = EventItems::check)]
pub struct EventItems {
    /// The node.
    #[xml(attr)]
    pub node: String,
    /// Published items.
    #[xml(child)]
    pub items: Vec<EventItem>,
    /// Retracted items.
    #[xml(child)]
    pub retracts: Vec<EventRetract>,
    /// Elements of other namespaces that extensions add here (not in
    /// XEP-0060's schema; e.g. XEP-0465 on `subscribe`, XEP-0314 on
    /// `publish`, XEP-0395 on `items`, XEP-0235/0254/0413 on `pubsub`,
    /// XEP-0254 on event `items`). Unknown children of the pubsub
    /// namespaces stay errors.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl EventItems {
    fn check(i: &EventItems) -> Result<(), Error> {
        if !i.items.is_empty() && !i.retracts.is_empty() {
            return Err(Error::invalid(
                "an items event holds published items or retractions, not both",
            ));
        }
        Ok(())
    }
}

/// `<purge/>` in `pubsub#event`: all items of a node were deleted.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_EVENT, name = "purge")]
pub struct EventPurge {
    /// The node.
    #[xml(attr)]
    pub node: String,
}

/// `<subscription/>` in `pubsub#event`: a subscription changed (e.g. was
/// approved, or a lease expires).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_EVENT, name = "subscription")]
pub struct EventSubscription {
    /// When the subscription expires.
    #[xml(attr)]
    pub expiry: Option<DateTime82>,
    /// The subscriber.
    #[xml(attr)]
    pub jid: Jid,
    /// The node.
    #[xml(attr)]
    pub node: Option<String>,
    /// The subscription identifier.
    #[xml(attr)]
    pub subid: Option<String>,
    /// The new state.
    #[xml(attr)]
    pub subscription: Option<SubscriptionState>,
}

/// `<event xmlns='http://jabber.org/protocol/pubsub#event'/>`: a
/// notification (exactly one child).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_EVENT, name = "event", validate = Event::check)]
pub struct Event {
    /// Collection change.
    #[xml(child)]
    pub collection: Option<Collection>,
    /// Configuration change.
    #[xml(child)]
    pub configuration: Option<Configuration>,
    /// Node deletion.
    #[xml(child)]
    pub delete: Option<EventDelete>,
    /// Items published or retracted.
    #[xml(child)]
    pub items: Option<EventItems>,
    /// Node purge.
    #[xml(child)]
    pub purge: Option<EventPurge>,
    /// Subscription change.
    #[xml(child)]
    pub subscription: Option<EventSubscription>,
}

impl Event {
    /// Checks the schema's choice: exactly one child.
    pub fn check(e: &Event) -> Result<(), Error> {
        exactly_one(
            &[
                e.collection.is_some(),
                e.configuration.is_some(),
                e.delete.is_some(),
                e.items.is_some(),
                e.purge.is_some(),
                e.subscription.is_some(),
            ],
            "a pubsub#event element holds exactly one notification",
        )
    }

    /// The node the notification is about.
    pub fn node(&self) -> Option<&str> {
        if let Some(c) = &self.collection {
            return c.node.as_deref();
        }
        if let Some(c) = &self.configuration {
            return c.node.as_deref();
        }
        if let Some(d) = &self.delete {
            return Some(&d.node);
        }
        if let Some(i) = &self.items {
            return Some(&i.node);
        }
        if let Some(p) = &self.purge {
            return Some(&p.node);
        }
        self.subscription.as_ref().and_then(|s| s.node.as_deref())
    }
}

/// The schema's `xs:choice` of one child among optional fields: `rule`,
/// with the count found, when not exactly one is present.
fn exactly_one(present: &[bool], rule: &str) -> Result<(), Error> {
    match present.iter().filter(|b| **b).count() {
        1 => Ok(()),
        n => Err(Error::invalid(format!("{rule}, found {n}"))),
    }
}
