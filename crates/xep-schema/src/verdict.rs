//! The verdict on one example against the XEPs' schemas.

/// An example against the XEPs' schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SchemaStatus {
    /// Every element with a schema is valid.
    Valid,
    /// An element is invalid against its schema.
    Invalid,
    /// Invalid only where the example elides content (`...`).
    Elided,
    /// The schema needed does not compile (with libxml2's message).
    SchemaError,
    /// The example is not XML.
    NotXml,
    /// No element of a namespace with a schema.
    NoSchema,
}

impl SchemaStatus {
    /// Every status, in report order.
    pub const ALL: [SchemaStatus; 6] = [
        SchemaStatus::Valid,
        SchemaStatus::Invalid,
        SchemaStatus::Elided,
        SchemaStatus::SchemaError,
        SchemaStatus::NotXml,
        SchemaStatus::NoSchema,
    ];

    /// The name used in the JSON output and the text report.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaStatus::Valid => "valid",
            SchemaStatus::Invalid => "invalid",
            SchemaStatus::Elided => "elided",
            SchemaStatus::SchemaError => "schema-error",
            SchemaStatus::NotXml => "not-xml",
            SchemaStatus::NoSchema => "no-schema",
        }
    }
}

impl std::fmt::Display for SchemaStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The schema verdict on one example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaVerdict {
    /// The verdict.
    pub status: SchemaStatus,
    /// libxml2's messages with their document lines, or why there is no
    /// verdict.
    pub detail: String,
    /// The document line of the first message, when invalid.
    pub line: Option<usize>,
    /// The verdict on the elements of implemented namespaces alone:
    /// `Some(true)` all valid, `Some(false)` one invalid, `None` none
    /// validated.
    pub implemented: Option<bool>,
    /// The schemas used: namespaces, prefixed by `XEP-NNNN` when the schema
    /// is another document's.
    pub schemas: Vec<String>,
    /// For a disagreement, the reasons recorded for it in
    /// `xsd/disagreements.txt` (empty: a new one, to triage).
    pub known: Vec<String>,
}
