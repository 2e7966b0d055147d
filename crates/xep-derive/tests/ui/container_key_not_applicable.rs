use xep_element::{Payload, XmlElement, XmlValue};

const NS: &str = "urn:example:ui";

fn check(_: &Choice) -> Result<(), xep_element::Error> {
    Ok(())
}

#[derive(XmlElement)]
#[xml(ns = NS, name = "choice", validate = check)]
pub enum Choice {
    #[xml(value = "a")]
    A,
    #[xml(other)]
    B,
    #[xml(name = "c")]
    C(Payload),
}

#[derive(XmlValue)]
#[xml(ns = NS)]
pub enum Value {
    #[xml(name = "a")]
    A,
}

fn main() {}
