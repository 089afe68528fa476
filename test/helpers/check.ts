// Runs one tripletLoss call on an engine and on the float64 reference, and measures every output.
import { expect } from 'vitest';
import type { Engine, FloatArray, Similarity, TripletLossOptions } from '../../src/index.js';
import { sigmoid, tripletLossReference, type TripletReferenceResult } from '../../src/reference/index.js';
import { expectAllFinite, maxAbs, minNormalOf, relativeError } from './compare.js';

/**
 * The accuracy contract (DESIGN.md §4): 1e-5 for f32 and 1e-10 for f64 when σ ≥ 0.05; below that
 * the rounding of a similarity is amplified by 1/σ, and so is the tolerance. DESIGN states it for
 * |s| ≤ 1 (cosine); dot and euclidean similarities can be far larger, and the rounding of s then
 * grows with |s|: `similarityScale` = max(1, max |s|) carries that into the tolerance.
 */
export function tolerance(array: FloatArray, temperature: number, similarityScale = 1): number {
  return (array instanceof Float64Array ? 1e-10 : 1e-5) * Math.max(1, (0.05 * similarityScale) / temperature);
}

/**
 * A bound on |∂sim(x, y)/∂x_j| over the rows of `values` [rows, dim]: cosine 2/max(‖x‖, ε), dot
 * max|y_j| (the rows are the other operand), euclidean 1. Gradient errors are measured against
 * |∂L/∂s| times this: the size of the terms a gradient element sums, even where they cancel.
 */
export function similarityGradientBound(values: ArrayLike<number>, dim: number, similarity: Similarity, eps = 1e-8): number {
  let bound = 0;
  for (let row = 0; row * dim < values.length; row++) {
    let sum = 0;
    let largest = 0;
    for (let j = 0; j < dim; j++) {
      sum += values[row * dim + j] ** 2;
      largest = Math.max(largest, Math.abs(values[row * dim + j]));
    }
    bound = Math.max(bound, similarity === 'cosine' ? 2 / Math.max(Math.sqrt(sum), eps) : similarity === 'dot' ? largest : 1);
  }
  return bound;
}

/** max(1, max |s⁺|, max |s⁻|) of a reference result. */
export function similarityScaleOf(reference: { similarityPositive: Float64Array; similarityNegative: Float64Array }): number {
  return Math.max(1, maxAbs(reference.similarityPositive), maxAbs(reference.similarityNegative));
}

function rowNorm(values: ArrayLike<number>, offset: number, dim: number): number {
  let sum = 0;
  for (let j = 0; j < dim; j++) sum += values[offset + j] ** 2;
  return Math.sqrt(sum);
}

/**
 * The size of the terms each gradient element is summed from: |∂L/∂s| times a bound on the
 * similarity's gradient (cosine 2/max(‖x‖, ε), dot max|x_j|, euclidean 1), largest over rows. A
 * gradient that cancels to ~0 (cosine of parallel rows, dim = 1) is measured against this scale,
 * not against its own rounding noise.
 */
function gradientTermScale(
  options: TripletLossOptions<FloatArray>, inputs: ArrayLike<number>[], reference: TripletReferenceResult,
): number {
  const { dim, similarity = 'cosine', temperature = 0.1, eps = 1e-8, reduction = 'mean', gradOutput = 1 } = options;
  const rows = reference.losses.length;
  let scale = 0;
  for (let i = 0; i < rows; i++) {
    const delta = (reference.similarityNegative[i] - reference.similarityPositive[i]) / temperature;
    const upstream = typeof gradOutput === 'number' ? gradOutput / (reduction === 'mean' ? rows : 1) : gradOutput[i];
    const dLossDs = Math.abs(upstream) * sigmoid(delta) / temperature;
    let bound = 1;
    if (similarity === 'cosine') {
      bound = Math.max(...inputs.map((x) => 2 / Math.max(rowNorm(x, i * dim, dim), eps)));
    } else if (similarity === 'dot') {
      bound = Math.max(...inputs.map((x) => maxAbs(Array.prototype.slice.call(x, i * dim, (i + 1) * dim))));
    }
    scale = Math.max(scale, dLossDs * bound);
  }
  return scale;
}

export interface Errors {
  /** The tolerance this call is held to (see tolerance()). */
  limit: number;
  loss: number;
  losses: number;
  similarities: number;
  gradients: number;
  gradTemperature: number;
}

/** Norm-wise relative errors of every output of engine.tripletLoss against the reference. */
export function tripletErrors(engine: Engine, options: TripletLossOptions<FloatArray>): Errors {
  const result = engine.tripletLoss(options);
  const anchor = 'array' in options.anchor ? options.anchor.array : options.anchor;
  const positive = 'array' in options.positive ? options.positive.array : options.positive;
  const negative = 'array' in options.negative ? options.negative.array : options.negative;
  const reference = tripletLossReference({ ...options, anchor, positive, negative });

  expectAllFinite('losses', result.losses);
  const gradientScale = Math.max(
    maxAbs(reference.gradAnchor), maxAbs(reference.gradPositive), maxAbs(reference.gradNegative),
    gradientTermScale(options, [anchor, positive, negative], reference),
  );
  const gradients = options.gradients === false ? 0 : Math.max(
    relativeError(result.gradAnchor!, reference.gradAnchor, gradientScale),
    relativeError(result.gradPositive!, reference.gradPositive, gradientScale),
    relativeError(result.gradNegative!, reference.gradNegative, gradientScale),
  );

  // ∂/∂σ = Σ −w_i·Δ_i·sigmoid(Δ_i)/σ sums signed terms, and Δ_i = (s⁻ − s⁺)/σ itself cancels when
  // s⁻ ≈ s⁺: measure it against Σ |w_i|·sigmoid(Δ_i)/σ · max(|Δ_i|, (|s⁺| + |s⁻|)/σ), the size of
  // the terms before either cancellation.
  const temperature = options.temperature ?? 0.1;
  const rows = reference.losses.length;
  const upstream = options.gradOutput ?? 1;
  let temperatureScale = 0;
  for (let i = 0; i < rows; i++) {
    const sPos = reference.similarityPositive[i];
    const sNeg = reference.similarityNegative[i];
    const delta = (sNeg - sPos) / temperature;
    const weight = typeof upstream === 'number' ? upstream / ((options.reduction ?? 'mean') === 'mean' ? rows : 1) : upstream[i];
    const size = Math.max(Math.abs(delta), (Math.abs(sPos) + Math.abs(sNeg)) / temperature);
    temperatureScale += (Math.abs(weight) * sigmoid(delta) * size) / temperature;
  }
  const floor = minNormalOf(result.losses);
  const scalarError = (actual: number, expected: number, scale: number) => {
    const diff = Math.abs(actual - expected);
    return diff <= floor ? 0 : diff / scale;
  };
  const gradTemperature = scalarError(result.gradTemperature, reference.gradTemperature, temperatureScale);

  return {
    limit: tolerance(anchor, temperature, similarityScaleOf(reference)),
    loss: scalarError(result.loss, reference.loss, Math.abs(reference.loss)),
    losses: relativeError(result.losses, reference.losses),
    similarities: Math.max(
      relativeError(result.similarityPositive, reference.similarityPositive),
      relativeError(result.similarityNegative, reference.similarityNegative),
    ),
    gradients,
    gradTemperature,
  };
}

/** Asserts that every output is within the call's tolerance. */
export function expectAccurate(errors: Errors): void {
  for (const [name, value] of Object.entries(errors)) {
    if (name !== 'limit') expect(value, name).toBeLessThanOrEqual(errors.limit);
  }
}
