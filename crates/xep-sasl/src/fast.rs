//! XEP-0484 Fast Authentication Streamlining Tokens (FAST): the elements
//! of `urn:xmpp:fast:0`, which live inside SASL2's ([`crate::sasl2`]).
//!
//! The server lists the token mechanisms it accepts in a [`Fast`] inside
//! SASL2's [`Inline`](crate::sasl2::Inline); a client authenticated
//! otherwise asks for a token with [`RequestToken`] in
//! [`Authenticate`](crate::sasl2::Authenticate), and the server gives it
//! in [`Token`] inside [`Success`](crate::sasl2::Success) (also
//! unasked, to rotate a token). A client authenticating with a token
//! marks its `<authenticate/>` with a [`Fast`] (a replay count for TLS
//! 0-RTT, `invalidate` to log out). The tokens are used with the HT
//! mechanisms ([`client::HashedToken`](crate::client::HashedToken),
//! [`server::HashedToken`](crate::server::HashedToken)).
//!
//! ```
//! use xep_element::XmlElement;
//! use xep_sasl::fast::{Fast, RequestToken};
//! use xep_sasl::HtMechanism;
//!
//! let offer = Fast::offer([HtMechanism::SHA_256_EXPR, HtMechanism::SHA_256_NONE]);
//! assert_eq!(offer.mechanisms(), vec![HtMechanism::SHA_256_EXPR, HtMechanism::SHA_256_NONE]);
//! let request = RequestToken::new(HtMechanism::SHA_256_NONE);
//! assert_eq!(request.to_xml(), "<request-token xmlns='urn:xmpp:fast:0' mechanism='HT-SHA-256-NONE'/>");
//! ```

use xep_element::{DateTime82, XmlElement, XsdBool};

use crate::HtMechanism;

/// `urn:xmpp:fast:0`.
pub const NS_FAST: &str = "urn:xmpp:fast:0";

/// `<fast/>`: in the server's SASL2 inline features, the token mechanisms
/// it accepts ([`mechanisms`](Self::mechanisms)) and whether it takes
/// TLS 0-RTT data; in the client's `<authenticate/>`, the mark of a token
/// authentication, with its replay [`count`](Self::count) and
/// [`invalidate`](Self::invalidate).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_FAST, name = "fast")]
pub struct Fast {
    /// Feature: the token mechanisms (`HT-SHA-256-ENDP`, ...).
    #[xml(text_child(name = "mechanism"))]
    pub mechanism_names: Vec<String>,
    /// Feature: authentication data is accepted in TLS 0-RTT early data.
    #[xml(attr(name = "tls-0rtt"))]
    pub tls_0rtt: Option<XsdBool>,
    /// Request: the client's attempt counter for this token, required in
    /// TLS 0-RTT data (the server refuses a count already seen).
    #[xml(attr)]
    pub count: Option<u32>,
    /// Request: invalidate the token once authenticated (logging out).
    #[xml(attr)]
    pub invalidate: Option<XsdBool>,
}

impl Fast {
    /// The server's feature listing `mechanisms`.
    pub fn offer(mechanisms: impl IntoIterator<Item = HtMechanism>) -> Fast {
        Fast {
            mechanism_names: mechanisms.into_iter().map(|m| m.name().into()).collect(),
            ..Fast::default()
        }
    }

    /// The mechanisms listed that this crate implements, in order.
    pub fn mechanisms(&self) -> Vec<HtMechanism> {
        self.mechanism_names
            .iter()
            .filter_map(|n| HtMechanism::from_name(n))
            .collect()
    }

    /// Whether the client asks for its token to be invalidated.
    pub fn invalidates(&self) -> bool {
        self.invalidate.is_some_and(|b| b.value)
    }
}

/// `<request-token/>` in `<authenticate/>`: the client asks for a token
/// for one of the mechanisms the server listed.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_FAST, name = "request-token")]
pub struct RequestToken {
    /// The mechanism the token will be used with.
    #[xml(attr)]
    pub mechanism: String,
}

impl RequestToken {
    /// A request for a token of `mechanism`.
    pub fn new(mechanism: HtMechanism) -> RequestToken {
        RequestToken {
            mechanism: mechanism.name().into(),
        }
    }
}

/// `<token/>` in `<success/>`: a new token, which the client stores like
/// a password and uses for the mechanism it asked for.
#[derive(XmlElement, Clone, PartialEq, Eq)]
#[xml(ns = NS_FAST, name = "token")]
pub struct Token {
    /// When the token expires (XEP-0082 DateTime).
    #[xml(attr)]
    pub expiry: DateTime82,
    /// The secret.
    #[xml(attr)]
    pub token: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("expiry", &self.expiry)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_round_trips_and_ignores_unknown_mechanisms() {
        let f = Fast::from_xml(
            b"<fast xmlns='urn:xmpp:fast:0' tls-0rtt='1'><mechanism>HT-SHA-256-ENDP</mechanism>\
              <mechanism>HT-FOO-NONE</mechanism></fast>",
        )
        .unwrap();
        assert_eq!(f.mechanisms(), vec![HtMechanism::SHA_256_ENDP]);
        assert_eq!(f.tls_0rtt.map(bool::from), Some(true));
        assert_eq!(Fast::from_xml(f.to_xml().as_bytes()).unwrap(), f);
        assert_eq!(
            Fast::offer([HtMechanism::SHA_256_NONE]).to_xml(),
            "<fast xmlns='urn:xmpp:fast:0'><mechanism>HT-SHA-256-NONE</mechanism></fast>"
        );
    }

    #[test]
    fn request_marks_count_and_invalidation() {
        let f =
            Fast::from_xml(b"<fast xmlns='urn:xmpp:fast:0' count='3' invalidate='true'/>").unwrap();
        assert_eq!(f.count, Some(3));
        assert!(f.invalidates());
        assert!(!Fast::default().invalidates());
        let e = Fast::from_xml(b"<fast xmlns='urn:xmpp:fast:0' count='-1'/>").unwrap_err();
        assert!(e.to_string().contains("count"), "{e}");
    }

    #[test]
    fn token_needs_both_attributes_and_hides_its_secret() {
        let t = Token::from_xml(
            b"<token xmlns='urn:xmpp:fast:0' expiry='2020-03-12T14:36:15Z' token='c2VjcmV0'/>",
        )
        .unwrap();
        assert_eq!(t.token, "c2VjcmV0");
        assert!(!format!("{t:?}").contains("c2VjcmV0"));
        let e = Token::from_xml(b"<token xmlns='urn:xmpp:fast:0' token='x'/>").unwrap_err();
        assert!(e.to_string().contains("expiry"), "{e}");
        let e = RequestToken::from_xml(b"<request-token xmlns='urn:xmpp:fast:0'/>").unwrap_err();
        assert!(e.to_string().contains("mechanism"), "{e}");
    }
}
