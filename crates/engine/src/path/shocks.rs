//! Stage 1 of the month: the shocks. The province, prefecture and county
//! factors move (AR(1)); industry prices move, with jumps; disasters decay
//! and arrive (stochastically by prefecture and season, and as scripted
//! events); banks leave townships and others take over (二(三)); and
//! enterprises that misused household loans fail (户贷企用, 三(二)).

use mcstress_domain::Industry;
use mcstress_scenario::EventKind;

use crate::model::tilt_log_weight;
use crate::rng::{mix, normal, second, unit};
use crate::shocks::{ar1_step, price_multiplier, price_step};

use super::context::{MonthCtx, PathCtx};
use super::result::PathTotals;
use super::state::Workspace;

/// Stage 1's province-wide part, for every month of the path before any
/// county is simulated ([`ShockMonths`](super::state::ShockMonths)): the township effects, then month
/// by month the factors and prices (with the scripted price events), each
/// county's weighted factor and each industry's price multiplier kept.
/// (The path's log likelihood ratio gathers the shifted draws in the same
/// order as month by month.)
pub(super) fn province_months(ctx: &PathCtx, ws: &mut Workspace) {
    township_effects(ctx, ws);
    let (s, m) = (ctx.s, ctx.m);
    let (wg, wp, wc) = (ctx.wg.sqrt(), ctx.wp.sqrt(), ctx.wc.sqrt());
    for t in 0..s.horizon_months as usize {
        let mc = MonthCtx::new(s, t);
        factors_and_prices(ctx, &mc, ws);
        for &e in &m.events_by_month[t] {
            let ev = &s.shocks.events[e];
            if let EventKind::Price(ind) = ev.kind {
                ws.price[ind as usize] += libm::log(1.0 + ev.price_change);
            }
        }
        let mut mult = [1.0; Industry::COUNT];
        for (i, pp) in s.shocks.prices.iter().enumerate() {
            mult[i] = price_multiplier(pp, ws.price[i]);
        }
        let mut pow = [[1.0; Industry::COUNT]; 3];
        for (pows, beta) in pow.iter_mut().zip(ctx.elasticity) {
            for (p, m) in pows.iter_mut().zip(mult) {
                *p = shock_power(m, beta);
            }
        }
        let months = &mut ws.months;
        months.price_mult.push(mult);
        months.price_pow.push(pow);
        for (c, county) in m.counties.iter().enumerate() {
            months.factor.push(
                wg * ws.province_factor + wp * ws.pref_factor[county.prefecture] + wc * ws.county_factor[c],
            );
        }
    }
}

/// Stage 1's part of county `c` in the month: its disasters, its banks,
/// its enterprises.
pub(super) fn county_shocks(
    ctx: &PathCtx,
    mc: &MonthCtx,
    ws: &mut Workspace,
    c: usize,
    tot: &mut PathTotals,
) {
    disasters(ctx, mc, ws, c);
    service_layout(ctx, mc, ws, c, tot);
    enterprise_failures(ctx, mc, ws, c);
}

/// Each township's persistent effect on this path: a multiplier of its
/// borrowers' distress probabilities, lognormal with mean 1 —
/// `exp(σZ − σ²/2)`, σ = `behaviour.township_effect_sd`, Z standard
/// normal — drawn once from its own stream (no other draw moves). With
/// mean 1 it spreads the county's risk over its townships without raising
/// it on average.
fn township_effects(ctx: &PathCtx, ws: &mut Workspace) {
    let sd = ctx.b.township_effect_sd;
    if sd <= 0.0 {
        return;
    }
    let tilted = match ctx.m.tilt.county {
        Some((c, _)) if ctx.m.tilt.townships != 0.0 => ctx.m.counties[c].townships.clone(),
        _ => 0..0,
    };
    let nu = ctx.m.tilt.townships;
    for (tw, e) in ws.town_effect.iter_mut().enumerate() {
        let mut z = normal(ctx.streams.township_effect.bits(ctx.m.township_key[tw], 0));
        if tilted.contains(&tw) {
            ws.log_weight += tilt_log_weight(z, nu);
            z += nu;
        }
        *e = libm::exp(sd * z - 0.5 * sd * sd);
    }
}

/// Factors start from their stationary law in month 0.
pub(super) fn factors_and_prices(ctx: &PathCtx, mc: &MonthCtx, ws: &mut Workspace) {
    let (t, tm) = (mc.t, mc.tm);
    let st = &ctx.streams;
    let phi_ar = ctx.b.factor_persistence;
    let ar = |prev: f64, z: f64| ar1_step(phi_ar, prev, z, t == 0);
    let tilt = ctx.m.tilt;
    // A shifted draw, its log likelihood ratio added to the path's weight
    // (untouched without a shift, so that the draws stay bit for bit).
    let mut tilted = |z: f64, mu: f64| {
        if mu == 0.0 {
            return z;
        }
        ws.log_weight += tilt_log_weight(z, mu);
        z + mu
    };
    let zp = tilted(normal(st.province.bits(0, tm)), tilt.province);
    let keys = &ctx.m.county_key;
    let zc = tilt.county.map(|(c, mu)| (c, tilted(normal(st.county.bits(keys[c], tm)), mu)));
    ws.province_factor = ar(ws.province_factor, zp);
    for (r, f) in ws.pref_factor.iter_mut().enumerate() {
        *f = ar(*f, normal(st.prefecture.bits(r as u64, tm)));
    }
    for (c, f) in ws.county_factor.iter_mut().enumerate() {
        let z = match zc {
            Some((cc, z)) if cc == c => z,
            _ => normal(st.county.bits(keys[c], tm)),
        };
        *f = ar(*f, z);
    }
    for (i, pp) in ctx.s.shocks.prices.iter().enumerate() {
        let bits = st.price.bits(i as u64, tm);
        let jb = second(bits);
        let jump = (unit(jb) < pp.jump_probability).then(|| normal(second(jb)));
        ws.price[i] = price_step(pp, ws.price[i], normal(bits), jump);
    }
}

/// County `c`'s disasters: decay, then arrivals by prefecture, then
/// scripted events (a scripted price change is province-wide:
/// [`province_months`]). A disaster strikes townships — its footprint
/// ([`footprint`]) — at a severity (1 for a stochastic arrival, the
/// event's for a scripted one). A declared disaster puts the townships it
/// strikes under a repayment moratorium (延期还款) for its
/// `moratorium_months` from this month on, and relief grants replace
/// `shocks.relief_grant_share` of its severity there: a scripted disaster
/// is always declared (a stress shock never); a stochastic arrival is
/// declared in a township when its distress multiplier of the kind on a
/// fully exposed industry, `distress_multiplier^intensity` after the
/// arrival, reaches `shocks.declared_multiplier`. A prefecture's arrival
/// is one draw, the same for each of its counties.
fn disasters(ctx: &PathCtx, mc: &MonthCtx, ws: &mut Workspace, c: usize) {
    let (s, m) = (ctx.s, ctx.m);
    let ln_declared = libm::log(s.shocks.declared_multiplier);
    let grant = s.shocks.relief_grant_share;
    let (t, tm) = (mc.t, mc.tm);
    let t16 = t_u16(t);
    // A strike on township `tw` of kind `k` at `severity`; `declared`
    // says whether it is declared whatever its intensity, and the
    // moratorium it brings.
    let strike =
        |ws: &mut Workspace, tw: usize, k: usize, severity: f64, declared: Option<bool>, months: u16| {
            let d = &mut ws.disaster[tw][k];
            *d += severity;
            let declared = declared.unwrap_or(*d * ctx.ln_dis[k] >= ln_declared);
            let st = &mut ws.towns[tw];
            st.struck_at = t16;
            if declared {
                if months > 0 {
                    st.moratorium_until = st.moratorium_until.max(t16 + months);
                }
                *d -= grant * severity;
            }
        };
    // An intensity below 0.001 (a distress multiplier within 0.5 % of 1 for
    // any allowed `distress_multiplier`, at most 100) is dropped, so that
    // the township's thresholds can be shared again.
    for d in &mut ws.disaster[m.counties[c].townships.clone()] {
        for (k, dk) in s.shocks.disasters.iter().enumerate() {
            d[k] *= dk.persistence;
            if d[k] < 1e-3 {
                d[k] = 0.0;
            }
        }
    }
    // The county's prefecture, if the scenario places it in one.
    let r = m.counties[c].prefecture;
    let in_prefecture = m.prefecture_counties.get(r).is_some_and(|members| members.contains(&c));
    for (k, dk) in s.shocks.disasters.iter().enumerate() {
        let p = m.disaster_monthly[k][mc.month_of_year()];
        if p <= 0.0 || !in_prefecture || unit(ctx.streams.disaster.bits((r * 8 + k) as u64, tm)) >= p {
            continue;
        }
        let key = m.county_key[c] * 8 + k as u64;
        if unit(ctx.streams.disaster_county.bits(key, tm)) < dk.county_share.get() {
            ws.county[c].last_disaster = Some(t16);
            for tw in footprint(ctx, tm, c, dk.township_share.get(), key) {
                strike(ws, tw, k, 1.0, None, dk.moratorium_months);
            }
        }
    }
    for &e in &m.events_by_month[t] {
        let ev = &s.shocks.events[e];
        let EventKind::Disaster(kind) = ev.kind else { continue };
        let k = s.shocks.disasters.iter().position(|d| d.kind == kind).unwrap_or(0);
        // As often as the event names the county (all counties: once).
        let times = if ev.counties.is_empty() { 1 } else { ev.counties.iter().filter(|&&x| x == c).count() };
        for _ in 0..times {
            let struck: Vec<usize> = if ev.townships.is_empty() {
                // Keys apart from the stochastic arrivals' (county × 8 + kind).
                let key = (1 << 62) | (m.event_key[e] << 32) | m.county_key[c];
                footprint(ctx, tm, c, ev.township_share.get(), key).collect()
            } else {
                let first = m.counties[c].townships.start;
                ev.townships.iter().filter(|r| r.county == c).map(|r| first + r.index).collect()
            };
            if struck.is_empty() {
                continue;
            }
            ws.county[c].last_disaster = Some(t16);
            for tw in struck {
                strike(ws, tw, k, ev.severity, Some(ev.declared), ev.moratorium_months);
            }
        }
    }
}

/// An income shock `shock` to the power `beta` of a process's elasticity
/// (`pow(x, 1) = x` exactly, without the call).
#[inline]
pub(super) fn shock_power(shock: f64, beta: f64) -> f64 {
    if beta == 1.0 { shock } else { libm::pow(shock, beta) }
}

/// The townships of county `c` a disaster strikes (its footprint): all of
/// them when `share` is 1 (no draw); else an epicentre drawn uniformly,
/// and each other township with probability `share` — so a share of 0
/// strikes one township and the expected footprint is `1 + share × (n −
/// 1)` of the county's `n`. The draws are the bits keyed by `key` (the
/// arrival's or the event's) for the epicentre, mixed with each township's
/// number for the others.
fn footprint(ctx: &PathCtx, tm: u64, c: usize, share: f64, key: u64) -> impl Iterator<Item = usize> + use<> {
    let towns = ctx.m.counties[c].townships.clone();
    // A county's townships are numbered in a row, in a restricted model as
    // in the whole (`Model::restrict`): their keys are the first's and on.
    let (first, first_key) = (towns.start, ctx.m.township_key.get(towns.start).copied().unwrap_or(0));
    let bits = ctx.streams.disaster_township.bits(key, tm);
    let epicentre = towns.start + (bits % towns.len().max(1) as u64) as usize;
    towns.filter(move |&tw| {
        let tw_key = first_key + (tw - first) as u64;
        share >= 1.0
            || tw == epicentre
            || unit(mix(bits ^ (tw_key + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))) < share
    })
}

/// County `c`'s service layout (二(三)): takeovers, random exits (at the
/// county's rate this month), scripted exits (of the scenario's
/// `[rules.service]`: they carry their own month and counties).
fn service_layout(ctx: &PathCtx, mc: &MonthCtx, ws: &mut Workspace, c: usize, tot: &mut PathTotals) {
    let t = mc.t;
    let service = &ctx.rules_for(c, t).rules.service;
    let takeover = service.takeover_months;
    let towns = ctx.m.counties[c].townships.clone();
    for tw in towns.clone() {
        let st = &mut ws.towns[tw];
        let was_served = st.service.served;
        st.service.tick(t as i32);
        if was_served
            && service.exit_monthly > 0.0
            && unit(ctx.streams.bank_exit.bits(ctx.m.township_key[tw], mc.tm)) < service.exit_monthly
        {
            st.service.exit(t as i32, takeover);
        }
    }
    for exit in ctx.s.rules.service.exits.iter().filter(|x| x.month as usize == t) {
        for _ in exit.counties.iter().filter(|&&x| x == c) {
            let served: Vec<usize> = towns.clone().filter(|&tw| ws.towns[tw].service.served).collect();
            let n = (exit.share.get() * served.len() as f64).round() as usize;
            for &tw in served.iter().take(n) {
                ws.towns[tw].service.exit(t as i32, takeover);
            }
        }
    }
    tot.unserved_township_months += ws.towns[towns].iter().filter(|x| !x.service.served).count() as i64;
}

/// County `c`'s enterprises that misused household loans fail and stay
/// failed.
fn enterprise_failures(ctx: &PathCtx, mc: &MonthCtx, ws: &mut Workspace, c: usize) {
    let b = ctx.b;
    if b.misuse_share.get() <= 0.0 {
        return;
    }
    for (e, failed) in ws.county[c].enterprise_failed.iter_mut().enumerate() {
        if !*failed
            && unit(ctx.streams.enterprise.bits(ctx.m.county_key[c] * 1024 + e as u64, mc.tm))
                < b.enterprise_failure_monthly
        {
            *failed = true;
        }
    }
}

/// A simulation month as the counties' month fields hold it.
fn t_u16(t: usize) -> u16 {
    u16::try_from(t).unwrap_or(u16::MAX)
}
