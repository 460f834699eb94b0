//! `chart DIR --county CODE` and `report DIR --county CODE`: one county of
//! a `run` or `stress` directory — its fans, survival curve, townships and
//! rules — charted, or written up as `briefing-CODE.html` and
//! `briefing-CODE.xlsx`.

use std::io::Write;
use std::path::{Path, PathBuf};

use mcstress_report::briefing::county::{CountyError, CountyView};
use mcstress_report::briefing::inputs::{Results, RunMeta, TownshipIn, parse_townships};
use mcstress_report::briefing::{self, Lang};

use crate::args::FormatArg;
use crate::files::{MAX_OUTPUT_BYTES, OutDir, ReadFail, read_limited, read_results};
use crate::{EXIT_OK, InputError};

/// A county code as `summary.json` spells them: letters, digits, `-` and
/// `_` only, so that it can name files and directories safely.
fn checked_code(code: &str) -> Result<&str, InputError> {
    let fine = !code.is_empty() && code.len() <= 32;
    if fine && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(code)
    } else {
        Err(InputError(format!(
            "--county {code:?}: a county code is its division code (e.g. 530621), as in the id column of counties.csv"
        )))
    }
}

/// The directory's results and the county's view of them, or why not.
struct Read {
    meta: RunMeta,
    results: Results,
    townships: Vec<TownshipIn>,
}

/// Reads `dir` and checks that it is a run or stress with county `code`
/// (before anything is written); `locked` as for [`read_results`].
fn read(dir: &Path, code: &str, locked: bool) -> anyhow::Result<Read> {
    let (meta, results) = read_results(dir, locked)?;
    // The county is looked up before townships.csv is read: a wrong
    // directory or code is said as such, not as a missing file.
    CountyView::of(&results, code, &[]).map_err(|e| county_error(dir, e))?;
    let path = dir.join("townships.csv");
    let text = read_limited(&path, MAX_OUTPUT_BYTES).map_err(|e| {
        InputError(match e {
            ReadFail::NotFound => format!(
                "{}: missing; a `{}` directory has it (one county's townships are read from it)",
                path.display(),
                meta.command
            ),
            why => format!("{}: cannot read: {why}", path.display()),
        })
    })?;
    let townships = parse_townships(&text, code).map_err(|e| InputError(format!("{}/{e}", dir.display())))?;
    Ok(Read { meta, results, townships })
}

fn county_error(dir: &Path, e: CountyError) -> InputError {
    InputError(format!("{}: {e}", dir.display()))
}

/// `chart DIR --county CODE`: the four charts of the county, by default in
/// `DIR/charts-LANG-CODE`.
pub fn chart_county(
    dir: &Path,
    code: &str,
    lang: Lang,
    out: Option<PathBuf>,
    format: FormatArg,
    stdout: &mut dyn Write,
) -> anyhow::Result<u8> {
    let code = checked_code(code)?;
    let target = out.unwrap_or_else(|| dir.join(format!("charts-{}-{code}", lang.code())));
    let held = super::commands::lock_if_same(dir, &target)?;
    let r = read(dir, code, held.is_some())?;
    let view = CountyView::of(&r.results, code, &r.townships).map_err(|e| county_error(dir, e))?;
    let prov = briefing::provenance(&r.results, &r.meta, lang);
    let charts = briefing::draw_county_charts(&view, &prov, lang).map_err(super::commands::briefing_error)?;
    super::commands::write_charts(&charts, format, &target, held, stdout)
}

/// `report DIR --county CODE`: `briefing-CODE.html` and
/// `briefing-CODE.xlsx`, by default in DIR.
pub fn report_county(
    dir: &Path,
    code: &str,
    lang: Lang,
    out: Option<PathBuf>,
    stdout: &mut dyn Write,
) -> anyhow::Result<u8> {
    let code = checked_code(code)?;
    let target = out.unwrap_or_else(|| dir.to_path_buf());
    let held = super::commands::lock_if_same(dir, &target)?;
    let r = read(dir, code, held.is_some())?;
    let view = CountyView::of(&r.results, code, &r.townships).map_err(|e| county_error(dir, e))?;
    let prov = briefing::provenance(&r.results, &r.meta, lang);
    let charts = briefing::draw_county_charts(&view, &prov, lang).map_err(super::commands::briefing_error)?;
    let html = briefing::county_html(&view, &r.meta, &prov, &charts, lang)
        .map_err(super::commands::briefing_error)?;
    let xlsx = briefing::county_xlsx(&view, &r.meta, &prov, lang).map_err(super::commands::briefing_error)?;
    let (h, x) = (format!("briefing-{code}.html"), format!("briefing-{code}.xlsx"));
    let out_dir = match held {
        Some(d) => d,
        None => OutDir::lock(&target)?,
    };
    out_dir.write_files(&[(h.as_str(), html.into_bytes()), (x.as_str(), xlsx)])?;
    super::commands::emit(
        stdout,
        &format!("{}\n{}\n", target.join(&h).display(), target.join(&x).display()),
    )?;
    Ok(EXIT_OK)
}
