// Entry point of every WebAssembly flavour (scalar, simd, relaxed-simd): the same source, built
// with different --enable flags by scripts/build-wasm.mjs. Kernels take byte pointers into this
// module's memory; buffers are allocated through alloc/free (TLSF, 16-byte aligned).

import { tripletLoss } from "./triplet";
import { rowSimilarity } from "./similarity";
import { inverseNorms, packedBytes, packPanels, similarityMatrix } from "./matrix";
import { infoNCELoss } from "./infonce";

export { lastGradTemperature } from "./triplet";
export { lastInfoNCEGradTemperature, CANDIDATE_SLOT } from "./infonce";

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
