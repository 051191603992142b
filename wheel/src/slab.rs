//! Node storage for one stripe: nodes are carved out of fixed-size chunks
//! and recycled through per-chunk free lists; a chunk whose nodes are all
//! free goes back to the allocator (one empty chunk is kept as a spare).
//!
//! # Who may still hold a node pointer
//!
//! A node is recycled only when it is unfiled and its handle is gone, and
//! its chunk is freed only under the stripe lock, after the stripe has
//! drained its list of nodes moved earlier (whose entries may point at
//! recycled nodes). After that, the only thread that can still touch the
//! chunk is one that has just released a node's lock and is about to wake
//! the lock's waiters. That thread pins an epoch (crossbeam-epoch) before
//! its release whenever a waiter is parked, and a retired chunk's memory
//! is returned only once every thread pinned at the time has unpinned, and
//! then on the reclaimer thread (see `reclaim.rs`), never under a lock. So
//! no node memory is touched after it is freed.
//!
//! Every chunk is `NODES_PER_CHUNK` nodes, aligned to its own (power of
//! two) size, and its first node's place holds the chunk's number and its
//! stripe instead of a node. So a node's index in the slab (chunk number
//! and offset) is a mask and a load away from its address, and an index is
//! a load and an add away from the node: slot lists link backwards by
//! 32-bit index, which keeps a node at 64 bytes. The same mask and load
//! find a node's stripe, so a handle is the node's address alone.
//!
//! Every method requires the stripe lock (the slab lives inside the
//! stripe's mutex), except [`NodeSlab::index_of`] and
//! [`NodeSlab::owner_of`], which read only the immutable chunk header of a
//! live node.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::mem::{align_of, size_of};
use std::ptr::{self, NonNull};

use crate::Callback;
use crate::node::{NO_NODE, Node, NodeGuard};
use crate::stripe::Stripe;

/// Nodes (and the header's place) in a chunk: 128 KiB of 64-byte nodes.
///
/// A chunk is aligned to its size. An allocator serves a request aligned
/// to its own size from memory about twice as large and returns the rest:
/// from its heap, below its mmap threshold (128 KiB in glibc), the pieces
/// returned are written to, which cost a quarter more resident memory per
/// node at 32 KiB chunks; from fresh mapped pages, at this size, the
/// unused part is never touched and costs no resident memory.
const NODES_PER_CHUNK: usize = 2048;

/// The most empty chunks one call of [`NodeSlab::free_empty_chunks`]
/// retires. Retiring is cheap (the memory itself goes back on the
/// reclaimer thread, see `reclaim.rs`), but each call runs under the
/// stripe lock and lets the epoch collector run what is ready, so a spike's
/// hundreds of empty chunks are retired a few per check; the rest waits for
/// the next checks, which the stripe asks for at once.
const CHUNKS_FREED_PER_CALL: usize = 4;

/// What the first node's place of a chunk holds.
struct ChunkHeader {
    /// The chunk's position in the slab's `chunks`.
    number: u32,
    /// The stripe whose slab holds the chunk, so that a handle needs only
    /// its node's address to find its stripe.
    owner: *const Stripe,
}

const _: () = assert!(size_of::<ChunkHeader>() <= size_of::<Node>());

/// The layout of a chunk: its size rounded up to a power of two for the
/// alignment that lets [`NodeSlab::index_of`] find its header by masking.
fn chunk_layout() -> Layout {
    let size = NODES_PER_CHUNK * size_of::<Node>();
    let align = size.next_power_of_two().max(align_of::<Node>());
    Layout::from_size_align(size, align).expect("a chunk's layout is valid")
}

/// The address of the chunk holding the node at `node`.
#[inline]
fn chunk_base(node: *const Node) -> usize {
    node as usize & !(chunk_layout().align() - 1)
}

/// The header of the chunk holding `node`.
///
/// # Safety
///
/// `node` points to a node carved from some stripe's slab, in a chunk that
/// is still allocated.
#[inline]
unsafe fn header_of<'a>(node: *const Node) -> &'a ChunkHeader {
    // SAFETY: the chunk holding the node starts at its base (chunks are
    // aligned to a power of two at least their size) and is allocated (the
    // caller's contract); its header, written once when the chunk was
    // made, is never written again.
    unsafe { &*(chunk_base(node) as *const ChunkHeader) }
}

/// A block of node storage, owned through a raw pointer: no `&mut` to a
/// whole chunk is ever formed while nodes in it are shared, which would
/// invalidate the pointers handed out to them.
struct Chunk {
    base: NonNull<Node>,
    /// Places initialized so far, the header's included.
    initialized: usize,
    /// Free nodes of this chunk, linked through `next`.
    free: *mut Node,
    /// Nodes of this chunk handed out and not yet released.
    live: usize,
    /// Whether the chunk is on the slab's `with_room` stack.
    listed: bool,
    /// Whether the chunk is on the slab's `empty` stack (where the entry
    /// goes stale once a node is allocated from it again).
    in_empty: bool,
}

impl Chunk {
    fn new(number: u32, owner: *const Stripe) -> Chunk {
        let layout = chunk_layout();
        // SAFETY: the layout has a non-zero size.
        let raw = unsafe { alloc(layout) };
        let Some(base) = NonNull::new(raw.cast::<Node>()) else {
            handle_alloc_error(layout)
        };
        // SAFETY: the first node's place is within the fresh allocation,
        // aligned for a node and so for the smaller header.
        unsafe {
            base.as_ptr()
                .cast::<ChunkHeader>()
                .write(ChunkHeader { number, owner })
        };
        Chunk {
            base,
            initialized: 1,
            free: ptr::null_mut(),
            live: 0,
            listed: false,
            in_empty: false,
        }
    }

    /// The node at `offset` (1 or more: 0 is the header).
    fn node(&self, offset: usize) -> *mut Node {
        debug_assert!((1..NODES_PER_CHUNK).contains(&offset));
        // SAFETY: `offset` is within the allocation of `NODES_PER_CHUNK`
        // nodes.
        unsafe { self.base.as_ptr().add(offset) }
    }

    fn has_room(&self) -> bool {
        !self.free.is_null() || self.initialized < NODES_PER_CHUNK
    }

    /// Drops the chunk's initialized nodes and frees its memory.
    ///
    /// # Safety
    ///
    /// No thread uses any node of the chunk any more.
    unsafe fn free_memory(base: NonNull<Node>, initialized: usize) {
        for offset in 1..initialized {
            // SAFETY: these places hold nodes written by `allocate`, which
            // nobody uses any more (the caller's contract).
            unsafe { ptr::drop_in_place(base.as_ptr().add(offset)) };
        }
        // SAFETY: `base` came from `alloc` with this same layout; the
        // header needs no drop.
        unsafe { dealloc(base.as_ptr().cast::<u8>(), chunk_layout()) };
    }
}

/// A chunk's memory on its way back to the allocator, once no thread can
/// still be waking a waiter on one of its nodes.
#[cfg_attr(loom, allow(dead_code))]
pub(crate) struct RetiredChunk {
    base: NonNull<Node>,
    initialized: usize,
}

// SAFETY: the retired chunk is owned by nobody but this value; it is only
// freed, on whichever thread `free` is called.
unsafe impl Send for RetiredChunk {}

// Under loom no chunk is retired (see `free_empty_chunks`).
#[cfg_attr(loom, allow(dead_code))]
impl RetiredChunk {
    /// Drops the chunk's nodes and returns its memory to the allocator.
    pub(crate) fn free(self) {
        #[cfg(all(test, not(loom)))]
        tests::note_freeing_thread();
        // SAFETY: a chunk is retired only once no node of it is live,
        // listed or filed, and freed only once every thread that could
        // still wake a waiter on one of its nodes has unpinned (see
        // `retire`).
        unsafe { Chunk::free_memory(self.base, self.initialized) };
    }
}

pub(crate) struct NodeSlab {
    /// Chunks by number; a freed chunk's number is vacant (`None`) until a
    /// new chunk takes it.
    chunks: Vec<Option<Chunk>>,
    /// Chunks that may have room, most recent on top (entries go stale
    /// when a chunk fills up or is freed; `allocate` skips those).
    with_room: Vec<u32>,
    /// Vacant chunk numbers.
    vacant: Vec<u32>,
    /// Chunks that were empty when listed; an entry goes stale (and is
    /// skipped) when its chunk has live nodes again, which keeps both
    /// `allocate` and `release` O(1). The first empty chunk stays as a
    /// spare, the others are freed by
    /// [`free_empty_chunks`](NodeSlab::free_empty_chunks).
    empty: Vec<u32>,
    /// Allocated chunks whose nodes are all free (each has an entry in
    /// `empty`).
    empty_chunks: usize,
    /// Nodes handed out and not yet released.
    live: usize,
}

impl NodeSlab {
    pub(crate) fn new() -> NodeSlab {
        NodeSlab {
            chunks: Vec::new(),
            with_room: Vec::new(),
            vacant: Vec::new(),
            empty: Vec::new(),
            empty_chunks: 0,
            live: 0,
        }
    }

    /// A free node: unlocked, unfiled, unarmed, with no callback. `owner`
    /// is the stripe whose slab this is (what [`owner_of`](Self::owner_of)
    /// gives back for the node); a stripe's slab is always given the same.
    pub(crate) fn allocate(&mut self, owner: *const Stripe) -> *mut Node {
        let number = loop {
            match self.with_room.last() {
                Some(&number) => match self.chunks.get_mut(number as usize) {
                    Some(Some(chunk)) if chunk.has_room() => break number,
                    Some(Some(chunk)) => {
                        chunk.listed = false;
                        self.with_room.pop();
                    }
                    // Freed since it was listed.
                    Some(None) | None => {
                        self.with_room.pop();
                    }
                },
                None => break self.add_chunk(owner),
            }
        };
        self.live += 1;
        let chunk = self.chunks[number as usize]
            .as_mut()
            .expect("a listed chunk with room exists");
        if chunk.live == 0 {
            // Its entry in `empty` goes stale.
            self.empty_chunks -= 1;
        }
        chunk.live += 1;
        if !chunk.free.is_null() {
            let node = chunk.free;
            // SAFETY: free nodes are initialized nodes of this chunk that
            // nobody else references; the stripe lock (held by the caller)
            // protects the free lists' links.
            chunk.free = unsafe { (*node).next() };
            return node;
        }
        let node = chunk.node(chunk.initialized);
        // SAFETY: the place is in bounds and uninitialized (past every node
        // handed out from this chunk), so writing a node there touches no
        // other node.
        unsafe { node.write(Node::new()) };
        chunk.initialized += 1;
        node
    }

    /// Makes a new chunk, under a vacant number if any, and lists it as
    /// having room; returns its number.
    fn add_chunk(&mut self, owner: *const Stripe) -> u32 {
        let number = self.vacant.pop().unwrap_or_else(|| {
            u32::try_from(self.chunks.len())
                .ok()
                .filter(|&number| (number as usize + 1) * NODES_PER_CHUNK <= NO_NODE as usize)
                .expect("gowheel wheel: a stripe cannot hold 2^32 timer nodes")
        });
        let mut chunk = Chunk::new(number, owner);
        chunk.listed = true;
        chunk.in_empty = true;
        self.empty.push(number);
        self.empty_chunks += 1;
        if number as usize == self.chunks.len() {
            self.chunks.push(Some(chunk));
        } else {
            self.chunks[number as usize] = Some(chunk);
        }
        self.with_room.push(number);
        number
    }

    /// Takes back `node`, returning its callback for the caller to drop
    /// after releasing the stripe lock. The node's lock is not taken: nobody
    /// else can reach the node.
    ///
    /// # Safety
    ///
    /// As [`Node::recycle_unlocked`]; `node` came from this slab's
    /// `allocate`.
    pub(crate) unsafe fn release(&mut self, node: *mut Node) -> Option<Callback> {
        // SAFETY: forwarded contract.
        let callback = unsafe { (*node).recycle_unlocked() };
        // SAFETY: the node is this slab's, recycled and unreachable.
        unsafe { self.put_back(node) };
        callback
    }

    /// [`release`](Self::release) for a node whose lock the caller holds:
    /// resets it and unlocks it in place, with no second lock round trip.
    ///
    /// # Safety
    ///
    /// `node` came from this slab's `allocate`, is unfiled, its handle is
    /// gone, and nothing else will use it; it is locked by `guard`; and as
    /// [`NodeGuard::unlock_recycled`]: no other thread waits for its lock.
    pub(crate) unsafe fn release_locked(&mut self, guard: NodeGuard<'_>) -> Option<Callback> {
        let node = guard.node() as *const Node as *mut Node;
        // SAFETY: forwarded contract.
        let callback = unsafe { guard.unlock_recycled() };
        // SAFETY: the node is this slab's, recycled and unreachable.
        unsafe { self.put_back(node) };
        callback
    }

    /// Puts the recycled `node` on its chunk's free list.
    ///
    /// # Safety
    ///
    /// The node is this slab's, handed out by `allocate`, recycled (unlocked,
    /// cleared) and reachable by nobody else.
    pub(crate) unsafe fn put_back(&mut self, node: *mut Node) {
        self.live -= 1;
        // SAFETY: the node is this slab's and alive.
        let number = unsafe { Self::index_of(node) } as usize / NODES_PER_CHUNK;
        let chunk = self.chunks[number]
            .as_mut()
            .expect("a released node's chunk is allocated");
        // SAFETY: the node is this slab's and nobody else uses it; the
        // stripe lock (held by the caller) protects the free lists' links.
        unsafe { (*node).set_next(chunk.free) };
        chunk.free = node;
        chunk.live -= 1;
        if !chunk.listed {
            chunk.listed = true;
            self.with_room.push(number as u32);
        }
        if chunk.live == 0 {
            self.empty_chunks += 1;
            if !chunk.in_empty {
                chunk.in_empty = true;
                self.empty.push(number as u32);
            }
        }
    }

    /// Whether chunks beyond the spare are empty, for
    /// [`free_empty_chunks`](Self::free_empty_chunks) to return.
    pub(crate) fn has_empty_chunks(&self) -> bool {
        self.empty_chunks > 1
    }

    /// Returns up to [`CHUNKS_FREED_PER_CALL`] empty chunks, keeping one
    /// spare, to the allocator, once no thread can still be waking a waiter
    /// on one of their nodes (see the module doc). Returns whether empty
    /// chunks beyond the spare are left for a later call.
    ///
    /// # Safety
    ///
    /// No pointer to a node of an empty chunk is kept by the stripe or its
    /// list of nodes moved earlier (the caller has just drained it).
    pub(crate) unsafe fn free_empty_chunks(&mut self) -> bool {
        if cfg!(loom) {
            // The models keep their few chunks: loom does not model the
            // epoch collector.
            return false;
        }
        let mut retired = Vec::new();
        while self.empty_chunks > 1 && retired.len() < CHUNKS_FREED_PER_CALL {
            let number = self
                .empty
                .pop()
                .expect("every empty chunk has an entry in `empty`");
            let entry = self.chunks[number as usize]
                .as_mut()
                .expect("a chunk with an entry in `empty` is allocated");
            entry.in_empty = false;
            if entry.live > 0 {
                // Stale: the chunk was allocated from since.
                continue;
            }
            self.empty_chunks -= 1;
            let chunk = self.chunks[number as usize]
                .take()
                .expect("an empty chunk is allocated");
            self.vacant.push(number);
            retired.push(RetiredChunk {
                base: chunk.base,
                initialized: chunk.initialized,
            });
        }
        retire(retired);
        let held = self.chunks.len();
        while self.chunks.last().is_some_and(Option::is_none) {
            self.chunks.pop();
        }
        if self.chunks.len() < held {
            let held = self.chunks.len();
            self.vacant.retain(|&vacant| (vacant as usize) < held);
        }
        self.empty_chunks > 1
    }

    /// The index of `node` in the slab it came from.
    ///
    /// # Safety
    ///
    /// `node` points to a node carved from some stripe's slab, in a chunk
    /// that is still allocated.
    #[inline]
    pub(crate) unsafe fn index_of(node: *const Node) -> u32 {
        let base = chunk_base(node);
        // SAFETY: forwarded contract.
        let number = unsafe { header_of(node) }.number;
        let offset = (node as usize - base) / size_of::<Node>();
        number * NODES_PER_CHUNK as u32 + offset as u32
    }

    /// The stripe whose slab `node` came from (the `owner` given to
    /// [`allocate`](Self::allocate)).
    ///
    /// # Safety
    ///
    /// As [`index_of`](Self::index_of).
    #[inline]
    pub(crate) unsafe fn owner_of(node: *const Node) -> *const Stripe {
        // SAFETY: forwarded contract.
        unsafe { header_of(node) }.owner
    }

    /// The node at `index`, which [`index_of`](Self::index_of) gave for a
    /// live node of this slab.
    #[inline]
    pub(crate) fn node_at(&self, index: u32) -> *mut Node {
        let index = index as usize;
        self.chunks[index / NODES_PER_CHUNK]
            .as_ref()
            .expect("a live node's chunk is allocated")
            .node(index % NODES_PER_CHUNK)
    }

    /// Nodes initialized so far in the chunks held, free or in use: what a
    /// scan of the slab visits.
    pub(crate) fn initialized(&self) -> usize {
        self.chunks
            .iter()
            .flatten()
            .map(|chunk| chunk.initialized - 1)
            .sum()
    }

    /// Nodes handed out and not yet released.
    pub(crate) fn live(&self) -> usize {
        self.live
    }

    /// Bytes of node storage held, free nodes included.
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.chunks.iter().flatten().count() * chunk_layout().size()
    }

    /// The number of chunk numbers in use or vacant; with
    /// [`chunk_nodes`](Self::chunk_nodes), a way to visit every initialized
    /// node in address order within each chunk without holding a borrow of
    /// the slab.
    pub(crate) fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// The first node of chunk `number` and how many nodes from it are
    /// initialized (they are contiguous); none for a vacant number.
    pub(crate) fn chunk_nodes(&self, number: usize) -> (*mut Node, usize) {
        match &self.chunks[number] {
            Some(chunk) => (chunk.node(1), chunk.initialized - 1),
            None => (ptr::null_mut(), 0),
        }
    }

    /// Every initialized node, free or in use.
    pub(crate) fn nodes(&self) -> impl Iterator<Item = *mut Node> + '_ {
        (0..self.chunk_count()).flat_map(move |number| {
            let (first, initialized) = self.chunk_nodes(number);
            // SAFETY: within the chunk's allocation, whose `initialized`
            // nodes from `first` are initialized.
            (0..initialized).map(move |offset| unsafe { first.add(offset) })
        })
    }
}

/// Hands `chunks` to the epoch collector, which passes them to the
/// reclaimer thread (see `reclaim.rs`) once every thread pinned now has
/// unpinned. The bag is flushed at once rather than left to fill: the
/// collector runs what is ready in batches of up to a bag, so a few at a
/// time keeps the batch that some later pin runs (maybe under a stripe
/// lock) short.
#[cfg(not(loom))]
fn retire(chunks: Vec<RetiredChunk>) {
    if chunks.is_empty() {
        return;
    }
    let guard = crossbeam_epoch::pin();
    for chunk in chunks {
        // SAFETY: the chunk is unreachable for new readers (it was taken
        // out of the slab under the stripe lock, with no node of it live
        // or listed); the only readers left are unlockers waking waiters,
        // which pinned before releasing the node, so they hold the epoch
        // back until they are done.
        unsafe {
            guard.defer_unchecked(move || crate::reclaim::free_on_reclaimer(chunk));
        }
    }
    guard.flush();
}

/// Under loom chunks are never retired (see `free_empty_chunks`).
#[cfg(loom)]
fn retire(chunks: Vec<RetiredChunk>) {
    assert!(chunks.is_empty(), "chunks are not freed under loom");
}

impl Drop for NodeSlab {
    fn drop(&mut self) {
        for chunk in self.chunks.drain(..).flatten() {
            // SAFETY: the stripe is being dropped, which happens only after
            // the wheel is gone and no node is handed out (see `Stripe`'s
            // lifetime); a thread that can still touch a node (to wake its
            // waiters after unlocking it) is a handle's drop, which does so
            // holding the stripe lock, taken before the stripe's freeing.
            unsafe { Chunk::free_memory(chunk.base, chunk.initialized) };
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    use super::*;

    /// The names of the threads that freed retired chunks.
    static FREEING_THREADS: Mutex<Vec<String>> = Mutex::new(Vec::new());

    pub(super) fn note_freeing_thread() {
        let name = std::thread::current().name().unwrap_or("").to_owned();
        FREEING_THREADS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(name);
    }

    /// A slab of `chunks` chunks, filled up and then emptied.
    fn slab_with_empty_chunks(chunks: usize) -> NodeSlab {
        let mut slab = NodeSlab::new();
        let nodes: Vec<_> = (0..chunks * (NODES_PER_CHUNK - 1))
            .map(|_| slab.allocate(ptr::null()))
            .collect();
        for node in nodes {
            // SAFETY: allocated above, unfiled, no handle, unlocked.
            drop(unsafe { slab.release(node) });
        }
        slab
    }

    #[test]
    fn retired_chunks_are_freed_by_the_reclaimer_thread() {
        let mut slab = slab_with_empty_chunks(3);
        // SAFETY: nothing else points at the slab's nodes.
        unsafe { slab.free_empty_chunks() };
        // The collector frees once the epoch has moved on, which takes
        // pins; each flush also offers it the chance.
        let deadline = Instant::now() + Duration::from_secs(30);
        let freed_by = loop {
            crossbeam_epoch::pin().flush();
            let freed_by = FREEING_THREADS
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone();
            if !freed_by.is_empty() || Instant::now() > deadline {
                break freed_by;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        assert!(!freed_by.is_empty(), "no retired chunk was freed in 30 s");
        assert!(
            freed_by.iter().all(|name| name == "gowheel-reclaim"),
            "chunks freed on {freed_by:?}"
        );
    }

    #[test]
    fn empty_chunks_are_freed_a_few_at_a_time() {
        let chunks = 10;
        let mut slab = slab_with_empty_chunks(chunks);
        let full = slab.capacity_bytes();
        let mut calls = 0;
        loop {
            let before = slab.capacity_bytes();
            // SAFETY: nothing else points at the slab's nodes.
            let more = unsafe { slab.free_empty_chunks() };
            calls += 1;
            assert!(
                before - slab.capacity_bytes()
                    <= CHUNKS_FREED_PER_CALL * NODES_PER_CHUNK * size_of::<Node>(),
                "one call frees at most {CHUNKS_FREED_PER_CALL} chunks"
            );
            if !more {
                break;
            }
        }
        assert_eq!(calls, (chunks - 1).div_ceil(CHUNKS_FREED_PER_CALL));
        assert_eq!(slab.capacity_bytes(), full / chunks, "one spare is kept");
    }

    #[test]
    fn a_chunk_emptied_and_refilled_over_and_over_keeps_one_entry() {
        let mut slab = NodeSlab::new();
        for _ in 0..10_000 {
            let node = slab.allocate(ptr::null());
            // SAFETY: allocated above, unfiled, no handle, unlocked.
            drop(unsafe { slab.release(node) });
        }
        assert_eq!(slab.empty.len(), 1);
        assert_eq!(slab.empty_chunks, 1);
        assert!(!slab.has_empty_chunks(), "the one empty chunk is the spare");
    }

    #[test]
    fn a_chunk_allocated_from_again_is_not_freed() {
        let mut slab = slab_with_empty_chunks(3);
        assert_eq!(slab.empty_chunks, 3);
        // From one of the empty chunks: its entry goes stale.
        let kept = slab.allocate(ptr::null());
        assert_eq!(slab.empty_chunks, 2);
        // SAFETY: nothing else points at the slab's nodes.
        let more = unsafe { slab.free_empty_chunks() };
        assert!(!more);
        assert_eq!(slab.empty_chunks, 1, "one spare is kept");
        assert_eq!(slab.capacity_bytes(), 2 * chunk_layout().size());
        // The kept node's chunk is still there: its index resolves.
        // SAFETY: the node is live in this slab.
        let index = unsafe { NodeSlab::index_of(kept) };
        assert_eq!(slab.node_at(index), kept);
        // SAFETY: allocated above, unfiled, no handle, unlocked.
        drop(unsafe { slab.release(kept) });
        assert_eq!(slab.empty_chunks, 2);
        assert!(slab.has_empty_chunks());
    }

    #[test]
    fn indices_and_owners_round_trip_across_chunks() {
        // Never dereferenced: the slab only hands the owner back.
        let owner = NonNull::<Stripe>::dangling().as_ptr().cast_const();
        let mut slab = NodeSlab::new();
        let nodes: Vec<_> = (0..3 * NODES_PER_CHUNK)
            .map(|_| slab.allocate(owner))
            .collect();
        for &node in &nodes {
            // SAFETY: the node is this live slab's.
            let index = unsafe { NodeSlab::index_of(node) };
            assert_ne!(index, NO_NODE);
            assert_eq!(slab.node_at(index), node);
            // SAFETY: as above.
            assert_eq!(unsafe { NodeSlab::owner_of(node) }, owner);
        }
        assert_eq!(slab.initialized(), nodes.len());
        assert_eq!(slab.capacity_bytes(), 4 * chunk_layout().size());
        for node in nodes {
            // SAFETY: allocated above, unfiled, no handle, unlocked.
            drop(unsafe { slab.release(node) });
        }
        assert_eq!(slab.live(), 0);
    }
}
