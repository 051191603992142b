//! The one place the wheel gets its synchronization primitives from.
//!
//! Normal builds use `std`, `parking_lot`'s mutex for the stripe locks, and
//! futex waits from `atomic-wait`; with `--cfg loom` the same names come
//! from loom's model checker (the stripe lock built on a loom atomic), so the
//! concurrent protocols can be explored exhaustively. Everything a loom
//! model must see (the stripe and node locks, the node word, the bounds and
//! counters, node fields) comes from here. A few process-wide counters that
//! only hand out identities (wheel ids, thread numbers) and the callback
//! type's `std::sync::Arc` use `std` directly: no protocol depends on them.

#[cfg(not(loom))]
pub(crate) use parking_lot::{Mutex, MutexGuard};
#[cfg(not(loom))]
pub(crate) use std::sync::Arc;

#[cfg(loom)]
pub(crate) use loom::sync::Arc;
#[cfg(loom)]
pub(crate) use loom_lock::{Mutex, MutexGuard};

/// Locks `mutex`.
///
/// The stripe locks are `parking_lot`'s, for their eventual fairness: a
/// thread that has waited about half a millisecond is handed the lock at
/// the next unlock, so that an operation loop that re-locks a stripe at
/// once (a thread stopping millions of timers) cannot keep the driver's
/// `check` out for longer than that. `std`'s lock lets the unlocking
/// thread take it straight back, however long others have waited. Neither
/// poisons here: callbacks never run under a stripe lock, and the wheel's
/// code keeps its structures consistent at every point it can panic, so a
/// lock whose holder panicked is still usable (loom's poisons; it is
/// ignored).
#[cfg(not(loom))]
#[inline]
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock()
}

/// See the non-loom `lock`.
#[cfg(loom)]
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock()
}

/// Locks `mutex` if no other thread holds it, without waiting.
#[cfg(not(loom))]
#[inline]
pub(crate) fn try_lock<T>(mutex: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    mutex.try_lock()
}

/// See the non-loom `try_lock`.
#[cfg(loom)]
pub(crate) fn try_lock<T>(mutex: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    mutex.try_lock()
}

/// The stripe locks as loom sees them: a test-and-set lock on a loom
/// atomic, whose waiters spin with a yield, as the node locks do.
///
/// loom's own `Mutex` cannot model a `try_lock` that fails: a thread whose
/// last step was a `try_lock` on a mutex that another thread then locks is
/// marked blocked on it, although a real `try_lock` returns at once. A
/// `stop` that holds a node lock and tries the stripe lock would then look
/// deadlocked against a driver that holds the stripe lock and waits for
/// the node. On a loom atomic, a failed `try_lock` is one failed CAS.
#[cfg(loom)]
mod loom_lock {
    use loom::cell::{MutPtr, UnsafeCell};
    use loom::sync::atomic::{AtomicBool, Ordering};

    pub(crate) struct Mutex<T> {
        locked: AtomicBool,
        data: UnsafeCell<T>,
    }

    // SAFETY: the lock gives one thread at a time access to `data`, as
    // std's `Mutex` does; `T: Send` is all that needs.
    unsafe impl<T: Send> Send for Mutex<T> {}
    // SAFETY: as above.
    unsafe impl<T: Send> Sync for Mutex<T> {}

    impl<T: std::fmt::Debug> std::fmt::Debug for Mutex<T> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Mutex")
        }
    }

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Mutex<T> {
            Mutex {
                locked: AtomicBool::new(false),
                data: UnsafeCell::new(value),
            }
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            loop {
                if let Some(guard) = self.try_lock() {
                    return guard;
                }
                loom::thread::yield_now();
            }
        }

        pub(crate) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            // Acquire: pairs with the Release store of the guard's drop,
            // so the holder sees what the previous holder wrote.
            self.locked
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .ok()?;
            Some(MutexGuard {
                mutex: self,
                data: Some(self.data.get_mut()),
            })
        }
    }

    pub(crate) struct MutexGuard<'a, T> {
        mutex: &'a Mutex<T>,
        /// loom's record of this exclusive access, for as long as the
        /// guard lives; taken and dropped before the lock is released.
        data: Option<MutPtr<T>>,
    }

    impl<T> std::ops::Deref for MutexGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            let data = self.data.as_ref().expect("present until dropped");
            // SAFETY: the lock is held, so no other thread accesses the
            // data until the guard is dropped.
            unsafe { data.deref() }
        }
    }

    impl<T> std::ops::DerefMut for MutexGuard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            let data = self.data.as_ref().expect("present until dropped");
            // SAFETY: as `deref`.
            unsafe { data.deref() }
        }
    }

    impl<T> Drop for MutexGuard<'_, T> {
        fn drop(&mut self) {
            // The access ends before the lock is released.
            drop(self.data.take());
            // Release: pairs with the Acquire CAS of the next holder.
            self.mutex.locked.store(false, Ordering::Release);
        }
    }
}

/// Atomic types and orderings.
pub(crate) mod atomic {
    #[cfg(not(loom))]
    pub(crate) use std::sync::atomic::{
        AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering,
    };

    #[cfg(loom)]
    pub(crate) use loom::sync::atomic::{
        AtomicBool, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering,
    };
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
