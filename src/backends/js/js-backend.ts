// The 'js' backend: the float64 reference maths, run on any JavaScript engine.
import { HostBuffer, operandArray } from '../../buffers.js';
import { batchContrastiveReference } from '../../reference/batch.js';
import { infoNCEReference } from '../../reference/infonce.js';
import { computeTripletLoss } from '../../reference/triplet.js';
import { rowSimilarity } from '../../reference/similarity.js';
import type { DType, EngineBuffer } from '../../types.js';
import type {
  Backend, BatchProblem, BatchSums, InfoNCEProblem, LossSums, SimilarityMatrixProblem, SimilarityProblem, TripletProblem,
  TripletSums,
} from '../backend.js';

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

  /** The reference computes the weighted sum (reduction 'none' with the per-row weights); copied out. */
  infoNCELoss(problem: InfoNCEProblem): LossSums {
    const { rows, gradScale, gradOutput, gradients } = problem;
    const weights = Float64Array.from({ length: rows }, (_, i) => gradScale * (gradOutput ? gradOutput[i] : 1));
    const result = infoNCEReference({
      ...problem,
      anchor: operandArray(problem.anchor),
      positive: operandArray(problem.positive),
      negatives: operandArray(problem.negatives),
      reduction: 'none',
      gradOutput: weights,
    });
    operandArray(problem.losses).set(result.losses);
    operandArray(problem.similarityPositive).set(result.similarityPositive);
    operandArray(problem.similarityNegatives).set(result.similarityNegatives);
    if (gradients) {
      operandArray(gradients.anchor).set(result.gradAnchor);
      operandArray(gradients.positive).set(result.gradPositive);
      operandArray(gradients.negatives).set(result.gradNegatives);
    }
    return { lossSum: result.losses.reduce((sum, loss) => sum + loss, 0), gradTemperatureSum: result.gradTemperature };
  }

  /** The reference (which materialises the n×m logits) with per-row weights; copied out. */
  batchContrastiveLoss(problem: BatchProblem): BatchSums {
    const { lossRows, gradScale, gradOutput, gradients, scaling } = problem;
    const weights = Float64Array.from({ length: lossRows }, (_, i) => gradScale * (gradOutput ? gradOutput[i] : 1));
    const result = batchContrastiveReference({
      ...problem,
      a: operandArray(problem.a),
      b: problem.b === null ? undefined : operandArray(problem.b),
      labels: problem.labels ?? undefined,
      ...(scaling.kind === 'temperature' ? { temperature: scaling.value } : { logitScale: scaling.value }),
      reduction: 'none',
      gradOutput: weights,
    });
    operandArray(problem.losses).set(result.losses);
    if (gradients) {
      operandArray(gradients.a).set(result.gradA);
      if (gradients.b && result.gradB) operandArray(gradients.b).set(result.gradB);
    }
    return {
      lossSum: result.losses.reduce((sum, loss) => sum + loss, 0),
      gradScaling: (scaling.kind === 'temperature' ? result.gradTemperature : result.gradLogitScale) ?? 0,
    };
  }

  allocate(length: number, dtype: DType): EngineBuffer {
    return new HostBuffer(dtype, length);
  }
}
