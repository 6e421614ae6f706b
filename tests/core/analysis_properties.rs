//! Property tests of the analytics on arbitrary journeys with loops, skips,
//! back-jumps, counts and missing touchpoints.

use journey_core::analysis::{Options, analyze};
use journey_core::{Journey, Stage, Status, Touchpoint, Transition};
use proptest::prelude::*;

fn arbitrary_journey() -> impl Strategy<Value = Journey> {
    (2usize..10, 1usize..4)
        .prop_flat_map(|(n, stages)| {
            (
                Just(n),
                Just(stages),
                prop::collection::vec(
                    (
                        0..stages,
                        prop::option::of(-2.0f64..=2.0),
                        prop::bool::weighted(0.1),
                    ),
                    n,
                ),
                prop::collection::vec(
                    (
                        0..n,
                        0..n,
                        prop::option::of(0.0f64..0.6),
                        prop::option::of(0u64..20),
                    ),
                    0..(3 * n),
                ),
                prop::collection::vec((0..n, 0.0f64..3.0), 1..3),
                prop::collection::vec(0..n, 1..3),
            )
        })
        .prop_map(|(n, stages, touchpoints, transitions, entries, goals)| {
            let mut journey = Journey {
                id: "p".into(),
                name: "P".into(),
                stages: (0..stages)
                    .map(|s| Stage::new(format!("s{s}"), "S"))
                    .collect(),
                ..Journey::default()
            };
            for (i, (stage, emotion, missing)) in touchpoints.into_iter().enumerate() {
                let mut t = Touchpoint::new(format!("t{i}"), "T", format!("s{stage}"));
                t.emotion = emotion;
                if missing {
                    t.status = Status::Missing;
                }
                journey.touchpoints.push(t);
            }
            // Keep each touchpoint's explicit probabilities below one in total.
            let mut claimed = vec![0.0; n];
            for (from, to, probability, count) in transitions {
                let mut t = Transition::new(format!("t{from}"), format!("t{to}"));
                if let Some(p) = probability
                    && claimed[from] + p <= 1.0
                {
                    claimed[from] += p;
                    t.probability = Some(p);
                }
                t.count = count;
                if !journey
                    .transitions
                    .iter()
                    .any(|x| x.from == t.from && x.to == t.to)
                {
                    journey.transitions.push(t);
                }
            }
            for (i, w) in entries {
                if !journey
                    .entries
                    .iter()
                    .any(|e| e.touchpoint == format!("t{i}"))
                {
                    journey.entries.push(journey_core::Entry {
                        touchpoint: format!("t{i}"),
                        weight: w,
                        extra: Default::default(),
                    });
                }
            }
            for g in goals {
                if !journey.goals.contains(&format!("t{g}")) {
                    journey.goals.push(format!("t{g}"));
                }
            }
            journey
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn analysis_holds_its_invariants_on_any_valid_journey(journey in arbitrary_journey()) {
        let valid = journey_core::validate::validate_journey(&journey).is_valid();
        let result = analyze(&journey, &Options::default());
        if !valid {
            prop_assert!(result.is_err());
            return Ok(());
        }
        let Ok(analysis) = result else {
            // Valid journeys whose entry weights are all zero are refused.
            prop_assert!(journey.entries.iter().all(|e| e.weight == 0.0));
            return Ok(());
        };
        let unit = |x: f64| (0.0..=1.0).contains(&x);
        prop_assert!(unit(analysis.goal_probability));
        prop_assert!(unit(analysis.drop_off_probability));
        let per_goal: f64 = analysis.goals.iter().map(|g| g.probability).sum();
        prop_assert!((per_goal - analysis.goal_probability).abs() < 1e-9);
        let dropped: f64 = analysis.touchpoints.iter().map(|t| t.drop_off).sum();
        prop_assert!((dropped + analysis.goal_probability - 1.0).abs() < 1e-9, "mass is conserved");
        for t in &analysis.touchpoints {
            prop_assert!(unit(t.reach) && unit(t.drop_off) && unit(t.goal_probability) && unit(t.removal_effect), "{t:?}");
            prop_assert!(t.expected_visits + 1e-12 >= t.reach);
        }
        for pair in analysis.funnel.windows(2) {
            prop_assert!(pair[1].reach <= pair[0].reach, "funnel never increases");
        }
        for f in &analysis.funnel {
            prop_assert!(unit(f.reach));
            if let Some(c) = f.conversion { prop_assert!(unit(c)); }
        }
        for path in analysis.paths.to_goal.iter().chain(&analysis.paths.to_drop_off) {
            prop_assert!(unit(path.probability));
            let mut seen = std::collections::HashSet::new();
            prop_assert!(path.touchpoints.iter().all(|t| seen.insert(t)), "paths are simple");
        }
        for pair in analysis.paths.to_goal.windows(2) {
            prop_assert!(pair[0].probability >= pair[1].probability);
        }
        for pair in analysis.paths.to_drop_off.windows(2) {
            prop_assert!(pair[0].probability >= pair[1].probability);
        }
        let path_mass: f64 = analysis.paths.to_goal.iter().map(|p| p.probability).sum();
        prop_assert!(path_mass <= analysis.goal_probability + 1e-9);
    }
}
