/**
 * One-sided (Hestenes) Jacobi on the rows of a small `rows × cols` row-major matrix M: plane
 * rotations from the left until every pair of rows is orthogonal to `tol` relative, so that
 * M = J·Σ·Wᵀ with row p of the rotated matrix equal to σ_p·w_pᵀ. Applied to the R factor of a
 * column-pivoted QR (whose rows are graded), it converges in a few sweeps and resolves every
 * singular value to about ε·σ₁ absolute — small ones far better than any Gram matrix can.
 *
 * Cost: 4·rows²·cols flops per sweep (a dot and a rotation per pair; J is not accumulated — the
 * caller recovers the columns it needs as M·w_p/σ_p); memory: M itself, rotated in place.
 * Rows of zero norm are left alone (exact rank deficiency).
 */
export interface RowJacobi {
  /** Singular values, largest first (length rows). */
  values: Float64Array;
  /** order[p] = the row of the rotated M that holds σ_p·w_pᵀ. */
  order: Int32Array;
  sweeps: number;
}

export const JACOBI_MAX_SWEEPS = 40;

export function rowJacobi(M: Float64Array, rows: number, cols: number, tol = jacobiTolerance(cols)): RowJacobi {
  const nrm = new Float64Array(rows);
  const idx = new Int32Array(rows);
  let sweeps = 0;
  for (; sweeps < JACOBI_MAX_SWEEPS; ) {
    sweeps++;
    for (let p = 0; p < rows; p++) {
      let s = 0;
      const o = p * cols;
      for (let t = 0; t < cols; t++) s += M[o + t] * M[o + t];
      nrm[p] = s;
      idx[p] = p;
    }
    // de Rijk's ordering: larger rows first, which speeds convergence on graded factors
    idx.sort((a, b) => nrm[b] - nrm[a]);
    let rotated = 0;
    for (let a = 0; a < rows - 1; a++) {
      const p = idx[a];
      if (nrm[p] === 0) continue;
      const op = p * cols;
      for (let b = a + 1; b < rows; b++) {
        const q = idx[b];
        const beta = nrm[q];
        if (beta === 0) continue;
        const alpha = nrm[p];
        const oq = q * cols;
        let g = 0;
        for (let t = 0; t < cols; t++) g += M[op + t] * M[oq + t];
        if (!(Math.abs(g) > tol * Math.sqrt(alpha * beta))) continue;
        rotated++;
        const zeta = (beta - alpha) / (2 * g);
        const t0 = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t0 * t0);
        const s = c * t0;
        for (let t = 0; t < cols; t++) {
          const x = M[op + t];
          const y = M[oq + t];
          M[op + t] = c * x - s * y;
          M[oq + t] = s * x + c * y;
        }
        nrm[p] = Math.max(alpha - t0 * g, 0);
        nrm[q] = beta + t0 * g;
      }
    }
    if (rotated === 0) break;
  }
  const values = new Float64Array(rows);
  for (let p = 0; p < rows; p++) {
    let s = 0;
    const o = p * cols;
    for (let t = 0; t < cols; t++) s += M[o + t] * M[o + t];
    values[p] = Math.sqrt(s);
  }
  return jacobiResult(values, sweeps);
}

/** The result of a finished sweep loop from the final row norms (in row order): sorted largest first. */
export function jacobiResult(values: Float64Array, sweeps: number): RowJacobi {
  const rows = values.length;
  const order = Int32Array.from({ length: rows }, (_, p) => p).sort((a, b) => values[b] - values[a]);
  const sorted = new Float64Array(rows);
  for (let p = 0; p < rows; p++) sorted[p] = values[order[p]];
  return { values: sorted, order, sweeps };
}

/** Relative orthogonality at which a pair counts as done: a few rounding errors of a length-`cols` dot. */
export function jacobiTolerance(cols: number): number {
  return 4 * 2.220446049250313e-16 * Math.sqrt(Math.max(cols, 1));
}
