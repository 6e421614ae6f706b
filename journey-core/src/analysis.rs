//! Exact journey analytics: what a drawn map says about where customers go,
//! where they leave, which touchpoints matter and how the journey feels.
//!
//! # Semantics
//!
//! A journey is an absorbing Markov chain over its present touchpoints.
//!
//! - Customers start at the entry touchpoints in proportion to their entry
//!   weights.
//! - From a touchpoint they follow its outgoing transitions with their
//!   probabilities. Where a touchpoint has transitions without a probability,
//!   the mass not assigned explicitly is shared among them: by their observed
//!   counts when every one has a count (and the counts are not all zero),
//!   otherwise equally. Mass assigned to no transition drops off: the customer
//!   leaves there. Transitions into a missing touchpoint drop off too.
//! - Goal touchpoints absorb: reaching one is success, and their own outgoing
//!   transitions are ignored.
//! - Loops, self-loops and back-jumps are ordinary transitions.
//!
//! Everything is computed exactly by sparse linear solves on the transient
//! part (`N = (I − Q)⁻¹`, the fundamental matrix), never by simulation: the
//! same journey gives the same numbers, to the last bit, on every run and
//! every front.
//!
//! - Expected visits of touchpoint `v`: `(αᵀN)_v`; reach (visited at least
//!   once): `visits_v / N_vv`.
//! - Goal probability from `v`: `(N r)_v` with `r` the one-step goal probabilities.
//! - Removal effect of `v`: the share of the goal probability that passes
//!   through `v`, which is exactly the relative drop in goal probability when
//!   `v` is removed and its inflow drops off: `reach_v · goal_v / P(goal)`.
//! - Stage funnel: the reach of stage `s` is the probability of ever visiting
//!   a touchpoint of stage `s` or a later one, so it never increases.
//!
//! Invalid journeys (any validation error) are refused with
//! [`Error::Invalid`]: in a valid journey every reachable touchpoint can end
//! the journey, so `I − Q` is invertible.

use hashbrown::HashMap;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use petgraph::stable_graph::NodeIndex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::error::Error;
use crate::graph::JourneyGraph;
use crate::linalg::Factor;
use crate::model::{Journey, MeasureDefinition, Status};
use crate::validate::{self, Code, Finding, Report, Severity};

/// What to compute and how far to look.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// How many likely paths (of each kind) and moments of truth to list. Default: 5.
    pub top: usize,
    /// How many partial paths the path search may expand before it stops and
    /// marks its lists truncated. Default: 100,000.
    pub max_path_expansions: usize,
    /// A fall in emotion between consecutive touchpoints of a path at least
    /// this large is flagged as a rapid drop. Default: 1.5 (on the −2..+2 scale).
    pub rapid_drop: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            top: 5,
            max_path_expansions: 100_000,
            rapid_drop: 1.5,
        }
    }
}

/// Everything [`analyze`] finds about one journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Analysis {
    /// The journey's id.
    pub journey: String,
    /// Probability that a customer reaches any goal.
    pub goal_probability: f64,
    /// Probability that a customer leaves without reaching a goal.
    pub drop_off_probability: f64,
    /// Probability of ending at each goal, in the journey's goal order.
    pub goals: Vec<GoalOutcome>,
    /// Expected number of steps (transitions, including the final step to a
    /// goal or out) a customer takes before the journey ends.
    pub expected_steps: f64,
    /// Expected time in the journey, in seconds, counting the transitions
    /// that give a duration; `None` when no reachable transition gives one.
    pub expected_time: Option<f64>,
    /// Mean emotion per touchpoint visit over the whole journey (visits
    /// weighted by their expected number); `None` without emotions.
    pub expected_emotion: Option<f64>,
    /// Per touchpoint, in the journey's order (missing and unreachable ones
    /// included, with zeros).
    pub touchpoints: Vec<TouchpointStats>,
    /// The stage funnel, in stage order.
    pub funnel: Vec<FunnelStage>,
    /// The most likely ways through the journey.
    pub paths: Paths,
    /// Experience by stage, in stage order.
    pub stages: Vec<StageExperience>,
    /// Touchpoints that hurt, by impact (highest first).
    pub pain_points: Vec<PainPoint>,
    /// The touchpoints with the greatest emotional load (reach × |emotion|).
    pub moments_of_truth: Vec<MomentOfTruth>,
    /// What the map lacks.
    pub gaps: Gaps,
}

/// How likely a customer is to end at one goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GoalOutcome {
    /// The goal touchpoint.
    pub touchpoint: String,
    /// Probability of ending there.
    pub probability: f64,
}

/// The numbers of one touchpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TouchpointStats {
    /// The touchpoint's id.
    pub touchpoint: String,
    /// Its stage.
    pub stage: String,
    /// Probability that a customer visits it at least once.
    pub reach: f64,
    /// Expected number of visits per customer (above the reach when
    /// customers loop back to it).
    pub expected_visits: f64,
    /// Share of all customers who leave the journey here.
    pub drop_off: f64,
    /// Probability of reaching a goal from here (1 for a goal).
    pub goal_probability: f64,
    /// Relative drop in the journey's goal probability if this touchpoint
    /// were removed and its inflow dropped off, in [0, 1].
    pub removal_effect: f64,
}

/// One stage of the funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FunnelStage {
    /// The stage's id.
    pub stage: String,
    /// Probability of ever reaching this stage or a later one.
    pub reach: f64,
    /// Share of those reaching this stage who go on to a later one; `None`
    /// for the last stage and for a stage nobody reaches.
    pub conversion: Option<f64>,
    /// Probability of reaching this stage but no later one.
    pub lost: f64,
    /// Share of all customers who leave from a touchpoint of this stage.
    pub drop_off: f64,
}

/// How a path ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// At a goal touchpoint.
    Goal,
    /// The customer leaves after the last touchpoint.
    DropOff,
}

/// Likely paths, most likely first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Paths {
    /// The most likely entry → goal paths.
    pub to_goal: Vec<Path>,
    /// The most likely paths that end in a drop-off.
    pub to_drop_off: Vec<Path>,
    /// Whether the search hit [`Options::max_path_expansions`] before
    /// filling both lists (the paths listed are still the most likely ones).
    pub truncated: bool,
}

/// One simple path (no touchpoint twice) through the journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Path {
    /// Touchpoint ids from the entry on.
    pub touchpoints: Vec<String>,
    /// Probability that a customer's journey is exactly this path.
    pub probability: f64,
    /// Goal or drop-off.
    pub outcome: Outcome,
    /// The emotion at each touchpoint (`None` where the map gives none).
    pub emotions: Vec<Option<f64>>,
    /// Mean of the most intense and the final emotion; `None` without emotions.
    pub peak_end: Option<f64>,
    /// The emotion curve changes direction at least twice.
    pub sawtooth: bool,
    /// Falls of at least [`Options::rapid_drop`] between consecutive touchpoints.
    pub rapid_drops: Vec<RapidDrop>,
}

/// A sharp fall in emotion from one touchpoint to the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RapidDrop {
    /// The touchpoint before the fall.
    pub from: String,
    /// The touchpoint after it.
    pub to: String,
    /// How far the emotion falls (positive).
    pub drop: f64,
}

/// How one stage feels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StageExperience {
    /// The stage's id.
    pub stage: String,
    /// Reach-weighted mean emotion of its touchpoints; `None` when no reached
    /// touchpoint of the stage has an emotion.
    pub emotion: Option<f64>,
    /// Reach-weighted mean of each measure over the stage's reached touchpoints.
    pub measures: BTreeMap<String, f64>,
}

/// A touchpoint that hurts, and how much it matters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PainPoint {
    /// The touchpoint's id.
    pub touchpoint: String,
    /// Its stage.
    pub stage: String,
    /// Probability that a customer meets it.
    pub reach: f64,
    /// How badly it hurts, in [0, 1]: the larger of its negative emotion
    /// (−2 → 1) and its measures' shortfalls from target.
    pub severity: f64,
    /// Its importance weight (1 when the map gives none).
    pub importance: f64,
    /// `reach × severity × importance`.
    pub impact: f64,
    /// Why it counts as a pain point, for a person.
    pub reasons: Vec<String>,
}

/// A touchpoint with a large emotional load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MomentOfTruth {
    /// The touchpoint's id.
    pub touchpoint: String,
    /// Probability that a customer meets it.
    pub reach: f64,
    /// Its emotion.
    pub emotion: f64,
    /// `reach × |emotion|`.
    pub load: f64,
}

/// What the map lacks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Gaps {
    /// Stages with no present touchpoint.
    pub empty_stages: Vec<String>,
    /// Touchpoints marked missing: opportunities that do not exist yet.
    pub missing_touchpoints: Vec<String>,
    /// Present touchpoints no customer can reach.
    pub unreachable: Vec<String>,
    /// Non-goal touchpoints with no way out.
    pub dead_ends: Vec<String>,
}

/// Analyzes a journey with no measure catalog (measure values count only
/// through [`analyze_with_measures`]).
///
/// ```
/// use journey_core::{analysis, Journey, Touchpoint, Transition};
///
/// let journey = Journey::builder("j", "Sign-up")
///     .stage("s", "Only stage")
///     .touchpoint(Touchpoint::new("ad", "Ad", "s"))
///     .touchpoint(Touchpoint::new("form", "Form", "s"))
///     .touchpoint(Touchpoint::new("done", "Done", "s"))
///     .transition(Transition::new("ad", "form").probability(0.5))
///     .transition(Transition::new("form", "done").probability(0.8))
///     .entry("ad", 1.0)
///     .goal("done")
///     .build()?;
/// let result = analysis::analyze(&journey, &analysis::Options::default())?;
/// assert!((result.goal_probability - 0.4).abs() < 1e-15);
/// # Ok::<(), journey_core::Error>(())
/// ```
pub fn analyze(journey: &Journey, options: &Options) -> Result<Analysis, Error> {
    analyze_with_measures(journey, &[], options)
}

/// Analyzes a journey; `measures` defines the scales and targets that turn
/// touchpoint measure values into pain (a document's catalog).
pub fn analyze_with_measures(
    journey: &Journey,
    measures: &[MeasureDefinition],
    options: &Options,
) -> Result<Analysis, Error> {
    validate::validate_journey(journey).into_result()?;
    let graph = JourneyGraph::new(journey);
    let chain = Chain::new(&graph)?;
    let solution = chain.solve(journey)?;
    let touchpoints = touchpoint_stats(&graph, &chain, &solution);
    let reach_of: HashMap<&str, f64> = touchpoints
        .iter()
        .map(|t| (t.touchpoint.as_str(), t.reach))
        .collect();
    let funnel = funnel(&graph, &chain, &touchpoints)?;
    let paths = likely_paths(&graph, &chain, options);
    let stages = stage_experience(journey, &reach_of);
    let expected_emotion = expected_emotion(journey, &touchpoints);
    let pain_points = pain_points(journey, measures, &reach_of);
    let moments_of_truth = moments_of_truth(journey, &reach_of, options.top);
    let gaps = gaps(&graph, &chain.reachable);
    let goals = chain
        .goals
        .iter()
        .zip(&solution.absorbed)
        .map(|(&node, &probability)| GoalOutcome {
            touchpoint: graph.touchpoint_at(node).id.clone(),
            probability,
        })
        .collect();
    drop(reach_of); // it borrows the touchpoints, moved below
    Ok(Analysis {
        journey: journey.id.clone(),
        goal_probability: solution.goal_probability,
        drop_off_probability: (1.0 - solution.goal_probability).clamp(0.0, 1.0),
        goals,
        expected_steps: solution.expected_steps,
        expected_time: solution.expected_time,
        expected_emotion,
        touchpoints,
        funnel,
        paths,
        stages,
        pain_points,
        moments_of_truth,
        gaps,
    })
}

/// The transient part of the chain in index space.
struct Chain {
    /// Present touchpoints reachable from the entries (goals included).
    reachable: crate::graph::NodeSet,
    /// Transient nodes (reachable, present, not goals) in journey order.
    nodes: Vec<NodeIndex>,
    /// Present goals in the journey's goal order.
    goals: Vec<NodeIndex>,
    /// `index[node.index()]`: where a node sits.
    index: Vec<Place>,
    /// `q[i]`: `(j, probability)` to transient `j`.
    q: Vec<Vec<(usize, f64)>>,
    /// `to_goal[i]`: `(g, probability)` to goal `g`.
    to_goal: Vec<Vec<(usize, f64)>>,
    /// Drop-off at each transient node.
    drop: Vec<f64>,
    /// Expected duration of the step out of each transient node, if any transition gives one.
    duration: Vec<Option<f64>>,
    /// Entry distribution over transient nodes and over goals.
    alpha: Vec<f64>,
    alpha_goal: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    Outside,
    Transient(usize),
    Goal(usize),
}

struct Solution {
    visits: Vec<f64>,
    /// Success probability from each transient node.
    success: Vec<f64>,
    /// `N_ii`.
    returns: Vec<f64>,
    absorbed: Vec<f64>,
    goal_probability: f64,
    expected_steps: f64,
    expected_time: Option<f64>,
}

fn invalid(code: Code, path: String, message: String) -> Error {
    Error::Invalid {
        report: Report {
            findings: vec![Finding {
                severity: Severity::Error,
                code,
                message,
                path,
            }],
        },
    }
}

/// Validation refuses traps, so this fails only if rounding hides one.
fn factorize(rows: &[Vec<(usize, f64)>], journey: &Journey) -> Result<Factor, Error> {
    Factor::new(rows).map_err(|_| trap(journey))
}

/// The error of a chain customers cannot leave.
fn trap(journey: &Journey) -> Error {
    invalid(
        Code::Trap,
        format!("journeys[{}]", journey.id),
        "the transition probabilities leave customers no way to end the journey".to_owned(),
    )
}

impl Chain {
    fn new(graph: &JourneyGraph<'_>) -> Result<Chain, Error> {
        let journey = graph.journey();
        let reachable = graph.reachable_nodes();
        let mut index = vec![Place::Outside; journey.touchpoints.len()];
        let mut goals = Vec::new();
        for goal in &journey.goals {
            if let Some(node) = graph.node(goal)
                && graph.is_present(node)
                && index[node.index()] == Place::Outside
            {
                index[node.index()] = Place::Goal(goals.len());
                goals.push(node);
            }
        }
        let mut nodes: Vec<NodeIndex> = reachable
            .iter()
            .filter(|&node| !graph.is_goal(node))
            .collect();
        crate::order::sort_by_key(&mut nodes, |&node| graph.position_of(node));
        for (i, &node) in nodes.iter().enumerate() {
            index[node.index()] = Place::Transient(i);
        }
        let n = nodes.len();
        let mut q = Vec::with_capacity(n);
        let mut to_goal = Vec::with_capacity(n);
        let mut drop = Vec::with_capacity(n);
        let mut duration = Vec::with_capacity(n);
        for &node in &nodes {
            // Transient nodes are present and not goals: resolved() is the
            // merge of these transitions.
            let transitions = graph.resolved_transitions(node);
            let (steps, drop_off) = JourneyGraph::merge(&transitions);
            let mut row = Vec::with_capacity(steps.len());
            let mut goal_row = Vec::new();
            for (target, probability) in steps {
                match index[target.index()] {
                    Place::Transient(j) => row.push((j, probability)),
                    Place::Goal(g) => goal_row.push((g, probability)),
                    // A present target of a reachable touchpoint is reachable.
                    Place::Outside => {}
                }
            }
            q.push(row);
            to_goal.push(goal_row);
            drop.push(drop_off);
            let mut timed = false;
            let mut expected = 0.0;
            for &(position, _, probability) in &transitions {
                if let Some(seconds) = journey.transitions[position].duration
                    && seconds.is_finite()
                {
                    timed = true;
                    expected += probability * seconds.max(0.0);
                }
            }
            duration.push(timed.then_some(expected));
        }
        let mut alpha = vec![0.0; n];
        let mut alpha_goal = vec![0.0; goals.len()];
        let mut total = 0.0;
        for entry in &journey.entries {
            let weight = if entry.weight.is_finite() {
                entry.weight.max(0.0)
            } else {
                0.0
            };
            let Some(node) = graph.node(&entry.touchpoint) else {
                continue;
            };
            match index[node.index()] {
                Place::Transient(i) => alpha[i] += weight,
                Place::Goal(g) => alpha_goal[g] += weight,
                Place::Outside => continue,
            }
            total += weight;
        }
        if total.is_nan() || total <= 0.0 {
            return Err(invalid(
                Code::NoEntry,
                format!("journeys[{}].entries", journey.id),
                "the entry weights of present touchpoints add up to zero: no customer starts the journey".to_owned(),
            ));
        }
        for value in alpha.iter_mut().chain(alpha_goal.iter_mut()) {
            *value /= total;
        }
        Ok(Chain {
            reachable,
            nodes,
            goals,
            index,
            q,
            to_goal,
            drop,
            duration,
            alpha,
            alpha_goal,
        })
    }

    fn solve(&self, journey: &Journey) -> Result<Solution, Error> {
        let factor = factorize(&self.q, journey)?;
        let mut visits = self.alpha.clone();
        factor.solve_transpose(&mut visits);
        let mut success: Vec<f64> = self
            .to_goal
            .iter()
            .map(|row| row.iter().map(|(_, p)| p).sum())
            .collect();
        factor.solve(&mut success);
        let returns = factor.inverse_diagonal();
        let mut absorbed = self.alpha_goal.clone();
        for (i, row) in self.to_goal.iter().enumerate() {
            for &(g, p) in row {
                absorbed[g] += visits[i] * p;
            }
        }
        for value in &mut absorbed {
            *value = value.clamp(0.0, 1.0);
        }
        for value in &mut visits {
            *value = value.max(0.0);
        }
        for value in &mut success {
            *value = value.clamp(0.0, 1.0);
        }
        let goal_probability = absorbed.iter().sum::<f64>().clamp(0.0, 1.0);
        let expected_steps = visits.iter().sum();
        let expected_time = self.duration.iter().any(Option::is_some).then(|| {
            visits
                .iter()
                .zip(&self.duration)
                .map(|(v, d)| v * d.unwrap_or(0.0))
                .sum()
        });
        Ok(Solution {
            visits,
            success,
            returns,
            absorbed,
            goal_probability,
            expected_steps,
            expected_time,
        })
    }
}

fn touchpoint_stats(
    graph: &JourneyGraph<'_>,
    chain: &Chain,
    solution: &Solution,
) -> Vec<TouchpointStats> {
    let journey = graph.journey();
    let total = solution.goal_probability;
    let share = |through: f64| {
        if total > 0.0 {
            (through / total).clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    journey
        .touchpoints
        .iter()
        .map(|touchpoint| {
            let place = graph
                .node(&touchpoint.id)
                .map_or(Place::Outside, |node| chain.index[node.index()]);
            let (reach, expected_visits, drop_off, goal_probability, removal_effect) = match place {
                Place::Transient(i) => {
                    let visits = solution.visits[i];
                    let reach = (visits / solution.returns[i].max(1.0)).clamp(0.0, 1.0);
                    let success = solution.success[i];
                    (
                        reach,
                        visits,
                        (visits * chain.drop[i]).clamp(0.0, 1.0),
                        success,
                        share(reach * success),
                    )
                }
                Place::Goal(g) => {
                    let absorbed = solution.absorbed[g];
                    (absorbed, absorbed, 0.0, 1.0, share(absorbed))
                }
                Place::Outside => (0.0, 0.0, 0.0, 0.0, 0.0),
            };
            TouchpointStats {
                touchpoint: touchpoint.id.clone(),
                stage: touchpoint.stage.clone(),
                reach,
                expected_visits,
                drop_off,
                goal_probability,
                removal_effect,
            }
        })
        .collect()
}

/// The probability that a customer reaches each stage (0..`stages`): for
/// stage `s`, entering at or past it, or leaving the touchpoints of the
/// earlier stages into it or past it.
///
/// One factorization serves every stage: eliminated stage by stage
/// ([`Factor::in_blocks`]), the chain's earlier stages are a leading block
/// of it. With `v` the expected visits among the touchpoints of stages
/// before `s` (entry mass `α`, so `(I − Q<s)ᵀ v = α<s`), what leaves them
/// into stage `s` or past it is all their entry mass but what drops off or
/// reaches a goal of an earlier stage there: `Σ α<s − cᵀ v` with `c` that
/// drop-off plus those goals' probabilities. `cᵀ v = (L⁻¹ c)ᵀ D⁻¹ (U⁻ᵀ α)`
/// over the first touchpoints in elimination order, so a prefix sum of one
/// forward solve per vector (drop-off, and each stage holding goals) gives
/// every stage's answer.
fn stage_reach(
    chain: &Chain,
    transient_stage: &[usize],
    goal_stage: &[usize],
    stages: usize,
) -> Result<Vec<f64>, crate::linalg::Singular> {
    let n = chain.nodes.len();
    // Entry mass at or past each stage, and before it.
    let mut entering_at = vec![0.0; stages + 1];
    // Transient touchpoints of the stages before each stage, and their
    // entry mass.
    let mut before_count = vec![0usize; stages + 1];
    let mut entering_before = vec![0.0; stages + 1];
    for (i, &a) in chain.alpha.iter().enumerate() {
        entering_at[transient_stage[i]] += a;
        before_count[transient_stage[i] + 1] += 1;
        entering_before[transient_stage[i] + 1] += a;
    }
    for (g, &a) in chain.alpha_goal.iter().enumerate() {
        entering_at[goal_stage[g]] += a;
    }
    for s in 1..=stages {
        before_count[s] += before_count[s - 1];
        entering_before[s] += entering_before[s - 1];
    }
    let mut at_or_past = vec![0.0; stages + 1];
    for s in (0..stages).rev() {
        at_or_past[s] = at_or_past[s + 1] + entering_at[s];
    }
    if n == 0 {
        // (Entry shares summed may round past 1: a reach is a probability.)
        return Ok(at_or_past[..stages]
            .iter()
            .map(|r| r.clamp(0.0, 1.0))
            .collect());
    }
    let factor = Factor::in_blocks(&chain.q, transient_stage)?;
    let y = factor.forward_transpose(&chain.alpha);
    let weight: Vec<f64> = y.iter().zip(factor.pivots()).map(|(y, d)| y / d).collect();
    // `Σ_{k < before_count[s]} z_k weight_k` for every stage `s`.
    let at_stages = |z: Vec<f64>| -> Vec<f64> {
        let mut sums = vec![0.0; stages];
        let mut sum = 0.0;
        let mut k = 0;
        for (s, slot) in sums.iter_mut().enumerate() {
            while k < before_count[s] {
                sum += z[k] * weight[k];
                k += 1;
            }
            *slot = sum;
        }
        sums
    };
    let mut absorbed = at_stages(factor.forward(&chain.drop));
    // Goals by stage: reaching one of an earlier stage ends the journey
    // before stage `s`.
    let mut goal_columns: Vec<Option<Vec<f64>>> = vec![None; stages];
    for (i, row) in chain.to_goal.iter().enumerate() {
        for &(g, p) in row {
            goal_columns[goal_stage[g]].get_or_insert_with(|| vec![0.0; n])[i] += p;
        }
    }
    for (t, column) in goal_columns.into_iter().enumerate() {
        let Some(column) = column else { continue };
        let sums = at_stages(factor.forward(&column));
        for s in t + 1..stages {
            absorbed[s] += sums[s];
        }
    }
    Ok((0..stages)
        .map(|s| (at_or_past[s] + entering_before[s] - absorbed[s]).clamp(0.0, 1.0))
        .collect())
}

fn funnel(
    graph: &JourneyGraph<'_>,
    chain: &Chain,
    stats: &[TouchpointStats],
) -> Result<Vec<FunnelStage>, Error> {
    let journey = graph.journey();
    let stage_of = |node: NodeIndex| graph.stage_position_of(node).unwrap_or(0);
    let transient_stage: Vec<usize> = chain.nodes.iter().map(|&n| stage_of(n)).collect();
    let goal_stage: Vec<usize> = chain.goals.iter().map(|&n| stage_of(n)).collect();
    let mut reach = stage_reach(chain, &transient_stage, &goal_stage, journey.stages.len())
        .map_err(|_| trap(journey))?;
    // Exact monotonicity, whatever the rounding.
    for s in 1..reach.len() {
        reach[s] = reach[s].min(reach[s - 1]);
    }
    // Drop-off by stage, in one pass (a stage id listed twice sums the same
    // touchpoints at both places).
    let stage_positions = journey.stage_positions();
    let mut drop_off = vec![0.0; journey.stages.len()];
    for t in stats {
        if let Some(&s) = stage_positions.get(t.stage.as_str()) {
            drop_off[s] += t.drop_off;
        }
    }
    Ok(journey
        .stages
        .iter()
        .enumerate()
        .map(|(s, stage)| {
            let next = reach.get(s + 1).copied();
            FunnelStage {
                stage: stage.id.clone(),
                reach: reach[s],
                conversion: match next {
                    Some(next) if reach[s] > 0.0 => Some((next / reach[s]).clamp(0.0, 1.0)),
                    _ => None,
                },
                lost: (reach[s] - next.unwrap_or(0.0)).max(0.0),
                drop_off: drop_off[stage_positions[stage.id.as_str()]],
            }
        })
        .collect())
}

/// A partial or finished path in the best-first search.
#[derive(Debug)]
struct Candidate {
    priority: f64,
    probability: f64,
    sequence: usize,
    arena: usize,
    finished: bool,
}

impl PartialEq for Candidate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        // Most likely first; among equals, the one found first.
        self.priority
            .total_cmp(&other.priority)
            .then_with(|| other.sequence.cmp(&self.sequence))
    }
}

/// The k most likely simple paths of each outcome, by A* search: a partial
/// path is ranked by its probability times the best probability any
/// continuation could add (a bound computed once per outcome), so finished
/// paths come off the heap most likely first and the search goes straight to
/// them instead of enumerating likely prefixes that lead nowhere.
fn likely_paths(graph: &JourneyGraph<'_>, chain: &Chain, options: &Options) -> Paths {
    let (to_goal, goal_truncated) = search(graph, chain, Outcome::Goal, options);
    let (to_drop_off, drop_truncated) = search(graph, chain, Outcome::DropOff, options);
    Paths {
        to_goal,
        to_drop_off,
        truncated: goal_truncated || drop_truncated,
    }
}

/// For each transient node, the largest probability with which a walk from it
/// can end with `outcome` (a max-product shortest path, found with Dijkstra
/// backwards from the endings).
fn completion_bound(chain: &Chain, outcome: Outcome) -> Vec<f64> {
    let n = chain.nodes.len();
    let mut bound: Vec<f64> = (0..n)
        .map(|i| match outcome {
            Outcome::Goal => chain.to_goal[i].iter().map(|&(_, p)| p).fold(0.0, f64::max),
            Outcome::DropOff => chain.drop[i],
        })
        .collect();
    let mut incoming: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for (i, row) in chain.q.iter().enumerate() {
        for &(j, p) in row {
            if i != j {
                incoming[j].push((i, p));
            }
        }
    }
    #[derive(PartialEq)]
    struct Item(f64, usize);
    impl Eq for Item {}
    impl PartialOrd for Item {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Item {
        fn cmp(&self, other: &Self) -> Ordering {
            self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
        }
    }
    let mut heap: BinaryHeap<Item> = bound
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b > 0.0)
        .map(|(i, &b)| Item(b, i))
        .collect();
    let mut done = vec![false; n];
    while let Some(Item(value, j)) = heap.pop() {
        if done[j] || value < bound[j] {
            continue;
        }
        done[j] = true;
        for &(i, p) in &incoming[j] {
            let candidate = p * value;
            if candidate > bound[i] {
                bound[i] = candidate;
                heap.push(Item(candidate, i));
            }
        }
    }
    bound
}

fn search(
    graph: &JourneyGraph<'_>,
    chain: &Chain,
    outcome: Outcome,
    options: &Options,
) -> (Vec<Path>, bool) {
    let mut found = Vec::new();
    if options.top == 0 {
        return (found, false);
    }
    let bound = completion_bound(chain, outcome);
    // (place, parent) per path node, and its depth.
    let mut arena: Vec<(Place, Option<usize>)> = Vec::new();
    let mut depth: Vec<u32> = Vec::new();
    // Per transient place, the least depth of a path node there: a walk up
    // a path for that place can stop above it (so a chain's search stays
    // linear, and a loop costs the walk back to where it closes).
    let mut shallowest = vec![u32::MAX; chain.nodes.len()];
    let mut heap = BinaryHeap::new();
    let mut sequence = 0usize;
    // `priority` ranks; `probability` is the path's own.
    let mut push = |heap: &mut BinaryHeap<Candidate>,
                    priority: f64,
                    probability: f64,
                    arena: usize,
                    finished: bool| {
        if priority > 0.0 {
            heap.push(Candidate {
                priority,
                probability,
                sequence,
                arena,
                finished,
            });
            sequence += 1;
        }
    };
    for (i, &a) in chain.alpha.iter().enumerate() {
        arena.push((Place::Transient(i), None));
        depth.push(0);
        if a * bound[i] > 0.0 {
            shallowest[i] = 0; // a path starts here (others never grow)
        }
        push(&mut heap, a * bound[i], a, arena.len() - 1, false);
    }
    if outcome == Outcome::Goal {
        for (g, &a) in chain.alpha_goal.iter().enumerate() {
            arena.push((Place::Goal(g), None));
            depth.push(0);
            push(&mut heap, a, a, arena.len() - 1, true);
        }
    }
    let mut expansions = 0usize;
    let mut truncated = false;
    while let Some(candidate) = heap.pop() {
        if candidate.finished {
            found.push(make_path(
                graph, chain, &arena, &candidate, outcome, options,
            ));
            if found.len() >= options.top {
                break;
            }
            continue;
        }
        if expansions >= options.max_path_expansions {
            truncated = true;
            break;
        }
        expansions += 1;
        let Place::Transient(i) = arena[candidate.arena].0 else {
            continue;
        };
        let p = candidate.probability;
        match outcome {
            Outcome::DropOff => {
                let q = p * chain.drop[i];
                push(&mut heap, q, q, candidate.arena, true);
            }
            Outcome::Goal => {
                for &(g, q) in &chain.to_goal[i] {
                    arena.push((Place::Goal(g), Some(candidate.arena)));
                    depth.push(depth[candidate.arena] + 1);
                    push(&mut heap, p * q, p * q, arena.len() - 1, true);
                }
            }
        }
        for &(j, q) in &chain.q[i] {
            if bound[j] <= 0.0 || on_path(&arena, &depth, shallowest[j], candidate.arena, j) {
                continue;
            }
            let below = depth[candidate.arena] + 1;
            arena.push((Place::Transient(j), Some(candidate.arena)));
            depth.push(below);
            shallowest[j] = shallowest[j].min(below);
            push(&mut heap, p * q * bound[j], p * q, arena.len() - 1, false);
        }
    }
    (found, truncated)
}

/// Whether transient place `j` is on the path ending at arena node `at`,
/// walking up no higher than `shallowest`, the least depth of a node at `j`.
fn on_path(
    arena: &[(Place, Option<usize>)],
    depth: &[u32],
    shallowest: u32,
    mut at: usize,
    j: usize,
) -> bool {
    loop {
        if depth[at] < shallowest {
            return false;
        }
        let (here, parent) = arena[at];
        if here == Place::Transient(j) {
            return true;
        }
        match parent {
            Some(parent) => at = parent,
            None => return false,
        }
    }
}

fn make_path(
    graph: &JourneyGraph<'_>,
    chain: &Chain,
    arena: &[(Place, Option<usize>)],
    candidate: &Candidate,
    outcome: Outcome,
    options: &Options,
) -> Path {
    let mut nodes = Vec::new();
    let mut at = Some(candidate.arena);
    while let Some(index) = at {
        let (place, parent) = arena[index];
        match place {
            Place::Transient(i) => nodes.push(chain.nodes[i]),
            Place::Goal(g) => nodes.push(chain.goals[g]),
            Place::Outside => {}
        }
        at = parent;
    }
    nodes.reverse();
    let touchpoints: Vec<&crate::model::Touchpoint> = nodes
        .iter()
        .map(|&node| graph.touchpoint_at(node))
        .collect();
    let emotions: Vec<Option<f64>> = touchpoints.iter().map(|t| t.emotion).collect();
    let curve: Vec<(usize, f64)> = emotions
        .iter()
        .enumerate()
        .filter_map(|(k, e)| e.map(|e| (k, e)))
        .collect();
    let peak_end =
        curve.last().map(|&(_, end)| {
            let peak = curve.iter().map(|&(_, e)| e).fold(0.0f64, |best, e| {
                if e.abs() > best.abs() { e } else { best }
            });
            (peak + end) / 2.0
        });
    let mut turns = 0;
    let mut last_sign = 0.0f64;
    for pair in curve.windows(2) {
        let delta = pair[1].1 - pair[0].1;
        if delta != 0.0 {
            let sign = delta.signum();
            if last_sign != 0.0 && sign != last_sign {
                turns += 1;
            }
            last_sign = sign;
        }
    }
    let rapid_drops = emotions
        .windows(2)
        .enumerate()
        .filter_map(|(k, pair)| match (pair[0], pair[1]) {
            (Some(a), Some(b)) if a - b >= options.rapid_drop => Some(RapidDrop {
                from: touchpoints[k].id.clone(),
                to: touchpoints[k + 1].id.clone(),
                drop: a - b,
            }),
            _ => None,
        })
        .collect();
    Path {
        touchpoints: touchpoints.iter().map(|t| t.id.clone()).collect(),
        probability: candidate.probability,
        outcome,
        emotions,
        peak_end,
        sawtooth: turns >= 2,
        rapid_drops,
    }
}

fn stage_experience(journey: &Journey, reach: &HashMap<&str, f64>) -> Vec<StageExperience> {
    journey
        .stages
        .iter()
        .zip(journey.touchpoints_by_stage())
        .map(|(stage, members)| {
            let mut emotion = (0.0, 0.0);
            // Per measure key, its reach-weighted sum and weight, found by
            // the key's position.
            let mut positions: HashMap<&str, usize> = HashMap::new();
            let mut sums: Vec<(&str, f64, f64)> = Vec::new();
            for touchpoint in members {
                let r = reach.get(touchpoint.id.as_str()).copied().unwrap_or(0.0);
                if touchpoint.status != Status::Present || r <= 0.0 {
                    continue;
                }
                if let Some(e) = touchpoint.emotion {
                    emotion.0 += r * e;
                    emotion.1 += r;
                }
                for (key, value) in &touchpoint.measures {
                    let at = *positions.entry(key.as_str()).or_insert_with(|| {
                        sums.push((key.as_str(), 0.0, 0.0));
                        sums.len() - 1
                    });
                    sums[at].1 += r * value.value;
                    sums[at].2 += r;
                }
            }
            StageExperience {
                stage: stage.id.clone(),
                emotion: (emotion.1 > 0.0).then(|| emotion.0 / emotion.1),
                measures: crate::order::map(
                    sums.into_iter()
                        .map(|(key, sum, weight)| (key.to_owned(), sum / weight)),
                ),
            }
        })
        .collect()
}

fn expected_emotion(journey: &Journey, stats: &[TouchpointStats]) -> Option<f64> {
    let mut sum = 0.0;
    let mut weight = 0.0;
    for (touchpoint, stat) in journey.touchpoints.iter().zip(stats) {
        if let Some(e) = touchpoint.emotion
            && touchpoint.status == Status::Present
        {
            sum += stat.expected_visits * e;
            weight += stat.expected_visits;
        }
    }
    (weight > 0.0).then(|| sum / weight)
}

fn pain_points(
    journey: &Journey,
    measures: &[MeasureDefinition],
    reach: &HashMap<&str, f64>,
) -> Vec<PainPoint> {
    let mut pains: Vec<PainPoint> = journey
        .touchpoints
        .iter()
        .filter(|t| t.status == Status::Present)
        .filter_map(|touchpoint| {
            let mut severity: f64 = 0.0;
            let mut reasons = Vec::new();
            // `unwrap_or` rather than `if let`: the optimizer then reads a
            // defined value, which keeps valgrind runs of the C library clean.
            let emotion = touchpoint.emotion.unwrap_or(0.0);
            if emotion < 0.0 {
                severity = severity.max((-emotion / 2.0).min(1.0));
                reasons.push(format!("emotion {emotion:+}"));
            }
            for (key, value) in &touchpoint.measures {
                let Some(definition) = measures.iter().find(|m| &m.key == key) else {
                    continue;
                };
                let shortfall = definition.shortfall(value.value);
                if shortfall > 0.0 {
                    severity = severity.max(shortfall);
                    if let Some(target) = definition.target {
                        reasons.push(format!(
                            "{key} {} misses its target {target} ({})",
                            value.value,
                            match definition.direction {
                                crate::model::Direction::HigherIsBetter => "higher is better",
                                crate::model::Direction::LowerIsBetter => "lower is better",
                            }
                        ));
                    }
                }
            }
            for pain in &touchpoint.pain_points {
                reasons.push(pain.clone());
            }
            if severity <= 0.0 {
                return None;
            }
            let importance = touchpoint.importance.unwrap_or(1.0);
            let importance = if importance.is_finite() && importance >= 0.0 {
                importance
            } else {
                1.0
            };
            let r = reach.get(touchpoint.id.as_str()).copied().unwrap_or(0.0);
            Some(PainPoint {
                touchpoint: touchpoint.id.clone(),
                stage: touchpoint.stage.clone(),
                reach: r,
                severity,
                importance,
                impact: r * severity * importance,
                reasons,
            })
        })
        .collect();
    crate::order::sort_by(&mut pains, |a, b| {
        b.impact
            .total_cmp(&a.impact)
            .then(b.severity.total_cmp(&a.severity))
            .then_with(|| a.touchpoint.cmp(&b.touchpoint))
    });
    pains
}

fn moments_of_truth(
    journey: &Journey,
    reach: &HashMap<&str, f64>,
    top: usize,
) -> Vec<MomentOfTruth> {
    let mut moments: Vec<MomentOfTruth> = journey
        .touchpoints
        .iter()
        .filter(|t| t.status == Status::Present)
        .filter_map(|touchpoint| {
            let emotion = touchpoint.emotion?;
            let r = reach.get(touchpoint.id.as_str()).copied().unwrap_or(0.0);
            (r > 0.0 && emotion != 0.0).then(|| MomentOfTruth {
                touchpoint: touchpoint.id.clone(),
                reach: r,
                emotion,
                load: r * emotion.abs(),
            })
        })
        .collect();
    crate::order::sort_by(&mut moments, |a, b| {
        b.load
            .total_cmp(&a.load)
            .then_with(|| a.touchpoint.cmp(&b.touchpoint))
    });
    moments.truncate(top);
    moments
}

fn gaps(graph: &JourneyGraph<'_>, reachable: &crate::graph::NodeSet) -> Gaps {
    let journey = graph.journey();
    let mut gaps = Gaps {
        empty_stages: journey
            .stages
            .iter()
            .zip(journey.touchpoints_by_stage())
            .filter(|(_, members)| !members.iter().any(|t| t.status == Status::Present))
            .map(|(stage, _)| stage.id.clone())
            .collect(),
        missing_touchpoints: journey
            .missing_touchpoints()
            .map(|t| t.id.clone())
            .collect(),
        ..Gaps::default()
    };
    for touchpoint in &journey.touchpoints {
        let Some(node) = graph.node(&touchpoint.id) else {
            continue;
        };
        if touchpoint.status != Status::Present || graph.touchpoint_at(node) != touchpoint {
            continue;
        }
        if !reachable.contains(&node) {
            gaps.unreachable.push(touchpoint.id.clone());
        }
        if !graph.is_goal(node) && !graph.has_way_out(node) {
            gaps.dead_ends.push(touchpoint.id.clone());
        }
    }
    gaps
}

/// What changes between two journeys: current vs future state, or one
/// persona's journey vs another's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Comparison {
    /// The first journey's id.
    pub before: String,
    /// The second journey's id.
    pub after: String,
    /// Touchpoints added, removed and changed (by id).
    pub touchpoints: Changes,
    /// Transitions added, removed and changed (by `"from -> to"`).
    pub transitions: Changes,
    /// Goal probability before and after.
    pub goal_probability: Delta,
    /// Reach of each stage before and after (stages of either journey, in
    /// the first journey's order, then the second's new ones).
    pub funnel: Vec<StageDelta>,
    /// Reach-weighted stage emotion before and after, same stage order.
    pub emotion: Vec<StageDelta>,
}

/// Ids added, removed and changed between two journeys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Changes {
    /// In the second journey only.
    pub added: Vec<String>,
    /// In the first journey only.
    pub removed: Vec<String>,
    /// In both, with different fields.
    pub changed: Vec<Change>,
}

/// One item present in both journeys whose fields differ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    /// The item's id.
    pub id: String,
    /// The names of the fields that differ, as in the document.
    pub fields: Vec<String>,
}

/// A number before and after.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Delta {
    /// In the first journey.
    pub before: f64,
    /// In the second journey.
    pub after: f64,
    /// `after − before`.
    pub delta: f64,
}

/// A stage's number before and after; `None` where the stage is absent or
/// the number undefined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StageDelta {
    /// The stage's id.
    pub stage: String,
    /// In the first journey.
    pub before: Option<f64>,
    /// In the second journey.
    pub after: Option<f64>,
    /// `after − before` when both are defined.
    pub delta: Option<f64>,
}

impl Document {
    /// Analyzes one journey of the document with the document's measure
    /// catalog (see [`crate::analysis`]).
    pub fn analyze(&self, journey: &str, options: &Options) -> Result<Analysis, Error> {
        analyze_with_measures(self.require_journey(journey)?, &self.measures, options)
    }

    /// Compares two journeys of the document (current against future state,
    /// or two personas' journeys) with the document's measure catalog.
    pub fn compare(
        &self,
        before: &str,
        after: &str,
        options: &Options,
    ) -> Result<Comparison, Error> {
        compare(
            self.require_journey(before)?,
            self.require_journey(after)?,
            &self.measures,
            options,
        )
    }
}

/// Compares two journeys, structurally and by their analyses.
pub fn compare(
    before: &Journey,
    after: &Journey,
    measures: &[MeasureDefinition],
    options: &Options,
) -> Result<Comparison, Error> {
    let first = analyze_with_measures(before, measures, options)?;
    let second = analyze_with_measures(after, measures, options)?;
    let touchpoints = changes(
        before.touchpoints.iter().map(|t| (t.id.clone(), t)),
        after.touchpoints.iter().map(|t| (t.id.clone(), t)),
    );
    let transitions = changes(
        before
            .transitions
            .iter()
            .map(|t| (format!("{} -> {}", t.from, t.to), t)),
        after
            .transitions
            .iter()
            .map(|t| (format!("{} -> {}", t.from, t.to), t)),
    );
    // The stages of both, each once, and where each id is listed.
    let mut stages: Vec<&str> = Vec::new();
    let mut position: HashMap<&str, usize> = HashMap::new();
    for stage in before.stages.iter().chain(&after.stages) {
        position.entry(stage.id.as_str()).or_insert_with(|| {
            stages.push(&stage.id);
            stages.len() - 1
        });
    }
    // Each analysis's value by stage (the first of a repeated id), so the
    // stages are matched in one pass however many there are.
    let by_stage = |values: &mut dyn Iterator<Item = (&str, Option<f64>)>| {
        let mut found: Vec<Option<Option<f64>>> = vec![None; stages.len()];
        for (stage, value) in values {
            if let Some(&k) = position.get(stage) {
                found[k].get_or_insert(value);
            }
        }
        found
    };
    let per_stage = |b: Vec<Option<Option<f64>>>, a: Vec<Option<Option<f64>>>| {
        stages
            .iter()
            .enumerate()
            .map(|(k, &stage)| {
                let b = b[k].flatten();
                let a = a[k].flatten();
                StageDelta {
                    stage: stage.to_owned(),
                    before: b,
                    after: a,
                    delta: b.zip(a).map(|(b, a)| a - b),
                }
            })
            .collect()
    };
    let funnel = per_stage(
        by_stage(
            &mut first
                .funnel
                .iter()
                .map(|f| (f.stage.as_str(), Some(f.reach))),
        ),
        by_stage(
            &mut second
                .funnel
                .iter()
                .map(|f| (f.stage.as_str(), Some(f.reach))),
        ),
    );
    let emotion = per_stage(
        by_stage(&mut first.stages.iter().map(|s| (s.stage.as_str(), s.emotion))),
        by_stage(&mut second.stages.iter().map(|s| (s.stage.as_str(), s.emotion))),
    );
    Ok(Comparison {
        before: before.id.clone(),
        after: after.id.clone(),
        touchpoints,
        transitions,
        goal_probability: Delta {
            before: first.goal_probability,
            after: second.goal_probability,
            delta: second.goal_probability - first.goal_probability,
        },
        funnel,
        emotion,
    })
}

fn changes<'a, T: Serialize + 'a>(
    before: impl Iterator<Item = (String, &'a T)>,
    after: impl Iterator<Item = (String, &'a T)>,
) -> Changes {
    // Through the JSON text (the writer and reader every document uses),
    // not a second serializer to values.
    let as_fields = |item: &T| {
        serde_json::to_string(item)
            .ok()
            .and_then(|text| crate::json::from_str(&text).ok())
            .unwrap_or_default()
    };
    let mut old: Vec<(String, serde_json::Map<String, serde_json::Value>)> = Vec::new();
    for (id, item) in before {
        if !old.iter().any(|(seen, _)| *seen == id) {
            old.push((id, as_fields(item)));
        }
    }
    let mut result = Changes::default();
    let mut matched = hashbrown::HashSet::new();
    let lookup: HashMap<&str, usize> = old
        .iter()
        .enumerate()
        .map(|(k, (id, _))| (id.as_str(), k))
        .collect();
    for (id, item) in after {
        match lookup.get(id.as_str()) {
            None => {
                if !result.added.contains(&id) {
                    result.added.push(id);
                }
            }
            Some(&k) => {
                if !matched.insert(k) {
                    continue;
                }
                let new = as_fields(item);
                let previous = &old[k].1;
                let mut fields: Vec<String> = previous
                    .keys()
                    .chain(new.keys())
                    .filter(|key| previous.get(*key) != new.get(*key))
                    .cloned()
                    .collect();
                crate::order::sort_by(&mut fields, Ord::cmp);
                fields.dedup();
                if !fields.is_empty() {
                    result.changed.push(Change { id, fields });
                }
            }
        }
    }
    for (k, (id, _)) in old.iter().enumerate() {
        if !matched.contains(&k) {
            result.removed.push(id.clone());
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stage reach the way it was computed before one factorization served
    /// every stage: each stage's earlier touchpoints factorized alone.
    fn stage_reach_one_by_one(graph: &JourneyGraph<'_>, chain: &Chain) -> Vec<f64> {
        let journey = graph.journey();
        let stage_of = |node: NodeIndex| graph.stage_position_of(node).unwrap_or(0);
        let transient_stage: Vec<usize> = chain.nodes.iter().map(|&n| stage_of(n)).collect();
        let goal_stage: Vec<usize> = chain.goals.iter().map(|&n| stage_of(n)).collect();
        let mut reach = Vec::with_capacity(journey.stages.len());
        for s in 0..journey.stages.len() {
            // Customers who have not yet reached stage s wander among the
            // transient touchpoints of earlier stages; the rest are "in".
            let before: Vec<usize> = (0..chain.nodes.len())
                .filter(|&i| transient_stage[i] < s)
                .collect();
            let mut local = vec![usize::MAX; chain.nodes.len()];
            for (k, &i) in before.iter().enumerate() {
                local[i] = k;
            }
            let mut direct = 0.0;
            for (i, &a) in chain.alpha.iter().enumerate() {
                if transient_stage[i] >= s {
                    direct += a;
                }
            }
            for (g, &a) in chain.alpha_goal.iter().enumerate() {
                if goal_stage[g] >= s {
                    direct += a;
                }
            }
            let mut rows = Vec::with_capacity(before.len());
            let mut into = Vec::with_capacity(before.len());
            for &i in &before {
                let mut row = Vec::new();
                let mut crossing = 0.0;
                for &(j, p) in &chain.q[i] {
                    if local[j] == usize::MAX {
                        crossing += p;
                    } else {
                        row.push((local[j], p));
                    }
                }
                for &(g, p) in &chain.to_goal[i] {
                    if goal_stage[g] >= s {
                        crossing += p;
                    }
                }
                rows.push(row);
                into.push(crossing);
            }
            let mut visits: Vec<f64> = before.iter().map(|&i| chain.alpha[i]).collect();
            if !rows.is_empty() {
                let factor = factorize(&rows, journey).unwrap();
                factor.solve_transpose(&mut visits);
            }
            let crossing: f64 = visits.iter().zip(&into).map(|(v, p)| v * p).sum();
            reach.push((direct + crossing).clamp(0.0, 1.0));
        }
        reach
    }

    #[test]
    fn one_factorization_reaches_every_stage_as_one_per_stage_did() {
        let mut random = crate::synthetic::SplitMix(7);
        for round in 0..60 {
            let n = 5 + random.below(60);
            let mut journey = crate::synthetic::journey(n, round);
            // Stages of every width, touchpoints placed at random (so
            // transitions jump back and skip ahead), goals and entries in
            // any stage.
            let stages = 1 + random.below(n.min(12));
            journey.stages = (0..stages)
                .map(|s| crate::model::Stage::new(format!("s{s}"), format!("S{s}")))
                .collect();
            for touchpoint in &mut journey.touchpoints {
                touchpoint.stage = format!("s{}", random.below(stages));
            }
            let graph = JourneyGraph::new(&journey);
            let Ok(chain) = Chain::new(&graph) else {
                continue;
            };
            let stage_of = |node: NodeIndex| graph.stage_position_of(node).unwrap_or(0);
            let transient: Vec<usize> = chain.nodes.iter().map(|&n| stage_of(n)).collect();
            let goals: Vec<usize> = chain.goals.iter().map(|&n| stage_of(n)).collect();
            let fast = stage_reach(&chain, &transient, &goals, stages).unwrap();
            let slow = stage_reach_one_by_one(&graph, &chain);
            assert_eq!(fast.len(), slow.len());
            for (s, (a, b)) in fast.iter().zip(&slow).enumerate() {
                assert!(
                    (a - b).abs() < 1e-12,
                    "round {round}, stage {s}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn factor_fill_stays_linear_in_the_transitions() {
        for n in [1_000, 10_000] {
            let journey = crate::synthetic::journey(n, 42);
            let graph = JourneyGraph::new(&journey);
            let chain = Chain::new(&graph).unwrap();
            let factor = Factor::new(&chain.q).unwrap();
            let ratio = factor.fill() as f64 / journey.transitions.len() as f64;
            assert!(
                ratio < 8.0,
                "fill {} for {} transitions",
                factor.fill(),
                journey.transitions.len()
            );
        }
    }
}
