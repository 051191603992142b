//! A timer node: 64 bytes holding a timer's deadline, callback, links and a
//! single atomic word that is its lock, its published state and its place in
//! the wheel.
//!
//! # Who touches a node
//!
//! A node is used by its owner (the holder of its handle) and by the thread
//! driving its stripe. Each field says what protects it:
//!
//! | field | protection |
//! | --- | --- |
//! | `word` | atomic; see the table below |
//! | `when`, `period`, `seq`, `callback` | the node lock, or nothing while no other thread can reach the node: fresh from the slab (`init_filed`), and being recycled after its handle's drop (`recycle_unlocked`) |
//! | `filed_when` | written under both the stripe lock and the node lock; read under either |
//! | `next`, `prev` | the stripe lock; `prev` of a node a handle's drop returns to its stripe, also by that drop, which alone can reach the node then (see `stripe/returned.rs`) |
//!
//! # The word
//!
//! | bits | name | set by | cleared by |
//! | --- | --- | --- | --- |
//! | 0 | `LOCKED` | the thread taking the node lock | its unlock |
//! | 1 | `PARKED` | a waiter about to sleep on the word | the unlock that wakes it |
//! | 2 | `FILED` | filing, under both locks | unfiling, under both locks |
//! | 3 | `MODIFIED` | `modify`, under the node lock | the stripe, re-filing, under both locks |
//! | 4 | `ZOMBIE` | `stop`, under the node lock | `modify` re-arming it, or the stripe removing it |
//! | 5 | `HANDLE_DROPPED` | the handle's drop, under the node lock | recycling |
//! | 8..12 | level | filing, under both locks (or a CAS while unlocked, see below) | |
//! | 12..19 | slot | likewise | |
//!
//! `MODIFIED` and `ZOMBIE` are only set together with `FILED`. `MODIFIED`
//! means `when` was changed since the node was filed under `filed_when`
//! (it may have been changed back); `ZOMBIE` means the timer was stopped
//! and the node waits in its slot to be removed lazily. A node that is
//! neither has `when == filed_when`.
//!
//! Because the state bits live in the lock word, every change made under the
//! lock is published the moment it is made: there is no separate `astate` to
//! forget to store. The stripe reads the word without the lock to skip
//! nodes that need no attention, and moves clean unlocked nodes between
//! levels with a single CAS that fails if anyone holds or changes the node.

use crate::Callback;
use crate::sync::UnsafeCell;
use crate::sync::atomic::{AtomicU32, Ordering};

/// The slab index that names no node (see `slab.rs`): the backward link
/// of a list's head.
pub(crate) const NO_NODE: u32 = u32::MAX;

/// The node lock is held.
pub(crate) const LOCKED: u32 = 1 << 0;
/// Some thread sleeps on the word waiting for the lock.
pub(crate) const PARKED: u32 = 1 << 1;
/// The node is linked into a slot of its stripe.
pub(crate) const FILED: u32 = 1 << 2;
/// `when` differs from `filed_when`; the slot has not caught up yet.
pub(crate) const MODIFIED: u32 = 1 << 3;
/// Stopped while filed; to be removed lazily.
pub(crate) const ZOMBIE: u32 = 1 << 4;
/// The handle is gone: the node is recycled as soon as it is unfiled.
pub(crate) const HANDLE_DROPPED: u32 = 1 << 5;

const LEVEL_SHIFT: u32 = 8;
const LEVEL_BITS: u32 = 4;
const SLOT_SHIFT: u32 = 12;
const SLOT_BITS: u32 = 7;
const LOCATION_MASK: u32 =
    ((1 << LEVEL_BITS) - 1) << LEVEL_SHIFT | ((1 << SLOT_BITS) - 1) << SLOT_SHIFT;

/// The largest level index the word can hold (the overflow list included).
pub(crate) const MAX_LEVEL_INDEX: u32 = (1 << LEVEL_BITS) - 1;
/// The largest slot index the word can hold.
pub(crate) const MAX_SLOT_INDEX: u32 = (1 << SLOT_BITS) - 1;

/// Spins before parking: a node lock is held for a few dozen instructions,
/// so a short spin usually wins.
const SPINS_BEFORE_PARKING: u32 = 64;

/// One timer. See the module doc for what protects each field.
pub(crate) struct Node {
    pub(crate) word: AtomicU32,
    /// The slab index of the node before this one in its slot list
    /// ([`NO_NODE`] at the head): a 32-bit index instead of a pointer keeps
    /// the node at 64 bytes.
    prev: UnsafeCell<u32>,
    when: UnsafeCell<i64>,
    period: UnsafeCell<i64>,
    seq: UnsafeCell<u64>,
    callback: UnsafeCell<Option<Callback>>,
    filed_when: UnsafeCell<i64>,
    next: UnsafeCell<*mut Node>,
}

// SAFETY: every field other than the atomic word is accessed only under the
// node lock or the stripe lock, as the table in the module doc says, so a
// node may be shared between and sent across threads.
unsafe impl Send for Node {}
// SAFETY: as for Send.
unsafe impl Sync for Node {}

/// The level and slot a filed node sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Location {
    pub(crate) level: u32,
    pub(crate) slot: u32,
}

impl Location {
    #[inline]
    pub(crate) fn from_word(word: u32) -> Location {
        Location {
            level: (word >> LEVEL_SHIFT) & ((1 << LEVEL_BITS) - 1),
            slot: (word >> SLOT_SHIFT) & ((1 << SLOT_BITS) - 1),
        }
    }

    #[inline]
    pub(crate) fn bits(self) -> u32 {
        debug_assert!(self.level <= MAX_LEVEL_INDEX && self.slot <= MAX_SLOT_INDEX);
        self.level << LEVEL_SHIFT | self.slot << SLOT_SHIFT
    }
}

impl Node {
    /// A free node: unlocked, unfiled, unarmed, with no callback.
    pub(crate) fn new() -> Node {
        Node {
            word: AtomicU32::new(0),
            prev: UnsafeCell::new(NO_NODE),
            when: UnsafeCell::new(0),
            period: UnsafeCell::new(0),
            seq: UnsafeCell::new(0),
            callback: UnsafeCell::new(None),
            filed_when: UnsafeCell::new(0),
            next: UnsafeCell::new(std::ptr::null_mut()),
        }
    }

    /// Loads the word without the lock: the state as last published.
    #[inline]
    pub(crate) fn load_word(&self, order: Ordering) -> u32 {
        self.word.load(order)
    }

    /// Takes the node lock.
    #[inline]
    pub(crate) fn lock(&self) -> NodeGuard<'_> {
        // Relaxed: a first guess for the CAS, which validates it.
        let word = self.word.load(Ordering::Relaxed);
        if word & LOCKED != 0
            // Acquire: pairs with the Release in `NodeGuard::drop`, so this
            // thread sees everything the previous holder wrote.
            || self
                .word
                .compare_exchange_weak(word, word | LOCKED, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            self.lock_contended();
        }
        NodeGuard { node: self }
    }

    #[cold]
    fn lock_contended(&self) {
        let mut spins = 0;
        loop {
            // Relaxed: the CAS below validates the value.
            let word = self.word.load(Ordering::Relaxed);
            if word & LOCKED == 0 {
                // Acquire: as in `lock`.
                if self
                    .word
                    .compare_exchange_weak(
                        word,
                        word | LOCKED,
                        Ordering::Acquire,
                        Ordering::Relaxed,
                    )
                    .is_ok()
                {
                    return;
                }
                continue;
            }
            if spins < SPINS_BEFORE_PARKING {
                spins += 1;
                crate::sync::spin_hint();
                continue;
            }
            // Announce the sleep so that the unlock wakes us, then sleep
            // unless the word changed in between. Relaxed: the futex compares
            // the word itself, and the lock CAS above does the acquiring.
            if word & PARKED != 0
                || self
                    .word
                    .compare_exchange_weak(
                        word,
                        word | PARKED,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    )
                    .is_ok()
            {
                crate::sync::wait(&self.word, word | PARKED);
            }
        }
    }

    /// Moves an unlocked, clean node to `location` without taking its lock:
    /// one CAS that succeeds only if the word is exactly `expected`, which
    /// the caller read with `FILED` set and `LOCKED`, `MODIFIED` and
    /// `ZOMBIE` clear. Returns false if the word changed; the caller then
    /// takes the lock.
    ///
    /// The caller holds the stripe lock, so the location is otherwise
    /// written only under both locks; a node lock taken after this CAS sees
    /// the new location because the lock CAS reads the word.
    #[inline]
    pub(crate) fn try_relocate_unlocked(&self, expected: u32, location: Location) -> bool {
        debug_assert!(expected & (LOCKED | MODIFIED | ZOMBIE) == 0 && expected & FILED != 0);
        let new = (expected & !LOCATION_MASK) | location.bits();
        // Relaxed: only the word changes, and a later locker reads it with
        // its own RMW; nothing else is published by this store.
        self.word
            .compare_exchange(expected, new, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    }

    /// The handle's drop, in one CAS if the node is unlocked: sets
    /// `HANDLE_DROPPED`, and if the node is not filed, also takes its lock
    /// for the caller to clear it for reuse. `FILED` is read in the same
    /// atomic step, so exactly one of the drop and the stripe's unfiling
    /// recycles the node.
    #[inline]
    pub(crate) fn try_drop_handle(&self) -> HandleDrop<'_> {
        // Relaxed: a first guess for the CAS, which validates it.
        let word = self.word.load(Ordering::Relaxed);
        if word & LOCKED != 0 {
            return HandleDrop::Busy;
        }
        if word & FILED != 0 {
            // AcqRel: acquires what the last lock holder published (as
            // `lock` does) and releases the bit to the next locker, the
            // stripe that unfiles the node (as an unlock does).
            return match self.word.compare_exchange(
                word,
                word | HANDLE_DROPPED,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => HandleDrop::LeftToStripe,
                Err(_) => HandleDrop::Busy,
            };
        }
        // Acquire: as in `lock`. Under the mutant that the loom model
        // `loom_handle_dropped_racing_clear` must catch, the node is not
        // locked while it is cleared: `clear` may then touch its callback
        // at the same time.
        let locked = if cfg!(gowheel_broken_node_return) {
            0
        } else {
            LOCKED
        };
        match self.word.compare_exchange(
            word,
            word | locked | HANDLE_DROPPED,
            Ordering::Acquire,
            Ordering::Relaxed,
        ) {
            Ok(_) => HandleDrop::Unfiled(NodeGuard { node: self }),
            Err(_) => HandleDrop::Busy,
        }
    }

    /// Fills in a node fresh from the slab: its callback, deadline and
    /// period, and its filing at `location` under `when`.
    ///
    /// # Safety
    ///
    /// The node has no handle and is not linked, so its fields can be
    /// written without its lock, and the caller holds the lock of the
    /// stripe that owns it (the stripe's `clear` visits every slab node,
    /// handle or not, and holds that lock while it does).
    #[inline]
    pub(crate) unsafe fn init_filed(
        &self,
        callback: Callback,
        when: i64,
        period: i64,
        location: Location,
    ) {
        // SAFETY: the caller guarantees exclusive access to the node.
        unsafe {
            self.callback.with_mut(|slot| *slot = Some(callback));
            self.when.with_mut(|slot| *slot = when);
            self.period.with_mut(|slot| *slot = period);
            self.filed_when.with_mut(|slot| *slot = when);
        }
        // Relaxed: the node becomes reachable only through the stripe lock's
        // release (the slot link) or the handle's creation on this thread.
        self.word.store(FILED | location.bits(), Ordering::Relaxed);
    }

    /// Takes the callback of a node whose handle has just been dropped and
    /// that is not filed, and clears the node for reuse, unlocked (its word
    /// all zero), without taking its lock.
    ///
    /// # Safety
    ///
    /// No other thread can reach the node any more, and every earlier access
    /// to its fields happened before this call: its handle is gone (the
    /// calling thread dropped it, so every use of the handle on another
    /// thread happened before, as for any dropped value, and set
    /// `HANDLE_DROPPED` by an acquire-release RMW on the word or under the
    /// node lock); it is not filed; and the caller holds the lock of the
    /// stripe that owns it, under which the stripe makes all of its own
    /// accesses (the driver's, a sweep's, `clear`'s, which visits every slab
    /// node). Nobody holds or waits for its lock.
    #[inline]
    pub(crate) unsafe fn recycle_unlocked(&self) -> Option<Callback> {
        debug_assert_eq!(
            self.word.load(Ordering::Relaxed) & (LOCKED | PARKED | FILED),
            0,
            "gowheel wheel: a recycled node is locked or filed"
        );
        // SAFETY: forwarded contract.
        unsafe { self.clear_for_reuse() }
    }

    /// Takes the callback, zeroes `when`, `period` and `seq`, and then
    /// clears the whole word (unlocked, unfiled) with one Release store,
    /// which pairs with the Acquire of the next `lock` (by the stripe that
    /// allocates the node again).
    ///
    /// # Safety
    ///
    /// The calling thread alone can reach the node (see
    /// [`recycle_unlocked`](Self::recycle_unlocked) and
    /// [`NodeGuard::unlock_recycled`]), so no other bit of the word can
    /// change meanwhile and the store loses nothing.
    #[inline]
    unsafe fn clear_for_reuse(&self) -> Option<Callback> {
        // SAFETY: forwarded contract.
        let callback = unsafe { self.clear_fields() };
        self.word.store(0, Ordering::Release);
        callback
    }

    /// Takes the callback and zeroes `when`, `period` and `seq`.
    ///
    /// # Safety
    ///
    /// As for any write of these fields: the node lock is held, or no other
    /// thread can reach the node.
    #[inline]
    unsafe fn clear_fields(&self) -> Option<Callback> {
        // SAFETY: the caller guarantees exclusive access to the fields.
        unsafe {
            self.when.with_mut(|slot| *slot = 0);
            self.period.with_mut(|slot| *slot = 0);
            self.seq.with_mut(|slot| *slot = 0);
            self.callback.with_mut(|slot| (*slot).take())
        }
    }

    /// Gives a node fresh from the slab its callback.
    ///
    /// # Safety
    ///
    /// As [`init_filed`](Self::init_filed): no handle, not linked, and the
    /// owning stripe's lock held.
    #[inline]
    pub(crate) unsafe fn init_unfiled(&self, callback: Callback) {
        // SAFETY: the caller guarantees exclusive access to the node.
        unsafe { self.callback.with_mut(|slot| *slot = Some(callback)) };
    }

    /// The next node in the list this node is linked into.
    ///
    /// # Safety
    ///
    /// The caller holds the lock of the stripe that owns the node.
    #[inline]
    pub(crate) unsafe fn next(&self) -> *mut Node {
        // SAFETY: `next` is only accessed under the stripe lock, which the
        // caller holds, so there is no concurrent write.
        self.next.with(|next| unsafe { *next })
    }

    /// Sets the next node in the list.
    ///
    /// # Safety
    ///
    /// The caller holds the lock of the stripe that owns the node.
    #[inline]
    pub(crate) unsafe fn set_next(&self, next: *mut Node) {
        // SAFETY: `next` is only accessed under the stripe lock, which the
        // caller holds, so this is the only access.
        self.next.with_mut(|slot| unsafe { *slot = next });
    }

    /// The slab index of the node before this one in its list.
    ///
    /// # Safety
    ///
    /// The caller holds the lock of the stripe that owns the node.
    #[inline]
    pub(crate) unsafe fn prev(&self) -> u32 {
        // SAFETY: `prev` is only accessed under the stripe lock, which the
        // caller holds, so there is no concurrent write.
        self.prev.with(|prev| unsafe { *prev })
    }

    /// Sets the slab index of the node before this one.
    ///
    /// # Safety
    ///
    /// The caller holds the lock of the stripe that owns the node, or
    /// alone can reach the node (a handle's drop returning it, see
    /// `stripe/returned.rs`).
    #[inline]
    pub(crate) unsafe fn set_prev(&self, prev: u32) {
        // SAFETY: `prev` is accessed only under the stripe lock, or by a
        // thread that alone can reach the node; the caller is one of these,
        // so this is the only access.
        self.prev.with_mut(|slot| unsafe { *slot = prev });
    }

    /// The deadline the node is filed under.
    ///
    /// # Safety
    ///
    /// The caller holds the stripe lock or the node lock.
    #[inline]
    pub(crate) unsafe fn filed_when(&self) -> i64 {
        // SAFETY: `filed_when` is written only under both locks; the caller
        // holds one of them, so no write runs concurrently.
        self.filed_when.with(|when| unsafe { *when })
    }
}

/// Proof that the node lock is held; unlocks on drop. Gives access to the
/// fields the node lock protects.
pub(crate) struct NodeGuard<'a> {
    node: &'a Node,
}

impl<'a> NodeGuard<'a> {
    /// The node this guard locks.
    #[inline]
    pub(crate) fn node(&self) -> &'a Node {
        self.node
    }

    /// The current word. Under the lock only `PARKED` can change
    /// concurrently, so the state and location bits read here are stable.
    #[inline]
    pub(crate) fn word(&self) -> u32 {
        // Relaxed: the bits that matter are written only by this thread
        // while it holds the lock (or were published to it by the lock's
        // Acquire).
        self.node.word.load(Ordering::Relaxed)
    }

    /// The node's state bits (`FILED`, `MODIFIED`, `ZOMBIE`, `HANDLE_DROPPED`).
    #[inline]
    pub(crate) fn state(&self) -> u32 {
        self.word() & (FILED | MODIFIED | ZOMBIE | HANDLE_DROPPED)
    }

    /// Where the node is filed; meaningful only while `FILED` is set.
    #[inline]
    pub(crate) fn location(&self) -> Location {
        Location::from_word(self.word())
    }

    /// Sets `bits` in the word with the given ordering, publishing them.
    #[inline]
    pub(crate) fn set_bits(&self, bits: u32, order: Ordering) {
        self.node.word.fetch_or(bits, order);
    }

    /// Clears `bits` in the word.
    #[inline]
    pub(crate) fn clear_bits(&self, bits: u32) {
        // Relaxed: readers that need these bits cleared in order with other
        // data either hold the lock (and get it from the unlock's Release)
        // or only skip work on a clean word, which is conservative.
        self.node.word.fetch_and(!bits, Ordering::Relaxed);
    }

    /// Records that the node is filed at `location` under `when`, setting
    /// `FILED` and clearing `MODIFIED`.
    ///
    /// # Safety
    ///
    /// The caller also holds the lock of the stripe the node is filed in.
    #[inline]
    pub(crate) unsafe fn mark_filed(&self, location: Location, when: i64) {
        // SAFETY: `filed_when` is written under both locks: this guard and
        // the caller's stripe lock.
        self.node
            .filed_when
            .with_mut(|filed| unsafe { *filed = when });
        self.replace_bits(LOCATION_MASK | MODIFIED, location.bits() | FILED);
    }

    /// Clears `clear` and sets `set` in one atomic step (a CAS loop, since a
    /// waiter may set `PARKED` concurrently).
    fn replace_bits(&self, clear: u32, set: u32) {
        // Relaxed: as `clear_bits`; these bits are read consistently under
        // either lock, whose own synchronization orders them.
        let _ = self
            .node
            .word
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |word| {
                Some((word & !clear) | set)
            });
    }

    /// The deadline; 0 when not armed.
    #[inline]
    pub(crate) fn when(&self) -> i64 {
        // SAFETY: the node lock, which this guard holds, protects `when`.
        self.node.when.with(|when| unsafe { *when })
    }

    #[inline]
    pub(crate) fn set_when(&self, when: i64) {
        // SAFETY: the node lock, which this guard holds, protects `when`.
        self.node.when.with_mut(|slot| unsafe { *slot = when });
    }

    #[inline]
    pub(crate) fn period(&self) -> i64 {
        // SAFETY: the node lock, which this guard holds, protects `period`.
        self.node.period.with(|period| unsafe { *period })
    }

    #[inline]
    pub(crate) fn set_period(&self, period: i64) {
        // SAFETY: the node lock, which this guard holds, protects `period`.
        self.node.period.with_mut(|slot| unsafe { *slot = period });
    }

    #[inline]
    pub(crate) fn seq(&self) -> u64 {
        // SAFETY: the node lock, which this guard holds, protects `seq`.
        self.node.seq.with(|seq| unsafe { *seq })
    }

    #[inline]
    pub(crate) fn set_seq(&self, seq: u64) {
        // SAFETY: the node lock, which this guard holds, protects `seq`.
        self.node.seq.with_mut(|slot| unsafe { *slot = seq });
    }

    /// A new reference to the callback, for running it after unlocking.
    #[inline]
    pub(crate) fn callback(&self) -> Option<Callback> {
        // SAFETY: the node lock, which this guard holds, protects `callback`.
        self.node
            .callback
            .with(|callback| unsafe { (*callback).clone() })
    }

    /// Replaces the callback, returning the old one so that the caller can
    /// drop it after unlocking (its destructor is user code).
    #[inline]
    pub(crate) fn replace_callback(&self, callback: Option<Callback>) -> Option<Callback> {
        // SAFETY: the node lock, which this guard holds, protects `callback`.
        self.node
            .callback
            .with_mut(|slot| unsafe { std::mem::replace(&mut *slot, callback) })
    }

    /// The deadline the node is filed under.
    #[inline]
    pub(crate) fn filed_when(&self) -> i64 {
        // SAFETY: this guard holds the node lock, one of the two locks that
        // make reading `filed_when` safe.
        unsafe { self.node.filed_when() }
    }
}

impl NodeGuard<'_> {
    /// Unlocks, setting `bits` in the same RMW (one atomic operation
    /// instead of two on the `reset` and `stop` paths).
    #[inline]
    pub(crate) fn unlock_setting(self, bits: u32) {
        let node = self.node;
        std::mem::forget(self);
        node.release_lock(0, bits);
    }

    /// Unlocks, recording in the same RMW that the node is no longer filed
    /// (clearing its location, `FILED`, `MODIFIED` and `ZOMBIE`).
    ///
    /// # Safety
    ///
    /// The caller also holds the lock of the stripe the node was filed in.
    #[inline]
    pub(crate) unsafe fn unlock_unfiled(self) {
        let node = self.node;
        std::mem::forget(self);
        node.release_lock(LOCATION_MASK | FILED | MODIFIED | ZOMBIE, 0);
    }
}

impl Node {
    /// Releases the node lock, clearing `clear` and then setting `set` in
    /// the same RMW, and wakes
    /// the waiters if any parked. With a waiter parked, the epoch is pinned
    /// before the release and until the wake is done, so that the node's
    /// chunk, which may be recycled and emptied the moment the lock is
    /// released, is not freed under the wake (see `slab.rs`).
    #[inline]
    fn release_lock(&self, clear: u32, set: u32) {
        // Relaxed: the CAS validates the value.
        let word = self.word.load(Ordering::Relaxed);
        if word & PARKED == 0 {
            // The common case, inline: nobody waits. Release: as in
            // `release_lock_slow`. A waiter that parks after the load
            // changes the word, so the CAS fails and the slow path pins.
            let new = ((word & !clear) | set) & !LOCKED;
            if self
                .word
                .compare_exchange_weak(word, new, Ordering::Release, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
        self.release_lock_slow(clear, set);
    }

    /// `release_lock` when a waiter parked, or the first CAS failed.
    #[cold]
    #[inline(never)]
    fn release_lock_slow(&self, clear: u32, set: u32) {
        let mut pin = None;
        // Relaxed: the CAS validates the value.
        let mut word = self.word.load(Ordering::Relaxed);
        loop {
            if word & PARKED != 0 && pin.is_none() {
                pin = Some(crate::sync::WakePin::pin());
            }
            let new = ((word & !clear) | set) & !(LOCKED | PARKED);
            // Release: pairs with the Acquire of the next `lock`, publishing
            // every field written under the lock. A waiter that parks after
            // the load above changes the word, so the CAS fails and the
            // retry pins.
            match self
                .word
                .compare_exchange_weak(word, new, Ordering::Release, Ordering::Relaxed)
            {
                Ok(previous) => {
                    if previous & PARKED != 0 {
                        crate::sync::wake_all(&self.word);
                    }
                    drop(pin);
                    return;
                }
                Err(current) => word = current,
            }
        }
    }
}

impl NodeGuard<'_> {
    /// Recycles the node in place: takes its callback, clears it for reuse
    /// and unlocks it, clearing every bit of the word (state and location
    /// included) with one plain store instead of an RMW.
    ///
    /// # Safety
    ///
    /// The node is being recycled: it is unfiled (or being unfiled under
    /// the stripe lock), its handle is gone, and no other thread holds or
    /// waits for its lock. Then no waiter can have set `PARKED`, and no
    /// other bit can change concurrently, so the store loses nothing.
    #[inline]
    pub(crate) unsafe fn unlock_recycled(self) -> Option<Callback> {
        let node = self.node;
        std::mem::forget(self);
        debug_assert_eq!(
            node.word.load(Ordering::Relaxed) & PARKED,
            0,
            "gowheel wheel: a recycled node has a waiter"
        );
        // SAFETY: this thread held the node lock, and by the contract no
        // other thread can reach the node.
        unsafe { node.clear_for_reuse() }
    }
}

impl NodeGuard<'_> {
    /// Clears the node for reuse (its callback taken, `when`, `period` and
    /// `seq` zeroed) and unlocks it with its word all zero, waking any
    /// waiter: the node looks free, though it stays handed out by the slab
    /// until the caller returns it to its stripe.
    ///
    /// # Safety
    ///
    /// The node is unfiled and its handle is gone: this lock was taken by
    /// the handle's drop ([`Node::try_drop_handle`]) or by an operation
    /// that consumes the handle (`TimingWheel::stop_and_drop`). Whoever
    /// waits for the lock (the stripe's `clear`, or the settling of a
    /// listed move) then finds a free node, which both tolerate.
    #[inline]
    pub(crate) unsafe fn unlock_freed(self) -> Option<Callback> {
        // SAFETY: the node lock is held.
        let callback = unsafe { self.node.clear_fields() };
        let node = self.node;
        std::mem::forget(self);
        node.release_lock(!0, 0);
        callback
    }
}

/// What [`Node::try_drop_handle`] did.
pub(crate) enum HandleDrop<'a> {
    /// The node is filed: `HANDLE_DROPPED` is set, and the stripe recycles
    /// the node when it unfiles it.
    LeftToStripe,
    /// The node is not filed: this thread holds its lock, with
    /// `HANDLE_DROPPED` set.
    Unfiled(NodeGuard<'a>),
    /// The node is locked, or its word changed under the CAS: nothing was
    /// done, and the caller takes the locks.
    Busy,
}

impl Drop for NodeGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        self.node.release_lock(0, 0);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn node_is_64_bytes() {
        assert_eq!(std::mem::size_of::<Node>(), 64);
    }

    #[test]
    fn location_round_trips() {
        for level in [0, 1, 7, MAX_LEVEL_INDEX] {
            for slot in [0, 1, 33, 64, MAX_SLOT_INDEX] {
                let location = Location { level, slot };
                assert_eq!(
                    Location::from_word(location.bits() | FILED | LOCKED),
                    location
                );
            }
        }
    }

    #[test]
    fn lock_excludes_and_publishes() {
        let node = std::sync::Arc::new(Node::new());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let node = node.clone();
                std::thread::spawn(move || {
                    for _ in 0..10_000 {
                        let guard = node.lock();
                        guard.set_when(guard.when() + 1);
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert_eq!(node.lock().when(), 40_000);
        assert_eq!(node.load_word(Ordering::Relaxed) & (LOCKED | PARKED), 0);
    }
}
