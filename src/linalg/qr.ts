/**
 * Householder QR with column pivoting of a tall matrix held column by column: column j of the
 * `len × cols` matrix A is a[j·len … (j+1)·len). This is the storage every caller here has for
 * free (rows of a row-major snapshot matrix are columns of its transpose), and it makes every
 * inner loop a contiguous dot product or axpy.
 *
 * Cost: 2·len·k² − ⅔k³ flops for k = min(len, cols) steps; memory: the input array (overwritten
 * by the reflectors) plus O(cols). Stops early when the largest remaining column norm is at or
 * below `stop` × the first pivot's, so rank-deficient input costs only its numerical rank.
 */
export interface PivotedQr {
  /** Reflectors below the diagonal of column j (v₀ = 1 implicit) and R on and above it. */
  a: Float64Array;
  len: number;
  cols: number;
  /** Steps taken (the numerical rank found, ≤ min(len, cols)). */
  steps: number;
  tau: Float64Array;
  /** A·P = Q·R: column j of the pivoted matrix is column perm[j] of A. */
  perm: Int32Array;
}

/** Relative column-norm level below which the factorisation stops (well under any rank floor). */
export const QR_STOP = 1e-15;

export function pivotedQr(a: Float64Array, len: number, cols: number, stop = QR_STOP): PivotedQr {
  const kmax = Math.min(len, cols);
  const tau = new Float64Array(kmax);
  const perm = new Int32Array(cols);
  const vn1 = new Float64Array(cols);
  const vn2 = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    perm[j] = j;
    vn1[j] = vn2[j] = norm(a, j * len, len);
  }
  let first = 0;
  let steps = 0;
  for (let j = 0; j < kmax; j++) {
    // pivot: the remaining column of largest partial norm
    let p = j;
    for (let c = j + 1; c < cols; c++) if (vn1[c] > vn1[p]) p = c;
    if (j === 0) first = vn1[p];
    if (!(vn1[p] > stop * first) || vn1[p] === 0) break;
    if (p !== j) {
      swapColumns(a, len, p, j);
      const t = perm[p];
      perm[p] = perm[j];
      perm[j] = t;
      vn1[p] = vn1[j];
      vn2[p] = vn2[j];
    }
    const oj = j * len;
    const alpha = a[oj + j];
    const nx = norm(a, oj + j, len - j);
    if (!(nx > stop * first)) break;
    const beta = alpha > 0 ? -nx : nx;
    const scale = 1 / (alpha - beta);
    for (let i = oj + j + 1; i < oj + len; i++) a[i] *= scale;
    const tj = (beta - alpha) / beta;
    tau[j] = tj;
    a[oj + j] = 1;
    applyReflector(a, len, j, tj, a, len, j + 1, cols);
    a[oj + j] = beta;
    steps = j + 1;
    // downdate the partial norms (LAPACK xLAQP2), recomputing where cancellation bites
    for (let c = j + 1; c < cols; c++) {
      if (vn1[c] === 0) continue;
      const r = Math.abs(a[c * len + j]) / vn1[c];
      let t = 1 - r * r;
      if (t < 0) t = 0;
      const t2 = t * (vn1[c] / vn2[c]) ** 2;
      if (t2 <= 1.5e-8) {
        vn1[c] = norm(a, c * len + j + 1, len - j - 1);
        vn2[c] = vn1[c];
      } else vn1[c] *= Math.sqrt(t);
    }
  }
  return { a, len, cols, steps, tau, perm };
}

/**
 * Applies H = I − τ v vᵀ (v = a[j·len + j …], v₀ = 1 stored in place) to columns [from, to) of
 * the column-stored matrix b (column length len, rows j … len−1 touched). Four columns per pass
 * over v, so each load of v serves four products.
 */
export function applyReflector(
  a: Float64Array,
  len: number,
  j: number,
  tj: number,
  b: Float64Array,
  blen: number,
  from: number,
  to: number,
): void {
  if (tj === 0) return;
  const ov = j * len;
  let c = from;
  for (; c + 3 < to; c += 4) {
    const o0 = c * blen;
    const o1 = o0 + blen;
    const o2 = o1 + blen;
    const o3 = o2 + blen;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = j; i < len; i++) {
      const v = a[ov + i];
      s0 += v * b[o0 + i];
      s1 += v * b[o1 + i];
      s2 += v * b[o2 + i];
      s3 += v * b[o3 + i];
    }
    s0 *= tj;
    s1 *= tj;
    s2 *= tj;
    s3 *= tj;
    for (let i = j; i < len; i++) {
      const v = a[ov + i];
      b[o0 + i] -= s0 * v;
      b[o1 + i] -= s1 * v;
      b[o2 + i] -= s2 * v;
      b[o3 + i] -= s3 * v;
    }
  }
  for (; c < to; c++) {
    const o = c * blen;
    let s = 0;
    for (let i = j; i < len; i++) s += a[ov + i] * b[o + i];
    s *= tj;
    for (let i = j; i < len; i++) b[o + i] -= s * a[ov + i];
  }
}

/**
 * Q·Z for `count` column-stored vectors z (each of length len, entries past `steps` usually 0):
 * the reflectors applied last to first. Cost 4·len·steps·count flops.
 */
export function applyQ(qr: PivotedQr, z: Float64Array, count: number): Float64Array {
  const { a, len, tau, steps } = qr;
  for (let j = steps - 1; j >= 0; j--) {
    const keep = a[j * len + j];
    a[j * len + j] = 1;
    applyReflector(a, len, j, tau[j], z, len, 0, count);
    a[j * len + j] = keep;
  }
  return z;
}

/** R (steps × cols, row-major, zeros below the diagonal) of a pivoted QR. */
export function upperFactor(qr: PivotedQr, out = new Float64Array(qr.steps * qr.cols)): Float64Array {
  const { a, len, cols, steps } = qr;
  out.fill(0, 0, steps * cols);
  for (let c = 0; c < cols; c++) {
    const top = Math.min(c + 1, steps);
    for (let i = 0; i < top; i++) out[i * cols + c] = a[c * len + i];
  }
  return out;
}

function norm(a: Float64Array, o: number, n: number): number {
  // scaled two-pass sum so that tiny and huge columns neither underflow nor overflow
  let big = 0;
  for (let i = o; i < o + n; i++) {
    const v = Math.abs(a[i]);
    if (v > big) big = v;
  }
  if (big === 0) return 0;
  if (big > 1e-150 && big < 1e150) {
    let s = 0;
    for (let i = o; i < o + n; i++) s += a[i] * a[i];
    return Math.sqrt(s);
  }
  const inv = 1 / big;
  let s = 0;
  for (let i = o; i < o + n; i++) {
    const v = a[i] * inv;
    s += v * v;
  }
  return big * Math.sqrt(s);
}

function swapColumns(a: Float64Array, len: number, p: number, q: number): void {
  const op = p * len;
  const oq = q * len;
  for (let i = 0; i < len; i++) {
    const t = a[op + i];
    a[op + i] = a[oq + i];
    a[oq + i] = t;
  }
}
