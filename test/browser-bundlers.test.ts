// The package as users install it, in the places they use it: the tarball from `npm pack`,
// installed into a fresh project, then
// - loaded unbundled by a page with an import map (examples/browser) in headless Chromium,
// - bundled by `vite build` (examples/vite-app) and run there,
// - type-checked from a TypeScript consumer with `tsc --noEmit`, the tfjs subpath included,
// each computing L_c with gradients against the float64 reference. Without /usr/bin/chromium the
// browser checks assert only that (CONTRASTIVE_LOSS_REQUIRE_GPU_TESTS=1 in CI makes it a failure).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, runPage, startStaticServer, type StaticServer } from './helpers/browser.js';
import { packAndInstall, root, type PackedInstall } from './helpers/packed.js';

const required = process.env.CONTRASTIVE_LOSS_REQUIRE_GPU_TESTS === '1';
const chromium = chromiumPath();

interface PageResult {
  error?: string;
  backend: string;
  loss: number;
  errors: Record<string, number>;
}

let packed: PackedInstall;
let server: StaticServer;

beforeAll(async () => {
  // tfjs-core, and the Long type its declarations use, for the consumer of contrastive-loss/tfjs.
  // tfjs-backend-cpu for running it.
  packed = packAndInstall(['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@types/long']);
  cpSync(join(root, 'examples', 'browser'), join(packed.consumer, 'browser'), { recursive: true });
  cpSync(join(root, 'examples', 'vite-app'), join(packed.consumer, 'vite-app'), { recursive: true });
  server = await startStaticServer(packed.consumer);
}, 300_000);

afterAll(async () => {
  await server?.close();
  packed?.remove();
});

function expectAccurate(result: PageResult): void {
  expect(result.error).toBeUndefined();
  expect(result.backend).toMatch(/^wasm-/);
  for (const [name, error] of Object.entries(result.errors)) expect(error, name).toBeLessThanOrEqual(1e-5);
}

describe('in headless Chromium', () => {
  it('is installed (required in CI)', () => {
    if (required) expect(chromium, '/usr/bin/chromium').not.toBeNull();
    expect(chromium === null || chromium.endsWith('chromium')).toBe(true);
  });

  it('the ESM build loads unbundled (an import map) and agrees with the reference', async () => {
    if (!chromium) return expect(required).toBe(false);
    const result = await runPage<PageResult>('webgl2', `${server.url}browser/index.html`);
    console.log(`unbundled page: ${result.backend}, errors`, result.errors);
    expectAccurate(result);
  }, 120_000);

  it('vite build bundles it with no configuration, and the bundle agrees with the reference', async () => {
    if (!chromium) return expect(required).toBe(false);
    const app = join(packed.consumer, 'vite-app');
    // --base ./: the bundle is served from /vite-app/dist/, not from the server's root.
    execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--base', './', '--logLevel', 'warn'], { cwd: app });
    const assets = readdirSync(join(app, 'dist', 'assets'));
    expect(assets.some((f) => f.endsWith('.js'))).toBe(true);
    expect(assets.filter((f) => f.endsWith('.wasm'))).toEqual([]); // inlined, not emitted
    const result = await runPage<PageResult>('webgl2', `${server.url}vite-app/dist/index.html`);
    console.log(`vite bundle: ${result.backend}, errors`, result.errors);
    expectAccurate(result);
  }, 120_000);
});

describe('for tfjs users', () => {
  it('contrastive-loss/tfjs loads with import and with require, and computes the loss', () => {
    const script = (load: string) => `${load}
      createEngine().then((engine) => {
        const x = tf.tensor2d([[1, 0], [0, 1]]);
        const loss = tripletContrastiveLoss(x, x, tf.neg(x), { engine, temperature: 0.5 });
        console.log(JSON.stringify(loss.dataSync()[0]));
      });`;
    const esm = script(`import * as tf from '@tensorflow/tfjs-core'; import '@tensorflow/tfjs-backend-cpu';
      import { createEngine } from 'contrastive-loss'; import { tripletContrastiveLoss } from 'contrastive-loss/tfjs';`);
    const cjs = script(`const tf = require('@tensorflow/tfjs-core'); require('@tensorflow/tfjs-backend-cpu');
      const { createEngine } = require('contrastive-loss'); const { tripletContrastiveLoss } = require('contrastive-loss/tfjs');`);
    // Rows identical to their positives and opposite to their negatives: s⁺ = 1, s⁻ = −1, Δ = −4.
    const expected = Math.log1p(Math.exp(-4));
    for (const args of [['--input-type=module', '-e', esm], ['--input-type=commonjs', '-e', cjs]]) {
      const value = JSON.parse(execFileSync(process.execPath, args, { cwd: packed.consumer, encoding: 'utf8' }));
      expect(Math.abs(value - expected) / expected).toBeLessThan(1e-6);
    }
  });
});

describe('for TypeScript users', () => {
  it('a consumer .ts file type-checks against the published types (tsc --noEmit)', () => {
    const dir = join(packed.consumer, 'typescript');
    mkdirSync(dir, { recursive: true });
    cpSync(join(root, 'test', 'consumer', 'consumer.ts'), join(dir, 'consumer.ts'));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, lib: ['ES2022', 'DOM'] },
      files: ['consumer.ts'],
    }));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? String(error);
    }
    expect(output).toBe('');
    expect(existsSync(join(packed.consumer, 'node_modules', 'contrastive-loss', 'dist', 'esm', 'adapters', 'tfjs.d.ts'))).toBe(true);
  });
});
