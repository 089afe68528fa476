// Types of gpu-checks.mjs (plain JavaScript, so that a browser page can import it as it is).
import type { Engine } from '../../src/index.js';
import type * as Reference from '../../src/reference/index.js';

export interface GpuCheckEntry {
  op: 'tripletLoss' | 'similarity' | 'similarityMatrix';
  label: string;
  backend: string;
  errors: Record<string, number>;
  limit: number;
}

export const GPU_TOLERANCE: number;
export const GPU_CHECK_SHAPES: [rows: number, dim: number][];
export function normwiseError(actual: ArrayLike<number>, expected: ArrayLike<number>): number;
export function runGpuChecks(engine: Engine, reference: typeof Reference, shapes?: [number, number][]): Promise<GpuCheckEntry[]>;
export function failures(report: GpuCheckEntry[], backend: string): GpuCheckEntry[];
export function worstErrors(report: GpuCheckEntry[]): Record<string, number>;
