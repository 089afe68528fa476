// The f32x4 multiply-add peak of one WebAssembly flavour on this machine, measured with the
// probe compiled into the kernels (assembly/peak.ts). The bench loads the flavour's module from
// build/ (written by `npm run build:wasm`), as the probe is not part of the public API.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const build = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'build');

/** GFLOP/s of acc += x·y on f32x4 for the engine's flavour: the best of five timed runs. */
export function measureSimdPeak(engine) {
  const flavour = engine.backend.replace(/^wasm-/, '');
  const module = new WebAssembly.Module(readFileSync(join(build, `${flavour}.wasm`)));
  const { simdPeakProbe } = new WebAssembly.Instance(module, { env: { abort() {} } }).exports;
  const iterations = 2e7;
  simdPeakProbe(iterations / 10);
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    simdPeakProbe(iterations);
    best = Math.min(best, performance.now() - start);
  }
  return (iterations * 12 * 4 * 2) / (best * 1e6);
}
