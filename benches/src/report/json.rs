//! `report.json`: the run's metadata, the notes, and one object per
//! record, written with serde. The keys and their order are the fields of
//! [`ReportJson`] and of [`Record`]; readers (the smoke test, scripts)
//! rely on them.

use serde::Serialize;

use super::record::{Record, Report};

/// The document `report.json` holds.
#[derive(Serialize)]
struct ReportJson<'a> {
    /// Always `gowheel-benches evaluate`.
    generator: &'static str,
    smoke: bool,
    cpus: usize,
    elapsed_seconds: f64,
    notes: &'a [String],
    records: &'a [Record],
    /// `evaluate --trace` only: the trace, and its lateness curves and
    /// timers live over time per backend.
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<&'a super::TraceInfo>,
}

impl Report {
    /// `report.json`: metadata, notes, and one record per workload, backend
    /// and threads. A value that is not finite is written as `null`.
    ///
    /// ```
    /// use gowheel_benches::{Record, Report, Workload};
    /// let report = Report {
    ///     records: vec![Record::new(Workload::Stop, "wheel", 1, 41.5)],
    ///     ..Report::default()
    /// };
    /// let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    /// assert_eq!(json["records"][0]["value"], 41.5);
    /// ```
    pub fn to_json(&self) -> String {
        let document = ReportJson {
            generator: "gowheel-benches evaluate",
            smoke: self.smoke,
            cpus: self.cpus,
            elapsed_seconds: self.elapsed.as_secs_f64(),
            notes: &self.notes,
            records: &self.records,
            trace: self.trace.as_ref(),
        };
        let mut json = serde_json::to_string_pretty(&document)
            .expect("a report of strings and numbers serializes");
        json.push('\n');
        json
    }
}

#[cfg(test)]
mod tests {
    use super::super::record::sample_record;
    use super::*;

    #[test]
    fn json_escapes_notes() {
        let mut report = Report {
            records: vec![sample_record("IdleTimeouts", "wheel", 1, 2e7)],
            ..Report::default()
        };
        report.notes.push("a \"quoted\" note\n".to_owned());
        let json = report.to_json();
        assert!(json.contains(r#""a \"quoted\" note\n""#));
    }

    #[test]
    fn json_keys_are_in_report_order() {
        let report = Report {
            records: vec![sample_record("Stop", "heap", 2, f64::NAN)],
            ..Report::default()
        };
        let json = report.to_json();
        let keys = [
            "generator",
            "smoke",
            "cpus",
            "elapsed_seconds",
            "notes",
            "records",
            "workload",
            "backend",
            "threads",
            "metric",
            "value",
            "unit",
        ];
        let positions: Vec<usize> = keys
            .iter()
            .map(|key| json.find(&format!("\"{key}\"")).expect(key))
            .collect();
        assert!(positions.is_sorted(), "{json}");
        assert!(json.contains("\"value\": null"), "{json}");
    }
}
