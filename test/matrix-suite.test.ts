// similarityMatrix against the float64 reference, on every backend (and, through
// vitest.config.ts, the relaxed-simd flavour): shapes that cross the register tile (4 rows × 2
// vectors), the cache block (128 rows) and the SIMD width, every similarity, both float types.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type FloatArray, type Similarity } from '../src/index.js';
import { similarityMatrixReference } from '../src/reference/index.js';
import { backendsUnderTest } from './helpers/backends.js';
import { maxAbs, relativeError } from './helpers/compare.js';
import { tolerance } from './helpers/check.js';
import { randomArray, seededRandom } from './helpers/data.js';

const SIMILARITIES: Similarity[] = ['cosine', 'dot', 'euclidean'];

describe.each(backendsUnderTest())('similarityMatrix on %s', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ backend });
  });

  /** The engine's matrix and its error against the reference, at the tolerance of DESIGN.md §4. */
  function check(a: FloatArray, b: FloatArray, dim: number, similarity: Similarity, out?: FloatArray) {
    const result = engine.similarityMatrix(a, b, { dim, similarity, ...(out ? { out } : {}) });
    const reference = similarityMatrixReference(a, b, { dim, similarity });
    expect(result.length).toBe(reference.length);
    const limit = tolerance(a, 1, Math.max(1, maxAbs(reference)));
    expect(relativeError(result, reference), `${a.length / dim}×${b.length / dim}×${dim} ${similarity}`).toBeLessThanOrEqual(limit);
    return result;
  }

  describe.each(['f32', 'f64'] as const)('%s', (dtype) => {
    it.each(SIMILARITIES)('%s: shapes around the tile, panel and SIMD widths', (similarity) => {
      const random = seededRandom(7);
      for (const [n, m] of [[0, 3], [3, 0], [1, 1], [3, 5], [4, 8], [5, 9], [7, 17], [9, 33]]) {
        for (const dim of [1, 3, 4, 7, 8, 9, 17, 64]) {
          check(randomArray(dtype, n * dim, random), randomArray(dtype, m * dim, random), dim, similarity);
        }
      }
    });

    it.each(SIMILARITIES)('%s: more rows than one cache block, partial last panel', (similarity) => {
      const random = seededRandom(11);
      check(randomArray(dtype, 133 * 257, random), randomArray(dtype, 70 * 257, random), 257, similarity);
    });

    it('cosine normalises zero rows with eps, euclidean gives exactly 0 for equal rows', () => {
      const random = seededRandom(13);
      const a = randomArray(dtype, 6 * 10, random);
      a.fill(0, 10, 20); // row 1 is zero
      const cosine = check(a, a, 10, 'cosine');
      expect(Array.from(cosine.subarray(6, 12)).every((v) => v === 0)).toBe(true);
      const euclidean = check(a, a, 10, 'euclidean');
      for (let i = 0; i < 6; i++) expect(Math.abs(euclidean[i * 6 + i])).toBe(0);
    });

    it('writes into out, and reads and writes engine buffers in place', () => {
      const random = seededRandom(17);
      const a = randomArray(dtype, 9 * 12, random);
      const b = randomArray(dtype, 11 * 12, random);
      const out = dtype === 'f32' ? new Float32Array(99) : new Float64Array(99);
      expect(check(a, b, 12, 'dot', out)).toBe(out);
      const [bufferA, bufferB, bufferOut] = [a, b, out].map((source) => {
        const buffer = engine.allocate(source.length, dtype);
        buffer.array.set(source);
        return buffer;
      });
      const inPlace = engine.similarityMatrix(bufferA, bufferB, { dim: 12, similarity: 'dot', out: bufferOut });
      expect(Array.from(inPlace)).toEqual(Array.from(out));
      const mixed = engine.similarityMatrix(a, bufferB, { dim: 12, similarity: 'dot' });
      expect(Array.from(mixed)).toEqual(Array.from(out));
      for (const buffer of [bufferA, bufferB, bufferOut]) buffer.free();
    });
  });

  it('property: random shapes, similarities and float types agree with the reference', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 0, max: 20 }), m: fc.integer({ min: 0, max: 20 }), dim: fc.integer({ min: 1, max: 40 }),
          seed: fc.integer({ min: 1, max: 1 << 30 }), scale: fc.constantFrom(1e-3, 1, 1e3),
          similarity: fc.constantFrom<Similarity>('cosine', 'dot', 'euclidean'), dtype: fc.constantFrom('f32' as const, 'f64' as const),
        }),
        ({ n, m, dim, seed, scale, similarity, dtype }) => {
          const random = seededRandom(seed);
          check(randomArray(dtype, n * dim, random, scale), randomArray(dtype, m * dim, random, scale), dim, similarity);
        },
      ),
      { numRuns: 100, seed: Number(process.env.FAST_CHECK_SEED ?? 20261204) },
    );
  });

  it('validates its inputs', () => {
    const a = new Float32Array(12);
    expect(() => engine.similarityMatrix(a, new Float32Array(10), { dim: 4 })).toThrow(/b has 10 elements, which is not a multiple of dim = 4/);
    expect(() => engine.similarityMatrix(a, new Float32Array(8), { dim: 4, out: new Float32Array(5) })).toThrow(/out has 5 elements, expected n\*m = 6/);
    expect(() => engine.similarityMatrix(a, new Float64Array(8) as never, { dim: 4 })).toThrow(TypeError);
    expect(() => engine.similarityMatrix(a, a, { dim: 4, out: a.subarray(0, 9) })).toThrow(/out shares memory with a/);
  });
});
