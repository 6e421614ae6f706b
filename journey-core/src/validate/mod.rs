//! Validation: every problem of a document at once, each with a severity, a
//! stable code, a message a person understands and a location path such as
//! `journeys[gym].touchpoints[tour].stage`.
//!
//! Errors make a model unfit for analysis (a dangling reference, a
//! probability of 1.7); warnings point at things a mapper probably wants to
//! look at (a dead end, a stage with no touchpoint) but that analysis can
//! handle. Codes never change meaning once released; see [`Code`].

use hashbrown::{HashMap, HashSet};

pub(crate) mod report;

pub use report::{Code, Finding, Report, Severity};

use crate::document::Document;
use crate::graph::JourneyGraph;
use crate::model::{Journey, MeasureDefinition, Status};
use petgraph::graph::NodeIndex;

impl Document {
    /// Every validation finding, errors and warnings (see [`crate::validate`]).
    pub fn validate(&self) -> Report {
        validate_document(self)
    }
}

/// Validates a whole document: personas, measure definitions and every
/// journey, including references between them.
pub fn validate_document(document: &Document) -> Report {
    let mut report = Report::default();
    check_ids(
        &mut report,
        "personas",
        document.personas.iter().map(|p| p.id.as_str()),
    );
    check_ids(
        &mut report,
        "measures",
        document.measures.iter().map(|m| m.key.as_str()),
    );
    for measure in &document.measures {
        check_measure_definition(&mut report, measure);
    }
    check_ids(
        &mut report,
        "journeys",
        document.journeys.iter().map(|j| j.id.as_str()),
    );
    let personas: HashSet<&str> = document.personas.iter().map(|p| p.id.as_str()).collect();
    // A repeated key (reported above) is looked up as its last definition.
    let mut measures: HashMap<&str, usize> = HashMap::new();
    for (position, measure) in document.measures.iter().enumerate() {
        measures.insert(measure.key.as_str(), position);
    }
    let context = Context {
        personas: Some(&personas),
        measures: Some((&measures, &document.measures)),
    };
    for journey in &document.journeys {
        check_journey(&mut report, journey, &context);
    }
    report
}

/// Validates one journey on its own. References to personas and measures
/// cannot be checked without their document and are not reported.
pub fn validate_journey(journey: &Journey) -> Report {
    let mut report = Report::default();
    check_journey(
        &mut report,
        journey,
        &Context {
            personas: None,
            measures: None,
        },
    );
    report
}

struct Context<'a> {
    personas: Option<&'a HashSet<&'a str>>,
    /// The document's measure definitions and each key's position in them.
    measures: Option<(&'a HashMap<&'a str, usize>, &'a [MeasureDefinition])>,
}

/// Reports empty and repeated ids; returns each id's first position.
fn check_ids<'a>(
    report: &mut Report,
    list: &str,
    ids: impl Iterator<Item = &'a str>,
) -> HashMap<&'a str, usize> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (position, id) in ids.enumerate() {
        if id.is_empty() {
            seen.entry(id).or_insert(position);
            report.error(
                Code::EmptyId,
                format!("{list}[{position}]"),
                format!("item {position} of {list} has an empty id"),
            );
        } else if let Some(first) = seen.get(id) {
            // Id-based paths would be ambiguous here, so the duplicate is
            // located by its position.
            report.error(
                Code::DuplicateId,
                // Measure definitions are keyed by `key`, everything else by `id`.
                format!(
                    "{list}[{position}].{}",
                    if list == "measures" { "key" } else { "id" }
                ),
                format!(
                    "the id {id:?} of item {position} of {list} is already used by item {first}"
                ),
            );
        } else {
            seen.insert(id, position);
        }
    }
    seen
}

fn check_finite(report: &mut Report, path: impl FnOnce() -> String, value: f64) -> bool {
    if value.is_finite() {
        true
    } else {
        let path = path();
        report.error(
            Code::NonFiniteNumber,
            path.clone(),
            format!("{value} is not a finite number"),
        );
        false
    }
}

fn check_non_negative(report: &mut Report, path: impl FnOnce() -> String, what: &str, value: f64) {
    if value.is_finite() && value < 0.0 {
        report.error(
            Code::NegativeValue,
            path(),
            format!("{what} is {value}; it cannot be negative"),
        );
    }
}

fn check_measure_definition(report: &mut Report, measure: &MeasureDefinition) {
    let at = format!("measures[{}]", measure.key);
    if let crate::model::Scale::Score { min, max } = measure.scale {
        let min_ok = check_finite(report, || format!("{at}.scale.min"), min);
        let max_ok = check_finite(report, || format!("{at}.scale.max"), max);
        if min_ok && max_ok && min >= max {
            report.error(
                Code::InvalidScale,
                format!("{at}.scale"),
                format!("the score scale runs from {min} to {max}; its minimum must be below its maximum"),
            );
        }
    }
    if let Some(target) = measure.target
        && check_finite(report, || format!("{at}.target"), target)
        && !measure.scale.contains(target)
        && scale_is_sound(measure)
    {
        report.error(
            Code::MeasureOutOfScale,
            format!("{at}.target"),
            format!("the target {target} lies outside the measure's scale"),
        );
    }
}

fn scale_is_sound(measure: &MeasureDefinition) -> bool {
    let (low, high) = measure.scale.bounds();
    low.is_finite() && !high.is_nan() && low < high
}

/// Persona ids (of a journey or a touchpoint at `at`) the document defines.
fn check_personas(report: &mut Report, context: &Context<'_>, ids: &[String], at: &str) {
    let Some(personas) = context.personas else {
        return;
    };
    for (position, persona) in ids.iter().enumerate() {
        if !personas.contains(persona.as_str()) {
            report.error(
                Code::DanglingReference,
                format!("{at}.personas[{position}]"),
                format!("persona {persona:?} is not defined in the document"),
            );
        }
    }
}

fn check_journey(report: &mut Report, journey: &Journey, context: &Context<'_>) {
    let at = format!("journeys[{}]", journey.id);
    let stage_ids = check_ids(
        report,
        &format!("{at}.stages"),
        journey.stages.iter().map(|s| s.id.as_str()),
    );
    // A repeated id is looked up as its first touchpoint.
    let positions = check_ids(
        report,
        &format!("{at}.touchpoints"),
        journey.touchpoints.iter().map(|t| t.id.as_str()),
    );
    check_personas(report, context, &journey.personas, &at);
    let status = |id: &str| positions.get(id).map(|&at| journey.touchpoints[at].status);
    let goals: HashSet<&str> = journey.goals.iter().map(String::as_str).collect();

    for touchpoint in &journey.touchpoints {
        let tp = format!("{at}.touchpoints[{}]", touchpoint.id);
        if !stage_ids.contains_key(touchpoint.stage.as_str()) {
            report.error(
                Code::DanglingReference,
                format!("{tp}.stage"),
                format!(
                    "touchpoint {:?} belongs to stage {:?}, which the journey does not have",
                    touchpoint.id, touchpoint.stage
                ),
            );
        }
        check_personas(report, context, &touchpoint.personas, &tp);
        if let Some(emotion) = touchpoint.emotion
            && check_finite(report, || format!("{tp}.emotion"), emotion)
            && !(-2.0..=2.0).contains(&emotion)
        {
            report.error(
                Code::EmotionOutOfRange,
                format!("{tp}.emotion"),
                format!("emotion {emotion} is outside the scale −2..+2"),
            );
        }
        if let Some(written) = touchpoint.extra.get(crate::mermaid::SCORE_EXTRA) {
            let emotion = touchpoint
                .emotion
                .map_or("no emotion".to_owned(), |e| format!("emotion {e}"));
            report.warning(
                Code::MermaidScore,
                format!("{tp}.{}", crate::mermaid::SCORE_EXTRA),
                format!(
                    "the Mermaid score {written} is outside 1..5 or not a number: the touchpoint has {emotion}, and the score as written is kept for export"
                ),
            );
        }
        if let Some(importance) = touchpoint.importance
            && check_finite(report, || format!("{tp}.importance"), importance)
        {
            check_non_negative(
                report,
                || format!("{tp}.importance"),
                "importance",
                importance,
            );
        }
        for (key, measured) in &touchpoint.measures {
            let path = || format!("{tp}.measures[{key}].value");
            if !check_finite(report, path, measured.value) {
                continue;
            }
            let Some((positions, measures)) = context.measures else {
                continue;
            };
            match positions.get(key.as_str()).map(|&at| &measures[at]) {
                None => report.error(
                    Code::DanglingReference,
                    format!("{tp}.measures[{key}]"),
                    format!("measure {key:?} is not defined in the document"),
                ),
                Some(definition)
                    if scale_is_sound(definition) && !definition.scale.contains(measured.value) =>
                {
                    let (low, high) = definition.scale.bounds();
                    report.error(
                        Code::MeasureOutOfScale,
                        path(),
                        format!(
                            "{key} value {} is outside the measure's scale {low}..{high}",
                            measured.value
                        ),
                    );
                }
                Some(_) => {}
            }
        }
    }

    // Transitions.
    let mut outgoing_sum: HashMap<&str, f64> = HashMap::new();
    let mut pairs = HashSet::new();
    for (position, transition) in journey.transitions.iter().enumerate() {
        let tr = format!("{at}.transitions[{position}]");
        for (end, id) in [("from", &transition.from), ("to", &transition.to)] {
            match status(id) {
                None => report.error(
                    Code::DanglingReference,
                    format!("{tr}.{end}"),
                    format!("transition {position} goes {end} touchpoint {id:?}, which the journey does not have"),
                ),
                Some(Status::Missing) => report.warning(
                    Code::MissingTouchpointReferenced,
                    format!("{tr}.{end}"),
                    format!("touchpoint {id:?} is marked missing, so analysis leaves this transition out"),
                ),
                Some(Status::Present) => {}
            }
        }
        if !pairs.insert((transition.from.as_str(), transition.to.as_str())) {
            report.warning(
                Code::DuplicateTransition,
                tr.clone(),
                format!(
                    "the transition {:?} → {:?} appears more than once; analysis adds them up",
                    transition.from, transition.to
                ),
            );
        }
        if let Some(probability) = transition.probability
            && check_finite(report, || format!("{tr}.probability"), probability)
        {
            if !(0.0..=1.0).contains(&probability) {
                report.error(
                    Code::ProbabilityOutOfRange,
                    format!("{tr}.probability"),
                    format!("probability {probability} is outside [0, 1]"),
                );
            } else {
                *outgoing_sum.entry(transition.from.as_str()).or_default() += probability;
            }
        }
        if let Some(duration) = transition.duration
            && check_finite(report, || format!("{tr}.duration"), duration)
        {
            check_non_negative(report, || format!("{tr}.duration"), "duration", duration);
        }
    }
    for touchpoint in &journey.touchpoints {
        if let Some(&sum) = outgoing_sum.get(touchpoint.id.as_str())
            && sum > 1.0 + 1e-9
        {
            report.error(
                Code::ProbabilitySumAboveOne,
                format!("{at}.touchpoints[{}]", touchpoint.id),
                format!(
                    "the probabilities of the transitions leaving {:?} add up to {sum}, more than 1",
                    touchpoint.id
                ),
            );
            // Report each touchpoint once even when its id is duplicated.
            outgoing_sum.remove(touchpoint.id.as_str());
        }
    }

    // Entries.
    let mut total_weight = 0.0;
    for (position, entry) in journey.entries.iter().enumerate() {
        let en = format!("{at}.entries[{position}]");
        match status(&entry.touchpoint) {
            None => report.error(
                Code::DanglingReference,
                format!("{en}.touchpoint"),
                format!(
                    "entry touchpoint {:?} is not in the journey",
                    entry.touchpoint
                ),
            ),
            Some(Status::Missing) => report.error(
                Code::MissingTouchpointReferenced,
                format!("{en}.touchpoint"),
                format!(
                    "entry touchpoint {:?} is marked missing: customers cannot start at a touchpoint that does not exist",
                    entry.touchpoint
                ),
            ),
            Some(Status::Present) => {}
        }
        if check_finite(report, || format!("{en}.weight"), entry.weight) {
            check_non_negative(
                report,
                || format!("{en}.weight"),
                "the entry weight",
                entry.weight,
            );
            total_weight += entry.weight.max(0.0);
        }
    }
    if journey.entries.is_empty() {
        report.error(
            Code::NoEntry,
            format!("{at}.entries"),
            "the journey has no entry touchpoint: say where customers start".to_owned(),
        );
    } else if total_weight <= 0.0 {
        report.error(
            Code::NoEntry,
            format!("{at}.entries"),
            "the entry weights add up to zero: no customer starts anywhere".to_owned(),
        );
    }

    // Higher-order context.
    for (position, row) in journey.context.iter().enumerate() {
        let path = format!("{at}.context[{position}]");
        if row.path.len() < 2 {
            report.error(
                Code::InvalidContext,
                format!("{path}.path"),
                "a context path has two or more touchpoints (the current one last)".to_owned(),
            );
        }
        for id in row.path.iter().chain(row.next.keys()) {
            if status(id).is_none() {
                report.error(
                    Code::DanglingReference,
                    path.clone(),
                    format!("touchpoint {id:?} is not in the journey"),
                );
            }
        }
    }

    // Goals.
    if journey.goals.is_empty() {
        report.warning(
            Code::NoGoal,
            format!("{at}.goals"),
            "the journey has no goal touchpoint; success cannot be measured".to_owned(),
        );
    }
    let mut seen_goals = HashSet::new();
    for (position, goal) in journey.goals.iter().enumerate() {
        let path = format!("{at}.goals[{position}]");
        if !seen_goals.insert(goal.as_str()) {
            report.warning(
                Code::DuplicateId,
                path.clone(),
                format!("goal {goal:?} is listed more than once"),
            );
        }
        match status(goal) {
            None => report.error(
                Code::DanglingReference,
                path,
                format!("goal touchpoint {goal:?} is not in the journey"),
            ),
            Some(Status::Missing) => report.warning(
                Code::MissingTouchpointReferenced,
                path,
                format!(
                    "goal touchpoint {goal:?} is marked missing, so no customer can reach it yet"
                ),
            ),
            Some(Status::Present) => {}
        }
    }

    check_structure(report, journey, &at, &goals);

    for (stage, members) in journey.stages.iter().zip(journey.touchpoints_by_stage()) {
        let present = members.iter().any(|t| t.status == Status::Present);
        if !present {
            report.warning(
                Code::EmptyStage,
                format!("{at}.stages[{}]", stage.id),
                format!("stage {:?} has no present touchpoint", stage.id),
            );
        }
    }
}

/// Reachability, goals, dead ends and traps, on the graph of present touchpoints.
fn check_structure(report: &mut Report, journey: &Journey, at: &str, goals: &HashSet<&str>) {
    let graph = JourneyGraph::new(journey);
    let reachable = graph.reachable_nodes();
    let any_entry = !reachable.is_empty();
    for goal in &journey.goals {
        if let Some(node) = graph.node(goal)
            && graph.touchpoint_at(node).status == Status::Present
        {
            if any_entry && !reachable.contains(&node) {
                report.error(
                    Code::GoalUnreachable,
                    format!("{at}.goals[{goal}]"),
                    format!("no path leads from the entries to goal {goal:?}"),
                );
            }
            if graph.has_way_out(node) {
                report.warning(
                    Code::GoalHasTransitions,
                    format!("{at}.touchpoints[{goal}]"),
                    format!("goal {goal:?} has outgoing transitions; goals end the journey, so analysis ignores them"),
                );
            }
        }
    }
    let mut leaks = crate::graph::NodeSet::default();
    // The resolved next steps by node index (none for absent nodes).
    let mut steps: Vec<Vec<(NodeIndex, f64)>> = Vec::new();
    for node in graph.nodes() {
        let touchpoint = graph.touchpoint_at(node);
        if touchpoint.status != Status::Present {
            continue;
        }
        let is_goal = goals.contains(touchpoint.id.as_str());
        if any_entry && !reachable.contains(&node) {
            report.warning(
                Code::UnreachableTouchpoint,
                format!("{at}.touchpoints[{}]", touchpoint.id),
                format!("no path leads from the entries to {:?}", touchpoint.id),
            );
        }
        if !is_goal && !graph.has_way_out(node) {
            report.warning(
                Code::DeadEnd,
                format!("{at}.touchpoints[{}]", touchpoint.id),
                format!(
                    "{:?} has no way out: every customer who gets here leaves",
                    touchpoint.id
                ),
            );
        }
        let (next, drop_off) = graph.resolved(node);
        if steps.len() <= node.index() {
            steps.resize(node.index() + 1, Vec::new());
        }
        steps[node.index()] = next;
        if is_goal || drop_off > 0.0 {
            leaks.insert(node);
        }
    }
    let can_end = JourneyGraph::can_reach_with_probability(&leaks, &steps);
    let trapped: Vec<&str> = reachable
        .iter()
        .filter(|node| !can_end.contains(node))
        .map(|node| graph.touchpoint_at(node).id.as_str())
        .collect();
    if !trapped.is_empty() {
        report.error(
            Code::Trap,
            format!("{at}.touchpoints[{}]", trapped[0]),
            format!(
                "customers who reach {} can never reach a goal or leave: their transitions always lead back among them",
                trapped
                    .iter()
                    .map(|id| format!("{id:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Stage, Touchpoint, Transition};

    fn stage(id: &str) -> Stage {
        Stage {
            id: id.into(),
            name: id.into(),
            ..Stage::default()
        }
    }

    fn base() -> Journey {
        Journey {
            id: "j".into(),
            name: "J".into(),
            stages: vec![stage("s1"), stage("s2")],
            touchpoints: vec![
                Touchpoint::new("a", "A", "s1"),
                Touchpoint::new("b", "B", "s2"),
            ],
            transitions: vec![Transition::new("a", "b").probability(0.8)],
            entries: vec![Entry {
                touchpoint: "a".into(),
                weight: 1.0,
                extra: Default::default(),
            }],
            goals: vec!["b".into()],
            ..Journey::default()
        }
    }

    fn codes(report: &Report) -> Vec<(Severity, Code, &str)> {
        report
            .findings
            .iter()
            .map(|f| (f.severity, f.code, f.path.as_str()))
            .collect()
    }

    #[test]
    fn a_sound_journey_has_no_findings() {
        assert_eq!(validate_journey(&base()).findings, vec![]);
    }

    #[test]
    fn trap_loops_are_errors() {
        let mut journey = base();
        journey.touchpoints.push(Touchpoint::new("c", "C", "s1"));
        journey.transitions = vec![
            Transition::new("a", "b").probability(0.5),
            Transition::new("a", "c").probability(0.5),
            Transition::new("c", "c").probability(1.0),
        ];
        let report = validate_journey(&journey);
        assert_eq!(
            codes(&report),
            vec![(Severity::Error, Code::Trap, "journeys[j].touchpoints[c]")]
        );
    }

    #[test]
    fn unreachable_goal_dead_end_and_empty_stage() {
        let mut journey = base();
        journey.stages.push(stage("s3"));
        journey.transitions.clear();
        let report = validate_journey(&journey);
        assert_eq!(
            codes(&report),
            vec![
                (
                    Severity::Error,
                    Code::GoalUnreachable,
                    "journeys[j].goals[b]"
                ),
                (
                    Severity::Warning,
                    Code::DeadEnd,
                    "journeys[j].touchpoints[a]"
                ),
                (
                    Severity::Warning,
                    Code::UnreachableTouchpoint,
                    "journeys[j].touchpoints[b]"
                ),
                (
                    Severity::Warning,
                    Code::EmptyStage,
                    "journeys[j].stages[s3]"
                ),
            ]
        );
    }

    #[test]
    fn non_finite_numbers_are_errors_not_panics() {
        let mut journey = base();
        journey.touchpoints[0].emotion = Some(f64::NAN);
        journey.transitions[0].probability = Some(f64::INFINITY);
        journey.entries[0].weight = f64::NEG_INFINITY;
        let report = validate_journey(&journey);
        let errors: Vec<_> = report.errors().map(|f| (f.code, f.path.as_str())).collect();
        assert_eq!(
            errors,
            vec![
                (Code::NonFiniteNumber, "journeys[j].touchpoints[a].emotion"),
                (
                    Code::NonFiniteNumber,
                    "journeys[j].transitions[0].probability"
                ),
                (Code::NonFiniteNumber, "journeys[j].entries[0].weight"),
                (Code::NoEntry, "journeys[j].entries"),
            ]
        );
    }
}
