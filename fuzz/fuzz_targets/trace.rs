//! The `trace` fuzz target: see `gowheel_compat_tests::fuzzing::trace`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = gowheel_compat_tests::fuzzing::trace::run(data) {
        panic!("{finding}");
    }
});
