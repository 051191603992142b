//! The one place the wheel gets its synchronization primitives from.
//!
//! Normal builds use `std` and futex waits from `atomic-wait`; with
//! `--cfg loom` the same names come from loom's model checker, so the
//! concurrent protocols can be explored exhaustively. Everything a loom
//! model must see (the stripe and node locks, the node word, the bounds and
//! counters, node fields) comes from here. A few process-wide counters that
//! only hand out identities (wheel ids, thread numbers) and the callback
//! type's `std::sync::Arc` use `std` directly: no protocol depends on them.

#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Mutex, MutexGuard};

/// Atomic types and orderings.
pub(crate) mod atomic {
    #[cfg(not(loom))]
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicUsize, Ordering};

    #[cfg(loom)]
    pub(crate) use loom::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicUsize, Ordering};
}

/// An `UnsafeCell` with loom's closure-based access API, so that loom can
/// check every access to lock-protected data.
#[cfg(not(loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> UnsafeCell<T> {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    /// Runs `f` with a shared pointer to the contents.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Runs `f` with an exclusive pointer to the contents.
    #[inline(always)]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;

/// Blocks while `word` still holds `expected` (or returns spuriously).
#[cfg(not(loom))]
#[inline]
pub(crate) fn wait(word: &atomic::AtomicU32, expected: u32) {
    atomic_wait::wait(word, expected);
}

/// Wakes every thread blocked in [`wait`] on `word`.
#[cfg(not(loom))]
#[inline]
pub(crate) fn wake_all(word: &atomic::AtomicU32) {
    atomic_wait::wake_all(word);
}

/// Under loom a "wait" yields to the model's scheduler, which then runs a
/// thread that can make progress.
#[cfg(loom)]
pub(crate) fn wait(_word: &atomic::AtomicU32, _expected: u32) {
    loom::thread::yield_now();
}

/// Under loom waiters never block, so there is no one to wake.
#[cfg(loom)]
pub(crate) fn wake_all(_word: &atomic::AtomicU32) {}

/// A hint to the CPU inside a short spin (a yield under loom, which must see
/// every spin as a chance to schedule another thread).
#[inline]
pub(crate) fn spin_hint() {
    #[cfg(not(loom))]
    std::hint::spin_loop();
    #[cfg(loom)]
    loom::thread::yield_now();
}

/// Keeps node memory from being returned to the allocator while it is
/// held: taken by a thread that releases a node lock with a waiter parked,
/// before the release, and dropped after it has woken the waiter (see
/// `slab.rs`). Under loom, chunks are never freed, so it holds nothing.
#[cfg(not(loom))]
pub(crate) struct WakePin(#[allow(dead_code)] crossbeam_epoch::Guard);

#[cfg(not(loom))]
impl WakePin {
    #[inline]
    pub(crate) fn pin() -> WakePin {
        WakePin(crossbeam_epoch::pin())
    }
}

/// See the non-loom `WakePin`.
#[cfg(loom)]
pub(crate) struct WakePin;

#[cfg(loom)]
impl WakePin {
    #[inline]
    pub(crate) fn pin() -> WakePin {
        WakePin
    }
}
