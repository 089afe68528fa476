// The losses in tfjs ops, differentiated by tfjs's autodiff (tf.valueAndGrads) with respect to every
// input and σ: the peer a tfjs user has without this package. Same maths as the engine (cosine
// similarity with norms clamped at eps, mean reduction); each step returns the loss and the
// gradients under the engine's result names, read back into JavaScript arrays.
import { clampedNorm, cosine, tf, tfjsPeer } from '../lib/tfjs.mjs';

/** L = mean softplus((cos(a, n) − cos(a, p))/σ), for a, p, n [rows, dim]. */
export function tfjsTripletLoss(backend, { anchor, positive, negative, rows, dim, temperature, eps }) {
  const loss = (a, p, n, sigma) => tf.mean(tf.softplus(tf.div(tf.sub(cosine(a, n, eps), cosine(a, p, eps)), sigma)));
  const valueAndGrads = tf.valueAndGrads(loss);
  const shape = [rows, dim];
  return tfjsPeer(backend, { anchor: [anchor, shape], positive: [positive, shape], negative: [negative, shape], temperature }, (t) => {
    const { value, grads } = valueAndGrads([t.anchor, t.positive, t.negative, t.temperature]);
    const [gradAnchor, gradPositive, gradNegative, gradTemperature] = grads;
    return { loss: value, gradAnchor, gradPositive, gradNegative, gradTemperature };
  });
}

/**
 * InfoNCE with k paired negatives per anchor, negatives [rows, k, dim]: logits ℓ = [s⁺, s⁻_1 … s⁻_k]/σ,
 * L = mean(logsumexp(ℓ) − ℓ₀). The negatives' similarities broadcast the anchor over its k rows.
 */
export function tfjsInfoNCELoss(backend, { anchor, positive, negatives, rows, k, dim, temperature, eps }) {
  const loss = (a, p, n, sigma) => {
    const positiveLogit = tf.div(cosine(a, p, eps), sigma); // [rows]
    const negativeLogits = tf.div(cosine(tf.expandDims(a, 1), n, eps), sigma); // [rows, k]
    const logits = tf.concat([tf.expandDims(positiveLogit, 1), negativeLogits], 1);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), positiveLogit));
  };
  const valueAndGrads = tf.valueAndGrads(loss);
  const inputs = { anchor: [anchor, [rows, dim]], positive: [positive, [rows, dim]], negatives: [negatives, [rows, k, dim]], temperature };
  return tfjsPeer(backend, inputs, (t) => {
    const { value, grads } = valueAndGrads([t.anchor, t.positive, t.negatives, t.temperature]);
    const [gradAnchor, gradPositive, gradNegatives, gradTemperature] = grads;
    return { loss: value, gradAnchor, gradPositive, gradNegatives, gradTemperature };
  });
}

/**
 * CLIP's symmetric loss: â, b̂ the rows divided by their clamped norms, logits ℓ = â·b̂ᵀ/σ
 * materialised whole (rows × rows), L = mean_i (row and column cross-entropy with the target on
 * the diagonal)/2. ℓ_ii is taken as row-wise dot products (O(rows·dim), no n×n mask).
 */
export function tfjsClipLoss(backend, { a, b, rows, dim, temperature, eps }) {
  const normalise = (x) => tf.div(x, clampedNorm(x, eps, true));
  const loss = (x, y, sigma) => {
    const xHat = normalise(x);
    const yHat = normalise(y);
    const logits = tf.div(tf.matMul(xHat, yHat, false, true), sigma);
    const diagonal = tf.div(tf.sum(tf.mul(xHat, yHat), 1), sigma);
    const rowLoss = tf.sub(tf.logSumExp(logits, 1), diagonal);
    const columnLoss = tf.sub(tf.logSumExp(logits, 0), diagonal);
    return tf.div(tf.mean(tf.add(rowLoss, columnLoss)), 2);
  };
  const valueAndGrads = tf.valueAndGrads(loss);
  return tfjsPeer(backend, { a: [a, [rows, dim]], b: [b, [rows, dim]], temperature }, (t) => {
    const { value, grads } = valueAndGrads([t.a, t.b, t.temperature]);
    const [gradA, gradB, gradTemperature] = grads;
    return { loss: value, gradA, gradB, gradTemperature };
  });
}
