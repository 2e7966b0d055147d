//! Entity capabilities: XEP-0115 (`<c xmlns='http://jabber.org/protocol/caps'/>`,
//! the verification string) and XEP-0390 (`<c xmlns='urn:xmpp:caps'/>`, hash
//! sets over a byte-exact hash input), computed from and verified against a
//! `disco#info` result, with the poisoning checks of XEP-0115 §5.4 and a
//! no-I/O cache.
//!
//! ```
//! use xep_caps::{Caps, verification_string};
//! use xep_disco::{DiscoInfo, Feature, Identity};
//! use xep_hashes::Algo;
//!
//! let mut info = DiscoInfo::default();
//! info.identities.push(Identity::new("client", "pc", Some("Exodus 0.9.1")));
//! for f in [
//!     "http://jabber.org/protocol/caps",
//!     "http://jabber.org/protocol/disco#info",
//!     "http://jabber.org/protocol/disco#items",
//!     "http://jabber.org/protocol/muc",
//! ] {
//!     info.features.push(Feature::new(f));
//! }
//! assert!(verification_string(&info).unwrap().starts_with("client/pc//Exodus 0.9.1<"));
//! // XEP-0115 §5.2's value:
//! let caps = Caps::compute(&info, Algo::Sha1, "http://code.google.com/p/exodus").unwrap();
//! assert_eq!(caps.ver, "QgayPKawpkPSDYmwT/WM94uAlu0=");
//! assert!(caps.verify(&info).unwrap());
//! ```

#![warn(missing_docs)]

mod cache;

pub use cache::{CapsCache, CapsKey, Lookup, Outcome, Query};

use std::fmt;

use base64::Engine as _;
use xep_core::Presence;
use xep_disco::DiscoInfo;
use xep_element::{XmlElement, XmlValue};
use xep_forms::{DataForm, FORM_TYPE, FieldType};
use xep_hashes::{Algo, Hash};

/// `http://jabber.org/protocol/caps` (XEP-0115).
pub const NS_CAPS: &str = "http://jabber.org/protocol/caps";
/// `urn:xmpp:caps` (XEP-0390).
pub const NS_CAPS2: &str = "urn:xmpp:caps";
/// The disco feature a server advertises when it supports XEP-0390 Caps
/// Optimizations (§5.3).
pub const FEATURE_OPTIMIZE: &str = "urn:xmpp:caps:optimize";
/// Prefix of XEP-0390 hash nodes.
pub const HASH_NODE_PREFIX: &str = "urn:xmpp:caps#";

/// XEP-0115 `<c/>`: the capabilities advertised in presence or stream
/// features.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Hash)]
#[xml(ns = NS_CAPS, name = "c")]
pub struct Caps {
    /// The hash function; absent in the pre-1.4 legacy format, whose `ver`
    /// is a software version and cannot be verified.
    #[xml(attr)]
    pub hash: Option<Algo>,
    /// The software's URI.
    #[xml(attr)]
    pub node: String,
    /// The verification string (or, legacy, the software version).
    #[xml(attr)]
    pub ver: String,
    /// Legacy feature bundles (deprecated), kept as written.
    #[xml(attr)]
    pub ext: Option<String>,
}

/// XEP-0390 `<c/>`: a capability hash set, of at least one hash (the
/// schema of XEP-0390 has `minOccurs='1'`).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS_CAPS2, name = "c")]
pub struct Caps2 {
    /// One hash of the same hash input per algorithm.
    #[xml(child(min = 1))]
    pub hashes: Vec<Hash>,
}

/// Why a `disco#info` result cannot be hashed (it is ill-formed, and a
/// cache must not store it).
///
/// XEP-0115 §5.4 has four rejection rules (the first four variants). Its
/// fifth rule, an extended form whose `FORM_TYPE` is missing or not
/// `hidden`, is not an error there: "ignore the form but continue
/// processing", which [`verification_string`] does. XEP-0390 §4.1 is
/// stricter and rejects such a form ([`CapsError::FormWithoutFormType`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CapsError {
    /// XEP-0115 §5.4: two identities with the same
    /// category/type/lang/name.
    DuplicateIdentity(String),
    /// XEP-0115 §5.4: the same feature twice.
    DuplicateFeature(String),
    /// XEP-0115 §5.4: two extended forms with the same `FORM_TYPE`.
    DuplicateFormType(String),
    /// XEP-0115 §5.4: a `FORM_TYPE` field with several different values.
    FormTypeMultipleValues(Vec<String>),
    /// XEP-0390 §4.1: the query holds an element other than identities,
    /// features and data forms.
    UnexpectedElement(String),
    /// XEP-0390 §4.1: an extended form holds `<reported/>` or `<item/>`.
    FormWithItems(Option<String>),
    /// XEP-0390 §4.1: an extended form without a hidden `FORM_TYPE`.
    FormWithoutFormType,
    /// The hash function is not one this crate computes.
    UnsupportedAlgo(Algo),
    /// The result does not hash to the advertised value.
    HashMismatch(Algo),
    /// A legacy (pre-1.4) XEP-0115 `<c/>` without `hash`: its `ver` is a
    /// software version and cannot be verified.
    Legacy,
}

impl fmt::Display for CapsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CapsError::DuplicateIdentity(i) => write!(f, "identity '{i}' appears twice"),
            CapsError::DuplicateFeature(v) => write!(f, "feature '{v}' appears twice"),
            CapsError::DuplicateFormType(t) => {
                write!(f, "two extended forms have the FORM_TYPE '{t}'")
            }
            CapsError::FormTypeMultipleValues(v) => {
                write!(f, "a FORM_TYPE field has several values: {}", v.join(", "))
            }
            CapsError::UnexpectedElement(n) => {
                write!(
                    f,
                    "the disco#info result contains <{n}/>, which caps cannot hash"
                )
            }
            CapsError::FormWithItems(t) => write!(
                f,
                "the extended form '{}' contains <reported/> or <item/>",
                t.as_deref().unwrap_or("")
            ),
            CapsError::FormWithoutFormType => {
                write!(f, "an extended form has no hidden FORM_TYPE field")
            }
            CapsError::UnsupportedAlgo(a) => {
                write!(f, "hash function '{}' is not supported", a.to_xml())
            }
            CapsError::HashMismatch(a) => write!(
                f,
                "the disco#info result does not hash ({}) to the advertised value",
                a.to_xml()
            ),
            CapsError::Legacy => write!(f, "a legacy <c/> without 'hash' cannot be verified"),
        }
    }
}

impl std::error::Error for CapsError {}

/// The `FORM_TYPE` value of an extended form, `None` when the form has no
/// hidden `FORM_TYPE` field; an error when that field has several different
/// values (XEP-0115 §5.4).
fn hidden_form_type(form: &DataForm) -> Result<Option<&str>, CapsError> {
    let Some(field) = form.form_type_field() else {
        return Ok(None);
    };
    if field.type_ != Some(FieldType::Hidden) {
        return Ok(None);
    }
    let mut values: Vec<&str> = field.values.iter().map(String::as_str).collect();
    values.sort_unstable();
    values.dedup();
    match values.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(CapsError::FormTypeMultipleValues(
            many.iter().map(|s| s.to_string()).collect(),
        )),
    }
}

/// The identities of `info` as (category, type, xml:lang, name), absent
/// values empty, sorted by category, then type, then xml:lang (then name),
/// each compared by octets (XEP-0115 §5.1 step 2, "i;octet"). Comparing the
/// parts one by one differs from sorting the joined `a/b/c/d` strings when
/// a part holds a character below `/` (e.g. `a-b` sorts after `a`).
fn sorted_identities(info: &DiscoInfo) -> Vec<(&str, &str, &str, &str)> {
    let mut ids: Vec<_> = info
        .identities
        .iter()
        .map(|i| {
            (
                i.category.as_str(),
                i.type_.as_str(),
                i.lang.as_deref().unwrap_or(""),
                i.name.as_deref().unwrap_or(""),
            )
        })
        .collect();
    ids.sort_unstable();
    ids
}

/// Applies the checks of XEP-0115 §5.4 and returns the extended forms that
/// take part in the hash (those with a hidden `FORM_TYPE`), sorted by it.
fn checked_forms(info: &DiscoInfo) -> Result<Vec<(&str, &DataForm)>, CapsError> {
    let ids = sorted_identities(info);
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(CapsError::DuplicateIdentity(format!(
            "{}/{}/{}/{}",
            w[0].0, w[0].1, w[0].2, w[0].3
        )));
    }
    let mut features: Vec<&str> = info.features.iter().map(|f| f.var.as_str()).collect();
    features.sort_unstable();
    if let Some(w) = features.windows(2).find(|w| w[0] == w[1]) {
        return Err(CapsError::DuplicateFeature(w[0].to_string()));
    }
    let mut forms = Vec::new();
    for form in &info.forms {
        if let Some(t) = hidden_form_type(form)? {
            forms.push((t, form));
        }
    }
    forms.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    if let Some(w) = forms.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(CapsError::DuplicateFormType(w[0].0.to_string()));
    }
    Ok(forms)
}

/// The XEP-0115 §5.1 verification string S of `info` (before hashing),
/// after the checks of §5.4. Extended forms without a hidden `FORM_TYPE`
/// are ignored, as §5.4 says.
pub fn verification_string(info: &DiscoInfo) -> Result<String, CapsError> {
    let forms = checked_forms(info)?;
    let mut s = String::new();
    for (category, type_, lang, name) in sorted_identities(info) {
        for part in [category, "/", type_, "/", lang, "/", name, "<"] {
            s.push_str(part);
        }
    }
    let mut features: Vec<&str> = info.features.iter().map(|f| f.var.as_str()).collect();
    features.sort_unstable();
    for f in features {
        s.push_str(f);
        s.push('<');
    }
    for (form_type, form) in forms {
        s.push_str(form_type);
        s.push('<');
        let mut fields: Vec<_> = form
            .fields
            .iter()
            .filter(|f| f.var.as_deref() != Some(FORM_TYPE))
            .collect();
        fields.sort_by(|a, b| a.var.cmp(&b.var));
        for field in fields {
            s.push_str(field.var.as_deref().unwrap_or(""));
            s.push('<');
            let mut values: Vec<&str> = field.values.iter().map(String::as_str).collect();
            values.sort_unstable();
            for v in values {
                s.push_str(v);
                s.push('<');
            }
        }
    }
    Ok(s)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Caps {
    /// The `<c/>` for `info`, hashed with `algo`, for the software `node`.
    pub fn compute(
        info: &DiscoInfo,
        algo: Algo,
        node: impl Into<String>,
    ) -> Result<Caps, CapsError> {
        let s = verification_string(info)?;
        let digest = algo
            .digest(s.as_bytes())
            .ok_or_else(|| CapsError::UnsupportedAlgo(algo.clone()))?;
        Ok(Caps {
            hash: Some(algo),
            node: node.into(),
            ver: b64(&digest),
            ext: None,
        })
    }

    /// Whether `info` hashes to this `ver` (XEP-0115 §5.4). Errors when
    /// `info` is ill-formed, the hash function is not supported, or the
    /// `<c/>` is in the legacy format (no `hash`).
    pub fn verify(&self, info: &DiscoInfo) -> Result<bool, CapsError> {
        let algo = self.hash.clone().ok_or(CapsError::Legacy)?;
        Ok(Caps::compute(info, algo, "")?.ver == self.ver)
    }

    /// The disco node to query for this capability set: `node#ver`.
    pub fn disco_node(&self) -> String {
        format!("{}#{}", self.node, self.ver)
    }

    /// The legacy feature-bundle names of `ext` (a space-separated
    /// NMTOKENS list), in order.
    pub fn ext_names(&self) -> impl Iterator<Item = &str> {
        self.ext.as_deref().unwrap_or("").split_ascii_whitespace()
    }

    /// The disco nodes of the legacy feature bundles (`node#ext`, as in
    /// version 1.3 of XEP-0115, which the Legacy Format section points to).
    pub fn ext_nodes(&self) -> Vec<String> {
        self.ext_names()
            .map(|e| format!("{}#{e}", self.node))
            .collect()
    }

    /// Whether this is the legacy format (no `hash`): `ver` is then a
    /// software version, not a verification string.
    pub fn is_legacy(&self) -> bool {
        self.hash.is_none()
    }

    /// The XEP-0115 `<c/>` among a presence's payloads.
    pub fn from_presence(p: &Presence) -> Option<Caps> {
        p.payloads.iter().find_map(|x| x.get::<Caps>()?.ok())
    }
}

/// Removes the extended forms that XEP-0115 §5.4 ignores (no `FORM_TYPE`
/// field, or one that is not hidden): they are not part of the
/// verification string, so a `ver` says nothing about them, and a cache
/// that kept them would serve unverified content to every entity that
/// advertises the same `ver` (a poisoning vector). [`CapsCache`] applies
/// this before storing a XEP-0115 result. Forms whose `FORM_TYPE` has
/// several values are kept: [`verification_string`] rejects them.
pub fn strip_unhashed_forms(info: &mut DiscoInfo) {
    info.forms
        .retain(|f| !matches!(hidden_form_type(f), Ok(None)));
}

/// Makes an inherited `xml:lang` explicit: every identity of `info` without
/// its own `xml:lang` gets `lang` (the language of the enclosing `<query/>`,
/// `<iq/>` or stream). XEP-0390 §4.1 hashes the implicit value and §6.2.1
/// asks caches to keep it; XEP-0115 §5.1 hashes `xml:lang` "if it exists",
/// so apply this before either when the result arrived with an inherited
/// language.
pub fn inherit_lang(info: &mut DiscoInfo, lang: &str) {
    for i in &mut info.identities {
        if i.lang.is_none() {
            i.lang = Some(lang.to_string());
        }
    }
}

/// The XEP-0390 §4.1 hash input of `info`.
pub fn hash_input(info: &DiscoInfo) -> Result<Vec<u8>, CapsError> {
    if let Some(p) = info.extensions.first() {
        return Err(CapsError::UnexpectedElement(
            p.to_element().name().to_string(),
        ));
    }
    let mut features: Vec<Vec<u8>> = info
        .features
        .iter()
        .map(|f| unit(&[f.var.as_str()]))
        .collect();
    features.sort();
    let mut out: Vec<u8> = features.concat();
    out.push(0x1c);
    let mut identities: Vec<Vec<u8>> = info
        .identities
        .iter()
        .map(|i| {
            let mut v = unit(&[
                &i.category,
                &i.type_,
                i.lang.as_deref().unwrap_or(""),
                i.name.as_deref().unwrap_or(""),
            ]);
            v.push(0x1e);
            v
        })
        .collect();
    identities.sort();
    out.extend(identities.concat());
    out.push(0x1c);
    let mut forms = Vec::new();
    for form in &info.forms {
        if form.reported.is_some() || !form.items.is_empty() {
            return Err(CapsError::FormWithItems(
                form.form_type_field()
                    .and_then(|f| f.values.first().cloned()),
            ));
        }
        if hidden_form_type(form)?.is_none() {
            return Err(CapsError::FormWithoutFormType);
        }
        let mut fields: Vec<Vec<u8>> = form
            .fields
            .iter()
            .map(|field| {
                let mut values: Vec<Vec<u8>> =
                    field.values.iter().map(|v| unit(&[v.as_str()])).collect();
                values.sort();
                let mut f = unit(&[field.var.as_deref().unwrap_or("")]);
                f.extend(values.concat());
                f.push(0x1e);
                f
            })
            .collect();
        fields.sort();
        let mut f = fields.concat();
        f.push(0x1d);
        forms.push(f);
    }
    forms.sort();
    out.extend(forms.concat());
    out.push(0x1c);
    Ok(out)
}

/// Each string UTF-8 encoded and followed by 0x1f.
fn unit(parts: &[&str]) -> Vec<u8> {
    let mut v = Vec::new();
    for p in parts {
        v.extend_from_slice(p.as_bytes());
        v.push(0x1f);
    }
    v
}

/// The outcome of checking a hash set against a `disco#info` result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every hash this crate computes matches (at least one does).
    Valid,
    /// A hash does not match.
    Invalid(Algo),
    /// No hash of the set uses a function this crate computes.
    NoSupportedHash,
}

impl Caps2 {
    /// The hash set of `info` for each of `algos` (unsupported ones are
    /// skipped; at least one must be supported).
    pub fn compute(info: &DiscoInfo, algos: &[Algo]) -> Result<Caps2, CapsError> {
        let input = hash_input(info)?;
        let hashes: Vec<Hash> = algos
            .iter()
            .filter_map(|a| Hash::compute(a.clone(), &input))
            .collect();
        if hashes.is_empty() {
            return Err(CapsError::UnsupportedAlgo(
                algos.first().cloned().unwrap_or(Algo::Other(String::new())),
            ));
        }
        Ok(Caps2 { hashes })
    }

    /// Checks every supported hash of the set against `info` (XEP-0390
    /// §4.4).
    pub fn verify(&self, info: &DiscoInfo) -> Result<Verification, CapsError> {
        let input = hash_input(info)?;
        let mut checked = false;
        for h in &self.hashes {
            match h.verify(&input) {
                xep_hashes::Verdict::Match => checked = true,
                xep_hashes::Verdict::Mismatch => return Ok(Verification::Invalid(h.algo.clone())),
                xep_hashes::Verdict::Unsupported => {}
            }
        }
        Ok(if checked {
            Verification::Valid
        } else {
            Verification::NoSupportedHash
        })
    }

    /// The XEP-0390 `<c/>` among a presence's payloads.
    pub fn from_presence(p: &Presence) -> Option<Caps2> {
        p.payloads.iter().find_map(|x| x.get::<Caps2>()?.ok())
    }
}

/// The disco node of a hash (XEP-0390 §4.3): `urn:xmpp:caps#<algo>.<base64>`.
pub fn hash_node(h: &Hash) -> String {
    format!("{HASH_NODE_PREFIX}{}.{}", h.algo.to_xml(), h.to_base64())
}

/// The hash a XEP-0390 disco node names, if it is one.
pub fn parse_hash_node(node: &str) -> Option<Hash> {
    let rest = node.strip_prefix(HASH_NODE_PREFIX)?;
    let (algo, value) = rest.rsplit_once('.')?;
    Some(Hash {
        algo: Algo::from_xml(algo).ok()?,
        value: xep_element::Base64::from_xml(value).ok()?,
    })
}

xep_element::elements! {
    "XEP-0115" => [Caps],
    "XEP-0390" => [Caps2],
}

#[cfg(test)]
mod tests;
