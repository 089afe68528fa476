// Measures, on this machine, from how much work an op is faster on the GPU than on the CPU backend:
// a short ladder of sizes per op, each timed on both (median of a few runs after a warm-up that
// also compiles the GPU kernels). The crossover is the smallest rung from which the GPU wins at
// every larger rung; Infinity when it never does.
import type { Backend, BatchProblem, SimilarityMatrixProblem, SimilarityProblem, TripletProblem } from '../backend.js';
import type { GpuBackend, GpuOp } from './gpu-backend.js';

export interface Crossover {
  /** Work (multiply-adds) from which the GPU is faster; Infinity when it is slower at every rung. */
  work: number;
  /** What was measured, for explain(). */
  summary: string;
}

/** Work of one call: n·dim for the row-wise ops, n·m·dim for the matrices (similarityMatrix, the batch's logits). */
export function workOf(op: GpuOp, rows: number, columns: number, dim: number): number {
  return op === 'similarityMatrix' || op === 'batchContrastiveLoss' ? rows * columns * dim : rows * dim;
}

const CALIBRATION_DIM = 128;
/** Rows per rung: the row-wise ops from 32k to 2M multiply-adds, the matrices from 0.5M to 134M. */
const LADDERS: Record<GpuOp, readonly number[]> = {
  similarity: [256, 2048, 16384],
  tripletLoss: [256, 2048, 16384],
  similarityMatrix: [64, 256, 1024],
  batchContrastiveLoss: [64, 256, 1024],
};
const RUNS_PER_RUNG = 3;

function randomRows(length: number): Float32Array {
  const array = new Float32Array(length);
  for (let i = 0; i < length; i++) array[i] = Math.random() * 2 - 1;
  return array;
}

/** One rung's problem, in the shape of `op`, with fresh outputs. */
function rungProblem(op: GpuOp, rows: number): TripletProblem | SimilarityProblem | SimilarityMatrixProblem | BatchProblem {
  const dim = CALIBRATION_DIM;
  const common = { dtype: 'f32' as const, rows, dim, similarity: 'cosine' as const, eps: 1e-8 };
  if (op === 'similarityMatrix') {
    return { ...common, columns: rows, a: randomRows(rows * dim), b: randomRows(rows * dim), out: new Float32Array(rows * rows) };
  }
  if (op === 'batchContrastiveLoss') {
    return {
      ...common, lossRows: rows, a: randomRows(rows * dim), b: randomRows(rows * dim), mode: 'clip', labels: null,
      scaling: { kind: 'temperature', value: 0.07 }, gradScale: 1 / rows, gradOutput: null, losses: new Float32Array(rows),
      gradients: { a: new Float32Array(rows * dim), b: new Float32Array(rows * dim) },
    };
  }
  if (op === 'similarity') {
    return { ...common, x: randomRows(rows * dim), y: randomRows(rows * dim), out: new Float32Array(rows) };
  }
  return {
    ...common, anchor: randomRows(rows * dim), positive: randomRows(rows * dim), negative: randomRows(rows * dim),
    temperature: 0.1, gradScale: 1 / rows, gradOutput: null,
    losses: new Float32Array(rows), similarityPositive: new Float32Array(rows), similarityNegative: new Float32Array(rows),
    gradients: { anchor: new Float32Array(rows * dim), positive: new Float32Array(rows * dim), negative: new Float32Array(rows * dim) },
  };
}

async function medianTime(run: () => unknown): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS_PER_RUNG; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((x, y) => x - y)[RUNS_PER_RUNG >> 1];
}

/**
 * Times the ladder. It stops early once the GPU cannot win at any later rung: the CPU's time grows
 * at most in proportion to the work, and the GPU's does not shrink as the work grows, so a GPU
 * slower than the CPU's time scaled up to the last rung loses at every rung (a software renderer
 * is found out at the second rung).
 */
export async function measureCrossover(op: GpuOp, cpu: Backend, gpu: GpuBackend): Promise<Crossover> {
  const rungs: { work: number; cpuMs: number; gpuMs: number }[] = [];
  const ladder = LADDERS[op];
  const largestWork = workOf(op, ladder[ladder.length - 1], ladder[ladder.length - 1], CALIBRATION_DIM);
  for (const rows of ladder) {
    const problem = rungProblem(op, rows);
    const work = workOf(op, rows, rows, CALIBRATION_DIM);
    const cpuMs = await medianTime(() => (cpu[op] as (p: typeof problem) => unknown)(problem));
    const gpuMs = await medianTime(() => (gpu[op] as (p: typeof problem) => Promise<unknown>)(problem));
    rungs.push({ work, cpuMs, gpuMs });
    if (gpuMs > cpuMs * (largestWork / work)) break;
  }
  let work = Infinity;
  for (let i = rungs.length - 1; i >= 0 && rungs[i].gpuMs < rungs[i].cpuMs; i--) work = rungs[i].work;
  const table = rungs
    .map((r) => `${r.work}: gpu ${r.gpuMs.toFixed(2)} ms, ${cpu.name} ${r.cpuMs.toFixed(2)} ms`)
    .join('; ');
  return { work, summary: `measured at work ${table}` };
}
