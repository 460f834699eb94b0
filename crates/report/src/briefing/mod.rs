//! Briefing material: charts (PNG and SVG), an HTML briefing and an Excel
//! workbook, in Chinese or English, drawn from results given as values
//! (the caller reads the output directory; nothing here touches paths).
//!
//! Text is drawn with the font shipped in `assets/fonts/` (Noto Sans SC,
//! GB2312 subset), compiled in, so rendering needs no system font. A
//! character the font lacks would silently draw as a blank: every label is
//! checked first, and a missing glyph is an error naming the label.

mod charts;
mod html;
pub mod inputs;
mod workbook;

use std::sync::OnceLock;

use ab_glyph::Font;

pub use charts::{CHART_HEIGHT, CHART_WIDTH, Chart, draw_charts, provenance};
pub use html::briefing_html;
pub use workbook::{briefing_xlsx, sheet_names};

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
    #[error("{0}")]
    Data(String),
    /// The plotting library failed.
    #[error("cannot draw chart {chart}: {why}")]
    Draw {
        /// Chart name.
        chart: String,
        /// The cause.
        why: String,
    },
    /// Encoding a PNG or the workbook failed.
    #[error("cannot encode {what}: {why}")]
    Encode {
        /// What.
        what: &'static str,
        /// The cause.
        why: String,
    },
}

fn font() -> &'static ab_glyph::FontRef<'static> {
    static F: OnceLock<ab_glyph::FontRef<'static>> = OnceLock::new();
    F.get_or_init(|| match ab_glyph::FontRef::try_from_slice(FONT) {
        Ok(f) => f,
        // The font is compiled in and tested; it cannot fail to parse
        // unless the build itself is broken.
        Err(e) => panic!("the compiled-in chart font is unreadable: {e}"),
    })
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
    /// Rule set or variant.
    pub rules: String,
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
        let hash: String =
            self.sha256.split_whitespace().map(|h| &h[..h.len().min(12)]).collect::<Vec<_>>().join("/");
        match lang {
            Lang::Zh => format!(
                "情景 {} (SHA-256 {}) · 规则 {} · 种子 {} · 路径 {} · {} · {}",
                self.scenario, hash, self.rules, self.seed, self.paths, self.date, self.headline
            ),
            Lang::En => format!(
                "Scenario {} (SHA-256 {}) · rules {} · seed {} · {} paths · {} · {}",
                self.scenario, hash, self.rules, self.seed, self.paths, self.date, self.headline
            ),
        }
    }
}

/// Money in the unit that suits its size: (divisor, unit label).
pub fn money_unit(lang: Lang, largest_yuan: f64) -> (f64, &'static str) {
    match lang {
        Lang::Zh if largest_yuan.abs() >= 1e8 => (1e8, "亿元"),
        Lang::Zh => (1e4, "万元"),
        Lang::En if largest_yuan.abs() >= 1e9 => (1e9, "billion yuan"),
        Lang::En => (1e6, "million yuan"),
    }
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
}
