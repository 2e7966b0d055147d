//! XEP-0363 HTTP File Upload: ask an upload service for a slot (a PUT URL
//! to upload to and a GET URL to share), with the file's name, size,
//! type and purpose.
//!
//! The slot's `<header/>`s go into the client's HTTP request, so they are
//! a way for a service (or whoever forged its answer) to inject headers.
//! [`Put::request_headers`] lets only §4's allow-list through
//! (`Authorization`, `Cookie`, `Expires`, any case), ignores every other
//! name as §4 requires, and refuses a name or value holding a CR or LF
//! (where §4 asks the client to strip them, this crate refuses: a
//! newline in a header is an injection attempt, and no legitimate value
//! has one). [`Slot::check_https`] refuses URLs that are not HTTPS (§4:
//! the host MUST provide TLS). [`outcome`] reads the service's answer:
//! a slot, a file too large (with the maximum size), a quota to retry
//! later (with the time), or another error.
//!
//! ```
//! use xep_core::Iq;
//! use xep_element::XmlElement;
//! use xep_upload::{AllowedHeader, Outcome, outcome, request};
//!
//! let req = request("step1", "upload.montague.example".parse().unwrap(), "tr\u{e8}s cool.jpg", 23456, Some("image/jpeg"));
//! let reply = Iq::from_xml(
//!     b"<iq xmlns='jabber:client' from='upload.montague.example' id='step1' type='result'>\
//!       <slot xmlns='urn:xmpp:http:upload:0'>\
//!       <put url='https://upload.montague.example/tr%C3%A8s%20cool.jpg'>\
//!       <header name='Authorization'>Basic Base64String==</header>\
//!       <header name='X-Evil'>injected</header></put>\
//!       <get url='https://download.montague.example/tr%C3%A8s%20cool.jpg'/></slot></iq>",
//! ).unwrap();
//! let Outcome::Slot(slot) = outcome(&req, &reply) else { panic!() };
//! slot.check_https().unwrap();
//! // Only the allowed header is kept.
//! let headers = slot.put.request_headers().unwrap();
//! assert_eq!(headers, [(AllowedHeader::Authorization, "Basic Base64String==")]);
//! ```

#![warn(missing_docs)]

use std::fmt;

use xep_core::{Iq, IqType, StanzaError};
use xep_element::jid::Jid;
use xep_element::{DateTime82, Error, Payload, XmlElement};

/// `urn:xmpp:http:upload:0`.
pub const NS: &str = "urn:xmpp:http:upload:0";
/// `urn:xmpp:http:upload:purpose:0`.
pub const NS_PURPOSE: &str = "urn:xmpp:http:upload:purpose:0";

/// What the file is for (§5): the service may keep it longer or shorter.
/// Absent means [`Purpose::Message`].
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_PURPOSE)]
pub enum Purpose {
    /// An attachment to a message (the default).
    Message,
    /// A profile file such as an avatar: small, kept longer.
    Profile,
    /// Kept no later than a given time.
    Ephemeral(Ephemeral),
    /// Kept until deleted.
    Permanent,
}

/// `<ephemeral/>`: a file the service must not serve after
/// `expire_before` (§5.3).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_PURPOSE, name = "ephemeral")]
pub struct Ephemeral {
    /// The time after which the file is no longer available (XEP-0082).
    #[xml(attr(name = "expire-before"))]
    pub expire_before: DateTime82,
}

/// `<request/>`: a slot request (§4).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "request", validate = Request::check)]
pub struct Request {
    /// The file's name.
    #[xml(attr)]
    pub filename: String,
    /// Its size in bytes (positive).
    #[xml(attr)]
    pub size: u64,
    /// Its media type.
    #[xml(attr(name = "content-type"))]
    pub content_type: Option<String>,
    /// What it is for.
    #[xml(child)]
    pub purpose: Option<Purpose>,
}

impl Request {
    fn check(&self) -> Result<(), Error> {
        if self.filename.is_empty() {
            return Err(Error::bad_attribute(
                "filename",
                "",
                "a file has a name (XEP-0363 §4)",
            ));
        }
        if self.size == 0 {
            return Err(Error::bad_attribute(
                "size",
                "0",
                "the size is a positive integer (XEP-0363 schema)",
            ));
        }
        Ok(())
    }
}

/// `<slot/>`: where to upload and where the file will be.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "slot")]
pub struct Slot {
    /// The upload URL and its headers.
    #[xml(child)]
    pub put: Put,
    /// The download URL.
    #[xml(child)]
    pub get: Get,
}

/// `<put/>`: the URL to PUT the file to, and headers for that request.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "put")]
pub struct Put {
    /// The URL.
    #[xml(attr)]
    pub url: String,
    /// The headers, as the service wrote them (every name kept, for the
    /// round trip; [`Put::request_headers`] is what may be sent).
    #[xml(child)]
    pub headers: Vec<Header>,
}

/// `<get/>`: the URL the file will be served from.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "get")]
pub struct Get {
    /// The URL.
    #[xml(attr)]
    pub url: String,
}

/// `<header/>`: an HTTP header for the PUT request.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "header")]
pub struct Header {
    /// The header's name.
    #[xml(attr)]
    pub name: String,
    /// Its value.
    #[xml(text)]
    pub value: String,
}

/// The header names §4 allows in the PUT request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AllowedHeader {
    /// `Authorization`.
    Authorization,
    /// `Cookie`.
    Cookie,
    /// `Expires`.
    Expires,
}

impl AllowedHeader {
    /// The name, as written in HTTP.
    pub fn as_str(self) -> &'static str {
        match self {
            AllowedHeader::Authorization => "Authorization",
            AllowedHeader::Cookie => "Cookie",
            AllowedHeader::Expires => "Expires",
        }
    }

    /// The allowed header called `name` (case-insensitive, §4).
    pub fn from_name(name: &str) -> Option<AllowedHeader> {
        [
            AllowedHeader::Authorization,
            AllowedHeader::Cookie,
            AllowedHeader::Expires,
        ]
        .into_iter()
        .find(|h| h.as_str().eq_ignore_ascii_case(name))
    }
}

/// Why a slot is not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadError {
    /// An allowed header's name or value holds a CR or LF.
    NewlineInHeader {
        /// The header's name, as written.
        name: String,
    },
    /// A URL that is not HTTPS (§4).
    NotHttps {
        /// The URL.
        url: String,
    },
}

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadError::NewlineInHeader { name } => write!(
                f,
                "header '{}' holds a line break: refused as a header injection",
                name.escape_debug()
            ),
            UploadError::NotHttps { url } => {
                write!(f, "'{url}' is not an HTTPS URL (XEP-0363 §4)")
            }
        }
    }
}

impl std::error::Error for UploadError {}

impl Put {
    /// The headers to put in the HTTP PUT request, in their order: only
    /// the allowed names (others are ignored, §4), refused whole when an
    /// allowed one holds a line break.
    pub fn request_headers(&self) -> Result<Vec<(AllowedHeader, &str)>, UploadError> {
        let mut out = Vec::new();
        for h in &self.headers {
            let Some(name) = AllowedHeader::from_name(h.name.trim()) else {
                continue;
            };
            if h.name.contains(['\r', '\n']) || h.value.contains(['\r', '\n']) {
                return Err(UploadError::NewlineInHeader {
                    name: h.name.clone(),
                });
            }
            out.push((name, h.value.as_str()));
        }
        Ok(out)
    }
}

impl Slot {
    /// Both URLs are HTTPS (§4: the host MUST provide TLS).
    pub fn check_https(&self) -> Result<(), UploadError> {
        for url in [&self.put.url, &self.get.url] {
            let https = url
                .get(..8)
                .is_some_and(|p| p.eq_ignore_ascii_case("https://"));
            if !https {
                return Err(UploadError::NotHttps { url: url.clone() });
            }
        }
        Ok(())
    }
}

/// `<file-too-large/>`: the application condition of a refusal for size,
/// with the largest size accepted.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "file-too-large")]
pub struct FileTooLarge {
    /// The largest file accepted, in bytes.
    #[xml(text_child(name = "max-file-size"))]
    pub max_file_size: Option<u64>,
}

/// `<retry/>`: the application condition of a temporary refusal (a
/// quota), with when to try again (UTC).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "retry", validate = Retry::check)]
pub struct Retry {
    /// When to try again.
    #[xml(attr)]
    pub stamp: DateTime82,
}

impl Retry {
    fn check(&self) -> Result<(), Error> {
        if self.stamp.value.offset().local_minus_utc() != 0 {
            return Err(Error::bad_attribute(
                "stamp",
                "",
                "the retry time is expressed in UTC (XEP-0363 §6)",
            ));
        }
        Ok(())
    }
}

/// A slot request for a file to `service`.
pub fn request(
    id: impl Into<String>,
    service: Jid,
    filename: impl Into<String>,
    size: u64,
    content_type: Option<&str>,
) -> Iq {
    Iq::get(
        id,
        Some(service),
        Payload::new(Request {
            filename: filename.into(),
            size,
            content_type: content_type.map(str::to_string),
            purpose: None,
        }),
    )
}

/// What the service answered to a slot request.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A slot.
    Slot(Slot),
    /// The file is too large; the largest size accepted, if given.
    TooLarge(Option<u64>),
    /// Try again at this time (a quota).
    RetryAt(DateTime82),
    /// Another error.
    Error(StanzaError),
    /// Not a well-formed answer to the request: another id or sender, a
    /// result without a slot, or a slot that does not parse.
    NotAnAnswer,
}

/// Reads `reply` as the answer to the slot request `req`.
pub fn outcome(req: &Iq, reply: &Iq) -> Outcome {
    if reply.id != req.id || reply.from != req.to || reply.is_request() {
        return Outcome::NotAnAnswer;
    }
    if reply.type_ == IqType::Error {
        let Some(error) = &reply.error else {
            return Outcome::NotAnAnswer;
        };
        for p in &error.app {
            if let Some(Ok(t)) = p.get::<FileTooLarge>() {
                return Outcome::TooLarge(t.max_file_size);
            }
            if let Some(Ok(r)) = p.get::<Retry>() {
                return Outcome::RetryAt(r.stamp);
            }
        }
        return Outcome::Error(error.clone());
    }
    match reply.payload::<Slot>() {
        Some(Ok(slot)) => Outcome::Slot(slot),
        _ => Outcome::NotAnAnswer,
    }
}

xep_element::elements! {
    "XEP-0363" => [Request, Purpose, Ephemeral, Slot, Put, Get, Header, FileTooLarge, Retry],
}

#[cfg(test)]
mod tests;
