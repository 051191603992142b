//! Adjusting: re-filing nodes moved earlier and removing zombies, slot by
//! slot, under the state-before-min-update handshake (see `protocol`).

use super::sweep::SCAN_NODES_PER_FILED;
use super::*;

/// One slot's walk in step 3 of `adjust`.
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
                let location = Location {
                    level,
                    slot: occupied.trailing_zeros(),
                };
                occupied &= occupied - 1;
                let index = geometry.slot_index(location);
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
                due.push(location);
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
    pub(super) fn clear_slot_bounds(&self, due: &[Location]) {
        let geometry = self.geometry();
        for &location in due {
            self.stripe.slot_min_when_modified[geometry.slot_index(location)]
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
    pub(super) fn adjust_slots(&mut self, due: &[Location]) {
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
