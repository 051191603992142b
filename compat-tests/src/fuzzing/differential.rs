//! The `differential` fuzz target: bytes decoded into a wheel shape and a
//! sequence of [`TimerSetOp`]s, run by
//! [`run_differential`](crate::differential::run_differential) against the
//! heap reference, on the decoded shape and on a fixed one-level wheel of
//! two 1 ns slots with budgets of one.
//!
//! Input: one shape byte (see [`decode_shape`]), then operations until the
//! input runs out (at most [`MAX_OPS`]), each a tag byte and its fields.

use gowheel::{HeapTimerSet, TimingWheel, WheelConfig};

use super::bytes::{Reader, Writer};
use crate::differential::{NewCallback, OnFire, TimerSetOp, When, run_differential};

/// The most operations one input is decoded into.
pub const MAX_OPS: usize = 256;

/// A named wheel shape: its name and how to make it.
pub type Shape = (&'static str, fn() -> WheelConfig);

/// The wheel shapes a shape byte names; byte values past them decode a
/// shape from the following bytes.
pub const SHAPES: [Shape; 5] = [
    ("default", WheelConfig::default),
    ("one stripe", || WheelConfig::default().stripes(1)),
    ("tiny", || {
        WheelConfig::default()
            .tick_shift(0)
            .slot_bits(2)
            .levels(3)
            .stripes(2)
    }),
    ("tiny, budgets of one", || {
        WheelConfig::default()
            .tick_shift(0)
            .slot_bits(2)
            .levels(3)
            .stripes(2)
            .cascade_budget(1)
            .sweep_budget(1)
    }),
    ("coarse", || {
        WheelConfig::default().tick_shift(20).stripes(2)
    }),
];

/// The shape every input also runs on: one level of two 1 ns slots, one
/// stripe, budgets of one, so that almost every deadline waits in the
/// overflow list.
pub fn smallest_shape() -> WheelConfig {
    WheelConfig::default()
        .tick_shift(0)
        .slot_bits(1)
        .levels(1)
        .stripes(1)
        .cascade_budget(1)
        .sweep_budget(1)
}

/// Decodes a wheel shape: a byte below `SHAPES.len()` names one of
/// [`SHAPES`]; any other is followed by six bytes giving `tick_shift`
/// (0..=23), `slot_bits` (1..=6), `levels` (1..=4, or as many as cover
/// every deadline), `stripes` (1..=3), `cascade_budget` and `sweep_budget`
/// (1..=4, or the default). Always a valid configuration.
pub fn decode_shape(reader: &mut Reader<'_>) -> WheelConfig {
    let which = usize::from(reader.byte());
    if let Some((_, shape)) = SHAPES.get(which) {
        return shape();
    }
    let mut config = WheelConfig::default()
        .tick_shift(u32::from(reader.byte() % 24))
        .slot_bits(1 + u32::from(reader.byte() % 6));
    let levels = reader.byte() % 5;
    if levels > 0 {
        config = config.levels(u32::from(levels));
    }
    config = config.stripes(1 + usize::from(reader.byte() % 3));
    let cascade = reader.byte() % 5;
    if cascade > 0 {
        config = config.cascade_budget(usize::from(cascade));
    }
    let sweep = reader.byte() % 5;
    if sweep > 0 {
        config = config.sweep_budget(usize::from(sweep));
    }
    config
}

fn decode_on_fire(reader: &mut Reader<'_>) -> OnFire {
    match reader.byte() % 4 {
        0 => OnFire::Record,
        1 => OnFire::Stop,
        2 => OnFire::Reset {
            after: reader.int(),
            period: reader.int(),
        },
        _ => OnFire::Modify {
            after: reader.int(),
            period: reader.int(),
            seq: reader.uint(),
        },
    }
}

fn encode_on_fire(writer: &mut Writer, on_fire: OnFire) {
    match on_fire {
        OnFire::Record => writer.byte(0),
        OnFire::Stop => writer.byte(1),
        OnFire::Reset { after, period } => {
            writer.byte(2);
            writer.int(after);
            writer.int(period);
        }
        OnFire::Modify { after, period, seq } => {
            writer.byte(3);
            writer.int(after);
            writer.int(period);
            writer.uint(seq);
        }
    }
}

fn decode_when(reader: &mut Reader<'_>) -> When {
    let kind = reader.byte();
    let delta = reader.int();
    match kind % 4 {
        0 => When::FromNow(delta),
        1 => When::Earlier(delta),
        2 => When::Later(delta),
        _ => When::At(delta),
    }
}

fn encode_when(writer: &mut Writer, when: When) {
    let (kind, delta) = match when {
        When::FromNow(delta) => (0, delta),
        When::Earlier(delta) => (1, delta),
        When::Later(delta) => (2, delta),
        When::At(delta) => (3, delta),
    };
    writer.byte(kind);
    writer.int(delta);
}

fn decode_timer(reader: &mut Reader<'_>) -> usize {
    reader.uint() as usize
}

/// Decodes one operation.
pub fn decode_op(reader: &mut Reader<'_>) -> TimerSetOp {
    match reader.byte() % 7 {
        0 => TimerSetOp::Create {
            other_thread: reader.flag(),
            on_fire: decode_on_fire(reader),
        },
        1 => TimerSetOp::Modify {
            timer: decode_timer(reader),
            when: decode_when(reader),
            period: reader.int(),
            callback: reader.flag().then(|| NewCallback {
                seq: reader.uint(),
                on_fire: decode_on_fire(reader),
            }),
        },
        2 => TimerSetOp::Reset {
            timer: decode_timer(reader),
            when: decode_when(reader),
            period: reader.int(),
        },
        3 => TimerSetOp::Stop {
            timer: decode_timer(reader),
        },
        4 => TimerSetOp::DropHandle {
            timer: decode_timer(reader),
        },
        5 => TimerSetOp::Check {
            advance: reader.int(),
        },
        _ => TimerSetOp::CheckAtDeadline {
            offset: reader.int(),
        },
    }
}

/// Encodes one operation so that [`decode_op`] gives it back.
pub fn encode_op(writer: &mut Writer, op: &TimerSetOp) {
    match *op {
        TimerSetOp::Create {
            other_thread,
            on_fire,
        } => {
            writer.byte(0);
            writer.flag(other_thread);
            encode_on_fire(writer, on_fire);
        }
        TimerSetOp::Modify {
            timer,
            when,
            period,
            callback,
        } => {
            writer.byte(1);
            writer.uint(timer as u64);
            encode_when(writer, when);
            writer.int(period);
            writer.flag(callback.is_some());
            if let Some(callback) = callback {
                writer.uint(callback.seq);
                encode_on_fire(writer, callback.on_fire);
            }
        }
        TimerSetOp::Reset {
            timer,
            when,
            period,
        } => {
            writer.byte(2);
            writer.uint(timer as u64);
            encode_when(writer, when);
            writer.int(period);
        }
        TimerSetOp::Stop { timer } => {
            writer.byte(3);
            writer.uint(timer as u64);
        }
        TimerSetOp::DropHandle { timer } => {
            writer.byte(4);
            writer.uint(timer as u64);
        }
        // The byte code predates it, and saved inputs keep their meaning:
        // written as the stop and the drop it answers as.
        TimerSetOp::StopAndDrop { timer } => {
            encode_op(writer, &TimerSetOp::Stop { timer });
            encode_op(writer, &TimerSetOp::DropHandle { timer });
        }
        TimerSetOp::Check { advance } => {
            writer.byte(5);
            writer.int(advance);
        }
        TimerSetOp::CheckAtDeadline { offset } => {
            writer.byte(6);
            writer.int(offset);
        }
    }
}

/// Decodes a whole input: the shape and the operations.
///
/// ```
/// use gowheel_compat_tests::differential::TimerSetOp;
/// use gowheel_compat_tests::fuzzing::differential::{decode, encode};
///
/// let ops = vec![TimerSetOp::Check { advance: -5 }, TimerSetOp::Stop { timer: 3 }];
/// let bytes = encode(2, &ops);
/// assert_eq!(decode(&bytes).1, ops);
/// ```
pub fn decode(data: &[u8]) -> (WheelConfig, Vec<TimerSetOp>) {
    let mut reader = Reader::new(data);
    let shape = decode_shape(&mut reader);
    let mut ops = Vec::new();
    while !reader.is_empty() && ops.len() < MAX_OPS {
        ops.push(decode_op(&mut reader));
    }
    (shape, ops)
}

/// Encodes the operations after shape byte `shape` (an index of
/// [`SHAPES`]).
pub fn encode(shape: u8, ops: &[TimerSetOp]) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.byte(shape);
    for op in ops {
        encode_op(&mut writer, op);
    }
    writer.into_bytes()
}

/// Runs one input: its operations on the heap reference and on each wheel
/// (the decoded shape and [`smallest_shape`]).
///
/// # Errors
///
/// The first divergence, naming the shape.
pub fn run(data: &[u8]) -> Result<(), String> {
    let (shape, ops) = decode(data);
    for config in [shape, smallest_shape()] {
        let wheel = TimingWheel::try_new(config)
            .map_err(|error| format!("decoded an invalid shape {config:?}: {error}"))?;
        run_differential(HeapTimerSet::new(1), wheel, &ops)
            .map_err(|divergence| format!("wheel {config:?}: {divergence}"))?;
    }
    Ok(())
}
