// The GPU path's checks: a fixed set of async calls, each compared with the float64 reference.
// Plain JavaScript with no test framework, so that the same checks run in Node (gpu.js's cpu,
// webasm and headlessgl backends) and in a browser page (WebGL2, WebGPU); the caller asserts on
// the report. The tolerance is 1e-4, norm-wise relative (max |error| / max |expected| per output),
// amplified by 1/σ below σ = 0.05 and by |s| above 1, as for the CPU backends at 1e-5.

/** A seeded generator of floats in [-1, 1), so a failure reproduces. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

function randomRows(length, random) {
  const array = new Float32Array(length);
  for (let i = 0; i < length; i++) array[i] = random();
  return array;
}

function maxAbs(values) {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m;
}

/** max |actual − expected| / max |expected|; Infinity for a NaN or a length mismatch. */
export function normwiseError(actual, expected) {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (Number.isNaN(diff)) return Infinity;
    worst = Math.max(worst, diff);
  }
  const scale = maxAbs(expected);
  return worst === 0 ? 0 : worst / (scale > 0 ? scale : 1);
}

export const GPU_TOLERANCE = 1e-4;

function limitFor(temperature, similarities) {
  return GPU_TOLERANCE * Math.max(1, (0.05 * Math.max(1, maxAbs(similarities))) / temperature);
}

/** Shapes: one row, dims that cross 4-wide vectors, and a dim above gpu.js's default loop cap of 1000. */
export const GPU_CHECK_SHAPES = [
  [1, 1], [3, 4], [7, 17], [33, 64], [5, 1030],
];

/**
 * Runs every check on `engine` (created with backend 'gpu' or 'auto') and returns one entry per
 * call: what was computed, on which backend, the worst error and the limit it is held to.
 */
export async function runGpuChecks(engine, reference, shapes = GPU_CHECK_SHAPES) {
  const report = [];
  const random = seeded(20261204);
  for (const similarity of ['cosine', 'dot', 'euclidean']) {
    for (const [rows, dim] of shapes) {
      const anchor = randomRows(rows * dim, random);
      const positive = randomRows(rows * dim, random);
      const negative = randomRows(rows * dim, random);
      const label = `${similarity} ${rows}×${dim}`;

      for (const options of [
        { temperature: 0.1 },
        { temperature: 0.05, reduction: 'none', gradOutput: Array.from({ length: rows }, (_, i) => 1 - i / rows) },
        { temperature: 1, reduction: 'sum', gradients: false },
      ]) {
        const call = { anchor, positive, negative, dim, similarity, ...options };
        const result = await engine.tripletLossAsync(call);
        const expected = reference.tripletLossReference(call);
        const errors = {
          loss: normwiseError([result.loss], [expected.loss]),
          losses: normwiseError(result.losses, expected.losses),
          similarityPositive: normwiseError(result.similarityPositive, expected.similarityPositive),
          similarityNegative: normwiseError(result.similarityNegative, expected.similarityNegative),
          gradTemperature: normwiseError([result.gradTemperature], [expected.gradTemperature]),
        };
        if (options.gradients !== false) {
          errors.gradAnchor = normwiseError(result.gradAnchor, expected.gradAnchor);
          errors.gradPositive = normwiseError(result.gradPositive, expected.gradPositive);
          errors.gradNegative = normwiseError(result.gradNegative, expected.gradNegative);
        } else if (result.gradAnchor !== null) {
          errors.gradAnchor = Infinity;
        }
        const limit = limitFor(options.temperature, [...expected.similarityPositive, ...expected.similarityNegative]);
        report.push({ op: 'tripletLoss', label: `${label} σ=${options.temperature}`, backend: result.backend, errors, limit });
      }

      const rowSimilarities = await engine.similarityAsync(anchor, positive, { dim, similarity });
      const expectedRows = Array.from({ length: rows }, (_, i) =>
        reference.rowSimilarity(anchor, i * dim, positive, i * dim, dim, similarity, 1e-8));
      report.push({
        op: 'similarity', label, backend: engine.explain('similarity', { rows, dim }).backend,
        errors: { similarity: normwiseError(rowSimilarities, expectedRows) }, limit: limitFor(1, expectedRows),
      });

      const columns = rows + 2;
      const other = randomRows(columns * dim, random);
      const matrix = await engine.similarityMatrixAsync(anchor, other, { dim, similarity });
      const expectedMatrix = reference.similarityMatrixReference(anchor, other, { dim, similarity });
      report.push({
        op: 'similarityMatrix', label: `${similarity} ${rows}×${columns}×${dim}`,
        backend: engine.explain('similarityMatrix', { rows, columns, dim }).backend,
        errors: { matrix: normwiseError(matrix, expectedMatrix) }, limit: limitFor(1, expectedMatrix),
      });
    }
  }

  // In-batch losses: every mode and similarity at two small shapes and both scalings; then one
  // shape per mode whose loops over the other side of the logit matrix cross gpu.js's default
  // loop cap of 1000 (clip n = 1001, ntxent 2n = 1040, supcon without b n = 1001).
  const batchCases = [];
  for (const mode of ['clip', 'ntxent', 'supcon']) {
    for (const similarity of ['cosine', 'dot', 'euclidean']) {
      batchCases.push([mode, similarity, 1, 3, { temperature: 0.1 }], [mode, similarity, 9, 17, { logitScale: 14.3 }]);
    }
  }
  batchCases.push(['clip', 'cosine', 1001, 4, { temperature: 0.07 }], ['ntxent', 'euclidean', 520, 4, { temperature: 0.5 }],
    ['supcon', 'dot', 1001, 4, { temperature: 1 }]);
  // Dominated rows: a = b = the identity, so each row's loss is log1p(3e^{−20}) ≈ 6e-9.
  batchCases.push(['clip', 'cosine', 4, 4, { temperature: 0.05 }, 'identity']);
  for (const [mode, similarity, n, dim, scaling, data] of batchCases) {
    const a = randomRows(n * dim, random);
    const b = randomRows(n * dim, random);
    if (data === 'identity') {
      a.fill(0);
      for (let i = 0; i < n; i++) a[i * dim + i] = 1;
      b.set(a);
    }
    const labels = Array.from({ length: n }, (_, i) => (i * 7) % 3);
    const call = {
      a, b: mode === 'supcon' && n !== 1 ? undefined : b, mode, dim, similarity, ...scaling,
      ...(mode === 'supcon' ? { labels } : {}),
      ...(n === 9 ? { reduction: 'none', gradOutput: Array.from({ length: mode === 'clip' || mode === 'supcon' ? n : 2 * n }, (_, i) => 1 + i / 10) } : {}),
    };
    const result = await engine.batchContrastiveLossAsync(call);
    const expected = reference.batchContrastiveReference(call);
    const gradScaling = 'temperature' in scaling ? 'gradTemperature' : 'gradLogitScale';
    const errors = {
      loss: normwiseError([result.loss], [expected.loss]),
      losses: normwiseError(result.losses, expected.losses),
      gradA: normwiseError(result.gradA, expected.gradA),
      [gradScaling]: normwiseError([result[gradScaling]], [expected[gradScaling]]),
    };
    if (call.b) errors.gradB = normwiseError(result.gradB, expected.gradB);
    const logitScale = 'temperature' in scaling ? 1 / scaling.temperature : scaling.logitScale;
    const rows = call.b ? [...a, ...b] : a;
    const similarities = reference.similarityMatrixReference(rows, rows, { dim, similarity });
    report.push({
      op: 'batchContrastiveLoss', label: `${mode} ${similarity} n=${n} dim=${dim}${data ? ` ${data}` : ''}`,
      backend: result.backend, errors, limit: limitFor(1 / logitScale, similarities),
    });
  }

  // Edge rows: a zero anchor (cosine's ε), identical rows (euclidean's 0 distance and 0 gradient),
  // and dominated rows, whose loss e^{−40} ≈ 4e-18 needs log1p, not log(1 + e).
  const dim = 6;
  const anchor = randomRows(4 * dim, random);
  const positive = randomRows(4 * dim, random);
  const negative = randomRows(4 * dim, random);
  anchor.fill(0, 0, dim);
  positive.set(anchor.subarray(dim, 2 * dim), dim);
  negative.set(anchor.subarray(2 * dim, 3 * dim), 2 * dim);
  for (const similarity of ['cosine', 'dot', 'euclidean']) {
    const call = { anchor, positive, negative, dim, similarity, reduction: 'none' };
    const result = await engine.tripletLossAsync(call);
    const expected = reference.tripletLossReference(call);
    report.push({
      op: 'tripletLoss', label: `${similarity} zero and identical rows`, backend: result.backend,
      errors: {
        losses: normwiseError(result.losses, expected.losses),
        gradAnchor: normwiseError(result.gradAnchor, expected.gradAnchor),
        gradPositive: normwiseError(result.gradPositive, expected.gradPositive),
        gradNegative: normwiseError(result.gradNegative, expected.gradNegative),
      },
      limit: limitFor(0.1, [...expected.similarityPositive, ...expected.similarityNegative]),
    });
  }
  const dominated = randomRows(3 * dim, random);
  const opposite = dominated.map((v) => -v);
  const call = { anchor: dominated, positive: dominated, negative: opposite, dim, temperature: 0.05, reduction: 'none' };
  const result = await engine.tripletLossAsync(call);
  const expected = reference.tripletLossReference(call);
  report.push({
    op: 'tripletLoss', label: 'cosine dominated rows (loss ≈ 4e-18)', backend: result.backend,
    errors: { losses: normwiseError(result.losses, expected.losses) }, limit: GPU_TOLERANCE,
  });
  return report;
}

/** The entries of a report that fail: an error above its limit, or a backend other than `backend`. */
export function failures(report, backend) {
  return report.filter((entry) =>
    entry.backend !== backend || Object.values(entry.errors).some((error) => !(error <= entry.limit)));
}

/** The worst error of a report per op, for a summary line. */
export function worstErrors(report) {
  const worst = {};
  for (const entry of report) {
    worst[entry.op] = Math.max(worst[entry.op] ?? 0, ...Object.values(entry.errors));
  }
  return worst;
}
