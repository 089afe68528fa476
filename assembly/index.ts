// Entry point of every WebAssembly flavour (scalar, simd, relaxed-simd): the same source, built
// with different --enable flags by scripts/build-wasm.mjs. Kernels take byte pointers into this
// module's memory; buffers are allocated through alloc/free (TLSF, 16-byte aligned).

import { tripletLoss } from "./triplet";
import { rowSimilarity } from "./similarity";
import { inverseNorms, matrixProduct, packColumns, packedBytes, packPanels, similarityMatrix } from "./matrix";
import { batchBackwardTile, batchForwardTile, finishBatchGradients, normalizeRows } from "./batch";
import { infoNCELoss } from "./infonce";

export { lastGradTemperature } from "./triplet";
export { lastInfoNCEGradTemperature, CANDIDATE_SLOT } from "./infonce";
export {
  batchColumnLoss, batchRowLoss, clearBatchStats, finishLogSumExps, COLUMN_STATS, POSITIVE_DIAGONAL,
  POSITIVE_LABEL, POSITIVE_PARTNER, ROW_STATS,
} from "./batch";

export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function free(pointer: usize): void {
  heap.free(pointer);
}

export function tripletLossF32(
  anchor: usize, positive: usize, negative: usize, rows: i32, dim: i32,
  similarity: i32, temperature: f64, eps: f64, gradScale: f64, gradOutput: usize,
  losses: usize, similarityPositive: usize, similarityNegative: usize,
  gradAnchor: usize, gradPositive: usize, gradNegative: usize,
): f64 {
  return tripletLoss<f32>(anchor, positive, negative, rows, dim, similarity, temperature, eps, gradScale,
    gradOutput, losses, similarityPositive, similarityNegative, gradAnchor, gradPositive, gradNegative);
}

export function tripletLossF64(
  anchor: usize, positive: usize, negative: usize, rows: i32, dim: i32,
  similarity: i32, temperature: f64, eps: f64, gradScale: f64, gradOutput: usize,
  losses: usize, similarityPositive: usize, similarityNegative: usize,
  gradAnchor: usize, gradPositive: usize, gradNegative: usize,
): f64 {
  return tripletLoss<f64>(anchor, positive, negative, rows, dim, similarity, temperature, eps, gradScale,
    gradOutput, losses, similarityPositive, similarityNegative, gradAnchor, gradPositive, gradNegative);
}

export function rowSimilarityF32(x: usize, y: usize, rows: i32, dim: i32, similarity: i32, eps: f64, out: usize): void {
  rowSimilarity<f32>(x, y, rows, dim, similarity, eps, out);
}

export function rowSimilarityF64(x: usize, y: usize, rows: i32, dim: i32, similarity: i32, eps: f64, out: usize): void {
  rowSimilarity<f64>(x, y, rows, dim, similarity, eps, out);
}

export function packedBytesF32(m: i32, dim: i32): usize {
  return packedBytes<f32>(m, dim);
}

export function packedBytesF64(m: i32, dim: i32): usize {
  return packedBytes<f64>(m, dim);
}

export function packPanelsF32(b: usize, m: i32, dim: i32, packed: usize): void {
  packPanels<f32>(b, m, dim, packed);
}

export function packPanelsF64(b: usize, m: i32, dim: i32, packed: usize): void {
  packPanels<f64>(b, m, dim, packed);
}

export function inverseNormsF32(x: usize, rows: i32, dim: i32, eps: f64, out: usize): void {
  inverseNorms<f32>(x, rows, dim, eps, out);
}

export function inverseNormsF64(x: usize, rows: i32, dim: i32, eps: f64, out: usize): void {
  inverseNorms<f64>(x, rows, dim, eps, out);
}

export function similarityMatrixF32(
  a: usize, n: i32, packed: usize, m: i32, dim: i32, similarity: i32, eps: f64,
  inverseNormsA: usize, inverseNormsB: usize, out: usize,
): void {
  similarityMatrix<f32>(a, n, packed, m, dim, similarity, eps, inverseNormsA, inverseNormsB, out);
}

export function similarityMatrixF64(
  a: usize, n: i32, packed: usize, m: i32, dim: i32, similarity: i32, eps: f64,
  inverseNormsA: usize, inverseNormsB: usize, out: usize,
): void {
  similarityMatrix<f64>(a, n, packed, m, dim, similarity, eps, inverseNormsA, inverseNormsB, out);
}

export { simdPeakProbe } from "./peak";

export function infoNCELossF32(
  anchor: usize, positive: usize, negatives: usize, negativeStride: usize, rows: i32, k: i32, dim: i32,
  similarity: i32, temperature: f64, eps: f64, gradScale: f64, gradOutput: usize,
  losses: usize, similarityPositive: usize, similarityNegatives: usize,
  gradAnchor: usize, gradPositive: usize, gradNegatives: usize, scratch: usize,
): f64 {
  return infoNCELoss<f32>(anchor, positive, negatives, negativeStride, rows, k, dim, similarity, temperature, eps,
    gradScale, gradOutput, losses, similarityPositive, similarityNegatives, gradAnchor, gradPositive, gradNegatives, scratch);
}

export function infoNCELossF64(
  anchor: usize, positive: usize, negatives: usize, negativeStride: usize, rows: i32, k: i32, dim: i32,
  similarity: i32, temperature: f64, eps: f64, gradScale: f64, gradOutput: usize,
  losses: usize, similarityPositive: usize, similarityNegatives: usize,
  gradAnchor: usize, gradPositive: usize, gradNegatives: usize, scratch: usize,
): f64 {
  return infoNCELoss<f64>(anchor, positive, negatives, negativeStride, rows, k, dim, similarity, temperature, eps,
    gradScale, gradOutput, losses, similarityPositive, similarityNegatives, gradAnchor, gradPositive, gradNegatives, scratch);
}

export function packColumnsF32(x: usize, rows: i32, dim: i32, packed: usize): void {
  packColumns<f32>(x, rows, dim, packed);
}

export function packColumnsF64(x: usize, rows: i32, dim: i32, packed: usize): void {
  packColumns<f64>(x, rows, dim, packed);
}

/** out (+)= a·P over packed columns; see matrixProduct in matrix.ts. */
export function matrixProductAddF32(
  a: usize, aRowBytes: usize, n: i32, K: i32, packed: usize, panelStride: usize, m: i32, out: usize, outRowBytes: usize,
): void {
  matrixProduct<f32>(a, aRowBytes, n, K, packed, panelStride, m, out, outRowBytes, false, true);
}

export function matrixProductAddF64(
  a: usize, aRowBytes: usize, n: i32, K: i32, packed: usize, panelStride: usize, m: i32, out: usize, outRowBytes: usize,
): void {
  matrixProduct<f64>(a, aRowBytes, n, K, packed, panelStride, m, out, outRowBytes, false, true);
}

export function normalizeRowsF32(x: usize, rows: i32, dim: i32, eps: f64, out: usize, inverseNorms: usize, lengths: usize): void {
  normalizeRows<f32>(x, rows, dim, eps, out, inverseNorms, lengths);
}

export function normalizeRowsF64(x: usize, rows: i32, dim: i32, eps: f64, out: usize, inverseNorms: usize, lengths: usize): void {
  normalizeRows<f64>(x, rows, dim, eps, out, inverseNorms, lengths);
}

export function batchForwardTileF32(
  tile: usize, R: i32, C: i32, i0: i32, j0: i32, scale: f64, masked: bool, rule: i32, half: i32, labels: usize,
  references: usize, referenceLogits: usize, rowStats: usize, columnStats: usize,
): void {
  batchForwardTile<f32>(tile, R, C, i0, j0, scale, masked, rule, half, labels, references, referenceLogits, rowStats, columnStats);
}

export function batchForwardTileF64(
  tile: usize, R: i32, C: i32, i0: i32, j0: i32, scale: f64, masked: bool, rule: i32, half: i32, labels: usize,
  references: usize, referenceLogits: usize, rowStats: usize, columnStats: usize,
): void {
  batchForwardTile<f64>(tile, R, C, i0, j0, scale, masked, rule, half, labels, references, referenceLogits, rowStats, columnStats);
}

export function batchBackwardTileF32(
  tile: usize, R: i32, C: i32, i0: i32, j0: i32, scale: f64, masked: bool, rule: i32, half: i32, labels: usize,
  references: usize, referenceLogits: usize,
  rowStats: usize, rowWeights: usize, columnStats: usize, columnWeights: usize, similarity: i32,
  H: usize, HT: usize, rowScalars: usize, columnScalars: usize,
): f64 {
  return batchBackwardTile<f32>(tile, R, C, i0, j0, scale, masked, rule, half, labels, references, referenceLogits,
    rowStats, rowWeights, columnStats, columnWeights, similarity, H, HT, rowScalars, columnScalars);
}

export function batchBackwardTileF64(
  tile: usize, R: i32, C: i32, i0: i32, j0: i32, scale: f64, masked: bool, rule: i32, half: i32, labels: usize,
  references: usize, referenceLogits: usize,
  rowStats: usize, rowWeights: usize, columnStats: usize, columnWeights: usize, similarity: i32,
  H: usize, HT: usize, rowScalars: usize, columnScalars: usize,
): f64 {
  return batchBackwardTile<f64>(tile, R, C, i0, j0, scale, masked, rule, half, labels, references, referenceLogits,
    rowStats, rowWeights, columnStats, columnWeights, similarity, H, HT, rowScalars, columnScalars);
}

export function finishBatchGradientsF32(
  g: usize, x: usize, rows: i32, dim: i32, similarity: i32, inverseNorms: usize, lengths: usize, scalars: usize,
): void {
  finishBatchGradients<f32>(g, x, rows, dim, similarity, inverseNorms, lengths, scalars);
}

export function finishBatchGradientsF64(
  g: usize, x: usize, rows: i32, dim: i32, similarity: i32, inverseNorms: usize, lengths: usize, scalars: usize,
): void {
  finishBatchGradients<f64>(g, x, rows, dim, similarity, inverseNorms, lengths, scalars);
}
