//! The concurrency protocol: every shared word that is read without a lock,
//! who writes it, who reads it, and which orderings pair.
//!
//! Three locks guard everything else: the **stripe lock** (a mutex around
//! `StripeInner`: slot lists, slot minimums and lengths, bitmaps,
//! `elapsed`, the slab), the **node lock** (bit `LOCKED` of the node's
//! word: `when`, `period`, `seq`, `callback`), and the **moved-list lock**
//! (a small mutex around the stripe's list of nodes moved earlier).
//! `filed_when` and the word's location are written under the stripe and
//! node locks and read under either. The lock order is stripe, then node,
//! then moved list; the moved-list lock is never held while taking another.
//! The one exception is a `try_lock`, which cannot wait: `stop`, holding
//! the node lock of a filed timer, tries the stripe lock and, if it is
//! free, unlinks the node at once (an entry for it on the moved list is
//! skipped when settled, since it is no longer filed); if not, the node
//! stays as a zombie (`loom_stop_racing_fire`, in which a blocking
//! lock there deadlocks, and
//! `loom_modify_earlier_racing_stop_unlinking_at_once`). Under loom the
//! stripe lock is a test-and-set lock on a loom atomic (see `sync.rs`),
//! because loom's own mutex cannot model a failed `try_lock`.
//! Callbacks run with no lock held. Code elsewhere points here by row name,
//! e.g. "see `protocol`, *stripe bound*".
//!
//! # The words
//!
//! | word | written by, under | read without a lock by | orderings, and what they pair with |
//! | --- | --- | --- | --- |
//! | **stripe minimum** `Stripe::min_when` | stripe-lock holders: a new filing lowers it, every `process`/`adjust` ends by re-publishing the least slot minimum, `adjust` step 1 folds the stripe bound into it | `Stripe::wake_time` (any thread, usually the driver deciding when to sleep until) | stores Release, `wake_time` loads Acquire: a reader woken after a filing sees its deadline. The fold is a Relaxed store published by the Release of the clearing CAS (next row) |
//! | **stripe bound** `Stripe::min_when_modified` | `modify` moving a filed node earlier, holding only the node lock: an RMW that always writes (`lower_stripe_bound`), after listing the node; `adjust` steps 1–2 under the stripe lock: a CAS that clears exactly the value it folded; an emptied stripe clears it (store) | `wake_time` (loaded *before* the stripe minimum); `adjust`'s quick test (Relaxed) | modifier's RMW Release ↔ adjuster's CAS AcqRel: the CAS reads the last RMW and so sees every listing made before it, even by a modifier that rewrote the same value (that is why the RMW must always write). CAS Release ↔ `wake_time`'s Acquire: a reader that sees the bound cleared sees the fold |
//! | **moved list** `Stripe::moved` | `modify` moving a filed node earlier pushes the node, under the node lock and then the list's own lock; `adjust` step 3 swaps the list out under the stripe lock and then the list's lock | nobody: always under its lock | the list's mutex orders a push before or after the swap; the handshake below says why a push the swap misses is still covered |
//! | **filed** `Stripe::filed` | stripe-lock holders only, so a Relaxed load and store (no RMW) | `stats`, `needs_purge` | Relaxed: a statistic and a purge heuristic; no data rides on it |
//! | **zombies** `Stripe::zombies` | `stop` and `modify` under the node lock; unfiling under both locks (Relaxed RMWs; each node's changes are ordered by its lock, so it never underflows) | `stats`, `needs_purge` | Relaxed, as `filed` |
//! | **maintenance time** `Stripe::maintenance_when` | stripe-lock holders, only when it changes (it sits alone on its cache lines, read on every arming): the end of each `process` (the cascade ahead's schedule), a filing above level 0 (lowering it to when its slot's cascade ahead begins), a check leaving a sweep pass unfinished (lowering it) | `check` and `TimingWheel::maintenance_time`, which a driver sleeps by; the runtime's arming path | Relaxed: a hint; seen late, it only makes a check later. The runtime's driver and armers order it with their own SeqCst handshake, as the wake time |
//! | **sweep hints** `Stripe::sweeping`, `sweep_pace`, `sweep_share_places` | stripe-lock holders, at the end of each sweep share | `check` (whether to sweep), operations over the zombie line (how much they owe) | Relaxed: hints, confirmed under the lock or only pacing work |
//! | **check waiting** `Stripe::check_waiting` (not under loom) | a check that found the stripe lock taken, around its blocking `lock` | `stop`'s eager unlink, sweep turns, the choice of a stripe for a new timer: each skips the stripe lock while it is set | Relaxed: a hint; seen late or missed, an operation only takes the lock once more. The paths it turns operations to (a zombie, no sweep turn, another stripe) are the ones a busy lock takes, which the models cover |
//! | **sweep debt** `Stripe::sweep_debt` | operations over the zombie line: a Relaxed RMW each, and a subtraction by the one that takes its turn | nobody else | Relaxed: a counter that only paces work |
//! | **returned nodes** `Stripe::returned` | a handle's drop pushes its cleared, unlocked node (a CAS on the head: top index and count) without the stripe lock; stripe-lock holders take the whole stack (swap) to hand its nodes out or give them back to the slab; the wheel's drop closes it (swap to `CLOSED`) | the pusher (its CAS's guess); `stats` (the count) | push CAS Release ↔ take/close swap Acquire: the taker sees the node's link (`prev`) and its cleared fields. A push only adds and a take empties, so there is no ABA. After closing, a pusher finds `CLOSED` and returns its node under the stripe lock, where the last node frees an orphaned stripe (`loom_wheel_dropped_while_handles_drop`, `loom_node_returned_while_a_timer_is_made`, `loom_handle_dropped_racing_clear`) |
//! | **node word** `Node::word` | see the bit table in `node.rs`: `LOCKED`/`PARKED` by the lock; `FILED` and the location under both locks, or the location by a cascade's CAS on a clean unlocked word; `MODIFIED`, `ZOMBIE`, `HANDLE_DROPPED` under the node lock | the sweep (Relaxed, removing under the lock what it sees stopped); a cascade (Relaxed, validated by its CAS); `modify`'s fast path (a Relaxed guess at `FILED`, confirmed under the lock); a handle's drop (CAS) | lock CAS Acquire ↔ unlock Release: everything written under the node lock. Bits set with the unlock (`ZOMBIE`, a later-moving `MODIFIED`) need no earlier publication: the stripe fires, moves or removes a node only under its lock or by a CAS that any of them makes fail |
//!
//! # The state-before-min-update handshake
//!
//! A node moved earlier than its filed deadline stays in its slot until an
//! `adjust` re-files it; meanwhile only the stripe bound covers its new
//! deadline. `adjust` must clear the bound before it takes the moved list
//! (else a lowering during the take would be erased unseen), so a modifier
//! that finds the bound already low enough relies on a value that is about
//! to be cleared. That is harmless because the modifier publishes the move
//! (lists the node) *before* it touches the bound, and the bound write is an
//! RMW:
//!
//! ```text
//! modify:  word |= MODIFIED; push node onto moved list; RMW bound (Release)
//! adjust:  CAS bound -> 0 (AcqRel); take moved list; settle each node
//! ```
//!
//! If the adjuster's CAS reads the modifier's RMW (or a later one), it
//! synchronizes with it, so the push is visible and the take finds the node.
//! If it reads an earlier value, the modifier's RMW comes after the clear in
//! the bound's modification order and survives for the next adjust. Either
//! way the deadline is covered. The locked-in minimum carries the folded
//! bound until step 4 recomputes it from the slots, after step 3 re-filed
//! what it took.
//!
//! Under `--cfg gowheel_broken_min_order`, `modify` lowers the bound before
//! listing the node (the order Go fixed in CL 574741). The loom models
//! `loom_modify_earlier_racing_adjust`,
//! `loom_modify_earlier_in_another_slot_racing_adjust` and
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
//! Node memory comes from per-stripe slabs of 128 KiB chunks (see
//! `slab.rs`). A node is recycled only once it is unfiled and its handle is
//! gone; a thread that reads a word without a lock, or settles a listed
//! node, may find it recycled, which every such reader tolerates. A handle
//! dropped after its node was unfiled clears the node under the node lock
//! (which `clear`, visiting every slab node, takes too) and returns it to
//! the stripe without the stripe lock, on the stack of returned nodes (see
//! *returned nodes* above); the stripe hands those nodes out again, or
//! gives them back to the slab, only under its lock. Until the push, the
//! node is handed out, so its chunk and its stripe live; after it, the
//! dropping thread touches neither.
//! A chunk whose nodes are all free is retired under the stripe lock, right
//! after the moved list is settled, so no list entry points into it. The
//! one reader that can still touch it is a thread that has just released a
//! node lock and wakes the parked waiters: it pins a crossbeam epoch before
//! that release (`WakePin`), and the chunk's memory goes back (on the
//! reclaimer thread) only once every thread pinned then has unpinned.
//! A whole slab goes with its stripe, which lives while its wheel does or
//! while a node of it is handed out; a handle's drop that finds its node
//! locked (and so may wake waiters after unlocking it) holds the stripe
//! lock meanwhile, which the stripe's freeing needs first, and one that
//! returns its unfiled node without that lock unlocks the node (waking any
//! waiter) before the push that gives it back, while it still counts as
//! handed out.
