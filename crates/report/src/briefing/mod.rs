//! Briefing material: charts (PNG and SVG), an HTML briefing and an Excel
//! workbook, in Chinese or English, drawn from results given as values
//! (the caller reads the output directory; nothing here touches paths).
//!
//! Text is drawn with the font shipped in `assets/fonts/` (Noto Sans SC,
//! GB2312 subset), compiled in, so rendering needs no system font. A
//! character the font lacks would silently draw as a blank: every label is
//! checked first, and a missing glyph is an error naming the label.

mod charts;
pub mod county;
mod html;
pub mod inputs;
mod labels;
mod workbook;

use std::sync::OnceLock;

use ab_glyph::Font;

use inputs::{CountyIn, Results, RevisionIn, RunMeta, StressIn, SummaryIn};

pub use charts::{CHART_HEIGHT, CHART_WIDTH, Chart, draw_charts, draw_county_charts};
pub use html::{briefing_html, county_html};
pub use labels::money_unit;
pub use workbook::{
    Cell, Column, HEAD_CAP, Sheet, Shown, TEXT_CAP, WIDTH_MARGIN, briefing_xlsx, column_width,
    county_sheet_names, county_sheets, county_xlsx, sheet_names, sheets_xlsx, text_width, workbook_sheets,
};

/// The chart font: Noto Sans SC cut to GB2312 plus ASCII (SIL OFL 1.1,
/// `assets/fonts/NotoSansSC-COPYRIGHT.txt`).
pub static FONT: &[u8] = include_bytes!("../../../../assets/fonts/NotoSansSC-GB2312-subset.otf");

/// The family name the font is registered under with plotters.
pub const FONT_FAMILY: &str = "noto-sc";

/// Language of the briefing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese (the default).
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The Chinese or the English text.
    pub fn tr(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// "zh" or "en".
    pub fn code(self) -> &'static str {
        self.tr("zh", "en")
    }
}

/// Why briefing material could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BriefingError {
    /// A label has a character the chart font cannot draw.
    #[error(
        "cannot draw {what} {text:?}: the chart font (Noto Sans SC, GB2312 subset) has no glyph for {ch:?} (U+{code:04X})"
    )]
    MissingGlyph {
        /// What the label is (e.g. "county name (530102)").
        what: String,
        /// The label.
        text: String,
        /// The character.
        ch: char,
        /// Its code point.
        code: u32,
    },
    /// The results cannot be charted (e.g. no paths).
    #[error(transparent)]
    Data(DataError),
    /// The plotting library failed.
    #[error("cannot draw chart {chart}")]
    Draw {
        /// Chart name.
        chart: String,
        /// What plotters reported.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Encoding a PNG or the workbook failed.
    #[error("cannot encode {what}")]
    Encode {
        /// What.
        what: &'static str,
        /// What the encoder reported.
        #[source]
        source: EncodeError,
    },
}

/// What an encoder reported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The PNG encoder.
    #[error(transparent)]
    Png(#[from] png::EncodingError),
    /// The workbook writer.
    #[error(transparent)]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
}

/// Why results cannot be charted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A run without paths or without monthly rows.
    #[error("the run has no paths or no monthly rows")]
    NoPaths,
}

pub(crate) fn font() -> &'static ab_glyph::FontRef<'static> {
    static F: OnceLock<ab_glyph::FontRef<'static>> = OnceLock::new();
    F.get_or_init(|| match ab_glyph::FontRef::try_from_slice(FONT) {
        Ok(f) => f,
        // The font is compiled in and tested; it cannot fail to parse
        // unless the build itself is broken.
        Err(e) => panic!("the compiled-in chart font is unreadable: {e}"),
    })
}

/// `s` escaped for XML and HTML text and attribute values.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Checks that the chart font can draw every character of `text`.
pub fn check_glyphs(what: &str, text: &str) -> Result<(), BriefingError> {
    let f = font();
    for ch in text.chars() {
        if ch.is_whitespace() || ch.is_control() {
            continue;
        }
        if f.glyph_id(ch).0 == 0 {
            return Err(BriefingError::MissingGlyph {
                what: what.to_string(),
                text: text.to_string(),
                ch,
                code: ch as u32,
            });
        }
    }
    Ok(())
}

/// Provenance printed under every chart and in the briefing.
#[derive(Clone, Debug)]
pub struct Provenance {
    /// Scenario name (both names for a comparison).
    pub scenario: String,
    /// Scenario hash (first 12 hex digits shown).
    pub sha256: String,
    /// Rule set or variant, in words.
    pub rules: String,
    /// The stress shock applied (`NAME:SEVERITY`), if any.
    pub shock: Option<String>,
    /// Master seed.
    pub seed: u64,
    /// Paths.
    pub paths: u32,
    /// Date of the run.
    pub date: String,
    /// The headline figure with its Monte Carlo error, in the language.
    pub headline: String,
}

impl Provenance {
    /// The footer line.
    pub fn footer(&self, lang: Lang) -> String {
        labels::footer(self, lang)
    }
}

/// The rule sets of a comparison by their display names: "修订对比现行规则",
/// or with several revisions "修订甲、修订乙对比现行规则".
pub(crate) fn compared(revisions: &[RevisionIn], lang: Lang) -> String {
    let Some(first) = revisions.first() else { return String::new() };
    let revised: Vec<String> = revisions.iter().map(|r| r.compare.revision.title(lang)).collect();
    format!(
        "{}{}{}",
        revised.join(lang.tr("、", ", ")),
        lang.tr("对比", " vs "),
        first.compare.base.title(lang)
    )
}

/// The provenance of a directory's results.
pub fn provenance(results: &Results, meta: &RunMeta, lang: Lang) -> Provenance {
    let headline = match results {
        Results::Run { summary, .. } => labels::headline_run(&summary.province.exhaustion_probability, lang),
        Results::Compare { revisions, .. } => {
            let diffs: Vec<_> = revisions
                .iter()
                .map(|r| r.compare.province.get("loss_fund_yuan").copied().unwrap_or_default())
                .collect();
            labels::headline_compare(&diffs, lang)
        }
        Results::Breakpoint { breakpoint } => labels::headline_breakpoint(breakpoint, lang),
        Results::Sweep { sweep } => {
            let worst =
                sweep.points.iter().map(|p| p.province.exhaustion_probability.se.0).fold(0.0, f64::max);
            labels::headline_sweep(worst, lang)
        }
    };
    // A comparison names both rule sets by their display names.
    let (scenario, rules) = match results {
        Results::Compare { revisions, .. } => {
            // Base first, as the hashes of run.json are listed.
            let all = revisions.first().map_or(String::new(), |first| {
                let revised: Vec<String> = revisions.iter().map(|r| r.compare.revision.title(lang)).collect();
                format!(
                    "{}{}{}",
                    first.compare.base.title(lang),
                    lang.tr("对比", " vs "),
                    revised.join(lang.tr("、", ", "))
                )
            });
            (all.clone(), all)
        }
        _ => (labels::scenario_title(meta, lang), labels::rules_title(meta, lang)),
    };
    Provenance {
        scenario,
        sha256: meta.scenario_sha256.clone(),
        rules,
        shock: meta.shock.clone(),
        seed: meta.seed,
        paths: meta.paths,
        date: meta.date.clone(),
        headline,
    }
}

/// Fewest exhausted paths behind the largest county probability for a
/// ranking by exhaustion probability to mean anything: below it the order
/// is mostly which county happened to run out in one or two paths.
pub(crate) const MIN_EXHAUSTED_PATHS: f64 = 10.0;

/// How many paths a county's exhaustion probability rests on.
pub(crate) fn exhausted_paths(c: &CountyIn, paths: u32) -> f64 {
    (c.exhaustion_probability.p.0 * f64::from(paths)).round()
}

/// Whether a ranking of the counties by exhaustion probability is noise:
/// no county's fund ran out in [`MIN_EXHAUSTED_PATHS`] paths.
pub(crate) fn exhaustion_ranking_is_noise(s: &SummaryIn) -> bool {
    s.counties.iter().map(|c| exhausted_paths(c, s.run.paths)).fold(0.0, f64::max) < MIN_EXHAUSTED_PATHS
}

/// Paths a probability near `p` needs for a standard error of `se`
/// (binomial: p(1 − p)/se²).
pub(crate) fn paths_for(p: f64, se: f64) -> u64 {
    (p * (1.0 - p) / (se * se)).ceil() as u64
}

/// Counties most watched first: a `stress` directory's ranking, else the
/// exhaustion probability (or, when that ranking is noise, the peak
/// overdue rate, whose mean every path informs), then the peak overdue
/// rate, then the code; each with whether it is on the watch list.
fn watched<'a>(s: &'a SummaryIn, stress: Option<&StressIn>) -> Vec<(&'a CountyIn, bool)> {
    let mut v: Vec<(&CountyIn, bool, usize)> = s
        .counties
        .iter()
        .map(|c| {
            let st = stress.and_then(|st| st.counties.iter().find(|k| k.id == c.id));
            let watch = st.map_or(c.exhaustion_probability.p.0 >= 0.05, |k| k.watch);
            (c, watch, st.map_or(usize::MAX, |k| k.rank))
        })
        .collect();
    let noise = exhaustion_ranking_is_noise(s);
    let exhaustion = |c: &CountyIn| if noise { 0.0 } else { c.exhaustion_probability.p.0 };
    v.sort_by(|a, b| {
        a.2.cmp(&b.2)
            .then(exhaustion(b.0).total_cmp(&exhaustion(a.0)))
            .then(b.0.peak_overdue_rate.mean.0.total_cmp(&a.0.peak_overdue_rate.mean.0))
            .then(b.0.exhaustion_probability.p.0.total_cmp(&a.0.exhaustion_probability.p.0))
            .then(a.0.id.cmp(&b.0.id))
    });
    v.into_iter().map(|(c, w, _)| (c, w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_draws_every_county_name_of_the_baseline_and_refuses_rare_characters() {
        let s = mcstress_scenario::embedded_default(None).unwrap().scenario;
        for c in &s.counties {
            check_glyphs("county name", &c.name).unwrap();
        }
        check_glyphs("title", "逾期率 Overdue rate (%) 亿元 ±·–—").unwrap();
        let e = check_glyphs("county name (530000)", "䶮县").unwrap_err().to_string();
        assert!(e.contains("䶮县") && e.contains("U+4DAE") && e.contains("530000"), "{e}");
    }

    /// The CLI prints an internal error with its causes (`{:#}`): the
    /// message names the chart, the source says what plotters reported.
    #[test]
    fn a_drawing_failure_names_the_chart_and_keeps_what_plotters_said() {
        let e = BriefingError::Draw {
            chart: "losses".into(),
            source: Box::new(std::io::Error::other("disk full")),
        };
        assert_eq!(e.to_string(), "cannot draw chart losses");
        let source = std::error::Error::source(&e).map(|s| s.to_string());
        assert_eq!(source.as_deref(), Some("disk full"));
    }

    #[test]
    fn a_run_without_paths_is_a_data_error_with_its_message() {
        let e = BriefingError::Data(DataError::NoPaths);
        assert_eq!(e.to_string(), "the run has no paths or no monthly rows");
    }
}
