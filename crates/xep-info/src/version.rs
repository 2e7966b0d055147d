//! XEP-0092 software version and XEP-0232 software information.

use xep_core::Iq;
use xep_disco::DiscoInfo;
use xep_element::jid::Jid;
use xep_element::{Error, Payload, XmlElement};
use xep_forms::{DataForm, Field, FormType, FormView, Media};

use crate::{ReplyError, result_payload};

/// `jabber:iq:version` (XEP-0092).
pub const NS_VERSION: &str = "jabber:iq:version";

/// `<query xmlns='jabber:iq:version'/>`: empty in the request; in the
/// result the software's `<name/>` and `<version/>` (both required) and
/// optionally its `<os/>`.
#[derive(XmlElement, Debug, Clone, PartialEq, Eq, Default)]
#[xml(ns = NS_VERSION, name = "query", validate = VersionQuery::check)]
pub struct VersionQuery {
    /// The natural-language name of the software.
    #[xml(text_child(name = "name"))]
    pub name: Option<String>,
    /// Its specific version.
    #[xml(text_child(name = "version"))]
    pub version: Option<String>,
    /// The operating system it runs on.
    #[xml(text_child(name = "os"))]
    pub os: Option<String>,
}

impl VersionQuery {
    fn check(q: &VersionQuery) -> Result<(), Error> {
        // The schema's sequence: nothing, or name and version (and os).
        match (&q.name, &q.version, &q.os) {
            (Some(_), None, _) => Err(Error::missing_child("version")),
            (None, Some(_), _) | (None, None, Some(_)) => Err(Error::missing_child("name")),
            _ => Ok(()),
        }
    }

    /// The software version a result carries (`None` for an empty query).
    pub fn software(&self) -> Option<SoftwareVersion> {
        Some(SoftwareVersion {
            name: self.name.clone()?,
            version: self.version.clone()?,
            os: self.os.clone(),
        })
    }
}

/// What a software version result says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoftwareVersion {
    /// The software's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The operating system, if shared (§4: the user must be able to stop
    /// sharing it).
    pub os: Option<String>,
}

impl From<&SoftwareVersion> for VersionQuery {
    fn from(v: &SoftwareVersion) -> Self {
        VersionQuery {
            name: Some(v.name.clone()),
            version: Some(v.version.clone()),
            os: v.os.clone(),
        }
    }
}

/// The request for the software version of `to`. §1: not for entities
/// whose presence the user receives (XEP-0115 tells those), unless the
/// user asks.
pub fn version_request(id: impl Into<String>, to: Jid) -> Iq {
    Iq::get(id, Some(to), Payload::new(VersionQuery::default()))
}

/// The answer to a version `request`, with the operating system only when
/// `share_os` (§4: an application must let its user or administrator turn
/// that off).
pub fn version_answer(request: &Iq, software: &SoftwareVersion, share_os: bool) -> Iq {
    let mut q = VersionQuery::from(software);
    if !share_os {
        q.os = None;
    }
    request.result(Some(Payload::new(q)))
}

/// The software version in `reply` to `request`, believed only from the
/// entity asked and only with the name and version a result requires.
pub fn version_reply(request: &Iq, reply: &Iq) -> Result<SoftwareVersion, ReplyError> {
    let q: VersionQuery = result_payload(request, reply, "query")?;
    q.software()
        .ok_or_else(|| ReplyError::Malformed(Error::missing_child("name").within("query")))
}

/// `urn:xmpp:dataforms:softwareinfo`: the `FORM_TYPE` of XEP-0232.
pub const SOFTWARE_INFO: &str = "urn:xmpp:dataforms:softwareinfo";

/// The `icon` field of a software information form: a URL as the field's
/// value (the registered `text-single`), or XEP-0221 media, as the XEP's
/// example gives it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Icon {
    /// The URL, when given as the field's value.
    pub url: Option<String>,
    /// The icon's media (XEP-0221: size and locations).
    pub media: Vec<Media>,
}

impl Icon {
    /// Every location of the icon: the value, then each media URI (trimmed).
    pub fn uris(&self) -> Vec<&str> {
        self.url
            .as_deref()
            .into_iter()
            .chain(
                self.media
                    .iter()
                    .flat_map(|m| m.uris.iter().map(|u| u.uri())),
            )
            .collect()
    }
}

/// The XEP-0232 software information form (`FORM_TYPE`
/// `urn:xmpp:dataforms:softwareinfo`), in a disco#info result (XEP-0128)
/// or entity capabilities: its five registered fields, the rest kept.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SoftwareInfo {
    /// `icon`: an icon for a device running the software.
    pub icon: Option<Icon>,
    /// `os`: the operating system.
    pub os: Option<String>,
    /// `os_version`: its version.
    pub os_version: Option<String>,
    /// `software`: the XMPP software (overrides the identity's name).
    pub software: Option<String>,
    /// `software_version`: its version.
    pub software_version: Option<String>,
    /// Fields the view does not name, kept.
    pub other: Vec<Field>,
}

const INFO_FIELDS: [&str; 5] = ["icon", "os", "os_version", "software", "software_version"];

impl FormView for SoftwareInfo {
    const FORM_TYPE: &'static str = SOFTWARE_INFO;

    fn from_form(form: &DataForm) -> Result<Self, Error> {
        xep_forms::check_form_type(form, SOFTWARE_INFO)?;
        let icon = match form.field("icon") {
            None => None,
            Some(f) => {
                let url: Option<String> = xep_forms::read_field(form, "icon")?;
                Some(Icon {
                    url,
                    media: f.media.clone(),
                })
            }
        };
        Ok(SoftwareInfo {
            icon,
            os: xep_forms::read_field(form, "os")?,
            os_version: xep_forms::read_field(form, "os_version")?,
            software: xep_forms::read_field(form, "software")?,
            software_version: xep_forms::read_field(form, "software_version")?,
            other: form
                .fields
                .iter()
                .filter(|f| {
                    !f.var
                        .as_deref()
                        .is_some_and(|v| v == xep_forms::FORM_TYPE || INFO_FIELDS.contains(&v))
                })
                .cloned()
                .collect(),
        })
    }

    fn to_form(&self, type_: FormType) -> DataForm {
        let mut form = DataForm::with_form_type(type_, SOFTWARE_INFO, Vec::new());
        if let Some(icon) = &self.icon {
            let mut f = Field::new("icon", None, icon.url.iter().cloned().collect());
            f.media = icon.media.clone();
            form.fields.push(f);
        }
        for (var, value) in [
            ("os", &self.os),
            ("os_version", &self.os_version),
            ("software", &self.software),
            ("software_version", &self.software_version),
        ] {
            if let Some(v) = value {
                form.fields.push(Field::new(var, None, vec![v.clone()]));
            }
        }
        form.fields.extend(self.other.iter().cloned());
        form
    }
}

impl SoftwareInfo {
    /// The form of a XEP-0092 answer's content (`software`,
    /// `software_version`, `os`).
    pub fn from_version(v: &SoftwareVersion) -> Self {
        SoftwareInfo {
            software: Some(v.name.clone()),
            software_version: Some(v.version.clone()),
            os: v.os.clone(),
            ..SoftwareInfo::default()
        }
    }

    /// The software information of a disco#info result, if it has the
    /// form.
    pub fn of(info: &DiscoInfo) -> Option<Result<SoftwareInfo, Error>> {
        info.form(SOFTWARE_INFO).map(SoftwareInfo::from_form)
    }
}

/// The name of the software at an entity, from its disco#info: the
/// software information form's `software` field, which overrides the
/// identity's name (XEP-0232 §2), else the first identity's name.
pub fn software_name(info: &DiscoInfo) -> Option<String> {
    if let Some(Ok(SoftwareInfo {
        software: Some(s), ..
    })) = SoftwareInfo::of(info)
    {
        return Some(s);
    }
    info.identities.iter().find_map(|i| i.name.clone())
}
