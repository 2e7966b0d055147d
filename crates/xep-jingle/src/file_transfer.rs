//! XEP-0234 Jingle File Transfer (`urn:xmpp:jingle:apps:file-transfer:5`).
//!
//! The `<abort/>` element of earlier versions was removed from the
//! specification (a transfer is aborted with content-remove or
//! session-terminate), so it is not modelled.

use xep_element::{DateTime82, Error, Payload, XmlElement};
use xep_hashes::{Hash, HashUsed};

use crate::jingle::Creator;

/// `urn:xmpp:jingle:apps:file-transfer:5`.
pub const NS: &str = "urn:xmpp:jingle:apps:file-transfer:5";
/// `urn:xmpp:jingle:apps:file-transfer:errors:0`.
pub const NS_ERRORS: &str = "urn:xmpp:jingle:apps:file-transfer:errors:0";

/// `<description/>`: the application description of a file transfer.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "description")]
pub struct Description {
    /// The file offered or requested.
    #[xml(child)]
    pub file: File,
}

/// `<file/>`: metadata of a file (every child optional).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "file", validate = File::check)]
pub struct File {
    /// Last modification time (XEP-0082 DateTime).
    #[xml(text_child(name = "date"))]
    pub date: Option<DateTime82>,
    /// The media type.
    #[xml(text_child(name = "media-type"))]
    pub media_type: Option<String>,
    /// The file name.
    #[xml(text_child(name = "name"))]
    pub name: Option<String>,
    /// A human-readable description.
    #[xml(text_child(name = "desc"))]
    pub desc: Option<String>,
    /// The size in octets (a positive integer).
    #[xml(text_child(name = "size"))]
    pub size: Option<u64>,
    /// The part of the file to transfer.
    #[xml(child)]
    pub range: Option<Range>,
    /// Hashes of the file (XEP-0300).
    #[xml(child)]
    pub hashes: Vec<Hash>,
    /// Hash functions the sender will use later (XEP-0300).
    #[xml(child)]
    pub hashes_used: Vec<HashUsed>,
    /// Elements of other namespaces that extensions attach to a file
    /// (XEP-0264 `<thumbnail/>`, say), kept.
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl File {
    fn check(f: &File) -> Result<(), Error> {
        if f.size == Some(0) {
            return Err(Error::invalid(
                "a file's size is a positive integer (XEP-0234 schema)",
            ));
        }
        Ok(())
    }
}

/// `<range/>`: a byte range of the file, with its own hashes.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "range")]
pub struct Range {
    /// The start (default 0).
    #[xml(attr)]
    pub offset: Option<u64>,
    /// The length (to the end when absent).
    #[xml(attr)]
    pub length: Option<u64>,
    /// Hashes of the range.
    #[xml(child)]
    pub hashes: Vec<Hash>,
}

/// `<checksum/>`: a session-info payload carrying a file's hashes.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "checksum")]
pub struct Checksum {
    /// The content's creator.
    #[xml(attr)]
    pub creator: Creator,
    /// The content's name.
    #[xml(attr)]
    pub name: String,
    /// The file with its hashes.
    #[xml(child)]
    pub file: File,
}

/// `<received/>`: a session-info payload acknowledging a complete file.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "received")]
pub struct Received {
    /// The content's creator.
    #[xml(attr)]
    pub creator: Creator,
    /// The content's name.
    #[xml(attr)]
    pub name: String,
}

/// A file-transfer-specific reason condition.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq)]
#[xml(ns = NS_ERRORS)]
pub enum FileTransferError {
    /// The requested file is not available.
    FileNotAvailable,
    /// More data than announced was received.
    FileTooLarge,
}
