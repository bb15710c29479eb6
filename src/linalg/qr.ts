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

/**
 * Householder QR without pivoting, two reflectors per pass over the trailing columns: one pass
 * takes both dot products of every column, one pass applies both updates, so the trailing matrix
 * is read twice per two reflectors instead of four times. The fast kernel of the thin SVD; same
 * output layout as {@link pivotedQr} (perm is the identity, steps = min(len, cols)). Tested
 * against ml-matrix's QR. Cost 2·len·k² − ⅔k³ flops.
 */
export function pairedQr(a: Float64Array, len: number, cols: number): PivotedQr {
  const kmax = Math.min(len, cols);
  // A remaining column below QR_STOP × the largest input column is rounding noise: treating it as
  // zero moves A by less than ε·‖A‖ and keeps noise-of-noise reflectors (each ε times the last)
  // from underflowing to a NaN scale when many columns are parallel (constant snapshot rows).
  let big = 0;
  for (let j = 0; j < cols; j++) big = Math.max(big, norm(a, j * len, len));
  const floor = QR_STOP * big;
  const tau = new Float64Array(kmax);
  const perm = new Int32Array(cols);
  for (let j = 0; j < cols; j++) perm[j] = j;
  for (let j = 0; j < kmax; j += 2) {
    const t0 = reflect(a, len, j, floor);
    tau[j] = t0;
    const o0 = j * len;
    if (j + 1 >= kmax) {
      const keep = a[o0 + j];
      a[o0 + j] = 1;
      applyReflector(a, len, j, t0, a, len, j + 1, cols);
      a[o0 + j] = keep;
      break;
    }
    const r0 = a[o0 + j];
    a[o0 + j] = 1;
    applyReflector(a, len, j, t0, a, len, j + 1, j + 2);
    const t1 = reflect(a, len, j + 1, floor);
    tau[j + 1] = t1;
    const o1 = (j + 1) * len;
    const r1 = a[o1 + j + 1];
    a[o1 + j + 1] = 1;
    // w = v₁·v₀ (v₁ is zero in row j)
    let w = 0;
    for (let i = j + 1; i < len; i++) w += a[o1 + i] * a[o0 + i];
    let c = j + 2;
    for (; c + 3 < cols; c += 4) {
      const p0 = c * len;
      const p1 = p0 + len;
      const p2 = p1 + len;
      const p3 = p2 + len;
      let s0 = a[p0 + j];
      let s1 = a[p1 + j];
      let s2 = a[p2 + j];
      let s3 = a[p3 + j];
      let u0 = 0;
      let u1 = 0;
      let u2 = 0;
      let u3 = 0;
      for (let i = j + 1; i < len; i++) {
        const v0 = a[o0 + i];
        const v1 = a[o1 + i];
        const x0 = a[p0 + i];
        const x1 = a[p1 + i];
        const x2 = a[p2 + i];
        const x3 = a[p3 + i];
        s0 += v0 * x0;
        s1 += v0 * x1;
        s2 += v0 * x2;
        s3 += v0 * x3;
        u0 += v1 * x0;
        u1 += v1 * x1;
        u2 += v1 * x2;
        u3 += v1 * x3;
      }
      const al0 = t0 * s0;
      const al1 = t0 * s1;
      const al2 = t0 * s2;
      const al3 = t0 * s3;
      const be0 = t1 * (u0 - al0 * w);
      const be1 = t1 * (u1 - al1 * w);
      const be2 = t1 * (u2 - al2 * w);
      const be3 = t1 * (u3 - al3 * w);
      a[p0 + j] -= al0;
      a[p1 + j] -= al1;
      a[p2 + j] -= al2;
      a[p3 + j] -= al3;
      for (let i = j + 1; i < len; i++) {
        const v0 = a[o0 + i];
        const v1 = a[o1 + i];
        a[p0 + i] -= al0 * v0 + be0 * v1;
        a[p1 + i] -= al1 * v0 + be1 * v1;
        a[p2 + i] -= al2 * v0 + be2 * v1;
        a[p3 + i] -= al3 * v0 + be3 * v1;
      }
    }
    for (; c + 1 < cols; c += 2) {
      const p = c * len;
      const q = p + len;
      const x0 = a[p + j];
      const y0 = a[q + j];
      let s0 = x0;
      let s1 = y0;
      let u0 = 0;
      let u1 = 0;
      for (let i = j + 1; i < len; i++) {
        const v0 = a[o0 + i];
        const v1 = a[o1 + i];
        const x = a[p + i];
        const y = a[q + i];
        s0 += v0 * x;
        s1 += v0 * y;
        u0 += v1 * x;
        u1 += v1 * y;
      }
      const al0 = t0 * s0;
      const al1 = t0 * s1;
      const be0 = t1 * (u0 - al0 * w);
      const be1 = t1 * (u1 - al1 * w);
      a[p + j] = x0 - al0;
      a[q + j] = y0 - al1;
      for (let i = j + 1; i < len; i++) {
        const v0 = a[o0 + i];
        const v1 = a[o1 + i];
        a[p + i] -= al0 * v0 + be0 * v1;
        a[q + i] -= al1 * v0 + be1 * v1;
      }
    }
    for (; c < cols; c++) {
      const p = c * len;
      const x0 = a[p + j];
      let s0 = x0;
      let u0 = 0;
      for (let i = j + 1; i < len; i++) {
        s0 += a[o0 + i] * a[p + i];
        u0 += a[o1 + i] * a[p + i];
      }
      const al0 = t0 * s0;
      const be0 = t1 * (u0 - al0 * w);
      a[p + j] = x0 - al0;
      for (let i = j + 1; i < len; i++) a[p + i] -= al0 * a[o0 + i] + be0 * a[o1 + i];
    }
    a[o0 + j] = r0;
    a[o1 + j + 1] = r1;
  }
  return { a, len, cols, steps: kmax, tau, perm };
}

/**
 * Householder reflector of column j below the diagonal, in place (LAPACK xLARFG); returns τ.
 * A column of norm ≤ floor is set to zero (τ = 0, R_jj = 0).
 */
function reflect(a: Float64Array, len: number, j: number, floor: number): number {
  const oj = j * len;
  const alpha = a[oj + j];
  const nx = norm(a, oj + j, len - j);
  if (!(nx > floor)) {
    a.fill(0, oj + j, oj + len);
    return 0;
  }
  const beta = alpha > 0 ? -nx : nx;
  const scale = 1 / (alpha - beta);
  for (let i = oj + j + 1; i < oj + len; i++) a[i] *= scale;
  a[oj + j] = beta;
  return (beta - alpha) / beta;
}
