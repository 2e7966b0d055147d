//! The suite's certificate authority, generated at each run: one CA and
//! one server certificate for the test domain and its components. The
//! driver trusts the CA and verifies the server as any client would.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::CertificateDer;

/// A CA and a server certificate it signed, in PEM for the server and DER
/// for the driver.
pub struct Pki {
    /// The CA certificate (DER), the one root the driver trusts.
    pub ca_der: Vec<u8>,
    /// The server certificate (PEM).
    pub cert_pem: String,
    /// The server certificate's private key (PKCS#8 PEM).
    pub key_pem: String,
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

        let key = KeyPair::generate()?;
        let mut leaf = CertificateParams::new(names.to_vec())?;
        if let Some(cn) = names.first() {
            leaf.distinguished_name
                .push(DnType::CommonName, cn.as_str());
        }
        let cert = leaf.signed_by(&key, &ca_cert, &ca_key)?;
        Ok(Pki {
            ca_der: ca_cert.der().to_vec(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        })
    }

    /// A rustls client configuration trusting only this CA.
    pub fn client_config(&self) -> Result<Arc<rustls::ClientConfig>, rustls::Error> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from(self.ca_der.clone()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }
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
