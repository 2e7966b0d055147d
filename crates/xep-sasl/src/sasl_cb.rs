//! XEP-0440 SASL Channel-Binding Type Capability: the stream feature in
//! which a server lists the channel-binding types it supports.

use xep_element::XmlElement;

/// `urn:xmpp:sasl-cb:0`.
pub const NS_SASL_CB: &str = "urn:xmpp:sasl-cb:0";

/// `<sasl-channel-binding/>`: the stream feature, next to SASL1's
/// `<mechanisms/>` or SASL2's `<authentication/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SASL_CB, name = "sasl-channel-binding")]
pub struct SaslChannelBinding {
    /// The types, one `<channel-binding/>` each (XEP-0440 §2: one or
    /// more).
    #[xml(child(min = 1))]
    pub channel_bindings: Vec<AdvertisedChannelBinding>,
}

/// `<channel-binding type='...'/>`: one supported type.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_SASL_CB, name = "channel-binding")]
pub struct AdvertisedChannelBinding {
    /// The IANA channel-binding unique prefix (`tls-exporter`,
    /// `tls-server-end-point`, `tls-unique`, or one this crate does not
    /// know, kept as sent).
    #[xml(attr(name = "type"))]
    pub kind: String,
}

impl SaslChannelBinding {
    /// The feature listing `types`.
    pub fn new<S: Into<String>>(types: impl IntoIterator<Item = S>) -> Self {
        SaslChannelBinding {
            channel_bindings: types
                .into_iter()
                .map(|t| AdvertisedChannelBinding { kind: t.into() })
                .collect(),
        }
    }

    /// The type names, as sent (what [`Offer::channel_bindings`](crate::Offer)
    /// and XEP-0474's hash take).
    pub fn types(&self) -> Vec<String> {
        self.channel_bindings
            .iter()
            .map(|c| c.kind.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let f = SaslChannelBinding::new(["tls-server-end-point", "tls-exporter"]);
        let xml = f.to_xml();
        assert_eq!(
            xml,
            "<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'>\
             <channel-binding type='tls-server-end-point'/>\
             <channel-binding type='tls-exporter'/></sasl-channel-binding>"
        );
        assert_eq!(SaslChannelBinding::from_xml(xml.as_bytes()).unwrap(), f);
        assert_eq!(f.types(), ["tls-server-end-point", "tls-exporter"]);
        let e = SaslChannelBinding::from_xml(
            b"<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'><channel-binding/></sasl-channel-binding>",
        )
        .unwrap_err();
        assert!(e.to_string().contains("type"), "{e}");
        assert!(
            SaslChannelBinding::from_xml(b"<sasl-channel-binding xmlns='urn:xmpp:sasl-cb:0'/>")
                .is_err()
        );
    }
}
