//! XEP-0163 Personal Eventing Protocol and XEP-0223 private storage: the
//! helpers a client needs on top of XEP-0060.

use xep_forms::{FormType, FormView};

use crate::forms::{AccessModel, PublishOptionsForm};
use crate::{Item, PublishOptions, Pubsub};

/// The suffix of a PEP notification filter (XEP-0163 §4).
pub const NOTIFY_SUFFIX: &str = "+notify";

/// The entity-capabilities feature saying "send me notifications of
/// `node`" (XEP-0163 §4: the NodeID followed by `+notify`).
pub fn notify_feature(node: &str) -> String {
    format!("{node}{NOTIFY_SUFFIX}")
}

/// The node a `+notify` feature asks for, if `feature` is one.
pub fn notify_node(feature: &str) -> Option<&str> {
    feature
        .strip_suffix(NOTIFY_SUFFIX)
        .filter(|n| !n.is_empty())
}

/// The publish-options of XEP-0223 private storage: items persisted
/// (`pubsub#persist_items` true) and access restricted to the account
/// owner (`pubsub#access_model` whitelist). They are preconditions
/// (XEP-0060 §7.1.5): a service creates the node with them, and refuses a
/// publication to an existing node configured otherwise with
/// `<conflict/>` + `<precondition-not-met/>`.
pub fn private_storage_options() -> PublishOptionsForm {
    PublishOptionsForm {
        persist_items: Some(true),
        access_model: Some(AccessModel::Whitelist),
        ..PublishOptionsForm::default()
    }
}

/// The `<pubsub/>` storing `item` privately in `node` (XEP-0223 §3):
/// a publish with [`private_storage_options`] as publish-options.
pub fn private_publish(node: impl Into<String>, item: Item) -> Pubsub {
    let mut p = Pubsub::publish_items(node, vec![item]);
    p.publish_options = Some(PublishOptions {
        form: Some(private_storage_options().to_form(FormType::Submit)),
    });
    p
}

/// Whether `options` ask for private storage as XEP-0223 defines it.
pub fn is_private_storage(options: &PublishOptionsForm) -> bool {
    options.persist_items == Some(true) && options.access_model == Some(AccessModel::Whitelist)
}
