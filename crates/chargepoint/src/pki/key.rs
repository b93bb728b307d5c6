//! The box's P-256 key pair: its secret for the durable state, its PKCS#8 form for
//! rustls and its PKCS#10 CSR (SignCertificate), written with a small DER writer.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use der::Encode;
use der::asn1::ObjectIdentifier;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{DerSignature, SigningKey};
use p256::pkcs8::EncodePrivateKey;

use super::{OID_EC_PUBLIC_KEY, OID_ECDSA_SHA256, OID_P256, PkiError, hex, unhex};

/// The box's P-256 key pair.
#[derive(Clone)]
pub struct KeyPair {
    key: SigningKey,
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyPair(redacted)")
    }
}

/// DER TLV with a definite length.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if let Ok(short) = u8::try_from(len)
        && short < 0x80
    {
        out.push(short);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0));
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

fn oid_der(oid: &str) -> Vec<u8> {
    ObjectIdentifier::new(oid)
        .ok()
        .and_then(|o| o.to_der().ok())
        .unwrap_or_default()
}

fn name_attribute(oid: &str, value: &str) -> Vec<u8> {
    let mut atv = oid_der(oid);
    atv.extend(tlv(0x0c, value.as_bytes())); // UTF8String
    tlv(0x31, &tlv(0x30, &atv)) // SET { SEQUENCE { type, value } }
}

impl KeyPair {
    /// From 32 bytes of the home's entropy (the engine's generator); Err only if the bytes
    /// are not a valid scalar (zero or ≥ the group order: then retry with more entropy).
    pub fn from_seed(seed: &[u8; 32]) -> Result<KeyPair, PkiError> {
        let key = SigningKey::from_slice(seed).map_err(|_| PkiError::BadSecret)?;
        Ok(KeyPair { key })
    }

    /// SEC1 uncompressed point, as in a certificate's subjectPublicKey.
    pub fn public_key(&self) -> Vec<u8> {
        self.key.verifying_key().to_sec1_bytes().to_vec()
    }

    /// The secret as lowercase hex of the 32-byte scalar, for the box's durable state only.
    pub fn secret_hex(&self) -> String {
        let bytes = zeroize::Zeroizing::new(self.key.to_bytes());
        hex(&bytes)
    }

    /// The inverse of [`KeyPair::secret_hex`].
    pub fn from_secret_hex(hex: &str) -> Result<KeyPair, PkiError> {
        let bytes = zeroize::Zeroizing::new(unhex(hex.trim()).ok_or(PkiError::BadSecret)?);
        let seed: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| PkiError::BadSecret)?;
        let seed = zeroize::Zeroizing::new(seed);
        Self::from_seed(&seed)
    }

    /// PKCS#8 "PRIVATE KEY" PEM for the native home's TLS client identity (rustls).
    pub fn private_key_pem(&self) -> String {
        p256::SecretKey::from(&self.key)
            .to_pkcs8_pem(der::pem::LineEnding::LF)
            .map(|s| s.to_string())
            .unwrap_or_default()
    }

    /// PKCS#10 CSR in PEM ("CERTIFICATE REQUEST"), subject CN = `common_name`,
    /// O = `organization` (omitted when empty), signed ecdsa-with-SHA256.
    pub fn csr_pem(&self, common_name: &str, organization: &str) -> Result<String, PkiError> {
        if common_name.is_empty() {
            return Err(PkiError::BadSubject("empty common name".into()));
        }
        let mut rdns = name_attribute("2.5.4.3", common_name);
        if !organization.is_empty() {
            rdns.extend(name_attribute("2.5.4.10", organization));
        }
        let subject = tlv(0x30, &rdns);
        let mut alg = oid_der(OID_EC_PUBLIC_KEY);
        alg.extend(oid_der(OID_P256));
        let mut bits = alloc::vec![0u8];
        bits.extend(self.public_key());
        let mut spki = tlv(0x30, &alg);
        spki.extend(tlv(0x03, &bits));
        let spki = tlv(0x30, &spki);
        let mut info = alloc::vec![0x02, 0x01, 0x00]; // version v1(0)
        info.extend(subject);
        info.extend(spki);
        info.extend([0xa0, 0x00]); // attributes [0] (none)
        let info = tlv(0x30, &info);
        let sig: DerSignature = self.key.sign(&info);
        let mut sig_bits = alloc::vec![0u8];
        sig_bits.extend_from_slice(sig.as_bytes());
        let mut req = info;
        req.extend(tlv(0x30, &oid_der(OID_ECDSA_SHA256)));
        req.extend(tlv(0x03, &sig_bits));
        let req = tlv(0x30, &req);
        der::pem::encode_string("CERTIFICATE REQUEST", der::pem::LineEnding::LF, &req)
            .map_err(|e| PkiError::BadSubject(e.to_string()))
    }
}
