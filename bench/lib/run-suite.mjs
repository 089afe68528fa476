// Times the cases of one op at one size, side by side in this process. First every case is called
// once and its outputs checked against the first case's (every backend and peer must compute the
// same thing); then ROUNDS interleaved rounds, each one benny suite of every case starting at a
// different case (so that no case always runs first, or after the same GC-heavy one); per-case
// medians across rounds. Benny saves the last round as bench/results/<id>.json (with its samples)
// and <id>.chart.html.
import b from 'benny';
import { median, RESULTS_FOLDER } from './common.mjs';
import { MAX_SAMPLES, ROUNDS, SAMPLE_SECONDS, TOLERANCE } from './config.mjs';

/** Returns every case with `ms` (median milliseconds across rounds), `perRoundMs` and `error` (vs the first case). */
export async function runSuite({ id, title, cases, compared }) {
  const first = cases.map((c) => firstCall(c, compared));
  const reference = first[0].values;
  const perRound = cases.map(() => []);
  for (let round = 1; round <= ROUNDS; round++) {
    // The last round runs the cases in their own order, which is the order of benny's saved files.
    const order = cases.map((_, k) => (k + ROUNDS - round) % cases.length);
    const summary = await b.suite(
      `${title}, round ${round}/${ROUNDS}`,
      ...order.map((k) => b.add(cases[k].name, cases[k].run, { maxTime: SAMPLE_SECONDS, minSamples: samplesFor(first[k].seconds) })),
      b.cycle(printCase),
      ...(round === ROUNDS ? saves(id) : []),
    );
    summary.results.forEach((result, position) => perRound[order[position]].push(result.details.median * 1e3));
  }
  return cases.map((c, k) => ({
    ...c, ms: median(perRound[k]), perRoundMs: perRound[k], error: first[k].values && relativeError(reference, first[k].values),
  }));
}

/** Calls a case once: how long it took, and copies of the outputs to compare (none for anchors). */
function firstCall(testCase, compared) {
  const start = performance.now();
  const output = testCase.run();
  const seconds = (performance.now() - start) / 1e3;
  if (output === undefined) return { seconds, values: null };
  const values = compared ? compared.map((field) => output[field]) : [output];
  return { seconds, values: values.map((value) => (typeof value === 'number' ? value : Float32Array.from(value))) };
}

/**
 * Benny samples a case until maxTime has passed and it has minSamples samples, and a case slower
 * than maxTime costs 1 + 2·samples calls a round: so slow cases take fewer samples (at least one).
 */
function samplesFor(callSeconds) {
  return Math.max(1, Math.min(MAX_SAMPLES, Math.floor(SAMPLE_SECONDS / callSeconds)));
}

/** The largest relative difference over the compared outputs: |Δ| / |x| for numbers, max |Δ| / max |x| for arrays. */
function relativeError(reference, values) {
  return Math.max(...reference.map((x, k) => {
    const y = values[k];
    if (typeof x === 'number') return Math.abs(y - x) / Math.abs(x);
    if (y.length !== x.length) return Infinity;
    let difference = 0;
    let scale = 0;
    for (let i = 0; i < x.length; i++) {
      difference = Math.max(difference, Math.abs(y[i] - x[i]));
      scale = Math.max(scale, Math.abs(x[i]));
    }
    return difference / scale;
  }));
}

/** Whether a measured case computed the same as the reference case, within TOLERANCE. */
export function agrees(row) {
  return row.error === null || row.error <= TOLERANCE;
}

function printCase(result) {
  console.log(`  ${result.name.padEnd(48)} ${(result.details.median * 1e3).toPrecision(4).padStart(10)} ms median, ${result.samples} samples`);
}

function saves(id) {
  return ['json', 'chart.html'].map((format) => b.save({ file: id, folder: RESULTS_FOLDER, details: true, format }));
}
