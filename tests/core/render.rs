//! The journey map as SVG and the Graphviz export of the bundled journeys.

mod common;

use journey_core::render::{DotOptions, EdgeLabels, Lanes, SvgOptions, render_svg, to_dot};
use journey_core::{Document, JourneyKind, Status};
use proptest::prelude::*;

#[test]
fn the_gym_journey_as_dot() {
    let document = common::example("gym.json");
    let gym = document.journey("gym").unwrap();
    let dot = to_dot(gym, &DotOptions::default());
    assert!(dot.starts_with("digraph \"gym\" {\n"));
    assert!(dot.ends_with("}\n"));
    // A cluster per stage, in order, named after the stage.
    for (k, stage) in gym.stages.iter().enumerate() {
        let cluster = format!(
            "  subgraph \"cluster_{k}\" {{\n    label=\"{}\";",
            stage.name
        );
        assert!(dot.contains(&cluster), "{cluster}");
    }
    // The five missing touchpoints dashed; the two goals with a double border.
    assert_eq!(dot.matches("style=\"rounded,dashed\"").count(), 5);
    assert_eq!(dot.matches("peripheries=2").count(), 2);
    assert!(dot.contains("  \"online_reviews\" -> \"contact_form\" [label=\"0.3\"];\n"));
    assert!(dot.contains("  \"\" -> \"online_reviews\" [label=\"0.6\"];\n"));
    // One edge per distinct transition.
    let distinct: std::collections::BTreeSet<(&str, &str)> = gym
        .transitions
        .iter()
        .map(|t| (t.from.as_str(), t.to.as_str()))
        .collect();
    let edges = dot
        .lines()
        .filter(|l| l.contains(" -> ") && !l.starts_with("  \"\" ->") && !l.contains("style=invis"))
        .count();
    assert_eq!(edges, distinct.len());
    // Jumps back to an earlier stage do not rank their target before.
    assert!(dot.contains(
        "  \"trial_ending_email\" -> \"contact_form\" [label=\"0.1\", constraint=false];\n"
    ));
    assert_eq!(dot.matches("constraint=false").count(), 1);
    assert_eq!(to_dot(gym, &DotOptions::default()), dot, "deterministic");
    let plain = to_dot(
        gym,
        &DotOptions {
            labels: EdgeLabels::None,
            vertical: true,
        },
    );
    assert!(plain.contains("rankdir=TB"));
    assert!(!plain.contains("[label=\"0."));
}

/// Graphviz lays the gym's stages out left to right, in order: every
/// touchpoint of a stage left of every touchpoint of the next. Needs
/// Graphviz's `dot` (scripts/test.sh installs it; CI fails without it).
#[test]
fn graphviz_draws_the_stages_in_order() {
    let document = common::example("gym.json");
    let gym = document.journey("gym").unwrap();
    let dot = to_dot(gym, &DotOptions::default());
    let child = std::process::Command::new("dot")
        .arg("-Tplain")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("Graphviz's dot is not installed ({e}): skipped outside CI");
            return;
        }
        Err(e) => panic!("Graphviz's dot: {e}"),
    };
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let plain = String::from_utf8(output.stdout).unwrap();
    let x_of = |id: &str| -> f64 {
        plain
            .lines()
            .find_map(|l| {
                let mut words = l.split(' ');
                (words.next() == Some("node") && words.next() == Some(id))
                    .then(|| words.next().unwrap().parse().unwrap())
            })
            .unwrap_or_else(|| panic!("{id} not laid out"))
    };
    let mut previous_right = f64::NEG_INFINITY;
    for stage in &gym.stages {
        let xs: Vec<f64> = gym
            .touchpoints
            .iter()
            .filter(|t| t.stage == stage.id)
            .map(|t| x_of(&t.id))
            .collect();
        let left = xs.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(
            left > previous_right,
            "{} starts at {left}, before {previous_right}",
            stage.id
        );
        previous_right = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    }
}

#[test]
fn control_characters_in_names_never_reach_the_dot_text() {
    let mut document = common::example("gym.json");
    let gym = document
        .journeys
        .iter_mut()
        .find(|j| j.id == "gym")
        .unwrap();
    gym.name = "Gym\u{0}join\u{7}\u{1b}[31m".to_owned();
    gym.stages[0].name = "Aware\u{9b}ness\r\n".to_owned();
    gym.touchpoints[0].name = "Ad\u{0}".to_owned();
    let dot = to_dot(gym, &DotOptions::default());
    let controls: Vec<char> = dot
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    assert!(controls.is_empty(), "{controls:?}");
    assert!(dot.contains("Gym join  [31m"), "{dot}");
    assert!(dot.contains("label=\"Aware ness\\n\";"), "{dot}");
}

#[test]
fn counts_label_fitted_journeys() {
    let document = common::example("shoe.json");
    let journey = &document.journeys[0];
    let dot = to_dot(
        journey,
        &DotOptions {
            labels: EdgeLabels::Count,
            ..DotOptions::default()
        },
    );
    // Every distinct transition with a count is labelled with the sum of its counts.
    let mut counted: std::collections::BTreeMap<(&str, &str), u64> = Default::default();
    for t in &journey.transitions {
        if let Some(count) = t.count {
            *counted.entry((&t.from, &t.to)).or_default() += count;
        }
    }
    assert!(!counted.is_empty());
    let labelled = dot
        .lines()
        .filter(|l| l.contains(" -> ") && l.contains("[label="))
        .count();
    assert_eq!(labelled, counted.len());
    for ((from, to), count) in &counted {
        // (a jump back to an earlier stage also says constraint=false)
        let edge = format!("  \"{from}\" -> \"{to}\" [label=\"{count}\"");
        assert!(
            dot.contains(&format!("{edge}];"))
                || dot.contains(&format!("{edge}, constraint=false];")),
            "{edge}"
        );
    }
    assert!(dot.starts_with(&format!("digraph \"{}\" {{", journey.id)));
}

/// The SVG as an XML tree: it must be well-formed.
fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}"))
}

fn has_class(node: &roxmltree::Node<'_, '_>, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split(' ').any(|c| c == class))
}

fn with_class<'a, 'i>(
    tree: &'a roxmltree::Document<'i>,
    class: &str,
) -> Vec<roxmltree::Node<'a, 'i>> {
    tree.descendants().filter(|n| has_class(n, class)).collect()
}

/// The text of a node's `<text>` children, joined with spaces.
fn texts(node: &roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A card's box.
fn card_rect<'a, 'i>(card: &roxmltree::Node<'a, 'i>) -> roxmltree::Node<'a, 'i> {
    card.children()
        .find(|n| n.has_tag_name("rect"))
        .unwrap_or_else(|| panic!("a card without a rect"))
}

/// The height of the map's first card.
fn first_card_height<'a>(tree: &'a roxmltree::Document<'_>) -> Option<&'a str> {
    card_rect(&with_class(tree, "touchpoint")[0]).attribute("height")
}

fn tooltip(node: &roxmltree::Node<'_, '_>) -> String {
    node.children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn the_gym_map() {
    let document = common::example("gym.json");
    let gym = document.journey("gym").unwrap();
    let svg = render_svg(&document, "gym", &SvgOptions::default()).unwrap();
    let tree = parse(&svg);
    let root = tree.root_element();
    assert!(root.has_tag_name("svg"));
    // A document of focusable parts (role img would hide the cards from
    // assistive technology).
    assert_eq!(root.attribute("role"), Some("graphics-document"));
    // Accessible: a title and a description the root points at.
    assert_eq!(
        root.attribute("aria-labelledby"),
        Some("journey-map-gym-title journey-map-gym-desc")
    );
    let title = tree
        .descendants()
        .find(|n| n.attribute("id") == Some("journey-map-gym-title"))
        .unwrap();
    assert_eq!(title.text(), Some("Joining a gym"));
    let desc = tree
        .descendants()
        .find(|n| n.attribute("id") == Some("journey-map-gym-desc"))
        .unwrap();
    assert!(desc.text().unwrap().starts_with(
        "Journey map of Joining a gym: 5 stages (Awareness, Consideration, Conversion, Retention, Loyalty and advocacy), 23 touchpoints, 5 of them missing."
    ), "{:?}", desc.text());
    // Five stages as columns, in order, named.
    let stages: Vec<String> = with_class(&tree, "stage").iter().map(texts).collect();
    assert_eq!(
        stages,
        [
            "Awareness",
            "Consideration",
            "Conversion",
            "Retention",
            "Loyalty and advocacy"
        ]
    );
    // Every touchpoint a card; the five missing ones dashed.
    let cards = with_class(&tree, "touchpoint");
    assert_eq!(cards.len(), gym.touchpoints.len());
    let missing = with_class(&tree, "missing");
    assert_eq!(missing.len(), 5);
    for card in &missing {
        assert_eq!(card_rect(card).attribute("stroke-dasharray"), Some("6 4"));
        let id = card.attribute("data-id").unwrap();
        assert_eq!(gym.touchpoint(id).unwrap().status, Status::Missing);
    }
    let dashed = cards
        .iter()
        .filter(|c| {
            c.children()
                .any(|n| n.attribute("stroke-dasharray").is_some())
        })
        .count();
    assert_eq!(dashed, 5);
    // Pain points marked: those the map names.
    let pains: Vec<&str> = with_class(&tree, "pain-point")
        .iter()
        .map(|n| n.attribute("data-id").unwrap())
        .collect();
    let named: Vec<&str> = gym
        .touchpoints
        .iter()
        .filter(|t| !t.pain_points.is_empty())
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(pains, named);
    // Goals with a heavy border.
    let mut goals: Vec<&str> = with_class(&tree, "goal")
        .iter()
        .map(|n| n.attribute("data-id").unwrap())
        .collect();
    goals.sort();
    assert_eq!(goals, ["referral_program", "testimonial"]);
    // One emotion curve, a point per present touchpoint with an emotion.
    let curves = with_class(&tree, "emotion-curve");
    assert_eq!(curves.len(), 1);
    let felt = gym
        .touchpoints
        .iter()
        .filter(|t| t.status == Status::Present && t.emotion.is_some())
        .count();
    assert_eq!(
        curves[0].attribute("points").unwrap().split(' ').count(),
        felt
    );
    // Full names in the tooltips; the legend names what the map shows.
    let card = cards
        .iter()
        .find(|c| c.attribute("data-id") == Some("trial_ending_email"))
        .unwrap();
    assert!(
        tooltip(card).starts_with("Free trial ends reminder\nRetention · Email"),
        "{}",
        tooltip(card)
    );
    let legend = texts(&with_class(&tree, "legend")[0]);
    assert!(
        legend.contains("Missing touchpoint")
            && legend.contains("Pain point")
            && legend.contains("Goal"),
        "{legend}"
    );
    assert!(
        legend.contains("Emotion: Joining a gym (Jordan, the fitness beginner)"),
        "{legend}"
    );
    // Lanes per channel, in order of first appearance.
    let lanes: Vec<String> = with_class(&tree, "lane").iter().map(texts).collect();
    assert_eq!(lanes[..3], ["Review site", "Social", "Web"]);
    // Deterministic.
    assert_eq!(
        render_svg(&document, "gym", &SvgOptions::default()).unwrap(),
        svg
    );
}

#[test]
fn overlays_from_analysis_and_counts() {
    let document = common::example("gym.json");
    let analysis = document.analyze("gym", &Default::default()).unwrap();
    let mut counts = std::collections::BTreeMap::new();
    counts.insert("contact_form".to_owned(), 1234);
    let options = SvgOptions {
        analysis: true,
        counts,
        ..SvgOptions::default()
    };
    let svg = render_svg(&document, "gym", &options).unwrap();
    let tree = parse(&svg);
    // The stage's figures in the stage KPIs lane (the header keeps the
    // name alone, so that narrow columns never run figures together) and in
    // the header's tooltip.
    let consideration = with_class(&tree, "stage")[1];
    let funnel = &analysis.funnel[1];
    assert_eq!(texts(&consideration), "Consideration");
    assert_eq!(
        tooltip(&consideration),
        "Consideration · reach 67.6% · drop-off 27.3%"
    );
    let kpis = tree
        .descendants()
        .find(|n| n.attribute("data-row") == Some("kpis"))
        .unwrap();
    let cell = kpis
        .descendants()
        .find(|n| n.attribute("data-stage") == Some("consideration"))
        .unwrap();
    assert_eq!(
        texts(&cell),
        format!(
            "reach {:.1}% drop-off {:.1}%{}",
            100.0 * funnel.reach,
            100.0 * funnel.drop_off,
            funnel
                .conversion
                .map_or(String::new(), |c| format!(" conversion {:.1}%", 100.0 * c))
        )
    );
    let card = with_class(&tree, "touchpoint")
        .into_iter()
        .find(|c| c.attribute("data-id") == Some("contact_form"))
        .unwrap();
    assert_eq!(
        texts(&card),
        "Contact form reach 32.0% · drop 13.1% n 1234 !"
    );
    // The analysis' pain points are marked too.
    let marked: Vec<&str> = with_class(&tree, "pain-point")
        .iter()
        .map(|n| n.attribute("data-id").unwrap())
        .collect();
    for pain in &analysis.pain_points {
        assert!(
            marked.contains(&pain.touchpoint.as_str()),
            "{}",
            pain.touchpoint
        );
    }
    // No figures on missing touchpoints: analysis treats them as absent.
    for card in with_class(&tree, "missing") {
        assert_eq!(texts(&card).split(" missing").count(), 2);
        assert!(!texts(&card).contains("reach"));
    }
    assert!(texts(&with_class(&tree, "legend")[0]).contains("n: observed count"));
    let desc = tree.descendants().find(|n| n.has_tag_name("desc")).unwrap();
    assert!(desc.text().unwrap().ends_with(&format!(
        "Goal probability {:.1}%.",
        100.0 * analysis.goal_probability
    )));
}

#[test]
fn as_is_against_to_be() {
    let mut document = common::example("gym.json");
    let mut future = document.journey("gym").unwrap().clone();
    future.id = "gym_future".into();
    future.name = "Joining a gym, to be".into();
    future.kind = JourneyKind::FutureState;
    for touchpoint in &mut future.touchpoints {
        touchpoint.status = Status::Present;
        touchpoint.emotion = Some(touchpoint.emotion.unwrap_or(0.0).max(0.5));
    }
    // Stages matched by name when the ids differ.
    future.stages[0].id = "aware".into();
    for touchpoint in future
        .touchpoints
        .iter_mut()
        .filter(|t| t.stage == "awareness")
    {
        touchpoint.stage = "aware".into();
    }
    document.journeys.push(future);
    let options = SvgOptions {
        compare: vec!["gym_future".into()],
        ..SvgOptions::default()
    };
    let svg = render_svg(&document, "gym", &options).unwrap();
    let tree = parse(&svg);
    let curves = with_class(&tree, "emotion-curve");
    assert_eq!(curves.len(), 2);
    assert_eq!(
        curves[1].attribute("stroke-dasharray"),
        Some("7 4"),
        "told apart without colour"
    );
    assert_eq!(
        curves[1].attribute("points").unwrap().split(' ').count(),
        23
    );
    let lowest = |points: &str| {
        points
            .split(' ')
            .map(|p| p.split(',').nth(1).unwrap().parse::<f64>().unwrap())
            .fold(0.0, f64::max)
    };
    // The to-be curve never dips below +0.5: all its points sit higher (smaller y) than the as-is minimum.
    assert!(
        lowest(curves[1].attribute("points").unwrap())
            < lowest(curves[0].attribute("points").unwrap())
    );
    let legend = texts(&with_class(&tree, "legend")[0]);
    assert!(legend.contains("Emotion: Joining a gym, to be"), "{legend}");
    let unknown = SvgOptions {
        compare: vec!["nope".into()],
        ..SvgOptions::default()
    };
    assert_eq!(
        render_svg(&document, "gym", &unknown).unwrap_err().code(),
        "not_found"
    );
    assert_eq!(
        render_svg(&document, "nope", &SvgOptions::default())
            .unwrap_err()
            .code(),
        "not_found"
    );
}

#[test]
fn sizes_from_three_stages_to_compact() {
    for (touchpoints, compact) in [(3, false), (100, false), (101, true), (400, true)] {
        let journey = journey_core::synthetic::journey(touchpoints, 7);
        let id = journey.id.clone();
        let document = Document::new().with_journey(journey);
        let svg = render_svg(&document, &id, &SvgOptions::default()).unwrap();
        let tree = parse(&svg);
        assert_eq!(with_class(&tree, "touchpoint").len(), touchpoints);
        assert_eq!(
            first_card_height(&tree),
            Some(if compact { "22" } else { "44" }),
            "{touchpoints}"
        );
        // Cards do not overlap.
        let mut boxes: Vec<(f64, f64)> = with_class(&tree, "touchpoint")
            .iter()
            .map(|c| {
                let r = card_rect(c);
                (
                    r.attribute("x").unwrap().parse().unwrap(),
                    r.attribute("y").unwrap().parse().unwrap(),
                )
            })
            .collect();
        boxes.sort_by(|a, b| a.partial_cmp(b).unwrap());
        boxes.dedup();
        assert_eq!(boxes.len(), touchpoints);
    }
    // Fifteen stages stay full size; sixteen turn compact.
    for (stages, compact) in [(15, false), (16, true)] {
        let mut journey = journey_core::Journey {
            id: "wide".into(),
            name: "Wide".into(),
            ..Default::default()
        };
        for s in 0..stages {
            journey.stages.push(journey_core::Stage::new(
                format!("s{s}"),
                format!("Stage {s}"),
            ));
            journey.touchpoints.push(
                journey_core::Touchpoint::new(
                    format!("t{s}"),
                    format!("Step {s}"),
                    format!("s{s}"),
                )
                .emotion(0.0),
            );
        }
        let svg = render_svg(
            &Document::new().with_journey(journey),
            "wide",
            &SvgOptions::default(),
        )
        .unwrap();
        let tree = parse(&svg);
        assert_eq!(with_class(&tree, "stage").len(), stages);
        assert_eq!(
            first_card_height(&tree),
            Some(if compact { "22" } else { "44" }),
            "{stages} stages"
        );
    }
    // Compact on request; order lanes: one column of cards per stage.
    let document = common::example("gym.json");
    let options = SvgOptions {
        compact: Some(true),
        lanes: Lanes::Order,
        missing: false,
        ..SvgOptions::default()
    };
    let tree_text = render_svg(&document, "gym", &options).unwrap();
    let tree = parse(&tree_text);
    assert_eq!(with_class(&tree, "touchpoint").len(), 18);
    assert!(with_class(&tree, "missing").is_empty());
    assert!(with_class(&tree, "lane").is_empty());
}

#[test]
fn analysis_overlay_of_an_invalid_journey_is_refused() {
    let mut document = common::example("gym.json");
    document.journeys[0].entries.clear();
    let options = SvgOptions {
        analysis: true,
        ..SvgOptions::default()
    };
    assert_eq!(
        render_svg(&document, "gym", &options).unwrap_err().code(),
        "validation_error"
    );
    // Without the overlay the map of an invalid journey is still drawn.
    assert!(render_svg(&document, "gym", &SvgOptions::default()).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any names give well-formed XML whose tooltips carry the full text.
    #[test]
    fn any_text_is_escaped(
        names in prop::collection::vec("[ -~\u{0}-\u{1f}éß漢字\u{2028}]{0,60}", 1..8),
        stage in "[ -~<>&\"']{0,40}",
    ) {
        let mut journey = journey_core::Journey { id: "j".into(), name: stage.clone(), ..Default::default() };
        journey.stages.push(journey_core::Stage::new("s", stage.clone()));
        for (i, name) in names.iter().enumerate() {
            journey.touchpoints.push(journey_core::Touchpoint::new(format!("t{i}"), name.clone(), "s").emotion(0.5));
        }
        let document = Document::new().with_journey(journey);
        let svg = render_svg(&document, "j", &SvgOptions::default()).unwrap();
        let tree = parse(&svg);
        let cards = with_class(&tree, "touchpoint");
        prop_assert_eq!(cards.len(), names.len());
        for (card, name) in cards.iter().zip(&names) {
            let clean: String = name.chars().map(|c| if c.is_control() && c != '\n' && c != '\t' { ' ' } else { c }).collect();
            let tip = tooltip(card);
            prop_assert!(tip.starts_with(&clean), "{:?} vs {:?}", tip, clean);
        }
    }
}

#[test]
fn the_legend_names_only_what_is_drawn_and_lanes_read_as_people_write_them() {
    let document = Document::from_json(
        r#"{"schema": "journey/1", "journeys": [{"id": "j", "name": "J",
            "stages": [{"id": "s", "name": "S"}],
            "touchpoints": [
              {"id": "a", "name": "Reminder", "stage": "s", "channel": "sms", "emotion": 1},
              {"id": "b", "name": "Visit", "stage": "s", "channel": "in_person"}],
            "entries": [{"touchpoint": "a"}]}]}"#,
    )
    .unwrap();
    let svg = render_svg(&document, "j", &SvgOptions::default()).unwrap();
    let tree = parse(&svg);
    let legend = texts(&with_class(&tree, "legend")[0]);
    assert!(!legend.contains("Pain point"), "{legend}");
    assert!(with_class(&tree, "pain-marker").is_empty());
    let lanes: Vec<String> = with_class(&tree, "lane").iter().map(texts).collect();
    assert_eq!(lanes, ["SMS", "In person"]);
    // With a pain point, the legend says what its marker means.
    let mut marked = document.clone();
    marked.journeys[0].touchpoints[1].pain_points = vec!["Queue at the desk".into()];
    let svg = render_svg(&marked, "j", &SvgOptions::default()).unwrap();
    let tree = parse(&svg);
    assert!(texts(&with_class(&tree, "legend")[0]).contains("Pain point"));
    assert_eq!(with_class(&tree, "pain-marker").len(), 1);
}

/// The node with this `data-row`.
fn row<'a, 'i>(tree: &'a roxmltree::Document<'i>, key: &str) -> Option<roxmltree::Node<'a, 'i>> {
    tree.descendants()
        .find(|n| has_class(n, "row") && n.attribute("data-row") == Some(key))
}

/// A text lane's cell of one stage: its items' text, each item's wrapped
/// lines joined again.
fn cell_text(lane: &roxmltree::Node<'_, '_>, stage: &str) -> String {
    lane.children()
        .find(|n| has_class(n, "cell") && n.attribute("data-stage") == Some(stage))
        .map(|cell| texts(&cell))
        .unwrap_or_default()
}

fn number(node: &roxmltree::Node<'_, '_>, attribute: &str) -> f64 {
    node.attribute(attribute)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number {attribute} on {node:?}"))
}

#[test]
fn the_gym_map_is_the_practitioners_map() {
    let document = common::example("gym.json");
    let gym = document.journey("gym").unwrap();
    let svg = render_svg(&document, "gym", &SvgOptions::default()).unwrap();
    let tree = parse(&svg);
    // The persona: name, description, goals, motivations, frustrations.
    let jordan = document.persona(&gym.personas[0]).unwrap();
    let persona = with_class(&tree, "persona");
    assert_eq!(persona.len(), 1);
    assert_eq!(persona[0].attribute("data-id"), Some(jordan.id.as_str()));
    let header = texts(&persona[0]);
    assert!(header.starts_with(&jordan.name), "{header}");
    for item in jordan
        .goals
        .iter()
        .chain(&jordan.motivations)
        .chain(&jordan.pain_points)
    {
        assert!(header.contains(item.as_str()), "{item} in {header}");
    }
    assert!(header.contains("Goals") && header.contains("Frustrations"));
    let scope = texts(&with_class(&tree, "scope")[0]);
    let gym_scope = gym.scope.as_ref().unwrap();
    assert!(
        scope.contains(gym_scope.start.as_deref().unwrap()),
        "{scope}"
    );
    // The lanes the document has content for, in the default order (the
    // gym has no analysis asked, so no stage KPIs).
    let rows: Vec<&str> = with_class(&tree, "row")
        .iter()
        .map(|n| n.attribute("data-row").unwrap())
        .collect();
    assert_eq!(
        rows,
        [
            "actions",
            "touchpoints",
            "thoughts",
            "emotion",
            "pain_points",
            "opportunities",
            "measures"
        ]
    );
    // Every stage's actions and thoughts in its own cell, whole and in order
    // (the stage's, then its touchpoints').
    let (actions, thoughts) = (
        row(&tree, "actions").unwrap(),
        row(&tree, "thoughts").unwrap(),
    );
    for stage in &gym.stages {
        let members = gym.touchpoints.iter().filter(|t| t.stage == stage.id);
        let expected: Vec<&str> = stage
            .actions
            .iter()
            .chain(members.clone().flat_map(|t| &t.actions))
            .map(String::as_str)
            .collect();
        assert!(!expected.is_empty(), "{}", stage.id);
        assert_eq!(
            cell_text(&actions, &stage.id),
            expected.join(" "),
            "{}",
            stage.id
        );
        let expected: Vec<&str> = stage
            .thoughts
            .iter()
            .chain(members.flat_map(|t| &t.thoughts))
            .map(String::as_str)
            .collect();
        assert_eq!(
            cell_text(&thoughts, &stage.id),
            expected.join(" "),
            "{}",
            stage.id
        );
    }
    // Pain points and opportunities as text, under the stage of their card.
    let pains = row(&tree, "pain_points").unwrap();
    assert_eq!(
        cell_text(&pains, "consideration"),
        "Contact form: Has to wait for a call back to learn about classes"
    );
    let opportunities = row(&tree, "opportunities").unwrap();
    assert_eq!(
        cell_text(&opportunities, "conversion"),
        "Progress tracking Class schedules Trainer booking Recommendations"
    );
    // Measures against their targets, met or missed (CES is lower-is-better).
    let measures = row(&tree, "measures").unwrap();
    assert_eq!(
        cell_text(&measures, "consideration"),
        "CES 5.2 / target 3 ✗ missed"
    );
    let met: Vec<String> = measures
        .descendants()
        .filter(|n| has_class(n, "met"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect();
    assert_eq!(
        met,
        ["CSAT 4.5 / target 4 ✓ met", "NPS 42 / target 30 ✓ met"]
    );
    assert!(
        measures
            .descendants()
            .filter(|n| has_class(n, "missed"))
            .count()
            >= 3
    );
    // Each emotion point under its card: within the card's width.
    let points = with_class(&tree, "emotion-point");
    let felt = gym
        .touchpoints
        .iter()
        .filter(|t| t.status == Status::Present && t.emotion.is_some())
        .count();
    assert_eq!(points.len(), felt);
    let cards = with_class(&tree, "touchpoint");
    for point in &points {
        let id = point.attribute("data-id").unwrap();
        let card = cards
            .iter()
            .find(|c| c.attribute("data-id") == Some(id))
            .unwrap();
        let rect = card_rect(card);
        let (x, width) = (number(&rect, "x"), number(&rect, "width"));
        let cx = number(point, "cx");
        assert!(
            x <= cx && cx <= x + width,
            "{id}: {cx} outside {x}..{}",
            x + width
        );
    }
    // Every card focusable, named for assistive technology.
    for card in &cards {
        assert_eq!(card.attribute("tabindex"), Some("0"));
        let id = card.attribute("data-id").unwrap();
        let name = &gym.touchpoint(id).unwrap().name;
        assert!(
            card.attribute("aria-label")
                .unwrap()
                .starts_with(name.as_str())
        );
    }
}

#[test]
fn rows_in_the_order_asked_and_a_service_blueprint() {
    use journey_core::render::Row;
    let document = common::example("gym.json");
    let options = SvgOptions {
        rows: Some(vec![Row::Emotion, Row::Touchpoints, Row::Emotion]),
        lanes: Lanes::Layer,
        persona: false,
        ..SvgOptions::default()
    };
    let svg = render_svg(&document, "gym", &options).unwrap();
    let tree = parse(&svg);
    let rows: Vec<&str> = with_class(&tree, "row")
        .iter()
        .map(|n| n.attribute("data-row").unwrap())
        .collect();
    assert_eq!(rows, ["emotion", "touchpoints"], "once each, in order");
    assert!(with_class(&tree, "persona").is_empty());
    // The gym's touchpoints are all frontstage: one layer, with the owners
    // on the cards.
    let lanes: Vec<&str> = with_class(&tree, "lane")
        .iter()
        .map(|n| n.attribute("data-lane").unwrap())
        .collect();
    assert_eq!(lanes, ["frontstage"]);
    let consultation = with_class(&tree, "touchpoint")
        .into_iter()
        .find(|c| c.attribute("data-id") == Some("consultation"))
        .unwrap();
    assert!(
        texts(&consultation).ends_with("Sales"),
        "{}",
        texts(&consultation)
    );
    // A blueprint with every layer: in layer order, whatever the list's.
    let mut document = document;
    let gym = document
        .journeys
        .iter_mut()
        .find(|j| j.id == "gym")
        .unwrap();
    gym.touchpoints[0].layer = journey_core::Layer::Support;
    gym.touchpoints[1].layer = journey_core::Layer::Backstage;
    let svg = render_svg(&document, "gym", &options).unwrap();
    let tree = parse(&svg);
    let lanes: Vec<String> = with_class(&tree, "lane").iter().map(texts).collect();
    assert_eq!(lanes, ["Frontstage", "Backstage", "Support processes"]);
}

#[test]
fn flows_between_the_cards() {
    let document = common::example("gym.json");
    let gym = document.journey("gym").unwrap();
    let svg = render_svg(
        &document,
        "gym",
        &SvgOptions {
            flows: true,
            ..SvgOptions::default()
        },
    )
    .unwrap();
    let tree = parse(&svg);
    let flows: Vec<_> = with_class(&tree, "flow")
        .into_iter()
        .filter(|n| n.has_tag_name("path"))
        .collect();
    // One arc per transition between drawn cards.
    assert_eq!(flows.len(), gym.transitions.len());
    let stage_of = |id: &str| {
        let stage = &gym.touchpoint(id).unwrap().stage;
        gym.stages.iter().position(|s| &s.id == stage).unwrap()
    };
    for flow in &flows {
        let (from, to) = (
            flow.attribute("data-from").unwrap(),
            flow.attribute("data-to").unwrap(),
        );
        let kind = if from == to {
            "loop"
        } else if stage_of(to) < stage_of(from) {
            "back"
        } else {
            ""
        };
        if !kind.is_empty() {
            assert!(has_class(flow, kind), "{from} -> {to} is {kind}");
        }
        // Wider for a likelier transition.
        let t = gym
            .transitions
            .iter()
            .find(|t| t.from == from && t.to == to)
            .unwrap();
        if let Some(p) = t.probability {
            let width = number(flow, "stroke-width");
            assert!(
                (width - (1.0 + 4.0 * p)).abs() <= 0.05,
                "{from} -> {to}: {width}"
            );
        }
    }
    assert!(
        flows.iter().any(|f| has_class(f, "back")),
        "the gym has back-jumps"
    );
    // Drop-off: what leaves a card without a transition, where every
    // transition out of it has a probability.
    let exits = with_class(&tree, "exit");
    let online = exits
        .iter()
        .find(|e| e.attribute("data-from") == Some("online_reviews"))
        .unwrap();
    let out: f64 = gym
        .transitions
        .iter()
        .filter(|t| t.from == "online_reviews")
        .filter_map(|t| t.probability)
        .sum();
    assert_eq!(
        tooltip(online),
        format!("Online reviews: drop-off {:.1}%", 100.0 * (1.0 - out))
    );
    assert!(texts(&with_class(&tree, "legend")[0]).contains("Back-jump or loop"));
    // Without the option, none.
    let plain = render_svg(&document, "gym", &SvgOptions::default()).unwrap();
    assert!(!plain.contains("class=\"flow"));
}

#[test]
fn themes_custom_properties_and_width() {
    use journey_core::render::{CUSTOM_PROPERTIES, Theme};
    let document = common::example("gym.json");
    let dark = render_svg(
        &document,
        "gym",
        &SvgOptions {
            theme: Theme::Dark,
            width: Some(1800.0),
            ..SvgOptions::default()
        },
    )
    .unwrap();
    let tree = parse(&dark);
    let root = tree.root_element();
    assert_eq!(root.attribute("data-theme"), Some("dark"));
    assert_eq!(root.attribute("width"), Some("1800"));
    assert_eq!(
        root.attribute("viewBox").unwrap().split(' ').nth(2),
        Some("1800")
    );
    let background = with_class(&tree, "background")[0];
    assert_eq!(background.attribute("fill"), Some("#0f172a"));
    // Every colour can be restyled from the page, the theme's as default.
    let style = tree
        .descendants()
        .find(|n| n.has_tag_name("style"))
        .and_then(|n| n.text())
        .unwrap();
    for (name, light, dark_value) in CUSTOM_PROPERTIES {
        assert!(
            style.contains(&format!("var({name},{dark_value})")),
            "{name} in {style}"
        );
        assert!(!style.contains(&format!("var({name},{light})")) || light == dark_value);
    }
    assert!(style.starts_with("svg.journey-map[data-theme=\"dark\"] "));
    // Columns share the width asked for; a narrower one than the cards need
    // is widened, never squeezed.
    let stage_widths = |svg: &str| -> Vec<f64> {
        let tree = parse(svg);
        with_class(&tree, "stage-box")
            .iter()
            .chain(with_class(&tree, "stage-box-alt").iter())
            .map(|r| number(r, "width"))
            .collect()
    };
    let wide: f64 = stage_widths(&dark).iter().sum();
    let light = render_svg(&document, "gym", &SvgOptions::default()).unwrap();
    let natural: f64 = stage_widths(&light).iter().sum();
    assert!(wide < natural, "{wide} {natural}");
    let narrow = render_svg(
        &document,
        "gym",
        &SvgOptions {
            width: Some(300.0),
            ..SvgOptions::default()
        },
    )
    .unwrap();
    let narrow_width: f64 = number(&parse(&narrow).root_element(), "width");
    assert!(narrow_width > 300.0);
    assert!(parse(&light).root_element().attribute("data-theme") == Some("light"));
    // Emotion points are ringed in the background's colour.
    let point = with_class(&tree, "emotion-point")[0];
    assert!(has_class(&point, "point"));
    assert_eq!(point.attribute("stroke"), Some("#0f172a"));
}

/// Stages A, B, C with one touchpoint each: a → b 0.6, b → c 0.5 and back
/// b → a 0.2, c the goal; observed counts 100, 40 and 10.
fn three_stages() -> Document {
    let text = r#"{"schema": "journey/1", "journeys": [{"id": "j", "name": "J",
        "stages": [{"id": "A", "name": "A"}, {"id": "B", "name": "B"}, {"id": "C", "name": "C"}],
        "touchpoints": [{"id": "a", "name": "a", "stage": "A"}, {"id": "b", "name": "b", "stage": "B"},
                        {"id": "c", "name": "c", "stage": "C"}],
        "transitions": [{"from": "a", "to": "b", "probability": 0.6, "count": 100},
                        {"from": "b", "to": "c", "probability": 0.5, "count": 40},
                        {"from": "b", "to": "a", "probability": 0.2, "count": 10}],
        "entries": [{"touchpoint": "a"}], "goals": ["c"]}]}"#;
    Document::from_json(text).unwrap()
}

#[test]
fn the_stage_flow_of_a_journey_with_a_loop_back() {
    use journey_core::render::{FlowOptions, render_stage_flow};
    let document = three_stages();
    let svg = render_stage_flow(&document, "j", &FlowOptions::default()).unwrap();
    let tree = parse(&svg);
    // By hand: visits(a) = 1 + 0.2 visits(b), visits(b) = 0.6 visits(a), so
    // visits(a) = 1 / 0.88 and visits(b) = 0.6 / 0.88.
    let (a, b): (f64, f64) = (1.0 / 0.88, 0.6 / 0.88);
    let links: Vec<(String, String)> = with_class(&tree, "stage-link")
        .iter()
        .map(|l| {
            let kind = if has_class(l, "back") {
                "back"
            } else {
                "forward"
            };
            (kind.to_owned(), tooltip(l))
        })
        .collect();
    assert_eq!(
        links,
        [
            (
                "forward".to_owned(),
                format!("A → B: {:.1}%", 100.0 * a * 0.6)
            ),
            (
                "forward".to_owned(),
                format!("B → C: {:.1}%", 100.0 * b * 0.5)
            ),
            ("back".to_owned(), format!("B → A: {:.1}%", 100.0 * b * 0.2)),
        ]
    );
    assert_eq!(links[0].1, "A → B: 68.2%");
    let exits: Vec<String> = with_class(&tree, "stage-exit")
        .iter()
        .map(tooltip)
        .collect();
    // Everyone ends somewhere: 45.5% + 20.5% + 34.1% (rounded) of customers.
    assert_eq!(exits, ["A: leave 45.5%", "B: leave 20.5%", "C: goal 34.1%"]);
    assert!((a * 0.4 + b * 0.3 + b * 0.5 - 1.0).abs() < 1e-12);
    // Bands as wide as their flows: A → B twice B → C.
    let widths: Vec<f64> = with_class(&tree, "stage-link")
        .iter()
        .map(|l| number(l, "stroke-width"))
        .collect();
    assert!((widths[0] / widths[1] - 2.0).abs() < 0.01, "{widths:?}");
    // Bars labelled with the funnel's reach (B is reached by the 60% who go
    // on from a the first time; coming back does not reach it again), their
    // tooltips with the flow through them.
    let values: Vec<String> = with_class(&tree, "stage-value").iter().map(texts).collect();
    assert_eq!(values, ["reach 100.0%", "reach 60.0%", "reach 34.1%"]);
    assert_eq!(
        tooltip(&with_class(&tree, "stage-node")[0]),
        "A: 113.6% through it"
    );
    // Deterministic.
    assert_eq!(
        render_stage_flow(&document, "j", &FlowOptions::default()).unwrap(),
        svg
    );
}

#[test]
fn the_observed_stage_flow_and_its_errors() {
    use journey_core::ErrorKind;
    use journey_core::render::{FlowOptions, render_stage_flow};
    let document = three_stages();
    let observed = FlowOptions {
        observed: true,
        ..FlowOptions::default()
    };
    let svg = render_stage_flow(&document, "j", &observed).unwrap();
    let tree = parse(&svg);
    let links: Vec<String> = with_class(&tree, "stage-link")
        .iter()
        .map(tooltip)
        .collect();
    assert_eq!(links, ["A → B: 100", "B → C: 40", "B → A: 10"]);
    // What comes in and does not go on ends there: B keeps 50 of 100, C 40.
    let exits: Vec<String> = with_class(&tree, "stage-exit")
        .iter()
        .map(tooltip)
        .collect();
    assert_eq!(exits, ["B: leave 50", "C: leave 40"]);
    let nodes: Vec<String> = with_class(&tree, "stage-node")
        .iter()
        .map(tooltip)
        .collect();
    // A: 90 start there (100 leave, 10 come back) and 10 come back.
    assert_eq!(
        nodes,
        ["A: 100 through it", "B: 100 through it", "C: 40 through it"]
    );
    assert_eq!(
        render_stage_flow(&document, "nope", &observed)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    // Analysed, the journey must be valid.
    let mut broken = document.clone();
    broken.journeys[0].goals.clear();
    broken.journeys[0].transitions[0].probability = Some(1.5);
    assert_eq!(
        render_stage_flow(&broken, "j", &FlowOptions::default())
            .unwrap_err()
            .kind(),
        ErrorKind::ValidationError
    );
    assert!(render_stage_flow(&broken, "j", &observed).is_ok());
}
