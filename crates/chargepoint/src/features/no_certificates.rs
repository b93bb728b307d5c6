//! An image built without the `certificates` feature (the product MCU image: no room for
//! the P-256 and X.509 code): InstallCertificate, GetInstalledCertificateIds and
//! CertificateSigned are NotSupported (no rows), no CSR is ever made, and the box
//! presents no certificate of its own. An installed root could only come from a stored
//! state; its PEM is still handed to the home as a trusted root.

use alloc::{string::String, vec::Vec};
use ocpp16::{Action, messages::GenericStatus};

use super::Handler;
use crate::{engine::ChargePoint, interface::ClientIdentity, time::Instant};

/// No certificate rows.
pub(crate) const HANDLERS: &[(Action, Handler)] = &[];

impl ChargePoint {
    /// Key entropy for a key pair: this image makes none, so it is ignored.
    pub fn provide_key_seed(&mut self, seed: [u8; 32]) {
        let _ = seed;
    }

    /// The installed root's PEM; never a client identity.
    pub(crate) fn tls_material(&self, _profile: i64) -> (Vec<String>, Option<ClientIdentity>) {
        let roots = self.security.root().map(String::from).into_iter().collect();
        (roots, None)
    }

    /// No key generation in this image.
    pub(crate) fn send_csr(&mut self, now: Instant) -> bool {
        self.security_note(
            now,
            String::from("no CSR: this image has no certificate support"),
        );
        false
    }

    /// Never asked (no CSR is sent); logged if a CSMS answers anyway.
    pub(crate) fn csr_answered(&mut self, now: Instant, status: GenericStatus) {
        self.security_note(
            now,
            alloc::format!("SignCertificate answered {}", status.as_str()),
        );
    }
}
