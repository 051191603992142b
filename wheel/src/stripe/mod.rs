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

mod adjust;
mod filing;
mod firing;
mod slots;
mod sweep;
mod verify;

use std::ptr;

use adjust::SlotWalk;
use firing::CascadeAhead;
use slots::Slot;

use crate::Callback;
use crate::config::Geometry;
use crate::deferred::DeferredDrops;
use crate::next_periodic_when;
use crate::node::{FILED, HANDLE_DROPPED, Location, MODIFIED, Node, NodeGuard, ZOMBIE};
use crate::slab::NodeSlab;
use crate::sync::atomic::{AtomicI64, AtomicUsize, Ordering, fence};
use crate::sync::{Mutex, MutexGuard};

/// The part of a stripe its lock protects.
pub(crate) struct StripeInner {
    /// Every tick before this one has been processed.
    elapsed: u64,
    /// `levels * slots_per_level` wheel slots, then the overflow list.
    slots: Box<[Slot]>,
    /// Per level, bit `s` set iff slot `s` is non-empty; the overflow list
    /// uses bit 0 of the last entry.
    occupied: Box<[u128]>,
    /// Level-0 slots whose list is sorted by `filed_when`.
    sorted_level0: u128,
    /// Per level, the progress of its cascade ahead (see `firing`); entry 0
    /// is unused.
    ahead: Box<[CascadeAhead]>,
    slab: NodeSlab,
    /// Scratch space for sorting a slot, kept to avoid allocating per check.
    scratch: Vec<*mut Node>,
    /// Scratch space for `adjust`: the due slots, their walks, and the
    /// nodes found marked.
    due: Vec<Location>,
    walkers: Vec<SlotWalk>,
    marked: Vec<(*mut Node, Location)>,
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
    /// When the cascade ahead next needs a check (see `firing`), 0 if
    /// never: a hint, written under the stripe lock.
    maintenance_when: AtomicI64,
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
                slots: (0..slot_count).map(|_| Slot::empty()).collect(),
                occupied: vec![0; geometry.levels as usize + 1].into_boxed_slice(),
                sorted_level0: 0,
                ahead: vec![CascadeAhead::default(); geometry.levels as usize].into_boxed_slice(),
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
            maintenance_when: AtomicI64::new(0),
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

    /// When the cascade ahead next needs a check to keep its pauses
    /// bounded (see `firing`); 0 if never. Lock-free.
    pub(crate) fn maintenance_time(&self) -> i64 {
        // Relaxed: a hint; see where `cascade_ahead` stores it.
        self.maintenance_when.load(Ordering::Relaxed)
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
        let index = self.geometry.slot_index(location);
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

    /// Unlocks the stripe, drops the deferred callbacks, runs `f`, and
    /// locks the stripe again. If `f` panics the stripe stays unlocked and
    /// the panic propagates.
    fn while_unlocked(&mut self, f: impl FnOnce()) {
        self.inner = None;
        self.deferred.drop_all();
        f();
        self.inner = Some(self.stripe.lock_inner());
    }
}
