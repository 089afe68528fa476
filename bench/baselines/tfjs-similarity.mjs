// Similarities in tfjs ops (forward only, as the engine's similarity ops have no gradients): the
// row-wise cosine of paired rows, and the matrix product behind a similarity matrix, both in the
// layout a similarity matrix needs (A·Bᵀ, B stored [m, dim] like A) and in the layout tfjs's matMul
// is fastest in (A·B, B stored [dim, m]).
import { cosine, tf, tfjsPeer } from '../lib/tfjs.mjs';

/** cos(a_i, b_i) for a, b [rows, dim], norms clamped at eps. */
export function tfjsCosineSimilarity(backend, { a, b, rows, dim, eps }) {
  return tfjsPeer(backend, { a: [a, [rows, dim]], b: [b, [rows, dim]] }, (t) => cosine(t.a, t.b, eps));
}

/** A·Bᵀ for a [n, dim] and b [m, dim]: the dot-similarity matrix, [n, m]. */
export function tfjsMatMulTransposed(backend, { a, b, n, m, dim }) {
  return tfjsPeer(backend, { a: [a, [n, dim]], b: [b, [m, dim]] }, (t) => tf.matMul(t.a, t.b, false, true));
}

/** A·B for a [n, dim] and bColumns [dim, m] (b stored transposed): the same [n, m] product. */
export function tfjsMatMul(backend, { a, bColumns, n, m, dim }) {
  return tfjsPeer(backend, { a: [a, [n, dim]], b: [bColumns, [dim, m]] }, (t) => tf.matMul(t.a, t.b));
}
