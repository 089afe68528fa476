// The engine's side of every suite: one engine per CPU backend this Node runs, and the cases that
// time one op on each of them, on plain typed arrays and (WebAssembly flavours) on engine buffers
// (zero-copy), always writing caller-owned outputs so that no case allocates per call. Also the
// memcpy anchors of the streaming losses: the roofline of a call that moves the same bytes.
import { availableBackends, createEngine } from 'contrastive-loss';
import { mapValues } from './common.mjs';

/** One engine per CPU backend that runs here (run Node 20 with --experimental-wasm-relaxed-simd for all four). */
export async function createEngines() {
  return Promise.all(availableBackends().map((backend) => createEngine({ backend, gpu: false })));
}

/**
 * The engine cases of one op on the backends that `runs` at this size: each backend on plain
 * arrays, then (WebAssembly flavours) on engine buffers. `inputs` names the input arrays, `outputs`
 * the length of each caller-owned output; `call(engine, inputs, out)` runs the op.
 */
export function engineCases(engines, runs, { inputs, outputs, call }) {
  const cases = [];
  for (const engine of engines) {
    const { backend } = engine;
    if (!runs(backend)) continue;
    const out = mapValues(outputs, (length) => new Float32Array(length));
    cases.push({ name: `${backend}, plain arrays`, kind: 'engine', backend, copies: 'plain', run: () => call(engine, inputs, out) });
    if (backend === 'js') continue;
    const buffers = { inputs: mapValues(inputs, (array) => copyToEngine(engine, array)), out: mapValues(outputs, (length) => engine.allocate(length)) };
    cases.push({
      name: `${backend}, zero-copy`, kind: 'engine', backend, copies: 'zero',
      run: () => call(engine, buffers.inputs, buffers.out),
      dispose: () => [...Object.values(buffers.inputs), ...Object.values(buffers.out)].forEach((buffer) => buffer.free()),
    });
  }
  return cases;
}

/**
 * The memcpy anchors of a loss whose gradients have the shapes of its inputs, in the first
 * WebAssembly engine's memory: 'in and back out' copies every input into WebAssembly memory and as
 * many bytes back out (what a plain-array call moves besides computing); 'once' copies every input
 * once (the bytes a zero-copy call reads and writes).
 */
export function memcpyCases(engines, inputs) {
  const engine = engines.find(({ backend }) => backend.startsWith('wasm-'));
  const sources = Object.values(inputs);
  const staging = sources.map((source) => engine.allocate(source.length));
  const destinations = sources.map((source) => new Float32Array(source.length));
  const dispose = () => staging.forEach((buffer) => buffer.free());
  return [
    {
      name: MEMCPY.plain, kind: 'anchor', dispose,
      run: () => sources.forEach((source, k) => {
        staging[k].array.set(source);
        destinations[k].set(staging[k].array);
      }),
    },
    { name: MEMCPY.zero, kind: 'anchor', run: () => sources.forEach((source, k) => destinations[k].set(source)) },
  ];
}

/** The memcpy anchor that moves the bytes of an engine case, by its `copies`. */
export const MEMCPY = { plain: 'memcpy: inputs into WASM memory and back out', zero: 'memcpy: inputs once' };

function copyToEngine(engine, array) {
  const buffer = engine.allocate(array.length);
  buffer.array.set(array);
  return buffer;
}
