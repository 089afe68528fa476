export { createEngine, DEFAULT_EPS, DEFAULT_TEMPERATURE } from './engine.js';
export type { Engine, EngineOptions } from './engine.js';
export type { BackendChoice, EngineOp, GpuOptions, GpuStatus, OpShape } from './backend-choice.js';
export type { GpuJsInstance } from './backends/gpu/gpujs.js';
export type { GpuOp } from './backends/gpu/gpu-backend.js';
export { availableBackends } from './backends/registry.js';
export type {
  ArrayOf, BackendName, BackendRequest, GpuBackendName, ResultBackend, BatchContrastiveLossOptions, BatchContrastiveLossOutputs,
  BatchContrastiveLossResult, BatchMode, DType, EngineBuffer, FloatArray, InfoNCELossOptions, InfoNCELossOutputs,
  InfoNCELossResult, LossOptions, NegativeLayout, Operand, Reduction, Similarity, SimilarityOptions, TripletLossOptions,
  TripletLossOutputs, TripletLossResult,
} from './types.js';
