//! Slot lists: linking, detaching, finding the first occupied slot, and
//! sorting a level-0 slot before it fires.

use super::*;

/// One slot: an unordered singly-linked list of nodes (kept sorted by
/// `filed_when` for a level-0 slot while it is being fired from) and the
/// exact minimum of their `filed_when`, 0 when empty.
pub(super) struct Slot {
    pub(super) head: *mut Node,
    pub(super) min_when: i64,
}

impl StripeInner {
    /// Links `node`, filed under `when`, at the head of slot (`level`,
    /// `slot`), keeping the slot's minimum exact and its sortedness flag
    /// truthful.
    pub(super) fn link(
        &mut self,
        geometry: Geometry,
        level: u32,
        slot: u32,
        node: *mut Node,
        when: i64,
    ) {
        let index = geometry.slot_index(level, slot);
        let slot_state = &mut self.slots[index];
        let head = slot_state.head;
        // SAFETY: the stripe lock is held (we are inside its mutex) and the
        // node belongs to this stripe.
        unsafe { (*node).set_next(head) };
        slot_state.head = node;
        if head.is_null() {
            slot_state.min_when = when;
            self.occupied[level as usize] |= 1 << slot;
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
    pub(super) fn detach(&mut self, geometry: Geometry, level: u32, slot: u32) -> *mut Node {
        let index = geometry.slot_index(level, slot);
        let slot_state = &mut self.slots[index];
        let head = std::mem::replace(&mut slot_state.head, ptr::null_mut());
        slot_state.min_when = 0;
        self.occupied[level as usize] &= !(1 << slot);
        if level == 0 {
            self.sorted_level0 &= !(1 << slot);
        }
        head
    }

    /// The first occupied slot in deadline order: `(level, slot, min_when)`.
    pub(super) fn first_occupied(&self, geometry: Geometry) -> Option<(u32, u32, i64)> {
        for level in 0..=geometry.overflow_level() {
            let occupied = self.occupied[level as usize];
            if occupied != 0 {
                let slot = occupied.trailing_zeros();
                let index = geometry.slot_index(level, slot);
                return Some((level, slot, self.slots[index].min_when));
            }
        }
        None
    }

    /// Sorts level-0 slot `slot` by `filed_when` unless it already is.
    pub(super) fn sort_level0(&mut self, geometry: Geometry, slot: u32) {
        if self.sorted_level0 & (1 << slot) != 0 {
            return;
        }
        let index = geometry.slot_index(0, slot);
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
            next = node;
        }
        self.slots[index].head = next;
        self.sorted_level0 |= 1 << slot;
        self.scratch = scratch;
    }

    /// Unlinks the first node of sorted level-0 slot `slot`.
    pub(super) fn pop_level0_head(&mut self, geometry: Geometry, slot: u32) -> *mut Node {
        let index = geometry.slot_index(0, slot);
        let slot_state = &mut self.slots[index];
        let head = slot_state.head;
        debug_assert!(!head.is_null());
        // SAFETY: stripe lock held; the head is a filed node.
        let next = unsafe { (*head).next() };
        slot_state.head = next;
        if next.is_null() {
            slot_state.min_when = 0;
            self.occupied[0] &= !(1 << slot);
        } else {
            // SAFETY: stripe lock held; the list is sorted, so the new head
            // holds the minimum.
            slot_state.min_when = unsafe { (*next).filed_when() };
        }
        head
    }
}
