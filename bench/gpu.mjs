// `npm run bench`, part 3: the GPU path (gpu.js, async ops) against the engine's WebAssembly
// backend (sync ops), for tripletLoss with gradients and for similarityMatrix across sizes, in one
// process with interleaved rounds; prints the ratio per size and the crossover measured here.
// Needs a gpu.js GPU backend: in Node that is headless-gl (gpu.js's optional `gl`), e.g.
// `xvfb-run -a node bench/gpu.mjs` on a machine without a display. Where there is none, or the
// renderer is not known to be hardware, it says so instead of pretending. Results: bench/results/gpu.json.
import { createEngine } from 'contrastive-loss';
import { median, randomArray, writeResults } from './lib/common.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TRIPLET_DIM = 256;
const TRIPLET_ROWS = [256, 1024, 4096, 16384];
const MATRIX_DIM = 256;
const MATRIX_ROWS = [128, 256, 512, 1024, 2048];

let engine;
try {
  engine = await createEngine({ backend: 'gpu' });
} catch (error) {
  console.log(`No GPU path on this machine, nothing to compare: ${error.message}`);
  writeResults('gpu.json', { benchmark: 'gpu', available: false, reason: error.message });
  process.exit(0);
}
const { gpu } = engine;
console.log(`GPU path: ${gpu.backend} on ${gpu.renderer}; CPU path: ${engine.backend}`);
const caveat = gpu.software === true
  ? 'runs on a software renderer: these figures say nothing about GPUs'
  : gpu.software === null
    ? 'does not name its driver; under Xvfb that is Mesa\'s software rasterizer, and then these figures say nothing about GPUs'
    : null;
if (caveat) console.log(`Note: ${gpu.backend} ${caveat}.`);

/** Interleaved rounds of both paths on one case; medians in ms. */
async function compare(runCpu, runGpu) {
  await runGpu(); // compiles the kernels
  runCpu();
  const cpuTimes = [];
  const gpuTimes = [];
  for (let round = 0; round < ROUNDS; round++) {
    let start = performance.now();
    runCpu();
    cpuTimes.push(performance.now() - start);
    start = performance.now();
    await runGpu();
    gpuTimes.push(performance.now() - start);
  }
  return { cpuMs: median(cpuTimes), gpuMs: median(gpuTimes) };
}

/** Smallest work from which the GPU wins at every larger size measured; null when it never does. */
function crossover(rows) {
  let from = null;
  for (let i = rows.length - 1; i >= 0 && rows[i].gpuMs < rows[i].cpuMs; i--) from = rows[i].work;
  return from;
}

function report(op, rows) {
  console.log(`\n${op}`);
  console.log('| shape | work | ' + `${engine.backend} | ${gpu.backend} | GPU speed-up |`);
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.shape} | ${r.work} | ${r.cpuMs.toFixed(2)} ms | ${r.gpuMs.toFixed(2)} ms | ${(r.cpuMs / r.gpuMs).toFixed(2)}× |`);
  }
  const from = crossover(rows);
  console.log(from === null
    ? `crossover: none, ${engine.backend} is faster at every size measured`
    : `crossover: the GPU is faster from work ${from} (${rows.find((r) => r.work === from).shape})`);
  return { rows, crossover: from };
}

const triplet = [];
for (const rows of TRIPLET_ROWS) {
  const size = rows * TRIPLET_DIM;
  const options = {
    anchor: randomArray(size, 1), positive: randomArray(size, 2), negative: randomArray(size, 3), dim: TRIPLET_DIM,
    out: {
      losses: new Float32Array(rows), similarityPositive: new Float32Array(rows), similarityNegative: new Float32Array(rows),
      gradAnchor: new Float32Array(size), gradPositive: new Float32Array(size), gradNegative: new Float32Array(size),
    },
  };
  const times = await compare(() => engine.tripletLoss(options), () => engine.tripletLossAsync(options));
  triplet.push({ shape: `${rows}×${TRIPLET_DIM}`, work: size, ...times });
}

const matrix = [];
for (const rows of MATRIX_ROWS) {
  const a = randomArray(rows * MATRIX_DIM, 4);
  const b = randomArray(rows * MATRIX_DIM, 5);
  const out = new Float32Array(rows * rows);
  const options = { dim: MATRIX_DIM, out };
  const times = await compare(() => engine.similarityMatrix(a, b, options), () => engine.similarityMatrixAsync(a, b, options));
  matrix.push({ shape: `${rows}×${rows}×${MATRIX_DIM}`, work: rows * rows * MATRIX_DIM, ...times });
}

writeResults('gpu.json', {
  benchmark: 'gpu', available: true, gpu, cpuBackend: engine.backend, caveat,
  tripletLoss: report('tripletLoss (cosine, with gradients)', triplet),
  similarityMatrix: report('similarityMatrix (cosine)', matrix),
});
