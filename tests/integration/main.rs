//! Integration tests of mcstress: one binary, one module per area.

mod cli;
mod docs;
mod engine;
mod scenario_files;
mod support;
mod vasicek;
