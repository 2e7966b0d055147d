//! A sans-IO client for one room: joining (and creating), the occupant
//! list, the subject, nick changes, removals, XEP-0410 self-pings, voice
//! requests and their approval (XEP-0045 §7.13, §8.6), registration with
//! the room (§7.10) and the reserved nickname (§7.12).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use xep_core::{
    DefinedCondition, ErrorType, Iq, IqType, Message, MessageType, Presence, PresenceType, Stanza,
    StanzaError,
};
use xep_disco::DiscoInfo;
use xep_element::jid::{BareJid, Jid};
use xep_element::{Payload, XmlElement};
use xep_forms::{DataForm, FormType, FormView};

use crate::elements::{
    Actor, AdminItem, AdminQuery, Affiliation, History, Item, Muc, MucUser, OccupantId,
    OwnerDestroy, OwnerQuery, Role, StatusCode,
};
use crate::forms::{REQUEST, VoiceRequest};

/// The `muc#request` field of the moderator's decision.
const ALLOW: &str = "muc#request_allow";
use crate::self_ping::{self, SelfPing};

/// `jabber:iq:register` (XEP-0077), the namespace of registration with a
/// room (XEP-0045 §7.10).
pub const NS_REGISTER: &str = "jabber:iq:register";
/// `http://jabber.org/protocol/disco#info` (XEP-0030).
pub const NS_DISCO_INFO: &str = xep_disco::NS_INFO;
/// The disco#info node under which a room reports one's reserved nickname
/// (XEP-0045 §7.12).
pub const NODE_ROOMUSER_ITEM: &str = "x-roomuser-item";

/// The `jabber:iq:register` query this crate sends: empty (asking for the
/// requirements) or with a submitted form. Not registered with the
/// element registry (XEP-0077 is not implemented here); replies are read
/// leniently from their DOM.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = "jabber:iq:register", name = "query")]
struct RegisterQuery {
    #[xml(child)]
    form: Option<DataForm>,
}

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

/// One occupant as the room presents it. A presence that leaves out the
/// real JID, the occupant id, the role or the affiliation keeps the value
/// known from the occupant's earlier presences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupant {
    /// The room nickname.
    pub nick: String,
    /// The real JID, where the room reveals it.
    pub jid: Option<Jid>,
    /// The affiliation.
    pub affiliation: Affiliation,
    /// The role.
    pub role: Role,
    /// The XEP-0421 occupant id (when [`RoomOptions::occupant_ids`]).
    pub occupant_id: Option<String>,
}

/// Why an occupant left (status codes of XEP-0045's registry, or the
/// destroy element).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Departure {
    /// Left of its own accord (no removal code).
    Left,
    /// Kicked (307).
    Kicked,
    /// Banned (301).
    Banned,
    /// Removed by an affiliation change (321).
    AffiliationChanged,
    /// Removed because the room became members-only (322).
    MembersOnly,
    /// Removed because the service shuts down (332).
    Shutdown,
    /// Removed because of a technical problem (333; takes precedence over
    /// 307, as the XEP recommends).
    Error,
    /// The room was destroyed.
    Destroyed {
        /// An alternate venue.
        alternate: Option<Jid>,
    },
}

/// A departure with who did it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// Why the occupant left.
    pub departure: Departure,
    /// Who removed it, if the room says.
    pub actor: Option<Actor>,
    /// The reason given, if any.
    pub reason: Option<String>,
}

/// Why a join failed: the conditions of XEP-0045's table of errors on
/// entering a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinFailure {
    /// `not-authorized`: a (correct) password is required.
    PasswordRequired,
    /// `forbidden`: banned.
    Banned,
    /// `item-not-found`: the room does not exist (or is locked).
    RoomNotFound,
    /// `not-allowed`: room creation is restricted.
    CreationRestricted,
    /// `not-acceptable`: the reserved nickname must be used.
    ReservedNickRequired,
    /// `registration-required`: members-only, not a member.
    MembersOnly,
    /// `conflict`: the nickname is in use or reserved.
    NickConflict,
    /// `service-unavailable`: the room is full.
    RoomFull,
    /// Another condition (e.g. `jid-malformed` for a missing nickname).
    Other(DefinedCondition),
}

impl JoinFailure {
    /// The failure a stanza error condition stands for.
    pub fn from_condition(c: &DefinedCondition) -> Self {
        match c {
            DefinedCondition::NotAuthorized => JoinFailure::PasswordRequired,
            DefinedCondition::Forbidden => JoinFailure::Banned,
            DefinedCondition::ItemNotFound => JoinFailure::RoomNotFound,
            DefinedCondition::NotAllowed => JoinFailure::CreationRestricted,
            DefinedCondition::NotAcceptable => JoinFailure::ReservedNickRequired,
            DefinedCondition::RegistrationRequired => JoinFailure::MembersOnly,
            DefinedCondition::Conflict => JoinFailure::NickConflict,
            DefinedCondition::ServiceUnavailable => JoinFailure::RoomFull,
            c => JoinFailure::Other(c.clone()),
        }
    }
}

/// What a message from the room is, as [`Room::handle_message`] sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// A subject change (a groupchat message with a subject and no body).
    Subject,
    /// A groupchat message with a body received before the subject:
    /// history.
    History,
    /// A live groupchat message with a body.
    Live,
    /// A private message from an occupant.
    Private,
    /// An error from the room or an occupant.
    Error,
    /// A voice request forwarded to us as a moderator (§8.6), reported as
    /// [`Event::VoiceRequest`].
    VoiceRequest,
    /// Anything else from the room (e.g. status-code notices, groupchat
    /// messages without a body).
    Other,
}

/// What the room has to tell the caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// An occupant (possibly oneself) is in the room.
    OccupantJoined(Occupant),
    /// An occupant's role, affiliation, real JID or occupant id changed.
    OccupantChanged {
        /// Before.
        before: Occupant,
        /// After.
        after: Occupant,
    },
    /// An occupant (possibly oneself) changed nickname (303).
    NickChanged {
        /// The old nickname.
        old: String,
        /// The new nickname.
        new: String,
    },
    /// Another occupant left or was removed.
    OccupantLeft {
        /// The occupant as it was.
        occupant: Occupant,
        /// Why.
        removal: Removal,
    },
    /// The join created the room (201); what follows depends on
    /// [`RoomOptions::creation`].
    RoomCreated,
    /// The configuration form of a room being created (reserved room) or
    /// configured: fill it in and [`Room::submit_configuration`].
    ConfigurationForm(DataForm),
    /// The room accepted the configuration (and, when creating, unlocked).
    Configured,
    /// The room refused the configuration (or the form request).
    ConfigurationFailed(StanzaError),
    /// The join is complete (after the self-presence and the subject; at
    /// the self-presence when the join created the room).
    Joined {
        /// One's nickname (the room may have changed it: 210).
        nick: String,
        /// The status codes of the self-presence (100, 170, 201, 210, ...).
        codes: Vec<StatusCode>,
    },
    /// The join failed.
    JoinFailed {
        /// The meaning of the condition.
        failure: JoinFailure,
        /// The error as received.
        error: StanzaError,
    },
    /// A nick change was refused (`conflict`, `not-acceptable`, ...).
    NickChangeFailed(StanzaError),
    /// The subject (`None`: no subject), and the nickname that set it when
    /// the room says.
    Subject {
        /// The subject text.
        subject: Option<String>,
        /// Who set it.
        by: Option<String>,
    },
    /// Status codes the room announced in a message (e.g. 104: the
    /// configuration changed; 170–173: logging and anonymity changed).
    RoomStatus(Vec<StatusCode>),
    /// The answer to a request of [`Room::admin`] (or [`Room::kick`],
    /// [`Room::ban`], [`Room::destroy`]): a list for a `get`, nothing for a
    /// `set`, or the error.
    Reply {
        /// The id the request returned.
        id: String,
        /// The items of a list, or the error.
        result: Result<Vec<AdminItem>, StanzaError>,
    },
    /// One was removed from the room or left it; the state is now
    /// [`State::Idle`].
    Removed(Removal),
    /// The outcome of a self-ping; on [`SelfPing::NotJoined`] the room
    /// rejoins at once (the occupant list is cleared and arrives again).
    SelfPing(SelfPing),
    /// A voice request the room forwards to us as a moderator (§8.6):
    /// answer it with [`Room::answer_voice_request`].
    VoiceRequest(VoiceRequestReceived),
    /// The room's registration form (§7.10): fill it in (e.g. through
    /// [`crate::forms::Register`]) and [`Room::submit_registration`].
    RegistrationForm {
        /// The form of type `form`, as received (labels, required fields).
        form: DataForm,
        /// The `<instructions/>` of the query outside the form (e.g. a web
        /// page to register at), if any.
        instructions: Option<String>,
    },
    /// The room says we are already registered (a `<registered/>`
    /// element in the reply to [`Room::request_registration`]).
    AlreadyRegistered {
        /// The registered nickname (the reply's `<username/>`), if given.
        nick: Option<String>,
    },
    /// The room received the submitted registration (§7.10: it may still
    /// need an admin's approval; membership arrives as an affiliation
    /// change).
    RegistrationSubmitted,
    /// Registration (the form request or the submission) failed.
    RegistrationFailed {
        /// Why.
        failure: RegistrationFailure,
        /// The stanza error, when the room answered with one.
        error: Option<StanzaError>,
    },
    /// The answer to [`Room::request_reserved_nick`] (§7.12): the reserved
    /// nickname, `None` when there is none (an empty disco#info query),
    /// or the error (e.g. `feature-not-implemented`).
    ReservedNick(Result<Option<String>, StanzaError>),
    /// A request of ours got no answer within
    /// [`RoomOptions::request_timeout`]: it is forgotten, and a late answer
    /// is not for this room any more ([`Room::handle_iq`] returns `false`).
    RequestTimedOut {
        /// The id of the request's iq.
        id: String,
    },
}

/// A voice request forwarded by the room to its moderators (XEP-0045
/// §8.6): a message from the room's bare JID with a `muc#request` form.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceRequestReceived {
    /// The id of the room's message; the answer reuses it, as the XEP's
    /// example does.
    pub id: Option<String>,
    /// The requester's nickname (`muc#roomnick`).
    pub nick: Option<String>,
    /// The requester's JID (`muc#jid`).
    pub jid: Option<Jid>,
    /// The requested role (`muc#role`, normally `participant`).
    pub role: Option<Role>,
    /// The form as read, with any fields the view does not name; the
    /// answer submits these fields back.
    pub request: VoiceRequest,
}

/// Why registration with a room failed: the conditions XEP-0045 §7.10
/// lists, others kept, and replies this client cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationFailure {
    /// `item-not-found`: the room does not exist.
    RoomNotFound,
    /// `not-allowed`: registration is restricted (e.g. to admins adding
    /// members).
    NotAllowed,
    /// `conflict`: the desired nickname is already reserved.
    NickConflict,
    /// `service-unavailable`: the room or service does not support
    /// registration.
    NotSupported,
    /// `bad-request`: the submission was not a valid data form.
    BadRequest,
    /// Another condition (e.g. `forbidden`, `not-acceptable`,
    /// `registration-required`).
    Other(DefinedCondition),
    /// A result this client cannot use; the text says what is wrong
    /// (no `jabber:iq:register` query, neither a form nor
    /// `<registered/>`, a malformed form).
    BadReply(String),
}

impl RegistrationFailure {
    /// The failure a stanza error condition stands for.
    pub fn from_condition(c: &DefinedCondition) -> Self {
        match c {
            DefinedCondition::ItemNotFound => RegistrationFailure::RoomNotFound,
            DefinedCondition::NotAllowed => RegistrationFailure::NotAllowed,
            DefinedCondition::Conflict => RegistrationFailure::NickConflict,
            DefinedCondition::ServiceUnavailable => RegistrationFailure::NotSupported,
            DefinedCondition::BadRequest => RegistrationFailure::BadRequest,
            c => RegistrationFailure::Other(c.clone()),
        }
    }
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

#[derive(Debug, Clone, PartialEq)]
enum ConfigStep {
    RequestForm,
    Submit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegisterStep {
    RequestForm,
    Submit,
}

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

    fn send_iq(&mut self, now: Instant, type_: IqType, payload: Payload) -> String {
        let id = self.id();
        if let Some(at) = now.checked_add(self.options.request_timeout) {
            self.deadlines.insert(id.clone(), at);
        }
        let to = Some(Jid::from(self.room.clone()));
        let iq = if type_ == IqType::Get {
            Iq::get(id.clone(), to, payload)
        } else {
            Iq::set(id.clone(), to, payload)
        };
        self.transmit.push_back(iq.into());
        id
    }

    fn owner_iq(&mut self, now: Instant, type_: IqType, query: OwnerQuery, step: ConfigStep) {
        let id = self.send_iq(now, type_, Payload::new(query));
        if let Some((replaced, _)) = self.pending_config.replace((id, step)) {
            self.deadlines.remove(&replaced);
        }
    }

    /// Asks for the configuration form (as an owner). One configuration
    /// exchange is tracked at a time: a new one replaces the one in flight.
    pub fn request_configuration(&mut self, now: Instant) -> Result<(), RoomError> {
        if !matches!(self.state, State::Joined | State::Syncing) {
            return Err(self.wrong("request the configuration of"));
        }
        self.owner_iq(
            now,
            IqType::Get,
            OwnerQuery::request_form(),
            ConfigStep::RequestForm,
        );
        Ok(())
    }

    /// Submits a configuration (a form of type `submit`, e.g. from
    /// [`crate::forms::RoomConfig`]).
    pub fn submit_configuration(&mut self, now: Instant, form: DataForm) -> Result<(), RoomError> {
        if !matches!(self.state, State::Joined | State::Syncing) {
            return Err(self.wrong("submit the configuration of"));
        }
        self.owner_iq(
            now,
            IqType::Set,
            OwnerQuery::with_form(form),
            ConfigStep::Submit,
        );
        Ok(())
    }

    /// Cancels the configuration; while creating a reserved room, the room
    /// is then destroyed (§10.1.3).
    pub fn cancel_configuration(&mut self, now: Instant) -> Result<(), RoomError> {
        self.submit_configuration(now, DataForm::new(FormType::Cancel))
    }

    fn request(
        &mut self,
        now: Instant,
        action: &'static str,
        type_: IqType,
        payload: Payload,
    ) -> Result<String, RoomError> {
        if !matches!(self.state, State::Joined | State::Syncing) {
            return Err(self.wrong(action));
        }
        let id = self.send_iq(now, type_, payload);
        self.pending_requests.push(id.clone());
        Ok(id)
    }

    /// Sends a `muc#admin` request to the room: `get` for a list (e.g.
    /// [`AdminQuery::affiliation_list`]), `set` for changes. Returns the
    /// iq id; the answer comes as [`Event::Reply`].
    pub fn admin(
        &mut self,
        now: Instant,
        get: bool,
        query: AdminQuery,
    ) -> Result<String, RoomError> {
        let type_ = if get { IqType::Get } else { IqType::Set };
        self.request(now, "send an admin request to", type_, Payload::new(query))
    }

    /// Kicks the occupant `nick` (sets its role to `none`; moderators).
    pub fn kick(
        &mut self,
        now: Instant,
        nick: &str,
        reason: Option<String>,
    ) -> Result<String, RoomError> {
        self.admin(now, false, AdminQuery::set_role(nick, Role::None, reason))
    }

    /// Bans `jid` (sets its affiliation to `outcast`; admins).
    pub fn ban(
        &mut self,
        now: Instant,
        jid: Jid,
        reason: Option<String>,
    ) -> Result<String, RoomError> {
        self.admin(
            now,
            false,
            AdminQuery::set_affiliation(jid, Affiliation::Outcast, reason),
        )
    }

    /// Asks the room to destroy itself (owners); the removal arrives as
    /// [`Event::Removed`] with [`Departure::Destroyed`], the answer as
    /// [`Event::Reply`].
    pub fn destroy(&mut self, now: Instant, destroy: OwnerDestroy) -> Result<String, RoomError> {
        self.request(
            now,
            "destroy",
            IqType::Set,
            Payload::new(OwnerQuery::destroy(destroy)),
        )
    }

    /// `Ok` when joined (or syncing) with role `want`; otherwise
    /// [`RoomError::WrongState`], or `wrong(our role)`.
    fn require_role(
        &self,
        action: &'static str,
        want: Role,
        wrong: fn(Role) -> RoomError,
    ) -> Result<(), RoomError> {
        if !matches!(self.state, State::Joined | State::Syncing) {
            return Err(self.wrong(action));
        }
        match self.me().map_or(Role::None, |o| o.role) {
            r if r == want => Ok(()),
            r => Err(wrong(r)),
        }
    }

    /// Asks the room for voice (§7.13): a message to the room with a
    /// `muc#request` form holding only `muc#role` = `participant`.
    /// Returns the message id. Allowed only when joined (or syncing) and
    /// our role is `visitor`: visitors exist only in moderated rooms, so
    /// the role is also the evidence that the room is moderated;
    /// otherwise [`RoomError::NotVisitor`] with our role (or
    /// [`RoomError::WrongState`]). The grant arrives as a presence
    /// changing our role ([`Event::OccupantChanged`]).
    pub fn request_voice(&mut self, now: Instant) -> Result<String, RoomError> {
        let _ = now;
        self.require_role("request voice in", Role::Visitor, RoomError::NotVisitor)?;
        let form = VoiceRequest {
            role: Some(Role::Participant),
            ..VoiceRequest::default()
        }
        .to_form(FormType::Submit);
        let id = self.id();
        self.transmit.push_back(
            Message {
                to: Some(Jid::from(self.room.clone())),
                id: Some(id.clone()),
                payloads: vec![Payload::new(form)],
                ..Message::default()
            }
            .into(),
        );
        Ok(id)
    }

    /// Answers a voice request as a moderator (§8.6): submits the
    /// request's form back to the room with `muc#request_allow` set to
    /// `allow`, in a message reusing the request's id (as the XEP's
    /// example does; a fresh id when the request had none). Allowed only
    /// when joined (or syncing) as a moderator, otherwise
    /// [`RoomError::NotModerator`] with our role (or
    /// [`RoomError::WrongState`]). An approval shows as the requester's
    /// role changing to `participant` ([`Event::OccupantChanged`]).
    pub fn answer_voice_request(
        &mut self,
        now: Instant,
        request: &VoiceRequestReceived,
        allow: bool,
    ) -> Result<(), RoomError> {
        let _ = now;
        self.require_role(
            "answer a voice request in",
            Role::Moderator,
            RoomError::NotModerator,
        )?;
        let mut answer = request.request.clone();
        answer.allow = Some(allow);
        let mut form = answer.to_form(FormType::Submit);
        // Written as the XEP's example writes it ("1"/"0" mean the same,
        // XEP-0004 §3.3).
        if let Some(f) = form
            .fields
            .iter_mut()
            .find(|f| f.var.as_deref() == Some(ALLOW))
        {
            f.values = vec![allow.to_string()];
        }
        let id = match &request.id {
            Some(id) => id.clone(),
            None => self.id(),
        };
        self.transmit.push_back(
            Message {
                to: Some(Jid::from(self.room.clone())),
                id: Some(id),
                payloads: vec![Payload::new(form)],
                ..Message::default()
            }
            .into(),
        );
        Ok(())
    }

    fn register_iq(
        &mut self,
        now: Instant,
        type_: IqType,
        query: RegisterQuery,
        step: RegisterStep,
    ) -> String {
        let id = self.send_iq(now, type_, Payload::new(query));
        if let Some((replaced, _)) = self.pending_register.replace((id.clone(), step)) {
            self.deadlines.remove(&replaced);
        }
        id
    }

    /// Asks the room for its registration requirements (§7.10: an iq
    /// `get` with an empty `jabber:iq:register` query), in any state (one
    /// may register before joining, e.g. a members-only room). Returns the
    /// iq id; the answer comes as [`Event::RegistrationForm`],
    /// [`Event::AlreadyRegistered`] or [`Event::RegistrationFailed`]. One
    /// registration exchange is tracked at a time: a new one replaces the
    /// one in flight. Never fails today (a `Result` like the other
    /// requests).
    pub fn request_registration(&mut self, now: Instant) -> Result<String, RoomError> {
        Ok(self.register_iq(
            now,
            IqType::Get,
            RegisterQuery { form: None },
            RegisterStep::RequestForm,
        ))
    }

    /// Submits the filled-in registration form (§7.10; a form of type
    /// `submit`, e.g. from [`crate::forms::Register`], otherwise
    /// [`RoomError::NotSubmitted`]), in any state. Returns the iq id; the
    /// answer comes as [`Event::RegistrationSubmitted`] or
    /// [`Event::RegistrationFailed`] (e.g. [`RegistrationFailure::NickConflict`]).
    pub fn submit_registration(
        &mut self,
        now: Instant,
        form: DataForm,
    ) -> Result<String, RoomError> {
        if form.type_ != FormType::Submit {
            return Err(RoomError::NotSubmitted(form.type_));
        }
        Ok(self.register_iq(
            now,
            IqType::Set,
            RegisterQuery { form: Some(form) },
            RegisterStep::Submit,
        ))
    }

    /// Asks the room for our reserved nickname (§7.12: disco#info on the
    /// node `x-roomuser-item`), in any state (the XEP suggests doing so
    /// before joining). Returns the iq id; the answer comes as
    /// [`Event::ReservedNick`]. A new request replaces the one in flight.
    /// Never fails today (a `Result` like the other requests).
    pub fn request_reserved_nick(&mut self, now: Instant) -> Result<String, RoomError> {
        let id = self.send_iq(
            now,
            IqType::Get,
            Payload::new(DiscoInfo::request(Some(NODE_ROOMUSER_ITEM))),
        );
        if let Some(replaced) = self.pending_reserved_nick.replace(id.clone()) {
            self.deadlines.remove(&replaced);
        }
        Ok(id)
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

    /// Handles a presence; `false` when it is not from this room.
    pub fn handle_presence(&mut self, now: Instant, p: &Presence) -> bool {
        let Some(from) = &p.from else { return false };
        if from.to_bare() != self.room {
            return false;
        }
        let resource = from.resource().map(|r| r.as_str().to_string());
        if p.type_ == Some(PresenceType::Error) {
            self.presence_error(resource.as_deref(), p);
            return true;
        }
        let Some(nick) = resource else { return true };
        if self.state == State::Idle {
            return true;
        }
        self.activity(now);
        let x = p
            .payload::<MucUser>()
            .and_then(Result::ok)
            .unwrap_or_default();
        let item = x.items.first().cloned().unwrap_or_default();
        let is_self = x.has_status(StatusCode::SelfPresence) || nick == self.nick;
        match p.type_ {
            Some(PresenceType::Unavailable) => self.unavailable(nick, is_self, &x, item),
            None => self.available(now, nick, is_self, p, &x, item),
            Some(_) => {}
        }
        true
    }

    fn presence_error(&mut self, resource: Option<&str>, p: &Presence) {
        let Some(error) = p.error.clone() else { return };
        match self.state {
            State::Joining => {
                self.state = State::Idle;
                self.occupants.clear();
                self.events.push_back(Event::JoinFailed {
                    failure: JoinFailure::from_condition(&error.condition),
                    error,
                });
            }
            _ if resource.is_some() && self.pending_nick.as_deref() == resource => {
                self.pending_nick = None;
                self.events.push_back(Event::NickChangeFailed(error));
            }
            _ => {}
        }
    }

    fn unavailable(&mut self, nick: String, is_self: bool, x: &MucUser, item: Item) {
        if x.has_status(StatusCode::NickChanged)
            && let Some(new) = item.nick.clone()
        {
            let mut occ = self.occupants.remove(&nick).unwrap_or_else(|| Occupant {
                nick: nick.clone(),
                jid: None,
                affiliation: Affiliation::None,
                role: Role::None,
                occupant_id: None,
            });
            // Only the nickname changes here; the available presence from
            // the new nickname that follows brings any other change.
            occ.nick = new.clone();
            self.occupants.insert(new.clone(), occ);
            if is_self {
                self.nick = new.clone();
                self.pending_nick = None;
            }
            self.events.push_back(Event::NickChanged { old: nick, new });
            return;
        }
        let departure = if let Some(d) = &x.destroy {
            Departure::Destroyed {
                alternate: d.jid.clone(),
            }
        } else if x.has_status(StatusCode::ServiceError) {
            Departure::Error
        } else if x.has_status(StatusCode::Banned) {
            Departure::Banned
        } else if x.has_status(StatusCode::Kicked) {
            Departure::Kicked
        } else if x.has_status(StatusCode::RemovedByAffiliation) {
            Departure::AffiliationChanged
        } else if x.has_status(StatusCode::RemovedMembersOnly) {
            Departure::MembersOnly
        } else if x.has_status(StatusCode::ServiceShutdown) {
            Departure::Shutdown
        } else {
            Departure::Left
        };
        let removal = Removal {
            reason: x
                .destroy
                .as_ref()
                .map_or(item.reason.clone(), |d| d.reason.clone()),
            actor: item.actor,
            departure,
        };
        let destroyed = matches!(removal.departure, Departure::Destroyed { .. });
        if is_self || destroyed {
            self.state = State::Idle;
            self.occupants.clear();
            self.pending_nick = None;
            self.pending_config = None;
            self.ping = None;
            self.next_ping = None;
            self.events.push_back(Event::Removed(removal));
        } else if let Some(occupant) = self.occupants.remove(&nick) {
            self.events
                .push_back(Event::OccupantLeft { occupant, removal });
        }
    }

    fn available(
        &mut self,
        now: Instant,
        nick: String,
        is_self: bool,
        p: &Presence,
        x: &MucUser,
        item: Item,
    ) {
        let prev = self.occupants.get(&nick);
        let occupant_id = if self.options.occupant_ids {
            p.payload::<OccupantId>().and_then(Result::ok).map(|o| o.id)
        } else {
            None
        };
        // What the presence leaves out stays as it was (a presence without
        // an item, from a groupchat 1.0 room, makes a participant).
        let occ = Occupant {
            nick: nick.clone(),
            jid: item.jid.or_else(|| prev.and_then(|o| o.jid.clone())),
            affiliation: item
                .affiliation
                .or(prev.map(|o| o.affiliation))
                .unwrap_or_default(),
            role: item
                .role
                .or(prev.map(|o| o.role))
                .unwrap_or(Role::Participant),
            occupant_id: occupant_id.or_else(|| prev.and_then(|o| o.occupant_id.clone())),
        };
        match self.occupants.insert(nick.clone(), occ.clone()) {
            None => self.events.push_back(Event::OccupantJoined(occ)),
            Some(before) if before != occ => self
                .events
                .push_back(Event::OccupantChanged { before, after: occ }),
            Some(_) => {}
        }
        if is_self && self.state == State::Joining {
            self.nick = nick.clone();
            self.self_codes = x.codes().collect();
            if x.has_status(StatusCode::RoomCreated) {
                self.events.push_back(Event::RoomCreated);
                match self.options.creation {
                    Creation::Instant => {
                        self.owner_iq(now, IqType::Set, OwnerQuery::instant(), ConfigStep::Submit)
                    }
                    Creation::Reserved => self.owner_iq(
                        now,
                        IqType::Get,
                        OwnerQuery::request_form(),
                        ConfigStep::RequestForm,
                    ),
                }
                self.joined(now);
            } else {
                self.state = State::Syncing;
                self.activity(now);
            }
        }
    }

    fn joined(&mut self, now: Instant) {
        self.state = State::Joined;
        self.activity(now);
        self.events.push_back(Event::Joined {
            nick: self.nick.clone(),
            codes: self.self_codes.clone(),
        });
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

    fn dispatch_reply(&mut self, now: Instant, iq: &Iq) -> bool {
        if iq.is_request() {
            return false;
        }
        if let Some((id, step)) = &self.pending_config
            && *id == iq.id
            && iq.from.as_ref().is_some_and(|f| f.to_bare() == self.room)
        {
            let step = step.clone();
            self.pending_config = None;
            self.config_reply(now, step, iq);
            return true;
        }
        if let Some(i) = self.pending_requests.iter().position(|id| *id == iq.id)
            && iq.from.as_ref().is_some_and(|f| f.to_bare() == self.room)
        {
            let id = self.pending_requests.swap_remove(i);
            let result = match &iq.error {
                Some(e) => Err(e.clone()),
                None => Ok(iq
                    .payload::<AdminQuery>()
                    .and_then(Result::ok)
                    .map(|q| q.items)
                    .unwrap_or_default()),
            };
            self.events.push_back(Event::Reply { id, result });
            return true;
        }
        let from_room = iq.from.as_ref().is_some_and(|f| f.to_bare() == self.room);
        if let Some((id, step)) = &self.pending_register
            && *id == iq.id
            && from_room
        {
            let step = *step;
            self.pending_register = None;
            let event = register_reply(step, iq);
            self.events.push_back(event);
            return true;
        }
        if self.pending_reserved_nick.as_ref() == Some(&iq.id) && from_room {
            self.pending_reserved_nick = None;
            let result = match &iq.error {
                Some(e) => Err(e.clone()),
                None => reserved_nick(iq),
            };
            self.events.push_back(Event::ReservedNick(result));
            return true;
        }
        if let Some((req, _)) = &self.ping
            && let Some(outcome) = self_ping::classify(req, iq)
        {
            self.ping = None;
            self.ping_outcome(now, outcome);
            return true;
        }
        false
    }

    fn config_reply(&mut self, now: Instant, step: ConfigStep, iq: &Iq) {
        if let Some(e) = &iq.error {
            self.events.push_back(Event::ConfigurationFailed(e.clone()));
            return;
        }
        match step {
            ConfigStep::Submit => self.events.push_back(Event::Configured),
            ConfigStep::RequestForm => {
                match iq
                    .payload::<OwnerQuery>()
                    .and_then(Result::ok)
                    .and_then(|q| q.form)
                {
                    Some(form) => self.events.push_back(Event::ConfigurationForm(form)),
                    // No options: the room returns an empty query; accept
                    // the defaults.
                    None => {
                        self.owner_iq(now, IqType::Set, OwnerQuery::instant(), ConfigStep::Submit)
                    }
                }
            }
        }
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

/// The event a reply to a registration request makes (§7.10).
fn register_reply(step: RegisterStep, iq: &Iq) -> Event {
    if let Some(e) = &iq.error {
        return Event::RegistrationFailed {
            failure: RegistrationFailure::from_condition(&e.condition),
            error: Some(e.clone()),
        };
    }
    if step == RegisterStep::Submit {
        return Event::RegistrationSubmitted;
    }
    let bad = |why: String| Event::RegistrationFailed {
        failure: RegistrationFailure::BadReply(why),
        error: None,
    };
    let Some(query) = iq
        .payloads
        .iter()
        .map(Payload::to_element)
        .find(|el| el.is("query", NS_REGISTER))
    else {
        return bad("the reply holds no jabber:iq:register query".into());
    };
    if query.has_child("registered", NS_REGISTER) {
        let nick = query
            .get_child("username", NS_REGISTER)
            .map(|u| u.text().trim().to_string())
            .filter(|u| !u.is_empty());
        return Event::AlreadyRegistered { nick };
    }
    let Some(x) = query.get_child("x", xep_forms::NS) else {
        return bad(
            "the jabber:iq:register query holds neither a data form nor <registered/>".into(),
        );
    };
    match DataForm::from_element(x) {
        Ok(form) => Event::RegistrationForm {
            form,
            instructions: query
                .get_child("instructions", NS_REGISTER)
                .map(|i| i.text().trim().to_string())
                .filter(|i| !i.is_empty()),
        },
        Err(e) => bad(format!("the registration form is malformed: {e}")),
    }
}

/// The reserved nickname of a disco#info reply on `x-roomuser-item`
/// (§7.12): the `name` of an identity, preferring `conference/text`;
/// `None` for an empty query (no reserved nickname). A reply whose query
/// does not parse (XEP-0030) is reported as `bad-request` with the
/// parser's reason as text.
fn reserved_nick(iq: &Iq) -> Result<Option<String>, StanzaError> {
    let info = match iq.payloads.iter().find_map(|p| p.get::<DiscoInfo>()) {
        None => return Ok(None),
        Some(Ok(info)) => info,
        Some(Err(e)) => {
            return Err(
                StanzaError::new(ErrorType::Modify, DefinedCondition::BadRequest).with_text(
                    None,
                    format!("the room's disco#info reply does not parse: {e}"),
                ),
            );
        }
    };
    let named: Vec<_> = info
        .identities
        .iter()
        .filter(|i| i.name.as_deref().is_some_and(|n| !n.is_empty()))
        .collect();
    Ok(named
        .iter()
        .find(|i| i.category == "conference" && i.type_ == "text")
        .or(named.first())
        .and_then(|i| i.name.clone()))
}
