// The suite's settings: how long it samples, which sizes the slow cases run at, and how closely
// every case must agree with the engine. From the environment:
//   BENCH_QUICK=1   a smoke run: tiny sizes, one round, short sampling (checks the suite end to end);
//   BENCH_ROUNDS=n  interleaved rounds per suite (default 3; 1 with BENCH_QUICK);
//   BENCH_RESULTS=dir  where results go instead of bench/results/ (lib/common.mjs).
export const QUICK = process.env.BENCH_QUICK === '1';
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));

/** benny's maxTime per case and round, in seconds: how long a fast case keeps sampling. */
export const SAMPLE_SECONDS = QUICK ? 0.02 : 0.25;

/** The most samples a case takes per round (benny's minSamples; slow cases take fewer). */
export const MAX_SAMPLES = QUICK ? 1 : 5;

/** The sizes every op is measured at, smallest first. */
export const SIZE_NAMES = ['small', 'medium', 'large'];

/**
 * The sizes at which the slow cases run, by family (an engine backend, or 'tfjs-<backend>' for a
 * tfjs peer); every other case runs at every size. An op may narrow them (ops/*.mjs, slowCaseSizes).
 */
export const SLOW_CASE_SIZES = { 'wasm-scalar': ['small', 'medium'], js: ['small', 'medium'], 'tfjs-cpu': ['small', 'medium'] };

/** Which families run at `size` (`runs(family)`), and the ones that did not (`skipped`). */
export function caseFilter(size, overrides = {}) {
  const limits = { ...SLOW_CASE_SIZES, ...overrides };
  const skipped = new Set();
  const runs = (family) => {
    const allowed = limits[family] === undefined || limits[family].includes(size);
    if (!allowed) skipped.add(family);
    return allowed;
  };
  return { runs, skipped };
}

/** Peers and engine cases are checked against the first engine case: max |Δ| / max |reference|. */
export const TOLERANCE = 1e-4;
