// The float64 reference against the definition of L_c and against finite differences.
import { describe, expect, it } from 'vitest';
import { tripletLossReference, type TripletReferenceOptions } from '../src/reference/index.js';
import type { Reduction, Similarity } from '../src/types.js';
import { relativeError } from './helpers/compare.js';
import { makeTriplets, seededRandom } from './helpers/data.js';
import { numericGradient } from './helpers/finite-differences.js';

const SIMILARITIES: Similarity[] = ['cosine', 'dot', 'euclidean'];

/** Central difference of the reduced, gradOutput-weighted loss along one input element or σ. */
function weightedLoss(options: TripletReferenceOptions): number {
  const r = tripletLossReference(options);
  if (typeof options.gradOutput === 'number' || options.gradOutput === undefined) {
    return (options.gradOutput ?? 1) * r.loss;
  }
  let total = 0;
  for (let i = 0; i < r.losses.length; i++) total += options.gradOutput[i] * r.losses[i];
  return total;
}

/** The finite-difference gradient of the weighted loss with respect to one input. */
function inputGradient(options: TripletReferenceOptions, which: 'anchor' | 'positive' | 'negative', h: number): Float64Array {
  return numericGradient(options[which], (input) => weightedLoss({ ...options, [which]: input }), h);
}

describe('reference: gradients by finite differences', () => {
  const cases: Array<{ similarity: Similarity; reduction: Reduction; perRow: boolean; temperature: number }> = [];
  for (const similarity of SIMILARITIES) {
    for (const reduction of ['mean', 'sum', 'none'] as Reduction[]) {
      for (const temperature of [0.07, 1]) {
        cases.push({ similarity, reduction, perRow: reduction === 'none', temperature });
      }
    }
  }

  it.each(cases)('$similarity, $reduction, σ = $temperature', ({ similarity, reduction, perRow, temperature }) => {
    const { anchor, positive, negative, dim, rows } = makeTriplets('f64', 4, 6, 3);
    const random = seededRandom(11);
    const gradOutput = perRow ? Array.from({ length: rows }, () => random() * 4 - 2) : 1.7;
    const options: TripletReferenceOptions = { anchor, positive, negative, dim, similarity, reduction, gradOutput, temperature };
    const analytic = tripletLossReference(options);
    const h = 1e-6;
    expect(relativeError(analytic.gradAnchor, inputGradient(options, 'anchor', h))).toBeLessThan(1e-7);
    expect(relativeError(analytic.gradPositive, inputGradient(options, 'positive', h))).toBeLessThan(1e-7);
    expect(relativeError(analytic.gradNegative, inputGradient(options, 'negative', h))).toBeLessThan(1e-7);

    const dSigma = (weightedLoss({ ...options, temperature: temperature + h * temperature }) -
      weightedLoss({ ...options, temperature: temperature - h * temperature })) / (2 * h * temperature);
    expect(Math.abs(analytic.gradTemperature - dSigma) / Math.abs(dSigma)).toBeLessThan(1e-7);
  });

  it('cosine with a zero anchor row: the clamped norm gives ∂c/∂x = y/(ε·n_y)', () => {
    const dim = 4;
    const anchor = new Float64Array(dim);
    const positive = Float64Array.from([0.3, -0.2, 0.9, 0.1]);
    const negative = Float64Array.from([-0.5, 0.4, 0.2, 0.7]);
    const options: TripletReferenceOptions = { anchor, positive, negative, dim, temperature: 0.5 };
    const analytic = tripletLossReference(options);
    // A step below ε stays inside the clamped region, where the function is linear in x.
    const numeric = inputGradient(options, 'anchor', 1e-10);
    expect(relativeError(analytic.gradAnchor, numeric)).toBeLessThan(1e-5);
    expect(analytic.gradAnchor.some((g) => g !== 0)).toBe(true);
  });

  it('euclidean with identical rows: the gradient is taken as 0 there', () => {
    const dim = 3;
    const anchor = Float64Array.from([1, 2, 3]);
    const r = tripletLossReference({ anchor, positive: anchor, negative: Float64Array.from([0, 0, 1]), dim, similarity: 'euclidean' });
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(Array.from(r.gradPositive)).toEqual([0, 0, 0]);
  });
});

describe('reference: the definition of L_c', () => {
  it('equals −log(e^{s⁺/σ} / (e^{s⁺/σ} + e^{s⁻/σ})) where the exponentials are representable', () => {
    const { anchor, positive, negative, dim } = makeTriplets('f64', 9, 8, 5);
    for (const similarity of SIMILARITIES) {
      const temperature = 0.5;
      const r = tripletLossReference({ anchor, positive, negative, dim, similarity, temperature, reduction: 'none' });
      for (let i = 0; i < r.losses.length; i++) {
        const ePos = Math.exp(r.similarityPositive[i] / temperature);
        const eNeg = Math.exp(r.similarityNegative[i] / temperature);
        expect(r.losses[i]).toBeCloseTo(-Math.log(ePos / (ePos + eNeg)), 12);
      }
    }
  });

  it('stays finite where the naive formula overflows (σ = 1e-3, s⁺ = −1, s⁻ = 1)', () => {
    // With dot similarity and unit vectors: s⁺ = ⟨a, −a⟩ = −1, s⁻ = ⟨a, a⟩ = 1.
    const anchor = Float64Array.from([1, 0]);
    const positive = Float64Array.from([-1, 0]);
    const negative = Float64Array.from([1, 0]);
    const temperature = 1e-3;
    const naive = -Math.log(Math.exp(-1 / temperature) / (Math.exp(-1 / temperature) + Math.exp(1 / temperature)));
    expect(Number.isFinite(naive)).toBe(false); // e^{1000} overflows to Infinity, and the ratio is 0
    const r = tripletLossReference({ anchor, positive, negative, dim: 2, similarity: 'dot', temperature });
    expect(r.loss).toBeCloseTo(2000, 9); // softplus(2000) = 2000 + log1p(e^{−2000})
    expect(r.gradTemperature).toBeCloseTo(-2000 / temperature, 6);
    expect(Array.from(r.gradAnchor).every(Number.isFinite)).toBe(true);
  });

  it('an empty batch has loss 0 under mean', () => {
    const empty = new Float64Array(0);
    const r = tripletLossReference({ anchor: empty, positive: empty, negative: empty, dim: 3 });
    expect(r.loss).toBe(0);
    expect(r.gradTemperature).toBe(0);
  });
});
