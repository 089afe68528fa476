// The GPU path's kernels through gpu.js's own CPU backends ('cpu' transpiles them to JavaScript,
// 'webasm' compiles them to WebAssembly), which run everywhere: the kernel logic, the chaining and
// the readback, checked against the float64 reference (test/gpu/gpu-checks.mjs). The same checks
// run on real GL and WebGPU in gpu-headlessgl.test.ts and browser-gpu.test.ts.
import { GPU } from 'gpu.js';
import { describe, expect, it } from 'vitest';
import { createEngine, type GpuJsInstance } from '../src/index.js';
import * as reference from '../src/reference/index.js';
import { failures, runGpuChecks, worstErrors } from './gpu/gpu-checks.mjs';

describe.each(['cpu', 'webasm'] as const)("gpu.js '%s' mode", (mode) => {
  it('every GPU kernel agrees with the float64 reference within 1e-4, on that backend', async () => {
    const instance = new GPU({ mode }) as unknown as GpuJsInstance;
    const engine = await createEngine({ backend: 'gpu', gpu: { instance } });
    expect(engine.gpu.backend).toBe(`gpujs-${mode}`);
    const report = await runGpuChecks(engine, reference);
    console.log(`gpujs-${mode}: worst errors`, worstErrors(report));
    expect(failures(report, `gpujs-${mode}`)).toEqual([]);
  });

  it("is not a GPU: 'auto' keeps every op on the CPU and says why", async () => {
    const instance = new GPU({ mode }) as unknown as GpuJsInstance;
    const engine = await createEngine({ gpu: { instance } });
    expect(engine.gpu.reason).toContain(`'${mode}' backend, which is not a GPU`);
    const choice = engine.explain('similarityMatrix', { rows: 8192, columns: 8192, dim: 1024 });
    expect(choice).toMatchObject({ device: 'cpu', backend: engine.backend });
    const result = await engine.tripletLossAsync({ anchor: new Float32Array(8), positive: new Float32Array(8), negative: new Float32Array(8), dim: 4 });
    expect(result.backend).toBe(engine.backend);
  });
});
