//! Firing due nodes in deadline order, and cascading higher-level slots
//! down ahead of time in bounded shares.
//!
//! Each level holds two rotations of slots: the current group of the level
//! above and the next one. So a higher-level slot's nodes can come down a
//! whole slot width before its start, spread over the checks in between
//! (`cascade_ahead`), instead of all at once when the start comes due.
//! Order needs no invariant across levels: the earliest deadline is the
//! least of each level's first slot in rotated order (`earliest`).

use super::*;
use crate::node::LOCKED;

/// `total * numerator / denominator`, rounded down, without overflow.
fn share(total: usize, numerator: u64, denominator: u64) -> usize {
    (total as u128 * u128::from(numerator) / u128::from(denominator)) as usize
}

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
    /// `elapsed` to `upto`, cascades ahead (see the module doc), and
    /// re-publishes the stripe's minimum. `delay` is measured from `now`.
    pub(crate) fn process(&mut self, now: i64, upto: i64) {
        let geometry = self.geometry();
        let upto_tick = geometry.deadline_to_tick(upto);
        self.adjust();
        // The earliest minimum when the loop ends (0 if nothing is filed):
        // still the stripe's minimum afterwards unless nodes move again.
        let mut earliest_left = 0;
        while let Some((location, min)) = self.inner().earliest(geometry) {
            if min > upto {
                earliest_left = min;
                break;
            }
            if location.level > 0 {
                self.cascade_now(location, min);
                continue;
            }
            // The minimum may be a lower bound until the slot is sorted;
            // once it is exact, the slot may no longer hold the earliest
            // deadline (or one due), so look again.
            let inner = self.inner();
            inner.sort_level0(geometry, location.slot);
            if inner.slots[geometry.slot_index(location)].min_when != min {
                continue;
            }
            if let HeadOutcome::Fire {
                callback,
                seq,
                delay,
            } = self.fire_head(location.slot, now)
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
                self.adjust();
            }
        }
        let inner = self.inner();
        if upto_tick > inner.elapsed {
            inner.elapsed = upto_tick;
        }
        let cascaded = self.cascade_ahead();
        let settled = self.return_empty_chunks();
        if cascaded || settled {
            self.publish_min_when();
        } else {
            // Advancing `elapsed` past empty ticks moves no node and
            // changes no slot's minimum, so the loop's last look stands.
            self.publish_min(earliest_left);
        }
    }

    /// Moves every node of the slot at `location` (above level 0, or the
    /// overflow list), whose minimum `min` is due, down to where it belongs
    /// once `elapsed` advances to `min`'s tick. `min` is at most every filed
    /// deadline, so the advance keeps every other node where it belongs.
    /// This is the whole-slot work that [`cascade_ahead`] exists to avoid:
    /// it happens only when checks fell behind its schedule.
    ///
    /// [`cascade_ahead`]: Self::cascade_ahead
    pub(super) fn cascade_now(&mut self, location: Location, min: i64) {
        let geometry = self.geometry();
        let inner = self.inner();
        inner.elapsed = inner.elapsed.max(geometry.deadline_to_tick(min));
        let mut node = inner.detach(geometry, location);
        while !node.is_null() {
            // SAFETY: the stripe lock is held and filed nodes are valid.
            let next = unsafe { (*node).next() };
            self.move_down(node);
            node = next;
        }
    }

    /// Takes the nodes of the next slot of each level above 0 down to the
    /// level below, a share at a time, so that the slot is empty by the
    /// time `elapsed` reaches its start.
    ///
    /// The next slot of level `L` holds deadlines in the level-`L` group
    /// after `elapsed`'s, which the level below already reaches (it holds
    /// two rotations), so its nodes can move down while `elapsed` is still
    /// in the current group: a slot width of ticks ahead. Each call moves
    /// enough that what stays is at most the share of the slot's nodes
    /// that the ticks left before its start bear, but never more than the
    /// cascade budget (`WheelConfig::cascade_budget`) a level; the
    /// stripe's maintenance time asks for the next call before what is
    /// owed exceeds the budget, or at once if the call left some of its
    /// share (a check that came late). So no check moves more than the
    /// budget a level, however many timers are filed; a slot whose start
    /// comes before its nodes are down is brought down whole when it
    /// comes due (`cascade_now`). Returns whether it moved any node.
    pub(super) fn cascade_ahead(&mut self) -> bool {
        let mut moved_any = false;
        let geometry = self.geometry();
        let mut maintenance = u64::MAX;
        for level in (1..geometry.levels).rev() {
            // An empty level owes nothing and asks for no check; its
            // progress record is brought up to date when it next holds
            // nodes (the group only grows). Read per level: moving nodes
            // down fills the levels below.
            if self.inner().occupied_levels & (1 << level) == 0 {
                continue;
            }
            let Some(width) = geometry.slot_width(level) else {
                continue;
            };
            let inner = self.inner();
            let elapsed = inner.elapsed;
            let next_group = geometry.group(elapsed, level) + 1;
            let Some(next_start) = next_group.checked_mul(width) else {
                continue;
            };
            let location = Location {
                level,
                slot: (next_group & (geometry.slots_per_level() as u64 - 1)) as u32,
            };
            let index = geometry.slot_index(location);
            let ahead = &mut inner.ahead[level as usize];
            if ahead.group != next_group {
                *ahead = CascadeAhead {
                    group: next_group,
                    moved: 0,
                };
            }
            // The slot after the job's comes down next: its cascade ahead
            // begins a slot width before its start.
            let after_job = geometry.rotate(
                inner.occupied[level as usize],
                geometry.cursor(elapsed, level),
            ) & !0b11;
            if after_job != 0 {
                let next_job_start = (next_group + u64::from(after_job.trailing_zeros()) - 1)
                    .saturating_mul(width)
                    .saturating_sub(width);
                maintenance = maintenance.min(next_job_start.max(elapsed + 1));
            }
            let mut len = inner.slots[index].len;
            if len == 0 {
                continue;
            }
            let total = ahead.moved + len;
            // Ticks left before the slot's start, not counting this one.
            let ticks_left = next_start - 1 - elapsed;
            let keep = share(total, ticks_left, width);
            // At most the budget per level per call, even when checks fell
            // behind the schedule: the rest waits for the next check, asked
            // for at once, so that due timers fire in between.
            let mut budget = geometry.cascade_budget;
            while len > keep && budget > 0 {
                let node = self.inner().pop_head(geometry, location);
                self.move_down(node);
                moved_any = true;
                len -= 1;
                budget -= 1;
                self.inner().ahead[level as usize].moved += 1;
            }
            if len == 0 {
                continue;
            }
            if len > keep {
                maintenance = maintenance.min(elapsed + 1);
                continue;
            }
            // The latest tick by which at most the budget will be owed:
            // the next call must come by then.
            let due_by = if len <= geometry.cascade_budget {
                next_start - 1
            } else {
                let owed = (len - geometry.cascade_budget) as u128 * u128::from(width);
                let ticks = owed.div_ceil(total as u128);
                next_start - 1 - u64::try_from(ticks).unwrap_or(u64::MAX).min(next_start - 1)
            };
            maintenance = maintenance.min(due_by.max(elapsed + 1));
        }
        let maintenance_when = if maintenance == u64::MAX {
            0
        } else {
            geometry.tick_to_deadline(maintenance)
        };
        // Relaxed: a hint for when to come back; a reader that sees it late
        // only checks later, and no data rides on it. Only holders of the
        // stripe lock write it, so the load reads the latest value; storing
        // only a change keeps the line in the arming threads' caches.
        if self.stripe.maintenance_when.load(Ordering::Relaxed) != maintenance_when {
            self.stripe
                .maintenance_when
                .store(maintenance_when, Ordering::Relaxed);
        }
        moved_any
    }

    /// Lowers the stripe's maintenance time to `when` (a sweep pass that
    /// goes on after this check).
    pub(crate) fn request_check_by(&mut self, when: i64) {
        // Relaxed: as in `cascade_ahead`; only holders of the stripe lock
        // write it, so the load reads the latest value.
        let current = self.stripe.maintenance_when.load(Ordering::Relaxed);
        if current == 0 || when < current {
            self.stripe.maintenance_when.store(when, Ordering::Relaxed);
        }
    }

    /// Re-files the node `node`, just unlinked from a slot that has come
    /// due or is cascading ahead, where it belongs now: a clean node by one
    /// CAS of its word, without its lock; a marked or locked one under its
    /// lock, removed if a zombie and filed under its new deadline if
    /// modified.
    fn move_down(&mut self, node: *mut Node) {
        let geometry = self.geometry();
        // SAFETY: filed nodes are valid.
        let node_ref = unsafe { &*node };
        // Relaxed: a clean word lets us move the node without its lock by a
        // CAS, which fails if the word changed since; anything else takes
        // the lock.
        let word = node_ref.load_word(Ordering::Relaxed);
        if word & (MODIFIED | ZOMBIE | LOCKED) == 0 {
            // SAFETY: stripe lock held.
            let filed_when = unsafe { node_ref.filed_when() };
            let inner = self.inner();
            let location =
                geometry.location_for(inner.elapsed, geometry.deadline_to_tick(filed_when));
            if node_ref.try_relocate_unlocked(word, location) {
                inner.link(geometry, location, node, filed_when);
                return;
            }
        }
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
            self.settle(guard, Location { level: 0, slot });
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
