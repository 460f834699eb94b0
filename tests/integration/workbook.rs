//! `briefing.xlsx`: every number fits its column (no "###" in Excel, WPS
//! or LibreOffice), amounts stand also in 万元 or 亿元, and the sheets of
//! a stress, a comparison and a breakpoint say what their files hold.
//!
//! The width rule is checked on the sheets as the library builds them
//! (`workbook_sheets`), which the workbook written by `mcstress report` is
//! shown to hold cell for cell; the displayed text of each number is
//! recomputed here from its Excel number format, independently of the
//! library's own formatting. Where LibreOffice is installed, each workbook
//! is also rendered to PDF and its text searched for "###".

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::Reader;
use mcstress_report::briefing::{self as b, Cell, Lang, Sheet};
use serde_json::Value;

use crate::support::cli;

const KINDS: [&str; 5] = ["run", "stress", "compare", "sweep", "breakpoint"];
const LANGS: [(&str, Lang); 2] = [("zh", Lang::Zh), ("en", Lang::En)];

/// The sheets of the workbook of output directory `kind`.
fn sheets(kind: &str, lang: Lang) -> Vec<Sheet> {
    let dir = crate::briefing::outputs().join(kind);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
    let meta = b::inputs::Results::meta(&read("run.json").unwrap()).unwrap();
    let results = b::inputs::Results::read(&meta, read).unwrap();
    let prov = b::provenance(&results, &meta, lang);
    b::workbook_sheets(&results, &meta, &prov, lang)
}

/// What Excel displays for `v` under the number format `code` — only the
/// formats the workbook uses: `0`, `0.00…`, `#,##0`, `#,##0.00…`, `0.00%`.
fn displayed(v: f64, code: &str) -> String {
    let (body, scale, suffix) = match code.strip_suffix('%') {
        Some(b) => (b, 100.0, "%"),
        None => (code, 1.0, ""),
    };
    let grouped = body.starts_with("#,##");
    let decimals = body.split_once('.').map_or(0, |(_, d)| d.len());
    let digits = format!("{:.*}", decimals, (v * scale).abs());
    let (int, frac) = digits.split_once('.').map_or((digits.as_str(), None), |(i, f)| (i, Some(f)));
    let mut int_out = String::new();
    for (i, ch) in int.chars().rev().enumerate() {
        if grouped && i > 0 && i % 3 == 0 {
            int_out.insert(0, ',');
        }
        int_out.insert(0, ch);
    }
    let sign = if v < 0.0 { "-" } else { "" };
    match frac {
        Some(f) => format!("{sign}{int_out}.{f}{suffix}"),
        None => format!("{sign}{int_out}{suffix}"),
    }
}

/// Columns needed by a displayed number: one a character (numbers are
/// ASCII) and one spare, for fonts whose digits are wider than Calibri's.
fn needed(text: &str) -> f64 {
    assert!(text.is_ascii(), "{text}");
    text.len() as f64 + 1.0
}

/// Every number of `sheet` that would not fit its column:
/// (column header, displayed text, column width).
fn too_wide(sheet: &Sheet) -> Vec<(String, String, f64)> {
    let mut out = Vec::new();
    for col in &sheet.columns {
        for cell in &col.cells {
            if let Cell::Num(v, shown) = cell {
                let t = displayed(*v, &shown.code());
                if needed(&t) > col.width {
                    out.push((col.head.clone(), t, col.width));
                }
            }
        }
    }
    out
}

/// `mcstress report` of output directory `kind`: the workbook's path.
fn report(kind: &str, lang: &str) -> PathBuf {
    let dir = crate::briefing::outputs().join(kind);
    let out = crate::support::scratch(&format!("workbook-{kind}-{lang}"));
    let (c, _, err) =
        cli(&["report", &dir.display().to_string(), "--lang", lang, "--out", &out.display().to_string()]);
    assert_eq!(c, 0, "{kind} {lang}: {err}");
    out.join("briefing.xlsx")
}

#[test]
fn every_number_of_every_sheet_fits_its_column_by_the_width_rule() {
    let mut numbers = 0;
    let mut narrow_faults = 0;
    for kind in KINDS {
        for (code, lang) in LANGS {
            let sheets = sheets(kind, lang);
            // The workbook `report` writes is these sheets, cell for cell.
            let mut wb: calamine::Xlsx<_> = calamine::open_workbook(report(kind, code)).unwrap();
            let names: Vec<String> = sheets.iter().map(|s| s.name.clone()).collect();
            assert_eq!(wb.sheet_names(), names, "{kind} {code}");
            for sheet in &sheets {
                let range = wb.worksheet_range(&sheet.name).unwrap();
                for (c, col) in sheet.columns.iter().enumerate() {
                    assert_eq!(
                        range.get_value((0, c as u32)),
                        Some(&calamine::Data::String(col.head.clone()))
                    );
                    for (r, cell) in col.cells.iter().enumerate() {
                        let got = range.get_value((r as u32 + 1, c as u32));
                        match cell {
                            Cell::Num(v, _) => {
                                assert_eq!(got, Some(&calamine::Data::Float(*v)), "{kind} {}", sheet.name);
                                numbers += 1;
                            }
                            Cell::Text(t) => assert_eq!(got, Some(&calamine::Data::String(t.clone()))),
                            Cell::Empty => {
                                assert!(matches!(got, None | Some(calamine::Data::Empty)), "{got:?}")
                            }
                        }
                    }
                }
                let faults = too_wide(sheet);
                assert!(faults.is_empty(), "{kind} {code} {}: {faults:#?}", sheet.name);
                // The check can fail: at Excel's default width (8.43) the
                // same sheet has numbers that do not fit.
                let mut narrow = sheet.clone();
                for col in &mut narrow.columns {
                    col.width = 8.43;
                }
                narrow_faults += too_wide(&narrow).len();
            }
        }
    }
    assert!(numbers > 1000, "numbers checked: {numbers}");
    assert!(narrow_faults > 100, "at the default width {narrow_faults} numbers would not fit");
}

#[test]
fn every_amount_in_yuan_stands_also_in_wan_or_yi_yuan_beside_it() {
    for kind in KINDS {
        for (code, lang) in LANGS {
            let mut pairs = 0;
            for sheet in sheets(kind, lang) {
                for (i, col) in sheet.columns.iter().enumerate() {
                    if !(col.head.ends_with("（元）") || col.head.ends_with(" (yuan)")) {
                        continue;
                    }
                    let next = &sheet.columns[i + 1];
                    let div = [
                        ("（万元）", 1e4),
                        ("（亿元）", 1e8),
                        ("(million yuan)", 1e6),
                        ("(billion yuan)", 1e9),
                    ]
                    .iter()
                    .find(|(u, _)| next.head.ends_with(u))
                    .unwrap_or_else(|| panic!("{kind} {code}: {:?} then {:?}", col.head, next.head))
                    .1;
                    assert_eq!(col.head.split(['（', '(']).next(), next.head.split(['（', '(']).next());
                    for (a, s) in col.cells.iter().zip(&next.cells) {
                        match (a, s) {
                            (Cell::Num(y, _), Cell::Num(x, _)) => {
                                assert!((x * div - y).abs() <= 1e-6 * y.abs())
                            }
                            (a, s) => assert_eq!(a, s, "{kind} {code} {}", col.head),
                        }
                    }
                    // Province totals above 1亿 are in 亿元, county amounts
                    // in 万元 (Chinese); English uses millions below a
                    // billion.
                    let largest = col.cells.iter().fold(0.0_f64, |m, c| match c {
                        Cell::Num(y, _) => m.max(y.abs()),
                        _ => m,
                    });
                    let want = match lang {
                        Lang::Zh if largest >= 1e8 => 1e8,
                        Lang::Zh => 1e4,
                        Lang::En if largest >= 1e9 => 1e9,
                        Lang::En => 1e6,
                    };
                    assert_eq!(div, want, "{kind} {code} {}: largest {largest}", col.head);
                    pairs += 1;
                }
            }
            assert!(pairs >= 1, "{kind} {code}: no amount in yuan");
        }
    }
}

fn json(kind: &str, file: &str) -> Value {
    let p = crate::briefing::outputs().join(kind).join(file);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn column<'a>(sheet: &'a Sheet, head: &str) -> &'a [Cell] {
    &sheet.columns.iter().find(|c| c.head == head).unwrap_or_else(|| panic!("no column {head}")).cells
}

fn text(c: &Cell) -> &str {
    match c {
        Cell::Text(t) => t,
        Cell::Empty => "",
        other => panic!("not a text: {other:?}"),
    }
}

fn number(c: &Cell) -> f64 {
    match c {
        Cell::Num(v, _) => *v,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn a_stress_workbook_has_the_shock_and_the_watch_list_with_reasons_and_cover() {
    let st = json("stress", "stress.json");
    let sheets = sheets("stress", Lang::En);
    let shock = sheets.iter().find(|s| s.name == "Shock").unwrap();
    let items: Vec<&str> = shock.columns[0].cells.iter().map(text).collect();
    let value = |item: &str| &shock.columns[1].cells[items.iter().position(|i| *i == item).unwrap()];
    assert_eq!(text(value("Shock (--shock)")), st["shock"].as_str().unwrap());
    assert_eq!(number(value("Severity (1 = a typical hit)")), 2.0, "drought:2");
    assert_eq!(text(value("Kind")), "disaster");
    let watched = st["counties"].as_array().unwrap().iter().filter(|c| c["watch"] == true).count();
    assert_eq!(number(value("Counties on the watch list")), watched as f64);
    assert_eq!(
        number(value("Watch threshold: fund cover below")),
        st["thresholds"]["fund_cover_ratio"].as_f64().unwrap()
    );

    let w = sheets.iter().find(|s| s.name == "Watch list").unwrap();
    let list = st["counties"].as_array().unwrap();
    assert_eq!(w.columns[0].cells.len(), list.len());
    let codes = column(w, "Code");
    let why = column(w, "Why");
    let on = column(w, "On the watch list");
    let cover = column(w, "Fund cover (fund at start ÷ expected claims)");
    let claims = column(w, "Expected claims (mean) (yuan)");
    for (i, c) in list.iter().enumerate() {
        assert_eq!(c["rank"].as_u64().unwrap() as usize, i + 1, "stress.json lists by rank");
        assert_eq!(text(&codes[i]), c["id"].as_str().unwrap());
        assert_eq!(text(&on[i]), if c["watch"] == true { "yes" } else { "no" });
        let reasons = c["watch_reasons"].as_array().unwrap();
        assert_eq!(text(&why[i]).split("; ").filter(|s| !s.is_empty()).count(), reasons.len());
        match c["fund_cover_ratio"].as_f64() {
            Some(x) => assert_eq!(number(&cover[i]), x),
            None => assert_eq!(text(&cover[i]), "no claims expected"),
        }
        assert_eq!(number(&claims[i]), c["expected_claims_yuan"]["mean"].as_f64().unwrap());
    }
}

#[test]
fn comparison_rows_start_with_the_headline_figures_then_the_counties() {
    let cmp = json("compare", "compare.json");
    for (code, lang) in LANGS {
        let sheets = sheets("compare", lang);
        let s = &sheets[0];
        let keys: Vec<&str> = s.columns[0].cells.iter().map(text).collect();
        let scope: Vec<&str> = s.columns[2].cells.iter().map(text).collect();
        let province = cmp["province"].as_object().unwrap().len();
        assert!(scope[..province].iter().all(|x| *x == scope[0]), "{code}: province rows first");
        assert!(scope[province..].iter().all(|x| *x != scope[0]), "{code}");
        assert_eq!(&keys[..3], ["exhaustion_probability", "claims_paid_yuan", "loss_fund_yuan"], "{code}");
        let at = |k: &str| keys.iter().position(|x| *x == k).unwrap();
        assert!(
            at("loss_bank_yuan") < at("peak_overdue_rate") && at("peak_overdue_rate") < at("disbursed_yuan")
        );
        // Interval bounds under their own headers.
        let heads: Vec<&str> = s.columns.iter().map(|c| c.head.as_str()).collect();
        let (low, high) = match lang {
            Lang::Zh => ("下限（95%置信区间）", "上限（95%置信区间）"),
            Lang::En => ("Lower bound (95% interval)", "Upper bound (95% interval)"),
        };
        let l = heads.iter().position(|h| *h == low).unwrap();
        assert_eq!(heads[l + 1], high);
        let d = &cmp["province"]["loss_fund_yuan"];
        let row = at("loss_fund_yuan");
        assert_eq!(number(&s.columns[l].cells[row]), d["ci95_low"].as_f64().unwrap());
        assert_eq!(number(&s.columns[l + 1].cells[row]), d["ci95_high"].as_f64().unwrap());
    }
}

#[test]
fn breakpoint_severities_show_rounded_and_hold_the_exact_values() {
    let bp = json("breakpoint", "breakpoint.json");
    let sheets = sheets("breakpoint", Lang::Zh);
    let s = &sheets[0];
    let sev = &s.columns[4];
    assert!(sev.head.contains("干旱") && sev.head.contains("10.00%"), "{}", sev.head);
    for (i, c) in bp["counties"].as_array().unwrap().iter().enumerate() {
        match (c["severity"].as_f64(), &sev.cells[i]) {
            (Some(x), Cell::Num(v, shown)) => {
                assert_eq!(*v, x);
                assert_eq!(shown.code(), "0.00");
            }
            (None, Cell::Text(t)) => assert_eq!(t, "网格内未达到"),
            (want, got) => panic!("{want:?} {got:?}"),
        }
    }
}

/// `soffice` and `pdftotext` on the path, or why the test is skipped.
fn renderer() -> Result<(), String> {
    for (tool, arg, pkg) in
        [("soffice", "--version", "libreoffice-calc-nogui"), ("pdftotext", "-v", "poppler-utils")]
    {
        if Command::new(tool).arg(arg).output().is_err() {
            return Err(format!("{tool} not found (install {pkg})"));
        }
    }
    Ok(())
}

/// Renders the workbooks `files` to PDF with LibreOffice (one process for
/// all) and returns each one's text.
fn rendered(files: &[PathBuf], out: &Path) -> Vec<String> {
    // A profile of its own, so that a LibreOffice already running (or a
    // parallel test) does not take the job and drop it.
    let profile = format!("-env:UserInstallation=file://{}", out.join("profile").display());
    let status = Command::new("soffice")
        .args([profile.as_str(), "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(out)
        .args(files)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    files
        .iter()
        .map(|f| {
            let pdf = out.join(f.with_extension("pdf").file_name().unwrap());
            let t = Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
            assert!(t.status.success(), "pdftotext {}", pdf.display());
            String::from_utf8(t.stdout).unwrap()
        })
        .collect()
}

#[test]
fn libreoffice_renders_every_workbook_without_hashes() {
    if let Err(why) = renderer() {
        println!("skipped: LibreOffice rendering of the workbooks not tested: {why}");
        return;
    }
    let d = crate::support::scratch("workbook-render");
    let mut files = Vec::new();
    for kind in KINDS {
        for (code, _) in LANGS {
            let f = d.join(format!("{kind}-{code}.xlsx"));
            std::fs::copy(report(kind, code), &f).unwrap();
            files.push(f);
        }
    }
    // The check can fail: the stress sheets with every column at 4
    // characters render numbers as "###".
    let mut narrow = sheets("stress", Lang::Zh);
    for col in narrow.iter_mut().flat_map(|s| s.columns.iter_mut()) {
        col.width = 4.0;
    }
    let f = d.join("narrow.xlsx");
    std::fs::write(&f, b::sheets_xlsx(&narrow).unwrap()).unwrap();
    files.push(f);
    let texts = rendered(&files, &d);
    let (narrow_text, texts) = texts.split_last().unwrap();
    assert!(narrow_text.contains("###"), "a too-narrow column shows ###");
    for (f, t) in files.iter().zip(texts) {
        let name = f.file_name().unwrap().to_string_lossy();
        assert!(t.len() > 200, "{name}: rendered {} bytes", t.len());
        let hashes = t.lines().filter(|l| l.contains("###")).take(5).collect::<Vec<_>>();
        assert!(hashes.is_empty(), "{name}: {hashes:#?}");
    }
}
