//! XEP-0157 contact addresses for XMPP services.

use std::fmt;

use xep_disco::DiscoInfo;
use xep_element::Error;
use xep_element::jid::Jid;
use xep_forms::{FieldScalar, FieldType, FormView, form_view};

/// `http://jabber.org/network/serverinfo`: the `FORM_TYPE` of XEP-0157.
pub const SERVER_INFO: &str = "http://jabber.org/network/serverinfo";

/// A URI (RFC 3986): a scheme (a letter, then letters, digits, `+`, `-`,
/// `.`), a colon and the rest, without spaces or control characters. The
/// values of `status-addresses` must be URIs (§3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uri(String);

impl Uri {
    /// Checks `s` as a URI.
    pub fn parse(s: &str) -> Result<Uri, String> {
        let s = s.trim();
        let (scheme, _) = s
            .split_once(':')
            .ok_or_else(|| format!("'{s}' is not a URI: no scheme"))?;
        let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok {
            return Err(format!("'{s}' is not a URI: bad scheme '{scheme}'"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("'{s}' is not a URI: it contains white space"));
        }
        Ok(Uri(s.to_string()))
    }

    /// The URI.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its scheme, lowercase.
    pub fn scheme(&self) -> String {
        self.0
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default()
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FieldScalar for Uri {
    const SINGLE: FieldType = FieldType::TextSingle;
    const MULTI: FieldType = FieldType::ListMulti;
    fn parse(value: &str) -> Result<Self, String> {
        Uri::parse(value)
    }
    fn format(&self) -> String {
        self.0.clone()
    }
}

form_view! {
    /// The XEP-0157 contact addresses of a service (`FORM_TYPE`
    /// `http://jabber.org/network/serverinfo`), in the disco#info result
    /// of a server's domain (XEP-0128). Every field is `list-multi`; the
    /// status addresses must be URIs, the others should be (read them
    /// with [`Address::parse`]).
    pub struct ServerInfo = "http://jabber.org/network/serverinfo" {
        /// `abuse-addresses`: about abusive traffic.
        abuse: Vec<String> = "abuse-addresses",
        /// `admin-addresses`: the service administrators.
        admin: Vec<String> = "admin-addresses",
        /// `feedback-addresses`: customer feedback.
        feedback: Vec<String> = "feedback-addresses",
        /// `sales-addresses`: sales and marketing.
        sales: Vec<String> = "sales-addresses",
        /// `security-addresses`: security concerns.
        security: Vec<String> = "security-addresses",
        /// `status-addresses`: service status (URIs, §3).
        status: Vec<Uri> = "status-addresses",
        /// `support-addresses`: customer support.
        support: Vec<String> = "support-addresses",
    }
}

/// The roles of XEP-0157's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// `abuse-addresses`.
    Abuse,
    /// `admin-addresses`.
    Admin,
    /// `feedback-addresses`.
    Feedback,
    /// `sales-addresses`.
    Sales,
    /// `security-addresses`.
    Security,
    /// `status-addresses`.
    Status,
    /// `support-addresses`.
    Support,
}

impl ServerInfo {
    /// The contact addresses of a disco#info result, if it has the form.
    pub fn of(info: &DiscoInfo) -> Option<Result<ServerInfo, Error>> {
        info.form(SERVER_INFO).map(ServerInfo::from_form)
    }

    /// The addresses for `role`, each read by [`Address::parse`].
    pub fn addresses(&self, role: Role) -> Vec<Address> {
        let strings = match role {
            Role::Abuse => &self.abuse,
            Role::Admin => &self.admin,
            Role::Feedback => &self.feedback,
            Role::Sales => &self.sales,
            Role::Security => &self.security,
            Role::Support => &self.support,
            Role::Status => {
                return self
                    .status
                    .iter()
                    .map(|u| Address::parse(u.as_str()))
                    .collect();
            }
        };
        strings.iter().map(|s| Address::parse(s)).collect()
    }
}

/// One contact address, by its URI scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// `mailto:` (RFC 6068), the mailbox (headers removed,
    /// percent-decoded).
    Mailto(String),
    /// `xmpp:` (RFC 5122), the JID (any query such as `?message` removed,
    /// percent-decoded as §2.7.2 says: `xmpp:ch%C3%A9f@example.com` is
    /// `chéf@example.com`).
    Xmpp(Jid),
    /// `http:` or `https:`, the URL.
    Web(String),
    /// Another URI.
    Other(Uri),
    /// Not a URI (the fields other than status addresses only should be
    /// URIs, §3), as written.
    NotAUri(String),
}

impl Address {
    /// Reads `value` by its scheme.
    pub fn parse(value: &str) -> Address {
        let uri = match Uri::parse(value) {
            Ok(u) => u,
            Err(_) => return Address::NotAUri(value.to_string()),
        };
        let rest = &uri.as_str()[uri.scheme().len() + 1..];
        match uri.scheme().as_str() {
            "mailto" => match decode(rest.split('?').next().unwrap_or_default()) {
                Some(mailbox) => Address::Mailto(mailbox),
                None => Address::Other(uri),
            },
            "xmpp" => {
                let path = rest.split(['?', '#']).next().unwrap_or_default();
                // An authority component (`xmpp://guest@example.com/...`)
                // names the sending account; the JID follows it.
                let jid = match path.strip_prefix("//") {
                    Some(auth) => auth.split_once('/').map_or("", |(_, j)| j),
                    None => path,
                };
                decode(jid)
                    .and_then(|j| j.parse().ok())
                    .map(Address::Xmpp)
                    .unwrap_or(Address::Other(uri))
            }
            "http" | "https" => Address::Web(uri.as_str().to_string()),
            _ => Address::Other(uri),
        }
    }
}

/// RFC 3986 §2.1 percent-decoding to UTF-8; `None` for a `%` without two
/// hex digits after it or bytes that are not UTF-8 (RFC 5122 §2.7.2 and
/// RFC 6068 §2 decode to UTF-8).
fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let well_formed = b.iter().enumerate().all(|(i, &c)| {
        c != b'%'
            || (b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return None;
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|d| d.into_owned())
}
