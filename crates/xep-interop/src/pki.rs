//! The suite's certificate authority, generated at each run: one CA and
//! one server certificate for the test domain and its components. The
//! driver trusts the CA and verifies the server as any client would; the
//! same CA issues the certificate the driver presents as a remote server
//! (XEP-0178's SASL EXTERNAL over s2s), which the servers trust.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA and a server certificate it signed, in PEM for the server and DER
/// for the driver.
pub struct Pki {
    /// The CA certificate (DER), the one root the driver trusts.
    pub ca_der: Vec<u8>,
    /// The same in PEM, for the second client.
    pub ca_pem: String,
    /// The server certificate (PEM).
    pub cert_pem: String,
    /// The server certificate's private key (PKCS#8 PEM).
    pub key_pem: String,
    ca: rcgen::Certificate,
    ca_key: KeyPair,
}

impl Pki {
    /// A new CA and a certificate for `names` (the first one is the
    /// subject's common name).
    pub fn generate(names: &[String]) -> Result<Pki, rcgen::Error> {
        let ca_key = KeyPair::generate()?;
        let mut ca = CertificateParams::new(Vec::<String>::new())?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "xep-interop run-time CA");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key)?;

        let (cert, key) = issue(names, &ca_cert, &ca_key)?;
        Ok(Pki {
            ca_der: ca_cert.der().to_vec(),
            ca_pem: ca_cert.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            ca: ca_cert,
            ca_key,
        })
    }

    /// A rustls client configuration trusting only this CA and
    /// presenting a certificate of this CA for `names` (a remote
    /// server's domain, for SASL EXTERNAL over s2s).
    pub fn client_config_as(
        &self,
        names: &[String],
    ) -> Result<Arc<rustls::ClientConfig>, Box<dyn std::error::Error>> {
        let (chain, key) = self.issued(names)?;
        let config = client_builder(&self.ca_der)?.with_client_auth_cert(chain, key)?;
        Ok(Arc::new(config))
    }

    /// A rustls server configuration presenting a certificate of this CA
    /// for `names` (the driver as a remote server that a server under
    /// test connects to), asking for no client certificate.
    pub fn server_config_for(
        &self,
        names: &[String],
    ) -> Result<Arc<rustls::ServerConfig>, Box<dyn std::error::Error>> {
        let (chain, key) = self.issued(names)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        Ok(Arc::new(config))
    }

    /// A certificate of this CA for `names` and its key, as rustls takes
    /// them.
    fn issued(
        &self,
        names: &[String],
    ) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), rcgen::Error> {
        let (cert, key) = issue(names, &self.ca, &self.ca_key)?;
        Ok((
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        ))
    }

    /// A rustls client configuration trusting only this CA.
    pub fn client_config(&self) -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
        Ok(Arc::new(
            client_builder(&self.ca_der)?.with_no_client_auth(),
        ))
    }
}

/// A rustls client configuration trusting only the CA `ca_der`, before
/// its client authentication is chosen.
fn client_builder(
    ca_der: &[u8],
) -> Result<
    rustls::ConfigBuilder<rustls::ClientConfig, rustls::client::WantsClientCert>,
    rustls::Error,
> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(ca_der.to_vec()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots))
}

/// A certificate for `names` (the first one is the subject's common
/// name) signed by `ca`, and its key.
fn issue(
    names: &[String],
    ca: &rcgen::Certificate,
    ca_key: &KeyPair,
) -> Result<(rcgen::Certificate, KeyPair), rcgen::Error> {
    let key = KeyPair::generate()?;
    let mut leaf = CertificateParams::new(names.to_vec())?;
    // Valid from yesterday for 30 days. rcgen's default (until 4096)
    // crashes ejabberd 23.01: its pkix arms an Erlang timer for the
    // expiry, and a timer more than 2^32 ms (49.7 days) ahead is a
    // badarg that takes TLS down (found by this suite).
    set_validity(&mut leaf, SystemTime::now());
    if let Some(cn) = names.first() {
        leaf.distinguished_name
            .push(DnType::CommonName, cn.as_str());
    }
    let cert = leaf.signed_by(&key, ca, ca_key)?;
    Ok((cert, key))
}

/// Random bytes from the TLS provider's CSPRNG (the SCRAM nonces: the
/// protocol crates draw none themselves).
pub fn random(n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    rustls::crypto::ring::default_provider()
        .secure_random
        .fill(&mut buf)
        .expect("the system CSPRNG is available");
    buf
}

/// Valid from yesterday until 30 days from now.
fn set_validity(p: &mut CertificateParams, now: SystemTime) {
    let days = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    let at = |d: i64| {
        let (y, m, dd) = civil_from_days(d);
        rcgen::date_time_ymd(y, m, dd)
    };
    p.not_before = at(days - 1);
    p.not_after = at(days + 30);
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m as u8, d as u8)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_791), (2026, 12, 4));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
