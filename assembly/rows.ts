// Row updates for gradients: out (=|+=) α·x + β·y and out (=|+=) u·(x − y), SIMD with a scalar
// tail. `accumulate` is a compile-time choice at each call site (the functions are inlined).
// Each element of x and y is read before out is written at the same index.

import { multiplyAdd, vectorLanes } from "./vector";

/** out = α·x + β·y, or out += α·x + β·y when accumulating. */
@inline export function combineRows<T>(out: usize, x: usize, y: usize, dim: i32, alpha: f64, beta: f64, accumulate: bool): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = vectorLanes<T>();
    const vectorEnd = dim - dim % lanes;
    const va = v128.splat<T>(<T>alpha), vb = v128.splat<T>(<T>beta);
    for (; j < vectorEnd; j += lanes) {
      const o = <usize>j << alignof<T>();
      let value = multiplyAdd<T>(vb, v128.load(y + o), v128.mul<T>(va, v128.load(x + o)));
      if (accumulate) value = v128.add<T>(value, v128.load(out + o));
      v128.store(out + o, value);
    }
  }
  for (; j < dim; j++) {
    const o = <usize>j << alignof<T>();
    let value = alpha * <f64>load<T>(x + o) + beta * <f64>load<T>(y + o);
    if (accumulate) value += <f64>load<T>(out + o);
    store<T>(out + o, <T>value);
  }
}

/** out = u·(x − y), or out += u·(x − y) when accumulating (euclidean gradients, no cancellation). */
@inline export function scaleDifference<T>(out: usize, x: usize, y: usize, dim: i32, u: f64, accumulate: bool): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = vectorLanes<T>();
    const vectorEnd = dim - dim % lanes;
    const vu = v128.splat<T>(<T>u);
    for (; j < vectorEnd; j += lanes) {
      const o = <usize>j << alignof<T>();
      const difference = v128.sub<T>(v128.load(x + o), v128.load(y + o));
      v128.store(out + o, accumulate ? multiplyAdd<T>(vu, difference, v128.load(out + o)) : v128.mul<T>(vu, difference));
    }
  }
  for (; j < dim; j++) {
    const o = <usize>j << alignof<T>();
    let value = u * (<f64>load<T>(x + o) - <f64>load<T>(y + o));
    if (accumulate) value += <f64>load<T>(out + o);
    store<T>(out + o, <T>value);
  }
}
