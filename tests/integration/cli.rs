//! The command line: exit codes, error messages, outputs, determinism.

use serde_json::Value;

use crate::support::{cli, root, scratch, small_text, write};

fn small_file(dir: &std::path::Path) -> String {
    write(dir, "small.toml", &small_text()).display().to_string()
}

#[test]
fn validate_accepts_the_baseline_and_names_its_variants() {
    let base = root().join("scenarios/yunnan-baseline.toml");
    let (code, out, err) = cli(&["validate", base.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("129 counties"), "{out}");
    assert!(out.contains("higher-share"), "{out}");
}

#[test]
fn malformed_toml_exits_2_naming_file_and_line() {
    let d = scratch("malformed");
    let f = write(&d, "bad.toml", "[scenario]\nname = \"x\"\n[rules\nfund_share = 1\n");
    let (code, _, err) = cli(&["validate", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.toml:3:"), "{err}");
    assert!(err.contains("invalid TOML"), "{err}");
}

#[test]
fn unknown_field_exits_2_with_a_suggestion() {
    let d = scratch("unknown");
    let text = small_text().replace("fund_share = 0.7", "fund_shar = 0.7");
    let f = write(&d, "typo.toml", &text);
    let (code, _, err) = cli(&["validate", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("rules.compensation.fund_shar"), "{err}");
    assert!(err.contains("did you mean `fund_share`"), "{err}");
    let line = text.lines().position(|l| l.starts_with("fund_shar ")).unwrap() + 1;
    assert!(err.contains(&format!("typo.toml:{line}:1")), "{err}");
}

#[test]
fn out_of_range_values_are_all_reported_at_once() {
    let d = scratch("range");
    let text = small_text()
        .replace("fund_share = 0.7", "fund_share = 1.5")
        .replace("horizon_months = 24", "horizon_months = -3");
    let f = write(&d, "range.toml", &text);
    let (code, _, err) = cli(&["run", f.to_str().unwrap(), "--paths", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("2 problems"), "{err}");
    assert!(err.contains("rules.compensation.fund_share: expected a number from 0 to 1, found 1.5"), "{err}");
    assert!(
        err.contains("scenario.horizon_months: expected a whole number from 1 to 240, found -3"),
        "{err}"
    );
}

#[test]
fn amounts_written_as_floats_are_rejected() {
    let d = scratch("float-money");
    let text = small_text().replace("fund_yuan = \"6000000\"", "fund_yuan = 6000000.5");
    let f = write(&d, "float.toml", &text);
    let (code, _, err) = cli(&["validate", f.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("geography.counties[0].fund_yuan"), "{err}");
    assert!(err.contains("not a float"), "{err}");
}

#[test]
fn missing_file_exits_2_naming_it() {
    let (code, _, err) = cli(&["run", "/no/such/dir/scenario.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("/no/such/dir/scenario.toml"), "{err}");
    assert!(err.contains("no such file"), "{err}");
}

#[test]
fn unknown_variant_exits_2_listing_the_defined_ones() {
    let d = scratch("variant");
    let f = small_file(&d);
    let (code, _, err) = cli(&["run", &f, "--variant", "nope", "--paths", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("higher-share"), "{err}");
}

#[test]
fn bad_flags_exit_2() {
    let (code, _, err) = cli(&["run", "--paths", "0"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = cli(&["frobnicate"]);
    assert_eq!(code, 2);
    let (code, out, _) = cli(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Exit codes"));
}

#[test]
fn summary_json_is_byte_identical_across_thread_counts() {
    let d = scratch("threads");
    let f = small_file(&d);
    let (c1, one, _) = cli(&["run", &f, "--paths", "12", "--seed", "99", "--threads", "1", "--json"]);
    let (c2, two, _) = cli(&["run", &f, "--paths", "12", "--seed", "99", "--threads", "2", "--json"]);
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(one, two);
    let (_, other_seed, _) = cli(&["run", &f, "--paths", "12", "--seed", "100", "--threads", "2", "--json"]);
    assert_ne!(one, other_seed, "the seed must matter");
}

#[test]
fn out_dir_holds_every_file_and_paths_csv_balances_exactly() {
    let d = scratch("outdir");
    let f = small_file(&d);
    let out = d.join("out");
    let (code, json, err) = cli(&["run", &f, "--paths", "6", "--out", out.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    for name in ["summary.json", "monthly.csv", "counties.csv", "paths.csv", "run.json"] {
        assert!(out.join(name).exists(), "{name} missing");
    }
    assert_eq!(std::fs::read_to_string(out.join("summary.json")).unwrap(), json);
    let run: Value = serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["paths"], 6);
    assert!(run["elapsed_seconds"].as_f64().is_some());

    let text = std::fs::read_to_string(out.join("paths.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col =
        |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("no column {name}"));
    let mut rows = 0;
    for line in lines {
        let v: Vec<i64> = line.split(',').take(20).map(|x| x.parse().unwrap()).collect();
        let g = |n: &str| v[col(n)];
        assert_eq!(
            g("outstanding_start_fen") + g("disbursed_fen"),
            g("repaid_fen") + g("written_off_fen") + g("outstanding_end_fen"),
            "principal identity, path {}",
            g("path")
        );
        assert_eq!(
            g("fund_start_fen") + g("fund_inflows_fen") - g("claims_paid_fen") + g("recoveries_to_fund_fen"),
            g("fund_end_fen"),
            "fund identity, path {}",
            g("path")
        );
        assert!(g("written_off_fen") > 0 && g("claims_paid_fen") > 0, "the identities must be exercised");
        rows += 1;
    }
    assert_eq!(rows, 6);

    let monthly = std::fs::read_to_string(out.join("monthly.csv")).unwrap();
    // Month 0 and 24 months × (4 province figures + 3 counties × 5 figures).
    assert_eq!(monthly.lines().count(), 1 + 25 * (4 + 3 * 5));
    // The survival curve ends at the run's exhaustion probability.
    let last =
        monthly.lines().find(|l| l.starts_with("24,") && l.contains(",province,exhausted_probability,"));
    let p_end: f64 = last.expect("a province survival row").split(',').nth(4).unwrap().parse().unwrap();
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(p_end, summary["province"]["exhaustion_probability"]["p"].as_f64().unwrap());
}

#[test]
fn default_run_meets_the_summary_contract_with_129_counties() {
    let dir = scratch("default-run");
    let o = dir.join("out").display().to_string();
    let (code, out, err) = cli(&["run", "--paths", "24", "--json", "--out", &o]);
    assert_eq!(code, 0, "{err}");
    // The shipped default charts and briefs in Chinese: every one of its
    // 129 county names is drawn with the shipped font.
    let (code, _, err) = cli(&["report", &o, "--lang", "zh"]);
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(dir.join("out/briefing.html")).unwrap();
    assert!(html.contains("禄劝彝族苗族自治县") && html.contains("<figure id=\"county-ranking\">"));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "mcstress.summary/1");
    for k in ["name", "sha256", "start", "horizon_months"] {
        assert!(!v["scenario"][k].is_null(), "scenario.{k}");
    }
    assert_eq!(v["scenario"]["horizon_months"], 60);
    assert_eq!(v["run"]["paths"], 24);
    for k in ["seed", "version"] {
        assert!(!v["run"][k].is_null(), "run.{k}");
    }
    let p = &v["province"];
    for k in [
        "peak_overdue_rate",
        "final_overdue_rate",
        "counties_exhausted",
        "loss_fund_yuan",
        "loss_bank_yuan",
        "loss_uncovered_yuan",
    ] {
        for f in ["mean", "se", "p05", "p50", "p95"] {
            assert!(p[k][f].is_number(), "province.{k}.{f}");
        }
    }
    for f in ["p", "se", "ci95_low", "ci95_high"] {
        assert!(p["exhaustion_probability"][f].is_number(), "exhaustion_probability.{f}");
    }
    let counties = v["counties"].as_array().unwrap();
    assert_eq!(counties.len(), 129);
    for c in counties {
        for k in
            ["id", "name", "prefecture", "exhaustion_probability", "peak_overdue_rate", "final_overdue_rate"]
        {
            assert!(!c[k].is_null(), "county {}: {k}", c["id"]);
        }
        assert!(c.get("exhaustion_month_p50").is_some());
        let p = c["exhaustion_probability"]["p"].as_f64().unwrap();
        assert_eq!(c["exhaustion_month_p50"].is_null(), p < 0.5);
    }
    // Plausible against the public anchors (docs/calibration.md): the
    // stock at the start and overdue rates between Chongqing 2019 (0.26 %)
    // and a few times Luoping 2023 (4.36 %).
    assert!((p["loans_start"].as_f64().unwrap() - 405_600.0).abs() < 4_056.0);
    assert!((p["outstanding_start_yuan"].as_f64().unwrap() / 188.66e8 - 1.0).abs() < 0.01);
    let peak = p["peak_overdue_rate"]["mean"].as_f64().unwrap();
    assert!((0.005..0.08).contains(&peak), "peak overdue {peak}");
    let fin = p["final_overdue_rate"]["mean"].as_f64().unwrap();
    assert!(fin > 0.0026 && fin < peak, "final overdue {fin}");
}

#[test]
fn text_table_names_counties_in_chinese_and_english() {
    let d = scratch("text");
    let f = small_file(&d);
    let (code, out, _) = cli(&["run", &f, "--paths", "2"]);
    assert_eq!(code, 0);
    assert!(out.contains("鲁甸县") && out.contains("Ludian County"), "{out}");
    assert!(out.contains("peak overdue rate"), "{out}");
}

#[test]
fn target_se_adds_paths_until_the_headline_errors_are_small_and_is_deterministic() {
    let d = scratch("target-se");
    let f = small_file(&d);
    let args = ["run", f.as_str(), "--paths", "4", "--target-se", "0.01", "--json"];
    let (code, one, err) = cli(&args);
    assert_eq!(code, 0, "{err}");
    let (_, two, _) = cli(&args);
    assert_eq!(one, two, "same inputs, same path count and bytes");
    let v: Value = serde_json::from_str(&one).unwrap();
    let n = v["run"]["paths"].as_u64().unwrap();
    assert!(n > 4 && n.is_power_of_two(), "doubled from 4: {n}");
    let p = &v["province"];
    assert!(p["peak_overdue_rate"]["se"].as_f64().unwrap() <= 0.01);
    assert!(p["exhaustion_probability"]["se"].as_f64().unwrap() <= 0.01);
    // The paths are the first n paths of the seed: a plain run of n paths agrees.
    let (_, plain, _) = cli(&["run", f.as_str(), "--paths", &n.to_string(), "--json"]);
    assert_eq!(one, plain);
    // The cap wins over the target.
    let (_, capped, _) =
        cli(&["run", f.as_str(), "--paths", "4", "--target-se", "0.0001", "--max-paths", "10", "--json"]);
    let v: Value = serde_json::from_str(&capped).unwrap();
    assert_eq!(v["run"]["paths"], 10);
    let (code, _, _) = cli(&["run", f.as_str(), "--target-se", "-1"]);
    assert_eq!(code, 2);
}

/// Without `--quiet` a run leaves its timing note on standard error; with
/// it, nothing (the progress bar itself only ever draws on a terminal).
#[test]
fn quiet_runs_leave_standard_error_empty() {
    let d = scratch("quiet");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let (c, out, err) = cli(&["run", &f, "--paths", "2"]);
    assert_eq!(c, 0);
    assert!(err.starts_with("simulated 2 paths"), "{err:?}");
    assert!(out.contains("small"));
    let (c, out, err) = cli(&["run", &f, "--paths", "2", "--quiet"]);
    assert_eq!((c, err.as_str()), (0, ""));
    assert!(out.contains("small"));
    let (c, _, err) = cli(&["run", "/no/such.toml", "--quiet"]);
    assert_eq!(c, 2);
    assert!(err.contains("no such file"), "errors are still reported: {err}");
}

/// `run --set` changes one field for one run, is checked like the file's
/// own fields, and is recorded in the hash and in run.json.
#[test]
fn a_field_set_on_the_command_line_changes_the_run_and_its_provenance() {
    let d = scratch("run-set");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let o = d.join("out").display().to_string();
    let (c, set, err) = cli(&[
        "run",
        &f,
        "--paths",
        "6",
        "--json",
        "--set",
        "rules.compensation.fund_share=0.9",
        "--out",
        &o,
    ]);
    assert_eq!(c, 0, "{err}");
    let (_, variant, _) = cli(&["run", &f, "--paths", "6", "--json", "--variant", "higher-share"]);
    let (_, plain, _) = cli(&["run", &f, "--paths", "6", "--json"]);
    let (s, v, p): (Value, Value, Value) = (
        serde_json::from_str(&set).unwrap(),
        serde_json::from_str(&variant).unwrap(),
        serde_json::from_str(&plain).unwrap(),
    );
    // The variant sets the same share: the same figures, another hash.
    assert_eq!(s["province"], v["province"]);
    assert_ne!(s["province"]["loss_fund_yuan"], p["province"]["loss_fund_yuan"]);
    assert_ne!(s["scenario"]["sha256"], p["scenario"]["sha256"]);
    let run: Value = serde_json::from_str(&std::fs::read_to_string(d.join("out/run.json")).unwrap()).unwrap();
    assert_eq!(run["settings"], serde_json::json!(["rules.compensation.fund_share=0.9"]));
    let (c, _, err) = cli(&["run", &f, "--paths", "2", "--set", "rules.compensation.activation=sometimes"]);
    assert_eq!(c, 2);
    assert!(
        err.contains("--set:1:") && err.contains("sometimes") && err.contains("county_overdue_ratio"),
        "{err}"
    );
}
