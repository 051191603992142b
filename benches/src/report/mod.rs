//! `evaluate`'s report, built from [`Record`]s: one measured number each.
//!
//! * `record`: [`Record`] and [`Report`], with the lookups every view
//!   uses;
//! * `table` and `markdown`: the side-by-side table and `report.md`
//!   around it;
//! * `targets`: the performance targets, judged on the records
//!   ([`Target`]);
//! * `json`: `report.json`, through serde;
//! * `svg`: the Scale plot, `scale.svg`;
//! * `trace`: a trace replay's intro, verdict and `lateness.svg`;
//! * `format`: numbers with their units, shared by the views.
//!
//! Each view is an `impl Report` block in its own file and imports
//! `record` and `format` only; this file declares and re-exports.

mod format;
mod json;
mod markdown;
mod record;
mod svg;
mod table;
mod targets;
mod trace;

pub use format::format_ns;
pub use record::{Record, Report};
pub use targets::Target;
pub use trace::{LATENESS_PERCENTILES, TraceInfo};
