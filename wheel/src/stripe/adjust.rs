//! Adjusting: re-filing the nodes moved earlier, which `modify` lists on
//! the stripe, and (when forced) sweeping every slot of zombies, under the
//! state-before-min-update handshake (see `protocol`).

use super::sweep::SCAN_NODES_PER_FILED;
use super::*;

/// One slot's walk in a forced sweep by walking the lists.
pub(super) struct SlotWalk {
    location: Location,
    index: usize,
    /// The last node kept, whose `next` an unlinking rewrites.
    previous: *mut Node,
    /// The next node to look at.
    node: *mut Node,
    /// The minimum deadline of the nodes kept so far.
    kept_min: i64,
}

impl LockedStripe<'_> {
    /// Re-files every node listed as moved earlier (Go's `timers.adjust`,
    /// but visiting only those nodes): each is unlinked from the slot it
    /// sits in, in O(1), and filed under its new deadline. Unless `force`,
    /// does nothing while nothing was listed since the last adjust. With
    /// `force` every occupied slot is then swept, which purges all zombies.
    ///
    /// The steps: (1) fold the stripe's modified bound into the locked-in
    /// minimum; (2) clear the bound, so that later lowerings survive;
    /// (3) take the list and settle each node under its lock; (4) recompute
    /// the locked-in minimum exactly. A modifier lists its node before it
    /// lowers the bound, so whatever bound step 2 clears, step 3 sees the
    /// node (see `protocol`, the state-before-min-update handshake).
    pub(crate) fn adjust(&mut self, force: bool) {
        let stripe = self.stripe;
        if !force {
            // Relaxed: a quick test; the folding loop below acquires.
            if stripe.min_when_modified.load(Ordering::Relaxed) == 0 {
                return;
            }
        }
        // Steps 1 and 2: fold, then clear what was folded.
        loop {
            // Acquire: pairs with the Release RMW in `lower_stripe_bound`;
            // the clearing CAS below re-reads the latest value with Acquire
            // too.
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
            // to it, even one that rewrote the same value, so their listings
            // are visible to step 3. Acquire on failure: the retry folds the
            // newer value.
            if modified == 0
                || stripe
                    .min_when_modified
                    .compare_exchange(modified, 0, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                break;
            }
        }

        // Step 3.
        let mut batch = std::mem::take(&mut self.inner().moved_batch);
        stripe.take_moved(&mut batch);
        for moved in batch.drain(..) {
            self.settle_moved(moved.0);
        }
        self.inner().moved_batch = batch;

        if force {
            // A sweep of every slot scans the slab when that is cheaper than
            // walking the lists: the slab holds every node the stripe ever
            // needed at once, so after a peak it can dwarf what is filed now.
            let geometry = self.geometry();
            let mut occupied_slots = std::mem::take(&mut self.inner().due);
            occupied_slots.clear();
            for level in 0..=geometry.overflow_level() {
                let mut occupied = self.inner().occupied[level as usize];
                while occupied != 0 {
                    occupied_slots.push(Location {
                        level,
                        slot: occupied.trailing_zeros(),
                    });
                    occupied &= occupied - 1;
                }
            }
            if self.inner().slab.initialized() <= SCAN_NODES_PER_FILED * stripe.filed() {
                self.rebuild_slots(&occupied_slots);
            } else {
                self.sweep_slots(&occupied_slots);
            }
            self.inner().due = occupied_slots;
        }

        // Step 4.
        self.publish_min_when();
    }

    /// Re-files the listed node `node` if it is still filed and modified:
    /// unlinks it from its slot and files it under its deadline. A node
    /// listed twice, re-filed since, stopped, or recycled and reused needs
    /// nothing, or exactly this.
    fn settle_moved(&mut self, node: *mut Node) {
        // SAFETY: listed nodes are this stripe's slab nodes, valid while the
        // stripe lives (type stability), and the stripe lock is held.
        let guard = unsafe { &*node }.lock();
        let state = guard.state();
        if state & (FILED | MODIFIED) != FILED | MODIFIED || state & ZOMBIE != 0 {
            return;
        }
        let geometry = self.geometry();
        self.inner().unlink(geometry, guard.location(), node);
        let when = guard.when();
        self.file(&guard, when);
    }

    /// The forced sweep of the slots in `due` (every occupied one) by
    /// walking their lists: settles every node marked `MODIFIED` or
    /// `ZOMBIE` and recomputes each slot's minimum exactly.
    ///
    /// The slots are walked together, one node of each in turn: a list walk
    /// is a chain of dependent loads, and interleaving independent chains
    /// lets the processor overlap their cache misses.
    pub(super) fn sweep_slots(&mut self, due: &[Location]) {
        let geometry = self.geometry();

        // Walk each list in place, unlinking the nodes marked MODIFIED or
        // ZOMBIE onto a side list; the others stay where they are,
        // untouched. If a node is modified after its load, it stays where it
        // was filed, which the modification accounts for (a later move needs
        // nothing here; an earlier one lists the node for the next adjust).
        let inner = self.inner();
        let mut walkers = std::mem::take(&mut inner.walkers);
        let mut marked = std::mem::take(&mut inner.marked);
        walkers.clear();
        marked.clear();
        walkers.extend(due.iter().map(|&location| {
            let index = geometry.slot_index(location);
            SlotWalk {
                location,
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
                // Relaxed: a marked word is then locked (Acquire); a node
                // marked after this load is listed for the next adjust.
                if node_ref.load_word(Ordering::Relaxed) & (MODIFIED | ZOMBIE) == 0 {
                    // SAFETY: as above.
                    walk.kept_min = walk.kept_min.min(unsafe { node_ref.filed_when() });
                    walk.previous = node;
                } else {
                    let previous_index = if walk.previous.is_null() {
                        inner.slots[walk.index].head = next;
                        NO_NODE
                    } else {
                        // SAFETY: as above.
                        unsafe { (*walk.previous).set_next(next) };
                        // SAFETY: `previous` is a node of this stripe's slab.
                        unsafe { NodeSlab::index_of(walk.previous) }
                    };
                    if !next.is_null() {
                        // SAFETY: as above.
                        unsafe { (*next).set_prev(previous_index) };
                    }
                    inner.slots[walk.index].len -= 1;
                    marked.push((node, walk.location));
                }
                walk.node = next;
            }
        }
        // Step 4 for what stayed: the exact minimum of their deadlines.
        for walk in &walkers {
            let slot_state = &mut inner.slots[walk.index];
            if slot_state.head.is_null() {
                slot_state.min_when = 0;
                inner.occupied[walk.location.level as usize] &= !(1 << walk.location.slot);
            } else {
                slot_state.min_when = walk.kept_min;
            }
            if walk.location.level == 0 {
                // Unlinking keeps a sorted list sorted, but re-filing below
                // may not; `link` keeps the flag truthful from here.
                inner.sorted_level0 &= !(1 << walk.location.slot);
            }
        }
        inner.walkers = walkers;
        // Then each marked node under its lock: removed, or re-filed under
        // its new deadline (which `link` folds into the minimum of whichever
        // slot receives it).
        self.settle_marked(marked);
    }

    /// Settles each node of `marked` (detached from the slot it names)
    /// under its lock, then keeps the vector's storage for the next adjust.
    pub(super) fn settle_marked(&mut self, mut marked: Vec<(*mut Node, Location)>) {
        for &(node, location) in &marked {
            // SAFETY: marked nodes are still filed in this stripe.
            let guard = unsafe { &*node }.lock();
            self.settle(guard, location);
        }
        marked.clear();
        self.inner().marked = marked;
    }
}
