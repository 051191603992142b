//! The views of a trace replay (`evaluate --trace`): the intro and the
//! verdict of `report.md`, and `lateness.svg`, firing lateness by
//! percentile, one line per backend, logarithmic in lateness.

use std::fmt::Write as _;

use serde::Serialize;

use super::format::format_ns;
use super::record::{BACKEND_COLUMNS, Report};

/// What a report of a trace replay says about the trace.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TraceInfo {
    /// The trace file.
    pub file: String,
    /// Whether it was timed (a recording) or on a virtual clock.
    pub timed: bool,
    /// Operations replayed.
    pub ops: usize,
    /// Threads.
    pub threads: usize,
    /// Seconds from the first operation to the last.
    pub span_seconds: f64,
    /// `(backend, [(percentile, lateness ns)])`: the lateness curves.
    pub lateness: Vec<(String, Vec<(f64, f64)>)>,
    /// `(backend, [(seconds, live timers)])`: timers live over time.
    pub live: Vec<(String, Vec<(f64, f64)>)>,
}

/// The percentiles `lateness.svg` plots.
pub const LATENESS_PERCENTILES: [f64; 6] = [50.0, 90.0, 99.0, 99.9, 99.99, 100.0];

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 130.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 60.0;

impl Report {
    /// The verdict of a trace replay: per backend, the numbers a reader
    /// decides on, and which backend fired its timers least late.
    pub fn trace_verdict(&self) -> Vec<String> {
        let Some(info) = &self.trace else {
            return Vec::new();
        };
        let workload = "Trace";
        let value = |metric: &str, backend: &str| {
            self.record(workload, metric, backend, info.threads)
                .map(|record| record.value)
                .filter(|value| value.is_finite())
        };
        let mut lines = Vec::new();
        let mut best: Option<(&str, f64)> = None;
        for backend in BACKEND_COLUMNS {
            if !self.has_backend(backend) {
                continue;
            }
            let p99 = value("p99_lateness", backend);
            if let Some(p99) = p99
                && best.is_none_or(|(_, best)| p99 < best)
            {
                best = Some((backend, p99));
            }
            let calls: Vec<String> = self
                .records
                .iter()
                .filter(|r| r.backend == backend && r.metric.ends_with("_call_p99"))
                .map(|r| {
                    format!(
                        "{} {}",
                        r.metric.trim_end_matches("_call_p99"),
                        format_ns(r.value)
                    )
                })
                .collect();
            lines.push(format!(
                "{backend}: function-timer lateness p99 {}, max {}; call p99: {}; schedule lag \
                 p99 {}",
                p99.map_or("not measured".to_owned(), format_ns),
                value("max_lateness", backend).map_or("not measured".to_owned(), format_ns),
                if calls.is_empty() {
                    "none".to_owned()
                } else {
                    calls.join(", ")
                },
                value("schedule_lag_p99", backend).map_or("n/a".to_owned(), format_ns),
            ));
        }
        match best {
            Some((backend, p99)) => lines.push(format!(
                "Least late at p99 on this trace: **{backend}** ({}).",
                format_ns(p99)
            )),
            None => lines.push(
                "No function timer fired during the replay: lateness was not measured.".to_owned(),
            ),
        }
        lines
    }

    /// `lateness.svg`: lateness against percentile, one line per backend.
    pub fn lateness_svg(&self) -> String {
        let curves = self
            .trace
            .as_ref()
            .map(|info| info.lateness.clone())
            .unwrap_or_default();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
             viewBox=\"0 0 {WIDTH} {HEIGHT}\" font-family=\"sans-serif\" font-size=\"12\">\n\
             <rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"white\"/>\n\
             <text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">Firing lateness by \
             percentile (function timers)</text>",
            WIDTH / 2.0
        );
        let values: Vec<f64> = curves
            .iter()
            .flat_map(|(_, points)| points.iter().map(|&(_, ns)| ns.max(1.0).log10()))
            .collect();
        if values.is_empty() {
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">no lateness measured</text>\n</svg>",
                WIDTH / 2.0,
                HEIGHT / 2.0
            );
            return out;
        }
        let y_min = values.iter().copied().fold(f64::MAX, f64::min).floor();
        let y_max = values
            .iter()
            .copied()
            .fold(f64::MIN, f64::max)
            .ceil()
            .max(y_min + 1.0);
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let columns = LATENESS_PERCENTILES.len() as f64 - 1.0;
        let px = |index: usize| LEFT + index as f64 / columns * plot_w;
        let py = |y: f64| TOP + plot_h - (y - y_min) / (y_max - y_min) * plot_h;
        let _ = writeln!(
            out,
            "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{plot_w}\" height=\"{plot_h}\" fill=\"none\" \
             stroke=\"#444\"/>"
        );
        for (index, percentile) in LATENESS_PERCENTILES.iter().enumerate() {
            let x = px(index);
            let label = if *percentile == 100.0 {
                "max".to_owned()
            } else {
                format!("p{percentile}")
            };
            let _ = writeln!(
                out,
                "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/>\n\
                 <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>",
                TOP + plot_h,
                TOP + plot_h + 18.0
            );
        }
        let mut decade = y_min;
        while decade <= y_max + 1e-9 {
            let y = py(decade);
            let _ = writeln!(
                out,
                "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#ccc\"/>\n\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                LEFT + plot_w,
                LEFT - 6.0,
                y + 4.0,
                format_ns(10f64.powf(decade))
            );
            decade += 1.0;
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">percentile of firings</text>\n\
             <text transform=\"translate(18 {:.1}) rotate(-90)\" text-anchor=\"middle\">lateness\
             </text>",
            LEFT + plot_w / 2.0,
            HEIGHT - 16.0,
            TOP + plot_h / 2.0
        );
        let colors = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a"];
        for (index, (name, points)) in curves.iter().enumerate() {
            let color = BACKEND_COLUMNS
                .iter()
                .position(|backend| backend == name)
                .map_or(colors[3], |position| colors[position]);
            let path: Vec<String> = points
                .iter()
                .enumerate()
                .map(|(column, &(_, ns))| {
                    format!("{:.1},{:.1}", px(column), py(ns.max(1.0).log10()))
                })
                .collect();
            let _ = writeln!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>",
                path.join(" ")
            );
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

    #[test]
    fn the_plot_has_a_line_per_backend() {
        let report = Report {
            trace: Some(TraceInfo {
                lateness: vec![
                    ("wheel".to_owned(), vec![(50.0, 1e3), (90.0, 2e3)]),
                    ("heap".to_owned(), vec![(50.0, 1e4), (90.0, 3e5)]),
                ],
                ..TraceInfo::default()
            }),
            ..Report::default()
        };
        let svg = report.lateness_svg();
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(
            Report::default()
                .lateness_svg()
                .contains("no lateness measured")
        );
    }
}
