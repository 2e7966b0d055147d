//! XEP-0352 Client State Indication: the server's `<csi/>` stream feature
//! (after authentication) and the client's `<active/>` and `<inactive/>`
//! nonzas, which the server never answers.
//!
//! [`Indicator`] is the client's side: it knows whether the server
//! offered the feature ([`Indicator::from_features`]) and the state the
//! server holds (every stream begins active, §3.2), and gives the nonza
//! to send only when the feature was offered and the state changes.
//! [`State`] is what a server keeps per stream.
//!
//! ```
//! use xep_core::Features;
//! use xep_csi::{Indicator, State};
//! use xep_element::XmlElement;
//!
//! let features = Features::from_xml(
//!     b"<stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
//!       <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><csi xmlns='urn:xmpp:csi:0'/></stream:features>",
//! ).unwrap();
//! let mut csi = Indicator::from_features(&features);
//! assert_eq!(csi.set(State::Active), None); // streams begin active
//! let nonza = csi.set(State::Inactive).unwrap();
//! assert_eq!(State::of(&nonza), Some(State::Inactive));
//! assert_eq!(nonza.to_element().name(), "inactive");
//! assert_eq!(csi.set(State::Inactive), None); // no change, nothing to send
//! ```

#![warn(missing_docs)]

use xep_core::Features;
use xep_element::{Payload, XmlElement};

/// `urn:xmpp:csi:0`.
pub const NS: &str = "urn:xmpp:csi:0";

/// `<csi/>`: the stream feature.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "csi")]
pub struct Csi;

/// `<active/>`: the user interacts with the client again.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "active")]
pub struct Active;

/// `<inactive/>`: the user does not interact with the client.
#[derive(XmlElement, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[xml(ns = NS, name = "inactive")]
pub struct Inactive;

/// A client's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum State {
    /// Active: what every stream begins in.
    #[default]
    Active,
    /// Inactive.
    Inactive,
}

impl State {
    /// The nonza that indicates this state.
    pub fn nonza(self) -> Payload {
        match self {
            State::Active => Payload::new(Active),
            State::Inactive => Payload::new(Inactive),
        }
    }

    /// The state a nonza indicates (`None` for other elements): what a
    /// server reads from its stream.
    pub fn of(element: &Payload) -> Option<State> {
        if element.get::<Active>().is_some_and(|r| r.is_ok()) {
            Some(State::Active)
        } else if element.get::<Inactive>().is_some_and(|r| r.is_ok()) {
            Some(State::Inactive)
        } else {
            None
        }
    }
}

/// The client's side of a stream (see the crate docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Indicator {
    offered: bool,
    indicated: State,
}

impl Indicator {
    /// For a stream whose post-authentication features are `features`.
    pub fn from_features(features: &Features) -> Indicator {
        Indicator {
            offered: features.get::<Csi>().is_some_and(|r| r.is_ok()),
            indicated: State::Active,
        }
    }

    /// Whether the server offered CSI.
    pub fn offered(&self) -> bool {
        self.offered
    }

    /// The state the server was last told (active until told otherwise).
    pub fn indicated(&self) -> State {
        self.indicated
    }

    /// The user's state is now `state`: the nonza to send, if the server
    /// offered CSI and this changes what it knows.
    pub fn set(&mut self, state: State) -> Option<Payload> {
        if !self.offered || state == self.indicated {
            return None;
        }
        self.indicated = state;
        Some(state.nonza())
    }

    /// A new stream (not a resumed one) begins active: forget what was
    /// indicated on the previous one, and take its features.
    pub fn new_stream(&mut self, features: &Features) {
        *self = Indicator::from_features(features);
    }
}

xep_element::elements! {
    "XEP-0352" => [Csi, Active, Inactive],
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(xml: &str) -> Features {
        Features::from_xml(
            format!("<stream:features xmlns:stream='http://etherx.jabber.org/streams'>{xml}</stream:features>")
                .as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn nothing_is_sent_unless_offered() {
        let mut csi = Indicator::from_features(&features(
            "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>",
        ));
        assert!(!csi.offered());
        assert_eq!(csi.set(State::Inactive), None);
        assert_eq!(csi.indicated(), State::Active);
    }

    #[test]
    fn only_changes_are_sent() {
        let mut csi = Indicator::from_features(&features("<csi xmlns='urn:xmpp:csi:0'/>"));
        assert_eq!(csi.set(State::Active), None);
        let n = csi.set(State::Inactive).unwrap();
        assert_eq!(State::of(&n), Some(State::Inactive));
        assert_eq!(csi.set(State::Inactive), None);
        let n = csi.set(State::Active).unwrap();
        assert_eq!(n.to_element().name(), "active");
        // A new stream begins active again.
        csi.set(State::Inactive).unwrap();
        csi.new_stream(&features("<csi xmlns='urn:xmpp:csi:0'/>"));
        assert_eq!(csi.indicated(), State::Active);
        assert!(csi.set(State::Inactive).is_some());
    }

    #[test]
    fn a_server_reads_the_nonzas() {
        let active = Payload::new(Active);
        assert_eq!(State::of(&active), Some(State::Active));
        assert_eq!(State::of(&Payload::new(Csi)), None);
        assert!(Inactive::from_xml(b"<inactive xmlns='urn:xmpp:csi:0'><x/></inactive>").is_err());
    }
}
