//! Skipping the quarterly interest dates a current loan surely pays.
//!
//! Most of a path's work used to be the paid quarter: a current bullet
//! loan's interest date at which the borrower pays (a draw, a comparison
//! with the county-month's upper bound of the probability of distress, the
//! interest subsidy, the follow-up request draw). When a loan pays a
//! quarter — and when it is lent, and for the starting book when a
//! county's path starts, from its first date — the dates after it are
//! looked at ahead of time with the draws they will use (`mix(key ^
//! month)`, the same bits as the visit would draw): every date whose draw
//! is at or above a threshold `T` of the loan (its county's reference
//! bound for its risk cell, times a margin, times its township's
//! multiplier) and does not ask for a follow-up loan is skipped, and the
//! loan is next visited at the first date that might not be paid, or at
//! maturity. Its subsidy for the skipped dates is booked in the county's
//! schedule and paid in one sum each month.
//!
//! Nothing moves: a skipped date is one the visit would have found paid,
//! and each county-month checks that before it relies on the skipping —
//! the month is one whose paid quarters take the short path, the county's
//! rules are those the loans were armed under, every risk cell's upper
//! bound this month is at most its reference times the margin (so a draw
//! at or above `T` is above the bound times the township's multiplier, as
//! the visit would have found), and the subsidy budget covers the skipped
//! sum and everything the visited loans could be paid (so the order of the
//! payments cannot matter). A month that fails a check disarms every loan
//! first: each goes back to its next quarterly date and is visited as
//! before (`disarm_all`). Debug builds recount the skipped dates each
//! month (`CountyLoans::check_skipped`).

use crate::book::{BookView, NO_ENTERPRISE, NOT_ARMED};
use crate::rng::{Stream, unit};

use super::loans::asks_follow_up;

/// How far above its reference a county-month's bound of a risk cell may
/// go before the month disarms the county's loans. A larger margin makes
/// more dates candidates (the visits the skipping keeps: a share of about
/// the margin times the reference bound), a smaller one more months that
/// fail the check (the county factor's tail, disasters, price falls).
pub(super) const MARGIN: f64 = 6.0;

/// A county's schedule of skipped subsidy and what the skipping of its
/// loans was armed under.
#[derive(Clone, Debug, Default)]
pub(super) struct SkipState {
    /// By month: the change in the subsidy of skipped dates of that month's
    /// phase (month mod 3), fen: a loan's subsidy is added at its first
    /// skipped date and taken off three months after its last.
    pub diff: Vec<i64>,
    /// The subsidy of the skipped dates of each phase, as of the last
    /// month of that phase.
    pub acc: [i64; 3],
    /// Index of the rules in force last month (`usize::MAX`: none yet).
    pub rules: usize,
    /// Some loan of the county may be armed.
    pub any_armed: bool,
    /// The county's state was restored from another simulation's (a
    /// revision's restart): its loans were armed under other thresholds.
    pub stale: bool,
    /// Tests: loans armed, and county-months that disarmed every loan,
    /// visited the month's skipped dates, and verified them one by one.
    #[cfg(test)]
    pub seen: [u64; 4],
}

impl SkipState {
    /// Back to the start of a path of `horizon` months, reusing the
    /// schedule's allocation.
    pub fn reset(&mut self, horizon: usize) {
        self.diff.clear();
        self.diff.resize(horizon + 3, 0);
        self.acc = [0; 3];
        self.rules = usize::MAX;
        self.any_armed = false;
        self.stale = false;
    }
}

/// What arming a county's loans reads in a month.
pub(super) struct Arming<'a> {
    /// The county's reference bounds times the margin, by risk cell
    /// ([`super::state::Workspace::skip_ref`]).
    pub skip_ref: &'a [f64],
    /// Each township's distress multiplier on this path.
    pub town: &'a [f64],
    /// The follow-up draw threshold over a quarter were lending not
    /// suspended (0 when the rules lend no follow-up beside a first loan).
    pub k_follow_up: u64,
    /// The horizon, months: dates at or after it are never visited.
    pub horizon: i16,
}

/// A current bullet loan whose quarterly dates from `first` on are to be
/// looked at ahead.
pub(super) struct ToArm {
    pub key: u64,
    pub cell: usize,
    pub township: usize,
    pub enterprise: u16,
    /// Its first quarterly date not yet visited.
    pub first: i16,
    pub maturity: i16,
    /// A first loan whose household may still ask for a follow-up.
    pub may_ask: bool,
    /// The interest subsidy of a paid quarter, fen.
    pub sub: i64,
}

impl Arming<'_> {
    /// The loan's next visit: its first quarterly date that might not be a
    /// paid quarter — a draw below its threshold, or a follow-up request —
    /// or its maturity; the dates before it are skipped and their subsidy
    /// booked in `sk`. Returns the next visit and whether the loan was
    /// armed (it then skips the dates `first − 3 + 3k` before it). A loan
    /// of an enterprise (户贷企用) is not armed: its enterprise may fail
    /// any month.
    #[inline(always)]
    pub fn arm(&self, sk: &mut SkipState, l: &ToArm) -> (i16, bool) {
        let last = l.maturity.min(self.horizon);
        if l.first >= last || l.enterprise != NO_ENTERPRISE {
            return (l.first.min(l.maturity), false);
        }
        let threshold = self.skip_ref[l.cell] * self.town[l.township];
        let k = if l.may_ask { self.k_follow_up } else { 0 };
        let mut next = l.first;
        while next < last {
            let b = Stream::at(l.key, next as u64);
            if unit(b) < threshold || asks_follow_up(b, k) {
                break;
            }
            next += 3;
        }
        let armed = next > l.first;
        if armed {
            #[cfg(test)]
            {
                sk.seen[0] += 1;
            }
            sk.any_armed = true;
            if l.sub != 0 {
                sk.diff[l.first as usize] += l.sub;
                if (next as usize) < sk.diff.len() {
                    sk.diff[next as usize] -= l.sub;
                }
            }
        }
        (next.min(l.maturity), armed)
    }
}

/// The first date `armed_at + 3k` (k ≥ 1) at or after `t`.
#[inline]
pub(super) fn phase_date_from(armed_at: i16, t: i16) -> i16 {
    armed_at + 3 * ((t - armed_at + 2) / 3)
}

/// Every armed loan of the book goes back to its next quarterly date (at
/// or after `t`), and its subsidy for the dates it no longer skips leaves
/// the schedule `diff`.
pub(super) fn disarm_all(book: &mut BookView, t: i16, diff: &mut [i64]) {
    for i in 0..book.len() {
        let a = book.armed_at[i];
        if a == NOT_ARMED {
            continue;
        }
        let d = phase_date_from(a, t);
        if d < book.next_event[i] {
            disarm(book, i, d, diff);
        } else {
            book.armed_at[i] = NOT_ARMED;
        }
    }
}

/// The armed loans of the book with a skipped date in month `t` go back to
/// it (they are visited this month) and their subsidy for the dates they
/// no longer skip leaves the schedule `diff`; the others keep skipping.
pub(super) fn disarm_month(book: &mut BookView, t: i16, diff: &mut [i64]) {
    for i in 0..book.len() {
        let a = book.armed_at[i];
        if a != NOT_ARMED && phase_date_from(a, t) == t && t < book.next_event[i] {
            disarm(book, i, t, diff);
        }
    }
}

/// Loan `i`, armed with a skipped date in month `t`, goes back to it: its
/// subsidy was booked +s at its first skipped date and −s at the first date
/// of its phase at or after its next visit; from `t` on it is not.
#[inline]
pub(super) fn disarm(book: &mut BookView, i: usize, t: i16, diff: &mut [i64]) {
    let (a, next) = (book.armed_at[i], book.next_event[i]);
    book.armed_at[i] = NOT_ARMED;
    let s = book.armed_sub[i];
    if s != 0 {
        diff[t as usize] -= s;
        let end = phase_date_from(a, next) as usize;
        if end < diff.len() {
            diff[end] += s;
        }
    }
    book.next_event[i] = t;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use crate::path::simulate;
    use crate::path::state::Workspace;

    /// The small test scenario with everything that makes a county-month
    /// fail a check: a drought with its moratorium and a bound far above
    /// the reference, strategic default once the fund pays, a subsidy
    /// budget short of the need (late subsidy), and a change of rules.
    fn stressed_small() -> mcstress_scenario::Scenario {
        let base = include_str!("../../../../tests/data/small.toml");
        let child = mcstress_scenario::SourceFile {
            name: "child.toml".into(),
            key: "child.toml".into(),
            text: r#"extends = "small.toml"
[behaviour]
strategic_default = 1.0
low_willingness_share = 0.2
contagion = 15
[rules.subsidy]
county_budget_share = 0.8
[[shocks.events]]
kind = "drought"
month = "2024-06"
prefectures = ["530600"]
severity = 2.0
[[timeline]]
month = "2025-01"
rules.compensation.fund_share = 0.8
"#
            .into(),
        };
        let loaded = mcstress_scenario::load(child, None, &mut |_, _| {
            Ok(mcstress_scenario::SourceFile {
                name: "small.toml".into(),
                key: "small.toml".into(),
                text: base.into(),
            })
        });
        match loaded {
            Ok(l) => l.scenario,
            Err(e) => panic!("test scenario invalid: {e}"),
        }
    }

    /// Skipping the dates a loan surely pays moves no figure: every path
    /// is the same with the usual margin, with a margin of 0 (every date
    /// skipped, and every county-month verifying each loan's draw against
    /// its bound) and with an infinite one (no date skipped: the loop as
    /// it was). Debug builds also recount each month's skipped dates.
    #[test]
    fn skipping_the_dates_surely_paid_changes_no_figure() {
        let m = Model::prepare(&stressed_small());
        // By margin: loans armed, and county-months of each kind of check
        // failed (see `SkipState::seen`).
        let mut seen = [[0u64; 4]; 3];
        for path in 0..6 {
            let runs: Vec<String> = [MARGIN, 0.0, f64::INFINITY]
                .iter()
                .enumerate()
                .map(|(k, margin)| {
                    let mut ws = Workspace::new(&m);
                    ws.skip_margin = *margin;
                    let r = simulate(&m, &mut ws, 7, path);
                    for c in &ws.county {
                        for (s, x) in seen[k].iter_mut().zip(c.skip.seen) {
                            *s += x;
                        }
                    }
                    format!("{r:?}")
                })
                .collect();
            assert_eq!(runs[0], runs[2], "path {path}: the usual margin");
            assert_eq!(runs[1], runs[2], "path {path}: margin 0");
        }
        // Each way a month can fail its checks occurred with the usual
        // margin, and more dates were skipped with a margin of 0; none with
        // an infinite one.
        assert!(seen[0].iter().all(|x| *x > 0), "{seen:?}");
        assert!(seen[1][0] > seen[0][0] && seen[2][0] == 0, "{seen:?}");
    }

    #[test]
    fn the_next_date_of_a_phase_is_found_from_any_month() {
        // Armed in month 4: dates 7, 10, 13, …
        assert_eq!(phase_date_from(4, 5), 7);
        assert_eq!(phase_date_from(4, 7), 7);
        assert_eq!(phase_date_from(4, 8), 10);
        assert_eq!(phase_date_from(4, 10), 10);
        // A loan armed before the start (a negative month).
        assert_eq!(phase_date_from(-2, 0), 1);
        assert_eq!(phase_date_from(-2, 1), 1);
    }
}
