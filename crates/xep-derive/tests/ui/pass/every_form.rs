//! Every attribute form the derives accept, in one compiling crate.

use xep_element::{Error, ForeignAttr, Payload, XmlElement, XmlValue};

pub const NS: &str = "urn:example:ui";
pub const OTHER_NS: &str = "urn:example:other";

#[derive(XmlValue, Debug, Clone, PartialEq)]
pub enum Colour {
    Red,
    #[xml(value = "deep-blue")]
    Blue,
    #[xml(other)]
    Other(String),
}

#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS, name = "item", validate = check)]
pub struct Item {
    #[xml(attr)]
    pub r#type: String,
    #[xml(attr(name = "colour", ns = OTHER_NS))]
    pub colour: Option<Colour>,
    #[xml(lang)]
    pub lang: Option<String>,
    #[xml(child)]
    pub inner: Option<Box<Item>>,
    #[xml(child(min = 1))]
    pub leaves: Vec<Leaf>,
    #[xml(text_child(name = "note"))]
    pub notes: Vec<String>,
    #[xml(flag(name = "urgent", ns = OTHER_NS))]
    pub urgent: bool,
    #[xml(children(foreign))]
    pub payloads: Vec<Payload>,
    #[xml(attrs)]
    pub other_attrs: Vec<ForeignAttr>,
}

fn check(_: &Item) -> Result<(), Error> {
    Ok(())
}

#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = content, name = "leaf")]
pub struct Leaf {
    #[xml(text)]
    pub text: Option<String>,
}

#[derive(XmlElement, Debug, Clone, PartialEq)]
#[xml(ns = NS)]
pub enum Choice {
    Empty,
    #[xml(name = "nothing-at-all")]
    Nothing,
    Leaf(Leaf),
    Item(Box<Item>),
    #[xml(other)]
    Other(Payload),
}

fn main() {
    let xml = "<item xmlns='urn:example:ui' type='t'><leaf xmlns='jabber:client'>x</leaf><urgent xmlns='urn:example:other'/></item>";
    let item = Item::from_xml(xml.as_bytes()).unwrap();
    assert!(item.urgent);
    assert_eq!(item.leaves.len(), 1);
    assert_eq!(Choice::from_xml(b"<nothing-at-all xmlns='urn:example:ui'/>").unwrap(), Choice::Nothing);
    assert_eq!(Colour::from_xml("deep-blue").unwrap(), Colour::Blue);
}
