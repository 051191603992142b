//! What a check fired, as a differential run compares it: one
//! [`FiredEntry`] per callback run, and the checks and rendering of a
//! check's whole list.
//!
//! An entry carries everything a run can observe of a callback run (timer,
//! `seq`, `delay`, the deadline `now - delay`, and what the callback's own
//! operation returned), so that two sets that fire alike give equal
//! entries. Entries order by `when` first, so sorting a check's list gives
//! the canonical order of the multiset comparison: Go gives no order among
//! timers due at the same `when`.

use std::fmt;

/// One callback run, as the harness recorded it.
///
/// Ordered by `when` first, then timer, so that sorting a check's entries
/// gives the canonical order the multiset comparison uses.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiredEntry {
    /// The deadline the timer fired for: `now - delay`.
    pub when: i64,
    /// The index of the timer whose callback ran.
    pub timer: usize,
    /// The `seq` the set passed.
    pub seq: u64,
    /// The `delay` the set passed.
    pub delay: i64,
    /// What the callback's [`OnFire`](super::OnFire) operation returned
    /// (whether the timer was pending), or the panic it raised; `None` if it
    /// did nothing.
    pub on_fire: Option<Result<bool, String>>,
}

impl fmt::Display for FiredEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "timer {} seq {} when {} delay {}",
            self.timer, self.seq, self.when, self.delay
        )?;
        match &self.on_fire {
            None => Ok(()),
            Some(Ok(pending)) => write!(f, " (its on-fire call returned {pending})"),
            Some(Err(message)) => write!(f, " (its on-fire call {message})"),
        }
    }
}

/// A check's fired list on its own: a negative delay, or `when`s out of
/// order.
pub(super) fn fired_problem(fired: &[FiredEntry]) -> Option<String> {
    if let Some(entry) = fired.iter().find(|entry| entry.delay < 0) {
        return Some(format!("{entry} has a negative delay"));
    }
    fired
        .windows(2)
        .find(|pair| pair[1].when < pair[0].when)
        .map(|pair| format!("{} ran after {}: whens out of order", pair[1], pair[0]))
}

/// A check's fired list, for a divergence report.
pub(super) fn list(fired: &[FiredEntry]) -> String {
    if fired.is_empty() {
        return "nothing".to_string();
    }
    let entries: Vec<String> = fired.iter().map(ToString::to_string).collect();
    format!("[{}]", entries.join("; "))
}
