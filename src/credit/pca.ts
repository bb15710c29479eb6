import { thinSvd } from '../linalg/svd.js';
import { assertFinite } from '../linalg/finite.js';

/** Orthonormal coordinates of a boundary between blocks: z = P (x − μ), x ≈ μ + Pᵀ z. */
export interface Basis {
  /** Full dimension n. */
  dim: number;
  /** Reduced dimension r (n for the identity basis). */
  rank: number;
  /** μ (length n); zeros for the identity basis. */
  mean: Float64Array;
  /** P as r rows of length n, or null for the identity (no reduction, no centring). */
  rows: Float64Array | null;
  /** Fraction of the variance the r directions hold (1 for the identity). */
  explained: number;
}

export function identityBasis(dim: number): Basis {
  return { dim, rank: dim, mean: new Float64Array(dim), rows: null, explained: 1 };
}

/**
 * The r leading principal directions of `count` samples (rows of length n), the PCA reduction the
 * paper's remark in III.D suggests: r = min(components, numerical rank), a direction kept when
 * σₖ > tol·σ₁ of the centred samples, each signed so that its largest-magnitude entry is positive. One engine `thinSvd` of the centred count × n block (QR of
 * the tall side + Jacobi, no Gram matrix): O(count·n·min(count, n)); no n×n matrix when count < n.
 */
export function principalBasis(samples: Float64Array, count: number, n: number, components: number, tol = 1e-7): Basis {
  if (samples.length !== count * n) throw new Error(`principalBasis: expected ${count}×${n} values; got ${samples.length}`);
  assertFinite(samples, 'principalBasis samples');
  const mean = new Float64Array(n);
  for (let s = 0; s < count; s++) for (let j = 0; j < n; j++) mean[j] += samples[s * n + j] / count;
  const c = new Float64Array(count * n);
  for (let s = 0; s < count; s++) for (let j = 0; j < n; j++) c[s * n + j] = samples[s * n + j] - mean[j];
  let total = 0;
  for (let i = 0; i < c.length; i++) total += c[i] * c[i];
  const svd = thinSvd(c, count, n, 0, n, { rank: (values) => cut(values, components, tol), method: 'qr' });
  const r = svd.rank;
  // Sign convention: the largest-magnitude entry of each direction is positive, so the basis (and
  // the alignment draws applied in its coordinates) do not depend on the SVD algorithm's signs.
  for (let k = 0; k < r; k++) {
    let big = 0;
    for (let j = 0; j < n; j++) if (Math.abs(svd.v[k * n + j]) > Math.abs(svd.v[k * n + big])) big = j;
    if (svd.v[k * n + big] < 0) for (let j = 0; j < n; j++) svd.v[k * n + j] = -svd.v[k * n + j];
  }
  let kept = 0;
  for (let k = 0; k < r; k++) kept += svd.values[k] * svd.values[k];
  return { dim: n, rank: r, mean, rows: svd.v.slice(0, r * n), explained: total > 0 ? kept / total : 1 };
}

function cut(sigma: Float64Array, components: number, tol: number): number {
  const s1 = Math.max(sigma[0] ?? 0, 0);
  let r = 0;
  while (r < sigma.length && r < components && sigma[r] > tol * s1 && sigma[r] > 0) r++;
  return r;
}

/** z = P (x − μ) for `count` rows x. O(count·r·n). */
export function toReduced(basis: Basis, x: Float64Array, count: number): Float64Array {
  const { dim: n, rank: r, mean, rows } = basis;
  if (!rows) return x.slice();
  const z = new Float64Array(count * r);
  for (let s = 0; s < count; s++) {
    for (let k = 0; k < r; k++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += rows[k * n + j] * (x[s * n + j] - mean[j]);
      z[s * r + k] = acc;
    }
  }
  return z;
}

/** x = μ + Pᵀ z for `count` rows z. O(count·r·n). */
export function fromReduced(basis: Basis, z: Float64Array, count: number): Float64Array {
  const { dim: n, rank: r, mean, rows } = basis;
  if (!rows) return z.slice();
  const x = new Float64Array(count * n);
  for (let s = 0; s < count; s++) {
    x.set(mean, s * n);
    for (let k = 0; k < r; k++) {
      const v = z[s * r + k];
      if (v === 0) continue;
      for (let j = 0; j < n; j++) x[s * n + j] += v * rows[k * n + j];
    }
  }
  return x;
}
