//! [`Walk`]: a sans-IO machine that pages through an archive to its end.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use xep_core::{Iq, IqType, Message, Stanza, StanzaError};
use xep_delay::Delay;
use xep_element::jid::{BareJid, Jid};
use xep_element::{Error, Payload};
use xep_rsm::Set;

use crate::{ArchiveResult, Filter, Fin, NS, Query};

/// Which way a [`Walk`] goes through the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// From the oldest message to the newest (RSM `after`).
    #[default]
    Forward,
    /// From the newest page back to the oldest (RSM `before`, starting
    /// with the last page); within a page results stay oldest first.
    Backward,
}

/// How a [`Walk`] queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Results asked for per page (RSM `max`); the archive may send fewer.
    pub page_size: u32,
    /// Forwards or backwards.
    pub direction: Direction,
    /// How long a page may take before the walk fails with
    /// [`Failure::TimedOut`].
    pub request_timeout: Duration,
    /// The prefix of the iq ids and query ids this walk writes
    /// (`{prefix}-{page}`): give each walk running at once its own.
    pub id_prefix: String,
    /// The pubsub node whose archive is queried, if any.
    pub node: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            page_size: 50,
            direction: Direction::Forward,
            request_timeout: Duration::from_secs(30),
            id_prefix: "mam".into(),
            node: None,
        }
    }
}

/// Where a [`Walk`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Not started.
    Idle,
    /// A page was asked for and its `<fin/>` has not come.
    Querying,
    /// The end of the archive (or of the filter) was reached.
    Complete,
    /// The walk ended without reaching the end ([`Event::Failed`]).
    Failed,
}

/// A message from the archive, believed: it came from the archive
/// queried, for this walk's query.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchivedMessage {
    /// Its id in the archive.
    pub id: String,
    /// The archived message.
    pub message: Message,
    /// When the archive received it (the `<delay/>` of its
    /// `<forwarded/>`, which §4.2 says it SHOULD carry).
    pub delay: Option<Delay>,
}

/// Why a result or reply was not believed ([`Event::Refused`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// Not from the archive queried (XEP-0313 §9.2: anyone can send a
    /// message holding a `<result/>`).
    WrongSender,
    /// A result for one of this walk's queries that is no longer open.
    NotOpen,
    /// The result holds an iq or a presence.
    NotAMessage,
    /// The `<result/>` does not parse.
    Malformed(Error),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::WrongSender => f.write_str("not from the archive queried (XEP-0313 §9.2)"),
            Refusal::NotOpen => f.write_str("a result for a query that is not open"),
            Refusal::NotAMessage => f.write_str("the archived stanza is not a message"),
            Refusal::Malformed(e) => write!(f, "malformed result: {e}"),
        }
    }
}

/// Why a [`Walk`] failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The archive answered with an error (`forbidden`, `item-not-found`
    /// for an unknown id, `feature-not-implemented` for an unknown field,
    /// ...).
    Error(StanzaError),
    /// No answer within [`Config::request_timeout`].
    TimedOut,
    /// The iq result holds no `<fin/>`, or one that does not parse.
    BadFin(Option<Error>),
    /// The archive gave as the next page the one just asked for: walking
    /// on would never end.
    Stalled,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Error(e) => write!(f, "the archive answered with an error: {:?}", e.condition),
            Failure::TimedOut => f.write_str("no answer from the archive in time"),
            Failure::BadFin(None) => f.write_str("the archive's answer holds no <fin/>"),
            Failure::BadFin(Some(e)) => write!(f, "the archive's <fin/> is malformed: {e}"),
            Failure::Stalled => f.write_str("the archive does not move to the next page"),
        }
    }
}

/// What a [`Walk`] reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// One archived message, in the order the archive sent it.
    Result(Box<ArchivedMessage>),
    /// A result or reply that was not believed, and was dropped.
    Refused {
        /// Its sender.
        from: Option<Jid>,
        /// Why.
        reason: Refusal,
    },
    /// A page ended (its `<fin/>` came): the RSM bounds the archive gave.
    PageEnd {
        /// The page's first id.
        first: Option<String>,
        /// The page's last id.
        last: Option<String>,
        /// The archive's count of matching messages, if it gave one.
        count: Option<u32>,
        /// Results believed in this page.
        results: u32,
        /// Whether the archive says its ids are stable.
        stable: bool,
    },
    /// The walk reached the end.
    Complete {
        /// Results believed over the whole walk.
        results: u64,
    },
    /// The walk ended without reaching the end.
    Failed(Failure),
}

/// A caller's misuse of a [`Walk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MamError {
    /// The action is not possible in this state.
    WrongState {
        /// What was asked.
        action: &'static str,
        /// The state met.
        state: State,
    },
}

impl fmt::Display for MamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MamError::WrongState { action, state } => {
                write!(f, "cannot {action} in state {state:?}")
            }
        }
    }
}

impl std::error::Error for MamError {}

/// Per-phase data.
#[derive(Debug, Clone)]
enum Phase {
    Idle,
    Querying {
        iq_id: String,
        queryid: String,
        deadline: Option<Instant>,
        results: u32,
    },
    Complete,
    Failed,
}

/// Whether `message` holds a XEP-0313 `<result/>`. A client drops such a
/// message when no [`Walk`] claimed it (§9.2: unsolicited results are
/// ignored), rather than showing it as a message.
pub fn is_archive_result(message: &Message) -> bool {
    message.payloads.iter().any(|p| {
        p.downcast_ref::<ArchiveResult>().is_some() || {
            let el = p.to_element();
            el.name() == "result" && el.ns() == NS
        }
    })
}

/// Walks an archive to its end, page by page, with RSM: the machine
/// behind "fetch everything since" and "scroll back through history".
///
/// It follows the state-machine contract of ARCHITECTURE.md: inputs
/// (`handle_message`, `handle_iq`) return whether the stanza was this
/// walk's, outputs are polled (`poll_transmit` for the query iqs,
/// `poll_event`, `poll_timeout` with `handle_timeout`), misuse is
/// [`MamError::WrongState`] and a peer's fault is an [`Event`].
///
/// Results are believed only when they come from the archive queried (a
/// room's bare JID, or the account's own archive: no `from` or the
/// account's bare JID) with the query id of the open page; everything
/// else that names one of this walk's queries is dropped with
/// [`Event::Refused`].
#[derive(Debug)]
pub struct Walk {
    account: BareJid,
    archive: Option<Jid>,
    filter: Filter,
    config: Config,
    phase: Phase,
    /// Pages asked for so far.
    pages: u64,
    /// The RSM cursor of the page asked for last (`after` forwards,
    /// `before` backwards; `None` for the first page).
    cursor: Option<String>,
    total: u64,
    transmits: VecDeque<Iq>,
    events: VecDeque<Event>,
}

impl Walk {
    /// A walk over `archive` (`None`: the account's own archive) for the
    /// messages `filter` selects.
    pub fn new(account: BareJid, archive: Option<Jid>, filter: Filter, config: Config) -> Walk {
        Walk {
            account,
            archive,
            filter,
            config,
            phase: Phase::Idle,
            pages: 0,
            cursor: None,
            total: 0,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Where the walk is.
    pub fn state(&self) -> State {
        match self.phase {
            Phase::Idle => State::Idle,
            Phase::Querying { .. } => State::Querying,
            Phase::Complete => State::Complete,
            Phase::Failed => State::Failed,
        }
    }

    /// The query id of the open page, if one is open.
    pub fn query_id(&self) -> Option<&str> {
        match &self.phase {
            Phase::Querying { queryid, .. } => Some(queryid),
            _ => None,
        }
    }

    /// Asks for the first page.
    pub fn start(&mut self, now: Instant) -> Result<(), MamError> {
        if !matches!(self.phase, Phase::Idle) {
            return Err(MamError::WrongState {
                action: "start a walk",
                state: self.state(),
            });
        }
        self.query(now);
        Ok(())
    }

    fn query(&mut self, now: Instant) {
        self.pages += 1;
        let id = format!("{}-{}", self.config.id_prefix, self.pages);
        let max = self.config.page_size;
        let set = match (self.config.direction, &self.cursor) {
            (Direction::Forward, None) => Set::first_page(max),
            (Direction::Forward, Some(c)) => Set::next_page(max, c.clone()),
            (Direction::Backward, None) => Set::previous_page(max, ""),
            (Direction::Backward, Some(c)) => Set::previous_page(max, c.clone()),
        };
        let query = Query {
            queryid: Some(id.clone()),
            node: self.config.node.clone(),
            form: (!self.filter.is_empty()).then(|| self.filter.to_form()),
            set: Some(set),
            flip_page: false,
            extensions: Vec::new(),
        };
        self.transmits.push_back(Iq::set(
            id.clone(),
            self.archive.clone(),
            Payload::new(query),
        ));
        self.phase = Phase::Querying {
            iq_id: id.clone(),
            queryid: id,
            deadline: now.checked_add(self.config.request_timeout),
            results: 0,
        };
    }

    /// Whether `from` is the archive queried.
    fn is_the_archive(&self, from: Option<&Jid>) -> bool {
        match (&self.archive, from) {
            (None, None) => true,
            (None, Some(f)) => f.is_bare() && f.to_bare() == self.account,
            (Some(a), Some(f)) => a == f,
            (Some(_), None) => false,
        }
    }

    /// Whether a query id is one this walk wrote.
    fn owns(&self, queryid: &str) -> bool {
        queryid
            .strip_prefix(self.config.id_prefix.as_str())
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|n| n.parse::<u64>().ok())
            .is_some_and(|n| n >= 1 && n <= self.pages)
    }

    fn refuse(&mut self, from: Option<&Jid>, reason: Refusal) -> bool {
        self.events.push_back(Event::Refused {
            from: from.cloned(),
            reason,
        });
        true
    }

    /// A message received: `true` when it holds a result for one of this
    /// walk's queries (believed and reported as [`Event::Result`], or
    /// refused with [`Event::Refused`]); `false` otherwise, for the caller
    /// to pass on ([`is_archive_result`] tells it to drop a result no
    /// walk claims).
    pub fn handle_message(&mut self, _now: Instant, message: &Message) -> bool {
        let Some(parsed) = message.payload::<ArchiveResult>() else {
            return false;
        };
        let from = message.from.as_ref();
        let result = match parsed {
            Ok(r) => r,
            Err(e) => {
                // Which query it answers cannot be read: it is this walk's
                // only if it comes from the archive while a page is open.
                if matches!(self.phase, Phase::Querying { .. }) && self.is_the_archive(from) {
                    return self.refuse(from, Refusal::Malformed(e));
                }
                return false;
            }
        };
        let Some(qid) = result.queryid.as_deref() else {
            return false;
        };
        let open = matches!(&self.phase, Phase::Querying { queryid, .. } if queryid == qid);
        if !open {
            if self.owns(qid) {
                return self.refuse(from, Refusal::NotOpen);
            }
            return false;
        }
        if !self.is_the_archive(from) {
            return self.refuse(from, Refusal::WrongSender);
        }
        let Stanza::Message(inner) = &result.forwarded.stanza else {
            return self.refuse(from, Refusal::NotAMessage);
        };
        let archived = Box::new(ArchivedMessage {
            id: result.id.clone(),
            message: inner.clone(),
            delay: result.forwarded.delay.clone(),
        });
        if let Phase::Querying { results, .. } = &mut self.phase {
            *results += 1;
        }
        self.events.push_back(Event::Result(archived));
        true
    }

    /// An iq received: `true` when it is the answer to the open page's
    /// query (or claims to be, from another sender: refused).
    pub fn handle_iq(&mut self, now: Instant, iq: &Iq) -> bool {
        let Phase::Querying { iq_id, results, .. } = &self.phase else {
            return false;
        };
        if iq.is_request() || &iq.id != iq_id {
            return false;
        }
        let results = *results;
        if !self.is_the_archive(iq.from.as_ref()) {
            return self.refuse(iq.from.as_ref(), Refusal::WrongSender);
        }
        if iq.type_ == IqType::Error {
            let error = iq.error.clone().unwrap_or_else(|| {
                StanzaError::new(
                    xep_core::ErrorType::Cancel,
                    xep_core::DefinedCondition::UndefinedCondition,
                )
            });
            self.fail(Failure::Error(error));
            return true;
        }
        let fin = match iq.payload::<Fin>() {
            Some(Ok(fin)) => fin,
            Some(Err(e)) => {
                self.fail(Failure::BadFin(Some(e)));
                return true;
            }
            None => {
                self.fail(Failure::BadFin(None));
                return true;
            }
        };
        self.total += u64::from(results);
        let set = fin.set.clone().unwrap_or_default();
        let first = set.first.as_ref().map(|f| f.id.clone());
        let last = set.last.clone();
        self.events.push_back(Event::PageEnd {
            first: first.clone(),
            last: last.clone(),
            count: set.count,
            results,
            stable: fin.is_stable(),
        });
        let next = match self.config.direction {
            Direction::Forward => last,
            Direction::Backward => first,
        };
        match next {
            _ if fin.is_complete() => self.complete(),
            // An empty page that does not say it is the last: nothing
            // more to ask for.
            None => self.complete(),
            Some(c) if Some(&c) == self.cursor.as_ref() => self.fail(Failure::Stalled),
            Some(c) => {
                self.cursor = Some(c);
                self.query(now);
            }
        }
        true
    }

    fn complete(&mut self) {
        self.phase = Phase::Complete;
        self.events.push_back(Event::Complete {
            results: self.total,
        });
    }

    fn fail(&mut self, failure: Failure) {
        self.phase = Phase::Failed;
        self.events.push_back(Event::Failed(failure));
    }

    /// The next query to send.
    pub fn poll_transmit(&mut self) -> Option<Iq> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Walk::handle_timeout`] is due: the open page's deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.phase {
            Phase::Querying { deadline, .. } => *deadline,
            _ => None,
        }
    }

    /// Time passed: a page unanswered past its deadline fails the walk
    /// ([`Failure::TimedOut`]); its late answer is then not this walk's.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Phase::Querying {
            deadline: Some(d), ..
        } = &self.phase
            && *d <= now
        {
            self.fail(Failure::TimedOut);
        }
    }
}
