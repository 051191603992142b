//! Nodes that handles' drops return to their stripe without its lock.
//!
//! A handle dropped while its node is unfiled clears the node under the
//! node lock, unlocks it, and pushes it here with one CAS. The stripe takes
//! the whole stack at once, under its lock, when it allocates a node and
//! has none left from the last take, and hands those nodes out again
//! before the slab's; a check gives a bounded number back to the slab, so
//! that the memory of chunks that empty still comes back.
//!
//! # The head
//!
//! One 64-bit word: the slab index of the top node (`NO_NODE` if none)
//! and, above it, how many nodes the stack holds, so that statistics need
//! no walk. Each node links to the one below by its `prev` index, written
//! by the pusher, who alone can reach the node, before its Release CAS; the
//! taker's Acquire swap makes the link and the node's cleared fields
//! visible. Pushes only add and a take empties the stack, so a node is
//! never popped alone and no ABA can arise.
//!
//! When its wheel goes, the stripe closes the stack (a swap to `CLOSED`)
//! and gives every node taken back to the slab, after which a pusher finds
//! it closed and returns its node under the stripe lock instead: whoever
//! leaves the slab with no node handed out frees the stripe (see
//! `Stripe`'s lifetime), and the closed stack holds none.

use crate::node::{NO_NODE, Node};
use crate::sync::atomic::{AtomicU64, Ordering};

/// The head of an empty stack.
const EMPTY: u64 = NO_NODE as u64;
/// The head of a closed stack: no index, and a count no stack reaches.
const CLOSED: u64 = u64::MAX;

/// A stack of nodes as taken: the top's index and how many there are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NodeStack {
    pub(crate) top: u32,
    pub(crate) len: u32,
}

impl NodeStack {
    pub(crate) const EMPTY: NodeStack = NodeStack {
        top: NO_NODE,
        len: 0,
    };

    fn from_head(head: u64) -> NodeStack {
        NodeStack {
            top: head as u32,
            len: (head >> 32) as u32,
        }
    }
}

/// The stripe's stack of returned nodes.
pub(crate) struct ReturnedNodes {
    head: AtomicU64,
}

/// The stack was closed: its stripe's wheel is gone.
#[derive(Debug)]
pub(crate) struct Closed;

impl ReturnedNodes {
    pub(crate) fn new() -> ReturnedNodes {
        ReturnedNodes {
            head: AtomicU64::new(EMPTY),
        }
    }

    /// Pushes `node`, whose slab index is `index`.
    ///
    /// # Safety
    ///
    /// The calling thread alone can reach the node: it is unfiled, cleared
    /// for reuse, unlocked, and its handle is gone. The node is handed out
    /// by this stripe's slab, which keeps the stripe alive during the call.
    /// After an `Ok`, the node is the stripe's, and the stripe may be freed
    /// at any moment: the caller touches neither again.
    #[inline]
    pub(crate) unsafe fn push(&self, node: &Node, index: u32) -> Result<(), Closed> {
        // Relaxed: a first guess for the CAS, which validates it.
        let mut head = self.head.load(Ordering::Relaxed);
        loop {
            if head == CLOSED {
                return Err(Closed);
            }
            // SAFETY: nobody else can reach the node (the contract), and the
            // link is read only by the taker, after its Acquire swap.
            unsafe { node.set_prev(head as u32) };
            let pushed = (head & !u64::from(u32::MAX)) + (1 << 32) + u64::from(index);
            // Release: pairs with the Acquire swap of `take` and `close`,
            // publishing the link and everything the node's clearing wrote.
            match self.head.compare_exchange_weak(
                head,
                pushed,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(()),
                Err(current) => head = current,
            }
        }
    }

    /// Takes every node pushed so far; an empty stack if none was, or if
    /// the stack is closed.
    #[inline]
    pub(crate) fn take(&self) -> NodeStack {
        // Relaxed: the common case finds the stack empty and needs nothing
        // published; a non-empty one is taken by the Acquire swap below.
        let head = self.head.load(Ordering::Relaxed);
        if head == EMPTY || head == CLOSED {
            return NodeStack::EMPTY;
        }
        // Acquire: pairs with the Release CAS of every push it takes.
        NodeStack::from_head(self.head.swap(EMPTY, Ordering::Acquire))
    }

    /// Closes the stack and takes what it holds; every later push fails.
    pub(crate) fn close(&self) -> NodeStack {
        // Acquire: as in `take`.
        let head = self.head.swap(CLOSED, Ordering::Acquire);
        if head == CLOSED {
            NodeStack::EMPTY
        } else {
            NodeStack::from_head(head)
        }
    }

    /// How many nodes the stack holds now: a statistic, exact only while
    /// no handle is being dropped.
    pub(crate) fn len(&self) -> u32 {
        // Relaxed: a count, with no data riding on it.
        let head = self.head.load(Ordering::Relaxed);
        if head == CLOSED {
            0
        } else {
            NodeStack::from_head(head).len
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// Pushes `nodes[i]` under the index `i`.
    fn push_all(stack: &ReturnedNodes, nodes: &[Node]) -> Vec<Result<(), Closed>> {
        nodes
            .iter()
            .enumerate()
            // SAFETY: the nodes are this test's own, reachable by it alone.
            .map(|(index, node)| unsafe { stack.push(node, index as u32) })
            .collect()
    }

    #[test]
    fn a_take_gets_every_push_newest_first_linked_by_prev() {
        let stack = ReturnedNodes::new();
        assert_eq!(stack.take(), NodeStack::EMPTY);
        let nodes: Vec<Node> = (0..3).map(|_| Node::new()).collect();
        assert!(push_all(&stack, &nodes).iter().all(Result::is_ok));
        assert_eq!(stack.len(), 3);
        let taken = stack.take();
        assert_eq!(taken, NodeStack { top: 2, len: 3 });
        // SAFETY: the nodes are this test's own.
        let links: Vec<u32> = nodes.iter().map(|node| unsafe { node.prev() }).collect();
        assert_eq!(
            links,
            [NO_NODE, 0, 1],
            "each links to the one pushed before"
        );
        assert_eq!(stack.len(), 0);
        assert_eq!(stack.take(), NodeStack::EMPTY, "a take empties the stack");
    }

    #[test]
    fn a_closed_stack_refuses_pushes_and_gave_up_what_it_held() {
        let stack = ReturnedNodes::new();
        let nodes: Vec<Node> = (0..2).map(|_| Node::new()).collect();
        assert!(push_all(&stack, &nodes[..1]).iter().all(Result::is_ok));
        assert_eq!(stack.close(), NodeStack { top: 0, len: 1 });
        assert!(push_all(&stack, &nodes[1..]).iter().all(Result::is_err));
        assert_eq!(stack.len(), 0);
        assert_eq!(stack.take(), NodeStack::EMPTY);
        assert_eq!(
            stack.close(),
            NodeStack::EMPTY,
            "closing twice takes nothing"
        );
    }
}
