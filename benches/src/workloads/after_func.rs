//! Functions run by due timers: Go's `BenchmarkAfterFunc1000`, a chain of
//! 1,000 `AfterFunc(0)` each started by the previous one's function, and
//! `BenchmarkSimultaneousAfterFunc1000`, 1,000 `AfterFunc(0)` at once and
//! a wait for all.
//!
//! A chain holds its backend weakly: a function that kept the backend alive
//! would keep its timers, and so itself, alive.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::backend::TimerBackend;
use crate::pool::Latch;
use crate::runner::Runner;

use super::team::repeat;

/// Functions per iteration, in the chain or at once.
const FUNCTIONS_PER_ITERATION: usize = 1000;

/// Go's `BenchmarkAfterFunc1000`.
pub(super) fn after_func_1000<B: TimerBackend>(
    backend: &Arc<B>,
    threads: usize,
    preamble: usize,
) -> Box<dyn Runner> {
    repeat(backend, threads, preamble, |backend: &Arc<B>| {
        after_func_chain(backend, FUNCTIONS_PER_ITERATION as i64);
    })
}

/// Go's `BenchmarkSimultaneousAfterFunc1000`.
pub(super) fn simultaneous_after_func_1000<B: TimerBackend>(
    backend: &Arc<B>,
    threads: usize,
    preamble: usize,
) -> Box<dyn Runner> {
    repeat(backend, threads, preamble, |backend: &Arc<B>| {
        simultaneous_after_func(&**backend, FUNCTIONS_PER_ITERATION);
    })
}

/// Go's `BenchmarkAfterFunc1000` chain: each function starts the next
/// `AfterFunc(0)` until `links` have run, then the waiter is woken.
struct Chain<B> {
    backend: Weak<B>,
    remaining: AtomicI64,
    done: Arc<Latch>,
}

/// One link of the chain: Go's `f`.
fn chain_link<B: TimerBackend>(chain: &Arc<Chain<B>>) {
    // Relaxed: the count is only this chain's, and links run one after
    // another, each started by the previous.
    if chain.remaining.fetch_sub(1, Ordering::Relaxed) > 0 {
        if let Some(backend) = chain.backend.upgrade() {
            let next = chain.clone();
            backend.after_func(Duration::ZERO, move || chain_link(&next));
        }
    } else {
        chain.done.count_down();
    }
}

/// Runs a chain of `links` functions and waits for its end.
fn after_func_chain<B: TimerBackend>(b: &Arc<B>, links: i64) {
    let chain = Arc::new(Chain {
        backend: Arc::downgrade(b),
        remaining: AtomicI64::new(links),
        done: Latch::new(1),
    });
    let first = chain.clone();
    b.after_func(Duration::ZERO, move || chain_link(&first));
    chain.done.wait();
}

/// Go's `BenchmarkSimultaneousAfterFunc1000` body.
fn simultaneous_after_func<B: TimerBackend>(b: &B, count: usize) {
    let all_done = Latch::new(count);
    for _ in 0..count {
        let done = all_done.clone();
        b.after_func(Duration::ZERO, move || done.count_down());
    }
    all_done.wait();
}
