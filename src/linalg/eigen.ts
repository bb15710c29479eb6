import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Complex } from './complex.js';
import { assertFinite } from './finite.js';

export interface Eigen {
  /** Eigenvalues; complex pairs appear as consecutive conjugates (re, +im) then (re, −im). */
  values: Complex[];
  /** Eigenvector k is column k: entry (i, k) is (re[i·n+k], im[i·n+k]). Each has unit 2-norm. */
  re: Float64Array;
  im: Float64Array;
}

/**
 * Eigenvalues and eigenvectors of a real, general n×n matrix (row-major, flat), with complex
 * eigenvectors made explicit. Uses ml-matrix's Hessenberg-QR solver, which stores a complex pair
 * as two real columns (real part, imaginary part); this function unpacks them. The input is
 * checked for NaN/Inf first because that solver never returns on NaN.
 */
export function eigen(a: ArrayLike<number>, n: number): Eigen {
  if (a.length < n * n) throw new Error(`eigen: expected ${n * n} entries, got ${a.length}`);
  assertFinite(a, 'eigen input');
  const values: Complex[] = [];
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  if (n === 0) return { values, re, im };
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from({ length: n }, (_, j) => a[i * n + j]));
  const evd = new EigenvalueDecomposition(new Matrix(rows));
  const wr = evd.realEigenvalues;
  const wi = evd.imaginaryEigenvalues;
  const V = evd.eigenvectorMatrix;
  for (let k = 0; k < n; k++) {
    values.push({ re: wr[k], im: wi[k] });
    if (wi[k] === 0) {
      for (let i = 0; i < n; i++) re[i * n + k] = V.get(i, k);
    } else if (wi[k] > 0) {
      // pair (k, k+1): v = V[:,k] ± i V[:,k+1]
      for (let i = 0; i < n; i++) {
        const x = V.get(i, k);
        const y = V.get(i, k + 1);
        re[i * n + k] = x;
        im[i * n + k] = y;
        re[i * n + k + 1] = x;
        im[i * n + k + 1] = -y;
      }
    }
  }
  // normalise every eigenvector to unit 2-norm
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += re[i * n + k] ** 2 + im[i * n + k] ** 2;
    const norm = Math.sqrt(s);
    if (norm > 0) {
      for (let i = 0; i < n; i++) {
        re[i * n + k] /= norm;
        im[i * n + k] /= norm;
      }
    }
  }
  return { values, re, im };
}
