//! The largest book: a scenario whose sums could pass the engine's integer
//! fen is an input error, not a run with wrapped totals. (That every
//! shipped scenario passes the check is
//! `scenario_files::every_shipped_scenario_validates_and_runs`.)

use crate::support::{cli, scratch, write};

/// A province of `counties` counties, each with `fund` yuan and 100
/// households (10 with a loan), over `months` months, the fund earning
/// `interest` a year; everything else at its default.
fn province(counties: usize, fund: &str, interest: f64, months: u32) -> String {
    let mut t = format!(
        "[scenario]\nname = \"large\"\nhorizon_months = {months}\npaths = 1\n\n\
         [rules.fund]\ninterest_rate_annual = {interest}\n\n\
         [geography]\nprefectures = [\n  {{ code = \"530100\", industry_mix = {{ other = 1.0 }} }},\n]\ncounties = [\n"
    );
    for i in 0..counties {
        t.push_str(&format!(
            "  {{ code = \"{:06}\", name = \"c{i}\", prefecture = \"530100\", eligible_households = 100, \
             loans = 10, fund_yuan = \"{fund}\" }},\n",
            600_000 + i
        ));
    }
    t.push_str("]\n");
    t
}

#[test]
fn a_book_inside_every_fields_range_but_too_large_for_exact_fen_is_refused() {
    // 2,000 counties with the largest fund each, 20 % interest, 240 months:
    // every field is in its range, yet the funds alone would grow past the
    // engine's i64 fen (52.8-fold by interest on 2e15 yuan).
    let text = province(2000, "1000000000000", 0.2, 240);
    let err = match mcstress_scenario::from_str("large.toml", &text, None) {
        Ok(_) => panic!("a book beyond exact fen loaded"),
        Err(e) => e,
    };
    assert_eq!(err.errors.len(), 1, "{err}");
    assert_eq!(
        err.errors[0].to_string(),
        "large.toml:13:12: geography.counties: expected a book small enough for exact integer fen: the \
         province's loans plus its funds, grown by interest, top-ups and recoveries over the horizon, at most \
         1e16 yuan, found up to 2.33e18 yuan: funds of 2e15 yuan at the start, with top-ups and recoveries, \
         grown 52.8-fold by interest at 20 % a year over 240 months (2.33e18 yuan), and loans to 200,000 \
         households of up to 100,000 yuan each (2.13e13 yuan with arrears over the horizon)"
    );
    // The CLI refuses it before running: exit 2, nothing simulated.
    let d = scratch("large-book");
    let f = write(&d, "large.toml", &text);
    let (code, out, err) = cli(&["run", f.to_str().unwrap(), "--paths", "1", "--json"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("a book small enough for exact integer fen"), "{err}");
}

#[test]
fn the_same_funds_over_a_short_horizon_without_interest_fit() {
    // 2e15 yuan at the start, no interest, 12 months of restores: about
    // 6e15 yuan, below the 1e16 limit.
    let text = province(2000, "1000000000000", 0.0, 12);
    if let Err(e) = mcstress_scenario::from_str("fits.toml", &text, None) {
        panic!("a book within the limit was refused: {e}");
    }
}
