//! # gowheel-benches
//!
//! Benchmarks of gowheel's two backends (the wheel, and the port of Go's
//! timer heap) side by side, with tokio's timers as a third, and the
//! `evaluate` command that runs a short version of all of them and writes
//! the drop-in evaluation report.
//!
//! * [`backend`]: the two traits every workload is written against —
//!   [`TimerBackend`] (Go's time package: `AfterFunc`, `Stop`, `Reset`,
//!   `Sleep`) and [`TimerQueue`] (the runtime layer, one owner) — and
//!   their implementations for the wheel, the heap and tokio.
//! * [`workloads`]: the workloads, ports of Go's `sleep_test.go`
//!   benchmarks and a few more (idle timeouts, scaling, memory, a server
//!   under load), each written once, one file per family.
//! * [`runner`]: the [`Runner`] a workload becomes on one backend, which
//!   everything that times a workload drives.
//! * [`pool`]: Go's `b.RunParallel` on persistent threads, with Go's
//!   preamble of idle timers per thread.
//! * [`measure`], [`probe`], [`report`], [`go`]: `evaluate`'s timing,
//!   memory probes in child processes, report, and the Go comparison.
//! * [`trace_replay`]: `evaluate --trace`, a recorded workload replayed
//!   with its timing and threads on every backend.
//! * Leaves: [`go_time`] (Go's time constants), [`resident`] (resident
//!   memory), [`floor`] (the time layer's fixed costs).
//!
//! Modules import one way, from `evaluate` and the probes down through the
//! workloads to the backends, the pool and the leaves; no module imports
//! one that imports it back.
//!
//! The criterion benches (`cargo bench -p gowheel-benches`) and `evaluate`
//! (`cargo run --release -p gowheel-benches --bin evaluate`) run the same
//! runners; `benches/README.md` says what each workload measures.
#![warn(missing_docs)]

pub mod backend;
pub mod floor;
pub mod go;
pub mod go_time;
pub mod measure;
pub mod pool;
pub mod probe;
pub mod report;
pub mod resident;
pub mod runner;
pub mod trace_replay;
pub mod workloads;

pub use backend::{BackendKind, Gowheel, SetQueue, TimerBackend, TimerQueue, Tokio, TokioQueue};
pub use report::{Record, Report, Target};
pub use runner::Runner;
pub use workloads::{Metric, Sizes, Workload};

use std::path::PathBuf;

/// The Cargo target directory: `CARGO_TARGET_DIR` if set when running (or,
/// failing that, when building), else `target/` at the workspace root.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = option_env!("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target"))
}
