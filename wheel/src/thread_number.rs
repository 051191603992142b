//! A small number per thread, and the one panic for a timer used with the
//! wrong set.
//!
//! Threads are numbered in the order they first ask; numbers are never
//! reused, and each user takes them modulo its own size through
//! `thread_position` (the wheel's home stripe, the heap's shard, the
//! runtime's reference-count anchor). Both backends share this one
//! numbering so that a thread maps to the same position in all of them.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT_THREAD_NUMBER: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static THREAD_NUMBER: Cell<Option<usize>> = const { Cell::new(None) };
}

/// This thread's number modulo `count` (which must not be 0): the
/// position of the calling thread among `count` stripes, shards or
/// anchors. Threads numbered below `count`, which in most programs is all
/// of them, get their number without a division (tens of cycles).
///
/// # Panics
///
/// If `count` is 0.
///
/// # Example
///
/// ```
/// let position = gowheel_wheel::thread_position(4);
/// assert!(position < 4);
/// assert_eq!(position, gowheel_wheel::thread_number() % 4);
/// ```
#[inline]
pub fn thread_position(count: usize) -> usize {
    let number = thread_number();
    if number < count {
        number
    } else {
        number % count
    }
}

/// This thread's number: distinct for every thread that asks, given out in
/// the order threads first ask, and the same for the thread's whole life.
///
/// # Example
///
/// ```
/// let mine = gowheel_wheel::thread_number();
/// assert_eq!(mine, gowheel_wheel::thread_number());
/// let theirs = std::thread::spawn(gowheel_wheel::thread_number).join().unwrap();
/// assert_ne!(mine, theirs);
/// ```
pub fn thread_number() -> usize {
    THREAD_NUMBER.with(|number| {
        number.get().unwrap_or_else(|| {
            // Relaxed: only uniqueness matters, which the RMW gives.
            let assigned = NEXT_THREAD_NUMBER.fetch_add(1, Ordering::Relaxed);
            number.set(Some(assigned));
            assigned
        })
    })
}

/// Panics with the message every timer set gives when a timer is used with
/// a set other than the one that made it.
///
/// # Example
///
/// ```
/// let err = std::panic::catch_unwind(|| gowheel_wheel::foreign_timer()).unwrap_err();
/// let message = err.downcast_ref::<&str>().unwrap();
/// assert!(message.contains("other than the one that made it"));
/// ```
#[cold]
#[inline(never)]
#[track_caller]
pub fn foreign_timer() -> ! {
    panic!("gowheel: timer used with a timer set other than the one that made it")
}
