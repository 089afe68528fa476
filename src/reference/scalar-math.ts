// Numerically stable scalar functions (DESIGN.md §4). Never evaluates e^x for x > 0.

/** softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^{−|x|}). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** sigmoid(x) = 1 / (1 + e^{−x}), through e^{−|x|}. */
export function sigmoid(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}
