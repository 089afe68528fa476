// The packed tarball, installed into a separate project, works with import and require, picks the
// right WebAssembly flavour with and without --experimental-wasm-relaxed-simd, and ships only what
// users need.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tripletLossReference } from '../src/reference/index.js';
import { packAndInstall, type PackedInstall } from './helpers/packed.js';

let packed: PackedInstall;
let consumer: string;

// One small batch, known to the consumer scripts and to the reference below.
const ROWS = 3;
const DIM = 5;
const batch = (k: number) => Array.from({ length: ROWS * DIM }, (_, i) => Math.sin(i * 0.7 + k));
const script = (load: string) => `${load}
const batch = (k) => Float32Array.from({ length: ${ROWS * DIM} }, (_, i) => Math.sin(i * 0.7 + k));
createEngine().then((engine) => {
  const r = engine.tripletLoss({ anchor: batch(0), positive: batch(1), negative: batch(2), dim: ${DIM} });
  console.log(JSON.stringify({ backend: engine.backend, loss: r.loss, gradAnchor0: r.gradAnchor[0] }));
});`;

function run(args: string[]): { backend: string; loss: number; gradAnchor0: number } {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: consumer, encoding: 'utf8' }));
}

describe('the packed package', () => {
  beforeAll(() => {
    packed = packAndInstall();
    consumer = packed.consumer;
  }, 300_000);

  afterAll(() => packed?.remove());

  it('contains dist, README, LICENSE and package.json only', () => {
    const files = execFileSync('tar', ['-tzf', packed.tarball], { encoding: 'utf8' }).trim().split('\n');
    const topLevel = new Set(files.map((f) => f.replace(/^package\//, '').split('/')[0]));
    expect([...topLevel].sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
    expect(files).toContain('package/dist/esm/index.js');
    expect(files).toContain('package/dist/esm/index.d.ts');
    expect(files).toContain('package/dist/cjs/index.js');
    expect(files).toContain('package/dist/cjs/package.json');
    expect(files).toContain('package/dist/esm/adapters/tfjs.d.ts');
    // Nothing else: compiled modules and their types, no tests, sources, maps or bench results.
    const unexpected = files.filter((f) => !/^package\/(README\.md|LICENSE|package\.json|dist\/(esm|cjs)\/.+\.(js|d\.ts)|dist\/cjs\/package\.json)$/.test(f));
    expect(unexpected).toEqual([]);
    expect(readdirSync(join(consumer, 'node_modules')).filter((f) => !f.startsWith('.'))).toEqual(['contrastive-loss']); // no runtime dependencies
  });

  it('works with import and with require, and agrees with the reference', () => {
    const reference = tripletLossReference({
      anchor: Float32Array.from(batch(0)), positive: Float32Array.from(batch(1)), negative: Float32Array.from(batch(2)), dim: DIM,
    });
    const esm = run(['--input-type=module', '-e', script("import { createEngine } from 'contrastive-loss';")]);
    const cjs = run(['-e', script("const { createEngine } = require('contrastive-loss');")]);
    for (const result of [esm, cjs]) {
      expect(result.backend).toMatch(/^wasm-/);
      expect(Math.abs(result.loss - reference.loss) / reference.loss).toBeLessThan(1e-5);
      expect(Math.abs(result.gradAnchor0 - reference.gradAnchor[0])).toBeLessThan(1e-5 * Math.abs(reference.gradAnchor[0]) + 1e-9);
    }
  });

  it('picks wasm-simd on plain Node 20 and wasm-relaxed-simd with --experimental-wasm-relaxed-simd', () => {
    const load = "import { createEngine } from 'contrastive-loss';";
    const plain = run(['--input-type=module', '-e', script(load)]);
    const relaxed = run(['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', script(load)]);
    const nodeMajor = Number(process.versions.node.split('.')[0]);
    expect(plain.backend).toBe(nodeMajor >= 21 ? 'wasm-relaxed-simd' : 'wasm-simd');
    expect(relaxed.backend).toBe('wasm-relaxed-simd');
    expect(Math.abs(relaxed.loss - plain.loss) / plain.loss).toBeLessThan(1e-5);
  });
});
