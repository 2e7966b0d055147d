//! XEP-0133 Service Administration: a profile of ad-hoc commands whose
//! forms share the `FORM_TYPE` `http://jabber.org/protocol/admin`.
//!
//! [`AdminCommand`] names each use case with the node §4 gives it (the
//! retracted "get user password" of §4.6 is left out, as the XEP now
//! does). Each form is a typed view ([`FormView`](xep_forms::FormView)) with the fields the
//! XEP's examples use, typed as its registry (§7.2) says, or as its
//! examples write them where the two disagree (`delay` is `list-single`
//! in every example, `list-multi` in the registry):
//!
//! | command | request form | result form |
//! |---|---|---|
//! | add-user | [`AddUser`] | |
//! | delete-user, disable-user, reenable-user, end-user-session | [`AccountJids`] | |
//! | change-user-password | [`ChangeUserPassword`] | |
//! | get-user-roster | [`AccountJids`] | [`AccountJids`] and [`roster`] |
//! | get-user-lastlogin | [`AccountJids`] | [`UserLastLogin`] |
//! | user-stats | [`UserStatsRequest`] | [`UserStats`] |
//! | edit-blacklist (and `-in`/`-out`) | [`EditBlacklist`] | |
//! | edit-whitelist | [`EditWhitelist`] | |
//! | get-*-users-num | | [`UsersNum`] |
//! | get-*-users(-list) | [`UsersListRequest`] | [`UsersList`] |
//! | announce | [`Announce`] | |
//! | set-motd, edit-motd | [`Motd`] | |
//! | set-welcome | [`Welcome`] | |
//! | edit-admin | [`EditAdmin`] | |
//! | restart, shutdown | [`ShutdownOrRestart`] | |
//!
//! §6 leaves permissions to the service (`forbidden` for a requester that
//! is not an administrator, `not-allowed` for a command nobody may run,
//! `conflict` for an existing user): [`error`] builds them.
//!
//! ```
//! use xep_commands::admin::{AddUser, AdminCommand};
//! use xep_forms::{FormType, FormView};
//!
//! assert_eq!(AdminCommand::AddUser.node(), "http://jabber.org/protocol/admin#add-user");
//! assert_eq!(AdminCommand::from_node("http://jabber.org/protocol/admin#user-stats"),
//!            Some(AdminCommand::GetUserStats));
//! let add = AddUser {
//!     accountjid: Some("juliet@shakespeare.lit".parse().unwrap()),
//!     password: Some("s3cret".into()),
//!     password_verify: Some("s3cret".into()),
//!     ..AddUser::default()
//! };
//! let form = add.to_form(FormType::Submit);
//! assert_eq!(form.value("password-verify"), Some("s3cret"));
//! assert!(add.passwords_match());
//! assert_eq!(AddUser::from_form(&form).unwrap(), add);
//! ```

use xep_core::{DefinedCondition, ErrorType, Roster, StanzaError};
use xep_element::jid::Jid;
use xep_element::{DateTime82, Error, XmlValue};
use xep_forms::{DataForm, FieldScalar, FieldType, form_view, number_or_keyword};

/// `http://jabber.org/protocol/admin`: the namespace and the `FORM_TYPE`
/// of every form here.
pub const NS: &str = "http://jabber.org/protocol/admin";

macro_rules! admin_commands {
    ($($(#[$m:meta])* $variant:ident = $suffix:literal,)*) => {
        /// A XEP-0133 use case, by its command node (`{NS}#{name}`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AdminCommand {
            $($(#[$m])* $variant,)*
        }

        impl AdminCommand {
            /// Every use case, in the XEP's order.
            pub const ALL: &'static [AdminCommand] = &[$(AdminCommand::$variant,)*];

            /// The command node §4 gives it.
            pub fn node(self) -> &'static str {
                match self {
                    $(AdminCommand::$variant => concat!("http://jabber.org/protocol/admin#", $suffix),)*
                }
            }

            /// The use case of a command node, if it is one of XEP-0133's.
            pub fn from_node(node: &str) -> Option<AdminCommand> {
                let name = node.strip_prefix("http://jabber.org/protocol/admin#")?;
                match name {
                    $($suffix => Some(AdminCommand::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

admin_commands! {
    /// §4.1 add a user.
    AddUser = "add-user",
    /// §4.2 delete users.
    DeleteUser = "delete-user",
    /// §4.3 disable users.
    DisableUser = "disable-user",
    /// §4.4 re-enable users.
    ReenableUser = "reenable-user",
    /// §4.5 end users' sessions.
    EndUserSession = "end-user-session",
    /// §4.7 change a user's password.
    ChangeUserPassword = "change-user-password",
    /// §4.8 get a user's roster.
    GetUserRoster = "get-user-roster",
    /// §4.9 get a user's last login time.
    GetUserLastLogin = "get-user-lastlogin",
    /// §4.10 get a user's statistics.
    GetUserStats = "user-stats",
    /// §4.11 edit the blacklist (both directions).
    EditBlacklist = "edit-blacklist",
    /// §4.11 add to the inbound blacklist.
    AddToBlacklistIn = "add-to-blacklist-in",
    /// §4.11 add to the outbound blacklist.
    AddToBlacklistOut = "add-to-blacklist-out",
    /// §4.12 edit the whitelist.
    EditWhitelist = "edit-whitelist",
    /// §4.13 the number of registered users.
    GetRegisteredUsersNum = "get-registered-users-num",
    /// §4.14 the number of disabled users.
    GetDisabledUsersNum = "get-disabled-users-num",
    /// §4.15 the number of online users.
    GetOnlineUsersNum = "get-online-users-num",
    /// §4.16 the number of active users.
    GetActiveUsersNum = "get-active-users-num",
    /// §4.17 the number of idle users.
    GetIdleUsersNum = "get-idle-users-num",
    /// §4.18 the list of registered users.
    GetRegisteredUsersList = "get-registered-users-list",
    /// §4.19 the list of disabled users.
    GetDisabledUsersList = "get-disabled-users-list",
    /// §4.20 the list of online users.
    GetOnlineUsersList = "get-online-users-list",
    /// §4.21 the list of active users (node `get-active-users`).
    GetActiveUsers = "get-active-users",
    /// §4.22 the list of idle users (node `get-idle-users`).
    GetIdleUsers = "get-idle-users",
    /// §4.23 send an announcement to online users.
    Announce = "announce",
    /// §4.24 set the message of the day.
    SetMotd = "set-motd",
    /// §4.25 edit the message of the day.
    EditMotd = "edit-motd",
    /// §4.26 delete the message of the day.
    DeleteMotd = "delete-motd",
    /// §4.27 set the welcome message.
    SetWelcome = "set-welcome",
    /// §4.28 delete the welcome message.
    DeleteWelcome = "delete-welcome",
    /// §4.29 edit the admin list.
    EditAdmin = "edit-admin",
    /// §4.30 restart the service.
    Restart = "restart",
    /// §4.31 shut the service down.
    Shutdown = "shutdown",
}

/// The errors of §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminError {
    /// A data or system conflict (e.g. the user exists already).
    Conflict,
    /// The command is not supported (ad-hoc commands are).
    FeatureNotImplemented,
    /// The requester is not an administrator.
    Forbidden,
    /// No entity may run the command.
    NotAllowed,
    /// Ad-hoc commands are not supported.
    ServiceUnavailable,
}

/// The stanza error for one of §6's conditions.
pub fn error(e: AdminError) -> StanzaError {
    let condition = match e {
        AdminError::Conflict => DefinedCondition::Conflict,
        AdminError::FeatureNotImplemented => DefinedCondition::FeatureNotImplemented,
        AdminError::Forbidden => DefinedCondition::Forbidden,
        AdminError::NotAllowed => DefinedCondition::NotAllowed,
        AdminError::ServiceUnavailable => DefinedCondition::ServiceUnavailable,
    };
    StanzaError::new(ErrorType::Cancel, condition)
}

/// A XEP-0082 DateTime as a form value (`lastlogin`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp(pub DateTime82);

impl FieldScalar for Timestamp {
    const SINGLE: FieldType = FieldType::TextSingle;
    const MULTI: FieldType = FieldType::TextMulti;
    fn parse(value: &str) -> Result<Self, String> {
        DateTime82::from_xml(value.trim()).map(Timestamp)
    }
    fn format(&self) -> String {
        self.0.to_xml().into()
    }
}

number_or_keyword! {
    /// `max_items` (§4.18 to §4.22): a number of items, or `none` for
    /// no limit.
    pub enum MaxItems {
        /// At most this many.
        Count(u32),
        /// No limit.
        Unlimited = "none",
    } as ListSingle
}

form_view! {
    /// §4.1 add-user: the account and its details.
    pub struct AddUser = "http://jabber.org/protocol/admin" {
        /// `accountjid`: the account to add.
        accountjid: Option<Jid> = "accountjid",
        /// `password`.
        password: Option<String> = "password" as TextPrivate,
        /// `password-verify`: the password again.
        password_verify: Option<String> = "password-verify" as TextPrivate,
        /// `email`.
        email: Option<String> = "email",
        /// `given_name`.
        given_name: Option<String> = "given_name",
        /// `surname`.
        surname: Option<String> = "surname",
    }
}

impl AddUser {
    /// Whether `password` and `password-verify` agree (a service checks it
    /// before creating the account).
    pub fn passwords_match(&self) -> bool {
        self.password == self.password_verify
    }
}

form_view! {
    /// `accountjids`: the accounts an operation applies to (delete-user,
    /// disable-user, reenable-user, end-user-session, get-user-roster,
    /// get-user-lastlogin).
    pub struct AccountJids = "http://jabber.org/protocol/admin" {
        /// `accountjids`.
        accountjids: Vec<Jid> = "accountjids",
    }
}

form_view! {
    /// §4.7 change-user-password.
    pub struct ChangeUserPassword = "http://jabber.org/protocol/admin" {
        /// `accountjid`: the account.
        accountjid: Option<Jid> = "accountjid",
        /// `password`: the new password.
        password: Option<String> = "password" as TextPrivate,
    }
}

/// The roster of a get-user-roster result (§4.8): a `jabber:iq:roster`
/// query inside the result form; `None` when the form holds none.
pub fn roster(form: &DataForm) -> Option<Result<Roster, Error>> {
    form.extensions.iter().find_map(|p| p.get::<Roster>())
}

form_view! {
    /// §4.9 get-user-lastlogin's result.
    pub struct UserLastLogin = "http://jabber.org/protocol/admin" {
        /// `accountjids`: the account.
        accountjids: Vec<Jid> = "accountjids",
        /// `lastlogin`: the last login time (XEP-0082).
        lastlogin: Option<Timestamp> = "lastlogin",
    }
}

form_view! {
    /// §4.10 user-stats's request.
    pub struct UserStatsRequest = "http://jabber.org/protocol/admin" {
        /// `accountjid`: the account.
        accountjid: Option<Jid> = "accountjid",
    }
}

form_view! {
    /// §4.10 user-stats's result. The registry types `onlineresources` as
    /// `text-single`, but an account has a name per session (the example
    /// gives two values): several values are read, and written as
    /// `text-multi`.
    pub struct UserStats = "http://jabber.org/protocol/admin" {
        /// `ipaddresses`: the IP addresses of its sessions.
        ipaddresses: Vec<String> = "ipaddresses",
        /// `rostersize`: its number of roster items.
        rostersize: Option<u64> = "rostersize",
        /// `onlineresources`: the names of its sessions.
        onlineresources: Vec<String> = "onlineresources" as TextMulti,
        /// `stanzaspersecond`: a decimal number, as written.
        stanzaspersecond: Option<String> = "stanzaspersecond",
        /// `loginsperminute`: a decimal number, as written (`0.1`).
        loginsperminute: Option<String> = "loginsperminute",
    }
}

form_view! {
    /// §4.11 edit-blacklist (and the `-in`/`-out` variants).
    pub struct EditBlacklist = "http://jabber.org/protocol/admin" {
        /// `blacklistjids`: JIDs of any form, matched as XEP-0016 does.
        blacklistjids: Vec<Jid> = "blacklistjids",
    }
}

form_view! {
    /// §4.12 edit-whitelist.
    pub struct EditWhitelist = "http://jabber.org/protocol/admin" {
        /// `whitelistjids`.
        whitelistjids: Vec<Jid> = "whitelistjids",
    }
}

form_view! {
    /// The results of §4.13 to §4.17: one of the numbers, per command.
    pub struct UsersNum = "http://jabber.org/protocol/admin" {
        /// `registeredusersnum`.
        registeredusersnum: Option<u64> = "registeredusersnum",
        /// `disabledusersnum`.
        disabledusersnum: Option<u64> = "disabledusersnum",
        /// `onlineusersnum`.
        onlineusersnum: Option<u64> = "onlineusersnum",
        /// `activeusersnum`.
        activeusersnum: Option<u64> = "activeusersnum",
        /// `idleusersnum`.
        idleusersnum: Option<u64> = "idleusersnum",
    }
}

form_view! {
    /// The request of §4.18 to §4.22: how many users to list.
    pub struct UsersListRequest = "http://jabber.org/protocol/admin" {
        /// `max_items`.
        max_items: Option<MaxItems> = "max_items",
    }
}

form_view! {
    /// The results of §4.18 to §4.22: one of the lists, per command (the
    /// registry has no field for idle users: §4.22's example answers with
    /// `activeuserjids`).
    pub struct UsersList = "http://jabber.org/protocol/admin" {
        /// `registereduserjids`.
        registereduserjids: Vec<Jid> = "registereduserjids",
        /// `disableduserjids`.
        disableduserjids: Vec<Jid> = "disableduserjids",
        /// `onlineuserjids`.
        onlineuserjids: Vec<Jid> = "onlineuserjids",
        /// `activeuserjids`.
        activeuserjids: Vec<Jid> = "activeuserjids",
    }
}

form_view! {
    /// §4.23 announce.
    pub struct Announce = "http://jabber.org/protocol/admin" {
        /// `announcement`, one line per value.
        announcement: Vec<String> = "announcement" as TextMulti,
    }
}

form_view! {
    /// §4.24 set-motd and §4.25 edit-motd.
    pub struct Motd = "http://jabber.org/protocol/admin" {
        /// `motd`, one line per value.
        motd: Vec<String> = "motd" as TextMulti,
    }
}

form_view! {
    /// §4.27 set-welcome.
    pub struct Welcome = "http://jabber.org/protocol/admin" {
        /// `welcome`, one line per value.
        welcome: Vec<String> = "welcome" as TextMulti,
    }
}

form_view! {
    /// §4.29 edit-admin.
    pub struct EditAdmin = "http://jabber.org/protocol/admin" {
        /// `adminjids`.
        adminjids: Vec<Jid> = "adminjids",
    }
}

form_view! {
    /// §4.30 restart and §4.31 shutdown.
    pub struct ShutdownOrRestart = "http://jabber.org/protocol/admin" {
        /// `delay`: seconds before the change.
        delay: Option<u32> = "delay" as ListSingle,
        /// `announcement` to the users, one line per value.
        announcement: Vec<String> = "announcement" as TextMulti,
    }
}
