//! How a workload's result is expressed: its name and unit in
//! `report.json`, its label in the table, and which direction is better.

/// How a workload's result is expressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Wall time per iteration (Go's ns/op), in ns.
    TimePerOp,
    /// Wall time per start+stop pair, in ns.
    TimePerStartStop,
    /// Resets per second, all threads together.
    ResetsPerSecond,
    /// 50th percentile of firing lateness, in ns.
    P50Lateness,
    /// 99th percentile of firing lateness, in ns.
    P99Lateness,
    /// Largest firing lateness, in ns.
    MaxLateness,
    /// 99.9th percentile of the time a `reset` call takes, in ns.
    ResetCallP999,
    /// 99.9th percentile of the time an `after_func` call takes, in ns.
    AfterFuncCallP999,
    /// Resident bytes per live timer.
    BytesPerTimer,
    /// Operations per second, all threads together.
    OpsPerSecond,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 10] = [
        Metric::TimePerOp,
        Metric::TimePerStartStop,
        Metric::ResetsPerSecond,
        Metric::P50Lateness,
        Metric::P99Lateness,
        Metric::MaxLateness,
        Metric::ResetCallP999,
        Metric::AfterFuncCallP999,
        Metric::BytesPerTimer,
        Metric::OpsPerSecond,
    ];

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
            Metric::P50Lateness => "p50_lateness",
            Metric::P99Lateness => "p99_lateness",
            Metric::MaxLateness => "max_lateness",
            Metric::ResetCallP999 => "reset_call_p999",
            Metric::AfterFuncCallP999 => "after_func_call_p999",
            Metric::BytesPerTimer => "bytes_per_timer",
            Metric::OpsPerSecond => "ops_per_second",
        }
    }

    /// The metric whose [`name`](Metric::name) is `name`, if any.
    ///
    /// ```
    /// use gowheel_benches::Metric;
    /// assert_eq!(Metric::from_name("max_lateness"), Some(Metric::MaxLateness));
    /// assert_eq!(Metric::from_name("nothing"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|metric| metric.name() == name)
    }

    /// A short label, for table rows of workloads that report several
    /// metrics.
    pub fn label(self) -> &'static str {
        match self {
            Metric::TimePerOp => "time/op",
            Metric::TimePerStartStop => "time per start+stop",
            Metric::ResetsPerSecond => "resets/s",
            Metric::P50Lateness => "p50 lateness",
            Metric::P99Lateness => "p99 lateness",
            Metric::MaxLateness => "max lateness",
            Metric::ResetCallP999 => "reset call p99.9",
            Metric::AfterFuncCallP999 => "after_func call p99.9",
            Metric::BytesPerTimer => "bytes/timer",
            Metric::OpsPerSecond => "ops/s",
        }
    }

    /// The unit in `report.json`.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::TimePerOp
            | Metric::TimePerStartStop
            | Metric::P50Lateness
            | Metric::P99Lateness
            | Metric::MaxLateness
            | Metric::ResetCallP999
            | Metric::AfterFuncCallP999 => "ns",
            Metric::ResetsPerSecond | Metric::OpsPerSecond => "1/s",
            Metric::BytesPerTimer => "bytes",
        }
    }

    /// Whether a larger value is better (a rate) rather than worse (a cost).
    pub fn higher_is_better(self) -> bool {
        matches!(self, Metric::ResetsPerSecond | Metric::OpsPerSecond)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for metric in Metric::ALL {
            assert_eq!(Metric::from_name(metric.name()), Some(metric));
        }
    }
}
