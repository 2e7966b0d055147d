//! A sans-IO client for one room: joining (and creating), the occupant
//! list, the subject, nick changes, removals, XEP-0410 self-pings, voice
//! requests and their approval (XEP-0045 §7.13, §8.6), registration with
//! the room (§7.10) and the reserved nickname (§7.12).

mod events;
mod occupants;
mod requests;

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use xep_core::{Iq, Message, MessageType, Presence, PresenceType, Stanza};
use xep_element::Payload;
use xep_element::jid::{BareJid, Jid};
use xep_forms::{DataForm, FormType, FormView};

use crate::elements::{History, Muc, MucUser, Role, StatusCode};
use crate::forms::{REQUEST, VoiceRequest};

use crate::self_ping::{self, SelfPing};

pub use events::{
    Departure, Event, JoinFailure, MessageKind, RegistrationFailure, Removal, VoiceRequestReceived,
};
pub use occupants::Occupant;
use requests::{ConfigStep, RegisterStep};

/// `jabber:iq:register` (XEP-0077), the namespace of registration with a
/// room (XEP-0045 §7.10).
pub const NS_REGISTER: &str = xep_register::NS;
/// `http://jabber.org/protocol/disco#info` (XEP-0030).
pub const NS_DISCO_INFO: &str = xep_disco::NS_INFO;
/// The disco#info node under which a room reports one's reserved nickname
/// (XEP-0045 §7.12).
pub const NODE_ROOMUSER_ITEM: &str = "x-roomuser-item";

/// What to do when joining creates the room (status 201).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Creation {
    /// Accept the default configuration at once (an instant room,
    /// XEP-0045 §10.1.2).
    #[default]
    Instant,
    /// Ask for the configuration form and hand it to the caller
    /// ([`Event::ConfigurationForm`]), who then calls
    /// [`Room::submit_configuration`] or [`Room::cancel_configuration`]
    /// (a reserved room, §10.1.3).
    Reserved,
}

/// How a [`Room`] joins and watches its membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomOptions {
    /// The room password, sent with the join presence.
    pub password: Option<String>,
    /// History wanted on joining.
    pub history: Option<History>,
    /// What to do if the join creates the room.
    pub creation: Creation,
    /// Silence from the room after which a self-ping is sent (XEP-0410
    /// suggests e.g. 15 minutes); `None`: no self-pings.
    pub self_ping_interval: Option<Duration>,
    /// How long to wait for a self-ping reply before treating it as "try
    /// later".
    pub self_ping_timeout: Duration,
    /// When a self-ping could not decide, how long until the next one.
    pub self_ping_retry: Duration,
    /// Whether to record XEP-0421 occupant ids: only when the room
    /// announces `urn:xmpp:occupant-id:0` (otherwise they "MUST be
    /// ignored", as they can be forged).
    pub occupant_ids: bool,
    /// Prefix of the stanza ids the room generates (`<prefix>-<n>`).
    pub id_prefix: String,
    /// How long a request of ours (configuration, admin, destroy,
    /// registration, reserved nickname) waits for its answer before
    /// [`Event::RequestTimedOut`]; XEP-0045 gives no figure. Default 30 s,
    /// as Jingle's requests.
    pub request_timeout: Duration,
}

impl Default for RoomOptions {
    fn default() -> Self {
        RoomOptions {
            password: None,
            history: None,
            creation: Creation::Instant,
            self_ping_interval: Some(Duration::from_secs(15 * 60)),
            self_ping_timeout: Duration::from_secs(60),
            self_ping_retry: Duration::from_secs(60),
            occupant_ids: false,
            id_prefix: "muc".into(),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Where the room stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not joined (initially, after a failed join, or after leaving).
    Idle,
    /// The join presence is out; the occupant list is arriving.
    Joining,
    /// The self-presence arrived; history arrives until the subject.
    Syncing,
    /// Joined: the subject arrived (or the join created the room).
    Joined,
    /// A leave presence is out.
    Leaving,
}

/// Errors of the room's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomError {
    /// The action is not possible in the room's state (the caller's
    /// misuse, as every machine reports it: see ARCHITECTURE.md).
    WrongState {
        /// The action refused (`join`, `leave`, `destroy`, ...).
        action: &'static str,
        /// The room's state.
        state: State,
    },
    /// The nickname does not make a valid occupant JID.
    BadNick(String),
    /// Voice is requested by visitors only (§7.13); we have this role.
    /// (Visitors exist only in moderated rooms, so our role being
    /// `visitor` is also the evidence that the room is moderated.)
    NotVisitor(Role),
    /// Voice requests are answered by moderators only (§8.6); we have
    /// this role.
    NotModerator(Role),
    /// A registration must be submitted as a form of type `submit`; the
    /// form had this type.
    NotSubmitted(FormType),
}

impl std::fmt::Display for RoomError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RoomError::WrongState { action, state } => {
                write!(f, "cannot {action} a room in state {state:?}")
            }
            RoomError::BadNick(n) => write!(f, "'{n}' is not a valid room nickname"),
            RoomError::NotVisitor(r) => write!(
                f,
                "only a visitor in a moderated room requests voice, and our role is {r:?}"
            ),
            RoomError::NotModerator(r) => write!(
                f,
                "only a moderator answers voice requests, and our role is {r:?}"
            ),
            RoomError::NotSubmitted(t) => write!(
                f,
                "a registration is submitted as a form of type 'submit', not {t:?}"
            ),
        }
    }
}

impl std::error::Error for RoomError {}

/// A client's view of one room, sans I/O: feed it the stanzas from the
/// room and the time, drain stanzas to send, events and the next deadline.
///
/// It follows the workspace's state-machine contract (ARCHITECTURE.md,
/// "State machines: the one contract"): inputs take `now` first, misuse
/// is a `WrongState` error, output is polled.
#[derive(Debug)]
pub struct Room {
    room: BareJid,
    nick: String,
    options: RoomOptions,
    state: State,
    occupants: BTreeMap<String, Occupant>,
    subject: Option<String>,
    self_codes: Vec<StatusCode>,
    pending_nick: Option<String>,
    pending_config: Option<(String, ConfigStep)>,
    pending_requests: Vec<String>,
    pending_register: Option<(String, RegisterStep)>,
    pending_reserved_nick: Option<String>,
    /// The self-ping in flight and when to stop waiting for it (`None`: a
    /// timeout too long for the clock, never).
    ping: Option<(Iq, Option<Instant>)>,
    next_ping: Option<Instant>,
    /// When each request in flight (by iq id) stops waiting.
    deadlines: BTreeMap<String, Instant>,
    next_id: u64,
    transmit: VecDeque<Stanza>,
    events: VecDeque<Event>,
}

impl Room {
    /// A room client for `room`, to be joined as `nick`.
    pub fn new(room: BareJid, nick: impl Into<String>, options: RoomOptions) -> Self {
        Room {
            room,
            nick: nick.into(),
            options,
            state: State::Idle,
            occupants: BTreeMap::new(),
            subject: None,
            self_codes: Vec::new(),
            pending_nick: None,
            pending_config: None,
            pending_requests: Vec::new(),
            pending_register: None,
            pending_reserved_nick: None,
            ping: None,
            next_ping: None,
            deadlines: BTreeMap::new(),
            next_id: 0,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The room's bare JID.
    pub fn jid(&self) -> &BareJid {
        &self.room
    }

    /// One's nickname (as the room last confirmed it, or as asked for).
    pub fn nick(&self) -> &str {
        &self.nick
    }

    /// The state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The current subject.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The occupants, oneself included, by nickname.
    pub fn occupants(&self) -> impl ExactSizeIterator<Item = &Occupant> {
        self.occupants.values()
    }

    /// The occupant `nick`.
    pub fn occupant(&self, nick: &str) -> Option<&Occupant> {
        self.occupants.get(nick)
    }

    /// Oneself as an occupant, once the self-presence arrived.
    pub fn me(&self) -> Option<&Occupant> {
        self.occupants.get(&self.nick)
    }

    /// The next stanza to send.
    pub fn poll_transmit(&mut self) -> Option<Stanza> {
        self.transmit.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Room::handle_timeout) is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let ping = match &self.ping {
            Some((_, deadline)) => *deadline,
            None => self.next_ping,
        };
        let request = self.deadlines.values().min().copied();
        match (ping, request) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Forgets the requests whose answer is overdue, with an event each.
    fn expire_requests(&mut self, now: Instant) {
        let overdue: Vec<String> = self
            .deadlines
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in overdue {
            self.deadlines.remove(&id);
            if self.pending_config.as_ref().is_some_and(|(p, _)| *p == id) {
                self.pending_config = None;
            }
            self.pending_requests.retain(|p| *p != id);
            if self
                .pending_register
                .as_ref()
                .is_some_and(|(p, _)| *p == id)
            {
                self.pending_register = None;
            }
            if self.pending_reserved_nick.as_ref() == Some(&id) {
                self.pending_reserved_nick = None;
            }
            self.events.push_back(Event::RequestTimedOut { id });
        }
    }

    fn id(&mut self) -> String {
        self.next_id += 1;
        format!("{}-{}", self.options.id_prefix, self.next_id)
    }

    fn occupant_jid(&self, nick: &str) -> Result<Jid, RoomError> {
        self.room
            .with_resource_str(nick)
            .map(Jid::from)
            .map_err(|_| RoomError::BadNick(nick.into()))
    }

    fn join_presence(&mut self) -> Result<Presence, RoomError> {
        let to = self.occupant_jid(&self.nick)?;
        let muc = Muc {
            history: self.options.history.clone(),
            password: self.options.password.clone(),
        };
        Ok(Presence {
            to: Some(to),
            id: Some(self.id()),
            payloads: vec![Payload::new(muc)],
            ..Presence::default()
        })
    }

    /// Sends the join presence (from [`State::Idle`]).
    pub fn join(&mut self, now: Instant) -> Result<(), RoomError> {
        let _ = now;
        if self.state != State::Idle {
            return Err(self.wrong("join"));
        }
        self.start_join()
    }

    fn start_join(&mut self) -> Result<(), RoomError> {
        let p = self.join_presence()?;
        self.transmit.push_back(p.into());
        self.state = State::Joining;
        self.occupants.clear();
        self.self_codes.clear();
        self.pending_nick = None;
        self.ping = None;
        self.next_ping = None;
        Ok(())
    }

    /// Sets the nickname to join with next (from [`State::Idle`], e.g.
    /// after a nick conflict).
    pub fn set_nick(&mut self, nick: impl Into<String>) -> Result<(), RoomError> {
        if self.state != State::Idle {
            return Err(self.wrong("set the nick of"));
        }
        let nick = nick.into();
        self.occupant_jid(&nick)?;
        self.nick = nick;
        Ok(())
    }

    /// Asks the room for a new nickname (when joined).
    pub fn change_nick(&mut self, now: Instant, nick: impl Into<String>) -> Result<(), RoomError> {
        let _ = now;
        if !matches!(self.state, State::Joined | State::Syncing) {
            return Err(self.wrong("change the nick in"));
        }
        let nick = nick.into();
        let to = self.occupant_jid(&nick)?;
        let p = Presence {
            to: Some(to),
            id: Some(self.id()),
            ..Presence::default()
        };
        self.transmit.push_back(p.into());
        self.pending_nick = Some(nick);
        Ok(())
    }

    /// Leaves the room, with an optional status text.
    pub fn leave(&mut self, now: Instant, status: Option<&str>) -> Result<(), RoomError> {
        let _ = now;
        if matches!(self.state, State::Idle | State::Leaving) {
            return Err(self.wrong("leave"));
        }
        let mut p = Presence::of_type(
            PresenceType::Unavailable,
            Some(self.occupant_jid(&self.nick)?),
        );
        p.id = Some(self.id());
        if let Some(s) = status {
            p.statuses.push(xep_core::Status {
                lang: None,
                text: s.into(),
            });
        }
        self.transmit.push_back(p.into());
        self.state = State::Leaving;
        self.ping = None;
        self.next_ping = None;
        Ok(())
    }

    /// A groupchat message to the room (the caller sends it).
    pub fn groupchat(&self, body: impl Into<String>) -> Message {
        Message {
            to: Some(Jid::from(self.room.clone())),
            type_: Some(MessageType::Groupchat),
            bodies: vec![xep_core::Body {
                lang: None,
                text: body.into(),
            }],
            ..Message::default()
        }
    }

    /// Queues an iq of `type_` (`get` or `set`) to the room with
    /// `payload`; returns its id.
    /// The misuse error for `action` in the current state.
    fn wrong(&self, action: &'static str) -> RoomError {
        RoomError::WrongState {
            action,
            state: self.state,
        }
    }

    fn activity(&mut self, now: Instant) {
        if matches!(self.state, State::Joined | State::Syncing) && self.ping.is_none() {
            self.next_ping = self
                .options
                .self_ping_interval
                .and_then(|i| now.checked_add(i));
        }
    }

    /// Handles any stanza: dispatches to [`handle_presence`](Room::handle_presence),
    /// [`handle_message`](Room::handle_message) or
    /// [`handle_iq`](Room::handle_iq); `false` when it is not for this room.
    pub fn handle_stanza(&mut self, now: Instant, stanza: &Stanza) -> bool {
        match stanza {
            Stanza::Presence(p) => self.handle_presence(now, p),
            Stanza::Message(m) => self.handle_message(now, m).is_some(),
            Stanza::Iq(iq) => self.handle_iq(now, iq),
        }
    }

    /// Handles a message; `None` when it is not from this room.
    pub fn handle_message(&mut self, now: Instant, m: &Message) -> Option<MessageKind> {
        let from = m.from.as_ref()?;
        if from.to_bare() != self.room {
            return None;
        }
        if self.state == State::Idle {
            return Some(MessageKind::Other);
        }
        self.activity(now);
        let resource = from.resource().map(|r| r.as_str().to_string());
        if resource.is_none()
            && m.effective_type() != MessageType::Error
            && let Some(Ok(x)) = m.payload::<MucUser>()
            && !x.statuses.is_empty()
        {
            self.events
                .push_back(Event::RoomStatus(x.codes().collect()));
        }
        if resource.is_none()
            && m.effective_type() != MessageType::Error
            && let Some(request) = voice_request(m)
        {
            self.events.push_back(Event::VoiceRequest(request));
            return Some(MessageKind::VoiceRequest);
        }
        Some(match m.effective_type() {
            MessageType::Error => MessageKind::Error,
            MessageType::Groupchat if !m.subjects.is_empty() && m.bodies.is_empty() => {
                let text = m.subjects[0].text.clone();
                self.subject = (!text.is_empty()).then_some(text);
                self.events.push_back(Event::Subject {
                    subject: self.subject.clone(),
                    by: resource,
                });
                if self.state == State::Syncing {
                    self.joined(now);
                }
                MessageKind::Subject
            }
            MessageType::Groupchat if m.bodies.is_empty() => MessageKind::Other,
            MessageType::Groupchat if self.state == State::Syncing => MessageKind::History,
            MessageType::Groupchat => MessageKind::Live,
            MessageType::Chat | MessageType::Normal if resource.is_some() => MessageKind::Private,
            _ => MessageKind::Other,
        })
    }

    /// Handles an iq reply; `false` when it answers none of this room's
    /// requests.
    pub fn handle_iq(&mut self, now: Instant, iq: &Iq) -> bool {
        let handled = self.dispatch_reply(now, iq);
        if handled {
            self.deadlines.remove(&iq.id);
        }
        handled
    }

    fn ping_outcome(&mut self, now: Instant, outcome: SelfPing) {
        self.events.push_back(Event::SelfPing(outcome.clone()));
        match outcome {
            SelfPing::Joined => {
                self.next_ping = self
                    .options
                    .self_ping_interval
                    .and_then(|i| now.checked_add(i));
            }
            SelfPing::TryLater => self.next_ping = now.checked_add(self.options.self_ping_retry),
            SelfPing::NotJoined(_) => {
                // The room forgot us: join again.
                self.state = State::Idle;
                let _ = self.start_join();
            }
        }
    }

    /// Handles the deadline of [`poll_timeout`](Room::poll_timeout):
    /// sends a due self-ping, or gives up waiting for its reply.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.expire_requests(now);
        if let Some((_, deadline)) = &self.ping {
            if deadline.is_some_and(|d| now >= d) {
                self.ping = None;
                self.ping_outcome(now, SelfPing::TryLater);
            }
            return;
        }
        if let Some(due) = self.next_ping
            && now >= due
            && matches!(self.state, State::Joined | State::Syncing)
        {
            let id = self.id();
            if let Some(iq) = self_ping::request(id, &self.room, &self.nick) {
                self.transmit.push_back(iq.clone().into());
                self.ping = Some((iq, now.checked_add(self.options.self_ping_timeout)));
                self.next_ping = None;
            }
        }
    }
}

/// The voice request a message carries (§8.6): a `muc#request` data form
/// of type `form` (as the room sends it to moderators); `None` for
/// anything else, including a form whose fields do not fit the view.
fn voice_request(m: &Message) -> Option<VoiceRequestReceived> {
    let form = m
        .payloads
        .iter()
        .filter_map(|p| p.get::<DataForm>().and_then(Result::ok))
        .find(|f| f.type_ == FormType::Form && f.form_type() == Some(REQUEST))?;
    let request = VoiceRequest::from_form(&form).ok()?;
    Some(VoiceRequestReceived {
        id: m.id.clone(),
        nick: request.roomnick.clone(),
        jid: request.jid.clone(),
        role: request.role,
        request,
    })
}
