//! The concurrency protocol: every shared word that is read without a lock,
//! who writes it, who reads it, and which orderings pair.
//!
//! Two kinds of lock guard everything else: the **stripe lock** (a mutex
//! around `StripeInner`: slot lists, slot
//! minimums, bitmaps, `elapsed`, the slab) and the **node lock** (bit
//! `LOCKED` of the node's word: `when`, `period`, `seq`, `callback`).
//! `filed_when` and the word's location are written under both and read
//! under either. The lock order is stripe, then node; callbacks run with
//! neither held. Code elsewhere points here by row name, e.g. "see
//! `protocol`, *slot bound*".
//!
//! # The words
//!
//! | word | written by, under | read without a lock by | orderings, and what they pair with |
//! | --- | --- | --- | --- |
//! | **stripe minimum** `Stripe::min_when` | stripe-lock holders: a new filing lowers it, every `process`/`adjust` ends by re-publishing the first occupied slot's exact minimum, `adjust` step 1 folds the modified bound into it | `Stripe::wake_time` (any thread, usually the driver deciding when to sleep until) | stores Release, `wake_time` loads Acquire: a reader woken after a filing sees its deadline. The fold is a Relaxed store published by the Release of the clearing CAS (next row) |
//! | **stripe bound** `Stripe::min_when_modified` | `modify` moving a filed node earlier, holding only the node lock: an RMW that always writes (`lower_stripe_bound`); `adjust` steps 1–2 under the stripe lock: a CAS that clears exactly the value it folded; an emptied stripe clears it (store) | `wake_time` (loaded *before* the stripe minimum); `adjust`'s quick test (Relaxed) | modifier's RMW Release ↔ adjuster's CAS AcqRel: the CAS reads the last RMW and so sees every slot bound written before it, even by a modifier that rewrote the same value (that is why the RMW must always write). CAS Release ↔ `wake_time`'s Acquire: a reader that sees the bound cleared sees the fold |
//! | **slot bound** `Stripe::slot_min_when_modified[i]` | `modify`, holding the lock of a node filed in slot `i`: a Relaxed CAS lowering it, after the modifier's SeqCst fence (`lower_bound`); `adjust` step 2 and `cascade`, under the stripe lock: a Relaxed store of 0 | `adjust`, picking due slots (Relaxed, after the Acquire CAS on the stripe bound) | the **state-before-min-update handshake** below |
//! | **filed** `Stripe::filed` | stripe-lock holders only, so a Relaxed load and store (no RMW) | `stats`, `needs_purge` | Relaxed: a statistic and a purge heuristic; no data rides on it |
//! | **zombies** `Stripe::zombies` | `stop` and `modify` under the node lock; unfiling under both locks (Relaxed RMWs; each node's changes are ordered by its lock, so it never underflows) | `stats`, `needs_purge` | Relaxed, as `filed` |
//! | **node word** `Node::word` | see the bit table in `node.rs`: `LOCKED`/`PARKED` by the lock; `FILED` and the location under both locks, or the location by `cascade`'s CAS on a clean unlocked word; `MODIFIED`, `ZOMBIE`, `HANDLE_DROPPED` under the node lock | `adjust` step 3 and the forced sweep (Relaxed, after the adjuster's SeqCst fence); `cascade` (Relaxed, validated by its CAS); `modify`'s fast path (a Relaxed guess at `FILED`, confirmed under the lock); a handle's drop (CAS) | lock CAS Acquire ↔ unlock Release: everything written under the node lock. `MODIFIED` set before a bound is lowered: the handshake below. Bits set with the unlock (`ZOMBIE`, a later-moving `MODIFIED`) need no earlier publication: the stripe fires, moves or removes a node only under its lock or by a CAS that any of them makes fail |
//!
//! # The state-before-min-update handshake
//!
//! A node moved earlier than its filed deadline is covered only by its
//! slot's and its stripe's bounds until an `adjust` re-files it. `adjust`
//! must clear a slot bound before it scans the slot (else a lowering during
//! the scan would be erased unseen), so a lowering can be erased by that
//! clear, and a modifier that finds the bound already low enough writes
//! nothing and relies on a value that is about to be cleared. Both are
//! harmless because the adjust that clears the bound sees the node:
//!
//! ```text
//! modify:  word |= MODIFIED;  fence(SeqCst);  load/CAS slot bound
//! adjust:  slot bound = 0;    fence(SeqCst);  load each word of the slot
//! ```
//!
//! The fences are ordered in the single total order of SeqCst operations.
//! If the modifier's comes first, the adjuster's load sees `MODIFIED` and
//! re-files the node (under its lock, so after the `modify` finishes). If
//! the adjuster's comes first, the modifier's load sees the cleared bound
//! and writes its own deadline, which survives for the next adjust. The
//! stripe bound needs no such fence: its clear is a CAS that only removes
//! the value it folded into the stripe minimum, which keeps covering the
//! deadline until step 4 recomputes the minimum exactly from what step 3
//! left filed.
//!
//! Under `--cfg gowheel_broken_min_order`, `modify` publishes `MODIFIED`
//! after lowering the bound (the order Go fixed in CL 574741). The loom
//! models `loom_modify_earlier_racing_adjust` and
//! `loom_modify_earlier_racing_purge` then lose the moved deadline, and CI
//! requires that they do.
//!
//! # `wake_time`
//!
//! `wake_time` loads the stripe bound (Acquire) before the stripe minimum
//! (Acquire). `adjust` writes the minimum (step 1) before clearing the
//! bound (step 2, Release), so a reader that sees the clear sees the fold:
//! the wake time is never later than a pending deadline, not even in the
//! middle of an adjust.
//!
//! # Memory
//!
//! A node's memory is type-stable while its stripe lives (see `slab.rs`):
//! a thread that reads a word without a lock, or wakes waiters after an
//! unlock, may find the node recycled, but never freed.
