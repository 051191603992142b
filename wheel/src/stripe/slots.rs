//! Slot lists: linking, unlinking, finding the earliest slot, and sorting a
//! level-0 slot before it fires.
//!
//! Slots are singly linked forwards by pointer and backwards by slab index
//! (see `slab`), so a node anywhere in a list unlinks in O(1).
//!
//! Each slot keeps its length and a minimum of its nodes' `filed_when`. The
//! minimum is exact for a sorted level-0 slot and for every slot that has
//! only had nodes linked since it was last emptied; taking nodes out of a
//! slot otherwise (the cascade ahead, see `firing`; a node moved earlier,
//! see `adjust`) leaves it a lower bound, which can only make the wake time
//! early, never late. A level-0 slot is sorted, which makes its minimum
//! exact, before anything in it fires.

use super::*;

impl StripeInner {
    /// Links `node`, filed under `when`, at the head of the slot at
    /// `location`, keeping the slot's minimum and its sortedness flag
    /// truthful.
    pub(super) fn link(
        &mut self,
        geometry: Geometry,
        location: Location,
        node: *mut Node,
        when: i64,
    ) {
        let Location { level, slot } = location;
        let slot_state = &mut self.slots[geometry.slot_index(location)];
        let head = slot_state.head;
        // SAFETY: the stripe lock is held (we are inside its mutex) and the
        // node, like the head, belongs to this stripe.
        unsafe {
            (*node).set_next(head);
            (*node).set_prev(NO_NODE);
            if !head.is_null() {
                (*head).set_prev(NodeSlab::index_of(node));
            }
        }
        slot_state.head = node;
        slot_state.len += 1;
        if head.is_null() {
            slot_state.min_when = when;
            self.occupied[level as usize] |= 1 << slot;
            self.occupied_levels |= 1 << level;
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
    pub(super) fn detach(&mut self, geometry: Geometry, location: Location) -> *mut Node {
        let Location { level, slot } = location;
        let slot_state = &mut self.slots[geometry.slot_index(location)];
        let head = std::mem::replace(&mut slot_state.head, ptr::null_mut());
        slot_state.min_when = 0;
        slot_state.len = 0;
        self.mark_emptied(location);
        if level == 0 {
            self.sorted_level0 &= !(1 << slot);
        }
        head
    }

    /// Unlinks the first node of the non-empty slot at `location`. The
    /// slot's minimum is kept (a lower bound for what stays) unless the
    /// slot empties; a level-0 caller that needs it exact uses
    /// [`pop_level0_head`](Self::pop_level0_head).
    pub(super) fn pop_head(&mut self, geometry: Geometry, location: Location) -> *mut Node {
        let slot_state = &mut self.slots[geometry.slot_index(location)];
        let head = slot_state.head;
        debug_assert!(!head.is_null());
        // SAFETY: stripe lock held; the head is a filed node.
        let next = unsafe { (*head).next() };
        slot_state.head = next;
        slot_state.len -= 1;
        if next.is_null() {
            slot_state.min_when = 0;
            self.mark_emptied(location);
        } else {
            // SAFETY: stripe lock held; `next` is a filed node.
            unsafe { (*next).set_prev(NO_NODE) };
        }
        head
    }

    /// Unlinks `node` from the slot at `location`, wherever it is in the
    /// list, in O(1) (through its backward link). The slot's minimum stays
    /// exact if the slot is sorted or empties, and is otherwise kept as a
    /// lower bound for what stays (see the module doc).
    pub(super) fn unlink(&mut self, geometry: Geometry, location: Location, node: *mut Node) {
        // SAFETY: stripe lock held; `node` is filed at `location`, and its
        // neighbours are filed nodes of this stripe.
        let (prev, next) = unsafe { ((*node).prev(), (*node).next()) };
        let slot_state = &mut self.slots[geometry.slot_index(location)];
        if prev == NO_NODE {
            debug_assert_eq!(slot_state.head, node);
            slot_state.head = next;
        } else {
            // SAFETY: as above.
            unsafe { (*self.slab.node_at(prev)).set_next(next) };
        }
        if !next.is_null() {
            // SAFETY: as above.
            unsafe { (*next).set_prev(prev) };
        }
        let slot_state = &mut self.slots[geometry.slot_index(location)];
        slot_state.len -= 1;
        if slot_state.head.is_null() {
            slot_state.min_when = 0;
            self.mark_emptied(location);
        } else if prev == NO_NODE
            && location.level == 0
            && self.sorted_level0 & (1 << location.slot) != 0
        {
            // SAFETY: stripe lock held; the new head is a filed node and
            // holds the sorted list's minimum.
            slot_state.min_when = unsafe { (*slot_state.head).filed_when() };
        }
    }

    /// Clears the occupied bit of the slot at `location`, which has just
    /// emptied, and its level's bit once the whole level is empty.
    #[inline]
    fn mark_emptied(&mut self, location: Location) {
        let occupied = &mut self.occupied[location.level as usize];
        *occupied &= !(1 << location.slot);
        if *occupied == 0 {
            self.occupied_levels &= !(1 << location.level);
        }
    }

    /// The first occupied slot of `level`, which holds nodes, in deadline
    /// order (rotated from `elapsed`'s own slot).
    #[inline]
    fn first_slot_of(&self, geometry: Geometry, level: u32) -> Location {
        let occupied = self.occupied[level as usize];
        debug_assert_ne!(occupied, 0);
        let slot = if level == geometry.overflow_level() {
            0
        } else {
            let cursor = geometry.cursor(self.elapsed, level);
            let offset = geometry.rotate(occupied, cursor).trailing_zeros();
            (cursor + offset) & (geometry.slots_per_level() as u32 - 1)
        };
        Location { level, slot }
    }

    /// The slot holding the earliest deadline: the least minimum among
    /// each level's first slot in deadline order, over the levels that
    /// hold nodes. On a tie the higher level wins, so that a slot that
    /// must come down does so before an equal deadline below it fires.
    pub(super) fn earliest(&self, geometry: Geometry) -> Option<(Location, i64)> {
        let mut levels = self.occupied_levels;
        let mut best: Option<(Location, i64)> = None;
        while levels != 0 {
            let level = levels.trailing_zeros();
            levels &= levels - 1;
            let location = self.first_slot_of(geometry, level);
            let min = self.slots[geometry.slot_index(location)].min_when;
            if best.is_none_or(|(_, best_min)| min <= best_min) {
                best = Some((location, min));
            }
        }
        best
    }

    /// Sorts level-0 slot `slot` by `filed_when` unless it already is,
    /// which makes its minimum exact.
    #[inline]
    pub(super) fn sort_level0(&mut self, geometry: Geometry, slot: u32) {
        if self.sorted_level0 & (1 << slot) == 0 {
            self.sort_unsorted_level0(geometry, slot);
        }
    }

    /// [`sort_level0`](Self::sort_level0) of a slot not marked sorted.
    #[inline(never)]
    fn sort_unsorted_level0(&mut self, geometry: Geometry, slot: u32) {
        let index = geometry.slot_index(Location { level: 0, slot });
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
            if !next.is_null() {
                // SAFETY: stripe lock held; both are this stripe's nodes.
                unsafe { (*next).set_prev(NodeSlab::index_of(node)) };
            }
            next = node;
        }
        if !next.is_null() {
            // SAFETY: stripe lock held.
            unsafe { (*next).set_prev(NO_NODE) };
        }
        self.slots[index].head = next;
        // SAFETY: stripe lock held; sorting a non-empty slot leaves its
        // least deadline at the head.
        self.slots[index].min_when = scratch
            .first()
            .map_or(0, |&head| unsafe { (*head).filed_when() });
        self.sorted_level0 |= 1 << slot;
        self.scratch = scratch;
    }

    /// Unlinks the first node of sorted level-0 slot `slot`, keeping the
    /// slot's minimum exact.
    pub(super) fn pop_level0_head(&mut self, geometry: Geometry, slot: u32) -> *mut Node {
        let location = Location { level: 0, slot };
        let head = self.pop_head(geometry, location);
        let slot_state = &mut self.slots[geometry.slot_index(location)];
        if !slot_state.head.is_null() {
            // SAFETY: stripe lock held; the list is sorted, so the new head
            // holds the minimum.
            slot_state.min_when = unsafe { (*slot_state.head).filed_when() };
        }
        head
    }
}
