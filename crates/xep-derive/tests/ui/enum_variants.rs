use xep_element::{Payload, XmlElement};

const NS: &str = "urn:example:ui";

#[derive(XmlElement)]
#[xml(ns = NS, name = "leaf")]
pub struct Leaf;

#[derive(XmlElement)]
#[xml(ns = NS)]
pub enum Choice {
    BadRequest,
    #[xml(name = "bad-request")]
    AlsoBad,
    Maybe(Option<Leaf>),
    Two(Leaf, Leaf),
    Named { leaf: Leaf },
    #[xml(other)]
    First(Payload),
    #[xml(other)]
    Second(Payload),
}

#[derive(XmlElement)]
#[xml(ns = NS)]
pub enum OnlyElements {
    Leaf(Leaf),
}

fn main() {}
