use xep_element::XmlElement;

const NS: &str = "urn:example:ui";

#[derive(XmlElement)]
#[xml(ns = NS, name = "item", ns = NS)]
pub struct Item {
    #[xml(attr(name = "a", name = "b"))]
    pub a: String,
}

fn main() {}
