//! `mcstress compare`: the same random futures for both rule sets.

use std::path::Path;

use serde_json::Value;

use crate::support::{cli, root, scratch, simulate, small_text, write};

#[test]
fn compare_reports_exactly_what_the_two_runs_report() {
    let d = scratch("compare-runs");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let (c, cmp, err) =
        cli(&["compare", &f, "--variant", "higher-share", "--paths", "8", "--seed", "5", "--json"]);
    assert_eq!(c, 0, "{err}");
    let (_, base, _) = cli(&["run", &f, "--paths", "8", "--seed", "5", "--json"]);
    let (_, rev, _) = cli(&["run", &f, "--variant", "higher-share", "--paths", "8", "--seed", "5", "--json"]);
    let cmp: Value = serde_json::from_str(&cmp).unwrap();
    let base: Value = serde_json::from_str(&base).unwrap();
    let rev: Value = serde_json::from_str(&rev).unwrap();
    assert_eq!(cmp["schema"], "mcstress.compare/1");
    for k in
        ["peak_overdue_rate", "final_overdue_rate", "loss_fund_yuan", "loss_bank_yuan", "loss_uncovered_yuan"]
    {
        assert_eq!(cmp["province"][k]["base"], base["province"][k]["mean"], "{k}");
        assert_eq!(cmp["province"][k]["revision"], rev["province"][k]["mean"], "{k}");
    }
    assert_eq!(
        cmp["province"]["exhaustion_probability"]["base"],
        base["province"]["exhaustion_probability"]["p"]
    );
    assert_eq!(cmp["counties"].as_array().unwrap().len(), 3);
}

#[test]
fn compare_output_is_the_same_for_any_thread_count() {
    let d = scratch("compare-threads");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let args = |t: &'static str| {
        vec!["compare", "F", "--variant", "higher-share", "--paths", "6", "--threads", t, "--json"]
    };
    let run = |t| {
        let a: Vec<&str> = args(t).into_iter().map(|x| if x == "F" { f.as_str() } else { x }).collect();
        cli(&a)
    };
    let (c1, one, _) = run("1");
    let (c2, two, _) = run("2");
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(one, two);
}

#[test]
fn compare_without_a_revision_exits_2() {
    let d = scratch("compare-none");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let (c, _, err) = cli(&["compare", &f, "--paths", "2"]);
    assert_eq!(c, 2);
    assert!(err.contains("needs a revision"), "{err}");
}

/// Three rule sets at once are the pairs each revision makes with today's
/// rules: every revision meets the same random futures, so adding a
/// revision changes nothing of another's comparison, and the monthly bands
/// of each rule set are those its own run writes.
#[test]
fn three_rule_sets_compare_as_their_pairs_do_on_the_same_futures() {
    let d = scratch("compare-three");
    let text = small_text().replacen(
        "[geography]",
        "[variants.lower-share.rules.compensation]\nfund_share = 0.5\n\n[geography]",
        1,
    );
    let f = write(&d, "small.toml", &text).display().to_string();
    let o = |name: &str| d.join(name).display().to_string();
    let run = |args: &[&str]| {
        let (c, out, err) = cli(args);
        assert_eq!(c, 0, "{args:?}: {err}");
        out
    };
    let common = ["--paths", "6", "--seed", "3"];
    let with = |mut a: Vec<&'static str>| -> Vec<String> {
        a.extend(common);
        a.into_iter().map(String::from).collect()
    };
    let args = |a: Vec<String>, out: Option<String>| {
        let mut v: Vec<String> = vec!["compare".into(), f.clone()];
        v.extend(a);
        if let Some(o) = out {
            v.extend(["--out".into(), o]);
        }
        v
    };
    let call = |v: Vec<String>| run(&v.iter().map(String::as_str).collect::<Vec<_>>());
    call(args(with(vec!["--variant", "higher-share,lower-share"]), Some(o("three"))));
    call(args(with(vec!["--variant", "higher-share"]), Some(o("higher"))));
    call(args(with(vec!["--variant", "lower-share"]), Some(o("lower"))));
    let read = |dir: &str, file: &str| std::fs::read(d.join(dir).join(file)).unwrap();
    assert_eq!(read("three", "compare.json"), read("higher", "compare.json"));
    assert_eq!(read("three", "compare-2.json"), read("lower", "compare.json"));
    assert_eq!(read("three", "revision-2-summary.json"), read("lower", "revision-summary.json"));
    assert_eq!(read("three", "base-monthly.csv"), read("higher", "base-monthly.csv"));
    assert_eq!(read("three", "revision-2-monthly.csv"), read("lower", "revision-monthly.csv"));
    // A rule set's monthly bands are those of its own run.
    let (c, _, err) =
        cli(&["run", &f, "--variant", "lower-share", "--paths", "6", "--seed", "3", "--out", &o("run")]);
    assert_eq!(c, 0, "{err}");
    assert_eq!(read("three", "revision-2-monthly.csv"), read("run", "monthly.csv"));
    // The table shows each revision against today's rules, in order.
    let table = call(args(with(vec!["--variant", "higher-share,lower-share"]), None));
    let heads: Vec<&str> = table.lines().filter(|l| l.starts_with("base: ")).collect();
    assert_eq!(heads.len(), 2, "{table}");
    assert!(heads[0].contains("(higher-share)") && heads[1].contains("(lower-share)"), "{heads:?}");
    // --json: an array of the comparisons.
    let json = call(args(with(vec!["--variant", "higher-share,lower-share", "--json"]), None));
    let all: Value = serde_json::from_str(&json).unwrap();
    let one: Value = serde_json::from_slice(&read("three", "compare-2.json")).unwrap();
    assert_eq!(all.as_array().map(Vec::len), Some(2));
    assert_eq!(all[1], one);
    let run_json: Value = serde_json::from_slice(&read("three", "run.json")).unwrap();
    assert_eq!(run_json["scenario_sha256"].as_str().unwrap().split(' ').count(), 3);
}

#[test]
fn a_list_of_revisions_with_an_empty_name_or_beside_revision_files_is_refused() {
    let d = scratch("compare-lists");
    let f = write(&d, "small.toml", &small_text()).display().to_string();
    let (c, out, err) = cli(&["compare", &f, "--variant", "higher-share,,x", "--paths", "2"]);
    assert_eq!((c, out.as_str()), (2, ""));
    assert!(err.contains("found an empty name"), "{err}");
    let (c, _, err) = cli(&["compare", &f, &f, "--variant", "higher-share,x", "--paths", "2"]);
    assert_eq!(c, 2);
    assert!(err.contains("selects one variant of each file"), "{err}");
    let (c, _, err) = cli(&["compare", &f, "--variant", "higher-share,nonesuch", "--paths", "2"]);
    assert_eq!(c, 2);
    assert!(err.contains("nonesuch"), "{err}");
}

fn load(rel: &str) -> mcstress_scenario::Scenario {
    let read = |p: &Path| -> Result<mcstress_scenario::SourceFile, mcstress_scenario::ResolveError> {
        let text = std::fs::read_to_string(p)?;
        Ok(mcstress_scenario::SourceFile {
            name: p.display().to_string(),
            key: p.display().to_string(),
            text,
        })
    };
    let main = read(&root().join(rel)).expect("shipped file");
    match mcstress_scenario::load(main, None, &mut |from, r| {
        read(&Path::new(&from.name).parent().map(Path::to_path_buf).unwrap_or_default().join(r))
    }) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{rel}: {e}"),
    }
}

/// For every shipped revision, the base and revision runs are paired: the
/// per-path correlation of the fund's loss and of the peak overdue rate is
/// at least 0.9 (equivalently se_diff² ≤ se_b² + se_r² − 1.8 se_b se_r).
#[test]
fn every_shipped_revision_pairs_with_todays_rules() {
    let mut base = load("scenarios/rules/current.toml");
    base.horizon_months = 36;
    let (mb, pb) = simulate(&base, 30, 77, 2);
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("scenarios/rules")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name == "current.toml" || !name.ends_with(".toml") {
            continue;
        }
        let mut rev = load(&format!("scenarios/rules/{name}"));
        rev.horizon_months = 36;
        let (mr, pr) = simulate(&rev, 30, 77, 2);
        let c = mcstress_engine::compare(&mb, &mr, 77, &pb, &pr);
        for (what, d) in
            [("loss_fund", c.province.loss_fund_yuan), ("peak_overdue", c.province.peak_overdue_rate)]
        {
            assert!(d.correlation >= 0.9, "{name} {what}: correlation {}", d.correlation);
        }
        seen += 1;
    }
    assert!(seen >= 4, "at least four revisions are shipped");
}

#[test]
fn revisions_of_how_losses_are_shared_simulate_the_loans_once_and_give_exactly_their_own_paths() {
    use mcstress_engine::{Model, RunConfig, run, run_paths_shared, run_shared, shares_loans};
    let base = crate::support::small("");
    // How losses are shared: the fund's share, a cap on a year's
    // payments, a top-up rule, a third party. Each moves the funds, and
    // through them (the leverage limit, the suspension) some counties'
    // loans on some paths.
    let revisions = [
        "[rules.compensation]\nfund_share = 0.9\n",
        "[rules.compensation]\nannual_cap_share = 0.3\nannual_cap_of = \"year_start_balance\"\n\
         annual_cap_excess = \"wait\"\n",
        "[rules.fund]\ntop_up = \"quarterly_to_ratio\"\ntop_up_ratio = 0.1\n",
        "[rules.compensation]\nfund_share = 0.5\nthird_party_share = 0.1\nthird_party_limit_yuan = 1000000\n\
         third_party_limit_period = \"annual\"\n",
    ]
    .map(crate::support::small);
    for r in &revisions {
        assert!(shares_loans(&base, r), "{}", r.name);
    }
    // What the loans read is not a revision of how losses are shared.
    let trigger = crate::support::small("[rules.compensation]\ncollection_months = 0\n");
    assert!(!shares_loans(&base, &trigger));
    let leverage = crate::support::small("[rules.lending]\nleverage_max = 3.0\n");
    assert!(!shares_loans(&base, &leverage));
    // Nor is a revision whose paths are drawn otherwise (a tilt).
    let mut tilted = Model::prepare(&revisions[0]);
    tilted.tilt = mcstress_engine::FactorTilt { province: -0.1, ..mcstress_engine::FactorTilt::default() };
    let base_m = Model::prepare(&base);
    assert!(run_shared(&[&base_m, &tilted], RunConfig { paths: 1, seed: 1, threads: 1 }).unwrap().is_none());

    let models: Vec<Model> = std::iter::once(&base).chain(&revisions).map(Model::prepare).collect();
    let refs: Vec<&Model> = models.iter().collect();
    let cfg = RunConfig { paths: 16, seed: 7, threads: 2 };
    let together = run_shared(&refs, cfg).unwrap().expect("every revision shares the loans");
    let (shared, own, forked) = (together.paths, together.own_county_paths, together.forked_county_paths);
    for (k, m) in models.iter().enumerate() {
        let alone = run(m, cfg, None).unwrap();
        assert!(shared[k] == alone, "rule set {k}: the shared paths differ from its own run's");
    }
    // Both ways were taken: county-paths shared to the end, and others
    // simulated on their own once a fund's answer differed (on this small
    // scenario the leverage limit binds, so most do).
    let county_paths = revisions.len() * 16 * base.counties.len();
    assert!(own > 0 && own < county_paths, "{own} of {county_paths} county-paths on their own");
    // And of those, some from the state kept in the month the answers
    // differed, some from the start of the path.
    assert!(forked > 0 && forked < own, "{forked} of {own} from a kept state");

    // The folded runs as compare takes them, a revision that does not share
    // the loans among them: each as its own run would give.
    let mut mixed = refs.clone();
    let trigger_m = Model::prepare(&trigger);
    mixed.insert(2, &trigger_m);
    let keep = mcstress_engine::Keep::Figures;
    let (runs, _) = run_paths_shared(&mixed, cfg, keep, None).unwrap();
    assert_eq!(runs.len(), mixed.len());
    for (m, r) in mixed.iter().zip(&runs) {
        let alone = mcstress_engine::run_paths(m, cfg, keep, None).unwrap();
        assert!(r.figures() == alone.figures(), "{}", m.scenario.name);
    }
}

#[test]
fn a_comparison_to_a_target_doubles_the_paths_of_revisions_riding_on_the_loans_exactly_as_their_own_runs() {
    use mcstress_engine::{Keep, Model, RunConfig, compare_to_target, run_paths};
    let base = crate::support::small("");
    let share = crate::support::small("[rules.compensation]\nfund_share = 0.9\n");
    let trigger = crate::support::small("[rules.compensation]\ncollection_months = 0\n");
    let models: Vec<Model> = [&base, &share, &trigger].map(Model::prepare).into_iter().collect();
    let refs: Vec<&Model> = models.iter().collect();
    // A target no 40 paths can meet: 16, then 32, then the cap of 40, the
    // sharing revision riding on the base's loans at each step, the
    // trigger's revision run on its own.
    let cfg = RunConfig { paths: 16, seed: 11, threads: 2 };
    let runs = compare_to_target(&refs, cfg, 1e-12, 40, Keep::Figures, None).unwrap();
    assert_eq!(runs.len(), 3);
    for (m, r) in refs.iter().zip(&runs) {
        assert_eq!(r.len(), 40, "{}", m.scenario.name);
        let alone = run_paths(m, RunConfig { paths: 40, ..cfg }, Keep::Figures, None).unwrap();
        assert!(r.figures() == alone.figures(), "{}: not its own run of 40 paths", m.scenario.name);
    }
}
