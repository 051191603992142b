//! The report's data: [`Record`]s, one measured number each, and the
//! [`Report`] that holds them with the run's metadata and notes. A record
//! is identified by workload, backend, thread count and metric (most
//! workloads report one metric, ServerLoad several); `evaluate` pushes at
//! most one of each.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;

use crate::workloads::{Metric, ServerLoadSize, Workload};

/// One measured number: a workload on a backend with a thread count.
///
/// Its fields, in this order, are the keys of a record in `report.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Record {
    /// The workload's name, e.g. `AdjustTimers10000`.
    pub workload: String,
    /// `wheel`, `heap`, `tokio` or `go`.
    pub backend: String,
    /// Threads it ran on.
    pub threads: usize,
    /// What was measured, e.g. `time_per_op`.
    pub metric: String,
    /// The number.
    pub value: f64,
    /// Its unit: `ns`, `1/s`, `bytes`.
    pub unit: String,
}

impl Record {
    /// The record of `value` measured for `workload` on `backend` with
    /// `threads`, in the workload's metric and unit.
    ///
    /// ```
    /// use gowheel_benches::{Record, Workload};
    /// let record = Record::new(Workload::IdleTimeouts, "wheel", 2, 1e7);
    /// assert_eq!(record.metric, "resets_per_second");
    /// assert_eq!(record.unit, "1/s");
    /// ```
    pub fn new(workload: Workload, backend: &str, threads: usize, value: f64) -> Record {
        Record::of_metric(workload, workload.metric(), backend, threads, value)
    }

    /// The record of `value` measured for `workload` on `backend` with
    /// `threads`, in `metric` (one of the workload's
    /// [`metrics`](Workload::metrics)) and its unit.
    ///
    /// ```
    /// use gowheel_benches::{Metric, Record, Workload};
    /// let record = Record::of_metric(Workload::ServerLoad, Metric::MaxLateness, "heap", 1, 2e6);
    /// assert_eq!(record.metric, "max_lateness");
    /// assert_eq!(record.unit, "ns");
    /// ```
    pub fn of_metric(
        workload: Workload,
        metric: Metric,
        backend: &str,
        threads: usize,
        value: f64,
    ) -> Record {
        Record {
            workload: workload.name(),
            backend: backend.to_owned(),
            threads,
            metric: metric.name().to_owned(),
            value,
            unit: metric.unit().to_owned(),
        }
    }
}

/// The backends in column order; `go` only appears when it was run.
pub(super) const BACKEND_COLUMNS: [&str; 4] = ["wheel", "heap", "tokio", "go"];

/// A full evaluation.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Every measured number, in the order measured.
    pub records: Vec<Record>,
    /// What the reader should know: skipped rows, machine load, Go.
    pub notes: Vec<String>,
    /// How long the evaluation took.
    pub elapsed: Duration,
    /// Whether this was a smoke run (tiny sizes: numbers meaningless).
    pub smoke: bool,
    /// The machine's available parallelism.
    pub cpus: usize,
    /// The load ServerLoad ran at, if it ran: its targets are labelled
    /// with it.
    pub server_load: Option<ServerLoadSize>,
    /// The trace replayed, for a report of `evaluate --trace`.
    pub trace: Option<super::TraceInfo>,
}

impl Report {
    /// The value recorded for `workload` on `backend` with `threads` (the
    /// first recorded, for a workload with several metrics: see
    /// [`metric_value`](Report::metric_value)).
    pub fn value(&self, workload: &str, backend: &str, threads: usize) -> Option<f64> {
        self.records
            .iter()
            .find(|r| r.workload == workload && r.backend == backend && r.threads == threads)
            .map(|r| r.value)
    }

    /// The value recorded for `workload` on `backend` with `threads` in
    /// `metric`.
    ///
    /// ```
    /// use gowheel_benches::{Metric, Record, Report, Workload};
    /// let report = Report {
    ///     records: vec![
    ///         Record::of_metric(Workload::ServerLoad, Metric::P99Lateness, "wheel", 1, 4e5),
    ///         Record::of_metric(Workload::ServerLoad, Metric::MaxLateness, "wheel", 1, 9e6),
    ///     ],
    ///     ..Report::default()
    /// };
    /// let max = report.metric_value("ServerLoad", Metric::MaxLateness, "wheel", 1);
    /// assert_eq!(max, Some(9e6));
    /// ```
    pub fn metric_value(
        &self,
        workload: &str,
        metric: Metric,
        backend: &str,
        threads: usize,
    ) -> Option<f64> {
        self.record(workload, metric.name(), backend, threads)
            .map(|r| r.value)
    }

    /// The record for `workload` on `backend` with `threads` in the metric
    /// named `metric`.
    pub(super) fn record(
        &self,
        workload: &str,
        metric: &str,
        backend: &str,
        threads: usize,
    ) -> Option<&Record> {
        self.records.iter().find(|r| {
            r.workload == workload
                && r.metric == metric
                && r.backend == backend
                && r.threads == threads
        })
    }

    /// Whether any record is of `backend`.
    pub(super) fn has_backend(&self, backend: &str) -> bool {
        self.records.iter().any(|r| r.backend == backend)
    }

    /// Whether `workload` was recorded in more than one metric.
    pub(super) fn has_several_metrics(&self, workload: &str) -> bool {
        let mut metrics = self
            .records
            .iter()
            .filter(|r| r.workload == workload)
            .map(|r| r.metric.as_str());
        let first = metrics.next();
        metrics.any(|metric| Some(metric) != first)
    }

    /// The thread counts `workload` was recorded with, ascending.
    pub(super) fn thread_counts_of(&self, workload: &str) -> Vec<usize> {
        let counts: BTreeSet<usize> = self
            .records
            .iter()
            .filter(|r| r.workload == workload)
            .map(|r| r.threads)
            .collect();
        counts.into_iter().collect()
    }

    /// `(live timers, value)` of the Scale records of `backend`, by count.
    pub fn scale_points(&self, backend: &str) -> Vec<(usize, f64)> {
        let mut points: Vec<(usize, f64)> = self
            .records
            .iter()
            .filter(|r| r.backend == backend)
            .filter_map(|r| match Workload::from_name(&r.workload) {
                Some(Workload::Scale(count)) => Some((count, r.value)),
                _ => None,
            })
            .collect();
        points.sort_by_key(|(count, _)| *count);
        points
    }
}

/// A record of the workload named `workload`, for the views' tests.
#[cfg(test)]
pub(super) fn sample_record(workload: &str, backend: &str, threads: usize, value: f64) -> Record {
    let workload = Workload::from_name(workload).expect("a known workload");
    Record::new(workload, backend, threads, value)
}

/// A ServerLoad record in `metric`, for the views' tests.
#[cfg(test)]
pub(super) fn server_load_record(metric: Metric, backend: &str, value: f64) -> Record {
    Record::of_metric(Workload::ServerLoad, metric, backend, 1, value)
}
