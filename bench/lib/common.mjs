// What every benchmark script shares: deterministic data and the median of per-round timings.

/** `length` floats in [−1, 1) from a linear congruential generator: the same data every run. */
export function randomArray(length, seed) {
  let state = seed;
  return Float32Array.from({ length }, () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

export function median(values) {
  return [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
}
