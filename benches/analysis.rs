//! The full `analyze` (every removal effect, funnel, paths, experience) on
//! generated journeys of 100, 1,000 and 10,000 touchpoints.
//!
//! cargo bench -p journey-core --bench analysis

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use journey_core::analysis::{Options, analyze};
use journey_core::synthetic;

fn full_analysis(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyze");
    group.sample_size(10);
    for n in [100usize, 1_000, 10_000] {
        let journey = synthetic::journey(n, 42);
        let options = Options::default();
        group.bench_with_input(BenchmarkId::from_parameter(n), &journey, |b, journey| {
            b.iter(|| analyze(journey, &options).expect("generated journeys are valid"))
        });
    }
    group.finish();
}

criterion_group!(benches, full_analysis);
criterion_main!(benches);
