//! The one interface between a workload and whoever times it.
//!
//! A [`Runner`] is a workload made ready for one backend and thread count:
//! its threads, preamble and population already exist, so that
//! [`Runner::run`] measures only the iterations. The workloads build
//! runners; `evaluate`'s timing, the memory probes and the criterion
//! benches drive them. This module depends on nothing else in the crate,
//! so that each of those sides can name it without naming the other.

use std::time::Duration;

/// A workload ready to run on one backend with one thread count.
pub trait Runner {
    /// Runs `iters` iterations and returns what they measured: the wall
    /// time they took, or, for ParallelTimerLatency, the sum over rounds of
    /// the round's mean lateness (so that "time per iteration" is the mean
    /// lateness).
    fn run(&mut self, iters: u64) -> Duration;

    /// The lateness samples (ns) taken since the last call; empty for all
    /// workloads but ParallelTimerLatency.
    fn take_samples(&mut self) -> Vec<u64> {
        Vec::new()
    }

    /// For Scale: the growth of resident memory while the population was
    /// made, per timer, where it can be read (Linux).
    fn resident_bytes_per_timer(&self) -> Option<f64> {
        None
    }
}
