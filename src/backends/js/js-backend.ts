// The 'js' backend: the float64 reference maths, run on any JavaScript engine.
import { HostBuffer, operandArray } from '../../buffers.js';
import { computeTripletLoss } from '../../reference/triplet.js';
import { rowSimilarity } from '../../reference/similarity.js';
import type { DType, EngineBuffer } from '../../types.js';
import type { Backend, SimilarityProblem, TripletProblem, TripletSums } from '../backend.js';

export class JsBackend implements Backend {
  readonly name = 'js' as const;

  tripletLoss(problem: TripletProblem): TripletSums {
    const { gradients } = problem;
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
    );
  }

  similarity(problem: SimilarityProblem): void {
    const { rows, dim, similarity, eps } = problem;
    const x = operandArray(problem.x);
    const y = operandArray(problem.y);
    const out = operandArray(problem.out);
    for (let i = 0; i < rows; i++) out[i] = rowSimilarity(x, i * dim, y, i * dim, dim, similarity, eps);
  }

  allocate(length: number, dtype: DType): EngineBuffer {
    return new HostBuffer(dtype, length);
  }
}
