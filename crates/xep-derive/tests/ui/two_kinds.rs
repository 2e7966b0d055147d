use xep_element::XmlElement;

const NS: &str = "urn:example:ui";

#[derive(XmlElement)]
#[xml(ns = NS, name = "item")]
pub struct Item {
    #[xml(attr, child)]
    pub a: String,
    #[xml(text, text_child(name = "b"))]
    pub b: String,
}

fn main() {}
