// The contract between the façade and a backend. The façade validates and normalises every call
// before a backend sees it; backends never validate and never allocate result arrays.
import type { TripletSums } from '../reference/triplet.js';
import type { BackendName, BatchMode, DType, EngineBuffer, FloatArray, NegativeLayout, Operand, Similarity } from '../types.js';

export type { TripletSums };
/** Σ L_i and Σ g_i·∂L_i/∂σ of one call, what every loss op returns besides its arrays. */
export type LossSums = TripletSums;

/** What the anchor-based losses share: every operand has `dtype` and the right length. */
interface AnchorLossProblem {
  dtype: DType;
  rows: number;
  dim: number;
  anchor: Operand;
  positive: Operand;
  similarity: Similarity;
  temperature: number;
  eps: number;
  /** Row i's loss is weighted by gradScale·gradOutput[i] (gradOutput null: by gradScale). */
  gradScale: number;
  gradOutput: FloatArray | null;
  losses: Operand;
  similarityPositive: Operand;
}

/** One validated tripletLoss call. */
export interface TripletProblem extends AnchorLossProblem {
  negative: Operand;
  similarityNegative: Operand;
  /** Null skips the backward pass. */
  gradients: { anchor: Operand; positive: Operand; negative: Operand } | null;
}

/** One validated row-wise similarity call: out[i] = sim(x_i, y_i). */
export interface SimilarityProblem {
  dtype: DType;
  rows: number;
  dim: number;
  x: Operand;
  y: Operand;
  similarity: Similarity;
  eps: number;
  out: Operand;
}

/** One validated similarity-matrix call: out[i·m + j] = sim(a_i, b_j), a [n, dim], b [m, dim]. */
export interface SimilarityMatrixProblem {
  dtype: DType;
  rows: number;
  columns: number;
  dim: number;
  a: Operand;
  b: Operand;
  similarity: Similarity;
  eps: number;
  out: Operand;
}

/** One validated infoNCELoss call; `negatives` has n·k rows ('paired') or k rows ('shared'). */
export interface InfoNCEProblem extends AnchorLossProblem {
  k: number;
  negatives: Operand;
  negativeLayout: NegativeLayout;
  similarityNegatives: Operand;
  gradients: { anchor: Operand; positive: Operand; negatives: Operand } | null;
}

/** One validated batchContrastiveLoss call. Loss rows: 'clip' n, 'ntxent' 2n, 'supcon' n or 2n (with b). */
export interface BatchProblem {
  dtype: DType;
  /** n, the rows of a (and of b). */
  rows: number;
  lossRows: number;
  dim: number;
  a: Operand;
  b: Operand | null;
  mode: BatchMode;
  /** 'supcon': one label per loss row (b's rows repeat a's labels). */
  labels: Int32Array | null;
  /** Logits are s/value ('temperature') or value·s ('logitScale'). */
  scaling: { kind: 'temperature' | 'logitScale'; value: number };
  similarity: Similarity;
  eps: number;
  gradScale: number;
  gradOutput: FloatArray | null;
  losses: Operand;
  gradients: { a: Operand; b: Operand | null } | null;
}

/** Σ L_i and Σ g_i·∂L_i/∂(temperature or logitScale, after problem.scaling.kind). */
export interface BatchSums {
  lossSum: number;
  gradScaling: number;
}

export interface Backend {
  readonly name: BackendName;
  tripletLoss(problem: TripletProblem): TripletSums;
  similarity(problem: SimilarityProblem): void;
  similarityMatrix(problem: SimilarityMatrixProblem): void;
  infoNCELoss(problem: InfoNCEProblem): LossSums;
  batchContrastiveLoss(problem: BatchProblem): BatchSums;
  /** An array in the backend's own memory, zero-filled. */
  allocate(length: number, dtype: DType): EngineBuffer;
}
