// Which backend an async op runs on: the GPU (through gpu.js) or the engine's CPU backend. Sync ops
// always run on the CPU. In 'auto' an op goes to the GPU only when gpu.js runs on a real GPU
// backend, its renderer is not a software one (unless the user allows it), the op has a GPU kernel
// for this input, and the work is at least the crossover measured on this machine (or set by the
// user). With backend 'gpu' every op that has a GPU kernel and fits goes to the GPU.
import type { Backend } from './backends/backend.js';
import { measureCrossover } from './backends/gpu/calibration.js';
import { GPU_OPS, GpuBackend, type GpuOp } from './backends/gpu/gpu-backend.js';
import { type GpuJsInstance, type GpuJsMode, isGpuMode, loadGpuJs, type GpuJsClass } from './backends/gpu/gpujs.js';
import type { BackendName, DType, GpuBackendName } from './types.js';

/** Every op an engine runs; explain() answers for each. */
export type EngineOp = GpuOp | 'infoNCELoss';

export interface GpuOptions {
  /** A gpu.js `GPU` instance to run on (any mode). Without it the engine imports gpu.js and picks its best GPU backend. */
  instance?: GpuJsInstance;
  /**
   * Work from which 'auto' sends an op to the GPU, instead of the crossover it would measure:
   * multiply-adds, n·dim for similarity and tripletLoss, n·m·dim for similarityMatrix. One number
   * for every op or one per op.
   */
  minWork?: number | Partial<Record<GpuOp, number>>;
  /** 'auto' never uses a software renderer (SwiftShader, llvmpipe, …) unless this is true. Default false. */
  allowSoftwareRenderer?: boolean;
}

/** What the engine found when it looked for a GPU. */
export interface GpuStatus {
  /** The gpu.js backend the GPU path runs on, or null when there is no GPU path. */
  backend: GpuBackendName | null;
  /** The GL renderer or WebGPU adapter, as the browser or driver names it. */
  renderer: string | null;
  /**
   * True for a known software renderer, which 'auto' does not use unless allowSoftwareRenderer;
   * null when the driver does not say (headless-gl) or gpu.js runs on the CPU.
   */
  software: boolean | null;
  /** Why 'auto' does or does not use this GPU. */
  reason: string;
}

/** The backend an op would run on, and why (see Engine.explain). */
export interface BackendChoice {
  backend: BackendName | GpuBackendName;
  device: 'cpu' | 'gpu';
  reason: string;
  /** Multiply-adds of the call (n·dim, n·m·dim, …). */
  work: number;
  /** The work from which 'auto' uses the GPU for this op; null when no GPU path applies. */
  crossover: number | null;
}

/** The shape explain() asks about: rows n, and for similarityMatrix columns m, for infoNCELoss k. */
export interface OpShape {
  /** n; for batchContrastiveLoss the loss rows (n for clip, 2n for ntxent, n or 2n for supcon). */
  rows: number;
  dim: number;
  columns?: number;
  k?: number;
  /** Default 'f32'. */
  dtype?: DType;
}

interface GpuDevice {
  backend: GpuBackend;
  mode: GpuJsMode;
  renderer: string | null;
  software: boolean | null;
}

/** Picks gpu.js's best GPU backend here; null when it has none (it would run kernels on the CPU). */
async function bestGpuMode(GPU: GpuJsClass): Promise<GpuJsMode | null> {
  if (GPU.isWebGPUAvailable && (await GPU.isWebGPUAvailable())) return 'webgpu';
  if (GPU.isHeadlessGLSupported) return 'headlessgl';
  if (GPU.isWebGL2Supported) return 'webgl2';
  if (GPU.isWebGLSupported) return 'webgl';
  return null;
}

async function openDevice(instance: GpuJsInstance | undefined): Promise<GpuDevice> {
  let gpu = instance;
  if (!gpu) {
    const GPU = await loadGpuJs();
    const mode = await bestGpuMode(GPU);
    if (mode === null) {
      throw new Error('gpu.js finds no GPU here (no WebGPU adapter, WebGL context or headless-gl); it would run its kernels on the CPU');
    }
    gpu = new GPU({ mode });
  }
  const backend = new GpuBackend(gpu);
  return { backend, ...(await backend.probe()) };
}

function describe(device: GpuDevice): string {
  return `gpujs-${device.mode}${device.renderer ? ` on ${device.renderer}` : ''}`;
}

export class BackendChooser {
  /** Ops that failed on the GPU in 'auto', and the error: they stay on the CPU. */
  private readonly failures = new Map<GpuOp, string>();

  private constructor(
    private readonly cpu: Backend,
    private readonly device: GpuDevice | null,
    /** Set when 'auto' must not use the device, and then why. */
    private readonly autoRefusal: string | null,
    /** Backend 'gpu': every op that can runs on the GPU, and its failures are the caller's. */
    readonly forced: boolean,
    private readonly crossovers: Map<GpuOp, { work: number; summary: string }>,
    /** Why the engine has no GPU path, when it has none. */
    private readonly missingReason: string,
  ) {}

  /**
   * Looks for the GPU as the request says: not at all for a CPU backend or gpu: false; for 'auto'
   * without failing (the reason is kept for explain()); for 'gpu' it must be there.
   */
  static async create(
    request: 'auto' | 'gpu' | 'cpu', cpu: Backend, options: GpuOptions | false | undefined,
  ): Promise<BackendChooser> {
    if (request === 'cpu' || options === false) {
      const why = options === false ? 'gpu: false was given' : `backend '${cpu.name}' was requested`;
      return new BackendChooser(cpu, null, null, false, new Map(), `${why}; the GPU is used only by 'auto' and 'gpu'`);
    }
    const settings = options ?? {};
    let device: GpuDevice;
    try {
      device = await openDevice(settings.instance);
    } catch (error) {
      if (request === 'gpu') throw new Error(`backend 'gpu' could not be initialised: ${(error as Error).message}`);
      return new BackendChooser(cpu, null, null, false, new Map(), (error as Error).message);
    }
    if (request === 'gpu') return new BackendChooser(cpu, device, null, true, new Map(), '');

    let refusal: string | null = null;
    if (!isGpuMode(device.mode)) refusal = `gpu.js runs on its '${device.mode}' backend, which is not a GPU`;
    else if (device.software && !settings.allowSoftwareRenderer) {
      refusal = `${describe(device)} is a software renderer (a GPU in name only); gpu.allowSoftwareRenderer: true lets 'auto' measure it`;
    }
    const crossovers = new Map<GpuOp, { work: number; summary: string }>();
    if (refusal === null) {
      for (const op of GPU_OPS) {
        const given = typeof settings.minWork === 'number' ? settings.minWork : settings.minWork?.[op];
        crossovers.set(op, given !== undefined
          ? { work: given, summary: 'set by gpu.minWork' }
          : await measureCrossover(op, cpu, device.backend));
      }
    }
    return new BackendChooser(cpu, device, refusal, false, crossovers, '');
  }

  get gpu(): GpuBackend | null {
    return this.device?.backend ?? null;
  }

  get status(): GpuStatus {
    const device = this.device;
    if (!device) return { backend: null, renderer: null, software: null, reason: this.missingReason };
    const neverFaster = [...this.crossovers.values()].every((crossover) => crossover.work === Infinity);
    const reason = this.forced
      ? `backend 'gpu': every op with a GPU kernel runs on ${describe(device)}`
      : this.autoRefusal ?? (neverFaster
        ? `${describe(device)} was slower than ${this.cpu.name} at every size measured, for every op: 'auto' does not use it`
        : `'auto' uses ${describe(device)} for ops from their crossovers (see explain())`);
    return { backend: `gpujs-${device.mode}`, renderer: device.renderer, software: device.software, reason };
  }

  /** The backend an async call of `op` on this shape runs on. */
  choose(op: EngineOp, shape: { rows: number; columns: number; dim: number; dtype: DType }): BackendChoice {
    const { rows, columns, dim, dtype } = shape;
    const isGpuOp = (GPU_OPS as readonly string[]).includes(op);
    const work = rows * columns * dim;
    const onCpu = (reason: string, crossover: number | null = null): BackendChoice =>
      ({ backend: this.cpu.name, device: 'cpu', reason, work, crossover });
    const device = this.device;
    if (!device) return onCpu(`no GPU path: ${this.missingReason}`);
    if (!isGpuOp) return onCpu(`${op} has no GPU kernel yet; it runs on ${this.cpu.name}`);
    if (dtype !== 'f32') return onCpu('f64 input is computed in f64 on the CPU (the GPU path is single precision)');
    const unfit = GpuBackend.unfitReason(op as GpuOp, rows, columns, dim);
    if (unfit) return onCpu(`${unfit}, so it runs on ${this.cpu.name}`);
    const onGpu = (reason: string, crossover: number | null): BackendChoice =>
      ({ backend: `gpujs-${device.mode}`, device: 'gpu', reason, work, crossover });
    if (this.forced) return onGpu(`backend 'gpu' was requested: ${describe(device)}`, null);
    if (this.autoRefusal) return onCpu(this.autoRefusal);
    const failure = this.failures.get(op as GpuOp);
    if (failure !== undefined) return onCpu(`${op} failed on the GPU (${failure}), so it stays on ${this.cpu.name}`);
    const crossover = this.crossovers.get(op as GpuOp)!;
    if (work >= crossover.work) {
      return onGpu(`work ${work} ≥ crossover ${crossover.work} (${crossover.summary})`, crossover.work);
    }
    if (crossover.work === Infinity) {
      return onCpu(`the GPU was slower than ${this.cpu.name} at every size measured (${crossover.summary})`, Infinity);
    }
    return onCpu(`work ${work} is below the crossover ${crossover.work} (${crossover.summary})`, crossover.work);
  }

  /** After a GPU failure in 'auto', the op stays on the CPU from then on; explain() says why. */
  disable(op: GpuOp, error: Error): void {
    this.failures.set(op, error.message);
  }
}
