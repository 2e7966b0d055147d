//! XEP-0220 §2.5 multiplexing: more domain pairs on a server-to-server
//! stream after the first, each authorized by its own dialback, and
//! the rule that stanzas travel only between authorized pairs.
//!
//! Once [`Initiator`](crate::initiator::Initiator) and
//! [`Receiver`](crate::receiver::Receiver) are ready, the stream is the
//! caller's; these two trackers hold what it may then carry:
//!
//! - [`Outgoing`] (the initiating server): [`Outgoing::request`] a new
//!   pair (its `<db:result/>` with the XEP-0185 key), then
//!   [`Outgoing::handle`] the receiving server's answer. Target
//!   multiplexing (a new target domain) needs the receiving server's
//!   dialback-with-errors feature (§2.5.2: SHOULD NOT otherwise). An answer
//!   for a pair never asked about is refused ([`MultiplexError::Unsolicited`]:
//!   the 2012 attacks of §4.1 sent exactly those).
//! - [`Incoming`] (the receiving server): [`Incoming::handle_request`]
//!   records a request, which the caller verifies with the sender's
//!   authoritative server (`<db:verify/>`), then [`Incoming::answer`]s;
//!   it never answers a pair that was not asked.
//!
//! Both tell which stanzas the stream may carry: from the initiating
//! server, only those whose `from` and `to` domains are an authorized
//! pair ([`Incoming::accepts`], [`Outgoing::may_send`]); with XEP-0288
//! bidirectionality, the reverse direction of those pairs too
//! ([`Outgoing::accepts`], [`Incoming::may_send`]).

use std::collections::HashSet;

use xep_core::StanzaError;
use xep_element::jid::Jid;

use crate::receiver::DialbackAnswer;
use crate::s2s::{DialbackResult, DialbackType, dialback_key};

/// A domain pair: (sender domain, target domain).
type Pair = (String, String);

fn pair(from: &Jid, to: &Jid) -> Pair {
    (from.domain().to_string(), to.domain().to_string())
}

/// Why a multiplexing step was refused; nothing was sent or changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MultiplexError {
    /// The pair is authorized already.
    AlreadyAuthorized,
    /// A request for the pair is pending.
    Pending,
    /// A new target domain, and the receiving server did not announce
    /// dialback errors (XEP-0220 §2.5.2).
    TargetMultiplexingUnsupported,
    /// An answer (or, for [`Incoming::answer`], a verdict) for a pair
    /// that was not asked about: refused, never believed.
    Unsolicited,
    /// Not a dialback request (it has a `type`, or no key), or not an
    /// answer (no `type`).
    Malformed(&'static str),
}

impl std::fmt::Display for MultiplexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MultiplexError::AlreadyAuthorized => {
                f.write_str("the domain pair is authorized already")
            }
            MultiplexError::Pending => f.write_str("a dialback request for the pair is pending"),
            MultiplexError::TargetMultiplexingUnsupported => f.write_str(
                "target multiplexing without the peer's dialback errors (XEP-0220 §2.5.2)",
            ),
            MultiplexError::Unsolicited => {
                f.write_str("a dialback answer for a pair that was not asked about (XEP-0220 §4.1)")
            }
            MultiplexError::Malformed(what) => write!(f, "not a dialback {what}"),
        }
    }
}

impl std::error::Error for MultiplexError {}

/// The outcome of one multiplexed pair, for the initiating server.
#[derive(Debug, Clone, PartialEq)]
pub enum PairOutcome {
    /// `type='valid'`: stanzas may go from `from` to `to`.
    Authorized {
        /// The sender domain.
        from: Jid,
        /// The target domain.
        to: Jid,
    },
    /// `type='invalid'`: the key was refused.
    Refused {
        /// The sender domain.
        from: Jid,
        /// The target domain.
        to: Jid,
    },
    /// `type='error'`: not checked (the stream stays, XEP-0220 §2.4).
    Error {
        /// The sender domain.
        from: Jid,
        /// The target domain.
        to: Jid,
        /// The receiving server's error.
        error: Box<StanzaError>,
    },
}

/// The initiating server's domain pairs on one stream.
#[derive(Clone)]
pub struct Outgoing {
    stream_id: String,
    secret: String,
    first_target: String,
    dialback_errors: bool,
    bidi: bool,
    authorized: HashSet<Pair>,
    pending: HashSet<Pair>,
}

impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing")
            .field("stream_id", &self.stream_id)
            .field("authorized", &self.authorized)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl Outgoing {
    /// The stream `ready` opened (`stream_id`: the id of the receiving
    /// server's header), with its first pair authorized; `secret` for the
    /// keys of the next ones; `dialback_errors`: the receiving server
    /// announced `<dialback><errors/></dialback>`.
    pub fn new(
        ready: &crate::initiator::Ready,
        stream_id: impl Into<String>,
        secret: impl Into<String>,
        dialback_errors: bool,
    ) -> Self {
        Outgoing {
            stream_id: stream_id.into(),
            secret: secret.into(),
            first_target: ready.to.domain().to_string(),
            dialback_errors,
            bidi: ready.bidi,
            authorized: HashSet::from([pair(&ready.from, &ready.to)]),
            pending: HashSet::new(),
        }
    }

    /// The `<db:result/>` asking to authorize `from` (a domain of this
    /// server) towards `to`.
    pub fn request(&mut self, from: &Jid, to: &Jid) -> Result<DialbackResult, MultiplexError> {
        let p = pair(from, to);
        if self.authorized.contains(&p) {
            return Err(MultiplexError::AlreadyAuthorized);
        }
        if self.pending.contains(&p) {
            return Err(MultiplexError::Pending);
        }
        if p.1 != self.first_target && !self.dialback_errors {
            return Err(MultiplexError::TargetMultiplexingUnsupported);
        }
        let key = dialback_key(&self.secret, &p.1, &p.0, &self.stream_id);
        self.pending.insert(p.clone());
        Ok(DialbackResult::request(
            Jid::from(from.to_bare()),
            Jid::from(to.to_bare()),
            key,
        ))
    }

    /// The receiving server's answer (`from` the target domain, `to` the
    /// sender domain), for a pending pair only.
    pub fn handle(&mut self, answer: &DialbackResult) -> Result<PairOutcome, MultiplexError> {
        let Some(type_) = answer.type_ else {
            return Err(MultiplexError::Malformed("answer"));
        };
        // The answer's from/to are the request's swapped.
        let p = pair(&answer.to, &answer.from);
        if !self.pending.remove(&p) {
            return Err(MultiplexError::Unsolicited);
        }
        let (from, to) = (answer.to.clone(), answer.from.clone());
        Ok(match type_ {
            DialbackType::Valid => {
                self.authorized.insert(p);
                PairOutcome::Authorized { from, to }
            }
            DialbackType::Invalid => PairOutcome::Refused { from, to },
            DialbackType::Error => PairOutcome::Error {
                from,
                to,
                error: Box::new(answer.error.clone().unwrap_or_else(|| {
                    StanzaError::new(
                        xep_core::ErrorType::Cancel,
                        xep_core::DefinedCondition::UndefinedCondition,
                    )
                })),
            },
        })
    }

    /// Whether a stanza from `from` to `to` may be sent on the stream.
    pub fn may_send(&self, from: &Jid, to: &Jid) -> bool {
        self.authorized.contains(&pair(from, to))
    }

    /// Whether a stanza received from `from` to `to` is believed: only
    /// on a bidirectional stream, in the reverse direction of an
    /// authorized pair (XEP-0288).
    pub fn accepts(&self, from: &Jid, to: &Jid) -> bool {
        self.bidi && self.authorized.contains(&pair(to, from))
    }
}

/// The receiving server's domain pairs on one stream.
#[derive(Debug, Clone)]
pub struct Incoming {
    bidi: bool,
    authorized: HashSet<Pair>,
    pending: HashSet<Pair>,
}

impl Incoming {
    /// The stream `ready` accepted, with its first pair authorized.
    pub fn new(ready: &crate::receiver::Ready) -> Self {
        Incoming {
            bidi: ready.bidi,
            authorized: HashSet::from([pair(&ready.from, &ready.to)]),
            pending: HashSet::new(),
        }
    }

    /// A `<db:result/>` request for a new pair: recorded. Verify its key
    /// with the sender domain's authoritative server (`<db:verify/>`),
    /// check that `to` is a domain served here (else answer
    /// `item-not-found`), then [`answer`](Self::answer).
    pub fn handle_request(&mut self, request: &DialbackResult) -> Result<(), MultiplexError> {
        if request.type_.is_some() || request.key().is_none() {
            return Err(MultiplexError::Malformed("request"));
        }
        let p = pair(&request.from, &request.to);
        if self.authorized.contains(&p) {
            return Err(MultiplexError::AlreadyAuthorized);
        }
        if !self.pending.insert(p) {
            return Err(MultiplexError::Pending);
        }
        Ok(())
    }

    /// The answer to the pending request for `from` → `to`; a valid one
    /// authorizes the pair.
    pub fn answer(
        &mut self,
        from: &Jid,
        to: &Jid,
        verdict: DialbackAnswer,
    ) -> Result<DialbackResult, MultiplexError> {
        let p = pair(from, to);
        if !self.pending.remove(&p) {
            return Err(MultiplexError::Unsolicited);
        }
        let request =
            DialbackResult::request(Jid::from(from.to_bare()), Jid::from(to.to_bare()), "");
        Ok(match verdict {
            DialbackAnswer::Valid => {
                self.authorized.insert(p);
                DialbackResult::answer(&request, true)
            }
            DialbackAnswer::Invalid => DialbackResult::answer(&request, false),
            DialbackAnswer::Error(e) => DialbackResult::error(&request, e),
        })
    }

    /// Whether a stanza received from `from` to `to` is believed: its
    /// domains must be an authorized pair.
    pub fn accepts(&self, from: &Jid, to: &Jid) -> bool {
        self.authorized.contains(&pair(from, to))
    }

    /// Whether a stanza from `from` to `to` may be sent back on the
    /// stream: only when bidirectional, in the reverse direction of an
    /// authorized pair.
    pub fn may_send(&self, from: &Jid, to: &Jid) -> bool {
        self.bidi && self.authorized.contains(&pair(to, from))
    }
}

#[cfg(test)]
mod tests;
