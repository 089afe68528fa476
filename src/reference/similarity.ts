// Float64 reference of the similarities and their gradients (DESIGN.md §4). Written for clarity,
// not speed: it is the test oracle and the maths of the 'js' backend.
import type { Similarity } from '../types.js';

function dot(x: ArrayLike<number>, xOffset: number, y: ArrayLike<number>, yOffset: number, dim: number): number {
  let sum = 0;
  for (let j = 0; j < dim; j++) sum += x[xOffset + j] * y[yOffset + j];
  return sum;
}

function distance(x: ArrayLike<number>, xOffset: number, y: ArrayLike<number>, yOffset: number, dim: number): number {
  let sum = 0;
  for (let j = 0; j < dim; j++) {
    const d = x[xOffset + j] - y[yOffset + j];
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** sim(x, y) of the rows x[xOffset .. xOffset+dim) and y[yOffset .. yOffset+dim). */
export function rowSimilarity(
  x: ArrayLike<number>, xOffset: number, y: ArrayLike<number>, yOffset: number, dim: number,
  similarity: Similarity, eps: number,
): number {
  switch (similarity) {
    case 'dot':
      return dot(x, xOffset, y, yOffset, dim);
    case 'euclidean':
      return -distance(x, xOffset, y, yOffset, dim);
    case 'cosine': {
      const normX = Math.max(Math.sqrt(dot(x, xOffset, x, xOffset, dim)), eps);
      const normY = Math.max(Math.sqrt(dot(y, yOffset, y, yOffset, dim)), eps);
      return dot(x, xOffset, y, yOffset, dim) / (normX * normY);
    }
  }
}

/**
 * Adds scale·∂sim(x, y)/∂x to gradX[0 .. dim) and scale·∂sim(x, y)/∂y to gradY[0 .. dim).
 *  - dot: ∂s/∂x = y.
 *  - euclidean, s = −‖x − y‖: ∂s/∂x = −(x − y)/‖x − y‖, taken as 0 where x = y.
 *  - cosine, n_x = max(‖x‖, ε), c = ⟨x,y⟩/(n_x n_y): ∂c/∂x = y/(n_x n_y) − c·x/(n_x‖x‖), the
 *    second term 0 when ‖x‖ = 0 (PyTorch ≥ 2.1 semantics).
 */
export function addRowSimilarityGradient(
  x: ArrayLike<number>, xOffset: number, y: ArrayLike<number>, yOffset: number, dim: number,
  similarity: Similarity, eps: number, scale: number, gradX: Float64Array, gradY: Float64Array,
): void {
  switch (similarity) {
    case 'dot':
      for (let j = 0; j < dim; j++) {
        gradX[j] += scale * y[yOffset + j];
        gradY[j] += scale * x[xOffset + j];
      }
      return;
    case 'euclidean': {
      const d = distance(x, xOffset, y, yOffset, dim);
      if (d === 0) return;
      for (let j = 0; j < dim; j++) {
        const unit = (x[xOffset + j] - y[yOffset + j]) / d;
        gradX[j] -= scale * unit;
        gradY[j] += scale * unit;
      }
      return;
    }
    case 'cosine': {
      const lengthX = Math.sqrt(dot(x, xOffset, x, xOffset, dim));
      const lengthY = Math.sqrt(dot(y, yOffset, y, yOffset, dim));
      const normX = Math.max(lengthX, eps);
      const normY = Math.max(lengthY, eps);
      const c = dot(x, xOffset, y, yOffset, dim) / (normX * normY);
      const selfX = lengthX > 0 ? c / (normX * lengthX) : 0;
      const selfY = lengthY > 0 ? c / (normY * lengthY) : 0;
      for (let j = 0; j < dim; j++) {
        const xj = x[xOffset + j];
        const yj = y[yOffset + j];
        gradX[j] += scale * (yj / (normX * normY) - selfX * xj);
        gradY[j] += scale * (xj / (normX * normY) - selfY * yj);
      }
      return;
    }
  }
}
