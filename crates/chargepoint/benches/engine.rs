//! Cost of the engine: one step (a CSMS frame in, the answer out), an idle second of a
//! charging session, and the memory a charging charge point holds (BENCHMARKS.md).
//!
//! `cargo bench -p chargepoint --bench engine` (or `cargo xtask bench`).

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    missing_docs,
    reason = "a benchmark"
)]

use std::{alloc::System, hint::black_box};

use chargepoint::{ChargePoint, Settings, harness::Harness, model::Variant, world::EvSpec};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

/// Counts heap bytes, to measure what a charge point holds.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A harness with a charging EV, metering all six measurands every 5 s.
fn charging() -> Harness {
    let mut settings = Settings::new("EVC-0001", Variant::Tethered);
    settings.trace_frames = false;
    let mut h = Harness::new(settings);
    h.run_for(5_000);
    let all = "Energy.Active.Import.Register,Current.Import,Current.Offered,Temperature,Voltage,Power.Active.Import";
    h.call(
        "ChangeConfiguration",
        json!({"key": "MeterValuesSampledData", "value": all}),
    );
    h.call(
        "ChangeConfiguration",
        json!({"key": "StopTxnSampledData", "value": all}),
    );
    h.call(
        "ChangeConfiguration",
        json!({"key": "MeterValueSampleInterval", "value": "5"}),
    );
    h.tap("CARD1");
    h.plug(EvSpec::default());
    h.run_for(600_000);
    h.trace.clear();
    h.commands.clear();
    h.events.clear();
    h.csms.received.clear();
    h
}

/// Heap held by one charging engine: everything allocated while building the session,
/// less everything freed once all but the engine is dropped (spare capacity included).
fn engine_heap() -> (isize, isize, usize) {
    let live = |r: &Region<'_, System>| {
        let c = r.change();
        isize::try_from(c.bytes_allocated).unwrap() - isize::try_from(c.bytes_deallocated).unwrap()
    };
    let region = Region::new(GLOBAL);
    let h = charging();
    // Everything but the engine (the driver's queues, the world, the CSMS, the records)
    // goes with the harness.
    let cp = h.into_cp();
    let held = live(&region);
    let region = Region::new(GLOBAL);
    let copy = cp.clone();
    let compact = live(&region);
    drop(copy);
    drop(cp);
    (held, compact, std::mem::size_of::<ChargePoint>())
}

fn bench(c: &mut Criterion) {
    let (heap, compact, size) = engine_heap();
    println!(
        "memory: ChargePoint struct {size} B inline; heap while charging (6 measurands every 5 s, 10 min in): {heap} B held, {compact} B after a compacting clone"
    );

    let mut h = charging();
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(1));
    let frame =
        r#"[2,"b1","GetConfiguration",{"key":["HeartbeatInterval","MeterValueSampleInterval"]}]"#;
    g.bench_function("step_frame_in_answer_out", |b| {
        b.iter(|| {
            let now = h.now;
            h.cp_mut().handle_frame(now, black_box(frame));
            let mut n = 0;
            while let Some(out) = h.cp_mut().poll_transmit() {
                n += out.len();
            }
            while h.cp_mut().poll_event().is_some() {}
            n
        });
    });
    let remote = r#"[2,"b2","DataTransfer",{"vendorId":"Acme","messageId":"x","data":"hello"}]"#;
    g.bench_function("step_small_call", |b| {
        b.iter(|| {
            let now = h.now;
            h.cp_mut().handle_frame(now, black_box(remote));
            while h.cp_mut().poll_transmit().is_some() {}
            while h.cp_mut().poll_event().is_some() {}
        });
    });
    g.finish();

    // One second of a charging session in virtual time: meter readings, a sample every
    // 5 s answered by the scripted CSMS, everything the harness does around it.
    let mut g = c.benchmark_group("session");
    g.throughput(Throughput::Elements(1));
    g.bench_function("charging_second_with_harness", |b| {
        b.iter(|| {
            h.run_for(1_000);
            h.trace.clear();
            h.csms.received.clear();
            h.commands.clear();
            h.events.clear();
        });
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1)).sample_size(30);
    targets = bench
}
criterion_main!(benches);
