//! The requests a [`Room`](super::Room) sends (configuration,
//! affiliations and roles, voice, registration, the reserved nickname) and
//! how their replies are read.

use std::time::Instant;

use xep_core::{DefinedCondition, ErrorType, Iq, IqType, Message, StanzaError};
use xep_disco::DiscoInfo;
use xep_element::Payload;
use xep_element::jid::Jid;
use xep_forms::{DataForm, FormType, FormView};
use xep_register::RegisterQuery;

use crate::elements::{AdminQuery, Affiliation, OwnerDestroy, OwnerQuery, Role};
use crate::forms::VoiceRequest;

use crate::self_ping;

use super::{
    Event, NODE_ROOMUSER_ITEM, RegistrationFailure, Room, RoomError, State, VoiceRequestReceived,
};

/// The `muc#request` field of the moderator's decision.
const ALLOW: &str = "muc#request_allow";

#[derive(Debug, Clone, PartialEq)]
pub(super) enum ConfigStep {
    RequestForm,
    Submit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RegisterStep {
    RequestForm,
    Submit,
}

impl Room {
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

    pub(super) fn owner_iq(
        &mut self,
        now: Instant,
        type_: IqType,
        query: OwnerQuery,
        step: ConfigStep,
    ) {
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
    /// [`Event::Removed`] with [`Departure::Destroyed`](super::Departure::Destroyed), the answer as
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
            RegisterQuery::default(),
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
            RegisterQuery {
                form: Some(form),
                ..RegisterQuery::default()
            },
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

    pub(super) fn dispatch_reply(&mut self, now: Instant, iq: &Iq) -> bool {
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
    let query = match iq.payload::<RegisterQuery>() {
        None => return bad("the reply holds no jabber:iq:register query".into()),
        Some(Err(e)) => return bad(format!("the jabber:iq:register query is malformed: {e}")),
        Some(Ok(q)) => q,
    };
    let text = |t: Option<String>| t.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    if query.registered {
        return Event::AlreadyRegistered {
            nick: text(query.username),
        };
    }
    match query.form {
        Some(form) => Event::RegistrationForm {
            form,
            instructions: text(query.instructions),
        },
        None => {
            bad("the jabber:iq:register query holds neither a data form nor <registered/>".into())
        }
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
