// The GPU path on a real GL stack: gpu.js's headlessgl backend (the `gl` package, on Mesa) on a
// private Xvfb display, checked against the float64 reference. `gl` is an optional native
// dependency of gpu.js that builds only where the X11 dev packages are installed; where it or Xvfb
// is missing this file checks instead that the engine says there is no GPU.
// CONTRASTIVE_LOSS_REQUIRE_GPU_TESTS=1 (set by .ci/run) makes a missing stack a failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../src/index.js';
import * as reference from '../src/reference/index.js';
import { failures, runGpuChecks, worstErrors } from './gpu/gpu-checks.mjs';
import { startXvfb, type VirtualDisplay } from './helpers/xvfb.js';

const required = process.env.CONTRASTIVE_LOSS_REQUIRE_GPU_TESTS === '1';
let display: VirtualDisplay | null = null;
let headlessGL = false;

beforeAll(async () => {
  display = await startXvfb();
  // Before gpu.js loads: headless-gl opens its test context on import.
  if (display) process.env.DISPLAY = display.display;
  const { GPU } = await import('gpu.js');
  headlessGL = GPU.isHeadlessGLSupported;
});

afterAll(() => display?.stop());

describe('gpu.js headlessgl under Xvfb', () => {
  it('is there (required in CI), or the engine says there is no GPU', async () => {
    if (required) expect(headlessGL, `gl built: ${headlessGL}, Xvfb: ${display !== null}`).toBe(true);
    if (!headlessGL) {
      await expect(createEngine({ backend: 'gpu' })).rejects.toThrow(/finds no GPU/);
      const engine = await createEngine();
      expect(engine.gpu.backend).toBeNull();
      expect(engine.explain('similarityMatrix', { rows: 4096, columns: 4096, dim: 512 }).device).toBe('cpu');
    }
  });

  it('runs every GPU kernel on headlessgl within 1e-4 of the reference', async () => {
    if (!headlessGL) return expect(required).toBe(false);
    const engine = await createEngine({ backend: 'gpu' });
    expect(engine.gpu.backend).toBe('gpujs-headlessgl');
    console.log(`headlessgl renderer: ${engine.gpu.renderer}`);
    const report = await runGpuChecks(engine, reference);
    console.log('gpujs-headlessgl: worst errors', worstErrors(report));
    expect(failures(report, 'gpujs-headlessgl')).toEqual([]);
  });

  it("'auto' measures the crossovers: on Mesa under Xvfb the GPU loses at every size, so it is never used", async () => {
    if (!headlessGL) return expect(required).toBe(false);
    const engine = await createEngine();
    // headless-gl hides the driver, so it is not a known software renderer: only measuring tells.
    expect(engine.gpu).toMatchObject({ backend: 'gpujs-headlessgl', software: null });
    console.log(`'auto' on headlessgl: ${engine.gpu.reason}`);
    expect(engine.gpu.reason).toMatch(/slower than wasm-\S+ at every size measured, for every op/);
    for (const [rows, columns] of [[1, 1], [1024, 1024], [2048, 2048]]) {
      const choice = engine.explain('similarityMatrix', { rows, columns, dim: 256 });
      expect(choice).toMatchObject({ device: 'cpu', crossover: Infinity });
      expect(choice.reason).toMatch(/measured at work \d+: gpu [\d.]+ ms, wasm-\S+ [\d.]+ ms/);
    }
    const result = await engine.tripletLossAsync({ anchor: new Float32Array(64), positive: new Float32Array(64), negative: new Float32Array(64), dim: 8 });
    expect(result.backend).toBe(engine.backend);
  });

  it('gpu.minWork replaces the measurement, per op or for all', async () => {
    if (!headlessGL) return expect(required).toBe(false);
    const engine = await createEngine({ gpu: { minWork: { tripletLoss: 1000 } , } });
    expect(engine.explain('tripletLoss', { rows: 10, dim: 100 })).toMatchObject({ device: 'gpu', backend: 'gpujs-headlessgl', crossover: 1000 });
    expect(engine.explain('tripletLoss', { rows: 9, dim: 100 })).toMatchObject({ device: 'cpu', crossover: 1000 });
    const result = await engine.tripletLossAsync({ anchor: new Float32Array(1000), positive: new Float32Array(1000), negative: new Float32Array(1000), dim: 100 });
    expect(result.backend).toBe('gpujs-headlessgl');
    expect(engine.explain('similarity', { rows: 10, dim: 100 }).reason).toMatch(/measured at work/);
  });
});
