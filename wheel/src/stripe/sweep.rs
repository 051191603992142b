//! Sweeping stopped timers out of the wheel, a bounded share at a time,
//! and clearing the stripe.
//!
//! `stop` leaves a zombie in its slot. Once zombies exceed a quarter of
//! what is filed (the point at which Go forces an adjust), a sweep pass
//! begins: a cursor walks once around the slab in address order (which the
//! processor prefetches), at most the sweep budget
//! (`WheelConfig::sweep_budget`) of places per share, and unlinks each
//! zombie it finds in O(1). Operations that find the stripe over the line
//! take turns: each owes a pace of places (four times the slab over the
//! filed count), and the one whose debt reaches a share sweeps it under
//! the stripe lock, so that a pass ends within a quarter of the filed
//! count more operations (O(1) amortized, as Go's forced adjust) while
//! the lock is taken once a share; a check sweeps a bounded
//! number of shares, releasing the lock between them, and asks to be
//! called back soon while the pass is under way. A pass removes every
//! zombie there was when it began (as Go's forced adjust does), and no lock
//! is held for more than a share, however many timers are filed.

use super::*;

impl LockedStripe<'_> {
    /// One share of the sweep: re-files the nodes listed as moved earlier
    /// (as Go's forced adjust does), then visits up to the sweep budget of
    /// slab places from the cursor, within the current pass (beginning one
    /// if none is under way), removing every zombie found. Returns the
    /// places visited.
    pub(crate) fn sweep_share(&mut self) -> usize {
        let budget = self.geometry().sweep_budget;
        self.sweep_places(budget)
    }

    fn sweep_places(&mut self, share: usize) -> usize {
        self.adjust();
        let geometry = self.geometry();
        let places = self.inner().slab.initialized();
        if self.inner().sweep_left == 0 {
            // A new pass: once around the slab from the cursor.
            self.inner().sweep_left = places;
        }
        let budget = share.min(places).min(self.inner().sweep_left);
        let mut visited = 0;
        while visited < budget {
            let inner = self.inner();
            let chunks = inner.slab.chunk_count();
            let (chunk, offset) = inner.sweep_cursor;
            let chunk = if chunk < chunks { chunk } else { 0 };
            let (first, initialized) = inner.slab.chunk_nodes(chunk);
            if offset >= initialized {
                inner.sweep_cursor = ((chunk + 1) % chunks, 0);
                continue;
            }
            inner.sweep_cursor = (chunk, offset + 1);
            visited += 1;
            // SAFETY: within the chunk's initialized nodes, which are valid
            // for as long as the stripe lives (type stability).
            let node = unsafe { first.add(offset) };
            // SAFETY: as above.
            let node_ref = unsafe { &*node };
            // Relaxed: a zombie is then locked (Acquire) and checked again;
            // one stopped after this load waits for the next share.
            if node_ref.load_word(Ordering::Relaxed) & (FILED | ZOMBIE) != FILED | ZOMBIE {
                continue;
            }
            let guard = node_ref.lock();
            if guard.state() & (FILED | ZOMBIE) == FILED | ZOMBIE {
                self.inner().unlink(geometry, guard.location(), node);
                self.unfile(guard);
            }
        }
        // Operations over the line pay for the pass in turns (see
        // `Stripe::sweep_turn`): each owes this many places, so that a pass
        // ends within a quarter of the filed count more operations.
        let filed = self.stripe.filed().max(1);
        let pace = places.saturating_mul(4).div_ceil(filed).max(1);
        // Relaxed: pacing hints; no data rides on them.
        self.stripe.sweep_pace.store(pace, Ordering::Relaxed);
        self.stripe
            .sweep_share_places
            .store(share.min(places).max(1), Ordering::Relaxed);
        let inner = self.inner();
        inner.sweep_left = inner.sweep_left.saturating_sub(visited);
        let sweeping = inner.sweep_left > 0;
        if sweeping != inner.sweep_announced {
            inner.sweep_announced = sweeping;
            // Relaxed: a hint for `check`, which confirms it under the lock.
            self.stripe.sweeping.store(sweeping, Ordering::Relaxed);
        }
        self.return_empty_chunks();
        self.publish_min_when();
        visited
    }

    /// Whether a sweep pass is under way, or should begin.
    pub(crate) fn sweep_pending(&mut self) -> bool {
        self.inner().sweep_left > 0 || self.stripe.needs_purge()
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
                let location = Location {
                    level,
                    slot: occupied.trailing_zeros(),
                };
                let mut node = self.inner().detach(geometry, location);
                while !node.is_null() {
                    // SAFETY: the stripe lock is held and filed nodes are valid.
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
