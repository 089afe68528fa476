// Deterministic test data: a seeded generator and triplet batches of the shapes the suite sweeps.
import type { DType, FloatArray } from '../../src/types.js';

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(dtype: DType, length: number, random: () => number, scale = 1): FloatArray {
  const array = dtype === 'f32' ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) array[i] = (random() * 2 - 1) * scale;
  return array;
}

export interface Triplets {
  anchor: FloatArray;
  positive: FloatArray;
  negative: FloatArray;
  dim: number;
  rows: number;
}

/** Random triplets whose positives are noisy copies of the anchors, so that s⁺ > s⁻ on average. */
export function makeTriplets(dtype: DType, rows: number, dim: number, seed = 1, scale = 1): Triplets {
  const random = seededRandom(seed * 7919 + rows * 31 + dim);
  const anchor = randomArray(dtype, rows * dim, random, scale);
  const noise = randomArray(dtype, rows * dim, random, scale);
  const positive = anchor.map((x, k) => x + 0.5 * noise[k]) as FloatArray;
  const negative = randomArray(dtype, rows * dim, random, scale);
  return { anchor, positive, negative, dim, rows };
}
