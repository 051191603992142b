//! Go's deadline vocabulary, shared by every backend: what a deadline of 0
//! and of `i64::MAX` mean, what a callback is, which arguments are valid,
//! and how a periodic timer's next deadline is computed.

use std::sync::Arc;

/// The deadline meaning "not armed"; as a wake time, "no timers at all".
///
/// ```
/// assert_eq!(gowheel_wheel::NOT_ARMED, 0);
/// ```
pub const NOT_ARMED: i64 = 0;

/// The saturated far-future deadline: a timer armed at `MAX_WHEN` is pending
/// but is never reached. Deadline arithmetic that overflows lands here.
///
/// ```
/// assert_eq!(gowheel_wheel::MAX_WHEN, i64::MAX);
/// ```
pub const MAX_WHEN: i64 = i64::MAX;

/// A timer's callback: called as `f(seq, delay)` by the thread running
/// the `check` of its timer set, with no lock of the set held.
///
/// `seq` is the value passed to `modify` together with this
/// callback; `delay` is `now - when`, never negative.
///
/// Build one with [`callback`], which spares you the closure's type
/// annotations.
///
/// ```
/// let f: gowheel_wheel::Callback = gowheel_wheel::callback(|seq, delay| {
///     assert!(delay >= 0);
///     let _ = seq;
/// });
/// f(7, 0);
/// ```
pub type Callback = Arc<dyn Fn(u64, i64) + Send + Sync + 'static>;

/// Wraps a closure `f(seq, delay)` into a [`Callback`].
///
/// ```
/// use std::sync::atomic::{AtomicI64, Ordering};
/// use std::sync::Arc;
///
/// let last_delay = Arc::new(AtomicI64::new(-1));
/// let seen = last_delay.clone();
/// let f = gowheel_wheel::callback(move |_seq, delay| seen.store(delay, Ordering::Relaxed));
/// f(0, 25);
/// assert_eq!(last_delay.load(Ordering::Relaxed), 25);
/// ```
pub fn callback<F>(f: F) -> Callback
where
    F: Fn(u64, i64) + Send + Sync + 'static,
{
    Arc::new(f)
}

/// Panics unless `when` and `period` are valid arguments of
/// `modify`: `when > 0` and `period >= 0`. Backends call it first
/// thing, so that bad input is refused before any state changes.
///
/// # Panics
///
/// With a message naming the bad value.
///
/// ```
/// gowheel_wheel::validate_modify_args(1, 0); // fine
/// let err = std::panic::catch_unwind(|| gowheel_wheel::validate_modify_args(0, 0));
/// assert!(err.is_err());
/// ```
#[inline]
#[track_caller]
pub fn validate_modify_args(when: i64, period: i64) {
    if when <= 0 {
        bad_when(when);
    }
    if period < 0 {
        bad_period(period);
    }
}

/// Why `modify`'s arguments were refused by [`check_modify_args`]: the
/// same cases, and messages, as the panics of [`validate_modify_args`].
///
/// ```
/// use gowheel_wheel::{ModifyArgsError, check_modify_args};
/// assert_eq!(check_modify_args(0, 5), Err(ModifyArgsError::NonPositiveWhen(0)));
/// assert_eq!(check_modify_args(1, -5), Err(ModifyArgsError::NegativePeriod(-5)));
/// assert_eq!(
///     ModifyArgsError::NegativePeriod(-5).to_string(),
///     "timer `period` must be non-negative, got -5",
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModifyArgsError {
    /// `when <= 0` (0 means not armed).
    NonPositiveWhen(i64),
    /// `period < 0`.
    NegativePeriod(i64),
}

impl std::fmt::Display for ModifyArgsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModifyArgsError::NonPositiveWhen(when) => write!(
                f,
                "timer `when` must be positive (0 means not armed), got {when}"
            ),
            ModifyArgsError::NegativePeriod(period) => {
                write!(f, "timer `period` must be non-negative, got {period}")
            }
        }
    }
}

impl std::error::Error for ModifyArgsError {}

/// [`validate_modify_args`] without the panic: `when` is checked first.
///
/// # Errors
///
/// `when <= 0` or `period < 0`, naming the bad value.
///
/// ```
/// assert!(gowheel_wheel::check_modify_args(1, 0).is_ok());
/// assert!(gowheel_wheel::check_modify_args(i64::MIN, -1).is_err());
/// ```
#[inline]
pub fn check_modify_args(when: i64, period: i64) -> Result<(), ModifyArgsError> {
    if when <= 0 {
        return Err(ModifyArgsError::NonPositiveWhen(when));
    }
    if period < 0 {
        return Err(ModifyArgsError::NegativePeriod(period));
    }
    Ok(())
}

#[cold]
#[inline(never)]
#[track_caller]
fn bad_when(when: i64) -> ! {
    panic!("gowheel: timer `when` must be positive (0 means not armed), got {when}")
}

#[cold]
#[inline(never)]
#[track_caller]
fn bad_period(period: i64) -> ! {
    panic!("gowheel: timer `period` must be non-negative, got {period}")
}

/// The next deadline of a periodic timer that fired `delay` ns after `when`:
/// `when + period * (1 + delay / period)`, saturating at [`MAX_WHEN`].
///
/// Missed periods are skipped: the result is the first period boundary
/// strictly after `when + delay`. This is Go's rule, including its overflow
/// handling (Go checks for a wrapped negative sum, which for these ranges is
/// exactly saturation).
///
/// # Panics
///
/// In debug builds, unless `period > 0`, `when > 0` and `delay >= 0`.
///
/// ```
/// use gowheel_wheel::next_periodic_when;
/// assert_eq!(next_periodic_when(100, 10, 0), 110);
/// assert_eq!(next_periodic_when(100, 10, 25), 130); // 110 and 120 were missed
/// assert_eq!(next_periodic_when(i64::MAX - 5, 10, 0), i64::MAX);
/// ```
#[inline]
pub fn next_periodic_when(when: i64, period: i64, delay: i64) -> i64 {
    debug_assert!(period > 0 && when > 0 && delay >= 0);
    let steps = 1 + delay / period;
    period
        .checked_mul(steps)
        .and_then(|advance| when.checked_add(advance))
        .unwrap_or(MAX_WHEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periodic_next_skips_missed_periods() {
        assert_eq!(next_periodic_when(10, 5, 0), 15);
        assert_eq!(next_periodic_when(10, 5, 4), 15);
        assert_eq!(next_periodic_when(10, 5, 5), 20);
        assert_eq!(next_periodic_when(10, 5, 14), 25);
    }

    #[test]
    fn periodic_next_saturates_like_go() {
        // Go computes with wrapping arithmetic and maps a negative sum to
        // maxWhen; compare against that formula on edge values.
        let go = |when: i64, period: i64, delay: i64| {
            let next = when.wrapping_add(period.wrapping_mul(1 + delay / period));
            if next < 0 { MAX_WHEN } else { next }
        };
        let cases = [
            (1, i64::MAX, 0),
            (i64::MAX, 1, 0),
            (i64::MAX - 1, i64::MAX, 1),
            (1 << 62, 1 << 62, 1 << 62),
            (5, 3, i64::MAX - 5),
            (1, 1, i64::MAX - 1),
        ];
        for (when, period, delay) in cases {
            assert_eq!(
                next_periodic_when(when, period, delay),
                go(when, period, delay),
                "when={when} period={period} delay={delay}"
            );
        }
    }

    #[test]
    #[should_panic(expected = "`when` must be positive (0 means not armed), got -3")]
    fn negative_when_is_named() {
        validate_modify_args(-3, 0);
    }

    #[test]
    #[should_panic(expected = "`period` must be non-negative, got -1")]
    fn negative_period_is_named() {
        validate_modify_args(1, -1);
    }
}
