//! Reading a bank ledger of Yunnan's size — the 405,600 rows the
//! `make-ledger` generator writes for the 129 counties of
//! `data/yunnan-counties.csv`, in GBK, with a title row — through
//! decoding, the CSV records, the header and every row's checks (issue 10's
//! target: ≤ 10 s and ≤ 1 GB on 2 cores).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mcstress_import::{
    Date, LedgerOptions, SheetChoice, generate_loans, read_ledger_bytes, synthetic_csv, yunnan_counties,
};

const AS_OF: Date = Date { year: 2025, month: 10, day: 31 };

fn bench_ledger(c: &mut Criterion) {
    // The generator's defaults: `make-ledger --rows 405600 --format csv-gbk`.
    let counties = yunnan_counties(405_600, &[]).unwrap_or_default();
    let rows: Vec<Vec<String>> =
        generate_loans(&counties, &LedgerOptions { as_of: AS_OF, seed: 20_251_031, plant: None })
            .iter()
            .map(|l| l.cells())
            .collect();
    let text = synthetic_csv("云南省脱贫人口小额信贷台账（2025年10月31日，合成数据）", &rows);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let gbk = gbk.into_owned();
    drop((rows, text));
    let mut g = c.benchmark_group("ledger");
    g.sample_size(10);
    g.bench_function("read_405600_rows_gbk", |b| {
        b.iter(|| {
            black_box(
                read_ledger_bytes(black_box(&gbk), SheetChoice::First, AS_OF, b"bench key")
                    .map(|l| l.loans.len())
                    .unwrap_or(0),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench_ledger);
criterion_main!(benches);
