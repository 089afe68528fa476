// `npm start`: learns an embedding of handwritten digits with the triplet contrastive loss.
//
// A small encoder (784 pixels → 128 ReLU units → 32-d embedding, plain JavaScript matrix code)
// is trained on real MNIST digits (the `mnist` package) with L_c = softplus((s⁻ − s⁺)/σ), cosine
// similarity, σ = 0.1, computed with its gradients by `engine.tripletLoss`. Each triplet is an
// anchor digit, another image of the same digit (positive) and a semi-hard image of a different
// digit (negative: of a few random candidates, the most similar one that is still less similar
// than the positive). The loss gradients with respect to the three embeddings are
// back-propagated through the one shared encoder by hand and applied with Adam.
//
// Before and after training it measures recall@1 of nearest-neighbour retrieval on held-out
// digits (never trained on): for each one, is the most cosine-similar other held-out digit
// (`engine.similarityMatrix`) of the same class? It prints the backend, the time spent inside
// the loss calls, and writes out/demo.svg: the loss curve and a PCA projection of the held-out
// embeddings coloured by digit. The last line is machine-readable: `RESULT {json}`.
//
// Everything random (the train/test split, initialisation, sampling) comes from one seeded
// generator, so every run prints the same numbers for the same backend.
//
// Environment knobs (the test's quick run, a few seconds: DEMO_TRAIN=3000 DEMO_TEST=300 DEMO_EPOCHS=2):
//   DEMO_TRAIN   training images, ≥ 128 (one batch), drawn from what the held-out set leaves
//                (default 9000, all of them)
//   DEMO_TEST    held-out images, DEMO_TEST / 10 of each digit, ≥ 20 (default 1000)
//   DEMO_EPOCHS  passes over the training images, each one an anchor once per pass (default 4)
//   DEMO_OUT     directory for demo.svg (default out/ at the package root)
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from 'contrastive-loss';

const mnist = createRequire(import.meta.url)('mnist');

const PIXELS = 28 * 28;
const HIDDEN = 128;
const EMBED = 32;
const BATCH = 128;           // triplets per step
const CANDIDATES = 4;        // random negatives per anchor, of which mining keeps one
const TEMPERATURE = 0.1;     // σ
const LEARNING_RATE = 1e-3;  // Adam
const SEED = 2026;

const startTime = performance.now();
const config = {
  train: envInt('DEMO_TRAIN', 9000),
  test: envInt('DEMO_TEST', 1000),
  epochs: envInt('DEMO_EPOCHS', 4),
  outDir: process.env.DEMO_OUT || fileURLToPath(new URL('../out/', import.meta.url)),
};

/** A positive integer from the environment, or the fallback when unset. */
function envInt(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got '${text}'`);
  return value;
}

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller). */
function gaussian(random) {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function randomInt(random, n) {
  return Math.floor(random() * n);
}

/** Fisher–Yates, in place. */
function shuffle(array, random) {
  for (let i = array.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    [array[i], array[j]] = [array[j], array[i]];
  }
  return array;
}

// ---------------------------------------------------------------------------------------------
// Data

/** Images `[n, 784]` and their labels, from a list of { digit, index } into the mnist package. */
function digitSet(samples) {
  const pixels = new Float32Array(samples.length * PIXELS);
  const labels = new Uint8Array(samples.length);
  samples.forEach(({ digit, index }, row) => {
    pixels.set(mnist[digit].get(index), row * PIXELS);
    labels[row] = digit;
  });
  const byDigit = Array.from({ length: 10 }, () => []);
  labels.forEach((digit, row) => byDigit[digit].push(row));
  return { pixels, labels, byDigit, count: samples.length };
}

/**
 * A seeded split of the package's 10,000 digits: `testCount / 10` of each digit held out, and
 * `trainCount` of the rest (in their natural class proportions) to train on.
 */
function loadSplit(random, trainCount, testCount) {
  const perDigit = Math.floor(testCount / 10);
  const test = [];
  const pool = [];
  for (let digit = 0; digit < 10; digit++) {
    const order = shuffle(Array.from({ length: mnist[digit].length }, (_, i) => i), random);
    order.forEach((index, k) => (k < perDigit ? test : pool).push({ digit, index }));
  }
  return { train: digitSet(shuffle(pool, random).slice(0, trainCount)), test: digitSet(test) };
}

// ---------------------------------------------------------------------------------------------
// The encoder: e = W2ᵀ relu(W1ᵀ x + b1) + b2, with W1 [784, HIDDEN] and W2 [HIDDEN, EMBED]
// stored row-major, so that one input pixel (one hidden unit) owns one contiguous row.

function createEncoder(random) {
  const matrix = (rows, cols, scale) => Float32Array.from({ length: rows * cols }, () => scale * gaussian(random));
  return {
    W1: matrix(PIXELS, HIDDEN, Math.sqrt(2 / PIXELS)), // He initialisation for the ReLU layer
    b1: new Float32Array(HIDDEN),
    W2: matrix(HIDDEN, EMBED, Math.sqrt(1 / HIDDEN)),
    b2: new Float32Array(EMBED),
  };
}

function zerosLike(model) {
  return Object.fromEntries(Object.entries(model).map(([name, p]) => [name, new Float32Array(p.length)]));
}

/**
 * Embeds images `ids[0 … count−1]`: writes row r of `hidden` (the ReLU outputs, kept for the
 * backward pass) and of `embedding`. Most MNIST pixels are 0, and the loop skips them: with W1
 * stored by input pixel, the first layer is a sum of rows of W1 for the inked pixels only.
 */
function encodeRows(model, pixels, ids, count, hidden, embedding) {
  const { W1, b1, W2, b2 } = model;
  for (let r = 0; r < count; r++) {
    const x = ids[r] * PIXELS;
    const h = r * HIDDEN;
    const e = r * EMBED;
    hidden.set(b1, h);
    for (let k = 0; k < PIXELS; k++) {
      const value = pixels[x + k];
      if (value === 0) continue;
      const w = k * HIDDEN;
      for (let j = 0; j < HIDDEN; j++) hidden[h + j] += value * W1[w + j];
    }
    for (let j = 0; j < HIDDEN; j++) if (hidden[h + j] < 0) hidden[h + j] = 0;
    embedding.set(b2, e);
    for (let j = 0; j < HIDDEN; j++) {
      const value = hidden[h + j];
      if (value === 0) continue;
      const w = j * EMBED;
      for (let o = 0; o < EMBED; o++) embedding[e + o] += value * W2[w + o];
    }
  }
}

/**
 * Adds to `grads` the parameter gradients of the rows embedded by `encodeRows`, given
 * g = ∂L/∂e for each row (`gradEmbedding`, here from `tripletLoss`). With a = W1ᵀx + b1,
 * h = relu(a) and e = W2ᵀh + b2, the chain rule gives, per row:
 *   ∂L/∂W2[j, o] += h_j g_o       ∂L/∂b2 += g
 *   ∂L/∂h_j = Σ_o W2[j, o] g_o    ∂L/∂a_j = ∂L/∂h_j where h_j > 0, else 0 (the ReLU gate)
 *   ∂L/∂W1[k, j] += x_k ∂L/∂a_j   ∂L/∂b1 += ∂L/∂a
 * W1's update again touches only the rows of inked pixels (x_k ≠ 0).
 * `gradHidden` is a scratch row of HIDDEN floats.
 */
function backpropRows(model, grads, pixels, ids, count, hidden, gradEmbedding, gradHidden) {
  const { W2 } = model;
  for (let r = 0; r < count; r++) {
    const x = ids[r] * PIXELS;
    const h = r * HIDDEN;
    const g = r * EMBED;
    for (let o = 0; o < EMBED; o++) grads.b2[o] += gradEmbedding[g + o];
    for (let j = 0; j < HIDDEN; j++) {
      const active = hidden[h + j];
      if (active === 0) {
        gradHidden[j] = 0; // ReLU gate closed: no gradient to W2's row j nor below
        continue;
      }
      const w = j * EMBED;
      let sum = 0;
      for (let o = 0; o < EMBED; o++) {
        const go = gradEmbedding[g + o];
        grads.W2[w + o] += active * go;
        sum += W2[w + o] * go;
      }
      gradHidden[j] = sum;
    }
    for (let j = 0; j < HIDDEN; j++) grads.b1[j] += gradHidden[j];
    for (let k = 0; k < PIXELS; k++) {
      const value = pixels[x + k];
      if (value === 0) continue;
      const w = k * HIDDEN;
      for (let j = 0; j < HIDDEN; j++) grads.W1[w + j] += value * gradHidden[j];
    }
  }
}

/** Adam (Kingma & Ba) over every parameter array of the model; `step(grads)` updates in place. */
function createAdam(model, learningRate, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8) {
  const names = Object.keys(model);
  const m = zerosLike(model);
  const v = zerosLike(model);
  let t = 0;
  return (grads) => {
    t += 1;
    // The bias corrections of m and v folded into one step size.
    const stepSize = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    for (const name of names) {
      const p = model[name], g = grads[name], mp = m[name], vp = v[name];
      for (let i = 0; i < p.length; i++) {
        mp[i] = beta1 * mp[i] + (1 - beta1) * g[i];
        vp[i] = beta2 * vp[i] + (1 - beta2) * g[i] * g[i];
        p[i] -= (stepSize * mp[i]) / (Math.sqrt(vp[i]) + epsilon);
      }
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Training

/** Every buffer one step touches, allocated once. */
function createBatchBuffers() {
  const rows = (n, width) => new Float32Array(n * width);
  const lossOut = {
    losses: rows(BATCH, 1), similarityPositive: rows(BATCH, 1), similarityNegative: rows(BATCH, 1),
    gradAnchor: rows(BATCH, EMBED), gradPositive: rows(BATCH, EMBED), gradNegative: rows(BATCH, EMBED),
  };
  return {
    anchorIds: new Int32Array(BATCH), positiveIds: new Int32Array(BATCH), negativeIds: new Int32Array(BATCH),
    candidateIds: new Int32Array(BATCH * CANDIDATES),
    anchorHidden: rows(BATCH, HIDDEN), positiveHidden: rows(BATCH, HIDDEN), negativeHidden: rows(BATCH, HIDDEN),
    candidateHidden: rows(BATCH * CANDIDATES, HIDDEN),
    anchor: rows(BATCH, EMBED), positive: rows(BATCH, EMBED), negative: rows(BATCH, EMBED),
    candidate: rows(BATCH * CANDIDATES, EMBED), anchorRepeated: rows(BATCH * CANDIDATES, EMBED),
    similarityPositive: rows(BATCH, 1), similarityCandidate: rows(BATCH * CANDIDATES, 1),
    gradHidden: rows(1, HIDDEN), lossOut,
  };
}

/** Fills the batch's ids: each anchor gets a random other image of its digit and random candidates of other digits. */
function sampleTriplets(train, order, offset, random, b) {
  for (let i = 0; i < BATCH; i++) {
    const anchor = order[offset + i];
    const digit = train.labels[anchor];
    const same = train.byDigit[digit];
    let positive;
    do positive = same[randomInt(random, same.length)]; while (positive === anchor);
    b.anchorIds[i] = anchor;
    b.positiveIds[i] = positive;
    for (let c = 0; c < CANDIDATES; c++) {
      const other = (digit + 1 + randomInt(random, 9)) % 10;
      const pool = train.byDigit[other];
      b.candidateIds[i * CANDIDATES + c] = pool[randomInt(random, pool.length)];
    }
  }
}

/**
 * Semi-hard mining: for anchor i, the candidate with the largest s⁻ that is still below s⁺ (a
 * negative the loss can learn from without chasing outliers); if every candidate is already
 * closer than the positive, the least similar one. Copies its id, hidden row and embedding
 * into the negative buffers.
 */
function mineNegatives(engine, b) {
  for (let c = 0; c < BATCH * CANDIDATES; c++) copyRow(b.anchor, Math.floor(c / CANDIDATES), b.anchorRepeated, c, EMBED);
  engine.similarity(b.anchor, b.positive, { dim: EMBED, out: b.similarityPositive });
  engine.similarity(b.anchorRepeated, b.candidate, { dim: EMBED, out: b.similarityCandidate });
  for (let i = 0; i < BATCH; i++) {
    let semiHard = -1;
    let easiest = -1;
    for (let c = i * CANDIDATES; c < (i + 1) * CANDIDATES; c++) {
      const s = b.similarityCandidate[c];
      if (s < b.similarityPositive[i] && (semiHard < 0 || s > b.similarityCandidate[semiHard])) semiHard = c;
      if (easiest < 0 || s < b.similarityCandidate[easiest]) easiest = c;
    }
    const chosen = semiHard >= 0 ? semiHard : easiest;
    b.negativeIds[i] = b.candidateIds[chosen];
    copyRow(b.candidateHidden, chosen, b.negativeHidden, i, HIDDEN);
    copyRow(b.candidate, chosen, b.negative, i, EMBED);
  }
}

/** Copies row `from` of `source` to row `to` of `target`, rows of `width` (without allocating a view). */
function copyRow(source, from, target, to, width) {
  for (let k = 0; k < width; k++) target[to * width + k] = source[from * width + k];
}

/** Trains `model` for config.epochs; returns the loss of every step and the seconds spent in tripletLoss. */
function train(engine, model, data, random, onStep) {
  const stepsPerEpoch = Math.floor(data.count / BATCH);
  const totalSteps = stepsPerEpoch * config.epochs;
  const b = createBatchBuffers();
  const grads = zerosLike(model);
  const gradArrays = Object.values(grads);
  const adamStep = createAdam(model, LEARNING_RATE);
  const order = Int32Array.from({ length: data.count }, (_, i) => i);
  const lossOptions = {
    anchor: b.anchor, positive: b.positive, negative: b.negative, dim: EMBED,
    temperature: TEMPERATURE, similarity: 'cosine', out: b.lossOut,
  };
  const stepLosses = new Float32Array(totalSteps);
  let lossSeconds = 0;
  for (let step = 0; step < totalSteps; step++) {
    const offset = (step % stepsPerEpoch) * BATCH;
    if (offset === 0) shuffle(order, random);
    sampleTriplets(data, order, offset, random, b);
    encodeRows(model, data.pixels, b.anchorIds, BATCH, b.anchorHidden, b.anchor);
    encodeRows(model, data.pixels, b.positiveIds, BATCH, b.positiveHidden, b.positive);
    encodeRows(model, data.pixels, b.candidateIds, BATCH * CANDIDATES, b.candidateHidden, b.candidate);
    mineNegatives(engine, b);

    const start = performance.now();
    const { loss } = engine.tripletLoss(lossOptions); // mean L_c; ∂L/∂(each embedding) into b.lossOut
    lossSeconds += (performance.now() - start) / 1000;
    stepLosses[step] = loss;

    // The one encoder produced all three embeddings: its gradient is the sum over the three roles.
    for (const g of gradArrays) g.fill(0);
    backpropRows(model, grads, data.pixels, b.anchorIds, BATCH, b.anchorHidden, b.lossOut.gradAnchor, b.gradHidden);
    backpropRows(model, grads, data.pixels, b.positiveIds, BATCH, b.positiveHidden, b.lossOut.gradPositive, b.gradHidden);
    backpropRows(model, grads, data.pixels, b.negativeIds, BATCH, b.negativeHidden, b.lossOut.gradNegative, b.gradHidden);
    adamStep(grads);
    onStep(step + 1, totalSteps, loss);
  }
  return { stepLosses, lossSeconds };
}

/**
 * A progress bar with the running loss (an exponential moving average of the step losses, with
 * Adam's bias correction so that it starts at the first losses instead of at 0): one redrawn line
 * on a terminal, a line per 10% otherwise.
 */
function createProgress() {
  const tty = process.stdout.isTTY;
  const decay = 0.9;
  let average = 0;
  let lastTenth = 0;
  return (step, total, loss) => {
    average = decay * average + (1 - decay) * loss;
    const running = average / (1 - decay ** step);
    const fraction = step / total;
    const status = `step ${String(step).padStart(String(total).length)}/${total}  loss ${running.toFixed(4)}`;
    if (tty) {
      const filled = Math.round(fraction * 30);
      process.stdout.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${(100 * fraction).toFixed(0).padStart(3)}%  ${status}`);
      if (step === total) process.stdout.write('\n');
    } else if (Math.floor(fraction * 10) > lastTenth) {
      lastTenth = Math.floor(fraction * 10);
      console.log(`  ${(100 * fraction).toFixed(0).padStart(3)}%  ${status}`);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** Embeds every image of a set; returns the embeddings `[count, EMBED]`. */
function embedAll(model, data) {
  const ids = Int32Array.from({ length: data.count }, (_, i) => i);
  const embedding = new Float32Array(data.count * EMBED);
  encodeRows(model, data.pixels, ids, data.count, new Float32Array(data.count * HIDDEN), embedding);
  return embedding;
}

/** Leave-one-out recall@1: the share of rows whose most cosine-similar other row has the same label. */
function recallAt1(engine, rows, dim, labels) {
  const n = labels.length;
  const similarity = engine.similarityMatrix(rows, rows, { dim, similarity: 'cosine' });
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (let j = 0; j < n; j++) {
      if (j !== i && (best < 0 || similarity[i * n + j] > similarity[i * n + best])) best = j;
    }
    if (labels[best] === labels[i]) hits += 1;
  }
  return hits / n;
}

/**
 * The plane of largest variance of the unit-length embeddings (their cosine geometry): the top
 * two eigenvectors of the 32 × 32 covariance by power iteration, the second after deflating the
 * first (C − λ₁v₁v₁ᵀ). Returns the 2-D coordinates `[n, 2]`.
 */
function principalPlane(embedding, n, random) {
  const unit = new Float64Array(n * EMBED);
  const mean = new Float64Array(EMBED);
  for (let i = 0; i < n; i++) {
    const row = embedding.subarray(i * EMBED, (i + 1) * EMBED);
    const norm = Math.hypot(...row) || 1;
    for (let d = 0; d < EMBED; d++) {
      unit[i * EMBED + d] = row[d] / norm;
      mean[d] += row[d] / norm / n;
    }
  }
  const covariance = new Float64Array(EMBED * EMBED);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < EMBED; a++) {
      const xa = unit[i * EMBED + a] - mean[a];
      for (let c = 0; c < EMBED; c++) covariance[a * EMBED + c] += (xa * (unit[i * EMBED + c] - mean[c])) / n;
    }
  }
  const components = [];
  for (let k = 0; k < 2; k++) {
    let v = Float64Array.from({ length: EMBED }, () => gaussian(random));
    let eigenvalue = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      const w = new Float64Array(EMBED);
      for (let a = 0; a < EMBED; a++) for (let c = 0; c < EMBED; c++) w[a] += covariance[a * EMBED + c] * v[c];
      eigenvalue = Math.hypot(...w);
      v = w.map((x) => x / eigenvalue);
    }
    for (let a = 0; a < EMBED; a++) for (let c = 0; c < EMBED; c++) covariance[a * EMBED + c] -= eigenvalue * v[a] * v[c];
    components.push(v);
  }
  const coords = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 2; k++) {
      let sum = 0;
      for (let d = 0; d < EMBED; d++) sum += (unit[i * EMBED + d] - mean[d]) * components[k][d];
      coords[i * 2 + k] = sum;
    }
  }
  return coords;
}

// ---------------------------------------------------------------------------------------------
// The figure

const DIGIT_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Maps [lo, hi] onto [from, to]. */
function scale(lo, hi, from, to) {
  return (x) => from + ((x - lo) / (hi - lo || 1)) * (to - from);
}

function points(xs, ys) {
  return xs.map((x, i) => `${x.toFixed(1)},${ys[i].toFixed(1)}`).join(' ');
}

/** The mean of each value's window of ±`half` neighbours (a smoothing that does not lag). */
function centredMovingAverage(values, half) {
  return Array.from(values, (_, i) => {
    const from = Math.max(0, i - half);
    const to = Math.min(values.length, i + half + 1);
    let sum = 0;
    for (let k = from; k < to; k++) sum += values[k];
    return sum / (to - from);
  });
}

/** Left panel: the loss of every step (light) and its moving average (dark) against the step. */
function lossPanel(stepLosses, left, top, width, height) {
  const steps = stepLosses.length;
  const yMax = Math.ceil(Math.max(...stepLosses) * 10) / 10;
  const x = scale(1, steps, left, left + width);
  const y = scale(0, yMax, top + height, top);
  const xs = Array.from(stepLosses, (_, s) => x(s + 1));
  const smoothed = centredMovingAverage(stepLosses, Math.max(1, Math.round(steps / 40)));
  const xTicks = [1, Math.round(steps / 2), steps];
  const yTicks = [0, yMax / 2, yMax];
  const key = (row, colour, strokeWidth, label) => {
    const ky = top + 12 + row * 18;
    return `<line x1="${left + width - 130}" y1="${ky}" x2="${left + width - 105}" y2="${ky}" stroke="${colour}" stroke-width="${strokeWidth}"/>` +
      `<text x="${left + width - 98}" y="${ky + 4}" font-size="11">${label}</text>`;
  };
  return [
    `<text x="${left + width / 2}" y="${top - 14}" text-anchor="middle" font-size="15">Training loss L_c (cosine, σ = ${TEMPERATURE})</text>`,
    `<line x1="${left}" y1="${top + height}" x2="${left + width}" y2="${top + height}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + height}" stroke="#333"/>`,
    ...yTicks.map((t) => `<text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${t.toFixed(2)}</text>`),
    ...xTicks.map((s) => `<text x="${x(s)}" y="${top + height + 16}" text-anchor="middle" font-size="11">${s}</text>`),
    `<text x="${left + width / 2}" y="${top + height + 34}" text-anchor="middle" font-size="13">step (${BATCH} triplets each)</text>`,
    `<text x="${left - 44}" y="${top + height / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 ${left - 44} ${top + height / 2})">mean loss</text>`,
    `<polyline fill="none" stroke="#9ecae1" stroke-width="1" points="${points(xs, Array.from(stepLosses, y))}"/>`,
    `<polyline fill="none" stroke="#08519c" stroke-width="2" points="${points(xs, smoothed.map(y))}"/>`,
    key(0, '#9ecae1', 1, 'per step'),
    key(1, '#08519c', 2, 'moving average'),
  ].join('\n');
}

/** Right panel: one circle per held-out digit at its PCA coordinates, and a legend. */
function embeddingPanel(coords, labels, left, top, size) {
  const xs = coords.filter((_, i) => i % 2 === 0);
  const ys = coords.filter((_, i) => i % 2 === 1);
  const x = scale(Math.min(...xs), Math.max(...xs), left, left + size);
  const y = scale(Math.min(...ys), Math.max(...ys), top + size, top);
  const circles = Array.from(labels, (digit, i) =>
    `<circle cx="${x(xs[i]).toFixed(1)}" cy="${y(ys[i]).toFixed(1)}" r="2.5" fill="${DIGIT_COLOURS[digit]}" fill-opacity="0.75"/>`);
  const legend = DIGIT_COLOURS.map((colour, digit) => {
    const ly = top + 10 + digit * 20;
    return `<rect x="${left + size + 20}" y="${ly - 9}" width="12" height="12" fill="${colour}"/>` +
      `<text x="${left + size + 38}" y="${ly + 2}" font-size="12">${digit}</text>`;
  });
  return [
    `<text x="${left + size / 2}" y="${top - 14}" text-anchor="middle" font-size="15">Held-out embeddings after training (PCA, 2 of ${EMBED} dims)</text>`,
    `<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#ccc"/>`,
    `<text x="${left + size / 2}" y="${top + size + 22}" text-anchor="middle" font-size="13">principal component 1</text>`,
    `<text x="${left - 10}" y="${top + size / 2}" text-anchor="middle" font-size="13" transform="rotate(-90 ${left - 10} ${top + size / 2})">principal component 2</text>`,
    ...circles,
    ...legend,
  ].join('\n');
}

function renderSvg(stepLosses, coords, labels) {
  const width = 1000;
  const height = 470;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    lossPanel(stepLosses, 80, 50, 360, 360),
    embeddingPanel(coords, labels, 530, 50, 380),
    '</svg>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

const random = seededRandom(SEED);
const { train: trainSet, test: testSet } = loadSplit(random, config.train, config.test);
if (trainSet.count < BATCH) throw new RangeError(`DEMO_TRAIN must be at least one batch, ${BATCH} images; got ${trainSet.count}`);
if (testSet.count < 20) throw new RangeError(`DEMO_TEST must give at least 2 held-out images per digit (20); got ${testSet.count}`);
// Only sync ops are used, and those always run on the CPU: no need to probe for a GPU.
const engine = await createEngine({ gpu: false });
const model = createEncoder(random);
console.log(`MNIST: ${trainSet.count} training digits, ${testSet.count} held-out digits; backend ${engine.backend}`);
console.log(`Encoder ${PIXELS} → ${HIDDEN} (ReLU) → ${EMBED}; triplet loss L_c, cosine, σ = ${TEMPERATURE}; ` +
  `${config.epochs} epoch${config.epochs === 1 ? '' : 's'} of ${BATCH} triplets per step, semi-hard negatives of ${CANDIDATES}, Adam lr ${LEARNING_RATE}`);

const recallPixels = recallAt1(engine, testSet.pixels, PIXELS, testSet.labels);
const recallBefore = recallAt1(engine, embedAll(model, testSet), EMBED, testSet.labels);
console.log(`recall@1 on held-out digits before training: ${recallBefore.toFixed(3)} (raw pixels: ${recallPixels.toFixed(3)})`);

const trainStart = performance.now();
const { stepLosses, lossSeconds } = train(engine, model, trainSet, random, createProgress());
const trainSeconds = (performance.now() - trainStart) / 1000;

const embedding = embedAll(model, testSet);
const recallAfter = recallAt1(engine, embedding, EMBED, testSet.labels);
mkdirSync(config.outDir, { recursive: true });
const svgPath = join(config.outDir, 'demo.svg');
writeFileSync(svgPath, renderSvg(stepLosses, principalPlane(embedding, testSet.count, random), testSet.labels));
const totalSeconds = (performance.now() - startTime) / 1000;

console.log(`recall@1 on held-out digits: ${recallBefore.toFixed(3)} → ${recallAfter.toFixed(3)} (untrained → trained encoder)`);
console.log(`backend ${engine.backend}: ${stepLosses.length} tripletLoss calls took ${(lossSeconds * 1000).toFixed(0)} ms, ` +
  `${((100 * lossSeconds) / trainSeconds).toFixed(1)}% of ${trainSeconds.toFixed(1)} s of training (${totalSeconds.toFixed(1)} s in all)`);
console.log(`wrote ${svgPath}`);
console.log(`RESULT ${JSON.stringify({
  recallBefore, recallAfter, recallPixels, backend: engine.backend, steps: stepLosses.length, test: testSet.count,
  lossSeconds, trainSeconds, totalSeconds, svg: svgPath,
})}`);
