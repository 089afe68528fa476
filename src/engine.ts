// The façade: createEngine, input validation, and the results users see. Validation happens here,
// once per call; the backend then only computes (DESIGN.md §2).
import type { Backend, TripletProblem } from './backends/backend.js';
import { BACKEND_REQUESTS, createBackend } from './backends/registry.js';
import { newArray, operandArray } from './buffers.js';
import type {
  ArrayOf, BackendName, BackendRequest, DType, EngineBuffer, FloatArray, Operand, Reduction, Similarity,
  SimilarityOptions, TripletLossOptions, TripletLossResult,
} from './types.js';
import {
  checkAllFinite, checkBoolean, checkChoice, checkDim, checkDtype, checkFiniteNumber, checkLength, checkNoOverlap,
  checkOperand, checkPositiveFinite, describeKind, rowsOf,
} from './validation.js';

export const DEFAULT_TEMPERATURE = 0.1;
export const DEFAULT_EPS = 1e-8;
const SIMILARITIES: readonly Similarity[] = ['cosine', 'dot', 'euclidean'];
const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];
const DTYPES: readonly DType[] = ['f32', 'f64'];

export interface EngineOptions {
  /**
   * 'auto' (default): the fastest backend that runs here; 'wasm': the best WebAssembly flavour
   * (error if none runs); or one exact backend name.
   */
  backend?: BackendRequest;
}

export interface Engine {
  /** The kernels this engine runs: 'wasm-relaxed-simd', 'wasm-simd', 'wasm-scalar' or 'js'. */
  readonly backend: BackendName;
  /** Triplet contrastive loss L_c = softplus((s⁻ − s⁺)/σ) per triplet, with all its gradients. */
  tripletLoss<A extends FloatArray>(options: TripletLossOptions<A>): TripletLossResult<A>;
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
}

/** Creates an engine; resolves once its kernels are compiled and instantiated. */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`createEngine options must be an object, got ${describeKind(options)}`);
  }
  const request = checkChoice('backend', options.backend ?? 'auto', BACKEND_REQUESTS);
  return new ContrastiveEngine(await createBackend(request));
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

class ContrastiveEngine implements Engine {
  constructor(private readonly impl: Backend) {}

  get backend(): BackendName {
    return this.impl.name;
  }

  tripletLoss<A extends FloatArray>(options: TripletLossOptions<A>): TripletLossResult<A> {
    checkOptionsObject('tripletLoss', options);
    const { anchor, positive, negative, out = {} } = options;
    const anchorInfo = checkOperand('anchor', anchor);
    const positiveInfo = checkOperand('positive', positive);
    const negativeInfo = checkOperand('negative', negative);
    const { dtype } = anchorInfo;
    checkDtype('positive', positiveInfo, dtype, 'anchor');
    checkDtype('negative', negativeInfo, dtype, 'anchor');
    const dim = checkDim(options.dim);
    const rows = rowsOf('anchor', anchorInfo, dim);
    const size = rows * dim;
    checkLength('positive', positiveInfo, size, 'n*dim');
    checkLength('negative', negativeInfo, size, 'n*dim');
    const temperature = checkPositiveFinite('temperature', options.temperature ?? DEFAULT_TEMPERATURE);
    const similarity = checkChoice('similarity', options.similarity ?? 'cosine', SIMILARITIES);
    const eps = checkPositiveFinite('eps', options.eps ?? DEFAULT_EPS);
    const reduction = checkChoice('reduction', options.reduction ?? 'mean', REDUCTIONS);
    const weights = gradientWeights(options.gradOutput ?? 1, reduction, rows);
    const gradients = checkBoolean('gradients', options.gradients ?? true);
    const checkFinite = checkBoolean('checkFinite', options.checkFinite ?? false);
    if (typeof out !== 'object' || out === null) throw new TypeError(`out must be an object, got ${describeKind(out)}`);

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
    if (checkFinite) {
      checkAllFinite('anchor', operandArray(anchor), dim);
      checkAllFinite('positive', operandArray(positive), dim);
      checkAllFinite('negative', operandArray(negative), dim);
      if (weights.gradOutput) checkAllFinite('gradOutput', weights.gradOutput, 1);
    }

    const problem: TripletProblem = {
      dtype, rows, dim, anchor, positive, negative, similarity, temperature, eps, ...weights,
      losses: outputs.losses,
      similarityPositive: outputs.similarityPositive,
      similarityNegative: outputs.similarityNegative,
      gradients: gradients
        ? { anchor: outputs.gradAnchor, positive: outputs.gradPositive, negative: outputs.gradNegative }
        : null,
    };
    const sums = this.impl.tripletLoss(problem);
    const view = (operand: Operand | undefined) => (operand === undefined ? null : (operandArray(operand) as A));
    return {
      loss: reduction === 'mean' ? (rows > 0 ? sums.lossSum / rows : 0) : sums.lossSum,
      losses: view(outputs.losses)!,
      similarityPositive: view(outputs.similarityPositive)!,
      similarityNegative: view(outputs.similarityNegative)!,
      gradAnchor: view(outputs.gradAnchor),
      gradPositive: view(outputs.gradPositive),
      gradNegative: view(outputs.gradNegative),
      gradTemperature: sums.gradTemperatureSum,
      backend: this.impl.name,
    };
  }

  similarity<A extends FloatArray>(a: Operand<A>, b: Operand<A>, options: SimilarityOptions<A>): A {
    const { dtype, rows, dim, similarity, eps } = this.pairOfInputs('similarity', a, b, options);
    checkLength('b', checkOperand('b', b), rows * dim, 'n*dim');
    const out = outputOperand('out', options.out, dtype, rows, 'n', 'a');
    checkNoOverlap({ a, b }, { out }, []);
    this.impl.similarity({ dtype, rows, dim, x: a, y: b, similarity, eps, out });
    return operandArray(out) as A;
  }

  similarityMatrix<A extends FloatArray>(a: Operand<A>, b: Operand<A>, options: SimilarityOptions<A>): A {
    const { dtype, rows, dim, similarity, eps } = this.pairOfInputs('similarityMatrix', a, b, options);
    const columns = rowsOf('b', checkOperand('b', b), dim);
    const out = outputOperand('out', options.out, dtype, rows * columns, 'n*m', 'a');
    checkNoOverlap({ a, b }, { out }, []);
    this.impl.similarityMatrix({ dtype, rows, columns, dim, a, b, similarity, eps, out });
    return operandArray(out) as A;
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
