//! The budgets that bound a check's work, cut short on purpose: a cascade
//! budget of one node and a sweep budget of one slab place. Every timer
//! must still fire once, at its exact deadline and in deadline order, and
//! every stopped one must still go.
#![cfg(not(loom))]

use std::sync::{Arc, Mutex};

use gowheel_wheel::{TimingWheel, WheelConfig, WheelTimer, callback};

/// Fires recorded as the deadline each ran for.
type Log = Arc<Mutex<Vec<i64>>>;

fn recording_timer(wheel: &TimingWheel, log: &Log, now: &Arc<Mutex<i64>>) -> WheelTimer {
    let (log, now) = (log.clone(), now.clone());
    wheel.new_timer(callback(move |_seq, delay| {
        log.lock().unwrap().push(*now.lock().unwrap() - delay);
    }))
}

/// A one-stripe wheel with a cascade budget of one, and a recording timer
/// armed at each of `deadlines`; returns the wheel, the log, the clock the
/// callbacks read, the timers, and the deadlines sorted.
fn armed_wheel(
    deadlines: Vec<i64>,
) -> (TimingWheel, Log, Arc<Mutex<i64>>, Vec<WheelTimer>, Vec<i64>) {
    let wheel = TimingWheel::new(WheelConfig::default().stripes(1).cascade_budget(1));
    let log: Log = Arc::default();
    let now = Arc::new(Mutex::new(0));
    let timers = deadlines
        .iter()
        .map(|&when| {
            let timer = recording_timer(&wheel, &log, &now);
            wheel.reset(&timer, when, 0);
            timer
        })
        .collect();
    let mut sorted = deadlines;
    sorted.sort_unstable();
    (wheel, log, now, timers, sorted)
}

/// When a driver checks next: at the wake time `check` returned, or at the
/// wheel's maintenance time if that is sooner.
fn next_check(wheel: &TimingWheel, wake: i64) -> i64 {
    match wheel.maintenance_time() {
        0 => wake,
        maintenance if wake == 0 => maintenance,
        maintenance => wake.min(maintenance),
    }
}

#[test]
fn cascade_cut_short_by_its_budget_asks_for_checks_and_loses_nothing() {
    // 2,000 deadlines spread over 40-60 ms: level-2 slots of 4.2 ms each,
    // hundreds of nodes a slot, far more than the budget of one.
    let (wheel, log, now, timers, deadlines) =
        armed_wheel((0..2_000).map(|i| 40_000_000 + i * 10_007).collect());
    let mut asked_early = 0;
    let mut at = 0;
    loop {
        *now.lock().unwrap() = at;
        let next = next_check(&wheel, wheel.check(at));
        wheel.verify();
        if next == 0 {
            break;
        }
        assert!(next > at, "check at {at} asked to be called back at {next}");
        let fired = log.lock().unwrap().len();
        if fired < deadlines.len() && next < deadlines[fired] {
            asked_early += 1;
        }
        at = next;
    }
    assert!(
        asked_early > 100,
        "with a budget of one node, the cascade ahead must ask for many checks before deadlines ({asked_early})"
    );
    assert_eq!(
        *log.lock().unwrap(),
        deadlines,
        "every timer once, in order, on time"
    );
    drop(timers);
}

#[test]
fn cascade_that_fell_behind_its_budget_still_fires_in_order() {
    // Checks far apart, ignoring the times the wheel asks for: the cascade
    // ahead falls behind and whole slots come down when due.
    let (wheel, log, now, _timers, deadlines) = armed_wheel(
        (0..1_000)
            .map(|i| 5_000_000 + (i * 7_919) % 50_000_000)
            .collect(),
    );
    for at in (0..=60_000_000).step_by(7_000_000) {
        *now.lock().unwrap() = at;
        wheel.check(at);
        wheel.verify();
    }
    assert_eq!(*log.lock().unwrap(), deadlines);
}

#[test]
fn late_check_moves_at_most_the_budget_and_asks_for_the_next_at_once() {
    // 1,000 deadlines over 40-60 ms, in level-2 slots of 4.2 ms, and one
    // check long after the cascade ahead of the slot after 37.7 ms began
    // (at 33.5 ms): far more than the budget of eight is owed.
    let wheel = TimingWheel::new(WheelConfig::default().stripes(1).cascade_budget(8));
    let log: Log = Arc::default();
    let now = Arc::new(Mutex::new(0));
    let _timers: Vec<WheelTimer> = (0..1_000)
        .map(|i| {
            let timer = recording_timer(&wheel, &log, &now);
            wheel.reset(&timer, 40_000_000 + i * 20_011, 0);
            timer
        })
        .collect();
    let late = 36_000_000;
    *now.lock().unwrap() = late;
    let wake = wheel.check(late);
    wheel.verify();
    assert!(log.lock().unwrap().is_empty(), "nothing is due yet");
    let next = next_check(&wheel, wake);
    assert!(
        next > late && next <= late + 1_024,
        "a check that left part of its share asks for the next one a tick later, not at {next}"
    );
    // Followed at the times asked for, everything fires in order.
    let mut at = next;
    let mut checks = 0;
    while at != 0 {
        *now.lock().unwrap() = at;
        at = next_check(&wheel, wheel.check(at));
        wheel.verify();
        checks += 1;
    }
    assert!(
        checks > 10,
        "the owed share takes several checks ({checks})"
    );
    let fired = log.lock().unwrap().clone();
    let mut expected: Vec<i64> = (0..1_000).map(|i| 40_000_000 + i * 20_011).collect();
    expected.sort_unstable();
    assert_eq!(fired, expected, "every timer once, in order, on time");
}

#[test]
fn sweep_cut_short_by_its_budget_is_finished_by_checks() {
    let wheel = TimingWheel::new(
        WheelConfig::default()
            .stripes(1)
            .sweep_budget(1)
            .unlink_on_stop(false),
    );
    let log: Log = Arc::default();
    let now = Arc::new(Mutex::new(0));
    let timers: Vec<WheelTimer> = (0..1_000)
        .map(|i| {
            let timer = recording_timer(&wheel, &log, &now);
            wheel.reset(&timer, 1_000_000_000 + i, 0);
            timer
        })
        .collect();
    for timer in timers.iter().skip(100) {
        assert!(wheel.stop(timer));
    }
    wheel.verify();
    let stats = wheel.stats();
    assert!(
        stats.zombies * 4 > stats.filed,
        "a share of one place per stop cannot keep up with 900 stops: {stats:?}"
    );
    // Checks follow the times `check` asks for, each sweeping one share.
    let mut at = 1;
    let mut checks = 0;
    while wheel.stats().zombies * 4 > wheel.stats().filed {
        let next = next_check(&wheel, wheel.check(at));
        wheel.verify();
        assert!(
            next > at && next < 1_000_000_000,
            "a sweep under way asks for an early check"
        );
        at = next;
        checks += 1;
        assert!(
            checks <= 2_000,
            "the sweep must finish: {:?}",
            wheel.stats()
        );
    }
    assert!(checks > 1, "a share of one place is not a whole pass");
    *now.lock().unwrap() = 2_000_000_000;
    wheel.check(2_000_000_000);
    assert_eq!(log.lock().unwrap().len(), 100, "the live timers fired");
    assert_eq!(wheel.stats().filed, 0);
}
