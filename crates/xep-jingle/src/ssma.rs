//! XEP-0339 Source-Specific Media Attributes in Jingle.

use xep_element::{XmlElement, XmlValue};

/// `urn:xmpp:jingle:apps:rtp:ssma:0`.
pub const NS: &str = "urn:xmpp:jingle:apps:rtp:ssma:0";

/// `<source/>`: one synchronisation source (SDP `a=ssrc`).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "source")]
pub struct Source {
    /// The SSRC.
    #[xml(attr)]
    pub ssrc: u32,
    /// Source attributes (`cname`, `msid`, ...).
    #[xml(child)]
    pub parameters: Vec<SourceParameter>,
}

/// `<parameter/>` of a source.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "parameter")]
pub struct SourceParameter {
    /// Name.
    #[xml(attr)]
    pub name: String,
    /// Value.
    #[xml(attr)]
    pub value: Option<String>,
}

/// The semantics of a source group (SDP `a=ssrc-group`); unknown values
/// are kept.
#[derive(XmlValue, Debug, Clone, PartialEq, Eq, Hash)]
pub enum Semantics {
    /// Lip synchronisation.
    #[xml(value = "LS")]
    Ls,
    /// Flow identification.
    #[xml(value = "FID")]
    Fid,
    /// Single reservation flow.
    #[xml(value = "SRF")]
    Srf,
    /// Alternative network address types.
    #[xml(value = "ANAT")]
    Anat,
    /// Forward error correction.
    #[xml(value = "FEC")]
    Fec,
    /// Decoding dependency.
    #[xml(value = "DDP")]
    Ddp,
    /// Simulcast (used in practice, not in the schema).
    #[xml(value = "SIM")]
    Sim,
    /// Any other semantics, kept as written.
    #[xml(other)]
    Other(String),
}

/// `<ssrc-group/>`: sources grouped with some semantics.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "ssrc-group")]
pub struct SsrcGroup {
    /// The semantics.
    #[xml(attr)]
    pub semantics: Semantics,
    /// The sources (only `ssrc` is meaningful here).
    #[xml(child)]
    pub sources: Vec<Source>,
}
