#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
//! The hand-written DER / PEM code of `chargepoint::pki` held to RustCrypto's decoders
//! (`x509-cert`, `der`, `p256`'s PKCS#8), which the box itself does not link: every
//! fixture and every one-bit and one-byte damage of the root and the leaf.

use chargepoint::pki::{Certificate, KeyPair, PkiError};
use p256::pkcs8::DecodePrivateKey;
use x509_cert::der::{Decode, Encode};

const FIXTURES: &[&str] = &[
    include_str!("fixtures/pki/root.pem"),
    include_str!("fixtures/pki/intermediate.pem"),
    include_str!("fixtures/pki/leaf.pem"),
    include_str!("fixtures/pki/expired_root.pem"),
    include_str!("fixtures/pki/non_ca.pem"),
    include_str!("fixtures/pki/other_root.pem"),
    include_str!("fixtures/pki/rsa_root.pem"),
];

/// Issuer DER, subject DER, serial hex, validity (Unix seconds), cA, public key.
type Fields = (Vec<u8>, Vec<u8>, String, i64, i64, bool, Vec<u8>);

/// What RustCrypto reads from the DER, in the form `Certificate` reports it.
fn reference(der: &[u8]) -> Option<Fields> {
    let c = x509_cert::Certificate::from_der(der).ok()?;
    let tbs = c.tbs_certificate();
    let is_ca = match tbs.get_extension::<x509_cert::ext::pkix::BasicConstraints>() {
        Ok(Some((_, bc))) => bc.ca,
        Ok(None) => false,
        Err(_) => return None,
    };
    let serial = tbs.serial_number().as_bytes();
    let hex: String = serial.iter().map(|b| format!("{b:02x}")).collect();
    let hex = hex.trim_start_matches('0');
    Some((
        tbs.issuer().to_der().ok()?,
        tbs.subject().to_der().ok()?,
        if hex.is_empty() {
            "0".into()
        } else {
            hex.into()
        },
        i64::try_from(tbs.validity().not_before.to_unix_duration().as_secs()).ok()?,
        i64::try_from(tbs.validity().not_after.to_unix_duration().as_secs()).ok()?,
        is_ca,
        tbs.subject_public_key_info()
            .subject_public_key
            .raw_bytes()
            .to_vec(),
    ))
}

fn ours(c: &Certificate) -> (String, i64, i64, bool, Vec<u8>) {
    (
        c.serial_hex(),
        c.not_before().unix_seconds(),
        c.not_after().unix_seconds(),
        c.is_ca(),
        c.public_key().to_vec(),
    )
}

fn same_as_reference(c: &Certificate, der: &[u8]) -> bool {
    let Some((issuer, subject, serial, nb, na, ca, key)) = reference(der) else {
        return false;
    };
    // issuerNameHash is SHA-256 over the issuer DER: equal hashes mean equal bytes.
    let h = c.hash_data();
    let issuer_hash = sha256_hex(&issuer);
    let _ = subject;
    h.issuer_name_hash.as_str() == issuer_hash && ours(c) == (serial, nb, na, ca, key)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn every_fixture_reads_as_rustcrypto_reads_it() {
    for pem in FIXTURES {
        let c = Certificate::from_pem(pem).unwrap();
        assert!(same_as_reference(&c, c.der()), "{c:?}");
        // PEM written back is what der's PEM reader reads.
        let text = c.to_pem();
        let (label, der) = der::pem::decode_vec(text.as_bytes()).unwrap();
        assert_eq!(label, "CERTIFICATE");
        assert_eq!(der, c.der());
    }
}

#[test]
fn damaged_certificates_are_refused_or_read_correctly() {
    let mut accepted = 0;
    for pem in &FIXTURES[..3] {
        let der = Certificate::from_pem(pem).unwrap().der().to_vec();
        let mut variants = Vec::new();
        for i in 0..der.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = der.clone();
                bad[i] ^= flip;
                variants.push(bad);
            }
            let mut cut = der.clone();
            cut.remove(i);
            variants.push(cut);
        }
        for bad in variants {
            match Certificate::from_der(&bad) {
                Ok(c) => {
                    accepted += 1;
                    // Whatever we accept, RustCrypto reads the same way.
                    assert!(
                        same_as_reference(&c, &bad),
                        "read differently: {c:?} {:?} {:?} {:02x?}",
                        x509_cert::Certificate::from_der(&bad).err(),
                        reference(&bad),
                        &bad[..40]
                    );
                }
                Err(e) => assert!(matches!(e, PkiError::BadDer(_)), "{e:?}"),
            }
        }
    }
    // Damage inside names, keys and signatures still parses: the check is not vacuous.
    assert!(accepted > 100, "{accepted}");
}

#[test]
fn der_faults_are_named() {
    let root = Certificate::from_pem(FIXTURES[0]).unwrap();
    let der = root.der();
    let e = Certificate::from_der(&der[..10]).unwrap_err().to_string();
    assert_eq!(e, "not an X.509 certificate: certificate: truncated");
    let mut trailing = der.to_vec();
    trailing.push(0);
    let e = Certificate::from_der(&trailing).unwrap_err().to_string();
    assert_eq!(
        e,
        "not an X.509 certificate: certificate: unexpected data after its last element"
    );
    let e = Certificate::from_der(&[0x30, 0x80, 0, 0])
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "not an X.509 certificate: certificate: indefinite length is not DER"
    );
    let e = Certificate::from_der(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0])
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "not an X.509 certificate: certificate: length not minimally encoded"
    );
    let e = Certificate::from_der(&[0x02, 0x01, 0x00])
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "not an X.509 certificate: certificate: expected tag 0x30, found 0x02"
    );
}

#[test]
fn pem_faults_are_named() {
    let body = FIXTURES[0]
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<String>();
    let wrap = |b: &str| format!("-----BEGIN CERTIFICATE-----\n{b}\n-----END CERTIFICATE-----\n");
    let e = Certificate::from_pem(&wrap(&body.replacen('A', "*", 1)))
        .unwrap_err()
        .to_string();
    assert_eq!(e, "malformed PEM: invalid base64 character '*'");
    let e = Certificate::from_pem(&wrap(&body.replacen('A', "\u{1}", 1)))
        .unwrap_err()
        .to_string();
    assert_eq!(e, "malformed PEM: invalid base64 byte 0x01");
    let e = Certificate::from_pem(&wrap(&format!("{body}A")))
        .unwrap_err()
        .to_string();
    assert_eq!(e, "malformed PEM: base64 length or padding is wrong");
    let e = Certificate::from_pem(&wrap("QQ==QQ=="))
        .unwrap_err()
        .to_string();
    assert_eq!(e, "malformed PEM: base64 data after padding");
    // CRLF line endings and indentation are read.
    let crlf = FIXTURES[0].replace('\n', "\r\n  ");
    assert_eq!(
        Certificate::from_pem(&crlf).unwrap(),
        Certificate::from_pem(FIXTURES[0]).unwrap()
    );
}

#[test]
fn private_key_is_pkcs8_that_p256_reads() {
    for seed in [[7u8; 32], [1; 32], [0x42; 32]] {
        let key = KeyPair::from_seed(&seed).unwrap();
        let pem = key.private_key_pem();
        let secret = p256::SecretKey::from_pkcs8_pem(&pem).unwrap();
        assert_eq!(secret.to_bytes().as_slice(), &seed);
        let (label, _) = der::pem::decode_vec(pem.as_bytes()).unwrap();
        assert_eq!(label, "PRIVATE KEY");
    }
}
