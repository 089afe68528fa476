// `npm run bench`, part 2: peak memory of batchContrastiveLoss in CLIP mode with gradients at
// n = m = 16,384, dim 128 (float32, cosine): the logit matrix is never materialised (it is produced
// tile by tile with an online log-sum-exp and recomputed in the backward pass), so the process must
// stay under 512 MiB of resident memory. A materialised 16,384² float32 logit matrix alone would be
// 1 GiB (and autodiff keeps several of them). Each backend runs in a fresh child process, so that
// its peak RSS (process.resourceUsage().maxRSS) measures only itself: the child creates the engine,
// builds the inputs (2 × 8 MiB), makes one call with gradients and prints one line of JSON.
// Usage: node --experimental-wasm-relaxed-simd bench/batch-memory.mjs [backend ...]
// (default: every available WebAssembly flavour; 'js' runs only when named, as it takes minutes).
// Exits non-zero when any peak reaches 512 MiB or a child fails. Results: bench/results/batch-memory.json.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { availableBackends, createEngine } from 'contrastive-loss';
import { randomArray, writeResults } from './lib/common.mjs';

const ROWS = 16384;
const DIM = 128;
const TEMPERATURE = 0.1;
const EPS = 1e-8;
const LIMIT_MIB = 512;
const THIS_FILE = fileURLToPath(import.meta.url);
const MiB = 2 ** 20;

async function engineWithBatchLoss(backend) {
  const engine = await createEngine({ backend });
  if (typeof engine.batchContrastiveLoss !== 'function') {
    console.error(`bench/batch-memory.mjs: engine.batchContrastiveLoss is not a function on backend ${engine.backend}; `
      + 'build the package (npm run build) from a tree that implements it.');
    process.exit(1);
  }
  return engine;
}

if (process.argv[2] === '--child') {
  const engine = await engineWithBatchLoss(process.argv[3]);
  const a = randomArray(ROWS * DIM, 1);
  const b = randomArray(ROWS * DIM, 2);
  for (let k = 0; k < a.length; k++) b[k] = a[k] + 0.5 * b[k];
  const baselineRssMiB = process.memoryUsage().rss / MiB;
  const peakBeforeMiB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  const start = performance.now();
  const result = engine.batchContrastiveLoss({
    a, b, mode: 'clip', dim: DIM, temperature: TEMPERATURE, similarity: 'cosine', eps: EPS, gradients: true,
  });
  const milliseconds = performance.now() - start;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({
    backend: engine.backend, peakRssMiB, baselineRssMiB, peakBeforeMiB, milliseconds,
    loss: result.loss, gradTemperature: result.gradTemperature,
  }));
  process.exit(0);
}

const requested = process.argv.slice(2);
// By default the SIMD flavours; wasm-scalar (about two minutes here) with BENCH_SCALAR=1 or by name.
const backends = requested.length > 0
  ? requested
  : availableBackends().filter((name) => name !== 'js' && (name !== 'wasm-scalar' || process.env.BENCH_SCALAR === '1'));
for (const backend of backends) await engineWithBatchLoss(backend); // fail fast, before any child runs
const results = [];
let failed = false;
for (const backend of backends) {
  try {
    const stdout = execFileSync(process.execPath, [...process.execArgv, THIS_FILE, '--child', backend], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60 * 1000,
    });
    const line = stdout.trim().split('\n').at(-1);
    const measured = JSON.parse(line);
    results.push(measured);
    console.log(`${backend}: peak RSS ${measured.peakRssMiB.toFixed(1)} MiB in ${(measured.milliseconds / 1e3).toFixed(2)} s`);
  } catch (error) {
    failed = true;
    console.error(`${backend}: the child process failed (${error.status ?? error.signal ?? error.message})`);
    results.push({ backend, error: String(error.message).split('\n')[0] });
  }
}

const rows = results.filter((r) => !r.error).map((r) => ({
  backend: r.backend,
  'peak RSS MiB': Number(r.peakRssMiB.toFixed(1)),
  'RSS before call MiB': Number(r.baselineRssMiB.toFixed(1)),
  'peak before call MiB': Number(r.peakBeforeMiB.toFixed(1)),
  'call s': Number((r.milliseconds / 1e3).toFixed(2)),
  loss: Number(r.loss.toFixed(6)),
  [`< ${LIMIT_MIB} MiB`]: r.peakRssMiB < LIMIT_MIB,
}));
console.log(`\nbatchContrastiveLoss clip n=m=${ROWS}, D=${DIM}, float32, cosine, with gradients `
  + `(a materialised ${ROWS}² f32 logit matrix: ${(ROWS * ROWS * 4) / MiB} MiB):`);
console.table(rows);
const over = results.filter((r) => !r.error && r.peakRssMiB >= LIMIT_MIB).map((r) => r.backend);
if (over.length > 0) console.error(`peak RSS reached ${LIMIT_MIB} MiB on: ${over.join(', ')}`);

writeResults('batch-memory.json', {
  benchmark: 'batchContrastiveLoss peak RSS',
  shape: { mode: 'clip', rows: ROWS, columns: ROWS, dim: DIM, dtype: 'f32', similarity: 'cosine', temperature: TEMPERATURE, gradients: true },
  limitMiB: LIMIT_MIB,
  materialisedLogitsMiB: (ROWS * ROWS * 4) / MiB,
  results,
  rows,
});
if (failed || over.length > 0) process.exitCode = 1;
