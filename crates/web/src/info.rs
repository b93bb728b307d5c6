//! What a CSMS developer wants to see of the box: the configuration as the CSMS sees
//! it, the local authorization list and cache, and the transaction in progress.

use chargepoint::ChargePoint;
use yew::{Html, html};

/// The three views, from the engine as it is now.
pub(crate) fn view(cp: &ChargePoint) -> Html {
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
        </section>
    }
}
