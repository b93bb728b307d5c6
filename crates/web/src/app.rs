//! The page: the wallbox and its EV on the left, the connection settings, the demo
//! CSMS's controls and the protocol trace on the right.

use std::{cell::RefCell, rc::Rc};

use chargepoint::{Fault, HardwareEvent, model::Key};
use gloo_timers::callback::Interval;
use ocpp16::messages::RegistrationStatus;
use yew::{
    Callback, Html, TargetCast, component, html, use_effect_with, use_force_update, use_mut_ref,
    use_state,
};

use crate::{
    panel::Panel,
    settings::SettingsForm,
    sim::{CARDS, SAMPLES, Sim},
    storage::{self, Setup},
    trace::Trace,
};

type Shared = Rc<RefCell<Sim>>;
type Redraw = yew::functional::UseForceUpdateHandle;

/// A button that changes the simulation, then redraws.
fn action(
    sim: &Shared,
    redraw: &Redraw,
    f: impl Fn(&mut Sim) + 'static,
) -> Callback<yew::MouseEvent> {
    let sim = sim.clone();
    let redraw = redraw.clone();
    Callback::from(move |_| {
        f(&mut sim.borrow_mut());
        redraw.force_update();
    })
}

/// The demo CSMS sends a request (only while the box is connected to it).
fn csms_call(s: &mut Sim, name: &str, payload: &str) {
    s.demo_call(name, payload);
}

/// The playground.
#[component]
pub(crate) fn App() -> Html {
    let sim: Shared = use_mut_ref(Sim::new);
    let redraw = use_force_update();
    {
        let sim = sim.clone();
        let redraw = redraw.clone();
        use_effect_with((), move |()| {
            let api = {
                let redraw = redraw.clone();
                crate::api::install(sim.clone(), move || redraw.force_update())
            };
            let interval = Interval::new(200, move || {
                sim.borrow_mut().tick();
                redraw.force_update();
            });
            move || drop((interval, api))
        });
    }
    let s = sim.borrow();
    let cp = s.cp();
    let connector = cp.connector();
    let (status, _, _) = connector.status(true);
    let reading = *cp.reading();
    let session_wh = connector
        .transaction()
        .map_or(0, |t| reading.energy_wh.saturating_sub(t.meter_start_wh));
    let relay_closed = s.world().relay().0;
    let plugged = s.world().ev().is_some();
    let paused = s.world().ev().is_some_and(|ev| ev.paused);
    let soc = s
        .world()
        .ev()
        .map_or(s.ev.soc_permille, chargepoint::world::Ev::soc_permille);
    let tx_id = connector.transaction().and_then(|t| t.transaction_id);
    let overheat = connector.faults().contains(&Fault::HighTemperature);
    let speed = s.speed;
    let demo = matches!(s.home, crate::sim::Home::Demo(..));
    let boot = match &s.home {
        crate::sim::Home::Demo(h, _) => Some(h.csms.script.boot_status),
        crate::sim::Home::Live(_) => None,
    };
    let frames = s.trace();
    let transfers = s.transfer_events();
    let ((firmware, firmware_failure), received) = (s.firmware(), s.received());
    let interval = cp.configuration().int(Key::MeterValueSampleInterval);
    let (led, rejected) = (s.led(), s.rejected_recently());
    let (setup, link, notes) = (s.setup.clone(), s.link(), s.notes().to_vec());
    let socket = setup.variant == chargepoint::model::Variant::Socket;
    let locked = connector.is_locked();
    let ground = connector.faults().contains(&Fault::GroundFailure);
    let ev = s.ev;
    let info = crate::info::view(cp, s.pending_csr(), demo);
    let last_card = s.last_card();
    let (share_link, link_error) = (s.share_link(), s.link_error.clone());
    let net = s.network_faults();
    let mistakes = crate::mistakes::view(&s.mistakes, &setup.id);
    let mistake_count = s.mistakes.total();
    let context = s.template_context();
    let (holding, held) = (s.driver().holding_calls(), s.held());
    let charts = crate::charts::view(
        &s.history,
        s.driver().now().as_millis(),
        &cp.composite_limits(s.driver().now(), 86_400),
        cp.settings().max_current_ma,
    );
    let refuse_all = match &s.home {
        crate::sim::Home::Demo(h, _) => {
            h.csms.script.other_tags != ocpp16::messages::AuthorizationStatus::Accepted
        }
        crate::sim::Home::Live(_) => false,
    };
    drop(s);
    let custom = use_state(|| String::from("MY-CARD-01"));
    let faults_spec = use_state(String::new);
    let faults_error = use_state(String::new);
    let on_faults_spec = {
        let spec = faults_spec.clone();
        Callback::from(move |e: yew::InputEvent| {
            spec.set(
                e.target_unchecked_into::<web_sys::HtmlInputElement>()
                    .value(),
            );
        })
    };
    let apply_faults = {
        let (sim, redraw) = (sim.clone(), redraw.clone());
        let (spec, error) = (faults_spec.clone(), faults_error.clone());
        Callback::from(move |_| {
            let result = sim.borrow_mut().set_network_faults(&spec);
            error.set(result.err().unwrap_or_default());
            redraw.force_update();
        })
    };
    let console_send = {
        let (sim, redraw) = (sim.clone(), redraw.clone());
        Callback::from(move |(action, payload): (String, String)| {
            let answer = sim.borrow_mut().csms_request(&action, &payload);
            redraw.force_update();
            answer.map(|frame| match frame {
                ocpp16::Frame::CallError(e) => format!("CALLERROR {}: {}", e.code, e.description),
                ocpp16::Frame::CallResult(r) => format!("CALLRESULT {}", r.payload),
                ocpp16::Frame::Call(c) => c.action,
            })
        })
    };
    let on_hold = {
        let (sim, redraw) = (sim.clone(), redraw.clone());
        Callback::from(move |op: crate::sim::HoldOp| {
            sim.borrow_mut().hold(op);
            redraw.force_update();
        })
    };
    let send_raw = {
        let (sim, redraw) = (sim.clone(), redraw.clone());
        Callback::from(move |text: String| {
            let sent = sim.borrow_mut().send_raw(&text);
            redraw.force_update();
            sent
        })
    };
    let sample = use_state(|| String::from(SAMPLES[0].1));
    let on_sample = {
        let sample = sample.clone();
        Callback::from(move |e: yew::Event| {
            sample.set(
                e.target_unchecked_into::<web_sys::HtmlSelectElement>()
                    .value(),
            );
        })
    };
    let update_firmware = {
        let file = (*sample).clone();
        action(&sim, &redraw, move |s| s.update_firmware(&file))
    };
    let on_custom = {
        let custom = custom.clone();
        Callback::from(move |e: yew::InputEvent| {
            custom.set(
                e.target_unchecked_into::<web_sys::HtmlInputElement>()
                    .value(),
            );
        })
    };
    let tap_custom = {
        let tag = (*custom).clone();
        action(&sim, &redraw, move |s| s.tap(&tag))
    };
    let ev_option = |label: &'static str, current: u32, phases: u8| {
        let on = ev.max_current_ma == current && ev.phases == phases;
        html! {
            <button class={if on { "speed on" } else { "speed" }} disabled={plugged}
                onclick={action(&sim, &redraw, move |s| { s.ev.max_current_ma = current; s.ev.phases = phases; })}>{label}</button>
        }
    };

    let cards = CARDS.iter().map(|card| {
        let tag = *card;
        html! { <button class="card" onclick={action(&sim, &redraw, move |s| s.tap(tag))}>{format!("Tap {tag}")}</button> }
    });
    let speeds = [1, 10, 60].map(|v| {
        let class = if v == speed { "speed on" } else { "speed" };
        html! { <button class={class} onclick={action(&sim, &redraw, move |s| s.set_speed(v))}>{format!("{v}×")}</button> }
    });
    let on_apply = {
        let (sim, redraw) = (sim.clone(), redraw.clone());
        Callback::from(move |setup: Setup| {
            let speed = sim.borrow().speed;
            sim.borrow_mut().apply_setup(setup);
            sim.borrow_mut().set_speed(speed);
            redraw.force_update();
        })
    };
    let on_reset = {
        let (sim, redraw) = (sim.clone(), redraw.clone());
        Callback::from(move |()| {
            storage::factory_reset();
            *sim.borrow_mut() = Sim::new();
            redraw.force_update();
        })
    };
    html! {
        <main>
            <header>
                <h1>{"EVC Playground"}</h1>
                <p>{"A Teltonika EVC (TeltoCharge) speaking OCPP 1.6-J, running in this tab."}</p>
                <a href="#mistakes" class={if mistake_count == 0 { "mistake-badge none" } else { "mistake-badge" }} id="mistake-badge">
                    {format!("CSMS mistakes: {mistake_count}")}
                </a>
            </header>
            <section class="box">
                <Panel led={led} rejected={rejected} relay_closed={relay_closed} plugged={plugged}
                       reading={reading} session_wh={session_wh} status={status.as_str()} socket={socket} locked={locked} />
                <div class="controls">
                    <h2>{"Car"}</h2>
                    if plugged {
                        <button id="unplug" onclick={action(&sim, &redraw, |s| s.unplug())}>{"Unplug from the car"}</button>
                        <button onclick={action(&sim, &redraw, move |s| s.set_paused(!paused))}>
                            {if paused { "EV resumes" } else { "EV pauses" }}
                        </button>
                    } else {
                        <button id="plug" onclick={action(&sim, &redraw, |s| s.plug())}>{"Plug into the car"}</button>
                    }
                    <p class="ev">{format!("Battery {}.{} %", soc / 10, soc % 10)}</p>
                    <div>{ev_option("32 A · 3 phases", 32_000, 3)}{ev_option("16 A · 3 phases", 16_000, 3)}{ev_option("32 A · 1 phase", 32_000, 1)}</div>
                    <h2>{"RFID"}</h2>
                    <div class="cards">{ for cards }</div>
                    if let Some((tag, ok)) = last_card {
                        <p class={if ok { "card-result ok" } else { "card-result refused" }} id="card-result">
                            {format!("{tag}: {}", if ok { "accepted" } else { "refused" })}
                        </p>
                    }
                    <div class="custom">
                        <input id="custom-card" value={(*custom).clone()} oninput={on_custom} />
                        <button id="tap-custom" onclick={tap_custom}>{"Tap"}</button>
                    </div>
                    <h2>{"Faults"}</h2>
                    <button onclick={action(&sim, &redraw, move |s| {
                        let e = if overheat { HardwareEvent::FaultCleared(Fault::HighTemperature) } else { HardwareEvent::FaultRaised(Fault::HighTemperature) };
                        s.hardware(vec![e]);
                    })}>{if overheat { "Clear overtemperature" } else { "Inject overtemperature" }}</button>
                    <button onclick={action(&sim, &redraw, move |s| {
                        let e = if ground { HardwareEvent::FaultCleared(Fault::GroundFailure) } else { HardwareEvent::FaultRaised(Fault::GroundFailure) };
                        s.hardware(vec![e]);
                    })}>{if ground { "Clear ground failure" } else { "Inject ground failure" }}</button>
                    <h2>{"Firmware"}</h2>
                    <p class="firmware" id="firmware">{firmware}</p>
                    if let Some(why) = firmware_failure {
                        <p class="hint firmware-failure" id="firmware-failure">{why}</p>
                    }
                    <h2>{"Time"}</h2>
                    <div>{ for speeds }</div>
                </div>
            </section>
            <section class="csms">
                <SettingsForm setup={setup} link={link} on_apply={on_apply} on_reset={on_reset} />
                <div class="row share">
                    <input id="share-link" readonly=true value={share_link.clone()} aria-label="Link to this setup" />
                    <button id="copy-link" onclick={crate::info::copy(share_link)}>{"Copy link"}</button>
                </div>
                <p class="hint">{"The link holds the CSMS URL, id, variant, speed and EV, never the AuthorizationKey."}</p>
                if !demo {
                    <h2>{"Network faults"}</h2>
                    <div class="row">
                        <input id="net-faults" placeholder="seed=7 latency=200 drop=5 duplicate=2 reorder=5" value={(*faults_spec).clone()} oninput={on_faults_spec} />
                        <button id="apply-faults" onclick={apply_faults}>{"Apply"}</button>
                    </div>
                    if !faults_error.is_empty() { <p class="error" id="faults-error">{(*faults_error).clone()}</p> }
                    if let Some((dropped, duplicated, reordered)) = net {
                        <p class="hint" id="fault-counts">{format!("{dropped} dropped, {duplicated} duplicated, {reordered} reordered (both ways); the same seed repeats the run")}</p>
                    }
                }
                <crate::expert::RawFrame on_send={send_raw} context={context.clone()} holding={holding} held={held} on_hold={on_hold} />
                if let Some(why) = link_error {
                    <p class="error" id="link-error">{format!("The link was not applied: {why}")}</p>
                }
                { for notes.iter().rev().take(3).map(|n| html! { <p class="note">{n.clone()}</p> }) }
                if demo {
                    <h2>{"Demo CSMS"}</h2>
                    <p>{format!("Transaction: {}  ·  sample interval {interval} s", tx_id.map_or_else(|| "none".to_string(), |id| format!("#{id}")))}</p>
                    <div class="row">
                        <button onclick={action(&sim, &redraw, |s| csms_call(s, "RemoteStartTransaction", r#"{"connectorId":1,"idTag":"APP-USER"}"#))}>{"RemoteStart"}</button>
                        <button onclick={action(&sim, &redraw, move |s| csms_call(s, "RemoteStopTransaction", &format!(r#"{{"transactionId":{}}}"#, tx_id.unwrap_or(0))))}>{"RemoteStop"}</button>
                        <button onclick={action(&sim, &redraw, |s| csms_call(s, "UnlockConnector", r#"{"connectorId":1}"#))}>{"UnlockConnector"}</button>
                        <button id="authorize-answer" onclick={action(&sim, &redraw, move |s| {
                            if let Some(h) = s.demo() {
                                h.csms.script.other_tags = if refuse_all {
                                    ocpp16::messages::AuthorizationStatus::Accepted
                                } else {
                                    ocpp16::messages::AuthorizationStatus::Invalid
                                };
                            }
                        })}>{if refuse_all { "Cards: refuse all" } else { "Cards: accept" }}</button>
                        <button onclick={action(&sim, &redraw, move |s| {
                            if let Some(h) = s.demo() {
                                h.csms.script.boot_status = if boot == Some(RegistrationStatus::Accepted) { RegistrationStatus::Rejected } else { RegistrationStatus::Accepted };
                            }
                        })}>{format!("Boot answer: {:?}", boot.unwrap_or(RegistrationStatus::Accepted))}</button>
                    </div>
                    <div class="row fw">
                        <select id="fw-sample" onchange={on_sample}>
                            { for SAMPLES.iter().map(|(label, file)| html! {
                                <option value={*file} selected={*sample == *file}>{format!("firmware {label}")}</option>
                            }) }
                        </select>
                        <button id="update-firmware" onclick={update_firmware}>{"Update firmware"}</button>
                        <button id="get-diagnostics" onclick={action(&sim, &redraw, Sim::get_diagnostics)}>{"Get diagnostics"}</button>
                    </div>
                    if chargepoint::CERTIFICATES {
                        <div class="row">
                            <button id="install-root" onclick={action(&sim, &redraw, Sim::install_root)}>{"Install root certificate"}</button>
                            <button id="request-certificate" onclick={action(&sim, &redraw, Sim::request_certificate)}>{"Request a certificate"}</button>
                        </div>
                        <p class="hint">{"The demo CSMS does not sign: it holds no CA key, so its certificate request ends at the box's CSR (shown below); connect a real CSMS for CertificateSigned."}</p>
                    }
                    <crate::console::Console context={context} on_send={console_send} />
                    if !received.is_empty() {
                        <ul class="received" id="received">
                            { for received.iter().rev().map(|r| html! {
                                <li>
                                    {"Received "}<a class="diagnostics" href={r.url.clone()} download={r.file.clone()}>{r.file.clone()}</a>
                                    {format!(" ({} bytes) · ", r.bytes)}
                                    <a href={r.url.clone()} target="_blank" rel="noopener">{"open"}</a>
                                </li>
                            }) }
                        </ul>
                    }
                }
                {mistakes}
                <h2>{"Frames"}</h2>
                <Trace frames={frames} transfers={transfers} />
            </section>
            {charts}
            {info}
        </main>
    }
}
