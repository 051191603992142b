//! Random operation sequences for proptest: [`op_strategy`] and
//! [`ops_strategy`].
//!
//! # Design
//!
//! Each operation is drawn as a handful of plain integers (a [`RawOp`]) and
//! decoded, rather than through nested `prop_oneof!`s: in debug builds that
//! is a hundred times cheaper, and it shrinks well, since every integer
//! shrinks toward 0 and every decoder maps smaller integers to simpler
//! choices (earlier operation kinds, smaller distance classes, and within a
//! class, values that shrink with the bits).
//!
//! The kind is one integer below [`KIND_COUNT`], split into ranges by the
//! weights of [`KIND_WEIGHTS`], in order: that table is the whole mix of
//! operations. A draw decodes the same way for as long as the table and
//! the decoders stay as they are, so seeds saved in
//! `proptest-regressions/` replay the same sequences.

use gowheel::MAX_WHEN;
use proptest::prelude::*;

use super::ops::{NewCallback, OnFire, TimerSetOp, When};

/// The kinds of operation a draw decodes to, simplest first (a smaller
/// kind integer shrinks toward the kinds listed first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpKind {
    /// [`TimerSetOp::Create`] on the test's thread.
    Create,
    /// [`TimerSetOp::Create`] on a new thread.
    CreateOnOtherThread,
    /// [`TimerSetOp::Check`].
    Check,
    /// [`TimerSetOp::CheckAtDeadline`].
    CheckAtDeadline,
    /// [`TimerSetOp::Stop`].
    Stop,
    /// [`TimerSetOp::Reset`].
    Reset,
    /// [`TimerSetOp::Modify`] with a new callback and `seq`.
    ModifyWithCallback,
    /// [`TimerSetOp::Modify`] keeping the callback and `seq`.
    ModifyKeepingCallback,
    /// [`TimerSetOp::DropHandle`].
    DropHandle,
    /// [`TimerSetOp::StopAndDrop`].
    StopAndDrop,
}

/// Each kind with its weight: how many of the [`KIND_COUNT`] kind integers
/// decode to it. Sequences create a handful of timers, check often, and
/// re-arm more than they stop or drop.
const KIND_WEIGHTS: [(OpKind, u8); 10] = [
    (OpKind::Create, 4),
    (OpKind::CreateOnOtherThread, 1),
    (OpKind::Check, 6),
    (OpKind::CheckAtDeadline, 2),
    (OpKind::Stop, 3),
    (OpKind::Reset, 5),
    (OpKind::ModifyWithCallback, 3),
    (OpKind::ModifyKeepingCallback, 2),
    (OpKind::DropHandle, 1),
    (OpKind::StopAndDrop, 1),
];

/// The number of kind integers: the sum of the weights.
const KIND_COUNT: u8 = {
    let mut total = 0;
    let mut index = 0;
    while index < KIND_WEIGHTS.len() {
        total += KIND_WEIGHTS[index].1;
        index += 1;
    }
    total
};

/// How many timers an operation can name; indexes wrap modulo the number
/// the run has made.
const TIMER_CHOICES: usize = 64;

impl OpKind {
    /// The kind a kind integer (below [`KIND_COUNT`]) decodes to.
    fn decode(mut raw: u8) -> OpKind {
        for (kind, weight) in KIND_WEIGHTS {
            if raw < weight {
                return kind;
            }
            raw -= weight;
        }
        OpKind::DropHandle
    }
}

/// One choice drawn as a class (which decoder branch) and random bits
/// (the value within it).
#[derive(Clone, Copy, Debug)]
struct Draw {
    class: u8,
    bits: u64,
}

/// The raw draw one [`TimerSetOp`] is decoded from.
#[derive(Clone, Copy, Debug)]
struct RawOp {
    /// Below [`KIND_COUNT`]; see [`OpKind::decode`].
    kind: u8,
    /// The timer's index.
    timer: usize,
    /// The deadline (or, for checks, the advance or offset).
    when: Draw,
    /// The period.
    period: Draw,
    /// The callback's own operation.
    on_fire: Draw,
    /// The `seq` of a new callback.
    seq: u64,
}

/// `1 + ` the top `width` bits of `bits`: shrinks as `bits` does.
fn top_bits(bits: u64, width: u32) -> i64 {
    1 + (bits >> (64 - width)) as i64
}

/// Decodes a distance in ns, weighted toward small ones but reaching past
/// the top level of any wheel: 0, up to 64, 4096, 2^20, 2^32 and 2^44,
/// values around 2^40, 2^50 and 2^62, and anything up to `i64::MAX`.
fn decode_distance(class: u8, bits: u64) -> i64 {
    const SPECIAL: [i64; 8] = [
        1 << 40,
        (1 << 40) - 1,
        (1 << 40) + 1,
        1 << 50,
        1 << 62,
        (1 << 62) + (1 << 61),
        i64::MAX - 1,
        i64::MAX,
    ];
    match class % 16 {
        0 | 1 => 0,
        2..=6 => top_bits(bits, 6),
        7..=9 => top_bits(bits, 12),
        10 | 11 => top_bits(bits, 20),
        12 => top_bits(bits, 32),
        13 => top_bits(bits, 44),
        14 => SPECIAL[(bits >> 61) as usize],
        _ => (bits >> 1) as i64,
    }
}

/// Decodes a deadline choice: mostly relative to now, also in the past,
/// earlier or later than the timer's last deadline, or absolute
/// (`MAX_WHEN`, `MAX_WHEN - 1`, before [`START_NOW`](super::START_NOW), or anything).
fn decode_when(class: u8, bits: u64) -> When {
    let distance = decode_distance(class, bits);
    match class / 16 {
        0..=5 | 14 => When::FromNow(distance),
        6 => When::FromNow(-top_bits(bits, 11)),
        7..=9 => When::Earlier(distance),
        13 => When::At(match bits >> 62 {
            0 => top_bits(bits << 2, 10), // 1..=1024: the past
            1 => MAX_WHEN - 1,
            2 => MAX_WHEN,
            _ => 1 + (bits >> 2) as i64,
        }),
        _ => When::Later(distance),
    }
}

/// Decodes a period: more than half one-shot (0), else 1, up to 64, 2^20
/// or 2^40, around 2^62 or `i64::MAX`, or anything positive.
fn decode_period(class: u8, bits: u64) -> i64 {
    match class % 16 {
        0..=8 => 0,
        9 => 1,
        10 | 11 => top_bits(bits, 6),
        12 => top_bits(bits, 20),
        13 => top_bits(bits, 40),
        14 => [1 << 62, i64::MAX - 1, i64::MAX, (1 << 62) - 1][(bits >> 62) as usize],
        _ => ((bits >> 1) as i64).max(1),
    }
}

/// Decodes a callback's own operation: mostly none; else stop, or re-arm
/// 1 ns to 2^44 ns after now, one-shot or with a short period.
fn decode_on_fire(class: u8, bits: u64) -> OnFire {
    let after = top_bits(bits, [4, 12, 24, 44][usize::from(class / 64)]);
    let period = if class & 1 == 0 {
        0
    } else {
        1 + (bits & 0x3ff) as i64
    };
    match class % 16 {
        0..=9 => OnFire::Record,
        10 | 11 => OnFire::Stop,
        12 | 13 => OnFire::Reset { after, period },
        _ => OnFire::Modify {
            after,
            period,
            seq: bits & 0xffff,
        },
    }
}

/// Decodes one operation.
fn decode_op(raw: RawOp) -> TimerSetOp {
    let RawOp {
        kind: raw_kind,
        timer,
        when,
        period,
        on_fire,
        seq,
    } = raw;
    let on_fire = || decode_on_fire(on_fire.class, on_fire.bits);
    let kind = OpKind::decode(raw_kind);
    match kind {
        OpKind::Create => TimerSetOp::Create {
            other_thread: false,
            on_fire: on_fire(),
        },
        OpKind::CreateOnOtherThread => TimerSetOp::Create {
            other_thread: true,
            on_fire: on_fire(),
        },
        OpKind::Check => TimerSetOp::Check {
            advance: decode_distance(when.class, when.bits),
        },
        OpKind::CheckAtDeadline => TimerSetOp::CheckAtDeadline {
            offset: i64::from(when.class % 5) - 2,
        },
        OpKind::Stop => TimerSetOp::Stop { timer },
        OpKind::StopAndDrop => TimerSetOp::StopAndDrop { timer },
        OpKind::Reset => TimerSetOp::Reset {
            timer,
            when: decode_when(when.class, when.bits),
            period: decode_period(period.class, period.bits),
        },
        OpKind::ModifyWithCallback | OpKind::ModifyKeepingCallback => TimerSetOp::Modify {
            timer,
            when: decode_when(when.class, when.bits),
            period: decode_period(period.class, period.bits),
            callback: (kind == OpKind::ModifyWithCallback).then(|| NewCallback {
                seq,
                on_fire: on_fire(),
            }),
        },
        OpKind::DropHandle => TimerSetOp::DropHandle { timer },
    }
}

/// One random [`TimerSetOp`], weighted so that sequences create a handful of
/// timers, re-arm them often (one-shot and periodic, relative to now, in
/// the past, earlier or later than before, at `MAX_WHEN`), give some of
/// them callbacks that stop or re-arm their own timer, and check often
/// (advancing from 0 ns up to `i64::MAX`, or to exactly a deadline).
///
/// ```
/// use gowheel_compat_tests::differential::op_strategy;
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let mut runner = TestRunner::deterministic();
/// let op = op_strategy().new_tree(&mut runner).unwrap().current();
/// println!("{op:?}");
/// ```
pub fn op_strategy() -> impl Strategy<Value = TimerSetOp> + Clone {
    // One flat tuple, in `RawOp`'s field order: the shape the saved seeds
    // were drawn with.
    (
        0..KIND_COUNT,
        0..TIMER_CHOICES,
        any::<u8>(),
        any::<u64>(),
        any::<u8>(),
        any::<u64>(),
        any::<u8>(),
        any::<u64>(),
        any::<u64>(),
    )
        .prop_map(
            |(
                kind,
                timer,
                when_class,
                when_bits,
                period_class,
                period_bits,
                on_fire_class,
                on_fire_bits,
                seq,
            )| {
                decode_op(RawOp {
                    kind,
                    timer,
                    when: Draw {
                        class: when_class,
                        bits: when_bits,
                    },
                    period: Draw {
                        class: period_class,
                        bits: period_bits,
                    },
                    on_fire: Draw {
                        class: on_fire_class,
                        bits: on_fire_bits,
                    },
                    seq,
                })
            },
        )
}

/// Sequences of up to `max_len` [`op_strategy`] operations.
///
/// ```
/// use gowheel::{HeapTimerSet, TimingWheel};
/// use gowheel_compat_tests::differential::{ops_strategy, run_differential};
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let mut runner = TestRunner::deterministic();
/// let ops = ops_strategy(50).new_tree(&mut runner).unwrap().current();
/// assert!(ops.len() <= 50);
/// run_differential(HeapTimerSet::new(1), TimingWheel::default(), &ops).unwrap();
/// ```
pub fn ops_strategy(max_len: usize) -> impl Strategy<Value = Vec<TimerSetOp>> {
    prop::collection::vec(op_strategy(), 0..=max_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind ranges the saved seeds were drawn with: 0–3 create here,
    /// 4 create on another thread, 5–10 check, 11–12 check at a deadline,
    /// 13–15 stop, 16–20 reset, 21–23 modify with a callback, 24–25 modify
    /// keeping it, 26 drop the handle; 27 (added later) stop and drop.
    #[test]
    fn kind_table_keeps_the_saved_ranges() {
        let expected = [
            (0..=3, OpKind::Create),
            (4..=4, OpKind::CreateOnOtherThread),
            (5..=10, OpKind::Check),
            (11..=12, OpKind::CheckAtDeadline),
            (13..=15, OpKind::Stop),
            (16..=20, OpKind::Reset),
            (21..=23, OpKind::ModifyWithCallback),
            (24..=25, OpKind::ModifyKeepingCallback),
            (26..=26, OpKind::DropHandle),
            (27..=27, OpKind::StopAndDrop),
        ];
        assert_eq!(KIND_COUNT, 28);
        for (range, kind) in expected {
            for raw in range {
                assert_eq!(OpKind::decode(raw), kind, "kind integer {raw}");
            }
        }
    }
}
