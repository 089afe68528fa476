// The GPU path in a real browser: Debian's headless Chromium (through playwright-core) loads the
// package's ESM build unbundled (test/browser/gpu.html) and runs the GPU checks on gpu.js's WebGL2
// backend and on its WebGPU backend, both on SwiftShader, against the float64 reference. Where
// /usr/bin/chromium is missing this file checks only that; CONTRASTIVE_LOSS_REQUIRE_GPU_TESTS=1
// (set by .ci/run) makes a missing browser a failure.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendChoice, GpuStatus } from '../src/index.js';
import { distIsFresh } from '../scripts/dist-hash.mjs';
import { chromiumPath, runPage, startStaticServer, type StaticServer } from './helpers/browser.js';
import { failures, type GpuCheckEntry, worstErrors } from './gpu/gpu-checks.mjs';

const root = join(import.meta.dirname, '..');
const required = process.env.CONTRASTIVE_LOSS_REQUIRE_GPU_TESTS === '1';
const chromium = chromiumPath();

interface PageResult {
  error?: string;
  forced: { cpu: string; gpu: GpuStatus; report: GpuCheckEntry[] };
  auto: { cpu: string; gpu: GpuStatus; choices: BackendChoice[] };
}

let server: StaticServer;
beforeAll(async () => {
  if (!distIsFresh(root)) throw new Error('dist/ is older than src/: run `npm run build` (npm test does it)');
  server = await startStaticServer(root);
});
afterAll(() => server?.close());

describe('in headless Chromium', () => {
  it('is installed (required in CI)', () => {
    if (required) expect(chromium, '/usr/bin/chromium').not.toBeNull();
    expect(chromium === null || chromium.endsWith('chromium')).toBe(true);
  });

  describe.each([
    ['webgl2', 'gpujs-webgl2'],
    ['webgpu', 'gpujs-webgpu'],
  ] as const)('gpu.js on %s', (kind, backend) => {
    let result: PageResult;
    beforeAll(async () => {
      if (chromium) result = await runPage<PageResult>(kind, `${server.url}test/browser/gpu.html?mode=${kind}`, 90_000);
    }, 120_000);

    it('runs every GPU kernel there within 1e-4 of the reference', () => {
      if (!chromium) return expect(required).toBe(false);
      expect(result.error).toBeUndefined();
      const { gpu, report } = result.forced;
      console.log(`${backend} on ${gpu.renderer}: worst errors`, worstErrors(report));
      expect(gpu.backend).toBe(backend);
      expect(report.length).toBeGreaterThan(50);
      expect(failures(report, backend)).toEqual([]);
    });

    it("finds only a software renderer, so 'auto' keeps every op on the CPU and says why", () => {
      if (!chromium) return expect(required).toBe(false);
      const { cpu, gpu, choices } = result.auto;
      console.log(`'auto' in Chromium (${kind} flags): ${gpu.reason}`);
      expect(cpu).toMatch(/^wasm-/);
      expect(gpu.software).toBe(true);
      expect(gpu.reason).toMatch(/software renderer/);
      for (const choice of choices) {
        expect(choice).toMatchObject({ device: 'cpu', backend: cpu });
        expect(choice.reason).toMatch(/software renderer|beyond gpu.js's exact f32 indexing/);
      }
    });
  });
});
