// A backend running the AssemblyScript kernels of one WebAssembly flavour, in its own memory.
//
// Operands that already live in this memory (EngineBuffers of this engine, or views of its
// memory) are passed to the kernels by pointer: the zero-copy path. Every other operand is
// streamed through a small staging area, a chunk of rows at a time, so that the copies in, the
// kernel and the copies out all stay in cache and the staging never grows with the batch.
import { BufferHandle, operandArray } from '../../buffers.js';
import type { BackendName, DType, EngineBuffer, FloatArray, Operand, Similarity } from '../../types.js';
import type {
  Backend, BatchProblem, BatchSums, InfoNCEProblem, LossSums, SimilarityMatrixProblem, SimilarityProblem, TripletProblem,
  TripletSums,
} from '../backend.js';
import { compileFlavour, type WasmFlavour } from './flavours.js';

/** Must match assembly/similarity-kind.ts. */
const SIMILARITY_CODES: Record<Similarity, number> = { cosine: 0, dot: 1, euclidean: 2 };

/** Rows × columns of one logit tile of batchContrastiveLoss (rows a multiple of 4, columns of 8). */
export const BATCH_TILE_ROWS = 64;
export const BATCH_TILE_COLUMNS = 256;

/**
 * Size of the staging area; a chunk holds as many rows as fit (at least one). Measured on the
 * N = 4096, D = 256 benchmark (Zen 4, 1 MiB L2): 32 KiB chunks cost 60% more than 1.5 MiB ones,
 * in per-chunk call overhead; 4 MiB and more lose the cache.
 */
export const STAGING_BYTES = 1536 * 1024;

const BYTES: Record<DType, number> = { f32: 4, f64: 8 };
const ALIGN = 16;

interface KernelExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(pointer: number): void;
  lastGradTemperature(): number;
  tripletLossF32: TripletKernel;
  tripletLossF64: TripletKernel;
  rowSimilarityF32: SimilarityKernel;
  rowSimilarityF64: SimilarityKernel;
  packedBytesF32(m: number, dim: number): number;
  packedBytesF64(m: number, dim: number): number;
  packPanelsF32: PackKernel;
  packPanelsF64: PackKernel;
  inverseNormsF32: InverseNormsKernel;
  inverseNormsF64: InverseNormsKernel;
  similarityMatrixF32: SimilarityMatrixKernel;
  similarityMatrixF64: SimilarityMatrixKernel;
  infoNCELossF32: InfoNCEKernel;
  infoNCELossF64: InfoNCEKernel;
  lastInfoNCEGradTemperature(): number;
  /** Scratch bytes per candidate (positive or negative) of one anchor. */
  CANDIDATE_SLOT: WebAssembly.Global;
  ROW_STATS: WebAssembly.Global;
  COLUMN_STATS: WebAssembly.Global;
  POSITIVE_DIAGONAL: WebAssembly.Global;
  POSITIVE_PARTNER: WebAssembly.Global;
  POSITIVE_LABEL: WebAssembly.Global;
  packColumnsF32: PackKernel;
  packColumnsF64: PackKernel;
  matrixProductAddF32: MatrixProductKernel;
  matrixProductAddF64: MatrixProductKernel;
  normalizeRowsF32: NormalizeKernel;
  normalizeRowsF64: NormalizeKernel;
  batchForwardTileF32: BatchForwardKernel;
  batchForwardTileF64: BatchForwardKernel;
  batchBackwardTileF32: BatchBackwardKernel;
  batchBackwardTileF64: BatchBackwardKernel;
  finishBatchGradientsF32: FinishKernel;
  finishBatchGradientsF64: FinishKernel;
  clearBatchStats(rowStats: number, rows: number, columnStats: number, columns: number): void;
  finishLogSumExps(rowStats: number, rows: number, columnStats: number, columns: number): void;
  batchRowLoss(rowStats: number, i: number): number;
  batchColumnLoss(columnStats: number, j: number): number;
}

type TripletKernel = (
  anchor: number, positive: number, negative: number, rows: number, dim: number,
  similarity: number, temperature: number, eps: number, gradScale: number, gradOutput: number,
  losses: number, similarityPositive: number, similarityNegative: number,
  gradAnchor: number, gradPositive: number, gradNegative: number,
) => number;

type SimilarityKernel = (x: number, y: number, rows: number, dim: number, similarity: number, eps: number, out: number) => void;
type InfoNCEKernel = (
  anchor: number, positive: number, negatives: number, negativeStride: number, rows: number, k: number, dim: number,
  similarity: number, temperature: number, eps: number, gradScale: number, gradOutput: number,
  losses: number, similarityPositive: number, similarityNegatives: number,
  gradAnchor: number, gradPositive: number, gradNegatives: number, scratch: number,
) => number;
type MatrixProductKernel = (
  a: number, aRowBytes: number, n: number, K: number, packed: number, panelStride: number, m: number, out: number, outRowBytes: number,
) => void;
type NormalizeKernel = (x: number, rows: number, dim: number, eps: number, out: number, inverseNorms: number, lengths: number) => void;
type BatchForwardKernel = (
  tile: number, R: number, C: number, i0: number, j0: number, scale: number, masked: number, rule: number, half: number,
  labels: number, references: number, referenceLogits: number, rowStats: number, columnStats: number,
) => void;
type BatchBackwardKernel = (
  tile: number, R: number, C: number, i0: number, j0: number, scale: number, masked: number, rule: number, half: number,
  labels: number, references: number, referenceLogits: number,
  rowStats: number, rowWeights: number, columnStats: number, columnWeights: number, similarity: number,
  H: number, HT: number, rowScalars: number, columnScalars: number,
) => number;
type FinishKernel = (
  g: number, x: number, rows: number, dim: number, similarity: number, inverseNorms: number, lengths: number, scalars: number,
) => void;
type PackKernel = (b: number, m: number, dim: number, packed: number) => void;
type InverseNormsKernel = (x: number, rows: number, dim: number, eps: number, out: number) => void;
type SimilarityMatrixKernel = (
  a: number, n: number, packed: number, m: number, dim: number, similarity: number, eps: number,
  inverseNormsA: number, inverseNormsB: number, out: number,
) => void;

/** One array streamed through a kernel call: `width` elements per row. */
interface Stream {
  operand: Operand | null;
  width: number;
  dtype: DType;
  output: boolean;
}

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

/**
 * A block of module memory that only grows: reused by every call, re-allocated (which may grow
 * memory) only when a call needs more than it has, and then at least `minimumBytes`.
 */
/**
 * Row i's reference column for the batch folds: its positive (CLIP: i; NT-Xent: its other view),
 * or for SupCon the next row with its label (−1: none, the row has no positive).
 */
function referenceColumns(mode: string, n: number, rows: number, labels: Int32Array | null, out: Int32Array): void {
  if (mode === 'clip') {
    for (let i = 0; i < rows; i++) out[i] = i;
  } else if (mode === 'ntxent') {
    for (let i = 0; i < rows; i++) out[i] = (i + n) % (2 * n);
  } else {
    const groups = new Map<number, number[]>();
    for (let i = 0; i < rows; i++) {
      const group = groups.get(labels![i]);
      if (group) group.push(i);
      else groups.set(labels![i], [i]);
    }
    for (const group of groups.values()) {
      group.forEach((row, k) => (out[row] = group.length > 1 ? group[(k + 1) % group.length] : -1));
    }
  }
}

class ScratchRegion {
  private pointer = 0;
  private bytes = 0;

  constructor(private readonly backend: WasmBackend, private readonly minimumBytes: number) {}

  /** Base address of at least `bytes` bytes. */
  ensure(bytes: number): number {
    if (bytes > this.bytes) {
      if (this.pointer !== 0) this.backend.release(this.pointer);
      this.pointer = 0; // stays consistent if the allocation below throws
      this.bytes = 0;
      const size = Math.max(bytes, this.minimumBytes);
      this.pointer = this.backend.allocateBytes(size);
      this.bytes = size;
    }
    return this.pointer;
  }
}

class WasmBuffer<A extends FloatArray = FloatArray> extends BufferHandle<A> {
  constructor(readonly owner: WasmBackend, readonly pointer: number, dtype: DType, length: number) {
    super(dtype, length);
  }

  protected view(): A {
    return this.owner.viewOf(this.dtype, this.pointer, this.length) as A;
  }

  protected release(): void {
    this.owner.release(this.pointer);
  }
}

export class WasmBackend implements Backend {
  private views: { buffer: ArrayBuffer; f32: Float32Array; f64: Float64Array } | null = null;
  /** Where plain-array operands are streamed through, a chunk of rows at a time. */
  private readonly staging = new ScratchRegion(this, STAGING_BYTES);
  /** Per-call working memory of the matrix ops (packed panels, norms, a copied B). */
  private readonly workspace = new ScratchRegion(this, 0);
  private readonly pointers: number[] = [];

  private constructor(readonly name: BackendName, private readonly kernels: KernelExports) {}

  static async create(flavour: WasmFlavour, name: BackendName): Promise<WasmBackend> {
    const module = await compileFlavour(flavour);
    const instance = await WebAssembly.instantiate(module, {
      env: {
        abort(): never {
          throw new RangeError('WebAssembly memory exhausted');
        },
      },
    });
    return new WasmBackend(name, instance.exports as unknown as KernelExports);
  }

  allocate(length: number, dtype: DType): EngineBuffer {
    const bytes = length * BYTES[dtype];
    const pointer = this.allocateBytes(Math.max(bytes, ALIGN));
    new Uint8Array(this.kernels.memory.buffer, pointer, bytes).fill(0);
    return new WasmBuffer(this, pointer, dtype, length);
  }

  release(pointer: number): void {
    this.kernels.free(pointer);
  }

  /** A live view of `length` elements at byte address `pointer`. */
  viewOf(dtype: DType, pointer: number, length: number): FloatArray {
    const start = pointer / BYTES[dtype];
    return this.heap(dtype).subarray(start, start + length);
  }

  tripletLoss(problem: TripletProblem): TripletSums {
    const { dtype, rows, dim, gradients } = problem;
    const kernel = dtype === 'f32' ? this.kernels.tripletLossF32 : this.kernels.tripletLossF64;
    const similarity = SIMILARITY_CODES[problem.similarity];
    const sums = { lossSum: 0, gradTemperatureSum: 0 };
    this.stream(rows, [
      { operand: problem.anchor, width: dim, dtype, output: false },
      { operand: problem.positive, width: dim, dtype, output: false },
      { operand: problem.negative, width: dim, dtype, output: false },
      { operand: problem.gradOutput, width: 1, dtype: 'f64', output: false },
      { operand: problem.losses, width: 1, dtype, output: true },
      { operand: problem.similarityPositive, width: 1, dtype, output: true },
      { operand: problem.similarityNegative, width: 1, dtype, output: true },
      { operand: gradients && gradients.anchor, width: dim, dtype, output: true },
      { operand: gradients && gradients.positive, width: dim, dtype, output: true },
      { operand: gradients && gradients.negative, width: dim, dtype, output: true },
    ], (count, p) => {
      sums.lossSum += kernel(p[0], p[1], p[2], count, dim, similarity, problem.temperature, problem.eps,
        problem.gradScale, p[3], p[4], p[5], p[6], p[7], p[8], p[9]);
      sums.gradTemperatureSum += this.kernels.lastGradTemperature();
    });
    return sums;
  }

  similarity(problem: SimilarityProblem): void {
    const { dtype, rows, dim } = problem;
    const kernel = dtype === 'f32' ? this.kernels.rowSimilarityF32 : this.kernels.rowSimilarityF64;
    const similarity = SIMILARITY_CODES[problem.similarity];
    this.stream(rows, [
      { operand: problem.x, width: dim, dtype, output: false },
      { operand: problem.y, width: dim, dtype, output: false },
      { operand: problem.out, width: 1, dtype, output: true },
    ], (count, p) => kernel(p[0], p[1], count, dim, similarity, problem.eps, p[2]));
  }

  similarityMatrix(problem: SimilarityMatrixProblem): void {
    const { dtype, rows, columns, dim } = problem;
    const f32 = dtype === 'f32';
    const bytes = BYTES[dtype];
    const k = this.kernels;
    // Workspace: [b, when it is not resident] [b packed into panels] [1/‖b_j‖] [1/‖a_i‖].
    const residentB = this.residentAddress(problem.b, dtype);
    const copyBytes = residentB >= 0 ? 0 : alignUp(columns * dim * bytes);
    const packedBytes = alignUp((f32 ? k.packedBytesF32 : k.packedBytesF64)(columns, dim));
    const normsBBytes = alignUp(columns * 8);
    const base = this.workspace.ensure(copyBytes + packedBytes + normsBBytes + rows * 8 + ALIGN);
    const b = residentB >= 0 ? residentB : base;
    if (residentB < 0) this.heap(dtype).set(operandArray(problem.b), base / bytes);
    const packed = base + copyBytes;
    const normsB = packed + packedBytes;
    const normsA = normsB + normsBBytes;
    (f32 ? k.packPanelsF32 : k.packPanelsF64)(b, columns, dim, packed);
    (f32 ? k.inverseNormsF32 : k.inverseNormsF64)(b, columns, dim, problem.eps, normsB);

    const kernel = f32 ? k.similarityMatrixF32 : k.similarityMatrixF64;
    const similarity = SIMILARITY_CODES[problem.similarity];
    this.stream(rows, [
      { operand: problem.a, width: dim, dtype, output: false },
      { operand: problem.out, width: columns, dtype, output: true },
    ], (count, p) => kernel(p[0], count, packed, columns, dim, similarity, problem.eps, normsA, normsB, p[1]));
  }

  infoNCELoss(problem: InfoNCEProblem): LossSums {
    const { dtype, rows, k, dim, gradients } = problem;
    const bytes = BYTES[dtype];
    const kernels = this.kernels;
    const kernel = dtype === 'f32' ? kernels.infoNCELossF32 : kernels.infoNCELossF64;
    const similarity = SIMILARITY_CODES[problem.similarity];
    const paired = problem.negativeLayout === 'paired';
    const bankBytes = k * dim * bytes;

    // Workspace: the candidates' scratch, and for a shared bank the bank (unless resident) and its
    // gradient (accumulated over every anchor, so it cannot stream: zeroed here, copied out at the end).
    const scratchBytes = alignUp((k + 1) * (kernels.CANDIDATE_SLOT.value as number));
    const bank = paired ? -1 : this.residentAddress(problem.negatives, dtype);
    const gradBank = paired || !gradients ? -1 : this.residentAddress(gradients.negatives, dtype);
    const copyBank = !paired && bank < 0;
    const copyGradBank = !paired && gradients !== null && gradBank < 0;
    const base = this.workspace.ensure(scratchBytes + (copyBank ? alignUp(bankBytes) : 0) + (copyGradBank ? alignUp(bankBytes) : 0));
    const bankAddress = copyBank ? base + scratchBytes : bank;
    const gradBankAddress = copyGradBank ? base + scratchBytes + (copyBank ? alignUp(bankBytes) : 0) : gradBank;
    if (copyBank) this.heap(dtype).set(operandArray(problem.negatives), bankAddress / bytes);
    if (!paired && gradients) this.heap(dtype).fill(0, gradBankAddress / bytes, (gradBankAddress + bankBytes) / bytes);

    const sums = { lossSum: 0, gradTemperatureSum: 0 };
    const perAnchor = paired ? k * dim : 0;
    this.stream(rows, [
      { operand: problem.anchor, width: dim, dtype, output: false },
      { operand: problem.positive, width: dim, dtype, output: false },
      { operand: paired ? problem.negatives : null, width: perAnchor, dtype, output: false },
      { operand: problem.gradOutput, width: 1, dtype: 'f64', output: false },
      { operand: problem.losses, width: 1, dtype, output: true },
      { operand: problem.similarityPositive, width: 1, dtype, output: true },
      { operand: problem.similarityNegatives, width: k, dtype, output: true },
      { operand: gradients && gradients.anchor, width: dim, dtype, output: true },
      { operand: gradients && gradients.positive, width: dim, dtype, output: true },
      { operand: paired && gradients ? gradients.negatives : null, width: perAnchor, dtype, output: true },
    ], (count, p) => {
      sums.lossSum += kernel(p[0], p[1], paired ? p[2] : bankAddress, perAnchor * bytes, count, k, dim, similarity,
        problem.temperature, problem.eps, problem.gradScale, p[3], p[4], p[5], p[6], p[7], p[8],
        paired ? p[9] : gradients ? gradBankAddress : 0, base);
      sums.gradTemperatureSum += kernels.lastInfoNCEGradTemperature();
    });
    if (copyGradBank) operandArray(gradients!.negatives).set(this.viewOf(dtype, gradBankAddress, k * dim));
    return sums;
  }

  /**
   * In-batch losses tile by tile (assembly/batch.ts): a forward pass of logit tiles folded into
   * online log-sum-exps, then a backward pass over the same tiles, recomputed, whose ∂L/∂s tiles
   * feed two matrix products per tile. Working memory O((n + m)·dim + tile), in the workspace.
   */
  batchContrastiveLoss(problem: BatchProblem): BatchSums {
    const { dtype, rows: n, dim, mode, gradients } = problem;
    const k = this.kernels;
    const f32 = dtype === 'f32';
    const bytes = BYTES[dtype];
    const rowBytes = dim * bytes;
    const width = 32 / bytes; // columns per packed panel: two vectors
    const clip = mode === 'clip';
    const xRows = problem.lossRows; // rows of X: a, or [a; b] for ntxent and supcon with b
    const yRows = clip ? n : xRows; // columns: b for clip, X itself otherwise
    const cosine = problem.similarity === 'cosine';
    const similarity = SIMILARITY_CODES[problem.similarity];
    const scale = problem.scaling.kind === 'temperature' ? 1 / problem.scaling.value : problem.scaling.value;
    const R = BATCH_TILE_ROWS;
    const C = BATCH_TILE_COLUMNS;
    const columnsPacked = Math.ceil(dim / width) * width;

    // Workspace layout: byte offsets from its base (-1: not needed).
    let offset = 0;
    const region = (size: number) => {
      const start = offset;
      offset += alignUp(size);
      return start;
    };
    const at = {
      x: region(xRows * rowBytes),
      y: clip ? region(n * rowBytes) : -1,
      packedY: region((f32 ? k.packedBytesF32 : k.packedBytesF64)(yRows, dim)),
      inverseNormsTile: region(R * 8),
      xHat: cosine ? region(xRows * rowBytes) : -1,
      yHat: cosine && clip ? region(n * rowBytes) : -1,
      inverseNormsX: region(xRows * 8),
      lengthsX: region(xRows * 8),
      inverseNormsY: clip ? region(n * 8) : -1,
      lengthsY: clip ? region(n * 8) : -1,
      columnsX: region(columnsPacked * xRows * bytes),
      columnsY: clip ? region(columnsPacked * n * bytes) : -1,
      tile: region(R * C * bytes),
      h: region(R * C * bytes),
      ht: region(R * C * bytes),
      rowStats: region(xRows * (k.ROW_STATS.value as number)),
      columnStats: clip ? region(n * (k.COLUMN_STATS.value as number)) : -1,
      rowWeights: region(xRows * 8),
      columnWeights: clip ? region(n * 8) : -1,
      rowScalars: region(xRows * 8),
      columnScalars: region(yRows * 8),
      gradX: region(xRows * rowBytes),
      gradY: clip ? region(n * rowBytes) : -1,
      labels: region(xRows * 4),
      references: region(xRows * 4),
      referenceRows: region(xRows * rowBytes),
      referenceSimilarities: region(xRows * bytes),
      referenceLogits: region(xRows * 8),
    };
    const base = this.workspace.ensure(offset);
    const address = (start: number) => (start < 0 ? 0 : base + start);
    const x = address(at.x);
    const y = clip ? address(at.y) : x;
    const heap = this.heap(dtype);
    const f64 = this.heap('f64');

    heap.set(operandArray(problem.a), x / bytes);
    if (problem.b) heap.set(operandArray(problem.b), (clip ? y : x + n * rowBytes) / bytes);
    if (problem.labels) new Int32Array(this.kernels.memory.buffer, address(at.labels), xRows).set(problem.labels);

    // Operands of the gradient products: normalised rows for cosine, the rows themselves otherwise.
    const normalize = f32 ? k.normalizeRowsF32 : k.normalizeRowsF64;
    const xProduct = cosine ? address(at.xHat) : x;
    const yProduct = !clip ? xProduct : cosine ? address(at.yHat) : y;
    if (cosine) {
      normalize(x, xRows, dim, problem.eps, xProduct, address(at.inverseNormsX), address(at.lengthsX));
      if (clip) normalize(y, n, dim, problem.eps, yProduct, address(at.inverseNormsY), address(at.lengthsY));
    }
    (f32 ? k.packPanelsF32 : k.packPanelsF64)(y, yRows, dim, address(at.packedY));
    // The columns' 1/max(‖y‖, ε), which the cosine tiles divide by (unused by the other similarities).
    const inverseNormsColumns = clip ? address(at.inverseNormsY) : address(at.inverseNormsX);
    const packColumns = f32 ? k.packColumnsF32 : k.packColumnsF64;
    packColumns(xProduct, xRows, dim, address(at.columnsX));
    if (clip) packColumns(yProduct, n, dim, address(at.columnsY));

    // Each row's reference: one of its positives, whose logit the folds measure gaps from.
    const references = new Int32Array(k.memory.buffer, address(at.references), xRows);
    referenceColumns(mode, n, xRows, problem.labels, references);
    for (let i = 0; i < xRows; i++) {
      const from = (references[i] < 0 ? i : references[i]) * rowBytes;
      heap.copyWithin((address(at.referenceRows) + i * rowBytes) / bytes, (y + from) / bytes, (y + from + rowBytes) / bytes);
    }
    (f32 ? k.rowSimilarityF32 : k.rowSimilarityF64)(x, address(at.referenceRows), xRows, dim, similarity, problem.eps,
      address(at.referenceSimilarities));
    const referenceSimilarities = this.viewOf(dtype, address(at.referenceSimilarities), xRows);
    for (let i = 0; i < xRows; i++) f64[address(at.referenceLogits) / 8 + i] = scale * referenceSimilarities[i];

    const masked = clip ? 0 : 1;
    const rule = (mode === 'clip' ? k.POSITIVE_DIAGONAL : mode === 'ntxent' ? k.POSITIVE_PARTNER : k.POSITIVE_LABEL).value as number;
    const labels = problem.labels ? address(at.labels) : 0;
    const rowStats = address(at.rowStats);
    const columnStats = address(at.columnStats);
    const panelBytes = width * rowBytes;
    const similarityTile = f32 ? k.similarityMatrixF32 : k.similarityMatrixF64;
    const forEachTile = (visit: (i0: number, rows: number, j0: number, columns: number) => void) => {
      for (let i0 = 0; i0 < xRows; i0 += R) {
        const rows = Math.min(R, xRows - i0);
        for (let j0 = 0; j0 < yRows; j0 += C) {
          const columns = Math.min(C, yRows - j0);
          similarityTile(x + i0 * rowBytes, rows, address(at.packedY) + (j0 / width) * panelBytes, columns, dim,
            similarity, problem.eps, address(at.inverseNormsTile), inverseNormsColumns + j0 * 8, address(at.tile));
          visit(i0, rows, j0, columns);
        }
      }
    };

    // Forward: the log-sum-exps, then the losses.
    k.clearBatchStats(rowStats, xRows, columnStats, n);
    const forward = f32 ? k.batchForwardTileF32 : k.batchForwardTileF64;
    const referencesAt = address(at.references);
    const referenceLogits = address(at.referenceLogits);
    forEachTile((i0, rows, j0, columns) => forward(address(at.tile), rows, columns, i0, j0, scale, masked, rule, n, labels,
      referencesAt, referenceLogits, rowStats, columnStats));
    k.finishLogSumExps(rowStats, xRows, columnStats, n);
    const losses = operandArray(problem.losses);
    let lossSum = 0;
    for (let i = 0; i < xRows; i++) {
      const loss = clip ? (k.batchRowLoss(rowStats, i) + k.batchColumnLoss(columnStats, i)) / 2 : k.batchRowLoss(rowStats, i);
      losses[i] = loss;
      lossSum += loss;
    }

    // Backward: every row's loss weighs g_i (half of it on each side for CLIP).
    const share = clip ? 0.5 : 1;
    for (let i = 0; i < xRows; i++) {
      const weight = share * problem.gradScale * (problem.gradOutput ? problem.gradOutput[i] : 1);
      f64[address(at.rowWeights) / 8 + i] = weight;
      if (clip) f64[address(at.columnWeights) / 8 + i] = weight;
    }
    f64.fill(0, address(at.rowScalars) / 8, address(at.rowScalars) / 8 + xRows);
    f64.fill(0, address(at.columnScalars) / 8, address(at.columnScalars) / 8 + yRows);
    const gradX = address(at.gradX);
    const gradY = clip ? address(at.gradY) : gradX;
    heap.fill(0, gradX / bytes, (gradX + xRows * rowBytes) / bytes);
    if (clip) heap.fill(0, gradY / bytes, (gradY + n * rowBytes) / bytes);
    const backward = f32 ? k.batchBackwardTileF32 : k.batchBackwardTileF64;
    const product = f32 ? k.matrixProductAddF32 : k.matrixProductAddF64;
    const columnsOfY = clip ? address(at.columnsY) : address(at.columnsX);
    let gradScaling = 0;
    forEachTile((i0, rows, j0, columns) => {
      gradScaling += backward(address(at.tile), rows, columns, i0, j0, scale, masked, rule, n, labels, referencesAt, referenceLogits, rowStats,
        address(at.rowWeights), columnStats, address(at.columnWeights), similarity, address(at.h), address(at.ht),
        address(at.rowScalars), address(at.columnScalars));
      if (!gradients) return;
      // gX[i0 …] += H·Y[j0 …] and gY[j0 …] += Hᵀ·X[i0 …], over the packed columns of Y and X.
      product(address(at.h), columns * bytes, rows, columns, columnsOfY + j0 * width * bytes, yRows * width * bytes,
        dim, gradX + i0 * rowBytes, rowBytes);
      product(address(at.ht), rows * bytes, columns, rows, address(at.columnsX) + i0 * width * bytes, xRows * width * bytes,
        dim, gradY + j0 * rowBytes, rowBytes);
    });
    // ∂/∂σ = −∂/∂(1/σ)·(1/σ)² (and 0, not −0, when nothing contributed).
    if (problem.scaling.kind === 'temperature' && gradScaling !== 0) gradScaling *= -scale * scale;

    if (gradients) {
      const finish = f32 ? k.finishBatchGradientsF32 : k.finishBatchGradientsF64;
      if (clip) {
        finish(gradX, x, n, dim, similarity, address(at.inverseNormsX), address(at.lengthsX), address(at.rowScalars));
        finish(gradY, y, n, dim, similarity, address(at.inverseNormsY), address(at.lengthsY), address(at.columnScalars));
      } else {
        // X is both the rows and the columns: both corrections apply to each of its rows.
        const rowScalars = address(at.rowScalars) / 8;
        const columnScalars = address(at.columnScalars) / 8;
        for (let i = 0; i < xRows; i++) f64[rowScalars + i] += f64[columnScalars + i];
        finish(gradX, x, xRows, dim, similarity, address(at.inverseNormsX), address(at.lengthsX), address(at.rowScalars));
      }
      operandArray(gradients.a).set(this.viewOf(dtype, gradX, n * dim));
      if (gradients.b) operandArray(gradients.b).set(this.viewOf(dtype, clip ? gradY : gradX + n * rowBytes, n * dim));
    }
    return { lossSum, gradScaling };
  }

  /** The whole memory as `dtype` elements, re-created after memory has grown. */
  private heap(dtype: DType): FloatArray {
    const buffer = this.kernels.memory.buffer;
    if (!this.views || this.views.buffer !== buffer) {
      this.views = { buffer, f32: new Float32Array(buffer), f64: new Float64Array(buffer) };
    }
    return this.views[dtype];
  }

  /** Byte address of an operand of element type `dtype` that already lives in this memory, or -1. */
  private residentAddress(operand: Operand, dtype: DType): number {
    if (operand instanceof WasmBuffer) {
      return operand.owner === this && operand.dtype === dtype ? operand.pointer : -1;
    }
    const arrayType = dtype === 'f32' ? Float32Array : Float64Array;
    if (operand instanceof arrayType && operand.buffer === this.kernels.memory.buffer) return operand.byteOffset;
    return -1;
  }

  /**
   * Runs `call(count, pointers)` over the rows in chunks. pointers[k] addresses stream k's rows of
   * the chunk (0 for a null operand): resident operands in place, the others in staging, copied in
   * before the call and out after it.
   */
  private stream(rows: number, streams: Stream[], call: (count: number, pointers: number[]) => void): void {
    if (rows === 0) return;
    const resident = streams.map((s) => (s.operand === null ? -1 : this.residentAddress(s.operand, s.dtype)));
    let stagedBytesPerRow = 0;
    streams.forEach((s, k) => {
      if (s.operand !== null && resident[k] < 0) stagedBytesPerRow += s.width * BYTES[s.dtype];
    });
    const chunkRows = stagedBytesPerRow === 0 ? rows : Math.min(rows, Math.max(1, Math.floor(STAGING_BYTES / stagedBytesPerRow)));

    // Lay out the staging slots (this may grow memory, so views are taken only afterwards).
    const slots = streams.map(() => 0);
    let stagingBytes = 0;
    streams.forEach((s, k) => {
      if (s.operand === null || resident[k] >= 0) return;
      slots[k] = stagingBytes;
      stagingBytes += alignUp(chunkRows * s.width * BYTES[s.dtype]);
    });
    const base = stagingBytes > 0 ? this.staging.ensure(stagingBytes) : 0;

    const pointers = this.pointers;
    for (let start = 0; start < rows; start += chunkRows) {
      const count = Math.min(chunkRows, rows - start);
      streams.forEach((s, k) => {
        const bytes = BYTES[s.dtype];
        if (s.operand === null) {
          pointers[k] = 0;
        } else if (resident[k] >= 0) {
          pointers[k] = resident[k] + start * s.width * bytes;
        } else {
          pointers[k] = base + slots[k];
          if (!s.output) {
            const source = operandArray(s.operand);
            this.heap(s.dtype).set(source.subarray(start * s.width, (start + count) * s.width), pointers[k] / bytes);
          }
        }
      });
      call(count, pointers);
      streams.forEach((s, k) => {
        if (!s.output || s.operand === null || resident[k] >= 0) return;
        const bytes = BYTES[s.dtype];
        const from = pointers[k] / bytes;
        operandArray(s.operand).set(this.heap(s.dtype).subarray(from, from + count * s.width), start * s.width);
      });
    }
  }

  allocateBytes(bytes: number): number {
    try {
      return this.kernels.alloc(bytes);
    } catch (error) {
      throw new RangeError(`cannot allocate ${bytes} bytes of WebAssembly memory (${(error as Error).message})`);
    }
  }
}
