// Accuracy measures used against the float64 reference.
//
// Errors are norm-wise relative: max_i |actual_i − expected_i| / scale, with scale the largest
// |expected_i| by default, the usual measure for arrays (an elementwise relative error is
// meaningless where an entry is ~0 only because of cancellation). Differences below `floor`, the
// smallest normal number of the output type, are representation limits and count as 0: an f32
// loss of 1e-42 is subnormal and cannot carry 24 bits.
import { expect } from 'vitest';

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** Smallest normal number of each output type. */
export const F32_MIN_NORMAL = 2 ** -126;
export const F64_MIN_NORMAL = 2 ** -1022;

export function minNormalOf(array: ArrayLike<number>): number {
  return array instanceof Float32Array ? F32_MIN_NORMAL : F64_MIN_NORMAL;
}

/** max |actual − expected| / scale (scale defaults to max |expected|); 0 when both agree to `floor`. */
export function relativeError(
  actual: ArrayLike<number>, expected: ArrayLike<number>, scale = maxAbs(expected), floor = minNormalOf(actual),
): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    if (Number.isNaN(actual[i]) !== Number.isNaN(expected[i])) return Infinity;
    const diff = Math.abs(actual[i] - expected[i]);
    if (diff > floor) worst = Math.max(worst, diff);
  }
  if (worst === 0) return 0;
  return scale > 0 ? worst / scale : Infinity;
}

export function scalarRelativeError(actual: number, expected: number): number {
  if (actual === expected) return 0;
  return Math.abs(actual - expected) / Math.abs(expected);
}

export function expectAllFinite(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${name}[${i}] is ${values[i]}`);
  }
}
