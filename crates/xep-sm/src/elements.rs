//! The elements of XEP-0198 (namespace `urn:xmpp:sm:3`).

use std::borrow::Cow;
use std::num::NonZeroU64;
use std::time::Duration;

use xep_core::ErrorText;
use xep_core::{DefinedCondition, StreamCondition, StreamError};
use xep_element::{Error, Payload, XmlElement, XmlValue, XsdBool};

/// `urn:xmpp:sm:3`, the namespace of every element of this crate.
pub const NS: &str = "urn:xmpp:sm:3";

/// `urn:xmpp:sm:2`, the namespace of versions 0.8 to 1.1 of XEP-0198.
///
/// It is **not** accepted by the types of this crate: its elements have the
/// same names, but the meaning of `h` changed inside that namespace (before
/// version 1.1 the count did not start at zero), and it carried a `stanzas`
/// attribute for acking by window that version 1.2 removed. A peer that
/// offers both namespaces is talked to in `urn:xmpp:sm:3`; a peer that only
/// offers `urn:xmpp:sm:2` is treated as not supporting stream management
/// (its `<sm/>` feature stays an untyped payload of the stream features).
pub const NS_LEGACY: &str = "urn:xmpp:sm:2";

/// A number of seconds greater than zero: the `max` attribute
/// (`xs:positiveInteger`) of `<enable/>` and `<enabled/>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Seconds(NonZeroU64);

impl Seconds {
    /// `secs` seconds, or `None` for zero (not a positive integer).
    pub const fn new(secs: u64) -> Option<Self> {
        match NonZeroU64::new(secs) {
            Some(n) => Some(Seconds(n)),
            None => None,
        }
    }

    /// The whole seconds of `d`, rounded up, at least one.
    pub fn from_duration(d: Duration) -> Self {
        let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
        Seconds(NonZeroU64::new(secs.max(1)).expect("at least one"))
    }

    /// The number of seconds.
    pub const fn get(self) -> u64 {
        self.0.get()
    }

    /// As a [`Duration`].
    pub const fn as_duration(self) -> Duration {
        Duration::from_secs(self.0.get())
    }
}

impl XmlValue for Seconds {
    const XSD_TYPE: &'static str = "xs:positiveInteger";
    fn from_xml(s: &str) -> Result<Self, String> {
        let n = <u64 as XmlValue>::from_xml(s).map_err(|_| {
            "not a valid xs:positiveInteger (or larger than 2^64-1 seconds)".to_string()
        })?;
        Seconds::new(n).ok_or_else(|| "not a valid xs:positiveInteger (zero)".to_string())
    }
    fn to_xml(&self) -> Cow<'_, str> {
        Cow::Owned(self.get().to_string())
    }
}

/// `<sm/>`, the stream feature (XEP-0198 §2).
///
/// The current schema defines the feature as empty; versions before 1.6.3
/// showed an `<optional/>` or `<required/>` child, which servers still send,
/// so both are accepted and kept (in this namespace).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "sm", validate = Feature::check)]
pub struct Feature {
    /// `<optional/>`: the server lets the client go on without it.
    #[xml(flag(name = "optional"))]
    pub optional: bool,
    /// `<required/>`: the server expects the client to enable it.
    #[xml(flag(name = "required"))]
    pub required: bool,
}

impl Feature {
    fn check(f: &Feature) -> Result<(), Error> {
        if f.optional && f.required {
            return Err(Error::invalid(
                "a feature cannot be both <optional/> and <required/>",
            ));
        }
        Ok(())
    }
}

/// `<enable/>`: the client asks to enable stream management (§3).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "enable")]
pub struct Enable {
    /// The client's preferred maximum resumption time.
    #[xml(attr)]
    pub max: Option<Seconds>,
    /// Whether the client wants the stream to be resumable (default false).
    #[xml(attr)]
    pub resume: Option<XsdBool>,
    /// Children of other namespaces (XEP-0397's `<isr-enable/>`; XEP-0198's
    /// schema has no extension point here, XEP-0397 adds one).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Enable {
    /// `<enable/>`, asking for resumption when `resume`.
    pub fn new(resume: bool, max: Option<Seconds>) -> Self {
        Enable {
            max,
            resume: resume.then_some(XsdBool::new(true)),
            extensions: Vec::new(),
        }
    }

    /// XEP-0397's `<isr-enable/>`, if asked for.
    pub fn isr(&self) -> Option<crate::isr::IsrEnable> {
        self.extensions
            .iter()
            .find_map(|p| p.get().and_then(Result::ok))
    }

    /// Whether resumption is asked for (the default is false).
    pub fn wants_resume(&self) -> bool {
        self.resume.is_some_and(|b| b.value)
    }
}

/// `<enabled/>`: the server enabled stream management (§3, §4).
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "enabled", validate = Enabled::check)]
pub struct Enabled {
    /// The SM-ID, opaque to the client; required when `resume` is true.
    #[xml(attr)]
    pub id: Option<String>,
    /// Where to reconnect for resumption (`host`, `host:port`,
    /// `[ipv6]:port`).
    #[xml(attr)]
    pub location: Option<String>,
    /// The server's maximum resumption time.
    #[xml(attr)]
    pub max: Option<Seconds>,
    /// Whether the stream can be resumed (default false).
    #[xml(attr)]
    pub resume: Option<XsdBool>,
    /// Children of other namespaces (XEP-0397's `<isr-enabled/>`).
    #[xml(children(foreign))]
    pub extensions: Vec<Payload>,
}

impl Enabled {
    /// XEP-0397's `<isr-enabled/>`, if given.
    pub fn isr(&self) -> Option<crate::isr::IsrEnabled> {
        self.extensions
            .iter()
            .find_map(|p| p.get().and_then(Result::ok))
    }

    fn check(e: &Enabled) -> Result<(), Error> {
        if e.allows_resume() && e.id.is_none() {
            return Err(Error::invalid(
                "resume='true' needs an 'id' attribute: a resumable stream needs an SM-ID (XEP-0198 §4)",
            ));
        }
        Ok(())
    }

    /// Whether the server allows resumption.
    pub fn allows_resume(&self) -> bool {
        self.resume.is_some_and(|b| b.value)
    }
}

/// `<r/>`: a request for an acknowledgement (§4).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "r")]
pub struct Request;

/// `<a h='…'/>`: an acknowledgement (§4).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "a")]
pub struct Ack {
    /// The number of stanzas handled, modulo 2^32.
    #[xml(attr)]
    pub h: u32,
}

/// `<resume h='…' previd='…'/>`: the client asks to resume a stream (§5).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "resume")]
pub struct Resume {
    /// The stanzas the client handled on the former stream, modulo 2^32.
    #[xml(attr)]
    pub h: u32,
    /// The SM-ID of the former stream.
    #[xml(attr)]
    pub previd: String,
}

/// `<resumed h='…' previd='…'/>`: the server resumed the stream (§5).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "resumed")]
pub struct Resumed {
    /// The stanzas the server handled on the former stream, modulo 2^32.
    #[xml(attr)]
    pub h: u32,
    /// The SM-ID of the former stream.
    #[xml(attr)]
    pub previd: String,
}

/// `<failed/>`: enabling or resuming failed (§3, §5, §6).
///
/// The child is one of the stanza error conditions of RFC 6120, optionally
/// followed by a `<text/>` (the schema's `stanzaErrorGroup`).
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "failed", validate = Failed::check)]
pub struct Failed {
    /// On a failed resumption of a timed-out stream: the stanzas the server
    /// handled before the time-out.
    #[xml(attr)]
    pub h: Option<u32>,
    /// The stanza error condition.
    #[xml(child)]
    pub condition: Option<DefinedCondition>,
    /// A description of the error.
    #[xml(child)]
    pub text: Option<ErrorText>,
}

impl Failed {
    fn check(f: &Failed) -> Result<(), Error> {
        if f.text.is_some() && f.condition.is_none() {
            return Err(Error::invalid(
                "a <text/> needs a stanza error condition before it",
            ));
        }
        Ok(())
    }

    /// `<failed/>` with `condition` and no `h`.
    pub fn new(condition: DefinedCondition) -> Self {
        Failed {
            h: None,
            condition: Some(condition),
            text: None,
        }
    }
}

/// `<handled-count-too-high/>`: the application condition of the stream
/// error sent when the peer acknowledges more stanzas than it was sent (§6).
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "handled-count-too-high")]
pub struct HandledCountTooHigh {
    /// The `h` the peer sent.
    #[xml(attr)]
    pub h: Option<u32>,
    /// The number of stanzas sent to the peer, modulo 2^32.
    #[xml(attr)]
    pub send_count: Option<u32>,
}

impl HandledCountTooHigh {
    /// The stream error of XEP-0198 §6: `<undefined-condition/>` with this
    /// element and an English description.
    pub fn stream_error(h: u32, send_count: u32) -> StreamError {
        let mut e = StreamError::new(
            StreamCondition::UndefinedCondition,
            Some(&format!(
                "You acknowledged {h} stanzas, but only {send_count} were sent to you."
            )),
        );
        e.app.push(Payload::new(HandledCountTooHigh {
            h: Some(h),
            send_count: Some(send_count),
        }));
        e
    }
}

/// Any top-level element of stream management (not the feature, not the
/// stream error condition): what a stream carries besides stanzas.
#[derive(XmlElement, Debug, Clone, PartialEq)]
pub enum SmElement {
    /// `<enable/>`.
    Enable(Enable),
    /// `<enabled/>`.
    Enabled(Enabled),
    /// `<r/>`.
    Request(Request),
    /// `<a/>`.
    Ack(Ack),
    /// `<resume/>`.
    Resume(Resume),
    /// `<resumed/>`.
    Resumed(Resumed),
    /// `<failed/>`.
    Failed(Failed),
}

macro_rules! from_variant {
    ($($t:ident),*) => {$(
        impl From<$t> for SmElement {
            fn from(v: $t) -> Self {
                SmElement::$t(v)
            }
        }
    )*};
}

from_variant!(Enable, Enabled, Request, Ack, Resume, Resumed, Failed);

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: XmlElement + PartialEq + std::fmt::Debug>(xml: &str) -> T {
        let v = T::from_xml(xml.as_bytes()).unwrap();
        let back = v.to_xml();
        assert_eq!(T::from_xml(back.as_bytes()).unwrap(), v, "{back}");
        v
    }

    #[test]
    fn every_element_parses_and_round_trips() {
        let f: Feature = round_trip("<sm xmlns='urn:xmpp:sm:3'/>");
        assert_eq!(f, Feature::default());
        let f: Feature = round_trip("<sm xmlns='urn:xmpp:sm:3'><required/></sm>");
        assert!(f.required && !f.optional);
        assert_eq!(f.to_xml(), "<sm xmlns='urn:xmpp:sm:3'><required/></sm>");

        let e: Enable = round_trip("<enable xmlns='urn:xmpp:sm:3' resume='1' max='600'/>");
        assert!(e.wants_resume());
        assert_eq!(e.max, Seconds::new(600));
        assert_eq!(
            e.to_xml(),
            "<enable xmlns='urn:xmpp:sm:3' max='600' resume='1'/>"
        );
        assert!(!Enable::default().wants_resume());
        assert!(
            !Enable::from_xml(b"<enable xmlns='urn:xmpp:sm:3' resume='false'/>")
                .unwrap()
                .wants_resume()
        );

        let e: Enabled = round_trip(
            "<enabled xmlns='urn:xmpp:sm:3' id='a-b' location='[::1]:5222' max='30' resume='true'/>",
        );
        assert!(e.allows_resume());
        assert_eq!(e.location.as_deref(), Some("[::1]:5222"));

        let _: Request = round_trip("<r xmlns='urn:xmpp:sm:3'/>");
        let a: Ack = round_trip("<a xmlns='urn:xmpp:sm:3' h='4294967295'/>");
        assert_eq!(a.h, u32::MAX);
        let r: Resume = round_trip("<resume xmlns='urn:xmpp:sm:3' h='0' previd='x'/>");
        assert_eq!((r.h, r.previd.as_str()), (0, "x"));
        let r: Resumed = round_trip("<resumed xmlns='urn:xmpp:sm:3' h='7' previd='x'/>");
        assert_eq!(r.h, 7);

        let f: Failed = round_trip(
            "<failed xmlns='urn:xmpp:sm:3' h='3'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
             <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>gone</text></failed>",
        );
        assert_eq!(f.h, Some(3));
        assert_eq!(f.condition, Some(DefinedCondition::ItemNotFound));
        assert_eq!(f.text.as_ref().unwrap().text, "gone");
        let f: Failed = round_trip("<failed xmlns='urn:xmpp:sm:3'/>");
        assert_eq!(f, Failed::default());

        let h: HandledCountTooHigh =
            round_trip("<handled-count-too-high xmlns='urn:xmpp:sm:3' h='10' send-count='8'/>");
        assert_eq!((h.h, h.send_count), (Some(10), Some(8)));
    }

    #[test]
    fn the_enum_dispatches_by_name() {
        let e = SmElement::from_xml(b"<a xmlns='urn:xmpp:sm:3' h='2'/>").unwrap();
        assert_eq!(e, SmElement::Ack(Ack { h: 2 }));
        let e = SmElement::from_xml(b"<resumed xmlns='urn:xmpp:sm:3' h='2' previd='p'/>").unwrap();
        assert!(matches!(e, SmElement::Resumed(_)));
        assert_eq!(
            SmElement::from(Request).to_xml(),
            "<r xmlns='urn:xmpp:sm:3'/>"
        );
        // The feature and the legacy namespace are not stream-level elements here.
        assert!(SmElement::from_xml(b"<sm xmlns='urn:xmpp:sm:3'/>").is_err());
        assert!(SmElement::from_xml(b"<a xmlns='urn:xmpp:sm:2' h='2'/>").is_err());
    }

    #[test]
    fn bad_input_is_rejected_with_path_and_reason() {
        let cases: &[(&str, &str)] = &[
            (
                "<a xmlns='urn:xmpp:sm:3'/>",
                "at a: missing required attribute 'h'",
            ),
            (
                "<a xmlns='urn:xmpp:sm:3' h='4294967296'/>",
                "at a: attribute 'h' has bad value",
            ),
            (
                "<a xmlns='urn:xmpp:sm:3' h='-1'/>",
                "at a: attribute 'h' has bad value",
            ),
            ("<a xmlns='urn:xmpp:sm:3' h='1'>x</a>", "at a:"),
            (
                "<r xmlns='urn:xmpp:sm:3' h='1'/>",
                "at r: attribute 'h' is not defined",
            ),
            (
                "<enable xmlns='urn:xmpp:sm:3' max='0'/>",
                "not a valid xs:positiveInteger (zero)",
            ),
            (
                "<enable xmlns='urn:xmpp:sm:3' resume='yes'/>",
                "at enable: attribute 'resume' has bad value",
            ),
            (
                "<enabled xmlns='urn:xmpp:sm:3' resume='true'/>",
                "needs an SM-ID",
            ),
            (
                "<resume xmlns='urn:xmpp:sm:3' h='1'/>",
                "at resume: missing required attribute 'previd'",
            ),
            (
                "<resumed xmlns='urn:xmpp:sm:3' previd='x'/>",
                "at resumed: missing required attribute 'h'",
            ),
            (
                "<resume xmlns='urn:xmpp:sm:3' h='some-sequence-number' previd='x'/>",
                "attribute 'h' has bad value",
            ),
            (
                "<failed xmlns='urn:xmpp:sm:3'><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>x</text></failed>",
                "at failed: ",
            ),
            (
                "<failed xmlns='urn:xmpp:sm:3'><bogus xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>",
                "at failed",
            ),
            (
                "<sm xmlns='urn:xmpp:sm:3'><optional/><required/></sm>",
                "both",
            ),
            ("<sm xmlns='urn:xmpp:sm:3'><other/></sm>", "at sm:"),
        ];
        for (xml, expected) in cases {
            let err = if xml.starts_with("<sm ") {
                Feature::from_xml(xml.as_bytes()).err()
            } else {
                SmElement::from_xml(xml.as_bytes()).err()
            }
            .unwrap_or_else(|| panic!("{xml} was accepted"));
            let msg = err.to_string();
            assert!(msg.contains(expected), "{xml}: {msg}");
        }
        // A text needs a condition (the schema's sequence).
        let err = Failed::from_xml(
            b"<failed xmlns='urn:xmpp:sm:3'><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>x</text></failed>",
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("needs a stanza error condition"),
            "{err}"
        );
    }

    #[test]
    fn seconds() {
        assert_eq!(Seconds::new(0), None);
        assert_eq!(Seconds::from_duration(Duration::from_millis(1)).get(), 1);
        assert_eq!(Seconds::from_duration(Duration::from_millis(1500)).get(), 2);
        assert_eq!(Seconds::from_duration(Duration::ZERO).get(), 1);
        assert_eq!(
            Seconds::new(5).unwrap().as_duration(),
            Duration::from_secs(5)
        );
        assert_eq!(Seconds::from_xml(" +7 ").unwrap().get(), 7);
        assert!(Seconds::from_xml("-1").is_err());
    }

    #[test]
    fn stream_error_of_section_6() {
        let e = HandledCountTooHigh::stream_error(10, 8);
        assert_eq!(e.condition, StreamCondition::UndefinedCondition);
        assert_eq!(
            e.app[0].downcast_ref::<HandledCountTooHigh>(),
            Some(&HandledCountTooHigh {
                h: Some(10),
                send_count: Some(8)
            })
        );
        let xml = e.to_xml();
        assert!(
            xml.contains("<handled-count-too-high xmlns='urn:xmpp:sm:3' h='10' send-count='8'/>"),
            "{xml}"
        );
        let back = StreamError::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(
            back.app[0].get::<HandledCountTooHigh>().unwrap().unwrap().h,
            Some(10)
        );
    }
}
