//! Shares of a runtime's reference count, one per group of threads.
//!
//! Every [`AfterFunc`](crate::AfterFunc) keeps its runtime alive. If each
//! held a clone of the runtime's own `Arc`, every thread making or dropping
//! one would write that one reference count, and threads doing so in
//! parallel would take turns owning its cache line. So a runtime holds
//! [`ANCHORS`] anchors, each a reference-counted holder of the runtime's
//! `Arc` on cache lines of its own, and a handle clones the anchor its
//! thread's number picks. The runtime lives until its last anchor is gone,
//! as it would until its last `Arc` clone.

use std::sync::Arc;

use crate::runtime::RuntimeShared;
use crate::thread_number::thread_number;

/// Anchors per runtime: threads share one only past this many threads.
const ANCHORS: usize = 32;

/// One share of a runtime's reference count. Aligned so that its count
/// (first in the `Arc`'s allocation) and its contents are each alone on
/// their cache lines, whoever allocates next to it.
#[repr(align(128))]
pub(crate) struct RuntimeAnchor {
    shared: Arc<RuntimeShared>,
}

impl RuntimeAnchor {
    /// The runtime.
    #[inline]
    pub(crate) fn shared(&self) -> &RuntimeShared {
        &self.shared
    }
}

/// A runtime's anchors, kept by its owner.
pub(crate) struct RuntimeAnchors {
    anchors: Box<[Arc<RuntimeAnchor>]>,
}

impl RuntimeAnchors {
    pub(crate) fn new(shared: &Arc<RuntimeShared>) -> RuntimeAnchors {
        RuntimeAnchors {
            anchors: (0..ANCHORS)
                .map(|_| {
                    Arc::new(RuntimeAnchor {
                        shared: shared.clone(),
                    })
                })
                .collect(),
        }
    }

    /// The anchor for handles made on the calling thread.
    #[inline]
    pub(crate) fn for_this_thread(&self) -> &Arc<RuntimeAnchor> {
        &self.anchors[thread_number() % self.anchors.len()]
    }
}
