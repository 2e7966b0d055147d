use xep_element::{Payload, XmlElement};

const NS: &str = "urn:example:ui";

#[derive(XmlElement)]
#[xml(ns = NS, name = 3, validate = "check")]
pub struct Item {
    #[xml(attr(name))]
    pub a: String,
    #[xml(child(min = "1"))]
    pub b: Vec<Item>,
    #[xml(children(foreign = true))]
    pub c: Vec<Payload>,
    #[xml(attr = "d")]
    pub d: String,
    #[xml(attr(ns = content))]
    pub e: String,
}

#[derive(XmlElement)]
#[xml]
pub struct Bare;

fn main() {}
