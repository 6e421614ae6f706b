//! Generated journeys of any size, for benchmarks, load tests and demos.
//!
//! The shape follows real maps: touchpoints in ten ordered stages, most
//! transitions moving a few steps forward, some looping back a few steps,
//! about one in a hundred jumping anywhere, and a tenth of every touchpoint's
//! customers dropping off. The same size and seed give the same journey.

use crate::model::{Channel, Journey, Stage, Touchpoint, Transition};

/// How many transitions leave a touchpoint, on average.
pub const OUT_DEGREE: usize = 4;

/// A generated journey with `touchpoints` touchpoints (at least 2), average
/// out-degree [`OUT_DEGREE`], loops, back-jumps and long jumps, entries at the
/// first touchpoints and goals at the last ones. It always validates without
/// errors.
pub fn journey(touchpoints: usize, seed: u64) -> Journey {
    let n = touchpoints.max(2);
    let stages = n.min(10);
    let mut random = SplitMix(seed);
    let channels = Channel::BUILT_IN;
    let window = 8usize;
    let goals = (n / 100).max(1);
    let mut journey = Journey {
        id: format!("synthetic_{n}_{seed}"),
        name: format!("Synthetic journey of {n} touchpoints"),
        stages: (0..stages)
            .map(|s| Stage::new(format!("stage_{s}"), format!("Stage {}", s + 1)))
            .collect(),
        ..Journey::default()
    };
    for i in 0..n {
        let emotion = (random.below(9) as f64 - 4.0) / 2.0;
        journey.touchpoints.push(
            Touchpoint::new(
                format!("t{i}"),
                format!("Touchpoint {i}"),
                format!("stage_{}", i * stages / n),
            )
            .channel(channels[random.below(channels.len())].clone())
            .emotion(emotion),
        );
    }
    for i in 0..n - goals {
        let mut targets: Vec<usize> = Vec::with_capacity(OUT_DEGREE);
        for _ in 0..OUT_DEGREE {
            let roll = random.below(100);
            let target = if roll < 1 {
                random.below(n)
            } else if roll < 11 {
                i.saturating_sub(1 + random.below(window))
            } else {
                (i + 1 + random.below(window)).min(n - 1)
            };
            if !targets.contains(&target) {
                targets.push(target);
            }
        }
        // Always a way forward, so every touchpoint can reach a goal.
        let forward = i + 1;
        if !targets.contains(&forward) {
            targets[0] = forward;
        }
        // And a way to every goal from the touchpoints just before them.
        if i + 2 * goals >= n {
            let goal = i + goals;
            if !targets.contains(&goal) {
                let last = targets.len() - 1;
                if last > 0 && targets.len() >= OUT_DEGREE {
                    targets[last] = goal;
                } else {
                    targets.push(goal);
                }
            }
        }
        let weights: Vec<f64> = targets
            .iter()
            .map(|_| 1.0 + random.below(9) as f64)
            .collect();
        let total: f64 = weights.iter().sum();
        for (target, weight) in targets.into_iter().zip(weights) {
            // Rounded so that documents print short numbers; the remaining
            // mass (about a tenth) drops off.
            let probability = (0.9 * weight / total * 1000.0).floor() / 1000.0;
            journey.transitions.push(
                Transition::new(format!("t{i}"), format!("t{target}"))
                    .probability(probability)
                    .duration(60.0 * (1 + random.below(60)) as f64),
            );
        }
    }
    for i in 0..3.min(n - goals) {
        journey = journey_entry(journey, i, (3 - i) as f64);
    }
    journey.goals = (n - goals..n).map(|i| format!("t{i}")).collect();
    journey
}

/// A simulated event log: `customers` customers walk `journey` (which must
/// validate) from its entries with its transition probabilities until they
/// reach a goal or drop off. Each step is an event named after the
/// touchpoint, on the touchpoint's channel, timed by the transition's
/// duration (one hour when none) with ±50% jitter, and carries a value of
/// each measure the touchpoint has (within ±1 of it, for a tenth of the
/// visits). With `noise`, one customer in twenty also meets an event the map
/// does not have (`"chat_widget"`). Customers are `c00001`, `c00002`, …;
/// the first starts at 2026-01-01T00:00:00Z and each next one ten minutes
/// later. Same inputs, same log.
pub fn event_log(
    journey: &Journey,
    customers: usize,
    seed: u64,
    noise: bool,
) -> crate::events::EventLog {
    let graph = crate::graph::JourneyGraph::new(journey);
    let mut random = SplitMix(seed);
    let mut log = crate::events::EventLog::new();
    let uniform = |random: &mut SplitMix| (random.next() >> 11) as f64 / (1u64 << 53) as f64;
    let total_weight: f64 = journey.entries.iter().map(|e| e.weight.max(0.0)).sum();
    const START: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    for c in 0..customers {
        let customer = format!("c{:05}", c + 1);
        let mut time = START + c as i64 * 600_000;
        let mut pick = uniform(&mut random) * total_weight;
        let mut at = journey.entries.last().map(|e| e.touchpoint.clone());
        for entry in &journey.entries {
            if pick < entry.weight {
                at = Some(entry.touchpoint.clone());
                break;
            }
            pick -= entry.weight;
        }
        let mut steps = 0;
        while let Some(id) = at.take() {
            let Some(touchpoint) = journey.touchpoint(&id) else {
                break;
            };
            let mut measures: Vec<(&str, f64)> = Vec::new();
            for (key, value) in &touchpoint.measures {
                if random.below(10) == 0 {
                    let jitter = uniform(&mut random) * 2.0 - 1.0;
                    measures.push((key, (value.value + jitter).round()));
                }
            }
            let channel = Some(touchpoint.channel.as_str());
            if log
                .push_parts(&customer, time, &id, channel, &measures)
                .is_err()
            {
                return log; // full: 2³² − 1 events
            }
            steps += 1;
            if noise && random.below(20) == 0 {
                time += 60_000;
                if log
                    .push_parts(&customer, time, "chat_widget", Some("chat"), &[])
                    .is_err()
                {
                    return log;
                }
            }
            if journey.goals.contains(&id) || steps > 200 {
                break;
            }
            let Some((next, _)) = graph.next_steps(&id) else {
                break;
            };
            let mut u = uniform(&mut random);
            for step in next {
                if u < step.probability {
                    let seconds = journey
                        .transitions
                        .iter()
                        .find(|t| t.from == id && t.to == step.touchpoint)
                        .and_then(|t| t.duration)
                        .unwrap_or(3600.0);
                    let jitter = 0.5 + uniform(&mut random);
                    time += (seconds * 1000.0 * jitter) as i64;
                    at = Some(step.touchpoint);
                    break;
                }
                u -= step.probability;
            }
        }
    }
    log
}

/// Simulated path data for attribution: `journeys` customer journeys over
/// `channels` channels (`ch01`, `ch02`, …), aggregated into distinct paths
/// with their conversions, value and nulls. Each journey has 1 to 8 touches
/// (mostly short); the next channel repeats the last one a third of the time
/// and is otherwise drawn with a skew towards low-numbered channels; a
/// journey converts with a probability that grows with the channels it
/// touched (each channel has its own lift), and a conversion is worth 10 to
/// 100. Same inputs, same data.
pub fn paths(journeys: usize, channels: usize, seed: u64) -> Vec<crate::attribution::PathData> {
    let channels = channels.max(1);
    let mut random = SplitMix(seed);
    let uniform = |random: &mut SplitMix| (random.next() >> 11) as f64 / (1u64 << 53) as f64;
    let names: Vec<String> = (1..=channels).map(|c| format!("ch{c:02}")).collect();
    let lift: Vec<f64> = (0..channels)
        .map(|c| 0.02 + 0.08 * ((c * 7) % channels) as f64 / channels as f64)
        .collect();
    let mut grouped = Grouped::new();
    for _ in 0..journeys {
        let mut length = 1;
        while length < 8 && uniform(&mut random) < 0.45 {
            length += 1;
        }
        let mut path = Vec::with_capacity(length);
        for k in 0..length {
            let channel = if k > 0 && random.below(3) == 0 {
                path[k - 1]
            } else {
                // Skewed: the minimum of two draws favours low numbers.
                random.below(channels).min(random.below(channels))
            };
            path.push(channel);
        }
        let mut p_convert = 0.01;
        let mut seen = vec![false; channels];
        for &c in &path {
            if !seen[c] {
                seen[c] = true;
                p_convert += lift[c];
            }
        }
        tally(&mut grouped, path, p_convert, &mut random);
    }
    to_paths(grouped, &names)
}

/// The shape of generated path data ([`paths_shaped`]): how many
/// touchpoints, how popular each is, how long journeys are and how often a
/// touchpoint comes back.
#[derive(Debug, Clone, PartialEq)]
pub struct PathShape {
    /// Number of touchpoints (channels or pages).
    pub touchpoints: usize,
    /// Popularity skew: touchpoint `i` (from 0) is drawn with weight
    /// `1 / (i + 1)^skew`; 0 draws them uniformly.
    pub skew: f64,
    /// Mean number of touches of a journey (lengths are geometric, the
    /// discrete exponential, from 1).
    pub mean_length: f64,
    /// The most touches of a journey.
    pub max_length: usize,
    /// The share of all journeys that touch some touchpoint twice (their
    /// last touch repeats an earlier one); the others touch distinct
    /// touchpoints.
    pub repeating: f64,
    /// Names: `page0001`… when true, else `ch01`….
    pub pages: bool,
}

impl PathShape {
    /// Channels with skewed popularity and long journeys: 45 channels
    /// (weights `1/(i+1)`), lengths of mean 3.5 up to 25, a fifth of the
    /// journeys repeating a channel.
    pub fn long_skewed() -> PathShape {
        PathShape {
            touchpoints: 45,
            skew: 1.0,
            mean_length: 3.5,
            max_length: 25,
            repeating: 0.2,
            pages: false,
        }
    }

    /// A website's pages as touchpoints: `touchpoints` pages drawn
    /// uniformly, 1 to 8 touches (mean 4.5), no repeats.
    pub fn pages(touchpoints: usize) -> PathShape {
        PathShape {
            touchpoints,
            skew: 0.0,
            mean_length: 4.5,
            max_length: 8,
            repeating: 0.0,
            pages: true,
        }
    }
}

/// Simulated path data of a given [`PathShape`]: `journeys` journeys,
/// aggregated into distinct paths (sorted) with their conversions, value
/// and nulls. A journey converts with a probability that grows with the
/// distinct touchpoints it touched (each its own lift), and a conversion is
/// worth 10 to 100. Same inputs, same data.
pub fn paths_shaped(
    journeys: usize,
    shape: &PathShape,
    seed: u64,
) -> Vec<crate::attribution::PathData> {
    let n = shape.touchpoints.max(1);
    let max_length = shape.max_length.max(1);
    let mut random = SplitMix(seed);
    let uniform = |random: &mut SplitMix| (random.next() >> 11) as f64 / (1u64 << 53) as f64;
    let names: Vec<String> = (0..n)
        .map(|c| {
            if shape.pages {
                format!("page{:04}", c + 1)
            } else {
                format!("ch{:02}", c + 1)
            }
        })
        .collect();
    // Cumulative popularity, drawn from by binary search.
    let mut cumulative = Vec::with_capacity(n);
    let mut total = 0.0;
    for i in 0..n {
        total += 1.0 / ((i + 1) as f64).powf(shape.skew);
        cumulative.push(total);
    }
    let draw = |random: &mut SplitMix| {
        let u = uniform(random) * total;
        cumulative.partition_point(|&c| c <= u).min(n - 1)
    };
    let lift: Vec<f64> = (0..n)
        .map(|c| 0.02 + 0.08 * ((c * 7) % n) as f64 / n as f64)
        .collect();
    // Geometric lengths of the given mean: go on with probability 1 − 1/mean.
    let go_on = 1.0 - 1.0 / shape.mean_length.max(1.0);
    let mut grouped = Grouped::new();
    let mut seen = vec![false; n];
    for _ in 0..journeys {
        let mut length = 1;
        while length < max_length && uniform(&mut random) < go_on {
            length += 1;
        }
        // Among journeys of two or more touches (a share `go_on` of all),
        // as many repeat as make `repeating` of all journeys.
        let repeats = length > 1 && uniform(&mut random) * go_on < shape.repeating;
        let mut path: Vec<usize> = Vec::with_capacity(length);
        for k in 0..length {
            let next = if repeats && k == length - 1 {
                // The journey's repeat: one of its earlier touches again.
                path[random.below(k)]
            } else {
                // Otherwise distinct touchpoints (while there are enough).
                let mut next = draw(&mut random);
                for _ in 0..100 {
                    if !path.contains(&next) {
                        break;
                    }
                    next = draw(&mut random);
                }
                next
            };
            path.push(next);
        }
        let mut p_convert = 0.01;
        for &c in &path {
            if !seen[c] {
                seen[c] = true;
                p_convert += lift[c];
            }
        }
        for &c in &path {
            seen[c] = false;
        }
        tally(&mut grouped, path, p_convert, &mut random);
    }
    to_paths(grouped, &names)
}

/// Generated journeys grouped by path: conversions, nulls and value.
type Grouped = std::collections::BTreeMap<Vec<usize>, (u64, u64, f64)>;

/// Counts one journey on `path`: it converts with probability `p_convert`
/// (at most 0.9), worth 10 to 100.
fn tally(grouped: &mut Grouped, path: Vec<usize>, p_convert: f64, random: &mut SplitMix) {
    let uniform = (random.next() >> 11) as f64 / (1u64 << 53) as f64;
    let slot = grouped.entry(path).or_default();
    if uniform < p_convert.min(0.9) {
        slot.0 += 1;
        slot.2 += (10 + random.below(91)) as f64;
    } else {
        slot.1 += 1;
    }
}

/// The grouped journeys as path data, in path order.
fn to_paths(grouped: Grouped, names: &[String]) -> Vec<crate::attribution::PathData> {
    grouped
        .into_iter()
        .map(
            |(path, (conversions, nulls, value))| crate::attribution::PathData {
                path: path.into_iter().map(|c| names[c].clone()).collect(),
                conversions: conversions as f64,
                value,
                nulls: nulls as f64,
            },
        )
        .collect()
}

fn journey_entry(mut journey: Journey, index: usize, weight: f64) -> Journey {
    journey.entries.push(crate::model::Entry {
        touchpoint: format!("t{index}"),
        weight,
        extra: Default::default(),
    });
    journey
}

/// SplitMix64: small, fast and deterministic everywhere (wasm included).
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shaped_paths_have_their_shape() {
        let shape = PathShape::long_skewed();
        let paths = paths_shaped(20_000, &shape, 3);
        assert_eq!(paths, paths_shaped(20_000, &shape, 3));
        let journeys: f64 = paths.iter().map(|p| p.conversions + p.nulls).sum();
        assert_eq!(journeys, 20_000.0);
        let mut touches = 0.0;
        let mut repeating = 0.0;
        let mut first_channel = 0.0;
        for p in &paths {
            let n = p.conversions + p.nulls;
            assert!((1..=25).contains(&p.path.len()));
            touches += n * p.path.len() as f64;
            let mut distinct = p.path.clone();
            distinct.sort();
            distinct.dedup();
            if distinct.len() < p.path.len() {
                repeating += n;
            }
            first_channel += n * p.path.iter().filter(|c| *c == "ch01").count() as f64;
        }
        // Geometric lengths of mean 3.5 cut at 25; a fifth repeat; ch01 has
        // weight 1 of H(45) ≈ 4.39 (less, as repeated draws are redrawn).
        let mean = touches / journeys;
        assert!((3.3..3.6).contains(&mean), "{mean}");
        let repeating = repeating / journeys;
        assert!((0.19..0.21).contains(&repeating), "{repeating}");
        let share = first_channel / touches;
        assert!((0.12..0.26).contains(&share), "{share}");
        // Pages: uniform, up to 8 touches, named page0001…
        let pages = paths_shaped(2_000, &PathShape::pages(5000), 3);
        assert!(
            pages
                .iter()
                .all(|p| p.path.len() <= 8 && p.path[0].starts_with("page"))
        );
    }

    #[test]
    fn generated_journeys_are_valid_deterministic_and_sized() {
        for n in [2, 10, 100, 1000] {
            let journey = journey(n, 42);
            let report = crate::validate::validate_journey(&journey);
            assert!(report.is_valid(), "n={n}: {:?}", report.errors().next());
            assert_eq!(journey.touchpoints.len(), n);
            assert_eq!(journey, super::journey(n, 42));
        }
        let big = journey(1000, 1);
        let degree = big.transitions.len() as f64 / 990.0;
        assert!((3.0..=4.0).contains(&degree), "average out-degree {degree}");
        let back = big
            .transitions
            .iter()
            .filter(|t| {
                t.to[1..].parse::<usize>().unwrap() <= t.from[1..].parse::<usize>().unwrap()
            })
            .count();
        assert!(back > 100, "{back} loops and back-jumps");
    }
}
