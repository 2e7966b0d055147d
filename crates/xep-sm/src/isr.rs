//! XEP-0397 (Instant Stream Resumption): a stream resumed inside SASL2's
//! `<authenticate/>` in one round trip, authenticated by a one-use token
//! the server gave when stream management was enabled.
//!
//! - The stream feature [`Isr`] lists the SASL mechanisms usable with an
//!   ISR token (XEP-0484's `HT-*`), over TLS only.
//! - [`IsrEnable`] in XEP-0198's `<enable/>` asks for a token for one
//!   mechanism (pinned: the token works with it only); [`IsrEnabled`] in
//!   `<enabled/>` gives it, with an optional `location` to resume at
//!   (with direct TLS).
//! - [`InstResume`] in SASL2's `<authenticate/>` carries XEP-0198's
//!   `<resume/>`; the success carries [`InstResumed`] (a new token and
//!   `<resumed/>`) or [`InstResumeFailed`] (`<failed/>`: authenticated,
//!   not resumed; binding follows).
//!
//! The machines use them: `xep_sm::StreamManager` asks for and reports
//! the token; `xep_negotiation`'s client and server run the resumption.
//!
//! The namespace is the one of XEP-0397 §4's examples,
//! `https://xmpp.org/extensions/isr/0` (its prose also spells it
//! `htpps://`, a typo).

use xep_core::Mechanisms;
use xep_element::{Error, XmlElement, XsdBool};

use crate::{Failed, Resume, Resumed};

/// `https://xmpp.org/extensions/isr/0`.
pub const NS: &str = "https://xmpp.org/extensions/isr/0";

/// `<isr/>`: the stream feature, with the mechanisms usable with an ISR
/// token.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "isr")]
pub struct Isr {
    /// RFC 6120's `<mechanisms/>` (XEP-0397 §3 requires it).
    #[xml(child)]
    pub mechanisms: Mechanisms,
}

impl Isr {
    /// The feature listing `mechanisms`.
    pub fn offer<'a>(mechanisms: impl IntoIterator<Item = &'a str>) -> Self {
        Isr {
            mechanisms: Mechanisms {
                mechanisms: mechanisms.into_iter().map(str::to_owned).collect(),
                extensions: Vec::new(),
            },
        }
    }

    /// Whether `mechanism` is listed.
    pub fn lists(&self, mechanism: &str) -> bool {
        self.mechanisms.mechanisms.iter().any(|m| m == mechanism)
    }
}

/// `<isr-enable mechanism='...'/>` in `<enable/>`: asks for an ISR token
/// for that mechanism.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "isr-enable")]
pub struct IsrEnable {
    /// The SASL mechanism the token will be used with (the only one).
    #[xml(attr)]
    pub mechanism: String,
}

/// `<isr-enabled token='...'/>` in `<enabled/>`: the ISR token.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "isr-enabled", validate = IsrEnabled::check)]
pub struct IsrEnabled {
    /// The token (at least 128 bits of entropy; a secret).
    #[xml(attr)]
    pub token: String,
    /// Where to resume (host and port, with TLS from the start).
    #[xml(attr)]
    pub location: Option<String>,
}

impl IsrEnabled {
    fn check(&self) -> Result<(), Error> {
        if self.token.is_empty() {
            return Err(Error::invalid("an empty ISR token"));
        }
        Ok(())
    }
}

/// `<inst-resume/>` in SASL2's `<authenticate/>`: resume this stream.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "inst-resume")]
pub struct InstResume {
    /// Whether the mechanism's password is the ISR token (default true);
    /// `false`: the mechanism runs with the account's credentials.
    #[xml(attr(name = "with-isr-token"))]
    pub with_isr_token: Option<XsdBool>,
    /// XEP-0198's `<resume/>`.
    #[xml(child)]
    pub resume: Resume,
}

impl InstResume {
    /// Resumption of `previd` with `h`, authenticated by the ISR token.
    pub fn with_token(previd: impl Into<String>, h: u32) -> Self {
        InstResume {
            with_isr_token: None,
            resume: Resume {
                h,
                previd: previd.into(),
            },
        }
    }

    /// Whether the mechanism authenticates with the ISR token (the
    /// default).
    pub fn uses_token(&self) -> bool {
        self.with_isr_token.is_none_or(|b| b.value)
    }
}

/// `<inst-resumed token='...'/>` in SASL2's `<success/>`: resumed, with a
/// new token.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "inst-resumed", validate = InstResumed::check)]
pub struct InstResumed {
    /// The new ISR token (the one used is destroyed).
    #[xml(attr)]
    pub token: String,
    /// XEP-0198's `<resumed/>`, with the server's `h`.
    #[xml(child)]
    pub resumed: Resumed,
}

impl InstResumed {
    fn check(&self) -> Result<(), Error> {
        if self.token.is_empty() {
            return Err(Error::invalid("an empty ISR token"));
        }
        Ok(())
    }
}

/// `<inst-resume-failed/>` in SASL2's `<success/>`: authenticated, but
/// the stream is not resumed.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq)]
#[xml(ns = NS, name = "inst-resume-failed")]
pub struct InstResumeFailed {
    /// XEP-0198's `<failed/>`.
    #[xml(child)]
    pub failed: Failed,
}

#[cfg(test)]
mod tests {
    use super::*;

    use xep_element::testdata::exact_round_trip as round_trip;

    #[test]
    fn the_elements_round_trip_and_are_registered() {
        let isr: Isr = round_trip(
            "<isr xmlns='https://xmpp.org/extensions/isr/0'><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>HT-SHA-256-ENDP</mechanism></mechanisms></isr>",
        );
        assert!(isr.lists("HT-SHA-256-ENDP") && !isr.lists("PLAIN"));
        round_trip::<IsrEnable>(
            "<isr-enable xmlns='https://xmpp.org/extensions/isr/0' mechanism='HT-SHA-256-ENDP'/>",
        );
        round_trip::<IsrEnabled>(
            "<isr-enabled xmlns='https://xmpp.org/extensions/isr/0' token='a0b9' location='isr.example.org:5223'/>",
        );
        let r: InstResume = round_trip(
            "<inst-resume xmlns='https://xmpp.org/extensions/isr/0' with-isr-token='false'><resume xmlns='urn:xmpp:sm:3' h='3' previd='q1'/></inst-resume>",
        );
        assert!(!r.uses_token());
        assert!(InstResume::with_token("q1", 3).uses_token());
        round_trip::<InstResumed>(
            "<inst-resumed xmlns='https://xmpp.org/extensions/isr/0' token='b1'><resumed xmlns='urn:xmpp:sm:3' h='354' previd='q1'/></inst-resumed>",
        );
        round_trip::<InstResumeFailed>(
            "<inst-resume-failed xmlns='https://xmpp.org/extensions/isr/0'><failed xmlns='urn:xmpp:sm:3' h='2'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed></inst-resume-failed>",
        );
        let reg = xep_element::Registry::new().with(crate::ELEMENTS);
        for name in [
            "isr",
            "isr-enable",
            "isr-enabled",
            "inst-resume",
            "inst-resumed",
            "inst-resume-failed",
        ] {
            assert!(reg.lookup(NS, name).is_some(), "{name}");
        }
    }

    #[test]
    fn bad_input_is_refused_with_the_reason() {
        let e = Isr::from_xml(b"<isr xmlns='https://xmpp.org/extensions/isr/0'/>").unwrap_err();
        assert!(e.to_string().contains("mechanisms"), "{e}");
        let e = IsrEnabled::from_xml(
            b"<isr-enabled xmlns='https://xmpp.org/extensions/isr/0' token=''/>",
        )
        .unwrap_err();
        assert!(e.to_string().contains("empty ISR token"), "{e}");
        let e = InstResume::from_xml(b"<inst-resume xmlns='https://xmpp.org/extensions/isr/0'/>")
            .unwrap_err();
        assert!(e.to_string().contains("resume"), "{e}");
        let e = IsrEnable::from_xml(b"<isr-enable xmlns='https://xmpp.org/extensions/isr/0'/>")
            .unwrap_err();
        assert!(e.to_string().contains("mechanism"), "{e}");
    }
}
