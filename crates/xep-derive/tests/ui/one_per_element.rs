use xep_element::{Payload, XmlElement};

const NS: &str = "urn:example:ui";

#[derive(XmlElement)]
#[xml(ns = NS, name = "item")]
pub struct Item {
    #[xml(text)]
    pub a: String,
    #[xml(text)]
    pub b: String,
    #[xml(children)]
    pub c: Vec<Payload>,
    #[xml(children(foreign))]
    pub d: Vec<Payload>,
    #[xml(attr(name = "e"))]
    pub e: String,
    #[xml(attr(name = "e"))]
    pub e_again: Option<String>,
    #[xml(lang)]
    pub lang: Option<String>,
    #[xml(lang)]
    pub lang_again: Option<String>,
    #[xml(text_child)]
    pub note: String,
    #[xml(flag(name = "note"))]
    pub note_flag: bool,
}

fn main() {}
