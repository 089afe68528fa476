// Float64 reference of the similarity matrix S_ij = sim(a_i, b_j) and of its backward pass.
import type { Similarity } from '../types.js';
import { addRowSimilarityGradient, rowSimilarity } from './similarity.js';

export interface SimilarityMatrixReferenceOptions {
  dim: number;
  similarity?: Similarity;
  eps?: number;
}

/** a [n, dim] and b [m, dim], row-major → S [n, m], row-major: S[i·m + j] = sim(a_i, b_j). */
export function similarityMatrixReference(
  a: ArrayLike<number>, b: ArrayLike<number>, options: SimilarityMatrixReferenceOptions,
): Float64Array {
  const { dim, similarity = 'cosine', eps = 1e-8 } = options;
  const n = a.length / dim;
  const m = b.length / dim;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) out[i * m + j] = rowSimilarity(a, i * dim, b, j * dim, dim, similarity, eps);
  }
  return out;
}

/**
 * Adds scale·∂sim(x_i, y_j)/∂x_i to row i of gradX and scale·∂sim(x_i, y_j)/∂y_j to row j of
 * gradY. gradX and gradY may be the same array, and i = j then.
 */
export function addPairSimilarityGradient(
  x: ArrayLike<number>, xRow: number, y: ArrayLike<number>, yRow: number, dim: number,
  similarity: Similarity, eps: number, scale: number, gradX: Float64Array, gradY: Float64Array,
): void {
  if (scale === 0) return;
  const gradXRow = new Float64Array(dim);
  const gradYRow = new Float64Array(dim);
  addRowSimilarityGradient(x, xRow * dim, y, yRow * dim, dim, similarity, eps, scale, gradXRow, gradYRow);
  for (let j = 0; j < dim; j++) {
    gradX[xRow * dim + j] += gradXRow[j];
    gradY[yRow * dim + j] += gradYRow[j];
  }
}

/**
 * The backward pass of similarityMatrixReference: given gradS = ∂L/∂S [n, m], adds
 * Σ_j gradS_ij·∂S_ij/∂a_i to gradA and Σ_i gradS_ij·∂S_ij/∂b_j to gradB. a and b may be the same
 * batch and gradA and gradB the same array (a self-similarity matrix).
 */
export function addSimilarityMatrixGradient(
  a: ArrayLike<number>, b: ArrayLike<number>, gradS: ArrayLike<number>, options: SimilarityMatrixReferenceOptions,
  gradA: Float64Array, gradB: Float64Array,
): void {
  const { dim, similarity = 'cosine', eps = 1e-8 } = options;
  const n = a.length / dim;
  const m = b.length / dim;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) addPairSimilarityGradient(a, i, b, j, dim, similarity, eps, gradS[i * m + j], gradA, gradB);
  }
}
