//! Integration tests of mcstress: one binary, one module per area.

mod briefing;
mod cli;
mod compare;
mod docs;
mod engine;
mod fuzz;
mod golden;
mod mechanisms;
mod presets;
mod scenario_files;
mod search;
mod stress;
mod support;
mod vasicek;
