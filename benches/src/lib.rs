//! Benchmarks of gowheel's backends side by side.
