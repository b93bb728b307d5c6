//! The box's P-256 key pair: its secret for the durable state, its PKCS#8 form for
//! rustls and its PKCS#10 CSR (SignCertificate), written with a small DER writer.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use zeroize::Zeroizing;

use super::der::{self, bits, integer, tlv};
use super::{PkiError, hex, pem, unhex};

/// The contents of the OBJECT IDENTIFIERs the box writes.
const ECDSA_WITH_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const PRIME256V1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
const ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0a];

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

fn oid(content: &[u8]) -> Vec<u8> {
    tlv(der::OID, content)
}

fn name_attribute(oid_content: &[u8], value: &str) -> Vec<u8> {
    let mut atv = oid(oid_content);
    atv.extend(tlv(der::UTF8_STRING, value.as_bytes()));
    tlv(der::SET, &tlv(der::SEQUENCE, &atv)) // SET { SEQUENCE { type, value } }
}

/// AlgorithmIdentifier { id-ecPublicKey, prime256v1 }.
fn ec_p256() -> Vec<u8> {
    let mut alg = oid(EC_PUBLIC_KEY);
    alg.extend(oid(PRIME256V1));
    tlv(der::SEQUENCE, &alg)
}

/// An ECDSA-Sig-Value: SEQUENCE { r INTEGER, s INTEGER }.
fn signature_der(sig: &Signature) -> Vec<u8> {
    let raw = sig.to_bytes();
    let (r, s) = raw.split_at(32);
    let mut both = integer(r);
    both.extend(integer(s));
    tlv(der::SEQUENCE, &both)
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
        self.key
            .verifying_key()
            .to_sec1_point(false)
            .as_bytes()
            .to_vec()
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

    /// PKCS#8 "PRIVATE KEY" PEM (RFC 5958 PrivateKeyInfo over RFC 5915 ECPrivateKey,
    /// with the public key) for the native home's TLS client identity (rustls).
    pub fn private_key_pem(&self) -> String {
        let secret = Zeroizing::new(self.key.to_bytes());
        // Capacities fixed up front: a growing buffer would leave copies of the secret.
        let mut ec = Zeroizing::new(Vec::with_capacity(128));
        ec.extend_from_slice(&[0x02, 0x01, 0x01]); // version 1
        ec.extend_from_slice(&Zeroizing::new(tlv(der::OCTET_STRING, &secret)));
        ec.extend_from_slice(&tlv(0xa1, &bits(&self.public_key())));
        let ec = Zeroizing::new(tlv(der::SEQUENCE, &ec));
        let mut info = Zeroizing::new(Vec::with_capacity(160));
        info.extend_from_slice(&[0x02, 0x01, 0x00]); // version 0
        info.extend_from_slice(&ec_p256());
        info.extend_from_slice(&Zeroizing::new(tlv(der::OCTET_STRING, &ec)));
        let info = Zeroizing::new(tlv(der::SEQUENCE, &info));
        pem::encode("PRIVATE KEY", &info)
    }

    /// PKCS#10 CSR in PEM ("CERTIFICATE REQUEST"), subject CN = `common_name`,
    /// O = `organization` (omitted when empty), signed ecdsa-with-SHA256.
    pub fn csr_pem(&self, common_name: &str, organization: &str) -> Result<String, PkiError> {
        if common_name.is_empty() {
            return Err(PkiError::BadSubject("empty common name".into()));
        }
        let mut rdns = name_attribute(COMMON_NAME, common_name);
        if !organization.is_empty() {
            rdns.extend(name_attribute(ORGANIZATION, organization));
        }
        let subject = tlv(der::SEQUENCE, &rdns);
        let mut spki = ec_p256();
        spki.extend(bits(&self.public_key()));
        let spki = tlv(der::SEQUENCE, &spki);
        let mut info = alloc::vec![0x02, 0x01, 0x00]; // version v1(0)
        info.extend(subject);
        info.extend(spki);
        info.extend([0xa0, 0x00]); // attributes [0] (none)
        let info = tlv(der::SEQUENCE, &info);
        let sig: Signature = self.key.sign(&info);
        let mut req = info;
        req.extend(tlv(der::SEQUENCE, &oid(ECDSA_WITH_SHA256)));
        req.extend(bits(&signature_der(&sig)));
        Ok(pem::encode(
            "CERTIFICATE REQUEST",
            &tlv(der::SEQUENCE, &req),
        ))
    }
}
