//! Sparse linear algebra for absorbing Markov chains: an LDU factorization of
//! `I − Q` and the diagonal of its inverse (the fundamental matrix `N`).
//!
//! `I − Q` for the transient part of a journey is a nonsingular M-matrix (every
//! transient touchpoint can leave, which validation guarantees by refusing
//! traps), so Gaussian elimination without pivoting is stable and every pivot
//! is positive; a symmetric permutation keeps that true. The ordering is faer's
//! approximate minimum degree on the pattern of `A + Aᵀ`, and the factors share
//! the filled pattern of that symmetric matrix. On that pattern the
//! Takahashi recurrences give the entries of `N` the analysis needs (its
//! diagonal: the expected returns to each touchpoint) without forming `N`,
//! at the cost of the factorization itself.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::sparse::SymbolicSparseColMatRef;
use faer::sparse::linalg::amd;

/// The matrix is not a nonsingular M-matrix (a pivot vanished). Validation
/// rules this out; the error keeps a bug from becoming a panic or a NaN.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Singular;

/// `P (I − Q) Pᵀ = L D U` with unit triangular `L`, `U` on the pattern of the
/// filled `A + Aᵀ`.
#[derive(Debug, Clone)]
pub(crate) struct Factor {
    /// `perm[new] = old`.
    perm: Vec<usize>,
    /// For each (permuted) column `k`, the rows `i > k` of its filled pattern, sorted.
    pattern: Vec<Vec<usize>>,
    /// `lower[k][p] = L[pattern[k][p]][k]`.
    lower: Vec<Vec<f64>>,
    /// `upper[k][p] = U[k][pattern[k][p]]`.
    upper: Vec<Vec<f64>>,
    diag: Vec<f64>,
}

impl Factor {
    /// Factorizes `I − Q` where `rows[i]` lists `(j, Q[i][j])`; entries may
    /// repeat (they add up) and may sit on the diagonal (self-loops).
    pub(crate) fn new(rows: &[Vec<(usize, f64)>]) -> Result<Factor, Singular> {
        let (perm, perm_inv) = ordering(rows);
        Factor::with_ordering(rows, perm, perm_inv)
    }

    /// Factorizes as [`Factor::new`] does, eliminating the rows block by
    /// block in increasing `block[i]` (a fill-reducing order within each
    /// block). Every leading block of the permuted matrix is then the matrix
    /// of the rows of the first blocks alone, and its factors are the
    /// leading part of these: [`Factor::forward`] and
    /// [`Factor::forward_transpose`] answer for every prefix of blocks at once.
    pub(crate) fn in_blocks(
        rows: &[Vec<(usize, f64)>],
        block: &[usize],
    ) -> Result<Factor, Singular> {
        let n = rows.len();
        let mut by_block: Vec<usize> = (0..n).collect();
        crate::order::sort_by_key(&mut by_block, |&i| block[i]);
        let mut perm = Vec::with_capacity(n);
        let mut local = vec![usize::MAX; n];
        let mut start = 0;
        while start < n {
            let b = block[by_block[start]];
            let end = start
                + by_block[start..]
                    .iter()
                    .take_while(|&&i| block[i] == b)
                    .count();
            let members = &by_block[start..end];
            for (k, &i) in members.iter().enumerate() {
                local[i] = k;
            }
            let inner: Vec<Vec<(usize, f64)>> = members
                .iter()
                .map(|&i| {
                    rows[i]
                        .iter()
                        .filter(|&&(j, _)| block[j] == b)
                        .map(|&(j, q)| (local[j], q))
                        .collect()
                })
                .collect();
            let (inner_perm, _) = ordering(&inner);
            perm.extend(inner_perm.iter().map(|&k| members[k]));
            start = end;
        }
        let mut perm_inv = vec![0; n];
        for (new, &old) in perm.iter().enumerate() {
            perm_inv[old] = new;
        }
        Factor::with_ordering(rows, perm, perm_inv)
    }

    /// Factorizes `I − Q` eliminating in the order `perm` (`perm[new] =
    /// old`, `perm_inv` its inverse).
    fn with_ordering(
        rows: &[Vec<(usize, f64)>],
        perm: Vec<usize>,
        perm_inv: Vec<usize>,
    ) -> Result<Factor, Singular> {
        let n = rows.len();
        // Symmetrized adjacency in permuted indices, upper part only.
        let mut higher: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, row) in rows.iter().enumerate() {
            for &(j, _) in row {
                let (a, b) = (perm_inv[i], perm_inv[j]);
                if a != b {
                    let (low, high) = if a < b { (a, b) } else { (b, a) };
                    higher[low].push(high);
                }
            }
        }
        let pattern = symbolic(higher);
        let mut factor = Factor {
            lower: pattern.iter().map(|s| vec![0.0; s.len()]).collect(),
            upper: pattern.iter().map(|s| vec![0.0; s.len()]).collect(),
            diag: vec![1.0; n],
            pattern,
            perm,
        };
        for (i, row) in rows.iter().enumerate() {
            for &(j, q) in row {
                let (a, b) = (perm_inv[i], perm_inv[j]);
                if let Some(slot) = factor.slot(a, b) {
                    *slot -= q;
                }
            }
        }
        factor.eliminate()?;
        Ok(factor)
    }

    /// The storage of entry `(i, j)` of the working matrix, if in the pattern.
    fn slot(&mut self, i: usize, j: usize) -> Option<&mut f64> {
        use std::cmp::Ordering;
        match i.cmp(&j) {
            Ordering::Equal => self.diag.get_mut(i),
            Ordering::Greater => {
                let p = self.pattern[j].binary_search(&i).ok()?;
                self.lower[j].get_mut(p)
            }
            Ordering::Less => {
                let p = self.pattern[i].binary_search(&j).ok()?;
                self.upper[i].get_mut(p)
            }
        }
    }

    fn eliminate(&mut self) -> Result<(), Singular> {
        let n = self.diag.len();
        let mut row = Vec::new();
        let mut scaled = Vec::new();
        for k in 0..n {
            let pivot = self.diag[k];
            if !(pivot.is_finite() && pivot > f64::MIN_POSITIVE) {
                return Err(Singular);
            }
            for value in &mut self.lower[k] {
                *value /= pivot;
            }
            for value in &mut self.upper[k] {
                *value /= pivot;
            }
            // The pattern of column k is a clique in the filled graph, so
            // every update below lands on a stored entry: row i of U holds
            // every later index of the structure, column j of L every later
            // one, both sorted, so each is found by walking forward (not by
            // a search per entry). Each entry gets the one update it got
            // before, so the factors are the same to the bit.
            // Column k of the matrix before the division by the pivot.
            scaled.clear();
            scaled.extend(self.lower[k].iter().map(|l| l * pivot));
            row.clone_from(&self.upper[k]);
            let structure = std::mem::take(&mut self.pattern[k]);
            for (p, &i) in structure.iter().enumerate() {
                let a_ik = scaled[p];
                if a_ik == 0.0 {
                    continue;
                }
                if row[p] != 0.0 {
                    self.diag[i] -= a_ik * row[p];
                }
                walk_update(
                    &self.pattern[i],
                    &mut self.upper[i],
                    &structure[p + 1..],
                    &row[p + 1..],
                    a_ik,
                );
            }
            for (q, &j) in structure.iter().enumerate() {
                let u_kj = row[q];
                if u_kj == 0.0 {
                    continue;
                }
                walk_update(
                    &self.pattern[j],
                    &mut self.lower[j],
                    &structure[q + 1..],
                    &scaled[q + 1..],
                    u_kj,
                );
            }
            self.pattern[k] = structure;
        }
        Ok(())
    }

    /// Solves `(I − Q) x = b` in place.
    pub(crate) fn solve(&self, b: &mut [f64]) {
        self.substitute(b, &self.lower, &self.upper);
    }

    /// Solves `(I − Q)ᵀ x = b` in place: `Uᵀ` and `Lᵀ` trade places with
    /// `L` and `U`, on the same pattern.
    pub(crate) fn solve_transpose(&self, b: &mut [f64]) {
        self.substitute(b, &self.upper, &self.lower);
    }

    /// `L⁻¹ P b` in permuted order: forward substitution with the unit
    /// lower factor. Its first `m` entries depend on the first `m` of `P b`
    /// alone (see [`Factor::in_blocks`]).
    pub(crate) fn forward(&self, b: &[f64]) -> Vec<f64> {
        self.forward_with(b, &self.lower)
    }

    /// `U⁻ᵀ P b` in permuted order (the first half of
    /// [`Factor::solve_transpose`]), prefix by prefix as [`Factor::forward`].
    pub(crate) fn forward_transpose(&self, b: &[f64]) -> Vec<f64> {
        self.forward_with(b, &self.upper)
    }

    /// The pivots `D`, in permuted order.
    pub(crate) fn pivots(&self) -> &[f64] {
        &self.diag
    }

    fn forward_with(&self, b: &[f64], first: &[Vec<f64>]) -> Vec<f64> {
        let mut x: Vec<f64> = self.perm.iter().map(|&old| b[old]).collect();
        for k in 0..x.len() {
            let xk = x[k];
            if xk != 0.0 {
                for (&i, &f) in self.pattern[k].iter().zip(&first[k]) {
                    x[i] -= f * xk;
                }
            }
        }
        x
    }

    /// Forward substitution with the unit lower factor stored column-wise
    /// in `first`, division by `D`, back substitution with the unit upper
    /// factor stored row-wise in `second`, all in permuted order.
    fn substitute(&self, b: &mut [f64], first: &[Vec<f64>], second: &[Vec<f64>]) {
        let mut x = self.forward_with(b, first);
        for (value, d) in x.iter_mut().zip(&self.diag) {
            *value /= d;
        }
        for k in (0..x.len()).rev() {
            let sum: f64 = self.pattern[k]
                .iter()
                .zip(&second[k])
                .map(|(&j, &g)| g * x[j])
                .sum();
            x[k] -= sum;
        }
        for (new, &old) in self.perm.iter().enumerate() {
            b[old] = x[new];
        }
    }

    /// The diagonal of `(I − Q)⁻¹`, in the original order (Takahashi's
    /// recurrences on the filled pattern).
    pub(crate) fn inverse_diagonal(&self) -> Vec<f64> {
        let n = self.diag.len();
        // Entries of Z = (LDU)⁻¹ on the pattern, in the same layout as the factors.
        let mut z_lower: Vec<Vec<f64>> = self.pattern.iter().map(|s| vec![0.0; s.len()]).collect();
        let mut z_upper = z_lower.clone();
        let mut z_diag = vec![0.0; n];
        let z_at =
            |z_lower: &[Vec<f64>], z_upper: &[Vec<f64>], z_diag: &[f64], i: usize, j: usize| {
                use std::cmp::Ordering;
                match i.cmp(&j) {
                    Ordering::Equal => z_diag[i],
                    Ordering::Greater => self.pattern[j]
                        .binary_search(&i)
                        .map_or(0.0, |p| z_lower[j][p]),
                    Ordering::Less => self.pattern[i]
                        .binary_search(&j)
                        .map_or(0.0, |p| z_upper[i][p]),
                }
            };
        for t in (0..n).rev() {
            let structure = &self.pattern[t];
            let l = &self.lower[t];
            let u = &self.upper[t];
            let mut new_lower = vec![0.0; structure.len()];
            let mut new_upper = vec![0.0; structure.len()];
            for (a, &i) in structure.iter().enumerate() {
                let mut below = 0.0;
                let mut right = 0.0;
                for (b, &k) in structure.iter().enumerate() {
                    if l[b] != 0.0 {
                        below += z_at(&z_lower, &z_upper, &z_diag, i, k) * l[b];
                    }
                    if u[b] != 0.0 {
                        right += u[b] * z_at(&z_lower, &z_upper, &z_diag, k, i);
                    }
                }
                new_lower[a] = -below;
                new_upper[a] = -right;
            }
            let correction: f64 = u.iter().zip(&new_lower).map(|(u, z)| u * z).sum();
            z_diag[t] = 1.0 / self.diag[t] - correction;
            z_lower[t] = new_lower;
            z_upper[t] = new_upper;
        }
        let mut diagonal = vec![0.0; n];
        for (new, &old) in self.perm.iter().enumerate() {
            diagonal[old] = z_diag[new];
        }
        diagonal
    }

    /// Number of stored off-diagonal entries of `L` (and of `U`).
    #[cfg(test)]
    pub(crate) fn fill(&self) -> usize {
        self.pattern.iter().map(Vec::len).sum()
    }
}

/// Subtracts `factor · by[q]` from the entries of `values` (laid out on the
/// sorted `target`) at the indices `at[q]`, sorted and all in `target`.
fn walk_update(target: &[usize], values: &mut [f64], at: &[usize], by: &[f64], factor: f64) {
    let Some(&first) = at.first() else {
        return;
    };
    let mut r = target.partition_point(|&t| t < first);
    for (&j, &u) in at.iter().zip(by) {
        if u == 0.0 {
            continue;
        }
        while target[r] < j {
            r += 1;
        }
        values[r] -= factor * u;
    }
}

/// The number of multiplications and subtractions [`Factor::new`] would
/// spend on `rows` (from the fill-reducing ordering's analysis), without
/// factorizing: lets a caller pick another method for matrices that would
/// fill in.
pub(crate) fn factor_cost(rows: &[Vec<(usize, f64)>]) -> f64 {
    ordering_with_cost(rows).2
}

/// A fill-reducing symmetric ordering: `(perm, perm_inv)` with `perm[new] = old`.
fn ordering(rows: &[Vec<(usize, f64)>]) -> (Vec<usize>, Vec<usize>) {
    let (perm, perm_inv, _) = ordering_with_cost(rows);
    (perm, perm_inv)
}

/// [`ordering`] and the flop count of LU with it.
fn ordering_with_cost(rows: &[Vec<(usize, f64)>]) -> (Vec<usize>, Vec<usize>, f64) {
    let n = rows.len();
    let identity = || {
        let cost = (n as f64).powi(3);
        ((0..n).collect::<Vec<_>>(), (0..n).collect::<Vec<_>>(), cost)
    };
    if n <= 2 {
        return identity();
    }
    // Column-compressed pattern of Qᵀ (the pattern of A + Aᵀ is what counts).
    let mut col_ptr = Vec::with_capacity(n + 1);
    let mut row_idx = Vec::new();
    col_ptr.push(0usize);
    for row in rows {
        let mut seen: Vec<usize> = row.iter().map(|&(j, _)| j).collect();
        crate::order::sort_usizes(&mut seen);
        seen.dedup();
        row_idx.extend(seen);
        col_ptr.push(row_idx.len());
    }
    let nnz = row_idx.len();
    let pattern = SymbolicSparseColMatRef::new_checked(n, n, &col_ptr, None, &row_idx);
    let mut perm = vec![0usize; n];
    let mut perm_inv = vec![0usize; n];
    let mut buffer = MemBuffer::new(amd::order_maybe_unsorted_scratch::<usize>(n, nnz));
    let stack = MemStack::new(&mut buffer);
    match amd::order_maybe_unsorted(
        &mut perm,
        &mut perm_inv,
        pattern,
        amd::Control::default(),
        stack,
    ) {
        Ok(count) => (perm, perm_inv, count.n_mult_subs_lu),
        // Index overflow cannot happen below the document limits; fall back
        // to the natural order rather than fail.
        Err(_) => identity(),
    }
}

/// The filled pattern of a symmetric matrix given by its strictly upper
/// adjacency (`higher[k]`: neighbours `> k`), via the elimination tree.
fn symbolic(mut higher: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
    let n = higher.len();
    let mut pattern: Vec<Vec<usize>> = Vec::with_capacity(n);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut mark = vec![usize::MAX; n];
    for k in 0..n {
        let mut structure = std::mem::take(&mut higher[k]);
        crate::order::sort_usizes(&mut structure);
        structure.dedup();
        for &i in &structure {
            mark[i] = k;
        }
        for &child in &children[k] {
            for &i in &pattern[child] {
                if i != k && mark[i] != k {
                    mark[i] = k;
                    structure.push(i);
                }
            }
        }
        crate::order::sort_usizes(&mut structure);
        structure.dedup();
        if let Some(&parent) = structure.first() {
            children[parent].push(k);
        }
        pattern.push(structure);
    }
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;
    use faer::linalg::solvers::DenseSolveCore;

    /// A random sub-stochastic chain with loops, deterministic from `seed`.
    fn chain(n: usize, seed: u64) -> Vec<Vec<(usize, f64)>> {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        (0..n)
            .map(|_| {
                let degree = (next() % 4) as usize + 1;
                let weights: Vec<f64> = (0..degree).map(|_| (next() % 100 + 1) as f64).collect();
                let total: f64 = weights.iter().sum::<f64>() * 1.25;
                weights
                    .iter()
                    .map(|w| ((next() % n as u64) as usize, w / total))
                    .collect()
            })
            .collect()
    }

    fn dense_inverse(rows: &[Vec<(usize, f64)>]) -> Mat<f64> {
        let n = rows.len();
        let mut a = Mat::<f64>::identity(n, n);
        for (i, row) in rows.iter().enumerate() {
            for &(j, q) in row {
                a[(i, j)] -= q;
            }
        }
        a.partial_piv_lu().inverse()
    }

    #[test]
    fn solves_and_inverse_diagonal_match_a_dense_inverse() {
        for (n, seed) in [(1, 1), (2, 2), (3, 3), (8, 4), (40, 5), (120, 6)] {
            let rows = chain(n, seed);
            let factor = Factor::new(&rows).unwrap();
            let inverse = dense_inverse(&rows);
            let diagonal = factor.inverse_diagonal();
            for i in 0..n {
                assert!((diagonal[i] - inverse[(i, i)]).abs() < 1e-12, "n={n} i={i}");
            }
            let b: Vec<f64> = (0..n).map(|i| (i % 7) as f64 - 2.5).collect();
            let mut x = b.clone();
            factor.solve(&mut x);
            let mut y = b.clone();
            factor.solve_transpose(&mut y);
            for i in 0..n {
                let expected: f64 = (0..n).map(|j| inverse[(i, j)] * b[j]).sum();
                let expected_t: f64 = (0..n).map(|j| inverse[(j, i)] * b[j]).sum();
                assert!((x[i] - expected).abs() < 1e-11, "solve n={n} i={i}");
                assert!((y[i] - expected_t).abs() < 1e-11, "transpose n={n} i={i}");
            }
        }
    }

    #[test]
    fn a_chain_that_cannot_end_is_refused_not_divided_by_zero() {
        // 0 → 1 → 0 with probability 1: I − Q is singular.
        let rows = vec![vec![(1, 1.0)], vec![(0, 1.0)]];
        assert_eq!(Factor::new(&rows).err(), Some(Singular));
    }

    #[test]
    fn ordering_keeps_fill_small_on_a_long_chain_with_back_jumps() {
        let n = 2000;
        let rows: Vec<Vec<(usize, f64)>> = (0..n)
            .map(|i| {
                let mut row = vec![((i + 1) % n, 0.5)];
                if i % 100 == 99 {
                    row.push((i - 90, 0.3));
                }
                row
            })
            .collect();
        let factor = Factor::new(&rows).unwrap();
        assert!(factor.fill() < 10 * n, "fill {}", factor.fill());
    }
}
