import { complexGaussJordan } from './complex-solve.js';

/**
 * Inverse of a complex n×n matrix (row-major, split into real and imaginary parts) by Gauss–Jordan
 * elimination with partial pivoting ({@link complexGaussJordan} on [A | I]; O(n³)), and its 1-norm condition number. Returns null when a pivot
 * vanishes (the matrix is singular to working precision).
 */
export function complexInverse(
  are: ArrayLike<number>,
  aim: ArrayLike<number>,
  n: number,
): { re: Float64Array; im: Float64Array; condition: number } | null {
  const w = 2 * n;
  // augmented [A | I], each entry complex (re, im) in two arrays of n × 2n
  const mr = new Float64Array(n * w);
  const mi = new Float64Array(n * w);
  let normA = 0;
  for (let j = 0; j < n; j++) {
    let col = 0;
    for (let i = 0; i < n; i++) col += Math.hypot(are[i * n + j], aim[i * n + j]);
    normA = Math.max(normA, col);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      mr[i * w + j] = are[i * n + j];
      mi[i * w + j] = aim[i * n + j];
    }
    mr[i * w + n + i] = 1;
  }
  if (!complexGaussJordan(mr, mi, n, w, 'fail', 1e-300)) return null;
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  let normInv = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      re[i * n + j] = mr[i * w + n + j];
      im[i * n + j] = mi[i * w + n + j];
    }
  }
  for (let j = 0; j < n; j++) {
    let col = 0;
    for (let i = 0; i < n; i++) col += Math.hypot(re[i * n + j], im[i * n + j]);
    normInv = Math.max(normInv, col);
  }
  const condition = normA * normInv;
  if (!Number.isFinite(condition)) return null;
  return { re, im, condition };
}
