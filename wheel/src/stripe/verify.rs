//! Checking every invariant of a stripe (tests and harnesses call it after
//! each operation).

use super::*;

impl LockedStripe<'_> {
    /// Checks every invariant of this stripe; see [`crate::TimingWheel::verify`].
    pub(crate) fn verify(&mut self, stripe_index: usize) {
        let geometry = self.geometry();
        let stripe = self.stripe;
        let inner = self.inner();
        let elapsed = inner.elapsed;
        let mut filed = 0;
        let mut zombies = 0;
        let mut earliest_pending = i64::MAX;
        for level in 0..=geometry.overflow_level() {
            assert_eq!(
                inner.occupied_levels & (1 << level) != 0,
                inner.occupied[level as usize] != 0,
                "stripe {stripe_index}: occupancy bit of level {level} is wrong"
            );
            let slots = if level == geometry.overflow_level() {
                1
            } else {
                geometry.slots_per_level() as u32
            };
            for slot in 0..slots {
                let location = Location { level, slot };
                let index = geometry.slot_index(location);
                let slot_state = &inner.slots[index];
                let occupied = inner.occupied[level as usize] & (1 << slot) != 0;
                assert_eq!(
                    occupied,
                    !slot_state.head.is_null(),
                    "stripe {stripe_index}: occupancy bit of slot {level}/{slot} is wrong"
                );
                let mut min = i64::MAX;
                let mut count = 0;
                let mut previous = i64::MIN;
                let mut node = slot_state.head;
                let mut previous_index = NO_NODE;
                while !node.is_null() {
                    // SAFETY: filed nodes are valid and the stripe lock is held.
                    let node_ref = unsafe { &*node };
                    // SAFETY: as above.
                    let (prev, index) = unsafe { (node_ref.prev(), NodeSlab::index_of(node)) };
                    assert_eq!(
                        prev, previous_index,
                        "stripe {stripe_index}: backward link broken in slot {level}/{slot}"
                    );
                    assert_eq!(
                        inner.slab.node_at(index),
                        node,
                        "stripe {stripe_index}: slab index does not lead back to the node"
                    );
                    previous_index = index;
                    let guard = node_ref.lock();
                    let state = guard.state();
                    let filed_when = guard.filed_when();
                    assert!(
                        state & FILED != 0,
                        "stripe {stripe_index}: linked node not FILED"
                    );
                    assert_eq!(
                        guard.location(),
                        Location { level, slot },
                        "stripe {stripe_index}: node's location disagrees with its slot"
                    );
                    let tick = geometry.deadline_to_tick(filed_when);
                    let slot_mask = geometry.slots_per_level() as u64 - 1;
                    if level == 0 && tick < elapsed {
                        assert_eq!(
                            u64::from(slot),
                            elapsed & slot_mask,
                            "stripe {stripe_index}: level-0 node at past tick {tick} outside the current slot (elapsed {elapsed})"
                        );
                    } else if level < geometry.overflow_level() {
                        assert!(
                            tick >= elapsed,
                            "stripe {stripe_index}: node at tick {tick} in slot {level}/{slot} is behind elapsed {elapsed}"
                        );
                        assert_eq!(
                            u64::from(slot),
                            geometry.group(tick, level) & slot_mask,
                            "stripe {stripe_index}: node at tick {tick} misfiled in slot {level}/{slot} (elapsed {elapsed})"
                        );
                        assert!(
                            geometry.group(tick, level + 1) - geometry.group(elapsed, level + 1)
                                <= 1,
                            "stripe {stripe_index}: node at tick {tick} beyond the two rotations of level {level} (elapsed {elapsed})"
                        );
                    } else {
                        assert!(
                            tick >= elapsed,
                            "stripe {stripe_index}: overflow node at tick {tick} is behind elapsed {elapsed}"
                        );
                    }
                    count += 1;
                    if level == 0 && inner.sorted_level0 & (1 << slot) != 0 {
                        assert!(
                            filed_when >= previous,
                            "stripe {stripe_index}: sorted slot {slot} out of order"
                        );
                    }
                    previous = filed_when;
                    min = min.min(filed_when);
                    filed += 1;
                    if state & ZOMBIE != 0 {
                        zombies += 1;
                    } else {
                        let when = guard.when();
                        assert!(
                            when > 0,
                            "stripe {stripe_index}: live filed node is not armed"
                        );
                        if state & MODIFIED == 0 {
                            assert_eq!(
                                when, filed_when,
                                "stripe {stripe_index}: node moved without MODIFIED"
                            );
                        }
                        earliest_pending = earliest_pending.min(when);
                    }
                    drop(guard);
                    // SAFETY: stripe lock held.
                    node = unsafe { node_ref.next() };
                }
                assert_eq!(
                    slot_state.len, count,
                    "stripe {stripe_index}: slot {level}/{slot} length is off"
                );
                if occupied && level == 0 && inner.sorted_level0 & (1 << slot) != 0 {
                    assert_eq!(
                        slot_state.min_when, min,
                        "stripe {stripe_index}: sorted slot {level}/{slot} minimum is not exact"
                    );
                } else if occupied {
                    // Taking nodes out of a slot may leave a lower bound (see
                    // `slots`).
                    assert!(
                        slot_state.min_when > 0 && slot_state.min_when <= min,
                        "stripe {stripe_index}: slot {level}/{slot} minimum {} is above its nodes' {min}",
                        slot_state.min_when
                    );
                }
            }
        }
        assert_eq!(
            stripe.filed(),
            filed,
            "stripe {stripe_index}: filed count is off"
        );
        assert_eq!(
            stripe.zombies(),
            zombies,
            "stripe {stripe_index}: zombie count is off"
        );
        if earliest_pending != i64::MAX {
            let wake = stripe.wake_time();
            assert!(
                wake != 0 && wake <= earliest_pending,
                "stripe {stripe_index}: wake time {wake} is later than pending deadline {earliest_pending}"
            );
        }
        if filed == 0 {
            assert_eq!(
                stripe.wake_time(),
                0,
                "stripe {stripe_index}: a wake time with nothing filed"
            );
        }
    }
}
