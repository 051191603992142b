//! The runner every parallel workload shares: a [`Team`] of pool threads,
//! each with Go's preamble and its own state, splitting `n` iterations
//! between them as `b.RunParallel` does (see [`crate::pool`]).

use std::sync::Arc;
use std::time::Duration;

use crate::backend::TimerBackend;
use crate::pool::Team;
use crate::runner::Runner;

/// A parallel workload on a [`Team`].
struct TeamRunner {
    team: Team,
}

impl Runner for TeamRunner {
    fn run(&mut self, iters: u64) -> Duration {
        self.team.run(iters)
    }
}

/// A parallel workload whose threads each make `setup(&backend, index)`
/// once, untimed, then run `body(&backend, &mut state, iterations)` per
/// timed run (see [`Team::new`]).
pub(super) fn team<B, S, Setup, Body>(
    backend: &Arc<B>,
    threads: usize,
    preamble: usize,
    setup: Setup,
    body: Body,
) -> Box<dyn Runner>
where
    B: TimerBackend,
    S: 'static,
    Setup: Fn(&Arc<B>, usize) -> S + Send + Sync + 'static,
    Body: Fn(&Arc<B>, &mut S, u64) + Send + Sync + 'static,
{
    Box::new(TeamRunner {
        team: Team::new(backend, threads, preamble, setup, body),
    })
}

/// A parallel workload whose threads repeat `operation`, with no state of
/// their own.
pub(super) fn repeat<B, Operation>(
    backend: &Arc<B>,
    threads: usize,
    preamble: usize,
    operation: Operation,
) -> Box<dyn Runner>
where
    B: TimerBackend,
    Operation: Fn(&Arc<B>) + Send + Sync + 'static,
{
    team(
        backend,
        threads,
        preamble,
        |_, _| (),
        move |backend, (), iterations| {
            for _ in 0..iterations {
                operation(backend);
            }
        },
    )
}
