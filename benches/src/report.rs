//! `evaluate`'s report: the records, the side-by-side table, the targets
//! and whether they hold, `report.json`, and the Scale plot as hand-written
//! SVG.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::Duration;

use crate::workloads::Workload;

/// One measured number: a workload on a backend with a thread count.
#[derive(Clone, Debug, PartialEq)]
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

/// The backends in column order; `go` only appears when it was run.
const COLUMNS: [&str; 4] = ["wheel", "heap", "tokio", "go"];

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
}

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
    /// The value recorded for `workload` on `backend` with `threads`.
    pub fn value(&self, workload: &str, backend: &str, threads: usize) -> Option<f64> {
        self.records
            .iter()
            .find(|r| r.workload == workload && r.backend == backend && r.threads == threads)
            .map(|r| r.value)
    }

    fn has_backend(&self, backend: &str) -> bool {
        self.records.iter().any(|r| r.backend == backend)
    }

    /// `report.json`: metadata, notes, and one record per workload, backend
    /// and threads.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n");
        let _ = writeln!(out, "  \"generator\": \"gowheel-benches evaluate\",");
        let _ = writeln!(out, "  \"smoke\": {},", self.smoke);
        let _ = writeln!(out, "  \"cpus\": {},", self.cpus);
        let _ = writeln!(
            out,
            "  \"elapsed_seconds\": {},",
            json_number(self.elapsed.as_secs_f64())
        );
        out.push_str("  \"notes\": [");
        for (i, note) in self.notes.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            out.push_str(&json_string(note));
        }
        out.push_str(if self.notes.is_empty() {
            "],\n"
        } else {
            "\n  ],\n"
        });
        out.push_str("  \"records\": [");
        for (i, r) in self.records.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            let _ = write!(
                out,
                "{{\"workload\": {}, \"backend\": {}, \"threads\": {}, \"metric\": {}, \"value\": {}, \"unit\": {}}}",
                json_string(&r.workload),
                json_string(&r.backend),
                r.threads,
                json_string(&r.metric),
                json_number(r.value),
                json_string(&r.unit),
            );
        }
        out.push_str(if self.records.is_empty() {
            "]\n}\n"
        } else {
            "\n  ]\n}\n"
        });
        out
    }

    /// The side-by-side Markdown table: one row per workload and thread
    /// count.
    pub fn table(&self) -> String {
        let columns: Vec<&str> = COLUMNS
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

    fn record(&self, workload: &str, backend: &str, threads: usize) -> Option<&Record> {
        self.records
            .iter()
            .find(|r| r.workload == workload && r.backend == backend && r.threads == threads)
    }

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
        targets
    }

    fn thread_counts_of(&self, workload: &str) -> Vec<usize> {
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

    /// `report.md`: the table, the targets, the notes.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# gowheel evaluation\n\n");
        let _ = writeln!(
            out,
            "{} on {} CPUs in {:.0} s: every workload on gowheel's wheel, gowheel's heap \
             (the port of Go's timers){}. Benchmarks of the same name as Go's run the same \
             operations as Go's `sleep_test.go`; see `benches/README.md`.\n",
            if self.smoke {
                "A smoke run (tiny sizes: the numbers mean nothing)"
            } else {
                "A short run"
            },
            self.cpus,
            self.elapsed.as_secs_f64(),
            if self.has_backend("go") {
                ", tokio and Go's own runtime"
            } else {
                " and tokio"
            },
        );
        out.push_str(
            "Times are per iteration (Go's ns/op) unless marked per pair; lateness is the \
             99th percentile; `heap/wheel` is how many times the wheel is better (the heap's \
             cost over the wheel's, or the wheel's rate over the heap's).\n\n",
        );
        out.push_str(&self.table());
        out.push_str("\n## Targets\n\n");
        out.push_str("| target | holds | measured |\n| --- | --- | --- |\n");
        for target in self.targets() {
            let holds = match target.holds {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "not measured",
            };
            let _ = writeln!(
                out,
                "| {} | {holds} | {} |",
                target.statement,
                target.detail.replace('|', "\\|")
            );
        }
        if !self.notes.is_empty() {
            out.push_str("\n## Notes\n\n");
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        out
    }

    /// The Scale plot: cost per start+stop pair against live timers, one
    /// line per backend, both axes logarithmic.
    pub fn scale_svg(&self) -> String {
        let series: Vec<svg::Series> = COLUMNS
            .into_iter()
            .zip(["#1b9e77", "#d95f02", "#7570b3", "#e7298a"])
            .map(|(name, color)| svg::Series {
                name,
                color,
                points: self.scale_points(name),
            })
            .filter(|series| !series.points.is_empty())
            .collect();
        svg::plot(&series)
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

/// A value with its unit, for the table.
fn format_value(record: &Record) -> String {
    match (record.unit.as_str(), record.metric.as_str()) {
        ("ns", "time_per_op") => format!("{}/op", format_ns(record.value)),
        ("ns", "time_per_start_stop") => format!("{}/pair", format_ns(record.value)),
        ("ns", _) => format_ns(record.value),
        ("1/s", _) => format!("{}/s", format_si(record.value)),
        ("bytes", _) => format!("{:.1} B", record.value),
        (unit, _) => format!("{} {unit}", record.value),
    }
}

/// Nanoseconds in the unit that suits them.
pub fn format_ns(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

fn format_si(value: f64) -> String {
    if value >= 1e9 {
        format!("{:.2} G", value / 1e9)
    } else if value >= 1e6 {
        format!("{:.2} M", value / 1e6)
    } else if value >= 1e3 {
        format!("{:.2} k", value / 1e3)
    } else {
        format!("{value:.1}")
    }
}

fn ns(value: Option<f64>) -> String {
    value.map_or("not measured".to_owned(), format_ns)
}

fn bytes(value: Option<f64>) -> String {
    value.map_or("not measured".to_owned(), |b| format!("{b:.1} B"))
}

fn times(value: Option<f64>) -> String {
    value.map_or("not measured".to_owned(), |r| format!("{r:.2}×"))
}

/// `10^k` for a power of ten, else the number.
fn count_label(count: usize) -> String {
    let power = (count as f64).log10();
    if power.fract() == 0.0 {
        format!("10^{power}")
    } else {
        count.to_string()
    }
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_number(value: f64) -> String {
    if value.is_finite() {
        format!("{value}")
    } else {
        "null".to_owned()
    }
}

/// A small log-log line plot in SVG, written by hand.
mod svg {
    use std::fmt::Write as _;

    /// A y tick: nanoseconds with no needless decimals (`200 ns`, `1 µs`).
    fn tick_label(ns: f64) -> String {
        let (value, unit) = if ns >= 1e6 {
            (ns / 1e6, "ms")
        } else if ns >= 1e3 {
            (ns / 1e3, "µs")
        } else {
            (ns, "ns")
        };
        let text = format!("{value:.2}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        format!("{text} {unit}")
    }

    const WIDTH: f64 = 720.0;
    const HEIGHT: f64 = 440.0;
    const LEFT: f64 = 90.0;
    const RIGHT: f64 = 130.0;
    const TOP: f64 = 50.0;
    const BOTTOM: f64 = 60.0;

    /// One line of the plot.
    pub(super) struct Series {
        pub(super) name: &'static str,
        pub(super) color: &'static str,
        /// `(live timers, ns)`, by live timers.
        pub(super) points: Vec<(usize, f64)>,
    }

    /// Plots each series.
    pub(super) fn plot(series: &[Series]) -> String {
        let points = series.iter().flat_map(|series| series.points.iter());
        let (mut x_min, mut x_max, mut y_min, mut y_max) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in points {
            let (x, y) = ((x as f64).log10(), y.max(1e-3).log10());
            x_min = x_min.min(x);
            x_max = x_max.max(x);
            y_min = y_min.min(y);
            y_max = y_max.max(y);
        }
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
             viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">"
        );
        let _ = writeln!(
            out,
            "<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"white\"/>\n\
             <text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">Scale: cost of a \
             start+stop pair against live timers</text>",
            WIDTH / 2.0
        );
        if x_min > x_max {
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">no Scale measurements</text>\n</svg>",
                WIDTH / 2.0,
                HEIGHT / 2.0
            );
            return out;
        }
        // Whole decades on x; on y, whole decades around the data.
        let (x_min, x_max) = (x_min.floor(), x_max.ceil().max(x_min.floor() + 1.0));
        let (y_min, y_max) = (y_min.floor(), y_max.ceil().max(y_min.floor() + 1.0));
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let px = |x: f64| LEFT + (x - x_min) / (x_max - x_min) * plot_w;
        let py = |y: f64| TOP + plot_h - (y - y_min) / (y_max - y_min) * plot_h;
        let _ = writeln!(
            out,
            "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{plot_w}\" height=\"{plot_h}\" fill=\"none\" \
             stroke=\"#444\"/>"
        );
        let mut decade = x_min;
        while decade <= x_max + 1e-9 {
            let x = px(decade);
            let _ = writeln!(
                out,
                "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\n\
                 <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">10<tspan dy=\"-6\" \
                 font-size=\"9\">{decade}</tspan></text>",
                TOP + plot_h,
                TOP + plot_h + 18.0,
            );
            decade += 1.0;
        }
        let mut decade = y_min;
        while decade <= y_max + 1e-9 {
            for (step, major) in [(1.0, true), (2.0, false), (5.0, false)] {
                let y = decade + f64::log10(step);
                if y > y_max + 1e-9 {
                    break;
                }
                let yy = py(y);
                let _ = writeln!(
                    out,
                    "<line x1=\"{LEFT}\" y1=\"{yy:.1}\" x2=\"{:.1}\" y2=\"{yy:.1}\" stroke=\"{}\"/>\n\
                     <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                    LEFT + plot_w,
                    if major { "#ccc" } else { "#eee" },
                    LEFT - 6.0,
                    yy + 4.0,
                    tick_label(10f64.powf(y))
                );
            }
            decade += 1.0;
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">live idle timers</text>\n\
             <text transform=\"translate(18 {:.1}) rotate(-90)\" text-anchor=\"middle\">time per \
             start+stop pair</text>",
            LEFT + plot_w / 2.0,
            HEIGHT - 16.0,
            TOP + plot_h / 2.0
        );
        for (
            index,
            Series {
                name,
                color,
                points,
            },
        ) in series.iter().enumerate()
        {
            let path: Vec<String> = points
                .iter()
                .map(|&(x, y)| {
                    format!(
                        "{:.1},{:.1}",
                        px((x as f64).log10()),
                        py(y.max(1e-3).log10())
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>",
                path.join(" ")
            );
            for point in &path {
                let (x, y) = point.split_once(',').unwrap_or(("0", "0"));
                let _ = writeln!(
                    out,
                    "<circle cx=\"{x}\" cy=\"{y}\" r=\"3.5\" fill=\"{color}\"/>"
                );
            }
            let legend_y = TOP + 14.0 + 22.0 * index as f64;
            let legend_x = LEFT + plot_w + 16.0;
            let _ = writeln!(
                out,
                "<line x1=\"{legend_x:.1}\" y1=\"{legend_y:.1}\" x2=\"{:.1}\" y2=\"{legend_y:.1}\" \
                 stroke=\"{color}\" stroke-width=\"3\"/>\n<text x=\"{:.1}\" y=\"{:.1}\">{name}</text>",
                legend_x + 24.0,
                legend_x + 30.0,
                legend_y + 4.0
            );
        }
        out.push_str("</svg>\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(workload: &str, backend: &str, threads: usize, value: f64) -> Record {
        let metric = Workload::from_name(workload).map_or(crate::Metric::TimePerOp, |w| w.metric());
        Record {
            workload: workload.to_owned(),
            backend: backend.to_owned(),
            threads,
            metric: metric.name().to_owned(),
            value,
            unit: metric.unit().to_owned(),
        }
    }

    #[test]
    fn targets_are_judged_on_the_records() {
        let report = Report {
            records: vec![
                record("StartStop1000", "wheel", 1, 30_000.0),
                record("StartStop1000", "heap", 1, 120_000.0),
                record("StartStop1000", "wheel", 2, 15_000.0),
                record("Scale1e3", "wheel", 1, 30.0),
                record("Scale1e7", "wheel", 1, 90.0),
                record("Memory1e6", "wheel", 1, 63.0),
            ],
            ..Report::default()
        };
        let targets = report.targets();
        assert_eq!(targets[0].holds, Some(true)); // 30 ns, 4×
        assert_eq!(targets[1].holds, None); // Reset not measured
        assert_eq!(targets[3].holds, Some(false)); // 3× growth
        assert_eq!(targets[4].holds, Some(true));
        assert_eq!(targets[5].holds, Some(true)); // 2× throughput
    }

    #[test]
    fn json_escapes_and_table_has_ratios() {
        let mut report = Report {
            records: vec![
                record("IdleTimeouts", "wheel", 1, 2e7),
                record("IdleTimeouts", "heap", 1, 1e7),
            ],
            ..Report::default()
        };
        report.notes.push("a \"quoted\" note\n".to_owned());
        let json = report.to_json();
        assert!(json.contains(r#""a \"quoted\" note\n""#));
        assert!(report.table().contains("2.00×"));
        assert!(report.scale_svg().contains("no Scale measurements"));
    }
}
