//! The computable view of a journey: a petgraph of touchpoints and
//! transitions, with stages as the ordered columns touchpoints belong to.
//!
//! [`JourneyGraph`] is built from a [`Journey`] (it borrows it) and answers
//! structural questions by string id: successors, reachability, dead ends, the
//! stage-level graph, and the transition probabilities analysis uses. Graph
//! indices never leave this module.
//!
//! ## How transition probabilities are resolved
//! For a present touchpoint, consider its transitions to present touchpoints:
//! - transitions with a probability keep it;
//! - the mass no probability claims (`1 − Σ p`, never below 0) is shared by
//!   the transitions without one: in proportion to their observed counts when
//!   all of them have a positive count total, otherwise equally;
//! - mass left unassigned drops off (the customer leaves), and so does the
//!   mass of transitions into missing touchpoints, which do not exist yet.
//!
//! Goal touchpoints absorb: their own transitions are ignored by analysis.

use hashbrown::HashMap;
use std::collections::{BTreeSet, VecDeque};

use petgraph::Direction as EdgeDirection;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use serde::{Deserialize, Serialize};

use crate::model::{Journey, Status, Touchpoint};

/// A journey as a directed graph of touchpoints.
#[derive(Debug, Clone)]
pub struct JourneyGraph<'a> {
    journey: &'a Journey,
    /// Node weight: index into `journey.touchpoints`; edge weight: index into `journey.transitions`.
    graph: StableDiGraph<usize, usize>,
    /// Node by touchpoint id, as the node's index (a map type shared with
    /// the rest of the crate: the npm package pays for each).
    nodes: HashMap<&'a str, usize>,
    stage_order: HashMap<&'a str, usize>,
    goals: NodeSet,
}

/// A set of a graph's nodes, one flag per node index, iterated in index
/// order (the order of a `BTreeSet<NodeIndex>`, without the tree's code:
/// the npm package pays for each element type a tree holds).
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeSet {
    flags: Vec<bool>,
}

impl NodeSet {
    /// Adds `node`; whether it was not in the set.
    pub(crate) fn insert(&mut self, node: NodeIndex) -> bool {
        let at = node.index();
        if at >= self.flags.len() {
            self.flags.resize(at + 1, false);
        }
        !std::mem::replace(&mut self.flags[at], true)
    }

    /// Whether `node` is in the set.
    pub(crate) fn contains(&self, node: &NodeIndex) -> bool {
        self.flags.get(node.index()).copied().unwrap_or(false)
    }

    /// Whether the set has no node.
    pub(crate) fn is_empty(&self) -> bool {
        !self.flags.contains(&true)
    }

    /// The nodes in the set, by increasing index.
    pub(crate) fn iter(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.flags
            .iter()
            .enumerate()
            .filter(|&(_, &inside)| inside)
            .map(|(at, _)| NodeIndex::new(at))
    }
}

/// Which way a stage-level edge goes through the ordered stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageStep {
    /// Into a later stage (skipping ahead when it is not the next one).
    Forward,
    /// Within the same stage.
    Within,
    /// Back to an earlier stage.
    Back,
}

/// An edge of the stage graph: customers move from one stage to another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageEdge {
    /// The stage left.
    pub from: String,
    /// The stage entered.
    pub to: String,
    /// How many touchpoint transitions make up this edge.
    pub transitions: usize,
    /// Forward, within the stage, or back.
    pub step: StageStep,
    /// Whether the edge skips at least one stage going forward.
    pub skips: bool,
}

/// A resolved transition: where a customer goes next and how likely it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextStep {
    /// The touchpoint reached.
    pub touchpoint: String,
    /// The probability of going there next.
    pub probability: f64,
}

impl<'a> JourneyGraph<'a> {
    /// Builds the graph of a journey. Touchpoints with a duplicated id are
    /// represented once (the first), and transitions whose endpoints do not
    /// exist are left out; [`crate::validate`] reports both.
    pub fn new(journey: &'a Journey) -> Self {
        let mut graph =
            StableDiGraph::with_capacity(journey.touchpoints.len(), journey.transitions.len());
        let mut nodes = HashMap::with_capacity(journey.touchpoints.len());
        for (position, touchpoint) in journey.touchpoints.iter().enumerate() {
            nodes
                .entry(touchpoint.id.as_str())
                .or_insert_with(|| graph.add_node(position).index());
        }
        for (position, transition) in journey.transitions.iter().enumerate() {
            if let (Some(&from), Some(&to)) = (
                nodes.get(transition.from.as_str()),
                nodes.get(transition.to.as_str()),
            ) {
                graph.add_edge(NodeIndex::new(from), NodeIndex::new(to), position);
            }
        }
        let mut stage_order = HashMap::with_capacity(journey.stages.len());
        for (position, stage) in journey.stages.iter().enumerate() {
            stage_order.entry(stage.id.as_str()).or_insert(position);
        }
        let mut goals = NodeSet::default();
        for goal in &journey.goals {
            if let Some(&node) = nodes.get(goal.as_str()) {
                goals.insert(NodeIndex::new(node));
            }
        }
        JourneyGraph {
            journey,
            graph,
            nodes,
            stage_order,
            goals,
        }
    }

    /// The journey this graph views.
    pub fn journey(&self) -> &'a Journey {
        self.journey
    }

    pub(crate) fn node(&self, id: &str) -> Option<NodeIndex> {
        self.nodes.get(id).map(|&n| NodeIndex::new(n))
    }

    /// The position in the journey's touchpoint list of a node.
    pub(crate) fn position_of(&self, node: NodeIndex) -> usize {
        self.graph[node]
    }

    pub(crate) fn touchpoint_at(&self, node: NodeIndex) -> &'a Touchpoint {
        &self.journey.touchpoints[self.graph[node]]
    }

    pub(crate) fn nodes(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.graph.node_indices()
    }

    pub(crate) fn is_present(&self, node: NodeIndex) -> bool {
        self.touchpoint_at(node).status == Status::Present
    }

    pub(crate) fn is_goal(&self, node: NodeIndex) -> bool {
        self.goals.contains(&node)
    }

    /// Position of a stage in the journey's stage list.
    pub fn stage_position(&self, stage: &str) -> Option<usize> {
        self.stage_order.get(stage).copied()
    }

    pub(crate) fn stage_position_of(&self, node: NodeIndex) -> Option<usize> {
        self.stage_position(&self.touchpoint_at(node).stage)
    }

    /// Ids of the touchpoints a transition from `id` leads to (each once, in transition order).
    pub fn successors(&self, id: &str) -> Vec<&'a str> {
        self.neighbours(id, EdgeDirection::Outgoing)
    }

    /// Ids of the touchpoints with a transition into `id` (each once, in transition order).
    pub fn predecessors(&self, id: &str) -> Vec<&'a str> {
        self.neighbours(id, EdgeDirection::Incoming)
    }

    fn neighbours(&self, id: &str, direction: EdgeDirection) -> Vec<&'a str> {
        let Some(node) = self.node(id) else {
            return Vec::new();
        };
        let mut edges: Vec<(usize, NodeIndex)> = self
            .graph
            .edges_directed(node, direction)
            .map(|edge| {
                let other = match direction {
                    EdgeDirection::Outgoing => edge.target(),
                    EdgeDirection::Incoming => edge.source(),
                };
                (*edge.weight(), other)
            })
            .collect();
        // Each touchpoint once, at its first transition: by touchpoint (ties
        // in transition order), the first of each kept, then back in
        // transition order (no set as large as the graph for each call).
        crate::order::sort_by(&mut edges, |a, b| (a.1, a.0).cmp(&(b.1, b.0)));
        edges.dedup_by_key(|&mut (_, other)| other);
        crate::order::sort_by(&mut edges, Ord::cmp);
        edges
            .into_iter()
            .map(|(_, other)| self.touchpoint_at(other).id.as_str())
            .collect()
    }

    /// Present touchpoints reached from the entries through present
    /// touchpoints, not walking on from goals (which absorb).
    pub(crate) fn reachable_nodes(&self) -> NodeSet {
        let mut seen = NodeSet::default();
        let mut queue = VecDeque::new();
        for entry in &self.journey.entries {
            if let Some(node) = self.node(&entry.touchpoint)
                && self.is_present(node)
                && seen.insert(node)
            {
                queue.push_back(node);
            }
        }
        while let Some(node) = queue.pop_front() {
            if self.is_goal(node) {
                continue;
            }
            for next in self.graph.neighbors_directed(node, EdgeDirection::Outgoing) {
                if self.is_present(next) && seen.insert(next) {
                    queue.push_back(next);
                }
            }
        }
        seen
    }

    /// Ids of the present touchpoints customers can reach from the entries.
    pub fn reachable(&self) -> BTreeSet<&'a str> {
        crate::order::set(
            self.reachable_nodes()
                .iter()
                .map(|node| self.touchpoint_at(node).id.as_str()),
        )
    }

    /// Present nodes from which one of `targets` is reached with positive
    /// probability (targets included): a transition whose resolved probability
    /// is 0 leads nowhere.
    ///
    /// `steps` holds the [`JourneyGraph::resolved`] next steps of the nodes
    /// by node index (absent nodes have none), computed once by the caller.
    pub(crate) fn can_reach_with_probability(
        targets: &NodeSet,
        steps: &[Vec<(NodeIndex, f64)>],
    ) -> NodeSet {
        // The nodes leading into each node, by node index.
        let mut incoming: Vec<Vec<NodeIndex>> = Vec::new();
        for (node, next) in steps.iter().enumerate() {
            for &(target, probability) in next {
                if probability > 0.0 {
                    if incoming.len() <= target.index() {
                        incoming.resize(target.index() + 1, Vec::new());
                    }
                    incoming[target.index()].push(NodeIndex::new(node));
                }
            }
        }
        let mut seen = targets.clone();
        let mut queue: VecDeque<NodeIndex> = targets.iter().collect();
        while let Some(node) = queue.pop_front() {
            for &previous in incoming.get(node.index()).into_iter().flatten() {
                if seen.insert(previous) {
                    queue.push_back(previous);
                }
            }
        }
        seen
    }

    /// Whether a present touchpoint has a transition to another present touchpoint.
    pub(crate) fn has_way_out(&self, node: NodeIndex) -> bool {
        self.graph
            .neighbors_directed(node, EdgeDirection::Outgoing)
            .any(|next| self.is_present(next))
    }

    /// The resolved next steps of a present, non-goal touchpoint and the
    /// mass that drops off there (see the module docs). Parallel transitions
    /// to the same touchpoint are added up.
    pub(crate) fn resolved(&self, node: NodeIndex) -> (Vec<(NodeIndex, f64)>, f64) {
        if self.is_goal(node) || !self.is_present(node) {
            return (Vec::new(), 0.0);
        }
        Self::merge(&self.resolved_transitions(node))
    }

    /// Adds up a touchpoint's [`JourneyGraph::resolved_transitions`] per
    /// target and computes what drops off: what [`JourneyGraph::resolved`]
    /// returns, for callers that need the transitions too.
    pub(crate) fn merge(transitions: &[(usize, NodeIndex, f64)]) -> (Vec<(NodeIndex, f64)>, f64) {
        let mut merged: Vec<(NodeIndex, f64)> = Vec::new();
        for &(_, target, probability) in transitions {
            match merged.iter_mut().find(|(existing, _)| *existing == target) {
                Some((_, total)) => *total += probability,
                None => merged.push((target, probability)),
            }
        }
        let assigned: f64 = merged.iter().map(|(_, p)| p).sum();
        // Rounding (0.7 + 0.2 + 0.1) must not turn a closed loop into a leak.
        let drop_off = 1.0 - assigned;
        let drop_off = if drop_off < 1e-12 { 0.0 } else { drop_off };
        (merged, drop_off)
    }

    /// Like [`JourneyGraph::resolved`], per transition: `(transition
    /// position, target, probability)` in transition order, before merging.
    pub(crate) fn resolved_transitions(&self, node: NodeIndex) -> Vec<(usize, NodeIndex, f64)> {
        if self.is_goal(node) || !self.is_present(node) {
            return Vec::new();
        }
        let mut edges: Vec<(usize, NodeIndex)> = self
            .graph
            .edges_directed(node, EdgeDirection::Outgoing)
            .map(|edge| (*edge.weight(), edge.target()))
            .collect();
        crate::order::sort_by(&mut edges, Ord::cmp);
        let transitions = &self.journey.transitions;
        let mut claimed = 0.0;
        let mut open = Vec::new();
        let mut steps: Vec<(usize, NodeIndex, f64)> = Vec::with_capacity(edges.len());
        for &(position, target) in &edges {
            let transition = &transitions[position];
            match transition.probability {
                Some(probability) => {
                    let probability = sanitize(probability);
                    claimed += probability;
                    if self.is_present(target) {
                        steps.push((position, target, probability));
                    }
                }
                None if self.is_present(target) => open.push((position, target)),
                None => {}
            }
        }
        let remaining = (1.0 - claimed).max(0.0);
        if !open.is_empty() && remaining > 0.0 {
            let counts: Option<Vec<u64>> = open
                .iter()
                .map(|&(position, _)| transitions[position].count)
                .collect();
            // In u128: no count of u64s can overflow it.
            let total: u128 = counts.iter().flatten().map(|&c| u128::from(c)).sum();
            for (slot, &(position, target)) in open.iter().enumerate() {
                let share = match &counts {
                    Some(counts) if total > 0 => counts[slot] as f64 / total as f64,
                    _ => 1.0 / open.len() as f64,
                };
                steps.push((position, target, remaining * share));
            }
        }
        crate::order::sort_by_key(&mut steps, |&(position, _, _)| position);
        steps
    }

    /// The next steps from a touchpoint with their resolved probabilities,
    /// most likely first (ties in transition order), and the probability of
    /// dropping off there. `None` when no touchpoint has this id.
    pub fn next_steps(&self, id: &str) -> Option<(Vec<NextStep>, f64)> {
        let node = self.node(id)?;
        let (steps, drop_off) = self.resolved(node);
        let mut steps: Vec<NextStep> = steps
            .into_iter()
            .map(|(target, probability)| NextStep {
                touchpoint: self.touchpoint_at(target).id.clone(),
                probability,
            })
            .collect();
        crate::order::sort_by(&mut steps, |a, b| b.probability.total_cmp(&a.probability));
        Some((steps, drop_off))
    }

    /// The stage-level view: one edge for every ordered pair of stages that a
    /// transition between present touchpoints connects, in stage order.
    pub fn stage_graph(&self) -> Vec<StageEdge> {
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for edge in self.graph.edge_references() {
            let (source, target) = (edge.source(), edge.target());
            if !self.is_present(source) || !self.is_present(target) {
                continue;
            }
            if let (Some(from), Some(to)) = (
                self.stage_position_of(source),
                self.stage_position_of(target),
            ) {
                pairs.push((from, to));
            }
        }
        crate::order::sort_by(&mut pairs, Ord::cmp);
        // Runs of one pair, in pair order, with their lengths.
        let mut counts: Vec<((usize, usize), usize)> = Vec::new();
        for pair in pairs {
            match counts.last_mut() {
                Some((last, count)) if *last == pair => *count += 1,
                _ => counts.push((pair, 1)),
            }
        }
        counts
            .into_iter()
            .map(|((from, to), transitions)| StageEdge {
                from: self.journey.stages[from].id.clone(),
                to: self.journey.stages[to].id.clone(),
                transitions,
                step: match to.cmp(&from) {
                    std::cmp::Ordering::Greater => StageStep::Forward,
                    std::cmp::Ordering::Equal => StageStep::Within,
                    std::cmp::Ordering::Less => StageStep::Back,
                },
                skips: to > from + 1,
            })
            .collect()
    }
}

/// Probabilities outside [0, 1] or not finite are reported by validation;
/// analysis never sees them, but structural helpers must not misbehave.
fn sanitize(probability: f64) -> f64 {
    if probability.is_finite() {
        probability.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Stage, Transition};

    fn journey(transitions: Vec<Transition>) -> Journey {
        let stage = |id: &str| Stage {
            id: id.into(),
            name: id.into(),
            ..Stage::default()
        };
        Journey {
            id: "j".into(),
            name: "J".into(),
            stages: vec![stage("s1"), stage("s2"), stage("s3")],
            touchpoints: vec![
                Touchpoint::new("a", "A", "s1"),
                Touchpoint::new("b", "B", "s2"),
                Touchpoint::new("c", "C", "s3"),
                Touchpoint::new("m", "M", "s3").missing(),
            ],
            transitions,
            entries: vec![Entry {
                touchpoint: "a".into(),
                weight: 1.0,
                extra: Default::default(),
            }],
            goals: vec!["c".into()],
            ..Journey::default()
        }
    }

    fn probabilities(graph: &JourneyGraph<'_>, id: &str) -> (Vec<(String, f64)>, f64) {
        let (steps, drop) = graph.next_steps(id).unwrap_or_default();
        (
            steps
                .into_iter()
                .map(|s| (s.touchpoint, s.probability))
                .collect(),
            drop,
        )
    }

    #[test]
    fn unassigned_mass_is_split_equally_or_by_counts() {
        let j = journey(vec![
            Transition::new("a", "b").probability(0.4),
            Transition::new("a", "c"),
            Transition::new("a", "a"),
        ]);
        let graph = JourneyGraph::new(&j);
        let (steps, drop) = probabilities(&graph, "a");
        assert_eq!(
            steps,
            vec![("b".into(), 0.4), ("c".into(), 0.3), ("a".into(), 0.3)]
        );
        assert_eq!(drop, 0.0);

        let j = journey(vec![
            Transition::new("a", "b").count(30),
            Transition::new("a", "c").count(10),
        ]);
        let graph = JourneyGraph::new(&j);
        assert_eq!(
            probabilities(&graph, "a"),
            (vec![("b".into(), 0.75), ("c".into(), 0.25)], 0.0)
        );
    }

    #[test]
    fn missing_targets_and_unassigned_mass_drop_off() {
        let j = journey(vec![
            Transition::new("a", "b").probability(0.5),
            Transition::new("a", "m").probability(0.25),
        ]);
        let graph = JourneyGraph::new(&j);
        assert_eq!(probabilities(&graph, "a"), (vec![("b".into(), 0.5)], 0.5));
        // A dead end drops everything.
        assert_eq!(probabilities(&graph, "b"), (vec![], 1.0));
        // Goals absorb.
        assert_eq!(probabilities(&graph, "c"), (vec![], 0.0));
    }

    #[test]
    fn stage_graph_classifies_steps() {
        let j = journey(vec![
            Transition::new("a", "c"),
            Transition::new("b", "a"),
            Transition::new("b", "b"),
            Transition::new("a", "m"),
        ]);
        let graph = JourneyGraph::new(&j);
        let edges = graph.stage_graph();
        let summary: Vec<(&str, &str, StageStep, bool)> = edges
            .iter()
            .map(|e| (e.from.as_str(), e.to.as_str(), e.step, e.skips))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("s1", "s3", StageStep::Forward, true),
                ("s2", "s1", StageStep::Back, false),
                ("s2", "s2", StageStep::Within, false),
            ]
        );
        assert_eq!(graph.successors("a"), vec!["c", "m"]);
        assert_eq!(graph.predecessors("a"), vec!["b"]);
        assert_eq!(graph.reachable(), ["a", "c"].into_iter().collect());
    }

    #[test]
    fn neighbours_come_once_each_in_the_order_of_their_first_transition() {
        let j = journey(vec![
            Transition::new("a", "m"),
            Transition::new("b", "a"),
            Transition::new("a", "c"),
            Transition::new("a", "m"),
            Transition::new("a", "b"),
            Transition::new("c", "a"),
            Transition::new("a", "c"),
            Transition::new("b", "a"),
        ]);
        let graph = JourneyGraph::new(&j);
        assert_eq!(graph.successors("a"), vec!["m", "c", "b"]);
        assert_eq!(graph.predecessors("a"), vec!["b", "c"]);
        assert!(graph.successors("nowhere").is_empty());
    }
}
