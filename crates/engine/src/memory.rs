//! What a run of a scenario needs in memory, estimated from the scenario
//! alone (nothing is built), so that `validate` can refuse a scenario the
//! machine cannot run. The figures are upper estimates: every eligible
//! household is assumed to hold a loan (two, when follow-up loans are held
//! beside first loans) on every worker's books.

use mcstress_scenario::Scenario;
use serde::Serialize;

use crate::band::{BUFFER, EXACT_PATHS};
use crate::fold::{Keep, PROVINCE_FIGURES};
use crate::path::COUNTY_FIGURES;

/// Bytes per loan slot of a book: 69 in the book's arrays (with the
/// partner link, the claim cycle's two fields, the enterprise and the
/// skipped quarterly dates' month and subsidy), the rest for the free list
/// and the recoveries of written-off loans.
pub const LOAN_BYTES: u64 = 74;
/// Bytes per loan at the start while the population is built (the
/// borrower seeds, dropped once the books are made).
const SEED_BYTES: u64 = 32;
/// Bytes per township: the model's, and each worker's state.
const TOWNSHIP_BYTES: u64 = 256;
/// Bytes per county outcome kept of a path (`fold::Kept`, as the compiler
/// lays it out, so that the estimate follows the fields as they are added).
const OUTCOME_BYTES: u64 = std::mem::size_of::<crate::fold::Kept>() as u64;
/// Bytes of a county's unpaid claims by cause, kept apart for the counties
/// that end with some (`PathFigures`).
const UNPAID_BYTES: u64 = std::mem::size_of::<(u32, crate::path::UnpaidEnd)>() as u64;
/// Bytes of a path's province totals and headline figures (`PathFigures`
/// without its counties' outcomes).
const PATH_BYTES: u64 = std::mem::size_of::<crate::fold::PathFigures>() as u64;
/// Bytes of a band besides its values.
const BAND_BYTES: u64 = 96;
/// Whole paths alive per worker thread: the batch being simulated and the
/// one being folded, sixteen paths per thread each (`fold`).
const PATHS_IN_FLIGHT_PER_THREAD: u64 = 32;

/// The memory a run needs, by part, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MemoryEstimate {
    /// The prepared model: loan books at the start, townships, and the
    /// borrower seeds while the population is built.
    pub model: u64,
    /// Each worker thread's workspace (books that may grow to every
    /// eligible household, funds, townships), times the threads.
    pub workspaces: u64,
    /// Whole paths (with their figures by month) alive at once.
    pub paths_in_flight: u64,
    /// The figures kept per path (province totals, each county's
    /// outcome), times the paths: the one part that grows with paths.
    pub per_path: u64,
    /// The monthly bands: every value up to `EXACT_PATHS` paths, bounded
    /// beyond.
    pub bands: u64,
    /// The sum.
    pub total: u64,
}

/// Estimates the memory of a run of `paths` paths of `s` on `threads`
/// worker threads, keeping `keep`.
pub fn memory_estimate(s: &Scenario, paths: u32, threads: usize, keep: Keep) -> MemoryEstimate {
    let counties = s.counties.len() as u64;
    let horizon = u64::from(s.horizon_months);
    let threads = threads.max(1) as u64;
    let paths = u64::from(paths);
    let loans: u64 = match &s.book {
        Some(b) => b.loans.len() as u64,
        None => s.counties.iter().map(|c| u64::from(c.profile.loans)).sum(),
    };
    // A household may hold a follow-up loan beside its first (5+5): two
    // slots at once.
    let per_household = if s.rules.ladder.follow_up_when == mcstress_scenario::FollowUpWhen::Beside
        && s.rules.ladder.follow_up_uptake_monthly > 0.0
    {
        2
    } else {
        1
    };
    let slots: u64 = s
        .counties
        .iter()
        .map(|c| u64::from(c.profile.loans.max(c.profile.eligible_households)) * per_household)
        .sum();
    let townships: u64 = match &s.book {
        Some(b) => b.townships.iter().map(|t| t.len() as u64).sum(),
        None => s.counties.iter().map(|c| u64::from(c.profile.townships)).sum(),
    };
    let model = loans * (LOAN_BYTES + SEED_BYTES) + townships * TOWNSHIP_BYTES;
    let workspaces = threads * (slots * LOAN_BYTES + townships * TOWNSHIP_BYTES);
    // A path's monthly county figures (8 bytes) and township overdue rates
    // (2 bytes each).
    let path_whole = horizon * (counties * COUNTY_FIGURES as u64 + 1) * 8
        + horizon * townships * 2
        + counties * std::mem::size_of::<crate::path::CountyOutcome>() as u64
        + PATH_BYTES;
    let paths_in_flight = threads * PATHS_IN_FLIGHT_PER_THREAD * path_whole;
    // At worst every county ends with approved claims unpaid, kept apart.
    let per_path = paths * (counties * (OUTCOME_BYTES + UNPAID_BYTES) + PATH_BYTES);
    let bands = match keep {
        Keep::Figures => 0,
        Keep::MonthlyBands => {
            let count = horizon * (PROVINCE_FIGURES as u64 + counties * COUNTY_FIGURES as u64);
            // Beyond EXACT_PATHS a band holds its summary and a buffer,
            // fewer bytes than the values it held at EXACT_PATHS.
            let values = paths.min(EXACT_PATHS as u64).max(BUFFER as u64);
            // And the township rates of the first TOWNSHIP_PATHS paths.
            let township_paths = paths.min(crate::fold::TOWNSHIP_PATHS as u64);
            count * (BAND_BYTES + 8 * values) + township_paths * horizon * townships * 2
        }
    };
    MemoryEstimate {
        model,
        workspaces,
        paths_in_flight,
        per_path,
        bands,
        total: model + workspaces + paths_in_flight + per_path + bands,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_kept_for_the_default_scenario_takes_at_most_about_15_kb() {
        // 129 county outcomes and the province figures: the part of a run
        // that grows with paths (docs/performance.md, Memory).
        let s = mcstress_scenario::embedded_default(None).expect("the embedded default loads").scenario;
        let one = memory_estimate(&s, 1, 2, Keep::Figures).per_path;
        // 72 bytes a county, and 40 more at worst (unpaid claims).
        assert!((14_000..16_000).contains(&one), "{one} bytes a path");
    }
}
