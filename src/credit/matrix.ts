import { rowGram, rowProduct } from '../linalg/gram.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import { assertFinite } from '../linalg/finite.js';

/** A dense row-major matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function matrix(rows: number, cols: number, data: Float64Array = new Float64Array(rows * cols)): Matrix {
  if (data.length !== rows * cols) throw new Error(`matrix: ${rows}×${cols} needs ${rows * cols} entries; got ${data.length}`);
  return { rows, cols, data };
}

export function identity(n: number): Matrix {
  const m = matrix(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

export function transpose(a: Matrix): Matrix {
  const t = matrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

/** C = A·B. Cost O(rows(A)·cols(A)·cols(B)). */
export function multiply(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`multiply: ${a.rows}×${a.cols} times ${b.rows}×${b.cols}`);
  const bt = transpose(b);
  return matrix(a.rows, b.cols, rowProduct(a.data, a.rows, a.cols, 0, bt.data, b.cols, b.rows, 0, a.cols));
}

/** ‖A − B‖_F. */
export function frobeniusDistance(a: Matrix, b: Matrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new Error(`frobeniusDistance: ${a.rows}×${a.cols} vs ${b.rows}×${b.cols}`);
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (a.data[i] - b.data[i]) ** 2;
  return Math.sqrt(s);
}

export function frobeniusNorm(a: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] ** 2;
  return Math.sqrt(s);
}

/**
 * Thin SVD of A (rows × cols) through the eigen-decomposition of the Gram matrix of its shorter
 * side, so at most a min(rows, cols)² matrix is formed. Cost O(rows·cols·min(rows, cols)). The
 * Gram squares the condition number: singular values below ≈ 1e-8·σ₁ are not resolved (callers
 * floor them). Returns σ (largest first) and the right singular vectors V as rows (k × cols) when
 * `vectors` is set.
 */
export function thinSvd(a: Matrix, vectors = false): { sigma: Float64Array; v: Matrix | null; u: Matrix | null } {
  assertFinite(a.data, 'thinSvd input');
  const { rows, cols } = a;
  const k = Math.min(rows, cols);
  if (cols <= rows) {
    const at = transpose(a);
    const eig = symmetricEigen(rowGram(at.data, cols, rows, 0, rows), cols);
    const sigma = eig.values.map((x) => Math.sqrt(Math.max(x, 0)));
    return { sigma, v: vectors ? matrix(cols, cols, eig.vectors) : null, u: null };
  }
  const eig = symmetricEigen(rowGram(a.data, rows, cols, 0, cols), rows);
  const sigma = eig.values.slice(0, k).map((x) => Math.sqrt(Math.max(x, 0)));
  return { sigma, v: null, u: vectors ? matrix(rows, rows, eig.vectors) : null };
}
