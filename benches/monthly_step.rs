//! Benchmarks of the monthly step: one whole path of the default Yunnan
//! scenario (every county, every loan, every month) and a one-year path,
//! on one thread with a fixed seed.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mcstress_engine::{Model, simulate_path};

fn baseline(horizon: u16) -> Model {
    let mut s = match mcstress_scenario::embedded_default(None) {
        Ok(l) => l.scenario,
        Err(e) => panic!("embedded default is invalid: {e}"),
    };
    s.horizon_months = horizon;
    Model::prepare(&s)
}

fn bench_monthly_step(c: &mut Criterion) {
    let mut g = c.benchmark_group("monthly_step");
    g.sample_size(10);
    for horizon in [12u16, 60] {
        let m = baseline(horizon);
        let mut path = 0u64;
        g.bench_function(format!("yunnan_baseline_{horizon}_months_one_path"), |b| {
            b.iter(|| {
                path += 1;
                black_box(simulate_path(&m, 20240101, path))
            })
        });
    }
    g.finish();
}

fn bench_prepare(c: &mut Criterion) {
    let s = match mcstress_scenario::embedded_default(None) {
        Ok(l) => l.scenario,
        Err(e) => panic!("embedded default is invalid: {e}"),
    };
    c.bench_function("prepare_yunnan_population", |b| b.iter(|| black_box(Model::prepare(&s))));
}

criterion_group!(benches, bench_monthly_step, bench_prepare);
criterion_main!(benches);
