// batchContrastiveLoss (clip, ntxent, supcon) against the float64 reference on every backend (and,
// through vitest.config.ts, the relaxed-simd flavour), tile boundaries included; logitScale; the
// SupCon rule for anchors without positives; memory that does not hold the n×n logits; bad input.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine, type BatchContrastiveLossOptions, type BatchMode, type Engine, type FloatArray, type Reduction, type Similarity,
} from '../src/index.js';
import { batchContrastiveReference } from '../src/reference/index.js';
import { backendsUnderTest } from './helpers/backends.js';
import { maxAbs, relativeError } from './helpers/compare.js';
import { similarityGradientBound, tolerance } from './helpers/check.js';
import { makeTriplets } from './helpers/data.js';

const SIMILARITIES: Similarity[] = ['cosine', 'dot', 'euclidean'];
const MODES: BatchMode[] = ['clip', 'ntxent', 'supcon'];

function options(mode: BatchMode, dtype: 'f32' | 'f64', rows: number, dim: number, seed: number) {
  const t = makeTriplets(dtype, rows, dim, seed);
  const labels = Array.from({ length: rows }, (_, i) => (i * 7) % 5);
  return { a: t.anchor, b: t.positive, mode, dim, ...(mode === 'supcon' ? { labels } : {}) };
}

/** Every output within the tolerance of DESIGN.md §4, gradients against the size of their terms. */
function expectAccurateBatch(engine: Engine, opts: BatchContrastiveLossOptions<FloatArray>): void {
  const result = engine.batchContrastiveLoss(opts);
  const a = opts.a as FloatArray;
  const b = opts.b as FloatArray | undefined;
  const reference = batchContrastiveReference({ ...opts, a, b });
  const { dim, similarity = 'cosine' } = opts;
  const scale = opts.logitScale ?? 1 / (opts.temperature ?? 0.1);
  const limit = tolerance(a, 1 / scale, Math.max(1, similarity === 'cosine' ? 1 : 4 * similarityGradientBound([...a, ...(b ?? [])], dim, 'dot') ** 2 * dim));
  const rows = reference.losses.length;
  const upstream = opts.gradOutput ?? 1;
  const weight = typeof upstream === 'number' ? Math.abs(upstream) / ((opts.reduction ?? 'mean') === 'mean' ? Math.max(rows, 1) : 1) : maxAbs(upstream);
  const bound = similarityGradientBound([...a, ...(b ?? [])], dim, similarity);
  // |∂L/∂ℓ| ≤ 2 per entry (a row and a column term), times |∂s/∂x|, summed over up to 2n entries.
  const gradientScale = Math.max(maxAbs(reference.gradA), reference.gradB ? maxAbs(reference.gradB) : 0, 2 * weight * scale * bound);
  expect(relativeError(result.losses, reference.losses), 'losses').toBeLessThanOrEqual(limit);
  expect(Math.abs(result.loss - reference.loss) / Math.max(Math.abs(reference.loss), 1e-300), 'loss').toBeLessThanOrEqual(limit);
  expect(relativeError(result.gradA!, reference.gradA, gradientScale), 'gradA').toBeLessThanOrEqual(limit);
  if (b) expect(relativeError(result.gradB!, reference.gradB!, gradientScale), 'gradB').toBeLessThanOrEqual(limit);
  if (opts.logitScale === undefined) {
    expect(result.gradLogitScale).toBeNull();
    const error = Math.abs(result.gradTemperature! - reference.gradTemperature!) / Math.max(Math.abs(reference.gradTemperature!), weight * rows * 2 * scale * scale);
    expect(error, 'gradTemperature').toBeLessThanOrEqual(limit);
  } else {
    expect(result.gradTemperature).toBeNull();
    const error = Math.abs(result.gradLogitScale! - reference.gradLogitScale!) / Math.max(Math.abs(reference.gradLogitScale!), weight * rows * 2);
    expect(error, 'gradLogitScale').toBeLessThanOrEqual(limit);
  }
}

describe.each(backendsUnderTest())('batchContrastiveLoss on %s', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ backend });
  });

  describe.each(['f32', 'f64'] as const)('%s', (dtype) => {
    it.each(MODES)('%s: every similarity, shapes across the tiles (64 rows × 256 columns)', (mode) => {
      for (const similarity of SIMILARITIES) {
        for (const [rows, dim] of [[1, 3], [5, 8], [70, 17], [150, 4]]) {
          expectAccurateBatch(engine, { ...options(mode, dtype, rows, dim, rows + dim), similarity, temperature: 0.2 });
        }
      }
    });

    it.each(['mean', 'sum', 'none'] as Reduction[])('reduction %s with gradOutput, temperature and logitScale', (reduction) => {
      for (const mode of MODES) {
        const base = options(mode, dtype, 9, 12, 4);
        const lossRows = mode === 'clip' ? 9 : 18;
        const upstreams = reduction === 'none' ? [Array.from({ length: lossRows }, (_, i) => 1 - i / 5)] : [1, -2.5];
        for (const gradOutput of upstreams) {
          expectAccurateBatch(engine, { ...base, reduction, gradOutput, temperature: 0.5 });
          expectAccurateBatch(engine, { ...base, reduction, gradOutput, logitScale: 14.3 });
        }
      }
    });

    it('supcon: one view, and anchors without positives contribute 0', () => {
      const t = makeTriplets(dtype, 6, 10, 8);
      const labels = [0, 1, 0, 2, 1, 3]; // rows 3 and 5 have no positive in a single view
      expectAccurateBatch(engine, { a: t.anchor, mode: 'supcon', labels, dim: 10 });
      const single = engine.batchContrastiveLoss({ a: t.anchor, mode: 'supcon', labels, dim: 10, reduction: 'none' });
      expect(single.losses[3]).toBe(0);
      expect(single.losses[5]).toBe(0);
      expect(single.gradB).toBeNull();
      const alone = engine.batchContrastiveLoss({ a: t.anchor, mode: 'supcon', labels: [0, 1, 2, 3, 4, 5], dim: 10 });
      expect(alone.loss).toBe(0);
      expect(Array.from(alone.gradA!).every((g) => g === 0)).toBe(true);
      expect(alone.gradTemperature).toBe(0);
    });

    it('stays finite at σ = 1e-4', () => {
      for (const mode of MODES) {
        const result = engine.batchContrastiveLoss({ ...options(mode, dtype, 12, 6, 2), temperature: 1e-4 });
        expect(Array.from(result.losses).every(Number.isFinite)).toBe(true);
        expect(Array.from(result.gradA!).every(Number.isFinite)).toBe(true);
        expect(Number.isFinite(result.gradTemperature!)).toBe(true);
      }
    });
  });

  // The js backend is the float64 reference, which materialises the logits on purpose.
  if (backend !== 'js') {
    it('memory stays O(n·dim): n = 4096 does not allocate the 64 MiB of logits', () => {
      const rows = 4096;
      const dim = 8;
      const probe = engine.allocate(1);
      const before = probe.array.buffer.byteLength;
      const result = engine.batchContrastiveLoss({ ...options('clip', 'f32', rows, dim, 1), gradients: true });
      expect(Number.isFinite(result.loss)).toBe(true);
      const grown = probe.array.buffer.byteLength - before;
      expect(grown).toBeLessThan(rows * rows * 4 / 8); // an eighth of the logit matrix
      probe.free();
    });
  }

  it('property: random shapes, modes and options agree with the reference', () => {
    fc.assert(
      fc.property(
        fc.record({
          rows: fc.integer({ min: 1, max: 12 }), dim: fc.integer({ min: 1, max: 24 }), seed: fc.integer({ min: 1, max: 1 << 30 }),
          temperature: fc.double({ min: 0.05, max: 20, noNaN: true }), mode: fc.constantFrom<BatchMode>('clip', 'ntxent', 'supcon'),
          similarity: fc.constantFrom<Similarity>('cosine', 'dot', 'euclidean'),
          reduction: fc.constantFrom<Reduction>('mean', 'sum', 'none'), dtype: fc.constantFrom('f32' as const, 'f64' as const),
        }),
        ({ rows, dim, seed, temperature, mode, similarity, reduction, dtype }) => {
          expectAccurateBatch(engine, { ...options(mode, dtype, rows, dim, seed), temperature, similarity, reduction });
        },
      ),
      { numRuns: 100, seed: Number(process.env.FAST_CHECK_SEED ?? 20261204) },
    );
  });

  it('gradients: false skips the gradient products but keeps the loss and ∂/∂σ; checkFinite names a bad input', () => {
    for (const mode of MODES) {
      const base = options(mode, 'f32', 7, 5, 13);
      const full = engine.batchContrastiveLoss(base);
      const lossOnly = engine.batchContrastiveLoss({ ...base, gradients: false });
      expect(lossOnly.gradA).toBeNull();
      expect(lossOnly.gradB).toBeNull();
      expect(Array.from(lossOnly.losses)).toEqual(Array.from(full.losses));
      expect(lossOnly.gradTemperature).toBeCloseTo(full.gradTemperature!, 12);
      const b = base.b.slice();
      b[7] = Infinity;
      expect(() => engine.batchContrastiveLoss({ ...base, b, checkFinite: true })).toThrow(/b\[7\] \(row 1, column 2\) is Infinity/);
    }
  });

  it('an empty batch gives loss 0 and empty arrays', () => {
    const empty = new Float32Array(0);
    for (const mode of MODES) {
      const result = engine.batchContrastiveLoss({ a: empty, b: empty, mode, dim: 4, ...(mode === 'supcon' ? { labels: [] } : {}) });
      expect(result.loss).toBe(0);
      expect(result.losses.length).toBe(0);
      expect(result.gradA!.length).toBe(0);
      expect(result.gradTemperature).toBe(0);
    }
  });

  it('rejects bad input with typed errors that state expected vs actual', () => {
    const base = options('clip', 'f32', 4, 8, 3);
    const call = (overrides: object) => () => engine.batchContrastiveLoss({ ...base, ...overrides } as BatchContrastiveLossOptions<FloatArray>);
    expect(call({ mode: 'simclr' })).toThrow(/mode must be one of 'clip', 'ntxent', 'supcon', got simclr/);
    expect(call({ b: undefined })).toThrow(/b is required for mode 'clip'/);
    expect(call({ b: new Float32Array(31) })).toThrow(/b has 31 elements, expected n\*dim = 32/);
    expect(call({ b: new Float64Array(32) })).toThrow(TypeError);
    expect(call({ labels: [0, 1, 2, 3] })).toThrow(/labels are used by mode 'supcon' only/);
    expect(call({ mode: 'supcon' })).toThrow(/labels are required for mode 'supcon'/);
    expect(call({ mode: 'supcon', labels: [0, 1, 2] })).toThrow(/labels has 3 values, expected n = 4/);
    expect(call({ mode: 'supcon', labels: [0, 1, 2.5, 3] })).toThrow(/labels\[2\] is 2.5; labels must be 32-bit integers/);
    expect(call({ mode: 'supcon', labels: 'abcd' })).toThrow(TypeError);
    expect(call({ temperature: 0.1, logitScale: 10 })).toThrow(/either temperature or logitScale/);
    expect(call({ logitScale: -1 })).toThrow(/logitScale must be finite and > 0, got -1/);
    expect(call({ out: { gradA: new Float32Array(3) } })).toThrow(/out.gradA has 3 elements, expected n\*dim = 32/);
    expect(call({ mode: 'ntxent', out: { losses: new Float32Array(4) } })).toThrow(/out.losses has 4 elements, expected 2n = 8/);
    expectAccurateBatch(engine, base); // still correct afterwards
  });
});
