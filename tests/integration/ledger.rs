//! Real books in: a scenario whose starting book is a bank's ledger
//! (`[data] ledger`), its month-0 state, and what never leaves the ledger.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mcstress_scenario::import::{Date, SyntheticCounty, synthetic_csv, synthetic_ledger};

use crate::support::{cli, root, scratch, write};

/// The ledger date of the small test scenario (it starts in 2024-01).
const AS_OF: Date = Date { year: 2023, month: 12, day: 31 };

/// Columns of the synthetic ledger.
const COL_NAME: usize = 1;
const COL_ID: usize = 2;
const COL_COUNTY: usize = 3;
const COL_TOWNSHIP: usize = 4;
const COL_BALANCE: usize = 10;
const COL_DAYS: usize = 15;

/// A ledger of the small scenario's three counties (fewer loans than their
/// eligible households), as rows.
pub fn small_ledger_rows(seed: u64) -> Vec<Vec<String>> {
    let counties =
        [(530621, "鲁甸县", 5, 900), (530622, "巧家县", 6, 1100), (530828, "澜沧拉祜族自治县", 8, 1300)];
    let counties: Vec<SyntheticCounty> = counties
        .iter()
        .map(|(code, name, townships, loans)| SyntheticCounty {
            code: *code,
            name: name.to_string(),
            townships: *townships,
            loans: *loans,
        })
        .collect();
    synthetic_ledger(&counties, AS_OF, seed)
}

/// Writes `ledger.csv` (GBK when `gbk`) and a scenario extending the small
/// test scenario that takes its book from it; returns the scenario's path.
pub fn ledger_scenario(dir: &Path, rows: &[Vec<String>], gbk: bool) -> PathBuf {
    let text = synthetic_csv("脱贫人口小额信贷台账（2023年12月末）", rows);
    let bytes = if gbk { encoding_rs_gbk(&text) } else { text.into_bytes() };
    std::fs::write(dir.join("ledger.csv"), bytes).expect("can write the ledger");
    let small = root().join("tests/data/small.toml");
    write(
        dir,
        "scenario.toml",
        &format!("extends = {:?}\n\n[data]\nledger = \"ledger.csv\"\n", small.display().to_string()),
    )
}

/// GBK bytes of `text`.
fn encoding_rs_gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable, "the synthetic ledger is GBK text");
    bytes.into_owned()
}

/// An amount of yuan as the ledger writes it ("40000", "12345.6"), in fen.
fn fen(text: &str) -> i64 {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let frac = format!("{frac:0<2}");
    whole.parse::<i64>().expect("yuan") * 100 + frac[..2].parse::<i64>().expect("fen")
}

/// Overdue principal ÷ outstanding principal of the ledger's loans with a
/// balance, keyed by (county code, township) and by (county code, "").
fn ledger_rates(rows: &[Vec<String>]) -> BTreeMap<(String, String), f64> {
    let mut sums: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for r in rows {
        let balance = fen(&r[COL_BALANCE]);
        if balance == 0 {
            continue;
        }
        let overdue = if r[COL_DAYS].parse::<u32>().expect("days") > 0 { balance } else { 0 };
        for key in [(r[COL_COUNTY].clone(), r[COL_TOWNSHIP].clone()), (r[COL_COUNTY].clone(), String::new())]
        {
            let e = sums.entry(key).or_default();
            e.0 += overdue;
            e.1 += balance;
        }
    }
    sums.into_iter().map(|(k, (o, b))| (k, o as f64 / b as f64)).collect()
}

/// The rows of a CSV output file, header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).expect("output file");
    text.lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
}

#[test]
fn month_zero_overdue_rates_equal_the_ledgers_by_county_and_township() {
    let dir = scratch("ledger-month-zero");
    let rows = small_ledger_rows(7);
    let scenario = ledger_scenario(&dir, &rows, true);
    let out = dir.join("out");
    let (code, _, err) =
        cli(&["run", scenario.to_str().unwrap(), "--paths", "3", "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let want = ledger_rates(&rows);
    assert!(want.values().any(|r| *r > 0.0), "the ledger has overdue loans");

    let monthly = csv_rows(&out.join("monthly.csv"));
    let mut seen = 0;
    for r in monthly.iter().skip(1).filter(|r| r[0] == "0" && r[3] == "overdue_rate" && r[2] != "province") {
        let rate: f64 = r[4].parse().unwrap();
        assert_eq!(rate, want[&(r[2].clone(), String::new())], "county {}", r[2]);
        assert_eq!(r[1], "2023-12");
        seen += 1;
    }
    assert_eq!(seen, 3);

    let towns = csv_rows(&out.join("townships.csv"));
    assert_eq!(towns[0][..4], ["month", "date", "county_id", "township"]);
    let mut seen = 0;
    for r in towns.iter().skip(1).filter(|r| r[0] == "0") {
        let rate: f64 = r[5].parse().unwrap();
        assert_eq!(rate, want[&(r[2].clone(), r[3].clone())], "township {} of {}", r[3], r[2]);
        seen += 1;
    }
    let ledger_towns = want.keys().filter(|k| !k.1.is_empty()).count();
    assert_eq!(seen, ledger_towns, "every township of the ledger, and no other");
    // Every month of the horizon follows for every township.
    assert_eq!(towns.len() - 1, ledger_towns * 25);
}

#[test]
fn a_ledger_book_is_the_ledgers_loans_and_balances() {
    let dir = scratch("ledger-book");
    let rows = small_ledger_rows(11);
    let scenario = ledger_scenario(&dir, &rows, false);
    let (code, out, err) = cli(&["run", scenario.to_str().unwrap(), "--paths", "2", "--json", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let with_balance: Vec<&Vec<String>> = rows.iter().filter(|r| fen(&r[COL_BALANCE]) > 0).collect();
    let outstanding: i64 = with_balance.iter().map(|r| fen(&r[COL_BALANCE])).sum();
    assert_eq!(v["province"]["loans_start"].as_u64().unwrap(), with_balance.len() as u64);
    assert_eq!(v["province"]["outstanding_start_yuan"].as_f64().unwrap(), outstanding as f64 / 100.0);
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("readable") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn names_and_id_numbers_from_a_ledger_reach_no_output_chart_report_or_message() {
    let dir = scratch("ledger-privacy");
    let mut rows = small_ledger_rows(5);
    // Marker names planted in a few rows, beside the generator's fake ones.
    for (k, r) in rows.iter_mut().enumerate().filter(|(k, _)| k % 97 == 0) {
        r[COL_NAME] = format!("标记姓名{}", k % 7);
    }
    let names: Vec<String> = rows.iter().map(|r| r[COL_NAME].clone()).collect();
    let ids: Vec<String> = rows.iter().map(|r| r[COL_ID].clone()).collect();
    let scenario = ledger_scenario(&dir, &rows, true);
    let s = scenario.to_str().unwrap();
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    let mut messages = String::new();
    let mut step = |args: &[&str]| {
        let (code, stdout, stderr) = cli(args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        messages.push_str(&stdout);
        messages.push_str(&stderr);
    };
    step(&["validate", s]);
    step(&["run", s, "--paths", "2", "--out", o]);
    step(&["chart", o, "--lang", "zh", "--format", "both"]);
    step(&["report", o, "--lang", "zh"]);
    let compared = out.join("compare");
    step(&["compare", s, "--variant", "higher-share", "--paths", "2", "--out", compared.to_str().unwrap()]);
    step(&["report", compared.to_str().unwrap(), "--lang", "en"]);
    step(&["stress", s, "--paths", "2", "--shock", "drought"]);
    let small = root().join("tests/data/small.toml");
    let imported = out.join("imported");
    step(&[
        "import",
        dir.join("ledger.csv").to_str().unwrap(),
        "--scenario",
        small.to_str().unwrap(),
        "--out",
        imported.to_str().unwrap(),
    ]);
    // A ledger with a bad row: the message names row and column, not the
    // borrower.
    let mut bad = rows.clone();
    bad[3][COL_ID] = format!("{}0", &ids[3][..17]);
    bad[4][COL_BALANCE] = "-5".into();
    let bad_dir = dir.join("bad");
    std::fs::create_dir_all(&bad_dir).unwrap();
    let bad_scenario = ledger_scenario(&bad_dir, &bad, false);
    let report = bad_dir.join("rows.csv");
    let (code, stdout, stderr) =
        cli(&["validate", bad_scenario.to_str().unwrap(), "--row-report", report.to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("row 6, column 身份证号码"), "{stderr}");
    messages.push_str(&stdout);
    messages.push_str(&stderr);
    let mut texts = vec![("messages".to_string(), messages.into_bytes())];
    for f in files_under(&out).into_iter().chain([report]) {
        texts.push((f.display().to_string(), std::fs::read(&f).unwrap()));
    }
    assert!(texts.len() > 10, "outputs, charts and the briefing were written");
    for (file, bytes) in &texts {
        // Text files as text; the workbook and PNGs hold text in zipped or
        // binary form, searched as bytes (the workbook's XML is deflated,
        // so it is unzipped below).
        let text = String::from_utf8_lossy(bytes);
        for n in names.iter().filter(|n| n.starts_with("标记")).chain(names.iter().take(200)) {
            assert!(!text.contains(n.as_str()), "{file} contains the name {n}");
        }
        for id in &ids {
            assert!(!text.contains(id.as_str()), "{file} contains an ID number");
        }
    }
    // The workbook's sheets, unzipped.
    let xlsx = out.join("briefing.xlsx");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).expect("the workbook opens");
    use calamine::Reader;
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).expect("sheet");
        for cell in range.cells() {
            let v = cell.2.to_string();
            assert!(
                !names.contains(&v) && !ids.contains(&v),
                "briefing.xlsx sheet {sheet} holds ledger data"
            );
        }
    }
}

/// Month-0 rows of `figure` by county from monthly.csv, and of every
/// township from townships.csv (p50).
fn month_zero(out: &Path) -> (BTreeMap<String, f64>, BTreeMap<(String, String), f64>) {
    let counties = csv_rows(&out.join("monthly.csv"))
        .into_iter()
        .skip(1)
        .filter(|r| r[0] == "0" && r[3] == "overdue_rate")
        .map(|r| (r[2].clone(), r[4].parse().unwrap()))
        .collect();
    let towns = csv_rows(&out.join("townships.csv"))
        .into_iter()
        .skip(1)
        .filter(|r| r[0] == "0")
        .map(|r| ((r[2].clone(), r[3].clone()), r[5].parse().unwrap()))
        .collect();
    (counties, towns)
}

#[test]
fn a_county_file_of_aggregates_is_the_book_its_month_zero_rates_are_the_files() {
    let dir = scratch("county-aggregates");
    // 鲁甸县 by township (balances in 万元), 巧家县 as a county total, 澜沧
    // with no book at all (a data-poor county: its profile's book).
    let csv = "\u{feff}县(区)代码,县(区),乡(镇),脱贫户户数,首贷笔数,首贷余额（万元）,追贷笔数,追贷余额（万元）,逾期1-30天笔数,逾期1-30天本金（万元）,逾期180天以上笔数,逾期180天以上本金（万元）,风险补偿金余额（万元）\r\n\
530621,鲁甸县,,12000,,,,,,,,,600\r\n\
530621,鲁甸县,龙头山镇,5000,800,3200.5,40,150,12,40.25,3,12\r\n\
530621,鲁甸县,水磨镇,7000,1200,4800,60,210,0,0,5,20.01\r\n\
530622,巧家县,,15000,2500,10000,100,400,30,100,10,45\r\n\
530828,澜沧拉祜族自治县,,,,,,,,,,,500\r\n";
    write(&dir, "counties.csv", csv);
    let small = root().join("tests/data/small.toml");
    let scenario = write(
        &dir,
        "scenario.toml",
        &format!("extends = {:?}\n\n[data]\ncounties = \"counties.csv\"\n", small.display().to_string()),
    );
    let out = dir.join("out");
    let (code, _, err) =
        cli(&["run", scenario.to_str().unwrap(), "--paths", "2", "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let (counties, towns) = month_zero(&out);
    // Overdue principal ÷ outstanding principal as the file says; `w`:
    // hundredths of 万元 in fen.
    let rate = |overdue: i64, outstanding: i64| overdue as f64 / outstanding as f64;
    let w = |hundredths: i64| hundredths * 10_000;
    let longtou = rate(w(4025) + w(1200), w(320_050) + w(15_000));
    let shuimo = rate(w(2001), w(480_000) + w(21_000));
    assert_eq!(towns[&("530621".to_string(), "龙头山镇".to_string())], longtou);
    assert_eq!(towns[&("530621".to_string(), "水磨镇".to_string())], shuimo);
    let ludian = rate(w(4025) + w(1200) + w(2001), w(320_050) + w(15_000) + w(480_000) + w(21_000));
    assert_eq!(counties["530621"], ludian);
    assert_eq!(counties["530622"], rate(w(10_000) + w(4500), w(1_000_000) + w(40_000)));
    // The county's six townships of the scenario share its book.
    assert_eq!(towns.keys().filter(|k| k.0 == "530622").count(), 6);
    assert_eq!(counties["530828"], 0.0, "a data-poor county starts current");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let c = |code: &str| {
        summary["counties"].as_array().unwrap().iter().find(|c| c["id"] == code).unwrap().clone()
    };
    assert_eq!(c("530621")["loans_start"], 2100);
    assert_eq!(c("530621")["fund_start_yuan"], 6_000_000.0);
    assert_eq!(c("530622")["outstanding_start_yuan"], 104_000_000.0);
    assert_eq!(c("530828")["loans_start"], 4000, "the profile's loans");
}

/// Imports the small ledger (with `county_file`, a county data file's
/// text, if given), runs the ledger and what import wrote, and checks that
/// both start from the same state.
fn import_round_trip(name: &str, county_file: Option<&str>) {
    let dir = scratch(name);
    let rows = small_ledger_rows(13);
    let from_ledger = ledger_scenario(&dir, &rows, true);
    let small = root().join("tests/data/small.toml");
    let imported = dir.join("imported");
    let ledger = dir.join("ledger.csv");
    let mut args = vec![
        "import".to_string(),
        ledger.display().to_string(),
        "--scenario".into(),
        small.display().to_string(),
        "--out".into(),
        imported.display().to_string(),
    ];
    if let Some(text) = county_file {
        let f = write(&dir, "counties.csv", text);
        std::fs::write(
            &from_ledger,
            format!("{}counties = \"counties.csv\"\n", std::fs::read_to_string(&from_ledger).unwrap()),
        )
        .unwrap();
        args.extend(["--counties".to_string(), f.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, err) = cli(&args);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains(&format!(
            "imported {} loans",
            rows.iter().filter(|r| fen(&r[COL_BALANCE]) > 0).count()
        ))
    );
    let run = |scenario: &Path, out: &Path| {
        let (code, _, err) = cli(&[
            "run",
            scenario.to_str().unwrap(),
            "--paths",
            "2",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        assert_eq!(code, 0, "{err}");
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        let month0: Vec<Vec<String>> =
            csv_rows(&out.join("monthly.csv")).into_iter().filter(|r| r[0] == "0").collect();
        let towns: Vec<Vec<String>> =
            csv_rows(&out.join("townships.csv")).into_iter().filter(|r| r[0] == "0").collect();
        (summary, month0, towns)
    };
    let (a, a0, at) = run(&from_ledger, &dir.join("out-ledger"));
    let (b, b0, bt) = run(&imported.join("scenario.toml"), &dir.join("out-import"));
    // The starting state, county by county and township by township.
    assert_eq!(a0, b0, "month 0 of monthly.csv");
    assert_eq!(at, bt, "month 0 of townships.csv");
    for key in [
        "id",
        "name",
        "loans_start",
        "outstanding_start_yuan",
        "fund_start_yuan",
        "key_county",
        "former_poverty",
    ] {
        for (ca, cb) in a["counties"].as_array().unwrap().iter().zip(b["counties"].as_array().unwrap()) {
            assert_eq!(ca[key], cb[key], "{key} of {}", ca["id"]);
        }
    }
    assert_eq!(a["province"]["loans_start"], b["province"]["loans_start"]);
    assert_eq!(a["province"]["outstanding_start_yuan"], b["province"]["outstanding_start_yuan"]);
    // What import wrote holds no personal data.
    for f in ["counties.csv", "scenario.toml"] {
        let text = std::fs::read_to_string(imported.join(f)).unwrap();
        for r in &rows {
            assert!(!text.contains(&r[COL_NAME]) && !text.contains(&r[COL_ID]), "{f} holds a name or ID");
            assert!(!text.contains(&r[0]), "{f} holds a loan number");
        }
    }
}

#[test]
fn a_run_from_what_import_wrote_starts_where_the_run_from_the_ledger_starts() {
    import_round_trip("ledger-import", None);
}

#[test]
fn with_a_county_file_import_carries_its_households_fund_and_flags_into_the_aggregates() {
    // Eligible households as a total, the fund in 万元, a flag the
    // scenario does not have: all reach both runs alike.
    let counties = "县(区)代码,县(区),符合条件户数,风险补偿金余额（万元）,核定规模（万元）,边境县,原贫困县\n\
530621,鲁甸县,9000,420.5,500,是,否\n\
530622,巧家县,16000,800,800,否,是\n\
530828,澜沧拉祜族自治县,21000,300,600,是,是\n";
    import_round_trip("ledger-import-counties", Some(counties));
}

#[test]
fn stress_names_each_countys_worst_townships_from_the_ledger() {
    let dir = scratch("ledger-stress");
    let rows = small_ledger_rows(17);
    let scenario = ledger_scenario(&dir, &rows, false);
    let (code, out, err) = cli(&[
        "stress",
        scenario.to_str().unwrap(),
        "--paths",
        "4",
        "--shock",
        "drought:2",
        "--json",
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut named = 0;
    for c in v["counties"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let towns: Vec<&str> =
            rows.iter().filter(|r| r[COL_COUNTY] == id).map(|r| r[COL_TOWNSHIP].as_str()).collect();
        let worst = c["worst_townships"].as_array().unwrap();
        assert!(worst.len() <= 3);
        let peaks: Vec<f64> = worst.iter().map(|t| t["peak_overdue_rate_mean"].as_f64().unwrap()).collect();
        assert!(peaks.windows(2).all(|w| w[0] >= w[1]), "worst first: {peaks:?}");
        assert!(peaks.iter().all(|p| *p > 0.0 && *p <= 1.0));
        for t in worst {
            assert!(towns.contains(&t["name"].as_str().unwrap()), "{t} is a township of {id} on the ledger");
        }
        named += worst.len();
    }
    assert!(named >= 3, "a drought leaves overdue loans in some townships");
}

#[test]
fn a_county_file_whose_aggregates_cannot_be_a_book_is_refused_naming_its_rows() {
    let dir = scratch("county-aggregates-bad");
    let csv = "县(区)代码,县(区),首贷笔数,首贷余额（元）,逾期1-30天笔数,逾期1-30天本金（元）,2023-11到期余额（元）\n\
530621,鲁甸县,10,400000,12,1000,\n\
530622,巧家县,10,400000,1,500000,\n\
530828,澜沧拉祜族自治县,10,400000,0,0,5000\n";
    write(&dir, "counties.csv", csv);
    let small = root().join("tests/data/small.toml");
    let scenario = write(
        &dir,
        "scenario.toml",
        &format!("extends = {:?}\n\n[data]\ncounties = \"counties.csv\"\n", small.display().to_string()),
    );
    let report = dir.join("rows.csv");
    let (code, _, err) =
        cli(&["validate", scenario.to_str().unwrap(), "--row-report", report.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("counties.csv: 3 problems"), "{err}");
    assert!(
        err.contains(
            "row 2: expected at most as many overdue loans as loans, found \"12 overdue loans of 10 loans\""
        ),
        "{err}"
    );
    assert!(err.contains("row 3: expected a balance that covers the overdue principal"), "{err}");
    assert!(
        err.contains("row 4: expected balances maturing from 2024-01 on (the first simulated month), found \"a balance maturing in 2023-11\""),
        "{err}"
    );
    let rows = std::fs::read_to_string(&report).unwrap();
    assert_eq!(rows.lines().count(), 4, "a header and every problem: {rows}");
    assert!(rows.starts_with("file,row,column,value,expected\n"));
}

/// One expected problem of the bad-ledger catalogue.
struct Case {
    row: u32,
    column: String,
    fragment: String,
    counties: String,
}

/// `tests/data/bad-ledgers/cases.tsv`: file → its expected problems.
fn catalogue() -> BTreeMap<String, Vec<Case>> {
    let text = std::fs::read_to_string(root().join("tests/data/bad-ledgers/cases.tsv")).unwrap();
    let mut out: BTreeMap<String, Vec<Case>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        out.entry(f[0].to_string()).or_default().push(Case {
            row: f[1].parse().unwrap(),
            column: f[2].to_string(),
            fragment: f[3].to_string(),
            counties: f[4].to_string(),
        });
    }
    out
}

#[test]
fn every_catalogued_bad_ledger_exits_2_naming_its_rows_and_columns_and_the_row_report_lists_them() {
    let dir = scratch("bad-ledgers");
    let cases = catalogue();
    assert!(cases.len() >= 30, "at least 30 bad ledgers");
    let data = root().join("tests/data/bad-ledgers");
    for (file, expected) in &cases {
        let mut toml = format!(
            "extends = {:?}\n\n[scenario]\nstart = \"2025-11\"\n\n[data]\nledger = {:?}\nas_of = \"2025-10-31\"\n",
            root().join("scenarios/yunnan-baseline.toml").display().to_string(),
            data.join(file).display().to_string()
        );
        if !expected[0].counties.is_empty() {
            toml.push_str(&format!(
                "counties = {:?}\n",
                data.join(&expected[0].counties).display().to_string()
            ));
        }
        let scenario = write(&dir, &format!("{file}.toml"), &toml);
        let report = dir.join(format!("{file}.rows.csv"));
        let (code, out, err) =
            cli(&["validate", scenario.to_str().unwrap(), "--row-report", report.to_str().unwrap()]);
        assert_eq!(code, 2, "{file}: {out}{err}");
        let rows =
            std::fs::read_to_string(&report).unwrap_or_else(|_| panic!("{file}: no row report; {err}"));
        let listed: Vec<&str> = rows.lines().skip(1).collect();
        assert_eq!(listed.len(), expected.len(), "{file}: the report lists exactly its problems:\n{rows}");
        for e in expected {
            let at = match (e.row, e.column.is_empty()) {
                (0, _) => "the file".to_string(),
                (r, true) => format!("row {r}:"),
                (r, false) => format!("row {r}, column {}", e.column),
            };
            let line = err.lines().find(|l| l.contains(&at) && l.contains(&e.fragment));
            assert!(line.is_some(), "{file}: no message at {at} with {:?} in\n{err}", e.fragment);
        }
    }
}

#[test]
fn a_ledger_as_a_workbook_with_a_title_row_gives_the_run_of_the_same_ledger_as_gbk_csv() {
    let dir = scratch("ledger-xlsx");
    let rows = small_ledger_rows(19);
    let csv_scenario = ledger_scenario(&dir, &rows, true);
    // The same rows in a workbook: a title row, then the header, then the
    // loans, every cell a string as banks' exports often have them.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "脱贫人口小额信贷台账（2023年12月末）").unwrap();
    for (c, h) in mcstress_scenario::import::SYNTHETIC_HEADER.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32 + 2, c as u16, cell).unwrap();
        }
    }
    book.save(dir.join("ledger.xlsx")).unwrap();
    let small = root().join("tests/data/small.toml");
    let xlsx_scenario = write(
        &dir,
        "xlsx.toml",
        &format!(
            "extends = {:?}\n\n[data]\nledger = {{ path = \"ledger.xlsx\" }}\n",
            small.display().to_string()
        ),
    );
    let run = |s: &Path| {
        let (code, out, err) = cli(&["run", s.to_str().unwrap(), "--paths", "3", "--json", "--quiet"]);
        assert_eq!(code, 0, "{err}");
        let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
        // The data files' names and bytes (in the hash): that alone differs.
        v["scenario"]["sha256"] = serde_json::Value::Null;
        v["scenario"]["ledger"] = serde_json::Value::Null;
        v
    };
    let (a, b) = (run(&csv_scenario), run(&xlsx_scenario));
    assert!(a["province"]["loans_start"].as_u64().unwrap() > 1000);
    assert_eq!(a, b);
}

#[test]
fn a_ledger_of_a_later_date_than_the_scenario_start_gets_a_hint_to_move_the_start() {
    let dir = scratch("ledger-later");
    let counties = [SyntheticCounty { code: 530621, name: "鲁甸县".into(), townships: 3, loans: 200 }];
    let rows = synthetic_ledger(&counties, Date { year: 2025, month: 10, day: 31 }, 3);
    let scenario = ledger_scenario(&dir, &rows, false);
    let (code, _, err) = cli(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("a date on or before the ledger date 2023-12-31"), "{err}");
    assert!(err.contains("hint: the ledger date is `data.as_of`"), "{err}");
    // With the start after the ledger's date it reads.
    let moved = format!("{}\n[scenario]\nstart = \"2025-11\"\n", std::fs::read_to_string(&scenario).unwrap());
    std::fs::write(&scenario, moved.replace("[data]\nledger = \"ledger.csv\"\n", "")).unwrap();
    let text = std::fs::read_to_string(&scenario).unwrap() + "\n[data]\nledger = \"ledger.csv\"\n";
    std::fs::write(&scenario, text).unwrap();
    let (code, out, err) = cli(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn summary_json_names_the_data_files_and_the_ledger_date() {
    let dir = scratch("ledger-provenance");
    let scenario = ledger_scenario(&dir, &small_ledger_rows(23), false);
    let (code, out, err) = cli(&["run", scenario.to_str().unwrap(), "--paths", "2", "--json", "--quiet"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["scenario"]["ledger"], "ledger.csv");
    assert_eq!(v["scenario"]["ledger_date"], "2023-12-31");
    assert!(v["scenario"].get("counties_file").is_none());
    // A changed ledger is a changed scenario.
    let first = v["scenario"]["sha256"].clone();
    let _ = ledger_scenario(&dir, &small_ledger_rows(24), false);
    let (_, out, _) = cli(&["run", scenario.to_str().unwrap(), "--paths", "2", "--json", "--quiet"]);
    let w: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_ne!(w["scenario"]["sha256"], first);
}

#[test]
fn a_county_the_scenario_does_not_have_is_named_at_its_row_under_the_header_as_written() {
    let dir = scratch("ledger-unknown-county");
    let mut rows = small_ledger_rows(29);
    rows[4][COL_COUNTY] = "530102".into();
    let text = synthetic_csv("台账", &rows).replacen("县(区)代码", "county code", 1);
    assert!(text.contains("county code"));
    std::fs::write(dir.join("ledger.csv"), text).unwrap();
    let small = root().join("tests/data/small.toml");
    let scenario = write(
        &dir,
        "scenario.toml",
        &format!("extends = {:?}\n\n[data]\nledger = \"ledger.csv\"\n", small.display().to_string()),
    );
    let (code, _, err) = cli(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("ledger.csv: 1 problem in the rows"), "{err}");
    assert!(
        err.contains("row 7, column county code: expected a county of the scenario (or of its county data file), found \"530102\""),
        "{err}"
    );
}

#[test]
fn a_household_with_a_first_and_a_follow_up_loan_on_the_ledger_holds_both_side_by_side() {
    const COL_PRODUCT: usize = 8;
    let rows = small_ledger_rows(5);
    // Households (ID numbers) with a balance on both a 首贷 and a 追贷.
    let mut products: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    for r in rows.iter().filter(|r| fen(&r[COL_BALANCE]) > 0) {
        let e = products.entry(r[COL_ID].as_str()).or_default();
        match r[COL_PRODUCT].as_str() {
            "首贷" => e.0 = true,
            "追贷" => e.1 = true,
            other => panic!("product {other}"),
        }
    }
    let both = products.values().filter(|(first, follow_up)| *first && *follow_up).count() as u64;
    assert!(both > 20, "the synthetic ledger has two-loan households ({both})");
    let csv = synthetic_csv("台账", &rows);
    let loaded = crate::support::small_with_data("\n[data]\nledger = \"ledger.csv\"\n", csv.as_bytes());
    let scenario = match loaded {
        Ok(l) => l.scenario,
        Err(e) => panic!("{e}"),
    };
    let (model, paths) = crate::support::simulate(&scenario, 4, 3, 2);
    assert_eq!(model.two_loan_households_start(), both);
    // The pairs stay pairs until one of the loans leaves the programme.
    assert!(paths.iter().all(|p| p.totals.two_loan_households_end > 0));
}

#[test]
fn a_county_files_two_loan_households_hold_their_loans_side_by_side_and_no_more_than_it_has() {
    let file = |pairs: u32| {
        format!(
            "县(区)代码,县(区),首贷笔数,追贷笔数,首贷余额（元）,追贷余额（元）,首贷追贷并存户数\n\
530621,鲁甸县,10,3,400000,120000,{pairs}\n530622,巧家县,10,0,400000,0,\n530828,澜沧拉祜族自治县,10,0,400000,0,0\n"
        )
    };
    let load = |csv: String| {
        crate::support::small_with_data("\n[data]\ncounties = \"counties.csv\"\n", csv.as_bytes())
    };
    let scenario = match load(file(3)) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{e}"),
    };
    let model = mcstress_engine::Model::prepare(&scenario);
    assert_eq!(model.two_loan_households_start(), 3);
    let err = match load(file(4)) {
        Ok(_) => panic!("four pairs of three follow-up loans were accepted"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("row 2: expected at most as many households with a first and a follow-up loan as the fewer of the two (3), found \"首贷追贷并存户数 4\""),
        "{err}"
    );
}
