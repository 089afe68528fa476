// Input checks for the façade. Wrong kinds of value throw TypeError, wrong sizes or values throw
// RangeError, and every message says what was expected and what was given.
import { isEngineBuffer } from './buffers.js';
import type { DType, FloatArray, Operand } from './types.js';

const ARRAY_NAMES: Record<DType, string> = { f32: 'Float32Array', f64: 'Float64Array' };

/** A short description of a value's kind for error messages: 'a Float64Array', 'undefined', … */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (isEngineBuffer(value)) return `an engine buffer of ${value.dtype}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name ?? 'Object';
    return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
  }
  return `a ${typeof value}`;
}

export interface OperandInfo {
  dtype: DType;
  length: number;
}

/** Accepts a Float32Array, a Float64Array or a live engine buffer. */
export function checkOperand(name: string, value: unknown): OperandInfo {
  if (value instanceof Float32Array) return { dtype: 'f32', length: value.length };
  if (value instanceof Float64Array) return { dtype: 'f64', length: value.length };
  if (isEngineBuffer(value)) {
    if (value.freed) throw new TypeError(`${name} is an engine buffer that has been freed`);
    return { dtype: value.dtype, length: value.length };
  }
  throw new TypeError(`${name} must be a Float32Array, a Float64Array or an engine buffer, got ${describeKind(value)}`);
}

/** Every array of one call has the same element type as the first one. */
export function checkDtype(name: string, info: OperandInfo, dtype: DType, firstName: string): void {
  if (info.dtype !== dtype) {
    throw new TypeError(
      `${name} holds ${ARRAY_NAMES[info.dtype]} elements but ${firstName} holds ${ARRAY_NAMES[dtype]} elements; ` +
        'use one float type for every array of a call',
    );
  }
}

export function checkLength(name: string, info: OperandInfo, expected: number, formula: string): void {
  if (info.length !== expected) {
    throw new RangeError(`${name} has ${info.length} elements, expected ${formula} = ${expected}`);
  }
}

/** An integer ≥ 1, such as dim or k. */
export function checkPositiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${describeKind(value)}`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  return value;
}

/** A number >= 0, Infinity included (a threshold that can mean "never"). */
export function checkNonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${describeKind(value)}`);
  if (!(value >= 0)) throw new RangeError(`${name} must be >= 0 (Infinity: never), got ${value}`);
  return value;
}

/** An integer >= 0 (a row count, say). */
export function checkCount(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${describeKind(value)}`);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be an integer >= 0, got ${value}`);
  return value;
}

export function checkDim(dim: unknown): number {
  return checkPositiveInteger('dim', dim);
}

/** The number of rows of a [n, dim] array; its length must be a multiple of dim. */
export function rowsOf(name: string, info: OperandInfo, dim: number): number {
  if (info.length % dim !== 0) {
    throw new RangeError(
      `${name} has ${info.length} elements, which is not a multiple of dim = ${dim} ` +
        `(expected n*dim for a whole number of rows n)`,
    );
  }
  return info.length / dim;
}

export function checkPositiveFinite(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${describeKind(value)}`);
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be finite and > 0, got ${value}`);
  return value;
}

export function checkFiniteNumber(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${describeKind(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be finite, got ${value}`);
  return value;
}

export function checkChoice<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    throw new RangeError(`${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${String(value)}`);
  }
  return value as T;
}

export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${describeKind(value)}`);
  return value;
}

/** Throws a RangeError naming the first NaN or ±Infinity of `values`. */
export function checkAllFinite(name: string, values: ArrayLike<number>, dim: number): void {
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k])) {
      const where = dim > 1 ? ` (row ${Math.floor(k / dim)}, column ${k % dim})` : '';
      throw new RangeError(`${name}[${k}]${where} is ${values[k]}; checkFinite requires finite inputs`);
    }
  }
}

interface MemoryRange {
  buffer: ArrayBufferLike;
  start: number;
  end: number;
}

function memoryRange(operand: Operand): MemoryRange {
  const array: FloatArray = isEngineBuffer(operand) ? operand.array : (operand as FloatArray);
  return { buffer: array.buffer, start: array.byteOffset, end: array.byteOffset + array.byteLength };
}

function overlaps(a: MemoryRange, b: MemoryRange): boolean {
  return a.buffer === b.buffer && a.start < b.end && b.start < a.end;
}

function sameRange(a: MemoryRange, b: MemoryRange): boolean {
  return a.buffer === b.buffer && a.start === b.start && a.end === b.end;
}

/**
 * Outputs must not share memory with each other. An output named in `inPlace` may be exactly one of
 * the inputs (an in-place update: kernels read each row before writing it) but may not partly
 * overlap one; any other output must not touch the inputs at all.
 */
export function checkNoOverlap(
  inputs: Record<string, Operand>,
  outputs: Record<string, Operand>,
  inPlace: readonly string[],
): void {
  const inputRanges = Object.entries(inputs).map(([name, op]) => [name, memoryRange(op)] as const);
  const outputRanges = Object.entries(outputs).map(([name, op]) => [name, memoryRange(op)] as const);
  outputRanges.forEach(([name, range], k) => {
    for (const [other, otherRange] of outputRanges.slice(k + 1)) {
      if (overlaps(range, otherRange)) throw new RangeError(`out.${name} and out.${other} share memory; give each output its own array`);
    }
    for (const [input, inputRange] of inputRanges) {
      if (!overlaps(range, inputRange)) continue;
      if (inPlace.includes(name) && sameRange(range, inputRange)) continue;
      throw new RangeError(
        inPlace.includes(name)
          ? `out.${name} partly overlaps ${input}; an output may be exactly an input (in place) but not overlap one`
          : `out.${name} shares memory with ${input}; give it its own array`,
      );
    }
  });
}
