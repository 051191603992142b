//! Go's timer behaviours and cross-backend tests for gowheel.
