//! # gowheel-wheel
//!
//! The lock-striped hierarchical hashed timing wheel behind `gowheel`.
#![warn(missing_docs)]
