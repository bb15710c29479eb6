/** A complex number. Eigenvalues of real operators come in conjugate pairs of these. */
export interface Complex {
  re: number;
  im: number;
}

export function cabs(z: Complex): number {
  return Math.hypot(z.re, z.im);
}

/**
 * z^k for an integer k ≥ 0, computed in polar form (|z|^k · e^{ikθ}): the cost does not depend on
 * k and no rounding accumulates from repeated products, so unit-modulus eigenvalues stay bounded.
 */
export function cpow(z: Complex, k: number): Complex {
  if (k === 0) return { re: 1, im: 0 };
  const r = Math.hypot(z.re, z.im);
  if (r === 0) return { re: 0, im: 0 };
  const theta = Math.atan2(z.im, z.re);
  const rk = Math.pow(r, k);
  return { re: rk * Math.cos(k * theta), im: rk * Math.sin(k * theta) };
}

/**
 * S_k(z) = 1 + z + … + z^(k−1), the geometric sum that carries a constant input through k steps
 * of a linear recurrence. Equals k at z = 1 and is evaluated without cancellation near z = 1
 * (via expm1 of k·log z), so drifts along |λ| ≈ 1 modes stay accurate for large k.
 */
export function geometricSum(z: Complex, k: number): Complex {
  if (k === 0) return { re: 0, im: 0 };
  const ure = z.re - 1;
  const uim = z.im;
  const u = Math.hypot(ure, uim);
  if (u === 0) return { re: k, im: 0 };
  // log z = ln|z| + i arg z
  const lre = Math.log(Math.hypot(z.re, z.im));
  const lim = Math.atan2(z.im, z.re);
  // expm1(k·L) computed accurately for small arguments.
  const xr = k * lre;
  const xi = k * lim;
  const ex = Math.exp(xr);
  const s = Math.sin(xi / 2);
  const numRe = Math.expm1(xr) * Math.cos(xi) - 2 * s * s;
  const numIm = ex * Math.sin(xi);
  // divide by (z − 1)
  const den = ure * ure + uim * uim;
  return {
    re: (numRe * ure + numIm * uim) / den,
    im: (numIm * ure - numRe * uim) / den,
  };
}
