// In-batch contrastive losses (CLIP, NT-Xent, SupCon), tile by tile (DESIGN.md §4).
//
// Rows X and columns Y of a logit matrix ℓ_ij = scale·s_ij (scale = 1/σ or CLIP's logitScale):
// the caller computes one tile of similarities S at a time (the similarity-matrix kernel) and these
// functions fold it into per-row (and, for CLIP, per-column) online log-sum-exps, then, in a second
// pass over recomputed tiles, turn it into the tile of ∂L/∂s the gradient products need. Memory is
// O((n + m)·dim + tile), never O(n·m).
//
// Row i's loss is LSE_{j ≠ i if masked} ℓ_ij − mean_{p ∈ P(i)} ℓ_ip, so that
//   ∂L_i/∂ℓ_ij = softmax_ij − [j ∈ P(i)]/|P(i)|,
// with P(i) = {i} (CLIP rows; CLIP columns are the same on the transpose), {i ± n} (NT-Xent), or
// the other rows with i's label (SupCon; no positives: L_i = 0, no gradient).
//
// Everything is folded as gaps to a reference logit per row, ℓ_ij − ℓ_{i,r(i)} with r(i) one of
// i's positives (the caller computes ℓ_{i,r(i)} row by row), and the reference entry's own gap is
// exactly 0. A row whose positive dominates then gets its loss log(1 + Σ e^{gaps}) to full
// relative precision, where LSE − ℓ_pos would cancel to 0. CLIP's column j uses row j's reference.

import { EUCLIDEAN, COSINE } from "./similarity-kind";

/** Which columns are row i's positives. */
export const POSITIVE_DIAGONAL = 0; // j = i
export const POSITIVE_PARTNER = 1;  // j = (i + half) mod 2·half
export const POSITIVE_LABEL = 2;    // labels[j] = labels[i], j ≠ i

// Per-row statistics, 4 f64 each: running max M, running Σ e^{x − M} over every term but the one
// at the max (that one is exactly 1, kept out so that LSE = M + log1p(Σ) keeps tiny losses),
// Σ of positive gaps, and the number of positives. After finishing, slot 0 holds the LSE.
const MAX = 0, SUM = 8, POSITIVE_SUM = 16, POSITIVE_COUNT = 24;
export const ROW_STATS = 32;
// Per-column statistics (CLIP only), 2 f64 each: the same max and Σ as for rows.
export const COLUMN_STATS = 16;

@inline function isPositive(i: i32, j: i32, rule: i32, half: i32, labels: usize): bool {
  if (rule == POSITIVE_DIAGONAL) return j == i;
  if (rule == POSITIVE_PARTNER) return j == (i + half) % (2 * half);
  return j != i && load<i32>(labels + (<usize>i << 2)) == load<i32>(labels + (<usize>j << 2));
}

/** (M, Σ_others) ← the online log-sum-exp of (M, Σ_others) and one more term x. */
@inline function foldInto(stats: usize, x: f64): void {
  const max = load<f64>(stats, MAX);
  if (x > max) {
    // The old maximum (1 in the old scale) joins the others; everything rescales by e^{M − x}.
    store<f64>(stats, (load<f64>(stats, SUM) + 1.0) * Math.exp(max - x), SUM);
    store<f64>(stats, x, MAX);
  } else {
    store<f64>(stats, load<f64>(stats, SUM) + Math.exp(x - max), SUM);
  }
}

/** Sets every row's (and column's) statistics to the empty log-sum-exp. */
export function clearBatchStats(rowStats: usize, rows: i32, columnStats: usize, columns: i32): void {
  for (let i = 0; i < rows; i++) {
    const stats = rowStats + <usize>i * ROW_STATS;
    store<f64>(stats, -Infinity, MAX);
    store<f64>(stats, 0, SUM);
    store<f64>(stats, 0, POSITIVE_SUM);
    store<f64>(stats, 0, POSITIVE_COUNT);
  }
  if (columnStats == 0) return;
  for (let j = 0; j < columns; j++) {
    store<f64>(columnStats + <usize>j * COLUMN_STATS, -Infinity, MAX);
    store<f64>(columnStats + <usize>j * COLUMN_STATS, 0, SUM);
  }
}

/** Row i's gap ℓ_ij − ℓ_{i,r(i)}, exactly 0 at its reference column r(i) (−1: none). */
@inline function rowGap(logit: f64, i: i32, j: i32, references: usize, referenceLogits: usize): f64 {
  return j == load<i32>(references + (<usize>i << 2)) ? 0.0 : logit - load<f64>(referenceLogits + (<usize>i << 3));
}

/** CLIP column j's gap ℓ_ij − ℓ_jj, exactly 0 at i = j. */
@inline function columnGap(logit: f64, i: i32, j: i32, referenceLogits: usize): f64 {
  return i == j ? 0.0 : logit - load<f64>(referenceLogits + (<usize>j << 3));
}

/**
 * Folds the tile S [R, C] (rows i0 …, columns j0 …) into the statistics, as gaps to each row's
 * reference (references: i32 column per row, referenceLogits: f64 ℓ_{i,r(i)} per row). `masked`:
 * leave out j = i (a batch against itself). columnStats = 0 skips the column log-sum-exps.
 */
export function batchForwardTile<T>(
  tile: usize, R: i32, C: i32, i0: i32, j0: i32, scale: f64, masked: bool, rule: i32, half: i32, labels: usize,
  references: usize, referenceLogits: usize, rowStats: usize, columnStats: usize,
): void {
  for (let r = 0; r < R; r++) {
    const i = i0 + r;
    const stats = rowStats + <usize>i * ROW_STATS;
    const row = tile + (<usize>r * <usize>C << alignof<T>());
    for (let c = 0; c < C; c++) {
      const j = j0 + c;
      const logit = scale * <f64>load<T>(row + (<usize>c << alignof<T>()));
      if (columnStats != 0) foldInto(columnStats + <usize>j * COLUMN_STATS, columnGap(logit, i, j, referenceLogits));
      if (masked && i == j) continue;
      const gap = rowGap(logit, i, j, references, referenceLogits);
      foldInto(stats, gap);
      if (isPositive(i, j, rule, half, labels)) {
        store<f64>(stats, load<f64>(stats, POSITIVE_SUM) + gap, POSITIVE_SUM);
        store<f64>(stats, load<f64>(stats, POSITIVE_COUNT) + 1, POSITIVE_COUNT);
      }
    }
  }
}

/** Replaces each (M, Σ_others) by the log-sum-exp M + log1p(Σ_others), for rows and columns. */
export function finishLogSumExps(rowStats: usize, rows: i32, columnStats: usize, columns: i32): void {
  for (let i = 0; i < rows; i++) {
    const stats = rowStats + <usize>i * ROW_STATS;
    store<f64>(stats, load<f64>(stats, MAX) + Math.log1p(load<f64>(stats, SUM)), MAX);
  }
  if (columnStats == 0) return;
  for (let j = 0; j < columns; j++) {
    const stats = columnStats + <usize>j * COLUMN_STATS;
    store<f64>(stats, load<f64>(stats, MAX) + Math.log1p(load<f64>(stats, SUM)), MAX);
  }
}

/** Row i's loss: LSE − (Σ positive gaps)/|P(i)|, 0 without positives. */
export function batchRowLoss(rowStats: usize, i: i32): f64 {
  const stats = rowStats + <usize>i * ROW_STATS;
  const count = load<f64>(stats, POSITIVE_COUNT);
  return count > 0 ? load<f64>(stats, MAX) - load<f64>(stats, POSITIVE_SUM) / count : 0.0;
}

/** Column j's loss (CLIP): LSE_i ℓ_ij − ℓ_jj, the log-sum-exp of its gaps. */
export function batchColumnLoss(columnStats: usize, j: i32): f64 {
  return load<f64>(columnStats + <usize>j * COLUMN_STATS, MAX);
}

/**
 * The tile of the backward pass. With h_ij = scale·∂L/∂ℓ_ij = ∂L/∂s_ij, where row i's loss weighs
 * rowWeights[i] and (CLIP) column j's weighs columnWeights[j], writes the tile H the gradient
 * products need and its transpose HT [C, R]:
 *   cosine, dot: H = h;  euclidean: H = h/d (0 where d = 0), since ∂(−‖x − y‖)/∂x = −(x − y)/d.
 * Adds to rowScalars[i] and columnScalars[j] the per-row corrections: Σ h·s (cosine) or Σ H
 * (euclidean). Returns Σ_ij ∂L/∂ℓ_ij·s_ij, the derivative with respect to the scale.
 */
export function batchBackwardTile<T>(
  tile: usize, R: i32, C: i32, i0: i32, j0: i32, scale: f64, masked: bool, rule: i32, half: i32, labels: usize,
  references: usize, referenceLogits: usize,
  rowStats: usize, rowWeights: usize, columnStats: usize, columnWeights: usize, similarity: i32,
  H: usize, HT: usize, rowScalars: usize, columnScalars: usize,
): f64 {
  let dScale: f64 = 0;
  for (let r = 0; r < R; r++) {
    const i = i0 + r;
    const stats = rowStats + <usize>i * ROW_STATS;
    const lse = load<f64>(stats, MAX);
    const count = load<f64>(stats, POSITIVE_COUNT);
    const rowWeight = count > 0 ? load<f64>(rowWeights + (<usize>i << 3)) : 0.0;
    const row = tile + (<usize>r * <usize>C << alignof<T>());
    let rowScalar: f64 = 0;
    for (let c = 0; c < C; c++) {
      const j = j0 + c;
      const s = <f64>load<T>(row + (<usize>c << alignof<T>()));
      const logit = scale * s;
      let g: f64 = 0; // ∂L/∂ℓ_ij
      if (!(masked && i == j)) {
        const gap = rowGap(logit, i, j, references, referenceLogits);
        g = rowWeight * (Math.exp(gap - lse) - (isPositive(i, j, rule, half, labels) ? 1.0 / count : 0.0));
      }
      if (columnStats != 0) {
        const columnLse = load<f64>(columnStats + <usize>j * COLUMN_STATS, MAX);
        const gap = columnGap(logit, i, j, referenceLogits);
        g += load<f64>(columnWeights + (<usize>j << 3)) * (Math.exp(gap - columnLse) - (i == j ? 1.0 : 0.0));
      }
      dScale += g * s;
      const h = g * scale;
      let value = h;
      let scalar: f64 = 0;
      if (similarity == EUCLIDEAN) {
        value = s < 0 ? h / -s : 0.0;
        scalar = value;
      } else if (similarity == COSINE) {
        scalar = h * s;
      }
      rowScalar += scalar;
      const columnScalar = columnScalars + (<usize>j << 3);
      store<f64>(columnScalar, load<f64>(columnScalar) + scalar);
      store<T>(H + ((<usize>r * <usize>C + <usize>c) << alignof<T>()), <T>value);
      store<T>(HT + ((<usize>c * <usize>R + <usize>r) << alignof<T>()), <T>value);
    }
    const target = rowScalars + (<usize>i << 3);
    store<f64>(target, load<f64>(target) + rowScalar);
  }
  return dScale;
}

/** x̂_i = x_i / max(‖x_i‖, eps); writes 1/max(‖x_i‖, eps) and ‖x_i‖ (f64) too. */
export function normalizeRows<T>(x: usize, rows: i32, dim: i32, eps: f64, out: usize, inverseNorms: usize, lengths: usize): void {
  for (let i = 0; i < rows; i++) {
    const row = x + (<usize>i * <usize>dim << alignof<T>());
    const target = out + (<usize>i * <usize>dim << alignof<T>());
    let sum: f64 = 0;
    for (let k = 0; k < dim; k++) {
      const v = <f64>load<T>(row + (<usize>k << alignof<T>()));
      sum += v * v;
    }
    const length = Math.sqrt(sum);
    const inverse = 1.0 / Math.max(length, eps);
    store<f64>(inverseNorms + (<usize>i << 3), inverse);
    store<f64>(lengths + (<usize>i << 3), length);
    for (let k = 0; k < dim; k++) {
      const o = <usize>k << alignof<T>();
      store<T>(target + o, <T>(<f64>load<T>(row + o) * inverse));
    }
  }
}

/**
 * Completes the gradient rows g (which hold Σ_j H_ij·y_j, with ŷ for cosine) of the rows x:
 *   cosine: g_i ← g_i/n_i − scalars_i·x_i/(n_i‖x_i‖) (the second term 0 when ‖x_i‖ = 0);
 *   euclidean: g_i ← g_i − scalars_i·x_i;  dot: unchanged.
 */
export function finishBatchGradients<T>(
  g: usize, x: usize, rows: i32, dim: i32, similarity: i32, inverseNorms: usize, lengths: usize, scalars: usize,
): void {
  if (similarity != COSINE && similarity != EUCLIDEAN) return;
  for (let i = 0; i < rows; i++) {
    const scalar = load<f64>(scalars + (<usize>i << 3));
    let rowScale: f64 = 1, selfScale: f64 = scalar;
    if (similarity == COSINE) {
      const inverse = load<f64>(inverseNorms + (<usize>i << 3));
      const length = load<f64>(lengths + (<usize>i << 3));
      rowScale = inverse;
      selfScale = length > 0 ? scalar * inverse / length : 0.0;
    }
    const row = <usize>i * <usize>dim << alignof<T>();
    for (let k = 0; k < dim; k++) {
      const o = row + (<usize>k << alignof<T>());
      store<T>(g + o, <T>(rowScale * <f64>load<T>(g + o) - selfScale * <f64>load<T>(x + o)));
    }
  }
}
