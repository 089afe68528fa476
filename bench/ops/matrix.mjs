// similarityMatrix: all pairs of a [n, dim] against b [m, dim], dot similarity (a matrix product,
// 2·n·m·dim flops), float32. Peers: tfjs's matMul in the layout a similarity matrix needs (A·Bᵀ,
// B stored [m, dim]), on its wasm and cpu backends, and on wasm in the layout its matMul is fastest
// in (A·B, B stored [dim, m]). Each SIMD flavour is also set against the f32x4 multiply-add peak it
// measures on this machine.
import { tfjsMatMul, tfjsMatMulTransposed } from '../baselines/tfjs-similarity.mjs';
import { measureSimdPeak } from '../baselines/simd-peak.mjs';
import { randomArray } from '../lib/common.mjs';
import { QUICK } from '../lib/config.mjs';
import { gflopsColumn, peakColumn } from '../lib/columns.mjs';
import { engineCases } from '../lib/engine-cases.mjs';
import { tfjsCases } from '../lib/tfjs.mjs';

const flops = ({ n, m, dim }) => 2 * n * m * dim;
/** Flavour → measured f32x4 multiply-add GFLOP/s, filled in by the first build. */
const peaks = new Map();

export default {
  op: 'similarityMatrix',
  about: 'dot, float32; shape n × m × dim',
  peers: 'Peers: tfjs matMul on its wasm and cpu backends with B stored [m, dim] as a similarity '
    + 'matrix has it (A·Bᵀ), and on wasm with B stored transposed, the layout its matMul is fastest in. '
    + 'GFLOP/s counts 2·n·m·dim; the peak is the f32x4 multiply-add rate each SIMD flavour measures '
    + 'on this machine',
  sizes: QUICK
    ? { small: { n: 8, m: 8, dim: 8 }, medium: { n: 16, m: 16, dim: 16 }, large: { n: 32, m: 32, dim: 32 } }
    : { small: { n: 128, m: 128, dim: 128 }, medium: { n: 1024, m: 1024, dim: 256 }, large: { n: 2048, m: 2048, dim: 512 } },
  label: ({ n, m, dim }) => `${n}×${m}×${dim}`,
  compared: null,
  columns: [gflopsColumn(flops), peakColumn(flops, peaks)],
  build,
};

async function build({ n, m, dim }, { engines, runs }) {
  measurePeaks(engines);
  const a = randomArray(n * dim, 1);
  const b = randomArray(m * dim, 2);
  return [
    ...engineCases(engines, runs, {
      inputs: { a, b },
      outputs: { matrix: n * m },
      call: (engine, arrays, out) => engine.similarityMatrix(arrays.a, arrays.b, { dim, similarity: 'dot', out: out.matrix }),
    }),
    ...await tfjsCases('matMul(A, Bᵀ)', ['wasm', 'cpu'], runs, (backend) => tfjsMatMulTransposed(backend, { a, b, n, m, dim })),
    ...await tfjsCases('matMul(A, B), B stored transposed', ['wasm'], runs, (backend) => tfjsMatMul(backend, { a, bColumns: transpose(b, m, dim), n, m, dim })),
  ];
}

/** The f32x4 peak of every SIMD flavour, measured once per process. */
function measurePeaks(engines) {
  for (const engine of engines) {
    if (!peaks.has(engine.backend) && /simd/.test(engine.backend)) peaks.set(engine.backend, measureSimdPeak(engine));
  }
}

/** x [rows, columns] row-major → [columns, rows]. */
function transpose(x, rows, columns) {
  const out = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) out[j * rows + i] = x[i * columns + j];
  return out;
}
