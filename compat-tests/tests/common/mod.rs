//! Helpers shared by the stress, fault and bad-input tests
//! (`stress.rs`, `faults.rs`, `bad_input.rs`, `load.rs`,
//! `drop_frees_memory.rs`): one body per backend, waiting with a generous
//! bound, poison-tolerant locking.

// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

pub use gowheel_compat_tests::EVENTUALLY;
pub(crate) use gowheel_compat_tests::on_both_backends;

/// Locks `mutex`, ignoring poisoning (a failed assertion elsewhere must not
/// turn into a cascade of unrelated panics).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

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

/// The message of a caught panic.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic payload that is not a string".to_owned()
    }
}

/// Runs `f`, which must panic, and returns its panic message.
///
/// # Panics
///
/// If `f` returns.
#[track_caller]
pub fn expect_panic<R>(f: impl FnOnce() -> R) -> String {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic, but the call returned"),
        Err(payload) => panic_message(&*payload),
    }
}
