// Portable helpers over 128-bit vectors whose lanes are T (f32x4 or f64x2).
// Every branch on sizeof<T>() or on an ASC_FEATURE_* constant is resolved at compile time.

/** Lanes of T in one v128: 4 for f32, 2 for f64. */
@inline export function vectorLanes<T>(): i32 {
  return <i32>(16 / sizeof<T>());
}

/** acc + x·y; fused (one rounding) where the relaxed-simd flavour and the hardware allow it. */
@inline export function multiplyAdd<T>(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return v128.relaxed_madd<T>(x, y, acc);
  } else {
    return v128.add<T>(acc, v128.mul<T>(x, y));
  }
}

/** Sum of the lanes of v, in f64. */
@inline export function horizontalSum<T>(v: v128): f64 {
  if (sizeof<T>() == 4) {
    return (<f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1)) +
           (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3));
  } else {
    return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
  }
}

/**
 * Vectors accumulated in T before the partial sums are flushed into f64 scalars. Blocked
 * summation: each f32 lane adds at most 16 products, so the rounding error of a dot product
 * grows with sqrt(16) instead of sqrt(dim / 4), and the block sums are added exactly enough in f64.
 */
export const BLOCK_VECTORS: i32 = 16;
