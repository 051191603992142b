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
    NewCallback, OnFire, Op, When, ops_strategy, run_differential,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// Longest generated operation sequence.
const MAX_OPS: usize = 200;

/// A timer whose callback only records its runs.
fn create() -> Op {
    Op::Create {
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

/// Millisecond ticks: many deadlines share a slot, and level-0 slots are
/// sorted before they fire.
fn wheel_coarse() -> TimingWheel {
    TimingWheel::new(WheelConfig::default().tick_shift(20).stripes(2))
}

/// Every shape the deterministic tests run on.
fn all_wheels() -> [(&'static str, TimingWheel); 4] {
    [
        ("default", wheel_default()),
        ("one stripe", wheel_one_stripe()),
        ("tiny", wheel_tiny()),
        ("coarse", wheel_coarse()),
    ]
}

/// Runs `ops` on the heap and on every wheel shape, panicking with the
/// divergence if any.
fn assert_same_on_all_wheels(ops: &[Op]) {
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
        Op::Reset {
            timer: 0,
            when: When::FromNow(1 << 30),
            period: 0,
        },
        Op::Reset {
            timer: 1,
            when: When::FromNow(100),
            period: 0,
        },
        Op::Check { advance: 50 },
        // Far in the future, then earlier to before now.
        Op::Modify {
            timer: 0,
            when: When::At(10),
            period: 0,
            callback: Some(NewCallback {
                seq: 9,
                on_fire: OnFire::Record,
            }),
        },
        Op::Check { advance: 0 },
        Op::Check { advance: 100 },
        // Again, with the slot it sat in already passed.
        Op::Reset {
            timer: 1,
            when: When::FromNow(5_000),
            period: 0,
        },
        Op::Check { advance: 4_000 },
        Op::Reset {
            timer: 1,
            when: When::FromNow(-500),
            period: 0,
        },
        Op::CheckAtDeadline { offset: 0 },
    ]);
}

#[test]
fn many_timers_at_the_same_when() {
    let mut ops = Vec::new();
    for timer in 0..40 {
        ops.push(Op::Create {
            other_thread: timer % 5 == 0,
            on_fire: OnFire::Record,
        });
        ops.push(Op::Modify {
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
        ops.push(Op::Reset {
            timer,
            when: When::At(900_000),
            period: 0,
        });
        ops.push(Op::Reset {
            timer,
            when: When::At(777_777),
            period: 1_000,
        });
    }
    for timer in (1..40).step_by(7) {
        ops.push(Op::Stop { timer });
    }
    ops.push(Op::CheckAtDeadline { offset: -1 });
    ops.push(Op::CheckAtDeadline { offset: 0 });
    ops.push(Op::Check { advance: 2_500 });
    assert_same_on_all_wheels(&ops);
}

#[test]
fn period_one_checked_after_a_huge_advance() {
    assert_same_on_all_wheels(&[
        create(),
        create(),
        Op::Reset {
            timer: 0,
            when: When::FromNow(1),
            period: 1,
        },
        Op::Reset {
            timer: 1,
            when: When::FromNow(3),
            period: 0,
        },
        Op::Check { advance: 1 },
        Op::Check { advance: 1 << 50 },
        Op::Check { advance: 1 },
        Op::Check { advance: 1 << 62 },
        Op::Check { advance: i64::MAX },
        Op::Check { advance: 1 },
        Op::Stop { timer: 0 },
    ]);
}

#[test]
fn deadlines_at_max_when() {
    assert_same_on_all_wheels(&[
        create(),
        create(),
        Op::Create {
            other_thread: true,
            on_fire: OnFire::Record,
        },
        Op::Reset {
            timer: 0,
            when: When::At(MAX_WHEN),
            period: 0,
        },
        Op::Reset {
            timer: 1,
            when: When::At(MAX_WHEN - 1),
            period: 1 << 40,
        },
        Op::Reset {
            timer: 2,
            when: When::FromNow(i64::MAX),
            period: i64::MAX,
        },
        Op::Check { advance: 1 << 62 },
        Op::Modify {
            timer: 0,
            when: When::Earlier(1),
            period: 0,
            callback: Some(NewCallback {
                seq: 1,
                on_fire: OnFire::Record,
            }),
        },
        Op::Check { advance: i64::MAX },
        Op::Check { advance: 0 },
        Op::Stop { timer: 0 },
        Op::Stop { timer: 1 },
        Op::Stop { timer: 2 },
    ]);
}

#[test]
fn stopped_timer_rearmed_earlier_than_its_old_slot() {
    assert_same_on_all_wheels(&[
        create(),
        create(),
        Op::Reset {
            timer: 0,
            when: When::FromNow(1 << 20),
            period: 0,
        },
        Op::Reset {
            timer: 1,
            when: When::FromNow(1 << 20),
            period: 0,
        },
        Op::Stop { timer: 0 },
        // Still filed as a zombie in its old slot; re-armed much earlier.
        Op::Reset {
            timer: 0,
            when: When::Earlier((1 << 20) - 30),
            period: 0,
        },
        Op::Check { advance: 29 },
        Op::Check { advance: 1 },
        // Fired; re-armed earlier than the fired deadline's slot was.
        Op::Reset {
            timer: 0,
            when: When::FromNow(1 << 30),
            period: 0,
        },
        Op::Stop { timer: 0 },
        Op::Reset {
            timer: 0,
            when: When::Earlier((1 << 30) - 1),
            period: 0,
        },
        Op::CheckAtDeadline { offset: 0 },
        Op::CheckAtDeadline { offset: 0 },
    ]);
}

#[test]
fn dropped_handles_still_fire_and_their_nodes_are_reused() {
    assert_same_on_all_wheels(&[
        create(),
        create(),
        Op::Reset {
            timer: 0,
            when: When::FromNow(100),
            period: 50,
        },
        Op::Reset {
            timer: 1,
            when: When::FromNow(200),
            period: 0,
        },
        Op::Stop { timer: 1 },
        Op::DropHandle { timer: 1 },
        Op::DropHandle { timer: 0 },
        create(),
        Op::Reset {
            timer: 2,
            when: When::FromNow(150),
            period: 0,
        },
        Op::Check { advance: 120 },
        Op::Check { advance: 300 },
    ]);
}

#[test]
fn callbacks_stop_and_rearm_their_own_timers() {
    let rearm = |after, period| OnFire::Reset { after, period };
    assert_same_on_all_wheels(&[
        Op::Create {
            other_thread: false,
            on_fire: OnFire::Stop,
        },
        Op::Create {
            other_thread: false,
            on_fire: rearm(1, 0),
        },
        Op::Create {
            other_thread: true,
            on_fire: rearm(1 << 40, 3),
        },
        Op::Create {
            other_thread: false,
            on_fire: OnFire::Modify {
                after: 70,
                period: 0,
                seq: 5,
            },
        },
        // A periodic timer that stops itself: its stop returns true.
        Op::Reset {
            timer: 0,
            when: When::FromNow(10),
            period: 10,
        },
        // Re-armed 1 ns after every check that runs it.
        Op::Reset {
            timer: 1,
            when: When::FromNow(10),
            period: 0,
        },
        Op::Reset {
            timer: 2,
            when: When::FromNow(10),
            period: 0,
        },
        Op::Reset {
            timer: 3,
            when: When::FromNow(10),
            period: 1,
        },
        Op::Check { advance: 10 },
        Op::Check { advance: 1 },
        Op::Check { advance: 100 },
        Op::CheckAtDeadline { offset: 0 },
        // A callback replaced by one that stops its timer, while pending.
        Op::Modify {
            timer: 3,
            when: When::Earlier(5),
            period: 0,
            callback: Some(NewCallback {
                seq: 8,
                on_fire: OnFire::Stop,
            }),
        },
        Op::CheckAtDeadline { offset: 0 },
        // The re-arming timer's handle is dropped: it fires once more and
        // does nothing.
        Op::DropHandle { timer: 1 },
        Op::Check { advance: 1 << 41 },
        Op::Check { advance: 1 << 41 },
    ]);
}

/// Found by a long proptest run (about 231,000 cases in): a timer far
/// beyond the top level (in the tiny wheel's overflow list), stopped among
/// others, left the stripe's wake time at its deadline with nothing filed.
#[test]
fn stopped_overflow_timer_leaves_no_wake_time() {
    let record = || Op::Create {
        other_thread: false,
        on_fire: OnFire::Record,
    };
    let reset = |timer, when| Op::Reset {
        timer,
        when,
        period: 0,
    };
    assert_same_on_all_wheels(&[
        record(),
        Op::Check { advance: 1333 },
        record(),
        record(),
        Op::Check { advance: 0 },
        Op::Check { advance: 446 },
        record(),
        reset(5, When::FromNow(97_845_353_653_565_539)),
        Op::Check { advance: 0 },
        record(),
        Op::Check { advance: 0 },
        reset(30, When::FromNow(1)),
        reset(18, When::FromNow(0)),
        Op::CheckAtDeadline { offset: -2 },
        reset(46, When::Earlier(1)),
        reset(42, When::FromNow(37)),
        reset(3, When::FromNow(0)),
        Op::Stop { timer: 16 },
        Op::Check { advance: 37 },
    ]);
}
