// gpu.js kernel sources, in single precision. They are strings, not functions, so that no compiler
// or bundler (TypeScript, esbuild, a minifier) rewrites the code gpu.js parses into GLSL / WGSL.
//
// Every kernel is specialised through constants: `dim` (the row length, also the loop bound, so the
// kernel is created with loopMaxIterations = dim and never stops short at gpu.js's default 1000) and
// `kind` (0 cosine, 1 dot, 2 euclidean), which the shader compiler folds away. Arrays are flat,
// row-major; an element's index row·dim + k is exact in f32 while the array has < 2^24 elements,
// which the backend checks before it sends work here. The maths is DESIGN.md §4.
import type { Similarity } from '../../types.js';

export const SIMILARITY_KIND: Record<Similarity, number> = { cosine: 0, dot: 1, euclidean: 2 };

/** Sums per triplet, output [5, rows]: Σu·v for the operand pair that column `which` names. */
export const TRIPLET_SUMS_COLUMNS = 5;

/**
 * Triplet pass 1, the O(dim) part: column 0 is ⟨a,p⟩ (euclidean: ‖a−p‖²), 1 is ⟨a,n⟩ (‖a−n‖²),
 * 2–4 are ‖a‖², ‖p‖², ‖n‖². Every thread runs the same branch-free loop Σ u·v with u and v linear
 * combinations of a, p and n chosen by its column, so threads of a row never diverge.
 */
export const tripletSums = `function tripletSums(anchor, positive, negative) {
  const which = this.thread.x;
  const base = this.thread.y * this.constants.dim;
  let ua = 0.0;
  let up = 0.0;
  let un = 0.0;
  let va = 0.0;
  let vp = 0.0;
  let vn = 0.0;
  if (which == 0) {
    ua = 1.0;
    if (this.constants.kind == 2) { up = -1.0; va = 1.0; vp = -1.0; } else { vp = 1.0; }
  }
  if (which == 1) {
    ua = 1.0;
    if (this.constants.kind == 2) { un = -1.0; va = 1.0; vn = -1.0; } else { vn = 1.0; }
  }
  if (which == 2) { ua = 1.0; va = 1.0; }
  if (which == 3) { up = 1.0; vp = 1.0; }
  if (which == 4) { un = 1.0; vn = 1.0; }
  let sum = 0.0;
  for (let k = 0; k < this.constants.dim; k++) {
    const a = anchor[base + k];
    const p = positive[base + k];
    const n = negative[base + k];
    sum += (ua * a + up * p + un * n) * (va * a + vp * p + vn * n);
  }
  return sum;
}`;

/** Row terms, output [19, rows]: s⁺, s⁻, L_i, w_i·∂L_i/∂σ, then 3 blocks of 5 gradient coefficients. */
export const TRIPLET_TERMS_COLUMNS = 19;
/** Column of the first gradient coefficient block (anchor; then positive, negative). */
export const TRIPLET_FIRST_COEFFICIENT = 4;

/**
 * Triplet pass 2, O(1) per row, from pass 1's sums. With Δ = (s⁻ − s⁺)/σ:
 *   L = softplus(Δ) = max(Δ, 0) + log1p(e^{−|Δ|}),  sigmoid(Δ) from the same e^{−|Δ|},
 *   g⁻ = w·sigmoid(Δ)/σ = ∂(wL)/∂s⁻,  g⁺ = −g⁻,  w·∂L/∂σ = −g⁻·Δ.
 * log1p(e) is log(1 + e) but for e < 1e-4, where 1 + e loses e's digits in f32 and the series
 * e − e²/2 + e³/3 is exact to f32. Each gradient row is c_a·a + c_p·p + c_n·n + c_ap·(a−p) +
 * c_an·(a−n); the block for ∂/∂x has its five coefficients in columns 4 + 5·x … 8 + 5·x:
 *   cosine  ∂c/∂x = y/(n_x n_y) − c·x/(n_x‖x‖), n = max(‖·‖, ε), the second term 0 when ‖x‖ = 0;
 *   dot     ∂⟨x,y⟩/∂x = y;
 *   euclid  ∂(−‖x−y‖)/∂x = −(x−y)/‖x−y‖, 0 when x = y (the difference is taken exactly, not as x·c − y·c).
 */
export const tripletTerms = `function tripletTerms(sums, weights, temperature, eps) {
  const row = this.thread.y;
  const which = this.thread.x;
  const sumAP = sums[row][0];
  const sumAN = sums[row][1];
  const normA = Math.sqrt(sums[row][2]);
  const normP = Math.sqrt(sums[row][3]);
  const normN = Math.sqrt(sums[row][4]);
  const clampA = Math.max(normA, eps);
  const clampP = Math.max(normP, eps);
  const clampN = Math.max(normN, eps);
  const distP = Math.sqrt(sumAP);
  const distN = Math.sqrt(sumAN);
  let sPos = sumAP;
  let sNeg = sumAN;
  if (this.constants.kind == 0) {
    sPos = sumAP / (clampA * clampP);
    sNeg = sumAN / (clampA * clampN);
  }
  if (this.constants.kind == 2) {
    sPos = -distP;
    sNeg = -distN;
  }
  const delta = (sNeg - sPos) / temperature;
  const e = Math.exp(-Math.abs(delta));
  let log1pE = Math.log(1.0 + e);
  if (e < 0.0001) { log1pE = e * (1.0 - e * (0.5 - e / 3.0)); }
  const loss = Math.max(delta, 0.0) + log1pE;
  let sigmoid = e / (1.0 + e);
  if (delta >= 0.0) { sigmoid = 1.0 / (1.0 + e); }
  const gNeg = weights[row] * sigmoid / temperature;
  const gPos = -gNeg;
  let result = 0.0;
  if (which == 0) { result = sPos; }
  if (which == 1) { result = sNeg; }
  if (which == 2) { result = loss; }
  if (which == 3) { result = -gNeg * delta; }
  if (this.constants.kind == 0) {
    let selfA = 0.0;
    if (normA > 0.0) { selfA = -(gPos * sPos + gNeg * sNeg) / (clampA * normA); }
    let selfP = 0.0;
    if (normP > 0.0) { selfP = -gPos * sPos / (clampP * normP); }
    let selfN = 0.0;
    if (normN > 0.0) { selfN = -gNeg * sNeg / (clampN * normN); }
    if (which == 4) { result = selfA; }
    if (which == 5) { result = gPos / (clampA * clampP); }
    if (which == 6) { result = gNeg / (clampA * clampN); }
    if (which == 9) { result = gPos / (clampA * clampP); }
    if (which == 10) { result = selfP; }
    if (which == 14) { result = gNeg / (clampA * clampN); }
    if (which == 16) { result = selfN; }
  }
  if (this.constants.kind == 1) {
    if (which == 5) { result = gPos; }
    if (which == 6) { result = gNeg; }
    if (which == 9) { result = gPos; }
    if (which == 14) { result = gNeg; }
  }
  if (this.constants.kind == 2) {
    let slopeP = 0.0;
    if (distP > 0.0) { slopeP = gPos / distP; }
    let slopeN = 0.0;
    if (distN > 0.0) { slopeN = gNeg / distN; }
    if (which == 7) { result = -slopeP; }
    if (which == 8) { result = -slopeN; }
    if (which == 12) { result = slopeP; }
    if (which == 18) { result = slopeN; }
  }
  return result;
}`;

/** Triplet pass 3, output [dim, rows, 3]: layer z is ∂/∂anchor, ∂/∂positive, ∂/∂negative. */
export const tripletGradients = `function tripletGradients(anchor, positive, negative, terms) {
  const row = this.thread.y;
  const first = 4 + this.thread.z * 5;
  const index = row * this.constants.dim + this.thread.x;
  const a = anchor[index];
  const p = positive[index];
  const n = negative[index];
  return terms[row][first] * a + terms[row][first + 1] * p + terms[row][first + 2] * n
    + terms[row][first + 3] * (a - p) + terms[row][first + 4] * (a - n);
}`;

/** Row-wise similarity, output [rows]: sim(x_i, y_i). */
export const rowSimilarity = `function rowSimilarity(x, y, eps) {
  const base = this.thread.x * this.constants.dim;
  let dot = 0.0;
  let xx = 0.0;
  let yy = 0.0;
  let dd = 0.0;
  for (let k = 0; k < this.constants.dim; k++) {
    const u = x[base + k];
    const v = y[base + k];
    dot += u * v;
    xx += u * u;
    yy += v * v;
    dd += (u - v) * (u - v);
  }
  let result = dot;
  if (this.constants.kind == 0) { result = dot / (Math.max(Math.sqrt(xx), eps) * Math.max(Math.sqrt(yy), eps)); }
  if (this.constants.kind == 2) { result = -Math.sqrt(dd); }
  return result;
}`;

/** Row norms for cosine, output [rows]: ‖x_i‖ (the kernels that use them clamp to max(‖x_i‖, ε)). */
export const rowNorms = `function rowNorms(x) {
  const base = this.thread.x * this.constants.dim;
  let sum = 0.0;
  for (let k = 0; k < this.constants.dim; k++) {
    const u = x[base + k];
    sum += u * u;
  }
  return Math.sqrt(sum);
}`;

/**
 * The similarity matrix, output [m, n] (thread x is the column j, y the row i): sim(a_i, b_j).
 * Cosine divides by the clamped norms of pass `rowNorms`; euclidean sums (a − b)² directly.
 */
export const similarityMatrix = `function similarityMatrix(a, b, normsA, normsB, eps) {
  const baseA = this.thread.y * this.constants.dim;
  const baseB = this.thread.x * this.constants.dim;
  let sum = 0.0;
  for (let k = 0; k < this.constants.dim; k++) {
    const u = a[baseA + k];
    const v = b[baseB + k];
    if (this.constants.kind == 2) { sum += (u - v) * (u - v); } else { sum += u * v; }
  }
  let result = sum;
  if (this.constants.kind == 0) { result = sum / (Math.max(normsA[this.thread.y], eps) * Math.max(normsB[this.thread.x], eps)); }
  if (this.constants.kind == 2) { result = -Math.sqrt(sum); }
  return result;
}`;

// In-batch losses (DESIGN.md §4). Every mode is one formulation over a logit matrix ℓ_ij = scale·S_ij
// with S_ij = sim(z_i, w_j), rows z [R, dim] and columns w [C, dim]: row i's positives are the
// columns with its label, P(i) = {j : label_j = label_i, j not masked}, and its loss is
//   L_i = logsumexp_j ℓ_ij − mean_{p∈P(i)} ℓ_ip = q_i + mean_{p∈P(i)} (m_i − ℓ_ip),
// with m_i = max_j ℓ_ij and q_i = log1p(Σ_{j≠argmax} e^{ℓ_ij − m_i}), which keeps a dominated row's
// tiny loss exact (0 when P(i) is empty). clip: z = a, w = b, label = index, and the column losses
// of the transposed matrix averaged in; ntxent: z = w = [a; b], label = index mod n, the diagonal
// masked; supcon: z = w = [a; b] or a, the labels, the diagonal masked. The kernels take
// `transposed` = 1 to work on columns (clip's column losses, the columns' gradients).

/** Row statistics, output [4, R] (or [4, C] transposed): m, q, the softmax mass off P(i), |P(i)|. */
export const BATCH_STATS_COLUMNS = 4;

export const batchStats = `function batchStats(similarities, labelsSelf, labelsOther, scale) {
  const i = this.thread.y;
  const which = this.thread.x;
  let m = -3.0e38;
  let argmax = -1;
  for (let j = 0; j < this.constants.others; j++) {
    if (this.constants.maskSelf == 0 || j != i) {
      let s = similarities[i][j];
      if (this.constants.transposed == 1) { s = similarities[j][i]; }
      const logit = scale * s;
      if (logit > m) { m = logit; argmax = j; }
    }
  }
  let tail = 0.0;
  for (let j = 0; j < this.constants.others; j++) {
    if ((this.constants.maskSelf == 0 || j != i) && j != argmax) {
      let s = similarities[i][j];
      if (this.constants.transposed == 1) { s = similarities[j][i]; }
      tail += Math.exp(scale * s - m);
    }
  }
  let q = Math.log(1.0 + tail);
  if (tail < 0.0001) { q = tail * (1.0 - tail * (0.5 - tail / 3.0)); }
  let offPositives = 0.0;
  let positives = 0.0;
  for (let j = 0; j < this.constants.others; j++) {
    if (this.constants.maskSelf == 0 || j != i) {
      let s = similarities[i][j];
      if (this.constants.transposed == 1) { s = similarities[j][i]; }
      if (labelsOther[j] == labelsSelf[i]) { positives += 1.0; } else { offPositives += Math.exp(scale * s - m - q); }
    }
  }
  let result = m;
  if (which == 1) { result = q; }
  if (which == 2) { result = offPositives; }
  if (which == 3) { result = positives; }
  return result;
}`;

/** Per-row losses, output [R]: L_i, and for clip (L_i + the column loss of column i)/2. */
export const batchLosses = `function batchLosses(similarities, labelsSelf, labelsOther, rowStats, columnStats, scale) {
  const i = this.thread.x;
  const m = rowStats[i][0];
  let gaps = 0.0;
  for (let j = 0; j < this.constants.others; j++) {
    if ((this.constants.maskSelf == 0 || j != i) && labelsOther[j] == labelsSelf[i]) {
      gaps += m - scale * similarities[i][j];
    }
  }
  let loss = 0.0;
  if (rowStats[i][3] > 0.0) { loss = rowStats[i][1] + gaps / rowStats[i][3]; }
  if (this.constants.columnLoss == 1) {
    const columnLoss = columnStats[i][1] + (columnStats[i][0] - scale * similarities[i][i]);
    loss = 0.5 * (loss + columnLoss);
  }
  return loss;
}`;

/**
 * ∂(Σ w_i L_i)/∂S_ij, output [C, R]: scale·w_i·(softmax_ij − [j∈P(i)]/|P(i)|), plus for clip the
 * column term, each half weighted. A single positive's entry is −(softmax mass off P(i)) rather than
 * softmax − 1, which would cancel for a dominated row.
 */
export const batchLogitGradients = `function batchLogitGradients(similarities, labelsSelf, labelsOther, rowStats, columnStats, weights, scale) {
  const i = this.thread.y;
  const j = this.thread.x;
  let g = 0.0;
  if (this.constants.maskSelf == 0 || j != i) {
    const logit = scale * similarities[i][j];
    let positive = 0.0;
    if (labelsOther[j] == labelsSelf[i]) { positive = 1.0; }
    let half = 1.0;
    if (this.constants.columnLoss == 1) { half = 0.5; }
    const count = rowStats[i][3];
    if (count > 0.0) {
      let p = Math.exp(logit - rowStats[i][0] - rowStats[i][1]);
      if (positive > 0.0) {
        if (count == 1.0) { p = -rowStats[i][2]; } else { p = p - 1.0 / count; }
      }
      g = half * weights[i] * p;
    }
    if (this.constants.columnLoss == 1) {
      let pc = Math.exp(logit - columnStats[j][0] - columnStats[j][1]);
      if (positive > 0.0) { pc = -columnStats[j][2]; }
      g += 0.5 * weights[j] * pc;
    }
  }
  return scale * g;
}`;

/** Σ_j D_ij S_ij per row, output [R] (transposed: Σ_i D_ij S_ij per column, [C]). */
export const batchGradientDotSimilarity = `function batchGradientDotSimilarity(logitGradients, similarities) {
  const i = this.thread.x;
  let sum = 0.0;
  for (let j = 0; j < this.constants.others; j++) {
    if (this.constants.transposed == 1) { sum += logitGradients[j][i] * similarities[j][i]; }
    else { sum += logitGradients[i][j] * similarities[i][j]; }
  }
  return sum;
}`;

/**
 * Gradient rows of z (transposed: of w), output [dim, R]: Σ_j D_ij ∂S_ij/∂z_i with, from DESIGN.md §4,
 *   cosine  ∂S_ij/∂z_i = w_j/(n_i n_j) − S_ij·z_i/(n_i‖z_i‖), the second term summed first as
 *           (Σ_j D_ij S_ij)·z_i/(n_i‖z_i‖) and 0 when ‖z_i‖ = 0;
 *   dot     w_j;
 *   euclid  (w_j − z_i)/‖z_i − w_j‖ with ‖z_i − w_j‖ = −S_ij, 0 when the rows are equal.
 */
export const batchGradients = `function batchGradients(self, other, logitGradients, similarities, selfNorms, otherNorms, gradientDotSimilarity, eps) {
  const i = this.thread.y;
  const k = this.thread.x;
  const dim = this.constants.dim;
  const x = self[i * dim + k];
  const clampSelf = Math.max(selfNorms[i], eps);
  let sum = 0.0;
  for (let j = 0; j < this.constants.others; j++) {
    let d = logitGradients[i][j];
    let s = similarities[i][j];
    if (this.constants.transposed == 1) { d = logitGradients[j][i]; s = similarities[j][i]; }
    const y = other[j * dim + k];
    if (this.constants.kind == 0) { sum += d / (clampSelf * Math.max(otherNorms[j], eps)) * y; }
    if (this.constants.kind == 1) { sum += d * y; }
    if (this.constants.kind == 2) { if (s < 0.0) { sum += d / (-s) * (y - x); } }
  }
  if (this.constants.kind == 0) {
    if (selfNorms[i] > 0.0) { sum -= gradientDotSimilarity[i] / (clampSelf * selfNorms[i]) * x; }
  }
  return sum;
}`;
