//! The `differential` fuzz target: see `gowheel_compat_tests::fuzzing::differential`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = gowheel_compat_tests::fuzzing::differential::run(data) {
        panic!("{finding}");
    }
});
