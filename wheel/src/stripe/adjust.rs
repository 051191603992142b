//! Adjusting: re-filing the nodes moved earlier, which `modify` lists on
//! the stripe, and (when forced) sweeping every slot of zombies, under the
//! state-before-min-update handshake (see `protocol`).

use super::*;

impl LockedStripe<'_> {
    /// Re-files every node listed as moved earlier (Go's `timers.adjust`,
    /// but visiting only those nodes): each is unlinked from the slot it
    /// sits in, in O(1), and filed under its new deadline. Does nothing
    /// while nothing was listed since the last adjust.
    ///
    /// The steps: (1) fold the stripe's modified bound into the locked-in
    /// minimum; (2) clear the bound, so that later lowerings survive;
    /// (3) take the list and settle each node under its lock; (4) recompute
    /// the locked-in minimum exactly. A modifier lists its node before it
    /// lowers the bound, so whatever bound step 2 clears, step 3 sees the
    /// node (see `protocol`, the state-before-min-update handshake).
    pub(crate) fn adjust(&mut self) {
        let stripe = self.stripe;
        // Relaxed: a quick test; the folding loop below acquires.
        if stripe.min_when_modified.load(Ordering::Relaxed) == 0 {
            return;
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
        self.settle_listed();

        // Step 4.
        self.publish_min_when();
    }

    /// Takes the list of nodes moved earlier and settles each.
    fn settle_listed(&mut self) {
        let mut batch = std::mem::take(&mut self.inner().moved_batch);
        self.stripe.take_moved(&mut batch);
        for moved in batch.drain(..) {
            self.settle_moved(moved.0);
        }
        self.inner().moved_batch = batch;
    }

    /// Gives a bounded number of returned nodes back to the slab (see
    /// `returned`), then returns a few of the slab's empty chunks (but a
    /// spare) to the allocator, and asks for a check at the next tick if
    /// more of either may be left.
    /// The list of nodes moved earlier is settled first, whatever the bound
    /// says, so that no entry points into a freed chunk; a node listed
    /// after that is filed, so its chunk is not empty. Returns whether it
    /// did so (settling the list may have moved nodes).
    pub(super) fn return_empty_chunks(&mut self) -> bool {
        // Nodes returned by handles' drops keep their chunks from emptying
        // until they are given back (see `returned`).
        let budget = super::RETURNED_GIVEN_BACK_PER_CHECK;
        if self.give_back_returned(budget) == budget {
            // Bounded work per check: the rest at the next tick.
            self.request_check_at_next_tick();
        }
        if !self.inner().slab.has_empty_chunks() {
            return false;
        }
        self.settle_listed();
        // SAFETY: the list was just emptied under the stripe lock, which
        // keeps every other holder of a node pointer (slot lists, the sweep
        // cursor's chunk numbers, scratch space) to live nodes.
        let more = unsafe { self.inner().slab.free_empty_chunks() };
        if more {
            // Bounded work per check: the rest at the next tick.
            self.request_check_at_next_tick();
        }
        true
    }

    fn request_check_at_next_tick(&mut self) {
        let next_tick = self.inner().elapsed + 1;
        let when = self.geometry().tick_to_deadline(next_tick);
        self.request_check_by(when);
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
}
