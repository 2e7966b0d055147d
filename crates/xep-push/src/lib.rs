//! XEP-0357 Push Notifications: an app client asks its server to
//! [`enable`] pushes to a push service (a JID and node, with publish
//! options such as a secret) and to [`disable`] them; the server
//! publishes a [`Notification`] (with a [`Summary`] form) to each
//! enabled service.
//!
//! [`Services`] is the server's side: the enabled (JID, node) pairs of
//! one account, kept by the rules of §5 and §6 (enabling again replaces
//! the options; disabling without a node removes every node of that
//! JID), [`Services::publish`] builds the publications and
//! [`Services::publish_failed`] disables a pair whose publication got an
//! error (§7.1). Requests are believed only from the account itself
//! (§5: sent to the user's own bare JID); [`Services::handle`] refuses
//! others.
//!
//! ```
//! use xep_push::{Services, Summary, enable};
//! use xep_forms::FormView;
//!
//! let account: xep_element::jid::Jid = "juliet@capulet.example".parse().unwrap();
//! let mut request = enable("e1", "push-5.client.example".parse().unwrap(), "yxs32uqsflafdk3iuqo", None).unwrap();
//! request.from = Some("juliet@capulet.example/balcony".parse().unwrap());
//! let mut services = Services::default();
//! assert!(services.handle(&request, &account).is_ok());
//! let summary = Summary { message_count: Some(1), ..Summary::default() };
//! let publications = services.publish("p", &summary.to_form(xep_forms::FormType::Submit));
//! assert_eq!(publications.len(), 1);
//! ```

#![warn(missing_docs)]

use std::fmt;

use xep_core::{Iq, IqType};
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};
use xep_forms::{DataForm, FormType, form_view};
use xep_pubsub::{Item, request};

/// `urn:xmpp:push:0`.
pub const NS: &str = "urn:xmpp:push:0";
/// The FORM_TYPE of publish options in an enable request.
pub const PUBLISH_OPTIONS: &str = "http://jabber.org/protocol/pubsub#publish-options";

/// `<enable/>`: push to `jid` at `node`, with publish options.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "enable")]
pub struct Enable {
    /// The push service.
    #[xml(attr)]
    pub jid: Jid,
    /// The node at the service (the device's registration).
    #[xml(attr)]
    pub node: String,
    /// Publish options (FORM_TYPE `pubsub#publish-options`), e.g. a
    /// secret the app server requires.
    #[xml(child)]
    pub forms: Vec<DataForm>,
}

/// `<disable/>`: stop pushing to `jid` (at `node`, or every node).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "disable")]
pub struct Disable {
    /// The push service.
    #[xml(attr)]
    pub jid: Jid,
    /// The node; absent: all of the service's nodes.
    #[xml(attr)]
    pub node: Option<String>,
}

/// `<notification/>`: the payload a server publishes.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "notification")]
pub struct Notification {
    /// Forms, e.g. the [`Summary`].
    #[xml(child)]
    pub forms: Vec<DataForm>,
    /// Other elements relevant to the notification (§7).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

form_view! {
    /// The `urn:xmpp:push:summary` form of a notification (§7, §11.3).
    pub struct Summary = "urn:xmpp:push:summary" {
        /// Unread messages.
        message_count: Option<u64> = "message-count",
        /// Pending subscription requests.
        pending_subscription_count: Option<u64> = "pending-subscription-count",
        /// The sender of the last message.
        last_message_sender: Option<Jid> = "last-message-sender",
        /// The body of the last message (a privacy choice of the server).
        last_message_body: Option<String> = "last-message-body",
    }
}

/// Why an enable request cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnableError {
    /// The node is empty.
    EmptyNode,
    /// The options form is not of FORM_TYPE `pubsub#publish-options`
    /// (§5) or not a submission.
    NotPublishOptions(Option<String>),
}

impl fmt::Display for EnableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnableError::EmptyNode => f.write_str("a push registration needs a node"),
            EnableError::NotPublishOptions(t) => write!(
                f,
                "the options of an enable request are a submitted pubsub#publish-options form, not {t:?} (XEP-0357 §5)"
            ),
        }
    }
}

impl std::error::Error for EnableError {}

fn check_options(form: &DataForm) -> Result<(), EnableError> {
    if form.type_ != FormType::Submit || form.form_type() != Some(PUBLISH_OPTIONS) {
        return Err(EnableError::NotPublishOptions(
            form.form_type().map(str::to_owned),
        ));
    }
    Ok(())
}

/// The enable request (to the user's own server: no `to`).
pub fn enable(
    id: impl Into<String>,
    service: Jid,
    node: &str,
    options: Option<DataForm>,
) -> Result<Iq, EnableError> {
    if node.is_empty() {
        return Err(EnableError::EmptyNode);
    }
    if let Some(f) = &options {
        check_options(f)?;
    }
    Ok(Iq::set(
        id,
        None,
        Payload::new(Enable {
            jid: service,
            node: node.into(),
            forms: options.into_iter().collect(),
        }),
    ))
}

/// The disable request: `node` only, or every node of `service`.
pub fn disable(id: impl Into<String>, service: Jid, node: Option<&str>) -> Iq {
    Iq::set(
        id,
        None,
        Payload::new(Disable {
            jid: service,
            node: node.map(str::to_owned),
        }),
    )
}

/// One enabled push service.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    /// The service.
    pub jid: Jid,
    /// The node.
    pub node: String,
    /// The publish options to send with each publication.
    pub options: Option<DataForm>,
}

/// What a request did.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Enabled (or re-enabled with new options).
    Enabled(Registration),
    /// These registrations were disabled.
    Disabled(Vec<Registration>),
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Not an enable or disable request.
    NotPush,
    /// From another entity than the account (only the user enables
    /// pushes of their own account).
    NotFromAccount(Option<Jid>),
    /// The request does not parse.
    Malformed(Error),
    /// The options are not publish options.
    Options(EnableError),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NotPush => f.write_str("not a push request"),
            Refusal::NotFromAccount(j) => write!(f, "a push request from {j:?}, not the account"),
            Refusal::Malformed(e) => write!(f, "malformed push request: {e}"),
            Refusal::Options(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Refusal {}

/// The enabled push services of one account (see the crate docs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Services {
    enabled: Vec<Registration>,
}

impl Services {
    /// The enabled registrations.
    pub fn enabled(&self) -> &[Registration] {
        &self.enabled
    }

    /// Applies an enable or disable request received from the client
    /// `request.from`, for `account` (a bare JID).
    pub fn handle(&mut self, request: &Iq, account: &Jid) -> Result<Change, Refusal> {
        if request.type_ != IqType::Set {
            return Err(Refusal::NotPush);
        }
        let enable = request.payload::<Enable>();
        let disable = request.payload::<Disable>();
        if enable.is_none() && disable.is_none() {
            return Err(Refusal::NotPush);
        }
        let own = request
            .from
            .as_ref()
            .is_some_and(|f| f.to_bare() == account.to_bare());
        let addressed = request
            .to
            .as_ref()
            .is_none_or(|t| t.is_bare() && t.to_bare() == account.to_bare());
        if !own || !addressed {
            return Err(Refusal::NotFromAccount(request.from.clone()));
        }
        if let Some(e) = enable {
            let e = e.map_err(Refusal::Malformed)?;
            let options = e.forms.into_iter().next();
            if let Some(f) = &options {
                check_options(f).map_err(Refusal::Options)?;
            }
            let reg = Registration {
                jid: e.jid,
                node: e.node,
                options,
            };
            match self
                .enabled
                .iter_mut()
                .find(|r| r.jid == reg.jid && r.node == reg.node)
            {
                Some(existing) => *existing = reg.clone(),
                None => self.enabled.push(reg.clone()),
            }
            return Ok(Change::Enabled(reg));
        }
        let d = disable.expect("checked").map_err(Refusal::Malformed)?;
        let (gone, kept) = self
            .enabled
            .drain(..)
            .partition(|r| r.jid == d.jid && d.node.as_ref().is_none_or(|n| *n == r.node));
        self.enabled = kept;
        Ok(Change::Disabled(gone))
    }

    /// The publications of a notification carrying `summary` to every
    /// enabled service, each with its publish options (ids `{prefix}-N`).
    pub fn publish(&self, prefix: &str, summary: &DataForm) -> Vec<Iq> {
        self.enabled
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let item = Item {
                    id: None,
                    publisher: None,
                    payloads: vec![Payload::new(Notification {
                        forms: vec![summary.clone()],
                        extensions: Vec::new(),
                    })],
                };
                request::publish(
                    format!("{prefix}-{i}"),
                    Some(r.jid.clone()),
                    &r.node,
                    item,
                    r.options.clone(),
                )
            })
            .collect()
    }

    /// A publication to `jid` at `node` got an error: the pair is
    /// disabled (§7.1). Returns whether it was enabled.
    pub fn publish_failed(&mut self, jid: &Jid, node: &str) -> bool {
        let before = self.enabled.len();
        self.enabled.retain(|r| !(r.jid == *jid && r.node == node));
        before != self.enabled.len()
    }
}

xep_element::elements! {
    "XEP-0357" => [Enable, Disable, Notification],
}

#[cfg(test)]
mod tests;
