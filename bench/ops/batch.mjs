// batchContrastiveLoss in CLIP mode: paired views a, b [n, dim], float32, cosine similarity,
// σ = 0.1, with the gradients for a, b and σ; every other row of the batch is a negative (an n × n
// logit matrix, which the engine never materialises). Peers: tfjs (wasm and cpu backends)
// differentiating the same loss, which materialises the logits and runs its matrix products in the
// layouts autodiff picks. The work grows as n²·dim, so the js backend runs only at the small size.
import { tfjsClipLoss } from '../baselines/tfjs-losses.mjs';
import { perturbed, randomArray } from '../lib/common.mjs';
import { QUICK } from '../lib/config.mjs';
import { engineCases } from '../lib/engine-cases.mjs';
import { tfjsCases } from '../lib/tfjs.mjs';

const TEMPERATURE = 0.1;
const EPS = 1e-8;

export default {
  op: 'batchContrastiveLoss',
  about: `mode 'clip', float32, cosine, σ = ${TEMPERATURE}, mean reduction, with the gradients for a, b and σ; shape n × dim`,
  peers: 'Peers: tfjs differentiating the same loss (tf.valueAndGrads, which materialises the n × n '
    + 'logits) on its wasm and cpu backends',
  sizes: QUICK
    ? { small: { rows: 8, dim: 8 }, medium: { rows: 16, dim: 16 }, large: { rows: 32, dim: 32 } }
    : { small: { rows: 256, dim: 128 }, medium: { rows: 1024, dim: 128 }, large: { rows: 2048, dim: 256 } },
  label: ({ rows, dim }) => `${rows}×${dim}`,
  slowCaseSizes: { js: ['small'] },
  compared: ['loss', 'gradA', 'gradB'],
  columns: [],
  build,
};

async function build({ rows, dim }, { engines, runs }) {
  const a = randomArray(rows * dim, 1);
  const inputs = { a, b: perturbed(a, 2) };
  const outputs = { losses: rows, gradA: rows * dim, gradB: rows * dim };
  const options = { mode: 'clip', dim, temperature: TEMPERATURE, eps: EPS };
  return [
    ...engineCases(engines, runs, { inputs, outputs, call: (engine, arrays, out) => engine.batchContrastiveLoss({ ...arrays, ...options, out }) }),
    ...await tfjsCases('autodiff', ['wasm', 'cpu'], runs, (backend) => tfjsClipLoss(backend, { ...inputs, rows, dim, temperature: TEMPERATURE, eps: EPS })),
  ];
}
