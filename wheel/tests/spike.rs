//! Memory that comes back: after a spike of timers that are all stopped
//! and dropped, a bounded amount of work (the checks a sweep pass takes,
//! each doing a bounded share) returns the node storage to the allocator,
//! down to at most twice what the timers still live need, or 1 MiB.
//!
//! CI runs it with 200,000 timers; `GOWHEEL_SPIKE_TIMERS` sets the size
//! (the full-size run is 5,000,000, a command in the README).
#![cfg(not(loom))]

use gowheel_wheel::{TimingWheel, WheelConfig, WheelTimer, callback};

const NODE_BYTES: usize = 64;
const FLOOR_BYTES: usize = 1 << 20;

fn spike_size() -> usize {
    std::env::var("GOWHEEL_SPIKE_TIMERS")
        .ok()
        .and_then(|timers| timers.parse().ok())
        .unwrap_or(200_000)
}

/// The most node storage `live` timers may keep held.
fn allowed_bytes(live: usize) -> usize {
    (2 * live * NODE_BYTES).max(FLOOR_BYTES)
}

#[test]
fn node_storage_comes_back_after_a_spike() {
    let spike = spike_size();
    let wheel = TimingWheel::new(WheelConfig::default().stripes(2));
    // A few long-lived timers that stay throughout.
    let steady: Vec<WheelTimer> = (0..1_000)
        .map(|i| wheel.start_timer(callback(|_, _| {}), 3_600_000_000_000 + i, 0))
        .collect();
    for round in 0..2 {
        let timers: Vec<WheelTimer> = (0..spike)
            .map(|i| {
                let when = 1_000_000_000 + (i as i64 * 7_919) % 4_000_000_000;
                wheel.start_timer(callback(|_, _| {}), when, 0)
            })
            .collect();
        let peak = wheel.stats();
        assert!(
            peak.node_bytes >= spike * NODE_BYTES,
            "round {round}: the spike needs its nodes: {peak:?}"
        );
        for timer in &timers {
            assert!(wheel.stop(timer));
        }
        drop(timers);
        // The bounded amount of work: checks at the times they ask for,
        // before any deadline, each sweeping one share; as many as a sweep
        // pass of the slab takes (its places over the share), and a few.
        let mut at = 1;
        for _ in 0..spike / 256 + 16 {
            let wake = wheel.check(at);
            at = match wheel.maintenance_time() {
                0 => wake,
                maintenance => wake.min(maintenance),
            };
            if at >= 1_000_000_000 {
                break; // nothing asked for before the first deadline
            }
        }
        wheel.verify();
        let after = wheel.stats();
        assert_eq!(after.filed, steady.len(), "round {round}: {after:?}");
        assert!(
            after.node_bytes <= allowed_bytes(after.timers),
            "round {round}: {} bytes held for {} timers after the spike (peak {} bytes)",
            after.node_bytes,
            after.timers,
            peak.node_bytes
        );
    }
    assert_eq!(wheel.stats().timers, steady.len());
}
