//! How the cost of each operation grows with the journey, for every shape
//! of `benches/shapes.rs` (chains, back-jumps, narrow stages, dense loops).
//! Prints a Markdown table of the best of three wall-clock times per
//! operation and size, for BENCHMARKS.md (plain timing: one run of the big
//! sizes takes seconds).
//!
//! cargo bench -p journey-core --bench scaling -- [sizes…] (default 1000 10000 100000)

#[path = "shapes.rs"]
mod shapes;

use shapes::{Input, OPERATIONS, SHAPES, best};

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1000, 10_000, 100_000]
    } else {
        sizes
    };
    let names: Vec<_> = OPERATIONS.iter().map(|(name, _)| *name).collect();
    println!("| shape | touchpoints | {} |", names.join(" | "));
    println!("|---|---:|{}", "---:|".repeat(names.len()));
    for (shape_name, shape) in SHAPES {
        for &n in &sizes {
            let input = Input::new(n, shape);
            let cells: Vec<_> = OPERATIONS
                .iter()
                .map(|(_, operation)| {
                    let took = best(3, || operation(&input));
                    format!("{:.1} ms", took.as_secs_f64() * 1e3)
                })
                .collect();
            println!("| {shape_name} | {n} | {} |", cells.join(" | "));
        }
    }
}
