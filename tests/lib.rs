//! Shared helpers of the integration tests (none yet).
