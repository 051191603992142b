//! Differential property tests: random runtime-layer operations and checks,
//! applied in lockstep to the heap reference (one shard, so one global
//! `when` order) and to the timing wheel in several shapes, must give
//! identical answers (see `gowheel_compat_tests::differential`).
//!
//! The case count comes from `PROPTEST_CASES` (CI sets 2000). Shrunk
//! failures are persisted under `compat-tests/proptest-regressions/` and
//! replayed first on every run; commit them.
//!
//! Heap with one shard against heap with several is deliberately absent:
//! shards are independent parts, so their fire order within a check differs
//! legitimately.

use gowheel::{HeapTimerSet, MAX_WHEN, TimingWheel, WheelConfig};
use gowheel_compat_tests::differential::{
    NewCallback, OnFire, TimerSetOp, When, ops_strategy, run_differential,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// Longest generated operation sequence.
const MAX_OPS: usize = 200;

/// A timer whose callback only records its runs.
fn create() -> TimerSetOp {
    TimerSetOp::Create {
        other_thread: false,
        on_fire: OnFire::Record,
    }
}

fn heap() -> HeapTimerSet {
    HeapTimerSet::new(1)
}

fn wheel_default() -> TimingWheel {
    TimingWheel::new(WheelConfig::default())
}

fn wheel_one_stripe() -> TimingWheel {
    TimingWheel::new(WheelConfig::default().stripes(1))
}

/// Three levels of four 1 ns slots: 64 ns in all, so nearly every deadline
/// goes through the overflow list and cascades.
fn wheel_tiny() -> TimingWheel {
    TimingWheel::new(
        WheelConfig::default()
            .tick_shift(0)
            .slot_bits(2)
            .levels(3)
            .stripes(2),
    )
}

/// The tiny shape with budgets of one: every share of the cascade ahead
/// and of the sweep of stopped timers is cut short, so `check` asks to be
/// called back early, and checks that come later find whole slots due.
/// Its stops are lazy, as Go's: each leaves a zombie for the sweep.
fn wheel_tiny_budgets() -> TimingWheel {
    TimingWheel::new(
        WheelConfig::default()
            .tick_shift(0)
            .slot_bits(2)
            .levels(3)
            .stripes(2)
            .cascade_budget(1)
            .sweep_budget(1)
            .unlink_on_stop(false),
    )
}

/// Millisecond ticks: many deadlines share a slot, and level-0 slots are
/// sorted before they fire.
fn wheel_coarse() -> TimingWheel {
    TimingWheel::new(WheelConfig::default().tick_shift(20).stripes(2))
}

/// Every shape the deterministic tests run on.
fn all_wheels() -> [(&'static str, TimingWheel); 5] {
    [
        ("default", wheel_default()),
        ("one stripe", wheel_one_stripe()),
        ("tiny", wheel_tiny()),
        ("tiny, budgets of one", wheel_tiny_budgets()),
        ("coarse", wheel_coarse()),
    ]
}

/// Runs `ops` on the heap and on every wheel shape, panicking with the
/// divergence if any.
fn assert_same_on_all_wheels(ops: &[TimerSetOp]) {
    for (name, wheel) in all_wheels() {
        if let Err(divergence) = run_differential(heap(), wheel, ops) {
            panic!("wheel {name}: {divergence}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/differential.txt",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn heap_vs_wheel_default(ops in ops_strategy(MAX_OPS)) {
        let result = run_differential(heap(), wheel_default(), &ops);
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }

    #[test]
    fn heap_vs_wheel_one_stripe(ops in ops_strategy(MAX_OPS)) {
        let result = run_differential(heap(), wheel_one_stripe(), &ops);
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }

    #[test]
    fn heap_vs_wheel_tiny(ops in ops_strategy(MAX_OPS)) {
        let result = run_differential(heap(), wheel_tiny(), &ops);
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }

    #[test]
    fn heap_vs_wheel_tiny_budgets(ops in ops_strategy(MAX_OPS)) {
        let result = run_differential(heap(), wheel_tiny_budgets(), &ops);
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }

    #[test]
    fn heap_vs_wheel_coarse(ops in ops_strategy(MAX_OPS)) {
        let result = run_differential(heap(), wheel_coarse(), &ops);
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }
}

#[test]
fn timer_moved_earlier_into_the_past_then_checked() {
    assert_same_on_all_wheels(&[
        create(),
        create(),
        TimerSetOp::Reset {
            timer: 0,
            when: When::FromNow(1 << 30),
            period: 0,
        },
        TimerSetOp::Reset {
            timer: 1,
            when: When::FromNow(100),
            period: 0,
        },
        TimerSetOp::Check { advance: 50 },
        // Far in the future, then earlier to before now.
        TimerSetOp::Modify {
            timer: 0,
            when: When::At(10),
            period: 0,
            callback: Some(NewCallback {
                seq: 9,
                on_fire: OnFire::Record,
            }),
        },
        TimerSetOp::Check { advance: 0 },
        TimerSetOp::Check { advance: 100 },
        // Again, with the slot it sat in already passed.
        TimerSetOp::Reset {
            timer: 1,
            when: When::FromNow(5_000),
            period: 0,
        },
        TimerSetOp::Check { advance: 4_000 },
        TimerSetOp::Reset {
            timer: 1,
            when: When::FromNow(-500),
            period: 0,
        },
        TimerSetOp::CheckAtDeadline { offset: 0 },
    ]);
}

#[test]
fn many_timers_at_the_same_when() {
    let mut ops = Vec::new();
    for timer in 0..40 {
        ops.push(TimerSetOp::Create {
            other_thread: timer % 5 == 0,
            on_fire: OnFire::Record,
        });
        ops.push(TimerSetOp::Modify {
            timer,
            when: When::At(777_777),
            period: 0,
            callback: Some(NewCallback {
                seq: timer as u64,
                on_fire: OnFire::Record,
            }),
        });
    }
    // Some moved away and back, some stopped, some periodic.
    for timer in (0..40).step_by(3) {
        ops.push(TimerSetOp::Reset {
            timer,
            when: When::At(900_000),
            period: 0,
        });
        ops.push(TimerSetOp::Reset {
            timer,
            when: When::At(777_777),
            period: 1_000,
        });
    }
    for timer in (1..40).step_by(7) {
        ops.push(TimerSetOp::Stop { timer });
    }
    ops.push(TimerSetOp::CheckAtDeadline { offset: -1 });
    ops.push(TimerSetOp::CheckAtDeadline { offset: 0 });
    ops.push(TimerSetOp::Check { advance: 2_500 });
    assert_same_on_all_wheels(&ops);
}

#[test]
fn period_one_checked_after_a_huge_advance() {
    assert_same_on_all_wheels(&[
        create(),
        create(),
        TimerSetOp::Reset {
            timer: 0,
            when: When::FromNow(1),
            period: 1,
        },
        TimerSetOp::Reset {
            timer: 1,
            when: When::FromNow(3),
            period: 0,
        },
        TimerSetOp::Check { advance: 1 },
        TimerSetOp::Check { advance: 1 << 50 },
        TimerSetOp::Check { advance: 1 },
        TimerSetOp::Check { advance: 1 << 62 },
        TimerSetOp::Check { advance: i64::MAX },
        TimerSetOp::Check { advance: 1 },
        TimerSetOp::Stop { timer: 0 },
    ]);
}

#[test]
fn deadlines_at_max_when() {
    assert_same_on_all_wheels(&[
        create(),
        create(),
        TimerSetOp::Create {
            other_thread: true,
            on_fire: OnFire::Record,
        },
        TimerSetOp::Reset {
            timer: 0,
            when: When::At(MAX_WHEN),
            period: 0,
        },
        TimerSetOp::Reset {
            timer: 1,
            when: When::At(MAX_WHEN - 1),
            period: 1 << 40,
        },
        TimerSetOp::Reset {
            timer: 2,
            when: When::FromNow(i64::MAX),
            period: i64::MAX,
        },
        TimerSetOp::Check { advance: 1 << 62 },
        TimerSetOp::Modify {
            timer: 0,
            when: When::Earlier(1),
            period: 0,
            callback: Some(NewCallback {
                seq: 1,
                on_fire: OnFire::Record,
            }),
        },
        TimerSetOp::Check { advance: i64::MAX },
        TimerSetOp::Check { advance: 0 },
        TimerSetOp::Stop { timer: 0 },
        TimerSetOp::Stop { timer: 1 },
        TimerSetOp::Stop { timer: 2 },
    ]);
}

#[test]
fn stopped_timer_rearmed_earlier_than_its_old_slot() {
    assert_same_on_all_wheels(&[
        create(),
        create(),
        TimerSetOp::Reset {
            timer: 0,
            when: When::FromNow(1 << 20),
            period: 0,
        },
        TimerSetOp::Reset {
            timer: 1,
            when: When::FromNow(1 << 20),
            period: 0,
        },
        TimerSetOp::Stop { timer: 0 },
        // Still filed as a zombie in its old slot; re-armed much earlier.
        TimerSetOp::Reset {
            timer: 0,
            when: When::Earlier((1 << 20) - 30),
            period: 0,
        },
        TimerSetOp::Check { advance: 29 },
        TimerSetOp::Check { advance: 1 },
        // Fired; re-armed earlier than the fired deadline's slot was.
        TimerSetOp::Reset {
            timer: 0,
            when: When::FromNow(1 << 30),
            period: 0,
        },
        TimerSetOp::Stop { timer: 0 },
        TimerSetOp::Reset {
            timer: 0,
            when: When::Earlier((1 << 30) - 1),
            period: 0,
        },
        TimerSetOp::CheckAtDeadline { offset: 0 },
        TimerSetOp::CheckAtDeadline { offset: 0 },
    ]);
}

#[test]
fn dropped_handles_still_fire_and_their_nodes_are_reused() {
    assert_same_on_all_wheels(&[
        create(),
        create(),
        TimerSetOp::Reset {
            timer: 0,
            when: When::FromNow(100),
            period: 50,
        },
        TimerSetOp::Reset {
            timer: 1,
            when: When::FromNow(200),
            period: 0,
        },
        TimerSetOp::Stop { timer: 1 },
        TimerSetOp::DropHandle { timer: 1 },
        TimerSetOp::DropHandle { timer: 0 },
        create(),
        TimerSetOp::Reset {
            timer: 2,
            when: When::FromNow(150),
            period: 0,
        },
        TimerSetOp::Check { advance: 120 },
        TimerSetOp::Check { advance: 300 },
    ]);
}

#[test]
fn callbacks_stop_and_rearm_their_own_timers() {
    let rearm = |after, period| OnFire::Reset { after, period };
    assert_same_on_all_wheels(&[
        TimerSetOp::Create {
            other_thread: false,
            on_fire: OnFire::Stop,
        },
        TimerSetOp::Create {
            other_thread: false,
            on_fire: rearm(1, 0),
        },
        TimerSetOp::Create {
            other_thread: true,
            on_fire: rearm(1 << 40, 3),
        },
        TimerSetOp::Create {
            other_thread: false,
            on_fire: OnFire::Modify {
                after: 70,
                period: 0,
                seq: 5,
            },
        },
        // A periodic timer that stops itself: its stop returns true.
        TimerSetOp::Reset {
            timer: 0,
            when: When::FromNow(10),
            period: 10,
        },
        // Re-armed 1 ns after every check that runs it.
        TimerSetOp::Reset {
            timer: 1,
            when: When::FromNow(10),
            period: 0,
        },
        TimerSetOp::Reset {
            timer: 2,
            when: When::FromNow(10),
            period: 0,
        },
        TimerSetOp::Reset {
            timer: 3,
            when: When::FromNow(10),
            period: 1,
        },
        TimerSetOp::Check { advance: 10 },
        TimerSetOp::Check { advance: 1 },
        TimerSetOp::Check { advance: 100 },
        TimerSetOp::CheckAtDeadline { offset: 0 },
        // A callback replaced by one that stops its timer, while pending.
        TimerSetOp::Modify {
            timer: 3,
            when: When::Earlier(5),
            period: 0,
            callback: Some(NewCallback {
                seq: 8,
                on_fire: OnFire::Stop,
            }),
        },
        TimerSetOp::CheckAtDeadline { offset: 0 },
        // The re-arming timer's handle is dropped: it fires once more and
        // does nothing.
        TimerSetOp::DropHandle { timer: 1 },
        TimerSetOp::Check { advance: 1 << 41 },
        TimerSetOp::Check { advance: 1 << 41 },
    ]);
}

/// Found by a long proptest run (about 231,000 cases in): a timer far
/// beyond the top level (in the tiny wheel's overflow list), stopped among
/// others, left the stripe's wake time at its deadline with nothing filed.
#[test]
fn stopped_overflow_timer_leaves_no_wake_time() {
    let record = || TimerSetOp::Create {
        other_thread: false,
        on_fire: OnFire::Record,
    };
    let reset = |timer, when| TimerSetOp::Reset {
        timer,
        when,
        period: 0,
    };
    assert_same_on_all_wheels(&[
        record(),
        TimerSetOp::Check { advance: 1333 },
        record(),
        record(),
        TimerSetOp::Check { advance: 0 },
        TimerSetOp::Check { advance: 446 },
        record(),
        reset(5, When::FromNow(97_845_353_653_565_539)),
        TimerSetOp::Check { advance: 0 },
        record(),
        TimerSetOp::Check { advance: 0 },
        reset(30, When::FromNow(1)),
        reset(18, When::FromNow(0)),
        TimerSetOp::CheckAtDeadline { offset: -2 },
        reset(46, When::Earlier(1)),
        reset(42, When::FromNow(37)),
        reset(3, When::FromNow(0)),
        TimerSetOp::Stop { timer: 16 },
        TimerSetOp::Check { advance: 37 },
    ]);
}
