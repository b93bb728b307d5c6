//! The board's side of the driver: what every image does with
//! [`chargepoint::Driver`]'s ordered output, so that neither image re-codes it.

use alloc::string::String;
use core::sync::atomic::{AtomicUsize, Ordering};

use chargepoint::{Command, Driver, Output};
use embedded_hal::digital::OutputPin;

use crate::{
    files::Transfers,
    hal::{FileTransfer, ImageSlot, Outputs, Store, Transport},
};

/// The length of the last durable state written.
static LAST_STATE: AtomicUsize = AtomicUsize::new(0);

/// What one pass over the output did, for an image that checks itself.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Carried {
    /// Durable states written.
    pub persisted: u32,
    /// Durable states the store had no room for.
    pub store_full: u32,
    /// The relay was told to close.
    pub relay_closed: bool,
}

/// Carries out everything the driver asks, in its order (the durable state before the
/// frames that depend on it): the store, the transport, the pins, the file transfers
/// (the link to the CSMS carries them too: the modem holds both).
pub fn carry_out<R, K, LR, LG, LB, S>(
    driver: &mut Driver,
    real: u64,
    transport: &mut (impl Transport + FileTransfer),
    outputs: &mut Outputs<R, K, LR, LG, LB>,
    store: &mut impl Store,
    files: &mut Transfers<S>,
) -> Carried
where
    R: OutputPin,
    K: OutputPin,
    LR: OutputPin,
    LG: OutputPin,
    LB: OutputPin,
    S: ImageSlot,
{
    let mut carried = Carried::default();
    while let Some(output) = driver.poll_output() {
        match output {
            Output::Persist(p) => {
                // A full store keeps the last state written; the engine carries on.
                // Sized after the last state written (plus an eighth), so the text is
                // not copied while it grows.
                let hint = LAST_STATE.load(Ordering::Relaxed);
                let json = driver.durable_state().to_json_sized(hint + hint / 8 + 64);
                LAST_STATE.store(json.len(), Ordering::Relaxed);
                let saved = store.save("state", json.as_bytes());
                drop(json);
                carried.persisted += u32::from(saved.is_ok());
                carried.store_full += u32::from(saved.is_err());
                driver.persisted(p.token, saved.map_err(|_| String::from("store full")));
            }
            Output::Send(text) => transport.send(&text),
            Output::Open(params) => {
                if transport.open(&params) {
                    driver.opened(real);
                } else {
                    driver.open_failed(real, "the link cannot be opened");
                }
            }
            Output::Close => transport.close(),
            Output::Hardware(command) => {
                carried.relay_closed |= matches!(command, Command::SetRelay { closed: true, .. });
                outputs.apply(&command);
            }
            Output::Job(job) => files.start(driver, real, transport, job),
            Output::Ping | Output::Event(_) => {}
        }
    }
    carried
}
