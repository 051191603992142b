//! `scale.svg`: the Scale plot, cost per start+stop pair against live
//! timers, one line per backend, both axes logarithmic. A small plot
//! written as SVG text: whole decades on x, decades with 2 and 5 ticks on
//! y, a legend on the right.

use std::fmt::Write as _;

use super::record::{BACKEND_COLUMNS, Report};

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
struct Series {
    name: &'static str,
    color: &'static str,
    /// `(live timers, ns)`, by live timers.
    points: Vec<(usize, f64)>,
}

/// Plots each series.
fn plot(series: &[Series]) -> String {
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

impl Report {
    /// The Scale plot: cost per start+stop pair against live timers, one
    /// line per backend, both axes logarithmic.
    pub fn scale_svg(&self) -> String {
        let series: Vec<Series> = BACKEND_COLUMNS
            .into_iter()
            .zip(["#1b9e77", "#d95f02", "#7570b3", "#e7298a"])
            .map(|(name, color)| Series {
                name,
                color,
                points: self.scale_points(name),
            })
            .filter(|series| !series.points.is_empty())
            .collect();
        plot(&series)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_scale_records_say_so() {
        assert!(
            Report::default()
                .scale_svg()
                .contains("no Scale measurements")
        );
    }
}
