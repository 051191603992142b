//! `evaluate`: the drop-in evaluation. Runs a short version of every
//! workload on gowheel's wheel, gowheel's heap and tokio (and, with `--go`,
//! on Go's own timers), prints the side-by-side table and the performance
//! targets, and writes `report.md`, `report.json` and `scale.svg` to
//! `TARGET_DIR/gowheel-evaluate/`.
//!
//! With `--trace FILE` it evaluates a recorded workload instead: the
//! trace's operations re-issued at their times on its number of threads,
//! on each backend (see `gowheel_benches::trace_replay`), reported as
//! `report.md`, `report.json` and `lateness.svg`.
//!
//! `cargo run --release -p gowheel-benches --bin evaluate [-- OPTIONS]`; `--help`
//! lists the options, and `benches/README.md` says how long a run takes.
//!
//! Timed rows run in this process, one runner at a time, each dropped
//! (threads, preamble and all) before the next is made; memory rows, and
//! Scale at the populations they make, run in child processes (see
//! `gowheel_benches::probe`). ServerLoad runs last, in this process, one
//! backend at a time, at a size scaled down from its targets' unless
//! `--full-server-load` asks for the full one. The records are sorted into
//! the catalog's order before the report is written.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use gowheel_benches::measure::{self, quantile};
use gowheel_benches::probe::Probe;
use gowheel_benches::report::format_ns;
use gowheel_benches::workloads::{ServerLoadSize, run_async_timeouts, run_server_load};
use gowheel_benches::{BackendKind, Metric, Record, Report, Sizes, Workload, go, pool};

const USAGE: &str = "\
usage: evaluate [--go] [--smoke] [--full-server-load] [--only NAME[,NAME...]]
                [--backends NAME[,NAME...]] [--out DIR]
       evaluate --trace FILE [--max-gap-ms N] [--backends NAME[,NAME...]] [--out DIR]

Runs a short version of every workload on gowheel's wheel, gowheel's heap and
tokio, prints the side-by-side table and the performance targets, and writes
report.md, report.json and scale.svg.

  --go         also run the workloads written in Go (benches/go/) with the Go
               toolchain on PATH (1.23 or later), as a fourth column
  --smoke      tiny sizes and budgets: checks that everything runs (seconds);
               the numbers mean nothing
  --full-server-load
               run ServerLoad at the size its targets are set for (10^6
               timers, 10^6 resets/s for 10 s: about 12 s per backend)
               instead of the short run's 10^5 timers, 10^5 resets/s for 3 s
  --only LIST  only the workloads whose name contains one of these words
  --backends LIST
               only these of wheel, heap, tokio (default: all three)
  --out DIR    where to write the report (default: TARGET_DIR/gowheel-evaluate,
               TARGET_DIR being $CARGO_TARGET_DIR or the workspace's target/)
  --trace FILE instead of the workloads, replay a trace (a recording by
               RuntimeBuilder::record or benches/go/record, or a Go
               virtual-clock trace) at its times on its number of threads,
               on each backend; writes report.md, report.json, lateness.svg
  --max-gap-ms N
               with --trace, on a virtual-clock trace: cut each gap between
               operations to at most N ms (default 1)
  --help, -h   this text

An option's value may follow it as the next argument or after `=`
(`--only Scale` or `--only=Scale`).";

/// The whole evaluation should end within this (the promise is 5 minutes
/// on 2 cores); the largest population is skipped if it would not fit.
const TIME_LIMIT: Duration = Duration::from_secs(270);

struct Options {
    go: bool,
    smoke: bool,
    full_server_load: bool,
    only: Vec<String>,
    backends: Vec<BackendKind>,
    out: Option<PathBuf>,
    trace: Option<PathBuf>,
    max_gap_ms: f64,
}

impl Options {
    /// Reads the arguments (the program name left out); `None` for
    /// `--help`.
    fn parse<Arg: Into<OsString>>(
        args: impl IntoIterator<Item = Arg>,
    ) -> Result<Option<Options>, lexopt::Error> {
        use lexopt::prelude::*;
        let mut options = Options {
            go: false,
            smoke: false,
            full_server_load: false,
            only: Vec::new(),
            backends: BackendKind::ALL.to_vec(),
            out: None,
            trace: None,
            max_gap_ms: 1.0,
        };
        let mut parser = lexopt::Parser::from_args(args);
        while let Some(arg) = parser.next()? {
            match arg {
                Long("go") => options.go = true,
                Long("smoke") => options.smoke = true,
                Long("full-server-load") => options.full_server_load = true,
                Long("only") => {
                    let list = parser.value()?.string()?;
                    options.only.extend(
                        list.split(',')
                            .filter(|name| !name.is_empty())
                            .map(str::to_owned),
                    );
                }
                Long("backends") => {
                    let list = parser.value()?.string()?;
                    options.backends =
                        backend_list(&list).map_err(|error| format!("--backends: {error}"))?;
                }
                Long("out") => options.out = Some(parser.value()?.into()),
                Long("trace") => options.trace = Some(parser.value()?.into()),
                Long("max-gap-ms") => {
                    let value = parser.value()?.string()?;
                    options.max_gap_ms = value
                        .parse::<f64>()
                        .ok()
                        .filter(|ms| ms.is_finite() && *ms >= 0.0)
                        .ok_or_else(|| {
                            format!(
                                "--max-gap-ms: expected a number of milliseconds, got {value:?}"
                            )
                        })?;
                }
                Long("help") | Short('h') => return Ok(None),
                _ => return Err(arg.unexpected()),
            }
        }
        Ok(Some(options))
    }
}

/// `wheel,heap` as backends.
fn backend_list(list: &str) -> Result<Vec<BackendKind>, String> {
    list.split(',')
        .map(|name| {
            BackendKind::from_name(name)
                .ok_or_else(|| format!("unknown backend {name:?} (wheel, heap, tokio)"))
        })
        .collect()
}

/// The sizes and budgets of a run.
struct Plan {
    sizes: Sizes,
    /// Time per timed row.
    budget: Duration,
    latency_rounds: u64,
    /// Scale counts timed in this process.
    scale_in_process: Vec<usize>,
    /// Counts measured by population probes (Memory, and Scale at them).
    populations: Vec<usize>,
    /// Counts of TimerSetMemory.
    timer_set_memory: Vec<usize>,
    only: Vec<String>,
    backends: Vec<BackendKind>,
}

impl Plan {
    fn new(options: &Options) -> Plan {
        let (mut sizes, budget, latency_rounds, scale, populations, timer_set_memory) =
            if options.smoke {
                (
                    Sizes::SMOKE,
                    Duration::from_millis(5),
                    3,
                    vec![1_000, 10_000],
                    vec![10_000],
                    vec![10_000],
                )
            } else {
                (
                    Sizes {
                        server_load: ServerLoadSize::SHORT,
                        ..Sizes::FULL
                    },
                    Duration::from_millis(500),
                    400,
                    Workload::SCALE_COUNTS.to_vec(),
                    Workload::MEMORY_COUNTS.to_vec(),
                    vec![1_000_000],
                )
            };
        if options.full_server_load {
            sizes.server_load = ServerLoadSize::FULL;
        }
        Plan {
            sizes,
            budget,
            latency_rounds,
            scale_in_process: scale
                .iter()
                .copied()
                .filter(|count| !populations.contains(count))
                .collect(),
            populations,
            timer_set_memory,
            only: options.only.clone(),
            backends: options.backends.clone(),
        }
    }

    fn wanted(&self, workload: Workload) -> bool {
        self.only.is_empty()
            || self
                .only
                .iter()
                .any(|name| workload.name().contains(name.as_str()))
    }

    /// The workloads of the catalog run once each (not Scale or memory),
    /// in report order.
    fn listed(&self) -> Vec<Workload> {
        Workload::all()
            .into_iter()
            .filter(|w| !w.is_memory() && !matches!(w, Workload::Scale(_)))
            .filter(|w| self.wanted(*w))
            .collect()
    }

    /// The timed workloads (not Scale, memory or ServerLoad), in report
    /// order.
    fn timed(&self) -> Vec<Workload> {
        let mut timed = self.listed();
        timed.retain(|w| !matches!(w, Workload::ServerLoad | Workload::AsyncTimeouts));
        timed
    }

    /// Every Scale count of the run, timed here or by a population probe,
    /// ascending.
    fn scale_counts(&self) -> Vec<usize> {
        let mut counts: Vec<usize> = self
            .scale_in_process
            .iter()
            .chain(&self.populations)
            .copied()
            .collect();
        counts.sort_unstable();
        counts
    }

    /// Every workload name of the run, in report order.
    fn order(&self) -> Vec<String> {
        let mut order: Vec<String> = self.listed().iter().map(|w| w.name()).collect();
        order.extend(
            self.scale_counts()
                .into_iter()
                .map(|n| Workload::Scale(n).name()),
        );
        order.extend(self.populations.iter().map(|&n| Workload::Memory(n).name()));
        order.extend(
            self.timer_set_memory
                .iter()
                .map(|&n| Workload::TimerSetMemory(n).name()),
        );
        order
    }
}

struct Evaluation {
    started: Instant,
    report: Report,
}

impl Evaluation {
    fn progress(&self, message: &str) {
        eprintln!("[{:6.1}s] {message}", self.started.elapsed().as_secs_f64());
    }

    fn push(&mut self, workload: Workload, backend: &str, threads: usize, value: f64) {
        self.report
            .records
            .push(Record::new(workload, backend, threads, value));
    }

    /// Times one workload on one backend with one thread count.
    fn timed_row(&mut self, plan: &Plan, workload: Workload, backend: BackendKind, threads: usize) {
        let id = format!("{}/{backend}/{threads}", workload.name());
        let mut runner = workload.runner(backend, threads, plan.sizes);
        let (value, shown) = match workload.metric() {
            Metric::P99Lateness => {
                let samples = measure::lateness_samples(&mut *runner, plan.latency_rounds);
                let p99 = quantile(&samples, 0.99).unwrap_or(0) as f64;
                let mean = samples.iter().sum::<u64>() as f64 / samples.len().max(1) as f64;
                let max = samples.last().copied().unwrap_or(0) as f64;
                (
                    p99,
                    format!(
                        "p99 {} (mean {}, max {}, {} samples)",
                        format_ns(p99),
                        format_ns(mean),
                        format_ns(max),
                        samples.len()
                    ),
                )
            }
            Metric::ResetsPerSecond => {
                let rate = 1e9 / measure::time_per_iteration(&mut *runner, plan.budget, 1);
                (rate, format!("{:.2} M resets/s", rate / 1e6))
            }
            Metric::P50Lateness
            | Metric::MaxLateness
            | Metric::ResetCallP999
            | Metric::AfterFuncCallP999
            | Metric::OpsPerSecond => {
                unreachable!("only ServerLoad and AsyncTimeouts report these, from their own runs")
            }
            Metric::TimePerStartStop | Metric::TimePerOp | Metric::BytesPerTimer => {
                let ns =
                    measure::time_per_iteration(&mut *runner, plan.budget, workload.min_iters());
                let per = if workload.metric() == Metric::TimePerOp {
                    "/op"
                } else {
                    " per start+stop pair"
                };
                (ns, format!("{}{per}", format_ns(ns)))
            }
        };
        drop(runner);
        self.progress(&format!("{id}: {shown}"));
        self.push(workload, backend.name(), threads, value);
    }

    /// ServerLoad on `backend` at the plan's size.
    fn server_load(&mut self, plan: &Plan, backend: BackendKind) {
        let size = plan.sizes.server_load;
        self.progress(&format!(
            "ServerLoad/{backend}/1: {size} (about {:.0} s)",
            size.duration.as_secs_f64() * 1.2
        ));
        let report = run_server_load(backend, size);
        let metrics = report.metrics();
        let shown: Vec<String> = metrics
            .iter()
            .map(|&(metric, value)| match metric {
                Metric::ResetsPerSecond => format!("{value:.0} resets/s"),
                _ => format!("{} {}", metric.label(), format_ns(value)),
            })
            .collect();
        self.progress(&format!(
            "ServerLoad/{backend}/1: {} ({} firings; armed in {:.2?})",
            shown.join(", "),
            report.lateness.len(),
            report.setup,
        ));
        let asked = size.resets_per_second as f64;
        if report.resets_per_second() < 0.9 * asked {
            self.report.notes.push(format!(
                "ServerLoad on {backend} reached {:.0} resets/s of the {asked:.0} asked: the \
                 resetting thread could not keep up on this machine, so its timers were under \
                 a lighter load than asked.",
                report.resets_per_second()
            ));
        }
        if report.unmatched > 0 {
            self.report.notes.push(format!(
                "ServerLoad on {backend}: {} firings matched no arming or armings never fired \
                 (see `server_load.rs`): its lateness may be off.",
                report.unmatched
            ));
        }
        for (metric, value) in metrics {
            self.report.records.push(Record::of_metric(
                Workload::ServerLoad,
                metric,
                backend.name(),
                1,
                value,
            ));
        }
    }

    /// AsyncTimeouts on `backend` with `threads` tokio workers.
    fn async_timeouts(&mut self, plan: &Plan, backend: BackendKind, threads: usize) {
        let size = plan.sizes.async_timeouts;
        let report = run_async_timeouts(backend, threads, size);
        let metrics = report.metrics();
        let shown: Vec<String> = metrics
            .iter()
            .map(|&(metric, value)| match metric {
                Metric::OpsPerSecond => format!("{:.2} M ops/s", value / 1e6),
                Metric::BytesPerTimer => format!("{value:.0} bytes per pending timer"),
                _ => format!("{} {}", metric.label(), format_ns(value)),
            })
            .collect();
        self.progress(&format!(
            "AsyncTimeouts/{backend}/{threads}: {} ({} tasks, {} probe sleeps)",
            shown.join(", "),
            size.tasks,
            report.lateness.len(),
        ));
        if report.timed_out > 0 {
            self.report.notes.push(format!(
                "AsyncTimeouts on {backend} with {threads} threads: {} of its timeouts fired \
                 (an op took over a second): the machine was overloaded.",
                report.timed_out
            ));
        }
        for (metric, value) in metrics {
            self.report.records.push(Record::of_metric(
                Workload::AsyncTimeouts,
                metric,
                backend.name(),
                threads,
                value,
            ));
        }
    }

    /// Memory (and Scale) at `count` live timers on every backend, each in
    /// a child process. Returns how long each backend took.
    fn populations(&mut self, plan: &Plan, count: usize) -> Vec<Duration> {
        let mut took = Vec::new();
        for &backend in &plan.backends {
            let started = Instant::now();
            let probe = Probe::Population {
                backend,
                timers: count,
                scale_budget: if plan.wanted(Workload::Scale(count)) {
                    plan.budget
                } else {
                    Duration::ZERO
                },
            };
            match probe.run_in_child() {
                Ok(report) => {
                    self.progress(&format!(
                        "Memory{}/{backend}/1: {:.1} bytes per timer{}",
                        Workload::Memory(count).name().trim_start_matches("Memory"),
                        report.bytes_per_timer,
                        report.ns_per_start_stop.map_or(String::new(), |ns| format!(
                            "; Scale: {} per start+stop pair",
                            format_ns(ns)
                        ))
                    ));
                    self.push(
                        Workload::Memory(count),
                        backend.name(),
                        1,
                        report.bytes_per_timer,
                    );
                    if let Some(ns) = report.ns_per_start_stop {
                        self.push(Workload::Scale(count), backend.name(), 1, ns);
                    }
                }
                Err(message) => {
                    self.progress(&format!("Memory at {count} on {backend}: {message}"));
                    self.report.notes.push(format!(
                        "Memory at {count} timers on {backend} failed: {message}"
                    ));
                }
            }
            took.push(started.elapsed());
        }
        took
    }
}

/// The one-minute load average, from `/proc/loadavg`.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_owned)
}

fn main() -> ExitCode {
    gowheel_benches::probe::run_if_requested();
    let options = match Options::parse(std::env::args_os().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("evaluate: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(trace) = &options.trace {
        return evaluate_trace(trace, &options);
    }
    // The pool first: this thread and the benchmark threads take the first
    // stripe and shard numbers (see `pool`).
    pool::init();
    let plan = Plan::new(&options);
    let mut evaluation = Evaluation {
        started: Instant::now(),
        report: Report {
            smoke: options.smoke,
            cpus: pool::available_parallelism(),
            ..Report::default()
        },
    };
    let load_at_start = load_average();
    evaluation.progress(&format!(
        "evaluating on {} CPUs (load average {}); thread counts {:?}",
        evaluation.report.cpus,
        load_at_start.as_deref().unwrap_or("unknown"),
        pool::thread_counts()
    ));

    for workload in plan.timed() {
        for threads in workload.thread_counts() {
            for &backend in &plan.backends {
                evaluation.timed_row(&plan, workload, backend, threads);
            }
        }
    }
    for &count in &plan.scale_in_process {
        if plan.wanted(Workload::Scale(count)) {
            for &backend in &plan.backends {
                evaluation.timed_row(&plan, Workload::Scale(count), backend, 1);
            }
        }
    }
    let mut previous: Option<(usize, Vec<Duration>)> = None;
    for &count in &plan.populations {
        if !plan.wanted(Workload::Memory(count)) && !plan.wanted(Workload::Scale(count)) {
            continue;
        }
        if let Some((previous_count, took)) = &previous {
            // Filling scales linearly; a margin for the larger pages.
            let factor = count as f64 / *previous_count as f64 * 1.3;
            let estimate = took.iter().sum::<Duration>().mul_f64(factor);
            let finish = evaluation.started.elapsed() + estimate;
            if finish > TIME_LIMIT {
                let note = format!(
                    "Scale and Memory at {count} timers skipped: estimated {:.0} s, which would \
                     end the evaluation past {} s",
                    estimate.as_secs_f64(),
                    TIME_LIMIT.as_secs()
                );
                evaluation.progress(&note);
                evaluation.report.notes.push(note);
                continue;
            }
        }
        let took = evaluation.populations(&plan, count);
        previous = Some((count, took));
    }
    for &count in &plan.timer_set_memory {
        let workload = Workload::TimerSetMemory(count);
        if !plan.wanted(workload) {
            continue;
        }
        for &backend in &plan.backends {
            match (Probe::TimerSet {
                backend,
                timers: count,
            })
            .run_in_child()
            {
                Ok(report) => {
                    evaluation.progress(&format!(
                        "{}/{backend}/1: {:.1} bytes per timer",
                        workload.name(),
                        report.bytes_per_timer
                    ));
                    evaluation.push(workload, backend.name(), 1, report.bytes_per_timer);
                }
                Err(message) => evaluation.report.notes.push(format!(
                    "{} on {backend} failed: {message}",
                    workload.name()
                )),
            }
        }
    }

    if plan.wanted(Workload::ServerLoad) {
        let size = plan.sizes.server_load;
        evaluation.report.server_load = Some(size);
        evaluation.report.notes.push(format!(
            "ServerLoad ran at {size}{}.",
            if size == ServerLoadSize::FULL {
                ", the size its targets are set for"
            } else {
                "; its targets are set for the full size (`evaluate --full-server-load`)"
            }
        ));
        for &backend in &plan.backends {
            evaluation.server_load(&plan, backend);
        }
    }

    if plan.wanted(Workload::AsyncTimeouts) {
        for threads in [1, 2] {
            for &backend in &plan.backends {
                evaluation.async_timeouts(&plan, backend, threads);
            }
        }
    }

    if options.go {
        run_go(&plan, &mut evaluation);
    } else {
        evaluation.report.notes.push(
            "Go's own timers were not measured: `evaluate --go` adds them, with Go 1.23 or \
             later on PATH."
                .to_owned(),
        );
    }

    let order = plan.order();
    let position = |record: &Record| {
        order
            .iter()
            .position(|name| *name == record.workload)
            .unwrap_or(usize::MAX)
    };
    evaluation
        .report
        .records
        .sort_by_key(|r| (position(r), r.threads));
    evaluation.progress("measuring the time layer's fixed costs");
    evaluation
        .report
        .notes
        .push(gowheel_benches::floor::measure().note());
    evaluation.report.notes.push(format!(
        "Machine load (1-minute load average) {} at the start, {} at the end; on a busy \
         machine the numbers are noisy.",
        load_at_start.as_deref().unwrap_or("unknown"),
        load_average().as_deref().unwrap_or("unknown")
    ));
    evaluation.report.notes.push(
        "tokio's timer wheel counts whole milliseconds: its sleeps of 1 µs (AdjustTimers10000) \
         last at least until the next millisecond, and its lateness includes rounding up to one."
            .to_owned(),
    );
    evaluation.report.elapsed = evaluation.started.elapsed();
    evaluation.progress("done");

    let markdown = evaluation.report.to_markdown();
    println!("{markdown}");
    let out = options
        .out
        .unwrap_or_else(|| gowheel_benches::target_dir().join("gowheel-evaluate"));
    let written = std::fs::create_dir_all(&out)
        .and_then(|()| std::fs::write(out.join("report.md"), &markdown))
        .and_then(|()| std::fs::write(out.join("report.json"), evaluation.report.to_json()))
        .and_then(|()| std::fs::write(out.join("scale.svg"), evaluation.report.scale_svg()));
    match written {
        Ok(()) => {
            eprintln!(
                "wrote report.md, report.json and scale.svg to {}",
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "evaluate: cannot write the report to {}: {error}",
                out.display()
            );
            ExitCode::FAILURE
        }
    }
}

/// `evaluate --trace FILE`: replays the trace with its timing on each
/// backend and writes the report.
fn evaluate_trace(path: &std::path::Path, options: &Options) -> ExitCode {
    use gowheel_benches::report::{LATENESS_PERCENTILES, TraceInfo};
    use gowheel_benches::trace_replay::{
        GowheelTarget, ReplayResult, Schedule, TokioTarget, records, replay,
    };
    use gowheel_compat_tests::replay::Trace;

    let trace = match Trace::load(path) {
        Ok(trace) => trace,
        Err(error) => {
            eprintln!("evaluate: {error}");
            return ExitCode::from(2);
        }
    };
    let max_gap = (options.max_gap_ms * 1e6) as i64;
    let schedule = Schedule::from_trace(&trace, max_gap);
    let started = Instant::now();
    let load_at_start = load_average();
    let mut report = Report {
        cpus: pool::available_parallelism(),
        ..Report::default()
    };
    let mut info = TraceInfo {
        file: path.display().to_string(),
        timed: schedule.timed,
        ops: schedule.ops.len(),
        threads: schedule.threads,
        span_seconds: schedule.span() as f64 / 1e9,
        ..TraceInfo::default()
    };
    eprintln!(
        "replaying {}: {} operations on {} threads over {:.2} s",
        info.file, info.ops, info.threads, info.span_seconds
    );
    for &backend in &options.backends {
        let result: ReplayResult = match backend {
            BackendKind::Wheel => replay(GowheelTarget::new(gowheel::Backend::Wheel), &schedule),
            BackendKind::Heap => replay(GowheelTarget::new(gowheel::Backend::Heap), &schedule),
            BackendKind::Tokio => replay(TokioTarget::new(), &schedule),
        };
        eprintln!(
            "{}: replayed in {:.2} s{}",
            result.backend,
            result.elapsed.as_secs_f64(),
            result
                .metrics
                .map(|metrics| format!("; runtime metrics:\n{metrics}"))
                .unwrap_or_default()
        );
        if result.skipped > 0 {
            report.notes.push(format!(
                "{}: {} operations skipped: their timer was not made within {:?} by the \
                 thread that makes it (the replay ran behind).",
                result.backend,
                result.skipped,
                gowheel_benches::trace_replay::HANDLE_WAIT
            ));
        }
        if !result.lateness.is_empty() {
            let curve = LATENESS_PERCENTILES
                .iter()
                .map(|&percentile| {
                    let ns = if percentile >= 100.0 {
                        result.lateness.max()
                    } else {
                        result.lateness.value_at_percentile(percentile)
                    };
                    (percentile, ns as f64)
                })
                .collect();
            info.lateness.push((result.backend.to_owned(), curve));
        }
        info.live
            .push((result.backend.to_owned(), result.live.clone()));
        report.records.extend(records("Trace", &result));
    }
    if schedule.cut > 0 {
        report.notes.push(format!(
            "A virtual-clock trace: {:.3} s of virtual time was cut from gaps longer than \
             {} ms, so timers due in the cut time fire late or not at all.",
            schedule.cut as f64 / 1e9,
            options.max_gap_ms
        ));
    }
    report.notes.push(format!(
        "Durations longer than {} days are cut to that (tokio's wheel holds no more). \
         Channel timers and tickers are not in the replay's lateness (a firing of theirs is \
         seen only when received): gowheel's runtime_* lateness counts them. Timers live are \
         those armed and not yet fired, stopped or received as the replay's answers tell; \
         memory is the peak growth of resident memory during the replay, in one process, \
         backend after backend.",
        gowheel_benches::trace_replay::MAX_DURATION.as_secs() / 86_400
    ));
    report.notes.push(format!(
        "Machine load (1-minute load average) {} at the start, {} at the end.",
        load_at_start.as_deref().unwrap_or("unknown"),
        load_average().as_deref().unwrap_or("unknown")
    ));
    report.notes.push(
        "Go's own timers: `--go` does not apply to a trace; record a Go program with \
         benches/go/record and replay that trace here instead."
            .to_owned(),
    );
    report.trace = Some(info);
    report.elapsed = started.elapsed();
    let markdown = report.to_markdown();
    println!("{markdown}");
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| gowheel_benches::target_dir().join("gowheel-evaluate"));
    let written = std::fs::create_dir_all(&out)
        .and_then(|()| std::fs::write(out.join("report.md"), &markdown))
        .and_then(|()| std::fs::write(out.join("report.json"), report.to_json()))
        .and_then(|()| std::fs::write(out.join("lateness.svg"), report.lateness_svg()));
    match written {
        Ok(()) => {
            eprintln!(
                "wrote report.md, report.json and lateness.svg to {}",
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!(
                "evaluate: cannot write the report to {}: {error}",
                out.display()
            );
            ExitCode::FAILURE
        }
    }
}

/// Runs the Go program, if a Go 1.23+ toolchain is on PATH, adding its
/// records; otherwise says why not and carries on.
fn run_go(plan: &Plan, evaluation: &mut Evaluation) {
    let version = match go::toolchain() {
        Ok(version) => version,
        Err(reason) => {
            let note = format!("Go's own timers were not measured: {reason}.");
            evaluation.progress(&note);
            evaluation.report.notes.push(note);
            return;
        }
    };
    evaluation.progress(&format!(
        "running the Go workloads with {version} (benches/go)"
    ));
    let settings = go::Settings {
        threads: pool::thread_counts(),
        budget: plan.budget,
        preamble: plan.sizes.preamble,
        idle_timeouts: plan.sizes.idle_timeouts,
        scale: plan.scale_counts(),
        memory: plan.populations.clone(),
        latency_rounds: plan.latency_rounds,
        server_load: plan.sizes.server_load,
        only: plan.only.clone(),
    };
    match go::run(&settings) {
        Ok(records) => {
            evaluation.report.notes.push(format!(
                "Go column: Go's own `time` package ({version}), the same workloads in \
                 `benches/go/`; its Memory is live heap bytes after a GC."
            ));
            evaluation.report.records.extend(records);
        }
        Err(reason) => {
            let note = format!("Go's own timers were not measured: {reason}.");
            evaluation.progress(&note);
            evaluation.report.notes.push(note);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Options>, String> {
        Options::parse(args.iter().copied()).map_err(|error| error.to_string())
    }

    #[test]
    fn values_follow_their_option_or_an_equals_sign() {
        let spaced = parse(&["--only", "Reset,Scale", "--backends", "wheel", "--out", "x"]);
        let joined = parse(&["--only=Reset,Scale", "--backends=wheel", "--out=x"]);
        for options in [spaced, joined] {
            let options = options.expect("valid").expect("not --help");
            assert_eq!(options.only, ["Reset", "Scale"]);
            assert_eq!(options.backends, [BackendKind::Wheel]);
            assert_eq!(options.out, Some(PathBuf::from("x")));
            assert!(!options.go && !options.smoke && !options.full_server_load);
        }
    }

    #[test]
    fn defaults_and_help() {
        let options = parse(&[]).expect("valid").expect("not --help");
        assert_eq!(options.backends, BackendKind::ALL);
        assert!(options.only.is_empty() && options.out.is_none());
        assert!(parse(&["--help"]).expect("valid").is_none());
        assert!(parse(&["--smoke", "-h"]).expect("valid").is_none());
    }

    #[test]
    fn server_load_is_short_unless_asked_for_in_full() {
        let plan = |args: &[&str]| Plan::new(&parse(args).expect("valid").expect("not --help"));
        assert_eq!(plan(&[]).sizes.server_load, ServerLoadSize::SHORT);
        assert_eq!(plan(&["--smoke"]).sizes.server_load, ServerLoadSize::SMOKE);
        let full = plan(&["--full-server-load"]);
        assert_eq!(full.sizes.server_load, ServerLoadSize::FULL);
        assert_eq!(full.sizes.preamble, Sizes::FULL.preamble);
        let only = plan(&["--only", "ServerLoad"]);
        assert!(only.timed().is_empty());
        assert_eq!(only.listed(), [Workload::ServerLoad]);
        assert_eq!(only.order()[0], "ServerLoad");
    }

    #[test]
    fn errors_name_the_option() {
        let unknown = parse(&["--bogus"]).err().expect("an error");
        assert!(unknown.contains("--bogus"), "{unknown}");
        let missing = parse(&["--out"]).err().expect("an error");
        assert!(missing.contains("--out"), "{missing}");
        let bad = parse(&["--backends=wheel,nope"]).err().expect("an error");
        assert!(bad.contains("--backends") && bad.contains("nope"), "{bad}");
        let flag_value = parse(&["--smoke=yes"]).err().expect("an error");
        assert!(flag_value.contains("--smoke"), "{flag_value}");
    }
}
