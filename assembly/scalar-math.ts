// Per-row scalar maths, always in f64 (DESIGN.md §4). Never evaluates e^x for x > 0.

/**
 * softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}), and its derivative sigmoid(x) =
 * 1/(1 + e^{-x}), from one exponential e^{-|x|} (which cannot overflow). The loss and its
 * derivative are always needed together; the sigmoid is left in `lastSigmoid`.
 */
let lastSigmoid: f64 = 0;

@inline export function softplusWithSigmoid(x: f64): f64 {
  const e = Math.exp(-Math.abs(x));
  const inverse = 1.0 / (1.0 + e);
  lastSigmoid = x >= 0 ? inverse : e * inverse;
  return Math.max(x, 0) + Math.log1p(e);
}

/** sigmoid of the argument of the last softplusWithSigmoid call. */
@inline export function sigmoidOfLast(): f64 {
  return lastSigmoid;
}
