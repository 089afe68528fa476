// Turns measured suites into tables: one row per case with its median time, ops/s (1 / median),
// its speed against the fastest peer of the same suite and the op's own columns; printed after each
// suite and written, one table per op, to the markdown summary.
import { TOLERANCE } from './config.mjs';
import { agrees } from './run-suite.mjs';

/** The fastest peer of one size's measured cases (null when the op has no peer at that size). */
export function bestPeer(rows) {
  return rows.filter((row) => row.kind === 'peer').reduce((best, row) => (best === null || row.ms < best.ms ? row : best), null);
}

/** Table rows (column header → cell) for one op at one size. */
export function tableRows(op, { shape, rows }) {
  const best = bestPeer(rows);
  return rows.map((row) => ({
    case: row.name,
    median: formatTime(row.ms),
    'ops/s': formatCount(1e3 / row.ms),
    '× best peer': best && row.kind !== 'anchor' ? `${(best.ms / row.ms).toPrecision(3)}×` : '',
    ...Object.fromEntries(op.columns.map((column) => [column.header, column.value(row, rows, shape)])),
  }));
}

/** The markdown summary of a whole run: `sections` is [{ op, sizes: [{ size, label, shape, rows, notes }] }]. */
export function markdownSummary(sections, run) {
  return [
    '# Benchmark summary',
    '',
    `Written by \`bench/suite.mjs\` (\`npm run bench\`) on ${run.date.slice(0, 10)}: Node ${run.node}, ${run.cpu} (${run.cores} cores), `
      + `backends ${run.backends.join(', ')}; ${run.rounds} interleaved round${run.rounds === 1 ? '' : 's'} per suite, the suite took ${run.minutes.toFixed(1)} minutes.`,
    '',
    'Each op at each size is one benny suite: every case runs in the same process, in turn, once per round, each round '
      + 'starting at a different case. *median* is the median across rounds of benny\'s per-round median time per call; '
      + '*ops/s* is 1 / median; *× best peer* is the fastest peer\'s median divided by the case\'s (above 1×: faster than every peer). '
      + 'Compare cases within a table; times from different runs or machines are not comparable. '
      + 'Engine cases write caller-owned outputs; *zero-copy* cases read and write engine buffers. '
      + 'Benny\'s own results (the last round, with samples) are in `bench/results/<op>-<size>.json` and `.chart.html`.',
    ...run.notes.map((note) => `\n${note}`),
    ...sections.flatMap(({ op, sizes }) => opSection(op, sizes)),
    '',
  ].join('\n');
}

function opSection(op, sizes) {
  const headers = ['size', ...Object.keys(tableRows(op, sizes[0])[0])];
  const lines = ['', `## ${op.op}`, '', `${op.about}. ${op.peers}.`, '', `| ${headers.join(' | ')} |`, `| --- | --- | ${headers.slice(2).map(() => '---:').join(' | ')} |`];
  for (const size of sizes) {
    tableRows(op, size).forEach((cells, k) => {
      const sizeCell = k === 0 ? `${size.size} ${size.label}` : '';
      lines.push(`| ${[sizeCell, ...Object.values(cells)].join(' | ')} |`);
    });
  }
  lines.push('', ...sizeNotes(sizes), agreementNote(sizes, op.compared));
  return lines;
}

function sizeNotes(sizes) {
  return sizes.map((size) => {
    const best = bestPeer(size.rows);
    const parts = [best ? `best peer ${best.name}` : 'no peer', ...size.notes];
    return `- ${size.size}: ${parts.join('; ')}.`;
  });
}

/** Whether every case's `compared` outputs (null: the op's one output) matched the first case's. */
function agreementNote(sizes, compared) {
  const checked = sizes.flatMap((size) => size.rows.filter((row) => row.error !== null).map((row) => ({ ...row, size: size.size })));
  const worst = checked.reduce((a, b) => (b.error > a.error ? b : a));
  const failed = checked.filter((row) => !agrees(row));
  const outputs = compared ? `outputs (${compared.join(', ')})` : 'output';
  const reference = `the first case's (${sizes[0].rows[0].name})`;
  const tolerance = TOLERANCE.toExponential(0);
  return failed.length === 0
    ? `- Every case's ${outputs} ${compared ? 'agree' : 'agrees'} with ${reference} within ${tolerance} of the largest |value| (worst ${worst.error.toExponential(1)}: ${worst.name} at ${worst.size}).`
    : `- **Cases whose ${outputs} differ from ${reference} beyond ${tolerance}:** ${failed.map((row) => `${row.name} at ${row.size} (${row.error.toExponential(1)})`).join(', ')}.`;
}

export function formatTime(ms) {
  if (ms >= 1e3) return `${(ms / 1e3).toPrecision(3)} s`;
  if (ms >= 1) return `${ms.toPrecision(3)} ms`;
  return `${(ms * 1e3).toPrecision(3)} µs`;
}

function formatCount(value) {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}
