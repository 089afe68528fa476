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
export const tripletTerms = `function tripletTerms(sums, weights, gradScale, temperature, eps) {
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
  const gNeg = gradScale * weights[row] * sigmoid / temperature;
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

/** Clamped row norms for the cosine matrix, output [rows]: max(‖x_i‖, ε). */
export const clampedNorms = `function clampedNorms(x, eps) {
  const base = this.thread.x * this.constants.dim;
  let sum = 0.0;
  for (let k = 0; k < this.constants.dim; k++) {
    const u = x[base + k];
    sum += u * u;
  }
  return Math.max(Math.sqrt(sum), eps);
}`;

/**
 * The similarity matrix, output [m, n] (thread x is the column j, y the row i): sim(a_i, b_j).
 * Cosine divides by the clamped norms of pass `clampedNorms`; euclidean sums (a − b)² directly.
 */
export const similarityMatrix = `function similarityMatrix(a, b, normsA, normsB) {
  const baseA = this.thread.y * this.constants.dim;
  const baseB = this.thread.x * this.constants.dim;
  let sum = 0.0;
  for (let k = 0; k < this.constants.dim; k++) {
    const u = a[baseA + k];
    const v = b[baseB + k];
    if (this.constants.kind == 2) { sum += (u - v) * (u - v); } else { sum += u * v; }
  }
  let result = sum;
  if (this.constants.kind == 0) { result = sum / (normsA[this.thread.y] * normsB[this.thread.x]); }
  if (this.constants.kind == 2) { result = -Math.sqrt(sum); }
  return result;
}`;
