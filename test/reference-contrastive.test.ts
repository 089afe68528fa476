// The float64 reference of the multi-negative and in-batch losses against their definitions, the
// triplet loss and finite differences.
import { describe, expect, it } from 'vitest';
import {
  batchContrastiveReference, infoNCEReference, rowSimilarity, similarityMatrixReference, tripletLossReference,
  type BatchContrastiveReferenceOptions, type InfoNCEReferenceOptions,
} from '../src/reference/index.js';
import type { Reduction, Similarity } from '../src/types.js';
import { relativeError, scalarRelativeError } from './helpers/compare.js';
import { numericGradient } from './helpers/finite-differences.js';
import { makeTriplets, randomArray, seededRandom } from './helpers/data.js';

const SIMILARITIES: Similarity[] = ['cosine', 'dot', 'euclidean'];
const REDUCTIONS: Reduction[] = ['mean', 'sum', 'none'];
const H = 1e-6;
const TOLERANCE = 1e-6;

/** gradOutput·loss, or Σ_i gradOutput[i]·losses[i] under a per-row gradOutput. */
function weightedLoss(result: { loss: number; losses: Float64Array }, gradOutput: number | ArrayLike<number> = 1): number {
  if (typeof gradOutput === 'number') return gradOutput * result.loss;
  let total = 0;
  for (let i = 0; i < result.losses.length; i++) total += gradOutput[i] * result.losses[i];
  return total;
}

/** Central difference of f at x with a step relative to x (σ and λ are scales). */
function numericDerivative(x: number, f: (x: number) => number): number {
  const step = H * x;
  return (f(x + step) - f(x - step)) / (2 * step);
}

/** A gradOutput for the reduction: one value per row under 'none', else a number. */
function gradOutputFor(reduction: Reduction, rows: number, seed: number): number | Float64Array {
  if (reduction !== 'none') return 1.7;
  const random = seededRandom(seed);
  return Float64Array.from({ length: rows }, () => random() * 4 - 2);
}

describe('similarityMatrixReference', () => {
  it.each(SIMILARITIES)('%s: entry (i, j) is rowSimilarity(a_i, b_j)', (similarity) => {
    const random = seededRandom(3);
    const dim = 5;
    const a = randomArray('f64', 3 * dim, random);
    const b = randomArray('f64', 4 * dim, random);
    const matrix = similarityMatrixReference(a, b, { dim, similarity });
    expect(matrix.length).toBe(12);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 4; j++) expect(matrix[i * 4 + j]).toBe(rowSimilarity(a, i * dim, b, j * dim, dim, similarity, 1e-8));
    }
  });
});

describe('infoNCEReference: gradients by finite differences', () => {
  const cases: Array<{ similarity: Similarity; reduction: Reduction; layout: 'paired' | 'shared' }> = [];
  for (const similarity of SIMILARITIES) {
    for (const reduction of REDUCTIONS) {
      for (const layout of ['paired', 'shared'] as const) cases.push({ similarity, reduction, layout });
    }
  }

  it.each(cases)('$similarity, $reduction, $layout negatives', ({ similarity, reduction, layout }) => {
    const rows = 4;
    const dim = 5;
    const k = 3;
    const { anchor, positive } = makeTriplets('f64', rows, dim, 5);
    const random = seededRandom(17);
    const negatives = randomArray('f64', (layout === 'paired' ? rows * k : 4) * dim, random);
    const gradOutput = gradOutputFor(reduction, rows, 23);
    const options: InfoNCEReferenceOptions = {
      anchor, positive, negatives, negativeLayout: layout, k, dim, similarity, reduction, gradOutput, temperature: 0.2,
    };
    const analytic = infoNCEReference(options);
    const loss = (changed: Partial<InfoNCEReferenceOptions>): number =>
      weightedLoss(infoNCEReference({ ...options, ...changed }), gradOutput);

    expect(analytic.losses.length).toBe(rows);
    expect(analytic.similarityNegatives.length).toBe(rows * (layout === 'paired' ? k : 4));
    expect(relativeError(analytic.gradAnchor, numericGradient(anchor, (x) => loss({ anchor: x })))).toBeLessThan(TOLERANCE);
    expect(relativeError(analytic.gradPositive, numericGradient(positive, (x) => loss({ positive: x })))).toBeLessThan(TOLERANCE);
    const numericNegatives = numericGradient(negatives, (x) => loss({ negatives: x }));
    expect(relativeError(analytic.gradNegatives, numericNegatives)).toBeLessThan(TOLERANCE);
    const dSigma = numericDerivative(0.2, (temperature) => loss({ temperature }));
    expect(scalarRelativeError(analytic.gradTemperature, dSigma)).toBeLessThan(TOLERANCE);
  });
});

describe('infoNCEReference: the definition', () => {
  it('equals logsumexp(ℓ) − ℓ₀ evaluated naively where the exponentials are representable', () => {
    const rows = 3;
    const dim = 4;
    const k = 2;
    const { anchor, positive } = makeTriplets('f64', rows, dim, 2);
    const negatives = randomArray('f64', rows * k * dim, seededRandom(4));
    for (const similarity of SIMILARITIES) {
      const temperature = 0.5;
      const r = infoNCEReference({ anchor, positive, negatives, k, dim, similarity, temperature, reduction: 'none' });
      for (let i = 0; i < rows; i++) {
        let sum = Math.exp(r.similarityPositive[i] / temperature);
        for (let t = 0; t < k; t++) sum += Math.exp(r.similarityNegatives[i * k + t] / temperature);
        expect(r.losses[i]).toBeCloseTo(Math.log(sum) - r.similarityPositive[i] / temperature, 12);
      }
    }
  });

  it.each(SIMILARITIES)('%s: k = 1 equals tripletLossReference to 1e-12', (similarity) => {
    const { anchor, positive, negative, dim, rows } = makeTriplets('f64', 5, 6, 9);
    for (const reduction of REDUCTIONS) {
      for (const temperature of [0.05, 1]) {
        const gradOutput = gradOutputFor(reduction, rows, 31);
        const common = { anchor, positive, dim, similarity, reduction, gradOutput, temperature };
        const triplet = tripletLossReference({ ...common, negative });
        const infoNCE = infoNCEReference({ ...common, negatives: negative, k: 1 });
        expect(scalarRelativeError(infoNCE.loss, triplet.loss)).toBeLessThan(1e-12);
        expect(relativeError(infoNCE.losses, triplet.losses)).toBeLessThan(1e-12);
        expect(relativeError(infoNCE.similarityNegatives, triplet.similarityNegative)).toBe(0);
        expect(relativeError(infoNCE.gradAnchor, triplet.gradAnchor)).toBeLessThan(1e-12);
        expect(relativeError(infoNCE.gradPositive, triplet.gradPositive)).toBeLessThan(1e-12);
        expect(relativeError(infoNCE.gradNegatives, triplet.gradNegative)).toBeLessThan(1e-12);
        expect(scalarRelativeError(infoNCE.gradTemperature, triplet.gradTemperature)).toBeLessThan(1e-12);
      }
    }
  });

  it('a shared bank gives the same losses as the bank repeated for every anchor, its gradient summed', () => {
    const rows = 3;
    const dim = 4;
    const m = 2;
    const { anchor, positive } = makeTriplets('f64', rows, dim, 6);
    const bank = randomArray('f64', m * dim, seededRandom(8));
    const repeated = new Float64Array(rows * m * dim);
    for (let i = 0; i < rows; i++) repeated.set(bank, i * m * dim);
    const shared = infoNCEReference({ anchor, positive, negatives: bank, negativeLayout: 'shared', dim });
    const paired = infoNCEReference({ anchor, positive, negatives: repeated, k: m, dim });
    expect(Array.from(shared.losses)).toEqual(Array.from(paired.losses));
    const summed = new Float64Array(m * dim);
    for (let e = 0; e < paired.gradNegatives.length; e++) summed[e % (m * dim)] += paired.gradNegatives[e];
    expect(relativeError(shared.gradNegatives, summed)).toBeLessThan(1e-14);
  });

  it('stays finite at σ = 1e-4, where the naive exponentials overflow', () => {
    // dot similarity of unit vectors: s⁺ = −1, s⁻ = (1, 0), so L = (1 − (−1))/σ + log1p(e^{−1/σ}).
    const temperature = 1e-4;
    expect(Math.exp(1 / temperature)).toBe(Infinity);
    const r = infoNCEReference({
      anchor: [1, 0], positive: [-1, 0], negatives: [1, 0, 0, 1], k: 2, dim: 2, similarity: 'dot', temperature,
    });
    expect(r.loss).toBeCloseTo(2e4, 8);
    expect(r.gradTemperature).toBeCloseTo(-2e4 / temperature, 0);
    for (const grad of [r.gradAnchor, r.gradPositive, r.gradNegatives]) {
      expect(Array.from(grad).every(Number.isFinite)).toBe(true);
    }
  });

  it('an empty batch has loss 0 under mean, in both layouts', () => {
    const empty = new Float64Array(0);
    const paired = infoNCEReference({ anchor: empty, positive: empty, negatives: empty, k: 2, dim: 3 });
    const shared = infoNCEReference({ anchor: empty, positive: empty, negatives: [1, 2, 3], negativeLayout: 'shared', dim: 3 });
    for (const r of [paired, shared]) {
      expect(r.loss).toBe(0);
      expect(r.gradTemperature).toBe(0);
    }
    expect(Array.from(shared.gradNegatives)).toEqual([0, 0, 0]);
  });
});

type Mode = BatchContrastiveReferenceOptions['mode'];

/** n = 5 rows of a and b, b a noisy copy of a; label 2 appears once in a (no positive without b). */
function batchInputs(seed: number): { a: Float64Array; b: Float64Array; labels: number[]; dim: number; n: number } {
  const { anchor, positive, dim, rows } = makeTriplets('f64', 5, 4, seed);
  return { a: Float64Array.from(anchor), b: Float64Array.from(positive), labels: [0, 1, 0, 2, 1], dim, n: rows };
}

function zRows(mode: Mode, n: number, withB: boolean): number {
  return mode === 'clip' ? n : withB ? 2 * n : n;
}

describe('batchContrastiveReference: gradients by finite differences', () => {
  type Scale = 'temperature' | 'logitScale';
  const cases: Array<{ mode: Mode; withB: boolean; similarity: Similarity; reduction: Reduction; scale: Scale }> = [];
  const modes: Array<{ mode: Mode; withB: boolean }> = [
    { mode: 'clip', withB: true }, { mode: 'ntxent', withB: true },
    { mode: 'supcon', withB: true }, { mode: 'supcon', withB: false },
  ];
  for (const { mode, withB } of modes) {
    for (const similarity of SIMILARITIES) {
      for (const reduction of REDUCTIONS) {
        for (const scale of ['temperature', 'logitScale'] as const) cases.push({ mode, withB, similarity, reduction, scale });
      }
    }
  }

  it.each(cases)('$mode (b: $withB), $similarity, $reduction, $scale', ({ mode, withB, similarity, reduction, scale }) => {
    const { a, b, labels, dim, n } = batchInputs(3);
    const gradOutput = gradOutputFor(reduction, zRows(mode, n, withB), 41);
    const options: BatchContrastiveReferenceOptions = {
      a, b: withB ? b : undefined, mode, labels, dim, similarity, reduction, gradOutput,
      ...(scale === 'temperature' ? { temperature: 0.3 } : { logitScale: 4 }),
    };
    const analytic = batchContrastiveReference(options);
    const loss = (changed: Partial<BatchContrastiveReferenceOptions>): number =>
      weightedLoss(batchContrastiveReference({ ...options, ...changed }), gradOutput);

    expect(analytic.losses.length).toBe(zRows(mode, n, withB));
    expect(relativeError(analytic.gradA, numericGradient(a, (x) => loss({ a: x })))).toBeLessThan(TOLERANCE);
    if (withB) {
      expect(analytic.gradB).not.toBeNull();
      expect(relativeError(analytic.gradB as Float64Array, numericGradient(b, (x) => loss({ b: x })))).toBeLessThan(TOLERANCE);
    } else {
      expect(analytic.gradB).toBeNull();
    }
    if (scale === 'temperature') {
      expect(analytic.gradLogitScale).toBeNull();
      const dSigma = numericDerivative(0.3, (temperature) => loss({ temperature }));
      expect(scalarRelativeError(analytic.gradTemperature as number, dSigma)).toBeLessThan(TOLERANCE);
    } else {
      expect(analytic.gradTemperature).toBeNull();
      const dLambda = numericDerivative(4, (logitScale) => loss({ logitScale }));
      expect(scalarRelativeError(analytic.gradLogitScale as number, dLambda)).toBeLessThan(TOLERANCE);
    }
  });
});

describe('batchContrastiveReference: the definitions', () => {
  const temperature = 0.5;

  /** −log(e^{ℓ_target} / Σ_{j ∈ columns} e^{ℓ_j}), evaluated naively. */
  function naiveCrossEntropy(logits: (j: number) => number, columns: number[], target: number): number {
    const sum = columns.reduce((total, j) => total + Math.exp(logits(j)), 0);
    return -Math.log(Math.exp(logits(target)) / sum);
  }

  const range = (length: number): number[] => Array.from({ length }, (_, j) => j);

  it.each(SIMILARITIES)('%s: clip is the mean of the row-wise and column-wise cross-entropies', (similarity) => {
    const { a, b, dim, n } = batchInputs(4);
    const s = similarityMatrixReference(a, b, { dim, similarity });
    const r = batchContrastiveReference({ a, b, mode: 'clip', dim, similarity, temperature, reduction: 'none' });
    let rowMean = 0;
    let columnMean = 0;
    for (let i = 0; i < n; i++) {
      const row = naiveCrossEntropy((j) => s[i * n + j] / temperature, range(n), i);
      const column = naiveCrossEntropy((j) => s[j * n + i] / temperature, range(n), i);
      expect(r.losses[i]).toBeCloseTo((row + column) / 2, 12);
      rowMean += row / n;
      columnMean += column / n;
    }
    const mean = batchContrastiveReference({ a, b, mode: 'clip', dim, similarity, temperature });
    expect(mean.loss).toBeCloseTo((rowMean + columnMean) / 2, 12);
  });

  it.each(SIMILARITIES)('%s: ntxent masks the self-similarity and takes the other view as the positive', (similarity) => {
    const { a, b, dim, n } = batchInputs(5);
    const z = Float64Array.from([...a, ...b]);
    const s = similarityMatrixReference(z, z, { dim, similarity });
    const r = batchContrastiveReference({ a, b, mode: 'ntxent', dim, similarity, temperature, reduction: 'none' });
    for (let i = 0; i < 2 * n; i++) {
      const others = range(2 * n).filter((j) => j !== i);
      expect(r.losses[i]).toBeCloseTo(naiveCrossEntropy((j) => s[i * 2 * n + j] / temperature, others, (i + n) % (2 * n)), 12);
    }
  });

  it.each(SIMILARITIES)('%s: supcon averages −log softmax over the same-label rows', (similarity) => {
    const { a, b, labels, dim, n } = batchInputs(6);
    const z = Float64Array.from([...a, ...b]);
    const zLabels = [...labels, ...labels];
    const s = similarityMatrixReference(z, z, { dim, similarity });
    const r = batchContrastiveReference({ a, b, mode: 'supcon', labels, dim, similarity, temperature, reduction: 'none' });
    for (let i = 0; i < 2 * n; i++) {
      const others = range(2 * n).filter((j) => j !== i);
      const positives = others.filter((p) => zLabels[p] === zLabels[i]);
      const expected = positives.reduce(
        (total, p) => total + naiveCrossEntropy((j) => s[i * 2 * n + j] / temperature, others, p), 0,
      ) / positives.length;
      expect(r.losses[i]).toBeCloseTo(expected, 12);
    }
  });

  it('logitScale λ = 1/σ gives the temperature σ loss, and ∂/∂λ = −σ²·∂/∂σ', () => {
    const { a, b, labels, dim } = batchInputs(7);
    for (const mode of ['clip', 'ntxent', 'supcon'] as const) {
      const byTemperature = batchContrastiveReference({ a, b, mode, labels, dim, temperature: 0.25 });
      const byScale = batchContrastiveReference({ a, b, mode, labels, dim, logitScale: 4 });
      expect(scalarRelativeError(byScale.loss, byTemperature.loss)).toBeLessThan(1e-13);
      expect(relativeError(byScale.gradA, byTemperature.gradA)).toBeLessThan(1e-13);
      expect(scalarRelativeError(byScale.gradLogitScale as number, -(0.25 ** 2) * (byTemperature.gradTemperature as number)))
        .toBeLessThan(1e-13);
    }
  });
});

describe('batchContrastiveReference: supcon anchors without positives', () => {
  it('give exactly 0 loss and no gradient contribution, not NaN', () => {
    const { a, labels, dim, n } = batchInputs(8);
    const lonely = 3; // label 2 appears once, and there is no b
    const only = (row: number): Float64Array => Float64Array.from({ length: n }, (_, i) => (i === row ? 1 : 0));
    const r = batchContrastiveReference({ a, mode: 'supcon', labels, dim, reduction: 'none', gradOutput: only(lonely) });
    expect(r.losses[lonely]).toBe(0);
    expect(r.losses.every((loss) => Number.isFinite(loss))).toBe(true);
    expect(Array.from(r.gradA).every((g) => g === 0)).toBe(true);
    expect(r.gradTemperature).toBe(0);

    const unweighted = batchContrastiveReference({ a, mode: 'supcon', labels, dim, reduction: 'sum' });
    expect(unweighted.loss).toBeCloseTo(unweighted.losses.reduce((total, loss) => total + loss, 0), 14);
    expect(unweighted.losses[lonely]).toBe(0);
  });

  it('all labels distinct: loss 0 and all gradients 0 under mean', () => {
    const { a, dim, n } = batchInputs(9);
    const r = batchContrastiveReference({ a, mode: 'supcon', labels: Array.from({ length: n }, (_, i) => i), dim });
    expect(r.loss).toBe(0);
    expect(Array.from(r.gradA).every((g) => g === 0)).toBe(true);
    expect(r.gradTemperature).toBe(0);
  });
});

describe('batchContrastiveReference: extremes', () => {
  it.each(['clip', 'ntxent', 'supcon'] as const)('%s stays finite at σ = 1e-4 and at logitScale 1e4', (mode) => {
    // b's rows reversed, so most positives lose to a negative by a gap of order 1: L ≈ gap/σ ≫ 1.
    const { a, b, labels, dim, n } = batchInputs(10);
    const reversed = new Float64Array(b.length);
    for (let i = 0; i < n; i++) reversed.set(b.subarray(i * dim, (i + 1) * dim), (n - 1 - i) * dim);
    expect(Math.exp(1 / 1e-4)).toBe(Infinity);
    for (const scale of [{ temperature: 1e-4 }, { logitScale: 1e4 }]) {
      for (const similarity of SIMILARITIES) {
        const r = batchContrastiveReference({ a, b: reversed, mode, labels, dim, similarity, ...scale });
        expect(Number.isFinite(r.loss)).toBe(true);
        expect(r.loss).toBeGreaterThan(100);
        expect(Number.isFinite(r.gradTemperature ?? r.gradLogitScale)).toBe(true);
        for (const grad of [r.gradA, r.gradB as Float64Array]) expect(Array.from(grad).every(Number.isFinite)).toBe(true);
      }
    }
  });

  it.each(['clip', 'ntxent', 'supcon'] as const)('%s: an empty batch has loss 0 under mean', (mode) => {
    const empty = new Float64Array(0);
    const r = batchContrastiveReference({ a: empty, b: empty, mode, labels: [], dim: 3 });
    expect(r.loss).toBe(0);
    expect(r.losses.length).toBe(0);
    expect(r.gradTemperature).toBe(0);
  });
});
