//! The page's test API for Playwright / Puppeteer: `window.evc` (`www/evc.js`, typed by
//! `www/evc.d.ts`) is a thin JavaScript layer over one function this module installs,
//! `window.__evc(verb, argJson) -> replyJson`, which drives the same [`Sim`] the panel's
//! buttons drive. A reply is `{"ok": …}` or `{"error": "…"}` (the JS layer throws it);
//! waits (for a status, for a frame) poll from JS, so nothing here blocks the page.

use std::{cell::RefCell, rc::Rc};

use chargepoint::{Fault, HardwareEvent, model::Variant};
use core::fmt::Write;
use wasm_bindgen::{JsValue, prelude::Closure};

use crate::{
    json::{Fields, Json},
    sim::{HoldOp, Sim},
    storage,
};

type Shared = Rc<RefCell<Sim>>;

/// Every fault the panel's fault input knows, by its OCPP-facing name.
const FAULTS: [Fault; 11] = [
    Fault::HighTemperature,
    Fault::GroundFailure,
    Fault::OverCurrent,
    Fault::UnderVoltage,
    Fault::OverVoltage,
    Fault::PowerMeter,
    Fault::PowerSwitch,
    Fault::Reader,
    Fault::ConnectorLock,
    Fault::EvCommunication,
    Fault::Internal,
];

/// `window.__evc` while the panel is mounted; dropping it removes the function.
pub(crate) struct Installed(
    #[allow(dead_code, reason = "kept alive for JS")] Closure<dyn FnMut(String, String) -> String>,
);

impl Drop for Installed {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = js_sys::Reflect::delete_property(&w, &JsValue::from_str("__evc"));
        }
    }
}

/// Installs `window.__evc` over `sim`; `redraw` runs after every verb.
pub(crate) fn install(sim: Shared, redraw: impl Fn() + 'static) -> Option<Installed> {
    let closure =
        Closure::<dyn FnMut(String, String) -> String>::new(move |verb: String, arg: String| {
            let reply = match Fields::parse(if arg.is_empty() { "{}" } else { &arg }) {
                Ok(arg) => handle(&sim, &verb, &arg),
                Err(e) => Err(format!("the argument is not a JSON object: {e}")),
            };
            redraw();
            let mut out = Json::new();
            match reply {
                Ok(ok) => out.raw("ok", &ok),
                Err(error) => out.str("error", &error),
            }
            out.end()
        });
    let window = web_sys::window()?;
    js_sys::Reflect::set(&window, &JsValue::from_str("__evc"), closure.as_ref()).ok()?;
    Some(Installed(closure))
}

fn text(arg: &Fields, field: &str) -> Result<String, String> {
    arg.get::<String>(field)
        .and_then(Result::ok)
        .ok_or_else(|| format!("needs \"{field}\", a string"))
}

/// An optional string field: absent, or a string.
fn text_if(arg: &Fields, field: &str) -> Result<Option<String>, String> {
    arg.get::<String>(field)
        .transpose()
        .map_err(|_| format!("\"{field}\" must be a string"))
}

fn flag(arg: &Fields, field: &str, default: bool) -> Result<bool, String> {
    match arg.get::<bool>(field) {
        None => Ok(default),
        Some(Ok(b)) => Ok(b),
        Some(Err(_)) => Err(format!("\"{field}\" must be true or false")),
    }
}

/// Each verb's result as JSON text.
fn handle(sim: &Shared, verb: &str, arg: &Fields) -> Result<String, String> {
    let mut s = sim.borrow_mut();
    match verb {
        "state" => {}
        "configure" => configure(&mut s, arg)?,
        "plug" if s.world().ev().is_some() => return Err("an EV is already plugged in".into()),
        "plug" => match arg.raw("ev") {
            None => s.plug(),
            Some(ev) => s.plug_ev(ev_spec(ev)?),
        },
        "unplug" | "pause" if s.world().ev().is_none() => {
            return Err("no EV is plugged in".into());
        }
        "unplug" => s.unplug(),
        "pause" => s.set_paused(flag(arg, "paused", true)?),
        "tap" => {
            let tag = text(arg, "idTag")?;
            if tag.is_empty() || tag.chars().count() > 20 {
                return Err("\"idTag\" must be 1 to 20 characters (IdToken)".into());
            }
            s.tap(&tag);
        }
        "fault" => {
            let name = text(arg, "fault")?;
            let Some(fault) = FAULTS.into_iter().find(|f| format!("{f:?}") == name) else {
                let names: Vec<String> = FAULTS.iter().map(|f| format!("{f:?}")).collect();
                return Err(format!(
                    "unknown fault \"{name}\"; one of {}",
                    names.join(", ")
                ));
            };
            let event = if flag(arg, "active", true)? {
                HardwareEvent::FaultRaised(fault)
            } else {
                HardwareEvent::FaultCleared(fault)
            };
            s.hardware(vec![event]);
        }
        "speed" => {
            let speed = arg
                .get::<u64>("speed")
                .and_then(Result::ok)
                .filter(|v| (1..=3600).contains(v))
                .and_then(|v| u32::try_from(v).ok())
                .ok_or("\"speed\" must be an integer from 1 to 3600")?;
            s.set_speed(speed);
        }
        "dropLink" => s.drop_link(),
        "offline" => s.set_offline(flag(arg, "on", true)?),
        "scenarioLink" => s.scenario = text_if(arg, "scenario")?,
        "networkFaults" => s.set_network_faults(&text(arg, "spec")?)?,
        "csms" => return csms(&mut s, arg),
        "trace" => return Ok(trace(&s)),
        "sendRaw" => s.send_raw(&text(arg, "text")?)?,
        "hold" => {
            s.hold(HoldOp::Set(flag(arg, "on", true)?));
        }
        "held" => return Ok(held(&s)),
        "release" | "dropHeld" => {
            let id = text(arg, "id")?;
            let op = if verb == "release" {
                HoldOp::Release(id.clone())
            } else {
                HoldOp::Drop(id.clone())
            };
            if !s.hold(op) {
                return Err(format!("no CALL with id \"{id}\" is held"));
            }
        }
        "mistakes" => {
            s.collect_mistakes();
            return Ok(s.mistakes.to_json(&s.setup.id));
        }
        "factoryReset" => {
            storage::factory_reset();
            *s = Sim::new();
        }
        other => {
            return Err(format!(
                "unknown verb \"{other}\"; one of state, configure, plug, unplug, tap, pause, \
                 fault, speed, dropLink, offline, scenarioLink, networkFaults, csms, sendRaw, hold, held, release, dropHeld, \
                 trace, mistakes, factoryReset"
            ));
        }
    }
    Ok(state(&s))
}

/// The demo CSMS sends a CALL: the box's answer frame.
fn csms(s: &mut Sim, arg: &Fields) -> Result<String, String> {
    let action = text(arg, "action")?;
    let payload = arg.raw("payload").unwrap_or("{}");
    let mut out = Json::new();
    match s.csms_request(&action, payload)? {
        ocpp16::frame::Frame::CallError(e) => {
            let mut error = Json::new();
            error.str("code", &e.code);
            error.str("description", &e.description);
            out.raw("error", &error.end());
        }
        ocpp16::frame::Frame::CallResult(r) => out.raw("result", &r.payload),
        ocpp16::frame::Frame::Call(_) => {}
    }
    Ok(out.end())
}

/// An EV as a scenario gives it: `{"batteryWh", "socPermille", "maxCurrentMa",
/// "phases", "targetPermille"}`, each in the range the runner's scenarios allow.
fn ev_spec(json: &str) -> Result<chargepoint::world::EvSpec, String> {
    let ev = Fields::parse(json).map_err(|e| format!("\"ev\" is not an object: {e}"))?;
    let field = |name: &str, lo: u32, hi: u32| {
        ev.get::<u64>(name)
            .and_then(Result::ok)
            .and_then(|v| u32::try_from(v).ok())
            .filter(|v| (lo..=hi).contains(v))
            .ok_or_else(|| format!("\"ev.{name}\" must be an integer from {lo} to {hi}"))
    };
    let small = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
    let phases = field("phases", 1, 3)?;
    if phases == 2 {
        return Err("\"ev.phases\" must be 1 or 3".into());
    }
    Ok(chargepoint::world::EvSpec {
        battery_wh: field("batteryWh", 1_000, 1_000_000)?,
        soc_permille: small(field("socPermille", 0, 1000)?),
        max_current_ma: field("maxCurrentMa", 6_000, 80_000)?,
        phases: u8::try_from(phases).unwrap_or(3),
        target_permille: small(field("targetPermille", 0, 1000)?),
    })
}

fn configure(s: &mut Sim, arg: &Fields) -> Result<(), String> {
    let mut setup = s.setup.clone();
    if let Some(url) = text_if(arg, "url")? {
        if !url.is_empty() {
            storage::check_url(&url)?;
        }
        setup.url = if url.is_empty() || url.ends_with('/') {
            url
        } else {
            format!("{url}/")
        };
    }
    if let Some(id) = arg.get::<String>("id") {
        let id = id.ok().filter(|i| !i.is_empty() && i.chars().count() <= 20);
        setup.id = id.ok_or("\"id\" must be 1 to 20 characters")?;
    }
    if let Some(variant) = arg.get::<String>("variant") {
        setup.variant = variant
            .ok()
            .and_then(|v| Variant::parse(&v))
            .ok_or("\"variant\" must be \"tethered\" or \"socket\"")?;
    }
    if let Some(key) = text_if(arg, "key")? {
        setup.key = key;
    }
    let speed = s.speed;
    s.apply_setup(setup);
    s.set_speed(speed);
    Ok(())
}

fn state(s: &Sim) -> String {
    let cp = s.cp();
    let connector = cp.connector();
    let (status, error, _) = connector.status(true);
    let tx = connector.transaction();
    let reading = cp.reading();
    let ev = s.world().ev();
    let mut o = Json::new();
    o.str("id", &s.setup.id);
    o.str("url", &s.setup.url);
    o.str("variant", s.setup.variant.as_str());
    o.str("home", if s.demo_home() { "demo" } else { "live" });
    o.str("link", &s.link());
    o.num(
        "accepted",
        cp.registration() == chargepoint::Registration::Accepted,
    );
    o.num("connected", s.connected());
    // The OCPP names (`SuspendedEV`), as www/evc.d.ts types them.
    o.str("status", status.as_str());
    o.str("errorCode", &format!("{error:?}"));
    o.opt("transactionId", tx.and_then(|t| t.transaction_id));
    o.opt(
        "sessionWh",
        tx.map(|t| reading.energy_wh.saturating_sub(t.meter_start_wh)),
    );
    o.num("meterWh", reading.energy_wh);
    o.num("plugged", ev.is_some());
    o.num("paused", ev.is_some_and(|e| e.paused));
    o.opt("socPermille", ev.map(chargepoint::world::Ev::soc_permille));
    o.num("relayClosed", s.world().relay().0);
    o.str("led", &format!("{:?}", s.led()));
    o.num("speed", s.speed);
    o.str("firmware", &s.firmware().0);
    match s.last_card() {
        Some((tag, accepted)) => {
            let mut card = Json::new();
            card.str("idTag", &tag);
            card.num("accepted", accepted);
            o.raw("lastCard", &card.end());
        }
        None => o.raw("lastCard", "null"),
    }
    o.num("ms", s.driver().now().as_millis());
    o.str("shareLink", &s.share_link());
    o.opt_str("linkScenario", s.scenario.as_deref());
    match s.network_faults() {
        Some((dropped, duplicated, reordered)) => {
            let mut f = Json::new();
            f.num("dropped", dropped);
            f.num("duplicated", duplicated);
            f.num("reordered", reordered);
            o.raw("networkFaults", &f.end());
        }
        None => o.raw("networkFaults", "null"),
    }
    o.end()
}

/// The CSMS's CALLs held, oldest first: `[{"id", "action", "heldMs", "frame"}]`.
fn held(s: &Sim) -> String {
    let frames: Vec<String> = s
        .driver()
        .held_calls()
        .zip(s.held())
        .map(|(c, (_, _, ms))| {
            let mut o = Json::new();
            o.str("id", &c.id);
            o.str("action", &c.action);
            o.num("heldMs", ms);
            o.str("frame", &c.text);
            o.end()
        })
        .collect();
    format!("[{}]", frames.join(","))
}

/// The frames both ways, oldest first, as `[ms, wall time, from the box, text]`
/// (`www/evc.js` reads their kind, id and action).
fn trace(s: &Sim) -> String {
    let mut out = String::from("[");
    for (t, wall) in s.trace() {
        if out.len() > 1 {
            out.push(',');
        }
        let _ = write!(out, "[{},", t.at.as_millis());
        ocpp16::codec::write_str(&mut out, &wall);
        let _ = write!(out, ",{},", t.from_cp);
        ocpp16::codec::write_str(&mut out, &t.text);
        out.push(']');
    }
    out.push(']');
    out
}
