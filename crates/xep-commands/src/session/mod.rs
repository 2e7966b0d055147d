//! Command sessions: the [`Requester`] that executes a command at another
//! entity, and the [`Responder`] that offers commands.
//!
//! Both follow the state-machine contract of ARCHITECTURE.md: inputs
//! (`handle_iq(now, &iq)`) return whether the iq was the machine's,
//! outputs are polled (`poll_transmit`, `poll_event`, `poll_timeout` with
//! `handle_timeout`), a caller's misuse is a [`CommandError`] (nothing
//! sent) and a peer's fault is answered on the wire and reported as an
//! event.
//!
//! The rules both sides apply come from [`resolve`](crate::resolve): at
//! each stage the responder's `<actions/>` say which of `prev`, `next`
//! and `complete` the requester may send (`cancel` always), and what
//! `execute` stands for.

mod requester;
mod responder;

pub use requester::{Event, Failure, Refusal, Requester, RequesterConfig, State};
pub use responder::{Reply, RequestId, Responder, ResponderConfig, ResponderEvent, SessionInfo};

use std::fmt;

/// A caller's misuse of a [`Requester`] or a [`Responder`]: nothing was
/// sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    /// The action is not possible in this state.
    WrongState {
        /// What was asked.
        action: &'static str,
        /// The state met.
        state: String,
    },
    /// The current stage does not allow this action (its `<actions/>`).
    NotAllowed {
        /// The action refused.
        action: crate::Action,
    },
    /// No pending request has this id (answered already, or never one).
    UnknownRequest(RequestId),
    /// A sessionid is empty, or was given to a session before (§3.3: each
    /// sessionid is used once).
    BadSessionId(String),
    /// The stage's `<actions/>` are invalid: the default action is not
    /// allowed (§3.4).
    InvalidActions,
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::WrongState { action, state } => {
                write!(f, "cannot {action} in state {state}")
            }
            CommandError::NotAllowed { action } => {
                write!(f, "the stage does not allow the action {action:?}")
            }
            CommandError::UnknownRequest(r) => write!(f, "no pending request {}", r.0),
            CommandError::BadSessionId(s) => {
                write!(f, "sessionid '{s}' is empty or was used before")
            }
            CommandError::InvalidActions => {
                f.write_str("the stage's default action is not among its allowed actions")
            }
        }
    }
}

impl std::error::Error for CommandError {}
