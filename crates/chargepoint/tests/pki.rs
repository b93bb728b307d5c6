#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
//! `chargepoint::pki` against fixtures made by Python `cryptography`
//! (`fixtures/pki/make.py`); the expected hashes below are what make.py printed, computed
//! by cryptography + hashlib independently of this crate.

use chargepoint::pki::{Certificate, KeyPair, PkiError, check_root, verify_chain};
use ocpp16::DateTime;
use ocpp16::messages::HashAlgorithm;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use x509_cert::der::{Decode, DecodePem, Encode};

const ROOT: &str = include_str!("fixtures/pki/root.pem");
const INTERMEDIATE: &str = include_str!("fixtures/pki/intermediate.pem");
const LEAF: &str = include_str!("fixtures/pki/leaf.pem");
const CHAIN: &str = include_str!("fixtures/pki/chain.pem");
const EXPIRED_ROOT: &str = include_str!("fixtures/pki/expired_root.pem");
const NON_CA: &str = include_str!("fixtures/pki/non_ca.pem");
const OTHER_ROOT: &str = include_str!("fixtures/pki/other_root.pem");
const BROKEN_CHAIN: &str = include_str!("fixtures/pki/broken_chain.pem");
const GARBAGE: &str = include_str!("fixtures/pki/garbage.pem");
const RSA_ROOT: &str = include_str!("fixtures/pki/rsa_root.pem");
const CSR: &str = include_str!("fixtures/pki/csr.pem");

const ROOT_ISSUER_NAME_HASH: &str =
    "1998219475a108be3ba8154a0d22c01f15e6248c5c0e9e80b808510ddec75b79";
const ROOT_ISSUER_KEY_HASH: &str =
    "2f62ca5f526f81795fe27e4749972ff19e4de9b11d7783f3c0ea71b499e8ab74";
const LEAF_ISSUER_NAME_HASH: &str =
    "480e3b11d2a2f21b15eec98c1f861b45ccb2f5c973a35b0c966fd63568554a19";
const LEAF_ISSUER_KEY_HASH: &str =
    "15ad9056a77f1aee1b814af26dfef91a4409fd7cfe072fc9cef4a12f6e70ff14";

fn now() -> DateTime {
    DateTime::parse("2026-06-01T00:00:00Z").unwrap()
}

fn pem(s: &str) -> Certificate {
    Certificate::from_pem(s).unwrap()
}

#[test]
fn root_fields_and_hash_data() {
    let root = pem(ROOT);
    assert!(root.is_ca());
    assert_eq!(root.subject(), "CN=Test Root CA, O=EVC Playground Test");
    assert_eq!(root.issuer(), root.subject());
    assert_eq!(root.serial_hex(), "a1b2c3d4");
    assert_eq!(root.not_before().to_rfc3339(), "2025-01-01T00:00:00Z");
    assert_eq!(root.not_after().to_rfc3339(), "2045-01-01T00:00:00Z");
    let h = root.hash_data();
    assert_eq!(h.hash_algorithm, HashAlgorithm::Sha256);
    assert_eq!(h.issuer_name_hash.as_str(), ROOT_ISSUER_NAME_HASH);
    assert_eq!(h.issuer_key_hash.as_str(), ROOT_ISSUER_KEY_HASH);
    assert_eq!(h.serial_number.as_str(), "a1b2c3d4");
    assert_eq!(Certificate::from_pem(&root.to_pem()).unwrap(), root);
    assert_eq!(Certificate::from_der(root.der()).unwrap(), root);
    assert_eq!(
        Certificate::from_pem(&format!("\n  {ROOT}\n\n")).unwrap(),
        root
    );
}

#[test]
fn leaf_hash_data_with_issuer() {
    let leaf = pem(LEAF);
    let h = leaf.hash_data_with_issuer(&pem(INTERMEDIATE));
    assert_eq!(h.issuer_name_hash.as_str(), LEAF_ISSUER_NAME_HASH);
    assert_eq!(h.issuer_key_hash.as_str(), LEAF_ISSUER_KEY_HASH);
    assert_eq!(h.serial_number.as_str(), "1003");
    assert_eq!(leaf.subject(), "CN=EVC-0001, O=Acme");
    assert!(!leaf.is_ca());
}

#[test]
fn check_root_cases() {
    assert_eq!(check_root(&pem(ROOT), now()), Ok(()));
    let e = check_root(&pem(EXPIRED_ROOT), now()).unwrap_err();
    assert_eq!(e.to_string(), "certificate expired on 2025-01-01T00:00:00Z");
    let e = check_root(&pem(NON_CA), now()).unwrap_err();
    assert_eq!(e, PkiError::NotCa);
    assert_eq!(
        e.to_string(),
        "not a CA certificate (basicConstraints cA is not set)"
    );
    assert!(matches!(
        Certificate::from_pem(GARBAGE),
        Err(PkiError::BadDer(_))
    ));
    let e = Certificate::from_pem("hello").unwrap_err();
    assert_eq!(
        e.to_string(),
        "not PEM: no -----BEGIN CERTIFICATE----- line"
    );
    assert_eq!(Certificate::from_pem(CHAIN), Err(PkiError::MoreThanOne(2)));
    // Not self-signed: the intermediate is a CA but not a root.
    assert_eq!(
        check_root(&pem(INTERMEDIATE), now()),
        Err(PkiError::NotSelfSigned)
    );
}

#[test]
fn verify_chain_cases() {
    let chain = Certificate::chain_from_pem(CHAIN).unwrap();
    assert_eq!(chain.len(), 2);
    let root = pem(ROOT);
    assert_eq!(verify_chain(&chain, Some(&root), now()), Ok(()));
    assert_eq!(verify_chain(&chain, None, now()), Ok(()));
    let mut with_root = chain.clone();
    with_root.push(root.clone());
    assert_eq!(verify_chain(&with_root, Some(&root), now()), Ok(()));
    // Wrong root.
    assert!(matches!(
        verify_chain(&chain, Some(&pem(OTHER_ROOT)), now()),
        Err(PkiError::IssuerMismatch { .. })
    ));
    // Broken link: the intermediate's name matches but another key signed the leaf's issuer.
    let broken = Certificate::chain_from_pem(BROKEN_CHAIN).unwrap();
    assert_eq!(
        verify_chain(&broken, Some(&root), now()),
        Err(PkiError::BadSignature)
    );
    assert_eq!(
        PkiError::BadSignature.to_string(),
        "signature does not verify"
    );
    // Expired: in 2031 the leaf (2025–2030) is no longer valid.
    let later = DateTime::parse("2031-01-01T00:00:00Z").unwrap();
    assert_eq!(
        verify_chain(&chain, Some(&root), later)
            .unwrap_err()
            .to_string(),
        "certificate expired on 2030-01-01T00:00:00Z"
    );
    assert_eq!(verify_chain(&[], None, now()), Err(PkiError::EmptyChain));
}

#[test]
fn rsa_refused_with_its_name() {
    let rsa = pem(RSA_ROOT);
    assert!(rsa.is_ca());
    let e = check_root(&rsa, now()).unwrap_err();
    assert_eq!(
        e,
        PkiError::UnsupportedAlgorithm("1.2.840.113549.1.1.11".into())
    );
    assert_eq!(
        PkiError::UnsupportedAlgorithm("1.2.840.113549.1.1.11".into()).to_string(),
        "signature algorithm 1.2.840.113549.1.1.11 (sha256WithRSAEncryption) is not supported by this box"
    );
}

#[test]
fn key_pair_secret_and_debug() {
    let key = KeyPair::from_seed(&[7; 32]).unwrap();
    let hex = key.secret_hex();
    assert_eq!(hex, "07".repeat(32));
    let again = KeyPair::from_secret_hex(&hex).unwrap();
    assert_eq!(again.public_key(), key.public_key());
    assert_eq!(format!("{key:?}"), "KeyPair(redacted)");
    assert!(!format!("{key:?}").contains(&hex));
    assert_eq!(
        KeyPair::from_seed(&[0; 32]).unwrap_err(),
        PkiError::BadSecret
    );
    assert_eq!(
        KeyPair::from_seed(&[0xff; 32]).unwrap_err(),
        PkiError::BadSecret
    );
    assert!(KeyPair::from_secret_hex("zz").is_err());
    assert!(
        key.private_key_pem()
            .starts_with("-----BEGIN PRIVATE KEY-----\n")
    );
    // The leaf fixture was made for the scalar 0x07…07.
    assert_eq!(pem(LEAF).public_key(), key.public_key().as_slice());
    assert_eq!(key.public_key().len(), 65);
}

fn check_csr(text: &str, key: &KeyPair) {
    let req = x509_cert::request::CertReq::from_pem(text).unwrap();
    assert_eq!(req.info.subject.to_string(), "O=Acme,CN=EVC-0001");
    assert!(req.info.subject.common_name().unwrap().is_some());
    let spk = req.info.public_key.subject_public_key.raw_bytes();
    assert_eq!(spk, key.public_key().as_slice());
    assert_eq!(req.algorithm.oid.to_string(), "1.2.840.10045.4.3.2");
    let vk = VerifyingKey::from_sec1_bytes(spk).unwrap();
    let sig = Signature::from_der(req.signature.raw_bytes()).unwrap();
    vk.verify(&req.info.to_der().unwrap(), &sig).unwrap();
}

#[test]
fn csr_parses_and_verifies() {
    let key = KeyPair::from_seed(&[7; 32]).unwrap();
    let text = key.csr_pem("EVC-0001", "Acme").unwrap();
    assert!(text.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
    check_csr(&text, &key);
    // ECDSA signing is deterministic (RFC 6979): the committed fixture is this CSR.
    assert_eq!(text, CSR);
    check_csr(CSR, &key);
    let no_org = key.csr_pem("EVC-0002", "").unwrap();
    let req = x509_cert::request::CertReq::from_pem(&no_org).unwrap();
    assert_eq!(req.info.subject.to_string(), "CN=EVC-0002");
    assert!(key.csr_pem("", "Acme").is_err());
    let _ = x509_cert::request::CertReq::from_der(&[0x30, 0x00]);
}

#[test]
fn no_panic_on_damaged_input() {
    let der = pem(ROOT).der().to_vec();
    for cut in 0..der.len() {
        assert!(Certificate::from_der(&der[..cut]).is_err());
    }
    let root = pem(ROOT);
    for i in 0..der.len() {
        let mut bad = der.clone();
        bad[i] ^= 0x01;
        if let Ok(c) = Certificate::from_der(&bad) {
            let _ = check_root(&c, now());
            let _ = c.hash_data();
            let _ = verify_chain(&[c], Some(&root), now());
        }
    }
    for text in [
        "",
        "-----BEGIN CERTIFICATE-----",
        "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----",
    ] {
        assert!(Certificate::from_pem(text).is_err());
        assert!(Certificate::chain_from_pem(text).is_err());
    }
}
