//! The catalogue: which charts each kind of result gets, and from which
//! figures.
//!
//! - `run` and `stress`: `overdue-fan` (monthly overdue rate of the
//!   province and the three most-watched counties), `fund-fan` (fund
//!   balance of the four most-watched counties), `exhaustion-survival`
//!   (`exhausted_probability` by month), `county-ranking` (each county's
//!   exhaustion probability with its Wilson interval, up to 30) and
//!   `losses` (who bears the losses);
//! - `compare`: per revision `compare` (paired differences of the
//!   province figures) and `compare-counties` (up to 20 counties the
//!   revision moves distinguishably), with `-2`, `-3`, … for the second
//!   and later revisions; `losses` of every rule set and `compare-fund`
//!   (the province's funds over time under each);
//! - `sweep`: `sweep` (lines over one field, or heat maps over two) and
//!   `losses` at every point;
//! - `breakpoint`: `breakpoint` (each county's breakpoint severity, up to
//!   30) and `breakpoint-topup` (the one-off top-ups with their
//!   intervals, up to 30);
//! - one county of `run` or `stress` (`--county`): `overdue-fan`,
//!   `fund-fan`, `survival` (the probability its fund is not yet exhausted)
//!   and `townships` (each township's peak overdue rate, up to 30), drawn
//!   by the same routines as the province's charts.

use super::super::county::{CountyView, TownshipPeak};
use super::super::inputs::{
    BreakpointIn, CompareCountyIn, CompareIn, CountyIn, Dif, Est, MonthlyIn, Results, RevisionIn, StressIn,
    SummaryIn, SweepIn, SweepPointIn,
};
use super::super::labels::{self, county_label, county_name, money_unit};
use super::super::{
    BriefingError, DataError, Lang, exhausted_paths, exhaustion_ranking_is_noise, paths_for, watched,
};
use super::{Fan, HeatPanel, Interval, Kind, LinePanel, RankingRow, StackedBar, TimeAxis};

/// Counties in `county-ranking` and `breakpoint`, at most.
const MAX_RANKED: usize = 30;

/// The exhaustion probability at or above which a run's county is
/// watched (a stress test states its own in `stress.json`), as
/// `super::super::watched` applies it.
const WATCH_PROBABILITY: f64 = 0.05;

/// Counties in `compare-counties`, at most.
const MAX_COMPARED: usize = 20;

/// The normal quantile of 97.5 %, for a 95 % interval `mean ± z se`: the
/// exact value the engine uses for its intervals (Wilson's and the paired
/// differences'), not 1.96.
const Z95: f64 = 1.959_963_984_540_054;

/// The charts that fit the results, each with its file stem.
pub(super) fn charts(results: &Results, lang: Lang) -> Result<Vec<(String, Kind)>, BriefingError> {
    Ok(match results {
        Results::Run { summary, monthly, stress } => {
            if summary.run.paths == 0 || monthly.is_empty() {
                return Err(BriefingError::Data(DataError::NoPaths));
            }
            run_charts(summary, monthly, stress.as_ref(), lang)
        }
        Results::Compare { base, base_monthly, revisions } => {
            compare_charts(base, base_monthly, revisions, lang)
        }
        Results::Sweep { sweep } => sweep_charts(sweep, lang),
        Results::Breakpoint { breakpoint } => breakpoint_charts(breakpoint, lang),
    })
}

/// The calendar months of the time axes, from the `date` column of
/// `monthly.csv` ("YYYY-MM"): a tick every 3 months over a year or less,
/// every 6 over three years or less, else every 12, at calendar months
/// that divide the year evenly (January, July, …), and the first month,
/// unless a tick follows it too closely to be read. A stress's shock
/// strikes in the first month: that month is marked.
fn time_axis(monthly: &[MonthlyIn], stress: Option<&StressIn>, lang: Lang) -> TimeAxis {
    let months: Vec<(u16, &str)> = monthly
        .iter()
        .filter(|r| r.county_id == "province" && r.figure == "overdue_rate")
        .map(|r| (r.month, r.date.as_str()))
        .collect();
    let step: u16 = match months.len() {
        0..=12 => 3,
        13..=36 => 6,
        _ => 12,
    };
    // The calendar month (1–12) of a date; a date that does not parse
    // gets no tick rather than a wrong one.
    let calendar = |d: &str| d.get(5..7).and_then(|m| m.parse::<u16>().ok()).filter(|m| (1..=12).contains(m));
    let mut ticks: Vec<(f64, String)> = Vec::new();
    for (k, &(m, d)) in months.iter().enumerate() {
        let Some(c) = calendar(d) else { continue };
        let on_step = (c - 1) % step == 0;
        let first = k == 0;
        let near_first = months.first().is_some_and(|f| m > f.0 && m - f.0 < step / 2 + 1);
        if first || (on_step && !near_first) {
            ticks.push((f64::from(m), d.to_string()));
        }
    }
    let shock = stress.and_then(|st| st.shock.as_deref()).and_then(|spec| {
        let (m, d) = months.first()?;
        Some((f64::from(*m), labels::shock_marker(lang, spec, d)))
    });
    TimeAxis { ticks, shock }
}

/// The bands of `figure` of `county` over months, divided by `scale`.
fn fan(rows: &[MonthlyIn], county: &str, figure: &str, scale: f64, label: String) -> Fan {
    let mut f = Fan { label, ..Fan::default() };
    for r in rows.iter().filter(|r| r.county_id == county && r.figure == figure) {
        let g = |x: Option<f64>| x.unwrap_or(f64::NAN) / scale;
        f.months.push(f64::from(r.month));
        f.p05.push(g(r.p05));
        f.p25.push(g(r.p25));
        f.p50.push(g(r.p50));
        f.p75.push(g(r.p75));
        f.p95.push(g(r.p95));
    }
    f
}

fn run_charts(
    s: &SummaryIn,
    monthly: &[MonthlyIn],
    stress: Option<&StressIn>,
    lang: Lang,
) -> Vec<(String, Kind)> {
    let order = watched(s, stress);
    let top: Vec<&CountyIn> = order.iter().take(4).map(|(c, _)| *c).collect();
    let mut out = Vec::new();
    let time = time_axis(monthly, stress, lang);
    // Without a stress ranking, a ranking by exhaustion that rests on a
    // few paths is noise: the counties are chosen otherwise, and the
    // titles say so.
    let noise = stress.is_none() && exhaustion_ranking_is_noise(s);
    let chosen =
        |title: String| if noise { format!("{title}{}", labels::chosen_by_overdue(lang)) } else { title };

    let mut panels = vec![fan(monthly, "province", "overdue_rate", 0.01, labels::province(lang))];
    panels
        .extend(top.iter().take(3).map(|c| fan(monthly, &c.id, "overdue_rate", 0.01, county_label(c, lang))));
    out.push((
        "overdue-fan".to_string(),
        overdue_fan(chosen(labels::overdue_fan_title(lang)), panels, &time, lang),
    ));

    let largest = top.iter().map(|c| c.fund_start_yuan).fold(0.0, f64::max);
    let (div, unit) = money_unit(lang, largest);
    let panels: Vec<Fan> = top.iter().map(|c| fund_panel(monthly, c, div, lang)).collect();
    out.push((
        "fund-fan".to_string(),
        fund_fan(chosen(labels::fund_fan_title(lang)), panels, &time, unit, lang),
    ));

    let mut series = vec![survival_series(monthly, "province", labels::survival_province(lang), false)];
    series.extend(top.iter().take(3).map(|c| survival_series(monthly, &c.id, county_label(c, lang), false)));
    out.push((
        "exhaustion-survival".to_string(),
        Kind::Survival {
            title: chosen(labels::survival_title(lang)),
            x_desc: labels::month_axis(lang),
            y_desc: labels::survival_axis(lang),
            time,
            series,
        },
    ));

    // The colour says why a county is watched: red for the probability
    // the bar shows, orange for a stress test's other thresholds (a red
    // bar of 0 % would contradict its own legend), blue for not watched.
    let threshold =
        stress.and_then(|st| st.thresholds).map_or(WATCH_PROBABILITY, |t| t.exhaustion_probability);
    let mut other_reasons: Vec<&str> = Vec::new();
    let rows: Vec<RankingRow> = order
        .iter()
        .take(MAX_RANKED)
        .map(|(c, w)| {
            let p = &c.exhaustion_probability;
            let reasons: Vec<&str> = stress
                .and_then(|st| st.counties.iter().find(|k| k.id == c.id))
                .map(|k| k.watch_reasons.iter().map(String::as_str).collect())
                .unwrap_or_default();
            // Without reasons (a run, or a stress of an earlier version),
            // the probability against its threshold says it.
            let for_probability = if reasons.is_empty() {
                p.p.0 >= threshold
            } else {
                reasons.contains(&"exhaustion_probability")
            };
            let class = match (*w, for_probability) {
                (true, true) => 0,
                (true, false) => {
                    for r in reasons {
                        if !other_reasons.contains(&r) {
                            other_reasons.push(r);
                        }
                    }
                    1
                }
                (false, _) => 2,
            };
            (county_label(c, lang), p.p.0 * 100.0, p.ci95_low.0 * 100.0, p.ci95_high.0 * 100.0, class)
        })
        .collect();
    // In the order the engine checks them.
    other_reasons.sort_by_key(|r| ["fund_cover_ratio", "peak_overdue_rate"].iter().position(|k| k == r));
    let all_zero = rows.iter().all(|r| r.1 == 0.0);
    out.push((
        "county-ranking".to_string(),
        Kind::Ranking {
            title: labels::ranking_title(lang, rows.len()),
            x_desc: labels::ranking_axis(lang),
            name_width: if lang == Lang::Zh { 190 } else { 330 },
            rows,
            legend: [
                labels::ranking_watch_probability(lang, threshold),
                labels::ranking_watch_other(lang, &other_reasons, stress.and_then(|st| st.thresholds)),
                labels::ranking_not_watched(lang),
            ],
            note: if all_zero {
                Some(labels::ranking_zero_note(lang))
            } else if exhaustion_ranking_is_noise(s) {
                let most = s.counties.iter().map(|c| exhausted_paths(c, s.run.paths)).fold(0.0, f64::max);
                Some(labels::ranking_noise_note(lang, most, paths_for(0.05, 0.01)))
            } else {
                None
            },
        },
    ));
    out.push(("losses".to_string(), losses(lang, &[(labels::this_scenario(lang), s)])));
    out
}

/// The fan chart of overdue rates, one panel per series.
fn overdue_fan(title: String, panels: Vec<Fan>, time: &TimeAxis, lang: Lang) -> Kind {
    Kind::Fans {
        title,
        x_desc: labels::month_axis(lang),
        y_desc: labels::overdue_axis(lang),
        time: time.clone(),
        panels,
        zero_line: None,
        legend: labels::band_legend(lang),
        exhausted: None,
    }
}

/// County `c`'s fund balance over months, divided by `div`, with the
/// probability that it is exhausted by then: the bands show the usual
/// months, the probability the tail that matters.
fn fund_panel(monthly: &[MonthlyIn], c: &CountyIn, div: f64, lang: Lang) -> Fan {
    let mut f = fan(monthly, &c.id, "fund_balance_yuan", div, county_label(c, lang));
    f.exhausted = monthly
        .iter()
        .filter(|r| r.county_id == c.id && r.figure == "exhausted_probability")
        .map(|r| r.mean.unwrap_or(f64::NAN) * 100.0)
        .collect();
    f
}

/// The fan chart of fund balances in `unit`, with the exhaustion line and
/// the exhaustion probability on the right-hand axis.
fn fund_fan(title: String, panels: Vec<Fan>, time: &TimeAxis, unit: &str, lang: Lang) -> Kind {
    Kind::Fans {
        title,
        x_desc: labels::month_axis(lang),
        y_desc: labels::balance_axis(lang, unit),
        time: time.clone(),
        panels,
        zero_line: Some(labels::exhaustion_line(lang)),
        legend: labels::band_legend(lang),
        exhausted: Some((labels::exhausted_axis(lang), labels::exhausted_legend(lang))),
    }
}

/// A column of a row of `monthly.csv`.
type Pick = fn(&MonthlyIn) -> Option<f64>;

/// The probability, in percent, that the fund of `id` (or some county's,
/// for "province") is exhausted by each month, with its 95 % interval; or,
/// with `surviving`, that it is not yet exhausted (100 less each, the
/// interval's ends swapped).
fn survival_series(monthly: &[MonthlyIn], id: &str, label: String, surviving: bool) -> super::SurvivalSeries {
    let rows: Vec<&MonthlyIn> =
        monthly.iter().filter(|r| r.county_id == id && r.figure == "exhausted_probability").collect();
    let g = |x: Option<f64>| {
        let p = x.unwrap_or(f64::NAN) * 100.0;
        if surviving { 100.0 - p } else { p }
    };
    // Surviving, the interval's low end is 100 less the high end of the
    // exhaustion probability's.
    let (lo, hi): (Pick, Pick) = (|r| r.p05, |r| r.p95);
    let (lo, hi) = if surviving { (hi, lo) } else { (lo, hi) };
    (
        label,
        rows.iter().map(|r| f64::from(r.month)).collect(),
        rows.iter().map(|r| g(r.mean)).collect(),
        rows.iter().map(|r| g(lo(r))).collect(),
        rows.iter().map(|r| g(hi(r))).collect(),
    )
}

/// The charts of one county (`chart DIR --county CODE`): its overdue-rate
/// fan (`overdue-fan`), its fund-balance fan with the exhaustion
/// probability (`fund-fan`), the probability its fund is not yet
/// exhausted by month (`survival`) and its townships' peak overdue rates
/// (`townships`), on the time axes of the province's charts.
pub(super) fn county_charts(k: &CountyView, lang: Lang) -> Result<Vec<(String, Kind)>, BriefingError> {
    let (s, c, monthly) = (k.summary, k.county, k.monthly);
    if s.run.paths == 0 || monthly.is_empty() {
        return Err(BriefingError::Data(DataError::NoPaths));
    }
    let name = county_label(c, lang);
    let time = time_axis(monthly, k.stress, lang);
    // The one panel's caption says what the title does not: the code and
    // the prefecture (its Chinese name only in Chinese).
    let panel = labels::county_panel(lang, &c.id, &c.prefecture);
    let overdue = vec![fan(monthly, &c.id, "overdue_rate", 0.01, panel.clone())];
    let (div, unit) = money_unit(lang, c.fund_start_yuan);
    let fund = vec![Fan { label: panel, ..fund_panel(monthly, c, div, lang) }];
    let shown: Vec<&TownshipPeak> = k.townships.iter().take(MAX_RANKED).collect();
    let rows: Vec<RankingRow> = shown
        .iter()
        .map(|t| (t.name.clone(), t.peak_p50 * 100.0, t.peak_p05 * 100.0, t.peak_p95 * 100.0, 2))
        .collect();
    Ok(vec![
        (
            "overdue-fan".to_string(),
            overdue_fan(labels::county_overdue_title(lang, &name), overdue, &time, lang),
        ),
        ("fund-fan".to_string(), fund_fan(labels::county_fund_title(lang, &name), fund, &time, unit, lang)),
        (
            "survival".to_string(),
            Kind::Survival {
                title: labels::county_survival_title(lang, &name),
                x_desc: labels::month_axis(lang),
                y_desc: labels::county_survival_axis(lang),
                series: vec![survival_series(
                    monthly,
                    &c.id,
                    labels::county_survival_series(lang, &name),
                    true,
                )],
                time,
            },
        ),
        (
            "townships".to_string(),
            Kind::Ranking {
                title: labels::townships_title(lang, &name, rows.len(), k.townships.len()),
                x_desc: labels::townships_axis(lang),
                name_width: if lang == Lang::Zh { 190 } else { 250 },
                rows,
                legend: [String::new(), String::new(), labels::townships_legend(lang)],
                note: None,
            },
        ),
    ])
}

fn losses(lang: Lang, sets: &[(String, &SummaryIn)]) -> Kind {
    let largest = sets
        .iter()
        .map(|(_, s)| {
            s.province.loss_fund_yuan.mean.0
                + s.province.loss_bank_yuan.mean.0
                + s.province.loss_uncovered_yuan.mean.0
        })
        .fold(0.0, f64::max);
    let (div, unit) = money_unit(lang, largest);
    let bars = sets
        .iter()
        .map(|(n, s)| {
            let p = &s.province;
            stacked_bar(
                lang,
                unit,
                n.clone(),
                [
                    p.loss_fund_yuan.mean.0 / div,
                    p.loss_bank_yuan.mean.0 / div,
                    p.loss_uncovered_yuan.mean.0 / div,
                ],
            )
        })
        .collect();
    stacked_losses(lang, unit, bars)
}

/// A bar of `losses` with the texts of its amounts, in `unit`.
fn stacked_bar(lang: Lang, unit: &str, label: String, values: [f64; 3]) -> StackedBar {
    StackedBar {
        label,
        values,
        texts: values.map(|v| labels::chart_amount(lang, v, unit, false)),
        total: labels::chart_amount(lang, values.iter().sum(), unit, false),
    }
}

fn stacked_losses(lang: Lang, unit: &str, bars: Vec<StackedBar>) -> Kind {
    Kind::Stacked {
        title: labels::losses_title(lang),
        y_desc: labels::loss_axis(lang, unit),
        bars,
        legend: labels::losses_legend(lang),
    }
}

/// A comparison's charts: for each revision its differences from today's
/// rules (`compare`, `compare-2`, …) and the counties it moves
/// (`compare-counties`, `compare-counties-2`, …); then every rule set side
/// by side: who bears the losses (`losses`) and the province's fund
/// balance over time (`compare-fund`, from directories that hold the
/// monthly bands).
fn compare_charts(
    base: &SummaryIn,
    base_monthly: &[MonthlyIn],
    revisions: &[RevisionIn],
    lang: Lang,
) -> Vec<(String, Kind)> {
    let mut out = Vec::new();
    for (k, r) in revisions.iter().enumerate() {
        let suffix = if k == 0 { String::new() } else { format!("-{}", k + 1) };
        out.push((format!("compare{suffix}"), compare_figures(&r.compare, lang)));
        out.push((format!("compare-counties{suffix}"), compare_counties(&r.compare, lang)));
    }
    let Some(first) = revisions.first() else { return out };
    let base_label = labels::todays_rules(lang, &first.compare.base.title(lang));
    let mut sets: Vec<(String, &SummaryIn, &[MonthlyIn])> = vec![(base_label, base, base_monthly)];
    sets.extend(revisions.iter().map(|r| (r.compare.revision.title(lang), &r.summary, r.monthly.as_slice())));
    let bars: Vec<(String, &SummaryIn)> = sets.iter().map(|(l, s, _)| (l.clone(), *s)).collect();
    out.push(("losses".to_string(), losses(lang, &bars)));
    if sets.iter().all(|(_, _, m)| !m.is_empty()) {
        // The province's funds under each rule set, on one scale, with the
        // probability that some fund has run out by then.
        let largest = base.province.fund_start_yuan.max(
            sets.iter()
                .flat_map(|(_, _, m)| *m)
                .filter(|r| r.county_id == "province" && r.figure == "fund_balance_yuan")
                .filter_map(|r| r.p95)
                .fold(0.0, f64::max),
        );
        let (div, unit) = money_unit(lang, largest);
        let panels: Vec<Fan> = sets
            .iter()
            .take(MAX_FUND_PANELS)
            .map(|(label, _, m)| {
                let mut f = fan(m, "province", "fund_balance_yuan", div, label.clone());
                f.exhausted = m
                    .iter()
                    .filter(|r| r.county_id == "province" && r.figure == "exhausted_probability")
                    .map(|r| r.mean.unwrap_or(f64::NAN) * 100.0)
                    .collect();
                f
            })
            .collect();
        out.push((
            "compare-fund".to_string(),
            Kind::Fans {
                title: labels::compare_fund_title(lang, sets.len().min(MAX_FUND_PANELS), sets.len()),
                x_desc: labels::month_axis(lang),
                y_desc: labels::balance_axis(lang, unit),
                time: time_axis(base_monthly, None, lang),
                panels,
                zero_line: Some(labels::exhaustion_line(lang)),
                legend: labels::band_legend(lang),
                exhausted: Some((labels::exhausted_axis(lang), labels::exhausted_any_legend(lang))),
            },
        ));
    }
    out
}

/// Rule sets in `compare-fund`, at most: four panels still read.
const MAX_FUND_PANELS: usize = 4;

/// A revision's paired differences from today's rules in the province
/// figures.
fn compare_figures(c: &CompareIn, lang: Lang) -> Kind {
    let get = |k: &str| c.province.get(k).copied().unwrap_or_default();
    // Probabilities and rates: the difference in percentage points.
    let pp = |key: &str| {
        let d: Dif = get(key);
        (
            labels::compare_figure(lang, key),
            d.diff.0 * 100.0,
            d.ci95_low.0 * 100.0,
            d.ci95_high.0 * 100.0,
            String::new(),
        )
    };
    // Amounts: the difference relative to today's rules, in percent,
    // with the difference itself beside it (a large share of a small
    // amount is not a large amount).
    let rel = |key: &str| {
        let d: Dif = get(key);
        let b = d.base.0.abs().max(1e-12);
        let (div, unit) = money_unit(lang, d.diff.0);
        (
            labels::compare_figure(lang, key),
            d.diff.0 / b * 100.0,
            d.ci95_low.0 / b * 100.0,
            d.ci95_high.0 / b * 100.0,
            labels::chart_amount(lang, d.diff.0 / div, unit, true),
        )
    };
    let rates = ["exhaustion_probability", "peak_overdue_rate", "final_overdue_rate"].map(pp).to_vec();
    let money = ["loss_fund_yuan", "loss_bank_yuan", "claims_paid_yuan", "disbursed_yuan", "fund_end_yuan"]
        .map(rel)
        .to_vec();
    Kind::Intervals {
        title: labels::compare_title(lang, &c.revision.title(lang), &c.base.title(lang)),
        x_desc: None,
        panels: vec![(labels::compare_rates_panel(lang), rates), (labels::compare_money_panel(lang), money)],
        legend: Some(labels::difference_legend(lang)),
    }
}

/// Whether a paired difference's 95 % interval excludes no change.
fn distinguishable(d: &Dif) -> bool {
    d.ci95_low.0 > 0.0 || d.ci95_high.0 < 0.0
}

/// The counties the revision moves: those whose exhaustion probability
/// moves distinguishably, largest change first; when none does (few
/// exhausted paths make that common), the fund loss instead, whose paired
/// difference rests on every path, not on rare exhaustions — a ranking of
/// indistinguishable changes would be noise.
fn compare_counties(c: &CompareIn, lang: Lang) -> Kind {
    let mut moved: Vec<_> =
        c.counties.iter().filter(|k| distinguishable(&k.exhaustion_probability)).collect();
    let (rev, base) = (c.revision.title(lang), c.base.title(lang));
    let by_size = |a: &&CompareCountyIn, b: &&CompareCountyIn, d: fn(&CompareCountyIn) -> &Dif| {
        d(b).diff.0.abs().total_cmp(&d(a).diff.0.abs()).then(a.id.cmp(&b.id))
    };
    if !moved.is_empty() {
        moved.sort_by(|a, b| by_size(a, b, |k| &k.exhaustion_probability));
        let rows = moved
            .iter()
            .take(MAX_COMPARED)
            .map(|k| {
                let d = &k.exhaustion_probability;
                (
                    county_name(&k.name, &k.name_en, lang),
                    d.diff.0 * 100.0,
                    d.ci95_low.0 * 100.0,
                    d.ci95_high.0 * 100.0,
                    String::new(),
                )
            })
            .collect();
        return Kind::Intervals {
            title: labels::compare_counties_title(lang, &rev, &base),
            panels: vec![(labels::compare_counties_panel(lang), rows)],
            x_desc: None,
            legend: Some(labels::difference_legend(lang)),
        };
    }
    let mut all: Vec<_> = c.counties.iter().collect();
    all.sort_by(|a, b| by_size(a, b, |k| &k.loss_fund_yuan));
    let shown: Vec<_> = all.into_iter().take(MAX_COMPARED).collect();
    let largest = shown
        .iter()
        .map(|k| k.loss_fund_yuan.ci95_low.0.abs().max(k.loss_fund_yuan.ci95_high.0.abs()))
        .fold(0.0, f64::max);
    let (div, unit) = money_unit(lang, largest);
    let rows = shown
        .iter()
        .map(|k| {
            let d = &k.loss_fund_yuan;
            (
                county_name(&k.name, &k.name_en, lang),
                d.diff.0 / div,
                d.ci95_low.0 / div,
                d.ci95_high.0 / div,
                String::new(),
            )
        })
        .collect();
    Kind::Intervals {
        title: labels::compare_counties_loss_title(lang, &rev, &base),
        panels: vec![(labels::compare_counties_loss_panel(lang, unit), rows)],
        x_desc: None,
        legend: Some(labels::difference_legend(lang)),
    }
}

/// The last part of a field's dotted path.
fn sweep_charts(s: &SweepIn, lang: Lang) -> Vec<(String, Kind)> {
    let largest = s
        .points
        .iter()
        .map(|p| p.province.loss_fund_yuan.p95.0.max(p.province.loss_bank_yuan.p95.0))
        .fold(0.0, f64::max);
    let (div, unit) = money_unit(lang, largest);
    let mut out = Vec::new();
    let fields: Vec<String> = s.fields.clone();
    let value = |p: &SweepPointIn, f: &str| p.values.get(f).copied().unwrap_or(f64::NAN);
    if s.fields.len() == 1 {
        let f = &fields[0];
        let x: Vec<f64> = s.points.iter().map(|p| value(p, f)).collect();
        let ci = |e: &Est| (e.mean.0 / div, (e.mean.0 - Z95 * e.se.0) / div, (e.mean.0 + Z95 * e.se.0) / div);
        let series = |label: String, g: &dyn Fn(&SweepPointIn) -> (f64, f64, f64)| {
            let v: Vec<(f64, f64, f64)> = s.points.iter().map(g).collect();
            (
                label,
                v.iter().map(|t| t.0).collect(),
                v.iter().map(|t| t.1).collect(),
                v.iter().map(|t| t.2).collect(),
            )
        };
        let money = LinePanel {
            y_desc: labels::sweep_loss_axis(lang, unit),
            x: x.clone(),
            series: vec![
                series(labels::sweep_fund_loss(lang), &|p| ci(&p.province.loss_fund_yuan)),
                series(labels::sweep_bank_loss(lang), &|p| ci(&p.province.loss_bank_yuan)),
            ],
        };
        let prob = LinePanel {
            y_desc: labels::sweep_probability_axis(lang),
            x,
            series: vec![series(labels::sweep_probability(lang), &|p| {
                let e = &p.province.exhaustion_probability;
                (e.p.0 * 100.0, e.ci95_low.0 * 100.0, e.ci95_high.0 * 100.0)
            })],
        };
        out.push((
            "sweep".to_string(),
            Kind::Lines {
                title: labels::sweep_title(lang, &labels::field_name(f, lang)),
                x_desc: labels::field_name(f, lang),
                panels: vec![money, prob],
            },
        ));
    } else if s.fields.len() == 2 {
        let xs: Vec<f64> = s.points.iter().step_by(s.shape[1].max(1)).map(|p| value(p, &fields[0])).collect();
        let ys: Vec<f64> = s.points.iter().take(s.shape[1]).map(|p| value(p, &fields[1])).collect();
        let loss: Vec<f64> = s.points.iter().map(|p| p.province.loss_fund_yuan.mean.0 / div).collect();
        let prob: Vec<f64> = s.points.iter().map(|p| p.province.exhaustion_probability.p.0 * 100.0).collect();
        out.push((
            "sweep".to_string(),
            Kind::Heat {
                title: labels::sweep2_title(lang),
                x_desc: labels::field_name(&fields[0], lang),
                y_desc: labels::field_name(&fields[1], lang),
                panels: vec![
                    HeatPanel {
                        title: labels::sweep2_loss(lang, unit),
                        xs: xs.clone(),
                        ys: ys.clone(),
                        values: loss,
                        format: |v| format!("{v:.2}"),
                    },
                    HeatPanel {
                        title: labels::sweep2_probability(lang),
                        xs,
                        ys,
                        values: prob,
                        format: |v| format!("{v:.1}"),
                    },
                ],
            },
        ));
    }
    let bars = s
        .points
        .iter()
        .map(|p| {
            let label = fields.iter().map(|f| format!("{}", value(p, f))).collect::<Vec<_>>().join(" × ");
            let q = &p.province;
            stacked_bar(
                lang,
                unit,
                label,
                [
                    q.loss_fund_yuan.mean.0 / div,
                    q.loss_bank_yuan.mean.0 / div,
                    q.loss_uncovered_yuan.mean.0 / div,
                ],
            )
        })
        .collect();
    out.push(("losses".to_string(), stacked_losses(lang, unit, bars)));
    out
}

fn breakpoint_charts(b: &BreakpointIn, lang: Lang) -> Vec<(String, Kind)> {
    let top = b.severities.last().copied().unwrap_or(0.0);
    let rows: Vec<Interval> = b
        .counties
        .iter()
        .filter_map(|c| {
            let s = c.severity?;
            let name = county_name(&c.name, &c.name_en, lang);
            Some((name, s, c.severity_low.unwrap_or(0.0), c.severity_high.unwrap_or(top), String::new()))
        })
        .take(MAX_RANKED)
        .collect();
    vec![
        (
            "breakpoint".to_string(),
            Kind::Intervals {
                title: labels::breakpoint_title(lang, &b.shock, b.target, rows.len()),
                panels: vec![(labels::breakpoint_panel(lang), rows)],
                x_desc: Some(labels::breakpoint_axis(lang)),
                legend: None,
            },
        ),
        ("breakpoint-topup".to_string(), topups(b, lang)),
    ]
}

/// The counties that need a one-off top-up at the top-up severity, largest
/// first, with the top-up in 万元 or 亿元 and its 95 % interval; an interval
/// whose upper end the paths cannot tell runs to the right edge.
fn topups(b: &BreakpointIn, lang: Lang) -> Kind {
    let mut needy: Vec<_> = b.counties.iter().filter(|c| c.min_topup_yuan.is_some_and(|t| t > 0.0)).collect();
    needy.sort_by(|x, y| {
        let t = |c: &&super::super::inputs::BreakpointCountyIn| c.min_topup_yuan.unwrap_or(0.0);
        t(y).total_cmp(&t(x)).then(x.id.cmp(&y.id))
    });
    needy.truncate(MAX_RANKED);
    let largest =
        needy.iter().flat_map(|c| [c.min_topup_yuan, c.min_topup_high_yuan]).flatten().fold(0.0, f64::max);
    let (div, unit) = money_unit(lang, largest);
    // The open end: a little beyond every finite value drawn.
    let edge = largest / div * 1.15;
    let open = needy.iter().any(|c| c.min_topup_high_yuan.is_none());
    let rows: Vec<Interval> = needy
        .iter()
        .map(|c| {
            let t = c.min_topup_yuan.unwrap_or(0.0) / div;
            (
                county_name(&c.name, &c.name_en, lang),
                t,
                c.min_topup_low_yuan.map_or(t, |v| v / div),
                c.min_topup_high_yuan.map_or(edge, |v| v / div),
                String::new(),
            )
        })
        .collect();
    Kind::Intervals {
        title: labels::topup_title(
            lang,
            &b.shock,
            b.topup_severity,
            b.target,
            rows.len(),
            b.counties.iter().filter(|c| c.min_topup_yuan.is_none()).count(),
        ),
        panels: vec![(labels::topup_panel(lang, open), rows)],
        x_desc: Some(labels::topup_axis(lang, unit)),
        legend: None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::super::inputs::{NameIn, Num, Prob, SweepFiguresIn};
    use super::*;

    fn est(mean: f64, se: f64) -> Est {
        Est { mean: Num(mean), se: Num(se), p05: Num(mean), p50: Num(mean), p95: Num(mean) }
    }

    /// A one-field sweep whose funds lose `mean` ± `se` yuan at each point.
    fn sweep(points: &[(f64, f64, f64)]) -> SweepIn {
        SweepIn {
            scenario: NameIn {
                name: "test".into(),
                title_zh: None,
                title_en: None,
                variant: None,
                sha256: String::new(),
            },
            fields: vec!["rules.compensation.fund_share".into()],
            shape: vec![points.len()],
            paths: 10,
            seed: 1,
            points: points
                .iter()
                .map(|&(x, mean, se)| SweepPointIn {
                    values: BTreeMap::from([("rules.compensation.fund_share".to_string(), x)]),
                    province: SweepFiguresIn {
                        exhaustion_probability: Prob::default(),
                        peak_overdue_rate: est(0.1, 0.01),
                        loss_fund_yuan: est(mean, se),
                        loss_bank_yuan: est(mean / 2.0, se / 2.0),
                        loss_uncovered_yuan: est(0.0, 0.0),
                    },
                    counties: Vec::new(),
                })
                .collect(),
        }
    }

    /// A run of the embedded default cut to 4 months and 3 paths, read back
    /// from the files the CLI writes; with those files' texts.
    fn run_read_back() -> (Results, String, String) {
        let mut s = mcstress_scenario::embedded_default(None).unwrap().scenario;
        s.horizon_months = 4;
        let m = mcstress_engine::Model::prepare(&s);
        let cfg = mcstress_engine::RunConfig { paths: 3, seed: 7, threads: 1 };
        let run = mcstress_engine::run_paths(&m, cfg, mcstress_engine::Keep::MonthlyBands, None).unwrap();
        let summary = mcstress_engine::summarize(&m, cfg.seed, run.figures());
        let ids: Vec<String> = summary.counties.iter().map(|c| c.id.clone()).collect();
        let mut monthly = Vec::new();
        crate::write_monthly_csv(&mut monthly, &mcstress_engine::monthly_rows(&m, &run).unwrap(), &ids)
            .unwrap();
        let mut counties = Vec::new();
        crate::write_counties_csv(&mut counties, &summary).unwrap();
        let (monthly, counties) = (String::from_utf8(monthly).unwrap(), String::from_utf8(counties).unwrap());
        let summary_text = crate::summary_json(&summary).unwrap();
        let meta = Results::meta(&format!(
            "{{\"command\": \"run\", \"scenario\": \"{}\", \"scenario_sha256\": \"{}\", \"variant\": null, \
             \"seed\": 7, \"paths\": 3, \"horizon_months\": 4}}",
            s.name, s.sha256
        ))
        .unwrap();
        let files = [
            ("summary.json", summary_text),
            ("monthly.csv", monthly.clone()),
            ("counties.csv", counties.clone()),
        ];
        let results =
            Results::read(&meta, |name| files.iter().find(|(n, _)| *n == name).map(|(_, t)| t.clone()))
                .unwrap();
        (results, monthly, counties)
    }

    /// Column `col` of the rows of a CSV text where `key` matches, as
    /// numbers (empty cells as NaN), read with the csv crate alone.
    fn column(text: &str, key: &[(&str, &str)], col: &str) -> Vec<f64> {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let h = r.headers().unwrap().clone();
        let at = |name: &str| h.iter().position(|x| x == name).unwrap();
        r.records()
            .map(|x| x.unwrap())
            .filter(|x| key.iter().all(|(k, v)| &x[at(k)] == *v))
            .map(|x| x[at(col)].parse().unwrap_or(f64::NAN))
            .collect()
    }

    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| (x.is_nan() && y.is_nan()) || (x - y).abs() <= 1e-12 * y.abs().max(1.0))
    }

    #[test]
    fn each_run_chart_plots_the_figures_of_monthly_csv_and_counties_csv() {
        let (results, monthly, counties) = run_read_back();
        // The charts start at the first simulated month: month 0, the
        // starting state, is in monthly.csv but not on the time axes.
        let monthly: String =
            monthly.lines().filter(|l| !l.starts_with("0,")).map(|l| format!("{l}\n")).collect();
        assert!(monthly.lines().count() > 1);
        let Results::Run { summary, .. } = &results else { panic!("a run") };
        let charts = charts(&results, Lang::En).unwrap();
        let get =
            |name: &str| &charts.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no {name}")).1;
        // The overdue fan: the province and the watched counties, in percent.
        let Kind::Fans { panels, .. } = get("overdue-fan") else { panic!("overdue-fan is a fan") };
        let ids: Vec<String> = std::iter::once("province".to_string())
            .chain(watched(summary, None).iter().take(3).map(|(c, _)| c.id.clone()))
            .collect();
        assert_eq!(panels.len(), ids.len());
        for (panel, id) in panels.iter().zip(&ids) {
            let key = [("county_id", id.as_str()), ("figure", "overdue_rate")];
            for (series, col) in [(&panel.p05, "p05"), (&panel.p50, "p50"), (&panel.p95, "p95")] {
                let want: Vec<f64> = column(&monthly, &key, col).iter().map(|x| x * 100.0).collect();
                assert!(same(series, &want), "overdue fan {id} {col}: {series:?} against {want:?}");
            }
            assert_eq!(panel.months, column(&monthly, &key, "month"));
        }
        // The ranking: each county's exhaustion probability, in percent.
        // Rows follow the watch order (two counties share an English name,
        // so they are matched by position, not by label).
        let Kind::Ranking { rows, .. } = get("county-ranking") else { panic!("county-ranking ranks") };
        let order = watched(summary, None);
        assert!(!rows.is_empty() && rows.len() <= order.len());
        for ((name, p, ..), (c, _)) in rows.iter().zip(&order) {
            assert!(name.contains(&c.name_en), "{name} against {}", c.name_en);
            let want = column(&counties, &[("id", c.id.as_str())], "exhaustion_probability");
            assert_eq!(want.len(), 1, "{} in counties.csv", c.id);
            assert!((p - want[0] * 100.0).abs() < 1e-9, "{name}: {p} against {}", want[0] * 100.0);
        }
    }

    /// Item 5 of the briefing issue: a bar is red only when its county is
    /// watched for the probability the bar shows, orange when a stress
    /// test watches it for a reason the legend names, blue otherwise.
    #[test]
    fn the_ranking_is_coloured_by_the_reason_its_legend_gives() {
        use super::super::super::inputs::{StressCountyIn, ThresholdsIn};
        let (results, _, _) = run_read_back();
        let Results::Run { summary, monthly, .. } = results else { panic!("a run") };
        // Of the first three counties, one is watched for its fund cover,
        // one for its exhaustion probability, one not at all.
        let reasons = [vec!["fund_cover_ratio"], vec!["exhaustion_probability"], vec![]];
        let stress = StressIn {
            shock: None,
            thresholds: Some(ThresholdsIn {
                exhaustion_probability: 0.05,
                fund_cover_ratio: 1.5,
                peak_overdue_rate: 0.05,
            }),
            counties: summary
                .counties
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let why: Vec<String> =
                        reasons.get(i).map_or(Vec::new(), |r| r.iter().map(|x| x.to_string()).collect());
                    StressCountyIn {
                        rank: i + 1,
                        id: c.id.clone(),
                        watch: !why.is_empty(),
                        watch_reasons: why,
                        fund_cover_ratio: None,
                        expected_claims_yuan: None,
                        worst_townships: Vec::new(),
                    }
                })
                .collect(),
        };
        let order: Vec<String> = watched(&summary, Some(&stress)).iter().map(|(c, _)| c.id.clone()).collect();
        let charts = run_charts(&summary, &monthly, Some(&stress), Lang::En);
        let Some((_, Kind::Ranking { rows, legend, .. })) =
            charts.iter().find(|(n, _)| n == "county-ranking")
        else {
            panic!("no ranking")
        };
        for (row, id) in rows.iter().zip(&order) {
            let i = summary.counties.iter().position(|c| &c.id == id).unwrap();
            let want = match i {
                0 => 1,
                1 => 0,
                _ => 2,
            };
            assert_eq!(row.4, want, "{id} ({}): class {}", row.0, row.4);
        }
        assert!(legend[1].contains("fund under 1.5 × expected claims"), "{}", legend[1]);
        assert!(!legend[1].contains("peak overdue"), "only reasons shown are named: {}", legend[1]);
    }

    #[test]
    fn the_sweep_bands_are_the_mean_plus_minus_the_engines_exact_normal_quantile() {
        let z = mcstress_engine::normal::inv_phi(0.975);
        assert!((Z95 - z).abs() < 1e-14, "{Z95} against {z}");
        let s = sweep(&[(0.5, 3e6, 1e6), (0.7, 2e6, 5e5)]);
        let charts = sweep_charts(&s, Lang::En);
        let Some((_, Kind::Lines { panels, .. })) = charts.iter().find(|(n, _)| n == "sweep") else {
            panic!("no sweep lines")
        };
        // Money in million yuan: 3e6 ± z × 1e6 yuan is 3 ± z million.
        let (_, mean, low, high) = &panels[0].series[0];
        assert_eq!(mean, &vec![3.0, 2.0]);
        for (k, se) in [1.0, 0.5].into_iter().enumerate() {
            assert!((low[k] - (mean[k] - z * se)).abs() < 1e-12, "{} against {}", low[k], mean[k] - z * se);
            assert!((high[k] - (mean[k] + z * se)).abs() < 1e-12, "{} against {}", high[k], mean[k] + z * se);
            // 1.96 would be off by 4e-5 × se, far above the tolerance.
            assert!((high[k] - (mean[k] + 1.96 * se)).abs() > 1e-6);
        }
    }
}
