//! Fuzz target: the scenario loader (`mcstress_scenario::load_with`), the
//! path every command takes to read a scenario file.
//!
//! The input is UTF-8 text in up to three parts separated by NUL bytes:
//! the scenario file; the file that any `extends` in it names (absent: "no
//! such file"); and `FIELD=VALUE` lines applied as `--set` settings (both
//! parts non-empty, as the CLI requires). The
//! loader must never panic, and every problem it reports must carry a
//! location: a line in a file or a field path.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcstress_scenario::{ScenarioError, Setting, SourceFile};

fn source(name: &str, text: &str) -> SourceFile {
    SourceFile { name: name.into(), key: name.into(), text: text.into() }
}

fn check(result: &Result<mcstress_scenario::Loaded, ScenarioError>) {
    if let Err(e) = result {
        assert!(!e.errors.is_empty(), "a rejection without a problem");
        for p in &e.errors {
            assert!(p.line.is_some() || !p.path.is_empty(), "a problem without a location: {p}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.splitn(3, '\0');
    let main = parts.next().unwrap_or_default();
    let parent = parts.next();
    let settings: Vec<Setting> = parts
        .next()
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(f, v)| (f.trim(), v.trim()))
        // As the CLI's `--set`, which refuses an empty field or value itself.
        .filter(|(f, v)| !f.is_empty() && !v.is_empty())
        .map(|(f, v)| Setting { field: f.into(), value: v.into() })
        .collect();
    let mut resolver = |_: &SourceFile, rel: &str| match parent {
        Some(p) if !rel.is_empty() => Ok(source("parent.toml", p)),
        _ => Err("no such file".to_string()),
    };
    let loaded = mcstress_scenario::load_with(source("fuzz.toml", main), None, &settings, &mut resolver);
    check(&loaded);
    // Every variant the file defines loads, or is rejected with a location.
    if let Ok(l) = loaded {
        for v in &l.variants {
            let r =
                mcstress_scenario::load_with(source("fuzz.toml", main), Some(v), &settings, &mut resolver);
            check(&r);
        }
    }
});
