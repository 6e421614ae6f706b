//! A cheap guard on the scaling benchmark (`benches/scaling.rs`): for every
//! shape and every operation there, 10× the touchpoints must cost under 20×
//! the time (linear work costs about 10×, quadratic 100×). Each time is the
//! best of several runs, so a busy machine makes it slower, not flakier.

#[path = "../../benches/shapes.rs"]
mod shapes;

use journey_core::mermaid;
use shapes::{Input, MERMAID_TEXTS, OPERATIONS, SHAPES, best};

/// The time of `large` over the time of `small` (best of 3 and of 9 runs).
/// A ratio of 20 or more is measured again, up to five times in all, and
/// the lowest counts: a pause of the machine in the large run is not the
/// code's cost.
fn ratio(mut small: impl FnMut(), mut large: impl FnMut()) -> f64 {
    let mut ratio = f64::INFINITY;
    for _ in 0..5 {
        let t_small = best(9, &mut small).as_secs_f64();
        let t_large = best(3, &mut large).as_secs_f64();
        ratio = ratio.min(t_large / t_small.max(1e-9));
        if ratio < 20.0 {
            break;
        }
    }
    ratio
}

#[test]
fn ten_times_the_touchpoints_costs_under_twenty_times_the_time() {
    let (small, large) = (300, 3000);
    let mut failures = Vec::new();
    for (shape_name, shape) in SHAPES {
        let (a, b) = (Input::new(small, shape), Input::new(large, shape));
        for (name, operation) in OPERATIONS {
            let ratio = ratio(|| operation(&a), || operation(&b));
            if ratio >= 20.0 {
                failures.push(format!("{name} on {shape_name}: {ratio:.1}×"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{small} → {large} touchpoints, super-linear: {failures:?}"
    );
}

#[test]
fn mermaid_import_of_ten_times_the_text_costs_under_twenty_times_the_time() {
    let (small, large) = (1000, 10_000);
    let mut failures = Vec::new();
    for (name, write) in MERMAID_TEXTS {
        let (a, b) = (write(small), write(large));
        let read = |text: &str| drop(mermaid::from_mermaid(text).expect("imports"));
        let ratio = ratio(|| read(&a), || read(&b));
        if ratio >= 20.0 {
            failures.push(format!("{name}: {ratio:.1}×"));
        }
    }
    assert!(
        failures.is_empty(),
        "Mermaid import, {small} → {large} units, super-linear: {failures:?}"
    );
}
