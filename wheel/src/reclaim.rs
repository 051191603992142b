//! Chunk memory goes back to the system on a thread of its own.
//!
//! Freeing a chunk unmaps 128 KiB, and an unmap must flush the other CPUs'
//! address translations: microseconds on a quiet machine, milliseconds on
//! a virtual one whose other CPU the host has descheduled. The epoch
//! collector runs a retired chunk's deferred function on whichever thread
//! pins next, which may be the driver in a check or an operation holding a
//! stripe lock, so the deferred function does not free the chunk: it hands
//! it to one process-wide reclaimer thread, started on first use, that
//! frees chunks as they come and otherwise sleeps. No timer operation and
//! no check waits for an unmap.
//!
//! An unmap still holds the process's address-space lock while it runs, so
//! a thread that maps or protects memory meanwhile (an allocator growing a
//! thread's arena, say) waits for it wherever it is done. That is also why
//! the reclaimer keeps normal priority: at idle priority, preempted by
//! busy threads in the middle of an unmap, it would keep every such thread
//! waiting for as long as it was kept off the CPU.
//!
//! If the reclaimer thread cannot be started, a chunk is freed where its
//! deferred function runs, as it would be without the reclaimer.

use std::sync::OnceLock;
use std::sync::mpsc::{Sender, channel};
use std::thread;

use crate::slab::RetiredChunk;

/// The reclaimer's queue, or `None` if its thread could not be started.
static RECLAIMER: OnceLock<Option<Sender<RetiredChunk>>> = OnceLock::new();

/// Starts the reclaimer thread and returns its queue.
fn start_reclaimer() -> Option<Sender<RetiredChunk>> {
    let (sender, receiver) = channel::<RetiredChunk>();
    thread::Builder::new()
        .name("gowheel-reclaim".to_owned())
        .spawn(move || {
            // Ends only with the process: the sender lives in a static.
            for chunk in receiver {
                chunk.free();
            }
        })
        .ok()?;
    Some(sender)
}

/// Frees `chunk`'s memory on the reclaimer thread, or here if there is
/// none.
pub(crate) fn free_on_reclaimer(chunk: RetiredChunk) {
    match RECLAIMER.get_or_init(start_reclaimer) {
        Some(reclaimer) => {
            if let Err(returned) = reclaimer.send(chunk) {
                // The receiver never drops (see above); free it here if
                // it ever did.
                returned.0.free();
            }
        }
        None => chunk.free(),
    }
}
