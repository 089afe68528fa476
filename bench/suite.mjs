// `npm run bench`, part 1: every public op (tripletLoss, infoNCELoss, batchContrastiveLoss in CLIP
// mode, similarity, similarityMatrix) at a small, a medium and a large size, on every CPU backend
// this Node runs (run it with --experimental-wasm-relaxed-simd so that Node 20 runs all four),
// beside its peers (a plain fused JavaScript loop where one is natural, and tfjs on its wasm and
// cpu backends: autodiff of the same loss, or matMul) and its anchors (memcpy of the bytes a
// streaming loss moves; the f32x4 peak for the matrix product). Each op and size is one benny
// suite (lib/run-suite.mjs: checked outputs, interleaved rounds, medians); ratios are taken only
// between cases of one suite. The slow cases (wasm-scalar, js, tfjs-cpu) run only at some sizes
// (lib/config.mjs, SLOW_CASE_SIZES) so that the suite takes about 7 minutes here; the output and
// the summary say which did not run.
// Writes bench/results/<op>-<size>.json and .chart.html (benny's), bench/results/suite.json (every
// median and round), and the tables to bench/SUMMARY.md, or to bench/results/SUMMARY.md for a
// partial run (BENCH_QUICK=1, or ops named on the command line: node bench/suite.mjs similarity).
// Options: lib/config.mjs. Exits non-zero when a case's outputs disagree with the engine's.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_FOLDER, machine, RESULTS_FOLDER, writeResults } from './lib/common.mjs';
import { caseFilter, QUICK, ROUNDS, SIZE_NAMES } from './lib/config.mjs';
import { createEngines } from './lib/engine-cases.mjs';
import { agrees, runSuite } from './lib/run-suite.mjs';
import { markdownSummary, tableRows } from './lib/summary.mjs';
import batch from './ops/batch.mjs';
import infonce from './ops/infonce.mjs';
import matrix from './ops/matrix.mjs';
import similarity from './ops/similarity.mjs';
import triplet from './ops/triplet.mjs';

const OPS = [triplet, infonce, batch, similarity, matrix];

const started = performance.now();
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !OPS.some((op) => op.op === name));
if (unknown.length > 0) throw new Error(`unknown op ${unknown.join(', ')}; the ops are ${OPS.map((op) => op.op).join(', ')}`);
const ops = requested.length > 0 ? OPS.filter((op) => requested.includes(op.op)) : OPS;
const complete = !QUICK && requested.length === 0;

const engines = await createEngines();
const backends = engines.map((engine) => engine.backend);
const runNotes = runNotesFor(backends);
runNotes.forEach((note) => console.log(note));

const sections = [];
for (const op of ops) sections.push({ op, sizes: await measureOp(op) });

const run = { ...machine(), backends, rounds: ROUNDS, quick: QUICK, minutes: (performance.now() - started) / 6e4, notes: runNotes };
const summaryPath = complete ? join(BENCH_FOLDER, 'SUMMARY.md') : join(RESULTS_FOLDER, 'SUMMARY.md');
writeFileSync(summaryPath, markdownSummary(sections, run));
console.log(`\nwrote ${summaryPath} (${run.minutes.toFixed(1)} minutes)`);
writeResults('suite.json', { benchmark: 'suite', ...run, ops: sections.map(resultsOf) });
const disagreeing = sections.flatMap(({ sizes }) => sizes.flatMap((size) => size.rows.filter((row) => !agrees(row))));
if (disagreeing.length > 0) {
  console.error(`outputs disagree with the engine's: ${disagreeing.map((row) => row.name).join(', ')}`);
  process.exitCode = 1;
}

/** Every size of one op: build its cases, time them, release them, print the table. */
async function measureOp(op) {
  const sizes = [];
  for (const size of SIZE_NAMES) {
    const shape = op.sizes[size];
    const label = op.label(shape);
    const { runs, skipped } = caseFilter(size, op.slowCaseSizes);
    const cases = await op.build(shape, { engines, runs });
    const title = `${op.op} ${size} ${label}`;
    const rows = await runSuite({ id: `${op.op}-${size}`, title, cases, compared: op.compared });
    cases.forEach((c) => c.dispose?.());
    const notes = skipped.size === 0 ? [] : [`${[...skipped].join(', ')} not run at this size (slow; limited to keep \`npm run bench\` short)`];
    sizes.push({ size, label, shape, rows, notes });
    console.log(`\n${title} (${op.about}), medians of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}:`);
    console.table(tableRows(op, { shape, rows }));
    notes.forEach((note) => console.log(`  ${note}`));
  }
  return sizes;
}

function runNotesFor(names) {
  const notes = [];
  if (QUICK) notes.push('**BENCH_QUICK=1: a smoke run at tiny sizes with few samples; these figures mean nothing.**');
  if (!names.includes('wasm-relaxed-simd')) notes.push('wasm-relaxed-simd does not run in this Node (Node 20 needs --experimental-wasm-relaxed-simd).');
  return notes;
}

function resultsOf({ op, sizes }) {
  return {
    op: op.op,
    about: op.about,
    sizes: sizes.map(({ size, label, shape, rows, notes }) => ({
      size, label, shape, notes,
      cases: rows.map(({ name, kind, ms, perRoundMs, error }) => ({ name, kind, medianMs: ms, perRoundMs, relativeError: error })),
      table: tableRows(op, { shape, rows }),
    })),
  };
}
