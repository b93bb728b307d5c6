#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
//! The front panel's light follows the product's LED indicators: white rolling while
//! booting, white pulsing available, blue pulsing waiting for a card, blue from the
//! middle waiting for the EV, green rolling charging, green steady suspended or finished,
//! red in the pattern of the fault's class.

use chargepoint::{
    Command, Fault, FaultClass, HardwareEvent, Led, Settings, harness::Harness, model::Variant,
    world::EvSpec,
};

fn led(h: &Harness) -> Led {
    h.commands
        .iter()
        .rev()
        .find_map(|(_, c)| match c {
            Command::Indicator(l) if *l != Led::Rejected => Some(*l),
            _ => None,
        })
        .unwrap()
}

#[test]
fn the_light_follows_the_products_led_indicators() {
    let mut h = Harness::new(Settings::new("TC-LED-1", Variant::Tethered));
    h.run_for(0);
    assert!(
        h.commands
            .iter()
            .any(|(_, c)| *c == Command::Indicator(Led::Booting))
    );
    h.run_for(5_000);
    assert_eq!(led(&h), Led::Available);
    // Card first: no authorization needed any more, waiting for the EV.
    h.tap("04A2B3C4D5");
    h.run_for(2_000);
    assert_eq!(led(&h), Led::WaitingForEv);
    h.plug(EvSpec::default());
    h.run_for(5_000);
    assert_eq!(led(&h), Led::Charging);
    h.with_world(|w| w.set_paused(true));
    h.run_for(5_000);
    assert_eq!(led(&h), Led::Suspended);
    h.with_world(|w| w.set_paused(false));
    h.run_for(5_000);
    assert_eq!(led(&h), Led::Charging);
    for (fault, class) in [
        (Fault::HighTemperature, FaultClass::Temperature),
        (Fault::GroundFailure, FaultClass::Leakage),
        (Fault::UnderVoltage, FaultClass::InputVoltage),
        (Fault::OverCurrent, FaultClass::Output),
        (Fault::EvCommunication, FaultClass::Connectivity),
        (Fault::PowerSwitch, FaultClass::Other),
    ] {
        h.hardware(vec![HardwareEvent::FaultRaised(fault)]);
        h.run_for(1_000);
        assert_eq!(led(&h), Led::Fault(class), "{fault:?}");
        h.hardware(vec![HardwareEvent::FaultCleared(fault)]);
        h.run_for(1_000);
    }
    // Stopped by the card with the cable in: finished, green steady.
    h.tap("04A2B3C4D5");
    h.run_for(3_000);
    assert_eq!(
        h.cp().connector().status(true).0,
        ocpp16::messages::ChargePointStatus::Finishing
    );
    assert_eq!(led(&h), Led::Suspended);
    h.unplug();
    h.run_for(3_000);
    assert_eq!(led(&h), Led::Available);
    // EV first: waiting for a card.
    h.plug(EvSpec::default());
    h.run_for(2_000);
    assert_eq!(led(&h), Led::WaitingForAuthorization);
}
