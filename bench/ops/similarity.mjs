// similarity: row-wise cosine similarity of paired rows a, b [n, dim], float32 (forward only; the op
// has no gradients). Peers: a plain fused JavaScript loop, and tfjs (wasm and cpu backends)
// computing the same cosine from its ops.
import { fusedCosineSimilarity } from '../baselines/fused-js.mjs';
import { tfjsCosineSimilarity } from '../baselines/tfjs-similarity.mjs';
import { perturbed, randomArray } from '../lib/common.mjs';
import { QUICK } from '../lib/config.mjs';
import { engineCases } from '../lib/engine-cases.mjs';
import { tfjsCases } from '../lib/tfjs.mjs';

const EPS = 1e-8;

export default {
  op: 'similarity',
  about: 'cosine, float32; shape n × dim',
  peers: 'Peers: a plain fused JavaScript loop; tfjs computing the same cosine from its ops on its '
    + 'wasm and cpu backends',
  sizes: QUICK
    ? { small: { rows: 8, dim: 8 }, medium: { rows: 32, dim: 16 }, large: { rows: 64, dim: 32 } }
    : { small: { rows: 1024, dim: 128 }, medium: { rows: 16384, dim: 256 }, large: { rows: 65536, dim: 256 } },
  label: ({ rows, dim }) => `${rows}×${dim}`,
  compared: null,
  columns: [],
  build,
};

async function build({ rows, dim }, { engines, runs }) {
  const a = randomArray(rows * dim, 1);
  const inputs = { a, b: perturbed(a, 2) };
  const fusedOut = new Float32Array(rows);
  return [
    ...engineCases(engines, runs, {
      inputs, outputs: { similarity: rows }, call: (engine, { a: x, b: y }, out) => engine.similarity(x, y, { dim, eps: EPS, out: out.similarity }),
    }),
    { name: 'plain fused JS loop', kind: 'peer', run: () => fusedCosineSimilarity(inputs.a, inputs.b, rows, dim, EPS, fusedOut) },
    ...await tfjsCases('cosine', ['wasm', 'cpu'], runs, (backend) => tfjsCosineSimilarity(backend, { ...inputs, rows, dim, eps: EPS })),
  ];
}
