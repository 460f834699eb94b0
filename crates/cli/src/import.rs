//! `mcstress import`: a ledger (台账) aggregated into a county data file with
//! township rows, and a scenario that uses it — what a county can hand the
//! province instead of personal data.
//!
//! The ledger is read exactly as a run reads it (through the scenario's
//! `[data]` loader, so every check and every message is the same); the
//! aggregates are those the county file's reader turns back into a book
//! (`mcstress_scenario::data::book_from_aggregates`), so that a run from
//! what `import` wrote starts from the ledger's state in every county and
//! township.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use mcstress_scenario::data::{Aggregates, StartingBook};
use mcstress_scenario::{Scenario, Setting};

use crate::InputError;
use crate::args::ImportArgs;
use crate::files::{OutDir, load_scenario_with};

/// Fen as yuan, exact, without trailing zeros.
fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let (y, f) = (fen.unsigned_abs() / 100, fen.unsigned_abs() % 100);
    match f {
        0 => format!("{sign}{y}"),
        f if f % 10 == 0 => format!("{sign}{y}.{}", f / 10),
        f => format!("{sign}{y}.{f:02}"),
    }
}

fn flag(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

pub(crate) fn import_cmd(a: ImportArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let abs = |p: &Path| -> anyhow::Result<String> {
        let c =
            std::fs::canonicalize(p).map_err(|e| InputError(format!("{}: cannot read: {e}", p.display())))?;
        Ok(c.display().to_string())
    };
    let mut settings = vec![Setting {
        field: "data.ledger".into(),
        value: mcstress_scenario::toml_string(&abs(&a.ledger)?),
    }];
    if let Some(c) = &a.counties {
        settings
            .push(Setting { field: "data.counties".into(), value: mcstress_scenario::toml_string(&abs(c)?) });
    }
    if let Some(d) = &a.as_of {
        settings.push(Setting { field: "data.as_of".into(), value: mcstress_scenario::toml_string(d) });
    }
    if let Some(sh) = &a.sheet {
        settings
            .push(Setting { field: "data.ledger_sheet".into(), value: mcstress_scenario::toml_string(sh) });
    }
    let (loaded, _) = load_scenario_with(a.scenario.as_deref(), None, &settings)?;
    let s = &loaded.scenario;
    let book = s.book.as_deref().context("internal error: a ledger gave no starting book")?;
    let (csv, maturing_months) = county_file(s, book)?;

    // The scenario: the base it was imported against, with the county file
    // and no ledger.
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    let extends = match &a.scenario {
        Some(p) => abs(p)?,
        None => {
            files.push(("base.toml", mcstress_scenario::EMBEDDED_TEXT.as_bytes().to_vec()));
            "base.toml".to_string()
        }
    };
    let ledger_name = a.ledger.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let scenario = format!(
        "# Written by `mcstress import` from the ledger {ledger} (as of {as_of}): its\n\
         # loans aggregated by county and township in counties.csv. No name, ID\n\
         # number or loan number is in either file.\n\
         extends = {extends}\n\n\
         [data]\n\
         counties = \"counties.csv\"\n\
         # The aggregates stand for the ledger here.\n\
         ledger = \"\"\n\
         as_of = \"{as_of}\"\n",
        ledger = mcstress_scenario::toml_string(&ledger_name),
        as_of = book.as_of,
        extends = mcstress_scenario::toml_string(&extends),
    );
    files.push(("counties.csv", csv));
    files.push(("scenario.toml", scenario.into_bytes()));
    let dir = OutDir::lock(&a.out)?;
    dir.write_files(&files)?;

    let loans = book.loans.len();
    let outstanding: i64 = book.loans.iter().map(|l| l.principal.0).sum();
    let overdue: i64 = book.loans.iter().filter(|l| l.overdue_months > 0).map(|l| l.principal.0).sum();
    let towns: usize = book.townships.iter().map(Vec::len).sum();
    writeln!(
        out,
        "imported {loans} loans ({} yuan outstanding, {:.2} % overdue) of {} counties and {towns} townships \
         as of {}{}; {} maturity months\nwrote {}",
        yuan(outstanding),
        if outstanding > 0 { overdue as f64 / outstanding as f64 * 100.0 } else { 0.0 },
        s.counties.len(),
        book.as_of,
        if book.repaid_rows > 0 {
            format!(" ({} rows with no balance left off)", book.repaid_rows)
        } else {
            String::new()
        },
        maturing_months,
        files.iter().map(|(n, _)| a.out.join(n).display().to_string()).collect::<Vec<_>>().join(", ")
    )
    .context("cannot write to standard output")?;
    Ok(crate::EXIT_OK)
}

/// The county data file of a starting book: a row per county, then its
/// township rows, UTF-8 with a BOM (so that Excel reads it right).
fn county_file(s: &Scenario, book: &StartingBook) -> anyhow::Result<(Vec<u8>, usize)> {
    let n_c = s.counties.len();
    let mut county = vec![Aggregates::default(); n_c];
    let mut town: Vec<Vec<Aggregates>> =
        book.townships.iter().map(|t| vec![Aggregates::default(); t.len()]).collect();
    let mut maturing: Vec<BTreeMap<i16, i64>> = vec![BTreeMap::new(); n_c];
    for l in &book.loans {
        county[l.county].add(l.product, l.principal.0, l.overdue_months);
        town[l.county][l.township as usize].add(l.product, l.principal.0, l.overdue_months);
        if l.beside.is_some() {
            county[l.county].two_loan_households += 1;
            town[l.county][l.township as usize].two_loan_households += 1;
        }
        if l.maturity >= 0 {
            *maturing[l.county].entry(l.maturity).or_default() += l.principal.0;
        }
    }
    let months: Vec<i16> = {
        let mut m: Vec<i16> = maturing.iter().flat_map(|m| m.keys().copied()).collect();
        m.sort_unstable();
        m.dedup();
        m
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "县(区)代码",
        "县(区)",
        "乡(镇)",
        "州(市)",
        "原贫困县",
        "国家乡村振兴重点帮扶县",
        "边境县",
        "符合条件户数（户）",
        "首贷笔数",
        "追贷笔数",
        "商业贷款笔数",
        "首贷余额（元）",
        "追贷余额（元）",
        "商业贷款余额（元）",
        "逾期1-30天笔数",
        "逾期31-90天笔数",
        "逾期91-180天笔数",
        "逾期180天以上笔数",
        "逾期1-30天本金（元）",
        "逾期31-90天本金（元）",
        "逾期91-180天本金（元）",
        "逾期180天以上本金（元）",
        "风险补偿金余额（元）",
        "核定规模（元）",
        "财政补充能力（元/年）",
        "首贷追贷并存户数（户）",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    header.extend(months.iter().map(|m| format!("{}到期余额（元）", s.start.plus(i32::from(*m)))));
    w.write_record(&header)?;
    let sums_cells = |x: &Aggregates| -> Vec<String> {
        let mut v: Vec<String> = x.loans.iter().map(u64::to_string).collect();
        v.extend(x.balance.iter().map(|f| yuan(*f)));
        v.extend(x.overdue_loans.iter().map(u64::to_string));
        v.extend(x.overdue_principal.iter().map(|f| yuan(*f)));
        v
    };
    for (c, cty) in s.counties.iter().enumerate() {
        let pref = s.prefectures.get(cty.prefecture).map(|p| p.name.clone()).unwrap_or_default();
        let mut row = vec![
            format!("{:06}", cty.code.0),
            cty.name.clone(),
            String::new(),
            pref.clone(),
            flag(cty.former_poverty).into(),
            flag(cty.key_county).into(),
            flag(cty.border).into(),
            cty.profile.eligible_households.to_string(),
        ];
        row.extend(sums_cells(&county[c]));
        row.push(yuan(cty.fund.0));
        row.push(yuan(cty.endowment.0));
        row.push(cty.fiscal_capacity.map_or(String::new(), |f| yuan(f.0)));
        row.push(county[c].two_loan_households.to_string());
        row.extend(months.iter().map(|m| maturing[c].get(m).map_or(String::new(), |f| yuan(*f))));
        w.write_record(&row)?;
        for (t, seed) in book.townships[c].iter().enumerate() {
            let mut row =
                vec![format!("{:06}", cty.code.0), cty.name.clone(), seed.name.clone(), pref.clone()];
            row.extend(["", "", ""].map(String::from));
            row.push(seed.eligible_households.to_string());
            row.extend(sums_cells(&town[c][t]));
            row.extend(["", "", ""].map(String::from));
            row.push(town[c][t].two_loan_households.to_string());
            row.extend(months.iter().map(|_| String::new()));
            w.write_record(&row)?;
        }
    }
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?);
    Ok((bytes, months.len()))
}
