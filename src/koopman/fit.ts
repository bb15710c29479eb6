import { cabs, type Complex } from '../linalg/complex.js';
import { complexInverse } from '../linalg/complex-inverse.js';
import { eigen } from '../linalg/eigen.js';
import { firstNonFinite } from '../linalg/finite.js';
import { kernelsFor } from '../linalg/kernels/select.js';
import { chooseRank } from '../linalg/rank.js';
import { thinSvd } from '../linalg/svd.js';
import { SvdWorkspace } from '../linalg/workspace.js';
import { EIGENBASIS_CONDITION_LIMIT, KoopmanOperator } from './operator.js';
import { minSnapshots, resolveFitOptions, type FitOptions, type ResolvedFitOptions } from './options.js';

/** State vectors, oldest first. */
export type Snapshots = ArrayLike<number>[];

/**
 * Fits the finite-section Koopman operator U = F′F⁺ (seed 004, eq. 4) to snapshots g(1…n), by a
 * truncated SVD with a relative cut-off — never (FᵀF)⁻¹. See {@link FitOptions} for the rank
 * rule, ridge, affine (constant observable), stabilisation and column scaling.
 */
export function fitKoopman(snapshots: Snapshots, options: FitOptions = {}): KoopmanOperator {
  const o = resolveFitOptions(options);
  if (!Array.isArray(snapshots)) throw new Error('snapshots must be an array of state vectors, oldest first');
  const n = snapshots.length;
  if (n < 2) throw new Error(`fitKoopman needs at least 2 snapshots; got ${n}`);
  const d = snapshots[0]?.length ?? 0;
  if (!(d >= 1)) throw new Error('snapshots must be non-empty vectors; snapshot 0 has length 0');
  const rows = new Float64Array(d * n);
  for (let t = 0; t < n; t++) {
    const s = snapshots[t];
    if (!s || s.length !== d) {
      throw new Error(
        `snapshot ${t} has length ${s ? s.length : 'undefined'}, expected ${d}: all snapshots must have the dimension of the first`,
      );
    }
    const bad = firstNonFinite(s);
    if (bad >= 0) throw new Error(`snapshot ${t} contains a non-finite value (${s[bad]}) at index ${bad}`);
    for (let i = 0; i < d; i++) rows[i * n + t] = s[i];
  }
  return fitRows(rows, d, n, o);
}

/**
 * The fit on snapshot data laid out as `dim` rows of `count` time samples (row i, column t holds
 * coordinate i of snapshot t). `rows` is used as scratch and overwritten. Options must already be
 * resolved. This is the entry point for batched fits of many small operators (pass one `work`
 * for all of them so scratch is allocated once).
 *
 * Cost: one {@link thinSvd} of the d × m matrix X — O(d·m·min(d, m)) by the QR route, or
 * O(d·m·r) by the randomized route for a fixed rank r ≪ min(d, m) — plus 2·d·m·r for
 * B = Y Vᵣ Σᵣ⁻¹ and 2·d·r² for Ã; never a d × d matrix. Memory O(d·m + min(d, m)²).
 */
export function fitRows(
  rows: Float64Array,
  d: number,
  n: number,
  o: ResolvedFitOptions,
  label = 'snapshots',
  work: SvdWorkspace = new SvdWorkspace(),
): KoopmanOperator {
  const need = minSnapshots(d, o);
  if (n < need) {
    throw new Error(
      `${label}: rank ${o.rank}${o.affine ? ' with affine' : ''} needs at least ${need} snapshots for dimension ${d}; got ${n}`,
    );
  }
  const bad = firstNonFinite(rows, 0, d * n);
  if (bad >= 0) {
    throw new Error(`${label}: non-finite value (${rows[bad]}) at coordinate ${Math.floor(bad / n)}, snapshot ${bad % n}`);
  }
  const m = n - 1;
  // Column weights (xGEDMD-style scaling of the X columns).
  let w: Float64Array | null = null;
  if (o.scale) {
    w = work.take('fit.w', m);
    for (let t = 0; t < m; t++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += rows[i * n + t] ** 2;
      w[t] = s > 0 ? 1 / Math.sqrt(s) : 1;
    }
  }
  // Affine: centre X and Y on their (weighted) means, the least-squares fit with an intercept.
  let mu: Float64Array | null = null;
  let delta: Float64Array | null = null;
  if (o.affine) {
    mu = new Float64Array(d);
    delta = new Float64Array(d);
    let wsum = 0;
    for (let t = 0; t < m; t++) wsum += w ? w[t] * w[t] : 1;
    for (let i = 0; i < d; i++) {
      let sx = 0;
      let sy = 0;
      const oi = i * n;
      for (let t = 0; t < m; t++) {
        const wt = w ? w[t] * w[t] : 1;
        sx += wt * rows[oi + t];
        sy += wt * rows[oi + t + 1];
      }
      mu[i] = sx / wsum;
      delta[i] = sy / wsum - mu[i];
    }
    for (let i = 0; i < d; i++) {
      const oi = i * n;
      const c = mu[i];
      for (let t = 0; t < n; t++) rows[oi + t] -= c;
    }
  }
  const zFirstSource = new Float64Array(d);
  for (let i = 0; i < d; i++) zFirstSource[i] = rows[i * n];

  // X (d×m) and Y (d×m) as (array, stride, offset). Without scaling they are views of `rows`;
  // Y needs no centring by δ because the centred X rows sum to zero against every POD direction.
  let X: Float64Array = rows;
  let Y: Float64Array = rows;
  let xs = n;
  let ys = n;
  let yo = 1;
  if (w) {
    X = work.take('fit.x', d * m);
    Y = work.take('fit.y', d * m);
    xs = ys = m;
    yo = 0;
    for (let i = 0; i < d; i++) {
      for (let t = 0; t < m; t++) {
        X[i * m + t] = w[t] * rows[i * n + t];
        Y[i * m + t] = w[t] * (rows[i * n + t + 1] - (delta ? delta[i] : 0));
      }
    }
  }

  // Coordinates that never vary (zero rows of X, e.g. weights of always-black pixels) are not
  // part of the matrix the rank rule judges.
  let varying = 0;
  let gMax = 0;
  const energy = work.take('fit.energy', d);
  for (let i = 0; i < d; i++) {
    let e = 0;
    const oi = i * xs;
    for (let t = 0; t < m; t++) e += X[oi + t] * X[oi + t];
    energy[i] = e;
    if (e > gMax) gMax = e;
  }
  for (let i = 0; i < d; i++) if (energy[i] > 1e-28 * gMax) varying++;
  const rows_ = Math.max(varying, 1);
  // One thin SVD by the smaller side; a fixed rank may take the randomized route when it pays.
  const fixed = o.rank >= 1 ? o.rank : undefined;
  const svd = thinSvd(X, d, xs, 0, m, {
    rank: fixed ?? ((values) => chooseRank(values, rows_, m, o.rank, o.tol).rank),
    work,
  });
  const sigma = svd.values;
  const choice = chooseRank(sigma, rows_, m, o.rank, o.tol);
  const r = Math.min(choice.rank, svd.rank);
  const basis = r === svd.rank ? svd.u : svd.u.slice(0, r * d);
  const rho2 = (o.ridge * sigma[0]) ** 2;

  // B = Y Vᵣ Σᵣ⁻¹ (ridge: Σ/(Σ²+ρ²)); Vᵣ comes straight from the small SVD. The products run in
  // same inner loops as the thin SVD (the WebAssembly SIMD kernels where they validate and fit).
  const K = kernelsFor(svd.kernel);
  const lift = K.rowProduct(Y, d, ys, yo, svd.v, r, m, 0, m);
  for (let k = 0; k < r; k++) {
    const f = sigma[k] / (sigma[k] * sigma[k] + rho2);
    for (let i = 0; i < d; i++) lift[i * r + k] *= f;
  }

  // Ã = Uᵣᵀ B
  const reduced = K.rowProduct(basis, r, d, 0, transposeRows(lift, d, r), r, d, 0, d);
  const parts = spectralParts(reduced, r, o.stabilize);
  let finalLift = lift;
  if (parts.stabilized > 0) {
    finalLift = lift.slice();
    for (let i = 0; i < d; i++) {
      for (let l = 0; l < r; l++) {
        let s = 0;
        for (let k = 0; k < r; k++) s += basis[k * d + i] * (parts.reduced[k * r + l] - reduced[k * r + l]);
        finalLift[i * r + l] += s;
      }
    }
  }
  const zFirst = new Float64Array(r);
  for (let k = 0; k < r; k++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += basis[k * d + i] * zFirstSource[i];
    zFirst[k] = s;
  }
  return new KoopmanOperator({
    dim: d,
    rank: r,
    rankRule: choice.rule,
    singularValues: sigma,
    affine: o.affine,
    mu,
    delta,
    basis,
    lift: finalLift,
    rawLift: lift,
    reduced: parts.reduced,
    eigenvalues: parts.values,
    rawEigenvalues: parts.rawValues,
    wRe: parts.wRe,
    wIm: parts.wIm,
    wInvRe: parts.wInvRe,
    wInvIm: parts.wInvIm,
    eigenbasisCondition: parts.condition,
    zFirst,
    stabilized: parts.stabilized,
  });
}

interface SpectralParts {
  reduced: Float64Array;
  values: Complex[];
  rawValues: Complex[];
  wRe: Float64Array;
  wIm: Float64Array;
  wInvRe: Float64Array | null;
  wInvIm: Float64Array | null;
  condition: number;
  stabilized: number;
}

/** Eigen-decomposition of Ã, optional stabilisation, and the inverse eigenvector matrix. */
function spectralParts(reduced: Float64Array, r: number, stabilize: boolean): SpectralParts {
  const e = eigen(reduced, r);
  const rawValues = e.values;
  let values = rawValues;
  let stabilized = 0;
  let out = reduced;
  const inv = complexInverse(e.re, e.im, r);
  if (stabilize) {
    values = rawValues.map((l) => {
      const a = cabs(l);
      if (a > 1) {
        stabilized++;
        return { re: l.re / a, im: l.im / a };
      }
      return l;
    });
    if (stabilized > 0) {
      if (!inv) throw new Error('stabilize: the eigenvectors of the reduced operator are singular; cannot move eigenvalues');
      // Ã_s = Re(W Λ_s W⁻¹)
      out = new Float64Array(r * r);
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < r; j++) {
          let s = 0;
          for (let k = 0; k < r; k++) {
            const l = values[k];
            const wr = e.re[i * r + k];
            const wi = e.im[i * r + k];
            const pr = wr * l.re - wi * l.im;
            const pi = wr * l.im + wi * l.re;
            s += pr * inv.re[k * r + j] - pi * inv.im[k * r + j];
          }
          out[i * r + j] = s;
        }
      }
    }
  }
  const ok = inv && inv.condition <= EIGENBASIS_CONDITION_LIMIT;
  return {
    reduced: out,
    values,
    rawValues,
    wRe: e.re,
    wIm: e.im,
    wInvRe: ok ? inv.re : null,
    wInvIm: ok ? inv.im : null,
    condition: inv ? inv.condition : Infinity,
    stabilized,
  };
}

function transposeRows(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}
