// Extra summary columns an op can ask for, each { header, value(row, rows, shape) → string }, where
// `row` is one measured case ({ name, kind, copies, backend, ms }) and `rows` all cases of its size.
// Cells of rows a column does not apply to are blank.
import { MEMCPY } from './engine-cases.mjs';

/** Speed against memcpy of the bytes the case moves (plain arrays: in and out; zero-copy: once). */
export const memcpyColumn = {
  header: '% of memcpy speed',
  value(row, rows) {
    const anchor = row.kind === 'engine' && rows.find((other) => other.name === MEMCPY[row.copies]);
    return anchor ? `${Math.round((100 * anchor.ms) / row.ms)}%` : '';
  },
};

/** GFLOP/s of a matrix product of `flops(shape)` floating-point operations. */
export function gflopsColumn(flops) {
  return {
    header: 'GFLOP/s',
    value: (row, rows, shape) => (row.kind === 'anchor' ? '' : (flops(shape) / row.ms / 1e6).toFixed(1)),
  };
}

/** The share of the f32x4 multiply-add peak (`peaks`: flavour → GFLOP/s) an engine case reaches. */
export function peakColumn(flops, peaks) {
  return {
    header: '% of f32x4 FMA peak',
    value(row, rows, shape) {
      const peak = row.kind === 'engine' && peaks.get(row.backend);
      return peak ? `${Math.round((100 * flops(shape)) / row.ms / 1e6 / peak)}%` : '';
    },
  };
}
