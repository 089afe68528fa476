// The benchmark suite still runs end to end: a BENCH_QUICK smoke run (tiny sizes, one sample per
// case; its timings mean nothing and nothing here looks at them) into a temporary folder must
// exit 0, which it does only when every case agrees with the engine, and must write benny's JSON
// and HTML chart for every op and size, and the markdown summary.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { root } from './helpers/packed.js';

const results = mkdtempSync(join(tmpdir(), 'contrastive-loss-bench-'));
afterAll(() => rmSync(results, { recursive: true, force: true }));

it('BENCH_QUICK=1 bench/suite.mjs writes JSON, HTML charts and the summary for every op and size', () => {
  execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', join(root, 'bench', 'suite.mjs')], {
    env: { ...process.env, BENCH_QUICK: '1', BENCH_RESULTS: results }, stdio: 'pipe',
  });
  const files = readdirSync(results);
  for (const op of ['tripletLoss', 'infoNCELoss', 'batchContrastiveLoss', 'similarity', 'similarityMatrix']) {
    for (const size of ['small', 'medium', 'large']) {
      expect(files).toContain(`${op}-${size}.json`);
      expect(files).toContain(`${op}-${size}.chart.html`);
    }
  }
  const summary = readFileSync(join(results, 'SUMMARY.md'), 'utf8');
  for (const heading of ['## tripletLoss', '## infoNCELoss', '## batchContrastiveLoss', '## similarity', '## similarityMatrix']) {
    expect(summary).toContain(heading);
  }
  expect(summary).toMatch(/\| × best peer \|/);
}, 120_000);
