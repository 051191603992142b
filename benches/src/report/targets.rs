//! The project's performance targets, each judged on the records: whether
//! it holds, or `None` where a number it needs was not measured, and the
//! numbers it was judged on. `benches/README.md` lists the targets.

use crate::workloads::{Metric, ServerLoadSize, Workload};

use super::format::{bytes, count_label, format_ns, ns, times};
use super::record::Report;

/// A performance target and whether the measurements meet it.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The target, in words.
    pub statement: &'static str,
    /// Whether it holds; `None` where it was not judged: a number it needs
    /// was not measured, or the run was too small for it to mean anything
    /// (the detail says which).
    pub holds: Option<bool>,
    /// The numbers it was judged on.
    pub detail: String,
}

/// `StartStop1000 0.83×, Stop 1.20×` for ratios of the wheel's time to
/// `peer`'s, or why there are none.
fn ratio_list(ratios: &[(String, f64)], peer: &str) -> String {
    if ratios.is_empty() {
        return format!("{peer} not measured");
    }
    let list = ratios
        .iter()
        .map(|(name, ratio)| format!("{name} {ratio:.2}×"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("wheel's time ÷ {peer}'s: {list}")
}

impl Report {
    /// The project's performance targets, judged on the records.
    pub fn targets(&self) -> Vec<Target> {
        let v =
            |workload: &str, backend: &str, threads: usize| self.value(workload, backend, threads);
        let mut targets = Vec::new();

        // The wheel against each peer, operation by operation, on one
        // thread: ratios, since every backend pays the same clock reads
        // and callback allocations (see the Notes), so absolute budgets
        // below those costs could not be met by anyone.
        let single_thread = self.single_thread_workloads();
        for (peer, statement) in [
            (
                "tokio",
                "one thread: wheel at most tokio's time on every single-timer operation, `Scale` and `AdjustTimers10000` row",
            ),
            (
                "go",
                "one thread: wheel at most Go's time on every single-timer operation, `Scale` and `AdjustTimers10000` row",
            ),
        ] {
            let ratios: Vec<(String, f64)> = single_thread
                .iter()
                .filter_map(|workload| {
                    v(workload, "wheel", 1)
                        .zip(v(workload, peer, 1))
                        .map(|(wheel, other)| (workload.clone(), wheel / other))
                })
                .collect();
            targets.push(Target {
                statement,
                holds: (!ratios.is_empty()).then(|| ratios.iter().all(|(_, r)| *r <= 1.0)),
                detail: ratio_list(&ratios, peer),
            });
        }

        let layer: Vec<(String, f64)> = ["TimerSetStartStop1000", "TimerSetReset"]
            .into_iter()
            .filter_map(|workload| {
                v(workload, "wheel", 1)
                    .zip(v(workload, "tokio", 1))
                    .map(|(wheel, queue)| (workload.to_owned(), wheel / queue))
            })
            .collect();
        targets.push(Target {
            statement: "runtime layer, one thread: wheel at most `DelayQueue`'s time on `TimerSetStartStop1000` and `TimerSetReset`, while staying a concurrent set",
            holds: (layer.len() == 2).then(|| layer.iter().all(|(_, r)| *r <= 1.0)),
            detail: ratio_list(&layer, "DelayQueue"),
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
        let (set_memory, queue_memory) = (
            v("TimerSetMemory1e6", "wheel", 1),
            v("TimerSetMemory1e6", "tokio", 1),
        );
        targets.push(Target {
            statement: "`Memory`: wheel at most 64 bytes per `after_func` timer with its handle, and `TimerSetMemory1e6` at most `DelayQueue`'s",
            holds: (!memory.is_empty()).then(|| {
                memory.iter().all(|(_, b)| *b <= 64.0)
                    && set_memory
                        .zip(queue_memory)
                        .is_some_and(|(wheel, queue)| wheel <= queue)
            }),
            detail: format!(
                "after_func timers, handles stored: {}; runtime layer (TimerSetMemory1e6, one \
                 shared callback): wheel {}, heap {}, DelayQueue {}",
                if memory.is_empty() {
                    "not measured".to_owned()
                } else {
                    memory
                        .iter()
                        .map(|(name, b)| format!("{name} {b:.1} B"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                bytes(set_memory),
                bytes(v("TimerSetMemory1e6", "heap", 1)),
                bytes(queue_memory),
            ),
        });

        let speedup = |backend| {
            v("StartStop1000", backend, 1)
                .zip(v("StartStop1000", backend, 2))
                .map(|(one, two)| one / two)
        };
        targets.push(Target {
            statement: "2 threads at least 1.8× the throughput of 1 thread on `StartStop1000` (wheel)",
            holds: speedup("wheel").map(|s| s >= 1.8),
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

        // The heap's pauses grow with the number of timers: scaled down, it
        // has none to speak of, and the ratio says nothing about the target.
        let heap = v(Metric::P99Lateness, "heap");
        let full_size = self.server_load == Some(ServerLoadSize::FULL);
        targets.push(Target {
            statement: "`ServerLoad`: wheel firing lateness p99 at least 10× better than heap's",
            holds: p99
                .zip(heap)
                .filter(|_| full_size)
                .map(|(wheel, heap)| heap >= 10.0 * wheel),
            detail: format!(
                "{size}: wheel p99 {}, heap p99 {} ({}){}",
                ns(p99),
                ns(heap),
                times(p99.zip(heap).map(|(wheel, heap)| heap / wheel)),
                if full_size {
                    ""
                } else {
                    "; judged only at full size (`--full-server-load`): the heap's pauses grow \
                     with its timers, and scaled down it has none to compare"
                },
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

    /// The one-thread rows the peer targets compare: Go's single-timer
    /// benchmarks, every `Scale` size and every `AdjustTimers10000`
    /// variant that was measured, in report order.
    fn single_thread_workloads(&self) -> Vec<String> {
        let mut workloads: Vec<String> = [
            "StartStop1000",
            "Stop",
            "Reset",
            "AfterFunc1000",
            "SimultaneousAfterFunc1000",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        for record in &self.records {
            let name = &record.workload;
            let wanted = name.starts_with("AdjustTimers10000")
                || matches!(Workload::from_name(name), Some(Workload::Scale(_)));
            if wanted && record.threads == 1 && !workloads.contains(name) {
                workloads.push(name.clone());
            }
        }
        workloads
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
                sample_record("StartStop1000", "tokio", 1, 40_000.0),
                sample_record("StartStop1000", "go", 1, 20_000.0),
                sample_record("Reset", "wheel", 1, 50.0),
                sample_record("Reset", "tokio", 1, 60.0),
                sample_record("StartStop1000", "wheel", 2, 16_000.0),
                sample_record("Scale1e3", "wheel", 1, 30.0),
                sample_record("Scale1e3", "tokio", 1, 35.0),
                sample_record("Scale1e7", "wheel", 1, 90.0),
                sample_record("TimerSetStartStop1000", "wheel", 1, 100.0),
                sample_record("TimerSetStartStop1000", "tokio", 1, 120.0),
                sample_record("Memory1e6", "wheel", 1, 63.0),
            ],
            ..Report::default()
        };
        let targets = report.targets();
        assert_eq!(targets[0].holds, Some(true), "{}", targets[0].detail);
        assert!(
            targets[0].detail.contains("Scale1e3 0.86×"),
            "{}",
            targets[0].detail
        );
        assert_eq!(targets[1].holds, Some(false)); // 1.5× Go's StartStop1000
        assert_eq!(targets[2].holds, None); // TimerSetReset not measured
        assert_eq!(targets[3].holds, Some(false)); // 3× growth
        assert_eq!(targets[4].holds, Some(false)); // DelayQueue memory not measured
        assert_eq!(targets[5].holds, Some(true)); // 30 / 16 = 1.875×
    }

    #[test]
    fn peers_not_measured_leave_their_targets_unjudged() {
        let report = Report {
            records: vec![sample_record("StartStop1000", "wheel", 1, 30_000.0)],
            ..Report::default()
        };
        let targets = report.targets();
        assert_eq!(targets[0].holds, None);
        assert_eq!(targets[0].detail, "tokio not measured");
        assert_eq!(targets[1].holds, None);
        assert!(targets[6..].iter().all(|target| target.holds.is_none()));
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
        assert_eq!(server_load[1].holds, None, "133×, but scaled down");
        assert!(server_load[1].detail.contains("judged only at full size"));
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
        let full = Report {
            server_load: Some(ServerLoadSize::FULL),
            ..report
        };
        let targets = full.targets();
        assert_eq!(targets[8].holds, Some(true), "133× at full size");
        assert!(!targets[8].detail.contains("judged only"));
    }
}
