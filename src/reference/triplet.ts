// Float64 reference of the triplet contrastive loss (DESIGN.md §4):
//   L_i = −log(e^{s⁺/σ} / (e^{s⁺/σ} + e^{s⁻/σ})) = softplus(Δ),  Δ = (s⁻ − s⁺)/σ,
//   ∂L_i/∂s⁻ = sigmoid(Δ)/σ = −∂L_i/∂s⁺,  ∂L_i/∂σ = −Δ·sigmoid(Δ)/σ.
import type { FloatArray, Reduction, Similarity } from '../types.js';
import { sigmoid, softplus } from './scalar-math.js';
import { addRowSimilarityGradient, rowSimilarity } from './similarity.js';

export interface TripletInputs {
  anchor: ArrayLike<number>;
  positive: ArrayLike<number>;
  negative: ArrayLike<number>;
  rows: number;
  dim: number;
  similarity: Similarity;
  temperature: number;
  eps: number;
  /** Row i's loss is weighted by gradScale·gradOutput[i] (gradOutput null: by gradScale). */
  gradScale: number;
  gradOutput: ArrayLike<number> | null;
}

export interface TripletOutputArrays {
  losses: FloatArray;
  similarityPositive: FloatArray;
  similarityNegative: FloatArray;
  /** All three or none (null skips the backward pass). */
  gradients: { anchor: FloatArray; positive: FloatArray; negative: FloatArray } | null;
}

export interface TripletSums {
  /** Σ L_i. */
  lossSum: number;
  /** Σ g_i·∂L_i/∂σ with g_i the row weights. */
  gradTemperatureSum: number;
}

/**
 * Computes every row in float64 and writes the results into `out` (rounded to its element type).
 * A gradient output may be the very array of an input (in-place): each row is read before it is
 * written. `scratch` (at least 3·dim elements) holds the gradient rows; given, nothing is allocated.
 */
export function computeTripletLoss(
  input: TripletInputs, out: TripletOutputArrays, scratch = new Float64Array(3 * input.dim),
): TripletSums {
  const { anchor, positive, negative, rows, dim, similarity, temperature, eps } = input;
  const gradA = scratch.subarray(0, dim);
  const gradP = scratch.subarray(dim, 2 * dim);
  const gradN = scratch.subarray(2 * dim, 3 * dim);
  let lossSum = 0;
  let gradTemperatureSum = 0;
  for (let i = 0; i < rows; i++) {
    const offset = i * dim;
    const sPos = rowSimilarity(anchor, offset, positive, offset, dim, similarity, eps);
    const sNeg = rowSimilarity(anchor, offset, negative, offset, dim, similarity, eps);
    const delta = (sNeg - sPos) / temperature;
    const loss = softplus(delta);
    out.losses[i] = loss;
    out.similarityPositive[i] = sPos;
    out.similarityNegative[i] = sNeg;
    lossSum += loss;

    const weight = input.gradScale * (input.gradOutput ? input.gradOutput[i] : 1);
    const dLossDsNeg = weight * sigmoid(delta) / temperature;
    gradTemperatureSum += -dLossDsNeg * delta;
    if (!out.gradients) continue;

    gradA.fill(0);
    gradP.fill(0);
    gradN.fill(0);
    addRowSimilarityGradient(anchor, offset, positive, offset, dim, similarity, eps, -dLossDsNeg, gradA, gradP);
    addRowSimilarityGradient(anchor, offset, negative, offset, dim, similarity, eps, dLossDsNeg, gradA, gradN);
    out.gradients.anchor.set(gradA, offset);
    out.gradients.positive.set(gradP, offset);
    out.gradients.negative.set(gradN, offset);
  }
  return { lossSum, gradTemperatureSum };
}

export interface TripletReferenceOptions {
  anchor: ArrayLike<number>;
  positive: ArrayLike<number>;
  negative: ArrayLike<number>;
  dim: number;
  temperature?: number;
  similarity?: Similarity;
  eps?: number;
  reduction?: Reduction;
  gradOutput?: number | ArrayLike<number>;
}

export interface TripletReferenceResult {
  loss: number;
  losses: Float64Array;
  similarityPositive: Float64Array;
  similarityNegative: Float64Array;
  gradAnchor: Float64Array;
  gradPositive: Float64Array;
  gradNegative: Float64Array;
  gradTemperature: number;
}

/** The test oracle: L_c and all its gradients in float64, with no validation. */
export function tripletLossReference(options: TripletReferenceOptions): TripletReferenceResult {
  const { dim, temperature = 0.1, similarity = 'cosine', eps = 1e-8, reduction = 'mean', gradOutput = 1 } = options;
  const rows = options.anchor.length / dim;
  const perRow = typeof gradOutput !== 'number';
  const upstream = perRow ? 1 : gradOutput;
  const gradScale = reduction === 'mean' ? (rows > 0 ? upstream / rows : 0) : upstream;
  const result = {
    losses: new Float64Array(rows),
    similarityPositive: new Float64Array(rows),
    similarityNegative: new Float64Array(rows),
    gradAnchor: new Float64Array(rows * dim),
    gradPositive: new Float64Array(rows * dim),
    gradNegative: new Float64Array(rows * dim),
  };
  const sums = computeTripletLoss(
    { ...options, rows, dim, similarity, temperature, eps, gradScale, gradOutput: perRow ? gradOutput : null },
    {
      ...result,
      gradients: { anchor: result.gradAnchor, positive: result.gradPositive, negative: result.gradNegative },
    },
  );
  const loss = reduction === 'mean' ? (rows > 0 ? sums.lossSum / rows : 0) : sums.lossSum;
  return { ...result, loss, gradTemperature: sums.gradTemperatureSum };
}
