//! Bounded garbage: stopped timers are purged by checks, and arm/stop cycles
//! never let the filed count grow without bound (Go's zombies and
//! `cleanHead`).

use fastrand::Rng;
use gowheel::NOT_ARMED;

use super::support::START;
use crate::harness::{Harness, TestableSet, Tracked};

/// The most checks at one time a set may take to purge every stopped timer
/// of [`stopped_timers_are_purged_by_check`] (10 000 slab places): a pass of
/// 40 sweep shares of 256 places, with room to spare.
const MAX_CHECKS_TO_PURGE: usize = 16;

/// Stopped timers do not pile up: arm 10 000 timers, stop 90 % of them
/// (reviving some), and after a check at most a quarter of what is filed is
/// garbage (Go forces an `adjust` when zombies exceed a quarter of the
/// heap); stopping the rest and checking (a few checks at that time, for a
/// set that bounds each check's work) leaves nothing filed. The revived
/// and surviving timers still fire, each at its deadline.
pub fn stopped_timers_are_purged_by_check<S: TestableSet>(new_set: impl Fn() -> S) {
    const COUNT: i64 = 10_000;
    let h = Harness::new(new_set(), START);
    let ops = h.ops();
    let timers: Vec<_> = (0..COUNT)
        .map(|i| {
            let timer = ops.new_timer();
            ops.reset(&timer, 1_000_000 + i, 0);
            timer
        })
        .collect();
    h.assert_invariants("arming 10 000 timers");
    for (i, timer) in timers.iter().enumerate() {
        if i % 10 != 0 {
            assert!(ops.stop(timer));
        }
        if i % 10 == 1 {
            assert!(!ops.reset(timer, 2_000_000 + i as i64, 0), "revived");
        }
    }
    h.assert_invariants("stopping 9 000 timers and reviving 1 000");
    assert_eq!(h.pending_count(), 2_000);

    h.check(500_000);
    let stats = h.stats();
    assert!(
        stats.zombies <= stats.filed / 4,
        "after a check, at most a quarter of the filed timers may be garbage: {stats}"
    );
    assert!(
        stats.filed <= 2_000 + 2_000 / 3,
        "2 000 live timers, {stats}"
    );

    h.run_until(1_000_000 + COUNT);
    assert_eq!(h.take_fired().len(), 1_000, "the survivors fired");
    for timer in &timers {
        ops.stop(timer);
    }
    h.assert_invariants("stopping the rest");
    // Go's forced adjust purges in the one check. A set that bounds each
    // check's work (the wheel sweeps a few shares of its slab a check, and
    // asks to be called back while a pass is under way) may take a few
    // more at the same time, as a driver asked to come back does.
    let mut checks = 0;
    loop {
        h.check(1_500_000);
        checks += 1;
        if h.stats().filed == 0 || checks == MAX_CHECKS_TO_PURGE {
            break;
        }
    }
    assert_eq!(
        h.stats(),
        gowheel::TimerSetStats::default(),
        "nothing filed"
    );
    assert_eq!(h.set().wake_time(), NOT_ARMED);
    assert_eq!(h.take_fired(), vec![]);
}

/// Servers' pattern: a pool of connection timeouts pushed far back on
/// every round, and request timeouts armed and mostly stopped a round later
/// (so not in the order they were armed), with a check per round: what is
/// filed stays within a constant factor of what is live.
///
/// The pushed-back deadlines never fall due during the rounds, and the
/// stopped requests are not the latest filed, so a backend cannot pass by
/// luck of lazy clean-ups that happen to run: only a purge that bounds the
/// garbage (Go's forced `adjust`) keeps it down.
pub fn arm_stop_cycles_keep_filed_bounded<S: TestableSet>(new_set: impl Fn() -> S) {
    const ROUNDS: usize = 100;
    const POOL: usize = 100;
    const REQUESTS_PER_ROUND: usize = 100;
    const IDLE_TIMEOUT: i64 = 1_000_000_000;
    let h = Harness::new(new_set(), START);
    let ops = h.ops();
    let mut rng = Rng::with_seed(2024);
    let pool: Vec<_> = (0..POOL).map(|_| ops.new_timer()).collect();
    let mut previous_round: Vec<Tracked<S::Timer>> = Vec::new();
    for round in 0..ROUNDS {
        let now = h.now();
        for connection in &pool {
            if rng.u64(..10) == 0 {
                ops.stop(connection); // closed, and the slot reused at once
            }
            ops.reset(connection, now + IDLE_TIMEOUT, 0);
        }
        let this_round: Vec<_> = (0..REQUESTS_PER_ROUND)
            .map(|_| {
                let request = ops.new_timer();
                ops.reset(&request, now + rng.i64(1_000..=5_000), 0);
                request
            })
            .collect();
        for request in &previous_round {
            if rng.u64(..10) != 0 {
                ops.stop(request); // answered
            }
        }
        previous_round = this_round;
        h.assert_invariants(&format!("round {round}"));
        h.check(now + 100);
        let stats = h.stats();
        let pending = h.pending_count();
        assert!(
            stats.zombies <= stats.filed / 4 && stats.filed <= 2 * pending + 64,
            "round {round}: {stats} for {pending} pending timers"
        );
    }
    h.run_until(h.now() + IDLE_TIMEOUT);
    h.check(h.now() + 1);
    assert_eq!(h.stats(), gowheel::TimerSetStats::default());
    let connection_runs = h
        .take_fired()
        .into_iter()
        .filter(|run| run.id < POOL)
        .count();
    assert_eq!(
        connection_runs, POOL,
        "each connection timed out once, at the end"
    );
}
