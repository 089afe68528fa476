// Fused triplet contrastive loss L_c and its gradients (DESIGN.md §4).
//
// One call handles `rows` triplets of row-major [rows, dim] arrays. Per row, pass 1 reads the
// anchor, positive and negative rows once and accumulates what the similarity needs; the loss,
// its derivatives and the gradient coefficients are then computed in f64; pass 2 writes the three
// gradient rows while the input rows are still in L1.

import { BLOCK_VECTORS, horizontalSum, multiplyAdd, vectorLanes } from "./vector";
import { sigmoidOfLast, softplusWithSigmoid } from "./scalar-math";
import { COSINE, EUCLIDEAN, unsafeF32SumOfSquares, F32_SAFE_MAX } from "./similarity-kind";

// Pass-1 results for the current row (AssemblyScript has no multiple returns; these are written
// once per row, so being globals costs nothing measurable).
let dotAP: f64 = 0; // ⟨a, p⟩
let dotAN: f64 = 0; // ⟨a, n⟩
let sqA: f64 = 0;   // ‖a‖²
let sqP: f64 = 0;   // ‖p‖²
let sqN: f64 = 0;   // ‖n‖²
let distSqP: f64 = 0; // ‖a − p‖² (euclidean)
let distSqN: f64 = 0; // ‖a − n‖² (euclidean)
let gradTemperatureSum: f64 = 0;

/** Σ g_i·∂L_i/∂σ over the rows of the last tripletLoss call. */
export function lastGradTemperature(): f64 {
  return gradTemperatureSum;
}

/** Adds elements [from, dim) of the row dot products (and squared norms) into the globals, in f64. */
@inline function addDotsScalar<T>(a: usize, p: usize, n: usize, from: i32, dim: i32, withNorms: bool): void {
  let ap: f64 = 0, an: f64 = 0, aa: f64 = 0, pp: f64 = 0, nn: f64 = 0;
  for (let j = from; j < dim; j++) {
    const o = <usize>j << alignof<T>();
    const x = <f64>load<T>(a + o), y = <f64>load<T>(p + o), z = <f64>load<T>(n + o);
    ap += x * y;
    an += x * z;
    if (withNorms) {
      aa += x * x;
      pp += y * y;
      nn += z * z;
    }
  }
  dotAP += ap; dotAN += an; sqA += aa; sqP += pp; sqN += nn;
}

@inline function rowDots<T>(a: usize, p: usize, n: usize, dim: i32, withNorms: bool): void {
  dotAP = 0; dotAN = 0; sqA = 0; sqP = 0; sqN = 0;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    // Two vectors per iteration, addressed with immediate offsets; the remainder goes to the
    // scalar loop.
    const step = 2 * vectorLanes<T>();
    const vectorEnd = dim - dim % step;
    while (j < vectorEnd) {
      const blockEnd = min(j + BLOCK_VECTORS * step / 2, vectorEnd);
      // Each pair of products is summed before it joins its accumulator: one add per pair on each
      // accumulator's dependency chain, whose latency bounds this loop.
      let ap = v128.splat<T>(0), an = ap, aa = ap, pp = ap, nn = ap;
      for (; j < blockEnd; j += step) {
        const o = <usize>j << alignof<T>();
        const ao = a + o, po = p + o, no = n + o;
        const x0 = v128.load(ao), y0 = v128.load(po), z0 = v128.load(no);
        const x1 = v128.load(ao, 16), y1 = v128.load(po, 16), z1 = v128.load(no, 16);
        ap = v128.add<T>(ap, multiplyAdd<T>(x1, y1, v128.mul<T>(x0, y0)));
        an = v128.add<T>(an, multiplyAdd<T>(x1, z1, v128.mul<T>(x0, z0)));
        if (withNorms) {
          aa = v128.add<T>(aa, multiplyAdd<T>(x1, x1, v128.mul<T>(x0, x0)));
          pp = v128.add<T>(pp, multiplyAdd<T>(y1, y1, v128.mul<T>(y0, y0)));
          nn = v128.add<T>(nn, multiplyAdd<T>(z1, z1, v128.mul<T>(z0, z0)));
        }
      }
      dotAP += horizontalSum<T>(ap);
      dotAN += horizontalSum<T>(an);
      if (withNorms) {
        sqA += horizontalSum<T>(aa);
        sqP += horizontalSum<T>(pp);
        sqN += horizontalSum<T>(nn);
      }
    }
  }
  addDotsScalar<T>(a, p, n, j, dim, withNorms);
  // An f32 vector sum may overflow (or underflow) where the true value is representable: redo the
  // row in f64, where every product of two f32 values is exact.
  if (sizeof<T>() == 4 && (unsafeF32SumOfSquares(sqA) || unsafeF32SumOfSquares(sqP) ||
      unsafeF32SumOfSquares(sqN) || !(Math.abs(dotAP) <= F32_SAFE_MAX) || !(Math.abs(dotAN) <= F32_SAFE_MAX))) {
    dotAP = 0; dotAN = 0; sqA = 0; sqP = 0; sqN = 0;
    addDotsScalar<T>(a, p, n, 0, dim, withNorms);
  }
}

@inline function addDistancesScalar<T>(a: usize, p: usize, n: usize, from: i32, dim: i32): void {
  let dp: f64 = 0, dn: f64 = 0;
  for (let j = from; j < dim; j++) {
    const o = <usize>j << alignof<T>();
    const x = <f64>load<T>(a + o);
    const u = x - <f64>load<T>(p + o), v = x - <f64>load<T>(n + o);
    dp += u * u;
    dn += v * v;
  }
  distSqP += dp; distSqN += dn;
}

function rowDistances<T>(a: usize, p: usize, n: usize, dim: i32): void {
  distSqP = 0; distSqN = 0;
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = vectorLanes<T>();
    const vectorEnd = dim - dim % lanes;
    while (j < vectorEnd) {
      const blockEnd = min(j + BLOCK_VECTORS * lanes, vectorEnd);
      let dp = v128.splat<T>(0), dn = dp;
      for (; j < blockEnd; j += lanes) {
        const o = <usize>j << alignof<T>();
        const x = v128.load(a + o);
        const u = v128.sub<T>(x, v128.load(p + o)), v = v128.sub<T>(x, v128.load(n + o));
        dp = multiplyAdd<T>(u, u, dp);
        dn = multiplyAdd<T>(v, v, dn);
      }
      distSqP += horizontalSum<T>(dp);
      distSqN += horizontalSum<T>(dn);
    }
  }
  addDistancesScalar<T>(a, p, n, j, dim);
  if (sizeof<T>() == 4 && (unsafeF32SumOfSquares(distSqP) || unsafeF32SumOfSquares(distSqN))) {
    distSqP = 0; distSqN = 0;
    addDistancesScalar<T>(a, p, n, 0, dim);
  }
}

// Splatted gradient coefficients for pass 2, stored to memory and loaded back before the loop:
// V8's TurboFan otherwise re-materialises each v128.splat inside the loop (a convert and a
// broadcast per coefficient per iteration). Measured: pass 2 about 20% faster, the kernel 8%.
const COEFFICIENTS = memory.data(7 * 16, 16);

/** gA = α·a + β·p + γ·n, gP = δ·a + ε·p, gN = ζ·a + η·n (cosine and dot). */
function writeCombinationGradients<T>(
  a: usize, p: usize, n: usize, gA: usize, gP: usize, gN: usize, dim: i32,
  alpha: f64, beta: f64, gamma: f64, delta: f64, epsilon: f64, zeta: f64, eta: f64,
): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const step = 2 * vectorLanes<T>(); // two vectors per iteration, the remainder in the scalar loop
    const vectorEnd = dim - dim % step;
    const c = COEFFICIENTS;
    v128.store(c, v128.splat<T>(<T>alpha), 0);
    v128.store(c, v128.splat<T>(<T>beta), 16);
    v128.store(c, v128.splat<T>(<T>gamma), 32);
    v128.store(c, v128.splat<T>(<T>delta), 48);
    v128.store(c, v128.splat<T>(<T>epsilon), 64);
    v128.store(c, v128.splat<T>(<T>zeta), 80);
    v128.store(c, v128.splat<T>(<T>eta), 96);
    const va = v128.load(c, 0), vb = v128.load(c, 16), vc = v128.load(c, 32), vd = v128.load(c, 48);
    const ve = v128.load(c, 64), vz = v128.load(c, 80), vh = v128.load(c, 96);
    for (; j < vectorEnd; j += step) {
      const o = <usize>j << alignof<T>();
      const ao = a + o, po = p + o, no = n + o, gAo = gA + o, gPo = gP + o, gNo = gN + o;
      let x = v128.load(ao), y = v128.load(po), z = v128.load(no);
      v128.store(gAo, multiplyAdd<T>(vc, z, multiplyAdd<T>(vb, y, v128.mul<T>(va, x))));
      v128.store(gPo, multiplyAdd<T>(ve, y, v128.mul<T>(vd, x)));
      v128.store(gNo, multiplyAdd<T>(vh, z, v128.mul<T>(vz, x)));
      x = v128.load(ao, 16); y = v128.load(po, 16); z = v128.load(no, 16);
      v128.store(gAo, multiplyAdd<T>(vc, z, multiplyAdd<T>(vb, y, v128.mul<T>(va, x))), 16);
      v128.store(gPo, multiplyAdd<T>(ve, y, v128.mul<T>(vd, x)), 16);
      v128.store(gNo, multiplyAdd<T>(vh, z, v128.mul<T>(vz, x)), 16);
    }
  }
  for (; j < dim; j++) {
    const o = <usize>j << alignof<T>();
    const x = <f64>load<T>(a + o), y = <f64>load<T>(p + o), z = <f64>load<T>(n + o);
    store<T>(gA + o, <T>(alpha * x + beta * y + gamma * z));
    store<T>(gP + o, <T>(delta * x + epsilon * y));
    store<T>(gN + o, <T>(zeta * x + eta * z));
  }
}

/** gA = u·(a − p) + v·(a − n), gP = −u·(a − p), gN = −v·(a − n) (euclidean). */
function writeDifferenceGradients<T>(
  a: usize, p: usize, n: usize, gA: usize, gP: usize, gN: usize, dim: i32, u: f64, v: f64,
): void {
  let j = 0;
  if (ASC_FEATURE_SIMD) {
    const lanes = vectorLanes<T>();
    const vectorEnd = dim - dim % lanes;
    const vu = v128.splat<T>(<T>u), vv = v128.splat<T>(<T>v);
    const nu = v128.splat<T>(<T>-u), nv = v128.splat<T>(<T>-v);
    for (; j < vectorEnd; j += lanes) {
      const o = <usize>j << alignof<T>();
      const x = v128.load(a + o);
      const dp = v128.sub<T>(x, v128.load(p + o)), dn = v128.sub<T>(x, v128.load(n + o));
      v128.store(gA + o, multiplyAdd<T>(vv, dn, v128.mul<T>(vu, dp)));
      v128.store(gP + o, v128.mul<T>(nu, dp));
      v128.store(gN + o, v128.mul<T>(nv, dn));
    }
  }
  for (; j < dim; j++) {
    const o = <usize>j << alignof<T>();
    const x = <f64>load<T>(a + o);
    const dp = x - <f64>load<T>(p + o), dn = x - <f64>load<T>(n + o);
    store<T>(gA + o, <T>(u * dp + v * dn));
    store<T>(gP + o, <T>(-u * dp));
    store<T>(gN + o, <T>(-v * dn));
  }
}

/**
 * L_c for `rows` triplets. Writes losses, s⁺ and s⁻ per row and, when gradAnchor != 0, the three
 * gradient arrays of Σ g_i·L_i, where g_i = gradScale·gradOutput[i] (gradOutput: f64 per row, or 0
 * for all ones). Returns Σ L_i; Σ g_i·∂L_i/∂σ is read with lastGradTemperature().
 */
@inline export function tripletLoss<T>(
  anchor: usize, positive: usize, negative: usize, rows: i32, dim: i32,
  similarity: i32, temperature: f64, eps: f64, gradScale: f64, gradOutput: usize,
  losses: usize, similarityPositive: usize, similarityNegative: usize,
  gradAnchor: usize, gradPositive: usize, gradNegative: usize,
): f64 {
  const rowBytes = <usize>dim << alignof<T>();
  const withGradients = gradAnchor != 0;
  const inverseTemperature = 1.0 / temperature;
  let lossSum: f64 = 0;
  gradTemperatureSum = 0;
  for (let i = 0; i < rows; i++) {
    const offset = <usize>i * rowBytes;
    const a = anchor + offset, p = positive + offset, n = negative + offset;

    // s⁺, s⁻ and what their gradients need. Divisions are shared where possible: they are the
    // slowest part of this per-row chain.
    let sPos: f64, sNeg: f64;
    let lengthA: f64 = 0, lengthP: f64 = 0, lengthN: f64 = 0; // ‖x‖
    let normA: f64 = 0, normP: f64 = 0, normN: f64 = 0;       // clamped norms max(‖x‖, eps)
    let inverseAP: f64 = 1, inverseAN: f64 = 1;               // 1/(n_a n_p), 1/(n_a n_n)
    let distP: f64 = 0, distN: f64 = 0;
    if (similarity == EUCLIDEAN) {
      rowDistances<T>(a, p, n, dim);
      distP = Math.sqrt(distSqP);
      distN = Math.sqrt(distSqN);
      sPos = -distP;
      sNeg = -distN;
    } else if (similarity == COSINE) {
      rowDots<T>(a, p, n, dim, true);
      lengthA = Math.sqrt(sqA);
      lengthP = Math.sqrt(sqP);
      lengthN = Math.sqrt(sqN);
      normA = Math.max(lengthA, eps);
      normP = Math.max(lengthP, eps);
      normN = Math.max(lengthN, eps);
      inverseAP = 1.0 / (normA * normP);
      inverseAN = 1.0 / (normA * normN);
      sPos = dotAP * inverseAP;
      sNeg = dotAN * inverseAN;
    } else {
      rowDots<T>(a, p, n, dim, false);
      sPos = dotAP;
      sNeg = dotAN;
    }

    // L = softplus(Δ), Δ = (s⁻ − s⁺)/σ; ∂L/∂s⁻ = sigmoid(Δ)/σ = −∂L/∂s⁺; ∂L/∂σ = −Δ·sigmoid(Δ)/σ.
    const delta = (sNeg - sPos) * inverseTemperature;
    const loss = softplusWithSigmoid(delta);
    lossSum += loss;
    store<T>(losses + (<usize>i << alignof<T>()), <T>loss);
    store<T>(similarityPositive + (<usize>i << alignof<T>()), <T>sPos);
    store<T>(similarityNegative + (<usize>i << alignof<T>()), <T>sNeg);

    const g = gradOutput != 0 ? gradScale * load<f64>(gradOutput + (<usize>i << 3)) : gradScale;
    const cNeg = g * sigmoidOfLast() * inverseTemperature; // ∂(g·L)/∂s⁻
    const cPos = -cNeg;                                    // ∂(g·L)/∂s⁺
    gradTemperatureSum -= cNeg * delta;                    // ∂(g·L)/∂σ = −g·Δ·sigmoid(Δ)/σ
    if (!withGradients) continue;

    const gA = gradAnchor + offset, gP = gradPositive + offset, gN = gradNegative + offset;
    if (similarity == EUCLIDEAN) {
      // ∂(−‖a − p‖)/∂a = −(a − p)/‖a − p‖, taken as 0 where a = p.
      const u = distP > 0 ? -cPos / distP : 0.0;
      const v = distN > 0 ? -cNeg / distN : 0.0;
      writeDifferenceGradients<T>(a, p, n, gA, gP, gN, dim, u, v);
    } else if (similarity == COSINE) {
      // ∂c/∂x = y/(n_x n_y) − c·x/(n_x‖x‖), the second term 0 when ‖x‖ = 0 (PyTorch ≥ 2.1).
      const rA = lengthA > 0 ? 1.0 / (normA * lengthA) : 0.0;
      const rP = lengthP > 0 ? 1.0 / (normP * lengthP) : 0.0;
      const rN = lengthN > 0 ? 1.0 / (normN * lengthN) : 0.0;
      const crossP = cPos * inverseAP, crossN = cNeg * inverseAN;
      writeCombinationGradients<T>(a, p, n, gA, gP, gN, dim,
        -(cPos * sPos + cNeg * sNeg) * rA, crossP, crossN,
        crossP, -cPos * sPos * rP,
        crossN, -cNeg * sNeg * rN);
    } else {
      writeCombinationGradients<T>(a, p, n, gA, gP, gN, dim, 0, cPos, cNeg, cPos, 0, cNeg, 0);
    }
  }
  return lossSum;
}
