//! Integration tests of mcstress: one binary, one module per area.

mod bands;
mod book_size;
mod briefing;
mod cli;
mod compare;
mod county_rules;
mod defaults;
mod doc_errors;
mod docs;
mod engine;
mod fuzz;
mod golden;
mod ladder;
mod ledger;
mod mechanisms;
mod output_dirs;
mod presets;
mod rule_forms;
mod scenario_errors;
mod scenario_files;
mod search;
mod stress;
mod support;
mod unknown_fields;
mod vasicek;
mod wiring;
