// What every benchmark script shares: deterministic data, the median of per-round timings, the
// machine a run is on, and where and how results are written.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `length` floats in [−1, 1) from a linear congruential generator: the same data every run. */
export function randomArray(length, seed) {
  let state = seed;
  return Float32Array.from({ length }, () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/** `base` plus `scale` times fresh noise: rows similar to `base` (positives, second views). */
export function perturbed(base, seed, scale = 0.5) {
  const noise = randomArray(base.length, seed);
  return base.map((x, k) => x + scale * noise[k]);
}

/** A new object with `f` applied to each of `object`'s values. */
export function mapValues(object, f) {
  return Object.fromEntries(Object.entries(object).map(([name, value]) => [name, f(value)]));
}

export function median(values) {
  return [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
}

/** Where a run happened: stamped on every result file and on the summary. */
export function machine() {
  return { date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
}

/** bench/ itself, and where results go: bench/results/, or the folder BENCH_RESULTS names (the suite's test). */
export const BENCH_FOLDER = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_FOLDER = process.env.BENCH_RESULTS || join(BENCH_FOLDER, 'results');

/** Writes bench/results/<file> with the machine it ran on, and says so. */
export function writeResults(file, report) {
  mkdirSync(RESULTS_FOLDER, { recursive: true });
  const stamped = { benchmark: report.benchmark, ...machine(), ...report };
  writeFileSync(join(RESULTS_FOLDER, file), `${JSON.stringify(stamped, null, 2)}\n`);
  console.log(`\nwrote ${join(RESULTS_FOLDER, file)}`);
}
