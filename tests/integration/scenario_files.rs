//! Scenario files: every shipped file validates and runs; extends,
//! variants and their errors.

use std::path::PathBuf;

use crate::support::{cli, root, scratch, shipped_scenarios, small_text, write};

fn scenario_files() -> Vec<PathBuf> {
    shipped_scenarios().iter().map(|r| root().join(r)).collect()
}

#[test]
fn every_shipped_scenario_validates_and_runs() {
    let files = scenario_files();
    assert!(!files.is_empty());
    for f in files {
        let path = f.to_str().unwrap();
        let (code, _, err) = cli(&["validate", path]);
        assert_eq!(code, 0, "{path}: {err}");
        let (code, out, err) = cli(&["run", path, "--paths", "2", "--json"]);
        assert_eq!(code, 0, "{path}: {err}");
        assert!(out.contains("\"schema\": \"mcstress.summary/1\""));
    }
}

#[test]
fn the_embedded_default_is_the_shipped_baseline() {
    let shipped = std::fs::read_to_string(root().join("scenarios/yunnan-baseline.toml")).unwrap();
    assert_eq!(shipped, mcstress_scenario::EMBEDDED_TEXT);
    let s = mcstress_scenario::embedded_default(None).unwrap().scenario;
    assert_eq!(s.counties.len(), 129);
    assert_eq!(s.prefectures.len(), 16);
    assert_eq!(s.counties.iter().filter(|c| c.former_poverty).count(), 88);
    assert_eq!(s.counties.iter().filter(|c| c.key_county).count(), 27);
    let households: u64 = s.counties.iter().map(|c| c.profile.eligible_households as u64).sum();
    assert!((households as f64 / 2.3e6 - 1.0).abs() < 0.01);
}

#[test]
fn a_child_file_extends_its_parent_and_overrides_fields() {
    let d = scratch("extends");
    write(&d, "parent.toml", &small_text());
    std::fs::create_dir_all(d.join("sub")).unwrap();
    let child = write(
        &d,
        "sub/child.toml",
        "extends = \"../parent.toml\"\n[rules.compensation]\nfund_share = 0.85\n",
    );
    let (code, out, err) = cli(&["validate", child.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("3 counties"));
    let l = mcstress_scenario::load(
        mcstress_scenario::SourceFile {
            name: child.display().to_string(),
            key: child.display().to_string(),
            text: std::fs::read_to_string(&child).unwrap(),
        },
        None,
        &mut |_, rel| {
            assert_eq!(rel, "../parent.toml");
            Ok(mcstress_scenario::SourceFile {
                name: "parent.toml".into(),
                key: "p".into(),
                text: small_text(),
            })
        },
    )
    .unwrap();
    assert_eq!(l.scenario.rules.claims.fund_share.get(), 0.85);
}

#[test]
fn errors_name_the_file_in_which_the_bad_value_sits() {
    let d = scratch("extends-error");
    write(&d, "parent.toml", &small_text().replace("fund_share = 0.7", "fund_share = 7"));
    let child = write(&d, "child.toml", "extends = \"parent.toml\"\n[scenario]\nhorizon_months = 0\n");
    let (code, _, err) = cli(&["validate", child.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("parent.toml:") && err.contains("fund_share"), "{err}");
    assert!(err.contains("child.toml:3:") && err.contains("horizon_months"), "{err}");
}

#[test]
fn extending_a_missing_file_exits_2() {
    let d = scratch("extends-missing");
    let child = write(&d, "child.toml", "extends = \"nowhere.toml\"\n");
    let (code, _, err) = cli(&["validate", child.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("child.toml:1:") && err.contains("nowhere.toml") && err.contains("no such file"),
        "{err}"
    );
}

#[test]
fn an_extends_loop_exits_2() {
    let d = scratch("extends-loop");
    write(&d, "a.toml", "extends = \"b.toml\"\n");
    write(&d, "b.toml", "extends = \"a.toml\"\n");
    let (code, _, err) = cli(&["validate", d.join("a.toml").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("loop"), "{err}");
}

#[test]
fn a_bad_value_in_a_variant_is_reported_under_the_variant() {
    let text = small_text().replace("fund_share = 0.9", "fund_share = 2");
    let err = mcstress_scenario::from_str("v.toml", &text, None).unwrap_err().to_string();
    assert!(err.contains("variants.higher-share.rules.compensation.fund_share"), "{err}");
}

#[test]
fn a_variant_overrides_only_what_it_names() {
    let base = mcstress_scenario::from_str("v.toml", &small_text(), None).unwrap();
    let v = mcstress_scenario::from_str("v.toml", &small_text(), Some("higher-share")).unwrap();
    assert_eq!(v.scenario.rules.claims.fund_share.get(), 0.9);
    assert_eq!(v.variants, vec!["higher-share".to_string()]);
    let mut expected = base.scenario.clone();
    expected.rules.claims = v.scenario.rules.claims.clone();
    expected.variant = v.scenario.variant.clone();
    expected.sha256 = v.scenario.sha256.clone();
    assert_eq!(expected, v.scenario);
    assert_ne!(base.scenario.sha256, v.scenario.sha256);
}

#[test]
fn mixes_must_sum_to_one() {
    let text = small_text().replace("other = 0.1 } },\n]", "other = 0.2 } },\n]");
    let err = mcstress_scenario::from_str("m.toml", &text, None).unwrap_err().to_string();
    assert!(err.contains("industry_mix") && err.contains("sum to 1"), "{err}");
}

#[test]
fn a_loan_amount_above_the_first_loan_limit_is_rejected() {
    let text = small_text().replace(
        "[behaviour]",
        "[portfolio]\namounts = [ { yuan = \"60000\", share = 1.0 } ]\n\n[behaviour]",
    );
    let err = mcstress_scenario::from_str("a.toml", &text, None).unwrap_err().to_string();
    assert!(err.contains("portfolio.amounts[0].yuan") && err.contains("first_max_yuan"), "{err}");
}

#[test]
fn an_event_with_fields_of_another_kind_is_rejected() {
    let text = small_text().replace(
        "[rules.compensation]",
        "[[shocks.events]]\nkind = \"price\"\nindustry = \"cattle\"\nmonth = \"2024-06\"\nprice_change = -0.24\ncounties = [\"530621\"]\n\n\
         [[shocks.events]]\nkind = \"drought\"\nmonth = \"2024-03\"\nindustry = \"tea\"\n\n[rules.compensation]",
    );
    let err = mcstress_scenario::from_str("e.toml", &text, None).unwrap_err().to_string();
    assert!(err.contains("shocks.events[0].counties"), "{err}");
    assert!(err.contains("shocks.events[1].industry"), "{err}");
}

#[test]
fn the_hash_depends_on_the_text_not_on_how_the_path_is_spelled() {
    let a = mcstress_scenario::from_str("scenarios/x.toml", &small_text(), None).unwrap();
    let b = mcstress_scenario::from_str("./scenarios/x.toml", &small_text(), None).unwrap();
    assert_eq!(a.scenario.sha256, b.scenario.sha256);
    let c =
        mcstress_scenario::from_str("x.toml", &small_text().replace("seed = 7", "seed = 8"), None).unwrap();
    assert_ne!(a.scenario.sha256, c.scenario.sha256);
}
