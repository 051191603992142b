//! Numbers with their units, as the table, the targets and `evaluate`'s
//! progress lines show them: a quantity in the largest unit it reaches,
//! two decimals there, one below the first step.

use super::record::Record;

/// `value` in the largest of `steps` (`(size, unit)`, largest first) that
/// it reaches, with two decimals; below them all, with one decimal and
/// `base_unit`.
fn in_largest_unit(value: f64, steps: &[(f64, &str)], base_unit: &str) -> String {
    match steps.iter().find(|(size, _)| value >= *size) {
        Some((size, unit)) => format!("{:.2} {unit}", value / size),
        None if base_unit.is_empty() => format!("{value:.1}"),
        None => format!("{value:.1} {base_unit}"),
    }
}

/// Nanoseconds in the unit that suits them.
///
/// ```
/// use gowheel_benches::report::format_ns;
/// assert_eq!(format_ns(12.34), "12.3 ns");
/// assert_eq!(format_ns(1_500.0), "1.50 µs");
/// assert_eq!(format_ns(2.5e9), "2.50 s");
/// ```
pub fn format_ns(ns: f64) -> String {
    in_largest_unit(ns, &[(1e9, "s"), (1e6, "ms"), (1e3, "µs")], "ns")
}

/// A count or rate with an SI prefix (`1.50 M`).
pub(super) fn format_si(value: f64) -> String {
    in_largest_unit(value, &[(1e9, "G"), (1e6, "M"), (1e3, "k")], "")
}

/// A record's value with its unit, for the table.
pub(super) fn format_value(record: &Record) -> String {
    match (record.unit.as_str(), record.metric.as_str()) {
        ("ns", "time_per_op") => format!("{}/op", format_ns(record.value)),
        ("ns", "time_per_start_stop") => format!("{}/pair", format_ns(record.value)),
        ("ns", _) => format_ns(record.value),
        ("1/s", _) => format!("{}/s", format_si(record.value)),
        ("bytes", _) if record.value >= 1e6 => format!("{:.2} MB", record.value / 1e6),
        ("bytes", _) => format!("{:.1} B", record.value),
        ("timers", _) => format!("{:.0}", record.value),
        (unit, _) => format!("{} {unit}", record.value),
    }
}

/// Nanoseconds, or `not measured`.
pub(super) fn ns(value: Option<f64>) -> String {
    value.map_or("not measured".to_owned(), format_ns)
}

/// Bytes, or `not measured`.
pub(super) fn bytes(value: Option<f64>) -> String {
    value.map_or("not measured".to_owned(), |b| format!("{b:.1} B"))
}

/// A ratio (`2.00×`), or `not measured`.
pub(super) fn times(value: Option<f64>) -> String {
    value.map_or("not measured".to_owned(), |r| format!("{r:.2}×"))
}

/// `10^k` for a power of ten, else the number.
pub(super) fn count_label(count: usize) -> String {
    let power = (count as f64).log10();
    if power.fract() == 0.0 {
        format!("10^{power}")
    } else {
        count.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_step_at_each_thousand() {
        assert_eq!(format_ns(999.0), "999.0 ns");
        assert_eq!(format_ns(1_000.0), "1.00 µs");
        assert_eq!(format_ns(2.5e6), "2.50 ms");
        assert_eq!(format_si(12.0), "12.0");
        assert_eq!(format_si(1.5e6), "1.50 M");
        assert_eq!(format_si(3e9), "3.00 G");
        assert_eq!(count_label(1000), "10^3");
        assert_eq!(count_label(1234), "1234");
    }
}
