//! A charge point for a CSMS team's own `#[wasm_bindgen_test]`s: the tab's live home
//! (`Live`: the engine's driver, the emulated EV and meter, the browser's WebSocket and
//! localStorage) without the page, driven with the verbs of `window.evc`, and async
//! waits that tick the box while they wait.
//!
//! ```ignore
//! let mut cp = TestChargePoint::connect("ws://127.0.0.1:9000/", "TC-0001")?;
//! cp.wait_for_connected(10_000).await?;
//! cp.plug();
//! cp.tap("04A2B3C4D5");
//! cp.wait_for_status(ChargePointStatus::Charging, 30_000).await?;
//! ```
//!
//! One per page: it stores its state under the page's localStorage keys (as the tab
//! does), so [`TestChargePoint::connect`] starts from a factory reset.

use chargepoint::{Driver, Fault, HardwareEvent, world::EvSpec};
use gloo_timers::future::TimeoutFuture;
use ocpp16::{frame::Frame, messages::ChargePointStatus};

use crate::{
    live::Live,
    storage::{self, Setup},
};

/// A frame as the trace holds it, with the action it carries or answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitFrame {
    /// Sent by the charge point (else by the CSMS).
    pub from_cp: bool,
    /// The action (for a result: its CALL's).
    pub action: Option<String>,
    /// 2, 3 or 4 (CALL, CALLRESULT, CALLERROR); 0 when it is not OCPP-J.
    pub kind: u8,
    /// The text on the wire.
    pub text: String,
}

/// The charge point of a test.
pub struct TestChargePoint {
    live: Live,
}

fn real_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

impl TestChargePoint {
    /// Powers a fresh box on (factory reset) against `csms_url` (ws:// or wss://; the id
    /// is appended as the product does) with charge point id `id`.
    pub fn connect(csms_url: &str, id: &str) -> Result<Self, String> {
        storage::check_url(csms_url)?;
        if id.is_empty() || id.chars().count() > 20 {
            return Err(format!("charge point id \"{id}\": 1 to 20 characters"));
        }
        storage::factory_reset();
        let url = if csms_url.ends_with('/') {
            csms_url.to_string()
        } else {
            format!("{csms_url}/")
        };
        let setup = Setup {
            url,
            id: id.into(),
            ..Setup::default()
        };
        Ok(Self {
            live: Live::new(&setup, 1, false),
        })
    }

    /// The driver (engine, world, trace), to read anything the verbs do not show.
    pub fn driver(&self) -> &Driver {
        self.live.driver()
    }

    /// Connector 1's status as the box reports it.
    pub fn status(&self) -> ChargePointStatus {
        self.driver().cp().connector().status(true).0
    }

    /// Whether the WebSocket is open.
    pub fn connected(&self) -> bool {
        self.live.connected()
    }

    /// Plugs the default EV in.
    pub fn plug(&mut self) {
        self.live.with_world(|w| w.plug(EvSpec::default()));
    }

    /// Unplugs it.
    pub fn unplug(&mut self) {
        self.live.with_world(chargepoint::world::World::unplug);
    }

    /// The EV pauses or resumes drawing.
    pub fn pause_ev(&mut self, paused: bool) {
        self.live.with_world(|w| w.set_paused(paused));
    }

    /// An RFID card at the reader.
    pub fn tap(&mut self, id_tag: &str) {
        self.live
            .hardware(vec![HardwareEvent::RfidTap(id_tag.into())]);
    }

    /// Raises or clears a hardware fault.
    pub fn fault(&mut self, fault: Fault, active: bool) {
        let event = if active {
            HardwareEvent::FaultRaised(fault)
        } else {
            HardwareEvent::FaultCleared(fault)
        };
        self.live.hardware(vec![event]);
    }

    /// Time speed (1 = real time).
    pub fn set_speed(&mut self, speed: u32) {
        self.live.set_speed(speed.max(1));
    }

    /// Drops the link as a network fault would; the box reconnects by itself.
    pub fn drop_link(&mut self) {
        self.live.drop_link();
    }

    /// The frames both ways, oldest first (the latest few hundred).
    pub fn trace(&self) -> Vec<KitFrame> {
        let mut calls: Vec<(bool, String, String)> = Vec::new();
        self.driver()
            .trace()
            .map(|t| {
                let (kind, id, action) = match ocpp16::frame::parse(&t.text) {
                    Ok(Frame::Call(c)) => (2, c.id, Some(c.action)),
                    Ok(Frame::CallResult(r)) => (3, r.id, None),
                    Ok(Frame::CallError(e)) => (4, e.id, None),
                    Err(_) => (0, String::new(), None),
                };
                let action = match (kind, action) {
                    (2, Some(a)) => {
                        calls.push((t.from_cp, id, a.clone()));
                        Some(a)
                    }
                    (3 | 4, _) => calls
                        .iter()
                        .rev()
                        .find(|(from, call, _)| *from != t.from_cp && *call == id)
                        .map(|(_, _, a)| a.clone()),
                    _ => None,
                };
                KitFrame {
                    from_cp: t.from_cp,
                    action,
                    kind,
                    text: t.text.clone(),
                }
            })
            .collect()
    }

    /// Ticks the box for `ms` of real time.
    pub async fn run_for(&mut self, ms: u32) {
        let end = real_ms() + f64::from(ms);
        while real_ms() < end {
            self.live.tick();
            TimeoutFuture::new(20).await;
        }
        self.live.tick();
    }

    async fn until(
        &mut self,
        what: &str,
        timeout_ms: u32,
        mut done: impl FnMut(&Self) -> bool,
    ) -> Result<(), String> {
        let end = real_ms() + f64::from(timeout_ms);
        loop {
            self.live.tick();
            if done(self) {
                return Ok(());
            }
            if real_ms() > end {
                return Err(format!("no {what} within {timeout_ms} ms"));
            }
            TimeoutFuture::new(20).await;
        }
    }

    /// Waits until the WebSocket is open.
    pub async fn wait_for_connected(&mut self, timeout_ms: u32) -> Result<(), String> {
        self.until("connection", timeout_ms, Self::connected).await
    }

    /// Waits until connector 1 reports `status`.
    pub async fn wait_for_status(
        &mut self,
        status: ChargePointStatus,
        timeout_ms: u32,
    ) -> Result<(), String> {
        self.until(&format!("status {status:?}"), timeout_ms, |cp| {
            cp.status() == status
        })
        .await
    }

    /// Waits for a frame of `action` (kind 2 CALL, 3 CALLRESULT, 4 CALLERROR) from the
    /// charge point (`from_cp`) or the CSMS that was not in the trace when the wait began;
    /// returns its text.
    pub async fn wait_for_frame(
        &mut self,
        action: &str,
        kind: u8,
        from_cp: bool,
        timeout_ms: u32,
    ) -> Result<String, String> {
        let matches = |f: &KitFrame| {
            f.kind == kind && f.from_cp == from_cp && f.action.as_deref() == Some(action)
        };
        let before = self.trace().iter().filter(|f| matches(f)).count();
        let what = format!("{action} frame of kind {kind}");
        self.until(&what, timeout_ms, |cp| {
            cp.trace().iter().filter(|f| matches(f)).count() > before
        })
        .await?;
        self.trace()
            .into_iter()
            .rev()
            .find(|f| matches(f))
            .map(|f| f.text)
            .ok_or(what)
    }
}
