//! Node storage for one stripe: nodes are carved out of fixed-size chunks
//! and recycled through a free list, never returned to the allocator while
//! the stripe lives.
//!
//! This is what makes reclamation safe without epochs: a node's memory is
//! *type-stable*. A node is recycled only when it is unfiled and its handle
//! is gone, so no thread can reach it any more, except one that has just
//! released its lock and is about to wake the lock's waiters, or a stripe
//! draining its list of nodes moved earlier; both touch memory that is
//! still a valid `Node` (perhaps recycled), which at worst wakes someone
//! spuriously or re-files a node that needed it anyway. The chunks are
//! freed when the stripe is dropped, which happens only after the wheel and
//! every handle are gone.
//!
//! Every chunk is `NODES_PER_CHUNK` nodes, aligned to its own (power of
//! two) size, and its first node's place holds the chunk's number instead
//! of a node. So a node's index in the slab (chunk number and offset) is a
//! mask and a load away from its address, and an index is a load and an
//! add away from the node: slot lists link backwards by 32-bit index, which
//! keeps a node at 64 bytes.
//!
//! Every method requires the stripe lock (the slab lives inside the
//! stripe's mutex), except [`NodeSlab::index_of`], which reads only the
//! immutable chunk header.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::mem::{align_of, size_of};
use std::ptr::{self, NonNull};

use crate::Callback;
use crate::node::{Node, NodeGuard};

/// Nodes (and the header's place) in a chunk: 32 KiB of 64-byte nodes.
const NODES_PER_CHUNK: usize = 512;

/// The index that names no node.
pub(crate) const NO_NODE: u32 = u32::MAX;

/// What the first node's place of a chunk holds.
struct ChunkHeader {
    /// The chunk's position in the slab's `chunks`.
    number: u32,
}

const _: () = assert!(size_of::<ChunkHeader>() <= size_of::<Node>());

/// The layout of a chunk: its size rounded up to a power of two for the
/// alignment that lets [`NodeSlab::index_of`] find its header by masking.
fn chunk_layout() -> Layout {
    let size = NODES_PER_CHUNK * size_of::<Node>();
    let align = size.next_power_of_two().max(align_of::<Node>());
    Layout::from_size_align(size, align).expect("a chunk's layout is valid")
}

/// A block of node storage, owned through a raw pointer: no `&mut` to a
/// whole chunk is ever formed while nodes in it are shared, which would
/// invalidate the pointers handed out to them.
struct Chunk {
    base: NonNull<Node>,
}

impl Chunk {
    fn new(number: u32) -> Chunk {
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
                .write(ChunkHeader { number })
        };
        Chunk { base }
    }

    /// The node at `offset` (1 or more: 0 is the header).
    fn node(&self, offset: usize) -> *mut Node {
        debug_assert!((1..NODES_PER_CHUNK).contains(&offset));
        // SAFETY: `offset` is within the allocation of `NODES_PER_CHUNK`
        // nodes.
        unsafe { self.base.as_ptr().add(offset) }
    }
}

pub(crate) struct NodeSlab {
    /// Every chunk but the last is fully initialized.
    chunks: Vec<Chunk>,
    /// Initialized places in the last chunk, the header's included.
    initialized_in_last: usize,
    /// Free nodes, linked through `next`.
    free: *mut Node,
    /// Nodes handed out and not yet released.
    live: usize,
}

impl NodeSlab {
    pub(crate) fn new() -> NodeSlab {
        NodeSlab {
            chunks: Vec::new(),
            initialized_in_last: NODES_PER_CHUNK,
            free: ptr::null_mut(),
            live: 0,
        }
    }

    /// A free node: unlocked, unfiled, unarmed, with no callback.
    pub(crate) fn allocate(&mut self) -> *mut Node {
        self.live += 1;
        if !self.free.is_null() {
            let node = self.free;
            // SAFETY: free nodes are initialized nodes of this slab that
            // nobody else references; the stripe lock (held by the caller)
            // protects the free list's links.
            self.free = unsafe { (*node).next() };
            return node;
        }
        if self.initialized_in_last == NODES_PER_CHUNK {
            let number = u32::try_from(self.chunks.len())
                .ok()
                .filter(|&number| (number as usize + 1) * NODES_PER_CHUNK <= NO_NODE as usize)
                .expect("gowheel wheel: a stripe cannot hold 2^32 timer nodes");
            self.chunks.push(Chunk::new(number));
            self.initialized_in_last = 1;
        }
        let chunk = self.chunks.last().expect("a chunk was just ensured");
        let node = chunk.node(self.initialized_in_last);
        // SAFETY: the place is in bounds and uninitialized (past every node
        // handed out from this chunk), so writing a node there touches no
        // other node.
        unsafe { node.write(Node::new()) };
        self.initialized_in_last += 1;
        node
    }

    /// Takes back `node`, returning its callback for the caller to drop
    /// after releasing the stripe lock.
    ///
    /// # Safety
    ///
    /// `node` came from this slab's `allocate`, is unlocked, unfiled, its
    /// handle is gone, and nothing else will use it.
    pub(crate) unsafe fn release(&mut self, node: *mut Node) -> Option<Callback> {
        // SAFETY: per the contract nobody else uses the node, so taking its
        // lock cannot wait, and nobody waits for it afterwards, which is
        // `release_locked`'s contract.
        unsafe { self.release_locked((*node).lock()) }
    }

    /// [`release`](Self::release) for a node whose lock the caller holds:
    /// resets it and unlocks it in place, with no second lock round trip.
    ///
    /// # Safety
    ///
    /// As `release`, except that the node is locked by `guard`; and as
    /// [`NodeGuard::unlock_recycled`]: no other thread waits for its lock.
    pub(crate) unsafe fn release_locked(&mut self, guard: NodeGuard<'_>) -> Option<Callback> {
        self.live -= 1;
        let callback = guard.replace_callback(None);
        guard.set_when(0);
        guard.set_period(0);
        guard.set_seq(0);
        let node = guard.node() as *const Node as *mut Node;
        // SAFETY: forwarded contract.
        unsafe { guard.unlock_recycled() };
        // SAFETY: the node is this slab's and nobody else uses it; the
        // stripe lock (held by the caller) protects the free list's links.
        unsafe { (*node).set_next(self.free) };
        self.free = node;
        callback
    }

    /// The index of `node` in the slab it came from.
    ///
    /// # Safety
    ///
    /// `node` points to a node carved from some stripe's slab that is still
    /// alive.
    #[inline]
    pub(crate) unsafe fn index_of(node: *const Node) -> u32 {
        let layout = chunk_layout();
        let address = node as usize;
        let base = address & !(layout.align() - 1);
        // SAFETY: the chunk holding the node starts at `base` (chunks are
        // aligned to a power of two at least their size) and its header,
        // written once when the chunk was made, is never written again.
        let number = unsafe { (*(base as *const ChunkHeader)).number };
        let offset = (address - base) / size_of::<Node>();
        number * NODES_PER_CHUNK as u32 + offset as u32
    }

    /// The node at `index`, which [`index_of`](Self::index_of) gave for a
    /// node of this slab.
    #[inline]
    pub(crate) fn node_at(&self, index: u32) -> *mut Node {
        let index = index as usize;
        self.chunks[index / NODES_PER_CHUNK].node(index % NODES_PER_CHUNK)
    }

    /// Nodes initialized so far, free or in use: what a scan of the slab
    /// visits.
    pub(crate) fn initialized(&self) -> usize {
        match self.chunks.len() {
            0 => 0,
            chunks => (chunks - 1) * (NODES_PER_CHUNK - 1) + self.initialized_in_last - 1,
        }
    }

    /// Nodes handed out and not yet released.
    pub(crate) fn live(&self) -> usize {
        self.live
    }

    /// Bytes of node storage held, free nodes included.
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.chunks.len() * chunk_layout().size()
    }

    /// The number of chunks; with [`chunk_nodes`](Self::chunk_nodes), a way
    /// to visit every initialized node in address order without holding a
    /// borrow of the slab.
    pub(crate) fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// The first node of chunk `index` and how many nodes from it are
    /// initialized (they are contiguous).
    pub(crate) fn chunk_nodes(&self, index: usize) -> (*mut Node, usize) {
        let chunk = &self.chunks[index];
        let initialized = if index + 1 == self.chunks.len() {
            self.initialized_in_last
        } else {
            NODES_PER_CHUNK
        };
        (chunk.node(1), initialized - 1)
    }

    /// Every initialized node, free or in use.
    pub(crate) fn nodes(&self) -> impl Iterator<Item = *mut Node> + '_ {
        (0..self.chunk_count()).flat_map(move |index| {
            let (first, initialized) = self.chunk_nodes(index);
            // SAFETY: within the chunk's allocation, whose `initialized`
            // nodes from `first` are initialized.
            (0..initialized).map(move |offset| unsafe { first.add(offset) })
        })
    }
}

impl Drop for NodeSlab {
    fn drop(&mut self) {
        for node in self.nodes() {
            // SAFETY: `nodes` yields exactly the nodes `allocate` wrote; the
            // stripe is being dropped, so no one references them any more.
            unsafe { ptr::drop_in_place(node) };
        }
        for chunk in self.chunks.drain(..) {
            // SAFETY: `base` came from `alloc` with this same layout, and
            // its nodes were dropped above (the header needs no drop).
            unsafe { dealloc(chunk.base.as_ptr().cast::<u8>(), chunk_layout()) };
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn indices_round_trip_across_chunks() {
        let mut slab = NodeSlab::new();
        let nodes: Vec<_> = (0..3 * NODES_PER_CHUNK).map(|_| slab.allocate()).collect();
        for &node in &nodes {
            // SAFETY: the node is this live slab's.
            let index = unsafe { NodeSlab::index_of(node) };
            assert_ne!(index, NO_NODE);
            assert_eq!(slab.node_at(index), node);
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
