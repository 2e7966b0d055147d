//! A sans-IO client for one room: joining (and creating), the occupant
//! list, the subject, nick changes, removals, and XEP-0410 self-pings.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use xep_core::{
    DefinedCondition, Iq, IqType, Message, MessageType, Presence, PresenceType, Stanza, StanzaError,
};
use xep_element::Payload;
use xep_element::jid::{BareJid, Jid};
use xep_forms::{DataForm, FormType};

use crate::elements::{
    Actor, AdminItem, AdminQuery, Affiliation, History, Item, Muc, MucUser, OccupantId,
    OwnerDestroy, OwnerQuery, Role, StatusCode,
};
use crate::self_ping::{self, SelfPing};

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
}

/// Errors of the room's inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomError {
    /// The operation needs another state.
    WrongState(State),
    /// The nickname does not make a valid occupant JID.
    BadNick(String),
}

impl std::fmt::Display for RoomError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RoomError::WrongState(s) => write!(f, "not possible in state {s:?}"),
            RoomError::BadNick(n) => write!(f, "'{n}' is not a valid room nickname"),
        }
    }
}

impl std::error::Error for RoomError {}

#[derive(Debug, Clone, PartialEq)]
enum ConfigStep {
    RequestForm,
    Submit,
}

/// A client's view of one room, sans I/O: feed it the stanzas from the
/// room and the time, drain stanzas to send, events and the next deadline.
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
    ping: Option<(Iq, Instant)>,
    next_ping: Option<Instant>,
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
            ping: None,
            next_ping: None,
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
        match &self.ping {
            Some((_, deadline)) => Some(*deadline),
            None => self.next_ping,
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
            return Err(RoomError::WrongState(self.state));
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
            return Err(RoomError::WrongState(self.state));
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
            return Err(RoomError::WrongState(self.state));
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
            return Err(RoomError::WrongState(self.state));
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

    fn owner_iq(&mut self, type_: IqType, query: OwnerQuery, step: ConfigStep) {
        let id = self.id();
        let to = Some(Jid::from(self.room.clone()));
        let iq = if type_ == IqType::Get {
            Iq::get(id.clone(), to, Payload::new(query))
        } else {
            Iq::set(id.clone(), to, Payload::new(query))
        };
        self.pending_config = Some((id, step));
        self.transmit.push_back(iq.into());
    }

    /// Asks for the configuration form (as an owner). One configuration
    /// exchange is tracked at a time: a new one replaces the one in flight.
    pub fn request_configuration(&mut self, now: Instant) -> Result<(), RoomError> {
        let _ = now;
        if !matches!(self.state, State::Joined | State::Syncing) {
            return Err(RoomError::WrongState(self.state));
        }
        self.owner_iq(
            IqType::Get,
            OwnerQuery::request_form(),
            ConfigStep::RequestForm,
        );
        Ok(())
    }

    /// Submits a configuration (a form of type `submit`, e.g. from
    /// [`crate::forms::RoomConfig`]).
    pub fn submit_configuration(&mut self, now: Instant, form: DataForm) -> Result<(), RoomError> {
        let _ = now;
        if !matches!(self.state, State::Joined | State::Syncing) {
            return Err(RoomError::WrongState(self.state));
        }
        self.owner_iq(IqType::Set, OwnerQuery::with_form(form), ConfigStep::Submit);
        Ok(())
    }

    /// Cancels the configuration; while creating a reserved room, the room
    /// is then destroyed (§10.1.3).
    pub fn cancel_configuration(&mut self, now: Instant) -> Result<(), RoomError> {
        self.submit_configuration(now, DataForm::new(FormType::Cancel))
    }

    fn request(&mut self, type_: IqType, payload: Payload) -> Result<String, RoomError> {
        if !matches!(self.state, State::Joined | State::Syncing) {
            return Err(RoomError::WrongState(self.state));
        }
        let id = self.id();
        let to = Some(Jid::from(self.room.clone()));
        let iq = if type_ == IqType::Get {
            Iq::get(id.clone(), to, payload)
        } else {
            Iq::set(id.clone(), to, payload)
        };
        self.transmit.push_back(iq.into());
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
        let _ = now;
        let type_ = if get { IqType::Get } else { IqType::Set };
        self.request(type_, Payload::new(query))
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
        let _ = now;
        self.request(IqType::Set, Payload::new(OwnerQuery::destroy(destroy)))
    }

    fn activity(&mut self, now: Instant) {
        if matches!(self.state, State::Joined | State::Syncing) && self.ping.is_none() {
            self.next_ping = self.options.self_ping_interval.map(|i| now + i);
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
                        self.owner_iq(IqType::Set, OwnerQuery::instant(), ConfigStep::Submit)
                    }
                    Creation::Reserved => self.owner_iq(
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
                        let _ = now;
                        self.owner_iq(IqType::Set, OwnerQuery::instant(), ConfigStep::Submit)
                    }
                }
            }
        }
    }

    fn ping_outcome(&mut self, now: Instant, outcome: SelfPing) {
        self.events.push_back(Event::SelfPing(outcome.clone()));
        match outcome {
            SelfPing::Joined => {
                self.next_ping = self.options.self_ping_interval.map(|i| now + i);
            }
            SelfPing::TryLater => self.next_ping = Some(now + self.options.self_ping_retry),
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
        if let Some((_, deadline)) = &self.ping {
            if now >= *deadline {
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
                self.ping = Some((iq, now + self.options.self_ping_timeout));
                self.next_ping = None;
            }
        }
    }
}
