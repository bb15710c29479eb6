/**
 * Inverse of a complex n×n matrix (row-major, split into real and imaginary parts) by Gauss–Jordan
 * elimination with partial pivoting, and its 1-norm condition number. Returns null when a pivot
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
  for (let c = 0; c < n; c++) {
    let p = c;
    let best = -1;
    for (let i = c; i < n; i++) {
      const m = Math.hypot(mr[i * w + c], mi[i * w + c]);
      if (m > best) {
        best = m;
        p = i;
      }
    }
    if (!(best > 0) || best < 1e-300) return null;
    if (p !== c) {
      for (let j = 0; j < w; j++) {
        let t = mr[p * w + j];
        mr[p * w + j] = mr[c * w + j];
        mr[c * w + j] = t;
        t = mi[p * w + j];
        mi[p * w + j] = mi[c * w + j];
        mi[c * w + j] = t;
      }
    }
    // scale pivot row by 1/pivot
    const pr = mr[c * w + c];
    const pi = mi[c * w + c];
    const den = pr * pr + pi * pi;
    const ir = pr / den;
    const ii = -pi / den;
    for (let j = 0; j < w; j++) {
      const xr = mr[c * w + j];
      const xi = mi[c * w + j];
      mr[c * w + j] = xr * ir - xi * ii;
      mi[c * w + j] = xr * ii + xi * ir;
    }
    for (let i = 0; i < n; i++) {
      if (i === c) continue;
      const fr = mr[i * w + c];
      const fi = mi[i * w + c];
      if (fr === 0 && fi === 0) continue;
      for (let j = 0; j < w; j++) {
        const xr = mr[c * w + j];
        const xi = mi[c * w + j];
        mr[i * w + j] -= fr * xr - fi * xi;
        mi[i * w + j] -= fr * xi + fi * xr;
      }
    }
  }
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
