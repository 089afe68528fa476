// tfjs doing the same maths through autodiff: L = mean(softplus((cos(a,n) − cos(a,p))/σ)) with
// cosine norms clamped at eps, differentiated by tf.grads with respect to a, p, n and σ.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export async function createTfjsTripletLoss(backend, anchor, positive, negative, rows, dim, temperature, eps) {
  await tf.setBackend(backend);
  await tf.ready();
  const a = tf.tensor2d(anchor, [rows, dim]);
  const p = tf.tensor2d(positive, [rows, dim]);
  const n = tf.tensor2d(negative, [rows, dim]);
  const sigma = tf.scalar(temperature);
  const cosine = (x, y) => tf.div(
    tf.sum(tf.mul(x, y), 1),
    tf.mul(tf.maximum(tf.norm(x, 'euclidean', 1), eps), tf.maximum(tf.norm(y, 'euclidean', 1), eps)),
  );
  const loss = (x, y, z, s) => tf.mean(tf.softplus(tf.div(tf.sub(cosine(x, z), cosine(x, y)), s)));
  const gradients = tf.grads(loss);
  /** One step: the gradients, read back into JavaScript arrays. */
  const step = () => {
    const grads = tf.tidy(() => gradients([a, p, n, sigma]));
    const arrays = grads.map((g) => g.dataSync());
    tf.dispose(grads);
    return { gradAnchor: arrays[0], gradPositive: arrays[1], gradNegative: arrays[2], gradTemperature: arrays[3][0] };
  };
  return { step, backend: tf.getBackend(), dispose: () => tf.dispose([a, p, n, sigma]) };
}
