//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use mcstress_engine::{Estimate, Model, PathResult, RunConfig};
use mcstress_scenario::Scenario;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the repository").to_path_buf()
}

/// Every scenario file under `scenarios/`, as sorted repository-relative
/// paths with `/` separators.
pub fn shipped_scenarios() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).expect("scenarios/ is readable") {
            let p = e.expect("a directory entry").path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    let root = root();
    let mut files = Vec::new();
    walk(&root.join("scenarios"), &mut files);
    let mut rel: Vec<String> = files
        .iter()
        .map(|p| {
            let r = p.strip_prefix(&root).expect("under the root");
            r.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
        })
        .collect();
    rel.sort();
    rel
}

/// Runs the CLI in-process; returns (exit code, stdout, stderr).
pub fn cli(args: &[&str]) -> (u8, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut all = vec!["mcstress"];
    all.extend_from_slice(args);
    let code = mcstress_cli::run_cli(all, &mut out, &mut err);
    (code, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned())
}

/// A scratch directory unique to one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mcstress-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("can create a temp dir");
    dir
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("can write a temp file");
    p
}

/// The small test scenario's text.
pub fn small_text() -> String {
    std::fs::read_to_string(root().join("tests/data/small.toml")).expect("tests/data/small.toml exists")
}

/// Parses scenario text (no `extends`).
pub fn scenario(text: &str, variant: Option<&str>) -> Scenario {
    match mcstress_scenario::from_str("test.toml", text, variant) {
        Ok(l) => l.scenario,
        Err(e) => panic!("test scenario invalid: {e}"),
    }
}

/// Runs a scenario in-process.
pub fn simulate(s: &Scenario, paths: u32, seed: u64, threads: usize) -> (Model, Vec<PathResult>) {
    let m = Model::prepare(s);
    let r = mcstress_engine::run(&m, RunConfig { paths, seed, threads }, None).expect("runs");
    (m, r)
}

/// A scenario from a child file holding `extra` that extends `base_text`
/// (given under the name `base_name`); `variant` as for [`scenario`].
pub fn extended(base_name: &str, base_text: &str, extra: &str, variant: Option<&str>) -> Scenario {
    let child = mcstress_scenario::SourceFile {
        name: "child.toml".into(),
        key: "child.toml".into(),
        text: format!("extends = \"{base_name}\"\n{extra}\n"),
    };
    let loaded = mcstress_scenario::load(child, variant, &mut |_, _| {
        Ok(mcstress_scenario::SourceFile {
            name: base_name.into(),
            key: base_name.into(),
            text: base_text.into(),
        })
    });
    match loaded {
        Ok(l) => l.scenario,
        Err(e) => panic!("test scenario invalid: {e}"),
    }
}

/// The tiny test scenario's text (tests/data/tiny.toml: a book whose fate
/// is decided, for tests of the rules' wiring).
pub fn tiny_text() -> String {
    std::fs::read_to_string(root().join("tests/data/tiny.toml")).expect("tests/data/tiny.toml exists")
}

/// The tiny scenario extended by the tables of `extra`.
pub fn tiny(extra: &str) -> Scenario {
    extended("tiny.toml", &tiny_text(), extra, None)
}

/// The small scenario extended by the tables of `extra`.
pub fn small(extra: &str) -> Scenario {
    extended("small.toml", &small_text(), extra, None)
}

/// Paired difference `f(with) − f(without)` across the paths of two runs
/// on common random numbers.
pub fn diff(without: &[PathResult], with: &[PathResult], f: impl Fn(&PathResult) -> f64) -> Estimate {
    let d: Vec<f64> = without.iter().zip(with).map(|(a, b)| f(b) - f(a)).collect();
    Estimate::from_values(&d)
}

/// A paired difference above zero by more than 3 standard errors.
pub fn assert_up(e: Estimate, what: &str) {
    assert!(e.mean > 3.0 * e.se && e.mean > 0.0, "{what}: diff {} se {}", e.mean, e.se);
}

/// A paired difference below zero by more than 3 standard errors.
pub fn assert_down(e: Estimate, what: &str) {
    assert!(-e.mean > 3.0 * e.se && e.mean < 0.0, "{what}: diff {} se {}", e.mean, e.se);
}

/// Loads a child of the small scenario — `text`, after its `extends` line
/// — whose data files (`[data]`) all read as `data`.
pub fn small_with_data(
    text: &str,
    data: &[u8],
) -> Result<mcstress_scenario::Loaded, mcstress_scenario::LoadError> {
    let child = mcstress_scenario::SourceFile {
        name: "child.toml".into(),
        key: "child.toml".into(),
        text: format!("extends = \"small.toml\"\n{text}"),
    };
    mcstress_scenario::load_with_data(
        child,
        None,
        &[],
        &mut |_, _| {
            Ok(mcstress_scenario::SourceFile {
                name: "small.toml".into(),
                key: "small.toml".into(),
                text: small_text(),
            })
        },
        &mut |_| Ok(data.to_vec()),
    )
}
