//! The heap reference: a faithful port of the timer algorithm of Go 1.23+'s
//! `runtime/time.go`, readable side by side with it.
//!
//! It is the oracle the wheel is held to, so clarity comes first, but it is
//! honest Go: the same data structures and the same lazy algorithms, with
//! nothing made slower than Go makes it.
//!
//! # Structure
//!
//! | Go | here |
//! | --- | --- |
//! | `timer` (`t.mu`, `t.state`, `t.astate`, `t.ts`) | `timer_cell::TimerCell` |
//! | `timers` (one per P: `mu`, `heap`, `len`, `zombies`, `minWhenHeap`, `minWhenModified`) | `shard::Shard` |
//! | the Ps | the shards of a [`HeapTimerSet`]; a thread is mapped to a shard by its number (`gowheel_wheel::thread_number`, the numbering the wheel uses too) modulo the shard count |
//! | `t.modify`, `t.stop`, `t.reset`, `t.maybeAdd`, `t.needsAdd` | [`HeapTimerSet`]'s methods and `timer_cell::LockedTimer::needs_add` |
//! | `t.updateHeap`, `t.unlockAndRun` | `shard::LockedShard::update_heap`, `shard::LockedShard::unlock_and_run`: methods of the timer in Go, here of the locked shard whose heap they update, so that `timer_cell` needs nothing of `shard` |
//! | `ts.addHeap`, `ts.deleteMin`, `ts.cleanHead`, `ts.adjust`, `ts.run`, `ts.verify`, `ts.siftUp`, `ts.siftDown`, `ts.initHeap` | methods of `shard::LockedShard` |
//! | `ts.check`, `ts.wakeTime`, `ts.updateMinWhenModified` | methods of `shard::Shard` |
//! | the garbage collector, for timers in no heap | `registry::Registry`: one per shard, holding every timer the set made, weakly |
//!
//! What Go does and this port does not: channel timers that stay out of the
//! heap until someone blocks on them (the time-package layer keeps its own
//! channel state instead), `GODEBUG=asynctimerchan`, the race detector
//! hooks, synctest bubbles, and moving heaps between Ps (`ts.take`).
//!
//! # Concurrency
//!
//! Lock order is shard, then timer, asserted in debug builds by
//! `lock_order`. `modify` and `stop` take only the timer's lock (plus a
//! shard lock in `maybe_add` when the timer is not in any heap), so they
//! never wait for the checking thread except on the one timer they touch.
//! A check holds one shard lock at a time and releases it, and the timer's
//! lock, while a callback runs. A registry's lock is a leaf, taken once by
//! `new_timer` and once by a timer's drop, never by `modify` or `stop`.
//!
//! Atomics are `SeqCst` throughout, as Go's are; each names its pair.
//!
//! # Where this port differs from Go
//!
//! * `modify` publishes `MODIFIED` before it *reads* `min_when_modified`,
//!   not only before it lowers it. Go publishes only when it lowers the
//!   bound, and a timer moved earlier to a deadline the bound already
//!   covers can then be missed by a concurrent `adjust`: the adjust clears
//!   the bound and scans past the timer's old published state before
//!   `modify` unlocks, and the timer is left at its old heap position with
//!   nothing to cover its new deadline, so it fires late. The concurrent
//!   conformance tests exercise this race; see `LockedShard::adjust`.
//! * A set's `check` takes the minimum of its shards' answers with their
//!   wake times, as Go's scheduler does, so its answer alone is never late.
//! * The forced zombie purge applies to every shard a check visits, not
//!   only the current P's.
//! * The set keeps a registry of every timer it made (weak references, one
//!   registry per shard, see `registry`), and `clear`, which dropping the
//!   set calls, releases the callback of every one of them, not only of the
//!   timers in a heap. Go needs no such list: its collector frees a timer
//!   that is in no heap once its handles are unreachable, cycles through
//!   its callback included. Reference counting does not free a cycle, and a
//!   callback that holds its own timer's handle makes one (cell → callback
//!   → handle → cell); the registry is how the set reaches such a timer
//!   once nothing else does. The bookkeeping is one short lock in
//!   `new_timer` and one when a timer is dropped; `modify`, `stop` and
//!   `check` never touch it.
//!
//!   What the registry cannot do is free a cycle while its set lives: a
//!   timer whose callback holds its handle lives, armed or not, until the
//!   set is cleared or dropped, or until its callback is replaced (a
//!   `modify` with a new callback). And a callback that holds the set
//!   itself (an `Arc<HeapTimerSet>` of its own set, or a handle of the
//!   [`Runtime`](crate::Runtime) the set belongs to) keeps the set alive,
//!   so the set is never dropped: call [`clear`](TimerSet::clear) before
//!   letting go of such a set (for a runtime, keep the runtime out of its
//!   callbacks, as its documentation says). The wheel behaves the same.

mod lock_order;
mod registry;
mod shard;
mod timer_cell;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use gowheel_wheel::{foreign_timer, thread_position};

use self::registry::Registry;
use self::shard::Shard;
use self::timer_cell::{HEAPED, MODIFIED, TimerCell, ZOMBIE};
use crate::timer_set::{Callback, MAX_WHEN, TimerSet, TimerSetStats, validate_modify_args};

/// Gives every set a distinct identity, so that a timer used with a set
/// other than its own is caught.
static NEXT_SET_ID: AtomicU64 = AtomicU64::new(1);

/// Go's timer heaps: one 4-ary heap per shard, as Go has one per P.
///
/// A timer joins the heap of the shard of the thread that arms it; it stays
/// there until it fires or is stopped and cleaned out. Stop and later moves
/// are lazy: they only mark the timer, and the heap catches up when its head
/// is examined or when it is adjusted.
///
/// Dropping the set (or calling [`clear`](TimerSet::clear)) releases the
/// callback of every timer it made, armed or not, so that a callback holding
/// its own timer's handle is freed with the set.
///
/// ```
/// use gowheel::{HeapTimerSet, ManualClock, TimerSet};
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use std::sync::Arc;
///
/// let set = HeapTimerSet::new(4);
/// let fired = Arc::new(AtomicUsize::new(0));
/// let count = fired.clone();
/// let timers: Vec<_> = (1..=10)
///     .map(|i| {
///         let count = count.clone();
///         let timer = set.new_timer(gowheel::callback(move |_, _| {
///             count.fetch_add(1, Ordering::Relaxed);
///         }));
///         set.reset(&timer, i * 100, 0);
///         timer
///     })
///     .collect();
/// set.stop(&timers[0]);
/// ManualClock::new(1).run_until(&set, 1_000);
/// assert_eq!(fired.load(Ordering::Relaxed), 9);
/// set.verify();
/// ```
pub struct HeapTimerSet {
    id: u64,
    shards: Box<[Shard]>,
    /// Every timer made on each shard's threads, by shard index (see the
    /// `registry` module).
    registries: Box<[Arc<Registry>]>,
}

/// A timer of a [`HeapTimerSet`].
///
/// Dropping the handle does not stop the timer. Cloning gives another handle
/// to the same timer.
///
/// ```
/// use gowheel::{HeapTimerSet, TimerSet};
/// let set = HeapTimerSet::new(1);
/// let timer = set.new_timer(gowheel::callback(|_, _| {}));
/// let same = timer.clone();
/// set.reset(&timer, 10, 0);
/// assert!(set.stop(&same));
/// ```
#[derive(Clone)]
pub struct HeapTimer {
    cell: Arc<TimerCell>,
}

impl HeapTimer {
    /// A number that identifies this timer among the live timers for as
    /// long as this handle lives: the address of its cell.
    #[inline]
    pub(crate) fn identity(&self) -> usize {
        Arc::as_ptr(&self.cell) as usize
    }
}

impl fmt::Debug for HeapTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeapTimer")
            .field("state", &self.cell.published_state())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for HeapTimerSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeapTimerSet")
            .field("shards", &self.shards.len())
            .field("stats", &self.stats())
            .finish()
    }
}

impl Default for HeapTimerSet {
    /// One shard per available CPU, as Go has one heap per P and
    /// `GOMAXPROCS` defaults to the CPU count.
    fn default() -> HeapTimerSet {
        let shards = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_SHARDS);
        HeapTimerSet::new(shards)
    }
}

/// The most shards a heap timer set may have (the wheel's
/// [`MAX_STRIPES`](gowheel_wheel::MAX_STRIPES)); more is refused rather
/// than failing to allocate.
///
/// ```
/// assert!(gowheel::HeapTimerSet::try_new(gowheel::MAX_SHARDS + 1).is_err());
/// ```
pub const MAX_SHARDS: usize = gowheel_wheel::MAX_STRIPES;

/// Why [`HeapTimerSet::try_new`] refused a shard count: it is not in
/// `1..=`[`MAX_SHARDS`].
///
/// ```
/// let error = gowheel::HeapTimerSet::try_new(0).unwrap_err();
/// assert_eq!(error.to_string(), "a heap timer set needs 1..=4096 shards, got 0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardCountError(pub usize);

impl fmt::Display for ShardCountError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a heap timer set needs 1..={MAX_SHARDS} shards, got {}",
            self.0
        )
    }
}

impl std::error::Error for ShardCountError {}

impl HeapTimerSet {
    /// A set of `shards` heaps (Go: `GOMAXPROCS` Ps).
    ///
    /// # Panics
    ///
    /// If `shards` is not in `1..=`[`MAX_SHARDS`];
    /// [`try_new`](Self::try_new) returns an error instead.
    ///
    /// ```
    /// let set = gowheel::HeapTimerSet::new(8);
    /// assert_eq!(set.shard_count(), 8);
    /// ```
    #[must_use]
    pub fn new(shards: usize) -> HeapTimerSet {
        match HeapTimerSet::try_new(shards) {
            Ok(set) => set,
            Err(error) => panic!("gowheel: {error}"),
        }
    }

    /// [`new`](Self::new), or an error if `shards` is not in
    /// `1..=`[`MAX_SHARDS`].
    ///
    /// ```
    /// assert_eq!(gowheel::HeapTimerSet::try_new(2).unwrap().shard_count(), 2);
    /// assert!(gowheel::HeapTimerSet::try_new(0).is_err());
    /// ```
    pub fn try_new(shards: usize) -> Result<HeapTimerSet, ShardCountError> {
        if !(1..=MAX_SHARDS).contains(&shards) {
            return Err(ShardCountError(shards));
        }
        Ok(HeapTimerSet {
            // Relaxed: only uniqueness matters, which the RMW gives.
            id: NEXT_SET_ID.fetch_add(1, Ordering::Relaxed),
            shards: (0..shards).map(Shard::new).collect(),
            registries: (0..shards).map(|_| Registry::new()).collect(),
        })
    }

    /// The number of shards.
    ///
    /// ```
    /// assert_eq!(gowheel::HeapTimerSet::new(3).shard_count(), 3);
    /// ```
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The index of the calling thread's shard (Go: the current P).
    fn current_shard_index(&self) -> usize {
        thread_position(self.shards.len())
    }

    /// The shard of the calling thread (Go: the current P).
    fn current_shard(&self) -> &Shard {
        &self.shards[self.current_shard_index()]
    }

    /// The cell of `timer`, checked to be one of this set's: panics (with
    /// the message every set gives) if another set made it.
    fn checked_cell<'a>(&self, timer: &'a HeapTimer) -> &'a Arc<TimerCell> {
        if timer.cell.set_id != self.id {
            foreign_timer();
        }
        &timer.cell
    }

    /// Adds `cell` to the calling thread's shard if it still needs a heap
    /// (Go's `t.maybeAdd`). Called with no lock held: the shard lock must be
    /// taken before the timer's.
    fn maybe_add(&self, cell: &Arc<TimerCell>) {
        let mut ts = self.current_shard().lock();
        ts.clean_head();
        let mut t = cell.lock();
        if t.needs_add() {
            t.state |= HEAPED;
            ts.add_heap(cell, &mut t);
        }
    }
}

impl TimerSet for HeapTimerSet {
    type Timer = HeapTimer;

    /// Go's `t.init`; the timer also joins the registry of the calling
    /// thread's shard.
    fn new_timer(&self, callback: Callback) -> HeapTimer {
        let registry = &self.registries[self.current_shard_index()];
        HeapTimer {
            cell: registry.register(|registration| TimerCell::new(self.id, callback, registration)),
        }
    }

    /// Go's `t.modify`.
    fn modify(
        &self,
        timer: &HeapTimer,
        when: i64,
        period: i64,
        callback: Option<Callback>,
        seq: u64,
    ) -> bool {
        validate_modify_args(when, period);
        let cell = self.checked_cell(timer);
        let mut t = cell.lock();
        t.period = period;
        // The old callback is dropped after unlocking: its destructor is
        // user code and must not run under the timer lock.
        let old_callback = callback.map(|f| {
            t.seq = seq;
            std::mem::replace(&mut t.callback, f)
        });

        let pending = t.when > 0;
        t.when = when;
        if t.state & HEAPED != 0 {
            t.state |= MODIFIED;
            let shard = &self.shards[t.shard.expect("gowheel heap: HEAPED timer without a shard")];
            if t.state & ZOMBIE != 0 {
                // In a heap but marked for removal by a stop: re-armed, so
                // unmark it.
                shard.add_zombies(-1);
                t.state &= !ZOMBIE;
            }
            // The heap entry is updated later, by whoever checks the shard;
            // meanwhile the shard's bound on modified deadlines must cover it.
            //
            // The state-before-min-update rule: publish MODIFIED before
            // *reading* the bound, not only before lowering it, so that an
            // `adjust` that clears the bound after our read sees MODIFIED in
            // its scan and locks this timer. Go publishes only on the
            // lowering path, which loses a timer moved earlier when the bound
            // it reads already covers it: an `adjust` can clear that bound
            // and scan past this timer's old published state before our
            // unlock publishes it, leaving the timer at its old heap
            // position with no bound left to cover it. See
            // `LockedShard::adjust`.
            t.publish_state();
            let min = shard.min_when_modified();
            if min == 0 || when < min {
                shard.update_min_when_modified(when);
            }
        }
        let add = t.needs_add();
        drop(t);
        drop(old_callback);
        if add {
            self.maybe_add(cell);
        }
        pending
    }

    /// Go's `t.stop`: marks the timer a zombie if it is in a heap, and
    /// disarms it. Never waits for a shard lock.
    fn stop(&self, timer: &HeapTimer) -> bool {
        let cell = self.checked_cell(timer);
        let mut t = cell.lock();
        if t.state & HEAPED != 0 {
            t.state |= MODIFIED;
            if t.state & ZOMBIE == 0 {
                t.state |= ZOMBIE;
                let shard = t.shard.expect("gowheel heap: HEAPED timer without a shard");
                self.shards[shard].add_zombies(1);
            }
        }
        let pending = t.when > 0;
        t.when = 0;
        pending
    }

    /// Checks every shard in turn with Go's `ts.check`, and returns the
    /// earliest of their answers and of the shards' wake times.
    ///
    /// A shard's `check` answers with its head's deadline, which can be
    /// later than a timer moved earlier and not yet adjusted (only
    /// `min_when_modified` knows of it). Go's scheduler covers that by
    /// taking the minimum with every P's `wakeTime` (`checkTimersNoP`),
    /// besides the `wakeNetPoller` call in `modify`; the set does the same,
    /// so that its answer alone is never late.
    fn check(&self, now: i64) -> i64 {
        // `MAX_WHEN` is never reached: a check at it would otherwise run a
        // periodic timer saturated there again and again, forever.
        let now = now.min(MAX_WHEN - 1);
        let polled = self
            .shards
            .iter()
            .map(|shard| shard.check(now))
            .filter(|&next| next != 0)
            .min();
        match (polled, self.wake_time()) {
            (Some(polled), 0) => polled,
            (Some(polled), wake) => polled.min(wake),
            (None, wake) => wake,
        }
    }

    /// The earliest of the shards' wake times (Go's `timeSleepUntil`, with
    /// 0 for none).
    fn wake_time(&self) -> i64 {
        self.shards
            .iter()
            .map(Shard::wake_time)
            .filter(|&when| when != 0)
            .min()
            .unwrap_or(0)
    }

    /// Empties every heap, disarming and unfiling each timer in it, then
    /// gives every timer the set made (armed or not, found through the
    /// registries) a callback that does nothing. The old callbacks, and the
    /// references the heaps held, are dropped after every lock is released:
    /// their destructors are user code. Go has no counterpart; Go's timers
    /// are collected.
    fn clear(&self) {
        let mut unfiled = Vec::new();
        for shard in self.shards.iter() {
            shard.lock().clear(&mut unfiled);
        }
        let mut cells = Vec::new();
        for registry in self.registries.iter() {
            registry.live_cells(&mut cells);
        }
        let noop = crate::timer_set::noop_callback();
        let released: Vec<Callback> = cells
            .iter()
            .map(|cell| std::mem::replace(&mut cell.lock().callback, noop.clone()))
            .collect();
        drop(released);
        drop(cells);
        drop(unfiled);
    }

    fn verify(&self) {
        for shard in self.shards.iter() {
            shard.lock().verify();
        }
        for registry in self.registries.iter() {
            registry.verify();
        }
    }

    fn stats(&self) -> TimerSetStats {
        self.shards
            .iter()
            .fold(TimerSetStats::default(), |stats, shard| TimerSetStats {
                filed: stats.filed + shard.len() as usize,
                zombies: stats.zombies + shard.zombies().max(0) as usize,
            })
    }
}

impl Drop for HeapTimerSet {
    /// Clears the set (see [`clear`](TimerSet::clear)), so that every
    /// callback, and every cycle through one, is freed with it.
    fn drop(&mut self) {
        self.clear();
    }
}
