use xep_element::XmlElement;

const NS: &str = "urn:example:ui";

#[derive(XmlElement)]
#[xml(ns = NS, name = "item")]
pub struct Item {
    pub a: String,
    #[xml()]
    pub b: String,
}

fn main() {}
