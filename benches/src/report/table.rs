//! The side-by-side table: one row per workload, thread count and metric,
//! one column per backend measured, and `heap/wheel`, how many times the
//! wheel is better, beside the heap's column. A workload recorded in
//! several metrics (ServerLoad) has a row for each, labelled with the
//! metric.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::workloads::Metric;

use super::format::format_value;
use super::record::{BACKEND_COLUMNS, Record, Report};

impl Report {
    /// The side-by-side Markdown table: one row per workload, thread count
    /// and metric.
    pub fn table(&self) -> String {
        let columns: Vec<&str> = BACKEND_COLUMNS
            .into_iter()
            .filter(|b| matches!(*b, "wheel" | "heap") || self.has_backend(b))
            .collect();
        let mut out = String::from("| workload | threads |");
        let mut rule = String::from("| --- | ---: |");
        for backend in &columns {
            let _ = write!(out, " {backend} |");
            rule.push_str(" ---: |");
            if *backend == "heap" {
                out.push_str(" heap/wheel |");
                rule.push_str(" ---: |");
            }
        }
        out.push('\n');
        out.push_str(&rule);
        out.push('\n');
        let mut seen = BTreeSet::new();
        for record in &self.records {
            let key = (
                record.workload.clone(),
                record.threads,
                record.metric.clone(),
            );
            if !seen.insert(key) {
                continue;
            }
            let _ = write!(out, "| {} | {} |", self.row_label(record), record.threads);
            let lookup =
                |backend| self.record(&record.workload, &record.metric, backend, record.threads);
            for backend in &columns {
                let value = lookup(backend);
                let _ = write!(out, " {} |", value.map_or("n/a".to_owned(), format_value));
                if *backend == "heap" {
                    let wheel = lookup("wheel");
                    let ratio = wheel.zip(value).and_then(|(w, h)| advantage(w, h));
                    let _ = write!(
                        out,
                        " {} |",
                        ratio.map_or("n/a".to_owned(), |r| format!("{r:.2}×"))
                    );
                }
            }
            out.push('\n');
        }
        out
    }
}

impl Report {
    /// A row's first cell: the workload, and the metric if the workload has
    /// rows in several.
    fn row_label(&self, record: &Record) -> String {
        if !self.has_several_metrics(&record.workload) {
            return record.workload.clone();
        }
        match Metric::from_name(&record.metric) {
            Some(metric) => format!("{}: {}", record.workload, metric.label()),
            None => format!("{}: {}", record.workload, record.metric),
        }
    }
}

/// How many times `wheel` is better than `heap` for the metric of `wheel`:
/// cost ratio heap/wheel, or rate ratio wheel/heap.
fn advantage(wheel: &Record, heap: &Record) -> Option<f64> {
    let ratio = if wheel.unit == "1/s" {
        wheel.value / heap.value
    } else {
        heap.value / wheel.value
    };
    ratio.is_finite().then_some(ratio)
}

#[cfg(test)]
mod tests {
    use super::super::record::{sample_record, server_load_record};
    use super::*;

    #[test]
    fn table_has_ratios() {
        let report = Report {
            records: vec![
                sample_record("IdleTimeouts", "wheel", 1, 2e7),
                sample_record("IdleTimeouts", "heap", 1, 1e7),
            ],
            ..Report::default()
        };
        assert!(report.table().contains("2.00×"));
    }

    #[test]
    fn several_metrics_make_several_rows() {
        let row = server_load_record;
        let report = Report {
            records: vec![
                row(Metric::P99Lateness, "wheel", 1e5),
                row(Metric::MaxLateness, "wheel", 1e6),
                row(Metric::P99Lateness, "heap", 4e6),
                row(Metric::MaxLateness, "heap", 8e6),
            ],
            ..Report::default()
        };
        let table = report.table();
        assert!(
            table.contains("| ServerLoad: p99 lateness | 1 | 100.00 µs | 4.00 ms | 40.00× |"),
            "{table}"
        );
        assert!(
            table.contains("| ServerLoad: max lateness | 1 | 1.00 ms | 8.00 ms | 8.00× |"),
            "{table}"
        );
    }
}
