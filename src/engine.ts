// The façade: createEngine, input validation, and the results users see. Validation happens here,
// once per call; the backend then only computes (DESIGN.md §2).
import { BackendChooser, type BackendChoice, type EngineOp, type GpuOptions, type GpuStatus, type OpShape } from './backend-choice.js';
import type {
  Backend, BatchProblem, BatchSums, InfoNCEProblem, LossSums, SimilarityMatrixProblem, SimilarityProblem, TripletProblem,
} from './backends/backend.js';
import { GPU_OPS, type GpuBackend, type GpuOp } from './backends/gpu/gpu-backend.js';
import { BACKEND_REQUESTS, createBackend } from './backends/registry.js';
import { newArray, operandArray } from './buffers.js';
import type {
  ArrayOf, BackendName, BackendRequest, GpuBackendName, ResultBackend, BatchContrastiveLossOptions, BatchContrastiveLossResult, BatchMode, DType,
  EngineBuffer, FloatArray, InfoNCELossOptions, InfoNCELossResult, LossOptions, NegativeLayout, Operand, Reduction, Similarity,
  SimilarityOptions, TripletLossOptions, TripletLossResult,
} from './types.js';
import {
  checkAllFinite, checkBoolean, checkChoice, checkCount, checkDim, checkDtype, checkFiniteNumber, checkLength, checkNonNegative,
  checkNoOverlap, checkOperand, checkPositiveFinite, checkPositiveInteger, describeKind, rowsOf,
} from './validation.js';

export const DEFAULT_TEMPERATURE = 0.1;
export const DEFAULT_EPS = 1e-8;
const SIMILARITIES: readonly Similarity[] = ['cosine', 'dot', 'euclidean'];
const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];
const DTYPES: readonly DType[] = ['f32', 'f64'];
const NEGATIVE_LAYOUTS: readonly NegativeLayout[] = ['paired', 'shared'];
const BATCH_MODES: readonly BatchMode[] = ['clip', 'ntxent', 'supcon'];
const ENGINE_OPS: readonly EngineOp[] = [...GPU_OPS, 'infoNCELoss'];

export interface EngineOptions {
  /**
   * 'auto' (default): the fastest CPU backend that runs here, and for async ops the GPU where it is
   * measured to be faster; 'gpu': async ops on the GPU whenever they have a GPU kernel (an error if
   * gpu.js finds no GPU); 'wasm': the best WebAssembly flavour (error if none runs); or one exact
   * CPU backend name.
   */
  backend?: BackendRequest | 'gpu';
  /** The GPU path (gpu.js, an optional peer dependency): options, or false not to look for a GPU. */
  gpu?: GpuOptions | false;
}

export interface Engine {
  /** The CPU kernels this engine runs (every sync op): 'wasm-relaxed-simd', 'wasm-simd', 'wasm-scalar' or 'js'. */
  readonly backend: BackendName;
  /** The GPU path: which gpu.js backend and renderer, or why there is none or 'auto' does not use it. */
  readonly gpu: GpuStatus;
  /**
   * The backend the async form of `op` would run on for this shape, and why. Sync ops always run
   * on `backend`.
   */
  explain(op: EngineOp, shape: OpShape): BackendChoice;
  /** Triplet contrastive loss L_c = softplus((s⁻ − s⁺)/σ) per triplet, with all its gradients. */
  tripletLoss<A extends FloatArray>(options: TripletLossOptions<A>): TripletLossResult<A>;
  /**
   * InfoNCE with K negatives per anchor: L = logsumexp(ℓ) − ℓ₀ with ℓ₀ = s⁺/σ, ℓ_t = s_t⁻/σ, and all
   * its gradients. K = 1 is the triplet loss. Negatives are paired ([n, k, dim]) or one shared bank.
   */
  infoNCELoss<A extends FloatArray>(options: InfoNCELossOptions<A>): InfoNCELossResult<A>;
  /**
   * In-batch negatives: 'clip' (the mean of the row-wise and column-wise cross-entropies of
   * sim(a_i, b_j)/σ with targets on the diagonal), 'ntxent' (SimCLR: [a; b] against itself, the self
   * pair masked out, the other view the positive), 'supcon' (every other row with the same label is
   * a positive). Computed tile by tile: memory O(n·dim), never the n×n logits.
   */
  batchContrastiveLoss<A extends FloatArray>(options: BatchContrastiveLossOptions<A>): BatchContrastiveLossResult<A>;
  /** Row-wise similarity of paired rows: out[i] = sim(a_i, b_i) for [n, dim] arrays a and b. */
  similarity<A extends FloatArray>(a: Operand<A>, b: Operand<A>, options: SimilarityOptions<A>): A;
  /**
   * The similarity matrix of a [n, dim] against b [m, dim]: out[i·m + j] = sim(a_i, b_j), row-major
   * [n, m]. `options.out`, when given, must have n·m elements.
   */
  similarityMatrix<A extends FloatArray>(a: Operand<A>, b: Operand<A>, options: SimilarityOptions<A>): A;
  /**
   * A zero-filled array of `length` elements in the engine's own memory, which ops read and write
   * without copying (see EngineBuffer for how its view stays valid). Free it with `free()`.
   */
  allocate<D extends DType = 'f32'>(length: number, dtype?: D): EngineBuffer<ArrayOf<D>>;
  /** tripletLoss, on the GPU when explain('tripletLoss', …) says so. Same inputs and results. */
  tripletLossAsync<A extends FloatArray>(options: TripletLossOptions<A>): Promise<TripletLossResult<A>>;
  /** infoNCELoss as a Promise (it has no GPU kernel yet: it runs on the CPU). */
  infoNCELossAsync<A extends FloatArray>(options: InfoNCELossOptions<A>): Promise<InfoNCELossResult<A>>;
  /** batchContrastiveLoss, on the GPU when explain('batchContrastiveLoss', …) says so. */
  batchContrastiveLossAsync<A extends FloatArray>(options: BatchContrastiveLossOptions<A>): Promise<BatchContrastiveLossResult<A>>;
  /** similarity, on the GPU when explain('similarity', …) says so. */
  similarityAsync<A extends FloatArray>(a: Operand<A>, b: Operand<A>, options: SimilarityOptions<A>): Promise<A>;
  /** similarityMatrix, on the GPU when explain('similarityMatrix', …) says so. */
  similarityMatrixAsync<A extends FloatArray>(a: Operand<A>, b: Operand<A>, options: SimilarityOptions<A>): Promise<A>;
}

/** Creates an engine; resolves once its kernels are compiled and instantiated. */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`createEngine options must be an object, got ${describeKind(options)}`);
  }
  const request = checkChoice('backend', options.backend ?? 'auto', [...BACKEND_REQUESTS, 'gpu'] as const);
  const gpuOptions = checkGpuOptions(options.gpu);
  const cpu = await createBackend(request === 'gpu' ? 'auto' : request);
  const chooser = await BackendChooser.create(request === 'auto' || request === 'gpu' ? request : 'cpu', cpu, gpuOptions);
  return new ContrastiveEngine(cpu, chooser);
}

function checkGpuOptions(gpu: unknown): GpuOptions | false | undefined {
  if (gpu === undefined || gpu === false) return gpu;
  if (typeof gpu !== 'object' || gpu === null) throw new TypeError(`gpu must be an options object or false, got ${describeKind(gpu)}`);
  const { instance, minWork, allowSoftwareRenderer } = gpu as GpuOptions;
  if (instance !== undefined && typeof (instance as { createKernel?: unknown })?.createKernel !== 'function') {
    throw new TypeError(`gpu.instance must be a gpu.js GPU instance (with createKernel), got ${describeKind(instance)}`);
  }
  if (typeof minWork === 'number') checkNonNegative('gpu.minWork', minWork);
  else if (minWork !== undefined) {
    if (typeof minWork !== 'object' || minWork === null) throw new TypeError(`gpu.minWork must be a number or an object, got ${describeKind(minWork)}`);
    for (const [op, work] of Object.entries(minWork)) {
      checkChoice('gpu.minWork key', op, GPU_OPS);
      checkNonNegative(`gpu.minWork.${op}`, work);
    }
  }
  if (allowSoftwareRenderer !== undefined) checkBoolean('gpu.allowSoftwareRenderer', allowSoftwareRenderer);
  return gpu as GpuOptions;
}

function checkOptionsObject(name: string, options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${name} expects an options object, got ${describeKind(options)}`);
  }
}

/** The output `name`: the caller's, checked against the first input's type, or a new array. */
function outputOperand(name: string, given: unknown, dtype: DType, length: number, formula: string, firstName: string): Operand {
  if (given === undefined) return newArray(dtype, length);
  const info = checkOperand(name, given);
  checkDtype(name, info, dtype, firstName);
  checkLength(name, info, length, formula);
  return given as Operand;
}

/** Turns gradOutput and the reduction into the per-row weights the kernels apply. */
function gradientWeights(
  gradOutput: unknown, reduction: Reduction, rows: number,
): { gradScale: number; gradOutput: FloatArray | null } {
  if (typeof gradOutput === 'number') {
    const g = checkFiniteNumber('gradOutput', gradOutput);
    return { gradScale: reduction === 'mean' ? (rows > 0 ? g / rows : 0) : g, gradOutput: null };
  }
  const isArray = gradOutput instanceof Float32Array || gradOutput instanceof Float64Array || Array.isArray(gradOutput);
  if (!isArray) {
    throw new TypeError(`gradOutput must be a number or an array of numbers, got ${describeKind(gradOutput)}`);
  }
  const values = gradOutput as ArrayLike<number>;
  if (reduction !== 'none') {
    throw new RangeError(
      `gradOutput has ${values.length} values but reduction '${reduction}' gives one loss; ` +
        "pass a number, or use reduction 'none' for one value per triplet",
    );
  }
  if (values.length !== rows) throw new RangeError(`gradOutput has ${values.length} values, expected n = ${rows}`);
  const array = ArrayBuffer.isView(values) ? (values as FloatArray) : Float64Array.from(values);
  return { gradScale: 1, gradOutput: array };
}

/** anchor and positive: one float type, [n, dim] each. */
function anchorAndPositive(options: { anchor: unknown; positive: unknown; dim: unknown }) {
  const anchorInfo = checkOperand('anchor', options.anchor);
  const positiveInfo = checkOperand('positive', options.positive);
  checkDtype('positive', positiveInfo, anchorInfo.dtype, 'anchor');
  const dim = checkDim(options.dim);
  const rows = rowsOf('anchor', anchorInfo, dim);
  checkLength('positive', positiveInfo, rows * dim, 'n*dim');
  return { dtype: anchorInfo.dtype, dim, rows };
}

/** σ, checked, with its default. */
function temperatureOf(options: LossOptions): number {
  return checkPositiveFinite('temperature', options.temperature ?? DEFAULT_TEMPERATURE);
}

/** The options every loss op shares (but σ, which batchContrastiveLoss may replace), checked and with their defaults. */
function lossOptions(options: LossOptions & { out?: object }, rows: number) {
  const reduction = checkChoice('reduction', options.reduction ?? 'mean', REDUCTIONS);
  const { out = {} } = options;
  if (typeof out !== 'object' || out === null) throw new TypeError(`out must be an object, got ${describeKind(out)}`);
  return {
    similarity: checkChoice('similarity', options.similarity ?? 'cosine', SIMILARITIES),
    eps: checkPositiveFinite('eps', options.eps ?? DEFAULT_EPS),
    reduction,
    ...gradientWeights(options.gradOutput ?? 1, reduction, rows),
    gradients: checkBoolean('gradients', options.gradients ?? true),
    checkFinite: checkBoolean('checkFinite', options.checkFinite ?? false),
    out: out as Record<string, unknown>,
  };
}

function checkInputsFinite(inputs: Record<string, Operand>, dim: number, gradOutput: FloatArray | null): void {
  for (const [name, operand] of Object.entries(inputs)) checkAllFinite(name, operandArray(operand), dim);
  if (gradOutput) checkAllFinite('gradOutput', gradOutput, 1);
}

/** SupCon labels: integers, one per row of a; returned for every loss row (b's rows repeat a's). */
function checkLabels(labels: unknown, rows: number, lossRows: number): Int32Array {
  if (labels === undefined) throw new TypeError("labels are required for mode 'supcon' (one integer class per row of a)");
  const isArray = Array.isArray(labels) || (ArrayBuffer.isView(labels) && !(labels instanceof DataView));
  if (!isArray) throw new TypeError(`labels must be an array of integers, got ${describeKind(labels)}`);
  const values = labels as ArrayLike<number>;
  if (values.length !== rows) throw new RangeError(`labels has ${values.length} values, expected n = ${rows}`);
  const result = new Int32Array(lossRows);
  for (let i = 0; i < lossRows; i++) {
    const label = values[i % rows];
    if (typeof label !== 'number' || !Number.isInteger(label) || Math.abs(label) > 2 ** 31 - 1) {
      throw new RangeError(`labels[${i % rows}] is ${String(label)}; labels must be 32-bit integers`);
    }
    result[i] = label;
  }
  return result;
}

/** The result array of an output: its live view, or null for an output not computed. */
function viewOrNull<A extends FloatArray>(operand: Operand | undefined): A | null {
  return operand === undefined ? null : (operandArray(operand) as A);
}

/** The mean (0 for an empty batch) or the sum of the per-row losses. */
function reducedLoss(reduction: Reduction, lossSum: number, rows: number): number {
  return reduction === 'mean' ? (rows > 0 ? lossSum / rows : 0) : lossSum;
}

/** One validated call: the backend problem, and how its sums become the user's result. */
interface PreparedCall<P, S, R> {
  problem: P;
  finish(sums: S, backend: ResultBackend): R;
}

class ContrastiveEngine implements Engine {
  constructor(private readonly impl: Backend, private readonly chooser: BackendChooser) {}

  get backend(): BackendName {
    return this.impl.name;
  }

  get gpu(): GpuStatus {
    return this.chooser.status;
  }

  explain(op: EngineOp, shape: OpShape): BackendChoice {
    checkChoice('op', op, ENGINE_OPS);
    checkOptionsObject('explain', shape);
    const rows = checkCount('shape.rows', shape.rows);
    const dim = checkDim(shape.dim);
    // The columns each row meets: the matrix's m, InfoNCE's positive and k negatives, the batch's
    // rows (shape.rows is the batch's loss rows: n for clip, 2n for ntxent).
    const columns = op === 'similarityMatrix' ? checkCount('shape.columns', shape.columns)
      : op === 'infoNCELoss' ? checkCount('shape.k', shape.k) + 1
      : op === 'batchContrastiveLoss' ? rows : 1;
    const dtype = checkChoice('shape.dtype', shape.dtype ?? 'f32', DTYPES);
    return this.chooser.choose(op, { rows, columns, dim, dtype });
  }

  tripletLoss<A extends FloatArray>(options: TripletLossOptions<A>): TripletLossResult<A> {
    const call = this.prepareTriplet(options);
    return call.finish(this.impl.tripletLoss(call.problem), this.impl.name);
  }

  async tripletLossAsync<A extends FloatArray>(options: TripletLossOptions<A>): Promise<TripletLossResult<A>> {
    const call = this.prepareTriplet(options);
    const { problem } = call;
    return this.runAsync('tripletLoss', problem, problem.rows, 1, call,
      async (gpu) => { const sums = await gpu.tripletLoss(problem); return { sums, backend: sums.backend }; },
      () => this.impl.tripletLoss(problem));
  }

  infoNCELoss<A extends FloatArray>(options: InfoNCELossOptions<A>): InfoNCELossResult<A> {
    const call = this.prepareInfoNCE(options);
    return call.finish(this.impl.infoNCELoss(call.problem), this.impl.name);
  }

  async infoNCELossAsync<A extends FloatArray>(options: InfoNCELossOptions<A>): Promise<InfoNCELossResult<A>> {
    return this.infoNCELoss(options);
  }

  batchContrastiveLoss<A extends FloatArray>(options: BatchContrastiveLossOptions<A>): BatchContrastiveLossResult<A> {
    const call = this.prepareBatch(options);
    return call.finish(this.impl.batchContrastiveLoss(call.problem), this.impl.name);
  }

  async batchContrastiveLossAsync<A extends FloatArray>(options: BatchContrastiveLossOptions<A>): Promise<BatchContrastiveLossResult<A>> {
    const call = this.prepareBatch(options);
    const { problem } = call;
    // The logit matrix is lossRows × lossRows in every mode (clip: n × n; ntxent: 2n × 2n).
    return this.runAsync('batchContrastiveLoss', problem, problem.lossRows, problem.lossRows, call,
      async (gpu) => { const sums = await gpu.batchContrastiveLoss(problem); return { sums, backend: sums.backend }; },
      () => this.impl.batchContrastiveLoss(problem));
  }

  similarity<A extends FloatArray>(a: Operand<A>, b: Operand<A>, options: SimilarityOptions<A>): A {
    const call = this.prepareSimilarity<A>(a, b, options);
    this.impl.similarity(call.problem);
    return call.finish(undefined, this.impl.name);
  }

  async similarityAsync<A extends FloatArray>(a: Operand<A>, b: Operand<A>, options: SimilarityOptions<A>): Promise<A> {
    const call = this.prepareSimilarity<A>(a, b, options);
    const { problem } = call;
    return this.runAsync('similarity', problem, problem.rows, 1, call,
      async (gpu) => ({ sums: undefined, backend: await gpu.similarity(problem) }),
      () => this.impl.similarity(problem));
  }

  similarityMatrix<A extends FloatArray>(a: Operand<A>, b: Operand<A>, options: SimilarityOptions<A>): A {
    const call = this.prepareSimilarityMatrix<A>(a, b, options);
    this.impl.similarityMatrix(call.problem);
    return call.finish(undefined, this.impl.name);
  }

  async similarityMatrixAsync<A extends FloatArray>(a: Operand<A>, b: Operand<A>, options: SimilarityOptions<A>): Promise<A> {
    const call = this.prepareSimilarityMatrix<A>(a, b, options);
    const { problem } = call;
    return this.runAsync('similarityMatrix', problem, problem.rows, problem.columns, call,
      async (gpu) => ({ sums: undefined, backend: await gpu.similarityMatrix(problem) }),
      () => this.impl.similarityMatrix(problem));
  }

  /**
   * Runs a prepared call where the chooser says. In 'auto' a GPU failure sends this op to the CPU
   * from then on (explain() reports the error); with backend 'gpu' the failure is the caller's.
   */
  private async runAsync<P extends { dtype: DType; dim: number }, S, R>(
    op: GpuOp, problem: P, rows: number, columns: number, call: PreparedCall<P, S, R>,
    onGpu: (gpu: GpuBackend) => Promise<{ sums: S; backend: GpuBackendName }>,
    onCpu: () => S,
  ): Promise<R> {
    const choice = this.chooser.choose(op, { rows, columns, dim: problem.dim, dtype: problem.dtype });
    const gpu = this.chooser.gpu;
    if (choice.device === 'gpu' && gpu) {
      try {
        const { sums, backend } = await onGpu(gpu);
        return call.finish(sums, backend);
      } catch (error) {
        if (this.chooser.forced) throw error;
        this.chooser.disable(op, error as Error);
      }
    }
    return call.finish(onCpu(), this.impl.name);
  }

  private prepareTriplet<A extends FloatArray>(
    options: TripletLossOptions<A>,
  ): PreparedCall<TripletProblem, LossSums, TripletLossResult<A>> {
    checkOptionsObject('tripletLoss', options);
    const { anchor, positive, negative } = options;
    const { dtype, dim, rows } = anchorAndPositive(options);
    const size = rows * dim;
    const negativeInfo = checkOperand('negative', negative);
    checkDtype('negative', negativeInfo, dtype, 'anchor');
    checkLength('negative', negativeInfo, size, 'n*dim');
    const temperature = temperatureOf(options);
    const { out, gradients, checkFinite, reduction, ...common } = lossOptions(options, rows);

    const outputs: Record<string, Operand> = {
      losses: outputOperand('out.losses', out.losses, dtype, rows, 'n', 'anchor'),
      similarityPositive: outputOperand('out.similarityPositive', out.similarityPositive, dtype, rows, 'n', 'anchor'),
      similarityNegative: outputOperand('out.similarityNegative', out.similarityNegative, dtype, rows, 'n', 'anchor'),
    };
    if (gradients) {
      outputs.gradAnchor = outputOperand('out.gradAnchor', out.gradAnchor, dtype, size, 'n*dim', 'anchor');
      outputs.gradPositive = outputOperand('out.gradPositive', out.gradPositive, dtype, size, 'n*dim', 'anchor');
      outputs.gradNegative = outputOperand('out.gradNegative', out.gradNegative, dtype, size, 'n*dim', 'anchor');
    }
    checkNoOverlap({ anchor, positive, negative }, outputs, ['gradAnchor', 'gradPositive', 'gradNegative']);
    if (checkFinite) checkInputsFinite({ anchor, positive, negative }, dim, common.gradOutput);

    const problem: TripletProblem = {
      dtype, rows, dim, anchor, positive, negative, temperature, ...common,
      losses: outputs.losses,
      similarityPositive: outputs.similarityPositive,
      similarityNegative: outputs.similarityNegative,
      gradients: gradients
        ? { anchor: outputs.gradAnchor, positive: outputs.gradPositive, negative: outputs.gradNegative }
        : null,
    };
    return {
      problem,
      finish: (sums, backend) => ({
        loss: reducedLoss(reduction, sums.lossSum, rows),
        losses: operandArray(outputs.losses) as A,
        similarityPositive: operandArray(outputs.similarityPositive) as A,
        similarityNegative: operandArray(outputs.similarityNegative) as A,
        gradAnchor: viewOrNull<A>(outputs.gradAnchor),
        gradPositive: viewOrNull<A>(outputs.gradPositive),
        gradNegative: viewOrNull<A>(outputs.gradNegative),
        gradTemperature: sums.gradTemperatureSum,
        backend,
      }),
    };
  }

  private prepareInfoNCE<A extends FloatArray>(
    options: InfoNCELossOptions<A>,
  ): PreparedCall<InfoNCEProblem, LossSums, InfoNCELossResult<A>> {
    checkOptionsObject('infoNCELoss', options);
    const { anchor, positive, negatives } = options;
    const { dtype, dim, rows } = anchorAndPositive(options);
    const size = rows * dim;
    const negativesInfo = checkOperand('negatives', negatives);
    checkDtype('negatives', negativesInfo, dtype, 'anchor');
    const negativeLayout = checkChoice('negativeLayout', options.negativeLayout ?? 'paired', NEGATIVE_LAYOUTS);
    let k: number;
    if (negativeLayout === 'paired') {
      if (options.k === undefined) throw new TypeError("k is required with negativeLayout 'paired' (negatives [n, k, dim])");
      k = checkPositiveInteger('k', options.k);
      checkLength('negatives', negativesInfo, rows * k * dim, 'n*k*dim');
    } else {
      k = rowsOf('negatives', negativesInfo, dim);
      if (k < 1) throw new RangeError('negatives is an empty bank; a shared bank needs m >= 1 rows');
      if (options.k !== undefined && options.k !== k) {
        throw new RangeError(`k is ${options.k} but the shared bank negatives has m = ${k} rows`);
      }
    }
    const temperature = temperatureOf(options);
    const { out, gradients, checkFinite, reduction, ...common } = lossOptions(options, rows);

    const outputs: Record<string, Operand> = {
      losses: outputOperand('out.losses', out.losses, dtype, rows, 'n', 'anchor'),
      similarityPositive: outputOperand('out.similarityPositive', out.similarityPositive, dtype, rows, 'n', 'anchor'),
      similarityNegatives: outputOperand('out.similarityNegatives', out.similarityNegatives, dtype, rows * k, 'n*k', 'anchor'),
    };
    if (gradients) {
      outputs.gradAnchor = outputOperand('out.gradAnchor', out.gradAnchor, dtype, size, 'n*dim', 'anchor');
      outputs.gradPositive = outputOperand('out.gradPositive', out.gradPositive, dtype, size, 'n*dim', 'anchor');
      outputs.gradNegatives = outputOperand('out.gradNegatives', out.gradNegatives, dtype, negativesInfo.length,
        negativeLayout === 'paired' ? 'n*k*dim' : 'm*dim', 'anchor');
    }
    checkNoOverlap({ anchor, positive, negatives }, outputs, []);
    if (checkFinite) checkInputsFinite({ anchor, positive, negatives }, dim, common.gradOutput);

    return {
      problem: {
        dtype, rows, k, dim, anchor, positive, negatives, negativeLayout, temperature, ...common,
        losses: outputs.losses,
        similarityPositive: outputs.similarityPositive,
        similarityNegatives: outputs.similarityNegatives,
        gradients: gradients
          ? { anchor: outputs.gradAnchor, positive: outputs.gradPositive, negatives: outputs.gradNegatives }
          : null,
      },
      finish: (sums, backend) => ({
        loss: reducedLoss(reduction, sums.lossSum, rows),
        losses: operandArray(outputs.losses) as A,
        similarityPositive: operandArray(outputs.similarityPositive) as A,
        similarityNegatives: operandArray(outputs.similarityNegatives) as A,
        gradAnchor: viewOrNull<A>(outputs.gradAnchor),
        gradPositive: viewOrNull<A>(outputs.gradPositive),
        gradNegatives: viewOrNull<A>(outputs.gradNegatives),
        gradTemperature: sums.gradTemperatureSum,
        backend,
      }),
    };
  }

  private prepareBatch<A extends FloatArray>(
    options: BatchContrastiveLossOptions<A>,
  ): PreparedCall<BatchProblem, BatchSums, BatchContrastiveLossResult<A>> {
    checkOptionsObject('batchContrastiveLoss', options);
    const { a, b } = options;
    const aInfo = checkOperand('a', a);
    const { dtype } = aInfo;
    const dim = checkDim(options.dim);
    const rows = rowsOf('a', aInfo, dim);
    const mode = checkChoice('mode', options.mode, BATCH_MODES);
    if (b === undefined) {
      if (mode !== 'supcon') throw new TypeError(`b is required for mode '${mode}' (the second view, [n, dim])`);
    } else {
      const bInfo = checkOperand('b', b);
      checkDtype('b', bInfo, dtype, 'a');
      checkLength('b', bInfo, rows * dim, 'n*dim');
    }
    const lossRows = mode === 'clip' || b === undefined ? rows : 2 * rows;
    const labels = mode === 'supcon' ? checkLabels(options.labels, rows, lossRows) : null;
    if (mode !== 'supcon' && options.labels !== undefined) throw new RangeError(`labels are used by mode 'supcon' only, not '${mode}'`);
    if (options.logitScale !== undefined && options.temperature !== undefined) {
      throw new RangeError('give either temperature or logitScale, not both');
    }
    const scaling = options.logitScale !== undefined
      ? { kind: 'logitScale' as const, value: checkPositiveFinite('logitScale', options.logitScale) }
      : { kind: 'temperature' as const, value: temperatureOf(options) };
    const { out, gradients, checkFinite, reduction, similarity, eps, gradScale, gradOutput } = lossOptions(options, lossRows);

    const outputs: Record<string, Operand> = {
      losses: outputOperand('out.losses', out.losses, dtype, lossRows, mode === 'clip' || b === undefined ? 'n' : '2n', 'a'),
    };
    if (gradients) {
      outputs.gradA = outputOperand('out.gradA', out.gradA, dtype, rows * dim, 'n*dim', 'a');
      if (b !== undefined) outputs.gradB = outputOperand('out.gradB', out.gradB, dtype, rows * dim, 'n*dim', 'a');
    }
    const inputs: Record<string, Operand> = b === undefined ? { a } : { a, b };
    checkNoOverlap(inputs, outputs, []);
    if (checkFinite) checkInputsFinite(inputs, dim, gradOutput);

    return {
      problem: {
        dtype, rows, lossRows, dim, a, b: b ?? null, mode, labels, scaling, similarity, eps, gradScale, gradOutput,
        losses: outputs.losses,
        gradients: gradients ? { a: outputs.gradA, b: outputs.gradB ?? null } : null,
      },
      finish: (sums, backend) => ({
        loss: reducedLoss(reduction, sums.lossSum, lossRows),
        losses: operandArray(outputs.losses) as A,
        gradA: viewOrNull<A>(outputs.gradA),
        gradB: viewOrNull<A>(outputs.gradB),
        gradTemperature: scaling.kind === 'temperature' ? sums.gradScaling : null,
        gradLogitScale: scaling.kind === 'logitScale' ? sums.gradScaling : null,
        backend,
      }),
    };
  }

  private prepareSimilarity<A extends FloatArray>(
    a: Operand<A>, b: Operand<A>, options: SimilarityOptions<A>,
  ): PreparedCall<SimilarityProblem, undefined, A> {
    const { dtype, rows, dim, similarity, eps } = this.pairOfInputs('similarity', a, b, options);
    checkLength('b', checkOperand('b', b), rows * dim, 'n*dim');
    const out = outputOperand('out', options.out, dtype, rows, 'n', 'a');
    checkNoOverlap({ a, b }, { out }, []);
    return {
      problem: { dtype, rows, dim, x: a, y: b, similarity, eps, out },
      finish: () => operandArray(out) as A,
    };
  }

  private prepareSimilarityMatrix<A extends FloatArray>(
    a: Operand<A>, b: Operand<A>, options: SimilarityOptions<A>,
  ): PreparedCall<SimilarityMatrixProblem, undefined, A> {
    const { dtype, rows, dim, similarity, eps } = this.pairOfInputs('similarityMatrix', a, b, options);
    const columns = rowsOf('b', checkOperand('b', b), dim);
    const out = outputOperand('out', options.out, dtype, rows * columns, 'n*m', 'a');
    checkNoOverlap({ a, b }, { out }, []);
    return {
      problem: { dtype, rows, columns, dim, a, b, similarity, eps, out },
      finish: () => operandArray(out) as A,
    };
  }

  /** What similarity() and similarityMatrix() check alike: two arrays of one type, dim, the options. */
  private pairOfInputs(op: string, a: unknown, b: unknown, options: SimilarityOptions) {
    checkOptionsObject(op, options);
    const aInfo = checkOperand('a', a);
    checkDtype('b', checkOperand('b', b), aInfo.dtype, 'a');
    const dim = checkDim(options.dim);
    return {
      dtype: aInfo.dtype,
      rows: rowsOf('a', aInfo, dim),
      dim,
      similarity: checkChoice('similarity', options.similarity ?? 'cosine', SIMILARITIES),
      eps: checkPositiveFinite('eps', options.eps ?? DEFAULT_EPS),
    };
  }

  allocate<D extends DType = 'f32'>(length: number, dtype: D = 'f32' as D): EngineBuffer<ArrayOf<D>> {
    if (typeof length !== 'number') throw new TypeError(`length must be a number, got ${describeKind(length)}`);
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`length must be an integer >= 0, got ${length}`);
    checkChoice('dtype', dtype, DTYPES);
    return this.impl.allocate(length, dtype) as EngineBuffer<ArrayOf<D>>;
  }
}
