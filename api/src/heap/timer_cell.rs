//! One timer of the heap reference (Go's `type timer`), its lock and its
//! state bits.
//!
//! # Concurrency model
//!
//! A timer is used by its owner (whoever holds the handle, usually one
//! thread at a time) and, concurrently, by the thread checking the shard
//! whose heap holds it. Every field is protected by the timer's own lock,
//! with these exceptions:
//!
//! * `set_id` and `registration` are immutable;
//! * `astate` is an atomic copy of `state`, published at every unlock and,
//!   in `modify`, once more *before* the shard's `min_when_modified` is
//!   read and lowered (the state-before-min-update rule, see
//!   `LockedShard::adjust` in the shard module). Shard code reads it without
//!   the timer lock to skip timers that need no attention;
//! * `shard` (Go's `t.ts`) is written only while holding both the timer lock
//!   and the lock of the shard it names, so either lock suffices to read it.
//!
//! # State bits
//!
//! | state | meaning |
//! | --- | --- |
//! | `0` | in no heap; `when` may still be set while `maybe_add` is on its way |
//! | `HEAPED` | in the heap of `shard`, with `heap[i].when == when` |
//! | `HEAPED \| MODIFIED` | in a heap, but `when` changed since `heap[i].when` was written |
//! | `HEAPED \| ZOMBIE (\| MODIFIED)` | stopped while in a heap; to be removed lazily |
//!
//! `MODIFIED` and `ZOMBIE` are only ever set together with `HEAPED`. Only
//! the owner sets `MODIFIED`/`ZOMBIE` (in `modify`, `stop`); only a thread
//! holding the shard lock clears them and `HEAPED` (in the `LockedShard`
//! methods `update_heap`, `adjust` and `clean_head`), except that `modify`
//! clears `ZOMBIE` when it re-arms a stopped timer.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::lock_order::TimerLockToken;
use super::registry::Registration;
use crate::timer_set::Callback;

/// The timer is stored in some shard's heap.
pub(crate) const HEAPED: u8 = 1 << 0;
/// `when` changed but the heap entry's `when` has not been updated yet.
/// Only set together with `HEAPED`.
pub(crate) const MODIFIED: u8 = 1 << 1;
/// Stopped but still in a heap, to be removed lazily. Only set together with
/// `HEAPED`; may be set together with `MODIFIED`.
pub(crate) const ZOMBIE: u8 = 1 << 2;

/// A timer of the heap reference (Go's `timer`). Shared by the owner's
/// handle and by the heap entry that files it.
pub(crate) struct TimerCell {
    /// The identity of the set that made this timer. Immutable.
    pub(crate) set_id: u64,
    /// Where the set registered this timer, so that the set can release its
    /// callback when it is cleared or dropped (see the `registry` module).
    /// Immutable; the cell leaves the registry when it is dropped.
    pub(crate) registration: Registration,
    /// Atomic copy of `fields.state`: published at unlock, and in `modify`
    /// before lowering `min_when_modified`. Read without the lock.
    pub(crate) astate: AtomicU8,
    /// Go's `t.mu` and everything it protects.
    fields: Mutex<TimerFields>,
}

/// The fields protected by a timer's lock.
pub(crate) struct TimerFields {
    /// `HEAPED`, `MODIFIED`, `ZOMBIE`: see the module doc.
    pub(crate) state: u8,
    /// The deadline; 0 when not armed.
    pub(crate) when: i64,
    /// Re-arm interval; 0 for one-shot timers.
    pub(crate) period: i64,
    /// What to run when the timer fires.
    pub(crate) callback: Callback,
    /// Opaque number handed to `callback`.
    pub(crate) seq: u64,
    /// Index of the shard whose heap holds this timer (Go's `t.ts`). Written
    /// under both the timer lock and that shard's lock.
    pub(crate) shard: Option<usize>,
}

impl TimerCell {
    /// A new unarmed timer (Go's `t.init`), registered at `registration`.
    pub(crate) fn new(set_id: u64, callback: Callback, registration: Registration) -> TimerCell {
        TimerCell {
            set_id,
            registration,
            astate: AtomicU8::new(0),
            fields: Mutex::new(TimerFields {
                state: 0,
                when: 0,
                period: 0,
                callback,
                seq: 0,
                shard: None,
            }),
        }
    }

    /// Locks the timer (Go's `t.lock`).
    ///
    /// The lock is never held while a callback runs, so a poisoned lock can
    /// only come from a panic inside the heap's own code; the fields are
    /// still consistent at every point such a panic can happen (the checks
    /// that panic run before any write), so poisoning is ignored.
    pub(crate) fn lock(&self) -> LockedTimer<'_> {
        let order = TimerLockToken::acquire();
        LockedTimer {
            cell: self,
            fields: self.fields.lock().unwrap_or_else(PoisonError::into_inner),
            _order: order,
        }
    }

    /// The published state bits (Go's `t.astate.Load()`).
    #[inline]
    pub(crate) fn published_state(&self) -> u8 {
        // SeqCst, as every atomic in Go: pairs with the stores in
        // `LockedTimer::publish_state`; see `LockedShard::adjust` for why the
        // published MODIFIED bit must be visible before a lowered
        // `min_when_modified` is.
        self.astate.load(Ordering::SeqCst)
    }
}

impl Drop for TimerCell {
    /// Leaves the set's registry. The callback is dropped after this, with
    /// the other fields, under whatever locks the dropping thread holds.
    fn drop(&mut self) {
        self.registration.leave(self);
    }
}

/// A locked timer: its fields, and the duty to publish `state` to `astate`
/// when unlocked (Go's `t.unlock`).
pub(crate) struct LockedTimer<'a> {
    pub(crate) cell: &'a TimerCell,
    fields: MutexGuard<'a, TimerFields>,
    _order: TimerLockToken,
}

impl LockedTimer<'_> {
    /// Copies `state` to `astate` now, while still locked.
    #[inline]
    pub(crate) fn publish_state(&self) {
        // SeqCst, as Go: pairs with `TimerCell::published_state` in
        // `adjust`, `clean_head` and `run`.
        self.cell.astate.store(self.fields.state, Ordering::SeqCst);
    }

    /// Whether the timer must be put into a heap (Go's `t.needsAdd`; Go's
    /// extra conditions for lazily-heaped channel timers do not apply at the
    /// runtime layer, where every armed timer is heaped).
    pub(crate) fn needs_add(&self) -> bool {
        self.state & HEAPED == 0 && self.when > 0
    }
}

impl Drop for LockedTimer<'_> {
    fn drop(&mut self) {
        // Go's `t.unlock`: let the lock-free fast paths see the final state.
        self.publish_state();
    }
}

impl Deref for LockedTimer<'_> {
    type Target = TimerFields;
    fn deref(&self) -> &TimerFields {
        &self.fields
    }
}

impl DerefMut for LockedTimer<'_> {
    fn deref_mut(&mut self) -> &mut TimerFields {
        &mut self.fields
    }
}
