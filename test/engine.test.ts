// Backend choice: the registry's order, explicit requests, and what happens when one cannot run.
import { describe, expect, it } from 'vitest';
import { availableBackends, createEngine } from '../src/index.js';
import { tripletLossReference } from '../src/reference/index.js';
import { makeTriplets } from './helpers/data.js';

const relaxedAvailable = availableBackends().includes('wasm-relaxed-simd');

describe('backend choice', () => {
  it('auto picks the best backend available here, and wasm the best flavour', async () => {
    const expected = relaxedAvailable ? 'wasm-relaxed-simd' : 'wasm-simd';
    expect((await createEngine()).backend).toBe(expected);
    expect((await createEngine({ backend: 'auto' })).backend).toBe(expected);
    expect((await createEngine({ backend: 'wasm' })).backend).toBe(expected);
  });

  it('an explicit backend is exactly that backend', async () => {
    for (const backend of ['wasm-simd', 'wasm-scalar', 'js'] as const) {
      expect((await createEngine({ backend })).backend).toBe(backend);
    }
  });

  it('asking for relaxed-simd says why where it does not validate, and gets it where it does', async () => {
    const request = createEngine({ backend: 'wasm-relaxed-simd' });
    if (relaxedAvailable) {
      expect((await request).backend).toBe('wasm-relaxed-simd');
    } else {
      await expect(request).rejects.toThrow(
        /no backend could be initialised for 'wasm-relaxed-simd': wasm-relaxed-simd: WebAssembly.validate rejects the relaxed-simd module/,
      );
    }
  });

  it('concurrent createEngine calls each get their own working engine', async () => {
    const engines = await Promise.all(Array.from({ length: 5 }, () => createEngine({ backend: 'wasm-simd' })));
    const t = makeTriplets('f32', 3, 9, 2);
    const reference = tripletLossReference(t);
    const buffers = engines.map((engine) => engine.allocate(27));
    for (const [k, engine] of engines.entries()) {
      expect(Math.abs(engine.tripletLoss(t).loss - reference.loss) / reference.loss).toBeLessThan(1e-5);
      buffers[k].array.set(t.anchor);
    }
    // Each engine has its own memory; a buffer of another engine is read like a plain array.
    expect(buffers[0].array.buffer).not.toBe(buffers[1].array.buffer);
    const crossed = engines[1].tripletLoss({ ...t, anchor: buffers[0] });
    expect(Math.abs(crossed.loss - reference.loss) / reference.loss).toBeLessThan(1e-5);
  });
});
