// Engine-owned arrays (EngineBuffer) and the helpers every backend uses to read an Operand.
import type { DType, EngineBuffer, FloatArray, Operand } from './types.js';

/** Base class of every EngineBuffer, so that the façade can tell buffers from other objects. */
export abstract class BufferHandle<A extends FloatArray = FloatArray> implements EngineBuffer<A> {
  private released = false;

  constructor(readonly dtype: DType, readonly length: number) {}

  get freed(): boolean {
    return this.released;
  }

  get array(): A {
    if (this.released) throw new TypeError('this engine buffer has been freed');
    return this.view();
  }

  free(): void {
    if (this.released) return;
    this.released = true;
    this.release();
  }

  protected abstract view(): A;
  protected abstract release(): void;
}

/** A buffer of an engine without its own memory (the 'js' backend): a plain typed array. */
export class HostBuffer<A extends FloatArray = FloatArray> extends BufferHandle<A> {
  private data: A | null;

  constructor(dtype: DType, length: number) {
    super(dtype, length);
    this.data = (dtype === 'f32' ? new Float32Array(length) : new Float64Array(length)) as A;
  }

  protected view(): A {
    return this.data as A;
  }

  protected release(): void {
    this.data = null;
  }
}

export function isEngineBuffer(value: unknown): value is BufferHandle {
  return value instanceof BufferHandle;
}

/** The elements of an operand as a typed array (a live view for buffers). */
export function operandArray<A extends FloatArray>(operand: Operand<A>): A {
  return isEngineBuffer(operand) ? (operand.array as A) : (operand as A);
}

export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float32Array ? 'f32' : 'f64';
}

export function newArray(dtype: DType, length: number): FloatArray {
  return dtype === 'f32' ? new Float32Array(length) : new Float64Array(length);
}
