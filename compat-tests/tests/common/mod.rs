//! Helpers shared by the stress, fault and bad-input tests
//! (`stress.rs`, `faults.rs`, `bad_input.rs`, `load.rs`,
//! `drop_frees_memory.rs`): one body per backend, and waiting with a
//! generous bound. Panic and lock helpers are the library's
//! (`gowheel_compat_tests::panics`).

// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use std::thread;
use std::time::{Duration, Instant};

pub use gowheel_compat_tests::EVENTUALLY;
pub(crate) use gowheel_compat_tests::on_both_backends;

/// Polls `done` every millisecond until it returns true or [`EVENTUALLY`]
/// passes; returns whether it became true.
pub fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if done() {
            return true;
        }
        if started.elapsed() >= EVENTUALLY {
            return false;
        }
        thread::sleep(Duration::from_millis(1));
    }
}
