import { cabs, cpow, geometricSum, type Complex } from '../linalg/complex.js';
import { firstNonFinite } from '../linalg/finite.js';

/** Everything a fit computes; the operator object answers questions from it. */
export interface OperatorParts {
  dim: number;
  rank: number;
  /** How the rank was chosen, in words. */
  rankRule: string;
  /** Singular values of the (centred, scaled) snapshot matrix, largest first. */
  singularValues: Float64Array;
  affine: boolean;
  /** Mean of the input snapshots (affine) or null. */
  mu: Float64Array | null;
  /** Mean step ν − μ (affine) or null. */
  delta: Float64Array | null;
  /** Orthonormal POD basis as r rows of length dim. */
  basis: Float64Array;
  /** B = Y V Σ⁻¹ (dim × r, row-major): the operator is A = B · basis. */
  lift: Float64Array;
  /** Ã = basis · B (r × r, row-major). */
  reduced: Float64Array;
  eigenvalues: Complex[];
  /** Eigenvalues before stabilisation (equal to eigenvalues when nothing was pulled in). */
  rawEigenvalues: Complex[];
  /** Eigenvectors of Ã (columns, split re/im, r × r) and their inverse, or null (power fallback). */
  wRe: Float64Array;
  wIm: Float64Array;
  wInvRe: Float64Array | null;
  wInvIm: Float64Array | null;
  /** Condition number of the eigenvector matrix (∞ when it could not be inverted). */
  eigenbasisCondition: number;
  /** Reduced coordinates of the first snapshot (for amplitudes). */
  zFirst: Float64Array;
  /** The unstabilised lift, for residuals; same array as lift when nothing changed. */
  rawLift: Float64Array;
  stabilized: number;
}

/** Above this eigenvector condition, predictions use exact matrix powers instead of the eigenbasis. */
export const EIGENBASIS_CONDITION_LIMIT = 1e10;

/**
 * A fitted Koopman operator x(t+1) ≈ A x(t) (+ c with `affine`), with A = B·Uᵣᵀ of rank r.
 * Predictions run in the r-dimensional reduced space, through the eigenbasis of Ã, so they cost
 * O(dim·r + r²) for any number of steps.
 */
export class KoopmanOperator {
  readonly dim: number;
  readonly rank: number;
  readonly rankRule: string;
  readonly singularValues: Float64Array;
  readonly eigenvalues: Complex[];
  readonly affine: boolean;
  /** σ₁/σ_r of the snapshot matrix used (∞ when rank is 0). */
  readonly condition: number;
  /** Condition number of the eigenvector matrix of Ã; above 1e10 predictions use matrix powers. */
  readonly eigenbasisCondition: number;
  /** How many eigenvalues `stabilize` pulled back onto the unit circle. */
  readonly stabilized: number;
  private readonly p: OperatorParts;
  private residualCache: number[] | null = null;
  private amplitudeCache: Complex[] | null = null;

  constructor(parts: OperatorParts) {
    this.p = parts;
    this.dim = parts.dim;
    this.rank = parts.rank;
    this.rankRule = parts.rankRule;
    this.singularValues = parts.singularValues;
    this.eigenvalues = parts.eigenvalues;
    this.affine = parts.affine;
    this.stabilized = parts.stabilized;
    this.eigenbasisCondition = parts.eigenbasisCondition;
    const s = parts.singularValues;
    this.condition = parts.rank > 0 ? s[0] / s[parts.rank - 1] : Infinity;
  }

  /**
   * Everything the fit computed, which the operator answers from: structured-cloneable, so an
   * operator fitted on another thread is sent as its parts and rebuilt with `new KoopmanOperator(parts)`.
   */
  toParts(): OperatorParts {
    return this.p;
  }

  /** Spectral radius max |λ|. */
  get spectralRadius(): number {
    let r = 0;
    for (const l of this.eigenvalues) r = Math.max(r, cabs(l));
    return r;
  }

  /**
   * Mode amplitudes: the first snapshot (centred with `affine`) written in the basis of the
   * unit-norm Ritz vectors vₖ = Uᵣwₖ, x₀ ≈ Σ vₖ·αₖ, so xₜ ≈ Σ vₖ·αₖ·λₖᵗ; |αₖ| is the mode's importance.
   */
  get amplitudes(): Complex[] {
    if (!this.amplitudeCache) {
      const coef = this.eigenCoefficients(this.p.zFirst);
      this.amplitudeCache = Array.from({ length: this.rank }, (_, k) =>
        coef ? { re: coef.re[k], im: coef.im[k] } : { re: NaN, im: NaN },
      );
    }
    return this.amplitudeCache;
  }

  /**
   * DMD_RRR residuals ‖A·v − λ·v‖ of each Ritz pair (v = Uᵣ·w, ‖v‖ = 1), from the unstabilised
   * data-driven operator. Small residuals mark eigenvalues the data support; large ones are spurious.
   */
  get residuals(): number[] {
    if (!this.residualCache) {
      const { rank: r, dim: d } = this;
      const { wRe, wIm, rawLift, basis, rawEigenvalues } = this.p;
      const out: number[] = [];
      for (let k = 0; k < r; k++) {
        const lam = rawEigenvalues[k];
        let s = 0;
        for (let i = 0; i < d; i++) {
          let bre = 0;
          let bim = 0;
          let ure = 0;
          let uim = 0;
          for (let l = 0; l < r; l++) {
            const wr = wRe[l * r + k];
            const wi = wIm[l * r + k];
            bre += rawLift[i * r + l] * wr;
            bim += rawLift[i * r + l] * wi;
            ure += basis[l * d + i] * wr;
            uim += basis[l * d + i] * wi;
          }
          const rre = bre - (lam.re * ure - lam.im * uim);
          const rim = bim - (lam.re * uim + lam.im * ure);
          s += rre * rre + rim * rim;
        }
        out.push(Math.sqrt(s));
      }
      this.residualCache = out;
    }
    return this.residualCache;
  }

  /** The dense dim × dim operator A (row-major). With `affine`, the constant term is {@link offset}. */
  matrix(): Float64Array {
    const { dim: d, rank: r } = this;
    const { lift, basis } = this.p;
    const A = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let k = 0; k < r; k++) {
        const b = lift[i * r + k];
        if (b === 0) continue;
        const ok = k * d;
        for (let j = 0; j < d; j++) A[i * d + j] += b * basis[ok + j];
      }
    }
    return A;
  }

  /** The constant c of x(t+1) = A x(t) + c (zeros unless `affine`). */
  offset(): Float64Array {
    const d = this.dim;
    const c = new Float64Array(d);
    const { mu, delta } = this.p;
    if (!mu || !delta) return c;
    const Amu = this.applyLift(this.project(mu, false));
    for (let i = 0; i < d; i++) c[i] = mu[i] + delta[i] - Amu[i];
    return c;
  }

  /** The state `steps` steps after x0. Same cost for any number of steps. */
  predict(x0: ArrayLike<number>, steps: number): Float64Array {
    this.checkState(x0);
    checkSteps(steps);
    if (steps === 0) return Float64Array.from(x0);
    const z0 = this.project(x0, true);
    const zPrev = this.advance(z0, steps - 1);
    return this.lifted(zPrev);
  }

  /** The states x0, x1, …, x_steps (steps + 1 vectors), one step of the operator at a time. */
  trajectory(x0: ArrayLike<number>, steps: number): Float64Array[] {
    this.checkState(x0);
    checkSteps(steps);
    const out: Float64Array[] = [Float64Array.from(x0)];
    let z = this.project(x0, true);
    const dz = this.reducedDelta();
    const { reduced } = this.p;
    const r = this.rank;
    for (let k = 1; k <= steps; k++) {
      out.push(this.lifted(z));
      const next = new Float64Array(r);
      for (let i = 0; i < r; i++) {
        let s = dz ? dz[i] : 0;
        for (let j = 0; j < r; j++) s += reduced[i * r + j] * z[j];
        next[i] = s;
      }
      z = next;
    }
    return out;
  }

  /** z ↦ Ã^k z (+ S_k(Ã) δ̃), in the eigenbasis or by exact powers. */
  private advance(z0: Float64Array, k: number): Float64Array {
    const r = this.rank;
    if (k === 0 || r === 0) return z0;
    const dz = this.reducedDelta();
    const a = this.eigenCoefficients(z0);
    if (!a) return this.advanceByPowers(z0, dz, k);
    const b = dz ? this.eigenCoefficients(dz) : null;
    const cRe = new Float64Array(r);
    const cIm = new Float64Array(r);
    for (let i = 0; i < r; i++) {
      const lam = this.eigenvalues[i];
      const pw = cpow(lam, k);
      let re = pw.re * a.re[i] - pw.im * a.im[i];
      let im = pw.re * a.im[i] + pw.im * a.re[i];
      if (b) {
        const g = geometricSum(lam, k);
        re += g.re * b.re[i] - g.im * b.im[i];
        im += g.re * b.im[i] + g.im * b.re[i];
      }
      cRe[i] = re;
      cIm[i] = im;
    }
    const { wRe, wIm } = this.p;
    const z = new Float64Array(r);
    for (let i = 0; i < r; i++) {
      let s = 0;
      for (let j = 0; j < r; j++) s += wRe[i * r + j] * cRe[j] - wIm[i * r + j] * cIm[j];
      z[i] = s;
    }
    return z;
  }

  /** Exact powers of the augmented matrix [[Ã, δ̃], [0, 1]] by repeated squaring (defective Ã). */
  private advanceByPowers(z0: Float64Array, dz: Float64Array | null, k: number): Float64Array {
    const r = this.rank;
    const n = r + 1;
    const M = new Float64Array(n * n);
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < r; j++) M[i * n + j] = this.p.reduced[i * r + j];
      M[i * n + r] = dz ? dz[i] : 0;
    }
    M[r * n + r] = 1;
    let v: Float64Array = new Float64Array(n);
    v.set(z0);
    v[r] = 1;
    let base: Float64Array = M;
    let e = k;
    while (e > 0) {
      if (e & 1) v = matVec(base, v, n);
      e = Math.floor(e / 2);
      if (e > 0) base = matMul(base, base, n);
    }
    return v.subarray(0, r);
  }

  private eigenCoefficients(z: Float64Array): { re: Float64Array; im: Float64Array } | null {
    const { wInvRe, wInvIm } = this.p;
    if (!wInvRe || !wInvIm) return null;
    const r = this.rank;
    const re = new Float64Array(r);
    const im = new Float64Array(r);
    for (let i = 0; i < r; i++) {
      let sr = 0;
      let si = 0;
      for (let j = 0; j < r; j++) {
        sr += wInvRe[i * r + j] * z[j];
        si += wInvIm[i * r + j] * z[j];
      }
      re[i] = sr;
      im[i] = si;
    }
    return { re, im };
  }

  /** Reduced coordinates Uᵣ(x − μ) (centre = true) or Uᵣx. */
  private project(x: ArrayLike<number>, centre: boolean): Float64Array {
    const { dim: d, rank: r } = this;
    const { basis, mu } = this.p;
    const z = new Float64Array(r);
    for (let k = 0; k < r; k++) {
      let s = 0;
      const o = k * d;
      if (centre && mu) for (let i = 0; i < d; i++) s += basis[o + i] * (x[i] - mu[i]);
      else for (let i = 0; i < d; i++) s += basis[o + i] * x[i];
      z[k] = s;
    }
    return z;
  }

  private reducedDelta(): Float64Array | null {
    return this.p.delta ? this.project(this.p.delta, false) : null;
  }

  private applyLift(z: Float64Array): Float64Array {
    const { dim: d, rank: r } = this;
    const { lift } = this.p;
    const x = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += lift[i * r + k] * z[k];
      x[i] = s;
    }
    return x;
  }

  /** x = μ + B z + δ (affine) or B z. */
  private lifted(z: Float64Array): Float64Array {
    const x = this.applyLift(z);
    const { mu, delta } = this.p;
    if (mu && delta) for (let i = 0; i < this.dim; i++) x[i] += mu[i] + delta[i];
    return x;
  }

  private checkState(x0: ArrayLike<number>): void {
    if (!x0 || x0.length !== this.dim) {
      throw new Error(`x0 must have length ${this.dim} (the operator's dim); got ${x0 ? x0.length : x0}`);
    }
    const bad = firstNonFinite(x0);
    if (bad >= 0) throw new Error(`x0 contains a non-finite value (${x0[bad]}) at index ${bad}`);
  }
}

function checkSteps(steps: number): void {
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 0) {
    throw new Error(`steps must be an integer ≥ 0; got ${String(steps)}`);
  }
}

function matVec(M: Float64Array, v: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += M[i * n + j] * v[j];
    out[i] = s;
  }
  return out;
}

function matMul(A: Float64Array, B: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const a = A[i * n + k];
      if (a === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += a * B[k * n + j];
    }
  }
  return out;
}
