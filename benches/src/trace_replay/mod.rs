//! `evaluate --trace FILE`: a recorded workload replayed with its timing on
//! every backend, reported in `evaluate`'s report shape.
//!
//! A trace (a recording by `RuntimeBuilder::record` or by the Go recorder
//! in `benches/go/record/`, or a virtual-clock trace of Go's, see
//! `compat-tests/traces/go/FORMAT.md`) is parsed and checked by
//! `gowheel_compat_tests::replay`, turned into a [`Schedule`] (each
//! operation's time and thread), and re-issued on each backend by
//! [`replay`] with as many threads as the recording had, each operation at
//! its recorded time. Answers are not checked here: they depend on real
//! time (the exact, answer-checking replay is the `replay` binary of
//! `gowheel-compat-tests`, on a manual clock).
//!
//! | file | what |
//! | --- | --- |
//! | `schedule.rs` | [`Schedule`]: operations with times and threads |
//! | `target.rs` | [`ReplayTarget`]: the calls, on gowheel and on tokio |
//! | `run.rs` | [`replay`]: the timed replay and what it measures |
//! | here | [`records`]: a [`ReplayResult`] as report records |
//!
//! ```no_run
//! use gowheel_benches::trace_replay::{GowheelTarget, Schedule, records, replay};
//! use gowheel_compat_tests::replay::Trace;
//!
//! let trace = Trace::load("idle.trace".as_ref()).unwrap();
//! let schedule = Schedule::from_trace(&trace, 1_000_000);
//! let result = replay(GowheelTarget::new(gowheel::Backend::Wheel), &schedule);
//! for record in records("Trace", &result) {
//!     println!("{} {} {}", record.metric, record.value, record.unit);
//! }
//! ```

mod run;
mod schedule;
mod target;

pub use run::{HANDLE_WAIT, MAX_DURATION, ReplayResult, replay};
pub use schedule::{Schedule, Scheduled};
pub use target::{
    Function, GowheelTarget, ReplayTarget, TokioChan, TokioFuncSlot, TokioTarget, TokioTick,
};

use crate::Record;

/// The records of one backend's replay, under the workload name
/// `workload`: per operation `CALL_call_p50` and `CALL_call_p99`; firing
/// lateness `p50_lateness`, `p99_lateness`, `max_lateness` (function
/// timers, measured by the replay); on gowheel the runtime's own
/// `runtime_p99_lateness` and `runtime_max_lateness` (every firing);
/// `schedule_lag_p99`; `live_timers_max` and `live_timers_mean`;
/// `memory_growth`; and `skipped_ops` when any were skipped.
///
/// ```
/// use gowheel_benches::trace_replay::{GowheelTarget, Schedule, records, replay};
/// use gowheel_compat_tests::replay::Trace;
///
/// let trace = Trace::parse("t", "@0 t0 func 0 1000000\n@10 t0 chan 1 5\n@2000000 t0 recv 1 -> 10\n").unwrap();
/// let result = replay(GowheelTarget::new(gowheel::Backend::Heap), &Schedule::from_trace(&trace, 0));
/// let records = records("Trace", &result);
/// assert!(records.iter().any(|r| r.metric == "func_call_p99" && r.backend == "heap"));
/// assert!(records.iter().any(|r| r.metric == "p99_lateness"));
/// ```
pub fn records(workload: &str, result: &ReplayResult) -> Vec<Record> {
    let record = |metric: String, value: f64, unit: &str| Record {
        workload: workload.to_owned(),
        backend: result.backend.to_owned(),
        threads: result.threads,
        metric,
        value,
        unit: unit.to_owned(),
    };
    let mut out = Vec::new();
    for (name, histogram) in &result.calls {
        out.push(record(
            format!("{name}_call_p50"),
            histogram.value_at_quantile(0.5) as f64,
            "ns",
        ));
        out.push(record(
            format!("{name}_call_p99"),
            histogram.value_at_quantile(0.99) as f64,
            "ns",
        ));
    }
    let lateness = &result.lateness;
    let measured = |value: u64| {
        if lateness.is_empty() {
            f64::NAN
        } else {
            value as f64
        }
    };
    out.push(record(
        "p50_lateness".to_owned(),
        measured(lateness.value_at_quantile(0.5)),
        "ns",
    ));
    out.push(record(
        "p99_lateness".to_owned(),
        measured(lateness.value_at_quantile(0.99)),
        "ns",
    ));
    out.push(record(
        "max_lateness".to_owned(),
        measured(lateness.max()),
        "ns",
    ));
    if let Some(metrics) = &result.metrics {
        out.push(record(
            "runtime_p99_lateness".to_owned(),
            metrics.lateness.p99.as_nanos() as f64,
            "ns",
        ));
        out.push(record(
            "runtime_max_lateness".to_owned(),
            metrics.lateness.max.as_nanos() as f64,
            "ns",
        ));
    }
    out.push(record(
        "schedule_lag_p99".to_owned(),
        result.lag.value_at_quantile(0.99) as f64,
        "ns",
    ));
    let live = result.live.iter().map(|&(_, count)| count);
    let max = live.clone().fold(0.0, f64::max);
    let mean = live.clone().sum::<f64>() / result.live.len().max(1) as f64;
    out.push(record("live_timers_max".to_owned(), max, "timers"));
    out.push(record(
        "live_timers_mean".to_owned(),
        mean.round(),
        "timers",
    ));
    out.push(record(
        "memory_growth".to_owned(),
        result.memory.map_or(f64::NAN, |bytes| bytes as f64),
        "bytes",
    ));
    if result.skipped > 0 {
        out.push(record(
            "skipped_ops".to_owned(),
            result.skipped as f64,
            "ops",
        ));
    }
    out
}
