//! The elements of XEP-0045 (four namespaces), XEP-0249 and XEP-0421.

use std::borrow::Cow;

use xep_element::jid::Jid;
use xep_element::{DateTime82, Error, XmlElement, XmlValue, XsdBool};
use xep_forms::DataForm;

/// `http://jabber.org/protocol/muc`: the join element.
pub const NS: &str = "http://jabber.org/protocol/muc";
/// `http://jabber.org/protocol/muc#user`: extended presence and mediated
/// invitations.
pub const NS_USER: &str = "http://jabber.org/protocol/muc#user";
/// `http://jabber.org/protocol/muc#admin`: role and affiliation lists.
pub const NS_ADMIN: &str = "http://jabber.org/protocol/muc#admin";
/// `http://jabber.org/protocol/muc#owner`: configuration and destruction.
pub const NS_OWNER: &str = "http://jabber.org/protocol/muc#owner";
/// `jabber:x:conference`: direct invitations (XEP-0249).
pub const NS_CONFERENCE: &str = "jabber:x:conference";
/// `urn:xmpp:occupant-id:0` (XEP-0421).
pub const NS_OCCUPANT_ID: &str = "urn:xmpp:occupant-id:0";

// ---------------------------------------------------------------------------
// Value types

/// A long-lived association with a room (XEP-0045 §5.2).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Affiliation {
    /// Owns the room.
    Owner,
    /// Administers the room.
    Admin,
    /// Is on the member list.
    Member,
    /// Is banned.
    Outcast,
    /// No affiliation.
    #[default]
    None,
}

/// A temporary position of an occupant in a room (XEP-0045 §5.1).
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Role {
    /// Can kick, grant and revoke voice.
    Moderator,
    /// Has voice.
    Participant,
    /// In the room without voice.
    Visitor,
    /// Not in the room (or leaving it).
    #[default]
    None,
}

xep_forms::form_value!(Role);

/// A status code of `<status code='…'/>` (XEP-0045's status code
/// registry). Unknown codes in the allowed range 100–999 are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusCode {
    /// 100: any occupant may see the user's full JID.
    NonAnonymous,
    /// 101: the user's affiliation changed while not in the room.
    AffiliationChangedOffline,
    /// 102: the room now shows unavailable members.
    ShowsUnavailable,
    /// 103: the room no longer shows unavailable members.
    HidesUnavailable,
    /// 104: a non-privacy-related configuration change.
    ConfigChanged,
    /// 110: the presence refers to the recipient itself.
    SelfPresence,
    /// 170: room logging is now enabled (or: the room is logged).
    LoggingEnabled,
    /// 171: room logging is now disabled.
    LoggingDisabled,
    /// 172: the room is now non-anonymous.
    NowNonAnonymous,
    /// 173: the room is now semi-anonymous.
    NowSemiAnonymous,
    /// 201: a new room has been created.
    RoomCreated,
    /// 210: the service assigned or modified the occupant's nickname.
    NickAssigned,
    /// 301: the user has been banned.
    Banned,
    /// 303: the occupant's new nickname (on unavailable presence).
    NickChanged,
    /// 307: the user has been kicked.
    Kicked,
    /// 321: removed because of an affiliation change.
    RemovedByAffiliation,
    /// 322: removed because the room became members-only.
    RemovedMembersOnly,
    /// 332: removed because the service is shutting down.
    ServiceShutdown,
    /// 333: removed because of a technical error (e.g. an error reply).
    ServiceError,
    /// Any other code of the allowed range, kept as written.
    Other(u16),
}

const KNOWN_CODES: &[(u16, StatusCode)] = &[
    (100, StatusCode::NonAnonymous),
    (101, StatusCode::AffiliationChangedOffline),
    (102, StatusCode::ShowsUnavailable),
    (103, StatusCode::HidesUnavailable),
    (104, StatusCode::ConfigChanged),
    (110, StatusCode::SelfPresence),
    (170, StatusCode::LoggingEnabled),
    (171, StatusCode::LoggingDisabled),
    (172, StatusCode::NowNonAnonymous),
    (173, StatusCode::NowSemiAnonymous),
    (201, StatusCode::RoomCreated),
    (210, StatusCode::NickAssigned),
    (301, StatusCode::Banned),
    (303, StatusCode::NickChanged),
    (307, StatusCode::Kicked),
    (321, StatusCode::RemovedByAffiliation),
    (322, StatusCode::RemovedMembersOnly),
    (332, StatusCode::ServiceShutdown),
    (333, StatusCode::ServiceError),
];

impl StatusCode {
    /// The code for a number; `None` outside 100–999 (the schema's range).
    pub fn from_number(n: u16) -> Option<StatusCode> {
        if !(100..=999).contains(&n) {
            return None;
        }
        Some(
            KNOWN_CODES
                .iter()
                .find(|(k, _)| *k == n)
                .map_or(StatusCode::Other(n), |(_, c)| *c),
        )
    }

    /// The number of the code.
    pub fn number(self) -> u16 {
        match self {
            StatusCode::Other(n) => n,
            known => KNOWN_CODES
                .iter()
                .find(|(_, c)| *c == known)
                .map(|(n, _)| *n)
                .expect("every known code is in the table"),
        }
    }
}

impl XmlValue for StatusCode {
    const XSD_TYPE: &'static str = "xs:int";
    fn from_xml(s: &str) -> Result<Self, String> {
        let n = i32::from_xml(s)?;
        u16::try_from(n)
            .ok()
            .and_then(StatusCode::from_number)
            .ok_or_else(|| format!("status code {n} is outside 100–999"))
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Owned(self.number().to_string())
    }
}

// ---------------------------------------------------------------------------
// http://jabber.org/protocol/muc

/// `<history/>`: how much discussion history to receive on joining
/// (XEP-0045 §7.2.13). The schema types the counts as `xs:int`; negative
/// counts are meaningless and rejected.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "history")]
pub struct History {
    /// At most this many characters of complete stanzas.
    #[xml(attr)]
    pub maxchars: Option<u32>,
    /// At most this many messages.
    #[xml(attr)]
    pub maxstanzas: Option<u32>,
    /// Only messages of the last this many seconds.
    #[xml(attr)]
    pub seconds: Option<u32>,
    /// Only messages since this instant (XEP-0082 DateTime).
    #[xml(attr)]
    pub since: Option<DateTime82>,
}

impl History {
    /// No history at all (`maxchars='0'`, as the XEP prescribes).
    pub fn none() -> Self {
        History {
            maxchars: Some(0),
            ..History::default()
        }
    }

    /// At most `n` messages.
    pub fn max_stanzas(n: u32) -> Self {
        History {
            maxstanzas: Some(n),
            ..History::default()
        }
    }
}

/// `<x xmlns='http://jabber.org/protocol/muc'/>`: marks a presence as a
/// MUC join, with history options and the room password (§7.2).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "x")]
pub struct Muc {
    /// History management.
    #[xml(child)]
    pub history: Option<History>,
    /// The room password, in clear text.
    #[xml(text_child(name = "password"))]
    pub password: Option<String>,
}

// ---------------------------------------------------------------------------
// http://jabber.org/protocol/muc#user

/// `<actor/>` in `muc#user`: who performed a change.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_USER, name = "actor")]
pub struct Actor {
    /// The actor's real JID (where the room reveals it).
    #[xml(attr)]
    pub jid: Option<Jid>,
    /// The actor's room nickname.
    #[xml(attr)]
    pub nick: Option<String>,
}

/// `<continue/>`: the room continues a one-to-one chat (§7.9).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_USER, name = "continue")]
pub struct Continue {
    /// The thread of the one-to-one chat.
    #[xml(attr)]
    pub thread: Option<String>,
}

/// `<item/>` in `muc#user`: an occupant's affiliation, role, and (when
/// visible) real JID or (on a nick change) new nickname.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_USER, name = "item")]
pub struct Item {
    /// The affiliation.
    #[xml(attr)]
    pub affiliation: Option<Affiliation>,
    /// The occupant's real full JID (non-anonymous rooms, moderators).
    #[xml(attr)]
    pub jid: Option<Jid>,
    /// The nickname (the new one, with status 303).
    #[xml(attr)]
    pub nick: Option<String>,
    /// The role.
    #[xml(attr)]
    pub role: Option<Role>,
    /// Who made the change.
    #[xml(child)]
    pub actor: Option<Actor>,
    /// A one-to-one chat the room continues.
    #[xml(child)]
    pub continue_: Option<Continue>,
    /// Why.
    #[xml(text_child(name = "reason"))]
    pub reason: Option<String>,
}

/// `<status code='…'/>`.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq)]
#[xml(ns = NS_USER, name = "status")]
pub struct Status {
    /// The code.
    #[xml(attr)]
    pub code: StatusCode,
}

/// `<invite/>`: a mediated invitation (§7.8.2): `to` when sent to the
/// room, `from` when the room forwards it.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_USER, name = "invite")]
pub struct Invite {
    /// The inviter (added by the room).
    #[xml(attr)]
    pub from: Option<Jid>,
    /// The invitee.
    #[xml(attr)]
    pub to: Option<Jid>,
    /// Why.
    #[xml(text_child(name = "reason"))]
    pub reason: Option<String>,
    /// The one-to-one chat the room continues (§7.9; shown in the XEP's
    /// examples though absent from its schema).
    #[xml(child)]
    pub continue_: Option<Continue>,
}

/// `<decline/>`: the invitee declines an invitation (§7.8.2).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_USER, name = "decline")]
pub struct Decline {
    /// The decliner (added by the room).
    #[xml(attr)]
    pub from: Option<Jid>,
    /// The inviter the decline is for.
    #[xml(attr)]
    pub to: Option<Jid>,
    /// Why.
    #[xml(text_child(name = "reason"))]
    pub reason: Option<String>,
}

/// `<destroy/>` in `muc#user`: the room was destroyed (§10.9).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_USER, name = "destroy")]
pub struct Destroy {
    /// An alternate venue.
    #[xml(attr)]
    pub jid: Option<Jid>,
    /// Why.
    #[xml(text_child(name = "reason"))]
    pub reason: Option<String>,
}

/// `<x xmlns='http://jabber.org/protocol/muc#user'/>`: extended presence
/// from a room, invitations and declines.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_USER, name = "x")]
pub struct MucUser {
    /// A declined invitation.
    #[xml(child)]
    pub decline: Option<Decline>,
    /// The room was destroyed.
    #[xml(child)]
    pub destroy: Option<Destroy>,
    /// Invitations.
    #[xml(child)]
    pub invites: Vec<Invite>,
    /// Occupant items (one in presence).
    #[xml(child)]
    pub items: Vec<Item>,
    /// The room password (in a forwarded invitation).
    #[xml(text_child(name = "password"))]
    pub password: Option<String>,
    /// Status codes.
    #[xml(child)]
    pub statuses: Vec<Status>,
}

impl MucUser {
    /// Whether `code` is among the status codes.
    pub fn has_status(&self, code: StatusCode) -> bool {
        self.statuses.iter().any(|s| s.code == code)
    }

    /// The status codes, in order.
    pub fn codes(&self) -> impl Iterator<Item = StatusCode> + '_ {
        self.statuses.iter().map(|s| s.code)
    }

    /// Adds status codes.
    #[must_use]
    pub fn with_statuses(mut self, codes: &[StatusCode]) -> Self {
        self.statuses
            .extend(codes.iter().map(|&code| Status { code }));
        self
    }
}

// ---------------------------------------------------------------------------
// http://jabber.org/protocol/muc#admin

/// `<actor/>` in `muc#admin`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_ADMIN, name = "actor")]
pub struct AdminActor {
    /// The actor's real JID.
    #[xml(attr)]
    pub jid: Option<Jid>,
    /// The actor's room nickname.
    #[xml(attr)]
    pub nick: Option<String>,
}

/// `<item/>` in `muc#admin`: a list entry, a list query or a change.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_ADMIN, name = "item")]
pub struct AdminItem {
    /// The affiliation (to query, or to set).
    #[xml(attr)]
    pub affiliation: Option<Affiliation>,
    /// The user's (bare) JID.
    #[xml(attr)]
    pub jid: Option<Jid>,
    /// The occupant's nickname.
    #[xml(attr)]
    pub nick: Option<String>,
    /// The role (to query, or to set).
    #[xml(attr)]
    pub role: Option<Role>,
    /// Who made the change.
    #[xml(child)]
    pub actor: Option<AdminActor>,
    /// Why.
    #[xml(text_child(name = "reason"))]
    pub reason: Option<String>,
}

/// `<query xmlns='http://jabber.org/protocol/muc#admin'/>`: role and
/// affiliation lists (get) and changes (set).
///
/// The schema requires at least one item; an empty query is accepted
/// because a result listing an empty list has nothing else to carry.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_ADMIN, name = "query")]
pub struct AdminQuery {
    /// The items.
    #[xml(child)]
    pub items: Vec<AdminItem>,
}

impl AdminQuery {
    /// A request for the list of occupants with `role`.
    pub fn role_list(role: Role) -> Self {
        AdminQuery {
            items: vec![AdminItem {
                role: Some(role),
                ..AdminItem::default()
            }],
        }
    }

    /// A request for the list of users with `affiliation`.
    pub fn affiliation_list(affiliation: Affiliation) -> Self {
        AdminQuery {
            items: vec![AdminItem {
                affiliation: Some(affiliation),
                ..AdminItem::default()
            }],
        }
    }

    /// A role change for the occupant `nick` (kick: [`Role::None`]).
    pub fn set_role(nick: impl Into<String>, role: Role, reason: Option<String>) -> Self {
        AdminQuery {
            items: vec![AdminItem {
                nick: Some(nick.into()),
                role: Some(role),
                reason,
                ..AdminItem::default()
            }],
        }
    }

    /// An affiliation change for `jid` (ban: [`Affiliation::Outcast`]).
    pub fn set_affiliation(jid: Jid, affiliation: Affiliation, reason: Option<String>) -> Self {
        AdminQuery {
            items: vec![AdminItem {
                jid: Some(jid),
                affiliation: Some(affiliation),
                reason,
                ..AdminItem::default()
            }],
        }
    }
}

// ---------------------------------------------------------------------------
// http://jabber.org/protocol/muc#owner

/// `<destroy/>` in `muc#owner`: the owner's request to destroy the room.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_OWNER, name = "destroy")]
pub struct OwnerDestroy {
    /// An alternate venue.
    #[xml(attr)]
    pub jid: Option<Jid>,
    /// The alternate venue's password.
    #[xml(text_child(name = "password"))]
    pub password: Option<String>,
    /// Why.
    #[xml(text_child(name = "reason"))]
    pub reason: Option<String>,
}

/// `<query xmlns='http://jabber.org/protocol/muc#owner'/>`: empty (a
/// request for the configuration form), with a data form (the form, or
/// its submission), or with `<destroy/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_OWNER, name = "query", validate = OwnerQuery::check)]
pub struct OwnerQuery {
    /// The configuration form (`jabber:x:data`).
    #[xml(child)]
    pub form: Option<DataForm>,
    /// A destruction request.
    #[xml(child)]
    pub destroy: Option<OwnerDestroy>,
}

impl OwnerQuery {
    fn check(q: &OwnerQuery) -> Result<(), Error> {
        if q.form.is_some() && q.destroy.is_some() {
            return Err(Error::invalid(
                "a muc#owner query holds a data form or a <destroy/>, not both",
            ));
        }
        Ok(())
    }

    /// The empty query: asks for the configuration form.
    pub fn request_form() -> Self {
        OwnerQuery::default()
    }

    /// An empty submitted form: accepts the default configuration (an
    /// instant room, §10.1.2).
    pub fn instant() -> Self {
        OwnerQuery {
            form: Some(DataForm::new(xep_forms::FormType::Submit)),
            destroy: None,
        }
    }

    /// A configuration (submission or cancellation).
    pub fn with_form(form: DataForm) -> Self {
        OwnerQuery {
            form: Some(form),
            destroy: None,
        }
    }

    /// A destruction request.
    pub fn destroy(destroy: OwnerDestroy) -> Self {
        OwnerQuery {
            form: None,
            destroy: Some(destroy),
        }
    }
}

// ---------------------------------------------------------------------------
// XEP-0249 and XEP-0421

/// `<x xmlns='jabber:x:conference'/>`: a direct invitation (XEP-0249).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_CONFERENCE, name = "x")]
pub struct DirectInvite {
    /// Whether the room continues a one-to-one chat.
    #[xml(attr(name = "continue"))]
    pub continue_: Option<XsdBool>,
    /// The room.
    #[xml(attr)]
    pub jid: Jid,
    /// The room password.
    #[xml(attr)]
    pub password: Option<String>,
    /// Why.
    #[xml(attr)]
    pub reason: Option<String>,
    /// The thread of the continued one-to-one chat.
    #[xml(attr)]
    pub thread: Option<String>,
}

impl DirectInvite {
    /// An invitation to `room` with nothing else.
    pub fn new(room: Jid) -> Self {
        DirectInvite {
            continue_: None,
            jid: room,
            password: None,
            reason: None,
            thread: None,
        }
    }
}

/// `<occupant-id id='…'/>`: a stable, pseudonymous occupant identifier
/// (XEP-0421). Only meaningful when the room announces the feature.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Hash)]
#[xml(ns = NS_OCCUPANT_ID, name = "occupant-id")]
pub struct OccupantId {
    /// The identifier.
    #[xml(attr)]
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: XmlElement + PartialEq + std::fmt::Debug>(xml: &str) -> T {
        let v = T::from_xml(xml.as_bytes()).unwrap_or_else(|e| panic!("{xml}: {e}"));
        let back = v.to_xml();
        assert_eq!(T::from_xml(back.as_bytes()).unwrap(), v, "{back}");
        let dom: xep_element::minidom::Element = back.parse().unwrap();
        assert_eq!(T::from_element(&dom).unwrap(), v, "DOM path");
        v
    }

    #[test]
    fn join_element_with_history_and_password() {
        let x: Muc = round_trip(
            "<x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='12' since='2024-03-01T08:30:00Z'/>\
             <password>opensesame</password></x>",
        );
        let h = x.history.as_ref().unwrap();
        assert_eq!(h.maxstanzas, Some(12));
        assert_eq!(h.since.as_ref().unwrap().value.timestamp(), 1709281800);
        assert_eq!(x.password.as_deref(), Some("opensesame"));
        assert_eq!(
            Muc::default().to_xml(),
            "<x xmlns='http://jabber.org/protocol/muc'/>"
        );
        let h: History = round_trip(
            "<history xmlns='http://jabber.org/protocol/muc' maxchars='0' seconds='90'/>",
        );
        assert_eq!((h.maxchars, h.seconds), (Some(0), Some(90)));
        assert_eq!(History::none().maxchars, Some(0));
    }

    #[test]
    fn user_element_with_everything() {
        let x: MucUser = round_trip(
            "<x xmlns='http://jabber.org/protocol/muc#user'>\
               <item affiliation='member' role='participant' jid='miranda@isle.example/cell' nick='Miranda'>\
                 <actor nick='Prospero' jid='prospero@isle.example'/><continue thread='t-17'/>\
                 <reason>storm</reason></item>\
               <status code='110'/><status code='100'/><status code='777'/>\
             </x>",
        );
        let item = &x.items[0];
        assert_eq!(item.affiliation, Some(Affiliation::Member));
        assert_eq!(item.role, Some(Role::Participant));
        assert_eq!(
            item.actor.as_ref().unwrap().nick.as_deref(),
            Some("Prospero")
        );
        assert_eq!(
            item.continue_.as_ref().unwrap().thread.as_deref(),
            Some("t-17")
        );
        assert_eq!(item.reason.as_deref(), Some("storm"));
        assert_eq!(
            x.codes().collect::<Vec<_>>(),
            [
                StatusCode::SelfPresence,
                StatusCode::NonAnonymous,
                StatusCode::Other(777)
            ]
        );
        assert!(x.has_status(StatusCode::SelfPresence));
        assert!(!x.has_status(StatusCode::RoomCreated));

        let x: MucUser = round_trip(
            "<x xmlns='http://jabber.org/protocol/muc#user'>\
               <invite to='ariel@isle.example'><reason>come</reason><continue/></invite>\
               <invite from='caliban@isle.example/cave'/>\
               <password>tempest</password></x>",
        );
        assert_eq!(x.invites.len(), 2);
        assert_eq!(x.password.as_deref(), Some("tempest"));
        let x: MucUser = round_trip(
            "<x xmlns='http://jabber.org/protocol/muc#user'><decline from='ariel@isle.example'>\
             <reason>busy</reason></decline></x>",
        );
        assert_eq!(x.decline.unwrap().reason.as_deref(), Some("busy"));
        let x: MucUser = round_trip(
            "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' role='none'/>\
             <destroy jid='newisle@rooms.example'><reason>moving</reason></destroy></x>",
        );
        assert_eq!(
            x.destroy.unwrap().jid.unwrap().to_string(),
            "newisle@rooms.example"
        );
    }

    #[test]
    fn every_known_status_code_round_trips() {
        for &(n, code) in KNOWN_CODES {
            assert_eq!(StatusCode::from_number(n), Some(code));
            assert_eq!(code.number(), n);
            assert_eq!(StatusCode::from_xml(&n.to_string()), Ok(code));
            assert_eq!(code.to_xml(), n.to_string());
        }
        assert_eq!(StatusCode::from_number(150), Some(StatusCode::Other(150)));
        assert_eq!(StatusCode::Other(150).number(), 150);
        assert_eq!(StatusCode::from_number(99), None);
        assert_eq!(StatusCode::from_number(1000), None);
    }

    #[test]
    fn admin_and_owner_queries() {
        let q: AdminQuery = round_trip(
            "<query xmlns='http://jabber.org/protocol/muc#admin'>\
               <item affiliation='outcast' jid='antonio@milan.example'><actor nick='Alonso'/><reason>usurper</reason></item>\
               <item nick='Trinculo' role='none'/></query>",
        );
        assert_eq!(q.items.len(), 2);
        assert_eq!(q.items[1].role, Some(Role::None));
        assert_eq!(
            AdminQuery::role_list(Role::Moderator).to_xml(),
            "<query xmlns='http://jabber.org/protocol/muc#admin'><item role='moderator'/></query>"
        );
        assert_eq!(
            AdminQuery::set_affiliation(
                "stephano@naples.example".parse().unwrap(),
                Affiliation::Outcast,
                Some("drunk".into())
            )
            .to_xml(),
            "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='outcast' \
             jid='stephano@naples.example'><reason>drunk</reason></item></query>"
        );
        let _: AdminQuery = round_trip(
            "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='member'/></query>",
        );

        assert_eq!(
            OwnerQuery::instant().to_xml(),
            "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query>"
        );
        let q: OwnerQuery = round_trip("<query xmlns='http://jabber.org/protocol/muc#owner'/>");
        assert_eq!(q, OwnerQuery::request_form());
        let q: OwnerQuery = round_trip(
            "<query xmlns='http://jabber.org/protocol/muc#owner'><destroy jid='annex@rooms.example'>\
             <password>p</password><reason>closing</reason></destroy></query>",
        );
        let d = q.destroy.unwrap();
        assert_eq!(
            (d.password.as_deref(), d.reason.as_deref()),
            (Some("p"), Some("closing"))
        );
    }

    #[test]
    fn direct_invite_and_occupant_id() {
        let x: DirectInvite = round_trip(
            "<x xmlns='jabber:x:conference' continue='1' jid='globe@rooms.example' password='w' \
             reason='rehearsal' thread='th-9'/>",
        );
        assert_eq!(
            x.continue_,
            Some(XsdBool {
                value: true,
                numeric: true
            })
        );
        assert_eq!(x.thread.as_deref(), Some("th-9"));
        assert_eq!(
            DirectInvite::new("globe@rooms.example".parse().unwrap()).to_xml(),
            "<x xmlns='jabber:x:conference' jid='globe@rooms.example'/>"
        );
        let o: OccupantId = round_trip("<occupant-id xmlns='urn:xmpp:occupant-id:0' id='a1b2'/>");
        assert_eq!(o.id, "a1b2");
    }

    #[test]
    fn bad_input_is_rejected_with_path_and_reason() {
        fn err<T: XmlElement + std::fmt::Debug>(xml: &str) -> String {
            T::from_xml(xml.as_bytes())
                .map(|v| panic!("{xml} was accepted: {v:?}"))
                .unwrap_err()
                .to_string()
        }
        let cases: Vec<(String, &str)> = vec![
            (
                err::<MucUser>(
                    "<x xmlns='http://jabber.org/protocol/muc#user'><status code='99'/></x>",
                ),
                "at x/status: attribute 'code' has bad value '99': status code 99 is outside 100–999",
            ),
            (
                err::<MucUser>("<x xmlns='http://jabber.org/protocol/muc#user'><status/></x>"),
                "at x/status: missing required attribute 'code'",
            ),
            (
                err::<MucUser>(
                    "<x xmlns='http://jabber.org/protocol/muc#user'><item role='king'/></x>",
                ),
                "at x/item: attribute 'role' has bad value 'king'",
            ),
            (
                err::<MucUser>(
                    "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='guest'/></x>",
                ),
                "at x/item: attribute 'affiliation' has bad value 'guest'",
            ),
            (
                err::<MucUser>(
                    "<x xmlns='http://jabber.org/protocol/muc#user'><item><actor>x</actor></item></x>",
                ),
                "at x/item/actor",
            ),
            (
                err::<MucUser>("<x xmlns='http://jabber.org/protocol/muc#user'><history/></x>"),
                "at x:",
            ),
            (
                err::<Muc>(
                    "<x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='-1'/></x>",
                ),
                "at x/history: attribute 'maxstanzas' has bad value '-1'",
            ),
            (
                err::<Muc>(
                    "<x xmlns='http://jabber.org/protocol/muc'><history since='yesterday'/></x>",
                ),
                "at x/history: attribute 'since' has bad value 'yesterday'",
            ),
            (
                err::<Muc>("<x xmlns='http://jabber.org/protocol/muc'><password/><password/></x>"),
                "at x:",
            ),
            (
                err::<AdminQuery>(
                    "<query xmlns='http://jabber.org/protocol/muc#admin'><item><continue/></item></query>",
                ),
                "at query/item:",
            ),
            (
                err::<OwnerQuery>(
                    "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/><destroy/></query>",
                ),
                "not both",
            ),
            (
                err::<DirectInvite>("<x xmlns='jabber:x:conference' reason='r'/>"),
                "at x: missing required attribute 'jid'",
            ),
            (
                err::<DirectInvite>("<x xmlns='jabber:x:conference' jid='a@b' continue='maybe'/>"),
                "at x: attribute 'continue' has bad value 'maybe'",
            ),
            (
                err::<OccupantId>("<occupant-id xmlns='urn:xmpp:occupant-id:0'/>"),
                "at occupant-id: missing required attribute 'id'",
            ),
        ];
        for (msg, expected) in cases {
            assert!(
                msg.contains(expected),
                "{msg:?} does not contain {expected:?}"
            );
        }
    }
}
