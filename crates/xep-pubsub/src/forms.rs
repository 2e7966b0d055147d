//! Typed views of XEP-0060's registered forms ("Field Standardization"):
//! `pubsub#node_config`, `pubsub#publish-options`, `pubsub#meta-data`,
//! `pubsub#subscribe_options` and `pubsub#subscribe_authorization`.
//! Fields a view does not name are kept in `other`.

use xep_element::XmlValue;
use xep_element::jid::Jid;
use xep_forms::{form_value, form_view, number_or_keyword};

/// `FORM_TYPE` of node configuration.
pub const NODE_CONFIG: &str = "http://jabber.org/protocol/pubsub#node_config";
/// `FORM_TYPE` of publishing preconditions.
pub const PUBLISH_OPTIONS: &str = "http://jabber.org/protocol/pubsub#publish-options";
/// `FORM_TYPE` of node meta-data (disco#info extension).
pub const META_DATA: &str = "http://jabber.org/protocol/pubsub#meta-data";
/// `FORM_TYPE` of subscription options.
pub const SUBSCRIBE_OPTIONS: &str = "http://jabber.org/protocol/pubsub#subscribe_options";
/// `FORM_TYPE` of subscription approval requests.
pub const SUBSCRIBE_AUTHORIZATION: &str =
    "http://jabber.org/protocol/pubsub#subscribe_authorization";

/// Who may subscribe and retrieve items (`pubsub#access_model`).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq)]
pub enum AccessModel {
    /// Subscriptions must be approved.
    Authorize,
    /// Anyone.
    Open,
    /// Those with a presence subscription of `from` or `both`.
    Presence,
    /// Those in allowed roster groups.
    Roster,
    /// Those on a whitelist.
    Whitelist,
    /// A model defined elsewhere, kept as written.
    #[xml(other)]
    Other(String),
}
form_value!(AccessModel);

/// Who may publish (`pubsub#publish_model`).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq)]
pub enum PublishModel {
    /// Publishers (and owners) only.
    Publishers,
    /// Subscribers too.
    Subscribers,
    /// Anyone.
    Open,
    /// A model defined elsewhere, kept as written.
    #[xml(other)]
    Other(String),
}
form_value!(PublishModel);

/// Who receives replies to items (`pubsub#itemreply`).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq)]
pub enum ItemReply {
    /// The node owners.
    Owner,
    /// The item's publisher.
    Publisher,
    /// Nobody: the publisher is not revealed (`none`, added by XEP-0060
    /// 1.25 from implementations; ejabberd 23.01 sends it by default,
    /// which the interop suite found).
    #[xml(value = "none")]
    Nobody,
}
form_value!(ItemReply);

/// The node type (`pubsub#node_type`).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq)]
pub enum NodeType {
    /// A node holding items.
    Leaf,
    /// A collection of nodes (XEP-0248).
    Collection,
}
form_value!(NodeType);

/// The message type of notifications (`pubsub#notification_type`).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq)]
pub enum NotificationType {
    /// `normal` messages.
    Normal,
    /// `headline` messages.
    Headline,
}
form_value!(NotificationType);

/// What happens when publishing to a full node
/// (`pubsub#publish_node_full`).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq)]
pub enum PublishNodeFull {
    /// Retract the oldest item (with notification).
    RetractOldest,
    /// Discard the oldest item.
    DiscardOldest,
    /// Reject the publication.
    Reject,
}
form_value!(PublishNodeFull);

/// When the last published item is sent
/// (`pubsub#send_last_published_item`).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq)]
pub enum SendLastPublishedItem {
    /// Never.
    Never,
    /// On a new subscription.
    #[xml(value = "on_sub")]
    OnSub,
    /// On a new subscription and when a subscriber comes online.
    #[xml(value = "on_sub_and_presence")]
    OnSubAndPresence,
}
form_value!(SendLastPublishedItem);

/// A presence state for which notifications are wanted
/// (`pubsub#show-values`).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq)]
pub enum ShowValue {
    /// `away`.
    Away,
    /// `chat`.
    Chat,
    /// `dnd`.
    Dnd,
    /// Available without a show value.
    Online,
    /// `xa`.
    Xa,
}
form_value!(ShowValue);

/// What a subscription to a collection delivers
/// (`pubsub#subscription_type`).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionType {
    /// New items.
    Items,
    /// New nodes.
    Nodes,
}
form_value!(SubscriptionType);

/// How deep a subscription to a collection reaches
/// (`pubsub#subscription_depth`).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionDepth {
    /// Direct children only (`1`).
    #[xml(value = "1")]
    One,
    /// All descendants (`all`).
    All,
}
form_value!(SubscriptionDepth);

number_or_keyword! {
    /// A count that may be `max` (the service's own limit), as
    /// `pubsub#max_items` and `pubsub#item_expire` allow.
    pub enum Limit {
        /// This many.
        Count(u64),
        /// `max`: no limit but the service's.
        Max = "max",
    } as TextSingle
}

form_view! {
    /// Node configuration (`pubsub#node_config`), read and submitted in
    /// `pubsub#owner` configure requests and `<configure/>` at creation.
    pub struct NodeConfig = "http://jabber.org/protocol/pubsub#node_config" {
        /// Who may subscribe and retrieve items.
        access_model: Option<AccessModel> = "pubsub#access_model",
        /// URL of an XSLT turning payloads into message bodies.
        body_xslt: Option<String> = "pubsub#body_xslt",
        /// Contacts for questions about the node.
        contact: Vec<Jid> = "pubsub#contact",
        /// URL of an XSLT turning payloads into data forms.
        dataform_xslt: Option<String> = "pubsub#dataform_xslt",
        /// Whether notifications are delivered.
        deliver_notifications: Option<bool> = "pubsub#deliver_notifications",
        /// Whether notifications carry payloads.
        deliver_payloads: Option<bool> = "pubsub#deliver_payloads",
        /// A description.
        description: Option<String> = "pubsub#description",
        /// Seconds after which items expire (`max`: the service's limit).
        item_expire: Option<Limit> = "pubsub#item_expire",
        /// Who receives replies to items.
        itemreply: Option<ItemReply> = "pubsub#itemreply",
        /// The node's default language.
        language: Option<String> = "pubsub#language" as ListSingle,
        /// Items to persist (`max`: the service's limit).
        max_items: Option<Limit> = "pubsub#max_items",
        /// Maximum payload size in bytes.
        max_payload_size: Option<u64> = "pubsub#max_payload_size",
        /// Leaf or collection.
        node_type: Option<NodeType> = "pubsub#node_type",
        /// Message type of notifications.
        notification_type: Option<NotificationType> = "pubsub#notification_type",
        /// Notify on configuration changes.
        notify_config: Option<bool> = "pubsub#notify_config",
        /// Notify on deletion.
        notify_delete: Option<bool> = "pubsub#notify_delete",
        /// Notify on retraction.
        notify_retract: Option<bool> = "pubsub#notify_retract",
        /// Notify owners of (un)subscriptions.
        notify_sub: Option<bool> = "pubsub#notify_sub",
        /// Whether items are persisted.
        persist_items: Option<bool> = "pubsub#persist_items",
        /// Deliver only to available subscribers.
        presence_based_delivery: Option<bool> = "pubsub#presence_based_delivery",
        /// Who may publish.
        publish_model: Option<PublishModel> = "pubsub#publish_model",
        /// What happens when the node is full.
        publish_node_full: Option<PublishNodeFull> = "pubsub#publish_node_full",
        /// Purge items when the publisher goes offline.
        purge_offline: Option<bool> = "pubsub#purge_offline",
        /// Roster groups allowed (roster access model).
        roster_groups_allowed: Vec<String> = "pubsub#roster_groups_allowed",
        /// When the last published item is sent.
        send_last_published_item: Option<SendLastPublishedItem> = "pubsub#send_last_published_item",
        /// Subscriptions are temporary (presence-based).
        tempsub: Option<bool> = "pubsub#tempsub",
        /// Whether subscriptions are allowed.
        subscribe: Option<bool> = "pubsub#subscribe",
        /// A friendly name.
        title: Option<String> = "pubsub#title",
        /// Semantic type of the payloads (usually a namespace).
        type_: Option<String> = "pubsub#type",
    }
}

form_view! {
    /// Publishing preconditions (`pubsub#publish-options`, XEP-0060
    /// §7.1.5): node configuration fields whose values must match the
    /// node's (or configure a node created on publish).
    pub struct PublishOptionsForm = "http://jabber.org/protocol/pubsub#publish-options" {
        /// Who may subscribe and retrieve items.
        access_model: Option<AccessModel> = "pubsub#access_model",
        /// Whether notifications are delivered.
        deliver_notifications: Option<bool> = "pubsub#deliver_notifications",
        /// Whether notifications carry payloads.
        deliver_payloads: Option<bool> = "pubsub#deliver_payloads",
        /// Items to persist.
        max_items: Option<Limit> = "pubsub#max_items",
        /// Whether items are persisted.
        persist_items: Option<bool> = "pubsub#persist_items",
        /// Who may publish.
        publish_model: Option<PublishModel> = "pubsub#publish_model",
        /// When the last published item is sent.
        send_last_published_item: Option<SendLastPublishedItem> = "pubsub#send_last_published_item",
        /// Roster groups allowed (roster access model).
        roster_groups_allowed: Vec<String> = "pubsub#roster_groups_allowed",
        /// Semantic type of the payloads.
        type_: Option<String> = "pubsub#type",
    }
}

form_view! {
    /// Node meta-data (`pubsub#meta-data`), the disco#info extension of a
    /// node.
    pub struct MetaData = "http://jabber.org/protocol/pubsub#meta-data" {
        /// Contacts for questions about the node.
        contact: Vec<Jid> = "pubsub#contact",
        /// When the node was created (XEP-0082 DateTime, as written).
        creation_date: Option<String> = "pubsub#creation_date",
        /// The creator.
        creator: Option<Jid> = "pubsub#creator",
        /// A description.
        description: Option<String> = "pubsub#description",
        /// The default language.
        language: Option<String> = "pubsub#language" as ListSingle,
        /// The access model.
        access_model: Option<AccessModel> = "pubsub#access_model",
        /// The publish model.
        publish_model: Option<PublishModel> = "pubsub#publish_model",
        /// The number of subscribers.
        num_subscribers: Option<u64> = "pubsub#num_subscribers",
        /// The owners.
        owner: Vec<Jid> = "pubsub#owner",
        /// The publishers.
        publisher: Vec<Jid> = "pubsub#publisher",
        /// The name.
        title: Option<String> = "pubsub#title",
        /// Semantic type of the payloads.
        type_: Option<String> = "pubsub#type",
        /// Items persisted at most.
        max_items: Option<Limit> = "pubsub#max_items",
    }
}

form_view! {
    /// Subscription options (`pubsub#subscribe_options`).
    pub struct SubscribeOptionsForm = "http://jabber.org/protocol/pubsub#subscribe_options" {
        /// Whether notifications are delivered.
        deliver: Option<bool> = "pubsub#deliver",
        /// Whether notifications are batched into digests.
        digest: Option<bool> = "pubsub#digest",
        /// Minimum milliseconds between digests.
        digest_frequency: Option<u64> = "pubsub#digest_frequency",
        /// When a leased subscription ends (DateTime, or `presence`).
        expire: Option<String> = "pubsub#expire",
        /// Whether notifications carry a message body.
        include_body: Option<bool> = "pubsub#include_body",
        /// Presence states for which notifications are delivered.
        show_values: Vec<ShowValue> = "pubsub#show-values",
        /// Items or nodes (collections).
        subscription_type: Option<SubscriptionType> = "pubsub#subscription_type",
        /// Depth (collections).
        subscription_depth: Option<SubscriptionDepth> = "pubsub#subscription_depth",
    }
}

form_view! {
    /// A subscription approval request and its answer
    /// (`pubsub#subscribe_authorization`).
    pub struct SubscribeAuthorization = "http://jabber.org/protocol/pubsub#subscribe_authorization" {
        /// The owner's decision.
        allow: Option<bool> = "pubsub#allow",
        /// The node.
        node: Option<String> = "pubsub#node",
        /// The would-be subscriber.
        subscriber_jid: Option<Jid> = "pubsub#subscriber_jid",
        /// The subscription identifier.
        subid: Option<String> = "pubsub#subid",
    }
}
