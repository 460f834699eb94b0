//! Generated ledgers (`make-ledger`) read back through `read_ledger` in
//! every format, with the overdue share the generator aims at.

use mcstress_domain::Fen;
use mcstress_import::{
    CountyRef, Date, LedgerOptions, SYNTHETIC_HEADER, SheetChoice, SyntheticLoan, TARGET_OVERDUE_SHARE,
    Table, check_ledger_counties, decode, generate_loans, read_counties, read_ledger_bytes,
    synthetic_county_file, synthetic_county_header, yunnan_counties,
};

use crate::xlsx;

const AS_OF: Date = Date { year: 2025, month: 10, day: 31 };
const KEY: &[u8] = b"files test";

#[derive(Clone, Copy, Debug)]
enum Format {
    CsvGbk,
    CsvUtf8Bom,
    Xlsx,
}

/// The bytes `make-ledger` writes for a table in `format`.
fn encode(format: Format, header: &[String], rows: Vec<Vec<String>>) -> Vec<u8> {
    let title = "脱贫人口小额信贷台账（2025年10月31日，合成数据）";
    if let Format::Xlsx = format {
        return xlsx::workbook("台账", title, header, rows.into_iter()).expect("a workbook");
    }
    let mut text = format!("{title}\r\n{}\r\n", header.join(","));
    for r in rows {
        text.push_str(&r.join(","));
        text.push_str("\r\n");
    }
    match format {
        Format::CsvGbk => {
            let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
            assert!(!unmappable);
            bytes.into_owned()
        }
        _ => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
    }
}

/// Six counties of different sizes and prefectures, 12,000 loans.
fn few_counties_loans() -> (Vec<mcstress_import::SyntheticCounty>, Vec<SyntheticLoan>) {
    let counties =
        yunnan_counties(12_000, &[530621, 530324, 530822, 530629, 532927, 533323]).expect("Yunnan codes");
    let loans = generate_loans(&counties, &LedgerOptions { as_of: AS_OF, seed: 11, plant: None });
    (counties, loans)
}

fn overdue_share(loans: &[SyntheticLoan]) -> f64 {
    let balance: i64 = loans.iter().map(|l| l.balance.0).sum();
    let overdue: i64 = loans.iter().filter(|l| l.days_overdue > 0).map(|l| l.balance.0).sum();
    overdue as f64 / balance as f64
}

#[test]
fn a_generated_ledger_of_a_few_counties_reads_back_in_gbk_utf8_and_xlsx() {
    let (_, loans) = few_counties_loans();
    assert_eq!(loans.len(), 12_000);
    let header: Vec<String> = SYNTHETIC_HEADER.iter().map(|s| s.to_string()).collect();
    for format in [Format::CsvGbk, Format::CsvUtf8Bom, Format::Xlsx] {
        let bytes = encode(format, &header, loans.iter().map(SyntheticLoan::cells).collect());
        let ledger = match read_ledger_bytes(&bytes, SheetChoice::First, AS_OF, KEY) {
            Ok(l) => l,
            Err(e) => panic!(
                "{format:?}: {:?}",
                e.problems().iter().take(5).map(|p| p.to_string()).collect::<Vec<_>>()
            ),
        };
        assert_eq!(ledger.loans.len(), loans.len(), "{format:?}");
        // Every figure arrives as generated: below the title, from row 3.
        for (i, (read, made)) in ledger.loans.iter().zip(&loans).enumerate() {
            assert_eq!(read.row, i as u32 + 3);
            assert_eq!(read.county, CountyRef::Code(made.county), "{format:?} row {}", read.row);
            assert_eq!(
                (read.amount, read.balance, read.disbursed, read.maturity),
                (made.amount, made.balance, made.disbursed, made.maturity),
                "{format:?} row {}",
                read.row
            );
            assert_eq!(
                (read.days_overdue, read.extensions, read.renewed, read.rate_bp),
                (made.days_overdue, made.extensions, made.renewed, Some(made.rate_bp)),
                "{format:?} row {}",
                read.row
            );
        }
    }
}

#[test]
fn the_overdue_share_of_principal_lies_in_the_targeted_range() {
    // A few counties: the target (2 %) within the spread of county levels.
    let (_, loans) = few_counties_loans();
    let share = overdue_share(&loans);
    assert!((0.01..=0.04).contains(&share), "{share}");
    // The province: within a quarter of the target; counties from ≈0.3 %
    // to ≈8 %, some above 罗平县's 4.36 % and some below 广元's 0.6 %.
    let counties = yunnan_counties(405_600, &[]).unwrap();
    let loans = generate_loans(&counties, &LedgerOptions { as_of: AS_OF, seed: 20_251_031, plant: None });
    let share = overdue_share(&loans);
    assert!((TARGET_OVERDUE_SHARE * 0.75..=TARGET_OVERDUE_SHARE * 1.25).contains(&share), "{share}");
    let by_county: Vec<f64> = counties
        .iter()
        .map(|c| {
            let of: Vec<SyntheticLoan> = loans.iter().filter(|l| l.county == c.code).cloned().collect();
            overdue_share(&of)
        })
        .collect();
    assert!(by_county.iter().all(|s| (0.0..=0.15).contains(s)), "{by_county:?}");
    assert!(by_county.iter().filter(|s| **s > 0.0436).count() >= 3, "{by_county:?}");
    assert!(by_county.iter().filter(|s| **s < 0.006).count() >= 3, "{by_county:?}");
    // Overdue days agree with the dates as the reader checks them.
    for l in loans.iter().filter(|l| l.maturity <= AS_OF && l.balance > Fen(0)) {
        assert_eq!(i64::from(l.days_overdue), AS_OF.days() - l.maturity.days(), "{l:?}");
    }
}

#[test]
fn the_county_file_aggregated_from_a_generated_ledger_reads_back_and_knows_every_loan() {
    let (counties, loans) = few_counties_loans();
    let header = synthetic_county_header(AS_OF);
    let bytes = encode(Format::CsvGbk, &header, synthetic_county_file(&counties, &loans, AS_OF));
    let table = Table::from_csv(&decode(&bytes).unwrap().text).unwrap();
    let records = read_counties(&table).unwrap();
    // One row per county, one per township that has loans.
    let county_rows: Vec<_> = records.iter().filter(|r| r.township.is_none()).collect();
    assert_eq!(county_rows.len(), 6);
    for r in &county_rows {
        let of: Vec<&SyntheticLoan> = loans.iter().filter(|l| l.county == r.code).collect();
        let balance: i64 = of.iter().map(|l| l.balance.0).sum();
        let overdue: i64 = of.iter().filter(|l| l.days_overdue > 0).map(|l| l.balance.0).sum();
        assert_eq!(r.balance[0].unwrap().0 + r.balance[1].unwrap().0, balance, "{}", r.name);
        assert_eq!(r.overdue_principal.iter().map(|f| f.unwrap().0).sum::<i64>(), overdue, "{}", r.name);
        assert_eq!(r.loans[0].unwrap() + r.loans[1].unwrap(), of.len() as u32);
        assert_eq!(r.maturing.len(), 8, "{}: {:?}", r.name, r.maturing);
    }
    let ledger_bytes = encode(
        Format::CsvUtf8Bom,
        &SYNTHETIC_HEADER.map(String::from),
        loans.iter().map(SyntheticLoan::cells).collect(),
    );
    let ledger = read_ledger_bytes(&ledger_bytes, SheetChoice::First, AS_OF, KEY).unwrap();
    assert_eq!(check_ledger_counties(&ledger, &records), []);
    // Without a county the file does not know, every loan of it is named.
    let without: Vec<_> = records.iter().filter(|r| r.code != 530621).cloned().collect();
    let problems = check_ledger_counties(&ledger, &without);
    assert_eq!(problems.len(), loans.iter().filter(|l| l.county == 530621).count());
    assert!(problems.iter().all(|p| p.column == "县(区)代码" && p.value.as_deref() == Some("530621")));
}
