//! Go's time constants as [`Duration`]s, so that the ported workloads read
//! as Go's do (`AfterFunc(Hour)`, `Reset(Nanosecond)`).

use std::time::Duration;

/// Go's `time.Nanosecond`.
pub const NANOSECOND: Duration = Duration::from_nanos(1);
/// Go's `time.Microsecond`.
pub const MICROSECOND: Duration = Duration::from_micros(1);
/// Go's `time.Millisecond`.
pub const MILLISECOND: Duration = Duration::from_millis(1);
/// Go's `time.Second`.
pub const SECOND: Duration = Duration::from_secs(1);
/// Go's `time.Hour`: where the preamble's idle timers are due.
pub const HOUR: Duration = Duration::from_secs(3600);
