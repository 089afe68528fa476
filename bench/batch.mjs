// `npm run bench`, part 3: batchContrastiveLoss in CLIP mode at n = 4096, dim 256 (float32,
// cosine, σ = 0.1, with gradients for a, b and σ) for every SIMD WebAssembly flavour this Node can
// run (run with --experimental-wasm-relaxed-simd so that both run; BENCH_SCALAR=1 adds wasm-scalar,
// whose calls take ~14 s each here), on plain arrays with caller-owned outputs, beside tfjs-wasm
// autodiff of the same loss (which materialises the n×n logits and runs its matMuls in whichever
// layouts autodiff picks). All cases run in this one process, in interleaved rounds (each round
// runs every case, starting at a different case); ratios are taken between per-case medians
// across rounds. Results: bench/results/batch.json.
import b from 'benny';
import { availableBackends, createEngine } from 'contrastive-loss';
import { createTfjsClipLoss } from './baselines/tfjs-clip.mjs';
import { randomArray, median, writeResults } from './lib/common.mjs';

const ROWS = 4096;
const DIM = 256;
const TEMPERATURE = 0.1;
const EPS = 1e-8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// tfjs and the engine both compute in float32; the loss is a mean of 4096-wide log-sum-exps.
const TOLERANCE = 1e-4;
// benny makes 1 + 2·minSamples calls of a case that runs longer than maxTime (one to see what it
// returns, two per sample), and one tfjs step takes ~23 s on a 2-core machine (its A·Bᵀ matMul and
// the Lᵀ·A one autodiff picks for ∂b̂ run at ~2 GFLOP/s): through benny, 3 rounds of it alone would
// take 3.5 minutes. So the tfjs step is timed directly, once per round, in its turn in the round's
// order (after one untimed warm-up step, which also gives the values checked below).
const TFJS = 'tfjs-wasm autodiff';
const length = ROWS * DIM;

function newOutputs() {
  return { losses: new Float32Array(ROWS), gradA: new Float32Array(length), gradB: new Float32Array(length) };
}

const a = randomArray(length, 1);
const noise = randomArray(length, 2);
const bRows = a.map((x, k) => x + 0.5 * noise[k]);
const options = { a, b: bRows, mode: 'clip', dim: DIM, temperature: TEMPERATURE, similarity: 'cosine', eps: EPS, gradients: true };

const flavours = availableBackends().filter((name) => name !== 'js' && (name !== 'wasm-scalar' || process.env.BENCH_SCALAR === '1'));
const engines = await Promise.all(flavours.map((backend) => createEngine({ backend })));
for (const engine of engines) {
  if (typeof engine.batchContrastiveLoss !== 'function') {
    console.error(`bench/batch.mjs: engine.batchContrastiveLoss is not a function on backend ${engine.backend}; `
      + 'build the package (npm run build) from a tree that implements it.');
    process.exit(1);
  }
}

// name → { run, options } (options null: timed directly, not through benny); every engine case
// writes caller-owned outputs (no allocation per call).
const cases = new Map();
const notes = [];

// One reference result from the fastest flavour, computed before the rounds (fails fast on a broken engine).
const ours = engines[0].batchContrastiveLoss(options);
if (!Number.isFinite(ours.loss)) throw new Error(`${engines[0].backend}: clip loss is ${ours.loss}`);

for (const engine of engines) {
  const out = newOutputs();
  // A call takes ~1.3 s on the SIMD flavours (7 calls a round), ~14 s on wasm-scalar (3 calls a round).
  cases.set(`${engine.backend} (plain arrays)`, {
    run: () => engine.batchContrastiveLoss({ ...options, out }),
    options: { maxTime: 0.5, minSamples: engine.backend === 'wasm-scalar' ? 1 : 3 },
  });
}

const tfjs = await createTfjsClipLoss('wasm', a, bRows, ROWS, DIM, TEMPERATURE, EPS);
const theirs = tfjs.step(); // warm-up
cases.set(TFJS, { run: tfjs.step, options: null });

const perRound = new Map([...cases.keys()].map((name) => [name, []]));
const caseList = [...cases];
for (let round = 1; round <= ROUNDS; round++) {
  // Each round starts at a different case, so that no case always runs first (after a GC-heavy one).
  const order = caseList.map((_, k) => caseList[(k + round - 1) % caseList.length]);
  // The benny cases before the tfjs step run as one suite, those after it as another.
  const tfjsAt = order.findIndex(([name]) => name === TFJS);
  const parts = [order.slice(0, tfjsAt), [order[tfjsAt]], order.slice(tfjsAt + 1)].filter((part) => part.length > 0);
  for (const [p, part] of parts.entries()) {
    if (part[0][0] === TFJS) {
      const start = performance.now();
      tfjs.step();
      const time = performance.now() - start;
      perRound.get(TFJS).push(time);
      console.log(`\n  ${TFJS} (timed directly, round ${round}/${ROUNDS}): ${time.toFixed(0)} ms`);
      continue;
    }
    const summary = await b.suite(
      `batchContrastiveLoss clip n=${ROWS} D=${DIM} f32 cosine with gradients, round ${round}/${ROUNDS}, part ${p + 1}/${parts.length}`,
      ...part.map(([name, { run, options: caseOptions }]) => b.add(name, run, caseOptions)),
      b.cycle(),
    );
    for (const result of summary.results) perRound.get(result.name).push(result.details.median * 1e3);
  }
}

// Sanity: tfjs computes the same thing as the engine (loss, ∂a, ∂b), and the engine's ∂σ matches
// float64. tfjs's ∂σ is a float32 sum of n² = 16.8M terms G_ij·ℓ_ij that nearly cancel (each row of
// G sums to zero), good to only ~3% at this size (34.53 where float64 gives 33.65), so it is shown
// but not held to the tolerance.
let agree = true;
{
  const maxAbs = (x) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const maxDiff = (x, y) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
  const exact = clipGradTemperatureFloat64(a, bRows, ROWS, DIM, TEMPERATURE, EPS);
  const relative = {
    loss: Math.abs(ours.loss - theirs.loss) / Math.abs(theirs.loss),
    gradA: maxDiff(ours.gradA, theirs.gradA) / maxAbs(theirs.gradA),
    gradB: maxDiff(ours.gradB, theirs.gradB) / maxAbs(theirs.gradB),
    gradTemperature: Math.abs(ours.gradTemperature - exact) / Math.abs(exact),
  };
  agree = Object.values(relative).every((error) => error <= TOLERANCE);
  notes.push(`tfjs-wasm and ${engines[0].backend} agree within ${TOLERANCE} relative: ${agree ? 'yes' : 'NO'} `
    + `(loss ${ours.loss.toFixed(6)} vs ${theirs.loss.toFixed(6)}, ${relative.loss.toExponential(1)}; `
    + `gradA ${relative.gradA.toExponential(1)} and gradB ${relative.gradB.toExponential(1)} relative to max |grad|; `
    + `gradTemperature ${ours.gradTemperature.toFixed(5)} vs float64 ${exact.toFixed(5)}, ${relative.gradTemperature.toExponential(1)}; `
    + `tfjs's float32 gradTemperature ${theirs.gradTemperature.toFixed(5)} is off by ${(Math.abs(theirs.gradTemperature - exact) / Math.abs(exact)).toExponential(1)})`);
}

/** ∂L/∂σ of the clip loss in float64: −(1/σ)·Σ_ij (∂L/∂ℓ_ij)·ℓ_ij, from the materialised logits. */
function clipGradTemperatureFloat64(aRows, bRowsIn, rows, dim, temperature, eps) {
  const normalise = (x) => {
    const out = new Float64Array(x.length);
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let k = 0; k < dim; k++) sum += x[i * dim + k] ** 2;
      const norm = Math.max(Math.sqrt(sum), eps);
      for (let k = 0; k < dim; k++) out[i * dim + k] = x[i * dim + k] / norm;
    }
    return out;
  };
  const x = normalise(aRows);
  const y = normalise(bRowsIn);
  const logits = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += x[i * dim + k] * y[j * dim + k];
      logits[i * rows + j] = dot / temperature;
    }
  }
  // Each cross-entropy term contributes (E_softmax[ℓ] − ℓ_target)·(−1/σ)·(weight 1/(2n)).
  let sum = 0;
  for (const [stride, step] of [[rows, 1], [1, rows]]) { // rows, then columns
    for (let i = 0; i < rows; i++) {
      let max = -Infinity;
      for (let j = 0; j < rows; j++) max = Math.max(max, logits[i * stride + j * step]);
      let z = 0;
      let weighted = 0;
      for (let j = 0; j < rows; j++) {
        const l = logits[i * stride + j * step];
        const e = Math.exp(l - max);
        z += e;
        weighted += e * l;
      }
      sum += weighted / z - logits[i * rows + i];
    }
  }
  return -sum / (2 * rows * temperature);
}

const ms = new Map([...perRound].map(([name, values]) => [name, median(values)]));
const rows = [...ms]
  .filter(([name]) => name !== 'tfjs-wasm autodiff')
  .map(([name, time]) => ({
    case: name,
    'median ms': Number(time.toFixed(2)),
    '× tfjs-wasm': Number((ms.get('tfjs-wasm autodiff') / time).toFixed(1)),
  }));

console.log(`\nMedians of ${ROUNDS} interleaved rounds, clip n=${ROWS}, D=${DIM}, float32, cosine, with gradients:`);
for (const [name, time] of ms) console.log(`  ${name.padEnd(32)} ${time.toFixed(2)} ms`);
console.table(rows);
for (const note of notes) console.log(note);

writeResults('batch.json', {
  benchmark: 'batchContrastiveLoss',
  shape: { mode: 'clip', rows: ROWS, dim: DIM, dtype: 'f32', similarity: 'cosine', temperature: TEMPERATURE, gradients: true },
  rounds: ROUNDS,
  tfjsBackend: tfjs.backend,
  medianMilliseconds: Object.fromEntries(ms),
  perRoundMilliseconds: Object.fromEntries(perRound),
  ratios: rows,
  notes,
});
tfjs.dispose();
if (!agree) process.exitCode = 1;
