//! Node storage for one stripe: nodes are carved out of chunks and recycled
//! through a free list, never returned to the allocator while the stripe
//! lives.
//!
//! This is what makes reclamation safe without epochs: a node's memory is
//! *type-stable*. A node is recycled only when it is unfiled and its handle
//! is gone, so no thread can reach it any more, except one that has just
//! released its lock and is about to wake the lock's waiters; that wake
//! touches memory that is still a valid `Node` (perhaps recycled), which at
//! worst wakes someone spuriously. The chunks are freed when the stripe is
//! dropped, which happens only after the wheel and every handle are gone.
//!
//! It also keeps a live timer at exactly 64 bytes: chunks have no
//! per-node allocator header.
//!
//! Every method requires the stripe lock (the slab lives inside the
//! stripe's mutex).

use std::mem::MaybeUninit;
use std::ptr::{self, NonNull};

use crate::Callback;
use crate::node::{Node, NodeGuard};

/// Nodes in the first chunk; each later chunk doubles, up to the maximum.
const FIRST_CHUNK_NODES: usize = 32;
const MAX_CHUNK_NODES: usize = 4096;

/// A block of node storage, owned through a raw pointer: no `&mut` to a
/// whole chunk is ever formed while nodes in it are shared, which would
/// invalidate the pointers handed out to them.
struct Chunk {
    base: NonNull<MaybeUninit<Node>>,
    len: usize,
}

impl Chunk {
    fn new(len: usize) -> Chunk {
        let storage: Box<[MaybeUninit<Node>]> = Box::new_uninit_slice(len);
        // SAFETY: `Box::into_raw` never returns null.
        let base =
            unsafe { NonNull::new_unchecked(Box::into_raw(storage).cast::<MaybeUninit<Node>>()) };
        Chunk { base, len }
    }

    /// The node at `index`.
    fn node(&self, index: usize) -> *mut Node {
        debug_assert!(index < self.len);
        // SAFETY: `index` is within the allocation of `len` nodes.
        unsafe { self.base.as_ptr().add(index).cast::<Node>() }
    }
}

pub(crate) struct NodeSlab {
    /// Every chunk but the last is fully initialized.
    chunks: Vec<Chunk>,
    /// Initialized nodes in the last chunk.
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
            initialized_in_last: 0,
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
        let chunk_full = self
            .chunks
            .last()
            .is_none_or(|chunk| self.initialized_in_last == chunk.len);
        if chunk_full {
            let nodes = self.chunks.last().map_or(FIRST_CHUNK_NODES, |chunk| {
                (chunk.len * 2).min(MAX_CHUNK_NODES)
            });
            self.chunks.push(Chunk::new(nodes));
            self.initialized_in_last = 0;
        }
        let chunk = self.chunks.last().expect("a chunk was just ensured");
        let node = chunk.node(self.initialized_in_last);
        // SAFETY: the slot is in bounds and uninitialized (past every node
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

    /// Nodes initialized so far, free or in use: what a scan of the slab
    /// visits.
    pub(crate) fn initialized(&self) -> usize {
        (0..self.chunk_count())
            .map(|index| self.chunk_nodes(index).1)
            .sum()
    }

    /// Nodes handed out and not yet released.
    pub(crate) fn live(&self) -> usize {
        self.live
    }

    /// Bytes of node storage held, free nodes included.
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.chunks.iter().map(|chunk| chunk.len).sum::<usize>() * std::mem::size_of::<Node>()
    }

    /// The number of chunks; with [`chunk_nodes`](Self::chunk_nodes), a way
    /// to visit every initialized node in address order without holding a
    /// borrow of the slab.
    pub(crate) fn chunk_count(&self) -> usize {
        self.chunks.len()
    }

    /// The first node of chunk `index` and how many of its nodes are
    /// initialized (they are contiguous from the first).
    pub(crate) fn chunk_nodes(&self, index: usize) -> (*mut Node, usize) {
        let chunk = &self.chunks[index];
        let initialized = if index + 1 == self.chunks.len() {
            self.initialized_in_last
        } else {
            chunk.len
        };
        (chunk.node(0), initialized)
    }

    /// Every initialized node, free or in use.
    pub(crate) fn nodes(&self) -> impl Iterator<Item = *mut Node> + '_ {
        (0..self.chunk_count()).flat_map(move |index| {
            let (first, initialized) = self.chunk_nodes(index);
            // SAFETY: within the chunk's allocation, whose first
            // `initialized` nodes are initialized.
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
            // SAFETY: `base` and `len` came from `Box::into_raw` of a boxed
            // slice of that length, which is rebuilt once to free it; its
            // nodes were dropped above.
            drop(unsafe {
                Box::from_raw(ptr::slice_from_raw_parts_mut(
                    chunk.base.as_ptr(),
                    chunk.len,
                ))
            });
        }
    }
}
