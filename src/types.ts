// Public types of the package. The engine's methods and the backends are written against these.

/** The float arrays the engine reads and writes. One call uses one of them throughout. */
export type FloatArray = Float32Array | Float64Array;

/** Element type of a FloatArray: 'f32' for Float32Array, 'f64' for Float64Array. */
export type DType = 'f32' | 'f64';

/** Maps an element type to its array type. */
export type ArrayOf<D extends DType> = D extends 'f32' ? Float32Array : Float64Array;

/** sim(x, y): 'cosine' ⟨x,y⟩/(max(‖x‖,ε)·max(‖y‖,ε)), 'dot' ⟨x,y⟩, 'euclidean' −‖x − y‖₂. */
export type Similarity = 'cosine' | 'dot' | 'euclidean';

/** How per-triplet losses are combined into `loss`. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Which kernels an engine runs. */
export type BackendName = 'wasm-relaxed-simd' | 'wasm-simd' | 'wasm-scalar' | 'js';

/** What `createEngine` may be asked for: a family ('auto', 'wasm') or one exact backend. */
export type BackendRequest = 'auto' | 'wasm' | BackendName;

/** The gpu.js backend that computed a result of an async op: a GPU, or gpu.js's own CPU fallbacks. */
export type GpuBackendName = 'gpujs-webgpu' | 'gpujs-webgl2' | 'gpujs-webgl' | 'gpujs-headlessgl' | 'gpujs-webasm' | 'gpujs-cpu';

/** The backend named in a result: the engine's CPU backend, or the gpu.js backend of an async op. */
export type ResultBackend = BackendName | GpuBackendName;

/**
 * An array that lives in an engine's own memory (see `Engine.allocate`). Ops read and write it in
 * place, without copying. For WASM engines `array` is a view of WebAssembly memory, and growing
 * that memory detaches older views. Memory grows in `allocate`, in the first op that copies plain
 * arrays (it sets up a staging area) and in an op whose rows are wider than that area: read
 * `array` again after such calls rather than keeping the view (the getter is cheap and always
 * returns a live view).
 */
export interface EngineBuffer<A extends FloatArray = FloatArray> {
  readonly dtype: DType;
  readonly length: number;
  /** A live view of the buffer's elements. Throws once the buffer has been freed. */
  readonly array: A;
  readonly freed: boolean;
  /** Returns the memory to the engine. Idempotent. The buffer must not be used afterwards. */
  free(): void;
}

/** An input or output array: a plain typed array, or a buffer allocated by the engine. */
export type Operand<A extends FloatArray = FloatArray> = A | EngineBuffer<A>;

/** Caller-owned outputs. Each one given is written in place; each one missing is allocated. */
export interface TripletLossOutputs<A extends FloatArray = FloatArray> {
  losses?: Operand<A>;
  similarityPositive?: Operand<A>;
  similarityNegative?: Operand<A>;
  gradAnchor?: Operand<A>;
  gradPositive?: Operand<A>;
  gradNegative?: Operand<A>;
}

/** The options every loss op takes. */
export interface LossOptions {
  /** Row length; an integer ≥ 1. */
  dim: number;
  /** σ > 0, finite. Default 0.1. */
  temperature?: number;
  /** Default 'cosine'. */
  similarity?: Similarity;
  /** Cosine norm clamp ε > 0: each norm is max(‖x‖, ε). Default 1e-8. */
  eps?: number;
  /** Default 'mean' (an empty batch gives 0). */
  reduction?: Reduction;
  /**
   * Upstream gradient: gradients are ∂(gradOutput·loss)/∂input. A number (default 1), or with
   * reduction 'none' one value per loss row (per triplet, anchor, …).
   */
  gradOutput?: number | ArrayLike<number>;
  /** Default true; false skips the backward pass (gradient fields are then null). */
  gradients?: boolean;
  /** Default false; true scans the inputs first and throws a RangeError at the first NaN or ±Infinity. */
  checkFinite?: boolean;
}

export interface TripletLossOptions<A extends FloatArray = FloatArray> extends LossOptions {
  /** Row-major [n, dim] anchors z. */
  anchor: Operand<A>;
  /** Row-major [n, dim] positives z⁺. */
  positive: Operand<A>;
  /** Row-major [n, dim] negatives z⁻. */
  negative: Operand<A>;
  out?: TripletLossOutputs<A>;
}

export interface TripletLossResult<A extends FloatArray = FloatArray> {
  /** The reduced loss; for reduction 'none' the sum of `losses`. */
  loss: number;
  /** L_c per triplet. */
  losses: A;
  /** ∂(gradOutput·loss)/∂anchor, [n, dim]; null when gradients: false. */
  gradAnchor: A | null;
  gradPositive: A | null;
  gradNegative: A | null;
  /** ∂(gradOutput·loss)/∂σ. */
  gradTemperature: number;
  /** s⁺ = sim(z, z⁺) per triplet. */
  similarityPositive: A;
  /** s⁻ = sim(z, z⁻) per triplet. */
  similarityNegative: A;
  /** The backend that computed this result. */
  backend: ResultBackend;
}

export interface SimilarityOptions<A extends FloatArray = FloatArray> {
  dim: number;
  /** Default 'cosine'. */
  similarity?: Similarity;
  /** Cosine norm clamp, default 1e-8. */
  eps?: number;
  /** Caller-owned output of length n. */
  out?: Operand<A>;
}

/** How InfoNCE negatives are laid out: one set of k rows per anchor, or one bank shared by all. */
export type NegativeLayout = 'paired' | 'shared';

/** Caller-owned outputs of infoNCELoss. Each one given is written in place; each one missing is allocated. */
export interface InfoNCELossOutputs<A extends FloatArray = FloatArray> {
  losses?: Operand<A>;
  similarityPositive?: Operand<A>;
  similarityNegatives?: Operand<A>;
  gradAnchor?: Operand<A>;
  gradPositive?: Operand<A>;
  gradNegatives?: Operand<A>;
}

export interface InfoNCELossOptions<A extends FloatArray = FloatArray> extends LossOptions {
  /** Row-major [n, dim] anchors. */
  anchor: Operand<A>;
  /** Row-major [n, dim] positives. */
  positive: Operand<A>;
  /** 'paired' (default): [n, k, dim], rows i·k … i·k + k − 1 are anchor i's negatives. 'shared': one bank [m, dim]. */
  negatives: Operand<A>;
  negativeLayout?: NegativeLayout;
  /** Negatives per anchor, an integer ≥ 1: required for 'paired'; for 'shared' it is m (and, if given, must equal m). */
  k?: number;
  out?: InfoNCELossOutputs<A>;
}

export interface InfoNCELossResult<A extends FloatArray = FloatArray> {
  /** The reduced loss; for reduction 'none' the sum of `losses`. */
  loss: number;
  /** Per anchor: logsumexp(ℓ) − ℓ₀ with ℓ₀ = s⁺/σ, ℓ_t = s_t⁻/σ. */
  losses: A;
  gradAnchor: A | null;
  gradPositive: A | null;
  /** The shape of `negatives`; a shared bank's gradient sums the contributions of every anchor. */
  gradNegatives: A | null;
  gradTemperature: number;
  /** s⁺ per anchor, [n]. */
  similarityPositive: A;
  /** s_t⁻ per anchor and negative, [n, k]. */
  similarityNegatives: A;
  backend: ResultBackend;
}

/** In-batch losses: CLIP's symmetric loss, SimCLR's NT-Xent, supervised contrastive (SupCon). */
export type BatchMode = 'clip' | 'ntxent' | 'supcon';

export interface BatchContrastiveLossOutputs<A extends FloatArray = FloatArray> {
  losses?: Operand<A>;
  gradA?: Operand<A>;
  gradB?: Operand<A>;
}

export interface BatchContrastiveLossOptions<A extends FloatArray = FloatArray> extends LossOptions {
  /** [n, dim]: CLIP's first modality, or the first view. */
  a: Operand<A>;
  /** [n, dim]: CLIP's second modality or the second view; required for 'clip' and 'ntxent', optional for 'supcon'. */
  b?: Operand<A>;
  mode: BatchMode;
  /** 'supcon' only: one integer class label per row of a (b's rows share them). */
  labels?: ArrayLike<number>;
  /** CLIP's learnable e^θ > 0, instead of temperature: logits are logitScale·s, and gradLogitScale is returned. */
  logitScale?: number;
  out?: BatchContrastiveLossOutputs<A>;
}

export interface BatchContrastiveLossResult<A extends FloatArray = FloatArray> {
  loss: number;
  /** One per loss row: 'clip' n (row and column losses averaged), 'ntxent' 2n, 'supcon' n or 2n. */
  losses: A;
  gradA: A | null;
  gradB: A | null;
  /** ∂/∂σ, or null when logitScale was given. */
  gradTemperature: number | null;
  /** ∂/∂logitScale, or null when the temperature was used. */
  gradLogitScale: number | null;
  backend: ResultBackend;
}
