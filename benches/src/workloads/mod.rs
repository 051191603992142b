//! The workloads, each written once against
//! [`TimerBackend`](crate::backend::TimerBackend) or
//! [`TimerQueue`](crate::backend::TimerQueue) and run by criterion
//! (`benches/workloads.rs`) and by `evaluate` alike.
//!
//! A [`Workload`] is turned into a [`Runner`](crate::runner::Runner) for
//! one backend and thread count ([`Workload::runner`]); `Runner::run(n)`
//! performs `n` iterations and returns what they measured (wall time,
//! except for [`Workload::ParallelTimerLatency`]). The mapping to Go's
//! benchmarks is in `benches/README.md`.
//!
//! # Layout
//!
//! * `workload`: the catalog, [`Workload`]: names, metrics, thread counts,
//!   which rows have Go's preamble; `metric`: [`Metric`]; `sizes`:
//!   [`Sizes`], Go's or a smoke test's, and [`ServerLoadSize`].
//! * One file per workload family, each building its runners:
//!   `adjust_timers` (Go's `AdjustTimers10000` and variants), `start_stop`
//!   (`StartStop1000`, `Stop`, `Reset`), `after_func` (`AfterFunc1000`,
//!   `SimultaneousAfterFunc1000`), `latency` (`ParallelTimerLatency`),
//!   `idle_timeouts` (the server pattern), `server_load` (the server
//!   pattern under a paced load on the real clock: firing lateness and
//!   call latency, [`run_server_load`]), `async_timeouts` (async tasks
//!   wrapping short operations in timeouts, gowheel's futures against
//!   `tokio::time`, [`run_async_timeouts`]), `scale` (`Scale`, and the
//!   population that `Memory` measures), `timer_set` (the runtime-layer
//!   rows).
//! * `team`: the runner every parallel family shares, on a
//!   [`Team`](crate::pool::Team) of pool threads.
//! * `dispatch`: [`Workload::runner`], which family builds which row, on
//!   which backend type.
//!
//! Imports run one way: `dispatch` imports the catalog and the families,
//! the families import `team` and each other's bodies (`scale` reuses
//! `start_stop`'s), and this file only declares and re-exports.

mod adjust_timers;
mod after_func;
mod async_timeouts;
mod dispatch;
mod idle_timeouts;
mod latency;
mod metric;
mod scale;
mod server_load;
mod sizes;
mod start_stop;
mod team;
mod timer_set;
mod workload;

pub use async_timeouts::{AsyncTimeoutsReport, AsyncTimeoutsSize, run_async_timeouts};
pub use idle_timeouts::IDLE_TIMEOUT;
pub use metric::Metric;
pub use scale::idle_duration;
pub use server_load::{ServerLoadReport, run_server_load, server_load_delay};
pub use sizes::{ServerLoadSize, Sizes};
pub use workload::Workload;
