use xep_element::XmlElement;

const NS: &str = "urn:example:ui";

#[derive(XmlElement)]
#[xml(ns = NS)]
#[xml(name = "item")]
pub struct Item {
    #[xml(attr)]
    #[xml(attr(name = "b"))]
    pub a: String,
}

#[derive(XmlElement)]
#[xml(ns = NS)]
pub enum Choice {
    #[xml(name = "a")]
    #[xml(name = "b")]
    A,
}

fn main() {}
