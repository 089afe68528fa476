// The WebAssembly flavours built from assembly/ (see scripts/build-wasm.mjs), the probe that tells
// which ones this JavaScript engine accepts, and a compile cache shared by every engine.
import type { BackendName } from '../../types.js';
import { wasmModules } from './generated/wasm-modules.js';

export type WasmFlavour = keyof typeof wasmModules;

/** Best first. relaxed-simd needs Chrome ≥ 114 or Node ≥ 21 (Node 20: --experimental-wasm-relaxed-simd). */
export const WASM_FLAVOURS: ReadonlyArray<{ flavour: WasmFlavour; backend: BackendName }> = [
  { flavour: 'relaxed-simd', backend: 'wasm-relaxed-simd' },
  { flavour: 'simd', backend: 'wasm-simd' },
  { flavour: 'scalar', backend: 'wasm-scalar' },
];

const decoded = new Map<WasmFlavour, Uint8Array<ArrayBuffer>>();
const validated = new Map<WasmFlavour, boolean>();
const compiled = new Map<WasmFlavour, Promise<WebAssembly.Module>>();

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function flavourBytes(flavour: WasmFlavour): Uint8Array<ArrayBuffer> {
  let bytes = decoded.get(flavour);
  if (!bytes) {
    bytes = decodeBase64(wasmModules[flavour].base64);
    decoded.set(flavour, bytes);
  }
  return bytes;
}

/** Why this engine cannot run the flavour, or null when it can. Cached. */
export function flavourUnavailableReason(flavour: WasmFlavour): string | null {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') {
    return 'WebAssembly is not available in this JavaScript engine';
  }
  let valid = validated.get(flavour);
  if (valid === undefined) {
    valid = WebAssembly.validate(flavourBytes(flavour));
    validated.set(flavour, valid);
  }
  return valid ? null : `WebAssembly.validate rejects the ${flavour} module (the engine lacks the feature)`;
}

/** Compiles a flavour once per process; concurrent callers share the same promise. */
export function compileFlavour(flavour: WasmFlavour): Promise<WebAssembly.Module> {
  let module = compiled.get(flavour);
  if (!module) {
    module = WebAssembly.compile(flavourBytes(flavour));
    module.catch(() => compiled.delete(flavour));
    compiled.set(flavour, module);
  }
  return module;
}
