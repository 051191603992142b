//! One stripe: a complete hierarchical wheel of slots under one lock, with
//! lock-free summaries of its earliest deadline.
//!
//! # Ground rules
//!
//! * Everything in [`StripeInner`] (slot lists, per-slot `min_when` and
//!   length, occupancy bitmaps, `elapsed`, the cascade-ahead progress, the
//!   node slab) is protected by the stripe lock. So are each node's `next`
//!   and `prev` (but see `returned` for a node a handle's drop returns),
//!   and `filed_when` together with the node lock.
//! * The stripe lock is taken before a node lock, never after (lock order
//!   stripe, then node). The list of nodes moved earlier has its own small
//!   lock, taken under a node lock and never held while taking another.
//!   Callbacks run with no lock held.
//! * `min_when` (the stripe's "locked-in" minimum) is written only under the
//!   stripe lock; `min_when_modified` is lowered by `modify` without it and
//!   cleared by the stripe's `adjust`. Every word read without a lock is in
//!   the table in `protocol`.
//!
//! # Filing
//!
//! `elapsed` is the tick up to which the stripe has been processed. Each
//! level holds two rotations of slots, and a node whose filed deadline is
//! in tick `t` sits at the lowest level whose two rotations reach `t`: the
//! level whose next level up has `t` in the same slot as `elapsed`, or the
//! next one (see [`Geometry::location_for`]). Within a level, slots are in
//! deadline order starting at `elapsed`'s own, so the first occupied slot
//! of each level, found from its bitmap in O(1), holds that level's
//! earliest deadlines, and the least of those minimums over the levels is
//! the stripe's. Moving `elapsed` forward keeps every node where it may be
//! as long as no filed deadline is behind it, which `process` ensures by
//! firing or cascading everything due first. A deadline already at or
//! before `elapsed` is filed in the current level-0 slot, which is first in
//! order anyway.
//!
//! Slots index, they do not round: a level-0 slot spans one tick, and a
//! node in it fires only when the check time reaches its exact `when`.
//!
//! # Lazy modification and bounded work
//!
//! See [`LockedStripe::adjust`] (nodes moved earlier) and the `firing`
//! module (the cascade ahead).

mod adjust;
mod filing;
mod firing;
mod returned;
mod slots;
mod sweep;
mod verify;

use std::mem::ManuallyDrop;
use std::ptr;

use crossbeam_utils::CachePadded;

use crate::Callback;
use crate::config::Geometry;
use crate::deferred::DeferredDrops;
use crate::next_periodic_when;
use crate::node::{FILED, HANDLE_DROPPED, Location, MODIFIED, NO_NODE, Node, NodeGuard, ZOMBIE};
use crate::slab::NodeSlab;
use crate::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use crate::sync::{Arc, Mutex, MutexGuard, lock, try_lock};
use returned::{NodeStack, ReturnedNodes};

/// One slot: an unordered singly-linked list of nodes (kept sorted by
/// `filed_when` for a level-0 slot while it is being fired from), its
/// length, and a lower bound on their `filed_when` (exact, see the module
/// doc), 0 when empty.
pub(super) struct Slot {
    pub(super) head: *mut Node,
    pub(super) min_when: i64,
    pub(super) len: usize,
}

impl Slot {
    pub(super) fn empty() -> Slot {
        Slot {
            head: ptr::null_mut(),
            min_when: 0,
            len: 0,
        }
    }
}

/// How far the cascade ahead of one level has got with the slot of
/// `group`, the level's group after `elapsed`'s.
#[derive(Clone, Copy, Default)]
pub(super) struct CascadeAhead {
    pub(super) group: u64,
    pub(super) moved: usize,
}

/// The part of a stripe its lock protects.
pub(crate) struct StripeInner {
    /// Every tick before this one has been processed.
    elapsed: u64,
    /// `levels * slots_per_level` wheel slots, then the overflow list.
    slots: Box<[Slot]>,
    /// Per level, bit `s` set iff slot `s` is non-empty; the overflow list
    /// uses bit 0 of the last entry.
    occupied: Box<[u128]>,
    /// Bit `l` set iff `occupied[l]` is not 0, so that walks over the
    /// levels visit only those that hold nodes.
    occupied_levels: u32,
    /// Level-0 slots whose list is sorted by `filed_when`.
    sorted_level0: u128,
    /// Per level, the progress of its cascade ahead (see `firing`); entry 0
    /// is unused.
    ahead: Box<[CascadeAhead]>,
    slab: NodeSlab,
    /// Nodes taken from `Stripe::returned`, or kept by a stop that drops
    /// its handle under the stripe lock: handed out again before the slab's
    /// own free nodes (see `returned`).
    reuse: NodeStack,
    /// Scratch space for sorting a slot, kept to avoid allocating per check.
    scratch: Vec<*mut Node>,
    /// Where the sweep goes on: a chunk of the slab and a place in it.
    sweep_cursor: (usize, usize),
    /// Places left in the current sweep pass; 0 when none is under way.
    sweep_left: usize,
    /// What `Stripe::sweeping` was last set to.
    sweep_announced: bool,
    /// Scratch space for `adjust`: the list of moved nodes being settled.
    moved_batch: Vec<MovedNode>,
    /// The stripe itself, once its wheel is gone while handles of its
    /// nodes live on: freed with the last of them (see `Stripe`).
    orphan: Option<Arc<Stripe>>,
}

/// The most returned nodes a check gives back to the slab: two chunks'
/// worth, so that the memory of chunks that empty comes back about as fast
/// as `return_empty_chunks` frees them, in a bounded share of the check.
const RETURNED_GIVEN_BACK_PER_CHECK: usize = 4096;

// SAFETY: the raw node pointers point into the stripe's own slab; they are
// only dereferenced under the stripe lock (or the node lock for the fields
// it protects), so moving the inner state between threads is sound.
unsafe impl Send for StripeInner {}

/// A stripe.
///
/// # Lifetime
///
/// The wheel holds each stripe in an `Arc`; a handle finds its node's
/// stripe through a bare pointer in the node's chunk header, with no
/// reference count to write. The stripe
/// lives while its wheel does or while its slab has a node handed out (a
/// handle's node is handed out until the handle is gone and the node is
/// unfiled), whichever is longer. Both are decided under the stripe lock:
/// a wheel that goes gives each stripe an `Arc` of itself (`orphan`, see
/// [`LockedStripe::keep_self`]), and whoever leaves the stripe with no node
/// handed out (the wheel's drop, or the release of the last node) takes it
/// back ([`LockedStripe::take_orphan_if_unused`]) to drop once unlocked.
/// A thread that may still touch a node after unlocking it (to wake its
/// waiters) is either an operation of the live wheel or a handle's drop,
/// which does so under the stripe lock, or, returning an unfiled node
/// without that lock (see `returned`), before the push that gives the node
/// back: until then the node counts as handed out. So the stripe's memory
/// outlives every such touch.
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
    /// Nodes moved earlier than the deadline they are filed under, listed
    /// by `modify` for the next `adjust` to re-file (duplicates and stale
    /// entries allowed).
    moved: Mutex<Vec<MovedNode>>,
    /// Nodes filed in this stripe, zombies included.
    filed: AtomicUsize,
    /// Filed nodes that are zombies.
    zombies: AtomicUsize,
    /// When the cascade ahead next needs a check (see `firing`), 0 if
    /// never: a hint, written under the stripe lock, and only when it
    /// changes. The runtime reads it on every arming, so it has cache lines
    /// of its own, away from the counters every filing writes.
    maintenance_when: CachePadded<AtomicI64>,
    /// Whether a sweep pass is under way: a hint, written under the stripe
    /// lock.
    sweeping: AtomicBool,
    /// Whether a check waits for the stripe lock (see
    /// [`lock_for_check`](Stripe::lock_for_check)): a hint. Not under loom,
    /// where it would only multiply the interleavings: the models see it
    /// clear, and the paths it turns operations to (a zombie instead of an
    /// eager unlink, another stripe for a new timer) are the ones a busy
    /// lock takes.
    #[cfg(not(loom))]
    check_waiting: std::sync::atomic::AtomicBool,
    /// Places each operation over the zombie line owes the sweep (see
    /// `sweep`), what they owe together, and the debt at which one of them
    /// pays a share (a share, or the whole slab if smaller).
    sweep_pace: AtomicUsize,
    sweep_debt: AtomicUsize,
    sweep_share_places: AtomicUsize,
    /// Nodes returned by handles' drops without the stripe lock (see
    /// `returned`): written by any thread dropping a handle, so on cache
    /// lines of its own.
    pub(crate) returned: CachePadded<ReturnedNodes>,
}

/// A node listed as moved earlier: a pointer into the stripe's own slab.
pub(crate) struct MovedNode(pub(super) *mut Node);

// SAFETY: the pointer is only dereferenced by the stripe that owns the
// node, under its lock; the slab keeps it valid while the stripe lives.
unsafe impl Send for MovedNode {}

/// How many listed nodes make the modifier that lists the last one drain
/// the list itself (under the stripe lock), so that the list stays short
/// even when no check comes for a while.
const MOVED_BACKLOG: usize = 256;

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
                occupied_levels: 0,
                sorted_level0: 0,
                ahead: vec![CascadeAhead::default(); geometry.levels as usize].into_boxed_slice(),
                slab: NodeSlab::new(),
                reuse: NodeStack::EMPTY,
                scratch: Vec::new(),
                sweep_cursor: (0, 0),
                sweep_left: 0,
                sweep_announced: false,
                moved_batch: Vec::new(),
                orphan: None,
            }),
            min_when: AtomicI64::new(0),
            min_when_modified: AtomicI64::new(0),
            moved: Mutex::new(Vec::new()),
            filed: AtomicUsize::new(0),
            zombies: AtomicUsize::new(0),
            maintenance_when: CachePadded::new(AtomicI64::new(0)),
            sweeping: AtomicBool::new(false),
            #[cfg(not(loom))]
            check_waiting: std::sync::atomic::AtomicBool::new(false),
            sweep_pace: AtomicUsize::new(1),
            sweep_debt: AtomicUsize::new(0),
            sweep_share_places: AtomicUsize::new(1),
            returned: CachePadded::new(ReturnedNodes::new()),
        }
    }

    /// Locks the stripe.
    pub(crate) fn lock(&self) -> LockedStripe<'_> {
        self.locked_by(self.lock_inner())
    }

    /// Locks the stripe if no other thread holds its lock, without waiting:
    /// the one way a thread holding a node lock may take it (the lock order
    /// is stripe, then node).
    pub(crate) fn try_lock(&self) -> Option<LockedStripe<'_>> {
        Some(self.locked_by(try_lock(&self.inner)?))
    }

    /// The locked stripe that `guard`, a guard of this stripe's lock, opens.
    #[inline]
    fn locked_by<'a>(&'a self, guard: MutexGuard<'a, StripeInner>) -> LockedStripe<'a> {
        LockedStripe {
            stripe: self,
            inner: Some(guard),
            deferred: ManuallyDrop::new(DeferredDrops::new()),
        }
    }

    fn lock_inner(&self) -> MutexGuard<'_, StripeInner> {
        lock(&self.inner)
    }

    /// Locks the stripe for a check. The lock has no queue: a thread that
    /// releases it and takes it again at once (stopping timer after timer,
    /// say) can keep a waiting check out until the lock's fairness timer
    /// hands it over, half a millisecond later, while due timers wait. So a
    /// check that finds the lock taken says so while it waits, and the
    /// operations that take the lock only to save later work (an eager
    /// unlink, a sweep turn, a new timer that can go elsewhere) leave it
    /// alone meanwhile.
    pub(crate) fn lock_for_check(&self) -> LockedStripe<'_> {
        self.locked_by(self.lock_inner_for_check())
    }

    fn lock_inner_for_check(&self) -> MutexGuard<'_, StripeInner> {
        #[cfg(not(loom))]
        {
            if let Some(guard) = try_lock(&self.inner) {
                return guard;
            }
            // Relaxed: a hint; nothing is published through it.
            self.check_waiting.store(true, Ordering::Relaxed);
            let guard = lock(&self.inner);
            self.check_waiting.store(false, Ordering::Relaxed);
            guard
        }
        #[cfg(loom)]
        lock(&self.inner)
    }

    /// Whether some thread holds the stripe lock.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn is_locked(&self) -> bool {
        self.inner.is_locked()
    }

    /// Says that a check waits for the stripe lock, or no longer does.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn set_check_waiting(&self, waiting: bool) {
        self.check_waiting.store(waiting, Ordering::Relaxed);
    }

    /// Whether a check waits for the stripe lock (a hint; see
    /// [`lock_for_check`](Self::lock_for_check)).
    #[inline]
    pub(crate) fn check_waiting(&self) -> bool {
        #[cfg(not(loom))]
        {
            // Relaxed: a hint, as where it is stored.
            self.check_waiting.load(Ordering::Relaxed)
        }
        #[cfg(loom)]
        false
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

    /// Whether the stripe wants sweeping: over the zombie line, or in the
    /// middle of a pass. Lock-free; confirmed under the lock.
    pub(crate) fn wants_sweep(&self) -> bool {
        // Relaxed: a hint; see `sweep_share`.
        self.needs_purge() || self.sweeping.load(Ordering::Relaxed)
    }

    /// Whether an operation that just ran should sweep a share: the stripe
    /// is over the zombie line and this operation's pace brings what the
    /// operations owe to a share (see `sweep`), and no check waits for the
    /// lock (the check sweeps itself). Lock-free.
    pub(crate) fn sweep_turn(&self) -> bool {
        if !self.needs_purge() || self.check_waiting() {
            return false;
        }
        // Relaxed: pacing counters; no data rides on them.
        let pace = self.sweep_pace.load(Ordering::Relaxed);
        let share = self.sweep_share_places.load(Ordering::Relaxed).max(1);
        // One read-modify-write decides both the new debt and whose turn it
        // is, so two operations that reach a share together cannot both
        // take it (and drive the debt below zero). The debt left over is
        // capped at a share: a large pace never banks more than one turn.
        let mut turn = false;
        let _ = self
            .sweep_debt
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |debt| {
                let owed = debt.saturating_add(pace);
                turn = owed >= share;
                Some(if turn {
                    (owed - share).min(share)
                } else {
                    owed
                })
            });
        turn
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
    /// which a sweep pass begins (Go's forced adjust; see `sweep`).
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
    /// deadline `when` earlier than the one it is filed under: marks it
    /// `MODIFIED` and lists it for the next `adjust`, then lowers the
    /// stripe's bound so that `wake_time` covers it. Publishing the move
    /// first is the modifier's half of the state-before-min-update
    /// handshake (see `protocol`). Returns whether the list has grown long
    /// enough that the caller, once it has released the node lock, should
    /// adjust the stripe itself.
    pub(crate) fn record_moved_earlier(&self, guard: &NodeGuard<'_>, when: i64) -> bool {
        let node = guard.node() as *const Node as *mut Node;
        #[cfg(not(gowheel_broken_min_order))]
        {
            // Relaxed: readers of the bit take the node lock (the adjust
            // that settles the listed node, a sweep that finds it marked),
            // which this modify's unlock releases to.
            guard.set_bits(MODIFIED, Ordering::Relaxed);
            let backlog = self.push_moved(node);
            self.lower_stripe_bound(when);
            backlog >= MOVED_BACKLOG
        }
        #[cfg(gowheel_broken_min_order)]
        {
            // Deliberately broken, as Go was before CL 574741: lower the
            // bound before publishing the move, so that the loom models can
            // show the lost update.
            self.lower_stripe_bound(when);
            guard.set_bits(MODIFIED, Ordering::Relaxed);
            self.push_moved(node) >= MOVED_BACKLOG
        }
    }

    /// Lists `node` as moved earlier; returns the list's length.
    fn push_moved(&self, node: *mut Node) -> usize {
        let mut moved = lock(&self.moved);
        moved.push(MovedNode(node));
        moved.len()
    }

    /// Swaps the list of moved nodes with `batch` (empty), under the list's
    /// lock, so the nodes can be settled without it.
    pub(super) fn take_moved(&self, batch: &mut Vec<MovedNode>) {
        debug_assert!(batch.is_empty());
        let mut moved = lock(&self.moved);
        std::mem::swap(&mut *moved, batch);
    }

    /// Lowers the stripe's modified bound to at most `when` with an RMW that
    /// always writes, even when the bound is already lower (see `protocol`,
    /// *stripe bound*, for why it must write).
    fn lower_stripe_bound(&self, when: i64) {
        // Release: pairs with the AcqRel fold-and-clear in `adjust`, making
        // the listing made before it visible there.
        let _ =
            self.min_when_modified
                .fetch_update(Ordering::Release, Ordering::Relaxed, |bound| {
                    Some(if bound == 0 { when } else { bound.min(when) })
                });
    }

    /// Nodes returned by handles' drops that the slab still counts as
    /// handed out: on the stack, or taken from it and not yet reused.
    #[cfg(test)]
    pub(crate) fn returned_held(&self) -> usize {
        self.returned_held_in(&self.lock_inner())
    }

    /// [`returned_held`](Self::returned_held), with the lock held.
    fn returned_held_in(&self, inner: &StripeInner) -> usize {
        inner.reuse.len as usize + self.returned.len() as usize
    }

    /// Bytes of node storage this stripe holds, and the nodes handed out
    /// (to handles, or filed), the ones returned but not yet given back to
    /// the slab left out.
    pub(crate) fn storage(&self) -> (usize, usize) {
        let inner = self.lock_inner();
        let handed_out = inner.slab.live() - self.returned_held_in(&inner);
        (inner.slab.capacity_bytes(), handed_out)
    }
}

/// A locked stripe. While a callback runs the lock is released (see
/// [`LockedStripe::process`]).
pub(crate) struct LockedStripe<'a> {
    pub(crate) stripe: &'a Stripe,
    inner: Option<MutexGuard<'a, StripeInner>>,
    /// Callbacks of recycled nodes. Their destructors are user code that may
    /// touch timers, which is deadlock-free only without the stripe lock, so
    /// they are dropped after unlocking. Dropped by hand (see `drop`).
    deferred: ManuallyDrop<DeferredDrops>,
}

impl Drop for LockedStripe<'_> {
    #[inline]
    fn drop(&mut self) {
        // Unlock first, then drop the deferred callbacks. Most locked
        // sections keep none, and an empty `DeferredDrops` owns nothing, so
        // its drop (not inlined) is skipped.
        self.inner = None;
        if !self.deferred.owns_nothing() {
            // SAFETY: dropped once, here; `self` is being dropped and does
            // not touch the field again.
            unsafe { ManuallyDrop::drop(&mut self.deferred) };
        }
    }
}

impl StripeInner {
    /// Puts `node` on top of `reuse`.
    ///
    /// # Safety
    ///
    /// The node is this stripe's, handed out by its slab, cleared,
    /// unlocked, and reachable by nobody else; the stripe lock is held.
    #[inline]
    unsafe fn push_reused(&mut self, node: *mut Node) {
        // SAFETY: the node is this slab's and handed out, so its chunk is
        // allocated; nobody else can reach it (the contract).
        unsafe {
            let index = NodeSlab::index_of(node);
            (*node).set_prev(self.reuse.top);
            self.reuse.top = index;
        }
        self.reuse.len += 1;
    }

    /// Takes the top node of `reuse`, first taking the stripe's stack of
    /// `returned` nodes if `reuse` is empty; `None` if both are.
    #[inline]
    fn pop_reused(&mut self, returned: &ReturnedNodes) -> Option<*mut Node> {
        if self.reuse.len == 0 {
            self.reuse = returned.take();
            if self.reuse.len == 0 {
                return None;
            }
        }
        let node = self.slab.node_at(self.reuse.top);
        // SAFETY: the node was put on `reuse` under the stripe lock, which
        // is held, or taken from `returned` by an Acquire swap that
        // published its link.
        unsafe {
            self.reuse.top = (*node).prev();
            (*node).set_prev(NO_NODE);
        }
        self.reuse.len -= 1;
        Some(node)
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

    /// A free node: one returned by a handle's drop if any, else one from
    /// the slab.
    #[inline]
    pub(crate) fn allocate(&mut self) -> *mut Node {
        let stripe = self.stripe;
        let inner = self.inner();
        match inner.pop_reused(&stripe.returned) {
            Some(node) => node,
            None => inner.slab.allocate(stripe),
        }
    }

    /// Gives up to `budget` returned nodes back to the slab, so that the
    /// chunks they empty can go back to the allocator; returns how many.
    pub(super) fn give_back_returned(&mut self, budget: usize) -> usize {
        let stripe = self.stripe;
        let inner = self.inner();
        let mut given = 0;
        while given < budget {
            let Some(node) = inner.pop_reused(&stripe.returned) else {
                break;
            };
            // SAFETY: a returned node is this slab's, handed out, cleared
            // and unlocked, and nothing else can reach it (see `returned`).
            unsafe { inner.slab.put_back(node) };
            given += 1;
        }
        given
    }

    /// For the wheel going away: closes the stack of returned nodes and
    /// gives every node back to the slab, so that whoever leaves the slab
    /// with no node handed out frees the stripe (see `Stripe`'s lifetime).
    fn close_returned(&mut self) {
        // Once closed, the stack gives `take` nothing more: what it held is
        // given back after `reuse`.
        let closed = self.stripe.returned.close();
        self.give_back_returned(usize::MAX);
        self.inner().reuse = closed;
        self.give_back_returned(usize::MAX);
    }

    /// Returns the node of a handle that found the stack of returned nodes
    /// closed to the slab. Returns the stripe itself if that was the last
    /// node handed out and the wheel is gone, to be dropped once unlocked.
    ///
    /// # Safety
    ///
    /// As [`ReturnedNodes::push`]: the node is this stripe's, cleared,
    /// unlocked, and reachable by the calling thread alone.
    pub(crate) unsafe fn put_back_returned(&mut self, node: *mut Node) -> Option<Arc<Stripe>> {
        // SAFETY: forwarded contract.
        unsafe { self.inner().slab.put_back(node) };
        self.take_orphan_if_unused()
    }

    /// Returns `node` to the slab (see [`NodeSlab::release`]), handing its
    /// callback to the caller, who must drop it only after unlocking the
    /// stripe (its destructor is user code, which may use timers).
    ///
    /// # Safety
    ///
    /// As [`NodeSlab::release`]; the node belongs to this stripe.
    #[inline]
    #[must_use = "the callback must be dropped after unlocking"]
    pub(crate) unsafe fn release(&mut self, node: *mut Node) -> Option<Callback> {
        // SAFETY: forwarded contract.
        unsafe { self.inner().slab.release(node) }
    }

    /// For the wheel going away: keeps `this`, the wheel's `Arc` of the
    /// stripe, in the stripe itself, to be taken back by whoever leaves
    /// it with no node handed out ([`take_orphan_if_unused`]): the wheel's
    /// drop once it has cleared the stripe, or the release of the last
    /// node after that. Closes the stack of returned nodes first, giving
    /// its nodes back to the slab, so that every node comes back under the
    /// lock from now on, where the last one finds the stripe unused.
    ///
    /// [`take_orphan_if_unused`]: Self::take_orphan_if_unused
    pub(crate) fn keep_self(&mut self, this: &Arc<Stripe>) {
        debug_assert!(ptr::eq(&**this, self.stripe));
        self.close_returned();
        self.inner().orphan = Some(this.clone());
    }

    /// After a release: the stripe's own `Arc` if its wheel is gone and no
    /// node is handed out any more. The caller drops it after unlocking,
    /// which frees the stripe, and uses the stripe no more.
    #[inline]
    pub(crate) fn take_orphan_if_unused(&mut self) -> Option<Arc<Stripe>> {
        let inner = self.inner();
        if inner.slab.live() == 0 {
            inner.orphan.take()
        } else {
            None
        }
    }

    /// Unlocks the stripe, drops the deferred callbacks, runs `f`, and
    /// locks the stripe again. If `f` panics the stripe stays unlocked and
    /// the panic propagates.
    fn while_unlocked(&mut self, f: impl FnOnce()) {
        self.inner = None;
        self.deferred.drop_all();
        f();
        // Only checks run callbacks (see `process`).
        self.inner = Some(self.stripe.lock_inner_for_check());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WheelConfig;

    /// Operations over the zombie line take sweep turns concurrently: each
    /// share of debt is taken by exactly one of them, and the debt never
    /// runs below zero or banks more than a share.
    #[test]
    fn concurrent_sweep_turns_take_each_share_once() {
        const THREADS: usize = 4;
        const CALLS: usize = 50_000;
        const SHARE: usize = 3;
        let stripe = Stripe::new(0, WheelConfig::default().geometry());
        stripe.filed.store(8, Ordering::Relaxed);
        stripe.zombies.store(8, Ordering::Relaxed);
        stripe.sweep_pace.store(1, Ordering::Relaxed);
        stripe.sweep_share_places.store(SHARE, Ordering::Relaxed);
        let turns: usize = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..THREADS)
                .map(|_| {
                    scope.spawn(|| {
                        let mut turns = 0;
                        for _ in 0..CALLS {
                            turns += usize::from(stripe.sweep_turn());
                            assert!(stripe.sweep_debt.load(Ordering::Relaxed) <= SHARE);
                        }
                        turns
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|worker| worker.join().unwrap())
                .sum()
        });
        let paid = THREADS * CALLS;
        let left = stripe.sweep_debt.load(Ordering::Relaxed);
        assert_eq!(
            turns * SHARE + left,
            paid,
            "every place paid is swept or still owed"
        );
    }
}
