//! XEP-0158 CAPTCHA forms: the `<captcha/>` wrapper, the
//! `urn:xmpp:captcha` form ([`CaptchaForm`]), the challenge types of §6
//! ([`ChallengeType`]), the SHA-256 hashcash of §6.2
//! ([`hashcash_matches`], [`solve_hashcash`]), which challenges a client
//! believes ([`believe`], §3.1.3) and the challenger's check of the
//! answers ([`check_answers`], §3.2).
//!
//! ```
//! use xep_register::captcha::{hashcash_matches, solve_hashcash};
//!
//! // An 8-bit label: the low 8 bits of SHA-256(text) must be 0xa5.
//! let text = solve_hashcash("innocent@victim.com", "a5", 1 << 16).unwrap();
//! assert!(text.starts_with("innocent@victim.com"));
//! assert!(hashcash_matches("a5", &text));
//! ```

use std::fmt;

use sha2::{Digest, Sha256};
use xep_core::{DefinedCondition, ErrorType, Message, StanzaError};
use xep_element::XmlElement;
use xep_element::jid::Jid;
use xep_forms::{DataForm, FieldType, FormType, FormView, form_view};

/// `urn:xmpp:captcha`: the namespace and the form's `FORM_TYPE`.
pub const NS: &str = "urn:xmpp:captcha";

/// `<captcha xmlns='urn:xmpp:captcha'/>`: the challenge form (in a
/// challenge message) or the answers (in an iq `set`), exactly one data
/// form.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "captcha")]
pub struct Captcha {
    /// The form.
    #[xml(child)]
    pub form: DataForm,
}

form_view! {
    /// The CAPTCHA form (`FORM_TYPE` `urn:xmpp:captcha`, §9.2.1): the
    /// hidden fields that tie it to the triggering stanza, and one field
    /// per challenge.
    pub struct CaptchaForm = "urn:xmpp:captcha" {
        /// `answers`: how many challenges to answer.
        answers: Option<u32> = "answers" as Hidden,
        /// `challenge`: the challenge id (the challenge message's id).
        challenge: Option<String> = "challenge" as Hidden,
        /// `from`: the `to` of the triggering stanza.
        from: Option<Jid> = "from" as Hidden,
        /// `sid`: the id of the triggering stanza, if it had one.
        sid: Option<String> = "sid" as Hidden,
        /// `audio_recog`.
        audio_recog: Option<String> = "audio_recog",
        /// `ocr`.
        ocr: Option<String> = "ocr",
        /// `picture_q`.
        picture_q: Option<String> = "picture_q",
        /// `picture_recog`.
        picture_recog: Option<String> = "picture_recog",
        /// `qa`.
        qa: Option<String> = "qa",
        /// `SHA-256`: hashcash.
        sha256: Option<String> = "SHA-256",
        /// `speech_q`.
        speech_q: Option<String> = "speech_q",
        /// `speech_recog`.
        speech_recog: Option<String> = "speech_recog",
        /// `video_q`.
        video_q: Option<String> = "video_q",
        /// `video_recog`.
        video_recog: Option<String> = "video_recog",
    }
}

/// A challenge type of §6 (the field's `var`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChallengeType {
    /// `audio_recog`: describe the sound.
    AudioRecog,
    /// `ocr`: the text in an image.
    Ocr,
    /// `picture_q`: answer the question in a picture.
    PictureQ,
    /// `picture_recog`: identify the picture.
    PictureRecog,
    /// `qa`: a text question.
    Qa,
    /// `SHA-256`: hashcash.
    Sha256,
    /// `speech_q`: answer the question heard.
    SpeechQ,
    /// `speech_recog`: the words heard.
    SpeechRecog,
    /// `video_q`: answer the question in the video.
    VideoQ,
    /// `video_recog`: identify the video.
    VideoRecog,
}

impl ChallengeType {
    /// Every type, in the registry's order.
    pub const ALL: [ChallengeType; 10] = [
        ChallengeType::AudioRecog,
        ChallengeType::Ocr,
        ChallengeType::PictureQ,
        ChallengeType::PictureRecog,
        ChallengeType::Qa,
        ChallengeType::Sha256,
        ChallengeType::SpeechQ,
        ChallengeType::SpeechRecog,
        ChallengeType::VideoQ,
        ChallengeType::VideoRecog,
    ];

    /// The field's `var`.
    pub fn var(self) -> &'static str {
        match self {
            ChallengeType::AudioRecog => "audio_recog",
            ChallengeType::Ocr => "ocr",
            ChallengeType::PictureQ => "picture_q",
            ChallengeType::PictureRecog => "picture_recog",
            ChallengeType::Qa => "qa",
            ChallengeType::Sha256 => "SHA-256",
            ChallengeType::SpeechQ => "speech_q",
            ChallengeType::SpeechRecog => "speech_recog",
            ChallengeType::VideoQ => "video_q",
            ChallengeType::VideoRecog => "video_recog",
        }
    }

    /// The type of a `var`, if it is one of §6's.
    pub fn from_var(var: &str) -> Option<ChallengeType> {
        ChallengeType::ALL.into_iter().find(|t| t.var() == var)
    }

    /// The MIME type a client supporting the challenge must render (§6.3
    /// table): `None` for `qa` and hashcash, which carry no media.
    pub fn mime_type(self) -> Option<&'static str> {
        match self {
            ChallengeType::AudioRecog | ChallengeType::SpeechQ | ChallengeType::SpeechRecog => {
                Some("audio/x-wav")
            }
            ChallengeType::Ocr | ChallengeType::PictureQ | ChallengeType::PictureRecog => {
                Some("image/jpeg")
            }
            ChallengeType::VideoQ | ChallengeType::VideoRecog => Some("video/mpeg"),
            ChallengeType::Qa | ChallengeType::Sha256 => None,
        }
    }
}

/// The challenges of a CAPTCHA form: its non-hidden fields, with whether
/// each is `<required/>`.
pub fn challenges(form: &DataForm) -> Vec<(&str, bool)> {
    form.fields
        .iter()
        .filter(|f| f.effective_type() != FieldType::Hidden)
        .filter_map(|f| f.var.as_deref().map(|v| (v, f.required)))
        .filter(|(v, _)| *v != xep_forms::FORM_TYPE)
        .collect()
}

/// Why a challenge is not believed ([`believe`]): a client ignores it.
#[derive(Debug, Clone, PartialEq)]
pub enum ChallengeRefusal {
    /// The message holds no CAPTCHA form, or one that does not parse or
    /// misses a hidden field §3.1.2 requires.
    Malformed(String),
    /// The form's `from` does not match the message's sender.
    SenderMismatch,
    /// Nothing was recently sent to the form's `from` with the form's
    /// `sid` (or without an id if there is no `sid`): answering would
    /// disclose presence, or answer someone else's challenge.
    NotTriggered,
}

impl fmt::Display for ChallengeRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChallengeRefusal::Malformed(why) => write!(f, "not a valid CAPTCHA challenge: {why}"),
            ChallengeRefusal::SenderMismatch => {
                f.write_str("the challenge's sender does not match its 'from' field")
            }
            ChallengeRefusal::NotTriggered => {
                f.write_str("no stanza was recently sent that this challenge answers")
            }
        }
    }
}

impl std::error::Error for ChallengeRefusal {}

/// The challenge in `message` (§3.1.2), believed only when (§3.1.3) the
/// message's sender matches the form's `from` (equal, the same bare JID,
/// or the domain of it) and `sent_recently(to, id)` says the client sent a
/// stanza to the form's `from` with the form's `sid` (`None` when the form
/// has none) in the last minutes.
pub fn believe(
    message: &Message,
    sent_recently: impl Fn(&Jid, Option<&str>) -> bool,
) -> Result<CaptchaForm, ChallengeRefusal> {
    let captcha = match message.payload::<Captcha>() {
        None => return Err(ChallengeRefusal::Malformed("no <captcha/>".into())),
        Some(Err(e)) => return Err(ChallengeRefusal::Malformed(e.to_string())),
        Some(Ok(c)) => c,
    };
    if captcha.form.type_ != FormType::Form {
        return Err(ChallengeRefusal::Malformed(
            "the CAPTCHA form is not of type 'form'".into(),
        ));
    }
    let form = CaptchaForm::from_form(&captcha.form)
        .map_err(|e| ChallengeRefusal::Malformed(e.to_string()))?;
    let (Some(from), Some(challenge)) = (&form.from, &form.challenge) else {
        return Err(ChallengeRefusal::Malformed(
            "the hidden 'from' and 'challenge' fields are required".into(),
        ));
    };
    if message.id.as_deref() != Some(challenge.as_str()) {
        return Err(ChallengeRefusal::Malformed(
            "the message's id is not the challenge id".into(),
        ));
    }
    let Some(sender) = &message.from else {
        return Err(ChallengeRefusal::SenderMismatch);
    };
    let matches = sender == from
        || sender.to_bare() == from.to_bare()
        || (sender.node().is_none()
            && sender.resource().is_none()
            && sender.domain() == from.domain());
    if !matches {
        return Err(ChallengeRefusal::SenderMismatch);
    }
    if !sent_recently(from, form.sid.as_deref()) {
        return Err(ChallengeRefusal::NotTriggered);
    }
    Ok(form)
}

/// The answer to a challenge: an iq `set` to the challenger with the
/// submitted form (its hidden fields copied from the challenge, §3.1.3).
pub fn answer(
    id: impl Into<String>,
    challenger: Option<Jid>,
    challenge: &CaptchaForm,
    answers: &[(ChallengeType, String)],
) -> xep_core::Iq {
    let view = CaptchaForm {
        answers: challenge.answers,
        challenge: challenge.challenge.clone(),
        from: challenge.from.clone(),
        sid: challenge.sid.clone(),
        ..CaptchaForm::default()
    };
    let mut form = view.to_form(FormType::Submit);
    for (t, value) in answers {
        form.fields
            .push(xep_forms::Field::text_single(t.var(), value.clone()));
    }
    xep_core::Iq::set(id, challenger, xep_element::Payload::new(Captcha { form }))
}

/// Why the answers to a challenge fall short (§3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerError {
    /// The form is not for this challenge (another `challenge` id).
    WrongChallenge,
    /// A `<required/>` challenge was not answered.
    RequiredMissing(String),
    /// Fewer answers than the `answers` field asks.
    TooFew {
        /// Asked.
        wanted: u32,
        /// Given.
        given: u32,
    },
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerError::WrongChallenge => f.write_str("the answers are for another challenge"),
            AnswerError::RequiredMissing(v) => {
                write!(f, "the required challenge '{v}' is unanswered")
            }
            AnswerError::TooFew { wanted, given } => {
                write!(f, "{given} answers given, {wanted} asked")
            }
        }
    }
}

impl std::error::Error for AnswerError {}

/// The challenger's check that `response` answers `challenge` completely
/// (§3.2): the same challenge id, every `<required/>` challenge answered,
/// and at least `answers` challenges answered. Whether the answers are
/// right is the challenger's to judge.
pub fn check_answers(challenge: &DataForm, response: &DataForm) -> Result<(), AnswerError> {
    if challenge.value("challenge") != response.value("challenge") {
        return Err(AnswerError::WrongChallenge);
    }
    let asked = challenges(challenge);
    let answered = |var: &str| response.value(var).is_some_and(|v| !v.trim().is_empty());
    for (var, required) in &asked {
        if *required && !answered(var) {
            return Err(AnswerError::RequiredMissing((*var).to_string()));
        }
    }
    let given = asked.iter().filter(|(v, _)| answered(v)).count() as u32;
    let wanted = challenge
        .value("answers")
        .and_then(|a| a.trim().parse().ok())
        .unwrap_or(1);
    if given < wanted {
        return Err(AnswerError::TooFew { wanted, given });
    }
    Ok(())
}

/// The errors of §3.2 and §3.1.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaptchaError {
    /// The sender declines, or cannot do enough of the challenges
    /// (`not-acceptable`, modify, in a message error).
    Declined,
    /// The challenger did not send that challenge, it was answered
    /// already, or too late (`service-unavailable`, cancel).
    UnknownChallenge,
    /// A wrong answer (`not-acceptable`, cancel).
    Failed,
}

impl CaptchaError {
    /// The stanza error.
    pub fn error(self) -> StanzaError {
        let (t, c) = match self {
            CaptchaError::Declined => (ErrorType::Modify, DefinedCondition::NotAcceptable),
            CaptchaError::UnknownChallenge => {
                (ErrorType::Cancel, DefinedCondition::ServiceUnavailable)
            }
            CaptchaError::Failed => (ErrorType::Cancel, DefinedCondition::NotAcceptable),
        };
        StanzaError::new(t, c)
    }
}

/// The value of a hashcash label (hexadecimal) and its number of
/// significant bits.
fn label_bits(label: &str) -> Option<(u64, u32)> {
    let label = label.trim();
    if label.is_empty() || label.len() > 16 {
        return None;
    }
    let value = u64::from_str_radix(label, 16).ok()?;
    Some((value, 64 - value.leading_zeros()))
}

/// Whether `text` solves the SHA-256 hashcash challenge labelled `label`
/// (§6.2): the least significant bits of SHA-256(`text`), as many as the
/// label's value has, equal the label. (The text must also start with the
/// JID the triggering stanza was sent to, which the caller checks.)
pub fn hashcash_matches(label: &str, text: &str) -> bool {
    let Some((value, bits)) = label_bits(label) else {
        return false;
    };
    let digest = Sha256::digest(text.as_bytes());
    let mut low = [0u8; 8];
    low.copy_from_slice(&digest[24..32]);
    let low = u64::from_be_bytes(low);
    let mask = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    low & mask == value
}

/// Solves a hashcash challenge: `prefix` (the JID the triggering stanza
/// went to) followed by an uppercase hexadecimal counter, trying at most
/// `max_tries` counters.
pub fn solve_hashcash(prefix: &str, label: &str, max_tries: u64) -> Option<String> {
    label_bits(label)?;
    (0..max_tries)
        .map(|i| format!("{prefix}{i:X}"))
        .find(|t| hashcash_matches(label, t))
}
