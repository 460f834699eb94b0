//! A figure's distribution across paths for one month (a band of
//! `monthly.csv`), kept in memory bounded in paths: every value up to
//! [`EXACT_PATHS`] paths, then a deterministic Greenwald–Khanna quantile
//! summary whose quantiles are off by at most [`RANK_ERROR`] × paths in rank.
//!
//! Why a summary of our own rather than a crate: the bands must be
//! deterministic (the same values in the same order give the same bytes),
//! cheap per value (tens of thousands of bands take one value per path) and
//! small; the crates at hand either draw random numbers (KLL), carry no
//! rank bound (t-digest), report a relative *value* error instead of a rank
//! error (DDSketch), or insert one value at a time into wide tuples
//! (`quantiles`' GK, which also needs `Ord` values).
//!
//! The summary (Greenwald & Khanna 2001, "Space-efficient online computation
//! of quantile summaries") is a sorted list of values `v_i` with `g_i` and
//! `Δ_i`: the rank of `v_i` among the values seen lies between
//! `rmin_i = g_1 + … + g_i` and `rmax_i = rmin_i + Δ_i`. Keeping
//! `g_i + Δ_i ≤ ⌊2εn⌋` for every tuple guarantees that for every rank `r`
//! some `v_i` has `r − εn ≤ rmin_i` and `rmax_i ≤ r + εn`. Values are
//! gathered in a buffer of [`BUFFER`] and merged sorted: a value inserted
//! between two tuples gets `Δ = g_succ + Δ_succ − 1` (its rank can be no
//! higher than its successor's), at either end `Δ = 0`; a copy of the value
//! just before it joins that tuple (`g + 1`) while its `g + Δ` stays within
//! the limit, so that ties (a fund balance equal on most paths) cost no
//! tuples; then neighbours are merged (right to left, the first tuple
//! never) while the merged tuple
//! keeps `g + Δ ≤ ⌊2εn⌋`. The buffer is flushed every [`BUFFER`] values,
//! whatever the batches of paths, so the summary depends only on the values
//! and their order.

use crate::stats::{Estimate, quantile_sorted};

/// Paths up to which a band keeps every value, so that its mean, standard
/// error and quantiles are exactly those of all paths (the default
/// scenario's path count).
pub const EXACT_PATHS: usize = 1_000;

/// The rank error ε of a band's quantiles beyond [`EXACT_PATHS`] paths: the
/// value reported for the `q`-quantile of `n` values is one of the values,
/// and its rank lies within ε·n of the exact quantile's rank `(n − 1)q + 1`.
pub const RANK_ERROR: f64 = 0.005;

/// Values gathered before they are merged into the summary.
pub const BUFFER: usize = 64;

/// One tuple of the summary: a value, the gap `g` between its smallest
/// possible rank and its predecessor's, and the width `d` (Δ) of its rank
/// interval.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Tuple {
    v: f64,
    g: u32,
    d: u32,
}

/// A figure's values across paths, in path order.
#[derive(Clone, Debug, Default)]
pub struct Band {
    /// Values seen.
    n: u64,
    /// Every value while exact; afterwards the values not yet merged.
    pending: Vec<f64>,
    /// The summary; empty while exact.
    summary: Vec<Tuple>,
    /// Sum of the values in path order (the mean is exact in both modes).
    sum: f64,
    /// Welford's running mean and sum of squared deviations, for the
    /// standard error once the values are no longer kept.
    w_mean: f64,
    w_m2: f64,
}

impl Band {
    /// An empty band expecting about `paths` values.
    pub fn with_capacity(paths: usize) -> Band {
        Band { pending: Vec::with_capacity(paths.min(EXACT_PATHS)), ..Band::default() }
    }

    /// Adds the next path's value.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        let delta = x - self.w_mean;
        self.w_mean += delta / self.n as f64;
        self.w_m2 += delta * (x - self.w_mean);
        if self.summary.is_empty() && self.pending.len() == EXACT_PATHS {
            // The kept values become the summary; from now on only a
            // buffer is kept (its capacity given back).
            self.flush();
            self.pending = Vec::with_capacity(BUFFER);
        } else if self.summary.is_empty() && self.pending.len() == self.pending.capacity() {
            // Grown by doubling but never past EXACT_PATHS values (a run
            // extended by --target-se starts small).
            let want = (self.pending.len() * 2).clamp(BUFFER, EXACT_PATHS);
            self.pending.reserve_exact(want - self.pending.len());
        }
        self.pending.push(x);
        if !self.summary.is_empty() && self.pending.len() >= BUFFER {
            self.flush();
        }
    }

    /// Values seen.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether no value was seen.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Whether every value is still kept (quantiles exact).
    pub fn is_exact(&self) -> bool {
        self.summary.is_empty()
    }

    /// Tuples in the summary (0 while exact): its memory is 16 bytes each.
    pub fn summary_len(&self) -> usize {
        self.summary.len()
    }

    /// Merges the buffer into the summary and compresses it.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        self.pending.sort_by(f64::total_cmp);
        let limit = (2.0 * RANK_ERROR * self.n as f64).floor() as u64;
        let old = std::mem::take(&mut self.summary);
        let mut merged: Vec<Tuple> = Vec::with_capacity(old.len() + self.pending.len());
        let mut j = 0;
        for &x in &self.pending {
            while j < old.len() && old[j].v.total_cmp(&x).is_le() {
                merged.push(old[j]);
                j += 1;
            }
            match merged.last_mut() {
                // A copy of the value before it: its ranks run on from that
                // tuple's, so it joins the tuple while the tuple keeps
                // g + Δ within the limit, else starts one with the same Δ.
                Some(p) if p.v.total_cmp(&x).is_eq() => {
                    if u64::from(p.g) + 1 + u64::from(p.d) <= limit {
                        p.g += 1;
                    } else {
                        let d = p.d;
                        merged.push(Tuple { v: x, g: 1, d });
                    }
                }
                // Between two tuples its rank is at most its successor's;
                // at either end it is known exactly.
                Some(_) => {
                    let d = old.get(j).map_or(0, |s| s.g + s.d - 1);
                    merged.push(Tuple { v: x, g: 1, d });
                }
                None => merged.push(Tuple { v: x, g: 1, d: 0 }),
            }
        }
        merged.extend_from_slice(&old[j..]);
        self.pending.clear();
        self.summary = compress(merged, limit);
    }

    /// Mean with its standard error, and the quantiles `qs`: exact (type 7,
    /// as [`Estimate`]) while every value is kept, else from the summary.
    pub fn stats(&self, qs: &[f64; 5]) -> (f64, f64, [f64; 5]) {
        if self.is_exact() {
            let e = Estimate::from_values(&self.pending);
            let mut sorted = self.pending.clone();
            sorted.sort_by(f64::total_cmp);
            return (e.mean, e.se, qs.map(|q| quantile_sorted(&sorted, q)));
        }
        let n = self.n as f64;
        let se = (self.w_m2 / (n - 1.0) / n).sqrt();
        let mut b = self.clone();
        b.flush();
        (self.sum / n, se, qs.map(|q| b.quantile(q)))
    }

    /// The value of the summary whose rank interval lies closest around the
    /// rank `(n − 1)q + 1` (within ε·n of it, by the summary's invariant).
    fn quantile(&self, q: f64) -> f64 {
        let r = (self.n - 1) as f64 * q + 1.0;
        let mut rmin = 0u64;
        let mut best = (f64::INFINITY, f64::NAN);
        for t in &self.summary {
            rmin += u64::from(t.g);
            let rmax = rmin + u64::from(t.d);
            let off = (r - rmin as f64).max(rmax as f64 - r);
            if off < best.0 {
                best = (off, t.v);
            }
        }
        best.1
    }
}

/// Merges neighbours right to left while the merged tuple keeps
/// `g + Δ ≤ limit`; the first tuple (the minimum) is never merged away and
/// the last keeps its value (the maximum).
fn compress(ts: Vec<Tuple>, limit: u64) -> Vec<Tuple> {
    let Some((&last, rest)) = ts.split_last() else { return ts };
    let mut out = Vec::with_capacity(ts.len());
    let mut acc = last;
    for (i, t) in rest.iter().enumerate().rev() {
        if i > 0 && u64::from(t.g) + u64::from(acc.g) + u64::from(acc.d) <= limit {
            acc.g += t.g;
        } else {
            out.push(acc);
            acc = *t;
        }
    }
    out.push(acc);
    out.reverse();
    // Kept until the next flush: without its spare room (the first
    // compression takes 1,000 tuples down to a few hundred).
    out.shrink_to_fit();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const QS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

    #[test]
    fn a_band_is_exact_up_to_its_path_count() {
        let mut b = Band::with_capacity(EXACT_PATHS);
        let xs: Vec<f64> = (0..EXACT_PATHS).map(|i| ((i * 7919) % 1000) as f64).collect();
        for &x in &xs {
            b.push(x);
        }
        assert!(b.is_exact());
        let (mean, se, q) = b.stats(&QS);
        let e = Estimate::from_values(&xs);
        let mut s = xs.clone();
        s.sort_by(f64::total_cmp);
        assert_eq!((mean, se), (e.mean, e.se));
        assert_eq!(q, QS.map(|p| quantile_sorted(&s, p)));
        b.push(0.5);
        assert!(!b.is_exact());
    }

    #[test]
    fn an_exact_band_never_holds_room_for_more_than_its_exact_paths() {
        let mut b = Band::with_capacity(200);
        for i in 0..EXACT_PATHS {
            b.push(i as f64);
        }
        assert_eq!(b.pending.capacity(), EXACT_PATHS);
        b.push(0.0);
        assert_eq!(b.pending.capacity(), BUFFER);
        // The summary keeps no room for the 1,000 tuples it started from.
        assert!(b.summary.capacity() < EXACT_PATHS / 2, "{}", b.summary.capacity());
    }

    #[test]
    fn compressing_keeps_the_ends_and_the_count() {
        let ts: Vec<Tuple> = (0..10).map(|i| Tuple { v: i as f64, g: 1, d: 0 }).collect();
        let c = compress(ts, 4);
        assert_eq!(c.first().map(|t| (t.v, t.g)), Some((0.0, 1)));
        assert_eq!(c.last().map(|t| t.v), Some(9.0));
        assert_eq!(c.iter().map(|t| t.g).sum::<u32>(), 10);
        assert!(c.iter().all(|t| t.g + t.d <= 4));
    }
}
