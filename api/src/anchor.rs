//! A reference count striped over cache lines: one share per group of
//! threads.
//!
//! Every [`AfterFunc`](crate::AfterFunc) keeps its runtime alive. If each
//! held a clone of one `Arc`, every thread making or dropping one would
//! write that one reference count, and threads doing so in parallel would
//! take turns owning its cache line. So the owner keeps [`ANCHORS`]
//! anchors, each a reference-counted holder of the shared value's `Arc` on
//! cache lines of its own, and a handle clones the anchor its thread's
//! number picks. The value lives until its last anchor is gone, as it would
//! until its last `Arc` clone.
//!
//! The module knows nothing of what it anchors: [`Anchors<T>`] works for
//! any `T`, and the runtime instantiates it with its shared part.

use std::sync::Arc;

use crossbeam_utils::CachePadded;
use gowheel_wheel::thread_position;

/// Anchors per value: threads share one only past this many threads.
const ANCHORS: usize = 32;

/// One share of a value's reference count. Cache-padded, so that its count
/// (first in the `Arc`'s allocation) and its contents are each alone on
/// their cache lines, whoever allocates next to it.
pub(crate) struct Anchor<T> {
    value: CachePadded<Arc<T>>,
}

impl<T> Anchor<T> {
    /// The anchored value.
    #[inline]
    pub(crate) fn get(&self) -> &T {
        &self.value
    }
}

/// A value's anchors, kept by its owner.
pub(crate) struct Anchors<T> {
    anchors: Box<[Arc<Anchor<T>>]>,
}

impl<T> Anchors<T> {
    /// [`ANCHORS`] anchors, each holding a clone of `value`.
    pub(crate) fn new(value: &Arc<T>) -> Anchors<T> {
        Anchors {
            anchors: (0..ANCHORS)
                .map(|_| {
                    Arc::new(Anchor {
                        value: CachePadded::new(value.clone()),
                    })
                })
                .collect(),
        }
    }

    /// The anchor for handles made on the calling thread.
    #[inline]
    pub(crate) fn for_this_thread(&self) -> &Arc<Anchor<T>> {
        &self.anchors[thread_position(self.anchors.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_lives_until_its_last_anchor_is_dropped() {
        let value = Arc::new(7);
        let anchors = Anchors::new(&value);
        let held = anchors.for_this_thread().clone();
        drop(anchors);
        assert_eq!(
            Arc::strong_count(&value),
            2,
            "the held anchor keeps its clone"
        );
        assert_eq!(*held.get(), 7);
        drop(held);
        assert_eq!(Arc::strong_count(&value), 1, "every anchor is gone");
    }

    #[test]
    fn a_thread_always_gets_the_same_anchor() {
        let anchors = Anchors::new(&Arc::new(()));
        let first = anchors.for_this_thread();
        assert!(Arc::ptr_eq(first, anchors.for_this_thread()));
        assert_eq!(
            std::mem::align_of::<Anchor<()>>(),
            std::mem::align_of::<CachePadded<()>>(),
            "each anchor on cache lines of its own"
        );
        assert!(std::mem::align_of::<Anchor<()>>() >= 64);
    }
}
