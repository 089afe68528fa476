// The demo that `npm start` runs (examples/demo.mjs), in its quick form: it trains an MNIST digit
// encoder with tripletLoss on a WebAssembly backend, improves held-out recall@1, and writes an SVG
// with the loss curve and one circle per held-out digit.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const TEST_DIGITS = 300;

interface DemoResult {
  recallBefore: number;
  recallAfter: number;
  backend: string;
  steps: number;
  test: number;
  lossSeconds: number;
  trainSeconds: number;
}

/** Checks that every tag is closed in order; returns the element names in document order. */
function parseTags(svg: string): string[] {
  const names: string[] = [];
  const open: string[] = [];
  for (const [, closing, name, selfClosing] of svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)(?:\s[^<>]*?)?(\/?)>/g)) {
    if (closing) {
      const last = open.pop();
      if (last !== name) throw new Error(`</${name}> closes <${last}>`);
    } else {
      names.push(name);
      if (!selfClosing) open.push(name);
    }
  }
  if (open.length > 0) throw new Error(`unclosed: ${open.join(', ')}`);
  return names;
}

describe('examples/demo.mjs (quick run)', () => {
  let outDir: string;
  let stdout: string;
  let result: DemoResult;

  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'contrastive-loss-demo-'));
    stdout = execFileSync(process.execPath, ['examples/demo.mjs'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, DEMO_TRAIN: '3000', DEMO_TEST: String(TEST_DIGITS), DEMO_EPOCHS: '2', DEMO_OUT: outDir },
    });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`no RESULT line in the demo's output:\n${stdout}`);
    result = JSON.parse(line.slice('RESULT '.length));
  }, 90_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('trains on a WebAssembly backend and improves held-out recall@1', () => {
    expect(result.backend).toMatch(/^wasm-/);
    expect(stdout).toContain(`backend ${result.backend}`);
    expect(result.test).toBe(TEST_DIGITS);
    expect(result.steps).toBeGreaterThan(0);
    expect(result.recallBefore).toBeGreaterThan(0);
    expect(result.recallAfter).toBeGreaterThan(result.recallBefore + 0.05);
    expect(result.lossSeconds).toBeGreaterThan(0);
    expect(result.lossSeconds).toBeLessThan(result.trainSeconds);
  });

  it('writes a well-formed SVG with the loss curve and one circle per held-out digit', () => {
    const path = join(outDir, 'demo.svg');
    expect(existsSync(path)).toBe(true);
    const svg = readFileSync(path, 'utf8').trim();
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.endsWith('</svg>')).toBe(true);
    const tags = parseTags(svg);
    expect(tags[0]).toBe('svg');
    expect(tags.filter((t) => t === 'svg')).toHaveLength(1);
    expect(tags.filter((t) => t === 'circle')).toHaveLength(TEST_DIGITS);
    const curves = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) => m[1].trim().split(/\s+/));
    expect(curves.length).toBeGreaterThan(0);
    for (const curve of curves) {
      expect(curve).toHaveLength(result.steps);
      for (const point of curve) expect(point).toMatch(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/);
    }
  });
});
