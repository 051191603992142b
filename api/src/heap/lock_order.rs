//! The heap's lock order, written once and asserted in debug builds.
//!
//! Order: **shard, then timer**. A thread may hold at most one shard lock and
//! at most one timer lock, and must take the shard lock first:
//!
//! * `adjust`, `clean_head`, `run` and `verify` hold a shard and lock the
//!   timers in it one at a time;
//! * `modify` and `stop` hold only the timer; `modify` releases it before
//!   `maybe_add` takes a shard and then the timer again (Go's
//!   `timer.maybeAdd` explains why it must not keep it).
//!
//! Every shard and timer lock and unlock in the heap goes through
//! [`ShardLockToken`] and [`TimerLockToken`]; in debug builds they count the
//! locks the thread holds and panic on an acquisition out of order. In
//! release builds they are zero-sized and do nothing.
//!
//! A registry's lock (see `registry`) is a leaf outside this order: it may
//! be taken with a shard and a timer lock held, since a timer can be
//! dropped anywhere, and nothing is locked while it is held, which its
//! module keeps to by construction (it has no token).

#[cfg(debug_assertions)]
use std::cell::Cell;

#[cfg(debug_assertions)]
thread_local! {
    static SHARDS_HELD: Cell<u32> = const { Cell::new(0) };
    static TIMERS_HELD: Cell<u32> = const { Cell::new(0) };
}

/// Proof, in debug builds, that this thread registered holding a shard lock.
/// Dropping it unregisters.
pub(crate) struct ShardLockToken(());

impl ShardLockToken {
    /// Registers a shard lock about to be taken.
    ///
    /// Panics in debug builds if the thread already holds a shard or a timer.
    #[inline]
    pub(crate) fn acquire() -> ShardLockToken {
        #[cfg(debug_assertions)]
        {
            let timers = TIMERS_HELD.with(Cell::get);
            let shards = SHARDS_HELD.with(Cell::get);
            assert!(
                timers == 0 && shards == 0,
                "gowheel heap: lock order violated: shard lock taken while holding \
                 {shards} shard and {timers} timer locks (order is shard, then timer)"
            );
            SHARDS_HELD.with(|held| held.set(1));
        }
        ShardLockToken(())
    }
}

impl Drop for ShardLockToken {
    #[inline]
    fn drop(&mut self) {
        #[cfg(debug_assertions)]
        SHARDS_HELD.with(|held| held.set(held.get() - 1));
    }
}

/// Proof, in debug builds, that this thread registered holding a timer lock.
/// Dropping it unregisters.
pub(crate) struct TimerLockToken(());

impl TimerLockToken {
    /// Registers a timer lock about to be taken.
    ///
    /// Panics in debug builds if the thread already holds a timer lock.
    #[inline]
    pub(crate) fn acquire() -> TimerLockToken {
        #[cfg(debug_assertions)]
        {
            let timers = TIMERS_HELD.with(Cell::get);
            assert!(
                timers == 0,
                "gowheel heap: lock order violated: a second timer lock taken \
                 (at most one timer is locked at a time)"
            );
            TIMERS_HELD.with(|held| held.set(1));
        }
        TimerLockToken(())
    }
}

impl Drop for TimerLockToken {
    #[inline]
    fn drop(&mut self) {
        #[cfg(debug_assertions)]
        TIMERS_HELD.with(|held| held.set(held.get() - 1));
    }
}

#[cfg(all(test, debug_assertions))]
mod tests {
    use super::*;

    #[test]
    fn shard_then_timer_is_allowed() {
        let shard = ShardLockToken::acquire();
        let timer = TimerLockToken::acquire();
        drop(timer);
        drop(shard);
    }

    #[test]
    #[should_panic(expected = "shard lock taken while holding 0 shard and 1 timer locks")]
    fn timer_then_shard_panics() {
        let _timer = TimerLockToken::acquire();
        let _shard = ShardLockToken::acquire();
    }

    #[test]
    #[should_panic(expected = "a second timer lock taken")]
    fn two_timers_panic() {
        let _first = TimerLockToken::acquire();
        let _second = TimerLockToken::acquire();
    }
}
