//! Which timer set a [`Runtime`](crate::Runtime) runs on, dispatched by an
//! enum so that switching backend is one builder call and costs no virtual
//! call on the hot path.

use std::fmt;

use crate::heap::{HeapTimer, HeapTimerSet};
use crate::timer_set::{Callback, TimerSet, TimerSetStats};
use crate::wheel::{Armed, TimingWheel, WheelConfig, WheelTimer};

/// The timer set behind a runtime.
///
/// ```
/// use gowheel::{Backend, Runtime};
/// let heap = Runtime::builder().backend(Backend::Heap).manual_clock().build();
/// assert_eq!(heap.backend(), Backend::Heap);
/// assert_eq!(Backend::default(), Backend::Wheel);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// The lock-striped hierarchical timing wheel ([`TimingWheel`]).
    #[default]
    Wheel,
    /// The port of Go's per-P timer heaps ([`HeapTimerSet`]).
    Heap,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Wheel => "wheel",
            Backend::Heap => "heap",
        })
    }
}

impl std::str::FromStr for Backend {
    type Err = UnknownBackend;

    /// Parses `wheel` or `heap`.
    ///
    /// ```
    /// use gowheel::Backend;
    /// assert_eq!("heap".parse::<Backend>(), Ok(Backend::Heap));
    /// let error = "list".parse::<Backend>().unwrap_err();
    /// assert_eq!(error.to_string(), r#"unknown backend "list" (expected wheel or heap)"#);
    /// ```
    fn from_str(name: &str) -> Result<Backend, UnknownBackend> {
        match name {
            "wheel" => Ok(Backend::Wheel),
            "heap" => Ok(Backend::Heap),
            other => Err(UnknownBackend {
                name: other.to_owned(),
            }),
        }
    }
}

/// The error of parsing a [`Backend`] from a name that is not `wheel` or
/// `heap`.
///
/// ```
/// let error = "list".parse::<gowheel::Backend>().unwrap_err();
/// assert_eq!(error.name(), "list");
/// let _: &dyn std::error::Error = &error;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownBackend {
    name: String,
}

impl UnknownBackend {
    /// The name that was given.
    ///
    /// ```
    /// assert_eq!("x".parse::<gowheel::Backend>().unwrap_err().name(), "x");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for UnknownBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown backend {:?} (expected wheel or heap)",
            self.name
        )
    }
}

impl std::error::Error for UnknownBackend {}

/// A timer set of either backend.
pub(crate) enum AnySet {
    Wheel(TimingWheel),
    Heap(HeapTimerSet),
}

/// A timer of either backend.
pub(crate) enum AnyTimer {
    Wheel(WheelTimer),
    Heap(HeapTimer),
}

impl AnyTimer {
    /// A number that identifies the timer among the live ones while its
    /// handle lives (see `WheelTimer::identity`).
    #[inline]
    pub(crate) fn identity(&self) -> usize {
        match self {
            AnyTimer::Wheel(timer) => timer.identity(),
            AnyTimer::Heap(timer) => timer.identity(),
        }
    }
}

impl AnySet {
    pub(crate) fn new(backend: Backend, parts: Option<usize>, wheel: WheelConfig) -> AnySet {
        match backend {
            Backend::Wheel => {
                let config = match parts {
                    Some(stripes) => wheel.stripes(stripes),
                    None => wheel,
                };
                AnySet::Wheel(TimingWheel::new(config))
            }
            Backend::Heap => AnySet::Heap(match parts {
                Some(shards) => HeapTimerSet::new(shards),
                None => HeapTimerSet::default(),
            }),
        }
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            AnySet::Wheel(_) => Backend::Wheel,
            AnySet::Heap(_) => Backend::Heap,
        }
    }

    pub(crate) fn new_timer(&self, callback: Callback) -> AnyTimer {
        match self {
            AnySet::Wheel(set) => AnyTimer::Wheel(set.new_timer(callback)),
            AnySet::Heap(set) => AnyTimer::Heap(TimerSet::new_timer(set, callback)),
        }
    }

    /// Starts a timer; also says whether the driver may have to check
    /// sooner (always, for the heap, which does not tell).
    pub(crate) fn start_timer(
        &self,
        callback: Callback,
        when: i64,
        period: i64,
    ) -> (AnyTimer, Armed) {
        match self {
            AnySet::Wheel(set) => {
                let (timer, armed) = set.start_timer_reporting(callback, when, period);
                (AnyTimer::Wheel(timer), armed)
            }
            AnySet::Heap(set) => (
                AnyTimer::Heap(TimerSet::start_timer(set, callback, when, period)),
                Armed {
                    was_pending: false,
                    next_check_may_be_earlier: true,
                },
            ),
        }
    }

    /// Re-arms a timer (Go's `t.modify`); says whether it was pending and
    /// whether the driver may have to check sooner (always, for the heap).
    #[inline]
    pub(crate) fn modify(
        &self,
        timer: &AnyTimer,
        when: i64,
        period: i64,
        callback: Option<Callback>,
        seq: u64,
    ) -> Armed {
        match (self, timer) {
            (AnySet::Wheel(set), AnyTimer::Wheel(timer)) => {
                set.modify_reporting(timer, when, period, callback, seq)
            }
            (AnySet::Heap(set), AnyTimer::Heap(timer)) => Armed {
                was_pending: TimerSet::modify(set, timer, when, period, callback, seq),
                next_check_may_be_earlier: true,
            },
            _ => unreachable!("a runtime only makes timers of its own backend"),
        }
    }

    #[inline]
    pub(crate) fn stop(&self, timer: &AnyTimer) -> bool {
        match (self, timer) {
            (AnySet::Wheel(set), AnyTimer::Wheel(timer)) => set.stop(timer),
            (AnySet::Heap(set), AnyTimer::Heap(timer)) => TimerSet::stop(set, timer),
            _ => unreachable!("a runtime only makes timers of its own backend"),
        }
    }

    /// [`TimerSet::stop_and_drop`] on either backend.
    #[inline]
    pub(crate) fn stop_and_drop(&self, timer: AnyTimer) -> bool {
        match (self, timer) {
            (AnySet::Wheel(set), AnyTimer::Wheel(timer)) => set.stop_and_drop(timer),
            (AnySet::Heap(set), AnyTimer::Heap(timer)) => TimerSet::stop_and_drop(set, timer),
            _ => unreachable!("a runtime only makes timers of its own backend"),
        }
    }

    pub(crate) fn check(&self, now: i64) -> i64 {
        match self {
            AnySet::Wheel(set) => set.check(now),
            AnySet::Heap(set) => TimerSet::check(set, now),
        }
    }

    pub(crate) fn wake_time(&self) -> i64 {
        match self {
            AnySet::Wheel(set) => set.wake_time(),
            AnySet::Heap(set) => TimerSet::wake_time(set),
        }
    }

    /// The earlier of [`wake_time`](Self::wake_time) and, for the wheel,
    /// its maintenance time (when a check keeps its work bounded though
    /// nothing is due; see `TimingWheel::maintenance_time`), read in one
    /// pass. The heap needs no maintenance.
    pub(crate) fn next_check_time(&self) -> i64 {
        match self {
            AnySet::Wheel(set) => set.next_check_time(),
            AnySet::Heap(set) => TimerSet::wake_time(set),
        }
    }

    /// The maintenance time of the part of the set that holds `timer` (see
    /// `TimingWheel::maintenance_time_of`), or
    /// [`NOT_ARMED`](crate::NOT_ARMED) if none. The heap needs none.
    #[inline]
    pub(crate) fn maintenance_time_of(&self, timer: &AnyTimer) -> i64 {
        match (self, timer) {
            (AnySet::Wheel(set), AnyTimer::Wheel(timer)) => set.maintenance_time_of(timer),
            _ => crate::NOT_ARMED,
        }
    }

    pub(crate) fn stats(&self) -> TimerSetStats {
        match self {
            AnySet::Wheel(set) => TimerSet::stats(set),
            AnySet::Heap(set) => TimerSet::stats(set),
        }
    }

    /// Bytes of node storage, for the wheel; `None` for the heap.
    pub(crate) fn node_bytes(&self) -> Option<usize> {
        match self {
            AnySet::Wheel(set) => Some(set.stats().node_bytes),
            AnySet::Heap(_) => None,
        }
    }

    pub(crate) fn clear(&self) {
        match self {
            AnySet::Wheel(set) => set.clear(),
            AnySet::Heap(set) => TimerSet::clear(set),
        }
    }

    pub(crate) fn verify(&self) {
        match self {
            AnySet::Wheel(set) => set.verify(),
            AnySet::Heap(set) => TimerSet::verify(set),
        }
    }
}
