//! Builders of the common pubsub requests, and the classification of
//! their replies.

use xep_core::{Iq, IqType};
use xep_element::Payload;
use xep_element::jid::Jid;
use xep_forms::DataForm;

use crate::errors::PubsubError;
use crate::{
    Affiliation, Affiliations, Create, Delete, Item, Items, Options, OwnerAffiliation,
    OwnerAffiliations, OwnerConfigure, OwnerPubsub, OwnerRedirect, OwnerSubscription,
    OwnerSubscriptions, Publish, PublishOptions, Pubsub, PubsubAction, Purge, Retract, Subscribe,
    SubscriptionState, Subscriptions, Unsubscribe,
};

impl Pubsub {
    /// A `<pubsub/>` publishing `items` to `node`.
    pub fn publish_items(node: impl Into<String>, items: Vec<Item>) -> Self {
        Pubsub::new(PubsubAction::Publish(Publish {
            node: node.into(),
            items,
            extensions: Vec::new(),
        }))
    }
}

impl OwnerPubsub {
    fn configure(node: String, form: Option<DataForm>) -> Self {
        OwnerPubsub {
            configure: Some(OwnerConfigure {
                node: Some(node),
                form,
            }),
            ..OwnerPubsub::default()
        }
    }
}

/// Subscribe `jid` to `node` (XEP-0060 §6.1).
pub fn subscribe(id: impl Into<String>, service: Option<Jid>, node: &str, jid: Jid) -> Iq {
    let p = Pubsub::new(PubsubAction::Subscribe(Subscribe {
        node: Some(node.into()),
        jid,
        extensions: Vec::new(),
    }));
    Iq::set(id, service, Payload::new(p))
}

/// Unsubscribe `jid` from `node` (§6.2), naming the subscription if the
/// JID has several.
pub fn unsubscribe(
    id: impl Into<String>,
    service: Option<Jid>,
    node: &str,
    jid: Jid,
    subid: Option<String>,
) -> Iq {
    let p = Pubsub::new(PubsubAction::Unsubscribe(Unsubscribe {
        node: Some(node.into()),
        jid,
        subid,
    }));
    Iq::set(id, service, Payload::new(p))
}

/// Publish `item` to `node` (§7.1), with preconditions if any.
pub fn publish(
    id: impl Into<String>,
    service: Option<Jid>,
    node: &str,
    item: Item,
    options: Option<DataForm>,
) -> Iq {
    let mut p = Pubsub::publish_items(node, vec![item]);
    p.publish_options = options.map(|form| PublishOptions { form: Some(form) });
    Iq::set(id, service, Payload::new(p))
}

/// Retract the items `ids` from `node` (§7.2), notifying subscribers if
/// `notify`.
pub fn retract(
    id: impl Into<String>,
    service: Option<Jid>,
    node: &str,
    ids: &[&str],
    notify: bool,
) -> Iq {
    let p = Pubsub::new(PubsubAction::Retract(Retract {
        node: node.into(),
        notify: notify.then_some(true.into()),
        items: ids.iter().map(|i| Item::with_id(*i)).collect(),
    }));
    Iq::set(id, service, Payload::new(p))
}

/// Retrieve items of `node` (§6.5): all, the latest `max_items`, or the
/// items `ids`.
pub fn items(
    id: impl Into<String>,
    service: Option<Jid>,
    node: &str,
    max_items: Option<u64>,
    ids: &[&str],
) -> Iq {
    let p = Pubsub::new(PubsubAction::Items(Items {
        node: node.into(),
        max_items: max_items.filter(|n| *n > 0),
        subid: None,
        items: ids.iter().map(|i| Item::with_id(*i)).collect(),
        extensions: Vec::new(),
    }));
    Iq::get(id, service, Payload::new(p))
}

/// Ask for the subscription options of `jid` at `node` (§6.3.2).
pub fn options_get(
    id: impl Into<String>,
    service: Option<Jid>,
    node: &str,
    jid: Jid,
    subid: Option<String>,
) -> Iq {
    let p = Pubsub {
        options: Some(Options {
            jid: Some(jid),
            node: Some(node.into()),
            subid,
            form: None,
        }),
        ..Pubsub::default()
    };
    Iq::get(id, service, Payload::new(p))
}

/// Submit the subscription options of `jid` at `node` (§6.3.5).
pub fn options_set(
    id: impl Into<String>,
    service: Option<Jid>,
    node: &str,
    jid: Jid,
    subid: Option<String>,
    form: DataForm,
) -> Iq {
    let p = Pubsub {
        options: Some(Options {
            jid: Some(jid),
            node: Some(node.into()),
            subid,
            form: Some(form),
        }),
        ..Pubsub::default()
    };
    Iq::set(id, service, Payload::new(p))
}

/// Ask for the default subscription options (§6.4), of `node` or of the
/// service.
pub fn default_options(id: impl Into<String>, service: Option<Jid>, node: Option<&str>) -> Iq {
    Iq::get(
        id,
        service,
        Payload::new(Pubsub::new(PubsubAction::Default(crate::DefaultOptions {
            node: node.map(Into::into),
            form: None,
        }))),
    )
}

/// Ask for the default node configuration (§8.3), of a leaf or of a
/// collection node.
pub fn owner_default(
    id: impl Into<String>,
    service: Option<Jid>,
    kind: Option<crate::NodeKind>,
) -> Iq {
    let p = OwnerPubsub {
        default: Some(crate::OwnerDefault {
            type_: kind,
            form: None,
        }),
        ..OwnerPubsub::default()
    };
    Iq::get(id, service, Payload::new(p))
}

/// Create `node` (an instant node when `None`, §8.1), configured with
/// `config` if given.
pub fn create(
    id: impl Into<String>,
    service: Option<Jid>,
    node: Option<&str>,
    config: Option<DataForm>,
) -> Iq {
    let p = Pubsub {
        action: Some(PubsubAction::Create(Create {
            node: node.map(Into::into),
        })),
        configure: config.map(|form| crate::Configure { form: Some(form) }),
        ..Pubsub::default()
    };
    Iq::set(id, service, Payload::new(p))
}

/// Delete `node` (§8.4), redirecting subscribers to `redirect` (an XMPP
/// URI) if given.
pub fn delete(
    id: impl Into<String>,
    service: Option<Jid>,
    node: &str,
    redirect: Option<String>,
) -> Iq {
    let p = OwnerPubsub {
        delete: Some(Delete {
            node: node.into(),
            redirect: redirect.map(|uri| OwnerRedirect { uri }),
        }),
        ..OwnerPubsub::default()
    };
    Iq::set(id, service, Payload::new(p))
}

/// Purge all items of `node` (§8.5).
pub fn purge(id: impl Into<String>, service: Option<Jid>, node: &str) -> Iq {
    let p = OwnerPubsub {
        purge: Some(Purge { node: node.into() }),
        ..OwnerPubsub::default()
    };
    Iq::set(id, service, Payload::new(p))
}

/// Ask for the configuration form of `node` (§8.2).
pub fn configure_get(id: impl Into<String>, service: Option<Jid>, node: &str) -> Iq {
    Iq::get(
        id,
        service,
        Payload::new(OwnerPubsub::configure(node.into(), None)),
    )
}

/// Submit (or cancel) the configuration of `node` (§8.2.4).
pub fn configure_set(
    id: impl Into<String>,
    service: Option<Jid>,
    node: &str,
    form: DataForm,
) -> Iq {
    Iq::set(
        id,
        service,
        Payload::new(OwnerPubsub::configure(node.into(), Some(form))),
    )
}

/// The requester's own subscriptions (§5.6), for one node or all.
pub fn subscriptions(id: impl Into<String>, service: Option<Jid>, node: Option<&str>) -> Iq {
    let p = Pubsub::new(PubsubAction::Subscriptions(Subscriptions {
        node: node.map(Into::into),
        subscriptions: Vec::new(),
    }));
    Iq::get(id, service, Payload::new(p))
}

/// The requester's own affiliations (§5.7), for one node or all.
pub fn affiliations(id: impl Into<String>, service: Option<Jid>, node: Option<&str>) -> Iq {
    let p = Pubsub::new(PubsubAction::Affiliations(Affiliations {
        node: node.map(Into::into),
        affiliations: Vec::new(),
    }));
    Iq::get(id, service, Payload::new(p))
}

/// The subscriptions of the owner's `node` (§8.8.1).
pub fn owner_subscriptions_get(id: impl Into<String>, service: Option<Jid>, node: &str) -> Iq {
    let p = OwnerPubsub {
        subscriptions: Some(OwnerSubscriptions {
            node: node.into(),
            subscriptions: Vec::new(),
        }),
        ..OwnerPubsub::default()
    };
    Iq::get(id, service, Payload::new(p))
}

/// Changes to the subscriptions of the owner's `node` (§8.8.2).
pub fn owner_subscriptions_set(
    id: impl Into<String>,
    service: Option<Jid>,
    node: &str,
    changes: Vec<(Jid, SubscriptionState)>,
) -> Iq {
    let p = OwnerPubsub {
        subscriptions: Some(OwnerSubscriptions {
            node: node.into(),
            subscriptions: changes
                .into_iter()
                .map(|(jid, subscription)| OwnerSubscription {
                    jid,
                    subscription,
                    subid: None,
                })
                .collect(),
        }),
        ..OwnerPubsub::default()
    };
    Iq::set(id, service, Payload::new(p))
}

/// The affiliations of the owner's `node` (§8.9.1).
pub fn owner_affiliations_get(id: impl Into<String>, service: Option<Jid>, node: &str) -> Iq {
    let p = OwnerPubsub {
        affiliations: Some(OwnerAffiliations {
            node: node.into(),
            affiliations: Vec::new(),
        }),
        ..OwnerPubsub::default()
    };
    Iq::get(id, service, Payload::new(p))
}

/// Changes to the affiliations of the owner's `node` (§8.9.2).
pub fn owner_affiliations_set(
    id: impl Into<String>,
    service: Option<Jid>,
    node: &str,
    changes: Vec<(Jid, Affiliation)>,
) -> Iq {
    let p = OwnerPubsub {
        affiliations: Some(OwnerAffiliations {
            node: node.into(),
            affiliations: changes
                .into_iter()
                .map(|(jid, affiliation)| OwnerAffiliation { jid, affiliation })
                .collect(),
        }),
        ..OwnerPubsub::default()
    };
    Iq::set(id, service, Payload::new(p))
}

/// The payload of a successful reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// An empty result.
    Empty,
    /// A `pubsub` payload (e.g. subscription, items, created node).
    Pubsub(Box<Pubsub>),
    /// A `pubsub#owner` payload (e.g. configuration form, subscriptions).
    Owner(Box<OwnerPubsub>),
}

/// What a reply says about a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// An iq result, with its typed payload.
    Success(Reply),
    /// An iq error, with its pubsub condition if any.
    Failed(PubsubError),
    /// The reply is not well-formed pubsub (bad payload or error
    /// condition), with the reason.
    Malformed(String),
    /// The stanza is not a reply to the request (id or sender differ, or
    /// it is itself a request).
    NotAReply,
}

/// Classifies `reply` as the answer to `request`.
pub fn classify_reply(request: &Iq, reply: &Iq) -> Outcome {
    if reply.id != request.id || reply.from != request.to {
        return Outcome::NotAReply;
    }
    match reply.type_ {
        IqType::Result => {
            let Some(payload) = reply.payloads.first() else {
                return Outcome::Success(Reply::Empty);
            };
            if let Some(p) = payload.get::<Pubsub>() {
                return p.map_or_else(
                    |e| Outcome::Malformed(e.to_string()),
                    |p| Outcome::Success(Reply::Pubsub(Box::new(p))),
                );
            }
            if let Some(p) = payload.get::<OwnerPubsub>() {
                return p.map_or_else(
                    |e| Outcome::Malformed(e.to_string()),
                    |p| Outcome::Success(Reply::Owner(Box::new(p))),
                );
            }
            let el = payload.to_element();
            Outcome::Malformed(format!(
                "unexpected result payload <{}/> in {}",
                el.name(),
                el.ns()
            ))
        }
        IqType::Error => match &reply.error {
            Some(e) => match PubsubError::from_stanza_error(e) {
                Ok(pe) => Outcome::Failed(pe),
                Err(err) => Outcome::Malformed(err.to_string()),
            },
            None => Outcome::Malformed("error reply without <error/>".into()),
        },
        _ => Outcome::NotAReply,
    }
}

/// Reads the `pubsub#event` of a notification message, if it has one.
pub fn event_of(message: &xep_core::Message) -> Option<Result<crate::Event, xep_element::Error>> {
    message.payload::<crate::Event>()
}

/// Reads the SHIM headers of a notification message, if it has them.
pub fn headers_of(
    message: &xep_core::Message,
) -> Option<Result<crate::shim::Headers, xep_element::Error>> {
    message.payload::<crate::shim::Headers>()
}
