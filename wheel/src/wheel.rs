//! The public wheel: stripes, handles, and Go's operations on them.
//!
//! A timer lives in the stripe of the thread that created it (as a Go timer
//! lives in the heap of the P that armed it) for its whole life, so threads
//! that work on their own timers never contend. The operations and what
//! they lock:
//!
//! | operation | locks |
//! | --- | --- |
//! | `new_timer` | its stripe (to take a node from the slab) |
//! | `modify`/`reset` of a filed timer | the node only: lazy, O(1) |
//! | `modify`/`reset` of an unfiled timer | its stripe, then the node: files it, O(1) |
//! | `stop` | the node only; O(1) |
//! | handle drop | the node; the stripe too if the node is unfiled |
//! | `check` | one stripe at a time, nodes one at a time |
//!
//! `stop` leaves the node in its slot as a zombie; once zombies exceed a
//! quarter of a stripe's filed nodes, a sweep pass begins (Go's forced
//! adjust, a bounded share at a time) and ends within a quarter more
//! operations, so zombies stay under about half of what is filed (as many
//! as the live timers). Dropping a
//! handle does not stop its timer (as in Go); the node is recycled once the
//! timer is out of the wheel.

use std::fmt;
use std::ptr::NonNull;

use crate::config::{ConfigError, WheelConfig};
use crate::node::{FILED, HANDLE_DROPPED, HandleDrop, MODIFIED, Node, NodeGuard, ZOMBIE};
use crate::slab::NodeSlab;
use crate::stripe::{LockedStripe, Stripe};
use crate::sync::Arc;
use crate::sync::atomic::Ordering;
use crate::{Callback, MAX_WHEN, foreign_timer, thread_position, validate_modify_args};

/// The most sweep shares one check does a stripe, each under its own hold
/// of the stripe lock: 4, so that with the default budget a pass over up
/// to 1,024 slab places ends within one check, and no check spends more
/// than about a tenth of a millisecond sweeping a stripe (timers that come
/// due meanwhile wait for the check to end; a longer pass goes on
/// `SWEEP_INTERVAL` later).
const SWEEP_SHARES_PER_CHECK: usize = 4;

/// How soon a check asks to be called back while a sweep pass of stopped
/// timers is still under way: 50 µs.
const SWEEP_INTERVAL: i64 = 50_000;

/// Gives every wheel a distinct identity, so that a timer used with a wheel
/// other than its own is caught.
static NEXT_WHEEL_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A lock-striped hierarchical hashed timing wheel with Go's timer
/// operations and answers.
///
/// Start, stop and reset are O(1); moving a timer later only marks it, and
/// the wheel re-files it when its old slot comes due. Every operation takes
/// `&self` and may run on any thread.
///
/// ```
/// use gowheel_wheel::{TimingWheel, WheelConfig, callback};
/// use std::sync::{Arc, Mutex};
///
/// let wheel = TimingWheel::new(WheelConfig::default());
/// let fired = Arc::new(Mutex::new(Vec::new()));
/// let log = fired.clone();
/// let timer = wheel.new_timer(callback(move |seq, delay| log.lock().unwrap().push((seq, delay))));
///
/// assert!(!wheel.modify(&timer, 1_000, 0, None, 0)); // armed at t=1000
/// assert!(wheel.reset(&timer, 5_000, 0)); // pushed back: was pending
/// assert_eq!(wheel.check(4_999), 5_000);
/// wheel.check(5_010);
/// assert_eq!(*fired.lock().unwrap(), vec![(0, 10)]);
/// ```
pub struct TimingWheel {
    id: u64,
    config: WheelConfig,
    stripes: Box<[Arc<Stripe>]>,
}

/// A timer of a [`TimingWheel`]: one word, the address of its 64-byte node.
///
/// Dropping the handle does not stop a pending timer; it still fires, and
/// its node is reclaimed once it is out of the wheel.
///
/// ```
/// use gowheel_wheel::{TimingWheel, WheelConfig, callback};
/// let wheel = TimingWheel::new(WheelConfig::default());
/// let timer = wheel.new_timer(callback(|_, _| {}));
/// wheel.reset(&timer, 10, 0);
/// assert!(wheel.stop(&timer));
/// assert_eq!(std::mem::size_of_val(&timer), std::mem::size_of::<usize>());
/// ```
pub struct WheelTimer {
    /// The node, in a chunk of its stripe's slab, whose header names the
    /// stripe; both live while the node is handed out to this handle (see
    /// `Stripe`'s lifetime).
    node: NonNull<Node>,
}

// A handle is one word: the stripe is found from the node's chunk.
const _: () = assert!(std::mem::size_of::<WheelTimer>() == std::mem::size_of::<usize>());
const _: () = assert!(std::mem::size_of::<Option<WheelTimer>>() == std::mem::size_of::<usize>());

// SAFETY: the handle is a pointer into its stripe's slab, which stays
// alive with the stripe while the handle does; every access to the
// node goes through the node lock or the stripe lock, so handles may move
// and be shared between threads.
unsafe impl Send for WheelTimer {}
// SAFETY: as for Send: `&WheelTimer` only reaches the node through its locks.
unsafe impl Sync for WheelTimer {}

/// What a [`TimingWheel`] holds now.
///
/// ```
/// use gowheel_wheel::{TimingWheel, WheelConfig, callback};
/// let wheel = TimingWheel::new(WheelConfig::default().stripes(1));
/// let timer = wheel.new_timer(callback(|_, _| {}));
/// wheel.reset(&timer, 100, 0);
/// let stats = wheel.stats();
/// assert_eq!((stats.filed, stats.zombies), (1, 0));
/// assert_eq!(stats.timers, 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WheelStats {
    /// Timers filed in slots, zombies included.
    pub filed: usize,
    /// Filed timers that were stopped and wait to be removed.
    pub zombies: usize,
    /// Timer nodes in use: filed, or held by a handle.
    pub timers: usize,
    /// Bytes of node storage held by the slabs, free nodes included.
    pub node_bytes: usize,
}

/// What arming a timer did, for whoever drives the wheel: returned by
/// [`TimingWheel::start_timer_reporting`] and
/// [`TimingWheel::modify_reporting`].
///
/// A driver sleeps until the wheel's
/// [`next_check_time`](TimingWheel::next_check_time) and must be woken when
/// an arming makes that time earlier. An arming that reports
/// `next_check_may_be_earlier == false` changed none of the times the wheel
/// publishes, so a driver sleeping towards a time it read before (or reads
/// after) still checks in time, and the arming thread can skip telling it.
///
/// ```
/// use gowheel_wheel::{TimingWheel, callback};
/// let wheel = TimingWheel::default();
/// let (timer, armed) = wheel.start_timer_reporting(callback(|_, _| {}), 1_000, 0);
/// if armed.next_check_may_be_earlier {
///     // wake the driver if it sleeps past wheel.next_check_time()
/// }
/// assert!(!armed.was_pending);
/// # drop(timer);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Armed {
    /// Whether the timer was pending before the call (what
    /// [`modify`](TimingWheel::modify) returns; false for a new timer).
    pub was_pending: bool,
    /// Whether the call may have made the wheel's next check time earlier:
    /// it lowered a stripe's minimum, bound or maintenance time, or did
    /// maintenance work that may have. When false, it lowered none of them.
    pub next_check_may_be_earlier: bool,
}

impl fmt::Debug for TimingWheel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimingWheel")
            .field("config", &self.config)
            .field("stats", &self.stats())
            .finish()
    }
}

impl fmt::Debug for WheelTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = self.node().load_word(Ordering::Relaxed);
        f.debug_struct("WheelTimer")
            .field("filed", &(word & FILED != 0))
            .field("zombie", &(word & ZOMBIE != 0))
            .finish_non_exhaustive()
    }
}

impl Default for TimingWheel {
    /// A wheel with the default configuration.
    fn default() -> TimingWheel {
        TimingWheel::new(WheelConfig::default())
    }
}

impl WheelTimer {
    /// A number that identifies this timer among the live timers of every
    /// wheel for as long as this handle lives: the address of its node,
    /// which is recycled only once the handle is gone.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// let a = wheel.new_timer(callback(|_, _| {}));
    /// let b = wheel.new_timer(callback(|_, _| {}));
    /// assert_ne!(a.identity(), b.identity());
    /// ```
    #[inline]
    pub fn identity(&self) -> usize {
        self.node.as_ptr() as usize
    }

    #[inline]
    fn node(&self) -> &Node {
        // SAFETY: the node lives in its stripe's slab, which stays alive
        // while the node is handed out, and is recycled only after the
        // handle drops.
        unsafe { self.node.as_ref() }
    }

    #[inline]
    fn stripe(&self) -> &Stripe {
        // SAFETY: the node is handed out to this handle until its drop
        // recycles it, so its chunk is allocated and the header names the
        // stripe it was allocated from (`LockedStripe::allocate`). A stripe
        // lives while a node of its slab is handed out (see `Stripe`). The
        // drop reads the stripe before it gives the node back, and uses it
        // after only through its lock, which the stripe's freeing would
        // need first.
        unsafe { &*NodeSlab::owner_of(self.node.as_ptr()) }
    }
}

impl Drop for WheelTimer {
    fn drop(&mut self) {
        // One CAS if the node is unlocked: FILED is read in the same atomic
        // step that sets HANDLE_DROPPED, so exactly one of this drop and
        // the stripe's unfiling recycles the node. A filed node is then the
        // stripe's to recycle, and this drop touches nothing more.
        match self.node().try_drop_handle() {
            HandleDrop::LeftToStripe => return,
            HandleDrop::Unfiled(guard) => {
                self.return_unfiled(guard);
                return;
            }
            HandleDrop::Busy => {}
        }
        // The node is locked by another thread. Take the stripe lock first
        // (the lock order is stripe, then node), and keep it until this
        // thread is done with the node: unlocking it may still wake its
        // waiters, and without the stripe lock a concurrent drop of the
        // wheel could recycle the node and free the stripe, with its
        // memory, in between (see `Stripe`'s lifetime).
        let stripe = self.stripe().lock();
        let guard = self.node().lock();
        guard.set_bits(HANDLE_DROPPED, Ordering::Relaxed);
        let filed = guard.state() & FILED != 0;
        drop(guard);
        if !filed {
            self.recycle_unfiled(stripe);
        }
    }
}

impl WheelTimer {
    /// Returns this handle's unfiled node to its stripe as the handle goes,
    /// without the stripe lock: clears it under the node lock `guard`,
    /// which the drop (or `stop_and_drop`) took, and pushes it onto the
    /// stripe's stack of returned nodes (see `stripe/returned.rs`). If the wheel is gone, the
    /// stack is closed, and the node goes back under the stripe lock, which
    /// frees the stripe if it was the last node handed out.
    fn return_unfiled(&self, guard: NodeGuard<'_>) {
        let stripe = self.stripe();
        let node = self.node.as_ptr();
        // SAFETY: the node is handed out to this handle, so its chunk is
        // allocated.
        let index = unsafe { NodeSlab::index_of(node) };
        // SAFETY: the node is unfiled, and the handle goes with the caller,
        // which took the lock.
        let callback = unsafe { guard.unlock_freed() };
        // SAFETY: unfiled, cleared, unlocked, and the handle is going, so
        // only this thread can reach the node; it is handed out by this
        // stripe's slab until the push succeeds. After that, neither the
        // node nor the stripe is touched again.
        let closed = unsafe { stripe.returned.push(&*node, index) }.is_err();
        let orphan = if closed {
            let mut locked = stripe.lock();
            // SAFETY: as for the push, which did not take the node.
            let orphan = unsafe { locked.put_back_returned(node) };
            drop(locked);
            orphan
        } else {
            None
        };
        // The callback is user code, dropped with no lock held and before
        // the stripe (if this freed it): the callback may use timers.
        drop(callback);
        drop(orphan);
    }

    /// Recycles this handle's node, unfiled, as the handle goes; `stripe`
    /// is its stripe, locked. If that was the last node of a stripe whose
    /// wheel is gone, the stripe is freed once unlocked.
    fn recycle_unfiled(&self, mut stripe: LockedStripe<'_>) {
        // Nothing else can reach an unfiled node once its handle is gone
        // (only the handle files it), so it is recycled now. A filed node
        // is recycled by the stripe when it unfiles it, having seen
        // HANDLE_DROPPED under the node lock.
        //
        // SAFETY: from this stripe's slab, whose lock is held; unfiled; the
        // handle is being dropped, after every use of it, and this thread
        // set HANDLE_DROPPED (by an acquire-release CAS or under the node
        // lock, released before), so nothing can reach the node any more
        // (see `Node::recycle_unlocked`).
        let callback = unsafe { stripe.release(self.node.as_ptr()) };
        let orphan = stripe.take_orphan_if_unused();
        // Unlock; then drop the callback (user code, which may use timers,
        // so never under the lock, and while the stripe still lives); then
        // (maybe) free the stripe: nothing touches it after.
        drop(stripe);
        drop(callback);
        drop(orphan);
    }
}

impl TimingWheel {
    /// A wheel of the given shape.
    ///
    /// # Panics
    ///
    /// If the configuration is invalid; [`try_new`](Self::try_new) returns
    /// the error instead.
    ///
    /// ```
    /// let wheel = gowheel_wheel::TimingWheel::new(gowheel_wheel::WheelConfig::default());
    /// assert_eq!(wheel.wake_time(), 0);
    /// ```
    pub fn new(config: WheelConfig) -> TimingWheel {
        match TimingWheel::try_new(config) {
            Ok(wheel) => wheel,
            Err(error) => panic!("gowheel: {error}"),
        }
    }

    /// A wheel of the given shape, or why the shape is invalid.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, WheelConfig};
    /// assert!(TimingWheel::try_new(WheelConfig::default().stripes(0)).is_err());
    /// ```
    pub fn try_new(config: WheelConfig) -> Result<TimingWheel, ConfigError> {
        config.validate()?;
        // Relaxed: only uniqueness matters, which the RMW gives.
        let id = NEXT_WHEEL_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let geometry = config.geometry();
        Ok(TimingWheel {
            id,
            config,
            stripes: (0..config.stripes)
                .map(|_| Arc::new(Stripe::new(id, geometry)))
                .collect(),
        })
    }

    /// The wheel's configuration.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, WheelConfig};
    /// let wheel = TimingWheel::new(WheelConfig::default().stripes(3));
    /// assert_eq!(wheel.config().stripe_count(), 3);
    /// ```
    pub fn config(&self) -> &WheelConfig {
        &self.config
    }

    /// Makes a new, unarmed timer with its callback, in the calling thread's
    /// stripe, or another whose lock is free (see
    /// [`start_timer`](Self::start_timer)). Its `seq` starts at 0.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// let timer = wheel.new_timer(callback(|_, _| {}));
    /// assert!(!wheel.stop(&timer));
    /// ```
    pub fn new_timer(&self, callback: Callback) -> WheelTimer {
        let mut locked = self.lock_stripe_for_new_timer();
        let node = {
            let node = locked.allocate();
            // SAFETY: a freshly allocated node is valid and has no handle
            // yet; the only code that visits slab nodes without one
            // (`clear`) holds the stripe lock, which we still hold.
            unsafe { (*node).init_unfiled(callback) };
            node
        };
        drop(locked);
        WheelTimer {
            // SAFETY: slab nodes are never null.
            node: unsafe { NonNull::new_unchecked(node) },
        }
    }

    /// Makes a new timer armed at `when`, then every `period` ns if
    /// `period > 0` (Go's `newTimer`): the same as [`new_timer`] followed by
    /// [`modify`], under a single stripe lock.
    ///
    /// A new timer may live in any stripe, so it goes to the calling
    /// thread's own unless another thread holds that one's lock (the driver
    /// firing or cascading there, say), then to the first stripe whose lock
    /// is free, and waits for its own only if every lock is taken. So a
    /// start never waits behind a check's work on one stripe.
    ///
    /// # Panics
    ///
    /// If `when <= 0` or `period < 0`, naming the value.
    ///
    /// [`new_timer`]: Self::new_timer
    /// [`modify`]: Self::modify
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// let timer = wheel.start_timer(callback(|_, _| {}), 100, 0);
    /// assert_eq!(wheel.wake_time(), 100);
    /// assert!(wheel.stop(&timer));
    /// ```
    pub fn start_timer(&self, callback: Callback, when: i64, period: i64) -> WheelTimer {
        self.start_timer_reporting(callback, when, period).0
    }

    /// [`start_timer`](Self::start_timer), also telling whoever drives the
    /// wheel whether it may have to check sooner (see [`Armed`]).
    ///
    /// # Panics
    ///
    /// As [`start_timer`](Self::start_timer).
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, WheelConfig, callback};
    /// let wheel = TimingWheel::new(WheelConfig::default().stripes(1));
    /// let (first, armed) = wheel.start_timer_reporting(callback(|_, _| {}), 100, 0);
    /// assert!(armed.next_check_may_be_earlier); // the wheel was empty
    /// let (later, armed) = wheel.start_timer_reporting(callback(|_, _| {}), 150, 0);
    /// assert!(!armed.next_check_may_be_earlier); // 100 still comes first
    /// # drop((first, later));
    /// ```
    pub fn start_timer_reporting(
        &self,
        callback: Callback,
        when: i64,
        period: i64,
    ) -> (WheelTimer, Armed) {
        validate_modify_args(when, period);
        let mut locked = self.lock_stripe_for_new_timer();
        let node = locked.allocate();
        // SAFETY: just allocated from this stripe; no handle exists yet.
        let mut lowered = unsafe { locked.start(node, callback, when, period) };
        if locked.stripe.sweep_turn() {
            // Re-filing may lower the maintenance time.
            locked.sweep_share();
            lowered = true;
        }
        drop(locked);
        let timer = WheelTimer {
            // SAFETY: slab nodes are never null.
            node: unsafe { NonNull::new_unchecked(node) },
        };
        let armed = Armed {
            was_pending: false,
            // Under the mutant that the handshake's loom model must catch,
            // a new timer is reported as never making the next check
            // earlier.
            next_check_may_be_earlier: lowered && !cfg!(gowheel_broken_arming_report),
        };
        (timer, armed)
    }

    /// The stripe a new timer goes to, locked: the calling thread's own if
    /// its lock is free, else the first other one whose lock is free, else
    /// the calling thread's own once its lock is free.
    #[inline]
    fn lock_stripe_for_new_timer(&self) -> LockedStripe<'_> {
        let count = self.stripes.len();
        let home = thread_position(count);
        for offset in 0..count {
            // `home + offset` wrapped around without a second division.
            let index = home + offset;
            let stripe = &self.stripes[if index >= count { index - count } else { index }];
            if !stripe.check_waiting()
                && let Some(locked) = stripe.try_lock()
            {
                return locked;
            }
        }
        self.stripes[home].lock()
    }

    /// The stripe `timer` lives in; panics if `timer` belongs to another
    /// wheel.
    fn stripe_of<'t>(&self, timer: &'t WheelTimer) -> &'t Stripe {
        let stripe = timer.stripe();
        if stripe.wheel_id != self.id {
            foreign_timer();
        }
        stripe
    }

    /// Arms `timer` at `when`, then every `period` ns if `period > 0`,
    /// replacing its callback and `seq` if `callback` is `Some` (Go's
    /// `t.modify`). Returns whether the timer was pending.
    ///
    /// Moving a filed timer later only records the new deadline under the
    /// timer's lock; moving it earlier also lists it on its stripe and
    /// lowers the stripe's bound, in that order (the state-before-min-update
    /// rule). All of it is O(1).
    ///
    /// # Panics
    ///
    /// If `when <= 0` or `period < 0` (naming the value), or if `timer`
    /// belongs to another wheel.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// let timer = wheel.new_timer(callback(|_, _| {}));
    /// assert!(!wheel.modify(&timer, 100, 0, None, 0));
    /// assert!(wheel.modify(&timer, 50, 0, Some(callback(|_, _| {})), 7));
    /// assert!(wheel.wake_time() <= 50);
    /// ```
    pub fn modify(
        &self,
        timer: &WheelTimer,
        when: i64,
        period: i64,
        callback: Option<Callback>,
        seq: u64,
    ) -> bool {
        self.modify_reporting(timer, when, period, callback, seq)
            .was_pending
    }

    /// [`modify`](Self::modify), also telling whoever drives the wheel
    /// whether it may have to check sooner (see [`Armed`]). Moving a filed
    /// timer later never does: the timer stays where it is filed, which
    /// the wheel's next check time already covers.
    ///
    /// # Panics
    ///
    /// As [`modify`](Self::modify).
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// let timer = wheel.start_timer(callback(|_, _| {}), 100, 0);
    /// let armed = wheel.modify_reporting(&timer, 500, 0, None, 0);
    /// assert!(armed.was_pending && !armed.next_check_may_be_earlier);
    /// let armed = wheel.modify_reporting(&timer, 50, 0, None, 0);
    /// assert!(armed.was_pending && armed.next_check_may_be_earlier);
    /// ```
    pub fn modify_reporting(
        &self,
        timer: &WheelTimer,
        when: i64,
        period: i64,
        callback: Option<Callback>,
        seq: u64,
    ) -> Armed {
        validate_modify_args(when, period);
        let stripe = self.stripe_of(timer);
        let node = timer.node();
        // A filed timer is re-armed under its own lock alone. Relaxed: a
        // guess, confirmed under the lock.
        if node.load_word(Ordering::Relaxed) & FILED != 0 {
            let guard = node.lock();
            if guard.state() & FILED != 0 {
                let filed = modify_filed(stripe, &guard, when, period, callback, seq);
                guard.unlock_setting(filed.unlock_bits);
                if filed.drain {
                    stripe.lock().adjust();
                }
                drop(filed.old_callback);
                return Armed {
                    was_pending: filed.pending,
                    next_check_may_be_earlier: filed.moved_earlier,
                };
            }
        }
        // Not filed: take the stripe, then the node (the lock order), and
        // file it.
        let mut locked = stripe.lock();
        let guard = node.lock();
        let (pending, old_callback, mut lowered, drain) = if guard.state() & FILED != 0 {
            // Another thread filed it meanwhile.
            let filed = modify_filed(stripe, &guard, when, period, callback, seq);
            guard.unlock_setting(filed.unlock_bits);
            (
                filed.pending,
                filed.old_callback,
                filed.moved_earlier,
                filed.drain,
            )
        } else {
            let pending = guard.when() > 0;
            let old_callback = set_arguments(&guard, period, callback, seq);
            guard.set_when(when);
            let lowered = locked.file_new(&guard, when);
            drop(guard);
            (pending, old_callback, lowered, false)
        };
        if locked.stripe.sweep_turn() {
            // Re-filing may lower the maintenance time.
            locked.sweep_share();
            lowered = true;
        } else if drain {
            locked.adjust();
        }
        drop(locked);
        drop(old_callback);
        Armed {
            was_pending: pending,
            next_check_may_be_earlier: lowered,
        }
    }

    /// Re-arms `timer` keeping its callback and `seq` (Go's `t.reset`).
    ///
    /// # Panics
    ///
    /// As [`modify`](Self::modify).
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// let timer = wheel.new_timer(callback(|_, _| {}));
    /// assert!(!wheel.reset(&timer, 10, 0));
    /// assert!(wheel.reset(&timer, 20, 0));
    /// ```
    pub fn reset(&self, timer: &WheelTimer, when: i64, period: i64) -> bool {
        self.modify(timer, when, period, None, 0)
    }

    /// Disarms `timer` (Go's `t.stop`); true iff this call stopped a pending
    /// timer. O(1): the node leaves its slot at once if its stripe's lock is
    /// free, and otherwise stays there as a zombie for a later sweep.
    ///
    /// # Panics
    ///
    /// If `timer` belongs to another wheel.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// let timer = wheel.new_timer(callback(|_, _| {}));
    /// wheel.reset(&timer, 10, 0);
    /// assert!(wheel.stop(&timer));
    /// assert!(!wheel.stop(&timer));
    /// ```
    pub fn stop(&self, timer: &WheelTimer) -> bool {
        let stripe = self.stripe_of(timer);
        self.stop_locked(stripe, timer.node().lock(), None)
    }

    /// Stops `timer` and drops its handle in one step: the answer of
    /// [`stop`](Self::stop), and the same end state as a `stop` followed by
    /// dropping the handle, for less work. The node lock the stop takes
    /// also serves to let go of the node, which a separate drop would lock
    /// again; a node the stop unlinks is kept for the stripe's next new
    /// timer under the stripe lock the unlink already holds.
    ///
    /// # Panics
    ///
    /// If `timer` belongs to another wheel.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// let timer = wheel.new_timer(callback(|_, _| {}));
    /// wheel.reset(&timer, 10, 0);
    /// assert!(wheel.stop_and_drop(timer));
    /// assert_eq!(wheel.stats().timers, 0);
    /// ```
    pub fn stop_and_drop(&self, timer: WheelTimer) -> bool {
        // A foreign timer panics here, its handle dropped as usual.
        self.stripe_of(&timer);
        // Its drop's work is done by the stop, under the node lock.
        let timer = std::mem::ManuallyDrop::new(timer);
        // The wheel lives (`&self`), so its stripe does, past the handle.
        let stripe = timer.stripe();
        self.stop_locked(stripe, timer.node().lock(), Some(&*timer))
    }

    /// [`stop`](Self::stop) with the node lock `guard` of a timer of
    /// `stripe` held. With `dropping`, the timer's handle goes too, and the
    /// node is let go of here: returned at once if unfiled, kept for the
    /// stripe's next new timer if unlinked, or left filed with
    /// `HANDLE_DROPPED` for the stripe to recycle.
    #[inline(always)]
    fn stop_locked(
        &self,
        stripe: &Stripe,
        guard: NodeGuard<'_>,
        dropping: Option<&WheelTimer>,
    ) -> bool {
        let pending = guard.when() > 0;
        let state = guard.state();
        if let Some(timer) = dropping
            && state & FILED == 0
        {
            // What the handle's drop does with an unfiled node, the lock
            // already held.
            timer.return_unfiled(guard);
            return pending;
        }
        guard.set_when(0);
        if state & (FILED | ZOMBIE) == FILED
            && self.config.unlink_on_stop
            && !stripe.check_waiting()
        {
            // Filed: unlink it now if the stripe lock is free (O(1), and no
            // zombie for a sweep to find); a zombie otherwise. Only a try:
            // the lock order is stripe, then node. A node moved since it
            // was filed may be on the stripe's moved list; settling the
            // list skips a node that is no longer filed.
            if let Some(mut locked) = stripe.try_lock() {
                let callback = locked.remove_stopped(guard, dropping.is_some());
                // Unlock, then let go of a dropped handle's callback (user
                // code).
                drop(locked);
                drop(callback);
                return pending;
            }
        }
        // A node left filed with its handle gone is the stripe's to recycle
        // once it unfiles it; it is not touched after the unlock.
        let handle_gone = if dropping.is_some() {
            HANDLE_DROPPED
        } else {
            0
        };
        if state & FILED != 0 && state & ZOMBIE == 0 {
            stripe.add_zombie();
            // The stripe fires, moves or removes a node only under its lock
            // or after a CAS that ZOMBIE makes fail (otherwise it at most
            // leaves the node where it is), so the bit can wait for the
            // unlock, which publishes it.
            guard.unlock_setting(ZOMBIE | handle_gone);
        } else if handle_gone != 0 {
            guard.unlock_setting(handle_gone);
        } else {
            drop(guard);
        }
        if stripe.sweep_turn() {
            stripe.lock().sweep_share();
        }
        pending
    }

    /// Runs every timer due at `now`, in deadline order across all stripes,
    /// one at a time with no lock held while its callback runs (Go's
    /// `ts.check`); purges stripes with too many zombies; returns the time
    /// the wheel next needs a check for a timer, or 0 if it holds no timers
    /// (the wake time, as Go answers). A `now` of [`MAX_WHEN`] or later
    /// counts as one nanosecond short of it, the deadline never reached.
    /// A driver that also checks by
    /// [`maintenance_time`](Self::maintenance_time) keeps every check's
    /// work bounded.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// let timer = wheel.new_timer(callback(|_, _| {}));
    /// wheel.reset(&timer, 10, 5);
    /// assert_eq!(wheel.check(12), 15);
    /// ```
    pub fn check(&self, now: i64) -> i64 {
        // `MAX_WHEN` is never reached: a check at it would otherwise run a
        // periodic timer saturated there again and again, forever.
        let now = now.min(MAX_WHEN - 1);
        loop {
            // The stripe with the earliest wake time runs up to the second
            // earliest, so that timers fire in deadline order overall.
            let mut earliest: Option<(usize, i64)> = None;
            let mut second = i64::MAX;
            for (index, stripe) in self.stripes.iter().enumerate() {
                let wake = stripe.wake_time();
                if wake == 0 {
                    continue;
                }
                match earliest {
                    Some((_, best)) if wake >= best => second = second.min(wake),
                    _ => {
                        if let Some((_, best)) = earliest {
                            second = second.min(best);
                        }
                        earliest = Some((index, wake));
                    }
                }
            }
            let Some((index, wake)) = earliest else {
                break;
            };
            if wake > now {
                break;
            }
            self.stripes[index]
                .lock_for_check()
                .process(now, now.min(second));
        }
        // Stripes whose cascade ahead owes a share of its slot: every due
        // timer has run, so each may advance to `now` and move that share,
        // which keeps each check's share bounded.
        for stripe in self.stripes.iter() {
            let maintenance = stripe.maintenance_time();
            if maintenance != 0 && maintenance <= now {
                stripe.lock_for_check().process(now, now);
            }
        }
        // As in Go, zombies are purged after running timers: firing one-shot
        // timers shrinks `filed`, which can push the zombie share over the
        // line. Share by share, with the lock released between shares, up
        // to `SWEEP_SHARES_PER_CHECK` a stripe (so a pass over a slab of up
        // to that many shares ends within the check, as Go's forced adjust
        // does); a longer pass asks, through the maintenance time, for a
        // check within `SWEEP_INTERVAL` to go on.
        for stripe in self.stripes.iter() {
            for share in 0..SWEEP_SHARES_PER_CHECK {
                if !stripe.wants_sweep() {
                    break;
                }
                let mut locked = stripe.lock_for_check();
                if !locked.sweep_pending() || locked.sweep_share() == 0 {
                    break;
                }
                if share + 1 == SWEEP_SHARES_PER_CHECK && locked.sweep_pending() {
                    locked.request_check_by(now.saturating_add(SWEEP_INTERVAL));
                }
            }
        }
        self.wake_time()
    }

    /// The maintenance time (see [`maintenance_time`](Self::maintenance_time))
    /// of the stripe that holds `timer`: after starting or modifying
    /// `timer`, the earliest check that this operation may have asked for,
    /// read with one load. Whatever filed a node into another stripe asked
    /// there.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// // 20 s ahead: filed two levels up, to come down from 19.46 s on.
    /// let timer = wheel.start_timer(callback(|_, _| {}), 20_000_000_000, 0);
    /// let maintenance = wheel.maintenance_time_of(&timer);
    /// assert!(maintenance > 0 && maintenance < 20_000_000_000);
    /// assert_eq!(maintenance, wheel.maintenance_time());
    /// ```
    ///
    /// # Panics
    ///
    /// If `timer` belongs to another wheel.
    #[inline]
    pub fn maintenance_time_of(&self, timer: &WheelTimer) -> i64 {
        self.stripe_of(timer).maintenance_time()
    }

    /// The earliest time at which a check keeps the wheel's work bounded
    /// though no timer is due yet: when the cascade ahead of a higher-level
    /// slot owes its next share or begins, or when a sweep of stopped
    /// timers goes on. 0 if none. A driver that sleeps
    /// until the earlier of this and [`wake_time`](Self::wake_time) never
    /// finds a whole slot to bring down at once. Lock-free.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, WheelConfig, callback};
    /// let wheel = TimingWheel::new(WheelConfig::default().stripes(1));
    /// assert_eq!(wheel.maintenance_time(), 0);
    /// // 20 s ahead: filed two levels up, to come down from 19.46 s on.
    /// let timer = wheel.start_timer(callback(|_, _| {}), 20_000_000_000, 0);
    /// let maintenance = wheel.maintenance_time();
    /// assert!(maintenance > 0 && maintenance < 20_000_000_000);
    /// # drop(timer);
    /// ```
    pub fn maintenance_time(&self) -> i64 {
        self.earliest_over_stripes(Stripe::maintenance_time)
    }

    /// The time the wheel next needs a check, or 0 if it holds no timers:
    /// the minimum over stripes of their per-slot minimums and
    /// modified bounds. Never later than the earliest pending deadline;
    /// lock-free.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// let timer = wheel.new_timer(callback(|_, _| {}));
    /// wheel.reset(&timer, 1_234_567, 0);
    /// assert_eq!(wheel.wake_time(), 1_234_567); // exact, not a slot boundary
    /// ```
    pub fn wake_time(&self) -> i64 {
        self.earliest_over_stripes(Stripe::wake_time)
    }

    /// The earlier of [`wake_time`](Self::wake_time) and
    /// [`maintenance_time`](Self::maintenance_time) (0 if both are 0), read
    /// in one pass over the stripes: when a driver that keeps every check
    /// bounded must check next. Lock-free.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, WheelConfig, callback};
    /// let wheel = TimingWheel::new(WheelConfig::default().stripes(1));
    /// assert_eq!(wheel.next_check_time(), 0);
    /// let near = wheel.start_timer(callback(|_, _| {}), 5_000, 0);
    /// assert_eq!(wheel.next_check_time(), 5_000);
    /// // 20 s ahead: the cascade ahead asks for a check long before 20 s.
    /// let far = wheel.start_timer(callback(|_, _| {}), 20_000_000_000, 0);
    /// assert_eq!(wheel.next_check_time(), 5_000);
    /// drop(near);
    /// wheel.check(10_000);
    /// assert_eq!(wheel.next_check_time(), wheel.maintenance_time());
    /// assert!(wheel.next_check_time() < 20_000_000_000);
    /// # drop(far);
    /// ```
    pub fn next_check_time(&self) -> i64 {
        self.earliest_over_stripes(
            |stripe| match (stripe.wake_time(), stripe.maintenance_time()) {
                (0, maintenance) => maintenance,
                (wake, 0) => wake,
                (wake, maintenance) => wake.min(maintenance),
            },
        )
    }

    /// The least non-zero `time` of any stripe, or 0 if none has one.
    fn earliest_over_stripes(&self, time: impl Fn(&Stripe) -> i64) -> i64 {
        self.stripes
            .iter()
            .map(|stripe| time(stripe))
            .filter(|&when| when != 0)
            .min()
            .unwrap_or(0)
    }

    /// Checks every invariant of every stripe: slot membership against
    /// `elapsed`, exact slot minimums, bitmaps, counters, sortedness, and
    /// that the wake time is not later than any pending deadline (and is 0
    /// with nothing filed). Panics
    /// with a description of the first broken one. Call only when no other
    /// operation is in progress.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// let timer = wheel.new_timer(callback(|_, _| {}));
    /// wheel.reset(&timer, 99, 0);
    /// wheel.verify();
    /// ```
    pub fn verify(&self) {
        for (index, stripe) in self.stripes.iter().enumerate() {
            stripe.lock().verify(index);
        }
    }

    /// Counts of what the wheel holds now.
    ///
    /// ```
    /// use gowheel_wheel::TimingWheel;
    /// assert_eq!(TimingWheel::default().stats().filed, 0);
    /// ```
    pub fn stats(&self) -> WheelStats {
        self.stripes
            .iter()
            .fold(WheelStats::default(), |stats, stripe| {
                let (node_bytes, timers) = stripe.storage();
                WheelStats {
                    filed: stats.filed + stripe.filed(),
                    zombies: stats.zombies + stripe.zombies(),
                    timers: stats.timers + timers,
                    node_bytes: stats.node_bytes + node_bytes,
                }
            })
    }
}

impl TimingWheel {
    /// Disarms every timer and drops every callback, leaving the wheel
    /// empty. Handles stay valid: their timers are unarmed, with no
    /// callback until `modify` gives them one (a `reset` re-arms them to
    /// call nothing). Nodes whose handles are gone return to their slabs.
    ///
    /// ```
    /// use gowheel_wheel::{TimingWheel, callback};
    /// let wheel = TimingWheel::default();
    /// let timer = wheel.new_timer(callback(|_, _| {}));
    /// wheel.reset(&timer, 10, 0);
    /// wheel.clear();
    /// assert_eq!(wheel.stats().filed, 0);
    /// assert!(!wheel.stop(&timer));
    /// ```
    pub fn clear(&self) {
        for stripe in self.stripes.iter() {
            stripe.lock().clear();
        }
    }
}

impl Drop for TimingWheel {
    /// Clears the wheel. A stripe with no node handed out is freed with
    /// the wheel; the others with the last handle of their nodes (see
    /// `Stripe`).
    fn drop(&mut self) {
        // First every stripe keeps an `Arc` of itself (and takes nodes back
        // only under its lock from then on), before any user code runs: a
        // callback's destructor (dropped by `clear`) that panics then
        // leaves the stripes not yet cleared leaked, never freed under
        // handles that point at them, and freed with the last of them.
        for stripe in self.stripes.iter() {
            stripe.lock().keep_self(stripe);
        }
        for stripe in self.stripes.iter() {
            let mut locked = stripe.lock();
            locked.clear();
            let unused = locked.take_orphan_if_unused();
            // Unlock (which drops the cleared callbacks), then give back
            // the stripe's own `Arc` if no node is handed out; the wheel's
            // keeps it until the end of this drop.
            drop(locked);
            drop(unused);
        }
    }
}

/// Sets period, and callback and seq if a callback is given; returns the old
/// callback to drop after unlocking (its destructor is user code).
fn set_arguments(
    guard: &NodeGuard<'_>,
    period: i64,
    callback: Option<Callback>,
    seq: u64,
) -> Option<Callback> {
    guard.set_period(period);
    callback.and_then(|callback| {
        guard.set_seq(seq);
        guard.replace_callback(Some(callback))
    })
}

/// What [`modify_filed`] did.
struct FiledModify {
    /// Whether the timer was pending.
    pending: bool,
    /// The replaced callback, to drop after unlocking.
    old_callback: Option<Callback>,
    /// State bits to set when unlocking the node.
    unlock_bits: u32,
    /// Whether the timer moved earlier than where it is filed (so the
    /// stripe's bound was lowered).
    moved_earlier: bool,
    /// Whether the stripe's list of nodes moved earlier wants draining once
    /// the node is unlocked.
    drain: bool,
}

/// Go's `t.modify` for a filed timer: lazy.
fn modify_filed(
    stripe: &Stripe,
    guard: &NodeGuard<'_>,
    when: i64,
    period: i64,
    callback: Option<Callback>,
    seq: u64,
) -> FiledModify {
    let pending = guard.when() > 0;
    let old_callback = set_arguments(guard, period, callback, seq);
    guard.set_when(when);
    if guard.state() & ZOMBIE != 0 {
        // Stopped but still filed: re-armed, so no longer garbage.
        guard.clear_bits(ZOMBIE);
        stripe.remove_zombie();
    }
    let filed_when = guard.filed_when();
    let mut unlock_bits = 0;
    let mut drain = false;
    let moved_earlier = when < filed_when;
    if moved_earlier {
        // Earlier than where it sits: mark it and list it on the stripe for
        // the next adjust, which re-files it, then lower the stripe's bound
        // so that the wake time covers it.
        drain = stripe.record_moved_earlier(guard, when);
    } else if when != filed_when {
        // Later: just mark it, with the unlock; the slot comes due at or
        // before the old deadline and re-files it then. The stripe fires,
        // moves or removes a node only under its lock or after a CAS this
        // bit makes fail (otherwise it at most leaves the node where it
        // is), so the bit need not be published before the unlock.
        unlock_bits = MODIFIED;
    }
    FiledModify {
        pending,
        old_callback,
        unlock_bits,
        moved_earlier,
        drain,
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::{WheelConfig, callback};

    /// A callback's destructor is user code that may use timers, so every
    /// path that lets go of a callback drops it with the stripe unlocked:
    /// a handle dropped after a stop, one never armed, one dropped while
    /// armed (the stripe recycles the node as it fires), and a re-arming
    /// that replaces the callback.
    #[test]
    fn callbacks_are_dropped_with_the_stripe_unlocked() {
        /// Records, as it is dropped, whether the stripe was locked.
        struct LockProbe {
            stripe: Arc<Stripe>,
            dropped: Arc<std::sync::Mutex<Vec<bool>>>,
        }
        impl Drop for LockProbe {
            fn drop(&mut self) {
                self.dropped.lock().unwrap().push(self.stripe.is_locked());
            }
        }
        let wheel = TimingWheel::new(WheelConfig::default().stripes(1));
        let dropped = Arc::new(std::sync::Mutex::new(Vec::new()));
        let probed = || {
            let probe = LockProbe {
                stripe: wheel.stripes[0].clone(),
                dropped: dropped.clone(),
            };
            callback(move |_, _| {
                let _ = &probe;
            })
        };
        let stopped = wheel.start_timer(probed(), 1_000, 0);
        assert!(wheel.stop(&stopped));
        drop(stopped);
        drop(wheel.new_timer(probed()));
        drop(wheel.start_timer(probed(), 2_000, 0));
        wheel.check(3_000);
        let rearmed = wheel.start_timer(probed(), 4_000, 0);
        wheel.modify(&rearmed, 5_000, 0, Some(callback(|_, _| {})), 0);
        assert_eq!(*dropped.lock().unwrap(), [false; 4], "locked at a drop");
        drop(rearmed);
        wheel.verify();
    }

    /// While a check waits for a stripe's lock, a stop leaves a zombie
    /// instead of unlinking at once, and a new timer goes to another
    /// stripe: neither takes the lock the check waits for.
    #[test]
    fn operations_leave_a_stripe_alone_while_a_check_waits_for_it() {
        let wheel = TimingWheel::new(WheelConfig::default().stripes(2));
        let home = thread_position(2);
        let timer = wheel.start_timer(callback(|_, _| {}), 1_000_000, 0);
        assert!(std::ptr::eq(timer.stripe(), &*wheel.stripes[home]));
        wheel.stripes[home].set_check_waiting(true);
        let other = wheel.start_timer(callback(|_, _| {}), 1_000_000, 0);
        assert!(
            std::ptr::eq(other.stripe(), &*wheel.stripes[1 - home]),
            "a new timer goes to the stripe no check waits for"
        );
        assert!(wheel.stop(&timer));
        assert_eq!(wheel.stats().zombies, 1, "the stop left a zombie");
        wheel.stripes[home].set_check_waiting(false);
        assert!(wheel.stop(&other));
        assert_eq!(wheel.stats().zombies, 1, "this stop unlinked at once");
        wheel.verify();
    }

    /// An arming that says the next check time cannot be earlier leaves
    /// every time the wheel publishes as it was, so a driver may skip the
    /// wake-up handshake: checked over seeded random starts, re-armings
    /// (earlier, later, the same), stops and checks, at every level.
    #[test]
    fn an_arming_that_reports_no_earlier_check_changes_no_published_time() {
        let mut rng = fastrand::Rng::with_seed(12);
        let wheel = TimingWheel::new(WheelConfig::default().stripes(2));
        let mut timers: Vec<WheelTimer> = Vec::new();
        let mut now = 1_000_000;
        let (mut quiet, mut lowering) = (0, 0);
        for _ in 0..20_000 {
            // Deadlines from a microsecond to an hour out, spread over the
            // levels, and some within the current tick: earlier than
            // anything filed.
            let delay = 1_000 * (1i64 << rng.u32(0..32));
            let when = if rng.u8(0..4) == 0 {
                now + rng.i64(1..1_000)
            } else {
                now + rng.i64(delay / 2..=delay)
            };
            let published = |wheel: &TimingWheel| {
                wheel
                    .stripes
                    .iter()
                    .map(|stripe| (stripe.wake_time(), stripe.maintenance_time()))
                    .collect::<Vec<_>>()
            };
            let before = published(&wheel);
            let armed = match rng.u8(0..10) {
                0..=2 => {
                    let (timer, armed) = wheel.start_timer_reporting(callback(|_, _| {}), when, 0);
                    timers.push(timer);
                    armed
                }
                3..=7 if !timers.is_empty() => {
                    let timer = &timers[rng.usize(0..timers.len())];
                    wheel.modify_reporting(timer, when, 0, None, 0)
                }
                8 if !timers.is_empty() => {
                    let timer = timers.swap_remove(rng.usize(0..timers.len()));
                    wheel.stop(&timer);
                    continue;
                }
                _ => {
                    now += rng.i64(0..2_000_000);
                    wheel.check(now);
                    continue;
                }
            };
            if armed.next_check_may_be_earlier {
                lowering += 1;
            } else {
                quiet += 1;
                assert_eq!(
                    published(&wheel),
                    before,
                    "an arming at {when} (now {now}) that reported no earlier check changed \
                     a stripe's wake time or maintenance time"
                );
            }
        }
        assert!(
            quiet > 1_000 && lowering > 1_000,
            "both outcomes were exercised: {quiet} quiet, {lowering} lowering"
        );
        wheel.verify();
    }

    /// A stripe outlives its wheel while a handle of one of its timers
    /// lives, whether the timer is pending, stopped or fired, and is freed
    /// with the last such handle; a stripe with none goes with the wheel.
    #[test]
    fn a_stripe_lives_until_its_wheel_and_its_last_handle_are_gone() {
        let wheel = TimingWheel::new(WheelConfig::default().stripes(2));
        let home = thread_position(2);
        let used = Arc::downgrade(&wheel.stripes[home]);
        let unused = Arc::downgrade(&wheel.stripes[1 - home]);
        let pending = wheel.start_timer(callback(|_, _| {}), 1_000_000, 0);
        let stopped = wheel.start_timer(callback(|_, _| {}), 2_000_000, 0);
        assert!(wheel.stop(&stopped));
        let fired = wheel.start_timer(callback(|_, _| {}), 10, 0);
        wheel.check(20);
        let never_armed = wheel.new_timer(callback(|_, _| {}));
        drop(wheel);
        assert!(
            unused.upgrade().is_none(),
            "a stripe with no handles goes with its wheel"
        );
        for handle in [pending, stopped, fired] {
            assert!(used.upgrade().is_some(), "a handle keeps its stripe");
            drop(handle);
        }
        assert!(used.upgrade().is_some(), "the last handle keeps its stripe");
        drop(never_armed);
        assert!(used.upgrade().is_none(), "freed with the last handle");
    }

    /// Handles dropped on other threads while the wheel is dropped: every
    /// stripe is freed exactly when the last of them goes, whichever drop
    /// comes last.
    #[test]
    fn handles_dropped_on_other_threads_free_an_orphaned_stripe() {
        for round in 0..200 {
            let wheel = TimingWheel::new(WheelConfig::default().stripes(1));
            let stripe = Arc::downgrade(&wheel.stripes[0]);
            let handles: Vec<WheelTimer> = (0..8)
                .map(|index| {
                    let timer = wheel.start_timer(callback(|_, _| {}), 1_000 + index, 0);
                    if index % 2 == 0 {
                        wheel.stop(&timer);
                    }
                    timer
                })
                .collect();
            std::thread::scope(|scope| {
                let mut handles = handles.into_iter();
                for _ in 0..2 {
                    let mine: Vec<WheelTimer> = handles.by_ref().take(4).collect();
                    scope.spawn(move || drop(mine));
                }
                if round % 2 == 0 {
                    std::thread::yield_now();
                }
                drop(wheel);
            });
            assert!(
                stripe.upgrade().is_none(),
                "round {round}: the stripe was not freed"
            );
        }
    }

    /// A dropped handle's node goes back to its stripe without the stripe
    /// lock, is not counted as a timer, and is handed out again before the
    /// slab's own free nodes; a check that processes the stripe gives
    /// returned nodes back to the slab.
    #[test]
    fn returned_nodes_are_reused_first_and_given_back_by_checks() {
        let wheel = TimingWheel::new(WheelConfig::default().stripes(1));
        let timers: Vec<WheelTimer> = (0..3)
            .map(|_| wheel.new_timer(callback(|_, _| {})))
            .collect();
        let identities: Vec<usize> = timers.iter().map(WheelTimer::identity).collect();
        drop(timers);
        assert_eq!(
            wheel.stripes[0].returned.len(),
            3,
            "returned without the lock"
        );
        assert_eq!(wheel.stats().timers, 0);
        let again: Vec<WheelTimer> = (0..3)
            .map(|_| wheel.new_timer(callback(|_, _| {})))
            .collect();
        let mut reused: Vec<usize> = again.iter().map(WheelTimer::identity).collect();
        reused.reverse();
        assert_eq!(reused, identities, "the newest returned node comes first");
        assert_eq!(wheel.stats().timers, 3);
        drop(again);
        // A check gives returned nodes back when it processes the stripe:
        // here for a timer due at 1, which takes one of them.
        let due = wheel.start_timer(callback(|_, _| {}), 1, 0);
        assert_eq!(wheel.stripes[0].returned_held(), 2, "one taken to allocate");
        wheel.check(1);
        assert_eq!(
            wheel.stripes[0].returned_held(),
            0,
            "the check gave the rest back"
        );
        assert_eq!(wheel.stripes[0].storage().1, 1);
        drop(due);
        wheel.verify();
    }

    /// `stop_and_drop` answers as `stop` and leaves what a `stop` and a
    /// drop leave, on each of its paths: a pending timer unlinked at once, a
    /// fired one (unfiled), and a pending one left as a zombie (the stripe
    /// lock taken, or a lazy wheel), which the stripe recycles later.
    #[test]
    fn stop_and_drop_answers_as_stop_and_leaves_what_a_drop_leaves() {
        let drops = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = || {
            struct CountsDrop(Arc<std::sync::atomic::AtomicUsize>);
            impl Drop for CountsDrop {
                fn drop(&mut self) {
                    self.0.fetch_add(1, Ordering::SeqCst);
                }
            }
            let counter = CountsDrop(drops.clone());
            callback(move |_, _| {
                let _ = &counter;
            })
        };
        let wheel = TimingWheel::new(WheelConfig::default().stripes(1));

        let pending = wheel.start_timer(counted(), 100, 0);
        assert!(wheel.stop_and_drop(pending));
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        let stats = wheel.stats();
        assert_eq!((stats.filed, stats.zombies, stats.timers), (0, 0, 0));

        let fired = wheel.start_timer(counted(), 100, 0);
        wheel.check(100);
        assert!(!wheel.stop_and_drop(fired));
        assert_eq!(drops.load(Ordering::SeqCst), 2);
        assert_eq!(
            wheel.stripes[0].returned.len(),
            1,
            "returned as a drop returns it"
        );
        assert_eq!(wheel.stats().timers, 0);

        // A check waiting for the stripe lock: a zombie with its handle gone.
        let zombie = wheel.start_timer(counted(), 200, 0);
        wheel.stripes[0].set_check_waiting(true);
        assert!(wheel.stop_and_drop(zombie));
        wheel.stripes[0].set_check_waiting(false);
        let stats = wheel.stats();
        assert_eq!((stats.filed, stats.zombies), (1, 1));
        assert_eq!(
            drops.load(Ordering::SeqCst),
            2,
            "the zombie keeps its callback"
        );
        wheel.check(300);
        let stats = wheel.stats();
        assert_eq!((stats.filed, stats.zombies, stats.timers), (0, 0, 0));
        assert_eq!(drops.load(Ordering::SeqCst), 3);
        wheel.verify();

        let lazy = TimingWheel::new(WheelConfig::default().stripes(1).unlink_on_stop(false));
        let timer = lazy.start_timer(counted(), 100, 0);
        let kept = lazy.start_timer(counted(), 100, 0);
        assert!(lazy.stop_and_drop(timer));
        assert!(
            !lazy.stop_and_drop(lazy.new_timer(counted())),
            "never armed"
        );
        lazy.check(100);
        let stats = lazy.stats();
        assert_eq!((stats.filed, stats.zombies, stats.timers), (0, 0, 1));
        drop(kept);
        lazy.verify();
    }

    /// A callback's destructor that panics while the wheel drops (it is
    /// dropped when the wheel clears its stripe) leaves the handles of the
    /// stripes not yet cleared usable: those stripes are leaked, not freed
    /// under them.
    #[test]
    fn a_panicking_callback_destructor_in_the_wheels_drop_frees_no_stripe_under_a_handle() {
        struct PanicsOnDrop;
        impl Drop for PanicsOnDrop {
            fn drop(&mut self) {
                panic!("a callback's destructor panics");
            }
        }
        let wheel = TimingWheel::new(WheelConfig::default().stripes(2));
        let home = thread_position(2);
        // The panicking callback goes to stripe 0, cleared first; the kept
        // handle to stripe 1 (a stripe a check waits for takes no new
        // timer).
        let start_on = |index: usize, callback: Callback| {
            wheel.stripes[1 - index].set_check_waiting(index != home);
            let timer = wheel.start_timer(callback, 1_000_000, 0);
            wheel.stripes[1 - index].set_check_waiting(false);
            assert!(std::ptr::eq(timer.stripe(), &*wheel.stripes[index]));
            timer
        };
        let doomed = PanicsOnDrop;
        let panicking = start_on(
            0,
            callback(move |_, _| {
                let _ = &doomed;
            }),
        );
        let kept = start_on(1, callback(|_, _| {}));
        // Stopped (unfiled), so that its drop frees the kept stripe: a
        // pending timer of a stripe never cleared would stay filed, and the
        // stripe leaked for good.
        assert!(wheel.stop(&kept));
        assert_eq!(wheel.stats().zombies, 0, "the stop unlinked at once");
        let kept_stripe = Arc::downgrade(&wheel.stripes[1]);
        let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(wheel)));
        assert!(
            dropped.is_err(),
            "the destructor's panic reaches the wheel's drop"
        );
        assert!(
            kept_stripe.upgrade().is_some(),
            "the stripe not yet cleared is kept for its handle"
        );
        drop(panicking);
        drop(kept);
        assert!(
            kept_stripe.upgrade().is_none(),
            "freed with its last handle"
        );
    }
}
