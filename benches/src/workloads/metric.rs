//! How a workload's result is expressed: its name and unit in
//! `report.json`, and which direction is better.

/// How a workload's result is expressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Wall time per iteration (Go's ns/op), in ns.
    TimePerOp,
    /// Wall time per start+stop pair, in ns.
    TimePerStartStop,
    /// Resets per second, all threads together.
    ResetsPerSecond,
    /// 99th percentile of firing lateness, in ns.
    P99Lateness,
    /// Resident bytes per live timer.
    BytesPerTimer,
}

impl Metric {
    /// The name in `report.json`.
    ///
    /// ```
    /// assert_eq!(gowheel_benches::Metric::P99Lateness.name(), "p99_lateness");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Metric::TimePerOp => "time_per_op",
            Metric::TimePerStartStop => "time_per_start_stop",
            Metric::ResetsPerSecond => "resets_per_second",
            Metric::P99Lateness => "p99_lateness",
            Metric::BytesPerTimer => "bytes_per_timer",
        }
    }

    /// The unit in `report.json`.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::TimePerOp | Metric::TimePerStartStop | Metric::P99Lateness => "ns",
            Metric::ResetsPerSecond => "1/s",
            Metric::BytesPerTimer => "bytes",
        }
    }

    /// Whether a larger value is better (a rate) rather than worse (a cost).
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::ResetsPerSecond)
    }
}
