//! Every timer a heap set has made, held weakly, so that clearing or
//! dropping the set can release every callback, also those of timers that
//! are in no heap.
//!
//! # Why the heap needs it
//!
//! A heap holds only armed timers. A timer in no heap (never armed, fired,
//! stopped and cleaned out) is referenced by its handles alone, and in Go
//! the collector frees it once they are unreachable, together with any
//! cycle through its callback. Reference counting cannot: a callback that
//! holds its own timer's handle makes the cycle cell → callback → handle →
//! cell, which outlives every other reference. The registry lets the set
//! reach such a timer and take its callback out, which breaks the cycle.
//!
//! # Design
//!
//! One registry per shard; a timer registers in the registry of the shard
//! of the thread that makes it, so that threads making timers in parallel
//! do not share a lock. A registry is a slab of `Weak<TimerCell>`:
//!
//! * registering fills a free slot or appends one, O(1) amortized, once per
//!   timer (in `new_timer`, never in `modify` or `stop`);
//! * a cell frees its own slot when it is dropped, O(1);
//! * [`Registry::live_cells`] upgrades every entry, for `clear`.
//!
//! Entries are weak, so the registry never keeps a timer alive. Each cell
//! holds its registry strongly (a reference count is cheaper to take and
//! drop than a weak one is to upgrade), so a registry outlives its set
//! while any of its timers does; once the set is gone nothing else reads
//! it, and the last cell frees it. The slab does not shrink: it is as long
//! as the most timers this shard's threads had alive at once.
//!
//! The cost is paid once per timer, at its creation and its drop: an
//! uncontended lock, a reference count on the registry and a weak one on
//! the cell, each way (eight atomic read-modify-writes in all).
//!
//! # Locking
//!
//! The registry lock is a leaf. It may be taken while a shard or a timer
//! lock is held, since a cell can be dropped anywhere (`clean_head` may drop
//! the last reference to a stopped timer under the shard lock); while it is
//! held, nothing else is locked, no cell is dropped and no user code runs.
//! `live_cells` hands out strong references for the caller to use after
//! the registry is unlocked.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use super::timer_cell::TimerCell;

/// The timers made on one shard (see the module doc).
pub(crate) struct Registry {
    /// The slab, under the registry's own (leaf) lock.
    slots: Mutex<Slots>,
}

/// A registry's slab.
#[derive(Default)]
struct Slots {
    /// One entry per slot: `Some` while the cell that registered there is
    /// alive (or being dropped, when the entry no longer upgrades).
    cells: Vec<Option<Weak<TimerCell>>>,
    /// Indices of the `None` entries of `cells`, reused first.
    free: Vec<usize>,
}

/// Where a cell is registered: immutable, held by the cell so that its drop
/// can free its slot.
pub(crate) struct Registration {
    /// The registry.
    registry: Arc<Registry>,
    /// The cell's slot in it.
    slot: usize,
}

impl Registry {
    /// An empty registry.
    pub(crate) fn new() -> Arc<Registry> {
        Arc::new(Registry {
            slots: Mutex::new(Slots::default()),
        })
    }

    /// Locks the slab. Nothing in this module panics while holding the lock
    /// with the slab half-updated, so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes a cell with `make`, registered in this registry.
    ///
    /// `make` runs under the registry lock: it must only build the cell
    /// (moving its callback in), never run or drop user code.
    pub(crate) fn register(
        self: &Arc<Registry>,
        make: impl FnOnce(Registration) -> TimerCell,
    ) -> Arc<TimerCell> {
        let mut slots = self.lock();
        let slot = match slots.free.pop() {
            Some(slot) => slot,
            None => {
                slots.cells.push(None);
                slots.cells.len() - 1
            }
        };
        let cell = Arc::new(make(Registration {
            registry: self.clone(),
            slot,
        }));
        slots.cells[slot] = Some(Arc::downgrade(&cell));
        cell
    }

    /// Appends a strong reference to every cell registered here that is
    /// still alive. The caller uses them, and drops them, after this returns
    /// and the registry is unlocked: dropping one may drop its cell, whose
    /// deregistration locks the registry.
    pub(crate) fn live_cells(&self, into: &mut Vec<Arc<TimerCell>>) {
        let slots = self.lock();
        into.extend(slots.cells.iter().flatten().filter_map(Weak::upgrade));
    }

    /// The number of cells registered here, dying ones included.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        let slots = self.lock();
        slots.cells.len() - slots.free.len()
    }

    /// Checks the slab: the free list names exactly the empty slots, once
    /// each, and every live cell names its own slot of this registry.
    /// Panics on the first broken invariant.
    pub(crate) fn verify(self: &Arc<Registry>) {
        let mut live = Vec::new();
        {
            let slots = self.lock();
            let mut listed = vec![false; slots.cells.len()];
            for &slot in &slots.free {
                assert!(
                    slots.cells[slot].is_none() && !listed[slot],
                    "registry: free slot {slot} is occupied or listed twice"
                );
                listed[slot] = true;
            }
            for (slot, entry) in slots.cells.iter().enumerate() {
                assert!(
                    entry.is_some() || listed[slot],
                    "registry: empty slot {slot} is not on the free list"
                );
                if let Some(cell) = entry.as_ref().and_then(Weak::upgrade) {
                    live.push((slot, cell));
                }
            }
        }
        for (slot, cell) in &live {
            let registration = &cell.registration;
            assert!(
                registration.slot == *slot && Arc::ptr_eq(&registration.registry, self),
                "registry: the cell in slot {slot} names another registration"
            );
        }
        // `live` drops here, with the registry unlocked.
    }
}

impl Registration {
    /// Frees the slot of `cell`, which is being dropped.
    pub(crate) fn leave(&self, cell: &TimerCell) {
        let entry = {
            let mut slots = self.registry.lock();
            let entry = slots.cells[self.slot].take();
            debug_assert!(
                entry
                    .as_ref()
                    .is_some_and(|weak| std::ptr::eq(weak.as_ptr(), cell)),
                "registry: slot {} does not hold the cell leaving it",
                self.slot
            );
            slots.free.push(self.slot);
            entry
        };
        // The cell's own weak reference: dropping it frees nothing while the
        // cell is still being dropped, but it is dropped unlocked all the
        // same. (`registry` is dropped with the cell's other fields, the
        // lock released.)
        drop(entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timer_set::noop_callback;

    fn make(registry: &Arc<Registry>) -> Arc<TimerCell> {
        registry.register(|registration| TimerCell::new(1, noop_callback(), registration))
    }

    #[test]
    fn a_dropped_cell_frees_its_slot_for_the_next() {
        let registry = Registry::new();
        let first = make(&registry);
        let second = make(&registry);
        assert_eq!(registry.len(), 2);
        drop(first);
        assert_eq!(registry.len(), 1);
        registry.verify();
        let third = make(&registry);
        assert_eq!(third.registration.slot, 0, "the freed slot is reused");
        assert_eq!(registry.len(), 2);
        registry.verify();
        let mut live = Vec::new();
        registry.live_cells(&mut live);
        assert_eq!(live.len(), 2);
        assert!(live.iter().any(|cell| Arc::ptr_eq(cell, &second)));
        assert!(live.iter().any(|cell| Arc::ptr_eq(cell, &third)));
    }

    #[test]
    fn cells_outliving_their_set_keep_their_registry_until_the_last_goes() {
        let registry = Registry::new();
        let (first, second) = (make(&registry), make(&registry));
        let weak = Arc::downgrade(&registry);
        drop(registry);
        drop(first);
        assert_eq!(weak.upgrade().map(|registry| registry.len()), Some(1));
        drop(second);
        assert!(weak.upgrade().is_none(), "the last cell frees the registry");
    }
}
