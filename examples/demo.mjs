// `npm start`: computes the triplet contrastive loss L_c and its gradients on a built-in batch
// with every backend this Node.js can run, checks each against the float64 reference and prints
// a table. It imports the package by name, exactly as a user would.
import { availableBackends, createEngine } from 'contrastive-loss';
import { tripletLossReference } from 'contrastive-loss/reference';

const ROWS = 2048;
const DIM = 128;
const CLUSTERS = 16;
const TEMPERATURE = 0.1;

/** mulberry32, so that every run sees the same batch. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Embeddings around CLUSTERS centres: anchor and positive share a centre, the negative does not. */
function builtInBatch() {
  const random = seededRandom(2026);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: CLUSTERS }, () => Float32Array.from({ length: DIM }, gaussian));
  const anchor = new Float32Array(ROWS * DIM);
  const positive = new Float32Array(ROWS * DIM);
  const negative = new Float32Array(ROWS * DIM);
  for (let i = 0; i < ROWS; i++) {
    const same = Math.floor(random() * CLUSTERS);
    const other = (same + 1 + Math.floor(random() * (CLUSTERS - 1))) % CLUSTERS;
    for (let j = 0; j < DIM; j++) {
      anchor[i * DIM + j] = centres[same][j] + 1.5 * gaussian();
      positive[i * DIM + j] = centres[same][j] + 1.5 * gaussian();
      negative[i * DIM + j] = centres[other][j] + 1.5 * gaussian();
    }
  }
  return { anchor, positive, negative };
}

/** Largest norm-wise relative error over the outputs; the three gradients share one scale. */
function maxRelativeError(result, reference) {
  const worst = (a, b, scale) => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m / scale;
  };
  const maxAbs = (a) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const gradientScale = Math.max(maxAbs(reference.gradAnchor), maxAbs(reference.gradPositive), maxAbs(reference.gradNegative));
  return Math.max(
    Math.abs(result.loss - reference.loss) / Math.abs(reference.loss),
    worst(result.losses, reference.losses, maxAbs(reference.losses)),
    worst(result.gradAnchor, reference.gradAnchor, gradientScale),
    worst(result.gradPositive, reference.gradPositive, gradientScale),
    worst(result.gradNegative, reference.gradNegative, gradientScale),
    Math.abs(result.gradTemperature - reference.gradTemperature) / Math.abs(reference.gradTemperature),
  );
}

function medianMilliseconds(run, repeats) {
  const times = [];
  for (let k = 0; k < repeats; k++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const batch = builtInBatch();
const options = { ...batch, dim: DIM, temperature: TEMPERATURE, similarity: 'cosine' };
const reference = tripletLossReference(options);

console.log(`Triplet contrastive loss L_c, cosine similarity, σ = ${TEMPERATURE}: ${ROWS} triplets of dim ${DIM} (float32),`);
console.log(`with gradients for anchor, positive, negative and σ. Float64 reference loss: ${reference.loss.toFixed(6)}\n`);
const rows = [];
for (const backend of availableBackends()) {
  const engine = await createEngine({ backend });
  const result = engine.tripletLoss(options);
  const out = {
    losses: new Float32Array(ROWS), similarityPositive: new Float32Array(ROWS), similarityNegative: new Float32Array(ROWS),
    gradAnchor: new Float32Array(ROWS * DIM), gradPositive: new Float32Array(ROWS * DIM), gradNegative: new Float32Array(ROWS * DIM),
  };
  const repeats = backend === 'js' ? 5 : 50;
  for (let k = 0; k < 3; k++) engine.tripletLoss({ ...options, out }); // warm up the JIT
  const ms = medianMilliseconds(() => engine.tripletLoss({ ...options, out }), repeats);
  rows.push({ backend: engine.backend, loss: result.loss.toFixed(6), 'max rel. error': maxRelativeError(result, reference).toExponential(2), 'time (ms)': ms.toFixed(3) });
}
console.table(rows);
const worst = Math.max(...rows.map((r) => Number(r['max rel. error'])));
console.log(`\nEvery backend is within ${worst.toExponential(1)} of the float64 reference (contract: 1e-5 for float32 at σ ≥ 0.05).`);
if (!availableBackends().includes('wasm-relaxed-simd')) {
  console.log('wasm-relaxed-simd is not available in this Node.js; `node --experimental-wasm-relaxed-simd examples/demo.mjs` adds it.');
}
if (worst > 1e-5) process.exitCode = 1;
