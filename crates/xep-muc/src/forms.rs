//! Typed views of XEP-0045's registered forms (its "Field Standardization"
//! section): `muc#roomconfig`, `muc#roominfo`, `muc#register` and
//! `muc#request`. Fields a view does not name are kept in `other`.

use xep_element::XmlValue;
use xep_element::jid::Jid;
use xep_forms::{form_value, form_view, number_or_keyword};

use crate::Role;

/// `FORM_TYPE` of room configuration.
pub const ROOMCONFIG: &str = "http://jabber.org/protocol/muc#roomconfig";
/// `FORM_TYPE` of room information (disco#info extension).
pub const ROOMINFO: &str = "http://jabber.org/protocol/muc#roominfo";
/// `FORM_TYPE` of room registration.
pub const REGISTER: &str = "http://jabber.org/protocol/muc#register";
/// `FORM_TYPE` of voice requests and their approval.
pub const REQUEST: &str = "http://jabber.org/protocol/muc#request";

/// Who may send private messages (`muc#roomconfig_allowpm`).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq)]
pub enum AllowPm {
    /// Anyone.
    Anyone,
    /// Occupants with voice.
    Participants,
    /// Moderators only.
    Moderators,
    /// Nobody.
    None,
}
form_value!(AllowPm);

/// Who may discover occupants' real JIDs (`muc#roomconfig_whois`).
#[derive(XmlValue, Debug, Clone, PartialEq, Eq)]
pub enum Whois {
    /// Moderators only (semi-anonymous room).
    Moderators,
    /// Anyone (non-anonymous room).
    Anyone,
}
form_value!(Whois);

number_or_keyword! {
    /// `muc#roomconfig_maxusers`: a number, or `none` for no limit.
    pub enum MaxUsers {
        /// At most this many occupants.
        Limit(u32),
        /// No limit (`none`).
        Unlimited = "none",
    } as ListSingle
}

form_view! {
    /// Room configuration (`muc#roomconfig`), as the owner reads and
    /// submits it in a `muc#owner` query.
    pub struct RoomConfig = "http://jabber.org/protocol/muc#roomconfig" {
        /// Maximum number of history messages returned by the room.
        max_history_fetch: Option<u32> = "muc#maxhistoryfetch",
        /// Roles that may send private messages.
        allow_pm: Option<AllowPm> = "muc#roomconfig_allowpm",
        /// Whether members may invite others.
        allow_invites: Option<bool> = "muc#roomconfig_allowinvites",
        /// Whether occupants may change the subject.
        change_subject: Option<bool> = "muc#roomconfig_changesubject",
        /// Whether the discussion is publicly logged.
        enable_logging: Option<bool> = "muc#roomconfig_enablelogging",
        /// Roles and affiliations that may retrieve the member list.
        get_member_list: Vec<String> = "muc#roomconfig_getmemberlist" as ListMulti,
        /// The language of discussions.
        lang: Option<String> = "muc#roomconfig_lang",
        /// XMPP URI of an associated publish-subscribe node.
        pubsub: Option<String> = "muc#roomconfig_pubsub",
        /// Maximum number of occupants.
        max_users: Option<MaxUsers> = "muc#roomconfig_maxusers",
        /// Whether the room is members-only.
        members_only: Option<bool> = "muc#roomconfig_membersonly",
        /// Whether the room is moderated.
        moderated: Option<bool> = "muc#roomconfig_moderatedroom",
        /// Whether a password is required to enter.
        password_protected: Option<bool> = "muc#roomconfig_passwordprotectedroom",
        /// Whether the room persists when the last occupant leaves.
        persistent: Option<bool> = "muc#roomconfig_persistentroom",
        /// Roles whose presence is broadcast.
        presence_broadcast: Vec<Role> = "muc#roomconfig_presencebroadcast",
        /// Whether the room is publicly searchable.
        public: Option<bool> = "muc#roomconfig_publicroom",
        /// Full list of room admins.
        admins: Vec<Jid> = "muc#roomconfig_roomadmins",
        /// Short description.
        description: Option<String> = "muc#roomconfig_roomdesc",
        /// Natural-language room name.
        name: Option<String> = "muc#roomconfig_roomname",
        /// Full list of room owners.
        owners: Vec<Jid> = "muc#roomconfig_roomowners",
        /// The password.
        secret: Option<String> = "muc#roomconfig_roomsecret" as TextPrivate,
        /// Who may discover real JIDs.
        whois: Option<Whois> = "muc#roomconfig_whois",
    }
}

form_view! {
    /// Room information (`muc#roominfo`), the disco#info extension of a room.
    pub struct RoomInfo = "http://jabber.org/protocol/muc#roominfo" {
        /// Maximum number of history messages returned by the room.
        max_history_fetch: Option<u32> = "muc#maxhistoryfetch",
        /// Contact addresses (normally the owners).
        contact_jids: Vec<Jid> = "muc#roominfo_contactjid",
        /// Short description.
        description: Option<String> = "muc#roominfo_description",
        /// The language of discussions.
        lang: Option<String> = "muc#roominfo_lang",
        /// An associated LDAP group.
        ldap_group: Option<String> = "muc#roominfo_ldapgroup",
        /// URL of discussion logs.
        logs: Option<String> = "muc#roominfo_logs",
        /// Current number of occupants.
        occupants: Option<u32> = "muc#roominfo_occupants",
        /// Current subject.
        subject: Option<String> = "muc#roominfo_subject",
        /// Whether occupants may change the subject.
        subject_mod: Option<bool> = "muc#roominfo_subjectmod",
    }
}

form_view! {
    /// Registration with a room (`muc#register`).
    pub struct Register = "http://jabber.org/protocol/muc#register" {
        /// The admin's decision on a registration request.
        allow: Option<bool> = "muc#register_allow",
        /// Email address.
        email: Option<String> = "muc#register_email",
        /// FAQ entry.
        faq_entry: Vec<String> = "muc#register_faqentry" as TextMulti,
        /// Given name.
        first: Option<String> = "muc#register_first",
        /// Family name.
        last: Option<String> = "muc#register_last",
        /// Desired nickname.
        roomnick: Option<String> = "muc#register_roomnick",
        /// Web page.
        url: Option<String> = "muc#register_url",
    }
}

form_view! {
    /// A voice request and its approval (`muc#request`).
    pub struct VoiceRequest = "http://jabber.org/protocol/muc#request" {
        /// The requested role.
        role: Option<Role> = "muc#role",
        /// The requester's JID.
        jid: Option<Jid> = "muc#jid",
        /// The requester's nickname.
        roomnick: Option<String> = "muc#roomnick",
        /// The moderator's decision.
        allow: Option<bool> = "muc#request_allow",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xep_element::XmlElement;
    use xep_forms::{DataForm, Field, FieldType, FormType, FormView};

    #[test]
    fn roomconfig_round_trips_and_keeps_unknown_fields() {
        let mut cfg = RoomConfig {
            name: Some("Rehearsal".into()),
            max_users: Some(MaxUsers::Unlimited),
            whois: Some(Whois::Anyone),
            allow_pm: Some(AllowPm::Participants),
            presence_broadcast: vec![Role::Moderator, Role::Participant],
            owners: vec!["director@theatre.example".parse().unwrap()],
            secret: Some("curtain".into()),
            persistent: Some(true),
            ..RoomConfig::default()
        };
        cfg.other.push(Field::new(
            "{urn:example:theatre}stage",
            None,
            vec!["left".into()],
        ));
        let form = cfg.to_form(FormType::Submit);
        assert_eq!(form.form_type(), Some(ROOMCONFIG));
        assert_eq!(form.value("muc#roomconfig_maxusers"), Some("none"));
        assert_eq!(
            form.field("muc#roomconfig_roomsecret").unwrap().type_,
            Some(FieldType::TextPrivate)
        );
        let bytes = form.to_xml();
        let back = RoomConfig::from_form(&DataForm::from_xml(bytes.as_bytes()).unwrap()).unwrap();
        assert_eq!(back, cfg);
    }

    #[test]
    fn views_reject_bad_values_and_wrong_form_types() {
        let mut form = RoomConfig::default().to_form(FormType::Submit);
        form.fields.push(Field::new(
            "muc#roomconfig_maxusers",
            None,
            vec!["lots".into()],
        ));
        let err = RoomConfig::from_form(&form).unwrap_err().to_string();
        assert!(err.contains("muc#roomconfig_maxusers"), "{err}");
        let info = RoomInfo {
            occupants: Some(3),
            ..RoomInfo::default()
        }
        .to_form(FormType::Result);
        assert!(RoomConfig::from_form(&info).is_err());
        assert_eq!(RoomInfo::from_form(&info).unwrap().occupants, Some(3));
    }

    #[test]
    fn register_and_request() {
        let reg = Register {
            roomnick: Some("Puck".into()),
            faq_entry: vec!["line one".into(), "line two".into()],
            ..Register::default()
        };
        let form = reg.to_form(FormType::Submit);
        assert_eq!(
            form.field("muc#register_faqentry").unwrap().type_,
            Some(FieldType::TextMulti)
        );
        assert_eq!(Register::from_form(&form).unwrap(), reg);
        let req = VoiceRequest {
            role: Some(Role::Participant),
            ..VoiceRequest::default()
        };
        let form = req.to_form(FormType::Submit);
        assert_eq!(form.value("muc#role"), Some("participant"));
        assert_eq!(VoiceRequest::from_form(&form).unwrap(), req);
    }
}
