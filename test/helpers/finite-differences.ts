// Central finite differences, to check the reference's analytic gradients.

/** ∂f/∂x_e ≈ (f(x + h·e) − f(x − h·e)) / 2h for every element e of `base`. */
export function numericGradient(base: ArrayLike<number>, f: (input: Float64Array) => number, h = 1e-6): Float64Array {
  const grad = new Float64Array(base.length);
  for (let e = 0; e < base.length; e++) {
    const plus = Float64Array.from(base);
    const minus = Float64Array.from(base);
    plus[e] += h;
    minus[e] -= h;
    grad[e] = (f(plus) - f(minus)) / (2 * h);
  }
  return grad;
}
