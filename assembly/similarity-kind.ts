// Similarity codes shared with src/backends/wasm (SIMILARITY_CODES there must match).
export const COSINE: i32 = 0;
export const DOT: i32 = 1;
export const EUCLIDEAN: i32 = 2;

/** Largest f32 sum we accept before recomputing a row in f64: leaves headroom below 3.4e38. */
export const F32_SAFE_MAX: f64 = 1e36;
/** Smallest nonzero f32 sum of squares we trust: below it products may have become subnormal. */
export const F32_SAFE_MIN: f64 = 1e-30;

/** True when an f32 sum of squares may have overflowed or lost precision to underflow. */
@inline export function unsafeF32SumOfSquares(sum: f64): bool {
  return !(sum <= F32_SAFE_MAX) || (sum > 0 && sum < F32_SAFE_MIN);
}
