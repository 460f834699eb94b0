//! `[shocks]`: industry prices, stochastic disasters and scripted events.

use std::collections::BTreeSet;

use mcstress_domain::{Industry, YearMonth};

use super::{INDUSTRY_KEYS, county_list, items, probs, share, sim_month};
use crate::model::*;
use crate::read::{Cx, Tab};

pub(super) fn read(
    cx: &mut Cx<'_>,
    top: &mut Tab<'_>,
    counties: &[County],
    prefs: &[Prefecture],
    start: YearMonth,
    horizon: u16,
) -> Shocks {
    let mut t = cx.table(top, "shocks");
    let declared_multiplier = cx.float(&mut t, "declared_multiplier", 4.0, 1.0, 1e6);
    let prices = prices(cx, &mut t);
    let disasters = disasters(cx, &mut t);
    let events = events(cx, &mut t, &disasters, counties, prefs, start, horizon);
    let insurance = insurance(cx, &mut t);
    let relief_grant_share = cx.float(&mut t, "relief_grant_share", RELIEF_GRANT_SHARE, 0.0, 1.0);
    cx.close(t);
    Shocks { prices, disasters, events, declared_multiplier, insurance, relief_grant_share }
}

/// Share of a declared disaster's impact that relief grants replace
/// (assumption: docs/calibration.md).
const RELIEF_GRANT_SHARE: f64 = 0.15;

/// `[shocks.insurance]`.
fn insurance(cx: &mut Cx<'_>, shocks: &mut Tab<'_>) -> Insurance {
    let mut it = cx.table(shocks, "insurance");
    let t = &mut it;
    let take_up = probs(cx, t, "take_up", &INDUSTRY_KEYS, INSURANCE_TAKE_UP, 1.0);
    let indemnity_share = cx.float(t, "indemnity_share", INDEMNITY_SHARE, 0.0, 1.0);
    cx.close(it);
    Insurance { take_up, indemnity_share }
}

/// Share of households insured by industry (cattle, pigs, tea, coffee,
/// walnut, tobacco, fruit_veg, migrant_wages, other), and the share of a
/// disaster's income loss an indemnity replaces (assumptions:
/// docs/calibration.md).
const INSURANCE_TAKE_UP: [f64; Industry::COUNT] = [0.5, 0.6, 0.3, 0.3, 0.3, 0.9, 0.2, 0.0, 0.2];
const INDEMNITY_SHARE: f64 = 0.3;

/// `[shocks.prices.<industry>]`, in the order of [`Industry::ALL`].
fn prices(cx: &mut Cx<'_>, shocks: &mut Tab<'_>) -> Vec<PriceProcess> {
    let mut pt = cx.table(shocks, "prices");
    let mut prices = Vec::new();
    for ind in Industry::ALL {
        let mut it = cx.table(&mut pt, ind.key());
        let d = default_price(ind);
        let t = &mut it;
        prices.push(PriceProcess {
            volatility: cx.float(t, "volatility", d.volatility, 0.0, 1.0),
            mean_reversion: cx.float(t, "mean_reversion", d.mean_reversion, 0.0, 1.0),
            jump_probability: cx.float(t, "jump_probability", d.jump_probability, 0.0, 1.0),
            jump_mean: cx.float(t, "jump_mean", d.jump_mean, -3.0, 3.0),
            jump_sd: cx.float(t, "jump_sd", d.jump_sd, 0.0, 3.0),
            sensitivity: cx.float(t, "sensitivity", d.sensitivity, 0.0, 10.0),
        });
        cx.close(it);
    }
    cx.close(pt);
    prices
}

/// `[shocks.disasters.<kind>]`, in the order of [`DisasterKind::ALL`].
fn disasters(cx: &mut Cx<'_>, shocks: &mut Tab<'_>) -> Vec<Disaster> {
    let mut dt = cx.table(shocks, "disasters");
    let mut disasters = Vec::new();
    for kind in DisasterKind::ALL {
        let mut kt = cx.table(&mut dt, kind.key());
        let d = default_disaster(kind);
        let t = &mut kt;
        let annual_probability = cx.float(t, "annual_probability", d.annual_probability, 0.0, 1.0);
        let mut months = d.months;
        let mp = t.field("months");
        if let Some(items) = cx.array(t, "months") {
            let mut m = [false; 12];
            for (i, item) in items.iter().enumerate() {
                let x = cx.int_node(item, &format!("{mp}[{i}]"), 1, 1, 12);
                m[(x - 1) as usize] = true;
            }
            months = m;
        }
        let county_share = cx.share(t, "county_share", d.county_share);
        let distress_multiplier = cx.float(t, "distress_multiplier", d.distress_multiplier, 1.0, 100.0);
        let persistence = cx.float(t, "persistence", d.persistence, 0.0, 0.999);
        let exposure = probs(cx, t, "exposure", &INDUSTRY_KEYS, d.exposure, 1.0);
        let moratorium_months = cx.int(t, "moratorium_months", d.moratorium_months.into(), 0, 60) as u16;
        let township_share = cx.share(t, "township_share", d.township_share);
        disasters.push(Disaster {
            kind,
            annual_probability,
            months,
            county_share,
            distress_multiplier,
            persistence,
            exposure,
            moratorium_months,
            township_share,
        });
        cx.close(kt);
    }
    cx.close(dt);
    disasters
}

/// `shocks.events`: scripted disasters and price moves.
fn events(
    cx: &mut Cx<'_>,
    shocks: &mut Tab<'_>,
    disasters: &[Disaster],
    counties: &[County],
    prefs: &[Prefecture],
    start: YearMonth,
    horizon: u16,
) -> Vec<Event> {
    let mut event_kinds: Vec<&'static str> = DisasterKind::ALL.iter().map(|k| k.key()).collect();
    event_kinds.push("price");
    let read = items(cx, shocks, "events", |cx, t, _| {
        let kind_word = cx.choice(t, "kind", "drought", &event_kinds);
        cx.require(t, "kind", format!("one of {}", event_kinds.join(", ")));
        let month = sim_month(cx, t, start, horizon);
        let mut hit: BTreeSet<usize> = county_list(cx, t, "counties", counties).into_iter().collect();
        let pp = t.field("prefectures");
        for (code, node) in cx.strings(t, "prefectures") {
            match prefs.iter().position(|x| format!("{:06}", x.code) == code) {
                Some(px) => hit.extend(
                    counties.iter().enumerate().filter(|(_, c)| c.prefecture == px).map(|(ix, _)| ix),
                ),
                None => cx.error(
                    &node,
                    &pp,
                    "codes of prefectures listed in `geography.prefectures`",
                    node.describe(),
                ),
            }
        }
        let severity = cx.float(t, "severity", 1.0, 0.0, 100.0);
        // Each kind of event has its own fields: anything else is an error.
        let foreign: &[&str] = if kind_word == "price" {
            &["counties", "prefectures", "severity", "moratorium_months", "township_share", "townships"]
        } else {
            &["industry", "price_change"]
        };
        for f in foreign {
            if let Some(node) = cx.get(t, f) {
                let why = if kind_word == "price" {
                    "no `counties`, `prefectures`, `severity`, `moratorium_months`, `township_share` or `townships` on a price event (it moves one industry's price province-wide: give `industry` and `price_change`)"
                } else {
                    "no `industry` or `price_change` on a disaster event (it hits `counties` or `prefectures` with a `severity`)"
                };
                let p = t.field(f);
                cx.error(node, &p, why, format!("`{f}` = {}", node.describe()));
            }
        }
        let kind = if kind_word == "price" {
            let ind_word = cx.choice(t, "industry", "cattle", &INDUSTRY_KEYS);
            cx.require(t, "industry", "the industry whose price moves");
            cx.require(t, "price_change", "the relative price change, e.g. -0.24");
            EventKind::Price(Industry::from_key(ind_word).unwrap_or(Industry::Other))
        } else {
            let k =
                DisasterKind::ALL.into_iter().find(|k| k.key() == kind_word).unwrap_or(DisasterKind::Drought);
            EventKind::Disaster(k)
        };
        let price_change = cx.float(t, "price_change", 0.0, -0.95, 5.0);
        // A scripted disaster is a declared one: its moratorium defaults to
        // its kind's.
        let kind_months = match kind {
            EventKind::Disaster(k) => {
                disasters.iter().find(|d| d.kind == k).map_or(0, |d| d.moratorium_months)
            }
            EventKind::Price(_) => 0,
        };
        let moratorium_months = cx.int(t, "moratorium_months", kind_months.into(), 0, 60) as u16;
        // The footprint: named townships, or a share of each county's (its
        // kind's by default).
        let kind_share = match kind {
            EventKind::Disaster(k) => {
                disasters.iter().find(|d| d.kind == k).map_or(share(1.0), |d| d.township_share)
            }
            EventKind::Price(_) => share(1.0),
        };
        let tp = t.field("townships");
        let townships: Vec<TownshipRef> = cx
            .strings(t, "townships")
            .into_iter()
            .enumerate()
            .map(|(i, (name, node))| TownshipRef {
                at: cx.located(&node, &format!("{tp}[{i}]"), "", ""),
                name,
                county: usize::MAX,
                index: usize::MAX,
            })
            .collect();
        if !townships.is_empty()
            && let Some(node) = cx.get(t, "township_share")
        {
            let p = t.field("township_share");
            cx.error(
                node,
                &p,
                "either `townships` (the footprint by name) or `township_share` (a share drawn at random), not both",
                format!("`township_share` = {}", node.describe()),
            );
        }
        let township_share = cx.share(t, "township_share", kind_share);
        Event {
            kind,
            month,
            counties: hit.into_iter().collect(),
            severity,
            price_change,
            moratorium_months,
            township_share,
            townships,
            declared: true,
        }
    });
    read.unwrap_or_default()
}

fn default_price(ind: Industry) -> PriceProcess {
    // (volatility, mean reversion, jump probability, jump mean, jump sd, sensitivity)
    let (v, m, jp, jm, js, s) = match ind {
        Industry::Cattle => (0.03, 0.03, 0.01, -0.10, 0.05, 1.5),
        Industry::Pigs => (0.06, 0.05, 0.02, -0.15, 0.10, 1.2),
        Industry::Tea => (0.03, 0.05, 0.01, -0.10, 0.05, 1.0),
        Industry::Coffee => (0.06, 0.02, 0.01, -0.20, 0.10, 1.0),
        Industry::Walnut => (0.04, 0.03, 0.01, -0.15, 0.05, 1.0),
        Industry::Tobacco => (0.01, 0.10, 0.0, 0.0, 0.0, 0.5),
        Industry::FruitVeg => (0.05, 0.08, 0.01, -0.15, 0.10, 0.8),
        Industry::MigrantWages => (0.01, 0.05, 0.005, -0.10, 0.05, 1.5),
        Industry::Other => (0.02, 0.05, 0.0, 0.0, 0.0, 0.5),
    };
    PriceProcess {
        volatility: v,
        mean_reversion: m,
        jump_probability: jp,
        jump_mean: jm,
        jump_sd: js,
        sensitivity: s,
    }
}

/// Months of repayment moratorium of a declared disaster of any kind: the
/// 2020 COVID deferral (at most 6 months, calibration sources § 3), the
/// one precedent found; for disasters an assumption.
const MORATORIUM_MONTHS: u16 = 6;

fn default_disaster(kind: DisasterKind) -> Disaster {
    let months = |list: &[usize]| {
        let mut m = [false; 12];
        for &x in list {
            m[x - 1] = true;
        }
        m
    };
    // Exposure by industry: cattle, pigs, tea, coffee, walnut, tobacco, fruit_veg, migrant_wages, other.
    match kind {
        DisasterKind::Drought => Disaster {
            kind,
            annual_probability: 0.12,
            months: months(&[11, 12, 1, 2, 3, 4, 5]),
            county_share: share(0.6),
            distress_multiplier: 2.5,
            persistence: 0.85,
            exposure: [0.3, 0.2, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.2],
            moratorium_months: MORATORIUM_MONTHS,
            township_share: share(0.8),
        },
        DisasterKind::Flood => Disaster {
            kind,
            annual_probability: 0.25,
            months: months(&[6, 7, 8, 9]),
            county_share: share(0.2),
            distress_multiplier: 2.0,
            persistence: 0.7,
            exposure: [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.2, 0.8],
            moratorium_months: MORATORIUM_MONTHS,
            township_share: share(0.2),
        },
        DisasterKind::Frost => Disaster {
            kind,
            annual_probability: 0.08,
            months: months(&[12, 1, 2]),
            county_share: share(0.4),
            distress_multiplier: 2.0,
            persistence: 0.8,
            exposure: [0.0, 0.0, 1.0, 1.0, 0.3, 0.3, 0.5, 0.0, 0.0],
            moratorium_months: MORATORIUM_MONTHS,
            township_share: share(0.5),
        },
        DisasterKind::Earthquake => Disaster {
            kind,
            annual_probability: 0.02,
            months: [true; 12],
            county_share: share(0.1),
            distress_multiplier: 5.0,
            persistence: 0.92,
            // A local earthquake does not stop wages earned elsewhere: the
            // household's own losses at home remain (as for a flood).
            exposure: [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.2, 1.0],
            moratorium_months: MORATORIUM_MONTHS,
            township_share: share(0.3),
        },
        DisasterKind::LivestockDisease => Disaster {
            kind,
            annual_probability: 0.06,
            months: [true; 12],
            county_share: share(0.5),
            distress_multiplier: 2.5,
            persistence: 0.8,
            exposure: [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            moratorium_months: MORATORIUM_MONTHS,
            township_share: share(0.3),
        },
    }
}
