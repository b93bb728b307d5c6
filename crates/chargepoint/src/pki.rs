//! The crypto of the OCPP 1.6 Security Whitepaper (edition 2) for the box: X.509
//! certificates (PEM/DER, validity, basicConstraints, chain and root checks), the
//! `certificateHashData` of InstallCertificate / GetInstalledCertificateIds /
//! DeleteCertificate, and the box's P-256 key pair with its PKCS#10 CSR
//! (SignCertificate) and PKCS#8 form (the native home's TLS client identity).
//!
//! Pure functions: no I/O, no clock (`now` is passed in), no entropy source (a key is
//! made from 32 bytes the caller supplies). Nothing panics on any input.
//!
//! Signature algorithms: only ecdsa-with-SHA256 over P-256 is verified. RSA
//! (sha256WithRSAEncryption) and ecdsa-with-SHA384 are refused with
//! [`PkiError::UnsupportedAlgorithm`], which names the algorithm: this keeps the big-integer
//! arithmetic of the `rsa` crate (and a second curve) out of every image; a CSMS whose CA
//! is RSA is told so in the InstallCertificate / CertificateSigned answer's log.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use ocpp16::DateTime;
use ocpp16::messages::{CertificateHashData, HashAlgorithm};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

mod der;
mod key;
mod pem;
pub use key::KeyPair;

use der::{Der, Tlv, bad, inside};

const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_P256: &str = "1.2.840.10045.3.1.7";

/// Why a certificate, chain, key or PEM text was refused. `Display` is a sentence for
/// the log and for the CSMS-facing reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PkiError {
    /// The text has no `-----BEGIN CERTIFICATE-----` line.
    NoPem,
    /// More than one certificate where exactly one was expected.
    MoreThanOne(usize),
    /// A PEM block is malformed (base64, missing END line, wrong label).
    BadPem(String),
    /// The DER is not an X.509 certificate.
    BadDer(String),
    /// The certificate's validity starts after `now`.
    NotYetValid(DateTime),
    /// The certificate's validity ended before `now`.
    Expired(DateTime),
    /// A CA was required and basicConstraints cA is not set.
    NotCa,
    /// A root was required and the certificate's issuer is not its subject.
    NotSelfSigned,
    /// The issuer named in a certificate is not the subject of the next one.
    IssuerMismatch {
        /// The certificate's issuer.
        issuer: String,
        /// The subject of the certificate expected to have signed it.
        subject: String,
    },
    /// The signature is well-formed but does not verify with the issuer's key.
    BadSignature,
    /// The certificate is signed with an algorithm this box does not verify.
    UnsupportedAlgorithm(String),
    /// The public key is not a P-256 point.
    UnsupportedKey(String),
    /// A chain was empty.
    EmptyChain,
    /// A secret key (seed or hex) is not a valid P-256 scalar.
    BadSecret,
    /// A CSR subject field is unusable (empty CN).
    BadSubject(String),
}

impl fmt::Display for PkiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoPem => f.write_str("not PEM: no -----BEGIN CERTIFICATE----- line"),
            Self::MoreThanOne(n) => write!(f, "expected one certificate, found {n}"),
            Self::BadPem(why) => write!(f, "malformed PEM: {why}"),
            Self::BadDer(why) => write!(f, "not an X.509 certificate: {why}"),
            Self::NotYetValid(t) => write!(f, "certificate not valid before {t}"),
            Self::Expired(t) => write!(f, "certificate expired on {t}"),
            Self::NotCa => f.write_str("not a CA certificate (basicConstraints cA is not set)"),
            Self::NotSelfSigned => f.write_str("not a root: issuer differs from subject"),
            Self::IssuerMismatch { issuer, subject } => write!(
                f,
                "issuer \"{issuer}\" is not the next certificate's subject \"{subject}\""
            ),
            Self::BadSignature => f.write_str("signature does not verify"),
            Self::UnsupportedAlgorithm(oid) => write!(
                f,
                "signature algorithm {oid}{} is not supported by this box",
                algorithm_name(oid)
            ),
            Self::UnsupportedKey(why) => write!(f, "unsupported public key: {why}"),
            Self::EmptyChain => f.write_str("empty certificate chain"),
            Self::BadSecret => f.write_str("secret is not a valid P-256 scalar"),
            Self::BadSubject(why) => write!(f, "bad CSR subject: {why}"),
        }
    }
}

impl core::error::Error for PkiError {}

fn algorithm_name(oid: &str) -> &'static str {
    match oid {
        "1.2.840.113549.1.1.11" => " (sha256WithRSAEncryption)",
        "1.2.840.113549.1.1.12" => " (sha384WithRSAEncryption)",
        "1.2.840.113549.1.1.13" => " (sha512WithRSAEncryption)",
        "1.2.840.113549.1.1.5" => " (sha1WithRSAEncryption)",
        "1.2.840.113549.1.1.10" => " (RSASSA-PSS)",
        "1.2.840.10045.4.3.3" => " (ecdsa-with-SHA384)",
        "1.2.840.10045.4.3.4" => " (ecdsa-with-SHA512)",
        "1.3.101.112" => " (Ed25519)",
        _ => "",
    }
}

/// An X.509 certificate: its DER and the fields the box reads.
#[derive(Clone, PartialEq)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: Vec<u8>,
    issuer_der: Vec<u8>,
    subject_der: Vec<u8>,
    subject: String,
    issuer: String,
    serial: Vec<u8>,
    not_before: DateTime,
    not_after: DateTime,
    is_ca: bool,
    key_algorithm: String,
    key_curve: Option<String>,
    public_key: Vec<u8>,
    signature_algorithm: String,
    signature: Vec<u8>,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject)
            .field("issuer", &self.issuer)
            .field("serial", &self.serial_hex())
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .field("is_ca", &self.is_ca)
            .finish_non_exhaustive()
    }
}

/// The `-----BEGIN CERTIFICATE-----` … `-----END CERTIFICATE-----` blocks of `pem`, in order.
fn pem_blocks(pem: &str) -> Result<Vec<Vec<u8>>, PkiError> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let after = rest.get(start..).unwrap_or("");
        let Some(end) = after.find(END) else {
            return Err(PkiError::BadPem("no -----END CERTIFICATE----- line".into()));
        };
        let body = after.get(BEGIN.len()..end).unwrap_or("");
        out.push(pem::decode_body(body)?);
        rest = after.get(end + END.len()..).unwrap_or("");
    }
    if out.is_empty() {
        return Err(PkiError::NoPem);
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len() / 2)
        .map(|i| {
            s.get(2 * i..2 * i + 2)
                .and_then(|p| u8::from_str_radix(p, 16).ok())
        })
        .collect()
}

/// An X.509 Time: UTCTime `YYMMDDHHMMSSZ` (years 1950–2049) or GeneralizedTime
/// `YYYYMMDDHHMMSSZ` (RFC 5280 §4.1.2.5: UTC, seconds, no fractions).
fn time(tlv: &Tlv<'_>, what: &str) -> Result<DateTime, PkiError> {
    let text = core::str::from_utf8(tlv.content).map_err(|_| bad(what, "not ASCII"))?;
    let full = match (tlv.tag, text.len()) {
        (der::UTC_TIME, 13) => {
            let yy: u32 = text.get(..2).and_then(|y| y.parse().ok()).unwrap_or(100);
            let century = if yy < 50 { "20" } else { "19" };
            format!("{century}{text}")
        }
        (der::GENERALIZED_TIME, 15) => text.into(),
        _ => return Err(bad(what, "not a UTCTime or GeneralizedTime in UTC")),
    };
    let field = |from: usize, to: usize| full.get(from..to).unwrap_or("");
    if !full.ends_with('Z') || !field(0, 14).bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(what, "not a UTC time with seconds"));
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        field(0, 4),
        field(4, 6),
        field(6, 8),
        field(8, 10),
        field(10, 12),
        field(12, 14)
    );
    let t = DateTime::parse(&rfc3339).map_err(|_| bad(what, "not a valid date"))?;
    // As RustCrypto's `der` reads X.509 times: from the Unix epoch on.
    if t < DateTime::UNIX_EPOCH {
        return Err(bad(what, "before 1970"));
    }
    Ok(t)
}

fn attribute_name(oid: &str) -> &str {
    match oid {
        "2.5.4.3" => "CN",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.6" => "C",
        "2.5.4.8" => "ST",
        "2.5.4.7" => "L",
        "2.5.4.5" => "serialNumber",
        "0.9.2342.19200300.100.1.25" => "DC",
        other => other,
    }
}

/// A Name (SEQUENCE OF SET OF AttributeTypeAndValue), readable: `CN=EVC-0001, O=Acme`.
fn readable_name(name: &Tlv<'_>, what: &str) -> Result<String, PkiError> {
    let mut parts = Vec::new();
    let mut rdns = inside(name);
    while !rdns.is_empty() {
        let set = rdns.expect(der::SET, what)?;
        let mut atvs = inside(&set);
        while !atvs.is_empty() {
            let atv = atvs.expect(der::SEQUENCE, what)?;
            let mut fields = inside(&atv);
            let oid = der::oid_string(fields.expect(der::OID, what)?.content, what)?;
            let value = fields.any(what)?;
            fields.end(what)?;
            let text = String::from_utf8_lossy(value.content);
            parts.push(format!("{}={text}", attribute_name(&oid)));
        }
    }
    Ok(parts.join(", "))
}

/// An AlgorithmIdentifier: its OID and, when present, its parameter as an OID (the
/// named curve of an EC key; `None` for NULL or absent parameters).
fn algorithm(tlv: &Tlv<'_>, what: &str) -> Result<(String, Option<String>), PkiError> {
    let mut fields = inside(tlv);
    let oid = der::oid_string(fields.expect(der::OID, what)?.content, what)?;
    let parameter = match fields.optional(der::OID, what)? {
        Some(curve) => Some(der::oid_string(curve.content, what)?),
        None => {
            let _ = fields.optional(0x05, what)?; // NULL
            None
        }
    };
    fields.end(what)?;
    Ok((oid, parameter))
}

/// basicConstraints cA among the extensions ([3] EXPLICIT SEQUENCE OF Extension).
fn is_ca(extensions: Option<Tlv<'_>>) -> Result<bool, PkiError> {
    const WHAT: &str = "extensions";
    let Some(explicit) = extensions else {
        return Ok(false);
    };
    let mut outer = inside(&explicit);
    let list = outer.expect(der::SEQUENCE, WHAT)?;
    outer.end(WHAT)?;
    let mut list = inside(&list);
    let mut ca = false;
    while !list.is_empty() {
        let ext = list.expect(der::SEQUENCE, "extension")?;
        let mut fields = inside(&ext);
        let oid = fields.expect(der::OID, "extension")?;
        der::oid_string(oid.content, "extension")?;
        if let Some(critical) = fields.optional(der::BOOLEAN, "extension critical")? {
            der::boolean(&critical, "extension critical")?;
        }
        let value = fields.expect(der::OCTET_STRING, "extension value")?;
        fields.end("extension")?;
        if oid.content == [0x55, 0x1d, 0x13] {
            const BC: &str = "basicConstraints";
            let mut value = Der::new(value.content);
            let seq = value.expect(der::SEQUENCE, BC)?;
            value.end(BC)?;
            let mut bc = inside(&seq);
            if let Some(flag) = bc.optional(der::BOOLEAN, BC)? {
                ca = der::boolean(&flag, BC)?;
            }
            if let Some(path_len) = bc.optional(der::INTEGER, BC)? {
                der::unsigned(&path_len, "basicConstraints pathLenConstraint")?;
            }
            bc.end(BC)?;
        }
    }
    Ok(ca)
}

/// An ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) as the 64 bytes r ‖ s.
fn ecdsa_signature(der_bytes: &[u8]) -> Option<Signature> {
    let mut outer = Der::new(der_bytes);
    let seq = outer.expect(der::SEQUENCE, "signature").ok()?;
    outer.end("signature").ok()?;
    let mut fields = inside(&seq);
    let mut raw = [0u8; 64];
    for half in raw.chunks_mut(32) {
        let n = der::unsigned(&fields.expect(der::INTEGER, "signature").ok()?, "signature").ok()?;
        let at = 32usize.checked_sub(n.len())?;
        half.get_mut(at..)?.copy_from_slice(n);
    }
    fields.end("signature").ok()?;
    Signature::from_slice(&raw).ok()
}

impl Certificate {
    /// Exactly one CERTIFICATE block (whitespace around it is tolerated).
    pub fn from_pem(pem: &str) -> Result<Certificate, PkiError> {
        let blocks = pem_blocks(pem)?;
        match blocks.as_slice() {
            [one] => Self::from_der(one),
            more => Err(PkiError::MoreThanOne(more.len())),
        }
    }

    /// One or more CERTIFICATE blocks, in the order given (leaf first).
    pub fn chain_from_pem(pem: &str) -> Result<Vec<Certificate>, PkiError> {
        pem_blocks(pem)?.iter().map(|d| Self::from_der(d)).collect()
    }

    /// A certificate from its DER encoding.
    pub fn from_der(bytes: &[u8]) -> Result<Certificate, PkiError> {
        let mut top = Der::new(bytes);
        let cert = top.expect(der::SEQUENCE, "certificate")?;
        top.end("certificate")?;
        let mut c = inside(&cert);
        let tbs = c.expect(der::SEQUENCE, "tbsCertificate")?;
        let (signature_algorithm, _) = algorithm(
            &c.expect(der::SEQUENCE, "signatureAlgorithm")?,
            "signatureAlgorithm",
        )?;
        let signature = der::bit_string(
            &c.expect(der::BIT_STRING, "signatureValue")?,
            "signatureValue",
        )?;
        c.end("certificate")?;

        let mut t = inside(&tbs);
        if let Some(version) = t.optional(0xa0, "version")? {
            let mut v = inside(&version);
            let n = der::unsigned(&v.expect(der::INTEGER, "version")?, "version")?;
            v.end("version")?;
            if n.len() > 1 || n.first().is_some_and(|n| *n > 2) {
                return Err(bad("version", "not v1, v2 or v3"));
            }
        }
        let serial = der::unsigned(&t.expect(der::INTEGER, "serialNumber")?, "serialNumber")?;
        algorithm(&t.expect(der::SEQUENCE, "signature")?, "signature")?;
        let issuer = t.expect(der::SEQUENCE, "issuer")?;
        let validity = t.expect(der::SEQUENCE, "validity")?;
        let subject = t.expect(der::SEQUENCE, "subject")?;
        let spki = t.expect(der::SEQUENCE, "subjectPublicKeyInfo")?;
        let _ = t.optional(0x81, "issuerUniqueID")?;
        let _ = t.optional(0x82, "subjectUniqueID")?;
        let is_ca = is_ca(t.optional(0xa3, "extensions")?)?;
        t.end("tbsCertificate")?;

        let mut v = inside(&validity);
        let not_before = time(&v.any("notBefore")?, "notBefore")?;
        let not_after = time(&v.any("notAfter")?, "notAfter")?;
        v.end("validity")?;
        let mut k = inside(&spki);
        let (key_algorithm, key_curve) = algorithm(
            &k.expect(der::SEQUENCE, "subjectPublicKeyInfo algorithm")?,
            "subjectPublicKeyInfo algorithm",
        )?;
        let public_key = der::bit_string(
            &k.expect(der::BIT_STRING, "subjectPublicKey")?,
            "subjectPublicKey",
        )?;
        k.end("subjectPublicKeyInfo")?;

        Ok(Certificate {
            der: bytes.to_vec(),
            tbs: tbs.whole.to_vec(),
            issuer_der: issuer.whole.to_vec(),
            subject_der: subject.whole.to_vec(),
            subject: readable_name(&subject, "subject")?,
            issuer: readable_name(&issuer, "issuer")?,
            serial: serial.to_vec(),
            not_before,
            not_after,
            is_ca,
            key_algorithm,
            key_curve,
            public_key: public_key.to_vec(),
            signature_algorithm,
            signature: signature.to_vec(),
        })
    }

    /// The certificate as one PEM block, LF line endings.
    pub fn to_pem(&self) -> String {
        pem::encode("CERTIFICATE", &self.der)
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// basicConstraints cA = true.
    pub fn is_ca(&self) -> bool {
        self.is_ca
    }

    /// Start of validity.
    pub fn not_before(&self) -> DateTime {
        self.not_before
    }

    /// End of validity.
    pub fn not_after(&self) -> DateTime {
        self.not_after
    }

    /// The subject, readable: `CN=EVC-0001, O=Acme` (attributes in certificate order).
    pub fn subject(&self) -> String {
        self.subject.clone()
    }

    /// The issuer, in the same form as [`Certificate::subject`].
    pub fn issuer(&self) -> String {
        self.issuer.clone()
    }

    /// The serial number, lowercase hex without leading zeros (`"0"` for zero).
    pub fn serial_hex(&self) -> String {
        let h = hex(&self.serial);
        let t = h.trim_start_matches('0');
        if t.is_empty() { "0".into() } else { t.into() }
    }

    /// The subjectPublicKey BIT STRING contents (a SEC1 point for EC keys).
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The whitepaper's certificateHashData, with this certificate's own key standing for
    /// the issuer's: exact for a self-signed root (the certificates InstallCertificate
    /// installs); for a certificate issued by another use [`Certificate::hash_data_with_issuer`].
    ///
    /// What is hashed (SHA-256, as OCSP's CertID, RFC 6960 §4.1.1):
    /// - `issuerNameHash`: the DER of the certificate's `issuer` Name (the whole SEQUENCE,
    ///   tag and length included), lowercase hex;
    /// - `issuerKeyHash`: the issuer's subjectPublicKey BIT STRING contents, without tag,
    ///   length or unused-bits byte (for P-256, the 65-byte uncompressed point), lowercase hex;
    /// - `serialNumber`: the serial, lowercase hex without leading zeros.
    pub fn hash_data(&self) -> CertificateHashData {
        self.hash_data_with_key(&self.public_key)
    }

    /// certificateHashData with `issuer`'s key as issuerKeyHash (see [`Certificate::hash_data`]).
    pub fn hash_data_with_issuer(&self, issuer: &Certificate) -> CertificateHashData {
        self.hash_data_with_key(&issuer.public_key)
    }

    fn hash_data_with_key(&self, key: &[u8]) -> CertificateHashData {
        CertificateHashData {
            hash_algorithm: HashAlgorithm::Sha256,
            issuer_name_hash: ocpp16::CiString::truncated(&hex(&Sha256::digest(&self.issuer_der))),
            issuer_key_hash: ocpp16::CiString::truncated(&hex(&Sha256::digest(key))),
            serial_number: ocpp16::CiString::truncated(&self.serial_hex()),
        }
    }

    /// Whether `issuer` signed this certificate: issuer name matches its subject, and the
    /// ecdsa-with-SHA256 signature over the TBSCertificate verifies with its P-256 key.
    pub fn is_signed_by(&self, issuer: &Certificate) -> Result<(), PkiError> {
        if self.issuer_der != issuer.subject_der {
            return Err(PkiError::IssuerMismatch {
                issuer: self.issuer.clone(),
                subject: issuer.subject.clone(),
            });
        }
        if self.signature_algorithm != OID_ECDSA_SHA256 {
            return Err(PkiError::UnsupportedAlgorithm(
                self.signature_algorithm.clone(),
            ));
        }
        if issuer.key_algorithm != OID_EC_PUBLIC_KEY
            || issuer.key_curve.as_deref() != Some(OID_P256)
        {
            return Err(PkiError::UnsupportedKey(format!(
                "issuer key {} {} is not P-256",
                issuer.key_algorithm,
                issuer.key_curve.as_deref().unwrap_or("")
            )));
        }
        let key = verifying_key(&issuer.public_key)?;
        let sig = ecdsa_signature(&self.signature).ok_or(PkiError::BadSignature)?;
        key.verify(&self.tbs, &sig)
            .map_err(|_| PkiError::BadSignature)
    }

    fn check_time(&self, now: DateTime) -> Result<(), PkiError> {
        if now < self.not_before {
            return Err(PkiError::NotYetValid(self.not_before));
        }
        if now > self.not_after {
            return Err(PkiError::Expired(self.not_after));
        }
        Ok(())
    }
}

/// The P-256 key of a certificate's SEC1 point. Only the uncompressed form
/// (`04 ‖ X ‖ Y`) is read: RFC 5480 requires every implementation to take it, the
/// compressed one is optional, and reading it would link a field square root into
/// every image for keys no CA issues.
fn verifying_key(sec1: &[u8]) -> Result<VerifyingKey, PkiError> {
    use p256::elliptic_curve::point::AffineCoordinates;
    let bad = |why: &str| PkiError::UnsupportedKey(why.into());
    match sec1.split_first() {
        Some((2 | 3, _)) => {
            return Err(bad(
                "a compressed P-256 point (only the uncompressed form, RFC 5480, is read)",
            ));
        }
        Some((4, xy)) if xy.len() == 64 => {}
        _ => return Err(bad("not a valid P-256 point")),
    }
    let (x, y) = sec1.get(1..).unwrap_or_default().split_at(32);
    let (x, y) = (
        p256::FieldBytes::try_from(x).map_err(|_| bad("not a valid P-256 point"))?,
        p256::FieldBytes::try_from(y).map_err(|_| bad("not a valid P-256 point"))?,
    );
    Option::from(p256::AffinePoint::from_coordinates(&x, &y))
        .and_then(|point| VerifyingKey::from_affine(point).ok())
        .ok_or_else(|| bad("not a valid P-256 point (not on the curve)"))
}

/// A root the CSMS installs (InstallCertificate CentralSystemRootCertificate): a CA,
/// valid at `now`, self-signed and its signature verifies.
pub fn check_root(root: &Certificate, now: DateTime) -> Result<(), PkiError> {
    root.check_time(now)?;
    if !root.is_ca {
        return Err(PkiError::NotCa);
    }
    if root.issuer_der != root.subject_der {
        return Err(PkiError::NotSelfSigned);
    }
    root.is_signed_by(root)
}

/// CertificateSigned: each certificate valid at `now`, each signed by the next, the last
/// signed by `root` (or being the root) when a root is given; with no root only the links
/// inside the chain are checked.
pub fn verify_chain(
    chain: &[Certificate],
    root: Option<&Certificate>,
    now: DateTime,
) -> Result<(), PkiError> {
    let Some(last) = chain.last() else {
        return Err(PkiError::EmptyChain);
    };
    for cert in chain {
        cert.check_time(now)?;
    }
    for pair in chain.windows(2) {
        if let [child, parent] = pair {
            child.is_signed_by(parent)?;
        }
    }
    if let Some(root) = root
        && last.der != root.der
    {
        root.check_time(now)?;
        last.is_signed_by(root)?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;
    use alloc::{string::ToString, vec};

    #[test]
    fn only_uncompressed_points_on_the_curve_are_keys() {
        let root = Certificate::from_pem(include_str!("../tests/fixtures/pki/root.pem")).unwrap();
        let point = root.public_key().to_vec();
        assert_eq!((point.len(), point[0]), (65, 4));
        assert!(verifying_key(&point).is_ok());
        let mut compressed = vec![2 + (point[64] & 1)];
        compressed.extend_from_slice(&point[1..33]);
        let e = verifying_key(&compressed).unwrap_err().to_string();
        assert!(e.contains("compressed"), "{e}");
        let mut off = point.clone();
        off[64] ^= 1;
        let e = verifying_key(&off).unwrap_err().to_string();
        assert!(e.contains("not on the curve"), "{e}");
        for bad in [&point[..64], &[][..], &[4u8][..], &[0u8; 65][..]] {
            assert!(verifying_key(bad).is_err());
        }
    }
}
