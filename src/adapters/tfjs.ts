// The tfjs adapter (`contrastive-loss/tfjs`): the triplet contrastive loss as a differentiable tfjs
// op. tf.customGrad wraps one engine call, so the forward pass and every gradient come from this
// package's kernels instead of tfjs's autodiff of a dozen ops; it works inside optimizer.minimize
// and tf.grads like any other op. @tensorflow/tfjs-core is an optional peer dependency: only this
// subpath imports it.
import * as tf from '@tensorflow/tfjs-core';
import type { Engine } from '../engine.js';
import type { Reduction, Similarity } from '../types.js';

export interface TripletContrastiveLossOptions {
  /** The engine that computes the loss (createEngine()); its sync ops run on the CPU. */
  engine: Engine;
  /** σ > 0. Default 0.1. */
  temperature?: number;
  /** Default 'cosine'. */
  similarity?: Similarity;
  /** Cosine norm clamp, default 1e-8. */
  eps?: number;
  /** 'mean' (default) and 'sum' give a scalar, 'none' one loss per triplet. */
  reduction?: Reduction;
}

function rowsAndDim(name: string, tensor: tf.Tensor): [number, number] {
  if (!(tensor instanceof tf.Tensor)) throw new TypeError(`${name} must be a tf.Tensor`);
  if (tensor.rank !== 2) throw new RangeError(`${name} must be a 2-D tensor [n, dim], got shape [${tensor.shape.join(', ')}]`);
  if (tensor.dtype !== 'float32') throw new TypeError(`${name} must be float32, got ${tensor.dtype}`);
  return tensor.shape as [number, number];
}

/**
 * L_c = softplus((s⁻ − s⁺)/σ) for the rows of three [n, dim] float32 tensors: a scalar (mean or
 * sum) or an [n] tensor ('none'). Differentiable with respect to anchor, positive and negative.
 */
export function tripletContrastiveLoss(
  anchor: tf.Tensor2D, positive: tf.Tensor2D, negative: tf.Tensor2D, options: TripletContrastiveLossOptions,
): tf.Tensor {
  if (typeof options !== 'object' || options === null || typeof options.engine?.tripletLoss !== 'function') {
    throw new TypeError('tripletContrastiveLoss needs options.engine, an engine from createEngine()');
  }
  const { engine, reduction = 'mean', ...lossOptions } = options;
  const [rows, dim] = rowsAndDim('anchor', anchor);
  for (const [name, tensor] of [['positive', positive], ['negative', negative]] as const) {
    const [otherRows, otherDim] = rowsAndDim(name, tensor);
    if (otherRows !== rows || otherDim !== dim) {
      throw new RangeError(`${name} has shape [${otherRows}, ${otherDim}], expected [${rows}, ${dim}] like anchor`);
    }
  }

  const loss = tf.customGrad((a, p, n) => {
    const inputs = {
      anchor: (a as tf.Tensor).dataSync() as Float32Array,
      positive: (p as tf.Tensor).dataSync() as Float32Array,
      negative: (n as tf.Tensor).dataSync() as Float32Array,
      dim, reduction, ...lossOptions,
    };
    // Gradients of the reduced loss with gradOutput 1 ('none': every row's own gradient, weight 1).
    const result = engine.tripletLoss(inputs);
    const value = reduction === 'none' ? tf.tensor1d(result.losses, 'float32') : tf.scalar(result.loss, 'float32');
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      // Row i's loss depends on row i alone, so ∂(dy·loss)/∂row_i = dy_i·(row i's gradient); for a
      // scalar loss dy is a scalar.
      const scale = reduction === 'none' ? tf.reshape(dy, [rows, 1]) : dy;
      return [result.gradAnchor!, result.gradPositive!, result.gradNegative!].map((gradient) =>
        tf.mul(tf.tensor2d(gradient, [rows, dim], 'float32'), scale));
    };
    return { value, gradFunc };
  });
  return loss(anchor, positive, negative);
}
