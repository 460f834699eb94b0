//! `[behaviour]`: how borrowers pay, fall overdue, cure, are recovered
//! from and take new loans, and the mechanisms of the notice.

use super::{BUCKET_KEYS, CATEGORY_KEYS, GRADE_KEYS, probs, share};
use crate::model::Behaviour;
use crate::read::{Cx, Tab, num};

pub(super) fn read(cx: &mut Cx<'_>, top: &mut Tab<'_>) -> Behaviour {
    let mut table = cx.table(top, "behaviour");
    let t = &mut table;
    let distress = probs(cx, t, "distress_probability", &CATEGORY_KEYS, [0.012, 0.03, 0.025, 0.05], 0.5);
    let grade_multiplier = probs(cx, t, "grade_multiplier", &GRADE_KEYS, [0.6, 1.3, 2.6], 20.0);
    // Two ways to fail (docs/model.md § 7.3): an interest due and a due
    // that carries principal each have their own multiplier of the base
    // probability, factor loading and income-shock elasticity; the cure
    // test keeps `asset_correlation`.
    let interest_multiplier = cx.float(t, "interest_multiplier", 0.4, 0.0, 20.0);
    let maturity_multiplier = cx.float(t, "maturity_multiplier", 16.0, 0.0, 50.0);
    let asset_correlation = cx.float(t, "asset_correlation", 0.12, 0.0, 0.99);
    let interest_correlation = cx.float(t, "interest_correlation", 0.08, 0.0, 0.99);
    let maturity_correlation = cx.float(t, "maturity_correlation", 0.16, 0.0, 0.99);
    let interest_shock_elasticity = cx.float(t, "interest_shock_elasticity", 0.5, 0.0, 5.0);
    let maturity_shock_elasticity = cx.float(t, "maturity_shock_elasticity", 1.5, 0.0, 5.0);
    let factor_persistence = cx.float(t, "factor_persistence", 0.8, 0.0, 0.999);
    let province_weight = cx.float(t, "province_factor_weight", 0.3, 0.0, 1.0);
    let prefecture_weight = cx.float(t, "prefecture_factor_weight", 0.4, 0.0, 1.0);
    if province_weight + prefecture_weight > 1.0
        && let Some(node) = t.node().and_then(|n| n.get("prefecture_factor_weight")).or(t.node())
    {
        let p = t.field("prefecture_factor_weight");
        cx.error(
            node,
            &p,
            format!("at most {} so that the two factor weights sum to at most 1", num(1.0 - province_weight)),
            node.describe(),
        );
    }
    let cure = probs(cx, t, "cure_probability", &BUCKET_KEYS, [0.45, 0.3, 0.12, 0.04], 1.0);
    let business_running = cx.float(t, "business_running", 0.6, 0.0, 1.0);
    let collection_effort = cx.float(t, "collection_effort", 1.0, 0.0, 3.0);
    let recovery_probability = cx.float(t, "recovery_probability", 0.03, 0.0, 1.0);
    let recovery_fraction = cx.float(t, "recovery_fraction", 0.3, 0.0, 1.0);
    let recovery_window_months = cx.int(t, "recovery_window_months", 36, 0, 240) as u16;
    let uptake_monthly = cx.float(t, "uptake_monthly", 0.006, 0.0, 1.0);
    let low_willingness_share = cx.share(t, "low_willingness_share", share(0.1));
    let low_willingness_cure_factor = cx.float(t, "low_willingness_cure_factor", 0.5, 0.0, 1.0);
    let contagion = cx.float(t, "contagion", 0.0, 0.0, 100.0);
    let strategic_default = cx.float(t, "strategic_default", 0.0, 0.0, 10.0);
    let strategic_window_months = cx.int(t, "strategic_window_months", 12, 1, 120) as u16;
    let misuse_share = cx.share(t, "misuse_share", share(0.02));
    let enterprises_per_county = cx.int(t, "enterprises_per_county", 5, 1, 1000) as u16;
    let enterprise_failure_monthly = cx.float(t, "enterprise_failure_monthly", 0.005, 0.0, 1.0);
    let misuse_failed_distress = cx.float(t, "misuse_failed_distress", 0.6, 0.0, 1.0);
    let late_subsidy_multiplier = cx.float(t, "late_subsidy_multiplier", 1.3, 1.0, 10.0);
    // Probit shifts of the distress threshold (docs/calibration.md says
    // where each default comes from).
    let mut ce = cx.table(t, "county_effect");
    let county_effect = [("key", 0.07), ("former_poverty", -0.05), ("other", -0.2)]
        .map(|(k, d)| cx.float(&mut ce, k, d, -2.0, 2.0));
    cx.close(ce);
    let township_effect_sd = cx.float(t, "township_effect_sd", 0.6, 0.0, 2.0);
    cx.close(table);
    Behaviour {
        county_effect,
        township_effect_sd,
        low_willingness_share,
        low_willingness_cure_factor,
        contagion,
        strategic_default,
        strategic_window_months,
        misuse_share,
        enterprises_per_county,
        enterprise_failure_monthly,
        misuse_failed_distress,
        late_subsidy_multiplier,
        distress,
        grade_multiplier,
        interest_multiplier,
        maturity_multiplier,
        asset_correlation,
        interest_correlation,
        maturity_correlation,
        interest_shock_elasticity,
        maturity_shock_elasticity,
        factor_persistence,
        province_weight,
        prefecture_weight,
        cure,
        business_running,
        collection_effort,
        recovery_probability,
        recovery_fraction,
        recovery_window_months,
        uptake_monthly,
    }
}
