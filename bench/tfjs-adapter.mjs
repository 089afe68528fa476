// `npm run bench`: one training step of a tfjs model with the loss from contrastive-loss/tfjs
// (tf.customGrad over the engine's kernels) against the same step with the same loss written in
// tfjs ops (tfjs differentiates it), on tfjs's wasm and cpu backends. The model is one dense layer
// 256 → 64 applied to a batch of 1024 triplets, cosine similarity, σ = 0.1; both steps start from the
// same weights and data. Also the loss alone (value and gradients with respect to the three
// [1024, 64] embeddings), which is the part the adapter replaces. Interleaved rounds, medians, the
// ratios printed. Results: bench/results/tfjs-adapter.json.
import { createEngine } from 'contrastive-loss';
import { tripletContrastiveLoss } from 'contrastive-loss/tfjs';
import { median, randomArray, writeResults } from './lib/common.mjs';
import { cosine, tf } from './lib/tfjs.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const BATCH = 1024;
const INPUT = 256;
const EMBEDDING = 64;
const TEMPERATURE = 0.1;

/** The triplet loss in tfjs ops, for tfjs's autodiff (DESIGN.md §4, cosine, mean). */
function lossInTfjsOps(a, p, n) {
  return tf.mean(tf.softplus(tf.div(tf.sub(cosine(a, n, 1e-8), cosine(a, p, 1e-8)), TEMPERATURE)));
}

/** A training step: embed the three batches with the model and minimise the loss once. */
function step(model, optimizer, inputs, loss) {
  const value = optimizer.minimize(() => loss(...inputs.map((x) => model.apply(x))), true);
  const result = value.dataSync()[0];
  value.dispose();
  return result;
}

async function measure(backend, engine) {
  await tf.setBackend(backend);
  await tf.ready();
  const inputs = [1, 2, 3].map((seed) => tf.tensor2d(randomArray(BATCH * INPUT, seed), [BATCH, INPUT]));
  const makeModel = () => tf.sequential({
    layers: [tf.layers.dense({ inputShape: [INPUT], units: EMBEDDING, kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) })],
  });
  const cases = {
    adapter: { model: makeModel(), loss: (a, p, n) => tripletContrastiveLoss(a, p, n, { engine, temperature: TEMPERATURE }) },
    'tfjs ops': { model: makeModel(), loss: lossInTfjsOps },
  };
  const times = { adapter: [], 'tfjs ops': [] };
  const lossTimes = { adapter: [], 'tfjs ops': [] };
  const embeddings = [4, 5, 6].map((seed) => tf.tensor2d(randomArray(BATCH * EMBEDDING, seed), [BATCH, EMBEDDING]));
  const lossAlone = (loss) => {
    const gradients = tf.grads(loss)(embeddings);
    gradients.forEach((g) => g.dataSync());
    tf.dispose(gradients);
  };
  const firstLoss = {};
  for (const [name, { model, loss }] of Object.entries(cases)) {
    cases[name].optimizer = tf.train.sgd(0.01);
    firstLoss[name] = step(model, cases[name].optimizer, inputs, loss); // warm-up, and the loss both start from
  }
  for (const { loss } of Object.values(cases)) lossAlone(loss);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, { model, optimizer, loss }] of Object.entries(cases)) {
      let start = performance.now();
      step(model, optimizer, inputs, loss);
      times[name].push(performance.now() - start);
      start = performance.now();
      lossAlone(loss);
      lossTimes[name].push(performance.now() - start);
    }
  }
  tf.dispose([...inputs, ...embeddings]);
  const adapterMs = median(times.adapter);
  const opsMs = median(times['tfjs ops']);
  const adapterLossMs = median(lossTimes.adapter);
  const opsLossMs = median(lossTimes['tfjs ops']);
  console.log(`tfjs ${backend}: one step (dense ${INPUT}→${EMBEDDING}, ${BATCH} triplets): adapter ${adapterMs.toFixed(2)} ms, ` +
    `tfjs ops ${opsMs.toFixed(2)} ms: the adapter step is ${(opsMs / adapterMs).toFixed(2)}× as fast ` +
    `(first losses ${firstLoss.adapter.toFixed(6)} and ${firstLoss['tfjs ops'].toFixed(6)})`);
  console.log(`tfjs ${backend}: the loss alone with its gradients: adapter ${adapterLossMs.toFixed(2)} ms, ` +
    `tfjs ops ${opsLossMs.toFixed(2)} ms: ${(opsLossMs / adapterLossMs).toFixed(2)}×`);
  return {
    backend, adapterMs, tfjsOpsMs: opsMs, speedup: opsMs / adapterMs, firstLoss,
    lossAlone: { adapterMs: adapterLossMs, tfjsOpsMs: opsLossMs, speedup: opsLossMs / adapterLossMs },
  };
}

const engine = await createEngine({ gpu: false });
console.log(`engine: ${engine.backend}; ${ROUNDS} interleaved rounds per case`);
const results = [];
for (const backend of ['wasm', 'cpu']) results.push(await measure(backend, engine));
writeResults('tfjs-adapter.json', { benchmark: 'tfjs-adapter', engine: engine.backend, batch: BATCH, input: INPUT, embedding: EMBEDDING, results });
