//! One shard of the heap reference (Go's `type timers`, one per P): a 4-ary
//! min-heap of `(timer, when)` entries under the shard lock, with lock-free
//! summaries for `wake_time`.
//!
//! # Fields and what protects them
//!
//! | field | protection |
//! | --- | --- |
//! | `heap` | the shard lock |
//! | `len` | atomic copy of `heap.len()`, stored at unlock |
//! | `zombies` | atomic; count of entries whose timer has `ZOMBIE` set |
//! | `min_when_heap` | atomic; `heap[0].when` (0 if empty), stored under the shard lock |
//! | `min_when_modified` | atomic; a lower bound on the `when` of timers with `MODIFIED` set (0: none); lowered by `modify` without the shard lock, cleared by `adjust` |
//!
//! `wake_time = min(min_when_heap, min_when_modified)`, ignoring zeros. It
//! must never be later than the earliest pending deadline in the heap, even
//! while `adjust` rebuilds it concurrently with `modify`: see
//! [`LockedShard::adjust`] for how.
//!
//! The heap is 4-ary: the parent of `i` is `(i - 1) / 4`, its children are
//! `4i + 1 ..= 4i + 4`. `heap[i].when` is the deadline the entry was filed
//! at; the timer's own `when` differs only while `MODIFIED` or `ZOMBIE` is
//! set.
//!
//! # One concept
//!
//! This file holds one concept, Go's `timers` with its methods: the
//! shard's lock-free side ([`Shard`]) and everything that runs under its
//! lock ([`LockedShard`]: heap order, `adjust`, `run`, `update_heap`,
//! `unlock_and_run`, `verify`). They stay together, as in Go's `time.go`,
//! so that both sides of each protocol (the bound `modify` lowers against
//! the scan `adjust` makes, the loads of `wake_time` against the stores of
//! `adjust`) are read in one place.

use std::sync::atomic::{AtomicI32, AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::lock_order::ShardLockToken;
use super::timer_cell::{HEAPED, LockedTimer, MODIFIED, TimerCell, ZOMBIE};
use crate::timer_set::next_periodic_when;

/// The arity of the heap (Go's `timerHeapN`).
const HEAP_ARITY: usize = 4;

/// One heap entry (Go's `timerWhen`): the timer and the deadline it is filed
/// at.
struct TimerWhen {
    timer: Arc<TimerCell>,
    when: i64,
}

/// A shard of timers (Go's `timers`).
pub(crate) struct Shard {
    /// This shard's index in its set: what timers store in `shard`.
    index: usize,
    /// Go's `ts.mu` and `ts.heap`.
    heap: Mutex<Vec<TimerWhen>>,
    /// Atomic copy of `heap.len()`, stored at unlock.
    len: AtomicU32,
    /// Number of heap entries whose timer is a zombie.
    zombies: AtomicI32,
    /// `heap[0].when`, or 0 if the heap is empty.
    min_when_heap: AtomicI64,
    /// Lower bound on `when` over timers with `MODIFIED` set; 0 if none.
    min_when_modified: AtomicI64,
}

// Every atomic below uses SeqCst because the reference mirrors Go, whose
// atomics are sequentially consistent; each site names the access it pairs
// with. The wheel, which is tuned, justifies weaker orderings one by one.

impl Shard {
    pub(crate) fn new(index: usize) -> Shard {
        Shard {
            index,
            heap: Mutex::new(Vec::new()),
            len: AtomicU32::new(0),
            zombies: AtomicI32::new(0),
            min_when_heap: AtomicI64::new(0),
            min_when_modified: AtomicI64::new(0),
        }
    }

    /// Locks the shard (Go's `ts.lock`).
    ///
    /// Callbacks never run under the shard lock, so poisoning can only come
    /// from the heap's own consistency panics; it is ignored, as in
    /// [`TimerCell::lock`].
    pub(crate) fn lock(&self) -> LockedShard<'_> {
        let (heap, order) = self.lock_parts();
        LockedShard {
            shard: self,
            heap: Some(heap),
            order: Some(order),
            released: ReleasedCells::default(),
        }
    }

    fn lock_parts(&self) -> (MutexGuard<'_, Vec<TimerWhen>>, ShardLockToken) {
        let order = ShardLockToken::acquire();
        let heap = self.heap.lock().unwrap_or_else(PoisonError::into_inner);
        (heap, order)
    }

    /// Adds `delta` to the zombie count.
    pub(crate) fn add_zombies(&self, delta: i32) {
        // SeqCst, as Go; read by `check` to decide on a forced adjust.
        self.zombies.fetch_add(delta, Ordering::SeqCst);
    }

    /// The current zombie count.
    pub(crate) fn zombies(&self) -> i32 {
        // SeqCst, as Go; pairs with `add_zombies`.
        self.zombies.load(Ordering::SeqCst)
    }

    /// The atomic copy of the heap length, as of the last unlock.
    pub(crate) fn len(&self) -> u32 {
        // SeqCst, as Go; pairs with the store in `LockedShard::store_len`.
        self.len.load(Ordering::SeqCst)
    }

    /// The current lower bound on modified timers' deadlines; 0 if none.
    pub(crate) fn min_when_modified(&self) -> i64 {
        // SeqCst, as Go; pairs with `update_min_when_modified` and with the
        // clearing store in `adjust`.
        self.min_when_modified.load(Ordering::SeqCst)
    }

    /// When this shard next needs a check; 0 if it holds no timers (Go's
    /// `ts.wakeTime`). Lock-free.
    pub(crate) fn wake_time(&self) -> i64 {
        // The order of the two loads matters: `adjust` folds
        // `min_when_modified` into `min_when_heap` *before* clearing it, so
        // reading `min_when_modified` first means that if it reads as
        // cleared, the `min_when_heap` read after it already includes what
        // was cleared. SeqCst orders the two loads and pairs with the two
        // stores in `adjust`.
        let next_when = self.min_when_modified();
        let mut when = self.min_when_heap.load(Ordering::SeqCst);
        if when == 0 || (next_when != 0 && next_when < when) {
            when = next_when;
        }
        when
    }

    /// Lowers `min_when_modified` to at most `when` (Go's
    /// `ts.updateMinWhenModified`). Needs no shard lock.
    pub(crate) fn update_min_when_modified(&self, when: i64) {
        let mut old = self.min_when_modified();
        loop {
            if old != 0 && old < when {
                return;
            }
            // SeqCst, as Go; pairs with `wake_time` and with `adjust`'s
            // clearing store, which this CAS either precedes (and is folded
            // into `min_when_heap`) or follows (and survives).
            match self.min_when_modified.compare_exchange(
                old,
                when,
                Ordering::SeqCst,
                Ordering::SeqCst,
            ) {
                Ok(_) => return,
                Err(current) => old = current,
            }
        }
    }

    /// Runs the timers of this shard that are due at `now` and returns when
    /// the shard next needs a check, 0 if never (Go's `ts.check`, less its
    /// clock read: the caller passes `now`).
    ///
    /// Go forces an adjust that purges zombies only on the current P's own
    /// heap, to keep other Ps off its lock; a set checks all its shards from
    /// one thread, so here the purge applies to every shard it checks, which
    /// is what bounds the garbage of shards whose threads have gone idle.
    pub(crate) fn check(&self, now: i64) -> i64 {
        let next = self.wake_time();
        if next == 0 {
            return 0;
        }
        let zombies = self.zombies();
        assert!(
            zombies >= 0,
            "gowheel heap: negative zombie count {zombies}"
        );
        let force = zombies as u32 > self.len() / 4;
        if now < next && !force {
            return next;
        }

        let mut poll_until = 0;
        let mut ts = self.lock();
        if !ts.heap().is_empty() {
            ts.adjust(now, false);
            while !ts.heap().is_empty() {
                let tw = ts.run(now);
                if tw != 0 {
                    if tw > 0 {
                        poll_until = tw;
                    }
                    break;
                }
            }
            // As in Go, the forced adjust comes after running timers, which
            // Go measured to be faster under contention.
            let force = self.zombies() as u32 > ts.heap().len() as u32 / 4;
            if force {
                ts.adjust(now, true);
            }
        }
        drop(ts);
        poll_until
    }
}

/// A locked shard: the heap, and the duty to store `len` when unlocked.
///
/// While a callback runs the shard is temporarily unlocked (see
/// [`while_unlocked`](Self::while_unlocked)).
pub(crate) struct LockedShard<'a> {
    shard: &'a Shard,
    heap: Option<MutexGuard<'a, Vec<TimerWhen>>>,
    order: Option<ShardLockToken>,
    /// The heap's references to the timers it removed. One may be the last
    /// (the handle gone), and dropping it drops the timer's callback, whose
    /// destructor is user code that may use this set; so they are dropped
    /// only once the shard is unlocked. Declared after the lock guards, so
    /// that it is dropped after them.
    released: ReleasedCells,
}

impl Drop for LockedShard<'_> {
    fn drop(&mut self) {
        // Go's `ts.unlock`: publish the length as of this unlock, so `len`
        // never shows an ephemeral value from inside the critical section.
        self.store_len();
        // Unlock here, explicitly, before `released` is dropped.
        self.heap = None;
        self.order = None;
    }
}

/// Timer cells removed from a heap, kept for dropping after the unlock:
/// the first inline (most unlocks release one at most), the rest in a
/// vector.
#[derive(Default)]
struct ReleasedCells {
    first: Option<Arc<TimerCell>>,
    rest: Vec<Arc<TimerCell>>,
}

impl ReleasedCells {
    fn push(&mut self, cell: Arc<TimerCell>) {
        if self.first.is_none() {
            self.first = Some(cell);
        } else {
            self.rest.push(cell);
        }
    }
}

impl<'a> LockedShard<'a> {
    #[inline]
    fn heap(&self) -> &Vec<TimerWhen> {
        self.heap
            .as_ref()
            .expect("gowheel heap: shard used while unlocked")
    }

    #[inline]
    fn heap_mut(&mut self) -> &mut Vec<TimerWhen> {
        self.heap
            .as_mut()
            .expect("gowheel heap: shard used while unlocked")
    }

    fn store_len(&self) {
        if let Some(heap) = &self.heap {
            // SeqCst, as Go; pairs with `Shard::len`.
            self.shard.len.store(heap.len() as u32, Ordering::SeqCst);
        }
    }

    /// Unlocks the shard, runs `f`, and locks it again. If `f` panics the
    /// shard stays unlocked and the panic propagates.
    fn while_unlocked<R>(&mut self, f: impl FnOnce() -> R) -> R {
        self.store_len();
        self.heap = None;
        self.order = None;
        drop(std::mem::take(&mut self.released));
        let result = f();
        let (heap, order) = self.shard.lock_parts();
        self.heap = Some(heap);
        self.order = Some(order);
        result
    }

    /// Panics unless `t` is the timer at the head of this heap.
    fn assert_is_head(&self, t: &LockedTimer<'_>) {
        let head_is_t = self
            .heap()
            .first()
            .is_some_and(|tw| std::ptr::eq(Arc::as_ptr(&tw.timer), t.cell));
        assert!(
            head_is_t && t.shard == Some(self.shard.index),
            "gowheel heap: timer is not the head of its shard"
        );
    }

    /// Adds the locked timer `t` (whose cell is `cell`) to the heap (Go's
    /// `ts.addHeap`). The caller has checked that `t` belongs in a heap.
    pub(crate) fn add_heap(&mut self, cell: &Arc<TimerCell>, t: &mut LockedTimer<'_>) {
        assert!(t.shard.is_none(), "gowheel heap: timer already in a shard");
        t.shard = Some(self.shard.index);
        let when = t.when;
        let heap = self.heap_mut();
        heap.push(TimerWhen {
            timer: cell.clone(),
            when,
        });
        let last = heap.len() - 1;
        self.sift_up(last);
        if std::ptr::eq(Arc::as_ptr(&self.heap()[0].timer), t.cell) {
            self.update_min_when_heap();
        }
    }

    /// Removes the head of the heap, whose locked timer is `t` (Go's
    /// `ts.deleteMin`).
    fn delete_min(&mut self, t: &mut LockedTimer<'_>) {
        self.assert_is_head(t);
        t.shard = None;
        let heap = self.heap_mut();
        let removed = heap.swap_remove(0);
        let remaining = heap.len();
        self.released.push(removed.timer);
        if remaining > 0 {
            self.sift_down(0);
        }
        self.update_min_when_heap();
        if remaining == 0 {
            // No timers at all means no modified timers either.
            // SeqCst, as Go; pairs with `Shard::min_when_modified`.
            self.shard.min_when_modified.store(0, Ordering::SeqCst);
        }
    }

    /// Rewrites the head entry's deadline and moves it down into place; the
    /// part of Go's `t.updateHeap` that touches the heap.
    fn set_head_when(&mut self, when: i64) {
        self.heap_mut()[0].when = when;
        self.sift_down(0);
        self.update_min_when_heap();
    }

    /// Removes zombies and applies modifications at the head of the heap
    /// until the head needs no attention (Go's `ts.cleanHead`). This keeps
    /// shards that start and stop many timers from filling with garbage.
    pub(crate) fn clean_head(&mut self) {
        loop {
            let Some(last) = self.heap().last() else {
                return;
            };
            // Zombies at the tail are removed without any heap adjustment,
            // and removing them first makes it likelier that a zombie at the
            // head is replaced by a live timer.
            if last.timer.published_state() & ZOMBIE != 0 {
                let cell = last.timer.clone();
                let mut t = cell.lock();
                if t.state & ZOMBIE != 0 {
                    t.state &= !(HEAPED | ZOMBIE | MODIFIED);
                    t.shard = None;
                    self.shard.add_zombies(-1);
                    if let Some(removed) = self.heap_mut().pop() {
                        self.released.push(removed.timer);
                    }
                }
                continue;
            }

            let head = &self.heap()[0].timer;
            if head.published_state() & (MODIFIED | ZOMBIE) == 0 {
                // Fast path: the head needs no adjustment.
                return;
            }
            let cell = head.clone();
            let mut t = cell.lock();
            if !self.update_heap(&mut t) {
                return;
            }
        }
    }

    /// Applies every pending modification in the heap and removes every
    /// zombie, then rebuilds the heap (Go's `ts.adjust`). Unless `force`,
    /// does nothing until the earliest modified deadline is due at `now`, so
    /// that timers moved back and forth cost nothing until one would fire.
    ///
    /// # The dilemma, and the four steps
    ///
    /// `min_when_modified` is a lower bound on the deadlines of `MODIFIED`
    /// timers. The scan below clears every `MODIFIED` bit, after which the
    /// bound can be reset to 0 ("none"). Meanwhile other threads may call
    /// `wake_time` and must never get a time later than a pending deadline,
    /// and other threads may `modify` timers of this shard.
    ///
    /// * Clearing `min_when_modified` *before* the scan makes `wake_time`
    ///   too late until the scan ends, if the bound was below
    ///   `min_when_heap`.
    /// * Clearing it *after* the scan can erase a bound lowered by a
    ///   concurrent `modify` whose timer the scan already passed: that timer
    ///   would fire late.
    ///
    /// The way out is that `min_when_heap` is protected by the shard lock,
    /// which we hold, so it can carry the bound while the scan runs:
    ///
    /// 1. `min_when_heap = min(min_when_heap, min_when_modified)`: locks in
    ///    an accurate `wake_time` even once `min_when_modified` is cleared;
    /// 2. `min_when_modified = 0`: from here on, concurrent modifications
    ///    lower it again and are not lost;
    /// 3. scan the heap, applying modifications and dropping zombies;
    /// 4. `min_when_heap = heap[0].when`: make it precise again.
    ///
    /// `wake_time` reads `min_when_modified` before `min_when_heap`, so a
    /// reader that sees the cleared bound of step 2 also sees step 1.
    ///
    /// Step 3 loads each timer's published state and locks only timers
    /// marked `MODIFIED` or `ZOMBIE`. A `modify` racing with steps 1 and 2
    /// could otherwise be lost: it sets `when`, then lowers
    /// `min_when_modified`, and if step 2 erased that lowering while step 3
    /// still read the timer's old published state, the timer would be
    /// skipped and fire late. Hence **the state-before-min-update rule**:
    /// `modify` publishes `MODIFIED` in `astate` *before* lowering
    /// `min_when_modified`. If step 2 overwrote the lowering, the publication
    /// came before it, so step 3 (after step 2) sees `MODIFIED` and locks the
    /// timer, waiting for the `modify` to finish.
    ///
    /// This port publishes before *reading* the bound, too (Go does not): a
    /// `modify` that finds the bound already low enough writes nothing to
    /// it, and if step 2 then clears that bound while step 3 reads the
    /// timer's old state, nothing covers the new deadline. With the store of
    /// `astate` before the load of the bound in `modify`, and the store of
    /// step 2 before the loads of step 3 here, all `SeqCst`, one side sees
    /// the other: `modify` reads 0 and lowers the bound, or step 3 sees
    /// `MODIFIED`.
    fn adjust(&mut self, now: i64, force: bool) {
        if !force {
            let first = self.shard.min_when_modified();
            if first == 0 || first > now {
                return;
            }
        }

        // Steps 1 and 2. SeqCst, as Go: pairs with the loads in `wake_time`
        // (which read in the opposite order) and with the CAS in
        // `update_min_when_modified`.
        self.shard
            .min_when_heap
            .store(self.shard.wake_time(), Ordering::SeqCst);
        self.shard.min_when_modified.store(0, Ordering::SeqCst);

        // Step 3.
        let mut changed = false;
        let mut i = 0;
        while i < self.heap().len() {
            let entry = &self.heap()[i];
            if entry.timer.published_state() & (MODIFIED | ZOMBIE) == 0 {
                // Needs no adjustment.
                i += 1;
                continue;
            }
            let cell = entry.timer.clone();
            let mut t = cell.lock();
            assert!(
                t.state & HEAPED != 0,
                "gowheel heap: timer in a heap without HEAPED"
            );
            if t.state & ZOMBIE != 0 {
                self.shard.add_zombies(-1);
                t.state &= !(HEAPED | ZOMBIE | MODIFIED);
                t.shard = None;
                // The last entry moves into slot `i`, which is examined again.
                let removed = self.heap_mut().swap_remove(i);
                self.released.push(removed.timer);
                changed = true;
            } else {
                if t.state & MODIFIED != 0 {
                    let when = t.when;
                    self.heap_mut()[i].when = when;
                    t.state &= !MODIFIED;
                    changed = true;
                }
                i += 1;
            }
        }
        if changed {
            self.init_heap();
        }

        // Step 4.
        self.update_min_when_heap();
    }

    /// Examines the head of the heap and runs it if it is due at `now` (Go's
    /// `ts.run`). Returns 0 if it ran a timer, -1 if the heap is empty, and
    /// otherwise the head's deadline. The shard is unlocked while the
    /// callback runs.
    fn run(&mut self, now: i64) -> i64 {
        loop {
            let Some(head) = self.heap().first() else {
                return -1;
            };
            if head.timer.published_state() & (MODIFIED | ZOMBIE) == 0 && head.when > now {
                // Fast path: not ready to run.
                return head.when;
            }
            let cell = head.timer.clone();
            let mut t = cell.lock();
            if self.update_heap(&mut t) {
                continue;
            }
            assert!(
                t.state & HEAPED != 0 && t.state & MODIFIED == 0,
                "gowheel heap: head timer in an impossible state {:#b}",
                t.state
            );
            if t.when > now {
                // Not ready to run.
                return t.when;
            }
            self.unlock_and_run(t, now);
            // The run may have removed the timer (a one-shot) and let go of
            // the heap's reference while unlocked: this one may be the last.
            self.released.push(cell);
            return 0;
        }
    }

    /// Applies the pending change that `state` records to the heap entry of
    /// `t`, which must be `heap[0]` (Go's `t.updateHeap`): removes a zombie,
    /// or moves a modified timer to its new place. Returns whether anything
    /// changed.
    ///
    /// The caller holds `t`'s lock (and this shard's).
    fn update_heap(&mut self, t: &mut LockedTimer<'_>) -> bool {
        self.assert_is_head(t);
        if t.state & ZOMBIE != 0 {
            t.state &= !(HEAPED | ZOMBIE | MODIFIED);
            self.shard.add_zombies(-1);
            self.delete_min(t);
            return true;
        }
        if t.state & MODIFIED != 0 {
            t.state &= !MODIFIED;
            self.set_head_when(t.when);
            return true;
        }
        false
    }

    /// Unlocks and runs the timer `t`, which is due at `now` and is the head
    /// of this heap (Go's `t.unlockAndRun`): re-arms it if periodic or marks
    /// it a zombie otherwise, unlocks it, and calls its callback with the
    /// shard unlocked. Returns with `t` unlocked and the shard locked again.
    ///
    /// The caller holds `t`'s lock (and this shard's).
    fn unlock_and_run(&mut self, mut t: LockedTimer<'_>, now: i64) {
        assert!(
            t.state & (MODIFIED | ZOMBIE) == 0,
            "gowheel heap: running a timer whose heap entry is stale"
        );
        let f = t.callback.clone();
        let seq = t.seq;
        let delay = now - t.when;
        let next = if t.period > 0 {
            // Leave it in the heap, at its next period boundary.
            next_periodic_when(t.when, t.period, delay)
        } else {
            0
        };
        t.when = next;
        if t.state & HEAPED != 0 {
            t.state |= MODIFIED;
            if next == 0 {
                t.state |= ZOMBIE;
                self.shard.add_zombies(1);
            }
            self.update_heap(&mut t);
        }
        drop(t);
        self.while_unlocked(|| f(seq, delay));
    }

    /// Sets `min_when_heap` to `heap[0].when`, or 0 if empty (Go's
    /// `ts.updateMinWhenHeap`).
    fn update_min_when_heap(&self) {
        let min = self.heap().first().map_or(0, |tw| tw.when);
        // SeqCst, as Go; pairs with the load in `wake_time`.
        self.shard.min_when_heap.store(min, Ordering::SeqCst);
    }

    /// Moves the entry at `i` up towards the root to its place (Go's
    /// `ts.siftUp`).
    fn sift_up(&mut self, mut i: usize) {
        let heap = self.heap_mut();
        let when = heap[i].when;
        debug_assert!(when > 0, "gowheel heap: filing a non-positive deadline");
        while i > 0 {
            let parent = (i - 1) / HEAP_ARITY;
            if when >= heap[parent].when {
                break;
            }
            heap.swap(i, parent);
            i = parent;
        }
    }

    /// Moves the entry at `i` down towards the leaves to its place (Go's
    /// `ts.siftDown`). Among equal children the first wins; the entry only
    /// moves past children strictly earlier than it.
    fn sift_down(&mut self, mut i: usize) {
        let heap = self.heap_mut();
        let n = heap.len();
        let when = heap[i].when;
        debug_assert!(when > 0, "gowheel heap: filing a non-positive deadline");
        loop {
            let first_child = i * HEAP_ARITY + 1;
            if first_child >= n {
                break;
            }
            let mut earliest = when;
            let mut chosen = None;
            let last_child = (first_child + HEAP_ARITY).min(n);
            for (child, entry) in heap[first_child..last_child].iter().enumerate() {
                if entry.when < earliest {
                    earliest = entry.when;
                    chosen = Some(first_child + child);
                }
            }
            let Some(child) = chosen else {
                break;
            };
            heap.swap(i, child);
            i = child;
        }
    }

    /// Re-establishes heap order over the whole heap in O(n) (Go's
    /// `ts.initHeap`).
    fn init_heap(&mut self) {
        let n = self.heap().len();
        if n <= 1 {
            return;
        }
        // The last entry that can have children is the parent of the last.
        for i in (0..=(n - 2) / HEAP_ARITY).rev() {
            self.sift_down(i);
        }
    }

    /// Removes every entry, disarming and unfiling its timer. The heap's
    /// references go to `unfiled`, for the caller to drop after unlocking:
    /// one may be the last, and a timer's drop runs its callback's
    /// destructor. The callbacks themselves are the set's to release.
    pub(crate) fn clear(&mut self, unfiled: &mut Vec<Arc<TimerCell>>) {
        let shard = self.shard;
        for entry in self.heap_mut().drain(..) {
            let mut t = entry.timer.lock();
            if t.state & ZOMBIE != 0 {
                shard.add_zombies(-1);
            }
            t.state = 0;
            t.shard = None;
            t.when = 0;
            drop(t);
            unfiled.push(entry.timer);
        }
        self.update_min_when_heap();
        // SeqCst, as Go; pairs with `Shard::min_when_modified`.
        self.shard.min_when_modified.store(0, Ordering::SeqCst);
    }

    /// Checks every invariant of this shard, panicking on the first broken
    /// one (Go's `ts.verify`, extended to the timers' states and to the
    /// wake time). Call only when no operation is in progress.
    pub(crate) fn verify(&self) {
        let index = self.shard.index;
        let heap = self.heap();
        for i in 1..heap.len() {
            let parent = (i - 1) / HEAP_ARITY;
            assert!(
                heap[i].when >= heap[parent].when,
                "shard {index}: heap order broken at {i} ({}) under {parent} ({})",
                heap[i].when,
                heap[parent].when
            );
        }
        assert_eq!(
            self.shard.len() as usize,
            heap.len(),
            "shard {index}: atomic len differs from the heap"
        );
        let min_when_heap = self.shard.min_when_heap.load(Ordering::SeqCst);
        assert_eq!(
            min_when_heap,
            heap.first().map_or(0, |tw| tw.when),
            "shard {index}: min_when_heap is not heap[0].when"
        );
        let wake_time = self.shard.wake_time();
        let mut zombies = 0;
        for (i, tw) in heap.iter().enumerate() {
            let t = tw.timer.lock();
            assert!(t.state & HEAPED != 0, "shard {index}: entry {i} not HEAPED");
            assert_eq!(
                t.shard,
                Some(index),
                "shard {index}: entry {i} names another shard"
            );
            assert_eq!(
                tw.timer.published_state(),
                t.state,
                "shard {index}: entry {i} has an unpublished state"
            );
            if t.state & ZOMBIE != 0 {
                zombies += 1;
                continue;
            }
            assert!(t.when > 0, "shard {index}: live entry {i} is not armed");
            if t.state & MODIFIED == 0 {
                assert_eq!(
                    tw.when, t.when,
                    "shard {index}: entry {i} is stale without MODIFIED"
                );
            }
            assert!(
                wake_time != 0 && wake_time <= t.when,
                "shard {index}: wake time {wake_time} is later than pending deadline {}",
                t.when
            );
        }
        assert_eq!(
            self.shard.zombies(),
            zombies,
            "shard {index}: zombie count differs from the heap"
        );
    }
}
