//! A runtime's start, and the monotonic clock read as whole nanoseconds
//! since it, exactly as `Instant` arithmetic counts them.
//!
//! Every `after_func`, `reset` and new timer reads the clock, so the read
//! is kept to the system call and one subtraction. `Instant::elapsed` also
//! builds two `Duration`s, checks the subtraction and widens to 128 bits,
//! which costs about as much again as the clock read's own arithmetic.
//!
//! # Exactness
//!
//! Internal times convert to and from `Instant`s (a channel timer's value,
//! `reset_at`), so the count must be `Instant::now() - start` to the
//! nanosecond: a count behind it would make values stand for deadlines
//! earlier than asked, one ahead of it would fire early. On Linux an
//! `Instant` is a `CLOCK_MONOTONIC` reading, but `std` offers no way to get
//! that reading out, except its `Debug` form (`Instant { tv_sec: …,
//! tv_nsec: … }`). So [`RuntimeStart::now`] parses the start's reading from
//! it, and uses it only after checking, on a second `Instant`, that the
//! parsed readings differ exactly as `Instant` arithmetic says and agree
//! with `clock_gettime(CLOCK_MONOTONIC)`. Otherwise (another platform,
//! another `Debug` form, Miri), the count is `Instant::elapsed`.

use std::time::Instant;

/// When a runtime started, as an `Instant` and, where it could be
/// established exactly, as a raw `CLOCK_MONOTONIC` reading.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RuntimeStart {
    instant: Instant,
    /// `CLOCK_MONOTONIC` at `instant`, in nanoseconds, if known exactly.
    raw_nanos: Option<i64>,
}

impl RuntimeStart {
    /// Now.
    pub(crate) fn now() -> RuntimeStart {
        let instant = Instant::now();
        RuntimeStart {
            instant,
            raw_nanos: exact_reading(instant),
        }
    }

    /// The start as an `Instant`.
    #[inline]
    pub(crate) fn instant(&self) -> Instant {
        self.instant
    }

    /// Whether the fast path (a raw clock read) is in use.
    #[cfg(test)]
    fn reads_raw_clock(&self) -> bool {
        self.raw_nanos.is_some()
    }

    /// Nanoseconds from the start to now, as `Instant::now() - start`
    /// counts them; saturating at `i64::MAX`.
    #[inline]
    pub(crate) fn elapsed_nanos(&self) -> i64 {
        #[cfg(all(target_os = "linux", not(miri)))]
        if let Some(raw_start) = self.raw_nanos {
            // The monotonic clock never goes back, so this is not negative.
            return monotonic_nanos().saturating_sub(raw_start);
        }
        i64::try_from(self.instant.elapsed().as_nanos()).unwrap_or(i64::MAX)
    }
}

/// The `CLOCK_MONOTONIC` reading of `instant`, in nanoseconds, if its
/// `Debug` form gives it and a check confirms it is that clock's (see the
/// module doc).
fn exact_reading(instant: Instant) -> Option<i64> {
    #[cfg(all(target_os = "linux", not(miri)))]
    {
        let reading = debug_reading(instant)?;
        let before = monotonic_nanos();
        let probe = Instant::now();
        let after = monotonic_nanos();
        let probe_reading = debug_reading(probe)?;
        let by_arithmetic = i64::try_from(probe.duration_since(instant).as_nanos()).ok()?;
        let same_clock = before <= probe_reading && probe_reading <= after;
        (same_clock && probe_reading - reading == by_arithmetic).then_some(reading)
    }
    #[cfg(not(all(target_os = "linux", not(miri))))]
    {
        let _ = instant;
        None
    }
}

/// The nanoseconds of `Instant { tv_sec: S, tv_nsec: N }`, the `Debug` form
/// of an `Instant` on Linux; `None` for any other form.
fn debug_reading(instant: Instant) -> Option<i64> {
    parse_debug_reading(&format!("{instant:?}"))
}

fn parse_debug_reading(text: &str) -> Option<i64> {
    let fields = text
        .strip_prefix("Instant { tv_sec: ")?
        .strip_suffix(" }")?;
    let (seconds, nanos) = fields.split_once(", tv_nsec: ")?;
    let seconds: i64 = seconds.parse().ok()?;
    let nanos: i64 = nanos.parse().ok()?;
    if !(0..1_000_000_000).contains(&nanos) {
        return None;
    }
    seconds.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// `CLOCK_MONOTONIC` in nanoseconds (saturating at `i64::MAX`, 292 years
/// of uptime).
#[cfg(all(target_os = "linux", not(miri)))]
#[inline]
// `time_t` and `c_long` are 32 bits on some Linux targets: the conversions
// are only useless on 64-bit ones.
#[allow(clippy::useless_conversion)]
fn monotonic_nanos() -> i64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec, and CLOCK_MONOTONIC is
    // always available on Linux, so the call only writes it.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    debug_assert_eq!(status, 0, "clock_gettime(CLOCK_MONOTONIC) failed");
    i64::from(now.tv_sec)
        .saturating_mul(1_000_000_000)
        .saturating_add(i64::from(now.tv_nsec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_debug_form_parses_and_nothing_else_does() {
        assert_eq!(
            parse_debug_reading("Instant { tv_sec: 38783, tv_nsec: 212251373 }"),
            Some(38_783_212_251_373)
        );
        for other in [
            "Instant { tv_sec: 1, tv_nsec: 1000000000 }",
            "Instant { tv_sec: -, tv_nsec: 5 }",
            "Instant { t: 1 }",
            "Instant(12)",
            "",
        ] {
            assert_eq!(parse_debug_reading(other), None, "{other:?}");
        }
    }

    /// The count is exactly `Instant` arithmetic's, to the nanosecond:
    /// between two `Instant`s read around it, as `Instant`s order them.
    #[test]
    fn elapsed_is_exactly_what_instant_arithmetic_counts() {
        let start = RuntimeStart::now();
        #[cfg(all(target_os = "linux", not(miri)))]
        assert!(
            start.reads_raw_clock(),
            "on Linux the start's clock reading is established"
        );
        for _ in 0..100_000 {
            let before = start.instant().elapsed().as_nanos() as i64;
            let counted = start.elapsed_nanos();
            let after = start.instant().elapsed().as_nanos() as i64;
            assert!(
                before <= counted && counted <= after,
                "{counted} ns counted between Instant's {before} and {after} ns"
            );
        }
    }
}
