// Float64 reference of InfoNCE, K negatives per anchor (DESIGN.md §4):
//   ℓ₀ = s⁺/σ, ℓ_k = s_k⁻/σ,  L_i = logsumexp(ℓ) − ℓ₀,
//   ∂L_i/∂ℓ_k = softmax(ℓ)_k − [k = 0],  ∂L_i/∂σ = −Σ_k (∂L_i/∂ℓ_k)·ℓ_k/σ.
// K = 1 is the triplet loss L_c.
import type { Reduction, Similarity } from '../types.js';
import { addRowCrossEntropy, reduceLosses, rowWeights, type LogitScaling } from './cross-entropy.js';
import { addPairSimilarityGradient } from './matrix.js';
import { rowSimilarity } from './similarity.js';

export interface InfoNCEReferenceOptions {
  /** [n, dim]. */
  anchor: ArrayLike<number>;
  /** [n, dim]. */
  positive: ArrayLike<number>;
  /** 'paired': [n, k, dim], row i·k + t is anchor i's t-th negative. 'shared': one bank [m, dim] for every anchor. */
  negatives: ArrayLike<number>;
  negativeLayout?: 'paired' | 'shared';
  /** Required for 'paired'; 'shared' uses k = m. */
  k?: number;
  dim: number;
  temperature?: number;
  similarity?: Similarity;
  eps?: number;
  reduction?: Reduction;
  gradOutput?: number | ArrayLike<number>;
}

export interface InfoNCEReferenceResult {
  loss: number;
  losses: Float64Array;
  /** [n]. */
  similarityPositive: Float64Array;
  /** [n, k]. */
  similarityNegatives: Float64Array;
  gradAnchor: Float64Array;
  gradPositive: Float64Array;
  /** The shape of negatives; a shared bank's gradient is summed over the anchors. */
  gradNegatives: Float64Array;
  gradTemperature: number;
}

/** The test oracle: InfoNCE and all its gradients in float64, with no validation. */
export function infoNCEReference(options: InfoNCEReferenceOptions): InfoNCEReferenceResult {
  const { anchor, positive, negatives, dim, negativeLayout = 'paired', temperature = 0.1 } = options;
  const { similarity = 'cosine', eps = 1e-8, reduction = 'mean', gradOutput = 1 } = options;
  const shared = negativeLayout === 'shared';
  if (!shared && options.k === undefined) throw new Error('infoNCEReference: k is required for paired negatives');
  const k = shared ? negatives.length / dim : options.k as number;
  const rows = anchor.length / dim;
  const negativeRow = (i: number, t: number): number => (shared ? t : i * k + t);
  const scaling: LogitScaling = { kind: 'temperature', value: temperature };
  const weights = rowWeights(rows, reduction, gradOutput);
  const result = {
    losses: new Float64Array(rows),
    similarityPositive: new Float64Array(rows),
    similarityNegatives: new Float64Array(rows * k),
    gradAnchor: new Float64Array(rows * dim),
    gradPositive: new Float64Array(rows * dim),
    gradNegatives: new Float64Array(negatives.length),
  };
  // Row i's similarities [s⁺, s_1⁻, …, s_k⁻], the positive as target column 0.
  const similarities = new Float64Array(k + 1);
  const gradSimilarities = new Float64Array(k + 1);
  let gradTemperature = 0;
  for (let i = 0; i < rows; i++) {
    similarities[0] = rowSimilarity(anchor, i * dim, positive, i * dim, dim, similarity, eps);
    for (let t = 0; t < k; t++) {
      similarities[t + 1] = rowSimilarity(anchor, i * dim, negatives, negativeRow(i, t) * dim, dim, similarity, eps);
    }
    gradSimilarities.fill(0);
    const row = addRowCrossEntropy(similarities, 0, -1, scaling, weights[i], gradSimilarities);
    result.losses[i] = row.loss;
    result.similarityPositive[i] = similarities[0];
    result.similarityNegatives.set(similarities.subarray(1), i * k);
    gradTemperature += row.gradScaling;

    addPairSimilarityGradient(
      anchor, i, positive, i, dim, similarity, eps, gradSimilarities[0], result.gradAnchor, result.gradPositive,
    );
    for (let t = 0; t < k; t++) {
      addPairSimilarityGradient(
        anchor, i, negatives, negativeRow(i, t), dim, similarity, eps, gradSimilarities[t + 1],
        result.gradAnchor, result.gradNegatives,
      );
    }
  }
  return { ...result, loss: reduceLosses(result.losses, reduction), gradTemperature };
}
