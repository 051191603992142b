//! Sweeps the wheel's level-0 tick (`WheelConfig::tick_shift`) and prints
//! what each costs: start+stop of timers an hour out, firing 10^5 timers
//! spread over 100 ms and over 10 s with a check every millisecond, and
//! resetting a pending timer to a later time. The default tick was chosen
//! from this (see `gowheel_wheel::WheelConfig`'s module doc).
//!
//! `cargo run --release -p gowheel-benches --bin tick_sweep`

use gowheel::{TimingWheel, WheelConfig, callback};
use std::hint::black_box;
use std::time::Instant;

const HOUR: i64 = 3_600_000_000_000;

fn main() {
    println!(
        "tick_shift | start+stop ns/pair | fire ns/timer (10^5 over 100 ms, 1 ms checks) | reset-later ns | fire ns/timer (10^5 over 10 s, 1 ms checks)"
    );
    for shift in [6u32, 8, 10, 12, 14, 16, 20] {
        let config = WheelConfig::default().tick_shift(shift).stripes(1);
        // start+stop
        let wheel = TimingWheel::new(config);
        let noop = callback(|_, _| {});
        let rounds = 300;
        let t = Instant::now();
        for r in 0..rounds {
            let timers: Vec<_> = (0..1000)
                .map(|i| wheel.start_timer(noop.clone(), 1_000_000 + HOUR + i, 0))
                .collect();
            for timer in &timers {
                black_box(wheel.stop(timer));
            }
            drop(timers);
            black_box(wheel.check(1_000_000 + r));
        }
        let start_stop = t.elapsed().as_nanos() as f64 / (rounds * 1000) as f64;
        // firing
        let fire = |span: i64| {
            let wheel = TimingWheel::new(config);
            let n = 100_000i64;
            let base = 1_000_000i64;
            let timers: Vec<_> = (0..n)
                .map(|i| wheel.start_timer(noop.clone(), base + (i * 7919 % n) * span / n + 1, 0))
                .collect();
            let t = Instant::now();
            let mut now = base;
            while now <= base + span + 1_000_000 {
                now += 1_000_000;
                black_box(wheel.check(now));
            }
            let ns = t.elapsed().as_nanos() as f64 / n as f64;
            drop(timers);
            ns
        };
        let fire_short = fire(100_000_000);
        let fire_long = fire(10_000_000_000);
        // reset later
        let wheel = TimingWheel::new(config);
        let timer = wheel.start_timer(noop.clone(), 1_000_000 + HOUR, 0);
        let mut when = 1_000_000 + HOUR;
        let n = 5_000_000;
        let t = Instant::now();
        for _ in 0..n {
            when += 1000;
            black_box(wheel.reset(&timer, when, 0));
        }
        let reset = t.elapsed().as_nanos() as f64 / n as f64;
        println!(
            "{shift:>10} | {start_stop:>18.1} | {fire_short:>45.1} | {reset:>14.1} | {fire_long:>42.1}"
        );
    }
}
