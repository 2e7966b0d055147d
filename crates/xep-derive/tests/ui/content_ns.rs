use xep_element::{ContentNs, XmlElement};

const NS: &str = "urn:example:ui";

// `content_ns` keeps the namespace of a content-namespace element only.
#[derive(XmlElement)]
#[xml(ns = NS, name = "item")]
pub struct Fixed {
    #[xml(content_ns)]
    pub ns: ContentNs,
}

#[derive(XmlElement)]
#[xml(ns = content, name = "note")]
pub struct Twice {
    #[xml(content_ns)]
    pub ns: ContentNs,
    #[xml(content_ns)]
    pub again: ContentNs,
    #[xml(content_ns)]
    pub many: Vec<ContentNs>,
}

fn main() {}
