//! The `trace` fuzz target: any bytes through the trace parser and, when
//! they parse, the replayer, on both backends and with every [`Driving`].
//!
//! An error is a fine answer; a panic (inside gowheel or the replayer) is
//! a finding. A trace whose replay could take too long is only parsed:
//! one whose tickers would tick more than [`MAX_TICKS`] times in all, and
//! one with a `wait` whose deadline saturates (a receive that, as in Go,
//! may block forever).

use gowheel::{Backend, MAX_WHEN};

use crate::replay::{Answer, Driving, ReplayError, Trace, TraceOp};

/// The most ticks a replayed trace may cause.
pub const MAX_TICKS: u128 = 20_000;

/// An upper bound on the ticks replaying `trace` causes, or `None` if a
/// `wait` in it could block forever. Time is taken from the trace's `now`
/// lines, which a replay reaching the next step has matched.
pub fn replay_work(trace: &Trace) -> Option<u128> {
    // Active tickers: (ID, period).
    let mut tickers: Vec<(usize, i64)> = Vec::new();
    let mut now: i64 = 0;
    let mut ticks: u128 = 0;
    for step in trace.steps() {
        let moved = match step.op {
            TraceOp::Tick { id, period } if step.answer != Answer::Panic && period > 0 => {
                tickers.push((id, period));
                0
            }
            TraceOp::TickerReset { id, period } if step.answer != Answer::Panic && period > 0 => {
                tickers.retain(|&(other, _)| other != id);
                tickers.push((id, period));
                0
            }
            TraceOp::TickerStop { id } => {
                tickers.retain(|&(other, _)| other != id);
                0
            }
            TraceOp::Advance { duration } => duration.max(0),
            TraceOp::Wait { max, .. } => {
                // The runtime's internal clock is one ahead of the trace's.
                if now.saturating_add(1).saturating_add(max.max(0)) == MAX_WHEN {
                    return None;
                }
                max.max(0)
            }
            _ => 0,
        };
        if moved > 0 {
            for &(_, period) in &tickers {
                ticks += u128::try_from(moved / period).unwrap_or(0) + 1;
            }
        }
        if let Some(at) = step.now {
            now = at.value;
        }
    }
    Some(ticks)
}

/// Parses `data` as a trace and replays it if [`replay_work`] allows.
///
/// # Errors
///
/// A panic caught by the replayer ([`ReplayError::Panicked`]), with the
/// backend and driving; other errors are fine answers to bad input.
///
/// ```
/// use gowheel_compat_tests::fuzzing::trace::run;
///
/// run(b"chan 0 5\nadvance 5\nnow 5\nrecv 0 -> 5\n").unwrap();
/// run(b"not a trace").unwrap();
/// run(b"tick 0 1\nadvance 9223372036854775807\nnow 1\n").unwrap(); // only parsed
/// ```
pub fn run(data: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(data);
    let Ok(trace) = Trace::parse("fuzz.trace", &text) else {
        return Ok(());
    };
    if replay_work(&trace).is_none_or(|ticks| ticks > MAX_TICKS) {
        return Ok(());
    }
    for backend in [Backend::Wheel, Backend::Heap] {
        for driving in [
            Driving::AsRecorded,
            Driving::CallsOnly,
            Driving::EveryOperation,
        ] {
            if let Err(error @ ReplayError::Panicked { .. }) = trace.replay_with(backend, driving) {
                return Err(format!("{backend:?}, driving {driving}: {error}"));
            }
        }
    }
    Ok(())
}
