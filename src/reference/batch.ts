// Float64 reference of the in-batch contrastive losses (DESIGN.md §4). Logits are ℓ_ij = S_ij/σ, or
// ℓ_ij = λ·S_ij with CLIP's learnable logitScale λ = e^θ, of a similarity matrix S:
//  - clip: S_ij = sim(a_i, b_j); losses[i] = (r_i + c_i)/2 with the row loss
//    r_i = logsumexp_j ℓ_ij − ℓ_ii and the column loss c_i = logsumexp_j ℓ_ji − ℓ_ii;
//  - ntxent (SimCLR): z = [a; b], S_ij = sim(z_i, z_j);
//    L_i = logsumexp_{j≠i} ℓ_ij − ℓ_{i,pos(i)} with pos(i) = i + n or i − n;
//  - supcon (Khosla et al. 2020): z = [a; b] (labels repeated) or z = a, P(i) = {p ≠ i : label_p = label_i};
//    L_i = −(1/|P(i)|) Σ_{p∈P(i)} (ℓ_ip − logsumexp_{j≠i} ℓ_ij), and 0 where P(i) is empty.
// Every term is a row cross-entropy (addRowCrossEntropy). The reference materialises S, which is
// O(n·m) memory; the kernels do not.
import type { Reduction, Similarity } from '../types.js';
import { addRowCrossEntropy, reduceLosses, rowWeights, type LogitScaling } from './cross-entropy.js';
import { addSimilarityMatrixGradient, similarityMatrixReference } from './matrix.js';

export interface BatchContrastiveReferenceOptions {
  /** [n, dim]. */
  a: ArrayLike<number>;
  /** [n, dim]; required for clip and ntxent. */
  b?: ArrayLike<number>;
  mode: 'clip' | 'ntxent' | 'supcon';
  /** One integer per row of a; supcon only. */
  labels?: ArrayLike<number>;
  dim: number;
  temperature?: number;
  /** Logits λ·S instead of S/σ; takes precedence over temperature. */
  logitScale?: number;
  similarity?: Similarity;
  eps?: number;
  reduction?: Reduction;
  gradOutput?: number | ArrayLike<number>;
}

export interface BatchContrastiveReferenceResult {
  loss: number;
  /** clip: [n]; ntxent: [2n]; supcon: one per row of z. */
  losses: Float64Array;
  gradA: Float64Array;
  /** null when b is not given. */
  gradB: Float64Array | null;
  /** null when logitScale was given. */
  gradTemperature: number | null;
  /** null when the temperature was used. */
  gradLogitScale: number | null;
}

/** The losses of the rows, ∂(weighted loss)/∂S and ∂(weighted loss)/∂(σ or λ). */
interface BatchRows {
  losses: Float64Array;
  gradSimilarities: Float64Array;
  gradScaling: number;
}

function matrixRow(matrix: Float64Array, row: number, width: number): Float64Array {
  return matrix.subarray(row * width, (row + 1) * width);
}

function transpose(matrix: Float64Array, rows: number, columns: number): Float64Array {
  const out = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) out[j * rows + i] = matrix[i * columns + j];
  }
  return out;
}

function stackRows(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function clipRows(similarities: Float64Array, n: number, weights: Float64Array, scaling: LogitScaling): BatchRows {
  const losses = new Float64Array(n);
  const gradSimilarities = new Float64Array(n * n);
  const columns = transpose(similarities, n, n);
  const gradColumns = new Float64Array(n * n);
  let gradScaling = 0;
  for (let i = 0; i < n; i++) {
    const row = addRowCrossEntropy(
      matrixRow(similarities, i, n), i, -1, scaling, weights[i] / 2, matrixRow(gradSimilarities, i, n),
    );
    const column = addRowCrossEntropy(
      matrixRow(columns, i, n), i, -1, scaling, weights[i] / 2, matrixRow(gradColumns, i, n),
    );
    losses[i] = (row.loss + column.loss) / 2;
    gradScaling += row.gradScaling + column.gradScaling;
  }
  const gradFromColumns = transpose(gradColumns, n, n);
  for (let e = 0; e < n * n; e++) gradSimilarities[e] += gradFromColumns[e];
  return { losses, gradSimilarities, gradScaling };
}

function ntxentRows(similarities: Float64Array, n: number, weights: Float64Array, scaling: LogitScaling): BatchRows {
  const rows = 2 * n;
  const losses = new Float64Array(rows);
  const gradSimilarities = new Float64Array(rows * rows);
  let gradScaling = 0;
  for (let i = 0; i < rows; i++) {
    const positive = i < n ? i + n : i - n;
    const row = addRowCrossEntropy(
      matrixRow(similarities, i, rows), positive, i, scaling, weights[i], matrixRow(gradSimilarities, i, rows),
    );
    losses[i] = row.loss;
    gradScaling += row.gradScaling;
  }
  return { losses, gradSimilarities, gradScaling };
}

/** L_i is the mean over p ∈ P(i) of the cross-entropy with target p. */
function supconRows(
  similarities: Float64Array, labels: ArrayLike<number>, weights: Float64Array, scaling: LogitScaling,
): BatchRows {
  const rows = labels.length;
  const losses = new Float64Array(rows);
  const gradSimilarities = new Float64Array(rows * rows);
  let gradScaling = 0;
  for (let i = 0; i < rows; i++) {
    const positives: number[] = [];
    for (let p = 0; p < rows; p++) {
      if (p !== i && labels[p] === labels[i]) positives.push(p);
    }
    if (positives.length === 0) continue;
    let lossSum = 0;
    for (const p of positives) {
      const term = addRowCrossEntropy(
        matrixRow(similarities, i, rows), p, i, scaling, weights[i] / positives.length,
        matrixRow(gradSimilarities, i, rows),
      );
      lossSum += term.loss;
      gradScaling += term.gradScaling;
    }
    losses[i] = lossSum / positives.length;
  }
  return { losses, gradSimilarities, gradScaling };
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(`batchContrastiveReference: ${message}`);
  return value;
}

/** The test oracle: the in-batch losses and all their gradients in float64, with no validation. */
export function batchContrastiveReference(options: BatchContrastiveReferenceOptions): BatchContrastiveReferenceResult {
  const { a, b, mode, dim, temperature = 0.1, logitScale, similarity = 'cosine', eps = 1e-8 } = options;
  const { reduction = 'mean', gradOutput = 1 } = options;
  if (mode !== 'supcon') required(b, `${mode} needs b`);
  const scaling: LogitScaling = logitScale === undefined
    ? { kind: 'temperature', value: temperature }
    : { kind: 'logitScale', value: logitScale };
  const matrixOptions = { dim, similarity, eps };
  const n = a.length / dim;
  const gradA = new Float64Array(a.length);
  const gradB = b ? new Float64Array(b.length) : null;

  let rows: BatchRows;
  if (mode === 'clip' && b && gradB) {
    const similarities = similarityMatrixReference(a, b, matrixOptions);
    rows = clipRows(similarities, n, rowWeights(n, reduction, gradOutput), scaling);
    addSimilarityMatrixGradient(a, b, rows.gradSimilarities, matrixOptions, gradA, gradB);
  } else {
    const z = b ? stackRows(a, b) : Float64Array.from(a);
    const zRows = z.length / dim;
    const similarities = similarityMatrixReference(z, z, matrixOptions);
    const weights = rowWeights(zRows, reduction, gradOutput);
    if (mode === 'ntxent') {
      rows = ntxentRows(similarities, n, weights, scaling);
    } else {
      const labels = required(options.labels, 'supcon needs labels');
      const zLabels = Float64Array.from({ length: zRows }, (_, r) => labels[r % n]);
      rows = supconRows(similarities, zLabels, weights, scaling);
    }
    const gradZ = new Float64Array(z.length);
    addSimilarityMatrixGradient(z, z, rows.gradSimilarities, matrixOptions, gradZ, gradZ);
    gradA.set(gradZ.subarray(0, a.length));
    gradB?.set(gradZ.subarray(a.length));
  }

  const usesTemperature = scaling.kind === 'temperature';
  return {
    loss: reduceLosses(rows.losses, reduction),
    losses: rows.losses,
    gradA,
    gradB,
    gradTemperature: usesTemperature ? rows.gradScaling : null,
    gradLogitScale: usesTemperature ? null : rows.gradScaling,
  };
}
