// The gpu.js backend: the triplet and in-batch losses with all their gradients, row-wise similarity
// and the similarity matrix, in single precision, on whatever backend the given gpu.js instance
// runs. Calls are asynchronous and run one at a time. Kernels are compiled once per shape and kept
// (a training loop reuses its shape, so it compiles once); intermediate results of a chain stay on
// the device as pipeline textures / buffers, and only the outputs are read back.
import { operandArray } from '../../buffers.js';
import type { FloatArray, GpuBackendName } from '../../types.js';
import type {
  BatchProblem, BatchSums, SimilarityMatrixProblem, SimilarityProblem, TripletProblem, TripletSums,
} from '../backend.js';
import {
  glRenderer, type GpuJsInstance, type GpuJsKernel, type GpuJsMode, isSoftwareRenderer, kernelMode, webGpuAdapter,
} from './gpujs.js';
import {
  BATCH_STATS_COLUMNS, batchGradientDotSimilarity, batchGradients, batchLogitGradients, batchLosses, batchStats,
  rowNorms, rowSimilarity, SIMILARITY_KIND, similarityMatrix, TRIPLET_SUMS_COLUMNS, TRIPLET_TERMS_COLUMNS,
  tripletGradients, tripletSums, tripletTerms,
} from './kernels.js';

export type { GpuBackendName };

/** Ops with gpu.js kernels. */
export type GpuOp = 'similarity' | 'similarityMatrix' | 'tripletLoss' | 'batchContrastiveLoss';
export const GPU_OPS: readonly GpuOp[] = ['similarity', 'similarityMatrix', 'tripletLoss', 'batchContrastiveLoss'];

/** Flat indices are computed in f32 by gpu.js's GL backends: exact below 2^24. */
export const MAX_GPU_ELEMENTS = 2 ** 24;
/**
 * Compiled kernels kept per backend; the least recently used is destroyed beyond this. It must
 * exceed the kernels one call uses (at most 10), so that no call destroys a kernel whose output it
 * still reads.
 */
const KERNEL_CACHE_SIZE = 32;

interface KernelSpec {
  /** Names the kernel's role: two calls in one chain need two kernels (each owns its output). */
  name: string;
  source: string;
  output: number[];
  dim: number;
  kind: number;
  /** Keep the output on the device (a texture or buffer) for the next kernel of a chain. */
  pipeline: boolean;
  /** More compile-time constants (the batch kernels' mode switches and loop bounds). */
  constants?: Record<string, number>;
}

/** gpu.js results are typed arrays, nested per output dimension, or device handles with toArray(). */
type KernelResult = Float32Array | KernelResult[] | { toArray(): unknown };

async function readBack(result: unknown): Promise<KernelResult> {
  const handle = result as { toArray?: () => unknown };
  return (typeof handle.toArray === 'function' ? await handle.toArray() : result) as KernelResult;
}

/** Copies a [rows][width] readback into a flat row-major array. */
function copyRows(rows: KernelResult, out: FloatArray, width: number): void {
  const list = rows as Float32Array[];
  for (let i = 0; i < list.length; i++) out.set(list[i].subarray(0, width), i * width);
}

export class GpuBackend {
  private readonly kernels = new Map<string, GpuJsKernel>();
  private weights = new Float32Array(0);
  private dummy = new Float32Array(1);
  /** Batch staging, kept between calls: the stacked rows [a; b], and the row labels as f32. */
  private stacked = new Float32Array(0);
  private labels = new Float32Array(0);
  private queue: Promise<unknown> = Promise.resolve();
  /** The gpu.js backend the probe ran on; every later kernel must run there too. */
  private mode: GpuJsMode | null = null;

  constructor(readonly instance: GpuJsInstance) {}

  /**
   * Why this backend cannot take an op of this size, or null. rows × columns is the similarity
   * matrix of similarityMatrix and of batchContrastiveLoss (whose rows are its loss rows).
   */
  static unfitReason(op: GpuOp, rows: number, columns: number, dim: number): string | null {
    if (rows === 0 || columns === 0) return 'the batch is empty';
    const sizes = op === 'tripletLoss' ? [3 * rows * dim]
      : op === 'similarity' ? [rows * dim]
      : [rows * dim, columns * dim, rows * columns];
    const largest = Math.max(...sizes);
    if (largest >= MAX_GPU_ELEMENTS) {
      return `an array of ${largest} elements is beyond gpu.js's exact f32 indexing (< 2^24 elements)`;
    }
    return null;
  }

  /** Runs `task` after every call before it has finished. */
  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private kernel(spec: KernelSpec): GpuJsKernel {
    const constants = { dim: spec.dim, kind: spec.kind, ...spec.constants };
    const key = `${spec.name}|${spec.output.join('x')}|${JSON.stringify(constants)}`;
    const cached = this.kernels.get(key);
    if (cached) {
      this.kernels.delete(key);
      this.kernels.set(key, cached);
      return cached;
    }
    const kernel = this.instance.createKernel(spec.source, {
      output: spec.output,
      constants,
      // Every loop runs over dim or over the other side of the matrix, never further.
      loopMaxIterations: Math.max(spec.dim, spec.constants?.others ?? 0, 1),
      pipeline: spec.pipeline,
      precision: 'single',
      tactic: 'precision',
    });
    this.kernels.set(key, kernel);
    if (this.kernels.size > KERNEL_CACHE_SIZE) {
      const [oldestKey, oldest] = this.kernels.entries().next().value as [string, GpuJsKernel];
      this.kernels.delete(oldestKey);
      oldest.destroy?.();
    }
    return kernel;
  }

  /** The per-row weights w_i = gradScale·gradOutput_i (gradScale where gradOutput is null) as f32, in an array kept between calls. */
  private weightsOf(rows: number, gradOutput: FloatArray | null, gradScale: number): Float32Array {
    if (this.weights.length !== rows) this.weights = new Float32Array(rows);
    if (gradOutput) for (let i = 0; i < rows; i++) this.weights[i] = gradScale * gradOutput[i];
    else this.weights.fill(gradScale);
    return this.weights;
  }

  /**
   * The backend the kernels ran on, which must be the one the probe found: gpu.js moves a kernel
   * it cannot compile to its CPU backend with only a console warning, and that must not pass for
   * a GPU result.
   */
  private ranOn(kernels: GpuJsKernel[]): GpuBackendName {
    const expected = this.mode;
    if (expected === null) throw new Error('GpuBackend.probe() must run before any op');
    for (const kernel of kernels) {
      const mode = kernelMode(kernel);
      if (mode !== expected) {
        const reason = (kernel.kernel as { fallbackReason?: string } | undefined)?.fallbackReason;
        throw new Error(`gpu.js ran a kernel on its '${mode}' backend instead of '${expected}'${reason ? `: ${reason}` : ''}`);
      }
    }
    return `gpujs-${expected}`;
  }

  tripletLoss(problem: TripletProblem): Promise<TripletSums & { backend: GpuBackendName }> {
    return this.serialise(async () => {
      const { rows, dim } = problem;
      const kind = SIMILARITY_KIND[problem.similarity];
      const anchor = operandArray(problem.anchor);
      const positive = operandArray(problem.positive);
      const negative = operandArray(problem.negative);
      const sumsKernel = this.kernel({ name: 'tripletSums', source: tripletSums, output: [TRIPLET_SUMS_COLUMNS, rows], dim, kind, pipeline: true });
      const termsKernel = this.kernel({ name: 'tripletTerms', source: tripletTerms, output: [TRIPLET_TERMS_COLUMNS, rows], dim, kind, pipeline: true });
      const sums = await sumsKernel(anchor, positive, negative);
      const terms = await termsKernel(sums, this.weightsOf(rows, problem.gradOutput, problem.gradScale), problem.temperature, problem.eps);
      const used = [sumsKernel, termsKernel];
      let gradients: KernelResult | null = null;
      if (problem.gradients) {
        const gradientKernel = this.kernel({ name: 'tripletGradients', source: tripletGradients, output: [dim, rows, 3], dim, kind, pipeline: false });
        gradients = await readBack(await gradientKernel(anchor, positive, negative, terms));
        used.push(gradientKernel);
      }
      const termRows = (await readBack(terms)) as Float32Array[];
      const backend = this.ranOn(used);

      const losses = operandArray(problem.losses);
      const similarityPositive = operandArray(problem.similarityPositive);
      const similarityNegative = operandArray(problem.similarityNegative);
      let lossSum = 0;
      let gradTemperatureSum = 0;
      for (let i = 0; i < rows; i++) {
        const row = termRows[i];
        similarityPositive[i] = row[0];
        similarityNegative[i] = row[1];
        losses[i] = row[2];
        lossSum += row[2];
        gradTemperatureSum += row[3];
      }
      if (problem.gradients && gradients) {
        const layers = gradients as KernelResult[];
        copyRows(layers[0], operandArray(problem.gradients.anchor), dim);
        copyRows(layers[1], operandArray(problem.gradients.positive), dim);
        copyRows(layers[2], operandArray(problem.gradients.negative), dim);
      }
      return { lossSum, gradTemperatureSum, backend };
    });
  }

  similarity(problem: SimilarityProblem): Promise<GpuBackendName> {
    return this.serialise(async () => {
      const kernel = this.kernel({
        name: 'rowSimilarity', source: rowSimilarity, output: [problem.rows], dim: problem.dim, kind: SIMILARITY_KIND[problem.similarity], pipeline: false,
      });
      const result = await readBack(await kernel(operandArray(problem.x), operandArray(problem.y), problem.eps));
      const backend = this.ranOn([kernel]);
      operandArray(problem.out).set(result as Float32Array);
      return backend;
    });
  }

  similarityMatrix(problem: SimilarityMatrixProblem): Promise<GpuBackendName> {
    return this.serialise(async () => {
      const { rows, columns, dim } = problem;
      const kind = SIMILARITY_KIND[problem.similarity];
      const a = operandArray(problem.a);
      const b = operandArray(problem.b);
      const used: GpuJsKernel[] = [];
      const [normsA, normsB] = await this.norms(problem.similarity, a, rows, b, columns, dim, used);
      const matrix = this.kernel({ name: 'similarityMatrix', source: similarityMatrix, output: [columns, rows], dim, kind, pipeline: false });
      const result = await readBack(await matrix(a, b, normsA, normsB, problem.eps));
      used.push(matrix);
      const backend = this.ranOn(used);
      copyRows(result, operandArray(problem.out), columns);
      return backend;
    });
  }

  /** Row norms of a and b on the device for cosine (b's are a's when b is a); a placeholder otherwise. */
  private async norms(
    similarity: string, a: FloatArray, rows: number, b: FloatArray, columns: number, dim: number, used: GpuJsKernel[],
  ): Promise<[unknown, unknown]> {
    if (similarity !== 'cosine') return [this.dummy, this.dummy];
    const normsOfA = this.kernel({ name: 'normsA', source: rowNorms, output: [rows], dim, kind: 0, pipeline: true });
    const normsA = await normsOfA(a);
    used.push(normsOfA);
    if (b === a) return [normsA, normsA];
    const normsOfB = this.kernel({ name: 'normsB', source: rowNorms, output: [columns], dim, kind: 0, pipeline: true });
    used.push(normsOfB);
    return [normsA, await normsOfB(b)];
  }

  /**
   * The in-batch losses (kernels.ts has the formulation): similarities, row (and for clip column)
   * statistics, losses, ∂/∂S, then the gradient rows of both sides of the matrix; all of it stays
   * on the device but the losses, the per-row Σ D·S for ∂/∂σ, and the gradients.
   */
  batchContrastiveLoss(problem: BatchProblem): Promise<BatchSums & { backend: GpuBackendName }> {
    return this.serialise(async () => {
      const { rows: n, lossRows: R, dim, mode } = problem;
      const kind = SIMILARITY_KIND[problem.similarity];
      const clip = mode === 'clip';
      const a = operandArray(problem.a);
      const b = problem.b ? operandArray(problem.b) : null;
      // z: the rows of the logit matrix; w: its columns, which are z itself but for clip.
      const z = clip || !b ? a : this.stack(a, b);
      const w = clip ? b! : z;
      const C = clip ? n : R;
      const labels = this.rowLabels(problem);
      const scale = problem.scaling.kind === 'temperature' ? 1 / problem.scaling.value : problem.scaling.value;
      const weights = this.weightsOf(R, problem.gradOutput, problem.gradScale);
      const modeConstants = { maskSelf: clip ? 0 : 1, columnLoss: clip ? 1 : 0 };
      const kernel = (name: string, source: string, output: number[], others: number, transposed: number, pipeline = true) =>
        this.kernel({ name, source, output, dim, kind, pipeline, constants: { ...modeConstants, others, transposed } });

      const used: GpuJsKernel[] = [];
      const [normsZ, normsW] = await this.norms(problem.similarity, z, R, w, C, dim, used);
      const similarityKernel = kernel('batchSimilarities', similarityMatrix, [C, R], C, 0);
      const rowStatsKernel = kernel('batchRowStats', batchStats, [BATCH_STATS_COLUMNS, R], C, 0);
      const lossesKernel = kernel('batchLosses', batchLosses, [R], C, 0, false);
      const logitGradientsKernel = kernel('batchLogitGradients', batchLogitGradients, [C, R], C, 0);
      const rowDotKernel = kernel('batchRowDot', batchGradientDotSimilarity, [R], C, 0);
      used.push(similarityKernel, rowStatsKernel, lossesKernel, logitGradientsKernel, rowDotKernel);

      const S = await similarityKernel(z, w, normsZ, normsW, problem.eps);
      const rowStats = await rowStatsKernel(S, labels, labels, scale);
      let columnStats = rowStats;
      if (clip) {
        const columnStatsKernel = kernel('batchColumnStats', batchStats, [BATCH_STATS_COLUMNS, C], R, 1);
        used.push(columnStatsKernel);
        columnStats = await columnStatsKernel(S, labels, labels, scale);
      }
      const losses = (await readBack(await lossesKernel(S, labels, labels, rowStats, columnStats, scale))) as Float32Array;
      const D = await logitGradientsKernel(S, labels, labels, rowStats, columnStats, weights, scale);
      const rowDot = await rowDotKernel(D, S);
      let rowGradients: KernelResult | null = null;
      let columnGradients: KernelResult | null = null;
      if (problem.gradients) {
        const columnDotKernel = kernel('batchColumnDot', batchGradientDotSimilarity, [C], R, 1);
        const rowGradientKernel = kernel('batchRowGradients', batchGradients, [dim, R], C, 0, false);
        const columnGradientKernel = kernel('batchColumnGradients', batchGradients, [dim, C], R, 1, false);
        used.push(columnDotKernel, rowGradientKernel, columnGradientKernel);
        const columnDot = await columnDotKernel(D, S);
        rowGradients = await readBack(await rowGradientKernel(z, w, D, S, normsZ, normsW, rowDot, problem.eps));
        columnGradients = await readBack(await columnGradientKernel(w, z, D, S, normsW, normsZ, columnDot, problem.eps));
      }
      const dotSums = (await readBack(rowDot)) as Float32Array;
      const backend = this.ranOn(used);

      operandArray(problem.losses).set(losses);
      let lossSum = 0;
      let dotSum = 0;
      for (let i = 0; i < R; i++) {
        lossSum += losses[i];
        dotSum += dotSums[i];
      }
      if (problem.gradients && rowGradients && columnGradients) {
        const gradA = operandArray(problem.gradients.a);
        const gradB = problem.gradients.b ? operandArray(problem.gradients.b) : null;
        if (clip) {
          copyRows(rowGradients, gradA, dim);
          copyRows(columnGradients, gradB!, dim);
        } else {
          // z is both the rows and the columns: its gradient is the sum of both sides.
          const rowList = rowGradients as Float32Array[];
          const columnList = columnGradients as Float32Array[];
          for (let i = 0; i < R; i++) {
            const out = i < n ? gradA : gradB!;
            const offset = (i % n) * dim;
            for (let k = 0; k < dim; k++) out[offset + k] = rowList[i][k] + columnList[i][k];
          }
        }
      }
      // Σ D·S = scale·Σ G·S with ℓ = scale·S: ∂/∂λ = Σ G·S, ∂/∂σ = −Σ G·S/σ² = −Σ D·S/σ.
      const gradScaling = problem.scaling.kind === 'temperature' ? -dotSum / problem.scaling.value : dotSum / scale;
      return { lossSum, gradScaling, backend };
    });
  }

  /** [a; b] in one array kept between calls. */
  private stack(a: FloatArray, b: FloatArray): Float32Array {
    if (this.stacked.length !== a.length + b.length) this.stacked = new Float32Array(a.length + b.length);
    this.stacked.set(a);
    this.stacked.set(b, a.length);
    return this.stacked;
  }

  /**
   * One label per row of z, as f32 (exact below 2^24): clip the row index (the positive is the
   * same index), ntxent the index mod n (the other view), supcon the given labels renumbered
   * 0, 1, 2, … in order of first appearance.
   */
  private rowLabels(problem: BatchProblem): Float32Array {
    const { rows: n, lossRows, mode } = problem;
    if (this.labels.length !== lossRows) this.labels = new Float32Array(lossRows);
    if (mode !== 'supcon') {
      for (let i = 0; i < lossRows; i++) this.labels[i] = i % n;
      return this.labels;
    }
    const classes = new Map<number, number>();
    problem.labels!.forEach((label, i) => {
      let index = classes.get(label);
      if (index === undefined) classes.set(label, (index = classes.size));
      this.labels[i] = index;
    });
    return this.labels;
  }

  /**
   * Runs one small kernel and reports what ran it: gpu.js's backend (after any silent fallback)
   * and the renderer or adapter behind it. Throws if gpu.js cannot run the kernel or gets it wrong.
   */
  async probe(): Promise<{ mode: GpuJsMode; renderer: string | null; software: boolean | null }> {
    const kernel = this.kernel({ name: 'probe', source: rowSimilarity, output: [2], dim: 3, kind: SIMILARITY_KIND.dot, pipeline: false });
    const x = new Float32Array([1, 2, 3, -1, 0.5, 2]);
    const y = new Float32Array([4, 5, 6, 2, 8, -0.25]);
    const result = (await readBack(await this.serialise(async () => kernel(x, y, 1e-8)))) as Float32Array;
    if (result[0] !== 32 || result[1] !== 1.5) {
      throw new Error(`gpu.js computed [${result[0]}, ${result[1]}] for a probe whose answer is [32, 1.5]`);
    }
    const mode = kernelMode(kernel);
    this.mode = mode;
    if (mode === 'webgpu') {
      const adapter = await webGpuAdapter();
      const renderer = adapter?.description ?? null;
      return { mode, renderer, software: Boolean(adapter?.fallback) || (renderer !== null && isSoftwareRenderer(renderer)) };
    }
    if (mode === 'cpu' || mode === 'webasm') return { mode, renderer: null, software: null };
    // headless-gl names only its own ANGLE layer, never the driver under it.
    if (mode === 'headlessgl') return { mode, renderer: 'headless-gl (ANGLE; the driver is not reported)', software: null };
    const renderer = glRenderer(kernel);
    return { mode, renderer, software: renderer === null ? null : isSoftwareRenderer(renderer) };
  }

  /** Destroys every compiled kernel (the gpu.js instance stays the caller's, or the engine's). */
  destroy(): void {
    for (const kernel of this.kernels.values()) kernel.destroy?.();
    this.kernels.clear();
  }
}
