// infoNCELoss against the float64 reference on every backend (and, through vitest.config.ts, the
// relaxed-simd flavour): paired and shared negatives, every similarity, both float types; k = 1
// equals tripletLoss; the bad-input rules.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine, type Engine, type FloatArray, type InfoNCELossOptions, type NegativeLayout, type Reduction, type Similarity,
} from '../src/index.js';
import { infoNCEReference } from '../src/reference/index.js';
import { backendsUnderTest } from './helpers/backends.js';
import { maxAbs, relativeError } from './helpers/compare.js';
import { similarityGradientBound, tolerance } from './helpers/check.js';
import { makeTriplets, randomArray, seededRandom } from './helpers/data.js';

const SIMILARITIES: Similarity[] = ['cosine', 'dot', 'euclidean'];

/** Largest norm-wise error of the outputs, against the tolerance of DESIGN.md §4. */
function expectAccurateInfoNCE(engine: Engine, options: InfoNCELossOptions<FloatArray>): void {
  const result = engine.infoNCELoss(options);
  const arrays = (o: typeof options.anchor) => ('array' in o ? o.array : o);
  const plain = { ...options, anchor: arrays(options.anchor), positive: arrays(options.positive), negatives: arrays(options.negatives) };
  const reference = infoNCEReference(plain);
  const { similarity = 'cosine', temperature = 0.1, eps = 1e-8, dim } = options;
  const limit = tolerance(plain.anchor, temperature, Math.max(1, maxAbs(reference.similarityPositive), maxAbs(reference.similarityNegatives)));
  // A gradient element sums terms of size up to max|w_i|·|∂L/∂ℓ|/σ·|∂s/∂x| (|∂L/∂ℓ| ≤ 1): measure
  // against that, not against a sum that cancelled to ~0.
  const rows = reference.losses.length;
  const upstream = options.gradOutput ?? 1;
  const weight = typeof upstream === 'number' ? Math.abs(upstream) / ((options.reduction ?? 'mean') === 'mean' ? Math.max(rows, 1) : 1) : maxAbs(upstream);
  const bound = Math.max(...[plain.anchor, plain.positive, plain.negatives].map((x) => similarityGradientBound(x, dim, similarity, eps)));
  const gradientScale = Math.max(maxAbs(reference.gradAnchor), maxAbs(reference.gradNegatives), (weight / temperature) * bound);
  const errors = {
    losses: relativeError(result.losses, reference.losses),
    similarityPositive: relativeError(result.similarityPositive, reference.similarityPositive),
    similarityNegatives: relativeError(result.similarityNegatives, reference.similarityNegatives),
    gradAnchor: relativeError(result.gradAnchor!, reference.gradAnchor, gradientScale),
    gradPositive: relativeError(result.gradPositive!, reference.gradPositive, gradientScale),
    gradNegatives: relativeError(result.gradNegatives!, reference.gradNegatives, gradientScale),
    gradTemperature: Math.abs(result.gradTemperature - reference.gradTemperature) / Math.max(Math.abs(reference.gradTemperature), (weight * rows * bound) / temperature ** 2, 1e-300),
  };
  for (const [name, error] of Object.entries(errors)) expect(error, name).toBeLessThanOrEqual(limit);
  const lossError = Math.abs(result.loss - reference.loss) / Math.max(Math.abs(reference.loss), 1e-300);
  expect(lossError, 'loss').toBeLessThanOrEqual(limit);
}

function batch(dtype: 'f32' | 'f64', rows: number, k: number, dim: number, layout: NegativeLayout, seed: number) {
  const t = makeTriplets(dtype, rows, dim, seed);
  const negatives = randomArray(dtype, (layout === 'paired' ? rows * k : k) * dim, seededRandom(seed + 1));
  return { anchor: t.anchor, positive: t.positive, negatives, dim, negativeLayout: layout, ...(layout === 'paired' ? { k } : {}) };
}

describe.each(backendsUnderTest())('infoNCELoss on %s', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ backend });
  });

  describe.each(['f32', 'f64'] as const)('%s', (dtype) => {
    it.each(SIMILARITIES)('%s: paired and shared negatives, dims across the SIMD widths', (similarity) => {
      for (const layout of ['paired', 'shared'] as const) {
        for (const dim of [1, 3, 4, 5, 8, 17, 33, 64]) {
          for (const k of [1, 2, 5]) expectAccurateInfoNCE(engine, { ...batch(dtype, 7, k, dim, layout, dim * 10 + k), similarity });
        }
      }
    });

    it.each(['mean', 'sum', 'none'] as Reduction[])('reduction %s with gradOutput, n = 0, 1, 9', (reduction) => {
      for (const rows of [0, 1, 9]) {
        const upstreams = reduction === 'none' ? [2, Array.from({ length: rows }, (_, i) => i - 3.5)] : [1, -0.75];
        for (const gradOutput of upstreams) {
          for (const layout of ['paired', 'shared'] as const) {
            expectAccurateInfoNCE(engine, { ...batch(dtype, rows, 3, 12, layout, rows + 5), reduction, gradOutput });
          }
        }
      }
    });

    it('σ from 1e-4 to 1e3 stays finite and accurate', () => {
      for (const temperature of [1e-4, 1e-2, 0.05, 1, 1e3]) {
        for (const similarity of SIMILARITIES) {
          const options = { ...batch(dtype, 6, 4, 16, 'paired', 3), similarity, temperature };
          const result = engine.infoNCELoss(options);
          expect(Array.from(result.losses).every(Number.isFinite)).toBe(true);
          expect(Array.from(result.gradAnchor!).every(Number.isFinite)).toBe(true);
          expect(Number.isFinite(result.gradTemperature)).toBe(true);
          expectAccurateInfoNCE(engine, options);
        }
      }
    });

    it.each(SIMILARITIES)('%s: k = 1 equals tripletLoss to rounding', (similarity) => {
      const t = makeTriplets(dtype, 23, 37, 41);
      for (const reduction of ['mean', 'none'] as Reduction[]) {
        const triplet = engine.tripletLoss({ ...t, similarity, reduction });
        const info = engine.infoNCELoss({ anchor: t.anchor, positive: t.positive, negatives: t.negative, k: 1, dim: t.dim, similarity, reduction });
        // Two kernels, two summation orders: they agree to the rounding of a similarity, amplified
        // by |s|/σ as everywhere (a tenth of the accuracy contract).
        const similarityScale = Math.max(1, maxAbs(triplet.similarityPositive), maxAbs(triplet.similarityNegative));
        const rounding = tolerance(t.anchor, 0.1, similarityScale) / 10;
        expect(relativeError(info.losses, triplet.losses)).toBeLessThanOrEqual(rounding);
        expect(relativeError(info.similarityNegatives, triplet.similarityNegative)).toBeLessThanOrEqual(rounding);
        const scale = Math.max(maxAbs(triplet.gradAnchor!), maxAbs(triplet.gradPositive!), maxAbs(triplet.gradNegative!));
        expect(relativeError(info.gradAnchor!, triplet.gradAnchor!, scale)).toBeLessThanOrEqual(rounding);
        expect(relativeError(info.gradPositive!, triplet.gradPositive!, scale)).toBeLessThanOrEqual(rounding);
        expect(relativeError(info.gradNegatives!, triplet.gradNegative!, scale)).toBeLessThanOrEqual(rounding);
        expect(Math.abs(info.loss - triplet.loss) / triplet.loss).toBeLessThanOrEqual(rounding);
        expect(Math.abs(info.gradTemperature - triplet.gradTemperature) / Math.abs(triplet.gradTemperature)).toBeLessThanOrEqual(1e-5);
      }
    });

    it('writes into out and reads and writes engine buffers in place, for a shared bank too', () => {
      for (const layout of ['paired', 'shared'] as const) {
        const options = batch(dtype, 9, 4, 10, layout, 77);
        const plain = engine.infoNCELoss(options);
        const toBuffer = (source: FloatArray) => {
          const buffer = engine.allocate(source.length, dtype);
          buffer.array.set(source);
          return buffer;
        };
        const gradNegatives = engine.allocate(options.negatives.length, dtype);
        gradNegatives.array.fill(123); // must be overwritten, not accumulated into
        const resident = engine.infoNCELoss({
          ...options, anchor: toBuffer(options.anchor), negatives: toBuffer(options.negatives), out: { gradNegatives },
        });
        expect(Array.from(resident.losses)).toEqual(Array.from(plain.losses));
        expect(Array.from(gradNegatives.array)).toEqual(Array.from(plain.gradNegatives!));
        const make = (n: number) => (dtype === 'f32' ? new Float32Array(n) : new Float64Array(n));
        const out = { gradAnchor: make(90), similarityNegatives: make(9 * 4) };
        const withOut = engine.infoNCELoss({ ...options, out });
        expect(withOut.gradAnchor).toBe(out.gradAnchor);
        expect(Array.from(out.similarityNegatives)).toEqual(Array.from(plain.similarityNegatives));
      }
    });
  });

  it('property: random shapes, layouts and options agree with the reference', () => {
    fc.assert(
      fc.property(
        fc.record({
          rows: fc.integer({ min: 0, max: 10 }), k: fc.integer({ min: 1, max: 6 }), dim: fc.integer({ min: 1, max: 30 }),
          seed: fc.integer({ min: 1, max: 1 << 30 }), temperature: fc.double({ min: 0.05, max: 20, noNaN: true }),
          layout: fc.constantFrom<NegativeLayout>('paired', 'shared'),
          similarity: fc.constantFrom<Similarity>('cosine', 'dot', 'euclidean'),
          reduction: fc.constantFrom<Reduction>('mean', 'sum', 'none'), dtype: fc.constantFrom('f32' as const, 'f64' as const),
        }),
        ({ rows, k, dim, seed, temperature, layout, similarity, reduction, dtype }) => {
          expectAccurateInfoNCE(engine, { ...batch(dtype, rows, k, dim, layout, seed), temperature, similarity, reduction });
        },
      ),
      { numRuns: 100, seed: Number(process.env.FAST_CHECK_SEED ?? 20261204) },
    );
  });

  it('gradients: false skips the backward pass but keeps the loss and ∂/∂σ; checkFinite names a bad input', () => {
    for (const layout of ['paired', 'shared'] as const) {
      const options = batch('f32', 5, 3, 9, layout, 21);
      const full = engine.infoNCELoss(options);
      const lossOnly = engine.infoNCELoss({ ...options, gradients: false });
      expect(lossOnly.gradAnchor).toBeNull();
      expect(lossOnly.gradNegatives).toBeNull();
      expect(Array.from(lossOnly.losses)).toEqual(Array.from(full.losses));
      expect(lossOnly.gradTemperature).toBeCloseTo(full.gradTemperature, 12);
      const negatives = options.negatives.slice();
      negatives[10] = NaN;
      expect(() => engine.infoNCELoss({ ...options, negatives, checkFinite: true })).toThrow(/negatives\[10\] \(row 1, column 1\) is NaN/);
    }
  });

  it('rejects bad input with typed errors that state expected vs actual', () => {
    const options = batch('f32', 4, 3, 8, 'paired', 9);
    const call = (overrides: object) => () => engine.infoNCELoss({ ...options, ...overrides } as InfoNCELossOptions<FloatArray>);
    expect(call({ k: 0 })).toThrow(/k must be an integer >= 1, got 0/);
    expect(call({ k: undefined })).toThrow(TypeError);
    expect(call({ k: 2 })).toThrow(/negatives has 96 elements, expected n\*k\*dim = 64/);
    expect(call({ negativeLayout: 'bank' })).toThrow(/negativeLayout must be one of 'paired', 'shared', got bank/);
    expect(call({ negativeLayout: 'shared', negatives: new Float32Array(20) })).toThrow(/negatives has 20 elements, which is not a multiple of dim = 8/);
    expect(call({ negativeLayout: 'shared', negatives: new Float32Array(0) })).toThrow(/empty bank/);
    expect(call({ negativeLayout: 'shared', k: 5 })).toThrow(/k is 5 but the shared bank negatives has m = 12 rows/);
    expect(call({ negatives: new Float64Array(96) })).toThrow(TypeError);
    expect(call({ out: { gradNegatives: new Float32Array(95) } })).toThrow(/out.gradNegatives has 95 elements, expected n\*k\*dim = 96/);
    expect(call({ out: { similarityNegatives: new Float32Array(4) } })).toThrow(/out.similarityNegatives has 4 elements, expected n\*k = 12/);
    expect(call({ reduction: 'none', gradOutput: [1, 2] })).toThrow(/gradOutput has 2 values, expected n = 4/);
    // still correct afterwards
    expectAccurateInfoNCE(engine, options);
  });
});
