//! Runs `evaluate --smoke` (every workload, tiny sizes and budgets) and
//! checks that it ran everything and wrote a well-formed report. No timing
//! is asserted: only that each number exists and is a number.

use std::collections::BTreeSet;
use std::process::Command;

use gowheel_benches::{BackendKind, Metric, Workload};

#[test]
fn evaluate_smoke_writes_a_well_formed_report() {
    let out = std::env::temp_dir().join(format!("gowheel-evaluate-smoke-{}", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_evaluate"))
        .arg("--smoke")
        .arg("--out")
        .arg(&out)
        .output()
        .expect("evaluate runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "evaluate failed:\n{stderr}");
    assert!(
        stdout.contains("| workload | threads | wheel | heap | heap/wheel | tokio |"),
        "no table on stdout:\n{stdout}"
    );

    let json = std::fs::read_to_string(out.join("report.json")).expect("report.json written");
    let report: serde_json::Value = serde_json::from_str(&json).expect("report.json is JSON");
    assert_eq!(report["smoke"], true);
    let records = report["records"].as_array().expect("a records array");

    let backends: BTreeSet<&str> = BackendKind::ALL.iter().map(|b| b.name()).collect();
    let mut seen = BTreeSet::new();
    for record in records {
        let fields = record.as_object().expect("each record is an object");
        let keys: BTreeSet<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["workload", "backend", "threads", "metric", "value", "unit"]),
            "{record}"
        );
        let workload = record["workload"].as_str().expect("workload is a string");
        let backend = record["backend"].as_str().expect("backend is a string");
        let threads = record["threads"].as_u64().expect("threads is a count");
        let value = record["value"].as_f64().expect("value is a number");
        assert!(backends.contains(backend), "{record}");
        assert!(threads >= 1, "{record}");
        assert!(value.is_finite() && value >= 0.0, "{record}");
        let named = Workload::from_name(workload).expect("a known workload");
        let metric_name = record["metric"].as_str().expect("metric is a string");
        let metric = Metric::from_name(metric_name).expect("a known metric");
        assert!(named.metrics().contains(&metric), "{record}");
        assert_eq!(record["unit"], metric.unit(), "{record}");
        assert!(
            seen.insert((
                workload.to_owned(),
                backend.to_owned(),
                threads,
                metric_name.to_owned()
            )),
            "duplicate record {record}"
        );
    }

    // Every workload ran on every backend with each of its thread counts,
    // in each of its metrics (ServerLoad's lateness percentiles, call
    // latencies and reset rate among them).
    let mut expected: Vec<(Workload, usize)> = Vec::new();
    for workload in Workload::all() {
        match workload {
            Workload::Scale(_) | Workload::Memory(_) | Workload::TimerSetMemory(_) => {}
            _ => expected.extend(workload.thread_counts().into_iter().map(|t| (workload, t))),
        }
    }
    expected.extend(
        [
            Workload::Scale(1_000),
            Workload::Scale(10_000),
            Workload::Memory(10_000),
            Workload::TimerSetMemory(10_000),
        ]
        .map(|w| (w, 1)),
    );
    assert!(expected.contains(&(Workload::ServerLoad, 1)));
    for (workload, threads) in expected {
        for backend in &backends {
            for metric in workload.metrics() {
                let name = workload.name();
                assert!(
                    seen.contains(&(
                        name.clone(),
                        (*backend).to_owned(),
                        threads as u64,
                        metric.name().to_owned()
                    )),
                    "no record for {name}/{backend}/{threads} in {}",
                    metric.name()
                );
            }
        }
    }

    let markdown = std::fs::read_to_string(out.join("report.md")).expect("report.md written");
    assert!(markdown.contains("## Targets"));
    assert!(
        markdown.contains("| ServerLoad: p99 lateness | 1 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("`ServerLoad`: wheel firing lateness p99")
            && markdown.contains("scaled down to 1e3 timers"),
        "{markdown}"
    );
    let svg = std::fs::read_to_string(out.join("scale.svg")).expect("scale.svg written");
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("<polyline"), "the Scale plot has lines");
    let _ = std::fs::remove_dir_all(&out);
}
