//! A small number per thread, given out in the order threads first ask.
//!
//! The heap maps a thread to its shard with it (Go: the current P), and the
//! runtime maps a thread to the share of its reference count that the
//! thread's handles use. Numbers are never reused; users take them modulo
//! their own size.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT_THREAD_NUMBER: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static THREAD_NUMBER: Cell<Option<usize>> = const { Cell::new(None) };
}

/// This thread's number, assigned on first use.
pub(crate) fn thread_number() -> usize {
    THREAD_NUMBER.with(|number| {
        number.get().unwrap_or_else(|| {
            // Relaxed: only uniqueness matters, which the RMW gives.
            let assigned = NEXT_THREAD_NUMBER.fetch_add(1, Ordering::Relaxed);
            number.set(Some(assigned));
            assigned
        })
    })
}
