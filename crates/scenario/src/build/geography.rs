//! `[geography]`: the prefectures and the counties, with their codes,
//! sizes, funds and industry mixes.

use std::collections::HashMap;

use mcstress_domain::{CountyCode, Fen};
use mcstress_households::CountyProfile;

use super::{INDUSTRY_KEYS, MAX_YUAN, code_of, items};
use crate::model::{County, Prefecture};
use crate::read::{Cx, Tab};

/// The mix of a prefecture or county that gives none (or a wrong one).
const OTHER_ONLY: [f64; 9] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];

pub(super) fn read(cx: &mut Cx<'_>, top: &mut Tab<'_>) -> (Vec<Prefecture>, Vec<County>) {
    let mut g = cx.table(top, "geography");
    if !g.present()
        && let Some(root) = top.node()
    {
        cx.error(root, "geography", "a [geography] table with `prefectures` and `counties`", "nothing");
    }
    let prefectures = prefectures(cx, &mut g);
    let counties = counties(cx, &mut g, &prefectures);
    cx.close(g);
    (prefectures, counties)
}

fn prefectures(cx: &mut Cx<'_>, g: &mut Tab<'_>) -> Vec<Prefecture> {
    let mut seen = HashMap::new();
    let read = items(cx, g, "prefectures", |cx, t, i| {
        let code = code_of(cx, t, "code").unwrap_or(0);
        if code != 0
            && seen.insert(code, i).is_some()
            && let Some(item) = t.node()
        {
            let p = t.field("code");
            cx.error(item, &p, "a code not used by another prefecture", format!("{code:06} again"));
        }
        let name = cx.string(t, "name", "");
        let name_en = cx.string(t, "name_en", "");
        cx.require(t, "industry_mix", "a table of industry shares");
        let industry_mix = cx.mix(t, "industry_mix", &INDUSTRY_KEYS, OTHER_ONLY);
        Prefecture { code, name, name_en, industry_mix }
    });
    let Some(read) = read else {
        if let Some(gn) = g.node()
            && gn.get("prefectures").is_none()
        {
            cx.error(gn, "geography.prefectures", "an array of prefecture tables", "nothing");
        }
        return Vec::new();
    };
    read
}

fn counties(cx: &mut Cx<'_>, g: &mut Tab<'_>, prefs: &[Prefecture]) -> Vec<County> {
    if let Some(gn) = g.node()
        && let Some(node) = gn.get("counties")
        && matches!(&node.kind, crate::tree::Kind::Array(items) if items.is_empty())
    {
        cx.error(node, "geography.counties", "at least one county", "an empty array");
    }
    let mut seen = HashMap::new();
    let read = items(cx, g, "counties", |cx, t, i| {
        let code = code_of(cx, t, "code").unwrap_or(0);
        if code != 0
            && seen.insert(code, i).is_some()
            && let Some(item) = t.node()
        {
            let p = t.field("code");
            cx.error(item, &p, "a code not used by another county", format!("{code:06} again"));
        }
        let name = cx.string(t, "name", "");
        if name.is_empty()
            && let Some(item) = t.node()
        {
            let p = t.field("name");
            cx.error(item, &p, "the county's name", "nothing");
        }
        let name_en = cx.string(t, "name_en", "");
        let prefecture = match code_of(cx, t, "prefecture") {
            Some(pc) => match prefs.iter().position(|x| x.code == pc) {
                Some(ix) => ix,
                None => {
                    if let Some(node) = t.node().and_then(|n| n.get("prefecture")) {
                        let p = t.field("prefecture");
                        cx.error(
                            node,
                            &p,
                            "the code of a prefecture listed in `geography.prefectures`",
                            node.describe(),
                        );
                    }
                    0
                }
            },
            None => 0,
        };
        let former_poverty = cx.boolean(t, "former_poverty", false);
        let key_county = cx.boolean(t, "key_county", false);
        let border = cx.boolean(t, "border", false);
        let townships = cx.int(t, "townships", 10, 1, 1000) as u16;
        let eligible_households = cx.int(t, "eligible_households", 0, 0, 10_000_000) as u32;
        let loans = cx.int(t, "loans", 0, 0, 10_000_000) as u32;
        if loans > eligible_households
            && let Some(node) = t.node().and_then(|n| n.get("loans"))
        {
            let p = t.field("loans");
            cx.error(
                node,
                &p,
                format!("at most the county's eligible households ({eligible_households})"),
                node.describe(),
            );
        }
        let fund = cx.money(t, "fund_yuan", Fen::ZERO, Fen::ZERO, MAX_YUAN);
        let endowment = cx.money(t, "endowment_yuan", fund, Fen::ZERO, MAX_YUAN);
        let fiscal_capacity = cx.opt_money(t, "fiscal_capacity_yuan", Fen::ZERO, MAX_YUAN);
        let bank_coverage = cx.float(t, "bank_coverage", 1.0, 0.0, 1.0);
        let overdue_rate_history = cx.get(t, "overdue_rate_history").is_some().then(|| {
            // An overdue rate of 100 % or more leaves no probit shift.
            cx.float(t, "overdue_rate_history", 0.0, 0.0, 0.99)
        });
        let default_mix = prefs.get(prefecture).map(|x| x.industry_mix).unwrap_or(OTHER_ONLY);
        let industry_mix = cx.mix(t, "industry_mix", &INDUSTRY_KEYS, default_mix);
        County {
            code: CountyCode(code),
            name,
            name_en,
            prefecture,
            former_poverty,
            key_county,
            border,
            fund,
            endowment,
            fiscal_capacity,
            profile: CountyProfile { townships, bank_coverage, eligible_households, loans, industry_mix },
            overdue_rate_history,
        }
    });
    let Some(out) = read else {
        if let Some(gn) = g.node()
            && gn.get("counties").is_none()
        {
            cx.error(gn, "geography.counties", "an array of county tables", "nothing");
        }
        return Vec::new();
    };
    if out.len() > u16::MAX as usize
        && let Some(node) = g.node().and_then(|n| n.get("counties"))
    {
        cx.error(node, "geography.counties", "at most 65535 counties", format!("{}", out.len()));
    }
    out
}
