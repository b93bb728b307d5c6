//! The browser playground: a virtual Teltonika EVC wallbox in a tab.
//!
//! The same `chargepoint` engine as the native runner and the firmware runs here in the
//! page, against the built-in demo CSMS (the engine's harness: a scripted CSMS over an
//! in-memory link) or a real CSMS over the browser's WebSocket, in real time sped up 1×,
//! 10× or 60×.

mod api;
mod app;
mod charts;
mod console;
mod expert;
mod info;
mod json;
pub mod kit;
pub mod live;
mod mistakes;
pub mod netfault;
mod panel;
mod replay;
mod settings;
mod share;
mod sim;
pub mod storage;
mod templates;
mod trace;
pub mod transfer;

/// Mounts the page.
pub fn run() {
    yew::Renderer::<app::App>::new().render();
}
