//! XEP-0050 Ad-Hoc Commands and XEP-0133 Service Administration.
//!
//! - The elements of `http://jabber.org/protocol/commands`: [`Command`]
//!   (node, sessionid, status, action, `xml:lang`, [`Actions`], [`Note`]s
//!   and the payloads in their order of precedence, a XEP-0004 data form
//!   first among them), [`Actions`] (the allowed `prev`/`next`/`complete`
//!   and the `execute` default, checked as §3.4 says) and the specific
//!   error conditions of §4.4 ([`CommandErrorCondition`], with the general
//!   condition and type each goes with: [`CommandErrorCondition::error`]).
//! - [`resolve`]: what an action means at a stage (`execute` is the
//!   stage's default, `next` without `<next/>` is refused, ...), the rule
//!   both sides share.
//! - Discovery: [`command_list_request`], [`commands_of`] (believes only the
//!   command nodes of the entity asked, §5), [`command_list`] and
//!   [`command_info`] for a responder.
//! - Sessions: [`Requester`] and [`Responder`], sans-IO machines following
//!   the state-machine contract of ARCHITECTURE.md (see [`session`]).
//! - XEP-0133: the command nodes ([`admin::AdminCommand`]) and typed views
//!   of their forms ([`admin`]).
//!
//! ```
//! use std::time::Instant;
//! use xep_commands::{Actions, ExecuteAction, Requester, RequesterConfig, Responder, ResponderConfig};
//! use xep_commands::session::{Reply, ResponderEvent, State};
//!
//! let now = Instant::now();
//! let admin: xep_element::jid::Jid = "bard@shakespeare.lit/globe".parse().unwrap();
//! let server: xep_element::jid::Jid = "shakespeare.lit".parse().unwrap();
//! let mut requester = Requester::new(server.clone(), "config", RequesterConfig::default());
//! let mut responder = Responder::new(ResponderConfig::default());
//! responder.add_command("config", "Configure Service");
//!
//! // The requester executes the command; the responder asks its caller.
//! requester.execute(now).unwrap();
//! let mut iq = requester.poll_transmit().unwrap();
//! iq.from = Some(admin.clone());
//! assert!(responder.handle_iq(now, &iq));
//! let Some(ResponderEvent::Execute { request, .. }) = responder.poll_event() else { panic!() };
//! // The caller answers with the first stage and a sessionid of its own.
//! let stage = Reply::stage(Some(Actions::new(Some(ExecuteAction::Next), false, true, false)));
//! responder.start(now, request, "config:1", stage).unwrap();
//! let mut reply = responder.poll_transmit().unwrap();
//! reply.from = Some(server.clone());
//! assert!(requester.handle_iq(now, &reply));
//! assert_eq!(requester.state(), State::Executing);
//! assert_eq!(requester.sessionid(), Some("config:1"));
//! // <next/> is allowed, <prev/> is not.
//! assert!(requester.prev(now).is_err());
//! requester.next(now, None).unwrap();
//! ```

#![warn(missing_docs)]

pub mod admin;
pub mod session;
#[cfg(any(test, feature = "sim"))]
pub mod sim;

pub use session::{Requester, RequesterConfig, Responder, ResponderConfig};

use std::fmt;

use xep_core::{DefinedCondition, ErrorType, Iq, Message, StanzaError};
use xep_disco::{DiscoInfo, DiscoItem, DiscoItems, Feature, Identity};
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement, XmlValue};
use xep_forms::DataForm;

/// `http://jabber.org/protocol/commands`.
pub const NS: &str = "http://jabber.org/protocol/commands";
/// The well-known service discovery node listing an entity's commands
/// (the namespace itself, §2.2).
pub const NODE: &str = NS;
/// The service discovery category of commands (§6.2).
pub const CATEGORY: &str = "automation";
/// The identity type of the command list node.
pub const TYPE_COMMAND_LIST: &str = "command-list";
/// The identity type of one command's node.
pub const TYPE_COMMAND_NODE: &str = "command-node";

/// `action` of a [`Command`] (§4.1): what the requester asks for.
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Cancel the session.
    Cancel,
    /// Complete the command (if possible).
    Complete,
    /// Execute, or go on executing: the default, equal to the stage's
    /// `execute` attribute (see [`resolve`]).
    Execute,
    /// Go to the next stage.
    Next,
    /// Go back to the previous stage.
    Prev,
}

/// `status` of a [`Command`] (§4.1): where the session is, set by the
/// responder (a requester's is ignored).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The command was canceled; the session has ended.
    Canceled,
    /// The command completed; the session has ended.
    Completed,
    /// The command is being executed.
    Executing,
}

/// `execute` of [`Actions`] and the actions a stage may allow (§4.2).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExecuteAction {
    /// `<complete/>`.
    Complete,
    /// `<next/>`.
    Next,
    /// `<prev/>`.
    Prev,
}

impl From<ExecuteAction> for Action {
    fn from(a: ExecuteAction) -> Action {
        match a {
            ExecuteAction::Complete => Action::Complete,
            ExecuteAction::Next => Action::Next,
            ExecuteAction::Prev => Action::Prev,
        }
    }
}

/// `type` of a [`Note`] (§4.3); absent means `info`.
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NoteType {
    /// An error: the text says why (a command that completes but fails
    /// carries at least one, §3.6).
    Error,
    /// Informational only.
    #[default]
    Info,
    /// A warning.
    Warn,
}

/// `<command/>` (§4.1).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "command", validate = Command::check)]
pub struct Command {
    /// The command's node (the disco item's node).
    #[xml(attr)]
    pub node: String,
    /// The session, given by the responder in its first answer and kept
    /// by the requester after; never empty.
    #[xml(attr)]
    pub sessionid: Option<String>,
    /// Set by the responder.
    #[xml(attr)]
    pub status: Option<Status>,
    /// Set by the requester (absent: `execute`).
    #[xml(attr)]
    pub action: Option<Action>,
    /// The language of the session.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The actions this stage allows (responder only).
    #[xml(child)]
    pub actions: Option<Actions>,
    /// Notes about the command's status.
    #[xml(child)]
    pub notes: Vec<Note>,
    /// The payloads, in their order of precedence (§3.5): a XEP-0004 data
    /// form (see [`Command::form`]), XEP-0066 URLs, anything else.
    #[xml(children(foreign))]
    pub payloads: Vec<Payload>,
}

impl Command {
    /// A bare command for `node`: no session, status or action.
    pub fn new(node: impl Into<String>) -> Command {
        Command {
            node: node.into(),
            sessionid: None,
            status: None,
            action: None,
            lang: None,
            actions: None,
            notes: Vec::new(),
            payloads: Vec::new(),
        }
    }

    fn check(&self) -> Result<(), Error> {
        if self.sessionid.as_deref() == Some("") {
            return Err(Error::invalid(
                "an empty 'sessionid' (XEP-0050 §4.1: it MUST NOT be empty)",
            ));
        }
        // The data forms are read now, so that a malformed one is an
        // error here, with its path.
        for p in &self.payloads {
            if let Some(Err(e)) = p.get::<DataForm>() {
                return Err(e);
            }
        }
        Ok(())
    }

    /// The first data form among the payloads (the one that takes
    /// precedence), if any.
    pub fn form(&self) -> Option<DataForm> {
        self.payloads
            .iter()
            .find_map(|p| p.get::<DataForm>())
            .and_then(Result::ok)
    }

    /// The action asked for (absent: `execute`).
    pub fn effective_action(&self) -> Action {
        self.action.unwrap_or(Action::Execute)
    }

    /// Whether a completed command failed: it carries a `<note
    /// type='error'/>` (§3.6).
    pub fn failed(&self) -> bool {
        self.notes
            .iter()
            .any(|n| n.effective_type() == NoteType::Error)
    }
}

/// `<actions/>` (§4.2): the actions a stage allows, and which one
/// `execute` stands for.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[xml(ns = NS, name = "actions", validate = Actions::check)]
pub struct Actions {
    /// What `execute` means here (absent: `next`).
    #[xml(attr)]
    pub execute: Option<ExecuteAction>,
    /// `<prev/>`: going back is allowed.
    #[xml(flag)]
    pub prev: bool,
    /// `<next/>`: going on is allowed.
    #[xml(flag)]
    pub next: bool,
    /// `<complete/>`: completing is allowed.
    #[xml(flag)]
    pub complete: bool,
}

impl Actions {
    /// The actions of a stage; `execute` must be one of those allowed
    /// (absent: `next` must be), see [`Actions::is_valid`].
    pub fn new(execute: Option<ExecuteAction>, prev: bool, next: bool, complete: bool) -> Actions {
        Actions {
            execute,
            prev,
            next,
            complete,
        }
    }

    /// What `execute` stands for: the attribute, or `next` (§3.4).
    pub fn default_action(&self) -> ExecuteAction {
        self.execute.unwrap_or(ExecuteAction::Next)
    }

    /// Whether `action` is among those allowed.
    pub fn allows(&self, action: ExecuteAction) -> bool {
        match action {
            ExecuteAction::Prev => self.prev,
            ExecuteAction::Next => self.next,
            ExecuteAction::Complete => self.complete,
        }
    }

    /// The allowed actions, in the order prev, next, complete.
    pub fn allowed(&self) -> Vec<ExecuteAction> {
        [
            ExecuteAction::Prev,
            ExecuteAction::Next,
            ExecuteAction::Complete,
        ]
        .into_iter()
        .filter(|a| self.allows(*a))
        .collect()
    }

    /// Whether the default action is allowed: §3.4 calls a stage whose
    /// `execute` (or the `next` it defaults to) is not allowed invalid.
    pub fn is_valid(&self) -> bool {
        self.allows(self.default_action())
    }

    fn check(&self) -> Result<(), Error> {
        if self.is_valid() {
            return Ok(());
        }
        Err(Error::invalid(format!(
            "execute='{}'{} is not among the allowed actions (XEP-0050 §3.4)",
            self.default_action().to_xml(),
            if self.execute.is_none() {
                " (the default)"
            } else {
                ""
            }
        )))
    }
}

/// `<note/>` (§4.3).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "note")]
pub struct Note {
    /// The severity (absent: `info`).
    #[xml(attr(name = "type"))]
    pub type_: Option<NoteType>,
    /// The user-readable text.
    #[xml(text)]
    pub text: String,
}

impl Note {
    /// A note of `type_`.
    pub fn new(type_: NoteType, text: impl Into<String>) -> Note {
        Note {
            type_: Some(type_),
            text: text.into(),
        }
    }

    /// The severity, `info` when absent.
    pub fn effective_type(&self) -> NoteType {
        self.type_.unwrap_or_default()
    }
}

/// The specific error conditions of §4.4.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[xml(ns = NS)]
pub enum CommandErrorCondition {
    /// The responder cannot accept the action (`bad-request`, modify).
    BadAction,
    /// The responder cannot accept the language (`bad-request`, modify).
    BadLocale,
    /// The responder cannot accept the payload, e.g. a required field is
    /// missing (`bad-request`, modify).
    BadPayload,
    /// The responder cannot accept the sessionid (`bad-request`, modify).
    BadSessionid,
    /// The responder does not understand the action (`bad-request`,
    /// modify).
    MalformedAction,
    /// The session is no longer active: completed, canceled or timed out
    /// (`not-allowed`, cancel).
    SessionExpired,
}

impl CommandErrorCondition {
    /// The stanza error §4.4 pairs the condition with.
    pub fn error(self) -> StanzaError {
        let (type_, condition) = match self {
            CommandErrorCondition::SessionExpired => {
                (ErrorType::Cancel, DefinedCondition::NotAllowed)
            }
            _ => (ErrorType::Modify, DefinedCondition::BadRequest),
        };
        let mut e = StanzaError::new(type_, condition);
        e.app.push(Payload::new(self));
        e
    }

    /// The specific condition of `error`, if it carries one of this
    /// namespace.
    pub fn of(error: &StanzaError) -> Option<CommandErrorCondition> {
        error
            .app
            .iter()
            .find_map(|p| p.get::<CommandErrorCondition>())
            .and_then(Result::ok)
    }
}

impl fmt::Display for CommandErrorCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CommandErrorCondition::BadAction => "bad-action",
            CommandErrorCondition::BadLocale => "bad-locale",
            CommandErrorCondition::BadPayload => "bad-payload",
            CommandErrorCondition::BadSessionid => "bad-sessionid",
            CommandErrorCondition::MalformedAction => "malformed-action",
            CommandErrorCondition::SessionExpired => "session-expired",
        })
    }
}

/// The errors of §4.4 without a specific condition.
pub mod errors {
    use xep_core::{DefinedCondition, ErrorType, StanzaError};

    /// The requester may not execute the command (`forbidden`).
    pub fn forbidden() -> StanzaError {
        StanzaError::new(ErrorType::Cancel, DefinedCondition::Forbidden)
    }

    /// No such command node (`item-not-found`).
    pub fn item_not_found() -> StanzaError {
        StanzaError::new(ErrorType::Cancel, DefinedCondition::ItemNotFound)
    }

    /// Ad-hoc commands are not supported (`feature-not-implemented`).
    pub fn feature_not_implemented() -> StanzaError {
        StanzaError::new(ErrorType::Cancel, DefinedCondition::FeatureNotImplemented)
    }

    /// A second session of the same command is not allowed (§3.3:
    /// `not-allowed`).
    pub fn second_session() -> StanzaError {
        StanzaError::new(ErrorType::Cancel, DefinedCondition::NotAllowed)
    }
}

/// What an action resolves to at a stage ([`resolve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resolved {
    /// Back to the previous stage.
    Prev,
    /// On to the next stage.
    Next,
    /// Complete the command.
    Complete,
    /// Cancel the session (always allowed).
    Cancel,
}

impl From<ExecuteAction> for Resolved {
    fn from(a: ExecuteAction) -> Resolved {
        match a {
            ExecuteAction::Complete => Resolved::Complete,
            ExecuteAction::Next => Resolved::Next,
            ExecuteAction::Prev => Resolved::Prev,
        }
    }
}

/// What `action` means at a stage whose `<actions/>` is `actions`, or
/// `None` when the stage does not allow it (§3.4): `cancel` is always
/// allowed; without `<actions/>` (a single-stage view) `execute` and
/// `complete` complete the command and nothing else is allowed; with it,
/// `execute` is its default and `prev`, `next` and `complete` need their
/// element.
pub fn resolve(actions: Option<&Actions>, action: Action) -> Option<Resolved> {
    let wanted = match action {
        Action::Cancel => return Some(Resolved::Cancel),
        Action::Execute => match actions {
            None => return Some(Resolved::Complete),
            Some(a) => a.default_action(),
        },
        Action::Prev => ExecuteAction::Prev,
        Action::Next => ExecuteAction::Next,
        Action::Complete => ExecuteAction::Complete,
    };
    match actions {
        None => (wanted == ExecuteAction::Complete).then_some(Resolved::Complete),
        Some(a) => a.allows(wanted).then_some(wanted.into()),
    }
}

/// The disco#items request for `to`'s commands (§2.2).
pub fn command_list_request(id: impl Into<String>, to: Option<Jid>) -> Iq {
    xep_disco::items_request(id, to, Some(NODE))
}

/// The commands of a disco#items result for [`NODE`] (or a message
/// announcing them, §2.3) that `responder` may offer: §5 has the
/// requester ignore command nodes at another JID than the responder's,
/// which are dropped here. `None` when `items` is not the command list.
pub fn commands_of(items: &DiscoItems, responder: &Jid) -> Option<Vec<DiscoItem>> {
    if items.node.as_deref() != Some(NODE) {
        return None;
    }
    Some(
        items
            .items
            .iter()
            .filter(|i| &i.jid == responder && i.node.is_some())
            .cloned()
            .collect(),
    )
}

/// The commands a message announces (§2.3), believed only from
/// `responder` and only at its own JID ([`commands_of`]); `None` when the
/// message is from someone else or announces nothing.
pub fn announced_commands(message: &Message, responder: &Jid) -> Option<Vec<DiscoItem>> {
    if message.from.as_ref() != Some(responder) {
        return None;
    }
    let items = message.payload::<DiscoItems>()?.ok()?;
    commands_of(&items, responder)
}

/// A responder's command list: one item per `(node, name)` at its own JID
/// `me` (§2.2; §5: a responder lists only its own nodes).
pub fn command_list<'a>(
    me: &Jid,
    commands: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> DiscoItems {
    DiscoItems {
        node: Some(NODE.into()),
        items: commands
            .into_iter()
            .map(|(node, name)| DiscoItem::new(me.clone(), Some(node), Some(name)))
            .collect(),
        extensions: Vec::new(),
    }
}

/// The disco#info of one command's node (§2.2): the `automation/command-node`
/// identity, the commands feature and `jabber:x:data`.
pub fn command_info(node: &str, name: Option<&str>) -> DiscoInfo {
    DiscoInfo {
        node: Some(node.into()),
        identities: vec![Identity::new(CATEGORY, TYPE_COMMAND_NODE, name)],
        features: vec![Feature::new(NS), Feature::new(xep_forms::NS)],
        forms: Vec::new(),
        extensions: Vec::new(),
    }
}

xep_element::elements! {
    "XEP-0050" => [Command, Actions, Note, CommandErrorCondition],
}

#[cfg(test)]
mod tests;
