// The backends an engine can run, best first, and the choice among them (after tfjs's engine and
// onnxruntime-web's backend-impl): an explicit name picks exactly that backend; 'wasm' the best
// WebAssembly flavour this JavaScript engine accepts; 'auto' the best of all. When every candidate
// fails, one error says why each one did.
import type { BackendName, BackendRequest } from '../types.js';
import type { Backend } from './backend.js';
import { JsBackend } from './js/js-backend.js';
import { flavourUnavailableReason, WASM_FLAVOURS } from './wasm/flavours.js';
import { WasmBackend } from './wasm/wasm-backend.js';

interface BackendEntry {
  name: BackendName;
  family: 'wasm' | 'js';
  /** Why the backend cannot run here, or null. */
  unavailableReason(): string | null;
  create(): Promise<Backend>;
}

const BACKENDS: readonly BackendEntry[] = [
  ...WASM_FLAVOURS.map(({ flavour, backend }): BackendEntry => ({
    name: backend,
    family: 'wasm',
    unavailableReason: () => flavourUnavailableReason(flavour),
    create: () => WasmBackend.create(flavour, backend),
  })),
  { name: 'js', family: 'js', unavailableReason: () => null, create: async () => new JsBackend() },
];

export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'wasm', ...BACKENDS.map((b) => b.name)];

function candidates(request: BackendRequest): readonly BackendEntry[] {
  if (request === 'auto') return BACKENDS;
  if (request === 'wasm') return BACKENDS.filter((b) => b.family === 'wasm');
  return BACKENDS.filter((b) => b.name === request);
}

/** Creates the first backend that `request` allows and that initialises here. */
export async function createBackend(request: BackendRequest): Promise<Backend> {
  const failures: string[] = [];
  for (const entry of candidates(request)) {
    const reason = entry.unavailableReason();
    if (reason !== null) {
      failures.push(`${entry.name}: ${reason}`);
      continue;
    }
    try {
      return await entry.create();
    } catch (error) {
      failures.push(`${entry.name}: ${(error as Error).message}`);
    }
  }
  throw new Error(`no backend could be initialised for '${request}': ${failures.join('; ')}`);
}

/** Names of the backends that report themselves available here (without creating them). */
export function availableBackends(): BackendName[] {
  return BACKENDS.filter((b) => b.unavailableReason() === null).map((b) => b.name);
}
