//! Callbacks whose drop must wait until a stripe lock is released.
//!
//! Dropping a callback can run user code (the destructors of what it
//! captured), and user code may use timers, so it must not run under a
//! stripe lock. A locked stripe collects the callbacks of the nodes it
//! recycles and drops them right after unlocking.
//!
//! Most locked sections recycle one node at most (a handle's drop, a
//! firing), so the first callback is kept inline, and only a second one
//! brings in a vector.
//!
//! A purge can collect thousands at once. Growing a fresh vector for them
//! every time means a series of ever larger allocations, and with glibc
//! every allocation past the small sizes first consolidates the allocator's
//! fast bins, touching each small block freed since (such as the callbacks
//! the previous purge dropped). So the vector's storage is kept between
//! uses in a spare of the calling thread, up to [`MAX_SPARE_CALLBACKS`]
//! (1 MiB), kept until the thread exits.

use std::mem;

use crate::Callback;

/// The largest spare kept per thread, in callbacks (16 bytes each): enough
/// for the purges of stripes with tens of thousands of timers.
const MAX_SPARE_CALLBACKS: usize = 1 << 16;

#[cfg(not(loom))]
thread_local! {
    /// Storage for the next `DeferredDrops` on this thread; empty, with
    /// whatever capacity the last one left.
    static SPARE: std::cell::Cell<Vec<Callback>> = const { std::cell::Cell::new(Vec::new()) };
}

/// A spare vector with capacity, if this thread has one.
fn take_spare() -> Vec<Callback> {
    #[cfg(not(loom))]
    {
        SPARE.try_with(|spare| spare.take()).unwrap_or_default()
    }
    // loom runs its model threads on one OS thread, so a thread-local would
    // be shared between them; the models are small enough to go without.
    #[cfg(loom)]
    {
        Vec::new()
    }
}

/// Keeps `storage` (empty) as this thread's spare if it is the largest seen
/// and not too large.
fn give_spare(storage: Vec<Callback>) {
    debug_assert!(storage.is_empty());
    if storage.capacity() > MAX_SPARE_CALLBACKS {
        return;
    }
    #[cfg(not(loom))]
    {
        let _ = SPARE.try_with(|spare| {
            let current = spare.take();
            spare.set(if current.capacity() >= storage.capacity() {
                current
            } else {
                storage
            });
        });
    }
    #[cfg(loom)]
    drop(storage);
}

/// Callbacks to drop once the stripe lock is released. Drops them when it
/// is itself dropped, so it must be dropped after the lock guard.
pub(crate) struct DeferredDrops {
    /// The first callback kept.
    first: Option<Callback>,
    /// The others, in storage from this thread's spare.
    callbacks: Vec<Callback>,
}

impl DeferredDrops {
    pub(crate) const fn new() -> DeferredDrops {
        DeferredDrops {
            first: None,
            callbacks: Vec::new(),
        }
    }

    /// Keeps `callback`, if any, for dropping later.
    #[inline]
    pub(crate) fn push(&mut self, callback: Option<Callback>) {
        let Some(callback) = callback else {
            return;
        };
        if self.first.is_none() {
            self.first = Some(callback);
            return;
        }
        self.push_more(callback);
    }

    /// [`push`](Self::push) past the first callback, into the storage.
    #[inline(never)]
    fn push_more(&mut self, callback: Callback) {
        if self.callbacks.capacity() == 0 {
            self.callbacks = take_spare();
        }
        self.callbacks.push(callback);
    }

    /// Whether it keeps nothing, and so owns no memory: dropping it then
    /// does nothing, and may be skipped.
    #[inline]
    pub(crate) fn owns_nothing(&self) -> bool {
        self.first.is_none() && self.callbacks.capacity() == 0
    }

    /// Drops every callback kept so far. Call it only without the stripe
    /// lock.
    pub(crate) fn drop_all(&mut self) {
        self.first = None;
        self.callbacks.clear();
    }
}

impl Drop for DeferredDrops {
    fn drop(&mut self) {
        // The callbacks' destructors may lock stripes and use this thread's
        // spare themselves; the storage is handed over only once they ran.
        self.first = None;
        if self.callbacks.capacity() > 0 {
            self.callbacks.clear();
            give_spare(mem::take(&mut self.callbacks));
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn storage_is_reused_and_callbacks_are_dropped() {
        let witness = std::sync::Arc::new(());
        let capacity = {
            let mut deferred = DeferredDrops::new();
            for _ in 0..100 {
                let held = witness.clone();
                deferred.push(Some(crate::callback(move |_, _| {
                    std::hint::black_box(&held);
                })));
            }
            deferred.push(None);
            assert_eq!(std::sync::Arc::strong_count(&witness), 101);
            assert_eq!(deferred.callbacks.len(), 99, "the first is kept inline");
            deferred.callbacks.capacity()
        };
        assert_eq!(
            std::sync::Arc::strong_count(&witness),
            1,
            "every callback was dropped"
        );
        let mut next = DeferredDrops::new();
        next.push(Some(crate::callback(|_, _| {})));
        assert_eq!(
            next.callbacks.capacity(),
            0,
            "one callback needs no storage"
        );
        next.push(Some(crate::callback(|_, _| {})));
        assert_eq!(
            next.callbacks.capacity(),
            capacity,
            "the next collection starts with the spare storage"
        );
    }
}
