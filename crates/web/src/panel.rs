//! The front panel: an SVG wallbox with the status light, relay LED, display and cable.

use chargepoint::{FaultClass, Led, MeterReading};
use yew::{Html, Properties, component, html};

/// What the panel shows.
#[derive(Properties, PartialEq, Clone)]
pub(crate) struct PanelProps {
    pub(crate) led: Led,
    pub(crate) rejected: bool,
    pub(crate) relay_closed: bool,
    pub(crate) plugged: bool,
    pub(crate) reading: MeterReading,
    pub(crate) session_wh: u64,
    pub(crate) status: String,
    /// The socket variant (cable inserted only while plugged; a lock).
    pub(crate) socket: bool,
    /// The socket's cable lock is closed.
    pub(crate) locked: bool,
}

fn led_class(led: Led) -> &'static str {
    match led {
        Led::Booting => "led white rolling",
        Led::Available => "led white pulsing",
        Led::WaitingForAuthorization => "led blue pulsing",
        Led::WaitingForEv => "led blue middle",
        Led::Charging => "led green rolling",
        Led::Suspended => "led green",
        Led::Fault(FaultClass::InputVoltage) => "led red f1",
        Led::Fault(FaultClass::Output) => "led red f2",
        Led::Fault(FaultClass::Leakage) => "led red f3",
        Led::Fault(FaultClass::Connectivity) => "led red f4",
        Led::Fault(FaultClass::Temperature) => "led red f5",
        Led::Fault(FaultClass::Other) | Led::Rejected => "led red",
        Led::Unavailable => "led off",
    }
}

fn tenths(milli: i64) -> String {
    let t = milli / 100;
    format!("{}.{}", t / 10, (t % 10).abs())
}

/// The wallbox.
#[component]
pub(crate) fn Panel(p: &PanelProps) -> Html {
    let r = &p.reading;
    let amps = i64::from(r.current_ma.iter().copied().max().unwrap_or(0));
    let class = if p.rejected {
        "led red blink"
    } else {
        led_class(p.led)
    };
    let kw = tenths(i64::from(r.power_w));
    html! {
        <svg class="wallbox" viewBox="0 0 320 420" role="img" aria-label="Teltonika EVC wallbox">
            <rect x="40" y="20" width="200" height="300" rx="28" class="body" />
            <text x="140" y="62" class="brand">{"TELTONIKA"}</text>
            <circle cx="140" cy="130" r="46" class={class} id="status-light" />
            <circle cx="140" cy="130" r="32" class="led-core" />
            <text x="140" y="136" class="led-label">{p.status.clone()}</text>
            <rect x="70" y="196" width="140" height="84" rx="8" class="display" />
            <text x="80" y="216" class="readout" id="energy">{format!("{} kWh", tenths(i64::try_from(p.session_wh).unwrap_or(0)))}</text>
            <text x="80" y="236" class="readout" id="current">{format!("{} A  {} kW", tenths(amps), kw)}</text>
            <text x="80" y="256" class="readout">{format!("{} V", tenths(i64::from(r.voltage_dv[0]) * 100))}</text>
            <text x="80" y="274" class="readout">{format!("{} °C", tenths(i64::from(r.temperature_dc) * 100))}</text>
            <circle cx="214" cy="300" r="6" class={if p.relay_closed { "relay on" } else { "relay" }} id="relay-led" />
            <text x="198" y="304" class="tiny">{"relay"}</text>
            if p.socket {
                <circle cx="140" cy="306" r="10" class="socket" />
                <text x="96" y="304" class={if p.locked { "lock on" } else { "lock" }} id="lock">{if p.locked { "LOCKED" } else { "unlocked" }}</text>
                if p.plugged {
                    <path d="M140 316 C 140 380, 260 360, 290 395" class="cable" />
                    <rect x="278" y="388" width="22" height="14" rx="4" class="plug" />
                }
            } else {
                <path d={if p.plugged { "M140 320 C 140 380, 260 360, 290 395" } else { "M140 320 C 140 380, 120 390, 150 405" }} class="cable" />
                <rect x={if p.plugged { "278" } else { "140" }} y={if p.plugged { "388" } else { "398" }} width="22" height="14" rx="4" class="plug" />
            }
        </svg>
    }
}
