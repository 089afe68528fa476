// A throughput probe for the benchmark: the multiply-add rate this flavour reaches when nothing
// but arithmetic is in the way (twelve independent accumulators, enough to cover the latency of
// the add or fused multiply-add on current x86 and ARM cores). It reports the f32x4 peak the
// similarity-matrix kernel is measured against.

import { multiplyAdd } from "./vector";

/**
 * Runs `iterations` rounds of 12 vector multiply-adds acc += x·y (12·4·2 flops per round), the
 * operation of the matrix kernel's inner loop; returns a sum so that nothing is optimised away.
 */
export function simdPeakProbe(iterations: i32): f32 {
  if (!ASC_FEATURE_SIMD) {
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    for (let i = 0; i < iterations; i++) {
      s0 = s0 * 0.999 + 1.0; s1 = s1 * 0.998 + 1.0; s2 = s2 * 0.997 + 1.0; s3 = s3 * 0.996 + 1.0;
    }
    return s0 + s1 + s2 + s3;
  }
  const x = f32x4.splat(0.999), y = f32x4.splat(1e-9);
  const zero = f32x4.splat(0);
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero, a8 = zero, a9 = zero, a10 = zero, a11 = zero;
  for (let i = 0; i < iterations; i++) {
    a0 = multiplyAdd<f32>(x, y, a0); a1 = multiplyAdd<f32>(x, y, a1); a2 = multiplyAdd<f32>(x, y, a2);
    a3 = multiplyAdd<f32>(x, y, a3); a4 = multiplyAdd<f32>(x, y, a4); a5 = multiplyAdd<f32>(x, y, a5);
    a6 = multiplyAdd<f32>(x, y, a6); a7 = multiplyAdd<f32>(x, y, a7); a8 = multiplyAdd<f32>(x, y, a8);
    a9 = multiplyAdd<f32>(x, y, a9); a10 = multiplyAdd<f32>(x, y, a10); a11 = multiplyAdd<f32>(x, y, a11);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  const t = f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11));
  const u = f32x4.add(s, t);
  return f32x4.extract_lane(u, 0) + f32x4.extract_lane(u, 1) + f32x4.extract_lane(u, 2) + f32x4.extract_lane(u, 3);
}
