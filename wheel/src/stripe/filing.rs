//! Filing and unfiling nodes, and publishing the stripe's minimum.

use super::*;

impl LockedStripe<'_> {
    /// Files the locked, unfiled node `guard` under `when` and counts it.
    /// Returns whether that lowered a time the stripe publishes to its
    /// driver (its minimum or its maintenance time).
    pub(crate) fn file_new(&mut self, guard: &NodeGuard<'_>, when: i64) -> bool {
        debug_assert!(guard.state() & FILED == 0);
        let maintenance_lowered = self.file(guard, when);
        self.count_new_filing(when) | maintenance_lowered
    }

    /// Fills in and files `node`, fresh from this stripe's slab, armed at
    /// `when` with `period` (Go's `newTimer`: init, then modify), all under
    /// this one stripe lock and without the node lock.
    ///
    /// # Safety
    ///
    /// `node` was just allocated from this stripe and no other thread can
    /// reach it yet.
    ///
    /// Returns whether that lowered a time the stripe publishes to its
    /// driver, as [`file_new`](Self::file_new).
    pub(crate) unsafe fn start(
        &mut self,
        node: *mut Node,
        callback: Callback,
        when: i64,
        period: i64,
    ) -> bool {
        let geometry = self.geometry();
        let inner = self.inner();
        let location = geometry.location_for(inner.elapsed, geometry.deadline_to_tick(when));
        // SAFETY: forwarded contract; the stripe lock is held.
        unsafe { (*node).init_filed(callback, when, period, location) };
        inner.link(geometry, location, node, when);
        let maintenance_lowered = self.note_cascade_ahead(location, when);
        self.count_new_filing(when) | maintenance_lowered
    }

    /// Adds `delta` to the filed count. Only stripe-lock holders change it,
    /// so a load and a store do (no RMW); Relaxed: a statistic and a purge
    /// heuristic that no data rides on.
    #[inline]
    pub(super) fn add_filed(&self, delta: isize) {
        let filed = &self.stripe.filed;
        filed.store(
            filed.load(Ordering::Relaxed).wrapping_add_signed(delta),
            Ordering::Relaxed,
        );
    }

    /// Counts a new filing under `when` and lowers the published minimum;
    /// returns whether it did lower it.
    pub(super) fn count_new_filing(&mut self, when: i64) -> bool {
        self.add_filed(1);
        let lowered = when < self.stripe.min_when.load(Ordering::Relaxed)
            || self.stripe.min_when.load(Ordering::Relaxed) == 0;
        if lowered {
            // Release: a reader of `wake_time` that happens after this
            // insert (for instance a driver woken by the inserter) sees the
            // lower minimum. Only this lock's holders write `min_when`, so
            // the Relaxed loads above read the latest value.
            self.stripe.min_when.store(when, Ordering::Release);
        }
        lowered
    }

    /// Links the locked node `guard` into the slot for `when` and records
    /// the filing in its word. Does not touch the counters or the stripe's
    /// published minimum; returns whether it lowered the stripe's
    /// maintenance time.
    pub(super) fn file(&mut self, guard: &NodeGuard<'_>, when: i64) -> bool {
        let geometry = self.geometry();
        let inner = self.inner();
        let location = geometry.location_for(inner.elapsed, geometry.deadline_to_tick(when));
        let node = guard.node() as *const Node as *mut Node;
        // SAFETY: both locks are held: the stripe lock through `self`, the
        // node lock through `guard`.
        unsafe { guard.mark_filed(location, when) };
        inner.link(geometry, location, node, when);
        self.note_cascade_ahead(location, when)
    }

    /// A node just filed at `location` under `when` must come down to the
    /// level below by the time its slot starts: lowers the stripe's
    /// maintenance time to when that slot's cascade ahead begins, a slot
    /// width before its start, so that a driver sleeping towards a later
    /// deadline comes back in time (see `firing`). Returns whether it
    /// lowered it.
    #[inline]
    fn note_cascade_ahead(&self, location: Location, when: i64) -> bool {
        let geometry = self.geometry();
        if location.level == 0 || location.level == geometry.overflow_level() {
            return false;
        }
        let Some(width) = geometry.slot_width(location.level) else {
            return false;
        };
        let tick = geometry.deadline_to_tick(when);
        let begins = geometry
            .tick_to_deadline((tick & !(width - 1)).saturating_sub(width))
            .max(1);
        // Relaxed: a hint (see `Stripe::maintenance_time`); only holders of
        // the stripe lock write it, so the load reads the latest value.
        let current = self.stripe.maintenance_when.load(Ordering::Relaxed);
        let lowered = current == 0 || begins < current;
        if lowered {
            self.stripe
                .maintenance_when
                .store(begins, Ordering::Relaxed);
        }
        lowered
    }

    /// Unfiles the locked node `guard`, which the caller has already
    /// unlinked, and recycles it if its handle is gone (the node must not be
    /// used after that).
    pub(super) fn unfile(&mut self, guard: NodeGuard<'_>) {
        let state = guard.state();
        if state & ZOMBIE != 0 {
            self.stripe.remove_zombie();
        }
        self.add_filed(-1);
        if state & HANDLE_DROPPED == 0 {
            // SAFETY: both locks are held.
            unsafe { guard.unlock_unfiled() };
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

    /// Removes the locked node `guard`, filed in this stripe and not a
    /// zombie, from its slot at once: `stop`'s way when the stripe lock is
    /// free. The slot's minimum stays a lower bound for what is left (as
    /// after any O(1) unlink); so does the stripe's modified bound if the
    /// node was moved earlier, and the moved list's entry for it is skipped
    /// when settled (it is no longer filed). A stripe that empties drops
    /// its wake time.
    ///
    /// If `handle_goes` (`TimingWheel::stop_and_drop`), the node is also
    /// cleared and kept for the stripe's next new timer, as a dropped
    /// handle's node is (see `returned`), and its callback is returned for
    /// the caller to drop once the stripe is unlocked.
    pub(crate) fn remove_stopped(
        &mut self,
        guard: NodeGuard<'_>,
        handle_goes: bool,
    ) -> Option<Callback> {
        debug_assert_eq!(guard.state() & (FILED | ZOMBIE), FILED);
        let geometry = self.geometry();
        let node = guard.node() as *const Node as *mut Node;
        self.inner().unlink(geometry, guard.location(), node);
        let callback = if handle_goes {
            self.add_filed(-1);
            // SAFETY: unlinked, and unfiled by this unlock; the handle goes
            // with the caller, which holds the node lock, and under the
            // stripe lock nobody else waits for it (only the handle and
            // this stripe's lock holders lock a node).
            let callback = unsafe { guard.unlock_recycled() };
            // SAFETY: this stripe's node, cleared, unlocked, and reachable
            // by this stripe alone.
            unsafe { self.inner().push_reused(node) };
            callback
        } else {
            self.unfile(guard);
            None
        };
        if self.stripe.filed() == 0 {
            self.publish_min_when();
        }
        callback
    }

    /// Puts the locked node `guard`, just detached from the slot at
    /// `location`, back where its state says: removed if a zombie, re-filed
    /// under its new deadline if modified, back in the same slot otherwise.
    pub(super) fn settle(&mut self, guard: NodeGuard<'_>, location: Location) {
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
            self.inner().link(geometry, location, node, filed_when);
        }
    }

    /// Re-publishes the stripe's locked-in minimum as the least slot
    /// minimum (0 if empty).
    ///
    /// An empty stripe also drops its modified bound (as Go's `deleteMin`
    /// does when a heap empties). The bound may be stale by then: a node
    /// moved earlier can be fired, cascaded or swept out of the wheel
    /// before an adjust clears the bound it lowered. A stale bound is only
    /// early, which is harmless while
    /// timers are filed, but with none left it would make the wake time
    /// name a deadline when there is nothing to wait for. Clearing it loses
    /// nothing: a modifier writes the bound only while holding the lock of
    /// a filed node, no node of this stripe is filed, and unfiling a node
    /// takes its lock, so every such write came before, for a node that is
    /// gone.
    pub(super) fn publish_min_when(&mut self) {
        let geometry = self.geometry();
        // Nothing filed: nothing to look for.
        let min = if self.stripe.filed() == 0 {
            0
        } else {
            self.inner().earliest(geometry).map_or(0, |(_, min)| min)
        };
        self.publish_min(min);
    }

    /// Publishes `min`, which is what [`publish_min_when`] would find now,
    /// as the stripe's minimum.
    ///
    /// [`publish_min_when`]: Self::publish_min_when
    pub(super) fn publish_min(&mut self, min: i64) {
        // Release: pairs with the Acquire in `Stripe::wake_time`. Only
        // holders of the stripe lock write `min_when`.
        self.stripe.min_when.store(min, Ordering::Release);
        if min == 0 {
            // Release: as the clearing CAS in `adjust`.
            self.stripe.min_when_modified.store(0, Ordering::Release);
        }
    }
}
