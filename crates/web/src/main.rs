//! The browser playground: a virtual Teltonika EVC wallbox in a tab.
//!
//! The same `chargepoint` engine as the native runner and the firmware runs here in the
//! page, against the built-in demo CSMS (the engine's harness: a scripted CSMS over an
//! in-memory link), in real time sped up 1×, 10× or 60×.

mod app;
mod live;
mod panel;
mod settings;
mod sim;
mod storage;
mod trace;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
