//! `[portfolio]`: the shape of the loan book at the start.

use mcstress_domain::{Fen, Rate};
use mcstress_households::PortfolioMix;
use mcstress_loans::Repayment;

use super::{CATEGORY_KEYS, GRADE_KEYS, items};
use crate::model::Portfolio;
use crate::read::{Cx, Tab, num};

pub(super) fn read(cx: &mut Cx<'_>, top: &mut Tab<'_>) -> Portfolio {
    let mut t = cx.table(top, "portfolio");
    let term_months = cx.int(&mut t, "term_months", 36, 1, 60) as u16;
    let rate = Rate::from_annual(cx.float(&mut t, "rate_annual", 0.0345, 0.0, 0.24));
    let repayment = match cx.choice(
        &mut t,
        "repayment",
        "bullet_quarterly_interest",
        &["bullet_quarterly_interest", "equal_instalments"],
    ) {
        "equal_instalments" => Repayment::EqualInstalments,
        _ => Repayment::BulletQuarterlyInterest,
    };
    let category = cx.mix(&mut t, "category_mix", &CATEGORY_KEYS, [0.85, 0.06, 0.06, 0.03]);
    let grade = cx.mix(&mut t, "grade_mix", &GRADE_KEYS, [0.6, 0.3, 0.1]);
    let amounts = amounts(cx, &mut t);
    let age_weights = age_weights(cx, &mut t, term_months);
    cx.close(t);
    Portfolio { mix: PortfolioMix { category, grade, amounts, age_weights }, term_months, rate, repayment }
}

/// `portfolio.amounts`: loan sizes whose shares sum to 1.
fn amounts(cx: &mut Cx<'_>, t: &mut Tab<'_>) -> Vec<(Fen, f64)> {
    let ap = t.field("amounts");
    let before = cx.error_count();
    let read = items(cx, t, "amounts", |cx, it, _| {
        let yuan = cx.money(it, "yuan", Fen::ZERO, Fen::from_yuan(1), Fen::from_yuan(1_000_000));
        cx.require(it, "yuan", "an amount in yuan");
        let share = cx.float(it, "share", 0.0, 0.0, 1.0);
        (yuan, share)
    });
    let mut amounts = Vec::new();
    if let Some(read) = read {
        let sum: f64 = read.iter().map(|a| a.1).sum();
        if cx.error_count() == before
            && (read.is_empty() || (sum - 1.0).abs() > 1e-6)
            && let Some(node) = t.node().and_then(|t| t.get("amounts"))
        {
            let found = if read.is_empty() {
                "an empty list".to_string()
            } else {
                format!("shares summing to {}", num(sum))
            };
            cx.error(node, &ap, "loan amounts whose shares sum to 1", found);
        }
        amounts = read;
    }
    if amounts.is_empty() || amounts.iter().any(|a| !a.0.is_positive()) {
        amounts = vec![
            (Fen::from_yuan(50_000), 0.75),
            (Fen::from_yuan(40_000), 0.15),
            (Fen::from_yuan(30_000), 0.10),
        ];
    }
    amounts
}

/// `portfolio.age_weights`: weights of the loans' ages at the start,
/// uniform by default.
fn age_weights(cx: &mut Cx<'_>, t: &mut Tab<'_>, term_months: u16) -> Vec<f64> {
    let mut age_weights = vec![1.0; term_months as usize];
    let aw = t.field("age_weights");
    if let Some(items) = cx.array(t, "age_weights") {
        let mut w = Vec::new();
        for (i, item) in items.iter().enumerate() {
            w.push(cx.float_node(item, &format!("{aw}[{i}]"), 0.0, 0.0, 1e9));
        }
        let node = t.node().and_then(|t| t.get("age_weights"));
        if w.is_empty() || w.len() > term_months as usize || w.iter().sum::<f64>() <= 0.0 {
            if let Some(node) = node {
                cx.error(node, &aw, format!("1 to {term_months} non-negative weights (one per month of age, up to the term) with a positive sum"), node.describe());
            }
        } else {
            age_weights = w;
        }
    }
    age_weights
}
