import { rowProduct } from '../linalg/gram.js';
import { thinSvd as engineSvd } from '../linalg/svd.js';
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
 * Thin SVD of A (rows × cols) through the engine's door (`thinSvd` in src/linalg/svd.ts:
 * Householder QR of the tall side + one-sided Jacobi, no Gram matrix, so σ is accurate to about
 * ε·σ₁ and the condition number is not squared). Cost O(rows·cols·min(rows, cols)). Returns all
 * min(rows, cols) singular values (largest first) and, when `vectors` is set, the right singular
 * vectors V as rows (k × cols) when cols ≤ rows, else the left ones U as rows (k × rows), for the
 * k directions with σ > 0.
 */
export function thinSvd(a: Matrix, vectors = false): { sigma: Float64Array; v: Matrix | null; u: Matrix | null } {
  assertFinite(a.data, 'thinSvd input');
  const { rows, cols } = a;
  const svd = engineSvd(a.data, rows, cols, 0, cols, { rank: vectors ? Math.min(rows, cols) : 0, method: 'qr' });
  const sigma = svd.values;
  if (!vectors) return { sigma, v: null, u: null };
  if (cols <= rows) return { sigma, v: matrix(svd.rank, cols, svd.v), u: null };
  return { sigma, v: null, u: matrix(svd.rank, rows, svd.u) };
}
