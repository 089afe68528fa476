export { createEngine, DEFAULT_EPS, DEFAULT_TEMPERATURE } from './engine.js';
export type { Engine, EngineOptions } from './engine.js';
export { availableBackends } from './backends/registry.js';
export type {
  ArrayOf, BackendName, BackendRequest, BatchContrastiveLossOptions, BatchContrastiveLossOutputs,
  BatchContrastiveLossResult, BatchMode, DType, EngineBuffer, FloatArray, InfoNCELossOptions, InfoNCELossOutputs,
  InfoNCELossResult, LossOptions, NegativeLayout, Operand, Reduction, Similarity, SimilarityOptions, TripletLossOptions,
  TripletLossOutputs, TripletLossResult,
} from './types.js';
