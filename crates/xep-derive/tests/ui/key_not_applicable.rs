use xep_element::{Payload, XmlElement};

const NS: &str = "urn:example:ui";

#[derive(XmlElement)]
#[xml(ns = NS, name = "item")]
pub struct Item {
    #[xml(attr(min = 1))]
    pub a: String,
    #[xml(child(foreign))]
    pub b: Vec<Item>,
    #[xml(text_child(foreign))]
    pub c: String,
    #[xml(lang(name = "language"))]
    pub d: Option<String>,
    #[xml(children(name = "any"))]
    pub e: Vec<Payload>,
    #[xml(name = "f")]
    pub f: String,
}

fn main() {}
