//! XEP-0077 In-Band Registration, XEP-0158 CAPTCHA forms and XEP-0055
//! Jabber Search.
//!
//! - XEP-0077 (this module): [`RegisterQuery`] (`jabber:iq:register` with
//!   `<registered/>`, `<instructions/>`, every legacy field of the schema
//!   ([`LegacyField`]), `<remove/>`, a data form and a XEP-0066 URL), the
//!   `<register/>` stream feature ([`RegisterFeature`]), the forms of
//!   the three registered `FORM_TYPE`s ([`RegistrationForm`],
//!   [`CancellationForm`], [`PasswordChangeForm`]), the requests of each
//!   use case ([`request_fields`], [`register`], [`submit_form`],
//!   [`cancel`], [`change_password`]), how a host's answer is to be
//!   processed ([`Offer`], the precedence order of §7), the host's checks
//!   ([`check_submission`], [`check_remove`]) and the errors of each use
//!   case ([`RegistrationError`], [`CancellationError`],
//!   [`PasswordChangeError`], [`error_with_form`], and
//!   [`password_change_error`], which leaves the request's XML out as §3.3
//!   asks). [`outcome`] believes an answer only from the host asked.
//! - The [`captcha`] module: XEP-0158 challenges.
//! - The [`search`] module: XEP-0055.
//!
//! ```
//! use xep_core::{Iq, IqType};
//! use xep_element::XmlElement;
//! use xep_register::{LegacyField, Offer, Procedure, RegisterQuery, register};
//!
//! // The host lists the fields it needs.
//! let reply = Iq::from_xml(
//!     b"<iq xmlns='jabber:client' type='result' id='reg1'>\
//!       <query xmlns='jabber:iq:register'><instructions>Choose a name.</instructions>\
//!       <username/><password/><email/></query></iq>",
//! ).unwrap();
//! let offer = Offer::from_reply(&reply).unwrap().unwrap();
//! assert_eq!(offer.procedure(), Procedure::SubmitFields);
//! assert_eq!(offer.query.fields(), [LegacyField::Username, LegacyField::Password, LegacyField::Email]);
//!
//! // The entity fills every one of them in.
//! let mut answer = RegisterQuery::default();
//! answer.set(LegacyField::Username, "bill");
//! answer.set(LegacyField::Password, "Calliope");
//! answer.set(LegacyField::Email, "bard@shakespeare.lit");
//! assert_eq!(xep_register::check_submission(&offer.query, &answer), Ok(()));
//! let iq = register("reg2", None, answer);
//! assert_eq!(iq.type_, IqType::Set);
//! ```

#![warn(missing_docs)]

pub mod captcha;
pub mod search;

use std::fmt;

use xep_core::{DefinedCondition, ErrorType, Iq, IqType, StanzaError};
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};
use xep_forms::{DataForm, form_view};
use xep_oob::OobX;

/// `jabber:iq:register`: the namespace and the registration `FORM_TYPE`.
pub const NS: &str = "jabber:iq:register";
/// `http://jabber.org/features/iq-register`: the stream feature.
pub const NS_FEATURE: &str = "http://jabber.org/features/iq-register";
/// The `FORM_TYPE` of the cancellation form.
pub const FORM_TYPE_CANCEL: &str = "jabber:iq:register:cancel";
/// The `FORM_TYPE` of the password change form.
pub const FORM_TYPE_CHANGE_PASSWORD: &str = "jabber:iq:register:changepassword";

/// `<query xmlns='jabber:iq:register'/>` (§3, schema §13.1).
///
/// In a host's answer to a `get`, an empty legacy field asks for it and
/// `<registered/>` says the entity is registered (the fields then hold
/// what is on file); in a `set`, the fields carry the values, or
/// `<remove/>` alone cancels the registration.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "query", validate = RegisterQuery::check)]
pub struct RegisterQuery {
    /// `<registered/>`: the entity is already registered.
    #[xml(flag)]
    pub registered: bool,
    /// Instructions for the user.
    #[xml(text_child)]
    pub instructions: Option<String>,
    /// Account name.
    #[xml(text_child)]
    pub username: Option<String>,
    /// Familiar name.
    #[xml(text_child)]
    pub nick: Option<String>,
    /// Password or secret.
    #[xml(text_child)]
    pub password: Option<String>,
    /// Full name.
    #[xml(text_child)]
    pub name: Option<String>,
    /// Given name.
    #[xml(text_child)]
    pub first: Option<String>,
    /// Family name.
    #[xml(text_child)]
    pub last: Option<String>,
    /// Email address.
    #[xml(text_child)]
    pub email: Option<String>,
    /// Street.
    #[xml(text_child)]
    pub address: Option<String>,
    /// Locality.
    #[xml(text_child)]
    pub city: Option<String>,
    /// Region.
    #[xml(text_child)]
    pub state: Option<String>,
    /// Postal code.
    #[xml(text_child)]
    pub zip: Option<String>,
    /// Telephone number.
    #[xml(text_child)]
    pub phone: Option<String>,
    /// Web page.
    #[xml(text_child)]
    pub url: Option<String>,
    /// Some date.
    #[xml(text_child)]
    pub date: Option<String>,
    /// Free-form text (obsolete).
    #[xml(text_child)]
    pub misc: Option<String>,
    /// Free-form text (obsolete).
    #[xml(text_child)]
    pub text: Option<String>,
    /// Transaction key (obsolete, §8).
    #[xml(text_child)]
    pub key: Option<String>,
    /// `<remove/>`: cancel the registration.
    #[xml(flag)]
    pub remove: bool,
    /// The data form (§4), which takes precedence over the legacy fields.
    #[xml(child)]
    pub form: Option<DataForm>,
    /// A XEP-0066 URL to register elsewhere (§5).
    #[xml(child)]
    pub oob: Option<OobX>,
}

/// One legacy field of `jabber:iq:register`, in the schema's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegacyField {
    /// `<username/>`.
    Username,
    /// `<nick/>`.
    Nick,
    /// `<password/>`.
    Password,
    /// `<name/>`.
    Name,
    /// `<first/>`.
    First,
    /// `<last/>`.
    Last,
    /// `<email/>`.
    Email,
    /// `<address/>`.
    Address,
    /// `<city/>`.
    City,
    /// `<state/>`.
    State,
    /// `<zip/>`.
    Zip,
    /// `<phone/>`.
    Phone,
    /// `<url/>`.
    Url,
    /// `<date/>`.
    Date,
    /// `<misc/>` (obsolete).
    Misc,
    /// `<text/>` (obsolete).
    Text,
    /// `<key/>` (obsolete).
    Key,
}

impl LegacyField {
    /// Every field, in the schema's order.
    pub const ALL: [LegacyField; 17] = [
        LegacyField::Username,
        LegacyField::Nick,
        LegacyField::Password,
        LegacyField::Name,
        LegacyField::First,
        LegacyField::Last,
        LegacyField::Email,
        LegacyField::Address,
        LegacyField::City,
        LegacyField::State,
        LegacyField::Zip,
        LegacyField::Phone,
        LegacyField::Url,
        LegacyField::Date,
        LegacyField::Misc,
        LegacyField::Text,
        LegacyField::Key,
    ];

    /// The element's name (also the registered form field's `var`).
    pub fn name(self) -> &'static str {
        match self {
            LegacyField::Username => "username",
            LegacyField::Nick => "nick",
            LegacyField::Password => "password",
            LegacyField::Name => "name",
            LegacyField::First => "first",
            LegacyField::Last => "last",
            LegacyField::Email => "email",
            LegacyField::Address => "address",
            LegacyField::City => "city",
            LegacyField::State => "state",
            LegacyField::Zip => "zip",
            LegacyField::Phone => "phone",
            LegacyField::Url => "url",
            LegacyField::Date => "date",
            LegacyField::Misc => "misc",
            LegacyField::Text => "text",
            LegacyField::Key => "key",
        }
    }
}

impl RegisterQuery {
    fn check(&self) -> Result<(), Error> {
        if self.remove
            && (self.registered || self.instructions.is_some() || !self.fields().is_empty())
        {
            return Err(Error::invalid(
                "<remove/> with registration fields (XEP-0077 schema: one or the other)",
            ));
        }
        Ok(())
    }

    fn slot(&mut self, f: LegacyField) -> &mut Option<String> {
        match f {
            LegacyField::Username => &mut self.username,
            LegacyField::Nick => &mut self.nick,
            LegacyField::Password => &mut self.password,
            LegacyField::Name => &mut self.name,
            LegacyField::First => &mut self.first,
            LegacyField::Last => &mut self.last,
            LegacyField::Email => &mut self.email,
            LegacyField::Address => &mut self.address,
            LegacyField::City => &mut self.city,
            LegacyField::State => &mut self.state,
            LegacyField::Zip => &mut self.zip,
            LegacyField::Phone => &mut self.phone,
            LegacyField::Url => &mut self.url,
            LegacyField::Date => &mut self.date,
            LegacyField::Misc => &mut self.misc,
            LegacyField::Text => &mut self.text,
            LegacyField::Key => &mut self.key,
        }
    }

    /// The value of a legacy field (`Some("")` for an empty element: a
    /// field the host asks for).
    pub fn get(&self, f: LegacyField) -> Option<&str> {
        let v = match f {
            LegacyField::Username => &self.username,
            LegacyField::Nick => &self.nick,
            LegacyField::Password => &self.password,
            LegacyField::Name => &self.name,
            LegacyField::First => &self.first,
            LegacyField::Last => &self.last,
            LegacyField::Email => &self.email,
            LegacyField::Address => &self.address,
            LegacyField::City => &self.city,
            LegacyField::State => &self.state,
            LegacyField::Zip => &self.zip,
            LegacyField::Phone => &self.phone,
            LegacyField::Url => &self.url,
            LegacyField::Date => &self.date,
            LegacyField::Misc => &self.misc,
            LegacyField::Text => &self.text,
            LegacyField::Key => &self.key,
        };
        v.as_deref()
    }

    /// Sets a legacy field.
    pub fn set(&mut self, f: LegacyField, value: impl Into<String>) {
        *self.slot(f) = Some(value.into());
    }

    /// The legacy fields present (asked for, or given), in schema order.
    pub fn fields(&self) -> Vec<LegacyField> {
        LegacyField::ALL
            .into_iter()
            .filter(|f| self.get(*f).is_some())
            .collect()
    }

    /// A query holding `<remove/>` only.
    pub fn removal() -> RegisterQuery {
        RegisterQuery {
            remove: true,
            ..RegisterQuery::default()
        }
    }
}

/// `<register xmlns='http://jabber.org/features/iq-register'/>`: the
/// stream feature a server MAY announce to clients (and SHOULD NOT to
/// servers, §9).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS_FEATURE, name = "register")]
pub struct RegisterFeature;

form_view! {
    /// The registration form (`FORM_TYPE` `jabber:iq:register`, §14.5.1),
    /// with the fields XEP-0158 registers for it (a CAPTCHA inside the
    /// registration form, §5 of XEP-0158).
    pub struct RegistrationForm = "jabber:iq:register" {
        /// `username`.
        username: Option<String> = "username",
        /// `nick`.
        nick: Option<String> = "nick",
        /// `password`.
        password: Option<String> = "password" as TextPrivate,
        /// `name`.
        name: Option<String> = "name",
        /// `first`.
        first: Option<String> = "first",
        /// `last`.
        last: Option<String> = "last",
        /// `email`.
        email: Option<String> = "email",
        /// `address`.
        address: Option<String> = "address",
        /// `city`.
        city: Option<String> = "city",
        /// `state`.
        state: Option<String> = "state",
        /// `zip`.
        zip: Option<String> = "zip",
        /// `phone`.
        phone: Option<String> = "phone",
        /// `url`.
        url: Option<String> = "url",
        /// `date`.
        date: Option<String> = "date",
        /// `misc` (obsolete).
        misc: Option<String> = "misc",
        /// `text` (obsolete).
        text: Option<String> = "text",
        /// `key` (obsolete).
        key: Option<String> = "key",
        /// XEP-0158 `answers`: how many challenges to answer.
        answers: Option<u32> = "answers" as Hidden,
        /// XEP-0158 `challenge`: the challenge id.
        challenge: Option<String> = "challenge" as Hidden,
        /// XEP-0158 `sid`: the id of the triggering stanza.
        sid: Option<String> = "sid" as Hidden,
        /// XEP-0158 `audio_recog`.
        audio_recog: Option<String> = "audio_recog",
        /// XEP-0158 `ocr`.
        ocr: Option<String> = "ocr",
        /// XEP-0158 `picture_q`.
        picture_q: Option<String> = "picture_q",
        /// XEP-0158 `picture_recog`.
        picture_recog: Option<String> = "picture_recog",
        /// XEP-0158 `qa`.
        qa: Option<String> = "qa",
        /// XEP-0158 `SHA-256` (hashcash, see [`captcha::hashcash_matches`]).
        sha256: Option<String> = "SHA-256",
        /// XEP-0158 `speech_q`.
        speech_q: Option<String> = "speech_q",
        /// XEP-0158 `speech_recog`.
        speech_recog: Option<String> = "speech_recog",
        /// XEP-0158 `video_q`.
        video_q: Option<String> = "video_q",
        /// XEP-0158 `video_recog`.
        video_recog: Option<String> = "video_recog",
    }
}

form_view! {
    /// The cancellation form (`jabber:iq:register:cancel`, §14.5.2) a host
    /// may require before removing a registration.
    pub struct CancellationForm = "jabber:iq:register:cancel" {
        /// `password`.
        password: Option<String> = "password" as TextPrivate,
        /// `username`.
        username: Option<String> = "username",
    }
}

form_view! {
    /// The password change form (`jabber:iq:register:changepassword`,
    /// §14.5.3).
    pub struct PasswordChangeForm = "jabber:iq:register:changepassword" {
        /// `old_password`.
        old_password: Option<String> = "old_password" as TextPrivate,
        /// `password`: the new one.
        password: Option<String> = "password" as TextPrivate,
        /// `username`.
        username: Option<String> = "username",
    }
}

/// The request for the registration fields (§3.1): a `get` with an empty
/// query, to the host (`None`: the server the stream is open with).
pub fn request_fields(id: impl Into<String>, to: Option<Jid>) -> Iq {
    Iq::get(id, to, Payload::new(RegisterQuery::default()))
}

/// The registration with the legacy fields of `query` (§3.1).
pub fn register(id: impl Into<String>, to: Option<Jid>, query: RegisterQuery) -> Iq {
    Iq::set(id, to, Payload::new(query))
}

/// The registration (or a cancellation or password change form, §3.2,
/// §3.3) by a submitted data form alone: §4 forbids submitting the form
/// and the legacy fields together.
pub fn submit_form(id: impl Into<String>, to: Option<Jid>, form: DataForm) -> Iq {
    let query = RegisterQuery {
        form: Some(form),
        ..RegisterQuery::default()
    };
    Iq::set(id, to, Payload::new(query))
}

/// The cancellation of a registration (§3.2): `<remove/>` alone. With the
/// user's own server, `to` is `None` (and the stream carries no `from`).
pub fn cancel(id: impl Into<String>, to: Option<Jid>) -> Iq {
    Iq::set(id, to, Payload::new(RegisterQuery::removal()))
}

/// The password change of §3.3: the username and the new password. §3.3
/// says to send it only over an encrypted stream with a verified
/// certificate: the caller checks that first.
pub fn change_password(
    id: impl Into<String>,
    to: Option<Jid>,
    username: impl Into<String>,
    password: impl Into<String>,
) -> Iq {
    let query = RegisterQuery {
        username: Some(username.into()),
        password: Some(password.into()),
        ..RegisterQuery::default()
    };
    Iq::set(id, to, Payload::new(query))
}

/// What a host's answer to [`request_fields`] offers, and how to proceed
/// (§7's precedence order: the data form, then the legacy fields, then the
/// URL).
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// The query as the host sent it.
    pub query: RegisterQuery,
}

/// How to go on with an [`Offer`] (§7's table).
#[derive(Debug, Clone, PartialEq)]
pub enum Procedure {
    /// The entity is registered already: the fields are on file.
    AlreadyRegistered,
    /// Fill in and submit the data form ([`submit_form`]), and only it.
    SubmitForm,
    /// Fill in and submit the legacy fields ([`register`]).
    SubmitFields,
    /// Register elsewhere: present the instructions and the URL.
    Redirect {
        /// The host's instructions.
        instructions: Option<String>,
        /// The URL, if given.
        url: Option<String>,
    },
}

impl Offer {
    /// The offer in a `result` to [`request_fields`]; `None` when the iq
    /// is no such result.
    pub fn from_reply(iq: &Iq) -> Option<Result<Offer, Error>> {
        if iq.type_ != IqType::Result {
            return None;
        }
        Some(iq.payload::<RegisterQuery>()?.map(|query| Offer { query }))
    }

    /// How to proceed, for an entity that understands data forms.
    pub fn procedure(&self) -> Procedure {
        let q = &self.query;
        if q.registered {
            Procedure::AlreadyRegistered
        } else if q.form.is_some() {
            Procedure::SubmitForm
        } else if !q.fields().is_empty() {
            Procedure::SubmitFields
        } else {
            Procedure::Redirect {
                instructions: q.instructions.clone(),
                url: q.oob.as_ref().map(|o| o.url.trim().to_string()),
            }
        }
    }
}

/// The host's check of a legacy submission against the fields it asked
/// for (§3.1): every one must be given with a value (an empty password
/// counts as missing); `not-acceptable` otherwise.
pub fn check_submission(
    asked: &RegisterQuery,
    submitted: &RegisterQuery,
) -> Result<(), StanzaError> {
    let missing: Vec<&str> = asked
        .fields()
        .into_iter()
        .filter(|f| submitted.get(*f).is_none_or(|v| v.is_empty()))
        .map(LegacyField::name)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(RegistrationError::NotAcceptable
        .error()
        .with_text(Some("en"), format!("missing: {}", missing.join(", "))))
}

/// The host's check of a removal request (§3.2): `bad-request` unless
/// `<remove/>` is the query's only child.
pub fn check_remove(query: &RegisterQuery) -> Result<(), StanzaError> {
    let only = RegisterQuery::removal();
    if query.remove && *query == only {
        Ok(())
    } else {
        Err(CancellationError::BadRequest.error())
    }
}

/// The errors of registration (§3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationError {
    /// The username is taken (`conflict`, cancel).
    Conflict,
    /// Some required information is missing (`not-acceptable`, modify).
    NotAcceptable,
    /// The host does not support in-band registration
    /// (`service-unavailable`, cancel).
    ServiceUnavailable,
}

impl RegistrationError {
    /// The stanza error.
    pub fn error(self) -> StanzaError {
        let (t, c) = match self {
            RegistrationError::Conflict => (ErrorType::Cancel, DefinedCondition::Conflict),
            RegistrationError::NotAcceptable => {
                (ErrorType::Modify, DefinedCondition::NotAcceptable)
            }
            RegistrationError::ServiceUnavailable => {
                (ErrorType::Cancel, DefinedCondition::ServiceUnavailable)
            }
        };
        StanzaError::new(t, c)
    }
}

/// The errors of cancellation (§3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CancellationError {
    /// `<remove/>` was not the only child (`bad-request`, modify).
    BadRequest,
    /// The sender may not cancel the registration (`forbidden`, cancel).
    Forbidden,
    /// No one may cancel in-band (`not-allowed`, cancel).
    NotAllowed,
    /// The sender was not registered (`registration-required`, auth).
    RegistrationRequired,
    /// The request has no `from` because the entity is not registered
    /// with the server (`unexpected-request`, wait).
    UnexpectedRequest,
}

impl CancellationError {
    /// The stanza error.
    pub fn error(self) -> StanzaError {
        let (t, c) = match self {
            CancellationError::BadRequest => (ErrorType::Modify, DefinedCondition::BadRequest),
            CancellationError::Forbidden => (ErrorType::Cancel, DefinedCondition::Forbidden),
            CancellationError::NotAllowed => (ErrorType::Cancel, DefinedCondition::NotAllowed),
            CancellationError::RegistrationRequired => {
                (ErrorType::Auth, DefinedCondition::RegistrationRequired)
            }
            CancellationError::UnexpectedRequest => {
                (ErrorType::Wait, DefinedCondition::UnexpectedRequest)
            }
        };
        StanzaError::new(t, c)
    }
}

/// The errors of a password change (§3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordChangeError {
    /// Incomplete information, e.g. no username (`bad-request`, modify).
    BadRequest,
    /// The channel is not safe enough (`not-authorized`, modify).
    NotAuthorized,
    /// Password changes are not allowed (`not-allowed`, cancel).
    NotAllowed,
    /// The entity is not registered with the server
    /// (`unexpected-request`, wait).
    UnexpectedRequest,
}

impl PasswordChangeError {
    /// The stanza error.
    pub fn error(self) -> StanzaError {
        let (t, c) = match self {
            PasswordChangeError::BadRequest => (ErrorType::Modify, DefinedCondition::BadRequest),
            PasswordChangeError::NotAuthorized => {
                (ErrorType::Modify, DefinedCondition::NotAuthorized)
            }
            PasswordChangeError::NotAllowed => (ErrorType::Cancel, DefinedCondition::NotAllowed),
            PasswordChangeError::UnexpectedRequest => {
                (ErrorType::Wait, DefinedCondition::UnexpectedRequest)
            }
        };
        StanzaError::new(t, c)
    }
}

/// The error reply to `request` that asks for more information with
/// `form` (a cancellation form, §3.2, or a password change form, §3.3).
pub fn error_with_form(request: &Iq, form: DataForm, error: StanzaError) -> Iq {
    let mut reply = request.error_reply(error);
    reply.payloads = vec![Payload::new(RegisterQuery {
        form: Some(form),
        ..RegisterQuery::default()
    })];
    reply
}

/// The error reply to a password change: without the request's XML, which
/// holds the password (§3.3: SHOULD NOT be returned).
pub fn password_change_error(request: &Iq, error: PasswordChangeError) -> Iq {
    let mut reply = request.error_reply(error.error());
    reply.payloads.clear();
    reply
}

/// What a registration request came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Done (an empty `result`).
    Done,
    /// Refused: the error, and the form the host asks to fill in, if any.
    Refused {
        /// The host's error.
        error: StanzaError,
        /// A form to fill in before trying again (§3.2, §3.3).
        form: Option<Box<DataForm>>,
    },
}

/// Why an answer was not believed ([`outcome`]).
#[derive(Debug, Clone, PartialEq)]
pub enum NotBelieved {
    /// Another id, or not an answer.
    NotAnAnswer,
    /// Not from the host the request went to (the server itself when the
    /// request had no `to`: no `from`, or `account`'s bare JID or domain).
    WrongSender(Option<Jid>),
}

impl fmt::Display for NotBelieved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotBelieved::NotAnAnswer => f.write_str("not an answer to the request"),
            NotBelieved::WrongSender(Some(j)) => {
                write!(f, "an answer from {j}, not the host asked")
            }
            NotBelieved::WrongSender(None) => f.write_str("an answer without a sender"),
        }
    }
}

impl std::error::Error for NotBelieved {}

/// Whether `reply` comes from the entity `request` went to: its `to`, or,
/// for a request to the own server (no `to`), no `from`, the account's bare
/// JID or its domain (`account`, when known).
pub fn from_host(request: &Iq, reply: &Iq, account: Option<&Jid>) -> Result<(), NotBelieved> {
    if reply.id != request.id || reply.is_request() {
        return Err(NotBelieved::NotAnAnswer);
    }
    let ok = match (&request.to, &reply.from) {
        (Some(to), Some(from)) => to == from,
        (Some(_), None) => false,
        (None, None) => true,
        (None, Some(from)) => account.is_some_and(|a| {
            from.is_bare()
                && (from.to_bare() == a.to_bare()
                    || (from.node().is_none() && from.domain() == a.domain()))
        }),
    };
    if ok {
        Ok(())
    } else {
        Err(NotBelieved::WrongSender(reply.from.clone()))
    }
}

/// The outcome of a registration, cancellation or password change
/// request, believed only from the host asked ([`from_host`]).
pub fn outcome(request: &Iq, reply: &Iq, account: Option<&Jid>) -> Result<Outcome, NotBelieved> {
    from_host(request, reply, account)?;
    match reply.type_ {
        IqType::Result => Ok(Outcome::Done),
        _ => Ok(Outcome::Refused {
            error: reply.error.clone().unwrap_or_else(|| {
                StanzaError::new(ErrorType::Cancel, DefinedCondition::UndefinedCondition)
            }),
            form: reply
                .payload::<RegisterQuery>()
                .and_then(Result::ok)
                .and_then(|q| q.form)
                .map(Box::new),
        }),
    }
}

xep_element::elements! {
    "XEP-0077" => [RegisterQuery, RegisterFeature],
    "XEP-0158" => [captcha::Captcha],
    "XEP-0055" => [search::SearchQuery, search::SearchItem],
}

#[cfg(test)]
mod tests;
