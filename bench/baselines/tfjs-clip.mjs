// tfjs doing CLIP's symmetric loss through autodiff: â, b̂ the rows of a and b divided by their
// norms (clamped at eps), logits ℓ = â·b̂ᵀ/σ materialised whole (n×n), row and column
// cross-entropy with targets on the diagonal (logsumexp minus ℓ_ii), L = mean_i (r_i + c_i)/2;
// differentiated by tf.grads (tf.valueAndGrads) with respect to a, b and σ.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export async function createTfjsClipLoss(backend, aRows, bRows, rows, dim, temperature, eps) {
  await tf.setBackend(backend);
  await tf.ready();
  const a = tf.tensor2d(aRows, [rows, dim]);
  const b = tf.tensor2d(bRows, [rows, dim]);
  const sigma = tf.scalar(temperature);
  const normalise = (x) => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), eps));
  const loss = (x, y, s) => {
    const xHat = normalise(x);
    const yHat = normalise(y);
    const logits = tf.div(tf.matMul(xHat, yHat, false, true), s); // [n, n]
    // ℓ_ii = â_i·b̂_i/σ: the diagonal of the logits, taken as row-wise dot products (O(n·dim), not
    // an n×n mask), the same value through the same autodiff.
    const diagonal = tf.div(tf.sum(tf.mul(xHat, yHat), 1), s);
    const rowLoss = tf.sub(tf.logSumExp(logits, 1), diagonal);
    const columnLoss = tf.sub(tf.logSumExp(logits, 0), diagonal);
    return tf.div(tf.mean(tf.add(rowLoss, columnLoss)), 2);
  };
  const valueAndGradients = tf.valueAndGrads(loss);
  /** One step: the loss and the gradients, read back into JavaScript arrays. */
  const step = () => {
    const { value, grads } = tf.tidy(() => valueAndGradients([a, b, sigma]));
    const arrays = grads.map((g) => g.dataSync());
    const lossValue = value.dataSync()[0];
    tf.dispose([value, ...grads]);
    return { loss: lossValue, gradA: arrays[0], gradB: arrays[1], gradTemperature: arrays[2][0] };
  };
  return { step, backend: tf.getBackend(), dispose: () => tf.dispose([a, b, sigma]) };
}
