/**
 * Gauss–Jordan elimination with partial pivoting, in place, on a complex augmented matrix [A | B]
 * of r rows and m ≥ r columns (row-major, real and imaginary parts in two arrays): on return the
 * first r columns hold the identity and the other m − r hold A⁻¹B. Cost O(r²·m).
 *
 * A pivot whose modulus is zero (or below `minPivot`) is either fatal (`onZeroPivot: 'fail'`,
 * returns false, the matrix is singular to working precision) or skipped (`'skip'`: that column's
 * unknowns stay as they are, the use of a ridge-regularised system). Returns true otherwise.
 */
export function complexGaussJordan(
  re: Float64Array,
  im: Float64Array,
  r: number,
  m: number,
  onZeroPivot: 'fail' | 'skip',
  minPivot = 0,
): boolean {
  for (let c = 0; c < r; c++) {
    let p = c;
    let best = -1;
    for (let i = c; i < r; i++) {
      const a = Math.hypot(re[i * m + c], im[i * m + c]);
      if (a > best) {
        best = a;
        p = i;
      }
    }
    if (!(best > minPivot)) {
      if (onZeroPivot === 'fail') return false;
      if (p !== c) swapRows(re, im, m, p, c);
      continue;
    }
    if (p !== c) swapRows(re, im, m, p, c);
    const pr = re[c * m + c];
    const pi = im[c * m + c];
    const den = pr * pr + pi * pi;
    // row c /= pivot
    for (let j = 0; j < m; j++) {
      const xr = re[c * m + j];
      const xi = im[c * m + j];
      re[c * m + j] = (xr * pr + xi * pi) / den;
      im[c * m + j] = (xi * pr - xr * pi) / den;
    }
    for (let i = 0; i < r; i++) {
      if (i === c) continue;
      const fr = re[i * m + c];
      const fi = im[i * m + c];
      if (fr === 0 && fi === 0) continue;
      for (let j = 0; j < m; j++) {
        const xr = re[c * m + j];
        const xi = im[c * m + j];
        re[i * m + j] -= fr * xr - fi * xi;
        im[i * m + j] -= fr * xi + fi * xr;
      }
    }
  }
  return true;
}

function swapRows(re: Float64Array, im: Float64Array, m: number, a: number, b: number): void {
  for (let j = 0; j < m; j++) {
    const tr = re[a * m + j];
    const ti = im[a * m + j];
    re[a * m + j] = re[b * m + j];
    im[a * m + j] = im[b * m + j];
    re[b * m + j] = tr;
    im[b * m + j] = ti;
  }
}
