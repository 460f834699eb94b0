//! The engine: keyed draws, identities, behaviour of the rules in a run.

use crate::support::{scenario, simulate, small_text};

#[test]
fn adding_a_county_leaves_every_other_county_unchanged() {
    let base = small_text();
    let row = "  { code = \"530623\", name = \"盐津县\", name_en = \"Yanjin County\", prefecture = \"530600\", former_poverty = true, townships = 4, eligible_households = 9000, loans = 1800, fund_yuan = \"3000000\" },\n]";
    // The counties array closes the file: append one more county to it.
    let idx = base.rfind(']').unwrap();
    let extra = format!("{}{}{}", &base[..idx], row, &base[idx + 1..]);
    let (_, a) = simulate(&scenario(&base, None), 6, 11, 2);
    let (_, b) = simulate(&scenario(&extra, None), 6, 11, 2);
    assert_eq!(b[0].counties.len(), 4);
    for (pa, pb) in a.iter().zip(&b) {
        for c in 0..3 {
            assert_eq!(pa.counties[c], pb.counties[c], "county {c}");
        }
    }
}

#[test]
fn a_sharing_rule_changes_who_pays_but_not_the_random_future() {
    // With funds large enough never to run dry and lending unconstrained
    // by them (no leverage limit, no suspension when a fund defaults), the
    // fund share cannot feed back on loans: the same seed gives the same
    // overdue history, and the claims scale with the share.
    let text = small_text().replace("_yuan = \"", "_yuan = \"100").replace(
        "[rules.compensation]",
        "[rules.lending]\nleverage_max = 1000\nsuspend_on_fund_default = false\n\n[rules.compensation]",
    );
    let (_, low) = simulate(&scenario(&text, None), 8, 5, 2);
    let (_, high) = simulate(&scenario(&text, Some("higher-share")), 8, 5, 2);
    for (l, h) in low.iter().zip(&high) {
        assert_eq!(l.province_overdue, h.province_overdue);
        assert_eq!(l.totals.written_off, h.totals.written_off);
        assert_eq!(h.totals.counties_exhausted, 0);
        let ratio = h.totals.claims_paid as f64 / l.totals.claims_paid as f64;
        assert!((ratio - 0.9 / 0.7).abs() < 1e-3, "{ratio}");
    }
}

#[test]
fn identities_hold_on_every_path_and_every_county() {
    let (m, paths) = simulate(&scenario(&small_text(), None), 10, 3, 2);
    for p in &paths {
        let t = &p.totals;
        assert_eq!(t.outstanding_start + t.disbursed, t.repaid + t.written_off + t.outstanding_end);
        assert_eq!(t.fund_start + t.fund_inflows - t.claims_paid + t.recoveries_to_fund, t.fund_end);
        assert_eq!(t.loss_fund, t.claims_paid - t.recoveries_to_fund);
        assert!(t.loss_bank >= 0 && t.loss_uncovered >= 0);
    }
    assert_eq!(m.scenario.counties.len(), 3);
}

#[test]
fn the_thread_count_does_not_change_a_single_path() {
    let s = scenario(&small_text(), None);
    let (_, one) = simulate(&s, 9, 21, 1);
    let (_, two) = simulate(&s, 9, 21, 2);
    assert_eq!(one, two);
}

#[test]
fn without_renewals_or_extensions_more_loans_go_overdue() {
    // Directional check with a stated bound: switching off both policies
    // raises the mean peak overdue rate by more than 3 standard errors of
    // the paired difference (same seeds: common random numbers).
    let on = small_text();
    let off = on.replace(
        "[rules.compensation]",
        "[rules.extension]\nenabled = false\n\n[rules.renewal]\nenabled = false\n\n[rules.compensation]",
    );
    let (_, a) = simulate(&scenario(&on, None), 40, 8, 2);
    let (_, b) = simulate(&scenario(&off, None), 40, 8, 2);
    let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| y.peak_overdue - x.peak_overdue).collect();
    let e = mcstress_engine::Estimate::from_values(&d);
    assert!(e.mean > 3.0 * e.se, "diff {} se {}", e.mean, e.se);
    let ext: i64 = a.iter().map(|p| p.totals.extensions).sum();
    assert!(ext > 0);
    assert_eq!(b.iter().map(|p| p.totals.extensions + p.totals.renewals).sum::<i64>(), 0);
}

#[test]
fn a_fund_too_small_for_its_claims_is_exhausted_and_leaves_losses_uncovered() {
    let text = small_text()
        .replace("fund_yuan = \"6000000\"", "fund_yuan = \"10000\"")
        .replace("[rules.compensation]", "[rules.fund]\ntop_up = \"none\"\n\n[rules.compensation]");
    let (_, paths) = simulate(&scenario(&text, None), 6, 2, 2);
    for p in &paths {
        let first = p.counties[0].exhausted_month;
        assert!(first.is_some(), "a 10,000-yuan fund behind 2,500 loans must run out");
        assert!(p.totals.loss_uncovered > 0);
    }
}
