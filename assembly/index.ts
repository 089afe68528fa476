// Entry point of every WebAssembly flavour (scalar, simd, relaxed-simd): the same source, built
// with different --enable flags by scripts/build-wasm.mjs. Kernels take byte pointers into this
// module's memory; buffers are allocated through alloc/free (TLSF, 16-byte aligned).

import { tripletLoss } from "./triplet";
import { rowSimilarity } from "./similarity";

export { lastGradTemperature } from "./triplet";

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
