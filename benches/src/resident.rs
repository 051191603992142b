//! This process's resident memory, the quantity every memory workload
//! measures the growth of.
//!
//! Read from `/proc/self/status` (Linux). Growth is only meaningful in a
//! process that has not freed memory before (see the `probe` module),
//! and the reading has page granularity, so callers read it around
//! populations of many timers and divide.

/// This process's resident memory in bytes (`VmRSS` of
/// `/proc/self/status`, Linux).
///
/// # Errors
///
/// Where `/proc/self/status` does not exist or has no `VmRSS`.
///
/// ```
/// if cfg!(target_os = "linux") {
///     let bytes = gowheel_benches::resident::resident_bytes().unwrap();
///     assert!(bytes > 0);
/// }
/// ```
pub fn resident_bytes() -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|error| format!("cannot read /proc/self/status: {error}"))?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .ok_or("no VmRSS in /proc/self/status")?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|kib| kib.parse().ok())
        .ok_or_else(|| format!("cannot read {line:?}"))?;
    Ok(kib * 1024)
}
