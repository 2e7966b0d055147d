//! XEP-0513 explicit mentions: `<mention/>` names a person (by XEP-0421
//! occupant id in a room, by JID elsewhere) or a group (a room, a space,
//! a server, occupants by role or affiliation, a hat), optionally over a
//! range of the body, with the `active` and `noping` modifiers; rooms
//! publish who may mention whom in a `urn:xmpp:mentions:0` form
//! ([`MentionPermissions`]).
//!
//! [`Mention::check`] applies §3's rules when a mention is parsed; what
//! a receiving client does is [`notifies`]: a mention of the user, or of
//! a group the user is in, that the room's permissions allow, in a
//! message with no more mentions than the room's count.

use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement, XmlValue};
use xep_forms::{DataForm, form_value, form_view};

/// `urn:xmpp:mentions:0`.
pub const NS_MENTIONS: &str = "urn:xmpp:mentions:0";

/// `<mention/>`.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_MENTIONS, name = "mention", validate = Mention::check)]
pub struct Mention {
    /// `begin`: the first character (XEP-0426) of the mention in the body.
    #[xml(attr)]
    pub begin: Option<u32>,
    /// `end`: one past the last.
    #[xml(attr)]
    pub end: Option<u32>,
    /// `occupantid`: the person, in a room (XEP-0421).
    #[xml(attr)]
    pub occupantid: Option<String>,
    /// `jid`: the person, outside rooms (or in rooms without occupant ids).
    #[xml(attr)]
    pub jid: Option<Jid>,
    /// `mentions`: the group type, for a group mention.
    #[xml(attr)]
    pub mentions: Option<String>,
    /// `uri`: the room, space, server or hat of a group mention.
    #[xml(attr)]
    pub uri: Option<String>,
    /// `hreflang`: the body language the range refers to.
    #[xml(attr)]
    pub hreflang: Option<String>,
    /// `<active/>`: notify only those active now.
    #[xml(flag(name = "active"))]
    pub active: bool,
    /// `<noping/>`: do not notify.
    #[xml(flag(name = "noping"))]
    pub noping: bool,
    /// Modifiers of other namespaces, kept.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

/// A group a mention names (§3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Group {
    /// Every occupant of a room.
    Channel,
    /// Every member of a XEP-0503 space.
    Space,
    /// Every user of a server.
    Server,
    /// Occupants by role.
    Moderators,
    /// Occupants by role.
    Participants,
    /// Occupants by role.
    Visitors,
    /// Occupants by affiliation.
    Owner,
    /// Occupants by affiliation.
    Admin,
    /// Occupants by affiliation.
    Member,
    /// Occupants without affiliation.
    NoAffiliation,
    /// Wearers of a XEP-0317 hat (its URI in `uri`).
    Hats,
    /// A group type of another specification, as written.
    Other(String),
}

impl Group {
    /// The group of a `mentions` URI.
    pub fn parse(uri: &str) -> Group {
        match uri
            .strip_prefix(NS_MENTIONS)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some("channel") => Group::Channel,
            Some("space") => Group::Space,
            Some("server") => Group::Server,
            Some("moderators") => Group::Moderators,
            Some("participants") => Group::Participants,
            Some("visitors") => Group::Visitors,
            Some("owner") => Group::Owner,
            Some("admin") => Group::Admin,
            Some("member") => Group::Member,
            Some("none") => Group::NoAffiliation,
            Some("hats") => Group::Hats,
            _ => Group::Other(uri.to_string()),
        }
    }
}

impl Mention {
    /// A mention of the occupant `occupant_id` in a room.
    pub fn occupant(occupant_id: impl Into<String>) -> Mention {
        Mention {
            occupantid: Some(occupant_id.into()),
            ..Mention::empty()
        }
    }

    /// A mention of `jid` (outside rooms).
    pub fn of_jid(jid: Jid) -> Mention {
        Mention {
            jid: Some(jid),
            ..Mention::empty()
        }
    }

    fn empty() -> Mention {
        Mention {
            begin: None,
            end: None,
            occupantid: None,
            jid: None,
            mentions: None,
            uri: None,
            hreflang: None,
            active: false,
            noping: false,
            extensions: Vec::new(),
        }
    }

    /// The group mentioned, `None` for a person.
    pub fn group(&self) -> Option<Group> {
        self.mentions.as_deref().map(Group::parse)
    }

    fn check(&self) -> Result<(), Error> {
        match (self.begin, self.end) {
            (Some(b), Some(e)) if b > e => {
                return Err(Error::invalid(format!(
                    "'begin' ({b}) is after 'end' ({e})"
                )));
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(Error::invalid(
                    "'begin' and 'end' go together (XEP-0513 §4)",
                ));
            }
            _ => {}
        }
        match self.group() {
            None if self.occupantid.is_none() && self.jid.is_none() => Err(Error::invalid(
                "a mention of a person has an 'occupantid' or a 'jid' (XEP-0513 §3.1)",
            )),
            Some(Group::Server | Group::Hats) if self.uri.is_none() => Err(Error::invalid(
                "a server or hat mention names it in 'uri' (XEP-0513 §3.2)",
            )),
            Some(_) if self.occupantid.is_some() || self.jid.is_some() => Err(Error::invalid(
                "a group mention names no person (XEP-0513 §3.2)",
            )),
            _ => Ok(()),
        }
    }
}

/// Who may use a kind of mention in a room (§6).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    /// Every participant.
    Participants,
    /// Moderators only.
    Moderators,
    /// Nobody.
    None,
    /// A value this crate does not know, as written.
    #[xml(other)]
    Other(String),
}
form_value!(Allowed);

form_view! {
    /// A room's mention permissions (§6).
    pub struct MentionPermissions = "urn:xmpp:mentions:0" {
        /// The most mentions a message may carry.
        count: Option<u64> = "mentions#count",
        /// Who may mention persons.
        individual: Option<Allowed> = "mentions#individual",
        /// Who may mention the room.
        channel: Option<Allowed> = "mentions#channel",
        /// Who may mention spaces.
        space: Option<Allowed> = "mentions#space",
        /// Who may mention servers.
        server: Option<Allowed> = "mentions#server",
        /// Who may mention roles and affiliations.
        associations: Option<Allowed> = "mentions#associations",
        /// Who may mention hats.
        hats: Option<Allowed> = "mentions#hats",
    }
}

/// `<query xmlns='urn:xmpp:mentions:0'/>`: the permissions request (empty)
/// and answer (the form).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_MENTIONS, name = "query")]
pub struct MentionsQuery {
    /// The permissions form.
    #[xml(child)]
    pub form: Option<DataForm>,
}

/// The receiving user, as a mention may name them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Me<'a> {
    /// The user's bare JID.
    pub jid: &'a Jid,
    /// The user's occupant id in the room, if in one.
    pub occupant_id: Option<&'a str>,
    /// The groups the user is in (the room, a role, an affiliation...).
    pub groups: &'a [Group],
}

/// The sender, as the room's permissions judge them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// A moderator.
    Moderator,
    /// A participant (or anyone outside a room).
    Participant,
}

/// Whether `mentions` (all the mentions of one message) should notify
/// `me` (§6 and §5): not when the message has more mentions than the
/// room's count, not for a kind of mention the sender may not use, never
/// with `noping`; a person mention by occupant id or bare JID, a group
/// mention of a group `me` is in.
pub fn notifies(
    mentions: &[Mention],
    me: &Me<'_>,
    sender: Sender,
    permissions: Option<&MentionPermissions>,
) -> bool {
    if let Some(max) = permissions.and_then(|p| p.count)
        && mentions.len() as u64 > max
    {
        return false;
    }
    let allowed = |a: Option<&Allowed>| match a {
        Some(Allowed::None) => false,
        Some(Allowed::Moderators) => sender == Sender::Moderator,
        _ => true,
    };
    mentions
        .iter()
        .filter(|m| !m.noping)
        .any(|m| match m.group() {
            None => {
                let rule = permissions.and_then(|p| p.individual.as_ref());
                let is_me = match (&m.occupantid, me.occupant_id) {
                    (Some(o), Some(mine)) => o == mine,
                    _ => m
                        .jid
                        .as_ref()
                        .is_some_and(|j| j.to_bare() == me.jid.to_bare()),
                };
                is_me && allowed(rule)
            }
            Some(g) => {
                let rule = permissions.and_then(|p| match g {
                    Group::Channel => p.channel.as_ref(),
                    Group::Space => p.space.as_ref(),
                    Group::Server => p.server.as_ref(),
                    Group::Hats => p.hats.as_ref(),
                    Group::Other(_) => None,
                    _ => p.associations.as_ref(),
                });
                me.groups.contains(&g) && allowed(rule)
            }
        })
}
