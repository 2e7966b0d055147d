//! XEP-0261 Jingle In-Band Bytestreams Transport Method and the elements
//! of XEP-0047 In-Band Bytestreams.

use xep_element::{Base64, Error, XmlElement, XmlValue};

/// `urn:xmpp:jingle:transports:ibb:1` (XEP-0261).
pub const NS_TRANSPORT: &str = "urn:xmpp:jingle:transports:ibb:1";
/// `http://jabber.org/protocol/ibb` (XEP-0047).
pub const NS: &str = "http://jabber.org/protocol/ibb";

/// Which stanza carries the data.
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StanzaKind {
    /// `<iq/>` (the default; acknowledged).
    #[default]
    Iq,
    /// `<message/>`.
    Message,
}

/// `<transport/>` of XEP-0261: the IBB parameters of a content.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_TRANSPORT, name = "transport", validate = Transport::check)]
pub struct Transport {
    /// The maximum block size in bytes (the schema's `xs:short`: 1–32767).
    #[xml(attr(name = "block-size"))]
    pub block_size: u16,
    /// The bytestream id.
    #[xml(attr)]
    pub sid: String,
    /// The carrying stanza (default `iq`).
    #[xml(attr)]
    pub stanza: Option<StanzaKind>,
}

impl Transport {
    fn check(t: &Transport) -> Result<(), Error> {
        if t.block_size == 0 || t.block_size > i16::MAX as u16 {
            return Err(Error::invalid(format!(
                "block-size {} is outside 1–32767 (XEP-0261 schema)",
                t.block_size
            )));
        }
        Ok(())
    }
}

/// `<open/>`: opens a bytestream.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "open")]
pub struct Open {
    /// The maximum block size in bytes.
    #[xml(attr(name = "block-size"))]
    pub block_size: u16,
    /// The bytestream id.
    #[xml(attr)]
    pub sid: String,
    /// The carrying stanza (default `iq`).
    #[xml(attr)]
    pub stanza: Option<StanzaKind>,
}

/// `<data/>`: one block of the bytestream, base64-encoded.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "data")]
pub struct Data {
    /// The sequence number (wrapping at 65535).
    #[xml(attr)]
    pub seq: u16,
    /// The bytestream id.
    #[xml(attr)]
    pub sid: String,
    /// The block, base64-encoded as written (line breaks and all; see
    /// [`Data::decode`]).
    #[xml(text)]
    pub data: String,
}

impl Data {
    /// A data element carrying `bytes`.
    pub fn new(sid: impl Into<String>, seq: u16, bytes: &[u8]) -> Self {
        Data {
            seq,
            sid: sid.into(),
            data: Base64(bytes.to_vec()).to_xml().into_owned(),
        }
    }

    /// The decoded block.
    pub fn decode(&self) -> Result<Vec<u8>, String> {
        Base64::from_xml(&self.data).map(|b| b.0)
    }
}

/// `<close/>`: closes a bytestream.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "close")]
pub struct Close {
    /// The bytestream id.
    #[xml(attr)]
    pub sid: String,
}
