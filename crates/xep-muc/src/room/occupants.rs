//! Occupant tracking: the presences of the room's occupants, ours
//! included (joining, nick changes, departures and removals).

use std::time::Instant;

use xep_core::{IqType, Presence, PresenceType};
use xep_element::jid::Jid;

use crate::elements::{Affiliation, Item, MucUser, OccupantId, OwnerQuery, Role, StatusCode};

use super::requests::ConfigStep;
use super::{Creation, Departure, Event, JoinFailure, Removal, Room, State};

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
    /// The XEP-0421 occupant id (when [`RoomOptions::occupant_ids`](super::RoomOptions::occupant_ids)).
    pub occupant_id: Option<String>,
}

impl Room {
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

    pub(super) fn joined(&mut self, now: Instant) {
        self.state = State::Joined;
        self.activity(now);
        self.events.push_back(Event::Joined {
            nick: self.nick.clone(),
            codes: self.self_codes.clone(),
        });
    }
}
