//! How the cost of each operation grows with the journey, for every shape
//! of `benches/shapes.rs` (chains, back-jumps, narrow stages, dense loops).
//! Prints a Markdown table of the best of three wall-clock times per
//! operation and size, for BENCHMARKS.md (plain timing: one run of the big
//! sizes takes seconds), then a second table: Mermaid import of every text
//! shape of `MERMAID_TEXTS` (tasks, actors, front matter, …) at the same
//! sizes, with the text's length.
//!
//! cargo bench -p journey-core --bench scaling -- [mermaid] [sizes…] (default 1000 10000 100000;
//! `mermaid`: the Mermaid table alone)

#[path = "shapes.rs"]
mod shapes;

use journey_core::mermaid;
use shapes::{Input, MERMAID_TEXTS, OPERATIONS, SHAPES, best};

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
    if !std::env::args().any(|a| a == "mermaid") {
        journeys(&sizes);
    }
    mermaid_texts(&sizes);
}

/// The table of operations on journeys of every shape.
fn journeys(sizes: &[usize]) {
    let names: Vec<_> = OPERATIONS.iter().map(|(name, _)| *name).collect();
    println!("| shape | touchpoints | {} |", names.join(" | "));
    println!("|---|---:|{}", "---:|".repeat(names.len()));
    for (shape_name, shape) in SHAPES {
        for &n in sizes {
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

/// The table of Mermaid imports of every text shape.
fn mermaid_texts(sizes: &[usize]) {
    println!();
    println!("| Mermaid text | n | bytes | import | per MB |");
    println!("|---|---:|---:|---:|---:|");
    for (name, write) in MERMAID_TEXTS {
        for &n in sizes {
            let text = write(n);
            let took = best(3, || drop(mermaid::from_mermaid(&text).expect("imports")));
            println!(
                "| {name} | {n} | {} | {:.1} ms | {:.1} ms |",
                text.len(),
                took.as_secs_f64() * 1e3,
                took.as_secs_f64() * 1e3 / (text.len() as f64 / 1e6)
            );
        }
    }
}
