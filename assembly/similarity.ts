// Row-wise similarity of paired rows: out[i] = sim(x_i, y_i) for [rows, dim] arrays (DESIGN.md §4).

import { BLOCK_VECTORS, horizontalSum, multiplyAdd, vectorLanes } from "./vector";
import { COSINE, EUCLIDEAN, unsafeF32SumOfSquares, F32_SAFE_MAX } from "./similarity-kind";

// Per-row sums for the current pair: ⟨x, y⟩, ‖x‖², ‖y‖² for cosine and dot; ‖x − y‖² for euclidean.
let dotXY: f64 = 0;
let sqX: f64 = 0;
let sqY: f64 = 0;

/** Adds elements [from, dim) into the sums, in f64. */
@inline function addPairSumsScalar<T>(x: usize, y: usize, from: i32, dim: i32, similarity: i32): void {
  let xy: f64 = 0, xx: f64 = 0, yy: f64 = 0;
  for (let j = from; j < dim; j++) {
    const o = <usize>j << alignof<T>();
    const u = <f64>load<T>(x + o), v = <f64>load<T>(y + o);
    if (similarity == EUCLIDEAN) {
      const d = u - v;
      xx += d * d;
    } else {
      xy += u * v;
      xx += u * u;
      yy += v * v;
    }
  }
  dotXY += xy; sqX += xx; sqY += yy;
}

/** ⟨x, y⟩ of the last pairSums call (cosine, dot). */
@inline export function pairDot(): f64 {
  return dotXY;
}

/** ‖x‖² (cosine, dot) or ‖x − y‖² (euclidean) of the last pairSums call. */
@inline export function pairSquaredX(): f64 {
  return sqX;
}

/** ‖y‖² of the last pairSums call (cosine, dot). */
@inline export function pairSquaredY(): f64 {
  return sqY;
}

/** Fills dotXY, sqX (‖x − y‖² for euclidean) and sqY for one pair of rows. */
@inline export function pairSums<T>(x: usize, y: usize, dim: i32, similarity: i32): void {
  dotXY = 0; sqX = 0; sqY = 0;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = vectorLanes<T>();
    const vectorEnd = dim - dim % lanes;
    while (j < vectorEnd) {
      const blockEnd = min(j + BLOCK_VECTORS * lanes, vectorEnd);
      let xy = v128.splat<T>(0), xx = xy, yy = xy;
      for (; j < blockEnd; j += lanes) {
        const o = <usize>j << alignof<T>();
        const u = v128.load(x + o), v = v128.load(y + o);
        if (similarity == EUCLIDEAN) {
          const d = v128.sub<T>(u, v);
          xx = multiplyAdd<T>(d, d, xx);
        } else {
          xy = multiplyAdd<T>(u, v, xy);
          xx = multiplyAdd<T>(u, u, xx);
          yy = multiplyAdd<T>(v, v, yy);
        }
      }
      dotXY += horizontalSum<T>(xy);
      sqX += horizontalSum<T>(xx);
      sqY += horizontalSum<T>(yy);
    }
  }
  addPairSumsScalar<T>(x, y, j, dim, similarity);
  if (sizeof<T>() == 4 && (unsafeF32SumOfSquares(sqX) || unsafeF32SumOfSquares(sqY) ||
      !(Math.abs(dotXY) <= F32_SAFE_MAX))) {
    dotXY = 0; sqX = 0; sqY = 0;
    addPairSumsScalar<T>(x, y, 0, dim, similarity);
  }
}

/** out[i] = sim(x_i, y_i) for i < rows; eps clamps each cosine norm from below. */
@inline export function rowSimilarity<T>(x: usize, y: usize, rows: i32, dim: i32, similarity: i32, eps: f64, out: usize): void {
  const rowBytes = <usize>dim << alignof<T>();
  for (let i = 0; i < rows; i++) {
    const offset = <usize>i * rowBytes;
    pairSums<T>(x + offset, y + offset, dim, similarity);
    let s: f64;
    if (similarity == EUCLIDEAN) {
      s = -Math.sqrt(sqX);
    } else if (similarity == COSINE) {
      s = dotXY / (Math.max(Math.sqrt(sqX), eps) * Math.max(Math.sqrt(sqY), eps));
    } else {
      s = dotXY;
    }
    store<T>(out + (<usize>i << alignof<T>()), <T>s);
  }
}
