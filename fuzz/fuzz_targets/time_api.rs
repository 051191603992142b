//! The `time_api` fuzz target: see `gowheel_compat_tests::fuzzing::time_api`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = gowheel_compat_tests::fuzzing::time_api::run(data) {
        panic!("{finding}");
    }
});
