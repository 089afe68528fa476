// InfoNCE: K negatives per anchor (DESIGN.md §4). With ℓ₀ = s⁺/σ and ℓ_t = s_t⁻/σ,
//   L = logsumexp(ℓ) − ℓ₀,  ∂L/∂ℓ_t = softmax(ℓ)_t − [t = 0],  ∂L/∂σ = −Σ_t (∂L/∂ℓ_t)·ℓ_t/σ.
// Everything is computed from the gaps d_t = ℓ_t − ℓ₀ (d₀ = 0): with M = max_t d_t,
//   L = M + log1p(Σ_{t ≠ argmax} e^{d_t − M}),  softmax_t = e^{d_t − L},
// and the positive's derivative is −Σ_{t≥1} softmax_t (no cancellation in softmax₀ − 1). With one
// negative this is exactly softplus((s⁻ − s⁺)/σ), the triplet loss L_c.
//
// Candidate 0 of an anchor is its positive, candidates 1..k its negatives: the k rows at
// negatives + i·negativeStride (paired: stride k·dim elements; a shared bank: stride 0, and the
// bank's gradient accumulates over the anchors).

import { combineRows, scaleDifference } from "./rows";
import { pairDot, pairSquaredX, pairSquaredY, pairSums } from "./similarity";
import { COSINE, EUCLIDEAN } from "./similarity-kind";

// Per-candidate scratch slots (f64): the similarity, the clamped norm of the candidate (cosine)
// or its distance to the anchor (euclidean), its length ‖y‖ (cosine), and ∂(g·L)/∂s.
const SIMILARITY = 0, NORM = 8, LENGTH = 16, COEFFICIENT = 24;
/** Bytes of scratch per candidate; the caller provides (k + 1)·CANDIDATE_SLOT bytes. */
export const CANDIDATE_SLOT = 32;

let gradTemperatureSum: f64 = 0;

/** Σ g_i·∂L_i/∂σ over the rows of the last infoNCELoss call. */
export function lastInfoNCEGradTemperature(): f64 {
  return gradTemperatureSum;
}

@inline function candidate(positive: usize, negatives: usize, t: i32, rowBytes: usize): usize {
  return t == 0 ? positive : negatives + <usize>(t - 1) * rowBytes;
}

/**
 * InfoNCE for `rows` anchors. Writes losses, s⁺ [rows] and s⁻ [rows, k] and, when gradAnchor != 0,
 * the gradients of Σ g_i·L_i (g_i = gradScale·gradOutput[i], gradOutput f64 per row or 0 for all
 * ones). gradNegatives is accumulated into: the caller zeroes a shared bank's gradient; paired
 * blocks are zeroed here. Returns Σ L_i; Σ g_i·∂L_i/∂σ is read with lastInfoNCEGradTemperature().
 */
@inline export function infoNCELoss<T>(
  anchor: usize, positive: usize, negatives: usize, negativeStride: usize, rows: i32, k: i32, dim: i32,
  similarity: i32, temperature: f64, eps: f64, gradScale: f64, gradOutput: usize,
  losses: usize, similarityPositive: usize, similarityNegatives: usize,
  gradAnchor: usize, gradPositive: usize, gradNegatives: usize, scratch: usize,
): f64 {
  const rowBytes = <usize>dim << alignof<T>();
  const inverseTemperature = 1.0 / temperature;
  let lossSum: f64 = 0;
  gradTemperatureSum = 0;
  for (let i = 0; i < rows; i++) {
    const a = anchor + <usize>i * rowBytes;
    const p = positive + <usize>i * rowBytes;
    const negs = negatives + <usize>i * negativeStride;

    // Similarities of the anchor to each candidate.
    let lengthA: f64 = 0, normA: f64 = 1;
    for (let t = 0; t <= k; t++) {
      pairSums<T>(a, candidate(p, negs, t, rowBytes), dim, similarity);
      const slot = scratch + <usize>t * CANDIDATE_SLOT;
      let s: f64;
      if (similarity == EUCLIDEAN) {
        const distance = Math.sqrt(pairSquaredX());
        store<f64>(slot, distance, NORM);
        s = -distance;
      } else if (similarity == COSINE) {
        lengthA = Math.sqrt(pairSquaredX());
        normA = Math.max(lengthA, eps);
        const lengthY = Math.sqrt(pairSquaredY());
        const normY = Math.max(lengthY, eps);
        store<f64>(slot, normY, NORM);
        store<f64>(slot, lengthY, LENGTH);
        s = pairDot() / (normA * normY);
      } else {
        s = pairDot();
      }
      store<f64>(slot, s, SIMILARITY);
    }

    // The loss from the gaps d_t = (s_t − s₀)/σ.
    const s0 = load<f64>(scratch, SIMILARITY);
    let largest: f64 = 0;
    let argmax = 0;
    for (let t = 1; t <= k; t++) {
      const gap = (load<f64>(scratch + <usize>t * CANDIDATE_SLOT, SIMILARITY) - s0) * inverseTemperature;
      if (gap > largest) { largest = gap; argmax = t; }
    }
    let tail: f64 = argmax == 0 ? 0 : Math.exp(-largest); // the positive's term e^{0 − M}
    for (let t = 1; t <= k; t++) {
      if (t == argmax) continue;
      tail += Math.exp((load<f64>(scratch + <usize>t * CANDIDATE_SLOT, SIMILARITY) - s0) * inverseTemperature - largest);
    }
    const loss = largest + Math.log1p(tail);
    lossSum += loss;
    store<T>(losses + (<usize>i << alignof<T>()), <T>loss);
    store<T>(similarityPositive + (<usize>i << alignof<T>()), <T>s0);
    for (let t = 1; t <= k; t++) {
      store<T>(similarityNegatives + (<usize>(i * k + t - 1) << alignof<T>()), <T>load<f64>(scratch + <usize>t * CANDIDATE_SLOT, SIMILARITY));
    }

    // ∂(g·L)/∂s_t = g·softmax_t/σ (t ≥ 1), ∂(g·L)/∂s₀ = −g·Σ_{t≥1} softmax_t/σ, ∂(g·L)/∂σ = −g·Σ softmax_t·d_t/σ.
    const g = gradOutput != 0 ? gradScale * load<f64>(gradOutput + (<usize>i << 3)) : gradScale;
    let probabilityOthers: f64 = 0;
    let dSigma: f64 = 0;
    for (let t = 1; t <= k; t++) {
      const slot = scratch + <usize>t * CANDIDATE_SLOT;
      const gap = (load<f64>(slot, SIMILARITY) - s0) * inverseTemperature;
      const probability = Math.exp(gap - loss);
      probabilityOthers += probability;
      dSigma -= probability * gap;
      store<f64>(slot, g * probability * inverseTemperature, COEFFICIENT);
    }
    store<f64>(scratch, -g * probabilityOthers * inverseTemperature, COEFFICIENT);
    gradTemperatureSum += g * dSigma * inverseTemperature;
    if (gradAnchor == 0) continue;

    // Gradients: Σ_t c_t·∂s_t/∂a into the anchor, c_t·∂s_t/∂y_t into each candidate.
    const gA = gradAnchor + <usize>i * rowBytes;
    const gP = gradPositive + <usize>i * rowBytes;
    const gNegs = gradNegatives + <usize>i * negativeStride;
    if (negativeStride != 0) memory.fill(gNegs, 0, <usize>k * rowBytes);
    let selfA: f64 = 0; // cosine: −Σ_t c_t·s_t/(n_a‖a‖), the anchor's own term
    if (similarity == COSINE && lengthA > 0) {
      for (let t = 0; t <= k; t++) {
        const slot = scratch + <usize>t * CANDIDATE_SLOT;
        selfA -= load<f64>(slot, COEFFICIENT) * load<f64>(slot, SIMILARITY);
      }
      selfA /= normA * lengthA;
    }
    for (let t = 0; t <= k; t++) {
      const slot = scratch + <usize>t * CANDIDATE_SLOT;
      const c = load<f64>(slot, COEFFICIENT);
      const y = candidate(p, negs, t, rowBytes);
      const gY = candidate(gP, gNegs, t, rowBytes);
      if (similarity == EUCLIDEAN) {
        // ∂(−‖a − y‖)/∂a = −(a − y)/‖a − y‖ = −∂/∂y, taken as 0 where a = y.
        const distance = load<f64>(slot, NORM);
        const u = distance > 0 ? -c / distance : 0.0;
        if (t == 0) {
          scaleDifference<T>(gA, a, y, dim, u, false);
          scaleDifference<T>(gY, a, y, dim, -u, false);
        } else {
          scaleDifference<T>(gA, a, y, dim, u, true);
          scaleDifference<T>(gY, a, y, dim, -u, true);
        }
        continue;
      }
      // cosine: ∂c/∂a = y/(n_a n_y) − c·a/(n_a‖a‖), ∂c/∂y = a/(n_a n_y) − c·y/(n_y‖y‖); dot: ∂/∂a = y, ∂/∂y = a.
      let cross = c, selfY: f64 = 0;
      if (similarity == COSINE) {
        const normY = load<f64>(slot, NORM), lengthY = load<f64>(slot, LENGTH);
        cross = c / (normA * normY);
        selfY = lengthY > 0 ? -c * load<f64>(slot, SIMILARITY) / (normY * lengthY) : 0.0;
      }
      if (t == 0) {
        combineRows<T>(gA, a, y, dim, selfA, cross, false);
        combineRows<T>(gY, a, y, dim, cross, selfY, false);
      } else {
        combineRows<T>(gA, a, y, dim, 0, cross, true);
        combineRows<T>(gY, a, y, dim, cross, selfY, true);
      }
    }
  }
  return lossSum;
}
