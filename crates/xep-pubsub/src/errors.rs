//! `http://jabber.org/protocol/pubsub#errors`: the application-specific
//! error conditions of XEP-0060, and their combination with the stanza
//! error that carries them.

use xep_core::{DefinedCondition, ErrorType, StanzaError};
use xep_element::{Payload, XmlElement, XmlValue};

/// `http://jabber.org/protocol/pubsub#errors`.
pub const NS_ERRORS: &str = "http://jabber.org/protocol/pubsub#errors";

/// A pubsub feature (XEP-0060's "Service Discovery Features", without the
/// `http://jabber.org/protocol/pubsub#` prefix), as named by
/// `<unsupported feature='…'/>`. Unknown features are kept.
#[derive(XmlValue, Debug, Clone, PartialEq, Eq, Hash)]
pub enum Feature {
    /// `access-authorize`.
    AccessAuthorize,
    /// `access-open`.
    AccessOpen,
    /// `access-presence`.
    AccessPresence,
    /// `access-roster`.
    AccessRoster,
    /// `access-whitelist`.
    AccessWhitelist,
    /// `auto-create`.
    AutoCreate,
    /// `auto-subscribe`.
    AutoSubscribe,
    /// `collections`.
    Collections,
    /// `config-node`.
    ConfigNode,
    /// `create-and-configure`.
    CreateAndConfigure,
    /// `create-nodes`.
    CreateNodes,
    /// `delete-items`.
    DeleteItems,
    /// `delete-nodes`.
    DeleteNodes,
    /// `filtered-notifications`.
    FilteredNotifications,
    /// `get-pending`.
    GetPending,
    /// `instant-nodes`.
    InstantNodes,
    /// `item-ids`.
    ItemIds,
    /// `last-published`.
    LastPublished,
    /// `leased-subscription`.
    LeasedSubscription,
    /// `manage-subscriptions`.
    ManageSubscriptions,
    /// `member-affiliation`.
    MemberAffiliation,
    /// `meta-data`.
    MetaData,
    /// `modify-affiliations`.
    ModifyAffiliations,
    /// `multi-collection`.
    MultiCollection,
    /// `multi-items`.
    MultiItems,
    /// `multi-subscribe`.
    MultiSubscribe,
    /// `outcast-affiliation`.
    OutcastAffiliation,
    /// `persistent-items`.
    PersistentItems,
    /// `presence-notifications`.
    PresenceNotifications,
    /// `presence-subscribe`.
    PresenceSubscribe,
    /// `publish`.
    Publish,
    /// `publish-options`.
    PublishOptions,
    /// `publish-only-affiliation`.
    PublishOnlyAffiliation,
    /// `publisher-affiliation`.
    PublisherAffiliation,
    /// `purge-nodes`.
    PurgeNodes,
    /// `retract-items`.
    RetractItems,
    /// `retrieve-affiliations`.
    RetrieveAffiliations,
    /// `retrieve-default`.
    RetrieveDefault,
    /// `retrieve-default-sub`.
    RetrieveDefaultSub,
    /// `retrieve-items`.
    RetrieveItems,
    /// `retrieve-subscriptions`.
    RetrieveSubscriptions,
    /// `subscribe`.
    Subscribe,
    /// `subscription-options`.
    SubscriptionOptions,
    /// `subscription-notifications`.
    SubscriptionNotifications,
    /// Any other feature name, kept as written.
    #[xml(other)]
    Other(String),
}

impl Unsupported {
    fn check(u: &Unsupported) -> Result<(), xep_element::Error> {
        if let Feature::Other(name) = &u.feature {
            let mut chars = name.chars();
            let ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if !ok {
                return Err(xep_element::Error::bad_attribute(
                    "feature",
                    name,
                    "expected an NCName",
                ));
            }
        }
        Ok(())
    }
}

impl Feature {
    /// The full disco feature (`http://jabber.org/protocol/pubsub#…`).
    pub fn disco_feature(&self) -> String {
        format!("{}#{}", crate::NS, self.to_xml())
    }
}

/// `<unsupported feature='…'/>`: the service does not support `feature`
/// (an `xs:NCName`; unknown names are kept, non-names rejected).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_ERRORS, name = "unsupported", validate = Unsupported::check)]
pub struct Unsupported {
    /// The missing feature.
    #[xml(attr)]
    pub feature: Feature,
}

/// An application-specific condition of `pubsub#errors` (one element).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_ERRORS)]
pub enum PubsubErrorCondition {
    /// The node does not accept subscriptions of this kind (e.g. by
    /// whitelist).
    ClosedNode,
    /// The subscription options must be configured first.
    ConfigurationRequired,
    /// The JID does not match the requester's.
    InvalidJid,
    /// The submitted options are invalid.
    InvalidOptions,
    /// The payload does not fit the node's type or schema.
    InvalidPayload,
    /// The SubID is not valid.
    InvalidSubid,
    /// An item was given where the node does not accept one.
    ItemForbidden,
    /// An item is required.
    ItemRequired,
    /// A JID is required.
    JidRequired,
    /// The node is full.
    MaxItemsExceeded,
    /// The service cannot create more nodes.
    MaxNodesExceeded,
    /// A NodeID is required.
    NodeidRequired,
    /// The requester is not in an allowed roster group.
    NotInRosterGroup,
    /// The requester is not subscribed.
    NotSubscribed,
    /// The payload is too big.
    PayloadTooBig,
    /// A payload is required.
    PayloadRequired,
    /// The subscription is still pending.
    PendingSubscription,
    /// A publish-options precondition is not met.
    PreconditionNotMet,
    /// A presence subscription is required.
    PresenceSubscriptionRequired,
    /// A SubID is required (the JID has several subscriptions).
    SubidRequired,
    /// The requester has too many subscriptions.
    TooManySubscriptions,
    /// A feature is not supported.
    Unsupported(Unsupported),
    /// The access model is not supported.
    UnsupportedAccessModel,
}

impl PubsubErrorCondition {
    /// The element name of the condition.
    pub fn name(&self) -> &'static str {
        use PubsubErrorCondition::*;
        match self {
            ClosedNode => "closed-node",
            ConfigurationRequired => "configuration-required",
            InvalidJid => "invalid-jid",
            InvalidOptions => "invalid-options",
            InvalidPayload => "invalid-payload",
            InvalidSubid => "invalid-subid",
            ItemForbidden => "item-forbidden",
            ItemRequired => "item-required",
            JidRequired => "jid-required",
            MaxItemsExceeded => "max-items-exceeded",
            MaxNodesExceeded => "max-nodes-exceeded",
            NodeidRequired => "nodeid-required",
            NotInRosterGroup => "not-in-roster-group",
            NotSubscribed => "not-subscribed",
            PayloadTooBig => "payload-too-big",
            PayloadRequired => "payload-required",
            PendingSubscription => "pending-subscription",
            PreconditionNotMet => "precondition-not-met",
            PresenceSubscriptionRequired => "presence-subscription-required",
            SubidRequired => "subid-required",
            TooManySubscriptions => "too-many-subscriptions",
            Unsupported(_) => "unsupported",
            UnsupportedAccessModel => "unsupported-access-model",
        }
    }

    /// The stanza error this condition goes with in XEP-0060's text and
    /// examples (type and defined condition), used by [`PubsubError::new`].
    /// `max-nodes-exceeded` has no example: it gets `cancel`/`not-allowed`
    /// like `max-items-exceeded`.
    pub fn default_stanza_error(&self) -> (ErrorType, DefinedCondition) {
        use DefinedCondition as D;
        use ErrorType as T;
        use PubsubErrorCondition::*;
        match self {
            ClosedNode => (T::Cancel, D::NotAllowed),
            ConfigurationRequired => (T::Modify, D::NotAcceptable),
            InvalidJid => (T::Modify, D::BadRequest),
            InvalidOptions => (T::Modify, D::BadRequest),
            InvalidPayload => (T::Modify, D::BadRequest),
            InvalidSubid => (T::Modify, D::NotAcceptable),
            ItemForbidden => (T::Modify, D::BadRequest),
            ItemRequired => (T::Modify, D::BadRequest),
            JidRequired => (T::Modify, D::BadRequest),
            MaxItemsExceeded => (T::Cancel, D::NotAllowed),
            MaxNodesExceeded => (T::Cancel, D::NotAllowed),
            NodeidRequired => (T::Modify, D::BadRequest),
            NotInRosterGroup => (T::Auth, D::NotAuthorized),
            NotSubscribed => (T::Cancel, D::UnexpectedRequest),
            PayloadTooBig => (T::Modify, D::NotAcceptable),
            PayloadRequired => (T::Modify, D::BadRequest),
            PendingSubscription => (T::Auth, D::NotAuthorized),
            PreconditionNotMet => (T::Cancel, D::Conflict),
            PresenceSubscriptionRequired => (T::Auth, D::NotAuthorized),
            SubidRequired => (T::Modify, D::BadRequest),
            TooManySubscriptions => (T::Wait, D::PolicyViolation),
            Unsupported(_) => (T::Cancel, D::FeatureNotImplemented),
            UnsupportedAccessModel => (T::Modify, D::NotAcceptable),
        }
    }
}

/// A pubsub error: the stanza error and, where present, its
/// `pubsub#errors` condition.
#[derive(Debug, Clone, PartialEq)]
pub struct PubsubError {
    /// The stanza error as received (with the condition among its `app`
    /// payloads).
    pub stanza: StanzaError,
    /// The application-specific condition, when the error has one.
    pub condition: Option<PubsubErrorCondition>,
}

impl PubsubError {
    /// The error XEP-0060 prescribes for `condition`: the usual type and
    /// defined condition, with the condition as application payload.
    pub fn new(condition: PubsubErrorCondition) -> Self {
        let (type_, defined) = condition.default_stanza_error();
        PubsubError::with(type_, defined, Some(condition))
    }

    /// An error of `type_` and `defined`, with `condition` if any.
    pub fn with(
        type_: ErrorType,
        defined: DefinedCondition,
        condition: Option<PubsubErrorCondition>,
    ) -> Self {
        let mut stanza = StanzaError::new(type_, defined);
        if let Some(c) = &condition {
            stanza.app.push(Payload::new(c.clone()));
        }
        PubsubError { stanza, condition }
    }

    /// Reads the pubsub condition of `stanza` (raw or typed payloads).
    /// Fails only when a `pubsub#errors` element is malformed.
    pub fn from_stanza_error(stanza: &StanzaError) -> Result<Self, xep_element::Error> {
        let condition = stanza
            .app
            .iter()
            .find_map(|p| p.get::<PubsubErrorCondition>())
            .transpose()?;
        Ok(PubsubError {
            stanza: stanza.clone(),
            condition,
        })
    }

    /// The stanza's defined condition.
    pub fn defined_condition(&self) -> &DefinedCondition {
        &self.stanza.condition
    }
}

impl From<PubsubError> for StanzaError {
    fn from(e: PubsubError) -> StanzaError {
        e.stanza
    }
}
