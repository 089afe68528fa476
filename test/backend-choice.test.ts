// 'auto' routing when there is a GPU, which these machines lack: a stand-in for gpu.js that runs
// the real kernels on gpu.js's cpu backend but reports them as WebGPU kernels (what a real GPU
// would report), so that 'auto' takes it for a GPU. It checks that ops go to the GPU from
// gpu.minWork on and stay on the CPU below it, and that an op that fails on the GPU falls back to
// the CPU for good, with explain() saying why.
import { GPU } from 'gpu.js';
import { describe, expect, it } from 'vitest';
import { createEngine, type GpuJsInstance } from '../src/index.js';
import { tripletLossReference } from '../src/reference/index.js';
import { relativeError } from './helpers/compare.js';
import { makeTriplets } from './helpers/data.js';

/** gpu.js in cpu mode, dressed as WebGPU; kernels whose source contains `failing` throw. */
function webGpuStandIn(failing: { source: string | null }): GpuJsInstance {
  const gpu = new GPU({ mode: 'cpu' });
  return {
    createKernel(source: string, settings?: Record<string, unknown>) {
      const real = gpu.createKernel(source, settings as never) as unknown as (...args: unknown[]) => unknown;
      const kernel = (...args: unknown[]) => {
        if (failing.source !== null && source.includes(failing.source)) throw new Error('lost the device');
        return real(...args);
      };
      return Object.assign(kernel, { kernel: { constructor: { mode: 'webgpu' } } });
    },
  };
}

describe("'auto' with a GPU", () => {
  it('sends an op to the GPU from gpu.minWork on, and keeps smaller ones on the CPU', async () => {
    const engine = await createEngine({ gpu: { instance: webGpuStandIn({ source: null }), minWork: 4000 } });
    expect(engine.gpu).toMatchObject({ backend: 'gpujs-webgpu', software: false });
    expect(engine.gpu.reason).toMatch(/'auto' uses gpujs-webgpu for ops from their crossovers/);
    const large = makeTriplets('f32', 100, 40, 3);
    const small = makeTriplets('f32', 99, 40, 4);
    expect(engine.explain('tripletLoss', { rows: 100, dim: 40 })).toMatchObject({ device: 'gpu', work: 4000, crossover: 4000 });
    expect((await engine.tripletLossAsync({ ...large })).backend).toBe('gpujs-webgpu');
    expect((await engine.tripletLossAsync({ ...small })).backend).toBe(engine.backend);
    expect(engine.tripletLoss({ ...large }).backend).toBe(engine.backend); // sync ops stay on the CPU
  });

  it('moves an op that fails on the GPU back to the CPU for good, with the right result', async () => {
    const failing = { source: null as string | null };
    const engine = await createEngine({ gpu: { instance: webGpuStandIn(failing), minWork: 0 } });
    failing.source = 'function tripletSums';
    const t = makeTriplets('f32', 20, 16, 5);
    const result = await engine.tripletLossAsync({ ...t });
    expect(result.backend).toBe(engine.backend);
    const reference = tripletLossReference({ ...t });
    expect(relativeError(result.gradAnchor!, reference.gradAnchor)).toBeLessThan(1e-5);
    expect(engine.explain('tripletLoss', { rows: 20, dim: 16 })).toMatchObject({ device: 'cpu' });
    expect(engine.explain('tripletLoss', { rows: 20, dim: 16 }).reason).toMatch(/tripletLoss failed on the GPU \(lost the device\)/);
    // The other ops keep the GPU.
    expect(engine.explain('similarity', { rows: 20, dim: 16 })).toMatchObject({ device: 'gpu' });
  });

  it("with backend 'gpu' the failure is the caller's", async () => {
    const failing = { source: null as string | null };
    const engine = await createEngine({ backend: 'gpu', gpu: { instance: webGpuStandIn(failing) } });
    failing.source = 'function tripletTerms';
    const t = makeTriplets('f32', 4, 8, 6);
    await expect(engine.tripletLossAsync({ ...t })).rejects.toThrow(/lost the device/);
    expect(engine.explain('tripletLoss', { rows: 4, dim: 8 }).device).toBe('gpu');
  });
});
