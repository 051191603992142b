//! The sweep that purges stopped timers, a bounded share of the slab at a
//! time: on a slab about the size of what is filed, and on one that a past
//! peak left far larger (so that a share finds few zombies). Either way
//! every live timer must keep its deadline, modifications included, and
//! every stopped one must go.
#![cfg(not(loom))]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use gowheel_wheel::{TimingWheel, WheelConfig, WheelTimer, callback};

/// Fires recorded as `(timer index, deadline it ran for)`.
type Log = Arc<Mutex<Vec<(usize, i64)>>>;

/// One stripe, with Go's lazy stops, so that every stop leaves a zombie
/// for the sweep (a wheel that unlinks at once leaves it nothing to do).
fn one_stripe_wheel() -> TimingWheel {
    TimingWheel::new(WheelConfig::default().stripes(1).unlink_on_stop(false))
}

fn logging_timer(
    wheel: &TimingWheel,
    log: &Log,
    index: usize,
    now: &Arc<Mutex<i64>>,
) -> WheelTimer {
    let (log, now) = (log.clone(), now.clone());
    wheel.new_timer(callback(move |_seq, delay| {
        let when = *now.lock().unwrap() - delay;
        log.lock().unwrap().push((index, when));
    }))
}

/// Arms 400 timers, moves a third earlier and a third later, then stops
/// every other one, which passes the purge threshold again and again; then
/// fires everything and checks that exactly the live timers ran, each once
/// at its final deadline.
fn arm_modify_stop_and_fire(wheel: &TimingWheel) {
    const TIMERS: usize = 400;
    let log: Log = Arc::default();
    let now = Arc::new(Mutex::new(0));
    let timers: Vec<WheelTimer> = (0..TIMERS)
        .map(|index| logging_timer(wheel, &log, index, &now))
        .collect();
    let mut expected = BTreeMap::new();
    for (index, timer) in timers.iter().enumerate() {
        let when = 1_000_000 + (index as i64 * 7_919) % 50_000_000;
        wheel.reset(timer, when, 0);
        expected.insert(index, when);
    }
    for (index, timer) in timers.iter().enumerate() {
        let moved = match index % 3 {
            0 => expected[&index] / 2,
            1 => expected[&index] + 10_000_000,
            _ => continue,
        };
        assert!(wheel.reset(timer, moved, 0));
        expected.insert(index, moved);
    }
    wheel.verify();
    for (index, timer) in timers.iter().enumerate().filter(|(i, _)| i % 2 == 1) {
        assert!(wheel.stop(timer), "timer {index} was pending");
        expected.remove(&index);
        wheel.verify();
    }
    // Operations pay for a sweep pass in turns, so that a pass begun at a
    // quarter ends within a quarter more: at most half is garbage.
    assert!(
        wheel.stats().zombies * 2 <= wheel.stats().filed,
        "sweeps keep zombies at most half of the filed timers: {:?}",
        wheel.stats()
    );

    let mut deadlines: Vec<i64> = expected.values().copied().collect();
    deadlines.sort_unstable();
    deadlines.dedup();
    for when in deadlines {
        *now.lock().unwrap() = when;
        wheel.check(when);
    }
    wheel.verify();
    let mut fired: Vec<(usize, i64)> = log.lock().unwrap().clone();
    fired.sort_unstable();
    let expected: Vec<(usize, i64)> = expected.into_iter().collect();
    assert_eq!(
        fired, expected,
        "exactly the live timers, each at its deadline"
    );
    assert_eq!(wheel.stats().filed, 0);
}

#[test]
fn sweep_keeps_every_live_timer() {
    let wheel = one_stripe_wheel();
    arm_modify_stop_and_fire(&wheel);
}

#[test]
fn sweep_after_a_peak_keeps_every_live_timer() {
    let wheel = one_stripe_wheel();
    // A peak of 20,000 timers, gone again: the slab keeps their nodes, so a
    // share of the sweep mostly visits free ones.
    let peak: Vec<WheelTimer> = (0..20_000)
        .map(|_| wheel.new_timer(callback(|_, _| {})))
        .collect();
    drop(peak);
    assert!(wheel.stats().node_bytes >= 20_000 * 64);
    arm_modify_stop_and_fire(&wheel);
}
