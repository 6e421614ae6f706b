//! The context index: higher-order paths (the last touchpoints) to the
//! next steps customers took after them, learnt by `fit`.

use super::*;

/// Context paths (touchpoint numbers, oldest first) → next steps, most likely first.
pub(super) type ContextIndex = hashbrown::HashMap<Box<[u32]>, Box<[(u32, f64)]>>;

/// The journey's context rows by touchpoint numbers, with their next steps
/// as probabilities (a row's leavers count in the total), and the longest
/// path. Rows naming touchpoints the journey lacks are left out.
pub(super) fn context_index(journey: &Journey, lookup: &Names) -> (ContextIndex, usize) {
    let mut index = hashbrown::HashMap::new();
    let mut depth = 0;
    for row in &journey.context {
        if row.path.len() < 2 || row.path.len() > crate::fit::MAX_CONTEXT_ORDER {
            continue;
        }
        let Some(path) = row
            .path
            .iter()
            .map(|id| lookup.get(id.as_str()))
            .collect::<Option<Box<[u32]>>>()
        else {
            continue;
        };
        let total = row.next.values().sum::<u64>() + row.ends;
        if total == 0 {
            continue;
        }
        let mut steps: Vec<(u32, f64)> = row
            .next
            .iter()
            .filter_map(|(id, &n)| Some((lookup.get(id.as_str())?, n as f64 / total as f64)))
            .collect();
        crate::order::sort_by(&mut steps, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        depth = depth.max(path.len());
        index.insert(path, steps.into_boxed_slice());
    }
    (index, depth)
}
