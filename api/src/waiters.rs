//! The wakers of the futures and streams waiting on one timer channel.
//!
//! # Design
//!
//! A [`Waiters`] list lives in a channel's locked state, beside the value,
//! and is only touched with that lock held. A future registers its waker
//! when it finds the channel empty and takes it out when it completes or is
//! dropped. A delivery takes the whole list under the lock and wakes every
//! waker after unlocking; a woken future that finds nothing (another
//! receiver took the value, or a `stop`/`reset` discarded it) registers
//! again. Waking everyone rather than one is what makes cancellation safe:
//! a future dropped after its wake-up cannot swallow the wake-up another
//! waiter needed, since that waiter was woken too.
//!
//! # Invariants
//!
//! * Each entry's key is unique in the process (a global counter), so a
//!   future's [`WaiterKey`] names at most one entry.
//! * A key may name no entry (its entry was taken by a delivery); removing
//!   it is then a no-op, registering it pushes a new entry.
//! * `more` is empty while `first` is: the first waiter (almost always the
//!   only one: a `Sleep` or `Timeout` is the sole waiter of its own timer)
//!   is kept inline, so waiting allocates nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Waker;

/// The wakers waiting for a channel's next value. Protected by the
/// channel's lock.
#[derive(Default)]
pub(crate) struct Waiters {
    first: Option<(u64, Waker)>,
    more: Vec<(u64, Waker)>,
}

/// A future's handle on its entry in a [`Waiters`] list: none until it
/// first waits.
#[derive(Debug, Default)]
pub(crate) struct WaiterKey(Option<u64>);

/// Source of waiter keys.
static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

impl Waiters {
    /// Records `waker` under `key`, replacing the waker the key holds if
    /// there is one (re-polled with another waker) and keeping it if it
    /// would wake the same task.
    pub(crate) fn register(&mut self, key: &mut WaiterKey, waker: &Waker) {
        let id = *key.0.get_or_insert_with(|| {
            // Relaxed: keys need only be unique, which the atomic
            // read-modify-write gives; they publish nothing.
            NEXT_KEY.fetch_add(1, Ordering::Relaxed)
        });
        let has_first = self.first.is_some();
        let found = self
            .first
            .iter_mut()
            .chain(self.more.iter_mut())
            .find(|(entry, _)| *entry == id);
        match found {
            Some((_, registered)) if registered.will_wake(waker) => {}
            Some((_, registered)) => registered.clone_from(waker),
            None if !has_first => self.first = Some((id, waker.clone())),
            None => self.more.push((id, waker.clone())),
        }
    }

    /// Takes out the entry of `key`, if it has one.
    pub(crate) fn remove(&mut self, key: &WaiterKey) {
        let Some(id) = key.0 else {
            return;
        };
        if self.first.as_ref().is_some_and(|(entry, _)| *entry == id) {
            // Keeps `more` empty while `first` is.
            self.first = self.more.pop();
        } else if let Some(index) = self.more.iter().position(|(entry, _)| *entry == id) {
            self.more.swap_remove(index);
        }
    }

    /// Takes every waker, to be woken once the lock is released.
    pub(crate) fn take_all(&mut self) -> Wakeups {
        Wakeups {
            first: self.first.take(),
            more: std::mem::take(&mut self.more),
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        usize::from(self.first.is_some()) + self.more.len()
    }
}

/// Wakers taken from a [`Waiters`] list; woken when dropped, which the
/// caller arranges to happen after it unlocks the channel.
#[must_use = "the wakers are woken when this is dropped"]
pub(crate) struct Wakeups {
    first: Option<(u64, Waker)>,
    more: Vec<(u64, Waker)>,
}

impl Drop for Wakeups {
    fn drop(&mut self) {
        for (_, waker) in self.first.take().into_iter().chain(self.more.drain(..)) {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn waiters_register_replace_remove_and_wake_all() {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let mut waiters = Waiters::default();
        let (mut first, mut second, third) = Default::default();
        waiters.register(&mut first, &waker);
        waiters.register(&mut first, &waker); // same task: one entry
        waiters.register(&mut second, &waker);
        waiters.remove(&third); // never registered: nothing happens
        waiters.remove(&first); // the inline entry: `second` moves in
        assert!(waiters.more.is_empty() && waiters.first.is_some());
        waiters.register(&mut first, &waker);
        assert_eq!(waiters.len(), 2);
        waiters.remove(&second);
        drop(waiters.take_all());
        assert_eq!(count.0.load(Ordering::Relaxed), 1);
        waiters.remove(&first); // taken by the wake-up: a no-op
        waiters.register(&mut first, &waker); // registers again
        assert_eq!(waiters.len(), 1);
    }
}
