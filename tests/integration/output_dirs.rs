//! Output directories and the files the CLI reads: planted links, two
//! writers at once, leftovers of a killed run, directories where files
//! belong, devices and pipes named as inputs.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{cli, scratch, small_text, write};

const VICTIM_TEXT: &str = "a file the run must never touch\n";

fn small_file(dir: &Path) -> String {
    write(dir, "small.toml", &small_text()).display().to_string()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// A file outside the output directory that planted links point at.
fn victim(dir: &Path) -> PathBuf {
    write(dir, "victim.txt", VICTIM_TEXT)
}

#[cfg(unix)]
fn plant_link(target: &Path, at: &Path) {
    std::os::unix::fs::symlink(target, at).expect("can plant a symbolic link");
}

/// The hidden files left in a directory.
fn hidden(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|it| {
            it.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[cfg(unix)]
#[test]
fn links_planted_at_the_old_temporary_names_never_redirect_a_write() {
    let d = scratch("planted-links");
    let f = small_file(&d);
    let victim = victim(&d);
    let out = d.join("out");
    fs::create_dir_all(&out).unwrap();
    for name in ["summary.json", "monthly.csv", "counties.csv", "paths.csv", "run.json"] {
        plant_link(&victim, &out.join(format!(".{name}.tmp")));
    }
    // The new names, guessed: the pid is known, the counter starts at 0.
    for n in 0..4 {
        plant_link(&victim, &out.join(format!(".summary.json.{}-{n}.tmp", std::process::id())));
    }
    let (code, _, err) = cli(&["run", &f, "--paths", "3", "--out", &s(&out), "--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), VICTIM_TEXT);
    assert!(fs::read_to_string(out.join("summary.json")).unwrap().contains("mcstress.summary/1"));
    assert_eq!(hidden(&out), Vec::<String>::new(), "stale temporaries and the lock file are gone");

    // chart: links at the names of its files in its output directory.
    let (code, listing, err) = cli(&["chart", &s(&out), "--lang", "en", "--format", "svg"]);
    assert_eq!(code, 0, "{err}");
    let charts = out.join("charts-en");
    let names: Vec<String> =
        listing.lines().map(|l| Path::new(l).file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(!names.is_empty());
    for n in &names {
        plant_link(&victim, &charts.join(format!(".{n}.tmp")));
    }
    let (code, _, err) = cli(&["chart", &s(&out), "--lang", "en", "--format", "svg"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), VICTIM_TEXT);

    // report: links at its two names.
    for n in ["briefing.html", "briefing.xlsx"] {
        plant_link(&victim, &out.join(format!(".{n}.tmp")));
    }
    let (code, _, err) = cli(&["report", &s(&out), "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), VICTIM_TEXT);
    assert!(fs::read_to_string(out.join("briefing.html")).unwrap().contains("<html"));
}

#[cfg(unix)]
#[test]
fn a_link_planted_at_the_lock_file_is_refused_and_its_target_untouched() {
    let d = scratch("planted-lock");
    let f = small_file(&d);
    let victim = victim(&d);
    let out = d.join("out");
    fs::create_dir_all(&out).unwrap();
    plant_link(&victim, &out.join(".mcstress.lock"));
    let (code, _, err) = cli(&["run", &f, "--paths", "2", "--out", &s(&out)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(".mcstress.lock: cannot lock the output directory: a symbolic link"), "{err}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), VICTIM_TEXT);
}

/// Holds an output directory's lock as another mcstress would, with `pid`
/// written in it.
fn hold_lock(dir: &Path, pid: u32) -> fs::File {
    fs::create_dir_all(dir).unwrap();
    let mut f = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(dir.join(".mcstress.lock"))
        .unwrap();
    f.try_lock().expect("nobody else holds it");
    std::io::Write::write_all(&mut f, format!("{pid}\n").as_bytes()).unwrap();
    f
}

#[test]
fn a_second_writer_of_a_locked_directory_exits_2_naming_the_holder() {
    let d = scratch("locked");
    let f = small_file(&d);
    let out = d.join("out");
    let lock = hold_lock(&out, 4242);
    for args in [
        vec!["run", f.as_str(), "--paths", "2"],
        vec!["stress", f.as_str(), "--paths", "2"],
        vec!["compare", f.as_str(), "--variant", "higher-share", "--paths", "2"],
        vec!["sweep", f.as_str(), "--set", "rules.compensation.fund_share=0.5:0.6:0.1", "--paths", "2"],
        vec![
            "breakpoint",
            f.as_str(),
            "--shock",
            "drought",
            "--target",
            "0.5",
            "--max-severity",
            "1",
            "--step",
            "1",
            "--paths",
            "2",
        ],
    ] {
        let o = s(&out);
        let mut a = args.clone();
        a.extend(["--out", o.as_str()]);
        let (code, _, err) = cli(&a);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("another mcstress (pid 4242) is using this directory"), "{args:?}: {err}");
        assert!(!out.join("run.json").exists() && !out.join("summary.json").exists());
    }
    drop(lock);
    // Released (as when the holder is killed, the file left behind): the
    // next run takes it and removes it when done.
    let (code, _, err) = cli(&["run", &f, "--paths", "2", "--out", &s(&out), "--quiet"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.join("run.json").exists());
    assert!(!out.join(".mcstress.lock").exists());
    // Chart and report refuse to read a directory being written, and to
    // write into one.
    let lock = hold_lock(&out, 77);
    let (code, _, err) = cli(&["report", &s(&out), "--lang", "en"]);
    assert_eq!(code, 2);
    assert!(err.contains("pid 77"), "{err}");
    let (code, _, err) = cli(&["chart", &s(&out), "--lang", "en", "--out", &s(&d.join("charts"))]);
    assert_eq!(code, 2);
    assert!(err.contains("pid 77") && err.contains("wait for it to finish"), "{err}");
    drop(lock);
}

#[test]
fn two_runs_on_one_directory_at_once_never_mix_their_files() {
    let d = scratch("race");
    let f = small_file(&d);
    let out = s(&d.join("out"));
    for _ in 0..4 {
        let (a, b) = std::thread::scope(|sc| {
            let one = sc.spawn(|| cli(&["run", &f, "--paths", "4", "--seed", "1", "--out", &out, "--quiet"]));
            let two = sc.spawn(|| cli(&["run", &f, "--paths", "5", "--seed", "2", "--out", &out, "--quiet"]));
            (one.join().unwrap(), two.join().unwrap())
        });
        for r in [&a, &b] {
            assert!(r.0 == 0 || (r.0 == 2 && r.2.contains("is using this directory")), "{r:?}");
        }
        assert!(a.0 == 0 || b.0 == 0, "one of them wins");
        // Whatever finished last, its run.json vouches for its own files.
        let run: Value = serde_json::from_str(&fs::read_to_string(d.join("out/run.json")).unwrap()).unwrap();
        let sum: Value =
            serde_json::from_str(&fs::read_to_string(d.join("out/summary.json")).unwrap()).unwrap();
        assert_eq!(run["paths"], sum["run"]["paths"]);
        assert_eq!(run["seed"], sum["run"]["seed"]);
        let rows = fs::read_to_string(d.join("out/paths.csv")).unwrap().lines().count() - 1;
        assert_eq!(Some(rows as u64), run["paths"].as_u64());
    }
}

#[test]
fn temporaries_left_by_a_killed_run_are_removed_at_the_next_write_and_nothing_else() {
    let d = scratch("leftovers");
    let f = small_file(&d);
    let out = d.join("out");
    fs::create_dir_all(out.join(".keep.99-1.tmp")).unwrap();
    for name in [
        ".summary.json.123-0.tmp",
        ".paths.csv.77-12.tmp",
        ".monthly.csv.tmp",
        ".notes.tmp",
        "draft.tmp",
        ".x.1-2.tmp.bak",
    ] {
        write(&out, name, "partial");
    }
    let (code, _, err) = cli(&["run", &f, "--paths", "2", "--out", &s(&out), "--quiet"]);
    assert_eq!(code, 0, "{err}");
    // Ours are gone (the old name only for a file this run writes); the
    // user's files, and any directory, stay.
    assert_eq!(hidden(&out), [".keep.99-1.tmp", ".notes.tmp", ".x.1-2.tmp.bak"]);
    assert!(out.join("draft.tmp").exists());
    // chart and report clean their own output directories the same way.
    let charts = out.join("charts-en");
    fs::create_dir_all(&charts).unwrap();
    write(&charts, ".losses.svg.5-5.tmp", "partial");
    let (code, _, err) = cli(&["chart", &s(&out), "--lang", "en", "--format", "svg"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(hidden(&charts), Vec::<String>::new());
}

#[test]
fn a_directory_where_an_output_file_belongs_exits_2_naming_it() {
    let d = scratch("dir-in-the-way");
    let f = small_file(&d);
    for name in ["run.json", "summary.json", "paths.csv"] {
        let out = d.join(format!("out-{name}"));
        fs::create_dir_all(out.join(name)).unwrap();
        let (code, _, err) = cli(&["run", &f, "--paths", "2", "--out", &s(&out), "--quiet"]);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(&format!("{name}: a directory, where mcstress writes {name}")), "{err}");
        assert!(!err.contains("internal error"), "{err}");
        // No run.json vouches for a partial output.
        assert!(!out.join("run.json").is_file());
    }
    // --out naming a file.
    let file = write(&d, "plain-file", "x");
    let (code, _, err) = cli(&["run", &f, "--paths", "2", "--out", &s(&file), "--quiet"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("plain-file"), "{err}");
    // Report's output directory in the way of briefing.html.
    let out = d.join("out-run");
    let (code, _, _) = cli(&["run", &f, "--paths", "2", "--out", &s(&out), "--quiet"]);
    assert_eq!(code, 0);
    fs::create_dir_all(out.join("briefing.html")).unwrap();
    let (code, _, err) = cli(&["report", &s(&out), "--lang", "en"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("briefing.html: a directory"), "{err}");
}

#[cfg(unix)]
fn mkfifo(at: &Path) -> bool {
    match std::process::Command::new("mkfifo").arg(at).status() {
        Ok(s) if s.success() => true,
        _ => {
            eprintln!("mkfifo unavailable: the named-pipe case is skipped");
            false
        }
    }
}

#[cfg(unix)]
#[test]
fn devices_pipes_and_directories_are_refused_as_scenario_files() {
    let d = scratch("not-regular");
    let ext = write(&d, "ext.toml", &format!("extends = \"/dev/zero\"\n{}", small_text()));
    let (code, _, err) = cli(&["validate", &s(&ext)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("/dev/zero") && err.contains("a device, expected a regular file"), "{err}");
    for dev in ["/dev/zero", "/dev/urandom"] {
        let (code, _, err) = cli(&["run", dev, "--paths", "1"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(dev) && err.contains("a device"), "{err}");
    }
    let (code, _, err) = cli(&["run", &s(&d), "--paths", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a directory, expected a regular file"), "{err}");
    let fifo = d.join("pipe.toml");
    if mkfifo(&fifo) {
        // Would hang forever if the pipe were opened for reading.
        let (code, _, err) = cli(&["validate", &s(&fifo)]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("pipe.toml") && err.contains("a named pipe"), "{err}");
    }
    // A file over the limit, however it is filled.
    let big = d.join("big.toml");
    fs::File::create(&big).unwrap().set_len((16 << 20) + 1).unwrap();
    let (code, _, err) = cli(&["validate", &s(&big)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("larger than 16 MiB"), "{err}");
}

#[cfg(unix)]
#[test]
fn devices_and_pipes_are_refused_as_output_files_read_back() {
    let d = scratch("not-regular-out");
    let f = small_file(&d);
    let out = d.join("out");
    let (code, _, _) = cli(&["run", &f, "--paths", "2", "--out", &s(&out), "--quiet"]);
    assert_eq!(code, 0);
    fs::remove_file(out.join("monthly.csv")).unwrap();
    plant_link(Path::new("/dev/zero"), &out.join("monthly.csv"));
    let (code, _, err) = cli(&["chart", &s(&out), "--lang", "en"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("monthly.csv") && err.contains("a device"), "{err}");
    fs::remove_file(out.join("monthly.csv")).unwrap();
    if mkfifo(&out.join("monthly.csv")) {
        let (code, _, err) = cli(&["report", &s(&out), "--lang", "en"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("monthly.csv") && err.contains("a named pipe"), "{err}");
        fs::remove_file(out.join("monthly.csv")).unwrap();
    }
    fs::create_dir_all(out.join("monthly.csv")).unwrap();
    let (code, _, err) = cli(&["report", &s(&out), "--lang", "en"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("monthly.csv") && err.contains("a directory"), "{err}");
    fs::remove_file(out.join("run.json")).unwrap();
    plant_link(Path::new("/dev/urandom"), &out.join("run.json"));
    let (code, _, err) = cli(&["report", &s(&out), "--lang", "en"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("run.json") && err.contains("a device"), "{err}");
}

#[test]
fn breakpoint_allows_at_most_200_severities_counted_as_the_grid_is_built() {
    let d = scratch("grid-count");
    let f = small_file(&d);
    for (max, count) in [("50", "201"), ("50.25", "202")] {
        let (code, _, err) = cli(&[
            "breakpoint",
            &f,
            "--shock",
            "drought",
            "--target",
            "0.1",
            "--max-severity",
            max,
            "--step",
            "0.25",
        ]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(&format!("gives {count} severities")) && err.contains("more than 200"), "{err}");
    }
}

#[test]
fn an_unmet_standard_error_target_is_warned_about_and_recorded() {
    let d = scratch("target-unmet");
    let f = small_file(&d);
    let o = s(&d.join("out"));
    let (code, _, err) = cli(&[
        "run",
        &f,
        "--paths",
        "4",
        "--target-se",
        "0.0001",
        "--max-paths",
        "10",
        "--out",
        &o,
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: --target-se 0.0001 not met: --max-paths 10 stopped the run at 10 paths"),
        "{err}"
    );
    let run: Value = serde_json::from_str(&fs::read_to_string(d.join("out/run.json")).unwrap()).unwrap();
    assert_eq!(run["target_se"], 0.0001);
    assert_eq!(run["target_met"], false);
    assert_eq!(run["paths"], 10);
    assert!(run["headline_se"].as_f64().is_some_and(|x| x > 0.0001), "{run}");
    // --quiet silences the warning but not the record.
    let (code, _, err) = cli(&[
        "run",
        &f,
        "--paths",
        "4",
        "--target-se",
        "0.0001",
        "--max-paths",
        "10",
        "--out",
        &o,
        "--quiet",
    ]);
    assert_eq!((code, err.as_str()), (0, ""));
    // Met: recorded as met, no warning.
    let (code, _, err) = cli(&["run", &f, "--paths", "32", "--target-se", "0.5", "--out", &o]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
    let run: Value = serde_json::from_str(&fs::read_to_string(d.join("out/run.json")).unwrap()).unwrap();
    assert_eq!(run["target_met"], true);
    // Without --target-se, run.json has none of these fields.
    let (code, _, _) = cli(&["run", &f, "--paths", "2", "--out", &o, "--quiet"]);
    assert_eq!(code, 0);
    let run: Value = serde_json::from_str(&fs::read_to_string(d.join("out/run.json")).unwrap()).unwrap();
    for k in ["target_se", "target_met", "headline_se"] {
        assert!(run.get(k).is_none(), "{k} in a plain run.json");
    }
    // compare: the paired target.
    let (code, _, err) = cli(&[
        "compare",
        &f,
        "--variant",
        "higher-share",
        "--paths",
        "4",
        "--target-se",
        "0.00001",
        "--max-paths",
        "8",
        "--out",
        &o,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: --target-se 0.00001 not met"), "{err}");
    let run: Value = serde_json::from_str(&fs::read_to_string(d.join("out/run.json")).unwrap()).unwrap();
    assert_eq!(run["target_met"], false);
}

#[test]
fn one_set_sets_exactly_one_field() {
    let d = scratch("set-one");
    let f = small_file(&d);
    let (code, _, err) = cli(&[
        "run",
        &f,
        "--paths",
        "2",
        "--set",
        "rules.compensation.fund_share=0.8\nrules.compensation.trigger_days_overdue=30",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("expected one FIELD=VALUE on one line") && err.contains("'\\n'"), "{err}");
}

#[test]
fn a_sweep_step_too_fine_says_so() {
    let (code, _, err) =
        cli(&["sweep", "--set", "rules.compensation.fund_share=0.5:0.9:1e-300", "--paths", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("STEP: 1e-300 is below 1e-27") && err.contains("more than 1000 values"), "{err}");
    assert!(!err.contains("expected a number"), "{err}");
}

#[test]
fn a_compare_mismatch_names_base_and_revision() {
    let d = scratch("cmp-mismatch");
    let base = small_file(&d);
    let rev = write(&d, "longer.toml", &small_text().replace("horizon_months = 24", "horizon_months = 36"));
    let (code, _, err) = cli(&["compare", &base, &s(&rev), "--paths", "1"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("the base ({base})")) && err.contains(&format!("the revision ({})", s(&rev))),
        "{err}"
    );
    assert!(err.contains("horizon (24 against 36 months)"), "{err}");
}

/// The text of an HTML page without its inline data (fonts and images in
/// base64, where any three letters may occur).
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("base64,") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        rest = rest.find(['"', ')']).map_or("", |j| &rest[j..]);
    }
    out.push_str(rest);
    out
}

#[test]
fn one_path_gives_no_nan_anywhere() {
    let d = scratch("one-path");
    let f = small_file(&d);
    let out = d.join("out");
    let (code, table, err) = cli(&["run", &f, "--paths", "1", "--out", &s(&out)]);
    assert_eq!(code, 0, "{err}");
    assert!(!table.contains("NaN"), "{table}");
    assert!(table.contains("± n/a (1 path)"), "{table}");
    let summary = fs::read_to_string(out.join("summary.json")).unwrap();
    let v: Value = serde_json::from_str(&summary).expect("summary.json stays valid JSON");
    assert!(v["province"]["peak_overdue_rate"]["se"].is_null(), "an undefined se is null");
    for name in ["summary.json", "monthly.csv", "counties.csv", "paths.csv", "run.json"] {
        assert!(!fs::read_to_string(out.join(name)).unwrap().contains("NaN"), "{name}");
    }
    for lang in ["en", "zh"] {
        let r = d.join(format!("report-{lang}"));
        let (code, _, err) = cli(&["report", &s(&out), "--lang", lang, "--out", &s(&r)]);
        assert_eq!(code, 0, "{err}");
        let html = visible(&fs::read_to_string(r.join("briefing.html")).unwrap());
        assert!(!html.contains("NaN"), "{lang}");
        assert!(
            html.contains("a standard error needs at least 2 paths") || html.contains("标准误需至少2条路径"),
            "{lang}"
        );
        // The workbook's summary sheet: row 3 is the peak overdue rate,
        // column 5 its standard error.
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(r.join("briefing.xlsx")).unwrap();
        let l = if lang == "zh" {
            mcstress_report::briefing::Lang::Zh
        } else {
            mcstress_report::briefing::Lang::En
        };
        let sheet =
            calamine::Reader::worksheet_range(&mut wb, mcstress_report::briefing::sheet_names(l)[0]).unwrap();
        assert_eq!(sheet.get_value((2, 0)), Some(&calamine::Data::String("peak_overdue_rate".into())));
        let se = sheet.get_value((2, 4)).map(|c| c.to_string()).unwrap_or_default();
        assert!(se.contains("n/a") || se.contains("不适用"), "{lang}: {se:?}");
        let c = d.join(format!("charts-{lang}"));
        let (code, _, err) = cli(&["chart", &s(&out), "--lang", lang, "--format", "svg", "--out", &s(&c)]);
        assert_eq!(code, 0, "{err}");
        for e in fs::read_dir(&c).unwrap().flatten() {
            assert!(!fs::read_to_string(e.path()).unwrap().contains("NaN"), "{}", e.path().display());
        }
    }
    // A one-path comparison draws and briefs without NaN too.
    let cmp = d.join("cmp");
    let (code, table, err) =
        cli(&["compare", &f, "--variant", "higher-share", "--paths", "1", "--out", &s(&cmp)]);
    assert_eq!(code, 0, "{err}");
    // The paired correlation is undefined whenever a side does not vary:
    // the table says so in words, never "NaN" or "÷inf".
    assert!(!table.contains("NaN") && !table.contains("÷inf"), "{table}");
    assert!(table.contains("± n/a"), "{table}");
    let (code, _, err) = cli(&["report", &s(&cmp), "--lang", "en"]);
    assert_eq!(code, 0, "{err}");
    assert!(!visible(&fs::read_to_string(cmp.join("briefing.html")).unwrap()).contains("NaN"));
    // The sweep and stress tables too.
    let (code, table, err) =
        cli(&["sweep", &f, "--set", "rules.compensation.fund_share=0.5:0.6:0.1", "--paths", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(!table.contains("NaN") && table.contains("± n/a"), "{table}");
    let (code, table, err) = cli(&["stress", &f, "--paths", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(!table.contains("NaN"), "{table}");
}

#[test]
fn the_wilson_z_quoted_in_the_docs_is_the_one_the_code_uses() {
    let doc = fs::read_to_string(crate::support::root().join("docs/outputs.md")).unwrap();
    let at = doc.find("Wilson score interval (z = ").expect("docs/outputs.md quotes z")
        + "Wilson score interval (z = ".len();
    let z: f64 = doc[at..].split(')').next().unwrap().parse().expect("z is a number");
    // The interval recomputed with the quoted z equals the code's, bit for bit.
    for (k, n) in [(3usize, 10usize), (1, 7), (50, 129)] {
        let (nf, p) = (n as f64, k as f64 / n as f64);
        let z2 = z * z;
        let centre = (p + z2 / (2.0 * nf)) / (1.0 + z2 / nf);
        let half = z / (1.0 + z2 / nf) * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
        let code = mcstress_engine::Probability::from_count(k, n);
        assert_eq!(
            (centre - half, centre + half),
            (code.ci95_low, code.ci95_high),
            "k = {k}, n = {n}, z = {z}"
        );
    }
}

/// A fresh copy of a small run's output directory with one file changed
/// by `edit`; returns what `chart` and `report` say of it (both must agree).
fn read_back_edited(tag: &str, file: &str, edit: impl Fn(String) -> String) -> String {
    let d = scratch(&format!("edited-{tag}"));
    let f = small_file(&d);
    let out = d.join("out");
    let (code, _, err) = cli(&["run", &f, "--paths", "3", "--out", &s(&out), "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let text = fs::read_to_string(out.join(file)).unwrap();
    fs::write(out.join(file), edit(text)).unwrap();
    let (code, _, err) = cli(&["chart", &s(&out), "--lang", "en", "--format", "svg"]);
    assert_eq!(code, 2, "{tag}: chart accepted it: {err}");
    let (code, _, err2) = cli(&["report", &s(&out), "--lang", "en"]);
    assert_eq!(code, 2, "{tag}: report accepted it: {err2}");
    assert_eq!(err, err2);
    assert!(!out.join("briefing.html").exists() && !out.join("charts-en").exists(), "{tag}: nothing written");
    err
}

/// `monthly.csv` with the cell at (line, column) replaced.
fn cell(text: String, line: usize, column: usize, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cells: Vec<&str> = lines[line - 1].split(',').collect();
    cells[column] = value;
    lines[line - 1] = cells.join(",");
    lines.join("\n") + "\n"
}

fn summary_edit(text: String, edit: impl Fn(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(&text).unwrap();
    edit(&mut v);
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn a_monthly_table_cut_at_a_line_is_refused() {
    // The small scenario: month 0 and 24 months × (4 + 5 × 3 counties) = 475 rows.
    let err = read_back_edited("cut", "monthly.csv", |t| {
        t.lines().take(1 + 2 * 19).map(|l| format!("{l}\n")).collect()
    });
    assert!(err.contains("monthly.csv: 38 rows, expected 475") && err.contains("cut short"), "{err}");
}

#[test]
fn non_finite_and_out_of_range_cells_are_refused_naming_row_and_column() {
    // Line 2: month 0 (the starting state), province overdue_rate (a
    // share); line 3: its fund balance (yuan); line 5: its exhaustion
    // probability.
    for (tag, line, col, value, says) in [
        ("nan", 2, 4, "NaN", "row 2, column mean: expected a share from 0 to 1, found NaN"),
        ("inf", 3, 6, "inf", "row 3, column p05: expected a finite amount, found inf"),
        ("huge", 3, 4, "1e999", "row 3, column mean: expected a finite amount, found inf"),
        ("above-one", 5, 8, "1.5", "row 5, column p50: expected a share from 0 to 1, found 1.5"),
        ("negative-se", 2, 5, "-0.1", "row 2, column se: expected a standard error ≥ 0"),
        ("month", 2, 0, "7", "row 2, column month: expected 0, found 7"),
        ("figure", 3, 3, "overdue_rate", "row 3, column figure: expected \"fund_balance_yuan\""),
    ] {
        let err = read_back_edited(tag, "monthly.csv", |t| cell(t, line, col, value));
        assert!(err.contains(&format!("monthly.csv: {says}")), "{tag}: {err}");
    }
}

#[test]
fn a_summary_that_does_not_fit_its_run_is_refused() {
    let err = read_back_edited("no-counties", "summary.json", |t| {
        summary_edit(t, |v| v["counties"] = serde_json::json!([]))
    });
    assert!(err.contains("summary.json: counties: expected at least one county, found none"), "{err}");
    let err = read_back_edited("p-above-one", "summary.json", |t| {
        summary_edit(t, |v| v["province"]["exhaustion_probability"]["p"] = serde_json::json!(1.5))
    });
    assert!(
        err.contains(
            "summary.json: province.exhaustion_probability.p: expected a share from 0 to 1, found 1.5"
        ),
        "{err}"
    );
    let err = read_back_edited("paths", "summary.json", |t| {
        summary_edit(t, |v| v["run"]["paths"] = serde_json::json!(300))
    });
    assert!(err.contains("summary.json: run.paths is 300, but run.json records 3"), "{err}");
    let err = read_back_edited("rate-null", "summary.json", |t| {
        summary_edit(t, |v| v["counties"][0]["peak_overdue_rate"]["mean"] = Value::Null)
    });
    assert!(err.contains(".peak_overdue_rate.mean: expected a share from 0 to 1, found null"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_stale_run_json_that_cannot_be_removed_exits_2_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let d = scratch("stale-marker");
    let f = small_file(&d);
    let out = d.join("out");
    let (code, _, _) = cli(&["run", &f, "--paths", "2", "--out", &s(&out), "--quiet"]);
    assert_eq!(code, 0);
    // The lock file of the next run is created first: leave one in place,
    // then make the directory read-only.
    write(&out, ".mcstress.lock", "");
    fs::set_permissions(&out, fs::Permissions::from_mode(0o555)).unwrap();
    let probe = out.join("probe");
    if fs::write(&probe, "x").is_ok() {
        // Root ignores permissions: nothing to test here.
        let _ = fs::remove_file(&probe);
        fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("running as a user who may write anywhere: the read-only case is skipped");
        return;
    }
    let (code, _, err) = cli(&["run", &f, "--paths", "2", "--out", &s(&out), "--quiet"]);
    fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("run.json: cannot remove the run.json of an earlier run"), "{err}");
}
