// The float64 reference: the test oracle and the maths of the 'js' backend.
export { softplus, sigmoid } from './scalar-math.js';
export { rowSimilarity, addRowSimilarityGradient } from './similarity.js';
export { computeTripletLoss, tripletLossReference } from './triplet.js';
export type { TripletInputs, TripletOutputArrays, TripletSums, TripletReferenceOptions, TripletReferenceResult } from './triplet.js';
export { similarityMatrixReference, addSimilarityMatrixGradient } from './matrix.js';
export type { SimilarityMatrixReferenceOptions } from './matrix.js';
export { infoNCEReference } from './infonce.js';
export type { InfoNCEReferenceOptions, InfoNCEReferenceResult } from './infonce.js';
export { batchContrastiveReference } from './batch.js';
export type { BatchContrastiveReferenceOptions, BatchContrastiveReferenceResult } from './batch.js';
