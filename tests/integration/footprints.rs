//! Disasters where they strike (issue 11 item 4): a disaster strikes
//! townships — its footprint — not a whole county at full strength;
//! insurance indemnities and relief grants offset part of the income it
//! destroys; a stress shock is not a declared disaster. Common random
//! numbers on the small scenario (鲁甸 has five townships, `530621-01` …
//! `530621-05`).

use mcstress_engine::{Estimate, PathResult};

use crate::support::{assert_down, assert_up, diff, simulate, small};

const PATHS: u32 = 24;
const SEED: u64 = 61;

fn run_with(extra: &str) -> Vec<PathResult> {
    simulate(&small(extra), PATHS, SEED, 2).1
}

/// A severity-4 earthquake in 鲁甸 in March 2024, with `footprint` (a
/// `township_share` or `townships` line), and no stochastic earthquakes.
fn quake(footprint: &str) -> String {
    format!(
        "[shocks.disasters.earthquake]\nannual_probability = 0\n\n\
         [[shocks.events]]\nkind = \"earthquake\"\nmonth = \"2024-03\"\ncounties = [\"530621\"]\nseverity = 4.0\n{footprint}\n"
    )
}

#[test]
fn an_earthquake_named_in_one_township_strikes_that_township_and_not_its_neighbours() {
    let none = run_with("[shocks.disasters.earthquake]\nannual_probability = 0\n");
    let one = run_with(&quake("townships = [\"530621-01\"]"));
    let whole = run_with(&quake("township_share = 1.0"));
    // The engine's townships are the counties' in order.
    let names = small("").township_names().concat();
    let k = |name: &str| names.iter().position(|n| n == name).expect("a township of 鲁甸");
    let (epicentre, others) =
        (k("530621-01"), [k("530621-02"), k("530621-03"), k("530621-04"), k("530621-05")]);
    let peak = |r: &PathResult, ks: &[usize]| {
        ks.iter().map(|&k| f64::from(r.township_peak[k])).sum::<f64>() / ks.len() as f64
    };
    // The township named rises, beyond what its neighbours do.
    assert_up(diff(&none, &one, |r| peak(r, &[epicentre])), "the struck township's peak overdue rate");
    let rise = |rs: &[PathResult], ks: &[usize]| -> Vec<f64> {
        none.iter().zip(rs).map(|(a, b)| peak(b, ks) - peak(a, ks)).collect()
    };
    let (hit, spared) = (rise(&one, &[epicentre]), rise(&one, &others));
    let gap: Vec<f64> = hit.iter().zip(&spared).map(|(h, s)| h - s).collect();
    assert_up(Estimate::from_values(&gap), "struck township's rise less its neighbours'");
    // Struck as a whole county, the neighbours rise too.
    assert_up(diff(&one, &whole, |r| peak(r, &others)), "neighbours' peak when the whole county is struck");
}

#[test]
fn a_footprint_of_a_share_of_the_townships_weighs_less_on_the_county_than_the_whole_county() {
    let epicentre_only = run_with(&quake("township_share = 0.0"));
    let whole = run_with(&quake("township_share = 1.0"));
    let ludian = |r: &PathResult| r.counties[0].peak_overdue;
    assert_up(
        diff(&epicentre_only, &whole, ludian),
        "鲁甸's peak overdue rate, whole county against one township",
    );
}

#[test]
fn insurance_indemnities_offset_part_of_a_disasters_losses() {
    let insured = "[shocks.insurance]\ntake_up = { cattle = 1.0, pigs = 1.0, fruit_veg = 1.0, migrant_wages = 1.0, other = 1.0 }\n";
    let without = run_with(&format!("{}{insured}indemnity_share = 0.0\n", quake("township_share = 1.0")));
    let with = run_with(&format!("{}{insured}indemnity_share = 0.8\n", quake("township_share = 1.0")));
    assert_down(
        diff(&without, &with, |r| r.counties[0].peak_overdue),
        "鲁甸's peak overdue rate with insurance",
    );
    assert_down(
        diff(&without, &with, |r| r.counties[0].claims_paid as f64),
        "鲁甸's claims paid with insurance",
    );
}

#[test]
fn relief_grants_after_a_declared_disaster_offset_part_of_its_losses() {
    let quake = quake("township_share = 1.0");
    let without = run_with(&format!("{quake}[shocks]\nrelief_grant_share = 0.0\n"));
    let with = run_with(&format!("{quake}[shocks]\nrelief_grant_share = 0.5\n"));
    assert_down(
        diff(&without, &with, |r| r.counties[0].peak_overdue),
        "鲁甸's peak overdue rate with relief grants",
    );
}

#[test]
fn a_stress_shock_is_not_a_declared_disaster_relief_grants_do_not_follow_it() {
    let off = "[shocks.disasters.drought]\nannual_probability = 0\n[shocks.disasters.flood]\nannual_probability = 0\n\
               [shocks.disasters.frost]\nannual_probability = 0\n[shocks.disasters.earthquake]\nannual_probability = 0\n\
               [shocks.disasters.livestock_disease]\nannual_probability = 0\n";
    let stressed = |grants: f64| {
        let s = small(&format!("{off}[shocks]\nrelief_grant_share = {grants}\n"));
        let s = s.with_shock("drought", 3.0).expect("a disaster kind");
        simulate(&s, 8, SEED, 2).1
    };
    let (none, half) = (stressed(0.0), stressed(0.5));
    assert_eq!(none, half, "no declared disaster: the grants change nothing");
}

#[test]
fn a_township_named_that_the_event_does_not_hit_is_an_error_listing_the_townships_it_could_be() {
    let text = format!("extends = \"small.toml\"\n{}", quake("townships = [\"龙头山镇\"]"));
    let child = mcstress_scenario::SourceFile { name: "child.toml".into(), key: "child.toml".into(), text };
    let loaded = mcstress_scenario::load(child, None, &mut |_, _| {
        Ok(mcstress_scenario::SourceFile {
            name: "small.toml".into(),
            key: "small.toml".into(),
            text: crate::support::small_text(),
        })
    });
    let Err(err) = loaded else { panic!("an unknown township is refused") };
    let err = err.to_string();
    for part in ["child.toml:", "shocks.events[0].townships[0]", "龙头山镇", "530621-01", "530621-05"] {
        assert!(err.contains(part), "{part:?} missing from: {err}");
    }
}
