use xep_element::{ForeignAttr, Payload, XmlElement};

const NS: &str = "urn:example:ui";

#[derive(XmlElement)]
#[xml(ns = NS, name = "leaf")]
pub struct Leaf;

#[derive(XmlElement)]
#[xml(ns = NS, name = "item")]
pub struct Item {
    #[xml(flag(name = "a"))]
    pub a: Option<bool>,
    #[xml(attr)]
    pub b: Vec<String>,
    #[xml(text)]
    pub c: Vec<String>,
    #[xml(children)]
    pub d: Option<Payload>,
    #[xml(attrs)]
    pub e: ForeignAttr,
    #[xml(child(min = 1))]
    pub f: Option<Leaf>,
    #[xml(attr)]
    pub g: Box<String>,
}

fn main() {}
