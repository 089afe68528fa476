// The tfjs adapter against tfjs itself: tripletContrastiveLoss's values and gradients equal tfjs's
// own autodiff of the same formula written in tfjs ops, on tfjs's cpu and wasm backends, for every
// similarity and reduction; a small tfjs model trains with it inside optimizer.minimize.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tripletContrastiveLoss } from '../src/adapters/tfjs.js';
import { createEngine, type Engine, type Reduction, type Similarity } from '../src/index.js';
import { maxAbs, relativeError } from './helpers/compare.js';
import { randomArray, seededRandom } from './helpers/data.js';

const SIMILARITIES: Similarity[] = ['cosine', 'dot', 'euclidean'];
const REDUCTIONS: Reduction[] = ['mean', 'sum', 'none'];

/** sim(x, y) per row in tfjs ops, DESIGN.md §4. */
function similarityOps(x: tf.Tensor2D, y: tf.Tensor2D, similarity: Similarity, eps: number): tf.Tensor {
  if (similarity === 'dot') return tf.sum(tf.mul(x, y), 1);
  if (similarity === 'euclidean') return tf.neg(tf.sqrt(tf.sum(tf.square(tf.sub(x, y)), 1)));
  const norms = (t: tf.Tensor2D) => tf.maximum(tf.sqrt(tf.sum(tf.square(t), 1)), eps);
  return tf.div(tf.sum(tf.mul(x, y), 1), tf.mul(norms(x), norms(y)));
}

/** L_c = softplus((s⁻ − s⁺)/σ) written in tfjs ops, for tfjs to differentiate. */
function lossOps(
  a: tf.Tensor2D, p: tf.Tensor2D, n: tf.Tensor2D, similarity: Similarity, temperature: number, reduction: Reduction,
): tf.Tensor {
  const delta = tf.div(tf.sub(similarityOps(a, n, similarity, 1e-8), similarityOps(a, p, similarity, 1e-8)), temperature);
  const losses = tf.softplus(delta);
  return reduction === 'mean' ? tf.mean(losses) : reduction === 'sum' ? tf.sum(losses) : losses;
}

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});
afterAll(() => tf.setBackend('cpu'));

describe.each(['cpu', 'wasm'])("on tfjs's %s backend", (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
  });

  it.each(SIMILARITIES)('%s: values and gradients equal tfjs autodiff within 1e-5, every reduction', (similarity) => {
    const random = seededRandom(31);
    // Cosine at dim 1 is constant (its gradient is 0 up to rounding), so the smallest rows have 2 values.
    for (const [rows, dim] of [[1, 2], [5, 7], [64, 33]]) {
      for (const reduction of REDUCTIONS) {
        const values = (length: number) => randomArray('f32', length, random) as Float32Array;
        const [a, p, n] = [0, 1, 2].map(() => tf.tensor2d(values(rows * dim), [rows, dim]));
        const dy = reduction === 'none' ? tf.tensor1d(values(rows)) : tf.scalar(1.7);
        const temperature = 0.5;
        const ours = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
          tripletContrastiveLoss(x as tf.Tensor2D, y as tf.Tensor2D, z as tf.Tensor2D, { engine, similarity, temperature, reduction }));
        const theirs = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
          lossOps(x as tf.Tensor2D, y as tf.Tensor2D, z as tf.Tensor2D, similarity, temperature, reduction));
        const label = `${similarity} ${rows}×${dim} ${reduction}`;
        const value = tripletContrastiveLoss(a, p, n, { engine, similarity, temperature, reduction });
        const expectedValue = lossOps(a, p, n, similarity, temperature, reduction);
        expect(value.shape, label).toEqual(expectedValue.shape);
        expect(relativeError(value.dataSync(), expectedValue.dataSync()), `${label} value`).toBeLessThanOrEqual(1e-5);
        const gradients = ours([a, p, n], dy);
        const expectedGradients = theirs([a, p, n], dy);
        // One scale for the three: the anchor's gradient is the sum of the other two's terms.
        const scale = Math.max(...expectedGradients.map((g) => maxAbs(g.dataSync())));
        gradients.forEach((gradient, k) => {
          expect(gradient.shape).toEqual([rows, dim]);
          expect(relativeError(gradient.dataSync(), expectedGradients[k].dataSync(), scale), `${label} gradient ${k}`).toBeLessThanOrEqual(1e-5);
        });
        tf.dispose([a, p, n, dy, value, expectedValue, ...gradients, ...expectedGradients]);
      }
    }
  });
});

describe('training', () => {
  it('a tfjs model learns an embedding with it inside optimizer.minimize', async () => {
    await tf.setBackend('cpu');
    // Two classes of 8-D points around opposite centres; the model maps them to 4-D.
    const random = seededRandom(5);
    const point = (centre: number) => Array.from({ length: 8 }, (_, k) => (k % 2 === 0 ? centre : -centre) * 0.3 + random());
    const batch = 32;
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 4, useBias: true, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
    const optimizer = tf.train.adam(0.05);
    const sample = () => {
      const classes = Array.from({ length: batch }, () => (random() > 0 ? 1 : -1));
      return [
        tf.tensor2d(classes.map(point)), tf.tensor2d(classes.map(point)), tf.tensor2d(classes.map((c) => point(-c))),
      ];
    };
    const losses: number[] = [];
    for (let step = 0; step < 60; step++) {
      const [a, p, n] = sample();
      const loss = optimizer.minimize(() => tripletContrastiveLoss(
        model.apply(a) as tf.Tensor2D, model.apply(p) as tf.Tensor2D, model.apply(n) as tf.Tensor2D, { engine, temperature: 0.5 },
      ) as tf.Scalar, true);
      losses.push(loss!.dataSync()[0]);
      tf.dispose([a, p, n, loss!]);
    }
    const first = losses.slice(0, 10).reduce((x, y) => x + y) / 10;
    const last = losses.slice(-10).reduce((x, y) => x + y) / 10;
    console.log(`tfjs model, triplet loss over 60 Adam steps: ${first.toFixed(3)} → ${last.toFixed(3)}`);
    expect(last).toBeLessThan(0.6 * first);
  });
});

describe('validation', () => {
  it('refuses a missing engine, wrong ranks, dtypes and shapes', () => {
    const x = tf.zeros([3, 4]) as tf.Tensor2D;
    expect(() => tripletContrastiveLoss(x, x, x, {} as never)).toThrow(/needs options.engine/);
    expect(() => tripletContrastiveLoss(tf.zeros([12]) as never, x, x, { engine })).toThrow(/anchor must be a 2-D tensor/);
    expect(() => tripletContrastiveLoss(x, tf.zeros([3, 5]) as tf.Tensor2D, x, { engine })).toThrow(/positive has shape \[3, 5\], expected \[3, 4\]/);
    expect(() => tripletContrastiveLoss(x, x, tf.zeros([3, 4], 'int32') as tf.Tensor2D, { engine })).toThrow(/negative must be float32/);
  });
});
