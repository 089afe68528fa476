// infoNCELoss: n anchors and positives [n, dim] with k paired negatives each ([n, k, dim]), float32,
// cosine similarity, σ = 0.1, mean reduction, with all gradients. Peers: tfjs (wasm and cpu
// backends) differentiating the same loss. Anchors: memcpy of the bytes a call moves.
import { tfjsInfoNCELoss } from '../baselines/tfjs-losses.mjs';
import { perturbed, randomArray } from '../lib/common.mjs';
import { QUICK } from '../lib/config.mjs';
import { memcpyColumn } from '../lib/columns.mjs';
import { engineCases, memcpyCases } from '../lib/engine-cases.mjs';
import { tfjsCases } from '../lib/tfjs.mjs';

const TEMPERATURE = 0.1;
const EPS = 1e-8;

export default {
  op: 'infoNCELoss',
  about: `paired negatives, float32, cosine, σ = ${TEMPERATURE}, mean reduction, with all gradients; shape n × k × dim`,
  peers: 'Peers: tfjs differentiating the same loss (tf.valueAndGrads) on its wasm and cpu backends. '
    + 'Anchors: memcpy of the bytes a call moves',
  sizes: QUICK
    ? { small: { rows: 4, k: 2, dim: 8 }, medium: { rows: 8, k: 4, dim: 16 }, large: { rows: 16, k: 8, dim: 32 } }
    : { small: { rows: 128, k: 8, dim: 128 }, medium: { rows: 1024, k: 16, dim: 128 }, large: { rows: 4096, k: 32, dim: 128 } },
  label: ({ rows, k, dim }) => `${rows}×${k}×${dim}`,
  compared: ['loss', 'gradAnchor', 'gradPositive', 'gradNegatives'],
  columns: [memcpyColumn],
  build,
};

async function build({ rows, k, dim }, { engines, runs }) {
  const length = rows * dim;
  const anchor = randomArray(length, 1);
  const inputs = { anchor, positive: perturbed(anchor, 2), negatives: randomArray(length * k, 3) };
  const outputs = {
    losses: rows, similarityPositive: rows, similarityNegatives: rows * k, gradAnchor: length, gradPositive: length, gradNegatives: length * k,
  };
  const data = { ...inputs, rows, k, dim, temperature: TEMPERATURE, eps: EPS };
  return [
    ...engineCases(engines, runs, {
      inputs, outputs, call: (engine, arrays, out) => engine.infoNCELoss({ ...arrays, k, dim, temperature: TEMPERATURE, eps: EPS, out }),
    }),
    ...await tfjsCases('autodiff', ['wasm', 'cpu'], runs, (backend) => tfjsInfoNCELoss(backend, data)),
    ...memcpyCases(engines, inputs),
  ];
}
