//! The timing wheel as a [`TimerSet`]: the default backend.
//!
//! [`TimingWheel`] lives in the standalone `gowheel-wheel` crate; this module
//! only maps the trait onto its inherent methods, which have the same names
//! and answers.

use crate::timer_set::{Callback, TimerSet, TimerSetStats};

pub use gowheel_wheel::{Armed, ConfigError, TimingWheel, WheelConfig, WheelStats, WheelTimer};

impl TimerSet for TimingWheel {
    type Timer = WheelTimer;

    fn new_timer(&self, callback: Callback) -> WheelTimer {
        TimingWheel::new_timer(self, callback)
    }

    fn start_timer(&self, callback: Callback, when: i64, period: i64) -> WheelTimer {
        TimingWheel::start_timer(self, callback, when, period)
    }

    fn modify(
        &self,
        timer: &WheelTimer,
        when: i64,
        period: i64,
        callback: Option<Callback>,
        seq: u64,
    ) -> bool {
        TimingWheel::modify(self, timer, when, period, callback, seq)
    }

    fn stop(&self, timer: &WheelTimer) -> bool {
        TimingWheel::stop(self, timer)
    }

    fn stop_and_drop(&self, timer: WheelTimer) -> bool {
        TimingWheel::stop_and_drop(self, timer)
    }

    fn check(&self, now: i64) -> i64 {
        TimingWheel::check(self, now)
    }

    fn wake_time(&self) -> i64 {
        TimingWheel::wake_time(self)
    }

    fn verify(&self) {
        TimingWheel::verify(self)
    }

    fn clear(&self) {
        TimingWheel::clear(self)
    }

    fn stats(&self) -> TimerSetStats {
        let stats = TimingWheel::stats(self);
        TimerSetStats {
            filed: stats.filed,
            zombies: stats.zombies,
        }
    }
}
