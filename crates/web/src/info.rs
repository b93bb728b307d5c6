//! What a CSMS developer wants to see of the box: the configuration as the CSMS sees
//! it, the local authorization list and cache, the transaction in progress, and the
//! Security extension's certificates (the installed root, the box's own certificate,
//! a pending CSR, the security profile). No private key is ever read here: the engine
//! has no getter for one.

use chargepoint::{ChargePoint, model::Key, pki::Certificate};
use yew::{Callback, Html, html};

/// Copies `text` to the clipboard.
pub(crate) fn copy(text: String) -> Callback<yew::MouseEvent> {
    Callback::from(move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&text);
        }
    })
}

/// Subject, issuer, validity and serial of a certificate, as table rows.
fn certificate_rows(c: &Certificate) -> Html {
    html! {
        <>
            <tr><td>{"subject"}</td><td class="subject">{c.subject()}</td></tr>
            <tr><td>{"issuer"}</td><td class="issuer">{c.issuer()}</td></tr>
            <tr><td>{"valid"}</td><td>{format!("{} to {}", c.not_before(), c.not_after())}</td></tr>
            <tr><td>{"serial"}</td><td>{c.serial_hex()}</td></tr>
        </>
    }
}

/// The certificate card: what the box holds of the Security extension's PKI.
/// `csr` is the pending CSR (PEM), `demo` whether the demo CSMS is the box's CSMS.
fn certificates(cp: &ChargePoint, csr: Option<String>, demo: bool) -> Html {
    let profile = cp.configuration().int(Key::SecurityProfile);
    let fallback = cp.security().fallback();
    let root = cp.installed_root();
    let own = cp.own_certificate().unwrap_or_default();
    let pending = cp.csr_pending();
    html! {
        <div class="certs" id="certificates">
            <h2>{"Certificates (Security extension)"}</h2>
            <p id="security-profile">{format!("Security profile {profile}")}{match profile {
                0 => " (no authentication)",
                1 => " (Basic auth over ws://)",
                2 => " (Basic auth over TLS)",
                _ => " (TLS with a client certificate)",
            }}{fallback.map(|p| format!("; falls back to {p} if it cannot connect")).unwrap_or_default()}</p>
            <p class="hint">{"A browser page cannot present a client certificate, so security profile 3 (mutual TLS) cannot be used from this tab; the CSR / CertificateSigned flow still works here, and the native runner evc uses the certificate for mTLS."}</p>
            if !chargepoint::CERTIFICATES {
                <p class="hint" id="no-certificates">{"This build of the tab leaves the certificate code out (it was built with --no-default-features): InstallCertificate, GetInstalledCertificateIds and CertificateSigned are answered NotSupported here. The default page and the native runner evc have them."}</p>
            }
            <div class="cert-grid">
                <div>
                    <h2>{"CentralSystemRootCertificate"}</h2>
                    if let Some(root) = &root {
                        <table id="root-certificate">
                            {certificate_rows(root)}
                            { {
                                let h = root.hash_data();
                                html! { <>
                                    <tr><td>{"hashAlgorithm"}</td><td>{h.hash_algorithm.as_str()}</td></tr>
                                    <tr><td>{"issuerNameHash"}</td><td>{h.issuer_name_hash.as_str()}</td></tr>
                                    <tr><td>{"issuerKeyHash"}</td><td>{h.issuer_key_hash.as_str()}</td></tr>
                                    <tr><td>{"serialNumber"}</td><td>{h.serial_number.as_str()}</td></tr>
                                </> }
                            } }
                        </table>
                        <p class="hint">{"The hash data is what GetInstalledCertificateIds reports."}</p>
                    } else {
                        <p class="hint" id="root-certificate">{"none installed (InstallCertificate)"}</p>
                    }
                </div>
                <div>
                    <h2>{"The box's certificate"}</h2>
                    if let Some(leaf) = own.first() {
                        <table id="own-certificate">
                            {certificate_rows(leaf)}
                            <tr><td>{"chain"}</td><td>{format!("{} certificate(s)", own.len())}</td></tr>
                        </table>
                    } else {
                        <p class="hint" id="own-certificate">{"none yet (CertificateSigned, after the box's CSR)"}</p>
                    }
                </div>
                <div>
                    <h2>{"Pending CSR"}</h2>
                    if pending {
                        <p id="csr-status">{"SignCertificate sent; waiting for CertificateSigned"}</p>
                        if demo {
                            <p class="hint">{"The demo CSMS does not sign; connect a real CSMS."}</p>
                        }
                        if let Some(csr) = csr {
                            <textarea id="csr" readonly=true rows="8" value={csr.clone()} />
                            <button class="copy" onclick={copy(csr)}>{"Copy CSR"}</button>
                        }
                    } else {
                        <p class="hint" id="csr-status">{"none (ExtendedTriggerMessage SignChargePointCertificate)"}</p>
                    }
                </div>
            </div>
        </div>
    }
}

/// The views, from the engine as it is now; `csr` is the pending CSR (PEM), `demo`
/// whether the box is on the demo CSMS.
pub(crate) fn view(cp: &ChargePoint, csr: Option<String>, demo: bool) -> Html {
    let config = cp
        .configuration()
        .get(&[], &cp.settings().limits)
        .ok()
        .and_then(|r| r.configuration_key)
        .unwrap_or_default();
    let list = cp.local_list();
    let cache = cp.cache();
    let tx = cp.connector().transaction();
    html! {
        <section class="info" id="info">
            <div>
                <h2>{"Configuration (as GetConfiguration answers)"}</h2>
                <div class="scroll"><table id="config">
                    { for config.iter().map(|k| html! {
                        <tr>
                            <td>{k.key.to_string()}</td>
                            <td class={if k.readonly { "ro" } else { "" }}>{k.value.as_ref().map(ToString::to_string).unwrap_or_default()}{if k.readonly { " (read-only)" } else { "" }}</td>
                        </tr>
                    }) }
                </table></div>
            </div>
            <div>
                <h2>{format!("Local list v{} ({} of 50)", list.version, list.entries.len())}</h2>
                <div class="scroll"><table>
                    { for list.entries.iter().map(|e| html! { <tr><td>{e.id_tag.to_string()}</td><td>{e.info.status.as_str()}</td></tr> }) }
                </table></div>
                <h2>{format!("Authorization cache ({} of 20)", cache.entries.len())}</h2>
                <div class="scroll"><table id="cache">
                    { for cache.entries.iter().rev().map(|e| html! { <tr><td>{e.id_tag.to_string()}</td><td>{e.info.status.as_str()}</td></tr> }) }
                </table></div>
            </div>
            <div>
                <h2>{"Transaction"}</h2>
                if let Some(tx) = tx {
                    <table id="transaction">
                        <tr><td>{"id"}</td><td>{tx.transaction_id.map_or_else(|| String::from("(awaiting the CSMS)"), |id| id.to_string())}</td></tr>
                        <tr><td>{"idTag"}</td><td>{tx.id_tag.to_string()}</td></tr>
                        <tr><td>{"started"}</td><td>{tx.started_at.to_rfc3339()}</td></tr>
                        <tr><td>{"meterStart"}</td><td>{format!("{} Wh", tx.meter_start_wh)}</td></tr>
                        <tr><td>{"energy"}</td><td>{if tx.energy_allowed { "allowed" } else { "suspended: idTag refused" }}</td></tr>
                    </table>
                } else {
                    <p class="hint">{"none"}</p>
                }
                <h2>{"Undelivered transaction messages"}</h2>
                <p id="outbox">{cp.durable_state().outbox.len()}</p>
            </div>
            {certificates(cp, csr, demo)}
        </section>
    }
}
