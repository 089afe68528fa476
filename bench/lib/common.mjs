// What every benchmark script shares: deterministic data, the median of per-round timings, and
// where and how results are written.
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

export function median(values) {
  return [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
}

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Writes bench/results/<file> with the machine it ran on, and says so. */
export function writeResults(file, report) {
  mkdirSync(RESULTS, { recursive: true });
  const stamped = { benchmark: report.benchmark, date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, ...report };
  writeFileSync(join(RESULTS, file), `${JSON.stringify(stamped, null, 2)}\n`);
  console.log(`\nwrote ${join('bench', 'results', file)}`);
}

/** The folder benny's own JSON goes to. */
export const RESULTS_FOLDER = RESULTS;
