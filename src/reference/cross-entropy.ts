// The softmax cross-entropy of one row of similarities, and the reductions, shared by every
// multi-negative loss of the reference (InfoNCE, and the in-batch losses whose every row is an
// InfoNCE row).
import type { Reduction } from '../types.js';

/** How similarities become logits: ℓ = s/σ with a temperature σ, or ℓ = λ·s with CLIP's logitScale λ. */
export interface LogitScaling {
  kind: 'temperature' | 'logitScale';
  value: number;
}

/** ℓ = s/σ or λ·s. Linear, so it also maps ∂L/∂ℓ to ∂L/∂s. */
function toLogit(value: number, scaling: LogitScaling): number {
  return scaling.kind === 'temperature' ? value / scaling.value : value * scaling.value;
}

export interface RowCrossEntropy {
  loss: number;
  /** weight·∂L/∂σ or weight·∂L/∂λ, after scaling.kind. */
  gradScaling: number;
}

/**
 * Softmax cross-entropy of one row of similarities s_j with target column t, column `masked` left
 * out (−1: none). With the logit gaps d_j = ℓ_j − ℓ_t (so d_t = 0) and M = max_j d_j:
 *   L = logsumexp_j ℓ_j − ℓ_t = M + log1p(Σ_{j ≠ argmax} e^{d_j − M})   (the max term is e^0 = 1),
 *   softmax(ℓ)_j = e^{d_j − L},  ∂L/∂ℓ_j = softmax(ℓ)_j − [j = t], the target's entry taken as
 *   −Σ_{j≠t} softmax(ℓ)_j to avoid the cancellation in softmax(ℓ)_t − 1,
 *   ∂L/∂σ = Σ_j softmax(ℓ)_j·∂d_j/∂σ with ∂d_j/∂σ = −d_j/σ, or ∂d_j/∂λ = s_j − s_t.
 * With one negative this is exactly softplus((s⁻ − s⁺)/σ). Adds weight·∂L/∂s_j to gradSimilarities[j].
 */
export function addRowCrossEntropy(
  similarities: ArrayLike<number>, target: number, masked: number, scaling: LogitScaling,
  weight: number, gradSimilarities: Float64Array,
): RowCrossEntropy {
  const columns = similarities.length;
  const gaps = new Float64Array(columns);
  let argmax = target;
  for (let j = 0; j < columns; j++) {
    if (j === masked) continue;
    gaps[j] = toLogit(similarities[j] - similarities[target], scaling);
    if (gaps[j] > gaps[argmax]) argmax = j;
  }
  const max = gaps[argmax];
  let tail = 0;
  for (let j = 0; j < columns; j++) {
    if (j !== masked && j !== argmax) tail += Math.exp(gaps[j] - max);
  }
  const loss = max + Math.log1p(tail);

  let probabilityOthers = 0;
  let gradScaling = 0;
  for (let j = 0; j < columns; j++) {
    if (j === masked || j === target) continue;
    const probability = Math.exp(gaps[j] - loss);
    probabilityOthers += probability;
    gradSimilarities[j] += toLogit(weight * probability, scaling);
    const dGap = scaling.kind === 'temperature' ? -gaps[j] / scaling.value : similarities[j] - similarities[target];
    gradScaling += weight * probability * dGap;
  }
  gradSimilarities[target] -= toLogit(weight * probabilityOthers, scaling);
  return { loss, gradScaling };
}

/**
 * The weight of each row's loss in ∂(gradOutput·loss)/∂·: gradOutput (a number) or gradOutput[i]
 * (one per row), divided by the row count under 'mean'.
 */
export function rowWeights(rows: number, reduction: Reduction, gradOutput: number | ArrayLike<number>): Float64Array {
  const perRow = typeof gradOutput !== 'number';
  const upstream = perRow ? 1 : gradOutput;
  const gradScale = reduction === 'mean' ? (rows > 0 ? upstream / rows : 0) : upstream;
  return Float64Array.from({ length: rows }, (_, i) => gradScale * (perRow ? gradOutput[i] : 1));
}

/** The mean (0 for no rows) or, under 'sum' and 'none', the sum of the per-row losses. */
export function reduceLosses(losses: Float64Array, reduction: Reduction): number {
  const sum = losses.reduce((total, loss) => total + loss, 0);
  return reduction === 'mean' ? (losses.length > 0 ? sum / losses.length : 0) : sum;
}
