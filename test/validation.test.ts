// Bad input: a TypeError for the wrong kind of value, a RangeError for the wrong size or value,
// each with a message that says what was expected; and the engine stays correct afterwards.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type TripletLossOptions } from '../src/index.js';
import { tripletLossReference } from '../src/reference/index.js';
import { relativeError } from './helpers/compare.js';
import { makeTriplets } from './helpers/data.js';

const good = makeTriplets('f32', 4, 256, 3); // n = 4, dim = 256: 1024 elements per array
const base = {
  anchor: good.anchor as Float32Array, positive: good.positive as Float32Array, negative: good.negative as Float32Array, dim: 256,
};

type Case = [name: string, options: () => unknown, error: typeof TypeError | typeof RangeError, message: RegExp];

const cases: Case[] = [
  ['options not an object', () => 42, TypeError, /expects an options object, got a number/],
  ['anchor a plain Array', () => ({ ...base, anchor: Array.from(base.anchor as Float32Array) }), TypeError, /anchor must be a Float32Array, a Float64Array or an engine buffer, got an Array/],
  ['negative missing', () => ({ ...base, negative: undefined }), TypeError, /negative must be .* got undefined/],
  ['an Int32Array', () => ({ ...base, positive: new Int32Array(1024) }), TypeError, /positive must be .* got an Int32Array/],
  ['f32 mixed with f64', () => ({ ...base, positive: new Float64Array(1024) }), TypeError, /positive holds Float64Array elements but anchor holds Float32Array elements/],
  ['positive one element short', () => ({ ...base, positive: new Float32Array(1023) }), RangeError, /positive has 1023 elements, expected n\*dim = 1024/],
  ['negative one element long', () => ({ ...base, negative: new Float32Array(1025) }), RangeError, /negative has 1025 elements, expected n\*dim = 1024/],
  ['length not a multiple of dim', () => ({ ...base, dim: 300 }), RangeError, /anchor has 1024 elements, which is not a multiple of dim = 300/],
  ['dim 0', () => ({ ...base, dim: 0 }), RangeError, /dim must be an integer >= 1, got 0/],
  ['dim negative', () => ({ ...base, dim: -4 }), RangeError, /dim must be an integer >= 1, got -4/],
  ['dim fractional', () => ({ ...base, dim: 2.5 }), RangeError, /dim must be an integer >= 1, got 2.5/],
  ['dim NaN', () => ({ ...base, dim: NaN }), RangeError, /dim must be an integer >= 1, got NaN/],
  ['dim a string', () => ({ ...base, dim: '256' }), TypeError, /dim must be a number, got a string/],
  ['temperature 0', () => ({ ...base, temperature: 0 }), RangeError, /temperature must be finite and > 0, got 0/],
  ['temperature negative', () => ({ ...base, temperature: -0.1 }), RangeError, /temperature must be finite and > 0, got -0.1/],
  ['temperature Infinity', () => ({ ...base, temperature: Infinity }), RangeError, /temperature must be finite and > 0, got Infinity/],
  ['temperature NaN', () => ({ ...base, temperature: NaN }), RangeError, /temperature must be finite and > 0, got NaN/],
  ['eps 0', () => ({ ...base, eps: 0 }), RangeError, /eps must be finite and > 0, got 0/],
  ['unknown similarity', () => ({ ...base, similarity: 'cos' }), RangeError, /similarity must be one of 'cosine', 'dot', 'euclidean', got cos/],
  ['unknown reduction', () => ({ ...base, reduction: 'avg' }), RangeError, /reduction must be one of 'mean', 'sum', 'none', got avg/],
  ['gradOutput of the wrong length', () => ({ ...base, reduction: 'none', gradOutput: new Float32Array(3) }), RangeError, /gradOutput has 3 values, expected n = 4/],
  ['gradOutput array with mean', () => ({ ...base, gradOutput: [1, 1, 1, 1] }), RangeError, /gradOutput has 4 values but reduction 'mean' gives one loss/],
  ['gradOutput a string', () => ({ ...base, gradOutput: '1' }), TypeError, /gradOutput must be a number or an array of numbers, got a string/],
  ['gradOutput NaN', () => ({ ...base, gradOutput: NaN }), RangeError, /gradOutput must be finite, got NaN/],
  ['gradients not a boolean', () => ({ ...base, gradients: 1 }), TypeError, /gradients must be a boolean, got a number/],
  ['out not an object', () => ({ ...base, out: 'grads' }), TypeError, /out must be an object, got a string/],
  ['out.gradAnchor not a float array', () => ({ ...base, out: { gradAnchor: [0, 0] } }), TypeError, /out.gradAnchor must be a Float32Array, a Float64Array or an engine buffer, got an Array/],
  ['out.gradAnchor of the wrong length', () => ({ ...base, out: { gradAnchor: new Float32Array(1000) } }), RangeError, /out.gradAnchor has 1000 elements, expected n\*dim = 1024/],
  ['out.losses of the wrong length', () => ({ ...base, out: { losses: new Float32Array(5) } }), RangeError, /out.losses has 5 elements, expected n = 4/],
  ['out of the other float type', () => ({ ...base, out: { losses: new Float64Array(4) } }), TypeError, /out.losses holds Float64Array elements but anchor holds Float32Array elements/],
  ['two outputs sharing memory', () => {
    const shared = new Float32Array(2048);
    return { ...base, out: { gradAnchor: shared.subarray(0, 1024), gradPositive: shared.subarray(512, 1536) } };
  }, RangeError, /out.gradAnchor and out.gradPositive share memory/],
  ['an output partly overlapping an input', () => {
    const shared = new Float32Array(2048);
    return { ...base, anchor: shared.subarray(0, 1024), out: { gradAnchor: shared.subarray(4, 1028) } };
  }, RangeError, /out.gradAnchor partly overlaps anchor/],
  ['losses written over an input', () => ({ ...base, out: { losses: (base.anchor as Float32Array).subarray(0, 4) } }), RangeError, /out.losses shares memory with anchor/],
  ['checkFinite with a NaN', () => {
    const negative = (base.negative as Float32Array).slice();
    negative[256 + 2] = NaN;
    return { ...base, negative, checkFinite: true };
  }, RangeError, /negative\[258\] \(row 1, column 2\) is NaN/],
  ['checkFinite with an Infinity in gradOutput', () => ({ ...base, reduction: 'none', gradOutput: [1, Infinity, 1, 1], checkFinite: true }), RangeError, /gradOutput\[1\] is Infinity/],
];

describe.each(['wasm', 'js'] as const)('validation (%s)', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ backend });
  });

  it.each(cases)('%s', (_name, options, error, message) => {
    const call = () => engine.tripletLoss(options() as TripletLossOptions<Float32Array>);
    expect(call).toThrow(error);
    expect(call).toThrow(message);
    // The engine is still correct after the error.
    const result = engine.tripletLoss(base);
    const reference = tripletLossReference(base);
    expect(relativeError(result.gradAnchor!, reference.gradAnchor)).toBeLessThan(1e-5);
    expect(Math.abs(result.loss - reference.loss) / reference.loss).toBeLessThan(1e-5);
  });

  it('a freed engine buffer is refused', () => {
    const buffer = engine.allocate(1024);
    buffer.free();
    expect(() => engine.tripletLoss({ ...base, anchor: buffer })).toThrow(/anchor is an engine buffer that has been freed/);
    expect(() => buffer.array).toThrow(TypeError);
  });

  it('similarity() validates its inputs the same way', () => {
    expect(() => engine.similarity(base.anchor, new Float32Array(1000), { dim: 256 })).toThrow(/b has 1000 elements, expected n\*dim = 1024/);
    expect(() => engine.similarity(base.anchor, base.positive, { dim: 256, out: new Float32Array(3) })).toThrow(RangeError);
    expect(() => engine.similarity(base.anchor, base.positive, { dim: 256, similarity: 'l2' as never })).toThrow(RangeError);
    expect(() => engine.similarity([1, 2] as never, base.positive, { dim: 256 })).toThrow(TypeError);
  });

  it('allocate() validates length and dtype', () => {
    expect(() => engine.allocate(-1)).toThrow(RangeError);
    expect(() => engine.allocate(1.5)).toThrow(RangeError);
    expect(() => engine.allocate(4, 'f16' as never)).toThrow(/dtype must be one of 'f32', 'f64', got f16/);
    const buffer = engine.allocate(4, 'f64');
    expect(buffer.array).toBeInstanceOf(Float64Array);
    expect(Array.from(buffer.array)).toEqual([0, 0, 0, 0]);
    buffer.free();
  });
});

describe('createEngine', () => {
  it('rejects an unknown backend with the list of choices', async () => {
    await expect(createEngine({ backend: 'cuda' as never })).rejects.toThrow(RangeError);
    await expect(createEngine({ backend: 'cuda' as never })).rejects.toThrow(/backend must be one of 'auto', 'wasm', 'wasm-relaxed-simd', .*'js', 'gpu'/);
  });

  it('checks the gpu options', async () => {
    await expect(createEngine({ gpu: 'webgl' as never })).rejects.toThrow(/gpu must be an options object or false, got a string/);
    await expect(createEngine({ gpu: { instance: {} as never } })).rejects.toThrow(/gpu.instance must be a gpu.js GPU instance/);
    await expect(createEngine({ gpu: { minWork: -1 } })).rejects.toThrow(RangeError);
    await expect(createEngine({ gpu: { minWork: { tripletLos: 5 } as never } })).rejects.toThrow(/gpu.minWork key must be one of/);
    await expect(createEngine({ gpu: { minWork: { tripletLoss: Number.NaN } } })).rejects.toThrow(/gpu.minWork.tripletLoss must be >= 0/);
    await expect(createEngine({ gpu: { allowSoftwareRenderer: 1 as never } })).rejects.toThrow(TypeError);
  });

  it('explain() checks the op and the shape', async () => {
    const engine = await createEngine({ gpu: false });
    expect(() => engine.explain('matmul' as never, { rows: 1, dim: 1 })).toThrow(
      "op must be one of 'similarity', 'similarityMatrix', 'tripletLoss', 'batchContrastiveLoss', 'infoNCELoss', got matmul",
    );
    expect(() => engine.explain('similarityMatrix', { rows: 4, dim: 8 })).toThrow(/shape.columns must be a number/);
    expect(() => engine.explain('infoNCELoss', { rows: 4, dim: 8, k: 1.5 })).toThrow(/shape.k must be an integer >= 0/);
    expect(() => engine.explain('tripletLoss', { rows: -1, dim: 8 })).toThrow(RangeError);
    expect(engine.explain('infoNCELoss', { rows: 4, dim: 8, k: 3 })).toMatchObject({ device: 'cpu', work: 4 * 4 * 8 });
    expect(engine.explain('tripletLoss', { rows: 4, dim: 8 }).reason).toMatch(/gpu: false was given/);
  });
});
