//! Files in messages:
//!
//! - XEP-0446 file metadata ([`FileMetadata`]) with XEP-0264 thumbnails
//!   ([`Thumbnail`]) and XEP-0300 hashes;
//! - XEP-0385 stateless inline media sharing, SIMS ([`MediaSharing`]: a
//!   XEP-0234 `<file/>` and XEP-0372 references as sources, itself inside
//!   a reference to the body), with [`MediaSharing::verify`];
//! - XEP-0447 stateless file sharing ([`FileSharing`], [`Sources`]) with
//!   XEP-0103 URL sources ([`UrlData`]); [`share`] writes the message
//!   with the fallback body, its XEP-0428 indicator and a XEP-0066 URL
//!   as §3.1 recommends; [`display`] applies the disposition rules of
//!   §3.2; [`attach_sources`] announces more sources (XEP-0367).
//!
//! Rules that protect users: [`verify`] checks received bytes against
//! every hash given (a file is trusted only when each hash this crate
//! computes matches, and at least one is computed); [`may_announce`]
//! refuses to re-announce a file unless *all* its hashes were checked
//! (XEP-0447 §3.3); [`safe_file_name`] escapes what a file system would
//! read as a path (XEP-0446 §3).
//!
//! ```
//! use xep_files::{FileMetadata, FileSharing, Sources, UrlData, verify};
//! use xep_hashes::{Algo, Hash};
//!
//! let data = b"Now is the winter of our discontent";
//! let file = FileMetadata {
//!     name: Some("richard.txt".into()),
//!     media_type: Some("text/plain".into()),
//!     size: Some(data.len() as u64),
//!     hashes: vec![Hash::compute(Algo::Sha256, data).unwrap()],
//!     ..FileMetadata::default()
//! };
//! assert!(verify(&file, data).is_ok());
//! assert!(verify(&file, b"made glorious summer").is_err());
//! ```

#![warn(missing_docs)]

use std::fmt;

use xep_core::{Body, Message, MessageType};
use xep_element::jid::Jid;
use xep_element::{DateTime82, Payload, XmlElement, XmlValue};
use xep_hashes::{Hash, Verdict};

/// `urn:xmpp:file:metadata:0` (XEP-0446).
pub const NS_FILE: &str = "urn:xmpp:file:metadata:0";
/// `urn:xmpp:thumbs:1` (XEP-0264).
pub const NS_THUMBS: &str = "urn:xmpp:thumbs:1";
/// `urn:xmpp:sfs:0` (XEP-0447).
pub const NS_SFS: &str = "urn:xmpp:sfs:0";
/// `http://jabber.org/protocol/url-data` (XEP-0103).
pub const NS_URL_DATA: &str = "http://jabber.org/protocol/url-data";
/// `urn:xmpp:message-attaching:1` (XEP-0367).
pub const NS_ATTACH: &str = "urn:xmpp:message-attaching:1";
/// `urn:xmpp:sims:1` (XEP-0385).
pub const NS_SIMS: &str = "urn:xmpp:sims:1";

/// `<thumbnail/>` (XEP-0264): a smaller image of the file.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_THUMBS, name = "thumbnail")]
pub struct Thumbnail {
    /// Where to get it (e.g. a XEP-0231 `cid:` URI).
    #[xml(attr)]
    pub uri: String,
    /// Its media type.
    #[xml(attr(name = "media-type"))]
    pub media_type: Option<String>,
    /// Width in pixels.
    #[xml(attr)]
    pub width: Option<u16>,
    /// Height in pixels.
    #[xml(attr)]
    pub height: Option<u16>,
}

/// `<desc/>` of a file, per language.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_FILE, name = "desc")]
pub struct Desc {
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The description.
    #[xml(text)]
    pub text: String,
}

/// `<file/>` (XEP-0446): metadata of a file, every child optional.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_FILE, name = "file")]
pub struct FileMetadata {
    /// The media type (`application/octet-stream` when absent).
    #[xml(text_child(name = "media-type"))]
    pub media_type: Option<String>,
    /// The name (see [`safe_file_name`] before using it as a path).
    #[xml(text_child(name = "name"))]
    pub name: Option<String>,
    /// Last modification (XEP-0082 DateTime).
    #[xml(text_child(name = "date"))]
    pub date: Option<DateTime82>,
    /// Size in bytes.
    #[xml(text_child(name = "size"))]
    pub size: Option<u64>,
    /// Descriptions, one per language.
    #[xml(child)]
    pub descs: Vec<Desc>,
    /// Width in pixels (images, video).
    #[xml(text_child(name = "width"))]
    pub width: Option<u32>,
    /// Height in pixels.
    #[xml(text_child(name = "height"))]
    pub height: Option<u32>,
    /// Length in milliseconds (audio, video).
    #[xml(text_child(name = "length"))]
    pub length: Option<u64>,
    /// Hashes of the content (XEP-0300).
    #[xml(child)]
    pub hashes: Vec<Hash>,
    /// Thumbnails (XEP-0264).
    #[xml(child)]
    pub thumbnails: Vec<Thumbnail>,
}

/// `<url-data/>` (XEP-0103): a URL to get the file from.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_URL_DATA, name = "url-data")]
pub struct UrlData {
    /// The URL.
    #[xml(attr)]
    pub target: String,
    /// `sid`: the transfer session, when sent in an iq (XEP-0103 §3).
    #[xml(attr)]
    pub sid: Option<String>,
    /// Descriptions, per language.
    #[xml(child)]
    pub descs: Vec<UrlDesc>,
    /// Scheme-specific data (XEP-0104 HTTP headers, ...).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl UrlData {
    /// A URL source.
    pub fn new(target: impl Into<String>) -> UrlData {
        UrlData {
            target: target.into(),
            sid: None,
            descs: Vec::new(),
            extensions: Vec::new(),
        }
    }
}

/// `<desc/>` of a `<url-data/>`, per language.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_URL_DATA, name = "desc")]
pub struct UrlDesc {
    /// `xml:lang`.
    #[xml(lang)]
    pub lang: Option<String>,
    /// The description.
    #[xml(text)]
    pub text: String,
}

/// `<malformed-url/>` (XEP-0103 §4): the URL cannot be parsed.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS_URL_DATA, name = "malformed-url")]
pub struct MalformedUrl;

/// `<transfer-failed/>` (XEP-0103 §4): the data could not be retrieved.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS_URL_DATA, name = "transfer-failed")]
pub struct TransferFailed;

/// `<transfer-refused/>` (XEP-0103 §4): the receiver refuses the data.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS_URL_DATA, name = "transfer-refused")]
pub struct TransferRefused;

/// How a shared file is meant to be shown.
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Shown in the conversation.
    Inline,
    /// Offered for download.
    Attachment,
}

/// `<sources/>`: where to get the file (XEP-0447 §3.1).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_SFS, name = "sources")]
pub struct Sources {
    /// The id of the `<file-sharing/>` it attaches to (§3.3).
    #[xml(attr)]
    pub id: Option<String>,
    /// URL sources.
    #[xml(child)]
    pub urls: Vec<UrlData>,
    /// Other sources (XEP-0358 `<jinglepub/>`, ...), kept.
    #[xml(children(foreign))]
    pub others: Vec<Payload>,
}

/// `<file-sharing/>` (XEP-0447).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_SFS, name = "file-sharing")]
pub struct FileSharing {
    /// `disposition`.
    #[xml(attr)]
    pub disposition: Option<Disposition>,
    /// `id`: lets later messages attach sources.
    #[xml(attr)]
    pub id: Option<String>,
    /// The file.
    #[xml(child)]
    pub file: FileMetadata,
    /// Where to get it (absent: sources follow later).
    #[xml(child)]
    pub sources: Option<Sources>,
}

/// `<attach-to/>` (XEP-0367): this message adds to the message `id`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_ATTACH, name = "attach-to")]
pub struct AttachTo {
    /// The id of the message attached to.
    #[xml(attr)]
    pub id: String,
}

/// Why received bytes are not the file described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// A hash does not match.
    Mismatch(xep_hashes::Algo),
    /// No hash is given, or none uses a function this crate computes: the
    /// bytes cannot be checked.
    Unverifiable,
    /// The size differs from the one announced.
    Size {
        /// Announced.
        announced: u64,
        /// Received.
        received: u64,
    },
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Mismatch(a) => {
                write!(f, "the {} hash of the file does not match", a.to_xml())
            }
            VerifyError::Unverifiable => f.write_str("no hash of the file can be checked"),
            VerifyError::Size {
                announced,
                received,
            } => {
                write!(f, "{received} bytes received, {announced} announced")
            }
        }
    }
}

impl std::error::Error for VerifyError {}

/// Checks `data` against the file's size and every hash given: each
/// hash this crate computes must match, and at least one must be
/// computed.
pub fn verify(file: &FileMetadata, data: &[u8]) -> Result<(), VerifyError> {
    verify_against(file.size, &file.hashes, data)
}

fn verify_against(size: Option<u64>, hashes: &[Hash], data: &[u8]) -> Result<(), VerifyError> {
    if let Some(announced) = size
        && announced != data.len() as u64
    {
        return Err(VerifyError::Size {
            announced,
            received: data.len() as u64,
        });
    }
    let mut checked = false;
    for h in hashes {
        match h.verify(data) {
            Verdict::Match => checked = true,
            Verdict::Mismatch => return Err(VerifyError::Mismatch(h.algo.clone())),
            Verdict::Unsupported => {}
        }
    }
    if checked {
        Ok(())
    } else {
        Err(VerifyError::Unverifiable)
    }
}

/// Whether this entity may announce itself as a source of `file`, which
/// it holds as `data` (XEP-0447 §3.3): only when hashes are given and
/// *all* of them were checked (one this crate cannot compute forbids it).
pub fn may_announce(file: &FileMetadata, data: &[u8]) -> Result<(), VerifyError> {
    verify(file, data)?;
    match file
        .hashes
        .iter()
        .find(|h| h.verify(data) != Verdict::Match)
    {
        Some(_) => Err(VerifyError::Unverifiable),
        None => Ok(()),
    }
}

/// The file's name made safe as a single path component (XEP-0446 §3):
/// `/`, `\`, NUL and `%` are percent-encoded, a name of only dots
/// (`.`, `..`) is encoded, other control characters are dropped; `None`
/// when nothing is left.
pub fn safe_file_name(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '/' | '\\' | '%' | '\0' => {
                for b in c.to_string().bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    if !out.is_empty() && out.chars().all(|c| c == '.') {
        out = out.replace('.', "%2E");
    }
    (!out.is_empty()).then_some(out)
}

/// How a receiving client shows a shared file (XEP-0447 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    /// Try inline; if that fails, tell the user it was meant inline.
    Inline,
    /// Do not show inline, do not fetch without the user: offer it.
    Attachment,
    /// May be shown inline (no disposition, a displayable type); if that
    /// fails, offer it without an error.
    MayInline,
}

/// What §3.2 says about showing `sharing`; `displayable` says whether
/// the client shows a media type inline.
pub fn display(sharing: &FileSharing, displayable: impl Fn(&str) -> bool) -> Display {
    let media = sharing
        .file
        .media_type
        .as_deref()
        .filter(|m| *m != "application/octet-stream");
    match (sharing.disposition, media) {
        (Some(Disposition::Attachment), _) | (_, None) => Display::Attachment,
        (Some(Disposition::Inline), Some(_)) => Display::Inline,
        (None, Some(m)) if displayable(m) => Display::MayInline,
        (None, Some(_)) => Display::Attachment,
    }
}

/// A message sharing `sharing` with `to`. With a URL, the body is that
/// URL as a fallback marked by XEP-0428 (for `urn:xmpp:sfs:0`) and a
/// XEP-0066 URL is added (§3.1); the body carries nothing else.
pub fn share(
    to: Jid,
    type_: MessageType,
    sharing: FileSharing,
    fallback_url: Option<&str>,
) -> Message {
    let mut m = Message {
        to: Some(to),
        type_: Some(type_),
        payloads: vec![Payload::new(sharing)],
        ..Message::default()
    };
    if let Some(url) = fallback_url {
        m.bodies.push(Body {
            lang: None,
            text: url.to_string(),
        });
        m.payloads.push(Payload::new(xep_message::Fallback {
            for_: Some(NS_SFS.into()),
            subjects: Vec::new(),
            bodies: vec![xep_message::BodyRange::default()],
        }));
        xep_oob::attach(&mut m, url, None);
    }
    m
}

/// A message attaching `sources` to the shared file of message
/// `message_id` (XEP-0447 §3.3); `sources.id` must be the sharing's id
/// when it had one.
pub fn attach_sources(to: Jid, message_id: &str, sources: Sources) -> Message {
    Message {
        to: Some(to),
        payloads: vec![
            Payload::new(AttachTo {
                id: message_id.into(),
            }),
            Payload::new(sources),
        ],
        ..Message::default()
    }
}

/// `<media-sharing/>` (XEP-0385): a file shared inline, inside a XEP-0372
/// `<reference type='data'/>` to the part of the body it illustrates.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_SIMS, name = "media-sharing", validate = MediaSharing::check)]
pub struct MediaSharing {
    /// The file: XEP-0234's `<file/>`, which here MUST give the media
    /// type, the size, a description and one hash or more (§4.1).
    #[xml(child)]
    pub file: xep_jingle::file_transfer::File,
    /// Where to get it.
    #[xml(child)]
    pub sources: MediaSources,
}

/// `<sources/>` of XEP-0385: XEP-0372 references to the file (HTTP
/// URLs, XEP-0358 Jingle URIs, ...).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS_SIMS, name = "sources")]
pub struct MediaSources {
    /// The references, in the sender's order.
    #[xml(child)]
    pub references: Vec<xep_message::Reference>,
}

impl MediaSharing {
    fn check(&self) -> Result<(), xep_element::Error> {
        let f = &self.file;
        let missing = if f.media_type.is_none() {
            Some("<media-type/>")
        } else if f.size.is_none() {
            Some("<size/>")
        } else if f.desc.is_none() {
            Some("<desc/>")
        } else if f.hashes.is_empty() {
            Some("a <hash/>")
        } else {
            None
        };
        match missing {
            Some(what) => Err(xep_element::Error::invalid(format!(
                "the shared <file/> must give {what} (XEP-0385 §4.1)"
            ))),
            None => Ok(()),
        }
    }

    /// Checks `data`, however it was retrieved, against the size and
    /// every hash given (XEP-0385 §4.2: content that does not match MUST
    /// be discarded).
    pub fn verify(&self, data: &[u8]) -> Result<(), VerifyError> {
        verify_against(self.file.size, &self.file.hashes, data)
    }

    /// The URIs of the sources, in order.
    pub fn uris(&self) -> impl Iterator<Item = &str> {
        self.sources.references.iter().map(|r| r.uri.as_str())
    }

    /// This sharing inside the reference to `begin..end` of the body (in
    /// code points, XEP-0426), as §4.1 puts it. XEP-0372 requires a
    /// `uri` on every reference; the XEP's examples leave it out, so it is
    /// the first source here.
    pub fn in_reference(self, begin: u32, end: u32) -> xep_message::Reference {
        let uri = self.uris().next().unwrap_or_default().to_owned();
        xep_message::Reference {
            type_: xep_message::ReferenceType::Data,
            uri,
            begin: Some(begin),
            end: Some(end),
            anchor: None,
            extensions: vec![Payload::new(self)],
        }
    }
}

xep_element::elements! {
    "XEP-0385" => [MediaSharing, MediaSources],
    "XEP-0446" => [FileMetadata, Desc],
    "XEP-0264" => [Thumbnail],
    "XEP-0447" => [FileSharing, Sources],
    "XEP-0103" => [UrlData, UrlDesc, MalformedUrl, TransferFailed, TransferRefused],
    "XEP-0367" => [AttachTo],
}

#[cfg(test)]
mod tests;
