//! What the fuzz targets in `fuzz/` run, kept here so that the ordinary
//! test suite builds it, tests it and replays the inputs the fuzzers found
//! (see `fuzz/README.md`).
//!
//! * [`differential`]: bytes to a wheel shape and runtime-layer operations,
//!   run on the heap and the wheel by
//!   [`run_differential`](crate::differential::run_differential).
//! * [`trace`]: bytes to the trace parser and replayer, with replays that
//!   could not end in reasonable time left out.
//! * [`time_api`]: bytes to time-package calls on a manual clock, checked
//!   against a model of Go's channel rules.
//! * [`seeds`]: the proptest regression file read back as operation
//!   sequences, for the seed corpora.
//! * [`Reader`], [`Writer`]: the byte format the inputs are decoded from.
//!
//! Each target's `run` returns `Err` with a description for a finding and
//! panics only if gowheel (or the code under test here) does.

mod bytes;
pub mod differential;
pub mod seeds;
pub mod time_api;
pub mod trace;

pub use bytes::{Reader, Writer};
