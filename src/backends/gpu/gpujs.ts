// The slice of gpu.js this package uses, typed structurally so that gpu.js stays an optional peer
// dependency: it is loaded with a dynamic import() only when a GPU path is asked for or probed,
// and never read from a global. A user may pass their own `GPU` instance instead.

/** A gpu.js `GPU` instance (`new GPU(settings)`), as far as this package relies on it. */
export interface GpuJsInstance {
  createKernel(source: string, settings?: Record<string, unknown>): GpuJsKernel;
  destroy?(): unknown;
}

/** What `gpu.createKernel` returns: callable, with the kernel that actually ran under `.kernel`. */
export interface GpuJsKernel {
  (...args: unknown[]): unknown;
  /** The backend's kernel object; gpu.js swaps it when it falls back to the CPU. */
  kernel?: { constructor: { mode?: string }; context?: unknown };
  destroy?(removeCanvasReferences?: boolean): void;
}

/** The `GPU` class and the static feature probes of gpu.js 2.2x. */
export interface GpuJsClass {
  new (settings?: { mode?: string }): GpuJsInstance;
  readonly isHeadlessGLSupported: boolean;
  readonly isWebGL2Supported: boolean;
  readonly isWebGLSupported: boolean;
  isWebGPUAvailable?(): Promise<boolean>;
}

/** gpu.js backends that run on a GPU (or on a software renderer posing as one). */
export type GpuJsGpuMode = 'webgpu' | 'webgl2' | 'webgl' | 'headlessgl';
/** Every gpu.js backend; 'webasm' and 'cpu' run kernels on the CPU. */
export type GpuJsMode = GpuJsGpuMode | 'webasm' | 'cpu';

export function isGpuMode(mode: GpuJsMode): mode is GpuJsGpuMode {
  return mode !== 'webasm' && mode !== 'cpu';
}

/** Loads gpu.js, or throws an Error that says how to get it. */
export async function loadGpuJs(): Promise<GpuJsClass> {
  // A variable specifier keeps bundlers and TypeScript from requiring gpu.js at build time.
  const specifier = 'gpu.js';
  let module: { GPU?: GpuJsClass; default?: { GPU?: GpuJsClass } };
  try {
    module = await import(/* @vite-ignore */ specifier);
  } catch (error) {
    throw new Error(`gpu.js could not be loaded (${(error as Error).message}); install it with \`npm install gpu.js\` or pass gpu.instance`);
  }
  const GPU = module.GPU ?? module.default?.GPU;
  if (typeof GPU !== 'function') throw new Error('the module gpu.js does not export a GPU class');
  return GPU;
}

/**
 * The backend a kernel actually ran on, read from the kernel object gpu.js ended up with (after
 * any silent fallback). GL kernels all report mode 'gpu'; their context tells them apart.
 */
export function kernelMode(kernel: GpuJsKernel): GpuJsMode {
  const inner = kernel.kernel;
  const mode = inner?.constructor.mode;
  if (mode === 'cpu' || mode === 'webasm' || mode === 'webgpu') return mode;
  if (mode !== 'gpu') throw new Error(`gpu.js ran a kernel on an unknown backend '${String(mode)}'`);
  const context = inner?.context;
  if (typeof WebGL2RenderingContext !== 'undefined' && context instanceof WebGL2RenderingContext) return 'webgl2';
  if (typeof WebGLRenderingContext !== 'undefined' && context instanceof WebGLRenderingContext) return 'webgl';
  return 'headlessgl';
}

/** The renderer string of a GL kernel's context (the unmasked one where the browser gives it). */
export function glRenderer(kernel: GpuJsKernel): string | null {
  const context = kernel.kernel?.context as WebGLRenderingContext | undefined;
  if (!context || typeof context.getParameter !== 'function') return null;
  const info = context.getExtension('WEBGL_debug_renderer_info');
  const renderer = info ? context.getParameter(info.UNMASKED_RENDERER_WEBGL) : null;
  return String(renderer ?? context.getParameter(context.RENDERER));
}

/** The adapter a WebGPU kernel gets (gpu.js asks for the default one), described in one string. */
export async function webGpuAdapter(): Promise<{ description: string; fallback: boolean } | null> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) return null;
  const adapter = (await gpu.requestAdapter()) as
    | { info?: Record<string, unknown>; isFallbackAdapter?: boolean }
    | null;
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const fields = ['vendor', 'architecture', 'device', 'description'].map((key) => info[key]).filter((v) => v);
  return {
    description: fields.join(' / ') || 'unknown adapter',
    fallback: Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter),
  };
}

/** Renderers that are GPUs in name only: fine for correctness, never faster than our WASM. */
const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|softpipe|lavapipe|software|basic render driver|mesa offscreen/i;

export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERERS.test(renderer);
}
