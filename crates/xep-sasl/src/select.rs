//! Choosing a mechanism and the channel binding for it, by RFC 5802 §6
//! (the `y` flag), XEP-0440 §5 (which channel-binding announcements to
//! trust) and XEP-0474 §7 (what downgrade protection relaxes).

use std::fmt;

use crate::client::{self, Client, Password};
use crate::scram::Nonce;
use crate::{ChannelBinding, ChannelBindingType, ClientError, DowngradeProtection, Mechanism};

/// What the server offered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Offer {
    /// The mechanisms of `<mechanisms/>` (SASL1) or `<authentication/>`
    /// (SASL2), as sent; names this crate does not implement are ignored.
    pub mechanisms: Vec<String>,
    /// The channel-binding types of XEP-0440's `<sasl-channel-binding/>`,
    /// `None` when the server did not send it.
    pub channel_bindings: Option<Vec<String>>,
    /// Whether the client authenticates with SASL2 (XEP-0388), where
    /// XEP-0440's checks are MUSTs rather than SHOULDs.
    pub sasl2: bool,
}

impl Offer {
    /// The offer of RFC 6120's `<mechanisms/>`, with XEP-0440's feature
    /// if the server sent it.
    pub fn sasl1(
        mechanisms: &xep_core::Mechanisms,
        channel_bindings: Option<&crate::SaslChannelBinding>,
    ) -> Offer {
        Offer {
            mechanisms: mechanisms.mechanisms.clone(),
            channel_bindings: channel_bindings.map(crate::SaslChannelBinding::types),
            sasl2: false,
        }
    }

    /// The offer of XEP-0388's `<authentication/>`, with XEP-0440's
    /// feature if the server sent it.
    pub fn sasl2(
        authentication: &crate::sasl2::Authentication,
        channel_bindings: Option<&crate::SaslChannelBinding>,
    ) -> Offer {
        Offer {
            mechanisms: authentication.mechanisms.clone(),
            channel_bindings: channel_bindings.map(crate::SaslChannelBinding::types),
            sasl2: true,
        }
    }
}

/// What the client wants and can do.
#[derive(Clone, PartialEq, Eq)]
pub struct Preferences {
    /// The mechanisms the client accepts, preferred first.
    pub mechanisms: Vec<Mechanism>,
    /// The channel bindings the client can produce on this connection,
    /// preferred first, with their data (from the TLS library); empty
    /// when it cannot bind (no TLS, a WebSocket in a browser, ...).
    pub channel_bindings: Vec<(ChannelBindingType, Vec<u8>)>,
    /// Whether the client checks XEP-0474's hash (it then may go on
    /// without channel binding where XEP-0440 alone would abort).
    pub downgrade_protection: bool,
}

impl Preferences {
    /// SCRAM only, strongest first ([`Mechanism::SCRAM`]), with the given
    /// channel bindings and XEP-0474 on. PLAIN, EXTERNAL and ANONYMOUS are
    /// left for the caller to add where it means to.
    pub fn new(channel_bindings: Vec<(ChannelBindingType, Vec<u8>)>) -> Preferences {
        Preferences {
            mechanisms: Mechanism::SCRAM.to_vec(),
            channel_bindings,
            downgrade_protection: true,
        }
    }
}

impl fmt::Debug for Preferences {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Preferences")
            .field("mechanisms", &self.mechanisms)
            .field(
                "channel_bindings",
                &self
                    .channel_bindings
                    .iter()
                    .map(|(t, _)| t.name())
                    .collect::<Vec<_>>(),
            )
            .field("downgrade_protection", &self.downgrade_protection)
            .finish()
    }
}

/// The outcome of [`select`]: the mechanism, the channel binding to use
/// with it, and the XEP-0474 lists to check (SCRAM with downgrade
/// protection on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The mechanism.
    pub mechanism: Mechanism,
    /// The GS2 flag and data for SCRAM (`Unsupported` for the others).
    pub channel_binding: ChannelBinding,
    /// The lists the server's `h=` must hash to.
    pub downgrade_protection: Option<DowngradeProtection>,
}

impl Selection {
    /// The client machine for this selection. `username` and `password`
    /// are used by PLAIN and SCRAM, `authzid` by PLAIN, SCRAM and
    /// EXTERNAL, `nonce` by SCRAM; ANONYMOUS sends no trace.
    pub fn client(
        self,
        username: &str,
        password: impl Into<Password>,
        authzid: Option<&str>,
        nonce: impl Into<Nonce>,
    ) -> Result<Client, ClientError> {
        Ok(match self.mechanism {
            Mechanism::Plain => {
                let Password::Clear(p) = password.into() else {
                    return Err(ClientError::Credentials(
                        crate::CredentialsError::NeedsPassword,
                    ));
                };
                Client::Plain(client::Plain::new(authzid, username, &p)?)
            }
            Mechanism::Anonymous => Client::Anonymous(client::Anonymous::new(None)?),
            Mechanism::External => Client::External(client::External::new(authzid)?),
            Mechanism::Scram(m) => {
                let mut s =
                    client::Scram::new(m.hash, username, password, nonce, self.channel_binding)?;
                if let Some(a) = authzid {
                    s = s.with_authzid(a);
                }
                if let Some(d) = self.downgrade_protection {
                    s = s.with_downgrade_protection(d);
                }
                Client::Scram(Box::new(s))
            }
            Mechanism::Ht(_) => {
                return Err(ClientError::Credentials(
                    crate::CredentialsError::NeedsToken,
                ));
            }
        })
    }
}

/// Why no mechanism was selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectError {
    /// No mechanism of the preferences was offered (or none usable:
    /// `-PLUS` without a common channel-binding type).
    NoCommonMechanism,
    /// SASL2: `-PLUS` mechanisms offered without XEP-0440 channel-binding
    /// types (XEP-0440 §5 rule 4: an implementation error or a MITM
    /// stripping the types).
    PlusWithoutChannelBindings,
    /// Channel-binding types announced without any `-PLUS` mechanism
    /// (XEP-0440 §5 rule 5: a MITM stripping the mechanisms).
    ChannelBindingsWithoutPlus,
    /// `-PLUS` and types offered, none of them the client's, and not even
    /// `tls-server-end-point`, which every server must offer (XEP-0440 §5
    /// rule 6), without XEP-0474 protection to fall back on.
    NoCommonChannelBinding,
}

impl fmt::Display for SelectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SelectError::NoCommonMechanism => "no common SASL mechanism",
            SelectError::PlusWithoutChannelBindings => {
                "-PLUS offered without channel-binding types (stripped?)"
            }
            SelectError::ChannelBindingsWithoutPlus => {
                "channel-binding types offered without -PLUS mechanisms (stripped?)"
            }
            SelectError::NoCommonChannelBinding => {
                "no common channel-binding type and no tls-server-end-point (stripped?)"
            }
        })
    }
}

impl std::error::Error for SelectError {}

/// Picks the client's most preferred mechanism among those offered, and
/// the channel binding to use with it:
///
/// - a `-PLUS` mechanism only with a channel-binding type both sides
///   have (the server's XEP-0440 list when it sent one; otherwise, over
///   SASL1, the client's first type);
/// - a SCRAM mechanism without `-PLUS` says `y` when the client could
///   bind but the server offered no `-PLUS` (RFC 5802: a server that did
///   offer it then detects the stripping), `n` otherwise;
/// - the checks of XEP-0440 §5: types without `-PLUS`, `-PLUS` without
///   types over SASL2, and no common type where `tls-server-end-point`
///   is missing too abort; with XEP-0474 on, the last continues with a
///   SCRAM mechanism and `n`, and requires the server's `h=`.
///
/// ```
/// use xep_sasl::*;
/// let offer = Offer {
///     mechanisms: vec!["SCRAM-SHA-1".into(), "SCRAM-SHA-256".into(), "SCRAM-SHA-256-PLUS".into()],
///     channel_bindings: Some(vec!["tls-server-end-point".into(), "tls-exporter".into()]),
///     sasl2: true,
/// };
/// let prefs = Preferences::new(vec![(ChannelBindingType::TlsExporter, vec![7; 32])]);
/// let s = select(&offer, &prefs).unwrap();
/// assert_eq!(s.mechanism.name(), "SCRAM-SHA-256-PLUS");
/// assert_eq!(s.channel_binding, ChannelBinding::Bound(ChannelBindingType::TlsExporter, vec![7; 32]));
/// ```
pub fn select(offer: &Offer, prefs: &Preferences) -> Result<Selection, SelectError> {
    let offered: Vec<Mechanism> = offer
        .mechanisms
        .iter()
        .filter_map(|n| Mechanism::from_name(n))
        .collect();
    let plus_offered = offer
        .mechanisms
        .iter()
        .any(|n| n.starts_with("SCRAM-") && n.ends_with("-PLUS"));
    let client_binds = !prefs.channel_bindings.is_empty();
    let types = offer.channel_bindings.as_deref();
    let announced = types.is_some_and(|t| !t.is_empty());

    if client_binds && announced && !plus_offered {
        return Err(SelectError::ChannelBindingsWithoutPlus);
    }
    let common = if !client_binds || !plus_offered {
        None
    } else {
        match types {
            Some(types) => prefs
                .channel_bindings
                .iter()
                .find(|(t, _)| types.iter().any(|s| s == t.name())),
            None if offer.sasl2 => return Err(SelectError::PlusWithoutChannelBindings),
            None => prefs.channel_bindings.first(),
        }
    };
    // XEP-0440 rule 6, as XEP-0474 relaxes it.
    let mut required_hash = false;
    if client_binds && plus_offered && common.is_none() && announced {
        let has_endpoint = types
            .unwrap_or_default()
            .iter()
            .any(|s| s == ChannelBindingType::TlsServerEndPoint.name());
        if !has_endpoint {
            if !prefs.downgrade_protection {
                return Err(SelectError::NoCommonChannelBinding);
            }
            required_hash = true;
        }
    }
    for &mech in &prefs.mechanisms {
        if !offered.contains(&mech) {
            continue;
        }
        let binding = match mech {
            Mechanism::Scram(m) if m.plus => match common {
                Some((t, data)) => ChannelBinding::Bound(*t, data.clone()),
                None => continue,
            },
            Mechanism::Scram(_) if client_binds && !plus_offered => ChannelBinding::NotOffered,
            Mechanism::Scram(_) => ChannelBinding::Unsupported,
            // A token mechanism is the caller's choice (XEP-0484's
            // `<fast/>`), never a fallback among passwords.
            Mechanism::Ht(_) => continue,
            _ if required_hash => continue,
            _ => ChannelBinding::Unsupported,
        };
        let downgrade_protection = (prefs.downgrade_protection
            && matches!(mech, Mechanism::Scram(_)))
        .then(|| DowngradeProtection {
            mechanisms: offer.mechanisms.clone(),
            channel_bindings: offer.channel_bindings.clone(),
            required: required_hash,
        });
        return Ok(Selection {
            mechanism: mech,
            channel_binding: binding,
            downgrade_protection,
        });
    }
    Err(SelectError::NoCommonMechanism)
}
