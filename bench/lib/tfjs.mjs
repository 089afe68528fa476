// Runs a computation as a peer on one @tensorflow/tfjs backend ('wasm': XNNPACK kernels with SIMD;
// 'cpu': tfjs's plain JavaScript kernels). Several peers on different backends share one benny
// suite: each makes its input tensors on its own backend and makes that backend current at every
// step (synchronous once the backend is initialised), so tfjs never moves a peer's tensors to
// another backend. Every step reads its outputs back into JavaScript arrays, as a caller would.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mapValues } from './common.mjs';

export { tf };

/**
 * A peer on `backend`. `inputs` maps names to [Float32Array, shape] or to a number (a scalar);
 * `compute(tensors)` returns one tensor or an object of tensors. `run()` returns the output's
 * values: an array (a number for a scalar), or an object of them under the same names.
 */
export async function tfjsPeer(backend, inputs, compute) {
  await tf.setBackend(backend);
  await tf.ready();
  const tensors = Object.fromEntries(Object.entries(inputs).map(([name, input]) => [
    name, typeof input === 'number' ? tf.scalar(input) : tf.tensor(input[0], input[1]),
  ]));
  const run = () => {
    if (tf.getBackend() !== backend) tf.setBackend(backend);
    const outputs = tf.tidy(() => compute(tensors));
    const values = outputs instanceof tf.Tensor ? readBack(outputs) : mapValues(outputs, readBack);
    tf.dispose(outputs);
    return values;
  };
  return { run, dispose: () => tf.dispose(Object.values(tensors)) };
}

function readBack(tensor) {
  const values = tensor.dataSync();
  return tensor.rank === 0 ? values[0] : values;
}

/** Row norms of x [.., dim] along its last axis, clamped below at eps (PyTorch's cosine). */
export function clampedNorm(x, eps, keepDims = false) {
  return tf.maximum(tf.norm(x, 'euclidean', -1, keepDims), eps);
}

/** Cosine similarity of paired rows along the last axis (broadcasting). */
export function cosine(x, y, eps) {
  return tf.div(tf.sum(tf.mul(x, y), -1), tf.mul(clampedNorm(x, eps), clampedNorm(y, eps)));
}

/**
 * The peer cases of one computation on the tfjs backends (of `backends`) that `runs` at this
 * size, named 'tfjs-<backend> <what>': `create(backend)` makes the peer (a tfjsPeer).
 */
export async function tfjsCases(what, backends, runs, create) {
  const cases = [];
  for (const backend of backends.filter((name) => runs(`tfjs-${name}`))) {
    cases.push({ name: `tfjs-${backend} ${what}`, kind: 'peer', ...(await create(backend)) });
  }
  return cases;
}
