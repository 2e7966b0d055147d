//! XEP-0066 Out of Band Data, both forms: `<x xmlns='jabber:x:oob'/>`,
//! a URL (and description) in a message or presence, and `<query
//! xmlns='jabber:iq:oob'/>`, an iq `set` asking the recipient to fetch a
//! URL, which it answers only once it fetched it (§3.1: a result), could
//! not (`item-not-found`) or would not (`not-acceptable`).
//!
//! ```
//! use xep_core::Iq;
//! use xep_oob::{Answer, Outcome, answer, offer, outcome};
//!
//! let request = offer("oob1", "stpeter@jabber.org/Work".parse().unwrap(),
//!     "http://www.jabber.org/images/psa-license.jpg", Some("A license to Jabber!")).unwrap();
//! // The recipient could not fetch the file.
//! let reply = answer(&request, Answer::NotFound).unwrap();
//! assert_eq!(outcome(&reply), Outcome::NotFound);
//! ```

#![warn(missing_docs)]

use std::fmt;

use xep_core::{DefinedCondition, ErrorType, Iq, IqType, Message, StanzaError};
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};

/// `jabber:x:oob`.
pub const NS_X: &str = "jabber:x:oob";
/// `jabber:iq:oob`.
pub const NS_IQ: &str = "jabber:iq:oob";

/// `<x xmlns='jabber:x:oob'/>`: a URL, in a message or presence.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_X, name = "x", validate = OobX::check)]
pub struct OobX {
    /// `<url/>`.
    #[xml(text_child(name = "url"))]
    pub url: String,
    /// `<desc/>`: what the URL is.
    #[xml(text_child(name = "desc"))]
    pub desc: Option<String>,
}

/// `<query xmlns='jabber:iq:oob'/>`: fetch this URL.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_IQ, name = "query", validate = OobQuery::check)]
pub struct OobQuery {
    /// `sid`: the stream id, when negotiated through XEP-0095.
    #[xml(attr)]
    pub sid: Option<String>,
    /// `<url/>`.
    #[xml(text_child(name = "url"))]
    pub url: String,
    /// `<desc/>`.
    #[xml(text_child(name = "desc"))]
    pub desc: Option<String>,
}

fn check_url(url: &str) -> Result<(), Error> {
    if url.trim().is_empty() {
        return Err(Error::bad_text(url, "an out-of-band URL cannot be empty").within("url"));
    }
    Ok(())
}

impl OobX {
    fn check(&self) -> Result<(), Error> {
        check_url(&self.url)
    }
}

impl OobQuery {
    fn check(&self) -> Result<(), Error> {
        check_url(&self.url)
    }
}

/// The `jabber:x:oob` URLs of a message.
pub fn urls(message: &Message) -> Vec<Result<OobX, Error>> {
    message
        .payloads
        .iter()
        .filter_map(|p| p.get::<OobX>())
        .collect()
}

/// Adds a URL to a message (after its body, for clients without OOB).
pub fn attach(message: &mut Message, url: impl Into<String>, desc: Option<String>) {
    message.payloads.push(Payload::new(OobX {
        url: url.into(),
        desc,
    }));
}

/// Why a request cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferError {
    /// The URL is empty.
    EmptyUrl,
}

impl fmt::Display for OfferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an out-of-band URL cannot be empty")
    }
}

impl std::error::Error for OfferError {}

/// The iq `set` asking `to` (a full JID: the request goes to one
/// application) to fetch `url`.
pub fn offer(
    id: impl Into<String>,
    to: Jid,
    url: impl Into<String>,
    desc: Option<&str>,
) -> Result<Iq, OfferError> {
    let url = url.into();
    if url.trim().is_empty() {
        return Err(OfferError::EmptyUrl);
    }
    Ok(Iq::set(
        id,
        Some(to),
        Payload::new(OobQuery {
            sid: None,
            url,
            desc: desc.map(str::to_owned),
        }),
    ))
}

/// The recipient's answer to a request (§3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Fetched: send only after the transfer completed.
    Retrieved,
    /// The URL could not be fetched: `item-not-found`.
    NotFound,
    /// The request is refused: `not-acceptable`.
    Rejected,
}

/// The answer to `request` (an iq `set` holding a `jabber:iq:oob`
/// query; `None` otherwise).
pub fn answer(request: &Iq, answer: Answer) -> Option<Iq> {
    if request.type_ != IqType::Set || request.payload::<OobQuery>().is_none() {
        return None;
    }
    Some(match answer {
        Answer::Retrieved => request.result(None),
        Answer::NotFound => request.error_reply(StanzaError::new(
            ErrorType::Cancel,
            DefinedCondition::ItemNotFound,
        )),
        Answer::Rejected => request.error_reply(StanzaError::new(
            ErrorType::Modify,
            DefinedCondition::NotAcceptable,
        )),
    })
}

/// What the recipient's reply to an offer says.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The recipient fetched the file.
    Retrieved,
    /// It could not (`item-not-found`).
    NotFound,
    /// It refused (`not-acceptable`).
    Rejected,
    /// Another error (e.g. `service-unavailable`: no OOB support).
    Failed(Option<StanzaError>),
}

/// Reads the reply to an offer (a result or an error iq).
pub fn outcome(reply: &Iq) -> Outcome {
    match reply.type_ {
        IqType::Result => Outcome::Retrieved,
        _ => match reply.error.clone() {
            Some(e) if e.condition == DefinedCondition::ItemNotFound => Outcome::NotFound,
            Some(e) if e.condition == DefinedCondition::NotAcceptable => Outcome::Rejected,
            other => Outcome::Failed(other),
        },
    }
}

xep_element::elements! {
    "XEP-0066" => [OobX, OobQuery],
}

#[cfg(test)]
mod tests {
    use super::*;
    use xep_element::XmlElement;

    #[test]
    fn both_forms_round_trip_and_need_a_url() {
        let x = OobX::from_xml(
            b"<x xmlns='jabber:x:oob'><url>https://files.example/p.jpg</url><desc>a photo</desc></x>",
        )
        .unwrap();
        assert_eq!(x.desc.as_deref(), Some("a photo"));
        assert_eq!(OobX::from_xml(x.to_xml().as_bytes()).unwrap(), x);
        assert!(OobX::from_xml(b"<x xmlns='jabber:x:oob'><desc>no url</desc></x>").is_err());
        assert!(OobX::from_xml(b"<x xmlns='jabber:x:oob'><url> </url></x>").is_err());
        let q = OobQuery::from_xml(
            b"<query xmlns='jabber:iq:oob' sid='s1'><url>http://a.example/f</url></query>",
        )
        .unwrap();
        assert_eq!(q.sid.as_deref(), Some("s1"));
        assert!(OobQuery::from_xml(b"<query xmlns='jabber:iq:oob'/>").is_err());
    }

    #[test]
    fn every_answer_reads_back() {
        let req = offer(
            "o1",
            "a@b.example/c".parse().unwrap(),
            "http://a.example/f",
            None,
        )
        .unwrap();
        assert_eq!(
            outcome(&answer(&req, Answer::Retrieved).unwrap()),
            Outcome::Retrieved
        );
        assert_eq!(
            outcome(&answer(&req, Answer::NotFound).unwrap()),
            Outcome::NotFound
        );
        assert_eq!(
            outcome(&answer(&req, Answer::Rejected).unwrap()),
            Outcome::Rejected
        );
        let other = req.error_reply(StanzaError::new(
            ErrorType::Cancel,
            DefinedCondition::ServiceUnavailable,
        ));
        assert!(matches!(outcome(&other), Outcome::Failed(Some(_))));
        assert_eq!(
            offer("o2", "a@b.example/c".parse().unwrap(), "", None),
            Err(OfferError::EmptyUrl)
        );
        // Only an oob request is answered.
        let ping = Iq::get(
            "p",
            None,
            Payload::new(OobX {
                url: "x".into(),
                desc: None,
            }),
        );
        assert_eq!(answer(&ping, Answer::Retrieved), None);
    }

    #[test]
    fn urls_in_a_message() {
        let mut m = Message::chat(
            "a@b.example".parse().unwrap(),
            "https://files.example/p.jpg",
        );
        attach(&mut m, "https://files.example/p.jpg", None);
        let u: Vec<_> = urls(&m).into_iter().map(Result::unwrap).collect();
        assert_eq!(u[0].url, "https://files.example/p.jpg");
    }
}
