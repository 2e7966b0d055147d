use xep_element::XmlElement;

const NS: &str = "urn:example:ui";

#[derive(XmlElement)]
#[xml(ns = NS, nme = "item")]
pub struct Container;

#[derive(XmlElement)]
#[xml(ns = NS, name = "item")]
pub struct Field {
    #[xml(atr)]
    pub a: String,
    #[xml(attr(nmae = "b"))]
    pub b: String,
}

fn main() {}
