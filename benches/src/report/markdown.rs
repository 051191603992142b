//! `report.md`: what was run and on what, the table, the targets with
//! whether each holds, and the notes.

use std::fmt::Write as _;

use super::record::Report;

impl Report {
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
}
