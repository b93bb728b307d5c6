//! The Security extension's certificates (OCPP 1.6 Security Whitepaper ed. 2, through
//! [`crate::pki`]): InstallCertificate, GetInstalledCertificateIds, the box's CSR
//! (SignCertificate) and CertificateSigned. The state (root, pending key, the box's
//! own certificate) is [`crate::security`]'s.
//!
//! Choices:
//! - Only `CentralSystemRootCertificate` is kept (contract); `ManufacturerRootCertificate`
//!   is `Rejected`. A root must parse, be a CA, self-signed and valid on the wall clock
//!   ([`crate::pki::check_root`]); otherwise `Rejected`, the reason in the security log
//!   and as a warning.
//! - The store holds 1 (CertificateStoreMaxLength) and DeleteCertificate is not
//!   supported, so a new root *replaces* the installed one rather than being refused
//!   for a full store: refusing would leave a CSMS no way to renew its root. (With
//!   AdditionalRootCertificateCheck 0 the whitepaper asks no signature of the old root
//!   over the new one.) Each install is a `ReconfigurationOfSecurityParameters`.
//! - The CSR: on ExtendedTriggerMessage(SignChargePointCertificate) and when the CSMS
//!   changes CpoName (the O of the certificate the whitepaper puts CpoName in), the box
//!   makes a new P-256 key, keeps it durably as pending (a newer CSR replaces it) and
//!   sends SignCertificate with CN = the charge point id, O = CpoName. A `Rejected`
//!   answer is logged. The key's 32 seed bytes come from the home's
//!   [`ChargePoint::provide_key_seed`] when it gave some (a CSPRNG), else from the
//!   engine's generator.
//! - CertificateSigned is `Accepted` only when the leaf's key is the pending key and
//!   the chain verifies up to the installed root on the wall clock; without a pending
//!   key or an installed root it is `Rejected`. The certificate and its key are kept
//!   durably; at SecurityProfile 3 the box reconnects to present it.
//! - No private key reaches a frame, a log line, an event or a `Debug` output.

use alloc::{format, string::String, vec, vec::Vec};
use ocpp16::{Action, Request, WireError, messages::*};

use super::{Handler, rows, security::SecurityEvent};
use crate::{
    engine::ChargePoint,
    interface::{ClientIdentity, Command},
    model::Key,
    pki::{self, Certificate, KeyPair},
    session::Purpose,
    time::Instant,
};

/// The certificate rows of the dispatch table.
pub(crate) const HANDLERS: &[(Action, Handler)] = rows![
    InstallCertificate => |cp, now, r| Ok(cp.install_certificate(now, &r)),
    GetInstalledCertificateIds => |cp, _, r| Ok(cp.installed_certificate_ids(&r)),
    CertificateSigned => |cp, now, r| Ok(cp.certificate_signed(now, &r)),
];

impl ChargePoint {
    /// 32 bytes from the home's cryptographic generator for the next key pair the box
    /// makes (used once). Without them the engine's own generator, which is not
    /// cryptographic, fills the seed.
    pub fn provide_key_seed(&mut self, seed: [u8; 32]) {
        self.security.set_key_seed(seed);
    }

    /// The installed root, parsed.
    fn installed_root(&self) -> Option<Certificate> {
        Certificate::from_pem(self.security.root()?).ok()
    }

    /// The trusted roots and the client identity the connection should use.
    pub(crate) fn tls_material(&self, profile: i64) -> (Vec<String>, Option<ClientIdentity>) {
        let roots = self.security.root().map(String::from).into_iter().collect();
        let identity =
            self.security
                .identity()
                .filter(|_| profile == 3)
                .and_then(|(chain, secret)| {
                    let key = KeyPair::from_secret_hex(secret).ok()?;
                    Some(ClientIdentity {
                        certificate_chain_pem: String::from(chain),
                        private_key_pem: key.private_key_pem(),
                    })
                });
        (roots, identity)
    }

    fn refuse_certificate(&mut self, now: Instant, why: String) {
        self.warn(why.clone());
        self.security_note(now, why);
    }

    fn install_certificate(
        &mut self,
        now: Instant,
        r: &InstallCertificateRequest,
    ) -> InstallCertificateResponse {
        let checked = if r.certificate_type != CertificateUse::CentralSystemRootCertificate {
            Err(String::from(
                "this box keeps only a CentralSystemRootCertificate, not a ManufacturerRootCertificate",
            ))
        } else {
            Certificate::from_pem(&r.certificate)
                .and_then(|c| pki::check_root(&c, self.wall_clock(now)).map(|()| c))
                .map_err(|e| format!("{e}"))
        };
        let cert = match checked {
            Ok(cert) => cert,
            Err(why) => {
                self.refuse_certificate(now, format!("InstallCertificate refused: {why}"));
                return InstallCertificateResponse {
                    status: InstallCertificateStatus::Rejected,
                };
            }
        };
        let replaced = self
            .installed_root()
            .map(|old| format!("; it replaces {} (store of 1)", old.subject()))
            .unwrap_or_default();
        self.security.set_root(cert.to_pem());
        self.changed();
        let info = format!(
            "CentralSystemRootCertificate {} (serial {}, until {}) installed{replaced}",
            cert.subject(),
            cert.serial_hex(),
            cert.not_after()
        );
        self.security_event(
            now,
            SecurityEvent::ReconfigurationOfSecurityParameters,
            Some(info),
        );
        InstallCertificateResponse {
            status: InstallCertificateStatus::Accepted,
        }
    }

    fn installed_certificate_ids(
        &self,
        r: &GetInstalledCertificateIdsRequest,
    ) -> GetInstalledCertificateIdsResponse {
        let root = self
            .installed_root()
            .filter(|_| r.certificate_type == CertificateUse::CentralSystemRootCertificate);
        match root {
            Some(root) => GetInstalledCertificateIdsResponse {
                certificate_hash_data: Some(vec![root.hash_data()]),
                status: GetInstalledCertificateStatus::Accepted,
            },
            None => GetInstalledCertificateIdsResponse {
                certificate_hash_data: None,
                status: GetInstalledCertificateStatus::NotFound,
            },
        }
    }

    /// A new key pair and its CSR in a SignCertificate; whether it was queued.
    pub(crate) fn send_csr(&mut self, now: Instant) -> bool {
        let seed = self.security.take_key_seed().unwrap_or_else(|| {
            let mut seed = [0u8; 32];
            self.rng.fill(&mut seed);
            seed
        });
        let serial = self.settings.identity.serial.clone();
        let cpo = String::from(self.config.text(Key::CpoName));
        let made = KeyPair::from_seed(&seed).and_then(|key| {
            let csr = key.csr_pem(&serial, &cpo)?;
            Ok((key.secret_hex(), csr))
        });
        let (secret, csr) = match made {
            Ok(made) => made,
            Err(e) => {
                self.refuse_certificate(now, format!("no CSR sent: {e}"));
                return false;
            }
        };
        let Ok(csr) = ocpp16::CiString::<5500>::new(csr) else {
            self.refuse_certificate(now, String::from("no CSR sent: it exceeds 5500 characters"));
            return false;
        };
        let replaced = if self.security.pending_key().is_some() {
            " (replaces the key of the previous CSR)"
        } else {
            ""
        };
        self.security.set_pending_key(Some(secret));
        self.changed();
        self.security_note(
            now,
            format!("CSR sent for a new key, CN={serial}, O={cpo}{replaced}"),
        );
        let request = SignCertificateRequest { csr };
        self.session
            .push(Request::SignCertificate(request), Purpose::Triggered);
        true
    }

    /// The CSMS answered our SignCertificate.
    pub(crate) fn csr_answered(&mut self, now: Instant, status: GenericStatus) {
        let line = match status {
            GenericStatus::Accepted => {
                String::from("SignCertificate Accepted: waiting for CertificateSigned")
            }
            GenericStatus::Rejected => {
                let why =
                    String::from("SignCertificate Rejected by the CSMS: no certificate will come");
                self.warn(why.clone());
                why
            }
        };
        self.security_note(now, line);
    }

    fn certificate_signed(
        &mut self,
        now: Instant,
        r: &CertificateSignedRequest,
    ) -> CertificateSignedResponse {
        match self.check_signed(now, &r.certificate_chain) {
            Ok((secret, leaf)) => {
                self.security
                    .set_identity(String::from(r.certificate_chain.as_str()), secret);
                self.security.set_pending_key(None);
                self.changed();
                let profile = self.config.int(Key::SecurityProfile);
                let mut line = format!(
                    "CertificateSigned accepted: {} (serial {}, until {})",
                    leaf.subject(),
                    leaf.serial_hex(),
                    leaf.not_after()
                );
                if profile == 3 {
                    line.push_str("; reconnecting to present it");
                }
                self.security_note(now, line);
                if profile == 3 {
                    self.commands.push_back(Command::Disconnect);
                    self.handle_disconnected(now);
                }
                CertificateSignedResponse {
                    status: CertificateSignedStatus::Accepted,
                }
            }
            Err(why) => {
                self.refuse_certificate(now, format!("CertificateSigned rejected: {why}"));
                CertificateSignedResponse {
                    status: CertificateSignedStatus::Rejected,
                }
            }
        }
    }

    /// The checks of CertificateSigned: the pending key's secret and the leaf, or why not.
    fn check_signed(&self, now: Instant, pem: &str) -> Result<(String, Certificate), String> {
        let secret = self
            .security
            .pending_key()
            .ok_or_else(|| String::from("no CSR is waiting for a certificate"))?;
        let key = KeyPair::from_secret_hex(secret).map_err(|e| format!("{e}"))?;
        let chain = Certificate::chain_from_pem(pem).map_err(|e| format!("{e}"))?;
        let leaf = chain
            .first()
            .ok_or_else(|| String::from("the chain holds no certificate"))?;
        if leaf.public_key() != key.public_key().as_slice() {
            return Err(String::from(
                "the certificate is not for the key of the CSR this box sent",
            ));
        }
        let root = self.installed_root().ok_or_else(|| {
            String::from("no CentralSystemRootCertificate is installed to verify it against")
        })?;
        pki::verify_chain(&chain, Some(&root), self.wall_clock(now))
            .map_err(|e| format!("the chain does not verify up to the installed root: {e}"))?;
        Ok((String::from(secret), leaf.clone()))
    }
}
