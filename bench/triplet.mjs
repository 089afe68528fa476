// `npm run bench`: tripletLoss at N = 4096, D = 256 (float32, cosine, with gradients) for every
// backend and WebAssembly flavour this Node can run (npm run bench passes
// --experimental-wasm-relaxed-simd so that all three flavours run), on plain arrays and on engine
// buffers (zero-copy), beside a plain fused JS loop, tfjs-wasm autodiff of the same loss, and
// memcpy of the same bytes. All cases run in this one process, in interleaved rounds (each round
// runs every case through benny, starting at a different case); ratios are taken between
// per-case medians across rounds.
// Results: bench/results/triplet.json.
import b from 'benny';
import { availableBackends, createEngine } from 'contrastive-loss';
import { fusedTripletLossCosine } from './baselines/fused-js.mjs';
import { createTfjsTripletLoss } from './baselines/tfjs-autodiff.mjs';
import { randomArray, median, RESULTS_FOLDER, writeResults } from './lib/common.mjs';

const ROWS = 4096;
const DIM = 256;
const TEMPERATURE = 0.1;
const EPS = 1e-8;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const length = ROWS * DIM;

function newOutputs() {
  return {
    losses: new Float32Array(ROWS), similarityPositive: new Float32Array(ROWS), similarityNegative: new Float32Array(ROWS),
    gradAnchor: new Float32Array(length), gradPositive: new Float32Array(length), gradNegative: new Float32Array(length),
  };
}

const anchor = randomArray(length, 1);
const noise = randomArray(length, 2);
const positive = anchor.map((x, k) => x + 0.5 * noise[k]);
const negative = randomArray(length, 3);
const options = { anchor, positive, negative, dim: DIM, temperature: TEMPERATURE, eps: EPS };

// name → function running one call; every case writes caller-owned outputs (no allocation per call).
const cases = new Map();
const notes = [];

for (const backend of availableBackends()) {
  const engine = await createEngine({ backend });
  const out = newOutputs();
  cases.set(`${backend} (plain arrays)`, () => engine.tripletLoss({ ...options, out }));
  if (backend === 'js') continue;
  const buffer = (source) => {
    const b = engine.allocate(source?.length ?? length);
    if (source) b.array.set(source);
    return b;
  };
  const inputs = { anchor: buffer(anchor), positive: buffer(positive), negative: buffer(negative) };
  const outBuffers = {
    losses: engine.allocate(ROWS), similarityPositive: engine.allocate(ROWS), similarityNegative: engine.allocate(ROWS),
    gradAnchor: buffer(), gradPositive: buffer(), gradNegative: buffer(),
  };
  cases.set(`${backend} (zero-copy)`, () => engine.tripletLoss({ ...options, ...inputs, out: outBuffers }));

  if (backend === 'wasm-simd') {
    // memcpy of the same bytes: the three inputs into this engine's memory and three arrays back
    // out (what a plain-array call must move besides computing), and one copy of three arrays
    // (the bytes a zero-copy call reads and writes).
    const staging = [buffer(), buffer(), buffer()].map((b) => b.array);
    const destinations = [new Float32Array(length), new Float32Array(length), new Float32Array(length)];
    const sources = [anchor, positive, negative];
    cases.set('memcpy: 3 arrays into WASM memory + 3 out', () => {
      for (let k = 0; k < 3; k++) staging[k].set(sources[k]);
      for (let k = 0; k < 3; k++) destinations[k].set(staging[k]);
    });
    cases.set('memcpy: 3 arrays', () => {
      for (let k = 0; k < 3; k++) destinations[k].set(sources[k]);
    });
  }
}

const fusedOut = newOutputs();
cases.set('plain fused JS loop', () => fusedTripletLossCosine(anchor, positive, negative, ROWS, DIM, TEMPERATURE, EPS, fusedOut));

const tfjs = await createTfjsTripletLoss('wasm', anchor, positive, negative, ROWS, DIM, TEMPERATURE, EPS);
cases.set('tfjs-wasm autodiff', tfjs.step);

// Sanity: the peers compute the same thing as the engine.
{
  const engine = await createEngine();
  const ours = engine.tripletLoss(options);
  const theirs = tfjs.step();
  const fused = fusedTripletLossCosine(anchor, positive, negative, ROWS, DIM, TEMPERATURE, EPS, newOutputs());
  const maxDiff = (x, y) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
  const scale = ours.gradAnchor.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  notes.push(`tfjs-wasm gradients agree with ${engine.backend} within ${(maxDiff(ours.gradAnchor, theirs.gradAnchor) / scale).toExponential(1)} (relative to max |grad|); fused loop loss ${fused.loss.toFixed(6)} vs ${ours.loss.toFixed(6)}`);
}

const perRound = new Map([...cases.keys()].map((name) => [name, []]));
const caseList = [...cases];
for (let round = 1; round <= ROUNDS; round++) {
  // Each round starts at a different case, so that no case always runs first (after a GC-heavy one).
  const order = caseList.map((_, k) => caseList[(k + round - 1) % caseList.length]);
  const summary = await b.suite(
    `tripletLoss N=${ROWS} D=${DIM} f32 cosine with gradients, round ${round}/${ROUNDS}`,
    ...order.map(([name, run]) => b.add(name, run, { maxTime: 0.5, minSamples: 5 })),
    b.cycle(),
    ...(round === ROUNDS ? [b.save({ file: 'triplet-benny', folder: RESULTS_FOLDER, details: false, format: 'json' })] : []),
  );
  for (const result of summary.results) perRound.get(result.name).push(result.details.median * 1e3);
}

const ms = new Map([...perRound].map(([name, values]) => [name, median(values)]));
const memcpyBoundary = ms.get('memcpy: 3 arrays into WASM memory + 3 out');
const memcpyStream = ms.get('memcpy: 3 arrays');
const rows = [...ms]
  .filter(([name]) => !name.startsWith('memcpy') && name !== 'plain fused JS loop' && name !== 'tfjs-wasm autodiff')
  .map(([name, time]) => ({
    case: name,
    'median ms': Number(time.toFixed(3)),
    '× tfjs-wasm': Number((ms.get('tfjs-wasm autodiff') / time).toFixed(1)),
    '× fused JS': Number((ms.get('plain fused JS loop') / time).toFixed(2)),
    '% memcpy (3 in + 3 out)': Number(((100 * memcpyBoundary) / time).toFixed(0)),
    '% memcpy (3 arrays)': Number(((100 * memcpyStream) / time).toFixed(0)),
  }));

console.log(`\nMedians of ${ROUNDS} interleaved rounds, N=${ROWS}, D=${DIM}, float32, cosine, with gradients:`);
for (const [name, time] of ms) console.log(`  ${name.padEnd(44)} ${time.toFixed(3)} ms`);
console.table(rows);
for (const note of notes) console.log(note);

writeResults('triplet.json', {
  benchmark: 'tripletLoss',
  shape: { rows: ROWS, dim: DIM, dtype: 'f32', similarity: 'cosine', temperature: TEMPERATURE, gradients: true },
  rounds: ROUNDS,
  tfjsBackend: tfjs.backend,
  medianMilliseconds: Object.fromEntries(ms),
  perRoundMilliseconds: Object.fromEntries(perRound),
  ratios: rows,
  notes,
});
tfjs.dispose();
