//! One stripe: a complete hierarchical wheel of slots under one lock, with
//! lock-free summaries of its earliest deadline.
//!
//! # Ground rules
//!
//! * Everything in [`StripeInner`] (slot lists, per-slot `min_when`,
//!   occupancy bitmaps, `elapsed`, the node slab) is protected by the stripe
//!   lock. So is each node's `next`, and `filed_when` together with the
//!   node lock.
//! * The stripe lock is taken before a node lock, never after (lock order
//!   stripe, then node). Callbacks run with neither held.
//! * `min_when` (the stripe's "locked-in" minimum) is written only under the
//!   stripe lock; `min_when_modified` and the per-slot
//!   `slot_min_when_modified` are lowered by `modify` without it and
//!   cleared by the stripe's `adjust`.
//!
//! # Filing
//!
//! `elapsed` is the tick up to which the stripe has been processed. A node
//! whose filed deadline is in tick `t` sits at the level of the highest
//! group of `slot_bits` bits in which `t` and `elapsed` differ, in the slot
//! named by that group of `t` (see [`Geometry::location_for`]). Two facts
//! follow, and the code relies on them:
//!
//! 1. **Order.** Every node at level `L` is filed later than every node at
//!    levels below `L`, and within a level, slots are in deadline order
//!    starting at `elapsed`'s own group. So the first occupied slot, found
//!    from the bitmaps in O(levels), holds the earliest filed deadlines,
//!    and its `min_when` is the stripe's minimum.
//! 2. **Stability.** Moving `elapsed` forward keeps every other node where
//!    it belongs, as long as `elapsed` never passes the start of an occupied
//!    slot of level above 0 without cascading it (re-filing its nodes
//!    against the new `elapsed`).
//!
//! A deadline already at or before `elapsed` is filed in the current level-0
//! slot, which is first in order anyway. Slots index, they do not round: a
//! level-0 slot spans one tick, and a node in it fires only when the check
//! time reaches its exact `when`; per-slot minimums are exact deadlines, so
//! the wake time is too.
//!
//! # Lazy modification and the four steps
//!
//! See [`LockedStripe::adjust`].

use std::ptr;

use crate::Callback;
use crate::config::Geometry;
use crate::deferred::DeferredDrops;
use crate::next_periodic_when;
use crate::node::{FILED, HANDLE_DROPPED, Location, MODIFIED, Node, NodeGuard, ZOMBIE};
use crate::slab::NodeSlab;
use crate::sync::atomic::{AtomicI64, AtomicUsize, Ordering, fence};
use crate::sync::{Mutex, MutexGuard};

/// How many slab nodes a forced sweep may scan per filed node and still
/// prefer the scan to the list walk. A scan reads nodes in address order,
/// which the processor prefetches; a walk follows `next` pointers, one
/// dependent load each, and misses the cache on every node once the stripe
/// outgrows it, so a walk step costs several scan steps.
const SCAN_NODES_PER_FILED: usize = 4;

/// One slot: an unordered singly-linked list of nodes (kept sorted by
/// `filed_when` for a level-0 slot while it is being fired from) and the
/// exact minimum of their `filed_when`, 0 when empty.
struct Slot {
    head: *mut Node,
    min_when: i64,
}

/// One slot's walk in step 3 of `adjust`.
struct SlotWalk {
    level: u32,
    slot: u32,
    index: usize,
    /// The last node kept, whose `next` an unlinking rewrites.
    previous: *mut Node,
    /// The next node to look at.
    node: *mut Node,
    /// The minimum deadline of the nodes kept so far.
    kept_min: i64,
}

/// The part of a stripe its lock protects.
pub(crate) struct StripeInner {
    /// Every tick before this one has been processed.
    elapsed: u64,
    /// `levels * slots_per_level` wheel slots, then the overflow list.
    slots: Box<[Slot]>,
    /// Per level, bit `s` set iff slot `s` is non-empty; the overflow list
    /// uses bit 0 of the last entry.
    occupied: Box<[u64]>,
    /// Level-0 slots whose list is sorted by `filed_when`.
    sorted_level0: u64,
    slab: NodeSlab,
    /// Scratch space for sorting a slot, kept to avoid allocating per check.
    scratch: Vec<*mut Node>,
    /// Scratch space for `adjust`: the due slots, their walks, and the
    /// nodes found marked.
    due: Vec<(u32, u32)>,
    walkers: Vec<SlotWalk>,
    marked: Vec<(*mut Node, u32, u32)>,
}

// SAFETY: the raw node pointers point into the stripe's own slab; they are
// only dereferenced under the stripe lock (or the node lock for the fields
// it protects), so moving the inner state between threads is sound.
unsafe impl Send for StripeInner {}

/// A stripe. Shared (through `Arc`) by the wheel and by every handle of a
/// timer that lives in it, so node memory outlives any handle.
pub(crate) struct Stripe {
    /// The identity of the wheel this stripe belongs to. Immutable.
    pub(crate) wheel_id: u64,
    geometry: Geometry,
    inner: Mutex<StripeInner>,
    /// The locked-in minimum: `min_when` of the first occupied slot, or
    /// lower while `adjust` runs; 0 if the stripe is empty. Written under
    /// the stripe lock.
    min_when: AtomicI64,
    /// A lower bound on the `when` of nodes moved earlier than where they
    /// are filed; 0 if none. Lowered by `modify` without the stripe lock.
    min_when_modified: AtomicI64,
    /// The same bound per slot.
    slot_min_when_modified: Box<[AtomicI64]>,
    /// Nodes filed in this stripe, zombies included.
    filed: AtomicUsize,
    /// Filed nodes that are zombies.
    zombies: AtomicUsize,
}

/// Lowers a slot's bound to at most `when` (0 counts as no bound), writing
/// nothing if it is already at or below `when`. Lock-free.
fn lower_bound(bound: &AtomicI64, when: i64) {
    // Relaxed load: the caller's SeqCst fence orders it against the
    // adjuster's clearing store of this bound (the state-before-min-update
    // handshake); the CAS validates the value.
    let mut old = bound.load(Ordering::Relaxed);
    while old == 0 || when < old {
        // Relaxed: the adjuster learns of this write through the stripe
        // bound's Release RMW that follows it, or through the fence
        // handshake.
        match bound.compare_exchange_weak(old, when, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(current) => old = current,
        }
    }
}

impl Stripe {
    pub(crate) fn new(wheel_id: u64, geometry: Geometry) -> Stripe {
        let slot_count = geometry.slot_count();
        Stripe {
            wheel_id,
            geometry,
            inner: Mutex::new(StripeInner {
                elapsed: 0,
                slots: (0..slot_count)
                    .map(|_| Slot {
                        head: ptr::null_mut(),
                        min_when: 0,
                    })
                    .collect(),
                occupied: vec![0; geometry.levels as usize + 1].into_boxed_slice(),
                sorted_level0: 0,
                slab: NodeSlab::new(),
                scratch: Vec::new(),
                due: Vec::new(),
                walkers: Vec::new(),
                marked: Vec::new(),
            }),
            min_when: AtomicI64::new(0),
            min_when_modified: AtomicI64::new(0),
            slot_min_when_modified: (0..slot_count).map(|_| AtomicI64::new(0)).collect(),
            filed: AtomicUsize::new(0),
            zombies: AtomicUsize::new(0),
        }
    }

    /// Locks the stripe.
    pub(crate) fn lock(&self) -> LockedStripe<'_> {
        LockedStripe {
            stripe: self,
            inner: Some(self.lock_inner()),
            deferred: DeferredDrops::new(),
        }
    }

    fn lock_inner(&self) -> MutexGuard<'_, StripeInner> {
        // Callbacks never run under the stripe lock and the wheel's own
        // code keeps its structure consistent at every point it can panic,
        // so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// When this stripe next needs a check; 0 if never. Lock-free.
    pub(crate) fn wake_time(&self) -> i64 {
        // The order of the loads matters: `adjust` folds
        // `min_when_modified` into `min_when` before clearing it, so a
        // reader that sees it cleared must then see the folded `min_when`.
        // Acquire on the first load pairs with the Release of the clearing
        // CAS in `adjust` (message passing); Acquire on the second pairs with
        // the Release stores of `min_when`.
        let modified = self.min_when_modified.load(Ordering::Acquire);
        let when = self.min_when.load(Ordering::Acquire);
        match (when, modified) {
            (0, m) => m,
            (w, 0) => w,
            (w, m) => w.min(m),
        }
    }

    /// Filed nodes, zombies included.
    pub(crate) fn filed(&self) -> usize {
        // Relaxed: a statistic and a purge heuristic; no data rides on it.
        self.filed.load(Ordering::Relaxed)
    }

    /// Filed zombies.
    pub(crate) fn zombies(&self) -> usize {
        // Relaxed: as `filed`.
        self.zombies.load(Ordering::Relaxed)
    }

    /// Whether stopped nodes exceed a quarter of the filed ones, the point at
    /// which they are purged (Go's forced adjust). This bounds zombies to a
    /// third of the live timers.
    pub(crate) fn needs_purge(&self) -> bool {
        let zombies = self.zombies();
        zombies > 0 && zombies * 4 > self.filed()
    }

    pub(crate) fn add_zombie(&self) {
        // Relaxed: a counter; each node's increments and decrements are
        // ordered by its lock, so the count never underflows.
        self.zombies.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn remove_zombie(&self) {
        // Relaxed: as `add_zombie`.
        self.zombies.fetch_sub(1, Ordering::Relaxed);
    }

    /// Records that the locked node `guard`, filed in this stripe, now has a
    /// deadline `when` earlier than the one it is filed under: lowers the
    /// bound of its slot, then of the stripe, so that `wake_time` covers it
    /// and the next `adjust` re-files it. The caller has already published
    /// `MODIFIED`; the fence is the modifier's half of the handshake (see
    /// `protocol`, *slot bound* and *stripe bound*).
    pub(crate) fn lower_modified_bounds(&self, guard: &NodeGuard<'_>, when: i64) {
        let location = guard.location();
        let index = self.geometry.slot_index(location.level, location.slot);
        fence(Ordering::SeqCst);
        lower_bound(&self.slot_min_when_modified[index], when);
        self.lower_stripe_bound(when);
    }

    /// Lowers the stripe's modified bound to at most `when` with an RMW that
    /// always writes (see `lower_modified_bounds` for why it must write).
    pub(crate) fn lower_stripe_bound(&self, when: i64) {
        // Release: pairs with the AcqRel fold-and-clear in `adjust`, making
        // the slot bounds written before it visible there.
        let _ =
            self.min_when_modified
                .fetch_update(Ordering::Release, Ordering::Relaxed, |bound| {
                    Some(if bound == 0 { when } else { bound.min(when) })
                });
    }

    /// Bytes of node storage this stripe holds, and the nodes handed out.
    pub(crate) fn storage(&self) -> (usize, usize) {
        let inner = self.lock_inner();
        (inner.slab.capacity_bytes(), inner.slab.live())
    }
}

/// A locked stripe. While a callback runs the lock is released (see
/// [`LockedStripe::process`]).
pub(crate) struct LockedStripe<'a> {
    pub(crate) stripe: &'a Stripe,
    inner: Option<MutexGuard<'a, StripeInner>>,
    /// Callbacks of recycled nodes. Their destructors are user code that may
    /// touch timers, which is deadlock-free only without the stripe lock, so
    /// they are dropped after unlocking.
    deferred: DeferredDrops,
}

impl Drop for LockedStripe<'_> {
    fn drop(&mut self) {
        // Unlock first; `deferred` is dropped after this body, unlocked.
        self.inner = None;
    }
}

/// What `fire_head` did with the node at the head of a due level-0 slot.
enum HeadOutcome {
    /// Due and taken off the wheel (or re-filed, if periodic): run
    /// `callback(seq, delay)` after unlocking.
    Fire {
        callback: Option<Callback>,
        seq: u64,
        delay: i64,
    },
    /// A zombie removed, or a node moved later re-filed: nothing to run.
    Settled,
}

impl<'a> LockedStripe<'a> {
    #[inline]
    fn inner(&mut self) -> &mut StripeInner {
        self.inner
            .as_mut()
            .expect("gowheel wheel: stripe used while unlocked")
    }

    #[inline]
    fn geometry(&self) -> Geometry {
        self.stripe.geometry
    }

    /// A fresh node from the slab.
    pub(crate) fn allocate(&mut self) -> *mut Node {
        self.inner().slab.allocate()
    }

    /// Returns `node` to the slab (see [`NodeSlab::release`]); its callback
    /// is dropped once the stripe is unlocked.
    ///
    /// # Safety
    ///
    /// As [`NodeSlab::release`]; the node belongs to this stripe.
    pub(crate) unsafe fn release(&mut self, node: *mut Node) {
        // SAFETY: forwarded contract.
        let callback = unsafe { self.inner().slab.release(node) };
        self.deferred.push(callback);
    }

    /// Files the locked, unfiled node `guard` under `when` and counts it.
    pub(crate) fn file_new(&mut self, guard: &NodeGuard<'_>, when: i64) {
        debug_assert!(guard.state() & FILED == 0);
        self.file(guard, when);
        self.count_new_filing(when);
    }

    /// Fills in and files `node`, fresh from this stripe's slab, armed at
    /// `when` with `period` (Go's `newTimer`: init, then modify), all under
    /// this one stripe lock and without the node lock.
    ///
    /// # Safety
    ///
    /// `node` was just allocated from this stripe and no other thread can
    /// reach it yet.
    pub(crate) unsafe fn start(
        &mut self,
        node: *mut Node,
        callback: Callback,
        when: i64,
        period: i64,
    ) {
        let geometry = self.geometry();
        let inner = self.inner();
        let (level, slot) = geometry.location_for(inner.elapsed, geometry.deadline_to_tick(when));
        // SAFETY: forwarded contract; the stripe lock is held.
        unsafe { (*node).init_filed(callback, when, period, Location { level, slot }) };
        inner.link(geometry, level, slot, node, when);
        self.count_new_filing(when);
    }

    /// Adds `delta` to the filed count. Only stripe-lock holders change it,
    /// so a load and a store do (no RMW); Relaxed: a statistic and a purge
    /// heuristic that no data rides on.
    #[inline]
    fn add_filed(&self, delta: isize) {
        let filed = &self.stripe.filed;
        filed.store(
            filed.load(Ordering::Relaxed).wrapping_add_signed(delta),
            Ordering::Relaxed,
        );
    }

    /// Counts a new filing under `when` and lowers the published minimum.
    fn count_new_filing(&mut self, when: i64) {
        self.add_filed(1);
        if when < self.stripe.min_when.load(Ordering::Relaxed)
            || self.stripe.min_when.load(Ordering::Relaxed) == 0
        {
            // Release: a reader of `wake_time` that happens after this
            // insert (for instance a driver woken by the inserter) sees the
            // lower minimum. Only this lock's holders write `min_when`, so
            // the Relaxed loads above read the latest value.
            self.stripe.min_when.store(when, Ordering::Release);
        }
    }

    /// Links the locked node `guard` into the slot for `when` and records
    /// the filing in its word. Does not touch the counters or the stripe's
    /// published minimum.
    fn file(&mut self, guard: &NodeGuard<'_>, when: i64) {
        let geometry = self.geometry();
        let inner = self.inner();
        let (level, slot) = geometry.location_for(inner.elapsed, geometry.deadline_to_tick(when));
        let node = guard.node() as *const Node as *mut Node;
        // SAFETY: both locks are held: the stripe lock through `self`, the
        // node lock through `guard`.
        unsafe { guard.mark_filed(Location { level, slot }, when) };
        inner.link(geometry, level, slot, node, when);
    }

    /// Unfiles the locked node `guard`, which the caller has already
    /// unlinked, and recycles it if its handle is gone (the node must not be
    /// used after that).
    fn unfile(&mut self, guard: NodeGuard<'_>) {
        let state = guard.state();
        if state & ZOMBIE != 0 {
            self.stripe.remove_zombie();
        }
        self.add_filed(-1);
        if state & HANDLE_DROPPED == 0 {
            // SAFETY: both locks are held.
            unsafe { guard.mark_unfiled() };
            return;
        }
        // Recycled in place: the word is cleared (unfiling it) as the lock
        // is released.
        // SAFETY: the node is unfiled from here on and its handle is gone,
        // so nothing can reach it; the handle set HANDLE_DROPPED holding
        // the node lock, so it no longer waits for it, and only the handle
        // and this stripe, whose lock we hold, ever lock a node. It came
        // from this stripe's slab.
        let callback = unsafe { self.inner().slab.release_locked(guard) };
        self.deferred.push(callback);
    }

    /// Re-publishes the stripe's locked-in minimum as the first occupied
    /// slot's exact minimum (0 if empty).
    ///
    /// An empty stripe also drops its modified bound (as Go's `deleteMin`
    /// does when a heap empties). The bound may be stale by then: a
    /// non-forced adjust re-lowers it from the bounds of the slots it
    /// skips, and a cascade that later empties such a slot clears only the
    /// slot's bound. A stale bound is only early, which is harmless while
    /// timers are filed, but with none left it would make the wake time
    /// name a deadline when there is nothing to wait for. Clearing it loses
    /// nothing: a modifier writes the bound only while holding the lock of
    /// a filed node, no node of this stripe is filed, and unfiling a node
    /// takes its lock, so every such write came before, for a node that is
    /// gone.
    fn publish_min_when(&mut self) {
        let geometry = self.geometry();
        let min = self
            .inner()
            .first_occupied(geometry)
            .map_or(0, |(_, _, min)| min);
        // Release: pairs with the Acquire in `Stripe::wake_time`. Only
        // holders of the stripe lock write `min_when`.
        self.stripe.min_when.store(min, Ordering::Release);
        if min == 0 {
            // Release: as the clearing CAS in `adjust`.
            self.stripe.min_when_modified.store(0, Ordering::Release);
        }
    }

    /// Applies the modifications recorded in slot bounds, removes zombies,
    /// and re-files modified nodes (Go's `timers.adjust`, per slot). Unless
    /// `force`, does nothing until the stripe's earliest modified deadline
    /// is due at `upto`. With `force` every occupied slot is swept, which
    /// purges all zombies.
    ///
    /// For the stripe, then for each due slot: (1) fold the modified bound
    /// into the locked-in minimum; (2) clear the bound, so that later
    /// lowerings survive; (3) load each node's word, settling under its
    /// lock those marked `MODIFIED` or `ZOMBIE`; (4) recompute the locked-in
    /// minimum exactly. Why each step is ordered as it is: `protocol`, the
    /// state-before-min-update handshake.
    pub(crate) fn adjust(&mut self, upto: i64, force: bool) {
        let stripe = self.stripe;
        if !force {
            // Relaxed: a quick test; the folding loop below acquires.
            let first = stripe.min_when_modified.load(Ordering::Relaxed);
            if first == 0 || first > upto {
                return;
            }
        }
        // Stripe steps 1 and 2: fold, then clear what was folded.
        loop {
            // Acquire: pairs with the Release RMW in
            // `lower_modified_bounds`; the clearing CAS below re-reads the
            // latest value with Acquire too.
            let modified = stripe.min_when_modified.load(Ordering::Acquire);
            let locked_in = stripe.min_when.load(Ordering::Relaxed);
            if modified != 0 && (locked_in == 0 || modified < locked_in) {
                // Relaxed: published by the Release of the CAS below.
                stripe.min_when.store(modified, Ordering::Relaxed);
            }
            // AcqRel: Release pairs with the Acquire load in
            // `Stripe::wake_time` (a reader that sees the cleared bound sees
            // the fold); Acquire makes the CAS, which reads the latest value
            // of the bound, synchronize with every modifier's Release RMW up
            // to it, even one that rewrote the same value, so their slot
            // bounds are visible to the slot loop below. Acquire on failure:
            // the retry folds the newer value.
            if modified == 0
                || stripe
                    .min_when_modified
                    .compare_exchange(modified, 0, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                break;
            }
        }

        // Only slots whose bound is due are adjusted now (all of them if
        // forced); the others keep their bounds, and the earliest of those
        // goes back into the stripe bound so that it still covers them. This
        // spreads the work of many timers moved earlier over many checks
        // instead of one long pause.
        let geometry = self.geometry();
        let mut earliest_skipped = i64::MAX;
        let mut due = std::mem::take(&mut self.inner().due);
        due.clear();
        for level in 0..=geometry.overflow_level() {
            let mut occupied = self.inner().occupied[level as usize];
            while occupied != 0 {
                let slot = occupied.trailing_zeros();
                occupied &= occupied - 1;
                let index = geometry.slot_index(level, slot);
                // Relaxed: a slot bound written before a stripe-bound RMW
                // that the clearing CAS read is visible through its Acquire;
                // one written later is covered by a stripe-bound RMW that
                // came after the clear and survives for the next adjust.
                let bound = stripe.slot_min_when_modified[index].load(Ordering::Relaxed);
                if !force && (bound == 0 || bound > upto) {
                    if bound != 0 {
                        earliest_skipped = earliest_skipped.min(bound);
                    }
                    continue;
                }
                due.push((level, slot));
            }
        }
        // A sweep of every slot scans the slab when that is cheaper than
        // walking the lists: the slab holds every node the stripe ever
        // needed at once, so after a peak it can dwarf what is filed now.
        if force && self.inner().slab.initialized() <= SCAN_NODES_PER_FILED * self.stripe.filed() {
            self.rebuild_slots(&due);
        } else {
            self.adjust_slots(&due);
        }
        self.inner().due = due;
        if earliest_skipped != i64::MAX {
            // Before step 4 republishes `min_when`, which may no longer
            // cover the skipped bounds.
            stripe.lower_stripe_bound(earliest_skipped);
        }

        // Stripe step 4.
        self.publish_min_when();
    }

    /// Step 2 of `adjust` for every slot in `due`, then the adjuster's
    /// fence of the handshake described there: each clearing store is
    /// ordered before step 3's loads of the nodes' words against the
    /// modifier's fence. Relaxed stores: the fence orders them.
    fn clear_slot_bounds(&self, due: &[(u32, u32)]) {
        let geometry = self.geometry();
        for &(level, slot) in due {
            self.stripe.slot_min_when_modified[geometry.slot_index(level, slot)]
                .store(0, Ordering::Relaxed);
        }
        fence(Ordering::SeqCst);
    }

    /// Steps 2 to 4 of `adjust` for the slots in `due`.
    ///
    /// Step 1 at slot level needs nothing: a slot's `min_when` is read only
    /// under the stripe lock, which is held until step 4 is done, so the
    /// fold that matters to lock-free readers is the stripe's step 1, which
    /// already covers every slot bound (a slot bound is lowered before its
    /// stripe's).
    ///
    /// The slots are walked together, one node of each in turn: a list walk
    /// is a chain of dependent loads, and interleaving independent chains
    /// lets the processor overlap their cache misses.
    fn adjust_slots(&mut self, due: &[(u32, u32)]) {
        let geometry = self.geometry();
        self.clear_slot_bounds(due);

        // Step 3: walk each list in place, unlinking the nodes marked
        // MODIFIED or ZOMBIE onto a side list; the others stay where they
        // are, untouched. If a node is modified after its load, it stays
        // where it was filed, which the modification accounts for (a later
        // move needs nothing here; an earlier one lowers this slot's bound
        // after step 2, or was seen by this load).
        let inner = self.inner();
        let mut walkers = std::mem::take(&mut inner.walkers);
        let mut marked = std::mem::take(&mut inner.marked);
        walkers.clear();
        marked.clear();
        walkers.extend(due.iter().map(|&(level, slot)| {
            let index = geometry.slot_index(level, slot);
            SlotWalk {
                level,
                slot,
                index,
                previous: ptr::null_mut(),
                node: inner.slots[index].head,
                kept_min: i64::MAX,
            }
        }));
        let mut active = walkers.len();
        while active > 0 {
            active = 0;
            for walk in walkers.iter_mut() {
                let node = walk.node;
                if node.is_null() {
                    continue;
                }
                active += 1;
                // SAFETY: linked nodes are valid (the slab's type stability)
                // and the stripe lock, which we hold, protects `next` and
                // `filed_when`.
                let node_ref = unsafe { &*node };
                // SAFETY: as above.
                let next = unsafe { node_ref.next() };
                // Relaxed: the load of step 3, ordered after step 2 by the
                // fence; a marked word is then locked (Acquire).
                if node_ref.load_word(Ordering::Relaxed) & (MODIFIED | ZOMBIE) == 0 {
                    // SAFETY: as above.
                    walk.kept_min = walk.kept_min.min(unsafe { node_ref.filed_when() });
                    walk.previous = node;
                } else {
                    if walk.previous.is_null() {
                        inner.slots[walk.index].head = next;
                    } else {
                        // SAFETY: as above.
                        unsafe { (*walk.previous).set_next(next) };
                    }
                    marked.push((node, walk.level, walk.slot));
                }
                walk.node = next;
            }
        }
        // Step 4 for what stayed: the exact minimum of their deadlines.
        for walk in &walkers {
            let slot_state = &mut inner.slots[walk.index];
            if slot_state.head.is_null() {
                slot_state.min_when = 0;
                inner.occupied[walk.level as usize] &= !(1 << walk.slot);
            } else {
                slot_state.min_when = walk.kept_min;
            }
            if walk.level == 0 {
                // Unlinking keeps a sorted list sorted, but re-filing below
                // may not; `link` keeps the flag truthful from here.
                inner.sorted_level0 &= !(1 << walk.slot);
            }
        }
        inner.walkers = walkers;
        // Then each marked node under its lock: removed, or re-filed under
        // its new deadline (which `link` folds into the minimum of whichever
        // slot receives it).
        self.settle_marked(marked);
    }

    /// Steps 2 to 4 of `adjust` for every occupied slot (`due` lists them
    /// all): the forced adjust that purges every zombie, when the slab holds
    /// at most `SCAN_NODES_PER_FILED` nodes per filed one (otherwise
    /// `adjust_slots` walks the lists).
    ///
    /// Instead of walking the slot lists, which is a chain of dependent
    /// loads, one cache miss per node once the stripe outgrows the caches,
    /// it empties every list and rebuilds them all from one scan of the
    /// slab in address order, which the processor can prefetch. A filed
    /// node's word names its slot, and the stripe lock, held throughout,
    /// keeps that location, `FILED` and `filed_when` stable. The scan is
    /// step 3: it loads each word after the step-2 fence, exactly as the
    /// walk does, so the state-before-min-update handshake is unchanged; a
    /// node marked `MODIFIED` or `ZOMBIE` is settled under its lock as in
    /// `adjust_slots`, and any other filed node goes back into its own slot.
    /// Free and unfiled nodes lack `FILED` and are skipped. Step 4 is
    /// `link`'s exact running minimum.
    fn rebuild_slots(&mut self, due: &[(u32, u32)]) {
        let geometry = self.geometry();
        self.clear_slot_bounds(due);

        let inner = self.inner();
        for &(level, slot) in due {
            let slot_state = &mut inner.slots[geometry.slot_index(level, slot)];
            slot_state.head = ptr::null_mut();
            slot_state.min_when = 0;
        }
        inner.occupied.fill(0);
        inner.sorted_level0 = 0;

        let mut marked = std::mem::take(&mut inner.marked);
        marked.clear();
        for chunk in 0..inner.slab.chunk_count() {
            let (first, initialized) = inner.slab.chunk_nodes(chunk);
            for offset in 0..initialized {
                // SAFETY: within the chunk's initialized nodes, which are
                // valid for as long as the stripe lives (type stability).
                let node = unsafe { first.add(offset) };
                // SAFETY: as above.
                let node_ref = unsafe { &*node };
                // Relaxed: the load of step 3, ordered after step 2 by the
                // fence; a marked word is then locked (Acquire). FILED and
                // the location change only under the stripe lock, which we
                // hold.
                let word = node_ref.load_word(Ordering::Relaxed);
                if word & FILED == 0 {
                    continue;
                }
                let location = Location::from_word(word);
                if word & (MODIFIED | ZOMBIE) != 0 {
                    marked.push((node, location.level, location.slot));
                } else {
                    // SAFETY: stripe lock held, so `filed_when` is stable.
                    let filed_when = unsafe { node_ref.filed_when() };
                    inner.link(geometry, location.level, location.slot, node, filed_when);
                }
            }
        }
        self.settle_marked(marked);
    }

    /// Settles each node of `marked` (detached from the slot it names)
    /// under its lock, then keeps the vector's storage for the next adjust.
    fn settle_marked(&mut self, mut marked: Vec<(*mut Node, u32, u32)>) {
        for &(node, level, slot) in &marked {
            // SAFETY: marked nodes are still filed in this stripe.
            let guard = unsafe { &*node }.lock();
            self.settle(guard, level, slot);
        }
        marked.clear();
        self.inner().marked = marked;
    }

    /// Puts the locked node `guard`, just detached from slot (`level`,
    /// `slot`), back where its state says: removed if a zombie, re-filed
    /// under its new deadline if modified, back in the same slot otherwise.
    fn settle(&mut self, guard: NodeGuard<'_>, level: u32, slot: u32) {
        let state = guard.state();
        if state & ZOMBIE != 0 {
            self.unfile(guard);
            return;
        }
        if state & MODIFIED != 0 {
            let when = guard.when();
            self.file(&guard, when);
        } else {
            let geometry = self.geometry();
            let filed_when = guard.filed_when();
            let node = guard.node() as *const Node as *mut Node;
            self.inner().link(geometry, level, slot, node, filed_when);
        }
    }

    /// Moves every node of the occupied slot (`level`, `slot`), whose start
    /// is due, to where it belongs once `elapsed` advances to that start: a
    /// lower level for a wheel slot; the wheel, for the overflow nodes in
    /// the top-level block that starts at `start_tick`.
    fn cascade(&mut self, level: u32, slot: u32, start_tick: u64) {
        let geometry = self.geometry();
        let index = geometry.slot_index(level, slot);
        let inner = self.inner();
        debug_assert!(start_tick >= inner.elapsed || level == geometry.overflow_level());
        inner.elapsed = inner.elapsed.max(start_tick);
        let mut node = self.inner().detach(geometry, level, slot);
        // Every node that lowers this slot's bound does so under its lock
        // with this slot as its location. Each node of the slot is handled
        // below under its lock (a MODIFIED node is re-filed at its new
        // deadline), or moved by a CAS that fails if it was locked or
        // changed, in which case a later modifier locks it, reads its new
        // location and lowers that slot's bound. So once the cascade ends,
        // no deadline depends on this bound; a lowering that lands after
        // this store only leaves an early bound. Relaxed: no reader depends
        // on seeing the clear.
        self.stripe.slot_min_when_modified[index].store(0, Ordering::Relaxed);
        while !node.is_null() {
            // SAFETY: as in `adjust_slots`.
            let next = unsafe { (*node).next() };
            // SAFETY: filed nodes are valid.
            let node_ref = unsafe { &*node };
            // Relaxed: a clean word lets us move the node without its lock
            // by a CAS, which fails if the word changed since; anything else
            // takes the lock.
            let word = node_ref.load_word(Ordering::Relaxed);
            let moved = word & (MODIFIED | ZOMBIE | crate::node::LOCKED) == 0 && {
                // SAFETY: stripe lock held.
                let filed_when = unsafe { node_ref.filed_when() };
                let inner = self.inner();
                let (new_level, new_slot) =
                    geometry.location_for(inner.elapsed, geometry.deadline_to_tick(filed_when));
                if node_ref.try_relocate_unlocked(
                    word,
                    Location {
                        level: new_level,
                        slot: new_slot,
                    },
                ) {
                    inner.link(geometry, new_level, new_slot, node, filed_when);
                    true
                } else {
                    false
                }
            };
            if !moved {
                let guard = node_ref.lock();
                let state = guard.state();
                if state & ZOMBIE != 0 {
                    self.unfile(guard);
                } else {
                    let when = if state & MODIFIED != 0 {
                        guard.when()
                    } else {
                        guard.filed_when()
                    };
                    self.file(&guard, when);
                }
            }
            node = next;
        }
    }

    /// Runs every node of this stripe due at `upto` (which is at most `now`)
    /// in deadline order, one at a time with the stripe unlocked around each
    /// callback (Go's `ts.run` loop); re-files what moved, advances
    /// `elapsed` towards `upto`, and re-publishes the stripe's minimum.
    /// `delay` is measured from `now`.
    pub(crate) fn process(&mut self, now: i64, upto: i64) {
        let geometry = self.geometry();
        let upto_tick = geometry.deadline_to_tick(upto);
        self.adjust(upto, false);
        while let Some((level, slot, min)) = self.inner().first_occupied(geometry) {
            if level > 0 {
                let start_tick = if level == geometry.overflow_level() {
                    geometry.overflow_start_tick(geometry.deadline_to_tick(min))
                } else {
                    geometry.slot_start_tick(self.inner().elapsed, level, slot)
                };
                if start_tick > upto_tick {
                    break;
                }
                self.cascade(level, slot, start_tick);
                continue;
            }
            if min > upto {
                break;
            }
            if let HeadOutcome::Fire {
                callback,
                seq,
                delay,
            } = self.fire_head(slot, now)
            {
                // Publish the minimum before letting other threads in, so
                // `wake_time` stays a close bound during the callback.
                self.publish_min_when();
                self.while_unlocked(|| {
                    if let Some(callback) = callback {
                        callback(seq, delay);
                    }
                });
                // A callback may have moved timers of this stripe earlier;
                // pick those up before going on.
                self.adjust(upto, false);
            }
        }
        let inner = self.inner();
        if upto_tick > inner.elapsed {
            inner.elapsed = upto_tick;
        }
        self.publish_min_when();
    }

    /// Fires or settles the earliest node of level-0 slot `slot`, whose
    /// minimum is due.
    fn fire_head(&mut self, slot: u32, now: i64) -> HeadOutcome {
        let geometry = self.geometry();
        self.inner().sort_level0(geometry, slot);
        let node = self.inner().pop_level0_head(geometry, slot);
        // SAFETY: the node was filed here, so it is valid.
        let guard = unsafe { &*node }.lock();
        let state = guard.state();
        if state & (MODIFIED | ZOMBIE) != 0 {
            self.settle(guard, 0, slot);
            return HeadOutcome::Settled;
        }
        let when = guard.when();
        let period = guard.period();
        let delay = now - when;
        debug_assert!(
            delay >= 0,
            "gowheel wheel: firing a node before its deadline"
        );
        let callback = guard.callback();
        let seq = guard.seq();
        if period > 0 {
            let next = next_periodic_when(when, period, delay);
            guard.set_when(next);
            self.file(&guard, next);
        } else {
            guard.set_when(0);
            self.unfile(guard);
        }
        HeadOutcome::Fire {
            callback,
            seq,
            delay,
        }
    }

    /// Unlocks the stripe, drops the deferred callbacks, runs `f`, and
    /// locks the stripe again. If `f` panics the stripe stays unlocked and
    /// the panic propagates.
    fn while_unlocked(&mut self, f: impl FnOnce()) {
        self.inner = None;
        self.deferred.drop_all();
        f();
        self.inner = Some(self.stripe.lock_inner());
    }

    /// Checks every invariant of this stripe; see [`crate::TimingWheel::verify`].
    pub(crate) fn verify(&mut self, stripe_index: usize) {
        let geometry = self.geometry();
        let stripe = self.stripe;
        let inner = self.inner();
        let elapsed = inner.elapsed;
        let mut filed = 0;
        let mut zombies = 0;
        let mut earliest_pending = i64::MAX;
        for level in 0..=geometry.overflow_level() {
            let slots = if level == geometry.overflow_level() {
                1
            } else {
                geometry.slots_per_level() as u32
            };
            for slot in 0..slots {
                let index = geometry.slot_index(level, slot);
                let slot_state = &inner.slots[index];
                let occupied = inner.occupied[level as usize] & (1 << slot) != 0;
                assert_eq!(
                    occupied,
                    !slot_state.head.is_null(),
                    "stripe {stripe_index}: occupancy bit of slot {level}/{slot} is wrong"
                );
                let mut min = i64::MAX;
                let mut previous = i64::MIN;
                let mut node = slot_state.head;
                while !node.is_null() {
                    // SAFETY: filed nodes are valid and the stripe lock is held.
                    let node_ref = unsafe { &*node };
                    let guard = node_ref.lock();
                    let state = guard.state();
                    let filed_when = guard.filed_when();
                    assert!(
                        state & FILED != 0,
                        "stripe {stripe_index}: linked node not FILED"
                    );
                    assert_eq!(
                        guard.location(),
                        Location { level, slot },
                        "stripe {stripe_index}: node's location disagrees with its slot"
                    );
                    let tick = geometry.deadline_to_tick(filed_when);
                    let (expected_level, expected_slot) = geometry.location_for(elapsed, tick);
                    if level == 0 {
                        assert!(
                            (expected_level, expected_slot) == (0, slot)
                                || (tick <= elapsed
                                    && slot == (elapsed & ((1 << geometry.slot_bits) - 1)) as u32),
                            "stripe {stripe_index}: level-0 node at tick {tick} misfiled in slot {slot} (elapsed {elapsed})"
                        );
                    } else if level < geometry.overflow_level() {
                        let start = geometry.slot_start_tick(elapsed, level, slot);
                        let width = 1u64 << (level * geometry.slot_bits);
                        assert!(
                            tick >= start && tick - start < width && start > elapsed,
                            "stripe {stripe_index}: node at tick {tick} outside slot {level}/{slot} [{start}, +{width}) (elapsed {elapsed})"
                        );
                    } else {
                        assert_eq!(
                            expected_level, level,
                            "stripe {stripe_index}: overflow node at tick {tick} fits the wheel (elapsed {elapsed})"
                        );
                    }
                    if level == 0 && inner.sorted_level0 & (1 << slot) != 0 {
                        assert!(
                            filed_when >= previous,
                            "stripe {stripe_index}: sorted slot {slot} out of order"
                        );
                    }
                    previous = filed_when;
                    min = min.min(filed_when);
                    filed += 1;
                    if state & ZOMBIE != 0 {
                        zombies += 1;
                    } else {
                        let when = guard.when();
                        assert!(
                            when > 0,
                            "stripe {stripe_index}: live filed node is not armed"
                        );
                        if state & MODIFIED == 0 {
                            assert_eq!(
                                when, filed_when,
                                "stripe {stripe_index}: node moved without MODIFIED"
                            );
                        }
                        earliest_pending = earliest_pending.min(when);
                    }
                    drop(guard);
                    // SAFETY: stripe lock held.
                    node = unsafe { node_ref.next() };
                }
                if occupied {
                    assert_eq!(
                        slot_state.min_when, min,
                        "stripe {stripe_index}: slot {level}/{slot} minimum is not exact"
                    );
                }
            }
        }
        assert_eq!(
            stripe.filed(),
            filed,
            "stripe {stripe_index}: filed count is off"
        );
        assert_eq!(
            stripe.zombies(),
            zombies,
            "stripe {stripe_index}: zombie count is off"
        );
        if earliest_pending != i64::MAX {
            let wake = stripe.wake_time();
            assert!(
                wake != 0 && wake <= earliest_pending,
                "stripe {stripe_index}: wake time {wake} is later than pending deadline {earliest_pending}"
            );
        }
        if filed == 0 {
            assert_eq!(
                stripe.wake_time(),
                0,
                "stripe {stripe_index}: a wake time with nothing filed"
            );
        }
    }

    /// Unfiles and disarms every node: recycles those whose handle is gone
    /// and drops every callback (after unlocking), so that callbacks holding
    /// references to handles cannot keep memory alive in a cycle.
    pub(crate) fn clear(&mut self) {
        let geometry = self.geometry();
        // Unfiled nodes with live handles (never armed, fired, swept) hold
        // callbacks too.
        let nodes: Vec<*mut Node> = self.inner().slab.nodes().collect();
        for node in nodes {
            // SAFETY: slab nodes are valid while the stripe lives; the stripe
            // lock is held, and taking a node lock under it keeps the order.
            let guard = unsafe { &*node }.lock();
            self.deferred.push(guard.replace_callback(None));
        }
        for level in 0..=geometry.overflow_level() {
            loop {
                let occupied = self.inner().occupied[level as usize];
                if occupied == 0 {
                    break;
                }
                let slot = occupied.trailing_zeros();
                let mut node = self.inner().detach(geometry, level, slot);
                while !node.is_null() {
                    // SAFETY: as in `adjust_slots`.
                    let next = unsafe { (*node).next() };
                    // SAFETY: filed nodes are valid.
                    let guard = unsafe { &*node }.lock();
                    guard.set_when(0);
                    self.deferred.push(guard.replace_callback(None));
                    self.unfile(guard);
                    node = next;
                }
            }
        }
        self.publish_min_when();
        // Release: as the clearing CAS in `adjust`; no timer is left.
        self.stripe.min_when_modified.store(0, Ordering::Release);
    }
}

impl StripeInner {
    /// Links `node`, filed under `when`, at the head of slot (`level`,
    /// `slot`), keeping the slot's minimum exact and its sortedness flag
    /// truthful.
    fn link(&mut self, geometry: Geometry, level: u32, slot: u32, node: *mut Node, when: i64) {
        let index = geometry.slot_index(level, slot);
        let slot_state = &mut self.slots[index];
        let head = slot_state.head;
        // SAFETY: the stripe lock is held (we are inside its mutex) and the
        // node belongs to this stripe.
        unsafe { (*node).set_next(head) };
        slot_state.head = node;
        if head.is_null() {
            slot_state.min_when = when;
            self.occupied[level as usize] |= 1 << slot;
            if level == 0 {
                self.sorted_level0 |= 1 << slot;
            }
        } else {
            if level == 0 && when > slot_state.min_when {
                // Not in front of the (sorted) list's first node any more.
                self.sorted_level0 &= !(1 << slot);
            }
            slot_state.min_when = slot_state.min_when.min(when);
        }
    }

    /// Detaches and returns the whole list of a slot, leaving it empty.
    fn detach(&mut self, geometry: Geometry, level: u32, slot: u32) -> *mut Node {
        let index = geometry.slot_index(level, slot);
        let slot_state = &mut self.slots[index];
        let head = std::mem::replace(&mut slot_state.head, ptr::null_mut());
        slot_state.min_when = 0;
        self.occupied[level as usize] &= !(1 << slot);
        if level == 0 {
            self.sorted_level0 &= !(1 << slot);
        }
        head
    }

    /// The first occupied slot in deadline order: `(level, slot, min_when)`.
    fn first_occupied(&self, geometry: Geometry) -> Option<(u32, u32, i64)> {
        for level in 0..=geometry.overflow_level() {
            let occupied = self.occupied[level as usize];
            if occupied != 0 {
                let slot = occupied.trailing_zeros();
                let index = geometry.slot_index(level, slot);
                return Some((level, slot, self.slots[index].min_when));
            }
        }
        None
    }

    /// Sorts level-0 slot `slot` by `filed_when` unless it already is.
    fn sort_level0(&mut self, geometry: Geometry, slot: u32) {
        if self.sorted_level0 & (1 << slot) != 0 {
            return;
        }
        let index = geometry.slot_index(0, slot);
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let mut node = self.slots[index].head;
        while !node.is_null() {
            scratch.push(node);
            // SAFETY: stripe lock held; filed nodes are valid.
            node = unsafe { (*node).next() };
        }
        // SAFETY: stripe lock held, so `filed_when` is stable.
        scratch.sort_by_key(|&node| unsafe { (*node).filed_when() });
        let mut next = ptr::null_mut();
        for &node in scratch.iter().rev() {
            // SAFETY: stripe lock held.
            unsafe { (*node).set_next(next) };
            next = node;
        }
        self.slots[index].head = next;
        self.sorted_level0 |= 1 << slot;
        self.scratch = scratch;
    }

    /// Unlinks the first node of sorted level-0 slot `slot`.
    fn pop_level0_head(&mut self, geometry: Geometry, slot: u32) -> *mut Node {
        let index = geometry.slot_index(0, slot);
        let slot_state = &mut self.slots[index];
        let head = slot_state.head;
        debug_assert!(!head.is_null());
        // SAFETY: stripe lock held; the head is a filed node.
        let next = unsafe { (*head).next() };
        slot_state.head = next;
        if next.is_null() {
            slot_state.min_when = 0;
            self.occupied[0] &= !(1 << slot);
        } else {
            // SAFETY: stripe lock held; the list is sorted, so the new head
            // holds the minimum.
            slot_state.min_when = unsafe { (*next).filed_when() };
        }
        head
    }
}
