// tripletLoss: n triplets of [n, dim] float32 rows, cosine similarity, σ = 0.1, mean reduction,
// with all gradients (anchor, positive, negative, σ). Peers: a plain fused JavaScript loop over
// the same arrays, and tfjs (wasm and cpu backends) differentiating the same loss. Anchors: memcpy
// of the bytes a call moves (the roofline of a streaming kernel).
import { fusedTripletLossCosine } from '../baselines/fused-js.mjs';
import { tfjsTripletLoss } from '../baselines/tfjs-losses.mjs';
import { mapValues, perturbed, randomArray } from '../lib/common.mjs';
import { QUICK } from '../lib/config.mjs';
import { memcpyColumn } from '../lib/columns.mjs';
import { engineCases, memcpyCases } from '../lib/engine-cases.mjs';
import { tfjsCases } from '../lib/tfjs.mjs';

const TEMPERATURE = 0.1;
const EPS = 1e-8;

export default {
  op: 'tripletLoss',
  about: `float32, cosine, σ = ${TEMPERATURE}, mean reduction, with all gradients; shape n × dim`,
  peers: 'Peers: a plain fused JavaScript loop over the same arrays; tfjs differentiating the same '
    + 'loss (tf.valueAndGrads) on its wasm and cpu backends. Anchors: memcpy of the bytes a call moves',
  sizes: QUICK
    ? { small: { rows: 8, dim: 16 }, medium: { rows: 32, dim: 32 }, large: { rows: 64, dim: 64 } }
    : { small: { rows: 256, dim: 128 }, medium: { rows: 4096, dim: 256 }, large: { rows: 32768, dim: 256 } },
  label: ({ rows, dim }) => `${rows}×${dim}`,
  compared: ['loss', 'gradAnchor', 'gradPositive', 'gradNegative'],
  columns: [memcpyColumn],
  build,
};

async function build({ rows, dim }, { engines, runs }) {
  const length = rows * dim;
  const anchor = randomArray(length, 1);
  const inputs = { anchor, positive: perturbed(anchor, 2), negative: randomArray(length, 3) };
  const outputs = { losses: rows, similarityPositive: rows, similarityNegative: rows, gradAnchor: length, gradPositive: length, gradNegative: length };
  const fusedOut = mapValues(outputs, (n) => new Float32Array(n));
  const data = { ...inputs, rows, dim, temperature: TEMPERATURE, eps: EPS };
  return [
    ...engineCases(engines, runs, {
      inputs, outputs, call: (engine, arrays, out) => engine.tripletLoss({ ...arrays, dim, temperature: TEMPERATURE, eps: EPS, out }),
    }),
    { name: 'plain fused JS loop', kind: 'peer', run: () => fusedTripletLossCosine(inputs.anchor, inputs.positive, inputs.negative, rows, dim, TEMPERATURE, EPS, fusedOut) },
    ...await tfjsCases('autodiff', ['wasm', 'cpu'], runs, (backend) => tfjsTripletLoss(backend, data)),
    ...memcpyCases(engines, inputs),
  ];
}
