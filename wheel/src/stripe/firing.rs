//! Firing due nodes in deadline order, and cascading higher-level slots
//! down as their start comes due.

use super::*;

/// What `fire_head` did with the node at the head of a due level-0 slot.
pub(super) enum HeadOutcome {
    /// Due and taken off the wheel (or re-filed, if periodic): run
    /// `callback(seq, delay)` after unlocking.
    Fire {
        callback: Option<Callback>,
        seq: u64,
        delay: i64,
    },
    /// A zombie removed, or a node moved later re-filed: nothing to run.
    Settled,
}

impl LockedStripe<'_> {
    /// Runs every node of this stripe due at `upto` (which is at most `now`)
    /// in deadline order, one at a time with the stripe unlocked around each
    /// callback (Go's `ts.run` loop); re-files what moved, advances
    /// `elapsed` towards `upto`, and re-publishes the stripe's minimum.
    /// `delay` is measured from `now`.
    pub(crate) fn process(&mut self, now: i64, upto: i64) {
        let geometry = self.geometry();
        let upto_tick = geometry.deadline_to_tick(upto);
        self.adjust(upto, false);
        while let Some((level, slot, min)) = self.inner().first_occupied(geometry) {
            if level > 0 {
                let start_tick = if level == geometry.overflow_level() {
                    geometry.overflow_start_tick(geometry.deadline_to_tick(min))
                } else {
                    geometry.slot_start_tick(self.inner().elapsed, level, slot)
                };
                if start_tick > upto_tick {
                    break;
                }
                self.cascade(level, slot, start_tick);
                continue;
            }
            if min > upto {
                break;
            }
            if let HeadOutcome::Fire {
                callback,
                seq,
                delay,
            } = self.fire_head(slot, now)
            {
                // Publish the minimum before letting other threads in, so
                // `wake_time` stays a close bound during the callback.
                self.publish_min_when();
                self.while_unlocked(|| {
                    if let Some(callback) = callback {
                        callback(seq, delay);
                    }
                });
                // A callback may have moved timers of this stripe earlier;
                // pick those up before going on.
                self.adjust(upto, false);
            }
        }
        let inner = self.inner();
        if upto_tick > inner.elapsed {
            inner.elapsed = upto_tick;
        }
        self.publish_min_when();
    }

    /// Moves every node of the occupied slot (`level`, `slot`), whose start
    /// is due, to where it belongs once `elapsed` advances to that start: a
    /// lower level for a wheel slot; the wheel, for the overflow nodes in
    /// the top-level block that starts at `start_tick`.
    pub(super) fn cascade(&mut self, level: u32, slot: u32, start_tick: u64) {
        let geometry = self.geometry();
        let index = geometry.slot_index(level, slot);
        let inner = self.inner();
        debug_assert!(start_tick >= inner.elapsed || level == geometry.overflow_level());
        inner.elapsed = inner.elapsed.max(start_tick);
        let mut node = self.inner().detach(geometry, level, slot);
        // Every node that lowers this slot's bound does so under its lock
        // with this slot as its location. Each node of the slot is handled
        // below under its lock (a MODIFIED node is re-filed at its new
        // deadline), or moved by a CAS that fails if it was locked or
        // changed, in which case a later modifier locks it, reads its new
        // location and lowers that slot's bound. So once the cascade ends,
        // no deadline depends on this bound; a lowering that lands after
        // this store only leaves an early bound. Relaxed: no reader depends
        // on seeing the clear.
        self.stripe.slot_min_when_modified[index].store(0, Ordering::Relaxed);
        while !node.is_null() {
            // SAFETY: as in `adjust_slots`.
            let next = unsafe { (*node).next() };
            // SAFETY: filed nodes are valid.
            let node_ref = unsafe { &*node };
            // Relaxed: a clean word lets us move the node without its lock
            // by a CAS, which fails if the word changed since; anything else
            // takes the lock.
            let word = node_ref.load_word(Ordering::Relaxed);
            let moved = word & (MODIFIED | ZOMBIE | crate::node::LOCKED) == 0 && {
                // SAFETY: stripe lock held.
                let filed_when = unsafe { node_ref.filed_when() };
                let inner = self.inner();
                let (new_level, new_slot) =
                    geometry.location_for(inner.elapsed, geometry.deadline_to_tick(filed_when));
                if node_ref.try_relocate_unlocked(
                    word,
                    Location {
                        level: new_level,
                        slot: new_slot,
                    },
                ) {
                    inner.link(geometry, new_level, new_slot, node, filed_when);
                    true
                } else {
                    false
                }
            };
            if !moved {
                let guard = node_ref.lock();
                let state = guard.state();
                if state & ZOMBIE != 0 {
                    self.unfile(guard);
                } else {
                    let when = if state & MODIFIED != 0 {
                        guard.when()
                    } else {
                        guard.filed_when()
                    };
                    self.file(&guard, when);
                }
            }
            node = next;
        }
    }

    /// Fires or settles the earliest node of level-0 slot `slot`, whose
    /// minimum is due.
    pub(super) fn fire_head(&mut self, slot: u32, now: i64) -> HeadOutcome {
        let geometry = self.geometry();
        self.inner().sort_level0(geometry, slot);
        let node = self.inner().pop_level0_head(geometry, slot);
        // SAFETY: the node was filed here, so it is valid.
        let guard = unsafe { &*node }.lock();
        let state = guard.state();
        if state & (MODIFIED | ZOMBIE) != 0 {
            self.settle(guard, 0, slot);
            return HeadOutcome::Settled;
        }
        let when = guard.when();
        let period = guard.period();
        let delay = now - when;
        debug_assert!(
            delay >= 0,
            "gowheel wheel: firing a node before its deadline"
        );
        let callback = guard.callback();
        let seq = guard.seq();
        if period > 0 {
            let next = next_periodic_when(when, period, delay);
            guard.set_when(next);
            self.file(&guard, next);
        } else {
            guard.set_when(0);
            self.unfile(guard);
        }
        HeadOutcome::Fire {
            callback,
            seq,
            delay,
        }
    }
}
