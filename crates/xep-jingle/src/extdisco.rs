//! XEP-0215 External Service Discovery (`urn:xmpp:extdisco:2`).

use xep_element::{DateTime82, XmlElement, XmlValue, XsdBool};
use xep_forms::DataForm;

/// `urn:xmpp:extdisco:2`.
pub const NS: &str = "urn:xmpp:extdisco:2";

/// What a pushed service entry does.
#[derive(XmlValue, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServiceAction {
    /// A new service (the default).
    #[default]
    Add,
    /// The service is gone.
    Delete,
    /// The service changed.
    Modify,
}

/// `<services/>`: a request for services (of one type) or the list.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "services")]
pub struct Services {
    /// Only services of this type (`stun`, `turn`, ...).
    #[xml(attr(name = "type"))]
    pub type_: Option<String>,
    /// The services.
    #[xml(child)]
    pub services: Vec<Service>,
}

/// `<credentials/>`: a request for (or the answer with) credentials of a
/// service.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "credentials")]
pub struct Credentials {
    /// The services.
    #[xml(child)]
    pub services: Vec<Service>,
}

/// `<service/>`: one external service.
#[derive(XmlElement, Debug, Clone, PartialEq, Default)]
#[xml(ns = NS, name = "service")]
pub struct Service {
    /// The change (on pushes; default `add`).
    #[xml(attr)]
    pub action: Option<ServiceAction>,
    /// When the credentials expire.
    #[xml(attr)]
    pub expires: Option<DateTime82>,
    /// The host name or address.
    #[xml(attr)]
    pub host: String,
    /// A friendly name.
    #[xml(attr)]
    pub name: Option<String>,
    /// The password.
    #[xml(attr)]
    pub password: Option<String>,
    /// The port.
    #[xml(attr)]
    pub port: Option<u16>,
    /// Credentials must be requested separately.
    #[xml(attr)]
    pub restricted: Option<XsdBool>,
    /// The underlying transport (`tcp`, `udp`).
    #[xml(attr)]
    pub transport: Option<String>,
    /// The service type (`stun`, `turn`, `turns`, `ftp`, ...).
    #[xml(attr(name = "type"))]
    pub type_: String,
    /// The user name.
    #[xml(attr)]
    pub username: Option<String>,
    /// Extended information (a XEP-0128 data form).
    #[xml(child)]
    pub form: Option<DataForm>,
}
