//! Reading a bank ledger of Yunnan's size — 405,600 rows in GBK, with a
//! title row — through decoding, the CSV table, the header and every row's
//! checks (issue 10's target: ≤ 10 s and ≤ 1 GB on 2 cores).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mcstress_import::{Date, SyntheticCounty, Table, decode, read_ledger, synthetic_csv, synthetic_ledger};

const AS_OF: Date = Date { year: 2025, month: 10, day: 31 };

/// The 129 counties of `data/yunnan-counties.csv`, 405,600 loans shared
/// evenly, 10 townships each.
fn yunnan() -> Vec<SyntheticCounty> {
    let table = include_str!("../data/yunnan-counties.csv");
    let codes: Vec<(u32, String)> = table
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split(',');
            Some((f.next()?.parse().ok()?, f.next()?.to_string()))
        })
        .collect();
    let n = codes.len() as u32;
    codes
        .into_iter()
        .enumerate()
        .map(|(i, (code, name))| SyntheticCounty {
            code,
            name,
            townships: 10,
            loans: 405_600 / n + u32::from((i as u32) < 405_600 % n),
        })
        .collect()
}

fn bench_ledger(c: &mut Criterion) {
    let rows = synthetic_ledger(&yunnan(), AS_OF, 20251031);
    let text = synthetic_csv("云南省脱贫人口小额信贷台账（2025年10月末）", &rows);
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let gbk = gbk.into_owned();
    drop((rows, text));
    let mut g = c.benchmark_group("ledger");
    g.sample_size(10);
    g.bench_function("read_405600_rows_gbk", |b| {
        b.iter(|| {
            let text = decode(black_box(&gbk)).map(|d| d.text);
            let table = Table::from_csv(&text.unwrap_or_default()).unwrap_or_default();
            black_box(read_ledger(&table, AS_OF, b"bench key").map(|l| l.loans.len()).unwrap_or(0))
        })
    });
    g.finish();
}

criterion_group!(benches, bench_ledger);
criterion_main!(benches);
