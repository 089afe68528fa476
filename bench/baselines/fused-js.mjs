// The peers a JavaScript author would write by hand: one fused loop over Float32Arrays per op, with
// the same maths as the kernels (DESIGN.md §4). Used only as speed baselines.

/** L_c with cosine similarity and all gradients, mean reduction, written into `out`; returns out with loss and ∂σ. */
export function fusedTripletLossCosine(anchor, positive, negative, rows, dim, temperature, eps, out) {
  const scale = 1 / rows;
  let lossSum = 0;
  let gradTemperature = 0;
  for (let i = 0; i < rows; i++) {
    const o = i * dim;
    let ap = 0, an = 0, aa = 0, pp = 0, nn = 0;
    for (let j = 0; j < dim; j++) {
      const x = anchor[o + j], y = positive[o + j], z = negative[o + j];
      ap += x * y; an += x * z; aa += x * x; pp += y * y; nn += z * z;
    }
    const lengthA = Math.sqrt(aa), lengthP = Math.sqrt(pp), lengthN = Math.sqrt(nn);
    const normA = Math.max(lengthA, eps), normP = Math.max(lengthP, eps), normN = Math.max(lengthN, eps);
    const sPos = ap / (normA * normP), sNeg = an / (normA * normN);
    const delta = (sNeg - sPos) / temperature;
    const e = Math.exp(-Math.abs(delta));
    const loss = Math.max(delta, 0) + Math.log1p(e);
    lossSum += loss;
    out.losses[i] = loss;
    const sigmoid = delta >= 0 ? 1 / (1 + e) : e / (1 + e);
    gradTemperature += -scale * delta * sigmoid / temperature;
    const cNeg = scale * sigmoid / temperature, cPos = -cNeg;
    const rA = lengthA > 0 ? 1 / (normA * lengthA) : 0;
    const rP = lengthP > 0 ? 1 / (normP * lengthP) : 0;
    const rN = lengthN > 0 ? 1 / (normN * lengthN) : 0;
    const crossP = cPos / (normA * normP), crossN = cNeg / (normA * normN);
    const selfA = -(cPos * sPos + cNeg * sNeg) * rA, selfP = -cPos * sPos * rP, selfN = -cNeg * sNeg * rN;
    for (let j = 0; j < dim; j++) {
      const x = anchor[o + j], y = positive[o + j], z = negative[o + j];
      out.gradAnchor[o + j] = selfA * x + crossP * y + crossN * z;
      out.gradPositive[o + j] = crossP * x + selfP * y;
      out.gradNegative[o + j] = crossN * x + selfN * z;
    }
  }
  return { ...out, loss: lossSum * scale, gradTemperature };
}

/** Row-wise cosine similarity of paired rows, norms clamped at eps, written into and returned as `out`. */
export function fusedCosineSimilarity(a, b, rows, dim, eps, out) {
  for (let i = 0; i < rows; i++) {
    const o = i * dim;
    let ab = 0, aa = 0, bb = 0;
    for (let j = 0; j < dim; j++) {
      const x = a[o + j], y = b[o + j];
      ab += x * y; aa += x * x; bb += y * y;
    }
    out[i] = ab / (Math.max(Math.sqrt(aa), eps) * Math.max(Math.sqrt(bb), eps));
  }
  return out;
}
