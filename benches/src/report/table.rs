//! The side-by-side table: one row per workload and thread count, one
//! column per backend measured, and `heap/wheel`, how many times the wheel
//! is better, beside the heap's column.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::format::format_value;
use super::record::{BACKEND_COLUMNS, Record, Report};

impl Report {
    /// The side-by-side Markdown table: one row per workload and thread
    /// count.
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
            let key = (record.workload.clone(), record.threads);
            if !seen.insert(key) {
                continue;
            }
            let _ = write!(out, "| {} | {} |", record.workload, record.threads);
            for backend in &columns {
                let value = self.record(&record.workload, backend, record.threads);
                let _ = write!(out, " {} |", value.map_or("n/a".to_owned(), format_value));
                if *backend == "heap" {
                    let wheel = self.record(&record.workload, "wheel", record.threads);
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
    use super::super::record::sample_record;
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
}
