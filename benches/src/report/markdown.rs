//! `report.md`: what was run and on what, the table, the targets with
//! whether each holds, and the notes.

use std::fmt::Write as _;

use super::record::Report;

impl Report {
    /// `report.md`: the table, the targets, the notes.
    pub fn to_markdown(&self) -> String {
        if let Some(info) = &self.trace {
            return self.trace_markdown(info);
        }
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
                None => "not judged",
            };
            let _ = writeln!(
                out,
                "| {} | {holds} | {} |",
                target.statement,
                target.detail.replace('|', "\\|")
            );
        }
        self.push_notes(&mut out);
        out
    }

    fn push_notes(&self, out: &mut String) {
        if !self.notes.is_empty() {
            out.push_str("\n## Notes\n\n");
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
    }

    /// `report.md` of `evaluate --trace`: the trace, the table, the
    /// verdict, the notes.
    fn trace_markdown(&self, info: &super::TraceInfo) -> String {
        let mut out = String::from("# gowheel evaluation of a trace\n\n");
        let _ = writeln!(
            out,
            "`{}`: {} operations on {} thread{} over {:.2} s ({}), re-issued at their times on \
             {} CPUs. Calls are timed alone (p50, p99 per operation); lateness is when a \
             function timer's function started minus its deadline; `runtime_*` lateness is \
             gowheel's own metrics over every firing; schedule lag is how late the replay \
             issued operations (large: it did not keep the recording's pace).\n",
            info.file,
            info.ops,
            info.threads,
            if info.threads == 1 { "" } else { "s" },
            info.span_seconds,
            if info.timed {
                "a recording, replayed at its own times and threads"
            } else {
                "a virtual-clock trace, replayed on one thread at its virtual times"
            },
            self.cpus
        );
        out.push_str(&self.table());
        out.push_str("\n## Verdict\n\n");
        for line in self.trace_verdict() {
            let _ = writeln!(out, "- {line}");
        }
        self.push_notes(&mut out);
        out
    }
}
