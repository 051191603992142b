//! Sweeping every slot at once: the forced purge by a scan of the slab,
//! and clearing the stripe.

use super::*;

/// How many slab nodes a forced sweep may scan per filed node and still
/// prefer the scan to the list walk. A scan reads nodes in address order,
/// which the processor prefetches; a walk follows `next` pointers, one
/// dependent load each, and misses the cache on every node once the stripe
/// outgrows it, so a walk step costs several scan steps.
pub(super) const SCAN_NODES_PER_FILED: usize = 4;

impl LockedStripe<'_> {
    /// The forced sweep of every occupied slot (`due` lists them all),
    /// which purges every zombie, when the slab holds at most
    /// `SCAN_NODES_PER_FILED` nodes per filed one (otherwise `sweep_slots`
    /// walks the lists).
    ///
    /// Instead of walking the slot lists, which is a chain of dependent
    /// loads, one cache miss per node once the stripe outgrows the caches,
    /// it empties every list and rebuilds them all from one scan of the
    /// slab in address order, which the processor can prefetch. A filed
    /// node's word names its slot, and the stripe lock, held throughout,
    /// keeps that location, `FILED` and `filed_when` stable. A node marked
    /// `MODIFIED` or `ZOMBIE` is settled under its lock as in `sweep_slots`,
    /// and any other filed node goes back into its own slot (a node moved
    /// earlier after its load is listed for the next adjust). Free and
    /// unfiled nodes lack `FILED` and are skipped. The slots' minimums are
    /// `link`'s exact running minimums.
    pub(super) fn rebuild_slots(&mut self, due: &[Location]) {
        let geometry = self.geometry();

        let inner = self.inner();
        for &location in due {
            inner.slots[geometry.slot_index(location)] = Slot::empty();
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
                // Relaxed: a marked word is then locked (Acquire). FILED and
                // the location change only under the stripe lock, which we
                // hold.
                let word = node_ref.load_word(Ordering::Relaxed);
                if word & FILED == 0 {
                    continue;
                }
                let location = Location::from_word(word);
                if word & (MODIFIED | ZOMBIE) != 0 {
                    marked.push((node, location));
                } else {
                    // SAFETY: stripe lock held, so `filed_when` is stable.
                    let filed_when = unsafe { node_ref.filed_when() };
                    inner.link(geometry, location, node, filed_when);
                }
            }
        }
        self.settle_marked(marked);
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
