// The 'js' backend: the float64 reference maths, run on any JavaScript engine.
import { HostBuffer, operandArray } from '../../buffers.js';
import { computeTripletLoss } from '../../reference/triplet.js';
import { rowSimilarity } from '../../reference/similarity.js';
import type { DType, EngineBuffer } from '../../types.js';
import type { Backend, SimilarityMatrixProblem, SimilarityProblem, TripletProblem, TripletSums } from '../backend.js';

export class JsBackend implements Backend {
  readonly name = 'js' as const;
  /** Gradient rows of computeTripletLoss, kept between calls so that a call allocates nothing. */
  private scratch = new Float64Array(0);

  tripletLoss(problem: TripletProblem): TripletSums {
    const { gradients } = problem;
    if (this.scratch.length < 3 * problem.dim) this.scratch = new Float64Array(3 * problem.dim);
    return computeTripletLoss(
      {
        ...problem,
        anchor: operandArray(problem.anchor),
        positive: operandArray(problem.positive),
        negative: operandArray(problem.negative),
      },
      {
        losses: operandArray(problem.losses),
        similarityPositive: operandArray(problem.similarityPositive),
        similarityNegative: operandArray(problem.similarityNegative),
        gradients: gradients && {
          anchor: operandArray(gradients.anchor),
          positive: operandArray(gradients.positive),
          negative: operandArray(gradients.negative),
        },
      },
      this.scratch,
    );
  }

  similarity(problem: SimilarityProblem): void {
    const { rows, dim, similarity, eps } = problem;
    const x = operandArray(problem.x);
    const y = operandArray(problem.y);
    const out = operandArray(problem.out);
    for (let i = 0; i < rows; i++) out[i] = rowSimilarity(x, i * dim, y, i * dim, dim, similarity, eps);
  }

  similarityMatrix(problem: SimilarityMatrixProblem): void {
    const { rows, columns, dim, similarity, eps } = problem;
    const a = operandArray(problem.a);
    const b = operandArray(problem.b);
    const out = operandArray(problem.out);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < columns; j++) out[i * columns + j] = rowSimilarity(a, i * dim, b, j * dim, dim, similarity, eps);
    }
  }

  allocate(length: number, dtype: DType): EngineBuffer {
    return new HostBuffer(dtype, length);
  }
}
