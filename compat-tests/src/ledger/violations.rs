//! [`Violations`]: what a run found wrong, counted, with the first
//! messages kept. Every thread of a run, callbacks included, reports into
//! one; reporting never panics, so that one violation does not hide the
//! others.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::panics::lock;

/// Violations found by a run: a count and the first messages.
///
/// Shared by every thread of a run; recording never panics, so that one
/// violation does not hide the others (a panic on the driver thread would
/// be swallowed by the panic hook anyway).
///
/// ```
/// let violations = gowheel_compat_tests::ledger::Violations::new();
/// violations.report("func 3: fired early");
/// assert_eq!(violations.count(), 1);
/// assert_eq!(violations.messages(), vec!["func 3: fired early".to_owned()]);
/// ```
#[derive(Debug, Default)]
pub struct Violations {
    count: AtomicUsize,
    kept: Mutex<Vec<String>>,
}

impl Violations {
    /// How many messages are kept; later ones are only counted.
    pub const KEPT: usize = 100;

    /// No violations yet.
    pub fn new() -> Violations {
        Violations::default()
    }

    /// Records one violation.
    pub fn report(&self, message: impl Into<String>) {
        // Relaxed: a statistic, read after the run's threads are joined.
        if self.count.fetch_add(1, Ordering::Relaxed) < Self::KEPT {
            lock(&self.kept).push(message.into());
        }
    }

    /// How many violations were reported.
    pub fn count(&self) -> usize {
        // Relaxed: see `report`.
        self.count.load(Ordering::Relaxed)
    }

    /// Whether none was reported.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// The first [`KEPT`](Self::KEPT) messages, in reporting order.
    pub fn messages(&self) -> Vec<String> {
        lock(&self.kept).clone()
    }
}
