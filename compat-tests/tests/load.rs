//! The load run, scaled down for CI: 10^5 armed function timers reset
//! 10^5 times a second for 2 s per backend on a real clock, with delays
//! short enough that many fire; every arming must fire exactly once unless
//! cancelled, never early, and everything owed must run within 10 s of the
//! drain. The full-size run (10^6 timers, 10^6 resets per second, 10 s) is
//! `cargo run --release -p gowheel-compat-tests --bin load`; see
//! `gowheel_compat_tests::load`.

mod common;

use std::time::Duration;

use common::on_both_backends;
use gowheel::Backend;
use gowheel_compat_tests::load::{LoadConfig, run};
use gowheel_compat_tests::watchdog::Watchdog;

fn scaled_down_load_run_has_no_violation(backend: Backend) {
    let _watchdog = Watchdog::start(
        format!("the scaled-down {backend} load run"),
        Duration::from_secs(90),
    );
    let config = LoadConfig {
        timers: 100_000,
        duration: Duration::from_secs(2),
        rate: 100_000,
        threads: 2,
        min_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(500),
        ..LoadConfig::new(backend)
    };
    let report = run(&config);
    println!("{report}");
    assert_eq!(report.violations, 0, "{report}");
    assert!(report.counts.balanced(), "{report}");
    assert!(report.resets > 0 && report.counts.fired > 0, "{report}");
    assert_eq!(report.counts.fired, report.lateness.count(), "{report}");
}

on_both_backends!(scaled_down_load_run_has_no_violation);
