use xep_element::XmlValue;

#[derive(XmlValue)]
pub enum Value {
    Red,
    #[xml(value = "red")]
    AlsoRed,
    Tuple(u32),
    #[xml(other, value = "x")]
    Other(String),
    #[xml(other)]
    Unit,
}

#[derive(XmlValue)]
pub struct NotAnEnum;

fn main() {}
