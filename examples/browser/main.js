// The browser example: the triplet contrastive loss with all its gradients on a random batch,
// checked against the float64 reference, the result shown on the page. Loaded unbundled by
// index.html (an import map names the package) and bundled by Vite (../vite-app); the
// WebAssembly is inlined in the package, so neither needs any loader configuration.
// Tests read window.__result.
import { createEngine } from 'contrastive-loss';
import { tripletLossReference } from 'contrastive-loss/reference';

const ROWS = 64;
const DIM = 48;

/** A seeded batch, so that every run checks the same numbers. */
function randomRows(length, seed) {
  let state = seed;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

function relativeError(actual, expected) {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / scale;
}

async function run() {
  const engine = await createEngine();
  const batch = { anchor: randomRows(ROWS * DIM, 1), positive: randomRows(ROWS * DIM, 2), negative: randomRows(ROWS * DIM, 3), dim: DIM };
  const result = engine.tripletLoss({ ...batch, temperature: 0.1 });
  const reference = tripletLossReference({ ...batch, temperature: 0.1 });
  const errors = {
    loss: Math.abs(result.loss - reference.loss) / reference.loss,
    losses: relativeError(result.losses, reference.losses),
    gradAnchor: relativeError(result.gradAnchor, reference.gradAnchor),
    gradPositive: relativeError(result.gradPositive, reference.gradPositive),
    gradNegative: relativeError(result.gradNegative, reference.gradNegative),
    gradTemperature: Math.abs(result.gradTemperature - reference.gradTemperature) / Math.abs(reference.gradTemperature),
  };
  return { backend: result.backend, loss: result.loss, errors };
}

const output = document.querySelector('#result');
run().then(
  (result) => {
    output.textContent = `L_c = ${result.loss.toFixed(6)} on ${result.backend}\nerrors against the float64 reference:\n` +
      Object.entries(result.errors).map(([name, error]) => `  ${name}: ${error.toExponential(2)}`).join('\n');
    window.__result = result;
  },
  (error) => {
    output.textContent = String(error);
    window.__result = { error: String(error?.stack ?? error) };
  },
);
