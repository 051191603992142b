//! The project's performance targets, each judged on the records: whether
//! it holds, or `None` where a number it needs was not measured, and the
//! numbers it was judged on. `benches/README.md` lists the targets.

use crate::workloads::{Metric, ServerLoadSize};

use super::format::{bytes, count_label, format_ns, ns, times};
use super::record::Report;

/// A performance target and whether the measurements meet it.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The target, in words.
    pub statement: &'static str,
    /// Whether it holds; `None` where a number it needs was not measured.
    pub holds: Option<bool>,
    /// The numbers it was judged on.
    pub detail: String,
}

impl Report {
    /// The project's performance targets, judged on the records.
    pub fn targets(&self) -> Vec<Target> {
        let v =
            |workload: &str, backend: &str, threads: usize| self.value(workload, backend, threads);
        let mut targets = Vec::new();

        // start+stop of an after_func(1h), from StartStop1000 on one thread.
        let per_pair = |backend| v("StartStop1000", backend, 1).map(|ns| ns / 1000.0);
        let runtime_pair = |backend| v("TimerSetStartStop1000", backend, 1).map(|ns| ns / 1000.0);
        let (wheel, heap) = (per_pair("wheel"), per_pair("heap"));
        targets.push(Target {
            statement: "start+stop of an `after_func(1h)`: wheel at most 40 ns per pair and at least 3× faster than heap",
            holds: wheel
                .zip(heap)
                .map(|(wheel, heap)| wheel <= 40.0 && heap / wheel >= 3.0),
            detail: format!(
                "StartStop1000, 1 thread: wheel {}, heap {} per pair ({}); runtime layer \
                 (TimerSetStartStop1000): wheel {}, heap {} per pair",
                ns(wheel),
                ns(heap),
                times(wheel.zip(heap).map(|(w, h)| h / w)),
                ns(runtime_pair("wheel")),
                ns(runtime_pair("heap")),
            ),
        });

        let wheel = v("Reset", "wheel", 1);
        targets.push(Target {
            statement: "`Reset` of an armed timer to a later time: wheel at most 10 ns",
            holds: wheel.map(|wheel| wheel <= 10.0),
            detail: format!(
                "Reset, 1 thread: wheel {}, heap {}; runtime layer (TimerSetReset): wheel {}, heap {}",
                ns(wheel),
                ns(v("Reset", "heap", 1)),
                ns(v("TimerSetReset", "wheel", 1)),
                ns(v("TimerSetReset", "heap", 1)),
            ),
        });

        let mut ratios = Vec::new();
        for workload in [
            "AdjustTimers10000",
            "AdjustTimers10000SingleThread",
            "AdjustTimers10000NoSleep",
        ] {
            for threads in self.thread_counts_of(workload) {
                if let Some((w, h)) =
                    v(workload, "wheel", threads).zip(v(workload, "heap", threads))
                {
                    ratios.push((format!("{workload}/{threads}"), h / w));
                }
            }
        }
        targets.push(Target {
            statement: "every `AdjustTimers10000` variant with a reset: wheel at least 5× faster than heap",
            holds: (!ratios.is_empty()).then(|| ratios.iter().all(|(_, r)| *r >= 5.0)),
            detail: ratios
                .iter()
                .map(|(name, r)| format!("{name}: {r:.2}×"))
                .collect::<Vec<_>>()
                .join(", "),
        });

        let (small, large) = (v("Scale1e3", "wheel", 1), v("Scale1e7", "wheel", 1));
        targets.push(Target {
            statement: "`Scale`: wheel's cost at 10^7 idle timers at most 2× its cost at 10^3",
            holds: small.zip(large).map(|(small, large)| large <= 2.0 * small),
            detail: format!(
                "wheel per start+stop pair: {}; heap: {}",
                self.scale_series("wheel"),
                self.scale_series("heap"),
            ),
        });

        let memory: Vec<(String, f64)> = self
            .records
            .iter()
            .filter(|r| r.backend == "wheel" && r.workload.starts_with("Memory"))
            .map(|r| (r.workload.clone(), r.value))
            .collect();
        targets.push(Target {
            statement: "`Memory`: wheel at most 64 bytes per live timer",
            holds: (!memory.is_empty()).then(|| memory.iter().all(|(_, b)| *b <= 64.0)),
            detail: format!(
                "after_func timers, handles stored: {}; runtime layer (TimerSetMemory1e6, one \
                 shared callback): wheel {}, heap {}",
                if memory.is_empty() {
                    "not measured".to_owned()
                } else {
                    memory
                        .iter()
                        .map(|(name, b)| format!("{name} {b:.1} B"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                bytes(v("TimerSetMemory1e6", "wheel", 1)),
                bytes(v("TimerSetMemory1e6", "heap", 1)),
            ),
        });

        let speedup = |backend| {
            v("StartStop1000", backend, 1)
                .zip(v("StartStop1000", backend, 2))
                .map(|(one, two)| one / two)
        };
        targets.push(Target {
            statement: "2 threads at least 1.6× the throughput of 1 thread on `StartStop1000` (wheel)",
            holds: speedup("wheel").map(|s| s >= 1.6),
            detail: format!(
                "throughput at 2 threads ÷ at 1: wheel {}, heap {}, tokio {}",
                times(speedup("wheel")),
                times(speedup("heap")),
                times(speedup("tokio")),
            ),
        });

        let lateness: Vec<(usize, f64)> = self
            .thread_counts_of("ParallelTimerLatency")
            .into_iter()
            .filter_map(|t| v("ParallelTimerLatency", "wheel", t).map(|ns| (t, ns)))
            .collect();
        targets.push(Target {
            statement: "`ParallelTimerLatency`: wheel p99 lateness at most 200 µs on an otherwise idle machine",
            holds: (!lateness.is_empty()).then(|| lateness.iter().all(|(_, ns)| *ns <= 200_000.0)),
            detail: format!(
                "wheel p99 by threads: {}",
                lateness
                    .iter()
                    .map(|(t, ns)| format!("{t}: {}", format_ns(*ns)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
        self.server_load_targets(&mut targets);
        self.async_timeouts_target(&mut targets);
        targets
    }

    /// AsyncTimeouts: gowheel's (wheel) timeout futures against
    /// `tokio::time::timeout` on the same tokio runtime.
    fn async_timeouts_target(&self, targets: &mut Vec<Target>) {
        let ops = |backend, threads| {
            self.metric_value("AsyncTimeouts", Metric::OpsPerSecond, backend, threads)
        };
        let ratio = |threads| {
            ops("wheel", threads)
                .zip(ops("tokio", threads))
                .map(|(w, t)| w / t)
        };
        let (one, two) = (ratio(1), ratio(2));
        targets.push(Target {
            statement: "`AsyncTimeouts` (async tasks wrapping short ops in timeouts): wheel at least tokio's throughput on 1 worker thread and at least 1.5× it on 2",
            holds: one.zip(two).map(|(one, two)| one >= 1.0 && two >= 1.5),
            detail: format!(
                "ops/s wheel vs tokio: 1 thread {} ({}), 2 threads {} ({}); bytes per pending \
                 timer wheel {}, tokio {}; probe p99 lateness (2 threads) wheel {}, tokio {}",
                ops("wheel", 1).map_or("not measured".to_owned(), |v| format!("{:.2} M vs {:.2} M", v / 1e6, ops("tokio", 1).unwrap_or(f64::NAN) / 1e6)),
                times(one),
                ops("wheel", 2).map_or("not measured".to_owned(), |v| format!("{:.2} M vs {:.2} M", v / 1e6, ops("tokio", 2).unwrap_or(f64::NAN) / 1e6)),
                times(two),
                bytes(self.metric_value("AsyncTimeouts", Metric::BytesPerTimer, "wheel", 1)),
                bytes(self.metric_value("AsyncTimeouts", Metric::BytesPerTimer, "tokio", 1)),
                ns(self.metric_value("AsyncTimeouts", Metric::P99Lateness, "wheel", 2)),
                ns(self.metric_value("AsyncTimeouts", Metric::P99Lateness, "tokio", 2)),
            ),
        });
    }

    /// ServerLoad's targets, set for its full size and judged at the size
    /// it ran at, which each one's numbers name.
    fn server_load_targets(&self, targets: &mut Vec<Target>) {
        let v = |metric, backend| self.metric_value("ServerLoad", metric, backend, 1);
        let size = match self.server_load {
            Some(size) if size == ServerLoadSize::FULL => format!("at full size, {}", size.load()),
            Some(size) => format!(
                "scaled down to {} (set for {})",
                size.load(),
                ServerLoadSize::FULL.load()
            ),
            None => "at a size not recorded".to_owned(),
        };
        let lateness = |backend| {
            format!(
                "{backend} p99 {}, max {}",
                ns(v(Metric::P99Lateness, backend)),
                ns(v(Metric::MaxLateness, backend))
            )
        };
        let others = ["heap", "tokio", "go"]
            .into_iter()
            .filter(|backend| v(Metric::P99Lateness, backend).is_some())
            .map(lateness)
            .collect::<Vec<_>>()
            .join("; ");

        let (p99, max) = (
            v(Metric::P99Lateness, "wheel"),
            v(Metric::MaxLateness, "wheel"),
        );
        targets.push(Target {
            statement: "`ServerLoad`: wheel firing lateness p99 at most 1 ms and max at most 20 ms",
            holds: p99.zip(max).map(|(p99, max)| p99 <= 1e6 && max <= 20e6),
            detail: format!("{size}: {}; {others}", lateness("wheel")),
        });

        let heap = v(Metric::P99Lateness, "heap");
        targets.push(Target {
            statement: "`ServerLoad`: wheel firing lateness p99 at least 10× better than heap's",
            holds: p99.zip(heap).map(|(wheel, heap)| heap >= 10.0 * wheel),
            detail: format!(
                "{size}: wheel p99 {}, heap p99 {} ({})",
                ns(p99),
                ns(heap),
                times(p99.zip(heap).map(|(wheel, heap)| heap / wheel)),
            ),
        });

        let calls = |backend| {
            (
                v(Metric::ResetCallP999, backend),
                v(Metric::AfterFuncCallP999, backend),
            )
        };
        let (reset, after_func) = calls("wheel");
        let (heap_reset, heap_after_func) = calls("heap");
        targets.push(Target {
            statement: "`ServerLoad`: wheel `reset` and `after_func` call latency p99.9 at most 50 µs",
            holds: reset
                .zip(after_func)
                .map(|(reset, after_func)| reset <= 50e3 && after_func <= 50e3),
            detail: format!(
                "{size}: wheel reset {}, after_func {}; heap reset {}, after_func {}",
                ns(reset),
                ns(after_func),
                ns(heap_reset),
                ns(heap_after_func),
            ),
        });
    }

    fn scale_series(&self, backend: &str) -> String {
        let points = self.scale_points(backend);
        if points.is_empty() {
            return "not measured".to_owned();
        }
        points
            .iter()
            .map(|(count, ns)| format!("{} at {}", format_ns(*ns), count_label(*count)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::super::record::{sample_record, server_load_record};
    use super::*;

    #[test]
    fn targets_are_judged_on_the_records() {
        let report = Report {
            records: vec![
                sample_record("StartStop1000", "wheel", 1, 30_000.0),
                sample_record("StartStop1000", "heap", 1, 120_000.0),
                sample_record("StartStop1000", "wheel", 2, 15_000.0),
                sample_record("Scale1e3", "wheel", 1, 30.0),
                sample_record("Scale1e7", "wheel", 1, 90.0),
                sample_record("Memory1e6", "wheel", 1, 63.0),
            ],
            ..Report::default()
        };
        let targets = report.targets();
        assert_eq!(targets[0].holds, Some(true)); // 30 ns, 4×
        assert_eq!(targets[1].holds, None); // Reset not measured
        assert_eq!(targets[3].holds, Some(false)); // 3× growth
        assert_eq!(targets[4].holds, Some(true));
        assert_eq!(targets[5].holds, Some(true)); // 2× throughput
        assert!(targets[7..].iter().all(|target| target.holds.is_none()));
    }

    #[test]
    fn async_timeouts_target_compares_wheel_with_tokio() {
        use crate::report::Record;
        use crate::workloads::Workload;
        let ops = |backend, threads, value| {
            Record::of_metric(
                Workload::AsyncTimeouts,
                Metric::OpsPerSecond,
                backend,
                threads,
                value,
            )
        };
        let mut report = Report {
            records: vec![
                ops("wheel", 1, 2e6),
                ops("tokio", 1, 1e6),
                ops("wheel", 2, 3e6),
                ops("tokio", 2, 1e6),
            ],
            ..Report::default()
        };
        let target = report.targets().pop().unwrap();
        assert!(target.statement.starts_with("`AsyncTimeouts`"));
        assert_eq!(target.holds, Some(true));
        report.records[2].value = 1.2e6; // 1.2x on 2 threads
        assert_eq!(report.targets().pop().unwrap().holds, Some(false));
        report.records.clear();
        assert_eq!(report.targets().pop().unwrap().holds, None);
    }

    #[test]
    fn server_load_targets_name_their_size() {
        let record = server_load_record;
        let report = Report {
            records: vec![
                record(Metric::P99Lateness, "wheel", 300e3),
                record(Metric::MaxLateness, "wheel", 5e6),
                record(Metric::ResetCallP999, "wheel", 2e3),
                record(Metric::AfterFuncCallP999, "wheel", 60e3),
                record(Metric::P99Lateness, "heap", 40e6),
            ],
            server_load: Some(ServerLoadSize::SHORT),
            ..Report::default()
        };
        let targets = report.targets();
        let server_load = &targets[7..10];
        assert_eq!(server_load[0].holds, Some(true)); // 300 µs, 5 ms
        assert_eq!(server_load[1].holds, Some(true)); // 133×
        assert_eq!(server_load[2].holds, Some(false)); // after_func 60 µs
        for target in server_load {
            assert!(
                target.detail.starts_with(
                    "scaled down to 1e5 timers, 1e5 resets/s for 3s (set for 1e6 timers"
                ),
                "{}",
                target.detail
            );
        }
    }
}
