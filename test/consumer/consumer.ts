// A TypeScript user's file, type-checked against the published package (test/browser-bundlers.test.ts):
// the public API's types must accept correct calls and reject wrong ones (@ts-expect-error fails
// the check when the line it marks compiles).
import * as tf from '@tensorflow/tfjs-core';
import { createEngine, type BackendChoice, type Engine, type EngineBuffer, type TripletLossResult } from 'contrastive-loss';
import { tripletLossReference } from 'contrastive-loss/reference';
import { tripletContrastiveLoss } from 'contrastive-loss/tfjs';

export async function check(): Promise<number> {
  const engine: Engine = await createEngine({ backend: 'auto', gpu: { minWork: { tripletLoss: 1e6 } } });
  const anchor = new Float32Array(8);
  const result: TripletLossResult<Float32Array> = engine.tripletLoss({ anchor, positive: anchor.slice(), negative: anchor.slice(), dim: 4 });
  const gradient: Float32Array | null = result.gradAnchor;
  const f64 = engine.tripletLoss({ anchor: new Float64Array(8), positive: new Float64Array(8), negative: new Float64Array(8), dim: 4 });
  const f64Losses: Float64Array = f64.losses;
  const buffer: EngineBuffer<Float64Array> = engine.allocate(16, 'f64');
  const asyncResult = await engine.tripletLossAsync({ anchor, positive: anchor, negative: anchor, dim: 4 });
  const choice: BackendChoice = engine.explain('similarityMatrix', { rows: 1024, columns: 1024, dim: 128 });
  const reference = tripletLossReference({ anchor, positive: anchor, negative: anchor, dim: 4 });
  const loss: tf.Tensor = tripletContrastiveLoss(tf.zeros([2, 4]), tf.zeros([2, 4]), tf.zeros([2, 4]), { engine });

  // @ts-expect-error dim is required
  engine.tripletLoss({ anchor, positive: anchor, negative: anchor });
  // @ts-expect-error 'manhattan' is not a similarity
  engine.similarity(anchor, anchor, { dim: 4, similarity: 'manhattan' });
  // @ts-expect-error explain() knows the ops
  engine.explain('matmul', { rows: 1, dim: 1 });

  return (gradient?.[0] ?? 0) + f64Losses[0] + buffer.length + asyncResult.loss + choice.work + reference.loss + loss.size;
}
