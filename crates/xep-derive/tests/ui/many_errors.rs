// Every mistake in one declaration is reported by one compilation.
use xep_element::XmlElement;

const NS: &str = "urn:example:ui";

#[derive(XmlElement)]
#[xml(ns = NS, name = "leaf")]
pub struct Leaf;

#[derive(XmlElement)]
#[xml(nme = "item")]
pub struct Item {
    #[xml(attr(min = 1))]
    pub a: Vec<String>,
    #[xml(child(foreign))]
    #[xml(child)]
    pub b: Option<Leaf>,
    #[xml(flag)]
    pub c: String,
    pub d: String,
}

fn main() {}
