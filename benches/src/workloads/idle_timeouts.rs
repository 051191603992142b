//! IdleTimeouts, the server pattern: one idle timeout per connection,
//! pushed back to [`IDLE_TIMEOUT`] from now whenever a packet arrives on a
//! random connection, from every thread. The connections are split between
//! the threads; each thread picks among its own with a generator seeded by
//! its index, so runs are repeatable.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use crate::backend::TimerBackend;
use crate::runner::Runner;

use super::team::team;

/// The idle timeout IdleTimeouts pushes back on every packet.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// IdleTimeouts on `threads` threads sharing `connections` connections.
pub(super) fn idle_timeouts<B: TimerBackend>(
    backend: &Arc<B>,
    threads: usize,
    preamble: usize,
    connections: usize,
) -> Box<dyn Runner> {
    let per_thread = (connections / threads).max(1);
    team(
        backend,
        threads,
        preamble,
        move |backend: &Arc<B>, index| {
            let timers: Vec<B::Timer> = (0..per_thread)
                .map(|_| backend.start(IDLE_TIMEOUT))
                .collect();
            (timers, fastrand::Rng::with_seed(index as u64))
        },
        |backend: &Arc<B>, (timers, rng): &mut (Vec<B::Timer>, fastrand::Rng), packets| {
            for _ in 0..packets {
                let connection = pick_connection(rng, timers.len());
                black_box(backend.reset(&mut timers[connection], IDLE_TIMEOUT));
            }
        },
    )
}

/// The connection the next packet arrives on, uniform in `0..connections`
/// (`connections > 0`).
#[inline]
fn pick_connection(rng: &mut fastrand::Rng, connections: usize) -> usize {
    rng.usize(..connections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picked_connections_stay_below_the_count() {
        let mut rng = fastrand::Rng::with_seed(7);
        for connections in [1, 2, 3, 1000] {
            for _ in 0..1000 {
                assert!(pick_connection(&mut rng, connections) < connections);
            }
        }
    }
}
