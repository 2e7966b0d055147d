use xep_element::XmlElement;

const NS: &str = "urn:example:ui";

#[derive(XmlElement)]
pub struct Bare;

#[derive(XmlElement)]
#[xml(ns = NS)]
pub struct NoName;

#[derive(XmlElement)]
pub enum Choice {
    A,
    B,
}

fn main() {}
