//! The hooks through which the time-package layer reports what it serves
//! to a runtime's [recorder](crate::record) and [metrics](crate::metrics).
//!
//! Each hook is one branch when neither is switched on: the timer and
//! ticker code calls them unconditionally, and they do nothing unless the
//! runtime was built with [`RuntimeBuilder::record`](crate::RuntimeBuilder::record)
//! or [`RuntimeBuilder::metrics`](crate::RuntimeBuilder::metrics).
//!
//! Times in the trace are nanoseconds since the runtime started (the
//! runtime's internal time minus its epoch offset), as a Go trace's are
//! since its virtual clock's zero.

use std::time::{Duration, Instant};

use crate::backend::AnyTimer;
use crate::metrics::Count;
use crate::record::Event;
use crate::runtime::RuntimeShared;

/// The kind of timer a creation makes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Made {
    Func,
    Chan,
    Tick,
}

/// A duration as trace nanoseconds, saturating.
fn nanos(duration: Duration) -> i64 {
    i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX)
}

impl RuntimeShared {
    /// Trace time now: nanoseconds since the runtime started.
    fn trace_now(&self) -> i64 {
        self.to_trace_time(self.now_nanos())
    }

    /// How long from now until `when` (internal time), for a trace line of
    /// an operation given an `Instant`; zero, without reading the clock,
    /// when not recording.
    pub(crate) fn recorded_duration_until(&self, when: i64) -> Duration {
        if self.recorder.is_none() {
            return Duration::ZERO;
        }
        Duration::from_nanos(when.saturating_sub(self.now_nanos()).max(0) as u64)
    }

    /// Notes that a timer of kind `made` with `duration` is being made,
    /// before it is armed; returns its trace ID (0 when not recording).
    #[inline]
    pub(crate) fn note_made(&self, made: Made, duration: Duration) -> u64 {
        if let Some(metrics) = &self.metrics {
            metrics.count(Count::Created);
        }
        let Some(recorder) = &self.recorder else {
            return 0;
        };
        let id = recorder.next_id();
        let duration = nanos(duration);
        let event = match made {
            Made::Func => Event::Func { id, duration },
            Made::Chan => Event::Chan { id, duration },
            Made::Tick => Event::Tick {
                id,
                period: duration,
            },
        };
        recorder.push(self.trace_now(), event);
        id
    }

    /// Notes a `stop` of a timer or function timer and its answer.
    #[inline]
    pub(crate) fn note_stop(&self, id: u64, pending: bool) {
        if let Some(metrics) = &self.metrics {
            metrics.count(Count::Stopped);
        }
        if let Some(recorder) = &self.recorder {
            recorder.push(self.trace_now(), Event::Stop { id, pending });
        }
    }

    /// Notes that the function timer `timer` just made has trace ID `id`.
    #[inline]
    pub(crate) fn note_func_made(&self, timer: &AnyTimer, id: u64) {
        if let Some(recorder) = &self.recorder {
            recorder.bind_func(timer.identity(), id);
        }
    }

    /// The trace ID of the function timer `timer` (0 when not recording).
    #[inline]
    pub(crate) fn func_trace_id(&self, timer: &AnyTimer) -> u64 {
        match &self.recorder {
            Some(recorder) => recorder.func_id(timer.identity()),
            None => 0,
        }
    }

    /// Notes a `reset` of a timer or function timer and its answer.
    #[inline]
    pub(crate) fn note_reset(&self, id: u64, duration: Duration, pending: bool) {
        if let Some(metrics) = &self.metrics {
            metrics.count(Count::Reset);
        }
        if let Some(recorder) = &self.recorder {
            let duration = nanos(duration);
            let event = Event::Reset {
                id,
                duration,
                pending,
            };
            recorder.push(self.trace_now(), event);
        }
    }

    /// Notes a ticker's `stop`.
    #[inline]
    pub(crate) fn note_ticker_stop(&self, id: u64) {
        if let Some(metrics) = &self.metrics {
            metrics.count(Count::Stopped);
        }
        if let Some(recorder) = &self.recorder {
            recorder.push(self.trace_now(), Event::TickerStop { id });
        }
    }

    /// Notes a ticker's `reset`, or its rejection for a zero period.
    #[inline]
    pub(crate) fn note_ticker_reset(&self, id: u64, period: Duration, rejected: bool) {
        if let Some(metrics) = &self.metrics
            && !rejected
        {
            metrics.count(Count::Reset);
        }
        if let Some(recorder) = &self.recorder {
            let period = nanos(period);
            let event = Event::TickerReset {
                id,
                period,
                rejected,
            };
            recorder.push(self.trace_now(), event);
        }
    }

    /// Notes a receive that returned `value` (internal time), or nothing.
    #[inline]
    pub(crate) fn note_recv(&self, id: u64, value: Option<i64>) {
        if let Some(recorder) = &self.recorder {
            let value = value.map(|when| self.to_trace_time(when));
            recorder.push(self.trace_now(), Event::Recv { id, value });
        }
    }

    /// Notes that a channel timer or ticker fired for `deadline` (internal
    /// time); called by its delivery, on the thread running the check.
    #[inline]
    pub(crate) fn note_sent(&self, id: u64, deadline: i64) {
        if self.metrics.is_none() && self.recorder.is_none() {
            return;
        }
        let now = self.now_nanos();
        if let Some(metrics) = &self.metrics {
            metrics.fired(now.saturating_sub(deadline));
        }
        if let Some(recorder) = &self.recorder {
            let deadline = self.to_trace_time(deadline);
            recorder.push(self.to_trace_time(now), Event::Sent { id, deadline });
        }
    }

    /// Runs a function timer's `function`, which the check running on this
    /// thread found due `delay` nanoseconds ago, noting the firing and how
    /// long the function ran.
    #[inline]
    pub(crate) fn run_noted(&self, id: u64, delay: i64, function: impl FnOnce()) {
        if self.metrics.is_none() && self.recorder.is_none() {
            return function();
        }
        let now = self.now_nanos();
        let deadline = RuntimeShared::current_check_now() - delay;
        if let Some(recorder) = &self.recorder {
            let at = self.to_trace_time(now);
            let deadline = self.to_trace_time(deadline);
            recorder.push(at, Event::Fired { id, deadline });
        }
        let Some(metrics) = &self.metrics else {
            return function();
        };
        metrics.fired(now.saturating_sub(deadline));
        let started = Instant::now();
        function();
        let ran = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        metrics.callback_ran(ran);
    }

    /// Notes a check of the set (a driver wake-up, or a manual step).
    #[inline]
    pub(crate) fn note_check(&self) {
        if let Some(metrics) = &self.metrics {
            metrics.woke();
        }
    }
}
