//! Base64 data that keeps its line wrapping.

use std::borrow::Cow;

use base64::Engine;
use xep_element::XmlValue;

/// Base64 data (RFC 4648 §4) as vCards and avatars carry it: whitespace
/// inside is ignored on reading (XEP-0153 §4.5: lines of 76 characters
/// are common), and the text is written back as it was read, wrapping
/// included, so that a round trip is lossless. Built from bytes, it is
/// written on one line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Binval {
    data: Vec<u8>,
    /// The text as read, when it differs from the one-line encoding.
    text: Option<String>,
}

impl Binval {
    /// The data `data`, written on one line.
    pub fn new(data: impl Into<Vec<u8>>) -> Binval {
        Binval {
            data: data.into(),
            text: None,
        }
    }

    /// The decoded bytes.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The decoded bytes, taken.
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }

    /// Whether there is no data (an empty BINVAL: no image, XEP-0153 §4.3).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

fn encode(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

impl XmlValue for Binval {
    const XSD_TYPE: &'static str = "xs:base64Binary";
    fn from_xml(s: &str) -> Result<Self, String> {
        let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let data = base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|e| format!("not valid base64 ({e})"))?;
        let text = (encode(&data) != s).then(|| s.to_string());
        Ok(Binval { data, text })
    }
    fn to_xml(&self) -> Cow<'_, str> {
        match &self.text {
            Some(t) => Cow::Borrowed(t),
            None => Cow::Owned(encode(&self.data)),
        }
    }
}
