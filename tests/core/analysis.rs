//! Analytics on chains whose answers are computed by hand, on the bundled
//! fixtures (values derived by exact rational arithmetic in
//! `tests/core/derive/fixture_values.py`), and against a Monte Carlo simulation.

mod common;

use journey_core::analysis::{Options, Outcome};
use journey_core::{Analysis, Journey, Touchpoint, Transition, analyze};

const EXACT: f64 = 1e-12;

fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= EXACT,
        "{what}: {actual} != {expected}"
    );
}

/// A journey over stages s0, s1, …; each touchpoint `"id@stage"`.
fn journey(
    touchpoints: &[&str],
    transitions: &[(&str, &str, f64)],
    entries: &[(&str, f64)],
    goals: &[&str],
) -> Journey {
    let mut builder = Journey::builder("test", "Test");
    let mut stages: Vec<&str> = Vec::new();
    let mut ids = Vec::new();
    for spec in touchpoints {
        let (id, stage) = spec.split_once('@').unwrap_or((spec, "s0"));
        if !stages.contains(&stage) {
            stages.push(stage);
        }
        ids.push((id, stage));
    }
    stages.sort();
    for stage in stages {
        builder = builder.stage(stage, stage);
    }
    for (id, stage) in ids {
        builder = builder.touchpoint(Touchpoint::new(id, id, stage));
    }
    for &(from, to, p) in transitions {
        builder = builder.transition(Transition::new(from, to).probability(p));
    }
    for &(id, w) in entries {
        builder = builder.entry(id, w);
    }
    for goal in goals {
        builder = builder.goal(*goal);
    }
    builder.build().unwrap()
}

fn run(journey: &Journey) -> Analysis {
    analyze(journey, &Options::default()).unwrap()
}

fn stat<'a>(analysis: &'a Analysis, id: &str) -> &'a journey_core::analysis::TouchpointStats {
    analysis
        .touchpoints
        .iter()
        .find(|t| t.touchpoint == id)
        .unwrap()
}

#[test]
fn linear_chain() {
    let j = journey(
        &["a@s0", "b@s1", "c@s2"],
        &[("a", "b", 0.5), ("b", "c", 0.8)],
        &[("a", 1.0)],
        &["c"],
    );
    let r = run(&j);
    close(r.goal_probability, 0.4, "goal");
    close(r.drop_off_probability, 0.6, "drop");
    close(r.expected_steps, 1.5, "steps");
    close(stat(&r, "b").reach, 0.5, "reach b");
    close(stat(&r, "c").reach, 0.4, "reach c");
    close(stat(&r, "a").drop_off, 0.5, "drop a");
    close(stat(&r, "b").drop_off, 0.1, "drop b");
    close(stat(&r, "b").goal_probability, 0.8, "goal from b");
    for id in ["a", "b", "c"] {
        close(stat(&r, id).removal_effect, 1.0, id);
    }
    let reach: Vec<f64> = r.funnel.iter().map(|f| f.reach).collect();
    assert_eq!(reach.len(), 3);
    close(reach[0], 1.0, "s0");
    close(reach[1], 0.5, "s1");
    close(reach[2], 0.4, "s2");
    close(r.funnel[0].conversion.unwrap(), 0.5, "conv s0");
    close(r.funnel[1].conversion.unwrap(), 0.8, "conv s1");
    assert_eq!(r.funnel[2].conversion, None);
    close(r.funnel[1].lost, 0.1, "lost s1");
    close(r.funnel[0].drop_off, 0.5, "drop s0");
    assert_eq!(r.paths.to_goal.len(), 1);
    assert_eq!(r.paths.to_goal[0].touchpoints, ["a", "b", "c"]);
    close(r.paths.to_goal[0].probability, 0.4, "path");
    let drops: Vec<(Vec<String>, f64)> = r
        .paths
        .to_drop_off
        .iter()
        .map(|p| (p.touchpoints.clone(), p.probability))
        .collect();
    assert_eq!(drops.len(), 2);
    assert_eq!(drops[0].0, ["a"]);
    close(drops[0].1, 0.5, "drop path a");
    assert_eq!(drops[1].0, ["a", "b"]);
    close(drops[1].1, 0.1, "drop path a b");
}

#[test]
fn branching_chain() {
    let j = journey(
        &["a", "b", "c", "g"],
        &[
            ("a", "b", 0.6),
            ("a", "c", 0.25),
            ("b", "g", 0.5),
            ("c", "g", 1.0),
        ],
        &[("a", 1.0)],
        &["g"],
    );
    let r = run(&j);
    close(r.goal_probability, 0.55, "goal");
    close(stat(&r, "b").removal_effect, 0.3 / 0.55, "removal b");
    close(stat(&r, "c").removal_effect, 0.25 / 0.55, "removal c");
    close(stat(&r, "a").drop_off, 0.15, "drop a");
    close(stat(&r, "b").drop_off, 0.3, "drop b");
    let goal_paths: Vec<Vec<String>> = r
        .paths
        .to_goal
        .iter()
        .map(|p| p.touchpoints.clone())
        .collect();
    assert_eq!(goal_paths, [vec!["a", "b", "g"], vec!["a", "c", "g"]]);
    close(r.paths.to_goal[0].probability, 0.3, "p1");
    close(r.paths.to_goal[1].probability, 0.25, "p2");
    assert!(r.paths.to_goal.iter().all(|p| p.outcome == Outcome::Goal));
}

#[test]
fn loop_with_a_back_jump() {
    // b jumps back to a with 0.3, reaches the goal with 0.5, drops 0.2.
    let j = journey(
        &["a@s0", "b@s1", "g@s2"],
        &[("a", "b", 1.0), ("b", "a", 0.3), ("b", "g", 0.5)],
        &[("a", 1.0)],
        &["g"],
    );
    let r = run(&j);
    close(r.goal_probability, 5.0 / 7.0, "goal");
    close(stat(&r, "a").expected_visits, 10.0 / 7.0, "visits a");
    close(stat(&r, "b").expected_visits, 10.0 / 7.0, "visits b");
    close(stat(&r, "a").reach, 1.0, "reach a");
    close(stat(&r, "b").reach, 1.0, "reach b");
    close(stat(&r, "b").drop_off, 2.0 / 7.0, "drop b");
    close(stat(&r, "b").goal_probability, 5.0 / 7.0, "goal from b");
    close(r.expected_steps, 20.0 / 7.0, "steps");
    close(r.funnel[2].reach, 5.0 / 7.0, "funnel s2");
    // The only simple goal path is a → b → g.
    close(r.paths.to_goal[0].probability, 0.5, "simple path");
}

#[test]
fn self_loop_with_durations() {
    let j = Journey::builder("self", "Self-loop")
        .stage("s", "S")
        .touchpoint(Touchpoint::new("a", "A", "s"))
        .touchpoint(Touchpoint::new("g", "G", "s"))
        .transition(Transition::new("a", "a").probability(0.5).duration(10.0))
        .transition(Transition::new("a", "g").probability(0.25).duration(100.0))
        .entry("a", 1.0)
        .goal("g")
        .build()
        .unwrap();
    let r = run(&j);
    close(r.goal_probability, 0.5, "goal");
    close(stat(&r, "a").expected_visits, 2.0, "visits");
    close(stat(&r, "a").reach, 1.0, "reach");
    close(r.expected_steps, 2.0, "steps");
    close(r.expected_time.unwrap(), 60.0, "time");
}

#[test]
fn unreachable_touchpoint_and_weighted_entries() {
    let j = journey(
        &["a", "b", "u", "g"],
        &[("a", "g", 0.5), ("b", "g", 0.1), ("u", "g", 1.0)],
        &[("a", 3.0), ("b", 1.0)],
        &["g"],
    );
    let r = run(&j);
    close(r.goal_probability, 0.75 * 0.5 + 0.25 * 0.1, "goal");
    assert_eq!(stat(&r, "u").reach, 0.0);
    assert_eq!(stat(&r, "u").removal_effect, 0.0);
    assert_eq!(r.gaps.unreachable, ["u"]);
    close(stat(&r, "b").reach, 0.25, "entry reach");
    assert_eq!(r.expected_time, None);
}

#[test]
fn count_only_transitions_split_by_counts() {
    let j = Journey::builder("counts", "Counts")
        .stage("s", "S")
        .touchpoint(Touchpoint::new("x", "X", "s"))
        .touchpoint(Touchpoint::new("y", "Y", "s"))
        .touchpoint(Touchpoint::new("z", "Z", "s"))
        .transition(Transition::new("x", "y").count(30))
        .transition(Transition::new("x", "z").count(10))
        .entry("x", 1.0)
        .goal("y")
        .goal("z")
        .build()
        .unwrap();
    let r = run(&j);
    close(r.goals[0].probability, 0.75, "y");
    close(r.goals[1].probability, 0.25, "z");
    close(r.goal_probability, 1.0, "all");
}

#[test]
fn all_drop_off() {
    let j = journey(
        &["a", "b", "g"],
        &[("a", "b", 0.5), ("b", "g", 0.0)],
        &[("a", 1.0)],
        &["g"],
    );
    let r = run(&j);
    assert_eq!(r.goal_probability, 0.0);
    assert_eq!(r.drop_off_probability, 1.0);
    close(
        stat(&r, "a").drop_off + stat(&r, "b").drop_off,
        1.0,
        "all mass drops",
    );
    assert!(r.touchpoints.iter().all(|t| t.removal_effect == 0.0));
    assert!(r.paths.to_goal.is_empty());
}

#[test]
fn invalid_journeys_are_refused() {
    let mut j = journey(&["a", "g"], &[("a", "g", 0.5)], &[("a", 1.0)], &["g"]);
    j.transitions[0].probability = Some(1.5);
    let error = analyze(&j, &Options::default()).unwrap_err();
    assert_eq!(error.code(), "validation_error");
}

fn fixture(name: &str, id: &str) -> Analysis {
    common::example(name)
        .analyze(id, &Options::default())
        .unwrap()
}

#[test]
fn gym_matches_the_exact_rational_derivation() {
    let r = fixture("gym.json", "gym");
    close(r.goal_probability, 4014234.0 / 37999375.0, "goal");
    close(r.goals[0].probability, 0.0798164917186138, "referral");
    close(r.goals[1].probability, 0.025822982614845637, "testimonial");
    close(r.expected_steps, 4.365362578989786, "steps");
    assert!((r.expected_time.unwrap() - 34067.45505682659).abs() < 1e-8);
    for (id, reach, visits, drop, removal) in [
        ("online_reviews", 0.68, 0.68, 0.204, 0.6563961517938416),
        (
            "contact_form",
            0.31964,
            0.328582706952417,
            0.1314330827809668,
            0.29628578266737815,
        ),
        ("free_trial_popup", 0.472, 0.472, 0.1416, 0.8109050817665338),
        (
            "free_trial_signup",
            0.32623616,
            0.33536341058241087,
            0.03353634105824109,
            1.0,
        ),
        (
            "trainer_consults",
            0.23617558615053458,
            0.24146165561933586,
            0.0,
            0.8043783924658702,
        ),
        (
            "trial_ending_email",
            0.293612544,
            0.3018270695241698,
            0.060365413904833964,
            1.0,
        ),
        (
            "renewal_offer",
            0.21127894866691888,
            0.23475438740768761,
            0.023475438740768764,
            1.0,
        ),
        (
            "follow_up_call",
            0.10563947433345944,
            0.11737719370384381,
            0.023475438740768764,
            0.4,
        ),
        (
            "social_engagement",
            0.08216403559269067,
            0.08216403559269067,
            0.03286561423707627,
            0.3888888888888889,
        ),
        (
            "testimonial",
            0.025822982614845637,
            0.025822982614845637,
            0.0,
            0.24444444444444444,
        ),
    ] {
        let s = stat(&r, id);
        close(s.reach, reach, &format!("reach {id}"));
        close(s.expected_visits, visits, &format!("visits {id}"));
        close(s.drop_off, drop, &format!("drop {id}"));
        close(s.removal_effect, removal, &format!("removal {id}"));
    }
    let funnel: Vec<f64> = r.funnel.iter().map(|f| f.reach).collect();
    for (actual, expected) in
        funnel
            .iter()
            .zip([1.0, 0.676, 0.41504, 0.293612544, 0.16432807118538134])
    {
        close(*actual, expected, "funnel");
    }
    // Missing touchpoints are reported as gaps and play no part.
    assert_eq!(r.gaps.missing_touchpoints.len(), 5);
    assert_eq!(stat(&r, "mobile_app").reach, 0.0);
    // The reminder at the end of the trial is the worst pain point: reach
    // 0.2936 × severity max(1/2 from emotion −1, csat 3.1 vs 4 → 0.225) × importance 3.
    let worst = &r.pain_points[0];
    assert_eq!(worst.touchpoint, "trial_ending_email");
    close(worst.severity, 0.5, "severity");
    close(worst.impact, 0.293612544 * 0.5 * 3.0, "impact");
    // contact form: ces 5.2 vs target 3, lower is better: (5.2 − 3) / 6.
    let form = r
        .pain_points
        .iter()
        .find(|p| p.touchpoint == "contact_form")
        .unwrap();
    close(form.severity, 0.5f64.max(2.2 / 6.0), "form severity");
}

#[test]
fn shoe_matches_the_exact_rational_derivation() {
    let r = fixture("shoe.json", "shoe");
    close(r.goal_probability, 27.0 / 365.0, "goal");
    close(r.expected_steps, 2.356164383561644, "steps");
    assert!((r.expected_time.unwrap() - 59651.50684931507).abs() < 1e-8);
    for (id, reach, visits, removal) in [
        ("social_ad", 1.0, 1.0, 1.0),
        ("online_shop", 0.6, 0.6575342465753424, 1.0),
        ("cart", 0.3, 0.3287671232876712, 1.0),
        (
            "coupon_email",
            0.1534526854219949,
            0.1643835616438356,
            0.4398976982097187,
        ),
        ("checkout", 0.15789473684210525, 0.1643835616438356, 1.0),
        (
            "exchange",
            0.039473684210526314,
            0.0410958904109589,
            0.25292397660818716,
        ),
    ] {
        let s = stat(&r, id);
        close(s.reach, reach, &format!("reach {id}"));
        close(s.expected_visits, visits, &format!("visits {id}"));
        close(s.removal_effect, removal, &format!("removal {id}"));
    }
    let funnel: Vec<f64> = r.funnel.iter().map(|f| f.reach).collect();
    for (actual, expected) in funnel.iter().zip([1.0, 0.6, 0.24, 0.09473684210526316]) {
        close(*actual, expected, "funnel");
    }
    // The most likely way to the review: ad → shop → cart → checkout → review.
    let best = &r.paths.to_goal[0];
    assert_eq!(
        best.touchpoints,
        ["social_ad", "online_shop", "cart", "checkout", "review"]
    );
    close(best.probability, 0.6 * 0.5 * 0.3 * 0.35, "best path");
    // Its emotions 0.5, 1, −0.5, 1, 1 turn twice: a sawtooth, with a rapid drop.
    assert!(best.sawtooth);
    assert_eq!(best.rapid_drops.len(), 1);
    assert_eq!(best.rapid_drops[0].from, "online_shop");
    close(best.peak_end.unwrap(), 1.0, "peak-end");
    // The exchange is the rapid drop from checkout on the exchange path.
    let exchange_path = r
        .paths
        .to_goal
        .iter()
        .find(|p| p.touchpoints.contains(&"exchange".to_owned()))
        .unwrap();
    assert!(
        exchange_path
            .rapid_drops
            .iter()
            .any(|d| d.to == "exchange" && (d.drop - 2.5).abs() < EXACT)
    );
}

/// SplitMix64: a fixed-seed generator for the simulation.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn exact_results_agree_with_a_monte_carlo_simulation() {
    let document = common::example("gym.json");
    let journey = document.journey("gym").unwrap();
    let exact = document.analyze("gym", &Options::default()).unwrap();
    let graph = journey_core::JourneyGraph::new(journey);
    let runs = 200_000;
    let mut rng = Rng(7);
    let mut goals = 0usize;
    let mut reached: std::collections::HashMap<String, usize> = Default::default();
    let mut visits: std::collections::HashMap<String, usize> = Default::default();
    for _ in 0..runs {
        let mut at = if rng.next() < 0.6 {
            "online_reviews".to_owned()
        } else {
            "social_media_pages".to_owned()
        };
        let mut seen = std::collections::HashSet::new();
        loop {
            *visits.entry(at.clone()).or_default() += 1;
            if seen.insert(at.clone()) {
                *reached.entry(at.clone()).or_default() += 1;
            }
            if journey.goals.contains(&at) {
                goals += 1;
                break;
            }
            let (steps, _) = graph.next_steps(&at).unwrap();
            let mut u = rng.next();
            let mut next = None;
            for step in steps {
                if u < step.probability {
                    next = Some(step.touchpoint);
                    break;
                }
                u -= step.probability;
            }
            match next {
                Some(n) => at = n,
                None => break,
            }
        }
    }
    // Four standard errors of a proportion (or a mean count) over the runs.
    let check = |estimate: f64, exact: f64, what: &str| {
        let sd = (exact.max(1e-9) * (1.0 - exact).max(0.05) / runs as f64)
            .sqrt()
            .max(1e-4);
        assert!(
            (estimate - exact).abs() < 4.0 * sd * 1.5,
            "{what}: simulated {estimate}, exact {exact}"
        );
    };
    check(goals as f64 / runs as f64, exact.goal_probability, "goal");
    for s in &exact.touchpoints {
        let r = *reached.get(&s.touchpoint).unwrap_or(&0) as f64 / runs as f64;
        let v = *visits.get(&s.touchpoint).unwrap_or(&0) as f64 / runs as f64;
        check(r, s.reach, &format!("reach {}", s.touchpoint));
        check(v, s.expected_visits, &format!("visits {}", s.touchpoint));
    }
}

#[test]
fn results_serialize_and_are_deterministic() {
    let a = fixture("gym.json", "gym");
    let b = fixture("gym.json", "gym");
    let json = serde_json::to_string(&a).unwrap();
    assert_eq!(json, serde_json::to_string(&b).unwrap());
    let back: Analysis = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
}

#[test]
fn comparing_current_and_future_state() {
    let document = common::example("gym.json");
    let current = document.journey("gym").unwrap().clone();
    let mut future = current.clone();
    future.id = "gym_future".into();
    future.kind = journey_core::JourneyKind::FutureState;
    let chat = future
        .touchpoints
        .iter_mut()
        .find(|t| t.id == "live_chat")
        .unwrap();
    chat.status = journey_core::Status::Present;
    chat.emotion = Some(1.0);
    future
        .touchpoints
        .iter_mut()
        .find(|t| t.id == "trial_ending_email")
        .unwrap()
        .emotion = Some(0.0);
    future
        .transitions
        .push(Transition::new("free_trial_popup", "live_chat").probability(0.2));
    future
        .transitions
        .push(Transition::new("live_chat", "in_person_visit").probability(0.7));
    future
        .transitions
        .iter_mut()
        .find(|t| t.from == "trial_ending_email" && t.to == "renewal_offer")
        .unwrap()
        .probability = Some(0.8);

    let options = Options::default();
    let c = journey_core::compare(&current, &future, &document.measures, &options).unwrap();
    assert_eq!(c.touchpoints.added, Vec::<String>::new());
    assert_eq!(c.touchpoints.removed, Vec::<String>::new());
    let changed: Vec<(&str, Vec<&str>)> = c
        .touchpoints
        .changed
        .iter()
        .map(|ch| {
            (
                ch.id.as_str(),
                ch.fields.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("live_chat", vec!["emotion", "status"]),
            ("trial_ending_email", vec!["emotion"])
        ]
    );
    assert_eq!(
        c.transitions.added,
        [
            "free_trial_popup -> live_chat",
            "live_chat -> in_person_visit"
        ]
    );
    assert_eq!(c.transitions.changed.len(), 1);
    assert_eq!(
        c.transitions.changed[0].id,
        "trial_ending_email -> renewal_offer"
    );
    assert_eq!(c.transitions.changed[0].fields, ["probability"]);

    let before = analyze(&current, &options).unwrap().goal_probability;
    let after = analyze(&future, &options).unwrap().goal_probability;
    assert_eq!(c.goal_probability.before, before);
    assert_eq!(c.goal_probability.after, after);
    assert!(c.goal_probability.delta > 0.0);
    // Awareness is untouched; the funnel improves from consideration on.
    assert_eq!(c.funnel[0].delta, Some(0.0));
    assert_eq!(c.emotion[0].delta, Some(0.0));
    assert!(
        c.funnel[2..].iter().all(|s| s.delta.unwrap() > 0.0),
        "{:?}",
        c.funnel
    );
    let retention = c.emotion.iter().find(|s| s.stage == "retention").unwrap();
    assert!(retention.delta.unwrap() > 0.0);
}

/// Transition counts at the top of `u64` (as a forged or corrupted document
/// may hold): every operation answers as it does for the same shares in
/// small counts, never a wrapped sum (in release) or a panic (in debug).
#[test]
fn counts_of_u64_max_answer_as_equal_small_counts_do() {
    let with_counts = |count: u64| {
        let mut document = common::example("gym.json");
        for journey in &mut document.journeys {
            // Two transitions between the same touchpoints: their counts add.
            let again = journey.transitions[0].clone();
            journey.transitions.push(again);
            for transition in &mut journey.transitions {
                transition.probability = None;
                transition.count = Some(count);
            }
        }
        document
    };
    let (huge, small) = (with_counts(u64::MAX), with_counts(1));
    assert!(huge.validate().is_valid());
    let options = Options::default();
    assert_eq!(
        huge.analyze("gym", &options).unwrap(),
        small.analyze("gym", &options).unwrap()
    );
    let svg = |document: &journey_core::Document| {
        let options = journey_core::render::SvgOptions {
            analysis: true,
            ..Default::default()
        };
        journey_core::render::render_svg(document, "gym", &options).unwrap()
    };
    assert_eq!(svg(&huge), svg(&small));
    let gym = huge.journey("gym").unwrap();
    let tracker = journey_core::tracker::Tracker::new(gym, Default::default()).unwrap();
    let reference =
        journey_core::tracker::Tracker::new(small.journey("gym").unwrap(), Default::default())
            .unwrap();
    for t in &gym.touchpoints {
        tracker.observe("a", &t.id, 0).unwrap();
        reference.observe("a", &t.id, 0).unwrap();
        assert_eq!(tracker.next("a", 3), reference.next("a", 3));
    }
    // Count labels past u64 say so (the bound and a "+"), never wrap.
    let dot = journey_core::render::to_dot(
        gym,
        &journey_core::render::DotOptions {
            labels: journey_core::render::EdgeLabels::Count,
            ..Default::default()
        },
    );
    assert!(dot.contains(&format!("[label=\"{}+\"]", u64::MAX)), "{dot}");
}

/// Found by the property test in the release build: entries straight into
/// goals, weights whose shares do not add up to 1 exactly, and a later
/// stage nobody reaches. Every probability stays within [0, 1].
#[test]
fn entries_into_goals_keep_every_probability_a_probability() {
    let mut journey = journey(
        &["t0@s0", "t1@s0", "t2@s0"],
        &[],
        &[("t2", 1.1811622822593923), ("t1", 2.8418257330643573)],
        &["t2", "t1"],
    );
    journey.stages.push(journey_core::Stage::new("s1", "S1"));
    let analysis = run(&journey);
    let reach: Vec<f64> = analysis.funnel.iter().map(|f| f.reach).collect();
    for f in &analysis.funnel {
        assert!((0.0..=1.0).contains(&f.reach), "{f:?}");
        if let Some(c) = f.conversion {
            assert!((0.0..=1.0).contains(&c), "{f:?}");
        }
    }
    assert_eq!(reach, [1.0, 0.0]);
    assert!((0.0..=1.0).contains(&analysis.goal_probability));
}
