// Similarity matrix S[i, j] = sim(a_i, b_j) of a [n, dim] against b [m, dim] (DESIGN.md §4).
//
// The dot products are a matrix product A·Bᵀ, computed the GotoBLAS way: B is packed once into
// panels of PANEL columns stored k-major (so that one vector load gives PANEL/2 columns at one k),
// and a register tile of TILE_ROWS rows × PANEL columns accumulates
//   acc[r][c] += a[r, k] · b[c, k]   (a broadcast times a panel vector)
// over k. TILE_ROWS = 4 and PANEL = 2 vectors keep 8 accumulators, 2 panel vectors and the
// broadcasts in V8's 16 vector registers (a 6-row tile's 12 accumulators spilled: 26 against 38
// GFLOP/s at 1024×1024×256). Rows of A are taken ROW_BLOCK at a time so that the
// rows a panel meets stay in L2, and each panel (PANEL·dim elements) stays in L1.
//
// Cosine divides each entry by the two clamped row norms, computed once per row; euclidean needs
// ‖a_i − b_j‖ without the cancellation of ‖a‖² + ‖b‖² − 2⟨a, b⟩ (which loses every digit for
// nearly equal rows), so its tile accumulates (a[r, k] − b[c, k])² instead.

import { multiplyAdd, vectorLanes } from "./vector";
import { COSINE, EUCLIDEAN } from "./similarity-kind";

const TILE_ROWS: i32 = 4;
/** Rows of A per cache block: 128 rows of dim 512 f32 are 256 KiB. */
const ROW_BLOCK: i32 = 128;

/** Columns per panel: two vectors. */
@inline export function panelWidth<T>(): i32 {
  return 2 * vectorLanes<T>();
}

/** Bytes of the packed form of m rows of length dim (panels padded with zero columns). */
export function packedBytes<T>(m: i32, dim: i32): usize {
  const width = panelWidth<T>();
  return <usize>((m + width - 1) / width) * <usize>width * <usize>dim << alignof<T>();
}

/** Packs b [m, dim] into k-major panels: packed[q][k][c] = b[q·PANEL + c, k], 0 past row m. */
export function packPanels<T>(b: usize, m: i32, dim: i32, packed: usize): void {
  const width = panelWidth<T>();
  const panels = (m + width - 1) / width;
  let target = packed;
  for (let q = 0; q < panels; q++) {
    for (let k = 0; k < dim; k++) {
      for (let c = 0; c < width; c++) {
        const row = q * width + c;
        store<T>(target, row < m ? load<T>(b + ((<usize>row * <usize>dim + <usize>k) << alignof<T>())) : <T>0);
        target += sizeof<T>();
      }
    }
  }
}

/**
 * Packs the columns of x [rows, dim] into panels for matrixProduct with inner index i:
 * packed[q][i][c] = x[i, q·PANEL + c], 0 past column dim; panel q starts at q·rows·PANEL elements.
 */
export function packColumns<T>(x: usize, rows: i32, dim: i32, packed: usize): void {
  const width = panelWidth<T>();
  const panels = (dim + width - 1) / width;
  let target = packed;
  for (let q = 0; q < panels; q++) {
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < width; c++) {
        const column = q * width + c;
        store<T>(target, column < dim ? load<T>(x + ((<usize>i * <usize>dim + <usize>column) << alignof<T>())) : <T>0);
        target += sizeof<T>();
      }
    }
  }
}

/** out[i] = 1 / max(‖x_i‖, eps) in f64, for `rows` rows. */
export function inverseNorms<T>(x: usize, rows: i32, dim: i32, eps: f64, out: usize): void {
  for (let i = 0; i < rows; i++) {
    const row = x + (<usize>i * <usize>dim << alignof<T>());
    let sum: f64 = 0;
    for (let k = 0; k < dim; k++) {
      const v = <f64>load<T>(row + (<usize>k << alignof<T>()));
      sum += v * v;
    }
    store<f64>(out + (<usize>i << 3), 1.0 / Math.max(Math.sqrt(sum), eps));
  }
}

/** Stores (or adds) the first `columns` lanes of the two accumulators of one tile row. */
@inline function storeTileRow<T>(out: usize, low: v128, high: v128, columns: i32, accumulate: bool): void {
  const lanes = vectorLanes<T>();
  if (columns == 2 * lanes) {
    if (accumulate) {
      low = v128.add<T>(low, v128.load(out));
      high = v128.add<T>(high, v128.load(out, 16));
    }
    v128.store(out, low);
    v128.store(out, high, 16);
    return;
  }
  // The last panel of a row: spill to a small buffer, copy the valid part.
  v128.store(PARTIAL, low);
  v128.store(PARTIAL, high, 16);
  if (!accumulate) {
    memory.copy(out, PARTIAL, <usize>columns << alignof<T>());
    return;
  }
  for (let c = 0; c < columns; c++) {
    const o = <usize>c << alignof<T>();
    store<T>(out + o, load<T>(out + o) + load<T>(PARTIAL + o));
  }
}

const PARTIAL = memory.data(32, 16);

/** The contribution of one k to an accumulator: a·b (dot, cosine) or (a − b)² (euclidean). */
@inline function accumulateTerm<T>(x: v128, y: v128, acc: v128, squaredDifference: bool): v128 {
  if (squaredDifference) {
    const d = v128.sub<T>(x, y);
    return multiplyAdd<T>(d, d, acc);
  }
  return multiplyAdd<T>(x, y, acc);
}

/** A TILE_ROWS × PANEL tile: rows a .. a + 3·rowBytes against one packed panel. */
@inline function tile4<T>(
  a: usize, rowBytes: usize, panel: usize, dim: i32, out: usize, outRowBytes: usize, columns: i32,
  squaredDifference: bool, accumulate: bool,
): void {
  let c00 = v128.splat<T>(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const a0 = a, a1 = a0 + rowBytes, a2 = a1 + rowBytes, a3 = a2 + rowBytes;
  let p = panel;
  for (let k = 0; k < dim; k++) {
    const o = <usize>k << alignof<T>();
    const b0 = v128.load(p), b1 = v128.load(p, 16);
    let x = v128.load_splat<T>(a0 + o);
    c00 = accumulateTerm<T>(x, b0, c00, squaredDifference); c01 = accumulateTerm<T>(x, b1, c01, squaredDifference);
    x = v128.load_splat<T>(a1 + o);
    c10 = accumulateTerm<T>(x, b0, c10, squaredDifference); c11 = accumulateTerm<T>(x, b1, c11, squaredDifference);
    x = v128.load_splat<T>(a2 + o);
    c20 = accumulateTerm<T>(x, b0, c20, squaredDifference); c21 = accumulateTerm<T>(x, b1, c21, squaredDifference);
    x = v128.load_splat<T>(a3 + o);
    c30 = accumulateTerm<T>(x, b0, c30, squaredDifference); c31 = accumulateTerm<T>(x, b1, c31, squaredDifference);
    p += 32;
  }
  storeTileRow<T>(out, c00, c01, columns, accumulate);
  storeTileRow<T>(out + outRowBytes, c10, c11, columns, accumulate);
  storeTileRow<T>(out + 2 * outRowBytes, c20, c21, columns, accumulate);
  storeTileRow<T>(out + 3 * outRowBytes, c30, c31, columns, accumulate);
}

/** One row against one packed panel (the rows left over after the 6-row tiles). */
@inline function tile1<T>(a: usize, panel: usize, dim: i32, out: usize, columns: i32, squaredDifference: bool, accumulate: bool): void {
  let c0 = v128.splat<T>(0), c1 = c0;
  let p = panel;
  for (let k = 0; k < dim; k++) {
    const x = v128.load_splat<T>(a + (<usize>k << alignof<T>()));
    c0 = accumulateTerm<T>(x, v128.load(p), c0, squaredDifference);
    c1 = accumulateTerm<T>(x, v128.load(p, 16), c1, squaredDifference);
    p += 32;
  }
  storeTileRow<T>(out, c0, c1, columns, accumulate);
}

/**
 * out[i, c] = Σ_k a[i, k]·P[k, c] (or Σ_k (a[i, k] − P[k, c])²), written or added (`accumulate`),
 * for the n rows of a (aRowBytes apart, inner length K) against m packed columns: panel q holds
 * columns q·PANEL … q·PANEL + PANEL − 1 as K rows of PANEL values and starts at packed + q·panelStride.
 */
@inline export function matrixProduct<T>(
  a: usize, aRowBytes: usize, n: i32, K: i32, packed: usize, panelStride: usize, m: i32,
  out: usize, outRowBytes: usize, squaredDifference: bool, accumulate: bool,
): void {
  const width = panelWidth<T>();
  const panels = (m + width - 1) / width;
  if (!ASC_FEATURE_SIMD) {
    // The scalar flavour: one entry at a time, from the same packed panels.
    for (let i = 0; i < n; i++) {
      const row = a + <usize>i * aRowBytes;
      for (let j = 0; j < m; j++) {
        const column = packed + <usize>(j / width) * panelStride + (<usize>(j % width) << alignof<T>());
        let sum: T = 0;
        for (let k = 0; k < K; k++) {
          const x = load<T>(row + (<usize>k << alignof<T>()));
          const y = load<T>(column + (<usize>(k * width) << alignof<T>()));
          sum += squaredDifference ? (x - y) * (x - y) : x * y;
        }
        const target = out + <usize>i * outRowBytes + (<usize>j << alignof<T>());
        store<T>(target, accumulate ? load<T>(target) + sum : sum);
      }
    }
    return;
  }
  for (let block = 0; block < n; block += ROW_BLOCK) {
    const blockEnd = min(block + ROW_BLOCK, n);
    for (let q = 0; q < panels; q++) {
      const panel = packed + <usize>q * panelStride;
      const columns = min(width, m - q * width);
      const outColumn = <usize>(q * width) << alignof<T>();
      let i = block;
      for (; i + TILE_ROWS <= blockEnd; i += TILE_ROWS) {
        tile4<T>(a + <usize>i * aRowBytes, aRowBytes, panel, K, out + <usize>i * outRowBytes + outColumn, outRowBytes,
          columns, squaredDifference, accumulate);
      }
      for (; i < blockEnd; i++) {
        tile1<T>(a + <usize>i * aRowBytes, panel, K, out + <usize>i * outRowBytes + outColumn, columns, squaredDifference, accumulate);
      }
    }
  }
}

/** Raw products (or squared distances) of rows [0, n) of a against the m rows packed by packPanels. */
@inline function productTiles<T>(a: usize, n: i32, packed: usize, m: i32, dim: i32, out: usize, squaredDifference: bool): void {
  const rowBytes = <usize>dim << alignof<T>();
  matrixProduct<T>(a, rowBytes, n, dim, packed, <usize>panelWidth<T>() * rowBytes, m, out, <usize>m << alignof<T>(), squaredDifference, false);
}

/**
 * out[i, j] = sim(a_i, b_j) for rows [0, n) of a against the m rows packed by packPanels.
 * For cosine, inverseNormsA (n f64, scratch) and inverseNormsB (m f64, from inverseNorms) are used.
 */
@inline export function similarityMatrix<T>(
  a: usize, n: i32, packed: usize, m: i32, dim: i32, similarity: i32, eps: f64,
  inverseNormsA: usize, inverseNormsB: usize, out: usize,
): void {
  if (similarity == EUCLIDEAN) {
    productTiles<T>(a, n, packed, m, dim, out, true);
    for (let e: usize = 0, total = <usize>n * <usize>m; e < total; e++) {
      const address = out + (e << alignof<T>());
      store<T>(address, <T>-Math.sqrt(<f64>load<T>(address)));
    }
    return;
  }
  productTiles<T>(a, n, packed, m, dim, out, false);
  if (similarity != COSINE) return;
  inverseNorms<T>(a, n, dim, eps, inverseNormsA);
  for (let i = 0; i < n; i++) {
    const row = out + (<usize>i * <usize>m << alignof<T>());
    const scaleA = load<f64>(inverseNormsA + (<usize>i << 3));
    for (let j = 0; j < m; j++) {
      const address = row + (<usize>j << alignof<T>());
      store<T>(address, <T>(<f64>load<T>(address) * scaleA * load<f64>(inverseNormsB + (<usize>j << 3))));
    }
  }
}
