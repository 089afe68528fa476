// `npm run bench`, part 2: similarityMatrix (float32, dot) at 1024×1024×256 and 2048×2048×512 for
// each WebAssembly flavour, beside tfjs-wasm's matMul in its fast layout (A·B, B stored [k, m])
// and in the layout a similarity matrix needs (A·Bᵀ, B stored [m, k]), and beside the f32x4
// multiply-add peak each flavour measures on this machine. One process, interleaved rounds,
// per-case medians. Results: bench/results/matrix.json.
import b from 'benny';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { availableBackends, createEngine } from 'contrastive-loss';
import { measureSimdPeak } from './baselines/simd-peak.mjs';
import { randomArray, median, RESULTS_FOLDER, writeResults } from './lib/common.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SHAPES = [[1024, 1024, 256], [2048, 2048, 512]];

await tf.setBackend('wasm');
await tf.ready();
const flavours = availableBackends().filter((name) => name !== 'js' && name !== 'wasm-scalar');
const engines = await Promise.all(flavours.map((backend) => createEngine({ backend })));

const cases = new Map(); // name → { run, flops }
for (const [n, m, dim] of SHAPES) {
  const shape = `${n}×${m}×${dim}`;
  const flops = 2 * n * m * dim;
  const a = randomArray(n * dim, 1);
  const bRows = randomArray(m * dim, 2);
  for (const engine of engines) {
    const out = new Float32Array(n * m);
    cases.set(`${shape} ${engine.backend} (plain arrays)`, { flops, run: () => engine.similarityMatrix(a, bRows, { dim, similarity: 'dot', out }) });
    const [bufferA, bufferB, bufferOut] = [a, bRows, out].map((source) => {
      const buffer = engine.allocate(source.length);
      buffer.array.set(source);
      return buffer;
    });
    cases.set(`${shape} ${engine.backend} (zero-copy)`, {
      flops, run: () => engine.similarityMatrix(bufferA, bufferB, { dim, similarity: 'dot', out: bufferOut }),
    });
  }
  const tfA = tf.tensor2d(a, [n, dim]);
  const tfB = tf.tensor2d(bRows, [m, dim]);
  const tfBt = tf.transpose(tfB); // [dim, m]: the layout matMul(A, B) is fastest in
  const product = (f) => () => {
    const c = f();
    c.dataSync();
    c.dispose();
  };
  cases.set(`${shape} tfjs-wasm matMul(A, B)`, { flops, run: product(() => tf.matMul(tfA, tfBt)) });
  cases.set(`${shape} tfjs-wasm matMul(A, B, false, true)`, { flops, run: product(() => tf.matMul(tfA, tfB, false, true)) });

  // The engines agree with tfjs.
  const ours = engines[0].similarityMatrix(a, bRows, { dim, similarity: 'dot' });
  const theirs = tf.matMul(tfA, tfB, false, true).dataSync();
  let worst = 0;
  let scale = 0;
  for (let k = 0; k < ours.length; k++) {
    worst = Math.max(worst, Math.abs(ours[k] - theirs[k]));
    scale = Math.max(scale, Math.abs(theirs[k]));
  }
  console.log(`${shape}: ${engines[0].backend} and tfjs-wasm agree within ${(worst / scale).toExponential(1)} (relative to max |S|)`);
}

const perRound = new Map([...cases.keys()].map((name) => [name, []]));
const caseList = [...cases];
for (let round = 1; round <= ROUNDS; round++) {
  const order = caseList.map((_, k) => caseList[(k + round - 1) % caseList.length]);
  const summary = await b.suite(
    `similarityMatrix f32 dot, round ${round}/${ROUNDS}`,
    ...order.map(([name, { run }]) => b.add(name, run, { maxTime: 0.5, minSamples: 5 })),
    b.cycle(),
    ...(round === ROUNDS ? [b.save({ file: 'matrix-benny', folder: RESULTS_FOLDER, details: false, format: 'json' })] : []),
  );
  for (const result of summary.results) perRound.get(result.name).push(result.details.median * 1e3);
}

const peaks = Object.fromEntries(flavours.map((flavour, k) => [flavour, measureSimdPeak(engines[k])]));
const rows = [];
for (const [name, { flops }] of cases) {
  const ms = median(perRound.get(name));
  const shape = name.split(' ')[0];
  const flavour = flavours.find((f) => name.includes(` ${f} `));
  const gflops = flops / ms / 1e6;
  rows.push({
    case: name,
    'median ms': Number(ms.toFixed(2)),
    'GFLOP/s': Number(gflops.toFixed(1)),
    '× tfjs A·B': Number((median(perRound.get(`${shape} tfjs-wasm matMul(A, B)`)) / ms).toFixed(2)),
    '× tfjs A·Bᵀ': Number((median(perRound.get(`${shape} tfjs-wasm matMul(A, B, false, true)`)) / ms).toFixed(2)),
    '% of peak': flavour ? Number(((100 * gflops) / peaks[flavour]).toFixed(0)) : null,
  });
}
console.log(`\nMedians of ${ROUNDS} interleaved rounds, similarityMatrix float32 dot (2·n·m·dim flops):`);
console.table(rows);
for (const [flavour, peak] of Object.entries(peaks)) console.log(`measured f32x4 multiply-add peak, ${flavour}: ${peak.toFixed(1)} GFLOP/s`);

writeResults('matrix.json', {
  benchmark: 'similarityMatrix',
  rounds: ROUNDS, peakGflops: peaks, medianMilliseconds: Object.fromEntries([...perRound].map(([k, v]) => [k, median(v)])), rows,
});
