//! Server-to-server negotiation elements: XEP-0220 server dialback
//! (`<db:result/>`, `<db:verify/>`, the `<dialback/>` feature),
//! XEP-0288 bidirectional streams (`<bidi/>`, request and feature),
//! XEP-0478 stream limits (`<limits/>`), and XEP-0185's dialback key.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use xep_core::StanzaError;
use xep_element::jid::Jid;
use xep_element::{Error, XmlElement, XmlValue};

/// `jabber:server:dialback` (XEP-0220), conventionally prefixed `db:`.
pub const NS_DIALBACK: &str = "jabber:server:dialback";
/// `urn:xmpp:features:dialback`: XEP-0220's stream feature.
pub const NS_DIALBACK_FEATURE: &str = "urn:xmpp:features:dialback";
/// `urn:xmpp:bidi`: XEP-0288's request.
pub const NS_BIDI: &str = "urn:xmpp:bidi";
/// `urn:xmpp:features:bidi`: XEP-0288's stream feature.
pub const NS_BIDI_FEATURE: &str = "urn:xmpp:features:bidi";
/// `urn:xmpp:stream-limits:0` (XEP-0478).
pub const NS_LIMITS: &str = "urn:xmpp:stream-limits:0";

/// The `type` of a dialback answer (XEP-0220 §2); a request has none.
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DialbackType {
    /// The key was verified: the domain pair is authorized.
    Valid,
    /// The key is wrong: the sender domain is not authorized.
    Invalid,
    /// A problem other than the key (the `<error/>` child says which);
    /// not fatal for the stream.
    Error,
}

/// The rules XEP-0220 §2.4 puts on `type` and `<error/>`: an error child
/// exactly with `type='error'`.
fn check_error(type_: Option<DialbackType>, error: Option<&StanzaError>) -> Result<(), Error> {
    match (type_, error) {
        (Some(DialbackType::Error), None) => Err(Error::invalid(
            "a dialback element of type 'error' must contain <error/> (XEP-0220 §2.4)",
        )),
        (t, Some(_)) if t != Some(DialbackType::Error) => Err(Error::invalid(
            "<error/> is allowed only in a dialback element of type 'error' (XEP-0220 §2.4)",
        )),
        _ => Ok(()),
    }
}

/// The key a dialback element carries, its surrounding whitespace removed
/// (`None` when there is none).
fn trimmed(key: &Option<String>) -> Option<&str> {
    key.as_deref().map(str::trim).filter(|k| !k.is_empty())
}

/// `<db:result/>` (XEP-0220 §2.1.1, §2.2.1): the initiating server's key
/// for a domain pair (no `type`), or the receiving server's answer
/// (`type` valid, invalid or error).
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_DIALBACK, name = "result", validate = DialbackResult::check)]
pub struct DialbackResult {
    /// The sender of this element's domain (the sender domain in a
    /// request, the target domain in an answer).
    #[xml(attr)]
    pub from: Jid,
    /// The other domain of the pair.
    #[xml(attr)]
    pub to: Jid,
    /// `None` in a request; the outcome in an answer.
    #[xml(attr(name = "type"))]
    pub type_: Option<DialbackType>,
    /// An `id`, which XEP-0220 does not define on `<db:result/>`: Prosody
    /// 0.12 puts the stream's id (and the key) on its answers, so it is
    /// read and kept, never relied on. `None` in what this crate builds.
    #[xml(attr)]
    pub id: Option<String>,
    /// The dialback key (a request's; an answer may echo it, as Prosody
    /// 0.12's do), as written; [`key`](Self::key) trims it.
    #[xml(text)]
    pub key: Option<String>,
    /// The dialback error, with `type='error'`. XEP-0220 §2.4 puts it in
    /// the stream's content namespace; like every stanza error it is
    /// written in the writer's (`jabber:server` through a `StreamWriter`
    /// whose header declared `db:`, see
    /// [`StreamHeader::dialback`](xep_core::StreamHeader::dialback)).
    #[xml(child)]
    pub error: Option<StanzaError>,
}

impl DialbackResult {
    fn check(r: &DialbackResult) -> Result<(), Error> {
        check_error(r.type_, r.error.as_ref())
    }

    /// The request for the pair (`from` sender domain, `to` target
    /// domain) with its key.
    pub fn request(from: Jid, to: Jid, key: impl Into<String>) -> Self {
        DialbackResult {
            from,
            to,
            type_: None,
            id: None,
            key: Some(key.into()),
            error: None,
        }
    }

    /// The answer to `request`: its `from` and `to` swapped, `type` set
    /// (valid or invalid; use [`error`](Self::error) for an error).
    pub fn answer(request: &DialbackResult, valid: bool) -> Self {
        DialbackResult {
            from: request.to.clone(),
            to: request.from.clone(),
            type_: Some(if valid {
                DialbackType::Valid
            } else {
                DialbackType::Invalid
            }),
            id: None,
            key: None,
            error: None,
        }
    }

    /// The dialback error answering `request`.
    pub fn error(request: &DialbackResult, error: StanzaError) -> Self {
        DialbackResult {
            from: request.to.clone(),
            to: request.from.clone(),
            type_: Some(DialbackType::Error),
            id: None,
            key: None,
            error: Some(error),
        }
    }

    /// The key, trimmed; `None` when empty.
    pub fn key(&self) -> Option<&str> {
        trimmed(&self.key)
    }
}

/// `<db:verify/>` (XEP-0220 §2.1.2, §2.2.2): the receiving server asks the
/// authoritative server whether a key is right (no `type`); the answer
/// swaps `from` and `to`, keeps `id` and sets `type`.
#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS_DIALBACK, name = "verify", validate = DialbackVerify::check)]
pub struct DialbackVerify {
    /// In a request, the target domain; in an answer, the sender domain.
    #[xml(attr)]
    pub from: Jid,
    /// The other domain.
    #[xml(attr)]
    pub to: Jid,
    /// The stream id the receiving server gave the initiating server.
    #[xml(attr)]
    pub id: String,
    /// `None` in a request; the outcome in an answer.
    #[xml(attr(name = "type"))]
    pub type_: Option<DialbackType>,
    /// The key to verify (request only), as written; [`key`](Self::key)
    /// trims it.
    #[xml(text)]
    pub key: Option<String>,
    /// The dialback error, with `type='error'`.
    #[xml(child)]
    pub error: Option<StanzaError>,
}

impl DialbackVerify {
    fn check(v: &DialbackVerify) -> Result<(), Error> {
        check_error(v.type_, v.error.as_ref())
    }

    /// The request to verify `result` (a `<db:result/>` received on the
    /// stream with id `stream_id`): from its target, to its sender.
    pub fn request(result: &DialbackResult, stream_id: impl Into<String>) -> Self {
        DialbackVerify {
            from: result.to.clone(),
            to: result.from.clone(),
            id: stream_id.into(),
            type_: None,
            key: result.key().map(str::to_string),
            error: None,
        }
    }

    /// The answer to `request`: `from` and `to` swapped, `id` kept.
    pub fn answer(request: &DialbackVerify, valid: bool) -> Self {
        DialbackVerify {
            from: request.to.clone(),
            to: request.from.clone(),
            id: request.id.clone(),
            type_: Some(if valid {
                DialbackType::Valid
            } else {
                DialbackType::Invalid
            }),
            key: None,
            error: None,
        }
    }

    /// The dialback error answering `request`.
    pub fn error(request: &DialbackVerify, error: StanzaError) -> Self {
        DialbackVerify {
            type_: Some(DialbackType::Error),
            error: Some(error),
            ..DialbackVerify::answer(request, false)
        }
    }

    /// The key, trimmed; `None` when empty.
    pub fn key(&self) -> Option<&str> {
        trimmed(&self.key)
    }
}

/// `<dialback xmlns='urn:xmpp:features:dialback'/>` (XEP-0220 §2.3.2):
/// the stream feature of a server that handles dialback errors.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS_DIALBACK_FEATURE, name = "dialback")]
pub struct DialbackFeature {
    /// `<errors/>`: dialback errors are understood.
    #[xml(flag(name = "errors"))]
    pub errors: bool,
    /// `<required/>`: not in XEP-0220, but from XEP-0192 (obsolete) and
    /// XEP-0238's examples, where the server requires dialback. Kept so
    /// the feature round-trips; the machines neither send nor need it.
    #[xml(flag(name = "required"))]
    pub required: bool,
}

/// `<bidi xmlns='urn:xmpp:features:bidi'/>` (XEP-0288 §2.1): the receiving
/// server offers bidirectional streams.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS_BIDI_FEATURE, name = "bidi")]
pub struct BidiFeature;

/// `<bidi xmlns='urn:xmpp:bidi'/>` (XEP-0288 §2.2): the initiating server
/// enables bidirectionality. XEP-0478 §2.2 puts the initiating server's
/// `<limits/>` in it (XEP-0288's schema says empty).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS_BIDI, name = "bidi")]
pub struct Bidi {
    /// What the initiating server accepts on the stream (XEP-0478).
    #[xml(child)]
    pub limits: Option<Limits>,
}

/// `<limits xmlns='urn:xmpp:stream-limits:0'/>` (XEP-0478): what the
/// announcing entity accepts, as a stream feature (or in [`Bidi`]).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS_LIMITS, name = "limits")]
pub struct Limits {
    /// The largest top-level element accepted, in bytes.
    #[xml(text_child(name = "max-bytes"))]
    pub max_bytes: Option<u32>,
    /// Seconds without traffic after which the stream may be considered
    /// idle.
    #[xml(text_child(name = "idle-seconds"))]
    pub idle_seconds: Option<u32>,
}

/// The dialback key of XEP-0185 (and XEP-0220 §2.1.1): the lowercase hex
/// HMAC-SHA256, keyed with the lowercase hex SHA-256 of `secret`, of
/// `receiving + ' ' + originating + ' ' + stream_id`, where `receiving`
/// is the target domain, `originating` the sender domain and `stream_id`
/// the id of the stream the receiving server opened.
pub fn dialback_key(secret: &str, receiving: &str, originating: &str, stream_id: &str) -> String {
    let hashed = hex(&Sha256::digest(secret.as_bytes()));
    let mut mac =
        Hmac::<Sha256>::new_from_slice(hashed.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(receiving.as_bytes());
    mac.update(b" ");
    mac.update(originating.as_bytes());
    mac.update(b" ");
    mac.update(stream_id.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Whether `key` is the dialback key of `secret` for the pair and stream
/// (compared in constant time; hex digits in either case).
pub fn verify_dialback_key(
    key: &str,
    secret: &str,
    receiving: &str,
    originating: &str,
    stream_id: &str,
) -> bool {
    use subtle::ConstantTimeEq;
    let expected = dialback_key(secret, receiving, originating, stream_id);
    let got = key.trim().to_ascii_lowercase();
    bool::from(got.as_bytes().ct_eq(expected.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xep_0185_example_key() {
        // XEP-0185 §3: the hashed secret, then the key.
        assert_eq!(
            hex(&Sha256::digest(b"s3cr3tf0rd14lb4ck")),
            "a7136eb1f46c9ef18c5e78c36ca257067c69b3d518285f0b18a96c33beae9acc"
        );
        assert_eq!(
            dialback_key(
                "s3cr3tf0rd14lb4ck",
                "xmpp.example.com",
                "example.org",
                "D60000229F"
            ),
            "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643"
        );
    }

    #[test]
    fn xep_0220_example_keys() {
        // XEP-0220 §2.1.1 (capulet's secret) and §2.2.2 (montague's).
        assert_eq!(
            dialback_key(
                "s3cr3tf0rd14lb4ck",
                "montague.example",
                "capulet.example",
                "D60000229F"
            ),
            "b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3"
        );
        assert_eq!(
            dialback_key(
                "d14lb4ck43v3r",
                "capulet.example",
                "montague.example",
                "417GAF25"
            ),
            "225cc5aa6a071133249d25fef42ae516fc7a86c523aa1c6980a7f73e784c972d"
        );
        assert!(verify_dialback_key(
            "\n  225CC5AA6A071133249D25FEF42AE516FC7A86C523AA1C6980A7F73E784C972D ",
            "d14lb4ck43v3r",
            "capulet.example",
            "montague.example",
            "417GAF25"
        ));
        assert!(!verify_dialback_key(
            "225cc5aa6a071133249d25fef42ae516fc7a86c523aa1c6980a7f73e784c972d",
            "d14lb4ck43v3r",
            "capulet.example",
            "montague.example",
            "417GAF26"
        ));
    }

    #[test]
    fn result_round_trip_and_rules() {
        let r = DialbackResult::from_xml(
            b"<result xmlns='jabber:server:dialback' from='a.example' to='b.example'>\n k1 \n</result>",
        )
        .unwrap();
        assert_eq!(r.key(), Some("k1"));
        assert_eq!(r.type_, None);
        let answer = DialbackResult::answer(&r, true);
        assert_eq!(answer.from.to_string(), "b.example");
        assert_eq!(answer.type_, Some(DialbackType::Valid));
        let back = DialbackResult::from_xml(answer.to_xml().as_bytes()).unwrap();
        assert_eq!(back, answer);

        // type='error' without <error/>, and <error/> without it.
        assert!(
            DialbackResult::from_xml(
                b"<result xmlns='jabber:server:dialback' from='a.example' to='b.example' type='error'/>"
            )
            .is_err()
        );
        assert!(
            DialbackVerify::from_xml(
                b"<verify xmlns='jabber:server:dialback' from='a.example' to='b.example' id='x' type='valid'>\
                  <error xmlns='jabber:server' type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></verify>"
            )
            .is_err()
        );
        // id is required on verify.
        assert!(
            DialbackVerify::from_xml(
                b"<verify xmlns='jabber:server:dialback' from='a.example' to='b.example'>k</verify>"
            )
            .is_err()
        );
    }

    #[test]
    fn a_server_stream_writes_db_prefixed_elements_and_server_errors() {
        use xep_core::{ContentNs, StreamHeader, StreamWriter};
        let mut w = StreamWriter::default();
        w.header(&StreamHeader {
            content: ContentNs::Server,
            dialback: true,
            ..Default::default()
        });
        let request = DialbackResult::request(
            "a.example".parse().unwrap(),
            "b.example".parse().unwrap(),
            "k",
        );
        let e = xep_core::StanzaError::new(
            xep_core::ErrorType::Cancel,
            xep_core::DefinedCondition::ItemNotFound,
        );
        let bytes = w.element(&DialbackResult::error(&request, e));
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "<db:result from='b.example' to='a.example' type='error'><error type='cancel'>\
             <item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></db:result>"
        );
        // Without the declaration: the dialback namespace as the default.
        let plain = StreamWriter::new(ContentNs::Server).element(&request);
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            "<result xmlns='jabber:server:dialback' from='a.example' to='b.example'>k</result>"
        );
    }

    #[test]
    fn limits_in_bidi() {
        let b = Bidi::from_xml(
            b"<bidi xmlns='urn:xmpp:bidi'><limits xmlns='urn:xmpp:stream-limits:0'>\
              <max-bytes>10000</max-bytes><idle-seconds>1800</idle-seconds></limits></bidi>",
        )
        .unwrap();
        assert_eq!(
            b.limits,
            Some(Limits {
                max_bytes: Some(10000),
                idle_seconds: Some(1800)
            })
        );
        assert!(
            Limits::from_xml(
                b"<limits xmlns='urn:xmpp:stream-limits:0'><max-bytes>-1</max-bytes></limits>"
            )
            .is_err()
        );
    }
}
