//! What a [`Room`](super::Room) reports: its events and the values they
//! carry.

use xep_core::{DefinedCondition, StanzaError};
use xep_element::jid::Jid;
use xep_forms::DataForm;

use crate::elements::{Actor, AdminItem, Role, StatusCode};
use crate::forms::VoiceRequest;

use crate::self_ping::SelfPing;

use super::Occupant;

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

/// What a message from the room is, as [`Room::handle_message`](super::Room::handle_message) sees it.
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
    /// [`RoomOptions::creation`](super::RoomOptions::creation).
    RoomCreated,
    /// The configuration form of a room being created (reserved room) or
    /// configured: fill it in and [`Room::submit_configuration`](super::Room::submit_configuration).
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
    /// The answer to a request of [`Room::admin`](super::Room::admin) (or [`Room::kick`](super::Room::kick),
    /// [`Room::ban`](super::Room::ban), [`Room::destroy`](super::Room::destroy)): a list for a `get`, nothing for a
    /// `set`, or the error.
    Reply {
        /// The id the request returned.
        id: String,
        /// The items of a list, or the error.
        result: Result<Vec<AdminItem>, StanzaError>,
    },
    /// One was removed from the room or left it; the state is now
    /// [`State::Idle`](super::State::Idle).
    Removed(Removal),
    /// The outcome of a self-ping; on [`SelfPing::NotJoined`] the room
    /// rejoins at once (the occupant list is cleared and arrives again).
    SelfPing(SelfPing),
    /// A voice request the room forwards to us as a moderator (§8.6):
    /// answer it with [`Room::answer_voice_request`](super::Room::answer_voice_request).
    VoiceRequest(VoiceRequestReceived),
    /// The room's registration form (§7.10): fill it in (e.g. through
    /// [`crate::forms::Register`]) and [`Room::submit_registration`](super::Room::submit_registration).
    RegistrationForm {
        /// The form of type `form`, as received (labels, required fields).
        form: DataForm,
        /// The `<instructions/>` of the query outside the form (e.g. a web
        /// page to register at), if any.
        instructions: Option<String>,
    },
    /// The room says we are already registered (a `<registered/>`
    /// element in the reply to [`Room::request_registration`](super::Room::request_registration)).
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
    /// The answer to [`Room::request_reserved_nick`](super::Room::request_reserved_nick) (§7.12): the reserved
    /// nickname, `None` when there is none (an empty disco#info query),
    /// or the error (e.g. `feature-not-implemented`).
    ReservedNick(Result<Option<String>, StanzaError>),
    /// A request of ours got no answer within
    /// [`RoomOptions::request_timeout`](super::RoomOptions::request_timeout): it is forgotten, and a late answer
    /// is not for this room any more ([`Room::handle_iq`](super::Room::handle_iq) returns `false`).
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
