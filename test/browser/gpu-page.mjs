// Runs in headless Chromium (test/browser-gpu.test.ts): the package's ESM build with gpu.js on the
// backend named by ?mode= (webgl2 or webgpu). Reports, through window.__result:
// - forced: an engine with backend 'gpu' on that gpu.js mode, and the GPU checks of
//   test/gpu/gpu-checks.mjs against the float64 reference;
// - auto: what createEngine() found on its own, and its choice for small to large shapes.
import { createEngine } from '/dist/esm/index.js';
import * as reference from '/dist/esm/reference/index.js';
import { GPU } from 'gpu.js';
import { runGpuChecks } from '/test/gpu/gpu-checks.mjs';

const SHAPES = [[1, 1], [1024, 1024], [4000, 4000]];

async function main() {
  const mode = new URLSearchParams(location.search).get('mode');
  if (mode === 'webgpu' && !(await GPU.isWebGPUAvailable())) throw new Error('no WebGPU adapter in this browser');
  const forced = await createEngine({ backend: 'gpu', gpu: { instance: new GPU({ mode }) } });
  const report = await runGpuChecks(forced, reference);

  const auto = await createEngine();
  const choices = SHAPES.map(([rows, columns]) => auto.explain('similarityMatrix', { rows, columns, dim: 256 }))
    .concat(SHAPES.map(([rows]) => auto.explain('tripletLoss', { rows, dim: 1024 })));
  return {
    forced: { cpu: forced.backend, gpu: forced.gpu, report },
    auto: { cpu: auto.backend, gpu: auto.gpu, choices },
  };
}

main().then(
  (result) => { window.__result = result; },
  (error) => { window.__result = { error: String(error?.stack ?? error) }; },
);
